package checker

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gexit-dev/gexit/impl"
)

func TestCampaignOptionsValidate(t *testing.T) {
	for _, o := range []CampaignOptions{
		{},                                   // no bound
		{Cases: -1},                          // negative
		{Cases: 1, Shard: 2, Shards: 2},      // shard out of range
		{Cases: 1, Ps: 9},                    // Ps out of range
		{Cases: 1, Ms: -1},                   // Ms out of range
		{Cases: 1, Faults: []string{"nope"}}, // unknown fault
		{Cases: 1, Modes: []string{"fast"}},  // unknown mode
		{Cases: 1, Shrink: -time.Second},     // negative shrink
		{Cases: 1, Decide: -time.Second},     // negative decide
		{Cases: 1, Workers: -1},              // workers out of range
		{Cases: 1, Workers: 1025},            // workers out of range
	} {
		if _, err := NewCampaign(o); err == nil {
			t.Errorf("NewCampaign(%+v) accepted", o)
		}
	}
	if _, err := NewCampaign(CampaignOptions{Cases: 1}); err != nil {
		t.Errorf("control: %v", err)
	}
}

// TestCampaignClean: a fault-free campaign passes every case, counts
// them, and writes nothing.
func TestCampaignClean(t *testing.T) {
	out := t.TempDir()
	c, err := NewCampaign(CampaignOptions{Cases: 200, Seed: 11, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	r := c.Run(context.Background())
	if r.Verdict != Ok || r.Failure != nil || r.Cases < 200 || r.Ok != r.Cases || r.Ops == 0 || len(r.Unreached) != 0 || r.Quiescent == 0 {
		t.Fatalf("clean campaign: %s", r.Summary())
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Fatalf("a passing campaign wrote %d entries", len(ents))
	}
}

// TestCampaignCountsThrowStates: a campaign counts its runs that ended at
// a throw by what became of the check of the state there: checked, or
// skipped and why (each schedule of a systematic case counts). A
// free-running one is never checked.
func TestCampaignCountsThrowStates(t *testing.T) {
	for _, mode := range []string{"deterministic", "systematic", "free"} {
		cases := 300
		if mode == "systematic" {
			cases = 50 // each a search of many schedules
		}
		c, err := NewCampaign(CampaignOptions{Cases: cases, Seed: 3, Modes: []string{mode}})
		if err != nil {
			t.Fatal(err)
		}
		r := c.Run(context.Background())
		if r.Verdict != Ok && !(mode == "systematic" && r.Illegal == 0 && r.Unknown == 0) {
			t.Fatalf("%s: %s", mode, r.Summary())
		}
		n, skipped := r.ThrowEnded(), 0
		for _, k := range r.ThrowSkipped {
			skipped += k
		}
		if n == 0 || n != r.ThrowChecked+skipped {
			t.Fatalf("%s: %d ended at a throw, %d checked, skipped %v", mode, n, r.ThrowChecked, r.ThrowSkipped)
		}
		if free := r.ThrowSkipped[ThrowStateFree]; mode == "free" && (r.ThrowChecked != 0 || free != n) || mode != "free" && (r.ThrowChecked == 0 || free != 0) {
			t.Fatalf("%s: %d checked, skipped %v", mode, r.ThrowChecked, r.ThrowSkipped)
		}
		t.Logf("%s: %d cases, %d ended at a throw, %d checked, skipped %v", mode, r.Cases, n, r.ThrowChecked, r.ThrowSkipped)
	}
}

// TestCampaignDecidesUndecided: within a budget of 1ns every history is
// undecided; the judging after the cases (Decide) decides the first
// maxUndecided of them, each counted as ok, or as illegal when a fault
// is on: that is then the counterexample. Without it they stay unknown.
func TestCampaignDecidesUndecided(t *testing.T) {
	run := func(cases int, decide time.Duration, faults ...string) *CampaignResult {
		t.Helper()
		c, err := NewCampaign(CampaignOptions{Seed: 1, Cases: cases, Budget: time.Nanosecond, Decide: decide, Faults: faults, Modes: []string{"deterministic"}, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		return c.Run(context.Background())
	}
	// Clean, few enough to keep: every one decided ok. (porcupine may
	// decide a tiny history within 1ns: it reads its clock now and then;
	// the rest were undecided.)
	if r := run(5, time.Minute); r.Decided < 1 || r.Ok != 5 || r.Unknown != 0 || r.Illegal != 0 || r.FirstUnknown != nil {
		t.Errorf("5 cases, decide 1m: %s, decided %d", r.Summary(), r.Decided)
	}
	// The control: no judging after the cases.
	if r := run(5, 0); r.Verdict != Unknown || r.Decided != 0 || r.Unknown < 1 || r.Ok+r.Unknown != 5 || r.FirstUnknown == nil {
		t.Errorf("5 cases, decide 0: %s, decided %d", r.Summary(), r.Decided)
	}
	// Beyond maxUndecided the rest stay unknown, and the first unknown
	// is one of them. (One worker: the histories kept are the first
	// cases in order.)
	r := run(25, time.Minute)
	if undecided := r.Decided + r.Unknown; undecided <= maxUndecided {
		t.Errorf("25 cases: only %d undecided within 1ns, want more than %d", undecided, maxUndecided)
	} else if r.Verdict != Unknown || r.Decided != maxUndecided || r.Ok+r.Unknown != 25 || r.Illegal != 0 ||
		r.FirstUnknown == nil || r.FirstUnknown.Name != Undecided {
		t.Errorf("25 cases, decide 1m: %s, decided %d", r.Summary(), r.Decided)
	}
	// A fault whose histories are not linearizable: illegal, found by
	// the cases (porcupine may find a violation within 1ns) or by the
	// judging after them, which then says so.
	r = run(25, time.Minute, "spill-32")
	if r.Verdict != Illegal || r.Failure == nil || r.Failure.Outcome.Kind != "linearizability" || r.Illegal != 1 ||
		r.Decided > 0 && !strings.Contains(r.Failure.Log, "decided illegal after the campaign") {
		t.Fatalf("spill-32, decide 1m: %s, decided %d, log %q", r.Summary(), r.Decided, r.Failure.Log)
	}
}

// TestCampaignDecideMovesTheCounts: decide judges a kept undecided
// history again and moves it from the unknown count: an illegal one is
// returned as the counterexample, an ok one counted ok. The histories are
// an illegal and a clean case's, marked undecided.
func TestCampaignDecideMovesTheCounts(t *testing.T) {
	o := CampaignOptions{Seed: 1, Cases: 25, Faults: []string{"spill-32"}, Modes: []string{"deterministic"}, Workers: 1}
	c, _ := NewCampaign(o)
	r := c.Run(context.Background())
	if r.Failure == nil || r.Failure.Outcome.Kind != "linearizability" {
		t.Fatalf("spill-32: %s", r.Summary())
	}
	cs := cloneCase(r.Failure.Outcome.Case)
	cs.Faults = nil
	clean := RunSafe(context.Background(), cs, time.Minute)
	if clean.Verdict != Ok {
		t.Fatalf("the case without its fault: %s", clean.Verdict)
	}
	for _, tc := range []struct {
		name string
		out  *Outcome
		want Verdict
	}{{"illegal", r.Failure.Outcome, Illegal}, {"clean", clean, Ok}} {
		u := *tc.out
		u.Verdict, u.Kind, u.Name = Unknown, "timeout", Undecided
		o.Decide = time.Minute
		c, _ := NewCampaign(o)
		c.undecided = []undecidedCase{{j: caseJob{b: 2, i: 3}, out: &u}}
		c.stats.Unknown, c.first = 1, &u
		found := c.decide(context.Background())
		st := c.Stats()
		switch {
		case st.Unknown != 0 || st.Decided != 1 || len(c.undecided) != 0 || c.first != nil:
			t.Errorf("%s: unknown %d, decided %d, kept %d, first %v", tc.name, st.Unknown, st.Decided, len(c.undecided), c.first)
		case tc.want == Illegal && (found == nil || found.out.Verdict != Illegal || found.b != 2 || found.i != 3 || st.Illegal != 1):
			t.Errorf("%s: found %+v, illegal %d", tc.name, found, st.Illegal)
		case tc.want == Ok && (found != nil || st.Ok != 1):
			t.Errorf("%s: found %+v, ok %d", tc.name, found, st.Ok)
		}
	}
}

// TestCampaignFaultBundleReplays: with a fault on, the campaign finds
// it, minimizes, runs the control, writes a complete bundle, and both
// replays reproduce the verdict, kind and name.
func TestCampaignFaultBundleReplays(t *testing.T) {
	out := t.TempDir()
	c, err := NewCampaign(CampaignOptions{Cases: 5000, Seed: 2, Faults: []string{"spill-lose-g"}, Shrink: time.Second, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	r := c.Run(context.Background())
	if r.Verdict != Illegal || r.Failure == nil || r.BundleErr != nil || r.Bundle == "" {
		t.Fatalf("campaign: %s", r.Summary())
	}
	f := r.Failure
	if f.Control == nil || f.Control.Verdict != Ok || !f.Attributable {
		t.Fatalf("control run: %+v", f.Control)
	}
	checkBundle(t, r.Bundle, f.Outcome)
}

// checkBundle asserts a bundle is complete and replays to o's verdict.
func checkBundle(t *testing.T, dir string, o *Outcome) {
	t.Helper()
	files := BundleFiles
	if o.Kind == "linearizability" {
		files = append(files[:len(files):len(files)], "linearization.html")
	}
	for _, f := range files {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %s missing or empty (%v)", dir, f, err)
		}
	}
	for _, p := range []string{dir, filepath.Join(dir, HistoryFile)} {
		rp, err := ReplayPath(context.Background(), p, 10*time.Second)
		if err != nil {
			t.Fatalf("replay %s: %v", p, err)
		}
		if rp.Recorded == nil {
			t.Fatalf("replay %s: nothing recorded", p)
		}
		if !rp.Reproduced && (rp.Deterministic || rp.Outcome.Verdict == Illegal) {
			t.Fatalf("replay %s (mode %s): %v %s %q, recorded %+v", p, o.Case.Mode, rp.Outcome.Verdict, rp.Outcome.Kind, rp.Outcome.Name, rp.Recorded)
		}
	}
}

// TestCampaignLeavesHostFlags: a program that runs a campaign before it
// parses its own flags finds its flag set untouched: not parsed, no
// testing flags added, rapid's values restored, nothing marked set.
func TestCampaignLeavesHostFlags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go not on PATH")
	}
	out, err := exec.Command(goBin, "run", "./testdata/hostflags", "-x", "5").CombinedOutput()
	if err != nil {
		t.Fatalf("hostflags: %v\n%s", err, out)
	}
	want := "verdict=ok cases=150 parsedBefore=false parsedAfter=false testFlags=false rapidChecks=100 visited=0 x=5"
	if strings.TrimSpace(string(out)) != want {
		t.Fatalf("hostflags:\n have %s\n want %s", strings.TrimSpace(string(out)), want)
	}
}

// TestFreeModeOverlaps: free-running cases really run Ms concurrently:
// some ops overlap another op's interval, and the campaign counts them
// per mode.
func TestFreeModeOverlaps(t *testing.T) {
	c, err := NewCampaign(CampaignOptions{Cases: 300, Seed: 5, Modes: []string{"free"}, Ms: 4})
	if err != nil {
		t.Fatal(err)
	}
	r := c.Run(context.Background())
	if r.Verdict == Illegal {
		t.Fatalf("free campaign: %s", r.Summary())
	}
	free := r.Modes["free"]
	if free == nil || len(r.Modes) != 1 || free.Cases != r.Cases || free.Ops != r.Ops {
		t.Fatalf("modes: %+v (cases %d, ops %d)", r.Modes, r.Cases, r.Ops)
	}
	if free.Overlapping == 0 || free.Overlap() <= 0 || free.Overlap() > 1 {
		t.Fatalf("no op of %d overlapped another in %d free-running cases", free.Ops, free.Cases)
	}
	t.Logf("free: %.1f%% of %d ops overlapped, %d CAS retries, %d runnext races lost", 100*free.Overlap(), free.Ops, free.CasRetries, free.RunnextLost)
}

// TestFreeCounterexampleReplays: a fault found in a free-running case is
// handed to the user as a deterministic counterexample when the same
// workload fails deterministically, so its bundle replays step for step.
func TestFreeCounterexampleReplays(t *testing.T) {
	if raceEnabled {
		// The planted steal-no-cas lets two Ms run one G: a real data
		// race in the faulty run, which the detector reports.
		t.Skip("runs a faulty free-running implementation; make test runs it without -race")
	}
	// Whether the seeded scheduler hits the one interleaving a lost CAS
	// needs is itself a matter of chance: the search covers 1024 seeds per
	// mode and misses in about one shrunk workload of a hundred. So up to
	// three free campaigns run; one deterministic reproduction is required.
	var r *CampaignResult
	var f *Failure
	for seed := uint64(3); seed < 6; seed++ {
		out := t.TempDir()
		c, err := NewCampaign(CampaignOptions{Cases: 3000, Seed: seed, Modes: []string{"free"}, Ms: 3, Faults: []string{"steal-no-cas"}, Shrink: 20 * time.Second, Out: out})
		if err != nil {
			t.Fatal(err)
		}
		r = c.Run(context.Background())
		if r.Failure == nil {
			t.Fatalf("steal-no-cas not caught in free mode: %s", r.Summary())
		}
		f = r.Failure
		if f.Shrunk.Case.Mode != "free" {
			t.Fatalf("rapid's case is %s, want free", f.Shrunk.Case.Mode)
		}
		if f.Outcome.Case.Mode != "free" {
			break
		}
		t.Logf("campaign seed %d: no deterministic reproduction of the free-running counterexample:\n%s", seed, TextReport(f.Shrunk))
	}
	if f.Outcome.Case.Mode == "free" {
		t.Fatalf("three free-running counterexamples, none reproduced deterministically")
	}
	if f.Outcome.Verdict != Illegal || !f.Attributable {
		t.Fatalf("minimized: %v %s %s, control %s", f.Outcome.Verdict, f.Outcome.Kind, f.Outcome.Name, f.ControlText())
	}
	rp, err := ReplayPath(context.Background(), r.Bundle, 10*time.Second)
	if err != nil || !rp.Reproduced || !rp.Deterministic {
		t.Fatalf("replay of %s: %v, reproduced %v, deterministic %v", r.Bundle, err, rp != nil && rp.Reproduced, rp != nil && rp.Deterministic)
	}
}

// A run cut short (timed out, or at impl's MaxOps in a livelock) is judged
// on the prefix it recorded: an illegal prefix is a violation, a legal one
// unknown, never a pass.
func TestCutShortRunJudgedOnItsPrefix(t *testing.T) {
	// G1 exits while main yields; the second go reuses its G struct.
	w := impl.Workload{Main: impl.Prog(impl.Go(nil), impl.Yield(), impl.Yield(), impl.Go(nil), impl.Exit())}
	for _, tc := range []struct {
		faults []string
		want   Verdict
	}{{nil, Unknown}, {[]string{"goid-reuse"}, Illegal}} {
		c := Case{Preset: "small", Ps: 1, Ms: 1, Mode: "deterministic", Workload: w, Text: w.String(), Faults: tc.faults}
		o, err := RunCase(context.Background(), c, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		res := *o.Run
		res.TimedOut = true
		o, err = Judge(context.Background(), c, &res, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if o.Verdict != tc.want || (tc.want == Illegal && o.Kind != "linearizability") || (tc.want == Unknown && o.Kind != "timeout") {
			t.Fatalf("faults %v: %v %s %s", tc.faults, o.Verdict, o.Kind, o.Detail)
		}
	}
}

// TestFreeBundleReplayJudgesItsHistory: a free-running bundle whose case,
// run again, takes another interleaving is replayed from its recorded run
// (history.json), so its violation is reproduced, never replayed as a
// pass; without a history.json the replay says so (HistoryErr). The
// planted bundle: a goid-reuse violation recorded as a free-running case
// without its fault, so that its re-run passes.
func TestFreeBundleReplayJudgesItsHistory(t *testing.T) {
	w := impl.Workload{Main: impl.Prog(impl.Go(nil), impl.Yield(), impl.Yield(), impl.Go(nil), impl.Exit())}
	c := Case{Preset: "small", Ps: 1, Ms: 1, Mode: "deterministic", Workload: w, Text: w.String(), Faults: []string{"goid-reuse"}}
	o, err := RunCase(context.Background(), c, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if o.Verdict != Illegal {
		t.Fatalf("planted run: %v %s %s", o.Verdict, o.Kind, o.Detail)
	}
	o.Case.Mode, o.Case.Faults = "free", nil
	path, rp := writeAndReplay(t, o)
	if rp.ReRun == nil || rp.ReRun.Verdict == Illegal || rp.HistoryErr != nil {
		t.Fatalf("the re-run without the fault: %+v", rp)
	}
	if rp.Source != "bundle history" || !rp.Reproduced || !rp.Deterministic || rp.Outcome.Verdict != Illegal || rp.Outcome.Kind != o.Kind {
		t.Fatalf("replay of the recorded run: source %q reproduced %v deterministic %v verdict %v %s, want illegal %s",
			rp.Source, rp.Reproduced, rp.Deterministic, rp.Outcome.Verdict, rp.Outcome.Kind, o.Kind)
	}
	if err := os.Remove(filepath.Join(path, HistoryFile)); err != nil {
		t.Fatal(err)
	}
	rp, err = ReplayPath(context.Background(), path, 10*time.Second)
	if err != nil || rp.HistoryErr == nil || rp.ReRun != nil || rp.Reproduced {
		t.Fatalf("without history.json: err %v, %+v", err, rp)
	}
	// Control: a recorded pass re-run in free mode reproduces, and its
	// history is not consulted.
	o.Verdict, o.Kind, o.Name = Ok, "", ""
	okPath, err := WriteBundle(t.TempDir(), BundleInfo{Outcome: o})
	if err != nil {
		t.Fatal(err)
	}
	rp, err = ReplayPath(context.Background(), okPath, 10*time.Second)
	if err != nil || rp.Source != "bundle" || !rp.Reproduced || rp.ReRun != nil {
		t.Fatalf("control: err %v, %+v", err, rp)
	}
}

// A campaign's cases do not depend on its workers: with a case bound and
// the reproducible modes, one worker and four run the same cases (the
// same ops and branch counts), and both pass.
func TestCampaignWorkersRunTheSameCases(t *testing.T) {
	var runs []*CampaignResult
	for _, w := range []int{1, 4} {
		c, err := NewCampaign(CampaignOptions{Cases: 600, Seed: 5, Modes: []string{"deterministic", "atomic", "systematic"}, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		r := c.Run(context.Background())
		if r.Verdict != Ok || r.Cases != 600 {
			t.Fatalf("workers %d: %s", w, r.Summary())
		}
		runs = append(runs, r)
	}
	a, b := runs[0], runs[1]
	if a.Ops != b.Ops || a.Quiescent != b.Quiescent || a.Batches != b.Batches {
		t.Fatalf("1 worker: %d ops, %d quiescent, %d batches; 4 workers: %d, %d, %d", a.Ops, a.Quiescent, a.Batches, b.Ops, b.Quiescent, b.Batches)
	}
	if a.ThrowChecked != b.ThrowChecked || !maps.Equal(a.ThrowSkipped, b.ThrowSkipped) {
		t.Fatalf("the states at a throw: 1 worker checked %d, skipped %v; 4 workers %d, %v", a.ThrowChecked, a.ThrowSkipped, b.ThrowChecked, b.ThrowSkipped)
	}
	ca, cb := a.Coverage.Counts(), b.Coverage.Counts()
	if len(ca) != len(cb) {
		t.Fatalf("1 worker reached %d branches, 4 workers %d", len(ca), len(cb))
	}
	for k, n := range ca {
		if cb[k] != n {
			t.Fatalf("branch %s: %d with 1 worker, %d with 4", k, n, cb[k])
		}
	}
}

// With several workers a campaign reports the failing case of the lowest
// batch and index, found again by rapid's run of that batch: the
// counterexample one worker finds (the same batch and case), whatever the
// other workers ran meanwhile. (Shrinking is off: it is bounded by time,
// and so is not the same from run to run under -race.)
func TestCampaignWorkersFindTheFirstFailure(t *testing.T) {
	var fs []*Failure
	for _, w := range []int{1, 4} {
		c, err := NewCampaign(CampaignOptions{Cases: 5000, Seed: 3, Modes: []string{"deterministic"}, Faults: []string{"spill-lose-g"}, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		r := c.Run(context.Background())
		if r.Verdict != Illegal || r.Failure == nil {
			t.Fatalf("workers %d: the fault was not found: %s", w, r.Summary())
		}
		if r.Failure.Log == "" || strings.HasPrefix(r.Failure.Log, "(the case did not fail again") {
			t.Fatalf("workers %d: rapid's run of the batch did not fail: %q", w, r.Failure.Log)
		}
		fs = append(fs, r.Failure)
	}
	if fs[0].Batch != fs[1].Batch || fs[0].Shrunk.Case.Text != fs[1].Shrunk.Case.Text {
		t.Fatalf("1 worker: batch %d, case %s; 4 workers: batch %d, case %s", fs[0].Batch, fs[0].Shrunk.Case.Text, fs[1].Batch, fs[1].Shrunk.Case.Text)
	}
}

// With a case bound every case can be produced (queued) before the
// signal; the cases it leaves unrun make the campaign interrupted too.
func TestCampaignInterruptedAfterTheLastCaseQueued(t *testing.T) {
	c, err := NewCampaign(CampaignOptions{Seed: 1, Cases: 100, Ps: 1, Ms: 1, Modes: []string{"systematic"}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for c.Stats().Cases < 60 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	r := c.Run(ctx)
	if r.Cases >= 100 {
		t.Skipf("every case ran before the signal (%d): nothing to test", r.Cases)
	}
	if !r.Interrupted || r.Verdict != Unknown {
		t.Fatalf("cancelled after %d of 100 cases: interrupted %v, %s", r.Cases, r.Interrupted, r.Summary())
	}
	// The control: the same campaign run to its bound is not.
	c, _ = NewCampaign(CampaignOptions{Seed: 1, Cases: 100, Ps: 1, Ms: 1, Modes: []string{"systematic"}, Workers: 1})
	if r := c.Run(context.Background()); r.Interrupted || r.Cases != 100 {
		t.Fatalf("uncancelled: interrupted %v, %s", r.Interrupted, r.Summary())
	}
}

// A signal (ctx ending) before the campaign's bound is an interruption:
// the verdict is unknown, never ok. One after the campaign met a failure
// (while its last cases run, or the shrinking) is not: the campaign
// stopped at its failure, which is still reported, shrunk as far as it
// got, and written.
func TestCampaignInterrupted(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	c, err := NewCampaign(CampaignOptions{Duration: time.Minute, Seed: 5, Modes: []string{"deterministic", "atomic"}})
	if err != nil {
		t.Fatal(err)
	}
	r := c.Run(ctx)
	if !r.Interrupted || r.Verdict != Unknown || r.Cases == 0 || r.Failure != nil {
		t.Fatalf("interrupted campaign: interrupted %v, %s", r.Interrupted, r.Summary())
	}
	out := t.TempDir()
	c, err = NewCampaign(CampaignOptions{Cases: 5000, Seed: 2, Faults: []string{"spill-lose-g"}, Shrink: time.Minute, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	judgeHook = func() {
		// Any judgement once the failure is counted: the cases still
		// running beside it, or rapid's shrinking.
		if c.Stats().Illegal > 0 {
			cancel2()
		}
	}
	defer func() { judgeHook = nil }()
	r = c.Run(ctx2)
	if r.Interrupted || r.Verdict != Illegal || r.Failure == nil || r.Bundle == "" || ctx2.Err() == nil {
		t.Fatalf("a signal while shrinking: interrupted %v, bundle %q, %s", r.Interrupted, r.Bundle, r.Summary())
	}
	// The shrinking it cut says so (it did not, and -json said
	// interrupted: false).
	if !r.Failure.ShrinkInterrupted || !slices.ContainsFunc(c.BundleInfo(r.Failure).Notes, func(n string) bool { return strings.Contains(n, "cut short by a signal") }) {
		t.Fatalf("a signal while shrinking: shrinkInterrupted %v, notes %q", r.Failure.ShrinkInterrupted, c.BundleInfo(r.Failure).Notes)
	}
}

// The -shrink budget bounds the runs of the shrinking, not only rapid's
// choice of the next candidate (which it makes between runs): a budget
// already spent when the failure is found leaves it unshrunk, reported as
// found, and says why. A systematic case is a search of many schedules,
// and its shrinking ran for minutes past a budget of 15 s.
func TestCampaignShrinkBudgetBoundsTheRuns(t *testing.T) {
	for _, tc := range []struct {
		shrink time.Duration
		spent  bool
	}{{time.Nanosecond, true}, {time.Minute, false}} {
		c, err := NewCampaign(CampaignOptions{Cases: 5000, Seed: 3, Modes: []string{"deterministic"}, Faults: []string{"spill-lose-g"}, Workers: 1, Shrink: tc.shrink})
		if err != nil {
			t.Fatal(err)
		}
		r := c.Run(context.Background())
		if r.Verdict != Illegal || r.Failure == nil {
			t.Fatalf("-shrink %v: the fault was not found: %s", tc.shrink, r.Summary())
		}
		f := r.Failure
		ranOut := strings.Contains(f.Log, "-shrink budget ran out")
		if ranOut != tc.spent || (tc.spent && (f.Shrunk != f.Outcome || f.Minimized())) {
			t.Fatalf("-shrink %v: log %q, minimized %v", tc.shrink, f.Log, f.Minimized())
		}
		if !f.Attributable || f.Control == nil || f.Control.Verdict != Ok || f.ShrinkInterrupted {
			t.Fatalf("-shrink %v: the control run: %+v, shrink interrupted %v", tc.shrink, f.Control, f.ShrinkInterrupted)
		}
	}
}
