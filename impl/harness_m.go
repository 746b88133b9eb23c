// The harness side of an M: its thread's loop (mstart -> schedule, then
// the interpretation of the current G's Program, one op per iteration).

package impl

import "runtime"

// loop is the M's thread: mstart -> schedule, and the interpretation of
// the current G's program. The top of the loop is a scheduling point and
// a stop-the-world safe point. An iteration makes one runtime call: one op,
// or several when the call has several linearization points (newproc1's
// goidrefill, newproc1 then runqput, runqputslow's push, the wakep after; schedule's
// resetspinning; startlockedm's or exitsyscallNoP's stopm), made one after
// the other with a scheduling point between (other actors run) but no
// safe point: the runtime makes them on the system stack or without a P,
// where the world is not stopped in between.
func (mp *m) loop() {
	s := mp.s
	for {
		if !mp.safepoint() {
			return
		}
		if mp.exited.Load() {
			if !mp.newmThread() {
				return
			}
			continue
		}
		if mp.wedged.Load() {
			// mexit on m0: parked forever.
			mp.waitUntil(func() bool { return false })
			return
		}
		if mp.owed() {
			// Only when the run ended between two ops of one call
			// (or, in tests, a state set up with an op owed).
			mp.nextOwed()
			continue
		}
		gp := mp.curg.Load()
		switch {
		case gp != nil && mp.runs(gp) && mp.preemptNow(gp):
			// preemptall's request, taken at this safe point.
			mp.preempt(gp)
		case gp != nil && mp.runs(gp):
			mp.stepG(gp)
		case mp.lockedg != nil:
			// schedule: `if mp.lockedg != 0 { stoplockedm(); execute(lockedg) }`:
			// sleep until startlockedm hands us a P (nextp), then take
			// it and run the G (op acquirep).
			if !mp.waitUntil(func() bool { return mp.nextp.Load() != nil }) {
				return
			}
			mp.stoplockedmReturns()
		case mp.p.Load() != nil && s.gcwaiting.Load() && !mp.skipsGCWait:
			// findRunnable's top: `if sched.gcwaiting.Load() {
			// gcstopm(); goto top }`.
			mp.gcstopm()
		case mp.p.Load() != nil:
			mp.schedule()
		default:
			mp.idle()
		}
		for mp.owed() {
			if !mp.between() {
				return
			}
			mp.nextOwed()
		}
	}
}

// preemptNow reports whether the M's running G stops here for a
// stop-the-world under way: a G in a system call is not preempted (its P
// was taken, or the stop-the-world will take it); any other stops at this
// safe point, or, one time in two (the actor's seeded PRNG decides), makes
// its next op first, as a G that reaches no preemption check before its
// next runtime call does.
func (mp *m) preemptNow(gp *g) bool {
	if !mp.s.gcwaiting.Load() || gp.inSys || mp.p.Load() == nil || gp.status.Load()&^gScan != gRunning {
		return false
	}
	return mp.rng.IntN(2) == 0
}

// owed: the runtime call the M is in has an op left to make.
func (mp *m) owed() bool {
	return mp.spinClear || mp.gcstopping || mp.mexiting || mp.mfreed || mp.heldQ.head != nil || mp.spinP != nil || mp.stealG != nil || mp.owesWakep || mp.waking || mp.startmP != nil || mp.stopping || mp.handing != nil || mp.stoplocked || mp.kicked != nil || mp.slowq.head != nil || mp.newg != nil
}

// nextOwed makes the call's next op.
func (mp *m) nextOwed() {
	switch {
	case mp.spinClear:
		mp.spinClearOwed()
	case mp.gcstopping:
		mp.gcstopm()
	case mp.mexiting:
		mp.mexitOwed()
	case mp.startmP != nil && mp.startmP.handoff != handoffNone:
		mp.handoffpStep(mp.startmP) // before mexit's nmfreed++ or the end of stoplockedm
	case mp.mfreed:
		mp.mfreedOwed()
	case mp.stealG != nil:
		mp.runqstealTailOwed()
	case mp.heldQ.head != nil:
		mp.runqputbatchOwed()
	case mp.spinP != nil:
		mp.recheckAcquire()
	case mp.owesWakep:
		mp.wakepOwed()
	case mp.waking:
		mp.wakepStartm()
	case mp.startmP != nil:
		mp.startmOwed()
	case mp.stopping && mp.recheck:
		mp.recheckIdleGC()
	case mp.stopping:
		mp.stopmOwed()
	case mp.handing != nil:
		mp.startlockedmOwed()
	case mp.stoplocked:
		mp.stoplockedmOwed()
	case mp.kicked != nil:
		mp.runqputKick()
	case mp.slowq.head != nil:
		mp.runqputslowPush()
	case mp.newg != nil:
		mp.runqputOp()
	}
}

// between is the scheduling point between two ops of one runtime call:
// in deterministic mode the driver may run other actors here, but no
// stop-the-world begins (the M is not at a safe point). False when the
// run is over.
func (mp *m) between() bool {
	if mp.s.det {
		mp.yield()
	}
	return !mp.s.done.Load()
}

func (mp *m) runs(gp *g) bool {
	st := gp.status.Load() &^ gScan
	return st == gRunning || st == gSyscall
}

// stepG interprets the next step of the current G's program. The ops it
// commits are stamped with the G's goid, its program's number and the
// step's index.
func (mp *m) stepG(gp *g) {
	mp.stepGoid, mp.stepProg, mp.stepPC = int32(gp.goid), mp.s.progs[gp.prog], int32(gp.pc)+1
	defer func() { mp.stepGoid, mp.stepProg, mp.stepPC = 0, 0, 0 }()
	if gp.inSys {
		mp.syscallDuration()
		mp.exitsyscall(gp)
		return
	}
	if gp.prog == nil || gp.pc >= len(gp.prog.Steps) {
		mp.goexit(gp, opExit)
		return
	}
	st := gp.prog.Steps[gp.pc]
	switch st.Kind {
	case Spawn:
		pp := mp.p.Load()
		if pp.goidcache == pp.goidcacheend {
			// newproc1's batch fetch, on the system stack: the
			// newproc1 that takes the goid follows it in the same
			// call, with no safe point between (other actors may
			// run).
			mp.goidrefill(pp)
			if !mp.between() {
				return
			}
		}
		gp.pc++
		mp.newproc1(gp, pp, st)
	case Park:
		mp.park(gp, st.Arg)
	case Ready:
		gp.pc++
		mp.ready(st.Arg)
	case Syscall:
		gp.pc++
		mp.entersyscall(gp)
	case LockOSThread:
		gp.pc++
		mp.lockOp(gp, opLockOSThread)
	case UnlockOSThread:
		gp.pc++
		mp.lockOp(gp, opUnlockOSThread)
	case LockInt:
		gp.pc++
		mp.lockOp(gp, opLockInt)
	case UnlockInt:
		gp.pc++
		mp.lockOp(gp, opUnlockInt)
	case Goexit:
		mp.goexit(gp, opGoexit)
	case Return:
		mp.goexit(gp, opExit)
	case Gosched:
		gp.pc++
		mp.gosched(gp)
	case Goyield:
		gp.pc++
		mp.goyield(gp)
	case GrowStack:
		gp.pc++
		if gp.stack != 0 {
			r := mp.begin(opGrowStack)
			r.g = gp.idx
			if int64(gp.stack)*2 > maxStackSize {
				// newstack: `if newsize > maxstacksize { throw("stack overflow") }`.
				mp.throwOp(&r, throwStackOverflow)
				return
			}
			gp.stack *= 2 // copystack(gp, oldsize*2)
			r.val = int64(gp.stack)
			mp.commit(&r)
		}
	case Assist:
		gp.pc++
		if st.Arg != 0 {
			r := mp.begin(opAssist)
			gp.gcAssist = int64(st.Arg)
			r.g, r.in = gp.idx, int32(st.Arg)
			mp.commit(&r)
		}
	case Dirty:
		gp.pc++
		r := mp.begin(opDirty)
		gp.cleared = fAll
		r.g = gp.idx
		mp.commit(&r)
	}
}

// syscallDuration is the time the G spends in its system call, free
// running: the M yields a random number of times (up to syscallYields)
// before exitsyscall, as a thread blocked in the kernel lets the others
// run. sysmon retakes the P meanwhile, and exitsyscall then finds its P
// gone and often no idle one (exitsyscallNoP's path), as a real blocking
// syscall makes it. Deterministic modes choose the interleaving instead.
func (mp *m) syscallDuration() {
	if mp.s.det {
		return
	}
	for n := mp.rng.IntN(syscallYields + 1); n > 0 && !mp.s.done.Load(); n-- {
		mp.waited()
		runtime.Gosched()
	}
}

// syscallYields bounds a free-running system call's duration in yields.
const syscallYields = 8
