package conversation

import (
	"strings"

	"github.com/buyerguide/bot/data"
)

// maxExplained bounds one answer: a whole pasted page can hold a hundred
// labels, and nobody reads past the first few dozen.
const maxExplained = 40

// explain answers pasted Chinese: every known label in it, in order, and
// an honest word about the rest. Text that looks like it holds a code or
// a password is never recorded, and the user is warned.
func (t *turn) explain(text string) Reply {
	found, unknown := t.e.matcher.Find(text)
	secret := HasSecret(text)
	if !secret {
		t.s.Unknown = append(t.s.Unknown, cleanUnknown(unknown)...)
	}
	var b strings.Builder
	if secret {
		b.WriteString(t.text("ui.explain.secret", nil) + "\n\n")
	}
	labels := uniqueLabels(found)
	for i, l := range labels {
		if i == maxExplained {
			b.WriteString(t.e.cat.Plural(t.lang, "ui.explain.more", len(labels)-maxExplained, nil) + "\n\n")
			break
		}
		b.WriteString(t.labelText(l) + "\n\n")
	}
	if len(labels) == 0 {
		b.WriteString(t.text("ui.explain.none", nil) + "\n\n" + t.text("ui.contact", nil))
	} else if len(unknown) > 0 {
		b.WriteString(t.text("ui.explain.partly", nil))
	}
	title := t.e.cat.Plural(t.lang, "ui.explain.title", len(labels), nil)
	if len(labels) == 0 {
		title = t.text("ui.inline.none_title", nil)
	}
	return Reply{
		Title:   title,
		Text:    strings.TrimSpace(b.String()),
		Buttons: [][]Button{t.backRow()},
	}
}

// labelText is one explanation: the label as on screen (and its
// traditional form), its reading, its meaning and what to do.
func (t *turn) labelText(l *data.Label) string {
	zh := l.Zh
	if l.ZhHant != l.Zh {
		zh += " / " + l.ZhHant
	}
	return zh + " (" + l.Pinyin + ") — " + t.text(l.MeaningID(), nil) + "\n→ " + t.text(l.ActionID(), nil)
}

// screenLabels lists the labels the current step's screen shows.
func (t *turn) screenLabels() Reply {
	step := t.e.guide.step(t.s.Step)
	var b strings.Builder
	for _, zh := range step.Labels {
		if l := t.e.labels[zh]; l != nil {
			b.WriteString(t.labelText(l) + "\n\n")
		}
	}
	return Reply{
		Title:   t.text("ui.explain.screen", map[string]any{"Step": t.text(step.TitleID(), nil)}),
		Text:    strings.TrimSpace(b.String()),
		Buttons: [][]Button{t.backRow()},
	}
}

func uniqueLabels(found []Match) []*data.Label {
	seen := map[*data.Label]bool{}
	var out []*data.Label
	for _, m := range found {
		if !seen[m.Label] {
			seen[m.Label] = true
			out = append(out, m.Label)
		}
	}
	return out
}

// InlineResult is one answer to an inline query (@bot 验证码 in any chat).
type InlineResult struct {
	ID          string
	Title       string
	Description string
	Text        string
}

// Inline explains the labels in an inline query, in the language of the
// asking client. It stores nothing: inline queries come from any chat.
func (e *Engine) Inline(langCode, query string) []InlineResult {
	lang := e.cat.Match("", langCode)
	t := &turn{e: e, lang: lang}
	found, _ := e.matcher.Find(query)
	var out []InlineResult
	for _, l := range uniqueLabels(found) {
		if len(out) == 20 {
			break
		}
		meaning := e.cat.Text(lang, l.MeaningID(), nil)
		out = append(out, InlineResult{
			ID:          l.Key,
			Title:       l.Zh + " — " + meaning,
			Description: e.cat.Text(lang, l.ActionID(), nil),
			Text:        t.labelText(l),
		})
	}
	if len(out) == 0 && strings.TrimSpace(query) != "" {
		out = append(out, InlineResult{
			ID:          "none",
			Title:       e.cat.Text(lang, "ui.inline.none_title", nil),
			Description: e.cat.Text(lang, "ui.inline.none", nil),
			Text:        e.cat.Text(lang, "ui.inline.none", nil),
		})
	}
	return out
}
