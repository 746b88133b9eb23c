package rtcheck

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// These tests build programs with the instrumented runtime. The first
// build after a change to the probes recompiles the standard library
// (about a minute on a loaded 2-core machine); later ones hit the build
// cache (the overlay's content is the cache key, not its paths).

func skipShort(t testing.TB) {
	if testing.Short() {
		t.Skip("builds with the instrumented runtime; skipped in -short")
	}
}

// TestWorkloadFamilies runs every bundled workload once (GOMAXPROCS 2):
// each must end as expected, its records must decode consistently, and
// the probes it is there for must fire. Together they cover every probe
// family. A workload with a Finding must be the violation it names, and
// only that: finalizer-goexit's two goroutines, the finalizer's and the
// cleanup's, each leave sched.ngsys one too high (NGSysCount).
func TestWorkloadFamilies(t *testing.T) {
	skipShort(t)
	rep, err := Run(Options{Workloads: WorkloadNames(), Procs: []int{2}, Out: t.TempDir(), Judge: SpecJudge})
	if err != nil {
		t.Fatal(err)
	}
	families := map[Family]bool{}
	findings := 0
	for _, r := range rep.Runs {
		w, _ := LookupWorkload(r.Name)
		if w.Finding != "" {
			findings++
			var found []string
			for _, p := range r.Problems {
				// (The free-list judge adds its projected lists to a
				// failure.)
				if !strings.Contains(p, w.Finding) && !strings.Contains(p, "projected free lists") {
					t.Errorf("%s: a problem other than its finding %s: %s", r.Name, w.Finding, p)
				}
				found = append(found, p)
			}
			all := strings.Join(found, "\n")
			if r.Verdict != Violation || !strings.Contains(all, "the finalizer goroutine") || !strings.Contains(all, "the cleanup goroutine") {
				t.Errorf("%s: verdict %s, want the finalizer's and the cleanup's %s:\n%s", r.Name, r.Verdict, w.Finding, r.Text())
			}
			t.Logf("%s: %s", r.Name, all)
		} else if r.Verdict != OK {
			t.Errorf("%s: %s\n%s", r.Name, r.Verdict, r.Text())
			continue
		}
		for _, k := range w.Probes {
			if r.Coverage[k.String()] == 0 {
				t.Errorf("%s: probe %s never fired", r.Name, k)
			}
			families[kinds[k].Family] = true
		}
		for _, c := range w.Codes {
			if r.Coverage[c] == 0 {
				t.Errorf("%s: branch %s never fired", r.Name, c)
			}
		}
		if len(r.Processes) != 1 || !r.Processes[0].Main || !r.Processes[0].Trailer {
			t.Errorf("%s: processes %+v", r.Name, r.Processes)
		}
	}
	for _, f := range familyNames() {
		if !families[f] {
			t.Errorf("no workload covers family %s", f)
		}
	}
	if findings == 0 || rep.Verdict != Violation || rep.CoverageRule {
		t.Errorf("verdict %s with %d findings, coverage rule %v", rep.Verdict, findings, rep.CoverageRule)
	}
}

// TestRunAll is gexit runtime -run all: every probe but the optional
// ones must fire. It takes about 20 s with a warm build cache; set
// GEXIT_RUNTIME_ALL=1 to run it.
func TestRunAll(t *testing.T) {
	if os.Getenv("GEXIT_RUNTIME_ALL") == "" {
		t.Skip("set GEXIT_RUNTIME_ALL=1 to run gexit runtime -run all")
	}
	rep, err := Run(Options{Workloads: []string{"all"}, Out: t.TempDir(), Judge: SpecJudge})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", rep.Text(false))
	if rep.Verdict != OK {
		t.Errorf("verdict %s: %v", rep.Verdict, rep.Problems)
	}
	for _, info := range Kinds() {
		if info.Optional == "" && rep.Coverage[info.Name] == 0 {
			t.Errorf("probe %s never fired", info.Name)
		}
	}
	for _, c := range requiredCodes() {
		if rep.Codes[c] == 0 {
			t.Errorf("branch %s never fired", c)
		}
	}
	judged := 0
	for _, w := range Workloads {
		if w.Finding == "" {
			judged++
		}
	}
	if len(rep.Runs) != judged*len(DefaultProcs) {
		t.Errorf("%d runs, want %d workloads (the findings left out) under %d settings", len(rep.Runs), judged, len(DefaultProcs))
	}
}

// writeModule writes a one-package main module.
func writeModule(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module prog\n\ngo 1.26\n"), 0o644)
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const okProgram = `package main

import "sync"

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 300; i++ {
		wg.Add(1)
		go wg.Done()
	}
	wg.Wait()
	if len("PANIC") == 0 {
		panic("planted")
	}
}
`

// A program that returns while its goroutines still exit: the exits go on
// while the final drain writes the trailer, which a review found made
// the count of exits that skipped gfput report hundreds (the trailer's
// count of gdestroy calls against the records kept). The trailer carries
// the exits not yet at gfput, read with no gfput between (at most one per
// P in flight): ok in every run (the control of Consistency's
// exitsReachGfput; its plant is the gdestroy-leaks mutant).
func TestExecReturnsWhileGoroutinesExit(t *testing.T) {
	skipShort(t)
	dir := writeModule(t, "package main\n\nfunc main() {\n\tfor i := 0; i < 1000; i++ {\n\t\tgo func() {}()\n\t}\n}\n")
	for range 3 {
		rep, err := Run(Options{Exec: ".", Dir: dir, Procs: []int{1, 2, 4}, Judge: SpecJudge})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Verdict != OK {
			for _, r := range rep.Runs {
				t.Errorf("%s", r.Text())
			}
			return
		}
	}
}

// A crash is a violation with its output saved; the same program without
// the crash is ok.
func TestExecCrashIsViolation(t *testing.T) {
	skipShort(t)
	for _, crash := range []bool{false, true} {
		src := okProgram
		if crash {
			src = strings.Replace(src, `len("PANIC") == 0`, `len("PANIC") != 0`, 1)
		}
		dir := writeModule(t, src)
		out := t.TempDir()
		rep, err := Run(Options{Exec: ".", Dir: dir, Procs: []int{2}, Out: out})
		if err != nil {
			t.Fatal(err)
		}
		r := rep.Runs[0]
		if !crash {
			if rep.Verdict != OK || r.Records == 0 || r.Bundle != "" {
				t.Errorf("clean program: %s", r.Text())
			}
			continue
		}
		if rep.Verdict != Violation || !strings.Contains(strings.Join(r.Problems, "\n"), "panic: planted") {
			t.Fatalf("crashing program: %s", r.Text())
		}
		output, err := os.ReadFile(filepath.Join(r.Bundle, "output.txt"))
		if err != nil || !bytes.Contains(output, []byte("panic: planted")) {
			t.Errorf("bundle output: %v %q", err, output)
		}
		if recs, _ := filepath.Glob(filepath.Join(r.Bundle, "*.gexit")); len(recs) != 1 {
			t.Errorf("bundle records: %v", recs)
		}
		// fatalpanic drained the records before dying.
		if len(r.Processes) != 1 || !r.Processes[0].Trailer {
			t.Errorf("processes %+v", r.Processes)
		}
	}
}

func TestExecTimeoutIsUnknown(t *testing.T) {
	skipShort(t)
	dir := writeModule(t, "package main\n\nimport \"time\"\n\nfunc main() { time.Sleep(time.Hour) }\n")
	rep, err := Run(Options{Exec: ".", Dir: dir, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != Unknown || !rep.Runs[0].TimedOut {
		t.Errorf("%s", rep.Runs[0].Text())
	}
}

// A signal (Options.Context ending) during a run stops it: the run is
// unknown, the report says interrupted, and no later run starts; before
// any run, Run returns ErrInterrupted. The control is
// TestExecTimeoutIsUnknown's program, which a timeout alone stops.
func TestRunInterrupted(t *testing.T) {
	skipShort(t)
	dir := writeModule(t, "package main\n\nimport \"time\"\n\nfunc main() { time.Sleep(time.Hour) }\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		time.Sleep(3 * time.Second) // past the build (cached), into the first run
		cancel()
	}()
	rep, err := Run(Options{Exec: ".", Dir: dir, Procs: []int{1, 2}, Timeout: time.Minute, Context: ctx})
	if err != nil {
		t.Fatalf("%v (the build took more than 3 s?)", err)
	}
	if rep.Verdict != Unknown || !rep.Interrupted || len(rep.Runs) != 1 || rep.Runs[0].TimedOut ||
		!strings.Contains(strings.Join(rep.Runs[0].Problems, "\n"), "interrupted") || !strings.Contains(rep.Text(false), "interrupted: stopped by a signal") {
		t.Fatalf("interrupted: %s", rep.Text(true))
	}
	if _, err := Run(Options{Exec: ".", Dir: dir, Context: ctx}); err != ErrInterrupted {
		t.Fatalf("interrupted before the build: %v, want ErrInterrupted", err)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := Run(Options{Workloads: []string{"nope"}}); !IsInputError(err) || !strings.Contains(err.Error(), `unknown workload "nope"`) {
		t.Errorf("unknown workload: %v", err)
	}
	if _, err := Run(Options{Workloads: []string{"spawn"}, Procs: []int{0}}); !IsInputError(err) {
		t.Errorf("procs 0: %v", err)
	}
	if _, err := Run(Options{Workloads: []string{"spawn"}, Exec: "."}); !IsInputError(err) {
		t.Errorf("two modes: %v", err)
	}
	if _, err := Run(Options{Workloads: []string{"spawn"}, Src: t.TempDir()}); !IsInputError(err) ||
		!strings.Contains(err.Error(), "is not a Go runtime source directory") {
		t.Errorf("bad -src: %v", err)
	}
}

func TestBuildFailuresAreBadInput(t *testing.T) {
	skipShort(t)
	dir := writeModule(t, "package main\n\nfunc main() { undefinedThing() }\n")
	_, err := Run(Options{Exec: ".", Dir: dir})
	if !IsInputError(err) || !strings.Contains(err.Error(), "undefined: undefinedThing") || strings.Contains(err.Error(), "\n") {
		t.Errorf("-exec: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "main_test.go"), []byte("package main\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n"), 0o644)
	_, err = Run(Options{Tests: []string{"."}, Dir: dir})
	if !IsInputError(err) || !strings.Contains(err.Error(), "does not build") || !strings.Contains(err.Error(), "undefinedThing") {
		t.Errorf("-test: %v", err)
	}
	_, err = Run(Options{Tests: []string{"./nosuchpkg"}, Dir: dir})
	if !IsInputError(err) {
		t.Errorf("-test of a missing package: %v", err)
	}
}

// TestReaderFunction builds a program that reads its own records through
// runtime.GexitRead, the function the overlay exports.
func TestReaderFunction(t *testing.T) {
	skipShort(t)
	ov, err := GenerateOverlay("", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("testdata", "reader", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	dir := writeModule(t, string(src))
	if out, err := goCmd(dir, "build", "-overlay", ov.JSON, "-o", "reader", "."); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	recfile := filepath.Join(t.TempDir(), "records")
	cmd := exec.Command(filepath.Join(dir, "reader"), recfile)
	cmd.Env = mergeEnv(os.Environ(), []string{"GEXIT_RECORDS=", "GOMAXPROCS=2"})
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	data, _ := os.ReadFile(recfile)
	recs, err := DecodeRecords(data)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[Kind]int{}
	for i, r := range recs {
		if r.Index != uint64(i) {
			t.Fatalf("record %d has index %d", i, r.Index)
		}
		seen[r.Kind]++
	}
	if seen[KNewproc1] < 100 || seen[KGfput] < 90 || seen[KRunqput] < 90 {
		t.Errorf("kinds read: %v", seen)
	}
	f := strings.Fields(string(out))
	if len(f) != 3 {
		t.Fatalf("output %q", out)
	}
	drained, _ := strconv.Atoi(f[1])
	lost, _ := strconv.Atoi(f[2])
	if drained != len(recs) || lost != 0 {
		t.Errorf("GexitStats: %s; read %d records", out, len(recs))
	}
}

// A record file that cannot be created must not make writers wait for a
// drainer that cannot drain: the program runs at full speed (records are
// dropped and counted), and the run is unknown for want of a file.
func TestUnwritableRecordDirDoesNotStall(t *testing.T) {
	skipShort(t)
	ov, err := GenerateOverlay("", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("testdata", "bench", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	dir := writeModule(t, string(src))
	if out, err := goCmd(dir, "build", "-overlay", ov.JSON, "-o", "bench", "."); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// 100000 create+exit cycles write 600k records, several rings' worth.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "bench"), "100000")
	cmd.Env = mergeEnv(os.Environ(), []string{"GEXIT_RECORDS=/nonexistent/gexit", "GOMAXPROCS=2"})
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v (killed after 30s: writers waited for a drainer without a file?)\n%s", err, out)
	}
}

// TestRuntimeOwnTests runs some of the runtime's own tests with the
// instrumented runtime, under the spec judge:
//   - its run-queue tests (TestSchedLocalQueue, TestSchedLocalQueueSteal,
//     TestSchedLocalQueueEmpty) drive runqput, runqget and runqsteal on
//     Ps made by new(p), whose id 0 names a real P: recorded, their queue
//     operations made P0's ring look written twice (a false violation).
//     Such calls are counted, not recorded; the scheduler's own Ps still
//     are.
//   - TestLockOSThreadExit builds testdata/testprog with the go command
//     and runs it: with the overlay in GOFLAGS, the program runs the
//     instrumented runtime and its records are judged (before, it ran the
//     stock runtime, unseen).
func TestRuntimeOwnTests(t *testing.T) {
	skipShort(t)
	rep, err := Run(Options{Tests: []string{"runtime"}, Procs: []int{2}, Out: t.TempDir(), Judge: SpecJudge,
		Args: []string{"-test.run", "^(TestSchedLocalQueue.*|TestLockOSThreadExit)$", "-test.count", "1"}})
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Runs[0]
	if rep.Verdict != OK {
		t.Errorf("verdict %s:\n%s", rep.Verdict, r.Text())
	}
	var outside uint64
	children := 0
	for _, p := range r.Processes {
		outside += p.Outside
		if !p.Main && p.Records > 0 && p.Trailer {
			children++
		}
	}
	// RunSchedLocalQueueTest alone puts, then gets, 0+1+...+255 Gs.
	if want := uint64(2 * (255 * 256 / 2)); outside < want {
		t.Errorf("%d probe calls on Ps outside the scheduler's counted, want at least %d", outside, want)
	}
	if rep.Coverage["runqput"] == 0 || rep.Coverage["runqget"] == 0 {
		t.Errorf("no run-queue records of the scheduler's Ps: runqput %d, runqget %d", rep.Coverage["runqput"], rep.Coverage["runqget"])
	}
	if !strings.Contains(rep.Text(false), "not recorded:") {
		t.Errorf("the report does not say what was not recorded:\n%s", rep.Text(false))
	}
	// TestLockOSThreadExit runs testprog several times (LockOSThreadMain,
	// LockOSThreadAlt), and its locked goroutines' exits end threads.
	if children < 2 || rep.Coverage["mexit"] == 0 {
		t.Errorf("%d child processes with records, %d mexit records: testprog did not run the instrumented runtime\n%s", children, rep.Coverage["mexit"], r.Text())
	}
}

// TestRecordCap: a process records at most Options.MaxMemory /
// JudgeBytesPerRecord records (GEXIT_MAX_RECORDS). One that reaches the
// cap writes nothing after it, and its verdict is unknown, with the
// reason, never a crash of the checker on a file too large to judge (the
// runtime's whole test suite wrote a 46 GB file and gexit died out of
// memory reading it). The control is the same program with room: ok.
func TestRecordCap(t *testing.T) {
	skipShort(t)
	// Half a second of goroutines made and ended: the drainer runs
	// hundreds of times past the cap.
	dir := writeModule(t, `package main

import (
	"sync"
	"time"
)

func main() {
	for end := time.Now().Add(500 * time.Millisecond); time.Now().Before(end); {
		var wg sync.WaitGroup
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go wg.Done()
		}
		wg.Wait()
	}
}
`)
	for _, tc := range []struct {
		max  uint64
		want Verdict
	}{{500 * JudgeBytesPerRecord, Unknown}, {1 << 40, OK}} {
		rep, err := Run(Options{Exec: ".", Dir: dir, Procs: []int{2}, MaxMemory: tc.max, Judge: SpecJudge, KeepRecords: true})
		if err != nil {
			t.Fatal(err)
		}
		r := rep.Runs[0]
		if r.Verdict != tc.want {
			t.Errorf("max-memory %d: %s, want %s\n%s", tc.max, r.Verdict, tc.want, r.Text())
			continue
		}
		if tc.want == OK {
			if r.Records <= 500 {
				t.Errorf("the control recorded %d records: too few to test a cap of 500", r.Records)
			}
			continue
		}
		if r.Records != 500 || !strings.Contains(strings.Join(r.Problems, "\n"), "reached its cap of 500 records") {
			t.Errorf("capped at 500: %d records\n%s", r.Records, r.Text())
		}
		// One loss marker for the cap, not one per drain after it (the
		// file would grow without bound past its cap).
		if f := r.Processes[0].File; f == nil || len(f.Losses) > 2 || f.Capped() == 0 {
			t.Errorf("capped file: %+v", f)
		} else {
			t.Logf("%d records, %d loss markers, %d capped", len(f.Records), len(f.Losses), f.Capped())
		}
	}
}

// TestMoveFile: a bundle takes a run's record files by rename, or, across
// file systems (a -out elsewhere than $TMPDIR), by a streamed copy; the
// content arrives whole either way and the source is gone after a rename.
func TestMoveFile(t *testing.T) {
	data := bytes.Repeat([]byte("GEXITRC1"), 1<<17) // 1 MiB
	dirs := []string{t.TempDir()}
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		d, err := os.MkdirTemp("/dev/shm", "gexit-move-")
		if err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			dirs = append(dirs, d) // tmpfs: another file system than t.TempDir's, usually
		}
	}
	for i, dir := range dirs {
		src := filepath.Join(t.TempDir(), "1.gexit")
		if err := os.WriteFile(src, data, 0o644); err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, strconv.Itoa(i)+".gexit")
		if err := moveFile(src, dst); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if got, err := os.ReadFile(dst); err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s: %d bytes arrived (%v), want %d", dir, len(got), err, len(data))
		}
	}
	if err := moveFile(filepath.Join(t.TempDir(), "missing.gexit"), filepath.Join(t.TempDir(), "x")); err == nil {
		t.Error("moving a missing file: no error")
	}
}

// TestGoflagsQuote: the overlay's path goes into $GOFLAGS, which the go
// command splits at spaces but for quoted fields: a $TMPDIR with a space
// (or a quote) must still name one flag, and the go command read it.
func TestGoflagsQuote(t *testing.T) {
	for _, name := range []string{"plain", "a b", "it's a", `say "a"`} {
		dir := filepath.Join(t.TempDir(), name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		ov := filepath.Join(dir, "overlay.json")
		if err := os.WriteFile(ov, []byte(`{"Replace":{}}`), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("go", "list", "-f", "{{.Name}}", "errors")
		cmd.Env = append(os.Environ(), "GOFLAGS="+goflagsQuote("-overlay="+ov))
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "errors" {
			t.Errorf("%q: GOFLAGS=%s: %v\n%s", name, goflagsQuote("-overlay="+ov), err, out)
		}
	}
}

// collectFile judges one main-process record file (pid 4242) as a run's
// collect does, with the run's exit status.
func collectFile(t *testing.T, data []byte, exit int) (Verdict, *RunResult) {
	t.Helper()
	dir := t.TempDir()
	if data != nil {
		if err := os.WriteFile(filepath.Join(dir, "4242.gexit"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := &RunResult{Coverage: map[string]int{}, ExitCode: exit}
	return collect(r, dir, 4242, Options{Judge: SpecJudge}), r
}

// A record reserved before the final drain and never written is a hole:
// the records after it are not judged, so the process is unknown, not ok.
// A hole at or after the drain's start is the history's end (records of
// threads still running at exit), and the process is judged as before.
func TestCollectHoleBeforeTheFinalDrain(t *testing.T) {
	recs := cleanHistory()
	for i := range recs {
		recs[i].Index = uint64(i)
	}
	file := func(recs []Record, before uint64) []byte {
		data := fileBytes(recs, false)
		tr := marker(KindTrailer, uint64(len(recs)+1), uint64(len(recs)), 0)
		binary.LittleEndian.PutUint64(tr[0:], before)
		return append(data, tr...)
	}
	holed := append(append([]Record(nil), recs[:3]...), recs[4:]...) // index 3 never written
	for _, tc := range []struct {
		name   string
		data   []byte
		want   Verdict
		reason string
	}{
		{"hole before the drain", file(holed, uint64(len(recs))), Unknown, "record 3, reserved before the final drain, was never written"},
		{"hole after the drain began", file(holed, 3), OK, ""},
		{"no hole", file(recs, uint64(len(recs))), OK, ""},
		{"a file from before the trailer carried it", file(holed, 0), OK, ""},
	} {
		v, r := collectFile(t, tc.data, 0)
		if v != tc.want || !strings.Contains(strings.Join(r.Problems, "\n"), tc.reason) {
			t.Errorf("%s: %s, want %s (%q)\n%q", tc.name, v, tc.want, tc.reason, r.Problems)
		}
	}
	// A violation before the hole is still one: a gfput of a G on a free
	// list already (the next exit's records name the 70th gfput's G).
	bad := append([]Record(nil), recs...)
	k := findKind(t, bad, KGfput, 70)
	bad[k+1].G = bad[k].G
	h := len(bad) - 3
	bad = append(bad[:h], bad[h+1:]...)
	if v, r := collectFile(t, file(bad, uint64(len(recs))), 0); v != Violation {
		t.Errorf("a violation before the hole: %s\n%q", v, r.Problems)
	}
}

// A process that leaves no record file, or a main file without its
// final drain, is unknown whatever its exit status but a signal's: the
// goexit workload expects exit 2 (a fatal error, which runs the final
// drain), and an uninstrumented binary would pass it.
func TestCollectMissingFileOrTrailer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		data   []byte
		exit   int
		want   Verdict
		reason string
	}{
		{"no file, exit 0", nil, 0, Unknown, "no record file"},
		{"no file, exit 2", nil, 2, Unknown, "no record file"},
		{"no file, could not run", nil, -1, OK, ""},
		{"no trailer, exit 2", fileBytes(cleanHistory(), false), 2, Unknown, "exited 2 without its final drain"},
		{"no trailer, killed", fileBytes(cleanHistory(), false), 128 + 9, OK, ""},
		{"trailer, exit 2", fileBytes(cleanHistory(), true), 2, OK, ""},
	} {
		v, r := collectFile(t, tc.data, tc.exit)
		if v != tc.want || !strings.Contains(strings.Join(r.Problems, "\n"), tc.reason) {
			t.Errorf("%s: %s, want %s (%q)\n%q", tc.name, v, tc.want, tc.reason, r.Problems)
		}
	}
}
