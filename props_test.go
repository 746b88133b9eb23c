package gexit_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gexit-dev/gexit/checker"
	"github.com/gexit-dev/gexit/impl"
	"pgregory.net/rapid"
)

// coverage collects what the properties of one test exercised.
var coverage *checker.Coverage

func checkCase(t *rapid.T, c checker.Case) {
	o, err := checker.RunCase(context.Background(), c, 5*time.Second)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if coverage != nil {
		coverage.Merge(o.Coverage)
	}
	switch o.Verdict {
	case checker.Illegal:
		t.Fatalf("%s", checker.TextReport(o))
	case checker.Unknown:
		t.Fatalf("unknown verdict (never a pass): %s", o.Detail)
	}
}

// TestSequentialDifferential: one M, every op atomic; after every op the
// abstraction of the implementation equals the spec state.
func TestSequentialDifferential(t *testing.T) {
	defer reportCoverage(t)()
	rapid.Check(t, func(t *rapid.T) {
		checkCase(t, checker.DrawCase(t, checker.DrawOptions{Modes: []string{"atomic"}, MaxMs: 1}))
	})
}

// TestLinearizable: 2-4 Ms with schedules drawn by rapid, half in the
// deterministic mode (scheduling points inside ops) and half in the
// atomic one (between ops only); every history is linearizable with
// respect to the spec and ends in a state the spec reaches.
func TestLinearizable(t *testing.T) {
	defer reportCoverage(t)()
	rapid.Check(t, linearizable)
	// The branches the harness exists for must be exercised. rapid's 100
	// cases usually reach them all; when a rare one was missed, more
	// cases (still checked) are drawn until it is, up to a bound.
	for round := uint64(1); round <= 10 && len(missing(coverage.Counts())) > 0; round++ {
		if failed, log := checker.RapidRun(t.Name()+"/more", 200, round, 30*time.Second, linearizable); failed {
			t.Fatalf("a supplementary case failed:\n%s", log)
		}
	}
	if m := missing(coverage.Counts()); len(m) > 0 {
		t.Errorf("the property never exercised %v", m)
	}
}

func linearizable(t *rapid.T) {
	checkCase(t, checker.DrawCase(t, checker.DrawOptions{Modes: []string{"deterministic", "atomic"}, MinMs: 2, MaxMs: 4}))
}

// missing lists the branches the linearizability property must reach that
// counts lacks.
func missing(counts map[string]int) []string {
	var out []string
	for _, must := range []string{"exit/spill", "newproc1/refill", "schedule/steal", "schedule/stealnext",
		"schedule/tick", "schedule/global", "runqput/runqputslow", "exit/locked:mexit", "checkdead/goexit"} {
		if counts[must] == 0 {
			out = append(out, must)
		}
	}
	return out
}

// TestInvariantsOnQuiescentStates: every spec invariant holds on the
// abstraction of the implementation's final quiescent state, free-running
// (real parallelism) included. Free-running cases cannot shrink.
func TestInvariantsOnQuiescentStates(t *testing.T) {
	defer reportCoverage(t)()
	rapid.Check(t, func(t *rapid.T) {
		c := checker.DrawCase(t, checker.DrawOptions{Modes: []string{"free", "deterministic"}, MinMs: 1, MaxMs: 4})
		checkCase(t, c)
	})
}

// TestMutants is the mutation table: the null mutant (no fault) must never
// be caught; every fault of impl, switched on, must make the property fail
// within the budget, its shrunk counterexample must be small, and the
// control (the counterexample with the fault off) must pass.
func TestMutants(t *testing.T) {
	if testing.Short() {
		t.Skip("the mutation table takes a while")
	}
	if raceEnabled {
		t.Skip("time budgets do not hold under -race; make test runs this table without it")
	}
	// The search for each fault is bounded by its cases (50,000), so that
	// whether a fault is caught does not depend on how loaded the machine
	// is. spill-no-lock and lockedm-read-late, which need two Ms
	// interleaved inside an op, are caught at their 4,770th and 626th
	// case (the seed is fixed); at other seeds lockedm-read-late took
	// from 718 to 36,519 cases (six seeds), within the bound; spill-no-lock
	// once missed the 10 s budget this test had. The
	// time budget (120 s) is only a safety net; detection times are logged
	// (and in the README), not asserted. Shrinking keeps its 10 s, and the
	// null mutant its 10 s of cases (at least 1,000, below).
	last := time.Now()
	took := map[string]time.Duration{} // each row's wall time: search, shrink and control
	rows := checker.Mutants(checker.MutantOptions{Budget: 120 * time.Second, Checks: 50000, Shrink: 10 * time.Second, NullBudget: 10 * time.Second,
		Progress: func(r checker.MutantResult) { took[r.Fault] = time.Since(last); last = time.Now() }})
	if len(rows) < 16 {
		t.Fatalf("only %d rows", len(rows))
	}
	if !rows[0].Null || rows[0].Fault != checker.NullMutant {
		t.Fatalf("the first row is %q, want the null mutant", rows[0].Fault)
	}
	for _, r := range rows {
		t.Logf("%-26s caught=%v %.2fs (row %.1fs) cases=%d steps=%d switches=%d control=%s by %s %s", r.Fault, r.Caught, r.Seconds, took[r.Fault].Seconds(), r.Cases, r.Steps, r.Switches, r.Control, r.Kind, r.Name)
		if r.Null {
			if r.Caught {
				t.Errorf("the null mutant (no fault) was caught after %d cases: a false positive: %s: %s\n%s", r.Cases, r.Kind, r.Name, checker.TextReport(r.Outcome))
			} else if r.Cases < 1000 {
				t.Errorf("the null mutant ran only %d cases", r.Cases)
			}
			continue
		}
		if !r.Caught {
			t.Errorf("fault %s was not caught within the budget", r.Fault)
			continue
		}
		if r.Control != checker.Ok.String() {
			t.Errorf("fault %s: the counterexample with the fault off is %s, want ok", r.Fault, r.Control)
		}
		if bound := mutantStepBound(r.Fault); r.Steps > bound {
			t.Errorf("fault %s: shrunk counterexample has %d steps (> %d)", r.Fault, r.Steps, bound)
		}
	}
}

// mutantStepBound is how many program steps a fault's shrunk
// counterexample may have: 12, except for a fault whose smallest
// counterexample is large by construction. runqputslow-no-lock needs
// runqputslow (six spawns on one P: runnext and the 4-slot ring full,
// and one more) and another M whose put on or take from the global queue
// lands between runqputslow's CAS and its push: at least 7 steps, and a
// race that small programs rarely line up, so rapid's time-bounded
// shrinking ends at 8 to 14 (measured over 12 seeds). spill-no-lock is
// the same kind: gfput's spill needs a P's free list at its cap (four
// exits on one P with preset small) and another M's refill or spill of
// sched.gFree inside the unlocked window; a make test run caught it in
// free mode after 2.8 s with 14 steps (62 context switches), which
// time-bounded shrinking did not bring under 12. Once becomeSpinning's
// needspinning store became a step of its own, the free-mode case
// TestMutants finds for runqputslow-no-lock (case 664 of its fixed seed)
// shrank to 18 steps in two of three runs (58 context switches; one more
// Minimize pass of 10 s found nothing smaller) and under 16 in the
// third: its bound is 20. startm-wakeup-lost shows only in free mode and
// only when every actor is asleep at once (the harness's rescue), which a
// rerun of the same case meets by chance: rapid keeps a smaller case only
// if it fails again, and the first two runs shrank to 115 and 166 steps.
// Its bound, 200, says the counterexample is found and attributable, not
// that it is small. exitsyscall-never-oldp needs exitsyscall's oldp path:
// main's syscall loses its P to sysmon's retake, another M runs a G on it
// that enters a syscall of its own, and main leaves its syscall with no
// op overlapping (2 deterministic seeds of 3,000 reach it for a fixed
// program); the table's first run caught it at case 36,594 and shrank it
// to 13 steps: its bound is 20.
func mutantStepBound(fault string) int {
	switch fault {
	case "startm-wakeup-lost":
		return 200
	case "exitsyscall-never-oldp":
		return 20
	case "runqputslow-no-lock":
		return 20
	case "spill-no-lock":
		return 16
	}
	return 12
}

// reportCoverage starts collecting coverage and returns the function that
// logs it: how often each spec transition and branch was exercised, and
// which never were, so a property that never reaches a branch is visible
// (go test -v).
func reportCoverage(t *testing.T) func() {
	coverage = checker.NewCoverage()
	return func() {
		counts := coverage.Counts()
		coverage = nil
		keys := make([]string, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&b, "  %-32s %d\n", k, counts[k])
		}
		t.Logf("spec transitions and branches exercised:\n%s", b.String())
		never := checker.NeverReached(counts)
		t.Logf("never exercised: %v", never)
	}
}

// TestLinearizableFreeRunning: real parallelism, 2-4 Ms. A failure here
// cannot shrink or replay (thread timing decides the interleaving), so the
// history is saved and the test prints how to re-check it.
func TestLinearizableFreeRunning(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		c := checker.DrawCase(rt, checker.DrawOptions{Modes: []string{"free"}, MinMs: 2, MaxMs: 4})
		cfg, err := c.ImplConfig()
		if err != nil {
			rt.Fatal(err)
		}
		res, err := impl.Run(cfg, c.Workload)
		if err != nil {
			rt.Fatal(err)
		}
		o, err := checker.Judge(context.Background(), c, res, 5*time.Second)
		if err != nil {
			rt.Fatal(err)
		}
		if o.Verdict == checker.Ok {
			return
		}
		data, err := checker.MarshalHistory(checker.HistoryOf(o, res))
		if err != nil {
			rt.Fatal(err)
		}
		f, err := os.CreateTemp("", "gexit-free-history-*.json")
		if err != nil {
			rt.Fatal(err)
		}
		f.Write(data)
		f.Close()
		rt.Fatalf("%s\nthe history is saved; re-check it with:\n\tgo run ./cmd/gexit replay %s", checker.TextReport(o), f.Name())
	})
}
