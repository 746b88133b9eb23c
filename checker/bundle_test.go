package checker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gexit-dev/gexit/impl"
	"pgregory.net/rapid"
)

// TestWorkloadJSONRoundTrip: every drawn workload survives the JSON
// converter unchanged.
func TestWorkloadJSONRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := DrawCase(t, DrawOptions{Modes: []string{"deterministic", "atomic", "free"}})
		w, err := DecodeWorkload(EncodeWorkload(c.Workload))
		if err != nil {
			t.Fatalf("decode: %v\n%s", err, c.Text)
		}
		if w.String() != c.Workload.String() || !reflect.DeepEqual(normalize(w.Main), normalize(c.Workload.Main)) {
			t.Fatalf("round trip changed the workload:\n%s\n%s", c.Workload, w)
		}
	})
}

// Controller steps in bundles: a GC's end may carry startingStackSize
// (gcMarkDone's gcComputeStartingStackSize), nothing else may, and the old
// stacksize step is refused with the form to write instead.
func TestWorkloadJSONControllerSteps(t *testing.T) {
	main := &ProgramJSON{Steps: []StepJSON{}}
	ok := WorkloadJSON{Main: main, Controller: []CtlJSON{{Kind: "gc", Arg: 1}, {Kind: "gc", Arg: 0, Size: 4096, After: 3}}}
	w, err := DecodeWorkload(ok)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Controller) != 2 || w.Controller[1] != (impl.CtlStep{Kind: impl.CtlGC, Size: 4096, After: 3}) {
		t.Fatalf("decoded %+v", w.Controller)
	}
	for _, tc := range []struct {
		step CtlJSON
		want string
	}{
		{CtlJSON{Kind: "stacksize", Arg: 4096}, `write {"kind": "gc", "arg": 0, "size": 4096}`},
		{CtlJSON{Kind: "gc", Arg: 1, Size: 4096}, "only gc off (arg 0) has a size"},
		{CtlJSON{Kind: "procresize", Arg: 1, Size: 4096}, "only gc off (arg 0) has a size"},
		{CtlJSON{Kind: "gc", Arg: 0, Size: 3000}, "size 3000 must be a power of two"},
		{CtlJSON{Kind: "gc", Arg: 0, Size: 1024}, "size 1024 must be a power of two"},
	} {
		_, err := DecodeWorkload(WorkloadJSON{Main: main, Controller: []CtlJSON{tc.step}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.step, err, tc.want)
		}
	}
}

// normalize maps nil children to empty programs (both run the same).
func normalize(p *impl.Program) *impl.Program {
	if p == nil {
		return &impl.Program{}
	}
	out := &impl.Program{}
	for _, s := range p.Steps {
		if s.Kind == impl.Spawn {
			s.Child = normalize(s.Child)
		}
		out.Steps = append(out.Steps, s)
	}
	return out
}

// TestCaseRoundTrip: a case written as case.json loads back as the same
// case and, run again, gives the same verdict (deterministic modes).
func TestCaseRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := DrawCase(t, DrawOptions{Modes: []string{"deterministic", "atomic"}, Faults: rapid.SliceOfN(rapid.SampledFrom([]string{"spill-lose-g", "goid-reuse"}), 0, 1).Draw(t, "faults")})
		o, err := RunCase(context.Background(), c, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		data, err := MarshalCase(o)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ParseCase(data)
		if err != nil {
			t.Fatalf("parse: %v\n%s", err, data)
		}
		if b.Case.Text != c.Text || b.Case.Ps != c.Ps || b.Case.Ms != c.Ms || b.Case.Mode != c.Mode ||
			b.Case.Seed != c.Seed || fmt.Sprint(b.Case.Choices) != fmt.Sprint(c.Choices) || fmt.Sprint(b.Case.Faults) != fmt.Sprint(c.Faults) {
			t.Fatalf("case changed:\n%+v\n%+v", c, b.Case)
		}
		o2, err := RunCase(context.Background(), b.Case, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if o2.Verdict != o.Verdict || o2.Kind != o.Kind || b.Verdict != o.Verdict.String() {
			t.Fatalf("replay verdict %v %s, first %v %s", o2.Verdict, o2.Kind, o.Verdict, o.Kind)
		}
	})
}

// TestHistoryRoundTrip: a recorded history, saved with its final
// observation, is judged the same as the run; without it, a passing
// run's history stays linearizable.
func TestHistoryRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := DrawCase(t, DrawOptions{Modes: []string{"deterministic", "free"}, MaxMs: 3})
		o, res := runAndJudge(t, c)
		for _, final := range []bool{true, false} {
			h := HistoryOf(o, res)
			if !final {
				h.Final = nil
			}
			data, err := MarshalHistory(h)
			if err != nil {
				t.Fatal(err)
			}
			h2, err := ParseHistory(data)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			o2, err := CheckHistory(context.Background(), h2, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if final && o2.Verdict != o.Verdict {
				t.Fatalf("with final: verdict %v, run's %v (%s)", o2.Verdict, o.Verdict, o2.Detail)
			}
			if !final && o.Verdict == Ok && o2.Verdict != Ok {
				t.Fatalf("without final: verdict %v on a passing run's history: %s", o2.Verdict, o2.Detail)
			}
		}
	})
}

func TestLoadCommittedBundle(t *testing.T) {
	dir := filepath.Join("testdata", "bundles", "spill-lose-g")
	b, err := LoadBundle(dir)
	if err != nil {
		t.Fatal(err)
	}
	if b.Verdict != "illegal" || len(b.Case.Faults) != 1 || b.Case.Faults[0] != "spill-lose-g" {
		t.Fatalf("bundle: %+v", b)
	}
	o, err := RunCase(context.Background(), b.Case, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if o.Verdict != Illegal || o.Kind != b.Kind || o.Name != b.Name {
		t.Fatalf("replay: %v %s %s, recorded %s %s %s", o.Verdict, o.Kind, o.Name, b.Verdict, b.Kind, b.Name)
	}
	h, err := LoadHistory(filepath.Join(dir, HistoryFile))
	if err != nil {
		t.Fatal(err)
	}
	o, err = CheckHistory(context.Background(), h, 5*time.Second)
	if err != nil || o.Verdict != Illegal {
		t.Fatalf("history: %v %v", o, err)
	}
	// Without the final observation the history alone is linearizable:
	// the lost G shows only in the final state.
	h.Final = nil
	if o, err = CheckHistory(context.Background(), h, 5*time.Second); err != nil || o.Verdict != Ok {
		t.Fatalf("history without final: %v %v", o.Verdict, err)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join("testdata", "bundles", "spill-lose-g", CaseFile))
	if err != nil {
		t.Fatal(err)
	}
	for what, tc := range map[string]struct{ data, want string }{
		"empty":         {"", "empty file"},
		"truncated":     {string(good[:len(good)/2]), "truncated JSON"},
		"wrong version": {strings.Replace(string(good), `"version": 2`, `"version": 9`, 1), "unsupported version 9"},
		"version 1":     {strings.Replace(string(good), `"version": 2`, `"version": 1`, 1), "re-run its campaign"},
		"trailing":      {string(good) + "{}", "after the top-level value"},
		"bad fault":     {strings.Replace(string(good), `"spill-lose-g"`, `"nope"`, -1), "unknown fault"},
		"bad step":      {strings.Replace(string(good), `"kind": "goexit"`, `"kind": "fly"`, 1), "unknown step kind"},
		"bad mode":      {strings.Replace(string(good), `"deterministic"`, `"warp"`, 1), "unknown mode"},
		"bad verdict":   {strings.Replace(string(good), `"illegal"`, `"maybe"`, 1), "unknown verdict"},
	} {
		d := filepath.Join(dir, strings.ReplaceAll(what, " ", "-"))
		os.Mkdir(d, 0o755)
		os.WriteFile(filepath.Join(d, CaseFile), []byte(tc.data), 0o644)
		_, err := LoadBundle(d)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), CaseFile) {
			t.Errorf("%s: error %v, want one naming %s and saying %q", what, err, CaseFile, tc.want)
		}
	}
	if _, err := LoadBundle(dir); err == nil || !strings.Contains(err.Error(), "no gexit bundle") {
		t.Errorf("dir without bundle: %v", err)
	}
	if _, err := LoadHistory(dir); err == nil {
		t.Errorf("LoadHistory of a directory: no error")
	}
}

// A history gexit check recorded from the implementation with no fault,
// which the spec once refused (checker/testdata/histories): M3's
// schedule on P0 (schedtick 0) read the global queue empty for the 61st
// tick's pick, then M2's gosched put G4 there and M1 stole P0's ring
// head, and M3's runqget took the next G (G6) from the ring. No instant
// of M3's op has both the empty global queue and that ring, so the
// spec's one-instant schedule refused it ("the global pick comes
// first"). findRunnable does read the global queue without the lock and
// runqget after it (proc.go:3443, 3469): a relaxed schedule may now take
// the local queue while the pick is due (spec TestInitialSchedtick and
// TestGlobalBatchAndTick hold a strict one to the pick).
func TestTickReadRaceLinearizable(t *testing.T) {
	checkCommittedHistory(t, "tick-read-race.json")
}

// A history gexit check recorded from the implementation with no fault
// once sysmon probes syscalls it lets go (impl Workload.Probes: retake's
// setBlockOnExitSyscall, then thread.resume(), proc.go:6686-6705), which
// the spec refused: the controller's stop-the-world, overlapping no other
// op, left P0 with its M in a syscall (setBlockOnExitSyscall failed on
// the G whose scan bit sysmon's probe held). The spec took the probe for
// impossible in strict order ("setBlockOnExitSyscall cannot fail"); the
// probe and a GC worker's stack scan hold the scan bit without being ops,
// so a strict stop-the-world and a strict exitsyscall may now miss a
// syscall's P (spec TestStrictStopTheWorldMissesProbedSyscall,
// TestStrictExitsyscallOldP).
func TestSysmonProbeHistoryLinearizable(t *testing.T) {
	h := checkCommittedHistory(t, "sysmon-probe-stw.json")
	missed := false
	for _, e := range h.Events {
		missed = missed || e.Op == "stoptheworld" && e.In.N != 0
	}
	if !missed {
		t.Fatal("the history has no stop-the-world that missed a syscall's P: it tests nothing")
	}
}

// checkCommittedHistory checks testdata/histories/name, which must be
// linearizable, and returns it.
func checkCommittedHistory(t *testing.T, name string) *History {
	t.Helper()
	h, err := LoadHistory(filepath.Join("testdata", "histories", name))
	if err != nil {
		t.Fatal(err)
	}
	o, err := CheckHistory(context.Background(), h, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if o.Verdict != Ok {
		t.Fatalf("verdict %v: %s %s\n%s", o.Verdict, o.Kind, o.Name, TextReport(o))
	}
	return h
}

// A free-running history (gexit check -mode free, seed 79) in which M1's
// recheck read gcBlackenEnabled while the GC marked and took sched.lock
// for checkIdleGCNoP's pidlegetSpinning only after the GC had ended and
// M0's handoffp had cleared needspinning: its store is the run's last.
// Before the relaxed recheck allowed checkIdleGCNoP's store with the GC
// off, no order of the spec ended in the implementation's final state.
func TestRecheckIdleGCAfterTheGCHistoryLinearizable(t *testing.T) {
	h := checkCommittedHistory(t, "recheck-idlegc-after-gc.json")
	late := false
	for _, e := range h.Events {
		late = late || e.Op == "recheck" && e.Out.Value&4 != 0
	}
	if !late {
		t.Fatal("the history has no recheck that stored needspinning in checkIdleGCNoP's section: it tests nothing")
	}
}

// A history of impl's functions in a forced order (a review of impl made
// it with a hook in the stop-the-world's loop over the syscall Ps): the
// loop reads P0's G in its syscall, then M0's exitsyscall and M1's, each
// keeping its P, run one after the other, and the loop reads P1's G
// running; setBlockOnExitSyscall then fails on P0, and the op names P0 as
// left. No single point has P0's G in its syscall and P1's out of it, but
// the relaxed stop-the-world may name a P whose M holds it with its G
// out of the syscall (the loop leaves any running P): before, no order
// of the spec explained the history.
func TestStopTheWorldTwoExitsHistoryLinearizable(t *testing.T) {
	h := checkCommittedHistory(t, "stw-two-exits.json")
	left, exits := false, 0
	for _, e := range h.Events {
		left = left || e.Op == "stoptheworld" && e.In.N != 0
		if e.Op == "exitsyscall" && e.Out.Path == "keep" {
			exits++
		}
	}
	if !left || exits != 2 {
		t.Fatalf("the history has no stop-the-world that left a P (%v) or not two exits keeping their Ps (%d): it tests nothing", left, exits)
	}
}

// A history of impl (gexit check -mode free -ps 3 -ms 4, seed 87, shrunk)
// in which M0's mexit made handoffp's unlocked reads at their own times:
// its read of sched.runq came before M1's gosched put G1 there, its load
// of nmspinning while M1's wakep held nmspinning's increment, and its
// sched.lock section after M1 had run G1: it took the section's path
// (value 1). With the outcome bits impl recorded against its section's
// state (none), every point of the spec had G1 on the global queue
// (startm) or both counts 0 (the CAS): no order explained the history.
// The checker now chooses the racy outcomes at the linearization point
// (applyEvent): there the read missed G1 (spec.HandoffSawNoGlobal) and
// the loads saw M1 spinning.
func TestHandoffpReadsAtTheirTimesHistoryLinearizable(t *testing.T) {
	h := checkCommittedHistory(t, "handoffp-reads-at-their-times.json")
	defer func() { tryHandoffReads = true }()
	tryHandoffReads = false
	o, err := CheckHistory(context.Background(), h, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if o.Verdict != Illegal {
		t.Fatalf("with impl's recorded outcome bits alone the history is %v; want illegal, or it tests nothing", o.Verdict)
	}
}

// A free-running history (gexit check -mode free -ps 8 -ms 8, seed 99;
// no fault) in which the controller's gc off (gcMarkDone) stored
// gcBlackenEnabled = 0 while the world was stopped, and M0, without a P
// (an M without a P runs on through a stop-the-world), made
// checkRunqsNoP's step in between: it found P3's work and no idle P, and
// its checkIdleGCNoP read the GC off, so stopm came next. The spec's gc
// op stops the GC and restarts the world in one step, so before the read
// became the op's input (spec.RecheckReadGCOff) every order had the GC
// marking at M0's step and wanted checkIdleGCNoP's step before stopm.
// The history is the one gexit check recorded, with M0's event given the
// read bit impl now reports; without it (the control) it is refused.
func TestRecheckGCReadDuringStopTheWorldLinearizable(t *testing.T) {
	refusedWithout(t, "recheck-gc-read-during-stw.json", "the recheck's read of the GC off", func(e *impl.Event) bool {
		if e.Op != "recheck" || e.Out.Value&16 == 0 {
			return false
		}
		e.Out.Value &^= 16
		return true
	})
}

// refusedWithout checks the committed history name (linearizable), then
// takes out what drop clears, which must be in exactly one event, and
// requires the linearizability violation gexit check reported before the
// history's fix.
func refusedWithout(t *testing.T, name, what string, drop func(e *impl.Event) bool) {
	t.Helper()
	h := checkCommittedHistory(t, name)
	n := 0
	for i := range h.Events {
		if drop(&h.Events[i]) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d events with %s: want the one this history is about", n, what)
	}
	o, err := CheckHistory(context.Background(), h, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if o.Verdict != Illegal || o.Kind != "linearizability" {
		t.Fatalf("without %s, verdict %v (%s %s): want the linearizability violation gexit check reported", what, o.Verdict, o.Kind, o.Name)
	}
}

// A free-running history (gexit check -mode free -ps 8 -ms 8, seed 100;
// no fault, 6 Ps) in which the controller's stop-the-world stored
// gcwaiting and was descheduled before it read which Ps were in a
// syscall: meanwhile M2 saw gcwaiting and stopped spinning (gcstopm), M1's
// wakep took nmspinning from 0, and M0's G left its syscall keeping P0.
// The reads then saw P0 running and recorded no P as left, so no order of
// the spec explained M0 keeping P0. impl now records a P whose G left
// its syscall between the store and the reads as left (m.sysExits); the
// history is the one recorded, with that bit, and without it (the
// control) it is refused.
func TestStopTheWorldExitBeforeItsReadsHistoryLinearizable(t *testing.T) {
	refusedWithout(t, "stw-exit-before-its-reads.json", "P0 left by the stop-the-world", func(e *impl.Event) bool {
		if e.Op != "stoptheworld" || e.In.N&1 == 0 {
			return false
		}
		e.In.N &^= 1
		return true
	})
}

// failingOutcome is a counterexample of the mode (goid-reuse, which
// the deterministic modes find in their first run), whose bundle a replay
// reproduces.
func failingOutcome(t *testing.T, mode string) *Outcome {
	t.Helper()
	w := impl.Workload{Main: impl.Prog(impl.Go(nil), impl.Yield(), impl.Yield(), impl.Go(nil), impl.Exit())}
	c := Case{Preset: "small", Ps: 1, Ms: 1, Mode: mode, Workload: w, Text: w.String(), Faults: []string{"goid-reuse"}}
	o, err := RunCase(context.Background(), c, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if o.Verdict != Illegal {
		t.Fatalf("planted run (mode %s): %v %s %s", mode, o.Verdict, o.Kind, o.Detail)
	}
	return o
}

// TestReplaySystematicBundleNotReproduced: a systematic case runs the
// same way every time (impl's deterministic scheduler, a bounded search
// from its choices), so its replay is deterministic: a bundle that
// reproduces says so, and one whose re-run passes (its fault removed, as
// a fix would) is not reproduced, never covered up by re-judging its
// recorded history.json as a free-running bundle's would be.
func TestReplaySystematicBundleNotReproduced(t *testing.T) {
	o := failingOutcome(t, "systematic")
	if o.Case.Mode != "systematic" {
		t.Fatalf("mode %q", o.Case.Mode)
	}
	_, rp := writeAndReplay(t, o)
	if rp.Source != "bundle" || !rp.Deterministic || !rp.Reproduced || rp.ReRun != nil || rp.Outcome.Kind != o.Kind {
		t.Fatalf("control: source %q deterministic %v reproduced %v rerun %v: %v %s", rp.Source, rp.Deterministic, rp.Reproduced, rp.ReRun, rp.Outcome.Verdict, rp.Outcome.Kind)
	}
	o.Case.Faults = nil
	_, rp = writeAndReplay(t, o)
	if rp.Source != "bundle" || !rp.Deterministic || rp.Reproduced || rp.ReRun != nil || rp.Outcome.Verdict != Ok {
		t.Fatalf("without its fault: source %q deterministic %v reproduced %v rerun %v: %v %s, want a deterministic ok, not reproduced",
			rp.Source, rp.Deterministic, rp.Reproduced, rp.ReRun, rp.Outcome.Verdict, rp.Outcome.Kind)
	}
}

// TestReplayDeterministicModes: replay counts as deterministic exactly the
// modes whose runs impl schedules deterministically.
func TestReplayDeterministicModes(t *testing.T) {
	for _, mode := range []string{"free", "deterministic", "atomic", "systematic"} {
		c := Case{Preset: "small", Ps: 1, Ms: 1, Mode: mode}
		cfg, err := c.ImplConfig()
		if err != nil {
			t.Fatal(err)
		}
		if det := cfg.Mode == impl.Deterministic; deterministicMode(mode) != det {
			t.Errorf("mode %s: deterministicMode %v, impl's scheduler deterministic %v", mode, deterministicMode(mode), det)
		}
	}
}

// writeAndReplay writes o's bundle into a temporary directory and
// replays it; it returns the bundle's path and the replay.
func writeAndReplay(t *testing.T, o *Outcome) (string, *ReplayResult) {
	t.Helper()
	path, err := WriteBundle(t.TempDir(), BundleInfo{Outcome: o})
	if err != nil {
		t.Fatal(err)
	}
	rp, err := ReplayPath(context.Background(), path, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return path, rp
}
