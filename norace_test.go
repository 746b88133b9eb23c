//go:build !race

package gexit_test

const raceEnabled = false
