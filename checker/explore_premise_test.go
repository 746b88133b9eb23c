package checker

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gexit-dev/gexit/spec"
)

// TestExploreChecksPremisesDeep: the explorer checks the premises of its
// reductions (spec.State.CheckReductionPremise) on the states it meets,
// one in 1,024 by fingerprint, beyond the premiseStates it checks before
// it begins, and stops with an error naming the state when one fails.
// Planted: a premise that fails only where both Gs have exited and sit on
// free lists (a state tens of steps deep); found with 1 and 2 workers at
// the same depth. Clean controls: the same bound with the spec's premise
// (checks made, the same number with 1 and 2 workers), and the plant
// without the reductions (nothing to check, nothing consulted).
func TestExploreChecksPremisesDeep(t *testing.T) {
	if raceEnabled {
		// make test runs it without -race (7 minutes under it); the
		// race detector's runs of the explorer's workers are
		// TestExploreWorkers*.
		t.Skip("explores 2 Ps, 2 Ms, 2 Gs five times: run without -race")
	}
	c, _ := spec.Preset("small")
	o := ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: coreBounds(2), Reduce: spec.AllReductions, POR: true}
	checks := map[int]int{}
	for _, w := range []int{1, 2} {
		o.Workers = w
		r, err := Explore(context.Background(), o)
		if err != nil {
			t.Fatalf("%d workers: %v", w, err)
		}
		if r.PremiseChecks < r.States/4096 || r.PremiseChecks > r.States/256 {
			t.Fatalf("%d workers: the premises checked on %d of %d states; one in 1,024 expected", w, r.PremiseChecks, r.States)
		}
		checks[w] = r.PremiseChecks
	}
	if checks[1] != checks[2] {
		t.Fatalf("premises checked on %d states with 1 worker, %d with 2", checks[1], checks[2])
	}

	defer func() { checkPremise = (*spec.State).CheckReductionPremise }()
	var consulted atomic.Int64
	checkPremise = func(s *spec.State, b spec.Bounds, red spec.Reduction, perm []int) error {
		consulted.Add(1)
		freed := 0
		for i := range s.Ps {
			freed += len(s.Ps[i].GFree)
		}
		if freed >= 2 {
			return errors.New("planted: a transition that reads an M's index")
		}
		return s.CheckReductionPremise(b, red, perm)
	}
	depths := map[int]int{}
	for _, w := range []int{1, 2} {
		o.Workers = w
		_, err := Explore(context.Background(), o)
		if err == nil || !strings.Contains(err.Error(), "premise fails") || !strings.Contains(err.Error(), "planted") {
			t.Fatalf("%d workers: the planted premise failure: %v", w, err)
		}
		m := regexp.MustCompile(`at a state (\d+) steps`).FindStringSubmatch(err.Error())
		if m == nil {
			t.Fatalf("%d workers: no depth in %v", w, err)
		}
		depths[w], _ = strconv.Atoi(m[1])
	}
	if depths[1] != depths[2] || depths[1] < 10 {
		t.Fatalf("the planted failure met at depth %d with 1 worker, %d with 2 (a deep state expected, the same)", depths[1], depths[2])
	}
	t.Logf("clean: %d premise checks; planted: met at depth %d", checks[1], depths[1])

	o.Reduce, o.Workers = 0, 2
	consulted.Store(0)
	r, err := Explore(context.Background(), o)
	if err != nil || r.PremiseChecks != 0 || consulted.Load() != 0 {
		t.Fatalf("without reductions: %v, %d premise checks, the check consulted %d times", err, r.PremiseChecks, consulted.Load())
	}
}

// ReduceMs at 3 Ms with procresize: the key that orders the Ms the
// canonical walk does not meet left the recheck's allp snapshot, the
// lock counts and exits invisible (packed over bits already set), so two
// such Ms tied, were ordered by index, and the premise check stopped the
// run 17 steps in (a review: exit 2 at every bound with 3 Ms and
// procresize, syscalls or locks). The same bound, to depth 18, now
// explores with the premise checked throughout. (The syscalls and locks
// rows failed 26 and 32 steps in, beyond a test's time: 10M states.)
func TestExploreMsReductionAtThreeMs(t *testing.T) {
	if raceEnabled {
		t.Skip("make test runs it without -race (0.2 s; 7 s under it)")
	}
	c, _ := spec.Preset("small")
	b := coreBounds(2)
	b.NoProcResize = false
	r, err := Explore(context.Background(), ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 3}, Bounds: b, Depth: 18, Reduce: spec.ReduceMs})
	if err != nil {
		t.Fatal(err)
	}
	if r.PremiseChecks == 0 || len(r.Violations) != 0 || r.MaxDepth != 18 {
		t.Fatalf("%d premise checks, %d violations, depth %d", r.PremiseChecks, len(r.Violations), r.MaxDepth)
	}
}
