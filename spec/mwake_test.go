package spec

import (
	"slices"
	"testing"
)

// wakep (proc.go): a G made runnable while a P is idle and no M spins
// starts one spinning M on the idle head; while it spins, the next wakep
// does nothing.
func TestWakepStartsOneSpinningM(t *testing.T) {
	s := newState(t, "small", 3, 3)
	do(t, s, Op{Kind: OpNewproc1, M: 0})
	r, err := s.Apply(Op{Kind: OpRunqput, M: 0})
	if err != nil || !s.Ms[0].WakeP {
		t.Fatalf("runqput: %v %v, want the M to owe a wakep\n%s", r, err, s.Dump())
	}
	if _, err := s.Clone().Apply(Op{Kind: OpNewproc1, M: 0}); err == nil {
		t.Fatal("an M that owes a wakep made another op")
	}
	head := s.Sched.Pidle
	// wakep's CAS takes nmspinning 0 -> 1 for the M it will start; its
	// sched.lock section (pidlegetSpinning, startm) is the M's next step.
	c := do(t, s, Op{Kind: OpWakep, M: 0})
	if c.Value != WakepCAS || c.Woke || !s.Ms[0].Waking || s.Sched.NMSpinning != 1 || s.Sched.Pidle != head || !s.Ms[1].Parked {
		t.Fatalf("wakep's CAS: %v\n%s", c, s.Dump())
	}
	if v := s.CheckInvariants(); v != nil {
		t.Fatalf("between wakep's CAS and its startm: %v", v)
	}
	if _, err := s.Clone().Apply(Op{Kind: OpNewproc1, M: 0}); err == nil {
		t.Fatal("an M between wakep's CAS and its startm made another op")
	}
	// wakep's sched.lock section takes the idle head (pidlegetSpinning)
	// and unlocks; the P is its local, which no other M takes, until its
	// startm (the M's next step) takes sched.lock again.
	w, err := s.Apply(Op{Kind: OpWakepStartm, M: 0})
	if err != nil || w.P != head || s.Ms[0].Waking || s.Ms[0].StartmP != head || s.Ps[head].Status != PHandoff || s.Sched.NMSpinning != 1 {
		t.Fatalf("wakep's pidlegetSpinning: %v %v, want P%d held for its startm\n%s", w, err, head, s.Dump())
	}
	if v := s.CheckInvariants(); v != nil {
		t.Fatalf("between wakep's pidleget and its startm: %v", v)
	}
	for _, op := range s.Enabled(DefaultBounds(3), nil) {
		if op.Kind == OpAcquireP && op.P == head || op.M == 0 && op.Kind != OpStartm {
			t.Fatalf("enabled %v while M0's wakep holds P%d", op, head)
		}
	}
	if got := Branches(Op{Kind: OpWakepStartm, M: 0}, w, nil); !slices.Contains(got, "wakepstartm/pidleget") {
		t.Fatalf("branches %v: want wakepstartm/pidleget", got)
	}
	w = do(t, s, Op{Kind: OpStartm, M: 0})
	if !w.Woke || w.HandedTo != 1 || s.Ms[0].StartmP != None || s.Sched.NMSpinning != 1 || s.Ms[1].NextP != head || !s.Ms[1].Spinning || s.Ms[1].Parked {
		t.Fatalf("wakep's startm: %v, want M1 (mget's head) woken spinning with P%d\n%s", w, head, s.Dump())
	}
	// A second G: an M spins already.
	spawn(t, s, 0)
	if s.Sched.NMSpinning != 1 || s.Ms[2].NextP != None || !s.Ms[2].Parked {
		t.Fatalf("second wakep started an M while one spins\n%s", s.Dump())
	}
	// M1 takes its nextp, spinning (acquirep's value 1).
	if a := do(t, s, Op{Kind: OpAcquireP, M: 1, P: head}); a.Value != 1 || s.Ms[1].P != head {
		t.Fatalf("acquirep: %v\n%s", a, s.Dump())
	}
}

// The "delicate dance" of findRunnable's stop path (golang/go#55160): a
// spinning M drops its P still counted in nmspinning; a G put on the
// global queue then finds nmspinning != 0 and wakes nobody, so the M's
// recheck after nmspinning-- must find it and take an idle P back.
func TestStopPathRecheckFindsGlobalWork(t *testing.T) {
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0) // G1 in P0's runnext; wakep starts M1 on P1
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcIdle}) // relaxed: gives up without stealing
	if !s.Ms[1].Recheck || !s.Ms[1].Spinning || s.Sched.NMSpinning != 1 || s.Sched.Pidle != 1 {
		t.Fatalf("a spinning M's stop path: %s", s.Dump())
	}
	// Main yields: G0 on sched.runq; its wakep sees nmspinning != 0.
	if r := do(t, s, Op{Kind: OpGosched, M: 0}); r.Woke {
		t.Fatalf("gosched's wakep woke an M while M1 is still counted spinning\n%s", s.Dump())
	}
	do(t, s, Op{Kind: OpStopSpinning, M: 1})
	if s.Sched.NMSpinning != 0 || s.Ms[1].Spinning {
		t.Fatalf("stopspinning: %s", s.Dump())
	}
	// Strict or not, the recheck may not find nothing with sched.runq
	// non-empty and a P idle: it reads the global queue under sched.lock.
	for _, strict := range []bool{false, true} {
		if _, err := s.Clone().Apply(Op{Kind: OpRecheck, M: 1, Strict: strict}); err == nil {
			t.Fatalf("strict=%v: the recheck found nothing with G0 on sched.runq and P1 idle", strict)
		}
	}
	// The recheck's sched.lock section takes P1 and the global batch
	// (proc.go findRunnable: pidlegetSpinning, globrunqgetbatch) and
	// unlocks; `acquirep(pp); mp.becomeSpinning()` come after it, and
	// findRunnable returns G0: M1 runs it, spinning, and owes
	// resetspinning's wakep.
	// The global path returns before checkRunqsNoP: what a read of the
	// rings would have found is no part of its step, strict or not.
	for _, strict := range []bool{false, true} {
		if _, err := s.Clone().Apply(Op{Kind: OpRecheck, M: 1, N: RecheckFound, Strict: strict}); err == nil {
			t.Fatalf("strict=%v: the recheck's first section took checkRunqsNoP's read with G0 on sched.runq", strict)
		}
	}
	rc := step(t, s, Op{Kind: OpRecheck, M: 1, Source: SrcGlobal, Strict: true})
	m1 := &s.Ms[1]
	if rc.P != 1 || rc.G != 0 || rc.Source != SrcGlobal || rc.Moved != 0 || m1.SpinP != 1 || m1.Spinning || m1.Recheck ||
		s.Sched.NMSpinning != 0 || gl(s.Ps[1].Held) != "[G0]" || len(s.Sched.Runq) != 0 || s.Ps[1].Status != PHandoff {
		t.Fatalf("recheck: %v; want P1 and G0 held by M1, not yet spinning\n%s", rc, s.Dump())
	}
	if got := Branches(Op{Kind: OpRecheck, M: 1}, rc, nil); !slices.Contains(got, "recheck/global") {
		t.Fatalf("branches %v: want recheck/global", got)
	}
	// A batch of one leaves runqputbatch nothing to put.
	if _, err := s.Clone().Apply(Op{Kind: OpRunqputBatch, M: 1}); err == nil {
		t.Fatal("runqputbatch with an empty q")
	}
	// acquirep and becomeSpinning's first two stores: M1 holds P1 and
	// counts as spinning, G0 still held; the needspinning store, M1's
	// next step, returns G0 and schedule runs it.
	a := step(t, s, Op{Kind: OpAcquireP, M: 1, P: 1, Strict: true})
	if a.Value != 1 || a.G != None || !m1.Spinning || !m1.SpinClear || s.Sched.NMSpinning != 1 || m1.Curg != None || m1.P != 1 ||
		m1.SpinP != None || gl(s.Ps[1].Held) != "[G0]" {
		t.Fatalf("acquirep: %v; want P1 acquired, M1 spinning, G0 held\n%s", a, s.Dump())
	}
	if ops := s.Enabled(DefaultBounds(3), nil); !slices.Equal(opsOf(ops, 1), []Op{{Kind: OpSpin, M: 1}}) {
		t.Fatalf("enabled %v: want M1's needspinning store alone", ops)
	}
	c := step(t, s, Op{Kind: OpSpin, M: 1})
	if c.Value != 1 || c.G != 0 || c.Source != SrcGlobal || !m1.Spinning || m1.SpinClear || m1.Curg != 0 || !m1.WakeP || len(s.Ps[1].Held) != 0 {
		t.Fatalf("needspinning store: %v; want G0 run on P1, spinning, the wakep owed\n%s", c, s.Dump())
	}
	if got := Branches(Op{Kind: OpSpin, M: 1}, c, nil); !slices.Contains(got, "spin/recheck-global") || !slices.Contains(got, "spin/needspinning-store") {
		t.Fatalf("branches %v: want spin/recheck-global and spin/needspinning-store", got)
	}
	wakepSteps(t, s, 1)
	if m1.Spinning || s.Sched.NMSpinning != 0 {
		t.Fatalf("resetspinning: %s", s.Dump())
	}
}

// findRunnable's recheck unlocks sched.lock after taking the idle P and
// the global batch, and only then runqputbatch's the batch's rest onto the
// P and acquirep's it, spinning (proc.go findRunnable). In the first
// window the batch is on no queue: another M's findRunnable finds the
// global queue and every ring empty and may drop its P. In the second the
// rest is on the P's ring, which no M owns and whose P is off the idle
// list: a spinning M steals it. In both nmspinning lacks the rechecking
// M, so a wakep's CAS succeeds.
func TestRecheckWindows(t *testing.T) {
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0) // G1 in P0's runnext; wakep starts M1 on P1
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcIdle}) // relaxed: gives up without stealing
	do(t, s, Op{Kind: OpGosched, M: 0})                   // G0 to sched.runq
	sched(t, s, 0, SrcTick)                               // schedtick 0: G0 back from sched.runq
	do(t, s, Op{Kind: OpGosched, M: 0})                   // G0 to sched.runq
	sched(t, s, 0, SrcRunnext)                            // G1 runs on M0
	do(t, s, Op{Kind: OpGosched, M: 0})                   // G1 to sched.runq
	do(t, s, Op{Kind: OpStopSpinning, M: 1})
	if gl(s.Sched.Runq) != "[G0,G1]" || s.Sched.NMSpinning != 0 {
		t.Fatalf("setup: %s", s.Dump())
	}
	rc := step(t, s, Op{Kind: OpRecheck, M: 1, Source: SrcGlobal, Strict: true})
	if rc.P != 1 || rc.G != 0 || rc.Moved != 1 || gl(s.Ps[1].Held) != "[G0,G1]" || len(s.Ps[1].Ring) != 0 || len(s.Sched.Runq) != 0 {
		t.Fatalf("recheck: %v; want G0 and G1 held with P1\n%s", rc, s.Dump())
	}
	for _, op := range []Op{{Kind: OpAcquireP, M: 1, P: 1}, {Kind: OpSchedule, M: 1, Source: SrcIdle}, {Kind: OpStopm, M: 1}} {
		if _, err := s.Clone().Apply(op); err == nil {
			t.Fatalf("%v before runqputbatch", op)
		}
	}
	// First window: M0 finds nothing anywhere (strictly) and drops P0.
	w1 := s.Clone()
	do(t, w1, Op{Kind: OpSpin, M: 0})
	idl := do(t, w1, Op{Kind: OpSchedule, M: 0, Source: SrcIdle, Strict: true})
	if w1.Ms[0].P != None || !w1.Ms[0].Recheck {
		t.Fatalf("M0 in the first window: %v\n%s", idl, w1.Dump())
	}
	// Second window: the rest is on P1's ring, stolen by a spinning M0.
	b := step(t, s, Op{Kind: OpRunqputBatch, M: 1})
	if b.Value != 1 || gl(s.Ps[1].Ring) != "[G1]" || gl(s.Ps[1].Held) != "[G0]" || s.Ps[1].Status != PHandoff {
		t.Fatalf("runqputbatch: %v\n%s", b, s.Dump())
	}
	w2 := s.Clone()
	do(t, w2, Op{Kind: OpSpin, M: 0})
	st := step(t, w2, Op{Kind: OpSchedule, M: 0, Source: SrcSteal, Victim: 1, Strict: true})
	if st.G != 1 || len(w2.Ps[1].Ring) != 0 {
		t.Fatalf("M0 steals from the recheck's P: %v\n%s", st, w2.Dump())
	}
	// The stealing M found work while spinning: resetspinning's wakep
	// sees nmspinning 0 (M1 not yet counted) and its CAS succeeds.
	for w2.Ms[0].WakeP {
		step(t, w2, Op{Kind: OpWakep, M: 0})
	}
	if !w2.Ms[0].Waking || w2.Sched.NMSpinning != 1 {
		t.Fatalf("wakep in the window: %s", w2.Dump())
	}
	// M1's acquirep, then its needspinning store: G0 runs, M1 spinning.
	step(t, w2, Op{Kind: OpAcquireP, M: 1, P: 1})
	a := step(t, w2, Op{Kind: OpSpin, M: 1})
	if a.G != 0 || !w2.Ms[1].Spinning || w2.Ms[1].Curg != 0 || w2.Sched.NMSpinning != 2 {
		t.Fatalf("acquirep after the window: %v\n%s", a, w2.Dump())
	}
}

// stoppedSpinning is the state where M1, spinning, found no work
// anywhere, dropped P1 and stopped spinning (stopspinning): its recheck is
// next, while main waits and G1 runs on M0.
func stoppedSpinning(t *testing.T) *State {
	t.Helper()
	s := newState(t, "small", 2, 2)
	do(t, s, Op{Kind: OpNewproc1, M: 0})
	do(t, s, Op{Kind: OpRunqput, M: 0}) // wakep: M1 on P1
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	do(t, s, Op{Kind: OpPark, M: 0})
	do(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcRunnext}) // G1 runs: no work queued anywhere
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcIdle, Strict: true})
	step(t, s, Op{Kind: OpStopSpinning, M: 1})
	return s
}

// With no work anywhere, the recheck stopm's: the M goes on the idle M
// list, and a strict recheck cannot take a P for work that is not there.
func TestStopPathStopm(t *testing.T) {
	s := stoppedSpinning(t)
	for _, op := range []Op{{Kind: OpRecheck, M: 1, N: 1, Strict: true}, {Kind: OpRecheck, M: 1, Source: SrcGlobal, Strict: true}} {
		if _, err := s.Clone().Apply(op); err == nil {
			t.Fatalf("a strict recheck took a P with no work anywhere: %v", op)
		}
	}
	do(t, s, Op{Kind: OpRecheck, M: 1, Strict: true})
	if !s.Ms[1].Parked || s.Sched.Midle != 1 || s.NMIdle() != 1 {
		t.Fatalf("stopm: %s", s.Dump())
	}
}

// checkRunqsNoP's path: a P's run queue has work and a P is idle, so
// pidlegetSpinning's sched.lock section takes it, and `acquirep(pp);
// mp.becomeSpinning()` follow after the unlock (goto top: the M steals
// next). In between nmspinning lacks the M and the P is its alone.
func TestRecheckRunqsTakesP(t *testing.T) {
	s := stoppedSpinning(t)
	do(t, s, Op{Kind: OpGoidRefill, M: 0})
	step(t, s, Op{Kind: OpNewproc1, M: 0})
	step(t, s, Op{Kind: OpRunqput, M: 0}) // G2 in P0's runnext; M0 owes its wakep
	// The global queue's sched.lock section finds it empty.
	if r := step(t, s, Op{Kind: OpRecheck, M: 1, Strict: true}); r.P != None || r.Value != 0 || !s.Ms[1].RecheckRunqs || !s.Ms[1].Recheck {
		t.Fatalf("the global queue's section: %v\n%s", r, s.Dump())
	}
	if _, err := s.Clone().Apply(Op{Kind: OpRecheck, M: 1, Strict: true}); err == nil {
		t.Fatal("a strict recheck missed P0's runnext")
	}
	rc := step(t, s, Op{Kind: OpRecheck, M: 1, N: 1, Strict: true})
	m1 := &s.Ms[1]
	if rc.P != 1 || rc.Source != 0 || m1.SpinP != 1 || m1.Stopping || len(s.Ps[1].Held) != 0 || s.Ps[1].Status != PHandoff || s.Sched.Pidle != None {
		t.Fatalf("recheck: %v\n%s", rc, s.Dump())
	}
	if got := Branches(Op{Kind: OpRecheck, M: 1}, rc, nil); !slices.Contains(got, "recheck/runqs") {
		t.Fatalf("branches %v: want recheck/runqs", got)
	}
	if ops := s.Enabled(DefaultBounds(3), nil); !slices.Contains(ops, Op{Kind: OpAcquireP, M: 1, P: 1}) || slices.Contains(ops, Op{Kind: OpRunqputBatch, M: 1}) {
		t.Fatalf("enabled %v: want M1's acquirep of P1 and no runqputbatch", ops)
	}
	// M0's wakep in the window: its CAS succeeds (nmspinning 0), but
	// wakep's sched.lock section finds no idle P and takes it back.
	wakepSteps(t, s, 0)
	if s.Sched.NMSpinning != 0 || !s.Sched.NeedSpinning {
		t.Fatalf("wakep in the window: %s", s.Dump())
	}
	// acquirep and becomeSpinning's first two stores: M1 counts in
	// nmspinning, and needspinning, which M0's wakep set, stays set
	// until M1's next step.
	a := step(t, s, Op{Kind: OpAcquireP, M: 1, P: 1, Strict: true})
	if a.Value != 1 || a.G != None || m1.P != 1 || !m1.Spinning || !m1.SpinClear || s.Sched.NMSpinning != 1 || !s.Sched.NeedSpinning || m1.SpinP != None {
		t.Fatalf("acquirep: %v\n%s", a, s.Dump())
	}
	if c := step(t, s, Op{Kind: OpSpin, M: 1}); c.Value != 1 || c.G != None || m1.SpinClear || s.Sched.NeedSpinning || s.Sched.NMSpinning != 1 {
		t.Fatalf("needspinning store: %v\n%s", c, s.Dump())
	}
}

// findRunnable's recheck (a sched.lock section for sched.runq, then
// checkRunqsNoP) and stopm's mput (sched.lock again) are two steps, as
// proc.go unlocks between them: work queued in between finds the M
// neither looking nor idle, so wakep's startm finds no idle M and leaves
// the P for newm's thread. With the two in one step the M was already on
// the idle list and startm woke it.
func TestRecheckThenStopmTwoSteps(t *testing.T) {
	s := stoppedSpinning(t)
	if _, err := s.Clone().Apply(Op{Kind: OpStopm, M: 1}); err == nil {
		t.Fatal("stopm before the recheck")
	}
	step(t, s, Op{Kind: OpRecheck, M: 1, Strict: true}) // the global queue's section
	if _, err := s.Clone().Apply(Op{Kind: OpStopm, M: 1}); err == nil {
		t.Fatal("stopm before checkRunqsNoP")
	}
	step(t, s, Op{Kind: OpRecheck, M: 1, Strict: true}) // checkRunqsNoP's
	m1 := &s.Ms[1]
	if m1.Parked || !m1.Stopping || m1.Recheck || s.NMIdle() != 0 || s.RunningMs() != 2 {
		t.Fatalf("after the recheck: M1 parked %v stopping %v recheck %v, nmidle %d, running %d: want M1 not idle yet, stopm next, counted running\n%s",
			m1.Parked, m1.Stopping, m1.Recheck, s.NMIdle(), s.RunningMs(), s.Dump())
	}
	if ops := s.Enabled(DefaultBounds(2), nil); !slices.Contains(ops, Op{Kind: OpStopm, M: 1}) || slices.Contains(ops, Op{Kind: OpRecheck, M: 1}) {
		t.Fatalf("enabled %v: want M1's stopm and no second recheck", ops)
	}
	// M0 queues a G: its wakep takes P1, and startm finds no idle M.
	do(t, s, Op{Kind: OpGoidRefill, M: 0})
	do(t, s, Op{Kind: OpNewproc1, M: 0})
	step(t, s, Op{Kind: OpRunqput, M: 0})
	wakepSteps(t, s, 0)
	if m1.NextP != None || !s.pendingP(1) {
		t.Fatalf("wakep's startm: M1 nextp P%d, P1 pending %v; want no idle M to hand P1: P1 left for newm\n%s", m1.NextP, s.pendingP(1), s.Dump())
	}
	step(t, s, Op{Kind: OpStopm, M: 1})
	if !m1.Parked || s.NMIdle() != 1 {
		t.Fatalf("stopm: %s", s.Dump())
	}
	// M1, now idle, is newm's thread: it takes P1, spinning.
	if a := step(t, s, Op{Kind: OpAcquireP, M: 1, P: 1}); a.Value != 1 {
		t.Fatalf("newm's M: %v\n%s", a, s.Dump())
	}
}

// handoffp's spinning branch (proc.go:3152-3156): no work, no spinning M
// and no idle P: startm(pp, true). With an M spinning the P goes idle
// ("our help is not required").
func TestHandoffpSpinningBranch(t *testing.T) {
	s := newState(t, "small", 2, 2)
	startOn(t, s, 1, 1) // both Ps running, none idle
	retakeP0(t, s)
	if s.Ps[0].Status != PHandoff || !s.Ps[0].StartSpinning || s.Sched.NMSpinning != 1 {
		t.Fatalf("P0 with no idle P and no spinning M: %s, want a spinning startm (pending: no idle M)\n%s", s.Ps[0].String(), s.Dump())
	}

	s = newState(t, "small", 3, 3)
	startOn(t, s, 1, 1)
	startOn(t, s, 2, 2)
	do(t, s, Op{Kind: OpSpin, M: 2}) // M2 spins: nmspinning = 1
	retakeP0(t, s)
	if s.Ps[0].Status != PIdle || s.Sched.NMSpinning != 1 {
		t.Fatalf("P0 with M2 spinning: %s, want idle\n%s", s.Ps[0].String(), s.Dump())
	}
}

// newm: a startm that finds no idle M leaves the P pending; the first M
// to go idle takes it, spinning if startm asked for a spinning M.
func TestPendingPTakenByNextIdleM(t *testing.T) {
	s := newState(t, "small", 2, 2)
	startOn(t, s, 1, 1)
	retakeP0(t, s) // spinning startm, no idle M: P0 pending
	if _, err := s.Clone().Apply(Op{Kind: OpAcquireP, M: 1, P: 0}); err == nil {
		t.Fatal("a running M took the pending P")
	}
	do(t, s, Op{Kind: OpSpin, M: 1})
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcIdle})
	do(t, s, Op{Kind: OpStopSpinning, M: 1})
	do(t, s, Op{Kind: OpRecheck, M: 1})
	if a := do(t, s, Op{Kind: OpAcquireP, M: 1, P: 0}); a.Value != 1 || !s.Ms[1].Spinning || s.Ps[0].StartSpinning {
		t.Fatalf("newm's M: %v\n%s", a, s.Dump())
	}
}

// findRunnable's limit on spinning Ms: `2*nmspinning < gomaxprocs-npidle`.
func TestSpinLimit(t *testing.T) {
	s := newState(t, "small", 2, 2)
	startOn(t, s, 1, 1)
	do(t, s, Op{Kind: OpSpin, M: 1, Strict: true})
	// M0's G parks: with M1 spinning, 2*1 < 2-0 fails: M0 does not spin
	// and gives its P up at once (stopm, no recheck).
	do(t, s, Op{Kind: OpPark, M: 0})
	if _, err := s.Clone().Apply(Op{Kind: OpSpin, M: 0, Strict: true}); err == nil {
		t.Fatal("strict: M0 spun past the limit")
	}
	do(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcIdle, Strict: true})
	if !s.Ms[0].Parked || s.Ms[0].Recheck {
		t.Fatalf("a non-spinning M's stop: %s", s.Dump())
	}
}

// Controls for the wakeup protocol's invariants: each fires on a planted
// violation and holds on the states above.
func TestInvariantsWakeup(t *testing.T) {
	base := func() *State {
		s := newState(t, "small", 2, 3)
		spawn(t, s, 0) // M1 woken with nextp P1, spinning
		return s
	}
	holds(t, base(), "NMSpinningCounts")
	holds(t, base(), "IdleMsListed")
	holds(t, base(), "NextPHandedOff")
	holds(t, base(), "SpinningWithoutLocalWork")

	s := base()
	s.Sched.NMSpinning = 0
	fires(t, s, "NMSpinningCounts")

	s = base()
	s.Ms[2].Parked = false // M2 on the idle list but not parked
	fires(t, s, "IdleMsListed")
	s = base()
	s.Ms[1].Link, s.Sched.Midle = s.Sched.Midle, 1 // M1 on the list with a nextp
	s.Ms[1].Parked = true
	fires(t, s, "IdleMsListed")

	s = base()
	s.Ms[2].NextP = s.Ms[1].NextP // two Ms handed one P
	fires(t, s, "NextPHandedOff")

	// golang/go#10573: a spinning M on a P with local work.
	s = base()
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: s.Ms[1].NextP})
	s.Ps[1].Runnext = 0
	fires(t, s, "SpinningWithoutLocalWork")
}

// wakep's steps are the runtime's atomic ones (proc.go wakep,
// resetspinning): between an M's CAS and its startm, nmspinning is 1 with
// no M spinning, and another M's wakep returns at once ("only start one
// if none exist already"); when the idle P list is empty by the time of
// the sched.lock section, the increment is undone. resetspinning's
// decrement is a step of its own before its wakep.
func TestWakepSteps(t *testing.T) {
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0) // G1 in P0's runnext; wakep starts M1 on P1
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	if _, err := s.Apply(Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0}); err != nil { // M1 spinning takes G1
		t.Fatal(err)
	}
	if !s.Ms[1].WakeP || !s.Ms[1].Spinning {
		t.Fatalf("M1 found work spinning: it owes resetspinning\n%s", s.Dump())
	}
	r := do(t, s, Op{Kind: OpWakep, M: 1})
	if r.Value != WakepResetspinning || s.Ms[1].Spinning || !s.Ms[1].WakeP || s.Sched.NMSpinning != 0 {
		t.Fatalf("resetspinning: %v\n%s", r, s.Dump())
	}
	// M1's wakep: the CAS; no P is idle, so its startm finds none.
	if r := do(t, s, Op{Kind: OpWakep, M: 1}); r.Value != WakepCAS || !s.Ms[1].Waking {
		t.Fatalf("M1's CAS: %v\n%s", r, s.Dump())
	}
	// M0 makes a G runnable: its wakep sees nmspinning = 1 and returns.
	newproc1(t, s, 0)
	if _, err := s.Apply(Op{Kind: OpRunqput, M: 0}); err != nil {
		t.Fatal(err)
	}
	if r := do(t, s, Op{Kind: OpWakep, M: 0}); r.Value != WakepNone || s.Ms[0].Waking || s.Sched.NMSpinning != 1 {
		t.Fatalf("M0's wakep during M1's: %v\n%s", r, s.Dump())
	}
	if r := do(t, s, Op{Kind: OpWakepStartm, M: 1}); r.Woke || s.Sched.NMSpinning != 0 || s.Ms[1].Waking {
		t.Fatalf("M1's startm with no idle P: %v\n%s", r, s.Dump())
	}
	// A planted double decrement throws wakep's throw.
	s.Ms[1].Waking, s.Ms[1].WakeP = true, false
	if _, err := s.Apply(Op{Kind: OpWakepStartm, M: 1}); err == nil {
		t.Fatal("nmspinning went negative without a throw")
	} else {
		wantThrow(t, err, ThrowWakepNegative)
	}
}

// findRunnable's stop path for an M that is not spinning: releasep and
// pidleput under sched.lock, unlock, then stopm's mput in a sched.lock
// section of its own (proc.go findRunnable, stopm). In between the M
// holds no P, is not on the idle M list (a startm finds no M to wake)
// and counts as running, so checkdead runs at its mput, not before.
// Before, the spec and impl made both one step.
func TestStopPathStopmOwnStep(t *testing.T) {
	s := newState(t, "small", 1, 2)
	do(t, s, Op{Kind: OpPark, M: 0})
	r, err := s.Apply(Op{Kind: OpSchedule, M: 0, Source: SrcIdle})
	if err != nil {
		t.Fatal(err)
	}
	m0 := &s.Ms[0]
	if m0.P != None || !m0.Stopping || m0.Parked || s.Sched.Midle == 0 || r.Fatal != "" || s.Sched.Terminal != Alive {
		t.Fatalf("after the stop path: M0 on P%d stopping %v parked %v, fatal %q: want M0 without a P, not idle yet, stopm next\n%s",
			m0.P, m0.Stopping, m0.Parked, r.Fatal, s.Dump())
	}
	if v := s.CheckInvariants(); v != nil {
		t.Fatalf("between the stop path and stopm: %v", v)
	}
	if n := s.RunningMs(); n != 1 {
		t.Fatalf("checkdead's run = %d between the stop path and stopm, want 1 (M0)", n)
	}
	if ops := s.Enabled(DefaultBounds(2), nil); !slices.Contains(ops, Op{Kind: OpStopm, M: 0}) {
		t.Fatalf("enabled %v: want M0's stopm", ops)
	}
	r = do(t, s, Op{Kind: OpStopm, M: 0})
	if !m0.Parked || r.Fatal != FatalAllAsleep {
		t.Fatalf("stopm: parked %v, fatal %q: want M0 idle and checkdead's %q", m0.Parked, r.Fatal, FatalAllAsleep)
	}
}

// sched.needspinning (proc.go pidlegetSpinning, findRunnable's "delicate
// dance"): wakep's pidlegetSpinning that finds no idle P sets it, and a
// non-spinning M about to drop its P in findRunnable's stop path then
// becomes spinning instead, keeping its P (becomeSpinning clears it); a
// spinning M's stop path drops the P as before. The stop path here is a
// relaxed schedule (not Strict): findRunnable reads nmspinning and npidle
// without the lock before it decides not to spin.
func TestNeedSpinning(t *testing.T) {
	s := newState(t, "small", 1, 1)
	spawn(t, s, 0) // runqput's wakep: the CAS, then no idle P
	if !s.Sched.NeedSpinning || s.Sched.NMSpinning != 0 {
		t.Fatalf("wakep with no idle P: needspinning %v nmspinning %d, want set and 0\n%s", s.Sched.NeedSpinning, s.Sched.NMSpinning, s.Dump())
	}
	do(t, s, Op{Kind: OpPark, M: 0}) // main waits
	sched(t, s, 0, SrcRunnext)
	do(t, s, Op{Kind: OpExit, M: 0}) // G1 exits: nothing left to run
	// The control: without needspinning the stop path drops the P.
	if c := s.Clone(); true {
		c.Sched.NeedSpinning = false
		if r := step(t, c, Op{Kind: OpSchedule, M: 0, Source: SrcIdle}); r.Value != 0 || c.Ms[0].P != None {
			t.Fatalf("stop path without needspinning: %v, M0 on P%d: want P0 dropped", r, c.Ms[0].P)
		}
	}
	r := step(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcIdle})
	m0 := &s.Ms[0]
	if r.Value != StopNeedSpinning || m0.P != 0 || !m0.Spinning || s.Sched.NMSpinning != 1 || s.Sched.NeedSpinning {
		t.Fatalf("stop path with needspinning: %v; M0 on P%d spinning %v, nmspinning %d, needspinning %v: want P0 kept, M0 spinning, needspinning cleared\n%s",
			r, m0.P, m0.Spinning, s.Sched.NMSpinning, s.Sched.NeedSpinning, s.Dump())
	}
	if got := Branches(Op{Kind: OpSchedule, M: 0, Source: SrcIdle}, r, nil); !slices.Contains(got, "schedule/needspinning") {
		t.Fatalf("branches %v: want schedule/needspinning", got)
	}
	// Spinning, the M gives up its P, and goes idle: checkdead then finds
	// every goroutine asleep.
	if f := idle(t, s, 0).Fatal; f != FatalAllAsleep {
		t.Fatalf("the last M idle: fatal %q, want %q\n%s", f, FatalAllAsleep, s.Dump())
	}
}

// TestStartTheWorldWakep is the regression test for startTheWorldWithSema's
// wakep (proc.go:1819-1822: "Wakeup an additional proc in case we have
// excessive runnable goroutines in local queues or in the global queue"),
// which the spec left out: after a stop-the-world it woke no M. GOMAXPROCS
// 1 -> 2 with a G waiting on P0's run queue and M1 asleep: the controller
// owes the wakep, whose CAS, sched.lock section and startm are its next
// three steps, and M1 wakes spinning for P1 and steals the G while M0
// still runs main. The next stop-the-world waits for it (wakep runs under
// acquirem); the GC's root job does not.
func TestStartTheWorldWakep(t *testing.T) {
	s := newState(t, "small", 2, 2)
	b := DefaultBounds(3)
	do(t, s, Op{Kind: OpProcResize, M: Controller, N: 1})
	spawn(t, s, 0)
	if s.Ps[0].Runnext != 1 || !s.Ms[1].Parked || s.Sched.NMSpinning != 0 {
		t.Fatalf("want G1 in P0's runnext and M1 asleep:\n%s", s.Dump())
	}
	step(t, s, Op{Kind: OpProcResize, M: Controller, N: 2})
	if !s.Sched.CtlWakeP || s.pidleString() != "[P1]" {
		t.Fatalf("procresize(2): want P1 idle and the controller owing its wakep:\n%s", s.Dump())
	}
	ctl := 0
	for _, op := range s.Enabled(b, nil) {
		if op.M != Controller {
			continue
		}
		ctl++
		if op.Kind != OpWakep {
			t.Errorf("Enabled offers the controller %v before its wakep", op)
		}
	}
	if ctl != 1 {
		t.Fatalf("Enabled offers the controller %d ops, want its wakep alone", ctl)
	}
	_, _, err := oneStepStep(s, Op{Kind: OpProcResize, M: Controller, N: 1})
	wantDisabled(t, err)
	_, _, err = oneStepStep(s, Op{Kind: OpGC, M: Controller, N: 1})
	wantDisabled(t, err)

	if r := step(t, s, Op{Kind: OpWakep, M: Controller}); r.Value != WakepCAS || !s.Sched.CtlWaking || s.Sched.NMSpinning != 1 {
		t.Fatalf("the controller's wakep: %v, want the CAS of nmspinning 0 -> 1\n%s", r, s.Dump())
	}
	if r := step(t, s, Op{Kind: OpWakepStartm, M: Controller}); r.P != 1 || s.Sched.CtlStartmP != 1 || s.Ps[1].Status != PHandoff {
		t.Fatalf("the controller's sched.lock section: %v, want P1 taken for startm\n%s", r, s.Dump())
	}
	// M0 runs and the controller's M too: "A checkdead in between will
	// always see at least one running M (ours)".
	if run := s.RunningMs(); run != 2 {
		t.Fatalf("checkdead's run with the controller in wakep: %d, want 2\n%s", run, s.Dump())
	}
	if r := step(t, s, Op{Kind: OpStartm, M: Controller}); !r.Woke || r.HandedTo != 1 || s.Ms[1].NextP != 1 || !s.Ms[1].Spinning || s.ctlBusy() {
		t.Fatalf("the controller's startm: %v, want P1 handed to M1, spinning\n%s", r, s.Dump())
	}
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0})
	if s.Ms[1].Curg != 1 || s.Gs[1].Status != Running || s.Ms[0].Curg != 0 {
		t.Fatalf("want M1 running the stolen G1 beside M0 running main:\n%s", s.Dump())
	}

	// After a GC start the mark phase's root job may run before the
	// controller's wakep; gcMarkDone's stop-the-world may not.
	s = newState(t, "small", 2, 2)
	step(t, s, Op{Kind: OpGC, M: Controller, N: 1})
	var kinds []OpKind
	for _, op := range s.Enabled(b, nil) {
		if op.M == Controller {
			kinds = append(kinds, op.Kind)
		}
	}
	if !slices.Equal(kinds, []OpKind{OpWakep, OpMarkrootFreeGStacks}) {
		t.Fatalf("after gc on the controller is offered %v, want wakep and markrootfreegstacks", kinds)
	}
	step(t, s, Op{Kind: OpMarkrootFreeGStacks, M: Controller})
	_, _, err = oneStepStep(s, Op{Kind: OpGC, M: Controller, N: 0})
	wantDisabled(t, err)
}

// TestStartTheWorldWakepCheckdead: while the controller makes its wakep
// its M counts as running, so the last spec M's stopm declares no
// deadlock; the wakep starts that M again, and the deadlock is declared
// when it stops for good, as in the runtime.
func TestStartTheWorldWakepCheckdead(t *testing.T) {
	s := newState(t, "small", 2, 1)
	step(t, s, Op{Kind: OpGC, M: Controller, N: 1})
	do(t, s, Op{Kind: OpPark, M: 0})
	if r := idle(t, s, 0); r.Fatal != "" || !s.Ms[0].Parked || s.Sched.Terminal != Alive {
		t.Fatalf("the last M's stopm during the controller's wakep: %v, want no deadlock yet\n%s", r, s.Dump())
	}
	if r := ctlWakepSteps(t, s); !r.Woke || r.HandedTo != 0 || r.Fatal != "" {
		t.Fatalf("the controller's wakep: %v, want M0 started and no deadlock\n%s", r, s.Dump())
	}
	do(t, s, Op{Kind: OpAcquireP, M: 0, P: s.Ms[0].NextP})
	if r := idle(t, s, 0); r.Fatal != FatalAllAsleep {
		t.Fatalf("M0's stopm after the wakep: %v, want all goroutines asleep\n%s", r, s.Dump())
	}
}

// TestBecomeSpinningWindow is the regression test for becomeSpinning's
// window (proc.go (*m).becomeSpinning: `mp.spinning = true;
// sched.nmspinning.Add(1); sched.needspinning.Store(0)`, no lock): an M
// spinning before stealWork counts in nmspinning one step before it
// clears needspinning. In between, another M's stop path, under
// sched.lock, still finds needspinning set and spins too, keeping its P.
// With becomeSpinning one step (as the spec had it) that M dropped its P:
// the control. gexit check found the window in impl's free-running
// histories.
func TestBecomeSpinningWindow(t *testing.T) {
	s := newState(t, "small", 2, 2)
	startOn(t, s, 1, 1) // M1 in findRunnable on P1, nothing to run
	spawn(t, s, 0)      // main's G1 on P0's runnext; wakep: the CAS, no idle P
	if !s.Sched.NeedSpinning || s.Sched.NMSpinning != 0 {
		t.Fatalf("wakep with no idle P: want needspinning set, nmspinning 0\n%s", s.Dump())
	}
	// M1 spins: counted, needspinning not yet cleared.
	r := step(t, s, Op{Kind: OpSpin, M: 1, Strict: true})
	m1 := &s.Ms[1]
	if r.Value != 0 || !m1.Spinning || !m1.SpinClear || s.Sched.NMSpinning != 1 || !s.Sched.NeedSpinning {
		t.Fatalf("spin's first step: %v\n%s", r, s.Dump())
	}
	if ops := s.Enabled(DefaultBounds(3), nil); !slices.Equal(opsOf(ops, 1), []Op{{Kind: OpSpin, M: 1}}) {
		t.Fatalf("enabled %v: want M1's needspinning store alone", ops)
	}
	if _, err := s.Clone().Apply(Op{Kind: OpSchedule, M: 1, Source: SrcSteal, Victim: 0}); err == nil {
		t.Fatal("M1 stole before its needspinning store")
	}
	// M0: main waits, G1 runs and exits, and findRunnable finds nothing.
	do(t, s, Op{Kind: OpPark, M: 0})
	sched(t, s, 0, SrcRunnext)
	do(t, s, Op{Kind: OpExit, M: 0})
	control := s.Clone()
	// In the window M0's stop path spins on needspinning's behalf.
	st := step(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcIdle})
	m0 := &s.Ms[0]
	if st.Value != StopNeedSpinning || m0.P != 0 || !m0.Spinning || s.Sched.NMSpinning != 2 || s.Sched.NeedSpinning {
		t.Fatalf("M0's stop path in the window: %v; want P0 kept, M0 spinning, nmspinning 2\n%s", st, s.Dump())
	}
	c := step(t, s, Op{Kind: OpSpin, M: 1})
	if c.Value != 1 || m1.SpinClear || !m1.Spinning || s.Sched.NeedSpinning || s.Sched.NMSpinning != 2 {
		t.Fatalf("M1's needspinning store: %v\n%s", c, s.Dump())
	}
	if got := Branches(Op{Kind: OpSpin, M: 1}, c, nil); !slices.Contains(got, "spin/needspinning-store") || slices.Contains(got, "spin/recheck-global") {
		t.Fatalf("branches %v: want spin/needspinning-store alone", got)
	}
	// The control: M1's store first, as a one-step becomeSpinning makes
	// it; M0's stop path then drops P0.
	step(t, control, Op{Kind: OpSpin, M: 1})
	if r := step(t, control, Op{Kind: OpSchedule, M: 0, Source: SrcIdle}); r.Value == StopNeedSpinning || control.Ms[0].P != None {
		t.Fatalf("M0's stop path after M1's store: %v, M0 on P%d: want P0 dropped\n%s", r, control.Ms[0].P, control.Dump())
	}
}

// TestStartmThrowOrder: startm checks the M mget returned before the P
// (proc.go:3108-3117): "m is spinning", "m has p", then, for a spinning
// start, "p has runnable gs"; newm's path, with no idle M, checks none.
// The spec checked the P's run queue first, before mget, and on newm's
// path too.
func TestStartmThrowOrder(t *testing.T) {
	build := func(idle, spinningM bool) *State {
		s := newState(t, "small", 2, 2)
		pi, err := s.releasep(0)
		if err != nil {
			t.Fatal(err)
		}
		s.Ps[pi].Runnext = 0 // (planted: a spinning start's P with work)
		s.Gs[0].Status, s.Gs[0].M, s.Ms[0].Curg = Runnable, None, None
		if !idle {
			s.Sched.Midle, s.Ms[1].Parked = None, false
		}
		s.Ms[1].Spinning = spinningM
		return s
	}
	if err := build(false, false).startm(0, true); err != nil {
		t.Fatalf("newm's path: %v, want no throw (the runtime checks nothing there)", err)
	}
	wantThrow(t, build(true, false).startm(0, true), ThrowStartmRunnable)
	wantThrow(t, build(true, true).startm(0, true), ThrowStartmSpinning)
	if err := build(true, false).startm(0, false); err != nil {
		t.Fatalf("a start that does not spin: %v", err)
	}
}
