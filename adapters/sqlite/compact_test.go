package sqlite

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/buyerguide/bot/conversation"
)

func TestLogRoundTrip(t *testing.T) {
	log := []entry{
		{update: 900_000_001, at: 1_780_000_000, event: 3, from: 4, to: 5},
		{update: 900_000_250, at: 1_780_000_002},
		{update: 900_000_240, at: 1_780_000_001, event: 3, from: 5, to: 600}, // out of order
	}
	got, err := decodeLog(encodeLog(log))
	if err != nil || !reflect.DeepEqual(got, log) {
		t.Fatalf("got %v, %v; want %v", got, err, log)
	}
	if _, err := decodeLog([]byte{0x80}); err == nil {
		t.Error("a truncated log decoded")
	}
	var long []entry
	for i := range logCap + 10 {
		long = append(long, entry{update: int64(i + 1), at: 1})
	}
	got, _ = decodeLog(encodeLog(long))
	if len(got) != logCap || got[0].update != 11 {
		t.Errorf("capped log: %d entries from %d", len(got), got[0].update)
	}
}

// TestAppendLog checks appending in place against encoding the whole
// slice, across the cap.
func TestAppendLog(t *testing.T) {
	var all []entry
	var b []byte
	for i := range logCap + 40 {
		add := []entry{{update: int64(500 + i), at: int64(1_780_000_000 + i/3), event: int64(i % 3), from: 7, to: int64(8 + i%2)}}
		if add[0].event == 0 {
			add[0].from, add[0].to = 0, 0
		}
		if i%10 == 0 { // two transitions in one update
			add = append(add, entry{update: int64(500 + i), at: add[0].at, event: 9, from: 1, to: 2})
		}
		all = append(all, add...)
		var err error
		if b, err = appendLog(b, add); err != nil {
			t.Fatal(err)
		}
		want := all[max(0, len(all)-logCap):]
		got, err := decodeLog(b)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("after %d appends: %d entries, %v; want %d", i+1, len(got), err, len(want))
		}
	}
	if _, err := appendLog([]byte{0xff}, nil); err == nil {
		t.Error("a corrupt log was appended to")
	}
}

func TestSeen(t *testing.T) {
	now := time.Unix(1_780_000_000, 0)
	recent := now.Add(-time.Hour).Unix()
	few := []entry{{update: 100, at: recent}, {update: 105, at: recent}}
	var full []entry
	for i := range logCap {
		full = append(full, entry{update: int64(1000 + i), at: recent})
	}
	stale := append([]entry(nil), full...)
	for i := range stale {
		stale[i].at = now.Add(-8 * 24 * time.Hour).Unix()
	}
	tests := []struct {
		name   string
		log    []entry
		update int64
		want   bool
	}{
		{"in the log", few, 105, true},
		{"newer", few, 106, false},
		{"late, out of order", few, 103, false},
		{"older than a log that kept everything", few, 50, false},
		{"older than a full log", full, 999, true},
		{"inside a full log, never seen", full, 1000 + logCap, false},
		{"numbered afresh after a silent week", stale, 5, false},
		{"no log", nil, 5, false},
		{"console", few, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := seen(encodeLog(tc.log), tc.update, now); got != tc.want || err != nil {
				t.Errorf("seen = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// TestUpgradeConvertsOldRows opens a database made by the migrations
// before 0006, with rows in the old progress and transitions tables, and
// checks they arrive in the compact columns.
func TestUpgradeConvertsOldRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Take the file back to 0005: drop what 0006 made, recreate the old tables.
	raw, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DELETE FROM migrations WHERE name = 'migrations/0006_compact.sql'`,
		`DROP TABLE names`,
		`ALTER TABLE users DROP COLUMN progress`,
		`ALTER TABLE users DROP COLUMN log`,
		`CREATE INDEX processed_updates_at ON processed_updates (at)`,
		`CREATE TABLE progress (user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, step TEXT NOT NULL,
			mark TEXT NOT NULL CHECK (mark IN ('d', 's')), PRIMARY KEY (user_id, step)) WITHOUT ROWID`,
		`CREATE TABLE transitions (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
			at INTEGER NOT NULL, update_id INTEGER NOT NULL, event TEXT NOT NULL, src TEXT NOT NULL, dst TEXT NOT NULL)`,
		`INSERT INTO users (id, step, version, created_at, updated_at) VALUES (9, 'alipay.code', 2, 1, 1)`,
		`INSERT INTO progress VALUES (9, 'intro.welcome', 'd'), (9, 'alipay.why', 's')`,
		`INSERT INTO transitions (user_id, at, update_id, event, src, dst) VALUES
			(9, 10, 500, 'next', 'intro.welcome', 'alipay.why'), (9, 11, 501, 'skip', 'alipay.why', 'alipay.code')`,
	} {
		if _, err := raw.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, ok, err := db.Load(ctx, 9)
	if err != nil || !ok {
		t.Fatalf("load: %v %v", ok, err)
	}
	want := map[string]conversation.Mark{"intro.welcome": conversation.MarkDone, "alipay.why": conversation.MarkSkipped}
	if !reflect.DeepEqual(s.Progress, want) {
		t.Errorf("progress %v, want %v", s.Progress, want)
	}
	log, err := db.Transitions(ctx, 9)
	if err != nil || len(log) != 2 || log[1] != (conversation.Transition{Event: "skip", From: "alipay.why", To: "alipay.code"}) {
		t.Errorf("log %v, %v", log, err)
	}
	// The old updates are still recognised.
	if err := db.Update(ctx, 9, 501, func(*conversation.Session) error { return nil }); err != conversation.ErrDuplicate {
		t.Errorf("old update applied again: %v", err)
	}
}
