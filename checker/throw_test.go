package checker

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/spec"
)

func testCase(mode string, ms int, w impl.Workload, faults ...string) Case {
	return Case{Preset: "small", Ps: 1, Ms: ms, Mode: mode, Seed: 1, Workload: w, Text: w.String(),
		Steps: CountSteps(w), Faults: faults}
}

// replayHistory saves o's run as history.json, loads it back and
// re-judges it.
func replayHistory(t *testing.T, o *Outcome, res *impl.Result) *Outcome {
	t.Helper()
	data, err := MarshalHistory(HistoryOf(o, res))
	if err != nil {
		t.Fatal(err)
	}
	h, err := ParseHistory(data)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	o2, err := CheckHistory(context.Background(), h, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return o2
}

// fataler is what runAndJudge needs of a *testing.T or a *rapid.T.
type fataler interface {
	Helper()
	Fatal(args ...any)
}

// runImpl runs case c on the implementation.
func runImpl(t fataler, c Case) *impl.Result {
	t.Helper()
	cfg, err := c.ImplConfig()
	if err != nil {
		t.Fatal(err)
	}
	res, err := impl.Run(cfg, c.Workload)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// runAndJudge runs c on the implementation and judges it.
func runAndJudge(t fataler, c Case) (*Outcome, *impl.Result) {
	t.Helper()
	res := runImpl(t, c)
	o, err := Judge(context.Background(), c, res, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return o, res
}

// judgeHistory judges res, the run of c, with its history replaced by h:
// a tampered history, judged against the run's final state.
func judgeHistory(t fataler, c Case, res *impl.Result, h []impl.Event) *Outcome {
	t.Helper()
	r := *res
	r.History = h
	o, err := Judge(context.Background(), c, &r, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// The planted panic (panic-in-gfput) and the planted throw outside an op
// record (throw-outside-op) are violations of kind "panic" and "throw" in
// every mode, and the saved history.json re-judges to the same verdict;
// without the fault the same case passes (the control).
func TestPlantedPanicAndThrowAreViolations(t *testing.T) {
	w := impl.SpawnExit(40, 9, 0)
	for _, tc := range []struct{ fault, kind, name string }{
		{"panic-in-gfput", "panic", "runtime error: invalid memory address or nil pointer dereference"},
		{"throw-outside-op", "throw", "runqputslow: queue is not full"},
	} {
		for _, mode := range []string{"deterministic", "atomic", "free"} {
			for _, ms := range []int{1, 2} {
				what := fmt.Sprintf("%s %s ms=%d", tc.fault, mode, ms)
				c := testCase(mode, ms, w, tc.fault)
				o, err := RunCase(context.Background(), c, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				if o.Verdict != Illegal || o.Kind != tc.kind || o.Name != tc.name {
					t.Fatalf("%s: %v %s %q (%s)", what, o.Verdict, o.Kind, o.Name, o.Detail)
				}
				o, res := runAndJudge(t, c)
				if o.Kind != tc.kind {
					// free-running: a second run may differ; it must still fail.
					if o.Verdict != Illegal {
						t.Fatalf("%s: second run %v %s", what, o.Verdict, o.Kind)
					}
					continue
				}
				if tc.kind == "panic" && (!strings.Contains(o.Detail, "impl.(*m).gfput") || o.Panic != res.Panic) {
					t.Fatalf("%s: the detail does not carry the stack:\n%s", what, o.Detail)
				}
				o2 := replayHistory(t, o, res)
				if o2.Verdict != o.Verdict || o2.Kind != o.Kind || o2.Name != o.Name {
					t.Fatalf("%s: history.json re-judged %v %s %q, the run %v %s %q", what, o2.Verdict, o2.Kind, o2.Name, o.Verdict, o.Kind, o.Name)
				}

				c.Faults = nil
				if o, err = RunCase(context.Background(), c, 5*time.Second); err != nil || o.Verdict != Ok {
					t.Fatalf("%s without the fault: %v %s %s %v", what, o.Verdict, o.Kind, o.Detail, err)
				}
			}
		}
	}
}

// A throw the workload drives the runtime into (a goroutine exits
// internally locked) is raised by a recorded op and judged by
// linearizability: the spec throws the same, so the run passes. The same
// run with the throw taken off its op is an unexplained throw: Illegal,
// never Ok.
func TestThrowMustBeExplainedByAnOp(t *testing.T) {
	w := impl.Workload{Main: impl.Prog(impl.Go(impl.Prog(impl.LockI(), impl.Lock())), impl.Yield(), impl.Yield())}
	for _, mode := range []string{"deterministic", "atomic", "free"} {
		c := testCase(mode, 2, w)
		o, res := runAndJudge(t, c)
		const locked = "exited a goroutine internally locked to the OS thread"
		if res.Throw != locked {
			t.Fatalf("%s: the run's throw is %q, want %q", mode, res.Throw, locked)
		}
		if o.Verdict != Ok {
			t.Fatalf("%s: an explained throw: %v %s %s %s", mode, o.Verdict, o.Kind, o.Name, o.Detail)
		}
		if o2 := replayHistory(t, o, res); o2.Verdict != Ok {
			t.Fatalf("%s: history.json re-judged %v %s %s", mode, o2.Verdict, o2.Kind, o2.Detail)
		}
		stripped := 0
		for i := range res.History {
			if res.History[i].Out.Throw == locked {
				res.History[i].Out.Throw = ""
				stripped++
			}
		}
		if stripped != 1 {
			t.Fatalf("%s: %d ops recorded the throw, want 1", mode, stripped)
		}
		o, err := Judge(context.Background(), c, res, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if o.Verdict != Illegal || o.Kind != "throw" || o.Name != locked {
			t.Fatalf("%s: an unexplained throw: %v %s %q", mode, o.Verdict, o.Kind, o.Name)
		}
		if o2 := replayHistory(t, o, res); o2.Verdict != Illegal || o2.Kind != "throw" {
			t.Fatalf("%s: history.json re-judged %v %s", mode, o2.Verdict, o2.Kind)
		}
	}
}

func TestPanicName(t *testing.T) {
	for in, want := range map[string]string{
		"boom":                          "boom",
		"runtime error: x\n\nstack\n":   "runtime error: x",
		strings.Repeat("a", 150) + "\n": strings.Repeat("a", 97) + "...",
	} {
		if got := panicName(in); got != want {
			t.Errorf("panicName(%q) = %q, want %q", in, got, want)
		}
	}
}

// A goroutine that grows its stack past maxstacksize (1e9 bytes on a
// 64-bit system) makes newstack throw "stack overflow": impl throws in
// the growstack op that doubles 512 MiB, and the spec throws on the
// same op, so the run is judged legal; a history in which that op
// doubled the stack instead is illegal.
func TestStackOverflowThrows(t *testing.T) {
	steps := make([]impl.Step, 20)
	for i := range steps {
		steps[i] = impl.Grow()
	}
	w := impl.Workload{Main: impl.Prog(steps...)}
	c := Case{Preset: "small", Ps: 1, Ms: 1, Mode: "atomic", Workload: w, Text: w.String()}
	res := runImpl(t, c)
	if res.Throw != spec.ThrowStackOverflow {
		t.Fatalf("impl threw %q after %d events; want %q", res.Throw, len(res.History), spec.ThrowStackOverflow)
	}
	last := len(res.History) - 1
	if e := res.History[last]; e.Op != "growstack" || e.Out.Throw != spec.ThrowStackOverflow {
		t.Fatalf("the last event is %s; want the growstack that throws", e)
	}
	if o := judgeHistory(t, c, res, res.History); o.Verdict != Ok {
		t.Fatalf("the run judged %v: %s %s %s", o.Verdict, o.Kind, o.Name, o.Detail)
	}
	h := append([]impl.Event(nil), res.History...)
	h[last].Out.Throw, h[last].Out.Value = "", 1<<30
	cut := *res
	cut.Throw = ""
	if o := judgeHistory(t, c, &cut, h); o.Verdict != Illegal {
		t.Fatalf("a growstack past maxstacksize that did not throw judged %v", o.Verdict)
	}
}

// The implementation's recheck reaches checkIdleGCNoP's needspinning
// store (proc.go:3703, 3972: the GC marking, nothing on any run queue, no
// idle P) in some schedules, and the spec accepts it (OpRecheck's input
// spec.RecheckIdleGC, in strict order too). Before, the spec had no such
// input: these runs were illegal.
func TestRecheckIdleGCJudged(t *testing.T) {
	leaf := impl.Prog(impl.MakeDirty())
	w := impl.Workload{Main: impl.Prog(impl.Go(impl.Prog(impl.ParkOn(0))), impl.Go(leaf), impl.Yield(), impl.Go(leaf), impl.ReadyOn(0), impl.Yield(), impl.Go(leaf)),
		Controller: []impl.CtlStep{{Kind: impl.CtlGC, Arg: 1}, {Kind: impl.CtlGC, Arg: 0, After: 40}}}
	judgeReached(t, w, 1500, "checkIdleGCNoP's store", func(res *impl.Result) bool {
		for _, e := range res.History {
			if e.Op == "recheck" && e.Out.Value&4 != 0 {
				return true
			}
		}
		return false
	})
}

// judgeReached runs w with 2 Ps and 3 Ms in deterministic mode over seeds
// from 0 until three runs reach what reached reports (what) or seeds runs
// are made, and requires the spec to judge those runs ok and at least one.
func judgeReached(t *testing.T, w impl.Workload, seeds int64, what string, reached func(*impl.Result) bool) {
	t.Helper()
	found := 0
	for seed := int64(0); seed < seeds && found < 3; seed++ {
		c := Case{Preset: "small", Ps: 2, Ms: 3, Mode: "deterministic", Seed: seed, Workload: w}
		res := runImpl(t, c)
		if !reached(res) {
			continue
		}
		found++
		o, err := Judge(context.Background(), c, res, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if o.Verdict != Ok {
			t.Fatalf("seed %d: %v %s %s\n%s", seed, o.Verdict, o.Kind, o.Name, TextReport(o))
		}
	}
	if found == 0 {
		t.Fatalf("no schedule of %d reached %s", seeds, what)
	}
}

// handoffp's first read of sched.runq (proc.go:3136) saw a G that another
// M took before the caller's sched.lock section: the runtime starts an M
// for the P anyway (startm(pp, false)), with no work left for it. The
// implementation did not (it took such a read for one that saw nothing);
// now it does (branch handoff-saw-gone), and the spec accepts the runs:
// its handoffp linearizes before the taker's op.
func TestHandoffpSawGoneJudged(t *testing.T) {
	w := impl.Workload{Main: impl.Prog(impl.Go(impl.Prog(impl.Lock(), impl.Yield(), impl.Yield())), impl.Go(impl.Prog(impl.Yield())), impl.Yield(), impl.Yield()), Retakes: 1}
	judgeReached(t, w, 3000, "handoffp's startm for a G taken since its read", func(res *impl.Result) bool {
		return res.Branches["handoff-saw-gone"] != 0
	})
}

// A clean run that ends at a throw while another M is inside an op: main,
// internally locked, calls Goexit (gdestroy's throw) while M1 is inside
// its schedule op (begun, at the scheduling point before its stop path's
// sched.lock), which, winding down after the throw, sees the GC's
// stop-the-world and makes gcstopm (dropping its spinning), recorded
// after the throw. A check of the run's final state against the spec's
// replay of the ops up to the throw, briefly in gexit, reported this
// run (the README's first command found it) and was taken out; the
// check of the state at the throw (checkThrowState) skips it, M1 being
// inside an op there, and says so. The run must pass. (Seed 110: the
// schedule that makes it was seed 0's until runqput and runqgrab got
// scheduling points of their own.)
func TestThrowWithAnMInsideAnOpPasses(t *testing.T) {
	w := impl.Workload{Main: impl.Prog(impl.LockI(), impl.Go(impl.Prog()), impl.Go(impl.Prog()), impl.Exit()),
		Controller: []impl.CtlStep{{Kind: impl.CtlGC, Arg: 1, After: 6}}, Probes: 1}
	c := Case{Preset: "small", Ps: 2, Ms: 2, Mode: "deterministic", Seed: 110, Workload: w, Text: w.String(), Steps: CountSteps(w)}
	o, res := runAndJudge(t, c)
	if res.Throw == "" || o.Verdict != Ok {
		t.Fatalf("throw %q: %s %s %s: %s", res.Throw, o.Verdict, o.Kind, o.Name, o.Detail)
	}
	if c.Text != "main {lockint; go {}; go {}; goexit} ctl[gc(true)@6] sysmon(0, probes 1)" {
		t.Fatalf("the case is %s", c.Text)
	}
	if o.ThrowState != ThrowStateInOp || !slices.Equal(o.ThrowInOp, []int{1}) {
		t.Fatalf("the check of the state at the throw: %q, actors inside an op %v; want %q, [1]", o.ThrowState, o.ThrowInOp, ThrowStateInOp)
	}
	// The final state holds M1's gcstopm, made after the throw; the
	// state at the throw does not.
	if fin, th := res.Snapshot.Ms[1].GCStopping || !res.Snapshot.Ms[1].Spinning, res.AtThrow.Snapshot.Ms[1].Spinning; !fin || !th {
		t.Fatalf("M1 at the end %+v, at the throw %+v", res.Snapshot.Ms[1], res.AtThrow.Snapshot.Ms[1])
	}
}

// A run that ends at a throw has no quiescent final state, and
// linearizability judges it without one; the state at the throw must be
// the spec's after the ops recorded up to it. gdestroy-no-clear leaves an
// exited G's fields set: the run that ends at unlockint's throw ("misuse
// of lockOSThread") after it was ok in the deterministic mode (the
// atomic mode's per-op differential caught it). The control: the same
// program without the fault passes, with the state at the throw checked.
func TestThrowStateIsTheSpecs(t *testing.T) {
	w := impl.Workload{Main: impl.Prog(impl.Go(impl.Prog(impl.MakeDirty())), impl.Yield(), impl.Yield(), impl.UnlockI())}
	for _, mode := range []string{"deterministic", "atomic"} {
		o, res := runAndJudge(t, testCase(mode, 1, w, "gdestroy-no-clear"))
		if res.Throw == "" || o.Verdict != Illegal || o.Kind != "differential" && o.Kind != "invariant" {
			t.Errorf("%s, gdestroy-no-clear: throw %q, %s %s %s", mode, res.Throw, o.Verdict, o.Kind, o.Name)
		}
		if mode == "deterministic" && (o.ThrowState != ThrowStateChecked || !strings.Contains(o.Detail, "at the throw")) {
			t.Errorf("%s, gdestroy-no-clear: the state at the throw %q: %s", mode, o.ThrowState, o.Detail)
		}
		o, res = runAndJudge(t, testCase(mode, 1, w))
		if res.Throw == "" || o.Verdict != Ok || o.ThrowState != ThrowStateChecked {
			t.Errorf("%s, no fault: throw %q, %s %s %s: %s; the state at the throw %q", mode, res.Throw, o.Verdict, o.Kind, o.Name, o.Detail, o.ThrowState)
		}
		// The saved history carries the state at the throw: its replay
		// checks it too.
		if o2 := replayHistory(t, o, res); o2.Verdict != Ok || o2.ThrowState != ThrowStateChecked {
			t.Errorf("%s, no fault, replayed: %s %s; the state at the throw %q", mode, o2.Verdict, o2.Name, o2.ThrowState)
		}
		// One saved without it (before gexit recorded it) is judged
		// without the check, and says so.
		h := HistoryOf(o, res)
		h.Final.AtThrow = nil
		o2, err := CheckHistory(context.Background(), h, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if o2.Verdict != Ok || o2.ThrowState != ThrowStateUnrecorded {
			t.Errorf("%s, no fault, saved without the state at the throw: %s; %q", mode, o2.Verdict, o2.ThrowState)
		}
	}
}

// Where the ops recorded up to the throw overlap, porcupine searches their
// orders for one that ends in the state at the throw. Main's syscall
// overlaps sysmon's retake and handoffp (sysmon's handoffp also overlaps
// main's unlockOSThread and dirty); main, internally locked twice, then
// calls Goexit, whose gdestroy throws. gdestroy-no-clear leaves main's
// fields set at that throw: no order explains it. Without the fault the
// state at the throw is the spec's.
func TestThrowStateSearched(t *testing.T) {
	w := impl.Workload{Main: impl.Prog(impl.Sys(), impl.Lock(), impl.LockI(), impl.Unlock(), impl.MakeDirty(), impl.LockI(), impl.Exit()), Retakes: 1}
	c := Case{Preset: "small", Ps: 3, Ms: 1, Mode: "deterministic", Choices: []int{0, 3}, Workload: w, Text: w.String(), Steps: CountSteps(w)}
	overlapped := func(res *impl.Result) bool {
		iso := Isolated(res.History)
		return slices.Contains(iso, false) && iso[len(iso)-1]
	}
	c.Faults = []string{"gdestroy-no-clear"}
	o, res := runAndJudge(t, c)
	if res.Throw == "" || !overlapped(res) || o.Verdict != Illegal || o.Kind != "differential" || o.ThrowState != ThrowStateChecked ||
		!strings.Contains(o.Detail, "no order of the 11 ops recorded up to it") || !strings.Contains(o.Detail, "G0: set{} -> set{_defer") {
		t.Errorf("gdestroy-no-clear: throw %q, overlapped %v: %s %s %s (%q): %s", res.Throw, overlapped(res), o.Verdict, o.Kind, o.Name, o.ThrowState, o.Detail)
	}
	c.Faults = nil
	o, res = runAndJudge(t, c)
	if res.Throw == "" || !overlapped(res) || o.Verdict != Ok || o.ThrowState != ThrowStateChecked {
		t.Errorf("no fault: throw %q, overlapped %v: %s %s %s (%q): %s", res.Throw, overlapped(res), o.Verdict, o.Kind, o.Name, o.ThrowState, o.Detail)
	}
}

// Free-running runs have no state at the throw, and their throw-ended
// runs were judged by the ops' outputs alone: a fault whose damage shows
// only in the state passed (a review found gdestroy-no-clear's fields
// left set at a throw passing 20,000 free cases). The run's final state,
// after the other actors wound down, is the linearization's closing
// observation now. The fault's G must have exited before the throw for
// its fields to be left set; the free-running schedule decides whether
// it has, so each seed's run is judged by what it did. The control: the
// same runs without the fault pass.
func TestThrowEndedFreeRunJudgedByItsFinalState(t *testing.T) {
	w := impl.Workload{Main: impl.Prog(impl.Go(impl.Prog(impl.MakeDirty())), impl.Yield(), impl.Yield(), impl.UnlockI())}
	caught := 0
	for seed := int64(0); seed < 40 && caught < 3; seed++ {
		c := testCase("free", 2, w, "gdestroy-no-clear")
		c.Seed = seed
		o, res := runAndJudge(t, c)
		if res.Throw == "" || o.ThrowState != ThrowStateFree {
			continue
		}
		exited := slices.ContainsFunc(res.History, func(e impl.Event) bool { return e.Op == "exit" && e.Out.Throw == "" })
		switch {
		case exited && o.Verdict == Illegal:
			if o.Kind != "linearizability" || !strings.Contains(o.Name, "wound down after its throw") {
				t.Errorf("seed %d: %s %s %q: %s", seed, o.Verdict, o.Kind, o.Name, o.Detail)
			}
			caught++
		case exited:
			t.Errorf("seed %d: the G exited with its fields left set before the throw, and the run is %s %s: %s", seed, o.Verdict, o.Name, o.Detail)
		}
		c.Faults = nil
		if o, res := runAndJudge(t, c); res.Throw != "" && o.Verdict != Ok {
			t.Errorf("seed %d, no fault: %s %s %s: %s", seed, o.Verdict, o.Kind, o.Name, o.Detail)
		}
	}
	if caught == 0 {
		t.Fatal("no free-running run had the G exit before the throw")
	}
}

// A search for the state at the throw that runs out of its budget
// decides nothing: the case is unknown (judged again after the campaign
// with more time), never ok. It was ok before: the whole history's check,
// without that state, only has to find one order that fits. The control:
// the search that finishes gives ok.
func TestThrowStateUndecidedIsUnknown(t *testing.T) {
	w := impl.Workload{Main: impl.Prog(impl.Sys(), impl.Lock(), impl.LockI(), impl.Unlock(), impl.MakeDirty(), impl.LockI(), impl.Exit()), Retakes: 1}
	c := Case{Preset: "small", Ps: 3, Ms: 1, Mode: "deterministic", Choices: []int{0, 3}, Workload: w, Text: w.String(), Steps: CountSteps(w)}
	res := runImpl(t, c)
	judge := func() *Outcome {
		o, err := Judge(context.Background(), c, res, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	if o := judge(); res.Throw == "" || o.Verdict != Ok || o.ThrowState != ThrowStateChecked {
		t.Fatalf("throw %q: %s %s (%q): %s", res.Throw, o.Verdict, o.Name, o.ThrowState, o.Detail)
	}
	defer func(f func(porcupine.Model, []porcupine.Operation, time.Duration) (porcupine.CheckResult, porcupine.LinearizationInfo)) {
		checkThrowOps = f
	}(checkThrowOps)
	checkThrowOps = func(porcupine.Model, []porcupine.Operation, time.Duration) (porcupine.CheckResult, porcupine.LinearizationInfo) {
		return porcupine.Unknown, porcupine.LinearizationInfo{}
	}
	if o := judge(); o.Verdict != Unknown || o.Name != Undecided || o.ThrowState != ThrowStateUndecided {
		t.Fatalf("the search at the throw ran out of time: %s %s (%q): %s", o.Verdict, o.Name, o.ThrowState, o.Detail)
	}
}
