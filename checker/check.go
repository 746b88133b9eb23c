package checker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/spec"
)

// Outcome is the verdict on one case, with what is needed to explain it.
type Outcome struct {
	Verdict Verdict
	// Kind says what failed: "linearizability", "invariant",
	// "differential", "panic" (an actor's goroutine panicked), "throw" (the
	// run stopped at a runtime throw no recorded op raised), "harness", or
	// "" when Ok. Unknown outcomes have Kind "timeout".
	Kind string
	// Name is the invariant, the panic value (its first line), the throw
	// message or the failing operation.
	Name   string
	Detail string
	// Panic is the implementation's recovered panic (impl.Result.Panic:
	// the value, the actor and its stack), or "".
	Panic string
	// At is the index in History of the event that failed, or -1.
	At      int
	Case    Case
	History []impl.Event
	// Final is the spec state of the implementation's final snapshot.
	Final    *spec.State
	Coverage *Coverage
	// Info is porcupine's linearization info, for the visualization.
	Info  *porcupine.LinearizationInfo
	Model porcupine.Model
	// Run is the implementation run judged (nil for a saved history
	// without a final observation).
	Run *impl.Result
	// Overlapping counts the History events whose interval overlapped
	// another's (not Isolated).
	Overlapping int
	// Search is what a systematic case's search covered (mode
	// "systematic"), else nil. It is the search's own record, final once
	// Systematic returns.
	Search *SystematicStats
	// ThrowState, for a run that ended at a throw a recorded op raised,
	// is what became of the check of the state at the throw:
	// ThrowStateChecked, or why it was skipped (ThrowStateSkips); ""
	// when the run did not end at such a throw or the judging stopped
	// before it. ThrowInOp lists the actors inside an op at the throw
	// (ThrowStateInOp).
	ThrowState string
	ThrowInOp  []int
}

// Ops is the number of recorded operations checked.
func (o *Outcome) Ops() int { return len(o.History) }

// CaseMaxOps bounds the ops a case's run records: a drawn case makes a
// few dozen (hundreds at most), so a run that reaches it is a livelock
// (impl.Config.MaxOps), cut short and judged on its prefix, which stays
// cheap to check.
const CaseMaxOps = 8192

// ImplConfig is the impl configuration a case runs with.
func (c *Case) ImplConfig() (impl.Config, error) {
	consts, err := spec.Preset(c.Preset)
	if err != nil {
		return impl.Config{}, err
	}
	cfg := impl.Config{Consts: ImplConsts(consts), Ps: c.Ps, Ms: c.Ms, Wasm: c.Wasm, Seed: c.Seed,
		Choices: c.Choices, Faults: c.Faults, Record: true, Timeout: 10 * time.Second, MaxOps: CaseMaxOps}
	switch c.Mode {
	case "free":
		cfg.Mode = impl.FreeRunning
	case "deterministic":
		cfg.Mode = impl.Deterministic
	case "atomic":
		cfg.Mode = impl.Deterministic
		cfg.SnapshotEvery = true
	case "systematic":
		// One schedule of the systematic search: Choices, then picks
		// of 0 (RunCase searches from it).
		cfg.Mode = impl.Deterministic
		cfg.Systematic = true
	default:
		return cfg, fmt.Errorf("unknown mode %q (want deterministic, atomic, free or systematic)", c.Mode)
	}
	return cfg, cfg.Validate()
}

// RunCase runs the case on the implementation and judges it by the spec:
// harness checks, then (atomic mode) the sequential differential, then the
// invariants on the final state, then linearizability of the history with
// the final state as its last observation. budget bounds the
// linearizability check; running out of it gives Unknown.
//
// A case in mode "systematic" is a search (Systematic, default bounds):
// every schedule with at most two preemptions inside or between ops, from
// c.Choices; the outcome is the first failing schedule's (fewest
// preemptions), or the last one run.
func RunCase(ctx context.Context, c Case, budget time.Duration) (*Outcome, error) {
	if c.Mode == "systematic" {
		out, _ := Systematic(ctx, c, budget, c.searchOptions())
		return out, nil
	}
	cfg, err := c.ImplConfig()
	if err != nil {
		return nil, err
	}
	res, err := impl.Run(cfg, c.Workload)
	if err != nil {
		return nil, err
	}
	return Judge(ctx, c, res, budget)
}

// Judge checks an implementation run of c.
func Judge(ctx context.Context, c Case, res *impl.Result, budget time.Duration) (*Outcome, error) {
	cfg, err := c.ImplConfig()
	if err != nil {
		return nil, err
	}
	scfg := SpecConfig(cfg)
	o := &Outcome{Case: c, History: res.History, At: -1, Coverage: NewCoverage(), Run: res, Panic: res.Panic}
	iso := Isolated(res.History)
	for _, alone := range iso {
		if !alone {
			o.Overlapping++
		}
	}
	for i := range res.History {
		e := &res.History[i]
		if op, err := OpOf(e); err == nil {
			o.Coverage.Add(op, eventResult(e))
		}
	}
	fail := func(kind, name, detail string, at int) *Outcome {
		o.Verdict, o.Kind, o.Name, o.Detail, o.At = Illegal, kind, name, detail, at
		return o
	}
	// A panic in the implementation is a violation whatever else the run
	// shows; the state it left is the one at the panic, not a quiescent
	// one.
	if res.Panic != "" {
		if final, err := StateOf(&scfg, &res.Snapshot); err == nil {
			o.Final = final
		}
		return fail("panic", panicName(res.Panic), res.Panic, -1), nil
	}
	if len(res.Violations) > 0 {
		return fail("harness", "the implementation broke a harness check", res.Violations[0], -1), nil
	}
	// A lost wakeup (free-running): every condition an actor sleeps on
	// is made true by an op that wakes an actor waiting for it
	// (notewakeup), and the harness found every actor asleep, no wakeup
	// on its way to any, and one's condition true (impl.Result.Rescued).
	// The history can look legal: the rescue let the run go on.
	if res.Rescued > 0 {
		return fail("lost-wakeup", "a lost wakeup", fmt.Sprintf("%d times every actor was asleep, with no wakeup on its way to any of them, while one's wait condition held (a notewakeup missing)", res.Rescued), -1), nil
	}
	// Every runtime throw is raised by an op and recorded on it
	// (Output.Throw); a throw no recorded op explains stopped the run
	// somewhere the history does not show, so nothing after it could be
	// judged.
	if res.Throw != "" && !throwExplained(res.History, res.Throw) {
		return fail("throw", res.Throw, fmt.Sprintf("the run stopped at the runtime throw %q, but no recorded op raised it: "+
			"it was thrown outside any op record, so the history ends without the op that failed", res.Throw), -1), nil
	}
	// A G runs the program newproc1 was asked to start: a recycled G
	// that kept its last goroutine's function (startpc) runs the wrong
	// code, which no spec state holds.
	if at, m := wrongProgram(res.History); m != "" {
		return fail("differential", "a G ran a program it was not given", m, at), nil
	}
	// ... and runs it from its first step, each step once, in order: a
	// recycled G that kept its last goroutine's saved context resumes
	// where that one stopped.
	if at, m := wrongStep(res.History, impl.NumberPrograms(c.Workload.Main)); m != "" {
		return fail("differential", "a G ran its program's steps out of order", m, at), nil
	}
	// ... and keeps the wait objects' protocol, which the spec leaves
	// to the workload: a park goes on only with a wakeup pending, and a
	// wakeup is never left beside a waiter. (A run stopped by a throw,
	// or with an actor inside an op, is judged by those.)
	if res.Throw == "" && res.Panic == "" && len(res.HungInOp) == 0 && !res.TimedOut {
		if m := wrongWakeups(res.History, impl.NumberPrograms(c.Workload.Main), &res.Snapshot); m != "" {
			return fail("differential", "a wait object's wakeup gained or lost", m, -1), nil
		}
	}
	if res.TimedOut {
		// The run was cut short (its time budget, or impl's MaxOps for
		// a livelock). Its history is a prefix of complete ops: if no
		// order of it is the spec's, that is a violation already;
		// otherwise the verdict is unknown, never a pass.
		if ops, err := operations(res.History, iso, nil, cfg.Ms); err == nil && len(ops) > 0 {
			linearize(o, scfg, ops, budget, "")
			if o.Verdict == Illegal {
				o.Detail = "(the run was cut short: timed out or at its op limit) " + o.Detail
				return o, nil
			}
		}
		o.Verdict, o.Kind, o.Name, o.Detail = Unknown, "timeout", "", "the implementation run did not finish in its time budget or op limit"
		return o, nil
	}
	final, ferr := StateOf(&scfg, &res.Snapshot)
	o.Final = final
	if ferr != nil {
		name := "RefsInRange"
		if errors.Is(ferr, ErrUnrepresentable) {
			name = "Representable"
		}
		return fail("invariant", name, ferr.Error(), -1), nil
	}
	// The sequential differential: after every op, the abstraction of the
	// implementation equals the spec state.
	if len(res.Snapshots) > 0 {
		s, _ := spec.New(scfg)
		for i := range res.History {
			e := &res.History[i]
			op, err := strictOp(e, iso[i])
			if err != nil {
				return fail("differential", e.Op, err.Error(), i), nil
			}
			op, m, aerr := applyEvent(s, op, e)
			if m != "" {
				return fail("differential", op.String(), m, i), nil
			}
			if aerr != nil {
				break // both threw: the run stopped there
			}
			if i < len(res.Snapshots) {
				got, err := StateOf(&scfg, &res.Snapshots[i])
				if err != nil {
					return fail("differential", op.String(), "snapshot: "+err.Error(), i), nil
				}
				// The spec's history variables are not the
				// implementation's to hold.
				got.AdoptHistory(s)
				if !got.Equal(s) {
					return fail("differential", op.String(), "the implementation's state differs from the spec's:\n"+indent(spec.Diff(s, got)), i), nil
				}
				if v := got.CheckInvariants(); v != nil {
					return fail("invariant", v.Invariant, v.Detail+" (after "+op.String()+")", i), nil
				}
			}
		}
	}
	// At a throw the run has no quiescent final state: the state at the
	// throw must be the spec's after the ops recorded up to it, where
	// that state holds those ops and nothing else (checkThrowState).
	if res.Throw != "" {
		if m, at := o.checkThrowState(scfg, res, cfg.Ms, budget); m != "" {
			return fail("differential", res.History[at].Op, m, at), nil
		}
	}
	// A run that reached a runtime throw stopped there; the throw, raised by
	// a recorded op (checked above), is judged by linearizability (the spec
	// must throw the same on that op: a workload may drive the runtime into
	// a throw, such as Goexit with lockedInt set). The state the run ends
	// in is not a quiescent one, and the invariants need not hold there
	// (a throw's state is one they exclude), but it is still the state
	// after every recorded op: the other actors wind down, each finishing
	// the op it was inside (committed and recorded) or dropping one that
	// wrote nothing (impl's abandon), so it is the linearization's
	// closing observation as a quiescent state is. This is what judges the
	// state of a run whose state at the throw was not checked (free-running,
	// an actor inside an op, a search that ran out of time). Only the
	// program's end is left out: a throw ends the run as main's return
	// does, and the two race (impl's terminal).
	afterThrow, unnamed := res.Throw != "", "final state"
	if afterThrow {
		unnamed = "final state (the run wound down after its throw)"
	} else if v := final.CheckInvariants(); v != nil {
		return fail("invariant", v.Invariant, v.Detail+" ["+v.Source+"]", -1), nil
	}
	ops, err := operations(res.History, iso, final, cfg.Ms)
	if err != nil {
		return fail("harness", "malformed history", err.Error(), -1), nil
	}
	if afterThrow {
		anyTerminal(ops)
	}
	linearize(o, scfg, ops, budget, unnamed)
	// A check of the state at the throw that ran out of its budget
	// decided nothing: the case is unknown unless the whole history
	// decided it illegal (the check without the state at the throw only
	// has to find one order that fits).
	if o.Verdict == Ok && o.ThrowState == ThrowStateUndecided {
		o.Verdict, o.Kind, o.Name, o.Detail = Unknown, "timeout", Undecided, fmt.Sprintf("the state at the throw: linearizability undecided within %v", budget)
	}
	// Progress: a run that ended because nothing could move, with the
	// program alive, must not strand work (spec.CheckProgress). Judged
	// after linearizability, whose failure names the op that went wrong;
	// a stranded final state is a violation even when linearizability
	// ran out of time.
	if o.Verdict != Illegal && res.Deadlock {
		if len(res.HungInOp) > 0 {
			// Every spec op completes in one step: an actor that waits
			// inside one forever is a hang the final state (the state
			// before its op) does not show.
			return fail("progress", "OpHung", fmt.Sprintf("%s inside an op when no actor could move: an op that never completes (a wait no op ends: a lost wakeup, a bit never cleared)", actorNames(res.HungInOp)), -1), nil
		}
		if v := final.CheckProgress(); v != nil {
			return fail("progress", v.Invariant, v.Detail+" ["+v.Source+"]", -1), nil
		}
	}
	return o, nil
}

// actorNames names actors (actorName) for a report.
func actorNames(ids []int) string {
	var names []string
	for _, id := range ids {
		names = append(names, actorName(id))
	}
	return strings.Join(names, ", ")
}

// wrongProgram checks the program stamps of h's ops (impl.Event.Prog,
// ProgGoid): each G, by its goid, runs the program its newproc1 was asked
// to start (Input.Prog), main (goid 1) the workload's first. It returns
// the first op that does not, and why; "" when every stamp agrees, or the
// history has none (one recorded before the stamps). A goid two
// newproc1s handed out is left to the goid checks.
func wrongProgram(h []impl.Event) (int, string) {
	want, twice := goidPrograms(h)
	for i := range h {
		e := &h[i]
		if e.Prog == 0 || twice[e.ProgGoid] {
			continue
		}
		if w, ok := want[e.ProgGoid]; !ok || w != e.Prog {
			return i, fmt.Sprintf("goroutine %d runs program %d, but no newproc1 started it with that program (its newproc1 was asked for program %d; 0: none)", e.ProgGoid, e.Prog, w)
		}
	}
	return -1, ""
}

// goidPrograms maps each goid of h's newproc1s (and main's, goid 1) to
// the program its newproc1 was asked to start (Input.Prog), and lists the
// goids handed out twice, which the goid checks judge.
func goidPrograms(h []impl.Event) (want map[int64]int, twice map[int64]bool) {
	want, twice = map[int64]int{1: 1}, map[int64]bool{}
	for i := range h {
		e := &h[i]
		if e.Op != "newproc1" || e.In.Prog == 0 || e.Out.Goid == 0 || e.Out.Throw != "" {
			continue
		}
		if _, ok := want[e.Out.Goid]; ok {
			twice[e.Out.Goid] = true
		}
		want[e.Out.Goid] = e.In.Prog
	}
	return want, twice
}

// stepOps are the ops a program step makes first (impl's stepG); a step
// may make more after it (a goidrefill's newproc1, a locked exit's mexit).
var stepOps = map[impl.StepKind][]string{
	impl.Spawn: {"goidrefill", "newproc1"}, impl.Park: {"park"}, impl.Ready: {"ready"}, impl.Syscall: {"entersyscall"},
	impl.LockOSThread: {"lockosthread"}, impl.UnlockOSThread: {"unlockosthread"}, impl.LockInt: {"lockint"}, impl.UnlockInt: {"unlockint"},
	impl.Goexit: {"goexit"}, impl.Return: {"exit"}, impl.Gosched: {"gosched"}, impl.Goyield: {"goyield"},
	impl.GrowStack: {"growstack"}, impl.Assist: {"assist"}, impl.Dirty: {"dirty"},
}

// stepMayMakeNoOp reports whether a step can pass without an op: a Park
// that consumes a pending wakeup, a Ready that finds nobody parked (and
// leaves one), an assist of no credit, a growth of no stack.
func stepMayMakeNoOp(st impl.Step) bool {
	switch st.Kind {
	case impl.Park, impl.Ready, impl.GrowStack:
		return true
	case impl.Assist:
		return st.Arg == 0
	}
	return false
}

// wrongStep checks the step stamps of h's ops (impl.Event.Step): each
// goroutine, by its goid, makes its program's steps in order, from the
// first, each once: the first op of a step is one that step makes, and
// the steps between two stamped steps (and before the first) are steps
// that can pass without an op. exitsyscall is made at the step after its
// syscall's and is left out. It returns the first op that breaks that,
// and why; "" when every stamp agrees or the history has none (one
// recorded before the step stamps). progs are the workload's programs
// (impl.NumberPrograms). A goid two newproc1s handed out is left to the
// goid checks.
func wrongStep(h []impl.Event, progs []*impl.Program) (int, string) {
	last := map[int64]int{} // goid -> last step stamped (1-based), 0 none yet
	_, twice := goidPrograms(h)
	for i := range h {
		e := &h[i]
		if e.Step == 0 || e.Prog < 1 || e.Prog > len(progs) || twice[e.ProgGoid] || e.Op == "exitsyscall" {
			continue
		}
		steps := progs[e.Prog-1].Steps
		prev := last[e.ProgGoid]
		switch {
		case e.Step == prev:
			continue // the same step's later ops
		case e.Step < prev:
			return i, fmt.Sprintf("goroutine %d makes %s at step %d of program %d after its step %d: a step made again", e.ProgGoid, e.Op, e.Step, e.Prog, prev)
		case e.Step > len(steps)+1:
			return i, fmt.Sprintf("goroutine %d makes %s at step %d of program %d, which has %d steps", e.ProgGoid, e.Op, e.Step, e.Prog, len(steps))
		}
		for k := prev + 1; k < e.Step; k++ {
			if !stepMayMakeNoOp(steps[k-1]) {
				return i, fmt.Sprintf("goroutine %d makes %s at step %d of program %d, but its step %d (%s) made no op: a step skipped", e.ProgGoid, e.Op, e.Step, e.Prog, k, steps[k-1].Kind)
			}
		}
		want := []string{"exit"} // past the last step: the goroutine returns
		if e.Step <= len(steps) {
			want = stepOps[steps[e.Step-1].Kind]
		}
		if !slices.Contains(want, e.Op) {
			return i, fmt.Sprintf("goroutine %d makes %s at step %d of program %d, whose step makes %v", e.ProgGoid, e.Op, e.Step, e.Prog, want)
		}
		last[e.ProgGoid] = e.Step
	}
	return -1, ""
}

// wrongWakeups holds the run to the wait objects' protocol (impl's park
// and ready, the runtime's gopark and goready behind a channel's or
// semaphore's lock), which the spec does not model: a ready that finds
// nobody parked leaves a wakeup on its object, which the object's next
// park takes instead of parking. Both then make no op, so the history
// shows them only as program steps the goroutine passed without an op
// (the step stamps, and at the run's end the live Gs' impl.GSnap.PC). Per
// object, the parks that went on without an op can be no more than the
// readies that found nobody parked (else a park returned with no
// wakeup: a goroutine ran past a wait nothing ended), and a G still
// parked on an object at the end leaves no wakeup pending on it (else a
// wakeup was left beside a waiter: lost). It returns why the run breaks
// the protocol, or "" (also when some goroutine's steps cannot be
// counted: a goid issued twice, a G neither exited nor in the snapshot,
// a history recorded before the snapshot's PC).
func wrongWakeups(h []impl.Event, progs []*impl.Program, final *impl.Snapshot) string {
	want, twice := goidPrograms(h)
	if len(twice) > 0 {
		return ""
	}
	type key struct {
		goid int64
		step int
		op   string
	}
	made := map[key]bool{}       // (goid, step, op) stamped
	passed := map[int64]int{}    // goid -> steps made, when it exited
	lastStamp := map[int64]int{} // goid -> its last stamped step
	for i := range h {
		e := &h[i]
		if e.Step == 0 || e.ProgGoid == 0 {
			continue
		}
		made[key{e.ProgGoid, e.Step, e.Op}] = true
		lastStamp[e.ProgGoid] = max(lastStamp[e.ProgGoid], e.Step)
		if (e.Op == "exit" || e.Op == "goexit") && e.Out.Throw == "" {
			passed[e.ProgGoid] = e.Step - 1
		}
	}
	if len(made) == 0 {
		return "" // a history recorded before the step stamps
	}
	waiting := map[int64]int{} // a G parked at the end -> its object
	for _, g := range final.Gs {
		if g.Status == "dead" || want[g.Goid] == 0 {
			continue
		}
		if _, exited := passed[g.Goid]; exited {
			continue // main after exit(0), whose G stays running
		}
		if g.PC < lastStamp[g.Goid]-1 {
			return "" // no PC (a history recorded before it)
		}
		passed[g.Goid] = g.PC
		steps := progs[want[g.Goid]-1].Steps
		if g.Status == "waiting" && g.PC >= 1 && g.PC <= len(steps) && steps[g.PC-1].Kind == impl.Park && made[key{g.Goid, g.PC, "park"}] {
			waiting[g.Goid] = steps[g.PC-1].Arg
		}
	}
	readies, parks := map[int]int{}, map[int]int{} // object -> steps passed without an op
	for goid, prog := range want {
		if prog < 1 || prog > len(progs) {
			return ""
		}
		n, ok := passed[goid]
		if !ok {
			if lastStamp[goid] == 0 && goid != 1 {
				continue // created, never run: no step made
			}
			return "" // neither exited nor in the snapshot
		}
		steps := progs[prog-1].Steps
		for k := 1; k <= min(n, len(steps)); k++ {
			// (exitsyscall is stamped with the step after its
			// syscall's, which may be a park or a ready.)
			switch st := steps[k-1]; {
			case st.Kind == impl.Park && !made[key{goid, k, "park"}]:
				parks[st.Arg]++
			case st.Kind == impl.Ready && !made[key{goid, k, "ready"}]:
				readies[st.Arg]++
			}
		}
	}
	// (In order, so that a report names the same object every time.)
	for _, obj := range slices.Sorted(maps.Keys(parks)) {
		if n := parks[obj]; n > readies[obj] {
			return fmt.Sprintf("%d parks on wait object %d went on without parking, but only %d readies of it found nobody parked: a park returned with no wakeup pending", n, obj, readies[obj])
		}
	}
	for _, goid := range slices.Sorted(maps.Keys(waiting)) {
		obj := waiting[goid]
		if left := readies[obj] - parks[obj]; left > 0 {
			return fmt.Sprintf("goroutine %d is parked on wait object %d at the end, beside %d wakeup(s) left on it by readies that found nobody parked: a wakeup lost", goid, obj, left)
		}
	}
	return ""
}

// throwExplained reports whether a recorded op raised the run's throw.
func throwExplained(h []impl.Event, throw string) bool {
	for i := range h {
		if h[i].Out.Throw == throw {
			return true
		}
	}
	return false
}

// panicName is the short form of a recovered panic: the first line of
// its value, at most 100 bytes.
func panicName(p string) string {
	if i := strings.IndexByte(p, '\n'); i >= 0 {
		p = p[:i]
	}
	if len(p) > 100 {
		p = p[:97] + "..."
	}
	return p
}

// Undecided names an Unknown outcome whose linearizability check ran out
// of its budget (Kind "timeout").
const Undecided = "linearizability undecided"

// linearize checks ops for linearizability against the spec within budget
// and records the verdict in o: Ok, Unknown (undecided in time, never a
// pass) or Illegal with the operation that no order can add next
// (unnamed: the closing observation).
func linearize(o *Outcome, scfg spec.Config, ops []porcupine.Operation, budget time.Duration, unnamed string) {
	o.Model = Model(scfg)
	verdict, info := checkOps(o.Model, ops, budget)
	o.Info = &info
	switch verdict {
	case porcupine.Ok:
		o.Verdict = Ok
	case porcupine.Unknown:
		o.Verdict, o.Kind, o.Name, o.Detail = Unknown, "timeout", Undecided, fmt.Sprintf("linearizability undecided within %v", budget)
	default:
		at, why := firstUnlinearizable(scfg, ops, info)
		name := unnamed
		if at >= 0 && at < len(o.History) {
			name = describeEvent(&o.History[at])
		} else {
			at = -1 // the closing observation, one past the history
		}
		o.Verdict, o.Kind, o.Name, o.Detail, o.At = Illegal, "linearizability", name, why, at
	}
}

func checkOps(m porcupine.Model, ops []porcupine.Operation, budget time.Duration) (porcupine.CheckResult, porcupine.LinearizationInfo) {
	return porcupine.CheckOperationsVerbose(m, ops, budget)
}

// firstUnlinearizable finds, from porcupine's longest partial
// linearization, the operation that no order can add next and says why.
func firstUnlinearizable(cfg spec.Config, ops []porcupine.Operation, info porcupine.LinearizationInfo) (int, string) {
	best, at := longestPrefix(info, len(ops), func(i int) int64 { return ops[i].Call })
	if best == nil || at < 0 {
		return -1, "no linearization"
	}
	s, _ := spec.New(cfg)
	for _, i := range best {
		in := ops[i].Input.(opInput)
		if in.final == nil {
			applyEvent(s, in.op, in.ev) //nolint:errcheck // the prefix is legal
		}
	}
	in := ops[at].Input.(opInput)
	if in.final != nil {
		return at, "every op is linearizable but no order ends in the implementation's final state:\n" + indent(spec.Diff(s, in.final))
	}
	_, why, _ := applyEvent(s.Clone(), in.op, in.ev)
	if why == "" {
		why = "legal alone after the longest linearizable prefix, but no order of the overlapping ops admits it"
	}
	return at, fmt.Sprintf("after the longest linearizable prefix (%d ops): %s", len(best), why)
}

// longestPrefix is porcupine's longest linearizable prefix of the n ops
// whose call times call gives, and the op that fails after it: the
// earliest-called op the prefix leaves out (-1: none). Porcupine returns
// its longest prefixes as a set built from a map, in no fixed order, and
// several can be equally long; of those it takes the one whose failing op
// was called first, then the lexicographically smallest, so that judging
// one history twice names the same op (a replay must reproduce it).
func longestPrefix(info porcupine.LinearizationInfo, n int, call func(int) int64) (best []int, at int) {
	parts := info.PartialLinearizations()
	if len(parts) == 0 {
		return nil, -1
	}
	at = -1
	done := make([]bool, n)
	for _, p := range parts[0] {
		if best != nil && len(p) < len(best) {
			continue
		}
		clear(done)
		for _, i := range p {
			if i >= 0 && i < n {
				done[i] = true
			}
		}
		pat := -1
		for i := range n {
			if !done[i] && (pat < 0 || call(i) < call(pat)) {
				pat = i
			}
		}
		if best == nil || len(p) > len(best) {
			best, at = p, pat
			continue
		}
		if c := laterFailure(call, pat, at); c < 0 || c == 0 && slices.Compare(p, best) < 0 {
			best, at = p, pat
		}
	}
	return best, at
}

// laterFailure orders two failing ops by call time, none (-1) last.
func laterFailure(call func(int) int64, a, b int) int {
	switch {
	case a == b:
		return 0
	case a < 0:
		return 1
	case b < 0:
		return -1
	}
	return cmp.Compare(call(a), call(b))
}

func indent(lines []string) string {
	out := ""
	for _, l := range lines {
		out += "    " + l + "\n"
	}
	return out
}

// resultOf reads an impl output as a spec result (for coverage and reports).
func resultOf(o *impl.Output) spec.Result {
	r := spec.NewResult()
	r.G, r.Goid, r.How, r.Refilled, r.Stack = int32(o.G), o.Goid, o.How, int32(o.Refilled), o.Stack
	r.Kicked, r.Slow, r.Victim, r.Moved, r.HandedTo = int32(o.Kicked), o.Slow, int8(o.Victim), int32(o.Moved), int8(o.HandedTo)
	r.StackFreed, r.Spilled, r.Locked, r.P, r.HandedOff, r.Value, r.Fatal = o.StackFreed, int32(o.Spilled), o.Locked, int8(o.P), o.HandedOff, o.Value, o.Fatal
	r.Woke, r.Newm = o.Woke, o.Newm
	if src, ok := spec.ParseSource(o.Source); ok {
		r.Source = src
	}
	return r
}

// eventResult is the spec Result an impl event stands for: resultOf its
// output, but for a recheck, whose Output.Value also says what the
// implementation's reads found (bit 2, a run queue with work; bit 4,
// checkIdleGCNoP's section; bits 8 and 16, its read of gcBlackenEnabled),
// which OpOf makes the op's input (spec.RecheckFound,
// spec.RecheckIdleGC, spec.RecheckReadGCOn, spec.RecheckReadGCOff): its
// Result.Value is the
// needspinning store alone, as Mismatch compares it. Coverage reads
// events through it, so a recheck that stored needspinning counts as the
// branch it is.
func eventResult(e *impl.Event) spec.Result {
	r := resultOf(&e.Out)
	if e.Op == "recheck" {
		r.Value = e.Out.Value & recheckNeedSpinning
	}
	return r
}

// recheckNeedSpinning is the bit of a recheck event's Output.Value for
// pidlegetSpinning's needspinning store.
const recheckNeedSpinning = 1
