package spec

// Bounds limit the ops Enabled offers, so that the reachable space is
// finite. They bound the workload, never the runtime's behaviour: every op
// offered is one the runtime could perform.
type Bounds struct {
	// Gs bounds len(allgs): newproc1 is offered only while gfget can
	// succeed or malg stays within it.
	Gs int
	// LockDepth bounds LockOSThread nesting (lockedExt); internal
	// lockOSThread (lockedInt) is offered only when LockInt is set.
	LockDepth int
	LockInt   bool
	// MaxStack bounds copystack growth; StackSizes are the values a GC's
	// end may set startingStackSize to (gcMarkDone's
	// gcComputeStartingStackSize; none: it stays StackMin, as without GC).
	MaxStack   int32
	StackSizes []int32
	// Families of ops to leave out, to shrink the space.
	NoSystem, NoGC, NoAssist, NoDirty, NoSyscalls, NoLocks, NoProcResize, NoGosched, NoGoyield bool
}

// DefaultBounds are the explorer's defaults for a bound of gs Gs.
func DefaultBounds(gs int) Bounds {
	return Bounds{Gs: gs, LockDepth: 1, MaxStack: 2 * StackMin, StackSizes: []int32{StackMin, 2 * StackMin}}
}

// Enabled appends to buf every op enabled in s within b, in a fixed order,
// and returns it. Apply succeeds on each (or reaches a throw, which is a
// bug). Throw-only ops (mcall with a returning fn, unlockint below zero,
// exits with lockedInt set, but on wasm, where they do not throw) are
// never offered: the runtime does not make them.
func (s *State) Enabled(b Bounds, buf []Op) []Op {
	ops := buf[:0]
	if s.Sched.Terminal != Alive {
		return ops
	}
	for mi := range s.Ms {
		m := &s.Ms[mi]
		M := int8(mi)
		if m.Exited {
			// newm's thread, in the exited thread's place, for a P
			// startm found no idle M for.
			ops = s.newmChoices(M, ops)
			continue
		}
		if m.Wedged {
			continue
		}
		switch {
		case m.SpinClear:
			ops = append(ops, Op{Kind: OpSpin, M: M})
		case m.WakeP || m.Waking:
			ops = append(ops, Op{Kind: wakepNext(m.WakeP, m.Waking), M: M})
		case m.StartmP != None:
			// wakep's startm, or handoffp's next step.
			ops = append(ops, Op{Kind: s.Ps[m.StartmP].Handoff.Next(), M: M})
		case m.Stopping && m.Recheck:
			// checkIdleGCNoP's step after checkRunqsNoP found work
			// and no idle P (recheckIdleGC): its needspinning store
			// where it changes the state.
			ops = append(ops, Op{Kind: OpRecheck, M: M})
			if s.Sched.GCBlacken && s.Sched.Pidle == None && !s.Sched.NeedSpinning {
				ops = append(ops, Op{Kind: OpRecheck, M: M, N: RecheckIdleGC})
			}
		case m.Stopping:
			ops = append(ops, Op{Kind: OpStopm, M: M})
		case m.Handing != None:
			ops = append(ops, Op{Kind: OpStartlockedm, M: M})
		case m.Curg == None && m.P != None && s.Ps[m.P].Kicked != None:
			// A preempted G's runqput kicked the old runnext out.
			ops = append(ops, Op{Kind: OpRunqputKick, M: M})
		case m.Curg == None && m.P != None && len(s.Ps[m.P].SlowBatch) != 0:
			ops = append(ops, Op{Kind: OpRunqputslowPush, M: M})
		case m.StopLocked || m.Mexiting:
			// releasep and handoffp's reads, with each outcome of its
			// GC test (handoffpGCChoices).
			k := OpStoplockedm
			if !m.StopLocked {
				k = OpMexit
			}
			var buf [2]int8
			for _, n := range s.handoffpGCChoices(m.P, buf[:0]) {
				ops = append(ops, Op{Kind: k, M: M, N: n})
			}
		case m.Mfreed:
			ops = append(ops, Op{Kind: OpMfreed, M: M})
		case m.SpinP != None && len(s.Ps[m.SpinP].Held) > 1:
			ops = append(ops, Op{Kind: OpRunqputBatch, M: M})
		case m.SpinP != None:
			ops = append(ops, Op{Kind: OpAcquireP, M: M, P: m.SpinP})
		case m.StealTail:
			ops = append(ops, Op{Kind: OpRunqstealTail, M: M})
		case m.P != None && m.Curg == None && len(s.Ps[m.P].Held) != 0:
			ops = append(ops, Op{Kind: OpRunqputBatch, M: M})
		case m.GCStopping:
			ops = append(ops, Op{Kind: OpGCStopm, M: M})
		case m.P != None && m.Curg == None && m.NewG == None && m.LockedG == None && s.Sched.GCWaiting:
			// findRunnable's top: gcstopm; an M past its racy check
			// of gcwaiting still finds work, but does not idle its P
			// (the stop path checks again under sched.lock), nor,
			// after its spin, take the stop path's global batch. Only
			// an M in findRunnable when the stop-the-world began can
			// be past that read (M.StaleGCRead).
			ops = append(ops, Op{Kind: OpGCStopm, M: M})
			if !m.StaleGCRead {
				break
			}
			n := len(ops)
			ops = s.scheduleChoices(M, ops)
			k := n
			for _, op := range ops[n:] {
				if op.Kind == OpSchedule && (op.Source == SrcIdle || op.Source == SrcGlobal && m.StealWork) {
					continue
				}
				ops[k] = op
				k++
			}
			ops = ops[:k]
		case m.P != None && m.Curg == None && m.NewG == None && m.LockedG == None:
			ops = s.scheduleChoices(M, ops)
		case m.Curg != None && s.Gs[m.Curg].Status == Syscall:
			if m.P != None {
				ops = append(ops, Op{Kind: OpExitSyscall, M: M, P: None, N: int8(ExitKeep)})
				break
			}
			if m.OldP != None && s.setBlockOnExitSyscall(m.OldP) != None {
				ops = append(ops, Op{Kind: OpExitSyscall, M: M, P: None, N: int8(ExitOldP)})
			}
			if s.Sched.Pidle != None {
				ops = append(ops, Op{Kind: OpExitSyscall, M: M, P: None, N: int8(ExitPidle)},
					Op{Kind: OpExitSyscall, M: M, P: None, N: int8(ExitNoPPidle)})
			} else {
				ops = append(ops, Op{Kind: OpExitSyscall, M: M, P: None, N: int8(ExitNoP)})
			}
		case m.Curg != None && s.Gs[m.Curg].Status == Running:
			if m.NewG != None {
				ops = append(ops, Op{Kind: OpRunqput, M: M})
				break
			}
			if m.P != None && s.Ps[m.P].Kicked != None {
				ops = append(ops, Op{Kind: OpRunqputKick, M: M})
				break
			}
			if m.P != None && len(s.Ps[m.P].SlowBatch) != 0 {
				ops = append(ops, Op{Kind: OpRunqputslowPush, M: M})
				break
			}
			ops = s.runningOps(M, b, ops)
		case m.LockedG != None && m.P == None && m.Curg == None && m.NextP != None:
			// stoplockedm returns: startlockedm handed the M its P.
			ops = append(ops, Op{Kind: OpAcquireP, M: M, P: m.NextP})
		case m.P == None && m.Curg == None && m.LockedG == None && m.NewG == None:
			switch {
			case m.NextP != None:
				// stopm returns: acquirep(mp.nextp).
				ops = append(ops, Op{Kind: OpAcquireP, M: M, P: m.NextP})
			case m.Recheck && m.Spinning:
				ops = append(ops, Op{Kind: OpStopSpinning, M: M})
			case m.Recheck && !m.RecheckRunqs:
				// findRunnable's recheck, its first sched.lock section
				// (proc.go:3676-3693): the global queue and
				// pidlegetSpinning, read under the lock, so one
				// outcome: take the idle head with the global batch,
				// or go on to checkRunqsNoP (storing needspinning
				// for global work with no idle P).
				if s.Sched.Pidle != None && len(s.Sched.Runq) != 0 {
					ops = append(ops, Op{Kind: OpRecheck, M: M, Source: SrcGlobal})
				} else {
					ops = append(ops, Op{Kind: OpRecheck, M: M})
				}
			case m.Recheck:
				// checkRunqsNoP (proc.go:3695, 3902-3915) reads each P's
				// run queue without a lock, one P at a time, and takes
				// an idle P in a sched.lock section of its own after
				// the reads. Work may come and go on a P while it
				// reads, so each outcome of its reads (Op.N:
				// RecheckFound) is offered whatever the run queues hold
				// now, as the relaxed op accepts; where both outcomes
				// give the same state (found, no idle P, needspinning
				// set already, the GC off: no checkIdleGCNoP step)
				// only one is offered.
				ops = append(ops, Op{Kind: OpRecheck, M: M})
				if s.Sched.Pidle != None || !s.Sched.NeedSpinning || s.Sched.GCBlacken {
					ops = append(ops, Op{Kind: OpRecheck, M: M, N: RecheckFound})
				}
				// checkIdleGCNoP's needspinning store (no idle P, the
				// GC marking): the state RecheckFound reaches with no
				// idle P, by a step that is strict with no work on the
				// run queues too (the liveness graph's edge).
				if s.Sched.GCBlacken && s.Sched.Pidle == None && !s.Sched.NeedSpinning && !s.recheckWork(int(M)) {
					ops = append(ops, Op{Kind: OpRecheck, M: M, N: RecheckIdleGC})
				}
			case m.Parked && s.exitedM() == None:
				// newm's thread for a P startm found no idle M for,
				// which an idle M stands in for while no thread has
				// exited (the spec's Ms are bounded).
				ops = s.newmChoices(M, ops)
			}
		}
	}
	if pi := s.Sched.RetakeP; pi != None {
		// sysmon is one thread: its retake's handoffp comes next, and
		// handoffp's steps.
		if h := s.Ps[pi].Handoff; h != HandoffNone {
			ops = append(ops, Op{Kind: h.Next(), M: Sysmon})
		} else {
			var buf [2]int8
			for _, n := range s.handoffpGCChoices(pi, buf[:0]) {
				ops = append(ops, Op{Kind: OpHandoffp, M: Sysmon, N: n})
			}
		}
	} else if !s.Cfg.Wasm && !b.NoSyscalls {
		for pi := range s.Ps {
			p := &s.Ps[pi]
			if p.Status == PRunning && p.M != None {
				if cg := s.Ms[p.M].Curg; cg != None && s.Gs[cg].Status == Syscall {
					ops = append(ops, Op{Kind: OpRetake, M: Sysmon, P: int8(pi)})
				}
			}
		}
	}
	if s.ctlBusy() {
		ops = append(ops, Op{Kind: wakepNext(s.Sched.CtlWakeP, s.Sched.CtlWaking), M: Controller})
	}
	sc := &s.Sched
	switch {
	case sc.GCWaiting:
		if s.worldStopped() {
			ops = s.ctlActions(b, ops)
		}
	case !s.ctlBusy() && len(sc.GFreeDetached) == 0 && s.stwActionEnabled(b):
		// stopTheWorldWithSema, for an action chosen once the world
		// has stopped (stw.go), leaving any set of the Ps in syscalls
		// to a retake in progress.
		var sys uint8
		for pi := range s.Ps {
			if s.setBlockOnExitSyscall(int8(pi)) != None {
				sys |= 1 << uint(pi)
			}
		}
		for skip := sys; ; skip = (skip - 1) & sys {
			ops = append(ops, Op{Kind: OpStopTheWorld, M: Controller, N: int8(sys &^ skip)})
			if skip == 0 {
				break
			}
		}
	}
	if !b.NoGC && sc.GCBlacken && !sc.GCWaiting {
		// The mark phase's root job, on a mark worker between
		// gcStart's and gcMarkDone's stop-the-worlds.
		switch {
		case !sc.FreeGStacksDone:
			ops = append(ops, Op{Kind: OpMarkrootFreeGStacks, M: Controller})
		case len(sc.GFreeDetached) != 0:
			ops = append(ops, Op{Kind: OpMarkrootFreeGStacksPush, M: Controller})
		}
	}
	return ops
}

// ctlActions appends the controller's actions with the world stopped
// (startTheWorldWithSema follows each in the same step): procresize(n)
// for every other n, gcStart's gcBlackenEnabled = 1, or gcMarkDone's end
// of marking with each startingStackSize gcComputeStartingStackSize may
// set (the size may stay).
func (s *State) ctlActions(b Bounds, ops []Op) []Op {
	if !b.NoProcResize {
		for n := 1; n <= len(s.Ps); n++ {
			if s.actionRefusal(OpProcResize, n) == "" {
				ops = append(ops, Op{Kind: OpProcResize, M: Controller, N: int8(n)})
			}
		}
	}
	if b.NoGC {
		return ops
	}
	if !s.Sched.GCBlacken {
		return append(ops, Op{Kind: OpGC, M: Controller, N: 1})
	}
	if s.actionRefusal(OpGC, 0) == "" {
		ops = append(ops, Op{Kind: OpGC, M: Controller, N: 0})
		for _, size := range b.StackSizes {
			if size != s.Sched.StartingStackSize {
				ops = append(ops, Op{Kind: OpGC, M: Controller, N: 0, Size: size})
			}
		}
	}
	return ops
}

func (s *State) scheduleChoices(M int8, ops []Op) []Op {
	m := &s.Ms[M]
	pp := &s.Ps[m.P]
	sc := &s.Sched
	// After the spin (M.StealWork) findRunnable is past its top.
	tick := !m.StealWork && pp.SchedTick%uint32(s.Cfg.Consts.GlobalTick) == 0 && len(sc.Runq) != 0
	localEmpty := pp.Runnext == None && len(pp.Ring) == 0
	if tick {
		ops = append(ops, Op{Kind: OpSchedule, M: M, Source: SrcTick})
	}
	// The tick's read of the global queue is racy, and runqget comes
	// after it (Schedule choices, doc.go): the local queue's G is
	// offered beside the pick.
	switch {
	case pp.Runnext != None:
		ops = append(ops, Op{Kind: OpSchedule, M: M, Source: SrcRunnext})
	case len(pp.Ring) != 0:
		ops = append(ops, Op{Kind: OpSchedule, M: M, Source: SrcRing})
	}
	if !localEmpty {
		return ops
	}
	if len(sc.Runq) != 0 {
		ops = append(ops, Op{Kind: OpSchedule, M: M, Source: SrcGlobal})
	}
	if !m.Spinning {
		// findRunnable spins before it steals or gives up. Its reads of
		// the global queue and of the spin limit are racy (proc.go:3474,
		// 3517): another M may fill the queue or begin spinning between
		// them and becomeSpinning, and the M spins anyway. So the spin is
		// offered whatever the queue and the limit hold (spin accepts it
		// relaxed), beside the global batch or the idle branch. This
		// over-approximates: it also lets an M spin past a G that was
		// on the global queue all along, which the stop path's recheck
		// under sched.lock then finds. For the same reason the stop path
		// (the idle branch, below) is offered whatever the limit holds:
		// an M that read it reached skips the spin even after another
		// M's decrement has lowered it.
		ops = append(ops, Op{Kind: OpSpin, M: M})
	}
	for v := range s.Ps {
		vp := &s.Ps[v]
		if !m.Spinning || int8(v) == m.P || !vp.Status.Stealable() {
			continue
		}
		if len(vp.Ring) != 0 {
			ops = append(ops, Op{Kind: OpSchedule, M: M, Source: SrcSteal, Victim: int8(v)})
		}
		if vp.Runnext != None {
			ops = append(ops, Op{Kind: OpSchedule, M: M, Source: SrcStealNext, Victim: int8(v)})
		}
	}
	if len(sc.Runq) == 0 {
		ops = append(ops, Op{Kind: OpSchedule, M: M, Source: SrcIdle})
	}
	return ops
}

func (s *State) runningOps(M int8, b Bounds, ops []Op) []Op {
	m := &s.Ms[M]
	g := &s.Gs[m.Curg]
	// newproc1 fetches a goid batch itself when the cache is empty: the
	// op goidrefill is not offered (see goidrefill). After a history's
	// goidrefill (impl records the fetch on its own) the same newproc1,
	// which takes its goid, is the M's only op.
	fetched := s.inNewproc1(m)
	if fetched || len(s.Gs) < b.Gs || s.freeAvailable(m.P) {
		ops = append(ops, Op{Kind: OpNewproc1, M: M})
		if !b.NoSystem {
			ops = append(ops, Op{Kind: OpNewproc1, M: M, N: 1})
		}
	}
	if fetched {
		return ops
	}
	if s.Sched.GCWaiting && m.P != None {
		ops = append(ops, Op{Kind: OpPreempt, M: M})
	}
	for gi := range s.Gs {
		if s.Gs[gi].Status == Waiting {
			ops = append(ops, Op{Kind: OpReady, M: M, G: int32(gi)})
		}
	}
	// On wasm the runtime's one runtime-internal lockOSThread is
	// runtime.main's around the package inits (proc.go:185;
	// cgocallbackg's and debugcall's are not built for wasm): only main
	// locks and unlocks the count, and it unlocks before main.main
	// (proc.go:268-269) and, in a Goexit during init, in the deferred
	// call that runs first (proc.go:205-210). dolockOSThread wires
	// nothing on wasm (proc.go:5599), so the count stays on m0 for the
	// Gs that run while main waits in an init.
	wasmMain := s.Cfg.Wasm && s.Gs[m.Curg].Goid == MainGoid
	if m.LockedInt == 0 || s.Cfg.Wasm && !wasmMain {
		// gdestroy throws for a G that exits locked with lockedInt set
		// (proc.go:4546-4552); on wasm lockOSThread locks nothing and
		// gdestroy returns after gfput before that check (proc.go:4541),
		// so the M keeps main's count for its next G.
		ops = append(ops, Op{Kind: OpExit, M: M}, Op{Kind: OpGoexit, M: M})
	}
	if !b.NoGosched {
		ops = append(ops, Op{Kind: OpGosched, M: M})
	}
	if !b.NoGoyield && m.P != None {
		ops = append(ops, Op{Kind: OpGoyield, M: M})
	}
	ops = append(ops, Op{Kind: OpPark, M: M})
	if !b.NoSyscalls {
		ops = append(ops, Op{Kind: OpEnterSyscall, M: M})
	}
	if !b.NoLocks {
		if int(m.LockedExt) < b.LockDepth {
			ops = append(ops, Op{Kind: OpLockOSThread, M: M})
		}
		if m.LockedExt > 0 {
			ops = append(ops, Op{Kind: OpUnlockOSThread, M: M})
		}
		if b.LockInt && (!s.Cfg.Wasm || wasmMain) {
			if m.LockedInt == 0 {
				ops = append(ops, Op{Kind: OpLockInt, M: M})
			} else {
				ops = append(ops, Op{Kind: OpUnlockInt, M: M})
			}
		}
	}
	if g.Stack != 0 && g.Stack < b.MaxStack {
		ops = append(ops, Op{Kind: OpGrowStack, M: M})
	}
	if !b.NoAssist && !b.NoGC {
		if g.GCAssist != 1 {
			ops = append(ops, Op{Kind: OpAssist, M: M, N: 1})
		}
		if g.GCAssist != -1 {
			ops = append(ops, Op{Kind: OpAssist, M: M, N: -1})
		}
	}
	if !b.NoDirty && g.Cleared != AllCleared {
		ops = append(ops, Op{Kind: OpDirty, M: M})
	}
	return ops
}

// freeAvailable reports whether gfget on P pi would find a free G.
func (s *State) freeAvailable(pi int8) bool {
	return len(s.Ps[pi].GFree) != 0 || len(s.Sched.GFreeStack) != 0 || len(s.Sched.GFreeNoStack) != 0
}

// wakepNext is the next step of a wakep an M or the controller owes:
// wakep (its CAS, or resetspinning first), then wakepstartm after the
// CAS, then startm of the P the section took.
func wakepNext(wakeP, waking bool) OpKind {
	switch {
	case wakeP:
		return OpWakep
	case waking:
		return OpWakepStartm
	}
	return OpStartm
}
