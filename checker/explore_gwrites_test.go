package checker

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gexit-dev/gexit/spec"
)

// The G-writes reduction (spec.ReduceGWrites: dirty, assist and growstack
// made only as parts of a composite exit) must find what the exploration
// without it finds. Both sides run with the partial-order reduction, as
// gexit explore does by default.

// gwritesPair explores o without any reduction and with the G-writes
// reduction alone, so that the factor logged is its own and a fault the
// fingerprint reductions cannot see (a debt flushed) is found by both.
var gwritesPair = reducePair(spec.ReduceGWrites)

// gwritesBounds are the partial-order reduction's bounds (every one has
// growstack; some dirty and assist) and more with dirty and assist,
// complete where that is cheap. (TestReduceEquivalentVerdicts explores
// the fingerprint reductions' bounds with every reduction, this one
// included.)
func gwritesBounds() []porBound {
	small, _ := spec.Preset("small")
	cfg := func(ps, ms int) spec.Config { return spec.Config{Consts: small, Ps: ps, Ms: ms} }
	with := func(b spec.Bounds, f func(*spec.Bounds)) spec.Bounds { f(&b); return b }
	writes := func(gs int) spec.Bounds {
		return with(coreBounds(gs), func(b *spec.Bounds) { b.NoGC, b.NoAssist, b.NoDirty = false, false, false })
	}
	return append(porBounds(),
		// Not under -race: with the stop-the-world protocol its unreduced
		// side takes 100 s there (11 s without); the porBounds rows keep
		// the reduction's race coverage.
		porBound{name: "1P1M2G dirty, gc and assist", o: ExploreOptions{Config: cfg(1, 1), Bounds: writes(2)}},
		porBound{name: "1P1M2G all families", o: ExploreOptions{Config: cfg(1, 1), Bounds: spec.DefaultBounds(2)}},
		porBound{name: "1P2M2G dirty, gc and assist, max stack 4x", o: ExploreOptions{Config: cfg(1, 2),
			Bounds: with(writes(2), func(b *spec.Bounds) { b.MaxStack = 4 * spec.StackMin })}},
		porBound{name: "2P2M1G all families", o: ExploreOptions{Config: cfg(2, 2), Bounds: spec.DefaultBounds(1)}},
		porBound{name: "1P1M3G dirty, gc and assist, depth 24", o: ExploreOptions{Config: cfg(1, 1), Bounds: writes(3), Depth: 24}},
		porBound{name: "1P1M2G dirty and locks, wasm", o: ExploreOptions{Config: spec.Config{Consts: small, Ps: 1, Ms: 1, Wasm: true},
			Bounds: with(coreBounds(2), func(b *spec.Bounds) { b.NoDirty, b.NoLocks = false, false })}},
	)
}

// The reduced exploration gives the unreduced one's verdict on every
// bound, ends the program the same ways and reaches the same branches.
func TestGWritesEquivalentVerdicts(t *testing.T) {
	skip := func(b porBound) bool { return (raceEnabled || testing.Short()) && !b.race }
	checkEquivalentVerdicts(t, gwritesBounds(), skip, gwritesPair, nil)
}

// gwritesFaults are the fingerprint reductions' planted faults and faults
// in what the G-writes reduction moves: the writes themselves and the
// reads gdestroy makes of them.
func gwritesFaults() []plantedFault { return append(symFaults(), gwritesOwnFaults()...) }

// gwritesOwnFaults are the faults in what the G-writes reduction moves.
func gwritesOwnFaults() []plantedFault {
	exiting := func(s *spec.State, op spec.Op) *spec.G {
		if (op.Kind == spec.OpExit || op.Kind == spec.OpGoexit) && op.M >= 0 && s.Ms[op.M].Curg != spec.None {
			return &s.Gs[s.Ms[op.M].Curg]
		}
		return nil
	}
	return []plantedFault{
		{"gdestroy leaves _panic set", func(s *spec.State, op spec.Op) (spec.Result, error) {
			var panicking bool
			if g := exiting(s, op); g != nil {
				panicking = g.Cleared&spec.FieldPanic != 0
			}
			r, err := s.Apply(op)
			if err == nil && panicking && r.G != spec.None && s.Gs[r.G].Status == spec.Dead {
				s.Gs[r.G].Cleared |= spec.FieldPanic
			}
			return r, err
		}},
		{"copystack makes a stack of three pages", func(s *spec.State, op spec.Op) (spec.Result, error) {
			// Broken in the write itself: the explorer's check before a
			// composite's exit must see it (gfput then frees the stack).
			r, err := s.Apply(op)
			if err == nil && op.Kind == spec.OpGrowStack && r.G != spec.None {
				s.Gs[r.G].Stack = s.Gs[r.G].Stack / 2 * 3
			}
			return r, err
		}},
		{"gdestroy flushes a debt", func(s *spec.State, op spec.Op) (spec.Result, error) {
			debt := false
			if g := exiting(s, op); g != nil {
				debt = s.Sched.GCBlacken && g.GCAssist < 0
			}
			r, err := s.Apply(op)
			if err == nil && debt {
				s.Sched.BgScanCredit--
			}
			return r, err
		}},
	}
}

// For every planted fault, the reduced exploration finds violations of the
// same kinds, and its first violation is of the unreduced one's first
// kind; its path replays, and may be longer in steps (a composite is one
// move of the search).
func TestGWritesFindsPlantedFaults(t *testing.T) {
	c, _ := spec.Preset("small")
	cfg := func(ps, ms int) spec.Config { return spec.Config{Consts: c, Ps: ps, Ms: ms} }
	writes := func(gs int) spec.Bounds {
		b := coreBounds(gs)
		b.NoGC, b.NoAssist, b.NoDirty = false, false, false
		return b
	}
	bounds := []porBound{
		{name: "1P1M2G dirty, gc and assist", o: ExploreOptions{Config: cfg(1, 1), Bounds: writes(2)}},
		{name: "1P1M2G dirty, gc and assist, depth 14", race: true, o: ExploreOptions{Config: cfg(1, 1), Bounds: writes(2), Depth: 14}},
		{name: "2P2M2G dirty, gc and assist, locks, depth 12", o: ExploreOptions{Config: cfg(2, 2),
			Bounds: func() spec.Bounds { b := writes(2); b.NoLocks = false; return b }(), Depth: 12}},
		{name: "2P3M1G syscalls and locks, dirty, depth 14", race: true, o: ExploreOptions{Config: cfg(2, 3),
			Bounds: func() spec.Bounds {
				b := coreBounds(1)
				b.NoSyscalls, b.NoLocks, b.NoDirty, b.NoGosched = false, false, false, true
				return b
			}(), Depth: 14}},
		// A fault in the idle P list's order needs a third P: with two
		// the list's order is all the P renaming carries of it.
		{name: "3P2M2G dirty, depth 14", o: ExploreOptions{Config: cfg(3, 2),
			Bounds: func() spec.Bounds { b := coreBounds(2); b.NoDirty = false; return b }(), Depth: 14}},
	}
	// Under -race (or -short): the faults in what the reduction moves,
	// on the race bounds; the others have their own tests.
	own := map[string]bool{}
	for _, f := range gwritesOwnFaults() {
		own[f.name] = true
	}
	skip := func(f plantedFault, b porBound) bool {
		return (raceEnabled || testing.Short()) && (!b.race || !own[f.name])
	}
	checkFindsPlantedFaults(t, gwritesFaults(), bounds, skip, gwritesPair, false)
}

// A write that breaks an invariant is reported where it breaks it: the
// path of the composite ends with the write, and its final state is the
// one that breaks the invariant, not the state after the exit.
func TestGWritesViolationBeforeExit(t *testing.T) {
	c, _ := spec.Preset("small")
	var grow plantedFault
	for _, f := range gwritesFaults() {
		if strings.HasPrefix(f.name, "copystack") {
			grow = f
		}
	}
	o := ExploreOptions{Config: spec.Config{Consts: c, Ps: 1, Ms: 1}, Bounds: coreBounds(2), Reduce: spec.AllReductions,
		POR: true, StopAtFirst: true, Step: grow.step}
	r, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) != 1 {
		t.Fatalf("%d violations", len(r.Violations))
	}
	v := r.Violations[0]
	if v.Kind != "invariant" || v.Name != "StacksArePowersOfTwo" {
		t.Fatalf("%s %s, want invariant StacksArePowersOfTwo", v.Kind, v.Name)
	}
	last := v.Path[len(v.Path)-1]
	if last.Op.Kind != spec.OpGrowStack {
		t.Fatalf("the path ends with %v, want the growstack", last.Op)
	}
	checkReplays(t, o, v)
	// Without the check before the exit it would go unseen: the exit
	// that ends the composite frees the broken stack (its size is not
	// startingStackSize), and the state after it holds the invariants.
	after := v.Final.Clone()
	m := last.Op.M
	if _, err := grow.step(after, spec.Op{Kind: spec.OpGoexit, M: m}); err != nil {
		t.Fatalf("the composite's exit: %v", err)
	}
	if w := after.CheckInvariants(); w != nil {
		t.Fatalf("after the exit: %v; the test no longer shows the check is needed", w)
	}
}

// A write that throws ends its composite there: the violation's path ends
// with the write and its error, and the coverage counts the write, not
// the exit that never ran.
func TestGWritesPartThrows(t *testing.T) {
	c, _ := spec.Preset("small")
	o := ExploreOptions{Config: spec.Config{Consts: c, Ps: 1, Ms: 1}, Reduce: spec.ReduceGWrites, POR: true,
		Bounds: func() spec.Bounds { b := coreBounds(1); b.NoDirty = false; return b }(),
		Step: func(s *spec.State, op spec.Op) (spec.Result, error) {
			if op.Kind == spec.OpDirty {
				return spec.NewResult(), &spec.Throw{Msg: "planted", Func: "dirty"}
			}
			return s.Apply(op)
		}}
	r, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) == 0 {
		t.Fatal("the throwing write was not found")
	}
	for _, v := range r.Violations {
		last := v.Path[len(v.Path)-1]
		if v.Kind != "throw" || last.Op.Kind != spec.OpDirty || !strings.Contains(fmt.Sprint(last.Changes), "error: ") {
			t.Fatalf("%s %s, the path ends with %v %v", v.Kind, v.Name, last.Op, last.Changes)
		}
		checkReplays(t, o, v)
	}
	// The same states are explored with and without the fault (a
	// composite with dirty reaches the state its plain exit does, which
	// is explored); with it, the composites with dirty count their dirty,
	// under its own name, and no exit.
	o.Step = nil
	clean, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Coverage["dirty"], clean.Coverage["dirty"]; got != want || got == 0 {
		t.Fatalf("dirty counted %d times, %d without the fault", got, want)
	}
	exits := func(cov map[string]int) int {
		n := 0
		for k, c := range cov {
			if strings.HasPrefix(k, "exit") || strings.HasPrefix(k, "goexit") {
				n += c
			}
		}
		return n
	}
	if got, clean := exits(r.Coverage), exits(clean.Coverage); got >= clean {
		t.Fatalf("%d exits counted with the fault, %d without: the composites with dirty made none", got, clean)
	}
}

// The check before a composite's exit is made for each M: two Ms that run
// Gs in one state both offer a composite with dirty, and the states before
// their exits differ. A write broken only on M1, and only while M0 could
// make its own composite, must still be caught (it went unseen while the
// check was made once per parent and Pre value, M0's passing for M1's).
func TestGWritesCheckedPerM(t *testing.T) {
	c, _ := spec.Preset("small")
	b := coreBounds(2)
	b.NoDirty = false
	m0Composes := func(s *spec.State) bool {
		for _, op := range s.Enabled(b, nil) {
			if op.Kind == spec.OpDirty && op.M == 0 {
				return true
			}
		}
		return false
	}
	o := ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: b, Reduce: spec.AllReductions,
		POR: true, StopAtFirst: true,
		Step: func(s *spec.State, op spec.Op) (spec.Result, error) {
			broken := op.Kind == spec.OpDirty && op.M == 1 && m0Composes(s)
			r, err := s.Apply(op)
			if err == nil && broken {
				g := &s.Gs[s.Ms[1].Curg]
				g.Stack = g.Stack / 2 * 3
			}
			return r, err
		}}
	r, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) != 1 || r.Violations[0].Name != "StacksArePowersOfTwo" {
		t.Fatalf("violations %v, want StacksArePowersOfTwo at M1's dirty", r.Violations)
	}
	v := r.Violations[0]
	if last := v.Path[len(v.Path)-1]; last.Op.Kind != spec.OpDirty || last.Op.M != 1 {
		t.Fatalf("the path ends with %v, want M1's dirty", last.Op)
	}
	checkReplays(t, o, v)
}
