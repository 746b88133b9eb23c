// Package conform checks the spec against reality: it reads execution
// traces of the real Go runtime (runtime/trace, go test -trace; Go 1.22 or
// later, through golang.org/x/exp/trace) and checks that what the runtime
// did is something the spec's goroutine lifecycle (spec.Lifecycle) allows.
//
// # Layers
//
//   - The checking core, Checker, is pure and streaming: it is fed Event
//     values (kind, time, executing G, P, M, target goroutine or P, from and
//     to states, start function, log annotation) in trace order. Its memory
//     follows the peak number of live goroutines, not the trace length
//     (tables.go): the live goroutines' states in an open-addressing table
//     (deleted at exit), the Ps, the extra Ms' goroutine ids, the threads
//     that saw a locked exit, and the exited goroutine ids for the id-reuse
//     rule, one bit each but only in blocks of 4096 ids not all exited yet
//     (a full block becomes part of a run of full blocks). Tests feed it
//     synthetic and tampered sequences.
//   - The trace adapter, CheckTrace / CheckFile / Feed, turns x/exp/trace
//     events into Events without allocating, with one ev.Kind and at most
//     one ev.StateTransition call per event, and keeps stacks as the
//     trace's handles: it materializes them (as strings) only for
//     violations, and a creation's start function through a small cache
//     of recent creation stacks. Any unreadable input (empty, truncated,
//     corrupt, an unsupported version, a header with no events) is an
//     error wrapping ErrNotTrace; reader panics are recovered into such
//     errors. So is a reader that ends with input left unread: it
//     reports a generation it cannot decode from the next ReadEvent,
//     and when decoding ran out inside a batch that error is io.EOF
//     itself, after the same Sync that ends a whole trace (one byte
//     flipped in a later generation's sync batch did it; the prefix
//     before it was judged as the whole trace).
//   - The workloads (workloads.go) record a trace in-process with
//     runtime/trace.Start into memory and read runtime/metrics around the
//     run (Record), for `gexit conform -run`.
//
// # Mapping of trace states to spec statuses
//
//	trace state    spec statuses
//	NotExist       idle, dead
//	Runnable       runnable
//	Running        running  (the runtime's copystack, and a goroutine waiting
//	               only to be suspended, are invisible: they show as Running)
//	Waiting        waiting, preempted  (Go 1.26's leaked shows as Waiting too;
//	               the spec has no status for it)
//	Syscall        syscall
//	Undetermined   any: nothing is known (see re-statements)
//
// A trace transition From -> To is accepted iff some spec.Lifecycle edge
// leads from a status in From's set to a status in To's set. Coverage
// credits the first such edge in table order: NotExist -> Runnable is
// dead->runnable (creation, newproc1), NotExist -> Waiting is dead->waiting
// (a coroutine created blocked, iter.Pull), Running -> NotExist is
// running->dead (every exit: return, runtime.Goexit, a locked exit, a
// coroutine ending), Running -> Waiting is running->waiting (park_m; the
// running->preempted, preempted->waiting path of suspendG is
// indistinguishable in a trace and shows as Waiting -> Waiting, never
// emitted). Rejected, because no edge connects the sets: Runnable ->
// NotExist, Waiting -> NotExist, Syscall -> NotExist (but see the extra-M
// rule), Waiting -> Running, Runnable -> Waiting, Runnable -> Syscall,
// Syscall -> Waiting, NotExist -> Running, anything -> Undetermined.
//
// Re-statements: every generation (about one a second) starts with a Sync
// event, after which the trace re-states the live goroutines and Ps it
// mentions as X -> X; these are checked against the known state (rule
// continuity) and otherwise ignored. A goroutine the trace mentions for the
// first time (alive when tracing started, or first touched in a later
// generation) arrives as Undetermined -> X: it is accepted and tracked
// from X, with its origin unknown.
//
// Extra-M rule (cgo callbacks on threads not created by Go): the
// goroutine of an extra M appears as NotExist -> Syscall (needm; the
// runtime's deadextra status in Go 1.26, not modelled by the spec) and
// leaves as Syscall -> NotExist (dropm); in between it makes ordinary
// transitions (Syscall -> Running while the callback runs Go code). It is
// the only goroutine whose id may be reused, and only by another
// NotExist -> Syscall. Syscall -> NotExist of a goroutine created
// otherwise, or an extra-M goroutine exiting from Running, break the rule.
// A goroutine of unknown origin (Undetermined) may leave by
// Syscall -> NotExist: it may have been an extra M's.
//
// # Rules
//
// Each violation carries the rule, the goroutine id, the time, the event's
// P and M, the transition, a detail, and the stack (the transitioning
// goroutine's stack when the trace has one, else the event's).
//
//   - lifecycle: a goroutine transition no spec edge allows (above).
//   - continuity: a transition whose From is not the goroutine's (or P's)
//     last known state; a goroutine created twice; a transition of a
//     goroutine never created nor stated.
//   - id-reuse: an exited goroutine id appears again (created, or stated
//     Undetermined); extra-M ids only by the extra-M rule.
//   - extra-m: the extra-M rule above.
//   - running-exceeds-procs: more goroutines Running than Ps Running,
//     checked when a goroutine starts running and when a P stops, outside
//     the burst of re-statements that follows a Sync.
//   - proc-not-running: a goroutine starts running (Runnable -> Running,
//     Syscall -> Running) or is first stated Running (Undetermined ->
//     Running) on a P that is not Running, or on no P; or a P stops
//     (Running -> Idle) while a goroutine is still Running on it: the
//     runtime never releases the P of a running goroutine (its one such
//     release, procresize's, traces GoSched first, proc.go:6099).
//     running-exceeds-procs alone sees that only when no other P runs.
//   - proc-shared: a goroutine starts running, or is first stated Running,
//     on a P on which another goroutine is still Running, or is stated
//     Running by a thread the trace says runs another Running goroutine.
//     A statement is held to this rule and to proc-not-running wherever
//     it comes, also in the burst after a Sync: the runtime writes a
//     running goroutine's status from its own thread, which holds the
//     goroutine's P and has written that P's status first (eventWriter),
//     so the statement names the goroutine's P and thread. The P keeps
//     its first goroutine too: the later one does not free it on exit.
//   - locked-thread-reused: after a goroutine that logged the locked-exit
//     mark (runtime/trace.Log(ctx, "gexit", "locked-exit"), made by the
//     bundled workloads just before a goroutine locked with LockOSThread
//     returns) goes Running -> NotExist on thread M, any later event on M
//     that runs a goroutine (a transition to Running or Syscall on M, or
//     any event executed by a goroutine on M). The trace does not record
//     LockOSThread, so the rule applies wherever such a mark is present.
//     Thread ids are OS thread ids (m.procid); the kernel could in principle
//     reuse the id of a thread that exited, which this rule would then
//     report (never seen here). A goroutine starting on M counts whichever
//     goroutine the event names as executing, and the exited goroutine
//     itself executing on M again is a violation too.
//   - executor-not-running: an event executed by a goroutine (Event.G)
//     that is not Running or in a syscall: one that exited, one never
//     created nor stated, or one Runnable or Waiting. A thread executes
//     only its curg: the trace binds a goroutine to its thread when it
//     starts running (GoStart, GoSyscallEnd, a Running or Syscall status,
//     an extra M's GoCreateSyscall) and unbinds it when it stops (GoStop,
//     GoBlock, GoDestroy, GoSyscallEndBlocked). A goroutine in a syscall
//     executes its own Syscall -> X and exitsyscall's ProcStart. Events
//     with no goroutine (G = -1: unblocks by sysmon or netpoll, ProcSteal,
//     a P's hand-off) are not checked.
//   - wrong-context: an event executed by a goroutine on a P or thread
//     other than the one it runs on (the P and thread of its start, or of
//     its Running statement; a goroutine in a syscall keeps only its
//     thread, since its P may be taken: ProcSteal), or a goroutine
//     re-stated Running on another P or thread, or in a syscall on another
//     thread. A running goroutine stays on the M and P execute gave it
//     until it stops (procresize, the one place that moves a running
//     goroutine's P, traces GoSched and GoStart around it), and the
//     runtime writes its status from its own thread; a goroutine in a
//     syscall runs entersyscall to exitsyscall on one thread, and its
//     status names that thread.
//   - foreign-transition: a goroutine's own transition (from Running or
//     Syscall: a stop, block, exit, syscall entry or exit) executed by
//     another goroutine or by none. gopark, goschedImpl, goexit0,
//     entersyscall and exitsyscall run on the goroutine itself, and the
//     trace records them in its own context; other goroutines only
//     create, unblock (Waiting -> Runnable) or start goroutines.
//   - time-backwards: an event with an earlier timestamp than the one
//     before it. The runtime stamps events from a monotonic clock and the
//     reader orders them by timestamp and moves an event not later than
//     the previous one to 1 ns after it; equal timestamps are accepted.
//   - unstated: a goroutine alive when a generation ends (at the next
//     Sync, or the final one) that the generation never mentioned: no
//     transition, creation, exit or statement of it. The runtime states
//     every goroutine that is not dead in every generation: a
//     goroutine's status is written before its first event of the
//     generation, or the first event about it (an unblock, a start),
//     and traceAdvance writes the status of every other one it finds not
//     dead, the last generation's too (forEachGRace). So a live goroutine
//     a generation leaves out had its events lost: the reader reads a
//     trace without one thread's last batch (in
//     testdata/generations-procs2.trace, goroutine 31's syscall exit and
//     exit go with it, and the trace ends with it in the syscall), or
//     without the batch of statements that ends a generation.
//
// What can fire on a real trace. The trace reader (x/exp/trace) checks
// its own state machine as it orders events: a transition from a state
// the resource is not in, a goroutine created twice, a GoStart with no P
// on the thread, a GoDestroy with no current goroutine. A trace that
// breaks those is not readable (exit 2, with the reader's message), and
// the wire format fixes each event's (From, To) pair, so lifecycle,
// continuity, the start half of proc-shared and proc-not-running are
// backstops there: the planted tests reach them on converted events. So
// are executor-not-running, foreign-transition and time-backwards: the
// reader derives each event's executing goroutine from its own thread
// bindings, records a goroutine's own transitions in its own context,
// and makes timestamps increase.
// What a readable trace can break is unstated, id-reuse, extra-m,
// running-exceeds-procs, locked-thread-reused, the stop half of
// proc-not-running, proc-shared and proc-not-running at a goroutine's
// Running statement (the reader binds the stated goroutine to the thread
// without looking at the goroutine the thread already runs:
// testdata/p-shared-tampered.trace, a real trace edited so that a second
// goroutine is stated Running on a busy P, reads cleanly and is caught),
// probably wrong-context at a re-statement that names another thread (the
// reader does not unbind the goroutine's old thread; not tried) and the
// metrics cross-check. One limit: a trace
// cut at a generation boundary reads cleanly, so a prefix of a conformant
// trace is judged conformant (a cut inside a generation is an error,
// also one right after a generation's sync batch, which the reader reads
// as no generation at all: Feed requires a Go 1.26 trace's last byte to
// end a generation).
//
// # The runtime/metrics cross-check
//
// Record reads /sched/goroutines-created:goroutines and
// /sched/goroutines:goroutines just inside a window it marks in the trace
// with the window-begin and window-end annotations. The checker counts the
// creations (any NotExist -> X) and exits (any X -> NotExist) inside the
// window; MetricsMismatch requires created = Δcreated and exited =
// Δcreated - Δlive exactly. Both metrics count runtime goroutines too
// (gcount(true); newproc1 counts every creation), as does the trace, so no
// filtering is needed (Window.CreatedSystem counts the runtime's own, by
// start function, for information).
//
// # Performance
//
// bench_test.go records a trace of 100,000 goroutines (each yields four
// times; at most about 1,000 alive at once; 1.10 million events, 5.4 MB)
// and measures, on the same bytes: BenchmarkParseBare (trace.NewReader and
// ReadEvent, nothing else), BenchmarkParseBareTransitions (the same plus
// ev.StateTransition and its resource and states for every transition:
// the least the check needs from the reader), BenchmarkConform
// (CheckTrace) and BenchmarkChecker (the core alone on converted events).
// One run of go test -bench 'Conform|ParseBare|Checker' -benchmem -count 3
// (2-CPU AMD EPYC VM, Go 1.26.8; means of the three):
//
//	ParseBare             80.8 ms/op   73.2 ns/event   24.12 MB/op
//	ParseBareTransitions 100.4 ms/op   90.9 ns/event   24.12 MB/op
//	Conform              130.2 ms/op  118.0 ns/event   24.23 MB/op
//	Checker               14.1 ms/op   12.8 ns/event    0.11 MB/op
//
// Conformance adds 61% to the bare parse, 30% to the parse with the
// transitions decoded. Decoding alone adds 24%: StateTransition is the
// only way to learn a transition's goroutine and states, and nearly every
// event of a goroutine-heavy trace is one. Run to run (each run records
// its own trace) the ratio to the bare parse has ranged from 1.51 to 1.62
// on this machine. The check allocates 113 KB per run beyond the reader's
// 24 MB (which the reader allocates either way); the checker's state is
// 52 KB at the end (state-B), for 1,010 goroutines alive at most, and does
// not grow with the trace (TestMemoryBounded: ten times the goroutines,
// as many alive, the same state).
//
// Where the time goes, from CPU profiles: ReadEvent as in the bare parse;
// StateTransition (it copies the event, builds the reason and the stack
// handle, and returns a 56-byte struct that the caller must spill and
// copy to read its states); the accessors Kind, Time, Goroutine, Proc and
// Thread, each of which copies the 80-byte event (value receivers); the
// checker, about 11 ns/event, a quarter of it the goroutine table lookup.
// Tried and dropped: identity hashing of goroutine ids (sequential ids
// make one long probe run: slower), 16-byte table entries (no gain), a
// reader goroutine feeding the checker in batches (no faster in wall time,
// a quarter more CPU), checking two events behind (slower).
//
// The figures above predate the executing-goroutine rules, which keep
// each running goroutine's thread (table entries of 32 bytes instead of
// 24) and look up the executing goroutine of every event that has one (a
// second lookup when it is not the transitioning goroutine, as for a
// creation). Measured back to back on a busier machine (go test -bench
// 'Conform$|Checker$' -count 2, before and after): Checker 27.5-34.9
// against 42.7-45.8 ns/event; Conform 217-223 against 206-211 ns/event
// (the difference lost in the parse's noise); state 51,328 against
// 68,232 bytes, still independent of the trace's length.
//
// # Findings about real traces (Go 1.26.8, x/exp/trace 20261113)
//
// Every workload, under GOMAXPROCS 1, 2 and 4, and traces of the standard
// library's own tests (go test -trace for sync, context, os and net/http)
// conform: every lifecycle, P and locked-thread fact above held. The
// executing-goroutine rules (executor-not-running, wrong-context,
// foreign-transition, time-backwards) and the P rules at Running
// statements held as well on the workloads (generations too, GOMAXPROCS
// 1 to 8), on sync, os and net/http, on the runtime's scheduler tests
// (26.7M events, 17 generations), and on a cgo program whose C threads
// call back into Go and whose goroutines sit in C calls across generation
// boundaries (extra Ms, Syscall re-statements of other threads). The
// unstated rule held on the workloads (GOMAXPROCS 1, 3, 8, generations
// at 4), on sync, context, os, time and net/http, on the runtime's
// scheduler tests (3.9M events, 43 generations) and on a cgo program
// whose C threads call back into Go across four generations. Facts
// that did not hold as first stated:
//
//   - A thread whose locked goroutine exited is not silent afterwards
//     (contrary to "the thread id never appears again"): in mexit it hands
//     off its P, which the trace shows as a ProcStop (P Running -> Idle) on
//     that thread, and sometimes as a ProcStart, a heap Metric event and
//     another ProcStop, all with no goroutine. The rule is therefore
//     stated as "never runs another goroutine", which held; such events
//     are counted in Report.DeadThreadEvents. Trace:
//     testdata/locked-exit-procs1.trace (workload locked, GOMAXPROCS 1:
//     16 locked exits, 25 goroutine-less events on their threads after).
//   - runtime/metrics lags the trace at exits: goexit1 emits the trace's
//     Running -> NotExist before mcall(goexit0) -> gdestroy -> gfput puts
//     the G on a free list, and /sched/goroutines (gcount) counts it as
//     live until then. Read right after a WaitGroup.Wait, the metrics were
//     off by one exit (spawn workload, GOMAXPROCS 2: metrics 3999 exited,
//     trace 4000). Record therefore lets the live count settle before
//     closing the window; with that the counts agree exactly.
//   - A ProcSteal is not always "another thread takes the P": when
//     exitsyscall finds its P's syscalltick changed (e.g. trashed by dropm),
//     the thread emits a ProcSteal of its own P, then ProcStart,
//     Syscall -> Runnable and Runnable -> Running (proc.go, exitsyscall).
//     Report.ProcSteals counts only steals of another thread's P.
//   - Syscall -> Runnable appears whenever exitsyscall did not keep its P,
//     including when it then gets another idle P at once (ProcStart,
//     Syscall -> Runnable, Runnable -> Running), not only when it queues
//     the goroutine (exitsyscallNoP).
//   - Never seen, as the spec predicts: Runnable -> NotExist,
//     Waiting -> NotExist, Waiting -> Running, Runnable -> Waiting,
//     Syscall -> Waiting, anything -> Undetermined, goroutine id reuse.
//     The spec edges idle->dead, running->preempted and preempted->waiting
//     are never witnessed: idle and dead are both NotExist, and
//     preemptPark's park is traced as Running -> Waiting with reason
//     "preempted" (proc.go:4419), which coverage credits to
//     running->waiting (it keeps reasons only for Running -> Runnable);
//     preempted -> waiting is Waiting -> Waiting, never emitted.
//   - Stop-the-worlds preempt running goroutines, as the spec's
//     stop-the-world protocol does (spec/stw.go: op preempt puts the G in
//     its own P's runnext, gcstopm stops the M): inside a trace's
//     "stop-the-world (...)" range, other goroutines go Running ->
//     Runnable with reason "preempted" and resume on the same P before the
//     range ends (goschedImpl's runnext, procresize's oldm).
//     Report.StopTheWorlds and STWPreemptions count them; the preempt
//     workload's GCs, with a spinner on every P, show one in almost every
//     stop-the-world at GOMAXPROCS 2 (14-16 of 17 under -race), none at
//     GOMAXPROCS 1, where the goroutine stopping the world is the only one
//     running (TestRealSTWPreemptions). The count says how often real
//     programs take the spec's preempt path.
package conform
