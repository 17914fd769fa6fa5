package conversation_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/buyerguide/bot/conversation"
	"github.com/buyerguide/bot/data"
	"github.com/buyerguide/bot/locales"
)

// Limits that keep screens readable on a phone. A button label longer
// than MaxButton runes is cut off by Telegram clients on narrow screens.
const (
	MaxButton = 32
	MaxBody   = 1000
	// MaxMessage is Telegram's limit on one message, in UTF-16 code
	// units (an emoji outside the BMP counts twice).
	MaxMessage = 4096
)

// TestEveryMessageOfTheGuideExists checks that each ID the guide data
// names has English text, in every language the bot has, within limits.
func TestEveryMessageOfTheGuideExists(t *testing.T) {
	g, err := data.LoadGuide()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	type msg struct {
		id     string
		maxLen int
	}
	var ids []msg
	for _, st := range g.Stages {
		// The menu puts a mark and the number before the short title
		// ("▶️ 4A · "): TestMenuLabelsFit checks the whole button.
		ids = append(ids, msg{st.TitleID(), MaxButton}, msg{"stage." + st.ID + ".short", MaxButton - 8})
		for _, s := range st.Steps {
			ids = append(ids, msg{s.TitleID(), 64}, msg{s.BodyID(), MaxBody})
			for _, c := range s.Choices {
				ids = append(ids, msg{s.ChoiceID(c.ID), MaxButton})
			}
			for _, l := range s.Links {
				ids = append(ids, msg{l.Text, MaxButton})
			}
		}
		for _, p := range st.Problems {
			ids = append(ids, msg{p.TitleID(st.ID), MaxButton}, msg{p.BodyID(st.ID), MaxBody})
		}
	}
	for _, lang := range cat.Languages() {
		for _, m := range ids {
			if !cat.Has(m.id) {
				t.Errorf("%s: message %s missing", lang, m.id)
				continue
			}
			text := cat.Text(lang.String(), m.id, nil)
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s: message %s is empty", lang, m.id)
			}
			if n := utf8.RuneCountInString(text); n > m.maxLen {
				t.Errorf("%s: message %s is %d runes, limit %d", lang, m.id, n, m.maxLen)
			}
		}
	}
}

// TestEveryLinkIsOfficial checks every address the guide shows, in the
// data and inside the texts, against the guidebook's official domains.
func TestEveryLinkIsOfficial(t *testing.T) {
	g, err := data.LoadGuide()
	if err != nil {
		t.Fatal(err)
	}
	d, err := data.LoadDomains()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, st := range g.Stages {
		for _, s := range st.Steps {
			for _, l := range s.Links {
				n++
				u, err := url.Parse(l.URL)
				if err != nil || !d.IsOfficial(u.Hostname()) {
					t.Errorf("step %s links to %s, not an official address", s.Key, l.URL)
				}
			}
			body := cat.Text("en", s.BodyID(), nil)
			for _, host := range hostsIn(body) {
				if !d.IsOfficial(host) {
					t.Errorf("step %s mentions %s, not an official domain", s.Key, host)
				}
			}
		}
	}
	if n == 0 {
		t.Error("the guide has no links at all")
	}
}

var hostRE = regexp.MustCompile(`(?i)\b((?:[a-z0-9-]+\.)+(?:com|cn|net|org|hk))\b`)

// hostsIn finds domain names in a text (e-mail domains included).
func hostsIn(text string) []string {
	var out []string
	for _, m := range hostRE.FindAllStringSubmatch(text, -1) {
		out = append(out, strings.ToLower(m[1]))
	}
	return out
}

func TestOfficialDomains(t *testing.T) {
	d, err := data.LoadDomains()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		host string
		want bool
	}{
		{"1688.com", true},
		{"www.1688.com", true},
		{"global.1688.com", true},
		{"DETAIL.1688.COM.", true},
		{"portal.worldfirst.com", true},
		{"service.worldfirst.com", true},
		{"alipay.com", true},
		{"1688-login.com", false},
		{"1688.com.example.net", false},
		{"my1688.com", false},
		{"worldfirst.com.evil.io", false},
		{"xn--1688-xyz.com", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := d.IsOfficial(tc.host); got != tc.want {
			t.Errorf("IsOfficial(%q) = %v, want %v", tc.host, got, tc.want)
		}
	}
}

// TestUTF16Len: Telegram counts 😀 twice; runes would count it once.
func TestUTF16Len(t *testing.T) {
	if n := conversation.TextLen("a😀é"); n != 4 {
		t.Errorf("utf16Len = %d, want 4", n)
	}
}

// TestMenuLabelsFit renders the menu in every language with every stage
// the current one (▶️, the widest mark) and checks every button against
// the 32-character limit: mark, number and title together, not the title
// alone.
func TestMenuLabelsFit(t *testing.T) {
	e := newEnv(t)
	for i, tag := range e.cat.Languages() {
		for j, st := range e.guide.Stages {
			u := e.user(int64(1000 + 100*i + j))
			u.lang = tag.String()
			u.say("/start stage_" + st.ID)
			r := u.say("/menu")
			n := 0
			for _, row := range r[0].Buttons {
				for _, b := range row {
					if b.Action != nil && b.Action.Kind == conversation.ActJump {
						n++
					}
					if c := utf8.RuneCountInString(b.Label); c > MaxButton {
						t.Errorf("%s, at stage %s: menu button %q is %d characters, limit %d", tag, st.ID, b.Label, c, MaxButton)
					}
				}
			}
			if n != len(e.guide.Stages) {
				t.Errorf("%s: menu has %d stage buttons, want %d", tag, n, len(e.guide.Stages))
			}
		}
	}
}

// screenChecker checks every screen a test user is shown: the whole
// message (notice, title, text, as a transport sends it) within one
// Telegram message, and every button within MaxButton characters.
type screenChecker struct {
	t    *testing.T
	lang string
	seen map[string]int // what kind of screen → how many were checked
}

func (c *screenChecker) check(what string, rs []conversation.Reply) {
	c.t.Helper()
	c.seen[what]++
	for _, r := range rs {
		var parts []string
		for _, p := range []string{r.Notice, r.Title, r.Text} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		msg := strings.Join(parts, "\n\n")
		if n := conversation.TextLen(msg); n > MaxMessage {
			c.t.Errorf("%s: %s screen %q is %d UTF-16 units, over one message (%d)", c.lang, what, r.Title, n, MaxMessage)
		}
		for _, row := range r.Buttons {
			for _, b := range row {
				if n := utf8.RuneCountInString(b.Label); n > MaxButton {
					c.t.Errorf("%s: %s screen %q: button %q is %d characters, limit %d", c.lang, what, r.Title, b.Label, n, MaxButton)
				}
			}
		}
	}
}

// TestEveryScreenFitsOneMessage draws every kind of screen the engine has
// in every language (each step, its labels, its stage's problems, the
// checklist and the menu at each step; help, language, restart, privacy,
// support; order drafts, items, prompts, the calculator; pasted Chinese,
// the whole glossary at once) and checks each against Telegram's limit.
func TestEveryScreenFitsOneMessage(t *testing.T) {
	e := newEnv(t)
	support, err := conversation.New(e.content, e.db, nil, conversation.WithSupport())
	if err != nil {
		t.Fatal(err)
	}
	var glossary strings.Builder
	for _, l := range e.content.Labels {
		glossary.WriteString(l.Zh + "\n")
	}
	long := string([]rune(strings.Repeat("Very long text 😀 ", 12))[:200]) // 200 characters, the most a field takes
	for i, tag := range e.cat.Languages() {
		lang := tag.String()
		c := &screenChecker{t: t, lang: lang, seen: map[string]int{}}
		u := e.user(int64(2000 + i))
		u.lang = lang
		c.check("start", u.say("/start"))
		steps := e.steps()
		for k, s := range steps {
			c.check("step", u.last)
			if len(s.Labels) > 0 {
				c.check("explain screen", u.press(conversation.ActExplain, ""))
				u.press(conversation.ActStep, "")
			}
			if _, ok := u.find(conversation.ActProblems, ""); ok {
				c.check("problems", u.press(conversation.ActProblems, ""))
				for _, p := range problemsOf(e, s) {
					c.check("problem", u.press(conversation.ActProblem, p))
					u.press(conversation.ActProblems, "")
				}
				u.press(conversation.ActStep, "")
			}
			c.check("progress", u.say("/progress"))
			c.check("menu", u.say("/menu"))
			u.press(conversation.ActStep, "")
			if k < len(steps)-1 {
				u.advance(s)
			}
		}
		for _, cmd := range []string{"/help", "/language", "/restart", "/mydata", "/forget", "/support", "/explain", "/explain 验证码 123456", "这个按钮什么意思", "https://1688-login.com/x", "hello"} {
			c.check(cmd, u.say(cmd))
		}
		c.check("pasted glossary", u.say(glossary.String()))

		// Order drafts: three items with every text field at its longest and
		// a 6-digit total (what the drafts list's buttons are made for).
		c.check("drafts", u.say("/order"))
		c.check("draft", u.press(conversation.ActDraftNew, ""))
		for range 3 {
			c.check("prompt", u.press(conversation.ActItemAdd, ""))
			for _, v := range []string{"https://detail.1688.com/offer/623456789012.html", long, long, "1000", "333.33", long} {
				c.check("prompt", u.say(v))
			}
		}
		c.check("price refused", u.press(conversation.ActItemAdd, ""))
		u.say("https://detail.1688.com/offer/623456789012.html")
		u.press(conversation.ActSkipField, "")
		u.press(conversation.ActSkipField, "")
		c.check("quantity refused", u.say("lots"))
		u.say("/order")
		c.check("draft", u.press(conversation.ActDraft, ""))
		c.check("item", u.press(conversation.ActItem, ""))
		c.check("edit prompt", u.press(conversation.ActItemEdit, ""))
		u.say("/order")
		u.press(conversation.ActDraft, "")
		c.check("copy", u.press(conversation.ActCopy, ""))
		u.press(conversation.ActDraft, "")
		c.check("calculator", u.press(conversation.ActCalc, ""))
		calc := u.last
		for _, cur := range conversation.Currencies() {
			u.last = calc
			arg := ""
			for _, row := range calc[0].Buttons {
				for _, b := range row {
					if b.Label == cur.Code {
						arg = b.Action.Arg
					}
				}
			}
			c.check("currency", u.press(conversation.ActCurrency, arg))
			if cur.Code != "CNH" {
				c.check("rate refused", u.say("abc"))
				c.check("conversion", u.say("1 "+cur.Code+" = "+cur.Low+" CNH")) // the longest amount: the lowest plausible rate
			}
		}
		u.say("/order")
		u.press(conversation.ActDraft, "")
		c.check("status", u.press(conversation.ActStatus, ""))
		c.check("delete", u.press(conversation.ActDraftDel, ""))

		// Support, with agents.
		a := &user{e: &env{t: t, guide: e.guide, cat: e.cat, db: e.db, eng: support, content: e.content}, id: int64(3000 + i), lang: lang, update: int64(3000+i) * 1000}
		a.say("/start")
		c.check("support ask", a.say("/support"))
		c.check("support opened", a.say("The code does not arrive"))
		c.check("support paused", a.say("/menu"))
		c.check("support ended", a.say("/cancel"))

		for _, what := range []string{"step", "explain screen", "problem", "progress", "menu", "draft", "item", "conversion", "support opened"} {
			if c.seen[what] == 0 {
				t.Errorf("%s: no %s screen was checked", lang, what)
			}
		}
	}
}

// problemsOf lists the problem IDs of a step's stage.
func problemsOf(e *env, s data.Step) []string {
	for _, st := range e.guide.Stages {
		if st.ID == s.Stage {
			var out []string
			for _, p := range st.Problems {
				out = append(out, p.ID)
			}
			return out
		}
	}
	return nil
}

// TestInlineFollowsChosenLanguage: an inline query is answered in the
// language the user chose with /language, not their client's; a user the
// bot does not know gets their client's language, and is not stored.
func TestInlineFollowsChosenLanguage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.user(60)
	u.lang = "en"
	u.say("/language")
	u.press(conversation.ActLang, "de")
	res := e.eng.Inline(ctx, 60, "en", "验证码")
	if len(res) != 1 {
		t.Fatalf("inline results %+v", res)
	}
	if de := e.cat.Text("de", "label."+res[0].ID+".meaning", nil); !strings.Contains(res[0].Title, de) {
		t.Errorf("inline for a user who chose German: %q, want %q in it", res[0].Title, de)
	}
	res = e.eng.Inline(ctx, 61, "fr", "验证码")
	if fr := e.cat.Text("fr", "label."+res[0].ID+".meaning", nil); len(res) != 1 || !strings.Contains(res[0].Title, fr) {
		t.Errorf("inline for an unknown French user: %+v", res)
	}
	if _, ok, err := e.db.Load(ctx, 61); ok || err != nil {
		t.Errorf("an inline query stored its user (ok=%v, err=%v)", ok, err)
	}
}

// langButton returns the picker's button for a tag ("" is "automatic").
func langButton(u *user, tag string) (conversation.Button, bool) {
	for _, row := range u.last[0].Buttons {
		for _, b := range row {
			if b.Action != nil && b.Action.Kind == conversation.ActLang && b.Action.Arg == tag {
				return b, true
			}
		}
	}
	return conversation.Button{}, false
}

// TestLanguagePickerAutomatic: the picker offers "automatic" (follow the
// Telegram app's language), ticked while the user has no choice; pressing
// it after choosing a language clears the choice.
func TestLanguagePickerAutomatic(t *testing.T) {
	e := newEnv(t)
	u := e.user(62)
	u.lang = "fr"
	u.say("/start")
	u.say("/language")
	auto, ok := langButton(u, "")
	if want := "✓ " + e.cat.Text("fr", "ui.btn.language_auto", nil); !ok || auto.Label != want {
		t.Fatalf("picker of a user without a choice: automatic button %q (%v), want %q", auto.Label, ok, want)
	}
	u.press(conversation.ActLang, "de")
	if s := u.session(); s.Lang != "de" {
		t.Fatalf("stored language %q, want de", s.Lang)
	}
	u.say("/language")
	auto, _ = langButton(u, "")
	de, _ := langButton(u, "de")
	if strings.HasPrefix(auto.Label, "✓") || de.Label != "✓ Deutsch" {
		t.Errorf("picker after choosing German: %q, %q", auto.Label, de.Label)
	}
	r := u.handle(conversation.Event{Kind: conversation.KindButton, Action: auto.Action})
	if s := u.session(); s.Lang != "" {
		t.Errorf("after automatic the stored choice is %q, want none", s.Lang)
	}
	if want := e.cat.Text("fr", "step."+u.session().Step+".title", nil); r[0].Title != want {
		t.Errorf("after automatic the step reads %q, want the French %q", r[0].Title, want)
	}
	if want := e.cat.Text("fr", "ui.notice.language_set", map[string]any{"Name": "Français"}); r[0].Notice != want {
		t.Errorf("notice %q, want %q", r[0].Notice, want)
	}
}

// TestAutomaticIsTranslated: the automatic option reads differently from
// English in every other language (a translation, not a copy).
func TestAutomaticIsTranslated(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	en := cat.Text("en", "ui.btn.language_auto", nil)
	for _, tag := range cat.Languages() {
		if got := cat.Text(tag.String(), "ui.btn.language_auto", nil); tag.String() != "en" && got == en {
			t.Errorf("%s: %q is the English text", tag, got)
		}
	}
}
