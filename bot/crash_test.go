package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/buyerguide/bot/adapters/sqlite"
	"github.com/buyerguide/bot/adapters/telegram/telegramtest"
	"github.com/buyerguide/bot/conversation"
)

// buildBot compiles the real program once for the tests that run it as a
// process.
func buildBot(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bot")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type process struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan error
}

func startBot(t *testing.T, bin string, env ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin), logs: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stderr = p.logs
	p.cmd.Stdout = p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	return p
}

// TestCrashLosesNothing drives buyers through the guide with buttons,
// kills the bot with SIGKILL in the middle, starts it again, and checks
// that every step a buyer saw acknowledged is kept and none was applied
// twice; then stops it with SIGTERM and expects exit code 0.
func TestCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := buildBot(t)
	const token = "77:crash-test"
	srv := telegramtest.NewServer(token)
	defer srv.Close()
	dbPath := filepath.Join(t.TempDir(), "bot.db")
	env := []string{
		"TELEGRAM_BOT_TOKEN=" + token, "TELEGRAM_API_URL=" + srv.URL(), "DATABASE_PATH=" + dbPath,
		"POLL_TIMEOUT=2s", "TELEGRAM_RATE_GLOBAL=0", "TELEGRAM_RATE_CHAT=0", "LOG_LEVEL=warn",
	}
	content, err := conversation.LoadContent()
	if err != nil {
		t.Fatal(err)
	}
	next := content.Cat.Text("en", "ui.btn.next", nil)
	var answer string
	for _, c := range content.Guide.Stages[0].Steps[1].Choices {
		if c.To == "" {
			answer = content.Cat.Text("en", content.Guide.Stages[0].Steps[1].ChoiceID(c.ID), nil)
		}
	}

	bot := startBot(t, bin, env...)
	const users, presses = 8, 14
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	var mu sync.Mutex
	acked := map[int64]int{}
	total := 0
	killAt := users * presses / 2
	killed := make(chan struct{})
	var once sync.Once

	var wg sync.WaitGroup
	for i := range users {
		u := telegramtest.User{ID: int64(500 + i), FirstName: fmt.Sprint("B", i), LanguageCode: "en"}
		wg.Add(1)
		go func() {
			defer wg.Done()
			srv.SendText(u, "/start")
			if err := srv.Wait(ctx, func() bool { _, ok := srv.LastMessage(u.ID); return ok }); err != nil {
				t.Errorf("user %d: no first screen: %v", u.ID, err)
				return
			}
			for range presses {
				before, _ := srv.LastMessage(u.ID)
				label := next
				if hasButton(before, answer) {
					label = answer
				}
				if _, err := srv.Press(u, label); err != nil {
					t.Errorf("user %d: %v", u.ID, err)
					return
				}
				// Acknowledged: the message now shows another step.
				if err := srv.Wait(ctx, func() bool {
					m, _ := srv.LastMessage(u.ID)
					return m.Text != before.Text
				}); err != nil {
					t.Errorf("user %d: press not acknowledged: %v", u.ID, err)
					return
				}
				mu.Lock()
				acked[u.ID]++
				total++
				if total == killAt {
					once.Do(func() { close(killed) })
				}
				mu.Unlock()
			}
		}()
	}
	select {
	case <-killed:
	case <-ctx.Done():
		t.Fatal("never reached the kill point")
	}
	if err := bot.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-bot.done
	bot = startBot(t, bin, env...)
	wg.Wait()

	// A graceful stop: SIGTERM, exit code 0.
	if err := bot.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-bot.done:
		if err != nil {
			t.Errorf("after SIGTERM: %v\n%s", err, bot.logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit within 30s of SIGTERM")
	}

	db, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for id, n := range acked {
		log, err := db.Transitions(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != n {
			t.Errorf("user %d: %d presses acknowledged, %d transitions stored", id, n, len(log))
		}
		prev := ""
		for i, tr := range log {
			if i > 0 && tr.From != prev {
				t.Errorf("user %d: transition %d from %s, but the user was at %s", id, i, tr.From, prev)
			}
			prev = tr.To
		}
		s, _, _ := db.Load(context.Background(), id)
		if s.Step != prev {
			t.Errorf("user %d at %s, log ends at %s", id, s.Step, prev)
		}
	}
	if len(acked) != users {
		t.Errorf("%d users finished", len(acked))
	}
	if strings.Contains(bot.logs.String(), token) {
		t.Error("the token appears in the logs")
	}
}

func hasButton(m telegramtest.Message, label string) bool {
	for _, row := range m.Keyboard {
		for _, b := range row {
			if b.Text == label {
				return true
			}
		}
	}
	return false
}
