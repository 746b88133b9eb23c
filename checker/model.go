package checker

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"
	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/spec"
)

// opInput is a porcupine operation's input: the spec op an impl event
// requested, and the event itself for descriptions.
type opInput struct {
	op    spec.Op
	ev    *impl.Event
	final *spec.State // for the closing observation: the impl's final state
	// anyTerminal: the closing observation leaves out how the program
	// ended (Sched.Terminal), for a run that wound down after a throw.
	anyTerminal bool
	// actor (the porcupine client) and k, the op's place among the
	// actor's ops: program order (see modelState).
	actor int
	k     int32
}

// modelState is the model's state: the spec's, and how many of each
// actor's ops the linearization has taken (done, by porcupine client).
//
// Program order. An actor's ops are sequential, and a linearization must
// take them in the order the actor made them. Timestamps alone do not say
// so: impl's free-running recording stamps an op's call with its actor's
// previous clock read, the previous op's return (impl's package doc,
// Timestamps), and at equal times porcupine orders calls before returns,
// which makes the two ops concurrent. So the model takes an actor's k-th
// op only after its first k. done is a function of which ops are
// linearized, so porcupine's cache (which pairs the linearized set with
// the state) does not grow with it.
type modelState struct {
	s    *spec.State
	done []int32
	buf  [6]int32 // done's storage for up to 4 Ms (one allocation a step)
}

// newModelState is a state with done a copy of done.
func newModelState(s *spec.State, done []int32) *modelState {
	n := &modelState{s: s}
	if len(done) <= len(n.buf) {
		n.done = n.buf[:len(done)]
	} else {
		n.done = make([]int32, len(done))
	}
	copy(n.done, done)
	return n
}

// Model returns the porcupine model of the spec under cfg: Step is the
// spec's transition function, and an operation is legal from a state when
// the spec allows the op there and its result is the one the
// implementation observed.
//
// Partitions: none. Every op reads or writes state shared by all Ms (the
// global run and free lists, other Ps' run queues through stealing, the
// goid generator), so no split of a history into independent
// sub-histories is sound; porcupine's cache (Equal/Hash of spec states)
// keeps the search near linear when ops rarely overlap, as they do here.
//
// A history may end with an observation (see CheckHistory) whose step is
// legal only in the state the implementation ended in, so a linearization
// must also explain the final state.
func Model(cfg spec.Config) porcupine.Model {
	c := cfg
	return porcupine.Model{
		Init: func() interface{} {
			s, err := spec.New(c)
			if err != nil {
				panic(err) // validated by the caller
			}
			return newModelState(s, make([]int32, c.Ms+2))
		},
		StepContext: func(ctx context.Context, state, input, output interface{}) (bool, interface{}) {
			st, ok1 := state.(*modelState)
			in, ok2 := input.(opInput)
			if !ok1 || !ok2 || (in.final == nil && in.ev == nil) {
				return false, state // not an operation of this model
			}
			if in.final != nil {
				f := in.final
				if in.anyTerminal && f.Sched.Terminal != st.s.Sched.Terminal {
					f = f.Clone()
					f.Sched.Terminal = st.s.Sched.Terminal
				}
				return st.s.EqualObserved(f), st
			}
			if in.actor < 0 || in.actor >= len(st.done) || st.done[in.actor] != in.k {
				return false, st // not the actor's next op
			}
			n := st.s.Clone()
			if _, why, _ := applyEvent(n, in.op, in.ev); why != "" {
				return false, st
			}
			next := newModelState(n, st.done)
			next.done[in.actor]++
			return true, next
		},
		Equal: func(a, b interface{}) bool {
			x, y := a.(*modelState), b.(*modelState)
			return x.s.Equal(y.s) && slices.Equal(x.done, y.done)
		},
		Hash: func(s interface{}) uint64 { return s.(*modelState).s.Hash() },
		// The descriptions are for reports: they describe what is not an
		// operation of this model rather than panic on it.
		DescribeOperation: func(input, output interface{}) string {
			in, ok := input.(opInput)
			switch {
			case !ok || (in.final == nil && in.ev == nil):
				return fmt.Sprintf("(not an operation of this model: %v)", input)
			case in.final != nil:
				return "final state"
			}
			return describeEvent(in.ev)
		},
		DescribeState: func(s interface{}) string {
			if st, ok := s.(*modelState); ok && st != nil && st.s != nil && st.s.Cfg != nil {
				return st.s.Dump()
			}
			return fmt.Sprintf("(not a state of this model: %v)", s)
		},
	}
}

func describeEvent(e *impl.Event) string {
	op, err := OpOf(e)
	if err != nil {
		return e.Op + " (" + err.Error() + ")"
	}
	var b strings.Builder
	b.WriteString(op.String())
	b.WriteString(" -> ")
	b.WriteString(describeOutput(e))
	return b.String()
}

// describeOutput renders an impl event's output like a spec.Result.
func describeOutput(e *impl.Event) string {
	r := eventResult(e)
	s := r.String()
	if e.Out.Throw != "" {
		s += ", throw: " + e.Out.Throw
	}
	return s
}

// Verdict is the outcome of a check.
type Verdict uint8

const (
	// Ok: the check passed.
	Ok Verdict = iota
	// Illegal: a violation was found.
	Illegal
	// Unknown: the check ran out of its budget; never a pass.
	Unknown
)

func (v Verdict) String() string {
	switch v {
	case Ok:
		return "ok"
	case Illegal:
		return "illegal"
	case Unknown:
		return "unknown"
	}
	return fmt.Sprintf("verdict(%d)", uint8(v))
}

// Operations converts an impl history into porcupine operations, plus (when
// final is not nil) a closing observation of the final state that starts
// after every op returned.
func Operations(h []impl.Event, final *spec.State, ms int) ([]porcupine.Operation, error) {
	return operations(h, Isolated(h), final, ms)
}

// operations is Operations with the events' isolation (Isolated) given.
func operations(h []impl.Event, iso []bool, final *spec.State, ms int) ([]porcupine.Operation, error) {
	ops := make([]porcupine.Operation, 0, len(h)+1)
	var last int64
	k := make([]int32, ms+2)    // ops of each actor so far
	prev := make([]int64, ms+2) // the Return of each actor's last op
	for i := range h {
		e := &h[i]
		op, err := strictOp(e, iso[i])
		if err != nil {
			return nil, fmt.Errorf("history event %d: %v", i, err)
		}
		if e.Return < e.Call {
			return nil, fmt.Errorf("history event %d returns (%d) before it is called (%d)", i, e.Return, e.Call)
		}
		a := clientID(e.M, ms)
		if a < 0 || a >= len(k) {
			return nil, fmt.Errorf("history event %d: actor %d is not one of the case's %d Ms, sysmon or the controller", i, e.M, ms)
		}
		if k[a] > 0 && e.Call < prev[a] {
			return nil, fmt.Errorf("history event %d is called (%d) before the previous op of its actor returned (%d): an actor's ops are sequential, in history order", i, e.Call, prev[a])
		}
		ops = append(ops, porcupine.Operation{ClientId: a, Input: opInput{op: op, ev: e, actor: a, k: k[a]}, Call: e.Call, Output: e.Out, Return: e.Return})
		k[a]++
		prev[a] = e.Return
		last = max(last, e.Return)
	}
	if final != nil {
		ops = append(ops, porcupine.Operation{ClientId: 0, Input: opInput{final: final}, Call: last + 1, Return: last + 2})
	}
	return ops, nil
}

// anyTerminal makes the closing observation of ops, if it has one, leave
// out how the program ended (a run that wound down after a throw: the
// throw and main's return race in impl's terminal).
func anyTerminal(ops []porcupine.Operation) {
	if n := len(ops); n > 0 {
		if in, ok := ops[n-1].Input.(opInput); ok && in.final != nil {
			in.anyTerminal = true
			ops[n-1].Input = in
		}
	}
}

// clientID maps actors to porcupine clients: Ms first, then sysmon and the
// controller after them.
func clientID(m, ms int) int {
	switch m {
	case impl.Sysmon:
		return ms
	case impl.Controller:
		return ms + 1
	}
	return m
}
