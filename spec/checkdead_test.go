package spec

import "testing"

// TestCheckdeadAllAsleep: the last M to go idle runs checkdead (stopm's
// mput) and, with every user goroutine waiting, the program dies with
// "all goroutines are asleep - deadlock!" (proc.go checkdead's last
// line). Before, the spec had no such end: the state sat with nothing
// enabled.
func TestCheckdeadAllAsleep(t *testing.T) {
	for _, ms := range []int{2, 3} {
		s := newState(t, "small", 2, ms)
		spawn(t, s, 0) // G1 on P0's runnext
		settle(t, s)
		do(t, s, Op{Kind: OpPark, M: 0})
		if s.Sched.Terminal != Alive {
			t.Fatalf("%d Ms: main parked with G1 runnable ended the program: %s", ms, s.Dump())
		}
		sched(t, s, 0, SrcRunnext)
		do(t, s, Op{Kind: OpPark, M: 0})
		r := sched(t, s, 0, SrcIdle)
		if r.Fatal != FatalAllAsleep || s.Sched.Terminal != AllAsleep {
			t.Fatalf("%d Ms: the last M idle with every G waiting: %v\n%s", ms, r, s.Dump())
		}
		if ops := s.Enabled(DefaultBounds(4), nil); len(ops) != 0 {
			t.Fatalf("a terminal state enables %v", ops)
		}
	}
}

// TestCheckdeadRunnableG: an M that goes idle while a goroutine is
// runnable and no other M runs is the lost wakeup checkdead exists to
// catch: throw("checkdead: runnable g").
func TestCheckdeadRunnableG(t *testing.T) {
	s := newState(t, "small", 1, 1)
	do(t, s, Op{Kind: OpGosched, M: 0}) // main on sched.runq; wakep finds no idle P
	// Planted: M0 drops its P and stopm's without looking at the global
	// queue.
	if _, err := s.releasep(0); err != nil {
		t.Fatal(err)
	}
	if err := s.pidleput(0); err != nil {
		t.Fatal(err)
	}
	r := NewResult()
	wantThrow(t, s.mput(0, &r), ThrowCheckdeadRunnable)
}

// TestCheckdeadLockedM: an M waiting in stoplockedm for its G counts in
// sched.nmidlelocked (incidlelocked(1)), not as running; when the other M
// goes idle too, checkdead ends the program.
func TestCheckdeadLockedM(t *testing.T) {
	s := newState(t, "small", 2, 2)
	do(t, s, Op{Kind: OpLockOSThread, M: 0})
	spawn(t, s, 0) // G1 on P0's runnext; wakep starts M1 on P1
	settle(t, s)
	do(t, s, Op{Kind: OpPark, M: 0}) // stoplockedm hands P0 (G1 in runnext) off: startm takes M1
	if s.NMIdleLocked() != 1 || s.Sched.Terminal != Alive {
		t.Fatalf("main parked on its locked M0: nmidlelocked %d\n%s", s.NMIdleLocked(), s.Dump())
	}
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 0})
	sched(t, s, 1, SrcRunnext)
	do(t, s, Op{Kind: OpPark, M: 1})
	r := sched(t, s, 1, SrcIdle)
	if r.Fatal != FatalAllAsleep {
		t.Fatalf("M1 idle, M0 in stoplockedm, both Gs waiting: %v\n%s", r, s.Dump())
	}
}

// TestCheckdeadCountsNewM is the regression test for the class of
// golang/go#59600 (and #6070, #40368): startm with no idle M counts
// newm's M in mcount (mReserveID) under the sched.lock that hands the P
// out, so an M that goes idle before the new thread runs does not see
// "no M running" and throw "checkdead: runnable g".
func TestCheckdeadCountsNewM(t *testing.T) {
	s := newState(t, "small", 1, 1)
	retakeP0(t, s) // handoffp's last-P startm: no idle M, P0 waits for newm's M
	if !s.pendingP(0) || s.MCount() != 2 {
		t.Fatalf("pending P0: mcount %d, want 2 (M0 and newm's)\n%s", s.MCount(), s.Dump())
	}
	// exitsyscall finds no P: main on sched.runq, M0 stopm's. checkdead
	// sees newm's M running.
	do(t, s, Op{Kind: OpExitSyscall, M: 0, P: None, N: int8(ExitNoP)})
	r := do(t, s, Op{Kind: OpStopm, M: 0}) // exitsyscallNoP's stopm, after the unlock
	if r.Fatal != "" || s.Sched.Terminal != Alive || !s.Ms[0].Parked {
		t.Fatalf("exitsyscall without a P: %v\n%s", r, s.Dump())
	}
	// The new M (M0 in its place) takes P0 and runs main.
	do(t, s, Op{Kind: OpAcquireP, M: 0, P: 0})
	if got := sched(t, s, 0, SrcGlobal); got.G != 0 {
		t.Fatalf("schedule: %v", got)
	}
}

// TestGoexitDeadlockAtMexit: main Goexits, then the last goroutine exits
// locked and m0 wedges in mexit, whose checkdead sees M1 started for the
// P it handed off; M1's stopm ends the program.
func TestGoexitDeadlockAtMexit(t *testing.T) {
	s := newState(t, "small", 1, 2)
	spawn(t, s, 0)
	do(t, s, Op{Kind: OpGoexit, M: 0}) // main: goexit, G1 still alive
	sched(t, s, 0, SrcRunnext)
	do(t, s, Op{Kind: OpLockOSThread, M: 0})
	r := do(t, s, Op{Kind: OpGoexit, M: 0}) // G1 exits locked: m0 is wedged in mexit
	if r.Fatal != "" || s.Ms[1].NextP != 0 {
		t.Fatalf("last G exits locked on m0: mexit's handoffp starts M1 for P0: %v\n%s", r, s.Dump())
	}
	// M1 finds nothing; its stopm's mput runs checkdead.
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 0})
	sched(t, s, 1, SrcIdle)
	do(t, s, Op{Kind: OpStopSpinning, M: 1})
	r = do(t, s, Op{Kind: OpRecheck, M: 1})
	if r.Fatal != FatalGoexitDeadlock || s.Sched.Terminal != GoexitDeadlock {
		t.Fatalf("the last M idle after main's Goexit: %v\n%s", r, s.Dump())
	}
}

// Controls for checkdead's invariants.
func TestInvariantsCheckdead(t *testing.T) {
	s := newState(t, "small", 2, 2)
	holds(t, s, "CheckdeadRan")
	holds(t, s, "AllAsleepIsDeadlock")
	plantStop(t, s, 0) // M0 asleep: no M runs, and nothing ended the program
	fires(t, s, "CheckdeadRan")

	s = newState(t, "small", 2, 2)
	s.Sched.Terminal = AllAsleep // with M0 running main
	fires(t, s, "AllAsleepIsDeadlock")
	s = newState(t, "small", 2, 2)
	do(t, s, Op{Kind: OpPark, M: 0})
	sched(t, s, 0, SrcIdle)
	holds(t, s, "AllAsleepIsDeadlock")
	holds(t, s, "CheckdeadRan")
	s.Gs[0].Status = Runnable
	fires(t, s, "AllAsleepIsDeadlock")

	s = newState(t, "small", 2, 2)
	s.Sched.Terminal = GoexitDeadlock // main alive
	fires(t, s, "MainGoexitIsFinal")

	// After main's Goexit: main's return, or a live G with its goid (a
	// review's reissued goid made a recycled G a second main).
	s = newState(t, "small", 2, 2)
	do(t, s, Op{Kind: OpGoexit, M: 0})
	holds(t, s, "MainGoexitIsFinal")
	s.Sched.Terminal = MainReturned
	fires(t, s, "MainGoexitIsFinal")
	s = newState(t, "small", 2, 2)
	do(t, s, Op{Kind: OpGoexit, M: 0})
	s.Gs[0].Status = Runnable
	fires(t, s, "MainGoexitIsFinal")
}

// CheckNewproc1 (the step invariant GoidFresh): a newproc1 gives the head
// of its P's goid cache, or of the batch it fetches; a goid kept from a
// G's last life, or a cache skipped, fails it.
func TestCheckNewproc1(t *testing.T) {
	s := newState(t, "small", 1, 1)
	fetched := false
	for range 3 { // one fetches a batch (small: 2 goids a batch)
		op := Op{Kind: OpNewproc1, M: 0}
		n, r, err := Step(s, op)
		if err != nil {
			t.Fatal(err)
		}
		if v := s.CheckNewproc1(op, r, n); v != nil {
			t.Fatalf("%v: %v", op, v)
		}
		bad := n.Clone()
		bad.Gs[r.G].Goid = MainGoid
		if v := s.CheckNewproc1(op, r, bad); v == nil || v.Invariant != GoidFresh {
			t.Fatalf("goid %d kept: %v", MainGoid, v)
		}
		if r.Batch != 0 {
			fetched = true
			r2 := r
			r2.Batch++
			if v := s.CheckNewproc1(op, r2, n); v == nil {
				t.Fatal("a batch past goidgen+1 passes")
			}
		}
		do(t, n, Op{Kind: OpRunqput, M: 0})
		s = n
	}
	if !fetched {
		t.Fatal("no newproc1 fetched a batch: the test checks no refill")
	}
}

// TestExitsyscallNoPStopmAfterUnlock: exitsyscallNoP publishes its G on the
// global queue and unlocks sched.lock before stopm takes it again to put
// the M on the idle list, so another M can run the G (and, unlocked,
// LockOSThread it: golang/go#46524's race, which is why gp.lockedm is read
// before the unlock) while this M has not yet stopped.
func TestExitsyscallNoPStopmAfterUnlock(t *testing.T) {
	s := newState(t, "small", 1, 2)
	spawn(t, s, 0) // G1 in P0's runnext; no idle P for wakep
	retakeP0(t, s) // handoffp: P0 has work, startm takes M1
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 0})
	do(t, s, Op{Kind: OpExitSyscall, M: 0, P: None, N: int8(ExitNoP)})
	if !s.Ms[0].Stopping || s.Ms[0].Parked {
		t.Fatalf("exitsyscallNoP without a P: stopm is the M's next step\n%s", s.Dump())
	}
	// M1 schedules main from the global queue (schedtick 0: the 61st
	// tick's pick), and main locks M1, while M0 has not stopped yet.
	if r := sched(t, s, 1, SrcTick); r.G != 0 {
		t.Fatalf("schedule: %v", r)
	}
	do(t, s, Op{Kind: OpLockOSThread, M: 1})
	do(t, s, Op{Kind: OpStopm, M: 0})
	if !s.Ms[0].Parked || s.Ms[0].LockedG != None || s.Ms[1].LockedG != 0 {
		t.Fatalf("M0 stopm's unlocked; main is locked to M1\n%s", s.Dump())
	}
}

// checkdead counts a preempted goroutine (_Gpreempted) as one that waits
// (`case _Gwaiting, _Gpreempted: grunning++`): with no M running and the
// only user goroutine preempted, the program dies with "all goroutines
// are asleep", not "no goroutines (main called runtime.Goexit)".
func TestCheckdeadCountsPreempted(t *testing.T) {
	s := newState(t, "small", 1, 1)
	do(t, s, Op{Kind: OpPark, M: 0})
	s.Gs[0].Status = Preempted // planted: no op makes a G preempted
	if _, err := s.releasep(0); err != nil {
		t.Fatal(err)
	}
	s.Ms[0].Parked = true
	s.Ms[0].Link, s.Sched.Midle = None, 0
	if run := s.RunningMs(); run != 0 {
		t.Fatalf("%d Ms running after M0 went idle:\n%s", run, s.Dump())
	}
	var r Result
	if err := s.checkdead(&r); err != nil || r.Fatal != FatalAllAsleep {
		t.Fatalf("checkdead with main preempted and no M running: %v, fatal %q; want %q", err, r.Fatal, FatalAllAsleep)
	}
	// The invariant that judges the declaration counts a preempted G as
	// checkdead does; a runnable one is still refused.
	holds(t, s, "AllAsleepIsDeadlock")
	s.Gs[0].Status = Runnable
	fires(t, s, "AllAsleepIsDeadlock")
}
