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
	// syscalls,locks,procresize,stacksize,goyield.
	b := spec.DefaultBounds(gs)
	b.NoSystem, b.NoGC, b.NoAssist, b.NoDirty, b.NoSyscalls, b.NoLocks, b.NoProcResize, b.NoGoyield = true, true, true, true, true, true, true, true
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

// plantedThrowOptions is a 2P2M2G core bound, depth 12, with a planted
// throw: an exit that frees the G's stack throws.
func plantedThrowOptions(c spec.Consts) ExploreOptions {
	return ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: coreBounds(2), Depth: 12, Step: func(s *spec.State, op spec.Op) (spec.Result, error) {
		r, err := s.Apply(op)
		if err == nil && op.Kind == spec.OpExit && r.StackFreed {
			return r, &spec.Throw{Msg: "planted", Func: "test"}
		}
		return r, err
	}}
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
// (2P2M2G core: 589,617 to 635,625). exitsyscallNoP's stopm became a step
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
// steps of the eight). runqput's kick became two steps (the CAS on
// runnext, then runqputkick's put of the old runnext on the ring), which
// moved every bound with a kick in reach (1P1M3G core: 18,813 to 19,101
// states; the 2-G rows have no kick and did not move). wakep then became
// the runtime's atomic steps (resetspinning's decrement, the CAS of
// nmspinning 0 -> 1, the sched.lock section with pidleget and startm),
// which moved every row (2P2M2G core: 635,625 to 951,759 states; 1P1M3G
// core: 19,101 to 24,003); the 7-G rows needed depths 31 and 27 to reach
// runqputslow's push (the kick is now the step that takes the batch).
// A spinning M that finds a G locked to another M then began to make
// resetspinning's wakep before its startlockedm (a step of its own), as
// proc.go's schedule does, where the spec had handed the P over first and
// let the locked M run before the wakep: the all-families rows moved, and
// shrank (2P2M2G to depth 8: 22,251 to 21,803 states). A locked M's
// gosched then began to make its wakep as the usual steps and
// stoplockedm (releasep, handoffp, incidlelocked(1)) became a step of its
// own after it and after a locked M's park, as proc.go's goschedImpl and
// park_m unlock first: the all-families rows moved again (2P2M2G to depth
// 8: 21,803 to 21,891 states; 1P1M3G to depth 10: 21,319 to 22,258).
// wakep's sched.lock section and its startm's became two steps, as
// proc.go's wakep unlocks between pidlegetSpinning and startm (the P is
// wakep's local in between, M.StartmP): every bound with 2 Ps moved
// (2P2M2G core: 951,759 to 1,023,291 states), the 2P2M7G row needs depth
// 28 to reach runqputslow's push, and the planted bug has 12 violations
// within depth 9 where it had 24 (its paths are a step longer). The
// stopm after a non-spinning M's stop path then became a step of its own,
// as findRunnable unlocks after pidleput and stopm takes sched.lock again
// for mput: every 2-P bound moved (2P2M2G core: 1,023,291 to 1,210,833 states).
// The recheck of an M that dropped its P while spinning then became a step
// of its own before that stopm (op recheck), as findRunnable unlocks after
// it: every bound moved (2P2M2G core: 1,210,833 to 1,256,427 states;
// 1P1M3G core: 24,003 to 24,618), and the fatal errors at the bounded
// depths fell, checkdead running a step later. exitsyscallNoP's
// stoplockedm of a locked M then became a step of its own after the unlock
// that publishes its G (its incidlelocked(1) had been part of the
// exitsyscall): the all-families rows moved (2P2M2G to depth 8: 18,935 to
// 19,012 states). A locked G's exit and its thread's mexit (handoffp,
// nmfreed++, checkdead) then became two steps, as gdestroy does gfput
// without sched.lock and mexit takes it later: the all-families rows
// moved again (2P2M2G to depth 8: 19,012 to 19,005 states; 1P1M3G to
// depth 10: 22,463 to 22,743). The recheck that finds global work then
// began to take the global batch in the sched.lock section that takes the
// P, and to run its first G, as proc.go's findRunnable does (before, the
// P was taken and the G left for a schedule step after it, which another
// M could empty the queue before), checkRunqsNoP's path staying open with
// global work put there after that section: the 2-P bounds with a
// recheck in reach moved (2P2M2G core: 1,256,427 to 1,249,875 states).
// sched.needspinning then became state (set by a pidlegetSpinning that finds
// no idle P, cleared by becomeSpinning): every bound grew, the flag staying
// set until an M spins (2P2M2G core: 1,249,875 to 2,012,958 states; 1P1M3G
// core: 24,618 to 24,636). mexit's `nmfreed++; checkdead()` then became a
// step of its own after its handoffp (op mfreed), as mexit takes sched.lock
// for it after handoffp's sections: the all-families rows moved (2P2M2G to
// depth 8: 19,058 to 19,328 states; 1P1M3G to depth 10: 22,743 to 22,888);
// the core rows, without locked threads, did not. findRunnable's global
// batch then became the runtime's two steps (the sched.lock section that
// takes it, then runqputbatch of its rest after the unlock, op
// runqputbatch), and the recheck of an M that dropped its P while
// spinning three (its sched.lock section takes the idle P and the batch,
// op recheck; runqputbatch onto that P; `acquirep(pp);
// mp.becomeSpinning()`, op acquirep), where each had been one step: every
// core bound grew (2P2M2G core: 2,012,958 to 2,435,976 states; 1P1M3G
// core: 24,636 to 25,536; the default bound 15,644,934 to 18,804,096
// reduced); the depth-bounded all-families rows reach no batch with a
// rest and did not move. runqsteal's tail store, which publishes what
// runqgrab's CAS took beyond the first, then became a step of its own
// (op runqstealtail): only the 2P2M7G row reaches a steal of two or more
// (a victim ring of three), and moved (3,948,538 to 3,947,603 states at
// depth 28); the default bound, with 3 Gs, never steals two. procresize
// then stopped running while the GC marks (stopTheWorldGC waits for its
// end): 2P2M2G all families to depth 8 went from 14,164 to 13,926 states.
// newproc1 then made its goid batch fetch itself (proc.go:5390-5400),
// where goidrefill had been an op of its own after which the M could do
// anything else while its P held a whole untouched batch, a state the
// runtime never reaches: every bound that spawns shrank (2P2M2G core:
// 2,435,976 to 1,086,516 states; 1P1M3G core: 25,536 to 17,184; the
// depth-bounded rows moved both ways, their frontier moving).
// startTheWorldWithSema's wakep then became the controller's steps after
// every stop-the-world (proc.go:1819-1822), where the spec had woken no M
// after a procresize or a GC toggle: the rows with gc or procresize moved
// (2P2M2G all families to depth 8: 12,866 to 18,115 states; 1P1M5G core
// and gc to depth 26: 28,009 to 140,825); the core rows did not. Go
// 1.26's gdestroy then also cleared fipsOnlyBypass and secret, and
// newproc1 gave every new G, system ones too, its creator's fipsOnlyBypass:
// the all-families rows, whose dirty Gs spawn system Gs, moved (2P2M2G to
// depth 8: 18,115 to 18,341 states; 1P1M3G to depth 10: 27,202 to
// 29,242); the core rows, without dirty, did not. The relaxed schedule
// while the world stops then became an M's only if it was in findRunnable
// when the stop-the-world set gcwaiting (spec.M.StaleGCRead), where every
// M with a P and no G had it: the rows with gc moved both ways, the flag
// telling apart states that had merged (2P2M2G all families to depth 8:
// 14,300 to 14,475 states; 1P1M5G core and gc to depth 26: 91,453 to
// 88,718; the flag's rules as a review of proc.go left them: not after
// the M's own spin, nor while it holds what it found, and for newm's
// thread); the core rows did not. handoffp's racy read of sched.runq
// then began to miss a G put there since (spec.HandoffSawNoGlobal): the
// all-families rows moved (2P2M2G to depth 8: 14,475 to 14,542 states).
// findRunnable's recheck then became a step per sched.lock section (the
// global queue's, then checkRunqsNoP's, M.RecheckRunqs), where one step
// had made both and offered RecheckGlobalNoP for what came between: every
// row moved (2P2M2G core: 2,217,222 to 2,463,642 states; 1P1M3G core:
// 25,702 to 25,288, the needspinning outcome no longer offered where no
// section could store it; 2P2M2G all families to depth 8: 14,542 to
// 14,489). goyield then joined the ops (goyield_m, the family goyield,
// off in the core rows): the all-families rows moved (2P2M2G to depth 8:
// 14,489 to 20,817 states; 1P1M3G to depth 10: 23,487 to 38,554). Then
// newm's thread came to run in the slot of an M whose thread exited
// (acquirep/newm; before, an exited M never acted again): only the
// 1M-state benchmark row moved (1,925,902 to 1,925,909 transitions).
// Then findRunnable's local runqget came to be offered beside the 61st
// tick's pick (its read of the global queue is racy, and a concurrent
// put and steal can come between the two): every complete row kept its
// states and gained transitions (2P2M2G core: 5,875,470 to 5,891,598),
// and the depth- and state-bounded rows moved (1P1M7G to depth 31:
// 80,316 to 106,107 states; 2P2M7G to depth 28: 5,070,316 to 5,755,035,
// then cut to depth 26 for make test's time, 2,583,594 states, where
// runqputslow's window and runqsteal's tail store are still reached).
// Then the recheck's checkIdleGCNoP store (spec.RecheckIdleGC: needspinning
// with the GC marking, no work and no idle P) joined the recheck's last
// step: every row kept its states (the relaxed RecheckFound outcome
// reached the same state) and the rows with the GC gained transitions
// (2P2M4G all families, 1M states: 1,928,289 to 1,928,295; 1P1M5G core
// and gc to depth 26: 164,915 to 165,458). The strict order and impl's
// sysmon probes before it moved no row. Then handoffp's loads of
// nmspinning and npidle and its CAS came to be split
// (spec.HandoffSawNoHelp: the CAS path with a P idle, where the loads saw
// both 0 at different times): only the rows with handoffp (syscalls,
// locks) moved (2P2M2G all families to depth 8: 20,819 to 21,185 states;
// 2P2M4G all families, 1M states: depth 13 to 12). mexit's clearing of
// pp.oldm moved no row. Then checkIdleGCNoP's section came to follow
// checkRunqsNoP's as a step of its own where that found work and no idle
// P while the GC marked (M.Recheck with M.Stopping): the rows with the GC
// moved (1P1M5G core and gc to depth 26: 87,621 to 88,351 states; the 1M
// row's transitions).
func TestExploreCountsUnchanged(t *testing.T) {
	if raceEnabled {
		// make test runs every row without -race; the race detector's
		// runs of the explorer with several workers are
		// TestExploreWorkers*. Under -race the short rows took 30 s.
		t.Skip("make test runs it without -race")
	}
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
			reach: []string{"goyield"},
			want:  `states=21185 transitions=34947 depth=8 complete=false stop="depth" deadlocks=0 exit=1128 goexit-deadlock=18 asleep=32`,
			cov:   0x1c4f43699039d1c3},
		{name: "1P1M3G all families, depth 10", o: ExploreOptions{Config: cfg(1, 1), Bounds: spec.DefaultBounds(3), Depth: 10},
			want:  `states=38866 transitions=63746 depth=10 complete=false stop="depth" deadlocks=149 exit=1000 goexit-deadlock=18 asleep=36`,
			cov:   0x4f16efc0361bd3fb,
			reach: []string{"stoplockedm/handoffp", "gc/stacksize"}},
		{name: "1P1M3G core, complete", o: ExploreOptions{Config: cfg(1, 1), Bounds: coreBounds(3)},
			want: `states=25288 transitions=37606 depth=42 complete=true stop="" deadlocks=0 exit=740 goexit-deadlock=78 asleep=336`,
			cov:  0x588182f473a0d8b2},
		{name: "2P2M2G core, complete", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(2)}, long: true,
			reach: []string{"recheck/global", "recheck/runqs", "recheck/global-needspinning", "recheck/runqs-needspinning", "runqputbatch", "spin/recheck-global"},
			want:  `states=2463642 transitions=5891598 depth=58 complete=true stop="" deadlocks=0 exit=65196 goexit-deadlock=3744 asleep=6768`,
			cov:   0x613f4104820ebe0e},
		{name: "2P2M3G core (gexit explore's default), 1.5M states", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(3), MaxStates: 1_500_000}, long: true,
			want: `states=1500000 transitions=3134777 depth=25 complete=false stop="max-states" deadlocks=0 exit=39096 goexit-deadlock=320 asleep=848`,
			cov:  0x285c4a30cd6e0244},
		{name: "2P2M4G core (gexit explore's default before the wakeup protocol), 300k states", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(4), MaxStates: 300_000},
			want: `states=300000 transitions=568944 depth=21 complete=false stop="max-states" deadlocks=0 exit=6308 goexit-deadlock=61 asleep=125`,
			cov:  0x10385742864c46b1},
		{name: "2P2M4G all families (the benchmark), 1M states", o: ExploreOptions{Config: cfg(2, 2), Bounds: spec.DefaultBounds(4), MaxStates: 1_000_000}, long: true,
			want:  `states=1000000 transitions=1930308 depth=12 complete=false stop="max-states" deadlocks=0 exit=17260 goexit-deadlock=76 asleep=131`,
			cov:   0xef6b452c11afb739,
			reach: []string{"startlockedm", "acquirep/startlockedm", "stoplockedm/handoffp", "acquirep/newm"}},
		{name: "1P1M5G core and gc, no gosched, depth 26", o: ExploreOptions{Config: cfg(1, 1), Bounds: gcBounds(5), Depth: 26},
			want:  `states=88351 transitions=166619 depth=26 complete=false stop="depth" deadlocks=0 exit=1313 goexit-deadlock=94 asleep=392`,
			cov:   0x49427707cc1c8429,
			reach: []string{"markrootfreegstacks/freed", "markrootfreegstackspush", "exit/spill", "recheck/idlegc-needspinning"}},
		{name: "1P1M7G core, depth 31 (runqputslow's two steps)", o: ExploreOptions{Config: cfg(1, 1), Bounds: coreBounds(7), Depth: 31},
			want:  `states=106107 transitions=159009 depth=31 complete=false stop="depth" deadlocks=0 exit=2403 goexit-deadlock=80 asleep=528`,
			cov:   0x1fb7af676fe6d65,
			reach: []string{"runqputkick/runqputslow", "ready/kick", "runqputslowpush"}},
		{name: "2P2M7G core, depth 26 (runqputslow's window with a thief)", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(7), Depth: 26}, long: true,
			want:  `states=2583594 transitions=5330079 depth=26 complete=false stop="depth" deadlocks=0 exit=79850 goexit-deadlock=448 asleep=1256`,
			cov:   0xb756c0565af72338,
			reach: []string{"runqputkick/runqputslow", "runqputslowpush", "schedule/steal", "runqstealtail"}},
		{name: "3P2M1G core, every reduction (the P symmetry's)", o: ExploreOptions{Config: cfg(3, 2), Bounds: coreBounds(1), POR: true, Reduce: spec.AllReductions}, long: true,
			want: `states=203391 transitions=456354 depth=65 complete=true stop="" deadlocks=0 exit=3888 goexit-deadlock=972 asleep=162`,
			cov:  0xa8b566f92c09ce78},
		{name: "3P2M2G core, every reduction (the P symmetry's)", o: ExploreOptions{Config: cfg(3, 2), Bounds: coreBounds(2), POR: true, Reduce: spec.AllReductions}, long: true,
			want: `states=5150439 transitions=12313458 depth=65 complete=true stop="" deadlocks=0 exit=101952 goexit-deadlock=11340 asleep=6210`,
			cov:  0xe0361f91e48b185f},
		{name: "planted bug, every violation", o: plantedOptions(c),
			want: `states=360 transitions=511 depth=9 complete=false stop="depth" deadlocks=0 exit=21 goexit-deadlock=1 asleep=2`,
			cov:  0xb441f0f5f5c066d9, viols: 10, vd: 0x98b8fffa28d480b3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.long && testing.Short() {
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
