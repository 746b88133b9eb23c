package checker

import (
	"testing"
	"time"
)

// A negative MutantOptions.Shrink (the CLI's -shrink 0, as check's) keeps
// each counterexample as found: with the same seed the row is caught at
// the same case, and its steps are those of the case rapid found, more
// than the shrunk row's.
func TestMutantsWithoutShrinking(t *testing.T) {
	if raceEnabled {
		t.Skip("make test runs the mutation table without -race")
	}
	o := MutantOptions{Budget: 20 * time.Second, Checks: 2000, NullBudget: 100 * time.Millisecond, Faults: []string{"spill-lose-g"}}
	o.Shrink = -1
	raw := Mutants(o)
	o.Shrink = 5 * time.Second
	shrunk := Mutants(o)
	if len(raw) != 2 || len(shrunk) != 2 || !raw[1].Caught || !shrunk[1].Caught {
		t.Fatalf("spill-lose-g not caught: %+v / %+v", raw, shrunk)
	}
	if raw[1].Cases != shrunk[1].Cases {
		t.Fatalf("caught at case %d without shrinking, %d with: the search must not depend on it", raw[1].Cases, shrunk[1].Cases)
	}
	if raw[1].Steps <= shrunk[1].Steps || raw[1].Control != "ok" {
		t.Fatalf("without shrinking %d steps (control %s), shrunk %d: want the case as found, larger", raw[1].Steps, raw[1].Control, shrunk[1].Steps)
	}
	t.Logf("spill-lose-g: %d steps as found, %d shrunk", raw[1].Steps, shrunk[1].Steps)
}
