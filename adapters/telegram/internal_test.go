package telegram

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/buyerguide/bot/conversation"
	"github.com/buyerguide/bot/data"
)

func TestCodecRoundTripAndRefusals(t *testing.T) {
	c := codec{key: []byte("k1")}
	a := &conversation.Action{Kind: conversation.ActChoose, Arg: "yes", Step: "intro.verified", Version: 1234567}
	d := c.encode(42, a)
	got, ok := c.decode(42, d)
	if !ok || *got != *a {
		t.Fatalf("round trip: %+v, %v", got, ok)
	}
	refused := map[string]string{
		"other user":   "",
		"other key":    "",
		"flipped kind": "b" + d[1:],
		"no mac":       d[:strings.LastIndexByte(d, '|')],
		"garbage":      "|||||",
		"empty":        "",
	}
	for name, data := range refused {
		uid, cc := int64(42), c
		switch name {
		case "other user":
			uid, data = 43, d
		case "other key":
			cc, data = codec{key: []byte("k2")}, d
		}
		if _, ok := cc.decode(uid, data); ok {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestLongestCallbackDataFits checks every button the guide can draw
// against Telegram's 64-byte limit, with a large version number.
func TestLongestCallbackDataFits(t *testing.T) {
	g, err := data.LoadGuide()
	if err != nil {
		t.Fatal(err)
	}
	c := codec{key: []byte("k")}
	for _, st := range g.Stages {
		for _, s := range st.Steps {
			args := []string{"", st.ID, "pt-BR"}
			for _, ch := range s.Choices {
				args = append(args, ch.ID)
			}
			for _, p := range st.Problems {
				args = append(args, p.ID)
			}
			for _, arg := range args {
				d := c.encode(1<<40, &conversation.Action{Kind: conversation.ActChoose, Arg: arg, Step: s.Key, Version: 1 << 40})
				if len(d) > maxCallbackData {
					t.Errorf("%s %s: %d bytes: %s", s.Key, arg, len(d), d)
				}
			}
		}
	}
}

func TestRenderSplitsLongTextsCleanly(t *testing.T) {
	para := strings.Repeat("Chinese 会员名 & <labels> ", 40) // ~1000 chars, escaped longer
	r := conversation.Reply{Title: "Title & co", Text: strings.Repeat(para+"\n\n", 12), Notice: "note"}
	chunks := renderText(r, true)
	if len(chunks) < 3 {
		t.Fatalf("%d chunks", len(chunks))
	}
	if !strings.HasPrefix(chunks[0], "<i>note</i>\n\n<b>Title &amp; co</b>\n\n") {
		t.Errorf("first chunk starts %q", chunks[0][:40])
	}
	var joined strings.Builder
	for i, c := range chunks {
		if n := conversation.TextLen(c); n > maxText {
			t.Errorf("chunk %d has %d UTF-16 units", i, n)
		}
		// No chunk ends inside an entity.
		if amp := strings.LastIndex(c, "&"); amp >= 0 && !strings.Contains(c[amp:], ";") {
			t.Errorf("chunk %d ends inside an entity: %q", i, c[amp:])
		}
		joined.WriteString(c)
	}
	if got := strings.Count(joined.String(), "会员名"); got != 12*40 {
		t.Errorf("lost text: %d labels of %d", got, 12*40)
	}
	// A button's notice goes in the callback answer, not the message.
	if c := renderText(r, false); strings.Contains(c[0], "note") {
		t.Errorf("notice rendered into a button's edit")
	}
	if c := renderText(conversation.Reply{Text: "a<b"}, false); len(c) != 1 || c[0] != "a&lt;b" {
		t.Errorf("short text %q", c)
	}
}

// TestSplitCountsUTF16 checks that emoji outside the BMP count twice, as
// Telegram counts them: 3000 of them are 6000 units, two messages.
func TestSplitCountsUTF16(t *testing.T) {
	text := strings.Repeat("📦", 3000)
	chunks := split(text, maxText)
	if len(chunks) != 2 {
		t.Fatalf("%d chunks, want 2", len(chunks))
	}
	for i, c := range chunks {
		if n := conversation.TextLen(c); n > maxText {
			t.Errorf("chunk %d: %d units", i, n)
		}
		if !utf8.ValidString(c) {
			t.Errorf("chunk %d cut inside a character", i)
		}
	}
	if strings.Join(chunks, "") != text {
		t.Error("text lost")
	}
}

// TestOrderCallbackDataFits checks order buttons with IDs far beyond any
// real database: the data stays within 64 bytes and still decodes.
func TestOrderCallbackDataFits(t *testing.T) {
	c := codec{key: []byte("k")}
	a := &conversation.Action{Kind: conversation.ActItemEdit, Arg: "9999999999999.9999999999999.quantity",
		Step: "acc1688.verify_alipay_long_step", Version: 1 << 40}
	d := c.encode(1<<40, a)
	if len(d) > maxCallbackData {
		t.Fatalf("%d bytes: %s", len(d), d)
	}
	got, ok := c.decode(1<<40, d)
	if !ok || got.Arg != a.Arg || got.Kind != a.Kind || got.Version != a.Version {
		t.Errorf("decoded %+v, %v", got, ok)
	}
	if _, ok := c.decode(1<<40+1, d); ok {
		t.Error("another user's data accepted")
	}
}

func TestSenderChatBurstThenWaits(t *testing.T) {
	s := newSender(0, 1, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	for i := range 3 {
		if err := s.wait(ctx, 7); err != nil {
			t.Fatalf("message %d within the burst: %v", i+1, err)
		}
	}
	// The fourth must wait about a second, past the context's deadline:
	// the limiter refuses at once instead of sleeping.
	if err := s.wait(ctx, 7); err == nil {
		t.Error("a fourth message within a second was let through")
	}
	// Another chat has its own budget.
	if err := s.wait(ctx, 8); err != nil {
		t.Errorf("another chat: %v", err)
	}
}

// TestPooledCodecSignsAlike: reusing HMAC states changes no signature.
func TestPooledCodecSignsAlike(t *testing.T) {
	plain, pooled := codec{key: []byte("key")}, newCodec([]byte("key"))
	for i := range 5 {
		a := &conversation.Action{Kind: conversation.ActNext, Step: "alipay.why", Version: int64(i)}
		if p, q := plain.encode(42, a), pooled.encode(42, a); p != q {
			t.Fatalf("pooled %q, plain %q", q, p)
		}
		if _, ok := pooled.decode(42, plain.encode(42, a)); !ok {
			t.Fatal("pooled codec refuses plain data")
		}
	}
}

// TestInboundQueuesTheSupportChatAsOne: the desk's updates share one
// queue, whoever sent them; a buyer's are theirs; bots' are dropped.
func TestInboundQueuesTheSupportChatAsOne(t *testing.T) {
	const desk = -100123
	tests := []struct {
		name, raw string
		key       int64
		ok        bool
	}{
		{"buyer's message", `{"update_id":1,"message":{"message_id":5,"from":{"id":7},"chat":{"id":7,"type":"private"},"date":1,"text":"hi"}}`, 7, true},
		{"agent in the desk", `{"update_id":2,"message":{"message_id":6,"from":{"id":8},"chat":{"id":-100123,"type":"supergroup"},"date":1,"text":"hello"}}`, desk, true},
		{"agent's edit in the desk", `{"update_id":3,"edited_message":{"message_id":6,"from":{"id":9},"chat":{"id":-100123,"type":"supergroup"},"date":1,"text":"hello!"}}`, desk, true},
		{"button in the desk", `{"update_id":4,"callback_query":{"id":"q","from":{"id":8},"message":{"message_id":6,"chat":{"id":-100123,"type":"supergroup"},"date":1},"data":"x"}}`, desk, true},
		{"buyer's button", `{"update_id":5,"callback_query":{"id":"q","from":{"id":7},"message":{"message_id":6,"chat":{"id":7,"type":"private"},"date":1},"data":"x"}}`, 7, true},
		{"a bot", `{"update_id":6,"message":{"message_id":5,"from":{"id":70,"is_bot":true},"chat":{"id":-100123,"type":"supergroup"},"date":1,"text":"hi"}}`, 0, false},
		{"channel post", `{"update_id":7,"channel_post":{"message_id":5,"chat":{"id":-1009,"type":"channel"},"date":1,"text":"hi"}}`, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it, ok, err := inbound([]byte(tc.raw), desk)
			if err != nil || ok != tc.ok || (ok && it.UserID != tc.key) {
				t.Errorf("key %d ok %v err %v; want %d %v", it.UserID, ok, err, tc.key, tc.ok)
			}
		})
	}
}
