package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
)

// Config is every setting of the program. Each one is a flag with an
// environment variable beside it; a flag given on the command line wins.
type Config struct {
	DBPath    string
	UserID    int64
	Lang      string
	Token     string
	LogLevel  slog.Level
	LogFormat string
}

// setting describes one flag and its environment variable, for the
// README and -help.
type setting struct {
	flag, env, def, usage string
}

var settings = []setting{
	{"db", "DATABASE_PATH", "buyerguide.db", "SQLite database file (created readable by its owner only)"},
	{"user", "CONSOLE_USER", "1", "console mode: the user ID to act as"},
	{"lang", "CONSOLE_LANG", "en", "console mode: the client language code, as Telegram would send it"},
	{"token", "TELEGRAM_BOT_TOKEN", "", "Telegram bot token; empty starts the console mode (prefer the environment variable: flags show in ps)"},
	{"log-level", "LOG_LEVEL", "info", "log level: debug, info, warn, error"},
	{"log-format", "LOG_FORMAT", "text", "log format: text or json"},
}

// parseConfig reads flags over environment variables over defaults.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("bot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	vals := map[string]*string{}
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		vals[s.flag] = fs.String(s.flag, def, s.usage+" (env "+s.env+")")
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	c := Config{
		DBPath:    *vals["db"],
		Lang:      *vals["lang"],
		Token:     *vals["token"],
		LogFormat: *vals["log-format"],
	}
	uid, err := strconv.ParseInt(*vals["user"], 10, 64)
	if err != nil || uid <= 0 {
		return Config{}, fmt.Errorf("-user: want a positive number, got %q", *vals["user"])
	}
	c.UserID = uid
	if err := c.LogLevel.UnmarshalText([]byte(*vals["log-level"])); err != nil {
		return Config{}, fmt.Errorf("-log-level: %w", err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return Config{}, errors.New("-log-format: want text or json")
	}
	if c.DBPath == "" {
		return Config{}, errors.New("-db: empty path")
	}
	return c, nil
}
