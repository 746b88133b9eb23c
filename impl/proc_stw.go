// The stop-the-world protocol (proc.go stopTheWorldWithSema,
// startTheWorldWithSema, gcstopm, goschedImpl's preemption for it): the
// controller sets sched.gcwaiting and takes the Ps of Ms in syscalls and
// the idle Ps; every other M stops at its next safe point (its running G
// preempted into its own P's runnext first); once sched.stopwait is 0 the
// controller makes its action and hands the Ps with work back out.

package impl

// stopTheWorld is the controller's stopTheWorldWithSema
// (proc.go:1628-1690) up to its wait, recorded as op stoptheworld: under
// sched.lock, stopwait = gomaxprocs and gcwaiting; every P whose M's G is
// in a syscall is taken (setBlockOnExitSyscall, gcstopP: the M loses its
// P and keeps its oldp); every idle P (pidleget until the list is empty).
// Each goes to _Pgcstop with stopwait--. A syscall P that
// setBlockOnExitSyscall cannot take stays with its M, as in the runtime:
// sysmon's retake holds its G's scan bit, or the M's exitsyscall took
// the G out of its syscall (a CAS, no lock) after gcwaiting was set and
// before the loop came to the P. Such Ps, those whose G was in a syscall
// right after gcwaiting was set (the stop-the-world's point in the
// spec) and were not taken, are the op's input (a bit per P). From here
// checkdead counts the controller's M as running (sched.ctlm). The op's
// value is stopwait.
// False, with no op made, when checkdead has already ended the program.
func (a *actor) stopTheWorld() bool {
	s := a.s
	r := a.begin(opStopTheWorld)
	s.lockSched(a)
	if s.fatalPending {
		s.unlockSched(a)
		a.abandon()
		return false
	}
	s.ctlm.Store(1)
	n := int32(0)
	for _, pp := range s.ps {
		if pp.status.Load() != pDead {
			n++
		}
	}
	s.stopwait.Store(n)
	if s.stwStoreHook != nil {
		s.stwStoreHook()
	}
	// The Ms' syscall exits so far (see below).
	var exits [64]uint32
	for _, mp := range s.ms {
		exits[mp.id] = mp.sysExits.Load()
	}
	s.gcwaiting.Store(true)
	if s.stwReadHook != nil {
		s.stwReadHook()
	}
	// The syscall Ps at the store (the op's point), read right after it:
	// a G that left its syscall before the store is not one (exitsyscall
	// takes no lock, so a read before the store, which this was, could
	// see a G in its syscall that had left it by the store and record
	// its P as left in a syscall: a false alarm gexit check found in free
	// mode, the M then running another G with gcwaiting still unset).
	var inSyscall uint64
	for _, pp := range s.ps {
		if s.syscallP(pp) {
			inSyscall |= 1 << uint(pp.id)
		}
	}
	if s.stwLoopHook != nil {
		s.stwLoopHook()
	}
	for _, pp := range s.ps {
		if s.f.stwSkipsSyscalls {
			// The planted bug: no retake of a syscall's P.
			r.in |= int32(inSyscall & (1 << uint(pp.id)))
			continue
		}
		if th, ok := s.setBlockOnExitSyscall(a, pp); ok {
			s.gcstopPLocked(pp, th.mp)
			th.resume()
		} else if inSyscall&(1<<uint(pp.id)) != 0 {
			// Sysmon's retake holds the G's scan bit (and waits for
			// sched.lock), or the M left its syscall meanwhile: the P
			// stays with its M.
			r.in |= 1 << uint(pp.id)
		}
	}
	// An M entering a syscall that read gcwaiting before the store and
	// whose G's CAS to _Gsyscall came after the loop passed its P keeps
	// the P too (entersyscall): it has committed (sysEnter 2) or its G is
	// in the syscall by now. One still reading is made to read again
	// (3): it will see gcwaiting and stop its P itself.
	for _, pp := range s.ps {
		mp := pp.m.Load()
		if pp.status.Load() != pRunning || mp == nil || mp.p.Load() != pp || mp.sysEnter.CompareAndSwap(1, 3) {
			continue
		}
		if mp.sysEnter.Load() == 2 || s.syscallP(pp) {
			r.in |= 1 << uint(pp.id)
		}
	}
	// "Right after" is not atomic: this goroutine can be descheduled
	// between the store and the reads, and an M whose G leaves its
	// syscall meanwhile (exitsyscall takes no lock) keeps its P, which
	// the reads then see running. Its G was in the syscall at the store,
	// or left it in this op's interval: either way the P is recorded as
	// left (a relaxed stop-the-world may name a running P whose G left
	// its syscall; one that overlapped no other op had no such exit). A
	// free-mode hunt (seed 100, 6 Ps) found the P unrecorded: no order
	// of the spec explained M0 keeping it. An exit counts before its CAS
	// and after (m.sysExits): one under way at the snapshot (odd) or
	// made since (moved) may have left its syscall in the window. So
	// may a P exitsyscall's oldp path took from the thread in a syscall
	// on it and has not acquired yet (m.takingP): idle, on no list and
	// held by no M, which no read above names.
	for _, mp := range s.ms {
		if pp := mp.takingP.Load(); pp != nil {
			r.in |= 1 << uint(pp.id)
		}
	}
	for _, pp := range s.ps {
		mp := pp.m.Load()
		if pp.status.Load() != pRunning || mp == nil || mp.p.Load() != pp {
			continue
		}
		if e := exits[mp.id]; e&1 != 0 || mp.sysExits.Load() != e {
			r.in |= 1 << uint(pp.id)
		}
	}
	for pp := s.pidlegetLocked(); pp != nil; pp = s.pidlegetLocked() {
		s.gcstopPLocked(pp, nil)
	}
	r.val = int64(s.stopwait.Load())
	s.unlockSched(a)
	a.commit(&r)
	return true
}

// syscallP reports whether pp is the P of an M whose G is in a syscall
// (its scan bit held by sysmon's retake or not): one the stop-the-world
// takes if its setBlockOnExitSyscall succeeds.
func (s *sched) syscallP(pp *p) bool {
	mp := pp.m.Load()
	if pp.status.Load() != pRunning || mp == nil || mp.p.Load() != pp {
		return false
	}
	gp := mp.curg.Load()
	return gp != nil && gp.status.Load()&^gScan == gSyscall
}

// gcstopPLocked puts pp, held by oldm (nil: an idle P), in _Pgcstop with
// sched.lock held: no M, off every list, oldm recorded, stopwait--.
func (s *sched) gcstopPLocked(pp *p, oldm *m) {
	if oldm != nil && oldm.p.Load() == pp {
		oldm.p.Store(nil)
	}
	pp.m.Store(nil)
	pp.link = nil
	pp.idlep.Store(false)
	pp.oldm = oldm
	pp.status.Store(pGcstop)
	s.stopwait.Add(-1)
}

// preempt is goschedImpl(gp, true) while sched.gcwaiting
// (proc.go:4307-4346), the M's G stopping at a safe point for the
// stop-the-world: running -> runnable, dropg, runqput(pp, gp, true) into
// the M's own P's runnext, "so it can keep running immediately after the
// STW"; an old runnext kicked out is the M's next op (runqputkick).
// Then the wakep and, for a locked M, stoplockedm (the M's next ops);
// any other M is then at findRunnable's top, where it stops (gcstopm).
func (mp *m) preempt(gp *g) {
	s := mp.s
	r, ok := mp.toRunnable(gp, opPreempt)
	if !ok {
		return
	}
	r.a = -1
	if s.f.preemptToGlobal {
		// The planted bug: goschedImpl's globrunqput, as if gcwaiting
		// were not set.
		s.lockSched(&mp.actor)
		s.runq.pushBack(gp)
		s.runqSize.Add(1)
		s.unlockSched(&mp.actor)
		mp.afterRunqput()
		mp.commit(&r)
		return
	}
	if msg := mp.runqputNext(&r, gp); msg != "" {
		mp.throwOp(&r, msg)
		return
	}
	// The planted bug: the schedule after the preemption skips
	// findRunnable's read of gcwaiting.
	mp.skipsGCWait = s.f.preemptedRunsOn
	mp.commit(&r)
}

// afterRunqput is what follows the last step of a runqput: the wakep of
// its caller (newproc, ready, goschedImpl), the M's next op, and after a
// preemption (the M runs no G) schedule's head, stoplockedm for a locked
// M.
func (mp *m) afterRunqput() {
	mp.owesWakep = true
	if mp.curg.Load() == nil && mp.lockedg != nil && !mp.s.cfg.Wasm {
		mp.stoplocked = true
	}
}

// gcstopm is proc.go gcstopm (proc.go:3296-3320) at findRunnable's top
// while sched.gcwaiting, two ops for a spinning M, as the runtime drops
// the spinning before it takes sched.lock: first the spinning
// (nmspinning--; value 1), then, the only op of any other M, releasep and
// under sched.lock the P to _Pgcstop (oldm: this M) with stopwait--; then
// stopm, the M's next op. The second op's value is stopwait after it.
func (mp *m) gcstopm() {
	s := mp.s
	r := mp.begin(opGCStopm)
	mp.spun = false // findRunnable's top
	if mp.spinning.Load() && !s.f.gcstopmKeepsSpinning {
		mp.spinning.Store(false)
		mp.gcstopping = true
		r.val = 1
		if s.nmspinning.Add(-1) < 0 {
			mp.throwOp(&r, throwGcstopmNegative)
			return
		}
		mp.commit(&r)
		return
	}
	mp.gcstopping = false
	s.lockSched(&mp.actor)
	pp, msg := s.releasepLocked(mp)
	if msg == "" {
		s.gcstopPLocked(pp, mp)
		r.a = pp.id
		r.val = int64(s.stopwait.Load())
	}
	s.unlockSched(&mp.actor)
	if msg != "" {
		mp.throwOp(&r, msg)
		return
	}
	mp.stopping = true
	mp.commit(&r)
}

// restartWorldLocked is what startTheWorldWithSema does after the action,
// sched.lock held: procresize's hand-out of the stopped Ps below
// GOMAXPROCS (proc.go:6137-6241), with gcwaiting cleared. From
// allp[n-1] down to allp[0] every P becomes idle; one with local work
// goes to its oldm if that M is on the idle M list (mgetSpecific), else
// waits in runnablePsNeedM, whose Ps then take mget's Ms (the last P met
// first); a P with an M becomes its nextp (woken at the unlock); one
// without waits for newm's M (pending). The idle Ps go on the idle list
// P0 first. It returns a throw, if any.
func (s *sched) restartWorldLocked() string {
	n := int(s.gomaxprocs.Load())
	// The runtime clears gcwaiting after procresize, under the same
	// sched.lock, and wakes the Ms only after the unlock; here an M may
	// see its nextp before the unlock (it polls without the lock), so
	// gcwaiting is cleared first.
	s.gcwaiting.Store(false)
	// The hand-outs are made once every P is classified, as procresize
	// makes its runnablePs list under sched.lock and
	// startTheWorldWithSema stores each M's nextp and wakes it only
	// after that. An M polling its nextp (without the lock) and given
	// one in the loop would run at once and could steal from a P the
	// loop had not yet come to, which the loop then found empty and
	// idled: gexit check found that free-running history, a P idle that
	// the spec's restart had handed out.
	type handout struct {
		pp *p
		mp *m
	}
	var outs []handout
	var needM []*p
	var msg string
	handOut := func(pp *p, mp *m) { outs = append(outs, handout{pp, mp}) }
	for i := n - 1; i >= 0; i-- {
		pp := s.ps[i]
		oldm := pp.oldm
		pp.oldm = nil
		pp.m.Store(nil)
		pp.link = nil
		pp.status.Store(pIdle)
		if pp.runqempty() {
			pp.idlep.Store(true) // pidleput below (relistIdleLocked)
			continue
		}
		pp.idlep.Store(false)
		if oldm != nil && s.mgetSpecificLocked(oldm) {
			handOut(pp, oldm)
		} else {
			needM = append(needM, pp)
		}
		if s.restartLoopHook != nil {
			s.restartLoopHook()
		}
	}
	for j := len(needM) - 1; j >= 0; j-- {
		pp := needM[j]
		if mp := s.mgetLocked(); mp != nil {
			handOut(pp, mp)
			continue
		}
		// No idle M: startTheWorldWithSema's newm(nil, p, -1)
		// (proc.go:1799), as startm's.
		pp.pending, pp.startSpinning = true, false
		s.npending.Add(1)
		s.newmLocked()
	}
	s.relistIdleLocked()
	for _, h := range outs {
		if h.mp.nextp.Load() != nil {
			msg = throwStartTheWorldNextp
			continue
		}
		h.mp.spinning.Store(false)
		h.mp.nextp.Store(h.pp)
		s.notewakeupLocked(h.mp)
	}
	return msg
}
