// Command load measures the bot under load. It serves the fake Bot API on
// loopback, builds and starts the real bot (Telegram adapter, engine,
// SQLite store) as its own process against it, and drives simulated
// buyers, a number of them at once, each walking the whole guide with
// buttons. Then it does the same with a bare go-telegram/bot program that
// only answers each button and edits the message (./bare), in the same
// run, and prints both: updates per second, reply latency percentiles,
// the bot's peak memory and the database size.
//
//	go run ./adapters/telegram/telegramtest/load -buyers 1000 -active 200
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/buyerguide/bot/adapters/sqlite"
	"github.com/buyerguide/bot/adapters/telegram/telegramtest"
	"github.com/buyerguide/bot/conversation"
)

const token = "4242:load-test"

func main() {
	buyers := flag.Int("buyers", 1000, "simulated buyers, each walking the whole guide")
	active := flag.Int("active", 200, "buyers active at once")
	only := flag.String("only", "", "run only one bot: guide or bare")
	keep := flag.String("keep", "", "directory to keep the binaries and the database in (default: a temporary one)")
	guideEnv := flag.String("guide-env", "", "extra environment of the guide bot, space-separated (e.g. \"GOGC=50\" to try a setting)")
	flag.Parse()
	if err := run(*buyers, *active, *only, *keep, strings.Fields(*guideEnv)); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// result is what one bot did under the load.
type result struct {
	name      string
	updates   int
	elapsed   time.Duration
	latencies []time.Duration
	peakKB    int
	dbBytes   int64
	lost      int
}

func run(buyers, active int, only, keep string, guideEnv []string) error {
	dir := keep
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "buyerguide-load"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	content, err := conversation.LoadContent()
	if err != nil {
		return err
	}
	var steps int
	for _, st := range content.Guide.Stages {
		steps += len(st.Steps)
	}
	presses := steps // /start shows the first step, each press the next, and Finish on the last
	fmt.Printf("machine: %d CPUs · %d buyers, %d at once, %d updates each (1 /start + %d button presses, Finish included)\n\n",
		cpus(), buyers, active, presses+1, presses)

	var results []result
	for _, bot := range []struct{ name, pkg string }{{"guide", "./bot"}, {"bare", "./adapters/telegram/telegramtest/load/bare"}} {
		if only != "" && only != bot.name {
			continue
		}
		bin := filepath.Join(dir, bot.name)
		if out, err := exec.Command("go", "build", "-o", bin, bot.pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %w\n%s", bot.pkg, err, out)
		}
		var env []string
		if bot.name == "guide" {
			env = guideEnv
		}
		r, err := drive(bot.name, bin, dir, buyers, active, presses, content, env)
		if err != nil {
			return fmt.Errorf("%s: %w", bot.name, err)
		}
		results = append(results, r)
	}
	fmt.Printf("%-6s %9s %10s %9s %9s %9s %10s %12s %6s\n", "bot", "updates", "time", "upd/s", "p50", "p95", "p99", "peak RSS", "lost")
	for _, r := range results {
		fmt.Printf("%-6s %9d %10s %9.0f %9s %9s %10s %9.1f MB %6d\n", r.name, r.updates, r.elapsed.Round(time.Millisecond),
			float64(r.updates)/r.elapsed.Seconds(), pct(r.latencies, 50), pct(r.latencies, 95), pct(r.latencies, 99),
			float64(r.peakKB)/1024, r.lost)
	}
	for _, r := range results {
		if r.dbBytes > 0 {
			fmt.Printf("\n%s database: %.1f MB, %.0f bytes per buyer\n", r.name, float64(r.dbBytes)/(1<<20), float64(r.dbBytes)/float64(buyers))
		}
	}
	if len(results) == 2 {
		g, b := results[0], results[1]
		fmt.Printf("guide/bare updates per second: %.0f%%\n",
			100*(float64(g.updates)/g.elapsed.Seconds())/(float64(b.updates)/b.elapsed.Seconds()))
	}
	return nil
}

// drive runs one bot against a fresh fake server and walks every buyer.
func drive(name, bin, dir string, buyers, active, presses int, content *conversation.Content, env []string) (result, error) {
	srv := telegramtest.NewServer(token)
	defer srv.Close()
	srv.KeepCalls(false)
	// One channel per buyer, woken when the bot sends or edits in their
	// chat: the drivers wait on that, not on every change of the server.
	wake := make(map[int64]chan struct{}, buyers)
	for i := range buyers {
		wake[int64(1_000_000+i)] = make(chan struct{}, 8)
	}
	srv.Observe(func(c telegramtest.Call) {
		if c.Status != 200 || (c.Method != "sendMessage" && c.Method != "editMessageText") {
			return
		}
		id, _ := strconv.ParseInt(c.Params["chat_id"], 10, 64)
		if ch, ok := wake[id]; ok {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	})

	dbPath := filepath.Join(dir, name+".db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(dbPath + suffix)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN="+token, "TELEGRAM_API_URL="+srv.URL(),
		"DATABASE_PATH="+dbPath, "TELEGRAM_RATE_GLOBAL=0", "TELEGRAM_RATE_CHAT=0", "POLL_TIMEOUT=5s", "LOG_LEVEL=warn")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := srv.Wait(ctx, func() bool { return srv.Polling() > 0 }); err != nil {
		return result{}, fmt.Errorf("the bot never polled: %w", err)
	}

	next := content.Cat.Text("en", "ui.btn.next", nil)
	// The answer that walks every stage ("not verified yet"), and Finish.
	var answer, finish string
	for _, st := range content.Guide.Stages {
		for _, s := range st.Steps {
			for _, c := range s.Choices {
				switch {
				case c.Finish:
					finish = content.Cat.Text("en", s.ChoiceID(c.ID), nil)
				case c.To == "":
					answer = content.Cat.Text("en", s.ChoiceID(c.ID), nil)
				}
			}
		}
	}

	var (
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, buyers*presses)
		updates   atomic.Int64
		failed    atomic.Int64
		wg        sync.WaitGroup
		slots     = make(chan struct{}, active)
	)
	wait := func(ch chan struct{}) error {
		select {
		case <-ch:
			return nil
		case <-time.After(30 * time.Second):
			return errors.New("no reply within 30s")
		}
	}
	start := time.Now()
	for i := range buyers {
		u := telegramtest.User{ID: int64(1_000_000 + i), FirstName: "Buyer", LanguageCode: "en"}
		ch := wake[u.ID]
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			t0 := time.Now()
			srv.SendText(u, "/start")
			updates.Add(1)
			if err := wait(ch); err != nil {
				failed.Add(1)
				return
			}
			own := []time.Duration{time.Since(t0)}
			for range presses {
				m, _ := srv.LastMessage(u.ID)
				label := next
				switch {
				case hasButton(m, answer):
					label = answer
				case hasButton(m, finish):
					label = finish
				}
				t0 := time.Now()
				if _, err := srv.Press(u, label); err != nil {
					failed.Add(1)
					return
				}
				updates.Add(1)
				if err := wait(ch); err != nil {
					failed.Add(1)
					return
				}
				own = append(own, time.Since(t0))
			}
			mu.Lock()
			latencies = append(latencies, own...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	r := result{name: name, updates: int(updates.Load()), elapsed: elapsed, latencies: latencies, lost: int(failed.Load())}
	r.peakKB = peakRSS(cmd.Process.Pid)

	// Stop the bot, then check what it stored.
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		return r, errors.New("the bot did not stop within 30s of SIGTERM")
	}
	if name == "guide" {
		for _, suffix := range []string{"", "-wal"} {
			if fi, err := os.Stat(dbPath + suffix); err == nil {
				r.dbBytes += fi.Size()
			}
		}
		db, err := sqlite.Open(context.Background(), dbPath)
		if err != nil {
			return r, err
		}
		defer db.Close()
		n, err := db.CountTransitions(context.Background())
		if err != nil {
			return r, err
		}
		if want := buyers * presses; n != want {
			r.lost += want - n
			fmt.Printf("guide: %d transitions stored, %d pressed\n", n, want)
		}
	}
	return r, nil
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

// pct is the p-th percentile.
func pct(d []time.Duration, p int) string {
	if len(d) == 0 {
		return "-"
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)-1)*p/100].Round(10 * time.Microsecond).String()
}

// peakRSS reads the process's peak resident memory (VmHWM) in KB.
func peakRSS(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}

func cpus() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "processor\t:")
}
