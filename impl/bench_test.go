package impl

import (
	"sync"
	"testing"
)

// benchCycles runs b.N spawn+exit cycles (main spawns in batches of 100,
// then Goscheds so the children run and exit: gfget/gfput, runqput,
// runqget, the global queue for main).
func benchCycles(b *testing.B, cfg Config) *Result {
	w := SpawnExit(b.N, 100, 0)
	cfg.MaxSteps = 64*b.N + 1_000_000 // a deterministic run must not stop early
	cfg.MaxOps = int64(cfg.MaxSteps)  // nor a recording one (its livelock bound)
	b.ReportAllocs()
	b.ResetTimer()
	res, err := Run(cfg, w)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if res.Throw != "" {
		b.Fatal(res.Throw)
	}
	if res.TimedOut || res.Deadlock {
		b.Fatalf("the run did not complete (timed out %v, deadlock %v)", res.TimedOut, res.Deadlock)
	}
	return res
}

func BenchmarkSpawnExit(b *testing.B) {
	b.Run("free", func(b *testing.B) { benchCycles(b, cfgFor(b, "go", 1, 1, FreeRunning, 1)) })
	b.Run("free-2M", func(b *testing.B) { benchCycles(b, cfgFor(b, "go", 2, 2, FreeRunning, 1)) })
	b.Run("deterministic", func(b *testing.B) { benchCycles(b, cfgFor(b, "go", 1, 1, Deterministic, 1)) })
}

// BenchmarkRecordOverhead: whole runs with recording off and on (per
// cycle, with ops/cycle), and the recording path alone per recorded op
// (begin + commit: one clock read and a 48-byte record; see begin), and the
// expansion of records into Events at the end of a run.
func BenchmarkRecordOverhead(b *testing.B) {
	b.Run("off", func(b *testing.B) {
		res := benchCycles(b, cfgFor(b, "go", 1, 1, FreeRunning, 1))
		b.ReportMetric(float64(res.Steps)/float64(b.N), "ops/cycle")
	})
	b.Run("on", func(b *testing.B) {
		cfg := cfgFor(b, "go", 1, 1, FreeRunning, 1)
		cfg.Record = true
		res := benchCycles(b, cfg)
		b.ReportMetric(float64(len(res.History))/float64(b.N), "ops/cycle")
	})
	b.Run("per-op", func(b *testing.B) {
		s := newSched(perOpCfg(b, 1), Workload{Main: Prog()})
		s.rec = true
		a := &s.ms[0].actor
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			r := a.begin(opSchedule)
			r.g, r.a = int32(i), 1
			a.commit(&r)
			if len(a.buf) == chunk {
				// A run's history is short: measure the recording, not
				// the page faults of a history of b.N records.
				a.buf, a.bufs = a.buf[:0], a.bufs[:0]
			}
		}
	})
	// per-op-2m: two Ms recording at once on one sched, as free-running
	// Ms do; they share no written cache line (each its own buffer and
	// clock reads); ns/op is per recorded op of either M.
	b.Run("per-op-2m", func(b *testing.B) {
		s := newSched(perOpCfg(b, 2), Workload{Main: Prog()})
		s.rec = true
		var wg sync.WaitGroup
		b.ReportAllocs()
		b.ResetTimer()
		for mi := 0; mi < 2; mi++ {
			a := &s.ms[mi].actor
			n := b.N / 2
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < n; i++ {
					r := a.begin(opSchedule)
					r.g, r.a = int32(i), 1
					a.commit(&r)
					if len(a.buf) == chunk {
						a.buf, a.bufs = a.buf[:0], a.bufs[:0]
					}
				}
			}()
		}
		wg.Wait()
	})
	b.Run("expand", func(b *testing.B) {
		s := newSched(cfgFor(b, "go", 1, 1, FreeRunning, 1), Workload{Main: Prog()})
		s.rec = true
		a := &s.ms[0].actor
		for i := 0; i < b.N; i++ {
			r := a.begin(opNewproc1)
			a.commit(&r)
		}
		b.ReportAllocs()
		b.ResetTimer()
		_ = s.merge()
	})
}

// perOpCfg is a free-running configuration with ms Ms for the per-op
// recording benchmarks, whose b.N ops must stay below the livelock bound.
func perOpCfg(b *testing.B, ms int) Config {
	cfg := cfgFor(b, "go", 1, ms, FreeRunning, 1)
	cfg.MaxOps = 1 << 62
	return cfg
}

// BenchmarkRuntimeGoCreateExit is the reference: the real runtime's
// `go f()` + exit, in batches of at most 1000 live goroutines.
func BenchmarkRuntimeGoCreateExit(b *testing.B) {
	var wg sync.WaitGroup
	f := func() { wg.Done() }
	b.ReportAllocs()
	for i := 0; i < b.N; i += 1000 {
		n := min(1000, b.N-i)
		wg.Add(n)
		for j := 0; j < n; j++ {
			go f()
		}
		wg.Wait()
	}
}
