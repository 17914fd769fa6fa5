package conversation

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
)

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
	switch k {
	case ActNext, ActBack, ActSkip, ActChoose, ActJump, ActRestart,
		ActStep, ActMenu, ActProgress, ActProblems, ActProblem, ActAskReset, ActLangs, ActLang:
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
}

// Button is either an action button or a link.
type Button struct {
	Label  string
	URL    string
	Action *Action
}
