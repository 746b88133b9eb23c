package checker

import (
	"context"
	"testing"

	"github.com/gexit-dev/gexit/spec"
)

// ctlBounds: 2 Ps, 2 Ms, 2 Gs to depth 14, with the stop-the-worlds (gc and procresize)
// and nothing else beside the core families, so that the controller's
// wakep (startTheWorldWithSema's) meets idle Ps, idle Ms and spinning Ms.
func ctlBounds() ExploreOptions {
	c, _ := spec.Preset("small")
	b := coreBounds(2)
	b.NoGC, b.NoProcResize = false, false
	return ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: b, Depth: 14}
}

// TestExploreFindsControllerWakepFaults: the explorer's controls for the
// controller's wakep after a stop-the-world. Clean, the bound completes
// with no violation; each planted fault in the controller's three steps is
// found, by the invariant or progress check that guards what it breaks.
func TestExploreFindsControllerWakepFaults(t *testing.T) {
	clean, err := Explore(context.Background(), ctlBounds())
	if err != nil {
		t.Fatal(err)
	}
	if len(clean.Violations) != 0 || clean.Coverage["startm"] == 0 {
		t.Fatalf("clean: %d violations in %d states: %+v", len(clean.Violations), clean.States, clean.Violations)
	}
	ctlOp := func(op spec.Op, k spec.OpKind) bool { return op.M == spec.Controller && op.Kind == k }
	for _, f := range []struct {
		name, kind, want string
		step             func(s *spec.State, op spec.Op) (spec.Result, error)
	}{
		{"the CAS counts no spinning M", "invariant", "NMSpinningCounts", func(s *spec.State, op spec.Op) (spec.Result, error) {
			r, err := s.Apply(op)
			if err == nil && ctlOp(op, spec.OpWakep) && r.Value == spec.WakepCAS {
				s.Sched.NMSpinning--
			}
			return r, err
		}},
		{"the section leaves its P on the idle list", "invariant", "IdleListIdle", func(s *spec.State, op spec.Op) (spec.Result, error) {
			r, err := s.Apply(op)
			if err == nil && ctlOp(op, spec.OpWakepStartm) && r.P != spec.None {
				s.Ps[r.P].Link, s.Sched.Pidle = s.Sched.Pidle, r.P
			}
			return r, err
		}},
		{"startm loses the P", "invariant", "IdlePsListed", func(s *spec.State, op spec.Op) (spec.Result, error) {
			if pi := s.Sched.CtlStartmP; ctlOp(op, spec.OpStartm) && pi != spec.None {
				// Neither handed on nor put back: idle, on no list.
				s.Sched.CtlStartmP = spec.None
				s.Sched.NMSpinning--
				s.Ps[pi].Status = spec.PIdle
				return spec.NewResult(), nil
			}
			return s.Apply(op)
		}},
	} {
		t.Run(f.name, func(t *testing.T) {
			o := ctlBounds()
			o.Step = f.step
			r, err := Explore(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Violations) == 0 {
				t.Fatalf("not found in %d states", r.States)
			}
			if v := r.Violations[0]; v.Kind != f.kind || v.Name != f.want {
				t.Fatalf("first violation %s %s (%s), want %s %s", v.Kind, v.Name, v.Detail, f.kind, f.want)
			}
		})
	}
}
