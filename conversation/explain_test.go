package conversation_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/buyerguide/bot/conversation"
)

// guidebookLabels are the Chinese labels printed in the guidebook
// (../shared/guidebook), OCR noise corrected as its README explains: every
// Chinese run of it is part of one of them (TestGuidebookLabelsAreComplete
// checks it against the guidebook when it is there).
var guidebookLabels = []string{
	"个人账户注册", "企业账户注册", "会员名", "设置会员名", "登录密码", "设置你的登录密码",
	"密码确认", "请再次输入你的登录密码", "手机号码", "中国大陆 +86", "中国大陆", "验证码", "请按住滑块，拖动到最右边",
	"创建网站账号的同时，我同意遵守：《阿里巴巴服务条款》及《隐私声明》及《支付宝服务协议》", "创建网站账号",
	"阿里巴巴服务条款", "隐私声明", "支付宝服务协议", "同意并注册",
	"无企业营业执照的个人用户请注册个人账户", "权益如下", "做个人实名认证", "作为买家身份采购",
	"验证手机", "校验码已发送到你的手机，15分钟内输入有效，请勿泄漏",
	"校验码", "请输入您的手机收到的验证码", "重发", "提交", "支付宝账户管理", "现在去认证", "已绑定已认证", "跨境宝",
}

// guidebookOCR corrects the guidebook's text as its README says.
var guidebookOCR = strings.NewReplacer(
	"팔롱쪼풔", "登录密码", "跨填宝", "跨境宝", "跨私声明", "隐私声明", "団建网站账号", "创建网站账号",
	"校验码日", "校验码已", // 已 read as 日
)

// TestGuidebookLabelsAreComplete derives the label list from the
// guidebook itself: every run of Chinese characters in it must be part of
// one of guidebookLabels, so a label the guidebook shows cannot be left
// out of the check below. It is skipped where the guidebook is not beside
// the repository.
func TestGuidebookLabelsAreComplete(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "shared", "guidebook", "*.txt"))
	if len(files) == 0 {
		t.Skip("no guidebook in ../../shared/guidebook")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := guidebookOCR.Replace(string(b))
		runs := strings.FieldsFunc(text, func(r rune) bool { return !unicode.Is(unicode.Han, r) })
		if len(runs) < 20 {
			t.Fatalf("%s: only %d runs of Chinese", f, len(runs))
		}
		for _, run := range runs {
			if !slices.ContainsFunc(guidebookLabels, func(l string) bool { return strings.Contains(l, run) }) {
				t.Errorf("%s: %q is in no label of guidebookLabels", filepath.Base(f), run)
			}
		}
	}
}

func TestEveryGuidebookLabelIsExplained(t *testing.T) {
	c, err := conversation.LoadContent()
	if err != nil {
		t.Fatal(err)
	}
	m := conversation.NewMatcher(c.Labels)
	for _, zh := range guidebookLabels {
		found, _ := m.Find(zh)
		if len(found) != 1 || found[0].Label.Zh != zh {
			t.Errorf("%s: found %v, want exactly that label", zh, keys(found))
		}
	}
}

// TestEveryLabelNamesRealStages: a label's stages are stages of the
// guide (data/guide.toml), at least one.
func TestEveryLabelNamesRealStages(t *testing.T) {
	c, err := conversation.LoadContent()
	if err != nil {
		t.Fatal(err)
	}
	stages := map[string]bool{}
	for _, st := range c.Guide.Stages {
		stages[st.ID] = true
	}
	for _, l := range c.Labels {
		if len(l.Stages) == 0 {
			t.Errorf("%s: no stage", l.Key)
		}
		for _, s := range l.Stages {
			if !stages[s] {
				t.Errorf("%s: stage %q is not a stage of the guide", l.Key, s)
			}
		}
	}
}

func TestEveryStepLabelIsInTheGlossary(t *testing.T) {
	c, err := conversation.LoadContent()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, l := range c.Labels {
		have[l.Zh] = true
	}
	for _, st := range c.Guide.Stages {
		for _, s := range st.Steps {
			for _, zh := range s.Labels {
				if !have[zh] {
					t.Errorf("step %s shows %s, which the glossary lacks", s.Key, zh)
				}
			}
		}
	}
	if len(c.Labels) < 300 {
		t.Errorf("the glossary has %d labels, want at least 300", len(c.Labels))
	}
}

func TestExplanationsExistInEveryLanguage(t *testing.T) {
	c, err := conversation.LoadContent()
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range c.Cat.Languages() {
		for _, l := range c.Labels {
			for _, id := range []string{l.MeaningID(), l.ActionID()} {
				if !c.Cat.Has(id) || strings.TrimSpace(c.Cat.Text(tag.String(), id, nil)) == "" {
					t.Errorf("%s: %s missing", tag, id)
				}
			}
		}
	}
}

func TestPastedScreenIsExplained(t *testing.T) {
	e := newEnv(t)
	u := e.user(20)
	u.say("/start")
	r := u.say("* 会员名: 设置会员名 * 登录密码:")
	text := r[0].Text
	for _, want := range []string{"会员名", "登录密码", e.cat.Text("en", "label.member_name.meaning", nil)} {
		if !strings.Contains(text, want) {
			t.Errorf("explanation lacks %q:\n%s", want, text)
		}
	}
	if strings.Index(text, "会员名") > strings.Index(text, "登录密码") {
		t.Errorf("labels not in order of appearance")
	}
	// The step did not move.
	if u.session().Step != e.steps()[0].Key {
		t.Errorf("explaining moved the user")
	}
	r = u.say("/explain 會員名")
	if !strings.Contains(r[0].Text, "会员名") {
		t.Errorf("/explain with traditional characters:\n%s", r[0].Text)
	}
}

func TestUnknownChineseIsRecordedButSecretsAreNot(t *testing.T) {
	e := newEnv(t)
	u := e.user(21)
	u.say("/start")
	r := u.say("这个按钮什么意思")
	if !strings.Contains(r[0].Text, e.cat.Text("en", "ui.explain.none", nil)) ||
		!strings.Contains(r[0].Text, "seaclients@service.worldfirst.com") {
		t.Errorf("no honest answer and no person offered:\n%s", r[0].Text)
	}
	u.say("这个按钮什么意思")
	r = u.say("验证码 123456 请勿泄漏给别人")
	if !strings.Contains(r[0].Text, e.cat.Text("en", "ui.explain.secret", nil)) {
		t.Errorf("no warning for a code:\n%s", r[0].Text)
	}
	unk, err := e.db.UnknownLabels(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(unk) != 1 || unk[0].Text != "这个按钮什么意思" || unk[0].Count != 2 {
		t.Errorf("unknown labels %+v", unk)
	}
}

func TestExplainThisScreenButton(t *testing.T) {
	e := newEnv(t)
	for _, st := range e.guide.Stages {
		for _, s := range st.Steps {
			if len(s.Labels) == 0 {
				continue
			}
			t.Run(s.Key, func(t *testing.T) {
				u := newEnvAt(t, e, s.Key)
				r := u.press(conversation.ActExplain, "")
				for _, zh := range s.Labels {
					if !strings.Contains(r[0].Text, zh) {
						t.Errorf("screen explanation lacks %s", zh)
					}
				}
				u.press(conversation.ActStep, "")
				u.expectStep(s.Key)
			})
		}
	}
}

func TestInlineExplains(t *testing.T) {
	e := newEnv(t)
	res := e.eng.Inline(context.Background(), 0, "ru", "验证码")
	if len(res) != 1 || !strings.Contains(res[0].Title, "验证码") {
		t.Fatalf("inline results %+v", res)
	}
	if ru := e.cat.Text("ru", "label."+res[0].ID+".meaning", nil); !strings.Contains(res[0].Title, ru) {
		t.Errorf("inline not in the asker's language: %q", res[0].Title)
	}
	if res := e.eng.Inline(context.Background(), 0, "en", "zzz 你好吗"); len(res) != 1 || res[0].ID != "none" {
		t.Errorf("unknown inline query: %+v", res)
	}
	if res := e.eng.Inline(context.Background(), 0, "en", ""); len(res) != 0 {
		t.Errorf("empty inline query: %+v", res)
	}
}

// TestSecretsAreNeverKept: a code or a password typed in any language,
// Chinese or not, gets the warning and is kept nowhere: not in the
// messages an agent sees (/mydata shows them), not in unknown_labels, not
// link-checked.
func TestSecretsAreNeverKept(t *testing.T) {
	e := newEnv(t)
	u := e.user(22)
	u.say("/start")
	warning := e.cat.Text("en", "ui.explain.secret", nil)
	secrets := []string{"支付密码 123456", "验证码是１２３４５６", "my code is 482193", "password: hunter2",
		"пароль 12345678", "código 4821", "password: hunter2 https://alipay.com@evil.io/login", "帳戶密碼：abc12345 这个按钮什么意思"}
	for _, in := range secrets {
		r := u.say(in)
		if len(r) != 1 || !strings.Contains(r[0].Text, warning) {
			t.Errorf("%q: no warning in %d replies:\n%s", in, len(r), r[0].Text)
		}
		if strings.Contains(r[0].Text, "evil.io") {
			t.Errorf("%q: a secret was link-checked:\n%s", in, r[0].Text)
		}
	}
	if s := u.session(); len(s.Recent) != 0 {
		t.Errorf("kept for the agents: %q", s.Recent)
	}
	r := u.say("/mydata")
	for _, v := range []string{"123456", "482193", "hunter2", "12345678", "4821", "abc12345"} {
		if strings.Contains(r[0].Text, v) {
			t.Errorf("/mydata shows %q:\n%s", v, r[0].Text)
		}
	}
	if unk, err := e.db.UnknownLabels(context.Background(), 10); err != nil || len(unk) != 0 {
		t.Errorf("unknown labels kept: %+v (%v)", unk, err)
	}
	// Ordinary numbers are no secrets: kept, and the link is checked.
	for _, in := range []string{"500 pcs please", "the rate is 5.4560", "https://detail.1688.com/offer/623456789012.html"} {
		if r := u.say(in); strings.Contains(r[0].Text, warning) {
			t.Errorf("%q: warned", in)
		}
	}
	if s := u.session(); len(s.Recent) != 3 {
		t.Errorf("ordinary messages not kept: %q", s.Recent)
	}
	// An order draft's free text refuses it too.
	u.say("/order")
	u.press(conversation.ActDraftNew, "")
	u.press(conversation.ActItemAdd, "")
	u.say("https://detail.1688.com/offer/623456789012.html")
	if r := u.say("my code is 482193"); !strings.Contains(r[0].Text, warning) {
		t.Errorf("a draft took a code:\n%s", r[0].Text)
	}
}

// TestPastedCheckoutKeepsNoPersonalData: a whole checkout page with the
// buyer's address, name and phone; only the short unknown label far from
// them is recorded.
func TestPastedCheckoutKeepsNoPersonalData(t *testing.T) {
	e := newEnv(t)
	u := e.user(23)
	u.say("/start")
	u.say("确认订单\n收货地址：浙江省温州市鹿城区解放街 收货人：张三丰 手机 13812345678\n温州 解放街\n" +
		"使用新地址 提交订单 这个按钮什么意思\n张三丰手机 浙江省温州市")
	unk, err := e.db.UnknownLabels(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(unk) != 1 || unk[0].Text != "这个按钮什么意思" {
		t.Errorf("unknown labels kept: %+v", unk)
	}
}
