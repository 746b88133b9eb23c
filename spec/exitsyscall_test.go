package spec

import (
	"reflect"
	"testing"
)

// exitPaths tries every exitsyscall path of M m on a copy of s and returns
// the P each enabled one gets (None for exitsyscallNoP's queueing).
func exitPaths(t *testing.T, s *State, m int8) map[ExitPath]int8 {
	t.Helper()
	got := map[ExitPath]int8{}
	for e := ExitKeep; e < numExitPaths; e++ {
		c := s.Clone()
		r, err := c.Apply(Op{Kind: OpExitSyscall, M: m, P: None, N: int8(e)})
		if err != nil {
			wantDisabled(t, err)
			continue
		}
		if v := c.CheckInvariants(); v != nil {
			t.Fatalf("exitsyscall %s: %v\n%s", e, v, c.Dump())
		}
		got[e] = r.P
	}
	return got
}

// enabledPaths lists the exitsyscall paths Enabled offers M m.
func enabledPaths(s *State, m int8) []ExitPath {
	var out []ExitPath
	for _, op := range s.Enabled(DefaultBounds(8), nil) {
		if op.Kind == OpExitSyscall && op.M == m {
			out = append(out, ExitPath(op.N))
		}
	}
	return out
}

// TestExitsyscallIdleListLIFO is the regression test for exitsyscall's P
// when the M lost its own: Go 1.26's exitsyscallTryGetP (proc.go:5033-5060)
// takes oldp only from a thread in a syscall (setBlockOnExitSyscall), and
// otherwise `pidleget(0)` (proc.go:5047), which pops the head of the idle
// list (proc.go:7402-7420), pushed there by the last pidleput
// (proc.go:7373-7393). The spec used to take oldp first whenever it was
// idle.
func TestExitsyscallIdleListLIFO(t *testing.T) {
	s := newState(t, "small", 3, 3)
	if got := s.pidleString(); got != "[P2,P1]" {
		t.Fatalf("initial idle list %s, want [P2,P1] (procresize pidleputs P1 then P2)", got)
	}
	// startm/wakep take pidleget's P: the head.
	_, err := s.Apply(Op{Kind: OpAcquireP, M: 1, P: 1})
	wantDisabled(t, err)
	startOn(t, s, 1, 2)
	// main enters a syscall on P0; sysmon retakes P0. npidle = 1, neither
	// 0 nor gomaxprocs-1: handoffp's pidleput (proc.go:3191).
	retakeP0(t, s)
	if got := s.pidleString(); got != "[P0,P1]" {
		t.Fatalf("after retake: idle list %s, want [P0,P1]", got)
	}
	// M1 finds nothing to run: findRunnable's releasep, pidleput
	// (proc.go:3616-3619) puts P2 at the head.
	sched(t, s, 1, SrcIdle)
	if got := s.pidleString(); got != "[P2,P0,P1]" {
		t.Fatalf("after M1 idles: idle list %s, want [P2,P0,P1]", got)
	}
	// M0 leaves the syscall. Its old P is idle, but the P it gets is P2,
	// the last idled, by either pidleget (exitsyscallTryGetP's or
	// exitsyscallNoP's); no path gets P0.
	want := map[ExitPath]int8{ExitPidle: 2, ExitNoPPidle: 2}
	if got := exitPaths(t, s, 0); !reflect.DeepEqual(got, want) {
		t.Fatalf("exitsyscall paths -> Ps %v, want %v\n%s", got, want, s.Dump())
	}
	if got := enabledPaths(s, 0); !reflect.DeepEqual(got, []ExitPath{ExitPidle, ExitNoPPidle}) {
		t.Fatalf("Enabled offers %v", got)
	}
	tick := s.Ps[2].SchedTick
	r := do(t, s, Op{Kind: OpExitSyscall, M: 0, N: int8(ExitPidle)})
	if r.P != 2 || s.Ms[0].P != 2 || s.Gs[0].Status != Running || s.Ps[2].SchedTick != tick || s.pidleString() != "[P0,P1]" {
		t.Fatalf("exitsyscall: %v\n%s", r, s.Dump())
	}
}

// TestExitsyscallTakesOldPBack: exitsyscallTryGetP's first choice
// (proc.go:5035-5042):
//
//	if thread, ok := setBlockOnExitSyscall(oldp); ok {
//		thread.takeP()
//		...
//		return oldp
//	}
//
// setBlockOnExitSyscall (proc.go:6750-6806) succeeds when oldp is
// _Prunning and wired to an M whose curg is in a syscall; takeP
// (proc.go:6810-6836) unwires it from that thread, which stays in its
// syscall without a P.
func TestExitsyscallTakesOldPBack(t *testing.T) {
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0) // G1 in P0's runnext
	settle(t, s)
	retakeP0(t, s) // local work: handoffp's startm
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 0})
	sched(t, s, 1, SrcRunnext)
	do(t, s, Op{Kind: OpEnterSyscall, M: 1}) // G1 in a syscall on M1 and P0
	// P1 is idle too. In the runtime's order oldp comes first; the other
	// paths stay allowed because setBlockOnExitSyscall's reads are racy
	// (proc.go:6746-6748) and exitsyscallTryGetP reads sched.pidle
	// without the lock (proc.go:5045).
	want := map[ExitPath]int8{ExitOldP: 0, ExitPidle: 1, ExitNoPPidle: 1}
	if got := exitPaths(t, s, 0); !reflect.DeepEqual(got, want) {
		t.Fatalf("exitsyscall paths -> Ps %v, want %v\n%s", got, want, s.Dump())
	}
	if got := enabledPaths(s, 0); !reflect.DeepEqual(got, []ExitPath{ExitOldP, ExitPidle, ExitNoPPidle}) {
		t.Fatalf("Enabled offers %v", got)
	}
	r := do(t, s, Op{Kind: OpExitSyscall, M: 0, N: int8(ExitOldP)})
	if r.P != 0 || s.Ms[0].P != 0 || s.Ps[0].M != 0 || s.Ms[1].P != None || s.Ms[1].OldP != 0 ||
		s.Gs[1].Status != Syscall || s.Gs[0].Status != Running || s.pidleString() != "[P1]" {
		t.Fatalf("exitsyscall oldp: %v\n%s", r, s.Dump())
	}
	// M1's oldp is now P0, running main (not in a syscall): it cannot take
	// it back; it gets the idle P1.
	want = map[ExitPath]int8{ExitPidle: 1, ExitNoPPidle: 1}
	if got := exitPaths(t, s, 1); !reflect.DeepEqual(got, want) {
		t.Fatalf("M1's exitsyscall paths -> Ps %v, want %v\n%s", got, want, s.Dump())
	}
	// With main in a syscall on P0 again, M1 takes P0 back from m0.
	do(t, s, Op{Kind: OpEnterSyscall, M: 0})
	if got := exitPaths(t, s, 1); got[ExitOldP] != 0 {
		t.Fatalf("M1's exitsyscall paths -> Ps %v, want oldp -> P0\n%s", got, s.Dump())
	}
}

// TestExitsyscallNoPRetry: exitsyscallNoP takes sched.lock and calls
// pidleget itself (proc.go:5083-5086); when it finds a P it runs the G
// there with execute(gp, false) (proc.go:5101-5105), a new time slice.
// With no idle P the G goes to the global queue (proc.go:5087-5095).
func TestExitsyscallNoPRetry(t *testing.T) {
	s := newState(t, "small", 2, 1)
	retakeP0(t, s) // 2 Ps, P1 idle: the last running P, startm
	tick := s.Ps[1].SchedTick
	r := do(t, s, Op{Kind: OpExitSyscall, M: 0, N: int8(ExitNoPPidle)})
	if r.P != 1 || s.Ms[0].P != 1 || s.Ms[0].Curg != 0 || s.Gs[0].Status != Running || s.Gs[0].M != 0 ||
		s.Ps[1].SchedTick != tick+1 || s.Sched.Pidle != None {
		t.Fatalf("exitsyscallNoP's pidleget: %v\n%s", r, s.Dump())
	}
	// The idle list is empty now: exitsyscallNoP queues the G.
	do(t, s, Op{Kind: OpEnterSyscall, M: 0})
	do(t, s, Op{Kind: OpRetake, M: Sysmon, P: 1})
	if got := enabledPaths(s, 0); !reflect.DeepEqual(got, []ExitPath{ExitNoP}) {
		t.Fatalf("Enabled offers %v with no idle P", got)
	}
	r = do(t, s, Op{Kind: OpExitSyscall, M: 0, N: int8(ExitNoP)})
	if r.P != None || s.Gs[0].Status != Runnable || s.Ms[0].Curg != None || len(s.Sched.Runq) != 1 {
		t.Fatalf("exitsyscallNoP: %v\n%s", r, s.Dump())
	}
}

// Every stop-the-world ends in procresize (startTheWorldWithSema,
// proc.go:1776), which pidleputs the idle Ps from P0 up
// (proc.go:6141-6150, 6236-6241): the highest idle P heads the list
// whatever order they idled in.
func TestStartTheWorldRelistsIdlePs(t *testing.T) {
	s := newState(t, "small", 3, 3)
	startOn(t, s, 1, 2)
	retakeP0(t, s)
	sched(t, s, 1, SrcIdle)
	if got := s.pidleString(); got != "[P2,P0,P1]" {
		t.Fatalf("idle list %s", got)
	}
	step(t, s, Op{Kind: OpGC, M: Controller, N: 1})
	if got := s.pidleString(); got != "[P2,P1,P0]" {
		t.Fatalf("after a GC start: idle list %s, want [P2,P1,P0]", got)
	}
	// Then startTheWorldWithSema's wakep (proc.go:1822) takes the head
	// for an idle M, spinning.
	if r := ctlWakepSteps(t, s); !r.Woke || r.HandedTo != 1 || s.Ms[1].NextP != 2 || !s.Ms[1].Spinning || s.pidleString() != "[P1,P0]" {
		t.Fatalf("the GC start's wakep: %v, want P2 handed to M1 (the idle list's head) spinning\n%s", r, s.Dump())
	}
	settle(t, s)
	// (GOMAXPROCS changes only once the GC has ended: stopTheWorldGC.)
	do(t, s, Op{Kind: OpMarkrootFreeGStacks, M: Controller})
	do(t, s, Op{Kind: OpGC, M: Controller, N: 0})
	settle(t, s)
	step(t, s, Op{Kind: OpProcResize, M: Controller, N: 2})
	if got := s.pidleString(); got != "[P1,P0]" {
		t.Fatalf("after procresize(2): idle list %s, want [P1,P0]", got)
	}
}
