package checker

import (
	"context"
	"fmt"
	"testing"

	"github.com/gexit-dev/gexit/spec"
)

// parkForgetsStoplockedm plants a progress fault: a locked G's park leaves
// its M holding the P with nothing to run, not in stoplockedm (which
// would hand the P off and sleep until the G is readied). No invariant
// sees it; nothing can move the M, and with no other G to ready the
// parked one nothing moves at all: a state where the explorer's progress
// check (spec.CheckProgress) must say HeldPWithNothingToRun.
func parkForgetsStoplockedm(s *spec.State, op spec.Op) (spec.Result, error) {
	r, err := s.Apply(op)
	if err == nil && op.Kind == spec.OpPark && op.M >= 0 && s.Ms[op.M].StopLocked {
		s.Ms[op.M].StopLocked = false
	}
	return r, err
}

// lockedOptions: 1 P, 2 Ms, 2 Gs, the core families and LockOSThread.
func lockedOptions() ExploreOptions {
	c, _ := spec.Preset("small")
	return ExploreOptions{Config: spec.Config{Consts: c, Ps: 1, Ms: 2}, Bounds: lockBounds(2, false)}
}

// The explorer's progress check, with its controls: clean, the bound
// completes with no violation (its quiescent states, a parked G no one
// will ready, pass the progress predicates); with the planted fault, its
// first violation is the progress one, two moves in (lockosthread, park).
func TestExploreFindsProgressViolation(t *testing.T) {
	clean, err := Explore(context.Background(), lockedOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(clean.Violations) != 0 || !clean.Complete || clean.Deadlocks == 0 {
		t.Fatalf("clean: %d violations, complete %v, %d quiescent states in %d", len(clean.Violations), clean.Complete, clean.Deadlocks, clean.States)
	}
	o := lockedOptions()
	o.Step, o.StopAtFirst = parkForgetsStoplockedm, true
	r, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) != 1 {
		t.Fatalf("%d violations, want 1: %+v", len(r.Violations), r.Violations)
	}
	v := r.Violations[0]
	if v.Kind != "progress" || v.Name != "HeldPWithNothingToRun" || len(v.Path) != 2 {
		t.Fatalf("found %s %s (%s) at %d steps, want progress HeldPWithNothingToRun at 2", v.Kind, v.Name, v.Detail, len(v.Path))
	}
	if r.Complete || r.StoppedBy != "first-violation" {
		t.Fatalf("complete %v, stopped by %q", r.Complete, r.StoppedBy)
	}
}

// stopmNotListed plants a lost M: stopm parks the thread without mput, so
// it is on no idle list and checkdead, which mput runs, never counts it
// idle. Once every G waits, nothing moves and the program stays alive,
// where the runtime throws "all goroutines are asleep - deadlock!" (or
// main's Goexit one).
func stopmNotListed(s *spec.State, op spec.Op) (spec.Result, error) {
	if op.Kind == spec.OpStopm && op.M >= 0 && s.Ms[op.M].Stopping {
		s.Ms[op.M].Stopping = false
		return spec.NewResult(), nil
	}
	return s.Apply(op)
}

// HangsWithNoDeadlock, with its controls: the clean bound (1 P, 2 Ms, 2
// Gs, core families) ends every quiescent run in checkdead's fatal
// error, and passes; with stopmNotListed the program hangs, a progress
// violation the predicates of stranded work did not see (a review found
// it ok), three moves in (goexit, schedule, stopm).
func TestExploreFindsHangWithNoDeadlock(t *testing.T) {
	c, _ := spec.Preset("small")
	o := ExploreOptions{Config: spec.Config{Consts: c, Ps: 1, Ms: 2}, Bounds: coreBounds(2)}
	clean, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(clean.Violations) != 0 || !clean.Complete {
		t.Fatalf("clean: %d violations, complete %v", len(clean.Violations), clean.Complete)
	}
	o.Step, o.StopAtFirst = stopmNotListed, true
	r, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) != 1 || r.Violations[0].Kind != "progress" || r.Violations[0].Name != "HangsWithNoDeadlock" {
		t.Fatalf("violations %+v, want progress HangsWithNoDeadlock", r.Violations)
	}
	if n := len(r.Violations[0].Path); n > 3 {
		t.Errorf("found at %d steps, want at most 3", n)
	}
}

// The first violation a search that stops at it reports is a shortest
// one, whatever its kind. A state's progress violation is found when its
// level (depth d) is expanded; a successor's invariant violation (depth
// d+1) of an earlier state of that level was reported before it, a path
// a step longer than the shortest. The planted faults: the progress one
// above (depth 2) and an ngsys miscount by stopm (NGSysCount, depth 3,
// found first in the level). Without StopAtFirst, every violation is
// kept and the list is in the order of depth (a path's steps are its
// moves here: no reduction makes composite moves).
func TestExploreFirstViolationIsShortest(t *testing.T) {
	both := func(s *spec.State, op spec.Op) (spec.Result, error) {
		r, err := parkForgetsStoplockedm(s, op)
		if err == nil && op.Kind == spec.OpStopm {
			s.Sched.NGSys += 5
		}
		return r, err
	}
	all := lockedOptions()
	all.Step, all.Workers = both, 1 // (the first 10 of each kind: BFS order within a kind)
	full, err := Explore(context.Background(), all)
	if err != nil {
		t.Fatal(err)
	}
	// The setup holds: both kinds are reachable, the invariant one
	// deeper.
	shortest := map[string]int{}
	for i, v := range full.Violations {
		if l, ok := shortest[v.Kind]; !ok || len(v.Path) < l {
			shortest[v.Kind] = len(v.Path)
		}
		if i > 0 && len(v.Path) < len(full.Violations[i-1].Path) {
			t.Fatalf("violation %d (%s %s) at %d moves after one at %d", i, v.Kind, v.Name, len(v.Path), len(full.Violations[i-1].Path))
		}
	}
	if shortest["progress"] != 2 || shortest["invariant"] != 3 {
		t.Fatalf("shortest violations by kind %v, want progress at 2 and invariant at 3", shortest)
	}
	if v := full.Violations[0]; v.Kind != "progress" {
		t.Fatalf("without StopAtFirst the first violation is %s %s at %d moves", v.Kind, v.Name, len(v.Path))
	}
	for _, workers := range []int{1, 2} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			o := lockedOptions()
			o.Step, o.StopAtFirst, o.Workers = both, true, workers
			r, err := Explore(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Violations) != 1 {
				t.Fatalf("%d violations, want 1", len(r.Violations))
			}
			if v := r.Violations[0]; v.Kind != "progress" || len(v.Path) != 2 {
				t.Fatalf("first violation %s %s at %d steps, want the progress one at 2", v.Kind, v.Name, len(v.Path))
			}
		})
	}
}

// MaxStates bounds every state counted, those that break an invariant
// included. Planted: every op miscounts ngsys, so that every successor of
// the initial state breaks NGSysCount; a search that keeps every
// violation counted them all, past the bound, and reported the search
// complete.
func TestExploreMaxStatesCountsViolations(t *testing.T) {
	o := lockedOptions()
	o.Step = func(s *spec.State, op spec.Op) (spec.Result, error) {
		r, err := s.Apply(op)
		if err == nil {
			s.Sched.NGSys += 5
		}
		return r, err
	}
	o.KeepViolations = 1 << 20
	all, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if all.States < 4 || len(all.Violations) != all.States-1 || !all.Complete {
		t.Fatalf("unbounded: %d states, %d violations, complete %v", all.States, len(all.Violations), all.Complete)
	}
	for max := 2; max < all.States; max++ {
		o.MaxStates = max
		r, err := Explore(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if r.States != max || r.StoppedBy != "max-states" || r.Complete || len(r.Violations) != max-1 {
			t.Fatalf("MaxStates %d: %d states, stopped by %q, complete %v, %d violations", max, r.States, r.StoppedBy, r.Complete, len(r.Violations))
		}
	}
}

// A search bounded by depth judges the states at its bound as states:
// how the program ended there, and whether one makes no progress. The
// planted progress fault's state is two moves deep: a search bounded at
// 2 finds it (before, the last level was never judged, and the run said
// "complete up to the -depth bound" with no violation), one bounded at 1
// does not. Clean, a search bounded at the complete space's own depth
// judges the same states as the unbounded one.
func TestExploreDepthJudgesItsLastLevel(t *testing.T) {
	for _, depth := range []int{1, 2} {
		o := lockedOptions()
		o.Step, o.StopAtFirst, o.Depth = parkForgetsStoplockedm, true, depth
		r, err := Explore(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case depth == 1 && (len(r.Violations) != 0 || r.StoppedBy != "depth"):
			t.Fatalf("depth 1: %d violations, stopped by %q", len(r.Violations), r.StoppedBy)
		case depth == 2 && (len(r.Violations) != 1 || r.Violations[0].Kind != "progress" || len(r.Violations[0].Path) != 2):
			t.Fatalf("depth 2: %+v, stopped by %q", r.Violations, r.StoppedBy)
		}
	}
	full, err := Explore(context.Background(), lockedOptions())
	if err != nil {
		t.Fatal(err)
	}
	o := lockedOptions()
	o.Depth = full.MaxDepth
	bounded, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if bounded.States != full.States || bounded.Deadlocks != full.Deadlocks || fmt.Sprint(bounded.Terminal) != fmt.Sprint(full.Terminal) {
		t.Fatalf("bounded at depth %d: %d states, %d quiescent, ends %v; unbounded: %d, %d, %v",
			o.Depth, bounded.States, bounded.Deadlocks, bounded.Terminal, full.States, full.Deadlocks, full.Terminal)
	}
}
