package impl

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
)

// The state at a throw (Result.AtThrow) is taken in the deterministic
// modes as the op that threw commits; free-running, and without a throw,
// there is none. With one M and no other actor nothing runs after the
// throw: the state there is the final one, with no actor inside an op.
func TestStateAtThrow(t *testing.T) {
	w := Workload{Main: Prog(Go(Prog(MakeDirty())), Yield(), Yield(), UnlockI())}
	for _, c := range []struct {
		mode          Mode
		snapshotEvery bool
	}{{Deterministic, false}, {Deterministic, true}, {FreeRunning, false}} {
		cfg := cfgFor(t, "small", 1, 1, c.mode, 1)
		cfg.Record, cfg.SnapshotEvery = true, c.snapshotEvery
		res := mustRun(t, cfg, w)
		what := fmt.Sprintf("%v (every op's snapshot %v)", c.mode, c.snapshotEvery)
		if res.Throw != throwBadUnlock {
			t.Fatalf("%s: throw %q", what, res.Throw)
		}
		switch {
		case c.mode == FreeRunning && res.AtThrow != nil:
			t.Errorf("%s: a state at the throw %+v", what, res.AtThrow)
		case c.mode == FreeRunning:
		case res.AtThrow == nil:
			t.Errorf("%s: no state at the throw", what)
		case len(res.AtThrow.InOp) != 0 || !reflect.DeepEqual(res.AtThrow.Snapshot, res.Snapshot):
			t.Errorf("%s: at the throw %+v, inside an op %v; at the end %+v", what, res.AtThrow.Snapshot, res.AtThrow.InOp, res.Snapshot)
		}
	}
	w = Workload{Main: Prog(Go(Prog(MakeDirty())), Yield(), Yield())}
	if res := mustRun(t, cfgFor(t, "small", 1, 1, Deterministic, 1), w); res.Throw != "" || res.AtThrow != nil {
		t.Errorf("no throw: throw %q, state at the throw %+v", res.Throw, res.AtThrow)
	}
}

// An M inside an op when another's op throws is named in AtThrow.InOp:
// M1 has begun its schedule op (it waits at the scheduling point before
// its stop path's sched.lock) when main's Goexit throws; winding down
// after the throw it makes gcstopm, recorded after the throw, and the
// final state holds it while the state at the throw does not.
func TestStateAtThrowNamesAnMInsideAnOp(t *testing.T) {
	w := Workload{Main: Prog(LockI(), Go(Prog()), Go(Prog()), Exit()),
		Controller: []CtlStep{{Kind: CtlGC, Arg: 1, After: 6}}, Probes: 1}
	c, err := Preset("small")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Consts: c, Ps: 2, Ms: 2, Mode: Deterministic, Seed: 0, Record: true, MaxOps: 8192}
	res := mustRun(t, cfg, w)
	if res.Throw != throwLockedInt || res.AtThrow == nil || !slices.Equal(res.AtThrow.InOp, []int{1}) {
		t.Fatalf("throw %q, state at the throw %+v", res.Throw, res.AtThrow)
	}
	var throwRet int64
	for _, e := range res.History {
		if e.Out.Throw != "" {
			throwRet = e.Return
		}
	}
	last := res.History[len(res.History)-1]
	if last.M != 1 || last.Op != "gcstopm" || last.Call < throwRet {
		t.Fatalf("the last op %s of M%d called at %d, the throw returned at %d", last.Op, last.M, last.Call, throwRet)
	}
	if at, end := res.AtThrow.Snapshot.Ms[1], res.Snapshot.Ms[1]; !at.Spinning || at.GCStopping || end.Spinning {
		t.Fatalf("M1 at the throw %+v, at the end %+v", at, end)
	}
}

// Every op an actor begins it commits, or drops (abandon: it wrote nothing
// the spec holds), before its next safe point while the run goes on: an
// actor at a safe point is never counted inside an op, which would make
// the check of the state at a throw skip a run it can judge. (At the end
// of a run an actor may leave an op unfinished: an exitsyscall waiting
// for a scan bit, say.)
func TestNoActorInsideAnOpAtASafePoint(t *testing.T) {
	defer func() { testHookSafepoint = nil }()
	var bad atomic.Int64
	var first atomic.Pointer[string]
	runs := 600
	if testing.Short() {
		runs = 150
	}
	for i := 0; i < runs; i++ {
		r := rand.New(rand.NewPCG(uint64(i), 11))
		ps, ms := 1+r.IntN(3), 1+r.IntN(4)
		w := Generate(r, GenOptions{Controller: r.IntN(3), Retakes: r.IntN(4), MainGoexit: r.IntN(4) == 0, ProcsLimit: ps})
		cfg := cfgFor(t, []string{"small", "go"}[i%2], ps, ms, Deterministic, int64(i))
		what := fmt.Sprintf("run %d (ps=%d ms=%d) %s", i, ps, ms, w)
		testHookSafepoint = func(a *actor) {
			if a.inOp && !a.s.done.Load() {
				bad.Add(1)
				first.CompareAndSwap(nil, &what)
			}
		}
		mustRun(t, cfg, w)
	}
	if n := bad.Load(); n != 0 {
		t.Fatalf("%d times an actor was inside an op at a safe point; first in %s", n, *first.Load())
	}
}
