package spec

// procresize models proc.go procresize(n) once the controller's
// stop-the-world has stopped every P (stw.go): Ps at or beyond n are
// destroyed with their queues (p.destroy: the run queue to the head of the
// global queue with runnext first, the free list through gfpurge, status
// dead); dead Ps below n come back; then startTheWorldWithSema's
// hand-out of the Ps with local work and the idle list (restartWorld).
//
// It never runs while the GC is marking (GCBlacken, from gcStart to
// gcMarkDone): every change of GOMAXPROCS stops the world through
// stopTheWorldGC (debug.go GOMAXPROCS, proc.go updateMaxProcsGoroutine),
// which "blocks until the GC is not running": it takes gcsema, which
// "prevents gomaxprocs from changing concurrently" (proc.go:1569-1594);
// p.destroy throws "P destroyed while GC is running" otherwise.
func (s *State) procresize(op Op) (Result, error) { return s.procresizeAction(op, false) }

// procresizeAction is procresize, once every P has stopped for the
// controller's stop-the-world; with oneStep (the spec's tests only, see
// ctlStopRefusal) in a one-step stop-the-world instead.
func (s *State) procresizeAction(op Op, oneStep bool) (Result, error) {
	r := NewResult()
	n := int(op.N)
	if why := s.ctlStopRefusal(oneStep); why != "" {
		return r, s.disabled(op, why)
	}
	if why := s.actionRefusal(OpProcResize, n); why != "" {
		return r, s.disabled(op, why)
	}
	if oneStep {
		for i := n; i < len(s.Ps); i++ {
			if st := s.Ps[i].Status; st == PRunning || st == PHandoff {
				// The one-step stop-the-world stops no M.
				return r, s.disabled(op, "P"+itoa(int64(i))+" is in use")
			}
		}
	}
	for i := n; i < len(s.Ps); i++ {
		pp := &s.Ps[i]
		if pp.Status == PDead {
			continue
		}
		// globrunqputhead of the ring from its tail, then of runnext.
		for g := s.RunqDestroyPop(int8(i)); g != None; g = s.RunqDestroyPop(int8(i)) {
			s.GlobrunqPutHead(g)
		}
		s.gfpurge(int8(i))
		pp.Status = PDead
		pp.M = None
		pp.OldM = None
	}
	for i := 0; i < n; i++ {
		if s.Ps[i].Status == PDead {
			s.Ps[i].Status = PIdle
		}
	}
	for i := range s.Ms {
		// An M that dropped its P while spinning and has yet to
		// recheck holds findRunnable's allp snapshot, taken before
		// the drop (mp.snapshotAllp, proc.go:3587): checkRunqsNoP
		// reads its Ps, not the new GOMAXPROCS's ("everything up to
		// cap(allp) is immutable"; a shrink leaves the destroyed Ps in
		// it, dead and empty). Past checkRunqsNoP (Stopping: its
		// checkIdleGCNoP step) it reads allp no more.
		if m := &s.Ms[i]; m.Recheck && !m.Stopping {
			snap := m.AllpLen
			if snap == 0 {
				snap = int8(s.Sched.GoMaxProcs)
			}
			if int(snap) == n {
				snap = 0
			}
			m.AllpLen = snap
		}
	}
	s.Sched.GoMaxProcs = int32(n)
	return r, s.restart(oneStep)
}

// restart is startTheWorldWithSema after the controller's action:
// procresize's hand-out of the stopped Ps (restartWorld), then the
// controller's wakep; after the tests' one-step stop-the-world, the idle
// list rebuilt, then the wakep.
func (s *State) restart(oneStep bool) error {
	if !oneStep {
		return s.restartWorld()
	}
	s.relistIdle()
	s.startTheWorld()
	return nil
}

// startTheWorld leaves the controller owing startTheWorldWithSema's wakep
// (Sched.CtlWakeP; see ctlWakep), which follows procresize's hand-out.
func (s *State) startTheWorld() {
	s.Sched.CtlWakeP = true
}

// ctlBusyRefusal is why a stop-the-world waits for the controller's
// wakep: it runs under acquirem on the M that restarted the world, which
// the next stopTheWorld cannot preempt before its releasem.
const ctlBusyRefusal = "the controller's wakep after the last stop-the-world comes first (startTheWorldWithSema)"

// gcToggle models a GC cycle's start (gcStart: gcResetMarkState zeroes
// every G's gcAssistBytes (mgc.go:819, 2113-2119) with the world still
// running ("safe to do without the world stopped", mgc.go:2106), which the
// spec makes one step with what follows the stop-the-world:
// gcController.startCycle zeroes bgScanCredit (mgc.go:881,
// mgcpacer.go:390), then gcBlackenEnabled = 1 (mgc.go:933)) and end (gcMarkDone, with the
// world stopped: gcComputeStartingStackSize (mgc.go:1140), which may set
// startingStackSize to op.Size, a power of two from the average scanned
// stack (stack.go:1421; 0 keeps it), then gcBlackenEnabled = 0). Only
// there does startingStackSize change: the GC's end is the one caller of
// gcComputeStartingStackSize. Marking cannot end before markrootFreeGStacks
// has run: it is a root job, and gcMarkDone ends the mark phase only once
// every worker is idle and no mark work is left (gcIsMarkDone:
// `work.nwait == work.nproc && !gcMarkWorkAvailable()`, mgc.go:1927, with
// a root job unclaimed counted as work), so a worker still inside it holds
// the end back (gcMark's panic "non-empty mark queue after concurrent
// mark" checks only that every root job was claimed).
func (s *State) gcToggle(op Op) (Result, error) { return s.gcAction(op, false) }

// gcAction is gcToggle, once every P has stopped for the controller's
// stop-the-world; with oneStep (the spec's tests only, see
// ctlStopRefusal) in a one-step stop-the-world instead.
func (s *State) gcAction(op Op, oneStep bool) (Result, error) {
	r := NewResult()
	on := op.N != 0
	if why := s.ctlStopRefusal(oneStep); why != "" {
		return r, s.disabled(op, why)
	}
	if why := s.actionRefusal(OpGC, b2i(on)); why != "" {
		return r, s.disabled(op, why)
	}
	if op.Size != 0 {
		// gcComputeStartingStackSize: round2 of an average clamped to
		// [fixedStack, maxstacksize].
		if on {
			return r, s.disabled(op, "only the GC's end (gcMarkDone) sets startingStackSize")
		}
		if !IsStartingStackSize(int64(op.Size)) {
			return r, s.disabled(op, "gcComputeStartingStackSize sets a power of two in [fixedStack, maxstacksize]")
		}
		s.Sched.StartingStackSize = op.Size
	}
	if on {
		for i := range s.Gs {
			s.Gs[i].GCAssist = 0
		}
		s.Sched.BgScanCredit = 0
	}
	s.Sched.GCBlacken = on
	s.Sched.FreeGStacksDone = false
	// gcStart and gcMarkTermination restart the world:
	// startTheWorldWithSema -> procresize(gomaxprocs), then wakep.
	return r, s.restart(oneStep)
}

// ctlStopRefusal is why the controller's action (gc, procresize) cannot
// be made now whatever it is, or "": it needs its stop-the-world
// (OpStopTheWorld) to have stopped every P. With oneStep the action is
// instead one step with the world stopped at once, every M where it is,
// none preempted: the stop-the-world the spec modelled before its
// protocol, which Apply never takes and Enabled never offers; the spec's
// tests use it (helpers_test.go oneStepAction) to reach a GC phase or a
// GOMAXPROCS without stopping every M. It waits for the controller's
// wakep after the last stop-the-world.
func (s *State) ctlStopRefusal(oneStep bool) string {
	switch {
	case oneStep && s.Sched.GCWaiting:
		return "a stop-the-world is under way"
	case oneStep && s.ctlBusy():
		return ctlBusyRefusal
	case oneStep:
		return ""
	case !s.Sched.GCWaiting:
		return "no stop-the-world has stopped the world (stoptheworld first)"
	case !s.worldStopped():
		return "the world is not stopped yet (stopwait " + itoa(int64(s.StopWait())) + ")"
	}
	return ""
}

// markrootFreeGStacks models the first half of mgcmark.go
// markrootFreeGStacks, the root job fixedRootFreeGStacks that every mark
// phase runs once: under sched.gFree.lock it takes the whole
// sched.gFree.stack list (`list := sched.gFree.stack; sched.gFree.stack =
// gList{}`: the size goes with it), then, with the lock dropped, it
// stackfrees every G's stack (stack.lo = stack.hi = 0). Result.Value is
// the number of stacks freed. An empty list ends the job there
// (`if list.empty() { return }`); otherwise the Gs stay detached, dead
// and on neither global list, until markrootFreeGStacksPush.
//
// It is an op of its own, not part of the GC-on toggle, because in the
// runtime it runs concurrently with the mutators: a mark worker or an assist
// claims the job (gcNextMarkRoot) at any time between gcStart's
// gcBlackenEnabled = 1 and the end of marking, so gfput's spills may add Gs
// to the stack list before it runs and gfget may reuse their stacks first.
// The actor is the Controller, the spec's non-M actor: the job touches no
// P and no M. Its two lock sections are two steps because the runtime's
// window between them is observable: a gfget that refills then finds the
// detached Gs on neither list, and a spill may push new ones onto the
// stack list, which this cycle's job no longer frees.
func (s *State) markrootFreeGStacks(op Op) (Result, error) {
	r := NewResult()
	sc := &s.Sched
	if !sc.GCBlacken {
		return r, s.disabled(op, "the GC is not marking")
	}
	if sc.GCWaiting {
		// In the runtime a worker in gcDrain may still claim a root job
		// after gcwaiting is set, until preemptall reaches its P
		// (mgcmark.go:1279); the spec's only stop-the-world while the GC
		// marks is gc-off's, which needs the job done, so nothing is lost.
		return r, s.disabled(op, "a stop-the-world is under way (the spec's, gc off, comes after every root job)")
	}
	if sc.FreeGStacksDone {
		return r, s.disabled(op, "markrootFreeGStacks already ran in this mark phase")
	}
	sc.FreeGStacksDone = true
	r.Value = s.markrootTake()
	return r, nil
}

// markrootTake detaches sched.gFree.stack and frees the stacks of its Gs;
// it returns how many it took.
func (s *State) markrootTake() int64 {
	sc := &s.Sched
	n := int64(len(sc.GFreeStack))
	for _, g := range sc.GFreeStack {
		s.Gs[g].Stack = 0
	}
	sc.GFreeDetached = append(sc.GFreeDetached[:0], sc.GFreeStack...)
	sc.GFreeStack = sc.GFreeStack[:0]
	sc.GFreeStackSize = 0
	return n
}

// markrootFreeGStacksPush models the second half of markrootFreeGStacks:
// under sched.gFree.lock again, `sched.gFree.noStack.pushAll(q)` with q
// the detached list in its order (head..tail), so the list's head becomes
// noStack's head; noStack's size grows by the list's. Result.Value is the
// number of Gs pushed.
func (s *State) markrootFreeGStacksPush(op Op) (Result, error) {
	r := NewResult()
	if len(s.Sched.GFreeDetached) == 0 {
		return r, s.disabled(op, "markrootFreeGStacks holds no detached list")
	}
	r.Value = s.markrootPush()
	return r, nil
}

func (s *State) markrootPush() int64 {
	sc := &s.Sched
	n := len(sc.GFreeDetached)
	// Both lists keep their head at the end of the slice: the detached
	// list's head..tail before noStack's old head is the append.
	sc.GFreeNoStack = append(sc.GFreeNoStack, sc.GFreeDetached...)
	sc.GFreeNoStackSize += int32(n)
	sc.GFreeDetached = sc.GFreeDetached[:0]
	return int64(n)
}
