// proc.go: newproc1 (goidrefill, gfget, malg), runqput's callers,
// ready, park, gosched, LockOSThread, goexit (goexit1 -> goexit0 ->
// gdestroy -> gfput, mexit for a locked thread), gfput, gfget, gfpurge,
// schedule (findRunnable's order, startlockedm, execute), handoffp,
// releasep, acquirep, stoplockedm, incidlelocked and checkdead.

package impl

// Throw messages (the runtime's, verbatim; spec/errors.go has the same).
const (
	throwGfputStatus            = "gfput: bad status (not Gdead)"
	throwMissingStack           = "newproc1: newg missing stack"
	throwNotDead                = "newproc1: new g is not Gdead"
	throwBadmcall               = "runtime: mcall called on m->g0 stack"
	throwLockedInt              = "exited a goroutine internally locked to the OS thread"
	throwRunqputslow            = "runqputslow: queue is not full"
	throwRunqOverflow           = "runqsteal: runq overflow"
	throwPidleput               = "pidleput: P has non-empty run queue"
	throwPidleputIdle           = "must be able to track idle limiter event"
	throwStopm                  = "stopm holding p"
	throwStopmSpinning          = "stopm spinning"
	throwReleasep               = "releasep: invalid p state"
	throwReleasepArg            = "releasep: invalid arg"
	throwWirep                  = "wirep: invalid p state"
	throwWirepInGo              = "wirep: already in go"
	throwReadyStatus            = "bad g->status in ready"
	throwBadGStatus             = "bad g status"
	throwStoplockedm            = "stoplockedm: inconsistent locking"
	throwStartlockedmMe         = "startlockedm: locked to me"
	throwStartlockedmHasP       = "startlockedm: m has p"
	throwStoplockedmNotRunnable = "stoplockedm: not runnable"
	// The wakeup protocol (proc_mwake.go).
	throwStartmRunnable     = "startm: p has runnable gs"
	throwStartmSpinning     = "startm: m is spinning"
	throwStartmHasP         = "startm: m has p"
	throwResetspinning      = "resetspinning: not a spinning m"
	throwNegativeNMSpinning = "findRunnable: negative nmspinning"
	throwWakepNegative      = "wakep: negative nmspinning"
	throwGcstopmNegative    = "gcstopm: negative nmspinning"
	throwStartTheWorldNextp = "startTheWorld: inconsistent mp->nextp"
	throwRunqputbatch       = "Couldn't put Gs into empty local runq"
	throwBadUnlock          = "runtime: internal error: misuse of lockOSThread/unlockOSThread"
	throwCasgstatus         = "casgstatus: status is not the expected old value"
	throwCheckdeadRunnable  = "checkdead: runnable g"
	throwCheckdeadCounts    = "checkdead: inconsistent counts"
	throwStackOverflow      = "stack overflow"

	fatalGoexitDeadlock = "no goroutines (main called runtime.Goexit) - deadlock!"
	fatalAllAsleep      = "all goroutines are asleep - deadlock!"
)

// throwOp ends op r with a runtime throw: the message is recorded as the
// op's Output.Throw, the op commits, and the run stops. Every throw goes
// through here; a function that detects a throw condition returns the
// message to the op that called it.
func (a *actor) throwOp(r *rec, msg string) {
	a.note(r, msg)
	a.commit(r)
	a.s.throw(a, msg)
}

func (s *sched) lockSched(a *actor) { a.lock(&s.lock) }

// unlockSched releases sched.lock and then wakes the Ms that startm or
// startlockedm gave a P inside the section (notewakeup(&nmp.park) after
// the unlock, as startm does).
func (s *sched) unlockSched(a *actor) {
	var buf [8]*m
	n := copy(buf[:], s.towake)
	all := len(s.towake) > len(buf)
	s.towake = s.towake[:0]
	a.unlock(&s.lock)
	if all {
		s.wakeAll()
	}
	for _, mp := range buf[:n] {
		mp.notewakeup()
	}
}

// notewakeupLocked schedules the wakeup of mp for when sched.lock is
// released (unlockSched).
func (s *sched) notewakeupLocked(mp *m) {
	if !s.det {
		s.towake = append(s.towake, mp)
	}
}

// goidrefill is newproc1's batch fetch: sched.goidgen.Add(_GoidCacheBatch).
func (mp *m) goidrefill(pp *p) {
	r := mp.begin(opGoidRefill)
	b := int64(mp.s.c.GoidBatch)
	gen := mp.s.goidgen.Add(b)
	pp.goidcache = gen - b + 1
	pp.goidcacheend = pp.goidcache + b
	r.val = pp.goidcache
	mp.commit(&r)
}

// newproc1 (proc.go): gfget or malg+allgadd, the goid, dead -> runnable.
// The new G is held in mp.newg until runqputOp (newproc's runqput).
func (mp *m) newproc1(parent *g, pp *p, st Step) {
	s := mp.s
	r := mp.begin(opNewproc1)
	system := st.Arg != 0
	if system {
		r.flags |= flSystem
	}
	newg, how, refilled, stack := mp.gfget(pp)
	if newg == nil {
		newg = s.malg()
		how, stack = howMalg, stAllocated
		mp.branch(brMalg)
	}
	r.g, r.a, r.code = newg.idx, int32(refilled), uint8(how)|uint8(stack)<<4
	if newg.stack == 0 {
		mp.throwOp(&r, throwMissingStack)
		return
	}
	if newg.status.Load() != gDead {
		mp.throwOp(&r, throwNotDead)
		return
	}
	newg.system.Store(system)
	if system {
		s.ngsys.Add(1)
	} else {
		// Only user goroutines inherit pprof labels and synctest bubbles.
		newg.cleared = parent.cleared & (fLabels | fBubble)
	}
	// Every goroutine inherits its creator's fips140 bypass
	// (newg.fipsOnlyBypass = callergp.fipsOnlyBypass).
	newg.cleared = newg.cleared&^fFipsOnlyBypass | parent.cleared&fFipsOnlyBypass
	if !(s.f.goidReuse && newg.goid != 0) {
		newg.goid = pp.goidcache
		pp.goidcache++
	}
	r.req = s.progs[st.Child]
	if !(s.f.staleProgram && how != howMalg) {
		newg.prog = st.Child
	}
	if !(s.f.stalePC && how != howMalg) {
		newg.pc = 0 // (memclrNoHeapPointers(&newg.sched))
	}
	newg.inSys = false
	newg.status.Store(gRunnable) // casgstatus(newg, _Gdead, _Grunnable)
	mp.newg = newg
	r.val = newg.goid
	mp.commit(&r)
}

// malg + allgadd: a new G with a StackMin stack, idle -> dead, published
// in allgs.
func (s *sched) malg() *g {
	gp := &g{stack: stackMin}
	gp.runningOn.Store(-1)
	gp.status.Store(gIdle)
	gp.status.Store(gDead)
	s.allglock.Lock()
	gp.idx = int32(len(s.allgs))
	s.allgs = append(s.allgs, gp)
	s.allglock.Unlock()
	return gp
}

// runqputOp is newproc's runqput(pp, newg, true).
func (mp *m) runqputOp() {
	r := mp.begin(opRunqput)
	gp := mp.newg
	mp.newg = nil
	r.g = gp.idx
	if msg := mp.runqputNext(&r, gp); msg != "" {
		mp.throwOp(&r, msg)
		return
	}
	mp.commit(&r)
}

// runqputNext is the runqput(pp, gp, true) of newproc, ready and
// goschedImpl's preemption, recorded in r: the kicked G, or runqputslow
// (wasm). Unless the put has a second step (runqputkick, or
// runqputslowpush), the caller's wakep is the M's next op
// (afterRunqput): newproc's and ready's `if mainStarted { wakep() }`.
func (mp *m) runqputNext(r *rec, gp *g) string {
	kicked, slow, msg := mp.runqput(mp.p.Load(), gp, true)
	r.a = kicked
	if slow {
		r.flags |= flSlow
	} else if kicked < 0 {
		mp.afterRunqput()
	}
	return msg
}

// ready (proc.go ready via goready) of the G parked on wait object obj.
func (mp *m) ready(obj int) {
	s := mp.s
	o := s.objs[obj]
	r := mp.begin(opReady)
	mp.lock(&o.mu)
	if len(o.waiters) == 0 {
		// A token on the wait object, which the spec does not model:
		// no op.
		if !s.f.readyDropsWakeup {
			o.tokens++
		}
		mp.unlock(&o.mu)
		mp.abandon()
		mp.branch(brReadyNoWaiter)
		return
	}
	w := o.waiters[0]
	o.waiters = o.waiters[1:]
	mp.unlock(&o.mu)
	r.in, r.g = w.idx, w.idx
	// ready: `if status&^_Gscan != _Gwaiting { throw("bad g->status in
	// ready") }`, then casgstatus (proc.go:1120-1133).
	if w.status.Load()&^gScan != gWaiting {
		mp.throwOp(&r, throwReadyStatus)
		return
	}
	if !w.status.CompareAndSwap(gWaiting, gRunnable) {
		mp.throwOp(&r, throwCasgstatus)
		return
	}
	if msg := mp.runqputNext(&r, w); msg != "" {
		mp.throwOp(&r, msg)
		return
	}
	mp.commit(&r)
}

// dropg (proc.go): m.curg.m = nil, m.curg = nil.
func (mp *m) dropg() {
	if gp := mp.curg.Load(); gp != nil {
		gp.m = nil
	}
	mp.curg.Store(nil)
}

// releasep (proc.go) with sched.lock held: detach the M's P.
func (s *sched) releasepLocked(mp *m) (*p, string) {
	pp := mp.p.Load()
	switch {
	case pp == nil:
		return nil, throwReleasepArg
	case pp.m.Load() != mp || pp.status.Load() != pRunning:
		return nil, throwReleasep
	}
	mp.p.Store(nil)
	pp.m.Store(nil)
	pp.status.Store(pIdle)
	return pp, ""
}

// acquirep (proc.go acquirep -> wirep): wire P pp, idle (taken off the
// list, or given by startm), to M mp, which holds none. As in the runtime
// it takes no lock: a P off the idle list is its taker's alone, and its
// status and links are atomics for the readers that scan allp (retake,
// setBlockOnExitSyscall).
func (s *sched) acquirep(mp *m, pp *p) string {
	switch {
	case mp.p.Load() != nil:
		return throwWirepInGo
	case pp.m.Load() != nil || pp.status.Load() != pIdle:
		return throwWirep
	}
	pp.status.Store(pRunning)
	pp.m.Store(mp)
	mp.p.Store(pp)
	return ""
}

// stoplockedm's handoff half, with sched.lock held: the M's P goes through
// handoffp; the wait for the G is the M loop's.
// in is handoffp's input (handoffpReadLocked); rd is its reads made
// before the caller's section (handoffpReads).
func (mp *m) stoplockedmLocked(rd handoffReads) (handed bool, in int32, msg string) {
	if mp.lockedg == nil || mp.lockedg.lockedm != mp {
		return false, 0, throwStoplockedm
	}
	if mp.p.Load() != nil {
		pp, msg := mp.s.releasepLocked(mp)
		if msg != "" {
			return false, 0, msg
		}
		// handoffp's unlocked reads; its next steps are the M's next
		// ops, and incidlelocked(1) comes after them (handoffpDone).
		in = mp.s.handoffpReadLocked(&mp.actor, pp, rd)
		mp.startmP = pp
		return true, in, ""
	}
	return handed, 0, mp.incidlelockedLocked()
}

// incidlelockedLocked is stoplockedm's incidlelocked(1), with sched.lock
// held: the M waits for its G and stops counting as running.
func (mp *m) incidlelockedLocked() string {
	mp.s.nmidlelocked++
	return mp.checkdeadLocked()
}

// park is park_m for a G blocking on wait object obj: running -> waiting,
// dropg, inside the wait object's lock, which park_m's unlockf releases;
// then schedule, which for a locked M is stoplockedm, the M's next op (a
// readier may make gp runnable, and another M startlockedm it, first).
func (mp *m) park(gp *g, obj int) {
	s := mp.s
	o := s.objs[obj]
	mp.lock(&o.mu)
	if o.tokens > 0 || s.f.parkWithoutWakeup {
		o.tokens--
		mp.unlock(&o.mu)
		gp.pc++
		mp.branch(brWaitToken)
		return
	}
	r := mp.begin(opPark)
	gp.pc++
	r.g = gp.idx
	gp.runningOn.Store(-1)
	if !gp.status.CompareAndSwap(gRunning, gWaiting) {
		mp.unlock(&o.mu)
		mp.throwOp(&r, throwCasgstatus)
		return
	}
	mp.dropg()
	o.waiters = append(o.waiters, gp)
	mp.unlock(&o.mu)
	mp.afterDeschedule()
	mp.commit(&r)
}

// stoplockedmOwed is schedule's stoplockedm for an M whose locked G
// stopped running (gosched, after its wakep, or park), recorded as op
// stoplockedm: `if mp.p != 0 { handoffp(releasep()) }; incidlelocked(1)`
// (checkdead) under sched.lock. The M then sleeps until startlockedm
// hands it a P (the loop's wait for nextp, which may be set already).
func (mp *m) stoplockedmOwed() {
	s := mp.s
	r := mp.begin(opStoplockedm)
	mp.stoplocked = false
	rd := s.handoffpReads(&mp.actor, mp.p.Load())
	s.lockSched(&mp.actor)
	handed, in, msg := mp.stoplockedmLocked(rd)
	s.unlockSched(&mp.actor)
	r.in = in
	if handed {
		r.flags |= flHandedOff
		mp.branch(brHandoff)
	}
	if handed {
		// Until its incidlelocked(1), after handoffp's steps, the M
		// still owes the end of its stoplockedm.
		mp.stoplocked = true
		r.val = int64(mp.startmP.handoff)
	}
	if msg != "" {
		mp.throwOp(&r, msg)
		return
	}
	mp.commit(&r)
}

// checkdead (proc.go), with sched.lock held, run by the M that stops
// counting as running: mput, stoplockedm's incidlelocked(1), mexit after
// nmfreed++. It counts Ms:
//
//	run := mcount() - sched.nmidle - sched.nmidlelocked - sched.nmsys
//
// with mcount() = sched.mnext - sched.nmfreed, where mnext counts the
// fixed Ms, newm's threads that took an exited M's slot (nnewm), and one
// M reserved for every P startm left to newm (npending,
// reserved under the sched.lock that hands the P out; an idle M that
// takes the P in newm's place leaves the idle list as the reservation
// ends, so run does not change). There is no sysmon M among them (nmsys
// 0). With no M running it scans allgs (forEachG, under allglock): a user
// G runnable, running or in a syscall throws
// "checkdead: runnable g"; no user G waiting is main's Goexit deadlock;
// else every user G waits: "all goroutines are asleep - deadlock!". A
// fatal error is declared by the M's op when it commits (actor.fatal).
func (a *actor) checkdeadLocked() string {
	s := a.s
	reserved := s.npending.Load()
	if s.f.checkdeadPremature {
		// newm's M counted only once its thread runs.
		reserved = 0
	}
	run := int32(len(s.ms)) + s.nnewm + reserved + s.ctlm.Load() + s.sysmonRun - s.nmfreed - s.nmidle - s.nmidlelocked
	if run > 0 {
		return ""
	}
	if run < 0 {
		return throwCheckdeadCounts
	}
	s.allglock.Lock()
	defer s.allglock.Unlock()
	waiting := 0
	for _, gp := range s.allgs {
		st := gp.status.Load() &^ gScan
		if st == gDead || st == gIdle || gp.system.Load() {
			continue
		}
		switch st {
		case gWaiting, gPreempted:
			// `case _Gwaiting, _Gpreempted: grunning++`.
			waiting++
		case gRunnable, gRunning, gSyscall:
			return throwCheckdeadRunnable
		}
	}
	if waiting == 0 {
		a.fatal, a.terminal = fatalGoexitDeadlock, "goexit deadlock"
	} else {
		a.fatal, a.terminal = fatalAllAsleep, "all asleep"
	}
	s.fatalPending = true
	return ""
}

// afterDeschedule is schedule's head for an M whose G stopped running
// (park, gosched, goyield): `if mp.lockedg != 0 { stoplockedm() }`, the
// M's op of its own (m.stoplocked); wasm locks no thread.
func (mp *m) afterDeschedule() {
	mp.stoplocked = mp.lockedg != nil && !mp.s.cfg.Wasm
}

// toRunnable begins op kind for the M's running G gp and takes gp off
// the M as runnable (casgstatus running -> runnable, dropg), as
// goschedImpl and goyield_m begin; false after a throw (recorded).
func (mp *m) toRunnable(gp *g, kind opKind) (rec, bool) {
	r := mp.begin(kind)
	r.g = gp.idx
	gp.runningOn.Store(-1)
	if kind != opGoyield && gp.status.Load()&^gScan != gRunning {
		// goschedImpl (gosched, a preemption): `throw("bad g status")`
		// (proc.go:4311-4314); goyield_m's casgstatus spins instead.
		mp.throwOp(&r, throwBadGStatus)
		return r, false
	}
	if !gp.status.CompareAndSwap(gRunning, gRunnable) {
		mp.throwOp(&r, throwCasgstatus)
		return r, false
	}
	mp.dropg()
	return r, true
}

// gosched is gosched_m -> goschedImpl: running -> runnable, dropg,
// globrunqput; then goschedImpl's wakep and schedule, which for a locked M
// is stoplockedm: the M's next ops.
func (mp *m) gosched(gp *g) {
	s := mp.s
	r, ok := mp.toRunnable(gp, opGosched)
	if !ok {
		return
	}
	// globrunqput; goschedImpl's `unlock(&sched.lock); if mainStarted {
	// wakep() }`; then schedule. The wakep is the M's next op, and a
	// locked M's stoplockedm the one after it: meanwhile another M may
	// take gp from the global queue and startlockedm it to this M, which
	// still holds its P.
	s.lockSched(&mp.actor)
	s.runq.pushBack(gp)
	s.runqSize.Add(1)
	s.unlockSched(&mp.actor)
	mp.owesWakep = true
	mp.afterDeschedule()
	mp.commit(&r)
}

// goyield is goyield_m (proc.go:4456-4472), as semrelease1's direct
// handoff in a starving sync.Mutex calls it: running -> runnable, dropg,
// runqput(pp, gp, false), the G at its own P's ring tail (runqputslow's
// push next when the ring is full), and schedule with no wakep, which for
// a locked M is stoplockedm: the M's next op.
func (mp *m) goyield(gp *g) {
	s := mp.s
	r, ok := mp.toRunnable(gp, opGoyield)
	if !ok {
		return
	}
	if s.f.goyieldWakes {
		// The planted bug: goschedImpl's wakep after the put.
		mp.owesWakep = true
	}
	slow, msg := mp.runqputRing(mp.p.Load(), gp)
	if msg != "" {
		mp.throwOp(&r, msg)
		return
	}
	if slow {
		r.flags |= flSlow
		mp.yieldSlow = true
	} else {
		mp.afterDeschedule()
	}
	mp.commit(&r)
}

// lockOp is LockOSThread / UnlockOSThread / lockOSThread / unlockOSThread
// with dolockOSThread's wiring.
func (mp *m) lockOp(gp *g, kind opKind) {
	r := mp.begin(kind)
	r.g = gp.idx
	switch kind {
	case opLockOSThread:
		mp.lockedExt++
		r.val = int64(mp.lockedExt)
	case opUnlockOSThread:
		if mp.lockedExt == 0 {
			mp.commit(&r)
			return
		}
		mp.lockedExt--
		r.val = int64(mp.lockedExt)
	case opLockInt:
		mp.lockedInt++
		r.val = int64(mp.lockedInt)
	case opUnlockInt:
		if mp.lockedInt == 0 {
			mp.throwOp(&r, throwBadUnlock)
			return
		}
		mp.lockedInt--
		r.val = int64(mp.lockedInt)
	}
	if !mp.s.cfg.Wasm {
		if mp.lockedExt != 0 || mp.lockedInt != 0 {
			mp.lockedg = gp
			gp.lockedm = mp
			gp.lockedTo.Store(int32(mp.id) + 1)
		} else {
			mp.lockedg = nil
			gp.lockedm = nil
			gp.lockedTo.Store(0)
		}
	}
	mp.commit(&r)
}

// goexit is goexit1 -> mcall(goexit0) -> gdestroy -> gfput (and the
// locked-thread tail); goexit0's schedule is the M loop's next iteration.
// For the main G, opExit is runtime.main's exit(0).
func (mp *m) goexit(gp *g, kind opKind) {
	s := mp.s
	f := &s.f
	r := mp.begin(kind)
	r.g = gp.idx
	r.val = gp.goid
	// The main goroutine is the G with goid 1: a recycled G struct that
	// once ran main gets a fresh goid in newproc1.
	isMain := gp.goid == 1
	if isMain && kind == opExit {
		s.terminal.Store("main returned")
		mp.commit(&r)
		s.end()
		return
	}
	// mcall: switch to g0; already on g0 is badmcall.
	if mp.onG0 {
		mp.throwOp(&r, throwBadmcall)
		return
	}
	mp.onG0 = true
	if isMain {
		s.mainGoexit.Store(true)
	}
	pp := mp.p.Load()

	// gdestroy.
	gp.runningOn.Store(-1)
	if !f.gdestroyNoDead && !gp.status.CompareAndSwap(gRunning, gDead) {
		mp.throwOp(&r, throwCasgstatus)
		return
	}
	if gp.system.Load() && !f.ngsysNoDec {
		s.ngsys.Add(-1)
	}
	gp.m = nil
	locked := gp.lockedm != nil
	gp.lockedm = nil
	gp.lockedTo.Store(0)
	mp.lockedg = nil
	if !f.gdestroyNoClear {
		gp.cleared = 0
	}
	if s.gcBlacken.Load() && gp.gcAssist > 0 && !f.assistNoFlush {
		// Flush assist credit to the global pool (assistWorkPerByte = 1).
		s.bgScanCredit.Add(gp.gcAssist)
		gp.gcAssist = 0
		mp.branch(brFlush)
	}
	if !f.gdestroyNoDropg {
		mp.dropg()
	}
	if !s.cfg.Wasm && locked && mp.lockedInt != 0 && !f.lockedIntNoThrow {
		mp.throwOp(&r, throwLockedInt)
		return
	}
	spilled, freed, msg := mp.gfput(pp, gp)
	r.a = int32(spilled)
	if freed {
		r.flags |= flStackFreed
	}
	if msg != "" {
		mp.throwOp(&r, msg)
		return
	}
	if !s.cfg.Wasm && locked && !f.lockedNoMexit {
		if f.lockedExtClearedEarly {
			mp.lockedExt = 0
		}
		// The thread may be in an unusual kernel state: kill it.
		// gogo(&mp.g0.sched) -> mstart0 -> mexit is the M's next op
		// (mexitOwed); m0 is parked forever instead.
		mp.mexiting = true
		r.code = mp.mexitBranch()
	}
	mp.commit(&r)
}

// mexitBranch is the locked branch of a locked G's exit on this M: the
// thread exits in mexit, but m0 is wedged there instead.
func (mp *m) mexitBranch() uint8 {
	if mp.id == 0 {
		return lkM0Wedged
	}
	return lkMexit
}

// mexitOwed is mexit (proc.go) for the thread of a locked G that exited,
// op mexit: handoffp(releasep()), in handoffp's sched.lock section. The
// M's next op is mexit's own section (mfreedOwed).
func (mp *m) mexitOwed() {
	s := mp.s
	r := mp.begin(opMexit)
	mp.mexiting = false
	r.code = mp.mexitBranch()
	rd := s.handoffpReads(&mp.actor, mp.p.Load())
	s.lockSched(&mp.actor)
	if mp.id != 0 {
		s.clearOldmLocked(mp)
	}
	rp, msg := s.releasepLocked(mp)
	if msg == "" {
		// handoffp's unlocked reads; its next steps are the M's next
		// ops, nmfreed++ the one after them.
		r.in = s.handoffpReadLocked(&mp.actor, rp, rd)
		mp.startmP = rp
		r.val = int64(rp.handoff)
	}
	s.unlockSched(&mp.actor)
	if msg != "" {
		mp.throwOp(&r, msg)
		return
	}
	r.flags |= flHandedOff
	mp.mfreed = true
	mp.commit(&r)
}

// clearOldmLocked is mexit's `mp.self.clear()` (proc.go:2027, before its
// handoffp; m0 parks before it): pp.oldm is a weak pointer to its M, so
// every P that named mp has none, and a restart hands such a stopped P to
// mget's M, not to newm's thread in mp's slot. With sched.lock held (the
// restart reads oldm under it).
func (s *sched) clearOldmLocked(mp *m) {
	for _, pp := range s.ps {
		if pp.oldm == mp {
			pp.oldm = nil
		}
	}
}

// mfreedOwed is the end of mexit, op mfreed: `lock(&sched.lock);
// sched.nmfreed++; checkdead(); unlock(&sched.lock)`, and the thread exits
// (m0 parks forever in mPark).
func (mp *m) mfreedOwed() {
	s := mp.s
	r := mp.begin(opMfreed)
	mp.mfreed = false
	r.code = mp.mexitBranch()
	s.lockSched(&mp.actor)
	s.nmfreed++
	if mp.id != 0 {
		s.nexited.Add(1)
	}
	msg := mp.checkdeadLocked()
	s.unlockSched(&mp.actor)
	if msg != "" {
		mp.throwOp(&r, msg)
		return
	}
	if mp.id == 0 {
		mp.wedged.Store(true)
		mp.branch(brM0Wedged)
	} else {
		mp.exited.Store(true)
		mp.branch(brMexit)
	}
	mp.commit(&r)
}

// gfput (proc.go).
func (mp *m) gfput(pp *p, gp *g) (spilled int, freed bool, msg string) {
	s := mp.s
	f := &s.f
	if gp.status.Load() != gDead {
		return 0, false, throwGfputStatus
	}
	if gp.stack != s.startingStackSize.Load() && !f.gfputKeepWrongStack {
		// Non-standard stack size: stackfree.
		gp.stack = 0
		freed = true
	}
	pp.gFree.push(gp)
	if pp.gFree.size < int32(s.c.GFreeCap) {
		return
	}
	var stackQ, noStackQ gQueue
	to := int32(s.c.GFreeSpillTo)
	if f.spill32 {
		to++
	}
	for pp.gFree.size >= to {
		g1 := pp.gFree.pop()
		spilled++
		if f.spillLoseG && pp.gFree.size < to {
			break // the last one popped is lost
		}
		if g1.stack == 0 {
			noStackQ.push(g1)
		} else {
			stackQ.push(g1)
		}
	}
	mp.branch(brSpill)
	mp.sp()
	if f.spillNoLock {
		// The lost-update bug, race-detector clean: read the list heads
		// in one critical section, write them in another.
		mp.lockGFree()
		sh, ss := s.gFreeStack.head.Load(), s.gFreeStack.size
		nh, ns := s.gFreeNoStack.head.Load(), s.gFreeNoStack.size
		mp.unlockGFree()
		mp.sp()
		mp.lockGFree()
		if noStackQ.head != nil {
			noStackQ.tail.schedlink = nh
			s.gFreeNoStack.head.Store(noStackQ.head)
			s.gFreeNoStack.size = ns + noStackQ.size
		}
		if stackQ.head != nil {
			stackQ.tail.schedlink = sh
			s.gFreeStack.head.Store(stackQ.head)
			s.gFreeStack.size = ss + stackQ.size
		}
		mp.unlockGFree()
		return
	}
	mp.lockGFree()
	if f.panicInGfput {
		// The planted bug: the batches lose their tails, and pushAll
		// links through a nil *g under sched.gFree.lock.
		stackQ.tail, noStackQ.tail = nil, nil
	}
	s.gFreeNoStack.pushAll(noStackQ)
	s.gFreeStack.pushAll(stackQ)
	mp.unlockGFree()
	return
}

func (mp *m) lockGFree()   { mp.lock(&mp.s.gFreeLock) }
func (mp *m) unlockGFree() { mp.unlock(&mp.s.gFreeLock) }

// gfget (proc.go): refill an empty local list from the global lists
// (stack first) up to RefillTo, checking emptiness without the lock first;
// pop; fix the stack.
func (mp *m) gfget(pp *p) (gp *g, how, refilled, stack int) {
	s := mp.s
	how = howLocal
retry:
	if pp.gFree.empty() && (s.gFreeStack.head.Load() != nil || s.gFreeNoStack.head.Load() != nil) {
		mp.sp()
		mp.lockGFree()
		dec := !s.f.refillNoSizeDec
		for pp.gFree.size < int32(s.c.RefillTo) {
			g1 := s.gFreeStack.pop(dec)
			if g1 == nil {
				g1 = s.gFreeNoStack.pop(dec)
				if g1 == nil {
					break
				}
			}
			pp.gFree.push(g1)
			refilled++
		}
		mp.unlockGFree()
		how = howRefill
		mp.branch(brRefill)
		goto retry
	}
	gp = pp.gFree.pop()
	if gp == nil {
		return nil, how, refilled, 0
	}
	stack = stReused
	sss := s.startingStackSize.Load()
	if gp.stack != 0 && gp.stack != sss {
		// The right size changed since gfput kept it: stackfree.
		gp.stack = 0
		stack = stReplaced
		mp.branch(brStackReplaced)
		if s.f.gfgetFreedNoAlloc {
			return
		}
	}
	if gp.stack == 0 {
		gp.stack = sss // stackalloc(startingStackSize)
		if stack == stReused {
			stack = stAllocated
			mp.branch(brStackAllocated)
		}
	}
	return
}

// gfpurge (proc.go): the whole local list to the global lists.
func (s *sched) gfpurge(pp *p) {
	var stackQ, noStackQ gQueue
	for !pp.gFree.empty() {
		g1 := pp.gFree.pop()
		if g1.stack == 0 {
			noStackQ.push(g1)
		} else {
			stackQ.push(g1)
		}
	}
	s.gFreeLock.Lock()
	s.gFreeNoStack.pushAll(noStackQ)
	s.gFreeStack.pushAll(stackQ)
	s.gFreeLock.Unlock()
}

// schedule is schedule -> findRunnable -> execute (or startlockedm, or
// stopm with the P idle), in findRunnable's order. After the spin op
// (mp.spun) it resumes findRunnable past its spin: stealWork, then
// the stop path.
func (mp *m) schedule() {
	s := mp.s
	pp := mp.p.Load()
	r := mp.begin(opSchedule)
	skip := mp.skipsGCWait
	mp.skipsGCWait = false
	if s.gcwaiting.Load() && !skip {
		// A stop-the-world began since the M loop's check: findRunnable's
		// top stops the M (the schedule op is not made).
		mp.gcstopm()
		return
	}
	var gp *g
	inherit := false
	src, victim, moved := 0, int32(-1), 0
	spun := mp.spun
	mp.spun = false
	// Every GlobalTick-th schedtick: one G from the global queue.
	if !spun && !s.f.noTickPick && pp.schedtick%uint32(s.c.GlobalTick) == 0 && s.runqSize.Load() != 0 {
		mp.sp()
		s.lockSched(&mp.actor)
		gp = s.globrunqgetLocked()
		s.unlockSched(&mp.actor)
		if gp != nil {
			src = srcTick
			mp.branch(brTick)
		}
	}
	if gp == nil && !spun {
		gp, inherit = mp.runqget(pp)
		if gp != nil {
			src = srcRing
			if inherit {
				src = srcRunnext
			}
		}
	}
	if gp == nil && !spun && s.runqSize.Load() != 0 {
		mp.sp()
		s.lockSched(&mp.actor)
		gp, q := s.globrunqgetbatchLocked()
		s.unlockSched(&mp.actor)
		if gp != nil {
			mp.branch(brGlobal)
			mp.takeGlobal(&r, pp, gp, q)
			return
		}
	}
	// findRunnable spins (stealWork) only while `mp.spinning ||
	// 2*nmspinning < gomaxprocs-npidle`; becomeSpinning is its own op
	// (spin), after which schedule resumes at stealWork.
	if gp == nil && !spun && !mp.spinning.Load() && mp.spinAllowed() {
		// The limit's reads are racy and becomeSpinning's add comes
		// after them (proc.go:3517-3519): Ms that read together may
		// all spin, past the limit.
		mp.sp()
		r.op = opSpin
		mp.becomeSpinning()
		mp.spun = true
		mp.commit(&r)
		return
	}
	if gp == nil && !s.f.stealGivesUp && mp.spinning.Load() {
		gp, src, victim, moved = mp.stealWork(pp)
		if gp != nil && moved > 0 {
			// runqgrab's CAS took two or more: the op ends there, and
			// runqsteal's tail store, which publishes all but the
			// last, is the M's next op (runqstealTailOwed), which runs
			// the last.
			r.code, r.a, r.b, r.g = uint8(src), victim, int32(moved), gp.idx
			mp.stealG, mp.stealN = gp, moved
			mp.commit(&r)
			return
		}
	}
	if gp == nil {
		// Before stopm: recheck the global queue under sched.lock, then
		// releasep + pidleput.
		mp.sp()
		s.lockSched(&mp.actor)
		if s.gcwaiting.Load() {
			// The stop path's `if sched.gcwaiting.Load() ... {
			// unlock(&sched.lock); goto top }`: findRunnable's top
			// stops the M (the schedule op is not made).
			s.unlockSched(&mp.actor)
			mp.gcstopm()
			return
		}
		if gp, q := s.globrunqgetbatchLocked(); gp != nil {
			s.unlockSched(&mp.actor)
			mp.branch(brGlobal)
			mp.takeGlobal(&r, pp, gp, q)
			return
		} else if s.f.stopmKeepsP {
			// The planted bug: stopm with the P still held. The op is
			// never committed (the M just sleeps); it wakes only for work
			// on its own P, which no other M can put there.
			s.unlockSched(&mp.actor)
			mp.waitUntil(func() bool { return !pp.runqempty() })
			return
		} else if !mp.spinning.Load() && s.needspinning.Load() {
			// `if !mp.spinning && sched.needspinning.Load() == 1 {
			// mp.becomeSpinning(); unlock(&sched.lock); goto top }`:
			// the M keeps its P and spins on behalf of the M whose
			// pidlegetSpinning found no idle P.
			mp.becomeSpinningLocked()
			s.unlockSched(&mp.actor)
			r.code, r.val = srcIdle, 2
			mp.branch(brNeedSpinning)
			mp.commit(&r)
			return
		} else {
			_, msg := s.releasepLocked(mp)
			if msg == "" {
				msg = s.pidleputLocked(pp)
			}
			// A spinning M is still counted in nmspinning: its next
			// step is the recheck (proc_mwake.go). Any other M's stopm
			// is its next op, in a sched.lock section of its own
			// (stopmOwed), as findRunnable unlocks before stopm.
			if mp.spinning.Load() {
				// `allpSnapshot := mp.snapshotAllp()` came before
				// the drop; GOMAXPROCS cannot change while the M
				// holds its P.
				mp.recheck, mp.allpLen = true, s.gomaxprocs.Load()
				r.val = 1
			} else {
				mp.stopping = true
			}
			s.unlockSched(&mp.actor)
			r.code = srcIdle
			mp.branch(brIdle)
			if msg != "" {
				mp.throwOp(&r, msg)
				return
			}
			mp.commit(&r)
			return
		}
	}
	r.code, r.a, r.b = uint8(src), victim, int32(moved)
	mp.runFound(&r, pp, gp, inherit)
}

// runFound is schedule after findRunnable returned gp, ending op r:
// resetspinning's wakep owed by a spinning M, then startlockedm for a G
// locked to another M (after that wakep), or execute.
func (mp *m) runFound(r *rec, pp *p, gp *g, inherit bool) {
	s := mp.s
	r.g = gp.idx
	if mp.spinning.Load() {
		// schedule: `if mp.spinning { resetspinning() }`, the M's next
		// op (wakepOwed).
		mp.owesWakep = true
	}
	if lm := gp.lockedm; lm != nil && !s.cfg.Wasm {
		if mp.owesWakep {
			// schedule: `if mp.spinning { resetspinning() }` comes
			// before `if gp.lockedm != 0 { startlockedm(gp) }`: the M
			// holds gp and its P through the wakep, and startlockedm is
			// its op after it (startlockedmOwed).
			mp.handing = gp
			mp.commit(r)
			return
		}
		if msg := mp.startlockedm(gp); msg != "" {
			r.c = int32(lm.id)
			mp.throwOp(r, msg)
			return
		}
		r.c = int32(lm.id)
		mp.commit(r)
		return
	}
	if msg := s.execute(mp, pp, gp, inherit); msg != "" {
		mp.throwOp(r, msg)
		return
	}
	mp.commit(r)
}

// execute (proc.go): gp.m, runnable -> running, schedtick; m.curg is
// stored last (it is what a locked M waiting in stoplockedm watches).
func (s *sched) execute(mp *m, pp *p, gp *g, inherit bool) string {
	if !gp.runningOn.CompareAndSwap(-1, int32(mp.id)) {
		s.violation("G%d executed on M%d while running on M%d", gp.idx, mp.id, gp.runningOn.Load())
	}
	if !s.f.executeNoGpM {
		gp.m = mp
	}
	if !gp.status.CompareAndSwap(gRunnable, gRunning) {
		return throwCasgstatus
	}
	if !inherit {
		pp.schedtick++
	}
	if !s.f.mcallStaysOnG0 {
		mp.onG0 = false // gogo(&gp.sched)
	}
	mp.curg.Store(gp)
	return ""
}

// globrunqget (proc.go), sched.lock held.
func (s *sched) globrunqgetLocked() *g {
	gp := s.runq.pop()
	if gp != nil {
		s.runqSize.Add(-1)
	}
	return gp
}

// globrunqgetbatch (proc.go), sched.lock held: n = min(RunqSize/2, size,
// size/gomaxprocs+1); the first is findRunnable's to run, the rest (q)
// goes on a ring by runqputbatch, after the unlock.
func (s *sched) globrunqgetbatchLocked() (*g, gQueue) {
	var q gQueue
	size := s.runq.size
	if size == 0 {
		return nil, q
	}
	n := min(int32(s.c.RunqSize/2), size, size/s.gomaxprocs.Load()+1)
	gp := s.runq.pop()
	for n--; n > 0; n-- {
		q.pushBack(s.runq.pop())
	}
	s.runqSize.Add(-(q.size + 1))
	return gp, q
}

// runqputbatch (proc.go): q onto pp's ring while it has room, without a
// lock (a release store of runqtail publishes them to thieves); what
// did not fit stays in q. Only the P's owner, or the M whose recheck took
// it off the idle list, calls it.
func (s *sched) runqputbatch(pp *p, q *gQueue) int {
	h := pp.runqhead.Load()
	t := pp.runqtail.Load()
	n := 0
	for q.head != nil && t-h < s.n {
		pp.runq[t%s.n].Store(q.pop())
		t++
		n++
	}
	pp.runqtail.Store(t)
	return n
}

// takeGlobal ends a schedule op whose sched.lock section took the global
// batch gp, q: with q empty findRunnable returns gp and the op runs it;
// otherwise runqputbatch, after the unlock, is the M's next op
// (runqputbatchOwed), which runs gp, and until it the batch is the M's.
func (mp *m) takeGlobal(r *rec, pp *p, gp *g, q gQueue) {
	r.code, r.b = srcGlobal, q.size
	if q.head == nil {
		mp.runFound(r, pp, gp, false)
		return
	}
	mp.heldG, mp.heldQ = gp, q
	r.g = gp.idx
	mp.commit(r)
}

// runqputbatchOwed is findRunnable's `if runqputbatch(pp, &q); !q.empty()
// { throw("Couldn't put Gs into empty local runq") }` after the unlock
// (op runqputbatch): the batch's rest onto the M's P, then findRunnable
// returns gp and schedule runs it; or onto the P the recheck took
// (spinP), whose acquirep, the M's next op, runs gp.
func (mp *m) runqputbatchOwed() {
	s := mp.s
	r := mp.begin(opRunqputBatch)
	pp := mp.spinP
	if pp == nil {
		pp = mp.p.Load()
	}
	q := mp.heldQ
	mp.heldQ = gQueue{}
	r.a, r.val = pp.id, int64(q.size)
	s.runqputbatch(pp, &q)
	if q.head != nil {
		mp.throwOp(&r, throwRunqputbatch)
		return
	}
	if mp.spinP != nil {
		mp.commit(&r)
		return
	}
	gp := mp.heldG
	mp.heldG = nil
	r.code = srcGlobal
	mp.runFound(&r, pp, gp, false)
}

// stealWork (proc.go): four rounds over the other Ps in a random order,
// runnext only in the last; idle and dead Ps are skipped.
func (mp *m) stealWork(pp *p) (*g, int, int32, int) {
	s := mp.s
	for i := 0; i < 4; i++ {
		stealNext := i == 3
		mp.order = mp.order[:0]
		for j := range s.ps {
			mp.order = append(mp.order, j)
		}
		mp.rng.Shuffle(len(mp.order), func(a, b int) { mp.order[a], mp.order[b] = mp.order[b], mp.order[a] })
		for _, j := range mp.order {
			if s.gcwaiting.Load() {
				// `if sched.gcwaiting.Load() { return ..., true }`
				// before each victim (proc.go:3838-3841): findRunnable
				// goes to its top, which stops the M (here the stop
				// path's check under sched.lock does).
				return nil, 0, -1, 0
			}
			p2 := s.ps[j]
			if p2 == pp {
				continue
			}
			// `if !idlepMask.read(...)`: every P not on the idle list,
			// a P startm gave an M included (allp holds no dead P).
			if p2.idlep.Load() || p2.status.Load() == pDead {
				continue
			}
			gp, n, fromNext := mp.runqsteal(pp, p2, stealNext)
			if gp != nil {
				if fromNext {
					mp.branch(brStealNext)
					return gp, srcStealNext, p2.id, 0
				}
				mp.branch(brSteal)
				return gp, srcSteal, p2.id, n
			}
		}
	}
	return nil, 0, -1, 0
}

// startlockedm (proc.go): `incidlelocked(-1); pp := releasep();
// mp.nextp.set(pp); notewakeup(&mp.park); stopm()`. The locked M, woken in
// stoplockedm, acquires the P and executes gp (stoplockedmReturns, its own
// op); the closing stopm is this M's next op. It returns a throw, or "".
func (mp *m) startlockedm(gp *g) string {
	s := mp.s
	lm := gp.lockedm
	if lm == mp {
		return throwStartlockedmMe
	}
	if lm.nextp.Load() != nil {
		return throwStartlockedmHasP
	}
	s.lockSched(&mp.actor)
	s.nmidlelocked--
	pp, msg := s.releasepLocked(mp)
	if msg == "" {
		lm.nextp.Store(pp)
		s.notewakeupLocked(lm)
	}
	s.unlockSched(&mp.actor)
	mp.branch(brStartlockedm)
	if msg != "" {
		return msg
	}
	mp.stopping = true
	return ""
}

// startlockedmOwed is schedule's startlockedm of the G a spinning M found
// locked to another M, after resetspinning's wakep, recorded as op
// startlockedm.
func (mp *m) startlockedmOwed() {
	r := mp.begin(opStartlockedm)
	gp := mp.handing
	mp.handing = nil
	r.g, r.c = gp.idx, int32(gp.lockedm.id)
	if msg := mp.startlockedm(gp); msg != "" {
		mp.throwOp(&r, msg)
		return
	}
	mp.commit(&r)
}
