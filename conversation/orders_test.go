package conversation_test

import (
	"strings"
	"testing"

	"github.com/buyerguide/bot/conversation"
)

// addItem walks the add-item dialogue of the open draft.
func (u *user) addItem(link, title, spec, qty, price, note string) {
	u.e.t.Helper()
	u.press(conversation.ActItemAdd, "")
	for _, v := range []string{link, title, spec, qty, price, note} {
		if v == "" {
			u.press(conversation.ActSkipField, "")
			continue
		}
		r := u.say(v)
		if strings.HasPrefix(r[0].Text, "⚠️") {
			u.e.t.Fatalf("%q refused: %s", v, r[0].Text)
		}
	}
}

func TestDraftWithTwoItemsTotalAndConversion(t *testing.T) {
	e := newEnv(t)
	u := e.user(30)
	u.say("/start")
	u.say("/order")
	u.press(conversation.ActDraftNew, "")
	u.addItem("https://detail.1688.com/offer/623456789012.html?spm=x", "Phone case", "Space Gray, 720", "3", "¥19.99", "")
	r := u.last
	if !strings.Contains(r[0].Notice, e.cat.Text("en", "ui.notice.item_added", nil)) {
		t.Errorf("no notice after adding: %+v", r[0])
	}
	u.addItem("m.1688.com/offer/700000000001.html", "", "", "١٠٠", "0,07", "ask for a sample")
	text := u.last[0].Text
	for _, want := range []string{"3 × ¥19.99 = ¥59.97", "100 × ¥0.07 = ¥7.00", "Total: ¥66.97 for 2 items", "Offer 700000000001", "Note: ask for a sample"} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q:\n%s", want, text)
		}
	}
	u.press(conversation.ActCalc, "")
	b, ok := u.find(conversation.ActCurrency, "")
	if !ok || !strings.HasSuffix(b.Action.Arg, ".CNH") {
		t.Fatalf("no currency buttons")
	}
	var sgd string
	for _, row := range u.last[0].Buttons {
		for _, b := range row {
			if b.Label == "SGD" {
				sgd = b.Action.Arg
			}
		}
	}
	u.press(conversation.ActCurrency, sgd)
	r = u.say("1 USD = 7.1 CNH")
	if !strings.Contains(r[0].Text, e.cat.Text("en", "ui.input.rate_currency", map[string]any{"Code": "SGD"})) {
		t.Errorf("wrong currency pair accepted:\n%s", r[0].Text)
	}
	r = u.say("1 SGD = 5.4560 CNH")
	// 66.97 / 5.456 = 12.2745... → 12.28 SGD
	if !strings.Contains(r[0].Text, "convert 12.28 SGD") {
		t.Errorf("conversion:\n%s", r[0].Text)
	}
}

func TestBadInputKeepsWhatWasEntered(t *testing.T) {
	e := newEnv(t)
	u := e.user(31)
	u.say("/order")
	u.press(conversation.ActDraftNew, "")
	u.press(conversation.ActItemAdd, "")
	tests := []struct{ in, msg string }{
		{"https://1688-login.com/offer/1.html", "ui.input.link_phishing"},
		{"https://amazon.com/x", "ui.input.link_not_1688"},
		{"https://detail.1688.com/offer/623456789012.html", ""},
		{"", "skip"}, // title
		{"", "skip"}, // spec
		{"lots", "ui.input.qty_bad"},
		{"0", "ui.input.qty_range"},
		{"12", ""},
		{"20.555", "ui.input.price_decimals"},
		{"-1", "ui.input.price_range"},
		{"abc", "ui.input.price_bad"},
		{"20", ""},
		{"验证码 123456", "ui.explain.secret"},
	}
	for _, tc := range tests {
		if tc.msg == "skip" {
			u.press(conversation.ActSkipField, "")
			continue
		}
		r := u.say(tc.in)
		if tc.msg == "" {
			if strings.HasPrefix(r[0].Text, "⚠️") {
				t.Errorf("%q refused: %s", tc.in, r[0].Text)
			}
			continue
		}
		if !strings.Contains(r[0].Text, e.cat.Text("en", tc.msg, nil)) {
			t.Errorf("%q: want %s, got:\n%s", tc.in, tc.msg, r[0].Text)
		}
	}
	// The secret was not stored; the item keeps everything else.
	u.press(conversation.ActSkipField, "")
	text := u.last[0].Text
	if !strings.Contains(text, "12 × ¥20.00 = ¥240.00") || strings.Contains(text, "123456") {
		t.Errorf("draft after bad input:\n%s", text)
	}
}

func TestDraftsAreTheirOwnersOnly(t *testing.T) {
	e := newEnv(t)
	alice, bob := e.user(40), e.user(41)
	alice.say("/order")
	alice.press(conversation.ActDraftNew, "")
	alice.addItem("https://detail.1688.com/offer/623456789012.html", "", "", "1", "5", "")
	b, _ := alice.find(conversation.ActDraftDel, "")
	bob.say("/order")
	for _, kind := range []conversation.ActionKind{conversation.ActDraftDelYes, conversation.ActDraft, conversation.ActItemAdd, conversation.ActCalc} {
		r := bob.handle(conversation.Event{Kind: conversation.KindButton, Action: &conversation.Action{Kind: kind, Arg: b.Action.Arg}})
		if r[0].Notice != e.cat.Text("en", "ui.notice.gone", nil) {
			t.Errorf("%s on alice's draft: notice %q", kind, r[0].Notice)
		}
	}
	for _, arg := range []string{"", "x", "1.2.3.4", "99999999999999999999"} {
		r := bob.handle(conversation.Event{Kind: conversation.KindButton, Action: &conversation.Action{Kind: conversation.ActDraft, Arg: arg}})
		if r[0].Notice == "" {
			t.Errorf("forged arg %q: no notice", arg)
		}
	}
	alice.say("/order")
	if !strings.Contains(alice.last[0].Text, e.cat.Plural("en", "ui.drafts.count", 1, nil)) {
		t.Errorf("alice's draft is gone:\n%s", alice.last[0].Text)
	}
}

func TestDraftStatusAndDeletion(t *testing.T) {
	e := newEnv(t)
	u := e.user(42)
	u.say("/start stage_order")
	u.press(conversation.ActDrafts, "")
	u.press(conversation.ActDraftNew, "")
	u.addItem("https://detail.1688.com/offer/623456789012.html", "", "", "2", "3", "")
	u.press(conversation.ActStatus, "") // ordered
	if !strings.Contains(u.last[0].Title, "ordered") {
		t.Errorf("title %q", u.last[0].Title)
	}
	u.press(conversation.ActStatus, "") // paid (first status button)
	if !strings.Contains(u.last[0].Title, "paid") {
		t.Errorf("title %q", u.last[0].Title)
	}
	u.press(conversation.ActDraftDel, "")
	u.press(conversation.ActDraftDelYes, "")
	if !strings.Contains(u.last[0].Text, e.cat.Text("en", "ui.drafts.none", nil)) {
		t.Errorf("after delete:\n%s", u.last[0].Text)
	}
	// The guide is where it was.
	if got := u.session().Step; !strings.HasPrefix(got, "order.") {
		t.Errorf("drafts moved the guide to %s", got)
	}
	u.press(conversation.ActStep, "")
	u.expectStep(e.guide.Stages[6].Steps[0].Key)
}

// TestMoneyAndRatesInEveryLanguage checks amounts, and the rate the
// calculator repeats, in every language: one grouping and decimal sign per
// language (never a Latin comma beside an Arabic decimal sign, never
// "5.456" where a dot groups thousands), and 元 / 위안 where ¥ reads as yen.
func TestMoneyAndRatesInEveryLanguage(t *testing.T) {
	const nb = "\u00a0"
	want := map[string]struct{ total, rate, amount string }{
		"en":    {"¥1,234,567.89", "1 SGD = 5.456 CNH", "226,277.11 SGD"},
		"ar":    {"1,234,567.89 ¥", "1 SGD = 5.456 CNH", "226,277.11 SGD"},
		"de":    {"1.234.567,89 ¥", "1 SGD = 5,456 CNH", "226.277,11 SGD"},
		"es":    {"1.234.567,89 ¥", "1 SGD = 5,456 CNH", "226.277,11 SGD"},
		"fr":    {"1" + nb + "234" + nb + "567,89" + nb + "¥", "1 SGD = 5,456 CNH", "226" + nb + "277,11" + nb + "SGD"},
		"id":    {"¥1.234.567,89", "1 SGD = 5,456 CNH", "SGD 226.277,11"},
		"ja":    {"1,234,567.89元", "1 SGD = 5.456 CNH", "226,277.11 SGD"},
		"ko":    {"1,234,567.89위안", "1 SGD = 5.456 CNH", "226,277.11 SGD"},
		"ms":    {"¥1,234,567.89", "1 SGD = 5.456 CNH", "SGD 226,277.11"},
		"pt-BR": {"¥" + nb + "1.234.567,89", "1 SGD = 5,456 CNH", "226.277,11" + nb + "SGD"},
		"ru":    {"1" + nb + "234" + nb + "567,89 ¥", "1 SGD = 5,456 CNH", "226" + nb + "277,11 SGD"},
		"th":    {"¥1,234,567.89", "1 SGD = 5.456 CNH", "226,277.11 SGD"},
		"tr":    {"¥1.234.567,89", "1 SGD = 5,456 CNH", "226.277,11 SGD"},
		"vi":    {"1.234.567,89 ¥", "1 SGD = 5,456 CNH", "226.277,11 SGD"},
	}
	e := newEnv(t)
	for i, tag := range e.cat.Languages() {
		lang := tag.String()
		w, ok := want[lang]
		if !ok {
			t.Errorf("%s: add the language to this table", lang)
			continue
		}
		u := e.user(int64(500 + i))
		u.lang = lang
		u.say("/order")
		u.press(conversation.ActDraftNew, "")
		u.addItem("https://detail.1688.com/offer/623456789012.html", "", "", "1", "1234567.89", "")
		if text := u.last[0].Text; !strings.Contains(text, w.total) {
			t.Errorf("%s: draft does not show %q:\n%s", lang, w.total, text)
		}
		u.press(conversation.ActCalc, "")
		var sgd string
		for _, row := range u.last[0].Buttons {
			for _, b := range row {
				if b.Label == "SGD" {
					sgd = b.Action.Arg
				}
			}
		}
		u.press(conversation.ActCurrency, sgd)
		text := u.say("1 SGD = 5.4560 CNH")[0].Text
		for _, s := range []string{w.total, w.rate, w.amount} {
			if !strings.Contains(text, s) {
				t.Errorf("%s: calculator does not show %q:\n%s", lang, s, text)
			}
		}
		if strings.ContainsAny(text, "٫٬") {
			t.Errorf("%s: Arabic decimal or group sign beside Latin digits:\n%s", lang, text)
		}
	}
}
