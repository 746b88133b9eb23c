package spec

import "testing"

// fillForSlow makes M0 (on P0) spawn until its runnext and ring are full
// and then runs the next spawn's newproc1 and runqput: runqputslow's CAS
// has taken the batch and its push is pending. With preset small the ring
// holds 4: after five spawns runnext = G5 and the ring [G1..G4]; the
// sixth kicks G5, finds the ring full and takes [G1 G2] + G5.
func fillForSlow(t *testing.T, s *State) Result {
	t.Helper()
	for range 5 {
		spawn(t, s, 0)
	}
	if p := &s.Ps[0]; p.GoidCache == p.GoidEnd {
		do(t, s, Op{Kind: OpGoidRefill, M: 0})
	}
	do(t, s, Op{Kind: OpNewproc1, M: 0})
	return do(t, s, Op{Kind: OpRunqput, M: 0})
}

// runqputslow is two steps, as in proc.go:7524-7560: the CAS on runqhead
// that takes the first half of the full ring (the batch, with the G that
// did not fit, leaves the P's ring), then globrunqputbatch under
// sched.lock. Between them the batch's Gs are runnable and on no queue:
// another M sees neither the batch on the global queue nor in P0's ring,
// and its own globrunqput lands before the batch. The M in runqputslow
// does nothing else first.
func TestRunqputslowTwoSteps(t *testing.T) {
	s := newState(t, "small", 2, 2)
	r := fillForSlow(t, s)
	p0 := &s.Ps[0]
	if !r.Slow || r.G != 6 || r.Kicked != 5 || gl(p0.SlowBatch) != "[G1,G2,G5]" || gl(p0.Ring) != "[G3,G4]" ||
		p0.Runnext != 6 || len(s.Sched.Runq) != 0 {
		t.Fatalf("after the CAS: %v\n%s", r, s.Dump())
	}
	for _, g := range []int32{1, 2, 5} {
		if s.Gs[g].Status != Runnable {
			t.Fatalf("G%d in the batch is %s", g, s.Gs[g].Status)
		}
	}
	// M0 can only push: Enabled offers nothing else for it, and Apply
	// refuses its other ops.
	for _, op := range s.Enabled(DefaultBounds(10), nil) {
		if op.M == 0 && op.Kind != OpRunqputslowPush {
			t.Fatalf("M0 is offered %v inside runqputslow", op)
		}
	}
	for _, op := range []Op{{Kind: OpGosched, M: 0}, {Kind: OpNewproc1, M: 0}, {Kind: OpPark, M: 0},
		{Kind: OpSchedule, M: 0, Source: SrcRunnext}, {Kind: OpExit, M: 0}, {Kind: OpEnterSyscall, M: 0}} {
		if _, err := s.Clone().Apply(op); err == nil {
			t.Fatalf("%v applied inside runqputslow", op)
		} else {
			wantDisabled(t, err)
		}
	}
	// M1 takes P1: the batch is on no queue it can see. Its choices are
	// P0's ring and runnext; not the global queue, and not idle (Strict:
	// stealWork would find P0's ring).
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	var kinds []string
	for _, op := range s.Enabled(DefaultBounds(10), nil) {
		if op.M == 1 {
			kinds = append(kinds, op.String())
		}
	}
	if got := join(kinds); got != "M1 schedule steal P0|M1 schedule stealnext P0|M1 schedule idle" {
		t.Fatalf("M1's choices in the window: %s", got)
	}
	if _, err := s.Clone().Apply(Op{Kind: OpSchedule, M: 1, Source: SrcGlobal}); err == nil {
		t.Fatal("M1 took the batch from the global queue before its push")
	}
	if _, err := s.Clone().Apply(Op{Kind: OpSchedule, M: 1, Source: SrcIdle, Strict: true}); err == nil {
		t.Fatal("M1 went idle while P0's ring has work")
	}
	// M1 steals G3 and yields it: globrunqput comes before the batch.
	if r := sched(t, s, 1, SrcSteal); r.G != 3 {
		t.Fatalf("steal in the window: %v", r)
	}
	do(t, s, Op{Kind: OpGosched, M: 1})
	if gl(s.Sched.Runq) != "[G3]" {
		t.Fatalf("global queue after M1's gosched: %s", gl(s.Sched.Runq))
	}
	pr := do(t, s, Op{Kind: OpRunqputslowPush, M: 0})
	if pr.Value != 3 || gl(s.Sched.Runq) != "[G3,G1,G2,G5]" || len(s.Ps[0].SlowBatch) != 0 {
		t.Fatalf("push: %v\n%s", pr, s.Dump())
	}
	if _, err := s.Clone().Apply(Op{Kind: OpRunqputslowPush, M: 0}); err == nil {
		t.Fatal("pushed twice")
	}
	// M0 goes on with its G.
	do(t, s, Op{Kind: OpGosched, M: 0})
}

// ready's runqput takes the same two steps.
func TestRunqputslowFromReady(t *testing.T) {
	s := newState(t, "small", 1, 1)
	for range 5 {
		spawn(t, s, 0)
	}
	// Park main and run G5 (runnext); G5 spawns G6 into runnext (the
	// ring [G1..G4] is full) and readies main, which kicks G6.
	do(t, s, Op{Kind: OpPark, M: 0})
	sched(t, s, 0, SrcRunnext) // G5
	spawn(t, s, 0)             // G6 in runnext, ring [G1..G4] full
	r := do(t, s, Op{Kind: OpReady, M: 0, G: 0})
	if !r.Slow || r.Kicked != 6 || gl(s.Ps[0].SlowBatch) != "[G1,G2,G6]" || s.Ps[0].Runnext != 0 {
		t.Fatalf("ready's runqputslow: %v\n%s", r, s.Dump())
	}
	for _, op := range s.Enabled(DefaultBounds(10), nil) {
		if op.M == 0 && op.Kind != OpRunqputslowPush {
			t.Fatalf("M0 is offered %v inside runqputslow", op)
		}
	}
	do(t, s, Op{Kind: OpRunqputslowPush, M: 0})
	if gl(s.Sched.Runq) != "[G1,G2,G6]" {
		t.Fatalf("global queue %s", gl(s.Sched.Runq))
	}
}

// The invariants see the batch: a state that lost it, holds a G twice or
// holds a batch on a P no running G owns is broken; the same state with
// the batch in place is not.
func TestRunqputslowBatchInvariants(t *testing.T) {
	s := newState(t, "small", 2, 2)
	fillForSlow(t, s)
	if v := s.CheckInvariants(); v != nil {
		t.Fatalf("the window is a legal state: %v", v)
	}
	lost := s.Clone()
	lost.Ps[0].SlowBatch = lost.Ps[0].SlowBatch[:0]
	if v := lost.CheckInvariants(); v == nil || v.Invariant != "RunnableGsQueued" {
		t.Fatalf("planted lost batch: %v", v)
	}
	twice := s.Clone()
	twice.Sched.Runq = append(twice.Sched.Runq, twice.Ps[0].SlowBatch[0])
	if v := twice.CheckInvariants(); v == nil || v.Invariant != "OneListAtATime" {
		t.Fatalf("planted batch G also on the global queue: %v", v)
	}
	dead := s.Clone()
	g := dead.Ps[0].SlowBatch[1]
	dead.Gs[g].Status = Waiting
	if v := dead.CheckInvariants(); v == nil || v.Invariant != "QueuedGsRunnable" {
		t.Fatalf("planted waiting G in the batch: %v", v)
	}
	idle := s.Clone()
	idle.Ps[1].SlowBatch = append(idle.Ps[1].SlowBatch, idle.Ps[0].SlowBatch...)
	idle.Ps[0].SlowBatch = idle.Ps[0].SlowBatch[:0]
	if v := idle.CheckInvariants(); v == nil || v.Invariant != "POwnership" {
		t.Fatalf("planted batch on idle P1: %v", v)
	}
	// The batch is part of the state: copies, encodings and hashes keep it.
	c := s.Clone()
	if !c.Equal(s) || c.Equal(lost) || s.Hash() == lost.Hash() || s.Fingerprint() == lost.Fingerprint() {
		t.Fatal("the batch is not part of Equal, Hash or Fingerprint")
	}
	var d State
	if _, err := d.DecodeFrom(s.Cfg, s.AppendBinary(nil)); err != nil || !d.Equal(s) {
		t.Fatalf("decode: %v\n%s", err, d.Dump())
	}
	if diff := join(Diff(lost, s)); diff == "" {
		t.Fatal("Diff does not show the batch")
	}
}

func join(l []string) string {
	out := ""
	for i, s := range l {
		if i > 0 {
			out += "|"
		}
		out += s
	}
	return out
}
