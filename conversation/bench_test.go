package conversation_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/buyerguide/bot/adapters/sqlite"
	"github.com/buyerguide/bot/conversation"
)

// BenchmarkHandleButton is one button press end to end in the engine:
// load the session, fire the transition, render the next screen, save
// everything with the update ID, on a real SQLite file.
func BenchmarkHandleButton(b *testing.B) {
	c, err := conversation.LoadContent()
	if err != nil {
		b.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	eng, err := conversation.New(c, db, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	update := int64(0)
	handle := func(ev conversation.Event) []conversation.Reply {
		update++
		ev.UserID, ev.UpdateID, ev.LanguageCode = 1, update, "en"
		r, err := eng.Handle(ctx, ev)
		if err != nil {
			b.Fatal(err)
		}
		return r
	}
	last := handle(conversation.Event{Kind: conversation.KindText, Text: "/start"})
	b.ReportAllocs()
	for b.Loop() {
		var act *conversation.Action
		for _, row := range last[0].Buttons {
			for _, btn := range row {
				if btn.Action != nil && act == nil && (btn.Action.Kind == conversation.ActNext || (btn.Action.Kind == conversation.ActChoose && btn.Action.Arg == "no")) {
					act = btn.Action
				}
			}
		}
		if act == nil { // the end: start over
			last = handle(conversation.Event{Kind: conversation.KindButton, Action: &conversation.Action{Kind: conversation.ActRestart, Step: last0Step(eng, db), Version: version(db)}})
			continue
		}
		last = handle(conversation.Event{Kind: conversation.KindButton, Action: act})
	}
}

func last0Step(_ *conversation.Engine, db *sqlite.DB) string {
	s, _, _ := db.Load(context.Background(), 1)
	return s.Step
}

func version(db *sqlite.DB) int64 {
	s, _, _ := db.Load(context.Background(), 1)
	return s.Version
}
