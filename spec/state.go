package spec

// None marks an absent G, M or P reference (the runtime's nil guintptr,
// muintptr and puintptr).
const None = -1

// Bits of G.Cleared: the fields gdestroy resets, one bit each. A set bit
// means the field is non-zero (for example _panic is non-nil for a Goexit
// during a panic).
const (
	FieldDefer          uint16 = 1 << iota // gp._defer
	FieldPanic                             // gp._panic
	FieldWritebuf                          // gp.writebuf
	FieldWaitreason                        // gp.waitreason
	FieldParam                             // gp.param
	FieldLabels                            // gp.labels
	FieldTimer                             // gp.timer
	FieldPreemptStop                       // gp.preemptStop
	FieldPaniconfault                      // gp.paniconfault
	FieldBubble                            // gp.bubble (synctest)
	FieldFipsOnlyBypass                    // gp.fipsOnlyBypass (crypto/fips140's bypass, Go 1.26)
	FieldSecret                            // gp.secret (runtime/secret, Go 1.26)

	// AllCleared is every field gdestroy resets.
	AllCleared = FieldDefer | FieldPanic | FieldWritebuf | FieldWaitreason |
		FieldParam | FieldLabels | FieldTimer | FieldPreemptStop |
		FieldPaniconfault | FieldBubble | FieldFipsOnlyBypass | FieldSecret
)

// FieldNames names the bits of G.Cleared in runtime terms.
var FieldNames = []struct {
	Bit  uint16
	Name string
}{
	{FieldDefer, "_defer"}, {FieldPanic, "_panic"}, {FieldWritebuf, "writebuf"},
	{FieldWaitreason, "waitreason"}, {FieldParam, "param"}, {FieldLabels, "labels"},
	{FieldTimer, "timer"}, {FieldPreemptStop, "preemptStop"},
	{FieldPaniconfault, "paniconfault"}, {FieldBubble, "bubble"},
	{FieldFipsOnlyBypass, "fipsOnlyBypass"}, {FieldSecret, "secret"},
}

// G is a goroutine (runtime2.go type g), reduced to what the exit and reuse
// path reads and writes.
type G struct {
	Goid   int64
	Status Status
	// Stack is the stack size in bytes, 0 when the G has no stack
	// (stack.lo == 0 after stackfree).
	Stack int32
	// M is gp.m: the M running this G, or None.
	M int8
	// LockedM is gp.lockedm: the M this G is locked to, or None.
	LockedM int8
	// System: isSystemGoroutine(gp); counted in sched.ngsys.
	System bool
	// Cleared holds one bit per field gdestroy resets (FieldDefer ...).
	Cleared uint16
	// GCAssist is gp.gcAssistBytes in units: > 0 is credit, < 0 debt.
	GCAssist int8
}

// M is an OS thread (runtime2.go type m). Every M has its own g0; an M
// "on g0" is one whose Curg is None.
type M struct {
	// Curg is mp.curg, None when the M runs on g0 (in the scheduler).
	Curg int32
	// P is mp.p, None when the M holds no P.
	P int8
	// OldP is mp.oldp: the P held when entering a syscall.
	OldP int8
	// LockedG is mp.lockedg.
	LockedG int32
	// NewG is the G newproc1 returned and runqput has not queued yet.
	NewG int32
	// LockedExt and LockedInt are LockOSThread's and the runtime's
	// internal lockOSThread's nesting counts (mp.lockedExt, mp.lockedInt).
	LockedExt, LockedInt uint8
	// Exited: the thread left through mexit and never runs again.
	Exited bool
	// Wedged: m0 after its locked G exited: parked forever (mexit on m0).
	Wedged bool
	// Spinning is mp.spinning: looking for work (counted in
	// Sched.NMSpinning), see mwake.go.
	Spinning bool
	// NextP is mp.nextp: the P startm handed this M, which its stopm
	// acquires when it wakes; None otherwise.
	NextP int8
	// Parked: on the idle M list sched.midle (mput), asleep in stopm.
	Parked bool
	// Link is the next M on sched.midle, or None.
	Link int8
	// Recheck: the M dropped its P while spinning and has yet to do
	// findRunnable's recheck (nmspinning--, sched.runq, checkRunqsNoP):
	// OpStopSpinning, then OpRecheck twice, one per sched.lock section
	// (RecheckRunqs); with Stopping, a third: checkIdleGCNoP's section
	// after checkRunqsNoP found work and no idle P while the GC marked,
	// then stopm.
	Recheck bool
	// RecheckRunqs: the recheck's first sched.lock section, the global
	// queue's (proc.go:3676-3693), is done and took nothing; checkRunqsNoP
	// (its unlocked reads of the Ps' run queues and its own sched.lock
	// section, proc.go:3695, 3902-3915) is the M's next step, OpRecheck
	// again. Only with Recheck. Between the two, another M's stop path
	// may take the first section's needspinning store (becomeSpinning)
	// before the second stores it again.
	RecheckRunqs bool
	// YieldSlow: goyield's runqput found the M's ring full and
	// runqputslow holds the batch (P.SlowBatch); its push
	// (OpRunqputslowPush), the M's next step, owes no wakep after it
	// (goyield_m calls schedule, not wakep), where every other caller's
	// does.
	YieldSlow bool
	// AllpLen is the length of the allp snapshot findRunnable took
	// before the M dropped its P (mp.snapshotAllp, proc.go:3587), whose
	// Ps checkRunqsNoP reads in the recheck (proc.go:3902-3915), when it
	// differs from GOMAXPROCS: a procresize between the drop and the
	// recheck changed GOMAXPROCS (OpProcResize sets it; 0: the snapshot
	// is the current GOMAXPROCS Ps). Only with Recheck.
	AllpLen int8
	// SpinP is the P findRunnable's recheck took off the idle list
	// (pidlegetSpinning, in the sched.lock section that found global
	// work or in checkRunqsNoP's), which `acquirep(pp);
	// mp.becomeSpinning()` (OpAcquireP) makes the M's after the unlock,
	// once runqputbatch (OpRunqputBatch) has put the global batch's rest
	// on its ring (P.Held). Until then the P is PHandoff, held by this
	// running M alone, and nmspinning lacks the M; None otherwise.
	SpinP int8
	// StealTail: runqsteal's runqgrab took two or more Gs from a victim
	// with its CAS on the victim's runqhead, copying them into this M's
	// P's ring beyond its tail (P.Held: the last, which findRunnable
	// returns, first), and `atomic.StoreRel(&pp.runqtail, t+n)`, which
	// publishes the others, is the M's next step (OpRunqstealTail), after
	// which schedule runs the last. Until it the Gs are on no queue any
	// other M can see.
	StealTail bool
	// WakeP: the M owes a wakep, its next step (OpWakep): it made a G
	// runnable (newproc, ready, goschedImpl, runqputslow's push), or
	// schedule found work while spinning (resetspinning, which clears
	// Spinning and then calls wakep).
	WakeP bool
	// Waking: wakep's CAS of sched.nmspinning 0 -> 1 succeeded, and its
	// sched.lock section (pidlegetSpinning, then startm, or the
	// decrement back when no P is idle) is the M's next step
	// (OpWakepStartm). The increment stands for the spinning M the M is
	// about to start.
	Waking bool
	// Stopping: the M has no P and stopm's in a sched.lock section of
	// its own, its next step (OpStopm): after findRunnable's stop path
	// idled its P (a non-spinning M: `pidleput(pp, now);
	// unlock(&sched.lock) ... stopm()`), after the recheck of an M that
	// dropped its P while spinning found nothing (OpRecheck: its
	// sched.lock section and checkRunqsNoP come before stopm's), after
	// startlockedm handed its P
	// to a locked M, or after exitsyscallNoP put its G on the global
	// queue (`unlock(&sched.lock) ... stopm()`). With Recheck the
	// recheck's checkIdleGCNoP step comes first.
	Stopping bool
	// StartmP is the P wakep's sched.lock section took off the idle list
	// (pidlegetSpinning), which its startm, the M's next step (OpStartm),
	// hands to an idle M or leaves for newm's. proc.go wakep unlocks
	// between the two (startm takes sched.lock again for mget): the P is
	// wakep's local, PHandoff in the spec, held by this running M and
	// reachable by no other. It is also the P the M's handoffp holds (in
	// stoplockedm or mexit, after releasep: the M holds no P) between
	// its steps (P.Handoff says which is next), until the P goes idle,
	// stops or is handed to an M; then comes the rest of stoplockedm
	// (incidlelocked(1), with StopLocked kept set until then) or mexit
	// (Mfreed). None otherwise.
	StartmP int8
	// StopLocked: the M's locked G stopped running (gosched, park, or
	// exitsyscallNoP queued it) and stoplockedm (releasep, handoffp,
	// incidlelocked(1), then sleep until startlockedm hands it a P) is
	// the M's next step (OpStoplockedm), after the wakep a gosched owes.
	// Until it the M holds its P (none after exitsyscallNoP), and another
	// M's startlockedm may already have set its nextp (proc.go
	// goschedImpl unlocks after globrunqput, park_m's unlockf releases
	// the wait object, exitsyscallNoP unlocks after globrunqput, before
	// stoplockedm runs).
	StopLocked bool
	// Mexiting: the M's locked G exited (gdestroy, gfput) and the thread
	// goes to mexit (gogo(&mp.g0.sched) -> mstart0 -> mexit), its next
	// step (OpMexit): handoffp(releasep()). Until it the M holds its P
	// with no G and counts as running.
	Mexiting bool
	// Mfreed: the M's mexit handed its P off and `lock(&sched.lock);
	// sched.nmfreed++; checkdead()` is its next step (OpMfreed), after
	// which the thread exits (m0 is parked forever). mexit takes
	// sched.lock for it after handoffp's sections; until it the M holds
	// no P and no G and still counts as running (mcount() is
	// sched.mnext - sched.nmfreed).
	Mfreed bool
	// GCStopping: a spinning M's gcstopm has dropped its spinning
	// (`gp.m.spinning = false; sched.nmspinning.Add(-1)`, before its
	// releasep and sched.lock section), which is its next step
	// (OpGCStopm again). Until it the M holds its P.
	GCStopping bool
	// StaleGCRead: the M was in findRunnable when the stop-the-world
	// under way set sched.gcwaiting, so its racy read of gcwaiting at
	// findRunnable's top (`if sched.gcwaiting.Load() { gcstopm() }`,
	// proc.go:3403) and stealWork's may have come before the store and
	// seen it clear: it may still take a G (the relaxed schedule). An M
	// that reached findRunnable after the store reads it set and stops
	// (gcstopm): the M whose G it preempted (goschedImpl read gcwaiting,
	// proc.go:4331), an M whose G exited, parked or yielded, an M that
	// startm woke after the store, an M that spun after it (stealWork
	// then reads it set). Set by the stop-the-world (stopTheWorld) for
	// every M in findRunnable then, and for an M whose stopm returns to
	// a nextp set before it (so that its acquirep commutes with the
	// stop-the-world: see staleGCReadAt); set by acquirep for an idle M
	// that takes a P left for newm's thread while the world stops (the
	// thread it stands in for may have started before the store);
	// cleared once the M leaves findRunnable (settleStaleGCReads). It is a
	// history variable of the spec's: the runtime holds no such flag,
	// and an implementation is not asked for it (EqualObserved).
	StaleGCRead bool
	// SpinClear: the M's becomeSpinning (proc.go (*m).becomeSpinning:
	// `mp.spinning = true; sched.nmspinning.Add(1);
	// sched.needspinning.Store(0)`, three stores without sched.lock)
	// has counted it spinning, and the last store is its next step
	// (OpSpin again). Between the two, another M sees it in nmspinning
	// (wakep's CAS fails) while needspinning is still set (its stop
	// path spins too). Made by findRunnable's spin before stealWork and
	// by its recheck's `acquirep(pp); mp.becomeSpinning()`; the stop
	// path's becomeSpinning holds sched.lock, which every reader of
	// needspinning takes, and stays one step.
	SpinClear bool
	// StealWork: the M's findRunnable spun (OpSpin: `if !mp.spinning {
	// mp.becomeSpinning() }` before stealWork, proc.go:3517-3519) and
	// goes on to stealWork and then the stop path; it goes back to
	// findRunnable's top, among what the spec models, only when stealWork
	// or the stop path sees gcwaiting (`goto top`, proc.go:3525-3529,
	// 3594-3597; timers, safe-point functions and js's beforeIdle are not
	// modelled: see the package doc). So its next schedule op has no
	// 61st tick's pick, steals whatever the global queue holds, and its
	// stop path's global batch has no tick check. Cleared by that op, and
	// by gcstopm (findRunnable's top after stealWork's gcwaiting). An M
	// that spins for another reason (startm's spinning M, the stop path's
	// needspinning, the recheck's acquirep) starts from the top.
	StealWork bool
	// Handing is the G a spinning M's findRunnable found locked to
	// another M, held by the M (runnable, on no queue) until its
	// startlockedm (OpStartlockedm): proc.go schedule calls resetspinning,
	// and so wakep, before `if gp.lockedm != 0 { startlockedm(gp) }`.
	// None otherwise. An M that was not spinning hands the G in its
	// schedule step.
	Handing int32
}

// PStatus is a P's status (runtime2.go _Pidle ...).
type PStatus uint8

const (
	// PIdle: on the idle P list, empty run queue (_Pidle).
	PIdle PStatus = iota
	// PRunning: owned by an M (_Prunning).
	PRunning
	// PHandoff: released by handoffp to startm (work to do, no idle P, or
	// the last running P), waiting for an M to take it (in the runtime a
	// transient _Pidle owned by startm or newm; the spec makes the window
	// explicit).
	PHandoff
	// PDead: beyond GOMAXPROCS after procresize (_Pdead).
	PDead
	// PGCStop: stopped for a stop-the-world (_Pgcstop): no M holds it and
	// it is on no list, with its run queue, until startTheWorldWithSema's
	// procresize hands it out again (stopTheWorldWithSema takes idle Ps
	// and Ps in syscalls; gcstopm, handoffp and entersyscall stop the
	// others when their M gets there).
	PGCStop
)

var pstatusNames = [...]string{"idle", "running", "handoff", "dead", "gcstop"}

// Stealable reports whether stealWork and checkRunqsNoP look at a P of
// this status: every P in allp that is not on the idle list (idlepMask),
// a stopped one included (a spinning M past findRunnable's racy check of
// gcwaiting steals from it).
func (s PStatus) Stealable() bool {
	return s == PRunning || s == PHandoff || s == PGCStop
}

func (s PStatus) String() string {
	if int(s) < len(pstatusNames) {
		return pstatusNames[s]
	}
	return "pstatus(" + itoa(int64(s)) + ")"
}

// P is a processor (runtime2.go type p).
type P struct {
	Status PStatus
	// M is pp.m, the owning M, or None.
	M int8
	// Runnext is pp.runnext, or None.
	Runnext int32
	// Kicked is runqput's old runnext between its two steps: the CAS
	// `pp.runnext.cas(oldnext, gp)` took it out of runnext, and the store
	// at the ring's tail (or runqputslow) that puts it back on the P's
	// queue is the owner M's next step (OpRunqputKick). In the runtime it
	// is runqput's local gp = oldnext.ptr(), on the stack of the M that
	// owns the P. The G is runnable and on no run queue; None otherwise.
	Kicked int32
	// Ring is the run queue from head to tail (runq[runqhead:runqtail]).
	Ring []int32
	// GFree is pp.gFree, a LIFO stored with its head at the end of the slice.
	GFree []int32
	// GFreeSize is pp.gFree.size, kept apart from the list as in the runtime.
	GFreeSize int32
	// SchedTick is pp.schedtick.
	SchedTick uint32
	// GoidCache and GoidEnd are pp.goidcache and pp.goidcacheend.
	GoidCache, GoidEnd int64
	// Link is pp.link on the idle P list (Sched.Pidle): the next idle P,
	// or None at the tail and off the list.
	Link int8
	// SlowBatch is runqputslow's batch between its two steps, head
	// first: the first half of the full ring, which its CAS on runqhead
	// took, then the G that did not fit. In the runtime it is a local of
	// runqputslow (`var batch`, linked into the gQueue q) on the stack of
	// the M that owns the P, until `lock(&sched.lock);
	// globrunqputbatch(&q)` puts it at the global queue's tail
	// (OpRunqputslowPush). Its Gs are runnable and on no run queue;
	// empty otherwise.
	SlowBatch []int32
	// Held is the global batch findRunnable's recheck took with this P
	// (`gp, q := globrunqgetbatch(int32(len(pp.runq)) / 2)` in its
	// sched.lock section), held by the M whose SpinP the P is: Held[0]
	// is gp, which findRunnable returns after the acquirep and
	// becomeSpinning's needspinning store (M.SpinClear: the P is then
	// the M's, running, and holds gp alone until that step), the rest q,
	// which `runqputbatch(pp, &q)` (OpRunqputBatch) puts on the ring
	// after the unlock. Locals of findRunnable in the runtime; runnable
	// and on no run queue; empty otherwise.
	Held []int32
	// StartSpinning is startm's spinning argument for a P in PHandoff
	// that waits for the M newm would make (no idle M had it): the M
	// that takes it spins.
	StartSpinning bool
	// Handoff is the step of handoffp (proc.go:3131-3196) its caller,
	// which holds the P (PHandoff, no M's, off the idle list, not
	// newm's), makes next; the P is in an M's StartmP (stoplockedm,
	// mexit) or in Sched.RetakeP (sysmon). HandoffNone otherwise.
	Handoff HandoffStep
	// OldM is pp.oldm of a P in PGCStop: the M that held it when it
	// stopped (acquirep sets oldm to the acquiring M, proc.go:6283, and
	// every P a stop-the-world stops was held by the M that acquired it,
	// but an idle one, whose empty queue procresize never hands to an M),
	// which startTheWorldWithSema's procresize prefers for a P with
	// local work (mgetSpecific(pp.oldm)). None otherwise: the runtime
	// keeps a stale oldm, which nothing reads outside a stop-the-world.
	// None too once that M's thread exited (mexit's mp.self.clear()
	// empties the weak pointer).
	OldM int8
}

// Sched is the global scheduler state (runtime2.go type schedt) the path
// touches.
type Sched struct {
	// Runq is sched.runq, FIFO from head (index 0) to tail.
	Runq []int32
	// GFreeStack and GFreeNoStack are sched.gFree.stack and .noStack,
	// LIFOs stored with the head at the end of the slice.
	GFreeStack, GFreeNoStack []int32
	// GFreeStackSize and GFreeNoStackSize are the lists' size fields.
	GFreeStackSize, GFreeNoStackSize int32
	// GFreeDetached is the list markrootFreeGStacks took off
	// sched.gFree.stack and holds between its two sched.gFree.lock
	// sections (head at the end of the slice, as the list was): dead Gs
	// on neither global list, whose stacks it frees before pushing them
	// all onto sched.gFree.noStack.
	GFreeDetached []int32
	// NGSys is sched.ngsys, the number of live system goroutines.
	NGSys int32
	// BgScanCredit is gcController.bgScanCredit in assist units.
	BgScanCredit int64
	// GCBlacken is gcBlackenEnabled != 0 (the GC is marking).
	GCBlacken bool
	// FreeGStacksDone: markrootFreeGStacks has run in this mark phase.
	// It is one root job (fixedRootFreeGStacks), claimed once per cycle
	// through work.markrootNext (gcNextMarkRoot), and every root job is
	// done before marking ends (gcMarkDone; gcMark's "non-empty mark
	// queue after concurrent mark" check). False while the GC is off.
	FreeGStacksDone bool
	// StartingStackSize is the runtime's startingStackSize.
	StartingStackSize int32
	// Goidgen is sched.goidgen, the last goid handed to a P's cache.
	Goidgen int64
	// GoMaxProcs is the number of Ps not dead (gomaxprocs).
	GoMaxProcs int32
	// Pidle is sched.pidle, the head of the idle P list (linked through
	// P.Link), or None. The list is LIFO: pidleput pushes at the head and
	// pidleget pops the head (proc.go:7373-7420), so the P handed out is
	// the one most recently idled.
	Pidle int8
	// Midle is sched.midle, the head of the idle M list (linked through
	// M.Link), or None: LIFO, mput pushes and mget pops the head.
	Midle int8
	// NMSpinning is sched.nmspinning: the Ms with Spinning set.
	NMSpinning int32
	// NeedSpinning is sched.needspinning: pidlegetSpinning found work it
	// could not take (no idle P), so a non-spinning M about to drop its P
	// in findRunnable's stop path becomes spinning instead (the
	// "delicate dance"); becomeSpinning and handoffp's spinning startm
	// clear it.
	NeedSpinning bool
	// CtlWakeP, CtlWaking and CtlStartmP are the wakep that
	// startTheWorldWithSema makes after every stop-the-world, "in case
	// we have excessive runnable goroutines in local queues or in the
	// global queue" (proc.go:1819-1822), on the M that restarted the
	// world (the controller's): the same three steps as an M's
	// (M.WakeP, M.Waking, M.StartmP; see wakepOp), made by the
	// Controller. The controller's next stop-the-world waits for them:
	// wakep runs under acquirem, so stopTheWorld cannot preempt the
	// restarting M before releasem.
	CtlWakeP, CtlWaking bool
	CtlStartmP          int8
	// RetakeP and RetakeM: sysmon's retake took P RetakeP from M
	// RetakeM, whose G is in a syscall (setBlockOnExitSyscall, takeP),
	// and let the G go (thread.resume()); its handoffp of the P is
	// sysmon's next step (OpHandoffp), proc.go:6710-6715. Between them
	// the P is PHandoff, off the idle list and held by no M (its runq
	// can be stolen), the M may leave its syscall without it
	// (exitsyscall's oldp path fails: the P is not running), and
	// checkdead counts one more M running: retake's incidlelocked(-1)
	// before setBlockOnExitSyscall, undone by incidlelocked(1) after
	// handoffp (proc.go:6676-6683, 6721). None otherwise.
	// sysmon's handoffp of RetakeP takes several steps (P.Handoff);
	// RetakeP and RetakeM stay set until it is done, and with them
	// retake's bracket.
	RetakeP, RetakeM int8
	// GCWaiting is sched.gcwaiting: the controller's stopTheWorldWithSema
	// (OpStopTheWorld) has begun and startTheWorldWithSema (its gc or
	// procresize op) has not yet ended it. While it holds every M stops
	// at its next safe point (gcstopm, or the preemption of its G first)
	// and the controller's M, not one of the spec's, counts as running
	// (checkdead). sched.stopwait is the number of Ps neither dead nor
	// PGCStop (StopWait).
	GCWaiting bool
	// MainGoexit: the main goroutine called runtime.Goexit.
	MainGoexit bool
	// Terminal is non-zero once the program has ended.
	Terminal Terminal
}

// Terminal says how a program ended; a terminal state enables no op.
type Terminal uint8

const (
	// Alive: the program runs.
	Alive Terminal = iota
	// MainReturned: runtime.main returned and called exit(0).
	MainReturned
	// GoexitDeadlock: the fatal error checkdead raises when the main
	// goroutine called runtime.Goexit and no goroutine is left.
	GoexitDeadlock
	// AllAsleep: the fatal error checkdead raises when no M runs and
	// every user goroutine left waits.
	AllAsleep
)

// FatalGoexitDeadlock and FatalAllAsleep are the messages of checkdead's
// two fatal errors (proc.go checkdead).
const (
	FatalGoexitDeadlock = "no goroutines (main called runtime.Goexit) - deadlock!"
	FatalAllAsleep      = "all goroutines are asleep - deadlock!"
)

var terminalNames = [...]string{"alive", "main returned (exit 0)", "fatal error: " + FatalGoexitDeadlock, "fatal error: " + FatalAllAsleep}

func (t Terminal) String() string {
	if int(t) < len(terminalNames) {
		return terminalNames[t]
	}
	return "terminal(" + itoa(int64(t)) + ")"
}

// State is the whole modelled runtime. Gs is allgs (never shrinks); a G is
// named by its index in it.
type State struct {
	Cfg   *Config
	Gs    []G
	Ms    []M
	Ps    []P
	Sched Sched

	arena []int32 // backing store of the lists, see CopyFrom
	cen   *census // CheckInvariants' scratch
	sym   *State  // ReducePs's scratch: the renamed copy it fingerprints
}

// NewM is an M with nothing: every reference None (an M's zero value
// would name G0 and P0), as allocm leaves a new M.
func NewM() M {
	return M{Curg: None, P: None, OldP: None, LockedG: None, NewG: None, NextP: None, Link: None, Handing: None, StartmP: None, SpinP: None}
}

// New returns the initial state: m0 runs the main goroutine (goid 1) on P0,
// the other Ps are idle and the other Ms have nothing to do (docs/OPS.md).
func New(cfg Config) (*State, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := cfg
	s := &State{Cfg: &c}
	s.Ms = make([]M, cfg.Ms)
	for i := range s.Ms {
		s.Ms[i] = NewM()
	}
	s.Ps = make([]P, cfg.Ps)
	for i := range s.Ps {
		s.Ps[i] = P{Status: PIdle, M: None, Runnext: None, Kicked: None, Link: None, OldM: None}
	}
	// runtime·rt0_go (asm_amd64.s) calls schedinit, newproc(mainPC), mstart:
	//   - schedinit -> procresize: p.init makes P0 (schedtick 0) and m0
	//     acquirep's it (proc.go:6078-6110); the other Ps go on the idle
	//     list in increasing id order, so the highest is its head
	//     (proc.go:6141-6150, 6236-6241);
	//   - newproc (proc.go:5295-5307): newproc1 takes goid 1 from P0's
	//     first goid batch, and runqput(pp, newg, true) puts main in P0's
	//     runnext;
	//   - mstart -> mstart0 -> mstart1 -> schedule -> findRunnable: the
	//     tick check (proc.go:3443, schedtick%61 == 0) finds sched.runq
	//     empty, so runqget (proc.go:3469, 7598-7606) returns runnext with
	//     inheritTime = true, and execute(gp, true) leaves schedtick alone
	//     (proc.go:3349-3351: `if !inheritTime { schedtick++ }`).
	// So main runs on m0 and P0 with P0's schedtick still 0.
	batch := int64(cfg.Consts.GoidBatch)
	s.Sched = Sched{StartingStackSize: StackMin, Goidgen: batch, GoMaxProcs: int32(cfg.Ps)}
	s.Gs = []G{{Goid: 1, Status: Running, Stack: StackMin, M: 0, LockedM: None}}
	s.Ps[0].Status = PRunning
	s.Ps[0].M = 0
	s.Ps[0].GoidCache, s.Ps[0].GoidEnd = 2, batch+1
	s.Ms[0].P = 0
	s.Ms[0].Curg = 0
	s.relistIdle()
	// The other Ms are asleep on the idle M list, M1 at its head: the
	// threads startm's newm would make, made up front (mwake.go).
	s.Sched.Midle = None
	s.Sched.CtlStartmP = None
	s.Sched.RetakeP, s.Sched.RetakeM = None, None
	for mi := len(s.Ms) - 1; mi >= 1; mi-- {
		s.Ms[mi].Parked = true
		s.Ms[mi].Link = s.Sched.Midle
		s.Sched.Midle = int8(mi)
	}
	return s, nil
}

// Clone returns a deep copy of s sharing only the immutable Config.
func (s *State) Clone() *State {
	c := new(State)
	c.CopyFrom(s)
	return c
}

// listSlack is the room CopyFrom leaves after each list so that a
// transition's appends rarely reallocate.
const listSlack = 4

// CopyFrom makes s a deep copy of src, reusing s's memory: every list of the
// copy lives in one arena owned by s, each with a little slack and a capped
// capacity, so that growing one never overwrites the next.
func (s *State) CopyFrom(src *State) {
	s.Cfg = src.Cfg
	s.Gs = append(s.Gs[:0], src.Gs...)
	s.Ms = append(s.Ms[:0], src.Ms...)
	need := 3 * listSlack
	for i := range src.Ps {
		need += len(src.Ps[i].Ring) + len(src.Ps[i].GFree) + len(src.Ps[i].SlowBatch) + len(src.Ps[i].Held) + 4*listSlack
	}
	need += len(src.Sched.Runq) + len(src.Sched.GFreeStack) + len(src.Sched.GFreeNoStack) + len(src.Sched.GFreeDetached) + listSlack
	if cap(s.arena) < need {
		s.arena = make([]int32, 2*need)
	}
	arena := s.arena[:cap(s.arena)]
	off := 0
	if cap(s.Ps) < len(src.Ps) {
		s.Ps = make([]P, len(src.Ps))
	}
	s.Ps = s.Ps[:len(src.Ps)]
	for i := range src.Ps {
		p, q := &s.Ps[i], &src.Ps[i]
		*p = *q
		p.Ring, off = arenaCopy(arena, off, q.Ring)
		p.GFree, off = arenaCopy(arena, off, q.GFree)
		p.SlowBatch, off = arenaCopy(arena, off, q.SlowBatch)
		p.Held, off = arenaCopy(arena, off, q.Held)
	}
	sc := &s.Sched
	*sc = src.Sched
	sc.Runq, off = arenaCopy(arena, off, sc.Runq)
	sc.GFreeStack, off = arenaCopy(arena, off, sc.GFreeStack)
	sc.GFreeNoStack, off = arenaCopy(arena, off, sc.GFreeNoStack)
	sc.GFreeDetached, _ = arenaCopy(arena, off, sc.GFreeDetached)
}

// arenaCopy copies l into arena at off, with listSlack room to grow and a
// capacity capped there, and returns the copy and the offset past its
// room.
func arenaCopy(arena []int32, off int, l []int32) ([]int32, int) {
	end := off + len(l)
	out := arena[off : end : end+listSlack]
	if len(l) != 0 { // most lists are empty: no call to memmove
		copy(out, l)
	}
	return out, end + listSlack
}

// Equal reports whether two states are the same runtime state.
func (s *State) Equal(o *State) bool { return s.equal(o, false) }

// EqualObserved is Equal but for the spec's history variables, which no
// implementation holds (M.StaleGCRead): o's are taken to be s's. It
// compares a spec state with one that an implementation's snapshot
// describes (checker.StateOf).
func (s *State) EqualObserved(o *State) bool { return s.equal(o, true) }

// AdoptHistory sets s's history variables (M.StaleGCRead) to from's, for
// a state an implementation's snapshot describes, before it is compared
// with (and diffed against) the spec's.
func (s *State) AdoptHistory(from *State) {
	for i := range s.Ms {
		if i < len(from.Ms) {
			s.Ms[i].StaleGCRead = from.Ms[i].StaleGCRead
		}
	}
}

func (s *State) equal(o *State, observed bool) bool {
	if *s.Cfg != *o.Cfg || len(s.Gs) != len(o.Gs) || len(s.Ms) != len(o.Ms) || len(s.Ps) != len(o.Ps) {
		return false
	}
	for i := range s.Gs {
		if s.Gs[i] != o.Gs[i] {
			return false
		}
	}
	for i := range s.Ms {
		m := o.Ms[i]
		if observed {
			m.StaleGCRead = s.Ms[i].StaleGCRead
		}
		if s.Ms[i] != m {
			return false
		}
	}
	for i := range s.Ps {
		a, b := &s.Ps[i], &o.Ps[i]
		if a.Status != b.Status || a.M != b.M || a.Runnext != b.Runnext || a.Kicked != b.Kicked || a.GFreeSize != b.GFreeSize ||
			a.SchedTick != b.SchedTick || a.GoidCache != b.GoidCache || a.GoidEnd != b.GoidEnd || a.Link != b.Link || a.StartSpinning != b.StartSpinning || a.Handoff != b.Handoff || a.OldM != b.OldM ||
			!eqList(a.Ring, b.Ring) || !eqList(a.GFree, b.GFree) || !eqList(a.SlowBatch, b.SlowBatch) || !eqList(a.Held, b.Held) {
			return false
		}
	}
	a, b := &s.Sched, &o.Sched
	return eqList(a.Runq, b.Runq) && eqList(a.GFreeStack, b.GFreeStack) && eqList(a.GFreeNoStack, b.GFreeNoStack) && eqList(a.GFreeDetached, b.GFreeDetached) &&
		a.GFreeStackSize == b.GFreeStackSize && a.GFreeNoStackSize == b.GFreeNoStackSize && a.NGSys == b.NGSys &&
		a.BgScanCredit == b.BgScanCredit && a.GCBlacken == b.GCBlacken && a.FreeGStacksDone == b.FreeGStacksDone && a.StartingStackSize == b.StartingStackSize &&
		a.Goidgen == b.Goidgen && a.GoMaxProcs == b.GoMaxProcs && a.Pidle == b.Pidle && a.Midle == b.Midle && a.NMSpinning == b.NMSpinning && a.NeedSpinning == b.NeedSpinning &&
		a.CtlWakeP == b.CtlWakeP && a.CtlWaking == b.CtlWaking && a.CtlStartmP == b.CtlStartmP && a.RetakeP == b.RetakeP && a.RetakeM == b.RetakeM && a.GCWaiting == b.GCWaiting && a.MainGoexit == b.MainGoexit && a.Terminal == b.Terminal
}

func eqList(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// MainGoid is the main goroutine's goid: runtime·rt0_go's newproc of
// runtime.main takes the first goid of P0's first batch. A recycled G
// struct that once ran main gets a fresh goid, so the goid, not the G's
// index, says which G is main.
const MainGoid = 1
