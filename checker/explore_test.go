package checker

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gexit-dev/gexit/spec"
)

func smallOptions(gs int) ExploreOptions {
	c, _ := spec.Preset("small")
	b := spec.DefaultBounds(gs)
	b.NoSystem, b.NoGC, b.NoAssist, b.NoDirty, b.NoProcResize, b.NoGoyield = true, true, true, true, true, true
	b.StackSizes = nil
	return ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: b}
}

// The correct spec explores clean and complete within a small bound, and
// reaches the exit path's branches.
func TestExploreClean(t *testing.T) {
	if raceEnabled {
		// 586k states with the wakeup protocol: make test runs it
		// without -race.
		t.Skip("long")
	}
	o := smallOptions(2)
	o.Bounds.NoSyscalls = true
	o.Bounds.MaxStack = 0
	r, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) != 0 {
		t.Fatalf("violation: %s %s", r.Violations[0].Name, r.Violations[0].Detail)
	}
	if !r.Complete || r.States < 1000 {
		t.Fatalf("complete=%v states=%d", r.Complete, r.States)
	}
	for _, b := range []string{"exit", "checkdead/goexit", "exit/locked:mexit", "exit/locked:m0wedged", "schedule/steal",
		"schedule/stealnext", "schedule/tick", "schedule/global", "schedule/startlockedm", "exit/main returns"} {
		if r.Coverage[b] == 0 {
			t.Errorf("branch %s never reached", b)
		}
	}
	if r.Terminal[spec.GoexitDeadlock.String()] == 0 {
		t.Error("no Goexit deadlock terminal state")
	}
}

// loseStackFreedG is a planted broken transition: when gfput frees a
// stack, the G it just pushed is dropped from the free list.
func loseStackFreedG(s *spec.State, op spec.Op) (spec.Result, error) {
	r, err := s.Apply(op)
	if err == nil && (op.Kind == spec.OpExit || op.Kind == spec.OpGoexit) && r.StackFreed {
		p := &s.Ps[s.Ms[op.M].P]
		if n := len(p.GFree); n > 0 && p.GFree[n-1] == r.G {
			p.GFree = p.GFree[:n-1]
			p.GFreeSize--
		}
	}
	return r, err
}

// A planted broken transition: gfput "forgets" to push the G when it frees
// its stack. The explorer finds the lost G and a shortest path to it.
func TestExploreFindsPlantedBug(t *testing.T) {
	o := smallOptions(3)
	o.Bounds.NoSyscalls, o.Bounds.NoLocks = true, true
	o.StopAtFirst = true
	o.Step = loseStackFreedG
	r, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) != 1 {
		t.Fatalf("%d violations, want 1", len(r.Violations))
	}
	v := r.Violations[0]
	if v.Name != "DeadIffFree" {
		t.Fatalf("found %s: %s", v.Name, v.Detail)
	}
	// The shortest path: spawn (goidrefill is not needed: P0 has a batch),
	// newproc1, runqput, run it (schedule after main parks or yields),
	// grow its stack, exit. BFS guarantees no shorter path exists.
	var ops []string
	for _, st := range v.Path {
		ops = append(ops, st.Op.Kind.String())
	}
	got := strings.Join(ops, " ")
	if len(v.Path) > 6 || !strings.HasSuffix(got, "growstack exit") && !strings.HasSuffix(got, "growstack goexit") {
		t.Fatalf("path %d steps: %s", len(v.Path), got)
	}
	if len(v.Path[len(v.Path)-1].Changes) == 0 {
		t.Fatal("the last step shows no state change")
	}
}

// A reachable throw is a violation.
func TestExploreReportsThrow(t *testing.T) {
	o := smallOptions(2)
	o.StopAtFirst = true
	o.Step = func(s *spec.State, op spec.Op) (spec.Result, error) {
		if op.Kind == spec.OpGosched {
			return spec.Result{}, &spec.Throw{Msg: "planted", Func: "test"}
		}
		return s.Apply(op)
	}
	r, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) != 1 || r.Violations[0].Kind != "throw" || len(r.Violations[0].Path) != 1 {
		t.Fatalf("%+v", r.Violations)
	}
}

// Depth and state bounds stop the search and say so.
func TestExploreBounds(t *testing.T) {
	o := smallOptions(3)
	o.Depth = 3
	r, err := Explore(context.Background(), o)
	if err != nil || r.StoppedBy != "depth" || r.MaxDepth != 3 {
		t.Fatalf("%v %+v", err, r)
	}
	o.Depth, o.MaxStates = 0, 100
	r, err = Explore(context.Background(), o)
	if err != nil || r.StoppedBy != "max-states" || r.Complete {
		t.Fatalf("%v stopped=%s complete=%v", err, r.StoppedBy, r.Complete)
	}
}

// Progress reports carry the resident memory and -max-memory, so that a
// long run shows how near it is to stopping for memory.
func TestExploreProgressMemory(t *testing.T) {
	o := smallOptions(2)
	o.MaxStates, o.MaxMemory, o.progressGap = 20000, 1<<40, time.Nanosecond
	var reports []ExploreProgress
	o.Progress = func(p ExploreProgress) { reports = append(reports, p) }
	r, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) == 0 {
		t.Fatalf("%d transitions and no progress report", r.Transitions)
	}
	for _, p := range reports {
		if p.Resident == 0 || p.MaxMemory != o.MaxMemory || p.States == 0 || p.States > r.States {
			t.Fatalf("report %+v (run: %d states)", p, r.States)
		}
	}
}

// MaxTime stops the exploration with verdict unknown (StoppedBy
// "max-time"), and, with Liveness, stops the search for fair loops after
// a complete exploration: every state explored and checked, the liveness
// verdicts unknown. The controls: a generous MaxTime changes nothing.
func TestExploreMaxTime(t *testing.T) {
	// 1 P: about 10k states and 21k transitions, past the first check
	// of the clock (at 0x4000 transitions); 2 Ps took 13 s a run under
	// -race.
	o := smallOptions(1)
	o.Config.Ps = 1
	full, err := Explore(context.Background(), o)
	if err != nil || !full.Complete || full.Transitions <= 0x4000 {
		t.Fatalf("%v complete=%v, %d transitions", err, full.Complete, full.Transitions)
	}
	o.MaxTime = time.Nanosecond
	r, err := Explore(context.Background(), o)
	if err != nil || r.StoppedBy != "max-time" || r.Complete || r.States >= full.States {
		t.Fatalf("MaxTime 1ns: %v stopped=%q complete=%v, %d of %d states", err, r.StoppedBy, r.Complete, r.States, full.States)
	}
	o.MaxTime = time.Hour
	if r, err = Explore(context.Background(), o); err != nil || !r.Complete || r.StoppedBy != "" || r.States != full.States {
		t.Fatalf("MaxTime 1h: %v stopped=%q complete=%v, %d of %d states", err, r.StoppedBy, r.Complete, r.States, full.States)
	}

	lo := liveOptions(1, 1, coreBounds(2))
	live, err := Explore(context.Background(), lo)
	if err != nil || !live.Complete || len(live.Liveness) == 0 {
		t.Fatalf("liveness: %v complete=%v", err, live.Complete)
	}
	for _, l := range live.Liveness {
		if l.Unknown {
			t.Fatalf("liveness control: %s unknown", l.Name)
		}
	}
	// The exploration's clock stays at 0; the search for loops finds it
	// past MaxTime.
	lo.MaxTime = time.Minute
	lo.elapsed = func(liveness bool) time.Duration {
		if liveness {
			return time.Hour
		}
		return 0
	}
	r, err = Explore(context.Background(), lo)
	if err != nil || r.StoppedBy != "max-time" || r.Complete || r.States != live.States || r.LivenessStats == nil || !r.LivenessStats.Interrupted {
		t.Fatalf("liveness stopped: %v stopped=%q complete=%v, %d of %d states, stats %+v", err, r.StoppedBy, r.Complete, r.States, live.States, r.LivenessStats)
	}
	for _, l := range r.Liveness {
		if !l.Unknown || l.Holds {
			t.Fatalf("liveness stopped: %s unknown=%v holds=%v", l.Name, l.Unknown, l.Holds)
		}
	}
}

// gfput's spill and gfget's refill need more dead Gs than a P's free list
// holds (preset small: 4): the default bound (3 Gs) never reaches them
// (a review planted a spill that loses a G, and the default explore said
// ok). At 1 P, 1 M, 5 Gs, core families, the explorer reaches both,
// completes clean (control), and finds the planted spill (a G dropped
// from the P's list when gfput spills: dead on no list).
func TestExploreReachesSpillAndRefill(t *testing.T) {
	if raceEnabled {
		t.Skip("make test runs it without -race (one worker: nothing for -race to see)")
	}
	c, _ := spec.Preset("small")
	o := ExploreOptions{Config: spec.Config{Consts: c, Ps: 1, Ms: 1}, Bounds: coreBounds(5), Workers: 1}
	r, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) != 0 || !r.Complete {
		t.Fatalf("clean spec: %d violations, complete %v", len(r.Violations), r.Complete)
	}
	for _, b := range []string{"exit/spill", "goexit/spill", "newproc1/refill"} {
		if r.Coverage[b] == 0 {
			t.Errorf("branch %s never reached in %d states", b, r.States)
		}
	}
	o.StopAtFirst = true
	o.Step = func(s *spec.State, op spec.Op) (spec.Result, error) {
		r, err := s.Apply(op)
		if err == nil && r.Spilled != 0 && (op.Kind == spec.OpExit || op.Kind == spec.OpGoexit) {
			p := &s.Ps[s.Ms[op.M].P]
			if n := len(p.GFree); n > 0 {
				p.GFree = p.GFree[:n-1]
				p.GFreeSize--
			}
		}
		return r, err
	}
	r, err = Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) != 1 || r.Violations[0].Name != "DeadIffFree" {
		t.Fatalf("the spill that loses a G: %+v", r.Violations)
	}
}

// A planted newproc1 that lets a G from a free list keep its goid (the
// review's: every state invariant held, at every bound and with every
// reduction off, though a recycled G could become a second main). The
// step invariant GoidFresh finds it, with the default reductions, at the
// newproc1 that reissues main's goid after main's Goexit; the control:
// the same bound without the plant is clean (one P under -race; every
// clean exploration checks GoidFresh too).
func TestExploreFindsReissuedGoid(t *testing.T) {
	o := smallOptions(2)
	o.Bounds.NoSyscalls, o.Bounds.NoLocks = true, true
	o.StopAtFirst, o.POR, o.Reduce = true, true, spec.AllReductions
	o.Step = func(s *spec.State, op spec.Op) (spec.Result, error) {
		if op.Kind != spec.OpNewproc1 {
			return s.Apply(op)
		}
		old := make([]int64, len(s.Gs))
		for i := range s.Gs {
			old[i] = s.Gs[i].Goid
		}
		r, err := s.Apply(op)
		if err == nil && r.How != spec.HowMalg && int(r.G) < len(old) {
			s.Gs[r.G].Goid, r.Goid = old[r.G], old[r.G]
		}
		return r, err
	}
	r, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) != 1 || r.Violations[0].Name != spec.GoidFresh {
		t.Fatalf("%+v", r.Violations)
	}
	if v := r.Violations[0]; v.Path[len(v.Path)-1].Op.Kind != spec.OpNewproc1 || !strings.Contains(v.Detail, "a goid issued again") {
		t.Fatalf("path ends in %v: %s", v.Path[len(v.Path)-1].Op, v.Detail)
	}
	o.Step = nil
	if raceEnabled {
		o.Config.Ps = 1
	}
	if r, err := Explore(context.Background(), o); err != nil || len(r.Violations) != 0 || !r.Complete {
		t.Fatalf("clean: %v %+v", err, r.Violations)
	}
}
