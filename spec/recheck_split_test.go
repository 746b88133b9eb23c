package spec

import (
	"slices"
	"testing"
)

// TestRecheckTwoSectionsKeepTwoPs: findRunnable's recheck takes sched.lock
// twice (proc.go:3676-3695): the global queue's section stores
// needspinning when it finds work and no idle P, and so does
// checkRunqsNoP's when a P's run queue has work and none is idle. Another
// M's stop path may take the first store (becomeSpinning, keeping its P)
// between the two, and a third M's the second: one recheck keeps two Ms
// from dropping their Ps. With the recheck one step, as it was, the two
// stores were one and the second M dropped its P.
func TestRecheckTwoSectionsKeepTwoPs(t *testing.T) {
	s := newState(t, "small", 3, 4)
	// M1 runs G1 (stolen from P0's runnext) on P2; M2 spins on P1.
	spawn(t, s, 0) // G1 on P0's runnext; wakep: M1 for P2
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 2})
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0}) // resetspinning's wakep: M2 for P1
	do(t, s, Op{Kind: OpAcquireP, M: 2, P: 1})
	// M2 gives up spinning: it drops P1, still counted in nmspinning.
	do(t, s, Op{Kind: OpSchedule, M: 2, Source: SrcIdle, Strict: true})
	step(t, s, Op{Kind: OpStopSpinning, M: 2})
	// G1 yields: on the global queue; its wakep starts M3 for P1.
	do(t, s, Op{Kind: OpGosched, M: 1})
	do(t, s, Op{Kind: OpAcquireP, M: 3, P: 1})
	if !s.Ms[2].Recheck || s.Ms[2].RecheckRunqs || len(s.Sched.Runq) != 1 || s.Sched.Pidle != None || s.Sched.NeedSpinning ||
		s.Ms[1].P != 2 || s.Ms[1].Curg != None || s.Ms[1].Spinning || s.Ms[3].P != 1 || !s.Ms[3].Spinning {
		t.Fatalf("setup: want M2 to recheck, G1 on the global queue, no P idle, M1 on g0 with P2, M3 spinning on P1\n%s", s.Dump())
	}

	// The global queue's section: G1 and no idle P. Read under the
	// lock: one op is offered.
	if got := recheckOps(s, 2); !slices.Equal(got, []Op{{Kind: OpRecheck, M: 2}}) {
		t.Fatalf("offered %v for the global queue's section", got)
	}
	if r := step(t, s, Op{Kind: OpRecheck, M: 2, Strict: true}); r.Value != 1 || !s.Sched.NeedSpinning || !s.Ms[2].RecheckRunqs {
		t.Fatalf("the global queue's section: %v, want needspinning stored\n%s", r, s.Dump())
	}
	// M1 takes G1 from the global queue and parks it; its stop path
	// finds needspinning set and keeps P2, spinning on M2's behalf.
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcGlobal})
	do(t, s, Op{Kind: OpPark, M: 1})
	if r := do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcIdle}); r.Value != StopNeedSpinning || s.Ms[1].P != 2 || s.Sched.NeedSpinning {
		t.Fatalf("M1's stop path: %v, want it to keep P2 for the first store\n%s", r, s.Dump())
	}
	// checkRunqsNoP reads without the lock: both outcomes are offered
	// (with needspinning set and no idle P they would be one state).
	if got := recheckOps(s, 2); !slices.Equal(got, []Op{{Kind: OpRecheck, M: 2}, {Kind: OpRecheck, M: 2, N: RecheckFound}}) {
		t.Fatalf("offered %v for checkRunqsNoP", got)
	}
	// G0 makes G2 on P0's runnext (its wakep sees Ms spinning).
	spawn(t, s, 0)
	// checkRunqsNoP reads G2 on P0 and finds no idle P: needspinning
	// again, and stopm next.
	if r := step(t, s, Op{Kind: OpRecheck, M: 2, N: RecheckFound, Strict: true}); r.Value != 1 || !s.Sched.NeedSpinning || !s.Ms[2].Stopping {
		t.Fatalf("checkRunqsNoP's section: %v, want needspinning stored and stopm next\n%s", r, s.Dump())
	}
	// M3 steals G2 and parks it; its stop path takes the second store.
	do(t, s, Op{Kind: OpSchedule, M: 3, Source: SrcStealNext, Victim: 0})
	do(t, s, Op{Kind: OpPark, M: 3})
	if r := do(t, s, Op{Kind: OpSchedule, M: 3, Source: SrcIdle}); r.Value != StopNeedSpinning || s.Ms[3].P != 1 {
		t.Fatalf("M3's stop path: %v, want it to keep P1 for the second store\n%s", r, s.Dump())
	}
}

// recheckOps is what Enabled offers M m of OpRecheck.
func recheckOps(s *State, m int8) []Op {
	var ops []Op
	for _, op := range s.Enabled(DefaultBounds(len(s.Gs)+2), nil) {
		if op.Kind == OpRecheck && op.M == m {
			ops = append(ops, op)
		}
	}
	return ops
}

// TestRecheckIdleGCNeedSpinning: with nothing on any run queue, the
// recheck's last step goes on to checkIdleGCNoP (proc.go:3703), which
// while the GC marks and wants an idle mark worker takes sched.lock for
// pidlegetSpinning; with no idle P that stores needspinning (proc.go:
// 3972, 7433-7438), and a non-spinning M's stop path then keeps its P and
// spins. The spec allowed the store only as the outcome of a relaxed read
// of the run queues, so a strict recheck (and the liveness graph's edges)
// lacked it. Not while the GC is off, nor with a P idle (the idle worker
// runs on it, or it goes back).
func TestRecheckIdleGCNeedSpinning(t *testing.T) {
	s := newState(t, "small", 3, 4)
	spawn(t, s, 0)
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 2})
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0})
	do(t, s, Op{Kind: OpAcquireP, M: 2, P: 1})
	do(t, s, Op{Kind: OpSchedule, M: 2, Source: SrcIdle, Strict: true})
	step(t, s, Op{Kind: OpStopSpinning, M: 2})
	do(t, s, Op{Kind: OpGosched, M: 1})
	do(t, s, Op{Kind: OpAcquireP, M: 3, P: 1})
	step(t, s, Op{Kind: OpRecheck, M: 2, Strict: true}) // global work, no idle P: needspinning
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcGlobal})
	do(t, s, Op{Kind: OpPark, M: 1})
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcIdle}) // M1 keeps P2 for the store
	if s.Sched.NeedSpinning || s.Sched.Pidle != None || s.recheckWork(2) || !s.Ms[2].RecheckRunqs {
		t.Fatalf("setup: want M2 at checkRunqsNoP, no work, no idle P, needspinning clear\n%s", s.Dump())
	}
	// The GC is off: checkIdleGCNoP returns at once.
	if got := recheckOps(s, 2); slices.Contains(got, Op{Kind: OpRecheck, M: 2, N: RecheckIdleGC}) {
		t.Fatalf("offered %v with the GC off", got)
	}
	wantDisabled(t, errOf(Step(s, Op{Kind: OpRecheck, M: 2, N: RecheckIdleGC, Strict: true})))
	// In an op that overlapped another, checkIdleGCNoP's read of
	// gcBlackenEnabled, made before its lock, may predate the GC's end:
	// the relaxed op stores needspinning with the GC off, reaching the
	// state relaxed RecheckFound reaches (gexit check found such a
	// free-running history, the recheck's lock taken after a handoffp
	// had cleared needspinning).
	idle, found := s.Clone(), s.Clone()
	if r := step(t, idle, Op{Kind: OpRecheck, M: 2, N: RecheckIdleGC}); r.Value != 1 || !idle.Sched.NeedSpinning || !idle.Ms[2].Stopping {
		t.Fatalf("relaxed checkIdleGCNoP after the GC's end: %v, want needspinning stored and stopm next\n%s", r, idle.Dump())
	}
	step(t, found, Op{Kind: OpRecheck, M: 2, N: RecheckFound})
	if idle.Dump() != found.Dump() {
		t.Fatalf("relaxed checkIdleGCNoP reaches a state relaxed RecheckFound does not:\n%s\nagainst\n%s", idle.Dump(), found.Dump())
	}

	s.Sched.GCBlacken = true // (a GC cycle marking: nothing above read it)
	if got := recheckOps(s, 2); !slices.Contains(got, Op{Kind: OpRecheck, M: 2, N: RecheckIdleGC}) {
		t.Fatalf("offered %v while the GC marks with no idle P", got)
	}
	wantDisabled(t, errOf(Step(s, Op{Kind: OpRecheck, M: 2, N: RecheckIdleGC | RecheckFound})))
	if r := step(t, s, Op{Kind: OpRecheck, M: 2, N: RecheckIdleGC, Strict: true}); r.Value != 1 || !s.Sched.NeedSpinning || !s.Ms[2].Stopping {
		t.Fatalf("checkIdleGCNoP with no idle P: %v, want needspinning stored and stopm next\n%s", r, s.Dump())
	}
	if got := Branches(Op{Kind: OpRecheck, M: 2, N: RecheckIdleGC}, Result{P: None, G: None, Value: 1}, nil); !slices.Contains(got, "recheck/idlegc-needspinning") {
		t.Fatalf("coverage keys %v", got)
	}
	// Main parks: M0's stop path, not spinning, finds needspinning and
	// keeps P0, spinning.
	do(t, s, Op{Kind: OpPark, M: 0})
	if r := do(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcIdle, Strict: true}); r.Value != StopNeedSpinning || s.Ms[0].P != 0 || !s.Ms[0].Spinning {
		t.Fatalf("M0's stop path: %v, want it to keep P0 and spin\n%s", r, s.Dump())
	}
}

// findRunnable's recheck calls checkIdleGCNoP (proc.go:3703) whenever
// checkRunqsNoP returns nil, and checkRunqsNoP returns nil also when it
// found a P's run queue with work and pidlegetSpinning found no idle P
// (proc.go:3904-3910, after storing needspinning). checkIdleGCNoP then
// takes sched.lock again (proc.go:3972) and, with no idle P, stores
// needspinning once more (proc.go:7433-7438). Between the two sections
// another M's stop path may take the first store, and a further M's the
// second, which keeps its P. The spec ended the recheck at
// checkRunqsNoP's step, so that M dropped its P (a review of the wakeup
// protocol found it). With 3 Ps and the GC marking:
//
//	M2 (spinning, P1) stop path: pidleput(P1), nmspinning--
//	M1 (G1 parked) cannot spin (2*1 < 3-1 is false)
//	M0 spawns G2 into P0's runnext; wakep takes P1 for M3
//	M2's recheck: the global queue empty; checkRunqsNoP: G2, no idle P,
//	  needspinning
//	M1's stop path takes the store (becomeSpinning, keeps P2)
//	M0: G0 parks, G2 runs and parks; M0 cannot spin (2*2 < 3-0)
//	M2's checkIdleGCNoP: no idle P, needspinning again
//	M0's stop path takes it and keeps P0.
func TestRecheckIdleGCAfterRunqsFoundNoP(t *testing.T) {
	s := newState(t, "small", 3, 4)
	do(t, s, Op{Kind: OpGC, M: Controller, N: 1}) // the GC marks
	settle(t, s)
	spawn(t, s, 0) // G1 on P0's runnext; wakep: M1 spinning
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: s.Ms[1].NextP})
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0}) // resetspinning's wakep: M2 spinning
	do(t, s, Op{Kind: OpAcquireP, M: 2, P: s.Ms[2].NextP})
	p1 := s.Ms[2].P
	do(t, s, Op{Kind: OpSchedule, M: 2, Source: SrcIdle, Strict: true}) // M2 drops its P, still counted
	if !s.Sched.GCBlacken || s.Sched.NMSpinning != 1 || s.Sched.Pidle != p1 || !s.Ms[2].Recheck {
		t.Fatalf("setup\n%s", s.Dump())
	}
	do(t, s, Op{Kind: OpPark, M: 1})
	if s.spinAllowed(1) {
		t.Fatalf("M1 would spin\n%s", s.Dump())
	}
	step(t, s, Op{Kind: OpStopSpinning, M: 2})
	spawn(t, s, 0) // G2 on P0's runnext; wakep takes P1 for M3 (spinning)
	if s.Sched.Pidle != None || s.Ms[3].NextP != p1 || s.Sched.NeedSpinning {
		t.Fatalf("want P1 handed to M3, no idle P\n%s", s.Dump())
	}
	step(t, s, Op{Kind: OpRecheck, M: 2, Strict: true}) // the global queue's section: empty
	wantDisabled(t, errOf(Step(s, Op{Kind: OpRecheck, M: 2, N: RecheckFound | RecheckIdleGC})))
	if r := step(t, s, Op{Kind: OpRecheck, M: 2, N: RecheckFound, Strict: true}); r.Value != 1 {
		t.Fatalf("checkRunqsNoP: %v", r)
	}
	if !s.Ms[2].Recheck || !s.Ms[2].Stopping {
		t.Fatalf("after checkRunqsNoP found work and no idle P, M2 does not owe checkIdleGCNoP's step\n%s", s.Dump())
	}
	wantDisabled(t, errOf(Step(s, Op{Kind: OpStopm, M: 2})))
	if r := do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcIdle}); r.Value != StopNeedSpinning {
		t.Fatalf("M1's stop path: %v, want it to take the store", r)
	}
	do(t, s, Op{Kind: OpPark, M: 0})
	do(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcRunnext, Strict: true})
	do(t, s, Op{Kind: OpPark, M: 0})
	if s.spinAllowed(0) || s.Sched.NeedSpinning {
		t.Fatalf("M0 would spin, or needspinning is set\n%s", s.Dump())
	}
	// Offered: checkIdleGCNoP's step, with and without its store.
	var ns []int8
	for _, op := range s.Enabled(DefaultBounds(len(s.Gs)+2), nil) {
		if op.M == 2 {
			if op.Kind != OpRecheck {
				t.Fatalf("M2 offered %v", op)
			}
			ns = append(ns, op.N)
		}
	}
	if !slices.Equal(ns, []int8{0, RecheckIdleGC}) {
		t.Fatalf("M2 offered recheck N %v, want [0 %d]", ns, RecheckIdleGC)
	}
	if r := step(t, s, Op{Kind: OpRecheck, M: 2, N: RecheckIdleGC, Strict: true}); r.Value != 1 || s.Ms[2].Recheck || !s.Ms[2].Stopping {
		t.Fatalf("checkIdleGCNoP: %v\n%s", r, s.Dump())
	}
	if r := step(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcIdle, Strict: true}); r.Value != StopNeedSpinning {
		t.Fatalf("M0's stop path: %v, want it to take checkIdleGCNoP's store and keep P0", r)
	}
	step(t, s, Op{Kind: OpStopm, M: 2})
}

// TestRecheckReadsTheGCAsItRuns: after checkRunqsNoP found work and no
// idle P, checkIdleGCNoP's racy read of gcBlackenEnabled decides whether
// its sched.lock section is a third step. The GC's stop-the-world sets
// gcBlackenEnabled before it restarts the world, which the spec's gc op
// does in one step, and an M without a P runs on meanwhile: a relaxed
// step reads the value the implementation read (RecheckReadGCOn/Off),
// a strict one the GC's state. A free-running history (seed 99, 8 Ps)
// had M0 read the GC off inside the gc op's stop-the-world and go to
// stopm; the spec wanted the third step first.
func TestRecheckReadsTheGCAsItRuns(t *testing.T) {
	s := newState(t, "small", 3, 4)
	do(t, s, Op{Kind: OpGC, M: Controller, N: 1}) // the GC marks
	settle(t, s)
	spawn(t, s, 0)
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: s.Ms[1].NextP})
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0})
	do(t, s, Op{Kind: OpAcquireP, M: 2, P: s.Ms[2].NextP})
	do(t, s, Op{Kind: OpSchedule, M: 2, Source: SrcIdle, Strict: true})
	do(t, s, Op{Kind: OpPark, M: 1})
	step(t, s, Op{Kind: OpStopSpinning, M: 2})
	spawn(t, s, 0) // no idle P left
	step(t, s, Op{Kind: OpRecheck, M: 2, Strict: true})
	if !s.Sched.GCBlacken || s.Sched.Pidle != None || !s.Ms[2].RecheckRunqs || !s.recheckWork(2) {
		t.Fatalf("setup: want M2 at checkRunqsNoP, work on a run queue, no idle P, the GC marking\n%s", s.Dump())
	}
	for _, tc := range []struct {
		gc      bool // the GC's state at the step
		n       int8
		strict  bool
		refused bool
		third   bool // checkIdleGCNoP's section is the next step
	}{
		{gc: true, n: RecheckFound, strict: true, third: true},
		{gc: true, n: RecheckFound | RecheckReadGCOn, strict: true, third: true},
		{gc: true, n: RecheckFound | RecheckReadGCOff, strict: true, refused: true},
		{gc: true, n: RecheckFound | RecheckReadGCOff, third: false},
		{gc: true, n: RecheckFound | RecheckReadGCOn | RecheckReadGCOff, refused: true},
		{gc: false, n: RecheckFound, strict: true, third: false},
		{gc: false, n: RecheckFound | RecheckReadGCOn, strict: true, refused: true},
		{gc: false, n: RecheckFound | RecheckReadGCOn, third: true},
	} {
		c := s.Clone()
		c.Sched.GCBlacken = tc.gc
		op := Op{Kind: OpRecheck, M: 2, N: tc.n, Strict: tc.strict}
		next, _, err := Step(c, op)
		if tc.refused {
			wantDisabled(t, err)
			continue
		}
		if err != nil {
			t.Fatalf("GC marking %v, %v: %v", tc.gc, op, err)
		}
		if m := &next.Ms[2]; !m.Stopping || m.Recheck != tc.third {
			t.Fatalf("GC marking %v, %v: stopping %v, checkIdleGCNoP's step next %v; want %v", tc.gc, op, m.Stopping, m.Recheck, tc.third)
		}
		if err := errOf(Step(next, Op{Kind: OpStopm, M: 2})); (err == nil) == tc.third {
			t.Fatalf("GC marking %v, %v: stopm next: %v", tc.gc, op, err)
		}
	}
}
