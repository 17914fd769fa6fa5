package conversation

import "strings"

// Kind says what a user did.
type Kind int

const (
	// KindText is a typed message (commands included).
	KindText Kind = iota
	// KindButton is a press of one of the bot's buttons; Event.Action
	// says which.
	KindButton
	// KindBadButton is a press whose data the transport could not read
	// or verify (garbage, forged, from an older version of the bot).
	KindBadButton
	// KindUnsupported is anything else a user can send: stickers, voice,
	// locations, contacts...
	KindUnsupported
	// KindEdited is an edit of a message the user sent earlier.
	KindEdited
	// KindTicketClosed: a support agent closed the user's ticket
	// (Event.Ticket).
	KindTicketClosed
	// KindSetLanguage: a support agent switched the user's language to
	// Event.Text.
	KindSetLanguage
)

// Event is one thing a user did, already stripped of transport types.
type Event struct {
	UserID int64
	// UpdateID identifies the transport's update so that a redelivered
	// one is applied once. Zero when the transport has no such ID.
	UpdateID int64
	// LanguageCode is the client's language (IETF tag), if known.
	LanguageCode string
	Kind         Kind
	Text         string
	Action       *Action
	// Ticket is the support ticket an agent's event is about.
	Ticket int64
}

// ActionKind names what a button does.
type ActionKind string

// Actions. State-changing ones carry the step and version they were drawn
// for; views only show something and never change state.
const (
	ActNext     ActionKind = "n"
	ActBack     ActionKind = "b"
	ActSkip     ActionKind = "s"
	ActChoose   ActionKind = "c" // Arg: choice ID
	ActJump     ActionKind = "j" // Arg: stage ID
	ActRestart  ActionKind = "R" // confirmed restart
	ActStep     ActionKind = "t" // view: the current step
	ActMenu     ActionKind = "m" // view: stages and options
	ActProgress ActionKind = "p" // view: checklist
	ActProblems ActionKind = "P" // view: the stage's problems
	ActProblem  ActionKind = "q" // view: one problem; Arg: problem ID
	ActAskReset ActionKind = "r" // view: confirm restart
	ActLangs    ActionKind = "L" // view: the language picker
	ActLang     ActionKind = "l" // choose a language; Arg: its tag
	ActExplain  ActionKind = "x" // view: the labels of the current step

	// Order drafts. Args name the draft (and item): "12", "12.34",
	// "12.34.qty", "12.ordered", "12.SGD". The store only ever finds the
	// user's own drafts, so a forged ID changes nothing.
	ActDrafts      ActionKind = "D" // list
	ActDraftNew    ActionKind = "N" // create
	ActDraft       ActionKind = "d" // open
	ActItemAdd     ActionKind = "a" // add an item (asks its fields)
	ActItem        ActionKind = "i" // open an item
	ActItemEdit    ActionKind = "e" // change one field of an item
	ActItemDel     ActionKind = "X" // remove an item
	ActDraftDel    ActionKind = "Z" // ask before deleting a draft
	ActDraftDelYes ActionKind = "z" // delete a draft
	ActStatus      ActionKind = "S" // move the status; Arg "12.draft.ordered": from, to
	ActCalc        ActionKind = "C" // top-up calculator: pick a currency
	ActCurrency    ActionKind = "$" // calculator: currency picked
	ActCopy        ActionKind = "y" // the summary as a message to copy
	ActSkipField   ActionKind = "k" // skip an optional field
	ActCancelInput ActionKind = "K" // leave a prompt
	ActDraftPerson ActionKind = "T" // send the draft to a person: a ticket, or the e-mail to write

	ActSupport     ActionKind = "H" // talk to a person: asks for a description
	ActSupportSend ActionKind = "h" // open the ticket without a description
	ActSupportEnd  ActionKind = "E" // end the support chat

	ActForget    ActionKind = "F" // view: ask before deleting the user's data
	ActForgetYes ActionKind = "f" // delete everything the bot keeps about the user
)

// isOrder reports the actions of order drafts.
func (k ActionKind) isOrder() bool {
	switch k {
	case ActDrafts, ActDraftNew, ActDraft, ActItemAdd, ActItem, ActItemEdit, ActItemDel,
		ActDraftDel, ActDraftDelYes, ActStatus, ActCalc, ActCurrency, ActCopy, ActSkipField, ActCancelInput, ActDraftPerson:
		return true
	}
	return false
}

// changesState reports whether an action moves the FSM.
func (k ActionKind) changesState() bool {
	switch k {
	case ActNext, ActBack, ActSkip, ActChoose, ActJump, ActRestart:
		return true
	}
	return false
}

// Valid reports whether k is an action the engine knows.
func (k ActionKind) Valid() bool {
	if k.isOrder() {
		return true
	}
	switch k {
	case ActNext, ActBack, ActSkip, ActChoose, ActJump, ActRestart,
		ActStep, ActMenu, ActProgress, ActProblems, ActProblem, ActAskReset, ActLangs, ActLang, ActExplain, ActSupport, ActSupportSend, ActSupportEnd, ActForget, ActForgetYes:
		return true
	}
	return false
}

// Action is what a button does, with the state it was drawn for.
type Action struct {
	Kind ActionKind
	Arg  string
	// Step and Version are the user's state when the button was drawn.
	Step    string
	Version int64
}

// Reply is one message to show. Text is plain text: transports escape
// it for their markup.
type Reply struct {
	// Title is shown emphasised above Text (bold on Telegram).
	Title string
	Text  string
	// Buttons are rows of buttons under the message.
	Buttons [][]Button
	// Edit asks the transport to replace the message whose button was
	// pressed instead of sending a new one.
	Edit bool
	// Notice is a short line for the pressed button (a toast on
	// Telegram); transports without toasts print it before the message.
	Notice string
	// Relay asks the transport to pass the user's message on to this
	// support ticket, instead of showing anything.
	Relay int64
	// Ticket tells the transport that a support ticket opened or closed.
	Ticket *TicketChange
	// Prompt says that the reply asks for a typed answer (a field of an
	// order item, a rate): the next text is that answer. A transport that
	// reads button presses from typed text (the console) must not take
	// the answer "2" for the second button.
	Prompt bool
}

// TicketChange is a support ticket opening or closing.
type TicketChange struct {
	ID          int64
	Opened      bool
	Closed      bool
	ByUser      bool // closed by the user (/cancel), not by an agent
	Description string
}

// Button is either an action button or a link.
type Button struct {
	Label  string
	URL    string
	Action *Action
}

// kindName names an event's kind for logs and metrics.
func (ev Event) kindName() string {
	switch ev.Kind {
	case KindText:
		if strings.HasPrefix(ev.Text, "/") {
			return "command"
		}
		return "text"
	case KindButton:
		return "button"
	case KindBadButton:
		return "bad_button"
	case KindUnsupported:
		return "other"
	case KindEdited:
		return "edited"
	case KindTicketClosed:
		return "ticket_closed"
	case KindSetLanguage:
		return "set_language"
	}
	return "unknown"
}
