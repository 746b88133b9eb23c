// The controller: the workload's script of world-stopping steps
// (procresize, gc on and off, the off setting startingStackSize) applied
// under stop-the-world once a number of ops is done; the runtime functions
// it calls are in proc_procresize.go and mgcmark.go.

package impl

// opsDone is the (approximate in free-running mode) number of ops done.
func (s *sched) opsDone() int64 {
	var n int64
	for _, a := range s.actors {
		if s.det {
			n += a.nops
		} else {
			n += a.nopsPub.Load()
		}
	}
	return n
}

// controller runs the world-stopping script: procresize, gc on and off;
// after a GC start, the mark phase's markrootFreeGStacks.
func (s *sched) controller(a *actor, steps []CtlStep) {
	for _, c := range steps {
		if !s.ctlStep(a, c) {
			return
		}
		if c.Kind == CtlGC && c.Arg != 0 && s.gcBlacken.Load() && !s.freeGStacksDone.Load() {
			// The mark phase's root jobs run once the world has
			// started again, concurrently with the Ms.
			if !a.safepoint() || !s.markrootFreeGStacks(a) {
				return
			}
		}
	}
}

// ctlStep runs one step of the script under stop-the-world, or skips it
// when it is not enabled; false when the run is over.
func (s *sched) ctlStep(a *actor, c CtlStep) bool {
	after := int64(c.After)
	if !a.safepoint() {
		return false
	}
	if !a.waitUntil(func() bool { return s.opsDone() >= after || s.othersWaiting(a) }) {
		return false
	}
	for s.ctlEnabled(c) {
		if c.Kind == CtlProcResize {
			if !a.waitUntil(func() bool { return s.psUnowned(c.Arg) }) {
				return false
			}
		}
		// stopTheWorld: every other actor at a safe point.
		s.stw.Store(true)
		ok := a.waitUntil(func() bool { return s.othersWaiting(a) })
		if !ok {
			s.stw.Store(false)
			return false
		}
		applied := false
		if s.ctlEnabled(c) && (c.Kind != CtlProcResize || s.psUnowned(c.Arg)) {
			s.ctlApply(a, c)
			applied = true
		}
		// startTheWorld.
		s.stw.Store(false)
		s.wakeAll()
		if applied {
			// Its wakep, in steps between which the Ms run.
			for a.wakepPending() {
				if !a.safepoint() {
					return false
				}
				a.wakepStep()
			}
			return true
		}
		if !a.safepoint() {
			return false
		}
	}
	return true
}

func (s *sched) ctlEnabled(c CtlStep) bool {
	switch c.Kind {
	case CtlProcResize:
		// stopTheWorldGC blocks until the GC is not running (gcsema,
		// proc.go:1569-1594): GOMAXPROCS never changes while it marks,
		// and p.destroy throws "P destroyed while GC is running". Only
		// this controller ends the GC, so the step is skipped.
		return c.Arg >= 1 && c.Arg <= len(s.ps) && int32(c.Arg) != s.gomaxprocs.Load() && !s.gcBlacken.Load()
	case CtlGC:
		// Marking ends only once every root job ran (gcMarkDone).
		on := c.Arg != 0
		return on != s.gcBlacken.Load() && (on || s.freeGStacksDone.Load() && s.gFreeDetached.head == nil)
	}
	return false
}

// psUnowned: the Ps procresize(n) destroys are neither running nor given
// to an M by startm (idle and off the idle list).
func (s *sched) psUnowned(n int) bool {
	for i := n; i < len(s.ps); i++ {
		if st := s.ps[i].status.Load(); st == pRunning || st == pIdle && !s.ps[i].idlep.Load() {
			return false
		}
	}
	return true
}

func (s *sched) ctlApply(a *actor, c CtlStep) {
	switch c.Kind {
	case CtlProcResize:
		r := a.begin(opProcResize)
		r.in = int32(c.Arg)
		s.procresize(c.Arg)
		s.startTheWorldWakep(a)
		a.commit(&r)
	case CtlGC:
		r := a.begin(opGC)
		on := c.Arg != 0
		if on {
			r.flags |= flOn
			// gcResetMarkState: every G's gcAssistBytes = 0;
			// gcController.startCycle: bgScanCredit = 0.
			s.allglock.Lock()
			for _, gp := range s.allgs {
				gp.gcAssist = 0
			}
			s.allglock.Unlock()
			s.bgScanCredit.Store(0)
		} else if c.Size != 0 {
			// gcMarkDone: gcComputeStartingStackSize, then
			// gcBlackenEnabled = 0, in the same stop-the-world.
			r.in = int32(c.Size)
			s.startingStackSize.Store(int32(c.Size))
		}
		s.gcBlacken.Store(on)
		s.freeGStacksDone.Store(false)
		s.startTheWorld(a)
		s.startTheWorldWakep(a)
		a.commit(&r)
	}
}

// startTheWorld is the part of startTheWorldWithSema the model has: it
// calls procresize(gomaxprocs) (proc.go:1776), whose end rebuilds the idle
// P list (relistIdleLocked). procresize(n) does it itself.
func (s *sched) startTheWorld(a *actor) {
	s.lockSched(a)
	s.relistIdleLocked()
	s.unlockSched(a)
}

// startTheWorldWakep: startTheWorldWithSema ends with wakep()
// (proc.go:1819-1822), made by the M that restarted the world under
// acquirem: the controller owes it, as steps of its own after the world
// runs again (ctlStep), and checkdead counts its M until it is done.
func (s *sched) startTheWorldWakep(a *actor) {
	if s.f.stwNoWakep {
		return
	}
	s.ctlm.Store(1)
	a.owesWakep = true
}
