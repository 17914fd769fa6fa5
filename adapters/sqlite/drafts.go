package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/buyerguide/bot/conversation"
)

// txDrafts is one user's drafts inside the transaction of an update.
type txDrafts struct {
	tx     *sql.Tx
	userID int64
	now    time.Time
}

var _ conversation.Drafts = (*txDrafts)(nil)

func (d *txDrafts) List(ctx context.Context) ([]conversation.Draft, error) {
	rows, err := d.tx.QueryContext(ctx,
		`SELECT id, number, status, updated_at FROM drafts WHERE user_id = ? ORDER BY number`, d.userID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list drafts: %w", err)
	}
	var out []conversation.Draft
	for rows.Next() {
		var dr conversation.Draft
		var at int64
		if err := rows.Scan(&dr.ID, &dr.Number, &dr.Status, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: list drafts: %w", err)
		}
		dr.Updated = time.Unix(at, 0)
		out = append(out, dr)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list drafts: %w", err)
	}
	for i := range out {
		if out[i].Items, err = d.items(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (d *txDrafts) items(ctx context.Context, draftID int64) ([]conversation.Item, error) {
	rows, err := d.tx.QueryContext(ctx, `
		SELECT id, link, offer_id, title, spec, quantity, unit_fen, note
		FROM draft_items WHERE draft_id = ? ORDER BY id`, draftID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: draft items: %w", err)
	}
	defer rows.Close()
	var out []conversation.Item
	for rows.Next() {
		var it conversation.Item
		if err := rows.Scan(&it.ID, &it.Link, &it.OfferID, &it.Title, &it.Spec, &it.Qty, &it.UnitFen, &it.Note); err != nil {
			return nil, fmt.Errorf("sqlite: draft items: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: draft items: %w", err)
	}
	return out, nil
}

func (d *txDrafts) Get(ctx context.Context, id int64) (*conversation.Draft, error) {
	dr := &conversation.Draft{ID: id}
	var at int64
	err := d.tx.QueryRowContext(ctx,
		`SELECT number, status, updated_at FROM drafts WHERE id = ? AND user_id = ?`, id, d.userID).
		Scan(&dr.Number, &dr.Status, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, conversation.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get draft: %w", err)
	}
	dr.Updated = time.Unix(at, 0)
	if dr.Items, err = d.items(ctx, id); err != nil {
		return nil, err
	}
	return dr, nil
}

func (d *txDrafts) Create(ctx context.Context) (*conversation.Draft, error) {
	var n int
	if err := d.tx.QueryRowContext(ctx,
		`SELECT COALESCE(MAX(number), 0) + 1 FROM drafts WHERE user_id = ?`, d.userID).Scan(&n); err != nil {
		return nil, fmt.Errorf("sqlite: create draft: %w", err)
	}
	res, err := d.tx.ExecContext(ctx,
		`INSERT INTO drafts (user_id, number, created_at, updated_at) VALUES (?, ?, ?, ?)`,
		d.userID, n, d.now.Unix(), d.now.Unix())
	if err != nil {
		return nil, fmt.Errorf("sqlite: create draft: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, fmt.Errorf("sqlite: create draft: %w", err)
	}
	return &conversation.Draft{ID: id, Number: n, Status: conversation.StatusDraft, Updated: d.now}, nil
}

// mine checks that a draft is the user's.
func (d *txDrafts) mine(ctx context.Context, id int64) error {
	var n int
	if err := d.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM drafts WHERE id = ? AND user_id = ?`, id, d.userID).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: draft: %w", err)
	}
	if n == 0 {
		return conversation.ErrNotFound
	}
	return nil
}

func (d *txDrafts) touch(ctx context.Context, id int64) error {
	if _, err := d.tx.ExecContext(ctx, `UPDATE drafts SET updated_at = ? WHERE id = ?`, d.now.Unix(), id); err != nil {
		return fmt.Errorf("sqlite: draft: %w", err)
	}
	return nil
}

func (d *txDrafts) Delete(ctx context.Context, id int64) error {
	res, err := d.tx.ExecContext(ctx, `DELETE FROM drafts WHERE id = ? AND user_id = ?`, id, d.userID)
	if err != nil {
		return fmt.Errorf("sqlite: delete draft: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return conversation.ErrNotFound
	}
	return nil
}

func (d *txDrafts) SetStatus(ctx context.Context, id int64, status string) error {
	res, err := d.tx.ExecContext(ctx,
		`UPDATE drafts SET status = ?, updated_at = ? WHERE id = ? AND user_id = ?`, status, d.now.Unix(), id, d.userID)
	if err != nil {
		return fmt.Errorf("sqlite: draft status: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return conversation.ErrNotFound
	}
	return nil
}

func (d *txDrafts) SaveItem(ctx context.Context, draftID int64, it *conversation.Item) error {
	if err := d.mine(ctx, draftID); err != nil {
		return err
	}
	if it.ID == 0 {
		res, err := d.tx.ExecContext(ctx, `
			INSERT INTO draft_items (draft_id, link, offer_id, title, spec, quantity, unit_fen, note, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			draftID, it.Link, it.OfferID, it.Title, it.Spec, it.Qty, it.UnitFen, it.Note, d.now.Unix(), d.now.Unix())
		if err != nil {
			return fmt.Errorf("sqlite: add item: %w", err)
		}
		if it.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("sqlite: add item: %w", err)
		}
		return d.touch(ctx, draftID)
	}
	res, err := d.tx.ExecContext(ctx, `
		UPDATE draft_items SET link = ?, offer_id = ?, title = ?, spec = ?, quantity = ?, unit_fen = ?, note = ?, updated_at = ?
		WHERE id = ? AND draft_id = ?`,
		it.Link, it.OfferID, it.Title, it.Spec, it.Qty, it.UnitFen, it.Note, d.now.Unix(), it.ID, draftID)
	if err != nil {
		return fmt.Errorf("sqlite: save item: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return conversation.ErrNotFound
	}
	return d.touch(ctx, draftID)
}

func (d *txDrafts) DeleteItem(ctx context.Context, draftID, itemID int64) error {
	if err := d.mine(ctx, draftID); err != nil {
		return err
	}
	res, err := d.tx.ExecContext(ctx, `DELETE FROM draft_items WHERE id = ? AND draft_id = ?`, itemID, draftID)
	if err != nil {
		return fmt.Errorf("sqlite: delete item: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return conversation.ErrNotFound
	}
	return d.touch(ctx, draftID)
}
