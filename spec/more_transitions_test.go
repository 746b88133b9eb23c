package spec

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// park_m and ready: running -> waiting (dropg), waiting -> runnable into
// runnext, kicking the old runnext to the ring.
func TestParkReady(t *testing.T) {
	s := newState(t, "go", 1, 1)
	spawn(t, s, 0)                   // G1 in runnext
	do(t, s, Op{Kind: OpPark, M: 0}) // main waits
	if s.Gs[0].Status != Waiting || s.Gs[0].M != None || s.Ms[0].Curg != None {
		t.Fatalf("park: %s", s.Dump())
	}
	sched(t, s, 0, SrcRunnext)
	spawn(t, s, 0) // G2 in runnext
	r := do(t, s, Op{Kind: OpReady, M: 0, G: 0})
	if r.Kicked != 2 || s.Ps[0].Runnext != 0 || gl(s.Ps[0].Ring) != "[G2]" || s.Gs[0].Status != Runnable {
		t.Fatalf("ready: %v\n%s", r, s.Dump())
	}
	if _, err := s.Apply(Op{Kind: OpReady, M: 0, G: 0}); err == nil {
		t.Fatal("ready of a runnable G")
	}
}

// LockOSThread nesting: the wiring stays until both counts are zero;
// UnlockOSThread below zero is a no-op; the internal unlock below zero
// throws.
func TestLockNesting(t *testing.T) {
	s := newState(t, "go", 1, 1)
	do(t, s, Op{Kind: OpLockOSThread, M: 0})
	do(t, s, Op{Kind: OpLockOSThread, M: 0})
	do(t, s, Op{Kind: OpLockInt, M: 0})
	do(t, s, Op{Kind: OpUnlockOSThread, M: 0})
	do(t, s, Op{Kind: OpUnlockOSThread, M: 0})
	if s.Ms[0].LockedG != 0 || s.Gs[0].LockedM != 0 {
		t.Fatal("unwired while lockedInt is set")
	}
	do(t, s, Op{Kind: OpUnlockInt, M: 0})
	if s.Ms[0].LockedG != None || s.Gs[0].LockedM != None {
		t.Fatal("still wired with both counts zero")
	}
	if r := do(t, s, Op{Kind: OpUnlockOSThread, M: 0}); r.Value != 0 {
		t.Fatalf("unlock below zero: %v", r)
	}
}

// GOARCH=wasm has one thread: a configuration with more Ms, or more Ps
// (whose first wakep would throw in newm's newosproc), is refused; one P
// and one M are the control.
func TestWasmHasOneThread(t *testing.T) {
	c, _ := Preset("small")
	for _, cfg := range []Config{{Consts: c, Ps: 2, Ms: 1, Wasm: true}, {Consts: c, Ps: 1, Ms: 2, Wasm: true}, {Consts: c, Ps: 3, Ms: 3, Wasm: true}} {
		if _, err := New(cfg); !errors.Is(err, ErrWasmOneThread) || !strings.Contains(err.Error(), "newosproc") {
			t.Errorf("wasm with %d Ps, %d Ms: %v", cfg.Ps, cfg.Ms, err)
		}
	}
	if _, err := New(Config{Consts: c, Ps: 1, Ms: 1, Wasm: true}); err != nil {
		t.Errorf("wasm with one P and one M: %v", err)
	}
	if _, err := New(Config{Consts: c, Ps: 2, Ms: 2}); err != nil {
		t.Errorf("2 Ps and 2 Ms off wasm: %v", err)
	}
	// Constants: gfget's refill stops below gfput's cap.
	bad := c
	bad.RefillTo = bad.GFreeCap
	if _, err := New(Config{Consts: bad, Ps: 1, Ms: 1}); err == nil || !strings.Contains(err.Error(), "RefillTo") {
		t.Errorf("RefillTo at the cap: %v", err)
	}
}

// On wasm: runqput ignores next (no sysmon), LockOSThread wires nothing,
// gdestroy is gfput-and-return, and there is no retake.
func TestWasm(t *testing.T) {
	c, _ := Preset("small")
	s, err := New(Config{Consts: c, Ps: 1, Ms: 1, Wasm: true})
	if err != nil {
		t.Fatal(err)
	}
	spawn(t, s, 0)
	if s.Ps[0].Runnext != None || gl(s.Ps[0].Ring) != "[G1]" {
		t.Fatalf("wasm runqput: %s", s.Ps[0].String())
	}
	do(t, s, Op{Kind: OpGosched, M: 0})
	sched(t, s, 0, SrcTick) // schedtick 0: main back first
	do(t, s, Op{Kind: OpGosched, M: 0})
	sched(t, s, 0, SrcRing)
	do(t, s, Op{Kind: OpLockOSThread, M: 0})
	if s.Ms[0].LockedG != None {
		t.Fatal("LockOSThread wired on wasm")
	}
	r := do(t, s, Op{Kind: OpExit, M: 0})
	if r.Locked != "" || s.Ms[0].Exited || len(s.Ps[0].GFree) != 1 {
		t.Fatalf("wasm exit: %v", r)
	}
	sched(t, s, 0, SrcGlobal) // main back
	do(t, s, Op{Kind: OpEnterSyscall, M: 0})
	if _, err := s.Apply(Op{Kind: OpRetake, M: Sysmon, P: 0}); err == nil {
		t.Fatal("retake on wasm")
	}
}

// System goroutines count in sched.ngsys from newproc1 to gdestroy; the
// gcAssistBytes credit is flushed to bgScanCredit only while the GC marks,
// and a GC start zeroes bgScanCredit.
func TestNgsysAndAssistFlush(t *testing.T) {
	s := newState(t, "go", 1, 1)
	do(t, s, Op{Kind: OpNewproc1, M: 0, N: 1})
	do(t, s, Op{Kind: OpRunqput, M: 0})
	if s.Sched.NGSys != 1 || !s.Gs[1].System {
		t.Fatalf("ngsys %d", s.Sched.NGSys)
	}
	do(t, s, Op{Kind: OpGosched, M: 0})
	sched(t, s, 0, SrcTick) // schedtick 0: main back first
	do(t, s, Op{Kind: OpGosched, M: 0})
	sched(t, s, 0, SrcRunnext)
	do(t, s, Op{Kind: OpAssist, M: 0, N: 1})
	do(t, s, Op{Kind: OpExit, M: 0})
	if s.Sched.NGSys != 0 || s.Sched.BgScanCredit != 0 || s.Gs[1].GCAssist != 1 {
		t.Fatalf("GC off: ngsys %d credit %d assist %d", s.Sched.NGSys, s.Sched.BgScanCredit, s.Gs[1].GCAssist)
	}
	// GC on: gcResetMarkState zeroes every G's gcAssistBytes first.
	do(t, s, Op{Kind: OpGC, M: Controller, N: 1})
	if s.Gs[1].GCAssist != 0 {
		t.Fatal("gcResetMarkState did not zero the dead G's credit")
	}
	sched(t, s, 0, SrcGlobal)
	spawn(t, s, 0)
	do(t, s, Op{Kind: OpGosched, M: 0})
	sched(t, s, 0, SrcRunnext)
	do(t, s, Op{Kind: OpAssist, M: 0, N: 1})
	do(t, s, Op{Kind: OpExit, M: 0})
	if s.Sched.BgScanCredit != 1 {
		t.Fatalf("credit not flushed: %d", s.Sched.BgScanCredit)
	}
	// The next cycle starts from no background credit:
	// gcController.startCycle stores 0 (mgcpacer.go:390), called by
	// gcStart (mgc.go:881) before gcBlackenEnabled = 1.
	do(t, s, Op{Kind: OpMarkrootFreeGStacks, M: Controller})
	do(t, s, Op{Kind: OpGC, M: Controller, N: 0})
	if s.Sched.BgScanCredit != 1 {
		t.Fatalf("the end of marking changed the credit: %d", s.Sched.BgScanCredit)
	}
	do(t, s, Op{Kind: OpGC, M: Controller, N: 1})
	if s.Sched.BgScanCredit != 0 {
		t.Fatalf("gcStart kept the last cycle's credit: %d", s.Sched.BgScanCredit)
	}
}

// procresize: the destroyed P's run queue goes to the global head (runnext
// first), its free list through gfpurge; growing back revives it idle.
func TestProcresize(t *testing.T) {
	s := newState(t, "small", 2, 2)
	startOn(t, s, 1, 1)
	do(t, s, Op{Kind: OpGosched, M: 0}) // main to the global queue
	sched(t, s, 1, SrcGlobal)           // M1 runs main on P1
	spawn(t, s, 1)
	spawn(t, s, 1) // P1: runnext G2, ring [G1]
	do(t, s, Op{Kind: OpPark, M: 1})
	sched(t, s, 1, SrcRunnext)          // G2 runs
	do(t, s, Op{Kind: OpExit, M: 1})    // G2 dead on P1's free list
	sched(t, s, 1, SrcRing)             // G1 runs
	do(t, s, Op{Kind: OpGosched, M: 1}) // G1 to the global queue
	sched(t, s, 1, SrcGlobal)
	do(t, s, Op{Kind: OpPark, M: 1})
	sched(t, s, 1, SrcIdle)
	if s.Ps[1].Status != PIdle || len(s.Ps[1].GFree) != 1 {
		t.Fatalf("%s", s.Dump())
	}
	do(t, s, Op{Kind: OpProcResize, M: Controller, N: 1})
	if s.Ps[1].Status != PDead || len(s.Ps[1].GFree) != 0 || lifo(s.Sched.GFreeStack) != "[G2]" || s.Sched.GoMaxProcs != 1 {
		t.Fatalf("procresize: %s", s.Dump())
	}
	do(t, s, Op{Kind: OpProcResize, M: Controller, N: 2})
	if s.Ps[1].Status != PIdle {
		t.Fatal("P1 not revived")
	}
	// A P in use cannot be destroyed.
	s2 := newState(t, "small", 2, 2)
	startOn(t, s2, 1, 1)
	if _, err := oneStepAction(s2, Op{Kind: OpProcResize, M: Controller, N: 1}); err == nil {
		t.Fatal("destroyed a running P")
	}
}

// procresize puts a destroyed P's queue at the global head: runnext first,
// then the ring in order, before what was there.
func TestProcresizeRunqOrder(t *testing.T) {
	s := newState(t, "small", 2, 1)
	s.Ps[1] = P{Status: PIdle, M: None, Runnext: 3, Kicked: None, Ring: []int32{1, 2}, OldM: None}
	s.Sched.Runq = []int32{4}
	for i := 1; i <= 4; i++ {
		s.Gs = append(s.Gs, G{Goid: int64(10 + i), Status: Runnable, Stack: StackMin, M: None, LockedM: None})
	}
	if _, err := oneStepAction(s, Op{Kind: OpProcResize, M: Controller, N: 1}); err != nil {
		t.Fatal(err)
	}
	if gl(s.Sched.Runq) != "[G3,G1,G2,G4]" {
		t.Fatalf("global queue %s", gl(s.Sched.Runq))
	}
}

// GOMAXPROCS never changes while the GC runs: stopTheWorldGC waits for
// gcsema (proc.go:1569-1594), and p.destroy throws "P destroyed while GC
// is running". From gcStart (gc on) to gcMarkDone (gc off) procresize is
// neither offered nor accepted, and the mark phase's stack freeing, whose
// detached Gs sit on neither global list, never meets a gfpurge.
func TestProcresizeWaitsForGC(t *testing.T) {
	s := newState(t, "small", 2, 2)
	b := DefaultBounds(2)
	resizes := func() (n int) {
		for _, op := range ctlOffers(s, b) {
			if op.Kind == OpProcResize {
				n++
			}
		}
		return n
	}
	if resizes() == 0 {
		t.Fatal("procresize not offered before the GC")
	}
	do(t, s, Op{Kind: OpGC, M: Controller, N: 1})
	for _, step := range []Op{{}, {Kind: OpMarkrootFreeGStacks, M: Controller}} {
		if step.Kind != 0 {
			do(t, s, step)
		}
		if n := resizes(); n != 0 {
			t.Fatalf("procresize offered %d times while the GC marks\n%s", n, s.Dump())
		}
		var d *Disabled
		if _, _, err := oneStepStep(s, Op{Kind: OpProcResize, M: Controller, N: 1}); !errors.As(err, &d) {
			t.Fatalf("procresize while the GC marks: %v, want Disabled", err)
		}
	}
	step(t, s, Op{Kind: OpGC, M: Controller, N: 0})
	// The next stop-the-world waits for startTheWorldWithSema's wakep,
	// made under acquirem.
	if n := resizes(); n != 0 {
		t.Fatalf("procresize offered %d times before the GC end's wakep\n%s", n, s.Dump())
	}
	var d *Disabled
	if _, _, err := oneStepStep(s, Op{Kind: OpProcResize, M: Controller, N: 1}); !errors.As(err, &d) {
		t.Fatalf("procresize before the GC end's wakep: %v, want Disabled", err)
	}
	ctlWakepSteps(t, s)
	settle(t, s)
	if resizes() == 0 {
		t.Fatalf("procresize not offered after the GC's end\n%s", s.Dump())
	}
	do(t, s, Op{Kind: OpProcResize, M: Controller, N: 1})
}

// startingStackSize changes only at the GC's end: gcMarkDone calls
// gcComputeStartingStackSize with the world stopped, right before
// gcBlackenEnabled = 0 (mgc.go:1140), and nothing else writes it. A stack
// kept at one size is replaced by gfget after the size changes (covered in
// TestFreeListOrders); the new size is a power of two in [fixedStack,
// maxstacksize].
func TestStackSizeOnlyAtGCEnd(t *testing.T) {
	s := newState(t, "small", 1, 1)
	if _, err := oneStepAction(s, Op{Kind: OpGC, M: Controller, N: 1, Size: 4096}); err == nil {
		t.Fatal("gcStart set startingStackSize")
	}
	do(t, s, Op{Kind: OpGC, M: Controller, N: 1})
	do(t, s, Op{Kind: OpMarkrootFreeGStacks, M: Controller})
	for _, bad := range []int32{3000, StackMin / 2, -StackMin} {
		if _, err := oneStepAction(s, Op{Kind: OpGC, M: Controller, N: 0, Size: bad}); err == nil {
			t.Fatalf("the GC's end accepted startingStackSize %d", bad)
		}
	}
	do(t, s, Op{Kind: OpGC, M: Controller, N: 0, Size: 4096})
	do(t, s, Op{Kind: OpGrowStack, M: 0})
	if s.Gs[0].Stack != 4096 || s.Sched.StartingStackSize != 4096 || s.Sched.GCBlacken {
		t.Fatal(s.Dump())
	}
	// Size 0 keeps it.
	do(t, s, Op{Kind: OpGC, M: Controller, N: 1})
	do(t, s, Op{Kind: OpMarkrootFreeGStacks, M: Controller})
	do(t, s, Op{Kind: OpGC, M: Controller, N: 0})
	if s.Sched.StartingStackSize != 4096 {
		t.Fatal(s.Dump())
	}

	// Of every op Enabled offers along random walks (every family on),
	// only the GC's end changes startingStackSize, and it offers each
	// size of the bound there.
	changed := 0
	for _, st := range reachableStates(t, 60) {
		b := DefaultBounds(len(st.Gs) + 1)
		b.LockInt = true
		offered := map[int32]bool{}
		for _, op := range st.Enabled(b, nil) {
			x := st.Clone()
			if _, err := x.Apply(op); err != nil {
				continue
			}
			if op.Kind == OpGC && op.N == 0 {
				offered[x.Sched.StartingStackSize] = true
			}
			if x.Sched.StartingStackSize == st.Sched.StartingStackSize {
				continue
			}
			if op.Kind != OpGC || op.N != 0 {
				t.Fatalf("%v changed startingStackSize from %d to %d:\n%s", op, st.Sched.StartingStackSize, x.Sched.StartingStackSize, st.Dump())
			}
			changed++
		}
		if len(offered) != 0 && len(offered) != len(b.StackSizes) {
			t.Fatalf("the GC's end offers sizes %v, the bound has %v:\n%s", offered, b.StackSizes, st.Dump())
		}
	}
	if changed == 0 {
		t.Fatal("no walk reached a GC's end that changed startingStackSize")
	}
}

// newproc1's goid batches: an empty cache takes [goidgen+1,
// goidgen+GoidBatch] and goidgen moves past it; each P has its own batch,
// so goids are unique but not in creation order.
func TestGoidRefill(t *testing.T) {
	s := newState(t, "go", 2, 2)
	if s.Ps[0].GoidCache != 2 || s.Ps[0].GoidEnd != 17 || s.Sched.Goidgen != 16 {
		t.Fatalf("initial batch: %s", s.Ps[0].String())
	}
	if _, err := s.Apply(Op{Kind: OpGoidRefill, M: 0}); err == nil {
		t.Fatal("refill with a non-empty cache")
	}
	startOn(t, s, 1, 1)
	spawn(t, s, 0) // G1 via P0: goid 2
	do(t, s, Op{Kind: OpGosched, M: 0})
	sched(t, s, 0, SrcTick) // schedtick 0: main back first
	do(t, s, Op{Kind: OpGosched, M: 0})
	sched(t, s, 0, SrcRunnext)
	do(t, s, Op{Kind: OpGosched, M: 0}) // G1 to the global queue
	r := sched(t, s, 1, SrcGlobal)      // M1 takes the global head (main)
	if r.G != 0 {
		t.Fatalf("M1 ran %v", r)
	}
	rr := do(t, s, Op{Kind: OpGoidRefill, M: 1})
	if rr.Goid != 17 || s.Ps[1].GoidEnd != 33 || s.Sched.Goidgen != 32 {
		t.Fatalf("P1 batch: %v %s", rr, s.Ps[1].String())
	}
	g := do(t, s, Op{Kind: OpNewproc1, M: 1})
	if g.Goid != 17 {
		t.Fatalf("goid %d", g.Goid)
	}
}

// newproc1 fetches the goid batch and takes the first goid in one call
// (proc.go:5390-5400): Enabled offers no goidrefill, newproc1 on an empty
// cache makes the fetch (Result.Batch), and after a goidrefill an
// implementation recorded on its own the M's only op is that newproc1,
// while other actors still step. Before, goidrefill was offered as an op
// of its own, and the M could gosched, exit or park holding a whole
// untouched batch, a state the runtime never reaches.
func TestGoidRefillInsideNewproc1(t *testing.T) {
	s := newState(t, "go", 2, 2)
	startOn(t, s, 1, 1)
	spawn(t, s, 0)
	do(t, s, Op{Kind: OpGosched, M: 0})
	sched(t, s, 0, SrcTick)
	do(t, s, Op{Kind: OpGosched, M: 0})
	sched(t, s, 0, SrcRunnext)
	do(t, s, Op{Kind: OpGosched, M: 0})
	sched(t, s, 1, SrcGlobal) // M1 runs main on P1, whose cache is empty
	if p := s.Ps[1]; p.GoidCache != p.GoidEnd {
		t.Fatalf("P1's cache is not empty: %s", p.String())
	}
	b := DefaultBounds(4)
	hist := s.Clone()
	var newproc1 bool
	for _, op := range s.Enabled(b, nil) {
		if op.Kind == OpGoidRefill {
			t.Fatalf("Enabled offers %v", op)
		}
		newproc1 = newproc1 || op.Kind == OpNewproc1 && op.M == 1
	}
	if !newproc1 {
		t.Fatal("Enabled offers M1 no newproc1 on an empty cache")
	}
	r := do(t, s, Op{Kind: OpNewproc1, M: 1})
	if r.Batch != 17 || r.Goid != 17 || s.Sched.Goidgen != 32 || s.Ps[1].GoidCache != 18 || s.Ps[1].GoidEnd != 33 {
		t.Fatalf("newproc1's fetch: %v, goidgen %d, %s", r, s.Sched.Goidgen, s.Ps[1].String())
	}
	if !slices.Contains(Branches(Op{Kind: OpNewproc1, M: 1}, r, nil), "goidrefill") {
		t.Error("newproc1's fetch is not counted as goidrefill's branch")
	}
	if r := do(t, s, Op{Kind: OpRunqput, M: 1}); r.Batch != 0 {
		t.Fatalf("runqput reports a batch: %v", r)
	}

	// An implementation's history: the fetch as an op of its own.
	do(t, hist, Op{Kind: OpGoidRefill, M: 1})
	other := Op{Kind: OpMcall, M: None}
	for _, op := range hist.Enabled(b, nil) {
		if op.M == 1 && op.Kind != OpNewproc1 {
			t.Fatalf("between goidrefill and its newproc1 Enabled offers M1 %v", op)
		}
		if op.M == 0 {
			other = op
		}
	}
	if other.M != 0 {
		t.Fatal("M0 may not step between M1's goidrefill and its newproc1")
	}
	if _, err := hist.Clone().Apply(other); err != nil {
		t.Errorf("M0's %v between M1's goidrefill and newproc1: %v", other, err)
	}
	for _, k := range []OpKind{OpGosched, OpExit, OpGoexit, OpPark, OpEnterSyscall, OpGoidRefill, OpLockOSThread} {
		var d *Disabled
		if _, err := hist.Clone().Apply(Op{Kind: k, M: 1}); !errors.As(err, &d) {
			t.Errorf("%v between goidrefill and its newproc1: %v, want disabled", k, err)
		}
	}
	if r := do(t, hist, Op{Kind: OpNewproc1, M: 1}); r.Batch != 0 || r.Goid != 17 {
		t.Fatalf("newproc1 after goidrefill: %v", r)
	}
}

// On wasm a G may end with lockedInt set: lockOSThread locks nothing and
// gdestroy returns after gfput, before its lockedInt throw (proc.go:4541,
// 4546), so Enabled offers the exit and the M keeps the count. The count
// is runtime.main's (its lockOSThread around the inits is wasm's only
// one), so on wasm only main locks and unlocks it, and main's own exit
// waits for its unlock. Off wasm the G that locks is the one whose exit
// would throw, and its exit is not offered (the control).
func TestWasmExitWithLockedInt(t *testing.T) {
	c, _ := Preset("small")
	b := DefaultBounds(2)
	b.LockInt = true
	has := func(ops []Op, k OpKind) bool {
		for _, op := range ops {
			if op.Kind == k {
				return true
			}
		}
		return false
	}
	for _, wasm := range []bool{true, false} {
		s, err := New(Config{Consts: c, Ps: 1, Ms: 1, Wasm: wasm})
		if err != nil {
			t.Fatal(err)
		}
		spawn(t, s, 0)
		if wasm {
			// main's lockOSThread before the inits: main's exit waits
			// for its unlock.
			do(t, s, Op{Kind: OpLockInt, M: 0})
			if ops := s.Enabled(b, nil); has(ops, OpExit) || has(ops, OpGoexit) || !has(ops, OpUnlockInt) {
				t.Fatalf("wasm: main holding its lockedInt: exit offered %v, unlockint %v: %v", has(ops, OpExit), has(ops, OpUnlockInt), ops)
			}
		}
		do(t, s, Op{Kind: OpGosched, M: 0})
		// Schedule (main first at schedtick 0, the global pick) and yield
		// until G1 runs.
		for i := 0; i < 4 && s.Ms[0].Curg != 1; i++ {
			if s.Ms[0].Curg == 0 {
				do(t, s, Op{Kind: OpGosched, M: 0})
				continue
			}
			for _, op := range s.Enabled(b, nil) {
				if op.Kind == OpSchedule {
					do(t, s, op)
					break
				}
			}
		}
		if s.Ms[0].Curg != 1 {
			t.Fatalf("wasm=%v: no schedule runs G1:\n%s", wasm, s.Dump())
		}
		ops := s.Enabled(b, nil)
		if wasm {
			// G1 neither locks nor unlocks main's count.
			if has(ops, OpLockInt) || has(ops, OpUnlockInt) {
				t.Fatalf("wasm: G1 offered main's lockint or unlockint: %v", ops)
			}
		} else {
			do(t, s, Op{Kind: OpLockInt, M: 0})
			ops = s.Enabled(b, nil)
		}
		if has(ops, OpExit) != wasm || has(ops, OpGoexit) != wasm {
			t.Fatalf("wasm=%v: exit offered %v with lockedInt set: %v", wasm, has(ops, OpExit), ops)
		}
		if !wasm {
			continue
		}
		do(t, s, Op{Kind: OpExit, M: 0})
		if s.Gs[1].Status != Dead || s.Ms[0].LockedInt != 1 || s.Ms[0].LockedG != None {
			t.Fatalf("wasm exit with lockedInt set:\n%s", s.Dump())
		}
	}
}
