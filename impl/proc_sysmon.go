// sysmon (proc.go), reduced to retake of Ps held by Ms in a syscall and
// its probes of syscalls it lets go.

package impl

import "runtime"

// sysmon is the sysmon thread, reduced to retake: whenever a P's M has
// its G in a syscall, retake it (up to retakes of them) or probe it and
// let it go (up to probes).
func (s *sched) sysmon(a *actor, retakes, probes int) {
	for retakes > 0 || probes > 0 {
		if !a.safepoint() {
			return
		}
		if !a.waitUntil(func() bool { return s.someSyscallP() }) {
			return
		}
		n, k := s.retake(a, retakes, probes)
		retakes, probes = retakes-n, probes-k
		if !s.det && retakes+probes > 0 {
			a.waited()
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
// syscall, incidlelocked(-1), block the G's exitsyscall
// (setBlockOnExitSyscall: the scan bit), take the P (takeP; the M's oldp
// is the P since entersyscall), let the G go (thread.resume()), and then,
// as sysmon's next op, handoffp the P and incidlelocked(1). Between the
// two the thread may leave its syscall without its P.
//
// Or, up to probes times (a seeded choice while both budgets last), a
// probe: retake lets the syscall go with its P (`thread.resume(); goto
// done` when the P's syscalltick moved since sysmon last looked, or its
// run queue is empty, some M spins or a P is idle, and the syscall is
// under 10ms old, proc.go:6693-6705). It holds the G's scan bit over a
// scheduling point, in which another M's exitsyscallTryGetP (its old P)
// or the controller's stop-the-world finds setBlockOnExitSyscall failing,
// and the G's own exitsyscall waits (casgstatus). A probe changes
// nothing the spec records; it is recorded (a retake event with In.N 1,
// spec.RetakeProbe) for its interval. (Its incidlelocked(-1) and (1) are
// left out. They change only which checkdead reports a deadlock: between
// thread.resume() and incidlelocked(1) the probed M can leave its
// syscall, its G park and the M stop; its mput's checkdead then finds
// run == 1 and returns, and sysmon's incidlelocked(1) declares the
// deadlock that, without the bracket, the mput declares.) It returns the retakes and the
// probes made.
func (s *sched) retake(a *actor, retakes, probes int) (n, k int) {
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
		if n == retakes && k == probes {
			return n, k
		}
		a.sp()
		r := a.begin(opRetake)
		th, ok := s.setBlockOnExitSyscall(a, pp)
		if !ok {
			a.abandon()
			continue
		}
		if k < probes && (n == retakes || a.rng.IntN(2) == 0) {
			a.sp() // (the scan bit held: another M may run here)
			th.resume()
			// The probe let go of the scan bit: it wrote nothing, and
			// its record's interval is the time it held the bit (a
			// stop-the-world or exitsyscall it overlaps may find
			// setBlockOnExitSyscall failing; spec.RetakeProbe).
			r.in, r.b, r.val = pp.id, 1, int64(th.mp.id)
			a.commit(&r)
			a.branch(brSysmonProbe)
			k++
			continue
		}
		// sched.lock for the record of the P sysmon holds (the
		// snapshot's) and the bracket checkdead counts; takeP itself
		// takes none in the runtime.
		s.lockSched(a)
		rp, msg := s.takeP(th)
		s.retakeP, s.retakeM, s.sysmonRun = rp, th.mp, 1
		s.unlockSched(a)
		if !s.f.retakeKeepsThread {
			th.resume()
		}
		r.in, r.val = pp.id, int64(th.mp.id)
		if msg != "" {
			a.throwOp(&r, msg)
			return n, k
		}
		a.commit(&r)
		n++
		a.sp()
		if !s.sysmonHandoffp(a) {
			return n, k
		}
	}
	return n, k
}

// sysmonHandoffp is retake's `handoffp(pp)` of the P it took (op
// handoffp: its unlocked reads), then handoffp's next steps, sysmon's
// next ops, the last of which makes `incidlelocked(1)`, whose checkdead no
// longer counts sysmon's bracket (handoffpDoneLocked). retakeP and retakeM
// stay set until then. It reports false after a throw.
func (s *sched) sysmonHandoffp(a *actor) bool {
	r := a.begin(opHandoffp)
	// (retakeP is sysmon's own: only it writes it.)
	rd := s.handoffpReads(a, s.retakeP)
	s.lockSched(a)
	rp := s.retakeP
	r.in = s.handoffpReadLocked(a, rp, rd)
	r.val = int64(rp.handoff)
	s.unlockSched(a)
	r.a = rp.id
	r.flags |= flHandedOff
	a.branch(brHandoff)
	a.commit(&r)
	for {
		pp := a.handoffpHeld()
		if pp == nil {
			return true
		}
		a.sp()
		if !a.handoffpStep(pp) {
			return false
		}
	}
}
