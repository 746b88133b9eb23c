package checker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gexit-dev/gexit/spec"
)

// liveOptions explores ps Ps, ms Ms under b, preset small, with the
// liveness check.
func liveOptions(ps, ms int, b spec.Bounds) ExploreOptions {
	c, _ := spec.Preset("small")
	return ExploreOptions{Config: spec.Config{Consts: c, Ps: ps, Ms: ms}, Bounds: b, Liveness: true}
}

// lockBounds are coreBounds with the locks family (LockOSThread), and
// the syscalls family (entersyscall, exitsyscall, sysmon's retake) when
// sys is set: the families that hand Ps off.
func lockBounds(gs int, sys bool) spec.Bounds {
	b := coreBounds(gs)
	b.NoLocks, b.NoSyscalls = false, !sys
	return b
}

// syscallBounds are coreBounds with system calls.
func syscallBounds(gs int) spec.Bounds {
	b := coreBounds(gs)
	b.NoSyscalls = false
	return b
}

// gcGoschedBounds are coreBounds with the gc family: GC cycles while
// main goschedes forever.
func gcGoschedBounds(gs int) spec.Bounds {
	b := coreBounds(gs)
	b.NoGC, b.MaxStack = false, 0
	return b
}

// gcSyscallBounds are gcBounds with system calls: stop-the-worlds that
// must take, or have sysmon take, the Ps of threads in calls.
func gcSyscallBounds(gs int) spec.Bounds {
	b := gcBounds(gs)
	b.NoSyscalls = false
	return b
}

func liveness(t *testing.T, r *ExploreResult, name string) LivenessResult {
	t.Helper()
	for _, l := range r.Liveness {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("no liveness verdict for %s in %+v", name, r.Liveness)
	return LivenessResult{}
}

// The spec's own liveness: every property holds at these bounds, each
// judged in many states, and the liveness check explores exactly what an
// exploration without it does.
func TestLivenessHoldsOnTheSpec(t *testing.T) {
	for _, tc := range []struct {
		name   string
		o      ExploreOptions
		judged []string // properties with states to judge
	}{
		{name: "2P2M2G core", o: liveOptions(2, 2, coreBounds(2)), judged: []string{"RunnableGRuns", "GlobalRunqServed", "IdlePsPutToWork"}},
		{name: "1P1M4G core", o: liveOptions(1, 1, coreBounds(4)), judged: []string{"RunnableGRuns", "GlobalRunqServed"}},
		{name: "2P2M1G locks", o: liveOptions(2, 2, lockBounds(1, false)), judged: []string{"RunnableGRuns", "GlobalRunqServed", "HandedOffPTaken", "LockedGRunsOnItsM", "IdlePsPutToWork"}},
		{name: "1P2M2G locks and syscalls", o: liveOptions(1, 2, lockBounds(2, true)), judged: []string{"RunnableGRuns", "GlobalRunqServed", "HandedOffPTaken", "LockedGRunsOnItsM"}},
		{name: "1P2M2G syscalls", o: liveOptions(1, 2, syscallBounds(2)), judged: []string{"RunnableGRuns", "GlobalRunqServed", "HandedOffPTaken"}},
		{name: "1P2M1G gc and syscalls", o: liveOptions(1, 2, gcSyscallBounds(1)), judged: []string{"RunnableGRuns", "GlobalRunqServed", "HandedOffPTaken", "IdlePsPutToWork", "StopTheWorldCompletes", "GCMarkEnds"}},
		{name: "1P1M3G gc and gosched", o: liveOptions(1, 1, gcGoschedBounds(3)), judged: []string{"RunnableGRuns", "GlobalRunqServed", "StopTheWorldCompletes", "GCMarkEnds"}},
		{name: "2P2M1G gc", o: liveOptions(2, 2, gcBounds(1)), judged: []string{"RunnableGRuns", "HandedOffPTaken", "IdlePsPutToWork", "StopTheWorldCompletes", "GCMarkEnds"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if raceEnabled {
				// make test runs every row without -race;
				// TestExploreWorkersLiveness runs the liveness check's
				// workers under it.
				t.Skip("make test runs it without -race")
			}
			r, err := Explore(context.Background(), tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Violations) != 0 || !r.Complete {
				t.Fatalf("complete=%v violations %+v", r.Complete, r.Violations)
			}
			if len(r.Liveness) != len(LivenessProperties) {
				t.Fatalf("%d verdicts, want %d", len(r.Liveness), len(LivenessProperties))
			}
			for _, l := range r.Liveness {
				if !l.Holds || l.Unknown || l.Lasso != nil {
					t.Errorf("%s: holds=%v unknown=%v\n%s", l.Name, l.Holds, l.Unknown, lassoText(l.Lasso))
				}
			}
			for _, name := range tc.judged {
				if l := liveness(t, r, name); l.CheckedStates < 100 {
					t.Errorf("%s judged in %d states only", name, l.CheckedStates)
				}
			}
			plain := tc.o
			plain.Liveness = false
			p, err := Explore(context.Background(), plain)
			if err != nil {
				t.Fatal(err)
			}
			if p.States != r.States || p.Transitions != r.Transitions || p.MaxDepth != r.MaxDepth ||
				digestCounts(p.Coverage) != digestCounts(r.Coverage) || digestCounts(p.Terminal) != digestCounts(r.Terminal) {
				t.Fatalf("with liveness: %d states %d transitions depth %d; without: %d %d %d",
					r.States, r.Transitions, r.MaxDepth, p.States, p.Transitions, p.MaxDepth)
			}
			if p.Liveness != nil || p.LivenessStats != nil {
				t.Fatal("an exploration without liveness reports liveness")
			}
			st := r.LivenessStats
			if st.Edges == 0 || st.Edges > r.Transitions || st.Bytes == 0 {
				t.Fatalf("stats %+v", st)
			}
			t.Logf("%d states, %d strict edges of %d transitions, %d nodes, %.1f B/state", r.States, st.Edges, r.Transitions, st.Nodes, float64(st.Bytes)/float64(r.States))
		})
	}
}

// Each fairness condition is needed: without it the spec has a lasso (a
// loop the runtime cannot take), and with it the property holds.
func TestLivenessFairnessIsNeeded(t *testing.T) {
	skipLivenessUnderRace(t)
	noStack := lockBounds(2, false)
	noStack.MaxStack = 0 // growstack is not needed; the space is 4x smaller
	core2 := coreBounds(2)
	core2.MaxStack = 0
	ctlBounds := coreBounds(1)
	ctlBounds.NoGC, ctlBounds.MaxStack = false, 0
	stwBounds := coreBounds(1)
	stwBounds.NoGC, stwBounds.NoSyscalls, stwBounds.MaxStack = false, false, 0
	sysBounds := coreBounds(1)
	sysBounds.NoSyscalls, sysBounds.MaxStack = false, 0
	for _, tc := range []struct {
		cond Fairness
		o    ExploreOptions
		prop string
		why  string // what the loop must show
		long bool   // 285k states, twice: skipped under -short and -race
	}{
		// Two Gs readying each other through runnext share one time
		// slice forever; the third never leaves the ring.
		{FairTimeSlice, liveOptions(1, 1, coreBounds(3)), "RunnableGRuns", "no new time slice", false},
		// A free M takes the idle P and goes idle again, forever, while
		// the handed-off P waits.
		{FairHandoff, liveOptions(2, 2, lockBounds(1, false)), "HandedOffPTaken", "acquirable, never acquired", false},
		// m0 wedged after its locked main goroutine's Goexit, the other
		// M busy forever: only a new M (newm) could take the P.
		{FairNewM, liveOptions(2, 2, noStack), "HandedOffPTaken", "no free M", true},
		// An M that never steps starves what it would run: main,
		// back in the queue after its gosched, stays there (a
		// stutter: only M0 could step).
		{FairMs, liveOptions(2, 2, core2), "RunnableGRuns", "an M never steps", false},
		// The controller's wakep after a GC's stop-the-world took the
		// idle P for its startm and never makes it: the P stays handed
		// off with no M named, which no M may acquire (a stutter).
		{FairStartTheWorld, liveOptions(2, 2, ctlBounds), "HandedOffPTaken", "the controller's wakep never steps", false},
		// GC cycles stop M0 each time it has taken the P for main, which
		// exitsyscall queued on the global queue: main never runs.
		{FairSTWSpaced, liveOptions(1, 1, stwBounds), "RunnableGRuns", "a stop-the-world in the loop", false},
		// sysmon retook P0 from main's syscall and never hands it off
		// (a stutter: main's exitsyscall is not forced either).
		{FairSysmon, liveOptions(2, 2, sysBounds), "HandedOffPTaken", "sysmon's handoffp never steps", false},
		// A GC that started marking and whose mark termination never
		// comes: the Ms run on.
		{FairGC, liveOptions(1, 1, ctlBounds), "GCMarkEnds", "the GC never steps", false},
	} {
		name := ""
		for _, f := range FairnessConditions {
			if f.Bit == tc.cond {
				name = f.Name
			}
		}
		t.Run(name, func(t *testing.T) {
			if tc.long && (testing.Short() || raceEnabled) {
				t.Skip("long")
			}
			o := tc.o
			o.Unfair = tc.cond
			r, err := Explore(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			l := liveness(t, r, tc.prop)
			if l.Holds || l.Lasso == nil {
				t.Fatalf("without %s, %s holds", name, tc.prop)
			}
			loop := checkLasso(t, o, tc.prop, l.Lasso)
			// The loop breaks the dropped condition and keeps the others.
			if fairnessOf(t, o, loop)&tc.cond != 0 {
				t.Fatalf("the loop satisfies %s (%s expected)\n%s", name, tc.why, lassoText(l.Lasso))
			}
			t.Logf("without %s:\n%s", name, lassoText(l.Lasso))
			// With the condition the same bound holds.
			o.Unfair = 0
			r, err = Explore(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if l := liveness(t, r, tc.prop); !l.Holds {
				t.Fatalf("with every condition, %s fails:\n%s", tc.prop, lassoText(l.Lasso))
			}
		})
	}
}

// noTickPick plants golang/go#5639: findRunnable's 61st-tick pick from
// the global queue is skipped; the M takes its local work (or a global
// batch) instead, counting the tick.
func noTickPick(s *spec.State, op spec.Op) (spec.Result, error) {
	if op.Kind != spec.OpSchedule || op.Source != spec.SrcTick {
		return s.Apply(op)
	}
	pp := &s.Ps[s.Ms[op.M].P]
	pp.SchedTick++
	switch {
	case pp.Runnext != spec.None:
		op.Source = spec.SrcRunnext
	case len(pp.Ring) != 0:
		op.Source = spec.SrcRing
	default:
		op.Source = spec.SrcGlobal
	}
	return s.Apply(op)
}

// lostHandoffWakeup plants a lost wakeup: M1, woken by startm for a
// handed-off P, goes back to sleep without it.
func lostHandoffWakeup(s *spec.State, op spec.Op) (spec.Result, error) {
	if op.Kind == spec.OpAcquireP && op.M == 1 && s.Ps[op.P].Status == spec.PHandoff {
		return spec.NewResult(), nil
	}
	return s.Apply(op)
}

// lostWakep plants a lost wakep (the class of golang/go#55160): every
// wakep an M owes after making a G runnable (ready, newproc, gosched)
// returns at once, as if it saw an M spinning, so no M is woken for an
// idle P. The Gs still run on their own P's M: only IdlePsPutToWork sees it.
// A wakep lost while the global queue holds work is also a safety
// violation (the invariant GlobalWorkWakesAnM,
// TestGlobalWorkWakesAnMFindsLostWakep); the lasso goes around it.
func lostWakep(s *spec.State, op spec.Op) (spec.Result, error) {
	if op.Kind == spec.OpWakep && op.M >= 0 {
		if m := &s.Ms[op.M]; m.WakeP && !m.Spinning {
			m.WakeP = false
			return spec.NewResult(), nil
		}
	}
	return s.Apply(op)
}

// noRetake plants a sysmon whose retake never takes the P: a thread that
// stays in its system call keeps its P and the Gs queued on it. Only
// sysmon's retake frees them (the fairness conditions do not make a
// system call return).
func noRetake(s *spec.State, op spec.Op) (spec.Result, error) {
	if op.Kind == spec.OpRetake {
		return spec.NewResult(), nil
	}
	return s.Apply(op)
}

// retakeSkipsWork plants a sysmon that never retakes the P of a thread
// in a system call while the P has work queued (runnext or its ring),
// the case proc.go's retake takes soonest (only `runqempty(pp) &&
// sched.nmspinning.Load()+sched.npidle.Load() > 0 && pd.syscallwhen+10*1000*1000 > now`
// lets it wait). Unlike noRetake it offers no step (an
// ExploreOptions.enabled plant): the state where the thread stays in its
// call, holding the P and the work, has only that thread's exitsyscall,
// which no fairness condition forces.
func retakeSkipsWork(s *spec.State, b spec.Bounds, buf []spec.Op) []spec.Op {
	ops := s.Enabled(b, buf)
	return slices.DeleteFunc(ops, func(op spec.Op) bool {
		if op.Kind != spec.OpRetake {
			return false
		}
		pp := &s.Ps[op.P]
		return pp.Runnext != spec.None || len(pp.Ring) != 0
	})
}

// noRetakeWhileGCWaiting plants a sysmon that does not retake while a
// stop-the-world is under way (proc.go retake takes the P of a thread
// in a call whatever sched.gcwaiting says, and stopTheWorldWithSema
// relies on it for the Ps setBlockOnExitSyscall could not take).
func noRetakeWhileGCWaiting(s *spec.State, b spec.Bounds, buf []spec.Op) []spec.Op {
	return slices.DeleteFunc(s.Enabled(b, buf), func(op spec.Op) bool {
		return op.Kind == spec.OpRetake && s.Sched.GCWaiting
	})
}

// withoutOp lists every op of a state but those of kind k.
func withoutOp(k spec.OpKind) enabledFunc {
	return func(s *spec.State, b spec.Bounds, buf []spec.Op) []spec.Op {
		return slices.DeleteFunc(s.Enabled(b, buf), func(op spec.Op) bool { return op.Kind == k })
	}
}

// noMarkTermination plants a gcMarkDone that never stops the world: no
// stop-the-world while the GC marks.
func noMarkTermination(s *spec.State, b spec.Bounds, buf []spec.Op) []spec.Op {
	return slices.DeleteFunc(s.Enabled(b, buf), func(op spec.Op) bool {
		return op.Kind == spec.OpStopTheWorld && s.Sched.GCBlacken
	})
}

// restartMarking plants a gcMarkDone that always restarts: the gc-off
// action leaves the GC marking, its root job done.
func restartMarking(s *spec.State, op spec.Op) (spec.Result, error) {
	r, err := s.Apply(op)
	if err == nil && op.Kind == spec.OpGC && op.N == 0 {
		s.Sched.GCBlacken, s.Sched.FreeGStacksDone = true, true
	}
	return r, err
}

// noopGCStopm plants a gcstopm that changes nothing: the M keeps its P
// and the stop-the-world waits for it forever.
func noopGCStopm(s *spec.State, op spec.Op) (spec.Result, error) {
	if op.Kind == spec.OpGCStopm {
		return spec.NewResult(), nil
	}
	return s.Apply(op)
}

// enabledIn lists the ops enabled in s as the exploration o does.
func enabledIn(o ExploreOptions, s *spec.State) []spec.Op {
	if o.enabled != nil {
		return o.enabled(s, o.Bounds, nil)
	}
	return s.Enabled(o.Bounds, nil)
}

// withEnabled is o with the ops of every state listed by en.
func withEnabled(o ExploreOptions, en enabledFunc) ExploreOptions {
	o.enabled = en
	return o
}

// lostStartlockedm plants a lost startlockedm: the M that finds a G
// locked to another M neither hands it its P nor wakes it, and finds
// nothing to do.
func lostStartlockedm(s *spec.State, op spec.Op) (spec.Result, error) {
	if op.Kind == spec.OpSchedule {
		t := s.Clone()
		if r, err := t.Apply(op); err == nil && r.HandedTo != spec.None {
			return spec.NewResult(), nil
		}
	}
	return s.Apply(op)
}

// A planted starvation is found as a lasso that replays, for every
// property a plant can starve (the same bounds hold without the plant:
// TestLivenessHoldsOnTheSpec).
func TestLivenessFindsPlantedStarvation(t *testing.T) {
	skipLivenessUnderRace(t)
	for _, tc := range []struct {
		name  string
		o     ExploreOptions
		step  stepFunc
		props []string
		// safety, if set, is an invariant the plant also breaks, which
		// this exploration does not check (the graph would stop at the
		// states that break it): the test that it catches the plant is
		// its own.
		safety string
	}{
		{"no-tick-pick (golang/go#5639)", liveOptions(1, 1, coreBounds(4)), noTickPick, []string{"GlobalRunqServed", "RunnableGRuns"}, ""},
		{"lost handoff wakeup", liveOptions(2, 2, lockBounds(1, false)), lostHandoffWakeup, []string{"HandedOffPTaken"}, ""},
		{"lost startlockedm", liveOptions(1, 2, lockBounds(2, true)), lostStartlockedm, []string{"LockedGRunsOnItsM", "RunnableGRuns"}, ""},
		{"lost wakep", liveOptions(2, 2, coreBounds(2)), lostWakep, []string{"IdlePsPutToWork"}, "GlobalWorkWakesAnM"},
		{"no retake of a blocked system call", liveOptions(1, 2, syscallBounds(2)), noRetake, []string{"RunnableGRuns"}, ""},
		// Found only as a stutter (sccRun.stutter): no loop keeps G1
		// waiting, a state that never changes does.
		{"no retake of a call with work", withEnabled(liveOptions(1, 2, syscallBounds(2)), retakeSkipsWork), nil, []string{"RunnableGRuns"}, ""},
		// sysmon offers no retake at all (where noRetake's is a step
		// that changes nothing, a self-loop).
		{"no retake offered", withEnabled(liveOptions(1, 2, syscallBounds(2)), withoutOp(spec.OpRetake)), nil, []string{"RunnableGRuns"}, ""},
		// A stop-the-world that fails to take the P of a thread in a
		// call (setBlockOnExitSyscall lost to the thread's exitsyscall
		// or a scan) leaves it to sysmon's retake; without that retake
		// the world stays stopping while the thread stays in its call.
		// Only StopTheWorldCompletes sees it (a stutter): no G is
		// runnable, no P handed off or idle.
		{"no retake while the world stops", withEnabled(liveOptions(1, 2, gcSyscallBounds(1)), noRetakeWhileGCWaiting), nil, []string{"StopTheWorldCompletes"}, ""},
		// An M in schedule with gcwaiting set whose gcstopm keeps its
		// P: a loop of gcstopm steps.
		{"gcstopm that does not stop", liveOptions(1, 1, gcBounds(1)), noopGCStopm, []string{"StopTheWorldCompletes", "RunnableGRuns"}, ""},
		// markrootFreeGStacks never runs: gcMarkDone never comes, the
		// mark phase never ends while main goschedes forever. Only
		// GCMarkEnds sees it (a program that ends with the GC marking
		// is a real run: the bound needs gosched's loop).
		{"a root job that never runs", withEnabled(liveOptions(1, 1, gcGoschedBounds(1)), withoutOp(spec.OpMarkrootFreeGStacks)), nil, []string{"GCMarkEnds"}, ""},
		// gcMarkDone never stops the world once the root jobs are done.
		{"no mark termination", withEnabled(liveOptions(2, 2, gcGoschedBounds(1)), noMarkTermination), nil, []string{"GCMarkEnds"}, ""},
		// gcMarkDone restarts marking after every mark termination's
		// stop-the-world (golang/go#27993's restart, forever): a loop
		// through stop-the-worlds, which GCMarkEnds judges (a review's
		// plant; it passed while StopTheWorldsSpaced applied to it).
		{"mark termination restarting forever", liveOptions(1, 1, gcBounds(1)), restartMarking, []string{"GCMarkEnds"}, ""},
		{"mark termination restarting forever, 2 Ps", liveOptions(2, 2, gcBounds(1)), restartMarking, []string{"GCMarkEnds"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.Step = tc.step
			if tc.safety != "" {
				defer func() { checkInvariants = (*spec.State).CheckInvariants }()
				checkInvariants = func(s *spec.State) *spec.Violation { return s.CheckInvariantsExcept(tc.safety) }
			}
			r, err := Explore(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Violations) != 0 {
				t.Fatalf("the plant breaks safety too: %+v", r.Violations[0])
			}
			for _, prop := range tc.props {
				l := liveness(t, r, prop)
				if l.Holds || l.Lasso == nil {
					t.Fatalf("%s holds under the plant", prop)
				}
				loop := checkLasso(t, o, prop, l.Lasso)
				want := AllFairness
				if prop == "GCMarkEnds" {
					want &^= FairSTWSpaced // its loops may stop the world
				}
				if f := fairnessOf(t, o, loop); f&want != want {
					t.Fatalf("%s: the loop is not fair (%b)\n%s", prop, f, lassoText(l.Lasso))
				}
			}
			t.Logf("%s", lassoText(liveness(t, r, tc.props[0]).Lasso))
		})
	}
}

// A finding of the liveness check, also true of the real runtime (Go
// 1.26.8, checked with a program): with one P, a goroutine locked to its
// thread that ping-pongs with another through runnext starves a third in
// the ring forever. Every round, the locked goroutine's hand-off goes
// through startlockedm, and its M runs it with execute(gp, false), a new
// time slice, so sysmon never sees one slice last 10ms and never preempts;
// runnext is always full again when findRunnable looks, and no other P
// steals the ring. Without the lock the pair shares one slice and sysmon
// breaks it (TimeSliceEnds). 178,884 states.
//
// The other properties hold here, and that guards TimeSliceEnds across a
// handoff: once newm's thread came to run in an exited thread's slot, a
// chain of runnext hand-offs that goes on through a locked G's exit
// (mexit's handoffp, then the new thread's acquirep) looped with main on
// the global queue and P0 never idle, and GlobalRunqServed and
// LockedGRunsOnItsM failed, while the condition let a P that was handed
// off end its time slice. sysmon's retake restarts the 10 ms only when
// schedtick changes, so the chain is preempted all the same: a P ends its
// slice only when it is idle or stopped.
func TestLivenessFindsLockedPingPongStarvation(t *testing.T) {
	if raceEnabled {
		t.Skip("long")
	}
	o := liveOptions(1, 2, lockBounds(3, false))
	r, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	l := liveness(t, r, "RunnableGRuns")
	if l.Holds || l.Lasso == nil {
		t.Fatal("RunnableGRuns holds")
	}
	loop := checkLasso(t, o, "RunnableGRuns", l.Lasso)
	if f := fairnessOf(t, o, loop); f != AllFairness {
		t.Fatalf("the loop is not fair (%b)\n%s", f, lassoText(l.Lasso))
	}
	g, _ := strconv.Atoi(l.Lasso.Tracked[1:])
	inRing := false
	for _, x := range l.Lasso.LoopStart.Ps[0].Ring {
		inRing = inRing || x == int32(g)
	}
	handed, ticks := 0, 0
	for i, st := range l.Lasso.Loop {
		if st.Result.HandedTo != spec.None {
			handed++
		}
		if loop.states[i+1].Ps[0].SchedTick != loop.states[i].Ps[0].SchedTick {
			ticks++
		}
	}
	if !inRing || handed == 0 || ticks == 0 {
		t.Fatalf("in ring %v, %d startlockedm, %d new time slices\n%s", inRing, handed, ticks, lassoText(l.Lasso))
	}
	for _, name := range []string{"GlobalRunqServed", "HandedOffPTaken", "LockedGRunsOnItsM"} {
		if !liveness(t, r, name).Holds {
			t.Errorf("%s fails too", name)
		}
	}
}

// A space not exhausted judges nothing: every property is unknown.
func TestLivenessUnknown(t *testing.T) {
	o := liveOptions(2, 2, coreBounds(3))
	o.MaxStates = 1000
	r, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if r.Complete || len(r.Liveness) != len(LivenessProperties) {
		t.Fatalf("complete=%v %+v", r.Complete, r.Liveness)
	}
	for _, l := range r.Liveness {
		if l.Holds || !l.Unknown || l.Lasso != nil {
			t.Fatalf("%+v", l)
		}
	}
}

// A throw met while the explorer goes on after violations (StopAtFirst
// off, -all) is numbered as a path's end: the liveness graph numbers it
// too (it panicked, "state recorded out of order"), and the properties
// are judged on the rest.
func TestLivenessGoesOnPastAThrow(t *testing.T) {
	o := liveOptions(1, 1, coreBounds(2))
	o.Step = func(s *spec.State, op spec.Op) (spec.Result, error) {
		if op.Kind == spec.OpGosched && len(s.Gs) > 1 {
			return spec.NewResult(), &spec.Throw{Msg: "planted", Func: "test"}
		}
		return s.Apply(op)
	}
	r, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) == 0 || r.Violations[0].Kind != "throw" || !r.Complete {
		t.Fatalf("complete=%v violations %+v", r.Complete, r.Violations)
	}
	if len(r.Liveness) != len(LivenessProperties) {
		t.Fatalf("%d verdicts", len(r.Liveness))
	}
	for _, l := range r.Liveness {
		if l.Unknown {
			t.Errorf("%s unknown", l.Name)
		}
	}
	t.Logf("%d states, %d throws", r.States, len(r.Violations))
}

func TestLivenessRejects(t *testing.T) {
	for _, o := range []ExploreOptions{
		func() ExploreOptions { o := liveOptions(2, 2, coreBounds(2)); o.Depth = 5; return o }(),
		liveOptions(2, 9, coreBounds(2)),
		liveOptions(9, 2, coreBounds(2)),
		liveOptions(2, 2, coreBounds(9)),
	} {
		if _, err := Explore(context.Background(), o); err == nil {
			t.Errorf("%d Ps %d Ms %d Gs depth %d: no error", o.Config.Ps, o.Config.Ms, o.Bounds.Gs, o.Depth)
		}
	}
}

// checkLasso replays a lasso on its own: the prefix from the initial
// state (strict unless marked relaxed) reaches the loop's first state; the
// loop's strict steps keep the property's bad condition for the tracked G
// or P in every state and come back to the first state's fingerprint, the
// tracked G at the same rank. It returns the loop's states, first state
// first, and its ops.
func checkLasso(t *testing.T, o ExploreOptions, prop string, l *Lasso) loopRun {
	t.Helper()
	step := o.Step
	if step == nil {
		step = (*spec.State).Apply
	}
	s, err := spec.New(o.Config)
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range l.Prefix {
		if st.Op.Strict == st.Relaxed {
			t.Fatalf("prefix step %d: strict=%v relaxed=%v", i+1, st.Op.Strict, st.Relaxed)
		}
		if _, err := step(s, st.Op); err != nil {
			t.Fatalf("prefix step %d %v: %v", i+1, st.Op, err)
		}
	}
	if !s.Equal(l.LoopStart) {
		t.Fatalf("the prefix does not reach the loop's first state\n%s\n%s", s.Dump(), l.LoopStartDump)
	}
	id := 0
	if prop != "GCMarkEnds" { // a global condition: nothing tracked
		kind, x := l.Tracked[:1], l.Tracked[1:]
		id, err = strconv.Atoi(x)
		if err != nil || (kind != "G" && kind != "P") {
			t.Fatalf("tracked %q", l.Tracked)
		}
	} else if l.Tracked != "" {
		t.Fatalf("tracked %q", l.Tracked)
	}
	bad := func(s *spec.State) bool {
		switch prop {
		case "HandedOffPTaken":
			return s.Ps[id].Status == spec.PHandoff
		case "IdlePsPutToWork":
			runnable := false
			for i := range s.Gs {
				runnable = runnable || s.Gs[i].Status == spec.Runnable
			}
			return s.Ps[id].Status == spec.PIdle && runnable && s.FreeM() != spec.None
		case "GlobalRunqServed":
			for _, g := range s.Sched.Runq {
				if g == int32(id) {
					return true
				}
			}
			return false
		case "LockedGRunsOnItsM":
			return s.Gs[id].Status == spec.Runnable && s.Gs[id].LockedM != spec.None
		case "StopTheWorldCompletes":
			st := s.Ps[id].Status
			return s.Sched.GCWaiting && st != spec.PGCStop && st != spec.PDead
		case "GCMarkEnds":
			return s.Sched.GCBlacken
		}
		return s.Gs[id].Status == spec.Runnable
	}
	rank := func(s *spec.State) int {
		for r, g := range s.RunnableOrder(nil) {
			if g == int32(id) {
				return r
			}
		}
		return -1
	}
	startFP, startRank := s.Fingerprint(), rank(s)
	run := loopRun{states: []*spec.State{s.Clone()}}
	for i, st := range l.Loop {
		if !bad(s) {
			t.Fatalf("loop step %d: %s is not starved before it\n%s", i+1, l.Tracked, s.Dump())
		}
		if !st.Op.Strict {
			t.Fatalf("loop step %d %v is not strict", i+1, st.Op)
		}
		if _, err := step(s, st.Op); err != nil {
			t.Fatalf("loop step %d %v: %v", i+1, st.Op, err)
		}
		run.ops = append(run.ops, st.Op)
		run.states = append(run.states, s.Clone())
	}
	if len(l.Loop) == 0 {
		// A stutter: the run stays in the state forever.
		if !bad(s) || len(l.Unforced) == 0 {
			t.Fatalf("a stutter in a state where %s is not starved, or with no step listed (%v)\n%s", l.Tracked, l.Unforced, s.Dump())
		}
		for _, op := range l.Unforced {
			if _, err := step(s.Clone(), op); err != nil || !op.Strict {
				t.Fatalf("a stutter's step %v is not a strict step of its state: %v", op, err)
			}
		}
		run.states = append(run.states, s.Clone())
		return run
	}
	if s.Fingerprint() != startFP || rank(s) != startRank || !bad(s) {
		t.Fatalf("the loop does not return to its first state (rank %d, want %d)\n%s", rank(s), startRank, s.Dump())
	}
	return run
}

// loopRun is a replayed loop: states[i] --ops[i]--> states[i+1], the last
// state equal (up to renaming) to the first; a stutter has no ops and
// its one state twice.
type loopRun struct {
	states []*spec.State
	ops    []spec.Op
}

// fairnessOf judges a replayed loop by the fairness conditions, directly
// on its concrete states (independently of the graph the checker
// searched): the set of conditions the loop satisfies.
func fairnessOf(t *testing.T, o ExploreOptions, run loopRun) Fairness {
	t.Helper()
	step := o.Step
	if step == nil {
		step = (*spec.State).Apply
	}
	states := run.states[:len(run.states)-1]
	var f Fairness
	// weaklyFair: an actor (the ops of) steps in the loop, or cannot
	// step (strictly) somewhere in it.
	weaklyFair := func(actor func(*spec.State, spec.Op) bool) bool {
		for i, op := range run.ops {
			if actor(states[i], op) {
				return true
			}
		}
		for _, s := range states {
			can := false
			for _, op := range enabledIn(o, s) {
				op.Strict = true
				if actor(s, op) {
					if _, err := step(s.Clone(), op); err == nil {
						can = true
					}
				}
			}
			if !can {
				return true
			}
		}
		return false
	}
	// WeakFairMs: every M steps in the loop, or cannot step somewhere;
	// a system call's return is no fair step (it may block forever).
	ok := true
	for m := 0; m < o.Config.Ms; m++ {
		ok = ok && weaklyFair(func(_ *spec.State, op spec.Op) bool { return int(op.M) == m && op.Kind != spec.OpExitSyscall })
	}
	if ok {
		f |= FairMs
	}
	// TimeSliceEnds: a P that runs a G somewhere in the loop is idle or
	// stopped somewhere (neither running nor handed off), or a step
	// advances its schedtick.
	ok = true
	for p := 0; p < o.Config.Ps; p++ {
		runsG, ends := false, false
		for i, s := range states {
			pp := &s.Ps[p]
			switch pp.Status {
			case spec.PRunning:
				if g := s.Ms[pp.M].Curg; g != spec.None && s.Gs[g].Status == spec.Running {
					runsG = true
				}
			case spec.PHandoff:
			default:
				ends = true
			}
			if run.states[i+1].Ps[p].SchedTick != pp.SchedTick {
				ends = true
			}
		}
		ok = ok && (!runsG || ends)
	}
	if ok {
		f |= FairTimeSlice
	}
	// HandoffStartsM: a handed-off P some M could acquire in the loop is
	// acquired (an acquirep of it is taken) in the loop.
	ok = true
	for p := 0; p < o.Config.Ps; p++ {
		offered, taken := false, false
		for i, s := range states {
			if s.Ps[p].Status != spec.PHandoff {
				continue
			}
			for _, op := range enabledIn(o, s) {
				if op.Kind == spec.OpAcquireP && int(op.P) == p {
					op.Strict = true
					if _, err := step(s.Clone(), op); err == nil {
						offered = true
					}
				}
			}
			if i < len(run.ops) && run.ops[i].Kind == spec.OpAcquireP && int(run.ops[i].P) == p {
				taken = true
			}
		}
		ok = ok && (!offered || taken)
	}
	if ok {
		f |= FairHandoff
	}
	// NewMForHandoff: a P handed off throughout the loop has a free M
	// somewhere in it.
	ok = true
	for p := 0; p < o.Config.Ps; p++ {
		always, free := true, false
		for _, s := range states {
			always = always && s.Ps[p].Status == spec.PHandoff
			free = free || s.FreeM() != spec.None
		}
		ok = ok && (!always || free)
	}
	if ok {
		f |= FairNewM
	}
	// WeakFairStartTheWorld: the controller's restart (its action with
	// every P stopped) and wakep step in the loop, or cannot step
	// somewhere.
	if weaklyFair(func(_ *spec.State, op spec.Op) bool {
		return op.M == spec.Controller && (op.Kind == spec.OpWakep || op.Kind == spec.OpWakepStartm || op.Kind == spec.OpStartm ||
			op.Kind == spec.OpGC || op.Kind == spec.OpProcResize)
	}) {
		f |= FairStartTheWorld
	}
	// WeakFairSysmon: sysmon's retake, its handoffp after it and that
	// handoffp's steps step in the loop, or cannot step somewhere.
	if weaklyFair(func(_ *spec.State, op spec.Op) bool { return op.M == spec.Sysmon }) {
		f |= FairSysmon
	}
	// WeakFairGC: while the GC marks, its root job (markrootFreeGStacks's
	// two steps) or gcMarkDone's stop-the-world steps in the loop, or
	// none of them can step somewhere (the GC not marking there
	// included).
	if weaklyFair(func(s *spec.State, op spec.Op) bool {
		return op.Kind == spec.OpMarkrootFreeGStacks || op.Kind == spec.OpMarkrootFreeGStacksPush ||
			op.Kind == spec.OpStopTheWorld && s.Sched.GCBlacken
	}) {
		f |= FairGC
	}
	// StopTheWorldsSpaced: the loop does not stop the world.
	if !slices.ContainsFunc(run.ops, func(op spec.Op) bool { return op.Kind == spec.OpStopTheWorld }) {
		f |= FairSTWSpaced
	}
	return f
}

func lassoText(l *Lasso) string {
	if l == nil {
		return "(no lasso)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", l.Detail)
	for i, st := range l.Prefix {
		fmt.Fprintf(&b, "  %3d. %v => %v\n", i+1, st.Op, st.Result)
	}
	for i, st := range l.Loop {
		fmt.Fprintf(&b, "  %3d. %v => %v (loop)\n", len(l.Prefix)+i+1, st.Op, st.Result)
	}
	if len(l.Loop) == 0 {
		fmt.Fprintf(&b, "  (stays forever; unforced steps %v)\n", l.Unforced)
	}
	return b.String()
}

// skipLivenessUnderRace skips a liveness test under -race: make test runs
// every TestLiveness* again without it, and the race detector's run of the
// explorer's liveness search with several workers is
// TestExploreWorkersLiveness. Under -race these two took 51 s of the
// checker package's 308 s once sched.needspinning grew the spaces.
func skipLivenessUnderRace(t *testing.T) {
	t.Helper()
	if raceEnabled {
		t.Skip("make test runs it without -race")
	}
}

// The liveness graph holds strict steps only, and weak fairness counts an
// M with none as disabled: a state where an M can step but has no strict
// op would drop its edges (and loops through them) from the graph. And a
// state with ops but no strict one would have no edge at all, which the
// stutter judgement (sccRun.stutter) reads as a state with no step, the
// progress predicates' to judge: they judge only states with no op. Every
// M that has an enabled op has a strict one (a throw counts: it ends the
// run). The recheck where both of checkRunqsNoP's outcomes give the same
// state used to have none: 11,760 (state, M) pairs at 1 P, 2 Ms, 2 Gs
// with locks and syscalls.
func TestEveryMWithAStepHasAStrictOne(t *testing.T) {
	skipLivenessUnderRace(t)
	for _, tc := range []struct {
		name string
		o    ExploreOptions
	}{
		{"1P2M2G locks and syscalls", liveOptions(1, 2, lockBounds(2, true))},
		{"2P2M1G locks", liveOptions(2, 2, lockBounds(1, false))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.Liveness, o.Workers = false, 1
			seen := map[uint64]bool{}
			bad, judged := 0, 0
			var example string
			o.Step = func(s *spec.State, op spec.Op) (spec.Result, error) {
				if fp := s.Fingerprint(); !seen[fp] {
					seen[fp] = true
					var has, strict [8]bool
					ops := s.Enabled(o.Bounds, nil)
					anyStrict := false
					for _, e := range ops {
						e.Strict = true
						var d *spec.Disabled
						ok := true
						if _, err := s.Clone().Apply(e); errors.As(err, &d) {
							ok = false
						}
						anyStrict = anyStrict || ok
						if e.M < 0 || int(e.M) >= len(has) {
							continue
						}
						has[e.M] = true
						strict[e.M] = strict[e.M] || ok
					}
					if len(ops) > 0 && !anyStrict {
						// sccRun.stutter reads a state with no
						// strict edge as one with no step.
						bad++
						if example == "" {
							example = fmt.Sprintf("no strict op of %v\n%s", ops, s.Dump())
						}
					}
					for m := range has {
						if !has[m] {
							continue
						}
						judged++
						if !strict[m] {
							bad++
							if example == "" {
								example = fmt.Sprintf("M%d: %v\n%s", m, ops, s.Dump())
							}
						}
					}
				}
				return s.Apply(op)
			}
			r, err := Explore(context.Background(), o)
			if err != nil || !r.Complete {
				t.Fatalf("complete=%v: %v", r.Complete, err)
			}
			if judged < 1000 || bad != 0 {
				t.Fatalf("%d states, %d (state, M) pairs judged: %d have enabled ops but no strict one; the first:\n%s", r.States, judged, bad, example)
			}
		})
	}
}

// A stop in the search for fair loops keeps the lassos found before it:
// with the planted retake, RunnableGRuns (the first property) has a lasso;
// a clock past MaxTime from the second property's search on leaves that
// lasso reported and the properties not reached unknown. It used to mark
// every property unknown and drop the lasso.
func TestLivenessStopKeepsFoundLassos(t *testing.T) {
	skipLivenessUnderRace(t)
	o := withEnabled(liveOptions(1, 2, syscallBounds(2)), retakeSkipsWork)
	full, err := Explore(context.Background(), o)
	if err != nil || !full.Complete || liveness(t, full, "RunnableGRuns").Lasso == nil {
		t.Fatalf("control: %v complete=%v", err, full.Complete)
	}
	for stopAt := 1; stopAt <= 3; stopAt++ {
		calls := 0
		o.MaxTime = time.Minute
		o.elapsed = func(live bool) time.Duration {
			if !live {
				return 0
			}
			calls++
			if calls > stopAt {
				return time.Hour
			}
			return 0
		}
		r, err := Explore(context.Background(), o)
		if err != nil || r.StoppedBy != "max-time" || r.LivenessStats == nil || !r.LivenessStats.Interrupted {
			t.Fatalf("stop after %d clock reads: %v stopped=%q stats %+v", stopAt, err, r.StoppedBy, r.LivenessStats)
		}
		first := r.Liveness[0]
		if first.Name != "RunnableGRuns" || first.Unknown || first.Holds || first.Lasso == nil {
			t.Fatalf("stop after %d clock reads: RunnableGRuns %+v", stopAt, first)
		}
		checkLasso(t, o, first.Name, first.Lasso)
		unknown := 0
		for _, l := range r.Liveness[1:] {
			if l.Unknown {
				unknown++
				if l.Holds || l.Lasso != nil {
					t.Fatalf("%s unknown and holds=%v", l.Name, l.Holds)
				}
			}
		}
		if unknown == 0 {
			t.Fatalf("stop after %d clock reads: nothing unknown: %+v", stopAt, r.Liveness)
		}
	}
}

// The liveness graph is the strict steps of the whole space; a run whose
// graph leaves states out judges no property, even with the space
// exhausted. Planted, from a review: a spec whose 61st-tick pick is
// offered in no state (Enabled only), so that while it is due the
// runnext and ring picks are refused in strict order and allowed relaxed:
// -liveness said every property holds, though the same bug planted in
// findRunnable too starves the global queue (TestLivenessFindsPlantedStarvation's
// no-tick-pick). And a lost wakep whose states break GlobalWorkWakesAnM,
// explored on past the violations (not StopAtFirst): those states are
// not expanded, and IdlePsPutToWork "held". Controls: the clean spec at
// the same bounds holds with nothing cut.
func TestLivenessCutGraphIsUnknown(t *testing.T) {
	skipLivenessUnderRace(t)
	noTickOffered := func(s *spec.State, b spec.Bounds, buf []spec.Op) []spec.Op {
		return slices.DeleteFunc(s.Enabled(b, buf), func(op spec.Op) bool { return op.Kind == spec.OpSchedule && op.Source == spec.SrcTick })
	}
	lossy := liveOptions(2, 2, coreBounds(2))
	lossy.Step = lostWakep
	for _, tc := range []struct {
		name  string
		plant ExploreOptions
		clean ExploreOptions
		cut   string
	}{
		{"the tick pick offered nowhere", withEnabled(liveOptions(1, 1, coreBounds(4)), noTickOffered), liveOptions(1, 1, coreBounds(4)), "every step is relaxed"},
		{"a lost wakep explored past its violations", lossy, liveOptions(2, 2, coreBounds(2)), "break an invariant and were not expanded"},
	} {
		r, err := Explore(context.Background(), tc.plant)
		if err != nil {
			t.Fatal(err)
		}
		if r.LivenessStats == nil || !strings.Contains(r.LivenessStats.Cut, tc.cut) {
			t.Errorf("%s: cut %+v, want %q", tc.name, r.LivenessStats, tc.cut)
		}
		for _, l := range r.Liveness {
			if !l.Unknown || l.Holds {
				t.Errorf("%s: %s holds=%v unknown=%v, want unknown", tc.name, l.Name, l.Holds, l.Unknown)
			}
		}
		c, err := Explore(context.Background(), tc.clean)
		if err != nil {
			t.Fatal(err)
		}
		if c.LivenessStats == nil || c.LivenessStats.Cut != "" || len(c.Violations) != 0 {
			t.Errorf("%s, clean: cut %+v, %d violations", tc.name, c.LivenessStats, len(c.Violations))
		}
		for _, l := range c.Liveness {
			if !l.Holds || l.Unknown {
				t.Errorf("%s, clean: %s holds=%v unknown=%v", tc.name, l.Name, l.Holds, l.Unknown)
			}
		}
	}
}
