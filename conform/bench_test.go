package conform

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"golang.org/x/exp/trace"
)

// The benchmark trace: 100,000 goroutines, each yielding four times
// (about 12 events per goroutine), at most 1,000 alive at once, recorded
// once per process into a temporary file.
const (
	benchGoroutines = 100_000
	benchBatch      = 1_000
)

var (
	benchOnce  sync.Once
	benchTrace []byte
	benchErr   error
	benchDir   string
)

func benchWorkload(_ any, _ int) {
	for b := 0; b < benchGoroutines/benchBatch; b++ {
		var wg sync.WaitGroup
		for i := 0; i < benchBatch; i++ {
			wg.Go(func() {
				for k := 0; k < 4; k++ {
					runtime.Gosched()
				}
			})
		}
		wg.Wait()
	}
}

func loadBenchTrace(b testing.TB) []byte {
	benchOnce.Do(func() {
		rec, err := Record(Workload{Name: "bench", Run: func(_ context.Context, scale int) { benchWorkload(nil, scale) }}, 4, 1)
		if err != nil {
			benchErr = err
			return
		}
		benchDir, benchErr = os.MkdirTemp("", "gexit-conform-bench")
		if benchErr != nil {
			return
		}
		name := filepath.Join(benchDir, "bench.trace")
		if benchErr = os.WriteFile(name, rec.Trace, 0o644); benchErr != nil {
			return
		}
		benchTrace, benchErr = os.ReadFile(name)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchTrace
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// BenchmarkParseBare reads the trace with the bare reader and nothing else.
func BenchmarkParseBare(b *testing.B) {
	data := loadBenchTrace(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = 0
		r, err := trace.NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := r.ReadEvent()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/event")
	b.ReportMetric(float64(n), "events")
}

// BenchmarkParseBareTransitions reads the trace with the bare reader and
// decodes every state transition (ev.StateTransition, then its resource and
// states), the minimum the conformance check needs from the reader beyond
// ReadEvent: the floor under BenchmarkConform.
func BenchmarkParseBareTransitions(b *testing.B) {
	data := loadBenchTrace(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	var sink int64
	for b.Loop() {
		n = 0
		r, err := trace.NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for {
			ev, err := r.ReadEvent()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
			if ev.Kind() != trace.EventStateTransition {
				continue
			}
			st := ev.StateTransition()
			switch st.Resource.Kind {
			case trace.ResourceGoroutine:
				from, to := st.Goroutine()
				sink += int64(st.Resource.Goroutine()) + int64(from) + int64(to)
			case trace.ResourceProc:
				from, to := st.Proc()
				sink += int64(st.Resource.Proc()) + int64(from) + int64(to)
			}
		}
	}
	if sink == 0 {
		b.Fatal("no transitions")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/event")
}

// BenchmarkConform reads and checks the same trace. state-B is the memory
// the checker's state holds at the end (its tables: see TestMemoryBounded).
func BenchmarkConform(b *testing.B) {
	data := loadBenchTrace(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var rep *Report
	for b.Loop() {
		var err error
		rep, err = CheckTrace(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
	}
	if !rep.OK() {
		b.Fatalf("bench trace not conformant:\n%s", rep.Text(false))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rep.Events), "ns/event")
	b.ReportMetric(float64(rep.Events), "events")
	b.ReportMetric(float64(rep.Goroutines), "goroutines")
	b.ReportMetric(float64(rep.MaxLive), "max-live")
	c := NewChecker()
	if err := Feed(c, bytes.NewReader(data)); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(c.stateBytes()), "state-B")
}

// BenchmarkChecker is the checking core alone, fed pre-converted events:
// its allocations are the checker's state (per live goroutine, plus the
// exited ids' blocks not yet full).
func BenchmarkChecker(b *testing.B) {
	evs := events(b, loadBenchTrace(b))
	b.ReportAllocs()
	for b.Loop() {
		c := NewChecker()
		for i := range evs {
			c.Feed(&evs[i])
		}
		if c.Violations() != 0 {
			b.Fatal("violations")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(evs)), "ns/event")
}
