package checker

import (
	"slices"
	"strings"
	"testing"

	"github.com/gexit-dev/gexit/impl"
)

// The model takes each actor's ops in history order (modelState): an
// actor's ops are sequential, and free-running recording stamps an op's
// call with the actor's previous return, a tie porcupine reads as
// concurrent. Here every stamp is the same, so program order is the only
// order left: the history as recorded passes, and the same history with
// two of M0's newproc1s exchanged (goids out of the order the generator
// hands them out) fails; without program order porcupine would find the
// legal order of the two and pass it.
func TestModelKeepsProgramOrder(t *testing.T) {
	w := impl.Workload{Main: &impl.Program{Steps: []impl.Step{
		{Kind: impl.Spawn, Child: &impl.Program{}}, {Kind: impl.Spawn, Child: &impl.Program{}},
		{Kind: impl.Spawn, Child: &impl.Program{}}, {Kind: impl.Gosched}}}}
	c := Case{Preset: "small", Ps: 1, Ms: 1, Mode: "deterministic", Seed: 1, Workload: w, Text: w.String()}
	o, res := runAndJudge(t, c)
	if o.Verdict != Ok {
		t.Fatalf("the control run does not pass: %v %s", o.Verdict, o.Detail)
	}
	judge := func(h []impl.Event) *Outcome { t.Helper(); return judgeHistory(t, c, res, h) }
	flat := slices.Clone(res.History)
	var spawns []int
	for i := range flat {
		// (Without step stamps, which would show the exchange below
		// first: this is the linearizability model's test.)
		flat[i].Call, flat[i].Return, flat[i].Step = 7, 7, 0
		if flat[i].Op == "newproc1" && flat[i].M == 0 {
			spawns = append(spawns, i)
		}
	}
	if len(spawns) < 2 {
		t.Fatalf("%d newproc1s in the history, want two", len(spawns))
	}
	if o := judge(flat); o.Verdict != Ok {
		t.Fatalf("equal stamps, program order kept: %v %s, want ok", o.Verdict, o.Detail)
	}
	i, j := spawns[0], spawns[1]
	flat[i], flat[j] = flat[j], flat[i]
	o = judge(flat)
	if o.Verdict != Illegal || o.Kind != "linearizability" {
		t.Fatalf("newproc1s exchanged: %v %s %s, want a linearizability failure", o.Verdict, o.Kind, o.Detail)
	}
	// A history in which an actor's op is called before its previous
	// one returned is malformed: a harness failure, not a verdict on
	// the implementation.
	bad := slices.Clone(res.History)
	bad[1].Call = bad[0].Return - 1
	if bad[1].M != bad[0].M {
		t.Fatalf("events 0 and 1 of different actors")
	}
	if o := judge(bad); o.Kind != "harness" || !strings.Contains(o.Detail, "an actor's ops are sequential") {
		t.Fatalf("an actor's overlapping ops: %v %s %s, want a malformed history", o.Verdict, o.Kind, o.Detail)
	}
}

// newproc1 fetches its goid batch and takes the first goid in one call
// (proc.go:5390-5400); impl records the fetch as goidrefill right before
// that newproc1. The model holds a history to it. Control: the history as
// recorded passes. Planted: the M's lockosthread moved in between
// goidrefill and its newproc1 (the spec before the fix let an M do any op
// there), and the goidrefill left out (the spec's newproc1 would make the
// fetch itself, with the same final state): both fail.
func TestGoidRefillHeldToItsNewproc1(t *testing.T) {
	w := impl.Workload{Main: &impl.Program{Steps: []impl.Step{
		{Kind: impl.Spawn, Child: &impl.Program{}}, {Kind: impl.LockOSThread},
		{Kind: impl.Spawn, Child: &impl.Program{}}, {Kind: impl.UnlockOSThread}}}}
	c := Case{Preset: "small", Ps: 1, Ms: 1, Mode: "deterministic", Seed: 1, Workload: w, Text: w.String()}
	o, res := runAndJudge(t, c)
	if o.Verdict != Ok {
		t.Fatalf("the control run does not pass: %v %s", o.Verdict, o.Detail)
	}
	flat := slices.Clone(res.History)
	refill, lock := -1, -1
	for i := range flat {
		// (Without step stamps, which would show the exchange below
		// first: this is the linearizability model's test.)
		flat[i].Call, flat[i].Return, flat[i].Step = 7, 7, 0
		switch {
		case flat[i].Op == "goidrefill":
			refill = i
		case flat[i].Op == "lockosthread":
			lock = i
		}
	}
	if refill < 0 || lock < 0 || lock > refill || flat[refill+1].Op != "newproc1" {
		t.Fatalf("want lockosthread, then goidrefill right before a newproc1: %v", flat)
	}
	if o := judgeHistory(t, c, res, flat); o.Verdict != Ok {
		t.Fatalf("the recorded order with equal stamps: %v %s, want ok", o.Verdict, o.Detail)
	}
	moved := slices.Clone(flat)
	ev := moved[lock]
	moved = slices.Delete(moved, lock, lock+1)
	moved = slices.Insert(moved, refill, ev) // right after the goidrefill
	if moved[refill-1].Op != "goidrefill" || moved[refill+1].Op != "newproc1" {
		t.Fatalf("the move went wrong: %v", moved)
	}
	if o := judgeHistory(t, c, res, moved); o.Verdict != Illegal {
		t.Errorf("lockosthread between goidrefill and its newproc1: %v %s, want a violation", o.Verdict, o.Detail)
	}
	dropped := slices.Delete(slices.Clone(flat), refill, refill+1)
	o = judgeHistory(t, c, res, dropped)
	if o.Verdict != Illegal || !strings.Contains(o.Detail, "goid batch") {
		t.Errorf("goidrefill left out: %v %s %s, want the newproc1's fetch reported", o.Verdict, o.Kind, o.Detail)
	}
}
