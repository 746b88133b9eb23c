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

	// golang/go#55160: main yields (gosched puts it on sched.runq; its
	// wakep starts M1 on P1) and both Ms drop their Ps without
	// rechecking the global queue: nothing will run main again.
	s = newState(t, "small", 2, 2)
	do(t, s, Op{Kind: OpGosched, M: 0})
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: s.Ms[1].NextP})
	plantStop(t, s, 0)
	plantStop(t, s, 1)
	wantProgress(t, s, "RunnableGStrandedWithIdleP")
	// wakep: an M takes the idle head and schedules main.
	if !s.wakepCAS() {
		t.Fatal("wakep's CAS failed")
	}
	pi, err := s.wakepLockedSection()
	if pi == None || err != nil {
		t.Fatalf("wakep: P%d %v", pi, err)
	}
	if err := s.startm(pi, true); err != nil {
		t.Fatalf("wakep's startm: %v", err)
	}
	wantProgress(t, s, "HandedOffPNeverStarted") // not quiescent: M1 can take its nextp
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: s.Ms[1].NextP})
	wantProgress(t, s, "HeldPWithNothingToRun") // not quiescent: M1 can schedule
	sched(t, s, 1, SrcGlobal)                   // resetspinning's wakep starts M0 on P0
	settle(t, s)
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
	// Planted: the Ms the gosched's wakep and stoplockedm's handoffp
	// started give their Ps up without running G1.
	for mi := 1; mi < len(s.Ms); mi++ {
		if p := s.Ms[mi].NextP; p != None {
			do(t, s, Op{Kind: OpAcquireP, M: int8(mi), P: p})
			plantStop(t, s, mi)
		}
	}
	if p := s.Sched.Midle; p != None {
		for pi := range s.Ps {
			if s.pendingP(int8(pi)) {
				do(t, s, Op{Kind: OpAcquireP, M: p, P: int8(pi)})
				plantStop(t, s, int(p))
			}
		}
	}
	wantProgress(t, s, "LockedGNeverRuns")
}

// plantStop plants a lost wakeup: M m gives its P up (releasep, pidleput)
// and sleeps on the idle M list without looking for work, and without
// checkdead (which would throw "checkdead: runnable g" at the last such
// M: the runtime's own detector of this class, TestCheckdeadRunnableG).
func plantStop(t *testing.T, s *State, m int) {
	t.Helper()
	if pi := s.Ms[m].P; pi != None {
		if _, err := s.releasep(m); err != nil {
			t.Fatal(err)
		}
		if err := s.pidleput(pi); err != nil {
			t.Fatal(err)
		}
	}
	if s.Ms[m].Spinning {
		s.Ms[m].Spinning = false
		s.Sched.NMSpinning--
	}
	sm := &s.Ms[m]
	sm.Parked, sm.Recheck, sm.Link = true, false, s.Sched.Midle
	s.Sched.Midle = int8(m)
}

// HangsWithNoDeadlock: main parks, its M stops and parks without mput
// (on no idle list, so checkdead, which mput runs, never counts it idle):
// nothing is runnable and nothing moves, yet the program is alive, where
// the runtime throws "all goroutines are asleep". The control: the same
// M's stopm, mput and checkdead end the program.
func TestProgressHangWithNoDeadlock(t *testing.T) {
	s := newState(t, "small", 1, 2) // (with one M, stopm is schedule's own step)
	do(t, s, Op{Kind: OpPark, M: 0})
	step(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcIdle})
	if !s.Ms[0].Stopping {
		t.Fatalf("M0 owes no stopm:\n%s", s.Dump())
	}
	lost := s.Clone()
	lost.Ms[0].Stopping = false // stopm without mput
	wantProgress(t, lost, "HangsWithNoDeadlock")
	do(t, s, Op{Kind: OpStopm, M: 0})
	if s.Sched.Terminal == Alive {
		t.Fatalf("stopm's checkdead did not end the program:\n%s", s.Dump())
	}
	wantProgress(t, s, "")
}
