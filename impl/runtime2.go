// runtime2.go: the G, P and M structures, schedt, the G lists, the status
// constants.

package impl

import (
	"sync"
	"sync/atomic"
)

// G statuses, the runtime's values (runtime2.go).
const (
	gIdle      = 0
	gRunnable  = 1
	gRunning   = 2
	gSyscall   = 3
	gWaiting   = 4
	gDead      = 6
	gPreempted = 9
	gScan      = 0x1000
)

var gStatusNames = map[uint32]string{gIdle: "idle", gRunnable: "runnable", gRunning: "running",
	gSyscall: "syscall", gWaiting: "waiting", gDead: "dead", gPreempted: "preempted"}

// P statuses: _Pidle, _Prunning, _Pdead. A P that startm gave an M (its
// nextp) or left for newm's M is _Pidle and off the idle list, as in the
// runtime; the snapshot reports it as the spec's handoff (abstraction).
const (
	pIdle int32 = iota
	pRunning
	pDead
	// pGcstop: stopped for a stop-the-world (_Pgcstop), held by no M
	// and on no list until startTheWorldWithSema's procresize.
	pGcstop
)

var pStatusNames = [...]string{"idle", "running", "dead", "gcstop"}

const stackMin = 2048

// maxStackSize is maxstacksize on a 64-bit system (proc.go main): newstack
// throws "stack overflow" past it.
const maxStackSize = 1000000000

// maxStartingStackSize: gcComputeStartingStackSize's round2 of an average
// clamped to maxstacksize (1000000000 on 64-bit systems).
const maxStartingStackSize = 1 << 30

// Bits of g.cleared: the fields gdestroy resets.
const (
	fDefer uint16 = 1 << iota
	fPanic
	fWritebuf
	fWaitreason
	fParam
	fLabels
	fTimer
	fPreemptStop
	fPaniconfault
	fBubble
	fFipsOnlyBypass
	fSecret
	fAll = fDefer | fPanic | fWritebuf | fWaitreason | fParam | fLabels | fTimer | fPreemptStop | fPaniconfault | fBubble |
		fFipsOnlyBypass | fSecret
)

// g is runtime2.go's g, reduced to what the exit and reuse path touches,
// plus the interpreter state of the G's program.
type g struct {
	idx     int32
	goid    int64
	status  atomic.Uint32 // g.atomicstatus
	stack   int32         // stack.hi-stack.lo; 0: no stack
	m       *m            // gp.m
	lockedm *m            // gp.lockedm
	// lockedTo mirrors lockedm (the M's id+1, 0 for none) for the one
	// read made without synchronization, lockedm-read-late's: the
	// runtime's read was a plain load; here it is atomic so that the
	// planted bug is caught by the properties, not by -race.
	lockedTo  atomic.Int32
	system    atomic.Bool // isSystemGoroutine (read by checkdead's scan)
	cleared   uint16      // non-zero fields gdestroy must clear
	gcAssist  int64       // gcAssistBytes
	schedlink *g          // gList / gQueue link

	// runningOn is the harness's owner check: the M id executing this G,
	// or -1. execute CASes it from -1; a failure means the G ran twice.
	runningOn atomic.Int32

	// The program being interpreted.
	prog  *Program
	pc    int
	inSys bool // between entersyscall and exitsyscall of a Syscall step
}

func (gp *g) id() int32 {
	if gp == nil {
		return -1
	}
	return gp.idx
}

// gList is runtime2.go's gList: a LIFO through schedlink with a size.
type gList struct {
	head *g
	size int32
}

func (l *gList) empty() bool { return l.head == nil }

func (l *gList) push(gp *g) {
	gp.schedlink = l.head
	l.head = gp
	l.size++
}

func (l *gList) pop() *g {
	gp := l.head
	if gp != nil {
		l.head = gp.schedlink
		l.size--
	}
	return gp
}

// gListA is a gList whose head can be read without the lock (gfget's
// emptiness check, as in the runtime, made with an atomic so the race
// detector stays quiet). Writes happen under sched.gFree.lock.
type gListA struct {
	head atomic.Pointer[g]
	size int32
}

// pushAll is gList.pushAll: q's head becomes the list head.
func (l *gListA) pushAll(q gQueue) {
	if q.head == nil {
		return
	}
	q.tail.schedlink = l.head.Load()
	l.head.Store(q.head)
	l.size += q.size
}

func (l *gListA) pop(decSize bool) *g {
	gp := l.head.Load()
	if gp != nil {
		l.head.Store(gp.schedlink)
		if decSize {
			l.size--
		}
	}
	return gp
}

// gQueue is runtime2.go's gQueue: head/tail through schedlink.
type gQueue struct {
	head, tail *g
	size       int32
}

// push adds gp at the head.
func (q *gQueue) push(gp *g) {
	gp.schedlink = q.head
	q.head = gp
	if q.tail == nil {
		q.tail = gp
	}
	q.size++
}

// pushBack adds gp at the tail.
func (q *gQueue) pushBack(gp *g) {
	gp.schedlink = nil
	if q.tail != nil {
		q.tail.schedlink = gp
	} else {
		q.head = gp
	}
	q.tail = gp
	q.size++
}

func (q *gQueue) pop() *g {
	gp := q.head
	if gp != nil {
		q.head = gp.schedlink
		if q.head == nil {
			q.tail = nil
		}
		q.size--
	}
	return gp
}

// p is runtime2.go's p.
type p struct {
	id     int32
	status atomic.Int32
	m      atomic.Pointer[m]

	// Owner-only (the M holding the P; the controller under STW).
	schedtick    uint32
	gFree        gList
	goidcache    int64
	goidcacheend int64

	// The run queue: a ring whose head/tail are read and written with
	// load-acquire / store-release / CAS (sync/atomic is sequentially
	// consistent, which is stronger). Slots are atomics too: runqgrab
	// reads slots speculatively before its CAS, as in the runtime.
	runqhead atomic.Uint32
	runqtail atomic.Uint32
	runq     []atomic.Pointer[g]
	runnext  atomic.Pointer[g]

	// link is pp.link on the idle P list (sched.lock).
	link *p
	// idlep is the P's bit of sched.idlepMask: on the idle P list
	// (written under sched.lock, read without it as checkRunqsNoP does).
	idlep atomic.Bool
	// pending: startm found no idle M and left the P for the M newm
	// would make, which spins if startSpinning (sched.lock).
	pending, startSpinning bool
	// handoff is the step of handoffp the P's holder makes next
	// (handoffpStep: an M's startmP in stoplockedm or mexit, sysmon's
	// retakeP), or handoffNone (written by the holder under sched.lock).
	handoff uint8
	// oldm is pp.oldm of a stopped P: the M that held it when it
	// stopped, which procresize prefers when it hands the P out again
	// (sched.lock; nil otherwise).
	oldm *m
}

func (pp *p) runqempty() bool {
	// runqempty: runnext and a consistent head == tail.
	for {
		h := pp.runqhead.Load()
		t := pp.runqtail.Load()
		n := pp.runnext.Load()
		if t == pp.runqtail.Load() {
			return h == t && n == nil
		}
	}
}

// m is runtime2.go's m. The M's goroutine is its thread.
type m struct {
	actor
	p         atomic.Pointer[p]
	curg      atomic.Pointer[g]
	oldp      atomic.Pointer[p]
	newg      *g
	onG0      bool // executing on g0 (in the scheduler)
	lockedg   *g
	lockedExt int32
	lockedInt int32
	exited    atomic.Bool
	wedged    atomic.Bool
	// sysEnter is entersyscall's phase, for a stop-the-world's record of
	// the Ps it leaves: 1 while it reads sched.gcwaiting, 2 once it read
	// it false and goes into the syscall keeping its P (until its G's
	// CAS to _Gsyscall is done), 0 otherwise; a stop-the-world that finds
	// 1 sets 3, and the M reads gcwaiting again (proc_stw.go).
	sysEnter atomic.Int32
	// sysExits counts, twice per exit, exitsyscall's CAS out of
	// _Gsyscall: once before it (odd: an exit under way), once after. A
	// stop-the-world records the Ps whose G may have left its syscall
	// between its gcwaiting store and its reads (stopTheWorld).
	sysExits atomic.Uint32
	// takingP is the P exitsyscall's oldp path took from the thread in a
	// syscall on it (takeP) and has not acquired yet: idle, on no list
	// and held by no M, which a stop-the-world's reads would miss.
	takingP atomic.Pointer[p]

	// The wakeup protocol (proc_mwake.go). spinning is mp.spinning, nextp
	// mp.nextp (startm's P for this M). parked and mlink are this M on
	// sched.midle (sched.lock); recheck is owner-only: the M dropped its
	// P while spinning and has findRunnable's recheck to do.
	spinning atomic.Bool
	nextp    atomic.Pointer[p]
	parked   bool
	mlink    *m
	recheck  bool
	// recheckRunqs: the recheck's first sched.lock section (the global
	// queue's) is done and took nothing; checkRunqsNoP is the M's next
	// op. Owner-only, with recheck.
	recheckRunqs bool
	// allpLen is the length of findRunnable's allp snapshot
	// (mp.snapshotAllp, taken before the stop path drops the P: the
	// GOMAXPROCS of then), whose Ps checkRunqsNoP reads in the recheck
	// even after a procresize changed GOMAXPROCS. Owner-only, with
	// recheck (0: every P).
	allpLen int32
	// stopping: findRunnable's stop path idled our P (not spinning),
	// startlockedm handed it away, or exitsyscallNoP queued our G; stopm is
	// the M's next op (owner-only).
	stopping bool

	// kicked is runqput's old runnext between its two halves (the
	// runtime's local gp = oldnext.ptr() after the CAS on pp.runnext):
	// runnable and on no queue until the M's next op, runqputKick,
	// stores it at the ring's tail. Owner-only; nil otherwise.
	kicked *g
	// spinP is the P findRunnable's recheck took (pidlegetSpinning, in
	// the sched.lock section that found global work or in
	// checkRunqsNoP's) after the M dropped its P while spinning; its
	// `acquirep(pp); mp.becomeSpinning()`, after the unlock, is the M's
	// next op (recheckAcquire; after runqputbatch's for global work):
	// _Pidle, off the idle list and not pending, which no other M takes
	// (thieves may take what runqputbatch put on its ring). Owner-only.
	spinP *p
	// heldG and heldQ are the global batch findRunnable took in a
	// sched.lock section (`gp, q := globrunqgetbatch(...)`), the
	// runtime's locals: q goes on the ring of the M's P (or spinP) by
	// runqputbatch, the M's next op after the unlock (runqputbatchOwed),
	// and gp is what findRunnable returns. Runnable and on no queue
	// until then. Owner-only.
	heldG *g
	heldQ gQueue
	// stealG and stealN: runqsteal's runqgrab took stealN+1 Gs into this
	// M's P's ring beyond its tail, with its CAS on the victim's head;
	// the tail store that publishes the first stealN is the M's next op
	// (runqstealTailOwed), and stealG, the last, runs after it. Until
	// then they are on no queue another M reads. Owner-only.
	stealG *g
	stealN int
	// stoplocked: the M's locked G stopped running (gosched, after its
	// wakep, or park; or exitsyscallNoP queued it) and stoplockedm is the
	// M's next op (stoplockedmOwed). Until it the M holds its P (none
	// after exitsyscallNoP), and another M's startlockedm may set its
	// nextp first. Owner-only.
	stoplocked bool
	// gcstopping: a spinning M's gcstopm dropped its spinning
	// (nmspinning--, before its sched.lock section), which is the M's
	// next op (gcstopm again). Owner-only.
	gcstopping bool
	// spinClear: the M's becomeSpinning, made without sched.lock (spin,
	// recheckAcquire), has stored spinning and nmspinning++, and its
	// last store, needspinning = 0, is the M's next op (spinClearOwed).
	// Owner-only.
	spinClear bool
	// spun: the M's findRunnable spun (op spin: becomeSpinning
	// before stealWork, proc.go:3517-3519), so its next schedule goes on
	// to stealWork and the stop path, not to findRunnable's top (no
	// tick's pick, no global batch before the steals). Cleared by that
	// schedule, or by gcstopm (stealWork saw gcwaiting: goto top).
	// Owner-only.
	spun bool
	// skipsGCWait: the planted fault stw-preempted-runs-on: the M
	// preempted its G for a stop-the-world and its next findRunnable
	// skips the read of gcwaiting at its top. Owner-only.
	skipsGCWait bool
	// mexiting: the M's locked G exited (gdestroy, gfput) and mexit is
	// the M's next op (mexitOwed): until it the M holds its P with no G
	// and counts as running. Owner-only.
	mexiting bool
	// mfreed: mexit handed the M's P off (mexitOwed) and its
	// `sched.nmfreed++; checkdead()` section is the M's next op
	// (mfreedOwed): until it the M holds neither P nor G and still
	// counts as running. Owner-only.
	mfreed bool
	// handing is the G findRunnable returned, locked to another M, while
	// the spinning M makes resetspinning's wakep (schedule's local gp
	// before `if gp.lockedm != 0 { startlockedm(gp) }`): runnable and on
	// no queue until the M's startlockedm op. Owner-only; nil otherwise.
	handing *g

	batch []*g // runqputslow's scratch batch
	// slowq is runqputslow's batch between its two halves (the
	// runtime's local gQueue q): the first half of the full ring, which
	// the CAS on runqhead took, then the G that did not fit, linked
	// through schedlink. The M's next op, runqputslowPush, puts it on
	// the global queue under sched.lock. Owner-only; empty otherwise.
	slowq gQueue
	// yieldSlow: slowq is goyield's runqputslow batch, whose push owes
	// no wakep (goyield_m calls schedule). Owner-only.
	yieldSlow bool
	// slowTail is the fault runqputslow-no-lock's unlocked read of
	// sched.runq's tail, from runqputslow's CAS to its push.
	slowTail *g
	order    []int
}

// waitObj is a wait object for Park/Ready: its waiters, in the order
// they parked (a semaphore's or a channel's queue of sudogs: a ready
// wakes the first), and its pending wakeups, behind its own lock (the
// channel/semaphore lock of the runtime). (A single waiter slot, before,
// lost the first of two Gs parked on one object: it waited forever
// while readies of the object left wakeups no park took.)
type waitObj struct {
	mu      sync.Mutex
	waiters []*g
	tokens  int
}

// schedt is runtime2.go's schedt with the globals the path touches
// beside it: allgs, allp (ps), allm (ms), sched.goidgen, the GC's
// gcBlackenEnabled and bgScanCredit, startingStackSize, gomaxprocs.
type schedt struct {
	// sched.lock: the global run queue, P status transitions and the
	// idle P list (proc_pidle.go; head and length also read without it).
	lock     sync.Mutex
	runq     gQueue
	runqSize atomic.Int32
	pidle    atomic.Pointer[p]
	npidle   atomic.Int32
	// The idle M list, the pending Ps' count (proc_mwake.go) and
	// sched.nmspinning.
	midle    *m
	npending atomic.Int32
	// ctlm is 1 while the controller makes startTheWorldWithSema's
	// wakep: checkdead counts its M as running then ("A checkdead in
	// between will always see at least one running M (ours)", proc.go
	// wakep). Written with the world stopped and under sched.lock.
	ctlm atomic.Int32
	// retakeP and retakeM: sysmon's retake took retakeP from retakeM's
	// thread and resumed it; its handoffp is sysmon's next op. Between
	// them checkdead counts sysmon's incidlelocked(-1) bracket
	// (sysmonRun, 1). Written by sysmon under sched.lock, read under it
	// (the snapshot, checkdead).
	retakeP   *p
	retakeM   *m
	sysmonRun int32
	// gcwaiting is sched.gcwaiting: the controller's stopTheWorldWithSema
	// has begun and startTheWorldWithSema not yet ended it; stopwait is
	// sched.stopwait, the Ps not yet stopped. Written under sched.lock,
	// read without it (findRunnable's top, the M loop's safe point).
	gcwaiting atomic.Bool
	stopwait  atomic.Int32
	// fatalPending: checkdead has declared a fatal error, which ends the
	// run when its op commits (sched.lock). The controller, which
	// checkdead does not count outside a stop-the-world, starts none
	// after it: in the runtime its caller is a running goroutine, so
	// checkdead could not have fired.
	fatalPending bool
	// stwLoopHook, set by tests only, runs in stopTheWorld between the
	// gcwaiting store and its loop over the syscall Ps, where an M's
	// exitsyscall can take its G out of the syscall first.
	stwLoopHook func()
	// stwStoreHook, set by tests only, runs in stopTheWorld (sched.lock
	// held) before its gcwaiting store, where an M's exitsyscall can
	// take its G out of the syscall before the stop-the-world's point.
	stwStoreHook func()
	// stwReadHook, set by tests only, runs in stopTheWorld right after
	// its gcwaiting store, before it reads which Ps are in a syscall:
	// where the goroutine that stops the world can be descheduled.
	stwReadHook func()
	// exitCASHook and takePHook, set by tests only, run in exitsyscall
	// right after its CAS out of _Gsyscall, and on its oldp path between
	// takeP and acquirep: where its M can be descheduled.
	exitCASHook, takePHook func()
	// procresizeHook, set by tests only, runs in startTheWorld between
	// procresize and the hand-out of the Ps.
	procresizeHook func()
	// handoffReadHook, set by tests only, runs at each of the scheduling
	// points in handoffpReads: after its first read (the P's queue and
	// sched.runq: 1), and after its loads of nmspinning (2) and npidle
	// (3).
	handoffReadHook func(n int)
	// restartLoopHook, set by tests only, runs in restartWorldLocked
	// after each P with work is classified (handed to its oldm, or to
	// be handed out), while the loop has Ps left.
	restartLoopHook func()
	// enterSyscallHook, set by tests only, runs in entersyscall after its
	// gcwaiting read (committed false) and after its commit to keep its P
	// (committed true), before the G's CAS to _Gsyscall.
	enterSyscallHook func(committed bool)
	nmspinning       atomic.Int32
	// needspinning is sched.needspinning: set under sched.lock by
	// pidlegetSpinning when it finds no idle P, cleared by
	// becomeSpinning and handoffp's spinning startm, read by
	// findRunnable's stop path.
	needspinning atomic.Bool
	// checkdead's counters (proc.go checkdead), under sched.lock:
	// sched.nmidle (the idle M list's length), sched.nmidlelocked (Ms
	// in stoplockedm) and sched.nmfreed (Ms gone through mexit).
	nmidle, nmidlelocked, nmfreed int32
	// nnewm counts newm's threads that took an exited M's slot
	// (m.newmThread), for mcount() (sched.mnext grows by one for each).
	nnewm int32
	// nexited counts the Ms whose thread exited (mexit; not m0, which
	// is wedged), whose slots newm's threads take; written under
	// sched.lock, read by idle Ms' waits (an idle M stands in for
	// newm's thread only while it is 0).
	nexited atomic.Int32

	// sched.gFree.lock and the two global free lists.
	gFreeLock    sync.Mutex
	gFreeStack   gListA
	gFreeNoStack gListA
	// gFreeDetached is the list markrootFreeGStacks took off gFreeStack
	// and holds until it pushes it onto gFreeNoStack (written under
	// gFreeLock, so that snapshots read it consistently).
	gFreeDetached gQueue

	allglock sync.Mutex
	allgs    []*g

	goidgen           atomic.Int64
	ngsys             atomic.Int32
	bgScanCredit      atomic.Int64
	gcBlacken         atomic.Bool
	freeGStacksDone   atomic.Bool // markrootFreeGStacks ran in this mark phase
	startingStackSize atomic.Int32
	gomaxprocs        atomic.Int32
	mainGoexit        atomic.Bool

	ps []*p // allp
	ms []*m // allm
}
