package spec

import "testing"

// retakeP0 puts main (on m0 and P0) into a syscall and lets sysmon take P0
// (retake -> takeP -> handoffp, proc.go:6700-6715).
func retakeP0(t *testing.T, s *State) {
	t.Helper()
	do(t, s, Op{Kind: OpEnterSyscall, M: 0})
	r := do(t, s, Op{Kind: OpRetake, M: Sysmon, P: 0})
	if !r.HandedOff || s.Ms[0].P != None {
		t.Fatalf("retake: %v\n%s", r, s.Dump())
	}
}

// TestHandoffpLastRunningP is the regression test for handoffp's
// last-running-P branch (proc.go:3180-3186):
//
//	if sched.npidle.Load() == gomaxprocs-1 && sched.lastpoll.Load() != 0 {
//		unlock(&sched.lock)
//		startm(pp, false, false)
//		return
//	}
//
// With no work anywhere and every other P idle, the runtime starts an M for
// the P (so that someone is there to poll the network; the spec has no
// netpoller, so sched.lastpoll, set in schedinit at proc.go:920, is never
// 0). The spec used to put the P on the idle list there.
func TestHandoffpLastRunningP(t *testing.T) {
	s := newState(t, "small", 3, 2)
	retakeP0(t, s)
	// npidle = 2 = gomaxprocs-1: startm(pp, false, false).
	if s.Ps[0].Status != PHandoff {
		t.Fatalf("P0 after handoffp with P1, P2 idle: %v, want handoff (startm)\n%s", s.Ps[0].String(), s.Dump())
	}
	// An M takes it.
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 0})

	// gomaxprocs, not len(allp): after procresize(2), P2 is dead, and
	// npidle = 1 = gomaxprocs-1 is again the last running P.
	s = newState(t, "small", 3, 2)
	do(t, s, Op{Kind: OpProcResize, M: Controller, N: 2})
	settle(t, s) // the M startTheWorldWithSema's wakep started for P1
	retakeP0(t, s)
	if s.Ps[0].Status != PHandoff {
		t.Fatalf("P0 with gomaxprocs 2 and P1 idle: %v, want handoff\n%s", s.Ps[0].String(), s.Dump())
	}
}

// TestHandoffpBranches: handoffp's other branches with no work to do
// (proc.go:3152-3156 and 3191). npidle counts the idle list, which the
// released P is not on yet.
func TestHandoffpBranches(t *testing.T) {
	// Another P running, one idle: npidle = 1, neither 0 nor
	// gomaxprocs-1 = 2: pidleput.
	s := newState(t, "small", 3, 2)
	startOn(t, s, 1, 2)
	retakeP0(t, s)
	if s.Ps[0].Status != PIdle {
		t.Fatalf("P0 with P2 running and P1 idle: %v, want idle (pidleput)\n%s", s.Ps[0].String(), s.Dump())
	}

	// Every other P running: nmspinning+npidle == 0 (the spec has no
	// spinning Ms): startm(pp, true, false).
	s = newState(t, "small", 3, 3)
	startOn(t, s, 1, 2)
	startOn(t, s, 2, 1)
	retakeP0(t, s)
	if s.Ps[0].Status != PHandoff {
		t.Fatalf("P0 with no idle P: %v, want handoff (a spinning M)\n%s", s.Ps[0].String(), s.Dump())
	}

	// Local work: startm whatever the idle Ps (proc.go:3136-3139).
	s = newState(t, "small", 3, 2)
	startOn(t, s, 1, 2)
	spawn(t, s, 0)
	retakeP0(t, s)
	if s.Ps[0].Status != PHandoff {
		t.Fatalf("P0 with G1 in runnext: %v, want handoff\n%s", s.Ps[0].String(), s.Dump())
	}
}

// mexit's handoffp during a stop-the-world stops the P with no oldm:
// `mp.self.clear()` (proc.go:2027) comes before handoffp(releasep()), and
// acquirep's pp.oldm is a weak pointer to that M, nil from then on. The
// spec used to name the exited thread. m0 parks before the clear: a
// stopped P keeps naming it (TestMexitEmptiesOldM covers the clear).
func TestMexitHandoffDuringStopLeavesNoOldM(t *testing.T) {
	s := newState(t, "go", 2, 3)
	spawn(t, s, 0)
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	sched(t, s, 1, SrcStealNext)
	do(t, s, Op{Kind: OpLockOSThread, M: 1})
	do(t, s, Op{Kind: OpPark, M: 0})
	do(t, s, Op{Kind: OpSpin, M: 0}) // nmspinning 1: handoffp takes its locked section
	step(t, s, Op{Kind: OpStopTheWorld, M: Controller})
	step(t, s, Op{Kind: OpGoexit, M: 1})
	step(t, s, Op{Kind: OpMexit, M: 1})
	r := step(t, s, Op{Kind: OpHandoffpLocked, M: 1})
	if HandoffLockedBranch(r.Value) != HandoffGCStop || s.Ps[1].Status != PGCStop {
		t.Fatalf("handoffp's section did not stop P1 (branch %v):\n%s", HandoffLockedBranch(r.Value), s.Dump())
	}
	if s.Ps[1].OldM != None {
		t.Fatalf("P1 stopped naming M%d, whose thread exits (mexit cleared its self first):\n%s", s.Ps[1].OldM, s.Dump())
	}
	step(t, s, Op{Kind: OpMfreed, M: 1})
	if v := s.CheckInvariants(); v != nil {
		t.Fatalf("%s: %s", v.Invariant, v.Detail)
	}
}
