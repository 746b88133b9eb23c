package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gexit-dev/gexit/checker"
	"github.com/gexit-dev/gexit/spec"
)

func runCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestExploreCommand(t *testing.T) {
	code, out, _ := runCmd("explore", "-q", "-gs", "1", "-without", "system,gc,assist,dirty,syscalls,procresize,stacksize,goyield")
	if code != exitOK || !strings.Contains(out, "complete: every state") || !strings.Contains(out, "verdict: ok") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	// "complete" is qualified by the chance of a fingerprint collision.
	if !strings.Contains(out, "shared a 64-bit fingerprint, and one was taken as seen: probability at most ") ||
		strings.Contains(out, "probability at most 0\n") {
		t.Fatalf("no collision bound:\n%s", out)
	}
	code, out, _ = runCmd("explore", "-json", "-gs", "2", "-depth", "4")
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	for _, k := range []string{"states", "transitions", "maxDepth", "violations", "seconds", "bytesPerState", "coverage", "neverReached", "fingerprintCollisionBound"} {
		if _, ok := v[k]; !ok {
			t.Errorf("-json lacks %q", k)
		}
	}
	if code != exitOK || v["maxDepth"].(float64) != 4 {
		t.Fatalf("exit %d maxDepth %v", code, v["maxDepth"])
	}
	// Out of states before the space is exhausted: unknown, exit 3; what
	// the part explored did not reach is no finding about the bounds.
	code, out, _ = runCmd("explore", "-q", "-max-states", "50")
	if code != exitUnknown || strings.Contains(out, "never reached under these bounds") || !strings.Contains(out, "not reached in the part explored") {
		t.Fatalf("max-states: exit %d, want 3\n%s", code, out)
	}
}

// TestExploreMaxMemory: past -max-memory the run stops with verdict
// unknown (exit 3) and says why; the peak resident memory is reported.
func TestExploreMaxMemory(t *testing.T) {
	code, out, _ := runCmd("explore", "-json", "-max-memory", "1MB")
	var v struct {
		StoppedBy     string  `json:"stoppedBy"`
		PeakBytes     float64 `json:"peakBytes"`
		BytesPerState float64 `json:"bytesPerState"`
		Complete      bool    `json:"complete"`
		Verdict       string  `json:"verdict"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if code != exitUnknown || v.StoppedBy != "max-memory" || v.Complete || v.Verdict != "unknown" || v.PeakBytes < 1e6 || v.BytesPerState <= 0 {
		t.Fatalf("exit %d, %+v", code, v)
	}
	code, out, _ = runCmd("explore", "-q", "-max-memory", "1MiB")
	if code != exitUnknown || !strings.Contains(out, "INCOMPLETE: stopped by -max-memory") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, bad := range []string{"lots", "-5GB", "1.5XB"} {
		if code, _, errOut := runCmd("explore", "-max-memory", bad); code != exitUsage || !strings.Contains(errOut, "-max-memory") {
			t.Errorf("-max-memory %q: exit %d %q", bad, code, errOut)
		}
	}
	for in, want := range map[string]uint64{"0": 0, "512": 512, "2KB": 2000, "2KiB": 2048, "1.5 GiB": 3 << 29, "8GB": 8e9} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

// TestExploreSpillCommand: a frontier spilled to disk gives the run in
// memory's counts and verdict and says how much it spilled; bad sizes and
// directories are refused before the run.
func TestExploreSpillCommand(t *testing.T) {
	if d, _ := checker.SpillDir(""); d == "" {
		t.Skip("no spill on this platform or no directory on disk")
	}
	for _, bad := range [][]string{{"-frontier-memory", "lots"}, {"-frontier-memory", "3GiB"}, {"-spill-dir", "/nonexistent/gexit"}} {
		if code, out, errOut := runCmd(append([]string{"explore"}, bad...)...); code != exitUsage || out != "" || !strings.Contains(errOut, bad[0]) {
			t.Errorf("%v: exit %d %q", bad, code, errOut)
		}
	}
	if raceEnabled {
		t.Skip("three explorations of 448,911 states: make test runs them without the race detector")
	}
	// 1 P, 1 M, 7 Gs: 448,911 states in levels of up to 1.6 MiB, so that
	// some of the 1 MiB chunks spill.
	args := []string{"explore", "-json", "-ps", "1", "-ms", "1", "-gs", "7"}
	var mem, disk struct {
		States, Transitions, MaxDepth int
		Verdict                       string
		SpilledBytes                  int64
	}
	code, out, _ := runCmd(args...)
	if err := json.Unmarshal([]byte(out), &mem); err != nil || code != exitOK {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	code, out, _ = runCmd(append(args, "-frontier-memory", "1", "-spill-dir", t.TempDir())...)
	if err := json.Unmarshal([]byte(out), &disk); err != nil || code != exitOK {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	if disk.SpilledBytes == 0 || mem.SpilledBytes != 0 {
		t.Fatalf("spilled %d bytes with -frontier-memory 1, %d without", disk.SpilledBytes, mem.SpilledBytes)
	}
	disk.SpilledBytes = 0
	if disk != mem {
		t.Fatalf("spilled %+v, in memory %+v", disk, mem)
	}
	code, out, _ = runCmd("explore", "-q", "-ps", "1", "-ms", "1", "-gs", "7", "-frontier-memory", "1")
	if code != exitOK || !strings.Contains(out, "frontier spilled to disk") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestExploreBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"explore", "-ps", "0"},
		{"explore", "-consts", "huge"},
		{"explore", "-gs", "-1"},
		{"explore", "-without", "nonsense"},
		{"explore", "-depth", "x"},
		{"explore", "extra"},
		{"nosuchcommand"},
	} {
		code, out, errs := runCmd(args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if out != "" || strings.Count(strings.TrimSpace(errs), "\n") > 40 || errs == "" {
			t.Errorf("%v: stdout %q stderr %q", args, out, errs)
		}
	}
	if code, out, _ := runCmd("help"); code != exitOK || !strings.Contains(out, "explore") {
		t.Fatalf("help: %d %s", code, out)
	}
	if code, out, errs := runCmd("help", "bogus"); code != exitUsage || out != "" || !strings.Contains(errs, `unknown command "bogus"`) {
		t.Fatalf("help bogus: %d %q %q", code, out, errs)
	}
	if code, _, errs := runCmd("explore", "-h"); code != exitOK || !strings.Contains(errs, "Exit codes") {
		t.Fatalf("explore -h: %d %s", code, errs)
	}
}

func TestExploreLivenessCommand(t *testing.T) {
	if raceEnabled {
		// 25 s under -race; the race detector's run of the liveness
		// search with several workers is checker's
		// TestExploreWorkersLiveness. make test runs it without -race.
		t.Skip("make test runs it without -race")
	}
	// Every property judged in hundreds of states.
	args := []string{"explore", "-q", "-liveness", "-ps", "1", "-ms", "2", "-gs", "1", "-without", "system,assist,dirty,procresize,stacksize,goyield"}
	code, out, _ := runCmd(args...)
	if code != exitOK || !strings.Contains(out, "liveness graph:") || !strings.Contains(out, "verdict: ok") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, p := range []string{"RunnableGRuns", "GlobalRunqServed", "HandedOffPTaken", "IdlePsPutToWork", "LockedGRunsOnItsM", "StopTheWorldCompletes", "GCMarkEnds"} {
		if !regexp.MustCompile(p + ` +holds +judged in [1-9]`).MatchString(out) {
			t.Errorf("no verdict line for %s\n%s", p, out)
		}
	}
	code, out, _ = runCmd(append(args, "-json")...)
	var v struct {
		Liveness []struct {
			Name          string `json:"name"`
			Holds         bool   `json:"holds"`
			CheckedStates int    `json:"checkedStates"`
		} `json:"liveness"`
		States int `json:"states"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != exitOK {
		t.Fatalf("exit %d json: %v\n%s", code, err, out)
	}
	if len(v.Liveness) != len(checker.LivenessProperties) {
		t.Fatalf("%d liveness verdicts: %+v", len(v.Liveness), v.Liveness)
	}
	for _, l := range v.Liveness {
		if !l.Holds || l.CheckedStates == 0 || l.CheckedStates > v.States {
			t.Errorf("%+v (of %d states)", l, v.States)
		}
	}
	// Without -liveness, -json has no liveness key.
	_, out, _ = runCmd("explore", "-json", "-gs", "2", "-depth", "3")
	if strings.Contains(out, `"liveness": [`) || strings.Contains(out, `"livenessStats"`) {
		t.Fatalf("liveness in a run without -liveness:\n%s", out)
	}
	// Out of states: every property unknown, exit 3.
	code, out, _ = runCmd("explore", "-q", "-liveness", "-max-states", "50")
	if code != exitUnknown || !strings.Contains(out, "unknown (the space was not exhausted)") {
		t.Fatalf("max-states: exit %d\n%s", code, out)
	}
	for _, bad := range [][]string{
		{"explore", "-liveness", "-depth", "3"},
		{"explore", "-liveness", "-ms", "9"},
		{"explore", "-liveness", "-gs", "9"},
		{"explore", "-liveness", "-unfair", "Sometimes"},
		{"explore", "-unfair", "TimeSliceEnds"},
	} {
		if code, out, errs := runCmd(bad...); code != exitUsage || out != "" || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d stdout %q stderr %q", bad, code, out, errs)
		}
	}
}

// -unfair drops a fairness condition: without TimeSliceEnds, two Gs
// readying each other through runnext share one time slice forever and
// starve the third; the lasso exits 1.
func TestExploreUnfair(t *testing.T) {
	code, out, _ := runCmd("explore", "-q", "-liveness", "-ps", "1", "-ms", "1", "-gs", "3", "-unfair", "TimeSliceEnds")
	if code != exitViolation || !strings.Contains(out, "liveness (fair runs: WeakFairMs, HandoffStartsM, NewMForHandoff, WeakFairStartTheWorld, StopTheWorldsSpaced, WeakFairSysmon, WeakFairGC)") ||
		!strings.Contains(out, "LIVENESS VIOLATION: RunnableGRuns") || !strings.Contains(out, "M0 schedule runnext") || !strings.Contains(out, "verdict: violation") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if code, out, _ := runCmd("explore", "-q", "-liveness", "-ps", "1", "-ms", "1", "-gs", "3"); code != exitOK {
		t.Fatalf("with every condition: exit %d\n%s", code, out)
	}
}

// A lasso prints as numbered steps, the prefix and the loop marked, and
// goes into -json as lines.
func TestExploreLassoOutput(t *testing.T) {
	c, _ := spec.Preset("small")
	b := spec.DefaultBounds(1)
	b.NoSystem, b.NoGC, b.NoAssist, b.NoDirty, b.NoSyscalls, b.NoProcResize, b.NoGoyield = true, true, true, true, true, true, true
	b.StackSizes = nil
	o := checker.ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: b, Liveness: true,
		// A lost wakeup: M1 never takes a handed-off P.
		Step: func(s *spec.State, op spec.Op) (spec.Result, error) {
			if op.Kind == spec.OpAcquireP && op.M == 1 && s.Ps[op.P].Status == spec.PHandoff {
				return spec.NewResult(), nil
			}
			return s.Apply(op)
		}}
	res, err := checker.Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	var w bytes.Buffer
	printLiveness(&w, res)
	out := w.String()
	for _, want := range []string{"HandedOffPTaken       VIOLATED", "LIVENESS VIOLATION: HandedOffPTaken", "  prefix (8 steps, shortest to the loop):",
		"    1. M0 gosched", "    2. M0 wakep", "    3. M0 wakepstartm", "    4. M0 startm", "  loop (steps 9-9, back to the state after step 8, forever):", "    9. M1 acquirep P1", "the loop's first state:"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	js, err := json.Marshal(livenessJSON(res.Liveness))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"loop":["9. M1 acquirep P1 =\u003e -"]`) || !strings.Contains(string(js), `"tracked":"P1"`) {
		t.Fatalf("%s", js)
	}
}

// A stutter (a run that stays in a state no fair actor leaves) prints as
// an empty loop with the steps nothing forces, in text and -json: without
// WeakFairSysmon, sysmon retakes P0 from main's system call and never
// hands it off.
func TestExploreStutterOutput(t *testing.T) {
	if raceEnabled {
		// 42 s under -race, two liveness explorations; make test runs
		// it without (the explorer's concurrency is raced by the
		// checker's tests).
		t.Skip("make test runs it without -race")
	}
	args := []string{"explore", "-q", "-liveness", "-ps", "2", "-ms", "2", "-gs", "1", "-without", "system,gc,assist,dirty,locks,procresize,stacksize,goyield", "-unfair", "WeakFairSysmon"}
	code, out, _ := runCmd(args...)
	for _, want := range []string{"LIVENESS VIOLATION: HandedOffPTaken", "  prefix (2 steps, shortest to the loop):", "    1. M0 entersyscall", "    2. sysmon retake P0",
		"  loop: none: the run stays in the state after step 2 forever; no fairness condition assumed forces its steps:", "       sysmon handoffp", "       M0 exitsyscall",
		"stays so forever: the run stays in that state"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	// Each step once (the two handoffp ops differ only in a GC
	// outcome the text leaves out), and only strict steps: exitsyscall's
	// nop-pidle is no step of a strict order here.
	_, loop, _ := strings.Cut(out, "  loop: none")
	loop, _, _ = strings.Cut(loop, "the loop's first state")
	if code != exitViolation || strings.Count(loop, "       sysmon handoffp\n") != 1 || strings.Contains(loop, "nop-pidle") {
		t.Fatalf("exit %d, loop %q\n%s", code, loop, out)
	}
	code, out, _ = runCmd(append(args, "-json")...)
	var v struct {
		Liveness []struct {
			Name  string `json:"name"`
			Lasso *struct {
				Loop     []string `json:"loop"`
				Unforced []string `json:"unforced"`
			} `json:"lasso"`
		} `json:"liveness"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != exitViolation {
		t.Fatalf("exit %d %v\n%s", code, err, out)
	}
	found := false
	for _, l := range v.Liveness {
		if l.Name == "HandedOffPTaken" && l.Lasso != nil {
			found = len(l.Lasso.Loop) == 0 && slices.Contains(l.Lasso.Unforced, "sysmon handoffp")
		}
	}
	if !found {
		t.Fatalf("no stutter lasso for HandedOffPTaken in\n%s", out)
	}
}

// -workers changes nothing printed but the timings; -bitstate says the
// search is partial in text and -json and exits 0 without a violation,
// 1 with one; -shard needs -bitstate.
func TestExploreWorkersBitstateCommand(t *testing.T) {
	timing := regexp.MustCompile(`(?m)^[0-9.]+s, .*$`)
	args := []string{"explore", "-q", "-gs", "2", "-depth", "18"}
	c1, out1, _ := runCmd(append(args, "-workers", "1")...)
	c2, out2, _ := runCmd(append(args, "-workers", "2")...)
	if c1 != exitOK || c2 != exitOK || timing.ReplaceAllString(out1, "") != timing.ReplaceAllString(out2, "") {
		t.Fatalf("exit %d and %d\n%s\n%s", c1, c2, out1, out2)
	}
	code, out, _ := runCmd(append(args, "-bitstate", "24", "-shard", "1/3")...)
	if code != exitOK || !strings.Contains(out, "partial search: bitstate 2^24 bits") || !strings.Contains(out, "hash factor") ||
		!strings.Contains(out, "verdict: ok (partial search: bitstate)") || strings.Contains(out, "complete: every state") ||
		// (-depth: a bitstate search is partial within it too)
		strings.Contains(out, "complete up to") || strings.Contains(out, "never reached under these bounds") || strings.Contains(out, "collision") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	code, out, _ = runCmd(append(args, "-bitstate", "24", "-json")...)
	var v struct {
		Verdict  string `json:"verdict"`
		Bitstate *struct {
			PartialSearch bool    `json:"partialSearch"`
			HashFactor    float64 `json:"hashFactor"`
		} `json:"bitstate"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != exitOK || v.Verdict != "ok" || v.Bitstate == nil || !v.Bitstate.PartialSearch || v.Bitstate.HashFactor < 100 {
		t.Fatalf("exit %d %v %+v\n%s", code, err, v, out)
	}
	for _, bad := range [][]string{{"-shard", "0/2"}, {"-bitstate", "24", "-shard", "2/2"}, {"-bitstate", "50"}, {"-workers", "0"}, {"-bitstate", "24", "-liveness"}} {
		if code, _, errOut := runCmd(append([]string{"explore", "-q"}, bad...)...); code != exitUsage || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, %q", bad, code, errOut)
		}
	}
}

// The progress line gives the rate and the resident memory against
// -max-memory, and leaves the fraction out when there is no bound.
func TestExploreProgressLine(t *testing.T) {
	p := checker.ExploreProgress{States: 3000, Transitions: 9000, Depth: 7, Frontier: 120, Elapsed: 2 * time.Second,
		Resident: 3 << 30, MaxMemory: 12 << 30}
	got := progressLine(p)
	want := "explore: 3000 states, 9000 transitions, depth 7, frontier 120, 2s, 1500 states/s, 3.0 GiB resident (25% of -max-memory 12.0 GiB)"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	p.MaxMemory, p.Elapsed = 0, 0
	if got := progressLine(p); strings.Contains(got, "max-memory") || !strings.HasSuffix(got, "0 states/s, 3.0 GiB resident") {
		t.Fatalf("no bound, no time: %s", got)
	}
}

// -fingerprint 128 explores the same states and says so in its bound;
// other widths, and 128 with -bitstate or -liveness, are usage errors.
func TestExploreFingerprintFlag(t *testing.T) {
	args := []string{"explore", "-q", "-gs", "2", "-depth", "12"}
	code64, out64, _ := runCmd(args...)
	code, out, _ := runCmd(append(args, "-fingerprint", "128")...)
	first := func(s string) string { return strings.SplitN(s, "\n", 2)[0] }
	if code != exitOK || code64 != exitOK || first(out) != first(out64) {
		t.Fatalf("exit %d and %d:\n%s\n%s", code, code64, out, out64)
	}
	if !strings.Contains(out, "shared a 128-bit fingerprint") || !strings.Contains(out64, "shared a 64-bit fingerprint") {
		t.Fatalf("the bound does not name the width:\n%s\n%s", out, out64)
	}
	// The summary suggests 128 bits where a 64-bit collision is likely
	// enough to matter, and only there.
	for _, tc := range []struct {
		p       float64
		bits    int
		suggest bool
	}{{0.01, 64, true}, {1e-5, 64, false}, {0.01, 128, false}} {
		var b strings.Builder
		printCollision(&b, &checker.ExploreResult{FingerprintCollision: tc.p}, tc.bits)
		if got := strings.Contains(b.String(), "-fingerprint 128"); got != tc.suggest {
			t.Errorf("bound %g at %d bits: suggests 128 bits %v, want %v:\n%s", tc.p, tc.bits, got, tc.suggest, b.String())
		}
	}
	for _, bad := range [][]string{{"-fingerprint", "96"}, {"-fingerprint", "128", "-bitstate", "20"}, {"-fingerprint", "128", "-liveness", "-depth", "0"}} {
		if code, _, errOut := runCmd(append(args, bad...)...); code != exitUsage || !strings.Contains(errOut, "-fingerprint") {
			t.Errorf("%v: exit %d, %s", bad, code, errOut)
		}
	}
}

// -max-time stops the run with verdict unknown (exit 3), says so in the
// summary and in -json; a negative one is bad usage.
func TestExploreMaxTimeFlag(t *testing.T) {
	code, out, _ := runCmd("explore", "-q", "-max-time", "1ns")
	if code != exitUnknown || !strings.Contains(out, "INCOMPLETE: stopped by -max-time") || !strings.Contains(out, "verdict: unknown") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	code, out, _ = runCmd("explore", "-json", "-max-time", "1ns")
	if code != exitUnknown || !strings.Contains(out, `"stoppedBy": "max-time"`) {
		t.Fatalf("-json: exit %d:\n%s", code, out)
	}
	if code, _, errOut := runCmd("explore", "-max-time", "-1s"); code != exitUsage || !strings.Contains(errOut, "-max-time") {
		t.Fatalf("-max-time -1s: exit %d: %s", code, errOut)
	}
	// The control: time enough.
	if code, out, _ := runCmd("explore", "-q", "-gs", "1", "-max-time", "1h"); code != exitOK || !strings.Contains(out, "complete:") {
		t.Fatalf("-max-time 1h: exit %d:\n%s", code, out)
	}
}

// -wasm explores wasm's one thread: -ps and -ms default to 1, and more is
// refused with the reason.
func TestExploreWasmOneThread(t *testing.T) {
	code, out, _ := runCmd("explore", "-q", "-wasm", "-gs", "2")
	if code != exitOK || !strings.Contains(out, "(1 Ps, 1 Ms, 2 Gs") {
		t.Fatalf("-wasm: exit %d:\n%s", code, out)
	}
	for _, args := range [][]string{{"-ps", "2"}, {"-ms", "2"}} {
		code, _, errOut := runCmd(append([]string{"explore", "-q", "-wasm"}, args...)...)
		if code != exitUsage || !strings.Contains(errOut, "wasm has one thread") {
			t.Fatalf("-wasm %v: exit %d: %s", args, code, errOut)
		}
	}
}

// The P symmetry applies where no op reads a P id; elsewhere the summary
// and -json say it is off.
func TestExploreReducePsOnlyWhereSound(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
		note bool
	}{
		{[]string{"-gs", "1"}, "ms,assist,gwrites,ps", false},
		{[]string{"-gs", "1", "-without", "procresize", "-depth", "4"}, "ms,assist,gwrites", true},
		{[]string{"-gs", "1", "-reduce", "ps", "-without", "gc", "-depth", "4"}, "", true},
		{[]string{"-gs", "1", "-ps", "5", "-depth", "3"}, "ms,assist,gwrites", false},
		{[]string{"-gs", "1", "-ps", "1"}, "ms,assist,gwrites", false},
		// Beyond 16 Ms the Ms keep their names: ms is off, said so (a
		// review's -ms 17 failed the premise check instead).
		{[]string{"-gs", "1", "-ms", "17", "-without", "system,gc,assist,dirty,syscalls,locks,procresize,stacksize,goyield", "-depth", "3"}, "assist,gwrites,ps", false},
	} {
		code, stdout, stderr := cliRun(t, append([]string{"explore", "-q", "-json"}, tc.args...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d\n%s", tc.args, code, stderr)
		}
		var out struct {
			Bounds map[string]any `json:"bounds"`
		}
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatal(err)
		}
		if out.Bounds["reduce"] != tc.want {
			t.Errorf("%v: reduce %v, want %q", tc.args, out.Bounds["reduce"], tc.want)
		}
		_, text, _ := cliRun(t, append([]string{"explore", "-q"}, tc.args...)...)
		if got := strings.Contains(text, "ps off: the gc and procresize families read P ids"); got != tc.note {
			t.Errorf("%v: the summary says ps is off: %v, want %v\n%s", tc.args, got, tc.note, text)
		}
		if msOff := slices.Contains(tc.args, "17"); msOff != strings.Contains(text, "ms off: more than 16 Ms") {
			t.Errorf("%v: the summary says ms is off: %v\n%s", tc.args, !msOff, text)
		}
	}
}

// TestCPUProfileFlag: -cpuprofile writes a profile pprof reads (gzip's
// magic first) for explore and check, and a file it cannot create is bad
// usage that runs nothing.
func TestCPUProfileFlag(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"explore", "-q", "-gs", "1", "-without", "system,gc,assist,dirty,syscalls,procresize,stacksize,goyield"},
		{"check", "-cases", "600", "-seed", "3", "-out", dir},
	} {
		path := filepath.Join(dir, args[0]+".prof")
		code, out, errs := runCmd(append(args, "-cpuprofile", path)...)
		if code != exitOK {
			t.Fatalf("%s: exit %d\n%s%s", args[0], code, out, errs)
		}
		b, err := os.ReadFile(path)
		if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Fatalf("%s: the profile is not a gzipped pprof file (err %v, %d bytes)", args[0], err, len(b))
		}
		code, out, errs = runCmd(append(args, "-cpuprofile", filepath.Join(dir, "no", "such", "dir", "x.prof"))...)
		if code != exitUsage || !strings.Contains(errs, "-cpuprofile") || out != "" {
			t.Fatalf("%s: an uncreatable profile: exit %d, want %d\nstdout: %s\nstderr: %s", args[0], code, exitUsage, out, errs)
		}
	}
}

// A search that stops at its first violation (the default; -all goes on)
// does not say it explored the whole space: its summary and -json say it
// stopped there. With -all the same planted throw leaves a complete
// search, the control.
func TestExploreFirstViolationIsNotComplete(t *testing.T) {
	c, _ := spec.Preset("small")
	b := spec.DefaultBounds(1)
	b.NoSystem, b.NoGC, b.NoAssist, b.NoDirty, b.NoSyscalls, b.NoProcResize, b.NoGoyield, b.NoLocks = true, true, true, true, true, true, true, true
	b.StackSizes = nil
	for _, first := range []bool{true, false} {
		o := checker.ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: b, StopAtFirst: first,
			Step: func(s *spec.State, op spec.Op) (spec.Result, error) {
				if op.Kind == spec.OpGosched {
					return spec.Result{}, &spec.Throw{Msg: "planted", Func: "test"}
				}
				return s.Apply(op)
			}}
		res, err := checker.Explore(context.Background(), o)
		if err != nil || len(res.Violations) == 0 {
			t.Fatalf("first=%v: %v, %d violations", first, err, len(res.Violations))
		}
		var w bytes.Buffer
		printExplore(&w, res, 2, 2, 1, "small", 64, "")
		out := w.String()
		stopped := strings.Contains(out, "stopped at the first violation")
		if res.Complete == first || stopped != first || strings.Contains(out, "complete: every state") == first {
			t.Fatalf("first=%v: complete %v, stoppedBy %q\n%s", first, res.Complete, res.StoppedBy, out)
		}
	}
}
