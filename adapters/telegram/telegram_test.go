package telegram_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/buyerguide/bot/adapters/sqlite"
	"github.com/buyerguide/bot/adapters/telegram"
	"github.com/buyerguide/bot/adapters/telegram/telegramtest"
	"github.com/buyerguide/bot/conversation"
	"github.com/buyerguide/bot/data"
	"github.com/buyerguide/bot/locales"
	"github.com/go-telegram/bot/models"
)

const token = "123456:TEST-token-that-must-never-be-logged"

// syncBuffer collects logs from many goroutines.
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

// harness is the real adapter, engine and SQLite store against the fake
// Bot API server.
type harness struct {
	t     *testing.T
	srv   *telegramtest.Server
	guide *data.Guide
	cat   *locales.Catalog
	path  string
	db    *sqlite.DB
	logs  *syncBuffer
	cfg   telegram.Config
	wrap  func(telegram.Handler) telegram.Handler

	content *conversation.Content

	mu      sync.Mutex
	handled map[int64]bool
	changed chan struct{}

	stop func()
}

func newHarness(t *testing.T, cfg telegram.Config) *harness {
	t.Helper()
	c, err := conversation.LoadContent()
	if err != nil {
		t.Fatal(err)
	}
	srv := telegramtest.NewServer(token)
	t.Cleanup(srv.Close)
	cfg.Token = token
	cfg.APIURL = srv.URL()
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = 5 * time.Second
	}
	if cfg.Workers == 0 {
		cfg.Workers = 4
	}
	h := &harness{
		t: t, srv: srv, guide: c.Guide, cat: c.Cat, cfg: cfg, content: c,
		path:    filepath.Join(t.TempDir(), "bot.db"),
		logs:    &syncBuffer{},
		handled: map[int64]bool{},
		changed: make(chan struct{}),
	}
	t.Cleanup(func() {
		if strings.Contains(h.logs.String(), token) {
			t.Errorf("the bot token appears in the logs")
		}
	})
	return h
}

// start runs the bot until stopBot or the end of the test.
func (h *harness) start() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	db, err := sqlite.Open(ctx, h.path)
	if err != nil {
		h.t.Fatal(err)
	}
	h.db = db
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var opts []conversation.Option
	if h.cfg.SupportChatID != 0 {
		opts = append(opts, conversation.WithSupport())
	}
	eng, err := conversation.New(h.content, db, log, opts...)
	if err != nil {
		h.t.Fatal(err)
	}
	var handler telegram.Handler = eng
	if h.wrap != nil {
		handler = h.wrap(eng)
	}
	b, err := telegram.New(ctx, h.cfg, handler, db, h.cat, log)
	if err != nil {
		h.t.Fatal(err)
	}
	b.Handled = func(id int64) {
		h.mu.Lock()
		h.handled[id] = true
		close(h.changed)
		h.changed = make(chan struct{})
		h.mu.Unlock()
	}
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	select {
	case <-b.Ready:
	case err := <-done:
		h.t.Fatalf("bot stopped at start: %v", err)
	case <-time.After(10 * time.Second):
		h.t.Fatal("bot not ready")
	}
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				h.t.Errorf("bot: %v", err)
			}
			db.Close()
		})
	}
	h.t.Cleanup(h.stop)
}

// wait blocks until the bot has handled every given update.
func (h *harness) wait(ids ...int64) {
	h.t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		h.mu.Lock()
		all := true
		for _, id := range ids {
			all = all && h.handled[id]
		}
		ch := h.changed
		h.mu.Unlock()
		if all {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			h.t.Fatalf("updates %v not handled in time", ids)
		}
	}
}

func (h *harness) waitServer(cond func() bool) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := h.srv.Wait(ctx, cond); err != nil {
		h.t.Fatalf("waiting on the fake server: %v", err)
	}
}

func (h *harness) text(lang, id string, data ...map[string]any) string {
	var d map[string]any
	if len(data) > 0 {
		d = data[0]
	}
	return h.cat.Text(lang, id, d)
}

func (h *harness) steps() []data.Step {
	var out []data.Step
	for _, st := range h.guide.Stages {
		out = append(out, st.Steps...)
	}
	return out
}

// say sends text and waits for it to be handled.
func (h *harness) say(u telegramtest.User, text string) {
	h.t.Helper()
	h.wait(h.srv.SendText(u, text))
}

// press presses a button by its label and waits for it to be handled.
func (h *harness) press(u telegramtest.User, label string) {
	h.t.Helper()
	id, err := h.srv.Press(u, label)
	if err != nil {
		last, _ := h.srv.LastMessage(u.ID)
		h.t.Fatalf("press %q: %v\nlast message: %s", label, err, last.Text)
	}
	h.wait(id)
}

// advance leaves a step as a buyer who needs every stage would.
func (h *harness) advance(u telegramtest.User, lang string, s data.Step) {
	h.t.Helper()
	for _, c := range s.Choices {
		if c.To == "" {
			h.press(u, h.text(lang, s.ChoiceID(c.ID)))
			return
		}
	}
	h.press(u, h.text(lang, "ui.btn.next"))
}

// shows reports whether the user's last message is the step's screen.
func (h *harness) shows(u telegramtest.User, lang string, s data.Step) bool {
	m, ok := h.srv.LastMessage(u.ID)
	return ok && strings.HasPrefix(m.Text, "<b>"+htmlEscape(h.text(lang, s.TitleID()))+"</b>")
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func (h *harness) session(id int64) *conversation.Session {
	h.t.Helper()
	s, _, err := h.db.Load(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

// walk takes a user through the whole guide with buttons and checks each
// screen, edited in place.
func (h *harness) walk(u telegramtest.User, lang string) {
	h.t.Helper()
	h.say(u, "/start")
	steps := h.steps()
	for i, s := range steps {
		if !h.shows(u, lang, s) {
			m, _ := h.srv.LastMessage(u.ID)
			h.t.Fatalf("step %d (%s) not shown; last message:\n%s", i, s.Key, m.Text)
		}
		if i < len(steps)-1 {
			h.advance(u, lang, s)
		}
	}
	msgs := h.srv.Messages(u.ID)
	if len(msgs) != 1 {
		h.t.Errorf("%d messages for a walk with buttons, want 1 edited in place", len(msgs))
	}
	if n, want := len(h.srv.CallsTo("answerCallbackQuery")), len(steps)-1; n < want {
		h.t.Errorf("%d callback answers for %d presses", n, want)
	}
}

var alice = telegramtest.User{ID: 1001, FirstName: "Alice", Username: "alice", LanguageCode: "en"}

func TestWalkWholeGuidePolling(t *testing.T) {
	h := newHarness(t, telegram.Config{})
	h.start()
	h.walk(alice, "en")
	m, _ := h.srv.LastMessage(alice.ID)
	if m.ParseMode != "HTML" {
		t.Errorf("parse mode %q", m.ParseMode)
	}
	for _, c := range h.srv.CallsTo("editMessageText") {
		if !strings.Contains(c.Params["link_preview_options"], `"is_disabled":true`) {
			t.Fatalf("link previews not off: %v", c.Params)
		}
	}
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

func TestWalkWholeGuideWebhook(t *testing.T) {
	addr := freeAddr(t)
	h := newHarness(t, telegram.Config{
		WebhookURL:    "http://" + addr + "/tg/hook",
		ListenAddr:    addr,
		WebhookSecret: "s3cret-for_tests",
	})
	h.start()
	h.walk(alice, "en")

	tests := []struct {
		name   string
		header string
		want   int
	}{
		{"no secret", "", http.StatusUnauthorized},
		{"wrong secret", "guess", http.StatusUnauthorized},
		{"right secret, bad body", "s3cret-for_tests", http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/tg/hook", strings.NewReader(`{"update_id":`))
			if tc.header != "" {
				req.Header.Set("X-Telegram-Bot-Api-Secret-Token", tc.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
	// A forged update with a wrong secret changed nothing.
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/tg/hook",
		strings.NewReader(`{"update_id":999999,"message":{"message_id":1,"date":1,"chat":{"id":1001,"type":"private"},"from":{"id":1001,"first_name":"M"},"text":"/restart"}}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged update: status %d", resp.StatusCode)
	}
}

func TestStaleAndForgedButtonsChangeNothing(t *testing.T) {
	h := newHarness(t, telegram.Config{})
	h.start()
	h.say(alice, "/start")
	first, _ := h.srv.LastMessage(alice.ID)
	oldNext := first.Keyboard[0][0].CallbackData
	h.press(alice, h.text("en", "ui.btn.next"))
	before := h.session(alice.ID)

	bob := telegramtest.User{ID: 2002, FirstName: "Bob", LanguageCode: "en"}
	h.say(bob, "/start")
	bobMsg, _ := h.srv.LastMessage(bob.ID)
	bobNext := bobMsg.Keyboard[0][0].CallbackData
	bobBefore := h.session(bob.ID)

	tests := []struct {
		name, data, notice string
	}{
		{"stale", oldNext, "ui.notice.stale"},
		{"garbage", "hello", "ui.notice.bad_button"},
		{"tampered step", strings.Replace(oldNext, "intro.welcome", "payment.done", 1), "ui.notice.bad_button"},
		{"another user's button", bobNext, "ui.notice.bad_button"},
		{"too long", strings.Repeat("x", 70), "ui.notice.bad_button"},
		{"empty", "", "ui.notice.bad_button"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			calls := len(h.srv.CallsTo("answerCallbackQuery"))
			h.wait(h.srv.PressData(alice, first.ID, tc.data))
			answers := h.srv.CallsTo("answerCallbackQuery")
			if len(answers) != calls+1 {
				t.Fatalf("callback answered %d times", len(answers)-calls)
			}
			if got, want := answers[len(answers)-1].Params["text"], h.text("en", tc.notice); got != want {
				t.Errorf("notice %q, want %q", got, want)
			}
			after := h.session(alice.ID)
			if after.Step != before.Step || after.Version != before.Version {
				t.Errorf("state changed: %s v%d → %s v%d", before.Step, before.Version, after.Step, after.Version)
			}
			if !h.shows(alice, "en", h.steps()[1]) {
				t.Errorf("the current step is not shown")
			}
		})
	}
	h.t = t
	if s := h.session(bob.ID); s.Version != bobBefore.Version {
		t.Errorf("bob's state changed by alice's presses")
	}
}

func TestRedeliveredUpdateAppliedOnce(t *testing.T) {
	h := newHarness(t, telegram.Config{})
	h.start()
	h.say(alice, "/start")
	id, err := h.srv.Press(alice, h.text("en", "ui.btn.next"))
	if err != nil {
		t.Fatal(err)
	}
	h.wait(id)
	before := h.session(alice.ID)
	edits := len(h.srv.CallsTo("editMessageText"))
	h.srv.Redeliver(id)
	h.waitServer(func() bool { return h.srv.Pending() == 0 })
	// One more update through the same queue: once it is handled, the
	// redelivery before it has certainly been seen.
	h.say(alice, "/progress")
	after := h.session(alice.ID)
	if after.Version != before.Version || after.Step != before.Step {
		t.Errorf("redelivery applied again: v%d → v%d", before.Version, after.Version)
	}
	if n := len(h.srv.CallsTo("editMessageText")); n != edits {
		t.Errorf("redelivery edited the message again (%d → %d edits)", edits, n)
	}
}

func TestRapidUpdatesAppliedInOrder(t *testing.T) {
	h := newHarness(t, telegram.Config{})
	h.start()
	h.say(alice, "/start stage_alipay")
	ids := []int64{
		h.srv.SendText(alice, "/next"),
		h.srv.SendText(alice, "/next"),
		h.srv.SendText(alice, "/back"),
		h.srv.SendText(alice, "/next"),
		h.srv.SendText(alice, "/next"),
	}
	h.wait(ids...)
	alipay := h.guide.Stages[1].Steps
	if got := h.session(alice.ID).Step; got != alipay[3].Key {
		t.Errorf("after next, next, back, next, next: at %s, want %s", got, alipay[3].Key)
	}
	// A double tap on the same button acts once: the second press is
	// from a screen that is no longer current.
	next := h.text("en", "ui.btn.next")
	a, _ := h.srv.Press(alice, next)
	b, _ := h.srv.Press(alice, next)
	h.wait(a, b)
	if got := h.session(alice.ID).Step; got != alipay[4].Key {
		t.Errorf("double tap: at %s, want %s", got, alipay[4].Key)
	}
}

func TestTooManyRequestsIsRetried(t *testing.T) {
	h := newHarness(t, telegram.Config{})
	h.start()
	h.say(alice, "/start")
	h.srv.Fail("editMessageText", 1, 429, 1)
	h.press(alice, h.text("en", "ui.btn.next"))
	if !h.shows(alice, "en", h.steps()[1]) {
		t.Fatal("the edit never arrived")
	}
	var statuses []int
	for _, c := range h.srv.CallsTo("editMessageText") {
		statuses = append(statuses, c.Status)
	}
	if fmt.Sprint(statuses) != "[429 200]" {
		t.Errorf("edit statuses %v, want [429 200]", statuses)
	}
	h.srv.Fail("sendMessage", 2, 502, 0)
	h.say(alice, "/progress")
	m, _ := h.srv.LastMessage(alice.ID)
	if !strings.Contains(m.Text, h.text("en", "ui.progress.title")) {
		t.Errorf("the reply after two 502s did not arrive: %q", m.Text)
	}
}

func TestRestartInTheMiddleOfAWalk(t *testing.T) {
	h := newHarness(t, telegram.Config{})
	h.start()
	h.say(alice, "/start")
	steps := h.steps()
	h.advance(alice, "en", steps[0])
	h.advance(alice, "en", steps[1])
	h.stop()

	h.start()
	// The buttons of the message sent before the restart still work.
	for i := 2; i < 6; i++ {
		if !h.shows(alice, "en", steps[i]) {
			t.Fatalf("after the restart step %s is not shown", steps[i].Key)
		}
		h.advance(alice, "en", steps[i])
	}
	if got := h.session(alice.ID).Step; got != steps[6].Key {
		t.Errorf("at %s, want %s", got, steps[6].Key)
	}
}

func TestUpdatesStoredBeforeAStopAreHandledAfterIt(t *testing.T) {
	h := newHarness(t, telegram.Config{Workers: 1})
	blocked := make(chan struct{})
	release := make(chan struct{})
	h.wrap = func(next telegram.Handler) telegram.Handler {
		return intercept{next, func(ctx context.Context, ev conversation.Event) ([]conversation.Reply, error) {
			if ev.Text == "/hold" {
				close(blocked)
				<-release
			}
			return next.Handle(ctx, ev)
		}}
	}
	h.start()
	h.say(alice, "/start")
	hold := h.srv.SendText(alice, "/hold")
	<-blocked
	queued := h.srv.SendText(alice, "/next")
	// Confirmed to Telegram (stored in the inbox) while the worker is busy.
	h.waitServer(func() bool { return h.srv.Pending() == 0 })
	stopped := make(chan struct{})
	go func() { h.stop(); close(stopped) }()
	// Release the update in hand once the bot has stopped receiving.
	h.waitServer(func() bool { return h.srv.Polling() == 0 })
	close(release)
	<-stopped
	h.mu.Lock()
	handledBefore, heldDone := h.handled[queued], h.handled[hold]
	h.mu.Unlock()
	if !heldDone {
		t.Error("the update in hand was not finished at shutdown")
	}
	h.wrap = nil
	h.start()
	if !handledBefore {
		h.wait(queued)
	}
	if got := h.session(alice.ID).Step; got != h.steps()[1].Key {
		t.Errorf("the update stored before the stop was lost: at %s", got)
	}
}

// intercept wraps the engine's Handle.
type intercept struct {
	telegram.Handler
	fn func(context.Context, conversation.Event) ([]conversation.Reply, error)
}

func (i intercept) Handle(ctx context.Context, ev conversation.Event) ([]conversation.Reply, error) {
	return i.fn(ctx, ev)
}

func TestPanicAndErrorsAreAnswered(t *testing.T) {
	h := newHarness(t, telegram.Config{})
	h.wrap = func(next telegram.Handler) telegram.Handler {
		return intercept{next, func(ctx context.Context, ev conversation.Event) ([]conversation.Reply, error) {
			switch ev.Text {
			case "/boom":
				panic("boom")
			case "/fail":
				return nil, errors.New("database on fire")
			}
			return next.Handle(ctx, ev)
		}}
	}
	h.start()
	ru := telegramtest.User{ID: 3003, FirstName: "Иван", LanguageCode: "ru"}
	for _, cmd := range []string{"/boom", "/fail"} {
		h.say(ru, cmd)
		m, _ := h.srv.LastMessage(ru.ID)
		lang := h.cat.Match("", "ru")
		if m.Text != htmlEscape(h.text(lang, "ui.error.internal")) {
			t.Errorf("%s answered %q", cmd, m.Text)
		}
	}
	h.say(ru, "/start")
	if !h.shows(ru, h.cat.Match("", "ru"), h.steps()[0]) {
		t.Error("the bot does not work after a panic")
	}
	if !strings.Contains(h.logs.String(), "panic") {
		t.Error("the panic was not logged")
	}
}

func TestOtherKindsOfUpdates(t *testing.T) {
	h := newHarness(t, telegram.Config{})
	h.start()
	h.say(alice, "/start")
	chat := models.Chat{ID: alice.ID, Type: models.ChatTypePrivate}
	from := &models.User{ID: alice.ID, FirstName: "Alice", LanguageCode: "en"}

	h.wait(h.srv.Queue(models.Update{Message: &models.Message{Chat: chat, From: from, Date: 1,
		Sticker: &models.Sticker{FileID: "s", FileUniqueID: "s", Type: "regular", Width: 1, Height: 1}}}))
	m, _ := h.srv.LastMessage(alice.ID)
	if !strings.Contains(m.Text, htmlEscape(h.text("en", "ui.unsupported"))) {
		t.Errorf("sticker answered with %q", m.Text)
	}
	h.wait(h.srv.Queue(models.Update{EditedMessage: &models.Message{Chat: chat, From: from, Date: 1, Text: "edited"}}))
	m, _ = h.srv.LastMessage(alice.ID)
	if !strings.Contains(m.Text, htmlEscape(h.text("en", "ui.notice.edited"))) {
		t.Errorf("edit answered with %q", m.Text)
	}
	// A group chat is ignored.
	sent := len(h.srv.CallsTo("sendMessage"))
	group := models.Chat{ID: -100555, Type: models.ChatTypeSupergroup, Title: "g"}
	h.wait(h.srv.Queue(models.Update{Message: &models.Message{Chat: group, From: from, Date: 1, Text: "/start"}}))
	if n := len(h.srv.CallsTo("sendMessage")); n != sent {
		t.Errorf("the bot answered in a group chat")
	}
	// Text that contains markup is shown as text.
	h.say(alice, "<b>hi</b> & bye")
	m, _ = h.srv.LastMessage(alice.ID)
	if strings.Contains(m.Text, "<b>hi") {
		t.Errorf("user text not escaped: %q", m.Text)
	}
}

func TestBlockedUserIsMarkedAndLeftAlone(t *testing.T) {
	h := newHarness(t, telegram.Config{})
	h.start()
	h.say(alice, "/start")
	h.srv.Block(alice.ID)
	h.say(alice, "/progress")
	ids, err := h.db.BlockedUsers(context.Background())
	if err != nil || len(ids) != 1 || ids[0] != alice.ID {
		t.Fatalf("blocked users %v, %v", ids, err)
	}
	// Telegram tells us when the user unblocks; their next message is
	// answered.
	h.srv.Unblock(alice.ID)
	h.say(alice, "/help")
	m, _ := h.srv.LastMessage(alice.ID)
	if !strings.Contains(m.Text, h.text("en", "ui.help.title")) {
		t.Errorf("no answer after unblocking: %q", m.Text)
	}
	if ids, _ := h.db.BlockedUsers(context.Background()); len(ids) != 0 {
		t.Errorf("still marked blocked: %v", ids)
	}
}

func TestCommandsAndDescriptionsInEveryLanguage(t *testing.T) {
	h := newHarness(t, telegram.Config{})
	h.start()
	def := h.srv.Commands("")
	if len(def) == 0 || def[0].Command != "start" || def[0].Description != h.text("en", "cmd.start") {
		t.Fatalf("default commands %+v", def)
	}
	for _, tag := range h.cat.Languages() {
		base, _ := tag.Base()
		code := base.String()
		if code == "en" {
			continue
		}
		cmds := h.srv.Commands(code)
		if len(cmds) != len(def) || cmds[0].Description != h.text(tag.String(), "cmd.start") {
			t.Errorf("%s: commands %+v", code, cmds)
		}
		if h.srv.Description(code) != h.text(tag.String(), "bot.description") {
			t.Errorf("%s: description not set", code)
		}
		if h.srv.ShortDescription(code) != h.text(tag.String(), "bot.short_description") {
			t.Errorf("%s: short description not set", code)
		}
	}
}

func TestRepliesUnderRateLimitsAllArrive(t *testing.T) {
	h := newHarness(t, telegram.Config{ChatRate: 50, ChatBurst: 1, GlobalRate: 100})
	h.start()
	var ids []int64
	for range 5 {
		ids = append(ids, h.srv.SendText(alice, "/help"))
	}
	h.wait(ids...)
	if n := len(h.srv.Messages(alice.ID)); n != 5 {
		t.Errorf("%d messages, want 5", n)
	}
}

func TestInlineQueryExplainsLabels(t *testing.T) {
	h := newHarness(t, telegram.Config{})
	h.start()
	id, qid := h.srv.InlineQuery(telegramtest.User{ID: 4004, FirstName: "Kim", LanguageCode: "ko"}, "验证码")
	h.wait(id)
	res, ok := h.srv.InlineAnswer(qid)
	if !ok || len(res) != 1 {
		t.Fatalf("inline answer %v, %v", res, ok)
	}
	if title, _ := res[0]["title"].(string); !strings.Contains(title, "验证码") {
		t.Errorf("result title %q", title)
	}
}
