package spec

import (
	"testing"

	"pgregory.net/rapid"
)

// TestRandomEnabledOps is a rapid state-machine test: from the initial
// state, apply random enabled ops (labelled by what they do) and check every
// invariant after each, plus the properties Clone, Equal, Hash and the
// encoding must have.
func TestRandomEnabledOps(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		preset := rapid.SampledFrom([]string{"small", "small", "small", "go"}).Draw(t, "consts")
		c, _ := Preset(preset)
		cfg := Config{Consts: c, Ps: rapid.IntRange(1, 3).Draw(t, "ps"), Ms: rapid.IntRange(1, 3).Draw(t, "ms"),
			Wasm: rapid.IntRange(0, 9).Draw(t, "wasm") == 0}
		if cfg.Wasm {
			cfg.Ps, cfg.Ms = 1, 1 // wasm's one thread
		}
		s, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		b := DefaultBounds(rapid.IntRange(2, 8).Draw(t, "gs"))
		b.LockInt = true
		steps := rapid.IntRange(1, 60).Draw(t, "steps")
		for i := 0; i < steps; i++ {
			ops := s.Enabled(b, nil)
			if len(ops) == 0 {
				break
			}
			op := ops[rapid.IntRange(0, len(ops)-1).Draw(t, "op")]
			if op.Kind == OpGoidRefill {
				t.Fatalf("Enabled offers %v: newproc1 makes its own batch fetch", op)
			}
			before := s.Clone()
			if !before.Equal(s) || before.Hash() != s.Hash() || before.Fingerprint() != s.Fingerprint() {
				t.Fatalf("a clone differs from its original")
			}
			r, err := s.Apply(op)
			if err != nil {
				t.Fatalf("step %d: %v: %v\n%s", i, op, err, before.Dump())
			}
			t.Logf("%v => %v", op, r)
			if v := s.CheckInvariants(); v != nil {
				t.Fatalf("after %v: %v\n%s", op, v, s.Dump())
			}
			for mi := range s.Ms {
				if s.inNewproc1(&s.Ms[mi]) {
					t.Fatalf("after %v: M%d's P holds a whole goid batch outside newproc1\n%s", op, mi, s.Dump())
				}
			}
			// The pure form agrees with the in-place one.
			n, r2, err := Step(before, op)
			if err != nil || !n.Equal(s) || r2 != r {
				t.Fatalf("Step and Apply disagree on %v", op)
			}
			// Every status change is an edge of the lifecycle automaton.
			for g := range before.Gs {
				from, to := before.Gs[g].Status, s.Gs[g].Status
				if from != to {
					if _, ok := LifecycleAllows(from, to); !ok {
						t.Fatalf("%v moved G%d %s -> %s, not in Lifecycle", op, g, from, to)
					}
				}
			}
			// The encoding round-trips.
			var d State
			if rest, err := d.DecodeFrom(s.Cfg, s.AppendBinary(nil)); err != nil || len(rest) != 0 || !d.Equal(s) {
				t.Fatalf("encoding does not round-trip (%v):\n%s\n%s", err, s.Dump(), d.Dump())
			}
		}
	})
}

// TestFingerprintSymmetry: two states that differ only by the names of Gs
// (the allgs order) have one fingerprint; a real difference changes it.
func TestFingerprintSymmetry(t *testing.T) {
	a := newState(t, "small", 1, 1)
	spawn(t, a, 0)
	spawn(t, a, 0)
	do(t, a, Op{Kind: OpPark, M: 0})
	sched(t, a, 0, SrcRunnext)
	do(t, a, Op{Kind: OpPark, M: 0}) // G2 waits, G1 in the ring, main waits
	b := a.Clone()
	// Swap G1 and G2 in b, everywhere.
	b.Gs[1], b.Gs[2] = b.Gs[2], b.Gs[1]
	swap := func(l []int32) {
		for i, g := range l {
			switch g {
			case 1:
				l[i] = 2
			case 2:
				l[i] = 1
			}
		}
	}
	swap(b.Ps[0].Ring)
	if a.Equal(b) {
		t.Fatal("swapped states are equal")
	}
	if a.Fingerprint() != b.Fingerprint() {
		t.Fatalf("symmetric states fingerprint differently:\n%s\n%s", a.Dump(), b.Dump())
	}
	c := a.Clone()
	c.Gs[1].Stack = 2 * StackMin
	if c.Fingerprint() == a.Fingerprint() {
		t.Fatal("a real change did not change the fingerprint")
	}
}
