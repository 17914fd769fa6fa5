package conversation

import (
	"math/big"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/buyerguide/bot/data"
)

// InputError is bad input from a user; Msg is the message ID that
// explains it (the same prompt is then asked again).
type InputError struct{ Msg string }

func (e *InputError) Error() string { return "bad input: " + e.Msg }

func bad(msg string) error { return &InputError{Msg: msg} }

// Limits of what an order draft accepts.
const (
	MaxQuantity = 1_000_000
	// MaxUnitFen is ¥10,000,000.00: a unit price beyond it is a typo.
	MaxUnitFen = 1_000_000_000
)

var (
	offerPathRE = regexp.MustCompile(`/(?:offer|product)/(\d{6,15})\.html?$`)
	offerIDRE   = regexp.MustCompile(`^\d{6,15}$`)
)

// Link is a parsed 1688 product link.
type Link struct {
	URL     string // normalised
	OfferID string // "" for a 1688 page that names no offer
}

// urlInTextRE finds addresses in a text: with or without a scheme, with
// user info (refused later), up to a space, a Chinese character or
// Chinese punctuation (1688's app shares "【title】https://...，快来看").
var urlInTextRE = regexp.MustCompile(`(?i)(?:[a-z][a-z0-9+.-]*://)?(?:[^\s/@\p{Han}]+@)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:[a-z]{2,24}|xn--[a-z0-9-]+)(?::\d+)?(?:[/?#][^\s\p{Han}，。！？；、【】《》「」“”"'<>（）()]*)?`)

// sharedLink picks the link out of a shared text: 1688's app shares a
// product as its title and a link, with more words around them. It
// returns the first 1688 link that names an offer, else the first 1688
// link written as a link (with https://: "1688.com" in the words is a
// name, not the link), else the first 1688 address, else the first
// address of any kind (so that a look-alike still gets its warning), else
// the text itself (which is then refused).
func sharedLink(domains *data.Domains, s string) string {
	found := urlInTextRE.FindAllString(s, -1)
	best, rank := "", 0
	for _, u := range found {
		l, err := parseOneLink(domains, u)
		r := 0
		switch {
		case err != nil:
		case l.OfferID != "":
			r = 3
		case strings.Contains(u, "://"):
			r = 2
		default:
			r = 1
		}
		if r > rank {
			best, rank = u, r
		}
	}
	switch {
	case best != "":
		return best
	case len(found) > 0:
		return found[0]
	}
	return s
}

// ParseLink accepts links to 1688's own domains, extracts the offer ID and
// normalises the link; other domains are refused, and look-alikes get a
// phishing warning. A text with the link in it (what 1688's app shares:
// the product's title and its link) gives its first 1688 link.
func ParseLink(domains *data.Domains, s string) (Link, error) {
	s = strings.TrimSpace(s)
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r > unicode.MaxASCII }) >= 0 {
		s = sharedLink(domains, s)
	}
	return parseOneLink(domains, s)
}

// parseOneLink reads a text that is one link and nothing else.
func parseOneLink(domains *data.Domains, s string) (Link, error) {
	if s == "" || strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return Link{}, bad("ui.input.link_bad")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil {
		return Link{}, bad("ui.input.link_bad")
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if Phishy(domains, host) {
		return Link{}, bad("ui.input.link_phishing")
	}
	if host != "1688.com" && !strings.HasSuffix(host, ".1688.com") {
		return Link{}, bad("ui.input.link_not_1688")
	}
	var id string
	if m := offerPathRE.FindStringSubmatch(u.Path); m != nil {
		id = m[1]
	} else if v := u.Query().Get("offerId"); offerIDRE.MatchString(v) {
		id = v
	}
	if id != "" {
		return Link{URL: "https://detail.1688.com/offer/" + id + ".html", OfferID: id}, nil
	}
	return Link{URL: "https://" + host + u.EscapedPath()}, nil
}

// Phishy reports a host that imitates an official domain without being
// one: 1688-login.com, 1688.com.example.net, alipay-verify.io, punycode.
func Phishy(domains *data.Domains, host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if domains.IsOfficial(host) {
		return false
	}
	if strings.HasPrefix(host, "xn--") || strings.Contains(host, ".xn--") {
		return true
	}
	for _, o := range domains.Official {
		name := strings.TrimSuffix(o, ".com")
		if strings.Contains(host, name) {
			return true
		}
	}
	return false
}

// digitValue returns the value of a decimal digit in any script (Arabic-
// Indic ٣, full-width ３, Devanagari ३ ...), or -1.
func digitValue(r rune) int {
	if r >= '0' && r <= '9' {
		return int(r - '0')
	}
	if !unicode.IsDigit(r) {
		return -1
	}
	// Decimal digits come in runs of ten; find where this run starts.
	start := r
	for unicode.IsDigit(start - 1) {
		start--
	}
	return int(r-start) % 10
}

// asciiDigits maps digits of any script to ASCII and drops spaces.
func asciiDigits(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case unicode.IsSpace(r):
		case digitValue(r) >= 0:
			b.WriteByte(byte('0' + digitValue(r)))
		case r == '٫': // Arabic decimal separator
			b.WriteByte('.')
		case r == '٬': // Arabic thousands separator
			b.WriteByte(',')
		case r == '，':
			b.WriteByte(',')
		case r == '．':
			b.WriteByte('.')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

var (
	groupedRE = regexp.MustCompile(`^\d{1,3}(,\d{3})+$`)
	// A whole number grouped with dots or apostrophes (1.000, 1'000), as
	// many languages write it: for a quantity that cannot be a decimal.
	groupedDotRE = regexp.MustCompile(`^\d{1,3}([.'’]\d{3})+$`)
)

// ParseQuantity accepts a whole number from 1 to MaxQuantity, in any
// script's digits, grouped with commas, dots, apostrophes or spaces.
func ParseQuantity(s string) (int64, error) {
	t := asciiDigits(s)
	switch {
	case groupedRE.MatchString(t):
		t = strings.ReplaceAll(t, ",", "")
	case groupedDotRE.MatchString(t):
		t = strings.NewReplacer(".", "", "'", "", "’", "").Replace(t)
	}
	if t == "" {
		return 0, bad("ui.input.qty_bad")
	}
	for _, r := range t {
		if r < '0' || r > '9' {
			if r == '-' {
				return 0, bad("ui.input.qty_range")
			}
			return 0, bad("ui.input.qty_bad")
		}
	}
	if len(t) > 7 {
		return 0, bad("ui.input.qty_range")
	}
	n, _ := strconv.ParseInt(t, 10, 64)
	if n < 1 || n > MaxQuantity {
		return 0, bad("ui.input.qty_range")
	}
	return n, nil
}

// ParsePrice reads a unit price in yuan ("20", "20.5", "¥20.00", "20,00",
// "￥ 1,234.50") as integer fen. At most two decimals; zero, negative and
// absurd prices are refused.
func ParsePrice(s string) (int64, error) {
	t := asciiDigits(s)
	for _, sym := range []string{"¥", "￥", "元", "CNY", "cny", "RMB", "rmb", "CNH"} {
		t = strings.ReplaceAll(t, sym, "")
	}
	if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "−") {
		return 0, bad("ui.input.price_range")
	}
	if t == "" {
		return 0, bad("ui.input.price_bad")
	}
	intPart, frac := t, ""
	lastDot, lastComma := strings.LastIndexByte(t, '.'), strings.LastIndexByte(t, ',')
	switch {
	case lastDot >= 0 && lastComma >= 0:
		// Both: the last one is the decimal separator, the other groups.
		dec, group := byte('.'), ","
		if lastComma > lastDot {
			dec, group = ',', "."
		}
		i := strings.LastIndexByte(t, dec)
		intPart, frac = t[:i], t[i+1:]
		if !groupedRE.MatchString(strings.ReplaceAll(intPart, group, ",")) {
			return 0, bad("ui.input.price_bad")
		}
		intPart = strings.ReplaceAll(intPart, group, "")
	case lastComma >= 0:
		if groupedRE.MatchString(t) {
			intPart = strings.ReplaceAll(t, ",", "") // 1,234
		} else {
			intPart, frac = t[:lastComma], t[lastComma+1:] // 20,50
		}
	case lastDot >= 0:
		intPart, frac = t[:lastDot], t[lastDot+1:]
	}
	if intPart == "" {
		intPart = "0"
	}
	if !allDigits(intPart) || (frac != "" && !allDigits(frac)) {
		return 0, bad("ui.input.price_bad")
	}
	if len(frac) > 2 {
		return 0, bad("ui.input.price_decimals")
	}
	if len(intPart) > 10 {
		return 0, bad("ui.input.price_range")
	}
	yuan, _ := strconv.ParseInt(intPart, 10, 64)
	fen := yuan * 100
	if frac != "" {
		f, _ := strconv.ParseInt((frac + "0")[:2], 10, 64)
		fen += f
	}
	if fen <= 0 || fen > MaxUnitFen {
		return 0, bad("ui.input.price_range")
	}
	return fen, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Currency is one of the guidebook's receivable currencies.
type Currency struct {
	Code  string
	Minor int // decimal places of its minor unit
	// Low and High bound a plausible rate, in CNH per one unit of the
	// currency (exact decimals, see rateBounds).
	Low, High string
}

// Currencies are the ones the World account can receive, in the
// guidebook's order, with their minor units (JPY and IDR have none) and
// the rates that are plausible for them.
//
// The bounds are generous: roughly half and twice the rate of 2024-2025,
// so that years of drift still pass, while a rate read 1000 times wrong
// (a grouping comma taken for a decimal one, a rate typed the wrong way
// round) never does. The bot never uses them as rates: they only tell a
// typo from a rate.
//
//	currency  about (CNH per unit)  plausible
//	CNH       1                     0.9 – 1.1
//	USD       7.2                   5 – 10
//	SGD       5.4                   3.5 – 8
//	HKD       0.92                  0.6 – 1.3
//	GBP       9.2                   6 – 13
//	EUR       7.8                   5 – 11
//	AUD       4.7                   3 – 7
//	JPY       0.048                 0.03 – 0.1
//	NZD       4.3                   2.5 – 6.5
//	CAD       5.2                   3.5 – 7.5
//	MYR       1.6                   1 – 2.5
//	THB       0.21                  0.12 – 0.35
//	IDR       0.00045               0.0002 – 0.001
//	PHP       0.125                 0.08 – 0.2
func Currencies() []Currency {
	return []Currency{
		{"CNH", 2, "0.9", "1.1"}, {"USD", 2, "5", "10"}, {"SGD", 2, "3.5", "8"}, {"HKD", 2, "0.6", "1.3"},
		{"GBP", 2, "6", "13"}, {"EUR", 2, "5", "11"}, {"AUD", 2, "3", "7"}, {"JPY", 0, "0.03", "0.1"},
		{"NZD", 2, "2.5", "6.5"}, {"CAD", 2, "3.5", "7.5"}, {"MYR", 2, "1", "2.5"}, {"THB", 2, "0.12", "0.35"},
		{"IDR", 0, "0.0002", "0.001"}, {"PHP", 2, "0.08", "0.2"},
	}
}

// CurrencyOf returns a receivable currency by code.
func CurrencyOf(code string) (Currency, bool) {
	for _, c := range Currencies() {
		if c.Code == code {
			return c, true
		}
	}
	return Currency{}, false
}

// Plausible reports whether rate (CNH per unit of c) is within the
// currency's bounds. A currency without bounds takes any rate.
func (c Currency) Plausible(rate *big.Rat) bool {
	lo, ok1 := new(big.Rat).SetString(c.Low)
	hi, ok2 := new(big.Rat).SetString(c.High)
	if !ok1 || !ok2 {
		return true
	}
	return rate.Cmp(lo) >= 0 && rate.Cmp(hi) <= 0
}

// Rates beyond these are no typo of any rate: they are refused without
// showing what was understood (a number that big cannot be written back).
var (
	minRate = big.NewRat(1, 1_000_000)
	maxRate = big.NewRat(1_000_000, 1)
)

var (
	rateNumber = `[0-9][0-9.,]*`
	rateEqRE   = regexp.MustCompile(`^(` + rateNumber + `)?([A-Za-z]{3})=(` + rateNumber + `)([A-Za-z]{3})$`)
	rateNumRE  = regexp.MustCompile(`^` + rateNumber + `$`)

	commaGroupsRE = regexp.MustCompile(`^[1-9]\d{0,2}(,\d{3})+$`)
	dotGroupsRE   = regexp.MustCompile(`^[1-9]\d{0,2}(\.\d{3})+$`)
)

// rateReadings returns what a number in a rate can mean, the likeliest
// first. A comma followed by exactly three digits (2,265 or 1,234,567)
// groups thousands, as the WorldFirst portal writes them; any other comma
// is a decimal one (5,4560). A dot is a decimal one unless it groups
// thousands in a number that has a decimal comma (1.234,56) or more than
// one dot (1.234.567). One group of three after a single sign (5,456 or
// 2.265) is both a grouped whole number and a decimal: both readings are
// returned, and the rate's plausible range chooses.
func rateReadings(s string) []*big.Rat {
	dec := func(x string) *big.Rat {
		r, ok := new(big.Rat).SetString(x)
		if !ok || r.Sign() <= 0 {
			return nil
		}
		return r
	}
	var out []string
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	switch {
	case strings.HasSuffix(s, ".") || strings.HasSuffix(s, ","):
		return nil
	case dots > 0 && commas > 0:
		// Both: the last sign is the decimal one, once; the other groups.
		sign, group := ".", ","
		if strings.LastIndexByte(s, ',') > strings.LastIndexByte(s, '.') {
			sign, group = ",", "."
		}
		if strings.Count(s, sign) != 1 {
			return nil
		}
		i := strings.LastIndex(s, sign)
		whole := s[:i]
		if !commaGroupsRE.MatchString(strings.ReplaceAll(whole, group, ",")) {
			return nil
		}
		out = []string{strings.ReplaceAll(whole, group, "") + "." + s[i+1:]}
	case commas > 0:
		switch {
		case commaGroupsRE.MatchString(s) && commas == 1:
			out = []string{strings.ReplaceAll(s, ",", ""), strings.ReplaceAll(s, ",", ".")} // 2,265
		case commaGroupsRE.MatchString(s):
			out = []string{strings.ReplaceAll(s, ",", "")} // 1,234,567
		case commas == 1:
			out = []string{strings.ReplaceAll(s, ",", ".")} // 5,4560
		}
	case dots > 0:
		switch {
		case dotGroupsRE.MatchString(s) && dots == 1:
			out = []string{s, strings.ReplaceAll(s, ".", "")} // 5.456
		case dotGroupsRE.MatchString(s):
			out = []string{strings.ReplaceAll(s, ".", "")} // 1.234.567
		case dots == 1:
			out = []string{s} // 5.4560
		}
	default:
		out = []string{s}
	}
	var rs []*big.Rat
	for _, x := range out {
		if r := dec(x); r != nil {
			rs = append(rs, r)
		}
	}
	return rs
}

// ParseRate reads the rate the buyer's portal shows for cur, as CNH per
// one unit of cur: "1 SGD = 5.4560 CNH", "5.4560" or "5,4560"; the
// reverse "1 CNH = 2,265 IDR" is understood too. The result is exact.
//
// A rate outside cur's plausible range is refused with a *RateError that
// says what was understood ("1 IDR = 2,265 CNH?"), and whether the
// reverse reading would have been plausible (the buyer typed only the
// number of "1 CNH = 2,265 IDR").
func ParseRate(cur Currency, s string) (*big.Rat, error) {
	t := strings.ReplaceAll(asciiDigits(s), "＝", "=")
	var candidates []*big.Rat
	switch {
	case rateNumRE.MatchString(t):
		candidates = rateReadings(t)
	case rateEqRE.MatchString(t):
		m := rateEqRE.FindStringSubmatch(t)
		lefts := []*big.Rat{big.NewRat(1, 1)}
		if m[1] != "" {
			lefts = rateReadings(m[1])
		}
		rights := rateReadings(m[3])
		if len(lefts) == 0 || len(rights) == 0 {
			return nil, bad("ui.input.rate_bad")
		}
		from, to := strings.ToUpper(m[2]), strings.ToUpper(m[4])
		for _, l := range lefts {
			for _, r := range rights {
				switch {
				case from == cur.Code && to == "CNH":
					candidates = append(candidates, new(big.Rat).Quo(r, l))
				case from == "CNH" && to == cur.Code:
					candidates = append(candidates, new(big.Rat).Quo(l, r))
				default:
					return nil, bad("ui.input.rate_currency")
				}
			}
		}
	default:
		return nil, bad("ui.input.rate_bad")
	}
	if len(candidates) == 0 {
		return nil, bad("ui.input.rate_bad")
	}
	for _, r := range candidates {
		if cur.Plausible(r) {
			return r, nil
		}
	}
	rate := candidates[0]
	if rate.Cmp(minRate) < 0 || rate.Cmp(maxRate) > 0 {
		return nil, bad("ui.input.rate_range")
	}
	return nil, &RateError{Rate: rate, Reversed: cur.Plausible(new(big.Rat).Inv(rate))}
}

// RateError is a rate outside its currency's plausible range. Rate is
// what the bot understood, in CNH per unit of the currency; Reversed says
// that the rate the other way round (units per CNH) would be plausible.
type RateError struct {
	Rate     *big.Rat
	Reversed bool
}

func (e *RateError) Error() string { return "implausible rate " + e.Rate.RatString() }

// ConvertAmount returns how much of cur to convert to get totalFen CNH at
// rate (CNH per unit of cur), in cur's minor units, rounded up so the
// CNH is never short.
func ConvertAmount(totalFen int64, cur Currency, rate *big.Rat) int64 {
	// minor = ceil(totalFen / 100 / rate * 10^minor)
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(cur.Minor)), nil)
	x := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(totalFen), scale), big.NewInt(100))
	x.Quo(x, rate)
	q, r := new(big.Int).QuoRem(x.Num(), x.Denom(), new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Int64()
}
