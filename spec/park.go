package spec

// toRunnable takes M mp's running G off the M as runnable (casgstatus
// running -> runnable, dropg), as goyield_m begins, and goschedImpl after
// its status check (goschedRunnable): Result.G is the G.
func (s *State) toRunnable(mp int) (Result, int32, error) {
	r := NewResult()
	gi := s.Ms[mp].Curg
	r.G = gi
	if err := s.casgstatus(gi, Running, Runnable); err != nil {
		return r, gi, err
	}
	s.dropg(mp)
	return r, gi, nil
}

// goschedRunnable is goschedImpl's start (gosched_m, gopreempt_m and a
// preemption for a stop-the-world): `if status&^_Gscan != _Grunning {
// dumpgstatus(gp); throw("bad g status") }` (proc.go:4311-4314), then
// toRunnable.
func (s *State) goschedRunnable(mp int) (Result, int32, error) {
	if gi := s.Ms[mp].Curg; gi >= 0 && int(gi) < len(s.Gs) && s.Gs[gi].Status != Running {
		r := NewResult()
		r.G = gi
		return r, gi, throwf(ThrowBadGStatus, "goschedImpl")
	}
	return s.toRunnable(mp)
}

// gosched models proc.go gosched_m / goschedImpl: running -> runnable,
// dropg, globrunqput; a locked M then waits for its G (stoplockedm).
func (s *State) gosched(op Op, mp int) (Result, error) {
	r, gi, err := s.goschedRunnable(mp)
	if err != nil {
		return r, err
	}
	s.GlobrunqPut(gi)
	// goschedImpl: `unlock(&sched.lock); if mainStarted { wakep() }`,
	// then schedule. The wakep is the M's next step (OpWakep); a locked
	// M's stoplockedm comes after it (OpStoplockedm). The G is on the
	// global queue all the while: another M may take it and startlockedm
	// it, setting this M's nextp while it still holds its P.
	s.Ms[mp].WakeP = true
	s.afterDeschedule(mp)
	return r, nil
}

// goyield models proc.go goyield_m (proc.go:4456-4472), which goyield
// (mcall) runs for semrelease1's direct handoff in the starving regime of
// a sync.Mutex (sema.go:263-286: the waiter readied into runnext, with its
// wakep, takes the yielder's time slice): running -> runnable, dropg,
// runqput(pp, gp, false), the G at its own P's ring tail, then schedule,
// with no wakep (the M runs on with the P, and the G is on its ring);
// for a locked M, schedule's stoplockedm. With the ring full, runqputslow
// takes half of it and the G (P.SlowBatch), and its push is the M's next
// step, which owes no wakep either (M.YieldSlow). Result.G is the G,
// Result.Slow runqputslow's.
func (s *State) goyield(op Op, mp int) (Result, error) {
	m := &s.Ms[mp]
	r, gi, err := s.toRunnable(mp)
	if err != nil {
		return r, err
	}
	slow, err := s.runqputTail(m.P, gi)
	r.Slow = slow
	if err != nil {
		return r, err
	}
	if slow {
		m.YieldSlow = true
		return r, nil
	}
	s.afterDeschedule(mp)
	return r, nil
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
	s.afterDeschedule(mp)
	return r, nil
}

// afterDeschedule is the head of schedule for an M whose G stopped running:
// `if mp.lockedg != 0 { stoplockedm() ... }`, the M's step of its own
// (OpStoplockedm): park_m's unlockf has released the wait object, so a
// readier may make the G runnable and another M startlockedm it first.
func (s *State) afterDeschedule(mp int) {
	if s.Ms[mp].LockedG != None && !s.Cfg.Wasm {
		s.Ms[mp].StopLocked = true
	}
}

// stoplockedmOp is OpStoplockedm: schedule's stoplockedm for an M whose
// locked G stopped running: releasep and handoffp of the P it holds, then
// incidlelocked(1), which runs checkdead. The M then sleeps until
// startlockedm hands it a P, which may have happened already (M.NextP):
// its acquirep is then enabled at once (stoplockedmReturns). The op is
// releasep and handoffp's unlocked reads; handoffp's next steps
// (handoffp.go: M.StartmP, P.Handoff) come before incidlelocked(1).
// Result.Value is handoffp's next step (a HandoffStep).
func (s *State) stoplockedmOp(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	if !m.StopLocked {
		return r, s.disabled(op, "the M owes no stoplockedm")
	}
	if err := s.handoffpGCChoice(op, m.P); err != nil {
		return r, err
	}
	m.StopLocked = false
	handed, err := s.stoplockedm(mp, op.N)
	r.HandedOff = handed
	if err != nil {
		return r, err
	}
	if handed {
		// handoffp's next steps, then incidlelocked(1): StopLocked
		// stays set until then, so that checkdead counts the M
		// running, as the runtime's does.
		m.StopLocked = true
		r.Value = int64(s.Ps[m.StartmP].Handoff)
		return r, nil
	}
	return r, s.checkdead(&r)
}

// entersyscall models proc.go reentersyscall: running -> syscall; the M
// keeps its P (Go 1.26 has no _Psyscall: a P is "in a syscall" when its
// M's G is) and remembers it as oldp. With a stop-the-world under way the P
// stops instead (entersyscallHandleGCWait).
func (s *State) entersyscall(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	r.G = m.Curg
	m.OldP = m.P
	if s.Sched.GCWaiting && m.P != None {
		// entersyscallHandleGCWait: "If there's a pending STW, do the
		// equivalent of entersyscallblock here at the last minute and
		// immediately give away our P": under sched.lock, with
		// stopwait > 0 (this P has not stopped), pp.m and mp.p
		// cleared, the P to _Pgcstop (proc.go:4755-4777, 4688-4697).
		// The M keeps its oldp.
		s.gcstopP(m.P, mp)
		r.HandedOff = true
	}
	return r, s.casgstatus(m.Curg, Running, Syscall)
}

// retake models sysmon's retake of a P whose M's G is in a syscall
// (proc.go:6630-6720): incidlelocked(-1), setBlockOnExitSyscall, takeP,
// thread.resume(); `handoffp(pp)` and incidlelocked(1) are sysmon's next
// step (OpHandoffp). The resume comes first: in between the M may leave
// its syscall without its P (the runtime's comment at proc.go:6676-6679:
// "the M from which we retake can exit the syscall, increment nmidle and
// report deadlock", which the incidlelocked(-1) bracket prevents).
// Sched.RetakeP holds the P meanwhile. There is no sysmon on wasm.
// sysmon's timing is not modelled: the runtime retakes only a P whose
// syscalltick it saw unchanged since its last tick and, with no local
// work and an M spinning or a P idle, only after 10ms in the syscall
// (proc.go:6693-6705); every retake the spec offers is one a long
// enough syscall allows.
func (s *State) retake(op Op) (Result, error) {
	r := NewResult()
	switch {
	case op.M != Sysmon:
		return r, s.disabled(op, "only sysmon retakes")
	case s.Cfg.Wasm:
		return r, s.disabled(op, "no sysmon on wasm")
	case op.P < 0 || int(op.P) >= len(s.Ps):
		return r, s.disabled(op, "no such P")
	case s.Sched.RetakeP != None:
		return r, s.disabled(op, "sysmon's handoffp of the P it retook comes first")
	}
	mp := s.setBlockOnExitSyscall(op.P)
	if op.N == RetakeProbe {
		// The probe lets the syscall go with its P: nothing changes.
		// Its interval is the time the scan bit was held.
		if mp == None && op.Strict {
			return r, s.disabled(op, "the P's M is not in a syscall: nothing for the probe to hold")
		}
		r.Value = int64(mp)
		return r, nil
	}
	if op.N != 0 {
		return r, s.disabled(op, "unknown retake input")
	}
	if mp == None {
		return r, s.disabled(op, "the P's M is not in a syscall")
	}
	pi, err := s.takeP(mp)
	if err != nil {
		return r, err
	}
	// takeP's _Pidle, off the idle list and no M's: the spec's PHandoff,
	// held by sysmon (pendingP: no M takes it for newm's).
	s.Ps[pi].Status = PHandoff
	s.Sched.RetakeP, s.Sched.RetakeM = pi, int8(mp)
	r.Value = int64(mp)
	return r, nil
}

// RetakeProbe (Op.N of OpRetake) is sysmon's probe of a syscall it
// lets go with its P (proc.go:6686-6705: setBlockOnExitSyscall, then
// `thread.resume(); goto done` when the syscall is young and work has an
// M): the state is unchanged. Enabled never offers it (a step that
// changes nothing adds no state); it is an implementation's event, whose
// interval is the time the probe held the G's scan bit: a stop-the-world
// or an exitsyscall that overlaps it may find setBlockOnExitSyscall
// failing (their relaxed ops), one that does not may not, unless the
// GC marks (a GC worker's stack scan, which no op records, holds the
// bit).
const RetakeProbe = 1

// sysmonHandoffp is OpHandoffp: sysmon's `handoffp(pp)` of the P its
// retake took (Sched.RetakeP), its unlocked reads (handoffpRead); its
// next steps follow P.Handoff, and `incidlelocked(1)` after the last,
// whose checkdead counts sysmon's bracket gone (proc.go:6715-6721).
// RetakeM, the M the P was taken from (its acquirep set pp.oldm), stays
// set for handoffp's stop of the P during a stop-the-world.
// Result.Value is the next step (a HandoffStep).
func (s *State) sysmonHandoffp(op Op) (Result, error) {
	r := NewResult()
	if op.M != Sysmon {
		return r, s.disabled(op, "only sysmon hands off the P its retake took")
	}
	pi := s.Sched.RetakeP
	switch {
	case pi == None:
		return r, s.disabled(op, "sysmon's retake took no P")
	case s.Ps[pi].Handoff != HandoffNone:
		return r, s.disabled(op, "sysmon's handoffp began: its "+s.Ps[pi].Handoff.Next().String()+" is next")
	}
	if err := s.handoffpGCChoice(op, pi); err != nil {
		return r, err
	}
	r.P, r.HandedOff = pi, true
	s.handoffpRead(pi, op.N)
	r.Value = int64(s.Ps[pi].Handoff)
	return r, nil
}

// setBlockOnExitSyscall models proc.go setBlockOnExitSyscall
// (proc.go:6750-6806): P pi is _Prunning, wired to an M whose curg is in a
// syscall on that very M and P. It returns that M, or None. The runtime
// then holds the G's scan bit, so the G cannot leave the syscall until the
// caller resumes it (retake resumes it after takeP, before handoffp:
// proc.go:6710-6715); the spec's callers are single steps.
func (s *State) setBlockOnExitSyscall(pi int8) int {
	pp := &s.Ps[pi]
	if pp.Status != PRunning || pp.M == None {
		return None
	}
	m := &s.Ms[pp.M]
	if m.Curg == None || m.P != pi {
		return None
	}
	if g := &s.Gs[m.Curg]; g.Status != Syscall || g.M != pp.M {
		return None
	}
	return int(pp.M)
}

// takeP models syscallingThread.takeP (proc.go:6810-6836): the P is
// unwired from the syscalling M (pp.m = 0, mp.p = 0, _Pidle), which keeps
// its G in the syscall and the P as its oldp (entersyscall set it).
func (s *State) takeP(mp int) (int8, error) {
	return s.releasep(mp)
}

// exitsyscall models proc.go exitsyscall (proc.go:4883-5024) with
// exitsyscallTryGetP (proc.go:5033-5060) and exitsyscallNoP
// (proc.go:5067-5116). The G goes from _Gsyscall to _Grunning first; then,
// by op.N (an ExitPath):
//   - ExitKeep: the M still has its P (nobody retook it): keep it;
//   - ExitOldP: the M lost its P, and the old P is running under another
//     M whose G is in a syscall (setBlockOnExitSyscall(oldp) succeeds):
//     takeP from that thread, which stays in its syscall without a P, and
//     acquirep it;
//   - ExitPidle: pidleget under sched.lock: the head of the idle list,
//     the P idled last, whichever P it is (the old P has no precedence);
//   - ExitNoPPidle: exitsyscallNoP: running -> runnable, dropg, and its
//     own pidleget under sched.lock finds a P: acquirep and execute(gp,
//     false), which counts a schedtick;
//   - ExitNoP: the idle list is empty: exitsyscallNoP puts the G on the
//     global queue (globrunqput) and the M stops (stopm), or waits for it
//     in stoplockedm when locked to it.
//
// The P each path gets is the spec's to decide. Which path is taken is the
// runtime's order only where it reads under a lock: ExitNoP needs an empty
// idle list and ExitPidle / ExitNoPPidle a non-empty one (pidleget runs
// under sched.lock). The rest is relaxed as in findRunnable (package doc,
// "Schedule choices"), because the runtime decides it on racy reads:
//   - setBlockOnExitSyscall reads oldp's status, M and G without a lock
//     and "may fail if pp is not in a system call, or exits a system call
//     concurrently" (proc.go:6746-6748); and its castogscanstatus
//     (proc.go:6784) fails while another thread holds the G's scan bit,
//     which threads the spec makes no op of do: sysmon's retake probes
//     every syscall it sees and lets it go (setBlockOnExitSyscall, then
//     thread.resume() when the syscalltick moved or there is nothing to
//     gain, proc.go:6686-6705), and a GC worker's stack scan suspends it
//     (suspendG, preempt.go:159-168). So ExitPidle and ExitNoP are allowed
//     when the old P could be taken back, in relaxed order (the probe is
//     an event of the implementation's, RetakeProbe), and in strict order
//     only while the GC marks (the scan is no op; a review found that a
//     strict order that allowed them always passed an exitsyscall that
//     never took its old P back);
//   - exitsyscallTryGetP checks `sched.pidle != 0` without the lock
//     (proc.go:5045), so exitsyscallNoP's own pidleget (ExitNoPPidle) may
//     be the one that finds the P; in strict order it is not (only a
//     racing pidleput, an op, makes the read see an empty list).
func (s *State) exitsyscall(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	gi := m.Curg
	r.G = gi
	path := ExitPath(op.N)
	oldp := m.OldP
	switch {
	case path < 0 || path >= numExitPaths:
		return r, s.disabled(op, "no such exitsyscall path")
	case (path == ExitKeep) != (m.P != None):
		return r, s.disabled(op, "the fast path is exactly the case of an M that kept its P")
	case path == ExitOldP && (oldp == None || s.setBlockOnExitSyscall(oldp) == None):
		return r, s.disabled(op, "the old P is not running under a thread in a syscall (setBlockOnExitSyscall fails)")
	case (path == ExitPidle || path == ExitNoPPidle) && s.Sched.Pidle == None:
		return r, s.disabled(op, "the idle P list is empty (pidleget finds nothing)")
	case path == ExitNoP && s.Sched.Pidle != None:
		return r, s.disabled(op, "exitsyscallNoP's pidleget finds an idle P")
	case op.Strict && path == ExitNoPPidle:
		return r, s.disabled(op, "strict: exitsyscallTryGetP's sched.pidle != 0 sees the idle P (only a racing pidleput makes exitsyscallNoP find it)")
	case op.Strict && path != ExitKeep && path != ExitOldP && oldp != None && s.setBlockOnExitSyscall(oldp) != None && !s.Sched.GCBlacken:
		return r, s.disabled(op, "strict: nothing holds the scan bit of the G in a syscall on the old P (no op overlaps: no sysmon probe or retake, no other exitsyscall; the GC does not mark), so setBlockOnExitSyscall(oldp) takes it back")
	}
	if err := s.casgstatus(gi, Syscall, Running); err != nil {
		return r, err
	}
	m.OldP = None
	var pi int8
	switch path {
	case ExitKeep:
		r.P = m.P
		return r, nil
	case ExitOldP:
		var err error
		if pi, err = s.takeP(s.setBlockOnExitSyscall(oldp)); err != nil {
			return r, err
		}
	case ExitPidle:
		pi = s.pidleget()
	case ExitNoPPidle, ExitNoP:
		if err := s.casgstatus(gi, Running, Runnable); err != nil {
			return r, err
		}
		s.dropg(mp)
		if path == ExitNoP {
			s.GlobrunqPut(gi)
			// exitsyscallNoP reads gp.lockedm before the unlock that
			// publishes gp (golang/go#46524's fix). After the unlock
			// a locked M calls stoplockedm (it holds no P: no
			// handoffp; its incidlelocked(1) takes sched.lock again
			// and runs checkdead), its next step (OpStoplockedm);
			// any other M stopm's, its next step (no wakep: the G
			// waits on the global queue for an M that finds it).
			// Between the two another M may take the G (and
			// startlockedm it back to this M first), or find no
			// idle M for a startm.
			if m.LockedG != None && !s.Cfg.Wasm {
				m.StopLocked = true
				return r, nil
			}
			m.Stopping = true
			return r, nil
		}
		pi = s.pidleget()
		r.P = pi
		if err := s.acquirepOn(mp, pi); err != nil {
			return r, err
		}
		return r, s.execute(mp, gi, false)
	}
	r.P = pi
	return r, s.acquirepOn(mp, pi)
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
		// The spec's counts are 8 bits where the runtime's are 32
		// (runtime2.go lockedExt, lockedInt; LockOSThread panics only
		// when its count wraps): nesting past 255 is left out.
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
