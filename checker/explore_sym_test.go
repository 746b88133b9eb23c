package checker

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/gexit-dev/gexit/spec"
)

// The fingerprint's optional reductions (ExploreOptions.Reduce: symmetry
// over the Ms but m0, the GC assist credit) must find what the exploration
// without them finds. For every bound below the reduced and the
// unreduced exploration give the same verdict, end the program the same
// ways and reach the same branches; for every planted spec fault they find
// violations of the same kinds, the first one too. Both run with the
// partial-order reduction, as gexit explore does by default. The tests log
// the reduction factor per bound.

// symBounds are the partial-order reduction's bounds (porBounds) and more
// with three or four Ms (where the M symmetry applies) and with the GC and
// assist families (where the assist abstraction applies).
func symBounds() []porBound {
	small, _ := spec.Preset("small")
	cfg := func(ps, ms int) spec.Config { return spec.Config{Consts: small, Ps: ps, Ms: ms} }
	with := func(b spec.Bounds, f func(*spec.Bounds)) spec.Bounds { f(&b); return b }
	assist := func(gs int) spec.Bounds {
		return with(coreBounds(gs), func(b *spec.Bounds) { b.NoGC, b.NoAssist = false, false })
	}
	all := func(gs int, f func(*spec.Bounds)) spec.Bounds { return with(spec.DefaultBounds(gs), f) }
	bs := porBounds()
	bs = append(bs,
		porBound{name: "1P3M2G core", o: ExploreOptions{Config: cfg(1, 3), Bounds: coreBounds(2)}, race: true},
		porBound{name: "2P3M2G core, depth 22", o: ExploreOptions{Config: cfg(2, 3), Bounds: coreBounds(2), Depth: 22}},
		porBound{name: "2P4M1G core", o: ExploreOptions{Config: cfg(2, 4), Bounds: coreBounds(1)}},
		// Complete, 1.38M states unreduced: 43 s under -race, so -race
		// runs it to depth 24 (152k states).
		porBound{name: "1P1M2G gc and assist", o: ExploreOptions{Config: cfg(1, 1), Bounds: assist(2)}},
		porBound{name: "1P1M2G gc and assist, depth 24", o: ExploreOptions{Config: cfg(1, 1), Bounds: assist(2), Depth: 24}, race: true},
		porBound{name: "2P2M2G gc and assist, depth 16", o: ExploreOptions{Config: cfg(2, 2), Bounds: assist(2), Depth: 16}},
		porBound{name: "1P2M3G gc and assist, depth 20", o: ExploreOptions{Config: cfg(1, 2), Bounds: assist(3), Depth: 20}},
		porBound{name: "2P3M1G syscalls and locks", o: ExploreOptions{Config: cfg(2, 3),
			Bounds: with(coreBounds(1), func(b *spec.Bounds) { b.NoSyscalls, b.NoLocks = false, false })}},
		porBound{name: "2P2M1G all families, depth 16", o: ExploreOptions{Config: cfg(2, 2), Bounds: spec.DefaultBounds(1), Depth: 16}},
		porBound{name: "1P3M1G all families but procresize and stacksize", o: ExploreOptions{Config: cfg(1, 3),
			Bounds: all(1, func(b *spec.Bounds) { b.NoProcResize, b.StackSizes = true, nil })}},
		porBound{name: "1P1M2G all families but stacksize, depth 22", o: ExploreOptions{Config: cfg(1, 1),
			Bounds: all(2, func(b *spec.Bounds) { b.StackSizes = nil }), Depth: 22}},
		porBound{name: "2P3M2G all families, depth 10", o: ExploreOptions{Config: cfg(2, 3), Bounds: spec.DefaultBounds(2), Depth: 10}},
		// Three Ps, where the P symmetry merges most (it applies
		// without gc and procresize: spec.Bounds.PSymmetric).
		porBound{name: "3P2M2G core, depth 16", o: ExploreOptions{Config: cfg(3, 2), Bounds: coreBounds(2), Depth: 16}, race: true},
		porBound{name: "3P2M1G core", o: ExploreOptions{Config: cfg(3, 2), Bounds: coreBounds(1)}},
		porBound{name: "3P2M1G syscalls, locks and gosched, depth 14", o: ExploreOptions{Config: cfg(3, 2),
			Bounds: with(coreBounds(1), func(b *spec.Bounds) { b.NoSyscalls, b.NoLocks = false, false }), Depth: 14}, race: true},
	)
	return bs
}

// reducePair explores o without any reduction of spec.Reduction and
// with those in red; both with the partial-order reduction, as gexit
// explore does by default.
func reducePair(red spec.Reduction) reductionPair {
	return func(t *testing.T, o ExploreOptions) (full, reduced *ExploreResult) {
		t.Helper()
		o.POR, o.Workers = true, 2
		// A planted fault that breaks the partial-order reduction's
		// independence too (a relinked idle list: the woken M's
		// acquirep no longer commutes with stopm) stops a run with
		// it, as it must: compare the two without it.
		fo := o
		fo.Reduce = 0
		f, err := Explore(context.Background(), fo)
		if err != nil && strings.Contains(err.Error(), "independence fails") {
			o.POR = false
			return explorePair(t, o, func(o *ExploreOptions) { o.Reduce = 0 }, func(o *ExploreOptions) { o.Reduce = red })
		}
		if err != nil {
			t.Fatal(err)
		}
		ro := o
		ro.Reduce = red
		r, err := Explore(context.Background(), ro)
		if err != nil {
			t.Fatal(err)
		}
		return f, r
	}
}

// symPair explores o without and with the fingerprint's reductions (the
// G-writes reduction, which changes the moves and so the length of
// shortest paths, has its own pair: gwritesPair).
var symPair = reducePair(spec.ReduceMs | spec.ReduceAssist | spec.ReducePs)

// The exploration with every reduction (gexit explore's default) gives
// the unreduced one's verdict on every bound, and reduces some. (Depth-bounded runs cut the two graphs at the
// same depth, a class being met at its shallowest member's, but the
// deepest state can be shallower reduced.)
func TestReduceEquivalentVerdicts(t *testing.T) {
	skip := func(b porBound) bool { return (raceEnabled || testing.Short()) && !b.race }
	checkEquivalentVerdicts(t, symBounds(), skip, reducePair(spec.AllReductions), nil)
}

// secondFirst relinks an idle list (its head, then each entry's link)
// with its second entry first, and loses the rest of it.
func secondFirst(head *int8, link func(int8) *int8) {
	if *head == spec.None || *link(*head) == spec.None {
		return
	}
	first := *head
	second := *link(first)
	*link(first) = spec.None
	*link(second) = first
	*head = second
}

// symFaults are the partial-order reduction's planted faults (porFaults)
// and faults in what the reductions abstract: an M's identity and the
// assist credit.
func symFaults() []plantedFault {
	return append(porFaults(),
		plantedFault{"mexit leaves the P's m", func(s *spec.State, op spec.Op) (spec.Result, error) {
			// An exiting M (not m0) keeps a stale pp.m on the P it
			// handed off: PLinks sees it whichever M exits.
			p := spec.None
			if op.M > 0 {
				p = int(s.Ms[op.M].P)
			}
			r, err := s.Apply(op)
			if err == nil && r.Locked == spec.LockedMexit && p != spec.None && s.Ps[p].M == spec.None {
				s.Ps[p].M = op.M
			}
			return r, err
		}},
		plantedFault{"mget takes the idle list's tail", func(s *spec.State, op spec.Op) (spec.Result, error) {
			// Relink the idle M list tail first after every op: the
			// order is structure the M renaming carries. Longer lists
			// lose their rest: NMIdle then disagrees with the parked
			// flags.
			r, err := s.Apply(op)
			if err == nil {
				secondFirst(&s.Sched.Midle, func(m int8) *int8 { return &s.Ms[m].Link })
			}
			return r, err
		}},
		plantedFault{"pidleget takes the idle list's second P", func(s *spec.State, op spec.Op) (spec.Result, error) {
			// The same with the idle P list: its order is structure
			// the P renaming carries.
			r, err := s.Apply(op)
			if err == nil {
				secondFirst(&s.Sched.Pidle, func(p int8) *int8 { return &s.Ps[p].Link })
			}
			return r, err
		}},
		plantedFault{"gdestroy flushes an assist credit twice", func(s *spec.State, op spec.Op) (spec.Result, error) {
			// Reads only what the assist abstraction keeps (a credit
			// while marking), so it must still be found.
			credit := false
			if (op.Kind == spec.OpExit || op.Kind == spec.OpGoexit) && op.M >= 0 && s.Ms[op.M].Curg != spec.None {
				credit = s.Sched.GCBlacken && s.Gs[s.Ms[op.M].Curg].GCAssist > 0
			}
			r, err := s.Apply(op)
			if err == nil && credit && r.G != spec.None {
				s.Gs[r.G].GCAssist = 1
			}
			return r, err
		}},
	)
}

// For every planted fault, the reduced exploration finds violations of the
// same kinds as the unreduced one (every violation), and its first
// violation is of the unreduced one's first kind, as short; its path
// replays.
func TestReduceFindsPlantedFaults(t *testing.T) {
	c, _ := spec.Preset("small")
	cfg := func(ps, ms int) spec.Config { return spec.Config{Consts: c, Ps: ps, Ms: ms} }
	bounds := []porBound{
		{name: "2P3M2G core, depth 12", o: ExploreOptions{Config: cfg(2, 3), Bounds: coreBounds(2), Depth: 12}},
		{name: "3P2M2G core, depth 14", o: ExploreOptions{Config: cfg(3, 2), Bounds: coreBounds(2), Depth: 14}},
		{name: "2P3M1G syscalls and locks, no gosched, depth 14", race: true, o: ExploreOptions{Config: cfg(2, 3),
			Bounds: func() spec.Bounds {
				b := coreBounds(1)
				b.NoSyscalls, b.NoLocks, b.NoGosched = false, false, true
				return b
			}(), Depth: 14}},
		{name: "1P2M2G locks, gc and assist, depth 16", race: true, o: ExploreOptions{Config: cfg(1, 2),
			Bounds: func() spec.Bounds { b := coreBounds(2); b.NoLocks, b.NoGC, b.NoAssist = false, false, false; return b }(), Depth: 16}},
	}
	if raceEnabled {
		// The explorer's concurrency is the workers tests'.
		t.Skip("make test runs every bound without -race (6 s; about 10x that under it)")
	}
	skip := func(_ plantedFault, b porBound) bool { return testing.Short() && !b.race }
	checkFindsPlantedFaults(t, symFaults(), bounds, skip, symPair, true)
}

// The reductions are refused with liveness.
func TestReduceNotWithLiveness(t *testing.T) {
	c, _ := spec.Preset("small")
	o := ExploreOptions{Config: spec.Config{Consts: c, Ps: 1, Ms: 1}, Bounds: coreBounds(1), Reduce: spec.ReduceMs, Liveness: true}
	if _, err := Explore(context.Background(), o); err == nil || !strings.Contains(err.Error(), "liveness") {
		t.Fatalf("reductions with liveness: %v", err)
	}
}

// The collision bound grows with the orders of the Ps ReducePs compares,
// and only where it applies.
func TestOrbitCollisionFactor(t *testing.T) {
	c, _ := spec.Preset("small")
	o := func(ps int, red spec.Reduction, b spec.Bounds) ExploreOptions {
		return ExploreOptions{Config: spec.Config{Consts: c, Ps: ps, Ms: 2}, Bounds: b, Reduce: red}
	}
	for _, tc := range []struct {
		o    ExploreOptions
		want float64
	}{
		{o(3, spec.ReduceMs, coreBounds(1)), 1},
		{o(2, spec.ReducePs, coreBounds(1)), 4.0 / 3},
		{o(3, spec.AllReductions, coreBounds(1)), 36.0 / 11},
		{o(5, spec.AllReductions, coreBounds(1)), 1},
	} {
		if got := orbitCollisionFactor(tc.o); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%d Ps, reductions %#x: factor %v, want %v", tc.o.Config.Ps, tc.o.Reduce, got, tc.want)
		}
	}
	// At 3 Ps with gc on, Explore drops ReducePs and the factor with it.
	b := spec.DefaultBounds(1)
	b.NoSystem, b.NoAssist, b.NoDirty, b.NoSyscalls, b.NoLocks, b.NoProcResize, b.StackSizes = true, true, true, true, true, true, nil
	r, err := Explore(context.Background(), ExploreOptions{Config: spec.Config{Consts: c, Ps: 3, Ms: 1}, Bounds: b, Reduce: spec.AllReductions, Depth: 6})
	if err != nil {
		t.Fatal(err)
	}
	if want := fingerprintCollision(r.States, false); r.FingerprintCollision != want {
		t.Errorf("gc on: collision bound %v, want %v (no P symmetry)", r.FingerprintCollision, want)
	}
}
