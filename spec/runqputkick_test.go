package spec

import "testing"

// runqput with next is two steps, as in proc.go runqput: the CAS
// `pp.runnext.cas(oldnext, gp)`, then the store of the old runnext at the
// ring's tail. Between them the old runnext is runnable and on no queue
// (runqput's local gp): a thief finds P0's ring empty and can take the new
// runnext even under Strict (stealWork's rings-before-runnext order), which
// a one-step runqput made impossible. The M in runqput does nothing else
// first, and its wakep follows the put.
func TestRunqputKickTwoSteps(t *testing.T) {
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0) // G1 in P0's runnext
	newproc1(t, s, 0)
	r, err := s.Apply(Op{Kind: OpRunqput, M: 0})
	if err != nil {
		t.Fatal(err)
	}
	p0 := &s.Ps[0]
	if r.G != 2 || r.Kicked != 1 || r.Slow || p0.Runnext != 2 || p0.Kicked != 1 || len(p0.Ring) != 0 || s.Ms[0].WakeP {
		t.Fatalf("after the CAS: %v\n%s", r, s.Dump())
	}
	if s.Gs[1].Status != Runnable {
		t.Fatalf("kicked G1 is %s", s.Gs[1].Status)
	}
	if v := s.CheckInvariants(); v != nil {
		t.Fatalf("the window is a legal state: %v", v)
	}
	// M0 can only put the kicked G: Enabled offers nothing else for it,
	// and Apply refuses its other ops.
	for _, op := range s.Enabled(DefaultBounds(10), nil) {
		if op.M == 0 && op.Kind != OpRunqputKick {
			t.Fatalf("M0 is offered %v inside runqput", op)
		}
	}
	for _, op := range []Op{{Kind: OpGosched, M: 0}, {Kind: OpNewproc1, M: 0}, {Kind: OpWakep, M: 0},
		{Kind: OpExit, M: 0}, {Kind: OpRunqputslowPush, M: 0}} {
		if _, err := s.Clone().Apply(op); err == nil {
			t.Fatalf("%v applied inside runqput", op)
		} else {
			wantDisabled(t, err)
		}
	}
	// M1, which G1's wakep started spinning, takes P1 and steals P0's
	// runnext G2 under Strict: the ring is empty, so stealWork's order
	// allows it.
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	if _, err := s.Clone().Apply(Op{Kind: OpSchedule, M: 1, Source: SrcSteal, Victim: 0}); err == nil {
		t.Fatal("M1 stole the kicked G1 from P0's ring before runqput put it there")
	}
	if !s.Ms[1].Spinning {
		t.Fatalf("M1 is not spinning (newproc's wakep started it spinning)\n%s", s.Dump())
	}
	if r := do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcStealNext, Victim: 0, Strict: true}); r.G != 2 {
		t.Fatalf("runnext steal in the window: %v\n%s", r, s.Dump())
	}
	// The put: G1 at the ring's tail, then newproc's wakep.
	kr, err := s.Apply(Op{Kind: OpRunqputKick, M: 0})
	if err != nil {
		t.Fatal(err)
	}
	if kr.G != 1 || kr.Slow || gl(p0.Ring) != "[G1]" || p0.Kicked != None || p0.Runnext != None || !s.Ms[0].WakeP {
		t.Fatalf("the put: %v\n%s", kr, s.Dump())
	}
	if _, err := s.Clone().Apply(Op{Kind: OpRunqputKick, M: 0}); err == nil {
		t.Fatal("put the kicked G twice")
	}
	do(t, s, Op{Kind: OpWakep, M: 0})
}

// A runqput with no old runnext is one step: it owes the wakep at once.
func TestRunqputNoKickOneStep(t *testing.T) {
	s := newState(t, "small", 1, 1)
	do(t, s, Op{Kind: OpNewproc1, M: 0})
	r, err := s.Apply(Op{Kind: OpRunqput, M: 0})
	if err != nil {
		t.Fatal(err)
	}
	if r.Kicked != None || s.Ps[0].Kicked != None || s.Ps[0].Runnext != r.G || !s.Ms[0].WakeP {
		t.Fatalf("runqput into an empty runnext: %v\n%s", r, s.Dump())
	}
}

// The invariants see the kicked G: a state that lost it, holds it twice
// or holds it on a P no running G owns is broken; the window itself is not.
func TestRunqputKickInvariants(t *testing.T) {
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0)
	newproc1(t, s, 0)
	if _, err := s.Apply(Op{Kind: OpRunqput, M: 0}); err != nil {
		t.Fatal(err)
	}
	lost := s.Clone()
	lost.Ps[0].Kicked = None
	if v := lost.CheckInvariants(); v == nil || v.Invariant != "RunnableGsQueued" {
		t.Fatalf("lost kicked G: got %v, want RunnableGsQueued", v)
	}
	twice := s.Clone()
	twice.Ps[0].Ring = append(twice.Ps[0].Ring, 1)
	if v := twice.CheckInvariants(); v == nil {
		t.Fatal("the kicked G also on the ring passed")
	}
	idle := s.Clone()
	idle.Ps[1].Kicked, idle.Ps[0].Kicked = 1, None
	if v := idle.CheckInvariants(); v == nil {
		t.Fatal("a kicked G on an idle P passed")
	}
}

// newproc1 runs newproc's first steps on M m (goidrefill if the cache is
// empty, newproc1), leaving its runqput to the caller.
func newproc1(t testing.TB, s *State, m int8) {
	t.Helper()
	if p := &s.Ps[s.Ms[m].P]; p.GoidCache == p.GoidEnd {
		do(t, s, Op{Kind: OpGoidRefill, M: m})
	}
	do(t, s, Op{Kind: OpNewproc1, M: m})
}
