package checker

import (
	"testing"

	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/spec"
)

// markrootCase finds, over seeds, an impl run of a workload that spills Gs
// to sched.gFree.stack before a GC starts, in which markrootFreeGStacks
// freed stacks and a later newproc1 refilled from the noStack list; it
// returns the case, the run, and the indexes of those two events.
func markrootCase(t *testing.T, mode string) (Case, *impl.Result, int, int) {
	t.Helper()
	main := impl.Prog(impl.Go(nil), impl.Go(nil), impl.Go(nil), impl.Go(nil), impl.Yield(), impl.Yield(), impl.Yield(),
		impl.Go(nil), impl.Go(nil), impl.Go(nil), impl.Exit())
	w := impl.Workload{Main: main, Controller: []impl.CtlStep{{Kind: impl.CtlGC, Arg: 1, After: 34}}}
	for seed := int64(0); seed < 300; seed++ {
		c := Case{Preset: "small", Ps: 1, Ms: 1, Mode: mode, Seed: seed, Workload: w, Text: w.String()}
		res := runImpl(t, c)
		job, spawn := -1, -1
		for i, e := range res.History {
			switch {
			case e.Op == "markrootfreegstacks" && e.Out.Value > 0:
				job = i
			case job >= 0 && e.Op == "newproc1" && e.Out.How == spec.HowRefill && e.Out.Stack == spec.StackAllocated:
				spawn = i
			}
			if spawn >= 0 {
				return c, res, job, spawn
			}
		}
	}
	t.Fatalf("%s: no seed gave a markrootFreeGStacks that freed stacks before a refill", mode)
	return Case{}, nil, 0, 0
}

// The mark phase's markrootFreeGStacks, as impl runs it, is judged by the
// spec's transition: the clean run passes, and a history that claims the
// job freed another number of stacks, or that gfget then reused a freed
// stack (what the spec predicted before it modelled the job), is illegal.
func TestMarkrootFreeGStacksJudged(t *testing.T) {
	for _, mode := range []string{"atomic", "deterministic"} {
		c, res, job, spawn := markrootCase(t, mode)
		judge := func(h []impl.Event) *Outcome { return judgeHistory(t, c, res, h) }
		if o := judge(res.History); o.Verdict != Ok {
			t.Fatalf("%s: clean run judged %v: %s %s %s", mode, o.Verdict, o.Kind, o.Name, o.Detail)
		}
		for _, tamper := range []struct {
			name string
			at   int
			f    func(*impl.Output)
		}{
			{"one stack more freed", job, func(o *impl.Output) { o.Value++ }},
			{"freed stack reused", spawn, func(o *impl.Output) { o.Stack = spec.StackReused }},
		} {
			h := append([]impl.Event(nil), res.History...)
			tamper.f(&h[tamper.at].Out)
			o := judge(h)
			t.Logf("%s, %s (seed %d): %s %s: %s", mode, tamper.name, c.Seed, o.Kind, o.Name, o.Detail)
			if o.Verdict != Illegal {
				t.Errorf("%s, %s: judged %v", mode, tamper.name, o.Verdict)
			}
		}
	}
}

// Every op impl records is one of the spec's.
func TestImplOpsAreSpecOps(t *testing.T) {
	for _, name := range impl.OpNames() {
		if _, ok := spec.ParseOpKind(name); !ok {
			t.Errorf("impl records %q, which the spec does not know", name)
		}
	}
}
