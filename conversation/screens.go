package conversation

import (
	"strings"

	"github.com/buyerguide/bot/data"
)

// act builds an action drawn for the user's current state.
func (t *turn) act(kind ActionKind, arg string) *Action {
	return &Action{Kind: kind, Arg: arg, Step: t.s.Step, Version: t.s.Version}
}

func (t *turn) btn(id string, kind ActionKind, arg string) Button {
	return Button{Label: t.text(id, nil), Action: t.act(kind, arg)}
}

// stageName renders "2 · 1688 account" (or just the title for a stage
// without a number).
func (t *turn) stageName(st *data.Stage) string {
	title := t.text(st.TitleID(), nil)
	if st.Number == "" {
		return title
	}
	return t.text("ui.stage.name", map[string]any{"Number": st.Number, "Title": title})
}

// stepScreen shows the current step with its buttons.
func (t *turn) stepScreen(notice string, edit bool) Reply {
	g := t.e.guide
	step := g.step(t.s.Step)
	st := g.stages[step.Stage]
	pos, total := g.stagePosition(step.Key)
	where := t.text("ui.step.where", map[string]any{"Stage": t.stageName(st), "Pos": pos, "Total": total})
	r := Reply{
		Title:  t.text(step.TitleID(), nil),
		Text:   where + "\n\n" + t.text(step.BodyID(), nil),
		Notice: notice,
		Edit:   edit,
	}
	for _, c := range step.Choices {
		r.Buttons = append(r.Buttons, []Button{{Label: t.text(step.ChoiceID(c.ID), nil), Action: t.act(ActChoose, c.ID)}})
	}
	var nav []Button
	if g.can(step.Key, evBack) {
		nav = append(nav, t.btn("ui.btn.back", ActBack, ""))
	}
	if g.can(step.Key, evNext) {
		nav = append(nav, t.btn("ui.btn.next", ActNext, ""))
	}
	if len(nav) > 0 {
		r.Buttons = append(r.Buttons, nav)
	}
	if step.SkipTo != "" {
		r.Buttons = append(r.Buttons, []Button{t.btn(skipLabel(step), ActSkip, "")})
	}
	for _, l := range step.Links {
		r.Buttons = append(r.Buttons, []Button{{Label: t.text(l.Text, nil), URL: l.URL}})
	}
	// On every step: one without labels says so, and asks for what the
	// buyer sees instead.
	r.Buttons = append(r.Buttons, []Button{t.btn("ui.btn.explain", ActExplain, "")})
	if st.Drafts {
		r.Buttons = append(r.Buttons, []Button{t.btn("ui.btn.drafts", ActDrafts, "")})
	}
	r.Buttons = append(r.Buttons, []Button{t.btn("ui.btn.support", ActSupport, "")})
	tools := []Button{t.btn("ui.btn.menu", ActMenu, "")}
	if len(st.Problems) > 0 {
		tools = append([]Button{t.btn("ui.btn.problem", ActProblems, "")}, tools...)
	}
	r.Buttons = append(r.Buttons, tools)
	return r
}

// skipLabel says whether Skip leaves the step or the whole stage.
func skipLabel(step *data.Step) string {
	if !strings.HasPrefix(step.SkipTo, step.Stage+".") {
		return "ui.btn.skip_stage"
	}
	return "ui.btn.skip"
}

// back returns a row leading back to the current step.
func (t *turn) backRow() []Button {
	return []Button{t.btn("ui.btn.to_step", ActStep, "")}
}

// menuLabel is a stage's button in the menu: "▶️ 4A · Authorise 1688",
// with the stage's short title (stage.<id>.short) so that mark, number
// and title stay within a button's 32 characters.
func (t *turn) menuLabel(st *data.Stage) string {
	title := t.text("stage."+st.ID+".short", nil)
	if st.Number != "" {
		title = t.text("ui.stage.name", map[string]any{"Number": st.Number, "Title": title})
	}
	return t.stageMark(st) + " " + title
}

// menuScreen lets the buyer jump to any stage.
func (t *turn) menuScreen() Reply {
	r := Reply{Title: t.text("ui.menu.title", nil), Text: t.text("ui.menu.body", nil)}
	for _, st := range t.e.guide.data.Stages {
		r.Buttons = append(r.Buttons, []Button{{Label: t.menuLabel(&st), Action: t.act(ActJump, st.ID)}})
	}
	r.Buttons = append(r.Buttons,
		[]Button{t.btn("ui.btn.progress", ActProgress, ""), t.btn("ui.btn.language", ActLangs, "")},
		[]Button{t.btn("ui.btn.restart", ActAskReset, "")},
		t.backRow())
	return r
}

// languageScreen lists every language the bot speaks, each named in
// itself, two to a row, after "automatic": follow the language of the
// user's Telegram app (the empty choice, what a new user has). The tick
// marks the user's choice.
func (t *turn) languageScreen() Reply {
	r := Reply{
		Title: t.text("ui.language.title", nil),
		Text:  t.text("ui.language.body", map[string]any{"Current": t.text("language.name", nil)}),
	}
	auto := t.text("ui.btn.language_auto", nil)
	if t.s.Lang == "" || !t.e.cat.Speaks(t.s.Lang) {
		auto = "✓ " + auto
	}
	r.Buttons = append(r.Buttons, []Button{{Label: auto, Action: t.act(ActLang, "")}})
	var row []Button
	for _, tag := range t.e.cat.Languages() {
		name := t.e.cat.Text(tag.String(), "language.name", nil)
		if tag.String() == t.s.Lang {
			name = "✓ " + name
		}
		row = append(row, Button{Label: name, Action: t.act(ActLang, tag.String())})
		if len(row) == 2 {
			r.Buttons = append(r.Buttons, row)
			row = nil
		}
	}
	if len(row) > 0 {
		r.Buttons = append(r.Buttons, row)
	}
	r.Buttons = append(r.Buttons, t.backRow())
	return r
}

// stageCounts counts a stage's steps done and skipped.
func (t *turn) stageCounts(st *data.Stage) (done, skipped int) {
	for _, s := range st.Steps {
		switch t.s.Progress[s.Key] {
		case MarkDone:
			done++
		case MarkSkipped:
			skipped++
		}
	}
	return done, skipped
}

// stageMark is the checklist symbol of a stage.
func (t *turn) stageMark(st *data.Stage) string {
	if t.e.guide.step(t.s.Step).Stage == st.ID && !t.finished() {
		return "▶️"
	}
	done, skipped := t.stageCounts(st)
	switch {
	case done+skipped < len(st.Steps):
		return "⬜"
	case done == 0:
		return "⏭"
	default:
		return "✅"
	}
}

// progressScreen is the checklist: every stage with its count, and the
// steps of the current stage one by one.
func (t *turn) progressScreen() Reply {
	g := t.e.guide
	cur := g.step(t.s.Step)
	var b strings.Builder
	left := 0
	for _, st := range g.data.Stages {
		done := 0
		for _, s := range st.Steps {
			if t.s.Progress[s.Key] != 0 {
				done++
			} else {
				left++
			}
		}
		b.WriteString(t.stageMark(&st) + " " + t.stageName(&st) + " — " +
			t.e.cat.Plural(t.lang, "ui.progress.count", len(st.Steps), map[string]any{"Done": done}) + "\n")
		if st.ID != cur.Stage {
			continue
		}
		for _, s := range st.Steps {
			mark := "   ⬜ "
			switch {
			case s.Key == cur.Key:
				mark = "   ▶️ "
			case t.s.Progress[s.Key] == MarkDone:
				mark = "   ✅ "
			case t.s.Progress[s.Key] == MarkSkipped:
				mark = "   ⏭ "
			}
			b.WriteString(mark + t.text(s.TitleID(), nil) + "\n")
		}
	}
	b.WriteString("\n" + t.e.cat.Plural(t.lang, "ui.progress.left", left, nil))
	return Reply{
		Title:   t.text("ui.progress.title", nil),
		Text:    b.String(),
		Buttons: [][]Button{{t.btn("ui.btn.menu", ActMenu, "")}, t.backRow()},
	}
}

// problemsScreen lists the common problems of the current stage.
func (t *turn) problemsScreen() Reply {
	st := t.e.guide.stages[t.e.guide.step(t.s.Step).Stage]
	r := Reply{
		Title: t.text("ui.problems.title", map[string]any{"Stage": t.stageName(st)}),
		Text:  t.text("ui.problems.body", nil) + "\n\n" + t.text("ui.contact", nil),
	}
	if len(st.Problems) == 0 {
		r.Text = t.text("ui.contact", nil)
	}
	for _, p := range st.Problems {
		r.Buttons = append(r.Buttons, []Button{{Label: t.text(p.TitleID(st.ID), nil), Action: t.act(ActProblem, p.ID)}})
	}
	r.Buttons = append(r.Buttons, []Button{t.btn("ui.btn.support", ActSupport, "")}, t.backRow())
	return r
}

// problemScreen explains one problem, ending with how to reach a person.
func (t *turn) problemScreen(id string) Reply {
	st := t.e.guide.stages[t.e.guide.step(t.s.Step).Stage]
	for _, p := range st.Problems {
		if p.ID != id {
			continue
		}
		return Reply{
			Title: t.text(p.TitleID(st.ID), nil),
			Text:  t.text(p.BodyID(st.ID), nil) + "\n\n" + t.text("ui.contact", nil),
			Buttons: [][]Button{
				{t.btn("ui.btn.problems", ActProblems, "")},
				{t.btn("ui.btn.support", ActSupport, "")},
				t.backRow(),
			},
		}
	}
	// A problem of another stage (an old button after moving on): show
	// this stage's list instead.
	r := t.problemsScreen()
	r.Notice = t.text("ui.notice.stale", nil)
	return r
}

func (t *turn) restartScreen() Reply {
	return Reply{
		Title: t.text("ui.restart.title", nil),
		Text:  t.text("ui.restart.body", nil),
		Buttons: [][]Button{
			{t.btn("ui.btn.restart_yes", ActRestart, "")},
			{t.btn("ui.btn.restart_no", ActStep, "")},
		},
	}
}

func (t *turn) helpScreen() Reply {
	return Reply{
		Title:   t.text("ui.help.title", nil),
		Text:    t.text("ui.help.body", nil),
		Buttons: [][]Button{t.backRow()},
	}
}
