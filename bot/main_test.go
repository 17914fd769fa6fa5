package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/buyerguide/bot/adapters/telegram/telegramtest"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConsoleModeRunsToEndOfInput(t *testing.T) {
	db := filepath.Join(t.TempDir(), "bot.db")
	var out, errs bytes.Buffer
	code := run(context.Background(), []string{"-db", db, "-user", "5"}, env(nil), strings.NewReader("1\n/progress\n"), &out, &errs)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs.String())
	}
	if !strings.Contains(out.String(), "== Your progress ==") {
		t.Errorf("output:\n%s", out.String())
	}
	// A second run of the same user continues where the first stopped.
	out.Reset()
	code = run(context.Background(), []string{"-user", "5"}, env(map[string]string{"DATABASE_PATH": db}), strings.NewReader(""), &out, &errs)
	if code != 0 || !strings.Contains(out.String(), "Welcome back") {
		t.Fatalf("exit %d, output:\n%s", code, out.String())
	}
}

func TestConfigFlagsWinOverEnvironment(t *testing.T) {
	var errs bytes.Buffer
	c, err := parseConfig([]string{"-db", "flag.db"}, env(map[string]string{
		"DATABASE_PATH": "env.db", "CONSOLE_USER": "9", "CONSOLE_LANG": "ru", "LOG_FORMAT": "json",
	}), &errs)
	if err != nil {
		t.Fatal(err)
	}
	if c.DBPath != "flag.db" || c.UserID != 9 || c.Lang != "ru" || c.LogFormat != "json" {
		t.Errorf("config %+v", c)
	}
}

func TestBadConfigIsRefused(t *testing.T) {
	for _, args := range [][]string{
		{"-user", "0"},
		{"-user", "abc"},
		{"-log-level", "loud"},
		{"-log-format", "xml"},
		{"-db", ""},
		{"stray"},
	} {
		var errs bytes.Buffer
		if code := run(context.Background(), args, env(nil), strings.NewReader(""), &bytes.Buffer{}, &errs); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestTelegramModeAgainstTheFakeServer runs the real program in polling
// mode with the operations endpoint: a user's /start gets the first step,
// /healthz and /metrics answer, one JSON log line per update names user,
// kind, stage and duration but never the text or the token, and a cancel
// stops it with exit code 0.
func TestTelegramModeAgainstTheFakeServer(t *testing.T) {
	const token = "42:main-test-token"
	srv := telegramtest.NewServer(token)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errs syncBuffer
	done := make(chan int, 1)
	opsAddr := freeAddr(t)
	go func() {
		done <- run(ctx, []string{"-db", filepath.Join(t.TempDir(), "bot.db"), "-poll-timeout", "2s", "-ops", opsAddr, "-log-format", "json"}, env(map[string]string{
			"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": srv.URL(),
		}), strings.NewReader(""), &out, &errs)
	}()
	u := telegramtest.User{ID: 5, FirstName: "Ana", LanguageCode: "es"}
	srv.SendText(u, "/start")
	srv.SendText(u, "my secret words")
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	if err := srv.Wait(wctx, func() bool { return len(srv.Messages(u.ID)) >= 2 }); err != nil {
		t.Fatalf("no reply: %v\n%s", err, errs.String())
	}
	health := get(t, "http://"+opsAddr+"/healthz")
	if health != "ok\n" {
		t.Errorf("/healthz: %q", health)
	}
	metrics := get(t, "http://"+opsAddr+"/metrics")
	for _, want := range []string{
		`buyerguide_updates_total{kind="command"} 1`,
		`buyerguide_updates_total{kind="text"} 1`,
		`buyerguide_users{stage="intro"} 1`,
		`buyerguide_open_tickets 0`,
		`buyerguide_telegram_requests_total{method="sendMessage"} 2`,
		`buyerguide_update_duration_seconds_count 2`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	srv.Close() // Telegram unreachable: the health check says so
	if h := get(t, "http://"+opsAddr+"/healthz"); !strings.HasPrefix(h, "telegram:") {
		t.Errorf("/healthz with Telegram down: %q", h)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d:\n%s", code, errs.String())
	}
	logs := errs.String()
	if strings.Contains(logs, token) || strings.Contains(logs, "my secret words") {
		t.Error("the token or a user's text appears in the logs")
	}
	lines := 0
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, `"msg":"update"`) {
			lines++
			for _, k := range []string{`"user":5`, `"kind":`, `"stage":"intro"`, `"duration":`} {
				if !strings.Contains(l, k) {
					t.Errorf("update line lacks %s: %s", k, l)
				}
			}
		}
	}
	if lines != 2 {
		t.Errorf("%d update lines for 2 updates:\n%s", lines, logs)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBusyOpsPortFailsAtStart: a taken OPS_ADDR stops the bot before it
// talks to anyone, not when it stops.
func TestBusyOpsPortFailsAtStart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var out, errs bytes.Buffer
	// Input that never ends: the console would wait for ever if it started.
	stdin, w := io.Pipe()
	defer w.Close()
	code := run(context.Background(), []string{"-db", filepath.Join(t.TempDir(), "bot.db"), "-ops", ln.Addr().String()},
		env(nil), stdin, &out, &errs)
	if code != 1 || !strings.Contains(errs.String(), "ops: listen") {
		t.Errorf("exit %d, stderr:\n%s", code, errs.String())
	}
	if out.Len() != 0 {
		t.Errorf("the console started:\n%s", out.String())
	}
}
