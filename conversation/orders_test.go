package conversation_test

import (
	"context"
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

// withSupport is the same world with support agents configured.
func (e *env) withSupport() *env {
	e.t.Helper()
	eng, err := conversation.New(e.content, e.db, nil, conversation.WithSupport())
	if err != nil {
		e.t.Fatal(err)
	}
	s := *e
	s.eng = eng
	return &s
}

// currency presses the calculator's button for a currency.
func (u *user) currency(code string) {
	u.e.t.Helper()
	for _, row := range u.last[0].Buttons {
		for _, b := range row {
			if b.Label == code {
				u.press(conversation.ActCurrency, b.Action.Arg)
				return
			}
		}
	}
	u.e.t.Fatalf("no %s button", code)
}

// TestImplausibleRateSaysWhatItRead: 1 CNH = 2,265 IDR is 2,265 rupiah,
// not 2.265; a bare 2265 would be 2,265 CNH per rupiah and is refused with
// what the bot understood, in the buyer's way of writing numbers, and the
// way to type it. The prompts ask for typed text.
func TestImplausibleRateSaysWhatItRead(t *testing.T) {
	e := newEnv(t)
	for i, lang := range []string{"en", "de"} {
		u := e.user(int64(60 + i))
		u.lang = lang
		u.say("/order")
		u.press(conversation.ActDraftNew, "")
		u.addItem("https://detail.1688.com/offer/623456789012.html", "", "", "1", "100", "")
		if u.last[0].Prompt {
			t.Errorf("%s: the draft screen asks for typed text", lang)
		}
		u.press(conversation.ActCalc, "")
		u.currency("IDR")
		if !u.last[0].Prompt {
			t.Errorf("%s: the rate prompt does not ask for typed text", lang)
		}
		read := map[string]string{"en": "2,265", "de": "2.265"}[lang]
		r := u.say("2265")
		want := e.cat.Text(lang, "ui.input.rate_reversed", map[string]any{"Code": "IDR", "Rate": read})
		if !strings.Contains(r[0].Text, want) || !r[0].Prompt {
			t.Errorf("%s: bare 2265 for IDR:\n%s\nwant %q", lang, r[0].Text, want)
		}
		if !strings.Contains(r[0].Text, "1 IDR = "+read+" CNH?") {
			t.Errorf("%s: does not say what it read:\n%s", lang, r[0].Text)
		}
		r = u.say("1 IDR = 2265 CNH")
		want = e.cat.Text(lang, "ui.input.rate_reversed", map[string]any{"Code": "IDR", "Rate": read})
		if !strings.Contains(r[0].Text, want) {
			t.Errorf("%s: 1 IDR = 2265 CNH:\n%s", lang, r[0].Text)
		}
		r = u.say("1 CNH = 2,265 IDR")
		amount := map[string]string{"en": "226,500 IDR", "de": "226.500 IDR"}[lang]
		if !strings.Contains(r[0].Text, amount) || r[0].Prompt {
			t.Errorf("%s: 1 CNH = 2,265 IDR for ¥100:\n%s\nwant %s", lang, r[0].Text, amount)
		}
	}
	u := e.user(62)
	u.say("/order")
	u.press(conversation.ActDraftNew, "")
	u.addItem("https://detail.1688.com/offer/623456789012.html", "", "", "1", "100", "")
	u.press(conversation.ActCalc, "")
	u.currency("JPY")
	r := u.say("4.8")
	if want := e.cat.Text("en", "ui.input.rate_implausible", map[string]any{"Code": "JPY", "Rate": "4.8"}); !strings.Contains(r[0].Text, want) {
		t.Errorf("4.8 CNH per yen:\n%s\nwant %q", r[0].Text, want)
	}
}

// TestShareTextAsLink: what 1688's app shares (title, link, words) is
// taken as the link it holds.
func TestShareTextAsLink(t *testing.T) {
	e := newEnv(t)
	u := e.user(63)
	u.say("/order")
	u.press(conversation.ActDraftNew, "")
	u.addItem("【苹果15手机壳 磨砂】https://m.1688.com/offer/623456789012.html?spm=a26352 点击链接直接打开", "", "", "2", "5", "")
	if text := u.last[0].Text; !strings.Contains(text, "https://detail.1688.com/offer/623456789012.html") || !strings.Contains(text, "2 × ¥5.00") {
		t.Errorf("draft after a shared text:\n%s", text)
	}
}

// TestOldStatusButtonChangesNothing: a status button moves the draft only
// from the status it was drawn for. An old "mark as paid" (drawn while the
// draft was ordered) pressed after the buyer undid "ordered" must not move
// the draft from draft to paid.
func TestOldStatusButtonChangesNothing(t *testing.T) {
	e := newEnv(t)
	u := e.user(64)
	u.say("/order")
	u.press(conversation.ActDraftNew, "")
	u.addItem("https://detail.1688.com/offer/623456789012.html", "", "", "1", "5", "")
	u.press(conversation.ActStatus, "") // draft → ordered
	paid, _ := u.find(conversation.ActStatus, "")
	if !strings.HasSuffix(paid.Action.Arg, ".ordered.paid") {
		t.Fatalf("first button on an ordered draft: %+v", paid.Action)
	}
	u.press(conversation.ActStatus, strings.TrimSuffix(paid.Action.Arg, "paid")+"draft") // undo: ordered → draft
	if !strings.Contains(u.last[0].Title, "(draft)") {
		t.Fatalf("after undo: %q", u.last[0].Title)
	}
	r := u.handle(conversation.Event{Kind: conversation.KindButton, Action: paid.Action})
	if !strings.Contains(r[0].Title, "(draft)") || r[0].Notice != e.cat.Text("en", "ui.notice.stale", nil) {
		t.Errorf("old mark-as-paid moved the draft: %q, notice %q", r[0].Title, r[0].Notice)
	}
	// Buttons of the older format (no "from"), and moves that skip a
	// status, change nothing either.
	id := strings.SplitN(paid.Action.Arg, ".", 2)[0]
	for _, arg := range []string{id + ".paid", id + ".draft.paid", id + ".draft.draft", id + ".draft.lost"} {
		a := *paid.Action
		a.Arg = arg
		r := u.handle(conversation.Event{Kind: conversation.KindButton, Action: &a})
		if !strings.Contains(r[0].Title, "(draft)") {
			t.Errorf("%s moved the draft: %q", arg, r[0].Title)
		}
	}
}

// TestStatusHintNamesTheOrderStage: the hint to mark a draft as ordered
// names the guidebook's ordering stage (5), not the payment stage (6), in
// every language.
func TestStatusHintNamesTheOrderStage(t *testing.T) {
	e := newEnv(t)
	var order, payment string
	for _, st := range e.guide.Stages {
		switch st.ID {
		case "order":
			order = st.Number
		case "payment":
			payment = st.Number
		}
	}
	for i, tag := range e.cat.Languages() {
		lang := tag.String()
		hint := e.cat.Text(lang, "ui.draft.suggest_ordered", nil)
		if h := strings.ReplaceAll(hint, "1688", ""); !strings.Contains(h, order) || strings.Contains(h, payment) {
			t.Errorf("%s: %q does not name stage %s (ordering)", lang, hint, order)
		}
		u := e.user(int64(700 + i))
		u.lang = lang
		u.say("/order")
		u.press(conversation.ActDraftNew, "")
		u.addItem("https://detail.1688.com/offer/623456789012.html", "", "", "1", "5", "")
		if !strings.Contains(u.last[0].Text, hint) {
			t.Errorf("%s: the draft does not suggest marking it ordered", lang)
		}
	}
}

// TestDraftToPerson: with agents, "send to a person" opens a ticket with
// the draft; without, it gives the guidebook's e-mail and the summary.
func TestDraftToPerson(t *testing.T) {
	e := newEnv(t)
	u := e.user(65)
	u.say("/order")
	u.press(conversation.ActDraftNew, "")
	if _, ok := u.find(conversation.ActDraftPerson, ""); ok {
		t.Errorf("an empty draft offers to send it to a person")
	}
	u.addItem("https://detail.1688.com/offer/623456789012.html", "Phone case", "", "3", "19.99", "")
	r := u.press(conversation.ActDraftPerson, "")
	for _, want := range []string{e.cat.Text("en", "ui.draft.person_mail", nil), "seaclients@service.worldfirst.com", "Phone case", "3 × ¥19.99 = ¥59.97", "Total: ¥59.97"} {
		if !strings.Contains(r[0].Text, want) {
			t.Errorf("without agents, no %q in:\n%s", want, r[0].Text)
		}
	}
	if r[0].Ticket != nil || u.session().Ticket != 0 {
		t.Errorf("a ticket opened without agents")
	}

	s := e.withSupport()
	v := s.user(66)
	v.say("/order")
	v.press(conversation.ActDraftNew, "")
	v.addItem("https://detail.1688.com/offer/623456789012.html", "Phone case", "", "3", "19.99", "")
	v.say("/order")
	v.press(conversation.ActDraftNew, "") // a later draft: the card must still show the one sent
	v.addItem("https://detail.1688.com/offer/700000000001.html", "Cable", "", "1", "2", "")
	v.say("/order")
	var first conversation.Button
	for _, row := range v.last[0].Buttons {
		if b := row[0]; b.Action != nil && b.Action.Kind == conversation.ActDraft && strings.HasPrefix(b.Label, "#1 ") {
			first = b
		}
	}
	v.handle(conversation.Event{Kind: conversation.KindButton, Action: first.Action})
	r = v.press(conversation.ActDraftPerson, "")
	if r[0].Ticket == nil || !r[0].Ticket.Opened || v.session().Ticket == 0 {
		t.Fatalf("no ticket opened: %+v", r[0])
	}
	if d := r[0].Ticket.Description; !strings.Contains(d, "#1") || !strings.Contains(d, "3 × ¥19.99 = ¥59.97") {
		t.Errorf("the ticket does not carry the draft:\n%s", d)
	}
	if r[0].Notice != e.cat.Text("en", "ui.draft.person_sent", map[string]any{"Number": 1}) {
		t.Errorf("notice %q", r[0].Notice)
	}
	card, err := s.eng.Card(context.Background(), 66, "en")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(card, "Phone case") {
		t.Errorf("the agents' card does not show the draft sent:\n%s", card)
	}
}

// TestDraftAndItemLimits: at most MaxDrafts drafts and MaxItems items a
// draft, each refusal explained, nothing else changed.
func TestDraftAndItemLimits(t *testing.T) {
	e := newEnv(t)
	u := e.user(67)
	u.say("/order")
	for range conversation.MaxDrafts {
		u.press(conversation.ActDraftNew, "")
		u.press(conversation.ActDrafts, "")
	}
	r := u.press(conversation.ActDraftNew, "")
	if want := e.cat.Text("en", "ui.drafts.full", map[string]any{"Max": "20"}); !strings.Contains(r[0].Text, want) {
		t.Errorf("draft %d: no explanation:\n%s", conversation.MaxDrafts+1, r[0].Text)
	}
	if !strings.Contains(r[0].Text, e.cat.Plural("en", "ui.drafts.count", conversation.MaxDrafts, nil)) {
		t.Errorf("draft %d was created:\n%s", conversation.MaxDrafts+1, r[0].Text)
	}

	u.press(conversation.ActDraft, "")
	for range conversation.MaxItems {
		u.press(conversation.ActItemAdd, "")
		u.say("https://detail.1688.com/offer/623456789012.html")
		u.press(conversation.ActDraft, "") // ✖ Cancel: the item is kept, unfinished
	}
	add, _ := u.find(conversation.ActItemAdd, "")
	r = u.press(conversation.ActItemAdd, "")
	if want := e.cat.Text("en", "ui.draft.full", map[string]any{"Max": "50"}); !strings.Contains(r[0].Text, want) || r[0].Prompt {
		t.Errorf("item %d: no explanation:\n%s", conversation.MaxItems+1, r[0].Text)
	}
	// An older prompt answered anyway adds nothing either.
	u.handle(conversation.Event{Kind: conversation.KindButton, Action: add.Action})
	u.say("https://detail.1688.com/offer/623456789012.html")
	id := strings.SplitN(add.Action.Arg, ".", 2)[0]
	n := 0
	u.handle(conversation.Event{Kind: conversation.KindButton, Action: &conversation.Action{Kind: conversation.ActDraft, Arg: id}})
	for _, row := range u.last[0].Buttons {
		if row[0].Action != nil && row[0].Action.Kind == conversation.ActItem {
			n++
		}
	}
	if n != conversation.MaxItems {
		t.Errorf("the draft has %d items, want %d", n, conversation.MaxItems)
	}
}

// TestExplainThisScreenOnEveryStep: every step has the button; a step
// without Chinese labels says so (WorldFirst's in English) and asks for
// what the buyer sees.
func TestExplainThisScreenOnEveryStep(t *testing.T) {
	e := newEnv(t)
	english := map[string]bool{"world": true, "authorise": true, "topup": true}
	for _, st := range e.guide.Stages {
		for _, s := range st.Steps {
			t.Run(s.Key, func(t *testing.T) {
				u := newEnvAt(t, e, s.Key)
				if _, ok := u.find(conversation.ActExplain, ""); !ok {
					t.Fatalf("no 🔎 Explain this screen")
				}
				r := u.press(conversation.ActExplain, "")
				if len(s.Labels) > 0 {
					if !strings.Contains(r[0].Text, s.Labels[0]) {
						t.Errorf("no %s in:\n%s", s.Labels[0], r[0].Text)
					}
					return
				}
				want := "ui.explain.no_labels"
				if english[st.ID] {
					want = "ui.explain.no_labels_worldfirst"
				}
				if r[0].Text != e.cat.Text("en", want, nil) {
					t.Errorf("step without labels says:\n%s\nwant %s", r[0].Text, want)
				}
			})
		}
	}
	if !strings.Contains(e.cat.Text("en", "ui.explain.no_labels_worldfirst", nil), "WorldFirst") {
		t.Errorf("the WorldFirst answer does not say why")
	}
}

// TestUnknownChineseIsHonest: the answer says the words were noted only
// when they were (never for a text with a code, which is not kept, nor for
// one character), and offers the agents when there are some.
func TestUnknownChineseIsHonest(t *testing.T) {
	e := newEnv(t)
	noted := []string{e.cat.Text("en", "ui.explain.none", nil), e.cat.Text("en", "ui.explain.partly", nil)}
	u := e.user(68)
	u.say("/start")
	for _, tc := range []struct{ in, want string }{
		{"验证码 123456 请勿泄漏给别人", "ui.explain.partly_unrecorded"},
		{"嗯", "ui.explain.none_unrecorded"},
		{"code 123456 这个按钮什么意思", "ui.explain.none_unrecorded"},
	} {
		var text string
		for _, r := range u.say(tc.in) {
			text += r.Text + "\n"
		}
		if !strings.Contains(text, e.cat.Text("en", tc.want, nil)) {
			t.Errorf("%q: no %s in:\n%s", tc.in, tc.want, text)
		}
		for _, n := range noted {
			if strings.Contains(text, n) {
				t.Errorf("%q: says %q, but nothing was kept", tc.in, n)
			}
		}
		if _, ok := u.find(conversation.ActSupport, ""); ok {
			t.Errorf("%q: a support button without agents", tc.in)
		}
	}
	if unk, err := e.db.UnknownLabels(context.Background(), 10); err != nil || len(unk) != 0 {
		t.Errorf("kept %+v (%v)", unk, err)
	}
	// With agents: the e-mail and the button to a person.
	v := e.withSupport().user(69)
	v.say("/start")
	r := v.say("这个按钮什么意思")
	if !strings.Contains(r[0].Text, e.cat.Text("en", "ui.explain.none", nil)) || !strings.Contains(r[0].Text, "seaclients@service.worldfirst.com") {
		t.Errorf("unknown Chinese with agents:\n%s", r[0].Text)
	}
	if _, ok := v.find(conversation.ActSupport, ""); !ok {
		t.Errorf("no 🙋 Talk to a person button with agents")
	}
}
