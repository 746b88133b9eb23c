package spec

import (
	"slices"
	"testing"
)

// TestSeedWalkthrough follows the seed walkthrough (goexit1 -> mcall(goexit0)
// -> gdestroy -> gfput -> schedule): a goroutine is spawned, runs, exits
// through each branch of gdestroy, is recycled through the free list, and is
// reused by newproc1 with a fresh goid.
func TestSeedWalkthrough(t *testing.T) {
	s := newState(t, "go", 2, 2)

	// main (G0 on M0/P0) spawns G1: malg + allgadd, goid 2, runnext.
	r := spawn(t, s, 0)
	if r.G != 1 || r.How != HowMalg || r.Goid != 2 || s.Ps[0].Runnext != 1 {
		t.Fatalf("spawn: %v, runnext %d", r, s.Ps[0].Runnext)
	}
	// main parks; schedule takes runnext (inheriting the time slice).
	do(t, s, Op{Kind: OpPark, M: 0})
	tick := s.Ps[0].SchedTick
	r = sched(t, s, 0, SrcRunnext)
	if r.G != 1 || s.Ms[0].Curg != 1 || s.Gs[1].Status != Running || s.Ps[0].SchedTick != tick {
		t.Fatalf("schedule: %v\n%s", r, s.Dump())
	}

	// G1 sets what gdestroy must clear, then returns: goexit1 ->
	// mcall(goexit0) -> gdestroy -> gfput. Its stack is startingStackSize,
	// so it keeps it.
	do(t, s, Op{Kind: OpDirty, M: 0})
	r = do(t, s, Op{Kind: OpExit, M: 0})
	g := s.Gs[1]
	if g.Status != Dead || g.M != None || g.Cleared != 0 || r.StackFreed || g.Stack != StackMin {
		t.Fatalf("gdestroy: %v, G1 %v", r, g.String())
	}
	if s.Ms[0].Curg != None || len(s.Ps[0].GFree) != 1 || s.Ps[0].GFree[0] != 1 {
		t.Fatalf("gfput: %s", s.Dump())
	}

	// goexit0 calls schedule: nothing to run but the parked main; ready
	// it from... nobody runs. Take the idle branch: P0 idle, M0 stops.
	r = sched(t, s, 0, SrcIdle)
	if s.Ps[0].Status != PIdle || s.Ms[0].P != None {
		t.Fatalf("idle: %s", s.Dump())
	}
	// M1 starts on P0 (startm), but main is still waiting: back to a
	// clean slate with a fresh state where main keeps running.
	s = newState(t, "go", 2, 2)
	spawn(t, s, 0)                      // G1
	do(t, s, Op{Kind: OpGosched, M: 0}) // main to the global queue
	// P0's schedtick is still 0 (main inherited its time slice from
	// runnext), so findRunnable's tick check takes main back first.
	if r := sched(t, s, 0, SrcTick); r.G != 0 || s.Ps[0].SchedTick != 1 {
		t.Fatalf("tick at schedtick 0: %v\n%s", r, s.Dump())
	}
	do(t, s, Op{Kind: OpGosched, M: 0})
	sched(t, s, 0, SrcRunnext) // G1 runs
	do(t, s, Op{Kind: OpGrowStack, M: 0})
	r = do(t, s, Op{Kind: OpExit, M: 0})
	if !r.StackFreed || s.Gs[1].Stack != 0 {
		t.Fatalf("a grown stack must be freed by gfput: %v", r)
	}
	sched(t, s, 0, SrcGlobal) // main back
	// Reuse: newproc1 pops G1 from P0's free list, allocates a stack,
	// and hands out a fresh goid (never G1's old one).
	old := s.Gs[1].Goid
	r = spawn(t, s, 0)
	if r.G != 1 || r.How != HowLocal || r.Stack != StackAllocated || r.Goid == old || s.Gs[1].Stack != StackMin {
		t.Fatalf("reuse: %v (old goid %d)", r, old)
	}
	if len(s.Gs) != 2 {
		t.Fatalf("allgs grew on reuse: %d", len(s.Gs))
	}
}

// TestLockedExit: a goroutine that exits locked to its thread is recycled,
// and the thread exits (mexit) with its P handed off; on m0 the thread is
// wedged instead (TestLockOSThreadExit's LockOSThreadMain/Alt).
func TestLockedExit(t *testing.T) {
	s := newState(t, "go", 2, 2)
	spawn(t, s, 0) // G1 in P0.runnext
	// M1 takes idle P1 and steals runnext from P0.
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	r := sched(t, s, 1, SrcStealNext)
	if r.G != 1 || r.Victim != 0 {
		t.Fatalf("steal runnext: %v", r)
	}
	do(t, s, Op{Kind: OpLockOSThread, M: 1})
	if s.Ms[1].LockedG != 1 || s.Gs[1].LockedM != 1 {
		t.Fatalf("LockOSThread did not wire: %s", s.Dump())
	}
	r = do(t, s, Op{Kind: OpExit, M: 1})
	if r.Locked != LockedMexit || !s.Ms[1].Exited || s.Gs[1].Status != Dead || s.Ms[1].P != None {
		t.Fatalf("locked exit: %v\n%s", r, s.Dump())
	}
	// handoffp: no work, but no P is idle either (npidle == 0), so
	// startm(pp, spinning): the P waits for an M.
	if s.Ps[1].Status != PHandoff || len(s.Ps[1].GFree) != 1 {
		t.Fatalf("P1 after handoff: %v", s.Ps[1].String())
	}
	// The exited thread never runs again: newm's thread for P1 runs in
	// its slot (newm_test.go), and takes nothing else.
	_, err := s.Clone().Apply(Op{Kind: OpAcquireP, M: 1, P: 0})
	wantDisabled(t, err)
	if r := do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1}); !r.Newm || s.Ms[1].Exited {
		t.Fatalf("newm's thread in M1's slot: %v\n%s", r, s.Dump())
	}

	// m0: main locks and Goexits while G2 lives: m0 is wedged.
	spawn(t, s, 0)
	do(t, s, Op{Kind: OpLockOSThread, M: 0})
	r = do(t, s, Op{Kind: OpGoexit, M: 0})
	if r.Locked != LockedM0Wedged || !s.Ms[0].Wedged || s.Ms[0].Exited {
		t.Fatalf("m0 locked goexit: %v\n%s", r, s.Dump())
	}
	if s.Ps[0].Status != PHandoff {
		t.Fatalf("P0 has G in runnext and must wait for startm: %v", s.Ps[0].String())
	}
}

// A locked G's exit, its thread's mexit and mexit's nmfreed++ are three
// steps, as in the runtime: gdestroy does gfput without sched.lock and
// goes to g0 (gogo(&mp.g0.sched) -> mstart0); mexit then makes
// handoffp(releasep()) (handoffp takes sched.lock for its own sections),
// and only after it takes sched.lock for nmfreed++ and checkdead. Until
// the nmfreed++ the M counts as running and makes no other op: first
// holding its P with no G, then with neither. Another M's stopm in either
// window finds it running, so checkdead is silent there and runs again
// at the nmfreed++.
func TestLockedExitThenMexit(t *testing.T) {
	s := lockedOnM1(t)
	do(t, s, Op{Kind: OpPark, M: 0}) // main waits forever
	r := step(t, s, Op{Kind: OpExit, M: 1})
	m1 := &s.Ms[1]
	if r.Locked != LockedMexit || r.HandedOff || !m1.Mexiting || m1.Exited || m1.P != 1 || m1.LockedG != None ||
		s.Gs[1].Status != Dead || len(s.Ps[1].GFree) != 1 || s.RunningMs() != 2 {
		t.Fatalf("locked exit: %v, M1 owes mexit %v, exited %v, on P%d, running Ms %d: want G1 on P1's free list, M1 holding P1 and counted running, mexit next\n%s",
			r, m1.Mexiting, m1.Exited, m1.P, s.RunningMs(), s.Dump())
	}
	for _, op := range s.Enabled(DefaultBounds(2), nil) {
		if op.M == 1 && op.Kind != OpMexit {
			t.Fatalf("enabled %v: M1 owes its mexit first", op)
		}
	}
	// M0 finds nothing and stops in the window: M1 still runs, so
	// checkdead is silent.
	if f := idle(t, s, 0).Fatal; f != "" || !s.Ms[0].Parked {
		t.Fatalf("M0's stop path in the window: fatal %q, parked %v\n%s", f, s.Ms[0].Parked, s.Dump())
	}
	r = step(t, s, Op{Kind: OpMexit, M: 1})
	// handoffp's read sees P0 idle: its sched.lock section is next,
	// which finds P1 the last running P and starts an M for it.
	if HandoffStep(r.Value) != HandoffLocked || m1.StartmP != 1 {
		t.Fatalf("mexit: %v: want handoffp's sched.lock section next, P1 held\n%s", r, s.Dump())
	}
	if lr := step(t, s, Op{Kind: OpHandoffpLocked, M: 1}); HandoffLockedBranch(lr.Value) != HandoffLastP {
		t.Fatalf("handoffp's sched.lock section: %v, want the last running P\n%s", lr, s.Dump())
	}
	step(t, s, Op{Kind: OpStartm, M: 1})
	if !r.HandedOff || r.Locked != LockedMexit || m1.Exited || m1.Mexiting || !m1.Mfreed || m1.P != None || s.Ms[0].NextP != 1 || s.RunningMs() != 2 {
		t.Fatalf("mexit: %v, running Ms %d: want P1 handed to M0, M1 not yet freed, both counted running\n%s", r, s.RunningMs(), s.Dump())
	}
	if got := Branches(Op{Kind: OpMexit, M: 1}, r, nil); !slices.Contains(got, "mexit") {
		t.Fatalf("branches %v: want mexit", got)
	}
	for _, op := range s.Enabled(DefaultBounds(2), nil) {
		if op.M == 1 && op.Kind != OpMfreed {
			t.Fatalf("enabled %v: M1 owes its nmfreed++ first", op)
		}
	}
	// handoffp started M0 for P1 (the last running P: startm(pp,
	// false)): M0 takes it, finds nothing and stops in the second window;
	// M1 still counts, so checkdead is silent again.
	do(t, s, Op{Kind: OpAcquireP, M: 0, P: 1})
	if f := idle(t, s, 0).Fatal; f != "" || !s.Ms[0].Parked {
		t.Fatalf("M0's stop path before M1's nmfreed++: fatal %q, parked %v\n%s", f, s.Ms[0].Parked, s.Dump())
	}
	// The nmfreed++: no M runs now, and main waits: deadlock.
	r = step(t, s, Op{Kind: OpMfreed, M: 1})
	if !m1.Exited || m1.Mfreed || r.Fatal != FatalAllAsleep || s.RunningMs() != 0 {
		t.Fatalf("nmfreed++: %v, exited %v, running Ms %d: want M1 gone and checkdead's deadlock\n%s", r, m1.Exited, s.RunningMs(), s.Dump())
	}
}

// TestGoexitDeadlock: runtime.Goexit on main, then the last goroutine
// exits: "no goroutines (main called runtime.Goexit) - deadlock!"
// (TestGoexitDeadlock).
func TestGoexitDeadlock(t *testing.T) {
	s := newState(t, "small", 1, 1)
	spawn(t, s, 0)
	r := do(t, s, Op{Kind: OpGoexit, M: 0})
	if r.Fatal != "" || !s.Sched.MainGoexit {
		t.Fatalf("main goexit with G1 alive: %v", r)
	}
	sched(t, s, 0, SrcRunnext)
	r = do(t, s, Op{Kind: OpExit, M: 0})
	if r.Fatal != "" || s.Sched.Terminal != Alive {
		t.Fatalf("last exit: %v: checkdead runs only once the M stops (mput)", r)
	}
	// schedule finds nothing: the stop path, and stopm's mput runs
	// checkdead with no M running and no goroutine left.
	r = idle(t, s, 0)
	if r.Fatal != FatalGoexitDeadlock || s.Sched.Terminal != GoexitDeadlock {
		t.Fatalf("last M idle: %v\n%s", r, s.Dump())
	}
	if ops := s.Enabled(DefaultBounds(4), nil); len(ops) != 0 {
		t.Fatalf("a terminal state enables %v", ops)
	}
	// Main returning is exit(0).
	s = newState(t, "small", 1, 1)
	do(t, s, Op{Kind: OpExit, M: 0})
	if s.Sched.Terminal != MainReturned {
		t.Fatalf("main return: %v", s.Sched.Terminal)
	}
}

// TestNewproc1InheritsAndGdestroyClears: Go 1.26's newproc1 gives every
// new G its creator's fipsOnlyBypass (proc.go:5408), and only a user G its
// pprof labels and synctest bubble; gdestroy clears fipsOnlyBypass and
// secret with the rest (DeadGsCleared). A dead G that keeps either is the
// invariant's violation.
func TestNewproc1InheritsAndGdestroyClears(t *testing.T) {
	s := newState(t, "go", 1, 1)
	do(t, s, Op{Kind: OpDirty, M: 0}) // main: every field gdestroy resets
	user := spawn(t, s, 0)
	if got, want := s.Gs[user.G].Cleared, FieldLabels|FieldBubble|FieldFipsOnlyBypass; got != want {
		t.Fatalf("user G inherits %#x, want labels, bubble and fipsOnlyBypass (%#x)", got, want)
	}
	sys := do(t, s, Op{Kind: OpNewproc1, M: 0, N: 1})
	do(t, s, Op{Kind: OpRunqput, M: 0})
	if got := s.Gs[sys.G].Cleared; got != FieldFipsOnlyBypass {
		t.Fatalf("system G inherits %#x, want fipsOnlyBypass alone (%#x)", got, FieldFipsOnlyBypass)
	}
	// main parks; the system G (runnext) runs, is dirtied, exits:
	// everything cleared.
	do(t, s, Op{Kind: OpPark, M: 0})
	sched(t, s, 0, SrcRunnext)
	g := s.Ms[0].Curg
	do(t, s, Op{Kind: OpDirty, M: 0})
	do(t, s, Op{Kind: OpExit, M: 0})
	if s.Gs[g].Status != Dead || s.Gs[g].Cleared != 0 {
		t.Fatalf("gdestroy left G%d %s", g, s.Gs[g].String())
	}
	// The planted gdestroy that forgets the Go 1.26 fields.
	for _, f := range []uint16{FieldFipsOnlyBypass, FieldSecret} {
		b := s.Clone()
		b.Gs[g].Cleared = f
		v := b.CheckInvariants()
		if v == nil || v.Invariant != "DeadGsCleared" {
			t.Fatalf("a dead G keeping %#x: %v", f, v)
		}
	}
}
