// System calls (proc.go): entersyscall (reentersyscall), exitsyscall
// with Go 1.26's paths (exitsyscallTryGetP, exitsyscallNoP),
// setBlockOnExitSyscall and takeP.

package impl

// entersyscall (reentersyscall): running -> syscall; the M keeps its P and
// remembers it as oldp. With a stop-the-world under way the P stops
// instead (entersyscallHandleGCWait, proc.go:4755-4777: under
// sched.lock, if stopwait > 0, pp.m and mp.p cleared, _Pgcstop).
//
// As in the runtime (reentersyscall), gcwaiting is read before the G's
// CAS to _Gsyscall, so a stop-the-world can set gcwaiting after the read
// and pass the P in its syscall loop before the CAS: neither stops the
// P, which is left to sysmon's retake. The stop-the-world records such a
// P as left only if it knows the read came first: the M publishes its
// phase (m.sysEnter) around the read and commits to keeping its P with a
// CAS; a stop-the-world that finds it still reading takes that away (3),
// and the M reads gcwaiting again, a later read the runtime can make too.
func (mp *m) entersyscall(gp *g) {
	s := mp.s
	r := mp.begin(opEnterSyscall)
	r.g = gp.idx
	gp.inSys = true
	mp.oldp.Store(mp.p.Load())
	for {
		mp.sysEnter.Store(1)
		if s.gcwaiting.Load() {
			mp.sysEnter.Store(0)
			s.lockSched(&mp.actor)
			if pp := mp.p.Load(); pp != nil && s.stopwait.Load() > 0 {
				s.gcstopPLocked(pp, mp)
				r.flags |= flHandedOff
			}
			s.unlockSched(&mp.actor)
			break
		}
		if s.enterSyscallHook != nil {
			s.enterSyscallHook(false)
		}
		if mp.sysEnter.CompareAndSwap(1, 2) {
			break
		}
	}
	if s.enterSyscallHook != nil && mp.sysEnter.Load() == 2 {
		s.enterSyscallHook(true)
	}
	ok := gp.status.CompareAndSwap(gRunning, gSyscall)
	mp.sysEnter.Store(0)
	if !ok {
		mp.throwOp(&r, throwCasgstatus)
		return
	}
	mp.commit(&r)
}

// exitsyscall (proc.go:4883-5024): syscall -> running (waiting out a
// retake or an exitsyscall elsewhere that holds the G's scan bit, as
// setBlockOnExitSyscall makes it); keep the P if the M still has it; else
// exitsyscallTryGetP; else exitsyscallNoP. The path taken is recorded
// (Output.Path).
func (mp *m) exitsyscall(gp *g) {
	s := mp.s
	r := mp.begin(opExitSyscall)
	r.g = gp.idx
	mp.sysExits.Add(1) // an exit under way (see stopTheWorld)
	for !gp.status.CompareAndSwap(gSyscall, gRunning) {
		// Someone holds the scan bit while it takes the P
		// (setBlockOnExitSyscall); it may have dropped it again since the
		// CAS failed, so only a status that is not syscall is a bug.
		if gp.status.Load()&^gScan != gSyscall {
			mp.throwOp(&r, throwCasgstatus)
			return
		}
		if s.panicMsg.Load() != nil || s.done.Load() {
			// The holder will never let go (it panicked holding the
			// scan bit), or the run is over (its end, or its time
			// budget: a holder that never lets go would otherwise
			// keep this loop, and Run, from ever returning); the op
			// never took effect.
			return
		}
		if s.det {
			// casgstatus spins until the holder (sysmon's retake or
			// probe, another M's exitsyscallTryGetP) lets go, which
			// only the holder's own steps do: the M is not granted
			// until then (a systematic schedule that kept granting
			// it would spin to the step budget), and the run's end
			// finds it waiting (the op never took effect).
			if !mp.waitUntil(func() bool { return gp.status.Load()&gScan == 0 }) {
				return
			}
			continue
		}
		mp.osyield()
	}
	if s.exitCASHook != nil {
		s.exitCASHook()
	}
	mp.sysExits.Add(1)
	gp.inSys = false
	oldp := mp.oldp.Swap(nil)
	if pp := mp.p.Load(); pp != nil {
		r.a, r.code = pp.id, exitKeep
		mp.branch(brExitsyscallKeep)
		mp.commit(&r)
		return
	}
	// Slow path: we lost our P. Try to get another one.
	if pp, path, msg := mp.exitsyscallTryGetP(oldp); pp != nil {
		r.a, r.code = pp.id, path
		if msg != "" {
			mp.throwOp(&r, msg)
			return
		}
		mp.commit(&r)
		return
	}
	mp.exitsyscallNoP(gp, &r)
}

// exitsyscallTryGetP (proc.go:5033-5060): take the old P back from the
// thread now in a syscall on it (setBlockOnExitSyscall, takeP), else, if
// the idle list looks non-empty (read without the lock, as `sched.pidle
// != 0`), pidleget's P under sched.lock: the head, the P idled last. As in
// the runtime, neither takeP nor exitsyscall's acquirep takes sched.lock:
// the scan bit holds the syscalling thread, and a P off the idle list is
// this M's alone.
func (mp *m) exitsyscallTryGetP(oldp *p) (*p, uint8, string) {
	s := mp.s
	if s.f.exitsyscallOldp {
		// gexit's rule before it followed Go 1.26: oldp first if it
		// is idle, else the idle P with the lowest id, wherever they
		// sit on the idle list; never from a syscalling thread.
		mp.sp()
		s.lockSched(&mp.actor)
		var got *p
		if oldp != nil && oldp.idlep.Load() {
			got = oldp
		} else {
			for _, q := range s.ps {
				if q.idlep.Load() {
					got = q
					break
				}
			}
		}
		if got != nil && !s.pidleremoveLocked(got) {
			got = nil
		}
		var msg string
		if got != nil {
			msg = s.acquirep(mp, got)
			mp.branch(brExitsyscallIdle)
		}
		s.unlockSched(&mp.actor)
		return got, exitPidle, msg
	}
	if oldp != nil && !s.f.exitsyscallNeverOldp {
		if th, ok := s.setBlockOnExitSyscall(&mp.actor, oldp); ok {
			// Published while the scan bit holds the other thread in
			// its syscall, for a stop-the-world's reads (stopTheWorld).
			mp.takingP.Store(oldp)
			pp, msg := s.takeP(th)
			th.resume()
			if s.takePHook != nil {
				s.takePHook()
			}
			if msg == "" {
				msg = s.acquirep(mp, pp)
			}
			mp.takingP.Store(nil)
			mp.branch(brExitsyscallOldp)
			return oldp, exitOldP, msg
		}
	}
	if s.pidle.Load() != nil {
		mp.sp()
		s.lockSched(&mp.actor)
		pp := s.pidlegetLocked()
		s.unlockSched(&mp.actor)
		if pp != nil {
			mp.branch(brExitsyscallIdle)
			return pp, exitPidle, s.acquirep(mp, pp)
		}
	}
	return nil, 0, ""
}

// exitsyscallNoP (proc.go:5067-5116): running -> runnable, dropg; under
// sched.lock, pidleget once more: with a P, acquirep and execute(gp,
// false) (a new time slice); without, globrunqput, and the M stops after
// the unlock, its next op: stoplockedm for a locked M (stoplockedmOwed,
// then it waits for the G in the M loop), stopm for any other.
func (mp *m) exitsyscallNoP(gp *g, r *rec) {
	s := mp.s
	gp.runningOn.Store(-1)
	if !gp.status.CompareAndSwap(gRunning, gRunnable) {
		mp.throwOp(r, throwCasgstatus)
		return
	}
	mp.dropg()
	mp.sp()
	// The fault reads gp.lockedm after the unlock below; only for an M
	// that is not locked does the late read change anything (a G locked
	// to this M stays locked to it until it runs here again).
	readLate := s.f.lockedmReadLate && mp.lockedg == nil && !s.cfg.Wasm
	s.lockSched(&mp.actor)
	pp := s.pidlegetLocked()
	var msg string
	if pp == nil {
		s.runq.pushBack(gp)
		s.runqSize.Add(1)
		// gp.lockedm is read before the unlock publishes gp
		// (golang/go#46524's fix); the fault reads it after.
		switch {
		case readLate:
			// Decided after the unlock (below).
		case mp.lockedg == nil || s.cfg.Wasm:
			// stopm, after the unlock: the M's next op (stopmOwed).
			// No wakep; the G waits for an M that finds it.
			mp.stopping = true
		default:
			// stoplockedm, after the unlock: the M's next op
			// (stoplockedmOwed): no P to hand off; its
			// incidlelocked(1) takes sched.lock again.
			mp.stoplocked = true
		}
	}
	s.unlockSched(&mp.actor)
	if pp == nil && readLate {
		// The fault: exitsyscall0 before Go 1.17 read gp.lockedm after
		// the unlock that published gp; another M may have run gp and
		// locked it to itself since.
		mp.sp()
		if gp.lockedTo.Load() != 0 {
			mp.stoplocked = true
		} else {
			mp.stopping = true
		}
	}

	if pp != nil {
		r.a, r.code = pp.id, exitNoPPidle
		// `acquirep(pp); execute(gp, false)` after the unlock.
		msg = s.acquirep(mp, pp)
		if msg == "" {
			msg = s.execute(mp, pp, gp, false)
		}
		if msg != "" {
			mp.throwOp(r, msg)
			return
		}
		mp.branch(brExitsyscallNoPIdle)
		mp.commit(r)
		return
	}
	r.code = exitNoP
	mp.branch(brExitsyscallNoP)
	if msg != "" {
		mp.throwOp(r, msg)
		return
	}
	mp.commit(r)
}

// syscallingThread is proc.go's syscallingThread: a thread whose G is held
// in its syscall by the scan bit.
type syscallingThread struct {
	gp *g
	mp *m
	pp *p
}

// setBlockOnExitSyscall (proc.go:6750-6806): if pp is running under an M
// whose curg is in a syscall, take the G's scan bit (its exitsyscall
// waits) and check that the G, the M and the P are still wired together.
// The reads before the CAS are racy, as in the runtime ("these reads are
// intentionally racy"), with scheduling points for actor a between them,
// the CAS and the check after it, so that deterministic runs reach the
// G leaving its syscall, or its M losing the P, in between (none when a
// holds sched.lock, as the stop-the-world's loop does).
func (s *sched) setBlockOnExitSyscall(a *actor, pp *p) (syscallingThread, bool) {
	if pp.status.Load() != pRunning {
		return syscallingThread{}, false
	}
	mp := pp.m.Load()
	if mp == nil {
		return syscallingThread{}, false
	}
	gp := mp.curg.Load()
	if gp == nil {
		return syscallingThread{}, false
	}
	a.sp()
	if !gp.status.CompareAndSwap(gSyscall, gSyscall|gScan) {
		return syscallingThread{}, false
	}
	a.sp()
	if mp.p.Load() != pp || pp.m.Load() != mp || mp.curg.Load() != gp {
		gp.status.Store(gSyscall)
		return syscallingThread{}, false
	}
	return syscallingThread{gp, mp, pp}, true
}

// takeP is syscallingThread.takeP (proc.go:6810-6836): unwire the P from
// the thread (pp.m = 0, mp.p = 0, _Pidle), which the scan bit holds in
// its syscall; it keeps its G there and the P as its oldp. No lock, as in
// the runtime (retake calls it with sched.lock held, for its handoffp).
func (s *sched) takeP(th syscallingThread) (*p, string) {
	return s.releasepLocked(th.mp)
}

// resume (proc.go) lets the thread leave its syscall again.
func (th syscallingThread) resume() { th.gp.status.Store(gSyscall) }
