package telegramtest

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/go-telegram/bot/models"
)

// inlineState is one inline query and the bot's answer to it.
type inlineState struct {
	answered bool
	results  []map[string]any
}

// InlineQuery queues an inline query ("@bot query" typed in any chat) from
// u and returns the update id and the query id.
func (s *Server) InlineQuery(u User, query string) (updateID int64, queryID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastCallbackID++
	queryID = "iq" + strconv.FormatInt(s.lastCallbackID, 10)
	if s.inline == nil {
		s.inline = map[string]*inlineState{}
	}
	s.inline[queryID] = &inlineState{}
	return s.enqueueLocked(&models.Update{InlineQuery: &models.InlineQuery{
		ID: queryID, From: ptr(userOf(u)), Query: query,
	}}), queryID
}

// InlineAnswer returns the results the bot answered an inline query with,
// each as the JSON object it sent.
func (s *Server) InlineAnswer(queryID string) (results []map[string]any, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.inline[queryID]
	if st == nil || !st.answered {
		return nil, false
	}
	return st.results, true
}

func (s *Server) answerInlineQuery(_ context.Context, req *apiRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.inline[req.str("inline_query_id")]
	if st == nil || st.answered {
		return nil, badRequest(descQueryTooOld)
	}
	var results []map[string]any
	if err := json.Unmarshal([]byte(req.str("results")), &results); err != nil {
		return nil, badRequest("can't parse inline query results JSON object")
	}
	if len(results) > 50 {
		return nil, badRequest("RESULTS_TOO_MUCH")
	}
	st.answered, st.results = true, results
	s.notifyLocked()
	return true, nil
}

func ptr[T any](v T) *T { return &v }

// AddChat makes a group or supergroup known to the server (as if the bot
// had been added to it), so the bot can getChat it and send to it.
func (s *Server) AddChat(chat models.Chat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chat)
	s.notifyLocked()
}

// SendGroup queues a message from u in a group chat; thread is the forum
// topic (0 for none) and replyTo the message replied to (0 for none). It
// returns the update id and the message id.
func (s *Server) SendGroup(chat models.Chat, u User, thread, replyTo int, text string) (updateID int64, messageID int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(chat)
	from := userOf(u)
	m := &storedMessage{msg: models.Message{
		From: &from, Date: now(), Chat: c.chat, Text: text, MessageThreadID: thread,
		Entities: commandEntities(text),
	}}
	if thread != 0 {
		m.msg.IsTopicMessage = true
	}
	if replyTo != 0 {
		if r := c.live(replyTo); r != nil {
			cp := r.msg
			m.msg.ReplyToMessage = &cp
		}
	}
	c.add(m)
	msg := m.msg
	return s.enqueueLocked(&models.Update{Message: &msg}), msg.ID
}

// GroupMessages returns the bot's messages in a group chat's topic (all
// topics when thread is -1).
func (s *Server) GroupMessages(chatID int64, thread int) []Message {
	var out []Message
	for _, m := range s.Messages(chatID) {
		if thread == -1 || m.ThreadID == thread {
			out = append(out, m)
		}
	}
	return out
}
