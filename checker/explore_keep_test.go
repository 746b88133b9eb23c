package checker

import (
	"context"
	"testing"

	"github.com/gexit-dev/gexit/spec"
)

// TestExploreKeepsViolationsBounded: an exploration of every violation
// keeps KeepViolations of each kind (with paths and dumps) and counts
// the rest, so a fault that breaks millions of states cannot exhaust
// memory; the kinds kept are all the kinds found, the counts add up, and
// the first kept is the one StopAtFirst reports.
func TestExploreKeepsViolationsBounded(t *testing.T) {
	c, _ := spec.Preset("small")
	throwInGosched := func(s *spec.State, op spec.Op) (spec.Result, error) {
		if op.Kind == spec.OpGosched {
			return spec.Result{}, &spec.Throw{Msg: "planted", Func: "test"}
		}
		return s.Apply(op)
	}
	o := ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: coreBounds(2), Depth: 14, Workers: 1}
	o.Step = func(s *spec.State, op spec.Op) (spec.Result, error) {
		if op.Kind == spec.OpGosched {
			return throwInGosched(s, op)
		}
		return loseStackFreedG(s, op)
	}
	all := o
	all.KeepViolations = 1 << 30
	full, err := Explore(context.Background(), all)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range full.ViolationCounts {
		total += n
	}
	if len(full.ViolationCounts) < 2 || total != len(full.Violations) || full.ViolationsDropped != 0 || total < 40 {
		t.Fatalf("control, everything kept: %d kept, %d dropped, counts %v", len(full.Violations), full.ViolationsDropped, full.ViolationCounts)
	}
	for _, keep := range []int{0, 3} {
		o.KeepViolations = keep
		r, err := Explore(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		want := keep
		if want == 0 {
			want = DefaultKeepViolations
		}
		per := map[string]int{}
		for _, v := range r.Violations {
			per[v.Kind+" "+v.Name]++
		}
		for k, n := range full.ViolationCounts {
			if r.ViolationCounts[k] != n || per[k] != min(n, want) {
				t.Errorf("keep %d: %s counted %d (want %d), kept %d (want %d)", keep, k, r.ViolationCounts[k], n, per[k], min(n, want))
			}
		}
		if len(r.Violations)+r.ViolationsDropped != total || r.ViolationsDropped == 0 {
			t.Errorf("keep %d: %d kept + %d dropped, %d found", keep, len(r.Violations), r.ViolationsDropped, total)
		}
		if r.States != full.States || violationKinds(r.Violations) != violationKinds(full.Violations) {
			t.Errorf("keep %d: %d states, kinds %q; everything kept: %d, %q", keep, r.States, violationKinds(r.Violations), full.States, violationKinds(full.Violations))
		}
		if a, b := r.Violations[0], full.Violations[0]; a.Kind != b.Kind || a.Name != b.Name || len(a.Path) != len(b.Path) {
			t.Errorf("keep %d: first violation %s %s (%d steps), everything kept: %s %s (%d)", keep, a.Kind, a.Name, len(a.Path), b.Kind, b.Name, len(b.Path))
		}
	}
}
