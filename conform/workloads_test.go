package conform

import (
	"fmt"
	"testing"
)

func workloadScale() int {
	if testing.Short() {
		return 1
	}
	return 2
}

func TestWorkloads(t *testing.T) {
	for _, procs := range []int{1, 2, 4} {
		for _, name := range WorkloadNames() {
			if name == "generations" && testing.Short() {
				continue
			}
			t.Run(fmt.Sprintf("%s/procs=%d", name, procs), func(t *testing.T) {
				w, _ := LookupWorkload(name)
				rec, err := Record(w, procs, workloadScale())
				if err != nil {
					t.Fatal(err)
				}
				rep, err := CheckTrace(bytesReader(rec.Trace))
				if err != nil {
					t.Fatal(err)
				}
				if !rep.OK() {
					t.Errorf("%s", rep.Text(true))
				}
				if m := MetricsMismatch(rec, rep); m != "" {
					t.Errorf("metrics cross-check: %s", m)
				}
				t.Logf("%d bytes\n%s", len(rec.Trace), rep.Text(true))
			})
		}
	}
}
