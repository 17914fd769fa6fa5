package ops_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/buyerguide/bot/adapters/ops"
)

type stats struct{}

func (stats) StageCounts(context.Context) (map[string]int, error) {
	return map[string]int{"topup": 3, "order": 1}, nil
}
func (stats) OpenTicketCount(context.Context) (int, error) { return 2, nil }

// serve runs the endpoint on a loopback port until the test ends.
func serve(t *testing.T, m *ops.Metrics, checks []ops.Check) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ops.Serve(ctx, ln, ops.Handler(m, checks), slog.New(slog.DiscardHandler)) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHealthAndMetrics(t *testing.T) {
	m := ops.NewMetrics(stats{}, slog.New(slog.DiscardHandler))
	dbDown := false
	base := serve(t, m, []ops.Check{{Name: "database", Run: func(context.Context) error {
		if dbDown {
			return errors.New("disk I/O error")
		}
		return nil
	}}})

	if code, body := get(t, base+"/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	dbDown = true
	if code, body := get(t, base+"/healthz"); code != 503 || !strings.Contains(body, "database: disk I/O error") {
		t.Errorf("/healthz with the database down: %d %q", code, body)
	}

	m.Observe("button", "topup", 3*time.Millisecond, nil)
	m.Observe("text", "order", time.Millisecond, errors.New("boom"))
	m.Sent("sendMessage")
	m.RetryAfter()
	_, body := get(t, base+"/metrics")
	for _, want := range []string{
		`buyerguide_updates_total{kind="button"} 1`,
		`buyerguide_updates_total{kind="text"} 1`,
		`buyerguide_update_errors_total 1`,
		`buyerguide_update_duration_seconds_count 2`,
		`buyerguide_telegram_requests_total{method="sendMessage"} 1`,
		`buyerguide_telegram_429_total 1`,
		`buyerguide_users{stage="topup"} 3`,
		`buyerguide_open_tickets 2`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestProfilesButNotTheCommandLine: profiles are served; the command
// line, which may hold the bot token, is not.
func TestProfilesButNotTheCommandLine(t *testing.T) {
	base := serve(t, ops.NewMetrics(nil, slog.New(slog.DiscardHandler)), nil)
	if code, body := get(t, base+"/debug/pprof/"); code != 200 || !strings.Contains(body, "goroutine") {
		t.Errorf("/debug/pprof/: %d", code)
	}
	if code, _ := get(t, base+"/debug/pprof/cmdline"); code == 200 {
		t.Error("/debug/pprof/cmdline is served")
	}
}
