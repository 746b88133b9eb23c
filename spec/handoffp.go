package spec

// handoffp (proc.go:3131-3196) for a P released by sysmon's retake,
// stoplockedm or mexit (entersyscallblock and forEachPInternal's
// handoffp, its other callers, are not modelled). The runtime makes it in
// several synchronised pieces, and other threads act between them; each
// is a step of the spec, made by the caller, which holds the P meanwhile
// (PHandoff, no M's, off the idle list, not newm's: M.StartmP of an M in
// stoplockedm or mexit, Sched.RetakeP for sysmon), and P.Handoff says
// which comes next:
//
//  1. the unlocked reads (handoffpRead, part of the caller's op: sysmon's
//     OpHandoffp, OpStoplockedm, OpMexit): `!runqempty(pp) ||
//     !sched.runq.empty()` -> startm(pp, false) (HandoffStartm); the
//     trace reader's work is not modelled; `gcBlackenEnabled != 0 &&
//     gcShouldScheduleWorker(pp)` -> startm(pp, false), the op's choice
//     (Op.N HandoffGCWork, see handoffpGCChoice); then
//     `sched.nmspinning.Load()+sched.npidle.Load() == 0 &&
//     sched.nmspinning.CompareAndSwap(0, 1)` -> needspinning's store
//     (HandoffStore); otherwise the sched.lock section (HandoffLocked);
//  2. OpHandoffpStore: `sched.needspinning.Store(0)`, then startm(pp,
//     true) (HandoffStartmSpin). Another M's stop path can read
//     needspinning between the CAS and the store, as between
//     becomeSpinning's (M.SpinClear);
//  3. OpHandoffpLocked, under sched.lock: gcwaiting -> _Pgcstop
//     (gcstopP, with the P's oldm: the M that held it); runSafePointFn
//     (not modelled); `!sched.runq.empty()` -> unlock, startm(pp, false)
//     (HandoffStartm); the last running P while nobody polls the network,
//     `npidle == gomaxprocs-1 && lastpoll != 0` -> unlock, startm(pp,
//     false) (the spec has no netpoller: lastpoll is never zeroed, see
//     HandoffpLastRunningP); otherwise pidleput. Its decision reads the
//     idle list under the lock: a P the unlocked read saw idle may have
//     been taken since (exitsyscall's pidleget), and the P then goes idle
//     with nmspinning+npidle == 0, as in the runtime;
//  4. OpStartm: startm(pp, spinning), its own sched.lock section for
//     mget: the P to mget's M as its nextp, or left for newm's M.
//
// When the P is idle, stopped or handed to an M, the caller goes on:
// stoplockedm's incidlelocked(1) (checkdead), sysmon's incidlelocked(1)
// closing retake's bracket (checkdead), and for mexit its nmfreed++, the
// M's next step (OpMfreed).

// HandoffStep is the step of handoffp a P's holder makes next (P.Handoff).
type HandoffStep uint8

const (
	HandoffNone       HandoffStep = iota // no handoffp holds the P (or sysmon's has not begun: OpHandoffp)
	HandoffLocked                        // the sched.lock section (OpHandoffpLocked)
	HandoffStore                         // `sched.needspinning.Store(0)` after the CAS (OpHandoffpStore)
	HandoffStartm                        // startm(pp, false, false) (OpStartm)
	HandoffStartmSpin                    // startm(pp, true, false) after the CAS and the store (OpStartm)
)

var handoffStepNames = [...]string{"", "lock", "store", "startm", "startm-spin"}

func (h HandoffStep) String() string {
	if int(h) < len(handoffStepNames) {
		return handoffStepNames[h]
	}
	return "handoff(" + itoa(int64(h)) + ")"
}

// counted reports whether handoffp has taken nmspinning's increment for
// the spinning M its startm will start: from its CAS to its startm.
func (h HandoffStep) counted() bool { return h == HandoffStore || h == HandoffStartmSpin }

// Next is the op kind that makes step h.
func (h HandoffStep) Next() OpKind {
	switch h {
	case HandoffLocked:
		return OpHandoffpLocked
	case HandoffStore:
		return OpHandoffpStore
	}
	return OpStartm
}

// HandoffGCWork is the Op.N of handoffp's unlocked reads (OpHandoffp,
// OpStoplockedm, OpMexit) that found GC mark work, `gcBlackenEnabled != 0
// && gcShouldScheduleWorker(pp)` (proc.go:3146-3149): startm(pp, false),
// an M for the GC worker. gcShouldScheduleWorker is `!pp.gcw.empty() ||
// gcMarkWorkAvailable()`: heap work (work.full, the P's gcw) and root
// jobs, of which the spec models one (markrootFreeGStacks) and no heap.
// So while the GC marks, whether work is left is the op's input, but
// for one case: while markrootFreeGStacks's job is unclaimed
// (!Sched.FreeGStacksDone), `work.markrootNext < work.markrootJobs` and
// the runtime finds work. The choice exists only where the test is
// reached: no local or global work.
const HandoffGCWork = 1

// HandoffSawNoGlobal (a bit of Op.N with HandoffGCWork) is the outcome of
// handoffp's first read, `!runqempty(pp) || !sched.runq.empty()`
// (proc.go:3136), that saw the global queue empty where it now holds a G:
// the read is racy and comes before handoffp's others, so a G put there
// since, with the P's own queue empty, goes unseen, and handoffp goes on
// to its GC test and `sched.nmspinning.Load()+sched.npidle.Load() == 0`
// with the CAS (proc.go:3152), which read later values (a spinning M may
// have given up meanwhile). Only in an op that overlapped another (not
// Strict).
const HandoffSawNoGlobal = 2

// HandoffSawNoHelp (a bit of Op.N) is the outcome of handoffp's test
// `sched.nmspinning.Load()+sched.npidle.Load() == 0 &&
// sched.nmspinning.CompareAndSwap(0, 1)` (proc.go:3152), three accesses
// one after another and no lock, that read nmspinning 0, then npidle 0,
// and whose CAS then succeeds, where no one instant had both 0: between
// the loads a wakep took the last idle P for a spinning M (nmspinning 1,
// npidle 0), and between the second load and the CAS that M found
// nothing and gave both back (pidleput, then nmspinning 0). The CAS
// takes the increment and handoffp starts a spinning M for the P
// (HandoffStore) while a P is idle. So with nmspinning 0 and a P idle at
// the CAS the op may still take that path. Only in an op that overlapped
// another (not Strict): the others of the window are its.
const HandoffSawNoHelp = 4

// handoffpGCChoice checks op's choices (Op.N) for the reads of handoffp
// of P pi (None: the op makes no handoffp), before the op changes
// anything.
func (s *State) handoffpGCChoice(op Op, pi int8) error {
	gc, saw, nohelp := op.N&HandoffGCWork != 0, op.N&HandoffSawNoGlobal != 0, op.N&HandoffSawNoHelp != 0
	switch {
	case op.N&^(HandoffGCWork|HandoffSawNoGlobal|HandoffSawNoHelp) != 0:
		return s.disabled(op, "N is a set of HandoffGCWork (1), HandoffSawNoGlobal (2) and HandoffSawNoHelp (4)")
	case saw && (pi == None || !s.handoffpLocalEmpty(pi) || len(s.Sched.Runq) == 0):
		return s.disabled(op, "handoffp's read of sched.runq can miss only a G put there since, with the P's own queue empty")
	case saw && op.Strict:
		return s.disabled(op, "strict: handoffp's read of sched.runq sees the G there")
	case nohelp && op.Strict:
		return s.disabled(op, "strict: handoffp reads nmspinning and npidle at one instant")
	case nohelp && (pi == None || !s.handoffpNoWork(pi, saw) || gc):
		return s.disabled(op, "handoffp does not reach its test of nmspinning+npidle (no P, local or global work, or GC work)")
	case nohelp && !s.handoffpSawNoHelp():
		return s.disabled(op, "handoffp's split reads of nmspinning and npidle matter only where its CAS succeeds (nmspinning 0) and a P is idle")
	case pi == None || !s.handoffpNoWork(pi, saw):
		if gc {
			return s.disabled(op, "handoffp does not reach its GC test (no P, or local or global work)")
		}
	case gc && !s.Sched.GCBlacken:
		return s.disabled(op, "the GC is not marking: gcBlackenEnabled is 0")
	case !gc && s.Sched.GCBlacken && !s.Sched.FreeGStacksDone:
		return s.disabled(op, "markrootFreeGStacks's root job is unclaimed: gcMarkWorkAvailable holds (N must have HandoffGCWork)")
	}
	return nil
}

// handoffpSawNoHelp: handoffp's CAS of nmspinning would succeed while a P
// is idle, where its split reads may have seen both counts 0
// (HandoffSawNoHelp).
func (s *State) handoffpSawNoHelp() bool {
	return s.Sched.NMSpinning == 0 && s.npidle() != 0
}

// handoffpLocalEmpty: P pi's own run queue is empty.
func (s *State) handoffpLocalEmpty(pi int8) bool {
	pp := &s.Ps[pi]
	return pp.Runnext == None && len(pp.Ring) == 0
}

// handoffpNoWork is handoffp's first read, `!runqempty(pp) ||
// !sched.runq.empty()`, negated: neither P pi's run queue nor the global
// queue holds work (or the read missed the global queue's: saw,
// HandoffSawNoGlobal), so its reads go on to the GC test.
func (s *State) handoffpNoWork(pi int8, saw bool) bool {
	return s.handoffpLocalEmpty(pi) && (len(s.Sched.Runq) == 0 || saw)
}

// handoffpGCChoices appends the Op.N values handoffp's reads of P pi (None:
// no handoffp) may take: HandoffGCWork, 0, or both; and, with the P's
// queue empty and a G on the global queue, HandoffSawNoGlobal where the
// GC test may find no work (with work it starts an M as N 0 does); and,
// to each choice that reaches the test of nmspinning+npidle, the same
// with HandoffSawNoHelp where that can change its outcome.
func (s *State) handoffpGCChoices(pi int8, ns []int8) []int8 {
	sc := &s.Sched
	switch {
	case pi == None:
		return append(ns, 0)
	case !s.handoffpNoWork(pi, false):
		ns = append(ns, 0)
		if s.handoffpLocalEmpty(pi) && !(sc.GCBlacken && !sc.FreeGStacksDone) {
			ns = append(ns, HandoffSawNoGlobal)
			if s.handoffpSawNoHelp() {
				ns = append(ns, HandoffSawNoGlobal|HandoffSawNoHelp)
			}
		}
		return ns
	case !sc.GCBlacken:
		ns = append(ns, 0)
	case !sc.FreeGStacksDone:
		return append(ns, HandoffGCWork)
	default:
		ns = append(ns, 0, HandoffGCWork)
	}
	if s.handoffpSawNoHelp() {
		ns = append(ns, HandoffSawNoHelp)
	}
	return ns
}

// handoffpRead is handoffp's unlocked reads for P pi, which its caller
// holds from now on (the P is PHandoff, held, P.Handoff the next step);
// n is the op's choices for them (handoffpGCChoice checked them).
func (s *State) handoffpRead(pi int8, n int8) {
	pp := &s.Ps[pi]
	sc := &s.Sched
	pp.Status, pp.M, pp.Link, pp.StartSpinning = PHandoff, None, None, false
	switch {
	case !s.handoffpNoWork(pi, n&HandoffSawNoGlobal != 0):
		// `if !runqempty(pp) || !sched.runq.empty() { startm(pp,
		// false, false) }`.
		pp.Handoff = HandoffStartm
	case n&HandoffGCWork != 0:
		// `if gcBlackenEnabled != 0 && gcShouldScheduleWorker(pp) {
		// startm(pp, false, false) }`.
		pp.Handoff = HandoffStartm
	case n&HandoffSawNoHelp != 0 || sc.NMSpinning+s.npidle() == 0:
		// No spinning M and no idle P: "our help is required" (or
		// the split reads saw both 0: HandoffSawNoHelp). The CAS
		// succeeds (nmspinning is 0) and takes the increment for the
		// M the startm will start.
		sc.NMSpinning = 1
		pp.Handoff = HandoffStore
	default:
		pp.Handoff = HandoffLocked
	}
}

// handoffpHolder returns the P op's actor holds for its handoffp (an M's
// StartmP while it holds no P of its own, sysmon's RetakeP once its
// handoffp began), or None.
func (s *State) handoffpHolder(op Op) int8 {
	var pi int8
	switch {
	case op.M == Sysmon:
		pi = s.Sched.RetakeP
	case op.M >= 0 && int(op.M) < len(s.Ms) && s.Ms[op.M].P == None:
		pi = s.Ms[op.M].StartmP
	default:
		return None
	}
	if pi == None || s.Ps[pi].Handoff == HandoffNone {
		return None
	}
	return pi
}

// handoffpStep is OpHandoffpLocked, OpHandoffpStore and a handoffp's
// OpStartm, by an M or by sysmon: the step P.Handoff names for the P the
// actor holds. Result.P is the P; Result.Value, for OpStartm the step
// (HandoffStartm or HandoffStartmSpin), for OpHandoffpLocked the branch
// (a HandoffLockedBranch); Result.Woke and HandedTo are startm's.
func (s *State) handoffpStep(op Op) (Result, error) {
	r := NewResult()
	pi := s.handoffpHolder(op)
	if pi == None {
		return r, s.disabled(op, "the actor holds no P for a handoffp")
	}
	pp := &s.Ps[pi]
	h := pp.Handoff
	if op.Kind != h.Next() {
		return r, s.disabled(op, "handoffp's next step is "+h.Next().String())
	}
	r.P = pi
	if op.Kind == OpStartm {
		r.Value = int64(h)
	}
	sc := &s.Sched
	oldm := int(op.M)
	if op.M == Sysmon {
		oldm = int(sc.RetakeM)
	} else if op.M > 0 && s.Ms[op.M].Mfreed {
		// mexit's handoffp: `mp.self.clear()` came before it
		// (proc.go:2027), so the P's oldm, the weak pointer acquirep
		// set, is nil when the stop-the-world stops the P (m0 parks
		// before the clear and keeps it).
		oldm = int(None)
	}
	switch h {
	case HandoffStore:
		sc.NeedSpinning = false
		pp.Handoff = HandoffStartmSpin
		return r, nil
	case HandoffLocked:
		switch {
		case sc.GCWaiting:
			// `pp.status = _Pgcstop; ... sched.stopwait--`: oldm
			// held the P (its acquirep made it pp.oldm).
			r.Value = int64(HandoffGCStop)
			pp.Handoff = HandoffNone
			s.gcstopP(pi, oldm)
		case len(sc.Runq) != 0:
			r.Value = int64(HandoffGlobal)
			pp.Handoff = HandoffStartm
			return r, nil
		case s.HandoffpLastRunningP():
			r.Value = int64(HandoffLastP)
			pp.Handoff = HandoffStartm
			return r, nil
		default:
			r.Value = int64(HandoffIdle)
			pp.Handoff = HandoffNone
			if err := s.pidleput(pi); err != nil {
				return r, err
			}
		}
	default: // HandoffStartm, HandoffStartmSpin
		pp.Handoff = HandoffNone
		var err error
		if r, err = s.startmOf(r, pi, h == HandoffStartmSpin); err != nil {
			return r, err
		}
	}
	return r, s.handoffpDone(op, &r)
}

// handoffpDone lets the P go and ends the caller's handoffp: stoplockedm's
// incidlelocked(1), sysmon's (both run checkdead); mexit's nmfreed++ is
// the M's next step.
func (s *State) handoffpDone(op Op, r *Result) error {
	if op.M == Sysmon {
		s.Sched.RetakeP, s.Sched.RetakeM = None, None
		return s.checkdead(r)
	}
	m := &s.Ms[op.M]
	m.StartmP = None
	if m.StopLocked {
		m.StopLocked = false
		return s.checkdead(r)
	}
	return nil
}

// HandoffLockedBranch is the branch handoffp's sched.lock section took
// (Result.Value of OpHandoffpLocked).
type HandoffLockedBranch int

const (
	HandoffGCStop HandoffLockedBranch = iota + 1 // gcwaiting: the P stops
	HandoffGlobal                                // the global queue holds work: startm(pp, false) next
	HandoffLastP                                 // the last running P: startm(pp, false) next
	HandoffIdle                                  // pidleput
)

var handoffBranchNames = [...]string{"", "gcstop", "global", "lastp", "idle"}

func (b HandoffLockedBranch) String() string {
	if b > 0 && int(b) < len(handoffBranchNames) {
		return handoffBranchNames[b]
	}
	return ""
}
