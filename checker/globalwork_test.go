package checker

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/gexit-dev/gexit/spec"
)

// atGlobalRecheck reports whether M mp's next step is findRunnable's
// recheck of sched.runq under sched.lock, after it dropped its spinning.
func atGlobalRecheck(s *spec.State, mp int8) bool {
	m := &s.Ms[mp]
	return m.Recheck && !m.RecheckRunqs && !m.Spinning && !m.Stopping && m.P == spec.None && m.Curg == spec.None
}

// noGlobalRecheck plants findRunnable's stop path without its recheck
// of sched.runq after `sched.nmspinning.Add(-1)` (proc.go:3676-3693): the
// recheck's sched.lock section reads the global queue as empty. Its
// enabled list offers that step where the spec offers the take of the
// global batch.
func noGlobalRecheck(s *spec.State, b spec.Bounds, buf []spec.Op) []spec.Op {
	ops := s.Enabled(b, buf)
	for i := range ops {
		if ops[i].Kind == spec.OpRecheck && ops[i].Source == spec.SrcGlobal {
			ops[i].Source = 0
		}
	}
	return slices.Compact(ops)
}

func noGlobalRecheckStep(s *spec.State, op spec.Op) (spec.Result, error) {
	if op.Kind == spec.OpRecheck && atGlobalRecheck(s, op.M) {
		runq := s.Sched.Runq
		s.Sched.Runq = nil
		r, err := s.Apply(op)
		s.Sched.Runq = runq
		return r, err
	}
	return s.Apply(op)
}

// noRecheck plants a spinning M that, its P dropped, stops spinning and
// goes straight to stopm: no recheck of sched.runq or of the Ps' run
// queues (the bug golang/go#55160's fix guards against).
func noRecheck(s *spec.State, op spec.Op) (spec.Result, error) {
	r, err := s.Apply(op)
	if err == nil && op.Kind == spec.OpStopSpinning && atGlobalRecheck(s, op.M) {
		m := &s.Ms[op.M]
		m.Recheck, m.Stopping = false, true
	}
	return r, err
}

// GlobalWorkWakesAnM: global work with an idle P, a free M and no M
// spinning or on its way to wake one. Both plants lose the recheck of a
// spinning M that dropped its P: a G put on sched.runq in that window,
// whose wakep saw the M still counted in nmspinning, waits while a P is
// idle. The liveness check misses both (the Ms that run find the work at
// last: no state lasts forever); the invariant finds them. The control:
// the same bound on the spec passes.
func TestGlobalWorkWakesAnMFindsLostRecheck(t *testing.T) {
	c, _ := spec.Preset("small")
	base := ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: coreBounds(2), StopAtFirst: true}
	for _, tc := range []struct {
		name    string
		enabled enabledFunc
		step    stepFunc
	}{
		{"clean", nil, nil},
		{"no global recheck", noGlobalRecheck, noGlobalRecheckStep},
		{"no recheck", nil, noRecheck},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.step == nil && raceEnabled {
				// 74 s under -race (2,463,642 states, one worker);
				// make test runs this bound without it, as
				// TestExploreCountsUnchanged's "2P2M2G core" row.
				t.Skip("the clean bound runs without -race (TestExploreCountsUnchanged)")
			}
			o := base
			o.enabled, o.Step = tc.enabled, tc.step
			r, err := Explore(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if tc.step == nil {
				if len(r.Violations) != 0 || !r.Complete {
					t.Fatalf("the spec: complete %v, %+v", r.Complete, r.Violations)
				}
				return
			}
			if len(r.Violations) != 1 || r.Violations[0].Name != "GlobalWorkWakesAnM" {
				t.Fatalf("%d violations %+v, want GlobalWorkWakesAnM", len(r.Violations), r.Violations)
			}
			v := r.Violations[0]
			var ops []string
			for _, st := range v.Path {
				ops = append(ops, st.Op.String())
			}
			if !slices.ContainsFunc(ops, func(s string) bool { return strings.HasSuffix(s, " stopspinning") }) {
				t.Fatalf("the path has no M that dropped its spinning: %s", strings.Join(ops, "; "))
			}
			t.Logf("%d steps: %s", len(v.Path), strings.Join(ops, "; "))
		})
	}
}

// A wakep lost after a G went to the global queue (gosched) leaves that
// work with an idle P and no M on its way: GlobalWorkWakesAnM finds
// lostWakep as a safety violation, where the liveness check needs a
// lasso (IdlePsPutToWork, TestLivenessFindsPlantedStarvation's row, which
// leaves this invariant out to find it).
func TestGlobalWorkWakesAnMFindsLostWakep(t *testing.T) {
	c, _ := spec.Preset("small")
	o := ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: coreBounds(2), StopAtFirst: true}
	o.Step = lostWakep
	r, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) != 1 || r.Violations[0].Name != "GlobalWorkWakesAnM" {
		t.Fatalf("%d violations %+v, want GlobalWorkWakesAnM", len(r.Violations), r.Violations)
	}
}
