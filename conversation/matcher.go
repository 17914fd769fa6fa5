package conversation

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/buyerguide/bot/data"
)

// Matcher finds the glossary's labels in pasted text. It is built once at
// start and is read-only afterwards.
//
// Text and labels are compared in a canonical form: traditional characters
// folded to simplified (a character map covering the glossary, plus the
// pairs the glossary itself gives), Taiwan wording read as the mainland's
// (登入 as 登录, 簡訊 as 短信), and spaces, line breaks and punctuation of
// any width dropped. So "會員名", "会 员\n名" and "*会员名：" all read as
// 会员名, while Latin letters, digits and emoji still separate labels
// ("会员😀名" is no label).
//
// At each place the longest label wins, with one exception: when a
// shorter one ends where the text breaks (a space, a line break, a
// punctuation mark) and the label after that break reaches further than
// the longest one, the shorter one wins. "取消 订单号" is 取消 + 订单号,
// not 取消订单 + 号; "退货 退款/售后" is 退货 + 退款/售后; while "会 员 名"
// is still 会员名 and "取消订单号", with no break, 取消订单.
type Matcher struct {
	root *node
	fold map[rune]rune
}

type node struct {
	next  map[rune]*node
	label *data.Label
}

// Match is one label found, in order of appearance.
type Match struct {
	Label *data.Label
}

// Unknown is a run of Chinese (two characters or more) that no label
// explains.
type Unknown struct {
	Text string
	// Private runs are shown as unknown but never recorded: see
	// recordable.
	Private bool
}

// traditionalPairs maps traditional (and Taiwan and Hong Kong variant)
// characters to simplified ones, pair by pair: every character of the
// glossary, of the Taiwan wording below and of the words the secret and
// personal-data checks look for that has another traditional form. Made
// from OpenCC's TSCharacters, TWVariantsRev and HKVariantsRev tables
// (opencc_dict -f ocd2 -t text); 帳 and 帐 fold to 账 as in 帳號, 帐户.
const traditionalPairs = "並并併并來来係系俬私個个備备傢家傳传僅仅價价優优儲储內内兩两冊册刪删創创動动務务匯汇區区協协卽即員员唄呗問问單单噹当國国" +
	"圖图埰采執执報报場场塊块寀采實实審审寫写寶宝專专尋寻導导屬属帐账帳账幣币庫库廠厂彔录彙汇後后復复態态憂忧應应戶户掃扫採采" +
	"換换擇择擊击擔担據据敗败數数於于時时暫暂會会枱台査查條条棟栋業业極极樓楼樣样機机檢检檯台權权歐欧洩泄測测滙汇灣湾為为無无" +
	"熱热營营爲为狀状獲获現现異异當当發发眞真確确碼码種种稱称穫获箇个篩筛簡简紅红級级細细結结絡络給给統统綁绑綜综網网編编緻致" +
	"縣县總总繫系續续纍累纔才聯联聲声職职脩修臉脸臺台與与萬万蒐搜蓋盖號号衕同裏里補补裝装裡里製制複复覈核規规視视親亲訂订計计" +
	"訊讯記记訪访設设註注証证評评詢询試试話话該该詳详認认誠诚誤误請请諮咨證证議议護护貨货買买費费資资賒赊賠赔賣卖質质賬账購购" +
	"車车載载輯辑輸输迴回進进遊游運运過过遞递選选邊边郵邮鄉乡釦扣鈡钟銀银銷销鋪铺錄录錯错録录鍾钟鎭镇鎮镇鐘钟長长閉闭開开間间" +
	"閤合關关陸陆際际隱隐離离電电頁页項项預预頭头頻频額额顏颜顔颜類类颱台餘余驗验髮发點点齣出"

// traditional is traditionalPairs as a map.
var traditional = func() map[rune]rune {
	rs := []rune(traditionalPairs)
	m := make(map[rune]rune, len(rs)/2)
	for i := 0; i+1 < len(rs); i += 2 {
		m[rs[i]] = rs[i+1]
	}
	return m
}()

// taiwanWords are Taiwan wordings of the words labels use (both in
// simplified characters, as they read once folded): each label is also
// found written the Taiwan way, 登入密碼 as 登录密码.
var taiwanWords = []struct{ mainland, taiwan string }{
	{"登录", "登入"}, {"退出", "登出"}, {"短信", "简讯"}, {"设置", "设定"}, {"网络", "网路"},
	{"搜索", "搜寻"}, {"信息", "资讯"}, {"消息", "讯息"}, {"保存", "储存"}, {"查看", "检视"},
	{"联系", "联络"}, {"点击", "点选"}, {"刷新", "重新整理"}, {"发送", "传送"}, {"创建", "建立"},
	{"用户", "使用者"}, {"支持", "支援"}, {"身份", "身分"}, {"默认", "预设"}, {"充值", "储值"},
	{"提交", "送出"},
}

// NewMatcher indexes the labels.
func NewMatcher(labels []data.Label) *Matcher {
	m := &Matcher{root: &node{}, fold: maps.Clone(traditional)}
	for i := range labels {
		l := &labels[i]
		simp, trad := []rune(l.Zh), []rune(l.ZhHant)
		if len(simp) == len(trad) {
			for j := range simp {
				if _, ok := m.fold[trad[j]]; !ok && simp[j] != trad[j] {
					m.fold[trad[j]] = simp[j]
				}
			}
		}
	}
	for i := range labels {
		m.insert(m.canonical(labels[i].Zh), &labels[i])
	}
	// The Taiwan wordings come last: they never take the place of a
	// label of their own.
	for i := range labels {
		for _, v := range taiwanVariants(string(m.canonical(labels[i].Zh))) {
			m.insert([]rune(v), &labels[i])
		}
	}
	return m
}

// taiwanVariants returns s written with Taiwan wording: each word that
// has one replaced alone, and all of them at once.
func taiwanVariants(s string) []string {
	var out []string
	all := s
	for _, w := range taiwanWords {
		if strings.Contains(s, w.mainland) {
			out = append(out, strings.ReplaceAll(s, w.mainland, w.taiwan))
			all = strings.ReplaceAll(all, w.mainland, w.taiwan)
		}
	}
	if len(out) > 1 {
		out = append(out, all)
	}
	return out
}

func (m *Matcher) insert(key []rune, l *data.Label) {
	n := m.root
	for _, r := range key {
		if n.next == nil {
			n.next = map[rune]*node{}
		}
		c := n.next[r]
		if c == nil {
			c = &node{}
			n.next[r] = c
		}
		n = c
	}
	if n != m.root && n.label == nil {
		n.label = l
	}
}

// skip reports runes that never take part in a label: spaces, line
// breaks, punctuation and symbols of any width (：，。《》*·), invisible
// format characters. Emoji are not skipped: they break a label.
func skip(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || (unicode.IsSymbol(r) && !isEmoji(r)) ||
		unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r)
}

// isEmoji reports pictographs: the emoji blocks, the miscellaneous
// symbols and dingbats (☎ ✅ ❤), the stars and arrows block (⭐) and the
// circled ideographs that are emoji (㊙ ㊗).
func isEmoji(r rune) bool {
	return (r >= 0x1F000 && r <= 0x1FAFF) || (r >= 0x2600 && r <= 0x27BF) || (r >= 0x2B00 && r <= 0x2BFF) ||
		r == 0x3030 || r == 0x303D || r == 0x3297 || r == 0x3299
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// canonical returns the runes of s that matter for matching, folded.
func (m *Matcher) canonical(s string) []rune {
	rs, _ := m.normalize(s)
	return rs
}

// What was skipped before a canonical rune.
const (
	gapNone  = iota
	gapSpace // spaces, punctuation
	gapLine  // a line break
)

// normalize returns the canonical runes of s and, for each, what was
// skipped before it: nothing, spaces or punctuation, a line break.
func (m *Matcher) normalize(s string) (rs []rune, gap []uint8) {
	rs = make([]rune, 0, len(s)/2)
	gap = make([]uint8, 0, len(s)/2)
	var skipped uint8
	for _, r := range s {
		if skip(r) {
			if r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' {
				skipped = gapLine
			} else {
				skipped = max(skipped, gapSpace)
			}
			continue
		}
		if f, ok := m.fold[r]; ok {
			r = f
		}
		rs = append(rs, r)
		gap = append(gap, skipped)
		skipped = gapNone
	}
	return rs, gap
}

// longest returns where the longest label starting at rs[i] ends, i if
// none does.
func (m *Matcher) longest(rs []rune, i int) int {
	end := i
	n := m.root
	for j := i; j < len(rs); j++ {
		if n = n.next[rs[j]]; n == nil {
			break
		}
		if n.label != nil {
			end = j + 1
		}
	}
	return end
}

// Find returns the labels in text in order of appearance, the longest
// label at each place (see Matcher) and no two overlapping, and the runs
// of Chinese characters (two or more, within a line) that no label
// explains.
func (m *Matcher) Find(text string) (found []Match, unknown []Unknown) {
	rs, gap := m.normalize(text)
	// boundary reports whether a label ending before rs[e] ends where the
	// text breaks: the end, a space or punctuation, anything not Chinese.
	boundary := func(e int) bool { return e == len(rs) || gap[e] != gapNone || !isHan(rs[e]) }
	var (
		run        []rune // Chinese not covered by a label
		personal   bool   // the last label found names personal data
		sinceLabel int    // unknown[sinceLabel:] came after the last label
		ends       []int
		labels     []*data.Label
	)
	flush := func() {
		if len(run) >= 2 {
			unknown = append(unknown, Unknown{Text: string(run), Private: personal || !recordable(run)})
		}
		run = run[:0]
	}
	for i := 0; i < len(rs); {
		ends, labels = ends[:0], labels[:0]
		n := m.root
		for j := i; j < len(rs); j++ {
			if n = n.next[rs[j]]; n == nil {
				break
			}
			if n.label != nil {
				ends, labels = append(ends, j+1), append(labels, n.label)
			}
		}
		if len(ends) == 0 {
			if isHan(rs[i]) {
				if gap[i] == gapLine {
					flush() // lines are different things
				}
				run = append(run, rs[i])
			} else {
				flush()
			}
			i++
			continue
		}
		k := len(ends) - 1
		for c := k - 1; c >= 0; c-- {
			if boundary(ends[c]) && m.longest(rs, ends[c]) > ends[k] {
				k = c
				break
			}
		}
		l := labels[k]
		flush()
		if l.Personal && len(unknown) > sinceLabel {
			// The run just before it: 张三丰 手机.
			unknown[len(unknown)-1].Private = true
		}
		personal = l.Personal
		found = append(found, Match{Label: l})
		sinceLabel = len(unknown)
		i = ends[k]
	}
	flush()
	return found, unknown
}

// maxUnknown is the longest run of Chinese recorded as an unknown label:
// labels are short, and a longer run is a sentence, a product title or an
// address.
const maxUnknown = 8

// personalWords and addressMarks give away a run that holds the buyer's
// own data: a name beside 手机 or 电话, an address (浙江省温州市: two or
// more of 省 市 区 路 号 …).
var (
	personalWords = []string{"手机", "电话", "地址", "住址", "收货人", "收件人", "姓名", "联系人", "身份证", "证件号", "微信", "邮编"}
	addressMarks  = "省市区县镇乡村街路巷弄号楼栋室"
)

// recordable reports whether an unknown run may go into unknown_labels,
// the content editors' worklist. It is kept free of personal data (a
// pasted checkout page holds the buyer's address, name and phone), so a
// run is recorded only if
//   - it has at most maxUnknown (8) characters;
//   - it holds none of personalWords, and at most one of addressMarks;
//   - (checked by Find) it does not stand next to a label marked personal
//     in data/labels.toml (收货地址, 收货人, 详细地址, 手机, 联系电话 …): it is
//     not anywhere after such a label up to the next label, nor the last
//     run before one.
//
// Text that looks like it holds a code or a password is never recorded at
// all (HasSecret), and rows not seen for 90 days are deleted (bot's
// hourly prune).
func recordable(run []rune) bool {
	if len(run) > maxUnknown {
		return false
	}
	s := string(run)
	for _, w := range personalWords {
		if strings.Contains(s, w) {
			return false
		}
	}
	marks := 0
	for _, r := range addressMarks {
		if strings.ContainsRune(s, r) {
			marks++
		}
	}
	return marks < 2
}

// HasChinese reports whether text contains a Chinese character.
func HasChinese(text string) bool {
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// The secret check. A message holds a secret when a word for a code or a
// password, in any language the bot speaks, is followed (after optional
// punctuation, spaces and words like "is", 是, 为, "de verificación") by a
// value: 4-8 digits for a code or a PIN (grouped as 482 193 or not), 3-4
// for a card's security code, for a password anything that looks like one.
// Or when a 4-8 digit number is followed by "is your … code" (the way SMS
// put it). Text is folded first: digits of any script and full-width forms
// to ASCII, traditional characters to simplified, lower case.
//
// Ordinary numbers are not secrets: a quantity (500 pcs), a price, an order
// or offer number, a rate, a phone number, a postal or product code.

type secretKind uint8

const (
	secretCode     secretKind = iota + 1 // a one-time code or a PIN: 4-8 digits
	secretCard                           // a card's security code: 3-4 digits
	secretPassword                       // anything that looks like a password
)

var secretWords = map[string]secretKind{
	// Chinese (simplified: traditional text is folded)
	"验证码": secretCode, "校验码": secretCode, "动态码": secretCode, "认证码": secretCode,
	"确认码": secretCode, "安全码": secretCode, "短信码": secretCode, "短信": secretCode,
	"密码": secretPassword, "口令": secretPassword,
	// English
	"code": secretCode, "otp": secretCode, "pin": secretCode, "2fa": secretCode, "sms": secretCode,
	"cvv": secretCard, "cvv2": secretCard, "cvc": secretCard, "csc": secretCard,
	"password": secretPassword, "passwd": secretPassword, "pwd": secretPassword, "passcode": secretPassword,
	// German
	"bestätigungscode": secretCode, "sicherheitscode": secretCode, "verifizierungscode": secretCode,
	"einmalcode": secretCode, "zugangscode": secretCode, "passwort": secretPassword, "kennwort": secretPassword,
	// Spanish, Portuguese
	"código": secretCode, "codigo": secretCode, "contraseña": secretPassword, "contrasena": secretPassword,
	"clave": secretPassword, "senha": secretPassword,
	// French
	"mot de passe": secretPassword, "mdp": secretPassword,
	// Indonesian, Malay
	"kode": secretCode, "kod": secretCode, "kata sandi": secretPassword, "sandi": secretPassword,
	"kata laluan": secretPassword,
	// Japanese
	"コード": secretCode, "認証番号": secretCode, "確認番号": secretCode, "暗証番号": secretCode,
	"パスワード": secretPassword,
	// Korean
	"인증번호": secretCode, "인증 번호": secretCode, "인증코드": secretCode, "코드": secretCode,
	"비밀번호": secretPassword, "비번": secretPassword, "암호": secretPassword,
	// Russian
	"код": secretCode, "пин": secretCode, "пароль": secretPassword,
	// Thai (รหัส is a code or a password)
	"โค้ด": secretCode, "รหัส": secretPassword, "รหัสผ่าน": secretPassword,
	// Turkish
	"kodu": secretCode, "kodum": secretCode, "kodunuz": secretCode,
	"şifre": secretPassword, "şifrem": secretPassword, "şifreniz": secretPassword, "şifresi": secretPassword,
	"parola": secretPassword, "parolam": secretPassword, "parolanız": secretPassword,
	// Vietnamese
	"mã": secretCode, "mật khẩu": secretPassword,
	// Arabic
	"رمز": secretCode, "الرمز": secretCode, "كود": secretCode, "الكود": secretCode,
	"كلمة المرور": secretPassword, "كلمة السر": secretPassword, "الرقم السري": secretCode, "رقم سري": secretCode,
}

// secretLinks are the words that may stand between a secret word and its
// value: "is", 是, "de verificación", "ของฉันคือ". strongLinks make a
// plain word after them count as a password ("password: hunter").
var (
	secretLinks = []string{
		"是", "为", "如下", "的", "您的", "你的", "我的",
		"is", "was", "my", "ist", "lautet", "mein", "meine", "es", "mi", "est", "c'est", "c’est", "mon", "ma",
		"é", "era", "meu", "minha", "de", "da", "do", "это", "мой", "мои", "из", "adalah", "ialah", "saya",
		"anda", "là", "của", "tôi", "bạn", "คือ", "ของฉัน", "ของคุณ", "は", "です", "는", "은", "이", "가",
		"هو", "هي", "الخاص", "بي", "şu", "budur",
		// what kind of code
		"verification", "security", "sms", "otp", "pin", "one-time", "login", "verificación", "verificacion",
		"verificação", "verificacao", "seguridad", "segurança", "seguranca", "acceso", "acesso", "vérification",
		"sécurité", "securite", "подтверждения", "проверки", "смс", "verifikasi", "pengesahan", "xác", "nhận",
		"minh", "ยืนยัน", "التحقق", "التأكيد",
	}
	strongLinks = map[string]bool{"是": true, "为": true, "如下": true}
	// secretBefore are words that, right before "code", make it an
	// ordinary one: a postal, product or tracking code.
	secretBefore = []string{
		"zip", "postal", "post", "area", "country", "invitation", "invite", "referral", "promo", "promotion",
		"coupon", "discount", "voucher", "gift", "tracking", "track", "product", "item", "order", "sku", "hs",
		"bank", "sort", "swift", "error", "status", "qr", "bar", "source", "color", "colour", "style", "model",
		"region", "dial", "posta", "ürün", "sipariş", "kargo", "takip", "indirim", "kupon", "davet",
		"商品", "郵便", "バー", "クーポン", "招待", "追跡", "注文", "상품", "우편", "바", "쿠폰", "초대", "주문", "qr",
	}
	// secretUnits after a number make it a quantity or an amount.
	secretUnits = []string{"pcs", "pc", "pieces", "piece", "units", "unit", "sets", "set", "pairs", "yuan", "rmb",
		"cny", "usd", "kg", "g", "cm", "mm", "m", "ml", "days", "day", "min", "minutes", "seconds", "s",
		"件", "个", "套", "只", "条", "元", "天", "秒", "分钟", "位", "шт"}
	// secretPrefix: words said before a code in an SMS ("123456 is your
	// Alipay verification code").
	secretPrefix = []string{"your", "the", "alipay", "1688", "worldfirst", "world", "支付宝", "阿里巴巴", "淘宝",
		"taobao", "短信", "登录", "动态", "ваш", "твой", "votre", "ton", "tu", "su", "seu", "sua", "o", "dein",
		"ihr", "ihre", "der", "kamu"}
	secretWordRE = func() *regexp.Regexp {
		words := slices.Collect(maps.Keys(secretWords))
		// Longest first: the alternation takes the first that matches.
		slices.SortFunc(words, func(a, b string) int { return len(b) - len(a) })
		for i, w := range words {
			words[i] = regexp.QuoteMeta(w)
		}
		return regexp.MustCompile(strings.Join(words, "|"))
	}()
	numberRE = regexp.MustCompile(`[0-9]+`)
)

// secretFold folds text for the secret check.
func secretFold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
			r -= 0xFEE0
		case r == 0x3000: // ideographic space
			r = ' '
		case r == '【' || r == '「' || r == '『' || r == '《':
			r = '['
		case r == '】' || r == '」' || r == '』' || r == '》':
			r = ']'
		}
		if d := digitValue(r); d >= 0 {
			r = rune('0' + d)
		} else if f, ok := traditional[r]; ok {
			r = f
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// spaced reports whether a word of this script stands apart from the next
// with spaces (Latin, Cyrillic, Arabic), so must match whole words.
func spaced(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Thai)
}

func isLetter(r rune) bool { return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) }

// wordAt returns the longest of words that s[i:] starts with as a whole
// word, "" if none.
func wordAt(s string, i int, words []string) string {
	best := ""
	for _, w := range words {
		if len(w) <= len(best) || !strings.HasPrefix(s[i:], w) {
			continue
		}
		if spaced(w) {
			if r, _ := utf8.DecodeRuneInString(s[i+len(w):]); i+len(w) < len(s) && isLetter(r) {
				continue
			}
		}
		best = w
	}
	return best
}

// brand is a number that is no secret wherever it stands: "the password
// of 1688", "código do 1688".
const brand = "1688"

// secretSep are the characters that may stand between a secret word and
// its value besides spaces: 验证码：123456, code = 1234, код — 1234.
const secretSep = ":=-–—~>#\"'“”‘’«»[](),"

// skipLinks moves past separators and linking words from s[i:]; strong
// reports a colon, an equals sign or 是 among them. It stops at a second
// line break.
func skipLinks(s string, i int) (j int, strong bool) {
	lines := 0
	for n := 0; n < 8; n++ {
		for i < len(s) {
			r, w := utf8.DecodeRuneInString(s[i:])
			if r == '\n' {
				if lines++; lines > 1 {
					return i, strong
				}
			}
			if !unicode.IsSpace(r) && !strings.ContainsRune(secretSep, r) {
				break
			}
			strong = strong || r == ':' || r == '='
			i += w
		}
		w := wordAt(s, i, secretLinks)
		if w == "" {
			break
		}
		strong = strong || strongLinks[w]
		i += len(w)
	}
	return i, strong
}

// digitsAt reads a number at s[i:] made of digit groups ("482193",
// "482 193", "48-21-93"), returning how many digits and where it ends; 0
// if s[i:] is no such number, or is part of a longer one (a decimal, a
// word, a quantity with its unit).
func digitsAt(s string, i int) (n, end int) {
	j := i
	for {
		k := j
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k-j == 0 || (n > 0 && k-j < 2) {
			break // a lone digit after a space is not part of the code
		}
		n, end = n+k-j, k
		if k+1 < len(s) && (s[k] == ' ' || s[k] == '-') && s[k+1] >= '0' && s[k+1] <= '9' {
			j = k + 1
			continue
		}
		break
	}
	if n == 0 {
		return 0, i
	}
	if end < len(s) {
		r, _ := utf8.DecodeRuneInString(s[end:])
		switch {
		case r >= 'a' && r <= 'z':
			return 0, i
		case (r == '.' || r == ',') && end+1 < len(s) && s[end+1] >= '0' && s[end+1] <= '9':
			return 0, i // 5.4560, 1,000
		}
		k := end
		for k < len(s) && s[k] == ' ' {
			k++
		}
		if wordAt(s, k, secretUnits) != "" {
			return 0, i
		}
	}
	return n, end
}

// passwordAt reports whether s[i:] starts with a value that looks like a
// password.
func passwordAt(s string, i int, strong bool) bool {
	j := i
	for j < len(s) {
		r, w := utf8.DecodeRuneInString(s[j:])
		if unicode.IsSpace(r) || !spaced(string(r)) {
			break // a Chinese, Japanese, Korean or Thai prompt is no value
		}
		j += w
	}
	tok := strings.TrimRightFunc(s[i:j], unicode.IsPunct)
	if strings.Trim(tok, "*•●·.") == "" || tok == brand {
		return false // a masked field; 1688 itself
	}
	var letters, digits, other int
	for _, r := range tok {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case isLetter(r) || r == '-' || r == '\'' || r == '’':
			letters++ // words: tapez-y, don't
		default:
			other++
		}
	}
	n := letters + digits + other
	switch {
	case letters == 0 && other == 0:
		return n >= 4 && n <= 20
	case digits > 0 || other > 0:
		return n >= 5 // hunter2, s3cret!; not 8-20
	}
	// Only letters: a password after a colon at the end of the line
	// ("password: hunter"), not prose ("Password: Enter a password").
	if !strong || n < 4 {
		return false
	}
	rest := s[i+len(tok):]
	if k := strings.IndexByte(rest, '\n'); k >= 0 {
		rest = rest[:k]
	}
	return strings.TrimFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) == ""
}

// ordinaryCode reports a "code" that names no secret: one said right
// after a word like zip, postal, product, tracking (s[:i] is what came
// before it).
func ordinaryCode(before string) bool {
	before = strings.TrimRight(before, " -")
	for _, w := range secretBefore {
		if !strings.HasSuffix(before, w) {
			continue
		}
		if !spaced(w) {
			return true
		}
		if r, _ := utf8.DecodeLastRuneInString(before[:len(before)-len(w)]); len(before) == len(w) || !isLetter(r) {
			return true
		}
	}
	return false
}

// HasSecret reports whether text looks like it holds a verification or SMS
// code, a PIN or a password: such text is never stored, and the user is
// warned. See the rules above secretKind.
func HasSecret(text string) bool {
	s := secretFold(text)
	for _, m := range secretWordRE.FindAllStringIndex(s, -1) {
		w := s[m[0]:m[1]]
		if spaced(w) {
			before, _ := utf8.DecodeLastRuneInString(s[:m[0]])
			after, _ := utf8.DecodeRuneInString(s[m[1]:])
			if (m[0] > 0 && (isLetter(before) || unicode.IsDigit(before))) || (m[1] < len(s) && isLetter(after)) {
				continue // barcode, codes, pinyin
			}
		}
		kind := secretWords[w]
		if kind == secretCode && ordinaryCode(s[:m[0]]) {
			continue
		}
		i, strong := skipLinks(s, m[1])
		switch kind {
		case secretCode:
			if n, end := digitsAt(s, i); n >= 4 && n <= 8 && s[i:end] != brand {
				return true
			}
		case secretCard:
			if n, _ := digitsAt(s, i); n >= 3 && n <= 4 {
				return true
			}
		case secretPassword:
			if passwordAt(s, i, strong) {
				return true
			}
		}
	}
	// 123456 is your Alipay verification code; 123456是您的验证码.
	for _, m := range numberRE.FindAllStringIndex(s, -1) {
		if n, end := digitsAt(s, m[0]); n < 4 || n > 8 || end != m[1] || s[m[0]:end] == brand {
			continue
		}
		if m[0] > 0 && strings.ContainsRune(".,", rune(s[m[0]-1])) {
			continue
		}
		i := m[1]
		for i < len(s) && (s[i] == ' ' || s[i] == '-') {
			i++
		}
		link := wordAt(s, i, []string{"is", "是", "为", "это", "est", "es", "é", "ist", "adalah", "ialah", "là", "คือ", "هو", "—", ":"})
		if link == "" {
			continue
		}
		i += len(link)
		for range 5 {
			for i < len(s) && s[i] == ' ' {
				i++
			}
			if w := wordAt(s, i, secretPrefix); w != "" {
				i += len(w)
				continue
			}
			if w := wordAt(s, i, secretLinks); w != "" {
				i += len(w)
				continue
			}
			break
		}
		if loc := secretWordRE.FindStringIndex(s[i:]); loc != nil && loc[0] == 0 {
			return true
		}
	}
	return false
}

// truncateRunes cuts s to at most n runes.
func truncateRunes(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// cleanUnknown returns the unknown runs that may be recorded (see
// recordable), without blanks and repeats.
func cleanUnknown(parts []Unknown) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range parts {
		t := strings.TrimSpace(p.Text)
		if p.Private || t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}
