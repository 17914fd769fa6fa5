package conversation

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Ticket is a request for a person: a support agent takes over the chat
// until the ticket closes, then the guide continues where it was.
type Ticket struct {
	ID          int64
	UserID      int64
	Status      string // "open" or "closed"
	Description string
}

// TicketInfo is a ticket as the support desk sees it.
type TicketInfo struct {
	ID           int64
	UserID       int64
	Open         bool
	Description  string
	UserName     string
	UserUsername string
	ThreadID     int // forum topic in the support chat; 0 in reply mode
	ClaimedBy    int64
	ClaimedName  string
	Created      time.Time
	UserBlocked  bool
}

// Tickets are the session user's support tickets, bound to the
// transaction of the update being handled.
type Tickets interface {
	Open(ctx context.Context, description string) (*Ticket, error)
	Close(ctx context.Context, id int64) error
	// Count is how many tickets the user ever opened.
	Count(ctx context.Context) (int, error)
}

// maxDescription bounds a ticket's description.
const maxDescription = 500

// maxRecent is how many of the user's last messages an agent sees.
const maxRecent = 5

// remember keeps a typed message for the agent's ticket card; text that
// looks like it holds a secret is never kept.
func (t *turn) remember(text string) {
	if HasSecret(text) {
		return
	}
	t.s.Recent = append(t.s.Recent, truncateRunes(text, 200))
	if len(t.s.Recent) > maxRecent {
		t.s.Recent = t.s.Recent[len(t.s.Recent)-maxRecent:]
	}
}

// supportStart answers "talk to a person": without a support chat, the
// guidebook's customer service; otherwise a prompt for a description.
func (t *turn) supportStart(ctx context.Context, desc string) (Reply, error) {
	if !t.e.support {
		return Reply{
			Title:   t.text("ui.support.title", nil),
			Text:    t.text("ui.support.off", nil),
			Buttons: [][]Button{t.backRow()},
		}, nil
	}
	if desc != "" {
		return t.openTicket(ctx, desc)
	}
	t.s.Input = "support:0:0:desc"
	return Reply{
		Title: t.text("ui.support.title", nil),
		Text:  t.text("ui.support.ask", nil),
		Buttons: [][]Button{
			{t.btn("ui.btn.support_send", ActSupportSend, "")},
			{{Label: t.text("ui.btn.cancel", nil), Action: t.act(ActStep, "")}},
		},
		Prompt: true,
	}, nil
}

// openTicket opens a ticket with an optional description.
func (t *turn) openTicket(ctx context.Context, desc string) (Reply, error) {
	if !t.e.support {
		t.s.Input = ""
		return t.supportStart(ctx, "")
	}
	desc = strings.TrimSpace(desc)
	if HasSecret(desc) {
		return Reply{
			Title:   t.text("ui.support.title", nil),
			Text:    t.text("ui.explain.secret", nil) + "\n\n" + t.text("ui.support.ask", nil),
			Buttons: [][]Button{{t.btn("ui.btn.support_send", ActSupportSend, "")}},
			Prompt:  true,
		}, nil
	}
	if utf8.RuneCountInString(desc) > maxDescription {
		desc = truncateRunes(desc, maxDescription) + "…"
	}
	t.s.Input = ""
	tk, err := t.s.Tickets.Open(ctx, desc)
	if err != nil {
		return Reply{}, fmt.Errorf("open ticket: %w", err)
	}
	t.s.Ticket = tk.ID
	return Reply{
		Title:   t.text("ui.support.opened_title", nil),
		Text:    t.text("ui.support.opened", map[string]any{"Number": tk.ID}),
		Buttons: [][]Button{{t.btn("ui.btn.support_end", ActSupportEnd, "")}},
		Ticket:  &TicketChange{ID: tk.ID, Opened: true, Description: desc},
	}, nil
}

// inTicket handles everything the user does while a person is in
// charge: messages go to the ticket, the guide waits.
func (t *turn) inTicket(ctx context.Context, ev Event) ([]Reply, error) {
	end := func() ([]Reply, error) {
		id := t.s.Ticket
		if err := t.s.Tickets.Close(ctx, id); err != nil {
			return nil, fmt.Errorf("close ticket: %w", err)
		}
		t.s.Ticket = 0
		r := t.stepScreen(t.text("ui.support.ended", map[string]any{"Number": id}), false)
		r.Ticket = &TicketChange{ID: id, Closed: true, ByUser: true}
		return []Reply{r}, nil
	}
	switch ev.Kind {
	case KindButton:
		if ev.Action != nil && ev.Action.Kind == ActSupportEnd {
			return end()
		}
	case KindText:
		m := commandRE.FindStringSubmatch(strings.TrimSpace(ev.Text))
		if m == nil && HasSecret(ev.Text) {
			// A code or a password never goes to the agents (nor to
			// anyone): the buyer is warned and the ticket stays open.
			return []Reply{t.secretHeld()}, nil
		}
		if m == nil {
			t.remember(ev.Text)
			return []Reply{{Relay: t.s.Ticket}}, nil
		}
		switch strings.ToLower(m[1]) {
		case "cancel", "end", "stop":
			return end()
		}
	case KindUnsupported, KindEdited:
		// Photos, screenshots, files, and edits of relayed messages.
		return []Reply{{Relay: t.s.Ticket}}, nil
	}
	return []Reply{{
		Text:    t.text("ui.support.paused", map[string]any{"Number": t.s.Ticket}),
		Buttons: [][]Button{{t.btn("ui.btn.support_end", ActSupportEnd, "")}},
		Notice:  t.text("ui.support.paused_short", nil),
	}}, nil
}

// secretHeld is the answer to a message kept from the agents because it
// looks like it holds a code or a password.
func (t *turn) secretHeld() Reply {
	return Reply{
		Text:    t.text("ui.explain.secret", nil) + "\n\n" + t.text("ui.support.not_relayed", map[string]any{"Number": t.s.Ticket}),
		Buttons: [][]Button{{t.btn("ui.btn.support_end", ActSupportEnd, "")}},
	}
}

// ticketClosed is an agent closing the user's ticket: the user is told
// and the guide continues at the same step.
func (t *turn) ticketClosed(ctx context.Context, id int64) ([]Reply, error) {
	if t.s.Ticket != id || id == 0 {
		return nil, nil
	}
	if err := t.s.Tickets.Close(ctx, id); err != nil {
		return nil, fmt.Errorf("close ticket: %w", err)
	}
	t.s.Ticket = 0
	return []Reply{t.stepScreen(t.text("ui.support.closed", map[string]any{"Number": id}), false)}, nil
}

// Card is what a support agent sees of a user when a ticket opens or on
// /stage: language, where they are in the guide, progress, their latest
// order draft and last messages. It is in the agents' language.
func (e *Engine) Card(ctx context.Context, userID int64, lang string) (string, error) {
	var out string
	err := e.store.Update(ctx, userID, 0, func(s *Session) error {
		if e.guide.step(s.Step) == nil {
			s.Step = e.guide.first
		}
		t := &turn{e: e, s: s, lang: lang}
		step := e.guide.step(s.Step)
		st := e.guide.stages[step.Stage]
		pos, total := e.guide.stagePosition(step.Key)
		done := 0
		for _, m := range s.Progress {
			if m == MarkDone || m == MarkSkipped {
				done++
			}
		}
		var b strings.Builder
		b.WriteString(t.text("agent.card.lang", map[string]any{"Lang": e.cat.Match(s.Lang, s.LangCode)}) + "\n")
		b.WriteString(t.text("agent.card.step", map[string]any{
			"Stage": t.stageName(st), "Step": t.text(step.TitleID(), nil), "Pos": pos, "Total": total,
		}) + "\n")
		b.WriteString(t.text("agent.card.progress", map[string]any{"Done": done, "Total": len(e.guide.steps)}) + "\n")
		if s.Drafts != nil {
			list, err := s.Drafts.List(ctx)
			if err != nil {
				return err
			}
			if len(list) > 0 {
				latest := list[0]
				for _, d := range list {
					if d.Updated.After(latest.Updated) {
						latest = d
					}
				}
				b.WriteString("\n" + t.text("agent.card.draft", map[string]any{"Number": latest.Number, "Status": t.statusName(latest.Status)}) + "\n")
				b.WriteString(t.summary(&latest) + "\n")
			}
		}
		if len(s.Recent) > 0 {
			b.WriteString("\n" + t.text("agent.card.recent", nil) + "\n")
			for _, m := range s.Recent {
				b.WriteString("› " + m + "\n")
			}
		}
		out = strings.TrimSpace(b.String())
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("card of %d: %w", userID, err)
	}
	return out, nil
}
