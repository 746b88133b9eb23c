// procresize (proc.go): p.destroy, gfpurge, and the idle list rebuilt.

package impl

// procresize (proc.go) under stop-the-world: p.destroy for Ps >= n (run
// queue to the global head, runnext first; gfpurge; dead), dead Ps < n
// become idle. With the world stopped by the protocol the controller's
// startTheWorld then hands the Ps out (restartWorldLocked); called
// without one (unit tests), the idle list is rebuilt in procresize's
// order.
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
	if s.gcwaiting.Load() {
		// The controller's startTheWorld hands the stopped Ps out.
		return
	}
	s.lock.Lock()
	s.relistIdleLocked()
	s.lock.Unlock()
}
