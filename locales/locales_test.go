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

func TestMatchLanguage(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	has := func(lang string) bool {
		for _, t := range c.Languages() {
			if t.String() == lang {
				return true
			}
		}
		return false
	}
	tests := []struct {
		choice, code, want string
	}{
		{"", "", "en"},
		{"", "en", "en"},
		{"", "en-US", "en"},
		{"", "xx-unknown", "en"},
		{"", "not a tag!", "en"},
	}
	for _, tc := range tests {
		if !has(tc.want) {
			continue
		}
		if got := c.Match(tc.choice, tc.code); got != tc.want {
			t.Errorf("Match(%q, %q) = %q, want %q", tc.choice, tc.code, got, tc.want)
		}
	}
}
