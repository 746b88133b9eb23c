package spec

import (
	"math/rand/v2"
	"strings"
	"testing"
)

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
	for i, s := range states {
		b := DefaultBounds(len(s.Gs) + 1)
		b.LockInt = true
		red := AllReductions.For(len(s.Ps), b) // (P symmetry: symps_test.go)
		if err := s.CheckReductionPremise(b, red, msPerm(len(s.Ms), rng)); err != nil {
			t.Fatalf("state %d: %v\n%s", i, err, s.Dump())
		}
	}
	t.Logf("%d states checked", len(states))
}

// CheckReductionPremise's planted control: a gcStart that leaves the
// credits (the reset gone, as a review planted it in world.go) breaks
// ReduceAssist's premise at the first state where the GC can start; the
// explorer with the reduction explored the same states as before. The
// clean control is TestReductionsAreStutterBisimulations, and every
// reduced exploration, which checks the premise on its first states.
func TestCheckReductionPremiseFindsAMissingReset(t *testing.T) {
	defer func() { premiseStep = Step }()
	premiseStep = func(s *State, op Op) (*State, Result, error) {
		n, r, err := Step(s, op)
		if err == nil && op.Kind == OpGC && op.N == 1 {
			for i := range n.Gs {
				n.Gs[i].GCAssist = s.Gs[i].GCAssist
			}
		}
		return n, r, err
	}
	b := DefaultBounds(2)
	b.NoSyscalls, b.NoLocks = true, true
	bad, _, err := newState(t, "small", 1, 1).CheckReductionPremises(b, ReduceAssist, 5000)
	if bad == nil {
		t.Fatal("no state of 5000 breaks the premise")
	}
	if !strings.Contains(err.Error(), "gc on") {
		t.Fatalf("the premise fails elsewhere: %v\n%s", err, bad.Dump())
	}
	premiseStep = Step
	if err := bad.CheckReductionPremise(b, ReduceAssist, nil); err != nil {
		t.Fatalf("the spec's gcStart: %v", err)
	}
}
