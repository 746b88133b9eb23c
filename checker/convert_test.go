package checker

import (
	"context"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/internal/fieldmut"
	"github.com/gexit-dev/gexit/spec"
	"pgregory.net/rapid"
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

// TestModelSeesEveryStopTheWorldField: the porcupine model's final
// observation and its cache's state equality tell apart two states that
// differ only in sched.gcwaiting or a stopped P's oldm. Both went by
// spec.State.Equal, which had left them out (spec's
// TestEqualSeesEveryField): an implementation that ended with gcwaiting
// set, or a P stopped for the wrong M, passed the final observation of a
// spec linearization that ended otherwise. The clean control: the same
// state is legal.
func TestModelSeesEveryStopTheWorldField(t *testing.T) {
	consts, _ := spec.Preset("small")
	cfg := spec.Config{Consts: consts, Ps: 2, Ms: 2}
	m := Model(cfg)
	init := m.Init()
	s := init.(*modelState).s
	for _, c := range []struct {
		name   string
		change func(*spec.State)
		legal  bool
	}{
		{"the same state", func(*spec.State) {}, true},
		{"gcwaiting set", func(f *spec.State) { f.Sched.GCWaiting = true }, false},
		{"a P's oldm", func(f *spec.State) { f.Ps[1].OldM = 1 }, false},
	} {
		final := s.Clone()
		c.change(final)
		if ok, _ := m.StepContext(context.Background(), init, opInput{final: final}, nil); ok != c.legal {
			t.Errorf("%s: final observation legal %v, want %v", c.name, ok, c.legal)
		}
		if eq := m.Equal(init, newModelState(final, init.(*modelState).done)); eq != c.legal {
			t.Errorf("%s: the model's Equal says %v, want %v", c.name, eq, c.legal)
		}
	}
}

// TestStateOfSeesEverySnapshotField: every field of impl's Snapshot (of
// its Gs, Ms and Ps and its own) reaches the spec state StateOf makes:
// changed by one (a flag flipped, a number plus one, a list one longer, a
// status swapped), it changes the state or is refused, and in some
// snapshot it changes the state. A field StateOf forgot would be one the
// linearizability check never compares (the history's final observation
// and every per-op snapshot of the differential go through StateOf).
// Fields it reads only in some states (a P's OldM, only when stopped)
// need one snapshot with that state. The planted control: a StateOf that
// forgets sched.gcwaiting.
func TestStateOfSeesEverySnapshotField(t *testing.T) {
	var sns []impl.Snapshot
	stride := 7
	if raceEnabled {
		stride = 31 // each snapshot converts once per field
	}
	rapid.Check(t, func(rt *rapid.T) {
		c := DrawCase(rt, DrawOptions{Modes: []string{"atomic"}, MinMs: 2, MaxMs: 3, MinSteps: 4})
		out, err := RunCase(context.Background(), c, time.Second)
		if err != nil || out.Verdict != Ok {
			rt.Fatalf("case: %v %v", err, out)
		}
		for i := 0; i < len(out.Run.Snapshots); i += stride {
			sns = append(sns, out.Run.Snapshots[i])
		}
	})
	if len(sns) < 30 {
		t.Fatalf("only %d snapshots", len(sns))
	}
	// Snapshots from impl's stop-the-world, whose stopped Ps have an oldm.
	stopped := 0
	for _, seed := range []int64{1, 2, 3, 4, 5, 6, 7, 8} {
		leaf := impl.Prog(impl.Yield())
		c := Case{Preset: "small", Ps: 2, Ms: 2, Mode: "atomic", Seed: seed, Workload: impl.Workload{
			Main:       impl.Prog(impl.Go(leaf), impl.Go(leaf), impl.Yield(), impl.Yield(), impl.Exit()),
			Controller: []impl.CtlStep{{Kind: impl.CtlGC, Arg: 1, After: 2}, {Kind: impl.CtlGC, After: 5}}}}
		out, err := RunCase(context.Background(), c, time.Second)
		if err != nil || out.Verdict != Ok {
			t.Fatalf("gc case: %v %v", err, out)
		}
		for _, sn := range out.Run.Snapshots {
			if sn.GCWaiting {
				sns = append(sns, sn)
				stopped++
			}
		}
	}
	if stopped == 0 {
		t.Fatal("no snapshot during a stop-the-world")
	}
	consts, _ := spec.Preset("small")
	stateOf := func(sn *impl.Snapshot) (*spec.State, error) {
		cfg := spec.Config{Consts: consts, Ps: len(sn.Ps), Ms: len(sn.Ms)}
		return StateOf(&cfg, sn)
	}
	if forgot := snapshotFieldsForgotten(t, sns, stateOf); len(forgot) != 0 {
		t.Fatalf("a snapshot field changed, StateOf's state did not: %v", forgot)
	}
	forgetful := func(sn *impl.Snapshot) (*spec.State, error) {
		s, err := stateOf(sn)
		if s != nil {
			s.Sched.GCWaiting = false
		}
		return s, err
	}
	if forgot := snapshotFieldsForgotten(t, sns, forgetful); len(forgot) != 1 || forgot[0] != "Snapshot.GCWaiting" {
		t.Fatalf("a StateOf without gcwaiting: forgotten %v, want [Snapshot.GCWaiting]", forgot)
	}
}

// snapshotFieldsForgotten changes each field of each snapshot in turn and
// returns the fields whose change changed the state stateOf makes in none
// of them (it left it Equal, or was refused).
func snapshotFieldsForgotten(t *testing.T, sns []impl.Snapshot, stateOf func(*impl.Snapshot) (*spec.State, error)) []string {
	t.Helper()
	// NPidle is sched.npidle, the idle list's length in the spec: it is
	// compared by impl's Snapshot.Check, not converted. GSnap.PC is the
	// interpreter's count of program steps, which the spec does not model:
	// the checker's wait-object check reads it (wrongWakeups).
	skip := map[string]bool{"Snapshot.NPidle": true, "GSnap.PC": true}
	statuses := map[string][]string{
		"GSnap.Status":      {"runnable", "running", "dead", "waiting", "syscall"},
		"PSnap.Status":      {"idle", "running", "handoff", "gcstop"},
		"Snapshot.Terminal": {"", "main returned", "goexit deadlock"},
	}
	seen, unnoticed, noticed := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for k := range sns {
		sn := &sns[k]
		orig, err := stateOf(sn)
		if err != nil {
			t.Fatalf("snapshot %d: %v", k, err)
		}
		var walk func(name string, v reflect.Value)
		walk = func(name string, v reflect.Value) {
			for i := 0; i < v.NumField(); i++ {
				f := v.Field(i)
				field := name + "." + v.Type().Field(i).Name
				if skip[field] {
					continue
				}
				if f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Struct {
					for j := 0; j < f.Len(); j++ {
						walk(f.Type().Elem().Name(), f.Index(j))
					}
					continue
				}
				restore, err := fieldmut.Bump(f, statuses[field])
				if err != nil {
					t.Fatalf("field %s: %v", field, err)
				}
				seen[field] = true
				s, err := stateOf(sn)
				switch {
				case err != nil:
				case s.Equal(orig):
					unnoticed[field] = true
				default:
					noticed[field] = true
				}
				restore()
			}
		}
		// The slices of Gs, Ms and Ps are the snapshot's own: copy them
		// before changing their elements.
		sn.Gs, sn.Ms, sn.Ps = slices.Clone(sn.Gs), slices.Clone(sn.Ms), slices.Clone(sn.Ps)
		walk("Snapshot", reflect.ValueOf(sn).Elem())
	}
	var forgot []string
	for f := range seen {
		if !noticed[f] {
			forgot = append(forgot, f)
		}
	}
	sort.Strings(forgot)
	return forgot
}
