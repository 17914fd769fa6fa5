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

// ParseLink accepts links to 1688's own domains, extracts the offer ID and
// normalises the link; other domains are refused, and look-alikes get a
// phishing warning.
func ParseLink(domains *data.Domains, s string) (Link, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, " \n\t") {
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
}

// Currencies are the ones the World account can receive, in the
// guidebook's order, with their minor units (JPY and IDR have none).
func Currencies() []Currency {
	return []Currency{
		{"CNH", 2}, {"USD", 2}, {"SGD", 2}, {"HKD", 2}, {"GBP", 2}, {"EUR", 2}, {"AUD", 2},
		{"JPY", 0}, {"NZD", 2}, {"CAD", 2}, {"MYR", 2}, {"THB", 2}, {"IDR", 0}, {"PHP", 2},
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

var (
	rateEqRE  = regexp.MustCompile(`^(\d+(?:[.,]\d+)?)?([A-Za-z]{3})=(\d+(?:[.,]\d+)?)([A-Za-z]{3})$`)
	rateNumRE = regexp.MustCompile(`^\d+(?:[.,]\d+)?$`)
)

// ParseRate reads the rate the buyer's portal shows for cur, as CNH per
// one unit of cur: "1 SGD = 5.4560 CNH", "5.4560" or "5,4560"; the
// reverse "1 CNH = 0.1833 SGD" is understood too. The result is exact.
func ParseRate(cur Currency, s string) (*big.Rat, error) {
	t := strings.ReplaceAll(asciiDigits(s), "＝", "=")
	rat := func(x string) (*big.Rat, bool) {
		r, ok := new(big.Rat).SetString(strings.ReplaceAll(x, ",", "."))
		return r, ok && r.Sign() > 0
	}
	var rate *big.Rat
	switch {
	case rateNumRE.MatchString(t):
		r, ok := rat(t)
		if !ok {
			return nil, bad("ui.input.rate_bad")
		}
		rate = r
	case rateEqRE.MatchString(t):
		m := rateEqRE.FindStringSubmatch(t)
		left, right := big.NewRat(1, 1), (*big.Rat)(nil)
		if m[1] != "" {
			l, ok := rat(m[1])
			if !ok {
				return nil, bad("ui.input.rate_bad")
			}
			left = l
		}
		r, ok := rat(m[3])
		if !ok {
			return nil, bad("ui.input.rate_bad")
		}
		right = r
		from, to := strings.ToUpper(m[2]), strings.ToUpper(m[4])
		switch {
		case from == cur.Code && to == "CNH":
			rate = new(big.Rat).Quo(right, left)
		case from == "CNH" && to == cur.Code:
			rate = new(big.Rat).Quo(left, right)
		default:
			return nil, bad("ui.input.rate_currency")
		}
	default:
		return nil, bad("ui.input.rate_bad")
	}
	// 1 unit of any receivable currency is worth between 0.0001 and
	// 10,000 CNH; outside that the rate is a typo.
	if rate.Cmp(big.NewRat(1, 10000)) < 0 || rate.Cmp(big.NewRat(10000, 1)) > 0 {
		return nil, bad("ui.input.rate_range")
	}
	return rate, nil
}

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
