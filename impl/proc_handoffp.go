package impl

// handoffp (proc.go:3131-3196) for a P released by sysmon's retake,
// stoplockedm or mexit, in the runtime's synchronised pieces, each an op
// of its caller, which holds the P meanwhile (_Pidle, no M's, off the idle
// list, not pending: an M's startmP, sysmon's retakeP; pp.handoff names
// the next piece):
//   - the unlocked reads (handoffpReads, then handoffpReadLocked, part of
//     the caller's op: handoffp, stoplockedm, mexit), in the runtime's
//     order, each followed by a scheduling point: the first read (the P's
//     own queue and sched.runq), the GC test, the loads of nmspinning and
//     npidle, before the caller's sched.lock section; nmspinning's CAS in
//     the section, after its releasep (the runtime makes it without the
//     lock, but it is a CAS of an atomic, and the section ends with it);
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

// handoffpReadLocked is the end of handoffp's unlocked reads of the P pp
// its caller (actor a) released and holds from now on, with sched.lock
// held (see above): rd is the reads made before the section
// (handoffpReads), in the runtime's order: `!runqempty(pp) ||
// !sched.runq.empty()` -> startm(pp, false); `gcBlackenEnabled != 0 &&
// gcShouldScheduleWorker(pp)` -> startm(pp, false);
// `sched.nmspinning.Load()+sched.npidle.Load() == 0` and here its
// `sched.nmspinning.CompareAndSwap(0, 1)` -> the needspinning store, then
// startm(pp, true); otherwise the sched.lock section. It returns the
// caller's op's input N: handoffGCWork when the GC test found mark work;
// with handoffSawNoGlobal when the first read found sched.runq empty
// where it now holds a G and the P's own queue is empty; with
// handoffSawNoHelp when the loads of the two counts saw both 0 and the CAS
// succeeds while a P is idle (npidle changes under sched.lock only, so
// the section's read is the CAS's instant). The two bits say what the
// reads found against the section's state; the checker chooses them
// again at the op's linearization point (checker.applyEvent). A read
// that saw a G taken since starts the M as the runtime does (branch
// handoff-saw-gone): the spec's op linearizes before the taker's.
func (s *sched) handoffpReadLocked(a *actor, pp *p, rd handoffReads) (in int32) {
	pp.m.Store(nil)
	pp.link = nil
	spin := func() bool {
		if rd.help || !s.nmspinning.CompareAndSwap(0, 1) {
			return false
		}
		if s.npidle.Load() != 0 {
			in |= handoffSawNoHelp
		}
		return true
	}
	global, local := s.runqSize.Load() != 0, !s.f.handoffLosesWork && !pp.runqempty()
	if global && !rd.saw && !local {
		in = handoffSawNoGlobal
	}
	switch {
	case s.f.spinningWithLocalWork && spin():
		pp.handoff = handoffStore
	case rd.work:
		// The first read's G may have been taken since: the runtime
		// starts the M anyway (proc.go:3136-3139).
		if rd.saw && !global && !local {
			a.branch(brHandoffSawGone)
		}
		pp.handoff = handoffStartm
	case rd.gc:
		pp.handoff = handoffStartm
		return in | handoffGCWork
	case spin():
		pp.handoff = handoffStore
	default:
		pp.handoff = handoffLocked
	}
	return in
}

// handoffReads is what handoffp's unlocked reads before its caller's
// section saw: sched.runq not empty (saw); work on it or the P's own
// queue (work); GC mark work (gc); nmspinning+npidle not 0 (help).
type handoffReads struct{ saw, work, gc, help bool }

// handoffpReads is handoffp's unlocked reads of the P pp (its caller's,
// which it releases in its section, or nil: no handoffp), which the
// runtime makes without sched.lock and one after another, each followed
// here by a scheduling point: `!runqempty(pp) || !sched.runq.empty()`
// (proc.go:3136; another M may put a G on sched.runq after it, which the
// read missed, or steal the P's Gs); if it found no work, the GC test
// `gcBlackenEnabled != 0 && gcShouldScheduleWorker(pp)` (proc.go:3146;
// impl has no heap, so while the GC marks there is mark work while
// markrootFreeGStacks's job is unclaimed, and then one time in two, the
// actor's choice); if it found none, the loads of
// `sched.nmspinning.Load()+sched.npidle.Load() == 0` (proc.go:3152;
// between them a wakep may take the last idle P for a spinning M, and
// that M give both back before the CAS, which the caller's section
// makes).
func (s *sched) handoffpReads(a *actor, pp *p) handoffReads {
	var rd handoffReads
	if pp == nil {
		return rd
	}
	rd.saw = s.runqSize.Load() != 0
	rd.work = rd.saw || !s.f.handoffLosesWork && !pp.runqempty()
	s.handoffReadPoint(a, 1)
	if rd.work {
		return rd
	}
	rd.gc = s.gcBlacken.Load() && (!s.freeGStacksDone.Load() || a.rng.IntN(2) == 0)
	if rd.gc {
		return rd
	}
	n := s.nmspinning.Load()
	s.handoffReadPoint(a, 2)
	rd.help = n+s.npidle.Load() != 0
	s.handoffReadPoint(a, 3)
	return rd
}

// handoffReadPoint is handoffpReads's scheduling point after its nth read.
func (s *sched) handoffReadPoint(a *actor, n int) {
	a.sp()
	if s.handoffReadHook != nil {
		s.handoffReadHook(n)
	}
}

// handoffGCWork is the input N of handoffp's reads that found GC mark
// work (spec.HandoffGCWork); handoffSawNoGlobal, of a first read that
// missed a G put on sched.runq since (spec.HandoffSawNoGlobal);
// handoffSawNoHelp, of reads of the two counts that saw both 0 where a P
// is idle at the CAS (spec.HandoffSawNoHelp).
const (
	handoffGCWork      = 1
	handoffSawNoGlobal = 2
	handoffSawNoHelp   = 4
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
			if a.id != 0 && oldm.mfreed {
				// mexit's handoffp: mexit's mp.self.clear() came
				// before it (proc.go:2027), so the P's weak oldm is
				// nil (m0 keeps it).
				oldm = nil
			}
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
		if s.f.gcstopForgetsOldm {
			pp.oldm = nil
		}
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
