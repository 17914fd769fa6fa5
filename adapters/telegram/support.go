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
// there is one, and returns the message ID.
func (b *Bot) postSupport(ctx context.Context, thread int, text string) (int, error) {
	var id int
	err := b.send.do(ctx, b.cfg.SupportChatID, true, func(ctx context.Context) error {
		m, err := b.api.SendMessage(ctx, &tgbot.SendMessageParams{
			ChatID: b.cfg.SupportChatID, MessageThreadID: thread, Text: html.EscapeString(text),
			ParseMode: models.ParseModeHTML, LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()},
		})
		if err == nil {
			id = m.ID
		}
		return err
	})
	return id, err
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

// ticketOpened creates the ticket's topic (in forum mode) and posts its
// card for the agents.
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
	if err := b.postCard(ctx, ch.ID); err != nil {
		b.log.Error("posting a ticket card failed", "ticket", ch.ID, "err", redact(err, b.cfg.Token))
	}
}

// postCard (re)creates the ticket's topic in forum mode and posts the card.
func (b *Bot) postCard(ctx context.Context, id int64) error {
	st, err := b.support.Ticket(ctx, id)
	if err != nil {
		return err
	}
	lang := ""
	card, err := b.engine.Card(ctx, st.UserID, b.cat.Match(b.cfg.SupportLang, ""))
	if err != nil {
		return err
	}
	if s, ok, _ := b.loadLang(ctx, st.UserID); ok {
		lang = s
	}
	title := b.agentText("agent.card.title", map[string]any{
		"Number": st.ID, "Name": st.UserName, "Username": st.UserUsername, "Lang": lang,
	})
	thread := 0
	if b.forum {
		topic, err := b.api.CreateForumTopic(ctx, &tgbot.CreateForumTopicParams{
			ChatID: b.cfg.SupportChatID, Name: truncate(fmt.Sprintf("#%d %s (%s)", st.ID, st.UserName, lang), 128),
		})
		if err != nil {
			return fmt.Errorf("create topic: %w", err)
		}
		thread = topic.MessageThreadID
		if err := b.support.SetTicketThread(ctx, id, thread); err != nil {
			return err
		}
	}
	text := title + "\n"
	if st.Description != "" {
		text += b.agentText("agent.card.description", map[string]any{"Text": st.Description}) + "\n"
	}
	text += "\n" + card + "\n\n" + b.agentText("agent.card.help", nil)
	msg, err := b.postSupport(ctx, thread, text)
	if err != nil {
		return err
	}
	return b.support.MapMessage(ctx, id, 0, msg, false)
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

// relayToSupport copies what the user sent into the ticket.
func (b *Bot) relayToSupport(ctx context.Context, in incoming, ticket int64) error {
	st, err := b.support.Ticket(ctx, ticket)
	if err != nil {
		return err
	}
	m := in.msg
	if m == nil {
		return nil
	}
	send := func() (int, error) {
		header := ""
		if !b.forum {
			header = b.agentText("agent.header", map[string]any{"Number": st.ID, "Name": st.UserName})
		}
		if in.edited {
			header = strings.TrimSpace(header + " " + b.agentText("agent.edited", nil))
		}
		if m.Text != "" && header != "" {
			return b.postSupport(ctx, st.ThreadID, header+"\n"+m.Text)
		}
		var id int
		err := b.send.do(ctx, b.cfg.SupportChatID, true, func(ctx context.Context) error {
			p := &tgbot.CopyMessageParams{ChatID: b.cfg.SupportChatID, MessageThreadID: st.ThreadID, FromChatID: m.Chat.ID, MessageID: m.ID}
			if header != "" {
				p.Caption = html.EscapeString(header + "\n" + m.Caption)
				p.ParseMode = models.ParseModeHTML
			}
			r, err := b.api.CopyMessage(ctx, p)
			if err == nil {
				id = r.ID
			}
			return err
		})
		return id, err
	}
	id, err := send()
	if topicGone(err) {
		// An agent deleted the topic: open a new one and try again.
		b.log.Warn("ticket topic gone; recreating", "ticket", ticket)
		if err = b.postCard(ctx, ticket); err == nil {
			if st, err = b.support.Ticket(ctx, ticket); err == nil {
				id, err = send()
			}
		}
	}
	if err != nil {
		return err
	}
	if in.edited {
		return nil
	}
	return b.support.MapMessage(ctx, ticket, m.ID, id, false)
}

// commandRE splits "/cmd@bot args" in the support chat.
var supportCommandRE = regexp.MustCompile(`(?s)^/([a-z_]+)(?:@\w+)?(?:\s+(.*))?$`)

// fromSupport handles an update from the support chat: agents' commands
// and answers. Nothing from anyone else, or from any other chat, ever
// reaches a user.
func (b *Bot) fromSupport(ctx context.Context, u *models.Update) {
	m, edited := u.Message, false
	if m == nil {
		m, edited = u.EditedMessage, true
	}
	if m == nil || m.From == nil || m.From.IsBot {
		return
	}
	st := b.ticketOf(ctx, m)
	reply := func(text string) {
		thread := 0
		if st != nil {
			thread = st.ThreadID
		}
		if _, err := b.postSupport(ctx, thread, text); err != nil {
			b.log.Error("support chat", "err", redact(err, b.cfg.Token))
		}
	}
	if c := supportCommandRE.FindStringSubmatch(strings.TrimSpace(m.Text)); c != nil && !edited {
		if !b.isAgent(m.From.ID) {
			reply(b.agentText("agent.not_agent", nil))
			return
		}
		b.agentCommand(ctx, m, st, c[1], strings.TrimSpace(c[2]), reply)
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
// to the copy the user already has.
func (b *Bot) relayToUser(ctx context.Context, st *conversation.TicketInfo, m *models.Message, edited bool) error {
	if b.isBlocked(st.UserID) {
		return errBlocked
	}
	if edited {
		_, userMsg, err := b.support.UserMessage(ctx, m.ID)
		if err == nil && m.Text != "" {
			err = b.send.do(ctx, st.UserID, true, func(ctx context.Context) error {
				_, err := b.api.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: st.UserID, MessageID: userMsg, Text: html.EscapeString(m.Text), ParseMode: models.ParseModeHTML})
				return err
			})
			if notModified(err) {
				return nil
			}
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

// agentCommand runs /claim, /close, /tickets, /note, /stage and /lang.
func (b *Bot) agentCommand(ctx context.Context, m *models.Message, st *conversation.TicketInfo, cmd, arg string, reply func(string)) {
	agent := strings.TrimSpace(m.From.FirstName + " " + m.From.LastName)
	if cmd == "tickets" {
		reply(b.ticketList(ctx))
		return
	}
	switch cmd {
	case "claim", "close", "note", "stage", "lang":
	default:
		return // other commands are the agents' own business
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
		card, err := b.engine.Card(ctx, st.UserID, b.cat.Match(b.cfg.SupportLang, ""))
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
		lines = append(lines, b.agentText("agent.tickets.line", map[string]any{
			"Number": st.ID, "Name": st.UserName, "Holder": holder, "Wait": wait.String(),
		}))
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
