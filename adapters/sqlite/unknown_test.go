package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/buyerguide/bot/conversation"
)

// TestPruneUnknown: unknown labels not asked about for 90 days go; those
// asked about since stay, with their count.
func TestPruneUnknown(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "bot.db"))
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	record := func(user, update int64, texts ...string) {
		t.Helper()
		if err := db.Update(ctx, user, update, func(s *conversation.Session) error {
			s.Unknown = texts
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	record(1, 1, "这个按钮", "已过期了")
	now = now.Add(60 * 24 * time.Hour)
	record(1, 2, "这个按钮")
	now = now.Add(40 * 24 * time.Hour) // 100 days after the first, 40 after the second
	n, err := db.PruneUnknown(ctx, now.Add(-90*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1", n, err)
	}
	unk, err := db.UnknownLabels(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(unk) != 1 || unk[0].Text != "这个按钮" || unk[0].Count != 2 {
		t.Errorf("left %+v", unk)
	}
}
