//go:build !race

package conform

// raceEnabled: the tests run under the race detector (see race_test.go).
const raceEnabled = false
