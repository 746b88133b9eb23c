//go:build race

package conform

// raceEnabled: the tests run under the race detector, which slows the
// recorded workloads (and so lengthens their traces) many times over.
const raceEnabled = true
