package spec

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// renameMs returns s with M m renamed perm[m] everywhere (P.m, G.m,
// G.lockedm, sched.midle, each mp.link).
func renameMs(s *State, perm []int) *State {
	r := s.Clone()
	ren := func(m int8) int8 {
		if m >= 0 && int(m) < len(perm) {
			return int8(perm[m])
		}
		return m
	}
	for m := range s.Ms {
		r.Ms[perm[m]] = s.Ms[m]
		r.Ms[perm[m]].Link = ren(s.Ms[m].Link)
	}
	for g := range r.Gs {
		r.Gs[g].M, r.Gs[g].LockedM = ren(r.Gs[g].M), ren(r.Gs[g].LockedM)
	}
	for p := range r.Ps {
		r.Ps[p].M = ren(r.Ps[p].M)
		r.Ps[p].OldM = ren(r.Ps[p].OldM)
	}
	r.Sched.Midle = ren(r.Sched.Midle)
	r.Sched.RetakeM = ren(r.Sched.RetakeM)
	return r
}

// msPerm is a random permutation of the Ms that keeps m0.
func msPerm(n int, rng *rand.Rand) []int {
	perm := []int{0}
	for _, m := range rng.Perm(n - 1) {
		perm = append(perm, m+1)
	}
	return perm
}

// reachableStates walks from the initial state of configurations with up
// to four Ms and every op family, and returns the states met (none
// perturbed: the reductions' premises are about what the transitions do).
func reachableStates(t testing.TB, walks int) []*State {
	rng := rand.New(rand.NewPCG(7, 8))
	var out []*State
	for w := range walks {
		c, _ := Preset("small")
		cfg := Config{Consts: c, Ps: 1 + rng.IntN(3), Ms: 1 + rng.IntN(4), Wasm: w%10 == 9}
		if cfg.Wasm {
			cfg.Ps, cfg.Ms = 1, 1 // wasm's one thread
		}
		s, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		b := DefaultBounds(2 + rng.IntN(3))
		b.LockInt = w%3 == 0
		out = walk(t, s, b, 100, rng, out)
	}
	return out
}

// sameInvariants reports whether s and v fail the same invariant (or
// none).
func sameInvariants(s, v *State) bool {
	a, b := s.CheckInvariants(), v.CheckInvariants()
	return (a == nil) == (b == nil) && (a == nil || a.Invariant == b.Invariant)
}

// successors steps s by every op b enables and returns the fingerprint
// (under red) of each op's successor, and the ops that throw; an op that
// fails otherwise is an error.
func successors(s *State, b Bounds, red Reduction) (map[Op]uint64, map[Op]bool, error) {
	succ := map[Op]uint64{}
	throws := map[Op]bool{}
	for _, op := range s.Enabled(b, nil) {
		n, _, err := Step(s, op)
		var th *Throw
		if errors.As(err, &th) {
			throws[op] = true
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%v: %w", op, err)
		}
		succ[op] = n.FingerprintReduced(red)
	}
	return succ, throws, nil
}

// walk makes up to steps random ops b enables from s, appending a copy of
// each state met to out.
func walk(t testing.TB, s *State, b Bounds, steps int, rng *rand.Rand, out []*State) []*State {
	for range steps {
		ops := s.Enabled(b, nil)
		if len(ops) == 0 {
			break
		}
		if _, err := s.Apply(ops[rng.IntN(len(ops))]); err != nil {
			t.Fatal(err)
		}
		out = append(out, s.Clone())
	}
	return out
}

// TestFingerprintMSymmetry: states that differ only by a renaming of the
// Ms but m0 have one ReduceMs fingerprint (and, in general, two plain
// ones); renaming m0 or a real difference in an M changes it.
func TestFingerprintMSymmetry(t *testing.T) {
	s := newState(t, "small", 2, 3)
	spawn(t, s, 0) // and wakep: startm hands M1 P1 (its nextp)
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	do(t, s, Op{Kind: OpLockOSThread, M: 0})
	// M1 owns P1 and spins, M2 is idle, m0 runs main locked.
	swapped := renameMs(s, []int{0, 2, 1})
	if s.Equal(swapped) {
		t.Fatal("renamed states are equal")
	}
	if s.Fingerprint() == swapped.Fingerprint() {
		t.Fatal("the plain fingerprint renames Ms")
	}
	if s.FingerprintReduced(ReduceMs) != swapped.FingerprintReduced(ReduceMs) {
		t.Fatalf("M-symmetric states fingerprint differently:\n%s\n%s", s.Dump(), swapped.Dump())
	}
	if m0 := renameMs(s, []int{1, 0, 2}); m0.FingerprintReduced(ReduceMs) == s.FingerprintReduced(ReduceMs) {
		t.Fatal("renaming m0 kept the fingerprint: m0 is not like the others (mexit wedges it)")
	}
	for _, change := range []func(x *State){
		func(x *State) { x.Ms[1].Spinning = !x.Ms[1].Spinning },
		func(x *State) { x.Ms[2].LockedExt++ },
		func(x *State) { x.Ms[2].Link, x.Sched.Midle = 1, 2 },
		func(x *State) { x.Ms[1].OldP = 0 },
	} {
		x := s.Clone()
		change(x)
		if x.FingerprintReduced(ReduceMs) == s.FingerprintReduced(ReduceMs) {
			t.Fatalf("a real change kept the fingerprint:\n%s", x.Dump())
		}
	}
	// Any renaming of reachable states, with and without the other
	// reductions.
	rng := rand.New(rand.NewPCG(9, 10))
	for i, s := range reachableStates(t, 100) {
		r := renameMs(s, msPerm(len(s.Ms), rng))
		for _, red := range []Reduction{ReduceMs, AllReductions} {
			if s.FingerprintReduced(red) != r.FingerprintReduced(red) {
				t.Fatalf("state %d: renaming Ms changed the fingerprint (%d)\n%s\n%s", i, red, s.Dump(), r.Dump())
			}
		}
	}
}

// assistVariant returns s with what ReduceAssist drops changed: while the
// GC is off every G's gcAssistBytes, while it marks every debt made zero
// and every zero a debt; a zero bgScanCredit made positive and a
// positive one zero.
func assistVariant(s *State) *State {
	v := s.Clone()
	for i := range v.Gs {
		g := &v.Gs[i]
		switch {
		case !v.Sched.GCBlacken:
			g.GCAssist = [...]int8{1, -1, 0}[g.GCAssist+1]
		case g.GCAssist == 0:
			g.GCAssist = -1
		case g.GCAssist < 0:
			g.GCAssist = 0
		}
	}
	switch {
	case v.Sched.BgScanCredit == 0:
		v.Sched.BgScanCredit = 3
	case v.Sched.BgScanCredit > 0:
		v.Sched.BgScanCredit = 0
	}
	return v
}

// TestFingerprintAssist: what ReduceAssist keeps and drops.
func TestFingerprintAssist(t *testing.T) {
	s := newState(t, "small", 1, 1)
	spawn(t, s, 0)
	fp := func(x *State) uint64 { return x.FingerprintReduced(ReduceAssist) }
	debt := s.Clone()
	debt.Gs[0].GCAssist = -1
	credit := s.Clone()
	credit.Gs[0].GCAssist = 1
	if fp(debt) != fp(s) || fp(credit) != fp(s) {
		t.Fatal("with the GC off, gcAssistBytes is kept")
	}
	if debt.Fingerprint() == s.Fingerprint() || credit.Fingerprint() == s.Fingerprint() {
		t.Fatal("the plain fingerprint drops gcAssistBytes")
	}
	for _, x := range []*State{s, debt, credit} {
		x.Sched.GCBlacken = true
	}
	if fp(debt) != fp(s) {
		t.Fatal("while marking, a debt is not kept as zero")
	}
	if fp(credit) == fp(s) {
		t.Fatal("while marking, a credit is dropped")
	}
	pos, neg := s.Clone(), s.Clone()
	pos.Sched.BgScanCredit, neg.Sched.BgScanCredit = 5, -1
	if fp(pos) != fp(s) || fp(neg) == fp(s) || neg.Fingerprint() == s.Fingerprint() || pos.Fingerprint() == s.Fingerprint() {
		t.Fatal("bgScanCredit: ReduceAssist keeps only whether it is negative, the plain fingerprint its sign")
	}
}

// TestReductionsAreStutterBisimulations checks the reductions' premise on
// reachable states: a state s and a variant v that the reductions merge
// with it (its Ms but m0 renamed, what ReduceAssist drops changed) pass
// and fail the same invariants, and every op of v leads to a state merged
// with a successor of s by the same op (renamed), or with s itself (the
// assist op between merged values: a stutter); an op of v throws iff the
// op of s does. That is what makes the explorer's merge keep every
// verdict: a class is explored from whichever member is met first, and
// every member's successors are in classes that member's successors
// reach. A transition that starts reading an M's index or a dropped
// value fails here.
func TestReductionsAreStutterBisimulations(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	states := reachableStates(t, 200)
	if testing.Short() {
		states = states[:len(states)/4]
	}
	checked := 0
	for i, s := range states {
		b := DefaultBounds(len(s.Gs) + 1)
		b.LockInt = true
		perm := msPerm(len(s.Ms), rng)
		inv := make([]int, len(perm))
		for m, p := range perm {
			inv[p] = m
		}
		v := renameMs(assistVariant(s), perm)
		red := AllReductions.For(len(s.Ps), b) // (P symmetry: symps_test.go)
		fp := s.FingerprintReduced(red)
		if v.FingerprintReduced(red) != fp {
			t.Fatalf("state %d: the variant fingerprints differently\n%s\n%s", i, s.Dump(), v.Dump())
		}
		if !sameInvariants(s, v) {
			t.Fatalf("state %d: invariants %v, variant %v", i, s.CheckInvariants(), v.CheckInvariants())
		}
		succ, throws, err := successors(s, b, red)
		if err != nil {
			t.Fatalf("state %d: %v", i, err)
		}
		for _, op := range v.Enabled(b, nil) {
			n, _, err := Step(v, op)
			back := op
			if op.M >= 0 {
				back.M = int8(inv[op.M])
			}
			var th *Throw
			if errors.As(err, &th) != throws[back] {
				t.Fatalf("state %d: %v throws %v, %v of the original %v", i, op, err, back, throws[back])
			}
			if err != nil {
				continue
			}
			got := n.FingerprintReduced(red)
			if want, ok := succ[back]; (!ok || got != want) && got != fp {
				t.Fatalf("state %d: the variant's %v (the original's %v, enabled there: %v) leads out of the class of the original's successor\n%s\n%s", i, op, back, ok, s.Dump(), v.Dump())
			}
			checked++
		}
	}
	t.Logf("%d states, %d transitions of variants checked", len(states), checked)
}
