package spec

import (
	"slices"
	"strings"
	"testing"
)

// lockedExitLeavesPending is TestLockedExit's opening at 2 Ps and 2 Ms:
// M1 steals G1, locks it to its thread and G1 exits; the thread exits
// (mexit) and its handoffp finds no idle P, so startm(pp, spinning) finds
// no idle M either (M0 runs main): P1 is left to newm's thread.
func lockedExitLeavesPending(t *testing.T) *State {
	t.Helper()
	s := lockedOnM1(t)
	if r := do(t, s, Op{Kind: OpExit, M: 1}); r.Locked != LockedMexit || !s.Ms[1].Exited {
		t.Fatalf("locked exit: %v\n%s", r, s.Dump())
	}
	if !s.pendingP(1) || !s.Ps[1].StartSpinning {
		t.Fatalf("P1 is not left to newm's spinning thread\n%s", s.Dump())
	}
	return s
}

// The spec's Ms are the threads that exist at once: where startm finds no
// idle M and calls newm (proc.go startm -> newm -> newosproc, then
// mstart1's acquirep(nextp)), the new thread runs in the slot of one that
// exited through mexit. Before, an exited M never acted again and a P
// left to newm waited for an idle M that might never come (the explorer
// counted such a state as a deadlock). The new thread is a new M (allocm:
// no lock counts), spinning as startm(pp, true) asked, and mcount() does
// not change: newm's M was counted from startm's mReserveID.
func TestNewmRunsInExitedSlot(t *testing.T) {
	s := lockedExitLeavesPending(t)
	if s.Ms[1].LockedExt == 0 {
		t.Fatalf("the exited thread's lock count should stay until its slot is reused\n%s", s.Dump())
	}
	if got := s.freeM(); got != 1 {
		t.Fatalf("freeM = %d, want M1 (newm's thread runs in its slot)", got)
	}
	want := Op{Kind: OpAcquireP, M: 1, P: 1}
	if ops := s.Enabled(DefaultBounds(2), nil); !slices.Contains(ops, want) {
		t.Fatalf("enabled %v: want %v, newm's thread in M1's slot", ops, want)
	}
	run := s.RunningMs()
	r := do(t, s, want)
	m1 := &s.Ms[1]
	if !r.Newm || r.P != 1 || r.Value != 1 || m1.Exited || m1.P != 1 || !m1.Spinning || m1.LockedExt != 0 || m1.LockedInt != 0 ||
		s.Ps[1].Status != PRunning || s.Ps[1].StartSpinning || s.RunningMs() != run {
		t.Fatalf("newm's thread: %v, running Ms %d (was %d)\n%s", r, s.RunningMs(), run, s.Dump())
	}
	if got := Branches(want, r, nil); !slices.Contains(got, "acquirep/newm") {
		t.Fatalf("branches %v: want newm", got)
	}
	// The new thread schedules like any M: it spins, finds nothing and
	// stops, and the program goes on (main still runs on M0).
	if ops := s.Enabled(DefaultBounds(2), nil); !slices.ContainsFunc(ops, func(op Op) bool { return op.M == 1 }) {
		t.Fatalf("enabled %v: the new thread has no step", ops)
	}
}

// While a thread has exited, its slot takes a P left to newm, not an idle
// M: in the runtime the M that went idle after the startm stays asleep on
// sched.midle, and newm's thread takes the P. Only with no exited slot
// does an idle M stand in for newm's thread (the spec has at most
// Config.Ms threads at once).
func TestIdleMLeavesPendingPToExitedSlot(t *testing.T) {
	s := lockedExitLeavesPending(t)
	// Main parks, and M0 goes idle: it drops P0 and sleeps on the idle
	// M list, with P1 still left to newm.
	do(t, s, Op{Kind: OpPark, M: 0})
	sched(t, s, 0, SrcIdle)
	if !s.Ms[0].Parked || !s.pendingP(1) {
		t.Fatalf("want M0 asleep on the idle list and P1 left to newm\n%s", s.Dump())
	}
	if got := s.freeM(); got != 0 {
		t.Fatalf("freeM = %d, want M0 (mget's M)", got)
	}
	ops := s.Enabled(DefaultBounds(2), nil)
	if slices.Contains(ops, Op{Kind: OpAcquireP, M: 0, P: 1}) || !slices.Contains(ops, Op{Kind: OpAcquireP, M: 1, P: 1}) {
		t.Fatalf("enabled %v: want P1 offered to M1's slot (newm's thread) alone", ops)
	}
	_, err := s.Clone().Apply(Op{Kind: OpAcquireP, M: 0, P: 1})
	wantDisabled(t, err)
	if r := do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1}); !r.Newm {
		t.Fatalf("M1's slot: %v", r)
	}
	if !s.Ms[0].Parked {
		t.Fatalf("M0 left the idle list\n%s", s.Dump())
	}
}

// The progress predicate HandedOffPNeverStarted counts an exited slot as
// a free M: a P left to newm that nothing takes while a thread has exited
// is stranded (the runtime's newm would have run), where before the fix
// it passed as a bound that ran out of Ms. The control: after the new
// thread takes it, the predicate is silent.
func TestProgressSeesExitedSlot(t *testing.T) {
	s := lockedExitLeavesPending(t)
	v := s.CheckProgress()
	if v == nil || v.Invariant != "HandedOffPNeverStarted" || !strings.Contains(v.Detail, "newm") {
		t.Fatalf("progress with P1 left to newm and M1's slot free: %v, want HandedOffPNeverStarted naming newm's thread", v)
	}
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	if v := s.CheckProgress(); v != nil && v.Invariant == "HandedOffPNeverStarted" {
		t.Fatalf("after newm's thread took P1: %v", v)
	}
}

// m0 is wedged, not exited (mexit parks it forever): its slot never takes
// a P, so with m0 wedged and every other M busy a P left to newm still
// waits (the bound's Ms ran out; doc.go).
func TestWedgedM0SlotNotReused(t *testing.T) {
	s := newState(t, "go", 2, 2)
	spawn(t, s, 0)
	do(t, s, Op{Kind: OpLockOSThread, M: 0})
	if r := do(t, s, Op{Kind: OpGoexit, M: 0}); r.Locked != LockedM0Wedged || !s.Ms[0].Wedged {
		t.Fatalf("m0's locked Goexit: %v\n%s", r, s.Dump())
	}
	for _, op := range s.Enabled(DefaultBounds(2), nil) {
		if op.M == 0 {
			t.Fatalf("enabled %v: wedged m0 acts", op)
		}
	}
	if s.exitedM() != None {
		t.Fatalf("exitedM = %d, want none (m0 is wedged)", s.exitedM())
	}
}
