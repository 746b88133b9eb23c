package checker

import (
	"context"
	"testing"

	"github.com/gexit-dev/gexit/spec"
)

// BenchmarkExplore explores the bound the brief compares with SPIN: 2 Ps,
// 2 Ms, 4 Gs, preset small. It reports distinct states per second and the
// bytes stored per state.
func BenchmarkExplore(b *testing.B) {
	c, _ := spec.Preset("small")
	o := ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: spec.DefaultBounds(4), MaxStates: 1_000_000}
	var states int
	var bps float64
	b.ReportAllocs()
	for b.Loop() {
		r, err := Explore(context.Background(), o)
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Violations) != 0 {
			b.Fatalf("violation: %s", r.Violations[0].Name)
		}
		states += r.States
		bps = r.StoredPerState
	}
	b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
	b.ReportMetric(bps, "B/state")
}
