package checker

import (
	"flag"
	"testing"

	"pgregory.net/rapid"
)

// TestRapidRunChecksExactly: RapidRun runs the property exactly checks
// times, under go test -short too, where rapid itself runs a fifth of
// them (a campaign's batch of 25 cases drew 5, and the campaign reported
// a broken harness). The test sets -test.short for its run, so it shows
// the case whether or not go test was given -short.
func TestRapidRunChecksExactly(t *testing.T) {
	for _, short := range []string{"false", "true"} {
		f := flag.Lookup("test.short")
		if f == nil {
			t.Fatal("no test.short flag")
		}
		old := f.Value.String()
		if err := flag.Set("test.short", short); err != nil {
			t.Fatal(err)
		}
		n := 0
		failed, log := RapidRun("count", 25, 1, 0, func(t *rapid.T) {
			rapid.Int().Draw(t, "x")
			n++
		})
		flag.Set("test.short", old)
		if failed || n != 25 {
			t.Errorf("short=%s: %d runs of the property (failed %v), want 25\n%s", short, n, failed, log)
		}
	}
}
