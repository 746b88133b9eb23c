package spec

// Step applies op to a copy of s and returns the next state and the
// observable result, or an error: a *Throw when the transition reaches a
// runtime throw, a *Disabled when op's precondition does not hold. s is not
// modified. On error the returned state is the partial state at the throw,
// useful for reports.
func Step(s *State, op Op) (*State, Result, error) {
	n := s.Clone()
	r, err := n.Apply(op)
	return n, r, err
}

// Apply is Step in place: it changes s. A *Disabled error leaves s
// unchanged; a *Throw leaves it as it was at the throw.
func (s *State) Apply(op Op) (Result, error) {
	r, err := s.apply(op)
	if err == nil {
		s.settleStaleGCReads()
	}
	return r, err
}

func (s *State) apply(op Op) (Result, error) {
	if op.Pre != 0 {
		// A composite (ReduceGWrites): its parts, in order.
		parts := op.Parts(make([]Op, 0, 4))
		for _, p := range parts[:len(parts)-1] {
			if r, err := s.Apply(p); err != nil {
				return r, err
			}
		}
		op = parts[len(parts)-1]
	}
	r := NewResult()
	if s.Sched.Terminal != Alive && !s.inFlightAtEnd(op.Kind) {
		return r, s.disabled(op, "the program has ended: "+s.Sched.Terminal.String())
	}
	switch op.Kind {
	case OpRetake:
		return s.retake(op)
	case OpHandoffp:
		return s.sysmonHandoffp(op)
	case OpProcResize:
		return s.procresize(op)
	case OpGC:
		return s.gcToggle(op)
	case OpMarkrootFreeGStacks:
		return s.markrootFreeGStacks(op)
	case OpMarkrootFreeGStacksPush:
		return s.markrootFreeGStacksPush(op)
	case OpStopTheWorld:
		return s.stopTheWorld(op, Bounds{})
	}
	if op.M == Sysmon && (op.Kind == OpStartm || op.Kind == OpHandoffpLocked || op.Kind == OpHandoffpStore) {
		return s.handoffpStep(op)
	}
	if op.M == Controller {
		switch op.Kind {
		case OpWakep:
			return s.ctlWakep(op)
		case OpWakepStartm:
			return s.ctlWakepStartm(op)
		case OpStartm:
			return s.ctlStartm(op)
		}
	}
	if op.Kind == 0 || op.Kind >= numOps {
		return r, s.disabled(op, "unknown op kind")
	}
	// Every other op is made by a live M.
	mp, err := s.actor(op)
	if err != nil {
		return r, err
	}
	m := &s.Ms[mp]
	if m.WakeP && op.Kind != OpWakep {
		return r, s.disabled(op, "its wakep comes first (goschedImpl's or resetspinning's)")
	}
	if m.Waking && op.Kind != OpWakepStartm {
		return r, s.disabled(op, "wakep's sched.lock section comes first (wakepstartm)")
	}
	if m.StartmP != None && op.Kind != s.Ps[m.StartmP].Handoff.Next() {
		return r, s.disabled(op, "wakep's startm or handoffp's next step ("+s.Ps[m.StartmP].Handoff.Next().String()+") comes first")
	}
	if m.SpinP != None && op.Kind != OpRunqputBatch && op.Kind != OpAcquireP {
		return r, s.disabled(op, "the recheck's runqputbatch and acquirep come first")
	}
	if m.StealTail && op.Kind != OpRunqstealTail {
		return r, s.disabled(op, "runqsteal's tail store comes first")
	}
	if !m.StealTail && !m.SpinClear && m.SpinP == None && m.P != None && m.Curg == None && len(s.Ps[m.P].Held) != 0 && op.Kind != OpRunqputBatch {
		return r, s.disabled(op, "findRunnable's runqputbatch comes first")
	}
	if m.Stopping && m.Recheck && op.Kind != OpRecheck {
		return r, s.disabled(op, "the recheck's checkIdleGCNoP step comes first, then stopm")
	}
	if m.Stopping && !m.Recheck && op.Kind != OpStopm {
		return r, s.disabled(op, "its stopm comes first (after the stop path, the recheck, startlockedm or exitsyscallNoP)")
	}
	if m.Handing != None && !m.WakeP && !m.Waking && m.StartmP == None && op.Kind != OpStartlockedm {
		return r, s.disabled(op, "startlockedm comes first")
	}
	if m.StopLocked && !m.WakeP && !m.Waking && m.StartmP == None && op.Kind != OpStoplockedm {
		return r, s.disabled(op, "stoplockedm comes first")
	}
	if m.Mexiting && op.Kind != OpMexit {
		return r, s.disabled(op, "mexit comes first")
	}
	if m.Mfreed && m.StartmP == None && op.Kind != OpMfreed {
		return r, s.disabled(op, "mexit's nmfreed++ comes first")
	}
	if m.GCStopping && op.Kind != OpGCStopm {
		return r, s.disabled(op, "gcstopm's sched.lock section comes first")
	}
	if m.SpinClear && op.Kind != OpSpin {
		return r, s.disabled(op, "becomeSpinning's needspinning store comes first")
	}
	if m.Curg == None && m.P != None && (s.Ps[m.P].Kicked != None || len(s.Ps[m.P].SlowBatch) != 0) {
		// The preempted G's runqput (preempt) left its second step.
		switch op.Kind {
		case OpRunqputKick:
			return s.runqputKick(op, mp)
		case OpRunqputslowPush:
			return s.runqputslowPush(op, mp)
		}
		return r, s.disabled(op, "runqput's second step comes first (runqputkick or runqputslowpush, of goschedImpl's, goyield_m's or the preemption's runqput)")
	}
	switch op.Kind {
	case OpSchedule:
		// After the checks above: an M that owes a step of the op
		// before (gosched's wakep, goyield's runqputslow push,
		// becomeSpinning's store, a locked G's exit's mexit) makes it
		// before schedule runs (proc.go:4341-4345, 4470-4471,
		// 3517-3522, 4553-4567).
		return s.schedule(op)
	case OpGCStopm:
		return s.gcstopm(op, mp)
	case OpMexit:
		return s.mexit(op, mp)
	case OpMfreed:
		return s.mfreed(op, mp)
	case OpStartlockedm:
		return s.startlockedmOp(op, mp)
	case OpStoplockedm:
		return s.stoplockedmOp(op, mp)
	case OpWakep:
		return s.wakepOp(op, mp)
	case OpWakepStartm:
		return s.wakepStartm(op, mp)
	case OpStartm:
		return s.startmOp(op, mp)
	case OpHandoffpLocked, OpHandoffpStore:
		return s.handoffpStep(op)
	case OpStopSpinning:
		return s.stopSpinning(op, mp)
	case OpSpin:
		return s.spin(op, mp)
	case OpAcquireP:
		return s.acquirep(op, mp)
	case OpStopm:
		return s.stopm(op, mp)
	case OpRecheck:
		return s.recheck(op, mp)
	case OpRunqputBatch:
		return s.runqputBatch(op, mp)
	case OpRunqstealTail:
		return s.runqstealTail(op, mp)
	case OpMcall:
		// mcall(fn) where fn returns: asm_amd64.s calls badmcall2. On g0,
		// mcall throws first (badmcall).
		if m.Curg == None {
			return r, throwf(ThrowBadmcall, "badmcall")
		}
		return r, throwf(ThrowBadmcall2, "badmcall2")
	case OpExit, OpGoexit:
		if m.Curg == None {
			// goexit1 -> mcall(goexit0) on g0: asm_amd64.s mcall
			// compares g with m->g0 and calls badmcall.
			return r, throwf(ThrowBadmcall, "badmcall")
		}
	case OpExitSyscall:
		if m.Curg == None || s.Gs[m.Curg].Status != Syscall {
			return r, s.disabled(op, "no goroutine of this M is in a syscall")
		}
		return s.exitsyscall(op, mp)
	}
	// The rest run on behalf of the M's current G, which must be executing.
	if m.Curg == None || s.Gs[m.Curg].Status != Running {
		return r, s.disabled(op, "the M has no running goroutine")
	}
	if m.NewG != None && op.Kind != OpRunqput {
		return r, s.disabled(op, "newproc has a G to queue first (runqput)")
	}
	if s.inNewproc1(m) && op.Kind != OpNewproc1 {
		return r, s.disabled(op, "newproc1 takes its goid from the batch it fetched first (newproc1)")
	}
	if m.P != None && s.Ps[m.P].Kicked != None && op.Kind != OpRunqputKick {
		return r, s.disabled(op, "runqput has the old runnext to put on the ring first (runqputkick)")
	}
	if m.P != None && len(s.Ps[m.P].SlowBatch) != 0 && op.Kind != OpRunqputslowPush {
		return r, s.disabled(op, "runqputslow has its batch to put on the global queue first (runqputslowpush)")
	}
	switch op.Kind {
	case OpGoidRefill:
		return s.goidrefill(op, mp)
	case OpNewproc1:
		return s.newproc1(op, mp)
	case OpRunqput:
		return s.runqputOp(op, mp)
	case OpReady:
		return s.ready(op, mp)
	case OpRunqputslowPush:
		return s.runqputslowPush(op, mp)
	case OpRunqputKick:
		return s.runqputKick(op, mp)
	case OpExit, OpGoexit:
		return s.goexit(op, mp)
	case OpGosched:
		return s.gosched(op, mp)
	case OpGoyield:
		if m.P == None {
			return r, s.disabled(op, "the M holds no P")
		}
		return s.goyield(op, mp)
	case OpPark:
		return s.park(op, mp)
	case OpEnterSyscall:
		return s.entersyscall(op, mp)
	case OpPreempt:
		if m.P == None {
			return r, s.disabled(op, "the M holds no P")
		}
		return s.preempt(op, mp)
	case OpLockOSThread, OpUnlockOSThread, OpLockInt, OpUnlockInt:
		return s.lockOSThread(op, mp)
	case OpGrowStack:
		g := &s.Gs[m.Curg]
		if g.Stack == 0 {
			return r, s.disabled(op, "the goroutine has no stack")
		}
		// newstack: `newsize := oldsize * 2`, and `if newsize >
		// maxstacksize ... { throw("stack overflow") }` before
		// copystack(gp, newsize).
		if int64(g.Stack)*2 > MaxStackSize {
			r.G = m.Curg
			return r, throwf(ThrowStackOverflow, "newstack")
		}
		g.Stack *= 2
		r.G, r.Value = m.Curg, int64(g.Stack)
		return r, nil
	case OpAssist:
		if op.N == 0 {
			return r, s.disabled(op, "assist needs a credit or a debt")
		}
		s.Gs[m.Curg].GCAssist = op.N
		r.G = m.Curg
		return r, nil
	case OpDirty:
		s.Gs[m.Curg].Cleared = AllCleared
		r.G = m.Curg
		return r, nil
	}
	return r, s.disabled(op, "unknown op kind")
}

// inFlightAtEnd reports whether an op of this kind may still complete after
// the program ended. exit(0) after main returns ends the process wherever
// the other Ms are: what they were doing is cut short and unobservable, so
// any op may complete. checkdead's fatal errors come when no M runs
// (run == 0); sysmon's retake and its handoffp are still accepted after
// one, though the spec counts sysmon's bracket (incidlelocked(-1) ...
// incidlelocked(1), RunningMs) so that no checkdead ends the program
// inside it, and a new retake needs a G in a syscall, which makes
// checkdead throw instead: an over-acceptance kept for histories whose
// sysmon op overlaps the end. The GC's stack freeing is accepted after the end too, although
// in the runtime it runs on a counted M (an idle-time mark worker keeps
// its M from stopping while the root job is unclaimed), so checkdead
// cannot fire before it: the spec has no GC workers, and lets the last M
// stop (an over-approximation, doc.go's "Left out"). Enabled offers no op
// in a terminal state: the explorer stops there.
func (s *State) inFlightAtEnd(k OpKind) bool {
	if s.Sched.Terminal == MainReturned {
		return true
	}
	return k == OpRetake || k == OpHandoffp || k == OpMarkrootFreeGStacks || k == OpMarkrootFreeGStacksPush
}

func (s *State) disabled(op Op, why string) error { return &Disabled{Op: op, Why: why} }

// actor checks op.M names an M that can act.
func (s *State) actor(op Op) (int, error) {
	if op.M < 0 || int(op.M) >= len(s.Ms) {
		return 0, s.disabled(op, "no such M")
	}
	m := &s.Ms[op.M]
	if m.Exited && op.Kind != OpAcquireP {
		// (An exited M's slot may take a pending P as newm's new
		// thread: acquirep.)
		return 0, s.disabled(op, "the M has exited (mexit)")
	}
	if m.Wedged {
		return 0, s.disabled(op, "m0 is parked forever")
	}
	return int(op.M), nil
}

// casgstatus models proc.go casgstatus: it checks no transition graph, it
// spins until gp's status is old. A G in another status would spin forever;
// the spec reports that as a throw.
func (s *State) casgstatus(g int32, old, new Status) error {
	if s.Gs[g].Status != old {
		return throwf(ThrowCasgstatus+": G"+itoa(int64(g))+" is "+s.Gs[g].Status.String()+", want "+old.String(), "casgstatus")
	}
	s.Gs[g].Status = new
	return nil
}

// goidrefill is newproc1's batch fetch: when pp.goidcache == pp.goidcacheend
// it takes [goidgen+1, goidgen+_GoidCacheBatch] with sched.goidgen.Add.
// The runtime fetches the batch inside newproc1, on the system stack, and
// takes the new G's goid from it right after (proc.go:5390-5400). An
// implementation may record the fetch as an op of its own (an atomic add
// other Ms can observe); then the M's next op is that newproc1
// (inNewproc1), though other actors may step in between. Enabled does not
// offer it: newproc1 makes the fetch itself when the cache is empty
// (Result.Batch). Nothing but another fetch reads sched.goidgen, and the
// goids are renamed away by the fingerprint, so where between a newproc1's
// fetch and its goid another M's fetch falls changes which goids the two
// get, never what either can do next.
func (s *State) goidrefill(op Op, mp int) (Result, error) {
	r := NewResult()
	pp := &s.Ps[s.Ms[mp].P]
	if pp.GoidCache != pp.GoidEnd {
		return r, s.disabled(op, "the P's goid cache is not empty")
	}
	r.Goid = s.GoidRefill(s.Ms[mp].P)
	return r, nil
}

// inNewproc1 reports whether m is inside newproc1 between its goid batch
// fetch and the goid it takes: its P holds a whole batch no goid was taken
// from. No other state has one: a batch is fetched only when a newproc1
// needs a goid, procresize's new Ps start with an empty cache and P0 starts
// with main's goid taken (NewState).
func (s *State) inNewproc1(m *M) bool {
	if m.P == None || m.Curg == None {
		return false
	}
	pp := &s.Ps[m.P]
	return pp.GoidEnd-pp.GoidCache == int64(s.Cfg.Consts.GoidBatch)
}

// newproc1 models proc.go newproc1 up to the status change: gfget, or malg
// and allgadd; the goid from the P's cache; dead -> runnable; ngsys. The new
// G is held by the M until runqput (newproc).
func (s *State) newproc1(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	pi := m.P
	pp := &s.Ps[pi]
	g, how, refilled, stack, err := s.gfget(pi)
	if err != nil {
		return r, err
	}
	if g == None {
		// malg(stackMin); casgstatus(newg, _Gidle, _Gdead); allgadd(newg).
		g = s.Malg(StackMin)
		if err := s.casgstatus(g, Idle, Dead); err != nil {
			return r, err
		}
		if s.Gs[g].Status == Idle {
			return r, throwf(ThrowAllgaddIdle, "allgadd")
		}
		how, stack = HowMalg, StackAllocated
	}
	newg := &s.Gs[g]
	if newg.Stack == 0 {
		return r, throwf(ThrowMissingStack, "newproc1")
	}
	if newg.Status != Dead {
		return r, throwf(ThrowNotDead, "newproc1")
	}
	system := op.N != 0
	newg.System = system
	if system {
		s.Sched.NGSys++
	} else if cur := m.Curg; cur != None {
		// Only user goroutines inherit synctest bubbles and pprof labels.
		newg.Cleared = s.Gs[cur].Cleared & (FieldLabels | FieldBubble)
	}
	if cur := m.Curg; cur != None {
		// Every goroutine inherits its creator's fips140 bypass
		// (`newg.fipsOnlyBypass = callergp.fipsOnlyBypass`, proc.go:5408;
		// also ditWanted, which the spec does not model: gdestroy leaves
		// it, and this copy overwrites it on reuse).
		newg.Cleared = newg.Cleared&^FieldFipsOnlyBypass | s.Gs[cur].Cleared&FieldFipsOnlyBypass
	}
	if pp.GoidCache == pp.GoidEnd {
		// `if pp.goidcache == pp.goidcacheend { pp.goidcache =
		// sched.goidgen.Add(_GoidCacheBatch) ... }`.
		r.Batch = s.GoidRefill(pi)
	}
	newg.Goid = pp.GoidCache
	if err := s.casgstatus(g, Dead, Runnable); err != nil {
		return r, err
	}
	s.TakeGoid(pi) // the goid read above: pp.goidcache++
	m.NewG = g
	r.G, r.Goid, r.How, r.Refilled, r.Stack = g, newg.Goid, how, refilled, stack
	return r, nil
}

// gfget models proc.go gfget: refill an empty local list from the global
// lists (stack list first) up to RefillTo, pop, and fix the stack. The
// halves are the free-list sub-machine's GfgetRefill and GfgetPop
// (freelists.go).
func (s *State) gfget(pi int8) (g int32, how string, refilled int32, stack string, err error) {
	sc := &s.Sched
	how = HowLocal
	if len(s.Ps[pi].GFree) == 0 && (len(sc.GFreeStack) != 0 || len(sc.GFreeNoStack) != 0) {
		how = HowRefill
		fromStack, fromNoStack := s.GfgetRefill(pi)
		refilled = fromStack + fromNoStack
	}
	g, stack = s.GfgetPop(pi)
	if g == None {
		return None, "", refilled, "", nil
	}
	return g, how, refilled, stack, nil
}

// runqputOp is newproc's runqput(pp, newg, true).
func (s *State) runqputOp(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	if m.NewG == None {
		return r, s.disabled(op, "no G from newproc1 to queue")
	}
	g := m.NewG
	m.NewG = None
	r.G = g
	var err error
	if r.Kicked, r.Slow, err = s.runqput(m.P, g, true); err != nil || r.Slow || r.Kicked != None {
		// The wakep follows the kicked G's put (runqputkick) or
		// runqputslow's push (runqputslowpush).
		return r, err
	}
	// newproc: `if mainStarted { wakep() }`, the M's next step.
	m.WakeP = true
	return r, nil
}

// runqput models proc.go runqput: with next, gp takes runnext by the CAS
// `pp.runnext.cas(oldnext, gp)`, and an old runnext is kicked out: the
// op ends there, the P's owner holding the old G (P.Kicked, runqput's
// local gp = oldnext.ptr()), and puts it on the ring as its next step
// (runqputKick): the two are separate steps because between the CAS and
// the store at the ring's tail another M's runqsteal can run and see the
// kicked G on no queue. Without next, or
// with no old runnext to kick, the G goes to the ring's tail; a full ring
// goes through runqputslow, whose first step ends the op (runqputslow).
// On wasm there is no sysmon, so next is ignored (!haveSysmon). The steps
// are the run-queue sub-machine's (runqs.go).
func (s *State) runqput(pi int8, g int32, next bool) (kicked int32, slow bool, err error) {
	if s.Cfg.Wasm {
		next = false
	}
	if next {
		old := s.RunqPutNext(pi, g)
		if old != None {
			s.Ps[pi].Kicked = old
		}
		return old, false, nil
	}
	slow, err = s.runqputTail(pi, g)
	return None, slow, err
}

// runqputTail is runqput's `retry:` loop: the store at the ring's tail,
// or runqputslow when the ring is full.
func (s *State) runqputTail(pi int8, g int32) (slow bool, err error) {
	if s.RunqPutRing(pi, g) {
		return false, nil
	}
	return true, s.runqputslow(pi, g)
}

// runqputKick models the rest of runqput after its CAS on pp.runnext
// kicked an old runnext out (`gp = oldnext.ptr()`, then `retry:`): the
// old G is stored at the ring's tail, or, with a full ring, runqputslow
// takes half the ring and the G (whose push, OpRunqputslowPush, is then
// the M's next step). Only the M that owns the P holding the kicked G
// makes it, and it makes nothing else first. Result.G is the kicked G.
func (s *State) runqputKick(op Op, mp int) (Result, error) {
	r := NewResult()
	pi := s.Ms[mp].P
	if pi == None || s.Ps[pi].Kicked == None {
		return r, s.disabled(op, "runqput kicked no runnext out on this M's P")
	}
	g := s.Ps[pi].Kicked
	s.Ps[pi].Kicked = None
	r.G = g
	var err error
	if r.Slow, err = s.runqputTail(pi, g); err != nil || r.Slow {
		// The wakep follows runqputslow's push (runqputslowpush).
		return r, err
	}
	// runqput returns to newproc, ready or goschedImpl, which call
	// wakep: the M's next step.
	s.wakepAfterRunqput(mp)
	return r, nil
}

// wakepAfterRunqput is what follows a runqput that needed a second step
// (runqputkick, runqputslowpush): the caller's wakep, the M's next step,
// and after a preemption's (the M runs no G) schedule's head
// (afterDeschedule).
func (s *State) wakepAfterRunqput(mp int) {
	s.Ms[mp].WakeP = true
	if s.Ms[mp].Curg == None {
		s.afterDeschedule(mp)
	}
}

// runqputslow models the first of proc.go runqputslow's two steps: the
// CAS on runqhead takes the first half of the (full) ring
// (RunqputslowTake), and `batch[n] = gp` adds the G that did not fit. The
// batch stays with the P's owner M (P.SlowBatch), runnable and on no run
// queue, until the second step, runqputslowPush, puts it on the global
// queue under sched.lock. The two are separate ops because the window
// between them is observable: a thief or findRunnable sees the batch on
// no queue, and another M's globrunqput may come first.
func (s *State) runqputslow(pi int8, g int32) error {
	pp := &s.Ps[pi]
	batch, err := s.RunqputslowTake(pi, pp.SlowBatch[:0])
	if err != nil {
		return err
	}
	pp.SlowBatch = append(batch, g)
	return nil
}

// runqputslowPush models runqputslow's second step: `lock(&sched.lock);
// globrunqputbatch(&q); unlock(&sched.lock)` with q the batch its CAS
// took, in order (ring head first, the G that did not fit last), at the
// global queue's tail (GlobrunqPutBatch). Only the M that owns the P
// holding the batch makes it, and it makes nothing else first (the
// runtime's runqputslow returns to runqput after it). Result.Value is the
// number of Gs pushed.
func (s *State) runqputslowPush(op Op, mp int) (Result, error) {
	r := NewResult()
	pi := s.Ms[mp].P
	if pi == None || len(s.Ps[pi].SlowBatch) == 0 {
		return r, s.disabled(op, "runqputslow holds no batch on this M's P")
	}
	pp := &s.Ps[pi]
	s.GlobrunqPutBatch(pp.SlowBatch)
	r.Value = int64(len(pp.SlowBatch))
	pp.SlowBatch = pp.SlowBatch[:0]
	if m := &s.Ms[mp]; m.YieldSlow {
		// goyield_m's runqput returns to it, and it calls schedule:
		// no wakep.
		m.YieldSlow = false
		s.afterDeschedule(mp)
		return r, nil
	}
	// runqput returns to newproc, ready or goschedImpl, which call
	// wakep: the M's next step.
	s.wakepAfterRunqput(mp)
	return r, nil
}

// ready models proc.go ready(gp, traceskip, next=true) as called by goready.
func (s *State) ready(op Op, mp int) (Result, error) {
	r := NewResult()
	if op.G < 0 || int(op.G) >= len(s.Gs) {
		return r, s.disabled(op, "no such G")
	}
	if s.Gs[op.G].Status != Waiting {
		// ready: `if status&^_Gscan != _Gwaiting { dumpgstatus(gp);
		// throw("bad g->status in ready") }` (proc.go:1125-1127).
		return r, throwf(ThrowReadyStatus, "ready")
	}
	s.Gs[op.G].Status = Runnable
	r.G = op.G
	var err error
	if r.Kicked, r.Slow, err = s.runqput(s.Ms[mp].P, op.G, true); err != nil || r.Slow || r.Kicked != None {
		return r, err
	}
	// ready's wakep, the M's next step.
	s.Ms[mp].WakeP = true
	return r, nil
}

// releasep detaches the M's P: proc.go releasep / releasepNoTrace.
func (s *State) releasep(mp int) (int8, error) {
	m := &s.Ms[mp]
	pi := m.P
	switch {
	case pi == None:
		return None, throwf(ThrowReleasepArg, "releasep") // `if gp.m.p == 0` (proc.go:6337)
	case s.Ps[pi].M != int8(mp) || s.Ps[pi].Status != PRunning:
		return None, throwf(ThrowReleasep, "releasep")
	}
	m.P = None
	s.Ps[pi].M = None
	s.Ps[pi].Status = PIdle
	return pi, nil
}

// acquirep wires P pi to M mp: proc.go acquirep / wirep.
func (s *State) acquirepOn(mp int, pi int8) error {
	pp := &s.Ps[pi]
	switch {
	case s.Ms[mp].P != None:
		return throwf(ThrowWirepInGo, "wirep") // `if gp.m.p != 0` (proc.go:6299)
	case pp.M != None || (pp.Status != PIdle && pp.Status != PHandoff):
		return throwf(ThrowWirep, "wirep")
	}
	s.Ms[mp].P = pi
	pp.M = int8(mp)
	pp.Status = PRunning
	return nil
}

// dropg models proc.go dropg: m.curg.m = nil, m.curg = nil.
func (s *State) dropg(mp int) {
	m := &s.Ms[mp]
	if m.Curg != None {
		s.Gs[m.Curg].M = None
	}
	m.Curg = None
}

// stoplockedm models proc.go stoplockedm up to mPark: the M keeps waiting
// for its locked G; its P, if any, is handed off.
func (s *State) stoplockedm(mp int, n int8) (handedOff bool, err error) {
	m := &s.Ms[mp]
	if m.LockedG == None || s.Gs[m.LockedG].LockedM != int8(mp) {
		return false, throwf(ThrowStoplockedm, "stoplockedm")
	}
	if m.P != None {
		pi, err := s.releasep(mp)
		if err != nil {
			return false, err
		}
		s.handoffpRead(pi, n)
		s.Ms[mp].StartmP = pi
		return true, nil
	}
	return false, nil
}
