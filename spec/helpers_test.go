package spec

import (
	"errors"
	"testing"
)

func newState(t testing.TB, preset string, ps, ms int) *State {
	t.Helper()
	c, err := Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Consts: c, Ps: ps, Ms: ms})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// do applies op, fails the test on any error or broken invariant, and
// returns the result.
func do(t testing.TB, s *State, op Op) Result {
	t.Helper()
	if op.Kind == OpRecheck && op.Source == 0 && op.M >= 0 && s.Ms[op.M].Recheck && !s.Ms[op.M].RecheckRunqs && !s.Ms[op.M].Spinning {
		// The recheck's first sched.lock section, the global queue's,
		// comes before checkRunqsNoP's, which op is: the result is
		// both's (needspinning stored by either).
		g := step(t, s, Op{Kind: OpRecheck, M: op.M, Strict: op.Strict})
		if !s.Ms[op.M].RecheckRunqs {
			t.Fatalf("M%d's recheck took the global batch in its first section; the test asked for checkRunqsNoP's\n%s", op.M, s.Dump())
		}
		r := do(t, s, op)
		r.Value |= g.Value
		return r
	}
	r := step(t, s, op)
	if op.M >= 0 && op.Kind != OpRunqputKick && s.Ms[op.M].P != None && s.Ps[s.Ms[op.M].P].Kicked != None {
		// runqput's put of the old runnext its CAS kicked out, the M's
		// next step (and the wakep after it): the result keeps the
		// kicked G and gains the put's runqputslow and wakep.
		kr := do(t, s, Op{Kind: OpRunqputKick, M: op.M})
		r.Slow, r.Woke = kr.Slow, kr.Woke
		return r
	}
	if op.Kind == OpSchedule && s.Ms[op.M].StealTail {
		// runqsteal's tail store after runqgrab's CAS took two or more,
		// the M's next step, which runs the last (and the wakep after
		// it): the result keeps the steal's and gains the run's.
		tr := do(t, s, Op{Kind: OpRunqstealTail, M: op.M})
		r.Woke, r.HandedTo = tr.Woke, tr.HandedTo
		return r
	}
	if op.Kind == OpSchedule && op.Source == SrcGlobal && s.Ms[op.M].P != None && len(s.Ps[s.Ms[op.M].P].Held) != 0 {
		// findRunnable's runqputbatch after the sched.lock section that
		// took the global batch, the M's next step, which runs the
		// batch's first G (and the wakep after it): the result keeps
		// the batch's count and gains the run's.
		br := do(t, s, Op{Kind: OpRunqputBatch, M: op.M})
		r.Woke, r.HandedTo = br.Woke, br.HandedTo
		return r
	}
	if op.M >= 0 && s.Ms[op.M].SpinClear {
		// becomeSpinning's needspinning store, the M's next step; after
		// the recheck's acquirep of a P with the global batch's first G
		// it runs that G (and the wakep after it): the result gains the
		// run's.
		sr := do(t, s, Op{Kind: OpSpin, M: op.M})
		if sr.Source == SrcGlobal {
			r.G, r.Source, r.Woke, r.HandedTo = sr.G, sr.Source, sr.Woke, sr.HandedTo
		}
		return r
	}
	if op.M == Controller && (op.Kind == OpProcResize || op.Kind == OpGC) {
		// startTheWorldWithSema's wakep, the controller's next steps.
		w := ctlWakepSteps(t, s)
		r.Woke, r.HandedTo = w.Woke, w.HandedTo
		if w.Fatal != "" {
			r.Fatal = w.Fatal
		}
	}
	if op.M >= 0 && s.Ms[op.M].WakeP && op.Kind != OpWakep && op.Kind != OpWakepStartm && op.Kind != OpStartm {
		// The wakep the op owes, the M's next steps: resetspinning's
		// decrement, wakep's CAS, its startm; then the startlockedm of
		// a G found locked to another M, and the stopm of an M that
		// handed its P to a locked M.
		r.Woke = false
		for s.Ms[op.M].WakeP || s.Ms[op.M].Waking || s.Ms[op.M].StartmP != None {
			k := OpWakep
			if s.Ms[op.M].Waking {
				k = OpWakepStartm
			} else if s.Ms[op.M].StartmP != None {
				k = OpStartm
			}
			if w := do(t, s, Op{Kind: k, M: op.M}); w.Woke {
				r.Woke = true
			}
		}
		if s.Ms[op.M].Handing != None {
			r.HandedTo = do(t, s, Op{Kind: OpStartlockedm, M: op.M}).HandedTo
		}
		if s.Ms[op.M].Stopping {
			do(t, s, Op{Kind: OpStopm, M: op.M})
		}
	}
	if op.M >= 0 && s.Ms[op.M].Mexiting && op.Kind != OpMexit {
		// The mexit a locked G's exit sends its thread to, and its
		// nmfreed++: the handoffp and checkdead show in the result.
		mr := do(t, s, Op{Kind: OpMexit, M: op.M})
		r.HandedOff, r.Fatal = mr.HandedOff, mr.Fatal
	} else if op.Kind == OpMexit && s.Ms[op.M].Mfreed {
		// handoffp's next steps, then nmfreed++.
		handoffpSteps(t, s, op.M)
		r.Fatal = do(t, s, Op{Kind: OpMfreed, M: op.M}).Fatal
	}
	if op.Kind == OpStoplockedm && s.Ms[op.M].StartmP != None && s.Ms[op.M].P == None {
		// handoffp's next steps, the M's; incidlelocked(1)'s
		// checkdead shows in the result.
		if f := handoffpSteps(t, s, op.M).Fatal; f != "" {
			r.Fatal = f
		}
	}
	if (op.Kind == OpSchedule && op.Source == SrcIdle || op.Kind == OpRecheck) && s.Ms[op.M].Stopping {
		// The stopm after findRunnable's stop path (a non-spinning M)
		// or recheck (a spinning one), in a sched.lock section of its
		// own: checkdead's fatal error shows in the result.
		if f := do(t, s, Op{Kind: OpStopm, M: op.M}).Fatal; f != "" {
			r.Fatal = f
		}
	}
	if op.M >= 0 && s.Ms[op.M].StopLocked && op.Kind != OpStoplockedm && op.Kind != OpWakep && op.Kind != OpWakepStartm && op.Kind != OpStartm &&
		!s.Ms[op.M].WakeP && !s.Ms[op.M].Waking && s.Ms[op.M].StartmP == None {
		// A locked M's stoplockedm, after its gosched's wakep or its
		// park: the handoffp and checkdead show in the result.
		sr := do(t, s, Op{Kind: OpStoplockedm, M: op.M})
		r.HandedOff, r.Fatal = sr.HandedOff, sr.Fatal
	}
	if op.Kind == OpRetake {
		// sysmon's handoffp of the P it took, its next step: the
		// handoff and checkdead show in the result.
		hr := do(t, s, Op{Kind: OpHandoffp, M: Sysmon})
		r.HandedOff, r.Fatal = hr.HandedOff, hr.Fatal
	}
	if op.Kind == OpHandoffp && s.Sched.RetakeP != None {
		// handoffp's next steps, sysmon's, then incidlelocked(1): its
		// checkdead shows in the result.
		if f := handoffpSteps(t, s, Sysmon).Fatal; f != "" {
			r.Fatal = f
		}
	}
	return r
}

// handoffpSteps makes the steps of the handoffp actor m is in (P.Handoff
// of the P it holds), in order, and returns the last one's result.
func handoffpSteps(t testing.TB, s *State, m int8) Result {
	t.Helper()
	var r Result
	for {
		pi := s.handoffpHolder(Op{M: m})
		if pi == None {
			return r
		}
		r = step(t, s, Op{Kind: s.Ps[pi].Handoff.Next(), M: m})
	}
}

// spawn runs newproc on M m: goidrefill if the cache is empty, newproc1,
// runqput (and runqputslow's push when the ring was full). It returns
// newproc1's result.
func spawn(t testing.TB, s *State, m int8) Result {
	t.Helper()
	p := &s.Ps[s.Ms[m].P]
	if p.GoidCache == p.GoidEnd {
		do(t, s, Op{Kind: OpGoidRefill, M: m})
	}
	r := do(t, s, Op{Kind: OpNewproc1, M: m})
	if do(t, s, Op{Kind: OpRunqput, M: m}).Slow {
		do(t, s, Op{Kind: OpRunqputslowPush, M: m})
	}
	return r
}

// idle takes M m from finding nothing to asleep on the idle M list:
// findRunnable's stop path (sched with SrcIdle), and for an M that was
// spinning stopspinning and the recheck; the stopm's result (checkdead's
// fatal error) is returned.
func idle(t testing.TB, s *State, m int8) Result {
	t.Helper()
	r := sched(t, s, m, SrcIdle)
	if s.Ms[m].Recheck {
		do(t, s, Op{Kind: OpStopSpinning, M: m})
		var found int8
		if s.runqWork() {
			found = 1
		}
		r = do(t, s, Op{Kind: OpRecheck, M: m, N: found})
	}
	return r
}

// sched makes M m's schedule from src. For SrcIdle it is findRunnable
// giving up the P: a non-spinning M that finds sched.needspinning set spins
// instead (StopNeedSpinning) and gives up again, spinning.
func sched(t testing.TB, s *State, m int8, src Source) Result {
	t.Helper()
	r := do(t, s, Op{Kind: OpSchedule, M: m, Source: src})
	if src == SrcIdle && r.Value == StopNeedSpinning {
		r = do(t, s, Op{Kind: OpSchedule, M: m, Source: src})
	}
	return r
}

func wantThrow(t testing.TB, err error, msg string) {
	t.Helper()
	var th *Throw
	if !errors.As(err, &th) {
		t.Fatalf("got %v, want throw %q", err, msg)
	}
	if th.Msg != msg && !(len(th.Msg) >= len(msg) && th.Msg[:len(msg)] == msg) {
		t.Fatalf("got throw %q, want %q", th.Msg, msg)
	}
}

func wantDisabled(t testing.TB, err error) {
	t.Helper()
	var d *Disabled
	if !errors.As(err, &d) {
		t.Fatalf("got %v, want a Disabled error", err)
	}
}

// startOn gives idle P p to idle M m as a startm would (mget's M, the P off
// the idle list into m's nextp), then lets m acquire it: tests that need an
// M running a particular P use it; how startm picks its M and P is tested
// in mwake_test.go.
func startOn(t testing.TB, s *State, m int, p int8) Result {
	t.Helper()
	if s.Ps[p].Status != PIdle || !s.Ms[m].Parked {
		t.Fatalf("startOn M%d P%d: P%d is %s, M%d parked=%v\n%s", m, p, p, s.Ps[p].Status, m, s.Ms[m].Parked, s.Dump())
	}
	prev := int8(None)
	for q := s.Sched.Pidle; q != p; q = s.Ps[q].Link {
		prev = q
	}
	if prev == None {
		s.Sched.Pidle = s.Ps[p].Link
	} else {
		s.Ps[prev].Link = s.Ps[p].Link
	}
	s.Ps[p].Link = None
	s.Ps[p].Status = PHandoff
	s.unlinkM(int8(m))
	s.Ms[m].NextP = p
	return do(t, s, Op{Kind: OpAcquireP, M: int8(m), P: p})
}

// settle puts back to sleep every M a wakep started: it acquires its
// nextp, finds nothing it may take (schedule's relaxed order lets it skip
// stealing), drops the P and stopm's after the recheck. Tests of other
// transitions use it to get the idle Ps and Ms they start from.
func settle(t testing.TB, s *State) {
	t.Helper()
	for mi := range s.Ms {
		m := &s.Ms[mi]
		if m.NextP == None || !m.Spinning {
			continue
		}
		do(t, s, Op{Kind: OpAcquireP, M: int8(mi), P: m.NextP})
		do(t, s, Op{Kind: OpSchedule, M: int8(mi), Source: SrcIdle})
		do(t, s, Op{Kind: OpStopSpinning, M: int8(mi)})
		do(t, s, Op{Kind: OpRecheck, M: int8(mi)})
	}
}

// step applies one op, fails the test on any error or broken invariant,
// and returns the result: do without the steps the op owes after it. A
// controller's gc or procresize with no stop-the-world under way is made
// in one step (oneStepAction).
func step(t testing.TB, s *State, op Op) Result {
	t.Helper()
	apply := s.Apply
	if op.M == Controller && (op.Kind == OpGC || op.Kind == OpProcResize) && !s.Sched.GCWaiting {
		// No stop-the-world under way: the one-step one (oneStepAction).
		apply = func(op Op) (Result, error) { return oneStepAction(s, op) }
	}
	r, err := apply(op)
	if err != nil {
		t.Fatalf("%v: %v\n%s", op, err, s.Dump())
	}
	if v := s.CheckInvariants(); v != nil {
		t.Fatalf("after %v: %v\n%s", op, v, s.Dump())
	}
	return r
}

// wakepSteps makes the wakep M m owes, one step at a time:
// resetspinning's decrement, the CAS, the sched.lock section, startm.
func wakepSteps(t testing.TB, s *State, m int8) {
	t.Helper()
	for n := 0; s.Ms[m].WakeP || s.Ms[m].Waking || s.Ms[m].StartmP != None; n++ {
		k := OpWakep
		if s.Ms[m].Waking {
			k = OpWakepStartm
		} else if s.Ms[m].StartmP != None {
			k = OpStartm
		}
		step(t, s, Op{Kind: k, M: m})
		if n > 4 {
			t.Fatalf("M%d's wakep did not end:\n%s", m, s.Dump())
		}
	}
}

// ctlWakepSteps makes the wakep the controller owes after a
// stop-the-world (startTheWorldWithSema), one step at a time: the CAS,
// the sched.lock section, startm. The result reports the startm (Woke,
// HandedTo) and a checkdead's fatal error at the end.
func ctlWakepSteps(t testing.TB, s *State) Result {
	t.Helper()
	r := NewResult()
	for n := 0; s.ctlBusy(); n++ {
		w := step(t, s, Op{Kind: wakepNext(s.Sched.CtlWakeP, s.Sched.CtlWaking), M: Controller})
		if w.Woke {
			r.Woke, r.HandedTo = true, w.HandedTo
		}
		if w.Fatal != "" {
			r.Fatal = w.Fatal
		}
		if n > 3 {
			t.Fatalf("the controller's wakep did not end:\n%s", s.Dump())
		}
	}
	return r
}

// ctlOffers lists the controller's actions (gc, procresize) Enabled
// offers in s within b: directly once a stop-the-world has stopped every
// P, or as what an offered OpStopTheWorld may stop the world for.
func ctlOffers(s *State, b Bounds) []Op {
	var out []Op
	for _, op := range s.Enabled(b, nil) {
		switch op.Kind {
		case OpGC, OpProcResize:
			out = append(out, op)
		case OpStopTheWorld:
			out = append(out, s.ctlActions(b, nil)...)
		}
	}
	return out
}

// stopWorld makes the controller's stopTheWorldWithSema and then the
// Ms' steps toward it, always the first enabled among the protocol's (a
// preemption, its runqput's second step, wakep, gcstopm, stopm,
// stoplockedm, an M's acquirep of its nextp), until every P has stopped.
func stopWorld(t *testing.T, s *State) {
	t.Helper()
	do(t, s, Op{Kind: OpStopTheWorld, M: Controller})
	for n := 0; !s.worldStopped(); n++ {
		if n > 100 {
			t.Fatalf("the world did not stop:\n%s", s.Dump())
		}
		var next *Op
		for _, op := range s.Enabled(Bounds{NoGC: true, NoProcResize: true}, nil) {
			switch op.Kind {
			case OpPreempt, OpRunqputKick, OpRunqputslowPush, OpWakep, OpWakepStartm, OpStartm, OpGCStopm, OpStopm, OpStoplockedm, OpAcquireP:
				if op.M >= 0 {
					next = &op
				}
			}
			if next != nil {
				break
			}
		}
		if next == nil {
			t.Fatalf("no M can step toward the stopped world:\n%s", s.Dump())
		}
		do(t, s, *next)
	}
}

// oneStepAction makes the controller's action (gc, procresize) in one
// step with the world stopped at once, every M where it is and none
// preempted (ctlStopRefusal's oneStep): tests of the actions' effects
// reach a GC phase or a GOMAXPROCS with it. Apply never takes this path.
func oneStepAction(s *State, op Op) (Result, error) {
	switch op.Kind {
	case OpGC:
		return s.gcAction(op, true)
	case OpProcResize:
		return s.procresizeAction(op, true)
	}
	return NewResult(), s.disabled(op, "not a controller action")
}

// oneStepStep is Step for oneStepAction: s is not modified.
func oneStepStep(s *State, op Op) (*State, Result, error) {
	n := s.Clone()
	r, err := oneStepAction(n, op)
	return n, r, err
}

// opsOf returns the ops of M m in ops.
func opsOf(ops []Op, m int8) []Op {
	var out []Op
	for _, op := range ops {
		if op.M == m {
			out = append(out, op)
		}
	}
	return out
}

// lockedOnM1 is 2 Ps and 2 Ms (preset go) where M1 stole G1 from P0's
// runnext, runs it on P1 and is locked to it (LockOSThread); main runs on
// M0 and P0.
func lockedOnM1(t testing.TB) *State {
	t.Helper()
	s := newState(t, "go", 2, 2)
	spawn(t, s, 0)
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	sched(t, s, 1, SrcStealNext)
	do(t, s, Op{Kind: OpLockOSThread, M: 1})
	return s
}
