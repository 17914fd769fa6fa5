package conversation

import (
	"context"
	"regexp"
	"strings"
)

// hostRE finds host names in text: "https://detail.1688.com/x",
// "alipay-verify.io", "xn--80ak6aa92e.com". Numbers like 5.4560 are not
// hosts: the last label must be letters (or punycode).
var hostRE = regexp.MustCompile(`(?i)(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:[a-z]{2,24}|xn--[a-z0-9-]+))\b`)

// fileExt are endings of file names, not top-level domains.
var fileExt = map[string]bool{"html": true, "htm": true, "php": true, "jpg": true, "jpeg": true, "png": true,
	"gif": true, "pdf": true, "asp": true, "aspx": true, "jsp": true, "txt": true, "webp": true}

// linkCheck answers a message with links in it: each host is official,
// a look-alike (phishing warning) or another site.
func (t *turn) linkCheck(text string) (Reply, bool) {
	var lines []string
	seen := map[string]bool{}
	for _, m := range hostRE.FindAllStringSubmatchIndex(text, -1) {
		if m[0] > 0 && strings.ContainsAny(text[m[0]-1:m[0]], "/@") {
			continue // a path ("/offer/1.html") or an e-mail address
		}
		host := strings.ToLower(text[m[2]:m[3]])
		if seen[host] || fileExt[host[strings.LastIndexByte(host, '.')+1:]] {
			continue
		}
		seen[host] = true
		id := "ui.link.other"
		switch {
		case t.e.domains.IsOfficial(host):
			id = "ui.link.official"
		case Phishy(t.e.domains, host):
			id = "ui.link.phishing"
		}
		lines = append(lines, t.text(id, map[string]any{"Host": host}))
	}
	if len(lines) == 0 {
		return Reply{}, false
	}
	r := t.stepScreen("", false)
	r.Text = strings.Join(lines, "\n\n") + "\n\n" + r.Text
	return r, true
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
