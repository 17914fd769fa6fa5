package telegram

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	"golang.org/x/time/rate"
)

// errBlocked reports a user who blocked the bot (Telegram's 403).
var errBlocked = errors.New("telegram: the user blocked the bot")

// Limits of outgoing messages. Telegram allows about 30 messages a second
// overall and about one a second per chat, with short bursts.
const (
	DefaultGlobalRate = 30
	DefaultChatRate   = 1
	DefaultChatBurst  = 3
	maxAttempts       = 6
)

// sender sends within Telegram's limits and retries what can be retried:
// 429 after retry_after, network errors and 5xx with backoff.
type sender struct {
	global *rate.Limiter
	chatR  rate.Limit
	burst  int

	mu    sync.Mutex
	chats map[int64]*chatLimit
}

type chatLimit struct {
	lim  *rate.Limiter
	used time.Time
}

// newSender makes a sender; a rate <= 0 disables that limit (the load
// tool against the fake server).
func newSender(global, chat float64, burst int) *sender {
	s := &sender{chats: map[int64]*chatLimit{}, burst: burst}
	if global > 0 {
		s.global = rate.NewLimiter(rate.Limit(global), int(global))
	}
	if chat > 0 {
		s.chatR = rate.Limit(chat)
	}
	if s.burst < 1 {
		s.burst = 1
	}
	return s
}

// wait blocks until a message to chat may go out.
func (s *sender) wait(ctx context.Context, chat int64) error {
	if s.chatR > 0 {
		s.mu.Lock()
		c := s.chats[chat]
		if c == nil {
			c = &chatLimit{lim: rate.NewLimiter(s.chatR, s.burst)}
			s.chats[chat] = c
			if len(s.chats) > 10000 {
				s.pruneLocked()
			}
		}
		c.used = time.Now()
		s.mu.Unlock()
		if err := c.lim.Wait(ctx); err != nil {
			return fmt.Errorf("telegram: rate limit: %w", err)
		}
	}
	if s.global != nil {
		if err := s.global.Wait(ctx); err != nil {
			return fmt.Errorf("telegram: rate limit: %w", err)
		}
	}
	return nil
}

// pruneLocked forgets chats idle long enough for their bucket to be full
// again, so the map does not grow with every user ever seen.
func (s *sender) pruneLocked() {
	cut := time.Now().Add(-time.Minute)
	for id, c := range s.chats {
		if c.used.Before(cut) {
			delete(s.chats, id)
		}
	}
}

// do runs one Bot API call with retries. limited calls (messages, edits)
// wait for the rate limits; others (callback answers, chat actions) do
// not count as messages.
func (s *sender) do(ctx context.Context, chat int64, limited bool, call func(context.Context) error) error {
	backoff := 200 * time.Millisecond
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		if limited {
			if err := s.wait(ctx, chat); err != nil {
				return err
			}
		}
		err = call(ctx)
		if err == nil {
			return nil
		}
		var tooMany *tgbot.TooManyRequestsError
		var migrated *tgbot.MigrateError
		var wait time.Duration
		switch {
		case errors.As(err, &migrated):
			// The group became a supergroup: the same call can never work.
			return err
		case errors.As(err, &tooMany):
			wait = time.Duration(tooMany.RetryAfter) * time.Second
			if wait <= 0 {
				wait = time.Second
			}
		case errors.Is(err, tgbot.ErrorForbidden):
			return fmt.Errorf("%w: %w", errBlocked, err)
		case errors.Is(err, tgbot.ErrorBadRequest), errors.Is(err, tgbot.ErrorUnauthorized),
			errors.Is(err, tgbot.ErrorNotFound), errors.Is(err, tgbot.ErrorConflict),
			errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			return err
		default:
			// Network errors and 5xx: the library reports them untyped.
			wait = backoff
			backoff *= 2
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("telegram: retry: %w", ctx.Err())
		case <-t.C:
		}
	}
	return fmt.Errorf("telegram: gave up after %d attempts: %w", maxAttempts, err)
}

// notModified reports Telegram's answer to an edit that changes nothing:
// the message already shows what we wanted, so it is a success.
func notModified(err error) bool {
	return err != nil && strings.Contains(err.Error(), "message is not modified")
}

// cannotEdit reports an edit Telegram refuses because the message is gone
// or too old: the reply is then sent as a new message.
func cannotEdit(err error) bool {
	if err == nil || !errors.Is(err, tgbot.ErrorBadRequest) {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "message to edit not found") || strings.Contains(s, "message can't be edited") ||
		strings.Contains(s, "MESSAGE_ID_INVALID")
}
