//go:build race

package main

// raceEnabled: the race detector slows the explorer about tenfold.
const raceEnabled = true
