package conversation

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Item fields, in the order the add-item dialogue asks them.
var itemFields = []string{"link", "title", "spec", "qty", "price", "note"}

// optionalField reports fields the buyer may skip.
func optionalField(f string) bool { return f == "title" || f == "spec" || f == "note" }

// maxFreeText bounds titles, specifications and notes.
const maxFreeText = 200

// input is the parsed Session.Input: what the next typed message answers.
type input struct {
	mode  string // "add", "edit" or "rate"
	draft int64
	item  int64
	field string // item field, or the currency code for "rate"
}

func parseInput(s string) (input, bool) {
	p := strings.Split(s, ":")
	if len(p) != 4 {
		return input{}, false
	}
	d, err1 := strconv.ParseInt(p[1], 10, 64)
	i, err2 := strconv.ParseInt(p[2], 10, 64)
	if err1 != nil || err2 != nil {
		return input{}, false
	}
	return input{mode: p[0], draft: d, item: i, field: p[3]}, true
}

func (in input) String() string {
	return fmt.Sprintf("%s:%d:%d:%s", in.mode, in.draft, in.item, in.field)
}

// ids parses "12" or "12.34" (draft, item) or "12.34.qty" from button args.
func ids(arg string) (draft, item int64, rest string, ok bool) {
	p := strings.SplitN(arg, ".", 3)
	var err error
	if draft, err = strconv.ParseInt(p[0], 10, 64); err != nil {
		return 0, 0, "", false
	}
	if len(p) > 1 {
		if item, err = strconv.ParseInt(p[1], 10, 64); err != nil {
			rest = p[1] // "12.ordered"
		}
	}
	if len(p) > 2 {
		rest = p[2]
	}
	return draft, item, rest, true
}

// orderAction handles the buttons of drafts and the calculator. A draft or
// item that is gone (or was never the user's) shows the drafts list with a
// notice, and changes nothing.
func (t *turn) orderAction(ctx context.Context, a *Action) (Reply, error) {
	// Any button leaves a half-answered prompt: what was entered is kept.
	if a.Kind != ActSkipField {
		t.s.Input = ""
	}
	d, it, rest, ok := ids(a.Arg)
	if !ok && a.Kind != ActDrafts && a.Kind != ActDraftNew && a.Kind != ActSkipField && a.Kind != ActCancelInput {
		return t.draftsScreen(ctx, t.text("ui.notice.gone", nil))
	}
	var err error
	switch a.Kind {
	case ActDrafts:
		return t.draftsScreen(ctx, "")
	case ActDraftNew:
		list, err := t.s.Drafts.List(ctx)
		if err != nil {
			return Reply{}, err
		}
		if len(list) >= MaxDrafts {
			r, err := t.draftsScreen(ctx, "")
			return warn(r, t.text("ui.drafts.full", map[string]any{"Max": t.e.cat.Group(t.lang, MaxDrafts)})), err
		}
		dr, err := t.s.Drafts.Create(ctx)
		if err != nil {
			return Reply{}, err
		}
		return t.draftScreen(ctx, dr.ID, "")
	case ActDraft:
		return t.draftScreen(ctx, d, "")
	case ActItemAdd:
		dr, err := t.s.Drafts.Get(ctx, d)
		if err != nil {
			return t.gone(ctx, err)
		}
		if len(dr.Items) >= MaxItems {
			return t.draftFull(ctx, d)
		}
		t.s.Input = input{mode: "add", draft: d, field: "link"}.String()
		return t.prompt(ctx, "")
	case ActItem:
		return t.itemScreen(ctx, d, it, "")
	case ActItemEdit:
		if _, err := t.item(ctx, d, it); err != nil {
			return t.gone(ctx, err)
		}
		if !validField(rest) {
			return t.draftsScreen(ctx, t.text("ui.notice.gone", nil))
		}
		t.s.Input = input{mode: "edit", draft: d, item: it, field: rest}.String()
		return t.prompt(ctx, "")
	case ActItemDel:
		if err = t.s.Drafts.DeleteItem(ctx, d, it); err != nil {
			return t.gone(ctx, err)
		}
		return t.draftScreen(ctx, d, t.text("ui.notice.deleted", nil))
	case ActDraftDel:
		dr, err := t.s.Drafts.Get(ctx, d)
		if err != nil {
			return t.gone(ctx, err)
		}
		return Reply{
			Title: t.text("ui.draft.delete_title", map[string]any{"Number": dr.Number}),
			Text:  t.text("ui.draft.delete_body", nil),
			Buttons: [][]Button{
				{{Label: t.text("ui.btn.delete_yes", nil), Action: t.act(ActDraftDelYes, a.Arg)}},
				{{Label: t.text("ui.btn.back_draft", nil), Action: t.act(ActDraft, a.Arg)}},
			},
		}, nil
	case ActDraftDelYes:
		if err = t.s.Drafts.Delete(ctx, d); err != nil {
			return t.gone(ctx, err)
		}
		return t.draftsScreen(ctx, t.text("ui.notice.deleted", nil))
	case ActStatus:
		return t.moveStatus(ctx, d, a.Arg)
	case ActDraftPerson:
		return t.draftToPerson(ctx, d)
	case ActCalc:
		return t.calcScreen(ctx, d)
	case ActCurrency:
		return t.pickCurrency(ctx, d, rest)
	case ActCopy:
		return t.copyScreen(ctx, d)
	case ActSkipField:
		return t.skipField(ctx)
	case ActCancelInput:
		t.s.Input = ""
		return t.draftsScreen(ctx, "")
	}
	return t.draftsScreen(ctx, "")
}

// moveStatus moves a draft's status as a button drawn for it says: arg
// is "ID.from.to". The move happens only if the draft is still at from: a
// button from an older message (an old "mark as paid" after the buyer
// undid "ordered") changes nothing and shows the draft as it is.
func (t *turn) moveStatus(ctx context.Context, id int64, arg string) (Reply, error) {
	p := strings.Split(arg, ".")
	dr, err := t.s.Drafts.Get(ctx, id)
	if err != nil {
		return t.gone(ctx, err)
	}
	if len(p) != 3 || !statusMoves[[2]string{p[1], p[2]}] || dr.Status != p[1] {
		return t.draftScreen(ctx, id, t.text("ui.notice.stale", nil))
	}
	if err := t.s.Drafts.SetStatus(ctx, id, p[2]); err != nil {
		return t.gone(ctx, err)
	}
	return t.draftScreen(ctx, id, t.text("ui.notice.saved", nil))
}

// statusButton is a button that moves draft d from its status to another.
func (t *turn) statusButton(label string, d *Draft, to string) Button {
	return Button{Label: t.text(label, nil), Action: t.act(ActStatus, strconv.FormatInt(d.ID, 10)+"."+d.Status+"."+to)}
}

// warn puts an explanation above a screen's text.
func warn(r Reply, msg string) Reply {
	r.Text = "⚠️ " + msg + "\n\n" + r.Text
	return r
}

// draftFull is the draft with the reason no item can be added to it.
func (t *turn) draftFull(ctx context.Context, id int64) (Reply, error) {
	r, err := t.draftScreen(ctx, id, "")
	return warn(r, t.text("ui.draft.full", map[string]any{"Max": t.e.cat.Group(t.lang, MaxItems)})), err
}

// draftToPerson hands a draft to a person: with support agents, a ticket
// opens with the draft as its description (and the draft becomes the
// latest one, which the agents' card shows in full); without them, the
// guidebook's customer service e-mail and the summary to copy into it.
func (t *turn) draftToPerson(ctx context.Context, id int64) (Reply, error) {
	d, err := t.s.Drafts.Get(ctx, id)
	if err != nil {
		return t.gone(ctx, err)
	}
	if len(d.CompleteItems()) == 0 {
		return t.draftScreen(ctx, id, "")
	}
	head := t.text("ui.draft.title", map[string]any{"Number": d.Number, "Status": t.statusName(d.Status)})
	if !t.e.support {
		return Reply{
			Title: t.text("ui.support.title", nil),
			Text:  t.text("ui.draft.person_mail", nil) + "\n\n" + head + "\n\n" + t.summary(d),
			Buttons: [][]Button{
				{{Label: t.text("ui.btn.back_draft", nil), Action: t.act(ActDraft, strconv.FormatInt(id, 10))}},
			},
		}, nil
	}
	// Saving the status as it is marks the draft as the latest.
	if err := t.s.Drafts.SetStatus(ctx, id, d.Status); err != nil {
		return t.gone(ctx, err)
	}
	desc := head + "\n" + t.summary(d)
	if HasSecret(desc) {
		// The fields were checked one by one; together they may still
		// look like a code ("QR code" beside "1000 ×"): the card has the
		// draft anyway.
		desc = head
	}
	r, err := t.openTicket(ctx, desc)
	if err != nil {
		return Reply{}, err
	}
	r.Notice = t.text("ui.draft.person_sent", map[string]any{"Number": d.Number})
	return r, nil
}

func validField(f string) bool {
	for _, x := range itemFields {
		if x == f {
			return true
		}
	}
	return false
}

// gone turns a missing draft or item into the drafts list with a notice;
// other errors are real failures.
func (t *turn) gone(ctx context.Context, err error) (Reply, error) {
	if errors.Is(err, ErrNotFound) {
		return t.draftsScreen(ctx, t.text("ui.notice.gone", nil))
	}
	return Reply{}, err
}

func (t *turn) item(ctx context.Context, d, id int64) (*Item, error) {
	dr, err := t.s.Drafts.Get(ctx, d)
	if err != nil {
		return nil, err
	}
	for i := range dr.Items {
		if dr.Items[i].ID == id {
			return &dr.Items[i], nil
		}
	}
	return nil, ErrNotFound
}

// money formats fen as yuan in the user's language: ¥1,234.50,
// 1.234,50 ¥, 1,234.50元. The number is written by the catalogue (one
// grouping and decimal sign per language); the message only places the
// currency sign.
func (t *turn) money(fen int64) string {
	return t.text("ui.money.cny", map[string]any{"Amount": t.e.cat.Decimal(t.lang, fen, 2)})
}

// amount formats minor units of a currency: 18.33 SGD, 2,106 JPY.
func (t *turn) amount(minor int64, cur Currency) string {
	return t.text("ui.money.amount", map[string]any{"Amount": t.e.cat.Decimal(t.lang, minor, cur.Minor), "Code": cur.Code})
}

func (t *turn) statusName(s string) string { return t.text("ui.draft.status."+s, nil) }

// draftsScreen lists the user's drafts.
func (t *turn) draftsScreen(ctx context.Context, notice string) (Reply, error) {
	list, err := t.s.Drafts.List(ctx)
	if err != nil {
		return Reply{}, err
	}
	r := Reply{Title: t.text("ui.drafts.title", nil), Notice: notice}
	if len(list) == 0 {
		r.Text = t.text("ui.drafts.none", nil)
	} else {
		r.Text = t.e.cat.Plural(t.lang, "ui.drafts.count", len(list), nil)
	}
	for _, d := range list {
		label := t.text("ui.drafts.entry", map[string]any{
			"Number": d.Number, "Status": t.statusName(d.Status), "Total": t.money(d.TotalFen()),
		})
		r.Buttons = append(r.Buttons, []Button{{Label: label, Action: t.act(ActDraft, strconv.FormatInt(d.ID, 10))}})
	}
	r.Buttons = append(r.Buttons, []Button{t.btn("ui.btn.draft_new", ActDraftNew, "")}, t.backRow())
	return r, nil
}

// summary is a draft as text: items, subtotals, total.
func (t *turn) summary(d *Draft) string {
	var b strings.Builder
	n := 0
	for _, it := range d.Items {
		if !it.Complete() {
			continue
		}
		n++
		name := it.Title
		if name == "" {
			name = t.text("ui.draft.offer", map[string]any{"ID": it.OfferID})
			if it.OfferID == "" {
				name = it.Link
			}
		}
		fmt.Fprintf(&b, "%d. %s\n", n, name)
		if it.Spec != "" {
			b.WriteString("   " + t.text("ui.draft.spec", map[string]any{"Spec": it.Spec}) + "\n")
		}
		b.WriteString("   " + t.text("ui.draft.line", map[string]any{
			"Qty": t.e.cat.Group(t.lang, it.Qty), "Price": t.money(it.UnitFen), "Subtotal": t.money(it.SubtotalFen()),
		}) + "\n")
		if it.Note != "" {
			b.WriteString("   " + t.text("ui.draft.note", map[string]any{"Note": it.Note}) + "\n")
		}
		b.WriteString("   " + it.Link + "\n\n")
	}
	b.WriteString(t.text("ui.draft.total", map[string]any{
		"Total": t.money(d.TotalFen()),
		"Items": t.e.cat.Plural(t.lang, "ui.draft.items", n, nil),
	}))
	return b.String()
}

// draftScreen shows one draft with what can be done to it.
func (t *turn) draftScreen(ctx context.Context, id int64, notice string) (Reply, error) {
	d, err := t.s.Drafts.Get(ctx, id)
	if err != nil {
		return t.gone(ctx, err)
	}
	arg := strconv.FormatInt(d.ID, 10)
	r := Reply{
		Title:  t.text("ui.draft.title", map[string]any{"Number": d.Number, "Status": t.statusName(d.Status)}),
		Notice: notice,
	}
	if len(d.CompleteItems()) == 0 {
		r.Text = t.text("ui.draft.empty", nil)
	} else {
		r.Text = t.summary(d)
		switch d.Status {
		case StatusDraft:
			r.Text += "\n\n" + t.text("ui.draft.suggest_ordered", nil)
		case StatusOrdered:
			r.Text += "\n\n" + t.text("ui.draft.suggest_paid", nil)
		}
	}
	for i, it := range d.Items {
		label := fmt.Sprintf("✏️ %d. %s", i+1, itemName(it))
		if !it.Complete() {
			label = "⚠️ " + t.text("ui.draft.incomplete", map[string]any{"N": i + 1})
		}
		r.Buttons = append(r.Buttons, []Button{{Label: truncateRunes(label, 32), Action: t.act(ActItem, arg+"."+strconv.FormatInt(it.ID, 10))}})
	}
	r.Buttons = append(r.Buttons, []Button{{Label: t.text("ui.btn.item_add", nil), Action: t.act(ActItemAdd, arg)}})
	if len(d.CompleteItems()) > 0 {
		row := []Button{{Label: t.text("ui.btn.calc", nil), Action: t.act(ActCalc, arg)}, {Label: t.text("ui.btn.copy", nil), Action: t.act(ActCopy, arg)}}
		r.Buttons = append(r.Buttons, row)
		switch d.Status {
		case StatusDraft:
			r.Buttons = append(r.Buttons, []Button{t.statusButton("ui.btn.mark_ordered", d, StatusOrdered)})
		case StatusOrdered:
			r.Buttons = append(r.Buttons, []Button{
				t.statusButton("ui.btn.mark_paid", d, StatusPaid),
				t.statusButton("ui.btn.mark_undo", d, StatusDraft),
			})
		case StatusPaid:
			r.Buttons = append(r.Buttons, []Button{t.statusButton("ui.btn.mark_undo", d, StatusOrdered)})
		}
		r.Buttons = append(r.Buttons, []Button{{Label: t.text("ui.btn.draft_person", nil), Action: t.act(ActDraftPerson, arg)}})
	}
	r.Buttons = append(r.Buttons,
		[]Button{{Label: t.text("ui.btn.draft_delete", nil), Action: t.act(ActDraftDel, arg)}},
		[]Button{t.btn("ui.btn.back_drafts", ActDrafts, ""), t.btn("ui.btn.to_step", ActStep, "")})
	return r, nil
}

func itemName(it Item) string {
	switch {
	case it.Title != "":
		return it.Title
	case it.OfferID != "":
		return it.OfferID
	}
	return it.Link
}

// itemScreen shows one item with a button per field to change.
func (t *turn) itemScreen(ctx context.Context, d, id int64, notice string) (Reply, error) {
	it, err := t.item(ctx, d, id)
	if err != nil {
		return t.gone(ctx, err)
	}
	arg := strconv.FormatInt(d, 10) + "." + strconv.FormatInt(id, 10)
	var b strings.Builder
	for _, f := range itemFields {
		b.WriteString(t.text("ui.field."+f, nil) + ": " + t.fieldValue(it, f) + "\n")
	}
	r := Reply{Title: t.text("ui.item.title", nil), Text: strings.TrimSpace(b.String()), Notice: notice}
	if !it.Complete() {
		r.Text += "\n\n" + t.text("ui.item.incomplete", nil)
	}
	var row []Button
	for _, f := range itemFields {
		row = append(row, Button{Label: "✏️ " + t.text("ui.field."+f, nil), Action: t.act(ActItemEdit, arg+"."+f)})
		if len(row) == 2 {
			r.Buttons = append(r.Buttons, row)
			row = nil
		}
	}
	r.Buttons = append(r.Buttons,
		[]Button{{Label: t.text("ui.btn.item_remove", nil), Action: t.act(ActItemDel, arg)}},
		[]Button{{Label: t.text("ui.btn.back_draft", nil), Action: t.act(ActDraft, strconv.FormatInt(d, 10))}})
	return r, nil
}

func (t *turn) fieldValue(it *Item, f string) string {
	v := ""
	switch f {
	case "link":
		v = it.Link
	case "title":
		v = it.Title
	case "spec":
		v = it.Spec
	case "qty":
		if it.Qty > 0 {
			v = t.e.cat.Group(t.lang, it.Qty)
		}
	case "price":
		if it.UnitFen > 0 {
			v = t.money(it.UnitFen)
		}
	case "note":
		v = it.Note
	}
	if v == "" {
		return "—"
	}
	return v
}

// prompt asks for the field the session's input waits for; problem is the
// message of a refused answer, shown above the same question.
func (t *turn) prompt(ctx context.Context, problem string) (Reply, error) {
	in, ok := parseInput(t.s.Input)
	if !ok {
		t.s.Input = ""
		return t.draftsScreen(ctx, "")
	}
	var r Reply
	if in.mode == "rate" {
		r = Reply{
			Title:   t.text("ui.calc.title", nil),
			Text:    t.text("ui.calc.prompt_rate", map[string]any{"Code": in.field}),
			Buttons: [][]Button{{{Label: t.text("ui.btn.cancel", nil), Action: t.act(ActCalc, strconv.FormatInt(in.draft, 10))}}},
		}
	} else {
		title := "ui.item.new"
		if in.mode == "edit" {
			title = "ui.item.title"
		}
		r = Reply{Title: t.text(title, nil), Text: t.text("ui.prompt."+in.field, nil)}
		if optionalField(in.field) {
			r.Buttons = append(r.Buttons, []Button{t.btn("ui.btn.skip_field", ActSkipField, "")})
		}
		r.Buttons = append(r.Buttons, []Button{{Label: t.text("ui.btn.cancel", nil), Action: t.act(ActDraft, strconv.FormatInt(in.draft, 10))}})
	}
	if problem != "" {
		r = warn(r, problem)
	}
	r.Prompt = true
	return r, nil
}

// answer handles a typed message that answers the pending input.
func (t *turn) answer(ctx context.Context, text string) (Reply, error) {
	in, ok := parseInput(t.s.Input)
	if !ok {
		t.s.Input = ""
		return t.stepScreen("", false), nil
	}
	if in.mode == "rate" {
		return t.rateAnswer(ctx, in, text)
	}
	var it *Item
	if in.item != 0 {
		var err error
		if it, err = t.item(ctx, in.draft, in.item); err != nil {
			t.s.Input = ""
			return t.gone(ctx, err)
		}
	} else {
		d, err := t.s.Drafts.Get(ctx, in.draft)
		if err != nil {
			t.s.Input = ""
			return t.gone(ctx, err)
		}
		if len(d.Items) >= MaxItems {
			t.s.Input = ""
			return t.draftFull(ctx, in.draft)
		}
		it = &Item{}
	}
	if err := t.setField(it, in.field, text); err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			return t.prompt(ctx, t.text(ie.Msg, nil))
		}
		return Reply{}, err
	}
	if err := t.s.Drafts.SaveItem(ctx, in.draft, it); err != nil {
		t.s.Input = ""
		return t.gone(ctx, err)
	}
	return t.afterField(ctx, in, it)
}

// afterField moves the dialogue on: the next field when adding, the item
// when editing, the draft once the new item is complete.
func (t *turn) afterField(ctx context.Context, in input, it *Item) (Reply, error) {
	if in.mode == "add" {
		for i, f := range itemFields {
			if f == in.field && i+1 < len(itemFields) {
				in.item, in.field = it.ID, itemFields[i+1]
				t.s.Input = in.String()
				return t.prompt(ctx, "")
			}
		}
		t.s.Input = ""
		return t.draftScreen(ctx, in.draft, t.text("ui.notice.item_added", nil))
	}
	t.s.Input = ""
	return t.itemScreen(ctx, in.draft, it.ID, t.text("ui.notice.saved", nil))
}

// skipField skips an optional field of the pending input.
func (t *turn) skipField(ctx context.Context) (Reply, error) {
	in, ok := parseInput(t.s.Input)
	if !ok || in.mode == "rate" || !optionalField(in.field) {
		return t.stepScreen(t.text("ui.notice.stale", nil), false), nil
	}
	it, err := t.item(ctx, in.draft, in.item)
	if err != nil {
		t.s.Input = ""
		return t.gone(ctx, err)
	}
	return t.afterField(ctx, in, it)
}

// setField parses and sets one field; a refused answer is an InputError.
func (t *turn) setField(it *Item, f, text string) error {
	text = strings.TrimSpace(text)
	switch f {
	case "link":
		l, err := ParseLink(t.e.domains, text)
		if err != nil {
			return err
		}
		it.Link, it.OfferID = l.URL, l.OfferID
	case "qty":
		n, err := ParseQuantity(text)
		if err != nil {
			return err
		}
		it.Qty = n
	case "price":
		n, err := ParsePrice(text)
		if err != nil {
			return err
		}
		it.UnitFen = n
	default: // title, spec, note: free text
		if HasSecret(text) {
			return bad("ui.explain.secret")
		}
		if utf8.RuneCountInString(text) > maxFreeText {
			return bad("ui.input.too_long")
		}
		switch f {
		case "title":
			it.Title = text
		case "spec":
			it.Spec = text
		case "note":
			it.Note = text
		}
	}
	return nil
}

// calcScreen asks which currency the buyer converts from.
func (t *turn) calcScreen(ctx context.Context, id int64) (Reply, error) {
	d, err := t.s.Drafts.Get(ctx, id)
	if err != nil {
		return t.gone(ctx, err)
	}
	arg := strconv.FormatInt(d.ID, 10)
	if d.TotalFen() == 0 {
		return t.draftScreen(ctx, id, t.text("ui.calc.empty", nil))
	}
	r := Reply{
		Title: t.text("ui.calc.title", nil),
		Text:  t.text("ui.calc.pick", map[string]any{"Number": d.Number, "Total": t.money(d.TotalFen())}),
	}
	var row []Button
	for _, c := range Currencies() {
		row = append(row, Button{Label: c.Code, Action: t.act(ActCurrency, arg+"."+c.Code)})
		if len(row) == 4 {
			r.Buttons = append(r.Buttons, row)
			row = nil
		}
	}
	if len(row) > 0 {
		r.Buttons = append(r.Buttons, row)
	}
	r.Buttons = append(r.Buttons, []Button{{Label: t.text("ui.btn.back_draft", nil), Action: t.act(ActDraft, arg)}})
	return r, nil
}

func (t *turn) pickCurrency(ctx context.Context, id int64, code string) (Reply, error) {
	d, err := t.s.Drafts.Get(ctx, id)
	if err != nil {
		return t.gone(ctx, err)
	}
	cur, ok := CurrencyOf(code)
	if !ok {
		return t.calcScreen(ctx, id)
	}
	if cur.Code == "CNH" {
		return Reply{
			Title:   t.text("ui.calc.title", nil),
			Text:    t.text("ui.calc.cnh", map[string]any{"Total": t.money(d.TotalFen())}),
			Buttons: [][]Button{{{Label: t.text("ui.btn.back_draft", nil), Action: t.act(ActDraft, strconv.FormatInt(id, 10))}}},
		}, nil
	}
	t.s.Input = input{mode: "rate", draft: id, field: cur.Code}.String()
	return t.prompt(ctx, "")
}

// rateAnswer computes the amount to convert at the rate the buyer typed.
// The bot invents no rates: it only does the arithmetic, exactly.
func (t *turn) rateAnswer(ctx context.Context, in input, text string) (Reply, error) {
	d, err := t.s.Drafts.Get(ctx, in.draft)
	if err != nil {
		t.s.Input = ""
		return t.gone(ctx, err)
	}
	cur, ok := CurrencyOf(in.field)
	if !ok {
		t.s.Input = ""
		return t.calcScreen(ctx, in.draft)
	}
	rate, err := ParseRate(cur, text)
	if err != nil {
		var (
			ie *InputError
			re *RateError
		)
		switch {
		case errors.As(err, &ie):
			return t.prompt(ctx, t.text(ie.Msg, map[string]any{"Code": cur.Code}))
		case errors.As(err, &re):
			// Say what was understood, in the buyer's way of writing
			// numbers, so that a misread comma is plain to see.
			msg := "ui.input.rate_implausible"
			if re.Reversed {
				msg = "ui.input.rate_reversed"
			}
			return t.prompt(ctx, t.text(msg, map[string]any{"Code": cur.Code, "Rate": t.rate(re.Rate)}))
		}
		return Reply{}, err
	}
	t.s.Input = ""
	amount := ConvertAmount(d.TotalFen(), cur, rate)
	arg := strconv.FormatInt(d.ID, 10)
	return Reply{
		Title: t.text("ui.calc.title", nil),
		Text: t.text("ui.calc.result", map[string]any{
			"Total": t.money(d.TotalFen()), "Code": cur.Code, "Rate": t.rate(rate), "Amount": t.amount(amount, cur),
		}),
		Buttons: [][]Button{
			{{Label: t.text("ui.btn.calc_again", nil), Action: t.act(ActCalc, arg)}},
			{{Label: t.text("ui.btn.back_draft", nil), Action: t.act(ActDraft, arg)}},
		},
	}, nil
}

// rate writes a rate with up to 6 decimals, trailing zeros dropped, the
// way the user's language writes numbers: 5.456 in English, 5,456 in
// German (where 5.456 would read as five thousand).
func (t *turn) rate(r *big.Rat) string {
	units, places := rateDigits(r)
	return t.e.cat.Decimal(t.lang, units, places)
}

// rateDigits returns a positive rate rounded to 6 decimals as units /
// 10^places, trailing zeros dropped: 5.4560 is 5456, 3.
func rateDigits(r *big.Rat) (units int64, places int) {
	s := strings.TrimRight(r.FloatString(6), "0")
	s = strings.TrimSuffix(s, ".")
	if i := strings.IndexByte(s, '.'); i >= 0 {
		places = len(s) - i - 1
		s = s[:i] + s[i+1:]
	}
	units, _ = strconv.ParseInt(s, 10, 64) // rates are at most 1,000,000 (maxRate): it fits
	return units, places
}

// copyScreen sends the summary as a plain message to copy or forward.
func (t *turn) copyScreen(ctx context.Context, id int64) (Reply, error) {
	d, err := t.s.Drafts.Get(ctx, id)
	if err != nil {
		return t.gone(ctx, err)
	}
	return Reply{
		Title: t.text("ui.draft.title", map[string]any{"Number": d.Number, "Status": t.statusName(d.Status)}),
		Text:  t.summary(d),
		Buttons: [][]Button{
			{{Label: t.text("ui.btn.back_draft", nil), Action: t.act(ActDraft, strconv.FormatInt(id, 10))}},
		},
		Edit: false,
	}, nil
}
