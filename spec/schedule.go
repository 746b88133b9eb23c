package spec

// StopNeedSpinning is the Result.Value of a schedule with source idle whose
// non-spinning M found sched.needspinning set: it keeps its P and spins.
// (1: a spinning M dropped its P; 0: any other M did.)
const StopNeedSpinning = 2

// schedule models one round of proc.go schedule: findRunnable with the
// source chosen by op.Source (and op.Victim), then execute, or startlockedm
// when the G is locked to another M, or stopm when nothing is found.
//
// Which sources are enabled follows findRunnable's order where the runtime
// guarantees it under concurrency, and is relaxed where the runtime reads
// shared state without a lock (see the package doc, "Schedule choices").
// After findRunnable's spin (M.StealWork) the order is stealWork's and
// then the stop path's; the op ends that findRunnable pass either way.
func (s *State) schedule(op Op) (Result, error) {
	r, err := s.findRunnable(op)
	if _, off := err.(*Disabled); !off && int(op.M) < len(s.Ms) && op.M >= 0 {
		s.Ms[op.M].StealWork = false
	}
	return r, err
}

func (s *State) findRunnable(op Op) (Result, error) {
	r := NewResult()
	mp, err := s.actor(op)
	if err != nil {
		return r, err
	}
	m := &s.Ms[mp]
	switch {
	case m.P == None:
		return r, s.disabled(op, "the M holds no P")
	case s.Sched.GCWaiting && (op.Strict || !m.StaleGCRead || op.Source == SrcIdle || op.Source == SrcGlobal && m.StealWork):
		// findRunnable's top: `if sched.gcwaiting.Load() { gcstopm();
		// goto top }`, and stealWork's check before each victim, are
		// racy reads: an M past them when the stop-the-world began
		// (M.StaleGCRead) still takes a G (relaxed); one that came to
		// findRunnable after it reads gcwaiting set. Its stop path checks again under
		// sched.lock, which stopTheWorldWithSema holds to set it:
		// the stop path's global batch, the only one after the spin
		// (M.StealWork), comes after that check (proc.go:3594-3600).
		return r, s.disabled(op, "a stop-the-world is under way: findRunnable stops the M (gcstopm)")
	case m.Curg != None:
		return r, s.disabled(op, "the M is running G"+itoa(int64(m.Curg)))
	case m.NewG != None:
		return r, s.disabled(op, "newproc has a G to queue first")
	case m.LockedG != None:
		// schedule: `if mp.lockedg != 0 { stoplockedm(); execute(...) }`.
		return r, s.disabled(op, "a locked M only waits for its G (stoplockedm)")
	case m.Handing != None:
		return r, s.disabled(op, "the M hands G"+itoa(int64(m.Handing))+" to its locked M first (startlockedm)")
	case len(s.Ps[m.P].Held) != 0:
		return r, s.disabled(op, "findRunnable's runqputbatch of the global batch, or runqsteal's tail store, comes first")
	}
	pi := m.P
	pp := &s.Ps[pi]
	c := s.Cfg.Consts
	sc := &s.Sched
	// findRunnable's top: `if pp.schedtick%61 == 0 &&
	// !sched.runq.empty()`. After the spin (M.StealWork) the M is past it.
	spun := m.StealWork
	tick := !spun && pp.SchedTick%uint32(c.GlobalTick) == 0 && len(sc.Runq) != 0
	localEmpty := pp.Runnext == None && len(pp.Ring) == 0
	var g int32 = None
	inherit := false
	switch op.Source {
	case SrcTick:
		if spun {
			return r, s.disabled(op, "after the spin findRunnable goes on to stealWork and its stop path, past the 61st tick's pick")
		}
		if !tick {
			return r, s.disabled(op, "no global pick: schedtick%GlobalTick != 0 or the global queue is empty")
		}
		g = s.GlobrunqGet()
	case SrcRunnext:
		if op.Strict && tick || pp.Runnext == None {
			return r, s.disabled(op, "runnext is empty or the global pick comes first")
		}
		// runqget: the runnext G inherits the time slice.
		g, inherit = s.RunqGet(pi)
	case SrcRing:
		// The 61st tick's read of the global queue is racy, and
		// runqget comes after it: between them another M may put a G
		// there and take from this P's ring (runqsteal), so a relaxed
		// op may take the local queue's G while the pick is due.
		if op.Strict && tick || pp.Runnext != None || len(pp.Ring) == 0 {
			return r, s.disabled(op, "the ring is empty, or runnext or the global pick comes first")
		}
		g, _ = s.RunqGet(pi)
	case SrcGlobal:
		if !localEmpty || len(sc.Runq) == 0 {
			return r, s.disabled(op, "the local queue has work or the global queue is empty")
		}
		if op.Strict && tick {
			// findRunnable: `if pp.schedtick%61 == 0 &&
			// !sched.runq.empty()` takes one G (globrunqget) before
			// anything else; only a racy read of the global queue's
			// emptiness lets the batch come first.
			return r, s.disabled(op, "strict: the global pick of the 61st tick comes first")
		}
		if op.Strict && spun {
			// After the spin the batch is the stop path's
			// (proc.go:3599-3600, no tick check), after stealWork.
			if w := s.stealable(pi, true); w != None {
				return r, s.disabled(op, "strict: P"+itoa(int64(w))+" has work stealWork takes before the stop path's global batch")
			}
		}
		// `gp, q := globrunqgetbatch(int32(len(pp.runq)) / 2)` under
		// sched.lock (findRunnable's global queue, or its stop path's
		// recheck); runqputbatch(pp, &q) after the unlock is the M's
		// next step (OpRunqputBatch), which runs gp: until it the
		// batch is on no queue (P.Held). A batch of one has nothing to
		// put: gp runs in this step.
		var held []int32
		g, held = s.GlobrunqGetBatch(s.GlobrunqBatchMax(), append(pp.Held[:0], None))
		r.Moved = int32(len(held) - 1)
		if len(held) > 1 {
			held[0] = g
			pp.Held = held
			r.G, r.Source = g, SrcGlobal
			return r, nil
		}
	case SrcSteal, SrcStealNext:
		v := op.Victim
		if !localEmpty {
			return r, s.disabled(op, "the local queue has work")
		}
		if !m.Spinning {
			return r, s.disabled(op, "only a spinning M steals (OpSpin first)")
		}
		if v < 0 || int(v) >= len(s.Ps) || v == pi {
			return r, s.disabled(op, "no such victim P")
		}
		vp := &s.Ps[v]
		if !vp.Status.Stealable() {
			// stealWork skips idle Ps (idlepMask); dead Ps are not in allp.
			return r, s.disabled(op, "the victim is "+vp.Status.String())
		}
		r.Victim = v
		if op.Strict {
			// findRunnable: the global batch comes before stealWork;
			// stealWork's first three passes take rings only
			// (stealRunNextG is i == stealTries-1), and runqgrab takes
			// a victim's ring before its runnext.
			if len(sc.Runq) != 0 && !spun {
				// After the spin stealWork does not look at the
				// global queue (M.StealWork).
				return r, s.disabled(op, "strict: the global queue is not empty (globrunqgetbatch comes before stealWork)")
			}
			if op.Source == SrcStealNext {
				if w := s.stealable(pi, false); w != None {
					return r, s.disabled(op, "strict: P"+itoa(int64(w))+"'s ring is not empty (stealWork takes rings before any runnext)")
				}
			}
		}
		if op.Source == SrcStealNext {
			if vp.Runnext == None {
				return r, s.disabled(op, "the victim's runnext is empty")
			}
			// runqgrab with stealRunNextG: CAS runnext to 0.
			g = s.RunqGrabNext(v)
			break
		}
		// runqgrab: n - n/2 from the head; runqsteal runs the last one.
		if len(vp.Ring) == 0 {
			return r, s.disabled(op, "the victim's ring is empty")
		}
		batch := s.RunqGrabRing(v, append(pp.Held[:0], None))
		r.Moved = int32(len(batch) - 2)
		if len(batch) > 2 {
			// runqgrab's CAS on the victim's runqhead took two or
			// more; runqsteal's `atomic.StoreRel(&pp.runqtail, t+n)`
			// that publishes all but the last is the M's next step
			// (OpRunqstealTail), which runs the last.
			batch[0] = batch[len(batch)-1]
			pp.Held = batch[:len(batch)-1]
			m.StealTail = true
			r.G, r.Source = batch[0], op.Source
			return r, nil
		}
		g = batch[1]
	case SrcIdle:
		if !localEmpty || len(sc.Runq) != 0 {
			return r, s.disabled(op, "there is local or global work")
		}
		spin := m.Spinning
		if op.Strict && !spin && s.spinAllowed(mp) {
			return r, s.disabled(op, "strict: findRunnable spins before it gives up (2*nmspinning < gomaxprocs-npidle)")
		}
		if op.Strict && spin {
			if w := s.stealable(pi, true); w != None {
				return r, s.disabled(op, "strict: P"+itoa(int64(w))+" has work stealWork would take")
			}
		}
		// findRunnable's stop path: under sched.lock the global queue is
		// empty, releasep, pidleput, unlock. A spinning M is still
		// counted in nmspinning and rechecks next (OpStopSpinning, then
		// OpRecheck or OpAcquireP); any other M's stopm (mput, in a
		// sched.lock section of its own) is its next step (OpStopm): in
		// between it holds no P and is not on the idle M list, so a
		// startm finds no M to wake.
		r.Source = SrcIdle
		if !spin && sc.NeedSpinning {
			// `if !mp.spinning && sched.needspinning.Load() == 1 {
			// mp.becomeSpinning(); unlock(&sched.lock); goto top }`:
			// a spinning M found work it could not take, so this M
			// keeps its P and spins on its behalf.
			s.becomeSpinning(mp)
			r.Value = StopNeedSpinning
			return r, nil
		}
		if _, err := s.releasep(mp); err != nil {
			return r, err
		}
		if err := s.pidleput(pi); err != nil {
			return r, err
		}
		if spin {
			m.Recheck = true
			r.Value = 1
			return r, nil
		}
		m.Stopping = true
		return r, nil
	default:
		return r, s.disabled(op, "unknown schedule source")
	}
	r.Source = op.Source
	return r, s.runFound(mp, g, inherit, &r)
}

// runqstealTail is OpRunqstealTail: runqsteal after runqgrab's CAS took
// n+1 Gs (n >= 1) into the M's P's ring beyond its tail: `h :=
// atomic.LoadAcq(&pp.runqhead); if t-h+n >= uint32(len(pp.runq)) {
// throw("runqsteal: runq overflow") }; atomic.StoreRel(&pp.runqtail,
// t+n)` publishes the first n (P.Held after its first), and findRunnable
// returns the last (P.Held[0]), which schedule runs in this step.
// Result.Value is n, Result.P the P.
func (s *State) runqstealTail(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	if !m.StealTail || m.P == None || len(s.Ps[m.P].Held) < 2 {
		return r, s.disabled(op, "the M holds no batch runqgrab took")
	}
	pp := &s.Ps[m.P]
	q := pp.Held[1:]
	r.P, r.Value, r.Source = m.P, int64(len(q)), SrcSteal
	if err := s.runqstealPublish(m.P, q); err != nil {
		return r, err
	}
	g := pp.Held[0]
	pp.Held = pp.Held[:0]
	m.StealTail = false
	return r, s.runFound(mp, g, false, &r)
}

// runFound is schedule after findRunnable returned g: resetspinning's
// wakep owed by a spinning M, then startlockedm for a G locked to another
// M (after that wakep), or execute.
func (s *State) runFound(mp int, g int32, inherit bool, r *Result) error {
	m := &s.Ms[mp]
	r.G = g
	if m.Spinning {
		// schedule: `if mp.spinning { resetspinning() }` is the M's
		// next step (OpWakep): other Ms act between findRunnable's
		// return and it in the runtime.
		m.WakeP = true
	}
	if lm := s.Gs[g].LockedM; lm != None && !s.Cfg.Wasm {
		if m.WakeP {
			// schedule: `if mp.spinning { resetspinning() }` comes
			// before `if gp.lockedm != 0 { startlockedm(gp) }`: the M
			// holds the G (runnable, on no queue) and its P through the
			// wakep, and startlockedm is its step after it
			// (OpStartlockedm).
			m.Handing = g
			return nil
		}
		return s.startlockedm(mp, g, r)
	}
	return s.execute(mp, g, inherit)
}

// startlockedm (proc.go): `incidlelocked(-1); pp := releasep();
// mp.nextp.set(pp); notewakeup(&mp.park); stopm()`. The P goes to the
// locked M's nextp (handed off, as startm's) and the G stays runnable on
// no queue until the locked M, woken in stoplockedm, takes the P and
// executes it: its own step (OpAcquireP), as another thread does it. The
// closing stopm is this M's next step (OpStopm).
func (s *State) startlockedm(mp int, g int32, r *Result) error {
	m := &s.Ms[mp]
	lm := s.Gs[g].LockedM
	if int(lm) == mp {
		return throwf(ThrowStartlockedmMe, "startlockedm")
	}
	if s.Ms[lm].NextP != None {
		return throwf(ThrowStartlockedmHasP, "startlockedm")
	}
	pi, err := s.releasep(mp)
	if err != nil {
		return err
	}
	pp := &s.Ps[pi]
	pp.Status, pp.M, pp.Link = PHandoff, None, None
	s.Ms[lm].NextP = pi
	r.HandedTo = lm
	m.Stopping = true
	return nil
}

// startlockedmOp is OpStartlockedm: schedule's startlockedm of the G a
// spinning M found locked to another M (M.Handing), once resetspinning's
// wakep is done.
func (s *State) startlockedmOp(op Op, mp int) (Result, error) {
	r := NewResult()
	m := &s.Ms[mp]
	g := m.Handing
	if g == None {
		return r, s.disabled(op, "the M holds no G for startlockedm")
	}
	m.Handing = None
	r.G = g
	return r, s.startlockedm(mp, g, &r)
}

// execute models proc.go execute: curg and gp.m set before the G becomes
// running; schedtick counts unless the G inherits the time slice.
func (s *State) execute(mp int, g int32, inherit bool) error {
	m := &s.Ms[mp]
	m.Curg = g
	s.Gs[g].M = int8(mp)
	if err := s.casgstatus(g, Runnable, Running); err != nil {
		return err
	}
	if !inherit {
		s.Ps[m.P].SchedTick++
	}
	return nil
}

// stealable is the lowest P other than pi that stealWork would take work
// from (running, handed off or stopped, not idle: idlepMask), with a non-empty
// ring, or also a runnext when next is set; None if there is none.
func (s *State) stealable(pi int8, next bool) int8 {
	for v := range s.Ps {
		vp := &s.Ps[v]
		if int8(v) == pi || !vp.Status.Stealable() {
			continue
		}
		if len(vp.Ring) != 0 || (next && vp.Runnext != None) {
			return int8(v)
		}
	}
	return None
}
