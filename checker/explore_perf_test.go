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
// checkdead's counters (spec/checkdead.go) then made those states
// terminal ("all goroutines are asleep", asleep=; deadlocks are 0 in every
// row), and moved main's Goexit fatal from the exit after which nothing
// can run to the last M's stopm, so the states between grew the spaces
// (2P2M2G core: 589,617 to 635,625). exitsyscall0's stopm became a step
// of its own (after the unlock that publishes the G, as in the runtime),
// which moved the all-families rows.
// Every bound moved when the idle P list became LIFO state that startm
// takes the head of, and exitsyscall gained Go 1.26's paths: the core
// bounds by states only (two idle Ps in either order are two states, each
// with one acquirep per M where one state had two). The 7-G bounds reach
// runqputslow (the ring and runnext full and one more); they were pinned
// when its CAS and its push became two steps (before, at the same depths:
// 20786 and 1039338 states, the push having been part of the runqput).
// startlockedm became a handoff the locked M completes (its acquirep, a
// step of its own, executes the G), which moved the all-families rows
// (2P2M2G to depth 8: 34,982 to 33,974 states, the handoff now taking two
// steps of the eight).
func TestExploreCountsUnchanged(t *testing.T) {
	c, _ := spec.Preset("small")
	cfg := func(ps, ms int) spec.Config { return spec.Config{Consts: c, Ps: ps, Ms: ms} }
	const (
		goexitDeadlock = "fatal error: no goroutines (main called runtime.Goexit) - deadlock!"
		mainReturned   = "main returned (exit 0)"
		allAsleep      = "fatal error: all goroutines are asleep - deadlock!"
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
			want: `states=33974 transitions=87163 depth=8 complete=false stop="depth" deadlocks=0 exit=1189 goexit-deadlock=40 asleep=42`,
			cov:  0x7076665e6911c947},
		{name: "1P1M3G all families, depth 10", o: ExploreOptions{Config: cfg(1, 1), Bounds: spec.DefaultBounds(3), Depth: 10},
			want: `states=44116 transitions=107765 depth=10 complete=false stop="depth" deadlocks=0 exit=996 goexit-deadlock=55 asleep=68`,
			cov:  0xdbe4e93406f2ef72},
		{name: "1P1M3G core, complete", o: ExploreOptions{Config: cfg(1, 1), Bounds: coreBounds(3)},
			want: `states=18813 transitions=34433 depth=34 complete=true stop="" deadlocks=0 exit=1104 goexit-deadlock=114 asleep=501`,
			cov:  0xdf7e711aeb0d25ae},
		{name: "2P2M2G core, complete", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(2)}, long: true,
			want: `states=635625 transitions=1572072 depth=44 complete=true stop="" deadlocks=0 exit=38232 goexit-deadlock=4176 asleep=7596`,
			cov:  0xf5d275116e5ddb69},
		{name: "2P2M3G core (gexit explore's default), 1.5M states", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(3), MaxStates: 1_500_000}, long: true,
			want: `states=1500000 transitions=3504313 depth=24 complete=false stop="max-states" deadlocks=0 exit=68321 goexit-deadlock=2898 asleep=7344`,
			cov:  0x59762347e97a7741},
		{name: "2P2M4G core (gexit explore's default before the wakeup protocol), 300k states", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(4), MaxStates: 300_000},
			want: `states=300000 transitions=613144 depth=19 complete=false stop="max-states" deadlocks=0 exit=10998 goexit-deadlock=503 asleep=993`,
			cov:  0xbb18ece8d1cd54c6},
		{name: "2P2M4G all families (the benchmark), 1M states", o: ExploreOptions{Config: cfg(2, 2), Bounds: spec.DefaultBounds(4), MaxStates: 1_000_000}, long: true,
			want: `states=1000000 transitions=2841858 depth=11 complete=false stop="max-states" deadlocks=0 exit=22373 goexit-deadlock=391 asleep=464`,
			cov:  0x4e94eff5d4b60523},
		{name: "1P1M5G core and gc, no gosched, depth 26", o: ExploreOptions{Config: cfg(1, 1), Bounds: gcBounds(5), Depth: 26},
			want:  `states=88304 transitions=225313 depth=26 complete=false stop="depth" deadlocks=0 exit=3287 goexit-deadlock=186 asleep=1602`,
			cov:   0xd0b11a00d8c3f10b,
			reach: []string{"markrootfreegstacks/freed", "markrootfreegstackspush", "exit/spill"}},
		{name: "1P1M7G core, depth 25 (runqputslow's two steps)", o: ExploreOptions{Config: cfg(1, 1), Bounds: coreBounds(7), Depth: 25},
			want:  `states=68512 transitions=117645 depth=25 complete=false stop="depth" deadlocks=0 exit=1769 goexit-deadlock=95 asleep=674`,
			cov:   0xd0ee173010eab0da,
			reach: []string{"runqput/runqputslow", "ready/runqputslow", "runqputslowpush"}},
		{name: "2P2M7G core, depth 23 (runqputslow's window with a thief)", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(7), Depth: 23}, long: true,
			want:  `states=1764532 transitions=3980874 depth=23 complete=false stop="depth" deadlocks=0 exit=58668 goexit-deadlock=1779 asleep=4246`,
			cov:   0xdae991d15a25b36a,
			reach: []string{"runqput/runqputslow", "runqputslowpush", "schedule/steal"}},
		{name: "planted bug, every violation", o: plantedOptions(c),
			want: `states=1266 transitions=2029 depth=9 complete=false stop="depth" deadlocks=0 exit=60 goexit-deadlock=1 asleep=2`,
			cov:  0x37bfe7d8a88a7e43, viols: 60, vd: 0x2f6b96065d315881},
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
			got := fmt.Sprintf("states=%d transitions=%d depth=%d complete=%v stop=%q deadlocks=%d exit=%d goexit-deadlock=%d asleep=%d",
				r.States, r.Transitions, r.MaxDepth, r.Complete, r.StoppedBy, r.Deadlocks, r.Terminal[mainReturned], r.Terminal[goexitDeadlock], r.Terminal[allAsleep])
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
