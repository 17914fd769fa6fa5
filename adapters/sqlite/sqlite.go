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
	"sync/atomic"
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
	// names numbers step keys and event names (compact.go).
	names names
	// newest is the highest update ID ever handled: a received update
	// above it cannot have been handled, and InboxAdd need not look it up
	// (with long polling, that is every new update).
	newest atomic.Int64
}

// loadNewest finds the highest update ID handled, in every user's log and
// among the processed updates. It reads every users row once, at Open: a
// few milliseconds for ten thousand users.
func (db *DB) loadNewest(ctx context.Context) error {
	var newest int64
	if err := db.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(update_id), 0) FROM processed_updates`).Scan(&newest); err != nil {
		return fmt.Errorf("sqlite: newest update: %w", err)
	}
	err := db.eachEntry(ctx, func(e entry) { newest = max(newest, e.update) })
	if err != nil {
		return fmt.Errorf("sqlite: newest update: %w", err)
	}
	db.newest.Store(newest)
	return nil
}

// handledUpTo raises newest to id.
func (db *DB) handledUpTo(id int64) {
	for {
		cur := db.newest.Load()
		if id <= cur || db.newest.CompareAndSwap(cur, id) {
			return
		}
	}
}

// The statements every update runs.
const (
	qProcessed = `SELECT COUNT(*) FROM processed_updates WHERE update_id = ?`
	qLoadUser  = `SELECT lang, lang_code, step, version, source, input, ticket, recent, progress, log, created_at FROM users WHERE id = ?`
	qUserLog   = `SELECT log FROM users WHERE id = ?`
	qSaveUser  = `
		INSERT INTO users (id, lang, lang_code, step, version, source, input, ticket, recent, progress, log, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET lang = excluded.lang, lang_code = excluded.lang_code,
			step = excluded.step, version = excluded.version, source = excluded.source,
			input = excluded.input, ticket = excluded.ticket, recent = excluded.recent,
			progress = excluded.progress, log = excluded.log, updated_at = excluded.updated_at`
	qUnknownLabel = `
		INSERT INTO unknown_labels (text, count, first_seen, last_seen) VALUES (?, 1, ?, ?)
		ON CONFLICT (text) DO UPDATE SET count = count + 1, last_seen = excluded.last_seen`
	qRemember  = `INSERT INTO processed_updates (update_id, user_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
	qInboxAdd  = `INSERT INTO inbox (update_id, user_id, payload, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING`
	qInboxDone = `DELETE FROM inbox WHERE update_id = ?`
)

var hotQueries = []string{qProcessed, qLoadUser, qUserLog, qSaveUser, qUnknownLabel, qRemember, qInboxAdd, qInboxDone}

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
	if err := db.names.load(ctx, sdb); err != nil {
		sdb.Close()
		return nil, err
	}
	if err := db.loadNewest(ctx); err != nil {
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
	if up := upgrades[name]; up != nil {
		if err := up(ctx, tx); err != nil {
			return err
		}
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
	s, log, err := db.loadSession(ctx, tx, userID)
	if err != nil {
		return err
	}
	if updateID != 0 {
		dup, err := db.handled(ctx, tx, log, updateID, now)
		if err != nil {
			return err
		}
		if dup {
			return conversation.ErrDuplicate
		}
	}
	s.Drafts = &txDrafts{tx: tx, userID: userID, now: now}
	s.Tickets = &txTickets{tx: tx, userID: userID, now: now}
	if err := fn(s); err != nil {
		return err
	}
	in := &interner{n: &db.names, tx: tx}
	if s.Forget {
		if err := db.forget(ctx, tx, userID, updateID, now); err != nil {
			return err
		}
	} else if err := db.saveSession(ctx, tx, in, s, log, updateID, now); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	in.committed()
	db.handledUpTo(updateID)
	return nil
}

// handled reports whether an update was applied before: in the user's
// log, or among the processed updates no log holds.
func (db *DB) handled(ctx context.Context, tx *sql.Tx, log []byte, updateID int64, now time.Time) (bool, error) {
	if dup, err := seen(log, updateID, now); err != nil || dup {
		return dup, err
	}
	var n int
	if err := db.stmt(ctx, tx, qProcessed).QueryRowContext(ctx, updateID).Scan(&n); err != nil {
		return false, fmt.Errorf("sqlite: processed update %d: %w", updateID, err)
	}
	return n > 0, nil
}

// Load returns a user's session without changing anything; ok is false
// for an unknown user.
func (db *DB) Load(ctx context.Context, userID int64) (s *conversation.Session, ok bool, err error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	s, _, err = db.loadSession(ctx, tx, userID)
	if err != nil {
		return nil, false, err
	}
	return s, !s.New(), nil
}

func (db *DB) loadSession(ctx context.Context, tx *sql.Tx, userID int64) (*conversation.Session, []byte, error) {
	s := &conversation.Session{UserID: userID, Progress: map[string]conversation.Mark{}}
	var created int64
	var recent string
	var progress, logBlob []byte
	err := db.stmt(ctx, tx, qLoadUser).QueryRowContext(ctx, userID).
		Scan(&s.Lang, &s.LangCode, &s.Step, &s.Version, &s.Source, &s.Input, &s.Ticket, &recent, &progress, &logBlob, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: load user %d: %w", userID, err)
	}
	s.Created = time.Unix(created, 0)
	if err := json.Unmarshal([]byte(recent), &s.Recent); err != nil {
		return nil, nil, fmt.Errorf("sqlite: recent messages of %d: %w", userID, err)
	}
	if s.Progress, err = db.names.decodeProgress(progress); err != nil {
		return nil, nil, fmt.Errorf("sqlite: progress of %d: %w", userID, err)
	}
	return s, logBlob, nil
}

func (db *DB) saveSession(ctx context.Context, tx *sql.Tx, in *interner, s *conversation.Session, log []byte, updateID int64, now time.Time) error {
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
	progress, err := in.encodeProgress(ctx, s.Progress)
	if err != nil {
		return fmt.Errorf("sqlite: save user %d: %w", s.UserID, err)
	}
	var add []entry
	for _, tr := range s.Transitions {
		e, err := in.transition(ctx, updateID, now.Unix(), tr)
		if err != nil {
			return err
		}
		add = append(add, e)
	}
	if len(s.Transitions) == 0 && updateID != 0 {
		// Moved nothing, but must be recognised if it comes again.
		add = append(add, entry{update: updateID, at: now.Unix()})
	}
	if log, err = appendLog(log, add); err != nil {
		return fmt.Errorf("sqlite: log of %d: %w", s.UserID, err)
	}
	_, err = db.exec(ctx, tx, qSaveUser,
		s.UserID, s.Lang, s.LangCode, s.Step, s.Version, s.Source, s.Input, s.Ticket, string(recent),
		progress, log, created, now.Unix())
	if err != nil {
		return fmt.Errorf("sqlite: save user %d: %w", s.UserID, err)
	}
	for _, text := range s.Unknown {
		if _, err := db.exec(ctx, tx, qUnknownLabel, text, now.Unix(), now.Unix()); err != nil {
			return fmt.Errorf("sqlite: record unknown label: %w", err)
		}
	}
	return nil
}

// Transitions returns a user's log of moves through the guide, oldest
// first: the last ones, up to what the log keeps.
func (db *DB) Transitions(ctx context.Context, userID int64) ([]conversation.Transition, error) {
	var blob []byte
	err := db.db.QueryRowContext(ctx, `SELECT log FROM users WHERE id = ?`, userID).Scan(&blob)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: transitions of %d: %w", userID, err)
	}
	log, err := decodeLog(blob)
	if err != nil {
		return nil, fmt.Errorf("sqlite: transitions of %d: %w", userID, err)
	}
	var out []conversation.Transition
	for _, e := range log {
		if e.event != 0 {
			out = append(out, conversation.Transition{Event: db.names.name(e.event), From: db.names.name(e.from), To: db.names.name(e.to)})
		}
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

// PruneUnknown deletes the unknown labels not asked about since before:
// the worklist keeps what buyers meet now, and nothing pasted stays for
// good. (What is recorded at all is decided by the engine: short runs of
// Chinese, never next to a name, an address or a phone number, never from
// text holding a code or a password.)
func (db *DB) PruneUnknown(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.db.ExecContext(ctx, `DELETE FROM unknown_labels WHERE last_seen < ?`, before.Unix())
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune unknown labels: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// forget deletes everything kept about a user: the users row (with their
// progress and log) and, through ON DELETE CASCADE, drafts and their
// items, tickets with their messages and notes; then their processed-
// update records and queued updates. The update doing the forgetting is
// remembered as processed, so that a redelivery of it is still
// recognised; that record holds two IDs and a time, and is pruned with
// the rest.
func (db *DB) forget(ctx context.Context, tx *sql.Tx, userID, updateID int64, now time.Time) error {
	for _, q := range []string{
		`DELETE FROM users WHERE id = ?`,
		`DELETE FROM processed_updates WHERE user_id = ?`,
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
	if updateID != 0 {
		if _, err := db.exec(ctx, tx, qRemember, updateID, userID, now.Unix()); err != nil {
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

// CountTransitions counts the transitions in every user's log (the load
// tool checks that no press was lost).
func (db *DB) CountTransitions(ctx context.Context) (int, error) {
	n := 0
	err := db.eachEntry(ctx, func(e entry) {
		if e.event != 0 {
			n++
		}
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: count transitions: %w", err)
	}
	return n, nil
}

// eachEntry calls fn with every entry of every user's log.
func (db *DB) eachEntry(ctx context.Context, fn func(entry)) error {
	rows, err := db.db.QueryContext(ctx, `SELECT log FROM users`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var blob []byte
	for rows.Next() {
		if err := rows.Scan(&blob); err != nil {
			return err
		}
		e := entry{}
		for rest := blob; len(rest) > 0; {
			var ok bool
			if e, rest, ok = nextEntry(rest, e); !ok {
				return errCorrupt
			}
			fn(e)
		}
	}
	return rows.Err()
}
