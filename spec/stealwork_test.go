package spec

import "testing"

// spunOnP1 reaches a state in which M1, on P1 with schedtick 3 (the 61st
// tick's condition at preset small's GlobalTick of 3), found nothing at
// findRunnable's top and spun (OpSpin, both of becomeSpinning's steps),
// while M0 runs G2 on P0 and G0, gosched'ed, is on the global queue:
// the state findRunnable's stealWork then meets.
func spunOnP1(t *testing.T) *State {
	t.Helper()
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0) // G1 on P0's runnext; wakep: M1 on P1, spinning
	wakepSteps(t, s, 0)
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0, Strict: true})
	wakepSteps(t, s, 1)
	do(t, s, Op{Kind: OpPark, M: 1})               // G1 waits; M1 on g0 with P1
	s.Ps[1].SchedTick = 3                          // (a counter: three executes on P1)
	do(t, s, Op{Kind: OpSpin, M: 1, Strict: true}) // (do makes needspinning's store too)
	if m := &s.Ms[1]; !m.Spinning || !m.StealWork || m.SpinClear {
		t.Fatalf("M1 after its spin:\n%s", s.Dump())
	}
	spawn(t, s, 0) // G2 on P0's runnext; wakep: nmspinning is 1
	wakepSteps(t, s, 0)
	s.Ps[0].SchedTick = 1               // (no tick's pick on P0)
	do(t, s, Op{Kind: OpGosched, M: 0}) // G0 to the global queue
	wakepSteps(t, s, 0)
	do(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcRunnext, Strict: true}) // G2 runs
	wakepSteps(t, s, 0)
	if len(s.Sched.Runq) != 1 || s.Ps[1].SchedTick%3 != 0 || !s.Ms[1].StealWork || s.stealable(1, true) != None {
		t.Fatalf("setup: the global queue holds G0, P1's tick is due, no P has work to steal:\n%s", s.Dump())
	}
	return s
}

// TestStopPathBatchAfterSpin: after findRunnable's spin (proc.go:3517-3519)
// the runtime goes on to stealWork and then the stop path, whose global
// batch (proc.go:3599-3600) has no tick check: a strict schedule op takes
// the batch while the 61st tick's pick would hold at the top. The spec
// used to judge the op from findRunnable's top and refused it (a false
// alarm), and offered the tick's pick, which the runtime does not make
// there (an over-approximation).
func TestStopPathBatchAfterSpin(t *testing.T) {
	s := spunOnP1(t)
	tick := Op{Kind: OpSchedule, M: 1, Source: SrcTick}
	batch := Op{Kind: OpSchedule, M: 1, Source: SrcGlobal, Strict: true}
	for _, op := range opsOf(s.Enabled(DefaultBounds(4), nil), 1) {
		if op.Source == SrcTick {
			t.Errorf("offered %v after the spin", op)
		}
	}
	if _, err := s.Clone().Apply(tick); err == nil {
		t.Error("the 61st tick's pick after the spin")
	}
	c := s.Clone()
	if r := do(t, c, batch); r.G != 0 || r.Source != SrcGlobal || c.Ms[1].StealWork || c.Ms[1].Curg != 0 {
		t.Errorf("the stop path's batch: %v\n%s", r, c.Dump())
	}
	// Control: the same M at findRunnable's top (a spinning M that
	// startm started, or one back from `goto top`) takes the tick's pick.
	top := s.Clone()
	top.Ms[1].StealWork = false
	if _, err := top.Clone().Apply(batch); err == nil {
		t.Error("control: a strict batch from findRunnable's top while the 61st tick's pick holds")
	}
	if r := do(t, top, tick); r.G != 0 || r.Source != SrcTick {
		t.Errorf("control: the tick's pick: %v", r)
	}
}

// TestStealAfterSpinIgnoresTheGlobalQueue: stealWork, after the spin,
// does not look at the global queue, so a strict steal is the runtime's
// while the global queue filled after the spin; and the stop path's
// batch, after stealWork, only when stealWork found nothing.
func TestStealAfterSpinIgnoresTheGlobalQueue(t *testing.T) {
	s := spunOnP1(t)
	spawn(t, s, 0) // G3 on P0's runnext
	wakepSteps(t, s, 0)
	steal := Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0, Strict: true}
	batch := Op{Kind: OpSchedule, M: 1, Source: SrcGlobal, Strict: true}
	if _, err := s.Clone().Apply(batch); err == nil {
		t.Error("a strict stop-path batch while stealWork had P0's runnext to take")
	}
	c := s.Clone()
	if r := do(t, c, steal); r.G != 3 || c.Ms[1].StealWork {
		t.Errorf("steal after the spin: %v\n%s", r, c.Dump())
	}
	// Control: from findRunnable's top the global batch comes first.
	top := s.Clone()
	top.Ms[1].StealWork = false
	if _, err := top.Apply(steal); err == nil {
		t.Error("control: a strict steal from findRunnable's top while the global queue has work")
	}
}

// TestStealWorkEndsAtTheTop: the relaxed ops and gcstopm end the pass
// (findRunnable's stealWork saw gcwaiting: goto top), and a planted
// flag on an M that is not spinning breaks the invariants.
func TestStealWorkEndsAtTheTop(t *testing.T) {
	s := spunOnP1(t)
	c := s.Clone()
	if r := do(t, c, Op{Kind: OpSchedule, M: 1, Source: SrcGlobal}); r.G != 0 || c.Ms[1].StealWork {
		t.Errorf("relaxed batch: %v\n%s", r, c.Dump())
	}
	g := s.Clone()
	do(t, g, Op{Kind: OpStopTheWorld, M: Controller})
	do(t, g, Op{Kind: OpGCStopm, M: 1})
	if m := &g.Ms[1]; m.StealWork || m.Spinning || !m.GCStopping {
		t.Errorf("gcstopm after the spin:\n%s", g.Dump())
	}
	// A disabled op leaves the flag.
	if _, err := s.Apply(Op{Kind: OpSchedule, M: 1, Source: SrcRing}); err == nil || !s.Ms[1].StealWork {
		t.Errorf("a refused op: %v, flag %v", err, s.Ms[1].StealWork)
	}
	s.Ms[1].Spinning = false
	s.Sched.NMSpinning--
	if v := s.CheckInvariants(); v == nil {
		t.Fatalf("a non-spinning M in stealWork passed the invariants\n%s", s.Dump())
	}
}

// TestStopPathBatchChecksGCWaiting: after the spin the only global batch
// is the stop path's, taken under sched.lock after its `if
// sched.gcwaiting.Load() ... { goto top }` (proc.go:3594-3600), which
// stopTheWorldWithSema sets holding that lock: once a stop-the-world is
// under way the M does not take it, even in an op that overlapped
// others (found by a review: the spec had accepted it relaxed, as the
// top's batch after a racy read of gcwaiting is).
func TestStopPathBatchChecksGCWaiting(t *testing.T) {
	s := spunOnP1(t)
	do(t, s, Op{Kind: OpStopTheWorld, M: Controller})
	batch := Op{Kind: OpSchedule, M: 1, Source: SrcGlobal}
	for _, op := range opsOf(s.Enabled(DefaultBounds(4), nil), 1) {
		if op.Kind == OpSchedule && op.Source == SrcGlobal {
			t.Errorf("offered %v after the spin with gcwaiting set", op)
		}
	}
	if _, err := s.Clone().Apply(batch); err == nil {
		t.Error("the stop path's batch after the spin with gcwaiting set")
	}
	// Control: from findRunnable's top the batch follows a racy read of
	// gcwaiting, and an op that overlapped the stop-the-world takes it.
	top := s.Clone()
	top.Ms[1].StealWork = false
	top.Ps[1].SchedTick = 1 // (no tick's pick first)
	found := false
	for _, op := range opsOf(top.Enabled(DefaultBounds(4), nil), 1) {
		found = found || op == batch
	}
	if !found {
		t.Error("control: the top's batch not offered during a stop-the-world")
	}
	if r := do(t, top, batch); r.G != 0 {
		t.Errorf("control: the top's batch: %v", r)
	}
}

// findRunnable reads the global queue (`!sched.runq.empty()`) and then
// the spin limit (`mp.spinning || 2*sched.nmspinning.Load() <
// gomaxprocs-sched.npidle.Load()`) without sched.lock, and calls
// becomeSpinning after both (proc.go:3473-3520). Another M can fill the
// global queue, or begin spinning, between those reads and the
// becomeSpinning, and the M spins anyway. Step accepts that spin
// (relaxed); Enabled must offer it too, or the explorer never reaches the
// states that follow it.
func TestSpinOfferedAfterRacyReads(t *testing.T) {
	spinOffered := func(s *State, m int8) (spin, idle, global bool) {
		for _, op := range opsOf(s.Enabled(DefaultBounds(3), nil), m) {
			switch {
			case op.Kind == OpSpin:
				spin = true
			case op.Kind == OpSchedule && op.Source == SrcIdle:
				idle = true
			case op.Kind == OpSchedule && op.Source == SrcGlobal:
				global = true
			}
		}
		return
	}
	t.Run("global queue filled after the read", func(t *testing.T) {
		// M1 is in findRunnable on P1 with nothing local; M0's gosched
		// puts G0 on the global queue and its wakep starts M2 (the CAS
		// succeeds: M1 has not counted itself yet).
		s := newState(t, "small", 3, 3)
		startOn(t, s, 1, 1)
		step(t, s, Op{Kind: OpGosched, M: 0})
		wakepSteps(t, s, 0)
		if len(s.Sched.Runq) != 1 || s.Sched.NMSpinning != 1 || s.Ms[1].Spinning {
			t.Fatalf("setup: want G0 global, one spinning M, M1 not spinning\n%s", s.Dump())
		}
		spin, _, global := spinOffered(s, 1)
		if !spin || !global {
			t.Fatalf("M1 offered spin %v, global %v; want both:\n%s", spin, global, s.Dump())
		}
		// The strict spin (no op overlapped the reads) is still refused.
		if _, err := s.Clone().Apply(Op{Kind: OpSpin, M: 1, Strict: true}); err == nil {
			t.Fatalf("a strict spin with the global queue non-empty was accepted\n%s", s.Dump())
		}
		step(t, s, Op{Kind: OpSpin, M: 1})
		if s.Sched.NMSpinning != 2 || !s.Ms[1].Spinning || !s.Ms[1].StealWork {
			t.Fatalf("after M1's spin: want two spinning Ms, M1 past its top\n%s", s.Dump())
		}
	})
	t.Run("another M spun after the read", func(t *testing.T) {
		// 2 Ps, none idle: M0's G0 parks and M0 spins first (2*0 < 2);
		// M1, which read the limit before that, spins too (2*1 < 2 no
		// longer holds).
		s := newState(t, "small", 2, 2)
		startOn(t, s, 1, 1)
		step(t, s, Op{Kind: OpPark, M: 0})
		// Within the limit: the spin, and the stop path too (an M that
		// read the limit reached skips the spin even after it fell).
		spin, idle, _ := spinOffered(s, 1)
		if !spin || !idle {
			t.Fatalf("within the limit M1 is offered spin %v, idle %v; want both\n%s", spin, idle, s.Dump())
		}
		step(t, s, Op{Kind: OpSpin, M: 0})
		if s.spinAllowed(1) {
			t.Fatalf("setup: M1 still within the spin limit\n%s", s.Dump())
		}
		spin, idle, _ = spinOffered(s, 1)
		if !spin || !idle {
			t.Fatalf("beyond the limit M1 is offered spin %v, idle %v; want both\n%s", spin, idle, s.Dump())
		}
		if _, err := s.Clone().Apply(Op{Kind: OpSpin, M: 1, Strict: true}); err == nil {
			t.Fatalf("a strict spin beyond the limit was accepted\n%s", s.Dump())
		}
		step(t, s, Op{Kind: OpSpin, M: 1})
		if s.Sched.NMSpinning != 2 {
			t.Fatalf("want two spinning Ms\n%s", s.Dump())
		}
	})
}

// findRunnable's choices rest on racy reads (the global queue, the spin
// limit, each P's run queue in checkRunqsNoP, the recheck's two lock
// sections), and so do exitsyscall's paths (the old P, the idle list);
// the relaxed schedule, spin, recheck and exitsyscall ops accept every
// outcome of them. The explorer must reach each: in reachable states,
// every such op Step accepts reaches a state some op Enabled offers the
// same M also reaches.
func TestEnabledOffersFindRunnablesRelaxedOutcomes(t *testing.T) {
	var cands []Op
	cands = append(cands, Op{Kind: OpSpin})
	for src := SrcTick; src < numSources; src++ {
		cands = append(cands, Op{Kind: OpSchedule, Source: src})
		if src == SrcSteal || src == SrcStealNext {
			for v := range int8(3) {
				cands = append(cands, Op{Kind: OpSchedule, Source: src, Victim: v})
			}
		}
	}
	for n := range int8(4) {
		cands = append(cands, Op{Kind: OpRecheck, N: n})
	}
	cands = append(cands, Op{Kind: OpRecheck, Source: SrcGlobal})
	for e := ExitKeep; e < numExitPaths; e++ {
		// exitsyscall's reads of the old P and the idle list are racy
		// too (setBlockOnExitSyscall, exitsyscallTryGetP).
		cands = append(cands, Op{Kind: OpExitSyscall, P: None, N: int8(e)})
	}
	b := DefaultBounds(4)
	b.LockInt = true
	checked := 0
	for _, s := range reachableStates(t, 300) {
		enabled := s.Enabled(b, nil)
		for mi := range s.Ms {
			// Only where the M is in findRunnable (Enabled offers it
			// a schedule, spin or recheck): elsewhere the M owes
			// another step first, which Enabled orders (Step does
			// not check that order).
			var reach []*State
			inFind := false
			for _, op := range opsOf(enabled, int8(mi)) {
				inFind = inFind || op.Kind == OpSchedule || op.Kind == OpRecheck || op.Kind == OpExitSyscall ||
					op.Kind == OpSpin && !s.Ms[mi].SpinClear // (with SpinClear, spin is becomeSpinning's store)
				c := s.Clone()
				if _, err := c.Apply(op); err == nil {
					reach = append(reach, c)
				}
			}
			if !inFind {
				continue
			}
			for _, op := range cands {
				op.M = int8(mi)
				c := s.Clone()
				if _, err := c.Apply(op); err != nil {
					continue
				}
				checked++
				found := false
				for _, r := range reach {
					if r.Equal(c) {
						found = true
						break
					}
				}
				if !found {
					t.Fatalf("%v is accepted but no op Enabled offers M%d reaches its state\noffered: %v\n%s", op, mi, opsOf(enabled, int8(mi)), s.Dump())
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d accepted ops checked", checked)
	}
	t.Logf("%d accepted ops checked", checked)
}
