package conversation_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buyerguide/bot/adapters/sqlite"
	"github.com/buyerguide/bot/conversation"
	"github.com/buyerguide/bot/data"
	"github.com/buyerguide/bot/locales"
)

// env is an engine over the real guide, catalogue and a real SQLite file.
type env struct {
	t     testing.TB
	guide *data.Guide
	cat   *locales.Catalog
	db    *sqlite.DB
	eng   *conversation.Engine
	path  string

	content *conversation.Content
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return openEnv(t, filepath.Join(t.TempDir(), "bot.db"))
}

func openEnv(t testing.TB, path string) *env {
	t.Helper()
	c, err := conversation.LoadContent()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	eng, err := conversation.New(c, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, guide: c.Guide, cat: c.Cat, db: db, eng: eng, path: path, content: c}
}

// steps lists every step key in guide order.
func (e *env) steps() []data.Step {
	var out []data.Step
	for _, st := range e.guide.Stages {
		out = append(out, st.Steps...)
	}
	return out
}

// user is one simulated buyer.
type user struct {
	e      *env
	id     int64
	lang   string
	update int64
	last   []conversation.Reply
}

func (e *env) user(id int64) *user { return &user{e: e, id: id, lang: "en", update: id * 1000} }

func (u *user) handle(ev conversation.Event) []conversation.Reply {
	u.e.t.Helper()
	u.update++
	ev.UserID, ev.UpdateID, ev.LanguageCode = u.id, u.update, u.lang
	r, err := u.e.eng.Handle(context.Background(), ev)
	if err != nil {
		u.e.t.Fatalf("handle %+v: %v", ev, err)
	}
	if len(r) > 0 {
		u.last = r
	}
	return r
}

func (u *user) say(text string) []conversation.Reply {
	u.e.t.Helper()
	return u.handle(conversation.Event{Kind: conversation.KindText, Text: text})
}

// find returns the button with an action of kind (and arg, if given) in
// the last replies.
func (u *user) find(kind conversation.ActionKind, arg string) (conversation.Button, bool) {
	for _, r := range u.last {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Action != nil && b.Action.Kind == kind && (arg == "" || b.Action.Arg == arg) {
					return b, true
				}
			}
		}
	}
	return conversation.Button{}, false
}

// press presses a button of the last replies; the test fails if there is
// none.
func (u *user) press(kind conversation.ActionKind, arg string) []conversation.Reply {
	u.e.t.Helper()
	b, ok := u.find(kind, arg)
	if !ok {
		u.e.t.Fatalf("no %q(%s) button in %s", kind, arg, u.screen())
	}
	return u.handle(conversation.Event{Kind: conversation.KindButton, Action: b.Action})
}

func (u *user) screen() string {
	var b strings.Builder
	for _, r := range u.last {
		b.WriteString(r.Title + " | " + r.Notice + "\n")
	}
	return b.String()
}

func (u *user) session() *conversation.Session {
	u.e.t.Helper()
	s, ok, err := u.e.db.Load(context.Background(), u.id)
	if err != nil || !ok {
		u.e.t.Fatalf("load session %d: ok=%v err=%v", u.id, ok, err)
	}
	return s
}

func (u *user) title(key string) string {
	return u.e.cat.Text(u.e.cat.Match("", u.lang), "step."+key+".title", nil)
}

// expectStep checks the user is at key and the last reply shows it.
func (u *user) expectStep(key string) {
	u.e.t.Helper()
	if got := u.session().Step; got != key {
		u.e.t.Fatalf("at step %s, want %s", got, key)
	}
	if len(u.last) == 0 || u.last[len(u.last)-1].Title != u.title(key) {
		u.e.t.Fatalf("screen shows %q, want the title of %s", u.screen(), key)
	}
}

// advance leaves a step the way a buyer who needs every stage would: Next,
// or "no" (continue) on a question.
func (u *user) advance(step data.Step) {
	u.e.t.Helper()
	if len(step.Choices) > 0 {
		for _, c := range step.Choices {
			if c.To == "" {
				u.press(conversation.ActChoose, c.ID)
				return
			}
		}
		u.e.t.Fatalf("question %s has no answer that continues", step.Key)
	}
	u.press(conversation.ActNext, "")
}

func TestWalkWholeGuide(t *testing.T) {
	e := newEnv(t)
	u := e.user(1)
	u.say("/start")
	steps := e.steps()
	for i, s := range steps {
		u.expectStep(s.Key)
		if i == len(steps)-1 {
			if _, ok := u.find(conversation.ActNext, ""); ok {
				t.Fatalf("last step %s offers Next", s.Key)
			}
			u.press(conversation.ActChoose, finishChoice(t, s))
			break
		}
		u.advance(s)
	}
	if got, want := u.last[0].Title, e.cat.Text("en", "ui.finish.title", nil); got != want {
		t.Fatalf("after Finish the screen is %q, want %q", got, want)
	}
	sess := u.session()
	if sess.Step != steps[len(steps)-1].Key {
		t.Errorf("after Finish at %s, want to stay on the last step", sess.Step)
	}
	for _, s := range steps {
		if sess.Progress[s.Key] != conversation.MarkDone {
			t.Errorf("step %s marked %q after the walk, want done", s.Key, sess.Progress[s.Key])
		}
	}
	log, err := e.db.Transitions(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != len(steps) {
		t.Errorf("transition log has %d entries, want %d (every step left, and Finish)", len(log), len(steps))
	}
}

// finishChoice returns the ID of the answer that completes the guide on
// the last step.
func finishChoice(t testing.TB, s data.Step) string {
	t.Helper()
	for _, c := range s.Choices {
		if c.Finish {
			return c.ID
		}
	}
	t.Fatalf("step %s has no Finish answer", s.Key)
	return ""
}

// TestFinishShowsCompletion walks buyers to the end in different ways and
// checks the completion screen, /progress and /start after Finish.
func TestFinishShowsCompletion(t *testing.T) {
	e := newEnv(t)
	steps := e.steps()
	last := steps[len(steps)-1]
	skippedStages := map[string]bool{"alipay": true, "acc1688": true}
	tests := []struct {
		name string
		// reach takes the user to the last step.
		reach func(u *user)
		title string
		// mark is the checklist symbol each stage should get.
		mark func(stage string) string
		left int
	}{
		{
			name: "every step",
			reach: func(u *user) {
				for _, s := range steps[:len(steps)-1] {
					u.advance(s)
				}
			},
			title: "ui.finish.title",
			mark:  func(string) string { return "✅" },
		},
		{
			name: "verified buyer",
			reach: func(u *user) {
				u.advance(steps[0])
				u.press(conversation.ActChoose, "yes")
				for u.session().Step != last.Key {
					u.press(conversation.ActNext, "")
				}
			},
			title: "ui.finish.title",
			mark: func(stage string) string {
				if skippedStages[stage] {
					return "⏭"
				}
				return "✅"
			},
		},
		{
			name: "jumped to the last stage",
			reach: func(u *user) {
				u.press(conversation.ActMenu, "")
				u.press(conversation.ActJump, last.Stage)
				for u.session().Step != last.Key {
					u.press(conversation.ActNext, "")
				}
			},
			title: "ui.finish.title_open",
			mark: func(stage string) string {
				if stage == last.Stage {
					return "✅"
				}
				return "⬜"
			},
			left: len(steps) - len(e.guide.Stages[len(e.guide.Stages)-1].Steps),
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			u := e.user(int64(100 + i))
			u.say("/start")
			tc.reach(u)
			u.expectStep(last.Key)
			v := u.session().Version
			r := u.press(conversation.ActChoose, finishChoice(t, last))
			check := func(what string, r conversation.Reply) {
				t.Helper()
				if want := e.cat.Text("en", tc.title, nil); r.Title != want {
					t.Fatalf("%s: title %q, want %q", what, r.Title, want)
				}
				for _, st := range e.guide.Stages {
					line := tc.mark(st.ID) + " " + stageName(e, st)
					if !strings.Contains(r.Text, line) {
						t.Errorf("%s: no %q in:\n%s", what, line, r.Text)
					}
				}
				if want := e.cat.Plural("en", "ui.progress.left", tc.left, nil); !strings.Contains(r.Text, want) {
					t.Errorf("%s: no %q in:\n%s", what, want, r.Text)
				}
				for _, cmd := range []string{"/order", "/explain", "/support", "/restart"} {
					if !strings.Contains(r.Text, cmd) {
						t.Errorf("%s: does not mention %s", what, cmd)
					}
				}
				if strings.Contains(r.Text, "▶️") {
					t.Errorf("%s: a stage is still marked as current:\n%s", what, r.Text)
				}
			}
			check("Finish", r[0])
			if !r[0].Edit {
				t.Errorf("the completion screen does not replace the step")
			}
			s := u.session()
			if s.Step != last.Key || s.Progress[last.Key] != conversation.MarkDone || s.Version != v+1 {
				t.Errorf("after Finish: at %s, last step marked %q, version %d (was %d)", s.Step, s.Progress[last.Key], s.Version, v)
			}
			for _, b := range []conversation.ActionKind{conversation.ActDrafts, conversation.ActSupport, conversation.ActMenu, conversation.ActAskReset, conversation.ActStep} {
				if _, ok := u.find(b, ""); !ok {
					t.Errorf("the completion screen has no %q button", b)
				}
			}
			check("/progress", u.say("/progress")[0])
			u.press(conversation.ActStep, "")
			u.expectStep(last.Key)
			check("progress button", u.handle(conversation.Event{Kind: conversation.KindButton,
				Action: &conversation.Action{Kind: conversation.ActProgress}})[0])
			r = u.say("/start")
			check("/start", r[0])
			if r[0].Notice == "" {
				t.Errorf("/start after Finish gives no welcome back")
			}
			// Finish again changes nothing.
			u.press(conversation.ActStep, "")
			u.press(conversation.ActChoose, finishChoice(t, last))
			if s2 := u.session(); s2.Version != s.Version || len(s2.Progress) != len(s.Progress) {
				t.Errorf("second Finish changed the state")
			}
		})
	}
}

func stageName(e *env, st data.Stage) string {
	title := e.cat.Text("en", st.TitleID(), nil)
	if st.Number == "" {
		return title
	}
	return e.cat.Text("en", "ui.stage.name", map[string]any{"Number": st.Number, "Title": title})
}

// TestBackPassesOverSkippedSteps checks that Back returns the way the
// buyer came: to the nearest earlier step they did not skip.
func TestBackPassesOverSkippedSteps(t *testing.T) {
	e := newEnv(t)
	steps := e.steps()
	tests := []struct {
		name string
		// reach takes the user to from, where Back is pressed.
		reach    func(u *user)
		from, to string
		typed    bool // /back instead of the button
	}{
		{
			name:  "verified: stages 1 and 2 skipped",
			reach: func(u *user) { u.advance(steps[0]); u.press(conversation.ActChoose, "yes") },
			from:  "world.visit", to: "intro.verified",
		},
		{
			name:  "verified, typed /back",
			reach: func(u *user) { u.advance(steps[0]); u.press(conversation.ActChoose, "yes") },
			from:  "world.visit", to: "intro.verified", typed: true,
		},
		{
			name: "skip this stage at its first step",
			reach: func(u *user) {
				u.advance(steps[0])
				u.advance(steps[1])
				u.press(conversation.ActSkip, "")
			},
			from: "acc1688.open", to: "intro.verified",
		},
		{
			name: "skip this stage after its first step",
			reach: func(u *user) {
				u.advance(steps[0])
				u.advance(steps[1])
				u.press(conversation.ActNext, "")
				u.press(conversation.ActSkip, "")
			},
			from: "acc1688.open", to: "alipay.why",
		},
		{
			name: "optional step skipped",
			reach: func(u *user) {
				u.say("/start stage_acc1688")
				u.press(conversation.ActNext, "")
				u.press(conversation.ActSkip, "")
			},
			from: "acc1688.acc_type", to: "acc1688.open",
		},
		{
			name: "nothing skipped",
			reach: func(u *user) {
				u.say("/start stage_acc1688")
				u.press(conversation.ActNext, "")
				u.press(conversation.ActNext, "")
			},
			from: "acc1688.acc_type", to: "acc1688.translate",
		},
		{
			name: "skipped stage opened from the menu",
			reach: func(u *user) {
				u.advance(steps[0])
				u.press(conversation.ActChoose, "yes")
				u.press(conversation.ActMenu, "")
				u.press(conversation.ActJump, "acc1688")
			},
			from: "acc1688.open", to: "intro.verified",
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			u := e.user(int64(200 + i))
			u.say("/start")
			tc.reach(u)
			u.expectStep(tc.from)
			before, err := e.db.Transitions(context.Background(), u.id)
			if err != nil {
				t.Fatal(err)
			}
			if tc.typed {
				u.say("/back")
			} else {
				u.press(conversation.ActBack, "")
			}
			u.expectStep(tc.to)
			log, err := e.db.Transitions(context.Background(), u.id)
			if err != nil {
				t.Fatal(err)
			}
			if len(log) != len(before)+1 {
				t.Fatalf("Back logged %d transitions, want 1", len(log)-len(before))
			}
			if got := log[len(log)-1]; got.From != tc.from || got.To != tc.to {
				t.Errorf("logged %s → %s, want %s → %s", got.From, got.To, tc.from, tc.to)
			}
		})
	}
}

// TestGuideFinishRules checks that only the last step may finish the
// guide, and that the last step cannot continue to a step that is not
// there.
func TestGuideFinishRules(t *testing.T) {
	tests := []struct {
		name, toml string
		ok         bool
	}{
		{"finish on the last step", `
[[stages]]
id = "a"
  [[stages.steps]]
  id = "first"
  [[stages.steps]]
  id = "second"
  choices = [{ id = "finish", finish = true }]
`, true},
		{"finish before the end", `
[[stages]]
id = "a"
  [[stages.steps]]
  id = "first"
  choices = [{ id = "finish", finish = true }]
  [[stages.steps]]
  id = "second"
`, false},
		{"finish that also jumps", `
[[stages]]
id = "a"
  [[stages.steps]]
  id = "first"
  [[stages.steps]]
  id = "second"
  choices = [{ id = "finish", finish = true, to = "a.first" }]
`, false},
		{"continue after the last step", `
[[stages]]
id = "a"
  [[stages.steps]]
  id = "first"
  choices = [{ id = "go" }]
`, false},
		{"duplicate answer", `
[[stages]]
id = "a"
  [[stages.steps]]
  id = "first"
  choices = [{ id = "x", to = "a.second" }, { id = "x", to = "a.second" }]
  [[stages.steps]]
  id = "second"
`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := data.ParseGuide([]byte(tc.toml))
			if (err == nil) != tc.ok {
				t.Errorf("ParseGuide: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestBackFromEveryStep(t *testing.T) {
	e := newEnv(t)
	steps := e.steps()
	u := e.user(2)
	u.say("/start")
	for i := 1; i < len(steps); i++ {
		t.Run(steps[i].Key, func(t *testing.T) {
			u.e.t = t
			u.advance(steps[i-1])
			u.expectStep(steps[i].Key)
			u.press(conversation.ActBack, "")
			u.expectStep(steps[i-1].Key)
			u.advance(steps[i-1])
		})
	}
	u.e.t = t
	u.say("/start")
	if _, ok := u.find(conversation.ActBack, ""); !ok {
		t.Errorf("no Back button on the last step")
	}
}

func TestSkipOnlyWhereAllowed(t *testing.T) {
	e := newEnv(t)
	for _, s := range e.steps() {
		t.Run(s.Key, func(t *testing.T) {
			u := newEnvAt(t, e, s.Key)
			_, ok := u.find(conversation.ActSkip, "")
			if ok != (s.SkipTo != "") {
				t.Fatalf("skip button shown=%v, skip_to=%q", ok, s.SkipTo)
			}
			if s.SkipTo == "" {
				r := u.say("/skip")
				if r[0].Notice == "" {
					t.Fatalf("/skip where not allowed gave no notice")
				}
				u.expectStep(s.Key)
				return
			}
			u.press(conversation.ActSkip, "")
			u.expectStep(s.SkipTo)
			if got := u.session().Progress[s.Key]; got != conversation.MarkSkipped {
				t.Errorf("skipped step marked %q", got)
			}
		})
	}
}

// newEnvAt returns a fresh user of e moved to step key through the menu
// and Next, the way a buyer gets there.
func newEnvAt(t *testing.T, e *env, key string) *user {
	t.Helper()
	e.t = t
	u := e.user(int64(hash(key)))
	u.say("/start")
	stage := strings.SplitN(key, ".", 2)[0]
	u.press(conversation.ActMenu, "")
	u.press(conversation.ActJump, stage)
	for _, st := range e.guide.Stages {
		if st.ID != stage {
			continue
		}
		for _, s := range st.Steps {
			if s.Key == key {
				u.expectStep(key)
				return u
			}
			u.advance(s)
		}
	}
	t.Fatalf("step %s not found", key)
	return nil
}

func hash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h | 1
}

func TestJumpToEveryStage(t *testing.T) {
	e := newEnv(t)
	u := e.user(3)
	u.say("/start")
	for _, st := range e.guide.Stages {
		t.Run(st.ID, func(t *testing.T) {
			e.t = t
			u.press(conversation.ActMenu, "")
			u.press(conversation.ActJump, st.ID)
			u.expectStep(st.Steps[0].Key)
		})
	}
}

func TestVerifiedBuyerSkipsToWorldAccount(t *testing.T) {
	e := newEnv(t)
	u := e.user(4)
	u.say("/start")
	q := e.steps()[0]
	u.advance(q)
	q = e.steps()[1]
	var yes data.Choice
	for _, c := range q.Choices {
		if c.To != "" {
			yes = c
		}
	}
	if yes.ID == "" {
		t.Fatalf("step %s asks no question that skips ahead", q.Key)
	}
	u.press(conversation.ActChoose, yes.ID)
	u.expectStep(yes.To)
	p := u.session().Progress
	for _, st := range e.guide.Stages {
		if st.ID != "alipay" && st.ID != "acc1688" {
			continue
		}
		for _, s := range st.Steps {
			if p[s.Key] != conversation.MarkSkipped {
				t.Errorf("%s marked %q, want skipped", s.Key, p[s.Key])
			}
		}
	}
}

func TestStaleAndForgedButtonsChangeNothing(t *testing.T) {
	e := newEnv(t)
	u := e.user(5)
	u.say("/start")
	old, _ := u.find(conversation.ActNext, "")
	u.press(conversation.ActNext, "")
	before := u.session()

	tests := []struct {
		name string
		ev   conversation.Event
	}{
		{"stale next", conversation.Event{Kind: conversation.KindButton, Action: old.Action}},
		{"future version", conversation.Event{Kind: conversation.KindButton, Action: &conversation.Action{Kind: conversation.ActNext, Step: before.Step, Version: before.Version + 5}}},
		{"other step", conversation.Event{Kind: conversation.KindButton, Action: &conversation.Action{Kind: conversation.ActNext, Step: "payment.nope", Version: before.Version}}},
		{"unknown kind", conversation.Event{Kind: conversation.KindButton, Action: &conversation.Action{Kind: "zz", Step: before.Step, Version: before.Version}}},
		{"impossible choice", conversation.Event{Kind: conversation.KindButton, Action: &conversation.Action{Kind: conversation.ActChoose, Arg: "nope", Step: before.Step, Version: before.Version}}},
		{"unknown stage", conversation.Event{Kind: conversation.KindButton, Action: &conversation.Action{Kind: conversation.ActJump, Arg: "mars", Step: before.Step, Version: before.Version}}},
		{"nil action", conversation.Event{Kind: conversation.KindButton}},
		{"unreadable", conversation.Event{Kind: conversation.KindBadButton}},
		{"sticker", conversation.Event{Kind: conversation.KindUnsupported}},
		{"gibberish", conversation.Event{Kind: conversation.KindText, Text: "asdf 😀"}},
		{"unknown command", conversation.Event{Kind: conversation.KindText, Text: "/frobnicate"}},
		{"bad deep link", conversation.Event{Kind: conversation.KindText, Text: "/start ../../etc"}},
		{"unknown stage link", conversation.Event{Kind: conversation.KindText, Text: "/start stage_mars"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			r := u.handle(tc.ev)
			if len(r) != 1 {
				t.Fatalf("got %d replies", len(r))
			}
			if r[0].Notice == "" {
				t.Errorf("no notice explaining what happened")
			}
			if r[0].Title != u.title(before.Step) {
				t.Errorf("shows %q, want the current step again", r[0].Title)
			}
			after := u.session()
			if after.Step != before.Step || after.Version != before.Version || len(after.Progress) != len(before.Progress) {
				t.Errorf("state changed: %+v → %+v", before, after)
			}
		})
	}
}

func TestRedeliveredUpdateAppliedOnce(t *testing.T) {
	e := newEnv(t)
	u := e.user(6)
	u.say("/start")
	b, _ := u.find(conversation.ActNext, "")
	ev := conversation.Event{UserID: 6, UpdateID: 99999, Kind: conversation.KindButton, Action: b.Action}
	ctx := context.Background()
	r1, err := e.eng.Handle(ctx, ev)
	if err != nil || len(r1) != 1 {
		t.Fatalf("first delivery: %v, %d replies", err, len(r1))
	}
	v := u.session().Version
	r2, err := e.eng.Handle(ctx, ev)
	if err != nil || len(r2) != 1 {
		t.Fatalf("redelivery: %v, %d replies", err, len(r2))
	}
	if r2[0].Title != r1[0].Title || !r2[0].Edit {
		t.Errorf("redelivery shows %q (edit %v), want the current step %q in place", r2[0].Title, r2[0].Edit, r1[0].Title)
	}
	if u.session().Version != v {
		t.Errorf("redelivery changed the state")
	}
}

func TestRestartAsksFirst(t *testing.T) {
	e := newEnv(t)
	u := e.user(7)
	u.say("/start")
	u.advance(e.steps()[0])
	u.say("/restart")
	u.press(conversation.ActStep, "") // "no, keep my place"
	u.expectStep(e.steps()[1].Key)
	u.say("/restart")
	r := u.press(conversation.ActRestart, "")
	u.expectStep(e.steps()[0].Key)
	if r[0].Notice == "" {
		t.Errorf("no notice after restart")
	}
	if p := u.session().Progress; len(p) != 0 {
		t.Errorf("progress kept after restart: %v", p)
	}
}

func TestResumeAfterRestartOfTheProgram(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bot.db")
	e := openEnv(t, path)
	u := e.user(8)
	u.say("/start")
	steps := e.steps()
	u.advance(steps[0])
	u.advance(steps[1])
	at := u.session().Step
	e.db.Close()

	e2 := openEnv(t, path)
	u2 := e2.user(8)
	u2.update = 50000
	r := u2.say("/start")
	if r[0].Notice == "" {
		t.Errorf("no welcome back")
	}
	u2.expectStep(at)
}

func TestDeepLinkOpensStage(t *testing.T) {
	e := newEnv(t)
	for _, st := range e.guide.Stages {
		t.Run(st.ID, func(t *testing.T) {
			e.t = t
			u := e.user(int64(hash(st.ID)))
			u.say("/start stage_" + st.ID)
			u.expectStep(st.Steps[0].Key)
		})
	}
	e.t = t
	u := e.user(9)
	u.say("/start promo_2026-winter")
	if s := u.session(); s.Source != "promo_2026-winter" || s.Step != e.steps()[0].Key {
		t.Errorf("campaign payload: source %q at %s", s.Source, s.Step)
	}
}

func TestProblemsOfEveryStage(t *testing.T) {
	e := newEnv(t)
	u := e.user(10)
	u.say("/start")
	for _, st := range e.guide.Stages {
		if len(st.Problems) == 0 {
			continue
		}
		t.Run(st.ID, func(t *testing.T) {
			e.t = t
			u.say("/start stage_" + st.ID)
			u.press(conversation.ActProblems, "")
			for _, p := range st.Problems {
				r := u.press(conversation.ActProblem, p.ID)
				if !strings.Contains(r[0].Text, "seaclients@service.worldfirst.com") {
					t.Errorf("problem %s does not say how to reach a person", p.ID)
				}
				u.press(conversation.ActProblems, "")
			}
			u.press(conversation.ActStep, "")
			u.expectStep(st.Steps[0].Key)
		})
	}
}

func TestProgressChecklist(t *testing.T) {
	e := newEnv(t)
	u := e.user(11)
	u.say("/start")
	u.advance(e.steps()[0])
	r := u.say("/progress")
	total := len(e.steps())
	want := e.cat.Plural("en", "ui.progress.left", total-1, nil)
	if !strings.Contains(r[0].Text, want) {
		t.Errorf("progress does not say %q:\n%s", want, r[0].Text)
	}
	if !strings.Contains(r[0].Text, "✅ "+u.title(e.steps()[0].Key)) {
		t.Errorf("first step not ticked:\n%s", r[0].Text)
	}
}

func TestLanguageChoiceIsStored(t *testing.T) {
	e := newEnv(t)
	u := e.user(12)
	u.say("/start")
	langs := e.cat.Languages()
	pick := langs[len(langs)-1].String() // English when it is the only one
	u.say("/language")
	u.press(conversation.ActLang, pick)
	if s := u.session(); s.Lang != pick {
		t.Fatalf("stored language %q, want %q", s.Lang, pick)
	}
	want := e.cat.Text(pick, "step."+e.steps()[0].Key+".title", nil)
	r := u.say("/start")
	if r[0].Title != want {
		t.Errorf("after choosing %s the step reads %q, want %q", pick, r[0].Title, want)
	}
	// A forged language changes nothing.
	r = u.handle(conversation.Event{Kind: conversation.KindButton, Action: &conversation.Action{Kind: conversation.ActLang, Arg: "xx-evil"}})
	if r[0].Notice == "" || u.session().Lang != pick {
		t.Errorf("forged language: notice %q, stored %q", r[0].Notice, u.session().Lang)
	}
}
