package spec

import (
	"errors"
	"fmt"
)

// The reductions ReduceMs and ReduceAssist rest on properties of the
// spec's transitions: no transition picks an M but m0 by its index, no
// transition reads a G's assist credit while the GC is off (gcStart zeroes
// every G's), and while it marks only whether a credit is positive. A
// change to the spec that breaks one makes the reduced exploration
// unsound: a review removed gcStart's reset of the credits, and the
// explorer with the reductions explored exactly the states it did
// before. CheckReductionPremise checks them on one state, so that the
// explorer can check them on the states it meets first (and the spec's
// tests on reachable states).

// CheckReductionPremise checks on s the premise the reductions red (of
// ReduceMs and ReduceAssist) rest on: s and a variant of it that red
// merges with s (its Ms but m0 renamed, what ReduceAssist drops changed)
// fingerprint alike, fail the same invariants, and every op b enables in
// the variant leads to a state merged with the successor of s by the
// same op (renamed), or with s itself (a stutter: the assist op between
// merged values); an op of the variant throws iff the op of s does. It
// returns why not, or nil. perm renames M m to perm[m] (m0 kept); nil
// rotates Ms 1 to n-1.
func (s *State) CheckReductionPremise(b Bounds, red Reduction, perm []int) error {
	red &= ReduceMs | ReduceAssist
	if red == 0 {
		return nil
	}
	if perm == nil || red&ReduceMs == 0 {
		rotate := red&ReduceMs != 0
		perm = make([]int, len(s.Ms))
		for m := range perm {
			perm[m] = m
			if rotate && m > 0 {
				perm[m] = 1 + m%(len(perm)-1)
			}
		}
	}
	inv := make([]int, len(perm))
	for m, p := range perm {
		inv[p] = m
	}
	v := s
	if red&ReduceAssist != 0 {
		v = assistVariant(v)
	}
	v = renameMs(v, perm)
	fp := s.FingerprintReduced(red)
	if v.FingerprintReduced(red) != fp {
		return errors.New("a variant the reduction merges with the state fingerprints differently")
	}
	if !sameInvariants(s, v) {
		return fmt.Errorf("the state breaks %v, the variant the reduction merges with it %v", s.CheckInvariants(), v.CheckInvariants())
	}
	succ, throws, err := successors(s, b, red)
	if err != nil {
		return err
	}
	for _, op := range v.Enabled(b, nil) {
		n, _, err := premiseStep(v, op)
		back := op
		if op.M >= 0 {
			back.M = int8(inv[op.M])
		}
		var th *Throw
		if errors.As(err, &th) != throws[back] {
			return fmt.Errorf("the variant's %v throws %v; the state's %v: %v", op, err, back, throws[back])
		}
		if err != nil {
			continue
		}
		got := n.FingerprintReduced(red)
		if want, ok := succ[back]; (!ok || got != want) && got != fp {
			return fmt.Errorf("the variant's %v (the state's %v, enabled there: %v) leads out of the class of the state's successor", op, back, ok)
		}
	}
	return nil
}

// CheckReductionPremises runs CheckReductionPremise on up to max states
// reachable from s under b, breadth first by the spec's transitions, and
// returns the first state whose premise fails, its distance from s and
// why; nil when every one holds.
func (s *State) CheckReductionPremises(b Bounds, red Reduction, max int) (*State, int, error) {
	if red&(ReduceMs|ReduceAssist) == 0 {
		return nil, 0, nil
	}
	seen := map[uint64]bool{s.Fingerprint(): true}
	queue, depth := []*State{s}, []int{0}
	for n := 0; n < len(queue) && n < max; n++ {
		x := queue[n]
		if err := x.CheckReductionPremise(b, red, nil); err != nil {
			return x, depth[n], err
		}
		for _, op := range x.Enabled(b, nil) {
			next, _, err := Step(x, op)
			if err != nil || len(queue) >= max {
				continue
			}
			if fp := next.Fingerprint(); !seen[fp] {
				seen[fp] = true
				queue, depth = append(queue, next), append(depth, depth[n]+1)
			}
		}
	}
	return nil, 0, nil
}

// premiseStep is CheckReductionPremise's transition function (Step; a
// variable for the test that plants a transition breaking a premise).
var premiseStep = Step

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
		n, _, err := premiseStep(s, op)
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
