package spec

// goexit models goexit1 -> mcall(goexit0) -> gdestroy -> gfput for the M's
// current G (proc.go), through the locked-thread branch. op.Kind OpExit is
// the G's function returning (for the main goroutine that is runtime.main
// calling exit(0)); OpGoexit is runtime.Goexit (panic.go), which takes the
// same path from any G, the main one included.
func (s *State) goexit(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	gi := m.Curg
	r.G, r.Goid = gi, s.Gs[gi].Goid
	main := r.Goid == MainGoid
	if main && op.Kind == OpExit {
		// runtime.main returns: exit(0). No gdestroy.
		s.Sched.Terminal = MainReturned
		return r, nil
	}
	if main {
		s.Sched.MainGoexit = true
	}
	// goexit0 then calls schedule (or, locked, mexit, whose checkdead
	// gdestroy runs).
	return r, s.gdestroy(mp, gi, &r)
}

// liveUserGs counts goroutines that are not dead and not system goroutines
// (checkdead skips isSystemGoroutine).
func (s *State) liveUserGs() int {
	n := 0
	for i := range s.Gs {
		if g := &s.Gs[i]; g.Status != Dead && g.Status != Idle && !g.System {
			n++
		}
	}
	return n
}

// gdestroy models proc.go gdestroy, step by step, with gfput and the
// locked-thread tail (gogo(&mp.g0.sched) -> mstart0 -> mexit).
func (s *State) gdestroy(mp int, gi int32, r *Result) error {
	m := &s.Ms[mp]
	pi := m.P
	gp := &s.Gs[gi]
	if err := s.casgstatus(gi, Running, Dead); err != nil {
		return err
	}
	if gp.System {
		s.Sched.NGSys--
	}
	gp.M = None
	locked := gp.LockedM != None
	gp.LockedM = None
	m.LockedG = None
	gp.Cleared = 0
	if s.Sched.GCBlacken && gp.GCAssist > 0 {
		// Flush assist credit to the global pool.
		s.Sched.BgScanCredit += int64(gp.GCAssist)
		gp.GCAssist = 0
	}
	s.dropg(mp)
	if s.Cfg.Wasm {
		// No threads yet on wasm: gfput and return.
		return s.gfput(pi, gi, r)
	}
	if locked && m.LockedInt != 0 {
		return throwf(ThrowLockedInt, "gdestroy")
	}
	if err := s.gfput(pi, gi, r); err != nil {
		return err
	}
	if !locked {
		return nil
	}
	// The G may have put its thread in an unusual kernel state: kill the
	// thread rather than return it to the pool (`gogo(&mp.g0.sched)`,
	// then mstart0 -> mexit, the M's next step, OpMexit); m0 cannot exit
	// and is wedged instead.
	m.Mexiting = true
	r.Locked = mexitBranch(mp)
	return nil
}

// mexitBranch is the locked branch a locked G's exit takes on M mp: the
// thread exits in mexit, but m0 is wedged there instead.
func mexitBranch(mp int) string {
	if mp == 0 {
		return LockedM0Wedged
	}
	return LockedMexit
}

// mexit is OpMexit: proc.go mexit for the thread of a locked G that
// exited, up to `handoffp(releasep())`'s unlocked reads (its next steps
// follow, handoffp.go). Result.Value is handoffp's next step. The runtime's gdestroy does gfput
// without sched.lock and mexit takes it later, so other Ms act between
// the exit and this step; `lock(&sched.lock); sched.nmfreed++;
// checkdead()` is the M's next step (OpMfreed), in a section of its own
// after handoffp's.
func (s *State) mexit(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	if !m.Mexiting {
		return r, s.disabled(op, "the M owes no mexit")
	}
	if err := s.handoffpGCChoice(op, m.P); err != nil {
		return r, err
	}
	m.Mexiting = false
	released, err := s.releasep(mp)
	if err != nil {
		return r, err
	}
	if mp != 0 {
		// `mp.self.clear()` (proc.go:2027, before handoffp): every
		// pp.oldm is a weak pointer to its M, and now gets nil, so a
		// restart of the world hands a stopped P that named this
		// thread to mget's M (procresize: `if oldm :=
		// pp.oldm.get(); oldm != nil`), not to newm's thread in its
		// slot. m0 parks before it (mPark) and keeps its self.
		for pi := range s.Ps {
			if s.Ps[pi].OldM == int8(mp) {
				s.Ps[pi].OldM = None
			}
		}
	}
	// handoffp's unlocked reads; its next steps (handoffp.go) come
	// before nmfreed++.
	s.handoffpRead(released, op.N)
	m.StartmP = released
	r.Value = int64(s.Ps[released].Handoff)
	r.HandedOff = true
	r.Locked = mexitBranch(mp)
	m.Mfreed = true
	return r, nil
}

// mfreed is OpMfreed: the end of proc.go mexit, `lock(&sched.lock);
// sched.nmfreed++; checkdead(); unlock(&sched.lock)`: the M stops
// counting in mcount() and the thread exits (m0 parks forever in mPark:
// throw("locked m0 woke up") if it ever wakes). m0's mexit counts it
// freed too.
func (s *State) mfreed(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	if !m.Mfreed {
		return r, s.disabled(op, "the M owes no nmfreed++ (its mexit's handoffp comes first)")
	}
	m.Mfreed = false
	r.Locked = mexitBranch(mp)
	if mp == 0 {
		m.Wedged = true
	} else {
		m.Exited = true
	}
	return r, s.checkdead(&r)
}

// gfput models proc.go gfput: free a stack that is not startingStackSize,
// push on the P's list, and spill to the global lists when the local size
// reaches GFreeCap (pop while size >= GFreeSpillTo). The two halves are
// the free-list sub-machine's GfputPush and GfputSpill (freelists.go).
func (s *State) gfput(pi int8, gi int32, r *Result) error {
	freed, err := s.GfputPush(pi, gi)
	if err != nil {
		return err
	}
	r.StackFreed = freed
	if s.Ps[pi].GFreeSize >= int32(s.Cfg.Consts.GFreeCap) {
		toStack, toNoStack := s.GfputSpill(pi)
		r.Spilled = toStack + toNoStack
	}
	return nil
}

// popToGlobal pops the P's free list head onto the head of the matching
// global list, and says which (true: the stack list). A batch of pops
// pushed at the head of a gQueue and then prepended with gList.pushAll
// leaves the last G popped at the global head, which is what pushing each
// one at the head in turn gives.
func (s *State) popToGlobal(pi int8) bool {
	pp := &s.Ps[pi]
	n := len(pp.GFree)
	g := pp.GFree[n-1]
	pp.GFree = pp.GFree[:n-1]
	pp.GFreeSize--
	sc := &s.Sched
	if s.Gs[g].Stack == 0 {
		sc.GFreeNoStack = append(sc.GFreeNoStack, g)
		sc.GFreeNoStackSize++
		return false
	}
	sc.GFreeStack = append(sc.GFreeStack, g)
	sc.GFreeStackSize++
	return true
}

// gfpurge models proc.go gfpurge: the whole local list to the global lists.
func (s *State) gfpurge(pi int8) { s.Gfpurge(pi) }
