package checker

import (
	"context"
	"testing"
	"time"
)

// A mutation table stopped by its Context (a signal) is not a table
// that passed: the row in progress is Interrupted, neither caught nor
// passed, and no row starts after it. Without the stop the same row runs
// its whole budget and is a pass (the null mutant, never caught).
func TestMutantsInterrupted(t *testing.T) {
	if raceEnabled {
		t.Skip("make test runs the mutation table without -race")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	rows := Mutants(MutantOptions{Budget: time.Minute, Faults: []string{"spill-lose-g"}, Shrink: time.Second, Context: ctx})
	if len(rows) != 1 || !rows[0].Null || rows[0].Caught || !rows[0].Interrupted || rows[0].Cases == 0 {
		t.Fatalf("interrupted in the null row: %+v", rows)
	}
	rows = Mutants(MutantOptions{Budget: 300 * time.Millisecond, Faults: []string{"spill-lose-g"}, Shrink: time.Second})
	if len(rows) != 2 || rows[0].Interrupted || rows[0].Caught || !rows[1].Caught {
		t.Fatalf("control: %+v", rows)
	}
}

// A search does not stop at an unknown outcome: the null row whose cases
// are undecided runs all its checks and is undecided, not a pass (it
// judged nothing); a fault row with some cases judged is held to them.
// The stand-in makes every systematic schedule that passes undecided.
func TestMutantsUnknownIsNotAPass(t *testing.T) {
	defer func() { runSchedule = runSafeOne }()
	runSchedule = func(ctx context.Context, c Case, budget time.Duration) *Outcome {
		o := runSafeOne(ctx, c, budget)
		if o.Verdict == Ok {
			o.Verdict, o.Kind, o.Name, o.Detail = Unknown, "timeout", Undecided, "planted: undecided"
		}
		return o
	}
	o := MutantOptions{Checks: 20, Seed: 1, Context: context.Background()}
	res := searchMutant(o, nil, []string{"systematic"}, time.Minute)
	r := MutantResult{Fault: NullMutant, Null: true, Cases: res.cases, Unjudged: res.unjudged, Caught: res.out != nil}
	if r.Caught || res.cases != 20 || res.unjudged != 20 || !r.Undecided() {
		t.Fatalf("null row, every case unknown: caught %v, %d cases, %d unjudged, undecided %v", r.Caught, res.cases, res.unjudged, r.Undecided())
	}
	// The control: the same search without the stand-in judges every
	// case, and the null row passes.
	runSchedule = runSafeOne
	res = searchMutant(o, nil, []string{"systematic"}, time.Minute)
	r = MutantResult{Fault: NullMutant, Null: true, Cases: res.cases, Unjudged: res.unjudged, Caught: res.out != nil}
	if r.Caught || res.cases != 20 || res.unjudged != 0 || r.Undecided() {
		t.Fatalf("null row: caught %v, %d cases, %d unjudged, undecided %v", r.Caught, res.cases, res.unjudged, r.Undecided())
	}
	// A fault row is undecided only when no case it ran was judged.
	if f := (MutantResult{Fault: "x", Cases: 20, Unjudged: 3}); f.Undecided() {
		t.Errorf("a fault row with 17 of 20 cases judged is undecided")
	}
	if f := (MutantResult{Fault: "x", Cases: 20, Unjudged: 20}); !f.Undecided() {
		t.Errorf("a fault row with no case judged is not undecided")
	}
	// A mode column that catches the null mutant is a false positive.
	if n := (MutantResult{Fault: NullMutant, Null: true, Cases: 5, Modes: map[string]ModeResult{"free": {Caught: true}}}); !n.NullCaught() {
		t.Errorf("the null row caught in its free column is not NullCaught")
	}
}
