package telegram

import (
	"context"
	"sync"

	"github.com/buyerguide/bot/conversation"
)

// dispatcher runs updates on a bounded pool of workers: one user's updates
// one at a time in arrival order, different users in parallel. A user
// with queued updates is held by one worker until the queue is empty, so
// a slow user (waiting on their chat's rate limit, say) never holds up
// anyone else's updates.
type dispatcher struct {
	handle func(context.Context, conversation.Inbound)

	mu     sync.Mutex
	queues map[int64][]conversation.Inbound // present = a worker holds or will hold the user
	closed bool

	ready chan int64
	quit  chan struct{}
	wg    sync.WaitGroup
}

func newDispatcher(workers int, handle func(context.Context, conversation.Inbound)) *dispatcher {
	if workers < 1 {
		workers = 1
	}
	return &dispatcher{
		handle: handle,
		queues: map[int64][]conversation.Inbound{},
		ready:  make(chan int64, workers),
		quit:   make(chan struct{}),
	}
}

// start launches the workers. ctx is passed to every handled update; it
// should outlive the receivers so that updates in hand can finish.
func (d *dispatcher) start(ctx context.Context, workers int) {
	for range max(workers, 1) {
		d.wg.Add(1)
		go d.work(ctx)
	}
}

// push queues an update. It blocks while every worker is busy and the
// ready queue is full: backpressure on the receiver, which has already
// stored the update.
func (d *dispatcher) push(it conversation.Inbound) {
	d.mu.Lock()
	if d.closed {
		// Stored in the inbox: handled after the next start.
		d.mu.Unlock()
		return
	}
	q, held := d.queues[it.UserID]
	d.queues[it.UserID] = append(q, it)
	d.mu.Unlock()
	if held {
		return
	}
	select {
	case d.ready <- it.UserID:
	case <-d.quit:
	}
}

func (d *dispatcher) work(ctx context.Context) {
	defer d.wg.Done()
	for {
		select {
		case <-d.quit:
			return
		case uid := <-d.ready:
			d.drain(ctx, uid)
		}
	}
}

// drain handles a user's queue until it is empty or the dispatcher stops.
func (d *dispatcher) drain(ctx context.Context, uid int64) {
	for {
		d.mu.Lock()
		q := d.queues[uid]
		if len(q) == 0 || d.closed {
			delete(d.queues, uid)
			d.mu.Unlock()
			return
		}
		it := q[0]
		d.queues[uid] = q[1:]
		d.mu.Unlock()
		d.handle(ctx, it)
	}
}

// stop lets the workers finish the update each has in hand and returns
// when they have. Queued updates stay in the inbox for the next start.
func (d *dispatcher) stop() {
	d.mu.Lock()
	if !d.closed {
		d.closed = true
		close(d.quit)
	}
	d.mu.Unlock()
	d.wg.Wait()
}
