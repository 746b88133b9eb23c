package impl

// The wakeup protocol (proc.go's "Worker thread parking/unparking"): the
// idle M list sched.midle, mp.nextp, mp.spinning and sched.nmspinning,
// wakep and startm, and findRunnable's stop path with its recheck. Each M
// sleeps on its own condition (its nextp, the M loop's waitUntil), the
// note startm's notewakeup wakes: no M looks at the run queues to decide
// whether to wake.
//
// The implementation runs at most its Ms threads at once. When startm
// finds no idle M the runtime's newm makes a thread; here the P waits in
// status handoff, marked pending, for an exited M's slot (newm's thread)
// or, while no thread has exited, the first M to sleep on the idle list,
// with the spinning startm asked for.

// mputLocked is stopm's mput with sched.lock held: stopm's checks
// (`if gp.m.p != 0 { throw("stopm holding p") }; if gp.m.spinning {
// throw("stopm spinning") }`, proc.go:2998-3003, made before the lock in
// the runtime: the M's own fields), then push mp on sched.midle,
// `sched.nmidle++; checkdead()`. It returns the throw, if any.
func (mp *m) mputLocked() string {
	switch {
	case mp.p.Load() != nil:
		return throwStopm
	case mp.spinning.Load():
		return throwStopmSpinning
	}
	mp.s.midlePush(mp)
	return mp.checkdeadLocked()
}

// midlePush is mput's push and count.
func (s *sched) midlePush(mp *m) {
	mp.parked = true
	mp.mlink = s.midle
	s.midle = mp
	s.nmidle++
}

// mgetLocked is mget with sched.lock held: pop the head of sched.midle.
func (s *sched) mgetLocked() *m {
	mp := s.midle
	if mp != nil {
		s.midle = mp.mlink
		mp.mlink = nil
		mp.parked = false
		s.nmidle--
		s.wakeStandInLocked()
	}
	return mp
}

// wakeStandInLocked wakes the idle list's head while a P is pending and
// idle Ms stand in for newm's thread: newmLocked's wakeup for a new
// pending P, and, after an M left the idle list, that wakeup passed on to
// the new head (the M taken may have been the one woken for the pending
// P, which it then never takes, while the others sleep beside it). At
// worst a spurious wakeup.
func (s *sched) wakeStandInLocked() {
	if s.midle != nil && s.npending.Load() != 0 && s.idleStandsIn() {
		s.notewakeupLocked(s.midle)
	}
}

// mgetSpecificLocked is proc.go mgetSpecific (proc.go:7230-7241): unlink
// mp from sched.midle if it is on it, as the runtime tells it: by mp's
// own links (`mp.idleNode.prev == 0 && mp.idleNode.next == 0`: "Not on
// the list"). sched.midle is a listHeadManual whose push sets only next
// and whose head's prev is always 0, so the M alone on the list has both
// links 0 and is taken for one that is not idle; procresize then leaves
// its oldm P to runnablePsNeedM and mget.
func (s *sched) mgetSpecificLocked(mp *m) bool {
	if s.midle == mp && mp.mlink == nil {
		return false // alone on the list: both idleNode links are 0
	}
	return s.unlinkMLocked(mp)
}

// unlinkMLocked unlinks mp from sched.midle, wherever it is on it.
func (s *sched) unlinkMLocked(mp *m) bool {
	var prev *m
	for q := s.midle; q != nil; prev, q = q, q.mlink {
		if q != mp {
			continue
		}
		if prev == nil {
			s.midle = q.mlink
		} else {
			prev.mlink = q.mlink
		}
		q.mlink = nil
		q.parked = false
		s.nmidle--
		s.wakeStandInLocked()
		return true
	}
	return false
}

// startmLocked is startm(pp, spinning) with sched.lock held, for a P the
// caller owns: hand it to mget's M (its nextp; the caller wakes it after
// unlocking), or leave it pending for newm's.
func (s *sched) startmLocked(pp *p, spinning bool) string {
	_, msg := s.startmToLocked(pp, spinning)
	return msg
}

// startmToLocked is startmLocked that also says which M it handed the P
// to (nil: none, the P waits for newm's). Its wakeup is sent at the
// unlock, but an M still awake on the idle list sees its nextp at once and
// may take the P before then: ask this, not the Ms' nextp afterwards.
func (s *sched) startmToLocked(pp *p, spinning bool) (*m, string) {
	pp.m.Store(nil)
	pp.link = nil
	nmp := s.mgetLocked()
	if nmp == nil {
		pp.pending = true
		pp.startSpinning = spinning
		s.npending.Add(1)
		s.newmLocked()
		return nil, ""
	}
	if nmp.spinning.Load() {
		return nil, throwStartmSpinning
	}
	if nmp.nextp.Load() != nil {
		return nil, throwStartmHasP
	}
	if spinning && !pp.runqempty() && !s.f.spinningWithLocalWork {
		// After mget's M, as the runtime's (proc.go:3108-3117):
		// newm's path checks nothing.
		return nil, throwStartmRunnable
	}
	nmp.spinning.Store(spinning)
	nmp.nextp.Store(pp)
	if !s.f.startmWakeupLost {
		s.notewakeupLocked(nmp)
	}
	return nmp, ""
}

// newmLocked is newm for a pending P, which in the runtime starts a new
// thread for it. impl's threads are its Ms, at most Ms of them at once:
// the new thread runs in an exited M's slot, whose goroutine waits for a
// pending P (m.newmThread); with no exited M an idle M stands in for it
// (idleStandsIn). The first such M is woken at the unlock. Several Ps
// can be pending at once, each its own newm, and each call wakes the
// same first M: the M that takes a pending P calls newmLocked again while
// another is pending (takePending), so every pending P has a thread woken
// for it, one after the other.
func (s *sched) newmLocked() {
	for _, e := range s.ms {
		if e.exited.Load() {
			s.notewakeupLocked(e)
			return
		}
	}
	s.wakeStandInLocked()
}

// wakepCAS is wakep's `if sched.nmspinning.Load() != 0 ||
// !sched.nmspinning.CompareAndSwap(0, 1) { return }`: whether it took the
// increment.
func (s *sched) wakepCAS() bool {
	return s.nmspinning.Load() == 0 && s.nmspinning.CompareAndSwap(0, 1)
}

// wakepSectionLocked is wakep's sched.lock section after its CAS:
// pidlegetSpinning's P, or with no idle P the decrement back (throw
// "wakep: negative nmspinning") and nil. The caller startm's the P after
// unlocking (startm takes sched.lock again).
func (s *sched) wakepSectionLocked() (*p, string) {
	pp := s.pidlegetSpinningLocked()
	if pp == nil && s.nmspinning.Add(-1) < 0 {
		return nil, throwWakepNegative
	}
	return pp, ""
}

// pidlegetSpinningLocked is pidlegetSpinning (proc.go), sched.lock held:
// pidleget, and with no idle P `sched.needspinning.Store(1)`: work was
// found that no P can take, so a non-spinning M about to drop its P
// spins instead.
func (s *sched) pidlegetSpinningLocked() *p {
	pp := s.pidlegetLocked()
	if pp == nil {
		s.needspinning.Store(true)
	}
	return pp
}

// becomeSpinning is (*m).becomeSpinning: spinning, nmspinning++,
// needspinning = 0, three stores without a lock, as the runtime makes
// them: the first two in this op, the last the M's next op
// (spinClearOwed). In between another M sees this one counted in
// nmspinning while needspinning is still set.
func (mp *m) becomeSpinning() {
	mp.spinning.Store(true)
	mp.s.nmspinning.Add(1)
	mp.spinClear = true
}

// spinClearOwed is becomeSpinning's last store, `sched.needspinning.Store(0)`
// (op spin, value 1). After the recheck's acquirep of a P with the global
// batch's first G (mp.heldG), findRunnable returns that G and the op ends
// as schedule does with it (runFound).
func (mp *m) spinClearOwed() {
	r := mp.begin(opSpin)
	mp.spinClear = false
	mp.s.needspinningDone()
	r.val = 1
	mp.branch(brSpinClear)
	gp := mp.heldG
	if gp == nil {
		mp.commit(&r)
		return
	}
	mp.heldG = nil
	pp := mp.p.Load()
	r.a, r.code = pp.id, srcGlobal
	mp.runFound(&r, pp, gp, false)
}

// needspinningDone is becomeSpinning's `sched.needspinning.Store(0)`
// (lost with the fault needspinning-kept).
func (s *sched) needspinningDone() {
	if !s.f.needspinningKept {
		s.needspinning.Store(false)
	}
}

// becomeSpinningLocked is becomeSpinning in findRunnable's stop path,
// with sched.lock held, where every reader of needspinning looks: its
// three stores are one op.
func (mp *m) becomeSpinningLocked() {
	mp.spinning.Store(true)
	mp.s.nmspinning.Add(1)
	mp.s.needspinningDone()
}

// wakepOwed is the wakep an op that made a G runnable owes, or
// resetspinning after schedule found work while spinning, recorded as op
// wakep, one op per step of the runtime's (other Ms act in between):
//   - a spinning M makes resetspinning's `mp.spinning = false;
//     sched.nmspinning.Add(-1)` and still owes the wakep (value 2);
//   - wakep's CAS (wakepOp);
//   - an M that found a G locked to another M then owes its startlockedm
//     (schedule's startlockedm follows resetspinning).
func (mp *m) wakepOwed() {
	s := mp.s
	if !mp.spinning.Load() {
		mp.wakepOp()
		return
	}
	r := mp.begin(opWakep)
	mp.spinning.Store(false)
	r.val = 2
	if s.nmspinning.Add(-1) < 0 {
		mp.throwOp(&r, throwNegativeNMSpinning)
		return
	}
	mp.commit(&r)
}

// wakepOp is wakep's `if sched.nmspinning.Load() != 0 ||
// !sched.nmspinning.CompareAndSwap(0, 1) { return }`, recorded as op
// wakep, by an M or by the controller after a stop-the-world: the CAS
// makes the actor waking (value 1), and its sched.lock section is its
// next op (wakepStartm).
func (a *actor) wakepOp() {
	s := a.s
	r := a.begin(opWakep)
	a.owesWakep = false
	// Lock-free, as the runtime's: every wakep is made in these steps,
	// so no other actor's increment is transient within one op.
	a.sp()
	if !s.wakepCAS() {
		if a.id == Controller {
			s.lockSched(a)
			msg := a.ctlDoneLocked()
			s.unlockSched(a)
			if msg != "" {
				a.throwOp(&r, msg)
				return
			}
		}
		a.commit(&r)
		return
	}
	a.waking = true
	r.val = 1
	a.commit(&r)
}

// ctlDoneLocked ends the controller's wakep (sched.lock held): its M
// leaves checkdead's count (sched.ctlm), and checkdead runs, as where an
// M stops counting.
func (a *actor) ctlDoneLocked() string {
	a.s.ctlm.Store(0)
	return a.checkdeadLocked()
}

// wakepStartm is wakep after its CAS, recorded as op wakepstartm:
// `lock(&sched.lock); pp, _ = pidlegetSpinning(0)`; with no idle P,
// `sched.nmspinning.Add(-1)`; then unlock. A P it took is wakep's local
// (a.startmP: _Pidle, off the idle list, not pending, so no M takes it)
// until its startm, the actor's next op (startmOwed), which takes
// sched.lock again, as in the runtime.
func (a *actor) wakepStartm() {
	s := a.s
	r := a.begin(opWakepStartm)
	a.waking = false
	a.sp()
	s.lockSched(a)
	pp, msg := s.wakepSectionLocked()
	if msg == "" && pp == nil && a.id == Controller {
		msg = a.ctlDoneLocked()
	}
	s.unlockSched(a)
	if msg != "" {
		a.throwOp(&r, msg)
		return
	}
	if pp != nil {
		a.startmP = pp
		r.a = pp.id
	}
	a.commit(&r)
}

// startmOwed is wakep's startm(pp, true, false) of the P its sched.lock
// section took, recorded as op startm: `lock(&sched.lock); nmp := mget()`;
// the P to nmp's nextp and notewakeup, or left pending for newm's M. It
// is also handoffp's startm(pp, spinning) (pp.handoff, the op's value),
// and then the end of its caller's handoffp (handoffpDoneLocked). It
// reports false after a throw.
func (a *actor) startmOwed() bool {
	s := a.s
	r := a.begin(opStartm)
	pp := a.startmP
	if a.id == Sysmon {
		s.lockSched(a)
		pp = s.retakeP
		s.unlockSched(a)
	}
	handoff := pp.handoff
	if a.id != Sysmon {
		a.startmP = nil
	}
	r.a = pp.id
	r.val = int64(handoff)
	a.sp()
	s.lockSched(a)
	pp.handoff = handoffNone
	nmp, msg := s.startmToLocked(pp, handoff != handoffStartm)
	if nmp != nil {
		r.c = int32(nmp.id)
	}
	switch {
	case msg != "":
	case a.id == Controller:
		msg = a.ctlDoneLocked()
	case handoff != handoffNone:
		msg = a.handoffpDoneLocked()
	}
	s.unlockSched(a)
	r.flags |= flWoke
	a.branch(brWakep)
	if msg != "" {
		a.throwOp(&r, msg)
		return false
	}
	a.commit(&r)
	return true
}

// wakepPending: the actor owes a step of its wakep.
func (a *actor) wakepPending() bool { return a.owesWakep || a.waking || a.startmP != nil }

// wakepStep makes the next step of the wakep the actor owes (not
// resetspinning: the controller's M never spins).
func (a *actor) wakepStep() {
	switch {
	case a.owesWakep:
		a.wakepOp()
	case a.waking:
		a.wakepStartm()
	case a.startmP != nil:
		a.startmOwed()
	}
}

// stopmOwed is the stopm an M without a P owes (stopping): after
// findRunnable's stop path of a non-spinning M, after the recheck of a
// spinning one found nothing, after startlockedm handed its P away, or
// after exitsyscallNoP put its G on the global queue; recorded as op stopm.
// stopm takes sched.lock for its mput in a section of its own.
func (mp *m) stopmOwed() {
	s := mp.s
	r := mp.begin(opStopm)
	mp.stopping = false
	s.lockSched(&mp.actor)
	msg := mp.mputLocked()
	s.unlockSched(&mp.actor)
	if msg != "" {
		mp.throwOp(&r, msg)
		return
	}
	mp.commit(&r)
}

// spinAllowed is findRunnable's limit before stealWork.
func (mp *m) spinAllowed() bool {
	s := mp.s
	return mp.spinning.Load() || 2*s.nmspinning.Load() < s.gomaxprocs.Load()-s.npidle.Load()
}

// idle is the M with no P, no G and no locked G: stopm's sleep and what
// wakes it. Woken with a nextp it acquires it; after dropping its P while
// spinning it does findRunnable's recheck; asleep on the idle list it
// waits for startm's nextp, or a P left pending for newm.
func (mp *m) idle() {
	s := mp.s
	if pp := mp.nextp.Load(); pp != nil && !s.f.idleIgnoresHandoff {
		mp.acquireNextp(pp)
		return
	}
	if mp.recheck {
		mp.recheckStop()
		return
	}
	if !mp.waitUntil(func() bool {
		return !s.f.idleIgnoresHandoff && (mp.nextp.Load() != nil || s.npending.Load() != 0 && s.idleStandsIn())
	}) {
		return
	}
	if mp.nextp.Load() != nil {
		return // the loop acquires it
	}
	// newm's thread for a pending P, which an idle M stands in for
	// while no thread has exited (impl runs at most its Ms threads at
	// once: the new thread needs an exited one's slot).
	mp.takePending(false)
}

// idleStandsIn reports whether an idle M may take a pending P in newm's
// thread's place: while no M's thread has exited, whose slot would.
func (s *sched) idleStandsIn() bool { return s.nexited.Load() == 0 || s.f.exitedStaysDead }

// newmThread is the thread newm makes for a pending P, in the place of
// this M, whose thread exited (mexit): impl's Ms are the threads that
// exist at once. It waits until a P is pending and takes it as mstart1's
// `acquirep(gp.m.nextp.ptr())` does, a new M with nothing (allocm) and
// the spinning startm asked for (mspinning). It reports false when the
// run ended first.
func (mp *m) newmThread() bool {
	s := mp.s
	if s.f.exitedStaysDead {
		mp.waitUntil(func() bool { return false })
		return false
	}
	if !mp.waitUntil(func() bool { return s.npending.Load() != 0 }) {
		return false
	}
	mp.takePending(true)
	return true
}

// takePending is op acquirep of a pending P by newm's thread: an exited
// M's slot (exited), else an idle M standing in for it while no thread
// has exited. It does nothing when no P is pending by the time it holds
// sched.lock, or when the idle M was woken with a nextp or must leave
// the P to an exited M's slot.
func (mp *m) takePending(exited bool) {
	s := mp.s
	r := mp.begin(opAcquireP)
	s.lockSched(&mp.actor)
	var got *p
	if exited || mp.parked && mp.nextp.Load() == nil && s.idleStandsIn() {
		for _, q := range s.ps {
			if q.pending {
				got = q
				break
			}
		}
	}
	if got == nil {
		s.unlockSched(&mp.actor)
		mp.abandon()
		return
	}
	b := brNewm
	if exited {
		s.nexited.Add(-1)
		s.nnewm++ // mReserveID's M, counted from startm (npending) until now
		mp.lockedExt, mp.lockedInt = 0, 0
		mp.exited.Store(false)
		r.flags |= flNewm
		b = brNewmExited
	} else {
		s.unlinkMLocked(mp) // newm's M, modelled by an idle one: not the runtime's mgetSpecific
	}
	got.pending = false
	if s.npending.Add(-1) != 0 {
		s.newmLocked() // the next pending P's thread
	}
	spin := got.startSpinning
	got.startSpinning = false
	mp.spinning.Store(spin)
	msg := s.acquirep(mp, got)
	s.unlockSched(&mp.actor)
	mp.endAcquire(&r, got, msg, b)
}

// stoplockedmReturns is the end of stoplockedm for a locked M that
// startlockedm handed a P: `acquirep(mp.nextp.ptr()); mp.nextp = 0` after
// checking that the G is runnable (throw("stoplockedm: not runnable")),
// then schedule's `execute(mp.lockedg.ptr(), false)`, a new time slice.
// Recorded as op acquirep, with the G and the M as handed to.
func (mp *m) stoplockedmReturns() {
	s := mp.s
	r := mp.begin(opAcquireP)
	pp, gp := mp.nextp.Load(), mp.lockedg
	var msg string
	if gp.status.Load()&^gScan != gRunnable {
		msg = throwStoplockedmNotRunnable
	}
	if msg == "" {
		mp.nextp.Store(nil)
		msg = s.acquirep(mp, pp)
	}
	if msg == "" {
		msg = s.execute(mp, pp, gp, false)
	}
	r.in, r.a, r.g, r.c = pp.id, pp.id, gp.idx, int32(mp.id)
	if msg != "" {
		mp.throwOp(&r, msg)
		return
	}
	mp.branch(brStoplockedmReturns)
	mp.commit(&r)
}

// acquireNextp is stopm's return: acquirep(mp.nextp).
func (mp *m) acquireNextp(pp *p) {
	s := mp.s
	r := mp.begin(opAcquireP)
	mp.nextp.Store(nil)
	msg := s.acquirep(mp, pp)
	mp.endAcquire(&r, pp, msg, brStartm)
}

// endAcquire ends op r as the acquirep of pp (its value 1 when the M
// spins), or as the throw acquirep returned, counting branch b.
func (mp *m) endAcquire(r *rec, pp *p, msg string, b branch) {
	r.op, r.in, r.a = opAcquireP, pp.id, pp.id
	if mp.spinning.Load() {
		r.val = 1
	}
	if msg != "" {
		mp.throwOp(r, msg)
		return
	}
	mp.branch(b)
	mp.commit(r)
}

// The recheck op's Output.Value: bits for what it found (and, with no
// idle P, could not take).
const (
	recheckNeedSpinning = 1 // pidlegetSpinning set sched.needspinning
	recheckFoundRunq    = 2 // checkRunqsNoP found a P's run queue with work
	recheckIdleGC       = 4 // checkIdleGCNoP's pidlegetSpinning found no idle P
	// After checkRunqsNoP found work and no idle P: checkIdleGCNoP's
	// read of gcBlackenEnabled, which a P-less M may make while a
	// stop-the-world sets it, before the world restarts.
	recheckReadGCOn  = 8
	recheckReadGCOff = 16
)

// recheckStop is the end of findRunnable's stop path for an M that
// dropped its P while spinning ("delicate dance", proc.go findRunnable):
// nmspinning-- first (op stopspinning), then the recheck, an op per
// sched.lock section (op recheck twice): sched.runq in the first, which
// takes pidlegetSpinning's P and the global batch if it holds work (and
// stores needspinning when no P is idle); after its unlock, the next op,
// checkRunqsNoP, every P's run queue read without the lock, and
// sched.lock again for pidlegetSpinning if one has work; with none,
// checkIdleGCNoP: while the GC marks, sched.lock for pidlegetSpinning,
// which stores needspinning when no P is idle (impl has no idle mark
// workers: with an idle P it does what the runtime does when none is
// wanted, puts the P back, so it leaves the list alone). Another M's
// stop path may take the first needspinning store between the two. A P
// it took is findRunnable's local (m.spinP) until `acquirep(pp);
// mp.becomeSpinning()`, the M's next op after the unlock
// (recheckAcquire; after runqputbatch's, for a batch with a rest). With
// none the M owes stopm, its next op (stopmOwed), whose mput takes
// sched.lock once more.
func (mp *m) recheckStop() {
	s := mp.s
	if mp.spinning.Load() {
		r := mp.begin(opStopSpinning)
		mp.spinning.Store(false)
		if s.nmspinning.Add(-1) < 0 {
			mp.throwOp(&r, throwNegativeNMSpinning)
			return
		}
		mp.commit(&r)
		return
	}
	if !mp.recheckRunqs {
		r := mp.begin(opRecheck)
		mp.sp()
		s.lockSched(&mp.actor)
		if s.runqSize.Load() != 0 && !s.f.globalNotRechecked {
			if pp := s.pidlegetSpinningLocked(); pp != nil {
				gp, q := s.globrunqgetbatchLocked()
				s.unlockSched(&mp.actor)
				mp.recheck = false
				mp.spinP, mp.heldG, mp.heldQ = pp, gp, q
				r.a, r.g, r.code, r.b = pp.id, gp.idx, srcGlobal, q.size
				mp.branch(brRecheck)
				mp.branch(brGlobal)
				mp.commit(&r)
				return
			}
			r.val |= recheckNeedSpinning
		}
		s.unlockSched(&mp.actor)
		mp.recheckRunqs = true
		mp.commit(&r)
		return
	}
	r := mp.begin(opRecheck)
	mp.recheck, mp.recheckRunqs = false, false
	mp.sp()
	// checkRunqsNoP: the run queues of the Ps of findRunnable's allp
	// snapshot, read without the lock; the first with work sends the M
	// for an idle P. A P a procresize added since is not read; one it
	// destroyed is, dead and empty ("everything up to cap(allp) is
	// immutable").
	allp := s.ps
	if n := mp.allpLen; n > 0 && int(n) < len(allp) {
		allp = allp[:n]
	}
	for _, p2 := range allp {
		if !p2.idlep.Load() && !p2.runqempty() {
			r.val |= recheckFoundRunq
			s.lockSched(&mp.actor)
			if pp := s.pidlegetSpinningLocked(); pp != nil {
				s.unlockSched(&mp.actor)
				mp.spinP = pp
				r.a = pp.id
				mp.branch(brRecheck)
				mp.commit(&r)
				return
			}
			// checkRunqsNoP returns nil, and checkIdleGCNoP follows
			// (proc.go:3695-3703): while the GC marks, its sched.lock
			// section is the M's next op (recheck with stopping),
			// after which another M's stop path may take this store.
			mp.recheck = s.gcBlacken.Load()
			s.unlockSched(&mp.actor)
			r.val |= recheckNeedSpinning
			if mp.recheck {
				r.val |= recheckReadGCOn
			} else {
				r.val |= recheckReadGCOff
			}
			break
		}
	}
	if r.val&recheckFoundRunq == 0 {
		mp.checkIdleGCNoP(&r)
	}
	mp.stopping = true
	mp.branch(brStopm)
	mp.commit(&r)
}

// recheckIdleGC is the recheck's third op, after checkRunqsNoP found
// work and no idle P while the GC marked (recheck with stopping):
// checkIdleGCNoP's own sched.lock section. stopm is the M's next op.
func (mp *m) recheckIdleGC() {
	r := mp.begin(opRecheck)
	mp.recheck = false
	mp.sp()
	mp.checkIdleGCNoP(&r)
	mp.commit(&r)
}

// checkIdleGCNoP (proc.go:3703, 3937-3976) for the recheck's op r:
// idle-priority mark work is wanted whenever the GC marks (impl: as it
// does while the heap has grey objects); its read of gcBlackenEnabled
// comes before its sched.lock section, where pidlegetSpinning with no
// idle P stores needspinning (with one impl has no idle mark worker to
// run: it puts the P back, so it leaves the list alone).
func (mp *m) checkIdleGCNoP(r *rec) {
	s := mp.s
	if !s.gcBlacken.Load() {
		return
	}
	mp.sp()
	s.lockSched(&mp.actor)
	if s.pidle.Load() == nil {
		s.needspinning.Store(true)
		r.val |= recheckNeedSpinning | recheckIdleGC
	}
	s.unlockSched(&mp.actor)
}

// recheckAcquire is findRunnable's `acquirep(pp); mp.becomeSpinning()`
// of the P its recheck took (m.spinP), after the unlock (op acquirep):
// no lock, as in the runtime. With the global batch, findRunnable then
// returns its first G and the op ends as schedule does with it
// (runFound); with checkRunqsNoP's P the M goes to the top of
// findRunnable, spinning, with its P.
func (mp *m) recheckAcquire() {
	s := mp.s
	r := mp.begin(opAcquireP)
	pp := mp.spinP
	mp.spinP = nil
	msg := s.acquirep(mp, pp)
	mp.becomeSpinning()
	mp.endAcquire(&r, pp, msg, brRecheck)
}
