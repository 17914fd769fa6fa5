// Package telegramtest provides a fake Telegram Bot API server for end-to-end
// tests and load tools.
//
// The server speaks the HTTP dialect used by github.com/go-telegram/bot:
// POST /bot<token>/<method> with multipart/form-data (JSON and url-encoded
// bodies are accepted too) and JSON answers shaped like Telegram's. It keeps
// enough state (chats, messages, callback queries, the update queue, the
// webhook) to answer the way Telegram would, including the error texts the bot
// is expected to react to.
//
// Everything is safe for concurrent use and nothing sleeps to wait: long polls,
// Wait and the webhook deliverer all block on a broadcast channel that is
// closed on every state change.
package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// ErrClosed is returned by Wait when the server is closed before the
// condition became true: no state change can happen any more.
var ErrClosed = errors.New("telegramtest: server closed")

// Call is one recorded Bot API request.
type Call struct {
	// Method is the canonical Bot API method name (e.g. "sendMessage"), or
	// the name as requested when the method is unknown.
	Method string
	// Params holds the request parameters as strings, the way the Bot API
	// receives them: JSON-encoded objects (reply_markup, ...) stay JSON text,
	// uploaded files are recorded as "@<filename>".
	Params map[string]string
	// Status is the HTTP status of the answer (200, 400, 429, ...).
	Status int
	// At is when the request arrived.
	At time.Time
}

// User is a Telegram user the test acts as. Its private chat with the bot has
// the same id as the user.
type User struct {
	ID           int64
	FirstName    string
	Username     string
	LanguageCode string
}

// Message is a snapshot of a message the bot sent.
type Message struct {
	ID       int
	ChatID   int64
	ThreadID int
	// Text is the text as sent by the bot (not entity-parsed), or the caption
	// of a photo/document.
	Text      string
	ParseMode string
	// Keyboard is the inline keyboard currently attached, nil when none.
	Keyboard [][]Button
	// Edits counts successful editMessageText, editMessageCaption and
	// editMessageReplyMarkup calls.
	Edits   int
	FromBot bool
	// Media is what the message carries besides text ("photo",
	// "document", "video", "voice", "audio", "animation", "sticker"), ""
	// for a text message; FileID is that file's id.
	Media  string
	FileID string
}

// Button is one inline keyboard button.
type Button struct {
	Text         string
	CallbackData string
	URL          string
}

// handlerFunc implements one Bot API method. It returns the value to put in
// "result" or the Telegram error to answer with.
type handlerFunc func(ctx context.Context, req *apiRequest) (any, *apiError)

// method is a routing table entry; name is the canonical spelling used for
// recording because Telegram matches method names case-insensitively.
type method struct {
	name string
	fn   handlerFunc
}

// fault is a pending injected failure for one method.
type fault struct {
	remaining  int
	code       int
	retryAfter int
}

// Server is a fake Telegram Bot API server. Create it with NewServer and
// release it with Close.
type Server struct {
	token   string
	bot     models.User
	srv     *httptest.Server
	methods map[string]method

	// hookClient posts updates to the webhook; it is private so Close can
	// drop its idle connections without touching http.DefaultTransport.
	hookClient    *http.Client
	hookTransport *http.Transport

	// closed is closed by Close; every blocking wait selects on it so that
	// httptest.Server.Close (which waits for handlers) cannot hang.
	closed     chan struct{}
	closeOnce  sync.Once
	baseCtx    context.Context
	baseCancel context.CancelFunc
	wg         sync.WaitGroup

	mu sync.Mutex
	// changed is closed and replaced on every state change, which wakes all
	// waiters at once (a sync.Cond that also works with select).
	changed chan struct{}

	calls     []Call
	dropCalls bool
	observer  func(Call)
	faults    map[string][]fault

	chats     map[int64]*chatState
	usernames map[string]int64 // lower-case username without "@" → chat id
	blocked   map[int64]bool   // user ids that blocked the bot
	callbacks map[string]*callbackState
	inline    map[string]*inlineState // inline query id → answer

	queue          []*queuedUpdate
	history        map[int64][]byte // every update ever queued, for Redeliver
	lastUpdateID   int64
	lastCallbackID int64
	lastFileID     int64

	// pollGen identifies the newest getUpdates request: an older long poll
	// that sees a newer generation answers 409 like Telegram does.
	pollGen uint64
	polling int

	hook webhookState

	commands          map[string][]models.BotCommand // key: scope + language
	descriptions      map[string]string              // key: language
	shortDescriptions map[string]string              // key: language
}

// NewServer starts a fake Bot API server that accepts the given bot token.
// Pass URL() to tgbot.WithServerURL.
func NewServer(token string) *Server {
	transport := &http.Transport{MaxIdleConnsPerHost: 4}
	s := &Server{
		token:             token,
		bot:               botUser(token),
		hookTransport:     transport,
		hookClient:        &http.Client{Transport: transport},
		closed:            make(chan struct{}),
		changed:           make(chan struct{}),
		faults:            make(map[string][]fault),
		chats:             make(map[int64]*chatState),
		usernames:         make(map[string]int64),
		blocked:           make(map[int64]bool),
		callbacks:         make(map[string]*callbackState),
		history:           make(map[int64][]byte),
		commands:          make(map[string][]models.BotCommand),
		descriptions:      make(map[string]string),
		shortDescriptions: make(map[string]string),
	}
	s.baseCtx, s.baseCancel = context.WithCancel(context.Background())
	s.methods = s.routes()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))

	s.wg.Add(1)
	go s.deliverLoop()
	return s
}

// botUser derives the bot's identity from its token ("<id>:<secret>"), the
// way Telegram's getMe relates to it.
func botUser(token string) models.User {
	id, err := strconv.ParseInt(strings.SplitN(token, ":", 2)[0], 10, 64)
	if err != nil || id <= 0 {
		id = 1000001
	}
	return models.User{
		ID:            id,
		IsBot:         true,
		FirstName:     "Test Bot",
		Username:      "telegramtest_bot",
		CanJoinGroups: true,
	}
}

// URL returns the base URL to pass to tgbot.WithServerURL.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server: pending long polls return, webhook delivery stops
// and Wait returns ErrClosed. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.baseCancel()
		s.srv.Close()
		s.wg.Wait()
		s.hookTransport.CloseIdleConnections()
	})
}

// notifyLocked wakes every waiter; it must be called with s.mu held after
// any state change.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Wait blocks until cond returns true, re-evaluating it after every state
// change of the server (any handled call, queued update or webhook delivery).
// cond runs without the server lock held, so it may call any inspection
// method. Wait returns a wrapped ctx error when ctx ends first, and ErrClosed
// when the server is closed while cond is still false.
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	for {
		// Take the channel before evaluating cond so that a change between
		// the evaluation and the select cannot be missed.
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()

		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("telegramtest: wait: %w", ctx.Err())
		case <-s.closed:
			if cond() {
				return nil
			}
			return ErrClosed
		}
	}
}

// Fail makes the next `times` calls of method fail with the given HTTP/Bot API
// error code (e.g. 429 with retryAfter seconds, 500, 502). The failing calls
// are recorded like any other. Several Fail calls for one method queue up;
// times <= 0 removes the pending failures of method.
func (s *Server) Fail(method string, times int, code int, retryAfter int) {
	key := strings.ToLower(method)
	s.mu.Lock()
	defer s.mu.Unlock()
	if times <= 0 {
		delete(s.faults, key)
		return
	}
	s.faults[key] = append(s.faults[key], fault{remaining: times, code: code, retryAfter: retryAfter})
}

// takeFault consumes one injected failure for the method, if any.
func (s *Server) takeFault(key string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := s.faults[key]
	if len(fs) == 0 {
		return nil
	}
	f := fs[0]
	fs[0].remaining--
	if fs[0].remaining <= 0 {
		fs = fs[1:]
	}
	if len(fs) == 0 {
		delete(s.faults, key)
	} else {
		s.faults[key] = fs
	}
	return injectedError(f.code, f.retryAfter)
}

// Calls returns a copy of every recorded call, in the order they were
// answered (a long poll is recorded when it returns).
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		c.Params = maps.Clone(c.Params)
		out[i] = c
	}
	return out
}

// CallsTo returns copies of the recorded calls of one method (case-insensitive).
func (s *Server) CallsTo(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if strings.EqualFold(c.Method, method) {
			c.Params = maps.Clone(c.Params)
			out = append(out, c)
		}
	}
	return out
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dropCalls {
		s.calls = append(s.calls, c)
	}
	if s.observer != nil {
		s.observer(c)
	}
	s.notifyLocked()
}

// Observe calls fn with every call the server answers, once its answer is
// decided. fn runs under the server's lock: it must be quick, must not
// block, and must not call the server. Load drivers use it to learn of a
// reply without every waiter re-checking every change.
func (s *Server) Observe(fn func(Call)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.observer = fn
}

// KeepCalls turns the call log on (the default) or off; a long load run
// turns it off so that memory stays flat.
func (s *Server) KeepCalls(keep bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropCalls = !keep
}

// serveHTTP routes /bot<token>/<method>, applies token check, routing and
// fault injection in Telegram's order, runs the method and records the call.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	token, name, pathOK := splitPath(r.URL.Path)
	req, parseErr := parseRequest(r)

	var (
		result any
		aerr   *apiError
	)
	switch m, known := s.methods[strings.ToLower(name)]; {
	case !pathOK:
		aerr = errNotFound
	case token != s.token:
		aerr = errUnauthorized
	case !known:
		aerr = errNotFound
	default:
		name = m.name
		if parseErr != nil {
			aerr = badRequest("%v", parseErr)
			break
		}
		if aerr = s.takeFault(strings.ToLower(name)); aerr != nil {
			break
		}
		result, aerr = m.fn(r.Context(), req)
	}

	status, body := encodeResponse(result, aerr)
	// Record before answering: once the client has its answer, Calls must
	// already show the call.
	s.record(Call{Method: name, Params: req.params, Status: status, At: at})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client may be gone; nothing useful to do
}

// splitPath extracts token and method from "/bot<token>/<method>".
func splitPath(path string) (token, method string, ok bool) {
	rest, found := strings.CutPrefix(path, "/bot")
	if !found {
		return "", "", false
	}
	token, method, found = strings.Cut(rest, "/")
	if !found || method == "" || strings.Contains(method, "/") {
		return token, method, false
	}
	return token, method, true
}

// apiResponse is Telegram's answer envelope.
type apiResponse struct {
	OK          bool                `json:"ok"`
	Result      any                 `json:"result,omitempty"`
	ErrorCode   int                 `json:"error_code,omitempty"`
	Description string              `json:"description,omitempty"`
	Parameters  *responseParameters `json:"parameters,omitempty"`
}

type responseParameters struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

// described is a successful result that Telegram accompanies with a
// description (setWebhook, deleteWebhook).
type described struct {
	result      any
	description string
}

// encodeResponse builds the JSON envelope and the HTTP status to answer with.
func encodeResponse(result any, aerr *apiError) (int, []byte) {
	resp := apiResponse{OK: true, Result: result}
	status := http.StatusOK
	if d, ok := result.(described); ok {
		resp.Result, resp.Description = d.result, d.description
	}
	if aerr != nil {
		status = aerr.code
		resp = apiResponse{ErrorCode: aerr.code, Description: aerr.description}
		if aerr.retryAfter > 0 {
			resp.Parameters = &responseParameters{RetryAfter: aerr.retryAfter}
		}
	}
	body, err := json.Marshal(resp)
	if err != nil {
		status = http.StatusInternalServerError
		body, _ = json.Marshal(apiResponse{
			ErrorCode:   status,
			Description: fmt.Sprintf("Internal Server Error: encode result: %v", err),
		})
	}
	return status, body
}

// routes builds the method table. It is per server (not a package variable)
// because the handlers are bound to s.
func (s *Server) routes() map[string]method {
	table := []method{
		{"getMe", s.getMe},
		{"getUpdates", s.getUpdates},
		{"setWebhook", s.setWebhook},
		{"deleteWebhook", s.deleteWebhook},
		{"getWebhookInfo", s.getWebhookInfo},
		{"sendMessage", s.sendMessage},
		{"editMessageText", s.editMessageText},
		{"editMessageReplyMarkup", s.editMessageReplyMarkup},
		{"editMessageCaption", s.editMessageCaption},
		{"deleteMessage", s.deleteMessage},
		{"sendPhoto", s.sendPhoto},
		{"sendDocument", s.sendDocument},
		{"copyMessage", s.copyMessage},
		{"forwardMessage", s.forwardMessage},
		{"answerCallbackQuery", s.answerCallbackQuery},
		{"answerInlineQuery", s.answerInlineQuery},
		{"sendChatAction", s.sendChatAction},
		{"setMyCommands", s.setMyCommands},
		{"getMyCommands", s.getMyCommands},
		{"deleteMyCommands", s.deleteMyCommands},
		{"setMyDescription", s.setMyDescription},
		{"getMyDescription", s.getMyDescription},
		{"setMyShortDescription", s.setMyShortDescription},
		{"getMyShortDescription", s.getMyShortDescription},
		{"createForumTopic", s.createForumTopic},
		{"editForumTopic", s.editForumTopic},
		{"deleteForumTopic", s.deleteForumTopic},
		{"getChat", s.getChat},
	}
	out := make(map[string]method, len(table))
	for _, m := range table {
		out[strings.ToLower(m.name)] = m
	}
	return out
}

func (s *Server) getMe(context.Context, *apiRequest) (any, *apiError) {
	u := s.bot
	return &u, nil
}
