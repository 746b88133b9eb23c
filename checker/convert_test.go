package checker

import (
	"context"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/spec"
)

// TestIsolated: an event is isolated when no other actor's event's
// interval touches its own, whatever the order of the history; an actor's
// own events never overlap, even where their intervals touch (free-running
// recording stamps an op's call with its actor's previous return).
func TestIsolated(t *testing.T) {
	ev := func(m int, call, ret int64) impl.Event { return impl.Event{M: m, Call: call, Return: ret} }
	for _, c := range []struct {
		h    []impl.Event
		want []bool
	}{
		{nil, []bool{}},
		{[]impl.Event{ev(0, 1, 2)}, []bool{true}},
		{[]impl.Event{ev(0, 1, 2), ev(1, 3, 4), ev(0, 5, 6)}, []bool{true, true, true}},
		// 2-5 overlaps 3-4 (nested) and touches nothing else.
		{[]impl.Event{ev(0, 0, 1), ev(0, 2, 5), ev(1, 3, 4), ev(1, 6, 7)}, []bool{true, false, false, true}},
		// A long op overlaps one that starts after its neighbour ends.
		{[]impl.Event{ev(0, 1, 10), ev(1, 2, 3), ev(1, 4, 5), ev(0, 11, 12)}, []bool{false, false, false, true}},
		// Out of call order in the slice.
		{[]impl.Event{ev(0, 5, 8), ev(1, 1, 2), ev(1, 7, 9)}, []bool{false, true, false}},
		// One actor's ops touch (call = the previous return): isolated.
		{[]impl.Event{ev(0, 1, 3), ev(0, 3, 5), ev(0, 5, 9)}, []bool{true, true, true}},
		// Two actors' ops touch: equal times prove no order, they overlap.
		{[]impl.Event{ev(0, 1, 3), ev(1, 3, 5), ev(1, 6, 7)}, []bool{false, false, true}},
		// A long op of M0 holds its own later op isolated from M1's
		// only when M1's ends first: here M1's 4-6 overlaps both.
		{[]impl.Event{ev(0, 1, 5), ev(1, 4, 6), ev(0, 5, 8)}, []bool{false, false, false}},
		// The latest return before an event may be its own actor's:
		// the next latest, of another actor, decides.
		{[]impl.Event{ev(1, 0, 2), ev(0, 1, 9), ev(0, 9, 10)}, []bool{false, false, true}},
		// Sysmon and the controller are actors of their own.
		{[]impl.Event{ev(impl.Sysmon, 1, 4), ev(impl.Controller, 2, 3), ev(impl.Sysmon, 4, 5)}, []bool{false, false, true}},
	} {
		if got := Isolated(c.h); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Isolated(%v) = %v, want %v", c.h, got, c.want)
		}
	}
	// Against the definition, pair by pair, on drawn histories.
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 2000; n++ {
		h := make([]impl.Event, 1+rng.IntN(8))
		for i := range h {
			c := rng.Int64N(20)
			h[i] = ev(rng.IntN(3)-1, c, c+rng.Int64N(6))
		}
		want := make([]bool, len(h))
		for i := range h {
			want[i] = true
			for j := range h {
				if h[j].M != h[i].M && h[j].Call <= h[i].Return && h[i].Call <= h[j].Return {
					want[i] = false
				}
			}
		}
		if got := Isolated(h); !reflect.DeepEqual(got, want) {
			t.Fatalf("Isolated(%v) = %v, want %v", h, got, want)
		}
	}
}

// runqput's two windows survive the abstraction: the kicked runnext
// between runqput's CAS and its runqputkick, and runqputslow's batch. In
// atomic mode the snapshot after the runqputkick that took the batch
// holds it on the M
// (MSnap.SlowBatch), StateOf puts it on that M's P as the spec does, and
// the sequential differential agrees op by op, the push included. A batch
// on an M without a P is not a state the spec can hold.
func TestRunqputslowWindowConverts(t *testing.T) {
	leaf := &impl.Program{}
	main := impl.Prog(impl.Go(leaf), impl.Go(leaf), impl.Go(leaf), impl.Go(leaf), impl.Go(leaf), impl.Go(leaf), impl.Exit())
	c := Case{Preset: "small", Ps: 1, Ms: 1, Mode: "atomic", Workload: impl.Workload{Main: main}}
	out, err := RunCase(context.Background(), c, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if out.Verdict != Ok {
		t.Fatalf("%s", TextReport(out))
	}
	h, sns := out.Run.History, out.Run.Snapshots
	scfg := SpecConfig(impl.Config{Consts: ImplConsts(mustPreset(t, "small")), Ps: 1, Ms: 1})
	seen := false
	kicks := 0
	for i := range h {
		if h[i].Op == "runqput" && h[i].Out.Kicked >= 0 {
			// runqput's kick: the old runnext is the M's until its
			// runqputkick, and StateOf puts it on the M's P.
			sn := sns[i]
			if i+1 >= len(h) || len(sn.Ms[0].Kicked) != 1 || sn.Ms[0].Kicked[0] != h[i].Out.Kicked || h[i+1].Op != "runqputkick" {
				t.Fatalf("the kick's window at op %d of %d: kicked %v", i, len(h), sn.Ms[0].Kicked)
			}
			s, err := StateOf(&scfg, &sn)
			if err != nil {
				t.Fatal(err)
			}
			if int(s.Ps[0].Kicked) != h[i].Out.Kicked {
				t.Fatalf("spec state in the kick's window:\n%s", s.Dump())
			}
			bad := sn
			bad.Ms = append([]impl.MSnap(nil), sn.Ms...)
			bad.Ms[0].P = -1
			if _, err := StateOf(&scfg, &bad); err == nil || !strings.Contains(err.Error(), "kicked") {
				t.Fatalf("a kicked G without a P converted: %v", err)
			}
			kicks++
		}
		if h[i].Op != "runqputkick" || !h[i].Out.Slow {
			continue
		}
		if i+1 >= len(h) || h[i+1].Op != "runqputslowpush" || h[i+1].Out.Value != 3 {
			t.Fatalf("the op after the slow runqput: %+v", h[i+1])
		}
		sn := sns[i]
		if len(sn.Ms[0].SlowBatch) != 3 || len(sn.Runq) != 0 {
			t.Fatalf("snapshot in the window: batch %v global %v", sn.Ms[0].SlowBatch, sn.Runq)
		}
		s, err := StateOf(&scfg, &sn)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Ps[0].SlowBatch) != 3 {
			t.Fatalf("spec state in the window:\n%s", s.Dump())
		}
		bad := sn
		bad.Ms = append([]impl.MSnap(nil), sn.Ms...)
		bad.Ms[0].P = -1
		if _, err := StateOf(&scfg, &bad); err == nil || !strings.Contains(err.Error(), "runqputslow") {
			t.Fatalf("a batch without a P converted: %v", err)
		}
		seen = true
	}
	if !seen || kicks == 0 {
		t.Fatalf("%d kicks and no runqputslow in %d ops", kicks, len(h))
	}
}

func mustPreset(t *testing.T, name string) spec.Consts {
	t.Helper()
	c, err := spec.Preset(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
