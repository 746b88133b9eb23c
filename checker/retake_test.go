package checker

import (
	"context"
	"testing"
	"time"

	"github.com/gexit-dev/gexit/impl"
)

// TestRetakeWindowInImplRuns: impl's sysmon resumes the syscalling thread
// before its handoffp (op handoffp, sysmon's next), as the runtime does
// (proc.go:6710-6715), and the spec judges the runs where the thread
// leaves its syscall in between. Control: the same histories without
// sysmon's handoffp are refused (the spec's state keeps the P sysmon
// holds; the implementation's final state does not).
func TestRetakeWindowInImplRuns(t *testing.T) {
	w := impl.Workload{Main: impl.Prog(impl.Go(impl.Prog(impl.Yield(), impl.Yield())), impl.Sys(), impl.Yield()), Retakes: 2}
	windows := 0
	for seed := int64(0); seed < 200 && windows < 5; seed++ {
		c := Case{Preset: "small", Ps: 2, Ms: 2, Mode: "deterministic", Seed: seed, Workload: w, Text: w.String()}
		o, err := RunCase(context.Background(), c, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if o.Verdict != Ok {
			t.Fatalf("seed %d: %v %s %s", seed, o.Verdict, o.Kind, o.Detail)
		}
		ev := o.Run.History
		in := false
		for i, e := range ev {
			if e.M == impl.Sysmon && e.Op == "retake" {
				for _, f := range ev[i+1:] {
					if f.M == impl.Sysmon {
						break
					}
					if f.Op == "exitsyscall" && int64(f.M) == e.Out.Value {
						in = true
						break
					}
				}
			}
		}
		if !in {
			continue
		}
		windows++
		// Control: without sysmon's handoffp the history is refused.
		res := *o.Run
		res.History = nil
		for _, e := range ev {
			if !(e.M == impl.Sysmon && e.Op == "handoffp") {
				res.History = append(res.History, e)
			}
		}
		if len(res.History) == len(ev) {
			t.Fatalf("seed %d: a retake and no handoffp", seed)
		}
		if p := JudgeSafe(context.Background(), c, &res, 5*time.Second); p.Verdict != Illegal {
			t.Fatalf("seed %d: the history without sysmon's handoffp: %v %s", seed, p.Verdict, p.Detail)
		}
	}
	if windows == 0 {
		t.Fatal("no run left its syscall between sysmon's retake and its handoffp")
	}
	t.Logf("%d runs with the window", windows)
}
