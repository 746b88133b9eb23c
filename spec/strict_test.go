package spec

import (
	"strings"
	"testing"
)

// TestStrictScheduleOrder: an op that overlapped no other (Op.Strict)
// gets findRunnable's strict order; the relaxed op of a concurrent
// history keeps the choices a racy read allows.
func TestStrictScheduleOrder(t *testing.T) {
	// M1 on P1 with nothing local, P0 (main's) has G1 on runnext and G2
	// on... main spawns two: G1 to the ring, G2 to runnext.
	setup := func() *State {
		s := newState(t, "small", 2, 2)
		spawn(t, s, 0)
		spawn(t, s, 0)
		do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
		if len(s.Ps[0].Ring) != 1 || s.Ps[0].Runnext == None {
			t.Fatalf("setup:\n%s", s.Dump())
		}
		return s
	}
	// Going idle while P0 has work: allowed for a racy read, refused
	// strictly (stealWork would have found it).
	s := setup()
	if _, err := s.Clone().Apply(Op{Kind: OpSchedule, M: 1, Source: SrcIdle}); err != nil {
		t.Fatalf("relaxed idle: %v", err)
	}
	_, err := s.Clone().Apply(Op{Kind: OpSchedule, M: 1, Source: SrcIdle, Strict: true})
	wantDisabled(t, err)
	// Stealing runnext while P0's ring has work: only a racy read.
	if _, err := s.Clone().Apply(Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0}); err != nil {
		t.Fatalf("relaxed stealnext: %v", err)
	}
	_, err = s.Clone().Apply(Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0, Strict: true})
	wantDisabled(t, err)
	// The ring steal is the strict choice.
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcSteal, Victim: 0, Strict: true})

	// With the global queue non-empty, stealing comes after the batch.
	s = setup()
	do(t, s, Op{Kind: OpGosched, M: 0}) // main to sched.runq
	if _, err := s.Clone().Apply(Op{Kind: OpSchedule, M: 1, Source: SrcSteal, Victim: 0}); err != nil {
		t.Fatalf("relaxed steal with global work: %v", err)
	}
	_, err = s.Clone().Apply(Op{Kind: OpSchedule, M: 1, Source: SrcSteal, Victim: 0, Strict: true})
	wantDisabled(t, err)
	// P1's schedtick is 0: findRunnable's 61st-tick check takes one G
	// (globrunqget) before the batch; only a racy read skips it.
	if _, err := s.Clone().Apply(Op{Kind: OpSchedule, M: 1, Source: SrcGlobal}); err != nil {
		t.Fatalf("relaxed global batch on the tick: %v", err)
	}
	_, err = s.Clone().Apply(Op{Kind: OpSchedule, M: 1, Source: SrcGlobal, Strict: true})
	wantDisabled(t, err)
	off := s.Clone()
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcTick, Strict: true})
	// Off the tick, the batch is the strict choice.
	off.Ps[1].SchedTick = 1
	do(t, off, Op{Kind: OpSchedule, M: 1, Source: SrcGlobal, Strict: true})

	// Nothing anywhere: idle is the strict choice too.
	s = newState(t, "small", 2, 2)
	startOn(t, s, 1, 1)
	// Not spinning, under the limit: findRunnable spins first.
	_, err = s.Clone().Apply(Op{Kind: OpSchedule, M: 1, Source: SrcIdle, Strict: true})
	wantDisabled(t, err)
	do(t, s, Op{Kind: OpSpin, M: 1, Strict: true})
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcIdle, Strict: true})
	if !s.Ms[1].Recheck || s.Ms[1].P != None {
		t.Fatalf("a spinning M's stop: %s", s.Dump())
	}
}

// TestStrictExitsyscall: strictly, exitsyscallTryGetP takes the old P
// back when it can, and exitsyscallNoP's own pidleget never finds a P
// that TryGetP's `sched.pidle != 0` did not see.
func TestStrictExitsyscall(t *testing.T) {
	s := newState(t, "small", 3, 2)
	do(t, s, Op{Kind: OpEnterSyscall, M: 0})
	// M1 takes P0 while main is in its syscall? No: the old P is still
	// main's M's (not retaken): the fast path. Retake it first.
	retake := do(t, s, Op{Kind: OpRetake, M: Sysmon, P: 0})
	if !retake.HandedOff {
		t.Fatalf("retake: %v", retake)
	}
	// P0 went to handoffp: not running under a syscalling thread, so
	// ExitOldP is disabled; the idle head is the strict choice.
	if s.Sched.Pidle == None {
		t.Fatalf("no idle P:\n%s", s.Dump())
	}
	_, err := s.Clone().Apply(Op{Kind: OpExitSyscall, M: 0, P: None, N: int8(ExitNoPPidle), Strict: true})
	wantDisabled(t, err)
	if _, err := s.Clone().Apply(Op{Kind: OpExitSyscall, M: 0, P: None, N: int8(ExitNoPPidle)}); err != nil {
		t.Fatalf("relaxed nop-pidle: %v", err)
	}
	do(t, s, Op{Kind: OpExitSyscall, M: 0, P: None, N: int8(ExitPidle), Strict: true})
}

// TestStrictExitsyscallOldP: when the old P runs under another thread now
// in a syscall, exitsyscall takes it back (setBlockOnExitSyscall, takeP)
// unless something holds that G's scan bit: sysmon's probe of the syscall
// (proc.go:6686-6705), which impl records (RetakeProbe), so the
// exitsyscall it overlaps is relaxed and may go on to an idle P or
// exitsyscallNoP, or a GC stack scan (suspendG), no op, so strict order
// allows them while the GC marks. A review found that strict order
// allowing them always passed an exitsyscall that never took its old P
// back (before, a review of proc.go had found the probe: a correct
// history was illegal while strict order refused them always).
func TestStrictExitsyscallOldP(t *testing.T) {
	s := syscallOnOldP(t, 3)
	if _, err := s.Clone().Apply(Op{Kind: OpExitSyscall, M: 0, P: None, N: int8(ExitPidle)}); err != nil {
		t.Fatalf("relaxed pidle (a probe holds the scan bit): %v", err)
	}
	if _, err := s.Clone().Apply(Op{Kind: OpExitSyscall, M: 0, P: None, N: int8(ExitPidle), Strict: true}); err == nil || !strings.Contains(err.Error(), "nothing holds the scan bit") {
		t.Fatalf("strict pidle while the old P's thread is in a syscall and nothing holds its scan bit: %v", err)
	}
	marking := s.Clone()
	marking.Sched.GCBlacken = true // a GC stack scan may hold it
	r, err := marking.Apply(Op{Kind: OpExitSyscall, M: 0, P: None, N: int8(ExitPidle), Strict: true})
	if err != nil {
		t.Fatalf("strict pidle while the GC marks: %v", err)
	}
	if r.P == 0 || marking.Ps[0].M != 1 || marking.Gs[marking.Ms[1].Curg].Status != Syscall {
		t.Fatalf("strict pidle took P%d; the old P0 must stay with M1 in its syscall:\n%s", r.P, marking.Dump())
	}
	r = do(t, s, Op{Kind: OpExitSyscall, M: 0, P: None, N: int8(ExitOldP), Strict: true})
	if r.P != 0 {
		t.Fatalf("strict exitsyscall got P%d, want the old P0", r.P)
	}

	// One P: no idle P either, and exitsyscallNoP queues the G globally
	// when a probe holds the scan bit (relaxed).
	one := syscallOnOldP(t, 1)
	if _, err := one.Clone().Apply(Op{Kind: OpExitSyscall, M: 0, P: None, N: int8(ExitNoP), Strict: true}); err == nil {
		t.Fatal("strict nop while the old P's thread is in a syscall and nothing holds its scan bit")
	}
	if _, err := one.Apply(Op{Kind: OpExitSyscall, M: 0, P: None, N: int8(ExitNoP)}); err != nil {
		t.Fatalf("relaxed nop while the old P's thread is in a syscall: %v", err)
	}
	if len(one.Sched.Runq) != 1 || one.Ps[0].M != 1 {
		t.Fatalf("nop: want main on the global queue and P0 left with M1:\n%s", one.Dump())
	}
}

// syscallOnOldP returns a state with ps Ps and 2 Ms in which main, in a
// syscall on M0, lost P0 to a retake, and P0 runs under M1, whose G is in
// a syscall too: M0's exitsyscall can take P0 back.
func syscallOnOldP(t *testing.T, ps int) *State {
	t.Helper()
	s := newState(t, "small", ps, 2)
	spawn(t, s, 0) // G1 on P0's runnext
	settle(t, s)
	do(t, s, Op{Kind: OpEnterSyscall, M: 0})
	do(t, s, Op{Kind: OpRetake, M: Sysmon, P: 0})
	if s.Ps[0].Status != PHandoff {
		t.Fatalf("P0 after retake with work: %v, want handoff", s.Ps[0].Status)
	}
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 0})
	sched(t, s, 1, SrcRunnext)
	do(t, s, Op{Kind: OpEnterSyscall, M: 1})
	if s.setBlockOnExitSyscall(0) == None || (s.Sched.Pidle == None) != (ps == 1) {
		t.Fatalf("setup:\n%s", s.Dump())
	}
	return s
}
