package locales

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// messages reads every embedded file and returns language → ID → message.
func messages(t *testing.T) map[string]map[string]*i18n.Message {
	t.Helper()
	names, err := fs.Glob(files, "*.toml")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]*i18n.Message{}
	unmarshal := map[string]i18n.UnmarshalFunc{"toml": toml.Unmarshal}
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		mf, err := i18n.ParseMessageFileBytes(b, n, unmarshal)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		lang := mf.Tag.String()
		if out[lang] == nil {
			out[lang] = map[string]*i18n.Message{}
		}
		for _, m := range mf.Messages {
			if _, dup := out[lang][m.ID]; dup {
				t.Errorf("%s: %s defined twice", n, m.ID)
			}
			out[lang][m.ID] = m
		}
	}
	return out
}

var (
	placeholderRE = regexp.MustCompile(`{{[^}]*}}`)
	tagRE         = regexp.MustCompile(`</?[A-Za-z][^>]*>`)
)

func placeholders(s string) []string {
	p := placeholderRE.FindAllString(s, -1)
	slices.Sort(p)
	return slices.Compact(p)
}

func forms(m *i18n.Message) []string {
	var out []string
	for _, s := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// TestCatalogueComplete checks every language against English: same IDs,
// nothing empty, the same placeholders, and no markup (texts are plain:
// transports escape them).
func TestCatalogueComplete(t *testing.T) {
	all := messages(t)
	en := all["en"]
	if len(en) == 0 {
		t.Fatal("no English messages")
	}
	for lang, msgs := range all {
		for id, src := range en {
			if strings.HasPrefix(id, "agent.") {
				continue // the support team's words: one language, see agent.en.toml
			}
			m, ok := msgs[id]
			if !ok {
				t.Errorf("%s: %s missing", lang, id)
				continue
			}
			if strings.TrimSpace(m.Other) == "" {
				t.Errorf("%s: %s has no 'other' form", lang, id)
			}
			for _, problem := range placeholderProblems(mf(lang), src, m) {
				t.Errorf("%s: %s %s", lang, id, problem)
			}
			for _, f := range forms(m) {
				if tagRE.MatchString(f) {
					t.Errorf("%s: %s contains markup %q: texts are plain", lang, id, tagRE.FindString(f))
				}
			}
		}
		for id := range msgs {
			if _, ok := en[id]; !ok {
				t.Errorf("%s: %s is not an English message (stale translation?)", lang, id)
			}
		}
	}
}

// mf is the language tag of a message file's language.
func mf(lang string) language.Tag { return language.Make(lang) }

// placeholderProblems compares the placeholders of every form of a
// translation with the English message's (all its forms together). Every
// form must have exactly the English set, with one exception: a zero, one
// or two form of a plural message that the language picks for one count
// only may leave placeholders out ("один черновик" needs no {{.Count}});
// it never adds one. A Russian "one" form (1, 21, 31 ...) or a French one
// (0 and 1) must keep {{.Count}}.
func placeholderProblems(lang language.Tag, src, m *i18n.Message) []string {
	want := placeholders(strings.Join(forms(src), " "))
	isPlural := src.One != ""
	var out []string
	for _, f := range []struct {
		form plural.Form
		name string
		text string
	}{
		{plural.Zero, "zero", m.Zero}, {plural.One, "one", m.One}, {plural.Two, "two", m.Two},
		{plural.Few, "few", m.Few}, {plural.Many, "many", m.Many}, {plural.Other, "other", m.Other},
	} {
		if f.text == "" {
			continue
		}
		got := placeholders(f.text)
		if slices.Equal(got, want) {
			continue
		}
		if isPlural && f.form != plural.Few && f.form != plural.Many && f.form != plural.Other &&
			subset(got, want) && singleCount(lang, f.form) {
			continue
		}
		out = append(out, fmt.Sprintf("(%s form) has placeholders %v, English has %v", f.name, got, want))
	}
	return out
}

// singleCount reports whether lang picks a plural form for exactly one
// whole number.
func singleCount(lang language.Tag, form plural.Form) bool {
	n := 0
	for i := range 1001 {
		if plural.Cardinal.MatchPlural(lang, i, 0, 0, 0, 0) == form {
			n++
		}
	}
	return n == 1
}

// subset reports whether every element of a is in b.
func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// TestPlaceholderCheck makes sure the check above catches a translation
// that drops or adds a placeholder where it must not.
func TestPlaceholderCheck(t *testing.T) {
	opened := &i18n.Message{ID: "ui.support.opened", Other: "Ticket #{{.Number}} is open."}
	count := &i18n.Message{ID: "ui.drafts.count", One: "You have {{.Count}} draft.", Other: "You have {{.Count}} drafts."}
	tests := []struct {
		name string
		lang string
		src  *i18n.Message
		m    *i18n.Message
		ok   bool
	}{
		{"same", "ru", opened, &i18n.Message{Other: "Обращение №{{.Number}} открыто."}, true},
		{"dropped", "ru", opened, &i18n.Message{Other: "Обращение открыто."}, false},
		{"added", "ru", opened, &i18n.Message{Other: "Обращение №{{.Number}} от {{.Name}}."}, false},
		{"plural kept", "ru", count, &i18n.Message{One: "У вас {{.Count}} черновик.", Few: "У вас {{.Count}} черновика.", Many: "У вас {{.Count}} черновиков.", Other: "У вас {{.Count}} черновика."}, true},
		{"ru one is also 21", "ru", count, &i18n.Message{One: "У вас один черновик.", Few: "У вас {{.Count}} черновика.", Many: "У вас {{.Count}} черновиков.", Other: "У вас {{.Count}} черновика."}, false},
		{"ru few dropped", "ru", count, &i18n.Message{One: "У вас {{.Count}} черновик.", Few: "У вас несколько черновиков.", Many: "У вас {{.Count}} черновиков.", Other: "У вас {{.Count}} черновика."}, false},
		{"de one is only 1", "de", count, &i18n.Message{One: "Sie haben einen Entwurf.", Other: "Sie haben {{.Count}} Entwürfe."}, true},
		{"fr one is 0 and 1", "fr", count, &i18n.Message{One: "Vous avez un brouillon.", Other: "Vous avez {{.Count}} brouillons."}, false},
		{"ar zero, one, two", "ar", count, &i18n.Message{Zero: "لا مسودات.", One: "لديك مسودة واحدة.", Two: "لديك مسودتان.", Few: "لديك {{.Count}} مسودات.", Many: "لديك {{.Count}} مسودة.", Other: "لديك {{.Count}} مسودة."}, true},
		{"ar other dropped", "ar", count, &i18n.Message{One: "لديك مسودة واحدة.", Other: "لديك مسودات."}, false},
		{"not plural", "de", opened, &i18n.Message{One: "Ticket offen.", Other: "Ticket #{{.Number}} ist offen."}, false},
	}
	for _, tc := range tests {
		p := placeholderProblems(language.Make(tc.lang), tc.src, tc.m)
		if (len(p) == 0) != tc.ok {
			t.Errorf("%s: problems %v, want ok=%v", tc.name, p, tc.ok)
		}
	}
}

// TestMatchLanguage resolves real Telegram language codes.
func TestMatchLanguage(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		choice, code, want string
	}{
		{"", "", "en"},
		{"", "en", "en"},
		{"", "en-GB", "en"},
		{"", "ru", "ru"},
		{"", "ru-RU", "ru"},
		{"", "uk", "en"}, // Ukrainian: no translation and no CLDR fallback; English rather than a guess
		// CLDR's fallbacks, kept on purpose: buyers from these countries
		// usually read Russian (Spanish, German ...) better than English.
		{"", "be", "ru"},
		{"", "kk", "ru"},
		{"", "kk-KZ", "ru"},
		{"", "ky", "ru"},
		{"", "tg", "ru"},
		{"", "tk", "ru"},
		{"", "uz", "ru"},
		{"", "uz-Cyrl", "ru"},
		{"", "az", "ru"},
		{"", "hy", "ru"},
		{"", "mn", "ru"},
		{"", "ka", "en"},
		{"", "gl", "es"},
		{"", "eu", "es"},
		{"", "ca", "en"},
		{"", "lb", "de"},
		{"", "gsw", "de"},
		{"", "br", "fr"},
		{"", "oc", "fr"},
		{"", "ku", "tr"},
		{"", "ckb", "ar"},
		{"", "fa", "en"},
		{"", "jv", "id"},
		{"", "su", "id"},
		{"", "fil", "en"},
		{"", "pl", "en"},
		{"", "it", "en"},
		{"", "es", "es"},
		{"", "es-419", "es"},
		{"", "es-MX", "es"},
		{"", "pt-br", "pt-BR"},
		{"", "pt-BR", "pt-BR"},
		{"", "pt", "pt-BR"},
		{"", "pt-PT", "pt-BR"},
		{"", "fr", "fr"},
		{"", "fr-CA", "fr"},
		{"", "de", "de"},
		{"", "de-AT", "de"},
		{"", "tr", "tr"},
		{"", "ar", "ar"},
		{"", "ar-SA", "ar"},
		{"", "id", "id"},
		{"", "in", "id"}, // the old code for Indonesian, still sent by some clients
		{"", "ms", "ms"},
		{"", "ms-MY", "ms"},
		{"", "th", "th"},
		{"", "vi", "vi"},
		{"", "ja", "ja"},
		{"", "ja-JP", "ja"},
		{"", "ko", "ko"},
		{"", "ko-KR", "ko"},
		{"", "zh-hans", "en"}, // Chinese readers do not need this bot's translations
		{"", "zh-hant", "en"},
		{"", "xx-unknown", "en"},
		{"", "not a tag!", "en"},
		{"de", "ru", "de"},    // an explicit choice wins
		{"bogus", "fr", "fr"}, // an unusable choice falls back to the client
	}
	for _, tc := range tests {
		if !c.Speaks(tc.want) {
			t.Errorf("the bot does not speak %s", tc.want)
			continue
		}
		if got := c.Match(tc.choice, tc.code); got != tc.want {
			t.Errorf("Match(%q, %q) = %q, want %q", tc.choice, tc.code, got, tc.want)
		}
	}
}

// TestPluralFormsRender renders every plural message in every language
// for counts that pick different CLDR forms.
func TestPluralFormsRender(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	all := messages(t)
	for id, m := range all["en"] {
		if m.One == "" {
			continue
		}
		for _, tag := range c.Languages() {
			for _, n := range []int{0, 1, 2, 3, 5, 11, 21, 22, 100, 1000000} {
				s, err := c.Localizer(tag.String()).Localize(&i18n.LocalizeConfig{
					MessageID: id, PluralCount: n, TemplateData: map[string]any{"Count": n, "Done": 1},
				})
				if err != nil || s == "" {
					t.Errorf("%s: %s with %d: %q, %v", tag, id, n, s, err)
				}
			}
		}
	}
}

// Limits of Telegram and of phone screens, checked in every language.
const (
	maxButton           = 32  // characters: longer labels are cut on narrow phones
	maxCommand          = 256 // Telegram's limit on a command description
	maxDescription      = 512
	maxShortDescription = 120
)

func TestLengthLimits(t *testing.T) {
	for lang, msgs := range messages(t) {
		for id, m := range msgs {
			limit := 0
			switch {
			case strings.HasPrefix(id, "ui.btn."), id == "language.name":
				limit = maxButton
			case strings.HasPrefix(id, "cmd."):
				limit = maxCommand
			case id == "bot.description":
				limit = maxDescription
			case id == "bot.short_description":
				limit = maxShortDescription
			}
			for _, f := range forms(m) {
				if n := len([]rune(f)); limit > 0 && n > limit {
					t.Errorf("%s: %s is %d characters, limit %d", lang, id, n, limit)
				}
			}
		}
	}
}

// TestNumbers writes amounts and rates the way each language writes
// numbers: Latin digits, CLDR's grouping and decimal signs for them, one
// system per text (never 29,850٫00).
func TestNumbers(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][3]string{ // 1234567.89, 5.456, 2106 (no decimals)
		"en":    {"1,234,567.89", "5.456", "2,106"},
		"ar":    {"1,234,567.89", "5.456", "2,106"},
		"de":    {"1.234.567,89", "5,456", "2.106"},
		"es":    {"1.234.567,89", "5,456", "2.106"},
		"fr":    {"1\u00a0234\u00a0567,89", "5,456", "2\u00a0106"},
		"id":    {"1.234.567,89", "5,456", "2.106"},
		"ja":    {"1,234,567.89", "5.456", "2,106"},
		"ko":    {"1,234,567.89", "5.456", "2,106"},
		"ms":    {"1,234,567.89", "5.456", "2,106"},
		"pt-BR": {"1.234.567,89", "5,456", "2.106"},
		"ru":    {"1\u00a0234\u00a0567,89", "5,456", "2\u00a0106"},
		"th":    {"1,234,567.89", "5.456", "2,106"},
		"tr":    {"1.234.567,89", "5,456", "2.106"},
		"vi":    {"1.234.567,89", "5,456", "2.106"},
	}
	for _, tag := range c.Languages() {
		lang := tag.String()
		w, ok := want[lang]
		if !ok {
			t.Errorf("%s: add the language to this table", lang)
			continue
		}
		got := [3]string{c.Decimal(lang, 123456789, 2), c.Decimal(lang, 5456, 3), c.Decimal(lang, 2106, 0)}
		if got != w {
			t.Errorf("%s: numbers %q, want %q", lang, got, w)
		}
		for _, s := range got {
			for _, r := range s {
				if r > 0x7f && r != '\u00a0' && r != '\u202f' {
					t.Errorf("%s: %q has %q: digits and signs must be of one (Latin) system", lang, s, r)
				}
			}
		}
	}
	if got := c.Decimal("en", 5, 2); got != "0.05" {
		t.Errorf("Decimal(5, 2) = %q", got)
	}
}
