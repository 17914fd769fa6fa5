package conversation

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/buyerguide/bot/data"
	"github.com/looplab/fsm"
)

// FSM event names. Choices and jumps carry their argument after a colon.
const (
	evNext    = "next"
	evBack    = "back"
	evSkip    = "skip"
	evRestart = "restart"
	evChoose  = "choose:"
	evJump    = "jump:"
)

// guide is the guide data indexed for the engine, with the FSM definition
// built from it. It is immutable after newGuide.
type guide struct {
	data   *data.Guide
	steps  []*data.Step           // all steps in order
	index  map[string]int         // step key → position in steps
	stages map[string]*data.Stage // stage ID → stage
	first  string                 // the first step key
	events []fsm.EventDesc
	// machines are FSMs of this definition, reused across events: an FSM
	// is built once and then only SetState'd, which is far cheaper than
	// building the transition table for every update.
	machines sync.Pool
}

func newGuide(g *data.Guide) *guide {
	gd := &guide{data: g, index: map[string]int{}, stages: map[string]*data.Stage{}}
	for si := range g.Stages {
		st := &g.Stages[si]
		gd.stages[st.ID] = st
		for i := range st.Steps {
			gd.index[st.Steps[i].Key] = len(gd.steps)
			gd.steps = append(gd.steps, &st.Steps[i])
		}
	}
	gd.first = gd.steps[0].Key
	all := make([]string, len(gd.steps))
	for i, s := range gd.steps {
		all[i] = s.Key
	}
	for i, s := range gd.steps {
		// A question is answered with its choices, not with Next.
		if i+1 < len(gd.steps) && len(s.Choices) == 0 {
			gd.events = append(gd.events, fsm.EventDesc{Name: evNext, Src: []string{s.Key}, Dst: gd.steps[i+1].Key})
		}
		if i > 0 {
			gd.events = append(gd.events, fsm.EventDesc{Name: evBack, Src: []string{s.Key}, Dst: gd.steps[i-1].Key})
		}
		if s.SkipTo != "" {
			gd.events = append(gd.events, fsm.EventDesc{Name: evSkip, Src: []string{s.Key}, Dst: s.SkipTo})
		}
		for _, c := range s.Choices {
			to := c.To
			switch {
			case c.Finish:
				// Finishing keeps the buyer on the last step: the
				// engine marks it done and shows the completion screen.
				to = s.Key
			case to == "":
				to = gd.steps[i+1].Key
			}
			gd.events = append(gd.events, fsm.EventDesc{Name: evChoose + c.ID, Src: []string{s.Key}, Dst: to})
		}
	}
	for _, st := range g.Stages {
		gd.events = append(gd.events, fsm.EventDesc{Name: evJump + st.ID, Src: all, Dst: st.Steps[0].Key})
	}
	gd.events = append(gd.events, fsm.EventDesc{Name: evRestart, Src: all, Dst: gd.first})
	gd.machines.New = func() any { return fsm.NewFSM(gd.first, gd.events, nil) }
	return gd
}

// step returns the step of a key, or nil.
func (g *guide) step(key string) *data.Step {
	i, ok := g.index[key]
	if !ok {
		return nil
	}
	return g.steps[i]
}

// fire applies an FSM event to a state and returns the new state. moved is
// false when the event is valid but leads where the user already is.
func (g *guide) fire(ctx context.Context, from, event string) (to string, moved bool, err error) {
	m := g.machines.Get().(*fsm.FSM)
	defer g.machines.Put(m)
	m.SetState(from)
	err = m.Event(ctx, event)
	var same fsm.NoTransitionError
	switch {
	case errors.As(err, &same):
		return from, false, nil
	case err != nil:
		return from, false, fmt.Errorf("fsm: %s from %s: %w", event, from, err)
	}
	return m.Current(), true, nil
}

// back fires Back from a state, passing over the steps skipped reports
// (steps the buyer skipped or did not need): it lands on the nearest
// earlier step the buyer did not skip, the way they came. If every earlier
// step was skipped it lands on the first step. Each hop is a transition
// of the FSM.
func (g *guide) back(ctx context.Context, from string, skipped func(key string) bool) (to string, moved bool, err error) {
	to = from
	for g.can(to, evBack) {
		next, hop, err := g.fire(ctx, to, evBack)
		if err != nil {
			return from, false, err
		}
		if !hop {
			break
		}
		to = next
		if !skipped(to) {
			break
		}
	}
	return to, to != from, nil
}

// finishes reports whether a choice of a step finishes the guide.
func (g *guide) finishes(key, choiceID string) bool {
	s := g.step(key)
	if s == nil {
		return false
	}
	for _, c := range s.Choices {
		if c.ID == choiceID {
			return c.Finish
		}
	}
	return false
}

// last is the key of the guide's last step.
func (g *guide) last() string { return g.steps[len(g.steps)-1].Key }

// can reports whether an event is possible from a state.
func (g *guide) can(from, event string) bool {
	m := g.machines.Get().(*fsm.FSM)
	defer g.machines.Put(m)
	m.SetState(from)
	return m.Can(event)
}

// between returns the step keys from a (inclusive) up to b (exclusive) in
// guide order; empty when b is not after a.
func (g *guide) between(a, b string) []string {
	i, j := g.index[a], g.index[b]
	var keys []string
	for ; i < j; i++ {
		keys = append(keys, g.steps[i].Key)
	}
	return keys
}

// stagePosition returns a step's 1-based position in its stage and the
// stage's number of steps.
func (g *guide) stagePosition(key string) (pos, total int) {
	s := g.step(key)
	st := g.stages[s.Stage]
	for i, x := range st.Steps {
		if x.Key == key {
			pos = i + 1
		}
	}
	return pos, len(st.Steps)
}
