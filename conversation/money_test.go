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
		{sgd, "99999", 0, 0, "ui.input.rate_range"},
	}
	for _, tc := range tests {
		r, err := conversation.ParseRate(tc.cur, tc.rate)
		got := ""
		if ie, ok := err.(*conversation.InputError); ok {
			got = ie.Msg
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

// TestMoneyNeverFloats adds prices that binary floating point gets wrong
// (0.1 + 0.2 != 0.3) and checks the exact total.
func TestMoneyNeverFloats(t *testing.T) {
	var sum int64
	for _, p := range []string{"0.1", "0.2"} {
		f, err := conversation.ParsePrice(p)
		if err != nil {
			t.Fatal(err)
		}
		sum += f
	}
	if sum != 30 {
		t.Errorf("0.1 + 0.2 = %d fen, want 30", sum)
	}
	// 3 × ¥19.99 + 7 × ¥0.07 with a float would be 60.459999...
	d := conversation.Draft{Items: []conversation.Item{{Link: "x", Qty: 3, UnitFen: 1999}, {Link: "x", Qty: 7, UnitFen: 7}}}
	if got := d.TotalFen(); got != 6046 {
		t.Errorf("total %d fen, want 6046", got)
	}
	sgd, _ := conversation.CurrencyOf("SGD")
	r, _ := conversation.ParseRate(sgd, "5.4560")
	if got := conversation.ConvertAmount(d.TotalFen(), sgd, r); got != 1109 {
		// 60.46 / 5.456 = 11.0814... → 11.09 SGD
		t.Errorf("convert %d, want 1109", got)
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
