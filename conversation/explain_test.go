package conversation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/buyerguide/bot/conversation"
)

// guidebookLabels are the Chinese labels printed in the guidebook
// (../shared/guidebook), OCR noise corrected as its README explains.
var guidebookLabels = []string{
	"个人账户注册", "企业账户注册", "会员名", "设置会员名", "登录密码", "设置你的登录密码",
	"密码确认", "请再次输入你的登录密码", "手机号码", "中国大陆", "验证码", "请按住滑块，拖动到最右边",
	"创建网站账号的同时，我同意遵守：《阿里巴巴服务条款》及《隐私声明》及《支付宝服务协议》", "阿里巴巴服务条款", "隐私声明", "支付宝服务协议", "同意并注册",
	"无企业营业执照的个人用户请注册个人账户", "验证手机", "校验码已发送到你的手机，15分钟内输入有效，请勿泄漏",
	"校验码", "请输入您的手机收到的验证码", "重发", "提交", "支付宝账户管理", "现在去认证", "已绑定已认证", "跨境宝",
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
