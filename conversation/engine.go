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

	"github.com/buyerguide/bot/data"
	"github.com/buyerguide/bot/locales"
)

// Engine handles events. It is safe for concurrent use; the transport
// makes sure events of one user arrive one at a time.
type Engine struct {
	guide *guide
	cat   *locales.Catalog
	store Store
	log   *slog.Logger
}

// New builds an engine over guide data, a message catalogue and a store.
func New(g *data.Guide, cat *locales.Catalog, store Store, log *slog.Logger) (*Engine, error) {
	if g == nil || len(g.Stages) == 0 {
		return nil, errors.New("engine: empty guide")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Engine{guide: newGuide(g), cat: cat, store: store, log: log}, nil
}

// Handle applies one event and returns what to show. An event whose
// UpdateID was already applied changes nothing and shows the current step.
func (e *Engine) Handle(ctx context.Context, ev Event) ([]Reply, error) {
	var replies []Reply
	err := e.store.Update(ctx, ev.UserID, ev.UpdateID, func(s *Session) error {
		var err error
		replies, err = e.apply(ctx, s, ev)
		return err
	})
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
		r = t.progressScreen()
	case ActProblems:
		r = t.problemsScreen()
	case ActProblem:
		r = t.problemScreen(a.Arg)
	case ActAskReset:
		r = t.restartScreen()
	case ActLangs:
		r = t.languageScreen()
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
var commandRE = regexp.MustCompile(`^/([A-Za-z0-9_]+)(?:@[A-Za-z0-9_]+)?(?:\s+(.*))?$`)

// payloadRE is what Telegram allows in a /start deep-link payload.
var payloadRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// typed handles a typed message.
func (t *turn) typed(ctx context.Context, text string) ([]Reply, error) {
	text = strings.TrimSpace(text)
	m := commandRE.FindStringSubmatch(text)
	if m == nil {
		return t.unknown(), nil
	}
	cmd, arg := strings.ToLower(m[1]), strings.TrimSpace(m[2])
	switch cmd {
	case "start":
		return t.start(ctx, arg)
	case "menu":
		return []Reply{t.menuScreen()}, nil
	case "progress":
		return []Reply{t.progressScreen()}, nil
	case "problem", "problems":
		return []Reply{t.problemsScreen()}, nil
	case "help":
		return []Reply{t.helpScreen()}, nil
	case "restart":
		return []Reply{t.restartScreen()}, nil
	case "language", "lang":
		return []Reply{t.languageScreen()}, nil
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
	to, moved, err := g.fire(ctx, from, event)
	if err != nil {
		return Reply{}, err
	}
	if t.s.Progress == nil {
		t.s.Progress = map[string]Mark{}
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

// setLanguage stores an explicit language choice. It is not tied to a
// step, so a picker from an older message still works.
func (t *turn) setLanguage(tag string) Reply {
	if !t.e.cat.Speaks(tag) {
		return t.stepScreen(t.text("ui.notice.bad_button", nil), false)
	}
	t.s.Lang = tag
	t.lang = tag
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
