package telegramtest

import (
	"fmt"

	"github.com/go-telegram/bot/models"
)

// Post queues a message from u and returns the update id and the message
// id. m says what the message is: text, a photo, a document, a service
// message (a pin, a topic renamed...), in any chat; a zero m.Chat is u's
// private chat with the bot. From, Date and ID are filled in, a leading
// /command gets its entity, and m.ReplyToMessage (only its ID is read) and
// m.MessageThreadID are resolved in the chat like Telegram does.
func (s *Server) Post(u User, m models.Message) (updateID int64, messageID int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var c *chatState
	if m.Chat.ID == 0 || m.Chat.ID == u.ID {
		c = s.userChatLocked(u)
	} else {
		c = s.chatLocked(m.Chat)
	}
	from := userOf(u)
	m.From, m.Date, m.Chat, m.ID = &from, now(), c.chat, 0
	if m.Text != "" && m.Entities == nil {
		m.Entities = commandEntities(m.Text)
	}
	if m.MessageThreadID != 0 && c.topics[m.MessageThreadID] != nil {
		m.IsTopicMessage = true
	}
	if r := m.ReplyToMessage; r != nil {
		m.ReplyToMessage = nil
		if target := c.live(r.ID); target != nil {
			cp := target.msg
			cp.ReplyToMessage = nil
			m.ReplyToMessage = &cp
		}
	}
	kind := kindText
	if m.Text == "" {
		kind = kindMedia
	}
	sm := &storedMessage{msg: m, kind: kind}
	c.add(sm)
	msg := sm.msg
	return s.enqueueLocked(&models.Update{Message: &msg}), msg.ID
}

// EditMessage changes a message a user sent (not one of the bot's) with
// edit, the way its author edits it in a client, and queues the
// edited_message update. It returns the update id.
func (s *Server) EditMessage(chatID int64, messageID int, edit func(m *models.Message)) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return 0, fmt.Errorf("telegramtest: edit: no chat %d", chatID)
	}
	sm := c.live(messageID)
	if sm == nil || sm.fromBot {
		return 0, fmt.Errorf("telegramtest: edit: no user message %d in chat %d", messageID, chatID)
	}
	m := sm.msg
	edit(&m)
	m.ID, m.Chat, m.From, m.EditDate = sm.msg.ID, sm.msg.Chat, sm.msg.From, now()
	sm.msg = m
	return s.enqueueLocked(&models.Update{EditedMessage: &m}), nil
}

// DeleteTopic deletes a forum topic and every message in it, as an admin
// does in a client (the bot's deleteForumTopic does the same). Sending to
// it afterwards answers "Bad Request: message thread not found".
func (s *Server) DeleteTopic(chatID int64, threadID int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil || c.topics[threadID] == nil {
		return fmt.Errorf("telegramtest: no topic %d in chat %d", threadID, chatID)
	}
	c.deleteTopic(threadID)
	s.notifyLocked()
	return nil
}

// Topics returns the forum topics of a chat that exist, by thread id.
func (s *Server) Topics(chatID int64) map[int]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int]string{}
	if c := s.chats[chatID]; c != nil {
		for id, t := range c.topics {
			out[id] = t.Name
		}
	}
	return out
}

// deleteTopic removes a topic and its messages.
func (c *chatState) deleteTopic(threadID int) {
	delete(c.topics, threadID)
	for _, m := range c.msgs {
		if m.msg.MessageThreadID == threadID {
			m.deleted = true
		}
	}
}
