//go:build race

package checker

// raceEnabled: the race detector slows the explorer about tenfold; the
// largest liveness explorations are skipped under it.
const raceEnabled = true
