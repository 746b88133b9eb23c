// Package rtcheck instruments the real Go runtime and records what its
// goroutine exit path does: P free lists, spill and refill, the stack and
// noStack global lists, stacks kept, freed and allocated, run queues,
// runnext, stealing, the global queue, findRunnable's choice, exitsyscall's
// paths, handoffp, startm, stopm, wakep, procresize, checkdead, locked
// exits and the idle P list (pidleput, pidleget). It is the foundation of
// `gexit runtime`.
//
// A run's records are checked for consistency (Consistency: bookkeeping:
// list sizes, every record's P one the process has, as procresize leaves
// them, newproc1's malg path right after its malg record, counters that
// only grow), then judged by the spec (Options.Judge receives every process's
// records; SpecJudge, judge.go): the free-list records are replayed, in
// their exact order, through the spec's free-list sub-machine
// (spec/freelists.go, the functions Step's transitions are built from)
// and every result is compared with the record, the spec's free-list
// invariants checked on the projection; the idle P list's records
// (pidleput, pidleget: sched.lock orders them) are replayed through the
// spec's idle-list sub-machine (spec/pidle.go; judge_pidle.go): pidleget
// hands out the head (LIFO), npidle and the links are the spec's, a P put
// twice is the spec's throw, procresize rebuilds the list in the spec's
// order, handoffp's decisions under sched.lock are the spec's, and
// exitsyscall's idle P comes from the pidleget just before on its M (the
// judge starts at schedinit's procresize, the process's first record, and
// an idle-list record before it is a violation);
// the run queues are checked for linearizability against the spec's
// run-queue sub-machine (spec/runqs.go; judge_runq.go). The runtime mutation table (mutants.go,
// gexit runtime -mutants) proves the check can fail: small changes to a
// copy of the runtime source, each of which must be caught.
//
// # Instrumentation (overlay.go, anchors.go)
//
// GenerateOverlay reads the runtime source (the toolchain's, or a modified
// copy: the research use), places probe calls by anchors, and writes into a
// temporary directory the instrumented proc.go, mgc.go, mgcmark.go, panic.go and
// runtime.go, the added file gexit_probes.go (rendered from
// gexit_probes.go.tmpl with the probe numbering of probes.go) and
// overlay.json for go build -overlay. Nothing of the runtime's source is
// kept elsewhere. An anchor is a function and a path of statements in it,
// matched by their first source line (anchors.go); a statement that is
// missing or matches twice is an AnchorError naming the file, the function,
// the statement and what could not be placed. No probe is ever dropped
// silently: every probe kind must be placed at least once.
//
// # Records (record.go)
//
// A probe writes one 64-byte record: an index (the exit stamp), an entry
// stamp for lock-free run-queue operations, a G's address (G structs are
// never freed, so the address names the G for the process's life), a goid
// or a second G's address, the kind, the P id, the M id, and six int32
// fields named per kind (KindInfo): list sizes after the operation, counts
// moved, which list, stack sizes, startingStackSize, branch codes. The
// index is reserved by a CAS on one counter after the operation's effect
// and, for operations done under a lock (the free lists under
// sched.gFree.lock, sched.runq under sched.lock) or by a P's owner, before
// the lock is released or the P changes hands: their order in the records
// is their real order, which a replay through the spec's transitions
// needs. Two global-queue probes are the exception to "after": the
// globrunqputbatch and globrunqget records are taken before the list
// operation, with the sizes it will leave (their order is still exact
// under sched.lock, and a fault in the push or pop shows in the next
// record's size). A lock-free operation (runqput, runqget, runqgrab, runqsteal,
// runqputslow, runqputbatch, runqdrain) also carries the counter's value
// when it began: A finished before B began iff A.Index < B.Entry, the call
// and return points a linearizability check needs (on amd64 the reserving
// CAS is a full barrier, so the operation's effect is visible before its
// stamp).
//
// The records are kept lean on the hot path (six per create+exit cycle):
// gfget's pop is part of newproc1's record (its only caller), an unlocked
// exit is the gfput record alone (gdestroy records locked exits, whose tail
// is mexit), findRunnable's choice from the local run queue is the runqget
// record before it on the same M, and runqget finding nothing, wakep
// finding no idle P and pidleget finding an empty list change nothing and
// are not recorded.
//
// # Draining
//
// Programs run with -test or -exec never call a reader, so the runtime
// side writes its records itself. Records go into a preallocated ring
// (BSS): no allocation, no write barrier, safe on any stack and in nosplit
// code. runtime.main starts, after sysmon, a drainer: an M without a P,
// counted in sched.nmsys so checkdead does not see a running M (and, as
// sysmon, calling checkdead once when it starts). It writes committed
// records to $GEXIT_RECORDS/<pid>.gexit, one file per process (test
// binaries start subprocesses), sleeping 2 ms when idle and 1 ms while
// less than an eighth of the ring (128k records) is pending. The final drain runs on every exit path: runExitHooks
// (main returning, os.Exit), syscall.Exit, fatal errors (fatalthrow) and
// unrecovered panics (fatalpanic); it waits briefly for records still
// being written and ends the file with a trailer (records reserved,
// written, lost, probe calls outside the scheduler's Ps, and gdestroy's calls, which are counted, not recorded). The drainer was chosen over draining from the probes
// because a probe may run holding sched.lock, on the system stack, in
// nosplit code: a write system call there would block the scheduler.
//
// A writer reserves an index only when the drainer has written every
// index a lap before it; it never reads the slot it writes, so a record
// costs its writer one CAS and its own stores (the drainer's read is the
// only other traffic on the line). A slot's seq word, stored last with a
// release, commits the record. The drainer writes committed records in
// runs and writes around a record whose writer was descheduled between
// reservation and commit, remembering in a bitmap of its own what it
// wrote (the file is then in index order by runs; Decode sorts). A writer
// that finds the ring full waits for the drainer, yielding (the drainer
// takes no runtime lock, so this cannot deadlock); without a drainer
// (GEXIT_RECORDS unset), or after about a second, it drops the record and
// counts it. Drops and failed writes are reported in the stream (loss
// markers) and in the trailer; a run with any is unknown, never ok, and
// its records are not checked.
// A probe on a P that is not one of the scheduler's (a P made by new(p),
// as the runtime's own run-queue tests make: RunSchedLocalQueueTest and
// its kin drive runqput, runqget and runqsteal on such Ps, whose id 0
// names a real P) records nothing; the calls are counted in the markers
// and the trailer (Trailer.Outside) and reported.
// Decode's File.Settled is the gap-free prefix of the indices: records
// after a record still being written at exit are the unsettled tail.
//
// runtime.GexitRead and runtime.GexitStats, exported from the added file,
// let a program built with the overlay read its own records when
// GEXIT_RECORDS is unset (DecodeRecords decodes them).
//
// # Running (run.go, workloads.go)
//
// Run generates the overlay, builds the targets with it (bundled workloads
// under testdata/workloads, built in a temporary module; the tests of
// packages with go test -c; a main package directory), runs each under
// every GOMAXPROCS value of Options.Procs with GEXIT_RECORDS set, decodes
// every process's file and checks it. A crash, a fatal error other than
// the one a workload expects, failing tests or an unexpected exit status
// is a violation; a timeout, lost records or a missing file is unknown.
// Runs that are not ok leave a bundle (output, record files, report.txt)
// under Options.Out. With -run all, a probe that never fires is a
// violation, and so is a branch a workload is there for (Workload.Codes:
// handoffp's last-P branch, exitsyscall's idle path); KindInfo.Optional
// names the probes exempt and why. A workload with a Finding shows where
// the real runtime breaks a spec invariant: its verdict must be that
// violation, and -run all leaves it out. finalizer-goexit is one: a
// finalizer and a cleanup that call runtime.Goexit end the goroutines
// running them (golang/go#71824), which newproc1 counted in sched.ngsys
// as system goroutines and gdestroy, asking isSystemGoroutine again while
// they run user code, does not take off (NGSysCount; probe
// gdestroy.ngsys): ngsys stays too high and runtime.NumGoroutine too low.
//
// Linux only (the runtime side opens and writes the record file with the
// runtime's Linux system call wrappers).
package rtcheck
