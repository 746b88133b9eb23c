//go:build race

package promela

// raceEnabled: the race detector slows gexit's explorer about tenfold, so
// the bounds whose exploration takes seconds run only without it.
const raceEnabled = true
