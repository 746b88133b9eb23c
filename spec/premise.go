package spec

import (
	"errors"
	"fmt"
)

// The reductions ReduceMs, ReduceAssist and ReducePs rest on properties
// of the spec's transitions: no transition picks an M but m0 by its index,
// none reads a G's assist credit while the GC is off (gcStart zeroes every
// G's), and while it marks only whether a credit is positive; where the
// bounds allow ReducePs (Bounds.PSymmetric), no transition reads a P's
// id. A change to the spec that breaks one makes the reduced exploration
// unsound: a review removed gcStart's reset of the credits, and the
// explorer with the reductions explored exactly the states it did
// before. CheckReductionPremise checks them on one state, so that the
// explorer can check them on the states it meets (and the spec's tests on
// reachable states).

// CheckReductionPremise checks on s the premise the reductions red (of
// ReduceMs, ReduceAssist and ReducePs) rest on: s and a variant of it that
// red merges with s (its Ms but m0 renamed, its Ps renamed, what
// ReduceAssist drops changed) fingerprint alike, fail the same
// invariants, and every op the variant enables leads to a state merged
// with the successor of s by the same op (renamed), or with s itself (a
// stutter: the assist op between merged values); an op of the variant
// throws iff the op of s does; without ReduceAssist both enable as many
// ops. It returns why not, or nil. perm renames M m to perm[m] (m0 kept);
// nil rotates Ms 1 to n-1. The Ps are rotated (P i named i+1 mod n), and
// with 3 Ps or more also renamed by the swap of P0 and P1: ReducePs merges
// a state with every renaming of its Ps, which a rotation and that swap
// generate (a transition that respects rotations but not every renaming
// passes a check of rotations alone; a review's observation).
// ReducePs is left out where red.For drops it.
func (s *State) CheckReductionPremise(b Bounds, red Reduction, perm []int) error {
	red = s.premiseReductions(b, red)
	var pperm []int8
	if red&ReducePs != 0 {
		pperm = make([]int8, len(s.Ps))
		for i := range pperm {
			pperm[i] = int8((i + 1) % len(pperm))
		}
	}
	if err := s.checkPremise(b, red, perm, pperm); err != nil || len(pperm) < 3 {
		return err
	}
	for i := range pperm {
		pperm[i] = int8(i)
	}
	pperm[0], pperm[1] = 1, 0
	if err := s.checkPremise(b, red, perm, pperm); err != nil {
		return fmt.Errorf("with P0 and P1 swapped: %w", err)
	}
	return nil
}

// premiseReductions is red less what does not apply to s under b: ReducePs
// where Reduction.For drops it, ReduceMs beyond maxSymMs Ms (the
// fingerprint keeps their names: nothing is merged, and no premise is
// needed; a review's explore -ms 17 failed the premise check).
func (s *State) premiseReductions(b Bounds, red Reduction) Reduction {
	red = red.For(len(s.Ps), b)
	if len(s.Ms) > maxSymMs {
		red &^= ReduceMs
	}
	return red
}

// checkPremise is CheckReductionPremise with the Ps renamed by pperm (nil:
// not renamed).
func (s *State) checkPremise(b Bounds, red Reduction, perm []int, pperm []int8) error {
	red &= ReduceMs | ReduceAssist | ReducePs
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
	pinv := make([]int8, len(pperm))
	for i, p := range pperm {
		pinv[p] = int8(i)
	}
	v := s
	if red&ReduceAssist != 0 {
		v = assistVariant(v)
	}
	v = renameMs(v, perm)
	if pperm != nil {
		v = renamedPs(v, pperm)
	}
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
	vops := v.Enabled(b, nil)
	if red&ReduceAssist == 0 && len(vops) != len(succ)+len(throws) {
		return fmt.Errorf("the variant enables %d ops, the state %d", len(vops), len(succ)+len(throws))
	}
	for _, op := range vops {
		n, _, err := premiseStep(v, op)
		back := op
		if op.M >= 0 {
			back.M = int8(inv[op.M])
		}
		if pperm != nil {
			back = renameOpPs(back, pinv)
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
	if s.premiseReductions(b, red)&(ReduceMs|ReduceAssist|ReducePs) == 0 {
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

// renamedPs returns s with P i named perm[i] (renamePsFrom).
func renamedPs(s *State, perm []int8) *State {
	v := new(State)
	v.renamePsFrom(s, perm)
	return v
}

// renameOpPs is op with its P ids renamed by perm: retake's and
// acquirep's P, a steal's victim (Op.P is 0, not None, in other ops).
func renameOpPs(op Op, perm []int8) Op {
	if (op.Kind == OpRetake || op.Kind == OpAcquireP) && op.P >= 0 && int(op.P) < len(perm) {
		op.P = perm[op.P]
	}
	if op.Victim >= 0 && int(op.Victim) < len(perm) && op.Kind == OpSchedule && (op.Source == SrcSteal || op.Source == SrcStealNext) {
		op.Victim = perm[op.Victim]
	}
	return op
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
