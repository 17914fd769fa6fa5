package telegramtest

import (
	"context"
	"encoding/json"
	"mime"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

// defaultTopicColor is the icon colour Telegram gives a topic when none is
// requested.
const defaultTopicColor = 7322096

// checkText applies Telegram's rules for message texts.
func checkText(text string) *apiError {
	if strings.TrimSpace(text) == "" {
		return badRequest("message text is empty")
	}
	if utf16Len(text) > maxTextLen {
		return badRequest("message is too long")
	}
	return nil
}

// linkPreview reads link_preview_options, falling back to the deprecated
// disable_web_page_preview that older clients still send.
func linkPreview(req *apiRequest) (*models.LinkPreviewOptions, *apiError) {
	if raw := req.str("link_preview_options"); raw != "" {
		var o models.LinkPreviewOptions
		if err := json.Unmarshal([]byte(raw), &o); err != nil {
			return nil, badRequest("can't parse link preview options JSON object")
		}
		return &o, nil
	}
	if req.boolParam("disable_web_page_preview") {
		disabled := true
		return &models.LinkPreviewOptions{IsDisabled: &disabled}, nil
	}
	return nil, nil
}

// replyTargetLocked resolves reply_parameters (or the legacy
// reply_to_message_id) to a copy of the replied message in the same chat.
func replyTargetLocked(c *chatState, req *apiRequest) (*models.Message, *apiError) {
	var p models.ReplyParameters
	if raw := req.str("reply_parameters"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return nil, badRequest("can't parse reply parameters JSON object")
		}
	} else {
		id, aerr := req.intParam("reply_to_message_id")
		if aerr != nil {
			return nil, aerr
		}
		p.MessageID = id
		p.AllowSendingWithoutReply = req.boolParam("allow_sending_without_reply")
	}
	if p.MessageID == 0 {
		return nil, nil
	}
	target := c.live(p.MessageID)
	if target == nil {
		if p.AllowSendingWithoutReply {
			return nil, nil
		}
		return nil, badRequest("message to be replied not found")
	}
	// Telegram nests reply_to_message only one level deep.
	reply := target.msg
	reply.ReplyToMessage = nil
	return &reply, nil
}

func (s *Server) sendMessage(_ context.Context, req *apiRequest) (any, *apiError) {
	text := req.str("text")
	if aerr := checkText(text); aerr != nil {
		return nil, aerr
	}
	parseMode := req.str("parse_mode")
	if aerr := checkParseMode(parseMode); aerr != nil {
		return nil, aerr
	}
	markup, aerr := parseReplyMarkup(req.str("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	preview, aerr := linkPreview(req)
	if aerr != nil {
		return nil, aerr
	}
	threadID, aerr := req.intParam("message_thread_id")
	if aerr != nil {
		return nil, aerr
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	c, aerr := s.writableChatLocked(req.str("chat_id"), true)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.checkThread(threadID); aerr != nil {
		return nil, aerr
	}
	reply, aerr := replyTargetLocked(c, req)
	if aerr != nil {
		return nil, aerr
	}
	m := s.newBotMessageLocked(c, threadID, kindText)
	m.msg.Text = text
	m.msg.LinkPreviewOptions = preview
	m.msg.ReplyToMessage = reply
	m.msg.ReplyMarkup = markup
	m.parseMode = parseMode
	s.notifyLocked()
	out := m.msg
	return &out, nil
}

// targetMessageLocked finds the message an edit/delete refers to. An unknown
// chat is reported like an unknown message because that is what the bot
// would see for a message it never sent.
func (s *Server) targetMessageLocked(req *apiRequest, notFound string, checkBlocked bool) (*storedMessage, *apiError) {
	if req.str("inline_message_id") != "" {
		// Inline messages are not modelled.
		return nil, badRequest("MESSAGE_ID_INVALID")
	}
	id, aerr := req.intParam("message_id")
	if aerr != nil {
		return nil, aerr
	}
	if id == 0 {
		return nil, badRequest("message identifier is not specified")
	}
	c, aerr := s.resolveChatLocked(req.str("chat_id"), false)
	if aerr != nil {
		if req.str("chat_id") == "" {
			return nil, aerr
		}
		return nil, badRequest("%s", notFound)
	}
	if checkBlocked && c.chat.Type == models.ChatTypePrivate && s.blocked[c.chat.ID] {
		return nil, errBlocked
	}
	m := c.live(id)
	if m == nil {
		return nil, badRequest("%s", notFound)
	}
	return m, nil
}

func (s *Server) editMessageText(_ context.Context, req *apiRequest) (any, *apiError) {
	text := req.str("text")
	if aerr := checkText(text); aerr != nil {
		return nil, aerr
	}
	parseMode := req.str("parse_mode")
	if aerr := checkParseMode(parseMode); aerr != nil {
		return nil, aerr
	}
	markup, aerr := parseReplyMarkup(req.str("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	preview, aerr := linkPreview(req)
	if aerr != nil {
		return nil, aerr
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	m, aerr := s.targetMessageLocked(req, "message to edit not found", true)
	if aerr != nil {
		return nil, aerr
	}
	if !m.fromBot {
		return nil, badRequest("message can't be edited")
	}
	if m.kind != kindText {
		return nil, badRequest("there is no text in the message to edit")
	}
	// Omitting reply_markup removes the keyboard in Telegram, so the new
	// markup is compared and stored as given.
	if m.msg.Text == text && sameMarkup(m.msg.ReplyMarkup, markup) {
		return nil, badRequest(descNotModified)
	}
	m.msg.Text = text
	m.msg.Entities = nil
	m.msg.ReplyMarkup = markup
	if preview != nil {
		m.msg.LinkPreviewOptions = preview
	}
	m.msg.EditDate = now()
	m.parseMode = parseMode
	m.edits++
	s.notifyLocked()
	out := m.msg
	return &out, nil
}

func (s *Server) editMessageReplyMarkup(_ context.Context, req *apiRequest) (any, *apiError) {
	markup, aerr := parseReplyMarkup(req.str("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	m, aerr := s.targetMessageLocked(req, "message to edit not found", true)
	if aerr != nil {
		return nil, aerr
	}
	if !m.fromBot {
		return nil, badRequest("message can't be edited")
	}
	if sameMarkup(m.msg.ReplyMarkup, markup) {
		return nil, badRequest(descNotModified)
	}
	m.msg.ReplyMarkup = markup
	m.msg.EditDate = now()
	m.edits++
	s.notifyLocked()
	out := m.msg
	return &out, nil
}

func (s *Server) editMessageCaption(_ context.Context, req *apiRequest) (any, *apiError) {
	caption := req.str("caption")
	if utf16Len(caption) > maxCaptionLen {
		return nil, badRequest("message caption is too long")
	}
	parseMode := req.str("parse_mode")
	if aerr := checkParseMode(parseMode); aerr != nil {
		return nil, aerr
	}
	markup, aerr := parseReplyMarkup(req.str("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	m, aerr := s.targetMessageLocked(req, "message to edit not found", true)
	if aerr != nil {
		return nil, aerr
	}
	if !m.fromBot {
		return nil, badRequest("message can't be edited")
	}
	if kind, _ := mediaOf(&m.msg); kind == "" || kind == "sticker" || kind == "video_note" {
		return nil, badRequest("there is no caption in the message to edit")
	}
	if m.msg.Caption == caption && sameMarkup(m.msg.ReplyMarkup, markup) {
		return nil, badRequest(descNotModified)
	}
	m.msg.Caption = caption
	m.msg.CaptionEntities = nil
	m.msg.ReplyMarkup = markup
	m.msg.EditDate = now()
	m.parseMode = parseMode
	m.edits++
	s.notifyLocked()
	out := m.msg
	return &out, nil
}

func (s *Server) deleteMessage(_ context.Context, req *apiRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, aerr := s.targetMessageLocked(req, "message to delete not found", false)
	if aerr != nil {
		return nil, aerr
	}
	m.deleted = true
	s.notifyLocked()
	return true, nil
}

func (s *Server) sendPhoto(_ context.Context, req *apiRequest) (any, *apiError) {
	return s.sendMedia(req, "photo")
}

func (s *Server) sendDocument(_ context.Context, req *apiRequest) (any, *apiError) {
	return s.sendMedia(req, "document")
}

// sendMedia implements sendPhoto and sendDocument; field is the name of the
// file parameter.
func (s *Server) sendMedia(req *apiRequest, field string) (any, *apiError) {
	src := req.str(field)
	if src == "" {
		return nil, badRequest("there is no %s in the request", field)
	}
	caption := req.str("caption")
	if utf16Len(caption) > maxCaptionLen {
		return nil, badRequest("message caption is too long")
	}
	parseMode := req.str("parse_mode")
	if aerr := checkParseMode(parseMode); aerr != nil {
		return nil, aerr
	}
	markup, aerr := parseReplyMarkup(req.str("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	threadID, aerr := req.intParam("message_thread_id")
	if aerr != nil {
		return nil, aerr
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	c, aerr := s.writableChatLocked(req.str("chat_id"), true)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.checkThread(threadID); aerr != nil {
		return nil, aerr
	}
	reply, aerr := replyTargetLocked(c, req)
	if aerr != nil {
		return nil, aerr
	}
	fileID, name := s.fileRefLocked(src, req.uploads[field])
	size := req.uploads[field].size

	m := s.newBotMessageLocked(c, threadID, kindMedia)
	m.msg.Caption = caption
	m.msg.ReplyToMessage = reply
	m.msg.ReplyMarkup = markup
	m.parseMode = parseMode
	switch field {
	case "photo":
		m.msg.Photo = []models.PhotoSize{{FileID: fileID, FileUniqueID: "u" + fileID, Width: 1280, Height: 720, FileSize: int(size)}}
	default:
		m.msg.Document = &models.Document{
			FileID:       fileID,
			FileUniqueID: "u" + fileID,
			FileName:     name,
			MimeType:     mime.TypeByExtension(path.Ext(name)),
			FileSize:     size,
		}
	}
	s.notifyLocked()
	out := m.msg
	return &out, nil
}

// fileRefLocked turns a file parameter into a file_id and a file name: an
// existing file_id is reused, uploads and URLs get a new id.
func (s *Server) fileRefLocked(src string, up upload) (fileID, name string) {
	switch {
	case up.filename != "":
		name = up.filename
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		if u, err := url.Parse(src); err == nil {
			name = path.Base(u.Path)
		}
	default:
		return src, ""
	}
	s.lastFileID++
	return "file" + strconv.FormatInt(s.lastFileID, 10), name
}

// copyLocked duplicates a message into another chat as a bot message; it is
// shared by copyMessage and forwardMessage.
func (s *Server) copyLocked(req *apiRequest, notFound string) (*storedMessage, *storedMessage, *apiError) {
	id, aerr := req.intParam("message_id")
	if aerr != nil {
		return nil, nil, aerr
	}
	threadID, aerr := req.intParam("message_thread_id")
	if aerr != nil {
		return nil, nil, aerr
	}
	from, aerr := s.resolveChatLocked(req.str("from_chat_id"), false)
	if aerr != nil {
		return nil, nil, aerr
	}
	src := from.live(id)
	if src == nil {
		return nil, nil, badRequest("%s", notFound)
	}
	if !hasContent(&src.msg) {
		return nil, nil, badRequest("the message can't be copied")
	}
	to, aerr := s.writableChatLocked(req.str("chat_id"), true)
	if aerr != nil {
		return nil, nil, aerr
	}
	if aerr := to.checkThread(threadID); aerr != nil {
		return nil, nil, aerr
	}
	m := s.newBotMessageLocked(to, threadID, src.kind)
	m.msg.Text = src.msg.Text
	m.msg.Entities = src.msg.Entities
	m.msg.Caption = src.msg.Caption
	m.msg.CaptionEntities = src.msg.CaptionEntities
	m.msg.Photo = src.msg.Photo
	m.msg.Document = src.msg.Document
	m.msg.Sticker = src.msg.Sticker
	m.msg.Video = src.msg.Video
	m.msg.Voice = src.msg.Voice
	m.msg.Audio = src.msg.Audio
	m.msg.Animation = src.msg.Animation
	m.msg.VideoNote = src.msg.VideoNote
	m.msg.Location = src.msg.Location
	m.msg.Contact = src.msg.Contact
	m.parseMode = src.parseMode
	return src, m, nil
}

func (s *Server) copyMessage(_ context.Context, req *apiRequest) (any, *apiError) {
	markup, aerr := parseReplyMarkup(req.str("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	_, hasCaption := req.params["caption"]
	caption := req.str("caption")
	if utf16Len(caption) > maxCaptionLen {
		return nil, badRequest("message caption is too long")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	_, m, aerr := s.copyLocked(req, "message to copy not found")
	if aerr != nil {
		return nil, aerr
	}
	if hasCaption && m.kind == kindMedia {
		m.msg.Caption = caption
		m.msg.CaptionEntities = nil
		m.parseMode = req.str("parse_mode")
	}
	m.msg.ReplyMarkup = markup
	s.notifyLocked()
	return &models.MessageID{ID: m.msg.ID}, nil
}

func (s *Server) forwardMessage(_ context.Context, req *apiRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	src, m, aerr := s.copyLocked(req, "message to forward not found")
	if aerr != nil {
		return nil, aerr
	}
	s.notifyLocked()
	out := m.msg
	// The origin is built per answer, not stored: MessageOrigin.MarshalJSON
	// writes into the value, so sharing one would race.
	out.ForwardOrigin = originOf(src.msg)
	return &out, nil
}

// originOf describes where a forwarded message came from.
func originOf(m models.Message) *models.MessageOrigin {
	switch {
	case m.Chat.Type == models.ChatTypeChannel:
		return &models.MessageOrigin{Type: models.MessageOriginTypeChannel, MessageOriginChannel: &models.MessageOriginChannel{
			Type: models.MessageOriginTypeChannel, Date: m.Date, Chat: m.Chat, MessageID: m.ID,
		}}
	case m.SenderChat != nil:
		return &models.MessageOrigin{Type: models.MessageOriginTypeChat, MessageOriginChat: &models.MessageOriginChat{
			Type: models.MessageOriginTypeChat, Date: m.Date, SenderChat: *m.SenderChat,
		}}
	case m.From != nil:
		return &models.MessageOrigin{Type: models.MessageOriginTypeUser, MessageOriginUser: &models.MessageOriginUser{
			Type: models.MessageOriginTypeUser, Date: m.Date, SenderUser: *m.From,
		}}
	default:
		return &models.MessageOrigin{Type: models.MessageOriginTypeHiddenUser, MessageOriginHiddenUser: &models.MessageOriginHiddenUser{
			Type: models.MessageOriginTypeHiddenUser, Date: m.Date, SenderUserName: "Hidden",
		}}
	}
}

func (s *Server) answerCallbackQuery(_ context.Context, req *apiRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cb := s.callbacks[req.str("callback_query_id")]
	if cb == nil || cb.answered {
		return nil, badRequest(descQueryTooOld)
	}
	cb.answered = true
	cb.text = req.str("text")
	cb.showAlert = req.boolParam("show_alert")
	cb.url = req.str("url")
	s.notifyLocked()
	return true, nil
}

func (s *Server) sendChatAction(_ context.Context, req *apiRequest) (any, *apiError) {
	switch models.ChatAction(req.str("action")) {
	case models.ChatActionTyping, models.ChatActionUploadPhoto, models.ChatActionRecordVideo,
		models.ChatActionUploadVideo, models.ChatActionRecordVoice, models.ChatActionUploadVoice,
		models.ChatActionUploadDocument, models.ChatActionChooseSticker, models.ChatActionFindLocation,
		models.ChatActionRecordVideoNote, models.ChatActionUploadVideoNote:
	default:
		return nil, badRequest("wrong parameter action in request")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, aerr := s.writableChatLocked(req.str("chat_id"), true); aerr != nil {
		return nil, aerr
	}
	return true, nil
}

// defaultScope is the key of BotCommandScopeDefault.
const defaultScope = "default"

func commandKey(scope, languageCode string) string { return scope + "|" + languageCode }

// scopeKey normalises a BotCommandScope JSON object into a map key.
func scopeKey(raw string) (string, *apiError) {
	if strings.TrimSpace(raw) == "" {
		return defaultScope, nil
	}
	var sc struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
		UserID int64           `json:"user_id"`
	}
	if err := json.Unmarshal([]byte(raw), &sc); err != nil {
		return "", badRequest("can't parse BotCommandScope JSON object")
	}
	switch sc.Type {
	case defaultScope, "all_private_chats", "all_group_chats", "all_chat_administrators":
		return sc.Type, nil
	case "chat", "chat_administrators", "chat_member":
		chat := strings.Trim(string(sc.ChatID), `"`)
		if chat == "" {
			return "", badRequest("chat_id is empty")
		}
		return sc.Type + ":" + chat + ":" + strconv.FormatInt(sc.UserID, 10), nil
	}
	return "", badRequest("wrong BotCommandScope type specified")
}

// commandKeyOf reads scope and language_code of a *MyCommands request.
func commandKeyOf(req *apiRequest) (string, *apiError) {
	scope, aerr := scopeKey(req.str("scope"))
	if aerr != nil {
		return "", aerr
	}
	return commandKey(scope, req.str("language_code")), nil
}

// validCommand applies Telegram's command syntax: 1-32 of [a-z0-9_].
func validCommand(cmd string) bool {
	if len(cmd) == 0 || len(cmd) > 32 {
		return false
	}
	for _, r := range cmd {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func (s *Server) setMyCommands(_ context.Context, req *apiRequest) (any, *apiError) {
	var cmds []models.BotCommand
	if err := json.Unmarshal([]byte(req.str("commands")), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	for _, c := range cmds {
		if !validCommand(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
	}
	key, aerr := commandKeyOf(req)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(cmds) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = cmds
	}
	s.notifyLocked()
	return true, nil
}

func (s *Server) getMyCommands(_ context.Context, req *apiRequest) (any, *apiError) {
	key, aerr := commandKeyOf(req)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// A non-nil slice so the answer is [] rather than null.
	return append([]models.BotCommand{}, s.commands[key]...), nil
}

func (s *Server) deleteMyCommands(_ context.Context, req *apiRequest) (any, *apiError) {
	key, aerr := commandKeyOf(req)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, key)
	s.notifyLocked()
	return true, nil
}

// setText stores or (when empty) deletes a per-language text.
func (s *Server) setText(m map[string]string, languageCode, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if text == "" {
		delete(m, languageCode)
	} else {
		m[languageCode] = text
	}
	s.notifyLocked()
}

func (s *Server) getText(m map[string]string, languageCode string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return m[languageCode]
}

func (s *Server) setMyDescription(_ context.Context, req *apiRequest) (any, *apiError) {
	s.setText(s.descriptions, req.str("language_code"), req.str("description"))
	return true, nil
}

func (s *Server) getMyDescription(_ context.Context, req *apiRequest) (any, *apiError) {
	return &models.BotDescription{Description: s.getText(s.descriptions, req.str("language_code"))}, nil
}

func (s *Server) setMyShortDescription(_ context.Context, req *apiRequest) (any, *apiError) {
	s.setText(s.shortDescriptions, req.str("language_code"), req.str("short_description"))
	return true, nil
}

func (s *Server) getMyShortDescription(_ context.Context, req *apiRequest) (any, *apiError) {
	return &models.BotShortDescription{ShortDescription: s.getText(s.shortDescriptions, req.str("language_code"))}, nil
}

func (s *Server) createForumTopic(_ context.Context, req *apiRequest) (any, *apiError) {
	color, aerr := req.intParam("icon_color")
	if aerr != nil {
		return nil, aerr
	}
	if color == 0 {
		color = defaultTopicColor
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, aerr := s.writableChatLocked(req.str("chat_id"), true)
	if aerr != nil {
		return nil, aerr
	}
	// A topic's thread id is the id of its (service) creation message, so it
	// comes from the chat's message id sequence.
	c.lastID++
	topic := &models.ForumTopic{
		MessageThreadID:   c.lastID,
		Name:              req.str("name"),
		IconColor:         color,
		IconCustomEmojiID: req.str("icon_custom_emoji_id"),
	}
	c.topics[topic.MessageThreadID] = topic
	s.notifyLocked()
	out := *topic
	return &out, nil
}

func (s *Server) editForumTopic(_ context.Context, req *apiRequest) (any, *apiError) {
	threadID, aerr := req.intParam("message_thread_id")
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, aerr := s.resolveChatLocked(req.str("chat_id"), false)
	if aerr != nil {
		return nil, aerr
	}
	old := c.topics[threadID]
	if old == nil {
		return nil, badRequest("TOPIC_ID_INVALID")
	}
	topic := *old
	if name := req.str("name"); name != "" {
		topic.Name = name
	}
	if icon, ok := req.params["icon_custom_emoji_id"]; ok {
		topic.IconCustomEmojiID = icon
	}
	if topic == *old {
		return nil, badRequest("TOPIC_NOT_MODIFIED")
	}
	c.topics[threadID] = &topic
	s.notifyLocked()
	return true, nil
}

func (s *Server) deleteForumTopic(_ context.Context, req *apiRequest) (any, *apiError) {
	threadID, aerr := req.intParam("message_thread_id")
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, aerr := s.resolveChatLocked(req.str("chat_id"), false)
	if aerr != nil {
		return nil, aerr
	}
	if c.topics[threadID] == nil {
		return nil, badRequest("TOPIC_ID_INVALID")
	}
	c.deleteTopic(threadID)
	s.notifyLocked()
	return true, nil
}

func (s *Server) getChat(_ context.Context, req *apiRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, aerr := s.resolveChatLocked(req.str("chat_id"), false)
	if aerr != nil {
		return nil, aerr
	}
	ch := c.chat
	return &models.ChatFullInfo{
		ID:               ch.ID,
		Type:             ch.Type,
		Title:            ch.Title,
		Username:         ch.Username,
		FirstName:        ch.FirstName,
		LastName:         ch.LastName,
		IsForum:          ch.IsForum || len(c.topics) > 0,
		MaxReactionCount: 11,
	}, nil
}
