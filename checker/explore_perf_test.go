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
			want: `states=79139 transitions=217490 depth=8 complete=false stop="depth" deadlocks=0 exit=2559 goexit-deadlock=1092`,
			cov:  0x158420b7a572cab2},
		{name: "1P1M3G all families, depth 10", o: ExploreOptions{Config: cfg(1, 1), Bounds: spec.DefaultBounds(3), Depth: 10},
			want: `states=106952 transitions=278374 depth=10 complete=false stop="depth" deadlocks=0 exit=1995 goexit-deadlock=1921`,
			cov:  0xeaa1b56caea5a38d},
		{name: "1P1M3G core, complete", o: ExploreOptions{Config: cfg(1, 1), Bounds: coreBounds(3)},
			want: `states=11952 transitions=28073 depth=25 complete=true stop="" deadlocks=0 exit=1104 goexit-deadlock=114`,
			cov:  0xd4948e7c90a8f3a9},
		{name: "2P2M2G core, complete", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(2)},
			want: `states=89820 transitions=286356 depth=28 complete=true stop="" deadlocks=0 exit=9864 goexit-deadlock=2412`,
			cov:  0x6a8d2f3b6df32bde},
		{name: "2P2M3G core, complete", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(3)}, long: true,
			want: `states=760176 transitions=2789580 depth=33 complete=true stop="" deadlocks=0 exit=86112 goexit-deadlock=8892`,
			cov:  0x149b548862c59f15},
		{name: "2P2M4G core (gexit explore's default), 300k states", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(4), MaxStates: 300_000},
			want: `states=300000 transitions=805508 depth=15 complete=false stop="max-states" deadlocks=0 exit=14957 goexit-deadlock=1923`,
			cov:  0x2261cb3b9f383ab4},
		{name: "2P2M4G all families (the benchmark), 1M states", o: ExploreOptions{Config: cfg(2, 2), Bounds: spec.DefaultBounds(4), MaxStates: 1_000_000}, long: true,
			want: `states=1000000 transitions=2908422 depth=10 complete=false stop="max-states" deadlocks=0 exit=23429 goexit-deadlock=8973`,
			cov:  0x067da7511848abad},
		{name: "1P1M5G core and gc, no gosched, depth 20", o: ExploreOptions{Config: cfg(1, 1), Bounds: gcBounds(5), Depth: 20},
			want:  `states=52549 transitions=142921 depth=20 complete=false stop="depth" deadlocks=0 exit=2085 goexit-deadlock=248`,
			cov:   0xe77d39f857679763,
			reach: []string{"markrootfreegstacks/freed", "markrootfreegstackspush", "exit/spill"}},
		{name: "1P1M7G core, depth 17 (runqputslow's two steps)", o: ExploreOptions{Config: cfg(1, 1), Bounds: coreBounds(7), Depth: 17},
			want:  `states=20781 transitions=39087 depth=17 complete=false stop="depth" deadlocks=0 exit=560 goexit-deadlock=87`,
			cov:   0xdcc5c4381ec453ff,
			reach: []string{"runqput/runqputslow", "runqputslowpush"}},
		{name: "2P2M7G core, depth 18 (runqputslow's window with a thief)", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(7), Depth: 18}, long: true,
			want:  `states=1039291 transitions=3021739 depth=18 complete=false stop="depth" deadlocks=0 exit=51774 goexit-deadlock=3998`,
			cov:   0x63ecea2e5230f17c,
			reach: []string{"runqput/runqputslow", "ready/runqputslow", "runqputslowpush", "schedule/steal"}},
		{name: "planted bug, every violation", o: plantedOptions(c),
			want: `states=3453 transitions=6633 depth=9 complete=false stop="depth" deadlocks=0 exit=181 goexit-deadlock=48`,
			cov:  0x56099b56377e43c3, viols: 207, vd: 0x62fcad716dd0e7fe},
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
