package rtcheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gexit-dev/gexit/internal/sysmem"
)

// Verdict is the outcome of a run or of a whole check.
type Verdict string

// Verdicts. Unknown is never a pass.
const (
	OK        Verdict = "ok"
	Violation Verdict = "violation"
	Unknown   Verdict = "unknown"
)

// worse returns the worse of two verdicts (violation > unknown > ok).
func worse(a, b Verdict) Verdict {
	rank := map[Verdict]int{OK: 0, Unknown: 1, Violation: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// Judgement is a judge's answer on one process's records.
type Judgement struct {
	Verdict  Verdict
	Problems []string
}

// Judge judges one process's records, in index order. Run calls it on
// every record file whose records passed Consistency. This is where the
// spec judge plugs in (SpecJudge: free lists replayed through the spec's
// transitions, run queues checked for linearizability).
type Judge func(f *File) Judgement

// Options configure Run. Exactly one of Workloads, Tests and Exec is set.
type Options struct {
	// Src is the runtime source directory; "" is $(go env GOROOT)/src/runtime.
	Src string
	// Workloads are bundled workload names; "all" is every one, and then a
	// probe that never fires is a violation.
	Workloads []string
	// Tests are package patterns whose tests are run (go test -c, then the
	// test binary in the package directory with Args).
	Tests []string
	// Exec is a main package directory, built there (in its own module)
	// and run with Args in Dir.
	Exec string
	Args []string
	// Procs are the GOMAXPROCS values every target runs under. Empty:
	// 1, 2, 4, 8 for workloads; the environment's for -test and -exec.
	Procs []int
	// Timeout bounds one run (default 2 minutes for workloads, 10 for
	// -test and -exec, as go test); a run that hits it is unknown.
	Timeout time.Duration
	// Out receives a bundle (output, records, report.txt) for every run
	// that is not ok; "" writes none.
	Out string
	// Dir is the working directory for -test and -exec resolution ("" = cwd).
	Dir string
	// Log receives progress lines (nil: none).
	Log io.Writer
	// Context, when it ends (a signal), stops the builds and the run in
	// progress, which is unknown, and the runs not started; nil: none.
	Context context.Context
	// Judge, when set, judges every process's records.
	Judge Judge
	// KeepRecords keeps the decoded records in the report (Process.File).
	KeepRecords bool
	// Scale multiplies the bundled workloads' sizes (GEXIT_SCALE; 0 = 1).
	Scale int
	// MaxMemory bounds the memory judging one process may take: a
	// process's record file is capped at MaxMemory/JudgeBytesPerRecord
	// records (GEXIT_MAX_RECORDS), past which the process records
	// nothing more and its verdict is unknown. 0: half of physical
	// memory; math.MaxUint64 (or physical memory unknown): no cap.
	MaxMemory uint64
}

// JudgeBytesPerRecord is the memory judging a record takes: its decoded
// form (64 bytes) and the judges' state, with a margin. Measured: a
// process's 98.7M records read, checked for consistency and judged in
// 7.08 GB resident (72 bytes a record).
const JudgeBytesPerRecord = 80

// maxMemory is o.MaxMemory with its default (0: no bound).
func (o *Options) maxMemory() uint64 {
	switch o.MaxMemory {
	case 0:
		return sysmem.Physical() / 2
	case math.MaxUint64:
		return 0
	}
	return o.MaxMemory
}

// maxRecords is the cap on one process's records (0: none).
func (o *Options) maxRecords() uint64 {
	if m := o.maxMemory(); m > 0 {
		return max(m/JudgeBytesPerRecord, 1)
	}
	return 0
}

// DefaultProcs are the GOMAXPROCS values workloads run under by default.
var DefaultProcs = []int{1, 2, 4, 8}

// Process is one process's records within a run.
type Process struct {
	Pid     int  `json:"pid"`
	Main    bool `json:"main"`
	Records int  `json:"records"`
	// Unsettled counts records after the first one still being written
	// when the process ended (File.Settled): not checked.
	Unsettled int    `json:"unsettled"`
	Lost      uint64 `json:"lost"`
	// Outside counts probe calls on Ps that are not the scheduler's
	// (File.Outside): the runtime's own run-queue tests drive the queues
	// of Ps made by new(p). Not recorded, not judged.
	Outside  uint64   `json:"outsideAllp,omitempty"`
	Trailer  bool     `json:"trailer"`
	Path     string   `json:"-"`
	File     *File    `json:"-"`
	Problems []string `json:"problems,omitempty"`
}

// RunResult is one target run under one GOMAXPROCS value.
type RunResult struct {
	Name      string         `json:"name"`
	Target    string         `json:"target"` // workload, test, exec
	Procs     int            `json:"procs"`  // 0: inherited from the environment
	ExitCode  int            `json:"exitCode"`
	TimedOut  bool           `json:"timedOut,omitempty"`
	Seconds   float64        `json:"seconds"`
	Records   int            `json:"records"`
	Processes []*Process     `json:"processes"`
	Coverage  map[string]int `json:"coverage"`
	Verdict   Verdict        `json:"verdict"`
	Problems  []string       `json:"problems,omitempty"`
	// RecordsViolation is the first problem the records themselves
	// showed (Consistency or the judge): "" when the run's violation, if
	// any, is its exit status or output alone (a crash, a throw).
	RecordsViolation string `json:"recordsViolation,omitempty"`
	Bundle           string `json:"bundle,omitempty"`
	Output           []byte `json:"-"`
}

// Report is the outcome of Run.
type Report struct {
	Mode         string         `json:"mode"`
	Src          string         `json:"src"`
	Runs         []*RunResult   `json:"runs"`
	Records      int            `json:"records"`
	Coverage     map[string]int `json:"coverage"`   // probe -> records, over every run
	Codes        map[string]int `json:"codes"`      // "probe/code" -> records
	NeverFired   []string       `json:"neverFired"` // probes, and required branches (Workload.Codes) as probe/code
	Optional     []string       `json:"optionalNeverFired,omitempty"`
	CoverageRule bool           `json:"coverageRequired"` // -run all: a probe that never fires fails
	JudgeWired   bool           `json:"judgeWired"`
	BuildSeconds float64        `json:"buildSeconds"`
	Seconds      float64        `json:"seconds"`
	Verdict      Verdict        `json:"verdict"`
	Problems     []string       `json:"problems,omitempty"`
	// Interrupted: Options.Context ended before every run had run; the
	// verdict is unknown at best, and the coverage rule is not applied.
	Interrupted bool `json:"interrupted,omitempty"`
}

type target struct {
	name, kind string
	bin        string
	dir        string // working directory ("" = Options.Dir)
	args       []string
	godebug    string
	// goflags is added to the target's GOFLAGS: for tests, the overlay,
	// so that the programs a test builds with the go command (the
	// runtime's own tests build testdata/testprog and run it) run the
	// instrumented runtime too, their records judged as child processes.
	goflags  string
	exitCode int
	fatal    string
}

// Run instruments the runtime, builds the targets with it, runs each under
// every GOMAXPROCS value, and checks the records. Bad input is an
// *InputError.
func Run(opts Options) (_ *Report, err error) {
	start := time.Now()
	modes := 0
	for _, set := range []bool{len(opts.Workloads) > 0, len(opts.Tests) > 0, opts.Exec != ""} {
		if set {
			modes++
		}
	}
	if modes != 1 {
		return nil, inputErrorf("want exactly one of -run, -test and -exec")
	}
	if runtime.GOOS != "linux" {
		return nil, inputErrorf("gexit runtime records through Linux system calls; this is %s", runtime.GOOS)
	}
	for _, p := range opts.Procs {
		if p < 1 {
			return nil, inputErrorf("-procs: %d is not a GOMAXPROCS value", p)
		}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Minute
		if len(opts.Workloads) == 0 {
			opts.Timeout = 10 * time.Minute // go test's default
		}
	}
	if opts.Dir == "" {
		opts.Dir, _ = os.Getwd()
	}
	if opts.Context == nil {
		opts.Context = context.Background()
	}
	ctx := opts.Context
	defer func() {
		if err != nil && ctx.Err() != nil {
			// A build the signal stopped failed: no input error.
			err = ErrInterrupted
		}
	}()
	rep := &Report{Coverage: map[string]int{}, Codes: map[string]int{}, JudgeWired: opts.Judge != nil}

	// Resolve workloads before any build, so a bad name is quick.
	var wls []Workload
	all := false
	for _, name := range opts.Workloads {
		if name == "all" {
			all = true
			continue
		}
		w, ok := LookupWorkload(name)
		if !ok {
			return nil, inputErrorf("unknown workload %q; workloads: %s, all", name, strings.Join(WorkloadNames(), ", "))
		}
		wls = append(wls, w)
	}
	if all {
		for _, w := range Workloads {
			if w.Finding == "" {
				wls = append(wls, w)
			}
		}
	}

	tmp, err := os.MkdirTemp("", "gexit-runtime-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	ov, err := GenerateOverlay(opts.Src, filepath.Join(tmp, "overlay"))
	if err != nil {
		return nil, err
	}
	rep.Src = ov.Src
	bindir := filepath.Join(tmp, "bin")
	if err := os.MkdirAll(bindir, 0o755); err != nil {
		return nil, err
	}
	// The go command's work directories go under tmp too: one it could
	// not remove (interrupted) goes with tmp.
	gotmp := filepath.Join(tmp, "gotmp")
	if err := os.MkdirAll(gotmp, 0o755); err != nil {
		return nil, err
	}
	goBuild := func(dir string, args ...string) ([]byte, error) { return goCmdContext(ctx, gotmp, dir, args...) }

	var targets []target
	procs := opts.Procs
	switch {
	case len(wls) > 0:
		rep.Mode = "workloads"
		rep.CoverageRule = all
		if len(procs) == 0 {
			procs = DefaultProcs
		}
		mod := filepath.Join(tmp, "work")
		var names []string
		for _, w := range wls {
			names = append(names, w.Name)
		}
		if err := writeWorkloadModule(mod, names); err != nil {
			return nil, err
		}
		if out, err := goBuild(mod, "build", "-overlay", ov.JSON, "-o", bindir+string(os.PathSeparator), "./..."); err != nil {
			return nil, inputErrorf("the workloads do not build with the instrumented runtime: %s", oneLine(out, err))
		}
		for _, w := range wls {
			targets = append(targets, target{name: w.Name, kind: "workload", bin: filepath.Join(bindir, w.Name),
				dir: tmp, godebug: w.GODEBUG, exitCode: w.ExitCode, fatal: w.Fatal})
		}
	case len(opts.Tests) > 0:
		rep.Mode = "test"
		pkgs, err := listPackages(opts.Dir, opts.Tests)
		if err != nil {
			return nil, err
		}
		for i, p := range pkgs {
			if !p.hasTests {
				logf(opts.Log, "%s: no test files", p.path)
				continue
			}
			bin := filepath.Join(bindir, fmt.Sprintf("%d.test", i))
			if out, err := goBuild(opts.Dir, "test", "-c", "-overlay", ov.JSON, "-o", bin, p.path); err != nil {
				return nil, inputErrorf("-test %s does not build with the instrumented runtime: %s", p.path, oneLine(out, err))
			}
			targets = append(targets, target{name: p.path, kind: "test", bin: bin, dir: p.dir, args: opts.Args, goflags: goflagsQuote("-overlay=" + ov.JSON)})
		}
		if len(targets) == 0 {
			return nil, inputErrorf("-test %s: no package with test files", strings.Join(opts.Tests, ","))
		}
	default:
		rep.Mode = "exec"
		// Build in DIR itself, so DIR's own module (if any) is used.
		dir := opts.Exec
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(opts.Dir, dir)
		}
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, inputErrorf("-exec %s is not a directory", opts.Exec)
		}
		// go build -o of another package writes its archive, which
		// would then fail to run: a run error, not the input error it is.
		if out, err := goCmd(dir, "list", "-f", "{{.Name}}", "."); err == nil && strings.TrimSpace(string(out)) != "main" {
			return nil, inputErrorf("-exec %s is package %s, not a main package", opts.Exec, strings.TrimSpace(string(out)))
		}
		bin := filepath.Join(bindir, "prog")
		if out, err := goBuild(dir, "build", "-overlay", ov.JSON, "-o", bin, "."); err != nil {
			return nil, inputErrorf("-exec %s does not build with the instrumented runtime: %s", opts.Exec, oneLine(out, err))
		}
		if st, err := os.Stat(bin); err != nil || st.IsDir() {
			return nil, inputErrorf("-exec %s is not a main package", opts.Exec)
		}
		targets = append(targets, target{name: opts.Exec, kind: "exec", bin: bin, args: opts.Args})
	}
	if ctx.Err() != nil {
		return nil, ErrInterrupted // (after the last build)
	}
	rep.BuildSeconds = time.Since(start).Seconds()
	logf(opts.Log, "instrumented runtime (%d files) and %d target(s) built in %.1fs", len(ov.Replaced), len(targets), rep.BuildSeconds)

	if len(procs) == 0 {
		procs = []int{0}
	}
	n := 0
runs:
	for _, t := range targets {
		for _, p := range procs {
			if ctx.Err() != nil {
				break runs // (marked below)
			}
			n++
			if t.kind != "workload" {
				// (A package's tests or a program: minutes, not a second.)
				logf(opts.Log, "%s %s procs=%s: running (timeout %s)", t.kind, t.name, procsString(p), opts.Timeout)
			}
			r := runTarget(t, p, tmp, n, opts)
			rep.Runs = append(rep.Runs, r)
			rep.Records += r.Records
			for k, v := range r.Coverage {
				if strings.Contains(k, "/") {
					rep.Codes[k] += v
				} else {
					rep.Coverage[k] += v
				}
			}
			rep.Verdict = worse(rep.Verdict, r.Verdict)
			logf(opts.Log, "%s %s procs=%s: %s, %d records, %.2fs%s", r.Target, r.Name, procsString(p), r.Verdict, r.Records, r.Seconds, firstProblem(r.Problems))
		}
	}
	if rep.Verdict == "" {
		rep.Verdict = OK
	}
	for _, info := range Kinds() {
		if rep.Coverage[info.Name] > 0 {
			continue
		}
		if info.Optional != "" {
			rep.Optional = append(rep.Optional, info.Name)
		} else {
			rep.NeverFired = append(rep.NeverFired, info.Name)
		}
	}
	for _, c := range requiredCodes() {
		if rep.Codes[c] == 0 {
			rep.NeverFired = append(rep.NeverFired, c)
		}
	}
	if ctx.Err() != nil {
		rep.Interrupted = true
		rep.Verdict = worse(rep.Verdict, Unknown)
	}
	if rep.CoverageRule && len(rep.NeverFired) > 0 && !rep.Interrupted {
		rep.Verdict = Violation
		rep.Problems = append(rep.Problems, "probes that never fired: "+strings.Join(rep.NeverFired, ", "))
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

func procsString(p int) string {
	if p == 0 {
		return "env"
	}
	return strconv.Itoa(p)
}

func firstProblem(ps []string) string {
	if len(ps) == 0 {
		return ""
	}
	return ": " + ps[0]
}

func logf(w io.Writer, format string, a ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", a...)
	}
}

// goCmd runs the go command in dir and returns its combined output.
func goCmd(dir string, args ...string) ([]byte, error) {
	return goCmdContext(context.Background(), "", dir, args...)
}

// goCmdContext is goCmd with its work directories in gotmp (GOTMPDIR;
// "": the default), stopped when ctx ends: interrupted first, as Ctrl-C
// would, and killed if it has not exited 5 s later. Killed, it leaves
// its work directory behind, which Run's temporary directory, gotmp's
// parent, takes with it.
func goCmdContext(ctx context.Context, gotmp, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	if gotmp != "" {
		cmd.Env = append(os.Environ(), "GOTMPDIR="+gotmp)
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	return cmd.CombinedOutput()
}

// ErrInterrupted is Run's error when its Context ended before any run.
var ErrInterrupted = errors.New("interrupted before any run: nothing was checked")

// oneLine flattens a command's output into one line for an error message.
func oneLine(out []byte, err error) string {
	s := strings.Join(strings.Fields(strings.ReplaceAll(string(out), "\n", " | ")), " ")
	s = strings.Trim(s, " |")
	if s == "" {
		return err.Error()
	}
	const max = 2000
	if len(s) > max {
		s = s[:max] + " ..."
	}
	return s
}

type pkgInfo struct {
	path, dir string
	hasTests  bool
}

func listPackages(dir string, patterns []string) ([]pkgInfo, error) {
	args := append([]string{"list", "-e", "-f", "{{.ImportPath}}\t{{.Dir}}\t{{len .TestGoFiles}}\t{{len .XTestGoFiles}}\t{{if .Error}}{{.Error}}{{end}}"}, patterns...)
	out, err := goCmd(dir, args...)
	if err != nil {
		return nil, inputErrorf("-test %s: %s", strings.Join(patterns, ","), oneLine(out, err))
	}
	var pkgs []pkgInfo
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		f := strings.SplitN(line, "\t", 5)
		if len(f) < 5 {
			return nil, fmt.Errorf("rtcheck: unexpected go list output %q", line)
		}
		if f[4] != "" {
			return nil, inputErrorf("-test %s does not build: %s", f[0], f[4])
		}
		pkgs = append(pkgs, pkgInfo{path: f[0], dir: f[1], hasTests: f[2] != "0" || f[3] != "0"})
	}
	if len(pkgs) == 0 {
		return nil, inputErrorf("-test %s: no packages", strings.Join(patterns, ","))
	}
	return pkgs, nil
}

// runTarget runs t once under GOMAXPROCS=procs (0: unchanged) and checks
// its records.
func runTarget(t target, procs int, tmp string, n int, opts Options) *RunResult {
	r := &RunResult{Name: t.name, Target: t.kind, Procs: procs, Coverage: map[string]int{}, Verdict: OK}
	recdir := filepath.Join(tmp, fmt.Sprintf("rec-%d", n))
	if err := os.MkdirAll(recdir, 0o755); err != nil {
		r.Verdict, r.Problems = Unknown, []string{err.Error()}
		return r
	}
	defer os.RemoveAll(recdir)

	env := []string{"GEXIT_RECORDS=" + recdir}
	if procs > 0 {
		env = append(env, "GOMAXPROCS="+strconv.Itoa(procs))
	}
	if opts.Scale > 1 {
		env = append(env, "GEXIT_SCALE="+strconv.Itoa(opts.Scale))
	}
	if n := opts.maxRecords(); n > 0 {
		env = append(env, "GEXIT_MAX_RECORDS="+strconv.FormatUint(n, 10))
	}
	godebug := t.godebug
	if g := os.Getenv("GODEBUG"); g != "" {
		godebug = strings.Trim(g+","+godebug, ",")
	}
	if godebug != "" {
		env = append(env, "GODEBUG="+godebug)
	}
	if t.goflags != "" {
		env = append(env, "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" "+t.goflags))
	}
	ctx, cancel := context.WithTimeout(opts.Context, opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, t.bin, t.args...)
	cmd.Dir = t.dir
	if cmd.Dir == "" {
		cmd.Dir = opts.Dir
	}
	cmd.Env = mergeEnv(os.Environ(), env)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// On timeout SIGQUIT the process group (goroutine dumps in the
	// output), then kill it.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGQUIT) }
	cmd.WaitDelay = 10 * time.Second
	var out limitedBuffer
	out.max = 8 << 20
	cmd.Stdout, cmd.Stderr = &out, &out
	begin := time.Now()
	err := cmd.Run()
	r.Seconds = time.Since(begin).Seconds()
	r.Output = out.Bytes()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.ExitCode = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.ExitCode = 128 + int(ws.Signal())
		}
	default:
		r.ExitCode = -1
	}
	if opts.Context.Err() != nil {
		r.Verdict = Unknown
		r.Problems = append(r.Problems, "interrupted: stopped by a signal before it ended (unknown)")
	} else if ctx.Err() != nil {
		r.TimedOut = true
		r.Verdict = Unknown
		r.Problems = append(r.Problems, fmt.Sprintf("timed out after %s (a hang, or too slow: unknown)", opts.Timeout))
	} else if err != nil && r.ExitCode == -1 {
		r.Verdict = Unknown
		r.Problems = append(r.Problems, "could not run: "+err.Error())
	} else {
		if r.ExitCode != t.exitCode {
			r.Verdict = Violation
			msg := fmt.Sprintf("exit status %d, want %d", r.ExitCode, t.exitCode)
			if line := fatalLine(r.Output); line != "" {
				msg += ": " + line
			} else if t.kind == "test" && bytes.Contains(r.Output, []byte("FAIL")) {
				msg += ": tests failed"
			}
			r.Problems = append(r.Problems, msg)
		} else if t.fatal != "" && !bytes.Contains(r.Output, []byte(t.fatal)) {
			r.Verdict = Violation
			r.Problems = append(r.Problems, fmt.Sprintf("the output lacks the expected fatal error %q", t.fatal))
		}
	}

	mainPid := 0
	if cmd.Process != nil {
		mainPid = cmd.Process.Pid
	}
	r.Verdict = worse(r.Verdict, collect(r, recdir, mainPid, opts))
	if r.Verdict != OK && opts.Out != "" {
		if dir, err := writeBundle(opts.Out, r, recdir); err != nil {
			r.Problems = append(r.Problems, "bundle: "+err.Error())
		} else {
			r.Bundle = dir
		}
	}
	return r
}

// collect decodes and checks every record file of a run; it returns the
// verdict the records give.
func collect(r *RunResult, recdir string, mainPid int, opts Options) Verdict {
	v := OK
	files, _ := filepath.Glob(filepath.Join(recdir, "*.gexit"))
	sort.Strings(files)
	sawMain := false
	big := false
	for _, path := range files {
		if big {
			// The last file's records and its judges' state are
			// garbage now; the heap's goal, set while they were live,
			// would let the next files' garbage pile up to twice that
			// before a collection (a run of the runtime's own tests,
			// 40M records in its main process, reached 24 GB).
			debug.FreeOSMemory()
		}
		pid, _ := strconv.Atoi(strings.TrimSuffix(filepath.Base(path), ".gexit"))
		p := &Process{Pid: pid, Main: pid == mainPid, Path: path}
		r.Processes = append(r.Processes, p)
		sawMain = sawMain || p.Main
		f, err := ReadFile(path)
		if err != nil {
			p.Problems = append(p.Problems, err.Error())
			v = worse(v, Unknown)
			continue
		}
		// Kept only when asked: otherwise each process's records are
		// garbage once judged (a run of the runtime's own tests writes
		// hundreds of files, tens of millions of records).
		if opts.KeepRecords {
			p.File = f
		}
		big = len(f.Records) >= 1<<20 && !opts.KeepRecords
		p.Records = len(f.Records)
		p.Unsettled = len(f.Records) - f.Settled
		p.Trailer = f.Trailer != nil
		p.Lost = f.Lost()
		p.Outside = f.Outside()
		r.Records += p.Records
		for _, rec := range f.Records {
			r.Coverage[rec.Kind.String()]++
			if c := rec.Code(); c != "" {
				r.Coverage[rec.Kind.String()+"/"+c]++
			}
		}
		if c := f.Capped(); c > 0 {
			// The history ends at the cap: the rest is unknown.
			p.Problems = append(p.Problems, fmt.Sprintf("the record file reached its cap of %d records (-max-memory %s / %d bytes a record judged): %d records after it not written; unknown, records not checked",
				opts.maxRecords(), sysmem.Format(opts.maxMemory()), JudgeBytesPerRecord, c))
			v = worse(v, Unknown)
			continue
		}
		if p.Lost > 0 {
			// The history has gaps: checking it would only report them.
			p.Problems = append(p.Problems, fmt.Sprintf("%d records could not be kept (ring full or a failed write): unknown, records not checked", p.Lost))
			v = worse(v, Unknown)
			continue
		}
		if p.Main && f.Trailer == nil && !r.TimedOut && r.ExitCode >= 0 && r.ExitCode < 128 {
			// Every exit but a signal's runs the final drain: main's
			// return and os.Exit (runExitHooks), and fatal errors.
			p.Problems = append(p.Problems, fmt.Sprintf("the process exited %d without its final drain: the end of its history is unknown", r.ExitCode))
			v = worse(v, Unknown)
		}
		if t := f.Trailer; t != nil && uint64(f.Settled) < t.Before {
			// Records reserved after the final drain began may be
			// missing (the history ends there); one before it was
			// never written, and what follows it is not judged.
			p.Problems = append(p.Problems, fmt.Sprintf("record %d, reserved before the final drain, was never written (its writer stalled past the drain's wait): the %d records after it are not checked; unknown",
				f.Settled, len(f.Records)-f.Settled))
			v = worse(v, Unknown)
		}
		if probs := Consistency(f); len(probs) > 0 {
			p.Problems = append(p.Problems, probs...)
			v = worse(v, Violation)
			if r.RecordsViolation == "" {
				r.RecordsViolation = fmt.Sprintf("pid %d: %s", p.Pid, probs[0])
			}
			continue
		}
		if opts.Judge != nil {
			j := opts.Judge(f)
			p.Problems = append(p.Problems, j.Problems...)
			v = worse(v, j.Verdict)
			if j.Verdict == Violation && len(j.Problems) > 0 && r.RecordsViolation == "" {
				r.RecordsViolation = fmt.Sprintf("pid %d: %s", p.Pid, j.Problems[0])
			}
		}
	}
	if big {
		debug.FreeOSMemory() // before the next run
	}
	if !sawMain && r.ExitCode != -1 && !r.TimedOut {
		// Whatever its exit status: a workload that expects a fatal
		// error exits 2, and must still have been recorded.
		r.Problems = append(r.Problems, "no record file from the process (GEXIT_RECORDS not honoured?): unknown")
		v = worse(v, Unknown)
	}
	for _, p := range r.Processes {
		for _, s := range p.Problems {
			r.Problems = append(r.Problems, fmt.Sprintf("pid %d: %s", p.Pid, s))
		}
	}
	return v
}

// fatalLine finds the runtime's "fatal error:" or "panic:" line.
func fatalLine(out []byte) string {
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "fatal error:") || strings.HasPrefix(line, "panic:") || strings.HasPrefix(line, "runtime: ") {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

func mergeEnv(base, over []string) []string {
	keys := map[string]bool{}
	for _, kv := range over {
		k, _, _ := strings.Cut(kv, "=")
		keys[k] = true
	}
	var out []string
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !keys[k] {
			out = append(out, kv)
		}
	}
	return append(out, over...)
}

// limitedBuffer keeps the first max bytes of a process's output.
type limitedBuffer struct {
	bytes.Buffer
	max       int
	truncated bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room < len(p) {
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		if !b.truncated {
			b.truncated = true
			b.Buffer.WriteString("\n[gexit: output truncated]\n")
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// writeBundle saves a run that is not ok: its output, its record files and
// a report.txt, into a new directory under out.
func writeBundle(out string, r *RunResult, recdir string) (string, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(out, ".gexit-bundle-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := os.WriteFile(filepath.Join(tmp, "output.txt"), r.Output, 0o644); err != nil {
		return "", err
	}
	for _, p := range r.Processes {
		if err := moveFile(p.Path, filepath.Join(tmp, filepath.Base(p.Path))); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, "report.txt"), []byte(r.Text()), 0o644); err != nil {
		return "", err
	}
	safe := strings.Map(func(c rune) rune {
		if c == '/' || c == '\\' || c == ' ' {
			return '_'
		}
		return c
	}, r.Name)
	final := filepath.Join(out, fmt.Sprintf("runtime-%s-%s-procs%s-%s", r.Verdict, safe, procsString(r.Procs), time.Now().Format("20060102-150405.000")))
	if err := os.Rename(tmp, final); err != nil {
		return "", err
	}
	return final, nil
}

// goflagsQuote quotes a flag for $GOFLAGS, which the go command splits
// at spaces but for quoted fields ($TMPDIR may hold a space).
func goflagsQuote(f string) string {
	switch {
	case !strings.ContainsAny(f, " \t\n'\""):
		return f
	case !strings.Contains(f, "'"):
		return "'" + f + "'"
	}
	return `"` + f + `"`
}

// moveFile moves a record file into a bundle: renamed when both are on
// one file system (the run's record directory is removed after it, and
// a file can be gigabytes), else copied in a stream.
func moveFile(src, dst string) error {
	if os.Rename(src, dst) == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Text is a run's report.
func (r *RunResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "verdict: %s\n%s %s, GOMAXPROCS %s, exit status %d, %.2fs, %d records\n",
		r.Verdict, r.Target, r.Name, procsString(r.Procs), r.ExitCode, r.Seconds, r.Records)
	for _, p := range r.Processes {
		role := "child"
		if p.Main {
			role = "main"
		}
		fmt.Fprintf(&b, "  pid %d (%s): %d records (%d unsettled), trailer %v, lost %d\n", p.Pid, role, p.Records, p.Unsettled, p.Trailer, p.Lost)
		if p.Outside > 0 {
			fmt.Fprintf(&b, "  pid %d: %d probe calls on Ps made by new(p), not the scheduler's (the runtime's own run-queue tests): not recorded\n", p.Pid, p.Outside)
		}
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "problem: %s\n", p)
	}
	if r.Bundle != "" {
		fmt.Fprintf(&b, "bundle: %s\n", r.Bundle)
	}
	return b.String()
}

// Text is the whole report: one line per run, coverage, the verdict.
func (rep *Report) Text(verbose bool) string {
	var b strings.Builder
	for _, r := range rep.Runs {
		fmt.Fprintf(&b, "%-8s %-30s procs=%-3s %-9s %8d records %6.2fs\n", r.Target, r.Name, procsString(r.Procs), r.Verdict, r.Records, r.Seconds)
		if verbose || r.Verdict != OK {
			for i, p := range r.Problems {
				if i == 10 && !verbose {
					fmt.Fprintf(&b, "    ... %d more\n", len(r.Problems)-10)
					break
				}
				fmt.Fprintf(&b, "    %s\n", p)
			}
			if r.Bundle != "" {
				fmt.Fprintf(&b, "    bundle: %s\n", r.Bundle)
			}
		}
	}
	fmt.Fprintf(&b, "probes (records over all runs):\n")
	for _, info := range Kinds() {
		fmt.Fprintf(&b, "  %-26s %9d", info.Name, rep.Coverage[info.Name])
		if verbose && info.Codes != nil {
			var codes []string
			for _, c := range sortedCodes(info.Codes) {
				name := info.Codes[c]
				if n := rep.Codes[info.Name+"/"+name]; n > 0 {
					codes = append(codes, fmt.Sprintf("%s=%d", name, n))
				}
			}
			fmt.Fprintf(&b, "  %s", strings.Join(codes, " "))
		}
		if rep.Coverage[info.Name] == 0 && info.Optional != "" {
			fmt.Fprintf(&b, "  (optional: %s)", info.Optional)
		}
		b.WriteByte('\n')
	}
	if len(rep.NeverFired) > 0 {
		fmt.Fprintf(&b, "never fired: %s\n", strings.Join(rep.NeverFired, ", "))
	}
	fmt.Fprintf(&b, "%d runs, %d records, build %.1fs, total %.1fs\n", len(rep.Runs), rep.Records, rep.BuildSeconds, rep.Seconds)
	var outside uint64
	for _, r := range rep.Runs {
		for _, p := range r.Processes {
			outside += p.Outside
		}
	}
	if outside > 0 {
		fmt.Fprintf(&b, "not recorded: %d probe calls on Ps made by new(p), not the scheduler's (the runtime's own run-queue tests drive such Ps)\n", outside)
	}
	if !rep.JudgeWired {
		fmt.Fprintf(&b, "judged: record consistency only (no judge)\n")
	} else {
		fmt.Fprintf(&b, "judged: record consistency (every exit reaching gfput among it), then the free lists and the idle P list replayed through the spec, the locked exits' threads held to mexit, and the run queues checked against it (linearizability)\n")
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(&b, "problem: %s\n", p)
	}
	if rep.Interrupted {
		fmt.Fprintf(&b, "interrupted: stopped by a signal; the runs above are all that ran (no coverage rule)\n")
	}
	fmt.Fprintf(&b, "verdict: %s\n", rep.Verdict)
	return b.String()
}

func sortedCodes(m map[int32]string) []int32 {
	var out []int32
	for c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
