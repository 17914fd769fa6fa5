package conversation_test

import (
	"strings"
	"testing"

	"github.com/buyerguide/bot/conversation"
	"github.com/buyerguide/bot/data"
)

func domains(t testing.TB) *data.Domains {
	d, err := data.LoadDomains()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestParseLink(t *testing.T) {
	d := domains(t)
	tests := []struct {
		in, url, id, err string
	}{
		{"https://detail.1688.com/offer/623456789012.html", "https://detail.1688.com/offer/623456789012.html", "623456789012", ""},
		{"https://detail.1688.com/offer/623456789012.html?spm=a26352.13672862&sk=consign#tab", "https://detail.1688.com/offer/623456789012.html", "623456789012", ""},
		{"http://m.1688.com/offer/623456789012.html", "https://detail.1688.com/offer/623456789012.html", "623456789012", ""},
		{"detail.1688.com/offer/623456789012.html", "https://detail.1688.com/offer/623456789012.html", "623456789012", ""},
		{"https://global.1688.com/product/623456789012.html?lang=en", "https://detail.1688.com/offer/623456789012.html", "623456789012", ""},
		{"https://global.1688.com/#/home?offerId=623456789012", "https://global.1688.com/", "", ""},
		{"https://air.1688.com/app/page.html?offerId=623456789012", "https://detail.1688.com/offer/623456789012.html", "623456789012", ""},
		{"https://shop1234.1688.com/page/index.html", "https://shop1234.1688.com/page/index.html", "", ""},
		{"https://www.amazon.com/dp/B0000", "", "", "ui.input.link_not_1688"},
		{"https://1688-login.com/offer/623456789012.html", "", "", "ui.input.link_phishing"},
		{"https://detail.1688.com.example.net/offer/623456789012.html", "", "", "ui.input.link_phishing"},
		{"https://xn--1688-abc.com/offer/1.html", "", "", "ui.input.link_phishing"},
		{"https://alipay-secure.io/login", "", "", "ui.input.link_phishing"},
		{"https://user:pw@detail.1688.com/offer/623456789012.html", "", "", "ui.input.link_bad"},
		{"ftp://detail.1688.com/x", "", "", "ui.input.link_bad"},
		{"hello world", "", "", "ui.input.link_bad"},
		{"", "", "", "ui.input.link_bad"},
		// Shared from 1688's app: a title, the link, more words.
		{"【苹果15手机壳 磨砂】https://detail.1688.com/offer/623456789012.html?spm=a2615.7691456 点击链接直接打开", "https://detail.1688.com/offer/623456789012.html", "623456789012", ""},
		{"我在阿里巴巴1688发现了一个好商品，快来看看吧！https://m.1688.com/offer/700000000001.html，复制打开", "https://detail.1688.com/offer/700000000001.html", "700000000001", ""},
		{"Phone case, 720 https://m.1688.com/offer/700000000001.html", "https://detail.1688.com/offer/700000000001.html", "700000000001", ""},
		// "1688.com" in the words is a name; the link is the one with https://.
		{"阿里巴巴1688.com 好货 https://qr.1688.com/s/AbC123 复制打开", "https://qr.1688.com/s/AbC123", "", ""},
		// Another site's link first, then 1688's: 1688's.
		{"see https://www.amazon.com/dp/B0000 or https://detail.1688.com/offer/623456789012.html", "https://detail.1688.com/offer/623456789012.html", "623456789012", ""},
		{"看看这个 https://1688-login.com/offer/623456789012.html", "", "", "ui.input.link_phishing"},
		{"Phone case https://www.amazon.com/dp/B0000", "", "", "ui.input.link_not_1688"},
		{"看看 https://user:pw@detail.1688.com/offer/623456789012.html", "", "", "ui.input.link_bad"},
		{"手机壳 没有链接", "", "", "ui.input.link_bad"},
	}
	for _, tc := range tests {
		l, err := conversation.ParseLink(d, tc.in)
		got := ""
		if ie, ok := err.(*conversation.InputError); ok {
			got = ie.Msg
		} else if err != nil {
			t.Fatalf("%q: unexpected error %v", tc.in, err)
		}
		if got != tc.err || l.URL != tc.url || l.OfferID != tc.id {
			t.Errorf("ParseLink(%q) = %+v, %q; want %q %q, %q", tc.in, l, got, tc.url, tc.id, tc.err)
		}
	}
}

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string
	}{
		{"1", 1, ""},
		{" 250 ", 250, ""},
		{"1,000", 1000, ""},
		{"1 000 000", 1000000, ""},
		{"1.000", 1000, ""}, // German, Spanish, Indonesian grouping
		{"1'000", 1000, ""}, // Swiss
		{"12.5", 0, "ui.input.qty_bad"},
		{"١٢٣", 123, ""}, // Arabic-Indic
		{"۴۵", 45, ""},   // Extended Arabic-Indic (Persian)
		{"１２", 12, ""},   // full-width
		{"१०", 10, ""},   // Devanagari
		{"0", 0, "ui.input.qty_range"},
		{"-3", 0, "ui.input.qty_range"},
		{"1000001", 0, "ui.input.qty_range"},
		{"99999999999999999999", 0, "ui.input.qty_range"},
		{"2.5", 0, "ui.input.qty_bad"},
		{"ten", 0, "ui.input.qty_bad"},
		{"1,00", 0, "ui.input.qty_bad"},
		{"", 0, "ui.input.qty_bad"},
	}
	for _, tc := range tests {
		n, err := conversation.ParseQuantity(tc.in)
		got := ""
		if ie, ok := err.(*conversation.InputError); ok {
			got = ie.Msg
		}
		if n != tc.want || got != tc.err {
			t.Errorf("ParseQuantity(%q) = %d, %q; want %d, %q", tc.in, n, got, tc.want, tc.err)
		}
	}
}

func TestParsePrice(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string
	}{
		{"20", 2000, ""},
		{"20.5", 2050, ""},
		{"¥20.00", 2000, ""},
		{"20,00", 2000, ""},
		{"20,5", 2050, ""},
		{"￥ 1,234.50", 123450, ""},
		{"1.234,50", 123450, ""},
		{"1,234", 123400, ""},
		{"0.01", 1, ""},
		{".5", 50, ""},
		{"12元", 1200, ""},
		{"٢٠٫٥", 2050, ""},
		{"0", 0, "ui.input.price_range"},
		{"0.00", 0, "ui.input.price_range"},
		{"-5", 0, "ui.input.price_range"},
		{"20.555", 0, "ui.input.price_decimals"},
		{"10000000.01", 0, "ui.input.price_range"},
		{"99999999999999", 0, "ui.input.price_range"},
		{"1.2.3", 0, "ui.input.price_bad"},
		{"abc", 0, "ui.input.price_bad"},
		{"$20", 0, "ui.input.price_bad"},
		{"", 0, "ui.input.price_bad"},
	}
	for _, tc := range tests {
		n, err := conversation.ParsePrice(tc.in)
		got := ""
		if ie, ok := err.(*conversation.InputError); ok {
			got = ie.Msg
		}
		if n != tc.want || got != tc.err {
			t.Errorf("ParsePrice(%q) = %d, %q; want %d, %q", tc.in, n, got, tc.want, tc.err)
		}
	}
}

func TestParseRateAndConvert(t *testing.T) {
	sgd, _ := conversation.CurrencyOf("SGD")
	jpy, _ := conversation.CurrencyOf("JPY")
	idr, _ := conversation.CurrencyOf("IDR")
	usd, _ := conversation.CurrencyOf("USD")
	tests := []struct {
		cur   conversation.Currency
		rate  string
		total int64 // fen
		want  int64 // minor units of cur
		err   string
	}{
		// 100.00 CNH at 5.4560 CNH per SGD: 18.3284... SGD, rounded up.
		{sgd, "1 SGD = 5.4560 CNH", 10000, 1833, ""},
		{sgd, "5.4560", 10000, 1833, ""},
		{sgd, "5,4560", 10000, 1833, ""},
		{sgd, "1 CNH = 0.1833 SGD", 10000, 1833, ""},
		{sgd, "1sgd=5.456cnh", 545600, 100000, ""}, // exact: no rounding up
		// JPY has no minor unit: 100.00 CNH at 0.0475 CNH per JPY = 2105.26 → 2106 yen.
		{jpy, "1 JPY = 0.0475 CNH", 10000, 2106, ""},
		{idr, "0.00045", 10000, 222223, ""},
		{sgd, "1 USD = 7.1 CNH", 0, 0, "ui.input.rate_currency"},
		{sgd, "0", 0, 0, "ui.input.rate_bad"},
		{sgd, "abc", 0, 0, "ui.input.rate_bad"},
		{sgd, "7.1.2", 0, 0, "ui.input.rate_bad"},
		{sgd, "5,", 0, 0, "ui.input.rate_bad"},
		{sgd, "99999", 0, 0, "implausible"},
		{sgd, "99999999", 0, 0, "ui.input.rate_range"}, // no typo of any rate
		// Grouping commas: the portal writes 1 CNH = 2,265 IDR. Read as a
		// decimal comma it would be 2.265 IDR per CNH: 227 IDR for ¥100.
		{idr, "1 CNH = 2,265 IDR", 10000, 226500, ""},
		{idr, "1 CNH = 2.265 IDR", 10000, 226500, ""}, // Indonesian grouping
		{idr, "1 CNH = 2 265 IDR", 10000, 226500, ""},
		{idr, "1,000,000 IDR = 450 CNH", 10000, 222223, ""},
		{idr, "1 CNH = 2,265.50 IDR", 10000, 226550, ""},
		{idr, "1 CNH = 2.265,50 IDR", 10000, 226550, ""},
		// The bare number of "1 CNH = 2,265 IDR" would be 2,265 CNH per
		// IDR: 1 IDR for ¥100. Refused, not converted.
		{idr, "2265", 0, 0, "implausible"},
		{idr, "2,265", 0, 0, "implausible"},
		{idr, "1 IDR = 2,265 CNH", 0, 0, "implausible"},
		{idr, "0,00045", 10000, 222223, ""},
		// A decimal comma stays one: four digits after it, or a leading 0.
		{usd, "7,1234", 10000, 1404, ""},
		{usd, "0,1404", 10000, 0, "implausible"},
		// One group of three digits is both: the plausible reading wins
		// (German writes 5,456 for five and a bit, Indonesian 2.265 for
		// two thousand).
		{sgd, "5,456", 545600, 100000, ""},
		{sgd, "1 SGD = 5,456 CNH", 545600, 100000, ""},
		{jpy, "1 CNH = 20,833 JPY", 10000, 2084, ""},
		{jpy, "1 CNH = 20,83 JPY", 10000, 2083, ""},
		{jpy, "100 JPY = 4.80 CNH", 10000, 2084, ""},
		{jpy, "4.8", 0, 0, "implausible"},
		{jpy, "1 JPY = 1,234 CNH", 0, 0, "implausible"},
	}
	for _, tc := range tests {
		r, err := conversation.ParseRate(tc.cur, tc.rate)
		got := ""
		if ie, ok := err.(*conversation.InputError); ok {
			got = ie.Msg
		}
		if _, ok := err.(*conversation.RateError); ok {
			got = "implausible"
		}
		if got != tc.err {
			t.Errorf("ParseRate(%s, %q) error %q, want %q", tc.cur.Code, tc.rate, got, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		if n := conversation.ConvertAmount(tc.total, tc.cur, r); n != tc.want {
			t.Errorf("%s at %q for %d fen: %d, want %d", tc.cur.Code, tc.rate, tc.total, n, tc.want)
		}
	}
}

// TestMoneyNeverFloats checks amounts that binary floating point gets
// wrong. Each case fails with a float64 version of the code, as its
// comment says; the results were worked out at run time (not with Go's
// exact constants). The float versions:
//
//	(a) ParsePrice as int64(strconv.ParseFloat(s) * 100), totals in fen;
//	(b) prices kept in float64 yuan, a total as their sum, in fen as
//	    int64(sum * 100);
//	(c) ConvertAmount as math.Ceil(yuan / rate * 10^minor), with yuan =
//	    float64(fen) / 100 for (a) or the float sum for (b).
func TestMoneyNeverFloats(t *testing.T) {
	price := func(s string) int64 {
		t.Helper()
		f, err := conversation.ParsePrice(s)
		if err != nil {
			t.Fatalf("ParsePrice(%q): %v", s, err)
		}
		return f
	}
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"19.99", 1999}, // (a) 1998.9999999999998 → 1998
		{"0.29", 29},    // (a) 28.999999999999996 → 28
		{"1.13", 113},   // (a) 112.99999999999999 → 112
		{"4.35", 435},   // (a) 434.99999999999994 → 434
		{"8.20", 820},   // (a) 819.9999999999999 → 819
		{"0.57", 57},    // (a) 56.99999999999999 → 56
	} {
		if got := price(tc.in); got != tc.want {
			t.Errorf("ParsePrice(%q) = %d fen, want %d", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		prices []string
		want   int64
	}{
		{[]string{"4.35", "0.1"}, 445}, // (a) 434 + 10 = 444; (b) 4.449999999999999 → 444
		{[]string{"0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1"}, 100},               // (b) 0.9999999999999999 → 99
		{[]string{"19.99", "19.99", "19.99", "0.07", "0.07", "0.07", "0.07", "0.07", "0.07", "0.07"}, 6046}, // (a) 3 × 1998 + 7 × 7 = 6043
	} {
		d := conversation.Draft{}
		for _, p := range tc.prices {
			d.Items = append(d.Items, conversation.Item{Link: "x", Qty: 1, UnitFen: price(p)})
		}
		if got := d.TotalFen(); got != tc.want {
			t.Errorf("total of %v = %d fen, want %d", tc.prices, got, tc.want)
		}
	}
	// ¥0.1 + ¥0.2 is 30 fen, and at 0.1 CNH per PHP exactly 3.00 PHP.
	// (b)+(c): 0.1 + 0.2 = 0.30000000000000004, / 0.1 * 100 =
	// 300.00000000000006 → 301.
	php, _ := conversation.CurrencyOf("PHP")
	r, _ := conversation.ParseRate(php, "0.1")
	sum := price("0.1") + price("0.2")
	if got := conversation.ConvertAmount(sum, php, r); sum != 30 || got != 300 {
		t.Errorf("¥0.1 + ¥0.2 = %d fen, at 0.1: %d, want 30 and 300", sum, got)
	}
	// 3 × ¥19.99 + 7 × ¥0.07 = ¥60.46 at 5.456 CNH per SGD: 11.0814... →
	// 11.09 SGD. (a)+(c): ¥60.43 → 1108.
	d := conversation.Draft{Items: []conversation.Item{{Link: "x", Qty: 3, UnitFen: price("19.99")}, {Link: "x", Qty: 7, UnitFen: price("0.07")}}}
	sgd, _ := conversation.CurrencyOf("SGD")
	r, _ = conversation.ParseRate(sgd, "5.4560")
	if got := conversation.ConvertAmount(d.TotalFen(), sgd, r); got != 1109 {
		t.Errorf("convert %d, want 1109", got)
	}
	// Conversions whose exact answer is a whole number of minor units, so
	// rounding up must not add one. (110 fen at 0.1 is no such case: 1.1 /
	// 0.1 is exactly 11 in float64, and (c) gives 1100 too.)
	for _, tc := range []struct {
		code, rate string
		fen, want  int64
	}{
		{"PHP", "0.1", 93, 930},       // (c) 930.0000000000001 → 931
		{"PHP", "0.125", 7, 56},       // (c) 56.00000000000001 → 57
		{"USD", "7.1", 781, 110},      // (c) 110.00000000000001 → 111
		{"USD", "7.2", 1764, 245},     // (c) 245.00000000000003 → 246
		{"IDR", "0.0005", 805, 16100}, // (c) 16100.000000000002 → 16101
	} {
		cur, _ := conversation.CurrencyOf(tc.code)
		r, err := conversation.ParseRate(cur, tc.rate)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.code, tc.rate, err)
		}
		if got := conversation.ConvertAmount(tc.fen, cur, r); got != tc.want {
			t.Errorf("%d fen at %s CNH per %s: %d, want %d", tc.fen, tc.rate, tc.code, got, tc.want)
		}
	}
}

// TestImplausibleRateSaysWhatWasRead: a refused rate carries what the bot
// understood (CNH per unit), and whether the reverse would make sense.
func TestImplausibleRateSaysWhatWasRead(t *testing.T) {
	idr, _ := conversation.CurrencyOf("IDR")
	jpy, _ := conversation.CurrencyOf("JPY")
	for _, tc := range []struct {
		cur      conversation.Currency
		in       string
		rate     string
		reversed bool
	}{
		{idr, "2265", "2265", true},
		{idr, "2,265", "2265", true},
		{jpy, "4.8", "24/5", false},
		{jpy, "20.83", "2083/100", true},
	} {
		_, err := conversation.ParseRate(tc.cur, tc.in)
		re, ok := err.(*conversation.RateError)
		if !ok {
			t.Errorf("%s %q: error %v, want a RateError", tc.cur.Code, tc.in, err)
			continue
		}
		if re.Rate.RatString() != tc.rate || re.Reversed != tc.reversed {
			t.Errorf("%s %q: read %s (reversed %v), want %s (%v)", tc.cur.Code, tc.in, re.Rate.RatString(), re.Reversed, tc.rate, tc.reversed)
		}
	}
	// Every currency has bounds, and a rate of the right size passes them.
	for _, c := range conversation.Currencies() {
		if c.Low == "" || c.High == "" {
			t.Errorf("%s has no plausible range", c.Code)
		}
	}
}

func FuzzParsers(f *testing.F) {
	for _, s := range []string{"20", "￥ 1,234.50", "١٢٣", "1 SGD = 5.4560 CNH", "https://detail.1688.com/offer/1234567.html?x=1#y", "\xff", ""} {
		f.Add(s)
	}
	d, err := data.LoadDomains()
	if err != nil {
		f.Fatal(err)
	}
	sgd, _ := conversation.CurrencyOf("SGD")
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := conversation.ParseQuantity(s); err == nil && (n < 1 || n > conversation.MaxQuantity) {
			t.Fatalf("quantity %d accepted from %q", n, s)
		}
		if n, err := conversation.ParsePrice(s); err == nil && (n < 1 || n > conversation.MaxUnitFen) {
			t.Fatalf("price %d accepted from %q", n, s)
		}
		if l, err := conversation.ParseLink(d, s); err == nil && !d.IsOfficial(hostOf(l.URL)) {
			t.Fatalf("link %q accepted from %q", l.URL, s)
		}
		if r, err := conversation.ParseRate(sgd, s); err == nil && r.Sign() <= 0 {
			t.Fatalf("rate %v from %q", r, s)
		}
	})
}

func hostOf(u string) string {
	host, _, _ := strings.Cut(strings.TrimPrefix(u, "https://"), "/")
	return host
}
