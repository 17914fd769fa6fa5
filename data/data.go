// Package data holds the guide as data: the stages and steps of the
// guidebook, the official domains a link may point to, and (later) the
// Chinese label glossary. It is embedded in the binary; the words live in
// locales/, this package only holds structure.
package data

import (
	"embed"
	"fmt"
	"net/url"
	"strings"

	"github.com/BurntSushi/toml"
)

//go:embed *.toml
var files embed.FS

// Guide is the whole guide: stages in the guidebook's order.
type Guide struct {
	Stages []Stage `toml:"stages"`
}

// Stage is one chapter of the guidebook.
type Stage struct {
	// ID is stable: it names messages (stage.<id>.title) and deep links
	// (stage_<id>). Never rename one that users may have stored.
	ID string `toml:"id"`
	// Number is the chapter number as the guidebook prints it ("1", "4A").
	// Empty for the introduction.
	Number   string    `toml:"number"`
	Steps    []Step    `toml:"steps"`
	Problems []Problem `toml:"problems"`
	// Drafts shows the order drafts button on the stage's steps (where
	// the buyer needs numbers: top-up, order, payment).
	Drafts bool `toml:"drafts"`
}

// Step is one chat screen.
type Step struct {
	ID string `toml:"id"`
	// Labels are the Chinese labels (simplified) the buyer sees on the
	// screen this step talks about.
	Labels []string `toml:"labels"`
	// Links are official addresses shown as link buttons.
	Links []Link `toml:"links"`
	// SkipTo, when set, offers a Skip button that jumps to that step key.
	SkipTo string `toml:"skip_to"`
	// Choices make the step a question; each answer jumps to a step key
	// (empty To means the next step). On the last step an answer with
	// Finish is the way to complete the guide.
	Choices []Choice `toml:"choices"`

	// Key is "<stage>.<step>", filled by Load.
	Key string `toml:"-"`
	// Stage is the ID of the stage the step belongs to, filled by Load.
	Stage string `toml:"-"`
}

// Link is an official address shown as a button.
type Link struct {
	URL string `toml:"url"`
	// Text is the message ID of the button label (link.<id>).
	Text string `toml:"text"`
}

// Choice is one answer of a question step.
type Choice struct {
	ID string `toml:"id"`
	To string `toml:"to"`
	// Skipped marks the steps between this one and To as skipped rather
	// than left undone (the buyer does not need them).
	Skipped bool `toml:"skipped"`
	// Finish completes the guide: the buyer stays on the step, which is
	// marked done, and sees the completion screen. Only an answer of the
	// last step may finish, and it has no To.
	Finish bool `toml:"finish"`
}

// Problem is one common way a stage goes wrong.
type Problem struct {
	ID string `toml:"id"`
}

// TitleID is the message ID of the stage title.
func (s Stage) TitleID() string { return "stage." + s.ID + ".title" }

// TitleID is the message ID of the step title.
func (s Step) TitleID() string { return "step." + s.Key + ".title" }

// BodyID is the message ID of the step body.
func (s Step) BodyID() string { return "step." + s.Key + ".body" }

// ChoiceID is the message ID of an answer's button label.
func (s Step) ChoiceID(choice string) string { return "step." + s.Key + ".choice." + choice }

// TitleID is the message ID of the problem's button label.
func (p Problem) TitleID(stage string) string { return "problem." + stage + "." + p.ID + ".title" }

// BodyID is the message ID of the problem's explanation.
func (p Problem) BodyID(stage string) string { return "problem." + stage + "." + p.ID + ".body" }

// Domains lists the official domains of the guidebook.
type Domains struct {
	// Official domains: the domain itself and its subdomains are official.
	Official []string `toml:"official"`
}

// LoadGuide parses and checks the embedded guide.
func LoadGuide() (*Guide, error) {
	b, err := files.ReadFile("guide.toml")
	if err != nil {
		return nil, fmt.Errorf("guide: %w", err)
	}
	return ParseGuide(b)
}

// ParseGuide parses a guide and checks that it is consistent: unique IDs,
// targets that exist, links with https.
func ParseGuide(b []byte) (*Guide, error) {
	var g Guide
	if err := toml.Unmarshal(b, &g); err != nil {
		return nil, fmt.Errorf("guide: %w", err)
	}
	keys := map[string]bool{}
	stages := map[string]bool{}
	for si := range g.Stages {
		st := &g.Stages[si]
		if !validID(st.ID, MaxStageID) || stages[st.ID] {
			return nil, fmt.Errorf("guide: stage %d: bad or duplicate id %q", si, st.ID)
		}
		stages[st.ID] = true
		if len(st.Steps) == 0 {
			return nil, fmt.Errorf("guide: stage %s has no steps", st.ID)
		}
		for i := range st.Steps {
			step := &st.Steps[i]
			if !validID(step.ID, MaxStepID) {
				return nil, fmt.Errorf("guide: stage %s: bad step id %q", st.ID, step.ID)
			}
			step.Stage = st.ID
			step.Key = st.ID + "." + step.ID
			if keys[step.Key] {
				return nil, fmt.Errorf("guide: duplicate step %s", step.Key)
			}
			keys[step.Key] = true
			for _, l := range step.Links {
				u, err := url.Parse(l.URL)
				if err != nil || u.Scheme != "https" || u.Host == "" {
					return nil, fmt.Errorf("guide: step %s: link %q is not an https address", step.Key, l.URL)
				}
				if !strings.HasPrefix(l.Text, "link.") {
					return nil, fmt.Errorf("guide: step %s: link text %q must be a link.* message ID", step.Key, l.Text)
				}
			}
		}
		seen := map[string]bool{}
		for _, p := range st.Problems {
			if !validID(p.ID, MaxStepID) || seen[p.ID] {
				return nil, fmt.Errorf("guide: stage %s: bad or duplicate problem %q", st.ID, p.ID)
			}
			seen[p.ID] = true
		}
	}
	if len(g.Stages) == 0 {
		return nil, fmt.Errorf("guide: no stages")
	}
	lastStage := g.Stages[len(g.Stages)-1]
	last := lastStage.Steps[len(lastStage.Steps)-1].Key
	for _, st := range g.Stages {
		for _, step := range st.Steps {
			if step.SkipTo != "" && !keys[step.SkipTo] {
				return nil, fmt.Errorf("guide: step %s: skip_to %q does not exist", step.Key, step.SkipTo)
			}
			seen := map[string]bool{}
			for _, c := range step.Choices {
				if !validID(c.ID, MaxChoiceID) || seen[c.ID] || (c.To != "" && !keys[c.To]) {
					return nil, fmt.Errorf("guide: step %s: choice %q is a duplicate or goes to unknown step %q", step.Key, c.ID, c.To)
				}
				seen[c.ID] = true
				switch {
				case c.Finish && (step.Key != last || c.To != "" || c.Skipped):
					return nil, fmt.Errorf("guide: step %s: choice %q: only an answer of the last step, without to or skipped, may finish", step.Key, c.ID)
				case !c.Finish && c.To == "" && step.Key == last:
					return nil, fmt.Errorf("guide: step %s: choice %q continues, but there is no next step", step.Key, c.ID)
				}
			}
		}
	}
	return &g, nil
}

// Limits on ID lengths keep a button's callback data (which names the
// step and the answer) well under Telegram's 64 bytes.
const (
	MaxStageID  = 10
	MaxStepID   = 14
	MaxChoiceID = 10
)

// reserved are go-i18n's plural and metadata keys: an ID segment with one
// of these names would be read as part of a message, not as its name.
var reserved = map[string]bool{
	"id": true, "description": true, "hash": true, "leftdelim": true, "rightdelim": true,
	"zero": true, "one": true, "two": true, "few": true, "many": true, "other": true,
}

func validID(s string, max int) bool {
	if s == "" || len(s) > max || reserved[s] {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// LoadDomains parses the embedded list of official domains.
func LoadDomains() (*Domains, error) {
	b, err := files.ReadFile("domains.toml")
	if err != nil {
		return nil, fmt.Errorf("domains: %w", err)
	}
	var d Domains
	if err := toml.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("domains: %w", err)
	}
	return &d, nil
}

// IsOfficial reports whether host is one of the official domains or a
// subdomain of one.
func (d *Domains) IsOfficial(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, o := range d.Official {
		if host == o || strings.HasSuffix(host, "."+o) {
			return true
		}
	}
	return false
}
