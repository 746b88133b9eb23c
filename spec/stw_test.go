package spec

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// enabledKinds lists the kinds of the ops Enabled offers actor a in s.
func enabledKinds(s *State, a int8) []OpKind {
	var ks []OpKind
	for _, op := range s.Enabled(Bounds{Gs: 4, LockDepth: 1, MaxStack: 2 * StackMin}, nil) {
		if op.M == a {
			ks = append(ks, op.Kind)
		}
	}
	return ks
}

// A stop-the-world preempts the running G into its own P's runnext,
// kicking the old runnext to the ring's tail (goschedImpl with
// sched.gcwaiting, proc.go:4331-4334); the M that startm woke acquires
// its P and stops in gcstopm, its spinning dropped; the world restarts
// with the P that has work handed back to its last M (mgetSpecific(oldm))
// and the other one idle, then the controller's wakep.
func TestStopTheWorldPreemptsIntoRunnext(t *testing.T) {
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0) // G1 in P0's runnext; startm gave M1 P1, spinning
	r := step(t, s, Op{Kind: OpStopTheWorld, M: Controller})
	if !s.Sched.GCWaiting || r.Value != 2 || s.StopWait() != 2 {
		t.Fatalf("stopwait %d (result %d), gcwaiting %v; want 2 Ps to stop", s.StopWait(), r.Value, s.Sched.GCWaiting)
	}
	// While the world stops, the running G may still run its ops, and
	// be preempted; the scheduler is closed; the world is not stopped.
	if ks := enabledKinds(s, 0); !slices.Contains(ks, OpPreempt) || !slices.Contains(ks, OpNewproc1) {
		t.Fatalf("M0 is offered %v; want its G's ops and preempt", ks)
	}
	if ks := enabledKinds(s, Controller); len(ks) != 0 {
		t.Fatalf("the controller is offered %v before the world stopped", ks)
	}
	wantDisabled(t, errOf(Step(s, Op{Kind: OpGC, M: Controller, N: 1})))

	r = step(t, s, Op{Kind: OpPreempt, M: 0})
	if r.G != 0 || r.Kicked != 1 {
		t.Fatalf("preempt: G%d kicked G%d; want G0 preempted, G1 kicked", r.G, r.Kicked)
	}
	if g := s.Gs[0]; g.Status != Runnable || g.M != None || s.Ms[0].Curg != None || s.Ps[0].Runnext != 0 {
		t.Fatalf("after the preemption:\n%s", s.Dump())
	}
	// Its runqput's second step comes before anything else of M0's.
	if ks := enabledKinds(s, 0); !slices.Equal(ks, []OpKind{OpRunqputKick}) {
		t.Fatalf("M0 is offered %v; want runqputkick alone", ks)
	}
	wantDisabled(t, errOf(Step(s, Op{Kind: OpGCStopm, M: 0})))
	step(t, s, Op{Kind: OpRunqputKick, M: 0})
	if !slices.Equal(s.Ps[0].Ring, []int32{1}) || !s.Ms[0].WakeP {
		t.Fatalf("the kicked G is not at the ring's tail, or no wakep is owed:\n%s", s.Dump())
	}
	wakepSteps(t, s, 0) // an M spins: nothing to do
	// findRunnable's top stops the M: it came to schedule after the
	// stop-the-world (goschedImpl read gcwaiting set), so no racy read of
	// it can have seen it clear, and the relaxed schedule is refused too
	// (TestStaleGCReadOnlyBeforeTheStop has the M that may take it).
	if ks := enabledKinds(s, 0); !slices.Equal(ks, []OpKind{OpGCStopm}) || s.Ms[0].StaleGCRead {
		t.Fatalf("M0 in schedule after its preemption is offered %v (stale read %v); want gcstopm alone", ks, s.Ms[0].StaleGCRead)
	}
	wantDisabled(t, errOf(Step(s, Op{Kind: OpSchedule, M: 0, Source: SrcRunnext, Strict: true})))
	wantDisabled(t, errOf(Step(s, Op{Kind: OpSchedule, M: 0, Source: SrcRunnext})))
	r = step(t, s, Op{Kind: OpGCStopm, M: 0})
	if r.P != 0 || s.Ps[0].Status != PGCStop || s.Ps[0].OldM != 0 || s.Ms[0].P != None || !s.Ms[0].Stopping || s.StopWait() != 1 {
		t.Fatalf("after M0's gcstopm:\n%s", s.Dump())
	}
	step(t, s, Op{Kind: OpStopm, M: 0})

	// M1 takes the P startm gave it, then stops for the world: first its
	// spinning (and nmspinning's count of it) dropped, without a lock,
	// then its P stopped under sched.lock.
	step(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	if r := step(t, s, Op{Kind: OpGCStopm, M: 1}); r.P != None || s.Ms[1].Spinning || !s.Ms[1].GCStopping ||
		s.Sched.NMSpinning != 0 || s.Ms[1].P != 1 {
		t.Fatalf("after M1's first gcstopm step:\n%s", s.Dump())
	}
	if ks := enabledKinds(s, 1); !slices.Equal(ks, []OpKind{OpGCStopm}) {
		t.Fatalf("M1 between gcstopm's steps is offered %v", ks)
	}
	step(t, s, Op{Kind: OpGCStopm, M: 1})
	if s.Ms[1].GCStopping || s.Ps[1].OldM != 1 || !s.worldStopped() {
		t.Fatalf("after M1's gcstopm:\n%s", s.Dump())
	}
	if run := s.RunningMs(); run != 2 {
		t.Fatalf("checkdead's run is %d with M1 in gcstopm; want 2, M1's and the controller's", run)
	}
	step(t, s, Op{Kind: OpStopm, M: 1})
	if s.Sched.Terminal != Alive || s.RunningMs() != 1 {
		t.Fatalf("with every M idle for the stop-the-world, run = %d:\n%s", s.RunningMs(), s.Dump())
	}
	if ks := enabledKinds(s, Controller); !slices.Contains(ks, OpGC) || !slices.Contains(ks, OpProcResize) {
		t.Fatalf("the controller is offered %v with the world stopped; want gc and procresize", ks)
	}

	// startTheWorldWithSema: P0 has work and its oldm M0 is idle: M0's
	// nextp; P1 has none: idle. Then the controller's wakep.
	step(t, s, Op{Kind: OpGC, M: Controller, N: 1})
	if s.Sched.GCWaiting || s.Ps[0].Status != PHandoff || s.Ms[0].NextP != 0 || s.Ms[0].Parked ||
		s.Ps[1].Status != PIdle || s.Sched.Pidle != 1 || !s.Ms[1].Parked || !s.Sched.CtlWakeP || !s.Sched.GCBlacken {
		t.Fatalf("after the restart:\n%s", s.Dump())
	}
	if s.Ps[0].OldM != None || s.Ps[1].OldM != None {
		t.Fatal("oldm kept after the restart")
	}
	// M0 runs the preempted G first: "so it can keep running
	// immediately after the STW".
	ctlWakepSteps(t, s)
	step(t, s, Op{Kind: OpAcquireP, M: 0, P: 0})
	if r := step(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcRunnext}); r.G != 0 {
		t.Fatalf("M0 ran G%d after the stop-the-world; want G0", r.G)
	}
}

func errOf(_ *State, _ Result, err error) error { return err }

// stopTheWorldWithSema takes the P of an M in a syscall at once (gcstopP,
// proc.go:1668-1673), which the M then cannot take back; a G entering a
// syscall while the world stops gives its P up itself
// (entersyscallHandleGCWait, proc.go:4755).
func TestStopTheWorldTakesSyscallPs(t *testing.T) {
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0)
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0}) // M1 runs G1
	step(t, s, Op{Kind: OpEnterSyscall, M: 0})
	step(t, s, Op{Kind: OpStopTheWorld, M: Controller})
	if p := s.Ps[0]; p.Status != PGCStop || p.OldM != 0 || s.Ms[0].P != None || s.Ms[0].OldP != 0 || s.StopWait() != 1 {
		t.Fatalf("the syscall's P was not taken:\n%s", s.Dump())
	}
	var ks []ExitPath
	for _, op := range s.Enabled(DefaultBounds(4), nil) {
		if op.Kind == OpExitSyscall {
			ks = append(ks, ExitPath(op.N))
		}
	}
	if !slices.Equal(ks, []ExitPath{ExitNoP}) {
		t.Fatalf("exitsyscall paths %v while the world stops; want nop alone (the old P is stopped, none idle)", ks)
	}
	r := step(t, s, Op{Kind: OpEnterSyscall, M: 1})
	if !r.HandedOff || s.Ps[1].Status != PGCStop || s.Ps[1].OldM != 1 || s.Ms[1].P != None || s.Ms[1].OldP != 1 || !s.worldStopped() {
		t.Fatalf("entersyscall while the world stops kept its P:\n%s", s.Dump())
	}
	// Neither P has work (M1 stole G1): procresize(1) destroys P1 and
	// P0 goes idle.
	step(t, s, Op{Kind: OpProcResize, M: Controller, N: 1})
	if s.Ps[1].Status != PDead || s.Ps[0].Status != PIdle || s.Sched.Pidle != 0 {
		t.Fatalf("after procresize(1):\n%s", s.Dump())
	}
}

// A stop-the-world may leave the P of an M in a syscall running with it:
// setBlockOnExitSyscall's castogscanstatus fails while sysmon's probe of
// the syscall (proc.go:6686-6705) or a GC stack scan holds the G's scan
// bit. impl records the probe (a retake with RetakeProbe), so a
// stop-the-world it overlapped is relaxed; a strict one (it overlapped
// no op) fails there only while the GC marks. A review found that a
// stop-the-world that never took a syscall's P passed both gexit check
// and explore, when strict order allowed the failure anywhere. The M's
// exitsyscall then keeps its P and stops at its next safe point.
func TestStopTheWorldMissesOnlyAHeldSyscall(t *testing.T) {
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0)
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0})
	step(t, s, Op{Kind: OpEnterSyscall, M: 0})
	// A P whose M is not in a syscall gives setBlockOnExitSyscall
	// nothing to fail on.
	if _, _, err := Step(s, Op{Kind: OpStopTheWorld, M: Controller, N: 2, Strict: true}); err == nil || !strings.Contains(err.Error(), "not running a syscall's G") {
		t.Fatalf("a stop-the-world missing P1, whose M runs G1: %v", err)
	}
	// Nothing holds the scan bit of M0's G.
	if _, _, err := Step(s, Op{Kind: OpStopTheWorld, M: Controller, N: 1, Strict: true}); err == nil || !strings.Contains(err.Error(), "nothing holds its scan bit") {
		t.Fatalf("a strict stop-the-world missing P0, whose G is in a syscall: %v", err)
	}
	// sysmon's probe holds it: the probe changes nothing, and the
	// stop-the-world it overlaps (relaxed) misses P0.
	before := s.Clone()
	if r := step(t, s, Op{Kind: OpRetake, M: Sysmon, P: 0, N: RetakeProbe, Strict: true}); r.Value != 0 || !s.Equal(before) {
		t.Fatalf("the probe (M%d) changed the state:\n%s", r.Value, s.Dump())
	}
	if _, _, err := Step(s.Clone(), Op{Kind: OpRetake, M: Sysmon, P: 1, N: RetakeProbe, Strict: true}); err == nil {
		t.Fatal("a probe of P1, whose M runs G1")
	}
	r := step(t, s, Op{Kind: OpStopTheWorld, M: Controller, N: 1})
	if p := s.Ps[0]; p.Status != PRunning || p.M != 0 || s.Ms[0].P != 0 || r.Value != 2 {
		t.Fatalf("a stop-the-world whose setBlockOnExitSyscall failed on P0 (stopwait %d):\n%s", r.Value, s.Dump())
	}
	step(t, s, Op{Kind: OpExitSyscall, M: 0, P: None, N: int8(ExitKeep), Strict: true})
}

// The runtime's loop reads the syscall Ps one at a time while
// exitsyscall's fast path (a CAS, no lock) goes on: a relaxed
// stop-the-world may name as left a P whose M holds it with its G out of
// the syscall, and reaches the state it reaches without the bit; a
// strict one may not (nothing overlapped it).
func TestRelaxedStopTheWorldLeavesARunningP(t *testing.T) {
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0)
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0})
	if _, _, err := Step(s.Clone(), Op{Kind: OpStopTheWorld, M: Controller, N: 2, Strict: true}); err == nil || !strings.Contains(err.Error(), "not running a syscall's G") {
		t.Fatalf("a strict stop-the-world leaving P1, whose M runs G1: %v", err)
	}
	left, plain := s.Clone(), s.Clone()
	rl := step(t, left, Op{Kind: OpStopTheWorld, M: Controller, N: 2})
	rp := step(t, plain, Op{Kind: OpStopTheWorld, M: Controller})
	if rl.Value != rp.Value || left.Dump() != plain.Dump() {
		t.Fatalf("leaving running P1 (stopwait %d):\n%s\nagainst not naming it (stopwait %d):\n%s", rl.Value, left.Dump(), rp.Value, plain.Dump())
	}
	// An idle P is not left: the loop takes it.
	idle := newState(t, "small", 2, 2)
	if idle.Ps[1].Status != PIdle {
		t.Fatalf("setup: P1 not idle\n%s", idle.Dump())
	}
	if _, _, err := Step(idle, Op{Kind: OpStopTheWorld, M: Controller, N: 2}); err == nil || !strings.Contains(err.Error(), "not running a syscall's G") {
		t.Fatalf("a relaxed stop-the-world leaving idle P1: %v", err)
	}
}

// procresize destroys Ps the stop-the-world stopped with their queues:
// p.destroy moves runnext and the ring to the global queue's head
// (proc.go:5950-5961), which the one-step stop-the-world never did (it
// destroyed only unowned Ps, whose queues are empty). A P with work and
// no idle M waits for newm's M (PHandoff, no M named); runnablePsNeedM
// takes mget's Ms with its last P first.
func TestRestartWorldHandsOutStoppedPs(t *testing.T) {
	s := newState(t, "small", 3, 3)
	s.Gs = append(s.Gs, G{Goid: 2, Status: Runnable, Stack: StackMin, M: None, LockedM: None},
		G{Goid: 3, Status: Runnable, Stack: StackMin, M: None, LockedM: None},
		G{Goid: 4, Status: Runnable, Stack: StackMin, M: None, LockedM: None})
	s.Sched.Goidgen = 5
	s.Gs[0].Status, s.Gs[0].M, s.Ms[0].Curg = Runnable, None, None
	for i := range s.Ps {
		s.Ps[i] = P{Status: PGCStop, M: None, Runnext: None, Kicked: None, Link: None, OldM: None}
	}
	for i := range s.Ms {
		s.Ms[i].P = None
	}
	s.Sched.Pidle = None
	s.Sched.GCWaiting = true
	// P0: G0 in runnext, oldm M2 (busy: in a syscall, not idle). P1:
	// empty. P2: runnext G3 and ring [G1 G2], oldm M1.
	s.Ps[0].Runnext, s.Ps[0].OldM = 0, 2
	s.Ps[2].Runnext, s.Ps[2].Ring, s.Ps[2].OldM = 3, []int32{1, 2}, 1
	s.Ms[1].Parked, s.Ms[1].Link = true, None
	s.Ms[0].Parked, s.Ms[0].Link = true, 1
	s.Sched.Midle = 0 // [M0 M1]
	s.Gs = append(s.Gs, G{Goid: 5, Status: Syscall, Stack: StackMin, M: 2, LockedM: None})
	s.Ms[2].Curg, s.Ms[2].OldP, s.Ms[2].Parked, s.Ms[2].Link = 4, 0, false, None
	if v := s.CheckInvariants(); v != nil {
		t.Fatalf("hand-built state: %v\n%s", v, s.Dump())
	}
	// procresize(2) destroys P2: G3 (runnext) then G1, G2 at the
	// global queue's head.
	s2 := s.Clone()
	step(t, s2, Op{Kind: OpProcResize, M: Controller, N: 2})
	if !slices.Equal(s2.Sched.Runq, []int32{3, 1, 2}) || s2.Ps[2].Status != PDead {
		t.Fatalf("procresize(2) of a stopped P with work:\n%s", s2.Dump())
	}
	// P0's oldm is busy, so mget's head M0 takes it; M1 stays idle.
	if s2.Ps[0].Status != PHandoff || s2.Ms[0].NextP != 0 || s2.Sched.Midle != 1 || s2.Ps[1].Status != PIdle {
		t.Fatalf("procresize(2)'s hand-out:\n%s", s2.Dump())
	}

	// gc on keeps three Ps: P2 goes to its oldm M1 first (the loop
	// runs from allp[2] down), then P0 takes mget's head, M0.
	step(t, s, Op{Kind: OpGC, M: Controller, N: 1})
	if s.Ms[1].NextP != 2 || s.Ms[0].NextP != 0 || s.Sched.Midle != None || s.Ps[1].Status != PIdle {
		t.Fatalf("gc on's hand-out:\n%s", s.Dump())
	}

	// With no idle M at all, a P with work waits for newm's M.
	s4 := newState(t, "small", 1, 1)
	s4.Sched.GCWaiting = true
	s4.Gs[0].Status, s4.Ms[0].Curg, s4.Gs[0].M = Runnable, None, None
	s4.Ps[0] = P{Status: PGCStop, M: None, Runnext: 0, Kicked: None, Link: None, OldM: 0}
	s4.Ms[0].P, s4.Ms[0].Stopping = None, true // gcstopm done, its stopm not yet
	step(t, s4, Op{Kind: OpGC, M: Controller, N: 1})
	if s4.Ps[0].Status != PHandoff || s4.Ms[0].NextP != None || !s4.pendingP(0) {
		t.Fatalf("a P with work and no idle M:\n%s", s4.Dump())
	}
}

// The restart's procresize hands a P with work to its oldm only if
// mgetSpecific finds that M on the idle list, and it misses the M that is
// alone there (its idleNode links are both 0: proc.go:7233). Here P1's
// oldm M1 is the only idle M and P0's oldm M0 is in a syscall: P1 joins
// runnablePsNeedM, then P0 on top of it, and mget gives M1 to P0; P1
// waits for newm's M. The control: with M0 idle too, M1 is found and
// takes P1 back.
func TestRestartWorldMissesTheOnlyIdleM(t *testing.T) {
	build := func(m0Idle bool) *State {
		s := newState(t, "small", 2, 2)
		s.Gs = append(s.Gs, G{Goid: 2, Status: Runnable, Stack: StackMin, M: None, LockedM: None},
			G{Goid: 3, Status: Syscall, Stack: StackMin, M: None, LockedM: None})
		s.Sched.Goidgen = 4
		s.Gs[0].Status, s.Gs[0].M, s.Ms[0].Curg = Runnable, None, None
		for i := range s.Ps {
			s.Ps[i] = P{Status: PGCStop, M: None, Runnext: None, Kicked: None, Link: None, OldM: None}
		}
		s.Ps[0].Runnext, s.Ps[0].OldM = 0, 0
		s.Ps[1].Runnext, s.Ps[1].OldM = 1, 1
		s.Ms[0].P, s.Ms[1].P = None, None
		s.Ms[1].Parked, s.Ms[1].Link = true, None
		s.Sched.Pidle, s.Sched.Midle = None, 1 // [M1]
		if m0Idle {
			s.Gs = s.Gs[:2]
			s.Ms[0].Parked, s.Ms[0].Link = true, 1
			s.Sched.Midle = 0 // [M0 M1]
		} else {
			s.Gs[2].M, s.Ms[0].Curg, s.Ms[0].OldP = 0, 2, 0 // M0 in a syscall
		}
		s.Sched.GCWaiting = true
		if v := s.CheckInvariants(); v != nil {
			t.Fatalf("hand-built state: %v\n%s", v, s.Dump())
		}
		return s
	}
	s := build(false)
	step(t, s, Op{Kind: OpGC, M: Controller, N: 1})
	if s.Ms[1].NextP != 0 || s.Ps[0].Status != PHandoff || s.Ps[1].Status != PHandoff || !s.pendingP(1) || s.Sched.Midle != None {
		t.Fatalf("the only idle M is not its oldm P's: want M1 nextp=P0 and P1 left for newm's M\n%s", s.Dump())
	}
	c := build(true)
	step(t, c, Op{Kind: OpGC, M: Controller, N: 1})
	if c.Ms[1].NextP != 1 || c.Ms[0].NextP != 0 || c.Sched.Midle != None {
		t.Fatalf("two idle Ms: want each its oldm P\n%s", c.Dump())
	}
}

// handoffp with a stop-the-world under way stops the P where it would
// have idled it (proc.go:3159-3167), after its startm cases.
func TestHandoffpStopsForTheWorld(t *testing.T) {
	s := newState(t, "small", 2, 2)
	s.Sched.GCWaiting = true
	s.Sched.NMSpinning = 1 // an M spins: handoffp's help is not required
	s.Ms[1].Spinning = true
	pi, err := s.releasep(0)
	if err != nil {
		t.Fatal(err)
	}
	s.handoffpRead(pi, 0)
	s.Ms[0].StartmP = pi
	s.Ms[0].Mfreed = true // (as mexit's: the M holds the P for its handoffp)
	if s.Ps[pi].Handoff != HandoffLocked {
		t.Fatalf("handoffp's read: %s, want its sched.lock section next", s.Ps[pi].Handoff)
	}
	if _, err := s.handoffpStep(Op{Kind: OpHandoffpLocked, M: 0}); err != nil {
		t.Fatal(err)
	}
	if p := s.Ps[0]; p.Status != PGCStop || p.OldM != 0 || p.Link != None {
		t.Fatalf("handoffp during a stop-the-world:\n%s", s.Dump())
	}
}

// GCStopPs catches a stopped P outside a stop-the-world, an oldm kept
// by a P that is not stopped, and a stale read of gcwaiting without a
// stop-the-world.
func TestInvariantGCStopPs(t *testing.T) {
	s := newState(t, "small", 2, 2)
	var v *Violation
	x := s.Clone()
	x.Ps[1].OldM = 0
	if err := x.CheckInvariants(); !errors.As(err, &v) || v.Invariant != "GCStopPs" {
		t.Fatalf("an idle P with an oldm: %v", err)
	}
	x = s.Clone()
	x.Sched.Pidle = None
	x.Ps[1].Status = PGCStop
	if err := x.CheckInvariants(); !errors.As(err, &v) || v.Invariant != "GCStopPs" {
		t.Fatalf("a stopped P without a stop-the-world: %v", err)
	}
	x.Sched.GCWaiting = true
	if err := x.CheckInvariants(); err != nil {
		t.Fatalf("a stopped P during a stop-the-world: %v", err)
	}
	x = s.Clone()
	x.Ms[0].StaleGCRead = true
	if err := x.CheckInvariants(); !errors.As(err, &v) || v.Invariant != "GCStopPs" {
		t.Fatalf("a stale read of gcwaiting without a stop-the-world: %v", err)
	}
}

// findRunnable's stop path checks gcwaiting under sched.lock
// (stopTheWorldWithSema sets it under the same lock): with a
// stop-the-world under way no M idles its P, even after the racy checks
// let it past findRunnable's top.
func TestStopPathStopsForTheWorld(t *testing.T) {
	s := newState(t, "small", 2, 2)
	do(t, s, Op{Kind: OpPark, M: 0})
	step(t, s, Op{Kind: OpStopTheWorld, M: Controller})
	wantDisabled(t, errOf(Step(s, Op{Kind: OpSchedule, M: 0, Source: SrcIdle})))
	wantDisabled(t, errOf(Step(s, Op{Kind: OpSpin, M: 0, Strict: true})))
	for _, op := range s.Enabled(DefaultBounds(4), nil) {
		if op.Kind == OpSchedule && op.Source == SrcIdle {
			t.Fatalf("Enabled offers %v while the world stops", op)
		}
	}
}

// A locked G preempted for a stop-the-world sits in its P's runnext while
// its M still holds the P (runqput's second step, the kicked G's put,
// comes first): a spinning M past findRunnable's racy check of gcwaiting
// steals it and hands it, with its own P, to the locked M, whose nextp is
// then set before its stoplockedm (NextPHandedOff allows it; found by the
// explorer at 2 Ps, 2 Ms, 4 Gs with every family).
func TestPreemptedLockedGHandedBeforeStoplockedm(t *testing.T) {
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0) // G1 in P0's runnext; M1 woken with P1, spinning
	do(t, s, Op{Kind: OpLockOSThread, M: 0})
	step(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	step(t, s, Op{Kind: OpStopTheWorld, M: Controller})
	if r := step(t, s, Op{Kind: OpPreempt, M: 0}); r.Kicked != 1 {
		t.Fatalf("preempt kicked G%d, want G1", r.Kicked)
	}
	if r := step(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0}); r.G != 0 {
		t.Fatalf("M1 stole G%d, want G0", r.G)
	}
	wakepSteps(t, s, 1)
	if r := step(t, s, Op{Kind: OpStartlockedm, M: 1}); r.HandedTo != 0 {
		t.Fatalf("startlockedm handed G0 to M%d, want M0", r.HandedTo)
	}
	if m := s.Ms[0]; m.NextP != 1 || m.P != 0 || m.StopLocked {
		t.Fatalf("M0 before its kick's put:\n%s", s.Dump())
	}
	step(t, s, Op{Kind: OpRunqputKick, M: 0})
	if m := s.Ms[0]; !m.WakeP || !m.StopLocked {
		t.Fatalf("after the kick's put M0 owes no wakep and stoplockedm:\n%s", s.Dump())
	}
	wakepSteps(t, s, 0)
	do(t, s, Op{Kind: OpStoplockedm, M: 0}) // and handoffp's next steps
	if r := step(t, s, Op{Kind: OpAcquireP, M: 0, P: 1}); r.G != 0 || s.Ms[0].Curg != 0 {
		t.Fatalf("M0's stoplockedm returned running G%d:\n%s", r.G, s.Dump())
	}
}

// TestStaleGCReadOnlyBeforeTheStop: findRunnable's read of sched.gcwaiting
// at its top is racy, so an M that was in findRunnable when the
// stop-the-world stored it may still take a G (M.StaleGCRead, the relaxed
// schedule); an M that came to findRunnable after the store reads it set
// and can only stop (gcstopm), whether its G was preempted
// (TestStopTheWorldPreemptsIntoRunnext) or parked. The flag goes once the
// M leaves findRunnable.
func TestStaleGCReadOnlyBeforeTheStop(t *testing.T) {
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0) // G1 in P0's runnext; startm gave M1 P1, spinning
	step(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	step(t, s, Op{Kind: OpStopTheWorld, M: Controller})
	if !s.Ms[1].StaleGCRead || s.Ms[0].StaleGCRead {
		t.Fatalf("stale reads M0 %v, M1 %v; want M1's alone (M0 runs G0):\n%s", s.Ms[0].StaleGCRead, s.Ms[1].StaleGCRead, s.Dump())
	}
	// M1, spinning in findRunnable since before the store, may be past
	// both racy reads: it may steal P0's runnext, strictly never.
	steal := Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0}
	if ks := enabledKinds(s, 1); !slices.Equal(ks, []OpKind{OpGCStopm, OpSchedule}) {
		t.Fatalf("M1 in findRunnable since before the stop-the-world is offered %v; want gcstopm and the relaxed steal", ks)
	}
	wantDisabled(t, errOf(Step(s, Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0, Strict: true})))
	n, r, err := Step(s, steal)
	if err != nil || r.G != 1 || n.Ms[1].Curg != 1 {
		t.Fatalf("the relaxed steal: G%d, %v", r.G, err)
	}
	if n.Ms[1].StaleGCRead {
		t.Fatal("M1 runs G1 and still has a stale read of gcwaiting")
	}

	// M0's G parks after the store: M0 comes to findRunnable with
	// gcwaiting set and can only stop; P0's runnext (G1) stays.
	step(t, s, Op{Kind: OpPark, M: 0})
	wakepSteps(t, s, 0)
	if ks := enabledKinds(s, 0); !slices.Equal(ks, []OpKind{OpGCStopm}) || s.Ms[0].StaleGCRead {
		t.Fatalf("M0, in schedule after its G parked, is offered %v (stale read %v); want gcstopm alone", ks, s.Ms[0].StaleGCRead)
	}
	wantDisabled(t, errOf(Step(s, Op{Kind: OpSchedule, M: 0, Source: SrcRunnext})))

	// M1's gcstopm: spinning dropped (it keeps its P, and has no read
	// left to make), then its P stopped.
	step(t, s, Op{Kind: OpGCStopm, M: 1})
	if s.Ms[1].StaleGCRead || s.Ms[1].P != 1 {
		t.Fatalf("M1 between gcstopm's steps kept its stale read, or lost its P:\n%s", s.Dump())
	}
	step(t, s, Op{Kind: OpGCStopm, M: 1})
	// The flag does not outlive the stop-the-world.
	step(t, s, Op{Kind: OpGCStopm, M: 0})
	step(t, s, Op{Kind: OpStopm, M: 0})
	step(t, s, Op{Kind: OpStopm, M: 1})
	step(t, s, Op{Kind: OpGC, M: Controller, N: 1})
	for i := range s.Ms {
		if s.Ms[i].StaleGCRead {
			t.Fatalf("M%d has a stale read of gcwaiting after the restart", i)
		}
	}
}

// staleGCReadAt: which Ms the stop-the-world marks as possibly past
// findRunnable's read of gcwaiting. Not an M whose becomeSpinning owes
// its last store (the recheck's acquirep before `goto top`; or
// findRunnable's spin, whose stores then come after gcwaiting's, so that
// stealWork reads it set), nor one that holds what it found, nor one on
// its way to mexit or startlockedm.
func TestStaleGCReadAt(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(s *State, m *M)
		want bool
	}{
		{"in findRunnable with its P", func(s *State, m *M) { m.P = 0 }, true},
		{"spinning, before stealWork", func(s *State, m *M) { m.P, m.Spinning = 0, true }, true},
		{"findRunnable's spin, its last store owed", func(s *State, m *M) { m.P, m.Spinning, m.SpinClear, m.StealWork = 0, true, true, true }, false},
		{"the recheck's acquirep, before goto top", func(s *State, m *M) { m.P, m.Spinning, m.SpinClear = 0, true, true }, false},
		{"holding the global batch", func(s *State, m *M) { m.P = 0; s.Ps[0].Held = []int32{1, 2} }, false},
		{"holding runqsteal's tail", func(s *State, m *M) { m.P, m.StealTail = 0, true }, false},
		{"on its way to mexit", func(s *State, m *M) { m.P, m.Mexiting = 0, true }, false},
		{"handing a G to its locked M", func(s *State, m *M) { m.P, m.Handing = 0, 1 }, false},
		{"stopm returning to its nextp", func(s *State, m *M) { m.NextP = 0 }, true},
		{"owes a wakep before schedule", func(s *State, m *M) { m.P, m.WakeP = 0, true }, false},
		// goyield's runqputslow: its push's sched.lock section comes
		// after the stop-the-world's (found by a review of proc.go).
		{"in goyield's runqputslow", func(s *State, m *M) { m.P, m.YieldSlow = 0, true }, false},
		{"running a G", func(s *State, m *M) { m.P, m.Curg = 0, 0 }, false},
		{"idle", func(s *State, m *M) {}, false},
	} {
		s := newState(t, "small", 2, 2)
		m := M{Curg: None, P: None, OldP: None, NextP: None, LockedG: None, NewG: None, Handing: None, SpinP: None, StartmP: None, Link: None}
		tc.set(s, &m)
		if got := s.staleGCReadAt(&m); got != tc.want {
			t.Errorf("%s: staleGCReadAt %v, want %v", tc.name, got, tc.want)
		}
	}
}

// An M that spins after the stop-the-world's store (its becomeSpinning's
// stores then come after gcwaiting's) reads gcwaiting set in stealWork
// before each victim, so it steals nothing: the spin ends M.StaleGCRead.
// An idle M that takes a P left for newm's thread while the world stops
// stands in for a thread that may have started, and read gcwaiting,
// before the store: it may take the P's G (relaxed).
func TestStaleGCReadSpinAndNewm(t *testing.T) {
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0) // G1 in P0's runnext; startm gave M1 P1, spinning
	step(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	// M1 stops spinning by hand, still in findRunnable with P1.
	s.Ms[1].Spinning, s.Sched.NMSpinning = false, 0
	if v := s.CheckInvariants(); v != nil {
		t.Fatal(v)
	}
	spinner := s.Clone()
	step(t, spinner, Op{Kind: OpStopTheWorld, M: Controller})
	if !spinner.Ms[1].StaleGCRead {
		t.Fatal("M1 in findRunnable at the store has no stale read")
	}
	step(t, spinner, Op{Kind: OpSpin, M: 1})
	if spinner.Ms[1].StaleGCRead {
		t.Fatal("M1 spun after the store and kept its stale read")
	}
	step(t, spinner, Op{Kind: OpSpin, M: 1}) // needspinning's store
	wantDisabled(t, errOf(Step(spinner, Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0})))
	if ks := enabledKinds(spinner, 1); !slices.Equal(ks, []OpKind{OpGCStopm}) {
		t.Fatalf("M1, spun after the store, is offered %v; want gcstopm alone", ks)
	}

	// M0 locks its thread, spawns G2 and parks: stoplockedm's handoffp
	// finds no idle M for P0 and leaves it for newm's thread.
	step(t, s, Op{Kind: OpSpin, M: 1})
	step(t, s, Op{Kind: OpSpin, M: 1})
	step(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0})
	wakepSteps(t, s, 1)
	step(t, s, Op{Kind: OpLockOSThread, M: 0})
	spawn(t, s, 0)
	wakepSteps(t, s, 0)
	step(t, s, Op{Kind: OpPark, M: 0})
	step(t, s, Op{Kind: OpStoplockedm, M: 0})
	step(t, s, Op{Kind: OpStartm, M: 0})
	if !s.pendingP(0) {
		t.Fatalf("P0 is not left for newm:\n%s", s.Dump())
	}
	step(t, s, Op{Kind: OpStopTheWorld, M: Controller})
	step(t, s, Op{Kind: OpPreempt, M: 1})
	wakepSteps(t, s, 1)
	step(t, s, Op{Kind: OpGCStopm, M: 1})
	step(t, s, Op{Kind: OpStopm, M: 1})
	step(t, s, Op{Kind: OpAcquireP, M: 1, P: 0})
	if !s.Ms[1].StaleGCRead {
		t.Fatalf("M1, standing in for newm's thread, has no stale read:\n%s", s.Dump())
	}
	wantDisabled(t, errOf(Step(s, Op{Kind: OpSchedule, M: 1, Source: SrcRunnext, Strict: true})))
	if _, r, err := Step(s, Op{Kind: OpSchedule, M: 1, Source: SrcRunnext}); err != nil || r.G != 2 {
		t.Fatalf("newm's thread's relaxed schedule: G%d, %v", r.G, err)
	}
}

// A P stopped for a stop-the-world keeps pp.oldm, a weak pointer to the M
// that acquired it (proc.go:6283), which mexit empties (mp.self.clear(),
// proc.go:2027) before its handoffp. When that M's thread exits while the
// world is stopped, the restart's procresize finds oldm.get() nil
// (proc.go:6161) and hands the P with work to mget's M, the idle list's
// head, not to newm's thread, which the spec runs in the exited M's
// slot. The spec kept P.OldM naming the slot, and its mgetSpecific then
// handed the P to that new thread.
func TestMexitEmptiesOldM(t *testing.T) {
	// G1, locked to M1, spawns G2 (P1's runnext) and enters a syscall.
	s := lockedOnM1(t)
	spawn(t, s, 1)
	do(t, s, Op{Kind: OpEnterSyscall, M: 1})
	// Main parks: M0 is in findRunnable with P0. The stop-the-world stops
	// P1 (its M's G in a syscall) with oldm M1; M0 is past its read of
	// gcwaiting.
	do(t, s, Op{Kind: OpPark, M: 0})
	do(t, s, Op{Kind: OpStopTheWorld, M: Controller})
	if s.Ps[1].Status != PGCStop || s.Ps[1].OldM != 1 || !s.Ms[0].StaleGCRead {
		t.Fatalf("setup: P1 not stopped with oldm M1, or M0 not past its read\n%s", s.Dump())
	}
	// G1 leaves its syscall with no P (global queue, M1 in stoplockedm);
	// M0 takes it and hands P0 to M1 (startlockedm).
	do(t, s, Op{Kind: OpExitSyscall, M: 1, P: None, N: int8(ExitNoP)})
	src := SrcGlobal
	if _, err := s.Clone().Apply(Op{Kind: OpSchedule, M: 0, Source: src}); err != nil {
		src = SrcTick
	}
	if r := step(t, s, Op{Kind: OpSchedule, M: 0, Source: src}); r.HandedTo != 1 || !s.Ms[0].Stopping {
		t.Fatalf("M0's schedule: %v\n%s", r, s.Dump())
	}
	// M1 runs G1, which exits: mexit. Its handoffp starts newm's M for
	// P0 (no idle M yet), and M1's thread is gone.
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 0})
	do(t, s, Op{Kind: OpGoexit, M: 1})
	if !s.Ms[1].Exited || !s.pendingP(0) {
		t.Fatalf("M1 not exited with P0 left to newm\n%s", s.Dump())
	}
	if s.Ps[1].OldM != None {
		t.Fatalf("after M1's mexit P1's oldm is M%d, want none (mp.self.clear())", s.Ps[1].OldM)
	}
	// newm's thread (in M1's slot) takes P0, stops for the stop-the-world
	// and idles; then M0's stopm: M0 heads the idle list.
	if r := do(t, s, Op{Kind: OpAcquireP, M: 1, P: 0}); !r.Newm {
		t.Fatalf("newm: %v", r)
	}
	do(t, s, Op{Kind: OpGCStopm, M: 1})
	if s.Ms[1].GCStopping {
		do(t, s, Op{Kind: OpGCStopm, M: 1})
	}
	do(t, s, Op{Kind: OpStopm, M: 1})
	do(t, s, Op{Kind: OpStopm, M: 0})
	if !s.worldStopped() || s.Sched.Midle != 0 || s.Ps[1].Runnext == None {
		t.Fatalf("want the world stopped, M0 heading the idle list, P1 with G2\n%s", s.Dump())
	}
	// The restart: P1 goes to mget's M, M0.
	do(t, s, Op{Kind: OpGC, M: Controller, N: 1})
	if s.Ms[0].NextP != 1 || s.Ms[1].NextP == 1 {
		t.Fatalf("the restart handed P1 to M%d (M0's nextp %d, M1's %d); want mget's M0\n%s", s.Ps[1].M, s.Ms[0].NextP, s.Ms[1].NextP, s.Dump())
	}
}
