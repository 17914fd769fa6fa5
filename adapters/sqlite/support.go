package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/buyerguide/bot/conversation"
)

// txTickets is one user's tickets inside the transaction of an update.
type txTickets struct {
	tx     *sql.Tx
	userID int64
	now    time.Time
}

var _ conversation.Tickets = (*txTickets)(nil)

func (t *txTickets) Open(ctx context.Context, description string) (*conversation.Ticket, error) {
	res, err := t.tx.ExecContext(ctx,
		`INSERT INTO tickets (user_id, description, created_at) VALUES (?, ?, ?)`, t.userID, description, t.now.Unix())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open ticket: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, fmt.Errorf("sqlite: open ticket: %w", err)
	}
	return &conversation.Ticket{ID: id, UserID: t.userID, Status: "open", Description: description}, nil
}

func (t *txTickets) Close(ctx context.Context, id int64) error {
	if _, err := t.tx.ExecContext(ctx,
		`UPDATE tickets SET status = 'closed', closed_at = ? WHERE id = ? AND user_id = ? AND status = 'open'`,
		t.now.Unix(), id, t.userID); err != nil {
		return fmt.Errorf("sqlite: close ticket: %w", err)
	}
	return nil
}

const ticketColumns = `t.id, t.user_id, t.status = 'open', t.description, t.user_name, t.user_username,
	t.thread_id, t.claimed_by, t.claimed_name, t.created_at, u.blocked_at IS NOT NULL`

func scanTicket(row interface{ Scan(...any) error }) (*conversation.TicketInfo, error) {
	var st conversation.TicketInfo
	var at int64
	if err := row.Scan(&st.ID, &st.UserID, &st.Open, &st.Description, &st.UserName, &st.UserUsername,
		&st.ThreadID, &st.ClaimedBy, &st.ClaimedName, &at, &st.UserBlocked); err != nil {
		return nil, err
	}
	st.Created = time.Unix(at, 0)
	return &st, nil
}

// ticketWhere returns the one ticket matching a condition, or
// conversation.ErrNotFound.
func (db *DB) ticketWhere(ctx context.Context, cond string, args ...any) (*conversation.TicketInfo, error) {
	row := db.db.QueryRowContext(ctx,
		`SELECT `+ticketColumns+` FROM tickets t JOIN users u ON u.id = t.user_id WHERE `+cond+` ORDER BY t.id DESC LIMIT 1`, args...)
	st, err := scanTicket(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, conversation.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: ticket: %w", err)
	}
	return st, nil
}

// Ticket returns a ticket by ID.
func (db *DB) Ticket(ctx context.Context, id int64) (*conversation.TicketInfo, error) {
	return db.ticketWhere(ctx, `t.id = ?`, id)
}

// TicketByThread returns the ticket of a forum topic in the support chat.
func (db *DB) TicketByThread(ctx context.Context, thread int) (*conversation.TicketInfo, error) {
	if thread == 0 {
		return nil, conversation.ErrNotFound
	}
	return db.ticketWhere(ctx, `t.thread_id = ?`, thread)
}

// TicketBySupportMessage returns the ticket a message in the support chat
// belongs to (a relayed message or the ticket's card).
func (db *DB) TicketBySupportMessage(ctx context.Context, msg int) (*conversation.TicketInfo, error) {
	return db.ticketWhere(ctx, `t.id = (SELECT ticket_id FROM ticket_messages WHERE support_msg = ?)`, msg)
}

// OpenTickets lists the open tickets, oldest first.
func (db *DB) OpenTickets(ctx context.Context) ([]conversation.TicketInfo, error) {
	rows, err := db.db.QueryContext(ctx,
		`SELECT `+ticketColumns+` FROM tickets t JOIN users u ON u.id = t.user_id WHERE t.status = 'open' ORDER BY t.id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open tickets: %w", err)
	}
	defer rows.Close()
	var out []conversation.TicketInfo
	for rows.Next() {
		st, err := scanTicket(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: open tickets: %w", err)
		}
		out = append(out, *st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: open tickets: %w", err)
	}
	return out, nil
}

// SetTicketUser records who the ticket's user is, for the agents.
func (db *DB) SetTicketUser(ctx context.Context, id int64, name, username string) error {
	if _, err := db.db.ExecContext(ctx, `UPDATE tickets SET user_name = ?, user_username = ? WHERE id = ?`, name, username, id); err != nil {
		return fmt.Errorf("sqlite: ticket user: %w", err)
	}
	return nil
}

// SetTicketThread records the forum topic of a ticket.
func (db *DB) SetTicketThread(ctx context.Context, id int64, thread int) error {
	if _, err := db.db.ExecContext(ctx, `UPDATE tickets SET thread_id = ? WHERE id = ?`, thread, id); err != nil {
		return fmt.Errorf("sqlite: ticket thread: %w", err)
	}
	return nil
}

// ClaimTicket records the agent who takes a ticket.
func (db *DB) ClaimTicket(ctx context.Context, id, agentID int64, name string) error {
	if _, err := db.db.ExecContext(ctx, `UPDATE tickets SET claimed_by = ?, claimed_name = ? WHERE id = ?`, agentID, name, id); err != nil {
		return fmt.Errorf("sqlite: claim ticket: %w", err)
	}
	return nil
}

// AddNote stores an agent's internal note.
func (db *DB) AddNote(ctx context.Context, id, agentID int64, text string) error {
	if _, err := db.db.ExecContext(ctx, `INSERT INTO ticket_notes (ticket_id, agent_id, text, at) VALUES (?, ?, ?, ?)`,
		id, agentID, text, db.Now().Unix()); err != nil {
		return fmt.Errorf("sqlite: note: %w", err)
	}
	return nil
}

// MapMessage records that a message in the user's chat and one in the
// support chat are the same relayed message.
func (db *DB) MapMessage(ctx context.Context, ticket int64, userMsg, supportMsg int, fromAgent bool) error {
	if _, err := db.db.ExecContext(ctx, `
		INSERT INTO ticket_messages (ticket_id, user_msg, support_msg, from_agent) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, ticket, userMsg, supportMsg, fromAgent); err != nil {
		return fmt.Errorf("sqlite: map message: %w", err)
	}
	return nil
}

// MapSupportMessage records a message in the support chat that belongs to
// a ticket but has no counterpart in the user's chat: a ticket card, or
// the second and later parts of a message too long for one. Agents reply
// to it like to any relayed message. Such a row keeps the negated support
// message ID as its user_msg, which keeps the primary key unique (support
// message IDs are positive and unique in the support chat) and out of the
// way of real user messages.
func (db *DB) MapSupportMessage(ctx context.Context, ticket int64, supportMsg int) error {
	if _, err := db.db.ExecContext(ctx, `
		INSERT INTO ticket_messages (ticket_id, user_msg, support_msg, from_agent) VALUES (?, ?, ?, 0)
		ON CONFLICT DO NOTHING`, ticket, -supportMsg, supportMsg); err != nil {
		return fmt.Errorf("sqlite: map support message: %w", err)
	}
	return nil
}

// SupportMessage returns the support-chat copy of a user's message.
func (db *DB) SupportMessage(ctx context.Context, ticket int64, userMsg int) (int, error) {
	var id int
	err := db.db.QueryRowContext(ctx,
		`SELECT support_msg FROM ticket_messages WHERE ticket_id = ? AND user_msg = ? AND from_agent = 0`, ticket, userMsg).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, conversation.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: support message: %w", err)
	}
	return id, nil
}

// UserMessage returns the user-chat copy of an agent's message.
func (db *DB) UserMessage(ctx context.Context, supportMsg int) (ticket int64, userMsg int, err error) {
	err = db.db.QueryRowContext(ctx,
		`SELECT ticket_id, user_msg FROM ticket_messages WHERE support_msg = ? AND from_agent = 1`, supportMsg).Scan(&ticket, &userMsg)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, conversation.ErrNotFound
	}
	if err != nil {
		return 0, 0, fmt.Errorf("sqlite: user message: %w", err)
	}
	return ticket, userMsg, nil
}

func (t *txTickets) Count(ctx context.Context) (int, error) {
	var n int
	if err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE user_id = ?`, t.userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count tickets: %w", err)
	}
	return n, nil
}

// OpenTicketCount is how many tickets are open.
func (db *DB) OpenTicketCount(ctx context.Context) (int, error) {
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE status = 'open'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: open tickets: %w", err)
	}
	return n, nil
}

// StageCounts is how many users are at each stage of the guide.
func (db *DB) StageCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.db.QueryContext(ctx,
		`SELECT substr(step, 1, instr(step, '.') - 1) AS stage, COUNT(*) FROM users GROUP BY stage`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: stage counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var stage string
		var n int
		if err := rows.Scan(&stage, &n); err != nil {
			return nil, fmt.Errorf("sqlite: stage counts: %w", err)
		}
		out[stage] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: stage counts: %w", err)
	}
	return out, nil
}
