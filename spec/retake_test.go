package spec

import (
	"slices"
	"testing"
)

// syscallWithBothPsBusy: M0's G0 is in a syscall on P0 and M1 runs G1 on
// P1: no P is idle and no M spins; with more than 2 Ms the others are idle.
func syscallWithBothPsBusy(t *testing.T, ms int) *State {
	t.Helper()
	s := newState(t, "small", 2, ms)
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
	s := syscallWithBothPsBusy(t, 2)
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
	h := do(t, s, Op{Kind: OpHandoffp, M: Sysmon}) // and its next steps
	if h.P != 0 || !h.HandedOff || s.Sched.RetakeP != None || s.Ms[0].NextP != 0 || s.Ms[0].Spinning || s.Sched.NMSpinning != 0 {
		t.Fatalf("handoffp: %v, want startm(P0, false) to M0\n%s", h, s.Dump())
	}
	// Control: with the handoffp right after the retake, as the one
	// step was, handoffp finds no work and no idle P or spinning M, and
	// starts a spinning M for P0 (left for newm's: none is idle); M0's
	// exitsyscall then finds no P.
	c := syscallWithBothPsBusy(t, 2)
	do(t, c, Op{Kind: OpRetake, M: Sysmon, P: 0})
	if c.Sched.RetakeP != None || c.Sched.NMSpinning != 1 || !c.Ps[0].StartSpinning {
		t.Fatalf("control: retake then handoffp:\n%s", c.Dump())
	}
}

// TestRetakeWindowInvariants: a planted P held by sysmon that is idle-
// listed, or a RetakeM without RetakeP, breaks the invariants.
func TestRetakeWindowInvariants(t *testing.T) {
	s := syscallWithBothPsBusy(t, 2)
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

// TestHandoffpStartmAfterItsCAS: handoffp makes its CAS of nmspinning
// 0 -> 1 and then `sched.needspinning.Store(0)` without sched.lock, and
// only then does startm(pp, true, false) take it for mget (proc.go:3152-
// 3156), so other Ms act between the three. With 1 P and M1 idle, sysmon
// retakes P0 from M0's syscall; its handoffp finds no work, no spinning M
// and no idle P, and makes the CAS; needspinning stays set until the
// store. Then M0 leaves its syscall without a P, queues G0 and stops,
// heading the idle M list (checkdead still counts sysmon's
// incidlelocked(-1) bracket: without it no M would run while G0 is
// runnable, "checkdead: runnable g"). The startm's mget then wakes M0, not
// M1. The spec made handoffp one step and could not reach this: the
// control, with handoffp's steps together, wakes M1.
func TestHandoffpStartmAfterItsCAS(t *testing.T) {
	setup := func() *State {
		s := newState(t, "small", 1, 2)
		do(t, s, Op{Kind: OpEnterSyscall, M: 0})
		step(t, s, Op{Kind: OpRetake, M: Sysmon, P: 0})
		if s.Sched.Midle != 1 || s.Sched.NMSpinning != 0 || s.Sched.RetakeP != 0 {
			t.Fatalf("setup:\n%s", s.Dump())
		}
		s.Sched.NeedSpinning = true // handoffp's store clears it
		return s
	}
	s := setup()
	h := step(t, s, Op{Kind: OpHandoffp, M: Sysmon})
	if HandoffStep(h.Value) != HandoffStore || !h.HandedOff || s.Sched.RetakeP != 0 || s.Sched.NMSpinning != 1 || !s.Sched.NeedSpinning ||
		s.Ps[0].Status != PHandoff || s.Ps[0].Handoff != HandoffStore || s.Ms[1].NextP != None || h.Fatal != "" {
		t.Fatalf("handoffp: %v, want its CAS with P0 held for the store\n%s", h, s.Dump())
	}
	if got := Branches(Op{Kind: OpHandoffp, M: Sysmon}, h, nil); !slices.Contains(got, "handoffp/store") {
		t.Errorf("branches %v: want handoffp/store", got)
	}
	for _, op := range s.Enabled(DefaultBounds(1), nil) {
		if op.M == Sysmon && op.Kind != OpHandoffpStore {
			t.Errorf("offered %v: sysmon's needspinning store comes first", op)
		}
		if op.M == 1 && op.Kind == OpAcquireP {
			t.Errorf("offered %v: the P sysmon holds is not newm's", op)
		}
	}
	for _, k := range []OpKind{OpRetake, OpHandoffp, OpStartm, OpHandoffpLocked} {
		if _, err := s.Clone().Apply(Op{Kind: k, M: Sysmon, P: 0}); err == nil {
			t.Errorf("sysmon's %v accepted before its handoffp's store", k)
		}
	}
	step(t, s, Op{Kind: OpHandoffpStore, M: Sysmon})
	if s.Sched.NeedSpinning || s.Ps[0].Handoff != HandoffStartmSpin || s.Sched.NMSpinning != 1 {
		t.Fatalf("handoffpstore:\n%s", s.Dump())
	}
	r := step(t, s, Op{Kind: OpExitSyscall, M: 0, N: int8(ExitNoP), Strict: true})
	if gl(s.Sched.Runq) != "[G0]" || !s.Ms[0].Stopping || r.Fatal != "" {
		t.Fatalf("exitsyscallNoP in the window: %v\n%s", r, s.Dump())
	}
	if r := step(t, s, Op{Kind: OpStopm, M: 0}); r.Fatal != "" || s.RunningMs() != 1 || s.Sched.Midle != 0 {
		t.Fatalf("stopm in the window: %v, running Ms %d (sysmon's bracket), idle list head M%d\n%s", r, s.RunningMs(), s.Sched.Midle, s.Dump())
	}
	r = step(t, s, Op{Kind: OpStartm, M: Sysmon})
	if HandoffStep(r.Value) != HandoffStartmSpin || r.HandedTo != 0 || s.Ms[0].NextP != 0 || !s.Ms[0].Spinning || s.Sched.RetakeP != None ||
		s.Ps[0].Handoff != HandoffNone || s.Sched.NMSpinning != 1 || r.Fatal != "" {
		t.Fatalf("handoffp's startm: %v, want P0 to M0, spinning\n%s", r, s.Dump())
	}
	if got := Branches(Op{Kind: OpStartm, M: Sysmon}, r, nil); !slices.Contains(got, "startm/handoffp-spin") {
		t.Errorf("branches %v: want startm/handoffp-spin", got)
	}
	// Control: handoffp's steps together, as the one step was.
	c := setup()
	do(t, c, Op{Kind: OpHandoffp, M: Sysmon})
	if c.Ms[1].NextP != 0 || !c.Ms[1].Spinning || c.Ms[0].NextP != None || c.Sched.RetakeP != None {
		t.Fatalf("control: handoffp's steps together wake M1:\n%s", c.Dump())
	}
}

// TestHandoffpLockedSectionReadsTheIdleListAgain: handoffp reads
// `sched.nmspinning.Load()+sched.npidle.Load()` without sched.lock
// (proc.go:3152) and decides the rest under it (proc.go:3157-3191).
// Sysmon retakes P1 while P0 is idle, so its read sees an idle P ("our
// help is not required"); then M0, whose syscall's P was P0, leaves its
// syscall and takes P0 off the idle list (exitsyscallTryGetP's pidleget,
// no wakep). handoffp's sched.lock section finds no global work and P1 not
// the last running P (npidle is 0 now, not gomaxprocs-1) and idles P1,
// with no M spinning and none started, as the runtime does. The spec made
// handoffp one step and could not reach this: either order started an M
// for P1 (the controls).
func TestHandoffpLockedSectionReadsTheIdleListAgain(t *testing.T) {
	setup := func() *State {
		s := syscallWithBothPsBusy(t, 3)
		// sysmon retakes P0: its handoffp starts M2 spinning, which
		// finds nothing, idles P0 and stops.
		do(t, s, Op{Kind: OpRetake, M: Sysmon, P: 0})
		do(t, s, Op{Kind: OpAcquireP, M: 2, P: 0})
		do(t, s, Op{Kind: OpSchedule, M: 2, Source: SrcIdle})
		do(t, s, Op{Kind: OpStopSpinning, M: 2})
		do(t, s, Op{Kind: OpRecheck, M: 2})
		do(t, s, Op{Kind: OpEnterSyscall, M: 1})
		step(t, s, Op{Kind: OpRetake, M: Sysmon, P: 1})
		if s.Sched.Pidle != 0 || s.Sched.NMSpinning != 0 || s.Sched.RetakeP != 1 || !s.Ms[2].Parked || s.Gs[0].Status != Syscall || s.Ms[0].OldP != 0 {
			t.Fatalf("setup: want P0 idle, M0 in its syscall, M2 idle, P1 retaken\n%s", s.Dump())
		}
		return s
	}
	s := setup()
	h := step(t, s, Op{Kind: OpHandoffp, M: Sysmon})
	if HandoffStep(h.Value) != HandoffLocked || s.Ps[1].Handoff != HandoffLocked || s.Sched.NMSpinning != 0 {
		t.Fatalf("handoffp's read with P0 idle: %v, want its sched.lock section next\n%s", h, s.Dump())
	}
	r := step(t, s, Op{Kind: OpExitSyscall, M: 0, P: 0, N: int8(ExitPidle), Strict: true})
	if s.Ms[0].P != 0 || s.Sched.Pidle != None || r.Fatal != "" {
		t.Fatalf("exitsyscall's pidleget of P0: %v\n%s", r, s.Dump())
	}
	r = step(t, s, Op{Kind: OpHandoffpLocked, M: Sysmon})
	if HandoffLockedBranch(r.Value) != HandoffIdle || s.Sched.Pidle != 1 || s.Sched.NMSpinning != 0 || s.Sched.RetakeP != None || s.Ms[2].NextP != None || r.Fatal != "" {
		t.Fatalf("handoffp's sched.lock section: %v, want P1 idle and no M started\n%s", r, s.Dump())
	}
	if v := s.CheckInvariants(); v != nil {
		t.Fatalf("%v\n%s", v, s.Dump())
	}
	// Controls: handoffp's steps together, before and after M0's
	// exitsyscall, start M2 for P1.
	for _, first := range []bool{true, false} {
		c := setup()
		if first {
			do(t, c, Op{Kind: OpHandoffp, M: Sysmon})
		}
		if r := step(t, c, Op{Kind: OpExitSyscall, M: 0, P: 0, N: int8(ExitPidle), Strict: true}); r.Fatal != "" {
			t.Fatal(r.Fatal)
		}
		if !first {
			do(t, c, Op{Kind: OpHandoffp, M: Sysmon})
		}
		if c.Ms[2].NextP != 1 || c.Sched.Pidle == 1 {
			t.Fatalf("control (handoffp first: %v): want P1 handed to M2\n%s", first, c.Dump())
		}
	}
}

// TestHandoffpWindowInvariants: the states of handoffp's steps, planted
// wrong, break the invariants: nmspinning without the CAS's count, the
// P sysmon holds running, a handoffp step on a P no one holds, and an M
// holding a P for a handoffp outside stoplockedm and mexit.
func TestHandoffpWindowInvariants(t *testing.T) {
	s := newState(t, "small", 1, 2)
	do(t, s, Op{Kind: OpEnterSyscall, M: 0})
	step(t, s, Op{Kind: OpRetake, M: Sysmon, P: 0})
	step(t, s, Op{Kind: OpHandoffp, M: Sysmon})
	if v := s.CheckInvariants(); v != nil || s.Ps[0].Handoff != HandoffStore {
		t.Fatalf("the window: %v\n%s", v, s.Dump())
	}
	for name, plant := range map[string]func(*State){
		"nmspinning without the CAS's count": func(x *State) { x.Sched.NMSpinning = 0 },
		"the CAS's count twice":              func(x *State) { x.Ps[0].Handoff = HandoffLocked },
		"the held P running":                 func(x *State) { x.Ps[0].Status = PRunning; x.Ps[0].M = 1 },
		"a step nobody holds":                func(x *State) { x.Sched.RetakeP, x.Sched.RetakeM = None, None },
	} {
		x := s.Clone()
		plant(x)
		if v := x.CheckInvariants(); v == nil {
			t.Errorf("%s: the planted state passed the invariants", name)
		}
	}
	// An M holding a P for a handoffp step with no P of its own outside
	// stoplockedm and mexit.
	x := s.Clone()
	x.Sched.RetakeP, x.Sched.RetakeM, x.Ms[1].StartmP = None, None, 0
	x.Ms[1].Parked, x.Sched.Midle = false, None
	if v := x.CheckInvariants(); v == nil || v.Invariant != "NextPHandedOff" {
		t.Errorf("an M's handoffp outside stoplockedm and mexit: %v, want NextPHandedOff", v)
	}
	x.Ms[1].Mfreed = true
	x.Ms[1].LockedExt = 1
	if v := x.CheckInvariants(); v != nil && v.Invariant == "NextPHandedOff" {
		t.Errorf("control: mexit's handoffp: %v", v)
	}
}

// TestHandoffpNeedspinningWindow: handoffp's CAS of nmspinning 0 -> 1
// and its `sched.needspinning.Store(0)` are two unlocked stores
// (proc.go:3152-3153), as becomeSpinning's are. M1's resetspinning found
// no idle P, so needspinning is set; sysmon retakes P0 and its handoffp
// makes the CAS; M1's G parks and M1's stop path, under sched.lock, reads
// needspinning still set and spins on P1 instead of idling it; then the
// store and startm(P0, true) start M2 spinning: two spinning Ms, as in the
// runtime. Control: with the store in the CAS's step (the one step the
// spec made), M1's stop path reads it clear and idles P1.
func TestHandoffpNeedspinningWindow(t *testing.T) {
	setup := func() *State {
		s := syscallWithBothPsBusy(t, 3)
		step(t, s, Op{Kind: OpRetake, M: Sysmon, P: 0})
		if !s.Sched.NeedSpinning || s.Sched.NMSpinning != 0 || s.Ms[1].Curg != 1 || s.Sched.Midle != 2 {
			t.Fatalf("setup: want needspinning set by M1's wakep, M1 running G1, M2 idle\n%s", s.Dump())
		}
		return s
	}
	s := setup()
	step(t, s, Op{Kind: OpHandoffp, M: Sysmon})
	if s.Ps[0].Handoff != HandoffStore || !s.Sched.NeedSpinning || s.Sched.NMSpinning != 1 {
		t.Fatalf("handoffp's CAS:\n%s", s.Dump())
	}
	step(t, s, Op{Kind: OpPark, M: 1})
	if r := step(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcIdle}); r.Value != StopNeedSpinning || !s.Ms[1].Spinning || s.Ms[1].P != 1 {
		t.Fatalf("M1's stop path between the CAS and the store: %v, want it spinning on P1\n%s", r, s.Dump())
	}
	step(t, s, Op{Kind: OpHandoffpStore, M: Sysmon})
	step(t, s, Op{Kind: OpStartm, M: Sysmon})
	if !s.Ms[1].Spinning || !s.Ms[2].Spinning || s.Ms[2].NextP != 0 || s.Sched.NMSpinning != 2 {
		t.Fatalf("want two spinning Ms, M1 on P1 and M2 with P0\n%s", s.Dump())
	}
	if v := s.CheckInvariants(); v != nil {
		t.Fatal(v)
	}
	// Control: the store with the CAS.
	c := setup()
	step(t, c, Op{Kind: OpHandoffp, M: Sysmon})
	step(t, c, Op{Kind: OpHandoffpStore, M: Sysmon})
	step(t, c, Op{Kind: OpPark, M: 1})
	if r := step(t, c, Op{Kind: OpSchedule, M: 1, Source: SrcIdle}); r.Value == StopNeedSpinning || c.Ms[1].Spinning || c.Ms[1].P != None {
		t.Fatalf("control: M1's stop path after the store: %v, want P1 idled\n%s", r, c.Dump())
	}
}

// TestHandoffpGCWork: handoffp's GC test (proc.go:3146-3149,
// `gcBlackenEnabled != 0 && gcShouldScheduleWorker(pp)`) comes after the
// run queues and before the CAS: with mark work it starts an M for the P,
// not spinning. While markrootFreeGStacks's root job is unclaimed the
// runtime always finds work (work.markrootNext < work.markrootJobs), so
// handoffp must take the branch; once it is claimed, heap work and other
// roots the spec does not model decide, and both outcomes are offered;
// with the GC off there is none. The spec did not model the branch: with
// the root job unclaimed it made the CAS and started a spinning M.
func TestHandoffpGCWork(t *testing.T) {
	setup := func(gc, claimed bool) *State {
		s := newState(t, "small", 1, 2)
		if gc {
			do(t, s, Op{Kind: OpGC, M: Controller, N: 1})
		}
		if claimed {
			do(t, s, Op{Kind: OpMarkrootFreeGStacks, M: Controller}) // (an empty list: nothing to push)
		}
		do(t, s, Op{Kind: OpEnterSyscall, M: 0})
		step(t, s, Op{Kind: OpRetake, M: Sysmon, P: 0})
		if s.Sched.GCBlacken != gc || s.Sched.FreeGStacksDone != claimed || s.Sched.NMSpinning != 0 {
			t.Fatalf("setup (gc %v, claimed %v):\n%s", gc, claimed, s.Dump())
		}
		return s
	}
	offered := func(s *State) (ns []int8) {
		for _, op := range s.Enabled(DefaultBounds(1), nil) {
			if op.M == Sysmon {
				if op.Kind != OpHandoffp {
					t.Fatalf("sysmon offered %v", op)
				}
				ns = append(ns, op.N)
			}
		}
		return ns
	}
	// The root job unclaimed: mark work, the branch taken.
	s := setup(true, false)
	if ns := offered(s); !slices.Equal(ns, []int8{HandoffGCWork}) {
		t.Fatalf("offered N %v, want only HandoffGCWork", ns)
	}
	_, err := s.Clone().Apply(Op{Kind: OpHandoffp, M: Sysmon})
	wantDisabled(t, err)
	r := step(t, s, Op{Kind: OpHandoffp, M: Sysmon, N: HandoffGCWork})
	if HandoffStep(r.Value) != HandoffStartm || s.Sched.NMSpinning != 0 {
		t.Fatalf("handoffp with mark work: %v, want startm(pp, false) next and no CAS\n%s", r, s.Dump())
	}
	if got := Branches(Op{Kind: OpHandoffp, M: Sysmon, N: HandoffGCWork}, r, nil); !slices.Contains(got, "handoffp/gcwork") {
		t.Errorf("branches %v: want handoffp/gcwork", got)
	}
	r = step(t, s, Op{Kind: OpStartm, M: Sysmon})
	if r.HandedTo != 1 || s.Ms[1].Spinning || s.Ms[1].NextP != 0 {
		t.Fatalf("handoffp's startm for mark work: %v, want P0 to M1, not spinning\n%s", r, s.Dump())
	}
	// The root job claimed: either outcome.
	c := setup(true, true)
	if ns := offered(c); !slices.Equal(ns, []int8{0, HandoffGCWork}) {
		t.Fatalf("root job claimed: offered N %v, want 0 and HandoffGCWork", ns)
	}
	if r := step(t, c, Op{Kind: OpHandoffp, M: Sysmon}); HandoffStep(r.Value) != HandoffStore {
		t.Fatalf("root job claimed, no mark work: %v, want the CAS\n%s", r, c.Dump())
	}
	// The GC off: no mark work.
	o := setup(false, false)
	if ns := offered(o); !slices.Equal(ns, []int8{0}) {
		t.Fatalf("GC off: offered N %v, want 0", ns)
	}
	_, err = o.Clone().Apply(Op{Kind: OpHandoffp, M: Sysmon, N: HandoffGCWork})
	wantDisabled(t, err)
}

// handoffp's first read of sched.runq is racy and comes before its read
// of nmspinning+npidle (proc.go:3136, 3152): sysmon can read the global
// queue empty, then M0 leaves its syscall and puts G0 there and M1's
// wakep finds no idle P and gives its nmspinning back, and then sysmon's
// CAS succeeds: it starts a spinning M for P0 with G0 on the global
// queue. With the reads one instant that outcome was unreachable
// (HandoffSawNoGlobal offers it); strictly, or with the P's own queue
// holding work, it is refused.
func TestHandoffpReadMissesTheGlobalQueue(t *testing.T) {
	s := syscallWithBothPsBusy(t, 3)
	step(t, s, Op{Kind: OpRetake, M: Sysmon, P: 0})
	step(t, s, Op{Kind: OpNewproc1, M: 1})
	step(t, s, Op{Kind: OpRunqput, M: 1})
	if r := step(t, s, Op{Kind: OpWakep, M: 1}); r.Value != WakepCAS {
		t.Fatalf("M1's wakep: %d, want the CAS\n%s", r.Value, s.Dump())
	}
	step(t, s, Op{Kind: OpExitSyscall, M: 0, P: None, N: int8(ExitNoP)})
	step(t, s, Op{Kind: OpWakepStartm, M: 1}) // no idle P: nmspinning back to 0
	if len(s.Sched.Runq) != 1 || s.Sched.NMSpinning != 0 || s.npidle() != 0 || !s.handoffpLocalEmpty(0) {
		t.Fatalf("setup:\n%s", s.Dump())
	}
	var ns []int8
	for _, op := range s.Enabled(DefaultBounds(3), nil) {
		if op.M == Sysmon {
			ns = append(ns, op.N)
		}
	}
	if !slices.Equal(ns, []int8{0, HandoffSawNoGlobal}) {
		t.Fatalf("sysmon is offered handoffp with N %v; want [0 %d]", ns, HandoffSawNoGlobal)
	}
	wantDisabled(t, errOf(Step(s, Op{Kind: OpHandoffp, M: Sysmon, N: HandoffSawNoGlobal, Strict: true})))
	n := s.Clone()
	step(t, n, Op{Kind: OpHandoffp, M: Sysmon})
	if n.Ps[0].Handoff != HandoffStartm {
		t.Fatalf("handoffp that sees G0: %v, want startm", n.Ps[0].Handoff)
	}
	step(t, s, Op{Kind: OpHandoffp, M: Sysmon, N: HandoffSawNoGlobal})
	if s.Ps[0].Handoff != HandoffStore || s.Sched.NMSpinning != 1 {
		t.Fatalf("handoffp that missed G0 with no M spinning and no P idle: %v, nmspinning %d; want its CAS\n%s", s.Ps[0].Handoff, s.Sched.NMSpinning, s.Dump())
	}
	step(t, s, Op{Kind: OpHandoffpStore, M: Sysmon})
	if s.Sched.NeedSpinning {
		t.Fatal("handoffp's needspinning store left it set")
	}
}

// handoffp's test `sched.nmspinning.Load()+sched.npidle.Load() == 0 &&
// sched.nmspinning.CompareAndSwap(0, 1)` (proc.go:3152) is three accesses,
// one after another. With 3 Ps, sysmon holding P0 after its retake and P1
// idle: sysmon loads nmspinning 0; M1's wakep takes nmspinning's increment
// and P1 for a spinning M2 (nmspinning 1, npidle 0); sysmon loads npidle 0;
// M2 finds nothing, puts P1 back and stops spinning (nmspinning 0, npidle
// 1); sysmon's CAS succeeds. It starts a spinning M for P0 while P1 is
// idle, though at no instant were both counts 0: with the test one
// instant, every state of the window gave the sched.lock section. The
// split reads' outcome (HandoffSawNoHelp) is offered where it changes
// that, in relaxed order only.
func TestHandoffpSplitReadsSeeNoHelp(t *testing.T) {
	s := newState(t, "small", 3, 3)
	spawn(t, s, 0) // G1 in P0's runnext; wakep: M1 on P2 spinning
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 2})
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0})
	settle(t, s)
	do(t, s, Op{Kind: OpEnterSyscall, M: 0})
	step(t, s, Op{Kind: OpRetake, M: Sysmon, P: 0})
	// offered is sysmon's choices for its handoffp's reads; the window's
	// states must offer HandoffSawNoHelp exactly where nmspinning is 0
	// and a P is idle, and never take the CAS without it.
	window := func(label string) {
		t.Helper()
		var ns []int8
		for _, op := range s.Enabled(DefaultBounds(3), nil) {
			if op.M == Sysmon && op.Kind == OpHandoffp {
				ns = append(ns, op.N)
			}
		}
		want := []int8{0}
		if s.Sched.NMSpinning == 0 && s.npidle() != 0 {
			want = append(want, HandoffSawNoHelp)
		}
		if !slices.Equal(ns, want) {
			t.Fatalf("%s (nmspinning %d, npidle %d): sysmon offered handoffp with N %v, want %v", label, s.Sched.NMSpinning, s.npidle(), ns, want)
		}
		n := s.Clone()
		if step(t, n, Op{Kind: OpHandoffp, M: Sysmon, Strict: true}); n.Ps[0].Handoff != HandoffLocked {
			t.Fatalf("%s: handoffp with a P idle or an M spinning: %v, want lock", label, n.Ps[0].Handoff)
		}
	}
	window("sysmon loads nmspinning")
	p := &s.Ps[s.Ms[1].P]
	if p.GoidCache == p.GoidEnd {
		step(t, s, Op{Kind: OpGoidRefill, M: 1})
	}
	step(t, s, Op{Kind: OpNewproc1, M: 1})
	step(t, s, Op{Kind: OpRunqput, M: 1})
	step(t, s, Op{Kind: OpWakep, M: 1})
	window("M1's wakep CAS")
	step(t, s, Op{Kind: OpWakepStartm, M: 1})
	window("sysmon loads npidle")
	wantDisabled(t, errOf(Step(s, Op{Kind: OpHandoffp, M: Sysmon, N: HandoffSawNoHelp})))
	step(t, s, Op{Kind: OpStartm, M: 1})
	step(t, s, Op{Kind: OpAcquireP, M: 2, P: s.Ms[2].NextP})
	step(t, s, Op{Kind: OpPark, M: 1})
	step(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcRunnext, Strict: true})
	step(t, s, Op{Kind: OpSchedule, M: 2, Source: SrcIdle, Strict: true})
	step(t, s, Op{Kind: OpStopSpinning, M: 2})
	window("sysmon's CAS")
	if s.Sched.NMSpinning != 0 || s.npidle() != 1 {
		t.Fatalf("setup: nmspinning %d, npidle %d\n%s", s.Sched.NMSpinning, s.npidle(), s.Dump())
	}
	wantDisabled(t, errOf(Step(s, Op{Kind: OpHandoffp, M: Sysmon, N: HandoffSawNoHelp, Strict: true})))
	wantDisabled(t, errOf(Step(s, Op{Kind: OpHandoffp, M: Sysmon, N: HandoffSawNoHelp | HandoffGCWork})))
	step(t, s, Op{Kind: OpHandoffp, M: Sysmon, N: HandoffSawNoHelp})
	if s.Ps[0].Handoff != HandoffStore || s.Sched.NMSpinning != 1 || s.npidle() != 1 {
		t.Fatalf("handoffp whose split reads saw no help: %v, nmspinning %d, npidle %d; want its CAS with P1 still idle\n%s", s.Ps[0].Handoff, s.Sched.NMSpinning, s.npidle(), s.Dump())
	}
	step(t, s, Op{Kind: OpHandoffpStore, M: Sysmon})
	if r := step(t, s, Op{Kind: OpStartm, M: Sysmon}); r.Value != int64(HandoffStartmSpin) {
		t.Fatalf("handoffp's startm: %d, want startm-spin", r.Value)
	}
}
