//go:build race

package rtcheck

// raceEnabled: the runtime mutation table is run without -race (make
// test); its cost is the mutants' builds and runs, none of it the test
// binary's own code for the race detector to watch.
const raceEnabled = true
