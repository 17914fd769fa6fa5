package telegramtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/buyerguide/bot/adapters/telegram/telegramtest"
)

const token = "123456:TEST-token"

var alice = telegramtest.User{ID: 1001, FirstName: "Alice", Username: "alice", LanguageCode: "en"}

// waitTimeout bounds every wait so a broken server fails fast instead of
// hanging the test binary.
const waitTimeout = 5 * time.Second

func newServer(t *testing.T) *telegramtest.Server {
	t.Helper()
	s := telegramtest.NewServer(token)
	t.Cleanup(s.Close)
	return s
}

func newBot(t *testing.T, s *telegramtest.Server, opts ...tgbot.Option) *tgbot.Bot {
	t.Helper()
	base := []tgbot.Option{
		tgbot.WithServerURL(s.URL()),
		tgbot.WithSkipGetMe(),
		// Errors after the test ends (server closed under the poller) must
		// not reach t.Log, which panics once the test is over.
		tgbot.WithErrorsHandler(func(error) {}),
	}
	b, err := tgbot.New(token, append(base, opts...)...)
	if err != nil {
		t.Fatalf("tgbot.New: %v", err)
	}
	return b
}

// startBot runs b.Start (long polling) until the test ends. The cleanup is
// registered after the server's, so the bot stops before the server closes.
func startBot(t *testing.T, b *tgbot.Bot, start func(*tgbot.Bot, context.Context)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		start(b, ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// collector returns a bot option that forwards every update to a channel.
func collector() (tgbot.Option, chan *models.Update) {
	ch := make(chan *models.Update, 64)
	return tgbot.WithDefaultHandler(func(_ context.Context, _ *tgbot.Bot, upd *models.Update) {
		ch <- upd
	}), ch
}

func receive(t *testing.T, ch <-chan *models.Update) *models.Update {
	t.Helper()
	select {
	case upd := <-ch:
		return upd
	case <-time.After(waitTimeout):
		t.Fatal("no update received")
		return nil
	}
}

func waitFor(t *testing.T, s *telegramtest.Server, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := s.Wait(ctx, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// rawResponse is the Bot API envelope as seen by a plain HTTP client.
type rawResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
}

// rawCall performs a Bot API request without the library, to check the wire
// format and the parameter encodings the library does not use.
func rawCall(ctx context.Context, s *telegramtest.Server, tok, method, contentType, body string) (int, rawResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"/bot"+tok+"/"+method, strings.NewReader(body))
	if err != nil {
		return 0, rawResponse{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, rawResponse{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, rawResponse{}, err
	}
	var r rawResponse
	if err := json.Unmarshal(data, &r); err != nil {
		return resp.StatusCode, r, fmt.Errorf("decode %s: %w", data, err)
	}
	return resp.StatusCode, r, nil
}

func getUpdatesForm(t *testing.T, s *telegramtest.Server, v url.Values) []models.Update {
	t.Helper()
	status, r, err := rawCall(context.Background(), s, token, "getUpdates", "application/x-www-form-urlencoded", v.Encode())
	if err != nil || status != http.StatusOK {
		t.Fatalf("getUpdates: status %d, %+v, %v", status, r, err)
	}
	var ups []models.Update
	if err := json.Unmarshal(r.Result, &ups); err != nil {
		t.Fatalf("decode updates: %v", err)
	}
	return ups
}

func keyboard(rows ...[]models.InlineKeyboardButton) *models.InlineKeyboardMarkup {
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func TestSendEditAndNotModified(t *testing.T) {
	s := newServer(t)
	b := newBot(t, s)
	ctx := context.Background()
	kb := keyboard([]models.InlineKeyboardButton{{Text: "Yes", CallbackData: "yes"}, {Text: "Docs", URL: "https://example.com"}})

	msg, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: alice.ID, Text: "<b>Pick</b>", ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if msg.ID != 1 || msg.Chat.ID != alice.ID || msg.From == nil || !msg.From.IsBot || msg.ReplyMarkup == nil {
		t.Fatalf("unexpected message %+v", msg)
	}
	second, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: alice.ID, Text: "second"})
	if err != nil || second.ID != 2 {
		t.Fatalf("second message: %+v, %v", second, err)
	}

	edited, err := b.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: alice.ID, MessageID: msg.ID, Text: "Picked", ReplyMarkup: kb})
	if err != nil || edited.Text != "Picked" || edited.EditDate == 0 {
		t.Fatalf("EditMessageText: %+v, %v", edited, err)
	}
	_, err = b.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: alice.ID, MessageID: msg.ID, Text: "Picked", ReplyMarkup: kb})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Fatalf("same edit: want not modified, got %v", err)
	}
	_, err = b.EditMessageReplyMarkup(ctx, &tgbot.EditMessageReplyMarkupParams{ChatID: alice.ID, MessageID: msg.ID, ReplyMarkup: kb})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Fatalf("same markup: want not modified, got %v", err)
	}
	// Omitting reply_markup removes the keyboard, as in Telegram.
	if _, err := b.EditMessageReplyMarkup(ctx, &tgbot.EditMessageReplyMarkupParams{ChatID: alice.ID, MessageID: msg.ID}); err != nil {
		t.Fatalf("remove keyboard: %v", err)
	}
	_, err = b.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: alice.ID, MessageID: 99, Text: "x"})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "message to edit not found") {
		t.Fatalf("unknown message: %v", err)
	}

	msgs := s.Messages(alice.ID)
	if len(msgs) != 2 {
		t.Fatalf("want 2 messages, got %+v", msgs)
	}
	if m := msgs[0]; m.Text != "Picked" || m.Edits != 2 || m.Keyboard != nil || !m.FromBot || m.ChatID != alice.ID {
		t.Fatalf("edited message state: %+v", m)
	}
	if last, ok := s.LastMessage(alice.ID); !ok || last.ID != 2 || last.Text != "second" {
		t.Fatalf("LastMessage: %+v %v", last, ok)
	}

	if _, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: alice.ID, Text: strings.Repeat("я", 4096)}); err != nil {
		t.Fatalf("4096 characters must pass: %v", err)
	}
	_, err = b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: alice.ID, Text: strings.Repeat("a", 4097)})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is too long") {
		t.Fatalf("long text: %v", err)
	}
	_, err = b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: alice.ID, Text: "kb",
		ReplyMarkup: keyboard([]models.InlineKeyboardButton{{Text: "x", CallbackData: strings.Repeat("d", 65)}})})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "BUTTON_DATA_INVALID") {
		t.Fatalf("long callback data: %v", err)
	}
}

func TestFailInjectsErrors(t *testing.T) {
	s := newServer(t)
	b := newBot(t, s)
	ctx := context.Background()
	params := &tgbot.SendMessageParams{ChatID: alice.ID, Text: "hi"}

	s.Fail("sendMessage", 1, http.StatusTooManyRequests, 7)
	_, err := b.SendMessage(ctx, params)
	var tooMany *tgbot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 7 {
		t.Fatalf("want TooManyRequestsError with retry_after 7, got %v", err)
	}
	if _, err := b.SendMessage(ctx, params); err != nil {
		t.Fatalf("after the injected failure: %v", err)
	}

	s.Fail("sendMessage", 2, http.StatusBadGateway, 0)
	for i := range 2 {
		if _, err := b.SendMessage(ctx, params); err == nil || !strings.Contains(err.Error(), "502") {
			t.Fatalf("call %d: want 502, got %v", i, err)
		}
	}
	if _, err := b.SendMessage(ctx, params); err != nil {
		t.Fatalf("after the 502s: %v", err)
	}

	calls := s.CallsTo("sendMessage")
	want := []int{429, 200, 502, 502, 200}
	if len(calls) != len(want) {
		t.Fatalf("want %d calls, got %+v", len(want), calls)
	}
	for i, c := range calls {
		if c.Status != want[i] || c.Method != "sendMessage" || c.Params["text"] != "hi" || c.Params["chat_id"] != "1001" || c.At.IsZero() {
			t.Fatalf("call %d: %+v", i, c)
		}
	}
	if got := len(s.Messages(alice.ID)); got != 2 {
		t.Fatalf("failed calls must not store messages: %d stored", got)
	}
}

func TestPollingDeliversTextAndPress(t *testing.T) {
	s := newServer(t)
	opt, updates := collector()
	b := newBot(t, s, opt, tgbot.WithNotAsyncHandlers())
	ctx := context.Background()

	prompt, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: alice.ID, Text: "Continue?",
		ReplyMarkup: keyboard([]models.InlineKeyboardButton{{Text: "Yes", CallbackData: "answer:yes"}, {Text: "No", CallbackData: "answer:no"}})})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	startBot(t, b, (*tgbot.Bot).Start)

	textID := s.SendText(alice, "/start ref42")
	pressID, err := s.Press(alice, "No")
	if err != nil {
		t.Fatalf("Press: %v", err)
	}
	if _, err := s.Press(alice, "Maybe"); err == nil {
		t.Fatal("Press of a missing button must fail")
	}

	u1 := receive(t, updates)
	if u1.ID != textID || u1.Message == nil || u1.Message.Text != "/start ref42" || u1.Message.From.Username != "alice" ||
		u1.Message.Chat.Type != models.ChatTypePrivate || len(u1.Message.Entities) != 1 || u1.Message.Entities[0].Length != 6 {
		t.Fatalf("text update: %+v", u1)
	}
	u2 := receive(t, updates)
	cq := u2.CallbackQuery
	if u2.ID != pressID || cq == nil || cq.Data != "answer:no" || cq.From.ID != alice.ID || cq.ID == "" ||
		cq.Message.Message == nil || cq.Message.Message.ID != prompt.ID || cq.Message.Message.ReplyMarkup == nil {
		t.Fatalf("callback update: %+v", u2)
	}

	if _, err := b.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID, Text: "Noted"}); err != nil {
		t.Fatalf("AnswerCallbackQuery: %v", err)
	}
	if text, ok := s.Answered(cq.ID); !ok || text != "Noted" {
		t.Fatalf("Answered: %q %v", text, ok)
	}
	_, err = b.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "query is too old") {
		t.Fatalf("second answer: %v", err)
	}

	// The bot confirms with the offset of its next poll.
	waitFor(t, s, "confirmation", func() bool { return s.Pending() == 0 })
}

func TestGetUpdatesOffsetAndEncodings(t *testing.T) {
	s := newServer(t)
	id1 := s.SendText(alice, "one")
	id2 := s.SendText(alice, "two")

	if ups := getUpdatesForm(t, s, url.Values{}); len(ups) != 2 || ups[0].ID != id1 || ups[1].ID != id2 {
		t.Fatalf("first poll: %+v", ups)
	}
	// Without a higher offset nothing is confirmed.
	if ups := getUpdatesForm(t, s, url.Values{"limit": {"1"}}); len(ups) != 1 || ups[0].ID != id1 {
		t.Fatalf("limit 1: %+v", ups)
	}
	if ups := getUpdatesForm(t, s, url.Values{"offset": {strconv.FormatInt(id2, 10)}}); len(ups) != 1 || ups[0].ID != id2 {
		t.Fatalf("offset id2: %+v", ups)
	}
	if s.Pending() != 1 {
		t.Fatalf("pending after offset id2: %d", s.Pending())
	}
	if ups := getUpdatesForm(t, s, url.Values{"offset": {strconv.FormatInt(id2+1, 10)}}); len(ups) != 0 {
		t.Fatalf("offset id2+1: %+v", ups)
	}
	if s.Pending() != 0 {
		t.Fatalf("pending after confirming all: %d", s.Pending())
	}

	// JSON bodies carry reply_markup as an object rather than a string.
	body := `{"chat_id":1001,"text":"json","reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}}`
	status, r, err := rawCall(context.Background(), s, token, "sendMessage", "application/json", body)
	if err != nil || status != http.StatusOK || !r.OK {
		t.Fatalf("JSON sendMessage: %d %+v %v", status, r, err)
	}
	last, _ := s.LastMessage(alice.ID)
	if last.Text != "json" || len(last.Keyboard) != 1 || last.Keyboard[0][0].CallbackData != "a" {
		t.Fatalf("JSON message state: %+v", last)
	}
}

func TestLongPoll(t *testing.T) {
	s := newServer(t)
	type result struct {
		status int
		r      rawResponse
		err    error
	}
	poll := func(ctx context.Context, timeout int) <-chan result {
		ch := make(chan result, 1)
		go func() {
			status, r, err := rawCall(ctx, s, token, "getUpdates", "application/x-www-form-urlencoded",
				url.Values{"timeout": {strconv.Itoa(timeout)}}.Encode())
			ch <- result{status, r, err}
		}()
		return ch
	}
	await := func(ch <-chan result) result {
		t.Helper()
		select {
		case res := <-ch:
			return res
		case <-time.After(waitTimeout):
			t.Fatal("long poll did not return")
			return result{}
		}
	}

	// Wakes on a new update.
	pending := poll(context.Background(), 30)
	waitFor(t, s, "poll to start", func() bool { return s.Polling() == 1 })
	id := s.SendText(alice, "wake up")
	res := await(pending)
	var ups []models.Update
	if res.err != nil || json.Unmarshal(res.r.Result, &ups) != nil || len(ups) != 1 || ups[0].ID != id {
		t.Fatalf("woken poll: %+v %v", res.r, res.err)
	}
	getUpdatesForm(t, s, url.Values{"offset": {strconv.FormatInt(id+1, 10)}})

	// Returns an empty result when the timeout passes.
	start := time.Now()
	res = await(poll(context.Background(), 1))
	if res.err != nil || string(res.r.Result) != "[]" || time.Since(start) < 900*time.Millisecond {
		t.Fatalf("expired poll: %+v %v after %v", res.r, res.err, time.Since(start))
	}

	// A newer getUpdates terminates the older one with 409.
	older := poll(context.Background(), 30)
	waitFor(t, s, "poll to start", func() bool { return s.Polling() == 1 })
	getUpdatesForm(t, s, url.Values{})
	res = await(older)
	if res.status != http.StatusConflict || !strings.Contains(res.r.Description, "terminated by other getUpdates request") {
		t.Fatalf("superseded poll: %d %+v", res.status, res.r)
	}

	// Ends when the client gives up.
	ctx, cancel := context.WithCancel(context.Background())
	gone := poll(ctx, 30)
	waitFor(t, s, "poll to start", func() bool { return s.Polling() == 1 })
	cancel()
	await(gone)
	waitFor(t, s, "poll to end", func() bool { return s.Polling() == 0 })
}

func TestWebhookDeliveryAndRetry(t *testing.T) {
	s := newServer(t)
	opt, updates := collector()
	b := newBot(t, s, opt, tgbot.WithWebhookSecretToken("s3cret"), tgbot.WithNotAsyncHandlers())
	ctx := context.Background()

	var (
		mu       sync.Mutex
		attempts int
		secrets  []string
		ids      []int64
	)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var upd models.Update
		_ = json.Unmarshal(body, &upd)
		mu.Lock()
		attempts++
		first := attempts == 1
		secrets = append(secrets, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		ids = append(ids, upd.ID)
		mu.Unlock()
		if first {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		b.WebhookHandler()(w, r)
	}))
	t.Cleanup(receiver.Close)
	startBot(t, b, (*tgbot.Bot).StartWebhook)

	if ok, err := b.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: receiver.URL, SecretToken: "s3cret"}); err != nil || !ok {
		t.Fatalf("SetWebhook: %v %v", ok, err)
	}
	status, r, err := rawCall(ctx, s, token, "getUpdates", "", "")
	if err != nil || status != http.StatusConflict || !strings.Contains(r.Description, "can't use getUpdates method while webhook is active") {
		t.Fatalf("getUpdates with webhook: %d %+v %v", status, r, err)
	}

	id := s.SendText(alice, "via webhook")
	upd := receive(t, updates)
	if upd.ID != id || upd.Message == nil || upd.Message.Text != "via webhook" {
		t.Fatalf("webhook update: %+v", upd)
	}
	waitFor(t, s, "delivery", func() bool { return s.Pending() == 0 })

	mu.Lock()
	if attempts != 2 || secrets[0] != "s3cret" || secrets[1] != "s3cret" || ids[0] != id || ids[1] != id {
		t.Fatalf("attempts %d, secrets %q, ids %v", attempts, secrets, ids)
	}
	mu.Unlock()

	info, err := b.GetWebhookInfo(ctx)
	if err != nil || info.URL != receiver.URL || info.PendingUpdateCount != 0 || !strings.Contains(info.LastErrorMessage, "500") {
		t.Fatalf("GetWebhookInfo: %+v %v", info, err)
	}
	if ok, err := b.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil || !ok {
		t.Fatalf("DeleteWebhook: %v %v", ok, err)
	}
	if status, r, err := rawCall(ctx, s, token, "getUpdates", "", ""); err != nil || status != http.StatusOK || string(r.Result) != "[]" {
		t.Fatalf("getUpdates after deleteWebhook: %d %+v %v", status, r, err)
	}
}

func TestUnauthorizedAndNotFound(t *testing.T) {
	s := newServer(t)
	_, err := tgbot.New("999:wrong", tgbot.WithServerURL(s.URL()))
	if !errors.Is(err, tgbot.ErrorUnauthorized) {
		t.Fatalf("want ErrorUnauthorized, got %v", err)
	}

	for _, tc := range []struct {
		tok, method string
		status      int
		body        string
	}{
		{"999:wrong", "getMe", 401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`},
		{token, "noSuchMethod", 404, `{"ok":false,"error_code":404,"description":"Not Found"}`},
	} {
		resp, err := http.Post(s.URL()+"/bot"+tc.tok+"/"+tc.method, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || string(body) != tc.body {
			t.Fatalf("%s: %d %s", tc.method, resp.StatusCode, body)
		}
	}

	me, err := newBot(t, s).GetMe(context.Background())
	if err != nil || me.ID != 123456 || !me.IsBot {
		t.Fatalf("GetMe: %+v %v", me, err)
	}
	if calls := s.CallsTo("getme"); len(calls) != 3 || calls[0].Status != 401 {
		t.Fatalf("getMe calls: %+v", calls)
	}
}

func TestBlockedUser(t *testing.T) {
	s := newServer(t)
	b := newBot(t, s)
	ctx := context.Background()
	s.SendText(alice, "hi")
	s.Block(alice.ID)

	_, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: alice.ID, Text: "hello"})
	if !errors.Is(err, tgbot.ErrorForbidden) || !strings.Contains(err.Error(), "bot was blocked by the user") {
		t.Fatalf("SendMessage to blocked user: %v", err)
	}
	_, err = b.SendChatAction(ctx, &tgbot.SendChatActionParams{ChatID: alice.ID, Action: models.ChatActionTyping})
	if !errors.Is(err, tgbot.ErrorForbidden) {
		t.Fatalf("SendChatAction to blocked user: %v", err)
	}
	s.Unblock(alice.ID)
	if _, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: alice.ID, Text: "hello"}); err != nil {
		t.Fatalf("after Unblock: %v", err)
	}
}

func TestWait(t *testing.T) {
	s := newServer(t)
	b := newBot(t, s)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := s.Wait(ctx, func() bool { return false }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}

	errs := make(chan error, 1)
	go func() {
		_, err := b.SendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: alice.ID, Text: "later"})
		errs <- err
	}()
	waitFor(t, s, "message", func() bool {
		m, ok := s.LastMessage(alice.ID)
		return ok && m.Text == "later"
	})
	if err := <-errs; err != nil {
		t.Fatal(err)
	}

	s.Close()
	if err := s.Wait(context.Background(), func() bool { return false }); !errors.Is(err, telegramtest.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

func TestRedeliverWithBot(t *testing.T) {
	s := newServer(t)
	opt, updates := collector()
	b := newBot(t, s, opt, tgbot.WithNotAsyncHandlers())
	startBot(t, b, (*tgbot.Bot).Start)

	id := s.SendText(alice, "once")
	if upd := receive(t, updates); upd.ID != id {
		t.Fatalf("first delivery: %+v", upd)
	}
	waitFor(t, s, "confirmation", func() bool { return s.Pending() == 0 })

	s.Redeliver(id)
	if upd := receive(t, updates); upd.ID != id || upd.Message.Text != "once" {
		t.Fatalf("redelivery: %+v", upd)
	}
	next := s.SendText(alice, "next")
	if upd := receive(t, updates); upd.ID != next {
		t.Fatalf("after redelivery: %+v", upd)
	}
	waitFor(t, s, "confirmation", func() bool { return s.Pending() == 0 })
}

func TestOtherMethods(t *testing.T) {
	s := newServer(t)
	b := newBot(t, s)
	ctx := context.Background()
	userMsg := s.SendText(alice, "hello")
	_ = userMsg

	cmds := []models.BotCommand{{Command: "start", Description: "Start"}, {Command: "help", Description: "Help"}}
	if _, err := b.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: cmds, LanguageCode: "ru"}); err != nil {
		t.Fatalf("SetMyCommands: %v", err)
	}
	if got, err := b.GetMyCommands(ctx, &tgbot.GetMyCommandsParams{LanguageCode: "ru"}); err != nil || len(got) != 2 || got[1].Command != "help" {
		t.Fatalf("GetMyCommands: %+v %v", got, err)
	}
	if got, err := b.GetMyCommands(ctx, &tgbot.GetMyCommandsParams{}); err != nil || len(got) != 0 {
		t.Fatalf("GetMyCommands default language: %+v %v", got, err)
	}
	if len(s.Commands("ru")) != 2 {
		t.Fatalf("Commands(ru): %+v", s.Commands("ru"))
	}
	_, err := b.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Bad Command", Description: "x"}}})
	if !errors.Is(err, tgbot.ErrorBadRequest) {
		t.Fatalf("invalid command: %v", err)
	}
	if _, err := b.SetMyDescription(ctx, &tgbot.SetMyDescriptionParams{Description: "Finds things", LanguageCode: "en"}); err != nil || s.Description("en") != "Finds things" {
		t.Fatalf("SetMyDescription: %v %q", err, s.Description("en"))
	}
	if _, err := b.SetMyShortDescription(ctx, &tgbot.SetMyShortDescriptionParams{ShortDescription: "Finder"}); err != nil || s.ShortDescription("") != "Finder" {
		t.Fatalf("SetMyShortDescription: %v", err)
	}

	chat, err := b.GetChat(ctx, &tgbot.GetChatParams{ChatID: alice.ID})
	if err != nil || chat.FirstName != "Alice" || chat.Type != models.ChatTypePrivate {
		t.Fatalf("GetChat: %+v %v", chat, err)
	}
	if _, err := b.GetChat(ctx, &tgbot.GetChatParams{ChatID: 424242}); !errors.Is(err, tgbot.ErrorBadRequest) {
		t.Fatalf("GetChat unknown: %v", err)
	}

	const group = int64(-100123)
	topic, err := b.CreateForumTopic(ctx, &tgbot.CreateForumTopicParams{ChatID: group, Name: "Orders"})
	if err != nil || topic.MessageThreadID == 0 || topic.Name != "Orders" {
		t.Fatalf("CreateForumTopic: %+v %v", topic, err)
	}
	if _, err := b.EditForumTopic(ctx, &tgbot.EditForumTopicParams{ChatID: group, MessageThreadID: topic.MessageThreadID, Name: "Orders 2"}); err != nil {
		t.Fatalf("EditForumTopic: %v", err)
	}
	inTopic, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: group, MessageThreadID: topic.MessageThreadID, Text: "new order"})
	if err != nil || inTopic.MessageThreadID != topic.MessageThreadID {
		t.Fatalf("SendMessage to topic: %+v %v", inTopic, err)
	}
	if last, _ := s.LastMessage(group); last.ThreadID != topic.MessageThreadID {
		t.Fatalf("topic message state: %+v", last)
	}

	doc, err := b.SendDocument(ctx, &tgbot.SendDocumentParams{ChatID: alice.ID, Caption: "report",
		Document: &models.InputFileUpload{Filename: "report.csv", Data: strings.NewReader("a,b\n1,2\n")}})
	if err != nil || doc.Document == nil || doc.Document.FileName != "report.csv" || doc.Document.FileSize != 8 || doc.Caption != "report" {
		t.Fatalf("SendDocument: %+v %v", doc, err)
	}
	if c := s.CallsTo("sendDocument"); len(c) != 1 || c[0].Params["document"] != "@report.csv" {
		t.Fatalf("sendDocument call: %+v", c)
	}
	photo, err := b.SendPhoto(ctx, &tgbot.SendPhotoParams{ChatID: alice.ID, Photo: &models.InputFileString{Data: "AgACphoto"}})
	if err != nil || len(photo.Photo) != 1 || photo.Photo[0].FileID != "AgACphoto" {
		t.Fatalf("SendPhoto: %+v %v", photo, err)
	}

	copied, err := b.CopyMessage(ctx, &tgbot.CopyMessageParams{ChatID: group, FromChatID: alice.ID, MessageID: doc.ID})
	if err != nil || copied.ID == 0 {
		t.Fatalf("CopyMessage: %+v %v", copied, err)
	}
	fwd, err := b.ForwardMessage(ctx, &tgbot.ForwardMessageParams{ChatID: group, FromChatID: alice.ID, MessageID: 1})
	if err != nil || fwd.Text != "hello" || fwd.ForwardOrigin == nil || fwd.ForwardOrigin.MessageOriginUser == nil ||
		fwd.ForwardOrigin.MessageOriginUser.SenderUser.ID != alice.ID {
		t.Fatalf("ForwardMessage: %+v %v", fwd, err)
	}

	_, err = b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: alice.ID, Text: "re", ReplyParameters: &models.ReplyParameters{MessageID: 999}})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "message to be replied not found") {
		t.Fatalf("reply to missing message: %v", err)
	}
	reply, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: alice.ID, Text: "re", ReplyParameters: &models.ReplyParameters{MessageID: 1}})
	if err != nil || reply.ReplyToMessage == nil || reply.ReplyToMessage.Text != "hello" {
		t.Fatalf("reply: %+v %v", reply, err)
	}

	if _, err := b.SendChatAction(ctx, &tgbot.SendChatActionParams{ChatID: alice.ID, Action: models.ChatActionTyping}); err != nil {
		t.Fatalf("SendChatAction: %v", err)
	}
	before := len(s.Messages(alice.ID))
	if ok, err := b.DeleteMessage(ctx, &tgbot.DeleteMessageParams{ChatID: alice.ID, MessageID: reply.ID}); err != nil || !ok {
		t.Fatalf("DeleteMessage: %v", err)
	}
	if after := len(s.Messages(alice.ID)); after != before-1 {
		t.Fatalf("deleted message still listed: %d → %d", before, after)
	}
	if _, err := b.DeleteMessage(ctx, &tgbot.DeleteMessageParams{ChatID: alice.ID, MessageID: reply.ID}); !errors.Is(err, tgbot.ErrorBadRequest) {
		t.Fatalf("second delete: %v", err)
	}

	// PressData may carry forged data and point at a message that is gone.
	id := s.PressData(alice, reply.ID, "forged")
	ups := getUpdatesForm(t, s, url.Values{"offset": {strconv.FormatInt(id, 10)}})
	if len(ups) != 1 || ups[0].CallbackQuery == nil || ups[0].CallbackQuery.Data != "forged" ||
		ups[0].CallbackQuery.Message.Type != models.MaybeInaccessibleMessageTypeInaccessibleMessage {
		t.Fatalf("PressData update: %+v", ups)
	}

	// Queue accepts arbitrary updates and registers their chats.
	gid := s.Queue(models.Update{Message: &models.Message{
		Chat: models.Chat{ID: -200, Type: models.ChatTypeGroup, Title: "Team"},
		From: &models.User{ID: 7, FirstName: "Bob"},
		Text: "group hi",
	}})
	if gid != id+1 {
		t.Fatalf("Queue id %d, want %d", gid, id+1)
	}
	if chat, err := b.GetChat(ctx, &tgbot.GetChatParams{ChatID: -200}); err != nil || chat.Title != "Team" {
		t.Fatalf("GetChat of queued group: %+v %v", chat, err)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := newServer(t)
	b := newBot(t, s)
	const chats, perChat = 8, 25

	var wg sync.WaitGroup
	errs := make(chan error, chats*perChat)
	for c := range chats {
		u := telegramtest.User{ID: int64(5000 + c), FirstName: "U"}
		wg.Go(func() {
			for i := range perChat {
				s.SendText(u, "ping "+strconv.Itoa(i))
			}
		})
		wg.Go(func() {
			for range perChat {
				if _, err := b.SendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: u.ID, Text: "pong"}); err != nil {
					errs <- err
				}
			}
		})
		wg.Go(func() {
			for range perChat {
				_ = s.Calls()
				_ = s.Messages(u.ID)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	if s.Pending() != chats*perChat {
		t.Fatalf("pending %d", s.Pending())
	}
	for c := range chats {
		msgs := s.Messages(int64(5000 + c))
		if len(msgs) != perChat {
			t.Fatalf("chat %d: %d messages", c, len(msgs))
		}
		for i := 1; i < len(msgs); i++ {
			if msgs[i].ID <= msgs[i-1].ID {
				t.Fatalf("chat %d: ids not increasing: %d then %d", c, msgs[i-1].ID, msgs[i].ID)
			}
		}
	}
}

func TestCloseInterruptsPollsAndDeliveries(t *testing.T) {
	s := telegramtest.NewServer(token)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer failing.Close()

	ctx := context.Background()
	if status, r, err := rawCall(ctx, s, token, "setWebhook", "application/x-www-form-urlencoded",
		url.Values{"url": {failing.URL}}.Encode()); err != nil || status != http.StatusOK || !r.OK {
		t.Fatalf("setWebhook: %d %+v %v", status, r, err)
	}
	s.SendText(alice, "never delivered")

	closed := make(chan struct{})
	go func() {
		s.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(waitTimeout):
		t.Fatal("Close hung with a failing webhook")
	}
	if s.Pending() != 1 {
		t.Fatalf("undelivered update must stay pending, got %d", s.Pending())
	}

	s2 := telegramtest.NewServer(token)
	polled := make(chan struct{})
	go func() {
		_, _, _ = rawCall(ctx, s2, token, "getUpdates", "application/x-www-form-urlencoded", "timeout=60")
		close(polled)
	}()
	waitFor(t, s2, "poll to start", func() bool { return s2.Polling() == 1 })
	s2.Close()
	select {
	case <-polled:
	case <-time.After(waitTimeout):
		t.Fatal("Close did not end the long poll")
	}
}

func TestTopicsCaptionsAndServiceMessages(t *testing.T) {
	s := newServer(t)
	b := newBot(t, s)
	ctx := context.Background()
	forum := models.Chat{ID: -100321, Type: models.ChatTypeSupergroup, Title: "Support", IsForum: true}
	s.AddChat(forum)
	agent := telegramtest.User{ID: 77, FirstName: "Agent"}

	// message_thread_id must name a topic that exists.
	topic, err := b.CreateForumTopic(ctx, &tgbot.CreateForumTopicParams{ChatID: forum.ID, Name: "#1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: forum.ID, MessageThreadID: topic.MessageThreadID, Text: "in"}); err != nil {
		t.Fatalf("SendMessage to a topic: %v", err)
	}
	_, err = b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: forum.ID, MessageThreadID: 999, Text: "lost"})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "message thread not found") {
		t.Fatalf("SendMessage to no topic: %v", err)
	}
	if ok, err := b.DeleteForumTopic(ctx, &tgbot.DeleteForumTopicParams{ChatID: forum.ID, MessageThreadID: topic.MessageThreadID}); err != nil || !ok {
		t.Fatalf("DeleteForumTopic: %v", err)
	}
	if got := s.Topics(forum.ID); len(got) != 0 {
		t.Fatalf("topics after the delete: %v", got)
	}
	if got := len(s.Messages(forum.ID)); got != 0 {
		t.Fatalf("%d messages left in the deleted topic", got)
	}
	_, err = b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: forum.ID, MessageThreadID: topic.MessageThreadID, Text: "gone"})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "message thread not found") {
		t.Fatalf("SendMessage to a deleted topic: %v", err)
	}
	_, err = b.DeleteForumTopic(ctx, &tgbot.DeleteForumTopicParams{ChatID: forum.ID, MessageThreadID: topic.MessageThreadID})
	if !errors.Is(err, tgbot.ErrorBadRequest) {
		t.Fatalf("second DeleteForumTopic: %v", err)
	}
	topic2, err := b.CreateForumTopic(ctx, &tgbot.CreateForumTopicParams{ChatID: forum.ID, Name: "#2"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteTopic(forum.ID, topic2.MessageThreadID); err != nil {
		t.Fatalf("DeleteTopic: %v", err)
	}

	// Post: a user's photo; copies keep the file; captions are edited.
	_, pic := s.Post(alice, models.Message{Photo: []models.PhotoSize{{FileID: "AgACp", FileUniqueID: "u1", Width: 1, Height: 1}}, Caption: "look"})
	cp, err := b.CopyMessage(ctx, &tgbot.CopyMessageParams{ChatID: forum.ID, FromChatID: alice.ID, MessageID: pic})
	if err != nil {
		t.Fatalf("CopyMessage of a photo: %v", err)
	}
	last, _ := s.LastMessage(forum.ID)
	if last.ID != cp.ID || last.Media != "photo" || last.FileID != "AgACp" || last.Text != "look" {
		t.Fatalf("copied photo: %+v", last)
	}
	if _, err := b.EditMessageCaption(ctx, &tgbot.EditMessageCaptionParams{ChatID: forum.ID, MessageID: cp.ID, Caption: "look here"}); err != nil {
		t.Fatalf("EditMessageCaption: %v", err)
	}
	if last, _ := s.LastMessage(forum.ID); last.Text != "look here" || last.Edits != 1 {
		t.Fatalf("after EditMessageCaption: %+v", last)
	}
	_, err = b.EditMessageCaption(ctx, &tgbot.EditMessageCaptionParams{ChatID: forum.ID, MessageID: cp.ID, Caption: "look here"})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Fatalf("EditMessageCaption unchanged: %v", err)
	}
	text, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: forum.ID, Text: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.EditMessageCaption(ctx, &tgbot.EditMessageCaptionParams{ChatID: forum.ID, MessageID: text.ID, Caption: "x"})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "there is no caption in the message to edit") {
		t.Fatalf("EditMessageCaption of a text: %v", err)
	}

	// EditMessage: the author's edit, queued as edited_message.
	id, err := s.EditMessage(alice.ID, pic, func(m *models.Message) { m.Caption = "look again" })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EditMessage(forum.ID, text.ID, func(*models.Message) {}); err == nil {
		t.Fatal("EditMessage edited a bot message")
	}

	// Service messages cannot be copied.
	_, pin := s.Post(agent, models.Message{Chat: forum, ForumTopicClosed: &models.ForumTopicClosed{}})
	_, err = b.CopyMessage(ctx, &tgbot.CopyMessageParams{ChatID: alice.ID, FromChatID: forum.ID, MessageID: pin})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "the message can't be copied") {
		t.Fatalf("CopyMessage of a service message: %v", err)
	}

	var edited *models.Message
	for _, u := range getUpdatesForm(t, s, url.Values{}) {
		if u.ID == id {
			edited = u.EditedMessage
		}
	}
	if edited == nil || edited.ID != pic || edited.Caption != "look again" || len(edited.Photo) != 1 || edited.EditDate == 0 {
		t.Fatalf("edited_message: %+v", edited)
	}
}
