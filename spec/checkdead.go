package spec

// checkdead models proc.go checkdead, the deadlock detector the runtime
// runs under sched.lock wherever an M stops counting as running: mput
// (stopm, startlockedm's stopm, exitsyscallNoP's stopm), incidlelocked(1)
// (stoplockedm; sysmon's retake too, at the end of the bracket it opens
// with incidlelocked(-1), which RunningMs counts while Sched.RetakeP is
// set: see CheckdeadRan's Scope) and mexit (after nmfreed++). It counts
// Ms, not Gs:
//
//	run := mcount() - sched.nmidle - sched.nmidlelocked - sched.nmsys
//
// and looks at the goroutines only when no M runs:
//   - run < 0: throw("checkdead: inconsistent counts");
//   - run > 0: nothing (an M still runs and will find the work);
//   - a user G runnable, running or in a syscall with no M running:
//     throw("checkdead: runnable g"), the throw golang/go#6070, #40368
//     and #59600 hit when an M was counted idle too early;
//   - no user G left at all (possible only once main called
//     runtime.Goexit): fatal("no goroutines (main called runtime.Goexit)
//   - deadlock!");
//   - otherwise every user G waits or is preempted (the spec has no
//     timers, so checkdead's timer scan finds none): fatal("all
//     goroutines are asleep - deadlock!").
//
// sysmon is not one of the spec's Ms (sched.nmsys counts it out of
// mcount, so nmsys is 0 here), there is no template thread and no cgo
// extra M (run0 is 0). System goroutines
// are skipped, as isSystemGoroutine skips them.
func (s *State) checkdead(r *Result) error {
	if s.Sched.Terminal != Alive {
		return nil
	}
	run := s.RunningMs()
	if run > 0 {
		return nil
	}
	if run < 0 {
		return throwf(ThrowCheckdeadCounts, "checkdead")
	}
	waiting := 0
	for i := range s.Gs {
		g := &s.Gs[i]
		if g.System {
			continue
		}
		switch g.Status {
		case Waiting, Preempted:
			// `case _Gwaiting, _Gpreempted: grunning++`
			// (proc.go:6413-6415); no op makes a G preempted yet.
			waiting++
		case Runnable, Running, Syscall:
			return throwf(ThrowCheckdeadRunnable, "checkdead")
		}
	}
	if waiting == 0 {
		s.Sched.Terminal = GoexitDeadlock
		r.Fatal = FatalGoexitDeadlock
		return nil
	}
	s.Sched.Terminal = AllAsleep
	r.Fatal = FatalAllAsleep
	return nil
}

// RunningMs is checkdead's run: mcount() - sched.nmidle -
// sched.nmidlelocked (sched.nmsys is 0 in the spec), with sysmon's
// retake in progress counted (its incidlelocked(-1) until the
// incidlelocked(1) after its handoffp's last step: Sched.RetakeP).
func (s *State) RunningMs() int32 {
	return s.MCount() - s.NMIdle() - s.NMIdleLocked() + int32(b2i(s.Sched.RetakeP != None))
}

// MCount is proc.go mcount(), sched.mnext - sched.nmfreed: the Ms that
// have not exited (mexit's nmfreed++ counts m0 wedged in mexit too), plus
// one for every P startm left for newm. newm's M is counted from
// startm's mReserveID, taken under the same sched.lock that hands the P
// out, not from when its thread starts: that ordering is what keeps
// checkdead from seeing a P without a running M (golang/go#59600's
// class). newm's thread runs in an exited M's slot (Result.Newm); while
// no thread has exited, an idle M takes the pending P in its place
// (acquirep); the count carries over.
func (s *State) MCount() int32 {
	n := int32(0)
	for i := range s.Ms {
		if m := &s.Ms[i]; !m.Exited && !m.Wedged {
			n++
		}
	}
	for i := range s.Ps {
		if s.pendingP(int8(i)) {
			n++
		}
	}
	if s.Sched.GCWaiting || s.ctlBusy() {
		// The controller's M, from its stopTheWorldWithSema to the end
		// of startTheWorldWithSema's wakep: the caller of a
		// stop-the-world is a goroutine on an M of its own (runtime.GC,
		// GOMAXPROCS), neither idle nor locked while the other Ms stop
		// for it, and "A checkdead in between will always see at least
		// one running M (ours)" (proc.go wakep). The spec models that
		// M only for these steps, and runs checkdead where it leaves
		// (ctlDone).
		n++
	}
	return n
}

// NMIdleLocked is sched.nmidlelocked: the Ms waiting in stoplockedm for
// their locked G (incidlelocked(1) once the M let its P go,
// incidlelocked(-1) in startlockedm when another M hands it a P). Such an
// M is locked, holds no P, no nextp and no G, is not on the idle M list,
// and does not owe its stoplockedm (M.StopLocked: its incidlelocked(1) is
// yet to come).
func (s *State) NMIdleLocked() int32 {
	n := int32(0)
	for i := range s.Ms {
		m := &s.Ms[i]
		if m.LockedG != None && !m.Parked && m.Curg == None && m.P == None && m.NextP == None && !m.StopLocked && !m.Exited && !m.Wedged {
			n++
		}
		if m.StopLocked && m.NextP != None {
			// startlockedm's incidlelocked(-1) came before the M's
			// stoplockedm and its incidlelocked(1): the count is one
			// short until then, as the runtime's is.
			n--
		}
	}
	return n
}
