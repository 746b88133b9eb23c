package checker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/spec"
)

// passingRun runs a small deterministic two-M case that passes.
func passingRun(t *testing.T) (Case, *impl.Result) {
	t.Helper()
	w := impl.Workload{Main: &impl.Program{Steps: []impl.Step{
		{Kind: impl.Spawn, Child: &impl.Program{}}, {Kind: impl.Spawn, Child: &impl.Program{}}, {Kind: impl.Gosched}}}}
	c := Case{Preset: "small", Ps: 2, Ms: 2, Mode: "deterministic", Seed: 3, Workload: w, Text: w.String()}
	o, res := runAndJudge(t, c)
	if o.Verdict != Ok {
		t.Fatalf("the control run does not pass: %+v", o)
	}
	return c, res
}

// TestReportFinalObservationFails is the regression test of the crash
// "index out of range [26] with length 26" in explain: when no order of
// the ops ends in the implementation's final state, the op that cannot be
// linearized is the closing observation, one past the history. The
// report must render (no panic), name the final state, and mark no
// event.
func TestReportFinalObservationFails(t *testing.T) {
	c, res := passingRun(t)
	// A final state no linearization reaches, that breaks no invariant:
	// GC credit the history never made.
	res.Snapshot.BgScanCredit += 5
	o, err := Judge(context.Background(), c, res, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if o.Verdict != Illegal || o.Kind != "linearizability" || o.Name != "final state" {
		t.Fatalf("want a linearizability failure at the final state, have %v %s %q", o.Verdict, o.Kind, o.Name)
	}
	if o.At != -1 {
		t.Fatalf("At = %d for the closing observation, want -1", o.At)
	}
	// The crash: At one past the history, as porcupine numbers the
	// closing observation.
	o.At = len(o.History)
	text, errs := TextReportErrors(o)
	if len(errs) > 0 {
		t.Fatalf("render errors: %v", errs)
	}
	if !strings.Contains(text, "steps (spec replay") || !strings.Contains(text, "bgScanCredit") {
		t.Fatalf("the report lacks the steps or the final-state difference:\n%s", text)
	}
	if n := len(Explain(o)); n == 0 {
		t.Fatal("Explain gave no steps")
	}
}

// TestRenderErrorStated: a part of a report that panics is replaced by a
// line saying so, and the other parts render.
func TestRenderErrorStated(t *testing.T) {
	c, res := passingRun(t)
	o, _ := Judge(context.Background(), c, res, time.Second)
	o.Verdict, o.Kind, o.Name = Illegal, "invariant", "Planted"
	o.Final = nil
	o.History = append([]impl.Event(nil), o.History...)
	o.History[0].M = 1 << 20 // an actor the replay cannot place: must not crash the report
	text, _ := TextReportErrors(o)
	if !strings.Contains(text, "verdict: illegal (invariant: Planted)") {
		t.Fatalf("verdict missing:\n%s", text)
	}
	var errs []RenderError
	guard(&errs, "planted", func() { panic("planted render bug") })
	if len(errs) != 1 || errs[0].Part != "planted" || !strings.Contains(errs[0].Err, "planted render bug") {
		t.Fatalf("guard: %+v", errs)
	}
}

// TestWriteBundleSurvivesRenderPanic: a bundle whose report cannot be
// rendered is still written, with the data files intact and the failure
// stated in report.txt, report.json and report.html.
func TestWriteBundleSurvivesRenderPanic(t *testing.T) {
	c, res := passingRun(t)
	o, _ := Judge(context.Background(), c, res, time.Second)
	o.Verdict, o.Kind, o.Name = Illegal, "invariant", "Planted"
	dir := t.TempDir()
	renderHook = func(part string) {
		if part == "steps" || part == "report.html" {
			panic("planted render bug in " + part)
		}
	}
	defer func() { renderHook = nil }()
	path, err := WriteBundle(dir, BundleInfo{Outcome: o, Notes: []string{"a note"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range BundleFiles {
		if st, err := os.Stat(filepath.Join(path, f)); err != nil || st.Size() == 0 {
			t.Fatalf("%s missing or empty: %v", f, err)
		}
	}
	var rep map[string]any
	data, _ := os.ReadFile(filepath.Join(path, "report.json"))
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep["renderErrors"] == nil {
		t.Fatalf("report.json does not state the render failure: %s", data)
	}
	txt, _ := os.ReadFile(filepath.Join(path, "report.txt"))
	if !strings.Contains(string(txt), "REPORT INCOMPLETE: the steps part") || !strings.Contains(string(txt), "verdict: illegal (invariant: Planted)") {
		t.Fatalf("report.txt does not state the render failure:\n%s", txt)
	}
	page, _ := os.ReadFile(filepath.Join(path, "report.html"))
	if !strings.Contains(string(page), "could not be rendered") || !strings.Contains(string(page), "Planted") {
		t.Fatalf("report.html does not state the render failure:\n%s", page)
	}
	if _, err := LoadBundle(path); err != nil {
		t.Fatalf("the bundle does not load: %v", err)
	}
}

// TestHarnessPanicIsAVerdict: a panic while judging (planted through
// judgeHook) is an Illegal outcome of kind harness-panic, in a campaign
// case and in a replayed history, never an error or a crash.
func TestHarnessPanicIsAVerdict(t *testing.T) {
	c, res := passingRun(t)
	dir := t.TempDir()
	o := JudgeSafe(context.Background(), c, res, time.Second)
	path, err := WriteBundle(dir, BundleInfo{Outcome: o})
	if err != nil {
		t.Fatal(err)
	}
	judgeHook = func() { panic("planted judging bug") }
	defer func() { judgeHook = nil }()
	o = JudgeSafe(context.Background(), c, res, time.Second)
	if o.Verdict != Illegal || o.Kind != "harness-panic" || !strings.Contains(o.Name, "planted judging bug") || len(o.History) == 0 {
		t.Fatalf("JudgeSafe: %v %s %q (%d events)", o.Verdict, o.Kind, o.Name, len(o.History))
	}
	rp, err := ReplayPath(context.Background(), filepath.Join(path, HistoryFile), time.Second)
	if err != nil {
		t.Fatalf("a harness panic reported as bad input: %v", err)
	}
	if rp.Outcome.Kind != "harness-panic" || rp.Reproduced {
		t.Fatalf("replay: %s reproduced=%v", rp.Outcome.Kind, rp.Reproduced)
	}
	judgeHook = nil
	rp, err = ReplayPath(context.Background(), filepath.Join(path, HistoryFile), time.Second)
	if err != nil || rp.Outcome.Verdict != Ok || !rp.Reproduced {
		t.Fatalf("control replay: %v %+v", err, rp)
	}
}

// TestReplayKeepsEverything: history.json keeps the atomic mode's per-op
// snapshots, the harness violations and the timeout flag, and the replay
// reaches the run's verdict from them.
func TestReplayKeepsEverything(t *testing.T) {
	c, res := passingRun(t)
	c.Mode = "atomic"
	cfg, _ := c.ImplConfig()
	res, err := impl.Run(cfg, c.Workload)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Snapshots) == 0 {
		t.Fatal("atomic mode recorded no snapshots")
	}
	judge := func(res *impl.Result) (*Outcome, *Outcome) {
		o := JudgeSafe(context.Background(), c, res, time.Second)
		data, err := MarshalHistory(HistoryOf(o, nil))
		if err != nil {
			t.Fatal(err)
		}
		h, err := ParseHistory(data)
		if err != nil {
			t.Fatal(err)
		}
		o2, err := CheckHistory(context.Background(), h, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !h.Recorded.Reproduces(o2) {
			t.Fatalf("replay %v %s %q, run %v %s %q", o2.Verdict, o2.Kind, o2.Name, o.Verdict, o.Kind, o.Name)
		}
		return o, o2
	}
	if o, _ := judge(res); o.Verdict != Ok {
		t.Fatalf("control: %v %s", o.Verdict, o.Detail)
	}
	// A snapshot after one op that differs from the spec: only the
	// differential sees it.
	bad := *res
	bad.Snapshots = append([]impl.Snapshot(nil), res.Snapshots...)
	sn := bad.Snapshots[0]
	sn.Goidgen += 100
	bad.Snapshots[0] = sn
	if o, _ := judge(&bad); o.Kind != "differential" {
		t.Fatalf("a bad per-op snapshot: %v %s", o.Verdict, o.Kind)
	}
	bad = *res
	bad.Violations = []string{"planted harness violation"}
	if o, _ := judge(&bad); o.Kind != "harness" {
		t.Fatalf("a harness violation: %v %s", o.Verdict, o.Kind)
	}
	bad = *res
	bad.TimedOut = true
	if o, _ := judge(&bad); o.Verdict != Unknown {
		t.Fatalf("a timed-out run: %v %s", o.Verdict, o.Kind)
	}
}

// TestStateOfRejectsUnrepresentable: values wider than the spec's fields
// are errors, never truncated into legal-looking ones.
func TestStateOfRejectsUnrepresentable(t *testing.T) {
	c, res := passingRun(t)
	cfg, _ := c.ImplConfig()
	scfg := SpecConfig(cfg)
	if _, err := StateOf(&scfg, &res.Snapshot); err != nil {
		t.Fatalf("control: %v", err)
	}
	for name, plant := range map[string]func(sn *impl.Snapshot){
		"gcAssistBytes": func(sn *impl.Snapshot) { sn.Gs[0].GCAssist = 300 },  // int8(300) == 44
		"lockedExt":     func(sn *impl.Snapshot) { sn.Ms[0].LockedExt = 256 }, // uint8(256) == 0
		"lockedInt":     func(sn *impl.Snapshot) { sn.Ms[1].LockedInt = -1 },
		"P0.m":          func(sn *impl.Snapshot) { sn.Ps[0].M = 200 },
	} {
		sn := res.Snapshot
		sn.Gs = append([]impl.GSnap(nil), sn.Gs...)
		sn.Ms = append([]impl.MSnap(nil), sn.Ms...)
		sn.Ps = append([]impl.PSnap(nil), sn.Ps...)
		plant(&sn)
		_, err := StateOf(&scfg, &sn)
		if !errors.Is(err, ErrUnrepresentable) {
			t.Errorf("%s: StateOf error %v, want ErrUnrepresentable", name, err)
		}
	}
}

// FuzzReports: the text report, the HTML report and the bundle writer
// never panic on any outcome: arbitrary events (ops, actors, outputs),
// arbitrary failing indices, nil final states, and porcupine answers that
// belong to another history.
func FuzzReports(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, int16(3), uint8(1))
	f.Add([]byte("\xff\xfe\x00\x10goexit"), int16(-1), uint8(2))
	f.Add([]byte{}, int16(0), uint8(0))
	ops := []string{"newproc1", "runqput", "goexit", "exit", "schedule", "park", "ready", "gc", "procresize", "bogus", ""}
	kinds := []string{"linearizability", "invariant", "differential", "throw", "panic", "harness", "harness-panic", ""}
	f.Fuzz(func(t *testing.T, data []byte, at int16, kind uint8) {
		next := func() int {
			if len(data) == 0 {
				return 0
			}
			v := int(data[0])
			data = data[1:]
			return v
		}
		o := &Outcome{Case: Case{Preset: "small", Ps: 1 + next()%3, Ms: 1 + next()%3, Mode: "deterministic"}, At: int(at)}
		o.Verdict = Verdict(next() % 4)
		o.Kind = kinds[int(kind)%len(kinds)]
		n := next() % 12
		for i := 0; i < n; i++ {
			e := impl.Event{M: next()%6 - 2, Op: ops[next()%len(ops)], Call: int64(i * 2), Return: int64(i*2 + 1 + next()%3)}
			e.In = impl.Input{G: next()%5 - 1, P: next()%4 - 1, N: next() % 4}
			e.Out = impl.Output{G: next()%5 - 1, Kicked: -1, Victim: next()%4 - 1, HandedTo: -1, P: -1, Source: []string{"ring", "runnext", "steal", "global", "idle", "x"}[next()%6]}
			o.History = append(o.History, e)
		}
		if next()%2 == 0 {
			// A porcupine answer for a longer, unrelated history.
			m := n + next()%5
			var pops []porcupine.Operation
			for i := 0; i < m; i++ {
				pops = append(pops, porcupine.Operation{ClientId: i % 2, Input: i, Output: i % 3, Call: int64(i), Return: int64(i + 2)})
			}
			model := porcupine.Model{
				Init: func() interface{} { return 0 },
				Step: func(s, in, out interface{}) (bool, interface{}) {
					return out.(int) != 2, s.(int) + 1
				},
				Equal: func(a, b interface{}) bool { return a == b },
			}
			_, info := porcupine.CheckOperationsVerbose(model, pops, time.Second)
			o.Info = &info
		}
		if next()%2 == 0 {
			c, err := (&o.Case).ImplConfig()
			if err == nil {
				if s, err := spec.New(SpecConfig(c)); err == nil {
					o.Final = s
				}
			}
		}
		// The parts are guarded, so a panic would not crash the test:
		// what is asserted is that no part needed its guard.
		if _, errs := TextReportErrors(o); len(errs) > 0 {
			t.Fatalf("a report part panicked: %v", errs)
		}
		Explain(o)
		HTMLReport(o, HTMLInfo{Reproduce: []string{"gexit replay x"}})
		path, err := WriteBundle(t.TempDir(), BundleInfo{Outcome: o})
		if err != nil {
			t.Fatalf("WriteBundle: %v", err)
		}
		// porcupine's visualization panics on an answer that is not of this
		// history (by design: it replays it); that part may fail, stated
		// in the bundle. No other part may.
		var rep struct {
			RenderErrors []RenderError `json:"renderErrors"`
		}
		data, err = os.ReadFile(filepath.Join(path, "report.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatalf("report.json: %v", err)
		}
		for _, e := range rep.RenderErrors {
			if e.Part != "linearization.html" {
				t.Fatalf("the bundle part %s panicked: %s", e.Part, e.Err)
			}
		}
		for _, f := range BundleFiles {
			if st, err := os.Stat(filepath.Join(path, f)); err != nil || st.Size() == 0 {
				t.Fatalf("%s missing or empty: %v", f, err)
			}
		}
	})
}

// TestLongestPrefixDeterministic: porcupine returns its longest
// linearizable prefixes in map order, and here two are equally long ([A,
// C] and [B, C]: A and B exclude each other). longestPrefix must pick the
// same one every time, the one that leaves out the op called first (A),
// so a replay names the same failing op as the run it replays.
func TestLongestPrefixDeterministic(t *testing.T) {
	m := porcupine.Model{
		Init: func() any { return 0 },
		Step: func(state, input, output any) (bool, any) {
			s, op := state.(int), input.(int)
			switch op {
			case 0: // A: not after B
				return s&2 == 0, s | 1
			case 1: // B: not after A
				return s&1 == 0, s | 2
			}
			return true, s | 4 // C
		},
	}
	ops := []porcupine.Operation{
		{ClientId: 0, Input: 0, Call: 0, Return: 10},
		{ClientId: 1, Input: 1, Call: 1, Return: 11},
		{ClientId: 2, Input: 2, Call: 2, Return: 12},
	}
	call := func(i int) int64 { return ops[i].Call }
	seen := map[string]bool{}
	for range 40 {
		res, info := porcupine.CheckOperationsVerbose(m, ops, time.Second)
		if res != porcupine.Illegal {
			t.Fatalf("verdict %v, want illegal", res)
		}
		if n := len(info.PartialLinearizations()[0]); n < 2 {
			t.Fatalf("%d longest prefixes, want two to choose from", n)
		}
		best, at := longestPrefix(info, len(ops), call)
		if at != 0 || len(best) != 2 || slices.Contains(best, 0) {
			t.Fatalf("prefix %v, failing op %d: want B and C linearized, A (called first) failing", best, at)
		}
		seen[fmt.Sprint(best)] = true
	}
	if len(seen) != 1 {
		t.Fatalf("prefixes chosen over 40 checks: %v, want one", seen)
	}
}
