//go:build race

package spec

// raceEnabled: the race detector slows the state enumerations of the
// tests about tenfold; they enumerate fewer states under it.
const raceEnabled = true
