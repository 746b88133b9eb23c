package checker

import (
	"context"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/spec"
)

// BenchmarkCheckHistory10k: a recorded history of about 10,000 ops from 4
// free-running Ms, checked for linearizability against the spec (with the
// final-state observation). The run itself is outside the timer.
func BenchmarkCheckHistory10k(b *testing.B) {
	c, _ := spec.Preset("go")
	cfg := impl.Config{Consts: ImplConsts(c), Ps: 4, Ms: 4, Mode: impl.FreeRunning, Record: true, Timeout: 20 * time.Second}
	var res *impl.Result
	for n := 300; ; n += 200 {
		r, err := impl.Run(cfg, impl.SpawnExit(n, 8, 1))
		if err != nil {
			b.Fatal(err)
		}
		if len(r.History) >= 10000 {
			res = r
			break
		}
	}
	scfg := SpecConfig(cfg)
	final, err := StateOf(&scfg, &res.Snapshot)
	if err != nil {
		b.Fatal(err)
	}
	ops, err := Operations(res.History, final, cfg.Ms)
	if err != nil {
		b.Fatal(err)
	}
	m := Model(scfg)
	for b.Loop() {
		if v, _ := checkOps(m, ops, time.Minute); v != porcupine.Ok {
			b.Fatalf("verdict %v", v)
		}
	}
	b.ReportMetric(float64(len(res.History)), "ops/history")
}

// BenchmarkPropertyCases: end-to-end property cases (generate, run on the
// implementation, check) for workloads of about 50 ops on 2 Ms.
func BenchmarkPropertyCases(b *testing.B) {
	cases, ops := 0, 0
	o := DrawOptions{Modes: []string{"deterministic"}, MinMs: 2, MaxMs: 2, MinSteps: 14, MaxSteps: 18}
	prop := Property(o, time.Second, func(out *Outcome) { cases++; ops += len(out.History) }, nil)
	start := time.Now()
	for b.Loop() {
		if failed, log := RapidRun("bench", 200, uint64(cases+1), time.Second, prop); failed {
			b.Fatalf("a case failed:\n%s", log)
		}
	}
	el := time.Since(start).Seconds()
	b.ReportMetric(float64(cases)/el, "cases/s")
	b.ReportMetric(float64(ops)/float64(cases), "ops/case")
}

// BenchmarkCampaignWorkers: a default campaign (every mode) of 4,000
// cases, seed 5, run with one worker and with two, alternating in one
// run; it reports each one's cases per second and the ratio of their
// times (the same cases: TestCampaignWorkersRunTheSameCases).
func BenchmarkCampaignWorkers(b *testing.B) {
	var el [2]time.Duration
	cases := 0
	for b.Loop() {
		for i, w := range []int{1, 2} {
			c, err := NewCampaign(CampaignOptions{Cases: 4000, Seed: 5, Workers: w, Out: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			r := c.Run(context.Background())
			el[i] += time.Since(start)
			if r.Verdict != Ok {
				b.Fatalf("workers %d: %s", w, r.Summary())
			}
			if i == 0 {
				cases += r.Cases
			}
		}
	}
	b.ReportMetric(float64(cases)/el[0].Seconds(), "cases/s-1worker")
	b.ReportMetric(float64(cases)/el[1].Seconds(), "cases/s-2workers")
	b.ReportMetric(el[0].Seconds()/el[1].Seconds(), "speedup")
}
