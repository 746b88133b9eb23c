package checker

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/gexit-dev/gexit/spec"
)

// The partial-order reduction (ExploreOptions.POR) must find what the full
// exploration finds. For every bound below (Ps, Ms, Gs, op families,
// constants, wasm, depth) the reduced and the full exploration give the
// same verdict (no violation, complete or cut at the same bound), end the
// program the same ways, reach the same branches; for every planted spec
// fault they find violations of the same kinds (the same invariants and
// throws), the first one too. The tests log the reduction factor, states
// full / states reduced, per bound.

// porBound is one bound of the equivalence test.
type porBound struct {
	name string
	o    ExploreOptions
	race bool // small enough to run under -race too
}

func porBounds() []porBound {
	small, _ := spec.Preset("small")
	goc, _ := spec.Preset("go")
	cfg := func(ps, ms int) spec.Config { return spec.Config{Consts: small, Ps: ps, Ms: ms} }
	core := coreBounds
	with := func(b spec.Bounds, f func(*spec.Bounds)) spec.Bounds { f(&b); return b }
	syscalls := func(gs int) spec.Bounds { return with(core(gs), func(b *spec.Bounds) { b.NoSyscalls = false }) }
	locks := func(gs int) spec.Bounds {
		return with(core(gs), func(b *spec.Bounds) { b.NoLocks, b.LockInt = false, true })
	}
	bs := []porBound{
		{name: "1P1M3G core", o: ExploreOptions{Config: cfg(1, 1), Bounds: core(3)}, race: true},
		{name: "2P2M1G core", o: ExploreOptions{Config: cfg(2, 2), Bounds: core(1)}, race: true},
		{name: "1P2M2G core", o: ExploreOptions{Config: cfg(1, 2), Bounds: core(2)}, race: true},
		{name: "2P1M2G core", o: ExploreOptions{Config: cfg(2, 1), Bounds: core(2)}, race: true},
		{name: "2P3M1G core", o: ExploreOptions{Config: cfg(2, 3), Bounds: core(1)}},
		{name: "3P2M1G core, depth 26", o: ExploreOptions{Config: cfg(3, 2), Bounds: core(1), Depth: 26}},
		{name: "3P3M1G core, depth 16", o: ExploreOptions{Config: cfg(3, 3), Bounds: core(1), Depth: 16}},
		{name: "2P2M2G core, depth 20", o: ExploreOptions{Config: cfg(2, 2), Bounds: core(2), Depth: 20}},
		{name: "2P3M2G core, depth 16", o: ExploreOptions{Config: cfg(2, 3), Bounds: core(2), Depth: 16}},
		{name: "2P2M1G core, go consts, depth 24", o: ExploreOptions{Config: spec.Config{Consts: goc, Ps: 2, Ms: 2}, Bounds: core(1), Depth: 24}},
		{name: "2P2M1G syscalls", o: ExploreOptions{Config: cfg(2, 2), Bounds: syscalls(1)}},
		{name: "2P3M1G syscalls, depth 20", o: ExploreOptions{Config: cfg(2, 3), Bounds: syscalls(1), Depth: 20}},
		{name: "1P2M2G syscalls", o: ExploreOptions{Config: cfg(1, 2), Bounds: syscalls(2)}},
		{name: "2P2M1G locks and lockint", o: ExploreOptions{Config: cfg(2, 2), Bounds: locks(1)}},
		{name: "2P2M2G gc, no gosched", o: ExploreOptions{Config: cfg(2, 2), Bounds: gcBounds(2), Depth: 16}},
		{name: "2P2M1G procresize", o: ExploreOptions{Config: cfg(2, 2), Bounds: with(core(1), func(b *spec.Bounds) { b.NoProcResize = false })}},
		// These two were complete at 2 Ps and 2 Ms until the
		// stop-the-world and wakeup protocols grew them to 2.9M and 6.3M
		// states unreduced (40 s of make test); TestGWritesEquivalentVerdicts
		// keeps a complete 2P2M1G bound with every family.
		{name: "2P2M1G gc with stacksize, system, depth 28", o: ExploreOptions{Config: cfg(2, 2),
			Bounds: with(core(1), func(b *spec.Bounds) {
				b.StackSizes, b.NoSystem, b.NoGC = []int32{spec.StackMin, 2 * spec.StackMin}, false, false
			}), Depth: 28}},
		{name: "1P3M1G assist, dirty, gc", o: ExploreOptions{Config: cfg(1, 3),
			Bounds: with(core(1), func(b *spec.Bounds) { b.NoAssist, b.NoDirty, b.NoGC = false, false, false })}},
		{name: "2P2M2G all families, depth 9", o: ExploreOptions{Config: cfg(2, 2), Bounds: spec.DefaultBounds(2), Depth: 9}},
		{name: "1P1M2G syscalls, wasm", o: ExploreOptions{Config: spec.Config{Consts: small, Ps: 1, Ms: 1, Wasm: true}, Bounds: syscalls(2)}, race: true},
		{name: "3P2M1G syscalls, depth 18", o: ExploreOptions{Config: cfg(3, 2), Bounds: syscalls(1), Depth: 18}},
		{name: "2P2M2G syscalls and locks, depth 14", o: ExploreOptions{Config: cfg(2, 2),
			Bounds: with(syscalls(2), func(b *spec.Bounds) { b.NoLocks = false }), Depth: 14}},
	}
	return bs
}

// porPair explores o without and with the reduction.
func porPair(t *testing.T, o ExploreOptions) (full, red *ExploreResult) {
	t.Helper()
	full, red = explorePair(t, o, func(o *ExploreOptions) { o.POR = false }, func(o *ExploreOptions) { o.POR = true })
	if full.POR != nil || red.POR == nil {
		t.Fatalf("POR stats: full %v, reduced %v", full.POR, red.POR)
	}
	return full, red
}

func terminalKinds(r *ExploreResult) string {
	var ks []string
	for k, n := range r.Terminal {
		if n > 0 {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	return strings.Join(ks, "; ")
}

// The reduced exploration gives the full one's verdict on every bound, and
// reduces some; it never reaches more states, it follows fewer
// transitions exactly when it expanded a state by an ample set alone, and
// with no ample set it is the full exploration. (States can all be reached
// anyway: at 1 P, 2 Ms, 2 Gs with syscalls, since handoffp became several
// steps, every state a skipped acquirep leads to is reached by another
// interleaving.)
func TestPOREquivalentVerdicts(t *testing.T) {
	skip := func(b porBound) bool { return raceEnabled && !b.race }
	checkEquivalentVerdicts(t, porBounds(), skip, porPair, func(t *testing.T, full, red *ExploreResult) {
		t.Logf("%d reduced states, %d ops not followed, %d refused by the proviso", red.POR.Reduced, red.POR.Skipped, red.POR.Proviso)
		if red.States > full.States {
			t.Fatalf("the reduction reached more: %d/%d states", red.States, full.States)
		}
		if (red.Transitions < full.Transitions) != (red.POR.Reduced > 0) {
			t.Fatalf("%d reduced states but %d/%d transitions", red.POR.Reduced, red.Transitions, full.Transitions)
		}
		if red.POR.Reduced == 0 && red.States != full.States {
			t.Fatalf("no ample set but %d/%d states", red.States, full.States)
		}
	})
}

// porFaults are the planted spec faults: every broken transition the
// checker's tests plant (explore_test.go, explore_workers_test.go,
// liveness_test.go; three of them are liveness faults that no invariant
// sees, so both explorations find nothing), and faults in and around the
// op the reduction follows alone (stopm's acquirep of its nextp) and the
// startm that hands it the P.
func porFaults() []plantedFault {
	return []plantedFault{
		{"lose stack-freed G", func(s *spec.State, op spec.Op) (spec.Result, error) {
			// loseStackFreedG, for an exit that may leave the M without
			// a P (a locked M's mexit).
			r, err := s.Apply(op)
			if err == nil && (op.Kind == spec.OpExit || op.Kind == spec.OpGoexit) && r.StackFreed && s.Ms[op.M].P != spec.None {
				p := &s.Ps[s.Ms[op.M].P]
				if n := len(p.GFree); n > 0 && p.GFree[n-1] == r.G {
					p.GFree = p.GFree[:n-1]
					p.GFreeSize--
				}
			}
			return r, err
		}},
		{"throw in gosched", func(s *spec.State, op spec.Op) (spec.Result, error) {
			if op.Kind == spec.OpGosched {
				return spec.Result{}, &spec.Throw{Msg: "planted", Func: "test"}
			}
			return s.Apply(op)
		}},
		{"throw when exit frees a stack", func(s *spec.State, op spec.Op) (spec.Result, error) {
			r, err := s.Apply(op)
			if err == nil && op.Kind == spec.OpExit && r.StackFreed {
				return r, &spec.Throw{Msg: "planted", Func: "test"}
			}
			return r, err
		}},
		{"no tick pick", noTickPick},
		{"lost handoff wakeup", lostHandoffWakeup},
		{"lost startlockedm", lostStartlockedm},
		{"acquirep keeps nextp", func(s *spec.State, op spec.Op) (spec.Result, error) {
			m := op.M
			nextp := op.Kind == spec.OpAcquireP && m >= 0 && s.Ms[m].NextP == op.P
			r, err := s.Apply(op)
			if err == nil && nextp {
				s.Ms[m].NextP = op.P
			}
			return r, err
		}},
		{"acquirep leaves the P handed off", func(s *spec.State, op spec.Op) (spec.Result, error) {
			nextp := op.Kind == spec.OpAcquireP && op.M >= 0 && s.Ms[op.M].NextP == op.P
			r, err := s.Apply(op)
			if err == nil && nextp {
				s.Ps[op.P].Status = spec.PHandoff
			}
			return r, err
		}},
		{"acquirep of nextp also lists the P idle", func(s *spec.State, op spec.Op) (spec.Result, error) {
			nextp := op.Kind == spec.OpAcquireP && op.M >= 0 && s.Ms[op.M].NextP == op.P
			r, err := s.Apply(op)
			if err == nil && nextp {
				s.Ps[op.P].Link, s.Sched.Pidle = s.Sched.Pidle, op.P
			}
			return r, err
		}},
		{"acquirep of nextp throws for a spinning M", func(s *spec.State, op spec.Op) (spec.Result, error) {
			if op.Kind == spec.OpAcquireP && op.M >= 0 && s.Ms[op.M].NextP == op.P && s.Ms[op.M].Spinning {
				return spec.Result{}, &spec.Throw{Msg: "planted", Func: "acquirep"}
			}
			return s.Apply(op)
		}},
		{"wakep's startm loses the M's spinning", func(s *spec.State, op spec.Op) (spec.Result, error) {
			// wakep's startm is a step of its own (OpStartm, the
			// M's or the controller's), after its sched.lock section
			// (OpWakepStartm).
			r, err := s.Apply(op)
			if err == nil && op.Kind == spec.OpStartm {
				for i := range s.Ms {
					if s.Ms[i].NextP != spec.None && s.Ms[i].Spinning {
						s.Ms[i].Spinning = false
					}
				}
			}
			return r, err
		}},
		{"startm leaves the woken M parked", func(s *spec.State, op spec.Op) (spec.Result, error) {
			// The M this op's startm (wakep's, or handoffp's in
			// sysmon's handoffp) gave a nextp; not one an earlier
			// startm woke, which would make the fault a write by
			// this op to another M's fields (a dependency the
			// reduction's independence relation rightly does not
			// have: the op does not write them).
			var had [8]bool
			for i := range s.Ms {
				had[i] = s.Ms[i].NextP != spec.None
			}
			r, err := s.Apply(op)
			if err == nil && (op.Kind == spec.OpWakepStartm || op.Kind == spec.OpStartm || op.Kind == spec.OpHandoffp) {
				for i := range s.Ms {
					if s.Ms[i].NextP != spec.None && !had[i] {
						s.Ms[i].Parked = true
					}
				}
			}
			return r, err
		}},
	}
}

func violationKinds(vs []ExploreViolation) string {
	set := map[string]bool{}
	for _, v := range vs {
		set[v.Kind+" "+v.Name] = true
	}
	var ks []string
	for k := range set {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, "; ")
}

// For every planted fault, on bounds where the reduction applies, the
// reduced exploration finds violations of the same kinds as the full one
// (every violation), and its first violation is of the full one's first
// kind.
func TestPORFindsPlantedFaults(t *testing.T) {
	c, _ := spec.Preset("small")
	bounds := []porBound{
		{name: "2P2M3G core", o: ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: coreBounds(3), Depth: 12}},
		{name: "2P2M1G syscalls, no gosched", o: ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2},
			Bounds: func() spec.Bounds { b := coreBounds(1); b.NoSyscalls, b.NoGosched = false, true; return b }()}},
	}
	skip := func(f plantedFault, b porBound) bool {
		// Under -race, only the invariant faults in the op the
		// reduction follows (a throw found in thousands of states
		// replays thousands of paths), on the smaller bound.
		return raceEnabled && (!strings.HasPrefix(f.name, "acquirep") || strings.Contains(f.name, "throw") || strings.HasPrefix(b.name, "2P2M3G"))
	}
	checkFindsPlantedFaults(t, porFaults(), bounds, skip, porPair, false)
}

// checkReplays replays a violation's path from the initial state and
// requires it to end in the violation.
func checkReplays(t *testing.T, o ExploreOptions, v ExploreViolation) {
	t.Helper()
	if v.Final == nil {
		t.Fatal("no final state")
	}
	switch v.Kind {
	case "invariant":
		if w := v.Final.CheckInvariants(); w == nil || w.Invariant != v.Name {
			t.Fatalf("the path's final state: %v, want %s", w, v.Name)
		}
	case "throw":
		if last := v.Path[len(v.Path)-1]; !strings.Contains(fmt.Sprint(last.Changes), "error: ") {
			t.Fatalf("the path's last step does not throw: %v", last.Changes)
		}
	}
}

// The reduction is refused with liveness, and keeps working with
// bitstate and swarm shards (a shard's permutation of the ops included).
func TestPOROptions(t *testing.T) {
	c, _ := spec.Preset("small")
	o := ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: coreBounds(1), POR: true, Liveness: true}
	if _, err := Explore(context.Background(), o); err == nil || !strings.Contains(err.Error(), "liveness") {
		t.Fatalf("POR with liveness: %v", err)
	}
	o.Liveness = false
	exact, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	for shard := range 3 {
		o.Bitstate, o.Shard, o.Shards = 23, shard, 3
		r, err := Explore(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if r.POR == nil || r.POR.Reduced == 0 || len(r.Violations) != 0 {
			t.Fatalf("shard %d: %+v, %d violations", shard, r.POR, len(r.Violations))
		}
		// 2^23 bits for 9,972 states (hash factor 841): no state is
		// lost to a collision (the seeds are fixed), and every shard
		// explores the reduced space whatever its order.
		if r.States != exact.States {
			t.Errorf("shard %d: %d states, exact %d", shard, r.States, exact.States)
		}
	}
	// The planted lost G is found through a shard's permuted order too,
	// and its path replays.
	o.Bounds, o.Depth, o.Step, o.StopAtFirst = coreBounds(3), 12, loseStackFreedG, true
	r, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) != 1 || r.Violations[0].Name != "DeadIffFree" {
		t.Fatalf("%d violations", len(r.Violations))
	}
	checkReplays(t, o, r.Violations[0])
}

// The reduction finds the same with any number of workers.
func TestPORWorkersDeterministic(t *testing.T) {
	c, _ := spec.Preset("small")
	o := ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 3}, Bounds: coreBounds(1), Depth: 14, POR: true}
	sameForWorkers(t, o, func(w int, r *ExploreResult) {
		if r.POR == nil || r.POR.Reduced == 0 {
			t.Fatalf("workers %d: nothing reduced", w)
		}
	})
}

// The reduction bounds the reduced graph's depth: following a private
// acquirep alone pushes every other actor's step one level deeper, so a
// violation the full graph reaches at depth L may lie deeper in the
// reduced graph (which is why gexit explore turns -por off with -depth
// unless asked). The planted throw the full graph meets at depth L is
// missed by the reduction bounded at L and found at L+1.
func TestPORDepthIsTheReducedGraphs(t *testing.T) {
	c, _ := spec.Preset("small")
	var fault plantedFault
	for _, f := range porFaults() {
		if f.name == "throw when exit frees a stack" {
			fault = f
		}
	}
	o := ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: coreBounds(2), Step: fault.step, StopAtFirst: true, Workers: 1}
	full, err := Explore(context.Background(), o)
	if err != nil || len(full.Violations) == 0 {
		t.Fatalf("the full graph finds no violation: %v", err)
	}
	l := len(full.Violations[0].Path)
	o.POR = true
	o.Depth = l
	at, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	o.Depth = l + 1
	deeper, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(at.Violations) != 0 || at.StoppedBy != "depth" || len(deeper.Violations) == 0 {
		t.Fatalf("full graph: violation at depth %d; reduced graph bounded at %d: %d violations (stopped by %q); at %d: %d",
			l, l, len(at.Violations), at.StoppedBy, l+1, len(deeper.Violations))
	}
}

// stolenNextP plants the review's fault in pendingP: an idle M may also
// take a P that startm handed to another M through its nextp (newm's
// thread for it). The reduced exploration, which follows the woken M's
// acquirep alone, never meets a state where the idle M could take it
// first; the full one breaks NextPHandedOff.
func stolenNextP() (enabledFunc, stepFunc) {
	holder := func(s *spec.State, p int8) int {
		for mi := range s.Ms {
			if s.Ms[mi].NextP == p {
				return mi
			}
		}
		return -1
	}
	enabled := func(s *spec.State, b spec.Bounds, buf []spec.Op) []spec.Op {
		ops := s.Enabled(b, buf)
		for mi := range s.Ms {
			m := &s.Ms[mi]
			if !m.Parked || m.NextP != spec.None {
				continue
			}
			for pi := range s.Ps {
				if h := holder(s, int8(pi)); h >= 0 && h != mi && s.Ps[pi].Status == spec.PHandoff {
					ops = append(ops, spec.Op{Kind: spec.OpAcquireP, M: int8(mi), P: int8(pi)})
				}
			}
		}
		return ops
	}
	step := func(s *spec.State, op spec.Op) (spec.Result, error) {
		if op.Kind == spec.OpAcquireP && op.M >= 0 && s.Ms[op.M].Parked && s.Ms[op.M].NextP == spec.None {
			if h := holder(s, op.P); h >= 0 && h != int(op.M) {
				s.Ms[h].NextP = spec.None
				r, err := s.Apply(op)
				s.Ms[h].NextP = op.P
				return r, err
			}
		}
		return s.Apply(op)
	}
	return enabled, step
}

// The explorer checks the ample sets' independence as it reduces
// (spec.State.CheckAmple): a spec whose private op is not independent
// stops the run. Two plants: stolenNextP, the review's, whose dependent
// op shows only a few steps of the idle M beyond the reduced state (the
// reduction alone hid its NextPHandedOff: 0 violations, 10 without
// it); and an acquirep that also stores needspinning, which another M's
// stop path reads, dependent in the reduced state itself. The controls:
// the first plant is real (found without the reduction), and the clean
// spec passes the check (its pairs counted).
func TestPORChecksIndependence(t *testing.T) {
	c, _ := spec.Preset("small")
	needspinning := func(s *spec.State, op spec.Op) (spec.Result, error) {
		private := s.Private(op)
		r, err := s.Apply(op)
		if err == nil && private {
			s.Sched.NeedSpinning = true
		}
		return r, err
	}
	stolenEnabled, stolenStep := stolenNextP()
	gss := []int{1, 2}
	if raceEnabled {
		gss = gss[:1]
	}
	for _, gs := range gss {
		o := ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: coreBounds(gs), POR: true}
		clean, err := Explore(context.Background(), o)
		if err != nil || clean.POR == nil || clean.POR.Reduced == 0 || clean.POR.Pairs == 0 {
			t.Fatalf("%d Gs, clean: %v %+v", gs, err, clean)
		}
		for _, tc := range []struct {
			name    string
			enabled enabledFunc
			step    stepFunc
		}{{"stolen nextp", stolenEnabled, stolenStep}, {"acquirep stores needspinning", nil, needspinning}} {
			p := o
			p.enabled, p.Step = tc.enabled, tc.step
			if _, err := Explore(context.Background(), p); err == nil || !strings.Contains(err.Error(), "partial-order reduction's independence fails") {
				t.Errorf("%d Gs, %s: %v", gs, tc.name, err)
			}
			if tc.name != "stolen nextp" {
				continue
			}
			p.POR, p.StopAtFirst = false, true
			if r, err := Explore(context.Background(), p); err != nil || len(r.Violations) == 0 || r.Violations[0].Name != "NextPHandedOff" {
				t.Errorf("%d Gs, %s without the reduction: %v, %+v", gs, tc.name, err, r)
			}
		}
	}
}
