package spec

import "testing"

func wantProgress(t *testing.T, s *State, name string) {
	t.Helper()
	v := s.CheckProgress()
	switch {
	case name == "" && v != nil:
		t.Fatalf("progress: %v, want none\n%s", v, s.Dump())
	case name != "" && v == nil:
		t.Fatalf("progress: none, want %s\n%s", name, s.Dump())
	case name != "" && v.Invariant != name:
		t.Fatalf("progress: %v, want %s\n%s", v, name, s.Dump())
	}
}

// TestProgressAtQuiescence: each predicate fails on the stranded state a
// lost wakeup leaves, and passes once the runtime's own step is taken.
func TestProgressAtQuiescence(t *testing.T) {
	// An M parks its last G and keeps its P (the stopm-keeps-p bug):
	// findRunnable's stop path releases it.
	s := newState(t, "small", 2, 2)
	do(t, s, Op{Kind: OpPark, M: 0})
	wantProgress(t, s, "HeldPWithNothingToRun")
	sched(t, s, 0, SrcIdle)
	wantProgress(t, s, "")

	// golang/go#55160: main yields (gosched puts it on sched.runq) and
	// its M drops its P without rechecking the global queue. Both Ms are
	// free and both Ps idle: nothing will run main again.
	s = newState(t, "small", 2, 2)
	do(t, s, Op{Kind: OpGosched, M: 0})
	if _, err := s.releasep(0); err != nil {
		t.Fatal(err)
	}
	if err := s.pidleput(0); err != nil {
		t.Fatal(err)
	}
	wantProgress(t, s, "RunnableGStrandedWithIdleP")
	// wakep: an M takes the idle head and schedules main.
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: s.Sched.Pidle})
	wantProgress(t, s, "HeldPWithNothingToRun") // not quiescent: M1 can schedule
	sched(t, s, 1, SrcGlobal)
	wantProgress(t, s, "")

	// handoffp's last-P startm: P0 waits for an M; with M1 free and never
	// woken, the P is stranded (the idle-ignores-handoff bug).
	s = newState(t, "small", 3, 2)
	retakeP0(t, s)
	if s.Ps[0].Status != PHandoff {
		t.Fatalf("P0: %v, want handoff", s.Ps[0].Status)
	}
	wantProgress(t, s, "HandedOffPNeverStarted")
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 0})
	wantProgress(t, s, "HeldPWithNothingToRun")
	sched(t, s, 1, SrcIdle)
	wantProgress(t, s, "")

	// No free M: a stranded-looking P is not the spec's to judge (the
	// runtime would newm; the spec's Ms are bounded).
	s = newState(t, "small", 3, 1)
	retakeP0(t, s)
	wantProgress(t, s, "")

	// A terminal state passes whatever it holds.
	s = newState(t, "small", 2, 2)
	do(t, s, Op{Kind: OpPark, M: 0})
	s.Sched.Terminal = MainReturned
	wantProgress(t, s, "")
}

// TestProgressLockedG: a runnable G locked to a sleeping M, an idle P and
// a free M: startlockedm never happens.
func TestProgressLockedG(t *testing.T) {
	s := newState(t, "small", 2, 3)
	spawn(t, s, 0) // G1 on P0's runnext
	do(t, s, Op{Kind: OpPark, M: 0})
	r := sched(t, s, 0, SrcRunnext)
	g := r.G
	do(t, s, Op{Kind: OpLockOSThread, M: 0})
	do(t, s, Op{Kind: OpGosched, M: 0}) // G1 on sched.runq, locked to M0; stoplockedm hands P0 off
	if s.Gs[g].LockedM != 0 || s.Gs[g].Status != Runnable {
		t.Fatalf("G%d: %+v", g, s.Gs[g])
	}
	if s.Ps[0].Status == PHandoff {
		do(t, s, Op{Kind: OpAcquireP, M: 1, P: 0})
	}
	if s.Ms[1].P != None {
		if _, err := s.releasep(1); err != nil {
			t.Fatal(err)
		}
		if err := s.pidleput(0); err != nil {
			t.Fatal(err)
		}
	}
	wantProgress(t, s, "LockedGNeverRuns")
}
