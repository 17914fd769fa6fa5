package telegram_test

import (
	"strings"
	"testing"

	"github.com/buyerguide/bot/adapters/telegram"
	"github.com/buyerguide/bot/adapters/telegram/telegramtest"
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
	h := newHarness(t, telegram.Config{SupportChatID: chat.ID})
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
	if h.session(alice.ID).Ticket != 0 {
		t.Error("a ticket opened without a support chat")
	}
}
