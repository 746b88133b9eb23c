package spec

// The run-queue sub-machine: each P's runnext and ring (P.Runnext,
// P.Ring) and the global queue (Sched.Runq). Step's transitions that
// queue or take Gs (runqput in newproc and ready, schedule's sources,
// gosched, exitsyscallNoP, procresize's p.destroy) are built from these
// functions, and so is the judge of the real runtime's run-queue records
// (gexit runtime): it replays them on a State of which only the run
// queues are used, checking the lock-free per-P operations for
// linearizability (one function per atomic step of the runtime) and the
// global queue's in their exact order (sched.lock).
//
// The runtime functions are split where their atomic steps are, so that a
// judge of concurrent histories can place each step on its own:
//   - runqput: the CAS on pp.runnext (RunqPutNext), then the store of the
//     ring's tail (RunqPutRing), or, with a full ring, runqputslow: the CAS
//     on runqhead that takes half the ring (RunqputslowTake), then, under
//     sched.lock, globrunqputbatch of that half and the G (GlobrunqPutBatch);
//   - runqsteal: runqgrab's CAS on the victim's runqhead (RunqGrabRing) or
//     on its runnext (RunqGrabNext), then the store of the thief's tail
//     (RunqStealPut);
//   - findRunnable's global batch: globrunqgetbatch under sched.lock
//     (GlobrunqGetBatch), then runqputbatch's store of the tail
//     (RunqPutBatch);
//   - p.destroy: one G at a time from the ring's tail, then runnext
//     (RunqDestroyPop), each pushed at the global queue's head
//     (GlobrunqPutHead).
//
// None of these functions reads or writes a G (only queue membership):
// the judge's projection has no Gs, and a G is an opaque int32 to them.
//
// The constants are Consts.RunqSize (runtime2.go `runq [256]guintptr`;
// runqputslow moves len(pp.runq)/2) and the global batch bound
// findRunnable passes to globrunqgetbatch, int32(len(pp.runq))/2
// (RunqSize/2), which globrunqgetbatch lowers to
// min(n, sched.runq.size, sched.runq.size/gomaxprocs+1) with gomaxprocs
// the number of Ps that are not dead (Sched.GoMaxProcs).

// RunqPutNext models runqput's `pp.runnext.cas(oldnext, gp)`: g takes
// runnext and the old runnext is returned (None when there was none); the
// caller kicks it to the ring (RunqPutRing). Executed by the P's owner.
func (s *State) RunqPutNext(pi int8, g int32) (old int32) {
	pp := &s.Ps[pi]
	old = pp.Runnext
	pp.Runnext = g
	return old
}

// RunqPutRing models runqput's store at the ring's tail
// (`pp.runq[t%len].set(gp); atomic.StoreRel(&pp.runqtail, t+1)`) when
// t-h < len(pp.runq); it returns false, changing nothing, when the ring
// is full (runqput then calls runqputslow). Executed by the P's owner.
func (s *State) RunqPutRing(pi int8, g int32) bool {
	pp := &s.Ps[pi]
	if len(pp.Ring) >= s.Cfg.Consts.RunqSize {
		return false
	}
	pp.Ring = append(pp.Ring, g)
	return true
}

// RunqputslowTake models runqputslow up to its CAS on runqhead: the first
// half of the full ring leaves it, appended to dst (head first). The
// runtime throws "runqputslow: queue is not full" when the half it
// computes is not len(pp.runq)/2. The batch and the G that did not fit go
// to the global queue's tail next (GlobrunqPutBatch); Step holds them in
// P.SlowBatch in between (runqput ends there, runqputslowpush pushes).
func (s *State) RunqputslowTake(pi int8, dst []int32) ([]int32, error) {
	pp := &s.Ps[pi]
	n := len(pp.Ring) / 2
	if n != s.Cfg.Consts.RunqSize/2 {
		return dst, throwf(ThrowRunqputslow, "runqputslow")
	}
	dst = append(dst, pp.Ring[:n]...)
	pp.Ring = pp.Ring[n:]
	return dst, nil
}

// RunqGet models runqget: runnext first (the G inherits the time slice),
// else the ring's head; None when both are empty. Executed by the P's
// owner.
func (s *State) RunqGet(pi int8) (g int32, inheritTime bool) {
	pp := &s.Ps[pi]
	if g = pp.Runnext; g != None {
		pp.Runnext = None
		return g, true
	}
	if len(pp.Ring) == 0 {
		return None, false
	}
	g = pp.Ring[0]
	pp.Ring = pp.Ring[1:]
	return g, false
}

// RunqGrabRing models runqgrab on the victim's ring: n - n/2 of its n Gs
// from the head, appended to dst, with its CAS on runqhead; nothing when
// the ring is empty (runqgrab then may try runnext: RunqGrabNext). Any P
// may execute it.
func (s *State) RunqGrabRing(vi int8, dst []int32) []int32 {
	n := s.RunqGrabSize(vi)
	if n == 0 {
		return dst
	}
	vp := &s.Ps[vi]
	dst = append(dst, vp.Ring[:n]...)
	vp.Ring = vp.Ring[n:]
	return dst
}

// RunqGrabSize is how many Gs runqgrab takes from the victim's ring as
// it stands: `n := t - h; n = n - n/2`. Zero means runqgrab finds the
// ring empty (and returns 0 unless it steals runnext).
func (s *State) RunqGrabSize(vi int8) int {
	n := len(s.Ps[vi].Ring)
	return n - n/2
}

// RunqGrabNext models runqgrab's steal of the victim's runnext
// (`pp.runnext.cas(next, 0)`, with stealRunNextG): it returns the G, or
// None. runqgrab tries it when it found the ring empty; the ring is read
// first and runnext later, and runqput kicks the old runnext to the ring
// after its CAS, so the ring may hold Gs again when the CAS succeeds: the
// function does not look at the ring.
func (s *State) RunqGrabNext(vi int8) int32 {
	vp := &s.Ps[vi]
	g := vp.Runnext
	vp.Runnext = None
	return g
}

// RunqStealPut models runqsteal after runqgrab: of the grabbed batch
// (head first), the last G is returned to run and the others are
// published at the thief's tail; the runtime throws "runqsteal: runq
// overflow" when they do not fit (t-h+n >= len(pp.runq)). Executed by the
// thief, the P's owner.
func (s *State) RunqStealPut(pi int8, batch []int32) (int32, error) {
	if len(batch) == 0 {
		return None, nil
	}
	n := len(batch) - 1
	if err := s.runqstealPublish(pi, batch[:n]); err != nil {
		return None, err
	}
	return batch[n], nil
}

// runqstealPublish is runqsteal's end for the Gs runqgrab took but the
// last: `if t-h+n >= uint32(len(pp.runq)) { throw("runqsteal: runq
// overflow") }; atomic.StoreRel(&pp.runqtail, t+n)`.
func (s *State) runqstealPublish(pi int8, q []int32) error {
	pp := &s.Ps[pi]
	if len(q) != 0 && len(pp.Ring)+len(q) >= s.Cfg.Consts.RunqSize {
		return throwf(ThrowRunqOverflow, "runqsteal")
	}
	pp.Ring = append(pp.Ring, q...)
	return nil
}

// RunqPutBatch models runqputbatch: the Gs of q, in order, at the ring's
// tail while it has room. It returns how many it put; the rest stay on
// the caller's queue (findRunnable throws "Couldn't put Gs into empty
// local runq" then, injectglist puts them on the global queue). Executed
// by the P's owner.
func (s *State) RunqPutBatch(pi int8, q []int32) int {
	pp := &s.Ps[pi]
	n := min(len(q), max(s.Cfg.Consts.RunqSize-len(pp.Ring), 0))
	pp.Ring = append(pp.Ring, q[:n]...)
	return n
}

// RunqDrain models runqdrain: runnext, then the whole ring, appended to
// dst in that order (the caller puts them on the global queue with
// globrunqputbatch). Executed by the P's owner.
func (s *State) RunqDrain(pi int8, dst []int32) []int32 {
	pp := &s.Ps[pi]
	if pp.Runnext != None {
		dst = append(dst, pp.Runnext)
		pp.Runnext = None
	}
	dst = append(dst, pp.Ring...)
	pp.Ring = pp.Ring[:0]
	return dst
}

// RunqDestroyPop models one turn of p.destroy's moves (the world is
// stopped): the ring's tail (`pp.runqtail--`) while the ring is not
// empty, then runnext; None when both are empty. Each G is pushed at the
// global queue's head (GlobrunqPutHead), so the global queue ends up with
// runnext, then the ring from head to tail, before its old head.
func (s *State) RunqDestroyPop(pi int8) int32 {
	pp := &s.Ps[pi]
	if n := len(pp.Ring); n != 0 {
		g := pp.Ring[n-1]
		pp.Ring = pp.Ring[:n-1]
		return g
	}
	g := pp.Runnext
	pp.Runnext = None
	return g
}

// GlobrunqPut models globrunqput: g at the global queue's tail
// (sched.runq.pushBack). sched.lock is held.
func (s *State) GlobrunqPut(g int32) {
	s.Sched.Runq = append(s.Sched.Runq, g)
}

// GlobrunqPutHead models globrunqputhead: g at the global queue's head
// (sched.runq.push). sched.lock is held.
func (s *State) GlobrunqPutHead(g int32) {
	sc := &s.Sched
	sc.Runq = append(sc.Runq, None)
	copy(sc.Runq[1:], sc.Runq)
	sc.Runq[0] = g
}

// GlobrunqPutBatch models globrunqputbatch: the batch, in order, at the
// global queue's tail (sched.runq.pushBackAll). sched.lock is held.
func (s *State) GlobrunqPutBatch(batch []int32) {
	s.Sched.Runq = append(s.Sched.Runq, batch...)
}

// GlobrunqGet models globrunqget: the global queue's head, or None when
// it is empty. sched.lock is held.
func (s *State) GlobrunqGet() int32 {
	sc := &s.Sched
	if len(sc.Runq) == 0 {
		return None
	}
	g := sc.Runq[0]
	sc.Runq = sc.Runq[1:]
	return g
}

// GlobrunqGetBatch models globrunqgetbatch(n): with the queue's size
// lowered to min(n, size, size/gomaxprocs+1) Gs, the first is returned
// and the others are appended to dst, in order, for the caller's
// runqputbatch; None when the queue is empty. sched.lock is held.
func (s *State) GlobrunqGetBatch(n int, dst []int32) (int32, []int32) {
	sc := &s.Sched
	size := len(sc.Runq)
	if size == 0 {
		return None, dst
	}
	n = min(n, size, size/int(max(sc.GoMaxProcs, 1))+1)
	gp := sc.Runq[0]
	dst = append(dst, sc.Runq[1:n]...)
	sc.Runq = sc.Runq[n:]
	return gp, dst
}

// GlobrunqBatchMax is the n findRunnable passes to globrunqgetbatch:
// int32(len(pp.runq)) / 2.
func (s *State) GlobrunqBatchMax() int { return s.Cfg.Consts.RunqSize / 2 }
