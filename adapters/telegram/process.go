package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"runtime/debug"
	"time"

	"github.com/buyerguide/bot/conversation"
	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// incoming is one update reduced to what the transport needs to answer it.
type incoming struct {
	ev         conversation.Event
	chatID     int64
	callbackID string // set for button presses: always answered
	messageID  int    // the message the pressed button is on
	kind       string // for logs
	answerOnly bool   // a button outside a private chat: stop its spinner, nothing else
	from       *models.User
	msg        *models.Message // the user's message (relayed to a ticket)
	edited     bool
}

// read turns an update into an event. ok is false for updates the bot
// does not answer: group chats, and block/unblock notices (recorded here).
func (b *Bot) read(ctx context.Context, u *models.Update) (in incoming, ok bool) {
	in.ev.UpdateID = u.ID
	switch {
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		in.kind = "button"
		in.callbackID = q.ID
		in.from = &q.From
		in.ev.UserID = q.From.ID
		in.ev.LanguageCode = q.From.LanguageCode
		in.chatID = q.From.ID
		if m := q.Message.Message; m != nil {
			in.messageID = m.ID
			if m.Chat.Type != models.ChatTypePrivate {
				in.answerOnly = true
				return in, true
			}
		} else if m := q.Message.InaccessibleMessage; m != nil {
			in.messageID = m.MessageID
		}
		a, valid := b.codec.decode(q.From.ID, q.Data)
		if valid {
			in.ev.Kind, in.ev.Action = conversation.KindButton, a
		} else {
			in.ev.Kind = conversation.KindBadButton
		}
		return in, true
	case u.Message != nil:
		m := u.Message
		if m.Chat.Type != models.ChatTypePrivate || m.From == nil {
			return in, false
		}
		in.ev.UserID, in.ev.LanguageCode, in.chatID = m.From.ID, m.From.LanguageCode, m.Chat.ID
		in.from, in.msg = m.From, m
		if m.Text != "" {
			in.kind, in.ev.Kind, in.ev.Text = "text", conversation.KindText, m.Text
		} else {
			in.kind, in.ev.Kind = "other", conversation.KindUnsupported
		}
		return in, true
	case u.EditedMessage != nil:
		m := u.EditedMessage
		if m.Chat.Type != models.ChatTypePrivate || m.From == nil {
			return in, false
		}
		in.ev.UserID, in.ev.LanguageCode, in.chatID = m.From.ID, m.From.LanguageCode, m.Chat.ID
		in.from, in.msg, in.edited = m.From, m, true
		in.kind, in.ev.Kind = "edited", conversation.KindEdited
		return in, true
	case u.MyChatMember != nil:
		m := u.MyChatMember
		if m.Chat.Type == models.ChatTypePrivate {
			switch m.NewChatMember.Type {
			case models.ChatMemberTypeBanned:
				b.setBlocked(ctx, m.From.ID, true)
			case models.ChatMemberTypeMember:
				b.setBlocked(ctx, m.From.ID, false)
			}
		}
		return in, false
	}
	return in, false
}

// pressUpdate is a button press, read without the message it was on:
// presses are most of the traffic, and that message (the whole screen and
// its keyboard) is most of the cost of reading an update whole.
type pressUpdate struct {
	UpdateID      int64 `json:"update_id"`
	CallbackQuery *struct {
		ID      string      `json:"id"`
		From    models.User `json:"from"`
		Data    string      `json:"data"`
		Message *struct {
			ID   int `json:"message_id"`
			Date int `json:"date"` // 0: a message the bot can no longer see
			Chat struct {
				ID   int64           `json:"id"`
				Type models.ChatType `json:"type"`
			} `json:"chat"`
		} `json:"message"`
	} `json:"callback_query"`
}

// readPress reads a button press pressed in a private chat. pressed is
// false for anything else (read whole, by read); ok is as read's.
func (b *Bot) readPress(raw []byte) (in incoming, ok, pressed bool) {
	var u pressUpdate
	if json.Unmarshal(raw, &u) != nil || u.CallbackQuery == nil {
		return in, false, false
	}
	q := u.CallbackQuery
	if m := q.Message; m == nil || m.Chat.Type != models.ChatTypePrivate || m.Chat.ID == b.cfg.SupportChatID {
		return in, false, false
	}
	in.ev.UpdateID = u.UpdateID
	in.kind = "button"
	in.callbackID = q.ID
	in.from = &q.From
	in.ev.UserID, in.ev.LanguageCode, in.chatID = q.From.ID, q.From.LanguageCode, q.From.ID
	in.messageID = q.Message.ID
	if a, valid := b.codec.decode(q.From.ID, q.Data); valid {
		in.ev.Kind, in.ev.Action = conversation.KindButton, a
	} else {
		in.ev.Kind = conversation.KindBadButton
	}
	return in, true, true
}

// process handles one stored update: the engine, the replies, the callback
// answer, then the inbox row. A panic is recovered, logged and answered.
func (b *Bot) process(ctx context.Context, it conversation.Inbound) {
	ctx, cancel := context.WithTimeout(ctx, handleTimeout)
	defer cancel()
	start := time.Now()
	var in incoming
	outside := "" // the kind of an update the engine does not see
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("panic while handling an update", "update", it.UpdateID, "user", it.UserID,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			b.deliver(ctx, in, []conversation.Reply{b.failure(in.ev.LanguageCode)})
		}
		if outside != "" {
			// The engine logs the updates it handles; these get their
			// line here.
			b.log.Info("update", "user", it.UserID, "kind", outside, "duration", time.Since(start))
		}
		// Handled, or impossible to handle: either way it must not come
		// back after a restart.
		b.done.add(it)
	}()
	in, ok, pressed := b.readPress(it.Payload)
	if !pressed {
		var u models.Update
		if err := json.Unmarshal(it.Payload, &u); err != nil {
			b.log.Error("stored update unreadable", "update", it.UpdateID, "err", err)
			return
		}
		// Updates the engine does not see are remembered as processed
		// when they leave the inbox; the engine logs the others itself.
		if q := u.InlineQuery; q != nil {
			it.Remember, outside = true, "inline"
			b.inline(ctx, q)
			return
		}
		if b.cfg.SupportChatID != 0 && chatOf(&u) == b.cfg.SupportChatID {
			it.Remember, outside = true, "support"
			b.fromSupport(ctx, &u)
			return
		}
		in, ok = b.read(ctx, &u)
	}
	if !ok {
		return
	}
	if in.answerOnly {
		b.answer(ctx, in, "")
		return
	}
	if b.isBlocked(in.ev.UserID) {
		// They wrote to us, so they unblocked the bot.
		b.setBlocked(ctx, in.ev.UserID, false)
	}
	typing := time.AfterFunc(typingAfter, func() {
		err := b.send.do(ctx, in.chatID, false, func(ctx context.Context) error {
			_, err := b.api.SendChatAction(ctx, &tgbot.SendChatActionParams{ChatID: in.chatID, Action: models.ChatActionTyping})
			return err
		})
		if err != nil {
			b.log.Debug("typing", "err", redact(err, b.cfg.Token))
		}
	})
	replies, err := b.handle(ctx, in.ev)
	typing.Stop()
	if err != nil {
		b.log.Error("handling an update failed", "update", it.UpdateID, "user", in.ev.UserID, "err", err)
		replies = []conversation.Reply{b.failure(in.ev.LanguageCode)}
	}
	b.deliver(ctx, in, replies)
	b.log.Debug("update", "update", it.UpdateID, "user", in.ev.UserID, "kind", in.kind, "duration", time.Since(start))
}

// handle runs the engine, trying again after a failure: a failed update
// was rolled back whole, so trying again is safe, and a passing fault (a
// full disk freed, a lock held too long) should not cost the user their
// press.
func (b *Bot) handle(ctx context.Context, ev conversation.Event) ([]conversation.Reply, error) {
	var err error
	for attempt, wait := 0, 200*time.Millisecond; ; attempt, wait = attempt+1, wait*4 {
		var replies []conversation.Reply
		if replies, err = b.engine.Handle(ctx, ev); err == nil || attempt == 2 || ctx.Err() != nil {
			return replies, err
		}
		b.log.Warn("handling an update failed, trying again", "update", ev.UpdateID, "user", ev.UserID, "err", err, "in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
	}
}

// failure is the answer when something broke on our side.
func (b *Bot) failure(langCode string) conversation.Reply {
	return conversation.Reply{Text: b.cat.Text(b.cat.Match("", langCode), "ui.error.internal", nil)}
}

// deliver answers the callback (with the first notice, as a toast) and
// sends or edits the replies.
func (b *Bot) deliver(ctx context.Context, in incoming, replies []conversation.Reply) {
	if in.callbackID != "" {
		notice := ""
		for _, r := range replies {
			if r.Notice != "" {
				notice = r.Notice
				break
			}
		}
		b.answer(ctx, in, notice)
	}
	if in.chatID == 0 || b.isBlocked(in.ev.UserID) {
		return
	}
	for _, r := range replies {
		if r.Relay != 0 {
			if err := b.relayToSupport(ctx, in, r.Relay); err != nil {
				b.log.Error("relay to support failed", "ticket", r.Relay, "err", redact(err, b.cfg.Token))
				r = conversation.Reply{Text: b.cat.Text(b.cat.Match("", in.ev.LanguageCode), "ui.support.undelivered", nil)}
			} else {
				continue
			}
		}
		if r.Ticket != nil && r.Ticket.Opened {
			b.ticketOpened(ctx, in, r.Ticket)
		}
		if r.Ticket != nil && r.Ticket.Closed && r.Ticket.ByUser {
			if st, err := b.support.Ticket(ctx, r.Ticket.ID); err == nil {
				if _, err := b.postSupport(ctx, st.ThreadID, b.agentText("agent.closed_by_user", map[string]any{"Number": st.ID})); err != nil {
					b.log.Warn("support chat", "err", redact(err, b.cfg.Token))
				}
			}
		}
		if r.Text == "" && r.Title == "" {
			continue
		}
		if err := b.show(ctx, in, r); err != nil {
			if errors.Is(err, errBlocked) {
				b.setBlocked(ctx, in.ev.UserID, true)
				return
			}
			b.log.Error("sending a reply failed", "user", in.ev.UserID, "err", redact(err, b.cfg.Token))
			return
		}
	}
}

// answer answers a callback query. A query Telegram no longer knows (too
// old, say after a restart) is not an error worth more than a debug line.
func (b *Bot) answer(ctx context.Context, in incoming, text string) {
	if len([]rune(text)) > 200 {
		text = string([]rune(text)[:199]) + "…"
	}
	err := b.send.do(ctx, in.chatID, false, func(ctx context.Context) error {
		_, err := b.api.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: in.callbackID, Text: text})
		return err
	})
	if err != nil {
		b.log.Debug("answerCallbackQuery", "err", redact(err, b.cfg.Token))
	}
}

// show sends one reply: an edit of the pressed message when asked and
// possible, new messages otherwise.
func (b *Bot) show(ctx context.Context, in incoming, r conversation.Reply) error {
	isButton := in.callbackID != ""
	chunks := renderText(r, !isButton)
	markup := b.keyboard(in.ev.UserID, r.Buttons)
	noPreview := &models.LinkPreviewOptions{IsDisabled: tgbot.True()}
	if r.Edit && isButton && in.messageID != 0 && len(chunks) == 1 {
		err := b.send.do(ctx, in.chatID, true, func(ctx context.Context) error {
			_, err := b.api.EditMessageText(ctx, &tgbot.EditMessageTextParams{
				ChatID: in.chatID, MessageID: in.messageID, Text: chunks[0],
				ParseMode: models.ParseModeHTML, ReplyMarkup: markup, LinkPreviewOptions: noPreview,
			})
			return err
		})
		switch {
		case err == nil, notModified(err):
			return nil
		case !cannotEdit(err):
			return err
		}
		// The message is gone or too old to edit: send a new one.
	}
	for i, c := range chunks {
		p := &tgbot.SendMessageParams{ChatID: in.chatID, Text: c, ParseMode: models.ParseModeHTML, LinkPreviewOptions: noPreview}
		if i == len(chunks)-1 {
			p.ReplyMarkup = markup
		}
		err := b.send.do(ctx, in.chatID, true, func(ctx context.Context) error {
			_, err := b.api.SendMessage(ctx, p)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// inline answers an inline query (@bot 验证码 typed in any chat) with the
// explanations of the labels in it.
func (b *Bot) inline(ctx context.Context, q *models.InlineQuery) {
	lang, user := "", int64(0)
	if q.From != nil {
		lang, user = q.From.LanguageCode, q.From.ID
	}
	var results []models.InlineQueryResult
	for _, r := range b.engine.Inline(ctx, user, lang, q.Query) {
		results = append(results, &models.InlineQueryResultArticle{
			ID:          r.ID,
			Title:       r.Title,
			Description: r.Description,
			InputMessageContent: &models.InputTextMessageContent{
				MessageText: html.EscapeString(r.Text),
				ParseMode:   models.ParseModeHTML,
			},
		})
	}
	err := b.send.do(ctx, 0, false, func(ctx context.Context) error {
		_, err := b.api.AnswerInlineQuery(ctx, &tgbot.AnswerInlineQueryParams{
			// Personal: the answer is in the asker's language, so
			// Telegram must not hand it to someone else.
			InlineQueryID: q.ID, Results: results, CacheTime: 300, IsPersonal: true,
		})
		return err
	})
	if err != nil {
		b.log.Debug("answerInlineQuery", "err", redact(err, b.cfg.Token))
	}
}

// chatOf returns the chat an update happened in, 0 if none.
func chatOf(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message.Message != nil:
		return u.CallbackQuery.Message.Message.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message.InaccessibleMessage != nil:
		return u.CallbackQuery.Message.InaccessibleMessage.Chat.ID
	}
	return 0
}
