// Package impl is the system under test: an independent, genuinely
// concurrent implementation of the Go runtime's goroutine exit and reuse
// path, written from $(go env GOROOT)/src/runtime/proc.go (Go 1.26):
// goexit1 -> mcall(goexit0) -> gdestroy -> gfput -> schedule, and G reuse
// through gfget in newproc1. Names mirror the runtime (gfput, gfget,
// gfpurge, runqput, runqputslow, runqget, runqgrab, runqsteal,
// globrunqget, globrunqgetbatch, findRunnable's order in schedule,
// execute, goexit, gdestroy, dropg, handoffp, releasep, pidleput,
// pidleget, mput, mget, startm, wakep, resetspinning, becomeSpinning,
// stoplockedm, startlockedm, retake, exitsyscall, procresize, and
// mgcmark.go's markrootFreeGStacks) so the two
// can be read side by side. The operation vocabulary, initial state, list
// orders and results are those of docs/OPS.md.
//
// # Structure
//
// Every M is a goroutine (m.loop); it owns a P to run Gs. A G's body is a
// Program of Steps (Workload); "executing" a G means the M interprets its
// next step, which is one or more ops of OPS.md (a Spawn is goidrefill when
// the P's goid cache is empty, newproc1, then runqput, in one runtime
// call: no safe point between them). Sysmon (retake)
// and the controller (procresize, gc on and off, each in a stop-the-world
// made as the runtime makes one (proc_stw.go), the off setting
// startingStackSize as gcMarkDone does; after a GC start, the mark phase's
// markrootFreeGStacks with the world started) are actors too. Each P has a local gFree LIFO with a size, a RunqSize ring
// whose head and tail are sync/atomic Uint32s (load / store / CAS, which
// are at least acquire/release), ring slots that are atomic pointers (a
// thief reads slots before its CAS, as runqgrab does), and a runnext slot
// set only by its owner and CAS-cleared by thieves. The global run queue,
// P status transitions and the LIFO idle P list (proc_pidle.go: pidleput,
// pidleget, startTheWorldWithSema's hand-out and rebuild) sit behind
// sched.lock; the global free lists behind sched.gFree.lock, whose heads
// are atomics so gfget's emptiness check can run without the lock as in
// the runtime.
//
// The wakeup protocol (proc_mwake.go) is proc.go's: the idle M list
// sched.midle (mput/mget under sched.lock), each M's nextp and spinning
// flag, sched.nmspinning. An M with nothing to do sleeps until startm
// hands it a P (its nextp) or a P waits for the M newm would make (a
// pending P: impl's Ms are the threads that exist at once, and newm's
// thread runs in the slot of an M whose thread exited through mexit,
// m.newmThread, or, while none has, an idle M stands in); wakep after
// newproc, ready, gosched and runqputslow's push, and resetspinning after a spinning M found work,
// start one spinning M when none spins and a P is idle; findRunnable
// spins (stealWork) within `2*nmspinning < gomaxprocs-npidle`, and a
// spinning M that gives up drops its P still counted, then nmspinning--,
// then rechecks sched.runq and every P's run queue before stopm.
//
// The constants are run-time parameters (Consts; presets "go" and "small").
//
// # Files
//
// The runtime model is in files named after the runtime's, and calls the
// harness only through an actor's hooks: begin/commit (recording), sp
// (a scheduling point inside an op), lockSched/unlockSched, throwOp.
//
//   - runtime2.go: g, p, m, schedt (with allgs, allp, allm, goidgen and
//     the GC's fields beside it), gList, gQueue, the status constants.
//   - proc.go: newproc1 (goidrefill, gfget, malg) and newproc's runqput,
//     ready, park, gosched, goyield, LockOSThread/UnlockOSThread and their
//     internal forms, goexit1 -> goexit0 -> gdestroy -> gfput (mexit for
//     a locked thread), gfput, gfget, gfpurge, schedule (findRunnable's
//     order, stealWork, startlockedm, execute), globrunqget,
//     globrunqgetbatch, handoffp, releasep, acquirep, dropg, stoplockedm,
//     incidlelocked, checkdead.
//   - proc_runq.go: runqput, runqputslow (its two phases), runqget,
//     runqgrab, runqsteal, globrunqputbatch.
//   - proc_pidle.go: pidleput, pidleget, pidleremove, the idle list rebuilt
//     after procresize.
//   - proc_mwake.go: "Worker thread parking/unparking": mput, mget,
//     startm, wakep, resetspinning, becomeSpinning, findRunnable's stop
//     path and recheck, stopm.
//   - proc_syscall.go: entersyscall, exitsyscall, exitsyscallTryGetP,
//     exitsyscallNoP, setBlockOnExitSyscall, takeP.
//   - proc_sysmon.go: sysmon reduced to retake, and its probes of syscalls
//     it lets go (setBlockOnExitSyscall, then thread.resume()).
//   - proc_procresize.go: procresize, p.destroy.
//   - proc_stw.go: stopTheWorldWithSema, preemption for it, gcstopm,
//     startTheWorldWithSema's hand-out of the stopped Ps.
//   - mgcmark.go: markrootFreeGStacks.
//   - faults.go: the planted bugs, each a branch on the path it breaks.
//
// The harness is in the harness_*.go files and api.go:
//
//   - api.go: Config, Workload, Result, Event, Snapshot types.
//   - harness_run.go: Run, the start barrier, the deterministic driver,
//     the ticker, the end of a run, the Result.
//   - harness_actor.go: actors, scheduling points, safe points, the
//     free-running notes and quiescence.
//   - harness_m.go: an M's thread loop and the interpretation of its G's
//     program.
//   - harness_ctl.go: the controller's stop-the-world script.
//   - harness_record.go: per-actor recording and the merge into Events.
//   - harness_snapshot.go: the abstraction function and its invariants.
//   - harness_workload.go: G programs, their generator and validation.
//
// # Modes and scheduling points
//
// FreeRunning: all actors run in parallel. They pass a start barrier
// first (every actor's goroutine runs before any starts its work). An
// actor that has nothing to do (an idle M waiting for a P, a locked M in
// stoplockedm, sysmon with no syscall to retake, an M stopped for a
// stop-the-world) sleeps in waitUntil on its own note, a one-token
// channel: notesleep. An M first polls its condition a few times,
// yielding in between (as a spinning M does in findRunnable), so that
// work made runnable by another M is taken while that M is still
// running. Wakeups are targeted, as the runtime's notewakeup(&mp.park):
// startm wakes the M it gave a P (after unlocking sched.lock,
// unlockSched), startlockedm the locked M, every commit sysmon and the
// controller when they sleep (two flag loads), startTheWorld and the end
// of the run everyone. There is no broadcast and no lock on the wake
// path; s.mu guards only the sleepers' registrations, so that the last
// actor to go to sleep can tell quiescence (no sleeper's condition holds:
// the run ends) from a wakeup still owed. There, with every actor asleep,
// a sleeper whose condition holds with no wakeup sent to it is certainly
// a lost wakeup of the implementation: it is woken and counted in
// Result.Rescued, which the race stress requires to be 0
// (TestRaceStressFree; its control drops startm's wakeup). The
// millisecond ticker, which also enforces Timeout, wakes such a sleeper
// while others still run, without counting it (the waker may only be late
// under load). The
// scheduling points inside ops (below) inject noise: at one in four,
// chosen by the actor's seeded PRNG, the goroutine yields, so another M
// runs inside the op's window as it would when a thread is descheduled
// there. A system call lasts a while (syscallDuration: up to 8 yields
// before exitsyscall), so sysmon retakes its P and exitsyscallNoP's path
// (no P at exit: the G to the global queue) is common, as with a real
// blocking call. Measured by gexit check: about a third of free-running ops
// overlap another op's interval (0.1% without the barrier, the polling
// and the noise).
//
// Deterministic: a token-passing scheduler (sched.drive). Every actor
// blocks on its own channel until granted one step; at every scheduling
// point it hands the token back and the driver picks the next actor among
// the runnable ones (those not blocked in waitUntil, or whose condition
// now holds), ordered M0..Mn-1, sysmon, controller, by Config.Choices
// (index mod the number runnable) and then by a PRNG seeded with
// Config.Seed. Steal orders come from per-actor PRNGs seeded from Seed, and
// timestamps from a logical clock (one counter, uncontended: one actor
// runs at a time), so the same seed and choices give the
// same history bit for bit. With Config.Systematic the picks after the
// choices are 0 (the actor granted last runs on while it can) instead of
// the PRNG's, and Result.Points logs every scheduling point (how many
// actors could run, and whether the last one could): checker.Systematic
// enumerates schedules from them. The token hand-off orders every actor's
// accesses after the previous actor's (channel operations), edges the
// runtime's threads do not have, so the race detector judges the
// free-running mode instead (TestRaceStressFree, under -race in make
// test).
//
// Scheduling points are the top of every M loop iteration (between ops)
// and, unless Config.AtomicOps or SnapshotEvery is set, inside ops at the
// shared accesses the interesting races turn on: runqget between reading
// runnext / the ring head and its CAS; runqgrab between reading head/tail
// (and copying the slots) and its CAS, and before CASing a victim's
// runnext; runqput before its CAS on a non-empty runnext; runqputslow before
// its CAS on runqhead; gfget between its lock-free emptiness check and the
// refill; gfput between popping the spill batch and pushing it; schedule
// before each sched.lock section; retake before blocking the G;
// exitsyscall before exitsyscallTryGetP's and exitsyscallNoP's sched.lock
// sections (after their unlocked reads). No
// scheduling point is ever taken with a lock held (checked), so the real
// mutexes never block in deterministic mode.
//
// # Linearization points
//
// Per OPS.md every recorded op has at most one effectful linearization
// point on shared state; a runtime function with several is recorded as
// several ops, with the state it holds in between made visible to the
// abstraction. The M makes them in one runtime call (harness_m.go's
// loop): with a scheduling point between them, where other actors run,
// but no stop-the-world safe point, as the runtime makes newproc1,
// runqput and wakep on the system stack:
//
//   - newproc1: the gfget refill's gFree.lock section (local pops and the
//     P's goid cache are owner-only); malg's allgadd otherwise. ngsys is
//     an atomic add that only quiescent snapshots read.
//   - runqput / ready: two ops when an old runnext is kicked out, as the
//     runtime's two steps. The CAS `pp.runnext.cas(oldnext, gp)` (retried
//     when a thief cleared runnext in between) is the linearization point
//     of the runqput or ready; the old runnext is then the M's (m.kicked,
//     exported as MSnap.Kicked), runnable and on no queue, and a thief
//     between the two finds it nowhere. The M's next op, runqputkick, is
//     runqput's `retry:` loop: the ring publication (store of runqtail),
//     or runqputslow's CAS with a full ring. Without a kick (runnext was
//     empty, or wasm's next=false) runqput is one op.
//   - runqputslow: two ops, as the runtime's two steps. Its CAS on
//     runqhead, which takes the first half of the full ring, is the
//     linearization point of the runqputkick (or, on wasm, the runqput or
//     ready) that called it; the
//     batch (with the G that did not fit) is then the M's (m.slowq,
//     exported as MSnap.SlowBatch), runnable and on no queue. The M's next
//     op, runqputslowpush, is `lock(&sched.lock); globrunqputbatch(&q)`,
//     its one sched.lock section. Between them the M passes a scheduling
//     point and the others run.
//   - schedule: the effect that took the G (the runnext or ring CAS, the
//     sched.lock section for tick/global, or the victim CAS for a steal;
//     a steal that took two or more leaves them beyond the M's ring's tail
//     (m.stealG, m.stealN, exported as MSnap.Held and MSnap.StealTail),
//     and runqsteal's tail store that publishes them is its next op,
//     runqstealtail, runqstealTailOwed, which runs the last);
//     a global batch with a rest is the M's (m.heldG, m.heldQ, exported as
//     MSnap.Held) after the unlock, and runqputbatch (op runqputbatch,
//     runqputbatchOwed: the rest onto the ring without a lock, then the
//     first G runs) is its next op, as findRunnable unlocks before
//     runqputbatch; idle is one sched.lock
//     section that rechecks the global queue, releasep and pidleput (a
//     non-spinning M's stopm, its mput, is its next op, stopmOwed, as
//     findRunnable unlocks before stopm). startlockedm's sched.lock section
//     (incidlelocked(-1), releasep, the locked M's nextp) ends the
//     schedule op of an M that was not spinning. A spinning M makes
//     resetspinning's wakep first, as proc.go's schedule does: it holds
//     the G (m.handing, exported as MSnap.Handing) and its P through the
//     wakep's ops, and startlockedm is then its op of its own
//     (startlockedm). The handing M's stopm is its next op, and the
//     locked M's acquirep (stoplockedmReturns: acquirep(nextp),
//     execute) its own, as another thread's.
//   - spin, stopspinning: one atomic add on nmspinning each. wakep: the
//     runtime's atomic steps, one op each, as other Ms' wakeps read and
//     CAS nmspinning without the lock: resetspinning's decrement (op
//     wakep, value 2, the M still owing its wakep), wakep's CAS of
//     nmspinning 0 -> 1 (op wakep, value 1; 0 when an M spins already;
//     lock-free, as the runtime's),
//     then its sched.lock section (op wakepstartm: pidlegetSpinning, or
//     the decrement back), then startm's own sched.lock section (op
//     startm: mget and the nextp, or the P left pending for newm), as
//     the runtime unlocks between them. In between the P is wakep's
//     local (m.startmP, exported as MSnap.StartmP): _Pidle, off the
//     idle list and not pending, which no other M takes. The controller
//     makes the same three ops after every stop-the-world
//     (startTheWorldWithSema's wakep, proc.go:1822), with the Ms running
//     in between and no stop-the-world before they are done; checkdead
//     counts its M until then (sched.ctlm). A locked M's gosched makes the same wakep ops;
//     its stoplockedm (releasep, handoffp, incidlelocked(1)) is its op
//     after them (op stoplockedm; after park too), as goschedImpl and
//     park_m unlock before schedule: until it the M holds its P, and
//     another M's startlockedm may set its nextp first (m.stoplocked,
//     MSnap.StopLocked). recheck, after stopspinning, an op per
//     sched.lock section: the one that reads sched.runq (and takes
//     pidlegetSpinning's P and the global batch if it holds work); then
//     (m.recheckRunqs, MSnap.RecheckRunqs) checkRunqsNoP's unlocked reads
//     and sched.lock again for the P if a run queue holds work; where
//     no P is idle then and the GC marks, checkIdleGCNoP's sched.lock
//     section is a third op (recheckIdleGC: m.recheck with m.stopping);
//     the P it took is the M's (m.spinP, MSnap.SpinP: _Pidle, off the
//     idle list), and its next ops are runqputbatch onto that P (a batch
//     with a rest) and acquirep (recheckAcquire: `acquirep(pp);
//     mp.becomeSpinning()`, whose needspinning store is the M's next op,
//     spinClearOwed, which runs the batch's first G); with none the
//     M owes stopm (stopmOwed, MSnap.Stopping), whose mput is a sched.lock
//     section of its own. acquirep: no lock for stopm's, stoplockedm's
//     and the recheck's, as in the runtime; newm's pending P is taken
//     under sched.lock, by an exited M's slot (Output.Newm) or an idle
//     M standing in.
//   - exit/goexit: gfput's spill lock section (sched.gFree.lock); a
//     locked G's thread then owes mexit (m.mexiting, MSnap.Mexiting),
//     its next op: releasep and handoffp's unlocked reads; then handoffp's
//     next steps, then mfreed (m.mfreed, MSnap.Mfreed): mexit's own
//     section, nmfreed++ and checkdead, after which the thread exits.
//     handoffp (retake's, stoplockedm's, mexit's) is made in the
//     runtime's pieces, each an op of its caller (proc_handoffp.go):
//     the unlocked reads and CAS (at the end of the caller's sched.lock
//     section), handoffpstore, handoffplocked, startm; the P is held in
//     a.startmP or sched.retakeP, the step in p.handoff (PSnap.Handoff);
//     stoplockedm's incidlelocked(1) and sysmon's come after the last.
//   - park: the status and dropg inside the wait object's lock, which is
//     what a readier takes first; a locked M's stoplockedm is its next op.
//   - gosched: one sched.lock section (globrunqput); the wakep and a
//     locked M's stoplockedm are its next ops. goyield: no lock (the G at
//     its own P's ring tail), no wakep; runqputslow's push (m.yieldSlow,
//     no wakep after it) or a locked M's stoplockedm is its next op. exitsyscall: the sched.lock
//     section that gets the P (exitsyscallTryGetP's pidleget;
//     exitsyscallNoP's pidleget; the acquirep after it, without the lock
//     as in the runtime; or takeP from a syscalling thread under that G's
//     scan bit, without sched.lock) or queues the G (exitsyscallNoP,
//     whose stopm or a
//     locked M's stoplockedm is the M's next op, after the unlock, as in
//     exitsyscallNoP); the unlocked reads
//     before it (setBlockOnExitSyscall's, `sched.pidle != 0`) decide the
//     path, which is recorded (Output.Path). retake: the G's status CAS
//     to syscall|scan blocks exitsyscall (setBlockOnExitSyscall) across
//     the P's takeP; thread.resume() releases it before handoffp
//     (proc.go:6710-6715).
//   - stoptheworld, preempt, gcstopm, then procresize or gc (its off with
//     gcComputeStartingStackSize): the controller's stopTheWorldWithSema
//     sets sched.gcwaiting under sched.lock and stops the Ps of Ms in
//     syscalls and the idle Ps (_Pgcstop); each M stops at its next safe
//     point, the top of its loop: a running G is preempted into its own
//     P's runnext (one time in two, the actor's seeded PRNG deciding; the
//     other time it makes its next op first), an M in schedule stops in
//     gcstopm (also when its schedule op, or the stop path under
//     sched.lock, finds gcwaiting set), entersyscall gives its P up, and
//     handoffp stops the P it would idle. The controller waits until
//     sched.stopwait is 0, makes its action and restarts the world:
//     procresize's hand-out of the Ps with work to their oldm, mget's M
//     or newm's (pending), gcwaiting cleared first (an M polls its nextp
//     without the lock, where the runtime wakes it after the unlock).
//     checkdead counts the controller's M from its stopTheWorld to the
//     end of its wakep (sched.ctlm), and the controller starts no
//     stop-the-world once checkdead has declared a fatal error.
//   - markrootfreegstacks and markrootfreegstackspush: the runtime's two
//     sched.gFree.lock sections, one op each (detach the stack list, then
//     free the stacks unlocked; push them onto noStack). Between them the
//     Ms run on and the detached Gs are on neither global list.
//
// # Recording and the abstraction
//
// With Config.Record every op is recorded by its actor into a per-actor
// buffer of 48-byte records with call and return timestamps; at the end
// they are expanded to Events and merged by Call, each actor's in the
// order it made them. Free-running, the stamps are reads of the
// monotonic clock, one per op (the call is the actor's previous read
// unless it waited since), and an actor writes nothing another reads, so
// recording neither serializes the Ms nor orders them for the race
// detector (TestRecordingAddsNoEdges); deterministic modes use a logical
// clock. Why this keeps the real-time order sound, and what it costs:
// actor.begin in harness_record.go.
// Snapshot is the abstraction function; it is taken once the run is
// quiescent, or after every op with SnapshotEvery (deterministic, ops
// atomic). Snapshot.Check states the invariants (conservation, every
// runnable G queued once, list sizes). The harness also checks, at every
// execute, that the G is not already running on another M (an atomic
// owner per G), reporting Result.Violations.
//
// # Throws and panics
//
// A runtime throw is raised by the op that detects it: throwOp records
// the message as the op's Output.Throw, commits the op and ends the run
// (Result.Throw). A function that finds a throw condition inside an op
// (gfput, runqputslow, handoffp, execute, ...) returns the message to the
// op instead of throwing. A test audits the source for it.
//
// The run goes on after a throw only to wind down, and an actor that was
// inside an op (begun, not committed) may finish it on its way out, so
// the final state is not the state at the throw. In the deterministic
// modes the throwing actor, the only one running, takes that state as
// its op commits (Result.AtThrow), with the actors then inside an op:
// begin marks an actor inside an op, commit ends it, and abandon ends an
// op dropped without a write the snapshot holds.
//
// A panic in an actor's goroutine (an M, sysmon, the controller) is
// recovered in Run's goroutine wrapper: the locks the actor held (taken
// through actor.lock, which keeps a list) are released, the run ends as
// after a throw, and Result.Panic holds the value and the trimmed stack.
//
// # Faults
//
// Faults() lists the planted bugs, switched on by name in Config.Faults;
// each is a bool in a struct tested on its path (one predictable branch
// when off). spill-no-lock, steal-no-cas and runqget-no-cas only show
// when another M acts inside the op's window (never with one M or with
// atomic ops); runqputslow-no-lock when another M puts on or takes from
// the global queue between runqputslow's CAS and its push (a window that
// spans the runqput and the runqputslowpush ops, so atomic ops show it
// too; one M never does); runnext-stolen-left-set needs a thief.
// spill-no-lock and runqputslow-no-lock model the missing lock as two
// separate critical sections (read the list heads or the global queue's
// tail, then write them back), so the lost update happens logically and
// the race detector stays quiet. panic-in-gfput and throw-outside-op are bugs of
// the implementation itself rather than of the runtime it models: a nil
// dereference, and a throw raised without its op record.
//
// # Left out
//
// Netpoll, timers, GC workers, the trace reader, the usleep(3) back-off
// before stealing runnext, randomizeScheduler, preemption other than a
// stop-the-world's (the preempted status is never produced), new M
// creation (the M pool is fixed: a run
// where every M has exited or is wedged while Gs are runnable ends as a
// deadlock), entersyscallblock, stack shrinking, stack
// contents and the stack pool (a stack is a size), and valgrind/race/msan
// hooks. Wait objects are a
// semaphore-like stand-in for channels: a Ready wakes the object's first
// waiter, or with none leaves a pending wakeup, consumed by the next Park
// without an op (the checker holds a run to that protocol from its step
// stamps: checker's wrongWakeups).
package impl
