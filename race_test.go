//go:build race

package gexit_test

// raceEnabled: the race detector slows the implementation about tenfold,
// which would make the mutation table's time budgets meaningless; make test
// runs that table in a separate run without -race.
const raceEnabled = true
