package conversation

import (
	"context"
	"errors"
	"strings"
	"unicode/utf16"

	"github.com/buyerguide/bot/data"
)

// maxExplained bounds one answer: a whole pasted page can hold a hundred
// labels, and nobody reads past the first few dozen.
const maxExplained = 40

// maxMessage is Telegram's limit on one message, in UTF-16 code units
// (what Telegram counts: an emoji outside the BMP counts twice). Every
// screen the engine draws stays within it.
const maxMessage = 4096

// TextLen returns the length of s as Telegram counts it: UTF-16 code
// units. The transports split by it too.
func TextLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// explain answers pasted Chinese: every known label in it, in order, and
// an honest word about the rest. Text that looks like it holds a code or
// a password is never recorded, and the user is warned. The answer is one
// message: labels that do not fit (or past the 40th) are counted, and the
// user is asked to send a smaller part.
func (t *turn) explain(text string) Reply {
	found, unknown := t.e.matcher.Find(text)
	secret := HasSecret(text)
	// recorded: the Chinese the glossary lacks is kept for the editors.
	// Only then may the answer say so: a secret is never kept, and a
	// single unknown character is no label to add.
	recorded := false
	if kept := cleanUnknown(unknown); !secret && len(kept) > 0 {
		t.s.Unknown = append(t.s.Unknown, kept...)
		recorded = true
	}
	labels := uniqueLabels(found)
	title := t.e.cat.Plural(t.lang, "ui.explain.title", len(labels), nil)
	var head, tail string
	if secret {
		head = t.text("ui.explain.secret", nil) + "\n\n"
	}
	person := false // offer a person: something was left unexplained
	switch {
	case len(labels) == 0:
		title = t.text("ui.inline.none_title", nil)
		none := "ui.explain.none"
		if !recorded {
			none = "ui.explain.none_unrecorded"
		}
		tail = t.text(none, nil) + "\n\n" + t.text("ui.contact", nil)
		person = true
	case len(unknown) > 0:
		tail = t.text("ui.explain.partly", nil)
		if !recorded {
			tail = t.text("ui.explain.partly_unrecorded", nil)
		}
		person = true
	}
	more := func(n int) string { return t.e.cat.Plural(t.lang, "ui.explain.more", n, nil) + "\n\n" }
	budget := maxMessage - TextLen(title) - 2 - TextLen(head) - TextLen(tail)
	var b strings.Builder
	b.WriteString(head)
	used := 0
	for i, l := range labels {
		entry := t.labelText(l) + "\n\n"
		need := used + TextLen(entry)
		if i+1 < len(labels) {
			need += TextLen(more(len(labels) - i - 1))
		}
		if i == maxExplained || need > budget {
			b.WriteString(more(len(labels) - i))
			break
		}
		b.WriteString(entry)
		used += TextLen(entry)
	}
	b.WriteString(tail)
	r := Reply{Title: title, Text: strings.TrimSpace(b.String())}
	if person && t.e.support {
		// The e-mail above, and the agents of this bot.
		r.Buttons = append(r.Buttons, []Button{t.btn("ui.btn.support", ActSupport, "")})
	}
	r.Buttons = append(r.Buttons, t.backRow())
	return r
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

// englishScreens are the stages whose screens are WorldFirst's: in
// English, so a step there with no labels has nothing Chinese on it.
var englishScreens = map[string]bool{"world": true, "authorise": true, "topup": true}

// screenLabels lists the labels the current step's screen shows; a step
// that shows none says so, and invites the buyer to paste any Chinese
// they see anyway.
func (t *turn) screenLabels() Reply {
	step := t.e.guide.step(t.s.Step)
	var b strings.Builder
	for _, zh := range step.Labels {
		if l := t.e.labels[zh]; l != nil {
			b.WriteString(t.labelText(l) + "\n\n")
		}
	}
	if b.Len() == 0 {
		if englishScreens[step.Stage] {
			b.WriteString(t.text("ui.explain.no_labels_worldfirst", nil))
		} else {
			b.WriteString(t.text("ui.explain.no_labels", nil))
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

// Inline explains the labels in an inline query from user userID, in the
// language the user chose with /language if they did, else in their
// client's. It stores nothing: inline queries come from any chat, and a
// user who never wrote to the bot stays unknown to it.
func (e *Engine) Inline(ctx context.Context, userID int64, langCode, query string) []InlineResult {
	lang := e.cat.Match(e.chosenLanguage(ctx, userID), langCode)
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

// Words renders one of the bot's own messages for user userID, in the
// language the user chose, else in langCode's: for a transport that adds
// words of its own to the engine's replies (the console's hints).
func (e *Engine) Words(ctx context.Context, userID int64, langCode, id string) string {
	return e.cat.Text(e.cat.Match(e.chosenLanguage(ctx, userID), langCode), id, nil)
}

// errReadOnly ends a Store.Update that only reads: nothing is saved.
var errReadOnly = errors.New("read only")

// chosenLanguage returns the language a user chose explicitly, "" if none
// (or if it cannot be read: the client's language is a fine answer).
func (e *Engine) chosenLanguage(ctx context.Context, userID int64) string {
	if userID == 0 || e.store == nil {
		return ""
	}
	lang := ""
	err := e.store.Update(ctx, userID, 0, func(s *Session) error {
		lang = s.Lang
		return errReadOnly
	})
	if err != nil && !errors.Is(err, errReadOnly) {
		e.log.Debug("inline: stored language", "user", userID, "err", err)
	}
	return lang
}
