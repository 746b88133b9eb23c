package impl

// The idle P list (proc.go:7361-7420): sched.pidle, linked through
// pp.link, and sched.npidle, both written under sched.lock. The head and
// the count are atomics so that the unlocked reads the runtime makes
// (exitsyscallTryGetP's `sched.pidle != 0`, handoffp's npidle) stay
// race-free. LIFO: pidleget hands out the P pidleput idled last.

// pidleputLocked is pidleput (proc.go:7373-7393) with sched.lock held:
// throw if the P has local work, else push it at the head.
func (s *sched) pidleputLocked(pp *p) string {
	if !pp.runqempty() {
		return throwPidleput
	}
	if pp.idlep.Load() {
		// A P already idle: its idle limiter event is open
		// (`if !pp.limiterEvent.start(limiterEventIdle, now)`).
		return throwPidleputIdle
	}
	pp.status.Store(pIdle)
	pp.m.Store(nil)
	pp.link = s.pidle.Load()
	s.pidle.Store(pp)
	s.npidle.Add(1)
	pp.idlep.Store(true)
	return ""
}

// pidlegetLocked is pidleget (proc.go:7402-7420) with sched.lock held: pop
// the head, or nil. The P stays idle until its taker's acquirep; its link
// is cleared (the runtime leaves it stale).
func (s *sched) pidlegetLocked() *p {
	pp := s.pidle.Load()
	if pp != nil {
		s.pidle.Store(pp.link)
		pp.link = nil
		s.npidle.Add(-1)
		pp.idlep.Store(false)
	}
	return pp
}

// pidleremoveLocked unlinks pp from the middle of the idle list. The
// runtime never does this; only the exitsyscall-prefers-oldp fault needs
// it. It reports whether pp was on the list.
func (s *sched) pidleremoveLocked(pp *p) bool {
	var prev *p
	for q := s.pidle.Load(); q != nil; prev, q = q, q.link {
		if q != pp {
			continue
		}
		if prev == nil {
			s.pidle.Store(q.link)
		} else {
			prev.link = q.link
		}
		q.link = nil
		s.npidle.Add(-1)
		q.idlep.Store(false)
		return true
	}
	return false
}

// relistIdleLocked is the end of procresize, which every stop-the-world
// ends with (startTheWorldWithSema, proc.go:1776): the Ps with empty run
// queues are linked from allp[nprocs-1] down (proc.go:6141-6150) and then
// pidleput from allp[0] up (proc.go:6236-6241), so the highest idle P
// heads the list. Running Ps, and Ps startm gave an M (idle and off the
// list), keep their Ms here (the world stop does not take them away), so
// only the Ps that were on the list, or that procresize brought back
// (marked idlep there), go back.
func (s *sched) relistIdleLocked() {
	s.pidle.Store(nil)
	s.npidle.Store(0)
	for _, pp := range s.ps {
		pp.link = nil
		if pp.status.Load() == pIdle && pp.idlep.Load() {
			pp.link = s.pidle.Load()
			s.pidle.Store(pp)
			s.npidle.Add(1)
		}
	}
}
