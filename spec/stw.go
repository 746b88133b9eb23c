package spec

// The stop-the-world protocol (proc.go stopTheWorldWithSema,
// startTheWorldWithSema, gcstopm, goschedImpl's preemption for it).
//
// The controller's stopTheWorldWithSema (OpStopTheWorld) sets
// sched.gcwaiting (Sched.GCWaiting), takes every P whose M is in a syscall
// (setBlockOnExitSyscall, gcstopP) and every idle P (pidleget), and puts
// them in _Pgcstop (PGCStop). The other Ps stop when their Ms get there,
// one step each, in any order, while the Ms' Gs keep running until then:
//   - an M running a G is preempted at its next safe point (OpPreempt:
//     goschedImpl(gp, true), which with gcwaiting set puts the G in its
//     own P's runnext, runqput(pp, gp, true), kicking the old runnext to
//     the ring's tail, then wakep and schedule);
//   - an M in schedule with its P (findRunnable's top, or the M startm
//     or startTheWorld woke, after its acquirep) stops in gcstopm
//     (OpGCStopm): spinning dropped, the P in PGCStop, then stopm;
//   - a G that enters a syscall gives its P up at once
//     (entersyscallHandleGCWait);
//   - handoffp (stoplockedm, mexit, retake) stops the P it would have
//     idled.
// Once every P is stopped (StopWait() == 0) the controller makes its
// action with the world stopped (OpGC or OpProcResize) and restarts the
// world in the same step: startTheWorldWithSema's procresize hands every
// P with local work to an M (restartWorld), then the controller's wakep
// follows (Sched.CtlWakeP).
//
// The controller decides which action it stops the world for only once
// the world is stopped: what the actions need (the GC's phase, its root
// job, GOMAXPROCS) cannot change while the world stops, so an action
// chosen at the start could be chosen at the end, and the states of the
// stopping phase do not carry it.

// StopWait is sched.stopwait while a stop-the-world is under way: the Ps
// neither dead nor stopped (PGCStop). The controller's own P, which the
// runtime stops first, is not one of the spec's.
func (s *State) StopWait() int {
	n := 0
	for i := range s.Ps {
		if st := s.Ps[i].Status; st != PDead && st != PGCStop {
			n++
		}
	}
	return n
}

// worldStopped: a stop-the-world is under way and every P has stopped
// (stopTheWorldWithSema's wait for sched.stopnote is over).
func (s *State) worldStopped() bool {
	return s.Sched.GCWaiting && s.StopWait() == 0
}

// stwActionEnabled reports whether some action of the controller (gc on,
// gc off, procresize) is enabled within b: the controller stops the
// world only for one.
func (s *State) stwActionEnabled(b Bounds) bool {
	var buf [8]Op
	return len(s.ctlActions(b, buf[:0])) != 0
}

// actionRefusal is why the controller's action (OpGC with N, OpProcResize
// to N) cannot be made in a stop-the-world now or once the world is
// stopped, or "": the conditions that hold whether the world is running
// or stopped (the GC's phase and root job, GOMAXPROCS).
func (s *State) actionRefusal(k OpKind, n int) string {
	sc := &s.Sched
	switch k {
	case OpProcResize:
		switch {
		case n < 1 || n > len(s.Ps):
			return "procresize needs 1 <= n <= len(allp)"
		case int32(n) == sc.GoMaxProcs:
			return "GOMAXPROCS is already " + itoa(int64(n))
		case sc.GCBlacken:
			return "the GC is running: stopTheWorldGC waits for its end"
		}
	case OpGC:
		on := n != 0
		switch {
		case on == sc.GCBlacken:
			return "the GC is already in that phase"
		case !on && (!sc.FreeGStacksDone || len(sc.GFreeDetached) != 0):
			return "the mark phase has a root job left (markrootFreeGStacks)"
		}
	}
	return ""
}

// stopTheWorld models the controller's stopTheWorldWithSema
// (proc.go:1628-1690) up to its wait: under sched.lock, gcwaiting, then
// every P whose M is in a syscall is taken (setBlockOnExitSyscall,
// gcstopP: the P's m and the M's p cleared, the P in _Pgcstop; the M
// keeps its oldp), then every idle P (pidleget until the list is empty,
// each to _Pgcstop). preemptall asks the running Gs to stop; each M
// stops in a step of its own (OpPreempt, OpGCStopm). Result.Value is
// sched.stopwait after the step.
//
// setBlockOnExitSyscall fails, and the P stays with its M, when another
// thread holds the syscall's G's scan bit: sysmon's retake, between its
// own setBlockOnExitSyscall and its thread.resume(), which take no lock (a
// retake that gets there first leaves the P off the idle list and running
// no G, which neither of the stop-the-world's loops takes, and its
// handoffp stops it; the spec's retake is that step, Sched.RetakeP);
// sysmon's probe of a syscall it lets go (proc.go:6686-6705; an
// implementation's event, OpRetake with RetakeProbe, whose interval the
// stop-the-world overlaps: relaxed); or a GC worker's stack scan
// (suspendG, preempt.go:159-168), no op, so in strict order a P whose G
// is in a syscall may be left only while the GC marks. It fails too when the M's
// exitsyscall took its G out of the syscall after gcwaiting was set and
// before the loop came to its P (exitsyscall's fast path is a CAS on the
// G's status, without the lock; found by gexit check in impl's
// free-running histories), or when the M's reentersyscall read gcwaiting
// before it was set and made its CAS to _Gsyscall after the loop passed
// its P (setBlockOnExitSyscall then saw _Grunning; the spec reaches that
// state as entersyscall, then the stop-the-world with the P in op.N).
// A relaxed op may also name a P whose M holds it with its G out of the
// syscall: the loop reads the Ps one at a time while exits go on, so the
// Gs it saw in syscalls need not all have been in them at one point;
// leaving a running P is what the loop does anyway.
// op.N is the set of such Ps (a bit per P): the retake then takes the P
// with the world stopping (handoffp stops it, or starts an M for its
// work, which then stops), or the M's exitsyscall keeps it and the M
// stops at its next safe point. The spec does not hold the G in its
// syscall until a retake (an over-approximation when a retake held it:
// its exitsyscall may come first and keep the P).
func (s *State) stopTheWorld(op Op, b Bounds) (Result, error) {
	r := NewResult()
	switch {
	case op.M != Controller:
		return r, s.disabled(op, "only the controller stops the world")
	case s.Sched.GCWaiting:
		return r, s.disabled(op, "a stop-the-world is under way")
	case s.ctlBusy():
		return r, s.disabled(op, ctlBusyRefusal)
	case len(s.Sched.GFreeDetached) != 0:
		return r, s.disabled(op, "markrootFreeGStacks holds its detached list (the stop-the-worlds modelled do not begin while the GC marks with root jobs left: gc-off's comes from gcMarkDone, after every root job; gc-on's and procresize's with the GC off)")
	case !s.stwActionEnabled(b):
		return r, s.disabled(op, "no action of the controller is enabled")
	}
	skip := uint8(op.N)
	for pi := range s.Ps {
		if skip&(1<<uint(pi)) == 0 || s.setBlockOnExitSyscall(int8(pi)) != None {
			continue
		}
		// A relaxed stop-the-world (one that overlapped another op) may
		// name a P whose M holds it with its G out of the syscall: the
		// runtime's loop reads the Ps one at a time without stopping
		// exitsyscall's fast path (a CAS, no lock), so Gs can leave
		// their syscalls between its reads in an order no single point
		// explains (P0 seen in its syscall, then P0's and P1's exits,
		// then P1 seen running). Leaving such a P is what the loop does
		// to any running P: the state is the one without the bit.
		if pp := &s.Ps[pi]; op.Strict || pp.Status != PRunning || pp.M == None || s.Ms[pp.M].P != int8(pi) {
			return r, s.disabled(op, "P"+itoa(int64(pi))+" is not running a syscall's G: nothing for setBlockOnExitSyscall to fail on")
		}
	}
	if op.Strict && !s.Sched.GCBlacken {
		// A stop-the-world that overlapped no op (no sysmon probe or
		// retake, no exitsyscall, no entersyscall in flight) and no GC
		// stack scan (the GC does not mark) finds nothing holding a
		// syscall's scan bit: setBlockOnExitSyscall takes every P whose
		// G is in a syscall (proc.go:1665-1670). Else a stop-the-world
		// that never took them would wait for each syscall to return, or
		// for sysmon, asleep while gcwaiting (proc.go:6521-6548).
		for pi := range s.Ps {
			if skip&(1<<uint(pi)) != 0 && s.setBlockOnExitSyscall(int8(pi)) != None {
				return r, s.disabled(op, "P"+itoa(int64(pi))+"'s G is in a syscall and nothing holds its scan bit (no op overlaps the stop-the-world, the GC does not mark): setBlockOnExitSyscall takes it")
			}
		}
	}
	s.Sched.GCWaiting = true
	for pi := range s.Ps {
		if skip&(1<<uint(pi)) != 0 {
			continue
		}
		if mp := s.setBlockOnExitSyscall(int8(pi)); mp != None {
			s.gcstopP(int8(pi), mp)
		}
	}
	for pi := s.pidleget(); pi != None; pi = s.pidleget() {
		s.gcstopP(pi, None)
	}
	for mi := range s.Ms {
		if m := &s.Ms[mi]; s.staleGCReadAt(m) {
			m.StaleGCRead = true
		}
	}
	r.Value = int64(s.StopWait())
	return r, nil
}

// staleGCReadAt reports whether M m may be past findRunnable's read of
// sched.gcwaiting (M.StaleGCRead) when the stop-the-world stores it, and,
// with gcwaiting set, whether an M that was still is: it is in findRunnable
// with its P and no G, with nothing owed before the read or after the
// search. Not an M that owes a wakep before schedule (gosched's, ready's,
// preempt's), startlockedm or mexit; not an M whose becomeSpinning still
// owes its last store (M.SpinClear: the recheck's `acquirep(pp);
// mp.becomeSpinning(); goto top`, before the read; or findRunnable's
// spin, whose stores come after gcwaiting's if this one does, so that
// stealWork's loads of it before each victim see it set); not an M that
// holds what it found (the global batch, runqsteal's tail), whose G runs
// with no read; not one between gcstopm's steps; not one in goyield's
// runqputslow (M.YieldSlow), whose batch push takes sched.lock after the
// stop-the-world's section, so schedule's read that follows it sees
// gcwaiting set (proc.go goyield_m -> runqput -> runqputslow, then
// schedule). And an M whose stopm
// returns to a nextp startm set before the store. That over-approximates:
// in the runtime that M reads gcwaiting after its acquirep (schedule ->
// findRunnable's top), so it sees the store if its acquirep follows it;
// the spec lets it take the relaxed schedule either way, so that the
// acquirep, the one op the partial-order reduction follows alone
// (Private), commutes with the stop-the-world.
func (s *State) staleGCReadAt(m *M) bool {
	if m.Curg != None || m.NewG != None || m.LockedG != None || m.Handing != None || m.WakeP || m.Waking || m.StartmP != None ||
		m.Stopping || m.GCStopping || m.SpinClear || m.StealTail || m.Mexiting || m.StopLocked || m.Mfreed || m.YieldSlow {
		return false
	}
	if m.P != None {
		return len(s.Ps[m.P].Held) == 0
	}
	return m.NextP != None
}

// settleStaleGCReads clears M.StaleGCRead where it no longer holds
// (staleGCReadHolds), for an M that left findRunnable while the world
// stops (it runs a G, or holds neither a P nor a nextp: gcstopm's
// releasep, the stop path's; or it spun, its stores now after
// gcwaiting's): whatever brings it back to findRunnable's top, or its
// stealWork, reads gcwaiting set. Apply calls it after every op; the
// restart (restartWorld) clears every M's as it clears gcwaiting.
func (s *State) settleStaleGCReads() {
	if !s.Sched.GCWaiting {
		return
	}
	for mi := range s.Ms {
		if m := &s.Ms[mi]; m.StaleGCRead && !s.staleGCReadHolds(m) {
			m.StaleGCRead = false
		}
	}
}

// staleGCReadHolds reports whether M m can still hold M.StaleGCRead (the
// GCStopPs invariant checks it).
func (s *State) staleGCReadHolds(m *M) bool {
	return s.Sched.GCWaiting && s.staleGCReadAt(m)
}

// gcstopP puts P pi, which M oldm held (None: an idle P), in _Pgcstop:
// no M, off every list, oldm recorded (acquirep made the holder its
// oldm).
func (s *State) gcstopP(pi int8, oldm int) {
	pp := &s.Ps[pi]
	if pp.M != None && int(pp.M) == oldm {
		s.Ms[oldm].P = None
	}
	pp.Status = PGCStop
	pp.M = None
	pp.Link = None
	pp.OldM = int8(oldm)
}

// preempt models goschedImpl(gp, true) for a stop-the-world
// (proc.go:4307-4346): the G the M runs, asked to stop by preemptall,
// stops at its next safe point: running -> runnable, dropg, and with
// gcwaiting set runqput(pp, gp, true) into its own P's runnext "so it can
// keep running immediately after the STW"; an old runnext is kicked to
// the ring's tail (OpRunqputKick next, or runqputslow's push). Then
// wakep (mainStarted) and schedule: for a locked M stoplockedm, for the
// others findRunnable's top, gcstopm.
func (s *State) preempt(op Op, mp int) (Result, error) {
	if !s.Sched.GCWaiting {
		return NewResult(), s.disabled(op, "no stop-the-world asks for a preemption (sched.gcwaiting)")
	}
	m := &s.Ms[mp]
	r, gi, err := s.goschedRunnable(mp)
	if err != nil {
		return r, err
	}
	if r.Kicked, r.Slow, err = s.runqput(m.P, gi, true); err != nil || r.Slow || r.Kicked != None {
		// The kicked G's put (runqputkick) or runqputslow's push
		// comes first; the wakep and stoplockedm follow it.
		return r, err
	}
	s.Ms[mp].WakeP = true
	s.afterDeschedule(mp)
	return r, nil
}

// gcstopm models proc.go gcstopm (proc.go:3296-3320) at findRunnable's
// top (`if sched.gcwaiting.Load() { gcstopm(); goto top }`), in two steps
// for a spinning M: first it stops spinning (`gp.m.spinning = false`,
// nmspinning--, "startTheWorld will unpark threads as necessary"),
// without a lock (M.GCStopping; Result.Value 1), then, as the only step
// of any other M, releasep and under sched.lock the P to _Pgcstop with
// stopwait--; then stopm (OpStopm, the M's next step). Result.Value of
// that step is sched.stopwait after it. Other Ms read nmspinning in
// between (wakep's CAS), as in the runtime.
func (s *State) gcstopm(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	switch {
	case !s.Sched.GCWaiting:
		return r, s.disabled(op, "gcstopm: not waiting for gc")
	case m.P == None:
		return r, s.disabled(op, "the M holds no P")
	case m.Curg != None:
		return r, s.disabled(op, "the M is running G"+itoa(int64(m.Curg)))
	case m.NewG != None || m.LockedG != None || m.Handing != None || len(s.Ps[m.P].Held) != 0:
		return r, s.disabled(op, "the M is not at findRunnable's top")
	}
	// findRunnable's top: stealWork saw gcwaiting (`goto top`).
	m.StealWork = false
	if m.Spinning {
		m.Spinning = false
		m.GCStopping = true
		s.Sched.NMSpinning--
		if s.Sched.NMSpinning < 0 {
			return r, throwf(ThrowGcstopmNegative, "gcstopm")
		}
		r.Value = 1
		return r, nil
	}
	m.GCStopping = false
	pi, err := s.releasep(mp)
	if err != nil {
		return r, err
	}
	s.gcstopP(pi, mp)
	m.Stopping = true
	r.P = pi
	r.Value = int64(s.StopWait())
	return r, nil
}

// restartWorld models what startTheWorldWithSema does after the action:
// procresize's hand-out of the Ps below GOMAXPROCS (proc.go:6137-6241),
// then gcwaiting cleared, then the Ms woken (proc.go:1786-1801), then its
// wakep (the controller's, Sched.CtlWakeP). From allp[n-1] down to
// allp[0] every P becomes idle; one with an empty run queue joins
// idlePs; one with local work goes to its oldm if that M is on the idle
// M list (mgetSpecific), else waits in runnablePsNeedM, whose Ps then
// take mget's Ms in that list's order (the last P met first). A P with
// an M becomes that M's nextp (`mp.nextp.set(p); notewakeup(&mp.park)`);
// one without waits for the M newm would start (PHandoff, no M named).
// The idle Ps go on the idle list P0 first (relistIdle).
func (s *State) restartWorld() error {
	n := int(s.Sched.GoMaxProcs)
	var needM []int8
	for i := n - 1; i >= 0; i-- {
		pp := &s.Ps[i]
		pp.Status = PIdle
		pp.M = None
		pp.Link = None
		oldm := pp.OldM
		pp.OldM = None
		if pp.Runnext == None && len(pp.Ring) == 0 {
			continue
		}
		if oldm != None && s.mgetSpecific(oldm) {
			if err := s.handOut(int8(i), int(oldm)); err != nil {
				return err
			}
			continue
		}
		// runnablePsNeedM is a LIFO: the P met last is its head.
		needM = append(needM, int8(i))
	}
	for j := len(needM) - 1; j >= 0; j-- {
		pi := needM[j]
		if mp := s.mget(); mp != None {
			if err := s.handOut(pi, int(mp)); err != nil {
				return err
			}
			continue
		}
		pp := &s.Ps[pi]
		pp.Status, pp.StartSpinning = PHandoff, false
	}
	s.Sched.GCWaiting = false
	for mi := range s.Ms {
		s.Ms[mi].StaleGCRead = false
	}
	s.relistIdle()
	s.startTheWorld()
	return nil
}

// handOut makes P pi M mp's nextp, the M woken off the idle M list:
// `if mp.nextp != 0 { throw("startTheWorld: inconsistent mp->nextp") }`.
func (s *State) handOut(pi int8, mp int) error {
	pp := &s.Ps[pi]
	pp.Status, pp.M, pp.StartSpinning = PHandoff, None, false
	if s.Ms[mp].NextP != None {
		return throwf(ThrowStartTheWorldNextp, "startTheWorldWithSema")
	}
	s.Ms[mp].NextP = pi
	return nil
}
