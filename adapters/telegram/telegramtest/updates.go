package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

const (
	descWebhookActive = "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
	descTerminated    = "terminated by other getUpdates request; make sure that only one bot instance is running"

	maxUpdatesLimit       = 100
	defaultMaxConnections = 40

	// Webhook retry backoff: short, because the receiver is a local test
	// server, but growing so a dead receiver does not spin a CPU.
	minBackoff = 10 * time.Millisecond
	maxBackoff = 200 * time.Millisecond

	// callbackIDBase makes callback query ids look like Telegram's 19-digit
	// numeric strings.
	callbackIDBase = 1_000_000_000_000_000_000
)

// queuedUpdate is one update waiting for confirmation. raw is the JSON sent
// to the bot, encoded once when queued so later state changes cannot alter
// it and delivery needs no locking.
type queuedUpdate struct {
	id  int64
	raw []byte
	// redelivered entries come from Redeliver: their id is usually below the
	// bot's current offset, so they are only confirmed by an offset once
	// they have been handed out (otherwise the next poll would drop them
	// unseen).
	redelivered bool
	handedOut   bool
}

// webhookState is the current setWebhook configuration.
type webhookState struct {
	url            string
	secret         string
	maxConnections int
	allowedUpdates []string
	// gen changes on every setWebhook/deleteWebhook so an in-flight delivery
	// can tell whether its configuration is still current.
	gen    uint64
	ctx    context.Context
	cancel context.CancelFunc

	lastErrorDate    int
	lastErrorMessage string
}

// enqueueLocked assigns an update id when missing, encodes the update and
// queues it.
func (s *Server) enqueueLocked(upd *models.Update) int64 {
	if upd.ID == 0 {
		s.lastUpdateID++
		upd.ID = s.lastUpdateID
	} else if upd.ID > s.lastUpdateID {
		s.lastUpdateID = upd.ID
	}
	raw, err := json.Marshal(upd)
	if err != nil {
		// Only a malformed update built by the caller (e.g. a MessageOrigin
		// without Type) can get here; that is a bug in the test itself.
		panic(fmt.Sprintf("telegramtest: encode update %d: %v", upd.ID, err))
	}
	s.history[upd.ID] = raw
	s.queue = append(s.queue, &queuedUpdate{id: upd.ID, raw: raw})
	s.notifyLocked()
	return upd.ID
}

// SendText queues a text message from u in its private chat with the bot
// and returns the update id. A leading /command gets a bot_command entity.
func (s *Server) SendText(u User, text string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.userChatLocked(u)
	from := userOf(u)
	m := &storedMessage{msg: models.Message{
		From:     &from,
		Date:     now(),
		Chat:     c.chat,
		Text:     text,
		Entities: commandEntities(text),
	}}
	c.add(m)
	msg := m.msg
	return s.enqueueLocked(&models.Update{Message: &msg})
}

// Press queues a callback query as if u pressed the inline button labelled
// buttonText on the newest bot message of its private chat that has such a
// callback button. It returns the update id.
func (s *Server) Press(u User, buttonText string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[u.ID]; c != nil {
		for i := len(c.msgs) - 1; i >= 0; i-- {
			m := c.msgs[i]
			if !m.fromBot || m.deleted || m.msg.ReplyMarkup == nil {
				continue
			}
			for _, row := range m.msg.ReplyMarkup.InlineKeyboard {
				for _, b := range row {
					if b.Text == buttonText && b.CallbackData != "" {
						return s.callbackLocked(u, c, &m.msg, m.msg.ID, b.CallbackData), nil
					}
				}
			}
		}
	}
	return 0, fmt.Errorf("telegramtest: press %q: no bot message in chat %d has a callback button with that text", buttonText, u.ID)
}

// PressData queues a callback query with arbitrary data on a message of u's
// private chat, e.g. to simulate forged or stale callback data. An unknown
// message id is sent as an inaccessible message. It returns the update id.
func (s *Server) PressData(u User, messageID int, data string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.userChatLocked(u)
	var msg *models.Message
	if m := c.live(messageID); m != nil {
		msg = &m.msg
	}
	return s.callbackLocked(u, c, msg, messageID, data)
}

// callbackLocked registers a new callback query id and queues the update.
func (s *Server) callbackLocked(u User, c *chatState, msg *models.Message, messageID int, data string) int64 {
	s.lastCallbackID++
	id := strconv.FormatInt(callbackIDBase+s.lastCallbackID, 10)
	s.callbacks[id] = &callbackState{}
	cq := &models.CallbackQuery{
		ID:   id,
		From: userOf(u),
		// Telegram's chat_instance is an opaque per-chat identifier.
		ChatInstance: strconv.FormatUint(uint64(c.chat.ID)*0x9E3779B97F4A7C15, 10),
		Data:         data,
	}
	if msg != nil {
		cp := *msg
		cq.Message = models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: &cp}
	} else {
		cq.Message = models.MaybeInaccessibleMessage{
			Type:                models.MaybeInaccessibleMessageTypeInaccessibleMessage,
			InaccessibleMessage: &models.InaccessibleMessage{Chat: c.chat, MessageID: messageID},
		}
	}
	return s.enqueueLocked(&models.Update{CallbackQuery: cq})
}

// Queue queues any update (stickers, edited messages, group messages, ...)
// and returns its id, assigning one when upd.ID is 0. Chats, messages and
// callback query ids found in the update are registered so that later calls
// of the bot (replies, answerCallbackQuery, getChat) work. The update is
// copied; the caller keeps ownership of upd.
func (s *Server) Queue(upd models.Update) int64 {
	// A JSON round trip gives the server its own deep copy and validates
	// that the update can be sent at all.
	raw, err := json.Marshal(&upd)
	if err != nil {
		panic(fmt.Sprintf("telegramtest: encode update: %v", err))
	}
	var own models.Update
	if err := json.Unmarshal(raw, &own); err != nil {
		panic(fmt.Sprintf("telegramtest: decode update: %v", err))
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, msg := range []*models.Message{own.Message, own.ChannelPost, own.BusinessMessage} {
		if msg != nil {
			s.registerMessageLocked(msg, false)
		}
	}
	for _, msg := range []*models.Message{own.EditedMessage, own.EditedChannelPost, own.EditedBusinessMessage} {
		if msg != nil {
			s.registerMessageLocked(msg, true)
		}
	}
	if cq := own.CallbackQuery; cq != nil {
		if cq.ID == "" {
			s.lastCallbackID++
			cq.ID = strconv.FormatInt(callbackIDBase+s.lastCallbackID, 10)
		}
		if s.callbacks[cq.ID] == nil {
			s.callbacks[cq.ID] = &callbackState{}
		}
		if m := cq.Message.Message; m != nil {
			s.chatLocked(m.Chat)
		}
	}
	return s.enqueueLocked(&own)
}

// registerMessageLocked records a message coming from a user/chat: its chat
// becomes known, and the message can be replied to, copied or forwarded. A
// message without id gets the next id of its chat; an edited message
// replaces the stored one.
func (s *Server) registerMessageLocked(msg *models.Message, edited bool) {
	c := s.chatLocked(msg.Chat)
	msg.Chat = c.chat
	if msg.Date == 0 {
		msg.Date = now()
	}
	kind := kindText
	if msg.Text == "" {
		kind = kindMedia
	}
	old := c.byID[msg.ID]
	if edited {
		// An edit only updates a message the server knows about.
		if msg.ID != 0 && old != nil && !old.fromBot {
			old.msg, old.kind = *msg, kind
		}
		return
	}
	if msg.ID != 0 && old != nil {
		return
	}
	m := &storedMessage{msg: *msg, kind: kind}
	c.add(m)
	msg.ID = m.msg.ID
}

// Redeliver queues an already queued update again with the same update_id,
// as Telegram does when the confirmation of a batch got lost. Unknown ids are
// ignored. With getUpdates, the redelivered update is handed out even though
// its id is below the bot's offset; batches never go backwards in id, so a
// redelivered update may come in a batch of its own.
func (s *Server) Redeliver(updateID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, ok := s.history[updateID]
	if !ok {
		return
	}
	s.queue = append(s.queue, &queuedUpdate{id: updateID, raw: raw, redelivered: true})
	s.notifyLocked()
}

// Pending returns how many queued updates are not yet confirmed (getUpdates
// offset) or delivered (webhook 2xx).
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Polling returns how many getUpdates requests are currently being served,
// e.g. to wait until the bot is long polling before acting.
func (s *Server) Polling() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polling
}

// confirmLocked forgets the updates an offset confirms.
func (s *Server) confirmLocked(offset int64) {
	if offset == 0 || len(s.queue) == 0 {
		return
	}
	before := len(s.queue)
	if offset < 0 {
		// A negative offset keeps only the last -offset updates.
		if keep := -offset; int64(len(s.queue)) > keep {
			drop := len(s.queue) - int(keep)
			clear(s.queue[:drop])
			s.queue = s.queue[drop:]
		}
	} else {
		kept := s.queue[:0]
		for _, e := range s.queue {
			if e.id < offset && (!e.redelivered || e.handedOut) {
				continue
			}
			kept = append(kept, e)
		}
		clear(s.queue[len(kept):]) // release the dropped entries
		s.queue = kept
	}
	if len(s.queue) != before {
		s.notifyLocked()
	}
}

// takeBatchLocked encodes up to limit queued updates as a JSON array without
// removing them (only an offset confirms). The batch stops where ids would go
// backwards, because the bot derives its next offset from the last id.
func (s *Server) takeBatchLocked(limit int) (json.RawMessage, int) {
	var buf bytes.Buffer
	buf.WriteByte('[')
	n := 0
	var prev int64
	for _, e := range s.queue {
		if n == limit || (n > 0 && e.id < prev) {
			break
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		buf.Write(e.raw)
		e.handedOut = true
		prev = e.id
		n++
	}
	buf.WriteByte(']')
	return buf.Bytes(), n
}

func (s *Server) getUpdates(ctx context.Context, req *apiRequest) (any, *apiError) {
	offset, aerr := req.int64Param("offset")
	if aerr != nil {
		return nil, aerr
	}
	limit, aerr := req.intParam("limit")
	if aerr != nil {
		return nil, aerr
	}
	if limit <= 0 || limit > maxUpdatesLimit {
		limit = maxUpdatesLimit
	}
	timeout, aerr := req.intParam("timeout")
	if aerr != nil {
		return nil, aerr
	}

	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		expired = t.C
	}

	s.mu.Lock()
	if s.hook.url != "" {
		s.mu.Unlock()
		return nil, conflict(descWebhookActive)
	}
	s.pollGen++
	gen := s.pollGen
	s.confirmLocked(offset)
	s.polling++
	// Wakes a long poll this request supersedes, and Wait callers watching
	// Polling().
	s.notifyLocked()

	result, aerr := s.pollLocked(ctx, gen, limit, expired)

	s.polling--
	s.notifyLocked()
	s.mu.Unlock()
	return result, aerr
}

// pollLocked waits (releasing s.mu while blocked) until updates are queued,
// the timeout expires, the client goes away or the server closes. It is
// called and returns with s.mu held.
func (s *Server) pollLocked(ctx context.Context, gen uint64, limit int, expired <-chan time.Time) (any, *apiError) {
	for {
		if gen != s.pollGen {
			return nil, conflict(descTerminated)
		}
		if s.hook.url != "" {
			return nil, conflict(descWebhookActive)
		}
		if batch, n := s.takeBatchLocked(limit); n > 0 || expired == nil {
			return batch, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-expired:
			expired = nil // answer with whatever is queued now
		case <-ctx.Done():
			// Nobody will read the answer: hand nothing out, so that a
			// redelivered update is not marked as seen.
			s.mu.Lock()
			return json.RawMessage("[]"), nil
		case <-s.closed:
			s.mu.Lock()
			return json.RawMessage("[]"), nil
		}
		s.mu.Lock()
	}
}

// validSecret applies Telegram's rule for secret_token: 1-256 characters of
// A-Z, a-z, 0-9, _ and -.
func validSecret(secret string) bool {
	if len(secret) > 256 {
		return false
	}
	for _, r := range secret {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func (s *Server) setWebhook(_ context.Context, req *apiRequest) (any, *apiError) {
	raw := strings.TrimSpace(req.str("url"))
	drop := req.boolParam("drop_pending_updates")
	if raw == "" {
		// Telegram: an empty url removes the webhook.
		return s.removeWebhook(drop), nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, badRequest("bad webhook: Failed to resolve host: Name or service not known")
	}
	// Plain http is accepted (Telegram requires https) because test
	// receivers are httptest servers.
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	secret := req.str("secret_token")
	if !validSecret(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	maxConn, aerr := req.intParam("max_connections")
	if aerr != nil {
		return nil, aerr
	}
	if maxConn <= 0 {
		maxConn = defaultMaxConnections
	}
	maxConn = min(maxConn, 100)
	var allowed []string
	if a := req.str("allowed_updates"); a != "" {
		_ = json.Unmarshal([]byte(a), &allowed) // informational only
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	desc := "Webhook was set"
	if s.hook.url == raw && s.hook.secret == secret {
		desc = "Webhook is already set"
	} else {
		if s.hook.cancel != nil {
			s.hook.cancel()
		}
		ctx, cancel := context.WithCancel(s.baseCtx)
		s.hook = webhookState{url: raw, secret: secret, gen: s.hook.gen + 1, ctx: ctx, cancel: cancel}
	}
	s.hook.maxConnections = maxConn
	s.hook.allowedUpdates = allowed
	if drop {
		s.dropQueueLocked()
	}
	s.notifyLocked()
	return described{result: true, description: desc}, nil
}

func (s *Server) deleteWebhook(_ context.Context, req *apiRequest) (any, *apiError) {
	return s.removeWebhook(req.boolParam("drop_pending_updates")), nil
}

// removeWebhook implements deleteWebhook (and setWebhook with an empty url);
// cancelling the webhook context aborts an in-flight delivery.
func (s *Server) removeWebhook(drop bool) described {
	s.mu.Lock()
	defer s.mu.Unlock()
	desc := "Webhook is already deleted"
	if s.hook.url != "" {
		desc = "Webhook was deleted"
	}
	if s.hook.cancel != nil {
		s.hook.cancel()
	}
	s.hook = webhookState{gen: s.hook.gen + 1}
	if drop {
		s.dropQueueLocked()
	}
	s.notifyLocked()
	return described{result: true, description: desc}
}

func (s *Server) dropQueueLocked() {
	clear(s.queue)
	s.queue = nil
}

func (s *Server) getWebhookInfo(context.Context, *apiRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := &models.WebhookInfo{
		URL:                s.hook.url,
		PendingUpdateCount: len(s.queue),
		LastErrorDate:      s.hook.lastErrorDate,
		LastErrorMessage:   s.hook.lastErrorMessage,
		AllowedUpdates:     s.hook.allowedUpdates,
	}
	if s.hook.url != "" {
		info.MaxConnections = s.hook.maxConnections
	}
	return info, nil
}

// delivery is what the deliverer needs of the current webhook.
type delivery struct {
	entry  *queuedUpdate
	url    string
	secret string
	gen    uint64
	ctx    context.Context
}

// nextDelivery blocks until a webhook is set and an update is queued. It
// returns false when the server closes.
func (s *Server) nextDelivery() (delivery, bool) {
	// Checked first because a closing server may still have a webhook and
	// queued updates; without this the deliverer would spin on cancelled
	// posts.
	select {
	case <-s.closed:
		return delivery{}, false
	default:
	}
	s.mu.Lock()
	for s.hook.url == "" || len(s.queue) == 0 {
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-s.closed:
			return delivery{}, false
		}
		s.mu.Lock()
	}
	defer s.mu.Unlock()
	return delivery{entry: s.queue[0], url: s.hook.url, secret: s.hook.secret, gen: s.hook.gen, ctx: s.hook.ctx}, true
}

// deliverLoop pushes queued updates to the webhook one at a time, in order,
// retrying the head update until the receiver answers 2xx.
func (s *Server) deliverLoop() {
	defer s.wg.Done()
	var backoff time.Duration
	for {
		d, ok := s.nextDelivery()
		if !ok {
			return
		}
		err := s.post(d)

		s.mu.Lock()
		if err == nil {
			// The queue may have been dropped meanwhile; only remove the
			// entry if it is still the head.
			if len(s.queue) > 0 && s.queue[0] == d.entry {
				s.queue[0] = nil
				s.queue = s.queue[1:]
			}
			backoff = 0
			s.notifyLocked()
			s.mu.Unlock()
			continue
		}
		if d.ctx.Err() != nil {
			// Webhook replaced/deleted or server closing: not the receiver's
			// fault, start over with the new configuration at once.
			s.mu.Unlock()
			backoff = 0
			continue
		}
		if s.hook.gen == d.gen {
			s.hook.lastErrorDate = now()
			s.hook.lastErrorMessage = err.Error()
			s.notifyLocked()
		}
		s.mu.Unlock()

		backoff = min(max(2*backoff, minBackoff), maxBackoff)
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-d.ctx.Done():
			t.Stop()
		case <-s.closed:
			t.Stop()
			return
		}
	}
}

// errWrongResponse is the prefix Telegram uses in last_error_message.
const errWrongResponse = "Wrong response from the webhook"

// post sends one update to the webhook.
func (s *Server) post(d delivery) error {
	req, err := http.NewRequestWithContext(d.ctx, http.MethodPost, d.url, bytes.NewReader(d.entry.raw))
	if err != nil {
		return fmt.Errorf("build webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if d.secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", d.secret)
	}
	resp, err := s.hookClient.Do(req)
	if err != nil {
		return fmt.Errorf("post update %d to webhook: %w", d.entry.id, err)
	}
	// Drain so the connection can be reused for the next update.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s: %s", errWrongResponse, resp.Status)
	}
	return nil
}
