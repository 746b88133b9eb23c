package checker

import (
	"context"
	"testing"
	"time"

	"github.com/gexit-dev/gexit/impl"
	"pgregory.net/rapid"
)

// interleavingFaults pairs every fault that shows only when two Ms
// interleave inside ops with a small workload whose schedules expose it.
func interleavingFaults() []struct {
	fault string
	ps    int
	w     impl.Workload
} {
	leaf := impl.Prog()
	spawn2y := impl.Workload{Main: impl.Prog(impl.Go(leaf), impl.Go(leaf), impl.Yield(), impl.Exit())}
	exits := impl.SpawnExit(12, 6, 0)
	late := impl.Workload{Main: impl.Prog(impl.Go(impl.Prog(impl.Yield(), impl.Yield())), impl.Sys(), impl.Lock(), impl.Yield()), Retakes: 2}
	return []struct {
		fault string
		ps    int
		w     impl.Workload
	}{
		{"steal-no-cas", 2, spawn2y},
		{"runqget-no-cas", 2, spawn2y},
		{"runnext-stolen-left-set", 2, spawn2y},
		{"spill-no-lock", 2, exits},
		{"runqputslow-no-lock", 2, exits},
		{"lockedm-read-late", 1, late},
	}
}

// TestSystematicFindsFewestPreemptions: the search finds every
// interleaving-only fault within two preemptions, its counterexample
// replays (the schedule is the case's Choices), and no schedule with fewer
// preemptions fails: a complete search one preemption short passes.
func TestSystematicFindsFewestPreemptions(t *testing.T) {
	for _, tc := range interleavingFaults() {
		t.Run(tc.fault, func(t *testing.T) {
			if raceEnabled && tc.fault != "runqget-no-cas" {
				t.Skip("one fault under -race; make test runs the rest without it")
			}
			c := Case{Preset: "small", Ps: tc.ps, Ms: 2, Mode: "systematic", Workload: tc.w, Text: tc.w.String(), Faults: []string{tc.fault}}
			out, st := Systematic(context.Background(), c, time.Second, SystematicOptions{Bound: 2, Schedules: 5000})
			if out.Verdict != Illegal || st.Found < 0 {
				t.Fatalf("not found within 2 preemptions: %v, %+v", out.Verdict, st)
			}
			t.Logf("found with %d preemptions after %d schedules: %s %s", st.Found, st.Schedules, out.Kind, out.Name)
			// The counterexample replays: its schedule is the root.
			again, err := RunCase(context.Background(), out.Case, time.Second)
			if err != nil || again.Verdict != Illegal || again.Search.Schedules != 1 {
				t.Fatalf("replay of schedule %v: %v %v %+v", out.Case.Choices, err, again.Verdict, again.Search)
			}
			if st.Found == 0 {
				return
			}
			short, sst := Systematic(context.Background(), c, time.Second, SystematicOptions{Bound: st.Found - 1, Schedules: 20000})
			if short.Verdict != Ok || !sst.Complete {
				t.Fatalf("with %d preemptions: %v (%s %s), complete %v", st.Found-1, short.Verdict, short.Kind, short.Name, sst.Complete)
			}
		})
	}
}

// TestSystematicClean: without a fault, the complete search of a small
// case passes every schedule, and it enumerates more schedules as the
// bound grows.
func TestSystematicClean(t *testing.T) {
	leaf := impl.Prog()
	w := impl.Workload{Main: impl.Prog(impl.Go(leaf), impl.Go(leaf), impl.Yield(), impl.Exit())}
	c := Case{Preset: "small", Ps: 1, Ms: 2, Mode: "systematic", Workload: w, Text: w.String()}
	prev := 0
	for bound := 0; bound <= 2; bound++ {
		out, st := Systematic(context.Background(), c, time.Second, SystematicOptions{Bound: bound, Schedules: 5000})
		if out.Verdict != Ok || !st.Complete || st.Found != -1 || st.Preemptions != bound {
			t.Fatalf("bound %d: %v %s %s %+v", bound, out.Verdict, out.Kind, out.Name, st)
		}
		if st.Schedules <= prev {
			t.Fatalf("bound %d: %d schedules, not more than %d", bound, st.Schedules, prev)
		}
		prev = st.Schedules
	}
	// A budget too small for the bound leaves the search incomplete.
	if _, st := Systematic(context.Background(), c, time.Second, SystematicOptions{Bound: 2, Schedules: 5}); st.Complete || st.Schedules != 5 {
		t.Fatalf("5-schedule budget: %+v", st)
	}
}

// A schedule whose verdict is unknown (its run cut short: a time budget,
// impl's op limit) leaves the search incomplete and its verdict unknown,
// never ok, even when every other schedule passes: its children never
// ran. The search used to go on and return the last schedule's ok as a
// complete search.
func TestSystematicUnknownScheduleIsNotOk(t *testing.T) {
	leaf := impl.Prog()
	w := impl.Workload{Main: impl.Prog(impl.Go(leaf), impl.Go(leaf), impl.Yield(), impl.Exit())}
	c := Case{Preset: "small", Ps: 1, Ms: 2, Mode: "systematic", Workload: w, Text: w.String()}
	defer func() { runSchedule = runSafeOne }()
	runs := 0
	runSchedule = func(ctx context.Context, cs Case, budget time.Duration) *Outcome {
		out := runSafeOne(ctx, cs, budget)
		if runs++; runs == 2 && out.Verdict == Ok {
			// The second schedule runs out of its budget.
			out.Verdict, out.Kind, out.Detail = Unknown, "timeout", "planted: cut short"
		}
		return out
	}
	out, st := Systematic(context.Background(), c, time.Second, SystematicOptions{Bound: 2, Schedules: 5000})
	if runs < 3 {
		t.Fatalf("the search ran %d schedules: the planted unknown is not in its middle", runs)
	}
	if out.Verdict != Unknown || st.Complete || st.Found != -1 {
		t.Fatalf("a schedule cut short: verdict %v, %+v; want unknown, incomplete", out.Verdict, st)
	}
	// The control: the same search, no schedule cut short.
	runSchedule = runSafeOne
	if out, st := Systematic(context.Background(), c, time.Second, SystematicOptions{Bound: 2, Schedules: 5000}); out.Verdict != Ok || !st.Complete {
		t.Fatalf("control: %v %+v", out.Verdict, st)
	}
}

// TestSystematicCampaignFindsInterleavingFaults: a campaign narrowed to
// systematic mode finds every interleaving-only fault within 64 cases
// (about half of them contention kernels, drawKernel), with a
// counterexample found by a search within two preemptions and
// attributable to the fault. Systematic cases are deterministic, so the
// case counts do not depend on the machine; the budgets only guard
// against a hang.
func TestSystematicCampaignFindsInterleavingFaults(t *testing.T) {
	if raceEnabled {
		t.Skip("minutes under -race; make test runs it without")
	}
	for _, tc := range interleavingFaults() {
		t.Run(tc.fault, func(t *testing.T) {
			c, err := NewCampaign(CampaignOptions{Cases: 64, Seed: 1, Modes: []string{"systematic"}, Faults: []string{tc.fault}, Shrink: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			r := c.Run(context.Background())
			f := r.Failure
			if f == nil {
				t.Fatalf("not found in %d systematic cases: %s", r.Cases, r.Summary())
			}
			if !f.Attributable {
				t.Fatalf("not attributable: %s", f.ControlText())
			}
			s := f.Shrunk.Search
			if f.Shrunk.Case.Mode != "systematic" || s == nil || s.Found < 0 || s.Found > 2 {
				t.Fatalf("shrunk case: mode %s, search %+v", f.Shrunk.Case.Mode, s)
			}
			t.Logf("after %d cases: %s %s, %d preemptions (%s)", f.Cases, f.Outcome.Kind, f.Outcome.Name, s.Found, f.Shrunk.Case.Text)
		})
	}
}

// TestSystematicDrawsWithinBounds: systematic cases, kernels included,
// stay within the campaign's Ms bound (a kernel wants two Ms, but -ms 1
// gets one, and wasm one M and one P) and half of them are kernels.
func TestSystematicDrawsWithinBounds(t *testing.T) {
	for _, maxMs := range []int{1, 2, 4} {
		kernels := 0
		rapid.Check(t, func(rt *rapid.T) {
			c := DrawCase(rt, DrawOptions{Modes: []string{"systematic"}, MaxMs: maxMs})
			if c.Ms < 1 || c.Ms > maxMs || c.Ps < 1 || c.Ps > 3 || c.Schedules == 0 {
				rt.Fatalf("MaxMs %d: drew %d Ms, %d Ps, %d schedules", maxMs, c.Ms, c.Ps, c.Schedules)
			}
			if c.Schedules > 128 {
				kernels++
				want := min(maxMs, 2)
				if c.Wasm {
					want = 1 // wasm's one thread
				}
				if c.Ms != want || c.Wasm && c.Ps != 1 {
					rt.Fatalf("MaxMs %d: a kernel on %d Ms, %d Ps (wasm %v)", maxMs, c.Ms, c.Ps, c.Wasm)
				}
			}
		})
		if kernels == 0 {
			t.Errorf("MaxMs %d: no kernel drawn", maxMs)
		}
	}
}

// A search stopped from outside (its context ended) with schedules left
// is unknown, never the last schedule's pass; a campaign stopped by its
// duration neither runs the systematic cases it had queued nor counts
// one its stop cut short.
func TestSystematicStoppedIsNotOk(t *testing.T) {
	leaf := impl.Prog()
	w := impl.Workload{Main: impl.Prog(impl.Go(leaf), impl.Go(leaf), impl.Yield(), impl.Exit())}
	c := Case{Preset: "small", Ps: 1, Ms: 2, Mode: "systematic", Workload: w, Text: w.String()}
	defer func() { runSchedule = runSafeOne }()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runs := 0
	runSchedule = func(ctx context.Context, cs Case, budget time.Duration) *Outcome {
		if runs++; runs == 2 {
			cancel() // a signal, or the campaign's deadline
		}
		return runSafeOne(ctx, cs, budget)
	}
	out, st := Systematic(ctx, c, time.Second, SystematicOptions{Bound: 2, Schedules: 5000})
	if out.Verdict != Unknown || out.Name != Interrupted || st.Complete || st.Schedules != 2 {
		t.Fatalf("a search stopped after 2 schedules: verdict %v %q, %+v; want unknown, interrupted, incomplete", out.Verdict, out.Name, st)
	}
	runSchedule = runSafeOne

	// The campaign: every case systematic, a duration far shorter than
	// one case. At most the cases running at the deadline may finish;
	// the queued ones are dropped.
	camp, err := NewCampaign(CampaignOptions{Duration: time.Millisecond, Seed: 3, Modes: []string{"systematic"}, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	r := camp.Run(context.Background())
	if r.Cases > 2 || r.Verdict == Ok {
		t.Fatalf("a 1ms systematic campaign: %s", r.Summary())
	}
}
