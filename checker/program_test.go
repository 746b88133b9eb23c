package checker

import (
	"strings"
	"testing"

	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/spec"
)

// A G runs the program newproc1 was asked to start. With stale-program
// a recycled G keeps the function of the goroutine that last exited on
// it: the second child, which should park, grows its stack again and
// exits. No spec state holds a G's function, and the run was ok in every
// mode; the ops' program stamps now show it. The control: without the
// fault the same program passes.
func TestStaleProgramCaught(t *testing.T) {
	w := impl.Workload{Main: impl.Prog(impl.Go(impl.Prog(impl.Grow())), impl.Yield(), impl.Yield(), impl.Yield(),
		impl.Go(impl.Prog(impl.ParkOn(0))), impl.Yield(), impl.Yield(), impl.ReadyOn(0), impl.Yield(), impl.Yield())}
	for _, mode := range []string{"deterministic", "atomic", "free"} {
		o, _ := runAndJudge(t, testCase(mode, 1, w, "stale-program"))
		if o.Verdict != Illegal || o.Name != "a G ran a program it was not given" || !strings.Contains(o.Detail, "goroutine 3 runs program 2") {
			t.Errorf("%s, stale-program: %s %s %s: %s", mode, o.Verdict, o.Kind, o.Name, o.Detail)
		}
		if o, _ := runAndJudge(t, testCase(mode, 1, w)); o.Verdict != Ok {
			t.Errorf("%s, no fault: %s %s %s: %s", mode, o.Verdict, o.Kind, o.Name, o.Detail)
		}
	}
}

// wrongProgram on recorded stamps: main is program 1; a newproc1 names
// the program and goid of its G; a history without stamps (recorded
// before them) and a goid handed out twice (the goid checks' finding)
// are not judged here.
func TestWrongProgram(t *testing.T) {
	spawn := func(goid int64, prog int) impl.Event {
		return impl.Event{Op: "newproc1", In: impl.Input{Prog: prog}, Out: impl.Output{Goid: goid}}
	}
	step := func(goid int64, prog int) impl.Event { return impl.Event{Op: "gosched", Prog: prog, ProgGoid: goid} }
	for _, tc := range []struct {
		name string
		h    []impl.Event
		at   int
	}{
		{"as started", []impl.Event{step(1, 1), spawn(2, 3), step(2, 3), step(1, 1)}, -1},
		{"no stamps", []impl.Event{{Op: "gosched"}, spawn(2, 0)}, -1},
		{"main runs another", []impl.Event{step(1, 2)}, 0},
		{"a child runs its G's last program", []impl.Event{spawn(2, 2), step(2, 2), spawn(3, 3), step(3, 2)}, 3},
		{"a goid never started", []impl.Event{step(7, 2)}, 0},
		{"a goid handed out twice", []impl.Event{spawn(2, 2), spawn(2, 3), step(2, 2)}, -1},
	} {
		if at, why := wrongProgram(tc.h); at != tc.at || (at >= 0) != (why != "") {
			t.Errorf("%s: at %d (%q), want %d", tc.name, at, why, tc.at)
		}
	}
}

// A G makes its program's steps from the first, each once, in order.
// With stale-pc a recycled G keeps the last goroutine's pc and skips its
// steps; the control: without the fault the same program passes.
func TestStalePCCaught(t *testing.T) {
	w := impl.Workload{Main: impl.Prog(impl.Go(impl.Prog(impl.Grow(), impl.Yield())), impl.Yield(), impl.Yield(), impl.Yield(),
		impl.Go(impl.Prog(impl.Yield(), impl.Grow())), impl.Yield(), impl.Yield(), impl.Yield())}
	for _, mode := range []string{"deterministic", "atomic", "free"} {
		o, _ := runAndJudge(t, testCase(mode, 1, w, "stale-pc"))
		if o.Verdict != Illegal || o.Name != "a G ran its program's steps out of order" {
			t.Errorf("%s, stale-pc: %s %s %s: %s", mode, o.Verdict, o.Kind, o.Name, o.Detail)
		}
		if o, _ := runAndJudge(t, testCase(mode, 1, w)); o.Verdict != Ok {
			t.Errorf("%s, no fault: %s %s %s: %s", mode, o.Verdict, o.Kind, o.Name, o.Detail)
		}
	}
}

// wrongStep on recorded stamps: each goroutine's first op of a step is
// one its program's step makes, steps in order, each once; steps that
// can pass without an op may be skipped; exitsyscall, unstamped ops, a
// history recorded before the stamps and a goid handed out twice (main's
// included) are not judged here.
func TestWrongStep(t *testing.T) {
	prog := impl.Prog(impl.ParkOn(0), impl.Sys(), impl.Yield(), impl.AssistCredit(0), impl.Grow())
	progs := []*impl.Program{impl.Prog(impl.Go(prog)), prog}
	spawn := func(goid int64) impl.Event {
		return impl.Event{Op: "newproc1", Prog: 1, ProgGoid: 1, Step: 1, In: impl.Input{Prog: 2}, Out: impl.Output{Goid: goid}}
	}
	op := func(name string, goid int64, step int) impl.Event {
		return impl.Event{Op: name, Prog: 2, ProgGoid: goid, Step: step}
	}
	for _, tc := range []struct {
		name string
		h    []impl.Event
		want string
	}{
		{"in order", []impl.Event{spawn(2), op("park", 2, 1), op("entersyscall", 2, 2), op("exitsyscall", 2, 3),
			op("gosched", 2, 3), op("growstack", 2, 5), op("exit", 2, 6)}, ""},
		{"a park that took a pending wakeup, no growth", []impl.Event{spawn(2), op("entersyscall", 2, 2), op("gosched", 2, 3), op("exit", 2, 6)}, ""},
		{"no stamps", []impl.Event{spawn(2), {Op: "exit", Prog: 2, ProgGoid: 2}}, ""},
		{"main's goid handed out again", []impl.Event{spawn(1), op("exit", 1, 6)}, ""},
		{"the syscall skipped", []impl.Event{spawn(2), op("gosched", 2, 3)}, "its step 2 (syscall) made no op"},
		{"a step made again", []impl.Event{spawn(2), op("entersyscall", 2, 2), op("gosched", 2, 3), op("entersyscall", 2, 2)}, "a step made again"},
		{"the wrong op for its step", []impl.Event{spawn(2), op("park", 2, 1), op("gosched", 2, 2)}, "whose step makes [entersyscall]"},
		{"past the program's end", []impl.Event{spawn(2), op("park", 2, 1), op("entersyscall", 2, 2), op("gosched", 2, 3), op("exit", 2, 7)}, "which has 5 steps"},
	} {
		_, got := wrongStep(tc.h, progs)
		switch {
		case tc.want == "" && got != "":
			t.Errorf("%s: %s", tc.name, got)
		case tc.want != "" && !strings.Contains(got, tc.want):
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// wrongWakeups on recorded histories: per wait object, parks that went on
// without an op need as many readies that found nobody parked, and a G
// parked at the end needs no wakeup left on its object; a history with
// no stamps, or whose snapshot has no PC, is not judged.
func TestWrongWakeups(t *testing.T) {
	// main: go {ready(0)}; park(0). The child is goid 2.
	child := impl.Prog(impl.ReadyOn(0))
	progs := []*impl.Program{impl.Prog(impl.Go(child), impl.ParkOn(0)), child}
	spawn := impl.Event{Op: "newproc1", Prog: 1, ProgGoid: 1, Step: 1, In: impl.Input{Prog: 2}, Out: impl.Output{Goid: 2}}
	op := func(name string, goid int64, prog, step int) impl.Event {
		return impl.Event{Op: name, Prog: prog, ProgGoid: goid, Step: step}
	}
	live := func(goid int64, status string, pc int) impl.GSnap {
		return impl.GSnap{Goid: goid, Status: status, PC: pc}
	}
	for _, tc := range []struct {
		name  string
		h     []impl.Event
		final []impl.GSnap
		bad   bool
	}{
		// The child readies first (no op: a wakeup left), main's park
		// takes it (no op), both return.
		{"wakeup left and taken", []impl.Event{spawn, op("exit", 2, 2, 2), op("exit", 1, 1, 3)}, nil, false},
		// main parks first (op), the child's ready wakes it (op).
		{"waiter woken", []impl.Event{spawn, op("park", 1, 1, 2), op("ready", 2, 2, 1), op("exit", 2, 2, 2), op("exit", 1, 1, 3)}, nil, false},
		// main went on past its park with no ready before it: the child
		// has not run.
		{"park without wakeup", []impl.Event{spawn, op("exit", 1, 1, 3)}, []impl.GSnap{live(2, "runnable", 0)}, true},
		// The child's ready left a wakeup, and main parked anyway: it
		// waits at the end beside it.
		{"wakeup beside a waiter", []impl.Event{spawn, op("exit", 2, 2, 2), op("park", 1, 1, 2)}, []impl.GSnap{live(1, "waiting", 2)}, true},
		// main parked and the child has not run: nothing pending.
		{"waiter, no wakeup", []impl.Event{spawn, op("park", 1, 1, 2)}, []impl.GSnap{live(1, "waiting", 2), live(2, "runnable", 0)}, false},
		// main is past its park (PC 2) without an op, before its exit:
		// it took the child's wakeup.
		{"wakeup taken, main not yet returned", []impl.Event{spawn, op("exit", 2, 2, 2)}, []impl.GSnap{live(1, "running", 2)}, false},
		// main returned (exit 0) past a park nothing readied: its G
		// stays running in the snapshot.
		{"park without wakeup, then exit(0)", []impl.Event{spawn, op("exit", 1, 1, 3)}, []impl.GSnap{live(1, "running", 2), live(2, "runnable", 0)}, true},
		{"no PC in the snapshot", []impl.Event{spawn, op("exit", 2, 2, 2), op("park", 1, 1, 2)}, []impl.GSnap{live(1, "waiting", 0)}, false},
		{"no stamps", []impl.Event{{Op: "newproc1"}, {Op: "exit"}}, nil, false},
	} {
		m := wrongWakeups(tc.h, progs, &impl.Snapshot{Gs: tc.final})
		if (m != "") != tc.bad {
			t.Errorf("%s: %q, want a violation: %v", tc.name, m, tc.bad)
		}
	}
}

// park-without-wakeup lets main run past a park nothing readies, and
// ready-drops-wakeup leaves no wakeup for the park that comes after the
// ready: both caught in the deterministic modes, where the order is
// fixed, with clean controls. Two Gs parked on one object both wait (a
// queue, as a semaphore's or a channel's): the two readies wake both,
// and main returns.
func TestWakeupFaultsCaught(t *testing.T) {
	alone := impl.Workload{Main: impl.Prog(impl.ParkOn(0))}
	readyFirst := impl.Workload{Main: impl.Prog(impl.Go(impl.Prog(impl.ReadyOn(0))), impl.Yield(), impl.Yield(), impl.Yield(), impl.ParkOn(0))}
	twoWaiters := impl.Workload{Main: impl.Prog(impl.Go(impl.Prog(impl.Go(impl.Prog(impl.ReadyOn(1))))), impl.Go(impl.Prog(impl.ParkOn(1))), impl.Go(impl.Prog(impl.ReadyOn(1))), impl.ParkOn(1))}
	const name = "a wait object's wakeup gained or lost"
	for _, mode := range []string{"deterministic", "atomic"} {
		for _, tc := range []struct {
			w     impl.Workload
			fault string
			end   spec.Terminal
		}{{alone, "park-without-wakeup", spec.AllAsleep}, {readyFirst, "ready-drops-wakeup", spec.MainReturned}, {twoWaiters, "", spec.MainReturned}} {
			if tc.fault != "" {
				if o, _ := runAndJudge(t, testCase(mode, 1, tc.w, tc.fault)); o.Verdict != Illegal || o.Name != name {
					t.Errorf("%s, %s: %s %s %s: %s", mode, tc.fault, o.Verdict, o.Kind, o.Name, o.Detail)
				}
			}
			o, _ := runAndJudge(t, testCase(mode, 1, tc.w))
			if o.Verdict != Ok || o.Final == nil || o.Final.Sched.Terminal != tc.end {
				t.Errorf("%s, %s without a fault: %s %s %s: %s", mode, tc.w, o.Verdict, o.Kind, o.Name, o.Detail)
			}
		}
	}
}
