package spec

// gosched models proc.go gosched_m / goschedImpl: running -> runnable,
// dropg, globrunqput; a locked M then waits for its G (stoplockedm).
func (s *State) gosched(op Op, mp int) (Result, error) {
	r := NewResult()
	gi := s.Ms[mp].Curg
	r.G = gi
	if err := s.casgstatus(gi, Running, Runnable); err != nil {
		return r, err
	}
	s.dropg(mp)
	s.GlobrunqPut(gi)
	return r, s.afterDeschedule(mp, &r)
}

// park models proc.go park_m: running -> waiting, dropg, then schedule,
// which for a locked M is stoplockedm.
func (s *State) park(op Op, mp int) (Result, error) {
	r := NewResult()
	gi := s.Ms[mp].Curg
	r.G = gi
	if err := s.casgstatus(gi, Running, Waiting); err != nil {
		return r, err
	}
	s.dropg(mp)
	if err := s.afterDeschedule(mp, &r); err != nil {
		return r, err
	}
	// The last runnable goroutine blocking can leave checkdead nothing.
	s.checkdead(&r)
	return r, nil
}

// afterDeschedule is the head of schedule for an M whose G stopped running:
// `if mp.lockedg != 0 { stoplockedm() ... }`.
func (s *State) afterDeschedule(mp int, r *Result) error {
	if s.Ms[mp].LockedG == None || s.Cfg.Wasm {
		return nil
	}
	handed, err := s.stoplockedm(mp)
	r.HandedOff = handed
	return err
}

// entersyscall models proc.go reentersyscall: running -> syscall; the M
// keeps its P (Go 1.26 has no _Psyscall: a P is "in a syscall" when its
// M's G is) and remembers it as oldp.
func (s *State) entersyscall(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	r.G = m.Curg
	m.OldP = m.P
	return r, s.casgstatus(m.Curg, Running, Syscall)
}

// retake models sysmon's retake of a P whose M's G is in a syscall:
// takeP, then handoffp. There is no sysmon on wasm.
func (s *State) retake(op Op) (Result, error) {
	r := NewResult()
	if s.Cfg.Wasm {
		return r, s.disabled(op, "no sysmon on wasm")
	}
	if op.P < 0 || int(op.P) >= len(s.Ps) {
		return r, s.disabled(op, "no such P")
	}
	pp := &s.Ps[op.P]
	if pp.Status != PRunning || pp.M == None {
		return r, s.disabled(op, "the P is not running")
	}
	mp := int(pp.M)
	m := &s.Ms[mp]
	if m.Curg == None || s.Gs[m.Curg].Status != Syscall {
		return r, s.disabled(op, "the P's M is not in a syscall")
	}
	pi, err := s.releasep(mp)
	if err != nil {
		return r, err
	}
	m.OldP = pi
	r.Value = int64(mp)
	r.HandedOff = true
	return r, s.handoffp(pi)
}

// exitsyscall models proc.go exitsyscall: syscall -> running; keep the P if
// the M still has it, else take an idle P (oldp first: exitsyscallTryGetP),
// else exitsyscallNoP: running -> runnable, dropg, globrunqput, and the M
// stops (stoplockedm when it is locked to the G).
func (s *State) exitsyscall(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	gi := m.Curg
	r.G = gi
	if m.P != None {
		if err := s.casgstatus(gi, Syscall, Running); err != nil {
			return r, err
		}
		m.OldP = None
		r.P = m.P
		return r, nil
	}
	oldp := m.OldP
	want := op.P
	if oldp != None && s.Ps[oldp].Status == PIdle && want != oldp {
		return r, s.disabled(op, "the old P is idle and exitsyscall takes it first")
	}
	if want != None {
		if want < 0 || int(want) >= len(s.Ps) || s.Ps[want].Status != PIdle {
			return r, s.disabled(op, "the chosen P is not idle")
		}
	} else {
		for i := range s.Ps {
			if s.Ps[i].Status == PIdle {
				return r, s.disabled(op, "an idle P is there to take")
			}
		}
	}
	if err := s.casgstatus(gi, Syscall, Running); err != nil {
		return r, err
	}
	m.OldP = None
	if want != None {
		r.P = want
		return r, s.acquirepOn(mp, want)
	}
	// exitsyscallNoP.
	if err := s.casgstatus(gi, Running, Runnable); err != nil {
		return r, err
	}
	s.dropg(mp)
	s.GlobrunqPut(gi)
	// A locked M waits in stoplockedm (it holds no P); any other stops.
	return r, nil
}

// lockOSThread models proc.go LockOSThread, UnlockOSThread and the
// runtime-internal lockOSThread/unlockOSThread: the counts, and the wiring
// of g.lockedm and m.lockedg while either count is non-zero (dolockOSThread
// and dounlockOSThread, which do nothing on wasm).
func (s *State) lockOSThread(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	gi := m.Curg
	r.G = gi
	switch op.Kind {
	case OpLockOSThread:
		if m.LockedExt == 255 {
			return r, s.disabled(op, "LockOSThread nesting overflow")
		}
		m.LockedExt++
		r.Value = int64(m.LockedExt)
	case OpLockInt:
		if m.LockedInt == 255 {
			return r, s.disabled(op, "lockOSThread nesting overflow")
		}
		m.LockedInt++
		r.Value = int64(m.LockedInt)
	case OpUnlockOSThread:
		if m.LockedExt == 0 {
			return r, nil
		}
		m.LockedExt--
		r.Value = int64(m.LockedExt)
	case OpUnlockInt:
		if m.LockedInt == 0 {
			return r, throwf(ThrowBadUnlock, "badunlockosthread")
		}
		m.LockedInt--
		r.Value = int64(m.LockedInt)
	}
	if s.Cfg.Wasm {
		return r, nil
	}
	if m.LockedExt != 0 || m.LockedInt != 0 {
		m.LockedG = gi
		s.Gs[gi].LockedM = int8(mp)
	} else {
		m.LockedG = None
		s.Gs[gi].LockedM = None
	}
	return r, nil
}
