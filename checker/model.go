package checker

import (
	"context"
	"fmt"
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
			return s
		},
		StepContext: func(ctx context.Context, state, input, output interface{}) (bool, interface{}) {
			s, ok1 := state.(*spec.State)
			in, ok2 := input.(opInput)
			if !ok1 || !ok2 || (in.final == nil && in.ev == nil) {
				return false, state // not an operation of this model
			}
			if in.final != nil {
				return s.Equal(in.final), s
			}
			n := s.Clone()
			r, err := n.Apply(in.op)
			if Mismatch(in.op.Kind, &in.ev.Out, &r, err) != "" {
				return false, s
			}
			return true, n
		},
		Equal: func(a, b interface{}) bool { return a.(*spec.State).Equal(b.(*spec.State)) },
		Hash:  func(s interface{}) uint64 { return s.(*spec.State).Hash() },
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
			if st, ok := s.(*spec.State); ok && st != nil && st.Cfg != nil {
				return st.Dump()
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
	b.WriteString(describeOutput(&e.Out))
	return b.String()
}

// describeOutput renders an impl output like a spec.Result.
func describeOutput(o *impl.Output) string {
	r := resultOf(o)
	s := r.String()
	if o.Throw != "" {
		s += ", throw: " + o.Throw
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
	for i := range h {
		e := &h[i]
		op, err := strictOp(e, iso[i])
		if err != nil {
			return nil, fmt.Errorf("history event %d: %v", i, err)
		}
		if e.Return < e.Call {
			return nil, fmt.Errorf("history event %d returns (%d) before it is called (%d)", i, e.Return, e.Call)
		}
		ops = append(ops, porcupine.Operation{ClientId: clientID(e.M, ms), Input: opInput{op: op, ev: e}, Call: e.Call, Output: e.Out, Return: e.Return})
		last = max(last, e.Return)
	}
	if final != nil {
		ops = append(ops, porcupine.Operation{ClientId: 0, Input: opInput{final: final}, Call: last + 1, Return: last + 2})
	}
	return ops, nil
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
