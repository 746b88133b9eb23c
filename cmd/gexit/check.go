package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/gexit-dev/gexit/checker"
	"github.com/gexit-dev/gexit/impl"
	"pgregory.net/rapid"
)

func init() {
	register(&command{name: "check", summary: "run a seeded campaign of generated cases against the implementation", run: runCheck})
}

// batchSize is the number of cases one rapid run draws.
const batchSize = 25

// checkModes are the run modes a campaign draws from.
var checkModes = []string{"deterministic", "atomic", "free"}

const checkHelp = `Usage: gexit check [flags]

Runs a campaign of generated cases: each case is a runtime configuration
(constants preset, Ps, Ms), a workload (the modelled goroutines' programs,
a controller script, sysmon) and a schedule, drawn by rapid from a seed. A
case runs on the implementation in one of three modes: deterministic (a
drawn schedule picks the actor at every scheduling point, inside ops too),
atomic (deterministic, no scheduling point inside an op, the abstraction
compared with the spec after every op) or free (every M a goroutine,
really parallel). Each run is judged by the spec: harness checks, the
sequential differential (atomic), the invariants on the final state, and
linearizability of the recorded history ending in the final state.

Cases run in batches of 25. Batch b of shard i of n draws from the rapid
seed mix(seed, b*n+i) (splitmix64), so a campaign is reproducible from
-seed and -shard, and n shards run disjoint seeds. The campaign stops at
-cases cases, after -duration, at the first violation, or at Ctrl-C (after
the current case; what ran is reported).

On a violation the counterexample, shrunk by rapid, is written atomically
as a bundle directory -out/violation-<seed>-<k> (case.json, history.json,
report.txt, report.json, linearization.html for linearizability failures);
"gexit replay DIR" re-runs it.

Exit codes: 0 every case passed; 1 a violation (bundle written); 2 bad
flags; 3 unknown: some verdict was unknown (the linearizability check or
the run ran out of its budget) and none was illegal, or the campaign was
interrupted before its budget was spent.

Flags:
`

type shardSpec struct{ i, n int }

func parseShard(s string) (shardSpec, error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return shardSpec{}, fmt.Errorf("want i/n, have %q", s)
	}
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return shardSpec{}, fmt.Errorf("want i/n with 0 <= i < n, have %q", s)
	}
	return shardSpec{i, n}, nil
}

// mix is splitmix64 of seed and k: the batch seeds.
func mix(seed, k uint64) uint64 {
	z := seed + (k+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	if z == 0 {
		z = 1 // rapid reads seed 0 as "random"
	}
	return z
}

// faultList is a repeatable, comma-separated -fault flag.
type faultList []string

func (f *faultList) String() string { return strings.Join(*f, ",") }
func (f *faultList) Set(s string) error {
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if err := impl.CheckFault(name); err != nil {
			return errors.New(strings.TrimPrefix(err.Error(), "impl: "))
		}
		*f = append(*f, name)
	}
	return nil
}

// campaign is the state of a running check, shared with the progress
// printer.
type campaign struct {
	mu                   sync.Mutex
	cases, ops           int
	ok, illegal, unknown int
	coverage             *checker.Coverage
	firstUnknown         *checker.Outcome
	start                time.Time
}

func (c *campaign) snapshot() (cases, ops, ok, ill, unk int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cases, c.ops, c.ok, c.illegal, c.unknown
}

// failure is the last failing run of a batch: rapid's final replay of the
// shrunk case.
type failure struct {
	out   *checker.Outcome
	res   *impl.Result
	log   string
	batch int
	rseed uint64
}

type checkFlags struct {
	cases       int
	duration    time.Duration
	seed        uint64
	ps, ms      int
	faults      faultList
	out         string
	json        bool
	verbose     bool
	shard       shardSpec
	budget      time.Duration
	shrink      time.Duration
	casesSet    bool
	durationSet bool
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	var f checkFlags
	fs.IntVar(&f.cases, "cases", 0, "stop after `N` cases (0: run for -duration)")
	fs.DurationVar(&f.duration, "duration", time.Minute, "stop after this long (when -cases is also set, whichever comes first)")
	fs.Uint64Var(&f.seed, "seed", 1, "campaign seed: the same seed, shard and bounds give the same cases")
	fs.IntVar(&f.ps, "ps", 3, "draw the number of Ps (GOMAXPROCS at start) of each case from [1, `N`], N in [1, 8]")
	fs.IntVar(&f.ms, "ms", 4, "draw the number of Ms of each case from [1, `N`], N in [1, 8]")
	fs.Var(&f.faults, "fault", "switch on the impl fault `NAME` (repeatable or comma-separated; see gexit faults)")
	fs.StringVar(&f.out, "out", "gexit-out", "`dir`ectory for violation bundles")
	fs.BoolVar(&f.json, "json", false, "print one JSON summary object instead of text (no progress)")
	fs.BoolVar(&f.verbose, "v", false, "also print coverage and the first unknown case")
	shard := fs.String("shard", "0/1", "run shard `i/n` of the seed space (0 <= i < n)")
	fs.DurationVar(&f.budget, "budget", 2*time.Second, "time budget of one case's linearizability check (out of it: unknown)")
	fs.DurationVar(&f.shrink, "shrink", 30*time.Second, "time budget for shrinking a counterexample")
	fs.Usage = func() {
		fmt.Fprint(stderr, checkHelp)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, "check", args, stderr); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "gexit check: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "cases":
			f.casesSet = true
		case "duration":
			f.durationSet = true
		}
	})
	var err error
	if f.shard, err = parseShard(*shard); err != nil {
		fmt.Fprintf(stderr, "gexit check: -shard: %v\n", err)
		return exitUsage
	}
	switch {
	case f.casesSet && f.cases < 1:
		fmt.Fprintf(stderr, "gexit check: -cases must be >= 1, have %d\n", f.cases)
		return exitUsage
	case f.duration <= 0:
		fmt.Fprintf(stderr, "gexit check: -duration must be positive, have %v\n", f.duration)
		return exitUsage
	case f.ps < 1 || f.ps > 8:
		fmt.Fprintf(stderr, "gexit check: -ps must be in [1, 8], have %d\n", f.ps)
		return exitUsage
	case f.ms < 1 || f.ms > 8:
		fmt.Fprintf(stderr, "gexit check: -ms must be in [1, 8], have %d\n", f.ms)
		return exitUsage
	case f.budget <= 0:
		fmt.Fprintf(stderr, "gexit check: -budget must be positive, have %v\n", f.budget)
		return exitUsage
	case f.shrink < 0:
		fmt.Fprintf(stderr, "gexit check: -shrink must not be negative, have %v\n", f.shrink)
		return exitUsage
	case f.out == "":
		fmt.Fprintf(stderr, "gexit check: -out must not be empty\n")
		return exitUsage
	}
	if fi, err := os.Stat(f.out); err == nil && !fi.IsDir() {
		fmt.Fprintf(stderr, "gexit check: -out: %s is not a directory\n", f.out)
		return exitUsage
	}
	if f.casesSet && !f.durationSet {
		f.duration = 0 // -cases alone: no time bound
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return checkCampaign(ctx, &f, stdout, stderr)
}

// drawCase draws a case within the -ps and -ms bounds: DrawCase draws Ps
// in [1, 3]; a different bound redraws it (and clamps procresize, which
// cannot grow beyond the Ps a run starts with).
func drawCase(t *rapid.T, f *checkFlags) checker.Case {
	c := checker.DrawCase(t, checker.DrawOptions{Modes: checkModes, MinMs: 1, MaxMs: f.ms, Faults: f.faults})
	if f.ps != 3 {
		c.Ps = rapid.IntRange(1, f.ps).Draw(t, "ps.bound")
		for i := range c.Workload.Controller {
			st := &c.Workload.Controller[i]
			if st.Kind == impl.CtlProcResize && st.Arg > c.Ps {
				st.Arg = c.Ps
			}
		}
		c.Text = c.Workload.String()
	}
	return c
}

func checkCampaign(ctx context.Context, f *checkFlags, stdout, stderr io.Writer) int {
	cp := &campaign{coverage: checker.NewCoverage(), start: time.Now()}
	var deadline time.Time
	if f.duration > 0 {
		deadline = cp.start.Add(f.duration)
	}
	stopped := func() bool {
		if ctx.Err() != nil {
			return true
		}
		if !deadline.IsZero() && time.Now().After(deadline) {
			return true
		}
		if f.casesSet {
			cp.mu.Lock()
			defer cp.mu.Unlock()
			return cp.cases >= f.cases
		}
		return false
	}
	progressDone := startProgress(f, cp, deadline, stderr)

	var fail *failure
	var harnessErr string
	batches := 0
	for b := 0; !stopped(); b++ {
		rseed := mix(f.seed, uint64(b)*uint64(f.shard.n)+uint64(f.shard.i))
		var (
			failing bool
			last    *failure
		)
		prop := func(t *rapid.T) {
			if !failing && stopped() {
				return // the budget is spent: the rest of the batch passes without running
			}
			c := drawCase(t, f)
			cfg, err := c.ImplConfig()
			if err != nil {
				t.Fatalf("config: %v", err)
			}
			res, err := impl.Run(cfg, c.Workload)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			out, err := checker.Judge(context.Background(), c, res, f.budget)
			if err != nil {
				t.Fatalf("judge: %v", err)
			}
			if !failing {
				cp.mu.Lock()
				cp.cases++
				cp.ops += out.Ops()
				cp.coverage.Merge(out.Coverage)
				switch out.Verdict {
				case checker.Ok:
					cp.ok++
				case checker.Illegal:
					cp.illegal++
				case checker.Unknown:
					cp.unknown++
					if cp.firstUnknown == nil {
						cp.firstUnknown = out
					}
				}
				cp.mu.Unlock()
			}
			if out.Verdict == checker.Illegal {
				failing = true // later runs are rapid's shrinking, not new cases
				last = &failure{out: out, res: res, batch: b, rseed: rseed}
				t.Fatalf("%s", checker.TextReport(out))
			}
		}
		failed, log := checker.RapidRun(fmt.Sprintf("check/%d", b), batchSize, rseed, f.shrink, prop)
		batches++
		if failed && last != nil {
			last.log = log
			fail = last
			break
		}
		if failed {
			// The property failed without a verdict: the harness itself
			// broke (a panic in the implementation run, say).
			harnessErr = log
			break
		}
	}
	close(progressDone.stop)
	<-progressDone.done

	interrupted := ctx.Err() != nil
	elapsed := time.Since(cp.start)
	cases, ops, okN, ill, unk := cp.snapshot()
	var bundle string
	var bundleErr error
	if fail != nil {
		bundle, bundleErr = writeBundle(f, fail, cases)
	}
	code := exitOK
	switch {
	case fail != nil || ill > 0 || harnessErr != "":
		code = exitViolation
	case unk > 0 || (interrupted && (!f.casesSet || cases < f.cases)):
		code = exitUnknown
	}
	counts := cp.coverage.Counts()
	never := checker.NeverReached(counts)
	if f.json {
		var bp any
		if bundle != "" {
			bp = bundle
		}
		out := map[string]any{
			"cases": cases, "ops": ops, "ok": okN, "illegal": ill, "unknown": unk,
			"seconds": elapsed.Seconds(), "seed": f.seed, "shard": fmt.Sprintf("%d/%d", f.shard.i, f.shard.n),
			"batches": batches, "bundle": bp, "verdict": verdictName(code), "interrupted": interrupted,
			"faults": append([]string{}, f.faults...), "coverage": counts, "neverReached": append([]string{}, never...),
		}
		if fail != nil {
			out["kind"], out["name"], out["detail"] = fail.out.Kind, fail.out.Name, fail.out.Detail
		}
		if bundleErr != nil {
			out["bundleError"] = bundleErr.Error()
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "gexit check: %v\n", err)
		}
	} else {
		rate := float64(cases) / max(elapsed.Seconds(), 1e-9)
		fmt.Fprintf(stdout, "checked %d cases (%d ops) in %.1fs, %.1f cases/s: %d ok, %d illegal, %d unknown (seed %d, shard %d/%d)\n",
			cases, ops, elapsed.Seconds(), rate, okN, ill, unk, f.seed, f.shard.i, f.shard.n)
		if interrupted {
			fmt.Fprintln(stdout, "interrupted: stopped before the campaign's budget was spent")
		}
		if f.verbose {
			keys := make([]string, 0, len(counts))
			for k := range counts {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			fmt.Fprintln(stdout, "coverage (transitions per op and branch):")
			for _, k := range keys {
				fmt.Fprintf(stdout, "  %-32s %d\n", k, counts[k])
			}
			if cp.firstUnknown != nil {
				fmt.Fprintf(stdout, "first unknown case:\n%s", checker.TextReport(cp.firstUnknown))
			}
		}
		if len(never) > 0 {
			fmt.Fprintf(stdout, "never reached: %s\n", strings.Join(never, ", "))
		}
		if fail != nil {
			fmt.Fprintf(stdout, "\nVIOLATION (shrunk by rapid):\n%s", reportText(f, fail, bundle, cases))
			if bundle != "" {
				fmt.Fprintf(stdout, "bundle: %s\n", bundle)
			}
		}
		fmt.Fprintf(stdout, "verdict: %s\n", verdictName(code))
	}
	if bundleErr != nil {
		fmt.Fprintf(stderr, "gexit check: writing the bundle: %v\n", bundleErr)
	}
	if harnessErr != "" {
		fmt.Fprintf(stderr, "gexit check: the property failed without a verdict (the harness broke):\n%s\n", harnessErr)
	}
	return code
}

type progressHandle struct{ stop, done chan struct{} }

// isTerminal reports whether w is a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// startProgress prints a live \r-updated line on a terminal, a plain line
// every 5s otherwise, and nothing with -json.
func startProgress(f *checkFlags, cp *campaign, deadline time.Time, w io.Writer) progressHandle {
	h := progressHandle{stop: make(chan struct{}), done: make(chan struct{})}
	if f.json {
		close(h.done)
		return h
	}
	tty := isTerminal(w)
	every := 5 * time.Second
	if tty {
		every = 250 * time.Millisecond
	}
	line := func() string {
		cases, ops, ok, ill, unk := cp.snapshot()
		el := time.Since(cp.start)
		rate := float64(cases) / max(el.Seconds(), 1e-9)
		rem := "?"
		switch {
		case !deadline.IsZero() && (!f.casesSet || rate == 0):
			rem = time.Until(deadline).Round(time.Second).String()
		case f.casesSet && rate > 0:
			r := time.Duration(float64(f.cases-cases) / rate * float64(time.Second))
			if !deadline.IsZero() {
				r = min(r, time.Until(deadline))
			}
			rem = max(r, 0).Round(time.Second).String()
		}
		return fmt.Sprintf("check: %d cases, %.1f cases/s, %d ops, ok %d, illegal %d, unknown %d, elapsed %s, remaining %s",
			cases, rate, ops, ok, ill, unk, el.Round(time.Second), rem)
	}
	go func() {
		defer close(h.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				if tty {
					fmt.Fprintf(w, "\r%s\033[K\n", line())
				}
				return
			case <-t.C:
				if tty {
					fmt.Fprintf(w, "\r%s\033[K", line())
				} else {
					fmt.Fprintln(w, line())
				}
			}
		}
	}()
	return h
}

// reproduceArgs is the check command line that re-runs the campaign up to
// the failing batch.
func reproduceArgs(f *checkFlags, cases int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "gexit check -seed %d -shard %d/%d -ps %d -ms %d", f.seed, f.shard.i, f.shard.n, f.ps, f.ms)
	for _, name := range f.faults {
		fmt.Fprintf(&b, " -fault %s", name)
	}
	fmt.Fprintf(&b, " -cases %d", cases+batchSize)
	return b.String()
}

func reportText(f *checkFlags, fail *failure, bundle string, cases int) string {
	var b strings.Builder
	b.WriteString(checker.TextReport(fail.out))
	fmt.Fprintf(&b, "\nfound in batch %d (rapid seed %d) of seed %d, shard %d/%d\n", fail.batch, fail.rseed, f.seed, f.shard.i, f.shard.n)
	b.WriteString("\nreproduce:\n")
	if bundle != "" {
		fmt.Fprintf(&b, "  gexit replay %s\n", bundle)
		fmt.Fprintf(&b, "  gexit replay %s\n", filepath.Join(bundle, checker.HistoryFile))
	}
	fmt.Fprintf(&b, "  %s\n", reproduceArgs(f, cases))
	fmt.Fprintf(&b, "  go test -run TestLinearizable -rapid.seed=%d .   (hint: the property tests draw with other options)\n", fail.rseed)
	return b.String()
}

// writeBundle writes the counterexample atomically: every file goes into
// a temporary directory next to -out, which is then renamed to
// -out/violation-<seed>-<k>. On error nothing is left in -out.
func writeBundle(f *checkFlags, fail *failure, cases int) (string, error) {
	out, err := filepath.Abs(f.out)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".gexit-bundle-*")
	if err != nil {
		// -out's parent is not writable: a hidden temporary in -out.
		if tmp, err = os.MkdirTemp(out, ".tmp-*"); err != nil {
			return "", err
		}
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	var final string
	for k := 1; ; k++ {
		final = filepath.Join(out, fmt.Sprintf("violation-%d-%d", f.seed, k))
		if _, err := os.Lstat(final); errors.Is(err, os.ErrNotExist) {
			break
		}
		if k > 100000 {
			return "", fmt.Errorf("%s: too many bundles", out)
		}
	}
	// The report names the final directory.
	rel := final
	if r, err := filepath.Rel(".", final); err == nil && !strings.HasPrefix(r, "..") {
		rel = r
	}
	o := fail.out
	write := func(name string, data []byte) error {
		return os.WriteFile(filepath.Join(tmp, name), data, 0o644)
	}
	caseJSON, err := checker.MarshalCase(o)
	if err != nil {
		return "", err
	}
	var snap *impl.Snapshot
	throw := ""
	if fail.res != nil {
		snap, throw = &fail.res.Snapshot, fail.res.Throw
	}
	histJSON, err := checker.MarshalHistory(checker.HistoryOf(o, snap, throw))
	if err != nil {
		return "", err
	}
	text := reportText(f, fail, rel, cases) + "\nrapid log (labelled draws of the shrunk case):\n" + fail.log + "\n"
	report := map[string]any{
		"version": checker.BundleVersion, "verdict": o.Verdict.String(), "kind": o.Kind, "name": o.Name,
		"detail": o.Detail, "at": o.At, "ops": o.Ops(), "case": o.Case, "seed": f.seed,
		"shard": fmt.Sprintf("%d/%d", f.shard.i, f.shard.n), "batch": fail.batch, "rapidSeed": fail.rseed,
		"switches":  checker.Switches(o.History),
		"reproduce": []string{"gexit replay " + rel, reproduceArgs(f, cases)},
	}
	if o.Final != nil {
		report["final"] = o.Final.Dump()
	}
	reportJSON, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		return "", err
	}
	for _, file := range []struct {
		name string
		data []byte
	}{{checker.CaseFile, caseJSON}, {checker.HistoryFile, histJSON}, {"report.txt", []byte(text)}, {"report.json", reportJSON}} {
		if err := write(file.name, file.data); err != nil {
			return "", err
		}
	}
	if o.Kind == "linearizability" && o.Info != nil {
		checker.Annotate(o)
		hf, err := os.Create(filepath.Join(tmp, "linearization.html"))
		if err != nil {
			return "", err
		}
		verr := porcupine.Visualize(o.Model, *o.Info, hf)
		if cerr := hf.Close(); verr == nil {
			verr = cerr
		}
		if verr != nil {
			return "", fmt.Errorf("linearization.html: %v", verr)
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", err
	}
	ok = true
	return rel, nil
}
