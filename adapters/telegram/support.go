package telegram

import (
	"context"
	"errors"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/buyerguide/bot/conversation"
	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// SupportStore is what the support relay keeps in the database.
type SupportStore interface {
	Ticket(ctx context.Context, id int64) (*conversation.TicketInfo, error)
	TicketByThread(ctx context.Context, thread int) (*conversation.TicketInfo, error)
	TicketBySupportMessage(ctx context.Context, msg int) (*conversation.TicketInfo, error)
	OpenTickets(ctx context.Context) ([]conversation.TicketInfo, error)
	SetTicketUser(ctx context.Context, id int64, name, username string) error
	SetTicketThread(ctx context.Context, id int64, thread int) error
	ClaimTicket(ctx context.Context, id, agentID int64, name string) error
	AddNote(ctx context.Context, id, agentID int64, text string) error
	MapMessage(ctx context.Context, ticket int64, userMsg, supportMsg int, fromAgent bool) error
	MapSupportMessage(ctx context.Context, ticket int64, supportMsg int) error
	SupportMessage(ctx context.Context, ticket int64, userMsg int) (int, error)
	UserMessage(ctx context.Context, supportMsg int) (ticket int64, userMsg int, err error)
}

// agentText renders a message for the support team.
func (b *Bot) agentText(id string, data map[string]any) string {
	return b.cat.Text(b.cat.Match(b.cfg.SupportLang, ""), id, data)
}

// isAgent reports whether a member of the support chat may act as an
// agent: anyone there, unless SUPPORT_AGENT_IDS names who.
func (b *Bot) isAgent(id int64) bool {
	return len(b.cfg.AgentIDs) == 0 || slices.Contains(b.cfg.AgentIDs, id)
}

// forumMode asks Telegram once whether the support chat has topics.
func (b *Bot) forumMode(ctx context.Context) bool {
	c, err := b.api.GetChat(ctx, &tgbot.GetChatParams{ChatID: b.cfg.SupportChatID})
	if err != nil {
		b.log.Warn("support chat: getChat failed; relaying with headers and replies", "err", redact(err, b.cfg.Token))
		return false
	}
	return c.IsForum
}

// postSupport sends text to the support chat, in a ticket's topic when
// there is one, and returns the ID of its first message: text longer than
// Telegram allows goes out in several messages.
func (b *Bot) postSupport(ctx context.Context, thread int, text string) (int, error) {
	ids, err := b.postSupportParts(ctx, thread, text)
	if len(ids) == 0 {
		return 0, err
	}
	return ids[0], err
}

// postSupportParts sends text to the support chat, split into messages
// within Telegram's limit, and returns the IDs of those that went out.
func (b *Bot) postSupportParts(ctx context.Context, thread int, text string) ([]int, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	var ids []int
	for _, part := range split(html.EscapeString(text), maxText) {
		var id int
		err := b.send.do(ctx, b.cfg.SupportChatID, true, func(ctx context.Context) error {
			m, err := b.api.SendMessage(ctx, &tgbot.SendMessageParams{
				ChatID: b.cfg.SupportChatID, MessageThreadID: thread, Text: part,
				ParseMode: models.ParseModeHTML, LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()},
			})
			if err == nil {
				id = m.ID
			}
			return err
		})
		if err != nil {
			return ids, fmt.Errorf("support chat: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// mapSupport records support-chat messages of a ticket that have no copy
// in the user's chat (cards, parts of long messages, headers, edits), so
// that agents can answer by replying to any of them.
func (b *Bot) mapSupport(ctx context.Context, ticket int64, ids []int) error {
	for _, id := range ids {
		if err := b.support.MapSupportMessage(ctx, ticket, id); err != nil {
			return err
		}
	}
	return nil
}

// topicGone reports a forum topic that was deleted (or closed).
func topicGone(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "thread not found") || strings.Contains(s, "TOPIC_DELETED") ||
		strings.Contains(s, "TOPIC_ID_INVALID") || strings.Contains(s, "TOPIC_CLOSED")
}

// hasContent reports whether a message carries something a person sent.
// Service messages (a pin, a topic created, renamed, closed or reopened,
// members joining or leaving...) carry none: they are never relayed, and
// Telegram would refuse to copy them anyway.
func hasContent(m *models.Message) bool {
	return m.Text != "" || m.Caption != "" || len(m.Photo) > 0 || m.Document != nil || m.Video != nil ||
		m.Voice != nil || m.Sticker != nil || m.Audio != nil || m.Animation != nil || m.VideoNote != nil ||
		m.Location != nil || m.Contact != nil
}

// canCaption reports whether a message is of a kind that has a caption.
func canCaption(m *models.Message) bool {
	return len(m.Photo) > 0 || m.Document != nil || m.Video != nil || m.Voice != nil || m.Audio != nil || m.Animation != nil
}

// maxCaption is Telegram's limit on a caption, in UTF-16 code units.
const maxCaption = 1024

// ticketOpened posts the new ticket's card for the agents: in forum mode
// in a topic of its own. When the topic cannot be created the card goes
// to the general topic, and the topic is tried again with the user's next
// message.
func (b *Bot) ticketOpened(ctx context.Context, in incoming, ch *conversation.TicketChange) {
	name, username := "", ""
	if in.from != nil {
		name = strings.TrimSpace(in.from.FirstName + " " + in.from.LastName)
		if in.from.Username != "" {
			username = "@" + in.from.Username
		}
	}
	if err := b.support.SetTicketUser(ctx, ch.ID, name, username); err != nil {
		b.log.Error("ticket user", "ticket", ch.ID, "err", err)
	}
	st, err := b.support.Ticket(ctx, ch.ID)
	if err != nil {
		b.log.Error("ticket", "ticket", ch.ID, "err", err)
		return
	}
	if b.forum {
		if err := b.createTopic(ctx, st); err != nil {
			b.log.Warn("ticket topic not created; card in the general topic, topic tried again on the next message",
				"ticket", st.ID, "err", redact(err, b.cfg.Token))
		}
	}
	if err := b.postCard(ctx, st); err != nil {
		b.log.Error("posting a ticket card failed", "ticket", st.ID, "err", redact(err, b.cfg.Token))
	}
}

// createTopic opens a forum topic for the ticket (through the sender, so
// that a 429 or a 5xx is retried) and records it in st and the store.
func (b *Bot) createTopic(ctx context.Context, st *conversation.TicketInfo) error {
	name := truncate(fmt.Sprintf("#%d %s (%s)", st.ID, st.UserName, b.userLang(ctx, st.UserID)), 128)
	var thread int
	err := b.send.do(ctx, b.cfg.SupportChatID, true, func(ctx context.Context) error {
		t, err := b.api.CreateForumTopic(ctx, &tgbot.CreateForumTopicParams{ChatID: b.cfg.SupportChatID, Name: name})
		if err == nil {
			thread = t.MessageThreadID
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create topic: %w", err)
	}
	if err := b.support.SetTicketThread(ctx, st.ID, thread); err != nil {
		return err
	}
	st.ThreadID = thread
	return nil
}

// postCard posts the ticket's card in its topic (the general topic, or
// the chat itself in reply mode, when it has none).
func (b *Bot) postCard(ctx context.Context, st *conversation.TicketInfo) error {
	text, err := b.cardText(ctx, st, true)
	if err != nil {
		return err
	}
	ids, err := b.postSupportParts(ctx, st.ThreadID, text)
	if merr := b.mapSupport(ctx, st.ID, ids); merr != nil && err == nil {
		err = merr
	}
	return err
}

// cardText is what agents see of a ticket: who the user is (and whether
// they blocked the bot), the problem, where they are in the guide, their
// latest order draft and last messages; with help, how to answer.
func (b *Bot) cardText(ctx context.Context, st *conversation.TicketInfo, help bool) (string, error) {
	card, err := b.engine.Card(ctx, st.UserID, b.cat.Match(b.cfg.SupportLang, ""))
	if err != nil {
		return "", err
	}
	text := b.agentText("agent.card.title", map[string]any{
		"Number": st.ID, "Name": st.UserName, "Username": st.UserUsername, "Lang": b.userLang(ctx, st.UserID),
	}) + "\n"
	if b.userBlocked(st) {
		text += b.agentText("agent.card.blocked", nil) + "\n"
	}
	if st.Description != "" {
		text += b.agentText("agent.card.description", map[string]any{"Text": st.Description}) + "\n"
	}
	text += "\n" + card
	if help {
		text += "\n\n" + b.agentText("agent.card.help", nil)
	}
	return text, nil
}

// userBlocked reports a ticket's user who blocked the bot, as stored or
// as learned since.
func (b *Bot) userBlocked(st *conversation.TicketInfo) bool {
	return st.UserBlocked || b.isBlocked(st.UserID)
}

// userLang is the user's language as the engine would pick it, "" if the
// user is unknown.
func (b *Bot) userLang(ctx context.Context, userID int64) string {
	lang, ok, err := b.loadLang(ctx, userID)
	if err != nil {
		b.log.Warn("user language", "user", userID, "err", err)
	}
	if !ok {
		return ""
	}
	return lang
}

// loadLang is the user's language as the engine would pick it.
func (b *Bot) loadLang(ctx context.Context, userID int64) (string, bool, error) {
	type loader interface {
		Load(ctx context.Context, userID int64) (*conversation.Session, bool, error)
	}
	l, ok := b.store.(loader)
	if !ok {
		return "", false, nil
	}
	s, ok, err := l.Load(ctx, userID)
	if err != nil || !ok {
		return "", false, err
	}
	return b.cat.Match(s.Lang, s.LangCode), true, nil
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// relayToSupport copies what the user sent into the ticket. A ticket
// without a topic in forum mode gets one first (with its card); whatever
// goes out without a topic carries a header naming the ticket.
func (b *Bot) relayToSupport(ctx context.Context, in incoming, ticket int64) error {
	m := in.msg
	if m == nil || !hasContent(m) {
		return nil // nothing a person sent: a service message
	}
	st, err := b.support.Ticket(ctx, ticket)
	if err != nil {
		return err
	}
	if conversation.HasSecret(m.Text) || conversation.HasSecret(m.Caption) {
		// An edit or a caption with a code or a password (typed messages
		// are held back by the engine): never relayed, the user is warned.
		b.secretHeld(ctx, in, st.ID)
		return nil
	}
	if b.forum && st.ThreadID == 0 {
		b.ensureTopic(ctx, st)
	}
	main, extra, err := b.relayOnce(ctx, st, m, in.edited)
	if topicGone(err) && st.ThreadID != 0 {
		// An agent deleted the topic: open a new one, or go on without.
		b.log.Warn("ticket topic gone; recreating", "ticket", st.ID, "thread", st.ThreadID)
		if err := b.support.SetTicketThread(ctx, st.ID, 0); err != nil {
			return err
		}
		st.ThreadID = 0
		b.ensureTopic(ctx, st)
		main, extra, err = b.relayOnce(ctx, st, m, in.edited)
	}
	if merr := b.mapSupport(ctx, st.ID, extra); merr != nil && err == nil {
		err = merr
	}
	if err != nil {
		return err
	}
	if in.edited {
		return b.mapSupport(ctx, st.ID, []int{main})
	}
	return b.support.MapMessage(ctx, st.ID, m.ID, main, false)
}

// ensureTopic gives a ticket that has none a topic and posts its card
// there; if that fails the ticket goes on in the general topic.
func (b *Bot) ensureTopic(ctx context.Context, st *conversation.TicketInfo) {
	if err := b.createTopic(ctx, st); err != nil {
		b.log.Warn("ticket topic not created; relaying with a header", "ticket", st.ID, "err", redact(err, b.cfg.Token))
		return
	}
	if err := b.postCard(ctx, st); err != nil {
		b.log.Error("posting a ticket card failed", "ticket", st.ID, "err", redact(err, b.cfg.Token))
	}
}

// relayOnce sends one user message to the ticket's topic (or the chat):
// main is the support-chat message that stands for it, extra any other
// message that went out with it (a header, the parts of a long text).
func (b *Bot) relayOnce(ctx context.Context, st *conversation.TicketInfo, m *models.Message, edited bool) (main int, extra []int, err error) {
	header := ""
	if st.ThreadID == 0 {
		header = b.agentText("agent.header", map[string]any{"Number": st.ID, "Name": st.UserName})
	}
	if edited {
		header = strings.TrimSpace(header + " " + b.agentText("agent.edited", nil))
	}
	if m.Text != "" && header != "" {
		ids, err := b.postSupportParts(ctx, st.ThreadID, header+"\n"+m.Text)
		if len(ids) == 0 {
			return 0, nil, err
		}
		return ids[0], ids[1:], err
	}
	p := &tgbot.CopyMessageParams{ChatID: b.cfg.SupportChatID, MessageThreadID: st.ThreadID, FromChatID: m.Chat.ID, MessageID: m.ID}
	if header != "" {
		caption := header + "\n" + m.Caption
		if canCaption(m) && conversation.TextLen(caption) <= maxCaption {
			p.Caption = html.EscapeString(caption)
			p.ParseMode = models.ParseModeHTML
		} else {
			// No room for the header in the caption (or no caption at
			// all, as on a sticker): it goes just before.
			id, err := b.postSupport(ctx, st.ThreadID, header)
			if err != nil {
				return 0, nil, err
			}
			extra = append(extra, id)
		}
	}
	err = b.send.do(ctx, b.cfg.SupportChatID, true, func(ctx context.Context) error {
		r, err := b.api.CopyMessage(ctx, p)
		if err == nil {
			main = r.ID
		}
		return err
	})
	if err != nil {
		return 0, extra, fmt.Errorf("copy to support chat: %w", err)
	}
	return main, extra, nil
}

// secretHeld tells the user that what they sent looks like a code or a
// password and was not passed on to the agents.
func (b *Bot) secretHeld(ctx context.Context, in incoming, ticket int64) {
	lang := b.userLang(ctx, in.ev.UserID)
	if lang == "" {
		lang = b.cat.Match("", in.ev.LanguageCode)
	}
	text := b.cat.Text(lang, "ui.explain.secret", nil) + "\n\n" +
		b.cat.Text(lang, "ui.support.not_relayed", map[string]any{"Number": ticket})
	if err := b.show(ctx, in, conversation.Reply{Text: text}); err != nil {
		if errors.Is(err, errBlocked) {
			b.setBlocked(ctx, in.ev.UserID, true)
			return
		}
		b.log.Error("sending a reply failed", "user", in.ev.UserID, "err", redact(err, b.cfg.Token))
	}
}

// supportCommandRE splits "/cmd@bot args" in the support chat.
var supportCommandRE = regexp.MustCompile(`(?s)^/([a-z_]+)(?:@(\w+))?(?:\s+(.*))?$`)

// agentCommands are the commands the bot answers in the support chat;
// any other command is the agents' own business (or another bot's).
var agentCommands = map[string]bool{"claim": true, "close": true, "tickets": true, "note": true, "stage": true, "lang": true}

// fromSupport handles an update from the support chat: agents' commands
// and answers. Nothing from anyone else, or from any other chat, ever
// reaches a user.
func (b *Bot) fromSupport(ctx context.Context, u *models.Update) {
	if q := u.CallbackQuery; q != nil {
		// The bot puts no buttons in the support chat, but a button that
		// gets there (on a copied message, say) must not spin forever.
		b.answer(ctx, incoming{callbackID: q.ID, chatID: b.cfg.SupportChatID}, "")
		return
	}
	m, edited := u.Message, false
	if m == nil {
		m, edited = u.EditedMessage, true
	}
	if m == nil || m.From == nil || m.From.IsBot || !hasContent(m) {
		return // service messages: pins, topics renamed, closed or reopened, members...
	}
	st := b.ticketOf(ctx, m)
	thread := 0
	switch {
	case b.forum && m.IsTopicMessage:
		thread = m.MessageThreadID // answer where asked
	case st != nil:
		thread = st.ThreadID
	}
	reply := func(text string) {
		if _, err := b.postSupport(ctx, thread, text); err != nil {
			b.log.Error("support chat", "err", redact(err, b.cfg.Token))
		}
	}
	if c := supportCommandRE.FindStringSubmatch(strings.TrimSpace(m.Text)); c != nil && !edited {
		if !agentCommands[c[1]] || (c[2] != "" && !strings.EqualFold(c[2], b.username)) {
			return // not ours, or addressed to another bot by name
		}
		if !b.isAgent(m.From.ID) {
			reply(b.agentText("agent.not_agent", nil))
			return
		}
		b.agentCommand(ctx, m, st, c[1], strings.TrimSpace(c[3]), reply)
		return
	}
	if !b.isAgent(m.From.ID) || st == nil {
		return // not an agent, or agents talking among themselves
	}
	if !st.Open {
		reply(b.agentText("agent.ticket_closed", map[string]any{"Number": st.ID}))
		return
	}
	if err := b.relayToUser(ctx, st, m, edited); err != nil {
		reason := b.agentText("agent.failed", nil)
		if errors.Is(err, errBlocked) {
			b.setBlocked(ctx, st.UserID, true)
			reason = b.agentText("agent.blocked", nil)
		}
		b.log.Warn("relay to user failed", "ticket", st.ID, "err", redact(err, b.cfg.Token))
		reply(b.agentText("agent.undelivered", map[string]any{"Reason": reason}))
	}
}

// ticketOf finds the ticket a support-chat message belongs to: its topic,
// or the message it replies to.
func (b *Bot) ticketOf(ctx context.Context, m *models.Message) *conversation.TicketInfo {
	if m.MessageThreadID != 0 {
		if st, err := b.support.TicketByThread(ctx, m.MessageThreadID); err == nil {
			return st
		}
	}
	if r := m.ReplyToMessage; r != nil {
		if st, err := b.support.TicketBySupportMessage(ctx, r.ID); err == nil {
			return st
		}
	}
	return nil
}

// relayToUser copies an agent's message to the user, or applies an edit
// to the copy the user already has: the text of a text message, the
// caption of a photo or a file (the media itself is not sent again).
func (b *Bot) relayToUser(ctx context.Context, st *conversation.TicketInfo, m *models.Message, edited bool) error {
	if b.isBlocked(st.UserID) {
		return errBlocked
	}
	if edited {
		_, userMsg, err := b.support.UserMessage(ctx, m.ID)
		switch {
		case err == nil:
			err = b.editCopy(ctx, st.UserID, userMsg, m)
			if err == nil || notModified(err) {
				return nil
			}
			if !cannotEdit(err) {
				return err
			}
			// The user's copy is gone or too old to edit: send it anew.
		case !errors.Is(err, conversation.ErrNotFound):
			return err
		}
		// An edit of something never relayed: relay it now.
	}
	var id int
	err := b.send.do(ctx, st.UserID, true, func(ctx context.Context) error {
		r, err := b.api.CopyMessage(ctx, &tgbot.CopyMessageParams{ChatID: st.UserID, FromChatID: m.Chat.ID, MessageID: m.ID})
		if err == nil {
			id = r.ID
		}
		return err
	})
	if err != nil {
		return err
	}
	return b.support.MapMessage(ctx, st.ID, id, m.ID, true)
}

// editCopy applies an agent's edit to the user's copy of the message,
// with the agent's formatting.
func (b *Bot) editCopy(ctx context.Context, userID int64, userMsg int, m *models.Message) error {
	return b.send.do(ctx, userID, true, func(ctx context.Context) error {
		var err error
		if m.Text != "" {
			_, err = b.api.EditMessageText(ctx, &tgbot.EditMessageTextParams{
				ChatID: userID, MessageID: userMsg, Text: m.Text, Entities: m.Entities,
				LinkPreviewOptions: m.LinkPreviewOptions,
			})
		} else {
			_, err = b.api.EditMessageCaption(ctx, &tgbot.EditMessageCaptionParams{
				ChatID: userID, MessageID: userMsg, Caption: m.Caption, CaptionEntities: m.CaptionEntities,
			})
		}
		return err
	})
}

// agentCommand runs /claim, /close, /tickets, /note, /stage and /lang.
func (b *Bot) agentCommand(ctx context.Context, m *models.Message, st *conversation.TicketInfo, cmd, arg string, reply func(string)) {
	agent := strings.TrimSpace(m.From.FirstName + " " + m.From.LastName)
	if cmd == "tickets" {
		reply(b.ticketList(ctx))
		return
	}
	if st == nil {
		reply(b.agentText("agent.no_ticket", nil))
		return
	}
	switch cmd {
	case "claim":
		if err := b.support.ClaimTicket(ctx, st.ID, m.From.ID, agent); err != nil {
			b.log.Error("claim", "err", err)
			return
		}
		reply(b.agentText("agent.claimed", map[string]any{"Agent": agent, "Number": st.ID}))
	case "close":
		if !st.Open {
			reply(b.agentText("agent.ticket_closed", map[string]any{"Number": st.ID}))
			return
		}
		b.toUser(ctx, st.UserID, conversation.Event{Kind: conversation.KindTicketClosed, Ticket: st.ID})
		reply(b.agentText("agent.closed", map[string]any{"Number": st.ID, "Agent": agent}))
	case "note":
		if arg == "" {
			return
		}
		if err := b.support.AddNote(ctx, st.ID, m.From.ID, arg); err != nil {
			b.log.Error("note", "err", err)
			return
		}
		reply(b.agentText("agent.note_saved", nil))
	case "stage":
		card, err := b.cardText(ctx, st, false)
		if err != nil {
			b.log.Error("card", "err", err)
			return
		}
		reply(card)
	case "lang":
		lang := b.cat.Match(arg, "")
		base := strings.ToLower(strings.SplitN(arg, "-", 2)[0])
		if arg == "" || !strings.HasPrefix(strings.ToLower(lang), base) {
			var list []string
			for _, t := range b.cat.Languages() {
				list = append(list, t.String())
			}
			reply(b.agentText("agent.lang_bad", map[string]any{"List": strings.Join(list, ", ")}))
			return
		}
		b.toUser(ctx, st.UserID, conversation.Event{Kind: conversation.KindSetLanguage, Text: lang})
		reply(b.agentText("agent.lang_set", map[string]any{"Lang": lang}))
	}
}

// toUser applies an agent's event to a user's session and shows the user
// the result.
func (b *Bot) toUser(ctx context.Context, userID int64, ev conversation.Event) {
	ev.UserID = userID
	replies, err := b.engine.Handle(ctx, ev)
	if err != nil {
		b.log.Error("agent event", "user", userID, "err", err)
		return
	}
	b.deliver(ctx, incoming{ev: ev, chatID: userID}, replies)
}

// ticketList is /tickets: open tickets, who holds them, how long they wait.
func (b *Bot) ticketList(ctx context.Context) string {
	list, err := b.support.OpenTickets(ctx)
	if err != nil {
		b.log.Error("tickets", "err", err)
		return ""
	}
	if len(list) == 0 {
		return b.agentText("agent.tickets.none", nil)
	}
	var lines []string
	for _, st := range list {
		holder := st.ClaimedName
		if st.ClaimedBy == 0 {
			holder = b.agentText("agent.tickets.nobody", nil)
		}
		wait := time.Since(st.Created).Round(time.Minute)
		line := b.agentText("agent.tickets.line", map[string]any{
			"Number": st.ID, "Name": st.UserName, "Holder": holder, "Wait": wait.String(),
		})
		if b.userBlocked(&st) {
			line += " · " + b.agentText("agent.tickets.blocked", nil)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// ParseIDs reads SUPPORT_AGENT_IDS: user IDs separated by commas.
func ParseIDs(s string) ([]int64, error) {
	var out []int64
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad user ID %q: %w", f, err)
		}
		out = append(out, id)
	}
	return out, nil
}
