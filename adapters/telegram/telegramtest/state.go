package telegramtest

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-telegram/bot/models"
)

// Limits enforced like Telegram does.
const (
	maxTextLen         = 4096 // UTF-16 code units, as Telegram counts them
	maxCaptionLen      = 1024
	maxCallbackDataLen = 64 // bytes
)

// Error texts the bot is expected to recognise, copied from Telegram.
const (
	descNotModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
	descQueryTooOld = "query is too old and response timeout expired or query ID is invalid"
)

// messageKind tells which edit operations a stored message supports.
type messageKind int

const (
	kindText messageKind = iota
	kindMedia
)

// storedMessage is the server's copy of a message. msg is the Bot API
// representation; its pointer fields are replaced, never mutated in place, so
// shallow copies of msg may be marshalled after the lock is released.
type storedMessage struct {
	msg       models.Message
	kind      messageKind
	fromBot   bool
	deleted   bool
	parseMode string
	edits     int
}

// chatState is everything known about one chat.
type chatState struct {
	chat   models.Chat
	lastID int // message ids are allocated per chat, like in Telegram
	msgs   []*storedMessage
	byID   map[int]*storedMessage
	topics map[int]*models.ForumTopic
}

type callbackState struct {
	answered  bool
	text      string
	showAlert bool
	url       string
}

func newChatState(chat models.Chat) *chatState {
	return &chatState{chat: chat, byID: make(map[int]*storedMessage), topics: make(map[int]*models.ForumTopic)}
}

func now() int { return int(time.Now().Unix()) }

// add stores a message, allocating its id when it has none and
// keeping the chat's id counter ahead of explicit ids.
func (c *chatState) add(m *storedMessage) {
	if m.msg.ID == 0 {
		c.lastID++
		m.msg.ID = c.lastID
	} else if m.msg.ID > c.lastID {
		c.lastID = m.msg.ID
	}
	c.msgs = append(c.msgs, m)
	c.byID[m.msg.ID] = m
}

// live returns a message that exists and was not deleted.
func (c *chatState) live(id int) *storedMessage {
	m := c.byID[id]
	if m == nil || m.deleted {
		return nil
	}
	return m
}

// chatLocked returns the state of a chat, creating it from the given
// description when it is new and filling in names learned later.
func (s *Server) chatLocked(chat models.Chat) *chatState {
	c := s.chats[chat.ID]
	if c == nil {
		if chat.Type == "" {
			chat.Type = defaultChatType(chat.ID)
		}
		c = newChatState(chat)
		s.chats[chat.ID] = c
	} else {
		if chat.FirstName != "" {
			c.chat.FirstName = chat.FirstName
		}
		if chat.Title != "" {
			c.chat.Title = chat.Title
		}
		if chat.Username != "" {
			c.chat.Username = chat.Username
		}
		if chat.IsForum {
			c.chat.IsForum = true
		}
	}
	if c.chat.Username != "" {
		s.usernames[strings.ToLower(c.chat.Username)] = c.chat.ID
	}
	return c
}

// defaultChatType guesses the type of a chat known only by id: positive ids
// are users, negative ones groups (Telegram's convention).
func defaultChatType(id int64) models.ChatType {
	if id > 0 {
		return models.ChatTypePrivate
	}
	return models.ChatTypeSupergroup
}

// resolveChatLocked finds the chat a chat_id parameter designates. With
// create, an unknown numeric id is accepted and a chat is made up for it, so
// that bots may message users the test never introduced.
func (s *Server) resolveChatLocked(raw string, create bool) (*chatState, *apiError) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, badRequest("chat_id is empty")
	}
	if name, ok := strings.CutPrefix(raw, "@"); ok {
		if id, ok := s.usernames[strings.ToLower(name)]; ok {
			return s.chats[id], nil
		}
		return nil, badRequest("chat not found")
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id == 0 {
		return nil, badRequest("chat not found")
	}
	if c := s.chats[id]; c != nil {
		return c, nil
	}
	if !create {
		return nil, badRequest("chat not found")
	}
	return s.chatLocked(models.Chat{ID: id}), nil
}

// writableChatLocked resolves a chat the bot wants to write to and applies
// the blocked-user rule.
func (s *Server) writableChatLocked(raw string, create bool) (*chatState, *apiError) {
	c, aerr := s.resolveChatLocked(raw, create)
	if aerr != nil {
		return nil, aerr
	}
	if c.chat.Type == models.ChatTypePrivate && s.blocked[c.chat.ID] {
		return nil, errBlocked
	}
	return c, nil
}

// newBotMessageLocked appends a fresh bot message to the chat.
func (s *Server) newBotMessageLocked(c *chatState, threadID int, kind messageKind) *storedMessage {
	from := s.bot
	m := &storedMessage{
		kind:    kind,
		fromBot: true,
		msg: models.Message{
			MessageThreadID: threadID,
			From:            &from,
			Date:            now(),
			Chat:            c.chat,
			IsTopicMessage:  threadID != 0 && c.topics[threadID] != nil,
		},
	}
	c.add(m)
	return m
}

// userOf converts the test's User into the Bot API type.
func userOf(u User) models.User {
	return models.User{ID: u.ID, FirstName: u.FirstName, Username: u.Username, LanguageCode: u.LanguageCode}
}

// userChatLocked returns the private chat with u.
func (s *Server) userChatLocked(u User) *chatState {
	return s.chatLocked(models.Chat{ID: u.ID, Type: models.ChatTypePrivate, FirstName: u.FirstName, Username: u.Username})
}

// utf16Len counts UTF-16 code units, the unit of Telegram's length limits.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// checkParseMode rejects parse modes Telegram does not know.
func checkParseMode(mode string) *apiError {
	switch mode {
	case "", string(models.ParseModeHTML), string(models.ParseModeMarkdown), string(models.ParseModeMarkdownV1):
		return nil
	}
	return badRequest("unsupported parse_mode")
}

// parseReplyMarkup decodes the reply_markup parameter. Only inline keyboards
// are returned because only they are attached to messages; reply keyboards,
// ForceReply and ReplyKeyboardRemove are accepted and forgotten.
func parseReplyMarkup(raw string) (*models.InlineKeyboardMarkup, *apiError) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var m struct {
		InlineKeyboard *[][]models.InlineKeyboardButton `json:"inline_keyboard"`
		Keyboard       json.RawMessage                  `json:"keyboard"`
		RemoveKeyboard bool                             `json:"remove_keyboard"`
		ForceReply     bool                             `json:"force_reply"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	if m.InlineKeyboard == nil {
		if m.Keyboard == nil && !m.RemoveKeyboard && !m.ForceReply {
			return nil, badRequest("can't parse reply keyboard markup JSON object")
		}
		return nil, nil
	}
	rows := *m.InlineKeyboard
	for _, row := range rows {
		for _, b := range row {
			if aerr := checkInlineButton(b); aerr != nil {
				return nil, aerr
			}
		}
	}
	if len(rows) == 0 {
		// An empty inline keyboard removes the keyboard.
		return nil, nil
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}, nil
}

func checkInlineButton(b models.InlineKeyboardButton) *apiError {
	if len(b.CallbackData) > maxCallbackDataLen {
		return badRequest("BUTTON_DATA_INVALID")
	}
	// go-telegram/bot always serialises copy_text (it is not a pointer), so
	// only a non-empty copy text counts as an action.
	hasAction := b.CallbackData != "" || b.URL != "" || b.WebApp != nil || b.LoginURL != nil ||
		b.SwitchInlineQuery != "" || b.SwitchInlineQueryCurrentChat != "" ||
		b.SwitchInlineQueryChosenChat != nil || b.CopyText.Text != "" || b.CallbackGame != nil || b.Pay
	if !hasAction {
		return badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	}
	return nil
}

// sameMarkup compares two inline keyboards the way "message is not
// modified" does: no keyboard and an empty keyboard are the same.
func sameMarkup(a, b *models.InlineKeyboardMarkup) bool {
	if a == nil || b == nil {
		return a == b
	}
	return reflect.DeepEqual(a.InlineKeyboard, b.InlineKeyboard)
}

// commandEntities marks a leading /command like Telegram clients do, so that
// command handlers of the bot library (which look at entities) match.
func commandEntities(text string) []models.MessageEntity {
	if !strings.HasPrefix(text, "/") {
		return nil
	}
	end := strings.IndexFunc(text, unicode.IsSpace)
	if end < 0 {
		end = len(text)
	}
	if end == 1 {
		return nil
	}
	return []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: utf16Len(text[:end])}}
}

// snapshot converts a stored message for inspection.
func snapshot(m *storedMessage) Message {
	text := m.msg.Text
	if m.kind == kindMedia {
		text = m.msg.Caption
	}
	out := Message{
		ID:        m.msg.ID,
		ChatID:    m.msg.Chat.ID,
		ThreadID:  m.msg.MessageThreadID,
		Text:      text,
		ParseMode: m.parseMode,
		Edits:     m.edits,
		FromBot:   m.fromBot,
	}
	out.Media, out.FileID = mediaOf(&m.msg)
	if m.msg.ReplyMarkup != nil {
		for _, row := range m.msg.ReplyMarkup.InlineKeyboard {
			r := make([]Button, 0, len(row))
			for _, b := range row {
				r = append(r, Button{Text: b.Text, CallbackData: b.CallbackData, URL: b.URL})
			}
			out.Keyboard = append(out.Keyboard, r)
		}
	}
	return out
}

// Messages returns the bot's messages in a chat, oldest first, excluding
// deleted ones.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	var out []Message
	for _, m := range c.msgs {
		if m.fromBot && !m.deleted {
			out = append(out, snapshot(m))
		}
	}
	return out
}

// LastMessage returns the bot's newest (not deleted) message in a chat.
func (s *Server) LastMessage(chatID int64) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return Message{}, false
	}
	for i := len(c.msgs) - 1; i >= 0; i-- {
		if m := c.msgs[i]; m.fromBot && !m.deleted {
			return snapshot(m), true
		}
	}
	return Message{}, false
}

// Answered reports whether the callback query was answered and with which
// text.
func (s *Server) Answered(callbackID string) (text string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cb := s.callbacks[callbackID]
	if cb == nil || !cb.answered {
		return "", false
	}
	return cb.text, true
}

// Block makes the user block the bot: writing to their private chat answers
// 403 "Forbidden: bot was blocked by the user".
func (s *Server) Block(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[userID] = true
	s.notifyLocked()
}

// Unblock undoes Block.
func (s *Server) Unblock(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocked, userID)
	s.notifyLocked()
}

// Commands returns the commands set for the default scope and a language
// ("" for all languages).
func (s *Server) Commands(languageCode string) []models.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]models.BotCommand(nil), s.commands[commandKey(defaultScope, languageCode)]...)
}

// Description returns what setMyDescription stored for a language.
func (s *Server) Description(languageCode string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.descriptions[languageCode]
}

// ShortDescription returns what setMyShortDescription stored for a language.
func (s *Server) ShortDescription(languageCode string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.shortDescriptions[languageCode]
}

// mediaOf names the file a message carries and its id; "" for none.
func mediaOf(m *models.Message) (kind, fileID string) {
	switch {
	case len(m.Photo) > 0:
		return "photo", m.Photo[len(m.Photo)-1].FileID
	case m.Document != nil:
		return "document", m.Document.FileID
	case m.Video != nil:
		return "video", m.Video.FileID
	case m.Voice != nil:
		return "voice", m.Voice.FileID
	case m.Audio != nil:
		return "audio", m.Audio.FileID
	case m.Animation != nil:
		return "animation", m.Animation.FileID
	case m.Sticker != nil:
		return "sticker", m.Sticker.FileID
	case m.VideoNote != nil:
		return "video_note", m.VideoNote.FileID
	}
	return "", ""
}

// hasContent reports whether a message carries something a person sent:
// text, a caption, a file, a location or a contact. Service messages (a
// pin, a topic created, renamed, closed or reopened, members joining...)
// carry none, and Telegram refuses to copy them.
func hasContent(m *models.Message) bool {
	kind, _ := mediaOf(m)
	return m.Text != "" || m.Caption != "" || kind != "" || m.Location != nil || m.Contact != nil ||
		m.Venue != nil || m.Dice != nil || m.Poll != nil
}

// isForum reports whether a chat has topics.
func (c *chatState) isForum() bool { return c.chat.IsForum || len(c.topics) > 0 }

// checkThread applies Telegram's rule for message_thread_id: in a forum it
// must name a topic that exists (a deleted topic's id answers "message
// thread not found"); elsewhere, a message of the chat the thread hangs
// off. 0 is the chat itself (a forum's General topic).
func (c *chatState) checkThread(threadID int) *apiError {
	switch {
	case threadID == 0, c.topics[threadID] != nil:
		return nil
	case !c.isForum() && c.live(threadID) != nil:
		return nil
	}
	return badRequest("message thread not found")
}
