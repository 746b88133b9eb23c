package spec

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// pSymBounds are bounds whose ops read no P id (Bounds.PSymmetric): every
// family but gc and procresize.
func pSymBounds(gs int) Bounds {
	b := DefaultBounds(gs)
	b.NoGC, b.NoProcResize, b.StackSizes = true, true, nil
	return b
}

// pSymStates walks from the initial state of configurations with 2 to 4
// Ps under bounds (gs from 2 to 4) and returns the states met.
func pSymStates(t testing.TB, walks int, bounds func(gs int) Bounds) []*State {
	rng := rand.New(rand.NewPCG(21, 22))
	var out []*State
	for range walks {
		c, _ := Preset("small")
		s, err := New(Config{Consts: c, Ps: 2 + rng.IntN(3), Ms: 1 + rng.IntN(3)})
		if err != nil {
			t.Fatal(err)
		}
		out = walk(t, s, bounds(2+rng.IntN(3)), 120, rng, out)
	}
	return out
}

func psPerm(n int, rng *rand.Rand) []int8 {
	perm := make([]int8, n)
	for i, p := range rng.Perm(n) {
		perm[i] = int8(p)
	}
	return perm
}

// TestFingerprintPSymmetry: states that differ by a renaming of the Ps
// have one ReducePs fingerprint (and in general two plain ones); a real
// difference in a P changes it. 128-bit fingerprints agree with the 64-bit
// one's first word.
func TestFingerprintPSymmetry(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	plainDiffer, n := 0, 0
	for i, s := range pSymStates(t, 60, pSymBounds) {
		v := renamedPs(s, psPerm(len(s.Ps), rng))
		for _, r := range []Reduction{ReducePs, AllReductions} {
			if s.FingerprintReduced(r) != v.FingerprintReduced(r) {
				t.Fatalf("state %d: renaming Ps changed the fingerprint (%d)\n%s\n%s", i, r, s.Dump(), v.Dump())
			}
			lo, hi := s.FingerprintWide(r)
			vlo, vhi := v.FingerprintWide(r)
			if lo != vlo || hi != vhi || lo != s.FingerprintReduced(r) {
				t.Fatalf("state %d: the wide fingerprint of renamed Ps differs", i)
			}
		}
		if !s.Equal(v) {
			n++
			if s.Fingerprint() != v.Fingerprint() {
				plainDiffer++
			}
		}
	}
	if n == 0 || plainDiffer == 0 {
		t.Fatalf("%d renamings changed the state, %d the plain fingerprint: the test renames nothing", n, plainDiffer)
	}
	s := newState(t, "small", 3, 2)
	spawn(t, s, 0)
	base := s.FingerprintReduced(ReducePs)
	for _, change := range []func(x *State){
		func(x *State) { x.Ps[1].SchedTick++ },
		func(x *State) { x.Ps[2].GoidCache++ },
		func(x *State) { x.Ps[0].GFree, x.Ps[0].GFreeSize = append(x.Ps[0].GFree, 0), x.Ps[0].GFreeSize+1 },
		func(x *State) { x.Ms[0].OldP = 2 },
		func(x *State) { x.Sched.Pidle, x.Ps[1].Link, x.Ps[2].Link = 1, 2, None }, // another list order
	} {
		x := s.Clone()
		change(x)
		if x.FingerprintReduced(ReducePs) == base {
			t.Fatalf("a real change kept the fingerprint:\n%s", x.Dump())
		}
	}
}

// TestRenamePsRenamesEveryPReference: every int8 field of G, M, P and
// Sched is a P reference (renamed by renamePsFrom), an M reference or a
// count. A new field fails here until it is classified, so that a P
// reference is never left out of the renaming (a state merged with one
// that is not its renaming).
func TestRenamePsRenamesEveryPReference(t *testing.T) {
	known := map[string]string{
		"G.M": "m", "G.LockedM": "m", "G.GCAssist": "count",
		"M.P": "p", "M.OldP": "p", "M.NextP": "p", "M.SpinP": "p", "M.StartmP": "p", "M.Link": "m", "M.AllpLen": "count",
		"P.M": "m", "P.Link": "p", "P.OldM": "m",
		"Sched.Pidle": "p", "Sched.Midle": "m", "Sched.CtlStartmP": "p", "Sched.RetakeP": "p", "Sched.RetakeM": "m",
	}
	for _, v := range []any{G{}, M{}, P{}, Sched{}} {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			f := rt.Field(i)
			if f.Type.Kind() != reflect.Int8 {
				continue
			}
			name := rt.Name() + "." + f.Name
			if _, ok := known[name]; !ok {
				t.Errorf("%s: an int8 field renamePsFrom does not know: a P reference (rename it), an M reference or a count?", name)
			}
		}
	}
	// The P references are renamed.
	s := newState(t, "small", 3, 3)
	for i := range s.Ms {
		s.Ms[i].P, s.Ms[i].OldP, s.Ms[i].NextP, s.Ms[i].SpinP, s.Ms[i].StartmP = 0, 1, 2, 0, 1
	}
	s.Ps[0].Link, s.Sched.Pidle, s.Sched.CtlStartmP, s.Sched.RetakeP = 2, 0, 1, 2
	v := renamedPs(s, []int8{1, 2, 0})
	m := v.Ms[0]
	if m.P != 1 || m.OldP != 2 || m.NextP != 0 || m.SpinP != 1 || m.StartmP != 2 ||
		v.Ps[1].Link != 0 || v.Sched.Pidle != 1 || v.Sched.CtlStartmP != 2 || v.Sched.RetakeP != 0 {
		t.Fatalf("P references not renamed:\n%s", v.Dump())
	}
}

// pSymMismatch looks for the failure of ReducePs's premise at s: the
// renamed state v fails other invariants, or an op of v (renamed back)
// throws where the op of s does not, or leads out of the class of the
// op of s's successor. It returns a description, or "".
func pSymMismatch(s *State, b Bounds, perm []int8) string {
	ms := make([]int, len(s.Ms))
	for m := range ms {
		ms[m] = m
	}
	if err := s.checkPremise(b, ReducePs, ms, perm); err != nil {
		return err.Error()
	}
	return ""
}

// TestPSymmetryIsABisimulation checks ReducePs's premise on reachable
// states of bounds that allow it: a state and any renaming of its Ps pass
// and fail the same invariants, enable the same ops (renamed), and each
// op leads to states merged with each other. Its control: with the gc
// and procresize families (whose stop-the-world restart relists the idle
// Ps in id order) the same check finds states where it fails, which is
// why Reduction.For drops ReducePs there.
func TestPSymmetryIsABisimulation(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	states := pSymStates(t, 300, pSymBounds)
	for i, s := range states {
		b := pSymBounds(len(s.Gs) + 1)
		if why := pSymMismatch(s, b, psPerm(len(s.Ps), rng)); why != "" {
			t.Fatalf("state %d: %s\n%s", i, why, s.Dump())
		}
		// Every reduction at once, as the explorer checks them.
		if err := s.CheckReductionPremise(b, AllReductions, nil); err != nil {
			t.Fatalf("state %d, every reduction: %v\n%s", i, err, s.Dump())
		}
	}
	t.Logf("%d states checked", len(states))
	withGC := func(gs int) Bounds {
		b := DefaultBounds(gs)
		b.NoSystem, b.NoDirty, b.NoAssist, b.NoLocks, b.NoSyscalls = true, true, true, true, true
		return b
	}
	found := 0
	for _, s := range pSymStates(t, 80, withGC) {
		b := withGC(len(s.Gs) + 1)
		if pSymMismatch(s, b, psPerm(len(s.Ps), rng)) != "" {
			found++
		}
	}
	if found == 0 {
		t.Fatal("with gc and procresize no state breaks P symmetry: the check cannot fail")
	}
	if !pSymBounds(2).PSymmetric() || withGC(2).PSymmetric() || AllReductions.For(3, withGC(2))&ReducePs != 0 {
		t.Fatal("PSymmetric/For: gc and procresize must turn ReducePs off")
	}
	for ps, want := range map[int]bool{1: false, 2: true, MaxSymPs: true, MaxSymPs + 1: false} {
		if got := AllReductions.For(ps, pSymBounds(2))&ReducePs != 0; got != want {
			t.Errorf("For(%d Ps): ReducePs %v, want %v", ps, got, want)
		}
	}
}

// CheckReductionPremise renames the Ps by a rotation and, from 3 Ps, by
// the swap of P0 and P1: together they generate every renaming ReducePs
// merges. Its planted control, the review's: a steal that throws when
// its victim is the thief's P's cyclic successor respects every rotation,
// so a check of rotations alone passes every state; with the swap it
// fails where such a steal is enabled.
func TestCheckReductionPremiseSwapsPs(t *testing.T) {
	defer func() { premiseStep = Step }()
	premiseStep = func(s *State, op Op) (*State, Result, error) {
		n, r, err := Step(s, op)
		if err == nil && (r.Source == SrcSteal || r.Source == SrcStealNext) && op.M >= 0 && s.Ms[op.M].P != None &&
			int(r.Victim) == (int(s.Ms[op.M].P)+1)%len(s.Ps) {
			return n, r, &Throw{Msg: "planted: a steal from the next P", Func: "test"}
		}
		return n, r, err
	}
	rotationOnly, swapped := 0, 0
	for _, s := range pSymStates(t, 300, pSymBounds) {
		if len(s.Ps) < 3 {
			continue
		}
		b := pSymBounds(len(s.Gs) + 1)
		red := s.premiseReductions(b, ReducePs)
		if red&ReducePs == 0 {
			continue
		}
		rot := make([]int8, len(s.Ps))
		for i := range rot {
			rot[i] = int8((i + 1) % len(rot))
		}
		if s.checkPremise(b, red, nil, rot) != nil {
			t.Fatalf("a rotation tells the plant apart:\n%s", s.Dump())
		}
		rotationOnly++
		if err := s.CheckReductionPremise(b, ReducePs, nil); err != nil {
			if !strings.Contains(err.Error(), "P0 and P1 swapped") {
				t.Fatalf("fails, but not by the swap: %v", err)
			}
			swapped++
		}
	}
	t.Logf("%d states of 3 or 4 Ps: every one passes the rotation, %d fail with the swap", rotationOnly, swapped)
	if swapped == 0 {
		t.Fatalf("none of %d states fails with the swap: the planted steal is never enabled", rotationOnly)
	}
}
