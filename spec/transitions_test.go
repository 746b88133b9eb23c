package spec

import "testing"

// tickPick schedules on m with whatever source the runtime would take
// first: the tick, runnext, the ring, the global queue.
func tickPick(t *testing.T, s *State, m int8) Result {
	t.Helper()
	for _, op := range s.Enabled(DefaultBounds(64), nil) {
		if op.Kind == OpSchedule && op.M == m && op.Source != SrcSteal && op.Source != SrcStealNext && op.Source != SrcIdle {
			return do(t, s, op)
		}
	}
	t.Fatalf("M%d has nothing to schedule:\n%s", m, s.Dump())
	return Result{}
}

// gfput/gfget by hand on a prepared state, for the exact orders of
// docs/OPS.md.
func TestFreeListOrders(t *testing.T) {
	s := newState(t, "small", 1, 1)
	for i := 1; i <= 4; i++ {
		s.Gs = append(s.Gs, G{Goid: int64(100 + i), Status: Dead, Stack: StackMin, M: None, LockedM: None})
	}
	s.Gs[3].Stack = 0
	var r Result
	for g := int32(1); g <= 3; g++ {
		if err := s.gfput(0, g, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.gfput(0, 4, &r); err != nil {
		t.Fatal(err)
	}
	// Pops G4, G3 (no stack), G2; G1 stays.
	if lifo(s.Ps[0].GFree) != "[G1]" || lifo(s.Sched.GFreeStack) != "[G2,G4]" || lifo(s.Sched.GFreeNoStack) != "[G3]" {
		t.Fatalf("after spill: local %s stack %s noStack %s", lifo(s.Ps[0].GFree), lifo(s.Sched.GFreeStack), lifo(s.Sched.GFreeNoStack))
	}
	// gfget pops G1; the next gfget refills to RefillTo=2 from the stack
	// list first: G2 then G4 pushed, so G4 is popped.
	g, how, _, _, _ := s.gfget(0)
	if g != 1 || how != HowLocal {
		t.Fatalf("gfget = G%d via %s", g, how)
	}
	g, how, n, st, _ := s.gfget(0)
	if g != 4 || how != HowRefill || n != 2 || st != StackReused || lifo(s.Ps[0].GFree) != "[G2]" {
		t.Fatalf("refill: G%d via %s moved %d stack %s local %s", g, how, n, st, lifo(s.Ps[0].GFree))
	}
	g, _, _, _, _ = s.gfget(0)
	g2, how, n, st, _ := s.gfget(0)
	if g != 2 || g2 != 3 || how != HowRefill || n != 1 || st != StackAllocated || s.Gs[3].Stack != StackMin {
		t.Fatalf("noStack refill: G%d G%d via %s moved %d stack %s", g, g2, how, n, st)
	}
	// A stack of the wrong size kept by gfput is replaced by gfget.
	s.Gs[1].Status = Dead
	s.Gs[1].Stack = StackMin
	if err := s.gfput(0, 1, &r); err != nil {
		t.Fatal(err)
	}
	s.Sched.StartingStackSize = 2 * StackMin
	if _, _, _, st, _ := s.gfget(0); st != StackReplaced || s.Gs[1].Stack != 2*StackMin {
		t.Fatalf("stack %s size %d", st, s.Gs[1].Stack)
	}
}

func TestRunqputslowAndSteal(t *testing.T) {
	s := newState(t, "small", 2, 2)
	// Five spawns: runnext takes each, kicking the previous to the ring;
	// the 6th kick finds the ring (4) full: runqputslow moves 2 + 1.
	var slow Result
	for i := 0; i < 5; i++ {
		spawn(t, s, 0)
	}
	if len(s.Ps[0].Ring) != 4 || s.Ps[0].Runnext != 5 {
		t.Fatalf("%s", s.Ps[0].String())
	}
	p := &s.Ps[0]
	if p.GoidCache == p.GoidEnd {
		do(t, s, Op{Kind: OpGoidRefill, M: 0})
	}
	do(t, s, Op{Kind: OpNewproc1, M: 0})
	slow = do(t, s, Op{Kind: OpRunqput, M: 0})
	if !slow.Slow || slow.Kicked != 5 || gl(s.Ps[0].SlowBatch) != "[G1,G2,G5]" || len(s.Sched.Runq) != 0 || gl(s.Ps[0].Ring) != "[G3,G4]" {
		t.Fatalf("runqputslow's CAS: %v batch %s runq %s ring %s", slow, gl(s.Ps[0].SlowBatch), gl(s.Sched.Runq), gl(s.Ps[0].Ring))
	}
	if r := do(t, s, Op{Kind: OpRunqputslowPush, M: 0}); r.Value != 3 || gl(s.Sched.Runq) != "[G1,G2,G5]" || len(s.Ps[0].SlowBatch) != 0 {
		t.Fatalf("runqputslow's push: %v runq %s batch %s", r, gl(s.Sched.Runq), gl(s.Ps[0].SlowBatch))
	}
	// M1 on P1 steals: its local queue is empty; the rounded-up half of
	// [G3 G4] is 1: G3 runs.
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	r := do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcSteal, Victim: 0})
	if r.G != 3 || r.Moved != 0 || gl(s.Ps[0].Ring) != "[G4]" || s.Ms[1].Curg != 3 {
		t.Fatalf("steal: %v\n%s", r, s.Dump())
	}
	// P0's local work comes first for M0: runnext (G6), then the ring.
	// The global queue waits for the tick.
	do(t, s, Op{Kind: OpPark, M: 0})
	if _, err := s.Apply(Op{Kind: OpSchedule, M: 0, Source: SrcGlobal}); err == nil {
		t.Fatal("global batch taken while the local queue has work")
	}
	r = tickPick(t, s, 0)
	if r.Source != SrcRunnext && r.Source != SrcTick {
		t.Fatalf("M0 took %v", r)
	}
}

// findRunnable's global batch: n = min(RunqSize/2, len, len/gomaxprocs+1);
// the first runs, the rest go to the local ring.
func TestGlobalBatchAndTick(t *testing.T) {
	s := newState(t, "go", 1, 1)
	for i := 0; i < 5; i++ {
		spawn(t, s, 0)
	}
	// Everything to the global queue via gosched of each. P0's schedtick
	// is 0, so the first pick is the tick's: main again.
	do(t, s, Op{Kind: OpGosched, M: 0})
	for i := 0; i < 6; i++ {
		tickPick(t, s, 0)
		do(t, s, Op{Kind: OpGosched, M: 0})
	}
	if len(s.Sched.Runq) != 6 || s.Ps[0].Runnext != None || len(s.Ps[0].Ring) != 0 {
		t.Fatalf("%s", s.Dump())
	}
	s.Ps[0].SchedTick = 1 // not a tick
	// min(128, 6, 6/1+1) = 6: one runs, 5 to the ring. The sched.lock
	// section takes them (globrunqgetbatch); runqputbatch, after the
	// unlock, is the M's next step, and findRunnable returns the first.
	r := step(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcGlobal})
	if r.Moved != 5 || r.G != 0 || len(s.Ps[0].Ring) != 0 || len(s.Ps[0].Held) != 6 || len(s.Sched.Runq) != 0 || s.Ms[0].Curg != None {
		t.Fatalf("batch: %v\n%s", r, s.Dump())
	}
	for _, op := range s.Enabled(DefaultBounds(6), nil) {
		if op.M == 0 && op.Kind != OpRunqputBatch {
			t.Fatalf("enabled: M0 %v before its runqputbatch", op)
		}
	}
	b := step(t, s, Op{Kind: OpRunqputBatch, M: 0})
	if b.Value != 5 || b.G != 0 || b.Source != SrcGlobal || len(s.Ps[0].Ring) != 5 || len(s.Ps[0].Held) != 0 || s.Ms[0].Curg != 0 {
		t.Fatalf("runqputbatch: %v\n%s", b, s.Dump())
	}
	// The tick: at schedtick%61 == 0 the global queue goes first (in a
	// strict op: a relaxed one may take the ring, the tick's read of the
	// global queue being racy).
	do(t, s, Op{Kind: OpGosched, M: 0})
	s.Ps[0].SchedTick = 61
	if _, err := s.Clone().Apply(Op{Kind: OpSchedule, M: 0, Source: SrcRing, Strict: true}); err == nil {
		t.Fatal("ring taken at the global tick")
	}
	if _, err := s.Clone().Apply(Op{Kind: OpSchedule, M: 0, Source: SrcRing}); err != nil {
		t.Fatalf("relaxed ring at the global tick: %v", err)
	}
	if r := sched(t, s, 0, SrcTick); r.G != s.Ms[0].Curg {
		t.Fatalf("tick: %v", r)
	}
}

func TestSyscallRetake(t *testing.T) {
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0)
	settle(t, s)
	do(t, s, Op{Kind: OpEnterSyscall, M: 0})
	// sysmon takes P0: it has work (G1 in runnext), so it waits for startm.
	r := do(t, s, Op{Kind: OpRetake, M: Sysmon, P: 0})
	if !r.HandedOff || s.Ms[0].P != None || s.Ps[0].Status != PHandoff || s.Ms[0].OldP != 0 {
		t.Fatalf("retake: %v\n%s", r, s.Dump())
	}
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 0})
	// exitsyscall: P1 is idle: pidleget takes it.
	if _, err := s.Apply(Op{Kind: OpExitSyscall, M: 0, N: int8(ExitNoP)}); err == nil {
		t.Fatal("exitsyscallNoP with an idle P to take")
	}
	r = do(t, s, Op{Kind: OpExitSyscall, M: 0, N: int8(ExitPidle)})
	if r.P != 1 || s.Gs[0].Status != Running {
		t.Fatalf("exitsyscall: %v", r)
	}
	// No idle P: exitsyscallNoP puts the G on the global queue.
	do(t, s, Op{Kind: OpEnterSyscall, M: 0})
	do(t, s, Op{Kind: OpRetake, M: Sysmon, P: 1})
	r = do(t, s, Op{Kind: OpExitSyscall, M: 0, N: int8(ExitNoP)})
	if r.P != None || s.Gs[0].Status != Runnable || s.Ms[0].Curg != None || s.Sched.Runq[len(s.Sched.Runq)-1] != 0 {
		t.Fatalf("exitsyscallNoP: %v\n%s", r, s.Dump())
	}
}
