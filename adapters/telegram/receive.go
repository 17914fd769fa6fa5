package telegram

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/buyerguide/bot/conversation"
	tgbot "github.com/go-telegram/bot"
)

// allowedUpdates are the kinds the bot asks Telegram for.
var allowedUpdates = []string{"message", "edited_message", "callback_query", "my_chat_member", "inline_query"}

// inbound reads who a raw update queues under: its user, or for anything
// in the support chat the chat itself, so the desk's messages and
// commands are handled one at a time in the order agents sent them. ok is
// false for updates that concern no user the bot talks to (channel posts,
// say): they are confirmed and dropped.
func inbound(raw []byte, supportChat int64) (it conversation.Inbound, ok bool, err error) {
	// Only the IDs: the whole update is decoded once, when it is handled.
	type user struct {
		ID    int64 `json:"id"`
		IsBot bool  `json:"is_bot"`
	}
	type chat struct {
		ID int64 `json:"id"`
	}
	type sent struct {
		From    *user `json:"from"`
		Chat    *chat `json:"chat"`
		Message *struct {
			Chat *chat `json:"chat"`
		} `json:"message"` // a callback query's
	}
	var u struct {
		ID            int64 `json:"update_id"`
		Message       *sent `json:"message"`
		EditedMessage *sent `json:"edited_message"`
		CallbackQuery *sent `json:"callback_query"`
		MyChatMember  *sent `json:"my_chat_member"`
		InlineQuery   *sent `json:"inline_query"`
	}
	if err := json.Unmarshal(raw, &u); err != nil {
		return it, false, fmt.Errorf("telegram: decode update: %w", err)
	}
	var s *sent
	for _, c := range []*sent{u.Message, u.EditedMessage, u.CallbackQuery, u.MyChatMember, u.InlineQuery} {
		if c != nil {
			s = c
			break
		}
	}
	if s == nil || s.From == nil || s.From.ID == 0 || s.From.IsBot {
		return conversation.Inbound{UpdateID: u.ID}, false, nil
	}
	key := s.From.ID
	if s.Chat == nil && s.Message != nil {
		s.Chat = s.Message.Chat
	}
	if supportChat != 0 && s.Chat != nil && s.Chat.ID == supportChat {
		key = supportChat
	}
	return conversation.Inbound{UpdateID: u.ID, UserID: key, Payload: raw}, true, nil
}

// poll long-polls getUpdates. The offset that confirms a batch is only
// sent after the batch is stored in the inbox.
func (b *Bot) poll(ctx context.Context, d *dispatcher) error {
	if _, err := b.api.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil {
		return fmt.Errorf("telegram: deleteWebhook: %w", redact(err, b.cfg.Token))
	}
	close(b.Ready)
	var offset int64
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		if backoff > 0 {
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
		raws, err := b.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
			b.log.Warn("getUpdates failed", "err", err, "retry_in", backoff)
			continue
		}
		var items []conversation.Inbound
		next := offset
		for _, raw := range raws {
			it, ok, err := inbound(raw, b.cfg.SupportChatID)
			if err != nil {
				// Confirmed all the same, or it would come back for ever.
				var id struct {
					ID int64 `json:"update_id"`
				}
				if json.Unmarshal(raw, &id) == nil {
					next = max(next, id.ID+1)
				}
				b.log.Warn("undecodable update dropped", "update", id.ID, "err", err)
				continue
			}
			next = max(next, it.UpdateID+1)
			if ok {
				items = append(items, it)
			}
		}
		fresh, err := b.store.InboxAdd(ctx, items)
		if err != nil {
			// Not stored: keep the offset, so Telegram sends them again.
			backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
			b.log.Error("storing updates failed", "err", err, "retry_in", backoff)
			continue
		}
		backoff = 0
		offset = next
		for _, it := range fresh {
			d.push(it)
		}
	}
	return nil
}

// getUpdates asks for updates from offset, waiting up to the poll timeout.
// It returns each update's raw JSON, which is what the inbox keeps.
func (b *Bot) getUpdates(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	body, err := json.Marshal(map[string]any{
		"offset":          offset,
		"timeout":         int(b.cfg.PollTimeout / time.Second),
		"allowed_updates": allowedUpdates,
	})
	if err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.cfg.APIURL+"/bot"+b.cfg.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: %w", redact(err, b.cfg.Token))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL holds the token
		}
		return nil, fmt.Errorf("telegram: getUpdates: %w", redact(err, b.cfg.Token))
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		Description string            `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	// One buffer for every poll: decoding from the stream grew a new one
	// for every batch. The raw updates are copied out of it.
	b.pollBuf.Reset()
	if _, err := b.pollBuf.ReadFrom(io.LimitReader(resp.Body, 64<<20)); err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: status %d: %w", resp.StatusCode, err)
	}
	if err := json.Unmarshal(b.pollBuf.Bytes(), &r); err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: status %d: %w", resp.StatusCode, err)
	}
	if !r.OK {
		if r.Parameters.RetryAfter > 0 {
			t := time.NewTimer(time.Duration(r.Parameters.RetryAfter) * time.Second)
			defer t.Stop()
			select {
			case <-ctx.Done():
			case <-t.C:
			}
		}
		return nil, fmt.Errorf("telegram: getUpdates: %d %s", resp.StatusCode, r.Description)
	}
	return r.Result, nil
}

// maxWebhookBody bounds one webhook request.
const maxWebhookBody = 1 << 20

// serveWebhook registers the webhook and serves it until ctx ends.
func (b *Bot) serveWebhook(ctx context.Context, d *dispatcher) error {
	u, _ := url.Parse(b.cfg.WebhookURL)
	path := u.Path
	if path == "" {
		path = "/"
	}
	mux := http.NewServeMux()
	mux.Handle(path, b.webhookHandler(d))
	srv := &http.Server{Addr: b.cfg.ListenAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", b.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("telegram: webhook listen: %w", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	_, err = b.api.SetWebhook(ctx, &tgbot.SetWebhookParams{
		URL:            b.cfg.WebhookURL,
		SecretToken:    b.secret,
		AllowedUpdates: allowedUpdates,
		MaxConnections: b.cfg.Workers,
	})
	if err != nil {
		srv.Close()
		return fmt.Errorf("telegram: setWebhook: %w", redact(err, b.cfg.Token))
	}
	b.log.Info("webhook listening", "addr", ln.Addr().String(), "path", strings.ReplaceAll(path, b.cfg.Token, "<token>"))
	close(b.Ready)
	select {
	case err := <-errc:
		return fmt.Errorf("telegram: webhook server: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return fmt.Errorf("telegram: webhook shutdown: %w", err)
	}
	return nil
}

// webhookHandler answers 401 without the right secret, and 200 only once
// the update is stored; Telegram retries anything else.
func (b *Bot) webhookHandler(d *dispatcher) http.Handler {
	secret := []byte(b.secret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := []byte(r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		if subtle.ConstantTimeCompare(got, secret) != 1 {
			b.log.Warn("webhook request with a wrong secret", "remote", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		raw, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody))
		if err != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		it, ok, err := inbound(raw, b.cfg.SupportChatID)
		if err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		if !ok {
			w.WriteHeader(http.StatusOK)
			return
		}
		fresh, err := b.store.InboxAdd(r.Context(), []conversation.Inbound{it})
		if err != nil {
			b.log.Error("storing a webhook update failed", "update", it.UpdateID, "err", err)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
		for _, it := range fresh {
			d.push(it)
		}
	})
}
