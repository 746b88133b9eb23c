package checker

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gexit-dev/gexit/spec"
)

// The explorer's reductions (the partial-order reduction, the fingerprint
// reductions) are tested the same way: explore a bound without and with
// the reduction and compare. These helpers hold that comparison once;
// explore_por_test.go and explore_sym_test.go give the bounds, the planted
// faults and the pair of explorations.

// reductionPair explores o without (full) and with (red) a reduction.
type reductionPair func(t *testing.T, o ExploreOptions) (full, red *ExploreResult)

// explorePair explores o (on 2 workers) as full and as red set it.
func explorePair(t *testing.T, o ExploreOptions, full, red func(*ExploreOptions)) (f, r *ExploreResult) {
	t.Helper()
	o.Workers = 2
	run := func(set func(*ExploreOptions)) *ExploreResult {
		o := o
		set(&o)
		res, err := Explore(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	return run(full), run(red)
}

// plantedFault is a broken spec transition, put in with ExploreOptions.Step.
type plantedFault struct {
	name string
	step func(*spec.State, spec.Op) (spec.Result, error)
}

// livenessOnlyFaults are the planted faults that break progress, not an
// invariant: only the liveness check (-liveness, never reduced) finds
// them, so the reductions' comparisons find nothing either way.
var livenessOnlyFaults = map[string]bool{"no tick pick": true, "lost handoff wakeup": true, "lost startlockedm": true}

// checkEquivalentVerdicts explores every bound not skipped both ways and
// requires the same verdict (no violation, complete or cut at the same
// bound), never more states with the reduction, and for complete runs the
// same ways the program ends and the same branches reached (depth-bounded
// runs cut the two graphs at different states). extra checks more of each
// pair when not nil. Over 20 or more bounds the reduction must reduce
// some; the factor, full states / reduced states, is logged.
func checkEquivalentVerdicts(t *testing.T, bounds []porBound, skip func(porBound) bool, pair reductionPair, extra func(t *testing.T, full, red *ExploreResult)) {
	t.Helper()
	var fullSum, redSum int
	start := time.Now()
	n := 0
	for _, b := range bounds {
		if skip(b) {
			continue
		}
		n++
		t.Run(b.name, func(t *testing.T) {
			full, red := pair(t, b.o)
			t.Logf("factor %.3f: %d states full, %d reduced; %d and %d transitions",
				float64(full.States)/float64(red.States), full.States, red.States, full.Transitions, red.Transitions)
			fullSum += full.States
			redSum += red.States
			if len(full.Violations) != 0 || len(red.Violations) != 0 {
				t.Fatalf("violations: full %d, reduced %d", len(full.Violations), len(red.Violations))
			}
			if full.Complete != red.Complete || full.StoppedBy != red.StoppedBy {
				t.Fatalf("full complete=%v stopped=%q, reduced complete=%v stopped=%q", full.Complete, full.StoppedBy, red.Complete, red.StoppedBy)
			}
			if red.States > full.States {
				t.Fatalf("the reduction explored more: %d/%d states", red.States, full.States)
			}
			if extra != nil {
				extra(t, full, red)
			}
			if b.o.Depth == 0 {
				if a, b := terminalKinds(full), terminalKinds(red); a != b {
					t.Fatalf("terminal states: full %s, reduced %s", a, b)
				}
				if (full.Deadlocks == 0) != (red.Deadlocks == 0) {
					t.Fatalf("deadlocks: full %d, reduced %d", full.Deadlocks, red.Deadlocks)
				}
				if a, b := strings.Join(full.NeverReached, ","), strings.Join(red.NeverReached, ","); a != b {
					t.Fatalf("never reached: full %s, reduced %s", a, b)
				}
			}
		})
	}
	if n >= 20 && redSum >= fullSum {
		t.Fatalf("no reduction over %d bounds: %d states full, %d reduced", n, fullSum, redSum)
	}
	t.Logf("%d bounds: %d states full, %d reduced, factor %.3f, %.1fs", n, fullSum, redSum, float64(fullSum)/float64(max(redSum, 1)), time.Since(start).Seconds())
}

// checkFindsPlantedFaults explores every fault on every bound not skipped
// both ways and requires violations of the same kinds (every violation),
// and a first violation of the full exploration's first kind whose path
// replays and is no shorter than the full graph's shortest (exactly as
// long when samePathLen: a reduction that merges states meets a class at
// its shallowest member's depth). Every fault explored must be found on
// some bound, but the liveness faults (livenessOnlyFaults), which only
// -liveness finds: a fault found nowhere plants nothing the comparison
// can tell apart (an op renamed or split under it leaves it dead). Under
// go test -short, where the callers skip the larger bounds, a fault that
// needs one of them (two idle Ps, say) is only logged.
func checkFindsPlantedFaults(t *testing.T, faults []plantedFault, bounds []porBound, skip func(plantedFault, porBound) bool, pair reductionPair, samePathLen bool) {
	t.Helper()
	found := 0
	for _, f := range faults {
		ran, seen := false, false
		defer func() {
			switch {
			case !ran || seen || livenessOnlyFaults[f.name] || t.Failed():
			case testing.Short():
				t.Logf("planted fault %q: no violation on the -short bounds", f.name)
			default:
				t.Errorf("planted fault %q: no violation on any bound, full or reduced", f.name)
			}
		}()
		for _, b := range bounds {
			if skip(f, b) {
				continue
			}
			ran = true
			t.Run(f.name+"/"+b.name, func(t *testing.T) {
				o := b.o
				o.Step = f.step
				full, red := pair(t, o)
				fk, rk := violationKinds(full.Violations), violationKinds(red.Violations)
				t.Logf("factor %.3f (%d/%d states); full: %s; reduced: %s", float64(full.States)/float64(red.States), full.States, red.States, fk, rk)
				if fk != rk {
					t.Fatalf("violations: full %q, reduced %q", fk, rk)
				}
				if len(full.Violations) > 0 {
					found++
					seen = true
				}
				o.StopAtFirst = true
				full, red = pair(t, o)
				if len(full.Violations) != len(red.Violations) {
					t.Fatalf("first violation: full %d, reduced %d", len(full.Violations), len(red.Violations))
				}
				if len(full.Violations) == 0 {
					return
				}
				fv, rv := full.Violations[0], red.Violations[0]
				if fv.Kind != rv.Kind || fv.Name != rv.Name {
					t.Fatalf("first violation: full %s %s, reduced %s %s", fv.Kind, fv.Name, rv.Kind, rv.Name)
				}
				if len(rv.Path) < len(fv.Path) || samePathLen && len(rv.Path) != len(fv.Path) {
					t.Fatalf("reduced path %d steps, the full graph's shortest %d", len(rv.Path), len(fv.Path))
				}
				checkReplays(t, o, rv)
			})
		}
	}
	if found == 0 {
		t.Fatal("no planted fault was found: the test checks nothing")
	}
}
