package rtcheck

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkCreateExitOverhead compares the instrumented runtime's
// create+exit cycle (go f(); f signals and exits; the creator waits),
// recording to a file with the drainer running, with the stock runtime's,
// in the same run, alternating the two binaries. It reports the best
// wall ns/cycle of each over b.N runs and their ratio (the aim:
// at most 1.3), and the same for CPU time (every thread's, the drainer's
// included), which a machine shared with other work disturbs less.
//
//	go test -run '^$' -bench CreateExitOverhead -benchtime 5x ./rtcheck
func BenchmarkCreateExitOverhead(b *testing.B) {
	skipShort(b)
	src, err := os.ReadFile(filepath.Join("testdata", "bench", "main.go"))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module bench\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644)
	ov, err := GenerateOverlay("", filepath.Join(dir, "overlay"))
	if err != nil {
		b.Fatal(err)
	}
	if out, err := goCmd(dir, "build", "-o", "stock", "."); err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
	if out, err := goCmd(dir, "build", "-overlay", ov.JSON, "-o", "instrumented", "."); err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
	const cycles = 200000
	// run returns the wall and CPU (user+system, every thread, the
	// drainer's too) nanoseconds per cycle.
	run := func(bin string, procs int, recdir string) (wall, cpu float64) {
		cmd := exec.Command(filepath.Join(dir, bin), strconv.Itoa(cycles))
		cmd.Env = mergeEnv(os.Environ(), []string{"GOMAXPROCS=" + strconv.Itoa(procs), "GEXIT_RECORDS=" + recdir})
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("%s: %v", bin, err)
		}
		wall, err = strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
		if err != nil {
			b.Fatalf("%s printed %q", bin, out)
		}
		st := cmd.ProcessState
		cpu = float64((st.UserTime() + st.SystemTime()).Nanoseconds()) / (cycles + 1000)
		return wall, cpu
	}
	for _, procs := range []int{1, 2} {
		b.Run(fmt.Sprintf("procs=%d", procs), func(b *testing.B) {
			var stock, instr, stockCPU, instrCPU float64
			for i := 0; i < b.N; i++ {
				recdir := b.TempDir()
				s, sc := run("stock", procs, "")
				in, ic := run("instrumented", procs, recdir)
				if i == 0 {
					stock, instr, stockCPU, instrCPU = s, in, sc, ic
				}
				stock, instr = min(stock, s), min(instr, in)
				stockCPU, instrCPU = min(stockCPU, sc), min(instrCPU, ic)
				os.RemoveAll(recdir)
			}
			b.ReportMetric(stock, "stock-ns/cycle")
			b.ReportMetric(instr, "instr-ns/cycle")
			b.ReportMetric(instr/stock, "ratio")
			b.ReportMetric(stockCPU, "stock-cpu-ns/cycle")
			b.ReportMetric(instrCPU, "instr-cpu-ns/cycle")
			b.ReportMetric(instrCPU/stockCPU, "cpu-ratio")
		})
	}
}
