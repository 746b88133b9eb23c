package spec

// The idle P list: sched.pidle, linked through pp.link, and its length
// sched.npidle (proc.go:7361-7420). Every _Pidle P of the spec is on it
// (the runtime's transient _Pidle Ps off the list, between releasep and
// pidleput or while startm owns one, are inside the spec's atomic steps or
// its PHandoff status). LIFO: the P pidleget hands out is the one
// pidleput idled last, never "the old P if it is idle".

// pidleput models proc.go pidleput (proc.go:7373-7393): throw if the P has
// local work, then push it at the head of the idle list. A P already on
// the list is a throw too: pidleput opens the P's idle limiter event,
// which pidleget closes, and `pp.limiterEvent.start` fails on an open one
// (proc.go:7389-7391, mgclimit.go limiterEvent.start).
func (s *State) pidleput(pi int8) error {
	pp := &s.Ps[pi]
	if pp.Runnext != None || len(pp.Ring) != 0 {
		return throwf(ThrowPidleput, "pidleput")
	}
	for q, n := s.Sched.Pidle, 0; q != None && n <= len(s.Ps); q, n = s.Ps[q].Link, n+1 {
		if q == pi {
			return throwf(ThrowPidleputIdle, "pidleput")
		}
	}
	pp.Status = PIdle
	pp.M = None
	pp.Link = s.Sched.Pidle
	s.Sched.Pidle = pi
	return nil
}

// pidleget models proc.go pidleget (proc.go:7402-7420): pop the head of the
// idle list, or None. The P stays _Pidle until its taker's acquirep. The
// runtime leaves pp.link stale; the spec clears it, so that states that
// differ only there compare equal.
func (s *State) pidleget() int8 {
	pi := s.Sched.Pidle
	if pi != None {
		s.Sched.Pidle = s.Ps[pi].Link
		s.Ps[pi].Link = None
	}
	return pi
}

// npidle is sched.npidle, the length of the idle list.
func (s *State) npidle() int32 {
	n := int32(0)
	for pi := s.Sched.Pidle; pi != None && int(n) <= len(s.Ps); pi = s.Ps[pi].Link {
		n++
	}
	return n
}

// relistIdle rebuilds the idle list the way procresize does at the end of
// every stop-the-world (startTheWorldWithSema calls procresize,
// proc.go:1776): its loop from allp[nprocs-1] down to allp[0] links the Ps
// with empty run queues into idlePs (proc.go:6141-6150), and "any
// remaining Ps are truly idle" pidleputs them from the head of idlePs, P0
// first (proc.go:6236-6241), so the highest idle P heads the list. The
// spec's stop-the-world leaves running and handed-off Ps with their Ms, so
// only the Ps that are idle go back on the list.
func (s *State) relistIdle() {
	s.Sched.Pidle = None
	for i := range s.Ps {
		pp := &s.Ps[i]
		pp.Link = None
		if pp.Status == PIdle {
			pp.Link = s.Sched.Pidle
			s.Sched.Pidle = int8(i)
		}
	}
}

// The idle-list sub-machine, exported for the judge of the real runtime's
// pidleput and pidleget records (gexit runtime): both run under
// sched.lock, so their records replay in the runtime's exact order, one
// function per record, on a State of which only the Ps' Link, Status and
// M, sched.pidle and GoMaxProcs are used. Step's transitions use the same
// functions.

// PidlePut is pidleput (see pidleput).
func (s *State) PidlePut(pi int8) error { return s.pidleput(pi) }

// PidleGet is pidleget: the head of the idle list, unlinked, or None.
func (s *State) PidleGet() int8 { return s.pidleget() }

// NPidle is sched.npidle, the length of the idle list.
func (s *State) NPidle() int32 { return s.npidle() }

// RelistIdle is procresize's rebuild of the idle list from the Ps whose
// status is PIdle (see relistIdle).
func (s *State) RelistIdle() { s.relistIdle() }

// HandoffpLastRunningP is handoffp's last-running-P test (proc.go:3182):
// `sched.npidle.Load() == gomaxprocs-1 && sched.lastpoll.Load() != 0`,
// with lastpoll != 0 always (the spec has no netpoller; see handoffp).
func (s *State) HandoffpLastRunningP() bool {
	return s.npidle() == s.Sched.GoMaxProcs-1
}
