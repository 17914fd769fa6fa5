package data

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/BurntSushi/toml"
)

// Label is one Chinese UI label of the glossary. Its words (meaning, what
// to do) are the messages label.<key>.meaning and label.<key>.action.
type Label struct {
	Key    string   `toml:"key"`
	Zh     string   `toml:"zh"`      // simplified, as on screen
	ZhHant string   `toml:"zh_hant"` // traditional
	Pinyin string   `toml:"pinyin"`
	Stages []string `toml:"stages"`
	// Personal marks a field of personal data (a name, an address, a
	// phone number, a free-text note): Chinese the glossary does not know
	// next to it is most likely the buyer's own data, and is never
	// recorded.
	Personal bool `toml:"personal"`
}

// MeaningID is the message ID of the label's short gloss.
func (l Label) MeaningID() string { return "label." + l.Key + ".meaning" }

// ActionID is the message ID of what to do at the label.
func (l Label) ActionID() string { return "label." + l.Key + ".action" }

// MaxLabelKey bounds a label key (it travels in callback data).
const MaxLabelKey = 24

// LoadLabels parses and checks the embedded glossary.
func LoadLabels() ([]Label, error) {
	b, err := files.ReadFile("labels.toml")
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	return ParseLabels(b)
}

// ParseLabels parses a glossary: unique keys and Chinese forms, Chinese in
// both forms, a pinyin reading.
func ParseLabels(b []byte) ([]Label, error) {
	var f struct {
		Labels []Label `toml:"labels"`
	}
	if err := toml.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	keys, zh := map[string]bool{}, map[string]bool{}
	for i, l := range f.Labels {
		if !validID(l.Key, MaxLabelKey) || keys[l.Key] {
			return nil, fmt.Errorf("labels: entry %d: bad or duplicate key %q", i, l.Key)
		}
		keys[l.Key] = true
		if !hasHan(l.Zh) || !hasHan(l.ZhHant) || strings.TrimSpace(l.Pinyin) == "" {
			return nil, fmt.Errorf("labels: %s: needs zh, zh_hant and pinyin", l.Key)
		}
		if zh[l.Zh] {
			return nil, fmt.Errorf("labels: %s: %s listed twice", l.Key, l.Zh)
		}
		zh[l.Zh] = true
	}
	return f.Labels, nil
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
