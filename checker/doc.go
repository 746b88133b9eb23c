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
