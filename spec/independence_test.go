package spec

import (
	"testing"
)

// ampleCounts counts what checkAmpleAt saw.
type ampleCounts struct {
	states, ample, pairs int
}

// checkAmpleAt checks, at a reachable state s whose invariants hold, what
// Private and Ample claim: CheckAmple at s alone (every ample op commutes
// with, and neither enables nor disables, every op of another actor; the
// tests reach every state, so every state the other actors' ops lead to
// is checked in its turn), and every
// ample op keeps every invariant and lowers AmpleRank (the explorer
// expands a state fully where one does not, so CheckAmple leaves it out).
func checkAmpleAt(t *testing.T, s *State, b Bounds, c *ampleCounts) {
	t.Helper()
	ops := s.Enabled(b, nil)
	c.states++
	amp := s.Ample(ops, nil)
	if len(amp) == 0 {
		return
	}
	c.ample++
	for _, i := range amp {
		a := ops[i]
		sa, _, err := Step(s, a)
		if err != nil {
			t.Fatalf("ample op %v: %v\n%s", a, err, s.Dump())
		}
		if v := sa.CheckInvariants(); v != nil {
			t.Fatalf("ample op %v breaks %v\n%s", a, v, s.Dump())
		}
		if sa.AmpleRank() >= s.AmpleRank() {
			t.Fatalf("ample op %v: rank %d -> %d", a, s.AmpleRank(), sa.AmpleRank())
		}
	}
	pairs, err := s.CheckAmple(b, ops, amp, 1, nil, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, s.Dump())
	}
	c.pairs += pairs
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
			var c ampleCounts
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
			t.Logf("%d states, %d with an ample set, %d independent pairs checked", c.states, c.ample, c.pairs)
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
