package checker

import (
	"context"
	"testing"
	"time"

	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/spec"
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
		c, o := runOkCase(t, 2, 2, seed, w)
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

// TestHandoffpStepsInImplRuns: impl's handoffp makes the runtime's
// synchronised pieces as ops of its caller (sysmon after a retake, a
// locked M's stoplockedm and mexit): the caller's op makes the unlocked
// reads and records the next step (its value: the sched.lock section, or
// the needspinning store after the CAS of nmspinning 0 -> 1, or startm),
// and the caller's next ops are those steps (handoffplocked,
// handoffpstore, startm), as proc.go:3131-3196 and startm's own sched.lock
// section are. The spec judges these runs ok; the runs show both the
// CAS's path and the sched.lock section's. Controls: the same histories
// without the caller's first handoffp step, or with the caller's read
// recording another next step, are refused.
func TestHandoffpStepsInImplRuns(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ps, ms int
		w      impl.Workload
		caller string
		sysmon bool
		gc     bool // the caller's read must find GC mark work (In.N)
	}{
		{"sysmon", 1, 2, impl.Workload{Main: impl.Prog(impl.Sys(), impl.Yield()), Retakes: 2}, "handoffp", true, false},
		{"sysmon, 2 Ps", 2, 2, impl.Workload{Main: impl.Prog(impl.Sys(), impl.Sys(), impl.Yield(), impl.Sys()), Retakes: 3}, "handoffp", true, false},
		{"stoplockedm", 2, 3, impl.Workload{Main: impl.Prog(impl.Go(impl.Prog(impl.Lock(), impl.ParkOn(0), impl.Ret())), impl.Yield(), impl.Yield(), impl.Yield(), impl.ReadyOn(0), impl.Yield(), impl.Yield())}, "stoplockedm", false, false},
		{"mexit", 2, 3, impl.Workload{Main: impl.Prog(impl.Go(impl.Prog(impl.Lock(), impl.Ret())), impl.Yield(), impl.Yield(), impl.Yield(), impl.Yield())}, "mexit", false, false},
		{"sysmon, GC mark work", 1, 2, impl.Workload{Main: impl.Prog(impl.Yield(), impl.Sys(), impl.Yield(), impl.Sys(), impl.Yield()), Retakes: 3,
			Controller: []impl.CtlStep{{Kind: impl.CtlGC, Arg: 1}}}, "handoffp", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			found := 0
			paths := map[int64]int{}
			for seed := int64(0); seed < 300 && (found < 3 || !tc.gc && len(paths) < 2 && seed < 200); seed++ {
				c, o := runOkCase(t, tc.ps, tc.ms, seed, tc.w)
				ev := o.Run.History
				at, first := -1, -1
				for i, e := range ev {
					if e.Op != tc.caller || e.Out.Value == 0 || (e.M == impl.Sysmon) != tc.sysmon || tc.gc && e.In.N != spec.HandoffGCWork {
						continue
					}
					at = i
					for j := i + 1; j < len(ev); j++ {
						if ev[j].M == e.M {
							if n := ev[j].Op; n != "handoffplocked" && n != "handoffpstore" && n != "startm" {
								t.Fatalf("seed %d: %v's next op is %v, want a step of handoffp", seed, e, ev[j])
							}
							first = j
							break
						}
					}
					break
				}
				if at < 0 || first < 0 {
					continue
				}
				found++
				paths[ev[at].Out.Value]++
				without := *o.Run
				without.History = append(append([]impl.Event(nil), ev[:first]...), ev[first+1:]...)
				if p := JudgeSafe(context.Background(), c, &without, 5*time.Second); p.Verdict != Illegal {
					t.Fatalf("seed %d: the history without handoffp's %s: %v %s", seed, ev[first].Op, p.Verdict, p.Detail)
				}
				other := *o.Run
				other.History = append([]impl.Event(nil), ev...)
				other.History[at].Out.Value = ev[at].Out.Value%int64(spec.HandoffStartm) + 1

				if p := JudgeSafe(context.Background(), c, &other, 5*time.Second); p.Verdict != Illegal {
					t.Fatalf("seed %d: the history with handoffp's read recording step %d, not %d: %v %s", seed, other.History[at].Out.Value, ev[at].Out.Value, p.Verdict, p.Detail)
				}
				if !tc.gc {
					// GC mark work recorded with the GC off.
					gcw := *o.Run
					gcw.History = append([]impl.Event(nil), ev...)
					gcw.History[at].In.N = spec.HandoffGCWork
					if p := JudgeSafe(context.Background(), c, &gcw, 5*time.Second); p.Verdict != Illegal {
						t.Fatalf("seed %d: the history with mark work found by handoffp's read, the GC off: %v %s", seed, p.Verdict, p.Detail)
					}
				}
			}
			if found == 0 {
				t.Fatalf("no run made %s's handoffp", tc.caller)
			}
			t.Logf("%d runs with %s's handoffp; next steps after its reads: %v", found, tc.caller, paths)
		})
	}
}

// runOkCase runs workload w deterministically with seed on preset small
// and requires the spec to judge the run ok.
func runOkCase(t *testing.T, ps, ms int, seed int64, w impl.Workload) (Case, *Outcome) {
	t.Helper()
	c := Case{Preset: "small", Ps: ps, Ms: ms, Mode: "deterministic", Seed: seed, Workload: w, Text: w.String()}
	o, err := RunCase(context.Background(), c, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if o.Verdict != Ok {
		t.Fatalf("seed %d: %v %s %s", seed, o.Verdict, o.Kind, o.Detail)
	}
	return c, o
}
