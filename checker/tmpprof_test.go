package checker

import (
	"context"
	"testing"

	"github.com/gexit-dev/gexit/spec"
)

func BenchmarkTmpDefault(b *testing.B) {
	c, _ := spec.Preset("small")
	o := ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: coreBounds(3), Workers: 1, Reduce: spec.AllReductions, POR: true}
	for b.Loop() {
		r, err := Explore(context.Background(), o)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(r.States), "states")
	}
}
