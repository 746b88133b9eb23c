package gexit_test

import (
	"context"
	"testing"
	"time"

	"github.com/gexit-dev/gexit/checker"
	"pgregory.net/rapid"
)

func checkCase(t *rapid.T, c checker.Case) {
	o, err := checker.RunCase(context.Background(), c, 5*time.Second)
	if err != nil {
		t.Fatalf("run: %v", err)
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
	rapid.Check(t, func(t *rapid.T) {
		checkCase(t, checker.DrawCase(t, checker.DrawOptions{Modes: []string{"atomic"}, MaxMs: 1}))
	})
}

// TestLinearizable: 2-4 Ms with deterministic schedules drawn by rapid
// (scheduling points inside ops); every history is linearizable with
// respect to the spec and ends in a state the spec reaches.
func TestLinearizable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		checkCase(t, checker.DrawCase(t, checker.DrawOptions{Modes: []string{"deterministic", "atomic"}, MinMs: 2, MaxMs: 4}))
	})
}
