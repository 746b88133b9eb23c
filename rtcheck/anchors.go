package rtcheck

import (
	"fmt"
	"strings"
)

// An anchor places probe code in the runtime source: a function of a file,
// a path of statements inside it (each found among the statements nested
// in the previous one), and where the code goes relative to the last.
//
// A step matches a statement by its first line with any trailing comment
// removed and spaces trimmed: exactly, or as a prefix when the pattern ends
// in "...". Each step must match exactly one statement (or the Nth, when
// Nth is set); a missing or ambiguous step is an error naming the file, the
// function and the statement, never a dropped probe.
type anchor struct {
	File  string // file in the runtime directory: "proc.go"
	Func  string // function name; methods as "(*p).destroy"
	Path  []step // empty: the function body itself
	Where where
	Code  string // statements inserted (may span lines)
	Kinds []Kind // the probes the code writes
	Note  string // what the code is for, when Kinds is nil
}

// what names what an anchor places, for error messages.
func (a anchor) what() string {
	if len(a.Kinds) > 0 {
		return "probe " + strings.Join(kindNames(a.Kinds), ", ")
	}
	return a.Note
}

type step struct {
	Stmt string
	Nth  int  // 1-based; 0: must be unique
	Next bool // then move to the statement that follows it in its block
}

type where int

const (
	before    where = iota // before the statement
	after                  // after the statement
	bodyStart              // first thing in the statement's (or function's) body
)

func (w where) String() string {
	return [...]string{"before", "after", "at the start of the body of"}[w]
}

func s(stmt string) step                  { return step{Stmt: stmt} }
func sn(stmt string, nth int) step        { return step{Stmt: stmt, Nth: nth} }
func afterStmt(stmt string) step          { return step{Stmt: stmt, Next: true} }
func path(steps ...step) []step           { return steps }
func code(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// describe renders the path for error messages: `a` > `b` (2nd).
func (a anchor) describe() string {
	if len(a.Path) == 0 {
		return "the function body"
	}
	var parts []string
	for _, st := range a.Path {
		p := "`" + st.Stmt + "`"
		if st.Nth > 0 {
			p += fmt.Sprintf(" (match %d)", st.Nth)
		}
		if st.Next {
			p += " then the next statement"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " > ")
}

func kk(k Kind) string { return k.ident() }

// anchors is the instrumentation of Go 1.26's runtime. The order matters
// only for code inserted at the same place (kept in table order).
var anchors = []anchor{
	// gdestroy: a G exiting locked to its M, after dropg, before gfput (its
	// thread then leaves through mexit; an unlocked exit goes on to
	// schedule in goexit0 and is the gfput record alone, which keeps the
	// create+exit cycle's record count down). Every exit is counted (no
	// record): the trailer's count, against the gfput records, shows an
	// exit that never reached gfput.
	{File: "proc.go", Func: "gdestroy", Path: path(s("dropg()")), Where: after,
		Code: "gexitGdestroys.Add(1)\nif locked {\n\tgexitGdestroy(gp, mp, pp, locked)\n}", Kinds: []Kind{KGdestroy}},
	// gdestroy's ngsys decrement, for the finalizer and cleanup goroutines
	// (newproc1 counted them as system goroutines).
	{File: "proc.go", Func: "gdestroy", Path: path(s("if isSystemGoroutine(gp, false) {")), Where: before,
		Code:  "if gexitF := findfunc(gp.startpc); gexitF.valid() && (gexitF.funcID == abi.FuncID_runFinalizers || gexitF.funcID == abi.FuncID_runCleanups) {\n\tgexitGdestroyNgsys(pp, gp, isSystemGoroutine(gp, false), gexitF.funcID == abi.FuncID_runCleanups)\n}",
		Kinds: []Kind{KGdestroyNgsys}},
	{File: "proc.go", Func: "mexit", Path: path(s("mp := getg().m")), Where: after,
		Code: code("gexitSched(%s, mp.p.ptr(), gexitB(mp == &m0), 0, 0)", kk(KMexit)), Kinds: []Kind{KMexit}},
	{File: "proc.go", Func: "mexit", Path: path(s("if mp == &m0 {"), s("mPark()")), Where: before,
		Code: code("gexitSched(%s, nil, 1, 1, 0)", kk(KMexit)), Kinds: []Kind{KMexit}},

	// gfput: the push, then the spill under sched.gFree.lock.
	{File: "proc.go", Func: "gfput", Path: path(s("pp.gFree.push(gp)")), Where: after,
		Code: "gexitGfput(pp, gp, stksize)", Kinds: []Kind{KGfput}},
	{File: "proc.go", Func: "gfput", Path: path(s("if pp.gFree.size >= 64 {"), s("unlock(&sched.gFree.lock)")), Where: before,
		Code: code("gexitGfList(%s, pp, stackQ.size, noStackQ.size)", kk(KGfputSpill)), Kinds: []Kind{KGfputSpill}},

	// gfget: the refill under the lock, both stack fixes (the pop is in
	// newproc1's record, gfget's only caller).
	{File: "proc.go", Func: "gfget", Path: path(s("if pp.gFree.empty() && (!sched.gFree.stack.empty() || !sched.gFree.noStack.empty()) {"),
		s("lock(&sched.gFree.lock)")), Where: after,
		Code: "gexitS0, gexitN0 := sched.gFree.stack.size, sched.gFree.noStack.size", Note: "the global list sizes before gfget's refill"},
	{File: "proc.go", Func: "gfget", Path: path(s("if pp.gFree.empty() && (!sched.gFree.stack.empty() || !sched.gFree.noStack.empty()) {"),
		s("unlock(&sched.gFree.lock)")), Where: before,
		Code:  code("gexitGfList(%s, pp, gexitS0-sched.gFree.stack.size, gexitN0-sched.gFree.noStack.size)", kk(KGfgetRefill)),
		Kinds: []Kind{KGfgetRefill}},
	{File: "proc.go", Func: "gfget", Path: path(s("if gp.stack.lo != 0 && gp.stack.hi-gp.stack.lo != uintptr(startingStackSize) {")), Where: bodyStart,
		Code: code("gexitGfStack(%s, pp, gp)", kk(KGfgetStale)), Kinds: []Kind{KGfgetStale}},
	{File: "proc.go", Func: "gfget", Path: path(s("if gp.stack.lo == 0 {"), s("gp.stackguard0 = gp.stack.lo + stackGuard")), Where: after,
		Code: code("gexitGfStack(%s, pp, gp)", kk(KGfgetAlloc)), Kinds: []Kind{KGfgetAlloc}},

	// gfpurge (p.destroy in procresize).
	{File: "proc.go", Func: "gfpurge", Path: path(s("unlock(&sched.gFree.lock)")), Where: before,
		Code: code("gexitGfList(%s, pp, stackQ.size, noStackQ.size)", kk(KGfpurge)), Kinds: []Kind{KGfpurge}},

	// markrootFreeGStacks: the stack list taken, then pushed on noStack.
	{File: "mgcmark.go", Func: "markrootFreeGStacks", Path: path(sn("unlock(&sched.gFree.lock)", 1)), Where: before,
		Code: code("gexitGCFree(%s, list.size)", kk(KGCFreeTake)), Kinds: []Kind{KGCFreeTake}},
	{File: "mgcmark.go", Func: "markrootFreeGStacks", Path: path(sn("unlock(&sched.gFree.lock)", 2)), Where: before,
		Code: code("gexitGCFree(%s, q.size)", kk(KGCFreePut)), Kinds: []Kind{KGCFreePut}},

	// gcMarkDone: startingStackSize before and after gcComputeStartingStackSize
	// (its only caller; it may return early, so the probe is around the call).
	{File: "mgc.go", Func: "gcMarkDone", Path: path(s("gcComputeStartingStackSize()")), Where: before,
		Code: "gexitStackSizeBefore = startingStackSize", Note: "startingStackSize before gcComputeStartingStackSize"},
	{File: "mgc.go", Func: "gcMarkDone", Path: path(s("gcComputeStartingStackSize()")), Where: after,
		Code: code("gexitStackSize(%s)", kk(KStackSize)), Kinds: []Kind{KStackSize}},

	// newproc1: gfget's result, malg, the goid batch, the goid taken.
	{File: "proc.go", Func: "newproc1", Path: path(s("newg := gfget(pp)")), Where: after,
		Code: "gexitFree := newg != nil", Note: "whether gfget found a G"},
	{File: "proc.go", Func: "newproc1", Path: path(s("if newg == nil {"), s("allgadd(newg)")), Where: after,
		Code: "gexitMalg(pp, newg)", Kinds: []Kind{KMalg}},
	{File: "proc.go", Func: "newproc1", Path: path(s("if pp.goidcache == pp.goidcacheend {"), s("pp.goidcache = sched.goidgen.Add(_GoidCacheBatch)")), Where: after,
		Code: "gexitGoidAdd := pp.goidcache", Note: "the value sched.goidgen.Add returned: the batch's last goid"},
	{File: "proc.go", Func: "newproc1", Path: path(s("if pp.goidcache == pp.goidcacheend {"), s("pp.goidcacheend = pp.goidcache + _GoidCacheBatch")), Where: after,
		Code: "gexitGoidBatch(pp, gexitGoidAdd)", Kinds: []Kind{KGoidBatch}},
	{File: "proc.go", Func: "newproc1", Path: path(s("pp.goidcache++")), Where: after,
		Code: "gexitNewproc1(pp, newg, gexitFree)", Kinds: []Kind{KNewproc1}},

	// runqput: entry stamp; the runnext, ring and slow returns.
	{File: "proc.go", Func: "runqput", Where: bodyStart,
		Code: "gexitE, gexitG0 := gexitEntry(), gp", Note: "runqput's entry stamp"},
	{File: "proc.go", Func: "runqput", Path: path(s("if next {"), s("if oldnext == 0 {"), s("return")), Where: before,
		Code: "gexitRunqput(gexitE, pp, gexitG0, nil, next, 0, 0, 0)", Kinds: []Kind{KRunqput}},
	{File: "proc.go", Func: "runqput", Path: path(s("if t-h < uint32(len(pp.runq)) {"), s("return")), Where: before,
		Code: "gexitRunqput(gexitE, pp, gexitG0, gp, next, 1, t+1, h)", Kinds: []Kind{KRunqput}},
	{File: "proc.go", Func: "runqput", Path: path(s("if runqputslow(pp, gp, h, t) {"), s("return")), Where: before,
		Code: "gexitRunqput(gexitE, pp, gexitG0, gp, next, 2, t, h)", Kinds: []Kind{KRunqput}},

	// runqputslow.
	{File: "proc.go", Func: "runqputslow", Where: bodyStart,
		Code: "gexitE := gexitEntry()", Note: "the entry stamp"},
	{File: "proc.go", Func: "runqputslow", Path: path(s("if !atomic.CasRel(&pp.runqhead, h, h+n) {"), s("return false")), Where: before,
		Code: "gexitRunqputslow(gexitE, pp, gp, n, h, false)", Kinds: []Kind{KRunqputslow}},
	{File: "proc.go", Func: "runqputslow", Path: path(s("return true")), Where: before,
		Code: "gexitRunqputslow(gexitE, pp, gp, n, h, true)", Kinds: []Kind{KRunqputslow}},

	// runqget (an empty ring is not recorded: no state changes, and the
	// scheduler's idle loops would flood the ring).
	{File: "proc.go", Func: "runqget", Where: bodyStart,
		Code: "gexitE := gexitEntry()", Note: "the entry stamp"},
	{File: "proc.go", Func: "runqget", Path: path(s("if next != 0 && pp.runnext.cas(next, 0) {"), s("return next.ptr(), true")), Where: before,
		Code: "gexitRunqget(gexitE, pp, next.ptr(), 1, 0)", Kinds: []Kind{KRunqget}},
	{File: "proc.go", Func: "runqget", Path: path(s("if atomic.CasRel(&pp.runqhead, h, h+1) {"), s("return gp, false")), Where: before,
		Code: "gexitRunqget(gexitE, pp, gp, 2, h)", Kinds: []Kind{KRunqget}},

	// runqgrab: runnext stolen, nothing, a batch.
	{File: "proc.go", Func: "runqgrab", Where: bodyStart,
		Code: "gexitE := gexitEntry()", Note: "the entry stamp"},
	{File: "proc.go", Func: "runqgrab", Path: path(s("return 1")), Where: before,
		Code: "gexitRunqgrab(gexitE, pp, next.ptr(), 1, true, 0, stealRunNextG)", Kinds: []Kind{KRunqgrab}},
	{File: "proc.go", Func: "runqgrab", Path: path(s("return 0")), Where: before,
		Code: "gexitRunqgrab(gexitE, pp, nil, 0, false, 0, stealRunNextG)", Kinds: []Kind{KRunqgrab}},
	{File: "proc.go", Func: "runqgrab", Path: path(s("if atomic.CasRel(&pp.runqhead, h, h+n) {"), s("return n")), Where: before,
		Code: "gexitRunqgrab(gexitE, pp, batch[batchHead%uint32(len(batch))].ptr(), n, false, h, stealRunNextG)", Kinds: []Kind{KRunqgrab}},

	// runqsteal.
	{File: "proc.go", Func: "runqsteal", Where: bodyStart,
		Code: "gexitE := gexitEntry()", Note: "the entry stamp"},
	{File: "proc.go", Func: "runqsteal", Path: path(sn("if n == 0 {", 1), s("return nil")), Where: before,
		Code: "gexitRunqsteal(gexitE, pp, p2, nil, 0, t)", Kinds: []Kind{KRunqsteal}},
	{File: "proc.go", Func: "runqsteal", Path: path(sn("if n == 0 {", 2), s("return gp")), Where: before,
		Code: "gexitRunqsteal(gexitE, pp, p2, gp, 1, t)", Kinds: []Kind{KRunqsteal}},
	{File: "proc.go", Func: "runqsteal", Path: path(afterStmt("atomic.StoreRel(&pp.runqtail, t+n)")), Where: before,
		Code: "gexitRunqsteal(gexitE, pp, p2, gp, n+1, t+n)", Kinds: []Kind{KRunqsteal}},

	// runqputbatch and runqdrain complete the history of the rings.
	{File: "proc.go", Func: "runqputbatch", Where: bodyStart,
		Code: "gexitE := gexitEntry()", Note: "the entry stamp"},
	{File: "proc.go", Func: "runqputbatch", Path: path(afterStmt("atomic.StoreRel(&pp.runqtail, t)")), Where: before,
		Code: "gexitRunqputbatch(gexitE, pp, n, t)", Kinds: []Kind{KRunqputbatch}},
	{File: "proc.go", Func: "runqdrain", Where: bodyStart,
		Code: "gexitE := gexitEntry()", Note: "the entry stamp"},
	{File: "proc.go", Func: "runqdrain", Path: path(s("if qn == 0 {"), s("return")), Where: before,
		Code: "gexitRunqdrain(gexitE, pp, drainQ.size)", Kinds: []Kind{KRunqdrain}},
	{File: "proc.go", Func: "runqdrain", Path: path(sn("return", 2)), Where: before,
		Code: "gexitRunqdrain(gexitE, pp, drainQ.size)", Kinds: []Kind{KRunqdrain}},

	// The global run queue (sched.lock held).
	{File: "proc.go", Func: "globrunqput", Path: path(s("sched.runq.pushBack(gp)")), Where: after,
		Code: code("gexitGlob(%s, gp, 1, sched.runq.size)", kk(KGlobrunqput)), Kinds: []Kind{KGlobrunqput}},
	{File: "proc.go", Func: "globrunqputhead", Path: path(s("sched.runq.push(gp)")), Where: after,
		Code: code("gexitGlob(%s, gp, 1, sched.runq.size)", kk(KGlobrunqputhead)), Kinds: []Kind{KGlobrunqputhead}},
	{File: "proc.go", Func: "globrunqputbatch", Path: path(s("sched.runq.pushBackAll(*batch)")), Where: before,
		Code: code("gexitGlob(%s, batch.head.ptr(), batch.size, sched.runq.size+batch.size)", kk(KGlobrunqputbatch)), Kinds: []Kind{KGlobrunqputbatch}},
	{File: "proc.go", Func: "globrunqget", Path: path(s("if sched.runq.size == 0 {"), s("return nil")), Where: before,
		Code: code("gexitGlob(%s, nil, 0, 0)", kk(KGlobrunqget)), Kinds: []Kind{KGlobrunqget}},
	{File: "proc.go", Func: "globrunqget", Path: path(s("return sched.runq.pop()")), Where: before,
		Code: code("gexitGlob(%s, sched.runq.head.ptr(), 1, sched.runq.size-1)", kk(KGlobrunqget)), Kinds: []Kind{KGlobrunqget}},
	{File: "proc.go", Func: "globrunqgetbatch", Path: path(s("if sched.runq.size == 0 {"), s("return")), Where: before,
		Code: code("gexitGlob(%s, nil, 0, 0)", kk(KGlobrunqgetbatch)), Kinds: []Kind{KGlobrunqgetbatch}},
	{File: "proc.go", Func: "globrunqgetbatch", Path: path(sn("return", 2)), Where: before,
		Code: code("gexitGlob(%s, gp, q.size+1, sched.runq.size)", kk(KGlobrunqgetbatch)), Kinds: []Kind{KGlobrunqgetbatch}},

	// findRunnable's choice: every return, the P going idle, the M stopping;
	// not the local run queue's return, whose runqget record (just before,
	// on the same M) is the choice: one record fewer per schedule.
	findAnchor(SrcTrace, s("if traceEnabled() || traceShuttingDown() {"), s("if gp != nil {"), s("return gp, false, true")),
	findAnchor(SrcGCWorker, s("if gcBlackenEnabled != 0 {"), s("if gp != nil {"), s("return gp, false, true")),
	findAnchor(SrcTick, s("if pp.schedtick%61 == 0 && !sched.runq.empty() {"), s("if gp != nil {"), s("return gp, false, false")),
	findAnchor(SrcGlobal, afterStmt("if gp, inheritTime := runqget(pp); gp != nil {"), s("if gp != nil {"), s("return gp, false, false")),
	findAnchor(SrcNetpoll, s("if netpollinited() && netpollAnyWaiters() && sched.lastpoll.Load() != 0 && sched.pollingNet.Swap(1) == 0 {"),
		s("if !list.empty() {"), s("return gp, false, false")),
	findAnchor(SrcSteal, s("if mp.spinning || 2*sched.nmspinning.Load() < gomaxprocs-sched.npidle.Load() {"), s("if gp != nil {"), s("return gp, inheritTime, false")),
	findAnchor(SrcIdleGC, s("if gcBlackenEnabled != 0 && gcShouldScheduleWorker(pp) && gcController.addIdleMarkWorker() {"),
		s("if node != nil {"), s("return gp, false, false")),
	findAnchor(SrcBeforeIdle, afterStmt("gp, otherReady := beforeIdle(now, pollUntil)"), s("return gp, false, false")),
	findAnchor(SrcGlobalLate, afterStmt("if sched.gcwaiting.Load() || pp.runSafePointFn != 0 {"), s("return gp, false, false")),
	findAnchor(SrcRecheck, afterStmt("wasSpinning := mp.spinning"), s("if !sched.runq.empty() {"), s("if pp != nil {"), s("return gp, false, false")),
	findAnchor(SrcIdleGCNoP, afterStmt("wasSpinning := mp.spinning"), afterStmt("pp, gp := checkIdleGCNoP()"), s("return gp, false, false")),
	findAnchor(SrcNetpollBlk, s("if netpollinited() && (netpollAnyWaiters() || pollUntil != 0) && sched.lastpoll.Swap(0) != 0 {"),
		s("if !list.empty() {"), s("return gp, false, false")),
	{File: "proc.go", Func: "findRunnable", Path: path(s("now = pidleput(pp, now)")), Where: after,
		Code: code("gexitFind(pp, nil, %d, false)", SrcIdle), Kinds: []Kind{KFindRunnable}},
	{File: "proc.go", Func: "findRunnable", Path: path(s("if faketime != 0 && list.empty() {"), s("stopm()")), Where: before,
		Code: code("gexitFind(nil, nil, %d, false)", SrcStop), Kinds: []Kind{KFindRunnable}},
	{File: "proc.go", Func: "findRunnable", Path: path(sn("stopm()", 2)), Where: before,
		Code: code("gexitFind(nil, nil, %d, false)", SrcStop), Kinds: []Kind{KFindRunnable}},

	// exitsyscall: the fast path (the P is still ours), exitsyscallTryGetP's
	// outcomes, exitsyscallNoP under sched.lock.
	{File: "proc.go", Func: "exitsyscall", Path: path(afterStmt("pp := gp.m.p.ptr()")), Where: bodyStart,
		Code: code("gexitSyscall(%s, gp, pp, 0, 0)", kk(KExitsyscallFast)), Kinds: []Kind{KExitsyscallFast}},
	{File: "proc.go", Func: "exitsyscallTryGetP", Path: path(s("if oldp != nil {"), s("if thread, ok := setBlockOnExitSyscall(oldp); ok {"), s("return oldp")), Where: before,
		Code: code("gexitSyscall(%s, getg().m.curg, oldp, 1, gexitPid(oldp))", kk(KExitsyscallSlow)), Kinds: []Kind{KExitsyscallSlow}},
	{File: "proc.go", Func: "exitsyscallTryGetP", Path: path(s("if sched.pidle != 0 {"), s("if pp != nil {"), s("return pp")), Where: before,
		Code: code("gexitSyscall(%s, getg().m.curg, pp, 2, gexitPid(oldp))", kk(KExitsyscallSlow)), Kinds: []Kind{KExitsyscallSlow}},
	{File: "proc.go", Func: "exitsyscallTryGetP", Path: path(s("return nil")), Where: before,
		Code: code("gexitSyscall(%s, getg().m.curg, nil, 0, gexitPid(oldp))", kk(KExitsyscallSlow)), Kinds: []Kind{KExitsyscallSlow}},
	{File: "proc.go", Func: "exitsyscallNoP", Path: path(s("unlock(&sched.lock)")), Where: before,
		Code: code("gexitSyscallNoP(%s, gp, pp, gexitB(pp == nil), gexitB(locked), gexitB(!schedEnabled(gp)))", kk(KExitsyscallNoP)), Kinds: []Kind{KExitsyscallNoP}},

	// handoffp: each decision, in the function's order.
	handoffAnchor(HandoffLocal, before, s("if !runqempty(pp) || !sched.runq.empty() {"), s("startm(pp, false, false)")),
	handoffAnchor(HandoffTrace, before, s("if (traceEnabled() || traceShuttingDown()) && traceReaderAvailable() != nil {"), s("startm(pp, false, false)")),
	handoffAnchor(HandoffGC, before, s("if gcBlackenEnabled != 0 && gcShouldScheduleWorker(pp) {"), s("startm(pp, false, false)")),
	handoffAnchor(HandoffSpin, before, s("if sched.nmspinning.Load()+sched.npidle.Load() == 0 && sched.nmspinning.CompareAndSwap(0, 1) {"), s("startm(pp, true, false)")),
	handoffAnchor(HandoffGCStop, before, s("if sched.gcwaiting.Load() {"), s("unlock(&sched.lock)")),
	// The global-work and last-P decisions are recorded before their
	// unlock: under sched.lock, as the decision, so npidle is exact.
	handoffAnchor(HandoffGlobal, before, s("if !sched.runq.empty() {"), s("unlock(&sched.lock)")),
	handoffAnchor(HandoffLastP, before, s("if sched.npidle.Load() == gomaxprocs-1 && sched.lastpoll.Load() != 0 {"), s("unlock(&sched.lock)")),
	handoffAnchor(HandoffIdle, before, s("pidleput(pp, 0)")),

	// startm's outcomes, stopm, wakep when it starts an M (finding no idle
	// P changes nothing and happens on most go statements of a busy
	// program: not recorded).
	{File: "proc.go", Func: "startm", Path: path(sn("if pp == nil {", 1), s("if pp == nil {"), s("releasem(mp)")), Where: before,
		Code: code("gexitSched(%s, nil, 1, gexitB(spinning), -1)", kk(KStartm)), Kinds: []Kind{KStartm}},
	{File: "proc.go", Func: "startm", Path: path(s("if nmp == nil {"), s("newm(fn, pp, id)")), Where: before,
		Code: code("gexitSched(%s, pp, 2, gexitB(spinning), int32(id))", kk(KStartm)), Kinds: []Kind{KStartm}},
	{File: "proc.go", Func: "startm", Path: path(s("notewakeup(&nmp.park)")), Where: before,
		Code: code("gexitSched(%s, pp, 3, gexitB(spinning), int32(nmp.id))", kk(KStartm)), Kinds: []Kind{KStartm}},
	{File: "proc.go", Func: "stopm", Path: path(s("lock(&sched.lock)")), Where: before,
		Code: code("gexitSched(%s, nil, 0, 0, 0)", kk(KStopm)), Kinds: []Kind{KStopm}},
	{File: "proc.go", Func: "stopm", Path: path(s("acquirep(gp.m.nextp.ptr())")), Where: after,
		Code: code("gexitSched(%s, gp.m.p.ptr(), 1, 0, 0)", kk(KStopm)), Kinds: []Kind{KStopm}},
	{File: "proc.go", Func: "wakep", Path: path(s("startm(pp, true, false)")), Where: before,
		Code: code("gexitSched(%s, pp, 2, 0, 0)", kk(KWakep)), Kinds: []Kind{KWakep}},

	// The idle P list, under sched.lock: pidleput after the link,
	// pidleget at its return when it found a P (pidlegetSpinning calls
	// it; procresize's rebuild and stopTheWorldWithSema's drain are
	// pidleput and pidleget calls too). An empty list changes nothing, and
	// wakep finds one on most go statements of a busy program: not
	// recorded.
	{File: "proc.go", Func: "pidleput", Path: path(s("sched.npidle.Add(1)")), Where: after,
		Code: code("gexitPidle(%s, pp, pp.link.ptr())", kk(KPidleput)), Kinds: []Kind{KPidleput}},
	{File: "proc.go", Func: "pidleget", Path: path(s("return pp, now")), Where: before,
		Code: code("if pp != nil {\n\tgexitPidle(%s, pp, sched.pidle.ptr())\n}", kk(KPidleget)), Kinds: []Kind{KPidleget}},

	// procresize and p.destroy.
	{File: "proc.go", Func: "procresize", Path: path(s("old := gomaxprocs")), Where: after,
		Code: code("gexitSched(%s, getg().m.p.ptr(), old, nprocs, 0)", kk(KProcresize)), Kinds: []Kind{KProcresize}},
	{File: "proc.go", Func: "procresize", Path: path(s("return runnablePs")), Where: before,
		Code: code("gexitSched(%s, getg().m.p.ptr(), old, nprocs, 1)", kk(KProcresize)), Kinds: []Kind{KProcresize}},
	{File: "proc.go", Func: "(*p).destroy", Path: path(s("assertWorldStopped()")), Where: after,
		Code: "gexitPDestroy(pp)", Kinds: []Kind{KPDestroy}},

	// checkdead.
	{File: "proc.go", Func: "checkdead", Path: path(s("run := mcount() - sched.nmidle - sched.nmidlelocked - sched.nmsys")), Where: after,
		Code: code("gexitSched(%s, nil, 0, run, run0)", kk(KCheckdead)), Kinds: []Kind{KCheckdead}},
	{File: "proc.go", Func: "checkdead", Path: path(s("if grunning == 0 {"), s(`fatal("no goroutines (main called runtime.Goexit) - deadlock!")`)), Where: before,
		Code: code("gexitSched(%s, nil, 1, 0, 0)", kk(KCheckdead)), Kinds: []Kind{KCheckdead}},
	{File: "proc.go", Func: "checkdead", Path: path(s(`fatal("all goroutines are asleep - deadlock!")`)), Where: before,
		Code: code("gexitSched(%s, nil, 2, 0, 0)", kk(KCheckdead)), Kinds: []Kind{KCheckdead}},

	// Draining: start the drainer after sysmon; the final drain on the exit
	// paths (main's return and os.Exit run runExitHooks; syscall.Exit; fatal
	// errors and unrecovered panics).
	{File: "proc.go", Func: "main", Path: path(s("if haveSysmon {")), Where: after,
		Code: "gexitStart()", Note: "start the drainer"},
	{File: "proc.go", Func: "runExitHooks", Path: path(s("exithook.Run(code)")), Where: after,
		Code: "gexitFinal()", Note: "final drain at exit"},
	{File: "runtime.go", Func: "syscall_Exit", Path: path(s("exit(int32(code))")), Where: before,
		Code: "gexitFinal()", Note: "final drain at syscall.Exit"},
	{File: "panic.go", Func: "fatalthrow", Path: path(s("startpanic_m()")), Where: before,
		Code: "gexitFinal()", Note: "final drain on a fatal error"},
	{File: "panic.go", Func: "fatalpanic", Path: path(s("if startpanic_m() && msgs != nil {")), Where: before,
		Code: "gexitFinal()", Note: "final drain on an unrecovered panic"},
}

func findAnchor(src int32, steps ...step) anchor {
	return anchor{File: "proc.go", Func: "findRunnable", Path: steps, Where: before,
		Code: code("gexitFind(mp.p.ptr(), gp, %d, false)", src), Kinds: []Kind{KFindRunnable}}
}

func handoffAnchor(reason int32, w where, steps ...step) anchor {
	return anchor{File: "proc.go", Func: "handoffp", Path: steps, Where: w,
		Code: code("gexitHandoff(pp, %d)", reason), Kinds: []Kind{KHandoffp}}
}
