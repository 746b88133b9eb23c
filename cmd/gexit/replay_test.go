package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gexit-dev/gexit/checker"
	"github.com/gexit-dev/gexit/impl"
)

// A systematic bundle whose case no longer fails (its fault removed, as a
// fix would) is not reproduced: the systematic mode is deterministic, so
// replay neither re-judges the recorded history.json in its place nor
// calls the re-run "another interleaving"; it exits 1 with kind
// not-reproduced and the replay's own verdict, ok, under "replayed".
func TestReplaySystematicBundleWithoutItsFault(t *testing.T) {
	w := impl.Workload{Main: impl.Prog(impl.Go(nil), impl.Yield(), impl.Yield(), impl.Go(nil), impl.Exit())}
	c := checker.Case{Preset: "small", Ps: 1, Ms: 1, Mode: "systematic", Workload: w, Text: w.String(), Faults: []string{"goid-reuse"}}
	o, err := checker.RunCase(context.Background(), c, 5*time.Second)
	if err != nil || o.Verdict != checker.Illegal {
		t.Fatalf("planted run: %v %+v", err, o)
	}
	o.Case.Faults = nil
	dir, err := checker.WriteBundle(t.TempDir(), checker.BundleInfo{Outcome: o})
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cliRun(t, "replay", "-json", dir)
	var out struct {
		Source, Verdict, Kind string
		Exit                  int
		Reproduced            bool
		Replayed              struct{ Verdict string }
		Rerun                 any
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("exit %d, -json output %v:\n%s%s", code, err, stdout, stderr)
	}
	if code != exitViolation || out.Exit != exitViolation || out.Source != "bundle" || out.Reproduced || out.Kind != "not-reproduced" ||
		out.Verdict != "illegal" || out.Replayed.Verdict != "ok" || out.Rerun != nil {
		t.Fatalf("exit %d: %+v\n%s", code, out, stdout)
	}
	code, stdout, _ = cliRun(t, "replay", dir)
	if code != exitViolation || !strings.Contains(stdout, "NOT REPRODUCED") || strings.Contains(stdout, "free-running") ||
		!strings.HasSuffix(stdout, "verdict: violation (not reproduced)\n") {
		t.Fatalf("exit %d:\n%s", code, stdout)
	}
}
