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
