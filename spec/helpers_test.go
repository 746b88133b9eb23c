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
	r, err := s.Apply(op)
	if err != nil {
		t.Fatalf("%v: %v\nstate:\n%s", op, err, s.Dump())
	}
	if v := s.CheckInvariants(); v != nil {
		t.Fatalf("after %v: %v\nstate:\n%s", op, v, s.Dump())
	}
	return r
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

func sched(t testing.TB, s *State, m int8, src Source) Result {
	t.Helper()
	return do(t, s, Op{Kind: OpSchedule, M: m, Source: src})
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
