package promela

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/gexit-dev/gexit/checker"
	"github.com/gexit-dev/gexit/spec"
)

// exploreOptions are `gexit explore`'s defaults (cmd/gexit explore.go:
// 2 Ps, 2 Ms, preset small, -without
// system,gc,assist,dirty,syscalls,locks,procresize,stacksize,goyield, -max-states
// 40M, -max-memory half of physical memory, stop at the first violation)
// at a bound of ps Ps, ms Ms and gs Gs, on one worker, without the
// fingerprint's optional reductions (Reduce 0: no M symmetry, no assist
// abstraction; gexit explore's -reduce is on by default): the model's
// canonical form is Fingerprint's, so the state counts compare one for
// one.
func exploreOptions(ps, ms, gs int) checker.ExploreOptions {
	c, err := spec.Preset("small")
	if err != nil {
		panic(err)
	}
	b := spec.DefaultBounds(gs)
	b.NoSystem, b.NoGC, b.NoAssist, b.NoDirty = true, true, true, true
	b.NoSyscalls, b.NoLocks, b.NoProcResize, b.NoGoyield = true, true, true, true
	b.StackSizes = nil
	return checker.ExploreOptions{
		Config:      spec.Config{Consts: c, Ps: ps, Ms: ms},
		Bounds:      b,
		MaxStates:   40_000_000,
		MaxMemory:   checker.PhysicalMemory() / 2,
		StopAtFirst: true,
		Workers:     1,
	}
}

// spinInitStates is what SPIN stores beyond the spec's states: its own
// initial state, before the model's first step sets rt0_go's.
const spinInitStates = 1

const samplePan = `(Spin Version 6.5.2 -- 6 December 2019)
Full statespace search for:
	assertion violations	+
	invalid end states	+

State-vector 104 byte, depth reached 273, errors: 0
     8605 states, stored
     8963 states, matched
    17568 transitions (= stored+matched)
        0 atomic steps

Stats on memory usage (in Megabytes):
    1.018	equivalent memory usage for states (stored*(State-vector + overhead))
  128.730	total actual memory usage

pan: elapsed time 0.04 seconds
pan: rate    215125 states/second
`

func TestParse(t *testing.T) {
	r, err := Parse(samplePan)
	if err != nil {
		t.Fatal(err)
	}
	if r.States != 8605 || r.Transitions != 17568 || r.Errors != 0 || r.StateVector != 104 || r.Depth != 273 ||
		r.Seconds != 0.04 || r.MemoryMB != 128.730 || r.Incomplete {
		t.Fatalf("parsed %+v", *r)
	}
	if _, err := Parse("pan: elapsed time 1 seconds\n"); err == nil {
		t.Fatal("a report with no counts parsed")
	}
	bad, err := Parse(samplePan[:len(samplePan)-60] + "\nerror: max search depth too small\n")
	if err != nil || !bad.Incomplete {
		t.Fatalf("a truncated search is not marked incomplete: %v %+v", err, bad)
	}
}

// TestPromelaModelVerifies compiles the model at small bounds (gcc -O0:
// the compile dominates), runs pan and checks it finds no error and
// stores exactly the states gexit's explorer finds at the same bound, plus
// SPIN's own initial state: the model's canonical renaming of the Gs is
// the spec's fingerprint, so a model that departs from the spec in a
// reachable step changes the count. At a bound whose space is too large
// to search here, both searches stop at a depth: pan compiled with
// -DREACH and -m depth+2 stores the states within depth steps of the
// initial state, as the explorer's breadth-first search with Depth does.
func TestPromelaModelVerifies(t *testing.T) {
	if err := Available(); err != nil {
		t.Skip(err.Error())
	}
	// 2 Ps, 2 Ms and 1 G: the wakeup protocol, stealing and handoffs;
	// 1 P, 1 M and 3 Gs (and 1 P, 2 Ms): runqput's kick, which needs two
	// Gs besides main, and findRunnable's runqputbatch of a global batch
	// on its own P; 2 Ps, 2 Ms and 2 Gs: the recheck's checkRunqsNoP
	// path and its runqputbatch onto the P it took, which need a second
	// P and two Gs; 2 Ps, 2 Ms and 5 Gs to depth 24 (739,427 states, 72
	// of runqsteal's tail stores): a steal of two needs a victim ring of
	// three, which a fourth G running on the P kicks the third onto, with
	// the fifth in runnext (the rings start empty and runqputbatch and the
	// tail store put one on them), so no bound of fewer Gs, the default
	// bound included, reaches it.
	for _, b := range []struct {
		ps, ms, gs, depth int
		long              bool // make test runs it without -race
	}{
		{2, 2, 1, 0, false}, {1, 1, 3, 0, false}, {1, 2, 3, 0, false}, {2, 2, 2, 0, true}, {2, 2, 5, 24, true},
	} {
		ps, ms, gs := b.ps, b.ms, b.gs
		if b.long && raceEnabled {
			// The explorer under the race detector takes minutes
			// here; pan does not need it.
			t.Logf("%dP%dM%dG: skipped under -race (make test runs it without)", ps, ms, gs)
			continue
		}
		eo := exploreOptions(ps, ms, gs)
		eo.Depth = b.depth
		want, err := checker.Explore(context.Background(), eo)
		if err != nil {
			t.Fatal(err)
		}
		if (!want.Complete && b.depth == 0) || len(want.Violations) != 0 {
			t.Fatalf("gexit explore at %dP%dM%dG: complete=%v, %d violations", ps, ms, gs, want.Complete, len(want.Violations))
		}
		if b.depth != 0 && want.Coverage["runqstealtail"] == 0 {
			t.Fatalf("%dP%dM%dG to depth %d: gexit explore reaches no runqstealtail", ps, ms, gs, b.depth)
		}
		if gs > 2 && want.Coverage["runqput/kick"] == 0 {
			t.Fatalf("%dP%dM%dG: gexit explore reaches no runqput kick", ps, ms, gs)
		}
		if gs > 1 && want.Coverage["runqputbatch"] == 0 {
			t.Fatalf("%dP%dM%dG: gexit explore reaches no runqputbatch", ps, ms, gs)
		}
		if ps > 1 && gs > 1 && want.Coverage["recheck/runqs"] == 0 {
			t.Fatalf("%dP%dM%dG: gexit explore reaches no recheck of checkRunqsNoP's work", ps, ms, gs)
		}
		o := Options{Ps: ps, Ms: ms, Gs: gs, Opt: "-O0"}
		if b.depth != 0 {
			o.Reach, o.MaxDepth = true, b.depth+2
		}
		r, err := Verify(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%dP%dM%dG (depth %d): spin: %d states, %d transitions, %.2fs (compile %.1fs); gexit: %d states", ps, ms, gs, b.depth, r.States, r.Transitions, r.Seconds, r.CompileSecs, want.States)
		if r.Errors != 0 || (r.Incomplete && b.depth == 0) || strings.Contains(r.Output, "out of memory") {
			t.Fatalf("pan: %d errors, incomplete=%v\n%s", r.Errors, r.Incomplete, r.Output)
		}
		if r.States < 1000 {
			t.Fatalf("pan stored %d states: the model is broken (gexit: %d)", r.States, want.States)
		}
		if r.States != int64(want.States)+spinInitStates {
			t.Fatalf("%dP%dM%dG: pan stored %d states, gexit explore %d (+%d for SPIN's initial state): the model departs from the spec", ps, ms, gs, r.States, want.States, spinInitStates)
		}
	}
}

// BenchmarkSpinVsExplore runs, in one benchmark run, gexit's explorer on
// one worker at the default bound (2 Ps, 2 Ms, 3 Gs, preset small, the
// core op families) and SPIN on gexit.pml at the same bound, without
// (-DNOREDUCE) and with its partial-order reduction, and reports the
// states and the distinct states per second of each and the ratio of the
// rates (SPIN's, without reduction, over gexit's). The compiles are not
// timed. Run with -benchtime=1x: an iteration takes minutes.
func BenchmarkSpinVsExplore(b *testing.B) {
	if err := Available(); err != nil {
		b.Skip(err.Error())
	}
	ctx := context.Background()
	dir := b.TempDir()
	por := b.TempDir()
	b.StopTimer()
	nored, err := Build(ctx, dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	red, err := Build(ctx, por, Options{Reduce: true})
	if err != nil {
		b.Fatal(err)
	}
	var g *checker.ExploreResult
	var s, sp *Result
	var gCPU float64
	for i := 0; i < b.N; i++ {
		b.StartTimer()
		cpu0 := selfCPU()
		if g, err = checker.Explore(ctx, exploreOptions(2, 2, 3)); err != nil {
			b.Fatal(err)
		}
		gCPU = (selfCPU() - cpu0).Seconds()
		if s, err = Run(ctx, nored, Options{}); err != nil {
			b.Fatal(err)
		}
		if sp, err = Run(ctx, red, Options{Reduce: true}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
	}
	if !g.Complete || len(g.Violations) != 0 {
		b.Fatalf("gexit explore: complete=%v, %d violations", g.Complete, len(g.Violations))
	}
	for _, r := range []*Result{s, sp} {
		if r.Errors != 0 || r.Incomplete {
			b.Fatalf("pan: %d errors, incomplete=%v\n%s", r.Errors, r.Incomplete, r.Output)
		}
	}
	if s.States != int64(g.States)+spinInitStates {
		b.Errorf("SPIN stored %d states, gexit %d: the model departs from the spec", s.States, g.States)
	}
	gRate := float64(g.States) / g.Seconds
	b.ReportMetric(gRate, "gexit-states/s")
	b.ReportMetric(float64(g.States), "gexit-states")
	b.ReportMetric(s.StatesPerSec, "spin-states/s")
	b.ReportMetric(float64(s.States), "spin-states")
	b.ReportMetric(sp.StatesPerSec, "spin-por-states/s")
	b.ReportMetric(float64(sp.States), "spin-por-states")
	b.ReportMetric(s.StatesPerSec/gRate, "spin/gexit")
	if gCPU > 0 && s.CPUSeconds > 0 {
		// Per CPU second: on a busy machine the wall-clock rates depend
		// on what else runs; the CPU time each search used does less.
		b.ReportMetric(float64(g.States)/gCPU, "gexit-states/cpu-s")
		b.ReportMetric(float64(s.States)/s.CPUSeconds, "spin-states/cpu-s")
		b.ReportMetric((float64(s.States)/s.CPUSeconds)/(float64(g.States)/gCPU), "spin/gexit-cpu")
	}
	b.Logf("gexit: %d states, %d transitions, %.2fs (CPU %.2fs), %.0f states/s, peak resident %.1f MiB",
		g.States, g.Transitions, g.Seconds, gCPU, gRate, float64(g.PeakBytes)/(1<<20))
	b.Logf("spin -DNOREDUCE: %d states, %d transitions, %.2fs (wall %.2fs, CPU %.2fs), %.0f states/s, %.1f MB, state vector %d B, depth %d",
		s.States, s.Transitions, s.Seconds, s.Wall, s.CPUSeconds, s.StatesPerSec, s.MemoryMB, s.StateVector, s.Depth)
	b.Logf("spin with POR: %d states, %d transitions, %.2fs (wall %.2fs, CPU %.2fs), %.0f states/s, %.1f MB",
		sp.States, sp.Transitions, sp.Seconds, sp.Wall, sp.CPUSeconds, sp.StatesPerSec, sp.MemoryMB)
}

// TestPromelaModelCatchesFaults plants faults in the model, one at a time,
// and checks pan reports each at a bound that reaches the broken step:
// gfput losing the G it should push on the P's free list (conservation of
// Gs), stopspinning not decrementing nmspinning (NMSpinningCounts),
// runqput's kick, runqputbatch and runqsteal's tail store losing Gs, and
// newm's M taking the P a recheck holds. (gfput's spill and gfget's refill
// are out of reach below 4 Gs, for gexit's explorer as well.)
func TestPromelaModelCatchesFaults(t *testing.T) {
	if err := Available(); err != nil {
		t.Skip(err.Error())
	}
	for _, f := range []struct {
		name, from, to string
		ps, ms, gs     int // the bound (0: 2 Ps, 2 Ms, 1 G)
		depth          int // the search's depth (0: the whole space)
	}{
		{name: "gfput loses the G", from: "p[P].gfree[p[P].gfreelen] = G;\n\tp[P].gfreelen++;", to: "skip;"},
		{name: "stopspinning keeps nmspinning", from: "ME.spinning = 0; assert(nmspinning > 0); nmspinning--; DONE }", to: "ME.spinning = 0; DONE }"},
		// The kick and a global batch with a rest need two Gs besides main.
		{name: "runqputkick loses the kicked G", from: "runqputtail(m[me].p, gg);", to: "skip;", ps: 1, ms: 1, gs: 3},
		{name: "runqputbatch loses the batch's rest", from: "ringpush(P, p[P].held[ck]);", to: "skip;", ps: 1, ms: 1, gs: 3},
		{name: "newm's M takes the P a recheck holds", from: " && m[0].spinp != v && m[1].spinp != v)", to: ")"},
		// A steal of two needs five Gs (TestPromelaModelVerifies); the
		// first tail store is the 21st step from the initial state.
		{name: "runqsteal's tail store loses a G", from: "ringpush(P, p[P].held[ci]);", to: "skip;", ps: 2, ms: 2, gs: 5, depth: 22},
	} {
		if bytes.Count(Model, []byte(f.from)) != 1 {
			t.Fatalf("%s: the model no longer has %q once", f.name, f.from)
		}
		broken := bytes.Replace(Model, []byte(f.from), []byte(f.to), 1)
		o := Options{Model: broken, Gs: 1, Opt: "-O0"}
		if f.gs != 0 {
			o.Ps, o.Ms, o.Gs = f.ps, f.ms, f.gs
		}
		if f.depth != 0 {
			o.Reach, o.MaxDepth = true, f.depth+2
		}
		r, err := Verify(context.Background(), o)
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		if r.Errors == 0 {
			t.Errorf("%s: pan found no error in %d states", f.name, r.States)
		}
		if strings.Contains(r.Output, "invalid array index") {
			t.Errorf("%s: pan's error is the model's, not the fault's:\n%s", f.name, r.Output)
		}
	}
}
