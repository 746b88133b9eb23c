// Package spec is an executable specification of how the Go runtime (Go
// 1.26) ends a goroutine and recycles it: goexit1 -> mcall(goexit0) ->
// gdestroy -> gfput -> schedule, and the reuse of dead Gs through the per-P
// and global free lists by gfget in newproc1. It is a pure, deterministic
// state machine: no goroutines, clocks, randomness or I/O. Every choice the
// runtime leaves to timing (which M runs next, which victim is robbed,
// which path exitsyscall takes) is an explicit field of the Op; what the
// runtime decides under a lock (which idle P pidleget hands out) the spec
// decides.
//
// # State
//
// State holds the Gs (allgs, never shrinking; a G is named by its index),
// the Ms, the Ps and the scheduler (type Sched), with the fields the path
// reads and writes, named as in runtime2.go. Config fixes the constants
// (type Consts, presets "go" and "small"), the numbers of Ms and Ps and
// GOARCH=wasm (one P and one M: wasm has one thread, ErrWasmOneThread).
// The operating system is any but plan9, whose gdestroy keeps a locked
// goroutine's thread for schedule (`mp.lockedExt = 0`, proc.go:4561-4567)
// where every other one exits it through mexit, as the spec does.
// State supports Clone, Equal, a 64-bit Hash (equal states
// hash equal), a canonical Fingerprint for the explorer, and a compact
// binary encoding.
//
// # Transitions
//
// Step(state, op) returns the next state and the observable Result, or an
// error: a *Throw carrying the runtime's throw message and the function that
// raises it, or a *Disabled when the op's precondition does not hold.
// (*State).Apply is the same in place. The ops (type OpKind) are those of
// docs/OPS.md, shared with impl/: goidrefill, newproc1, runqput, ready,
// schedule, exit, goexit, gosched, goyield, park, entersyscall, retake and sysmon's
// handoffp after it, exitsyscall,
// lockosthread, unlockosthread, lockint, unlockint, acquirep, the
// stop-the-world's stoptheworld, preempt and gcstopm, procresize,
// gc (its end may set startingStackSize), growstack, assist, dirty, mcall (badmcall2), the GC
// mark phase's markrootfreegstacks and markrootfreegstackspush (mgcmark.go
// markrootFreeGStacks's two lock sections), runqputkick (runqput's put of
// the old runnext its CAS on pp.runnext kicked out) and runqputslowpush
// (runqputslow's globrunqputbatch under sched.lock, after the CAS that
// ended runqputkick), the wakeup protocol's spin, stopspinning, stopm,
// wakep (resetspinning's decrement, wakep's CAS), wakepstartm (wakep's
// pidlegetSpinning) and startm (its startm, in a sched.lock section of its
// own), which the Controller also makes after every stop-the-world
// (startTheWorldWithSema's wakep, proc.go:1822; Sched.CtlWakeP), findRunnable's recheck (after a spinning M dropped its P) and
// runqputbatch (the rest of a global batch, after the unlock),
// runqstealtail (runqsteal's store of runqtail that publishes what
// runqgrab took, but the G it runs), mexit and
// mfreed (a locked G's thread leaving: handoffp, then nmfreed++ and
// checkdead), and schedule's startlockedm (after a spinning M's
// resetspinning) and stoplockedm (after a locked G's gosched or park). Each
// transition's doc comment names the runtime function it models. Where
// one runtime function has several linearization points the spec has one
// op per point, and the state between them holds what the function holds
// in its locals (Sched.GFreeDetached, P.SlowBatch, P.Kicked, M.StartmP,
// M.Handing). One such point is not offered by Enabled: newproc1's goid
// batch fetch (goidrefill), which newproc1 makes itself when its P's cache
// is empty (Result.Batch), as the runtime does; an implementation that
// records the fetch as an op of its own is held to making that newproc1
// its next op (goidrefill's doc says why nothing is lost).
//
// # Sub-machines
//
// Three parts of the state are also exposed as sub-machines, so that the
// real runtime's records can be judged by the same code (package
// rtcheck): freelists.go (the P free lists, sched.gFree and
// markrootFreeGStacks, split at the runtime's lock sections), runqs.go
// (runnext, the rings and the global queue, split at the runtime's atomic
// steps) and pidle.go (the idle P list: pidleput, pidleget, npidle,
// procresize's relisting, handoffp's last-running-P test). The
// transitions above are built from their functions.
//
// # Schedule choices
//
// findRunnable's order is enforced where the runtime guarantees it under
// concurrency and relaxed where the runtime reads shared state without a
// lock, because the spec also judges concurrent histories:
//   - the GlobalTick-th pick from the global queue must come first when the
//     global queue is non-empty, in a strict op. The runtime checks it
//     without the lock (proc.go:3443) and runqget comes after: between
//     the two another M may put a G on the global queue and steal from
//     this P's ring, so no single instant of a relaxed op has both the
//     empty global queue its read saw and the ring its runqget took from.
//     A relaxed op may take runnext or the ring while the pick is due,
//     and Enabled offers both, so the explorer reaches the outcome of that
//     interleaving (an over-approximation: also where no put came between
//     the read and runqget);
//   - runnext, then the ring, must be taken while the P has local work
//     (only the owner adds to them);
//   - a global batch, a steal or a runnext steal needs an empty local queue,
//     and a steal is allowed while the global queue is non-empty (the
//     runtime's empty check is racy); a runnext steal is allowed whatever the
//     victim's ring holds (the runtime's runqgrab reads the ring and then
//     runnext, and the owner's ops may change both in between);
//   - the idle branch needs an empty local and global queue (the runtime
//     rechecks the global queue under sched.lock before pidleput);
//   - the spin (becomeSpinning before stealWork) needs an empty local
//     queue, and is allowed whatever the global queue and the spin limit
//     hold: findRunnable reads both without a lock (proc.go:3474, 3517),
//     so another M may fill the queue or begin spinning before the M
//     counts itself. Enabled offers it so too (beside the global batch or
//     the idle branch), so the explorer reaches those interleavings. It
//     over-approximates them: an M may also spin past a G that was on the
//     global queue since before its read. Likewise a non-spinning M's
//     idle branch is offered whatever the spin limit holds (an M that
//     read it reached skips the spin after another M's decrement);
//   - the recheck of an M that dropped its P while spinning
//     (proc.go:3676-3700) reads the global queue in one sched.lock
//     section (a step of its own, exact), then each P's run queue
//     without a lock (checkRunqsNoP, proc.go:3902-3915), then takes an
//     idle P in a section of its own (the next step); every outcome of
//     checkRunqsNoP's reads (Op.N: RecheckFound) is offered whatever the
//     run queues hold now, and a strict recheck reads them as they are.
//     checkIdleGCNoP's read of gcBlackenEnabled, made before its lock,
//     is racy too: a relaxed recheck may store needspinning for idle
//     mark work (RecheckIdleGC) after the GC ended, a strict one only
//     while it marks. Where checkRunqsNoP found work and no idle P,
//     that read decides whether checkIdleGCNoP's section is a step of
//     its own; the GC's stop-the-world sets gcBlackenEnabled before the
//     restart, both in the spec's one gc step, and an M without a P runs
//     meanwhile: a relaxed recheck takes the implementation's read
//     (RecheckReadGCOn, RecheckReadGCOff), a strict one the GC's state.
//
// The relaxations are for racy reads, and a read is racy only while
// another operation is in progress. An op marked Strict (its interval
// overlapped no other op's: every op of the atomic mode, and most of the
// others) gets findRunnable's strict order: the 61st tick's pick of one G
// before the global batch, the global batch before any steal, rings before
// any runnext steal, and the idle branch only when
// stealWork would find nothing on any running or handed-off P; and
// exitsyscall's: the old P back first when it can be taken, and
// exitsyscallNoP's own pidleget only after a racing pidleput.
//
// After findRunnable's spin (its becomeSpinning before stealWork,
// proc.go:3517-3521; M.StealWork) the runtime goes on to stealWork and
// then the stop path, and back to the top, among what the spec models,
// only when stealWork or the stop path saw gcwaiting (gcstopm). So the
// M's next schedule op has no 61st tick's pick, strict or relaxed; a
// strict steal is not refused for a global queue that filled after the
// spin (stealWork does not look at it); and the stop path's global batch
// has no tick check, but comes strictly only when stealWork would find
// nothing, and never once gcwaiting is set (its stop path checks it under
// sched.lock first, proc.go:3594-3600). An M spinning for another reason
// (startm's, the needspinning path's, the recheck's) starts from the top.
// The runtime also goes back to the top after the spin where the spec
// models nothing: stealWork ran a timer (newWork, proc.go:3876-3894), the
// stop path found a safe-point function (pp.runSafePointFn), or on js/wasm
// beforeIdle started the event handler goroutine (proc.go:3565-3577, which
// also fills the M's own run queue). With none of those modelled, the
// spec refuses the tick's pick after a spin.
//
// exitsyscall's path (Op.N, an ExitPath) is relaxed the same way: the P
// every path gets is decided by the spec (the old P from a thread in a
// syscall, else the head of the LIFO idle list), and the paths that run
// pidleget under sched.lock need the idle list non-empty (or, for
// exitsyscallNoP's queueing, empty); but a path through the idle list is
// allowed while the old P could be taken back (setBlockOnExitSyscall's
// reads are racy), and exitsyscallNoP's own pidleget may find the P that
// exitsyscallTryGetP's unlocked `sched.pidle != 0` missed.
//
// # Invariants
//
// Invariants lists 46 named properties, each citing the throw or comment it
// comes from; CheckInvariants returns the first that fails. One more is a
// property of a step rather than a state: GoidFresh (CheckNewproc1), the
// goid newproc1 issues, which the explorer checks at every newproc1. 34 are facts of
// the runtime itself at every point between the spec's ops (every M
// between the runtime code its ops stand for, the features left out below
// unused; Invariant's doc says it precisely); CheckRuntimeFacts checks
// only those, for a state projected from the real runtime. The other 12 carry a Scope: they rest on a restriction of the
// spec's model (its exitsyscall, schedule and retake's takeP are single
// steps, sysmon is no M; it has no in-place waits, extra Ms, finalizer
// goroutines, assist steals or injectglist; it resets the assist credits
// in gcStart's stop-the-world; it keeps pp.oldm only where procresize
// reads it; it names the wakeup steps on their way), hold in every state
// the spec reaches, and
// say where the runtime's own code departs from them: RunningHasP,
// RunningPHasM, NoInPlaceWaits, RunnableGsQueued, NGSysCount, NMSpinningCounts,
// BgScanCreditNonNegative, AssistCreditFlushed, IdlePsListed, GCStopPs,
// GlobalWorkWakesAnM and CheckdeadRan.
//
// # Terminal states
//
// runtime.main returning (exit(0)) and checkdead's two fatal errors end
// the program: Enabled offers no op after them. checkdead (checkdead.go)
// runs where the runtime runs it, under sched.lock whenever an M stops
// counting as running (stopm's mput, stoplockedm's incidlelocked(1),
// mexit), and counts Ms as the runtime does: run = mcount - nmidle -
// nmidlelocked, newm's M counted from startm. With no M running it throws
// "checkdead: runnable g" if a user goroutine can still run (a lost
// wakeup), or ends the program with "no goroutines (main called
// runtime.Goexit) - deadlock!" (no user goroutine left) or "all goroutines
// are asleep - deadlock!" (every one waits). The invariant CheckdeadRan
// holds the spec to it: a live program always has an M running, counting
// sysmon's retake between its takeP and its handoffp, and its handoffp's
// startm after the CAS, as one (its
// incidlelocked(-1) bracket, which delays a report to its
// incidlelocked(1); the runtime's bracket also covers the Ps it examines
// and leaves, the invariant's Scope says). Sysmon's retake and handoffp
// and the GC's stack freeing in flight at the end, and any op cut
// short by exit(0), may still be applied (see inFlightAtEnd). A runtime
// throw is never a normal outcome: the explorer reports a reachable one as a
// violation.
//
// # Independence
//
// independence.go states which ops commute for the explorer's
// partial-order reduction: Private (the one op whose effects no other
// actor observes: stopm's acquirep of the P startm put in its nextp),
// Independent, Ample (an M's enabled ops when all are private) and
// AmpleRank (the measure that every private op lowers, the cycle
// proviso). Almost every other op takes sched.lock, touches a run queue
// another M can steal from, or changes what checkdead and handoffp count.
//
// # Left out
//
// The spec models no netpoll (with no netpoller sched.lastpoll is never
// 0, so handoffp's last-running-P case always starts an M), injectglist
// (its callers are netpoll, the GC's sweep and assist waiters, cleanups,
// the scavenger, sysmon's forcegc and GOMAXPROCS update, proc.go:6608,
// 7153, and gcWakeAllStrongFromWeak, mheap.go:2511), timers, cgo
// (extra Ms), GC workers and the heap (handoffp's GC test is the op's input
// while the GC marks, forced while markrootFreeGStacks's root job is
// unclaimed: HandoffGCWork), the trace reader (handoffp's case for it
// never holds), forEachPInternal's takeP and handoffp of the Ps of Ms in
// syscalls for a safe-point function (proc.go:2185-2189), preemption signals (suspendG; _Gpreempted is
// a status with edges in the lifecycle automaton but no transition), the
// 3µs backoff before stealing runnext, randomized
// scheduling (randomizeScheduler), M creation beyond the bound (Config.Ms
// is the number of threads that exist at once: startm's newm is modelled
// by a P waiting in status PHandoff, which newm's thread takes in the slot
// of an M whose thread exited through mexit, or, while none has, an idle
// M standing in for it), stack contents (a stack is its size) and stack
// shrinking (shrinkstack halves a live G's stack during the GC's scan or
// at its next preemption check, stack.go:1313; a stack only grows here, so
// a G that got a larger stack before startingStackSize fell never shrinks
// back to keep its stack at gfput), and entersyscallblock (handoffp of the
// P before the G is _Gsyscall, with no oldp: proc.go:4791, reached through
// notetsleepg), and park_m's unlock function returning false (the G made
// runnable again and run at once, execute(gp, true), proc.go:4283-4296:
// the spec's wait objects, a channel's and a semaphore's, always return
// true). Goroutine creation parked (newproc1's parked argument,
// used by iter.Pull) is in the lifecycle automaton but has no op, and so
// is a coroutine goroutine's exit: coroswitch_m with gp.coroexit calls
// gdestroy itself, not through goexit1 and goexit0, after clearing
// gp.lockedm (so a locked thread is not killed), and switches to the next
// coroutine's G with no schedule (coro.go:150-163); nor is coroswitch's
// plain switch (the running G waits and the next runs on the same M, no
// run queue, no wakep, coro.go:160-260). Go 1.26's two new statuses have
// names (Status.String) but no state: _Gleaked (10), a waiting G the GC
// found leaked under GOEXPERIMENT=goroutineleakprofile (mgc.go:1318,
// mgcmark.go:78: Waiting <-> Leaked), and _Gdeadextra (11), a dead G on a
// cgo extra M; neither is in the lifecycle automaton. On js/wasm findRunnable's
// beforeIdle (lock_js.go:215-247) may start handleAsyncEvent's goroutine
// (newproc: gfget, the M's own ring) instead of idling: the spec's wasm
// is wasip1's, whose beforeIdle does nothing, and js reaches the stop
// path only while an event handler runs. The spec's wasm also offers
// entersyscall, which no wasm path calls (syscalls return ENOSYS there):
// an over-approximation. Of
// the G fields gdestroy leaves alone, ditWanted (newproc1 overwrites it
// from the creator, proc.go:5411) is not modelled, nor is goexit0's wipe
// of a runtime/secret goroutine's stack (stack contents are not).
//
// Known over- and under-approximations, each a restriction of the model
// rather than a claim about the runtime:
//   - growstack doubles the stack, one op per doubling, where newstack
//     grows it at once to the first power of two that holds a large
//     frame (stack.go:1178-1190: `for newsize-used < max+stackGuard`)
//     and keeps the size under the debugging stackForceMove: the spec
//     reaches every size the runtime does, by more ops; a recorded
//     growth of four times is not one op of the spec's (rtcheck records
//     no growth);
//   - sysmon's timing is not modelled: retake may take the P of any M
//     whose G is in a syscall, where the runtime waits for a sysmon tick
//     that saw the syscall already and, with no local work and an M
//     spinning or a P idle, for 10ms (proc.go:6693-6705), unless the P's
//     schedtick stood still for forcePreemptNS (sysretake, proc.go:6664-
//     6670), which skips the tick's wait: a timing superset either way. The probes in which sysmon lets such a syscall go
//     (setBlockOnExitSyscall, then thread.resume()) are no op, but they
//     hold the G's scan bit, as a GC worker's stack scan does (suspendG),
//     so another thread's setBlockOnExitSyscall may fail with no op
//     overlapping it: exitsyscall's idle-P and no-P paths and a
//     stop-the-world's N are allowed in strict order too;
//   - LockOSThread and lockOSThread nest at most 255 deep (the runtime's
//     counts are 32 bits);
//   - where findRunnable's checkRunqsNoP found work and no idle P with
//     the GC off, checkIdleGCNoP's racy read of gcBlackenEnabled is made
//     in the same step and returns; a GC that starts between the two (a
//     stop-the-world does not wait for an M with no P) would let its
//     section store needspinning once more: the spec makes that store
//     only where the GC marked at checkRunqsNoP's step (M.Recheck with
//     M.Stopping);
//   - stoplockedm's incidlelocked(1) (checkdead) is part of handoffp's
//     last step (the sched.lock section's pidleput, or startm's), where
//     the runtime takes sched.lock again for it (proc.go:3261,
//     6355-6362): an M that takes the P from the idle list in between
//     and idles counts the locked M as running, so the locked M's
//     checkdead reports a deadlock the spec's other M reports. The
//     fatal error is the same; only the op that reports it differs;
//   - handoffp's unlocked reads (`!runqempty(pp) || !sched.runq.empty()`,
//     then the GC test, then `sched.nmspinning.Load()+sched.npidle.Load()
//     == 0` and its CAS, proc.go:3136-3152) are one instant of its
//     caller's step (handoffpRead), where the runtime makes them one after
//     another. The first read's miss of a G put on the global queue since
//     is offered (Op.N HandoffSawNoGlobal, relaxed ops only), so that the
//     later reads see what came after it: a spinning M that gave up
//     meanwhile lets the CAS path start a spinning M for the P with the G
//     on the global queue. The later reads' outcome where no one instant
//     had nmspinning and npidle both 0 (a wakep took the last idle P for
//     a spinning M between the loads, and that M gave both back before
//     the CAS) is offered too (Op.N HandoffSawNoHelp, relaxed ops only):
//     the CAS path with a P idle;
//   - schedule's execute (the G running, schedtick++) comes before
//     resetspinning's wakep in the spec, after it in the runtime
//     (proc.go schedule); while the M owes the wakep nothing else it
//     does, and no other M, reads either;
//   - the controller that stops the world holds no P and is no G of the
//     spec's: in the runtime the caller of stopTheWorldWithSema is a
//     goroutine on an M with a P, which it stops first (`gp.m.p.ptr().status
//     = _Pgcstop`) and keeps across procresize when its id is below the
//     new count (else it releases it, to be destroyed, and acquires
//     allp[0], which the hand-out then skips, proc.go:6084-6118, 6143;
//     the spec hands P0 out like any other); the spec counts its M as
//     running from the stop-the-world to the end of startTheWorldWithSema's
//     wakep (MCount) and runs checkdead where it leaves. With -wasm (one
//     thread, one P) this over-approximates: the caller is the running
//     goroutine on m0, which stops its own P and goes on, so no G is
//     preempted and m0 never parks in gcstopm, where the spec's
//     controller preempts the G (to the ring's tail: wasm has no
//     runnext) and stops m0;
//   - the controller chooses its action (gc on, gc off with a size,
//     procresize) once every P has stopped, where the runtime's caller
//     knows it before it stops the world: what the actions need cannot
//     change while the world stops, so the runs are the same (stw.go);
//   - gcStart's reset of every G's gcAssistBytes, made with the world
//     still running, is part of the action's step;
//   - assist (a running G's gcAssistBytes) is offered whether or not the
//     GC marks. The runtime writes it behind `if gcBlackenEnabled != 0`
//     (mallocgc, malloc.go:1112, 1189, 1468), but that read "races with
//     the store that clears it" (mgcmark.go:715-724): a G that read it set
//     and was preempted for gcMarkDone's stop-the-world charges its
//     allocation after the GC's end (gcAssistAlloc then drops a debt). So
//     writes after the GC's end happen; writes long after it, which the
//     spec also allows, do not. No invariant reads a live G's value, the
//     next GC start zeroes it, and gdestroy flushes only while the GC
//     marks, so the extra writes change no verdict (ReduceAssist drops the
//     values while the GC is off);
//   - startTheWorldWithSema's assignment of GC mark workers to idle Ps is
//     not modelled (GC workers are left out, above);
//   - handoffp is made in the runtime's synchronised pieces, each a step
//     of its caller (handoffp.go: the unlocked reads and CAS, the
//     needspinning store, the sched.lock section, startm;
//     TestHandoffpLockedSectionReadsTheIdleListAgain,
//     TestHandoffpStartmAfterItsCAS), but for two merges: the caller's
//     releasep is one step with the unlocked reads, and the locked
//     section's `unlock(&sched.lock); startm(pp, false, false)` is
//     followed by startm's own step, its lock section, with nothing of the
//     caller's in between; its cases for the trace reader, GC mark work
//     and safe-point functions are not modelled (above);
//   - while the GC marks and markrootFreeGStacks's root job is unclaimed,
//     the runtime's findRunnable runs idle-time mark work
//     (gcMarkWorkAvailable: work.markrootNext < work.markrootJobs,
//     proc.go:3544) rather than stop its M, so checkdead cannot end the
//     program then; the spec, with no GC workers, lets the last M stop and
//     checkdead end it, and lets the job's ops complete after the end
//     (inFlightAtEnd). The endings are those the runtime reaches once the
//     job is done, so no invariant's verdict changes, but the spec accepts
//     a history that ends before the job;
//   - the explorer offers every outcome of findRunnable's racy reads
//     (Schedule choices, above), of exitsyscall's and of handoffp's read
//     of the global queue whatever the state holds now: a superset of what
//     the runtime's reads allow;
//   - while the world stops, the relaxed schedule (an M past
//     findRunnable's racy read of gcwaiting, proc.go:3403) is offered only
//     to an M that was in findRunnable when the stop-the-world stored it
//     (M.StaleGCRead, a history variable): not to the M that preempted its
//     G (goschedImpl read gcwaiting set, proc.go:4331), nor to one whose G
//     exited, parked or yielded, or that startm woke, after the store. One
//     over-approximation is kept: an M whose stopm returns to a nextp set
//     before the store is offered it even when its acquirep comes after
//     the store (it then reads gcwaiting set), so that this acquirep,
//     which the partial-order reduction follows alone, commutes with the
//     stop-the-world; and an idle M that takes a P left for newm's thread
//     while the world stops is offered it (it stands in for a thread that
//     may have started, and read gcwaiting, before the store, while no
//     thread has exited to free a slot for it), even for a P left for newm after the store;
//   - every modelled stop-the-world performs an action (gc on, gc off,
//     procresize): those that take only worldsema (ReadMemStats, the
//     goroutine profile, runtime.Stack of all goroutines, trace start,
//     heap dumps), gcMarkDone's restart (mgc.go:1115-1137), which can
//     come while the GC marks with root jobs left, and the
//     stop-the-worlds that restart with GOMAXPROCS unchanged
//     (SetDefaultGOMAXPROCS, debug.go:129-146, and
//     updateMaxProcsGoroutine, proc.go:7098-7107; procresize refuses
//     the current count) are not modelled;
//   - goyield (goyield_m, proc.go:4451-4472) is made with no waiter:
//     semrelease1 calls it after readying the waiter into runnext
//     (sema.go:263-286), a ready the spec offers on its own, so the
//     spec's goyield also comes where no ready preceded it: an
//     over-approximation of when it is called, not of what it does;
//   - the number of threads is bounded (Config.Ms, above): newm's
//     thread for a P startm left pending runs in the slot of an M whose
//     thread exited with its locked goroutine (mexit; OpAcquireP with
//     Result.Newm), or, while no thread has exited, an idle M stands in
//     for it (an over-approximation: that M would stay asleep in the
//     runtime). With every other M busy forever and none exited (m0
//     wedged after its locked main goroutine's Goexit does not free a
//     slot: mexit parks it) the P still waits: the explorer counts such
//     a state as a deadlock (not a violation: the bound ran out of
//     threads), and the liveness check's NewMForHandoff fairness
//     condition sets such loops aside;
//   - the initial state is the first schedule after rt0_go with G0 as
//     main.main: runtime.main's init-time work before main.main (locking
//     main to m0 for init, forcegchelper, bgsweep and bgscavenge, parked
//     system goroutines with goids of their own) is not modelled, which
//     matters only to comparisons with a real runtime's snapshot;
//   - P.SchedTick counts the executions of the spec's Gs. The runtime's
//     execute also counts the trace reader's, GC workers' (findRunnable
//     returns them before the 61st tick's test, proc.go:3427, 3435) and
//     runtime goroutines' (bgsweep, the scavenger, finalizers), so a real
//     runtime's schedtick modulo GlobalTick is not the spec's: strict
//     schedule decisions taken from an imported schedtick are the spec's
//     phase, not the runtime's;
//   - Enabled does not offer main's exit while its runtime-internal lock
//     count is set (-lockint): runtime.main's exit(0) never reaches
//     gdestroy's lockedInt throw, so Step accepts it; the terminal state
//     is main returning either way. On wasm, where runtime.main's
//     lockOSThread around the inits is the only runtime-internal one,
//     Enabled offers lockint and unlockint to main alone; Step accepts
//     them from any G (impl's programs pair them);
//
// # Stop-the-world
//
// The controller stops the world as proc.go does (stw.go):
// stopTheWorldWithSema (op stoptheworld) sets sched.gcwaiting and stops
// the Ps of Ms in syscalls and the idle Ps (_Pgcstop, PGCStop); every other
// M stops at its next safe point while its G's ops go on until then: a
// running G is preempted into its own P's runnext (op preempt:
// goschedImpl's `if preempted && sched.gcwaiting.Load()`, runqput(pp, gp,
// true), proc.go:4331), an M in schedule stops in gcstopm (op gcstopm,
// proc.go:3296: spinning dropped, the P stopped, stopm), a G entering a
// syscall gives its P up (entersyscallHandleGCWait), and handoffp stops
// the P it would have idled. Once every P has stopped, the controller's
// action (gc, procresize, which may destroy stopped Ps with their queues,
// p.destroy) restarts the world in the same step: procresize hands every
// P with local work to its oldm if that M is idle (mgetSpecific), else to
// mget's M, else leaves it for newm's (PHandoff), and idles the others;
// then startTheWorldWithSema's wakep. The action is refused without a
// stop-the-world that has stopped every P. findRunnable's checks of
// gcwaiting before it takes work are racy reads: an op that overlapped
// another (not Strict) may still take a G while the world stops, never
// idle its P. gexit conform counts how often real
// programs preempt a goroutine for a stop-the-world
// (conform.Report.STWPreemptions).
package spec
