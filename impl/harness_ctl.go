// The controller: the workload's script of world-stopping steps
// (procresize, gc on and off, the off setting startingStackSize), each
// made once a number of ops is done, in a stop-the-world as the runtime
// makes one (proc_stw.go); the runtime functions it calls are in
// proc_procresize.go and mgcmark.go.

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

// ctlStep runs one step of the script as the runtime stops the world
// (proc_stw.go): stopTheWorldWithSema (op stoptheworld), the wait for
// every P to stop, then the action, which restarts the world (op gc or
// procresize), then startTheWorldWithSema's wakep, in steps between which
// the Ms run. A step that is not enabled is skipped. False when the run
// is over.
func (s *sched) ctlStep(a *actor, c CtlStep) bool {
	after := int64(c.After)
	if !a.safepoint() {
		return false
	}
	if !a.waitUntil(func() bool { return s.opsDone() >= after || s.othersWaiting(a) }) {
		return false
	}
	if !s.ctlEnabled(c) {
		return true
	}
	if !a.stopTheWorld() {
		return false
	}
	// stopTheWorldWithSema's wait for sched.stopnote: every M stops at
	// its next safe point.
	if !a.waitUntil(func() bool { return s.stopwait.Load() == 0 }) {
		return false
	}
	s.ctlApply(a, c)
	for a.wakepPending() {
		if !a.safepoint() {
			return false
		}
		a.wakepStep()
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

func (s *sched) ctlApply(a *actor, c CtlStep) {
	switch c.Kind {
	case CtlProcResize:
		r := a.begin(opProcResize)
		r.in = int32(c.Arg)
		if msg := s.startTheWorld(a, c.Arg); msg != "" {
			a.throwOp(&r, msg)
			return
		}
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
		if msg := s.startTheWorld(a, 0); msg != "" {
			a.throwOp(&r, msg)
			return
		}
		s.startTheWorldWakep(a)
		a.commit(&r)
	}
}

// startTheWorld is startTheWorldWithSema up to its wakep, one sched.lock
// section as in the runtime: procresize to resize Ps when it is not 0
// (procresizeLocked: the destroyed Ps' Gs to the global queue's head),
// the hand-out of the stopped Ps (restartWorldLocked), gcwaiting cleared,
// the Ms given a P woken at the unlock. It returns a throw, if any.
func (s *sched) startTheWorld(a *actor, resize int) string {
	s.lockSched(a)
	if resize != 0 {
		s.procresizeLocked(resize)
		if s.procresizeHook != nil {
			s.procresizeHook()
		}
	}
	msg := s.restartWorldLocked()
	s.unlockSched(a)
	return msg
}

// startTheWorldWakep: startTheWorldWithSema ends with wakep()
// (proc.go:1819-1822), made by the M that restarted the world under
// acquirem: the controller owes it, as steps of its own after the world
// runs again (ctlStep), and checkdead counts its M until it is done.
func (s *sched) startTheWorldWakep(a *actor) {
	if s.f.stwNoWakep {
		s.ctlm.Store(0) // the controller's M leaves with the world started
		return
	}
	s.ctlm.Store(1)
	a.owesWakep = true
}
