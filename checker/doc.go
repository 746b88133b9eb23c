// Package checker judges by the spec: it explores the spec exhaustively,
// and it checks runs of the implementation against it.
//
// # Exploration
//
// Explore enumerates, breadth first, every spec state reachable under the
// ops spec.Enabled offers within spec.Bounds, deduplicated by
// spec.State.Fingerprint, and checks every invariant at every state. It
// stores 8-byte fingerprints (an open-addressing set), a parent number and
// an op index per state; the frontier is kept encoded. Violations carry the
// shortest path, rebuilt by replaying op indices (Replay).
//
// # Liveness
//
// With ExploreOptions.Liveness, Explore records the state graph (each
// state's steps in findRunnable's and exitsyscall's strict order: an
// explorer step overlaps no other op) and checks LivenessProperties on it:
// every runnable G eventually runs (RunnableGRuns); a G on the global
// queue eventually leaves it, the 61st-tick pick (GlobalRunqServed); a
// handed-off P is eventually acquired (HandedOffPTaken); a P does not
// stay idle while a G is runnable and an M is free (IdlePsPutToWork: a
// lost wakep); a runnable G locked to an M eventually runs on it
// (LockedGRunsOnItsM); a stop-the-world under way comes to have every P
// stopped (StopTheWorldCompletes); a GC mark phase eventually ends
// (GCMarkEnds). "Eventually"
// is on fair runs, under eight named conditions (FairnessConditions), each
// the abstraction of a runtime mechanism the spec does not model:
//   - WeakFairMs: an M that can step in every state of a loop steps in it
//     (every M is an OS thread); a system call's return is no such step
//     (a call may block forever);
//   - TimeSliceEnds: a loop in which a P runs Gs, is never idle or
//     stopped, and stays on one schedtick is unfair: sysmon's retake
//     preempts a G, or a chain of runnext hand-offs sharing its time
//     slice, after forcePreemptNS (proc.go retake, preemptone), handed
//     off or not; not assumed on wasm, which has no sysmon;
//   - HandoffStartsM: a loop in which an M could acquire a handed-off P
//     infinitely often but none does is unfair: handoffp -> startm(pp)
//     wakes one M for that P (mp.nextp = pp);
//   - NewMForHandoff: a loop in which a P stays handed off and no M is ever
//     free is unfair: startm creates an M (newm) when none is idle; the
//     spec's Ms are bounded, and newm's thread runs only in an exited
//     thread's slot;
//   - WeakFairStartTheWorld: the controller, once every P has stopped for
//     its stop-the-world, restarts the world (its action) and makes the
//     wakep after it, if it can step in every state of a loop (the caller
//     of a stop-the-world runs on a thread of its own, proc.go:1822);
//     without it the world could stay stopped, or the P it took for
//     startm stay handed off, forever;
//   - StopTheWorldsSpaced: a loop in which the controller stops the world
//     is unfair: between two stop-the-worlds the Ms run far longer than
//     one lasts (the GC is paced by allocation; the caller is a goroutine
//     that needs a P), so they reach the work the restart handed them;
//     without it the controller could stop the world each time an M is
//     about to run a G. A stop-the-world in a lasso's prefix is still
//     explored. GCMarkEnds's loops may stop the world (a gcMarkDone
//     that restarts marking forever is one);
//   - WeakFairSysmon: sysmon retakes the P of a thread in a system call
//     and hands it off (handoffp) if it can step in every state of a
//     loop (it is a thread of its own, it retakes a P whose call lasted
//     10 ms, and handoffp follows the retake in the same call); without
//     it a blocked call could keep its P, or sysmon hold it, forever;
//   - WeakFairGC: while the GC marks, its root job (markrootFreeGStacks)
//     and, the root jobs done, gcMarkDone's stop-the-world, if one of
//     them can step in every state of a loop, steps in it (the mark
//     phase is finite work its workers and assists finish, mgc.go);
//     without it a GC could mark forever. gcStart is not forced.
//
// Each is needed: without it the spec has a lasso at a small bound
// (TestLivenessFairnessIsNeeded). A violation is a Lasso, the shortest
// prefix to a fair loop and the loop, both as steps. Fingerprint's
// symmetry reduction renames Gs, so a G is followed by its rank in
// spec.State.RunnableOrder. See liveness.go for the algorithm (Tarjan's
// components, Streett refinement) and what the check cannot see.
//
// # Judging implementation runs
//
// A Case is a configuration, an impl.Workload and a schedule; DrawCase draws
// one with rapid, with labelled draws. RunCase runs it on impl and Judge
// checks the run, in order: the harness checks impl made itself; the
// sequential differential (atomic mode: after every op, StateOf(snapshot)
// equals the spec state and the results agree, see Mismatch); every
// invariant on the final state; linearizability of the recorded history
// (Operations) under Model, porcupine's model built from the spec, with the
// final state as a closing observation. The Outcome's Verdict is Ok,
// Illegal or Unknown (a budget ran out); Unknown is never a pass.
//
// Model has no partitions: every op touches state all Ms share (the global
// lists, other Ps' run queues through stealing, the goid generator), so no
// split of a history into independent parts is sound.
//
// # Shrinking and reports
//
// Property wraps RunCase for rapid; RapidRun runs it outside go test (the
// command line, the mutation campaign) and captures rapid's shrunk case.
// Minimize shrinks further: deleting program steps, controller steps and
// retakes, moving controller steps earlier, zeroing schedule choices (0
// keeps the running M, so fewer context switches) and trying other seeds.
// TextReport and Explain replay a counterexample on the spec with the state
// change of every step. Bundles (bundle.go) save cases and histories in a
// versioned JSON format for gexit replay.
//
// # Mutation
//
// Mutants runs the property with each impl fault switched on and reports
// whether it was caught, how fast, and how small its counterexample is.
package checker
