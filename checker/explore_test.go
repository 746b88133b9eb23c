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
	b.NoSystem, b.NoGC, b.NoAssist, b.NoDirty, b.NoProcResize = true, true, true, true, true
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
