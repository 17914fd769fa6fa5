// Package sqlite implements the conversation Store on modernc.org/sqlite:
// one file, WAL mode, embedded versioned migrations, and every change of a
// session written in the same transaction as the update that caused it.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/buyerguide/bot/conversation"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DefaultBusyTimeout is how long a connection waits for the write lock.
const DefaultBusyTimeout = 5 * time.Second

// DB is the SQLite store.
type DB struct {
	db   *sql.DB
	path string
	// Now is the clock; tests replace it.
	Now func() time.Time
	// stmts are the hot statements (hotQueries), prepared once in Open:
	// parsing the SQL again for every update cost a fifth of the CPU of a
	// button press. Read-only after Open.
	stmts map[string]*sql.Stmt
}

// The statements every update runs.
const (
	qRecordUpdate = `INSERT INTO processed_updates (update_id, user_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
	qLoadUser     = `SELECT lang, lang_code, step, version, source, input, ticket, recent, progress, created_at FROM users WHERE id = ?`
	qSaveUser     = `
		INSERT INTO users (id, lang, lang_code, step, version, source, input, ticket, recent, progress, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET lang = excluded.lang, lang_code = excluded.lang_code,
			step = excluded.step, version = excluded.version, source = excluded.source,
			input = excluded.input, ticket = excluded.ticket, recent = excluded.recent,
			progress = excluded.progress, updated_at = excluded.updated_at`
	qUnknownLabel = `
		INSERT INTO unknown_labels (text, count, first_seen, last_seen) VALUES (?, 1, ?, ?)
		ON CONFLICT (text) DO UPDATE SET count = count + 1, last_seen = excluded.last_seen`
	qTransition = `INSERT INTO transitions (user_id, at, update_id, event, src, dst) VALUES (?, ?, ?, ?, ?, ?)`
	qInboxAdd   = `
		INSERT INTO inbox (update_id, user_id, payload, received_at)
		SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM processed_updates WHERE update_id = ?)
		ON CONFLICT (update_id) DO NOTHING`
	qInboxDone = `DELETE FROM inbox WHERE update_id = ?`
)

var hotQueries = []string{qRecordUpdate, qLoadUser, qSaveUser, qUnknownLabel, qTransition, qInboxAdd, qInboxDone}

// prepare prepares the hot statements. It runs before any transaction:
// with one connection, preparing while a transaction holds it would wait
// for ever.
func (db *DB) prepare(ctx context.Context) error {
	db.stmts = make(map[string]*sql.Stmt, len(hotQueries))
	for _, q := range hotQueries {
		st, err := db.db.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("sqlite: prepare: %w", err)
		}
		db.stmts[q] = st
	}
	return nil
}

// stmt returns the prepared statement of a hot query, bound to tx.
func (db *DB) stmt(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	st, ok := db.stmts[query]
	if !ok {
		panic("sqlite: not a prepared query: " + query) // a programming error, caught by every test
	}
	return tx.StmtContext(ctx, st)
}

// exec runs a hot statement in tx.
func (db *DB) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	return db.stmt(ctx, tx, query).ExecContext(ctx, args...)
}

var _ conversation.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path and applies
// the migrations. A new file is created readable by its owner only: it
// holds people's progress and order drafts.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	q := url.Values{}
	// Pragmas in the DSN run on every pooled connection.
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", DefaultBusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// NORMAL in WAL mode: a commit survives a crash of the process (what
	// "durable" means for the bot's guarantees); only a power loss can
	// roll back the last commits.
	q.Add("_pragma", "synchronous(NORMAL)")
	// Every transaction here writes: take the write lock up front so two
	// transactions never deadlock upgrading from a read lock.
	q.Set("_txlock", "immediate")
	sdb, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// SQLite has one writer at a time; one connection queues writers in
	// Go instead of spinning on the busy timeout.
	sdb.SetMaxOpenConns(1)
	db := &DB{db: sdb, path: path, Now: time.Now}
	if err := db.migrate(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	if err := db.prepare(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// createPrivate creates an empty file with mode 0600 if none exists.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return f.Close()
}

// Close closes the database.
func (db *DB) Close() error {
	for _, st := range db.stmts {
		st.Close()
	}
	if err := db.db.Close(); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.db.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// migrate applies the embedded migrations not applied yet, each in its own
// transaction, in file name order.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("sqlite: migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := db.migrateFile(ctx, name); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", name, err)
		}
	}
	return nil
}

func (db *DB) migrateFile(ctx context.Context, name string) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	b, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(b)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name) VALUES (?)`, name); err != nil {
		return err
	}
	return tx.Commit()
}

// Update implements conversation.Store.
func (db *DB) Update(ctx context.Context, userID, updateID int64, fn func(*conversation.Session) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	now := db.Now()
	if updateID != 0 {
		res, err := db.exec(ctx, tx, qRecordUpdate, updateID, userID, now.Unix())
		if err != nil {
			return fmt.Errorf("sqlite: record update: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlite: record update: %w", err)
		} else if n == 0 {
			return conversation.ErrDuplicate
		}
	}
	s, err := db.loadSession(ctx, tx, userID)
	if err != nil {
		return err
	}
	s.Drafts = &txDrafts{tx: tx, userID: userID, now: now}
	s.Tickets = &txTickets{tx: tx, userID: userID, now: now}
	if err := fn(s); err != nil {
		return err
	}
	if s.Forget {
		if err := forget(ctx, tx, userID, updateID); err != nil {
			return err
		}
	} else if err := db.saveSession(ctx, tx, s, updateID, now); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// Load returns a user's session without changing anything; ok is false
// for an unknown user.
func (db *DB) Load(ctx context.Context, userID int64) (s *conversation.Session, ok bool, err error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	s, err = db.loadSession(ctx, tx, userID)
	if err != nil {
		return nil, false, err
	}
	return s, !s.New(), nil
}

func (db *DB) loadSession(ctx context.Context, tx *sql.Tx, userID int64) (*conversation.Session, error) {
	s := &conversation.Session{UserID: userID, Progress: map[string]conversation.Mark{}}
	var created int64
	var recent, progress string
	err := db.stmt(ctx, tx, qLoadUser).QueryRowContext(ctx, userID).
		Scan(&s.Lang, &s.LangCode, &s.Step, &s.Version, &s.Source, &s.Input, &s.Ticket, &recent, &progress, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: load user %d: %w", userID, err)
	}
	s.Created = time.Unix(created, 0)
	if err := json.Unmarshal([]byte(recent), &s.Recent); err != nil {
		return nil, fmt.Errorf("sqlite: recent messages of %d: %w", userID, err)
	}
	for _, kv := range strings.Split(progress, ",") {
		if k, m, ok := strings.Cut(kv, "="); ok && m != "" {
			s.Progress[k] = conversation.Mark(m[0])
		}
	}
	return s, nil
}

// encodeProgress writes progress as "step=mark,step=mark", sorted so the
// same progress is always the same text.
func encodeProgress(p map[string]conversation.Mark) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteByte(byte(p[k]))
	}
	return b.String()
}

func (db *DB) saveSession(ctx context.Context, tx *sql.Tx, s *conversation.Session, updateID int64, now time.Time) error {
	created := now.Unix()
	if !s.New() {
		created = s.Created.Unix()
	}
	recent := []byte("[]")
	if len(s.Recent) > 0 {
		var err error
		if recent, err = json.Marshal(s.Recent); err != nil {
			return fmt.Errorf("sqlite: save user %d: %w", s.UserID, err)
		}
	}
	_, err := db.exec(ctx, tx, qSaveUser,
		s.UserID, s.Lang, s.LangCode, s.Step, s.Version, s.Source, s.Input, s.Ticket, string(recent),
		encodeProgress(s.Progress), created, now.Unix())
	if err != nil {
		return fmt.Errorf("sqlite: save user %d: %w", s.UserID, err)
	}
	for _, text := range s.Unknown {
		if _, err := db.exec(ctx, tx, qUnknownLabel,
			text, now.Unix(), now.Unix()); err != nil {
			return fmt.Errorf("sqlite: record unknown label: %w", err)
		}
	}
	for _, tr := range s.Transitions {
		if _, err := db.exec(ctx, tx, qTransition,
			s.UserID, now.Unix(), updateID, tr.Event, tr.From, tr.To); err != nil {
			return fmt.Errorf("sqlite: log transition of %d: %w", s.UserID, err)
		}
	}
	return nil
}

// Transitions returns a user's log, oldest first, as "event from→to".
func (db *DB) Transitions(ctx context.Context, userID int64) ([]conversation.Transition, error) {
	rows, err := db.db.QueryContext(ctx,
		`SELECT event, src, dst FROM transitions WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: transitions of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []conversation.Transition
	for rows.Next() {
		var t conversation.Transition
		if err := rows.Scan(&t.Event, &t.From, &t.To); err != nil {
			return nil, fmt.Errorf("sqlite: transitions of %d: %w", userID, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: transitions of %d: %w", userID, err)
	}
	return out, nil
}

// UnknownLabel is a Chinese text users asked about that the glossary does
// not explain.
type UnknownLabel struct {
	Text     string
	Count    int
	LastSeen time.Time
}

// UnknownLabels returns the texts, most asked first.
func (db *DB) UnknownLabels(ctx context.Context, limit int) ([]UnknownLabel, error) {
	rows, err := db.db.QueryContext(ctx,
		`SELECT text, count, last_seen FROM unknown_labels ORDER BY count DESC, last_seen DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: unknown labels: %w", err)
	}
	defer rows.Close()
	var out []UnknownLabel
	for rows.Next() {
		var u UnknownLabel
		var at int64
		if err := rows.Scan(&u.Text, &u.Count, &at); err != nil {
			return nil, fmt.Errorf("sqlite: unknown labels: %w", err)
		}
		u.LastSeen = time.Unix(at, 0)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: unknown labels: %w", err)
	}
	return out, nil
}

// forget deletes everything kept about a user: the users row and, through
// ON DELETE CASCADE, progress, transitions, drafts and their items,
// tickets with their messages and notes; then their processed-update
// records and queued updates, except the update doing the forgetting
// (kept so that a redelivery of it is still recognised; it holds no
// more than the two IDs and a time, and is pruned with the rest).
func forget(ctx context.Context, tx *sql.Tx, userID, updateID int64) error {
	for _, q := range []string{
		`DELETE FROM users WHERE id = ?`,
		`DELETE FROM processed_updates WHERE user_id = ? AND update_id != ?`,
		`DELETE FROM inbox WHERE user_id = ? AND update_id != ?`,
	} {
		args := []any{userID}
		if strings.Contains(q, "update_id") {
			args = append(args, updateID)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("sqlite: forget %d: %w", userID, err)
		}
	}
	return nil
}

// PruneProcessed deletes processed-update records older than age: by then
// Telegram no longer redelivers them.
func (db *DB) PruneProcessed(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.db.ExecContext(ctx, `DELETE FROM processed_updates WHERE at < ?`, before.Unix())
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// CountTransitions counts every user's log entries (the load tool checks
// that no press was lost).
func (db *DB) CountTransitions(ctx context.Context) (int, error) {
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM transitions`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count transitions: %w", err)
	}
	return n, nil
}
