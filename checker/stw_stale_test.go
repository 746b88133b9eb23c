package checker

import (
	"testing"

	"github.com/gexit-dev/gexit/impl"
)

// preemptedSchedule returns the index of the first schedule an M made
// after its G was preempted for a stop-the-world with no gcstopm between
// them (the fault stw-preempted-runs-on), when that schedule overlapped
// another actor's op, so that the spec judges it relaxed; -1 if none.
func preemptedSchedule(h []impl.Event) int {
	iso := Isolated(h)
	preempted := map[int]bool{}
	for i, e := range h {
		switch e.Op {
		case "preempt":
			preempted[e.M] = true
		case "gcstopm", "exit", "goexit", "park", "gosched", "entersyscall":
			preempted[e.M] = false
		case "schedule":
			if preempted[e.M] && !iso[i] {
				return i
			}
			preempted[e.M] = false
		}
	}
	return -1
}

// TestPreemptedMStopsForTheWorld: findRunnable's read of sched.gcwaiting
// is racy, so the spec lets an M that was in findRunnable when a
// stop-the-world began take a G while the world stops, if its schedule
// overlapped another op; an M whose G was preempted for the
// stop-the-world read gcwaiting set (goschedImpl) and must stop. Before
// the spec told the two apart (spec.M.StaleGCRead) it accepted the
// overlapping schedule of the preempted M, so a free-running or
// deterministic run of stw-preempted-runs-on passed wherever that
// schedule overlapped another M's op. Each mode's run where it does is
// now illegal; the same seed without the fault passes (the control).
func TestPreemptedMStopsForTheWorld(t *testing.T) {
	leaf := impl.Prog(impl.Yield(), impl.Yield())
	w := impl.Workload{Main: impl.Prog(impl.Go(leaf), impl.Go(leaf), impl.Go(leaf), impl.Yield(), impl.Yield(), impl.Yield(), impl.Yield()),
		Controller: []impl.CtlStep{{Kind: impl.CtlGC, Arg: 1, After: 8}, {Kind: impl.CtlGC, After: 16}}}
	for _, mode := range []string{"deterministic", "free"} {
		found := false
		for seed := int64(0); seed < 400 && !found; seed++ {
			c := Case{Preset: "small", Ps: 2, Ms: 2, Mode: mode, Seed: seed, Workload: w, Text: w.String(), Faults: []string{"stw-preempted-runs-on"}}
			res := runImpl(t, c)
			at := preemptedSchedule(res.History)
			if at < 0 {
				continue
			}
			found = true
			// The history up to that schedule (every event called by
			// its return: a prefix in real time), judged as a run cut
			// short: only the schedule itself can make it illegal, as
			// the fault changes what comes after it.
			var prefix []impl.Event
			for _, e := range res.History {
				if e.Call <= res.History[at].Return {
					prefix = append(prefix, e)
				}
			}
			cut := *res
			cut.TimedOut = true
			o := judgeHistory(t, c, &cut, prefix)
			t.Logf("%s seed %d: the preempted M's overlapping schedule at event %d, %s; the %d events to it judged %v: %s %s", mode, seed, at, res.History[at], len(prefix), o.Verdict, o.Kind, o.Name)
			if o.Verdict != Illegal {
				t.Errorf("%s seed %d: the preempted M's schedule while the world stops (event %d: %s) judged %v: %s", mode, seed, at, res.History[at], o.Verdict, o.Detail)
			}
			c.Faults = nil
			res = runImpl(t, c)
			if o := judgeHistory(t, c, res, res.History); o.Verdict != Ok {
				t.Errorf("%s seed %d without the fault: judged %v: %s %s %s", mode, seed, o.Verdict, o.Kind, o.Name, o.Detail)
			}
		}
		if !found && mode == "deterministic" {
			t.Fatalf("%s: no seed gave the preempted M an overlapping schedule", mode)
		} else if !found {
			t.Logf("%s: no run gave the preempted M an overlapping schedule", mode)
		}
	}
}
