package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/buyerguide/bot/adapters/telegram"
)

// Config is every setting of the program. Each one is a flag with an
// environment variable beside it; a flag given on the command line wins.
type Config struct {
	OpsAddr   string
	DBPath    string
	UserID    int64
	Lang      string
	LogLevel  slog.Level
	LogFormat string
	Telegram  telegram.Config
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
	{"api-url", "TELEGRAM_API_URL", telegram.DefaultAPIURL, "Bot API server (a self-hosted one, or a fake one in tests)"},
	{"webhook-url", "WEBHOOK_URL", "", "public HTTPS address for Telegram to post updates to; empty: long polling"},
	{"listen", "LISTEN_ADDR", telegram.DefaultListenAddr, "webhook mode: address to listen on"},
	{"webhook-secret", "WEBHOOK_SECRET", "", "webhook mode: secret token Telegram must send (1-256 of A-Za-z0-9_-); empty: generated once and kept in the database"},
	{"workers", "WORKERS", strconv.Itoa(telegram.DefaultWorkers), "updates handled in parallel (one user's updates always one at a time)"},
	{"poll-timeout", "POLL_TIMEOUT", telegram.DefaultPollTimeout.String(), "long-polling timeout"},
	{"rate-global", "TELEGRAM_RATE_GLOBAL", strconv.Itoa(telegram.DefaultGlobalRate), "outgoing messages per second, all chats; 0 turns the limit off (fake servers only)"},
	{"rate-chat", "TELEGRAM_RATE_CHAT", strconv.Itoa(telegram.DefaultChatRate), "outgoing messages per second per chat (bursts of 3); 0 turns the limit off"},
	{"support-chat", "SUPPORT_CHAT_ID", "0", "Telegram supergroup where support agents work (topics: one per ticket); 0: no agents, the bot gives the guidebook's customer service"},
	{"support-agents", "SUPPORT_AGENT_IDS", "", "comma-separated Telegram user IDs allowed to act as agents; empty: every member of the support chat"},
	{"support-lang", "SUPPORT_LANG", "en", "language of the support team's messages"},
	{"ops", "OPS_ADDR", "", "address of the operations endpoint (/healthz, /metrics), e.g. 127.0.0.1:9090; empty: off"},
	{"shutdown-timeout", "SHUTDOWN_TIMEOUT", telegram.DefaultShutdownTimeout.String(), "how long updates in hand may take to finish after SIGINT/SIGTERM"},
	{"log-level", "LOG_LEVEL", "info", "log level: debug, info, warn, error"},
	{"log-format", "LOG_FORMAT", "text", "log format: text or json"},
}

var secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{0,256}$`)

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
		LogFormat: *vals["log-format"],
		Telegram: telegram.Config{
			Token:         *vals["token"],
			APIURL:        *vals["api-url"],
			WebhookURL:    *vals["webhook-url"],
			ListenAddr:    *vals["listen"],
			WebhookSecret: *vals["webhook-secret"],
			ChatBurst:     telegram.DefaultChatBurst,
		},
	}
	var err error
	if c.Telegram.Workers, err = strconv.Atoi(*vals["workers"]); err != nil || c.Telegram.Workers < 1 {
		return Config{}, fmt.Errorf("-workers: want a positive number, got %q", *vals["workers"])
	}
	if c.Telegram.PollTimeout, err = time.ParseDuration(*vals["poll-timeout"]); err != nil || c.Telegram.PollTimeout < time.Second {
		return Config{}, fmt.Errorf("-poll-timeout: want a duration of at least 1s, got %q", *vals["poll-timeout"])
	}
	if c.Telegram.GlobalRate, err = strconv.ParseFloat(*vals["rate-global"], 64); err != nil || c.Telegram.GlobalRate < 0 {
		return Config{}, fmt.Errorf("-rate-global: want a number >= 0, got %q", *vals["rate-global"])
	}
	if c.Telegram.ChatRate, err = strconv.ParseFloat(*vals["rate-chat"], 64); err != nil || c.Telegram.ChatRate < 0 {
		return Config{}, fmt.Errorf("-rate-chat: want a number >= 0, got %q", *vals["rate-chat"])
	}
	if c.Telegram.SupportChatID, err = strconv.ParseInt(*vals["support-chat"], 10, 64); err != nil {
		return Config{}, fmt.Errorf("-support-chat: want a chat ID, got %q", *vals["support-chat"])
	}
	if c.Telegram.AgentIDs, err = telegram.ParseIDs(*vals["support-agents"]); err != nil {
		return Config{}, fmt.Errorf("-support-agents: %w", err)
	}
	c.Telegram.SupportLang = *vals["support-lang"]
	c.OpsAddr = *vals["ops"]
	if c.Telegram.ShutdownTimeout, err = time.ParseDuration(*vals["shutdown-timeout"]); err != nil || c.Telegram.ShutdownTimeout <= 0 {
		return Config{}, fmt.Errorf("-shutdown-timeout: want a positive duration, got %q", *vals["shutdown-timeout"])
	}
	if !secretRE.MatchString(c.Telegram.WebhookSecret) {
		return Config{}, errors.New("-webhook-secret: 1-256 characters of A-Za-z0-9_-")
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
