package spec

import "fmt"

// Invariant is a named property every reachable state must have. Source
// cites the runtime throw, comment or function the property comes from.
//
// Scope is empty when the property is a fact of the runtime itself at
// every point between the spec's ops, so a projection of the real
// runtime's state can be held to it (CheckRuntimeFacts). "Between the
// spec's ops" means: every M is between the stretches of runtime code the
// spec's ops stand for (an M inside gdestroy, or inside execute between
// its stores, is in the middle of an op, and a property may not hold
// there), and the runtime runs none of what the spec leaves out (timers,
// netpoll, finalizers and cleanups, GC workers, extra Ms; see the package
// doc). What runs beside the Ms is not held to that: sysmon, which is no
// M of the spec, can be inside its retake while every M is between ops,
// so a property that retake's windows break is scoped. Otherwise Scope
// says which restriction of the spec's model the property rests on, why it
// holds in every state the spec reaches, and where the runtime's own code
// departs from it (with the function or comment that shows it): the spec
// keeps checking it, because within its model a failure is still a bug,
// but the runtime is not held to it.
type Invariant struct {
	Name   string
	Source string
	Scope  string
	check  func(s *State, c *census) error
}

// Check reports whether the invariant holds on s.
func (inv *Invariant) Check(s *State) error {
	var c census
	c.take(s)
	return inv.check(s, &c)
}

// census counts, for each G, the lists, queues and slots holding it, so the
// invariants that need it share one pass and no allocation (for up to 64 Gs).
type census struct {
	buf   [64]holder
	where []holder
	// stray: some list or slot the census walked (every list, runnext
	// and newg) holds a G out of range.
	stray bool
}

// holder is a G's count of holders, and whether the first is a free list.
// (Where they are is places' work, for messages.)
type holder struct {
	n    uint8
	free bool
}

func (c *census) add(g int32, free bool) {
	if uint32(g) < uint32(len(c.where)) { // 0 <= g < len
		h := &c.where[g]
		if h.n == 0 {
			h.free = free
		}
		h.n++
	} else {
		c.stray = true
	}
}

func (c *census) take(s *State) {
	switch {
	case len(s.Gs) <= len(c.buf):
		c.where = c.buf[:len(s.Gs)]
	case len(s.Gs) <= cap(c.where):
		c.where = c.where[:len(s.Gs)] // a census kept across checks (State.cen)
	default:
		c.where = make([]holder, len(s.Gs), 2*len(s.Gs))
	}
	clear(c.where)
	c.stray = false
	for i := range s.Ps {
		p := &s.Ps[i]
		if p.Runnext != None {
			c.add(p.Runnext, false)
		}
		for _, g := range p.Ring {
			c.add(g, false)
		}
		for _, g := range p.SlowBatch {
			c.add(g, false)
		}
		for _, g := range p.Held {
			c.add(g, false)
		}
		if p.Kicked != None {
			c.add(p.Kicked, false)
		}
		for _, g := range p.GFree {
			c.add(g, true)
		}
	}
	for _, g := range s.Sched.Runq {
		c.add(g, false)
	}
	for _, g := range s.Sched.GFreeStack {
		c.add(g, true)
	}
	for _, g := range s.Sched.GFreeNoStack {
		c.add(g, true)
	}
	for _, g := range s.Sched.GFreeDetached {
		c.add(g, true)
	}
	for i := range s.Ms {
		m := &s.Ms[i]
		if m.NewG != None {
			c.add(m.NewG, false)
		}
		if m.Handing != None {
			c.add(m.Handing, false)
		}
		if m.LockedG != None && m.NextP != None && m.Curg == None {
			// startlockedm handed the M a P for its G: held for it
			// (the M may still hold its own P, before its
			// stoplockedm: M.StopLocked).
			c.add(m.LockedG, false)
		}
	}
}

// Violation is an invariant that failed on a state.
type Violation struct {
	Invariant string
	Source    string
	Detail    string
}

func (v *Violation) Error() string { return v.Invariant + ": " + v.Detail + " [" + v.Source + "]" }

// CheckInvariants runs every invariant and returns the first failure, or nil.
func (s *State) CheckInvariants() *Violation { return s.checkInvariants(false) }

// CheckRuntimeFacts runs the invariants that are facts of the runtime
// itself (Scope empty) and returns the first failure, or nil: what a state
// projected from the real runtime, between two of its operations, is held
// to.
func (s *State) CheckRuntimeFacts() *Violation { return s.checkInvariants(true) }

// CheckInvariantsExcept is CheckInvariants without the invariant named
// name: what else a state breaks, for a test of one property under a
// planted fault that this invariant also catches.
func (s *State) CheckInvariantsExcept(name string) *Violation {
	return s.firstFailing(func(inv *Invariant) bool { return inv.Name != name })
}

func (s *State) checkInvariants(runtimeOnly bool) *Violation {
	if !runtimeOnly {
		if i, err := checkAll(s, s.takeCensus()); err != nil {
			inv := &Invariants[i]
			return &Violation{Invariant: inv.Name, Source: inv.Source, Detail: err.Error()}
		}
		return nil
	}
	return s.firstFailing(func(inv *Invariant) bool { return inv.Scope == "" })
}

// firstFailing runs the invariants that checked selects, in order, and
// returns the first failure, or nil.
func (s *State) firstFailing(checked func(*Invariant) bool) *Violation {
	c := s.takeCensus()
	invs := Invariants // (a local: the loop does not reload the global after each call)
	for i := range invs {
		inv := &invs[i]
		if !checked(inv) {
			continue
		}
		if err := inv.check(s, c); err != nil {
			return &Violation{Invariant: inv.Name, Source: inv.Source, Detail: err.Error()}
		}
	}
	return nil
}

// AllViolations runs every invariant and returns every failure.
func (s *State) AllViolations() []Violation {
	var vs []Violation
	var c census
	c.take(s)
	for i := range Invariants {
		if err := Invariants[i].check(s, &c); err != nil {
			vs = append(vs, Violation{Invariant: Invariants[i].Name, Source: Invariants[i].Source, Detail: err.Error()})
			if i == 0 {
				break // the others assume references in range
			}
		}
	}
	return vs
}

// Where a G is: the place that holds it (a list, a queue, an M).
type place struct {
	kind string
	id   int
}

func (p place) String() string {
	if p.id >= 0 {
		return fmt.Sprintf("%s[%d]", p.kind, p.id)
	}
	return p.kind
}

// places returns, for each G, every list, queue or slot that holds it.
func (s *State) places() [][]place {
	ps := make([][]place, len(s.Gs))
	add := func(g int32, p place) {
		if g >= 0 && int(g) < len(ps) {
			ps[g] = append(ps[g], p)
		}
	}
	for i := range s.Ps {
		p := &s.Ps[i]
		if p.Runnext != None {
			add(p.Runnext, place{"runnext", i})
		}
		for _, g := range p.Ring {
			add(g, place{"runq", i})
		}
		for _, g := range p.SlowBatch {
			add(g, place{"runqputslow", i})
		}
		for _, g := range p.Held {
			add(g, place{"the recheck's batch", i})
		}
		if p.Kicked != None {
			add(p.Kicked, place{"runqput's kicked runnext", i})
		}
		for _, g := range p.GFree {
			add(g, place{"p.gFree", i})
		}
	}
	for _, g := range s.Sched.Runq {
		add(g, place{"sched.runq", -1})
	}
	for _, g := range s.Sched.GFreeStack {
		add(g, place{"sched.gFree.stack", -1})
	}
	for _, g := range s.Sched.GFreeNoStack {
		add(g, place{"sched.gFree.noStack", -1})
	}
	for _, g := range s.Sched.GFreeDetached {
		add(g, place{"markrootFreeGStacks", -1})
	}
	for i := range s.Ms {
		if s.Ms[i].NewG != None {
			add(s.Ms[i].NewG, place{"newproc", i})
		}
		if s.Ms[i].Handing != None {
			add(s.Ms[i].Handing, place{"startlockedm", i})
		}
	}
	return ps
}

func (s *State) refOK(g int32) bool { return g >= 0 && int(g) < len(s.Gs) }

func errf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// where names a list lazily: P<id>.<kind>, or the kind alone for id < 0.
type where struct {
	kind string
	id   int
}

func (w where) String() string {
	if w.id < 0 {
		return w.kind
	}
	return fmt.Sprintf("P%d.%s", w.id, w.kind)
}

// eachFree calls f on every G on a free list: the Ps' lists, then
// sched.gFree.stack, .noStack and markrootFreeGStacks's detached list.
func (s *State) eachFree(f func(g int32, w where) error) error {
	return s.eachFreeList(func(l []int32, w where) error {
		for _, g := range l {
			if err := f(g, w); err != nil {
				return err
			}
		}
		return nil
	})
}

// eachFreeList calls f on every free list, in eachFree's order (one call
// a list: for an invariant that loops over each list itself).
func (s *State) eachFreeList(f func(l []int32, w where) error) error {
	for i := range s.Ps {
		if err := f(s.Ps[i].GFree, where{"gFree", i}); err != nil {
			return err
		}
	}
	if err := f(s.Sched.GFreeStack, where{"sched.gFree.stack", -1}); err != nil {
		return err
	}
	if err := f(s.Sched.GFreeNoStack, where{"sched.gFree.noStack", -1}); err != nil {
		return err
	}
	return f(s.Sched.GFreeDetached, where{"markrootFreeGStacks's detached list", -1})
}

// eachQueued visits the Gs the scheduler holds as runnable: each P's
// runnext and ring, runqputslow's batch between its two steps, the
// global queue, and the G schedule holds for startlockedm (M.Handing).
func (s *State) eachQueued(f func(g int32, w where) error) error {
	for i := range s.Ps {
		p := &s.Ps[i]
		if p.Runnext != None {
			if err := f(p.Runnext, where{"runnext", i}); err != nil {
				return err
			}
		}
		for _, g := range p.Ring {
			if err := f(g, where{"runq", i}); err != nil {
				return err
			}
		}
		for _, g := range p.SlowBatch {
			if err := f(g, where{"runqputslow batch", i}); err != nil {
				return err
			}
		}
		for _, g := range p.Held {
			if err := f(g, where{"the recheck's batch", i}); err != nil {
				return err
			}
		}
		if p.Kicked != None {
			if err := f(p.Kicked, where{"runqput's kicked runnext", i}); err != nil {
				return err
			}
		}
	}
	for _, g := range s.Sched.Runq {
		if err := f(g, where{"sched.runq", -1}); err != nil {
			return err
		}
	}
	for i := range s.Ms {
		if g := s.Ms[i].Handing; g != None {
			if err := f(g, where{"startlockedm's G of M", i}); err != nil {
				return err
			}
		}
	}
	return nil
}

// strayRef is RefsInRange's walk of the free lists and the run queues, in
// eachFree's then eachQueued's order: the first G out of range, reported
// by bad. RefsInRange walks them only when the census met such a G.
func (s *State) strayRef(bad func(what string, v int64) error) error {
	err := s.eachFree(func(g int32, w where) error {
		if !s.refOK(g) {
			return bad(w.String(), int64(g))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.eachQueued(func(g int32, w where) error {
		if !s.refOK(g) {
			return bad(w.String(), int64(g))
		}
		return nil
	})
}

// freeAllDead reports whether every G on a free list (eachFree's) is
// dead: FreeGsAreDead's test without the walk that names the first G that
// is not, which it runs only then.
func (s *State) freeAllDead() bool {
	gs := s.Gs
	dead := func(l []int32) bool {
		for _, g := range l {
			if gs[g].Status != Dead {
				return false
			}
		}
		return true
	}
	for i := range s.Ps {
		if !dead(s.Ps[i].GFree) {
			return false
		}
	}
	sc := &s.Sched
	return dead(sc.GFreeStack) && dead(sc.GFreeNoStack) && dead(sc.GFreeDetached)
}

// queuedAllRunnable reports whether every G the scheduler holds as
// runnable (eachQueued's) is: QueuedGsRunnable's test without the walk
// that names the first G that is not.
func (s *State) queuedAllRunnable() bool {
	gs := s.Gs
	runnable := func(l []int32) bool {
		for _, g := range l {
			if gs[g].Status != Runnable {
				return false
			}
		}
		return true
	}
	for i := range s.Ps {
		p := &s.Ps[i]
		if p.Runnext != None && gs[p.Runnext].Status != Runnable || p.Kicked != None && gs[p.Kicked].Status != Runnable ||
			!runnable(p.Ring) || !runnable(p.SlowBatch) || !runnable(p.Held) {
			return false
		}
	}
	for i := range s.Ms {
		if g := s.Ms[i].Handing; g != None && gs[g].Status != Runnable {
			return false
		}
	}
	return runnable(s.Sched.Runq)
}

// Invariants is every invariant of the spec, in the order they are checked.
var Invariants = []Invariant{
	{"RefsInRange", "guintptr/muintptr/puintptr point at real g, m, p structs", "", checkRefsInRange},
	{"FreeGsAreDead", "gfput: throw(\"gfput: bad status (not Gdead)\"); newproc1: throw(\"newproc1: new g is not Gdead\")", "", checkFreeGsAreDead},
	{"OneListAtATime", "runtime2.go/proc.go gList: \"A G can only be on one gQueue or gList at a time\"; runqput kicks the old runnext out to the ring, never copies it (runnext and the ring are places too)", "", checkOneListAtATime},
	{"FreeListSizes", "gList.size counts the list (gfput's spill and gfget's refill loop on it)", "", checkFreeListSizes},
	{"LocalFreeBelowCap", "gfput: `if pp.gFree.size >= 64` spills down below 32", "", checkLocalFreeBelowCap},
	{"NoStackListHasNoStack", "gfput/gfpurge: `if gp.stack.lo == 0 { noStackQ.push(gp) }`; markrootFreeGStacks: `stackfree(gp.stack); gp.stack.lo = 0` before noStack.pushAll", "", checkNoStackListHasNoStack},
	{"StackListHasStack", "gfput/gfpurge: `else { stackQ.push(gp) }` (a stack kept, of any size: that gfput keeps only startingStackSize stacks and gfget replaces another size is checked by the transitions, against impl and the runtime's records, not by an invariant)", "", checkStackListHasStack},
	{"StacksArePowersOfTwo", "stackalloc: \"stack size not a power of 2\"; malg(stackMin)", "", checkStacksArePowersOfTwo},
	{"LiveGsHaveStacks", "newproc1: throw(\"newproc1: newg missing stack\")", "", checkLiveGsHaveStacks},
	{"DeadIffFree", "allgs conservation: len(allgs) = live Gs + local free + global free (G structs are never freed)", "", checkDeadIffFree},
	{"NoIdleGs", "malg's _Gidle G becomes _Gdead before allgadd (allgadd: throw(\"allgadd: bad status Gidle\"))", "", checkNoIdleGs},
	{"LiveGoidsUnique", "newproc1: goids come from disjoint per-P batches of sched.goidgen", "", checkLiveGoidsUnique},
	{"GoidNeverReissued", "newproc1: pp.goidcache..goidcacheend is a batch above every goid handed out", "", checkGoidNeverReissued},
	{"RunningHasM", "execute: \"Assign gp.m before entering _Grunning so running Gs have an M\"", "", checkRunningHasM},
	{Name: "RunningHasP",
		Source: "execute runs a G on its M's P; exitsyscall keeps, takes back or gets a P before it returns to the G (else exitsyscallNoP makes it _Grunnable)",
		Scope: "The spec's exitsyscall is one step that ends with the G running on a P or, through exitsyscallNoP, runnable on the global queue, " +
			"so a running G's M always holds a P. Go 1.26's exitsyscall first switches _Gsyscall to _Grunning and only then keeps its P, " +
			"takes oldp back or gets an idle one (proc.go:4912-4919: \"we're in a window where we may be in _Grunning without a P\").",
		check: checkRunningHasP},
	{"CurgLinks", "execute sets mp.curg and gp.m together; dropg clears both; casGToWaitingForSuspendG (gcAssistAlloc1, stopTheWorldWithSema, gcBgMarkWorker) makes the current G _Gwaiting with both kept", "", checkCurgLinks},
	{"OffCPUGsHaveNoM", "dropg: `setGNoWB(&mp.curg.m, nil)` before a G yields (goschedImpl), parks (park_m) or dies (gdestroy); a _Gwaiting G keeps its M only while it waits in place as that M's curg (casGToWaitingForSuspendG)", "", checkOffCPUGsHaveNoM},
	{Name: "NoInPlaceWaits",
		Source: "park_m: casgstatus(gp, _Grunning, _Gwaiting), then dropg (proc.go:4275-4280)",
		Scope: "The spec's only _Gwaiting is park_m's, which drops the G from its M in the same step, so no M's curg is waiting. " +
			"The runtime leaves the current G _Gwaiting with mp.curg and gp.m kept while it waits in place: casGToWaitingForSuspendG " +
			"in gcAssistAlloc1 (mgcmark.go:740), stopTheWorldWithSema (proc.go:1641), gcBgMarkWorker (mgc.go:1857) and markroot's " +
			"scan of the caller's own stack (mgcmark.go:288).",
		check: checkNoInPlaceWaits},
	{"QueuedGsRunnable", "runqget/globrunqget hand Gs to execute, which casgstatus(_Grunnable, _Grunning)", "", checkQueuedGsRunnable},
	{Name: "RunnableGsQueued",
		Source: "runqput, globrunqput and runqputslow put a G made runnable on a run queue; newproc holds newg until runqput; runqputslow holds its batch from the CAS on runqhead to globrunqputbatch (proc.go:7524-7560); runqput holds the old runnext from its CAS on pp.runnext to its store at the ring's tail; schedule holds a G found locked to another M through resetspinning's wakep until startlockedm; findRunnable's recheck holds the global batch from globrunqgetbatch to runqputbatch, and gp until it returns it; startlockedm holds the G for its locked M from the handoff of the P (proc.go startlockedm) until the M, woken in schedule's stoplockedm, executes it",
		Scope: "The spec's ops queue a G they make runnable, or take one off a queue and run it, in one step, so between ops the only " +
			"runnable Gs on no queue are newproc's (M.newg), runqputslow's batch between its two steps (P.SlowBatch), runqput's " +
			"kicked runnext between its CAS and its put on the ring (P.Kicked), a G locked to another M that a spinning M " +
			"found, held through resetspinning's wakep until its startlockedm (M.Handing), the global batch findRunnable's " +
			"recheck took with a P, until runqputbatch and its acquirep (P.Held), and a locked G " +
			"whose M startlockedm handed a P (M.NextP). In the runtime a runnable G is also on no queue " +
			"between findRunnable and execute. What the runtime guarantees is checkdead's throw(\"checkdead: runnable g\") " +
			"(proc.go:6421): when no M is running, no G is runnable.",
		check: checkRunnableGsQueued},
	{"RunqBounded", "runqsteal: throw(\"runqsteal: runq overflow\"); runqput spills at len(pp.runq)", "", checkRunqBounded},
	{"LockedPairs", "dolockOSThread: `gp.m.lockedg.set(gp); gp.lockedm.set(gp.m)`; gdestroy clears both", "", checkLockedPairs},
	{"LockCountsWire", "dounlockOSThread: `if gp.m.lockedInt != 0 || gp.m.lockedExt != 0 { return }` before unwiring", "", checkLockCountsWire},
	{"ExitedMsInert", "mexit: the thread exits and never runs a G again", "", checkExitedMsInert},
	{"M0NeverExits", "mexit: `if mp == &m0 { ... mPark(); throw(\"locked m0 woke up\") }`", "", checkM0NeverExits},
	{Name: "NGSysCount",
		Source: "sched.ngsys: newproc1 adds 1 and gdestroy subtracts 1 for isSystemGoroutine (proc.go:5358, 4509)",
		Scope: "The spec has no extra Ms (cgo) and fixes isSystemGoroutine for a G's whole life (G.System, set by newproc1), so ngsys " +
			"counts its live system Gs. The runtime's ngsys also counts each extra M's _Gdeadextra G (oneNewExtraM adds 1, needm " +
			"subtracts it, dropm adds it back: proc.go:2544, 2457, 2601), and the finalizer and cleanup goroutines are system Gs only " +
			"while they run no user code (isSystemGoroutine, traceback.go:1422-1441): one that calls runtime.Goexit from a finalizer " +
			"or a cleanup was counted by newproc1 and is not subtracted by gdestroy (rtcheck's finalizer-goexit workload shows both on " +
			"the real runtime; golang/go#71824).",
		check: checkNGSysCount},
	// (Only the Ps on the list: in the runtime a _Pidle P off it may hold
	// Gs, after retake's takeP or stoplockedm's releasep until handoffp's
	// startm hands it on; in the spec every idle P is listed, IdlePsListed.)
	{"IdlePsHaveEmptyRunq", "pidleput: throw(\"pidleput: P has non-empty run queue\"); only the owner adds to a run queue, and a P on sched.pidle has none", "", checkIdlePsHaveEmptyRunq},
	{"IdleListIdle", "pidleput (proc.go:7373-7393) links a P that releasep or procresize made _Pidle at the head of sched.pidle, " +
		"once (idlepMask.set); pidleget (proc.go:7402-7420) unlinks the head", "", checkIdleListIdle},
	{Name: "IdlePsListed",
		Source: "pidleput/pidleget (proc.go:7373-7420): the _Pidle Ps are those on sched.pidle; pidleget hands out its head",
		Scope: "The spec's steps are atomic and name startm's P PHandoff, so every idle P is on the list and pp.link is nil off it. " +
			"In the runtime a P is _Pidle off the list between releasep and pidleput or handoffp (findRunnable's tail, " +
			"proc.go:3616-3619), after takeP (proc.go:6810-6836) until handoffp or acquirep, and while startm or " +
			"procresize owns it (proc.go:3035-3126, 6141-6150); pidleget leaves pp.link stale.",
		check: checkIdlePsListed},
	{Name: "NMSpinningCounts", Source: "mp.becomeSpinning/resetspinning and wakep's CAS of sched.nmspinning 0 -> 1 (proc.go): " +
		"nmspinning counts the spinning Ms, the spinning Ms startm promised and the Ms between wakep's CAS and its startm (throw(\"findRunnable: negative nmspinning\"), throw(\"wakep: negative nmspinning\"))",
		Scope: "handoffp makes its CAS of nmspinning 0 -> 1 without sched.lock (proc.go:3152), then startm takes it (proc.go:3154): in between " +
			"nmspinning counts no spinning M and no P. The spec counts the P its caller holds for the store and the startm (P.Handoff, held in M.StartmP or Sched.RetakeP); " +
			"sysmon, which is no M, can be in that window while every M is between ops, and a projection of the runtime's state does not see it.",
		check: checkNMSpinningCounts},
	{"IdleMsListed", "mput/mget (proc.go): the Ms asleep in stopm are those on sched.midle, which holds each once; " +
		"stopm: throw(\"stopm holding p\"), throw(\"stopm spinning\"); startm: throw(\"startm: m has p\")", "", checkIdleMsListed},
	{"NextPHandedOff", "startm: `nmp.nextp.set(pp); notewakeup(&nmp.park)`, stopm: acquirep(mp.nextp) (proc.go): a P handed to an M " +
		"waits for it alone, and a P startm holds is either some M's nextp or newm's", "", checkNextPHandedOff},
	{"SpinningWithoutLocalWork", "startm: throw(\"startm: p has runnable gs\") for a spinning start; a spinning M's P has an empty run queue " +
		"until it finds work and resetspinning (golang/go#10573, \"spinning with local work\")", "", checkSpinningWithoutLocalWork},
	{Name: "RunningPHasM", Source: "_Prunning: \"owned by an M\"; acquirep/wirep: throw(\"wirep: invalid p state\"); only acquirep's wirep gives a P its m",
		Scope: "The spec's retake takes the P in one step, its status and both links at once. The runtime's takeP is releaseP(_Pidle), " +
			"which stores `s.pp.m = 0; s.mp.p = 0` and only then the P's status (proc.go:6822-6824), while every M is between ops " +
			"(the victim is in its system call): in between, a _Prunning P has no M. gcstopP's releaseP(_Pgcstop) has the same window " +
			"inside the stop-the-world's op.",
		check: checkRunningPHasM},
	{"POwnership", "acquirep/wirep: throw(\"wirep: already in go\"), throw(\"wirep: invalid p state\"); releasep's \"releasep: invalid arg\"; runqputslow's batch is a local of the owner's runqput", "", checkPOwnership},
	{"GCStopPs", "stopTheWorldWithSema and startTheWorldWithSema (proc.go:1628-1806): a P is _Pgcstop only while sched.gcwaiting holds, held by no M and on no list; " +
		"procresize reads pp.oldm only then (mgetSpecific(pp.oldm)); throw(\"startTheWorld: inconsistent mp->nextp\")",
		"The runtime's acquirep sets pp.oldm to the acquiring M every time (proc.go:6283), a weak reference that only mexit's mp.self.clear() empties; the spec records it only when the P stops for a stop-the-world, the one place procresize reads it (proc.go:6161), and clears it at the restart, or when the M's thread exits (mexit). " +
			"M.StaleGCRead, the spec's record that an M's racy read of gcwaiting may predate the stop-the-world, holds only while one is under way and the M is in findRunnable (settleStaleGCReads).",
		checkGCStopPs},
	{"DeadPsEmpty", "p.destroy: run queue moved to the global queue, gfpurge", "", checkDeadPsEmpty},
	{"SyscallGsHaveM", "entersyscall: the G keeps its M for the whole syscall", "", checkSyscallGsHaveM},
	{"DeadGsCleared", "gdestroy clears _defer, _panic, writebuf, waitreason, param, labels, timer, preemptStop, paniconfault, bubble, fipsOnlyBypass, secret and lockedm", "", checkDeadGsCleared},
	{"AssistCreditFlushed", "gdestroy: `if gcBlackenEnabled != 0 && gp.gcAssistBytes > 0 { ... bgScanCredit.Add; gp.gcAssistBytes = 0 }`; gcStart's gcResetMarkState zeroes every G's gcAssistBytes before marking",
		"The spec resets every G's credit in the action of gcStart's stop-the-world, with gcBlackenEnabled = 1, and models no assist steals. " +
			"The runtime's gcResetMarkState runs before that stop-the-world, with the world running (mgc.go:819, 2113-2119), and an assist " +
			"rescheduled in debt (mgcmark.go:650-662) can retry after it, steal from the last cycle's bgScanCredit and end with a positive " +
			"credit without gcAssistAlloc1's reset (mgcmark.go:563-597); its G can then exit before gcBlackenEnabled = 1, unflushed " +
			"(proc.go:4529), and be dead with credit while the GC marks.",
		checkAssistCreditFlushed},
	{Name: "BgScanCreditNonNegative",
		Source: "gdestroy adds only a positive gcAssistBytes to gcController.bgScanCredit",
		Scope: "The spec models no assist stealing: bgScanCredit moves only by gdestroy's flush of a positive credit, so it is never " +
			"negative. The runtime's gcAssistAlloc steals from it without a lock (mgcmark.go:572-577: \"This is racy and may drop the " +
			"background credit below 0 if two mutators steal at the same time\"), so a negative value is legal there.",
		check: checkBgScanCreditNonNegative},
	{"LockedWaitingM", "stoplockedm/startlockedm: a locked M without a P waits only for its own G", "", checkLockedWaitingM},
	{"MainGoexitIsFinal", "checkdead: fatal(\"no goroutines (main called runtime.Goexit) - deadlock!\") when `grunning == 0`, possible only once main called runtime.Goexit; after which runtime.main never returns and no G has its goid (goids are never reused)", "", checkMainGoexitIsFinal},
	{"AllAsleepIsDeadlock", "checkdead: fatal(\"all goroutines are asleep - deadlock!\") only when no M runs and every user goroutine left waits (_Gwaiting or _Gpreempted: checkdead counts both, proc.go:6413-6415)", "", checkAllAsleepIsDeadlock},
	{"GlobalWorkWakesAnM", "the spinning protocol of proc.go's \"Worker thread parking/unparking\" (proc.go:36-95: \"either one part or another needs to unpark another worker thread\"): a G put on sched.runq while a P is idle is followed by a wakep " +
		"(goschedImpl, runqput's callers after runqputslow, startTheWorldWithSema); findRunnable's stop path reads sched.runq under sched.lock before pidleput, and an M that drops " +
		"its spinning rechecks sched.runq under sched.lock after `sched.nmspinning.Add(-1)` (proc.go:3658-3693, golang/go#55160); handoffp starts an M for global work; exitsyscallNoP takes an idle P " +
		"before globrunqput",
		"The spec names every step of the wakeup protocol still on its way (an owed wakep, its CAS and startm, a recheck after nmspinning--, " +
			"a P handed off or holding a batch, a stop-the-world's restart) and models no injectglist, timers or idle GC workers. " +
			"In the runtime an M between globrunqput and its wakep (goschedImpl), or between `sched.nmspinning.Add(-1)` and its " +
			"recheck (findRunnable), holds no field a projection of its state shows, and injectglist (netpoll, GC waiters) puts " +
			"Gs on sched.runq and starts Ms for the idle Ps after its unlock (startIdle, proc.go:4045-4131).",
		checkGlobalWorkWakesAnM},
	{Name: "CheckdeadRan", Source: "checkdead (proc.go), run under sched.lock by mput, incidlelocked(1) and mexit whenever an M stops counting as running: `run := mcount() - sched.nmidle - sched.nmidlelocked - sched.nmsys`; at run == 0 it ends the program or throws",
		Scope: "The spec brackets sysmon's retake from its takeP to its handoffp (Sched.RetakeP, counted by RunningMs), and sysmon is no M. " +
			"The runtime's retake brackets every running P it examines with incidlelocked(-1) and incidlelocked(1) (proc.go:6683, 6720), " +
			"from before setBlockOnExitSyscall, also for a P it does not take, so that the M it retakes from cannot report a " +
			"false deadlock: while sysmon holds the bracket, the last M's mput finds run == 1 and returns, and the deadlock is declared " +
			"by sysmon's incidlelocked(1). In between the program goes on with no M running.",
		check: checkCheckdeadRan},
}

// checkRefsInRange is RefsInRange's check.
func checkRefsInRange(s *State, c *census) error {
	bad := func(what string, v int64) error { return errf("%s = %d is out of range", what, v) }
	if c.stray { // (else every list holds Gs in range: the walks below pass)
		if err := s.strayRef(bad); err != nil {
			return err
		}
	}
	for i := range s.Ms {
		m := &s.Ms[i]
		if m.Curg != None && !s.refOK(m.Curg) {
			return bad(fmt.Sprintf("M%d.curg", i), int64(m.Curg))
		}
		if m.LockedG != None && !s.refOK(m.LockedG) {
			return bad(fmt.Sprintf("M%d.lockedg", i), int64(m.LockedG))
		}
		if m.NewG != None && !s.refOK(m.NewG) {
			return bad(fmt.Sprintf("M%d.newg", i), int64(m.NewG))
		}
		if m.Handing != None && !s.refOK(m.Handing) {
			return bad(fmt.Sprintf("M%d's startlockedm G", i), int64(m.Handing))
		}
		if m.P != None && (m.P < 0 || int(m.P) >= len(s.Ps)) {
			return bad(fmt.Sprintf("M%d.p", i), int64(m.P))
		}
		if m.OldP != None && (m.OldP < 0 || int(m.OldP) >= len(s.Ps)) {
			return bad(fmt.Sprintf("M%d.oldp", i), int64(m.OldP))
		}
	}
	for i := range s.Ps {
		if m := s.Ps[i].M; m != None && (m < 0 || int(m) >= len(s.Ms)) {
			return bad(fmt.Sprintf("P%d.m", i), int64(m))
		}
		if l := s.Ps[i].Link; l != None && (l < 0 || int(l) >= len(s.Ps)) {
			return bad(fmt.Sprintf("P%d.link", i), int64(l))
		}
	}
	if pi := s.Sched.Pidle; pi != None && (pi < 0 || int(pi) >= len(s.Ps)) {
		return bad("sched.pidle", int64(pi))
	}
	for i := range s.Gs {
		g := &s.Gs[i]
		if g.M != None && (g.M < 0 || int(g.M) >= len(s.Ms)) {
			return bad(fmt.Sprintf("G%d.m", i), int64(g.M))
		}
		if g.LockedM != None && (g.LockedM < 0 || int(g.LockedM) >= len(s.Ms)) {
			return bad(fmt.Sprintf("G%d.lockedm", i), int64(g.LockedM))
		}
	}
	return nil
}

// checkFreeGsAreDead is FreeGsAreDead's check.
func checkFreeGsAreDead(s *State, c *census) error {
	gs := s.Gs // (loaded once: the loops below run after every replayed record of the free-list judge)
	if s.freeAllDead() {
		return nil
	}
	return s.eachFreeList(func(l []int32, w where) error {
		for _, g := range l {
			if st := gs[g].Status; st != Dead {
				return errf("G%d on %s is %s", g, w, st)
			}
		}
		return nil
	})
}

// checkOneListAtATime is OneListAtATime's check.
func checkOneListAtATime(s *State, c *census) error {
	for g, h := range c.where {
		if h.n > 1 {
			return errf("G%d is on %v", g, s.places()[g])
		}
	}
	return nil
}

// checkFreeListSizes is FreeListSizes's check.
func checkFreeListSizes(s *State, c *census) error {
	for i := range s.Ps {
		if int(s.Ps[i].GFreeSize) != len(s.Ps[i].GFree) {
			return errf("P%d.gFree.size = %d but the list has %d", i, s.Ps[i].GFreeSize, len(s.Ps[i].GFree))
		}
	}
	if int(s.Sched.GFreeStackSize) != len(s.Sched.GFreeStack) {
		return errf("sched.gFree.stack.size = %d but the list has %d", s.Sched.GFreeStackSize, len(s.Sched.GFreeStack))
	}
	if int(s.Sched.GFreeNoStackSize) != len(s.Sched.GFreeNoStack) {
		return errf("sched.gFree.noStack.size = %d but the list has %d", s.Sched.GFreeNoStackSize, len(s.Sched.GFreeNoStack))
	}
	return nil
}

// checkLocalFreeBelowCap is LocalFreeBelowCap's check.
func checkLocalFreeBelowCap(s *State, c *census) error {
	for i := range s.Ps {
		if n := len(s.Ps[i].GFree); n >= s.Cfg.Consts.GFreeCap {
			return errf("P%d.gFree holds %d >= %d after gfput", i, n, s.Cfg.Consts.GFreeCap)
		}
	}
	return nil
}

// checkNoStackListHasNoStack is NoStackListHasNoStack's check.
func checkNoStackListHasNoStack(s *State, c *census) error {
	gs := s.Gs
	for _, g := range s.Sched.GFreeNoStack {
		if gs[g].Stack != 0 {
			return errf("G%d on sched.gFree.noStack has a %d-byte stack", g, gs[g].Stack)
		}
	}
	for _, g := range s.Sched.GFreeDetached {
		if gs[g].Stack != 0 {
			return errf("G%d detached by markrootFreeGStacks keeps a %d-byte stack", g, gs[g].Stack)
		}
	}
	return nil
}

// checkStackListHasStack is StackListHasStack's check.
func checkStackListHasStack(s *State, c *census) error {
	gs := s.Gs
	for _, g := range s.Sched.GFreeStack {
		if gs[g].Stack == 0 {
			return errf("G%d on sched.gFree.stack has no stack", g)
		}
	}
	return nil
}

// checkStacksArePowersOfTwo is StacksArePowersOfTwo's check.
func checkStacksArePowersOfTwo(s *State, c *census) error {
	gs := s.Gs
	for i := range gs {
		if st := gs[i].Stack; st != 0 && (st < StackMin || st&(st-1) != 0) {
			return errf("G%d has a %d-byte stack", i, st)
		}
	}
	return nil
}

// checkLiveGsHaveStacks is LiveGsHaveStacks's check.
func checkLiveGsHaveStacks(s *State, c *census) error {
	for i := range s.Gs {
		if g := &s.Gs[i]; g.Status != Dead && g.Status != Idle && g.Stack == 0 {
			return errf("G%d is %s without a stack", i, g.Status)
		}
	}
	return nil
}

// checkDeadIffFree is DeadIffFree's check.
func checkDeadIffFree(s *State, c *census) error {
	for i := range s.Gs {
		free := c.where[i].n == 1 && c.where[i].free
		if dead := s.Gs[i].Status == Dead; dead != free {
			if dead {
				return errf("G%d is dead but on no free list (places %v): lost", i, s.places()[i])
			}
			return errf("G%d is %s but on a free list", i, s.Gs[i].Status)
		}
	}
	return nil
}

// checkNoIdleGs is NoIdleGs's check.
func checkNoIdleGs(s *State, c *census) error {
	for i := range s.Gs {
		if s.Gs[i].Status == Idle {
			return errf("G%d in allgs is idle", i)
		}
	}
	return nil
}

// checkLiveGoidsUnique is LiveGoidsUnique's check.
func checkLiveGoidsUnique(s *State, c *census) error {
	for i := range s.Gs {
		if s.Gs[i].Status == Dead {
			continue
		}
		for j := i + 1; j < len(s.Gs); j++ {
			if s.Gs[j].Status != Dead && s.Gs[j].Goid == s.Gs[i].Goid {
				return errf("G%d and G%d share goid %d", i, j, s.Gs[i].Goid)
			}
		}
	}
	return nil
}

// checkGoidNeverReissued is GoidNeverReissued's check.
func checkGoidNeverReissued(s *State, c *census) error {
	for i := range s.Ps {
		p := &s.Ps[i]
		if p.GoidCache > p.GoidEnd || p.GoidEnd-1 > s.Sched.Goidgen {
			return errf("P%d goid cache [%d, %d) lies beyond goidgen %d", i, p.GoidCache, p.GoidEnd, s.Sched.Goidgen)
		}
		for j := range s.Gs {
			g := &s.Gs[j]
			if g.Status != Dead && g.Goid >= p.GoidCache && g.Goid < p.GoidEnd {
				return errf("live G%d has goid %d that P%d will hand out again", j, g.Goid, i)
			}
		}
		for k := i + 1; k < len(s.Ps); k++ {
			q := &s.Ps[k]
			if p.GoidCache < p.GoidEnd && q.GoidCache < q.GoidEnd && p.GoidCache < q.GoidEnd && q.GoidCache < p.GoidEnd {
				return errf("P%d and P%d goid caches overlap", i, k)
			}
		}
	}
	for j := range s.Gs {
		if g := &s.Gs[j]; g.Status != Dead && (g.Goid < 1 || g.Goid > s.Sched.Goidgen) {
			return errf("live G%d has goid %d outside [1, goidgen=%d]", j, g.Goid, s.Sched.Goidgen)
		}
	}
	return nil
}

// GoidFresh names the one step invariant (a check of a transition, not of
// a state): newproc1 gives the new G the goid at the head of its P's
// cache (`newg.goid = pp.goidcache; pp.goidcache++`, proc.go newproc1,
// after `pp.goidcache = sched.goidgen.Add(_GoidCacheBatch)` when the
// cache is empty), so a goid is issued once. No state invariant can see a
// goid issued again once its first holder is dead: the state keeps no
// dead G's goid that matters (a review planted a newproc1 that lets a G
// from the free list keep its goid, and every invariant held, though a
// recycled G could become a second main). The explorer checks every
// newproc1 it makes with CheckNewproc1.
const GoidFresh = "GoidFresh"

// goidFreshSource is GoidFresh's source.
const goidFreshSource = "newproc1: `newg.goid = pp.goidcache; pp.goidcache++` (after `pp.goidcache = sched.goidgen.Add(_GoidCacheBatch)` on an empty cache): goids are never reused"

// CheckNewproc1 checks GoidFresh on the newproc1 op, made in s with
// result r and leading to next: the new G's goid is the one s's cache of
// the M's P held at its head, or, when the op fetched a batch
// (Result.Batch), the first of the batch after sched.goidgen in s.
func (s *State) CheckNewproc1(op Op, r Result, next *State) *Violation {
	if op.Kind != OpNewproc1 || op.M < 0 || int(op.M) >= len(s.Ms) || r.G < 0 || int(r.G) >= len(next.Gs) {
		return nil
	}
	pi := s.Ms[op.M].P
	if pi < 0 || int(pi) >= len(s.Ps) {
		return nil
	}
	pp := &s.Ps[pi]
	want := pp.GoidCache
	if pp.GoidCache == pp.GoidEnd {
		want = s.Sched.Goidgen + 1
		if r.Batch != want {
			return &Violation{GoidFresh, goidFreshSource, fmt.Sprintf("P%d's goid cache was empty and goidgen %d, but newproc1 fetched the batch at %d", pi, s.Sched.Goidgen, r.Batch)}
		}
	}
	if got := next.Gs[r.G].Goid; got != want || r.Goid != want {
		return &Violation{GoidFresh, goidFreshSource, fmt.Sprintf("newproc1 gave G%d goid %d (result %d), but the head of P%d's goid cache was %d: a goid issued again", r.G, got, r.Goid, pi, want)}
	}
	return nil
}

// checkRunningHasM is RunningHasM's check.
func checkRunningHasM(s *State, c *census) error {
	for i := range s.Gs {
		g := &s.Gs[i]
		if g.Status != Running {
			continue
		}
		if g.M == None {
			return errf("running G%d has no M", i)
		}
		if m := &s.Ms[g.M]; m.Curg != int32(i) {
			return errf("running G%d has m=M%d whose curg is %d", i, g.M, m.Curg)
		}
	}
	return nil
}

// checkRunningHasP is RunningHasP's check.
func checkRunningHasP(s *State, c *census) error {
	for i := range s.Gs {
		if g := &s.Gs[i]; g.Status == Running && g.M != None && s.Ms[g.M].P == None {
			return errf("running G%d is on M%d, which has no P", i, g.M)
		}
	}
	return nil
}

// checkCurgLinks is CurgLinks's check.
func checkCurgLinks(s *State, c *census) error {
	for i := range s.Ms {
		m := &s.Ms[i]
		if m.Curg == None {
			continue
		}
		g := &s.Gs[m.Curg]
		if int(g.M) != i {
			return errf("M%d.curg = G%d but G%d.m = %d", i, m.Curg, m.Curg, g.M)
		}
		if g.Status != Running && g.Status != Syscall && g.Status != Waiting {
			return errf("M%d.curg = G%d, which is %s", i, m.Curg, g.Status)
		}
	}
	for i := range s.Gs {
		g := &s.Gs[i]
		if g.M != None && s.Ms[g.M].Curg != int32(i) {
			return errf("G%d.m = M%d but M%d.curg = %d (dropg forgotten?)", i, g.M, g.M, s.Ms[g.M].Curg)
		}
	}
	return nil
}

// checkOffCPUGsHaveNoM is OffCPUGsHaveNoM's check.
func checkOffCPUGsHaveNoM(s *State, c *census) error {
	for i := range s.Gs {
		g := &s.Gs[i]
		if g.M == None {
			continue
		}
		switch g.Status {
		case Runnable, Dead:
			return errf("G%d is %s but keeps m=M%d", i, g.Status, g.M)
		case Waiting:
			if s.Ms[g.M].Curg != int32(i) {
				return errf("waiting G%d keeps m=M%d, whose curg is %d", i, g.M, s.Ms[g.M].Curg)
			}
		}
	}
	return nil
}

// checkNoInPlaceWaits is NoInPlaceWaits's check.
func checkNoInPlaceWaits(s *State, c *census) error {
	for i := range s.Ms {
		if g := s.Ms[i].Curg; g != None && s.Gs[g].Status == Waiting {
			return errf("M%d.curg = G%d, which is waiting", i, g)
		}
	}
	return nil
}

// checkQueuedGsRunnable is QueuedGsRunnable's check.
func checkQueuedGsRunnable(s *State, c *census) error {
	if s.queuedAllRunnable() {
		return nil
	}
	return s.eachQueued(func(g int32, w where) error {
		if st := s.Gs[g].Status; st != Runnable {
			return errf("G%d on %s is %s", g, w, st)
		}
		return nil
	})
}

// checkRunnableGsQueued is RunnableGsQueued's check.
func checkRunnableGsQueued(s *State, c *census) error {
	for i := range s.Gs {
		if s.Gs[i].Status == Runnable && c.where[i].n == 0 {
			return errf("runnable G%d is on no run queue: lost", i)
		}
	}
	return nil
}

// checkRunqBounded is RunqBounded's check.
func checkRunqBounded(s *State, c *census) error {
	for i := range s.Ps {
		if n := len(s.Ps[i].Ring); n > s.Cfg.Consts.RunqSize {
			return errf("P%d.runq holds %d > %d", i, n, s.Cfg.Consts.RunqSize)
		}
	}
	return nil
}

// checkLockedPairs is LockedPairs's check.
func checkLockedPairs(s *State, c *census) error {
	for i := range s.Gs {
		g := &s.Gs[i]
		if g.LockedM != None && s.Ms[g.LockedM].LockedG != int32(i) {
			return errf("G%d.lockedm = M%d but M%d.lockedg = %d", i, g.LockedM, g.LockedM, s.Ms[g.LockedM].LockedG)
		}
	}
	for i := range s.Ms {
		m := &s.Ms[i]
		if m.LockedG != None && int(s.Gs[m.LockedG].LockedM) != i {
			return errf("M%d.lockedg = G%d but G%d.lockedm = %d", i, m.LockedG, m.LockedG, s.Gs[m.LockedG].LockedM)
		}
	}
	return nil
}

// checkLockCountsWire is LockCountsWire's check.
func checkLockCountsWire(s *State, c *census) error {
	if s.Cfg.Wasm {
		return nil
	}
	for i := range s.Ms {
		m := &s.Ms[i]
		if m.Exited || m.Wedged || m.Mexiting || m.Mfreed {
			// gdestroy unwired the dying thread; its counts stay.
			continue
		}
		if (m.LockedG != None) != (m.LockedExt != 0 || m.LockedInt != 0) {
			return errf("M%d: lockedg = %d with lockedExt = %d, lockedInt = %d", i, m.LockedG, m.LockedExt, m.LockedInt)
		}
	}
	return nil
}

// checkExitedMsInert is ExitedMsInert's check.
func checkExitedMsInert(s *State, c *census) error {
	for i := range s.Ms {
		m := &s.Ms[i]
		if (m.Exited || m.Wedged) && (m.Curg != None || m.P != None || m.LockedG != None || m.NewG != None || m.Handing != None || m.StartmP != None || m.SpinP != None || m.StealTail) {
			return errf("M%d has exited but keeps curg=%d p=%d lockedg=%d", i, m.Curg, m.P, m.LockedG)
		}
	}
	return nil
}

// checkM0NeverExits is M0NeverExits's check.
func checkM0NeverExits(s *State, c *census) error {
	if len(s.Ms) > 0 && s.Ms[0].Exited {
		return errf("m0 exited")
	}
	for i := 1; i < len(s.Ms); i++ {
		if s.Ms[i].Wedged {
			return errf("M%d is wedged; only m0 is", i)
		}
	}
	return nil
}

// checkNGSysCount is NGSysCount's check.
func checkNGSysCount(s *State, c *census) error {
	n := int32(0)
	for i := range s.Gs {
		if g := &s.Gs[i]; g.System && g.Status != Dead {
			n++
		}
	}
	if n != s.Sched.NGSys {
		return errf("sched.ngsys = %d, live system goroutines = %d", s.Sched.NGSys, n)
	}
	return nil
}

// checkIdlePsHaveEmptyRunq is IdlePsHaveEmptyRunq's check.
func checkIdlePsHaveEmptyRunq(s *State, c *census) error {
	for pi, n := s.Sched.Pidle, 0; pi >= 0 && int(pi) < len(s.Ps) && n < len(s.Ps); pi, n = s.Ps[pi].Link, n+1 {
		if p := &s.Ps[pi]; p.Runnext != None || len(p.Ring) != 0 {
			return errf("P%d on the idle list has %d queued Gs", pi, len(p.Ring)+b2i(p.Runnext != None))
		}
	}
	return nil
}

// checkIdleListIdle is IdleListIdle's check.
func checkIdleListIdle(s *State, c *census) error {
	var seen uint64
	n := 0
	for pi := s.Sched.Pidle; pi != None; pi = s.Ps[pi].Link {
		if n == len(s.Ps) || (pi < 64 && seen&(1<<pi) != 0) {
			return errf("the idle P list meets P%d twice", pi)
		}
		if pi < 64 {
			seen |= 1 << pi
		}
		n++
		if st := s.Ps[pi].Status; st != PIdle {
			return errf("P%d is on the idle list but %s", pi, st)
		}
	}
	return nil
}

// checkIdlePsListed is IdlePsListed's check.
func checkIdlePsListed(s *State, c *census) error {
	var on uint64
	for pi, n := s.Sched.Pidle, 0; pi != None && n < len(s.Ps); pi, n = s.Ps[pi].Link, n+1 {
		if pi < 64 {
			on |= 1 << pi
		}
	}
	for i := range s.Ps {
		if i >= 64 {
			break
		}
		listed := on&(1<<i) != 0
		if p := &s.Ps[i]; (p.Status == PIdle) != listed {
			return errf("P%d is %s and %s the idle list", i, p.Status, map[bool]string{true: "on", false: "not on"}[listed])
		}
		if !listed && s.Ps[i].Link != None {
			return errf("P%d is off the idle list with link=P%d", i, s.Ps[i].Link)
		}
	}
	return nil
}

// checkNMSpinningCounts is NMSpinningCounts's check.
func checkNMSpinningCounts(s *State, c *census) error {
	n := int32(0)
	for i := range s.Ms {
		// wakep's startm after its CAS (the P holds no
		// handoffp step), or handoffp's after its CAS.
		if m := &s.Ms[i]; m.Spinning || m.Waking || m.StartmP != None && (s.Ps[m.StartmP].Handoff == HandoffNone || s.Ps[m.StartmP].Handoff.counted()) {
			n++
		}
	}
	for i := range s.Ps {
		if s.Ps[i].StartSpinning {
			n++
		}
	}
	if s.Sched.CtlWaking || s.Sched.CtlStartmP != None {
		n++ // the controller's wakep (startTheWorldWithSema)
	}
	if pi := s.Sched.RetakeP; pi != None && s.Ps[pi].Handoff.counted() {
		n++ // sysmon's handoffp between its CAS and its startm
	}
	if n != s.Sched.NMSpinning {
		return errf("sched.nmspinning = %d, spinning Ms and startm(pp, true) Ps waiting for newm = %d", s.Sched.NMSpinning, n)
	}
	return nil
}

// checkIdleMsListed is IdleMsListed's check.
func checkIdleMsListed(s *State, c *census) error {
	var on uint64
	for mi, n := s.Sched.Midle, 0; mi != None; mi, n = s.Ms[mi].Link, n+1 {
		if mi < 0 || int(mi) >= len(s.Ms) || n >= len(s.Ms) || on&(1<<uint(mi)) != 0 {
			return errf("the idle M list is broken at M%d", mi)
		}
		on |= 1 << uint(mi)
	}
	for i := range s.Ms {
		m := &s.Ms[i]
		listed := on&(1<<uint(i)) != 0
		if m.Parked != listed {
			return errf("M%d parked=%v but %s the idle M list", i, m.Parked, map[bool]string{true: "on", false: "not on"}[listed])
		}
		if m.Parked && (m.P != None || m.Curg != None || m.NextP != None || m.Spinning || m.LockedG != None || m.Recheck || m.WakeP || m.Waking || m.Stopping || m.StopLocked || m.Mexiting || m.Mfreed || m.Handing != None || m.StartmP != None || m.SpinP != None || m.StealTail || m.Exited || m.Wedged) {
			return errf("M%d is on the idle M list but not idle: %s", i, m.String())
		}
		if !listed && m.Link != None {
			return errf("M%d is off the idle M list with link=M%d", i, m.Link)
		}
	}
	return nil
}

// checkNextPHandedOff is NextPHandedOff's check.
func checkNextPHandedOff(s *State, c *census) error {
	var held uint64
	for i := range s.Ms {
		m := &s.Ms[i]
		if m.NextP == None {
			continue
		}
		if m.NextP < 0 || int(m.NextP) >= len(s.Ps) || held&(1<<uint(m.NextP)) != 0 {
			return errf("M%d.nextp = P%d, out of range or another M's too", i, m.NextP)
		}
		held |= 1 << uint(m.NextP)
		// A locked M that still holds its P may have its nextp set
		// by the startlockedm of another M: on its way to
		// stoplockedm (StopLocked), or before it, in the second
		// step of the runqput of its G's preemption (which put the
		// G in runnext, where a thief finds it).
		toStoplockedm := m.StopLocked || m.LockedG != None && m.Curg == None && m.P != None &&
			(s.Ps[m.P].Kicked != None || len(s.Ps[m.P].SlowBatch) != 0)
		if st := s.Ps[m.NextP].Status; st != PHandoff || m.P != None && !toStoplockedm || m.Curg != None {
			return errf("M%d.nextp = P%d, which is %s, and M%d holds p=%d curg=%d", i, m.NextP, st, i, m.P, m.Curg)
		}
	}
	// The controller's wakep (startTheWorldWithSema).
	if pi := s.Sched.CtlStartmP; pi != None {
		if pi < 0 || int(pi) >= len(s.Ps) || held&(1<<uint(pi)) != 0 {
			return errf("the controller holds P%d for wakep's startm, out of range or an M's too", pi)
		}
		held |= 1 << uint(pi)
		if st := s.Ps[pi].Status; st != PHandoff || s.Ps[pi].StartSpinning {
			return errf("the controller holds P%d for wakep's startm, which is %s (startSpinning %v)", pi, st, s.Ps[pi].StartSpinning)
		}
	}
	// sysmon's retake's P, between its takeP and its handoffp.
	if (s.Sched.RetakeP == None) != (s.Sched.RetakeM == None) {
		return errf("sysmon's retake holds P%d from M%d: one without the other", s.Sched.RetakeP, s.Sched.RetakeM)
	}
	if pi := s.Sched.RetakeP; pi != None {
		if pi < 0 || int(pi) >= len(s.Ps) || held&(1<<uint(pi)) != 0 || s.Sched.RetakeM < 0 || int(s.Sched.RetakeM) >= len(s.Ms) {
			return errf("sysmon holds P%d retaken from M%d, out of range or an M's too", pi, s.Sched.RetakeM)
		}
		held |= 1 << uint(pi)
		if p := &s.Ps[pi]; p.Status != PHandoff || p.StartSpinning || p.M != None {
			return errf("sysmon holds P%d retaken from M%d, which is %s (startSpinning %v, m %d)", pi, s.Sched.RetakeM, p.Status, p.StartSpinning, p.M)
		}
	}
	for i := range s.Ms {
		// wakep's P between its pidlegetSpinning and its startm, or
		// handoffp's between its CAS and its startm.
		if pi := s.Ms[i].StartmP; pi != None {
			m := &s.Ms[i]
			if pi < 0 || int(pi) >= len(s.Ps) || held&(1<<uint(pi)) != 0 {
				return errf("M%d holds P%d for wakep's or handoffp's startm, out of range or another M's too", i, pi)
			}
			held |= 1 << uint(pi)
			if st := s.Ps[pi].Status; st != PHandoff || s.Ps[pi].StartSpinning {
				return errf("M%d holds P%d for wakep's or handoffp's startm, which is %s (startSpinning %v)", i, pi, st, s.Ps[pi].StartSpinning)
			}
			// wakep runs with a P; handoffp's callers released
			// theirs: stoplockedm (StopLocked until its
			// incidlelocked(1)) and mexit (Mfreed next).
			if m.P == None && (!m.StopLocked && !m.Mfreed || m.Curg != None || s.Ps[pi].Handoff == HandoffNone) {
				return errf("M%d holds P%d for handoffp (step %q) outside stoplockedm and mexit (%s)", i, pi, s.Ps[pi].Handoff, m.String())
			}
			if m.P != None && s.Ps[pi].Handoff != HandoffNone {
				return errf("M%d holds P%d for wakep's startm, at handoffp's step %q", i, pi, s.Ps[pi].Handoff)
			}
		}
		// findRunnable's recheck's P between its pidlegetSpinning
		// and its acquirep.
		if pi := s.Ms[i].SpinP; pi != None {
			m := &s.Ms[i]
			if pi < 0 || int(pi) >= len(s.Ps) || held&(1<<uint(pi)) != 0 {
				return errf("M%d holds P%d from its recheck, out of range or another M's too", i, pi)
			}
			held |= 1 << uint(pi)
			if st := s.Ps[pi].Status; st != PHandoff || s.Ps[pi].StartSpinning || m.P != None || m.Curg != None || m.Spinning || m.Recheck {
				return errf("M%d holds P%d from its recheck, which is %s (startSpinning %v), and is %s", i, pi, st, s.Ps[pi].StartSpinning, m.String())
			}
		}
	}
	for i := range s.Ps {
		// A handoffp's next step belongs to the P's holder.
		if h := s.Ps[i].Handoff; h != HandoffNone && s.Sched.RetakeP != int8(i) {
			holder := false
			for mi := range s.Ms {
				holder = holder || s.Ms[mi].StartmP == int8(i) && s.Ms[mi].P == None
			}
			if !holder {
				return errf("P%d waits for handoffp's %s, but neither sysmon nor an M without a P holds it", i, h)
			}
		}
	}
	for i := range s.Ms {
		// runqsteal between runqgrab's CAS and its tail store.
		if m := &s.Ms[i]; m.StealTail && (m.P == None || m.Curg != None || m.SpinP != None || len(s.Ps[m.P].Held) < 2) {
			return errf("M%d owes runqsteal's tail store but is %s", i, m.String())
		}
	}
	for i := range s.Ps {
		if len(s.Ps[i].Held) == 0 {
			continue
		}
		// The recheck's P, or a running P whose M is between
		// findRunnable's globrunqgetbatch and its runqputbatch.
		owner := false
		for mi := range s.Ms {
			m := &s.Ms[mi]
			// The recheck's P, acquired, with the batch's first G
			// until the M's needspinning store (M.SpinClear).
			owner = owner || m.SpinP == int8(i) || m.SpinClear && m.P == int8(i) && len(s.Ps[i].Held) == 1 && s.Ps[i].M == int8(mi)
		}
		if p := &s.Ps[i]; !owner && (p.Status != PRunning || p.M == None || s.Ms[p.M].Curg != None || len(p.Held) < 2) {
			return errf("P%d (%s, m=%d) holds findRunnable's global batch %v, but no M's findRunnable took it", i, p.Status, p.M, p.Held)
		}
	}
	for i := range s.Ps {
		if s.Ps[i].StartSpinning && (s.Ps[i].Status != PHandoff || held&(1<<uint(i)) != 0) {
			return errf("P%d waits for newm's spinning M but is %s or some M's nextp", i, s.Ps[i].Status)
		}
	}
	return nil
}

// checkSpinningWithoutLocalWork is SpinningWithoutLocalWork's check.
func checkSpinningWithoutLocalWork(s *State, c *census) error {
	for i := range s.Ms {
		m := &s.Ms[i]
		// Until resetspinning (m.WakeP), schedule's steal may have
		// filled the ring of the P it spins on, and the recheck's
		// runqputbatch the ring of the P it acquired, spinning,
		// before findRunnable returns the batch's first G (P.Held)
		// after becomeSpinning's needspinning store (M.SpinClear).
		if m.Spinning && m.P != None && !m.WakeP && !(m.SpinClear && len(s.Ps[m.P].Held) == 1) {
			if p := &s.Ps[m.P]; p.Runnext != None || len(p.Ring) != 0 {
				return errf("M%d spins while its P%d has %d queued Gs", i, m.P, len(p.Ring)+b2i(p.Runnext != None))
			}
		}
		if m.Recheck && m.P != None {
			return errf("M%d is to recheck after dropping its P while spinning, but holds P%d", i, m.P)
		}
		// checkRunqsNoP comes after the global queue's section, which
		// comes after nmspinning-- (findRunnable's delicate dance).
		if m.YieldSlow && (m.Curg != None || m.P == None || len(s.Ps[m.P].SlowBatch) == 0 || m.WakeP) {
			return errf("M%d owes goyield's runqputslow push but curg=%d p=%d or holds no batch, or owes a wakep", i, m.Curg, m.P)
		}
		if m.RecheckRunqs && (!m.Recheck || m.Spinning || m.Stopping) {
			return errf("M%d is between the recheck's two sched.lock sections but recheck=%v spinning=%v stopping=%v", i, m.Recheck, m.Spinning, m.Stopping)
		}
		// checkIdleGCNoP's step, after checkRunqsNoP found work and
		// no idle P, only while the GC marked then.
		if m.Recheck && m.Stopping && (m.Spinning || m.P != None || m.Curg != None || m.AllpLen != 0 || m.SpinP != None) {
			return errf("M%d owes the recheck's checkIdleGCNoP step but spinning=%v p=%d curg=%d allp=%d spinp=%d", i, m.Spinning, m.P, m.Curg, m.AllpLen, m.SpinP)
		}
		// After findRunnable's spin the M is in stealWork: spinning,
		// on g0 with its P, whose run queue is empty.
		if m.StealWork && (!m.Spinning || m.P == None || m.Curg != None || m.NewG != None || m.LockedG != None ||
			m.Handing != None || m.WakeP || m.StealTail || len(s.Ps[m.P].Held) != 0 || s.Ps[m.P].Runnext != None || len(s.Ps[m.P].Ring) != 0) {
			return errf("M%d is in stealWork after its spin but is not a spinning M on g0 with an empty P (spinning=%v p=%d curg=%d)", i, m.Spinning, m.P, m.Curg)
		}
		if m.AllpLen != 0 && (!m.Recheck || int(m.AllpLen) > len(s.Ps) || int32(m.AllpLen) == s.Sched.GoMaxProcs || m.AllpLen < 0) {
			return errf("M%d holds an allp snapshot of %d Ps (gomaxprocs %d) but recheck=%v", i, m.AllpLen, s.Sched.GoMaxProcs, m.Recheck)
		}
	}
	return nil
}

// checkRunningPHasM is RunningPHasM's check.
func checkRunningPHasM(s *State, c *census) error {
	for i := range s.Ps {
		if p := &s.Ps[i]; (p.Status == PRunning) != (p.M != None) {
			return errf("P%d is %s with m=%d", i, p.Status, p.M)
		}
	}
	return nil
}

// checkPOwnership is POwnership's check.
func checkPOwnership(s *State, c *census) error {
	for i := range s.Ps {
		p := &s.Ps[i]
		if p.M != None && int(s.Ms[p.M].P) != i {
			return errf("P%d.m = M%d but M%d.p = %d", i, p.M, p.M, s.Ms[p.M].P)
		}
		// runqputslow's batch is a local of the owner's runqput,
		// made by its running G (newproc or ready) or, during a
		// stop-the-world, by its preemption (goschedImpl, after
		// dropg).
		if len(p.SlowBatch) != 0 && !s.ownerInRunqput(p) {
			return errf("P%d is %s with m=%d and holds runqputslow's batch %v, which only the running owner's runqput holds", i, p.Status, p.M, p.SlowBatch)
		}
		if p.Kicked != None && !s.ownerInRunqput(p) {
			return errf("P%d is %s with m=%d and holds runqput's kicked G%d, which only the running owner's runqput holds", i, p.Status, p.M, p.Kicked)
		}
	}
	for i := range s.Ms {
		if p := s.Ms[i].P; p != None && int(s.Ps[p].M) != i {
			return errf("M%d.p = P%d but P%d.m = %d", i, p, p, s.Ps[p].M)
		}
	}
	return nil
}

// checkGCStopPs is GCStopPs's check.
func checkGCStopPs(s *State, c *census) error {
	for i := range s.Ms {
		if m := &s.Ms[i]; m.GCStopping && (!s.Sched.GCWaiting || m.P == None || m.Spinning || m.Curg != None) {
			return errf("M%d is between gcstopm's two steps with gcwaiting %v, p=%d, spinning %v, curg=%d", i, s.Sched.GCWaiting, m.P, m.Spinning, m.Curg)
		}
		if m := &s.Ms[i]; m.StaleGCRead && !s.staleGCReadHolds(m) {
			return errf("M%d keeps a stale read of gcwaiting (findRunnable's, before the stop-the-world) with gcwaiting %v, p=%d, nextp=%d, curg=%d", i, s.Sched.GCWaiting, m.P, m.NextP, m.Curg)
		}
	}
	for i := range s.Ps {
		p := &s.Ps[i]
		if p.Status != PGCStop {
			if p.OldM != None {
				return errf("P%d is %s with oldm=M%d, which only a stopped P keeps", i, p.Status, p.OldM)
			}
			continue
		}
		switch {
		case !s.Sched.GCWaiting:
			return errf("P%d is stopped for a stop-the-world, but none is under way (gcwaiting is false)", i)
		case p.M != None || p.Link != None:
			return errf("P%d is stopped but m=%d link=%d", i, p.M, p.Link)
		case p.Kicked != None || len(p.SlowBatch) != 0 || len(p.Held) != 0:
			return errf("P%d is stopped with a G held by an M's runqput or findRunnable", i)
		case p.OldM != None && (p.OldM < 0 || int(p.OldM) >= len(s.Ms)):
			return errf("P%d is stopped with oldm=%d", i, p.OldM)
		}
	}
	return nil
}

// checkDeadPsEmpty is DeadPsEmpty's check.
func checkDeadPsEmpty(s *State, c *census) error {
	live := int32(0)
	for i := range s.Ps {
		p := &s.Ps[i]
		if p.Status != PDead {
			live++
			continue
		}
		if p.Runnext != None || len(p.Ring) != 0 || len(p.GFree) != 0 || len(p.SlowBatch) != 0 || len(p.Held) != 0 || p.Kicked != None {
			return errf("dead P%d keeps %d queued and %d free Gs", i, len(p.Ring)+len(p.SlowBatch)+b2i(p.Runnext != None)+b2i(p.Kicked != None), len(p.GFree))
		}
	}
	if live != s.Sched.GoMaxProcs {
		return errf("%d Ps are not dead but gomaxprocs = %d", live, s.Sched.GoMaxProcs)
	}
	return nil
}

// checkSyscallGsHaveM is SyscallGsHaveM's check.
func checkSyscallGsHaveM(s *State, c *census) error {
	for i := range s.Gs {
		g := &s.Gs[i]
		if g.Status == Syscall && (g.M == None || s.Ms[g.M].Curg != int32(i)) {
			return errf("G%d in a syscall has m=%d", i, g.M)
		}
	}
	return nil
}

// checkDeadGsCleared is DeadGsCleared's check.
func checkDeadGsCleared(s *State, c *census) error {
	for i := range s.Gs {
		g := &s.Gs[i]
		if g.Status != Dead {
			continue
		}
		if g.Cleared != 0 {
			for _, f := range FieldNames {
				if g.Cleared&f.Bit != 0 {
					return errf("dead G%d keeps %s", i, f.Name)
				}
			}
		}
		if g.LockedM != None {
			return errf("dead G%d keeps lockedm=M%d", i, g.LockedM)
		}
	}
	return nil
}

// checkAssistCreditFlushed is AssistCreditFlushed's check.
func checkAssistCreditFlushed(s *State, c *census) error {
	if !s.Sched.GCBlacken {
		return nil
	}
	for i := range s.Gs {
		if g := &s.Gs[i]; g.Status == Dead && g.GCAssist > 0 {
			return errf("dead G%d keeps %d units of assist credit while the GC is marking", i, g.GCAssist)
		}
	}
	return nil
}

// checkBgScanCreditNonNegative is BgScanCreditNonNegative's check.
func checkBgScanCreditNonNegative(s *State, c *census) error {
	if s.Sched.BgScanCredit < 0 {
		return errf("bgScanCredit = %d < 0", s.Sched.BgScanCredit)
	}
	return nil
}

// checkLockedWaitingM is LockedWaitingM's check.
func checkLockedWaitingM(s *State, c *census) error {
	for i := range s.Ms {
		m := &s.Ms[i]
		if m.LockedG == None || m.Exited || m.Wedged {
			continue
		}
		g := &s.Gs[m.LockedG]
		if m.Curg == None && (g.Status == Running || g.Status == Syscall) {
			return errf("M%d waits for locked G%d, which is %s on M%d", i, m.LockedG, g.Status, g.M)
		}
		if m.Curg != None && m.Curg != m.LockedG {
			return errf("M%d is locked to G%d but runs G%d", i, m.LockedG, m.Curg)
		}
	}
	return nil
}

// checkMainGoexitIsFinal is MainGoexitIsFinal's check.
func checkMainGoexitIsFinal(s *State, c *census) error {
	if s.Sched.Terminal == GoexitDeadlock && (!s.Sched.MainGoexit || s.liveUserGs() != 0) {
		return errf("the Goexit deadlock was declared with %d live goroutines", s.liveUserGs())
	}
	if !s.Sched.MainGoexit {
		return nil
	}
	// Once main called Goexit, runtime.main never returns: its
	// goroutine is dead and its goid never issued again.
	if s.Sched.Terminal == MainReturned {
		return errf("main returned (exit 0) after it called runtime.Goexit")
	}
	for i := range s.Gs {
		if g := &s.Gs[i]; g.Status != Dead && g.Status != Idle && g.Goid == MainGoid {
			return errf("G%d is live with main's goid %d after main called runtime.Goexit", i, MainGoid)
		}
	}
	return nil
}

// checkAllAsleepIsDeadlock is AllAsleepIsDeadlock's check.
func checkAllAsleepIsDeadlock(s *State, c *census) error {
	if s.Sched.Terminal != AllAsleep {
		return nil
	}
	if run := s.RunningMs(); run != 0 {
		return errf("the deadlock was declared with %d Ms running", run)
	}
	for i := range s.Gs {
		if g := &s.Gs[i]; !g.System && g.Status != Waiting && g.Status != Preempted && g.Status != Dead && g.Status != Idle {
			return errf("the deadlock was declared with G%d %s", i, g.Status)
		}
	}
	return nil
}

// checkCheckdeadRan is CheckdeadRan's check.
func checkCheckdeadRan(s *State, c *census) error {
	if s.Sched.Terminal != Alive {
		return nil
	}
	if s.RunningMs() <= 0 {
		return errf("no M runs (mcount %d, nmidle %d, nmidlelocked %d) and the program goes on: checkdead did not run where an M stopped", s.MCount(), s.NMIdle(), s.NMIdleLocked())
	}
	return nil
}

// ownerInRunqput reports whether P p's owner M can be inside runqput's
// two steps: it runs a G that made a G runnable (newproc, ready), or,
// during a stop-the-world, it is on g0 after its G's preemption
// (goschedImpl's runqput after dropg), or after its G's goyield with
// runqputslow's batch (goyield_m's runqput after dropg).
func (s *State) ownerInRunqput(p *P) bool {
	if p.Status != PRunning {
		return false
	}
	m := &s.Ms[p.M]
	cg := m.Curg
	if cg == None {
		// A preemption's runqput, or goyield's (M.YieldSlow).
		return s.Sched.GCWaiting || m.YieldSlow && len(p.SlowBatch) != 0
	}
	return s.Gs[cg].Status == Running
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CheckRefs reports the first G, M or P reference that points nowhere, or
// "". Other invariants assume references are in range; a state built from
// outside (an implementation's snapshot) is checked with this first.
func (s *State) CheckRefs() string {
	if err := Invariants[0].Check(s); err != nil {
		return err.Error()
	}
	return ""
}

// checkGlobalWorkWakesAnM is GlobalWorkWakesAnM's check: the global run
// queue holds work, a P is idle and an M free (startm's mget would wake
// it), no M spins (sched.nmspinning == 0), and no step on its way looks
// at the global queue or starts an M: then the work waits on no one
// (the runtime's Ms, all busy, reach it at their 61st schedtick or
// when their own queues run dry, while a P stays idle). What is on its
// way: a wakep an M or the controller owes, or its CAS made (M.WakeP,
// M.Waking, M.StartmP, Sched.CtlWakeP, CtlWaking, CtlStartmP); a P
// handed off, or held with a global batch (P.Handoff, P.Held); a
// runqput between its steps (P.Kicked, P.SlowBatch), whose caller's
// wakep follows; an M about to run a G (M.NewG, M.Handing, M.NextP,
// M.SpinP); an M that dropped its spinning and is about to recheck, or
// store becomeSpinning's last write (M.Recheck, M.SpinClear); an M
// holding a P with an empty run queue and no G, whose findRunnable
// takes from the global queue next; sysmon
// between its retake and its handoffp (Sched.RetakeP); a stop-the-world
// (Sched.GCWaiting), whose restart owes a wakep.
func checkGlobalWorkWakesAnM(s *State, _ *census) error {
	sc := &s.Sched
	if len(sc.Runq) == 0 || sc.Pidle == None || sc.NMSpinning != 0 || sc.Terminal != Alive {
		return nil
	}
	if sc.GCWaiting || sc.CtlWakeP || sc.CtlWaking || sc.CtlStartmP != None || sc.RetakeP != None {
		return nil
	}
	free := s.freeM()
	if free == None {
		return nil
	}
	for i := range s.Ps {
		p := &s.Ps[i]
		if p.Status == PHandoff || len(p.Held) != 0 || len(p.SlowBatch) != 0 || p.Kicked != None {
			return nil
		}
	}
	for i := range s.Ms {
		m := &s.Ms[i]
		if m.WakeP || m.Waking || m.StartmP != None || m.SpinP != None || m.SpinClear || m.Recheck ||
			m.NextP != None || m.NewG != None || m.Handing != None {
			return nil
		}
		if m.P != None && m.Curg == None && s.Ps[m.P].Runnext == None && len(s.Ps[m.P].Ring) == 0 {
			return nil // its findRunnable finds its run queue empty and takes from sched.runq
		}
	}
	return errf("the global run queue holds %d G(s), P%d is idle and M%d free, and no M spins (nmspinning 0) or is on its way to wake one: the work waits while a P is idle",
		len(sc.Runq), sc.Pidle, free)
}
