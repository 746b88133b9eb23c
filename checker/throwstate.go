package checker

import (
	"fmt"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/spec"
)

// What became of the check of the state at a throw (Outcome.ThrowState):
// checked, or why not. A run that ends at a throw has no quiescent final
// state, and its ops are judged by linearizability without one; the state
// at the throw is compared with the spec's after the ops recorded up to
// the throw only where that state holds those ops and nothing else.
const (
	// ThrowStateChecked: the implementation's state at the throw was
	// the spec's after the same ops.
	ThrowStateChecked = "checked"
	// ThrowStateInOp: an actor (an M, sysmon, the controller) was inside
	// an op at the throw, begun and not committed: the state holds its
	// writes so far, which no recorded op explains (impl's
	// ThrowState.InOp).
	ThrowStateInOp = "an actor inside an op"
	// ThrowStateUndecided: ops recorded up to the throw overlapped, and
	// the search for an order of them that ends in the state at the
	// throw did not finish within the case's budget. The case is then
	// unknown, unless the check of the whole history finds it illegal.
	ThrowStateUndecided = "undecided within the budget"
	// ThrowStateFree: free-running, where the other actors run on while
	// the throwing one stops: no state is the throw's. The run's final
	// state, after the others wound down, is still the closing
	// observation of its linearizability check (Judge), as for every run
	// that ends at a throw.
	ThrowStateFree = "free-running"
	// ThrowStateUnrecorded: the run (a history saved before the state at
	// the throw was recorded) has none.
	ThrowStateUnrecorded = "no state recorded at the throw"
	// ThrowStateNoReplay: the spec's replay of the ops did not reach the
	// throw (an op's output is not the spec's, which the
	// linearizability check names).
	ThrowStateNoReplay = "the spec's replay did not reach the throw"
)

// ThrowStateSkips lists the reasons a check of the state at a throw is
// skipped, in the order reports print them.
var ThrowStateSkips = []string{ThrowStateInOp, ThrowStateUndecided, ThrowStateFree, ThrowStateUnrecorded, ThrowStateNoReplay}

// checkThrowState judges the implementation's state at the throw res
// ended at (impl's Result.AtThrow) against the spec's after the ops
// recorded up to the throw, and sets o.ThrowState to what it did. It
// returns how the states differ, with the index of the op that threw; ""
// when they agree or the check is skipped.
//
// Soundness. The state at the throw is taken by the throwing actor as its
// op commits, in a deterministic mode, while every other actor waits at a
// scheduling point. An actor waiting between two ops has made all its
// writes in ops it committed (or in ops it dropped, which wrote nothing
// the spec holds: impl's abandon); one waiting inside an op has made
// writes no recorded op explains, and the check is skipped
// (ThrowStateInOp: the run TestThrowWithAnMInsideAnOpPasses keeps). With
// no actor inside an op, the ops recorded by the throw are exactly those
// whose Return is at most the throwing op's (the deterministic clock
// stamps each commit in order; an op begun after the throw is called
// after it, and one begun before it and not committed by then was inside
// an op), and the state at the throw is the state after them, in the
// order they took effect. When no two of them overlap that order is
// their history order, which the spec replays; otherwise porcupine
// searches the orders their intervals allow for one that ends in the
// state at the throw (the closing observation of a linearizability
// check, as for a quiescent final state), within budget.
func (o *Outcome) checkThrowState(scfg spec.Config, res *impl.Result, ms int, budget time.Duration) (string, int) {
	at := res.AtThrow
	switch {
	case o.Case.Mode == "free":
		o.ThrowState = ThrowStateFree
		return "", 0
	case at == nil:
		o.ThrowState = ThrowStateUnrecorded
		return "", 0
	case len(at.InOp) > 0:
		o.ThrowState = ThrowStateInOp
		o.ThrowInOp = at.InOp
		return "", 0
	}
	h := res.History
	t := throwingOp(h, res.Throw)
	if t < 0 {
		o.ThrowState = ThrowStateNoReplay
		return "", 0
	}
	var pre []impl.Event
	for i := range h {
		if h[i].Return <= h[t].Return {
			pre = append(pre, h[i])
		}
	}
	got, err := StateOf(&scfg, &at.Snapshot)
	if err != nil {
		o.ThrowState = ThrowStateChecked
		return "the implementation's state at the throw: " + err.Error(), t
	}
	iso := Isolated(pre)
	if !allTrue(iso) {
		return o.searchThrowState(scfg, pre, iso, got, ms, budget), t
	}
	s, err := spec.New(scfg)
	if err != nil {
		o.ThrowState = ThrowStateNoReplay
		return "", 0
	}
	for j := range pre {
		e := &pre[j]
		op, err := strictOp(e, true)
		if err != nil {
			o.ThrowState = ThrowStateNoReplay
			return "", 0
		}
		// The throwing op is the last of pre (no two overlap): the
		// spec must throw there and only there.
		_, m, aerr := applyEvent(s, op, e)
		if m != "" || (aerr == nil) == (j == len(pre)-1) {
			o.ThrowState = ThrowStateNoReplay
			return "", 0
		}
	}
	o.ThrowState = ThrowStateChecked
	got.AdoptHistory(s)
	if !got.Equal(s) {
		return "at the throw, the implementation's state differs from the spec's after the ops recorded up to it:\n" + indent(spec.Diff(s, got)), t
	}
	return "", 0
}

// searchThrowState is checkThrowState's search where the ops pre,
// recorded up to the throw, overlap: porcupine, with the state at the
// throw got as the closing observation.
func (o *Outcome) searchThrowState(scfg spec.Config, pre []impl.Event, iso []bool, got *spec.State, ms int, budget time.Duration) string {
	ops, err := operations(pre, iso, got, ms)
	if err != nil {
		o.ThrowState = ThrowStateNoReplay
		return ""
	}
	verdict, info := checkThrowOps(Model(scfg), ops, budget)
	switch verdict {
	case porcupine.Ok:
		o.ThrowState = ThrowStateChecked
		return ""
	case porcupine.Unknown:
		o.ThrowState = ThrowStateUndecided
		return ""
	}
	at, why := firstUnlinearizable(scfg, ops, info)
	if at != len(pre) {
		// An op of pre no order admits: the linearizability check of
		// the whole history names it.
		o.ThrowState = ThrowStateNoReplay
		return ""
	}
	o.ThrowState = ThrowStateChecked
	diff := ""
	if i := strings.IndexByte(why, '\n'); i >= 0 {
		diff = why[i:]
	}
	return fmt.Sprintf("at the throw, no order of the %d ops recorded up to it ends in the implementation's state there; the spec's after the longest order found, against it:%s", len(pre), diff)
}

// checkThrowOps is searchThrowState's linearizability check (a variable
// for the test of a search that runs out of its budget).
var checkThrowOps = checkOps

func allTrue(b []bool) bool {
	for _, x := range b {
		if !x {
			return false
		}
	}
	return true
}

// throwingOp is the index in h of the op that raised the run's throw (the
// first to commit with it), or -1.
func throwingOp(h []impl.Event, throw string) int {
	t := -1
	for i := range h {
		if h[i].Out.Throw == throw && (t < 0 || h[i].Return < h[t].Return) {
			t = i
		}
	}
	return t
}
