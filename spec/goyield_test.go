package spec

import (
	"slices"
	"testing"
)

// TestGoyieldToOwnRing: goyield_m (proc.go:4456-4472) puts the yielding G
// at the tail of its own P's ring (runqput(pp, gp, false)) and calls
// schedule with no wakep, so the P runs the readied waiter in runnext and
// then the yielder. gosched, the control, puts it on the global queue and
// owes a wakep.
func TestGoyieldToOwnRing(t *testing.T) {
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0) // G1 in P0's runnext; its wakep starts M1 for P1
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	if !slices.Contains(s.Enabled(DefaultBounds(3), nil), Op{Kind: OpGoyield, M: 0}) {
		t.Fatal("goyield not offered to a running G with every family on")
	}
	b := DefaultBounds(3)
	b.NoGoyield = true
	if slices.Contains(s.Enabled(b, nil), Op{Kind: OpGoyield, M: 0}) {
		t.Fatal("goyield offered with its family left out")
	}
	g := s.Clone()
	if r := step(t, g, Op{Kind: OpGosched, M: 0}); r.G != 0 || !g.Ms[0].WakeP || len(g.Sched.Runq) != 1 {
		t.Fatalf("control: gosched %v, want G0 on the global queue and a wakep owed\n%s", r, g.Dump())
	}
	r := step(t, s, Op{Kind: OpGoyield, M: 0})
	m0, p0 := &s.Ms[0], &s.Ps[0]
	if r.G != 0 || r.Slow || m0.Curg != None || m0.WakeP || m0.P != 0 || !slices.Equal(p0.Ring, []int32{0}) || p0.Runnext != 1 ||
		len(s.Sched.Runq) != 0 || s.Gs[0].Status != Runnable {
		t.Fatalf("goyield: %v, want G0 at P0's ring tail, G1 still in runnext, no wakep owed\n%s", r, s.Dump())
	}
	if got := Branches(Op{Kind: OpGoyield, M: 0}, r, nil); !slices.Equal(got, []string{"goyield"}) {
		t.Fatalf("branches %v", got)
	}
	// schedule: runnext first (the waiter, inheriting the time slice).
	if rs := step(t, s, Op{Kind: OpSchedule, M: 0, Source: SrcRunnext, Strict: true}); rs.G != 1 {
		t.Fatalf("schedule after goyield: %v, want G1 from runnext\n%s", rs, s.Dump())
	}
}

// TestGoyieldRunqputslowOwesNoWakep: with its P's ring full, goyield's
// runqput goes through runqputslow, whose push (a sched.lock section of its
// own) is the M's next step; the push owes no wakep after goyield, where
// it does after newproc's, ready's and a preemption's runqput.
func TestGoyieldRunqputslowOwesNoWakep(t *testing.T) {
	s := newState(t, "small", 1, 1)
	for i := 0; i < 5; i++ {
		spawn(t, s, 0) // runnext G5, ring [G1 G2 G3 G4]: full
	}
	if p := &s.Ps[0]; len(p.Ring) != 4 || p.Runnext != 5 {
		t.Fatalf("setup: a full ring\n%s", s.Dump())
	}
	r := step(t, s, Op{Kind: OpGoyield, M: 0})
	m0, p0 := &s.Ms[0], &s.Ps[0]
	if !r.Slow || !m0.YieldSlow || !slices.Equal(p0.SlowBatch, []int32{1, 2, 0}) || m0.WakeP {
		t.Fatalf("goyield with a full ring: %v, want runqputslow's batch [G1 G2 G0] held, its push next\n%s", r, s.Dump())
	}
	if got := Branches(Op{Kind: OpGoyield, M: 0}, r, nil); !slices.Contains(got, "goyield/runqputslow") {
		t.Fatalf("branches %v", got)
	}
	var m0ops []Op
	for _, op := range s.Enabled(DefaultBounds(6), nil) {
		if op.M == 0 {
			m0ops = append(m0ops, op)
		}
	}
	if !slices.Equal(m0ops, []Op{{Kind: OpRunqputslowPush, M: 0}}) {
		t.Fatalf("M0 is offered %v, want the push alone", m0ops)
	}
	pr := step(t, s, Op{Kind: OpRunqputslowPush, M: 0})
	if pr.Value != 3 || m0.YieldSlow || m0.WakeP || !slices.Equal(s.Sched.Runq, []int32{1, 2, 0}) {
		t.Fatalf("the push: %v, want [G1 G2 G0] on the global queue and no wakep owed\n%s", pr, s.Dump())
	}
	// The flag without the batch it stands for is refused.
	c := s.Clone()
	c.Ms[0].YieldSlow = true
	if v := c.CheckInvariants(); v == nil || v.Invariant != "SpinningWithoutLocalWork" {
		t.Fatalf("M.YieldSlow with no batch held: %v, want SpinningWithoutLocalWork's check", v)
	}
}

// A locked M's goyield goes on to schedule's stoplockedm, with no wakep
// before it (gosched's locked M owes its wakep first).
func TestGoyieldLockedStoplockedm(t *testing.T) {
	s := newState(t, "small", 2, 2)
	do(t, s, Op{Kind: OpLockOSThread, M: 0})
	step(t, s, Op{Kind: OpGoyield, M: 0})
	if m0 := &s.Ms[0]; !m0.StopLocked || m0.WakeP || m0.P != 0 {
		t.Fatalf("locked goyield: want stoplockedm next, no wakep\n%s", s.Dump())
	}
	if ops := s.Enabled(DefaultBounds(2), nil); !slices.Contains(ops, Op{Kind: OpStoplockedm, M: 0}) {
		t.Fatalf("enabled %v: want M0's stoplockedm", ops)
	}
}

// A stop-the-world between goyield's runqputslow and its push does not
// leave the M past findRunnable's read of gcwaiting (M.StaleGCRead): the
// push takes sched.lock after the stop-the-world's section, and schedule
// reads gcwaiting after it, so the M stops (gcstopm) and takes no G.
// (The spec marked it stale, and offered it schedule's G, until a review
// of proc.go found it.)
func TestGoyieldRunqputslowNotStaleForTheWorld(t *testing.T) {
	s := newState(t, "small", 1, 1)
	for i := 0; i < 5; i++ {
		spawn(t, s, 0)
	}
	step(t, s, Op{Kind: OpGoyield, M: 0})
	step(t, s, Op{Kind: OpStopTheWorld, M: Controller})
	step(t, s, Op{Kind: OpRunqputslowPush, M: 0})
	if s.Ms[0].StaleGCRead {
		t.Fatalf("M0 stale for the stop-the-world after goyield's push:\n%s", s.Dump())
	}
	for _, op := range s.Enabled(DefaultBounds(6), nil) {
		if op.M == 0 && op.Kind != OpGCStopm {
			t.Fatalf("M0 is offered %v while the world stops; want gcstopm alone", op)
		}
	}
}
