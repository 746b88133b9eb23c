package spec

// The wakeup protocol: idle Ms, spinning Ms and how a P gets an M.
//
// proc.go's "Worker thread parking/unparking" (the comment at the top of
// the file) keeps two promises: an idle P and runnable work never coexist
// for long, and no more Ms spin than needed. The pieces the spec models:
//
//   - sched.midle, the idle M list (mput pushes, mget pops: LIFO,
//     proc.go mput/mget), and m.nextp, the P startm hands the M it wakes
//     (proc.go startm: `nmp.nextp.set(pp); notewakeup(&nmp.park)`); the
//     woken M's stopm returns with acquirep(mp.nextp) (OpAcquireP).
//   - m.spinning and sched.nmspinning: an M looking for work without
//     having found any (becomeSpinning, resetspinning).
//   - wakep (ready, newproc, goschedImpl, resetspinning): when no M spins,
//     CAS nmspinning 0 -> 1, then pidlegetSpinning, and startm(pp,
//     spinning=true); with no idle P it undoes the CAS (nmspinning--).
//   - startm: mget an idle M and hand it the P, or newm when none is
//     idle. The spec has a fixed set of Ms, so newm is a P left in
//     PHandoff with no M's nextp pointing at it (a "pending" P); any M
//     on the idle list may take it (OpAcquireP), which stands for the new
//     thread newm would have made. The startm's spinning argument waits
//     with the P (P.StartSpinning).
//   - handoffp's branches (proc.go handoffp): local or global work ->
//     startm(pp, false); no spinning and no idle P -> startm(pp, true)
//     after the CAS of nmspinning 0 -> 1; the last running P while the
//     network poller is idle -> startm(pp, false); else pidleput.
//   - findRunnable's spinning limit (`mp.spinning || 2*nmspinning <
//     gomaxprocs-npidle`) before stealWork, and its stop path: under
//     sched.lock the global queue is checked, then releasep and pidleput;
//     a non-spinning M then stopm's (mput). A spinning M is still counted
//     in nmspinning when it drops its P (M.Recheck); then comes the
//     "delicate dance": nmspinning-- (OpStopSpinning), then recheck
//     sched.runq under sched.lock (OpRecheck) and, after its unlock,
//     every P's run queue (checkRunqsNoP, OpRecheck again,
//     M.RecheckRunqs): take an idle P if either has work (with the
//     global batch if the global queue had it), put the
//     batch's rest on the P's ring after the unlock (OpRunqputBatch),
//     and acquirep it, spinning again (OpAcquireP); else find nothing
//     (OpRecheck) and stopm (OpStopm, a sched.lock section of its own). The window
//     between pidleput and nmspinning-- is where golang/go#55160's lost
//     wakeup lived: wakep in it sees nmspinning != 0 and leaves the work
//     to this M, which must find it. Between nmspinning-- and mput
//     another M's wakep may find no idle M and newm (a pending P).
//   - sched.needspinning (Sched.NeedSpinning): pidlegetSpinning sets it
//     when it finds no idle P (wakep's section, the recheck's two), and
//     becomeSpinning and handoffp's spinning startm clear it; a
//     non-spinning M about to drop its P in the stop path that finds it
//     set becomes spinning and keeps the P (schedule idle, value
//     StopNeedSpinning).
//
// Not modelled: timers and the network poller (the spec has none:
// lastpoll stays set, so handoffp's last-P branch applies), and the GC
// worker and trace reader branches.

// mput models proc.go mput: push mp at the head of sched.midle.
func (s *State) mput(mp int, r *Result) error {
	m := &s.Ms[mp]
	switch {
	case m.P != None || m.Parked || m.NextP != None:
		// stopm: `if gp.m.p != 0 { throw("stopm holding p") }`; an M
		// already on the list, or one with a nextp, the spec reports the
		// same way.
		return throwf(ThrowStopm, "stopm")
	case m.Spinning:
		// stopm: `if gp.m.spinning { throw("stopm spinning") }`.
		return throwf(ThrowStopmSpinning, "stopm")
	}
	m.Parked = true
	m.Recheck, m.RecheckRunqs, m.AllpLen = false, false, 0
	m.Link = s.Sched.Midle
	s.Sched.Midle = int8(mp)
	// `sched.nmidle++; checkdead()`.
	return s.checkdead(r)
}

// mget models proc.go mget: pop the head of sched.midle, or None.
func (s *State) mget() int8 {
	mi := s.Sched.Midle
	if mi != None {
		m := &s.Ms[mi]
		s.Sched.Midle = m.Link
		m.Link = None
		m.Parked = false
	}
	return mi
}

// mgetSpecific models proc.go mgetSpecific (proc.go:7230-7241): unlink mp
// from sched.midle if it is on it. The runtime tells that from mp's own
// links, `if mp.idleNode.prev == 0 && mp.idleNode.next == 0 { return nil
// } // Not on the list.`, but sched.midle is a listHeadManual whose push
// sets only next (the old head's prev) and whose head's prev is always 0
// (list_manual.go:79-118): the M alone on the list has both links 0, and
// mgetSpecific takes it for an M that is not idle. procresize then leaves
// that M's oldm P to runnablePsNeedM and mget, which may give the M
// another P (TestRestartWorldMissesTheOnlyIdleM). The spec does what the
// runtime does.
func (s *State) mgetSpecific(mp int8) bool {
	if s.Sched.Midle == mp && mp != None && s.Ms[mp].Link == None {
		return false // alone on the list: "not on the list"
	}
	return s.unlinkM(mp)
}

// unlinkM unlinks mp from sched.midle, wherever it is on it, and reports
// whether it was there.
func (s *State) unlinkM(mp int8) bool {
	prev := int8(None)
	for mi, n := s.Sched.Midle, 0; mi != None && n <= len(s.Ms); mi, n = s.Ms[mi].Link, n+1 {
		if mi == mp {
			if prev == None {
				s.Sched.Midle = s.Ms[mi].Link
			} else {
				s.Ms[prev].Link = s.Ms[mi].Link
			}
			s.Ms[mi].Link = None
			s.Ms[mi].Parked = false
			return true
		}
		prev = mi
	}
	return false
}

// NMIdle is sched.nmidle, the length of the idle M list.
func (s *State) NMIdle() int32 {
	n := int32(0)
	for mi := s.Sched.Midle; mi != None && int(n) <= len(s.Ms); mi = s.Ms[mi].Link {
		n++
	}
	return n
}

// startm models proc.go startm(pp, spinning) for a P its caller owns (out
// of the idle list or handed off): the P waits in PHandoff for the M that
// mget returns (its nextp), or, when no M is idle, for the M newm would
// make (a pending P, see above). Its throws come in the runtime's order,
// after mget returned an M (proc.go:3108-3117): "m is spinning", "m has
// p", then "p has runnable gs" for a spinning start; newm's path checks
// none of them.
func (s *State) startm(pi int8, spinning bool) error {
	pp := &s.Ps[pi]
	pp.Status = PHandoff
	pp.M = None
	pp.Link = None
	pp.StartSpinning = false
	nmp := s.mget()
	if nmp == None {
		pp.StartSpinning = spinning
		return nil
	}
	m := &s.Ms[nmp]
	if m.Spinning {
		return throwf(ThrowStartmSpinning, "startm")
	}
	if m.NextP != None {
		return throwf(ThrowStartmHasP, "startm")
	}
	if spinning && (pp.Runnext != None || len(pp.Ring) != 0) {
		return throwf(ThrowStartmRunnable, "startm")
	}
	m.Spinning = spinning
	m.NextP = pi
	return nil
}

// wakepCAS is wakep's `if sched.nmspinning.Load() != 0 ||
// !sched.nmspinning.CompareAndSwap(0, 1) { return }`: whether it took the
// increment.
func (s *State) wakepCAS() bool {
	if s.Sched.NMSpinning != 0 {
		return false
	}
	s.Sched.NMSpinning = 1
	return true
}

// wakepLockedSection is wakep's sched.lock section after its CAS:
// pidlegetSpinning's P, or with no idle P the decrement back (throw
// "wakep: negative nmspinning") and None. The caller startm's the P.
func (s *State) wakepLockedSection() (int8, error) {
	pi := s.pidleget()
	if pi == None {
		// pidlegetSpinning: `sched.needspinning.Store(1)`.
		s.Sched.NeedSpinning = true
		s.Sched.NMSpinning--
		if s.Sched.NMSpinning < 0 {
			return None, throwf(ThrowWakepNegative, "wakep")
		}
	}
	return pi, nil
}

// becomeSpinning models proc.go (*m).becomeSpinning: spinning,
// nmspinning++, needspinning = 0, in one step: the stop path's, made
// under sched.lock, where every reader of needspinning looks.
func (s *State) becomeSpinning(mp int) {
	s.becomeSpinningCounted(mp)
	s.Ms[mp].SpinClear = false
	s.Sched.NeedSpinning = false
}

// becomeSpinningCounted is the first step of a becomeSpinning made
// without sched.lock (findRunnable's spin and its recheck's acquirep):
// `mp.spinning = true; sched.nmspinning.Add(1)` (the M's own field and
// the count: one step, as no other M reads mp.spinning). The third
// store, `sched.needspinning.Store(0)`, is the M's next step (M.SpinClear,
// OpSpin: spinClear).
func (s *State) becomeSpinningCounted(mp int) {
	s.Ms[mp].Spinning = true
	s.Ms[mp].SpinClear = true
	s.Sched.NMSpinning++
}

// spinClear is OpSpin of an M that owes becomeSpinning's last store
// (M.SpinClear): `sched.needspinning.Store(0)`, Result.Value 1. After
// the recheck's acquirep of a P with the global batch's first G (P.Held,
// its only G), findRunnable then returns that G and schedule runs it
// (resetspinning's wakep first), in this step, Result.Source SrcGlobal.
func (s *State) spinClear(mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	m.SpinClear = false
	s.Sched.NeedSpinning = false
	r.Value = 1
	if m.P == None || len(s.Ps[m.P].Held) != 1 {
		return r, nil
	}
	pp := &s.Ps[m.P]
	gp := pp.Held[0]
	pp.Held = pp.Held[:0]
	r.P, r.Source = m.P, SrcGlobal
	return r, s.runFound(mp, gp, false, &r)
}

// WakepValue is OpWakep's Result.Value: what the step did.
const (
	WakepNone          = 0 // wakep: nmspinning != 0 (or the CAS lost): an M spins already, nothing to do
	WakepCAS           = 1 // wakep: the CAS nmspinning 0 -> 1; the M is Waking
	WakepResetspinning = 2 // resetspinning: spinning off, nmspinning--; the wakep is the next step
)

// wakepOp is OpWakep: the wakep that follows the op that made work
// runnable (newproc's runqput, ready, runqputkick, goschedImpl,
// runqputslow's push), or resetspinning after schedule found work while
// spinning. Other Ms act between the two in the runtime, so it is a step
// of its own, and so is each of wakep's atomic steps, because other Ms'
// wakeps read and CAS the same counter without a lock:
//   - an M still spinning makes resetspinning's `gp.m.spinning = false;
//     sched.nmspinning.Add(-1)` (throw "findRunnable: negative
//     nmspinning"), and owes the wakep still (WakepResetspinning);
//   - wakep: `if sched.nmspinning.Load() != 0 ||
//     !sched.nmspinning.CompareAndSwap(0, 1) { return }`: with no M
//     spinning the CAS takes the increment for the M the wakep will
//     start, and the M is Waking: wakep's sched.lock section is its next
//     step (OpWakepStartm);
//   - an M that found a G locked to another M then hands it over
//     (OpStartlockedm: schedule's startlockedm follows resetspinning).
func (s *State) wakepOp(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	if !m.WakeP {
		return r, s.disabled(op, "the M owes no wakep (resetspinning)")
	}
	if m.Spinning {
		m.Spinning = false
		s.Sched.NMSpinning--
		r.Value = WakepResetspinning
		if s.Sched.NMSpinning < 0 {
			return r, throwf(ThrowNegativeNMSpinning, "resetspinning")
		}
		return r, nil
	}
	m.WakeP = false
	if !s.wakepCAS() {
		return r, nil
	}
	m.Waking = true
	r.Value = WakepCAS
	return r, nil
}

// wakepStartm is OpWakepStartm, wakep after its CAS: `lock(&sched.lock);
// pp, _ = pidlegetSpinning(0)`; with no idle P, `sched.nmspinning.Add(-1)`
// (throw "wakep: negative nmspinning"); then unlock. A P it took is
// wakep's local until its startm (OpStartm, the M's next step), which
// takes sched.lock again: PHandoff, off the idle list, held by this
// running M (M.StartmP), so no other M takes it. Result.P is the P.
func (s *State) wakepStartm(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	if !m.Waking {
		return r, s.disabled(op, "the M has not made wakep's CAS")
	}
	m.Waking = false
	pi, err := s.wakepLockedSection()
	if pi != None {
		pp := &s.Ps[pi]
		pp.Status, pp.M, pp.Link = PHandoff, None, None
		m.StartmP = pi
		r.P = pi
	}
	return r, err
}

// startmOp is OpStartm: wakep's startm(pp, true, false) of the P its
// sched.lock section took (M.StartmP): mget's M gets it as its nextp,
// spinning, or with no idle M it waits for newm's. Result.Woke reports
// the startm, Result.HandedTo the M that got the P (None: newm's).
//
// An M holding no P makes handoffp's startm instead (handoffpStep): a
// running M's wakep holds its P, and handoffp's callers released theirs.
func (s *State) startmOp(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	if m.P == None {
		return s.handoffpStep(op)
	}
	pi := m.StartmP
	if pi == None {
		return r, s.disabled(op, "wakep took no P (wakepstartm)")
	}
	m.StartmP = None
	return s.startmOf(r, pi, true)
}

// startmOf is startm(pp, spinning, false) of P pi as an op of its own:
// wakep's (spinning) for an M and for the controller, and handoffp's.
func (s *State) startmOf(r Result, pi int8, spinning bool) (Result, error) {
	r.P, r.Woke = pi, true
	if err := s.startm(pi, spinning); err != nil {
		return r, err
	}
	for mi := range s.Ms {
		if s.Ms[mi].NextP == pi {
			r.HandedTo = int8(mi)
		}
	}
	return r, nil
}

// The controller's wakep: startTheWorldWithSema, after procresize and
// the restart of the Ms, calls wakep() (proc.go:1819-1822) "in case we
// have excessive runnable goroutines in local queues or in the global
// queue". The spec's stop-the-world (procresize, gc on, gc off) is one
// step; the wakep that ends it is the Controller's next steps, the same
// three an M's is (OpWakep, OpWakepStartm, OpStartm with M: Controller),
// because the restarted Ms run and make their own wakeps in between. The
// M making it runs a goroutine with a P in the runtime, so a checkdead
// in between sees it running (RunningMs counts it: wakep's comment, "A
// checkdead in between will always see at least one running M (ours)").

// ctlBusy reports whether the controller owes its wakep's next step.
func (s *State) ctlBusy() bool {
	sc := &s.Sched
	return sc.CtlWakeP || sc.CtlWaking || sc.CtlStartmP != None
}

// ctlWakep is OpWakep by the Controller: wakep's `if
// sched.nmspinning.Load() != 0 || !sched.nmspinning.CompareAndSwap(0, 1)
// { return }`. The controller's M is not spinning: there is no
// resetspinning.
func (s *State) ctlWakep(op Op) (Result, error) {
	r := NewResult()
	sc := &s.Sched
	if !sc.CtlWakeP {
		return r, s.disabled(op, "the controller owes no wakep (startTheWorldWithSema)")
	}
	sc.CtlWakeP = false
	if !s.wakepCAS() {
		return r, s.ctlDone(&r)
	}
	sc.CtlWaking = true
	r.Value = WakepCAS
	return r, nil
}

// ctlDone ends the controller's wakep: its M leaves the spec's count of
// running Ms (MCount), so checkdead runs as it does where an M stops
// counting. The wakep has just handed a P to an M or found an M spinning
// or no P idle, so the count is not zero unless the Ms are all idle:
// every M the spec models may have stopped for the stop-the-world, and
// startTheWorldWithSema woken none when no P had local work.
func (s *State) ctlDone(r *Result) error {
	return s.checkdead(r)
}

// ctlWakepStartm is OpWakepStartm by the Controller: wakep's sched.lock
// section (wakepStartm).
func (s *State) ctlWakepStartm(op Op) (Result, error) {
	r := NewResult()
	sc := &s.Sched
	if !sc.CtlWaking {
		return r, s.disabled(op, "the controller has not made wakep's CAS")
	}
	sc.CtlWaking = false
	pi, err := s.wakepLockedSection()
	if err != nil {
		return r, err
	}
	if pi == None {
		return r, s.ctlDone(&r)
	}
	pp := &s.Ps[pi]
	pp.Status, pp.M, pp.Link = PHandoff, None, None
	sc.CtlStartmP = pi
	r.P = pi
	return r, nil
}

// ctlStartm is OpStartm by the Controller: wakep's startm(pp, true,
// false) (startmOp).
func (s *State) ctlStartm(op Op) (Result, error) {
	r := NewResult()
	pi := s.Sched.CtlStartmP
	if pi == None {
		return r, s.disabled(op, "the controller's wakep took no P (wakepstartm)")
	}
	s.Sched.CtlStartmP = None
	r, err := s.startmOf(r, pi, true)
	if err != nil {
		return r, err
	}
	return r, s.ctlDone(&r)
}

// spin is OpSpin: findRunnable, having found no local or global work,
// spins before stealWork while `mp.spinning || 2*nmspinning <
// gomaxprocs-npidle` (becomeSpinning). The limit and the global queue are
// read without a lock: relaxed, the op is allowed whatever they hold.
// The M goes on to stealWork and the stop path (M.StealWork).
func (s *State) spin(op Op, mp int) (Result, error) {
	m := &s.Ms[mp]
	if m.SpinClear {
		return s.spinClear(mp)
	}
	r := NewResult()
	if m.P == None || m.Curg != None || m.NewG != None || m.LockedG != None || m.Spinning {
		return r, s.disabled(op, "only an M in findRunnable with a P, not spinning yet, spins")
	}
	if s.Sched.GCWaiting && (op.Strict || !m.StaleGCRead) {
		// Relaxed: an M past findRunnable's racy check of gcwaiting
		// when the stop-the-world began (M.StaleGCRead).
		return r, s.disabled(op, "a stop-the-world is under way: findRunnable stops the M (gcstopm)")
	}
	if pp := &s.Ps[m.P]; pp.Runnext != None || len(pp.Ring) != 0 {
		return r, s.disabled(op, "the local queue has work (runqget comes first)")
	}
	if op.Strict && (len(s.Sched.Runq) != 0 || !s.spinAllowed(mp)) {
		return r, s.disabled(op, "strict: the global queue has work, or 2*nmspinning >= gomaxprocs-npidle")
	}
	s.becomeSpinningCounted(mp)
	// stealWork and the stop path come next, not findRunnable's top.
	m.StealWork = true
	return r, nil
}

// spinAllowed is findRunnable's limit on spinning Ms before stealWork:
// `mp.spinning || 2*sched.nmspinning.Load() < gomaxprocs-sched.npidle.Load()`.
func (s *State) spinAllowed(mp int) bool {
	return s.Ms[mp].Spinning || 2*s.Sched.NMSpinning < s.Sched.GoMaxProcs-s.npidle()
}

// exitedM is the first M whose thread exited through mexit (m0, wedged,
// is not one), or None. The spec's Ms are the threads that exist at
// once: an exited M's slot is where newm's thread for a pending P runs
// (acquirep), and while one exists no idle M stands in for it.
func (s *State) exitedM() int8 {
	for i := range s.Ms {
		if s.Ms[i].Exited {
			return int8(i)
		}
	}
	return None
}

// newmStarts is newm's thread m (an exited M's slot, or an idle M
// standing in for it) taking pending P pi: it spins if startm asked
// (mspinning). The thread may have started, taken the P and read
// gcwaiting before a stop-the-world's store that it follows: it may be
// past that read (M.StaleGCRead). An over-approximation for a P left for
// newm after the store.
func (s *State) newmStarts(m *M, pi int8) {
	m.Spinning = s.Ps[pi].StartSpinning
	s.Ps[pi].StartSpinning = false
	m.StaleGCRead = s.Sched.GCWaiting
}

// newmChoices appends newm's thread's acquirep of every pending P, made
// by M (an exited M's slot, or an idle M standing in).
func (s *State) newmChoices(M int8, ops []Op) []Op {
	for pi := range s.Ps {
		if s.pendingP(int8(pi)) {
			ops = append(ops, Op{Kind: OpAcquireP, M: M, P: int8(pi)})
		}
	}
	return ops
}

// pendingP reports whether P pi waits in PHandoff for the M newm would
// make: no M's nextp names it, and no waking M holds it for its startm.
func (s *State) pendingP(pi int8) bool {
	if s.Ps[pi].Status != PHandoff {
		return false
	}
	for mi := range s.Ms {
		if s.Ms[mi].NextP == pi || s.Ms[mi].StartmP == pi || s.Ms[mi].SpinP == pi {
			return false
		}
	}
	return s.Sched.CtlStartmP != pi && s.Sched.RetakeP != pi
}

// runqWork reports whether a P that stealWork or checkRunqsNoP would look
// at (running, handed off or stopped: not idle, idlepMask) has a G in its
// run queue (runqempty: runnext or the ring).
func (s *State) runqWork() bool { return s.runqWorkIn(len(s.Ps)) }

// recheckWork is what checkRunqsNoP finds for M mp's recheck: work on
// the run queue of a P of its allp snapshot (M.AllpLen, or the current
// GOMAXPROCS Ps; Ps beyond GOMAXPROCS are dead and empty).
func (s *State) recheckWork(mp int) bool {
	if n := s.Ms[mp].AllpLen; n != 0 {
		return s.runqWorkIn(int(n))
	}
	return s.runqWork()
}

// runqWorkIn: a P below n has work on its run queue.
func (s *State) runqWorkIn(n int) bool {
	for v := range s.Ps[:min(n, len(s.Ps))] {
		vp := &s.Ps[v]
		if vp.Status.Stealable() && (vp.Runnext != None || len(vp.Ring) != 0) {
			return true
		}
	}
	return false
}

// acquirep is OpAcquireP: an M without a P gets one. Four ways (the
// fourth, a locked M's, is stoplockedmReturns):
//   - stopm returns: startm woke the M with a P in its nextp;
//   - newm: an M on the idle list takes a pending P (see above);
//   - findRunnable's recheck after a spinning M dropped its P took the
//     idle head (M.SpinP, OpRecheck): `acquirep(pp); mp.becomeSpinning()`
//     after the unlock (and after runqputbatch for global work), whose
//     needspinning store is the M's next step (M.SpinClear, OpSpin).
//     With the global batch, findRunnable then returns its first G
//     (P.Held, still held until then): schedule runs it in that step
//     (spinClear);
//   - stoplockedm returns: startlockedm handed a locked M a P for its G.
func (s *State) acquirep(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	if m.LockedG != None && m.P == None && m.Curg == None && m.NextP != None {
		return s.stoplockedmReturns(op, mp)
	}
	if m.P != None || m.Curg != None || m.LockedG != None || m.NewG != None {
		return r, s.disabled(op, "the M is busy")
	}
	if op.P < 0 || int(op.P) >= len(s.Ps) {
		return r, s.disabled(op, "no such P")
	}
	switch {
	case m.Exited:
		// newm's thread (proc.go startm -> newm -> newosproc; mstart1's
		// `acquirep(gp.m.nextp.ptr())`), in the place of a thread that
		// exited through mexit: a new M with nothing (allocm), the
		// spinning startm asked for (mspinning), and the pending P.
		if !s.pendingP(op.P) {
			return r, s.disabled(op, "newm's thread only takes a P startm left to newm; P"+itoa(int64(op.P))+" is not one")
		}
		*m = NewM()
		s.newmStarts(m, op.P)
		r.Newm = true
	case m.SpinP != None:
		if op.P != m.SpinP {
			return r, s.disabled(op, "the recheck took P"+itoa(int64(m.SpinP)))
		}
		pp := &s.Ps[op.P]
		if len(pp.Held) > 1 {
			return r, s.disabled(op, "runqputbatch comes first")
		}
		m.SpinP = None
		s.becomeSpinningCounted(mp)
	case m.NextP != None:
		if op.P != m.NextP {
			return r, s.disabled(op, "startm handed the M P"+itoa(int64(m.NextP))+" (mp.nextp)")
		}
		m.NextP = None
	case m.Parked:
		if !s.pendingP(op.P) {
			return r, s.disabled(op, "an idle M only wakes for its nextp, or for a P startm left to newm; P"+itoa(int64(op.P))+" is neither")
		}
		if e := s.exitedM(); e != None {
			return r, s.disabled(op, "M"+itoa(int64(e))+" exited: its slot takes the P as newm's thread, not an idle M")
		}
		s.unlinkM(int8(mp)) // (newm's M, modelled by an idle one: not the runtime's mgetSpecific)
		s.newmStarts(m, op.P)
	default:
		return r, s.disabled(op, "the M is neither woken by startm, idle, nor holding the P its recheck took")
	}
	r.P = op.P
	if err := s.acquirepOn(mp, op.P); err != nil {
		return r, err
	}
	if m.Spinning {
		r.Value = 1
	}
	return r, nil
}

// stoplockedmReturns is OpAcquireP of a locked M that startlockedm
// handed a P: stoplockedm's end, `acquirep(mp.nextp.ptr()); mp.nextp = 0`
// after its check that the G is runnable (throw("stoplockedm: not
// runnable")), then schedule's `execute(mp.lockedg.ptr(), false)`: a new
// time slice.
func (s *State) stoplockedmReturns(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	if op.P != m.NextP {
		return r, s.disabled(op, "startlockedm handed the M P"+itoa(int64(m.NextP))+" (mp.nextp)")
	}
	g := m.LockedG
	if s.Gs[g].Status != Runnable {
		return r, throwf(ThrowStoplockedmNotRunnable, "stoplockedm")
	}
	m.NextP = None
	r.P, r.G, r.HandedTo = op.P, g, int8(mp)
	if err := s.acquirepOn(mp, op.P); err != nil {
		return r, err
	}
	return r, s.execute(mp, g, false)
}

// stopSpinning is OpStopSpinning: findRunnable's `mp.spinning = false;
// sched.nmspinning.Add(-1)` after a spinning M dropped its P.
func (s *State) stopSpinning(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	if !m.Recheck || !m.Spinning {
		return r, s.disabled(op, "the M did not drop its P while spinning")
	}
	m.Spinning = false
	s.Sched.NMSpinning--
	if s.Sched.NMSpinning < 0 {
		return r, throwf(ThrowNegativeNMSpinning, "findRunnable")
	}
	return r, nil
}

// stopm is OpStopm: stopm's `lock(&sched.lock); mput(gp.m)`, a
// sched.lock section of its own, after whatever left the M owing it
// (M.Stopping): findRunnable's stop path for a non-spinning M, the
// recheck of a spinning one that found nothing (OpRecheck),
// startlockedm, or exitsyscallNoP.
func (s *State) stopm(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	if !m.Stopping {
		return r, s.disabled(op, "the M owes no stopm")
	}
	m.Stopping = false
	return r, s.mput(mp, &r)
}

// recheck is OpRecheck: findRunnable's recheck for an M that was spinning
// when it dropped its P (M.Recheck, after OpStopSpinning), in two or three
// steps, one per sched.lock section (proc.go:3676-3703):
//   - the global queue's (M.RecheckRunqs false): `lock(&sched.lock); if
//     !sched.runq.empty() { pp, _ := pidlegetSpinning(0); if pp != nil {
//     gp, q := globrunqgetbatch(int32(len(pp.runq)) / 2); unlock ...`
//     (op.Source SrcGlobal); with work and no idle P, pidlegetSpinning's
//     `sched.needspinning.Store(1)`; then unlock, and checkRunqsNoP is
//     next (M.RecheckRunqs). All read under the lock: one outcome;
//   - checkRunqsNoP's (M.RecheckRunqs): it reads the run queues of the Ps
//     of its allp snapshot without the lock and, when one has work
//     (op.N RecheckFound: what the implementation read), takes sched.lock
//     again for pidlegetSpinning, which stores needspinning once more
//     when no P is idle. Only a Strict op (one that overlapped no other)
//     is held to its reads: checkRunqsNoP may miss a ring's work, or see
//     work gone before its lock. With nothing found, checkIdleGCNoP
//     (proc.go:3703, 3937-3976) follows in the same step: while the GC
//     marks (gcBlackenEnabled) and wants an idle mark worker
//     (needIdleMarkWorker, gcShouldScheduleWorker: quantities the spec
//     does not model), it takes sched.lock for pidlegetSpinning, which
//     with no idle P stores needspinning (op.N RecheckIdleGC, in strict
//     order too); with an idle P it runs the idle mark worker (GC workers
//     are not modelled) or, with none wanted after all, puts the P back
//     (no change). Its read of gcBlackenEnabled comes before the lock, so
//     a relaxed op (one that overlapped another) may store needspinning
//     after the GC ended; a strict one only while the GC marks;
//   - checkIdleGCNoP's own, where checkRunqsNoP found work and no idle P
//     (it stores needspinning and returns nil, and checkIdleGCNoP
//     follows, proc.go:3695-3703): while the GC marks the M stays in the
//     recheck (Recheck with Stopping) and checkIdleGCNoP's section is a
//     third step (recheckIdleGC), with the same input; with the GC off
//     its racy read of gcBlackenEnabled returns at once, in the same
//     step as checkRunqsNoP's.
//
// Between the sections another M's stop path may take one store
// (becomeSpinning, keeping its P) before the next: one recheck may keep
// three Ms from dropping their Ps.
//
// A P either section takes is findRunnable's local until `acquirep(pp);
// mp.becomeSpinning()` (OpAcquireP, after runqputbatch's OpRunqputBatch
// for the batch's rest): PHandoff, off the idle list, held by this M
// (M.SpinP), with the batch on no queue (P.Held), and nmspinning lacks
// the M. With nothing it can take, stopm, which takes sched.lock again
// for mput, is the M's next step (M.Stopping): in between the M holds no
// P, is not on the idle M list (a wakep's startm finds no M to wake) and
// counts as running. Result.P is the P taken; with the global batch,
// Result.Source is SrcGlobal, Result.G its first G and Result.Moved the
// rest's length; Result.Value is 1 when the step stored needspinning.
func (s *State) recheck(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	if !m.Recheck || m.Spinning || m.P != None || m.Curg != None {
		return r, s.disabled(op, "the M did not drop its P while spinning, or has not stopped spinning")
	}
	if op.N&^(RecheckFound|RecheckIdleGC|RecheckReadGCOn|RecheckReadGCOff) != 0 || op.N&RecheckReadGCOn != 0 && op.N&RecheckReadGCOff != 0 {
		return r, s.disabled(op, "unknown recheck input")
	}
	if m.Stopping {
		return s.recheckIdleGC(op, mp)
	}
	if !m.RecheckRunqs {
		// The global queue's sched.lock section.
		if op.N != 0 {
			return r, s.disabled(op, "the recheck's first sched.lock section reads the global queue only (checkRunqsNoP's reads come in the next step)")
		}
		global := len(s.Sched.Runq) != 0
		switch {
		case op.Source == SrcGlobal:
			if !global {
				return r, s.disabled(op, "the recheck's sched.lock section finds the global queue empty")
			}
			if s.Sched.Pidle == None {
				return r, s.disabled(op, "the recheck's sched.lock section finds no idle P for the global work")
			}
			pi := s.recheckTake(mp)
			pp := &s.Ps[pi]
			g, held := s.GlobrunqGetBatch(s.GlobrunqBatchMax(), append(pp.Held[:0], None))
			held[0] = g
			pp.Held = held
			r.P, r.G, r.Source, r.Moved = pi, g, SrcGlobal, int32(len(held)-1)
			return r, nil
		case op.Source != 0:
			return r, s.disabled(op, "the recheck takes global work (source global) or a P's run queue's (checkRunqsNoP, no source)")
		case global && s.Sched.Pidle != None:
			return r, s.disabled(op, "the recheck under sched.lock finds the global queue non-empty and an idle P")
		case global:
			// pidlegetSpinning finds no idle P:
			// `sched.needspinning.Store(1)`.
			s.Sched.NeedSpinning = true
			r.Value = 1
		}
		m.RecheckRunqs = true
		return r, nil
	}
	// checkRunqsNoP.
	if op.Source != 0 {
		return r, s.disabled(op, "checkRunqsNoP takes a P for a P's run queue's work (no source); the global queue was the step before")
	}
	found := op.N&RecheckFound != 0 // checkRunqsNoP found a P with work (the implementation's read)
	idleGC := op.N&RecheckIdleGC != 0
	// Where both outcomes give the same state (work, no idle P,
	// needspinning set already, the GC off) Enabled offers only the
	// op without RecheckFound, and the strict step accepts it too, as
	// the step checkRunqsNoP makes (the liveness graph's edge).
	same := !found && !idleGC && s.Sched.Pidle == None && s.Sched.NeedSpinning && !s.Sched.GCBlacken
	switch {
	case op.Strict && found != s.recheckWork(mp) && !same:
		return r, s.disabled(op, "strict: checkRunqsNoP reads the run queue of every P of its allp snapshot as it is")
	case idleGC && found:
		return r, s.disabled(op, "checkIdleGCNoP's sched.lock section comes after checkRunqsNoP's, as a step of its own, where checkRunqsNoP found work and no idle P")
	}
	if err := s.recheckIdleGCRefusal(op); err != nil {
		return r, err
	}
	if found {
		if s.Sched.Pidle != None {
			r.P = s.recheckTake(mp)
			return r, nil
		}
		// Work it cannot take (no idle P): pidlegetSpinning's
		// `sched.needspinning.Store(1)` in checkRunqsNoP's section.
		// checkRunqsNoP returns nil, and checkIdleGCNoP follows
		// (proc.go:3695-3703), its sched.lock section a step of its
		// own while the GC marks (the M stays in the recheck,
		// Stopping: recheckIdleGC); with the GC off its racy read of
		// gcBlackenEnabled returns at once.
		s.Sched.NeedSpinning = true
		r.Value = 1
		marking, err := s.recheckReadGC(op)
		if err != nil {
			return r, err
		}
		m.RecheckRunqs, m.AllpLen = false, 0
		m.Recheck = marking
		m.Stopping = true
		return r, nil
	}
	if idleGC {
		// checkIdleGCNoP's pidlegetSpinning with no idle P:
		// `sched.needspinning.Store(1)` (proc.go:3972, 7433-7438).
		s.Sched.NeedSpinning = true
		r.Value = 1
	}
	m.Recheck, m.RecheckRunqs, m.AllpLen = false, false, 0
	m.Stopping = true
	return r, nil
}

// recheckReadGC is checkIdleGCNoP's read of gcBlackenEnabled after
// checkRunqsNoP found work and no idle P: whether the GC marks, which
// decides whether its sched.lock section is a third step. The read is
// racy (made without a P, after checkRunqsNoP's unlock), and the GC's
// stop-the-world sets gcBlackenEnabled (gcStart, gcMarkDone) before it
// restarts the world (startTheWorldWithSema), which the spec's gc op
// makes in one step: an M without a P, which runs on through a
// stop-the-world, can read the new value while the world is still
// stopped, before the spec's gc op. The implementation's read is the
// op's input (RecheckReadGCOn, RecheckReadGCOff; neither: the GC's state
// now, as Enabled offers it). A strict op (one that overlapped no other)
// is held to the GC's state now; a relaxed one reads either.
func (s *State) recheckReadGC(op Op) (bool, error) {
	switch {
	case op.N&(RecheckReadGCOn|RecheckReadGCOff) == 0:
		return s.Sched.GCBlacken, nil
	case op.Strict && (op.N&RecheckReadGCOn != 0) != s.Sched.GCBlacken:
		return false, s.disabled(op, "strict: checkIdleGCNoP reads gcBlackenEnabled as the GC is")
	}
	return op.N&RecheckReadGCOn != 0, nil
}

// recheckIdleGCRefusal is why the recheck's input cannot have
// checkIdleGCNoP's needspinning store (RecheckIdleGC), or nil.
func (s *State) recheckIdleGCRefusal(op Op) error {
	switch {
	case op.N&RecheckIdleGC == 0:
		return nil
	case !s.Sched.GCBlacken && op.Strict:
		// checkIdleGCNoP reads gcBlackenEnabled without a lock, before
		// its sched.lock section ("since we have no P, gcBlackenEnabled
		// may change at any time"): in an op that overlapped another
		// the read may predate the GC's end (gcMarkDone's
		// stop-the-world), and the section store needspinning with the
		// GC off. The relaxed op reaches the state RecheckFound's
		// relaxed read reaches with no idle P: no new state.
		return s.disabled(op, "strict: checkIdleGCNoP looks for idle-priority mark work only while the GC marks (gcBlackenEnabled)")
	case s.Sched.Pidle != None:
		return s.disabled(op, "checkIdleGCNoP's pidlegetSpinning finds an idle P: it runs the idle mark worker (not modelled) or puts the P back")
	}
	return nil
}

// recheckIdleGC is OpRecheck's third step, by an M whose checkRunqsNoP
// found work but no idle P (Recheck with Stopping): checkIdleGCNoP
// (proc.go:3703, 3937-3976), its read of gcBlackenEnabled and its own
// sched.lock section, where pidlegetSpinning with no idle P stores
// needspinning again (Op.N RecheckIdleGC: idle-priority mark work wanted,
// the op's input). Between checkRunqsNoP's store and this one another
// M's stop path may take the first (becomeSpinning), and a third M's the
// second. stopm is the M's next step.
func (s *State) recheckIdleGC(op Op, mp int) (Result, error) {
	r := NewResult()
	if op.Source != 0 || op.N&RecheckFound != 0 {
		return r, s.disabled(op, "after checkRunqsNoP the recheck's last step is checkIdleGCNoP's (no source, no RecheckFound)")
	}
	if err := s.recheckIdleGCRefusal(op); err != nil {
		return r, err
	}
	if op.N&RecheckIdleGC != 0 {
		s.Sched.NeedSpinning = true
		r.Value = 1
	}
	s.Ms[mp].Recheck = false
	return r, nil
}

// OpRecheck's inputs (Op.N) in checkRunqsNoP's step: what the
// implementation read without the lock, a P's run queue with work
// (RecheckFound); or, with none found, that checkIdleGCNoP found
// idle-priority mark work wanted and no idle P, and stored needspinning
// (RecheckIdleGC).
//
// RecheckReadGCOn and RecheckReadGCOff, where checkRunqsNoP found work and
// no idle P: what checkIdleGCNoP's read of gcBlackenEnabled returned
// (recheckReadGC); neither, the GC's state at the step.
const (
	RecheckFound     = 1
	RecheckIdleGC    = 2
	RecheckReadGCOn  = 4
	RecheckReadGCOff = 8
)

// recheckTake is the recheck's pidlegetSpinning when a P is idle: the
// idle head, findRunnable's local (PHandoff, held by M mp) until its
// acquirep.
func (s *State) recheckTake(mp int) int8 {
	pi := s.pidleget()
	pp := &s.Ps[pi]
	pp.Status, pp.M, pp.Link = PHandoff, None, None
	m := &s.Ms[mp]
	m.Recheck, m.RecheckRunqs, m.AllpLen = false, false, 0
	m.SpinP = pi
	return pi
}

// runqputBatch is OpRunqputBatch: findRunnable after the sched.lock
// section that took a global batch (`gp, q := globrunqgetbatch(...)`;
// unlock), `if runqputbatch(pp, &q); !q.empty() { throw("Couldn't put Gs
// into empty local runq") }`: the batch's rest (P.Held after gp) goes on
// the ring. Two callers:
//   - findRunnable's global queue and its stop path's recheck, on the
//     M's own P (OpSchedule with source global): findRunnable then
//     returns gp and schedule runs it, in this step;
//   - the recheck of an M that dropped its P while spinning, on the P it
//     took (M.SpinP), which no M owns yet: thieves may take the rest from
//     its ring (the P is off the idle list, so not in idlepMask) before
//     the M's acquirep (OpAcquireP) runs gp.
//
// Result.Value is the count put, Result.P the P.
func (s *State) runqputBatch(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	pi := m.SpinP
	if pi == None {
		pi = m.P
	}
	if pi == None || len(s.Ps[pi].Held) < 2 || m.Curg != None || m.StealTail {
		return r, s.disabled(op, "the M holds no global batch to put on its P")
	}
	pp := &s.Ps[pi]
	q := pp.Held[1:]
	r.P, r.Value = pi, int64(len(q))
	if n := s.RunqPutBatch(pi, q); n != len(q) {
		return r, throwf(ThrowRunqputbatch, "findRunnable")
	}
	g := pp.Held[0]
	if m.SpinP != None {
		pp.Held = pp.Held[:1]
		return r, nil
	}
	pp.Held = pp.Held[:0]
	r.Source = SrcGlobal
	return r, s.runFound(mp, g, false, &r)
}
