package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/buyerguide/bot/conversation"
)

var _ conversation.Inbox = (*DB)(nil)

// InboxAdd stores received updates in one transaction and returns those
// that are new: an update already in the inbox or already processed (a
// redelivery) is left out.
func (db *DB) InboxAdd(ctx context.Context, items []conversation.Inbound) ([]conversation.Inbound, error) {
	if len(items) == 0 {
		return nil, nil
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	now := db.Now()
	var fresh []conversation.Inbound
	newest := db.newest.Load()
	for _, it := range items {
		if it.UpdateID <= newest {
			dup, err := db.seenBefore(ctx, tx, it, now)
			if err != nil {
				return nil, err
			}
			if dup {
				continue
			}
		}
		// Above newest: not handled yet, or handled but still in the
		// inbox, which the insert below recognises.
		res, err := db.exec(ctx, tx, qInboxAdd, it.UpdateID, it.UserID, it.Payload, now.Unix())
		if err != nil {
			return nil, fmt.Errorf("sqlite: inbox add %d: %w", it.UpdateID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("sqlite: inbox add %d: %w", it.UpdateID, err)
		} else if n == 1 {
			fresh = append(fresh, it)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: inbox commit: %w", err)
	}
	return fresh, nil
}

// seenBefore reports whether a received update was handled already.
func (db *DB) seenBefore(ctx context.Context, tx *sql.Tx, it conversation.Inbound, now time.Time) (bool, error) {
	var blob []byte
	err := db.stmt(ctx, tx, qUserLog).QueryRowContext(ctx, it.UserID).Scan(&blob)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("sqlite: log of %d: %w", it.UserID, err)
	}
	dup, err := db.handled(ctx, tx, blob, it.UpdateID, now)
	if err != nil {
		return false, fmt.Errorf("sqlite: log of %d: %w", it.UserID, err)
	}
	return dup, nil
}

// InboxPending returns the updates not yet handled, oldest first (after a
// restart).
func (db *DB) InboxPending(ctx context.Context) ([]conversation.Inbound, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT update_id, user_id, payload FROM inbox ORDER BY update_id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: inbox pending: %w", err)
	}
	defer rows.Close()
	var out []conversation.Inbound
	for rows.Next() {
		var it conversation.Inbound
		if err := rows.Scan(&it.UpdateID, &it.UserID, &it.Payload); err != nil {
			return nil, fmt.Errorf("sqlite: inbox pending: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: inbox pending: %w", err)
	}
	return out, nil
}

// InboxDone removes handled updates, in one transaction. Those marked
// Remember (handled outside the engine, which logs the rest) are recorded
// as processed in the same transaction, so a redelivery is recognised.
func (db *DB) InboxDone(ctx context.Context, items ...conversation.Inbound) error {
	if len(items) == 0 {
		return nil
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	now := db.Now().Unix()
	for _, it := range items {
		if it.Remember {
			if _, err := db.exec(ctx, tx, qRemember, it.UpdateID, it.UserID, now); err != nil {
				return fmt.Errorf("sqlite: remember update %d: %w", it.UpdateID, err)
			}
		}
		if _, err := db.exec(ctx, tx, qInboxDone, it.UpdateID); err != nil {
			return fmt.Errorf("sqlite: inbox done %d: %w", it.UpdateID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: inbox done: %w", err)
	}
	for _, it := range items {
		if it.Remember {
			db.handledUpTo(it.UpdateID)
		}
	}
	return nil
}

// SetBlocked records that a user blocked the bot (or wrote again).
func (db *DB) SetBlocked(ctx context.Context, userID int64, blocked bool) error {
	var at any
	if blocked {
		at = db.Now().Unix()
	}
	if _, err := db.db.ExecContext(ctx, `UPDATE users SET blocked_at = ? WHERE id = ?`, at, userID); err != nil {
		return fmt.Errorf("sqlite: set blocked %d: %w", userID, err)
	}
	return nil
}

// BlockedUsers lists the users who blocked the bot.
func (db *DB) BlockedUsers(ctx context.Context) ([]int64, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id FROM users WHERE blocked_at IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: blocked users: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlite: blocked users: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: blocked users: %w", err)
	}
	return out, nil
}

// Secret returns the named secret, generating and storing size random
// bytes the first time.
func (db *DB) Secret(ctx context.Context, name string, size int) ([]byte, error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	var v []byte
	err = tx.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: secret %s: %w", name, err)
	}
	v = make([]byte, size)
	if _, err := rand.Read(v); err != nil {
		return nil, fmt.Errorf("sqlite: secret %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO secrets (name, value) VALUES (?, ?)`, name, v); err != nil {
		return nil, fmt.Errorf("sqlite: secret %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: secret %s: %w", name, err)
	}
	return v, nil
}
