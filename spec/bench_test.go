package spec

import "testing"

// BenchmarkStep: one transition (clone + apply) on a state with 4 Ps and 64
// Gs (the go preset: none of them spill).
func BenchmarkStep(b *testing.B) {
	s := newState(b, "go", 4, 4)
	for i := 0; i < 63; i++ {
		spawn(b, s, 0)
	}
	// A third of them exit, so the free lists are populated. main yields
	// until M0 runs another G (P0's first schedtick picks main back from
	// the global queue), which then exits.
	sched := func() {
		for _, op := range s.Enabled(DefaultBounds(64), nil) {
			if op.Kind == OpSchedule && op.M == 0 && op.Source != SrcIdle {
				do(b, s, op)
				return
			}
		}
		b.Fatalf("M0 has nothing to schedule:\n%s", s.Dump())
	}
	for i := 0; i < 20; i++ {
		do(b, s, Op{Kind: OpGosched, M: 0})
		sched()
		for s.Ms[0].Curg == 0 {
			do(b, s, Op{Kind: OpGosched, M: 0})
			sched()
		}
		do(b, s, Op{Kind: OpExit, M: 0})
		sched()
	}
	if len(s.Gs) != 64 {
		b.Fatalf("%d Gs", len(s.Gs))
	}
	ops := s.Enabled(DefaultBounds(64), nil)
	scratch := new(State)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		scratch.CopyFrom(s)
		if _, err := scratch.Apply(ops[i%len(ops)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkStepPure: the pure Step (a fresh Clone per call).
func BenchmarkStepPure(b *testing.B) {
	s := newState(b, "go", 4, 4)
	for i := 0; i < 63; i++ {
		spawn(b, s, 0)
	}
	op := Op{Kind: OpGosched, M: 0}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Step(s, op); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckInvariants: every invariant on states of a random walk of
// the small preset (2 Ps, 2 Ms, up to 6 Gs), as the explorer meets them.
func BenchmarkCheckInvariants(b *testing.B) {
	states := walkStates(b, 256, 6)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if v := states[i%len(states)].CheckInvariants(); v != nil {
			b.Fatal(v)
		}
		i++
	}
}

// walkStates returns n states of a random walk of the small preset (2 Ps,
// 2 Ms, up to gs Gs), as the explorer meets them.
func walkStates(b *testing.B, n, gs int) []*State {
	s := newState(b, "small", 2, 2)
	bounds := DefaultBounds(gs)
	var states []*State
	for i := 0; len(states) < n; i++ {
		ops := s.Enabled(bounds, nil)
		if len(ops) == 0 {
			s = newState(b, "small", 2, 2)
			continue
		}
		if _, err := s.Apply(ops[(i*7919)%len(ops)]); err != nil {
			b.Fatal(err)
		}
		states = append(states, s.Clone())
	}
	return states
}

// BenchmarkEncode: AppendBinary, the explorer's encoding of each new
// state into its frontier.
func BenchmarkEncode(b *testing.B) {
	states := walkStates(b, 256, 3)
	buf := make([]byte, 0, 4096)
	i := 0
	for b.Loop() {
		buf = states[i%len(states)].AppendBinary(buf[:0])
		i++
	}
}

// BenchmarkDecode: DecodeFrom, the explorer's decoding of each frontier
// state.
func BenchmarkDecode(b *testing.B) {
	states := walkStates(b, 256, 3)
	var encs [][]byte
	for _, s := range states {
		encs = append(encs, s.AppendBinary(nil))
	}
	cfg := states[0].Cfg
	d := new(State)
	i := 0
	for b.Loop() {
		if _, err := d.DecodeFrom(cfg, encs[i%len(encs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
