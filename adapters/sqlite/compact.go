package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/buyerguide/bot/conversation"
)

// A user's progress and history are kept in their users row, in a compact
// binary form, rather than as a row per step and per update: one row
// written per update instead of four, and under a kilobyte for a buyer
// who walked the whole guide instead of six (see the README's figures).
//
// Step keys and event names are interned in the names table: a name gets
// a small number the first time it is written and keeps it for ever, so
// renaming or reordering steps in the guide never changes what stored
// numbers mean.
//
//	progress: (uvarint name, mark byte)*            sorted by name number
//	log:      (varint Δupdate, varint Δat, uvarint event[, uvarint from, uvarint to])*
//
// The log has one entry per handled update (event 0 when it moved
// nothing) and one per transition; deltas are from the entry before it.
// It keeps the last logCap entries: the user's recent history, and what
// recognises a redelivered update.

// logCap is how many entries a user's log keeps.
const logCap = 128

// idleReset is how long the Bot API must be silent before it numbers
// updates from a random point again: within it, update IDs only grow.
const idleReset = 7 * 24 * time.Hour

// entry is one item of a user's log.
type entry struct {
	update int64
	at     int64 // unix seconds
	event  int64 // name number; 0: the update moved nothing
	from   int64
	to     int64
}

func encodeLog(es []entry) []byte {
	if len(es) > logCap {
		es = es[len(es)-logCap:]
	}
	b := make([]byte, 0, len(es)*8)
	var prev entry
	for _, e := range es {
		b = appendEntry(b, e, prev)
		prev = e
	}
	return b
}

var errCorrupt = errors.New("corrupt compact data")

func decodeLog(b []byte) ([]entry, error) {
	var out []entry
	var e entry
	for len(b) > 0 {
		var ok bool
		if e, b, ok = nextEntry(b, e); !ok {
			return nil, errCorrupt
		}
		out = append(out, e)
	}
	return out, nil
}

// nextEntry reads the entry at the start of b, which follows prev.
func nextEntry(b []byte, prev entry) (e entry, rest []byte, ok bool) {
	var du, dt int64
	var ev uint64
	if du, b, ok = varint(b); !ok {
		return e, nil, false
	}
	if dt, b, ok = varint(b); !ok {
		return e, nil, false
	}
	if ev, b, ok = uvarint(b); !ok {
		return e, nil, false
	}
	e.update, e.at, e.event = prev.update+du, prev.at+dt, int64(ev)
	if e.event != 0 {
		var from, to uint64
		if from, b, ok = uvarint(b); !ok {
			return e, nil, false
		}
		if to, b, ok = uvarint(b); !ok {
			return e, nil, false
		}
		e.from, e.to = int64(from), int64(to)
	}
	return e, b, true
}

// appendEntry encodes e after prev.
func appendEntry(b []byte, e, prev entry) []byte {
	b = binary.AppendVarint(b, e.update-prev.update)
	b = binary.AppendVarint(b, e.at-prev.at)
	b = binary.AppendUvarint(b, uint64(e.event))
	if e.event != 0 {
		b = binary.AppendUvarint(b, uint64(e.from))
		b = binary.AppendUvarint(b, uint64(e.to))
	}
	return b
}

// appendLog adds entries to an encoded log without decoding it into a
// slice (this runs for every update), dropping the oldest entries past
// logCap: the new first entry is written again from zero, the rest of the
// bytes are kept as they are.
func appendLog(log []byte, add []entry) ([]byte, error) {
	n, last := 0, entry{}
	for rest := log; len(rest) > 0; n++ {
		var ok bool
		if last, rest, ok = nextEntry(rest, last); !ok {
			return nil, errCorrupt
		}
	}
	out := make([]byte, 0, len(log)+8*len(add))
	if drop := n + len(add) - logCap; drop > 0 && drop < n {
		// Skip the dropped entries; re-base the first one kept.
		rest, e := log, entry{}
		for range drop {
			e, rest, _ = nextEntry(rest, e)
		}
		first, after, _ := nextEntry(rest, e)
		out = appendEntry(out, first, entry{})
		out = append(out, after...)
	} else if drop >= n {
		last = entry{}
		add = add[max(0, len(add)-logCap):]
	} else {
		out = append(out, log...)
	}
	for _, e := range add {
		out = appendEntry(out, e, last)
		last = e
	}
	return out, nil
}

func varint(b []byte) (int64, []byte, bool) {
	v, n := binary.Varint(b)
	if n <= 0 {
		return 0, nil, false
	}
	return v, b[n:], true
}

func uvarint(b []byte) (uint64, []byte, bool) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, nil, false
	}
	return v, b[n:], true
}

// seen reports whether the log shows the update as handled already. An ID
// in the log was handled. An ID older than everything a full log kept was
// handled too, unless the Bot API may have numbered afresh since the
// user's last update (a week of silence); an ID missing from a log that
// is not full is new, whatever its order (a webhook may deliver a user's
// updates out of order). It reads the encoded log in place: it runs for
// every update, twice.
func seen(log []byte, update int64, now time.Time) (bool, error) {
	if update == 0 || len(log) == 0 {
		return false, nil
	}
	n, e := 0, entry{}
	oldest := int64(-1)
	for rest := log; len(rest) > 0; n++ {
		var ok bool
		if e, rest, ok = nextEntry(rest, e); !ok {
			return false, errCorrupt
		}
		if e.update == update {
			return true, nil
		}
		if oldest < 0 || e.update < oldest {
			oldest = e.update
		}
	}
	return n >= logCap && update < oldest && now.Sub(time.Unix(e.at, 0)) < idleReset, nil
}

// names interns step keys and event names as small numbers.
type names struct {
	mu    sync.RWMutex
	ids   map[string]int64
	names map[int64]string
}

// load reads every name; it runs at Open.
func (n *names) load(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT id, name FROM names`)
	if err != nil {
		return fmt.Errorf("sqlite: names: %w", err)
	}
	defer rows.Close()
	n.ids, n.names = map[string]int64{}, map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return fmt.Errorf("sqlite: names: %w", err)
		}
		n.ids[name], n.names[id] = id, name
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: names: %w", err)
	}
	return nil
}

// name returns the name of a number; an unknown number (never written by
// this program) shows as "#N" rather than failing a user's update.
func (n *names) name(id int64) string {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if s, ok := n.names[id]; ok {
		return s
	}
	return "#" + strconv.FormatInt(id, 10)
}

// interner numbers names inside one transaction. Numbers it creates are
// only shared with other transactions once this one has committed.
type interner struct {
	n     *names
	tx    *sql.Tx
	fresh map[string]int64
}

func (in *interner) id(ctx context.Context, name string) (int64, error) {
	in.n.mu.RLock()
	id, ok := in.n.ids[name]
	in.n.mu.RUnlock()
	if ok {
		return id, nil
	}
	if id, ok := in.fresh[name]; ok {
		return id, nil
	}
	if err := in.tx.QueryRowContext(ctx,
		`INSERT INTO names (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id`,
		name).Scan(&id); err != nil {
		return 0, fmt.Errorf("sqlite: name %q: %w", name, err)
	}
	if in.fresh == nil {
		in.fresh = map[string]int64{}
	}
	in.fresh[name] = id
	return id, nil
}

// transition is the log entry of a transition, its names numbered.
func (in *interner) transition(ctx context.Context, update, at int64, tr conversation.Transition) (entry, error) {
	e := entry{update: update, at: at}
	var err error
	if e.event, err = in.id(ctx, tr.Event); err != nil {
		return e, err
	}
	if e.from, err = in.id(ctx, tr.From); err != nil {
		return e, err
	}
	e.to, err = in.id(ctx, tr.To)
	return e, err
}

// committed shares the numbers created in the transaction.
func (in *interner) committed() {
	if len(in.fresh) == 0 {
		return
	}
	in.n.mu.Lock()
	defer in.n.mu.Unlock()
	for name, id := range in.fresh {
		in.n.ids[name], in.n.names[id] = id, name
	}
}

func (in *interner) encodeProgress(ctx context.Context, p map[string]conversation.Mark) ([]byte, error) {
	type pair struct {
		id   int64
		mark conversation.Mark
	}
	pairs := make([]pair, 0, len(p))
	for step, mark := range p {
		id, err := in.id(ctx, step)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, pair{id, mark})
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].id < pairs[j].id })
	b := make([]byte, 0, len(pairs)*3)
	for _, pr := range pairs {
		b = binary.AppendUvarint(b, uint64(pr.id))
		b = append(b, byte(pr.mark))
	}
	return b, nil
}

func (n *names) decodeProgress(b []byte) (map[string]conversation.Mark, error) {
	p := make(map[string]conversation.Mark, len(b)/2)
	for len(b) > 0 {
		id, rest, ok := uvarint(b)
		if !ok || len(rest) == 0 {
			return nil, errCorrupt
		}
		p[n.name(int64(id))] = conversation.Mark(rest[0])
		b = rest[1:]
	}
	return p, nil
}

// upgrades are Go steps of migrations, run in the migration's transaction
// after its SQL.
var upgrades = map[string]func(context.Context, *sql.Tx) error{
	"migrations/0006_compact.sql": upgrade0006,
}

// upgrade0006 converts the rows of the progress and transitions tables
// into the compact columns of the users row, then drops the tables.
func upgrade0006(ctx context.Context, tx *sql.Tx) error {
	in := &interner{n: &names{ids: map[string]int64{}, names: map[int64]string{}}, tx: tx}
	progress := map[int64]map[string]conversation.Mark{}
	rows, err := tx.QueryContext(ctx, `SELECT user_id, step, mark FROM progress`)
	if err != nil {
		return fmt.Errorf("read progress: %w", err)
	}
	for rows.Next() {
		var user int64
		var step, mark string
		if err := rows.Scan(&user, &step, &mark); err != nil {
			rows.Close()
			return fmt.Errorf("read progress: %w", err)
		}
		if progress[user] == nil {
			progress[user] = map[string]conversation.Mark{}
		}
		if mark != "" {
			progress[user][step] = conversation.Mark(mark[0])
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read progress: %w", err)
	}
	logs := map[int64][]entry{}
	type old struct {
		user, update, at int64
		event, from, to  string
	}
	var olds []old
	rows, err = tx.QueryContext(ctx, `SELECT user_id, update_id, at, event, src, dst FROM transitions ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read transitions: %w", err)
	}
	for rows.Next() {
		var o old
		if err := rows.Scan(&o.user, &o.update, &o.at, &o.event, &o.from, &o.to); err != nil {
			rows.Close()
			return fmt.Errorf("read transitions: %w", err)
		}
		olds = append(olds, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read transitions: %w", err)
	}
	for _, o := range olds {
		e, err := in.transition(ctx, o.update, o.at, conversation.Transition{Event: o.event, From: o.from, To: o.to})
		if err != nil {
			return err
		}
		logs[o.user] = append(logs[o.user], e)
	}
	users := map[int64]bool{}
	for u := range progress {
		users[u] = true
	}
	for u := range logs {
		users[u] = true
	}
	for u := range users {
		p, err := in.encodeProgress(ctx, progress[u])
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET progress = ?, log = ? WHERE id = ?`, p, encodeLog(logs[u]), u); err != nil {
			return fmt.Errorf("write compact row of %d: %w", u, err)
		}
	}
	for _, q := range []string{`DROP TABLE progress`, `DROP TABLE transitions`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}
