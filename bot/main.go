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
	"os"
	"os/signal"
	"syscall"

	"github.com/buyerguide/bot/adapters/console"
	"github.com/buyerguide/bot/adapters/sqlite"
	"github.com/buyerguide/bot/adapters/telegram"
	"github.com/buyerguide/bot/conversation"
	"github.com/buyerguide/bot/data"
	"github.com/buyerguide/bot/locales"
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
	guide, err := data.LoadGuide()
	if err != nil {
		return err
	}
	cat, err := locales.Load()
	if err != nil {
		return err
	}
	db, err := sqlite.Open(ctx, cfg.DBPath)
	if err != nil {
		return err
	}
	defer db.Close()
	engine, err := conversation.New(guide, cat, db, log)
	if err != nil {
		return err
	}
	if cfg.Telegram.Token == "" {
		c := &console.Console{Handler: engine, UserID: cfg.UserID, Lang: cfg.Lang, In: stdin, Out: stdout}
		return c.Run(ctx)
	}
	tg, err := telegram.New(ctx, cfg.Telegram, engine, db, cat, log)
	if err != nil {
		return err
	}
	return tg.Run(ctx)
}
