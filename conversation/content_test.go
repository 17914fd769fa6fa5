package conversation_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/buyerguide/bot/data"
	"github.com/buyerguide/bot/locales"
)

// Limits that keep screens readable on a phone. A button label longer
// than MaxButton runes is cut off by Telegram clients on narrow screens.
const (
	MaxButton = 32
	MaxBody   = 1000
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
		ids = append(ids, msg{st.TitleID(), MaxButton})
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
