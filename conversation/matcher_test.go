package conversation_test

import (
	"strings"
	"testing"
	"unicode/utf8"

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
}

func keys(ms []conversation.Match) string {
	var k []string
	for _, m := range ms {
		k = append(k, m.Label.Key)
	}
	return strings.Join(k, ",")
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
		{"latin letters split a label", "会员x名", "", "会员"},
		{"no overlap: the longer wins, the rest is not reused", "登录密码码", "login_password", ""},
		{"unknown chinese", "你好世界", "", "你好世界"},
		{"known and unknown", "会员名 已过期", "member_name", "已过期"},
		{"single unknown character is noise", "会员名 的", "member_name", ""},
		{"empty", "", "", ""},
		{"only spaces", " \n\t ", "", ""},
		{"digits and code", "验证码 123456", "code", ""},
		{"invalid utf-8", "会员名\xff\xfe密码", "member_name,password", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			found, unknown := m.Find(tc.in)
			if got := keys(found); got != tc.want {
				t.Errorf("found %q, want %q", got, tc.want)
			}
			if got := strings.Join(unknown, "|"); got != tc.unknown {
				t.Errorf("unknown %q, want %q", got, tc.unknown)
			}
		})
	}
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
	}
	for _, tc := range tests {
		if got := conversation.HasSecret(tc.in); got != tc.want {
			t.Errorf("HasSecret(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// FuzzFind checks, for any input, that matching never panics, every label
// found is a real label, and unknown parts are valid Chinese text. The
// seed corpus in testdata/fuzz/FuzzFind runs as part of go test.
func FuzzFind(f *testing.F) {
	for _, s := range []string{"会员名", "* 会员名: 设置会员名 * 登录密码:", "請按住滑塊，拖動到最右邊", "😀\x00\xff", ""} {
		f.Add(s)
	}
	m := conversation.NewMatcher(small)
	f.Fuzz(func(t *testing.T, in string) {
		found, unknown := m.Find(in)
		if len(found) > utf8.RuneCountInString(in) {
			t.Fatalf("%d labels in %d runes", len(found), utf8.RuneCountInString(in))
		}
		for _, x := range found {
			if x.Label == nil {
				t.Fatal("nil label")
			}
		}
		for _, u := range unknown {
			if !conversation.HasChinese(u) || utf8.RuneCountInString(u) < 2 {
				t.Fatalf("unknown part %q", u)
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
