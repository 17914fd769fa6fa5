package telegram

import (
	"context"
	"log/slog"
	"time"

	"github.com/buyerguide/bot/conversation"
)

// maxDoneBatch bounds one inbox clean-up transaction.
const maxDoneBatch = 256

// doneQueue takes handled updates out of the inbox in batches: under load
// one transaction removes many updates instead of one each, and when the
// bot is quiet an update leaves at once. An update whose removal had not
// been written when the process died is handled again after the restart;
// the engine recognises it and shows the user's current step (the
// README's "a reply is sent at least once").
type doneQueue struct {
	store   conversation.Inbox
	log     *slog.Logger
	handled func(updateID int64)
	in      chan conversation.Inbound
	stopped chan struct{}
}

func newDoneQueue(store conversation.Inbox, log *slog.Logger, handled func(int64)) *doneQueue {
	q := &doneQueue{store: store, log: log, handled: handled,
		in: make(chan conversation.Inbound, maxDoneBatch), stopped: make(chan struct{})}
	go q.run()
	return q
}

// add queues a handled update.
func (q *doneQueue) add(it conversation.Inbound) {
	it.Payload = nil // not needed any more: let it go
	q.in <- it
}

// close writes what is queued and returns once it is written. No add may
// follow.
func (q *doneQueue) close() {
	close(q.in)
	<-q.stopped
}

func (q *doneQueue) run() {
	defer close(q.stopped)
	batch := make([]conversation.Inbound, 0, maxDoneBatch)
	for it := range q.in {
		batch = append(batch[:0], it)
	more:
		for len(batch) < maxDoneBatch {
			select {
			case it, ok := <-q.in:
				if !ok {
					break more
				}
				batch = append(batch, it)
			default:
				break more
			}
		}
		// Not tied to any update's context: the removal must be written
		// even when the update's own time ran out, or at shutdown.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := q.store.InboxDone(ctx, batch...); err != nil {
			q.log.Error("inbox", "updates", len(batch), "err", err)
		}
		cancel()
		if q.handled != nil {
			for _, it := range batch {
				q.handled(it.UpdateID)
			}
		}
	}
}
