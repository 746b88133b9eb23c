package impl

// runqput (proc.go) by the P's owner. With next, gp takes runnext by the
// CAS `pp.runnext.cas(oldnext, gp)` (retried when a thief's runqgrab
// cleared runnext in between); an old runnext it kicked out becomes the
// M's (mp.kicked, the runtime's local gp = oldnext.ptr()), and the M's
// next op, runqputKick, stores it at the ring's tail. The CAS and the
// ring's store are separate linearization points, and a thief may run
// between them and find the kicked G in neither place, as in the
// runtime. Without next the G goes to the ring's tail (runqputRing).
func (mp *m) runqput(pp *p, gp *g, next bool) (kicked int32, slow bool, throw string) {
	if mp.s.cfg.Wasm {
		next = false // !haveSysmon
	}
	if !next {
		slow, throw = mp.runqputRing(pp, gp)
		return -1, slow, throw
	}
	for {
		old := pp.runnext.Load()
		if old != nil {
			// Only the owner makes runnext non-nil: a CAS from nil
			// cannot lose, so only this one is a window.
			mp.sp()
		}
		if pp.runnext.CompareAndSwap(old, gp) {
			if old == nil {
				return -1, false, ""
			}
			mp.branch(brKick)
			mp.kicked = old
			return old.idx, false, ""
		}
		// A thief took the old runnext (runqgrab's stealRunNextG):
		// retryNext.
		mp.branch(brRunnextLost)
	}
}

// runqputKick is runqput after its CAS kicked an old runnext out,
// recorded as its own op (runqputkick): `gp = oldnext.ptr()`, then the
// `retry:` loop's store at the ring's tail, or runqputslow with a full
// ring (whose push is then the M's next op). The M makes it next after
// the runqput or ready whose CAS kicked the G; between the two, other
// actors run.
func (mp *m) runqputKick() {
	r := mp.begin(opRunqputKick)
	gp := mp.kicked
	mp.kicked = nil
	r.g = gp.idx
	slow, msg := mp.runqputRing(mp.p.Load(), gp)
	if slow {
		r.flags |= flSlow
	} else {
		// runqput returns to newproc, ready or goschedImpl, which call
		// wakep: the M's next op (after a runqputslow, its push's).
		mp.afterRunqput()
	}
	if msg != "" {
		mp.throwOp(&r, msg)
		return
	}
	mp.commit(&r)
}

// runqputRing is runqput's ring half: store at tail and publish with a
// store-release of runqtail; a full ring goes through runqputslow. A
// throw's message is returned to the op, which records it.
func (mp *m) runqputRing(pp *p, gp *g) (slow bool, throw string) {
	n := mp.s.n
	for {
		h := pp.runqhead.Load() // load-acquire, synchronize with consumers
		t := pp.runqtail.Load()
		if t-h < n {
			if mp.s.f.runqputPublishesFirst {
				pp.runqtail.Store(t + 1)
				mp.sp()
				pp.runq[t%n].Store(gp)
				return false, ""
			}
			pp.runq[t%n].Store(gp)
			// A scheduling point between the slot and its publication,
			// so that a put that publishes the tail first (a thief then
			// reads a slot not yet written) shows in every mode.
			mp.sp()
			pp.runqtail.Store(t + 1) // store-release, makes the item available
			return false, ""
		}
		if ok, throw := mp.runqputslow(pp, gp, h, t); ok || throw != "" {
			return true, throw
		}
		mp.branch(brCasRetry)
		// The queue is not full now; the put above must succeed.
	}
}

// runqputslow (proc.go), its first half: the CAS on runqhead takes the
// first half of the full ring, and with the G that did not fit it becomes
// the M's batch (mp.slowq, the runtime's local gQueue q), runnable and on
// no queue. The second half, `lock(&sched.lock); globrunqputbatch(&q)`,
// is the M's next op (runqputslowPush). It reports false when the CAS
// lost (a consumer moved runqhead: retry the put), or the throw
// "runqputslow: queue is not full".
func (mp *m) runqputslow(pp *p, gp *g, h, t uint32) (bool, string) {
	s := mp.s
	n := (t - h) / 2
	if s.f.throwOutsideOp && n != s.n {
		// The planted bug: a wrong "queue is not full" check (against the
		// whole ring, not half), and its throw raised straight through the
		// scheduler instead of returned to the op, so the runqput commits
		// as if the put succeeded.
		s.throw(&mp.actor, throwRunqputslow)
		return true, ""
	}
	if n != s.n/2 {
		return false, throwRunqputslow
	}
	batch := mp.batch[:0]
	for i := uint32(0); i < n; i++ {
		batch = append(batch, pp.runq[(h+i)%s.n].Load())
	}
	mp.sp()
	if !pp.runqhead.CompareAndSwap(h, h+n) { // cas-release, commits consume
		return false, ""
	}
	if !s.f.runqputslowDropNew {
		batch = append(batch, gp)
	}
	// Link the goroutines: the CAS made them this M's, so their
	// schedlinks are its to write until the push publishes them under
	// sched.lock.
	var q gQueue
	for _, g1 := range batch {
		q.pushBack(g1)
	}
	mp.slowq = q
	if s.f.runqputslowNoLock {
		// The planted bug's unlocked read of sched.runq's tail (see
		// globrunqputbatchNoLock), made before the M can be descheduled.
		s.lockSched(&mp.actor)
		mp.slowTail = s.runq.tail
		s.unlockSched(&mp.actor)
	}
	mp.branch(brRunqputslow)
	return true, ""
}

// runqputslowPush is runqputslow's second half, recorded as its own op
// (runqputslowpush): `lock(&sched.lock); globrunqputbatch(&q);
// unlock(&sched.lock)` of the batch its CAS took, at the global queue's
// tail (gQueue.pushBackAll). The M makes it next after the runqput or
// ready that took the batch; between the two, other actors run.
func (mp *m) runqputslowPush() {
	s := mp.s
	r := mp.begin(opRunqputslowPush)
	q := mp.slowq
	if s.f.runqputslowNoLock {
		mp.globrunqputbatchNoLock(q)
	} else {
		s.lockSched(&mp.actor)
		s.globrunqputbatchLocked(q)
		mp.slowq = gQueue{}
		s.unlockSched(&mp.actor)
	}
	r.val = int64(q.size)
	if mp.yieldSlow {
		// goyield_m's runqput returns to it, and it calls schedule:
		// no wakep; a locked M's stoplockedm is its next op.
		mp.yieldSlow = false
		mp.afterDeschedule()
		mp.commit(&r)
		return
	}
	// runqput returns to newproc, ready or goschedImpl, which call
	// wakep: the M's next op.
	mp.afterRunqput()
	mp.commit(&r)
}

// globrunqputbatchLocked (proc.go globrunqputbatch): q at the global
// queue's tail, in order. sched.lock is held.
func (s *sched) globrunqputbatchLocked(q gQueue) {
	if q.head == nil {
		return
	}
	if s.runq.tail != nil {
		s.runq.tail.schedlink = q.head
	} else {
		s.runq.head = q.head
	}
	s.runq.tail = q.tail
	s.runq.size += q.size
	s.runqSize.Add(q.size)
}

// globrunqputbatchNoLock is the fault runqputslow-no-lock: runqputslow's
// globrunqputbatch without sched.lock, as runqputbatch called it in Go
// 1.15 (golang/go#40457). Unlocked, sched.runq.pushBackAll reads the
// queue's tail, then writes the tail's link (or the head, for an empty
// queue), the tail and the size, and nothing keeps the other Ms' locked
// puts and gets out in between: with no lock anywhere after its CAS,
// runqputslow can be descheduled between the read and the writes.
// Modelled race-detector clean as the lost updates that race makes: the
// read in one critical section right after the CAS (runqputslow, into
// mp.slowTail), the M's scheduling points (the loop's between the two
// ops, and one more here), the write in a second critical section, from
// what was read:
//   - the tail read is still on the queue: the batch is linked after it,
//     so whatever another M put after it since is unlinked (lost);
//   - the queue was empty: the batch becomes the whole queue, so whatever
//     was put since is lost;
//   - the tail read was taken off the queue since (a get): the batch is
//     linked after a G that is no longer queued, so the batch is lost
//     (the runtime also points sched.runq.tail into it; here the queue
//     is left as it is).
//
// Only Gs the queue or the batch hold are written, and the queue stays
// well formed (its size counts its list), so the other Ms run on.
func (mp *m) globrunqputbatchNoLock(q gQueue) {
	s := mp.s
	tail := mp.slowTail
	mp.slowTail = nil
	mp.sp()
	s.lockSched(&mp.actor)
	var kept int32 // the queue's Gs up to the tail read
	for g1 := s.runq.head; tail != nil && g1 != nil; g1 = g1.schedlink {
		kept++
		if g1 == tail {
			break
		}
		if g1.schedlink == nil {
			kept = -1 // the tail read is no longer queued
		}
	}
	switch {
	case tail == nil:
		s.runq = q
	case kept > 0:
		tail.schedlink = q.head
		s.runq.tail = q.tail
		s.runq.size = kept + q.size
	}
	s.runqSize.Store(s.runq.size)
	mp.slowq = gQueue{}
	s.unlockSched(&mp.actor)
}

// runqget (proc.go) by the owner: runnext first (a failed CAS means a
// thief took it; no retry), then the ring head with CAS.
func (mp *m) runqget(pp *p) (*g, bool) {
	next := pp.runnext.Load()
	if next != nil {
		mp.sp()
		if pp.runnext.CompareAndSwap(next, nil) {
			return next, true
		}
		mp.branch(brRunnextLost)
	}
	for {
		h := pp.runqhead.Load() // load-acquire, synchronize with other consumers
		t := pp.runqtail.Load()
		if t == h {
			return nil, false
		}
		gp := pp.runq[h%mp.s.n].Load()
		mp.sp()
		if mp.s.f.runqgetNoCAS {
			pp.runqhead.Store(h + 1)
			return gp, false
		}
		if pp.runqhead.CompareAndSwap(h, h+1) { // cas-release, commits consume
			return gp, false
		}
		mp.branch(brCasRetry)
	}
}

// runqgrab (proc.go): take the rounded-up half of p2's ring into pp's ring
// starting at slot batchHead, or (stealRunNext, ring empty) p2's runnext.
func (mp *m) runqgrab(p2, pp *p, batchHead uint32, stealRunNext bool) (uint32, bool) {
	s := mp.s
	f := &s.f
	limit := s.n / 2
	if f.stealMoreThanHalf {
		limit = s.n
	}
	for {
		h := p2.runqhead.Load() // load-acquire, synchronize with other consumers
		mp.sp()                 // (another M's get or put may come between the loads)
		t := p2.runqtail.Load() // load-acquire, synchronize with the producer
		n := t - h
		if !f.stealMoreThanHalf {
			n = n - n/2
		}
		if n == 0 {
			if stealRunNext {
				// (The owner may kick its runnext to the ring and set
				// another between the thief's tail load and this one,
				// proc.go runqgrab's window: the thief then steals the
				// new runnext whatever the ring holds.)
				mp.sp()
				if next := p2.runnext.Load(); next != nil {
					// (The runtime's usleep(3) back-off is left out.)
					mp.sp()
					if !f.runnextStolenLeftSet && !p2.runnext.CompareAndSwap(next, nil) {
						mp.branch(brCasRetry)
						continue
					}
					pp.runq[batchHead%s.n].Store(next)
					return 1, true
				}
			}
			return 0, false
		}
		if n > limit { // read inconsistent h and t
			continue
		}
		copyBatch := func() {
			for i := uint32(0); i < n; i++ {
				g1 := p2.runq[(h+i)%s.n].Load()
				pp.runq[(batchHead+i)%s.n].Store(g1)
			}
		}
		if !f.stealCopiesAfterCAS {
			copyBatch()
		}
		mp.sp()
		if f.stealNoCAS {
			p2.runqhead.Store(h + n)
			return n, false
		}
		if p2.runqhead.CompareAndSwap(h, h+n) { // cas-release, commits consume
			// (The slots are p2's owner's again: it may refill them
			// now. A scheduling point, so that a copy made after the
			// CAS, not before it, shows in every mode.)
			mp.sp()
			if f.stealCopiesAfterCAS {
				copyBatch()
			}
			return n, false
		}
		mp.branch(brCasRetry)
	}
}

// runqsteal (proc.go), up to its tail store: runqgrab from p2 into pp's
// ring beyond its tail; the last one taken is returned to run. The others
// (the count returned) are not yet published: runqstealPublish, the
// thief's next op (runqstealTailOwed), makes the store-release of
// pp.runqtail. Returns the G, that count, and whether it was p2's
// runnext.
func (mp *m) runqsteal(pp, p2 *p, stealRunNext bool) (*g, int, bool) {
	s := mp.s
	t := pp.runqtail.Load()
	n, fromNext := mp.runqgrab(p2, pp, t, stealRunNext)
	if n == 0 {
		return nil, 0, false
	}
	n--
	gp := pp.runq[(t+n)%s.n].Load()
	return gp, int(n), fromNext && n == 0
}

// runqstealPublish is runqsteal's end: `h := atomic.LoadAcq(&pp.runqhead);
// if t-h+n >= uint32(len(pp.runq)) { throw("runqsteal: runq overflow") };
// atomic.StoreRel(&pp.runqtail, t+n)`, which makes the n Gs runqgrab
// copied beyond the tail available to consumers. Only pp's owner calls
// it, so the tail is still the t runqgrab copied behind.
func (s *sched) runqstealPublish(pp *p, n int) string {
	t := pp.runqtail.Load()
	h := pp.runqhead.Load()
	if t-h+uint32(n) >= s.n {
		return throwRunqOverflow
	}
	pp.runqtail.Store(t + uint32(n))
	return ""
}

// runqstealTailOwed is runqsteal's tail store after the CAS that took two
// or more (op runqstealtail): the others published, findRunnable returns
// the last, and schedule runs it.
func (mp *m) runqstealTailOwed() {
	s := mp.s
	r := mp.begin(opRunqstealTail)
	pp := mp.p.Load()
	gp, n := mp.stealG, mp.stealN
	mp.stealG, mp.stealN = nil, 0
	r.a, r.val, r.code = pp.id, int64(n), srcSteal
	if msg := s.runqstealPublish(pp, n); msg != "" {
		mp.throwOp(&r, msg)
		return
	}
	mp.runFound(&r, pp, gp, false)
}
