// Package conversation is the core of the bot: the guide as a per-user
// state machine, and the engine that turns one Event into Replies. It knows
// no transport and no database driver; adapters implement Store and render
// Replies.
package conversation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/buyerguide/bot/data"
	"github.com/buyerguide/bot/locales"
)

// Content is everything the engine shows: the guide, the glossary and
// the words in every language. It is loaded once at start.
type Content struct {
	Guide   *data.Guide
	Labels  []data.Label
	Domains *data.Domains
	Cat     *locales.Catalog
}

// LoadContent loads the embedded guide, glossary and catalogue.
func LoadContent() (*Content, error) {
	g, err := data.LoadGuide()
	if err != nil {
		return nil, err
	}
	labels, err := data.LoadLabels()
	if err != nil {
		return nil, err
	}
	domains, err := data.LoadDomains()
	if err != nil {
		return nil, err
	}
	cat, err := locales.Load()
	if err != nil {
		return nil, err
	}
	return &Content{Guide: g, Labels: labels, Domains: domains, Cat: cat}, nil
}

// Engine handles events. It is safe for concurrent use; the transport
// makes sure events of one user arrive one at a time.
type Engine struct {
	guide   *guide
	cat     *locales.Catalog
	matcher *Matcher
	labels  map[string]*data.Label // by simplified form
	domains *data.Domains
	store   Store
	log     *slog.Logger
	// support: a support chat is configured, so "talk to a person" opens
	// a ticket; without one it gives the guidebook's customer service.
	support  bool
	observer Observer
}

// Option changes how an engine works.
type Option func(*Engine)

// Observer is told about every handled update (metrics).
type Observer interface {
	Observe(kind, stage string, d time.Duration, err error)
}

// WithObserver reports every handled update to o.
func WithObserver(o Observer) Option { return func(e *Engine) { e.observer = o } }

// WithSupport turns on tickets for human support agents.
func WithSupport() Option { return func(e *Engine) { e.support = true } }

// New builds an engine over the content and a store.
func New(c *Content, store Store, log *slog.Logger, opts ...Option) (*Engine, error) {
	if c == nil || c.Guide == nil || len(c.Guide.Stages) == 0 {
		return nil, errors.New("engine: empty guide")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{guide: newGuide(c.Guide), cat: c.Cat, store: store, log: log,
		matcher: NewMatcher(c.Labels), labels: map[string]*data.Label{}, domains: c.Domains}
	if e.domains == nil {
		e.domains = &data.Domains{}
	}
	for _, o := range opts {
		o(e)
	}
	for i := range c.Labels {
		e.labels[c.Labels[i].Zh] = &c.Labels[i]
	}
	return e, nil
}

// Handle applies one event and returns what to show. An event whose
// UpdateID was already applied changes nothing and shows the current step.
func (e *Engine) Handle(ctx context.Context, ev Event) ([]Reply, error) {
	start := time.Now()
	var replies []Reply
	stage := ""
	err := e.store.Update(ctx, ev.UserID, ev.UpdateID, func(s *Session) error {
		var err error
		replies, err = e.apply(ctx, s, ev)
		if st := e.guide.step(s.Step); st != nil {
			stage = st.Stage
		}
		return err
	})
	defer func() {
		// One line per update: who, what kind, where, how long. Never the
		// text: it may hold anything a user typed.
		d, kind := time.Since(start), ev.kindName()
		level := slog.LevelInfo
		if ev.UpdateID == 0 {
			level = slog.LevelDebug // the console: no need to log every line
		}
		e.log.Log(ctx, level, "update", "user", ev.UserID, "kind", kind, "stage", stage, "duration", d, "err", err)
		if e.observer != nil {
			e.observer.Observe(kind, stage, d, err)
		}
	}()
	if errors.Is(err, ErrDuplicate) {
		// Applied before, but the transport is handling it again: its
		// replies were probably lost in a crash between the commit and the
		// send. Show where the user is now, without changing anything.
		err = e.store.Update(ctx, ev.UserID, 0, func(s *Session) error {
			t := &turn{e: e, s: s, lang: e.cat.Match(s.Lang, s.LangCode)}
			if e.guide.step(s.Step) == nil {
				s.Step = e.guide.first
			}
			replies = []Reply{t.stepScreen("", ev.Kind == KindButton)}
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("handle update %d of user %d: %w", ev.UpdateID, ev.UserID, err)
	}
	return replies, nil
}

// turn is the state of handling one event.
type turn struct {
	e    *Engine
	s    *Session
	lang string
}

func (e *Engine) apply(ctx context.Context, s *Session, ev Event) ([]Reply, error) {
	if ev.LanguageCode != "" {
		s.LangCode = ev.LanguageCode
	}
	if e.guide.step(s.Step) == nil {
		// A new user, or a step removed from the guide since the user
		// was last here: start at the beginning rather than fail.
		if s.Step != "" {
			e.log.Warn("stored step no longer in the guide", "user", s.UserID, "step", s.Step)
		}
		s.Step = e.guide.first
		s.Version++
	}
	t := &turn{e: e, s: s, lang: e.cat.Match(s.Lang, s.LangCode)}
	switch ev.Kind {
	case KindTicketClosed:
		return t.ticketClosed(ctx, ev.Ticket)
	case KindSetLanguage:
		if !e.cat.Speaks(ev.Text) {
			return nil, nil
		}
		s.Lang, t.lang = ev.Text, ev.Text
		return []Reply{{Text: t.text("ui.notice.language_set", map[string]any{"Name": t.text("language.name", nil)})}}, nil
	}
	if s.Ticket != 0 {
		return t.inTicket(ctx, ev)
	}
	switch ev.Kind {
	case KindButton:
		return t.button(ctx, ev.Action)
	case KindBadButton:
		return []Reply{t.stepScreen(t.text("ui.notice.bad_button", nil), true)}, nil
	case KindUnsupported:
		return []Reply{t.stepScreen(t.text("ui.unsupported", nil), false)}, nil
	case KindEdited:
		return []Reply{t.stepScreen(t.text("ui.notice.edited", nil), false)}, nil
	default:
		return t.typed(ctx, ev.Text)
	}
}

// text renders a message in the user's language.
func (t *turn) text(id string, data map[string]any) string {
	return t.e.cat.Text(t.lang, id, data)
}

// button handles a button press.
func (t *turn) button(ctx context.Context, a *Action) ([]Reply, error) {
	if a == nil || !a.Kind.Valid() {
		return []Reply{t.stepScreen(t.text("ui.notice.bad_button", nil), true)}, nil
	}
	if a.Kind.changesState() && (a.Step != t.s.Step || a.Version != t.s.Version) {
		return []Reply{t.stepScreen(t.text("ui.notice.stale", nil), true)}, nil
	}
	if a.Kind.isOrder() {
		r, err := t.orderAction(ctx, a)
		// The summary to copy (also the one to e-mail when no agents are
		// configured) is a message of its own; the rest edit in place.
		r.Edit = a.Kind != ActCopy && (a.Kind != ActDraftPerson || t.e.support)
		return []Reply{r}, err
	}
	// Any other button leaves a half-answered prompt.
	t.s.Input = ""
	var (
		r   Reply
		err error
	)
	switch a.Kind {
	case ActNext:
		r, err = t.move(ctx, evNext)
	case ActBack:
		r, err = t.move(ctx, evBack)
	case ActSkip:
		r, err = t.move(ctx, evSkip)
	case ActChoose:
		r, err = t.move(ctx, evChoose+a.Arg)
	case ActJump:
		r, err = t.move(ctx, evJump+a.Arg)
	case ActRestart:
		r, err = t.restart(ctx)
	case ActStep:
		r = t.stepScreen("", false)
	case ActMenu:
		r = t.menuScreen()
	case ActProgress:
		r = t.progress()
	case ActProblems:
		r = t.problemsScreen()
	case ActProblem:
		r = t.problemScreen(a.Arg)
	case ActAskReset:
		r = t.restartScreen()
	case ActLangs:
		r = t.languageScreen()
	case ActExplain:
		r = t.screenLabels()
	case ActSupport:
		r, err = t.supportStart(ctx, "")
	case ActSupportSend:
		r, err = t.openTicket(ctx, "")
	case ActSupportEnd:
		r = t.stepScreen("", false)
	case ActForget:
		r = t.forgetScreen()
	case ActForgetYes:
		t.s.Forget = true
		r = Reply{Text: t.text("ui.forget.done", nil)}
	case ActLang:
		r = t.setLanguage(a.Arg)
	}
	if err != nil {
		return nil, err
	}
	r.Edit = true
	return []Reply{r}, nil
}

// commandRE splits "/cmd@botname args".
var commandRE = regexp.MustCompile(`(?s)^/([A-Za-z0-9_]+)(?:@[A-Za-z0-9_]+)?(?:\s+(.*))?$`)

// payloadRE is what Telegram allows in a /start deep-link payload.
var payloadRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// typed handles a typed message.
func (t *turn) typed(ctx context.Context, text string) ([]Reply, error) {
	text = strings.TrimSpace(text)
	m := commandRE.FindStringSubmatch(text)
	if m == nil && strings.HasPrefix(t.s.Input, "support:") {
		r, err := t.openTicket(ctx, text)
		return []Reply{r}, err
	}
	if m == nil && t.s.Input != "" {
		r, err := t.answer(ctx, text)
		return []Reply{r}, err
	}
	if m == nil && HasSecret(text) {
		// Checked on every typed message, Chinese or not: a code or a
		// password is never remembered or link-checked, only warned about.
		return []Reply{t.secretWarning(text)}, nil
	}
	if m == nil {
		t.remember(text)
	}
	if m != nil && t.s.Input != "" {
		// A command leaves the prompt; what was entered is kept.
		t.s.Input = ""
	}
	if m == nil {
		var out []Reply
		if r, ok := t.linkCheck(text); ok {
			out = append(out, r)
		}
		if HasChinese(text) {
			out = append(out, t.explain(text))
		}
		if len(out) > 0 {
			return out, nil
		}
		return t.unknown(), nil
	}
	cmd, arg := strings.ToLower(m[1]), strings.TrimSpace(m[2])
	switch cmd {
	case "start":
		return t.start(ctx, arg)
	case "menu":
		return []Reply{t.menuScreen()}, nil
	case "progress":
		return []Reply{t.progress()}, nil
	case "problem", "problems":
		return []Reply{t.problemsScreen()}, nil
	case "help":
		return []Reply{t.helpScreen()}, nil
	case "restart":
		return []Reply{t.restartScreen()}, nil
	case "language", "lang":
		return []Reply{t.languageScreen()}, nil
	case "mydata":
		r, err := t.mydata(ctx)
		return []Reply{r}, err
	case "forget":
		return []Reply{t.forgetScreen()}, nil
	case "support", "human", "agent":
		r, err := t.supportStart(ctx, arg)
		return []Reply{r}, err
	case "order", "orders", "drafts":
		r, err := t.draftsScreen(ctx, "")
		return []Reply{r}, err
	case "cancel":
		r, err := t.draftsScreen(ctx, "")
		return []Reply{r}, err
	case "explain":
		if arg == "" {
			return []Reply{t.stepScreen(t.text("ui.explain.prompt", nil), false)}, nil
		}
		return []Reply{t.explain(arg)}, nil
	case "next", "back", "skip":
		ev := map[string]string{"next": evNext, "back": evBack, "skip": evSkip}[cmd]
		if !t.e.guide.can(t.s.Step, ev) {
			return []Reply{t.stepScreen(t.text("ui.notice.not_here", nil), false)}, nil
		}
		r, err := t.move(ctx, ev)
		return []Reply{r}, err
	}
	return t.unknown(), nil
}

// unknown answers text the bot does not understand: a hint and the
// current step again, so the buyer is never stuck.
func (t *turn) unknown() []Reply {
	hint := "ui.unknown"
	if len(t.e.guide.step(t.s.Step).Choices) > 0 {
		hint = "ui.unknown_question"
	}
	return []Reply{t.stepScreen(t.text(hint, nil), false)}
}

// start handles /start with an optional deep-link payload.
func (t *turn) start(ctx context.Context, payload string) ([]Reply, error) {
	isNew := t.s.New()
	if payload != "" {
		if !payloadRE.MatchString(payload) {
			return []Reply{t.stepScreen(t.text("ui.notice.bad_payload", nil), false)}, nil
		}
		if stage, ok := strings.CutPrefix(payload, "stage_"); ok {
			if _, known := t.e.guide.stages[stage]; known {
				r, err := t.move(ctx, evJump+stage)
				return []Reply{r}, err
			}
			return []Reply{t.stepScreen(t.text("ui.notice.bad_payload", nil), false)}, nil
		}
		if t.s.Source == "" {
			t.s.Source = payload
		}
	}
	if isNew {
		return []Reply{t.stepScreen("", false)}, nil
	}
	if t.finished() {
		return []Reply{t.finishScreen(t.text("ui.notice.welcome_back", nil))}, nil
	}
	return []Reply{t.stepScreen(t.text("ui.notice.welcome_back", nil), false)}, nil
}

// move fires an FSM event from the current step, records progress and the
// transition, and returns the new step's screen.
func (t *turn) move(ctx context.Context, event string) (Reply, error) {
	g := t.e.guide
	if !g.can(t.s.Step, event) {
		return t.stepScreen(t.text("ui.notice.not_here", nil), false), nil
	}
	from := t.s.Step
	var (
		to    string
		moved bool
		err   error
	)
	if event == evBack {
		// Back goes the way the buyer came, over the steps they skipped.
		to, moved, err = g.back(ctx, from, func(k string) bool { return t.s.Progress[k] == MarkSkipped })
	} else {
		to, moved, err = g.fire(ctx, from, event)
	}
	if err != nil {
		return Reply{}, err
	}
	if t.s.Progress == nil {
		t.s.Progress = map[string]Mark{}
	}
	if id, ok := strings.CutPrefix(event, evChoose); ok && g.finishes(from, id) {
		return t.finish(event), nil
	}
	switch {
	case event == evNext:
		t.s.Progress[from] = MarkDone
	case event == evSkip:
		for _, k := range g.between(from, to) {
			if t.s.Progress[k] != MarkDone {
				t.s.Progress[k] = MarkSkipped
			}
		}
	case strings.HasPrefix(event, evChoose):
		t.s.Progress[from] = MarkDone
		if c := choice(g.step(from), strings.TrimPrefix(event, evChoose)); c != nil && c.Skipped {
			for _, k := range g.between(from, to)[1:] {
				if t.s.Progress[k] != MarkDone {
					t.s.Progress[k] = MarkSkipped
				}
			}
		}
	}
	if !moved {
		return t.stepScreen("", false), nil
	}
	t.s.Step = to
	t.s.Version++
	t.s.Transitions = append(t.s.Transitions, Transition{Event: event, From: from, To: to})
	return t.stepScreen("", false), nil
}

// finish completes the guide on its last step: the step is marked done
// and the completion screen shown.
func (t *turn) finish(event string) Reply {
	key := t.s.Step
	if t.s.Progress[key] != MarkDone {
		t.s.Progress[key] = MarkDone
		t.s.Version++
		t.s.Transitions = append(t.s.Transitions, Transition{Event: event, From: key, To: key})
	}
	return t.finishScreen("")
}

// finished reports whether the buyer completed the guide: they are on the
// last step and pressed Finish there.
func (t *turn) finished() bool {
	last := t.e.guide.last()
	return t.s.Step == last && t.s.Progress[last] == MarkDone
}

// progress is the checklist, or the completion screen (which holds it)
// once the guide is finished.
func (t *turn) progress() Reply {
	if t.finished() {
		return t.finishScreen("")
	}
	return t.progressScreen()
}

// finishScreen congratulates a buyer who completed the guide: every stage
// with its mark and count, the steps left (none when they went all the
// way), and what they can do now.
func (t *turn) finishScreen(notice string) Reply {
	g := t.e.guide
	var b strings.Builder
	left := 0
	for i := range g.data.Stages {
		st := &g.data.Stages[i]
		done, skipped := t.stageCounts(st)
		left += len(st.Steps) - done - skipped
		mark := "✅"
		switch {
		case done+skipped < len(st.Steps):
			mark = "⬜"
		case done == 0:
			mark = "⏭"
		}
		b.WriteString(mark + " " + t.stageName(st) + " — " +
			t.e.cat.Plural(t.lang, "ui.progress.count", len(st.Steps), map[string]any{"Done": done + skipped}) + "\n")
	}
	b.WriteString("\n" + t.e.cat.Plural(t.lang, "ui.progress.left", left, nil) + "\n\n")
	title := "ui.finish.title"
	if left == 0 {
		b.WriteString(t.text("ui.finish.body", nil))
	} else {
		title = "ui.finish.title_open"
		b.WriteString(t.text("ui.finish.open", nil))
	}
	b.WriteString("\n\n" + t.text("ui.finish.next", nil))
	return Reply{
		Title:  t.text(title, nil),
		Text:   b.String(),
		Notice: notice,
		Buttons: [][]Button{
			{t.btn("ui.btn.drafts", ActDrafts, "")},
			{t.btn("ui.btn.support", ActSupport, "")},
			{t.btn("ui.btn.menu", ActMenu, ""), t.btn("ui.btn.restart", ActAskReset, "")},
			t.backRow(),
		},
	}
}

func (t *turn) restart(ctx context.Context) (Reply, error) {
	r, err := t.move(ctx, evRestart)
	if err != nil {
		return r, err
	}
	if len(t.s.Progress) > 0 {
		clear(t.s.Progress)
		t.s.Version++
		r = t.stepScreen("", false)
	}
	r.Notice = t.text("ui.notice.restarted", nil)
	return r, nil
}

// setLanguage stores an explicit language choice; the empty tag
// ("automatic") clears it, so the client's language is followed again. It
// is not tied to a step, so a picker from an older message still works.
func (t *turn) setLanguage(tag string) Reply {
	if tag != "" && !t.e.cat.Speaks(tag) {
		return t.stepScreen(t.text("ui.notice.bad_button", nil), false)
	}
	t.s.Lang = tag
	t.lang = t.e.cat.Match(tag, t.s.LangCode)
	return t.stepScreen(t.text("ui.notice.language_set", map[string]any{"Name": t.text("language.name", nil)}), false)
}

func choice(s *data.Step, id string) *data.Choice {
	for i := range s.Choices {
		if s.Choices[i].ID == id {
			return &s.Choices[i]
		}
	}
	return nil
}
