package spec

import "testing"

// recheckAfterGrow: M1 drops P1 while spinning at GOMAXPROCS 2 of 3 Ps
// (findRunnable's allp snapshot: P0, P1), and owes its recheck while the
// controller grows GOMAXPROCS to 3.
func recheckAfterGrow(t *testing.T) *State {
	t.Helper()
	s := newState(t, "small", 3, 3)
	step(t, s, Op{Kind: OpProcResize, M: Controller, N: 2})
	ctlWakepSteps(t, s)
	do(t, s, Op{Kind: OpNewproc1, M: 0})
	do(t, s, Op{Kind: OpRunqput, M: 0}) // wakep: M1 on P1
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	do(t, s, Op{Kind: OpPark, M: 0})
	do(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcRunnext})
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcIdle, Strict: true})
	if m := &s.Ms[1]; !m.Recheck || m.AllpLen != 0 {
		t.Fatalf("M1 after dropping P1 while spinning:\n%s", s.Dump())
	}
	stopWorld(t, s)
	step(t, s, Op{Kind: OpProcResize, M: Controller, N: 3})
	if m := &s.Ms[1]; !m.Recheck || m.AllpLen != 2 {
		t.Fatalf("the grow left M1 without its snapshot of 2 Ps:\n%s", s.Dump())
	}
	return s
}

// TestRecheckReadsItsAllpSnapshot: checkRunqsNoP reads the Ps of the allp
// snapshot findRunnable took before dropping its P (proc.go:3587,
// 3902-3915), not the Ps a procresize added since. With work only on P2,
// added by the grow, M1's recheck finds nothing: no needspinning, stopm
// next. The spec used to hold a strict recheck to every current P's run
// queue and refused this (a false alarm on the runtime's behaviour).
func TestRecheckReadsItsAllpSnapshot(t *testing.T) {
	s := recheckAfterGrow(t)
	do(t, s, Op{Kind: OpAcquireP, M: 2, P: 0})
	ctlWakepSteps(t, s)
	do(t, s, Op{Kind: OpStopm, M: 0})
	do(t, s, Op{Kind: OpStopSpinning, M: 1})
	sched(t, s, 2, SrcRunnext) // G1 runs on M2
	spawn(t, s, 2)             // G2 on P0's runnext; wakep: M0 on P2
	wakepSteps(t, s, 2)
	do(t, s, Op{Kind: OpAcquireP, M: 0, P: 2})
	do(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcStealNext, Victim: 0}) // G2 runs on M0
	spawn(t, s, 0)                                                        // G3 on P2's runnext
	if p := &s.Ps[2]; p.Runnext == None || s.Ps[0].Runnext != None || len(s.Ps[0].Ring)+len(s.Ps[1].Ring) != 0 || s.Ms[1].AllpLen != 2 {
		t.Fatalf("setup: work on P2 alone:\n%s", s.Dump())
	}
	// (The explorer offers the recheck that finds work too: checkRunqsNoP
	// reads each P without a lock, and G2 was on P0's runnext before M0
	// stole it. The strict recheck, whose reads no op overlapped, reads
	// the snapshot as it is.)
	// The global queue's sched.lock section finds it empty:
	// checkRunqsNoP is next.
	if r := step(t, s, Op{Kind: OpRecheck, M: 1, Strict: true}); r.Value != 0 || !s.Ms[1].RecheckRunqs {
		t.Fatalf("the global queue's section: %v\n%s", r, s.Dump())
	}
	recheck := Op{Kind: OpRecheck, M: 1}
	strictFound := Op{Kind: OpRecheck, M: 1, N: RecheckFound, Strict: true}
	if _, err := s.Clone().Apply(strictFound); err == nil {
		t.Error("a strict recheck found work on P2, outside its allp snapshot")
	}
	// Control: with the snapshot as long as GOMAXPROCS (no procresize
	// since the drop), P2 is read, and its work found.
	c := s.Clone()
	c.Ms[1].AllpLen = 0
	if _, err := c.Clone().Apply(Op{Kind: OpRecheck, M: 1, Strict: true}); err == nil {
		t.Error("control: a strict recheck missed P2's work in a snapshot of every P")
	}
	if r := step(t, c, strictFound); r.Value != 1 || !c.Sched.NeedSpinning {
		t.Errorf("control: %v, want needspinning set (no idle P for P2's work)\n%s", r, c.Dump())
	}
	recheck.Strict = true
	r := step(t, s, recheck)
	if m := &s.Ms[1]; r.Value != 0 || s.Sched.NeedSpinning || !m.Stopping || m.Recheck || m.AllpLen != 0 {
		t.Fatalf("recheck: %v, want nothing found and stopm next\n%s", r, s.Dump())
	}
}

// TestAllpSnapshotSurvivesResizes: the snapshot is the first one's (taken
// before the drop), whatever procresizes follow; it is 0 (the current
// GOMAXPROCS's Ps) when GOMAXPROCS is back at its length.
func TestAllpSnapshotSurvivesResizes(t *testing.T) {
	s := recheckAfterGrow(t)
	for _, tc := range []struct{ n, want int8 }{{1, 2}, {2, 0}, {3, 2}} {
		ctlWakepSteps(t, s)
		stopWorld(t, s)
		step(t, s, Op{Kind: OpProcResize, M: Controller, N: tc.n})
		if got := s.Ms[1].AllpLen; !s.Ms[1].Recheck || got != tc.want {
			t.Fatalf("GOMAXPROCS %d: allp snapshot %d, want %d\n%s", tc.n, got, tc.want, s.Dump())
		}
	}
	// Planted: a snapshot without the recheck it serves.
	s.Ms[1].Recheck, s.Ms[1].Spinning = false, false
	if v := s.CheckInvariants(); v == nil {
		t.Fatalf("an allp snapshot without a recheck passed the invariants\n%s", s.Dump())
	}
}
