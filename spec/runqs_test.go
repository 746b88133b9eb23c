package spec

import (
	"fmt"
	"testing"
)

// queuesOnly is the run-queue projection the runtime judge uses: Ps with
// their queues, the global queue, no Gs (the functions never read one).
func queuesOnly(t *testing.T, preset string, ps int) *State {
	t.Helper()
	c, err := Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Consts: c, Ps: ps, Ms: 1}
	s := &State{Cfg: &cfg, Sched: Sched{GoMaxProcs: int32(ps)}}
	for range ps {
		s.Ps = append(s.Ps, P{Status: PRunning, M: None, Runnext: None, Kicked: None, OldM: None})
	}
	return s
}

func seq(from, n int32) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = from + int32(i)
	}
	return out
}

func eqInts(a, b []int32) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

// Each function against the line of proc.go (Go 1.26.8) it models, with
// the "go" constants: a 256-slot ring, global batches of at most 128.
func TestRunqsAgainstProcGo(t *testing.T) {
	t.Run("runqput kicks the old runnext to the ring's tail (proc.go:7497, 7510)", func(t *testing.T) {
		s := queuesOnly(t, "go", 1)
		if old := s.RunqPutNext(0, 10); old != None {
			t.Fatalf("old runnext %d, want none", old)
		}
		if !s.RunqPutRing(0, 1) {
			t.Fatal("ring full")
		}
		old := s.RunqPutNext(0, 11)
		if old != 10 || !s.RunqPutRing(0, old) || s.Ps[0].Runnext != 11 || !eqInts(s.Ps[0].Ring, []int32{1, 10}) {
			t.Fatalf("old %d, runnext %d, ring %v", old, s.Ps[0].Runnext, s.Ps[0].Ring)
		}
	})
	t.Run("a full ring refuses a put (proc.go:7510: t-h < len(pp.runq))", func(t *testing.T) {
		s := queuesOnly(t, "go", 1)
		for g := range int32(256) {
			if !s.RunqPutRing(0, g) {
				t.Fatalf("put %d refused", g)
			}
		}
		if s.RunqPutRing(0, 999) || len(s.Ps[0].Ring) != 256 {
			t.Fatalf("the 257th put went in: ring holds %d", len(s.Ps[0].Ring))
		}
	})
	t.Run("runqputslow takes the first 128 of a full ring (proc.go:7528-7536)", func(t *testing.T) {
		s := queuesOnly(t, "go", 1)
		s.Ps[0].Ring = seq(0, 256)
		batch, err := s.RunqputslowTake(0, nil)
		if err != nil || !eqInts(batch, seq(0, 128)) || !eqInts(s.Ps[0].Ring, seq(128, 128)) {
			t.Fatalf("err %v batch %v ring %v", err, batch, s.Ps[0].Ring)
		}
		_, err = s.RunqputslowTake(0, nil) // 128 left: n = 64
		wantThrow(t, err, ThrowRunqputslow)
	})
	t.Run("runqget: runnext first, with the time slice (proc.go:7604)", func(t *testing.T) {
		s := queuesOnly(t, "go", 1)
		s.Ps[0].Ring = []int32{1, 2}
		s.Ps[0].Runnext = 7
		for _, want := range []struct {
			g       int32
			inherit bool
		}{{7, true}, {1, false}, {2, false}, {None, false}} {
			if g, inh := s.RunqGet(0); g != want.g || inh != want.inherit {
				t.Fatalf("got %d/%v, want %d/%v", g, inh, want.g, want.inherit)
			}
		}
	})
	t.Run("runqgrab takes n - n/2 from the head (proc.go:7667)", func(t *testing.T) {
		for n, want := range map[int32]int32{0: 0, 1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 255: 128, 256: 128} {
			s := queuesOnly(t, "go", 1)
			s.Ps[0].Ring = seq(0, n)
			got := s.RunqGrabRing(0, nil)
			if !eqInts(got, seq(0, want)) || len(s.Ps[0].Ring) != int(n-want) {
				t.Fatalf("ring of %d: grabbed %v, left %d", n, got, len(s.Ps[0].Ring))
			}
		}
	})
	t.Run("runqgrab steals runnext whatever the ring holds by then (proc.go:7705)", func(t *testing.T) {
		s := queuesOnly(t, "go", 1)
		s.Ps[0].Runnext, s.Ps[0].Ring = 5, []int32{1}
		if g := s.RunqGrabNext(0); g != 5 || s.Ps[0].Runnext != None || len(s.Ps[0].Ring) != 1 {
			t.Fatalf("got %d, runnext %d", g, s.Ps[0].Runnext)
		}
	})
	t.Run("runqsteal runs the last grabbed, publishes the rest, throws on overflow (proc.go:7742-7743)", func(t *testing.T) {
		s := queuesOnly(t, "go", 2)
		g, err := s.RunqStealPut(1, []int32{1, 2, 3})
		if err != nil || g != 3 || !eqInts(s.Ps[1].Ring, []int32{1, 2}) {
			t.Fatalf("g %d err %v ring %v", g, err, s.Ps[1].Ring)
		}
		s.Ps[1].Ring = seq(0, 200)
		_, err = s.RunqStealPut(1, seq(1000, 57)) // t-h+n = 200+56 >= 256
		wantThrow(t, err, ThrowRunqOverflow)
		s.Ps[1].Ring = seq(0, 255)
		if g, err := s.RunqStealPut(1, []int32{9}); err != nil || g != 9 {
			t.Fatalf("one grabbed G is run without the overflow check: %d %v", g, err)
		}
	})
	t.Run("runqputbatch puts what fits (proc.go:7572)", func(t *testing.T) {
		s := queuesOnly(t, "go", 1)
		s.Ps[0].Ring = seq(0, 250)
		if n := s.RunqPutBatch(0, seq(1000, 10)); n != 6 || len(s.Ps[0].Ring) != 256 {
			t.Fatalf("put %d, ring %d", n, len(s.Ps[0].Ring))
		}
	})
	t.Run("runqdrain: runnext, then the ring (proc.go:7626)", func(t *testing.T) {
		s := queuesOnly(t, "go", 1)
		s.Ps[0].Runnext, s.Ps[0].Ring = 9, []int32{1, 2}
		if got := s.RunqDrain(0, nil); !eqInts(got, []int32{9, 1, 2}) || s.Ps[0].Runnext != None || len(s.Ps[0].Ring) != 0 {
			t.Fatalf("drained %v", got)
		}
	})
	t.Run("p.destroy: the ring from its tail, then runnext, each at the global head (proc.go:5952-5962)", func(t *testing.T) {
		s := queuesOnly(t, "go", 1)
		s.Ps[0].Runnext, s.Ps[0].Ring = 9, []int32{1, 2, 3}
		s.Sched.Runq = []int32{100}
		var popped []int32
		for g := s.RunqDestroyPop(0); g != None; g = s.RunqDestroyPop(0) {
			popped = append(popped, g)
			s.GlobrunqPutHead(g)
		}
		if !eqInts(popped, []int32{3, 2, 1, 9}) || !eqInts(s.Sched.Runq, []int32{9, 1, 2, 3, 100}) {
			t.Fatalf("popped %v, global %v", popped, s.Sched.Runq)
		}
	})
	t.Run("globrunqgetbatch takes min(n, size, size/gomaxprocs+1) (proc.go:7300)", func(t *testing.T) {
		for _, tc := range []struct{ size, procs, want int32 }{
			{1, 4, 1}, {8, 4, 3}, {8, 1, 8}, {1000, 1, 128}, {1000, 8, 126}, {3, 2, 2},
		} {
			s := queuesOnly(t, "go", 1)
			s.Sched.GoMaxProcs = tc.procs
			s.Sched.Runq = seq(0, tc.size)
			gp, q := s.GlobrunqGetBatch(s.GlobrunqBatchMax(), nil)
			if gp != 0 || !eqInts(q, seq(1, tc.want-1)) || len(s.Sched.Runq) != int(tc.size-tc.want) {
				t.Fatalf("size %d gomaxprocs %d: got %d+%v, %d left; want %d in all", tc.size, tc.procs, gp, q, len(s.Sched.Runq), tc.want)
			}
		}
		s := queuesOnly(t, "go", 1)
		if gp, q := s.GlobrunqGetBatch(128, nil); gp != None || len(q) != 0 {
			t.Fatalf("empty queue gave %d+%v", gp, q)
		}
	})
	t.Run("globrunqput, globrunqputbatch at the tail, globrunqget from the head", func(t *testing.T) {
		s := queuesOnly(t, "go", 1)
		s.GlobrunqPut(1)
		s.GlobrunqPutBatch([]int32{2, 3})
		s.GlobrunqPutHead(0)
		for _, want := range []int32{0, 1, 2, 3, None} {
			if g := s.GlobrunqGet(); g != want {
				t.Fatalf("got %d, want %d", g, want)
			}
		}
	})
}

// The transitions are made of the sub-machine's steps: a steal through
// Step moves what RunqGrabRing and RunqStealPut move.
func TestScheduleStealIsTheSubMachine(t *testing.T) {
	s := newState(t, "go", 2, 2)
	for range 5 {
		spawn(t, s, 0)
	}
	// Five spawns: the last is runnext, four are in the ring (each spawn
	// kicked the previous runnext).
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	want := s.Clone()
	batch := want.RunqGrabRing(0, nil)
	g, err := want.RunqStealPut(1, batch)
	if err != nil {
		t.Fatal(err)
	}
	r := sched(t, s, 1, SrcSteal)
	if r.G != g || !eqInts(s.Ps[0].Ring, want.Ps[0].Ring) || !eqInts(s.Ps[1].Ring, want.Ps[1].Ring) || r.Moved != int32(len(batch)-1) {
		t.Fatalf("Step stole G%d (moved %d), rings %v %v; the sub-machine G%d, rings %v %v",
			r.G, r.Moved, s.Ps[0].Ring, s.Ps[1].Ring, g, want.Ps[0].Ring, want.Ps[1].Ring)
	}
}

// runqsteal publishes what runqgrab took with a store of its own tail
// after the CAS on the victim's head (proc.go runqsteal: `atomic.StoreRel(
// &pp.runqtail, t+n)`): with two or more taken, the steal's step ends at
// the CAS, the Gs held on no queue (P.Held, the last first), and
// runqstealtail, the thief's next step, puts the others on its ring and
// runs the last. With one taken there is nothing to publish.
func TestRunqstealTailIsAStepOfItsOwn(t *testing.T) {
	s := newState(t, "go", 2, 2)
	for range 5 {
		spawn(t, s, 0)
	}
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})    // startm's M spins
	ring := append([]int32(nil), s.Ps[0].Ring...) // four Gs: runqgrab takes two
	r := step(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcSteal, Victim: 0})
	m1 := &s.Ms[1]
	if r.G != ring[1] || r.Moved != 1 || !m1.StealTail || m1.Curg != None || len(s.Ps[1].Ring) != 0 ||
		!eqInts(s.Ps[1].Held, []int32{ring[1], ring[0]}) || !eqInts(s.Ps[0].Ring, ring[2:]) {
		t.Fatalf("steal: %v\n%s", r, s.Dump())
	}
	for _, op := range s.Enabled(DefaultBounds(6), nil) {
		if op.M == 1 && op.Kind != OpRunqstealTail {
			t.Fatalf("enabled: M1 %v before runqsteal's tail store", op)
		}
	}
	if _, err := s.Clone().Apply(Op{Kind: OpRunqputBatch, M: 1}); err == nil {
		t.Fatal("runqputbatch of a stolen batch")
	}
	// In the window the stolen Gs are on no ring a thief or
	// checkRunqsNoP reads.
	if n := len(s.Ps[0].Ring) + len(s.Ps[1].Ring); n != 2 {
		t.Fatalf("rings hold %d Gs in the window, want the victim's 2", n)
	}
	tr := step(t, s, Op{Kind: OpRunqstealTail, M: 1})
	if tr.G != ring[1] || tr.Value != 1 || m1.StealTail || m1.Curg != ring[1] || !eqInts(s.Ps[1].Ring, ring[:1]) || len(s.Ps[1].Held) != 0 || !m1.WakeP {
		t.Fatalf("runqstealtail: %v\n%s", tr, s.Dump())
	}

	// One taken: the steal runs it in its own step.
	s = newState(t, "go", 2, 2)
	spawn(t, s, 0)
	spawn(t, s, 0) // G1 kicked to the ring, G2 in runnext
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	if r := step(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcSteal, Victim: 0}); r.G != 1 || s.Ms[1].StealTail || s.Ms[1].Curg != 1 {
		t.Fatalf("steal of one: %v\n%s", r, s.Dump())
	}
}
