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

// TestPastedLinksAreChecked: every host a message names, in full, with
// its verdict; a link that hides its host behind a user name, or a host in
// other letters than ASCII or in punycode, is a look-alike.
func TestPastedLinksAreChecked(t *testing.T) {
	e := newEnv(t)
	u := e.user(52)
	u.say("/start")
	tests := []struct{ text, want, host string }{
		{"is https://detail.1688.com/offer/1.html real?", "ui.link.official", "detail.1688.com"},
		{"https://global.1688.com/#/home", "ui.link.official", "global.1688.com"},
		{"Visit portal.worldfirst.com/register", "ui.link.official", "portal.worldfirst.com"},
		{"请登录1688.com后付款", "ui.link.official", "1688.com"},
		{"HTTPS://WWW.ALIPAY.COM/", "ui.link.official", "www.alipay.com"},
		{"they sent me 1688-login.com/verify", "ui.link.phishing", "1688-login.com"},
		{"login at https://alipay.com.secure-pay.io now", "ui.link.phishing", "alipay.com.secure-pay.io"},
		{"https://1688.com.evil-site.io/路径", "ui.link.phishing", "1688.com.evil-site.io"},
		{"see https://xn--80ak6aa92e.com", "ui.link.phishing", "xn--80ak6aa92e.com"},
		{"https://alipay.xn--p1ai/login", "ui.link.phishing", "alipay.xn--p1ai"},
		// A user name before @ hides the real host.
		{"https://alipay.com@evil.io/login", "ui.link.phishing", "alipay.com@evil.io"},
		{"alipay.com@evil.io/login", "ui.link.phishing", "alipay.com@evil.io"},
		{"https://1688.com:443@evil.io", "ui.link.phishing", "1688.com@evil.io"},
		{"open 1688@evil.io/login", "ui.link.phishing", "1688@evil.io"},
		{"https://buyer:pw123@1688.com/", "ui.link.phishing", "buyer@1688.com"},
		// Other letters than ASCII, shown whole.
		{"https://аlipay.com/login", "ui.link.phishing", "аlipay.com"},
		{"log in at аlipay.com now", "ui.link.phishing", "аlipay.com"},
		{"https://ａｌｉｐａｙ.com", "ui.link.phishing", "ａｌｉｐａｙ.com"},
		{"https://пример.рф/", "ui.link.phishing", "пример.рф"},
		// WorldFirst's mainland site is not one of the guidebook's.
		{"https://www.worldfirst.com.cn/login", "ui.link.phishing", "www.worldfirst.com.cn"},
		{"worldfirst.com.cn", "ui.link.phishing", "worldfirst.com.cn"},
		{"found it on amazon.com", "ui.link.other", "amazon.com"},
	}
	for _, tc := range tests {
		r := u.say(tc.text)
		want := e.cat.Text("en", tc.want, map[string]any{"Host": tc.host})
		if !strings.Contains(r[0].Text, want) {
			t.Errorf("%q: want %q in:\n%s", tc.text, want, r[0].Text)
		}
		if official := e.cat.Text("en", "ui.link.official", map[string]any{"Host": "alipay.com"}); tc.want != "ui.link.official" && strings.Contains(r[0].Text, official) {
			t.Errorf("%q: called official:\n%s", tc.text, r[0].Text)
		}
		if strings.Contains(r[0].Text, "pw123") {
			t.Errorf("%q: the password in the link is shown:\n%s", tc.text, r[0].Text)
		}
	}
	// A rate, a file name or an e-mail address is not a link.
	for _, in := range []string{"the rate is 5.4560", "see 623456789012.html", "write to seaclients@service.worldfirst.com",
		"or john.smith@gmail.com", "Mr.Smith 你好", "mail a@b.com: thanks"} {
		r := u.say(in)
		for _, id := range []string{"ui.link.official", "ui.link.phishing", "ui.link.other"} {
			// The messages' fixed part, without the host.
			for _, part := range strings.Split(e.cat.Text("en", id, map[string]any{"Host": "\x00"}), "\x00") {
				if len(part) > 12 && strings.Contains(r[0].Text, part) {
					t.Errorf("%q: checked as a link:\n%s", in, r[0].Text)
				}
			}
		}
	}
}
