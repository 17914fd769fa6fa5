package telegram_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/buyerguide/bot/adapters/telegram"
	"github.com/buyerguide/bot/adapters/telegram/telegramtest"
	"github.com/buyerguide/bot/conversation"
	"github.com/go-telegram/bot/models"
)

var (
	agent    = telegramtest.User{ID: 9001, FirstName: "Agent", Username: "agent"}
	outsider = telegramtest.User{ID: 9666, FirstName: "Mallory"}
)

// openTicket takes alice to the first Alipay step and opens a ticket.
func (h *harness) openTicket() {
	h.t.Helper()
	h.say(alice, "/start")
	steps := h.steps()
	h.advance(alice, "en", steps[0])
	h.advance(alice, "en", steps[1])
	h.press(alice, h.text("en", "ui.btn.support"))
	h.say(alice, "The SMS code never arrives")
	m, _ := h.srv.LastMessage(alice.ID)
	if !strings.Contains(m.Text, htmlEscape(h.text("en", "ui.support.opened_title"))) {
		h.t.Fatalf("no ticket opened: %q", m.Text)
	}
}

// agentSays sends a message from an agent (or anyone) in the support chat
// and waits for it to be handled.
func (h *harness) agentSays(chat models.Chat, u telegramtest.User, thread, replyTo int, text string) int {
	h.t.Helper()
	id, msg := h.srv.SendGroup(chat, u, thread, replyTo, text)
	h.wait(id)
	return msg
}

func TestSupportInForumMode(t *testing.T) {
	chat := models.Chat{ID: -100777, Type: models.ChatTypeSupergroup, Title: "Support", IsForum: true}
	h := newHarness(t, telegram.Config{SupportChatID: chat.ID, AgentIDs: []int64{agent.ID}})
	h.srv.AddChat(chat)
	h.start()
	h.openTicket()
	atStep := h.session(alice.ID).Step

	topics := h.srv.CallsTo("createForumTopic")
	if len(topics) != 1 || !strings.Contains(topics[0].Params["name"], "#1 Alice") {
		t.Fatalf("topic calls %+v", topics)
	}
	card := h.srv.GroupMessages(chat.ID, -1)
	if len(card) != 1 || card[0].ThreadID == 0 || !strings.Contains(card[0].Text, "The SMS code never arrives") ||
		!strings.Contains(card[0].Text, h.text("en", "step.alipay.why.title")) {
		t.Fatalf("card %+v", card)
	}
	thread := card[0].ThreadID

	// Buyer → agents: into the ticket's topic.
	h.say(alice, "I chose +86 by mistake")
	got := h.srv.GroupMessages(chat.ID, thread)
	if last := got[len(got)-1]; last.Text != "I chose +86 by mistake" {
		t.Errorf("relayed to support: %q", last.Text)
	}
	// Agent → buyer.
	h.agentSays(chat, agent, thread, 0, "Pick your own country code, not 中国大陆 +86.")
	if m, _ := h.srv.LastMessage(alice.ID); m.Text != "Pick your own country code, not 中国大陆 +86." {
		t.Errorf("buyer got %q", m.Text)
	}
	// An outsider can neither command nor talk to the buyer.
	before := len(h.srv.Messages(alice.ID))
	h.agentSays(chat, outsider, thread, 0, "/close")
	h.agentSays(chat, outsider, thread, 0, "send me your password")
	if n := len(h.srv.Messages(alice.ID)); n != before {
		t.Errorf("an outsider reached the buyer")
	}
	if last := h.srv.GroupMessages(chat.ID, thread); !strings.Contains(last[len(last)-1].Text, h.text("en", "agent.not_agent")) {
		t.Errorf("outsider's command not refused: %q", last[len(last)-1].Text)
	}
	if h.session(alice.ID).Ticket == 0 {
		t.Fatal("an outsider closed the ticket")
	}
	// Internal notes stay internal.
	h.agentSays(chat, agent, thread, 0, "/note asked for a screenshot")
	if n := len(h.srv.Messages(alice.ID)); n != before {
		t.Errorf("a note reached the buyer")
	}
	// A restart with the ticket open: relaying goes on.
	h.stop()
	h.start()
	h.say(alice, "still there?")
	if got := h.srv.GroupMessages(chat.ID, thread); got[len(got)-1].Text != "still there?" {
		t.Errorf("after a restart: %q", got[len(got)-1].Text)
	}
	// Guide buttons wait while the ticket is open.
	h.agentSays(chat, agent, thread, 0, "/tickets")
	if got := h.srv.GroupMessages(chat.ID, thread); !strings.Contains(got[len(got)-1].Text, "#1 · Alice") {
		t.Errorf("/tickets: %q", got[len(got)-1].Text)
	}
	// /close returns the buyer to the same step.
	h.agentSays(chat, agent, thread, 0, "/close")
	m, _ := h.srv.LastMessage(alice.ID)
	if !strings.Contains(m.Text, htmlEscape(h.text("en", "step.alipay.why.title"))) ||
		!strings.Contains(m.Text, htmlEscape(h.text("en", "ui.support.closed", map[string]any{"Number": 1}))) {
		t.Errorf("after /close the buyer sees %q", m.Text)
	}
	if s := h.session(alice.ID); s.Ticket != 0 || s.Step != atStep {
		t.Errorf("after /close: ticket %d, step %s (was %s)", s.Ticket, s.Step, atStep)
	}
	h.press(alice, h.text("en", "ui.btn.next"))
	if h.session(alice.ID).Step == atStep {
		t.Error("the guide does not continue after the ticket")
	}
}

func TestSupportInReplyMode(t *testing.T) {
	chat := models.Chat{ID: -100888, Type: models.ChatTypeSupergroup, Title: "Support"}
	h := newHarness(t, telegram.Config{SupportChatID: chat.ID, AgentIDs: []int64{agent.ID}})
	h.srv.AddChat(chat)
	h.start()
	h.openTicket()
	if n := len(h.srv.CallsTo("createForumTopic")); n != 0 {
		t.Errorf("%d topics in a chat without topics", n)
	}
	h.say(alice, "hello")
	got := h.srv.GroupMessages(chat.ID, -1)
	relayed := got[len(got)-1]
	if !strings.HasPrefix(relayed.Text, "🎫 #1 · Alice:") || !strings.HasSuffix(relayed.Text, "hello") {
		t.Fatalf("relayed without a header: %q", relayed.Text)
	}
	// A message that replies to nothing goes nowhere.
	before := len(h.srv.Messages(alice.ID))
	h.agentSays(chat, agent, 0, 0, "coffee, anyone?")
	if len(h.srv.Messages(alice.ID)) != before {
		t.Error("a message to the group reached the buyer")
	}
	// A reply to the relayed message reaches the buyer.
	h.agentSays(chat, agent, 0, relayed.ID, "Hello! How can I help?")
	if m, _ := h.srv.LastMessage(alice.ID); m.Text != "Hello! How can I help?" {
		t.Errorf("buyer got %q", m.Text)
	}
	// An outsider's command is refused here too, reply or not, and an
	// outsider's reply never reaches the buyer.
	before = len(h.srv.Messages(alice.ID))
	h.agentSays(chat, outsider, 0, relayed.ID, "/close")
	if got := h.srv.GroupMessages(chat.ID, -1); got[len(got)-1].Text != htmlEscape(h.text("en", "agent.not_agent")) {
		t.Errorf("outsider's /close in reply mode: %q", got[len(got)-1].Text)
	}
	h.agentSays(chat, outsider, 0, 0, "/claim")
	if got := h.srv.GroupMessages(chat.ID, -1); got[len(got)-1].Text != htmlEscape(h.text("en", "agent.not_agent")) {
		t.Errorf("outsider's /claim in reply mode: %q", got[len(got)-1].Text)
	}
	h.agentSays(chat, outsider, 0, relayed.ID, "send me your password")
	if len(h.srv.Messages(alice.ID)) != before || h.session(alice.ID).Ticket == 0 {
		t.Error("an outsider reached the buyer or closed the ticket")
	}
	// Another bot's command is none of our business: no answer.
	n := len(h.srv.GroupMessages(chat.ID, -1))
	h.agentSays(chat, agent, 0, 0, "/start@otherbot")
	if len(h.srv.GroupMessages(chat.ID, -1)) != n {
		t.Error("the bot answered a command that is not its own")
	}
	// One of our commands addressed to another bot by name is not ours.
	h.agentSays(chat, agent, 0, relayed.ID, "/close@otherbot")
	if len(h.srv.GroupMessages(chat.ID, -1)) != n || h.session(alice.ID).Ticket == 0 {
		t.Error("/close@otherbot closed the ticket")
	}
	// Without a topic a photo carries the header in its caption.
	h.post(alice, models.Message{Photo: photo("AgACphoto-reply"), Caption: "my screen"})
	got = h.srv.GroupMessages(chat.ID, -1)
	if last := got[len(got)-1]; last.Media != "photo" || last.Text != htmlEscape("🎫 #1 · Alice:\nmy screen") {
		t.Errorf("photo relayed as %+v", last)
	}
	// A sticker has no caption: the header goes just before it, and a
	// reply to either reaches the buyer.
	h.post(alice, models.Message{Sticker: &models.Sticker{FileID: "CAACsticker", FileUniqueID: "us", Type: "regular", Width: 512, Height: 512}})
	got = h.srv.GroupMessages(chat.ID, -1)
	header, sticker := got[len(got)-2], got[len(got)-1]
	if header.Text != "🎫 #1 · Alice:" || sticker.Media != "sticker" {
		t.Errorf("sticker relayed as %+v, %+v", header, sticker)
	}
	h.agentSays(chat, agent, 0, header.ID, "Nice sticker")
	if m, _ := h.srv.LastMessage(alice.ID); m.Text != "Nice sticker" {
		t.Errorf("a reply to a header: buyer got %q", m.Text)
	}
	// The buyer ends the chat; the agents are told.
	h.say(alice, "/cancel")
	if s := h.session(alice.ID); s.Ticket != 0 {
		t.Error("/cancel left the ticket open")
	}
	got = h.srv.GroupMessages(chat.ID, -1)
	if !strings.Contains(got[len(got)-1].Text, h.text("en", "agent.closed_by_user", map[string]any{"Number": 1})) {
		t.Errorf("agents not told: %q", got[len(got)-1].Text)
	}
}

func TestSupportWithoutSupportChat(t *testing.T) {
	h := newHarness(t, telegram.Config{})
	h.start()
	h.say(alice, "/start")
	h.press(alice, h.text("en", "ui.btn.support"))
	m, _ := h.srv.LastMessage(alice.ID)
	if !strings.Contains(m.Text, "seaclients@service.worldfirst.com") || !strings.Contains(m.Text, "1-2 working days") {
		t.Errorf("no customer service fallback: %q", m.Text)
	}
	// Typed, with or without a description: the same.
	for _, cmd := range []string{"/support", "/support my code never arrives"} {
		before := len(h.srv.Messages(alice.ID))
		h.say(alice, cmd)
		m, _ = h.srv.LastMessage(alice.ID)
		if len(h.srv.Messages(alice.ID)) == before || !strings.Contains(m.Text, "seaclients@service.worldfirst.com") ||
			!strings.Contains(m.Text, "1-2 working days") {
			t.Errorf("%s: no customer service fallback: %q", cmd, m.Text)
		}
	}
	if h.session(alice.ID).Ticket != 0 {
		t.Error("a ticket opened without a support chat")
	}
}

// forumChat and replyChat are the support chats of the tests below.
var (
	forumChat = models.Chat{ID: -100777, Type: models.ChatTypeSupergroup, Title: "Support", IsForum: true}
	replyChat = models.Chat{ID: -100888, Type: models.ChatTypeSupergroup, Title: "Support"}
)

// supportHarness starts the bot with a support chat and one agent.
func supportHarness(t *testing.T, chat models.Chat) *harness {
	t.Helper()
	h := newHarness(t, telegram.Config{SupportChatID: chat.ID, AgentIDs: []int64{agent.ID}})
	h.srv.AddChat(chat)
	h.start()
	return h
}

// post sends any message (a photo, a document, a service message...) as u
// and waits for it to be handled; m.Chat zero is u's private chat.
func (h *harness) post(u telegramtest.User, m models.Message) int {
	h.t.Helper()
	id, msg := h.srv.Post(u, m)
	h.wait(id)
	return msg
}

// edit changes a message as its author would and waits for the edit to
// be handled.
func (h *harness) edit(chatID int64, msg int, change func(*models.Message)) {
	h.t.Helper()
	id, err := h.srv.EditMessage(chatID, msg, change)
	if err != nil {
		h.t.Fatal(err)
	}
	h.wait(id)
}

// thread is the topic of alice's ticket, from the store.
func (h *harness) thread(ticket int64) int {
	h.t.Helper()
	st, err := h.db.Ticket(context.Background(), ticket)
	if err != nil {
		h.t.Fatal(err)
	}
	return st.ThreadID
}

// lastIn is the bot's last message in a support chat's topic (-1: any).
func (h *harness) lastIn(chatID int64, thread int) telegramtest.Message {
	h.t.Helper()
	got := h.srv.GroupMessages(chatID, thread)
	if len(got) == 0 {
		h.t.Fatalf("no messages in chat %d, thread %d", chatID, thread)
	}
	return got[len(got)-1]
}

func photo(fileID string) []models.PhotoSize {
	return []models.PhotoSize{{FileID: fileID, FileUniqueID: "u" + fileID, Width: 1280, Height: 720}}
}

func document(fileID, name string) *models.Document {
	return &models.Document{FileID: fileID, FileUniqueID: "u" + fileID, FileName: name, MimeType: "application/pdf"}
}

func TestSupportNeverRelaysCodesOrPasswords(t *testing.T) {
	h := supportHarness(t, forumChat)
	h.openTicket()
	thread := h.thread(1)
	inTopic := len(h.srv.GroupMessages(forumChat.ID, thread))
	warning := htmlEscape(h.text("en", "ui.explain.secret"))
	held := htmlEscape(h.text("en", "ui.support.not_relayed", map[string]any{"Number": 1}))
	for _, text := range []string{"My SMS code is 483920", "验证码 625193", "password: Hunter2024", "密码：abc12345"} {
		h.say(alice, text)
		m, _ := h.srv.LastMessage(alice.ID)
		if !strings.Contains(m.Text, warning) || !strings.Contains(m.Text, held) {
			t.Errorf("%q: the buyer was not warned: %q", text, m.Text)
		}
	}
	// A caption, or an edit that adds a code, is held back too.
	h.post(alice, models.Message{Photo: photo("AgACsms"), Caption: "the code 771234 does not work"})
	if m, _ := h.srv.LastMessage(alice.ID); !strings.Contains(m.Text, held) {
		t.Errorf("caption with a code: the buyer was not warned: %q", m.Text)
	}
	msg := h.post(alice, models.Message{Text: "it says the number is wrong"})
	inTopic++
	h.edit(alice.ID, msg, func(m *models.Message) { m.Text = "it says code 55667788 is wrong" })
	if m, _ := h.srv.LastMessage(alice.ID); !strings.Contains(m.Text, held) {
		t.Errorf("edit with a code: the buyer was not warned: %q", m.Text)
	}
	got := h.srv.GroupMessages(forumChat.ID, thread)
	if len(got) != inTopic {
		t.Errorf("%d messages reached the agents, want %d: %+v", len(got), inTopic, got[len(got)-1])
	}
	for _, m := range h.srv.Messages(forumChat.ID) {
		for _, secret := range []string{"483920", "625193", "Hunter2024", "abc12345", "771234", "55667788"} {
			if strings.Contains(m.Text, secret) {
				t.Errorf("a secret reached the support chat: %q", m.Text)
			}
		}
	}
	if h.session(alice.ID).Ticket != 1 {
		t.Fatal("the ticket closed")
	}
	// The ticket goes on.
	h.say(alice, "ok, I will describe it instead")
	if last := h.lastIn(forumChat.ID, thread); last.Text != "ok, I will describe it instead" {
		t.Errorf("after a held message: %q", last.Text)
	}
}

func TestSupportTopicCreationIsRetried(t *testing.T) {
	h := supportHarness(t, forumChat)
	h.srv.Fail("createForumTopic", 1, 502, 0)
	h.openTicket()
	calls := h.srv.CallsTo("createForumTopic")
	if len(calls) != 2 || calls[0].Status != 502 || calls[1].Status != 200 {
		t.Fatalf("createForumTopic calls: %+v", calls)
	}
	thread := h.thread(1)
	card := h.srv.GroupMessages(forumChat.ID, -1)
	if thread == 0 || len(card) != 1 || card[0].ThreadID != thread || !strings.Contains(card[0].Text, "Ticket #1") {
		t.Fatalf("thread %d, card %+v", thread, card)
	}
}

func TestSupportTicketWithoutTopicGetsOneLater(t *testing.T) {
	h := supportHarness(t, forumChat)
	// Refused (not retried) at the opening and at the first message.
	h.srv.Fail("createForumTopic", 2, 400, 0)
	h.openTicket()
	if h.thread(1) != 0 {
		t.Fatal("a topic despite the failure")
	}
	// The card goes to the general topic, so the agents know.
	card := h.lastIn(forumChat.ID, 0)
	if !strings.Contains(card.Text, "Ticket #1") || !strings.Contains(card.Text, "The SMS code never arrives") {
		t.Fatalf("no card in the general topic: %q", card.Text)
	}
	// Still no topic: the message carries the header.
	h.say(alice, "first")
	headed := h.lastIn(forumChat.ID, 0)
	if headed.Text != "🎫 #1 · Alice:\nfirst" {
		t.Errorf("relayed without a topic: %q", headed.Text)
	}
	// An agent may answer it by replying, as in reply mode.
	h.agentSays(forumChat, agent, 0, headed.ID, "Hello from the general topic")
	if m, _ := h.srv.LastMessage(alice.ID); m.Text != "Hello from the general topic" {
		t.Errorf("buyer got %q", m.Text)
	}
	// Telegram works again: a topic, its card, then the message.
	h.say(alice, "second")
	thread := h.thread(1)
	if thread == 0 {
		t.Fatal("no topic on the next message")
	}
	got := h.srv.GroupMessages(forumChat.ID, thread)
	if len(got) != 2 || !strings.Contains(got[0].Text, "Ticket #1") || got[1].Text != "second" {
		t.Fatalf("in the new topic: %+v", got)
	}
	h.agentSays(forumChat, agent, thread, 0, "Hello from the topic")
	if m, _ := h.srv.LastMessage(alice.ID); m.Text != "Hello from the topic" {
		t.Errorf("buyer got %q", m.Text)
	}
}

func TestSupportDeletedTopicIsRecreated(t *testing.T) {
	h := supportHarness(t, forumChat)
	h.openTicket()
	old := h.thread(1)
	if err := h.srv.DeleteTopic(forumChat.ID, old); err != nil {
		t.Fatal(err)
	}
	h.say(alice, "are you there?")
	thread := h.thread(1)
	if thread == 0 || thread == old {
		t.Fatalf("topic %d after %d was deleted", thread, old)
	}
	if n := len(h.srv.CallsTo("createForumTopic")); n != 2 {
		t.Errorf("%d topics created, want 2", n)
	}
	refused := false
	for _, c := range h.srv.CallsTo("copyMessage") {
		refused = refused || (c.Status == 400 && c.Params["message_thread_id"] == fmt.Sprint(old))
	}
	if !refused {
		t.Error("the fake server accepted a message to a deleted topic")
	}
	got := h.srv.GroupMessages(forumChat.ID, thread)
	if len(got) != 2 || !strings.Contains(got[0].Text, "Ticket #1") || got[1].Text != "are you there?" {
		t.Fatalf("in the new topic: %+v", got)
	}
	if m, _ := h.srv.LastMessage(alice.ID); strings.Contains(m.Text, htmlEscape(h.text("en", "ui.support.undelivered"))) {
		t.Error("the buyer was told the message was lost")
	}
	h.agentSays(forumChat, agent, thread, 0, "Yes, here.")
	if m, _ := h.srv.LastMessage(alice.ID); m.Text != "Yes, here." {
		t.Errorf("buyer got %q", m.Text)
	}
}

func TestSupportRelaysPhotosDocumentsAndEdits(t *testing.T) {
	h := supportHarness(t, forumChat)
	h.openTicket()
	thread := h.thread(1)

	// Buyer → agents.
	h.post(alice, models.Message{Photo: photo("AgACbuyer"), Caption: "this screen"})
	if last := h.lastIn(forumChat.ID, thread); last.Media != "photo" || last.FileID != "AgACbuyer" || last.Text != "this screen" {
		t.Errorf("buyer's photo arrived as %+v", last)
	}
	h.post(alice, models.Message{Document: document("BQACbuyer", "invoice.pdf")})
	if last := h.lastIn(forumChat.ID, thread); last.Media != "document" || last.FileID != "BQACbuyer" {
		t.Errorf("buyer's document arrived as %+v", last)
	}
	msg := h.post(alice, models.Message{Text: "I pressed 下一步"})
	h.edit(alice.ID, msg, func(m *models.Message) { m.Text = "I pressed 确认" })
	if last := h.lastIn(forumChat.ID, thread); last.Text != htmlEscape(h.text("en", "agent.edited")+"\nI pressed 确认") {
		t.Errorf("buyer's edit arrived as %q", last.Text)
	}

	// Agents → buyer.
	sent := len(h.srv.Messages(alice.ID))
	pic := h.post(agent, models.Message{Chat: forumChat, MessageThreadID: thread, Photo: photo("AgACagent"), Caption: "Press here"})
	m, _ := h.srv.LastMessage(alice.ID)
	if m.Media != "photo" || m.FileID != "AgACagent" || m.Text != "Press here" {
		t.Errorf("agent's photo arrived as %+v", m)
	}
	h.post(agent, models.Message{Chat: forumChat, MessageThreadID: thread, Document: document("BQACagent", "guide.pdf"), Caption: "The guide"})
	if m, _ := h.srv.LastMessage(alice.ID); m.Media != "document" || m.FileID != "BQACagent" || m.Text != "The guide" {
		t.Errorf("agent's document arrived as %+v", m)
	}
	text := h.post(agent, models.Message{Chat: forumChat, MessageThreadID: thread, Text: "Choose 个人"})
	if n := len(h.srv.Messages(alice.ID)); n != sent+3 {
		t.Fatalf("%d messages to the buyer, want %d", n, sent+3)
	}

	// An agent's edits change the buyer's copy; media are not sent again.
	copies := len(h.srv.CallsTo("copyMessage"))
	h.edit(forumChat.ID, pic, func(m *models.Message) { m.Caption = "Press the orange button" })
	h.edit(forumChat.ID, text, func(m *models.Message) { m.Text = "Choose 个人账户" })
	if n := len(h.srv.CallsTo("copyMessage")); n != copies {
		t.Errorf("an edit copied the message again (%d copies, was %d)", n, copies)
	}
	if c := h.srv.CallsTo("editMessageCaption"); len(c) != 1 || c[0].Status != 200 {
		t.Errorf("editMessageCaption calls: %+v", c)
	}
	msgs := h.srv.Messages(alice.ID)
	if len(msgs) != sent+3 {
		t.Fatalf("%d messages to the buyer after the edits, want %d", len(msgs), sent+3)
	}
	if m := msgs[sent]; m.Media != "photo" || m.Text != "Press the orange button" || m.Edits != 1 {
		t.Errorf("the buyer's copy of the photo: %+v", m)
	}
	if m := msgs[sent+2]; m.Text != "Choose 个人账户" || m.Edits != 1 {
		t.Errorf("the buyer's copy of the text: %+v", m)
	}
	for _, m := range h.srv.GroupMessages(forumChat.ID, thread) {
		if strings.Contains(m.Text, htmlEscape(h.text("en", "agent.undelivered", map[string]any{"Reason": ""}))) {
			t.Errorf("reported undelivered: %q", m.Text)
		}
	}
}

func TestSupportServiceMessagesAreIgnored(t *testing.T) {
	h := supportHarness(t, forumChat)
	h.openTicket()
	thread := h.thread(1)
	toBuyer := len(h.srv.Messages(alice.ID))
	inTopic := len(h.srv.GroupMessages(forumChat.ID, -1))
	for _, m := range []models.Message{
		{ForumTopicEdited: &models.ForumTopicEdited{Name: "#1 Alice (en) ✅"}},
		{ForumTopicClosed: &models.ForumTopicClosed{}},
		{ForumTopicReopened: &models.ForumTopicReopened{}},
		{PinnedMessage: &models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage,
			Message: &models.Message{ID: 1, Chat: forumChat, Date: 1}}},
		{NewChatMembers: []models.User{{ID: 4242, FirstName: "New agent"}}},
	} {
		m.Chat, m.MessageThreadID = forumChat, thread
		h.post(agent, m)
	}
	if n := len(h.srv.Messages(alice.ID)); n != toBuyer {
		t.Errorf("service messages reached the buyer (%d messages, was %d)", n, toBuyer)
	}
	if n := len(h.srv.GroupMessages(forumChat.ID, -1)); n != inTopic {
		t.Errorf("the bot answered service messages: %q", h.lastIn(forumChat.ID, -1).Text)
	}
	// The buyer's side: a pin in the private chat is not relayed either.
	h.post(alice, models.Message{PinnedMessage: &models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage,
		Message: &models.Message{ID: 1, Chat: models.Chat{ID: alice.ID, Type: models.ChatTypePrivate}, Date: 1}}})
	if n := len(h.srv.GroupMessages(forumChat.ID, -1)); n != inTopic {
		t.Errorf("a service message was relayed: %q", h.lastIn(forumChat.ID, -1).Text)
	}
	if m, _ := h.srv.LastMessage(alice.ID); strings.Contains(m.Text, htmlEscape(h.text("en", "ui.support.undelivered"))) {
		t.Error("the buyer was told a service message was lost")
	}
}

func TestSupportCallbackQueriesAreAnswered(t *testing.T) {
	h := supportHarness(t, forumChat)
	h.openTicket()
	card := h.lastIn(forumChat.ID, h.thread(1))
	id := h.srv.Queue(models.Update{CallbackQuery: &models.CallbackQuery{
		ID: "4242", From: models.User{ID: agent.ID, FirstName: agent.FirstName}, ChatInstance: "1", Data: "anything",
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage,
			Message: &models.Message{ID: card.ID, Chat: forumChat, Date: 1, MessageThreadID: card.ThreadID}},
	}})
	h.wait(id)
	if _, ok := h.srv.Answered("4242"); !ok {
		t.Error("a callback query from the support chat was not answered")
	}
	if h.session(alice.ID).Ticket != 1 {
		t.Error("a button in the support chat changed the ticket")
	}
}

func TestSupportAgentCommands(t *testing.T) {
	h := supportHarness(t, forumChat)
	h.openTicket()
	thread := h.thread(1)

	h.agentSays(forumChat, agent, thread, 0, "/claim")
	if last := h.lastIn(forumChat.ID, thread); last.Text != htmlEscape(h.text("en", "agent.claimed", map[string]any{"Agent": "Agent", "Number": 1})) {
		t.Errorf("/claim: %q", last.Text)
	}
	h.agentSays(forumChat, agent, 0, 0, "/tickets")
	if last := h.lastIn(forumChat.ID, 0); !strings.Contains(last.Text, "#1 · Alice · Agent · waiting") {
		t.Errorf("/tickets after /claim: %q", last.Text)
	}

	h.agentSays(forumChat, agent, thread, 0, "/stage")
	stage := h.lastIn(forumChat.ID, thread).Text
	for _, want := range []string{"Ticket #1", h.text("en", "step.alipay.why.title"), "The SMS code never arrives"} {
		if !strings.Contains(stage, htmlEscape(want)) {
			t.Errorf("/stage lacks %q: %q", want, stage)
		}
	}
	h.agentSays(forumChat, agent, 0, 0, "/stage")
	if last := h.lastIn(forumChat.ID, 0); last.Text != htmlEscape(h.text("en", "agent.no_ticket")) {
		t.Errorf("/stage outside a ticket: %q", last.Text)
	}

	h.agentSays(forumChat, agent, thread, 0, "/lang xx")
	if last := h.lastIn(forumChat.ID, thread); !strings.HasPrefix(last.Text, htmlEscape(strings.Split(h.text("en", "agent.lang_bad", map[string]any{"List": ""}), ":")[0])) {
		t.Errorf("/lang xx: %q", last.Text)
	}
	h.agentSays(forumChat, agent, thread, 0, "/lang de")
	if last := h.lastIn(forumChat.ID, thread); last.Text != htmlEscape(h.text("en", "agent.lang_set", map[string]any{"Lang": "de"})) {
		t.Errorf("/lang de: %q", last.Text)
	}
	if s := h.session(alice.ID); s.Lang != "de" || s.Ticket != 1 {
		t.Errorf("after /lang de: language %q, ticket %d", s.Lang, s.Ticket)
	}
	want := htmlEscape(h.text("de", "ui.notice.language_set", map[string]any{"Name": h.text("de", "language.name")}))
	if m, _ := h.srv.LastMessage(alice.ID); !strings.Contains(m.Text, want) {
		t.Errorf("the buyer was not told in German: %q", m.Text)
	}
	// The buyer's next words are answered in German.
	h.say(alice, "/menu")
	if m, _ := h.srv.LastMessage(alice.ID); !strings.Contains(m.Text, htmlEscape(h.text("de", "ui.support.paused", map[string]any{"Number": 1}))) {
		t.Errorf("not in German after /lang: %q", m.Text)
	}
}

func TestSupportUndeliveredAndBlockedAreShown(t *testing.T) {
	h := supportHarness(t, forumChat)
	h.openTicket()
	thread := h.thread(1)

	h.srv.Fail("copyMessage", 1, 400, 0)
	h.agentSays(forumChat, agent, thread, 0, "Try again please")
	failed := htmlEscape(h.text("en", "agent.undelivered", map[string]any{"Reason": h.text("en", "agent.failed")}))
	if last := h.lastIn(forumChat.ID, thread); last.Text != failed {
		t.Errorf("a refused relay: %q", last.Text)
	}

	h.srv.Block(alice.ID)
	h.agentSays(forumChat, agent, thread, 0, "Are you still there?")
	blocked := htmlEscape(h.text("en", "agent.undelivered", map[string]any{"Reason": h.text("en", "agent.blocked")}))
	if last := h.lastIn(forumChat.ID, thread); last.Text != blocked {
		t.Errorf("a relay to a buyer who blocked the bot: %q", last.Text)
	}
	h.agentSays(forumChat, agent, thread, 0, "/stage")
	if last := h.lastIn(forumChat.ID, thread); !strings.Contains(last.Text, htmlEscape(h.text("en", "agent.card.blocked"))) {
		t.Errorf("/stage does not show the block: %q", last.Text)
	}
	h.agentSays(forumChat, agent, thread, 0, "/tickets")
	if last := h.lastIn(forumChat.ID, thread); !strings.Contains(last.Text, htmlEscape(h.text("en", "agent.tickets.blocked"))) {
		t.Errorf("/tickets does not show the block: %q", last.Text)
	}
	// Known from the store after a restart.
	h.stop()
	h.start()
	h.agentSays(forumChat, agent, thread, 0, "/tickets")
	if last := h.lastIn(forumChat.ID, thread); !strings.Contains(last.Text, htmlEscape(h.text("en", "agent.tickets.blocked"))) {
		t.Errorf("/tickets after a restart does not show the block: %q", last.Text)
	}
}

// utf16Len is a text's length as Telegram counts it.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

func TestSupportLongMessagesAreSplit(t *testing.T) {
	h := supportHarness(t, replyChat)
	h.say(alice, "/start")
	// A big order draft: the card shows it whole.
	err := h.db.Update(context.Background(), alice.ID, 0, func(s *conversation.Session) error {
		d, err := s.Drafts.Create(context.Background())
		if err != nil {
			return err
		}
		for i := range 30 {
			it := &conversation.Item{
				Link: fmt.Sprintf("https://detail.1688.com/offer/%d.html", 600000000000+i), OfferID: fmt.Sprint(600000000000 + i),
				Title: fmt.Sprintf("Item %02d %s", i, strings.Repeat("长袖T恤 ", 20)), Spec: "颜色: 白色, 尺码: XL",
				Qty: 10, UnitFen: 1999, Note: strings.Repeat("note ", 20),
			}
			if err := s.Drafts.SaveItem(context.Background(), d.ID, it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h.say(alice, "/support my order is too big")
	card := h.srv.GroupMessages(replyChat.ID, -1)
	if len(card) < 2 {
		t.Fatalf("the card went out in %d message(s)", len(card))
	}
	for _, m := range card {
		if n := utf16Len(m.Text); n > 4096 {
			t.Errorf("a card part of %d characters", n)
		}
	}
	if !strings.Contains(card[0].Text, "Ticket #1") || !strings.Contains(card[len(card)-1].Text, "Item 29") {
		t.Errorf("card parts: first %q…, last …%q", card[0].Text[:80], card[len(card)-1].Text)
	}
	// Any part of the card is a way to answer.
	h.agentSays(replyChat, agent, 0, card[1].ID, "That is a big order!")
	if m, _ := h.srv.LastMessage(alice.ID); m.Text != "That is a big order!" {
		t.Errorf("a reply to the card's second part: buyer got %q", m.Text)
	}

	// /tickets with many open tickets.
	name := strings.Repeat("Very-long-name ", 4)
	for i := range 50 {
		u := telegramtest.User{ID: int64(5000 + i), FirstName: name + fmt.Sprint(i), LanguageCode: "en"}
		h.say(u, "/support help")
	}
	before := len(h.srv.GroupMessages(replyChat.ID, -1))
	h.agentSays(replyChat, agent, 0, 0, "/tickets")
	list := h.srv.GroupMessages(replyChat.ID, -1)[before:]
	if len(list) < 2 {
		t.Fatalf("/tickets went out in %d message(s)", len(list))
	}
	var all strings.Builder
	for _, m := range list {
		if n := utf16Len(m.Text); n > 4096 {
			t.Errorf("a /tickets part of %d characters", n)
		}
		all.WriteString(m.Text + "\n")
	}
	for i := 1; i <= 51; i++ {
		if !strings.Contains(all.String(), fmt.Sprintf("#%d · ", i)) {
			t.Errorf("/tickets lacks ticket #%d", i)
		}
	}
}
