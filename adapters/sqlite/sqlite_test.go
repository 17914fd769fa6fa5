package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/buyerguide/bot/adapters/sqlite"
	"github.com/buyerguide/bot/conversation"
)

func mustOpen(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestOpenCreatesPrivateFileAndMigratesOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bot.db")
	db := mustOpen(t, path)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("database file mode %v, want 0600", fi.Mode().Perm())
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Opening again applies nothing twice.
	mustOpen(t, path)
}

func TestUpdateSavesSessionProgressAndLog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	db := mustOpen(t, path)
	err := db.Update(ctx, 42, 1, func(s *conversation.Session) error {
		if !s.New() {
			t.Error("unknown user's session is not new")
		}
		s.Step, s.Version, s.LangCode, s.Source = "alipay.why", 3, "ru", "promo"
		s.Progress["intro.welcome"] = conversation.MarkDone
		s.Progress["intro.verified"] = conversation.MarkSkipped
		s.Transitions = append(s.Transitions, conversation.Transition{Event: "next", From: "intro.welcome", To: "alipay.why"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = mustOpen(t, path)
	s, ok, err := db.Load(ctx, 42)
	if err != nil || !ok {
		t.Fatalf("load: ok=%v err=%v", ok, err)
	}
	if s.Step != "alipay.why" || s.Version != 3 || s.LangCode != "ru" || s.Source != "promo" || s.New() {
		t.Errorf("loaded %+v", s)
	}
	if len(s.Progress) != 2 || s.Progress["intro.verified"] != conversation.MarkSkipped {
		t.Errorf("progress %v", s.Progress)
	}
	// Removing and changing marks is saved too.
	err = db.Update(ctx, 42, 2, func(s *conversation.Session) error {
		delete(s.Progress, "intro.welcome")
		s.Progress["intro.verified"] = conversation.MarkDone
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s, _, _ = db.Load(ctx, 42)
	if len(s.Progress) != 1 || s.Progress["intro.verified"] != conversation.MarkDone {
		t.Errorf("progress after change %v", s.Progress)
	}
	log, err := db.Transitions(ctx, 42)
	if err != nil || len(log) != 1 || log[0].To != "alipay.why" {
		t.Errorf("log %v, %v", log, err)
	}
}

func TestUpdateIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "bot.db"))
	boom := errors.New("boom")
	err := db.Update(ctx, 7, 10, func(s *conversation.Session) error {
		s.Step = "x.y"
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if _, ok, _ := db.Load(ctx, 7); ok {
		t.Error("a failed update stored the session")
	}
	// The update ID was not recorded either: a retry is applied.
	called := false
	err = db.Update(ctx, 7, 10, func(s *conversation.Session) error {
		called = true
		s.Step = "x.y"
		return nil
	})
	if err != nil || !called {
		t.Fatalf("retry after failure: called=%v err=%v", called, err)
	}
	err = db.Update(ctx, 7, 10, func(s *conversation.Session) error {
		t.Error("fn called for a duplicate update")
		return nil
	})
	if !errors.Is(err, conversation.ErrDuplicate) {
		t.Errorf("err = %v, want ErrDuplicate", err)
	}
}

// TestConcurrentUpdates runs many writers at once: none may fail with
// "database is locked", and every increment must land.
func TestConcurrentUpdates(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "bot.db"))
	var wg sync.WaitGroup
	const users, each = 8, 25
	for u := int64(1); u <= users; u++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int64(1); i <= each; i++ {
				err := db.Update(ctx, u, u*1000+i, func(s *conversation.Session) error {
					s.Step = "a.b"
					s.Version++
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for u := int64(1); u <= users; u++ {
		s, _, err := db.Load(ctx, u)
		if err != nil || s.Version != each {
			t.Errorf("user %d version %d, want %d (%v)", u, s.Version, each, err)
		}
	}
}

// TestRedeliveryRecognisedAfterRestart: the update log in the users row
// recognises updates after a restart, in the inbox as in the engine, and
// updates handled outside the engine are remembered until pruned.
func TestRedeliveryRecognisedAfterRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	db := mustOpen(t, path)
	for id := int64(100); id < 103; id++ {
		if err := db.Update(ctx, 5, id, func(s *conversation.Session) error {
			s.Step = "a.b"
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	db = mustOpen(t, path)
	if err := db.Update(ctx, 5, 101, func(*conversation.Session) error { return nil }); !errors.Is(err, conversation.ErrDuplicate) {
		t.Errorf("redelivered update: %v, want ErrDuplicate", err)
	}
	fresh, err := db.InboxAdd(ctx, []conversation.Inbound{
		{UpdateID: 102, UserID: 5, Payload: []byte("{}")}, // handled
		{UpdateID: 103, UserID: 5, Payload: []byte("{}")}, // new
		{UpdateID: 104, UserID: 6, Payload: []byte("{}")}, // an agent in the support chat
	})
	if err != nil || len(fresh) != 2 || fresh[0].UpdateID != 103 {
		t.Fatalf("fresh %v, %v", fresh, err)
	}
	if err := db.InboxDone(ctx, conversation.Inbound{UpdateID: 104, UserID: 6, Remember: true}); err != nil {
		t.Fatal(err)
	}
	if fresh, _ := db.InboxAdd(ctx, []conversation.Inbound{{UpdateID: 104, UserID: 6, Payload: []byte("{}")}}); len(fresh) != 0 {
		t.Error("a remembered update was taken again")
	}
	n, err := db.PruneProcessed(ctx, time.Now().Add(time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v", n, err)
	}
	if fresh, _ := db.InboxAdd(ctx, []conversation.Inbound{{UpdateID: 104, UserID: 6, Payload: []byte("{}")}}); len(fresh) != 1 {
		t.Error("a pruned update is still recognised")
	}
}
