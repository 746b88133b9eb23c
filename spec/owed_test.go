package spec

import (
	"errors"
	"testing"
)

// refused: op is disabled (with a reason naming the owed step) in s,
// and s is left as it was.
func refused(t *testing.T, s *State, op Op, why string) {
	t.Helper()
	before := s.Clone()
	_, _, err := Step(s, op)
	var d *Disabled
	if !errors.As(err, &d) {
		t.Fatalf("%s: Step accepts %v (err %v):\n%s", why, op, err, s.Dump())
	}
	if !s.Equal(before) {
		t.Fatalf("%s: the refused %v changed the state", why, op)
	}
}

// An M that owes a step of the op before makes it before schedule: the
// runtime reaches schedule() only after it. Step used to dispatch
// schedule before its checks of what an M owes, so a history could
// schedule first.
func TestScheduleWaitsForTheOwedStep(t *testing.T) {
	// gdestroy of a locked G sends the thread to mexit
	// (gogo(&mp.g0.sched), proc.go:4553-4567), never to findRunnable.
	s := lockedOnM1(t)
	do(t, s, Op{Kind: OpGosched, M: 0}) // G0 on the global queue
	step(t, s, Op{Kind: OpExit, M: 1})  // M1 owes mexit, holding P1
	refused(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcGlobal, Strict: true}, "owes mexit")
	step(t, s, Op{Kind: OpMexit, M: 1})

	// goschedImpl's wakep comes before its schedule (proc.go:4341-4345).
	s = newState(t, "go", 2, 2)
	spawn(t, s, 0)
	settle(t, s)
	step(t, s, Op{Kind: OpGosched, M: 0})
	if !s.Ms[0].WakeP {
		t.Fatalf("gosched with an idle P owes no wakep:\n%s", s.Dump())
	}
	refused(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcTick, Strict: true}, "owes gosched's wakep")
	wakepSteps(t, s, 0)
	step(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcTick, Strict: true}) // the control

	// goyield_m's runqput ends with runqputslow's push before schedule
	// (proc.go:4470-4471).
	s = newState(t, "small", 1, 1)
	for range 5 {
		spawn(t, s, 0)
	}
	step(t, s, Op{Kind: OpGoyield, M: 0})
	if len(s.Ps[0].SlowBatch) == 0 {
		t.Fatalf("goyield on a full ring left no runqputslow batch:\n%s", s.Dump())
	}
	refused(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcRunnext, Strict: true}, "owes goyield's push")
	step(t, s, Op{Kind: OpRunqputslowPush, M: 0})

	// becomeSpinning's needspinning store comes before stealWork
	// (proc.go:3517-3522).
	s = newState(t, "go", 2, 2)
	spawn(t, s, 0)
	settle(t, s)
	step(t, s, Op{Kind: OpPark, M: 0})
	step(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcRunnext})
	step(t, s, Op{Kind: OpPark, M: 0})
	step(t, s, Op{Kind: OpSpin, M: 0, Strict: true})
	if !s.Ms[0].SpinClear {
		t.Fatalf("the spin owes no needspinning store:\n%s", s.Dump())
	}
	refused(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcIdle}, "owes the needspinning store")
}
