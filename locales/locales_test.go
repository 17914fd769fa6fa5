package locales

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
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
			want := placeholders(strings.Join(forms(src), " "))
			for _, f := range forms(m) {
				if got := placeholders(f); !slices.Equal(got, want) && !(len(got) < len(want) && subset(got, want)) {
					t.Errorf("%s: %s placeholders %v, English has %v", lang, id, got, want)
				}
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

// subset allows a plural form to leave out a placeholder (e.g. "one"
// forms that spell out the count), but never to add one.
func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
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
		{"", "uk", "en"}, // Ukrainian: no translation; English rather than a guess
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
