package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/gexit-dev/gexit/checker"
	"github.com/gexit-dev/gexit/spec"
)

// TestExploreDroppedViolationsOutput: when an exploration of every
// violation (-all) kept only the first of each kind, the output says how
// many more there were, by kind; without drops it says nothing of it.
func TestExploreDroppedViolationsOutput(t *testing.T) {
	c, _ := spec.Preset("small")
	b := spec.DefaultBounds(2)
	b.NoSystem, b.NoGC, b.NoAssist, b.NoDirty, b.NoSyscalls, b.NoProcResize, b.NoGoyield = true, true, true, true, true, true, true
	b.StackSizes = nil
	o := checker.ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: b, Depth: 12, KeepViolations: 1,
		// Every gosched throws.
		Step: func(s *spec.State, op spec.Op) (spec.Result, error) {
			if op.Kind == spec.OpGosched {
				return spec.Result{}, &spec.Throw{Msg: "planted", Func: "test"}
			}
			return s.Apply(op)
		}}
	res, err := checker.Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	n := res.ViolationCounts["throw planted"]
	if len(res.Violations) != 1 || n < 2 || res.ViolationsDropped != n-1 {
		t.Fatalf("%d kept, %d dropped, counts %v", len(res.Violations), res.ViolationsDropped, res.ViolationCounts)
	}
	var w bytes.Buffer
	printExplore(&w, res, 2, 2, 2, "small", 64, "")
	out := w.String()
	for _, want := range []string{"VIOLATION 1: throw planted", "more violations found, not shown", "throw planted: "} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "VIOLATION 2:") {
		t.Errorf("a dropped violation printed:\n%s", out)
	}
	// Control: everything kept, no such line.
	o.KeepViolations = 1 << 20
	res, err = checker.Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	w.Reset()
	printExplore(&w, res, 2, 2, 2, "small", 64, "")
	if out := w.String(); strings.Contains(out, "more violations found") || !strings.Contains(out, "VIOLATION 2:") {
		t.Errorf("everything kept:\n%s", out)
	}
}
