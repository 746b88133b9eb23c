package spec

import (
	"slices"
	"testing"
)

// ampleCheck counts what checkAmpleAt saw.
type ampleCheck struct {
	states, ample, pairs int
	ended                int // pairs whose other op ended the program
}

// checkAmpleAt checks, at a reachable state s whose invariants hold, what
// Private and Ample claim: every ample op a, against every enabled op b of
// another actor,
//   - commutes: a then b and b then a reach Equal states with the same
//     results, or both throw the same;
//   - neither enables nor disables the other: after a, the other actors'
//     enabled ops are exactly those before; after b, a's M offers exactly
//     a again and a is still private;
//
// and a keeps every invariant and lowers AmpleRank.
func checkAmpleAt(t *testing.T, s *State, b Bounds, c *ampleCheck) {
	t.Helper()
	ops := s.Enabled(b, nil)
	c.states++
	amp := s.Ample(ops, nil)
	if len(amp) == 0 {
		return
	}
	c.ample++
	m := ops[amp[0]].M
	others := func(st *State) []Op {
		var out []Op
		for _, op := range st.Enabled(b, nil) {
			if op.M != m {
				out = append(out, op)
			}
		}
		return out
	}
	own := func(st *State) []Op {
		var out []Op
		for _, op := range st.Enabled(b, nil) {
			if op.M == m {
				out = append(out, op)
			}
		}
		return out
	}
	before := others(s)
	for _, i := range amp {
		a := ops[i]
		if !s.Private(a) || a.M != m {
			t.Fatalf("ample op %v is not private to M%d", a, m)
		}
		sa, ra, err := Step(s, a)
		if err != nil {
			t.Fatalf("ample op %v: %v\n%s", a, err, s.Dump())
		}
		if v := sa.CheckInvariants(); v != nil {
			t.Fatalf("ample op %v breaks %v\n%s", a, v, s.Dump())
		}
		if sa.AmpleRank() >= s.AmpleRank() {
			t.Fatalf("ample op %v: rank %d -> %d", a, s.AmpleRank(), sa.AmpleRank())
		}
		if after := others(sa); !slices.Equal(before, after) {
			t.Fatalf("ample op %v changes the other actors' ops:\n%v\n->\n%v\n%s", a, before, after, s.Dump())
		}
		for _, o := range before {
			if s.Independent(a, o) != true || s.Independent(o, a) != true {
				t.Fatalf("%v and %v: not independent", a, o)
			}
			c.pairs++
			sb, rb, errB := Step(s, o)
			if _, refused := errB.(*Disabled); refused {
				t.Fatalf("enabled %v refused: %v", o, errB)
			}
			sab, rab, errAB := Step(sa, o)
			if (errB == nil) != (errAB == nil) || errB != nil && errB.Error() != errAB.Error() {
				t.Fatalf("%v after %v: %v, without: %v\n%s", o, a, errAB, errB, s.Dump())
			}
			if errB != nil {
				continue // the same throw either way
			}
			if sb.Sched.Terminal != Alive {
				// exit(0) ended the program: Enabled offers nothing,
				// but an op cut short may still complete
				// (inFlightAtEnd), and the program ends the same
				// after it.
				c.ended++
				if sab.Sched.Terminal != sb.Sched.Terminal {
					t.Fatalf("%v ends the program as %v, after %v as %v", o, sb.Sched.Terminal, a, sab.Sched.Terminal)
				}
			} else if got := own(sb); len(got) != 1 || got[0] != a || !sb.Private(a) {
				t.Fatalf("after %v, M%d offers %v, want [%v] private\n%s", o, m, got, a, s.Dump())
			}
			sba, rba, err := Step(sb, a)
			if err != nil {
				t.Fatalf("%v after %v: %v", a, o, err)
			}
			if !sab.Equal(sba) || rab != rb || rba != ra {
				t.Fatalf("%v and %v do not commute from\n%s\n%v;%v:\n%s\n%v;%v:\n%s", a, o, s.Dump(), a, o, sab.Dump(), o, a, sba.Dump())
			}
		}
	}
}

// The independence relation holds where the explorer uses it: breadth
// first over the reachable states of several bounds (every op family,
// syscalls and locks, three Ms), every state with an ample set passes
// checkAmpleAt. The bounds reach ample sets, so the test can fail.
func TestAmpleSetsCommute(t *testing.T) {
	c, _ := Preset("small")
	all := DefaultBounds(2)
	all.LockInt = true
	core := DefaultBounds(3)
	core.NoSystem, core.NoGC, core.NoAssist, core.NoDirty, core.NoProcResize, core.NoGoyield = true, true, true, true, true, true
	core.StackSizes = nil
	limit := 10_000
	if testing.Short() || raceEnabled {
		limit = 3_000
	}
	for _, tc := range []struct {
		name   string
		cfg    Config
		b      Bounds
		states int
	}{
		{"2P2M2G all families", Config{Consts: c, Ps: 2, Ms: 2}, all, limit},
		{"2P3M3G syscalls and locks", Config{Consts: c, Ps: 2, Ms: 3}, core, limit},
		{"3P2M3G syscalls and locks", Config{Consts: c, Ps: 3, Ms: 2}, core, limit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s0, err := New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[uint64]bool{s0.Fingerprint(): true}
			queue := []*State{s0}
			var c ampleCheck
			for len(queue) > 0 && c.states < tc.states {
				s := queue[0]
				queue = queue[1:]
				checkAmpleAt(t, s, tc.b, &c)
				for _, op := range s.Enabled(tc.b, nil) {
					n, _, err := Step(s, op)
					if err != nil || n.CheckInvariants() != nil {
						t.Fatalf("%v: %v %v", op, err, n.CheckInvariants())
					}
					if fp := n.Fingerprint(); !seen[fp] {
						seen[fp] = true
						queue = append(queue, n)
					}
				}
			}
			t.Logf("%d states, %d with an ample set, %d independent pairs checked (%d ending the program)", c.states, c.ample, c.pairs, c.ended)
			if c.ample == 0 || c.pairs == 0 {
				t.Fatalf("no ample set in %d states: the test checks nothing", c.states)
			}
		})
	}
}

// Private is narrow: no op of a running M, no op of sysmon or the
// controller, and acquirep only for the M's own nextp.
func TestPrivateOps(t *testing.T) {
	s := newState(t, "small", 2, 2)
	for _, op := range s.Enabled(DefaultBounds(3), nil) {
		if s.Private(op) {
			t.Errorf("%v is private in the initial state", op)
		}
	}
	if len(s.Ample(s.Enabled(DefaultBounds(3), nil), nil)) != 0 {
		t.Error("an ample set in the initial state")
	}
	// M0 parks main: handoffp is not called (no lock), its P goes idle;
	// make a P handed to M1 instead with startm by hand.
	s.Ms[1].Parked, s.Sched.Midle = false, None
	s.Ms[1].NextP = 1
	s.Ps[1].Status = PHandoff
	s.Sched.Pidle = None
	s.Ps[1].Link = None
	if v := s.CheckInvariants(); v != nil {
		t.Fatalf("setup: %v\n%s", v, s.Dump())
	}
	a := Op{Kind: OpAcquireP, M: 1, P: 1}
	if !s.Private(a) {
		t.Fatalf("%v is not private\n%s", a, s.Dump())
	}
	if s.Private(Op{Kind: OpAcquireP, M: 1, P: 0}) || s.Private(Op{Kind: OpAcquireP, M: 0, P: 1}) {
		t.Error("acquirep of another P, or by another M, is private")
	}
	ops := s.Enabled(DefaultBounds(3), nil)
	amp := s.Ample(ops, nil)
	if len(amp) != 1 || ops[amp[0]] != a {
		t.Fatalf("ample %v of %v, want [%v]", amp, ops, a)
	}
	if s.AmpleRank() != 1 {
		t.Fatalf("rank %d", s.AmpleRank())
	}
	for _, op := range ops {
		if op.M != 1 && !s.Independent(a, op) {
			t.Errorf("%v and %v not independent", a, op)
		}
	}
	if s.Independent(a, a) {
		t.Error("an op is independent of itself")
	}
}
