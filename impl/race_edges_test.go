//go:build race

package impl

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
	"time"
)

// racyWord is written inside one M's recorded op and read inside another
// M's op that begins 100 ms after the first committed, with nothing
// between the two goroutines that orders them: a data race.
var racyWord int

// TestRecordingAddsNoEdges: free-running recording adds no happens-before
// edge between the Ms (each actor stamps its ops with its own clock reads
// into its own buffer), so the race detector sees a race between two Ms'
// ops even when one op ended long before the other began. With the shared
// counter recording used before, the second op's begin loaded the
// counter the first op's commit had added to, an edge that hid this race
// (checked when the test was written: it passes no race through with the
// counter restored). The test runs the racy pair in a child process of
// the race-enabled test binary and requires the detector's report.
func TestRecordingAddsNoEdges(t *testing.T) {
	if os.Getenv("GEXIT_RACE_CHILD") == "1" {
		racyOps(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRecordingAddsNoEdges$", "-test.count=1")
	cmd.Env = append(os.Environ(), "GEXIT_RACE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !bytes.Contains(out, []byte("WARNING: DATA RACE")) || !bytes.Contains(out, []byte("racyOps")) {
		t.Fatalf("the race between two Ms' recorded ops went unreported (exit %v):\n%s", err, out)
	}
}

func racyOps(t *testing.T) {
	cfg := cfgFor(t, "go", 1, 2, FreeRunning, 1)
	cfg.Record = true
	s := newSched(cfg, Workload{Main: Prog()})
	m0, m1 := &s.ms[0].actor, &s.ms[1].actor
	go func() {
		r := m0.begin(opSchedule)
		racyWord = 1
		m0.commit(&r)
	}()
	time.Sleep(100 * time.Millisecond) // no edge: the detector ignores time
	r := m1.begin(opSchedule)
	_ = racyWord
	m1.commit(&r)
}
