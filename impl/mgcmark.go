// mgcmark.go: markrootFreeGStacks, the mark phase's root job that frees
// the stacks of dead Gs on sched.gFree.stack.

package impl

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
	if s.f.markrootPushToStack {
		s.gFreeStack.pushAll(q)
	} else {
		s.gFreeNoStack.pushAll(q)
	}
	s.gFreeDetached = gQueue{}
	a.unlock(&s.gFreeLock)
	r.val = int64(q.size)
	a.commit(&r)
}
