package telegram

import (
	"html"
	"strings"
	"unicode/utf16"

	"github.com/buyerguide/bot/conversation"
	"github.com/go-telegram/bot/models"
)

// maxText is Telegram's limit on a message's text, in UTF-16 code units
// after entity parsing (an emoji outside the BMP counts twice). Escaped
// HTML is longer than what Telegram counts, so measuring the escaped text
// stays on the safe side.
const maxText = 4096

// renderText turns a reply into HTML chunks of at most maxText characters.
// Every piece of text is escaped: the words come from translators and
// users, never as markup. withNotice puts the notice in the message (for
// typed messages; a button's notice goes in the callback answer instead).
func renderText(r conversation.Reply, withNotice bool) []string {
	var parts []string
	if withNotice && r.Notice != "" {
		parts = append(parts, "<i>"+html.EscapeString(r.Notice)+"</i>")
	}
	if r.Title != "" {
		parts = append(parts, "<b>"+html.EscapeString(r.Title)+"</b>")
	}
	head := strings.Join(parts, "\n\n")
	body := html.EscapeString(r.Text)
	switch {
	case head == "":
		return split(body, maxText)
	case body == "":
		return []string{head}
	}
	full := head + "\n\n" + body
	if conversation.TextLen(full) <= maxText {
		return []string{full}
	}
	// The head stays whole on the first chunk; the body is split after it.
	chunks := split(body, maxText-conversation.TextLen(head)-2)
	chunks[0] = head + "\n\n" + chunks[0]
	return chunks
}

// split cuts escaped text into chunks of at most max UTF-16 code units,
// at a paragraph break if there is one, else a line break, else a space,
// and never inside an HTML entity or a character.
func split(s string, max int) []string {
	var out []string
	for conversation.TextLen(s) > max {
		cut := byteIndexOfUnit(s, max)
		window := s[:cut]
		at := strings.LastIndex(window, "\n\n")
		if at < len(window)/2 {
			at = strings.LastIndex(window, "\n")
		}
		if at < len(window)/2 {
			at = strings.LastIndex(window, " ")
		}
		if at < len(window)/2 {
			at = cut
			if amp := strings.LastIndex(window, "&"); amp >= 0 && !strings.Contains(window[amp:], ";") {
				at = amp
			}
		}
		out = append(out, strings.TrimRight(s[:at], " \n"))
		s = strings.TrimLeft(s[at:], " \n")
	}
	if s != "" || len(out) == 0 {
		out = append(out, s)
	}
	return out
}

// byteIndexOfUnit returns the byte offset of the first character that
// would take the text past n UTF-16 code units.
func byteIndexOfUnit(s string, n int) int {
	units := 0
	for j, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return j
		}
	}
	return len(s)
}

// keyboard turns button rows into an inline keyboard with signed data.
func (b *Bot) keyboard(userID int64, rows [][]conversation.Button) models.ReplyMarkup {
	if len(rows) == 0 {
		return nil
	}
	kb := &models.InlineKeyboardMarkup{}
	for _, row := range rows {
		var r []models.InlineKeyboardButton
		for _, btn := range row {
			k := models.InlineKeyboardButton{Text: btn.Label}
			switch {
			case btn.URL != "":
				k.URL = btn.URL
			case btn.Action != nil:
				k.CallbackData = b.codec.encode(userID, btn.Action)
			default:
				continue
			}
			r = append(r, k)
		}
		if len(r) > 0 {
			kb.InlineKeyboard = append(kb.InlineKeyboard, r)
		}
	}
	return kb
}
