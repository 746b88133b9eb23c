package spec

import "testing"

// syscallWithBothPsBusy: M0's G0 is in a syscall on P0 and M1 runs G1 on
// P1: no P is idle and no M spins.
func syscallWithBothPsBusy(t *testing.T) *State {
	t.Helper()
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0) // G1 in P0's runnext; wakep: M1 on P1, spinning
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0})
	do(t, s, Op{Kind: OpEnterSyscall, M: 0})
	if s.Sched.Pidle != None || s.Sched.NMSpinning != 0 || s.Ms[1].Curg != 1 || s.Gs[0].Status != Syscall {
		t.Fatalf("setup:\n%s", s.Dump())
	}
	return s
}

// TestRetakeResumesBeforeHandoffp: sysmon's retake lets the syscalling
// thread go (thread.resume()) before its handoffp (proc.go:6710-6715), so
// M0 may leave its syscall in between, find its P gone and no P idle, put
// G0 on the global queue and stop (exitsyscallNoP); checkdead counts
// sysmon's incidlelocked(-1) bracket. handoffp then finds the global work
// and starts an M for P0, not spinning. The spec made retake and handoffp
// one step and could not reach this.
func TestRetakeResumesBeforeHandoffp(t *testing.T) {
	s := syscallWithBothPsBusy(t)
	step(t, s, Op{Kind: OpRetake, M: Sysmon, P: 0})
	if s.Sched.RetakeP != 0 || s.Sched.RetakeM != 0 || s.Ps[0].Status != PHandoff || s.Ms[0].P != None || s.Ms[0].OldP != 0 {
		t.Fatalf("retake:\n%s", s.Dump())
	}
	for _, op := range s.Enabled(DefaultBounds(3), nil) {
		if op.M == Sysmon && op.Kind != OpHandoffp {
			t.Errorf("offered %v: sysmon's handoffp comes first", op)
		}
		if op.M == 1 && op.Kind == OpAcquireP {
			t.Errorf("offered %v: the P sysmon holds is not newm's", op)
		}
	}
	if _, err := s.Clone().Apply(Op{Kind: OpRetake, M: 1, P: 1}); err == nil {
		t.Error("an M retook a P")
	}
	if _, err := s.Clone().Apply(Op{Kind: OpExitSyscall, M: 0, N: int8(ExitOldP)}); err == nil {
		t.Error("exitsyscall took back its old P, which sysmon holds")
	}
	r := step(t, s, Op{Kind: OpExitSyscall, M: 0, N: int8(ExitNoP), Strict: true})
	if gl(s.Sched.Runq) != "[G0]" || !s.Ms[0].Stopping || r.Fatal != "" {
		t.Fatalf("exitsyscallNoP in the window: %v\n%s", r, s.Dump())
	}
	if r := step(t, s, Op{Kind: OpStopm, M: 0}); r.Fatal != "" || s.RunningMs() != 2 {
		t.Fatalf("stopm in the window: %v, running Ms %d (M1 and sysmon's bracket)\n%s", r, s.RunningMs(), s.Dump())
	}
	h := step(t, s, Op{Kind: OpHandoffp, M: Sysmon})
	if h.P != 0 || !h.HandedOff || s.Sched.RetakeP != None || s.Ms[0].NextP != 0 || s.Ms[0].Spinning || s.Sched.NMSpinning != 0 {
		t.Fatalf("handoffp: %v, want startm(P0, false) to M0\n%s", h, s.Dump())
	}
	// Control: with the handoffp right after the retake, as the one
	// step was, handoffp finds no work and no idle P or spinning M, and
	// starts a spinning M for P0 (left for newm's: none is idle); M0's
	// exitsyscall then finds no P.
	c := syscallWithBothPsBusy(t)
	do(t, c, Op{Kind: OpRetake, M: Sysmon, P: 0})
	if c.Sched.RetakeP != None || c.Sched.NMSpinning != 1 || !c.Ps[0].StartSpinning {
		t.Fatalf("control: retake then handoffp:\n%s", c.Dump())
	}
}

// TestRetakeWindowInvariants: a planted P held by sysmon that is idle-
// listed, or a RetakeM without RetakeP, breaks the invariants.
func TestRetakeWindowInvariants(t *testing.T) {
	s := syscallWithBothPsBusy(t)
	step(t, s, Op{Kind: OpRetake, M: Sysmon, P: 0})
	x := s.Clone()
	x.Sched.RetakeP = None
	if x.CheckInvariants() == nil {
		t.Error("sysmon's RetakeM without its P passed the invariants")
	}
	y := s.Clone()
	y.Ps[0].Status = PRunning
	if y.CheckInvariants() == nil {
		t.Error("a P sysmon holds, running, passed the invariants")
	}
}
