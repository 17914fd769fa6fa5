package conversation

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/buyerguide/bot/data"
)

// Matcher finds the glossary's labels in pasted text. It is built once at
// start and is read-only afterwards.
//
// Text and labels are compared in a canonical form: traditional characters
// folded to simplified (with the pairs the glossary itself gives), and
// spaces, line breaks and punctuation of any width dropped. So "會員名",
// "会 员\n名" and "*会员名：" all read as 会员名, while Latin letters, digits and
// emoji still separate labels.
type Matcher struct {
	root *node
	fold map[rune]rune
}

type node struct {
	next  map[rune]*node
	label *data.Label
}

// Match is one label found, in order of appearance.
type Match struct {
	Label *data.Label
}

// NewMatcher indexes the labels.
func NewMatcher(labels []data.Label) *Matcher {
	m := &Matcher{root: &node{}, fold: map[rune]rune{}}
	for i := range labels {
		l := &labels[i]
		simp, trad := []rune(l.Zh), []rune(l.ZhHant)
		if len(simp) == len(trad) {
			for j := range simp {
				if simp[j] != trad[j] {
					m.fold[trad[j]] = simp[j]
				}
			}
		}
	}
	for i := range labels {
		m.insert(&labels[i])
	}
	return m
}

func (m *Matcher) insert(l *data.Label) {
	n := m.root
	for _, r := range m.canonical(l.Zh) {
		if n.next == nil {
			n.next = map[rune]*node{}
		}
		c := n.next[r]
		if c == nil {
			c = &node{}
			n.next[r] = c
		}
		n = c
	}
	if n != m.root && n.label == nil {
		n.label = l
	}
}

// skip reports runes that never take part in a label: spaces, line
// breaks, punctuation and symbols of any width (：，。《》*·).
func skip(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.Is(unicode.Cf, r)
}

// canonical returns the runes of s that matter for matching, folded.
func (m *Matcher) canonical(s string) []rune {
	out := make([]rune, 0, len(s)/2)
	for _, r := range s {
		if skip(r) {
			continue
		}
		if f, ok := m.fold[r]; ok {
			r = f
		}
		out = append(out, r)
	}
	return out
}

// Find returns the labels in text in order of appearance, the longest
// label at each place and no two overlapping, and the runs of Chinese
// characters (two or more) that no label explains.
func (m *Matcher) Find(text string) (found []Match, unknown []string) {
	rs := m.canonical(text)
	var run []rune // Chinese not covered by a label
	flush := func() {
		if len(run) >= 2 {
			unknown = append(unknown, string(run))
		}
		run = run[:0]
	}
	for i := 0; i < len(rs); {
		var best *data.Label
		end := i
		n := m.root
		for j := i; j < len(rs); j++ {
			n = n.next[rs[j]]
			if n == nil {
				break
			}
			if n.label != nil {
				best, end = n.label, j+1
			}
		}
		if best != nil {
			flush()
			found = append(found, Match{Label: best})
			i = end
			continue
		}
		if unicode.Is(unicode.Han, rs[i]) {
			run = append(run, rs[i])
		} else {
			flush()
		}
		i++
	}
	flush()
	return found, unknown
}

// HasChinese reports whether text contains a Chinese character.
func HasChinese(text string) bool {
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

var (
	// A code: 4-8 digits in a text that talks about codes.
	codeWordRE = regexp.MustCompile(`(?i)验证码|校验码|驗證碼|校驗碼|动态码|動態碼|短信|簡訊|code|otp`)
	codeRE     = regexp.MustCompile(`(^|[^0-9])[0-9]{4,8}([^0-9]|$)`)
	// A password field followed by a value: 密码: abc123, password = x.
	passwordRE = regexp.MustCompile(`(?i)(密码|密碼|password|passcode)\s*[:：=]\s*([^\s*•●·]{4,})`)
)

// HasSecret reports whether text looks like it holds a verification or SMS
// code, or a password field with a value typed in: such text is never
// stored, and the user is warned.
func HasSecret(text string) bool {
	if codeWordRE.MatchString(text) && codeRE.MatchString(text) {
		// "15分钟内" and similar are not codes; a code has 4+ digits.
		return true
	}
	for _, m := range passwordRE.FindAllStringSubmatch(text, -1) {
		if !HasChinese(m[2]) { // a Chinese value is the field's own prompt
			return true
		}
	}
	return false
}

// truncateRunes cuts s to at most n runes.
func truncateRunes(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// cleanUnknown trims recorded text to a sane size and drops blanks.
func cleanUnknown(parts []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range parts {
		p = truncateRunes(strings.TrimSpace(p), 64)
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
