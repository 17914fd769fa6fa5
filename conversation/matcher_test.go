package conversation_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/buyerguide/bot/conversation"
	"github.com/buyerguide/bot/data"
)

// small is a glossary with the overlaps that make matching interesting.
var small = []data.Label{
	{Key: "member_name", Zh: "会员名", ZhHant: "會員名", Pinyin: "huìyuán míng"},
	{Key: "set_member_name", Zh: "设置会员名", ZhHant: "設置會員名", Pinyin: "shèzhì huìyuán míng"},
	{Key: "login_password", Zh: "登录密码", ZhHant: "登錄密碼", Pinyin: "dēnglù mìmǎ"},
	{Key: "password", Zh: "密码", ZhHant: "密碼", Pinyin: "mìmǎ"},
	{Key: "code", Zh: "验证码", ZhHant: "驗證碼", Pinyin: "yànzhèngmǎ"},
	{Key: "slider", Zh: "请按住滑块，拖动到最右边", ZhHant: "請按住滑塊，拖動到最右邊", Pinyin: "qǐng ànzhù huákuài, tuōdòng dào zuì yòubiān"},
	{Key: "slider_short", Zh: "滑块", ZhHant: "滑塊", Pinyin: "huákuài"},
	{Key: "confirm", Zh: "确认", ZhHant: "確認", Pinyin: "quèrèn"},
	{Key: "confirm_receipt", Zh: "确认收货", ZhHant: "確認收貨", Pinyin: "quèrèn shōuhuò"},
	{Key: "address", Zh: "收货地址", ZhHant: "收貨地址", Pinyin: "shōuhuò dìzhǐ", Personal: true},
	{Key: "cancel", Zh: "取消", ZhHant: "取消", Pinyin: "qǔxiāo"},
	{Key: "cancel_order", Zh: "取消订单", ZhHant: "取消訂單", Pinyin: "qǔxiāo dìngdān"},
	{Key: "order_number", Zh: "订单号", ZhHant: "訂單號", Pinyin: "dìngdān hào"},
	{Key: "mobile_no", Zh: "手机号码", ZhHant: "手機號碼", Pinyin: "shǒujī hàomǎ", Personal: true},
	{Key: "use_new", Zh: "使用新地址", ZhHant: "使用新地址", Pinyin: "shǐyòng xīn dìzhǐ"},
	{Key: "account", Zh: "账户", ZhHant: "賬戶", Pinyin: "zhànghù"},
	{Key: "sms_login", Zh: "短信登录", ZhHant: "短信登錄", Pinyin: "duǎnxìn dēnglù"},
}

func keys(ms []conversation.Match) string {
	var k []string
	for _, m := range ms {
		k = append(k, m.Label.Key)
	}
	return strings.Join(k, ",")
}

// texts lists the unknown runs, a private one (never recorded) marked
// with a leading "-".
func texts(us []conversation.Unknown) string {
	var k []string
	for _, u := range us {
		if u.Private {
			k = append(k, "-"+u.Text)
		} else {
			k = append(k, u.Text)
		}
	}
	return strings.Join(k, "|")
}

func TestMatcherFind(t *testing.T) {
	m := conversation.NewMatcher(small)
	tests := []struct {
		name, in, want, unknown string
	}{
		{"one label", "会员名", "member_name", ""},
		{"longest first", "设置会员名", "set_member_name", ""},
		{"order of appearance", "登录密码 会员名 验证码", "login_password,member_name,code", ""},
		{"screen from the guidebook", "* 会员名: 设置会员名 * 登录密码:", "member_name,set_member_name,login_password", ""},
		{"traditional", "會員名：設置會員名", "member_name,set_member_name", ""},
		{"mixed traditional and simplified", "登錄密码", "login_password", ""},
		{"full-width punctuation and line breaks inside", "请按住滑块,\n拖动到 最右边", "slider", ""},
		{"punctuation of another width", "请按住滑块，拖动到最右边。", "slider", ""},
		{"spaces inside a label", "会 员 名", "member_name", ""},
		{"surrounding English", "Please fill 会员名 (member) and 密码 now", "member_name,password", ""},
		{"emoji between", "会员名😀验证码", "member_name,code", ""},
		{"emoji inside a label breaks it", "会员😀名", "", "会员"},
		{"emoji with a variation selector inside", "验证☎️码", "", "验证"},
		{"latin letters split a label", "会员x名", "", "会员"},
		{"no overlap: the longer wins, the rest is not reused", "登录密码码", "login_password", ""},
		{"unknown chinese", "你好世界", "", "你好世界"},
		{"known and unknown", "会员名 已过期", "member_name", "已过期"},
		{"unknown runs end at a line", "已过期 什么意思\n这个按钮", "", "已过期什么意思|这个按钮"},
		{"single unknown character is noise", "会员名 的", "member_name", ""},
		{"empty", "", "", ""},
		{"only spaces", " \n\t ", "", ""},
		{"digits and code", "验证码 123456", "code", ""},
		{"invalid utf-8", "会员名\xff\xfe密码", "member_name,password", ""},
		// Taiwan characters and wording.
		{"Taiwan 帳戶", "帳戶", "account", ""},
		{"simplified variant 帐户", "帐户", "account", ""},
		{"Taiwan 登入", "登入密碼", "login_password", ""},
		{"Taiwan 簡訊", "簡訊登入", "sms_login", ""},
		// A separator decides between two readings.
		{"break after the shorter label", "确认 收货地址", "confirm,address", ""},
		{"no break: the longest", "确认收货 使用新地址", "confirm_receipt,use_new", ""},
		{"break inside the longest, nothing further", "确认 收货", "confirm_receipt", ""},
		{"break after cancel", "取消 订单号", "cancel,order_number", ""},
		{"break, the next label no further", "取消 订单", "cancel_order", ""},
		{"no break at all: the longest", "取消订单号", "cancel_order", ""},
		{"line break", "确认\n收货地址", "confirm,address", ""},
		{"a break after the longest too", "确认收货 地址 确认 收货地址", "confirm_receipt,confirm,address", "-地址"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			found, unknown := m.Find(tc.in)
			if got := keys(found); got != tc.want {
				t.Errorf("found %q, want %q", got, tc.want)
			}
			if got := texts(unknown); got != tc.unknown {
				t.Errorf("unknown %q, want %q", got, tc.unknown)
			}
		})
	}
}

// TestUnknownKeepsPersonalDataOut: a pasted checkout page holds the
// buyer's address, name and phone number; none of it may be recorded.
func TestUnknownKeepsPersonalDataOut(t *testing.T) {
	m := conversation.NewMatcher(small)
	tests := []struct{ name, in, unknown string }{
		{"a short unknown label is recorded", "这个按钮什么意思", "这个按钮什么意思"},
		{"longer than 8 characters", "这个按钮到底是什么意思", "-这个按钮到底是什么意思"},
		{"an address after its label", "收货地址：浙江省温州市鹿城区解放街", "-浙江省温州市鹿城区解放街"},
		{"a short address after its label", "收货地址：温州解放街", "-温州解放街"},
		{"an address without a label", "浙江省温州市", "-浙江省温州市"},
		{"a name with 手机", "张三丰手机", "-张三丰手机"},
		{"a name before a personal label", "张三丰 手机号码 13812345678", "-张三丰"},
		{"everything up to the next label", "收货地址 张三 13812345678 温州 使用新地址 已过期", "-张三|-温州|已过期"},
		{"only next to personal labels", "已过期 确认 已过期", "已过期|已过期"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, unknown := m.Find(tc.in); texts(unknown) != tc.unknown {
				t.Errorf("unknown %q, want %q", texts(unknown), tc.unknown)
			}
		})
	}
}

// TestGlossaryMatching runs the real glossary: every label is found as
// itself in both its forms, compound labels read whole, Taiwan wording
// and emoji behave.
func TestGlossaryMatching(t *testing.T) {
	labels, err := data.LoadLabels()
	if err != nil {
		t.Fatal(err)
	}
	m := conversation.NewMatcher(labels)
	for _, l := range labels {
		for _, s := range []string{l.Zh, l.ZhHant} {
			if found, _ := m.Find(s); len(found) != 1 || found[0].Label.Key != l.Key {
				t.Errorf("%s: found %q, want %s", s, keys(found), l.Key)
			}
		}
	}
	tests := []struct{ in, want string }{
		{"确认收货地址", "confirm_address"},
		{"手机验证码", "phone_code"},
		{"支付宝登录密码", "alipay_login_password"},
		{"退货退款中", "return_refunding"},
		{"手機驗證碼", "phone_code"},
		{"确认 收货地址", "confirm_address"},
		{"取消 订单号", "cancel,order_number"},
		{"退货 退款/售后", "return_goods,refund_after_sales"},
		{"帳戶", "account"},
		{"帳號", "account_id"},
		{"登入", "login"},
		{"請登入", "please_login"},
		{"帳號設定", "account_settings_acc"},
		{"簡訊驗證碼", "sms_code"},
		{"會員😀名", ""},
		{"会员名😀", "member_name"},
	}
	for _, tc := range tests {
		if found, _ := m.Find(tc.in); keys(found) != tc.want {
			t.Errorf("%s: found %q, want %q", tc.in, keys(found), tc.want)
		}
	}
}

// TestNoCompoundIsMisread checks the glossary for the trap of greedy
// matching: A ends with the start of B (确认收货 + 收货地址), so the text
// X+B (确认收货地址) is read as A + the rest of B. Every such text whose X
// is a label too is either a label of its own, or written with a break
// (X B) read as X + B.
func TestNoCompoundIsMisread(t *testing.T) {
	labels, err := data.LoadLabels()
	if err != nil {
		t.Fatal(err)
	}
	m := conversation.NewMatcher(labels)
	byZh := map[string]*data.Label{}
	for i := range labels {
		byZh[plain(labels[i].Zh)] = &labels[i]
	}
	checked := 0
	for _, a := range labels {
		for _, b := range labels {
			za, zb := []rune(plain(a.Zh)), []rune(plain(b.Zh))
			for k := 1; k < len(za) && k < len(zb); k++ {
				if string(za[len(za)-k:]) != string(zb[:k]) {
					continue
				}
				x := byZh[string(za[:len(za)-k])]
				if x == nil || byZh[string(za[:len(za)-k])+string(zb)] != nil {
					continue
				}
				checked++
				in := x.Zh + " " + b.Zh
				if found, _ := m.Find(in); keys(found) != x.Key+","+b.Key {
					t.Errorf("%q: found %q, want %s,%s", in, keys(found), x.Key, b.Key)
				}
			}
		}
	}
	if checked == 0 {
		t.Error("no overlapping labels checked")
	}
}

// plain drops what the matcher skips in a label (punctuation, spaces).
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(" ，：,:+/《》、。", r) {
			return -1
		}
		return r
	}, s)
}

func TestMatcherLargeInput(t *testing.T) {
	m := conversation.NewMatcher(small)
	in := strings.Repeat("会员名 some text 登錄密碼\n", 400) // ~10 KB
	found, _ := m.Find(in)
	if len(found) != 800 {
		t.Errorf("found %d labels in 10 KB, want 800", len(found))
	}
}

func TestHasSecret(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"验证码 123456", true},
		{"校验码已发送到你的手机，15分钟内输入有效，请勿泄漏", false},
		{"your code is 4821", true},
		{"* 登录密码: hunter22", true},
		{"* 登录密码: *******", false},
		{"* 登录密码: 设置你的登录密码", false},
		{"password = s3cret!", true},
		{"* 会员名: 设置会员名 * 登录密码:", false},
		{"¥20.00 1 piece 14810 in stock", false},
		{"重发(52 s)", false},
		// A word for a code or a password, then a value.
		{"支付密码 123456", true},
		{"验证码是１２３４５６", true},
		{"驗證碼：１２３４５６", true},
		{"验证码为 482 193", true},
		{"短信验证码123456，请勿泄露", true},
		{"my code is 482193", true},
		{"code: 48-21-93", true},
		{"OTP 123456", true},
		{"短信 123456", true},
		{"SMS: 123456", true},
		{"PIN: 1234", true},
		{"cvv 123", true},
		{"password: hunter2", true},
		{"password: hunter", true},
		{"my password hunter2", true},
		{"пароль 12345678", true},
		{"мой пароль: qwerty12", true},
		{"код подтверждения: 123456", true},
		{"PIN-код 1234", true},
		{"código 4821", true},
		{"código de verificación: 123456", true},
		{"mi contraseña es hola1234", true},
		{"senha 1234", true},
		{"o código é 123456", true},
		{"code de vérification : 123456", true},
		{"mot de passe : azerty12", true},
		{"Bestätigungscode 123456", true},
		{"Mein Passwort ist geheim123", true},
		{"kode OTP 123456", true},
		{"kata sandi saya abc12345", true},
		{"kod pengesahan 123456", true},
		{"kata laluan: rahsia123", true},
		{"コードは123456です", true},
		{"パスワード：abc12345", true},
		{"인증번호는 123456", true},
		{"비밀번호 abcd1234", true},
		{"รหัสยืนยันคือ123456", true},
		{"รหัสผ่าน abc12345", true},
		{"Doğrulama kodunuz: 123456", true},
		{"şifrem abc12345", true},
		{"mã xác nhận 123456", true},
		{"mật khẩu: abc12345", true},
		{"رمز التحقق هو 123456", true},
		{"كلمة المرور: abc12345", true},
		{"verification code ٤٨٢١٩٣", true},
		{"123456 is your Alipay verification code", true},
		{"123456是您的验证码", true},
		// Ordinary numbers and words.
		{"500 pcs", false},
		{"I need 5000 pcs, code please", false},
		{"price ¥1,234.50 per piece", false},
		{"https://detail.1688.com/offer/623456789012.html", false},
		{"1 SGD = 5.4560 CNH", false},
		{"zip code 10001", false},
		{"postal code: 325000", false},
		{"product code 623456", false},
		{"código postal 28001", false},
		{"kode pos 12345", false},
		{"mã đơn hàng 12345678", false},
		{"posta kodu 34000", false},
		{"商品コード 12345678", false},
		{"the code is 6 digits", false},
		{"code 1234567890123", false},
		{"my password is wrong", false},
		{"I forgot my password and cannot log in", false},
		{"password: 8-20 characters", false},
		{"Password: Enter a password", false},
		{"Email & Password\nPlease enter your email address", false},
		{"密码错误 3 次", false},
		{"支付密码 6位数字", false},
		{"请输入您收到的6位验证码", false},
		{"barcode 12345678", false},
		{"手机号码 13812345678", false},
		{"订单号 1234567890123456", false},
		{"验证码收不到，订单 12345678", false},
		{"1688 code", false},
		{"the password of your 1688 account", false},
		{"senha do 1688: nunca passe a ninguém", false},
		{"mot de passe\u00a0: tapez-y le vôtre", false},
		{"كلمة المرور فارغ: اكتب كلمة المرور", false},
		{"pinyin 1234", false},
	}
	for _, tc := range tests {
		if got := conversation.HasSecret(tc.in); got != tc.want {
			t.Errorf("HasSecret(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestBotTextsAreNoSecrets: nothing the bot says (in any language) and
// nothing in the guidebook looks like a code or a password, so a buyer
// who pastes it back is not warned for nothing.
func TestBotTextsAreNoSecrets(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "locales", "*.toml"))
	guidebook, _ := filepath.Glob(filepath.Join("..", "..", "shared", "guidebook", "*.txt"))
	n := 0
	for _, f := range files {
		var msgs map[string]any
		if _, err := toml.DecodeFile(f, &msgs); err != nil {
			t.Fatal(err)
		}
		for id, v := range msgs {
			m, _ := v.(map[string]any)
			for _, form := range []string{"zero", "one", "two", "few", "many", "other"} {
				if s, _ := m[form].(string); s != "" {
					n++
					if conversation.HasSecret(s) {
						t.Errorf("%s %s looks like a secret: %q", filepath.Base(f), id, s)
					}
				}
			}
		}
	}
	if n < 1000 {
		t.Errorf("only %d texts checked", n)
	}
	for _, f := range guidebook {
		if b, err := os.ReadFile(f); err != nil || conversation.HasSecret(string(b)) {
			t.Errorf("%s looks like a secret (%v)", f, err)
		}
	}
}

// FuzzFind checks, for any input and the real glossary, that matching
// never panics, every label found is a real label, and unknown parts are
// Chinese text; the private ones aside, short. The seed corpus in
// testdata/fuzz/FuzzFind runs as part of go test.
func FuzzFind(f *testing.F) {
	for _, s := range []string{"会员名", "* 会员名: 设置会员名 * 登录密码:", "請按住滑塊，拖動到最右邊", "😀\x00\xff", "",
		"确认 收货地址", "会员😀名", "帳號 登入", "收货地址：浙江省温州市鹿城区解放街 张三丰手机"} {
		f.Add(s)
	}
	labels, err := data.LoadLabels()
	if err != nil {
		f.Fatal(err)
	}
	real := map[*data.Label]bool{}
	for i := range labels {
		real[&labels[i]] = true
	}
	m := conversation.NewMatcher(labels)
	f.Fuzz(func(t *testing.T, in string) {
		found, unknown := m.Find(in)
		if len(found) > utf8.RuneCountInString(in) {
			t.Fatalf("%d labels in %d runes", len(found), utf8.RuneCountInString(in))
		}
		for _, x := range found {
			if !real[x.Label] {
				t.Fatalf("label %v is not one of the glossary", x.Label)
			}
		}
		for _, u := range unknown {
			if !conversation.HasChinese(u.Text) || utf8.RuneCountInString(u.Text) < 2 {
				t.Fatalf("unknown part %q", u.Text)
			}
			if !u.Private && utf8.RuneCountInString(u.Text) > 8 {
				t.Fatalf("unknown part %q would be recorded", u.Text)
			}
		}
		conversation.HasSecret(in)
	})
}

// BenchmarkFindPastedPage matches a 2 KB pasted page (a 1688 checkout
// screen copied from the browser) against the whole glossary. The naive
// sub-benchmark (one strings.Index per label, no normalisation) is the
// yardstick to compare with in the same run.
func BenchmarkFindPastedPage(b *testing.B) {
	labels, err := data.LoadLabels()
	if err != nil {
		b.Fatal(err)
	}
	page := pastedPage()
	b.Run("matcher", func(b *testing.B) {
		m := conversation.NewMatcher(labels)
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			m.Find(page)
		}
	})
	b.Run("naive", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for _, l := range labels {
				if strings.Contains(page, l.Zh) {
					n++
				}
			}
		}
	})
}

func pastedPage() string {
	var sb strings.Builder
	for sb.Len() < 2048 {
		sb.WriteString("确认订单 收货地址：浙江省温州市 请选择 ¥20.00 起批量 2件 混批 库存 14810 件\n" +
			"* 会员名: 设置会员名 * 登录密码: 跨境物流 提交订单 支付方式 跨境宝 Space Gray 720\n")
	}
	return sb.String()[:2048]
}
