package impl

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// testSched builds a free-running sched with nothing started, for calling
// the runtime functions directly from the test goroutine.
func testSched(t *testing.T, preset string, ps, ms int, faultNames ...string) *sched {
	t.Helper()
	c, err := Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Consts: c, Ps: ps, Ms: ms, Faults: faultNames}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return newSched(cfg, Workload{Main: Prog()})
}

// deadGs makes n dead Gs with stacks of the given size.
func deadGs(s *sched, n int, stack int32) []*g {
	out := make([]*g, n)
	for i := range out {
		gp := s.malg()
		gp.stack = stack
		out[i] = gp
	}
	return out
}

func ids(gs []*g) []int {
	out := []int{}
	for _, gp := range gs {
		out = append(out, int(gp.idx))
	}
	return out
}

func TestGfputSpillOrder(t *testing.T) {
	s := testSched(t, "small", 1, 1)
	mp, pp := s.ms[0], s.ps[0]
	// Cap 4, spill to 2: the 4th gfput pops while size >= 2: 3 move, 1 stays.
	gs := deadGs(s, 4, stackMin)
	gs[1].stack = 4096 // wrong size: freed by gfput -> noStack
	var spilled int
	for i, gp := range gs {
		n, freed, msg := mp.gfput(pp, gp)
		if msg != "" {
			t.Fatal(msg)
		}
		if freed != (i == 1) {
			t.Errorf("gfput G%d: freed = %v", gp.idx, freed)
		}
		spilled += n
	}
	if spilled != 3 {
		t.Errorf("spilled %d, want 3 (GFreeCap-GFreeSpillTo+1)", spilled)
	}
	sn := s.snapshot()
	// Local list after pushes: head G4,G3,G2,G1; pops G4,G3,G2 (G2 has no
	// stack): stackQ gets G4 then G3 pushed at the head -> [G3,G4]; the
	// last popped is the head of the global list.
	g := func(i int) int { return int(gs[i].idx) }
	if want := []int{g(0)}; !reflect.DeepEqual(sn.Ps[0].GFree, want) {
		t.Errorf("local = %v, want %v", sn.Ps[0].GFree, want)
	}
	if want := []int{g(2), g(3)}; !reflect.DeepEqual(sn.GFreeStack, want) {
		t.Errorf("global stack = %v, want %v", sn.GFreeStack, want)
	}
	if want := []int{g(1)}; !reflect.DeepEqual(sn.GFreeNoStack, want) {
		t.Errorf("global noStack = %v, want %v", sn.GFreeNoStack, want)
	}
	if sn.GFreeStackSize != 2 || sn.GFreeNoStackSize != 1 || sn.Ps[0].GFreeSize != 1 {
		t.Errorf("sizes: %d %d %d", sn.GFreeStackSize, sn.GFreeNoStackSize, sn.Ps[0].GFreeSize)
	}

	// gfget: local first (no refill), then refill up to 2, stack list first.
	gp, how, refilled, st := mp.gfget(pp)
	if int(gp.idx) != g(0) || how != howLocal || refilled != 0 || st != stReused {
		t.Errorf("gfget 1: G%d how=%d refilled=%d stack=%d", gp.idx, how, refilled, st)
	}
	gp, how, refilled, st = mp.gfget(pp)
	// Refill pops G2, G3 from stack (local becomes [G3, G2]); pop G3.
	if int(gp.idx) != g(3) || how != howRefill || refilled != 2 || st != stReused {
		t.Errorf("gfget 2: G%d how=%s refilled=%d stack=%d", gp.idx, howNames[how], refilled, st)
	}
	sn = s.snapshot()
	if want := []int{g(2)}; !reflect.DeepEqual(sn.Ps[0].GFree, want) {
		t.Errorf("local after refill = %v, want %v", sn.Ps[0].GFree, want)
	}
	// Drain: G2 local, then refill takes G1 from noStack and allocates.
	mp.gfget(pp)
	gp, how, refilled, st = mp.gfget(pp)
	if int(gp.idx) != g(1) || how != howRefill || refilled != 1 || st != stAllocated || gp.stack != stackMin {
		t.Errorf("gfget 4: G%d how=%s refilled=%d stack=%s size=%d", gp.idx, howNames[how], refilled, stackNames[st], gp.stack)
	}
	if gp, _, _, _ := mp.gfget(pp); gp != nil {
		t.Errorf("gfget on empty lists = G%d", gp.idx)
	}
}

func TestGfputGoPreset(t *testing.T) {
	s := testSched(t, "go", 1, 1)
	mp, pp := s.ms[0], s.ps[0]
	gs := deadGs(s, 64, stackMin)
	total := 0
	for _, gp := range gs {
		n, _, _ := mp.gfput(pp, gp)
		total += n
	}
	sn := s.snapshot()
	if total != 33 || len(sn.Ps[0].GFree) != 31 || len(sn.GFreeStack) != 33 {
		t.Fatalf("spill moved %d, local %d, global %d; want 33, 31, 33", total, len(sn.Ps[0].GFree), len(sn.GFreeStack))
	}
	// Pushed G0..G63 (G63 at the local head); pops G63 ... G31; the last
	// popped (G31) heads the global list.
	if sn.GFreeStack[0] != int(gs[31].idx) || sn.GFreeStack[32] != int(gs[63].idx) {
		t.Errorf("global order %v", sn.GFreeStack)
	}
	// Empty the local list, then the refill takes 32.
	for i := 0; i < 31; i++ {
		mp.gfget(pp)
	}
	_, how, refilled, _ := mp.gfget(pp)
	if how != howRefill || refilled != 32 {
		t.Errorf("refill: how=%s refilled=%d", howNames[how], refilled)
	}
}

func TestGfgetStackSizeChange(t *testing.T) {
	s := testSched(t, "small", 1, 1)
	mp, pp := s.ms[0], s.ps[0]
	gp := deadGs(s, 1, stackMin)[0]
	mp.gfput(pp, gp)
	s.startingStackSize.Store(8192)
	got, _, _, st := mp.gfget(pp)
	if got != gp || st != stReplaced || gp.stack != 8192 {
		t.Errorf("stack=%s size=%d", stackNames[st], gp.stack)
	}
}

func TestGfpurge(t *testing.T) {
	s := testSched(t, "go", 2, 1)
	mp, pp := s.ms[0], s.ps[1]
	gs := deadGs(s, 3, stackMin)
	gs[1].stack = 0
	for _, gp := range gs {
		mp.gfput(pp, gp)
	}
	s.gfpurge(pp)
	sn := s.snapshot()
	// Local [G2,G1,G0]; pops G2, G1(no stack), G0: stackQ [G0, G2].
	if len(sn.Ps[1].GFree) != 0 || !reflect.DeepEqual(sn.GFreeStack, []int{int(gs[0].idx), int(gs[2].idx)}) ||
		!reflect.DeepEqual(sn.GFreeNoStack, []int{int(gs[1].idx)}) {
		t.Errorf("after gfpurge: local %v stack %v noStack %v", sn.Ps[1].GFree, sn.GFreeStack, sn.GFreeNoStack)
	}
}

func runnableGs(s *sched, n int) []*g {
	gs := deadGs(s, n, stackMin)
	for _, gp := range gs {
		gp.status.Store(gRunnable)
	}
	return gs
}

func TestRunqputKickAndSlow(t *testing.T) {
	s := testSched(t, "small", 2, 2)
	mp, pp := s.ms[0], s.ps[0]
	gs := runnableGs(s, 7)
	var kicks []int32
	var slows []bool
	g := func(i int) int { return int(gs[i].idx) }
	for _, gp := range gs {
		mp.owesWakep = false
		k, sl, msg := mp.runqput(pp, gp, true)
		if msg != "" || sl {
			t.Fatalf("runqput with next: slow %v, throw %q", sl, msg)
		}
		kicks = append(kicks, k)
		if k >= 0 {
			// runqput's window: its CAS put gp in runnext and kicked
			// the old runnext out; the M holds it, on no queue, and
			// owes the put (runqputkick) before its wakep.
			sn := s.snapshot()
			if !reflect.DeepEqual(sn.Ms[0].Kicked, []int{int(k)}) || slices.Contains(sn.Ps[0].Ring, int(k)) ||
				sn.Ps[0].Runnext != int(gp.idx) || mp.owesWakep {
				t.Errorf("in the kick's window: kicked %v ring %v runnext %d", sn.Ms[0].Kicked, sn.Ps[0].Ring, sn.Ps[0].Runnext)
			}
			// The kicked G counts as queued (the Gs made runnable
			// above and not put yet do not).
			for _, e := range sn.Check() {
				if strings.Contains(e, fmt.Sprintf("G%d ", k)) {
					t.Errorf("the kick's window: %s", e)
				}
			}
			mp.runqputKick()
			sl = mp.slowq.head != nil
			if sn := s.snapshot(); len(sn.Ms[0].Kicked) != 0 || mp.ops[opRunqputKick] == 0 || mp.owesWakep == sl {
				t.Errorf("after the kick's put: kicked %v, owes wakep %v, slow %v", sn.Ms[0].Kicked, mp.owesWakep, sl)
			}
		}
		slows = append(slows, sl)
		if sl {
			// runqputslow's window: the CAS took G0,G1 and G4 is
			// the G that did not fit; the M holds them, on no queue.
			sn := s.snapshot()
			if !reflect.DeepEqual(sn.Ms[0].SlowBatch, []int{g(0), g(1), g(4)}) || len(sn.Runq) != 0 ||
				!reflect.DeepEqual(sn.Ps[0].Ring, []int{g(2), g(3)}) {
				t.Errorf("in the window: batch %v global %v ring %v", sn.Ms[0].SlowBatch, sn.Runq, sn.Ps[0].Ring)
			}
			// The batch counts as queued; only G6, made runnable
			// above and not put yet, is on no queue.
			if errs := sn.Check(); !reflect.DeepEqual(errs, []string{fmt.Sprintf("runnable G%d is queued 0 times (want 1)", g(6))}) {
				t.Errorf("the window's snapshot: %v", errs)
			}
			mp.runqputslowPush()
			if sn := s.snapshot(); len(sn.Ms[0].SlowBatch) != 0 || !reflect.DeepEqual(sn.Runq, []int{g(0), g(1), g(4)}) ||
				mp.ops[opRunqputslowPush] != 1 {
				t.Errorf("after the push: batch %v global %v", sn.Ms[0].SlowBatch, sn.Runq)
			}
		}
	}
	// runnext takes each new G; the old one goes to the ring. The 6th put
	// kicks G4 into a full ring [G0..G3]: runqputslow moves G0,G1 + G4 to
	// the global tail. The 7th kicks G5 into [G2,G3].
	wantK := []int32{-1, gs[0].idx, gs[1].idx, gs[2].idx, gs[3].idx, gs[4].idx, gs[5].idx}
	if !reflect.DeepEqual(kicks, wantK) {
		t.Errorf("kicked %v, want %v", kicks, wantK)
	}
	if !reflect.DeepEqual(slows, []bool{false, false, false, false, false, true, false}) {
		t.Errorf("slow %v", slows)
	}
	sn := s.snapshot()
	if sn.Ps[0].Runnext != g(6) || !reflect.DeepEqual(sn.Ps[0].Ring, []int{g(2), g(3), g(5)}) ||
		!reflect.DeepEqual(sn.Runq, []int{g(0), g(1), g(4)}) {
		t.Errorf("runnext %d ring %v global %v", sn.Ps[0].Runnext, sn.Ps[0].Ring, sn.Runq)
	}
	// runqget: runnext (inherit), then the ring head.
	if gp, inh := mp.runqget(pp); int(gp.idx) != g(6) || !inh {
		t.Errorf("runqget 1 = G%d %v", gp.idx, inh)
	}
	if gp, inh := mp.runqget(pp); int(gp.idx) != g(2) || inh {
		t.Errorf("runqget 2 = G%d %v", gp.idx, inh)
	}
	// Another P steals the rounded-up half of [G3, G5]: 1 (G3), runs it.
	thief, tp := s.ms[1], s.ps[1]
	gp, n, next := thief.runqsteal(tp, pp, false)
	if int(gp.idx) != g(3) || n != 0 || next {
		t.Errorf("steal: G%v n=%d next=%v", gp, n, next)
	}
	gp, _, _ = thief.runqsteal(tp, pp, false)
	if int(gp.idx) != g(5) {
		t.Errorf("steal 2: G%d", gp.idx)
	}
	// Ring empty: only stealRunNextG takes runnext.
	last := runnableGs(s, 1)[0]
	mp.runqput(pp, last, true)
	if gp, _, _ := thief.runqsteal(tp, pp, false); gp != nil {
		t.Errorf("stole G%d without stealRunNextG", gp.idx)
	}
	gp, _, next = thief.runqsteal(tp, pp, true)
	if gp != last || !next || pp.runnext.Load() != nil {
		t.Errorf("stealnext: %v %v", gp, next)
	}
}

func TestRunqstealHalf(t *testing.T) {
	s := testSched(t, "go", 2, 2)
	mp, pp := s.ms[0], s.ps[0]
	gs := runnableGs(s, 7)
	for _, gp := range gs {
		mp.runqput(pp, gp, false)
	}
	thief, tp := s.ms[1], s.ps[1]
	gp, n, _ := thief.runqsteal(tp, pp, false)
	// 7 - 7/2 = 4 taken: G0..G3; G3 runs, G0..G2 go to the thief's ring,
	// published only by runqsteal's tail store.
	if gp != gs[3] || n != 3 {
		t.Fatalf("steal = G%d, moved %d", gp.idx, n)
	}
	if sn := s.snapshot(); len(sn.Ps[1].Ring) != 0 || !reflect.DeepEqual(sn.Ps[0].Ring, ids(gs[4:])) {
		t.Fatalf("before the tail store: thief ring %v victim ring %v", sn.Ps[1].Ring, sn.Ps[0].Ring)
	}
	if msg := s.runqstealPublish(tp, n); msg != "" {
		t.Fatal(msg)
	}
	sn := s.snapshot()
	if !reflect.DeepEqual(sn.Ps[1].Ring, ids(gs[:3])) || !reflect.DeepEqual(sn.Ps[0].Ring, ids(gs[4:])) {
		t.Errorf("thief ring %v victim ring %v", sn.Ps[1].Ring, sn.Ps[0].Ring)
	}
}

func TestGlobrunqgetbatchAndProcresize(t *testing.T) {
	s := testSched(t, "small", 2, 1)
	pp := s.ps[1]
	gs := runnableGs(s, 5)
	for _, gp := range gs {
		s.runq.pushBack(gp)
	}
	s.runqSize.Store(5)
	// n = min(4/2, 5, 5/2+1) = 2: G0 runs, G1 to the ring.
	gp, q := s.globrunqgetbatchLocked()
	if gp != gs[0] || q.size != 1 || q.head != gs[1] || s.runqSize.Load() != 3 {
		t.Fatalf("batch: G%d, q of %d, global %d", gp.idx, q.size, s.runqSize.Load())
	}
	// runqputbatch, after the unlock: the rest onto the ring.
	if n := s.runqputbatch(pp, &q); n != 1 || q.head != nil {
		t.Fatalf("runqputbatch put %d, left %d", n, q.size)
	}
	x := runnableGs(s, 1)[0]
	pp.runnext.Store(x)
	pp.status.Store(pIdle)
	s.procresize(1)
	sn := s.snapshot()
	// Destroyed P1: runnext first, then the ring, at the global head.
	want := []int{int(x.idx), int(gs[1].idx), int(gs[2].idx), int(gs[3].idx), int(gs[4].idx)}
	if !reflect.DeepEqual(sn.Runq, want) || sn.Ps[1].Status != "dead" || sn.GoMaxProcs != 1 {
		t.Errorf("after procresize: runq %v, P1 %s, gomaxprocs %d", sn.Runq, sn.Ps[1].Status, sn.GoMaxProcs)
	}
	s.procresize(2)
	if st := s.ps[1].status.Load(); st != pIdle {
		t.Errorf("P1 after growing back: %s", pStatusNames[st])
	}
}

func TestInitialSnapshot(t *testing.T) {
	s := testSched(t, "go", 2, 2)
	sn := s.snapshot()
	if sn.Gs[0].Goid != 1 || sn.Gs[0].Status != "running" || sn.Gs[0].Stack != 2048 || sn.Gs[0].M != 0 {
		t.Errorf("G0 %+v", sn.Gs[0])
	}
	if sn.Ps[0].Status != "running" || sn.Ps[0].GoidCache != 2 || sn.Ps[0].GoidEnd != 17 || sn.Ps[0].SchedTick != 0 {
		t.Errorf("P0 %+v", sn.Ps[0])
	}
	if sn.Ps[1].Status != "idle" || sn.Ms[1].P != -1 || sn.Ms[0].Curg != 0 || sn.Goidgen != 16 {
		t.Errorf("P1 %+v M1 %+v goidgen %d", sn.Ps[1], sn.Ms[1], sn.Goidgen)
	}
	if errs := sn.Check(); len(errs) != 0 {
		t.Error(errs)
	}
}

func TestConfigErrors(t *testing.T) {
	c, _ := Preset("small")
	w := Workload{Main: Prog()}
	for _, cfg := range []Config{
		{Consts: c, Ps: 0, Ms: 1},
		{Consts: c, Ps: 1, Ms: 0},
		{Consts: Consts{}, Ps: 1, Ms: 1},
		{Consts: c, Ps: 1, Ms: 1, Faults: []string{"no-such-fault"}},
		{Consts: c, Ps: 1, Ms: 1, SnapshotEvery: true},
		{Consts: Consts{GFreeCap: 4, GFreeSpillTo: 2, RefillTo: 4, RunqSize: 4, GlobalTick: 3, GoidBatch: 2}, Ps: 1, Ms: 1}, // a refill to the cap
		{Consts: c, Ps: 2, Ms: 1, Wasm: true}, // wasm's one thread
		{Consts: c, Ps: 1, Ms: 2, Wasm: true},
	} {
		if _, err := Run(cfg, w); err == nil {
			t.Errorf("Run(%+v) accepted a bad config", cfg)
		}
	}
	if _, err := Run(Config{Consts: c, Ps: 1, Ms: 1, Wasm: true}, w); err != nil {
		t.Errorf("wasm with one P and one M: %v", err)
	}
	if _, err := Run(Config{Consts: c, Ps: 1, Ms: 1}, Workload{}); err == nil {
		t.Error("Run accepted a nil Main")
	}
	if _, err := Preset("nope"); err == nil {
		t.Error("Preset(nope)")
	}
	if err := CheckFault("spill-no-lock"); err != nil {
		t.Error(err)
	}
	if len(Faults()) < 16 {
		t.Errorf("%d faults", len(Faults()))
	}
}

// markrootFreeGStacks (mgcmark.go): the whole stack list, stacks freed, at
// the head of noStack in its order; gfget then allocates.
func TestMarkrootFreeGStacks(t *testing.T) {
	s := testSched(t, "small", 1, 1)
	mp, pp := s.ms[0], s.ps[0]
	gs := deadGs(s, 4, stackMin)
	gs[1].stack = 4096 // freed by gfput -> noStack
	for _, gp := range gs {
		if _, _, msg := mp.gfput(pp, gp); msg != "" {
			t.Fatal(msg)
		}
	}
	g := func(i int) int { return int(gs[i].idx) }
	// As in TestGfputSpillOrder: stack [G3 G4], noStack [G2], local [G1].
	ct := new(actor)
	s.newActor(ct, Controller)
	s.gcBlacken.Store(true)
	// The first lock section: the stack list is taken, its stacks freed;
	// until the push the Gs are on neither global list.
	if n := s.markrootTake(ct); n != 2 {
		t.Fatalf("took %d, want 2", n)
	}
	sn := s.snapshot()
	if want := []int{g(2), g(3)}; !reflect.DeepEqual(sn.GFreeDetached, want) || len(sn.GFreeStack) != 0 || !reflect.DeepEqual(sn.GFreeNoStack, []int{g(1)}) {
		t.Errorf("in the window: detached %v (want %v), stack %v, noStack %v", sn.GFreeDetached, want, sn.GFreeStack, sn.GFreeNoStack)
	}
	if v := sn.Check(); len(v) != 0 {
		t.Errorf("the window's state: %v", v)
	}
	if s.ctlEnabled(CtlStep{Kind: CtlGC, Arg: 0}) {
		t.Error("marking may end while the job holds its list")
	}
	s.markrootPush(ct)
	sn = s.snapshot()
	if len(sn.GFreeStack) != 0 || sn.GFreeStackSize != 0 {
		t.Errorf("stack list %v (size %d) after the job", sn.GFreeStack, sn.GFreeStackSize)
	}
	if want := []int{g(2), g(3), g(1)}; !reflect.DeepEqual(sn.GFreeNoStack, want) || sn.GFreeNoStackSize != 3 {
		t.Errorf("noStack = %v (size %d), want %v (3)", sn.GFreeNoStack, sn.GFreeNoStackSize, want)
	}
	if gs[2].stack != 0 || gs[3].stack != 0 || gs[0].stack != stackMin {
		t.Errorf("stacks %d %d, local G1 %d", gs[2].stack, gs[3].stack, gs[0].stack)
	}
	if !sn.FreeGStacksDone || ct.ops[opMarkrootFreeGStacks] != 1 || ct.ops[opMarkrootFreeGStacksPush] != 1 || len(sn.GFreeDetached) != 0 {
		t.Errorf("done %v, ops %d and %d, detached %v", sn.FreeGStacksDone, ct.ops[opMarkrootFreeGStacks], ct.ops[opMarkrootFreeGStacksPush], sn.GFreeDetached)
	}
	if !s.ctlEnabled(CtlStep{Kind: CtlGC, Arg: 0}) {
		t.Error("marking cannot end after the root job")
	}
	mp.gfget(pp) // local G1, stack kept
	gp, how, refilled, st := mp.gfget(pp)
	if int(gp.idx) != g(3) || how != howRefill || refilled != 2 || st != stAllocated {
		t.Errorf("gfget after the job: G%d how=%s refilled=%d stack=%s", gp.idx, howNames[how], refilled, stackNames[st])
	}
	s.freeGStacksDone.Store(false)
	if s.ctlEnabled(CtlStep{Kind: CtlGC, Arg: 0}) {
		t.Error("marking may end before the root job")
	}
}

// gcStart (ctlApply of a GC start): gcResetMarkState zeroes every G's
// gcAssistBytes and gcController.startCycle zeroes bgScanCredit.
func TestGCStartResets(t *testing.T) {
	s := testSched(t, "small", 1, 1)
	ct := new(actor)
	s.newActor(ct, Controller)
	s.allgs[0].gcAssist = 3
	s.bgScanCredit.Store(5)
	s.ctlApply(ct, CtlStep{Kind: CtlGC, Arg: 1})
	if s.allgs[0].gcAssist != 0 || s.bgScanCredit.Load() != 0 || !s.gcBlacken.Load() || s.freeGStacksDone.Load() {
		t.Errorf("after gcStart: assist %d credit %d blacken %v done %v", s.allgs[0].gcAssist, s.bgScanCredit.Load(), s.gcBlacken.Load(), s.freeGStacksDone.Load())
	}
}

// gcMarkDone is where startingStackSize changes: gcComputeStartingStackSize
// right before gcBlackenEnabled = 0, with the world stopped. The gc off
// step records the size it set (Input.Size); a size on gc on, or one that
// is not a power of two in [fixedStack, round2(maxstacksize)], is refused.
func TestGCEndSetsStartingStackSize(t *testing.T) {
	s := testSched(t, "small", 1, 1)
	ct := new(actor)
	s.newActor(ct, Controller)
	s.ctlApply(ct, CtlStep{Kind: CtlGC, Arg: 1})
	if s.startingStackSize.Load() != stackMin {
		t.Fatalf("gcStart set startingStackSize %d", s.startingStackSize.Load())
	}
	s.freeGStacksDone.Store(true)
	s.ctlApply(ct, CtlStep{Kind: CtlGC, Size: 4096})
	if s.startingStackSize.Load() != 4096 || s.gcBlacken.Load() {
		t.Fatalf("after gcMarkDone: startingStackSize %d, blacken %v", s.startingStackSize.Load(), s.gcBlacken.Load())
	}

	c, _ := Preset("small")
	w := Workload{Main: Prog(Yield(), Yield(), Yield(), Yield()),
		Controller: []CtlStep{{Kind: CtlGC, Arg: 1}, {Kind: CtlGC, Size: 8192, After: 2}}}
	if got := w.String(); !strings.Contains(got, "ctl[gc(true), gc(false, stack=8192)@2]") {
		t.Errorf("workload %s", got)
	}
	res, err := Run(Config{Consts: c, Ps: 1, Ms: 1, Mode: Deterministic, Seed: 1, Record: true}, w)
	if err != nil {
		t.Fatal(err)
	}
	var off *Event
	for i := range res.History {
		if e := &res.History[i]; e.Op == "gc" && !e.In.On {
			off = e
		}
	}
	if off == nil || off.In.Size != 8192 || res.Snapshot.StartingStackSize != 8192 {
		t.Fatalf("gc off event %+v, final startingStackSize %d", off, res.Snapshot.StartingStackSize)
	}
	for _, bad := range []CtlStep{{Kind: CtlGC, Arg: 1, Size: 4096}, {Kind: CtlGC, Size: 3000}, {Kind: CtlGC, Size: 1024}, {Kind: CtlProcResize, Arg: 1, Size: 4096}} {
		if _, err := Run(Config{Consts: c, Ps: 1, Ms: 1}, Workload{Main: Prog(), Controller: []CtlStep{bad}}); err == nil {
			t.Errorf("Run accepted controller step %+v", bad)
		}
	}
}

// GOMAXPROCS never changes while the GC marks: stopTheWorldGC waits for
// gcsema (proc.go:1569-1594), so the controller skips a procresize step
// between gc on and gc off, and makes one after gc off.
func TestProcresizeWaitsForGC(t *testing.T) {
	s := testSched(t, "small", 2, 1)
	s.gcBlacken.Store(true)
	if s.ctlEnabled(CtlStep{Kind: CtlProcResize, Arg: 1}) {
		t.Fatal("procresize enabled while the GC marks")
	}
	s.gcBlacken.Store(false)
	if !s.ctlEnabled(CtlStep{Kind: CtlProcResize, Arg: 1}) {
		t.Fatal("procresize not enabled with the GC off")
	}

	c, _ := Preset("small")
	// Main makes ops that wake no M, so P1 stays idle for the resize.
	steps := make([]Step, 16)
	for i := range steps {
		steps[i] = MakeDirty()
	}
	w := Workload{Main: Prog(steps...),
		Controller: []CtlStep{{Kind: CtlGC, Arg: 1}, {Kind: CtlProcResize, Arg: 1}, {Kind: CtlGC, After: 2}, {Kind: CtlProcResize, Arg: 1}}}
	res, err := Run(Config{Consts: c, Ps: 2, Ms: 2, Mode: Deterministic, Seed: 1, Record: true}, w)
	if err != nil {
		t.Fatal(err)
	}
	marking, resizes := false, 0
	for _, e := range res.History {
		switch e.Op {
		case "gc":
			marking = e.In.On
		case "procresize":
			resizes++
			if marking {
				t.Fatalf("procresize while the GC marks: %+v", res.History)
			}
		}
	}
	if resizes != 1 || res.Snapshot.GoMaxProcs != 1 {
		t.Fatalf("%d procresize events, gomaxprocs %d; want 1 and 1", resizes, res.Snapshot.GoMaxProcs)
	}
}

// wakep's CAS of nmspinning is lock-free, as the runtime's (proc.go
// wakep: `if sched.nmspinning.Load() != 0 ||
// !sched.nmspinning.CompareAndSwap(0, 1) { return }` before
// lock(&sched.lock)): it completes while another actor holds sched.lock.
// (It was made under the lock while a locked M's gosched made its whole
// wakep in one sched.lock section; that wakep is now the usual ops.)
func TestWakepCASLockFree(t *testing.T) {
	s := testSched(t, "small", 2, 2)
	holder, mp := s.ms[0], s.ms[1]
	mp.owesWakep = true
	s.lockSched(&holder.actor)
	done := make(chan struct{})
	go func() {
		mp.wakepOwed()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("wakep's CAS waits for sched.lock")
	}
	if s.nmspinning.Load() != 1 || !mp.waking || mp.owesWakep {
		t.Fatalf("after the CAS: nmspinning %d, waking %v, owes wakep %v", s.nmspinning.Load(), mp.waking, mp.owesWakep)
	}
	s.unlockSched(&holder.actor)
}

// A spinning M that finds a G locked to another M makes resetspinning's
// wakep before its startlockedm (proc.go schedule), holding the G and its P
// in between: every startlockedm op follows its M's wakep ops, the M
// holds the G (MSnap.Handing) with its P until it, and the locked M has
// no nextp before it; a schedule that hands a P over directly is made by
// an M that was not spinning.
func TestStartlockedmAfterWakep(t *testing.T) {
	w := Workload{Main: Prog(Go(Prog(Yield(), Yield(), Yield())), Go(Prog(Yield(), Yield())),
		Lock(), Yield(), Yield(), Yield(), Yield(), Unlock())}
	found := recordedRuns(t, w, 2, 3, 300, 5, func(seed int64, res *Result) (found int) {
		for j, e := range res.History {
			if j == 0 {
				continue
			}
			before := res.Snapshots[j-1]
			switch {
			case e.Op == "schedule" && e.Out.HandedTo >= 0:
				if before.Ms[e.M].Spinning {
					t.Fatalf("seed %d: event %d %v: a spinning M handed its P to a locked M before resetspinning", seed, j, e)
				}
			case e.Op == "startlockedm":
				found++
				m := before.Ms[e.M]
				if len(m.Handing) != 1 || m.Handing[0] != e.Out.G || m.P < 0 || before.Ms[e.Out.HandedTo].NextP >= 0 {
					t.Fatalf("seed %d: before event %d %v: M%d handing %v on P%d, M%d nextp P%d; want the G held with the P, the locked M without one",
						seed, j, e, e.M, m.Handing, m.P, e.Out.HandedTo, before.Ms[e.Out.HandedTo].NextP)
				}
				// The M's previous ops: its wakep's (the CAS, its
				// sched.lock section, its startm), after the schedule
				// that found the G.
				k := j - 1
				for ; k >= 0 && res.History[k].M != e.M; k-- {
				}
				if k < 0 || !slices.Contains([]string{"wakep", "wakepstartm", "startm"}, res.History[k].Op) {
					t.Fatalf("seed %d: event %d %v: the M's previous op is not its wakep: %v", seed, j, e, res.History[max(k, 0)])
				}
				if after := res.Snapshots[j]; len(after.Ms[e.M].Handing) != 0 || after.Ms[e.M].P >= 0 || after.Ms[e.Out.HandedTo].NextP != m.P {
					t.Fatalf("seed %d: after event %d %v: M%d handing %v on P%d; want the P in M%d's nextp", seed, j, e, e.M, after.Ms[e.M].Handing, after.Ms[e.M].P, e.Out.HandedTo)
				}
			}
		}
		return found
	})
	if found == 0 {
		t.Fatal("no run reached a spinning M's startlockedm")
	}
}

// wakep's sched.lock section and its startm are two ops, as proc.go's
// wakep unlocks between pidlegetSpinning and startm: in between the P is
// the waking M's (MSnap.StartmP), off the idle list and not pending, so
// no idle M takes it, and it shows as handed off; startm then gives it to
// mget's M.
func TestWakepStartmTwoSections(t *testing.T) {
	s := testSched(t, "small", 2, 2)
	mp := s.ms[0]
	if !s.wakepCAS() {
		t.Fatal("wakep's CAS failed")
	}
	mp.waking = true
	mp.wakepStartm()
	pp := mp.startmP
	sn := s.snapshot()
	if pp == nil || !reflect.DeepEqual(sn.Ms[0].StartmP, []int{int(pp.id)}) || len(sn.Pidle) != 0 || sn.Ps[pp.id].Status != "handoff" || pp.pending {
		t.Fatalf("after wakep's pidleget: P %v, snapshot StartmP %v, idle list %v, status %s: want the P held for startm, off the list, not pending",
			pp, sn.Ms[0].StartmP, sn.Pidle, sn.Ps[1].Status)
	}
	if errs := sn.Check(); len(errs) != 0 {
		t.Fatalf("between wakep's sections: %v", errs)
	}
	mp.startmOwed()
	if mp.startmP != nil || s.ms[1].nextp.Load() != pp || !s.ms[1].spinning.Load() || mp.ops[opStartm] != 1 {
		t.Fatalf("after startm: held %v, M1 nextp %v spinning %v", mp.startmP, s.ms[1].nextp.Load(), s.ms[1].spinning.Load())
	}
}

// findRunnable's stop path for an M that is not spinning idles its P and
// unlocks, and the recheck of an M that was spinning unlocks after it finds
// nothing; stopm's mput is the M's next op in both (findRunnable unlocks
// before stopm takes sched.lock again): after the schedule or recheck op
// the M holds no P, is not on the idle M list and owes its stopm, which is
// its next op.
func TestStopPathStopmNextOp(t *testing.T) {
	w := Workload{Main: Prog(Go(Prog(Yield(), ReadyOn(0))), Go(Prog(Yield())), ParkOn(0), Yield())}
	var stops, rechecks int
	recordedRuns(t, w, 2, 2, 200, 10, func(seed int64, res *Result) (found int) {
		for j, e := range res.History {
			switch {
			case e.Op == "schedule" && e.Out.Source == "idle" && e.Out.Value == 0:
				stops++
			case e.Op == "recheck" && e.Out.P < 0 && res.Snapshots[j].Ms[e.M].RecheckRunqs:
				// The global queue's section found nothing it could
				// take: checkRunqsNoP is the M's next op.
				after := res.Snapshots[j].Ms[e.M]
				if after.P >= 0 || after.Parked || after.Stopping || !after.Recheck {
					t.Fatalf("seed %d: after event %d %v: M%d on P%d parked %v stopping %v recheck %v: want no P, checkRunqsNoP next", seed, j, e, e.M, after.P, after.Parked, after.Stopping, after.Recheck)
				}
				if k := nextOfM(res.History, j); k < len(res.History) && res.History[k].Op != "recheck" {
					t.Fatalf("seed %d: event %d %v: the M's next op is %v, want checkRunqsNoP's recheck", seed, j, e, res.History[k])
				}
				continue
			case e.Op == "recheck" && e.Out.P < 0:
				rechecks++
			default:
				continue
			}
			found++
			after := res.Snapshots[j].Ms[e.M]
			if after.P >= 0 || after.Parked || !after.Stopping || after.Recheck {
				t.Fatalf("seed %d: after event %d %v: M%d on P%d parked %v stopping %v recheck %v: want no P, not idle yet, stopm owed", seed, j, e, e.M, after.P, after.Parked, after.Stopping, after.Recheck)
			}
			k := nextOfM(res.History, j)
			if k < len(res.History) && res.History[k].Op != "stopm" {
				t.Fatalf("seed %d: event %d %v: the M's next op is %v, want its stopm", seed, j, e, res.History[k])
			}
		}
		if stops == 0 || rechecks == 0 {
			return 0 // keep looking until both kinds are seen
		}
		return found
	})
	if stops == 0 || rechecks == 0 {
		t.Fatalf("stop paths of a non-spinning M: %d, rechecks that found nothing: %d; want both reached", stops, rechecks)
	}
}

// exitsyscallNoP of a locked M that finds no idle P queues its G and
// unlocks; stoplockedm (incidlelocked(1) under sched.lock again) is the M's
// next op: after the exitsyscall op the M holds no P, owes stoplockedm and
// is not yet counted in nmidlelocked.
func TestExitsyscallNoPLockedStoplockedmNextOp(t *testing.T) {
	w := Workload{Main: Prog(Go(Prog(Yield(), Yield())), Lock(), Sys(), Yield(), Sys(), Yield()), Retakes: 4}
	found := recordedRuns(t, w, 1, 2, 400, 3, func(seed int64, res *Result) (found int) {
		for j, e := range res.History {
			if e.Op != "exitsyscall" || e.Out.Path != "nop" || res.Snapshots[j].Ms[e.M].LockedG < 0 {
				continue
			}
			found++
			after := res.Snapshots[j].Ms[e.M]
			if after.P >= 0 || !after.StopLocked || after.Stopping {
				t.Fatalf("seed %d: after event %d %v: M%d on P%d stoplocked %v stopping %v: want no P, stoplockedm owed", seed, j, e, e.M, after.P, after.StopLocked, after.Stopping)
			}
			k := nextOfM(res.History, j)
			if k < len(res.History) && res.History[k].Op != "stoplockedm" {
				t.Fatalf("seed %d: event %d %v: the M's next op is %v, want its stoplockedm", seed, j, e, res.History[k])
			}
		}
		return found
	})
	if found == 0 {
		t.Fatal("no run reached a locked M's exitsyscallNoP without an idle P")
	}
}

// A locked G's exit (gdestroy, gfput without sched.lock), its thread's
// mexit (handoffp(releasep())) and mexit's own sched.lock section
// (nmfreed++, checkdead) are three ops: after the exit the M holds its P
// with no G and owes mexit, its next op; after mexit it holds nothing,
// still counts as running and owes mfreed, its next op.
func TestLockedExitMexitNextOp(t *testing.T) {
	windows, handoffSteps := 0, 0
	w := Workload{Main: Prog(Go(Prog(Lock(), Ret())), Go(Prog(Lock(), Yield(), Ret())), Yield(), Yield(), Yield())}
	found := recordedRuns(t, w, 2, 3, 200, 5, func(seed int64, res *Result) (found int) {
		for j, e := range res.History {
			if (e.Op != "exit" && e.Op != "goexit") || e.Out.Locked == "" {
				continue
			}
			found++
			after := res.Snapshots[j].Ms[e.M]
			if after.P < 0 || !after.Mexiting || after.Curg >= 0 || after.LockedG >= 0 || after.Exited || e.Out.HandedOff {
				t.Fatalf("seed %d: after event %d %v: M%d on P%d mexiting %v curg %d exited %v: want its P held, no G, mexit owed", seed, j, e, e.M, after.P, after.Mexiting, after.Curg, after.Exited)
			}
			k := nextOfM(res.History, j)
			if k == len(res.History) {
				continue
			}
			if n := res.History[k]; n.Op != "mexit" || n.Out.Locked != e.Out.Locked || !n.Out.HandedOff {
				t.Fatalf("seed %d: event %d %v: the M's next op is %v, want its mexit (handoffp)", seed, j, e, n)
			}
			// After handoffp the M holds nothing and still counts as
			// running; mexit's nmfreed++ and checkdead are its next op.
			if after := res.Snapshots[k].Ms[e.M]; after.P >= 0 || after.Mexiting || !after.Mfreed || after.Exited || after.Wedged {
				t.Fatalf("seed %d: after mexit %d %v: M%d on P%d mexiting %v mfreed %v exited %v: want no P, nmfreed++ owed", seed, k, res.History[k], e.M, after.P, after.Mexiting, after.Mfreed, after.Exited)
			}
			l := k + 1
			for ; l < len(res.History) && res.History[l].M != e.M; l++ {
			}
			// handoffp's next steps come first (its sched.lock
			// section, the needspinning store, startm).
			for steps := 0; l < len(res.History) && res.History[l].Op != "mfreed"; steps++ {
				if n := res.History[l]; steps == 3 || n.Op != "handoffplocked" && n.Op != "handoffpstore" && n.Op != "startm" {
					t.Fatalf("seed %d: event %d %v: the M's op after its mexit (%v) is %v, want handoffp's next step", seed, j, e, res.History[k], n)
				}
				handoffSteps++
				for l++; l < len(res.History) && res.History[l].M != e.M; l++ {
				}
			}
			if l == len(res.History) {
				continue
			}
			if n := res.History[l]; n.Op != "mfreed" || n.Out.Locked != e.Out.Locked {
				t.Fatalf("seed %d: event %d %v: the M's op after its mexit is %v, want mfreed", seed, j, e, n)
			}
			if after := res.Snapshots[l].Ms[e.M]; after.Mfreed || after.Exited == (e.Out.Locked == "m0wedged") {
				t.Fatalf("seed %d: after mfreed %d: M%d mfreed %v exited %v", seed, l, e.M, after.Mfreed, after.Exited)
			}
			windows++
		}
		return found
	})
	if found == 0 || windows == 0 {
		t.Fatalf("locked exits: %d, of them followed by mexit and mfreed: %d", found, windows)
	}
	t.Logf("locked exits: %d, followed by mexit and mfreed: %d, with %d steps of handoffp between", found, windows, handoffSteps)
}

// findRunnable's recheck that finds global work takes pidlegetSpinning's P
// and the batch in its sched.lock section and unlocks; the M then holds
// both (MSnap.SpinP, MSnap.Held), and its next ops are runqputbatch onto
// that P (a batch with a rest) and acquirep, which becomes spinning and
// runs the batch's first G.
func TestRecheckTakesGlobalBatch(t *testing.T) {
	w := Workload{Main: Prog(Go(Prog(Yield(), Yield())), Yield(), Yield(), Go(Prog(Yield())), Yield(), Yield())}
	found := recordedRuns(t, w, 2, 2, 400, 3, func(seed int64, res *Result) (found int) {
		for j, e := range res.History {
			if e.Op != "recheck" || e.Out.Source != "global" {
				continue
			}
			found++
			after := res.Snapshots[j].Ms[e.M]
			if e.Out.P < 0 || after.P >= 0 || len(after.SpinP) != 1 || after.SpinP[0] != e.Out.P || len(after.Held) != e.Out.Moved+1 || after.Held[0] != e.Out.G ||
				after.Spinning || res.Snapshots[j].Ps[e.Out.P].Status != "handoff" {
				t.Fatalf("seed %d: after event %d %v: M%d p %d spinP %v held %v spinning %v: want the P and the batch held, not yet spinning", seed, j, e, e.M, after.P, after.SpinP, after.Held, after.Spinning)
			}
			// The M's next ops: runqputbatch (a batch with a rest),
			// then acquirep, then becomeSpinning's needspinning store
			// (spin), which runs G.
			var next []Event
			for k := j + 1; k < len(res.History) && len(next) < 3; k++ {
				if res.History[k].M == e.M {
					next = append(next, res.History[k])
				}
			}
			if e.Out.Moved > 0 {
				if len(next) == 0 || next[0].Op != "runqputbatch" || next[0].Out.P != e.Out.P || next[0].Out.Value != int64(e.Out.Moved) {
					t.Fatalf("seed %d: event %d %v: next ops %v, want runqputbatch of %d onto P%d", seed, j, e, next, e.Out.Moved, e.Out.P)
				}
				next = next[1:]
			}
			if len(next) == 0 {
				continue // the run ended first
			}
			a := next[0]
			if a.Op != "acquirep" || a.Out.P != e.Out.P || a.Out.G != -1 || a.Out.Value != 1 {
				t.Fatalf("seed %d: event %d %v: then %v, want acquirep of P%d, spinning", seed, j, e, a, e.Out.P)
			}
			if len(next) < 2 {
				continue
			}
			if c := next[1]; c.Op != "spin" || c.Out.P != e.Out.P || c.Out.G != e.Out.G || c.Out.Source != "global" || c.Out.Value != 1 {
				t.Fatalf("seed %d: event %d %v: then %v, %v, want the needspinning store running G%d", seed, j, e, a, c, e.Out.G)
			}
		}
		return found
	})
	if found == 0 {
		t.Fatal("no run reached a recheck that found global work")
	}
}

// The recheck's three ops on one M, driven directly: its sched.lock
// section takes the idle P1 and a batch of two from sched.runq (rare in
// drawn runs: the global queue seldom holds two Gs while a P is idle);
// runqputbatch puts the rest on P1's ring, where no M owns it yet and a
// snapshot shows it handed off; acquirep makes P1 the M's, spinning;
// becomeSpinning's needspinning store, the M's next op, runs the first G.
func TestRecheckBatchWithRest(t *testing.T) {
	s := testSched(t, "small", 2, 2)
	mp := s.ms[1]
	pp := s.ps[1]
	gs := runnableGs(s, 2)
	for _, gp := range gs {
		s.runq.pushBack(gp)
	}
	s.runqSize.Store(2)
	mp.recheck = true
	mp.recheckStop()
	sn := s.snapshot()
	if mp.spinP != pp || mp.heldG != gs[0] || mp.heldQ.size != 1 || !reflect.DeepEqual(sn.Ms[1].Held, ids(gs)) ||
		!reflect.DeepEqual(sn.Ms[1].SpinP, []int{1}) || sn.Ps[1].Status != "handoff" || len(sn.Runq) != 0 || mp.spinning.Load() {
		t.Fatalf("after the recheck: spinP %v, held %v, P1 %s, runq %v", sn.Ms[1].SpinP, sn.Ms[1].Held, sn.Ps[1].Status, sn.Runq)
	}
	if errs := sn.Check(); len(errs) != 0 {
		t.Fatalf("after the recheck: %v", errs)
	}
	if !mp.owed() {
		t.Fatal("the recheck's M owes nothing")
	}
	mp.nextOwed() // runqputbatch
	sn = s.snapshot()
	if mp.heldQ.head != nil || !reflect.DeepEqual(sn.Ps[1].Ring, ids(gs[1:])) || !reflect.DeepEqual(sn.Ms[1].Held, ids(gs[:1])) || sn.Ps[1].Status != "handoff" {
		t.Fatalf("after runqputbatch: ring %v, held %v, P1 %s", sn.Ps[1].Ring, sn.Ms[1].Held, sn.Ps[1].Status)
	}
	if errs := sn.Check(); len(errs) != 0 {
		t.Fatalf("after runqputbatch: %v", errs)
	}
	s.needspinning.Store(true) // a wakep's pidlegetSpinning found no idle P
	mp.nextOwed()              // acquirep: counted spinning, needspinning still set, gs[0] held
	sn = s.snapshot()
	if mp.spinP != nil || mp.p.Load() != pp || !mp.spinning.Load() || !mp.spinClear || s.nmspinning.Load() != 1 || !s.needspinning.Load() ||
		mp.curg.Load() != nil || !reflect.DeepEqual(sn.Ms[1].Held, ids(gs[:1])) || sn.Ps[1].Status != "running" {
		t.Fatalf("after acquirep: spinP %v, p %v, spinning %v, spin clear %v, nmspinning %d, needspinning %v, curg %v, held %v",
			mp.spinP, mp.p.Load(), mp.spinning.Load(), mp.spinClear, s.nmspinning.Load(), s.needspinning.Load(), mp.curg.Load(), sn.Ms[1].Held)
	}
	if errs := sn.Check(); len(errs) != 0 {
		t.Fatalf("after acquirep: %v", errs)
	}
	mp.nextOwed() // becomeSpinning's needspinning store; gs[0] runs
	if mp.spinP != nil || mp.p.Load() != pp || !mp.spinning.Load() || mp.spinClear || s.needspinning.Load() || s.nmspinning.Load() != 1 || mp.curg.Load() != gs[0] || !mp.owesWakep ||
		mp.ops[opRecheck] != 1 || mp.ops[opRunqputBatch] != 1 || mp.ops[opAcquireP] != 1 || mp.ops[opSpin] != 1 {
		t.Fatalf("after acquirep: spinP %v, p %v, spinning %v, nmspinning %d, curg %v, owes wakep %v", mp.spinP, mp.p.Load(), mp.spinning.Load(), s.nmspinning.Load(), mp.curg.Load(), mp.owesWakep)
	}
}

// runqsteal's CAS on the victim's head and its tail store are two ops:
// after a steal that took two or more the thief's ring is still empty
// and the stolen Gs are the M's (MSnap.Held, MSnap.StealTail); its next
// op, runqstealtail, publishes all but the last and runs the last.
func TestStealTailNextOp(t *testing.T) {
	w := Workload{Main: Prog(Go(Prog(Yield())), Go(Prog(Yield())), Go(Prog(Yield())), Go(Prog(Yield())), Go(Prog()), Yield(), Yield())}
	checkHeldThenPublished(t, w, 2, "steal", "runqstealtail")
}

// findRunnable's global batch: the sched.lock section takes it
// (globrunqgetbatch) and unlocks; with a rest, runqputbatch (the rest onto
// the M's own ring, then the first G runs) is the M's next op, and in
// between the batch is the M's, on no queue.
func TestScheduleGlobalBatchRunqputbatchNextOp(t *testing.T) {
	w := Workload{Main: Prog(Go(Prog(Yield(), Yield())), Go(Prog(Yield(), Yield())), Go(Prog(Yield())), Yield(), Yield(), Yield())}
	checkHeldThenPublished(t, w, 1, "global", "runqputbatch")
}

// checkHeldThenPublished requires of every schedule op from source that
// took more than one G (Moved > 0) that it leaves them held by the M
// (MSnap.Held, first the G to run; MSnap.StealTail for a steal), its ring
// empty and nothing run; and that the M's next op, publish, puts the rest
// on its ring in order and runs the first.
func checkHeldThenPublished(t *testing.T, w Workload, ps int, source, publish string) {
	t.Helper()
	found := recordedRuns(t, w, ps, 2, 400, 3, func(seed int64, res *Result) (found int) {
		for j, e := range res.History {
			if e.Op != "schedule" || e.Out.Source != source || e.Out.Moved == 0 {
				continue
			}
			found++
			sn := res.Snapshots[j]
			after := sn.Ms[e.M]
			if after.P < 0 || after.Curg >= 0 || after.StealTail != (source == "steal") || len(after.Held) != e.Out.Moved+1 || after.Held[0] != e.Out.G || len(sn.Ps[after.P].Ring) != 0 {
				t.Fatalf("seed %d: after event %d %v: M%d p %d curg %d stealTail %v held %v: want the Gs held, the ring empty, nothing run", seed, j, e, e.M, after.P, after.Curg, after.StealTail, after.Held)
			}
			k := nextOfM(res.History, j)
			if k == len(res.History) {
				continue
			}
			b := res.History[k]
			if b.Op != publish || b.Out.G != e.Out.G || b.Out.Value != int64(e.Out.Moved) || b.Out.P != after.P {
				t.Fatalf("seed %d: event %d %v: the M's next op is %v, want %s of %d running G%d", seed, j, e, b, publish, e.Out.Moved, e.Out.G)
			}
			if bs := res.Snapshots[k]; bs.Ms[e.M].StealTail || len(bs.Ms[e.M].Held) != 0 || len(bs.Ps[after.P].Ring) < e.Out.Moved ||
				!reflect.DeepEqual(bs.Ps[after.P].Ring[:e.Out.Moved], after.Held[1:]) {
				t.Fatalf("seed %d: after event %d %v: held %v ring %v", seed, k, b, bs.Ms[e.M].Held, bs.Ps[after.P].Ring)
			}
		}
		return found
	})
	if found == 0 {
		t.Fatalf("no run took a %s batch of two or more", source)
	}
}

// sched.needspinning: wakep's pidlegetSpinning that finds no idle P sets it,
// and the stop path of a non-spinning M then spins instead of dropping its
// P (schedule idle, value 2), clearing it; the control, the same runs'
// wakeps, must have set it first.
func TestNeedSpinningStopPath(t *testing.T) {
	w := Workload{Main: Prog(Go(Prog(Yield(), Yield())), Go(Prog(Yield())), Go(Prog()), Go(Prog()), Yield(), Exit())}
	found := recordedRuns(t, w, 2, 3, 500, 1, func(seed int64, res *Result) (found int) {
		set := false
		for j, e := range res.History {
			sn := res.Snapshots[j]
			if e.Op == "wakepstartm" && e.Out.P < 0 {
				set = true
				if !sn.NeedSpinning {
					t.Fatalf("seed %d: event %d %v: pidlegetSpinning found no idle P but needspinning is clear", seed, j, e)
				}
			}
			if e.Op != "schedule" || e.Out.Source != "idle" || e.Out.Value != 2 {
				continue
			}
			found++
			after := sn.Ms[e.M]
			if !set || after.P < 0 || !after.Spinning || sn.NeedSpinning {
				t.Fatalf("seed %d: after event %d %v: needspinning set before %v; M%d on P%d spinning %v, needspinning %v: want the P kept, spinning, needspinning cleared", seed, j, e, set, e.M, after.P, after.Spinning, sn.NeedSpinning)
			}
		}
		return found
	})
	if found == 0 {
		t.Fatal("no run's stop path found needspinning set")
	}
}

// recordedRuns runs w deterministically with recording and a snapshot after
// every op, on seeds 0, 1, ... (at most seeds of them), and gives each
// clean run to visit, which returns how many cases of interest it found;
// it stops once want are found and returns how many were.
func recordedRuns(t *testing.T, w Workload, ps, ms int, seeds int64, want int, visit func(seed int64, res *Result) int) int {
	t.Helper()
	found := 0
	for seed := int64(0); seed < seeds && found < want; seed++ {
		cfg := cfgFor(t, "small", ps, ms, Deterministic, seed)
		cfg.Record, cfg.SnapshotEvery = true, true
		res := mustRun(t, cfg, w)
		checkClean(t, w.String(), res)
		found += visit(seed, res)
	}
	return found
}

// nextOfM is the index of the event after j made by j's M, or len(h).
func nextOfM(h []Event, j int) int {
	k := j + 1
	for k < len(h) && h[k].M != h[j].M {
		k++
	}
	return k
}

// startTheWorldWithSema ends with wakep (proc.go:1819-1822): after every
// stop-the-world the controller makes it in the ops wakep, wakepstartm and
// startm, with the Ms running in between, and makes no other
// stop-the-world before it is done. GOMAXPROCS 1 -> 2 while main spawns
// leaves P1 idle and M1 asleep with work queued, so some seed's wakep
// hands P1 to M1 (main's return may end a run with the wakep owed, as in
// the spec). With the fault stw-no-wakep the controller makes none.
func TestStartTheWorldWakep(t *testing.T) {
	c, _ := Preset("small")
	leaf := Prog(MakeDirty())
	main := []Step{Go(leaf), Go(leaf), Go(leaf)}
	for range 12 {
		main = append(main, MakeDirty())
	}
	w := Workload{Main: Prog(main...),
		Controller: []CtlStep{{Kind: CtlProcResize, Arg: 1}, {Kind: CtlProcResize, Arg: 2, After: 4}, {Kind: CtlGC, Arg: 1, After: 6}}}
	run := func(seed int64, faults ...string) []Event {
		res, err := Run(Config{Consts: c, Ps: 2, Ms: 2, Mode: Deterministic, Seed: seed, Record: true, Faults: faults}, w)
		if err != nil {
			t.Fatal(err)
		}
		var ctl []Event
		for _, e := range res.History {
			if e.M == Controller {
				ctl = append(ctl, e)
			}
		}
		return ctl
	}
	handed, full := false, 0
	for seed := int64(1); seed <= 20; seed++ {
		ctl := run(seed)
		stws := 0
		owed := ""
		for _, e := range ctl {
			switch e.Op {
			case "procresize", "gc":
				stws++
				if owed != "" {
					t.Fatalf("seed %d: %v while the controller owes %s: %+v", seed, e, owed, ctl)
				}
				owed = "wakep"
			case "wakep", "wakepstartm", "startm":
				if e.Op != owed {
					t.Fatalf("seed %d: %v where the controller owes %q: %+v", seed, e, owed, ctl)
				}
				switch {
				case e.Op == "wakep" && e.Out.Value == 1:
					owed = "wakepstartm"
				case e.Op == "wakepstartm" && e.Out.P >= 0:
					owed = "startm"
				default:
					owed = ""
				}
				if e.Op == "startm" && e.Out.HandedTo == 1 {
					handed = true
				}
			}
		}
		if stws == 3 && owed == "" {
			full++
		}
	}
	if full == 0 {
		t.Fatal("in 20 seeds no run made its three stop-the-worlds and their wakeps")
	}
	if !handed {
		t.Fatal("in 20 seeds no controller's wakep handed P1 to M1")
	}
	for _, e := range run(1, "stw-no-wakep") {
		if e.Op == "wakep" {
			t.Fatalf("stw-no-wakep: the controller made %v", e)
		}
	}
}

// newproc1 gives every new G its creator's fipsOnlyBypass and only a user
// G its pprof labels and synctest bubble (Go 1.26 proc.go newproc1); the
// children park forever, so the final snapshot (main returned) shows them
// live with what they inherited.
func TestNewproc1Inherits(t *testing.T) {
	c, _ := Preset("small")
	w := Workload{Main: Prog(MakeDirty(), Go(Prog(ParkOn(1))), GoSystem(Prog(ParkOn(1))), Yield(), Yield())}
	res, err := Run(Config{Consts: c, Ps: 1, Ms: 1, Mode: Deterministic, Seed: 1}, w)
	if err != nil {
		t.Fatal(err)
	}
	var user, sys *GSnap
	for i := range res.Snapshot.Gs {
		g := &res.Snapshot.Gs[i]
		switch {
		case g.Goid == 2:
			user = g
		case g.Goid == 3:
			sys = g
		}
	}
	if user == nil || sys == nil || !sys.System {
		t.Fatalf("children not found: %+v", res.Snapshot.Gs)
	}
	if !user.Labels || !user.Bubble || !user.FipsOnlyBypass || user.Defer || user.Secret {
		t.Errorf("user G inherits %+v; want labels, bubble and fipsOnlyBypass only", *user)
	}
	if sys.Labels || sys.Bubble || !sys.FipsOnlyBypass || sys.Defer || sys.Secret {
		t.Errorf("system G inherits %+v; want fipsOnlyBypass only", *sys)
	}
}

// stwSched is a recording 2P2M sched with a controller, M0 running main
// on P0.
func stwSched(t *testing.T) (*sched, *m, *p, *g) {
	t.Helper()
	s := testSched(t, "small", 2, 2)
	s.rec = true
	s.ctl = new(actor)
	s.newActor(s.ctl, Controller)
	mp, pp := s.ms[0], s.ps[0]
	gp := mp.curg.Load()
	if gp == nil || mp.p.Load() != pp {
		t.Fatal("M0 does not run main on P0")
	}
	return s, mp, pp, gp
}

// The stop-the-world's loop over the syscall Ps runs after its gcwaiting
// store, and an M's exitsyscall (a CAS on its G's status, no lock) can
// take its G out of the syscall in between: setBlockOnExitSyscall then
// fails and the P stays with its M, as in the runtime. The op records the
// P as left (its input, a bit per P), the spec's stop-the-world leaving
// a syscall P; before this the op recorded only the Ps sysmon's retake
// held, and gexit check found a free-running history no order of the
// spec explained. A G that left its syscall before the store is not one:
// its P is running, not in a syscall, at the op's point, and is not
// recorded as left (the op read the syscall Ps before its store, and
// gexit check found a second free-running history no order explained:
// the M ran another G, its schedule reading gcwaiting unset, and the op
// still said its P was left in a syscall). The control: a syscall P with
// no race is taken.
func TestStopTheWorldLeavesRacingSyscallP(t *testing.T) {
	for _, race := range []string{"none", "after the store", "before the store", "before the reads"} {
		s, mp, pp, gp := stwSched(t)
		mp.entersyscall(gp)
		if gp.status.Load() != gSyscall {
			t.Fatalf("after entersyscall: G status %d", gp.status.Load())
		}
		exit := func() {
			// exitsyscall's fast path: the G leaves its syscall.
			if !gp.status.CompareAndSwap(gSyscall, gRunning) {
				t.Error("exitsyscall's CAS failed")
			}
		}
		switch race {
		case "after the store":
			s.stwLoopHook = exit
		case "before the store":
			s.stwStoreHook = exit
		case "before the reads":
			// The stopping goroutine descheduled between its store
			// and its reads.
			s.stwReadHook = func() { exit(); mp.sysExits.Add(1) }
		}
		if !s.ctl.stopTheWorld() {
			t.Fatal("no stop-the-world")
		}
		r := s.ctl.buf[len(s.ctl.buf)-1]
		left := r.in&1 != 0
		kept := pp.status.Load() == pRunning && pp.m.Load() == mp && mp.p.Load() == pp
		stopped := pp.status.Load() == pGcstop && pp.oldm == mp && mp.p.Load() == nil
		var ok bool
		switch race {
		case "none":
			ok = !left && stopped
		case "after the store", "before the reads":
			ok = left && kept
		default:
			ok = !left && kept
		}
		if !ok {
			t.Errorf("exitsyscall %s: P0 left %v (input %b), kept by M0 %v, stopped %v", race, left, r.in, kept, stopped)
		}
	}
}

// mgetSpecific finds an idle M by its own list links, as proc.go does,
// and so misses the M alone on sched.midle (both its links 0): the
// restart then leaves that M's oldm P to mget. With two idle Ms it finds
// either; unlinkMLocked (newm's M, modelled by an idle one) finds any.
func TestMgetSpecificMissesTheOnlyIdleM(t *testing.T) {
	s := testSched(t, "small", 2, 3)
	m0, m1, m2 := s.ms[0], s.ms[1], s.ms[2]
	idle := func(ms ...*m) {
		s.midle, s.nmidle = nil, 0
		for i := len(ms) - 1; i >= 0; i-- {
			ms[i].mlink, ms[i].parked = s.midle, true
			s.midle = ms[i]
			s.nmidle++
		}
	}
	idle(m1)
	if s.mgetSpecificLocked(m1) || s.midle != m1 || s.nmidle != 1 {
		t.Fatalf("the only idle M was found (midle %v, nmidle %d)", s.midle, s.nmidle)
	}
	if s.mgetSpecificLocked(m0) {
		t.Fatal("an M off the list was found")
	}
	idle(m1, m2)
	if !s.mgetSpecificLocked(m1) || s.midle != m2 || m2.mlink != nil || s.nmidle != 1 {
		t.Fatalf("the head of two: midle %v nmidle %d", s.midle, s.nmidle)
	}
	idle(m1, m2)
	if !s.mgetSpecificLocked(m2) || s.midle != m1 || m1.mlink != nil || s.nmidle != 1 {
		t.Fatalf("the tail of two: midle %v nmidle %d", s.midle, s.nmidle)
	}
	idle(m2)
	if !s.unlinkMLocked(m2) || s.midle != nil || s.nmidle != 0 {
		t.Fatalf("unlinkMLocked of the only idle M: midle %v nmidle %d", s.midle, s.nmidle)
	}
}

// entersyscall reads gcwaiting before its G's CAS to _Gsyscall, as
// reentersyscall does, so a stop-the-world can come between them. If the
// M has committed to keep its P (it read gcwaiting false), the P stays
// with it and the op records it as left (its input), the spec's
// stop-the-world leaving a syscall P: before this the record missed it,
// and gexit check found a free-running history no order of the spec
// explained (stopwait impl 3, spec 2). If the M is still reading, the
// stop-the-world makes it read again: it sees gcwaiting and stops its P
// itself (entersyscallHandleGCWait), recorded as handed off. The control:
// without a race the stop-the-world takes the syscall P.
func TestStopTheWorldLeavesEnteringSyscallP(t *testing.T) {
	for _, race := range []string{"none", "reading", "committed"} {
		s, mp, pp, gp := stwSched(t)
		stw := func() {
			if !s.ctl.stopTheWorld() {
				t.Fatal("no stop-the-world")
			}
		}
		if race != "none" {
			done := false
			s.enterSyscallHook = func(committed bool) {
				if !done && committed == (race == "committed") {
					done = true
					stw()
				}
			}
		}
		mp.entersyscall(gp)
		if race == "none" {
			stw()
		}
		r := s.ctl.buf[len(s.ctl.buf)-1]
		e := mp.buf[len(mp.buf)-1]
		left := r.in&1 != 0
		kept := pp.status.Load() == pRunning && pp.m.Load() == mp && mp.p.Load() == pp
		stopped := pp.status.Load() == pGcstop && pp.oldm == mp && mp.p.Load() == nil
		handed := e.flags&flHandedOff != 0
		var ok bool
		switch race {
		case "none": // taken by the loop
			ok = !left && stopped && !handed
		case "reading": // read again: stopped by the M
			ok = !left && stopped && handed
		case "committed": // left with its M
			ok = left && kept && !handed
		}
		if !ok || gp.status.Load() != gSyscall || mp.sysEnter.Load() != 0 {
			t.Errorf("race %s: P0 left %v (input %b), kept %v, stopped %v, entersyscall handed off %v, G status %d, phase %d",
				race, left, r.in, kept, stopped, handed, gp.status.Load(), mp.sysEnter.Load())
		}
	}
}

// TestRecheckStoresNeedspinningTwice: the recheck is an op per sched.lock
// section (proc.go:3676-3695). With no idle P, the global queue's stores
// needspinning for the global G and ends its op, checkRunqsNoP still to
// do; when another M's stop path has taken that store (becomeSpinning),
// checkRunqsNoP's section stores it again for P1's work: one recheck keeps
// two Ms' Ps.
func TestRecheckStoresNeedspinningTwice(t *testing.T) {
	s := testSched(t, "small", 2, 2)
	mp, p1 := s.ms[1], s.ps[1]
	if !s.pidleremoveLocked(p1) {
		t.Fatal("setup: P1 idle")
	}
	gs := runnableGs(s, 1)
	s.runq.pushBack(gs[0])
	s.runqSize.Store(1)
	mp.recheck = true
	mp.recheckStop()
	if !s.needspinning.Load() || !mp.recheck || !mp.recheckRunqs || mp.stopping || mp.spinP != nil || mp.ops[opRecheck] != 1 {
		t.Fatalf("the global queue's section: needspinning %v, recheck %v, checkRunqsNoP next %v, owes stopm %v, took %v, ops %d",
			s.needspinning.Load(), mp.recheck, mp.recheckRunqs, mp.stopping, mp.spinP, mp.ops[opRecheck])
	}
	if sn := s.snapshot(); len(sn.Check()) != 0 {
		t.Fatalf("between the recheck's sections: %v", sn.Check())
	}
	s.needspinning.Store(false) // another M's stop path: becomeSpinning
	if _, _, msg := s.ms[0].runqput(p1, runnableGs(s, 1)[0], false); msg != "" {
		t.Fatal(msg)
	}
	mp.recheckStop()
	if !s.needspinning.Load() || mp.recheck || mp.recheckRunqs || !mp.stopping || mp.spinP != nil || mp.ops[opRecheck] != 2 {
		t.Fatalf("checkRunqsNoP's section: needspinning %v, recheck %v, checkRunqsNoP next %v, owes stopm %v, took %v, ops %d",
			s.needspinning.Load(), mp.recheck, mp.recheckRunqs, mp.stopping, mp.spinP, mp.ops[opRecheck])
	}
}

// TestRecheckReadsItsAllpSnapshot: checkRunqsNoP reads the Ps of the allp
// snapshot findRunnable took before the M dropped its P (proc.go:3587,
// 3902-3915). P2 holds work and is not idle, P1 is idle: with a snapshot
// of P0 and P1 (GOMAXPROCS 2 at the drop, 3 now) the recheck finds
// nothing and owes stopm, and the snapshot shows its length; with all
// three it takes P1 for P2's work.
func TestRecheckReadsItsAllpSnapshot(t *testing.T) {
	for _, tc := range []struct {
		allpLen int32
		found   bool
	}{{2, false}, {3, true}} {
		s := testSched(t, "small", 3, 3)
		mp, p2 := s.ms[1], s.ps[2]
		if !s.pidleremoveLocked(p2) || !s.ps[1].idlep.Load() {
			t.Fatal("setup: P1 and P2 idle")
		}
		gp := runnableGs(s, 1)[0]
		if _, _, msg := s.ms[2].runqput(p2, gp, false); msg != "" {
			t.Fatal(msg)
		}
		mp.recheck, mp.allpLen = true, tc.allpLen
		if sn := s.snapshot(); (sn.Ms[1].AllpLen == 2) != !tc.found {
			t.Fatalf("snapshot of an allp snapshot of %d Ps (GOMAXPROCS 3): %d", tc.allpLen, sn.Ms[1].AllpLen)
		}
		mp.recheckStop() // the global queue's section: empty
		if mp.spinP != nil || mp.stopping || !mp.recheck || !mp.recheckRunqs {
			t.Fatalf("allp snapshot of %d Ps: the global queue's section took %v, owes stopm %v, recheck %v, checkRunqsNoP next %v", tc.allpLen, mp.spinP, mp.stopping, mp.recheck, mp.recheckRunqs)
		}
		mp.recheckStop() // checkRunqsNoP
		if got := mp.spinP == s.ps[1]; got != tc.found || mp.stopping == tc.found || mp.recheck {
			t.Fatalf("allp snapshot of %d Ps: took P1 %v (want %v), owes stopm %v", tc.allpLen, got, tc.found, mp.stopping)
		}
		if sn := s.snapshot(); sn.Ms[1].AllpLen != 0 {
			t.Fatalf("after the recheck the snapshot shows an allp snapshot of %d", sn.Ms[1].AllpLen)
		}
	}
}

// After its spin op (becomeSpinning before stealWork) an M's schedule
// resumes findRunnable past its spin (proc.go:3517-3521): stealWork, then
// the stop path, whose global batch has no tick check. M1 on P1 at the
// 61st tick's condition (schedtick 3, preset small's GlobalTick 3) with
// two Gs on the global queue: from findRunnable's top it takes one
// (globrunqget), after the spin the stop path's batch of two.
func TestScheduleAfterSpinSkipsTheTick(t *testing.T) {
	for _, spun := range []bool{false, true} {
		s := testSched(t, "small", 2, 2)
		mp, pp := s.ms[1], s.ps[1]
		if !s.pidleremoveLocked(pp) {
			t.Fatal("setup: P1 idle")
		}
		if msg := s.acquirep(mp, pp); msg != "" {
			t.Fatal(msg)
		}
		pp.schedtick = 3
		gs := runnableGs(s, 2)
		for _, gp := range gs {
			s.runq.pushBack(gp)
		}
		s.runqSize.Store(2)
		mp.spinning.Store(true)
		s.nmspinning.Add(1)
		mp.spun = spun
		if sn := s.snapshot(); sn.Ms[1].StealWork != spun {
			t.Fatalf("spun %v: snapshot's StealWork %v", spun, sn.Ms[1].StealWork)
		}
		mp.schedule()
		for mp.heldQ.head != nil {
			mp.nextOwed() // runqputbatch, which runs the batch's first G
		}
		left := int(s.runqSize.Load())
		if mp.curg.Load() != gs[0] || mp.spun || (left == 0) != spun {
			t.Fatalf("spun %v: curg %v, %d left on the global queue (want %v), spun after %v", spun, mp.curg.Load(), left, map[bool]int{false: 1, true: 0}[spun], mp.spun)
		}
	}
}

// goyield_m puts the G at its own P's ring tail and owes no wakep: after a
// goyield op the M's next op is never a wakep (schedule, or runqputslow's
// push when the ring was full, whose next op is no wakep either), and the
// snapshot after it shows the G on the M's P's ring or in the M's batch.
func TestGoyieldNoWakep(t *testing.T) {
	leaf := Prog()
	// Five spawns fill P0's ring (4) and runnext: main's goyield goes
	// through runqputslow; then a readied waiter in runnext.
	w := Workload{Main: Prog(Go(leaf), Go(leaf), Go(leaf), Go(leaf), Go(leaf), GoYield(),
		Go(Prog(ParkOn(0), GoYield())), GoYield(), ReadyOn(0), GoYield())}
	var plain, slow int
	recordedRuns(t, w, 1, 2, 40, 1<<30, func(seed int64, res *Result) int {
		for j, e := range res.History {
			if e.Op != "goyield" {
				continue
			}
			after := res.Snapshots[j]
			m := after.Ms[e.M]
			k := nextOfM(res.History, j)
			if e.Out.Slow {
				slow++
				if !m.YieldSlow || len(m.SlowBatch) == 0 || m.SlowBatch[len(m.SlowBatch)-1] != e.Out.G {
					t.Fatalf("seed %d: event %d %v: want the G last in the M's runqputslow batch, the push owed without a wakep: %+v", seed, j, e, m)
				}
				if k < len(res.History) && res.History[k].Op != "runqputslowpush" {
					t.Fatalf("seed %d: event %d: the M's next op is %v, want runqputslowpush", seed, j, res.History[k])
				}
				k = nextOfM(res.History, k)
			} else {
				plain++
				if m.P < 0 || m.WakeP || !slices.Contains(after.Ps[m.P].Ring, e.Out.G) {
					t.Fatalf("seed %d: event %d %v: want the G on P%d's ring and no wakep owed: %+v", seed, j, e, m.P, m)
				}
			}
			if k < len(res.History) && res.History[k].Op == "wakep" {
				t.Fatalf("seed %d: event %d %v: a wakep follows goyield", seed, j, e)
			}
		}
		return 0
	})
	if plain == 0 || slow == 0 {
		t.Fatalf("goyields seen: %d to the ring, %d through runqputslow; want both", plain, slow)
	}
}

// impl's Ms are the threads that exist at once: where startm finds no idle
// M and calls newm, the new thread runs in the slot of an M whose thread
// exited with its locked G (mexit), as op acquirep with Out.Newm: a new M
// (no lock counts), spinning when startm asked, holding the pending P.
// G1 locks its thread and returns while main runs on M0: M1's mexit hands
// P1 off with no idle P and no idle M, so P1 is left to newm. With the
// fault exited-stays-dead no thread takes an exited slot.
func TestNewmRunsInExitedSlot(t *testing.T) {
	w := Workload{Main: Prog(Go(Prog(Lock())), MakeDirty(), MakeDirty(), MakeDirty(), MakeDirty(), Go(Prog()), MakeDirty(), MakeDirty())}
	found := recordedRuns(t, w, 2, 2, 200, 3, func(seed int64, res *Result) int {
		n := 0
		for j, e := range res.History {
			if !e.Out.Newm {
				continue
			}
			before := res.Snapshots[j-1].Ms[e.M]
			after := res.Snapshots[j].Ms[e.M]
			if e.Op != "acquirep" || !before.Exited || after.Exited || after.P != e.Out.P || after.LockedExt != 0 || after.LockedInt != 0 {
				t.Fatalf("seed %d: event %d %v: want acquirep of the pending P by the exited M's slot: before %+v, after %+v", seed, j, e, before, after)
			}
			n++
		}
		return n
	})
	if found == 0 {
		t.Fatal("no run had newm's thread take an exited M's slot")
	}
	c, _ := Preset("small")
	for seed := int64(0); seed < 200; seed++ {
		res, err := Run(Config{Consts: c, Ps: 2, Ms: 2, Mode: Deterministic, Seed: seed, Record: true, Faults: []string{"exited-stays-dead"}}, w)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range res.History {
			if e.Out.Newm {
				t.Fatalf("seed %d, exited-stays-dead: %v took an exited slot", seed, e)
			}
		}
	}
}

// recheckIdleGCWorkload is a workload in which some schedules have a
// spinning M's recheck find no work and no idle P while the GC marks.
func recheckIdleGCWorkload(gc bool) Workload {
	leaf := Prog(MakeDirty())
	w := Workload{Main: Prog(Go(Prog(ParkOn(0))), Go(leaf), Yield(), Go(leaf), ReadyOn(0), Yield(), Go(leaf))}
	if gc {
		w.Controller = []CtlStep{{Kind: CtlGC, Arg: 1}, {Kind: CtlGC, Arg: 0, After: 40}}
	}
	return w
}

// The recheck's checkIdleGCNoP (proc.go:3703, 3937-3976): with nothing
// on any run queue, while the GC marks, sched.lock for pidlegetSpinning,
// which stores needspinning when no P is idle (recheck value bits 1 and
// 4). Some schedules reach it; with the GC never started none does.
func TestRecheckIdleGC(t *testing.T) {
	for _, gc := range []bool{true, false} {
		w := recheckIdleGCWorkload(gc)
		found := 0
		for seed := int64(0); seed < 1500; seed++ {
			cfg := cfgFor(t, "small", 2, 3, Deterministic, seed)
			cfg.Record = true
			res := mustRun(t, cfg, w)
			checkClean(t, w.String(), res)
			for _, e := range res.History {
				if e.Op != "recheck" || e.Out.Value&recheckIdleGC == 0 {
					continue
				}
				if e.Out.Value != recheckIdleGC|recheckNeedSpinning || e.Out.P != -1 {
					t.Fatalf("seed %d: %v: checkIdleGCNoP stores needspinning after checkRunqsNoP found nothing, and takes no P", seed, e)
				}
				found++
			}
		}
		if gc && found == 0 {
			t.Fatal("no recheck reached checkIdleGCNoP's store in 1500 schedules")
		}
		if !gc && found != 0 {
			t.Fatalf("%d rechecks stored needspinning for idle GC work with the GC off", found)
		}
	}
}

// startTheWorldWithSema hands the stopped Ps out only once procresize has
// classified every one (its runnablePs list, made under sched.lock; each
// M's nextp stored and the M woken after): an M polling its nextp, given
// one in the middle of the loop, would run at once and could steal from
// a P the loop had not yet come to, which the loop then found empty and
// idled while the spec's restart hands it out. gexit check found that
// free-running history. Here both Ps hold work and both their Ms are
// idle: while the loop runs no M has its nextp; after it, each M has its
// own P back (P1 to M1 by mgetSpecific; P0 to M0, alone on the idle list
// then, by mget).
func TestRestartWorldHandsOutAfterTheLoop(t *testing.T) {
	s, _, _ := stoppedWorld(t)
	m0, m1 := s.ms[0], s.ms[1]
	calls := 0
	s.restartLoopHook = func() {
		calls++
		for _, mp := range s.ms {
			if pp := mp.nextp.Load(); pp != nil {
				t.Errorf("hook %d: M%d holds nextp P%d before the loop has classified every P", calls, mp.id, pp.id)
			}
		}
	}
	if msg := s.restartWorldLocked(); msg != "" {
		t.Fatalf("restart threw %q", msg)
	}
	if calls != 2 {
		t.Fatalf("the loop hook ran %d times, want 2 (both Ps hold work)", calls)
	}
	if m0.nextp.Load() != s.ps[0] || m1.nextp.Load() != s.ps[1] {
		t.Fatalf("after the restart M0 holds nextp %v, M1 %v", m0.nextp.Load(), m1.nextp.Load())
	}
}

// startTheWorldWithSema holds sched.lock from procresize to the hand-out
// of the Ps (p.destroy's globrunqputhead asserts it): the destroyed Ps'
// Gs reach the global queue in the restart's section. impl made the push
// a section of its own, and an M's recheck could take sched.lock between
// the two, find the global queue non-empty and no P idle (the world still
// stopped) and store needspinning: a history the spec, whose procresize
// is one step, rejects (found by a read-only review of impl; a scripted
// run replayed illegal). Here procresize(1) destroys P1, which holds a
// G: between the push and the hand-out sched.lock stays held, and after
// the restart the G heads the global queue, P1 is dead and P0 is back
// with its M. (With the two sections split again it fails.)
func TestProcresizePushesInTheRestartSection(t *testing.T) {
	s, _, g1 := stoppedWorld(t)
	m0 := s.ms[0]
	hooked := false
	s.procresizeHook = func() {
		hooked = true
		if s.runq.head != g1 {
			t.Error("procresize has not pushed P1's G to the global queue")
		}
		if s.lock.TryLock() {
			s.lock.Unlock()
			t.Error("sched.lock is free between procresize's push to the global queue and the restart")
		}
	}
	if msg := s.startTheWorld(s.ctl, 1); msg != "" {
		t.Fatalf("restart threw %q", msg)
	}
	if !hooked {
		t.Fatal("startTheWorld made no procresize")
	}
	if s.runq.head != g1 || s.ps[1].status.Load() != pDead || m0.nextp.Load() != s.ps[0] || s.gomaxprocs.Load() != 1 {
		t.Fatalf("after procresize(1): global head %v, P1 status %d, M0 nextp %v, gomaxprocs %d", s.runq.head, s.ps[1].status.Load(), m0.nextp.Load(), s.gomaxprocs.Load())
	}
}

// A P the restart hands to no M (none idle) waits for newm's thread
// (startTheWorldWithSema's newm(nil, p, -1), proc.go:1803-1805), which runs
// in an exited M's slot: the restart wakes that slot, as startm does.
// Before, it woke nobody, and the thread waited for the run's ticker or
// quiescence check to notice the pending P.
func TestRestartWorldWakesNewmForAPendingP(t *testing.T) {
	s, _, _ := stoppedWorld(t)
	m1 := s.ms[1]
	for _, pp := range s.ps {
		pp.oldm = nil
	}
	s.ps[1].runnext.Store(nil)
	s.midle, s.nmidle = nil, 0
	m1.exited.Store(true)
	s.towake = s.towake[:0]
	if msg := s.restartWorldLocked(); msg != "" {
		t.Fatalf("restart threw %q", msg)
	}
	if !s.ps[0].pending || s.npending.Load() != 1 {
		t.Fatalf("P0 pending %v, npending %d: want P0 waiting for newm's thread", s.ps[0].pending, s.npending.Load())
	}
	if !slices.Contains(s.towake, m1) {
		t.Fatalf("the restart wakes %v, not the exited M1's slot for newm's thread", s.towake)
	}
}

// stoppedWorld is 2 Ps and 2 Ms as a stop-the-world leaves them for the
// restart: gcwaiting set, both Ps in _Pgcstop with no M and their own M
// as oldm, none idle; main, off M0, in P0's runnext and a new runnable G
// in P1's; both Ms idle (M0 the idle list's head). It returns main and
// the new G.
func stoppedWorld(t *testing.T) (*sched, *g, *g) {
	t.Helper()
	s := testSched(t, "small", 2, 2)
	s.rec = true
	s.ctl = new(actor)
	s.newActor(s.ctl, Controller)
	m0 := s.ms[0]
	main := m0.curg.Load()
	m0.curg.Store(nil)
	m0.p.Store(nil)
	g1 := s.malg()
	for i, pp := range s.ps {
		pp.m.Store(nil)
		pp.oldm = s.ms[i]
		pp.status.Store(pGcstop)
		pp.idlep.Store(false)
	}
	for i, gp := range []*g{main, g1} {
		gp.status.Store(gRunnable)
		s.ps[i].runnext.Store(gp)
	}
	s.pidle.Store(nil)
	s.midle, s.nmidle = nil, 0
	for _, mp := range []*m{s.ms[1], m0} {
		mp.mlink, mp.parked = s.midle, true
		s.midle = mp
		s.nmidle++
	}
	s.gcwaiting.Store(true)
	return s, main, g1
}

// mexit's `mp.self.clear()` (proc.go:2027) empties every pp.oldm naming the
// exiting thread (a weak pointer), so the restart of a world stopped
// meanwhile hands a stopped P that named it to mget's M, not to newm's
// thread in its slot, which mgetSpecific(oldm) would find once idle. m0
// parks before the clear and keeps its name.
func TestMexitEmptiesOldm(t *testing.T) {
	for _, exiting := range []int{1, 0} {
		s, _, _ := stoppedWorld(t)
		mp, p0 := s.ms[exiting], s.ps[0]
		// The exiting M holds P0 again (the locked G's last P), owes
		// mexit, and is off the idle list; P1 stays stopped, naming it.
		s.ps[1].oldm = mp
		s.midle, s.nmidle = nil, 0
		other := s.ms[1-exiting]
		other.mlink, other.parked = nil, true
		s.midle, s.nmidle = other, 1
		mp.parked = false
		p0.status.Store(pRunning)
		p0.m.Store(mp)
		mp.p.Store(p0)
		mp.mexiting = true
		mp.mexitOwed()
		if got, want := s.ps[1].oldm, map[int]*m{1: nil, 0: mp}[exiting]; got != want {
			t.Errorf("M%d's mexit: P1's oldm %v, want %v", exiting, got, want)
		}
	}
}

// findRunnable's recheck calls checkIdleGCNoP whenever checkRunqsNoP
// returns nil, which it does also after finding a P's work and no idle P
// (proc.go:3695-3703, 3904-3910): checkRunqsNoP's section stores
// needspinning, then checkIdleGCNoP's own section, while the GC marks,
// stores it again, and another M's stop path may take the first store in
// between. The recheck is then three ops: after checkRunqsNoP's the M
// owes checkIdleGCNoP's (recheck with stopping), then stopm. With the GC
// off the recheck ends at checkRunqsNoP's op. impl skipped
// checkIdleGCNoP after work was found.
func TestRecheckIdleGCAfterRunqsFoundNoP(t *testing.T) {
	for _, marking := range []bool{true, false} {
		s := testSched(t, "small", 3, 3)
		mp, p2 := s.ms[1], s.ps[2]
		for _, pp := range []*p{s.ps[1], p2} {
			if !s.pidleremoveLocked(pp) {
				t.Fatal("setup: P1 and P2 idle")
			}
		}
		if _, _, msg := s.ms[2].runqput(p2, runnableGs(s, 1)[0], false); msg != "" {
			t.Fatal(msg)
		}
		s.gcBlacken.Store(marking)
		mp.recheck = true
		mp.recheckStop() // the global queue's section: empty
		mp.recheckStop() // checkRunqsNoP: P2's work, no idle P
		if !s.needspinning.Load() || mp.spinP != nil || !mp.stopping || mp.recheck != marking {
			t.Fatalf("GC marking %v: after checkRunqsNoP needspinning %v, took %v, stopping %v, recheck %v (want %v)", marking, s.needspinning.Load(), mp.spinP, mp.stopping, mp.recheck, marking)
		}
		if !marking {
			continue
		}
		if sn := s.snapshot(); !sn.Ms[1].Recheck || !sn.Ms[1].Stopping || sn.Ms[1].AllpLen != 0 {
			t.Fatalf("snapshot of the M owing checkIdleGCNoP: %+v", sn.Ms[1])
		}
		s.needspinning.Store(false) // another M's stop path took the store
		mp.nextOwed()
		if !s.needspinning.Load() || mp.recheck || !mp.stopping || mp.ops[opRecheck] != 3 {
			t.Fatalf("checkIdleGCNoP's op: needspinning %v, recheck %v, stopping %v, recheck ops %d (want 3)", s.needspinning.Load(), mp.recheck, mp.stopping, mp.ops[opRecheck])
		}
	}
}

// Two Ps left pending for newm while two Ms have exited: each newm wakes
// the first exited M's slot, so the second pending P's thread is woken
// by the M that takes the first. Before, the other exited M slept on
// with its condition (a pending P) true: the free-running harness found
// every actor asleep and counted a lost wakeup on a correct run (a
// free-mode check, seed 97, 4 Ps 6 Ms, once in 385,053 cases).
func TestNewmWakesAThreadForEveryPendingP(t *testing.T) {
	s := testSched(t, "small", 3, 3)
	s.det = false
	m1, m2 := s.ms[1], s.ms[2]
	s.midle, s.nmidle = nil, 0
	for _, mp := range []*m{m1, m2} {
		mp.parked = false
		mp.exited.Store(true)
		s.nexited.Add(1)
	}
	s.lock.Lock()
	for range 2 {
		pp := s.pidlegetLocked()
		if pp == nil {
			t.Fatal("no idle P")
		}
		if nmp, msg := s.startmToLocked(pp, false); nmp != nil || msg != "" {
			t.Fatalf("startm handed P%d to %v (throw %q): want it pending", pp.id, nmp, msg)
		}
	}
	if !slices.Equal(s.towake, []*m{m1, m1}) {
		t.Fatalf("newm wakes %v, want the first exited M's slot twice", s.towake)
	}
	s.towake = s.towake[:0]
	s.lock.Unlock()
	m1.takePending(true)
	if m1.p.Load() == nil || s.npending.Load() != 1 {
		t.Fatalf("M1 holds %v, %d Ps pending: want M1 to take one of two", m1.p.Load(), s.npending.Load())
	}
	if len(m2.parkNote) == 0 {
		t.Fatal("a P is still pending and the exited M2 was not woken for it")
	}
	m2.takePending(true)
	if m2.p.Load() == nil || s.npending.Load() != 0 {
		t.Fatalf("M2 holds %v, %d Ps pending: want both taken", m2.p.Load(), s.npending.Load())
	}
}

// With every actor asleep, a wakeup on its way to one of them means the
// run goes on by itself: the others whose condition holds (here, a
// second exited M waiting for the same pending P) are not owed one, and
// no lost wakeup is counted. With no wakeup on its way, the ready actor
// is a lost wakeup: it is woken and counted once.
func TestWakeReadyCountsOnlyStuckRuns(t *testing.T) {
	s := testSched(t, "small", 2, 3)
	s.det = false
	ready := func() bool { return true }
	for _, mp := range s.ms {
		mp.waiting = ready
	}
	s.ms[0].waiting = func() bool { return false }
	s.ms[1].notewakeup() // newm's wakeup, not yet taken
	if !s.wakeReadyLocked() || s.rescued.Load() != 0 {
		t.Fatalf("a wakeup on its way: rescued %d, want the run going on and none rescued", s.rescued.Load())
	}
	if len(s.ms[2].parkNote) != 0 {
		t.Fatal("M2 woken although M1's wakeup is on its way")
	}
	<-s.ms[1].parkNote
	s.ms[1].woke.Store(false) // M1 took it and registered again
	if !s.wakeReadyLocked() || s.rescued.Load() != 1 {
		t.Fatalf("no wakeup on its way: rescued %d, want 1", s.rescued.Load())
	}
	if len(s.ms[1].parkNote) == 0 || len(s.ms[2].parkNote) == 0 || len(s.ms[0].parkNote) != 0 {
		t.Fatal("the rescue must wake the ready M1 and M2, and only them")
	}
	for _, mp := range s.ms[1:] {
		<-mp.parkNote
		mp.woke.Store(false)
		mp.waiting = func() bool { return false }
	}
	if s.wakeReadyLocked() || s.rescued.Load() != 1 {
		t.Fatalf("no condition holds: want quiescent, rescued still 1 (got %d)", s.rescued.Load())
	}
}

// A stand-in for newm's thread taken off the idle list before it takes
// the pending P passes newm's wakeup on. Here M1 (exited) takes the first
// of two pending Ps, and newm's chain wakes the idle list's head, M3, to
// stand in for the second; before M3 reaches sched.lock a startm's mget
// gives it another P. Before, M2 then slept beside the pending P with its
// condition true and no wakeup on its way (found by a review; the state
// was reached about once in 100,000 generated runs).
func TestStandInWakeupPassedOn(t *testing.T) {
	s := testSched(t, "small", 4, 5)
	s.det = false
	m1, m2, m3 := s.ms[1], s.ms[2], s.ms[3]
	s.midle, s.nmidle = nil, 0
	for _, mp := range s.ms[1:] {
		mp.parked = false
	}
	m1.exited.Store(true)
	s.nexited.Add(1)
	s.lock.Lock()
	for range 2 { // two startm with no idle M: two Ps pending for newm
		pp := s.pidlegetLocked()
		if nmp, msg := s.startmToLocked(pp, false); nmp != nil || msg != "" {
			t.Fatalf("startm handed P%d to %v (throw %q): want it pending", pp.id, nmp, msg)
		}
	}
	s.towake = s.towake[:0]
	m2.mputLocked() // with an M exited, idle Ms do not stand in
	m3.mputLocked()
	s.lock.Unlock()
	idleCond := func(mp *m) bool { return mp.nextp.Load() != nil || s.npending.Load() != 0 && s.idleStandsIn() }
	if idleCond(m2) || idleCond(m3) {
		t.Fatal("idle Ms stand in for newm while an M has exited")
	}
	m1.takePending(true) // nexited 1 -> 0: the chain wakes the head, M3
	if len(m3.parkNote) != 1 || len(m2.parkNote) != 0 {
		t.Fatalf("tokens M3 %d, M2 %d: want M3 woken to stand in", len(m3.parkNote), len(m2.parkNote))
	}
	<-m3.parkNote // M3 woke, on its way to takePending
	s.lockSched(&m1.actor)
	nmp, _ := s.startmToLocked(s.pidlegetLocked(), false)
	s.unlockSched(&m1.actor)
	if nmp != m3 {
		t.Fatalf("mget took %v, want M3", nmp)
	}
	if !idleCond(m2) || len(m2.parkNote) != 1 {
		t.Fatalf("M3 left the idle list for a P of its own and M2 (condition %v) has %d tokens: the pending P's wakeup was lost", idleCond(m2), len(m2.parkNote))
	}
}

// waitUntil stores the flag the senders read (ctlWaits, sysWaits) before
// it reads its condition: a sender that makes the condition true right
// after that read, and then reads the flag (committed), sends the
// wakeup. Before, the controller read stopwait, an M's gcstopm made it 0
// and found ctlWaits false, and the controller slept with its condition
// true (found by a review; other actors' sleeping() woke it later).
func TestWaitPublishesBeforeItChecks(t *testing.T) {
	s := testSched(t, "small", 2, 2)
	s.det = false
	s.ctl = new(actor)
	s.newActor(s.ctl, Controller)
	s.nlive = len(s.actors)
	s.stopwait.Store(1)
	first, sent := true, false
	cond := func() bool {
		v := s.stopwait.Load() == 0
		if first {
			first = false
			// An M right after the read: gcstopPLocked's stopwait--,
			// then its op's commit.
			s.stopwait.Store(0)
			s.committed()
			if sent = len(s.ctl.parkNote) == 1; !sent {
				s.end() // so that waitUntil returns
			}
		}
		return v
	}
	if ok := s.ctl.waitUntil(cond); !sent || !ok {
		t.Fatalf("the M's commit after stopwait reached 0 sent the controller no wakeup (ctlWaits was %v)", s.ctlWaits.Load())
	}
}

// A stop-the-world whose reads fall in an exit under way: M0's exitsyscall
// made its CAS out of _Gsyscall and was descheduled before anything
// else. The reads see P0 running; the exit counted before its CAS, so the
// P is recorded as left. Before, the exit counted after its CAS only, and
// a review forced a history the checker refused (M1's gcstopm, which
// needs gcwaiting, before M0's exit kept P0 with no bit).
func TestStopTheWorldSeesAnExitUnderWay(t *testing.T) {
	s, m0, p0, g0 := stwSched(t)
	s.intra = false
	m0.entersyscall(g0)
	r := stopTheWorldInExit(t, s, m0, g0, &s.exitCASHook)
	if r.in&1 == 0 || m0.p.Load() != p0 {
		t.Fatalf("P0 kept by M0 %v, recorded as left %v (input %b): want it left", m0.p.Load() == p0, r.in&1 != 0, r.in)
	}
}

// A stop-the-world whose reads fall between exitsyscall's takeP of its
// old P from the thread now in a syscall on it and its acquirep: the P
// is idle, on no list and held by no M, and no read names it. It is
// recorded as left (m.takingP): at the stop-the-world's point it was
// that thread's syscall P, or, after the acquirep, M0's. Before, a
// review forced a history the checker refused. Setup: M0's G0 in a
// syscall, sysmon retakes P0 for M2, whose G1 enters a syscall on it.
func TestStopTheWorldSeesAPInTransfer(t *testing.T) {
	c, _ := Preset("small")
	cfg := Config{Consts: c, Ps: 2, Ms: 3, Record: true}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	s := newSched(cfg, Workload{Main: Prog()})
	s.intra = false
	s.ctl = new(actor)
	s.newActor(s.ctl, Controller)
	s.sys = new(actor)
	s.newActor(s.sys, Sysmon)
	m0, m1, m2 := s.ms[0], s.ms[1], s.ms[2]
	p0, p1 := s.ps[0], s.ps[1]
	g0 := m0.curg.Load()
	if p0.goidcache == p0.goidcacheend {
		m0.goidrefill(p0)
	}
	m0.newproc1(g0, p0, Go(Prog()))
	g1 := m0.newg
	m0.runqputOp()
	m0.wakepOwed()
	m0.wakepStartm()
	m0.startmOwed()
	m1.acquireNextp(p1)
	m0.entersyscall(g0)
	if n, _ := s.retake(s.sys, 1, 0); n != 1 || m2.nextp.Load() != p0 {
		t.Fatalf("retake: %d, M2's nextp %v: want P0 handed to M2", n, m2.nextp.Load())
	}
	m2.acquireNextp(p0)
	m2.schedule()
	if m2.curg.Load() != g1 {
		t.Fatal("M2 does not run G1")
	}
	m2.entersyscall(g1)
	r := stopTheWorldInExit(t, s, m0, g0, &s.takePHook)
	if r.in&1 == 0 || m0.p.Load() != p0 {
		t.Fatalf("P0 taken back by M0 %v, recorded as left %v (input %b): want it left", m0.p.Load() == p0, r.in&1 != 0, r.in)
	}
}

// stopTheWorldInExit runs the controller's stop-the-world with its reads
// (stwReadHook) made while M0's exitsyscall of G0, on a goroutine of its
// own, waits at the hook *at (descheduled there); M0 then finishes. It
// returns the stop-the-world's record.
func stopTheWorldInExit(t *testing.T, s *sched, m0 *m, g0 *g, at *func()) rec {
	t.Helper()
	reached, release, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	*at = func() {
		reached <- struct{}{}
		<-release
	}
	s.stwReadHook = func() {
		go func() {
			m0.waited()
			m0.exitsyscall(g0)
			close(done)
		}()
		<-reached
	}
	if !s.ctl.stopTheWorld() {
		t.Fatal("no stop-the-world")
	}
	r := s.ctl.buf[len(s.ctl.buf)-1]
	close(release)
	<-done
	return r
}
