// procresize (proc.go): p.destroy, gfpurge, and the idle list rebuilt.

package impl

// procresize is procresizeLocked under sched.lock, called without the
// stop-the-world protocol (unit tests): the idle list is then rebuilt in
// procresize's order. With the world stopped by the protocol the
// controller's startTheWorld makes procresizeLocked and the hand-out of
// the Ps in one sched.lock section.
func (s *sched) procresize(n int) {
	s.lock.Lock()
	s.procresizeLocked(n)
	if !s.gcwaiting.Load() {
		s.relistIdleLocked()
	}
	s.lock.Unlock()
}

// procresizeLocked (proc.go) under stop-the-world, with sched.lock held
// as startTheWorldWithSema holds it around procresize (p.destroy's
// globrunqputhead asserts it): p.destroy for Ps >= n (run queue to the
// global head, runnext first; gfpurge, under gFree.lock inside it; dead),
// dead Ps < n become idle.
func (s *sched) procresizeLocked(n int) {
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
			q.tail.schedlink = s.runq.head
			if s.runq.tail == nil {
				s.runq.tail = q.tail
			}
			s.runq.head = q.head
			s.runq.size += q.size
			s.runqSize.Add(q.size)
		}
		if !s.f.procresizeNoGfpurge {
			s.gfpurge(pp)
		}
		pp.status.Store(pDead)
		pp.idlep.Store(false)
		pp.m.Store(nil)
		pp.oldm = nil
	}
	for i := 0; i < n && i < len(s.ps); i++ {
		if s.ps[i].status.Load() == pDead {
			s.ps[i].status.Store(pIdle)
			s.ps[i].idlep.Store(true) // relistIdleLocked's pidleput
		}
	}
	s.gomaxprocs.Store(int32(n))
}
