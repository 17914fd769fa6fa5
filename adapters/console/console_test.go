package console_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/buyerguide/bot/adapters/console"
	"github.com/buyerguide/bot/adapters/sqlite"
	"github.com/buyerguide/bot/conversation"
	"github.com/buyerguide/bot/data"
	"github.com/buyerguide/bot/locales"
)

// screens is a writer that hands each printed screen to the test. The
// console prints one screen per input line, so the test can answer each
// screen like a person would.
type screens chan string

func (s screens) Write(p []byte) (int, error) {
	s <- string(p)
	return len(p), nil
}

type fixture struct {
	content *conversation.Content
	guide   *data.Guide
	cat     *locales.Catalog
	path    string
}

func newFixture(t *testing.T) *fixture {
	c, err := conversation.LoadContent()
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{content: c, guide: c.Guide, cat: c.Cat, path: filepath.Join(t.TempDir(), "bot.db")}
}

// session runs a console over the fixture's database; answer gets every
// screen and returns the next line to type, or "" to end the input.
func (f *fixture) session(t *testing.T, lang string, answer func(screen string) string) []string {
	t.Helper()
	db, err := sqlite.Open(context.Background(), f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	eng, err := conversation.New(f.content, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	in, typed := io.Pipe()
	out := make(screens)
	c := &console.Console{Handler: eng, UserID: 77, Lang: lang, In: in, Out: out}
	done := make(chan error, 1)
	go func() { done <- c.Run(context.Background()) }()
	var seen []string
	for {
		select {
		case s := <-out:
			seen = append(seen, s)
			line := answer(s)
			if line == "" {
				typed.Close()
				continue
			}
			go fmt.Fprintln(typed, line)
		case err := <-done:
			if err != nil {
				t.Fatalf("console: %v", err)
			}
			return seen
		}
	}
}

var buttonRE = regexp.MustCompile(`(?m)^\[(\d+)\] (.*)$`)

// button returns the number of the button whose label is exactly label.
func button(screen, label string) string {
	for _, m := range buttonRE.FindAllStringSubmatch(screen, -1) {
		if m[2] == label {
			return m[1]
		}
	}
	return ""
}

// walk presses only buttons from /start to the end of stage 6 in one
// language and checks that every step is shown in order, in that
// language, with the Chinese labels of each step, and fits a message;
// then it presses Finish and checks the completion screen.
func walk(t *testing.T, f *fixture, lang string) []data.Step {
	t.Helper()
	next := f.cat.Text(lang, "ui.btn.next", nil)
	var steps []data.Step
	for _, st := range f.guide.Stages {
		steps = append(steps, st.Steps...)
	}
	i := 0
	seen := f.session(t, lang, func(s string) string {
		if i >= len(steps) {
			return ""
		}
		step := steps[i]
		i++
		for _, c := range step.Choices {
			if c.To == "" { // "no" on the question, Finish on the last step
				return button(s, f.cat.Text(lang, step.ChoiceID(c.ID), nil))
			}
		}
		return button(s, next)
	})
	transcript := strings.Join(seen, "")
	if len(seen) != len(steps)+1 {
		t.Fatalf("%d screens for %d steps and the completion screen:\n%s", len(seen), len(steps), transcript)
	}
	done := seen[len(steps)]
	if title := f.cat.Text(lang, "ui.finish.title", nil); !strings.HasPrefix(done, "== "+title+" ==") {
		t.Fatalf("Finish shows:\n%s", done)
	}
	for _, want := range []string{f.cat.Plural(lang, "ui.progress.left", 0, nil), f.cat.Text(lang, "ui.finish.body", nil), "/order", "/support", "/restart"} {
		if !strings.Contains(done, want) {
			t.Errorf("the completion screen has no %q:\n%s", want, done)
		}
	}
	if strings.Contains(done, "⬜") || strings.Count(done, "✅") < len(f.guide.Stages) {
		t.Errorf("not every stage is done on the completion screen:\n%s", done)
	}
	for k, step := range steps {
		screen := seen[k]
		title := f.cat.Text(lang, step.TitleID(), nil)
		if !strings.HasPrefix(screen, "== "+title+" ==") {
			t.Fatalf("screen %d is not %s:\n%s", k, step.Key, screen)
		}
		if n := utf8.RuneCountInString(screen); n > 4096 {
			t.Errorf("step %s is %d characters, over one message", step.Key, n)
		}
		for _, label := range step.Labels {
			if !strings.Contains(screen, label) {
				t.Errorf("step %s does not show the label %s", step.Key, label)
			}
		}
	}
	for _, st := range f.guide.Stages {
		name := f.cat.Text(lang, "ui.stage.name", map[string]any{"Number": st.Number, "Title": f.cat.Text(lang, st.TitleID(), nil)})
		if st.Number != "" && !strings.Contains(transcript, name) {
			t.Errorf("stage %s %s never shown", st.Number, st.ID)
		}
	}
	return steps
}

// TestWalkWholeGuideWithButtons walks the guide to Finish, then checks
// that a second run welcomes the buyer back to the completion screen.
func TestWalkWholeGuideWithButtons(t *testing.T) {
	f := newFixture(t)
	walk(t, f, "en")
	again := f.session(t, "en", func(string) string { return "" })
	done := f.cat.Text("en", "ui.finish.title", nil)
	if len(again) != 1 || !strings.Contains(again[0], "== "+done+" ==") {
		t.Fatalf("second run shows:\n%s", strings.Join(again, ""))
	}
	if !strings.Contains(again[0], f.cat.Text("en", "ui.notice.welcome_back", nil)) {
		t.Errorf("second run does not welcome back")
	}
}

// TestWalkInEveryLanguage walks the whole guide as a user whose client
// speaks each language the bot has.
func TestWalkInEveryLanguage(t *testing.T) {
	f := newFixture(t)
	for _, tag := range f.cat.Languages() {
		t.Run(tag.String(), func(t *testing.T) {
			g := *f
			g.path = filepath.Join(t.TempDir(), "bot.db")
			walk(t, &g, tag.String())
		})
	}
}

func TestTypedCommandsAndNumbers(t *testing.T) {
	f := newFixture(t)
	lines := []string{"/next", "/back", "99", "/menu", "/progress", "/help"}
	k := 0
	seen := f.session(t, "en", func(string) string {
		if k == len(lines) {
			return ""
		}
		k++
		return lines[k-1]
	})
	if len(seen) != len(lines)+1 {
		t.Fatalf("%d screens:\n%s", len(seen), strings.Join(seen, ""))
	}
	first := f.cat.Text("en", f.guide.Stages[0].Steps[0].TitleID(), nil)
	second := f.cat.Text("en", f.guide.Stages[0].Steps[1].TitleID(), nil)
	for i, want := range []string{first, second, first, first, "Menu", "Your progress", "How to use this guide"} {
		if !strings.Contains(seen[i], "== "+want+" ==") {
			t.Errorf("screen %d: want %q, got:\n%s", i, want, seen[i])
		}
	}
	// "99" is no button: it is text the bot doesn't understand.
	if !strings.Contains(seen[3], f.cat.Text("en", "ui.unknown", nil)) {
		t.Errorf("an out-of-range number got no hint:\n%s", seen[3])
	}
}

// TestPasteExplainsLabels is the glossary's acceptance case in the
// console: a pasted form line explains member name and login password.
func TestPasteExplainsLabels(t *testing.T) {
	f := newFixture(t)
	sent := false
	seen := f.session(t, "en", func(string) string {
		if sent {
			return ""
		}
		sent = true
		return "* 会员名: 设置会员名 * 登录密码:"
	})
	if len(seen) != 2 {
		t.Fatalf("%d screens", len(seen))
	}
	for _, want := range []string{"会员名", "登录密码",
		f.cat.Text("en", "label.member_name.meaning", nil), f.cat.Text("en", "label.login_password.meaning", nil)} {
		if !strings.Contains(seen[1], want) {
			t.Errorf("no %q in:\n%s", want, seen[1])
		}
	}
}

// script answers screens from a list: "btn:Label" presses the button with
// that label (as [n], which works everywhere), anything else is typed.
func script(t *testing.T, steps []string) func(string) string {
	i := 0
	return func(screen string) string {
		if i == len(steps) {
			return ""
		}
		s := steps[i]
		i++
		if label, ok := strings.CutPrefix(s, "btn:"); ok {
			n := button(screen, label)
			if n == "" {
				t.Fatalf("no button %q on:\n%s", label, screen)
			}
			return "[" + n + "]"
		}
		return s
	}
}

// TestNumberAtPromptIsTyped: where the bot asks for a quantity, a price or
// a note, a bare number is the answer, not a button ("1" at the quantity
// prompt used to press Cancel); [n] still presses button n there, the
// prompt says so, and elsewhere a bare number presses a button as before.
func TestNumberAtPromptIsTyped(t *testing.T) {
	f := newFixture(t)
	tx := func(id string) string { return f.cat.Text("en", id, nil) }
	seen := f.session(t, "en", script(t, []string{
		"/order", "btn:" + tx("ui.btn.draft_new"),
		"btn:" + tx("ui.btn.item_add"), "https://detail.1688.com/offer/623456789012.html",
		"btn:" + tx("ui.btn.skip_field"), "btn:" + tx("ui.btn.skip_field"),
		"1", // quantity: the prompt's button 1 is Cancel
		"2", // price
		"2", // note: the prompt's button 2 is Cancel
		"1", // the draft: not a prompt, so button 1 opens the first item
	}))
	if len(seen) != 11 {
		t.Fatalf("%d screens:\n%s", len(seen), strings.Join(seen, ""))
	}
	hint := tx("ui.console.hint")
	for i, s := range seen {
		prompt := i >= 3 && i <= 8 // link, title, spec, quantity, price, note
		if strings.Contains(s, hint) != prompt {
			t.Errorf("screen %d: hint shown %v, want %v:\n%s", i, !prompt, prompt, s)
		}
	}
	draft := seen[9]
	for _, want := range []string{"1 × ¥2.00 = ¥2.00", "Note: 2"} {
		if !strings.Contains(draft, want) {
			t.Errorf("no %q in the draft:\n%s", want, draft)
		}
	}
	if !strings.Contains(seen[10], "== "+tx("ui.item.title")+" ==") {
		t.Errorf("a bare 1 on the draft did not open the item:\n%s", seen[10])
	}
}

// TestHintInTheUsersLanguage: the console's own hint follows the language
// the user reads.
func TestHintInTheUsersLanguage(t *testing.T) {
	f := newFixture(t)
	tx := func(id string) string { return f.cat.Text("de", id, nil) }
	seen := f.session(t, "de", script(t, []string{
		"/order", "btn:" + tx("ui.btn.draft_new"), "btn:" + tx("ui.btn.item_add"),
	}))
	if last := seen[len(seen)-1]; !strings.Contains(last, tx("ui.console.hint")) {
		t.Errorf("no German hint:\n%s", last)
	}
}

// TestOrderDraftSurvivesRestart builds a draft with two items in the
// console, converts its total at a typed rate, and finds it again after a
// restart.
func TestOrderDraftSurvivesRestart(t *testing.T) {
	f := newFixture(t)
	tx := func(id string) string { return f.cat.Text("en", id, nil) }
	seen := f.session(t, "en", script(t, []string{
		"/order", "btn:" + tx("ui.btn.draft_new"),
		"btn:" + tx("ui.btn.item_add"), "https://detail.1688.com/offer/623456789012.html", "Phone case", "btn:" + tx("ui.btn.skip_field"), "3", "19.99", "btn:" + tx("ui.btn.skip_field"),
		"btn:" + tx("ui.btn.item_add"), "https://m.1688.com/offer/700000000001.html#x", "Cable", "USB-C, 1 m", "100", "0.07", "for the shop",
		"btn:" + tx("ui.btn.calc"), "btn:SGD", "1 SGD = 5.4560 CNH",
	}))
	all := strings.Join(seen, "")
	for _, want := range []string{"3 × ¥19.99 = ¥59.97", "100 × ¥0.07 = ¥7.00", "Total: ¥66.97 for 2 items", "convert 12.28 SGD"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q in the session", want)
		}
	}
	again := f.session(t, "en", script(t, []string{"/order", "btn:#1 · draft · ¥66.97"}))
	if last := again[len(again)-1]; !strings.Contains(last, "Total: ¥66.97 for 2 items") {
		t.Errorf("after a restart:\n%s", last)
	}
}
