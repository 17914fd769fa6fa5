// Command bot runs the 1688 Buyer Guide: on Telegram when a bot token is
// set, otherwise as a console conversation on stdin/stdout. Wiring only:
// the behaviour lives in conversation/ and adapters/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/buyerguide/bot/adapters/console"
	"github.com/buyerguide/bot/adapters/ops"
	"github.com/buyerguide/bot/adapters/sqlite"
	"github.com/buyerguide/bot/adapters/telegram"
	"github.com/buyerguide/bot/conversation"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program, with its outside world passed in so that
// tests can run it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "bot:", err)
		return 2
	}
	log := newLogger(cfg, stderr)
	if err := serve(ctx, cfg, log, stdin, stdout); err != nil {
		log.Error("stopped", "err", err)
		return 1
	}
	return 0
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(ctx context.Context, cfg Config, log *slog.Logger, stdin io.Reader, stdout io.Writer) error {
	// Loading the words of every language makes about 50 MB of garbage
	// for 12 MB kept: collecting often while loading keeps the process's
	// peak memory near what it keeps.
	gc := debug.SetGCPercent(10)
	content, err := conversation.LoadContent()
	debug.SetGCPercent(gc)
	if err != nil {
		return err
	}
	// The operations endpoint listens first: a busy port is an error at
	// start, not when the bot stops.
	var opsLn net.Listener
	if cfg.OpsAddr != "" {
		if opsLn, err = net.Listen("tcp", cfg.OpsAddr); err != nil {
			return fmt.Errorf("ops: listen: %w", err)
		}
		defer opsLn.Close()
	}
	db, err := sqlite.Open(ctx, cfg.DBPath)
	if err != nil {
		return err
	}
	defer db.Close()
	metrics := ops.NewMetrics(db, log)
	opts := []conversation.Option{conversation.WithObserver(metrics)}
	if cfg.Telegram.Token != "" && cfg.Telegram.SupportChatID != 0 {
		opts = append(opts, conversation.WithSupport())
	}
	engine, err := conversation.New(content, db, log, opts...)
	if err != nil {
		return err
	}
	pruneCtx, stopPrune := context.WithCancel(ctx)
	pruned := make(chan struct{})
	go func() { prune(pruneCtx, db, log); close(pruned) }()
	defer func() { stopPrune(); <-pruned }() // before the database closes
	checks := []ops.Check{{Name: "database", Run: db.Ping}}
	var run func(context.Context) error
	if cfg.Telegram.Token == "" {
		c := &console.Console{Handler: engine, UserID: cfg.UserID, Lang: cfg.Lang, In: stdin, Out: stdout}
		run = c.Run
	} else {
		cfg.Telegram.Metrics = metrics
		tg, err := telegram.New(ctx, cfg.Telegram, engine, db, content.Cat, log)
		if err != nil {
			return err
		}
		checks = append(checks, ops.Check{Name: "telegram", Run: tg.Ping})
		run = tg.Run
	}
	if opsLn == nil {
		return run(ctx)
	}
	// The endpoint lives as long as the bot: it stops when run returns.
	opsCtx, stopOps := context.WithCancel(ctx)
	opsDone := make(chan error, 1)
	go func() { opsDone <- ops.Serve(opsCtx, opsLn, ops.Handler(metrics, checks), log) }()
	err = run(ctx)
	stopOps()
	if opsErr := <-opsDone; err == nil {
		err = opsErr
	}
	return err
}

// keepProcessed is how long processed-update IDs are kept: Telegram
// redelivers an update for at most a day, so a week is ample.
const keepProcessed = 7 * 24 * time.Hour

// keepUnknown is how long an unknown label nobody asks about again stays
// on the editors' worklist.
const keepUnknown = 90 * 24 * time.Hour

// prune deletes old processed-update records and unknown labels not seen
// for keepUnknown, at start and every hour.
func prune(ctx context.Context, db *sqlite.DB, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		n, err := db.PruneProcessed(ctx, time.Now().Add(-keepProcessed))
		if err != nil && ctx.Err() == nil {
			log.Warn("pruning processed updates", "err", err)
		} else if n > 0 {
			log.Info("pruned processed updates", "count", n)
		}
		n, err = db.PruneUnknown(ctx, time.Now().Add(-keepUnknown))
		if err != nil && ctx.Err() == nil {
			log.Warn("pruning unknown labels", "err", err)
		} else if n > 0 {
			log.Info("pruned unknown labels", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
