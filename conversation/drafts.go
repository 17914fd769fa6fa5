package conversation

import (
	"context"
	"errors"
	"time"
)

// Draft statuses, in the order a buyer moves them.
const (
	StatusDraft   = "draft"
	StatusOrdered = "ordered"
	StatusPaid    = "paid"
)

// Limits of what a buyer keeps: beyond them a draft list or a draft is
// no longer a tool but a store, and the screens grow past a message.
const (
	MaxDrafts = 20 // drafts per user
	MaxItems  = 50 // items per draft, unfinished ones included
)

// statusMoves are the moves a draft's status may make: forward, or one
// step back for a mistake.
var statusMoves = map[[2]string]bool{
	{StatusDraft, StatusOrdered}: true,
	{StatusOrdered, StatusPaid}:  true,
	{StatusOrdered, StatusDraft}: true,
	{StatusPaid, StatusOrdered}:  true,
}

// Draft is an order a buyer prepares: items to order on 1688.
type Draft struct {
	ID int64
	// Number is the draft's number among the user's drafts (1, 2, ...),
	// what the user sees.
	Number  int
	Status  string
	Items   []Item
	Updated time.Time
}

// Item is one product line of a draft.
type Item struct {
	ID      int64
	Link    string
	OfferID string
	Title   string
	Spec    string // colour, size, free text
	Qty     int64
	UnitFen int64 // unit price in fen (1/100 CNY)
	Note    string
}

// Complete reports whether the required fields (link, quantity, price)
// are in; an item being entered is kept but not counted.
func (it Item) Complete() bool { return it.Link != "" && it.Qty > 0 && it.UnitFen > 0 }

// SubtotalFen is quantity × unit price.
func (it Item) SubtotalFen() int64 { return it.Qty * it.UnitFen }

// TotalFen is the sum of the complete items.
func (d Draft) TotalFen() int64 {
	var t int64
	for _, it := range d.Items {
		if it.Complete() {
			t += it.SubtotalFen()
		}
	}
	return t
}

// CompleteItems returns the items counted in the draft.
func (d Draft) CompleteItems() []Item {
	var out []Item
	for _, it := range d.Items {
		if it.Complete() {
			out = append(out, it)
		}
	}
	return out
}

// Drafts is a user's order drafts, bound to the transaction of the update
// being handled (Session.Drafts). Every method acts on the session's user
// only: an ID of another user's draft is not found.
type Drafts interface {
	List(ctx context.Context) ([]Draft, error)
	// Get returns a draft with its items, or ErrNotFound.
	Get(ctx context.Context, id int64) (*Draft, error)
	Create(ctx context.Context) (*Draft, error)
	Delete(ctx context.Context, id int64) error
	SetStatus(ctx context.Context, id int64, status string) error
	// SaveItem inserts (ID 0) or updates an item of a draft, setting its ID.
	SaveItem(ctx context.Context, draftID int64, it *Item) error
	DeleteItem(ctx context.Context, draftID, itemID int64) error
}

// ErrNotFound is returned by Drafts for a draft or item the user does not
// have (another user's, or deleted).
var ErrNotFound = errors.New("not found")
