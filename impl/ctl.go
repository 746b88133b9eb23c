package impl

import "runtime"

// sysmon is the sysmon thread, reduced to retake: whenever a P's M has
// its G in a syscall, retake it (up to budget retakes).
func (s *sched) sysmon(a *actor, budget int) {
	for n := 0; n < budget; {
		if !a.safepoint() {
			return
		}
		if !a.waitUntil(func() bool { return !s.stw.Load() && s.someSyscallP() }) {
			return
		}
		n += s.retake(a)
		if !s.det && n < budget {
			runtime.Gosched()
		}
	}
}

func (s *sched) someSyscallP() bool {
	for _, pp := range s.ps {
		if pp.status.Load() != pRunning {
			continue
		}
		if mp := pp.m.Load(); mp != nil {
			if gp := mp.curg.Load(); gp != nil && gp.status.Load() == gSyscall {
				return true
			}
		}
	}
	return false
}

// retake (proc.go:6630-6720): for each running P whose M's G is in a
// syscall, block the G's exitsyscall (setBlockOnExitSyscall: the scan
// bit), take the P (takeP; the M's oldp is the P since entersyscall) and
// handoffp it, then let the G go.
func (s *sched) retake(a *actor) int {
	n := 0
	for _, pp := range s.ps {
		if pp.status.Load() != pRunning {
			continue
		}
		mp := pp.m.Load()
		if mp == nil {
			continue
		}
		gp := mp.curg.Load()
		if gp == nil || gp.status.Load() != gSyscall {
			continue
		}
		a.sp()
		r := a.begin(opRetake)
		th, ok := s.setBlockOnExitSyscall(pp)
		if !ok {
			continue
		}
		s.lockSched(a)
		rp, msg := s.takePLocked(th)
		if msg == "" {
			msg = s.handoffpLocked(rp)
		}
		s.unlockSched(a)
		th.resume()
		r.in, r.val = pp.id, int64(th.mp.id)
		r.flags |= flHandedOff
		a.branch(brHandoff)
		if msg != "" {
			a.throwOp(&r, msg)
			return n
		}
		a.commit(&r)
		n++
	}
	return n
}

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

// controller runs the world-stopping script: procresize, gc, stacksize;
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
		return c.Arg >= 1 && c.Arg <= len(s.ps) && int32(c.Arg) != s.gomaxprocs.Load()
	case CtlGC:
		// Marking ends only once every root job ran (gcMarkDone).
		on := c.Arg != 0
		return on != s.gcBlacken.Load() && (on || s.freeGStacksDone.Load() && s.gFreeDetached.head == nil)
	case CtlStackSize:
		return c.Arg >= stackMin && c.Arg&(c.Arg-1) == 0 && int32(c.Arg) != s.startingStackSize.Load()
	}
	return false
}

// psUnowned: the Ps procresize(n) destroys are not running.
func (s *sched) psUnowned(n int) bool {
	for i := n; i < len(s.ps); i++ {
		if st := s.ps[i].status.Load(); st == pRunning || st == pHandoff {
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
		}
		s.gcBlacken.Store(on)
		s.freeGStacksDone.Store(false)
		s.startTheWorld(a)
		a.commit(&r)
	case CtlStackSize:
		r := a.begin(opStackSize)
		r.in, r.val = int32(c.Arg), int64(c.Arg)
		s.startingStackSize.Store(int32(c.Arg))
		s.startTheWorld(a)
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

// markrootFreeGStacks (mgcmark.go), the root job fixedRootFreeGStacks of
// every mark phase, in the runtime's two sched.gFree.lock sections, each
// an op: take sched.gFree.stack (the list and its size), then, unlocked,
// stackfree each G's stack; if the list was not empty, take the lock again
// and push the whole list, in its order, at the head of
// sched.gFree.noStack (gList.pushAll). Between the two the Gs are dead
// and on neither global list, and the Ms run on.
func (s *sched) markrootFreeGStacks(a *actor) bool {
	if n := s.markrootTake(a); n == 0 {
		return true // if list.empty() { return }
	}
	if !a.safepoint() {
		return false
	}
	s.markrootPush(a)
	return true
}

// markrootTake is markrootFreeGStacks's first lock section and the stack
// frees after it; it returns the number of Gs taken.
func (s *sched) markrootTake(a *actor) int {
	r := a.begin(opMarkrootFreeGStacks)
	a.lock(&s.gFreeLock)
	q := gQueue{head: s.gFreeStack.head.Load(), size: s.gFreeStack.size}
	s.gFreeStack.head.Store(nil)
	s.gFreeStack.size = 0
	s.freeGStacksDone.Store(true)
	// The runtime keeps the list in a local; impl publishes it (under the
	// lock, for snapshots) as the job's detached list.
	s.gFreeDetached = q
	a.unlock(&s.gFreeLock)
	n := 0
	for gp := q.head; gp != nil; gp = gp.schedlink {
		s.gFreeDetached.tail = gp // the controller's own field
		gp.stack = 0              // stackfree; stack.lo = stack.hi = 0
		n++
	}
	r.val = int64(n)
	a.commit(&r)
	return n
}

// markrootPush is the second lock section: noStack.pushAll(q).
func (s *sched) markrootPush(a *actor) {
	r := a.begin(opMarkrootFreeGStacksPush)
	a.lock(&s.gFreeLock)
	q := s.gFreeDetached
	s.gFreeNoStack.pushAll(q)
	s.gFreeDetached = gQueue{}
	a.unlock(&s.gFreeLock)
	r.val = int64(q.size)
	a.commit(&r)
}

// procresize (proc.go) under stop-the-world: p.destroy for Ps >= n (run
// queue to the global head, runnext first; gfpurge; dead), dead Ps < n
// become idle, and the idle list is rebuilt in procresize's order.
func (s *sched) procresize(n int) {
	for i := n; i < len(s.ps); i++ {
		pp := s.ps[i]
		if pp.status.Load() == pDead {
			continue
		}
		var q gQueue
		if rn := pp.runnext.Swap(nil); rn != nil {
			q.pushBack(rn)
		}
		h, t := pp.runqhead.Load(), pp.runqtail.Load()
		for ; h != t; h++ {
			q.pushBack(pp.runq[h%s.n].Load())
		}
		pp.runqhead.Store(t)
		if q.head != nil {
			// globrunqputhead of the batch.
			s.lock.Lock()
			q.tail.schedlink = s.runq.head
			if s.runq.tail == nil {
				s.runq.tail = q.tail
			}
			s.runq.head = q.head
			s.runq.size += q.size
			s.runqSize.Add(q.size)
			s.lock.Unlock()
		}
		if !s.f.procresizeNoGfpurge {
			s.gfpurge(pp)
		}
		pp.status.Store(pDead)
		pp.m.Store(nil)
	}
	for i := 0; i < n && i < len(s.ps); i++ {
		if s.ps[i].status.Load() == pDead {
			s.ps[i].status.Store(pIdle)
		}
	}
	s.gomaxprocs.Store(int32(n))
	s.lock.Lock()
	s.relistIdleLocked()
	s.lock.Unlock()
}
