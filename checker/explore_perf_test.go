package checker

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"testing"

	"github.com/gexit-dev/gexit/spec"
)

// The explorer's optimisations must not change what it explores: for a few
// bounds, the counts (states, transitions, depth, terminal states, the
// coverage of every branch) and the violations with their shortest paths
// are exactly the ones recorded before the explorer was optimised.

func coreBounds(gs int) spec.Bounds {
	// cmd/gexit explore's default: -without system,gc,assist,dirty,
	// syscalls,locks,procresize,stacksize.
	b := spec.DefaultBounds(gs)
	b.NoSystem, b.NoGC, b.NoAssist, b.NoDirty, b.NoSyscalls, b.NoLocks, b.NoProcResize = true, true, true, true, true, true, true
	b.StackSizes = nil
	return b
}

// gcBounds is coreBounds with the gc family (the GC toggle and the mark
// phase's markrootFreeGStacks) and without gosched.
func gcBounds(gs int) spec.Bounds {
	b := coreBounds(gs)
	b.NoGC, b.NoGosched = false, true
	return b
}

// plantedOptions plants TestExploreFindsPlantedBug's lost G and explores
// for every violation.
func plantedOptions(c spec.Consts) ExploreOptions {
	o := ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: coreBounds(3), Depth: 9}
	o.Step = loseStackFreedG
	return o
}

func digestCounts(m map[string]int) uint64 {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	h := fnv.New64a()
	for _, k := range ks {
		fmt.Fprintf(h, "%s=%d;", k, m[k])
	}
	return h.Sum64()
}

func digestViolations(vs []ExploreViolation) uint64 {
	h := fnv.New64a()
	for _, v := range vs {
		fmt.Fprintf(h, "%s|%s|%s|", v.Kind, v.Name, v.Detail)
		for _, st := range v.Path {
			fmt.Fprintf(h, "%v>", st.Op)
		}
		fmt.Fprintf(h, "\n")
	}
	return h.Sum64()
}

// TestExploreCountsUnchanged pins what the explorer reaches under several
// bounds, so that a change meant to make it faster cannot change what it
// explores. A change to the spec's semantics changes these on purpose:
// update them in the same commit and say why (the all-families bounds
// moved when checkdead began to wait for running system goroutines, when
// the mark phase gained its markrootFreeGStacks step, and when handoffp
// began to start an M for the last running P: with 2 Ps and the other one
// idle, a retaken or locked M's P now waits in handoff instead of idling).
// The wakeup protocol (spec/mwake.go) moved every bound: the steps an M
// takes without a P (spin, stopspinning, stopm, wakep) are states of their
// own, so the spaces grew (2P2M2G core from 89,820 to 589,617 states) and
// the depth-bounded rows needed more depth to reach the branches they pin;
// the states where every M sleeps with nothing runnable (all goroutines
// asleep, which checkdead will make terminal) now show as deadlocks.
// Every bound moved when the idle P list became LIFO state that startm
// takes the head of, and exitsyscall gained Go 1.26's paths: the core
// bounds by states only (two idle Ps in either order are two states, each
// with one acquirep per M where one state had two). The 7-G bounds reach
// runqputslow (the ring and runnext full and one more); they were pinned
// when its CAS and its push became two steps (before, at the same depths:
// 20786 and 1039338 states, the push having been part of the runqput).
func TestExploreCountsUnchanged(t *testing.T) {
	c, _ := spec.Preset("small")
	cfg := func(ps, ms int) spec.Config { return spec.Config{Consts: c, Ps: ps, Ms: ms} }
	const (
		goexitDeadlock = "fatal error: no goroutines (main called runtime.Goexit) - deadlock!"
		mainReturned   = "main returned (exit 0)"
	)
	for _, tc := range []struct {
		name  string
		o     ExploreOptions
		long  bool
		want  string
		cov   uint64
		viols int
		vd    uint64
		reach []string // branches the bound must reach
	}{
		{name: "2P2M2G all families, depth 8", o: ExploreOptions{Config: cfg(2, 2), Bounds: spec.DefaultBounds(2), Depth: 8},
			want: `states=32794 transitions=83086 depth=8 complete=false stop="depth" deadlocks=0 exit=1233 goexit-deadlock=572`,
			cov:  0xbf024bc4d7fe3fd2},
		{name: "1P1M3G all families, depth 10", o: ExploreOptions{Config: cfg(1, 1), Bounds: spec.DefaultBounds(3), Depth: 10},
			want: `states=42376 transitions=103386 depth=10 complete=false stop="depth" deadlocks=0 exit=996 goexit-deadlock=828`,
			cov:  0x1560e3abf055f42f},
		{name: "1P1M3G core, complete", o: ExploreOptions{Config: cfg(1, 1), Bounds: coreBounds(3)},
			want: `states=18357 transitions=33977 depth=34 complete=true stop="" deadlocks=501 exit=1104 goexit-deadlock=114`,
			cov:  0x683b26df02aed025},
		{name: "2P2M2G core, complete", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(2)}, long: true,
			want: `states=589617 transitions=1482504 depth=44 complete=true stop="" deadlocks=7596 exit=38232 goexit-deadlock=11988`,
			cov:  0x826ad28d8b4cec5d},
		{name: "2P2M3G core (gexit explore's default), 1.5M states", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(3), MaxStates: 1_500_000}, long: true,
			want: `states=1500000 transitions=3542773 depth=24 complete=false stop="max-states" deadlocks=7613 exit=71414 goexit-deadlock=17054`,
			cov:  0xd2e6791966c4a1ba},
		{name: "2P2M4G core (gexit explore's default before the wakeup protocol), 300k states", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(4), MaxStates: 300_000},
			want: `states=300000 transitions=618376 depth=19 complete=false stop="max-states" deadlocks=993 exit=11207 goexit-deadlock=3576`,
			cov:  0x69b2d06c5bae7a74},
		{name: "2P2M4G all families (the benchmark), 1M states", o: ExploreOptions{Config: cfg(2, 2), Bounds: spec.DefaultBounds(4), MaxStates: 1_000_000}, long: true,
			want: `states=1000000 transitions=2822364 depth=11 complete=false stop="max-states" deadlocks=0 exit=23980 goexit-deadlock=15218`,
			cov:  0xe75d07b4310e286e},
		{name: "1P1M5G core and gc, no gosched, depth 26", o: ExploreOptions{Config: cfg(1, 1), Bounds: gcBounds(5), Depth: 26},
			want:  `states=87086 transitions=224539 depth=26 complete=false stop="depth" deadlocks=0 exit=3287 goexit-deadlock=353`,
			cov:   0x8d5da1c82566bb50,
			reach: []string{"markrootfreegstacks/freed", "markrootfreegstackspush", "exit/spill"}},
		{name: "1P1M7G core, depth 25 (runqputslow's two steps)", o: ExploreOptions{Config: cfg(1, 1), Bounds: coreBounds(7), Depth: 25},
			want:  `states=67969 transitions=117102 depth=25 complete=false stop="depth" deadlocks=674 exit=1769 goexit-deadlock=163`,
			cov:   0x3a60f3fdbfe1c141,
			reach: []string{"runqput/runqputslow", "ready/runqputslow", "runqputslowpush"}},
		{name: "2P2M7G core, depth 23 (runqputslow's window with a thief)", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(7), Depth: 23}, long: true,
			want:  `states=1734454 transitions=3926496 depth=23 complete=false stop="depth" deadlocks=4246 exit=58668 goexit-deadlock=11586`,
			cov:   0x286586e2d3224cfe,
			reach: []string{"runqput/runqputslow", "runqputslowpush", "schedule/steal"}},
		{name: "planted bug, every violation", o: plantedOptions(c),
			want: `states=1226 transitions=1961 depth=9 complete=false stop="depth" deadlocks=2 exit=60 goexit-deadlock=23`,
			cov:  0x7012fe280f77e085, viols: 60, vd: 0x2f6b96065d315881},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.long && (testing.Short() || raceEnabled) {
				// make test runs the long bounds without -race.
				t.Skip("long")
			}
			r, err := Explore(context.Background(), tc.o)
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprintf("states=%d transitions=%d depth=%d complete=%v stop=%q deadlocks=%d exit=%d goexit-deadlock=%d",
				r.States, r.Transitions, r.MaxDepth, r.Complete, r.StoppedBy, r.Deadlocks, r.Terminal[mainReturned], r.Terminal[goexitDeadlock])
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if d := digestCounts(r.Coverage); d != tc.cov {
				t.Errorf("coverage digest %#x, want %#x", d, tc.cov)
			}
			for _, b := range tc.reach {
				if r.Coverage[b] == 0 {
					t.Errorf("branch %s never reached", b)
				}
			}
			if len(r.Violations) != tc.viols {
				t.Fatalf("%d violations, want %d", len(r.Violations), tc.viols)
			}
			if tc.viols > 0 {
				if d := digestViolations(r.Violations); d != tc.vd {
					t.Errorf("violations digest %#x, want %#x", d, tc.vd)
				}
			}
			t.Logf("%.0f states/s, %.1f B/state", r.StatesPerSec, r.BytesPerState)
		})
	}
}
