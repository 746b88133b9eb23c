package gexit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gexit-dev/gexit/checker"
	"github.com/gexit-dev/gexit/impl"
)

// TestEveryFaultBundles: for every impl fault under four campaign seeds,
// the path from "a violation was found" to "a complete bundle is on disk"
// holds: the campaign ends illegal, the bundle has every file, the
// counterexample is attributable to the fault (its control run, faults
// off, passes), and replaying the bundle and its history.json reproduces
// the verdict, kind and name (a free-running case re-run may take another
// interleaving; its history.json must still reproduce).
func TestEveryFaultBundles(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a campaign per fault and seed")
	}
	if raceEnabled {
		t.Skip("make test runs this without -race (the campaigns' budgets)")
	}
	// Four seeds (ten, then six, until the suite neared CI's 15
	// minutes): each
	// fault's path to a bundle under several interleavings and modes;
	// TestMutants is the table that every fault is caught at all.
	const seeds = 4
	for _, fi := range impl.Faults() {
		t.Run(fi.Name, func(t *testing.T) {
			start := time.Now()
			kinds := map[string]int{}
			for seed := uint64(1); seed <= seeds; seed++ {
				out := t.TempDir()
				c, err := checker.NewCampaign(checker.CampaignOptions{Cases: 20000, Duration: 30 * time.Second, Seed: seed,
					Faults: []string{fi.Name}, Shrink: 300 * time.Millisecond, Out: out})
				if err != nil {
					t.Fatal(err)
				}
				r := c.Run(context.Background())
				if r.Verdict != checker.Illegal || r.Failure == nil {
					t.Fatalf("seed %d: not caught: %s", seed, r.Summary())
				}
				if r.BundleErr != nil || r.Bundle == "" {
					t.Fatalf("seed %d: no bundle: %v", seed, r.BundleErr)
				}
				f := r.Failure
				if !f.Attributable {
					t.Errorf("seed %d: %s", seed, f.ControlText())
				}
				o := f.Outcome
				kinds[o.Kind]++
				files := append([]string(nil), checker.BundleFiles...)
				if o.Kind == "linearizability" {
					files = append(files, "linearization.html")
				}
				for _, name := range files {
					if st, err := os.Stat(filepath.Join(r.Bundle, name)); err != nil || st.Size() == 0 {
						t.Fatalf("seed %d: %s missing or empty (%v)", seed, name, err)
					}
				}
				for _, p := range []string{r.Bundle, filepath.Join(r.Bundle, checker.HistoryFile)} {
					rp, err := checker.ReplayPath(context.Background(), p, 10*time.Second)
					if err != nil {
						t.Fatalf("seed %d: replay %s: %v", seed, p, err)
					}
					if !rp.Reproduced && rp.Deterministic {
						t.Fatalf("seed %d: replay of %s (mode %s) gives %v %s %q, recorded %+v", seed, filepath.Base(p), o.Case.Mode,
							rp.Outcome.Verdict, rp.Outcome.Kind, rp.Outcome.Name, *rp.Recorded)
					}
				}
			}
			t.Logf("%d seeds in %.1fs, caught by %v", seeds, time.Since(start).Seconds(), fmt.Sprint(kinds))
		})
	}
}
