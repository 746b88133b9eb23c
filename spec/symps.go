package spec

// Symmetry over the Ps (ReducePs).

// MaxSymPs is the most Ps ReducePs applies to: up to n! orders of them
// are fingerprinted (24 at 4 Ps); with more, Reduction.For drops it.
const MaxSymPs = 4

// psPerms[n] lists the permutations of n Ps, n <= MaxSymPs, the identity
// first: perm[i] is P i's new name.
var psPerms = func() (out [MaxSymPs + 1][][MaxSymPs]int8) {
	for n := 1; n <= MaxSymPs; n++ {
		var p [MaxSymPs]int8
		var used [MaxSymPs]bool
		var rec func(k int)
		rec = func(k int) {
			if k == n {
				out[n] = append(out[n], p)
				return
			}
			for v := range n {
				if !used[v] {
					used[v], p[k] = true, int8(v)
					rec(k + 1)
					used[v] = false
				}
			}
		}
		rec(0)
	}
	return out
}()

// PSymmetric reports whether the ops b allows treat every P alike, so
// that ReducePs keeps every verdict: no op of the gc and procresize
// families is offered. Those are the ops that read P ids:
//   - procresize(n) destroys the Ps numbered n and up (proc.go
//     procresize: `for i := nprocs; i < old; i++ { pp := allp[i];
//     pp.destroy() }`), and keeps the current P only if its id is below n;
//   - every stop-the-world's restart (startTheWorldWithSema's procresize,
//     with gc's too) rebuilds the idle P list in id order (relistIdle:
//     `for i := nprocs - 1; i >= 0; i--`) and hands the Ps with work to
//     Ms in that order.
//
// Every other op reaches a P through a link the renaming carries: M.p,
// nextp, oldp, the idle list (pidleput pushes at sched.pidle, pidleget
// pops it), sysmon's and the controller's P, and the ops that pick a P
// (stealWork's victim, retake's P, acquirep's P) are offered for every
// P alike.
func (b Bounds) PSymmetric() bool { return b.NoGC && b.NoProcResize }

// For returns r without what does not apply to a configuration of ps Ps
// under b: ReducePs unless b.PSymmetric() (where it would be unsound) and
// ps is 2 to MaxSymPs (with one P there is nothing to rename).
func (r Reduction) For(ps int, b Bounds) Reduction {
	if !b.PSymmetric() || ps < 2 || ps > MaxSymPs {
		r &^= ReducePs
	}
	return r
}

// symPs reports whether ReducePs renames the Ps of s.
func (s *State) symPs() bool { return len(s.Ps) >= 2 && len(s.Ps) <= MaxSymPs }

// psOrbitMin returns the least fingerprint, with the reductions in r but
// ReducePs, of the states the renamings of s's Ps make, by its first word,
// then (wide) by its second: over the renamings that list the Ps in the
// order of pKey (the others cannot be least: a renaming that misorders
// two Ps is skipped, and pKey reads no P id, so the renamings tried for
// any two states of an orbit are the same set, composed). Two states get
// the same one exactly when one is a renaming of the other's Ps (or their
// hashes collide).
func (s *State) psOrbitMin(r Reduction, wide bool) (lo, hi uint64) {
	r &^= ReducePs
	n := len(s.Ps)
	var key [MaxSymPs]uint64
	for i := range s.Ps {
		key[i] = s.pKey(&s.Ps[i])
	}
	first := true
	if s.sym == nil {
		s.sym = new(State)
	}
	v := s.sym
	for _, perm := range psPerms[n] {
		if !keyOrdered(key[:n], perm[:n]) {
			continue
		}
		x := s
		if !isIdentity(perm[:n]) {
			v.renamePsFrom(s, perm[:n])
			x = v
		}
		l := x.fingerprintLanes(r)
		a := l.sum()
		if !first && a > lo {
			continue
		}
		var b uint64
		if wide {
			b = l.sum2()
		}
		if first || a < lo || a == lo && b < hi {
			lo, hi, first = a, b, false
		}
	}
	return lo, hi
}

// keyOrdered reports whether perm names the Ps in the order of their
// keys: a P with a smaller key gets a smaller name.
func keyOrdered(key []uint64, perm []int8) bool {
	for i := range key {
		for j := range key {
			if key[i] < key[j] && perm[i] > perm[j] {
				return false
			}
		}
	}
	return true
}

func isIdentity(perm []int8) bool {
	for i, p := range perm {
		if int(p) != i {
			return false
		}
	}
	return true
}

// pKey orders the Ps for psOrbitMin by what a P holds, no P id, M name
// or G name in it: its status, which of its references are set, its
// lists' lengths, its counters. It only orders: leaving a field out of
// it costs time (more renamings tried), never soundness.
func (s *State) pKey(p *P) uint64 {
	var h hasher = 0x505359
	tick := p.SchedTick % uint32(s.Cfg.Consts.GlobalTick)
	h.word(uint64(p.Status) | b2u(p.M != None)<<8 | b2u(p.OldM != None)<<9 | b2u(p.Runnext != None)<<10 |
		b2u(p.Kicked != None)<<11 | b2u(p.StartSpinning)<<12 | uint64(p.Handoff)<<16 | uint64(tick)<<32)
	h.word(uint64(len(p.Ring)) | uint64(len(p.GFree))<<8 | uint64(len(p.SlowBatch))<<16 | uint64(len(p.Held))<<24 |
		uint64(uint32(p.GFreeSize))<<32)
	h.word(uint64(p.GoidEnd - p.GoidCache))
	return h.sum()
}

// renamePsFrom makes s a copy of src whose P i is named perm[i]: the Ps
// moved, and every reference to a P renamed (M.p, M.oldp, M.nextp, the
// recheck's and startm's P, pp.link, sched.pidle, the controller's
// startm P and sysmon's retaken P).
func (s *State) renamePsFrom(src *State, perm []int8) {
	s.CopyFrom(src)
	ren := func(p int8) int8 {
		if p >= 0 && int(p) < len(perm) {
			return perm[p]
		}
		return p
	}
	var ps [MaxSymPs]P
	copy(ps[:], s.Ps)
	for i := range s.Ps {
		q := &s.Ps[perm[i]]
		*q = ps[i]
		q.Link = ren(q.Link)
	}
	for i := range s.Ms {
		m := &s.Ms[i]
		m.P, m.OldP, m.NextP, m.SpinP, m.StartmP = ren(m.P), ren(m.OldP), ren(m.NextP), ren(m.SpinP), ren(m.StartmP)
	}
	sc := &s.Sched
	sc.Pidle, sc.CtlStartmP, sc.RetakeP = ren(sc.Pidle), ren(sc.CtlStartmP), ren(sc.RetakeP)
}
