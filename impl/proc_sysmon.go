// sysmon (proc.go), reduced to retake of Ps held by Ms in a syscall.

package impl

import "runtime"

// sysmon is the sysmon thread, reduced to retake: whenever a P's M has
// its G in a syscall, retake it (up to budget retakes).
func (s *sched) sysmon(a *actor, budget int) {
	for n := 0; n < budget; {
		if !a.safepoint() {
			return
		}
		if !a.waitUntil(func() bool { return s.someSyscallP() }) {
			return
		}
		n += s.retake(a)
		if !s.det && n < budget {
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
		rp, msg := s.takeP(th)
		if msg == "" {
			msg = s.handoffpLocked(rp, th.mp)
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
