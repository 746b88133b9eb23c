//go:build !race

package rtcheck

const raceEnabled = false
