package checker

import (
	"context"
	"fmt"
	"testing"

	"github.com/gexit-dev/gexit/spec"
)

// exploreDigest is everything an exploration finds, as one string: the
// counts, the coverage of every branch, the violations with their paths,
// and the liveness verdicts.
func exploreDigest(r *ExploreResult) string {
	s := fmt.Sprintf("states=%d transitions=%d depth=%d complete=%v stop=%q deadlocks=%d terminal=%v frontier=%d cov=%#x viols=%d/%#x",
		r.States, r.Transitions, r.MaxDepth, r.Complete, r.StoppedBy, r.Deadlocks, r.Terminal, r.FrontierBytes,
		digestCounts(r.Coverage), len(r.Violations), digestViolations(r.Violations))
	for _, l := range r.Liveness {
		s += fmt.Sprintf(" %s:holds=%v,unknown=%v,checked=%d", l.Name, l.Holds, l.Unknown, l.CheckedStates)
		if l.Lasso != nil {
			s += fmt.Sprintf(",lasso=%d+%d", len(l.Lasso.Prefix), len(l.Lasso.Loop))
		}
	}
	return s
}

// The number of workers changes nothing the exploration finds: for clean
// bounds (complete, depth-bounded, state-bounded), a planted bug (every
// violation, and the first one alone) and a planted throw, 2 and 4
// workers give exactly what 1 worker gives.
func TestExploreWorkersDeterministic(t *testing.T) {
	c, _ := spec.Preset("small")
	cfg := func(ps, ms int) spec.Config { return spec.Config{Consts: c, Ps: ps, Ms: ms} }
	planted := plantedOptions(c)
	first := plantedOptions(c)
	first.Depth, first.StopAtFirst = 0, true
	throw := plantedThrowOptions(c)
	for _, tc := range []struct {
		name  string
		o     ExploreOptions
		viols bool
	}{
		{name: "1P1M3G core, complete", o: ExploreOptions{Config: cfg(1, 1), Bounds: coreBounds(3)}},
		{name: "2P2M2G core, depth 18", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(2), Depth: 18}},
		{name: "2P2M2G all families, depth 7", o: ExploreOptions{Config: cfg(2, 2), Bounds: spec.DefaultBounds(2), Depth: 7}},
		{name: "2P2M4G core, 100,001 states", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(4), MaxStates: 100_001}},
		{name: "planted bug, every violation", o: planted, viols: true},
		{name: "planted bug, first violation", o: first, viols: true},
		{name: "planted throw, every violation", o: throw, viols: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sameForWorkers(t, tc.o, func(w int, r *ExploreResult) {
				if tc.viols != (len(r.Violations) > 0) {
					t.Fatalf("workers %d: %d violations", w, len(r.Violations))
				}
			})
		})
	}
}

// The liveness check gives the same verdicts and lassos with any number
// of workers, on a bound where a planted starvation is found and on one
// where every property holds.
func TestExploreWorkersLiveness(t *testing.T) {
	plant := liveOptions(1, 1, coreBounds(4))
	plant.Step = noTickPick
	for _, tc := range []struct {
		name string
		o    ExploreOptions
	}{
		{"holds, 2P2M1G core", liveOptions(2, 2, coreBounds(1))},
		{"planted no-tick-pick", plant},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sameForWorkers(t, tc.o, nil)
		})
	}
}

// sameForWorkers explores o with 1, 2 and 4 workers, calls check (when
// set) on each result, and requires the same digest from all three.
func sameForWorkers(t *testing.T, o ExploreOptions, check func(w int, r *ExploreResult)) {
	t.Helper()
	var want string
	for _, w := range []int{1, 2, 4} {
		o.Workers = w
		r, err := Explore(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if check != nil {
			check(w, r)
		}
		got := exploreDigest(r)
		if w == 1 {
			want = got
			t.Logf("%s", got)
		} else if got != want {
			t.Errorf("workers %d:\n got %s\nwant %s", w, got, want)
		}
	}
}
