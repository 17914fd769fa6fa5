package conversation

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/buyerguide/bot/data"
)

// Links are found two ways. schemeURLRE finds a link written with its
// scheme, up to a space, a quote, a bracket or Chinese text; it is parsed
// with net/url, so "https://alipay.com@evil.io/login" is a link to evil.io
// with alipay.com as its user name. bareHostRE finds a host written
// without one: "alipay-verify.io", "аlipay.com" (a Cyrillic а). Its labels
// may be Latin, Cyrillic or Greek letters, so a look-alike is shown whole;
// the last one is ASCII letters or punycode, so numbers like 5.4560 and
// prose in those scripts are not hosts.
var (
	schemeURLRE = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"'\x60{}|\\^，。、；！？（）【】《》「」\p{Han}]+`)
	hostChars   = `\p{Latin}\p{Cyrillic}\p{Greek}0-9`
	bareHostRE  = regexp.MustCompile(`(?i)(?:[` + hostChars + `](?:[` + hostChars + `-]*[` + hostChars + `])?\.)+(?:[a-z]{2,24}|xn--[a-z0-9-]+)`)
)

// gTLDs are the generic top-level domains a host written without its
// scheme may end with (besides any two letters, a country's, and
// punycode): "Mr.Smith" is no host.
var gTLDs = func() map[string]bool {
	m := map[string]bool{}
	for _, d := range strings.Fields(`com net org info biz io co app dev xyz top shop site online store club vip
		ltd tv me link live life today world space tech website press pro icu cyou buzz fun work click help
		support services center email cloud pay money finance bank asia global mobi name tel travel news blog
		page one group business company solutions network digital social trade market shopping deals sale
		express agency host login secure account`) {
		m[d] = true
	}
	return m
}()

// fileExt are endings of file names, not top-level domains.
var fileExt = map[string]bool{"html": true, "htm": true, "php": true, "jpg": true, "jpeg": true, "png": true,
	"gif": true, "pdf": true, "asp": true, "aspx": true, "jsp": true, "txt": true, "webp": true}

// linkVerdict is the message ID that answers a link to host: official, a
// look-alike (phishing warning) or another site. A link with a user name
// in it (alipay.com@evil.io) hides its real host behind an official-looking
// one: phishing. So is a host in other letters than ASCII or in punycode
// (xn--): it can look exactly like an official one. Only the guidebook's
// domains (data/domains.toml) and their subdomains are official:
// worldfirst.com.cn, WorldFirst's site for mainland China, is not one of
// them, and, like any other name dressed up as an official one, gets the
// warning; the buyer's World account lives on worldfirst.com.
func linkVerdict(d *data.Domains, host string, userinfo bool) string {
	switch {
	case userinfo, !isASCII(host), strings.HasPrefix(host, "xn--"), strings.Contains(host, ".xn--"):
		return "ui.link.phishing"
	case d.IsOfficial(host):
		return "ui.link.official"
	case Phishy(d, host):
		return "ui.link.phishing"
	}
	return "ui.link.other"
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// link is one host named in a message and what to say about it.
type link struct{ host, id string }

// findLinks returns the hosts a message names, each once: those of links
// with a scheme first, then host names written without one.
func findLinks(d *data.Domains, text string) []link {
	var out []link
	seen := map[string]bool{}
	add := func(host string, userinfo *url.Userinfo) {
		host = strings.TrimSuffix(strings.ToLower(host), ".")
		if host == "" {
			return
		}
		show := host
		if userinfo != nil {
			show = userinfo.Username() + "@" + host // never the password
		}
		if !seen[show] {
			seen[show] = true
			out = append(out, link{host: show, id: linkVerdict(d, host, userinfo != nil)})
		}
	}
	spans := schemeURLRE.FindAllStringIndex(text, -1)
	for _, s := range spans {
		raw := strings.TrimRight(text[s[0]:s[1]], ".,;:!?)]}'\"")
		if u, err := url.Parse(raw); err == nil {
			add(u.Hostname(), u.User)
			continue
		}
		// Unparsable (a bad port or escape): the host is what lies
		// between "://" and the path, after any user name.
		auth := raw[strings.Index(raw, "://")+3:]
		if i := strings.IndexAny(auth, "/?#"); i >= 0 {
			auth = auth[:i]
		}
		var user *url.Userinfo
		if i := strings.LastIndexByte(auth, '@'); i >= 0 {
			user, auth = url.User(auth[:i]), auth[i+1:]
		}
		if i := strings.LastIndexByte(auth, ':'); i >= 0 {
			auth = auth[:i]
		}
		add(auth, user)
	}
	inLink := func(i int) bool {
		for _, s := range spans {
			if i >= s[0] && i < s[1] {
				return true
			}
		}
		return false
	}
	var after int // hosts before it were taken already
	for _, m := range bareHostRE.FindAllStringIndex(text, -1) {
		if m[0] < after || inLink(m[0]) {
			continue
		}
		before, _ := utf8.DecodeLastRuneInString(text[:m[0]])
		next, _ := utf8.DecodeRuneInString(text[m[1]:])
		switch {
		case m[1] < len(text) && (unicode.In(next, unicode.Latin, unicode.Cyrillic, unicode.Greek) || unicode.IsDigit(next) || next == '_'):
			continue // not a host name's end
		case m[0] > 0 && before == '@':
			// An e-mail address, or a link whose real host follows a
			// user name (1688@evil.io/login).
			if pathFollows(text, m[1]) {
				start := m[0] - 1
				for start > 0 {
					r, w := utf8.DecodeLastRuneInString(text[:start])
					if unicode.IsSpace(r) {
						break
					}
					start -= w
				}
				add(text[m[0]:m[1]], url.User(text[start:m[0]-1]))
			}
			continue
		case m[0] > 0 && (before == '/' || before == '_'):
			continue // a path ("/offer/1.html")
		}
		host := text[m[0]:m[1]]
		tld := strings.ToLower(host[strings.LastIndexByte(host, '.')+1:])
		if fileExt[tld] || !(len(tld) == 2 || gTLDs[tld] || strings.HasPrefix(tld, "xn--")) {
			continue
		}
		if next == '@' {
			// An e-mail address (name.surname@mail.com), or a link
			// without its scheme whose real host follows the user name:
			// alipay.com@evil.io/login.
			real := bareHostRE.FindStringIndex(text[m[1]+1:])
			if real == nil || real[0] != 0 {
				continue
			}
			end := m[1] + 1 + real[1]
			after = end
			if pathFollows(text, end) {
				add(text[m[1]+1:end], url.User(host))
			}
			continue
		}
		add(host, nil)
	}
	return out
}

// pathFollows reports whether a host name ending at text[i] goes on as a
// link: a path, a query, a fragment or a port.
func pathFollows(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	switch text[i] {
	case '/', '?', '#':
		return true
	case ':':
		return i+1 < len(text) && text[i+1] >= '0' && text[i+1] <= '9'
	}
	return false
}

// linkCheck answers a message with links in it: each host is official,
// a look-alike (phishing warning) or another site.
func (t *turn) linkCheck(text string) (Reply, bool) {
	var lines []string
	for _, l := range findLinks(t.e.domains, text) {
		lines = append(lines, t.text(l.id, map[string]any{"Host": l.host}))
	}
	if len(lines) == 0 {
		return Reply{}, false
	}
	r := t.stepScreen("", false)
	r.Text = strings.Join(lines, "\n\n") + "\n\n" + r.Text
	return r, true
}

// secretWarning answers a typed message that looks like it holds a code
// or a password (HasSecret): the warning, and nothing of it kept. Chinese
// in it is still explained (explain records nothing of such text).
func (t *turn) secretWarning(text string) Reply {
	if HasChinese(text) {
		return t.explain(text)
	}
	r := t.stepScreen("", false)
	r.Text = t.text("ui.explain.secret", nil) + "\n\n" + r.Text
	return r
}

// mydata shows everything the bot keeps about the user.
func (t *turn) mydata(ctx context.Context) (Reply, error) {
	drafts, err := t.s.Drafts.List(ctx)
	if err != nil {
		return Reply{}, err
	}
	tickets, err := t.s.Tickets.Count(ctx)
	if err != nil {
		return Reply{}, err
	}
	none := "—"
	recent, source, since := none, none, none
	if len(t.s.Recent) > 0 {
		recent = "\n› " + strings.Join(t.s.Recent, "\n› ")
	}
	if t.s.Source != "" {
		source = t.s.Source
	}
	if !t.s.New() {
		since = t.s.Created.UTC().Format("2006-01-02")
	}
	return Reply{
		Title: t.text("ui.mydata.title", nil),
		Text: t.text("ui.mydata.body", map[string]any{
			"Lang":    t.text("language.name", nil),
			"Step":    t.text(t.e.guide.step(t.s.Step).TitleID(), nil),
			"Done":    len(t.s.Progress),
			"Total":   len(t.e.guide.steps),
			"Drafts":  len(drafts),
			"Tickets": tickets,
			"Recent":  recent,
			"Source":  source,
			"Since":   since,
		}),
		Buttons: [][]Button{{t.btn("ui.btn.forget_ask", ActForget, "")}, t.backRow()},
	}, nil
}

// forgetScreen asks before deleting everything.
func (t *turn) forgetScreen() Reply {
	return Reply{
		Title: t.text("ui.forget.title", nil),
		Text:  t.text("ui.forget.body", nil),
		Buttons: [][]Button{
			{t.btn("ui.btn.forget_yes", ActForgetYes, "")},
			{t.btn("ui.btn.forget_no", ActStep, "")},
		},
	}
}
