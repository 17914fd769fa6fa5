// Package telegram is the Telegram transport on go-telegram/bot: updates in
// (long polling or webhook), Events to the engine, Replies out as Bot API
// calls within Telegram's limits.
//
// Delivery: every update is written to the inbox table before Telegram is
// told it arrived (the next getUpdates offset, or the webhook's 200), and
// removed only after its replies went out. The engine stores the update ID
// in the same transaction as the state change it caused, so an update
// handled again after a crash changes nothing and only shows the current
// step. Receiving is ours, not the library's: its poller confirms an
// offset as soon as updates are queued in memory and its webhook handler
// answers 200 before they are handled, both of which lose updates in a
// crash. Everything sent goes through the library.
package telegram

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/buyerguide/bot/conversation"
	"github.com/buyerguide/bot/locales"
	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// Defaults of Config.
const (
	DefaultAPIURL      = "https://api.telegram.org"
	DefaultWorkers     = 16
	DefaultPollTimeout = 50 * time.Second
	DefaultListenAddr  = ":8080"
	// typingAfter is how long a reply may take before the user sees
	// "typing…".
	typingAfter = 700 * time.Millisecond
	// handleTimeout bounds the handling of one update.
	handleTimeout = 60 * time.Second
	// DefaultShutdownTimeout bounds the finishing of updates in hand.
	DefaultShutdownTimeout = 20 * time.Second
)

// Config is the Telegram side of the settings.
type Config struct {
	Token  string
	APIURL string
	// WebhookURL switches to webhook mode: the public HTTPS address
	// Telegram posts updates to; its path is the path served.
	WebhookURL    string
	ListenAddr    string
	WebhookSecret string
	Workers       int
	// GlobalRate and ChatRate are messages per second; <= 0 turns a
	// limit off (only against a fake server).
	GlobalRate  float64
	ChatRate    float64
	ChatBurst   int
	PollTimeout time.Duration
	// SupportChatID is the supergroup where support agents work; 0 means
	// no agents (the bot gives the guidebook's customer service instead).
	SupportChatID int64
	// AgentIDs limits who in the support chat may act; empty: everyone
	// there.
	AgentIDs []int64
	// SupportLang is the language of the support team (agent.* messages).
	SupportLang string
	// Metrics, if set, counts Bot API calls and 429s.
	Metrics Metrics
	// ShutdownTimeout bounds how long the updates in hand may take to
	// finish after a stop signal.
	ShutdownTimeout time.Duration
}

// Metrics counts what the transport sends.
type Metrics interface {
	Sent(method string)
	RetryAfter()
}

// countingTransport counts Bot API calls by method, and 429s. It never
// logs the URL: the token is in it.
type countingTransport struct {
	next http.RoundTripper
	m    Metrics
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	c.m.Sent(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:])
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		c.m.RetryAfter()
	}
	return resp, err
}

// newTransport keeps a connection to the Bot API open for every worker
// and the poller: the default keeps two, so busy workers dialled a new
// connection for nearly every call (a tenth of the CPU under load).
func newTransport(workers int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = workers + 4
	t.MaxIdleConns = max(t.MaxIdleConns, workers+4)
	return t
}

// Handler is what the transport needs of the engine.
type Handler interface {
	Handle(ctx context.Context, ev conversation.Event) ([]conversation.Reply, error)
	Inline(ctx context.Context, userID int64, langCode, query string) []conversation.InlineResult
	Card(ctx context.Context, userID int64, lang string) (string, error)
}

// Store is what the transport keeps in the database.
type Store interface {
	conversation.Inbox
	SetBlocked(ctx context.Context, userID int64, blocked bool) error
	BlockedUsers(ctx context.Context) ([]int64, error)
	Secret(ctx context.Context, name string, size int) ([]byte, error)
	SupportStore
}

// Bot is the running transport.
type Bot struct {
	cfg    Config
	api    *tgbot.Bot
	client *http.Client
	engine Handler
	store  Store
	// support is the same store, seen as the support desk.
	support SupportStore
	// forum: the support chat has topics (one per ticket).
	forum  bool
	cat    *locales.Catalog
	log    *slog.Logger
	codec  codec
	send   *sender
	secret string
	// done takes handled updates out of the inbox (Run starts it).
	done *doneQueue
	// username is the bot's (from getMe): "/close@name" in the support
	// chat is only ours with this name. Set before any update is handled.
	username string
	// pollBuf holds getUpdates answers; only the poller uses it.
	pollBuf bytes.Buffer

	mu      sync.Mutex
	blocked map[int64]bool

	// Ready is closed once the bot receives updates (tests, load tool).
	Ready chan struct{}
	// Handled, if set, is called after each update (tests, load tool).
	Handled func(updateID int64)
}

// New checks the configuration and prepares the transport; Run starts it.
func New(ctx context.Context, cfg Config, engine Handler, store Store, cat *locales.Catalog, log *slog.Logger) (*Bot, error) {
	if cfg.Token == "" {
		return nil, errors.New("telegram: no bot token")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = DefaultPollTimeout
	}
	if cfg.ListenAddr == "" {
		cfg.ListenAddr = DefaultListenAddr
	}
	if cfg.WebhookURL != "" {
		u, err := url.Parse(cfg.WebhookURL)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, fmt.Errorf("telegram: webhook URL %q is not an absolute http(s) address",
				strings.ReplaceAll(cfg.WebhookURL, cfg.Token, "<token>")) // some put the token in the path
		}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bot{
		cfg:     cfg,
		engine:  engine,
		store:   store,
		support: store,
		cat:     cat,
		log:     log,
		send:    newSender(cfg.GlobalRate, cfg.ChatRate, cfg.ChatBurst),
		blocked: map[int64]bool{},
		Ready:   make(chan struct{}),
		client:  &http.Client{Timeout: cfg.PollTimeout + 15*time.Second, Transport: newTransport(cfg.Workers)},
	}
	if cfg.Metrics != nil {
		b.client.Transport = countingTransport{next: b.client.Transport, m: cfg.Metrics}
	}
	if b.cfg.ShutdownTimeout <= 0 {
		b.cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	api, err := tgbot.New(cfg.Token,
		tgbot.WithServerURL(cfg.APIURL),
		tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(cfg.PollTimeout, b.client),
		tgbot.WithErrorsHandler(func(err error) { log.Warn("telegram library", "err", redact(err, cfg.Token)) }),
	)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", redact(err, cfg.Token))
	}
	b.api = api
	key, err := store.Secret(ctx, "callback_key", 32)
	if err != nil {
		return nil, err
	}
	b.codec = newCodec(key)
	b.secret = cfg.WebhookSecret
	if b.secret == "" && cfg.WebhookURL != "" {
		s, err := store.Secret(ctx, "webhook_secret", 24)
		if err != nil {
			return nil, err
		}
		// Telegram allows A-Z, a-z, 0-9, _ and - in the secret.
		b.secret = base64.RawURLEncoding.EncodeToString(s)
	}
	ids, err := store.BlockedUsers(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		b.blocked[id] = true
	}
	return b, nil
}

// Run receives and handles updates until ctx ends, then lets the updates
// in hand finish and returns.
func (b *Bot) Run(ctx context.Context) error {
	me, err := b.api.GetMe(ctx)
	if err != nil {
		return fmt.Errorf("telegram: getMe (is the token right?): %w", redact(err, b.cfg.Token))
	}
	b.username = me.Username
	b.log.Info("telegram bot", "username", me.Username, "id", me.ID, "webhook", b.cfg.WebhookURL != "")
	b.setup(ctx)
	if b.cfg.SupportChatID != 0 {
		b.forum = b.forumMode(ctx)
		b.log.Info("support chat", "forum", b.forum, "agents", len(b.cfg.AgentIDs))
	}

	// Workers get a context that survives the shutdown signal, so the
	// updates in hand finish, but only for ShutdownTimeout: an update cut
	// off then is still in the inbox and is handled after the restart.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	b.done = newDoneQueue(b.store, b.log, b.Handled)
	d := newDispatcher(b.cfg.Workers, b.process)
	d.start(work, b.cfg.Workers)
	defer func() {
		t := time.AfterFunc(b.cfg.ShutdownTimeout, cancelWork)
		defer t.Stop()
		d.stop()
		b.done.close()
	}()

	pending, err := b.store.InboxPending(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		b.log.Info("resuming updates stored before the last stop", "count", len(pending))
	}
	for _, it := range pending {
		d.push(it)
	}
	if b.cfg.WebhookURL != "" {
		return b.serveWebhook(ctx, d)
	}
	return b.poll(ctx, d)
}

// Ping checks that Telegram answers (the health check).
func (b *Bot) Ping(ctx context.Context) error {
	if _, err := b.api.GetMe(ctx); err != nil {
		return fmt.Errorf("telegram: %w", redact(err, b.cfg.Token))
	}
	return nil
}

// redact removes the token from an error's text: the library and
// net/http put request URLs, which contain it, into their errors.
func redact(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return redactedError{msg: strings.ReplaceAll(err.Error(), token, "<token>"), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }

// setup registers the commands menu and the descriptions in every
// language. Failures are logged, not fatal: the bot works without them.
func (b *Bot) setup(ctx context.Context) {
	cmds := []string{"start", "menu", "progress", "order", "explain", "problem", "support", "language", "help", "mydata", "forget", "restart"}
	for _, tag := range append([]string{""}, langCodes(b.cat)...) {
		lang := tag
		if lang == "" {
			lang = locales.Source.String()
		}
		full := b.cat.Match(lang, "")
		var list []models.BotCommand
		for _, c := range cmds {
			list = append(list, models.BotCommand{Command: c, Description: b.cat.Text(full, "cmd."+c, nil)})
		}
		calls := []func(context.Context) error{
			func(ctx context.Context) error {
				_, err := b.api.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: list, LanguageCode: tag})
				return err
			},
			func(ctx context.Context) error {
				_, err := b.api.SetMyDescription(ctx, &tgbot.SetMyDescriptionParams{Description: b.cat.Text(full, "bot.description", nil), LanguageCode: tag})
				return err
			},
			func(ctx context.Context) error {
				_, err := b.api.SetMyShortDescription(ctx, &tgbot.SetMyShortDescriptionParams{ShortDescription: b.cat.Text(full, "bot.short_description", nil), LanguageCode: tag})
				return err
			},
		}
		for _, call := range calls {
			if err := b.send.do(ctx, 0, false, call); err != nil {
				b.log.Warn("telegram setup", "lang", tag, "err", redact(err, b.cfg.Token))
			}
		}
	}
}

// langCodes returns the two-letter codes Telegram keys commands and
// descriptions by, one per language the bot has besides English.
func langCodes(cat *locales.Catalog) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range cat.Languages() {
		base, _ := t.Base()
		code := base.String()
		if t == locales.Source || seen[code] {
			continue
		}
		seen[code] = true
		out = append(out, code)
	}
	return out
}

func (b *Bot) isBlocked(userID int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.blocked[userID]
}

// setBlocked records a user's block or unblock, in memory and stored.
func (b *Bot) setBlocked(ctx context.Context, userID int64, blocked bool) {
	b.mu.Lock()
	was := b.blocked[userID]
	if blocked {
		b.blocked[userID] = true
	} else {
		delete(b.blocked, userID)
	}
	b.mu.Unlock()
	if was == blocked {
		return
	}
	if err := b.store.SetBlocked(ctx, userID, blocked); err != nil {
		b.log.Error("store blocked user", "user", userID, "err", err)
	}
	b.log.Info("user block changed", "user", userID, "blocked", blocked)
}
