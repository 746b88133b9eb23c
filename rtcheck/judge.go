package rtcheck

import (
	"fmt"
	"math"
	"slices"

	"github.com/gexit-dev/gexit/spec"
)

// SpecJudge judges one process's records by the spec: the free-list
// records are replayed, in their exact order, through the spec's
// free-list sub-machine (spec/freelists.go: the same functions Step's
// exit, newproc1, procresize and GC ops are made of), every result is
// compared with what the runtime recorded (which G, how many moved to or
// from which list, the list sizes, stack kept, freed or allocated, the
// goids), and the free-list invariants are checked on the projected state
// (see SpecJudgeEvery for how often).
//
// The idle P list's records (pidleput, pidleget, and handoffp's and
// exitsyscall's decisions around it) are replayed, in their exact order
// (sched.lock), through the spec's idle-list sub-machine (spec/pidle.go;
// judge_pidle.go).
//
// A locked exit's thread is judged to leave through mexit and never
// schedule again (judge_exit.go).
//
// The run-queue records are checked for linearizability against the
// spec's run-queue sub-machine (spec/runqs.go; judge_runq.go): the
// global queue's in their exact order, each P's queues with porcupine.
// A check that cannot decide (its time budget ran out, or the spec
// disagrees only where operations in flight at exit leave no record) is
// unknown.
func SpecJudge(f *File) Judgement { return SpecJudgeEvery(DefaultInvariantEvery)(f) }

// DefaultInvariantEvery is how often SpecJudge checks the whole-state
// free-list invariants: after every record that moves Gs between a P and
// the global lists (spill, refill, purge, markrootFreeGStacks), after
// every DefaultInvariantEvery-th record, and after the last. Every
// record's result is compared with the spec's whatever this is; the
// invariants cost time in the number of Gs (a real process holds
// thousands), so checking them after every record makes the free-list
// replay about 15 times slower.
const DefaultInvariantEvery = 256

// SpecJudgeEvery is SpecJudge checking the free-list invariants after
// every every-th record as well (1: after every record).
func SpecJudgeEvery(every int) Judge {
	every = max(every, 1)
	return func(f *File) Judgement {
		// Two passes over the records for the four judges: the first
		// finds the Ps the free and idle lists need and pairs the
		// run-queue records, the second judges each record by all
		// four (the same as judgeFreeLists, judgeIdleList,
		// judgeLockedExits and runqCheck, one after the other;
		// TestSpecJudgeOnePass).
		recs := f.Records[:f.Settled]
		runq := newRunqJudge(f, runqOptions{budget: RunqBudget, endWindow: true})
		freePs, idlePs := int(f.Header.GOMAXPROCS), int(f.Header.GOMAXPROCS)
		procs := int(f.Header.GOMAXPROCS) // the most Ps the process had
		for i := range recs {
			r := &recs[i]
			freePs = max(freePs, int(r.P)+1)
			idlePs = max(idlePs, pidlePs(r))
			if r.Kind == KProcresize {
				procs = max(procs, int(r.F[1]))
			}
			if r.Kind < numKinds && runqPairKind[r.Kind] != 0 { // (pair's own test, saving a call)
				runq.pair(int32(i), r)
			}
		}
		if procs > math.MaxInt8+1 {
			return Judgement{Verdict: Unknown, Problems: []string{fmt.Sprintf(
				"GOMAXPROCS %d: the spec names at most %d Ps (its P indices are int8), so these records are not judged by the spec (record consistency was checked)",
				procs, math.MaxInt8+1)}}
		}
		free, idle, exit := newFreeJudge(f, freePs, every), newPidleJudge(idlePs), newExitJudge()
		runq.startDecode()
		for i := range recs {
			r := &recs[i]
			// The judges' own tests of the kind, saving calls.
			if r.Kind < numKinds && freeListKind[r.Kind] {
				free.record(r)
			}
			idle.record(r)
			exit.record(r)
			if r.Kind < numKinds && runqPairKind[r.Kind] != 0 {
				runq.decode(int32(i), r)
			}
		}
		probs := free.finish(recs)
		probs = append(probs, idle.finish()...)
		probs = append(probs, exit.finish()...)
		rq := runq.finish()
		probs = append(probs, rq.problems...)
		if len(probs) > 0 {
			return Judgement{Verdict: Violation, Problems: probs}
		}
		if rq.unknown != "" {
			return Judgement{Verdict: Unknown, Problems: []string{rq.unknown}}
		}
		return Judgement{Verdict: OK}
	}
}

// freeJudge is the projection of a runtime process onto its free lists: a
// spec.State of which only the Gs, the P free lists and sched.gFree are
// used, the runtime's G addresses mapped to spec G indices.
type freeJudge struct {
	s     *spec.State
	every int       // invariants after every every-th judged record
	gs    addrTable // G address -> spec index
	addrs []uint64  // spec index -> G address
	// The per-P state below is indexed by P (the records' P ids are
	// checked against the spec's Ps before use).
	//
	// pendingSpill: a gfput on the P reached GFreeCap; its spill record
	// comes next for that P (other Ps' records may come between, under
	// their own ownership or the lock). pending counts them.
	pendingSpill []bool
	pending      int
	// pop: the P's gfget popped its list (the first of gfget.stale,
	// gfget.alloc, newproc1 for it); the rest of gfget's records check
	// against it.
	pop []popped
	// malg: the G of the P's last newproc1.malg record, until the P's
	// newproc1 takes it (0: none). newproc1's malg path returns that G:
	// the malg record is written after malg and allgadd, and newproc1's
	// record after it, the M acquired and holding the P in between.
	malg []uint64
	// destroyed: Ps p.destroy ran on in the current procresize; at its
	// end their free lists must be empty (procresize's p.destroy calls
	// gfpurge: the spec's procresize, and its DeadPsEmpty).
	destroyed []bool
	// batches: the first goid of every batch taken from sched.goidgen
	// (-> the P that took it), and goidKnown the Ps whose cache the
	// records have shown.
	batches   addrTable
	goidKnown []bool
	// stackSize is startingStackSize as the gcComputeStartingStackSize
	// records set it: fixedStack at the process's start, then each GC's
	// end (gcMarkDone, its only caller). Every record that carries
	// startingStackSize must show it: the spec changes it only there
	// (its gc off op).
	stackSize int32
	// fixed is fixedStack (the header's): the stack of newproc1's
	// malg(stackMin).
	fixed int32
	// markroots counts the markrootFreeGStacks runs since the last
	// gcMarkDone: a root job of every cycle (mgcmark.go
	// fixedRootFreeGStacks), claimed once, and done before marking can
	// end, so exactly one per cycle.
	markroots int
	// gfget's unlocked test of the global lists (gfgetTest).
	gfgetWindow   []gfgetWindow
	globalEmpties int     // global-list records after which both lists were empty
	malgs         []int32 // Ps whose malg awaits the next global-list record
	judged        int     // free-list records judged
	judgeLog
}

// gfgetWindow is what a P's owner's last free-list record saw of
// sched.gFree: the start of the window in which its next gfget makes its
// unlocked test of the global lists.
type gfgetWindow struct {
	seen     bool
	nonEmpty bool // sched.gFree held a G
	empties  int  // globalEmpties then
}

type popped struct {
	ok           bool // the P has a pop
	g            int32
	stack        string
	stale, alloc bool
}

const maxJudgeProblems = 20

// judgeLog is what a record judge reports: at most maxJudgeProblems
// messages, each naming the record being judged, and the judge's
// projection of the runtime's state at the first failure.
type judgeLog struct {
	problems []string
	last     Record        // the record being judged, for messages
	first    string        // the projection at the first failure
	project  func() string // the judge's projection (its dump)
}

func (l *judgeLog) failf(format string, a ...any) {
	if len(l.problems) == 0 {
		l.first = l.project()
	}
	if len(l.problems) < maxJudgeProblems {
		l.problems = append(l.problems, fmt.Sprintf("%s: %s", l.last.String(), fmt.Sprintf(format, a...)))
	}
}

func (l *judgeLog) want(what string, have, want int64) {
	if have != want {
		l.failf("%s: the runtime has %d, the spec %d", what, have, want)
	}
}

// g maps a G address to its spec index, adding the G (as malg's, with the
// given stack) the first time it is seen.
func (j *freeJudge) g(addr uint64, stack int32) int32 {
	if i, ok := j.gs.get(addr); ok {
		return i
	}
	i := j.s.Malg(stack)
	j.s.Gs[i].Status = spec.Runnable // live: not on a free list
	j.gs.put(addr, i)
	j.addrs = append(j.addrs, addr)
	return i
}

func judgeFreeLists(f *File, every int) []string {
	recs := f.Records[:f.Settled]
	nps := int(f.Header.GOMAXPROCS)
	for i := range recs {
		nps = max(nps, int(recs[i].P)+1)
	}
	j := newFreeJudge(f, nps, every)
	for i := range recs {
		j.record(&recs[i])
	}
	return j.finish(recs)
}

// newFreeJudge is the free-list judge of f before its first record, for
// a history whose P ids lie below nps.
func newFreeJudge(f *File, nps, every int) *freeJudge {
	consts, _ := spec.Preset("go")
	cfg := spec.Config{Consts: consts, Ps: max(nps, 1), Ms: 1}
	s := &spec.State{Cfg: &cfg, Ms: []spec.M{spec.NewM()}}
	for range cfg.Ps {
		s.Ps = append(s.Ps, spec.P{Status: spec.PRunning, M: spec.None, Runnext: spec.None, Kicked: spec.None, OldM: spec.None})
	}
	// The records start with the process (the ring is written from the
	// first probe on), when startingStackSize is fixedStack.
	start := int32(f.Header.FixedStack)
	if start == 0 {
		start = spec.StackMin
	}
	s.Sched.StartingStackSize = start
	j := &freeJudge{s: s, every: max(every, 1), fixed: start, pendingSpill: make([]bool, cfg.Ps), pop: make([]popped, cfg.Ps),
		malg: make([]uint64, cfg.Ps), destroyed: make([]bool, cfg.Ps), goidKnown: make([]bool, cfg.Ps), stackSize: start, gfgetWindow: make([]gfgetWindow, cfg.Ps)}
	j.project = j.dump
	return j
}

// freeListKind: the kinds step replays or takes into account.
var freeListKind = func() (k [numKinds]bool) {
	for _, kind := range []Kind{KMalg, KGfput, KGfputSpill, KGfgetRefill, KGfpurge, KGCFreeTake, KGCFreePut,
		KGfgetStale, KGfgetAlloc, KGoidBatch, KPDestroy, KProcresize, KNewproc1, KStackSize, KGdestroyNgsys} {
		k[kind] = true
	}
	return k
}()

// record judges the next record of the history; the invariants are
// checked after it when it is due (see DefaultInvariantEvery).
func (j *freeJudge) record(r *Record) {
	if len(j.problems) >= maxJudgeProblems || r.Kind >= numKinds || !freeListKind[r.Kind] {
		return
	}
	j.last = *r
	if !j.step(r) {
		return
	}
	j.gfgetTest(r)
	j.judged++
	switch {
	case j.judged%j.every == 0:
	case r.Kind == KGfputSpill, r.Kind == KGfgetRefill, r.Kind == KGfpurge, r.Kind == KGCFreeTake, r.Kind == KGCFreePut:
	default:
		return
	}
	j.checkInvariants()
}

// finish checks the invariants at the history's end, after its last
// record recs[len(recs)-1], and returns the problems found.
func (j *freeJudge) finish(recs []Record) []string {
	if j.judged > 0 && len(j.problems) == 0 {
		j.last = recs[len(recs)-1]
		j.checkInvariants() // the history's end
	}
	if len(j.problems) > 0 {
		j.problems = append(j.problems, "projected free lists as they stood at the first failure:\n"+j.first)
	}
	return j.problems
}

// gfgetTest judges gfget's unlocked test `pp.gFree.empty() &&
// (!sched.gFree.stack.empty() || !sched.gFree.noStack.empty())`
// (proc.go:5509), after record r was replayed: a gfget that found its
// P's list empty while the global lists held a G refills. A newproc1 that
// fell back to malg is judged against every state its test could have
// read. The test comes after the P's owner's previous free-list record
// (whose index, an atomic, orders it after every global-list record
// before it) and before the malg's record; global-list records are taken
// under sched.gFree.lock before its unlock, so the one op that can be in
// flight at the test is the first global-list record after the malg, and
// its partial effects lie between its before and after states (a refill
// or markrootFreeGStacks's take only empties, a spill, gfpurge or the
// take's push only fills). If every one of those states held a G, the
// test saw one, and gfget did not refill: a violation. The malg is
// judged at that next global-list record; a malg with none after it in
// the settled records is not judged (the op in flight may be unsettled).
func (j *freeJudge) gfgetTest(r *Record) {
	s := j.s
	nonEmpty := len(s.Sched.GFreeStack)+len(s.Sched.GFreeNoStack) != 0
	switch r.Kind {
	case KGfputSpill, KGfgetRefill, KGfpurge, KGCFreeTake, KGCFreePut:
		if !nonEmpty {
			j.globalEmpties++
		}
		if nonEmpty {
			for _, p := range j.malgs {
				j.failf("P%d's gfget found its list empty and newproc1 allocated a new G (malg), but sched.gFree held Gs at every point from the P's previous free-list record through this one: gfget refills its P from the global lists whenever they are not empty (proc.go:5509-5524)", p)
			}
		}
		j.malgs = j.malgs[:0]
	}
	if r.P < 0 || int(r.P) >= len(j.gfgetWindow) {
		return
	}
	p := r.P
	switch r.Kind {
	case KNewproc1:
		if w := j.gfgetWindow[p]; r.F[0] == 0 && w.seen && w.nonEmpty && w.empties == j.globalEmpties && nonEmpty {
			j.malgs = append(j.malgs, int32(p))
		}
	case KGfput, KGfputSpill, KGfgetRefill, KGfgetStale, KGfgetAlloc:
		// The P's owner's records (gfpurge and p.destroy are
		// procresize's, on another M).
	default:
		return
	}
	j.gfgetWindow[p] = gfgetWindow{seen: true, nonEmpty: nonEmpty, empties: j.globalEmpties}
}

// checkInvariants checks the free-list invariants on the projection.
func (j *freeJudge) checkInvariants() {
	invs := freeInvariants
	if j.pending > 0 {
		invs = freeInvariantsInGfput
	}
	if v := j.s.CheckList(invs); v != nil {
		j.failf("after it, the projected state breaks %s: %s [%s]", v.Invariant, v.Detail, v.Source)
	}
}

// freeInvariants are spec.FreeListInvariants, and freeInvariantsInGfput
// the free-list invariants between a gfput's push and its spill, when the
// P's list holds GFreeCap: gfput has not returned yet, so
// LocalFreeBelowCap does not apply.
var freeInvariants, freeInvariantsInGfput = func() ([]*spec.Invariant, []*spec.Invariant) {
	all, err := spec.InvariantsNamed(spec.FreeListInvariants)
	if err != nil {
		panic(err) // the spec's own list
	}
	return all, slices.DeleteFunc(slices.Clone(all), func(inv *spec.Invariant) bool { return inv.Name == "LocalFreeBelowCap" })
}()

// step replays one record; false when the record is not a free-list one.
func (j *freeJudge) step(r *Record) bool {
	s := j.s
	p := int8(r.P)
	switch r.Kind {
	case KGfput, KGfputSpill, KGfgetRefill, KGfpurge, KGfgetStale, KGfgetAlloc, KGoidBatch, KPDestroy, KNewproc1:
		// The P's own list, goid cache or destruction: a record without
		// a P the spec has (P indices are int8) cannot be replayed.
		if r.P < 0 || int(r.P) >= len(s.Ps) || int(r.P) > math.MaxInt8 {
			j.failf("a %s record without a P (P%d)", r.Kind, r.P)
			return true
		}
	}
	switch r.Kind {
	case KMalg:
		if _, ok := j.gs.get(r.G); ok {
			j.failf("malg returned a G the projection already holds")
			return true
		}
		// newproc1's `newg = malg(stackMin)`: stackalloc rounds
		// stackMin+stackSystem up to fixedStack, the spec's Malg(StackMin).
		j.want("the stack newproc1's malg allocated", int64(r.F[0]), int64(j.fixed))
		j.g(r.G, r.F[0])
		if r.P >= 0 && int(r.P) < len(j.malg) {
			j.malg[r.P] = r.G
		}
	case KGfput:
		g := j.g(r.G, r.F[0])
		if j.pendingSpill[p] {
			j.failf("a gfput on P%d before the spill of its previous one", r.P)
		}
		// What gdestroy left: a dead G with the stack it ran on, and the
		// startingStackSize gfput compares it with.
		s.Gs[g].Status = spec.Dead
		s.Gs[g].Stack = r.F[0]
		j.startingStackSize(r.F[1])
		freed, err := s.GfputPush(p, g)
		if err != nil {
			j.failf("the spec throws: %v", err)
			return true
		}
		j.want("gfput freed the stack (1) or kept it (0)", int64(r.F[3]), b2i(freed))
		j.want("the P's free list size after the push", int64(r.F[2]), int64(s.Ps[p].GFreeSize))
		if s.Ps[p].GFreeSize >= int32(s.Cfg.Consts.GFreeCap) && !j.pendingSpill[p] {
			j.pendingSpill[p] = true
			j.pending++
		}
	case KGfputSpill:
		if !j.pendingSpill[p] {
			j.failf("a spill the spec does not make: P%d's list holds %d, below GFreeCap %d", r.P, s.Ps[p].GFreeSize, s.Cfg.Consts.GFreeCap)
			return true
		}
		j.pendingSpill[p] = false
		j.pending--
		toStack, toNoStack := s.GfputSpill(p)
		j.moved(r, "spilled", toStack, toNoStack)
	case KGfgetRefill:
		if len(s.Ps[p].GFree) != 0 {
			j.failf("gfget refills P%d whose list holds %d (it refills only an empty one)", r.P, len(s.Ps[p].GFree))
		}
		fromStack, fromNoStack := s.GfgetRefill(p)
		j.moved(r, "refilled", fromStack, fromNoStack)
	case KGfpurge:
		toStack, toNoStack := s.Gfpurge(p)
		j.moved(r, "purged", toStack, toNoStack)
	case KGCFreeTake:
		if j.markroots++; j.markroots > 1 {
			j.failf("markrootFreeGStacks runs a second time in one GC cycle: it is one root job (mgcmark.go fixedRootFreeGStacks), claimed once per cycle")
		}
		if n := len(s.Sched.GFreeDetached); n != 0 {
			// The spec's job runs once per cycle and marking cannot end
			// before its push (gcMarkDone): these Gs are lost.
			j.failf("markrootFreeGStacks runs again while the previous run still holds %d Gs it never pushed onto noStack", n)
		}
		j.want("the Gs markrootFreeGStacks took", int64(r.F[0]), s.MarkrootTake())
		j.sizes(r.F[3], r.F[4])
	case KGCFreePut:
		n := int64(0)
		if len(s.Sched.GFreeDetached) != 0 {
			n = s.MarkrootPush()
		}
		j.want("the Gs markrootFreeGStacks pushed onto noStack", int64(r.F[0]), n)
		j.sizes(r.F[3], r.F[4])
	case KGfgetStale, KGfgetAlloc:
		pp := j.popFor(r)
		if pp == nil {
			return true
		}
		j.want("the G gfget popped", int64(j.addrIndex(r.G)), int64(pp.g))
		j.want("startingStackSize", int64(r.F[1]), int64(s.Sched.StartingStackSize))
		if r.Kind == KGfgetStale {
			pp.stale = true
			if pp.stack != spec.StackReplaced {
				j.failf("gfget freed a stale-sized stack (%d bytes); the spec's gfget %s it", r.F[0], pp.stack)
			}
		} else {
			pp.alloc = true
			if pp.stack == spec.StackReused {
				j.failf("gfget allocated a stack; the spec's gfget reused the G's")
			}
		}
	case KGoidBatch:
		// The batch's place in sched.goidgen is the order of an atomic
		// add, not of the records: it is the projection's input. Its
		// size, and that the P hands out exactly its goids, are the
		// spec's.
		if prev, dup := j.batches.get(r.X); dup {
			j.failf("goid batch at %d taken twice (P%d had it)", r.X, prev)
		}
		j.batches.put(r.X, int32(r.P))
		s.Sched.Goidgen = int64(r.X) - 1
		first := s.GoidRefill(p)
		j.want("the goid batch's size", int64(r.F[0]), s.Ps[p].GoidEnd-first)
		if r.F[1] != 0 {
			// addSpan: sched.goidgen.Add's value (the batch's last
			// goid: "this batch must be [sched.goidgen+1,
			// sched.goidgen+GoidCacheBatch]") less the first, plus
			// one (0: a recording from before it was recorded).
			j.want("the goid batch's span up to sched.goidgen.Add's value", int64(r.F[1]), s.Ps[p].GoidEnd-first)
		}
		j.goidKnown[p] = true
		return false
	case KPDestroy:
		j.destroyed[p] = true
		return false
	case KGdestroyNgsys:
		// The spec's NGSysCount: gdestroy decrements sched.ngsys for
		// every G newproc1 counted. newproc1 counts the finalizer and
		// cleanup goroutines (isSystemGoroutine holds when they start:
		// fingRunningFinalizer is clear, and newproc1 clears
		// runningCleanups just before its test); gdestroy asks again,
		// and while the G runs a finalizer or cleanup the answer is no.
		if r.F[0] == 0 {
			what := "finalizer"
			if r.F[1] != 0 {
				what = "cleanup"
			}
			j.failf("NGSysCount: the %s goroutine (goid %d) exited counted as a user goroutine: newproc1 counted it in sched.ngsys and gdestroy does not take it off, so ngsys stays one too high and runtime.NumGoroutine one too low (a %s called runtime.Goexit: golang/go#71824)", what, r.X, what)
		}
		return false
	case KStackSize:
		// The spec's gc off op (gcMarkDone): with the world stopped,
		// while the GC still marks, a power of two in [fixedStack,
		// round2(maxstacksize)].
		j.want("startingStackSize before gcComputeStartingStackSize", int64(r.F[1]), int64(j.stackSize))
		if r.F[2] == 0 {
			j.failf("gcComputeStartingStackSize ran with gcBlackenEnabled = 0; the spec sets startingStackSize at the end of marking, before gcBlackenEnabled = 0")
		}
		if r.F[3] == 0 {
			j.failf("gcComputeStartingStackSize ran with the world started; the spec sets startingStackSize only with the world stopped (gcMarkDone)")
		}
		// The cycle's markrootFreeGStacks is done: a root job, and
		// marking ends only when every root job is (the spec's gc off
		// requires it, spec/stw.go). The records start with the process,
		// before the first cycle.
		if j.markroots == 0 {
			j.failf("gcMarkDone ended a GC cycle in which markrootFreeGStacks never ran: it is a root job of every cycle (mgcmark.go fixedRootFreeGStacks), and marking ends only after every root job")
		} else if n := len(s.Sched.GFreeDetached); n != 0 {
			j.failf("gcMarkDone ended a GC cycle while markrootFreeGStacks still held %d Gs it never pushed onto noStack", n)
		}
		j.markroots = 0
		if !spec.IsStartingStackSize(int64(r.F[0])) {
			j.failf("gcComputeStartingStackSize set startingStackSize %d, not a power of two in [%d, %d]", r.F[0], spec.StackMin, spec.MaxStartingStackSize)
		}
		j.stackSize = r.F[0]
		s.Sched.StartingStackSize = r.F[0]
		return false
	case KProcresize:
		if r.F[2] == 1 { // procresize's end
			for dp, d := range j.destroyed {
				if n := len(s.Ps[dp].GFree); d && n != 0 {
					j.failf("P%d was destroyed with %d Gs on its free list (p.destroy: gfpurge; DeadPsEmpty)", dp, n)
				}
			}
			clear(j.destroyed)
		}
		return false
	case KNewproc1:
		if j.goidKnown[p] {
			goid, ok := s.TakeGoid(p)
			if !ok {
				j.failf("newproc1 on P%d with an empty goid cache and no batch taken", r.P)
			} else {
				j.want("the goid newproc1 takes from the P's cache", int64(r.X), goid)
			}
		}
		if r.F[0] == 0 { // malg: gfget found nothing
			if n := len(s.Ps[p].GFree); n != 0 {
				j.failf("gfget found nothing on P%d; the spec's list holds %d", r.P, n)
			}
			if j.pop[p].ok {
				j.failf("a gfget's pop on P%d without its newproc1", r.P)
				j.pop[p] = popped{}
			}
			if j.malg[p] != r.G {
				j.failf("newproc1 took the malg path on P%d with G %#x, but the P's last newproc1.malg record, not yet taken, made %#x (newproc1 records the G malg made)", r.P, r.G, j.malg[p])
			}
			j.malg[p] = 0
			j.g(r.G, r.F[2])
			return true
		}
		pop := j.popFor(r)
		if pop == nil {
			return true
		}
		pp := *pop
		*pop = popped{} // gfget is over
		j.want("the G gfget popped", int64(j.addrIndex(r.G)), int64(pp.g))
		j.want("the P's free list size after gfget", int64(r.F[1]), int64(s.Ps[p].GFreeSize))
		j.want("the new G's stack", int64(r.F[2]), int64(s.Gs[pp.g].Stack))
		j.want("startingStackSize", int64(r.F[3]), int64(s.Sched.StartingStackSize))
		if pp.stack == spec.StackReplaced && !pp.stale {
			j.failf("the spec's gfget frees the G's stale-sized stack; the runtime did not")
		}
		if pp.stack != spec.StackReused && !pp.alloc {
			j.failf("the spec's gfget allocates a stack (%s); the runtime did not", pp.stack)
		}
		s.Gs[pp.g].Status = spec.Runnable
	default:
		return false
	}
	return true
}

// startingStackSize takes the startingStackSize a record read: it must be
// the one the last gcComputeStartingStackSize record left (the spec
// changes it nowhere else). The projection goes on with the runtime's.
func (j *freeJudge) startingStackSize(have int32) {
	if have != j.stackSize {
		j.failf("startingStackSize is %d, but the last gcComputeStartingStackSize (gcMarkDone, its only writer in the spec) left %d", have, j.stackSize)
		j.stackSize = have
	}
	j.s.Sched.StartingStackSize = have
}

// popFor returns the P's gfget pop, making it (spec GfgetPop) at gfget's
// first record after its refill. startingStackSize is the runtime's at
// that moment, which the record carries.
func (j *freeJudge) popFor(r *Record) *popped {
	if pp := &j.pop[r.P]; pp.ok {
		return pp
	}
	s := j.s
	switch r.Kind {
	case KGfgetStale, KGfgetAlloc:
		j.startingStackSize(r.F[1])
	case KNewproc1:
		j.startingStackSize(r.F[3])
	}
	g, stack := s.GfgetPop(int8(r.P))
	if g == spec.None {
		j.failf("gfget took a G from P%d's list; the spec's list is empty", r.P)
		return nil
	}
	pp := &j.pop[r.P]
	*pp = popped{ok: true, g: g, stack: stack}
	return pp
}

// addrIndex is the spec index of a G address, or -1.
func (j *freeJudge) addrIndex(addr uint64) int32 {
	if i, ok := j.gs.get(addr); ok {
		return i
	}
	return -1
}

// moved compares a spill, refill or purge with the record: how many
// moved to or from each global list, and the sizes after.
func (j *freeJudge) moved(r *Record, what string, stack, noStack int32) {
	if r.F[0] != stack {
		j.want("Gs "+what+" (stack list)", int64(r.F[0]), int64(stack))
	}
	if r.F[1] != noStack {
		j.want("Gs "+what+" (noStack list)", int64(r.F[1]), int64(noStack))
	}
	j.want("the P's free list size after", int64(r.F[2]), int64(j.s.Ps[r.P].GFreeSize))
	j.sizes(r.F[3], r.F[4])
}

func (j *freeJudge) sizes(stack, noStack int32) {
	j.want("sched.gFree.stack.size", int64(stack), int64(j.s.Sched.GFreeStackSize))
	j.want("sched.gFree.noStack.size", int64(noStack), int64(j.s.Sched.GFreeNoStackSize))
}

// dump is the projected free lists, G indices with their addresses.
func (j *freeJudge) dump() string {
	s := j.s
	name := func(l []int32) string {
		out := "["
		for i := len(l) - 1; i >= 0; i-- { // head first
			if i != len(l)-1 {
				out += " "
			}
			out += fmt.Sprintf("G%d@%#x", l[i], j.addrs[l[i]])
		}
		return out + "]"
	}
	var b []byte
	for i := range s.Ps {
		if len(s.Ps[i].GFree) != 0 {
			b = fmt.Appendf(b, "    P%d.gFree %s (size %d)\n", i, name(s.Ps[i].GFree), s.Ps[i].GFreeSize)
		}
	}
	sc := &s.Sched
	b = fmt.Appendf(b, "    sched.gFree.stack %s (size %d)\n    sched.gFree.noStack %s (size %d)\n",
		name(sc.GFreeStack), sc.GFreeStackSize, name(sc.GFreeNoStack), sc.GFreeNoStackSize)
	if len(sc.GFreeDetached) != 0 {
		b = fmt.Appendf(b, "    markrootFreeGStacks holds %s\n", name(sc.GFreeDetached))
	}
	return string(b)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
