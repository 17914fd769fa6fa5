package conversation

import (
	"context"
	"errors"
	"time"
)

// Mark records how a step was left behind.
type Mark byte

const (
	// MarkDone: the buyer went through the step.
	MarkDone Mark = 'd'
	// MarkSkipped: the buyer skipped it (allowed by the guide, or not
	// needed because their 1688 account was already verified).
	MarkSkipped Mark = 's'
)

// Session is everything the engine knows about one user. The Store loads
// it, the engine changes it, and the Store saves it in the same
// transaction as the update that caused the change.
type Session struct {
	UserID int64
	// Lang is the language the user chose explicitly; empty means "follow
	// the client's language code".
	Lang string
	// LangCode is the client's language code as last seen.
	LangCode string
	// Step is the current step key ("stage.step"): the FSM state.
	Step string
	// Version grows with every change of Step or progress. Buttons carry
	// the version they were drawn for, so a button from an older screen
	// is recognised as stale.
	Version int64
	// Progress marks the steps left behind.
	Progress map[string]Mark
	// Source is the first deep-link payload the user arrived with (a
	// campaign or referral code), kept for operators.
	Source string
	// Created is when the user first wrote; zero for a new session.
	Created time.Time

	// Transitions made while handling the current event; the Store
	// appends them to the user's log.
	Transitions []Transition
	// Input is what the user's next typed message answers (a field of an
	// order item, a rate), or "" when the guide is in charge.
	Input string
	// Drafts are the user's order drafts, usable only during Store.Update
	// (they belong to its transaction).
	Drafts Drafts
	// Ticket is the user's open support ticket, 0 when the guide is in
	// charge; Tickets opens and closes them (transaction-bound, like
	// Drafts).
	Ticket  int64
	Tickets Tickets
	// Forget asks the Store to delete everything it keeps about the user
	// instead of saving the session.
	Forget bool
	// Recent are the user's last typed messages (at most 5, never one
	// that looked like it held a code or password), shown to the support
	// agent who takes a ticket.
	Recent []string
	// Unknown are Chinese texts the user asked about that the glossary
	// does not explain; the Store counts them for content editors.
	Unknown []string
}

// New reports whether the session has never been stored.
func (s *Session) New() bool { return s.Created.IsZero() }

// Transition is one entry of a user's log.
type Transition struct {
	Event string
	From  string
	To    string
}

// Store keeps sessions. Implementations live in adapters (SQLite).
type Store interface {
	// Update loads the session of userID (a new one, at no step, if the
	// user is unknown), calls fn, and saves the session together with
	// updateID in one transaction. If updateID (non-zero) was already
	// processed, fn is not called and ErrDuplicate is returned. If fn
	// returns an error nothing is saved.
	Update(ctx context.Context, userID, updateID int64, fn func(*Session) error) error
}

// ErrDuplicate reports an update that was already applied.
var ErrDuplicate = errors.New("update already processed")

// Inbound is an update received by a transport and not yet handled, kept
// as the transport received it.
type Inbound struct {
	UpdateID int64
	UserID   int64
	Payload  []byte
	// Remember: the update was handled outside the engine (the support
	// chat, an inline query), so InboxDone records it as processed.
	Remember bool
}

// Inbox keeps received updates durable between their arrival and the end
// of their handling, so that a transport can confirm receipt before it
// handles them without risking their loss.
type Inbox interface {
	// InboxAdd stores updates and returns the ones that are new (neither
	// stored nor processed before).
	InboxAdd(ctx context.Context, items []Inbound) ([]Inbound, error)
	// InboxPending returns the stored updates, oldest first.
	InboxPending(ctx context.Context) ([]Inbound, error)
	// InboxDone forgets handled updates, remembering as processed those
	// marked Remember.
	InboxDone(ctx context.Context, items ...Inbound) error
}
