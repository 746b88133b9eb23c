package conform

import (
	"fmt"
	"testing"
)

// workloadScale is the scale of the recorded workloads: 1 under -short
// and under the race detector.
func workloadScale() int {
	if testing.Short() || raceEnabled {
		return 1
	}
	return 2
}

// workloadProcs are the GOMAXPROCS settings the workloads run under. Under
// the race detector one parallel setting is enough to look for races; the
// rules themselves are checked under every setting by the ordinary run.
func workloadProcs() []int {
	if raceEnabled {
		return []int{2}
	}
	return []int{1, 2, 4}
}

// recordAndCheck records w under procs and scale and checks its trace.
func recordAndCheck(t *testing.T, w Workload, procs, scale int) (*Recording, *Report) {
	t.Helper()
	rec, err := Record(w, procs, scale)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := CheckTrace(bytesReader(rec.Trace))
	if err != nil {
		t.Fatal(err)
	}
	return rec, rep
}

func TestWorkloads(t *testing.T) {
	for _, procs := range workloadProcs() {
		for _, name := range WorkloadNames() {
			if name == "generations" && testing.Short() {
				continue
			}
			if name == "all" && raceEnabled {
				continue // every other workload again, one after another
			}
			t.Run(fmt.Sprintf("%s/procs=%d", name, procs), func(t *testing.T) {
				w, _ := LookupWorkload(name)
				rec, rep := recordAndCheck(t, w, procs, workloadScale())
				if !rep.OK() {
					t.Errorf("%s", rep.Text(true))
				}
				if m := MetricsMismatch(rec, rep); m != "" {
					t.Errorf("metrics cross-check: %s", m)
				}
				t.Logf("%d bytes\n%s", len(rec.Trace), rep.Text(true))
			})
		}
	}
}

// TestRealSTWPreemptions shows the path the spec's stop-the-world
// protocol models (op preempt) in real traces: with 2 Ps, the preempt
// workload's GCs stop the world while CPU-bound goroutines run, and the
// runtime preempts them. The control: with 1 P the
// goroutine that stops the world is the only one running, so the same
// workload's stop-the-worlds preempt none.
func TestRealSTWPreemptions(t *testing.T) {
	w, _ := LookupWorkload("preempt")
	for _, tc := range []struct {
		procs int
		want  bool
	}{{2, true}, {1, false}} {
		_, rep := recordAndCheck(t, w, tc.procs, 1)
		if !rep.OK() {
			t.Fatalf("procs=%d:\n%s", tc.procs, rep.Text(true))
		}
		if rep.StopTheWorlds == 0 {
			t.Fatalf("procs=%d: no stop-the-world in the trace", tc.procs)
		}
		if got := rep.STWPreemptions > 0; got != tc.want {
			t.Errorf("procs=%d: %d goroutines preempted by %d stop-the-worlds; want preemptions: %v",
				tc.procs, rep.STWPreemptions, rep.StopTheWorlds, tc.want)
		}
		t.Logf("procs=%d: %d goroutines preempted by %d stop-the-worlds", tc.procs, rep.STWPreemptions, rep.StopTheWorlds)
	}
}
