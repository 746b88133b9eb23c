package impl

// handoffp (proc.go:3131-3196) for a P released by sysmon's retake,
// stoplockedm or mexit, in the runtime's synchronised pieces, each an op
// of its caller, which holds the P meanwhile (_Pidle, no M's, off the idle
// list, not pending: an M's startmP, sysmon's retakeP; pp.handoff names
// the next piece):
//   - the unlocked reads (handoffpReadLocked, part of the caller's op:
//     handoffp, stoplockedm, mexit). The first, of sched.runq, comes
//     before the caller's sched.lock section (handoffpGlobalRead), with a
//     scheduling point after it, so a G another M puts there since goes
//     unseen (spec.HandoffSawNoGlobal); impl makes the others in the
//     section, after its releasep; the runtime makes them without the
//     lock, but they are reads and a CAS of atomics, and the section ends
//     with them;
//   - handoffpstore: `sched.needspinning.Store(0)` after the CAS;
//   - handoffplocked: the sched.lock section;
//   - startm: startm(pp, spinning), its own sched.lock section.
//
// Then the caller goes on (handoffpDone): stoplockedm's incidlelocked(1),
// sysmon's incidlelocked(1) closing retake's bracket, mexit's mfreed.

// The steps of handoffp (spec.HandoffStep).
const (
	handoffNone       uint8 = iota
	handoffLocked           // the sched.lock section
	handoffStore            // the needspinning store after the CAS
	handoffStartm           // startm(pp, false, false)
	handoffStartmSpin       // startm(pp, true, false)
)

// The branches of handoffp's sched.lock section (spec.HandoffLockedBranch),
// recorded as the value of op handoffplocked.
const (
	handoffGCStop = 1 + iota
	handoffGlobal
	handoffLastP
	handoffIdle
)

// handoffpReadLocked is handoffp's unlocked reads of the P pp its caller
// (actor a) released and holds from now on: `!runqempty(pp) ||
// !sched.runq.empty()` -> startm(pp, false); `gcBlackenEnabled != 0 &&
// gcShouldScheduleWorker(pp)` -> startm(pp, false) (gcMarkWorkAvailable:
// impl has no heap, so while the GC marks there is mark work while
// markrootFreeGStacks's job is unclaimed, and then one time in two, the
// actor's choice); `sched.nmspinning.Load()+sched.npidle.Load() == 0 &&
// sched.nmspinning.CompareAndSwap(0, 1)` -> the needspinning store, then
// startm(pp, true); otherwise the sched.lock section. npidle counts the
// idle Ps, which pp is not one of. With sched.lock held (see above). It
// returns the caller's op's input N: handoffGCWork when the GC test found
// mark work, with handoffSawNoGlobal when the first read (saw, made
// before the section: handoffpGlobalRead) found sched.runq empty where it
// now holds a G and the P's own queue is empty, else 0. A read that saw a
// G taken since starts the M as the runtime does (branch
// handoff-saw-gone): the spec's op linearizes before the taker's.
func (s *sched) handoffpReadLocked(a *actor, pp *p, saw bool) (in int32) {
	pp.m.Store(nil)
	pp.link = nil
	spin := func() bool {
		return s.nmspinning.Load()+s.npidle.Load() == 0 && s.nmspinning.CompareAndSwap(0, 1)
	}
	global, local := s.runqSize.Load() != 0, !s.f.handoffLosesWork && !pp.runqempty()
	if global && !saw && !local {
		in = handoffSawNoGlobal
	}
	switch {
	case s.f.spinningWithLocalWork && spin():
		pp.handoff = handoffStore
	case saw || local:
		// The first read's G (saw) may have been taken since: the
		// runtime starts the M anyway (proc.go:3136-3139).
		if saw && !global && !local {
			a.branch(brHandoffSawGone)
		}
		pp.handoff = handoffStartm
	case s.gcBlacken.Load() && (!s.freeGStacksDone.Load() || a.rng.IntN(2) == 0):
		pp.handoff = handoffStartm
		return in | handoffGCWork
	case spin():
		pp.handoff = handoffStore
	default:
		pp.handoff = handoffLocked
	}
	return in
}

// handoffpGlobalRead is handoffp's first read of sched.runq (`!runqempty(pp)
// || !sched.runq.empty()`, proc.go:3136), which the runtime makes without
// sched.lock: the caller makes it before its section, and a scheduling
// point follows (another M may put a G there, which the read missed).
func (s *sched) handoffpGlobalRead(a *actor) bool {
	saw := s.runqSize.Load() != 0
	a.sp()
	return saw
}

// handoffGCWork is the input N of handoffp's reads that found GC mark
// work (spec.HandoffGCWork); handoffSawNoGlobal, of a first read that
// missed a G put on sched.runq since (spec.HandoffSawNoGlobal).
const (
	handoffGCWork      = 1
	handoffSawNoGlobal = 2
)

// handoffpHeld is the P the actor holds for its handoffp, or nil.
func (a *actor) handoffpHeld() *p {
	pp := a.startmP
	if a.id == Sysmon {
		a.s.lockSched(a)
		pp = a.s.retakeP
		a.s.unlockSched(a)
	}
	if pp == nil || pp.handoff == handoffNone {
		return nil
	}
	return pp
}

// handoffpStep makes the next step of the actor's handoffp (op
// handoffpstore or handoffplocked; startm is startmOwed's). It reports
// false after a throw.
func (a *actor) handoffpStep(pp *p) bool {
	s := a.s
	switch pp.handoff {
	case handoffStore:
		r := a.begin(opHandoffpStore)
		r.a = pp.id
		a.sp()
		s.needspinning.Store(false)
		s.lockSched(a)
		pp.handoff = handoffStartmSpin
		s.unlockSched(a)
		a.commit(&r)
		return true
	case handoffLocked:
		r := a.begin(opHandoffpLocked)
		r.a = pp.id
		a.sp()
		s.lockSched(a)
		oldm := s.retakeM
		if a.id != Sysmon {
			oldm = s.ms[a.id]
		}
		var msg string
		r.val, msg = s.handoffpSectionLocked(pp, oldm)
		if msg == "" && pp.handoff == handoffNone {
			msg = a.handoffpDoneLocked()
		}
		s.unlockSched(a)
		if msg != "" {
			a.throwOp(&r, msg)
			return false
		}
		a.commit(&r)
		return true
	}
	return a.startmOwed()
}

// handoffpSectionLocked is handoffp's sched.lock section for the P pp
// its caller holds (oldm: the M that held it): gcwaiting -> _Pgcstop;
// `!sched.runq.empty()` -> startm(pp, false) next; the last running P
// (with no netpoller sched.lastpoll is never 0) -> startm(pp, false)
// next; otherwise pidleput. It returns the branch; pp.handoff is
// handoffNone when the P is let go.
func (s *sched) handoffpSectionLocked(pp *p, oldm *m) (branch int64, msg string) {
	switch {
	case s.gcwaiting.Load():
		// `pp.status = _Pgcstop; ... sched.stopwait--`: oldm held the
		// P (acquirep made it pp.oldm).
		pp.handoff = handoffNone
		s.gcstopPLocked(pp, oldm)
		return handoffGCStop, ""
	case s.runqSize.Load() != 0:
		pp.handoff = handoffStartm
		return handoffGlobal, ""
	case s.npidle.Load() == s.gomaxprocs.Load()-1 && !s.f.handoffLastPIdles:
		pp.handoff = handoffStartm
		return handoffLastP, ""
	}
	pp.handoff = handoffNone
	return handoffIdle, s.pidleputLocked(pp)
}

// handoffpDoneLocked ends the actor's handoffp, with sched.lock held: it
// lets the P go, and makes stoplockedm's incidlelocked(1) or sysmon's
// (checkdead); mexit's nmfreed++ is the M's next op.
func (a *actor) handoffpDoneLocked() string {
	s := a.s
	if a.id == Sysmon {
		s.retakeP, s.retakeM, s.sysmonRun = nil, nil, 0
		return a.checkdeadLocked()
	}
	a.startmP = nil
	if mp := s.ms[a.id]; mp.stoplocked {
		mp.stoplocked = false
		return mp.incidlelockedLocked()
	}
	return ""
}
