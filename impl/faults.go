package impl

import (
	"fmt"
	"sort"
	"strings"
)

// FaultInfo names a planted bug and says what it does.
type FaultInfo struct {
	Name, Description string
	// FreeOnly: the fault shows in free-running mode only (a lost
	// notewakeup: the deterministic modes have no wakeups, an M runs
	// as soon as its wait condition holds).
	FreeOnly bool
}

// freeOnlyFaults are the faults FaultInfo.FreeOnly names.
var freeOnlyFaults = map[string]bool{"startm-wakeup-lost": true}

// faults holds one plain bool per fault: a fault switched off costs one
// predictable branch on a field of this struct.
type faults struct {
	gdestroyNoDead        bool
	gdestroyNoDropg       bool
	gdestroyNoClear       bool
	lockedNoMexit         bool
	spill32               bool
	spillLoseG            bool
	spillNoLock           bool
	refillNoSizeDec       bool
	gfgetFreedNoAlloc     bool
	gfputKeepWrongStack   bool
	goidReuse             bool
	staleProgram          bool
	stalePC               bool
	stealMoreThanHalf     bool
	runnextStolenLeftSet  bool
	stealNoCAS            bool
	runqgetNoCAS          bool
	runqputslowDropNew    bool
	runqputslowNoLock     bool
	executeNoGpM          bool
	ngsysNoDec            bool
	assistNoFlush         bool
	procresizeNoGfpurge   bool
	mcallStaysOnG0        bool
	lockedIntNoThrow      bool
	handoffLosesWork      bool
	gcstopForgetsOldm     bool
	markrootPushToStack   bool
	handoffLastPIdles     bool
	exitsyscallOldp       bool
	panicInGfput          bool
	throwOutsideOp        bool
	idleIgnoresHandoff    bool
	startmWakeupLost      bool
	stopmKeepsP           bool
	noTickPick            bool
	stealGivesUp          bool
	spinningWithLocalWork bool
	globalNotRechecked    bool
	lockedExtClearedEarly bool
	checkdeadPremature    bool
	lockedmReadLate       bool
	stwNoWakep            bool
	stwSkipsSyscalls      bool
	retakeKeepsThread     bool
	exitsyscallNeverOldp  bool
	preemptToGlobal       bool
	goyieldWakes          bool
	gcstopmKeepsSpinning  bool
	needspinningKept      bool
	preemptedRunsOn       bool
	exitedStaysDead       bool
	parkWithoutWakeup     bool
	readyDropsWakeup      bool
	runqputPublishesFirst bool
	stealCopiesAfterCAS   bool
}

type faultDef struct {
	name, desc string
	field      func(*faults) *bool
}

var faultDefs = []faultDef{
	{"gdestroy-no-dead", "gdestroy forgets casgstatus(gp, _Grunning, _Gdead)", func(f *faults) *bool { return &f.gdestroyNoDead }},
	{"gdestroy-no-dropg", "gdestroy forgets dropg: m.curg keeps pointing at the dead G", func(f *faults) *bool { return &f.gdestroyNoDropg }},
	{"gdestroy-no-clear", "gdestroy forgets to clear _defer, _panic, writebuf, waitreason, param, labels, timer, preemptStop, paniconfault, bubble, fipsOnlyBypass, secret", func(f *faults) *bool { return &f.gdestroyNoClear }},
	{"locked-no-mexit", "gdestroy's locked branch forgets to end the thread (gogo(&mp.g0.sched) -> mexit): the M goes back to scheduling", func(f *faults) *bool { return &f.lockedNoMexit }},
	{"spill-32", "gfput's spill moves 32 (GFreeCap-GFreeSpillTo) instead of 33 Gs: pops while size > GFreeSpillTo", func(f *faults) *bool { return &f.spill32 }},
	{"spill-lose-g", "gfput's spill loses the last G it pops (never pushed on a global list)", func(f *faults) *bool { return &f.spillLoseG }},
	{"spill-no-lock", "gfput's spill reads the global list heads and writes them back in two separate critical sections (lost update under a concurrent refill/spill)", func(f *faults) *bool { return &f.spillNoLock }},
	{"refill-no-size-dec", "gfget's refill forgets to decrement the global list's size", func(f *faults) *bool { return &f.refillNoSizeDec }},
	{"gfget-freed-no-alloc", "gfget frees a wrong-size stack and hands the G out without allocating a new one", func(f *faults) *bool { return &f.gfgetFreedNoAlloc }},
	{"gfput-keep-wrong-stack", "gfput keeps a stack whose size is not startingStackSize", func(f *faults) *bool { return &f.gfputKeepWrongStack }},
	{"goid-reuse", "newproc1 lets a recycled G keep its old goid", func(f *faults) *bool { return &f.goidReuse }},
	{"stale-pc", "newproc1 does not clear a recycled G's saved context (memclrNoHeapPointers(&newg.sched) skipped): the new goroutine resumes at the step where the last goroutine on that G stopped, skipping its first steps, or all of them", func(f *faults) *bool { return &f.stalePC }},
	{"stale-program", "newproc1 lets a recycled G keep its previous function (newg.startpc and its entry, gostartcallfn, not set): the G runs the goroutine that last exited on it again, from its start", func(f *faults) *bool { return &f.staleProgram }},
	{"steal-more-than-half", "runqgrab takes the whole victim ring instead of the rounded-up half", func(f *faults) *bool { return &f.stealMoreThanHalf }},
	{"runnext-stolen-left-set", "runqgrab takes the victim's runnext without CAS-clearing it", func(f *faults) *bool { return &f.runnextStolenLeftSet }},
	{"steal-no-cas", "runqgrab commits with a plain store of runqhead instead of CAS-and-retry", func(f *faults) *bool { return &f.stealNoCAS }},
	{"runqget-no-cas", "runqget advances runqhead with a plain store instead of CAS-and-retry", func(f *faults) *bool { return &f.runqgetNoCAS }},
	{"runqputslow-drop-new", "runqputslow moves half the ring to the global queue but drops the new G", func(f *faults) *bool { return &f.runqputslowDropNew }},
	{"runqputslow-no-lock", "runqputslow's second half calls globrunqputbatch without sched.lock, as runqputbatch did in Go 1.15 (golang/go#40457: nil Gs and a corrupted global runq in production): its read of the queue's tail and its write of the batch after it are not atomic, so a G another M puts on the global queue in between is lost", func(f *faults) *bool { return &f.runqputslowNoLock }},
	{"execute-no-gp-m", "execute forgets gp.m = mp", func(f *faults) *bool { return &f.executeNoGpM }},
	{"ngsys-no-dec", "gdestroy does not decrement sched.ngsys for a system goroutine", func(f *faults) *bool { return &f.ngsysNoDec }},
	{"assist-no-flush", "gdestroy does not flush positive gcAssistBytes into bgScanCredit", func(f *faults) *bool { return &f.assistNoFlush }},
	{"procresize-no-gfpurge", "procresize destroys Ps without gfpurge: their free Gs stay on a dead P", func(f *faults) *bool { return &f.procresizeNoGfpurge }},
	{"mcall-stays-on-g0", "execute does not leave g0 (gogo is skipped in the bookkeeping): the next goexit1's mcall finds the M on g0 (badmcall)", func(f *faults) *bool { return &f.mcallStaysOnG0 }},
	{"locked-int-no-throw", "gdestroy does not throw when a G exits internally locked (lockedInt != 0)", func(f *faults) *bool { return &f.lockedIntNoThrow }},
	{"panic-in-gfput", "gfput's spill loses its batches' tails and pushAll links through a nil G under sched.gFree.lock: a nil pointer dereference panics the M", func(f *faults) *bool { return &f.panicInGfput }},
	{"throw-outside-op", "runqputslow checks its batch against the whole ring instead of half (a false \"queue is not full\") and raises the throw straight through the scheduler, outside the op record: the runqput commits as if the put succeeded", func(f *faults) *bool { return &f.throwOutsideOp }},
	{"exitsyscall-prefers-oldp", "exitsyscall that lost its P takes its old P whenever it is idle, else the idle P with the lowest id, and never takes a P back from a thread in a syscall: gexit's rule before it followed Go 1.26's exitsyscallTryGetP (proc.go:5033-5060: setBlockOnExitSyscall(oldp) + takeP, else pidleget, the head of the LIFO idle list, proc.go:7402-7420); no Go release prefers an idle oldp (before 1.26, exitsyscallfast took oldp only while it was still _Psyscall)", func(f *faults) *bool { return &f.exitsyscallOldp }},
	{"handoff-last-p-idles", "handoffp puts the last running P on the idle list when no work is left and every other P is idle, instead of startm(pp) for it (proc.go:3180-3186: npidle == gomaxprocs-1 && lastpoll != 0)", func(f *faults) *bool { return &f.handoffLastPIdles }},
	{"idle-ignores-handoff", "idle Ms never take a P that handoffp started for them (startm's notewakeup is lost): a P handed off by retake or stoplockedm waits for an M forever while Ms sleep (the lost-wakeup class of golang/go#55160 and golang/go#6070)", func(f *faults) *bool { return &f.idleIgnoresHandoff }},
	{"startm-wakeup-lost", "startm hands an idle M its P (mp.nextp) but its notewakeup(&nmp.park) is lost: the M sleeps on, holding a P while Gs wait, until something else wakes it (free-running only: the deterministic modes have no wakeups; the harness finds every actor asleep with the M's condition true, Result.Rescued; the class of golang/go#55160 and golang/go#6070)", func(f *faults) *bool { return &f.startmWakeupLost }},
	{"stopm-keeps-p", "an M whose findRunnable found nothing sleeps in stopm still holding its P (no releasep, no pidleput): the P is lost to the other Ms, which stay idle with runnable work (the stranded-P class of golang/go#40368 and golang/go#59600)", func(f *faults) *bool { return &f.stopmKeepsP }},
	{"no-tick-pick", "schedule never takes one G from the global queue every 61st schedtick (proc.go findRunnable: `if pp.schedtick%61 == 0 && !sched.runq.empty()`): two goroutines that keep the local run queue busy starve the global queue (golang/go#5639, the reason the pick exists)", func(f *faults) *bool { return &f.noTickPick }},
	{"steal-gives-up", "findRunnable never steals: stealWork returns nothing and the M goes idle while other Ps' run queues hold work (a spinning M that gives up too early: the lost-work class of golang/go#55160)", func(f *faults) *bool { return &f.stealGivesUp }},
	{"spinning-with-local-work", "handoffp tries its spinning startm (no spinning M, no idle P) before it looks at the P's local work, so the M it starts spins on a P whose run queue holds Gs: the \"spinning with local work\" of golang/go#10573, which startm's throw(\"startm: p has runnable gs\") now guards", func(f *faults) *bool { return &f.spinningWithLocalWork }},
	{"global-not-rechecked", "an M that drops its P while spinning rechecks only the Ps' run queues after nmspinning--, not sched.runq: a G put on the global queue in that window, whose wakep saw nmspinning != 0 and left it to this M, waits while a P is idle (golang/go#55160)", func(f *faults) *bool { return &f.globalNotRechecked }},
	{"lockedext-cleared-early", "gdestroy of a G that exits locked clears mp.lockedExt before the thread exits through mexit, so the dying thread looks unlocked (golang/go#28979: a new M was then cloned from it, inheriting its unusual state)", func(f *faults) *bool { return &f.lockedExtClearedEarly }},
	{"checkdead-premature", "startm with no idle M reserves newm's M (mReserveID) only once the new thread runs, after sched.lock is dropped, so checkdead does not count it: an M that stops in that window sees no M running while the P it handed out has work and throws \"checkdead: runnable g\" (the false deadlock of golang/go#59600, #40368 and #6070)", func(f *faults) *bool { return &f.checkdeadPremature }},
	{"lockedm-read-late", "exitsyscall's no-P path (exitsyscall0) reads gp.lockedm after the sched.lock section that put gp on the global queue, as before Go 1.17 (golang/go#46524): another M can take gp, run it and LockOSThread it meanwhile, and this M, not locked, then calls stoplockedm and throws \"stoplockedm: inconsistent locking\"", func(f *faults) *bool { return &f.lockedmReadLate }},
	{"stw-no-wakep", "startTheWorldWithSema ends without its wakep (proc.go:1819-1822): after a stop-the-world that idled or added Ps, no M is woken for the work waiting in run queues until some other wakep", func(f *faults) *bool { return &f.stwNoWakep }},
	{"stw-skips-syscalls", "stopTheWorldWithSema never retakes the Ps of threads in syscalls (its setBlockOnExitSyscall loop, proc.go:1665-1670, skipped): the world waits for each syscall to return, or for sysmon, which sleeps while gcwaiting (proc.go:6521-6548: up to forcegcperiod/2); every such run is one the spec allows when a probe holds the scan bit, so only the stop-the-worlds that overlap no probe tell", func(f *faults) *bool { return &f.stwSkipsSyscalls }},
	{"exitsyscall-never-oldp", "exitsyscallTryGetP never takes its old P back from the thread now in a syscall on it (setBlockOnExitSyscall(oldp) and takeP skipped, proc.go:5035-5042): the G goes to an idle P or the global queue while its old P idles in another thread's syscall; every such run is one the spec allows when a probe holds that G's scan bit, so only the exits that overlap no op tell", func(f *faults) *bool { return &f.exitsyscallNeverOldp }},
	{"retake-keeps-thread", "sysmon's retake takes a P from a thread in a syscall and never lets the thread go (the scan bit setBlockOnExitSyscall set is never cleared): the thread's exitsyscall waits inside its op forever, a hang no state before the op shows (the deterministic modes end with every actor waiting and the M inside its op)", func(f *faults) *bool { return &f.retakeKeepsThread }},
	{"goyield-wakes", "goyield_m owes a wakep after putting the G on its own P's ring, as goschedImpl does (proc.go:4456-4472: goyield_m calls schedule, no wakep; the P runs on and will take the G)", func(f *faults) *bool { return &f.goyieldWakes }},
	{"stw-preempt-to-global", "a goroutine preempted for a stop-the-world goes to the global run queue, as goschedImpl does without sched.gcwaiting, instead of its own P's runnext (proc.go:4331-4334: \"keep the G on the local P in runnext so it can keep running immediately after the STW\")", func(f *faults) *bool { return &f.preemptToGlobal }},
	{"gcstopm-keeps-spinning", "gcstopm stops a spinning M for a stop-the-world without dropping its spinning and sched.nmspinning (proc.go:3303-3310): the count says an M spins that stops, so no wakep starts another, and the M's stopm then throws \"stopm spinning\" (proc.go:3002)", func(f *faults) *bool { return &f.gcstopmKeepsSpinning }},
	{"needspinning-kept", "becomeSpinning leaves sched.needspinning set (its third store, `sched.needspinning.Store(0)`, proc.go:1076, is lost): the request of the M whose pidlegetSpinning found no idle P outlives the M that answered it, and a non-spinning M's stop path keeps its P and spins for it again", func(f *faults) *bool { return &f.needspinningKept }},
	{"stw-preempted-runs-on", "the M whose goroutine was preempted for a stop-the-world skips findRunnable's read of sched.gcwaiting (`if sched.gcwaiting.Load() { gcstopm() }`, proc.go:3403) in the schedule that follows, so it takes the goroutine back from runnext and runs it on while the world waits for its P: a preemption that does not stop the M", func(f *faults) *bool { return &f.preemptedRunsOn }},
	{"exited-stays-dead", "a thread that exited with its locked goroutine (mexit) is never replaced: where startm found no idle M and called newm, no new thread runs in the exited one's place, and the P waits for an M that may never go idle (an idle M takes it, as if the Ms were fixed)", func(f *faults) *bool { return &f.exitedStaysDead }},
	{"park-without-wakeup", "gopark returns at once on a wait object with no wakeup pending, as if a goready had come first (a semaphore acquire that does not check its count, taking one below zero): the goroutine runs past a wait nothing ended", func(f *faults) *bool { return &f.parkWithoutWakeup }},
	{"ready-drops-wakeup", "a ready that finds nobody parked on the wait object leaves no wakeup for its next park (a semrelease that forgets to count, a channel send lost before its receiver waits): the goroutine that parks next waits forever, and a program that cannot deadlock ends with \"all goroutines are asleep\"", func(f *faults) *bool { return &f.readyDropsWakeup }},
	{"runqput-publishes-first", "runqput stores the ring's new tail before the G in its slot (proc.go runqput: `pp.runq[t%uint32(len(pp.runq))].set(gp); atomic.StoreRel(&pp.runqtail, t+1)`, the store-release after the slot): a thief that reads the tail in between takes a slot not yet written, a G that ran or is on another queue", func(f *faults) *bool { return &f.runqputPublishesFirst }},
	{"steal-copies-after-cas", "runqgrab copies the victim's slots after the CAS on its runqhead instead of before it (proc.go runqgrab: the copy loop, then `atomic.CasRel(&pp.runqhead, h, h+n)`, which commits the consume): once the CAS commits, the owner may refill those slots, and the thief copies Gs it does not own", func(f *faults) *bool { return &f.stealCopiesAfterCAS }},
	{"handoff-loses-work", "handoffp ignores the P's local run queue when deciding between handoff and idle (pidleput with work)", func(f *faults) *bool { return &f.handoffLosesWork }},
	{"handoffp-gcstop-forgets-oldm", "handoffp's sched.lock section, finding sched.gcwaiting, stops the P (_Pgcstop) but clears the pp.oldm its releasep left (proc.go:3158-3166, 6283): procresize can no longer give the P back to the thread that had it (a branch the random draws reach about once in 700 cases: the branch corpus's case for handoffplocked/gcstop catches it)", func(f *faults) *bool { return &f.gcstopForgetsOldm }},
	{"markroot-push-to-stack-list", "markrootFreeGStacks's second section pushes the Gs whose stacks it freed onto sched.gFree.stack instead of noStack (mgcmark.go: `sched.gFree.noStack.pushAll(q)`): gfget then hands out Gs with no stack as if they had one (a rare branch: the branch corpus's case for markrootfreegstackspush catches it)", func(f *faults) *bool { return &f.markrootPushToStack }},
}

// Faults lists every fault, sorted by name.
func Faults() []FaultInfo {
	out := make([]FaultInfo, len(faultDefs))
	for i, d := range faultDefs {
		out[i] = FaultInfo{Name: d.name, Description: d.desc, FreeOnly: freeOnlyFaults[d.name]}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// CheckFault reports an error for an unknown fault name.
func CheckFault(name string) error {
	_, err := parseFaults([]string{name})
	return err
}

func parseFaults(names []string) (faults, error) {
	var f faults
	for _, n := range names {
		found := false
		for _, d := range faultDefs {
			if d.name == n {
				*d.field(&f) = true
				found = true
				break
			}
		}
		if !found {
			var all []string
			for _, d := range faultDefs {
				all = append(all, d.name)
			}
			sort.Strings(all)
			return f, fmt.Errorf("impl: unknown fault %q (known: %s)", n, strings.Join(all, ", "))
		}
	}
	return f, nil
}
