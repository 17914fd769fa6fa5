package conversation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/buyerguide/bot/conversation"
)

func TestMyDataAndForget(t *testing.T) {
	e := newEnv(t)
	u := e.user(50)
	u.say("/start promo_x")
	u.advance(e.steps()[0])
	u.say("/order")
	u.press(conversation.ActDraftNew, "")
	u.addItem("https://detail.1688.com/offer/623456789012.html", "", "", "1", "5", "")
	u.say("what is this button")
	r := u.say("/mydata")
	for _, want := range []string{"Order drafts: 1", "promo_x", "what is this button", "Steps done or skipped: 1 of"} {
		if !strings.Contains(r[0].Text, want) {
			t.Errorf("/mydata lacks %q:\n%s", want, r[0].Text)
		}
	}
	u.press(conversation.ActForget, "")
	u.press(conversation.ActStep, "") // "no, keep it"
	if _, ok, _ := e.db.Load(context.Background(), 50); !ok {
		t.Fatal("'keep it' deleted the data")
	}
	u.say("/forget")
	r = u.press(conversation.ActForgetYes, "")
	if r[0].Text != e.cat.Text("en", "ui.forget.done", nil) {
		t.Errorf("after forget: %q", r[0].Text)
	}
	if _, ok, _ := e.db.Load(context.Background(), 50); ok {
		t.Error("the user is still stored")
	}
	if log, _ := e.db.Transitions(context.Background(), 50); len(log) != 0 {
		t.Errorf("%d transitions kept", len(log))
	}
	// A new start is a new user, without the old draft.
	u.say("/start")
	r = u.say("/order")
	if !strings.Contains(r[0].Text, e.cat.Text("en", "ui.drafts.none", nil)) {
		t.Errorf("drafts survived /forget:\n%s", r[0].Text)
	}
}

func TestPastedLinksAreChecked(t *testing.T) {
	e := newEnv(t)
	u := e.user(52)
	u.say("/start")
	tests := []struct{ text, want string }{
		{"is https://detail.1688.com/offer/1.html real?", "ui.link.official"},
		{"they sent me 1688-login.com/verify", "ui.link.phishing"},
		{"login at https://alipay.com.secure-pay.io now", "ui.link.phishing"},
		{"see https://xn--80ak6aa92e.com", "ui.link.phishing"},
		{"found it on amazon.com", "ui.link.other"},
	}
	for _, tc := range tests {
		r := u.say(tc.text)
		host := ""
		for _, w := range strings.Fields(tc.text) {
			if strings.Contains(w, ".") {
				host = strings.TrimPrefix(strings.SplitN(strings.TrimPrefix(w, "https://"), "/", 2)[0], "http://")
			}
		}
		want := e.cat.Text("en", tc.want, map[string]any{"Host": host})
		if !strings.Contains(r[0].Text, want) {
			t.Errorf("%q: want %q in:\n%s", tc.text, want, r[0].Text)
		}
	}
	// A rate, a file name or an e-mail address is not a link.
	r := u.say("the rate is 5.4560, see 623456789012.html or write to seaclients@service.worldfirst.com")
	if strings.Contains(r[0].Text, "5.4560 is") || strings.Contains(r[0].Text, ".html is") || strings.Contains(r[0].Text, "service.worldfirst.com is") {
		t.Errorf("not a link, but checked as one:\n%s", r[0].Text)
	}
}
