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
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gexit-dev/gexit/checker"
	"github.com/gexit-dev/gexit/impl"
)

func init() {
	register(&command{name: "check", summary: "run a seeded campaign of generated cases against the implementation", run: runCheck})
}

const checkHelp = `Usage: gexit check [flags]

Runs a campaign of generated cases: each case is a runtime configuration
(constants preset, Ps, Ms), a workload (the modelled goroutines' programs,
a controller script, sysmon) and a schedule, drawn by rapid from a seed. A
case runs on the implementation in one of four modes: deterministic (a
drawn schedule picks the actor at every scheduling point, inside ops too),
atomic (deterministic, no scheduling point inside an op, the abstraction
compared with the spec after every op), free (every M a goroutine,
really parallel) or systematic (about one case in 256: every schedule of
a small workload, half of them contention kernels on two Ms, with at
most two preemptions, fewest first; up to 32 schedules in the mix, and
with -mode systematic 128 per drawn program, 1,024 or 2,048 per kernel). -mode narrows the
campaign to one mode. Each run is
judged by the spec: harness checks, the sequential differential (atomic),
the invariants on the final state, linearizability of the recorded history
ending in the final state (an op that overlapped no other is held to
findRunnable's and exitsyscall's strict order), and, when the run ended
quiescent (nothing could move, the program alive), the progress
predicates: no P held or handed off with nothing to run it while an M is
free, no runnable G left while a P is idle and an M free (kind
"progress"). A run that ended at a throw has no quiescent final state,
and the invariants need not hold in it; the state it wound down to
(every other actor finishing or dropping the op it was in) is still the
closing observation of its linearizability check, but for how the
program ended, which the throw races. In the deterministic modes the
state at the throw is also held to the spec's after the ops recorded up
to it, unless another actor was inside an op there (its writes so far no
recorded op explains); the summary counts the throw-ended runs whose
state at the throw was checked and those skipped, by why. A search of
that state that runs out of -budget makes the case unknown.

The summary says how much concurrency was exercised: the fraction of ops
that overlapped another M's op, CAS retries and lost runnext races, per
mode. Free-running ops are stamped with one clock read each (an op's call
is its M's previous return), so an interval includes the gap before the
op and the fraction reads a few points higher than the ops' own overlap
(36% against 32% measured with exact stamps).

Cases run in batches of 25. Batch b of shard i of n draws from the rapid
seed checker.Mix(seed, b*n+i) (splitmix64), so a campaign is reproducible from
-seed and -shard, and n shards run disjoint seeds. -workers cases run at
once (default: all cores); they are drawn in order, so the cases, and
with -cases the cases run, are the same for any number of workers. The
campaign stops at -cases cases, after -duration, at the first violation
(the one of the lowest batch and case, its batch then re-run under rapid
to shrink it), or at Ctrl-C (after the cases running; what ran is
reported).

On a violation the counterexample is shrunk (rapid's shrinking, then
Minimize: fewer steps and context switches), re-run with the faults
switched off (a control run: it must pass there, else the report says the
counterexample is not attributable to the fault), and written atomically
as a bundle directory -out/violation-<seed>-<k>: case.json, history.json,
report.txt, report.json, report.html (the whole counterexample on one
page) and, for linearizability failures, linearization.html. "gexit
replay DIR" re-runs it. A panic in the implementation is a violation of
kind "panic", a throw no recorded op explains one of kind "throw", and a
panic in gexit's own judging one of kind "harness-panic": each gets its
bundle like any other violation. A campaign without a violation that
has histories undecided within -budget (then within five times it)
judges them again once the cases have run, within -decide (the first 8
such histories, each with an even share of the time left): one it
decides counts as ok or illegal (an illegal one is the counterexample,
reported unshrunk by rapid: within the cases' budget it passes as
undecided). A campaign whose verdict stays unknown because of an
undecided history writes the first as -out/unknown-<seed>-<k>: "gexit
replay DIR/history.json -budget 5m" decides it with more time.

The campaign is also a library: checker.NewCampaign(...).Run(ctx) runs
the same from Go code (a go test, say).

A campaign must also reach what it exists to test: the free-list spill
and refill, stealing (ring and runnext), the 61st-tick global pick, the
global queue's batch, runqputslow, a locked G's exit, main's Goexit fatal,
and the handoffs (retake, stoplockedm, startlockedm). A campaign with no
violation that never exercised one of them is unknown (exit 3), not ok,
and names them; stealing needs -ps and -ms of 2 or more, and the locked
handoffs -ms 2 or more, so narrower campaigns are not held to those.

Exit codes: 0 every case passed and every must-reach branch was
exercised; 1 a violation (bundle written); 2 bad flags; 3 unknown: some
verdict was unknown (the linearizability check or the run ran out of its
budget) and none was illegal, a must-reach branch was never exercised, or
the campaign was interrupted before its budget was spent.

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
	shrinkSet   bool
	decide      time.Duration
	decideSet   bool
	mode        string
	casesSet    bool
	durationSet bool
	workers     int
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
	fs.BoolVar(&f.json, "json", false, "print one JSON summary object instead of text (no progress): the counts (decided: histories decided after the cases), the verdict, the counterexample (report), and why a verdict is unknown (firstUnknown, harnessError, unreached)")
	fs.BoolVar(&f.verbose, "v", false, "also print coverage and the first unknown case; progress lines show goroutines and memory")
	cpuProfile := cpuProfileFlag(fs)
	shard := fs.String("shard", "0/1", "run shard `i/n` of the seed space (0 <= i < n)")
	fs.DurationVar(&f.budget, "budget", 2*time.Second, "time budget of one case's linearizability check; a history undecided within it is judged again with five times it, then after the cases within -decide, then is unknown")
	fs.DurationVar(&f.decide, "decide", time.Minute, "time budget, after the cases, for judging again the histories still undecided (the first 8, each with an even share of it; 0: none); unless set, at most half the -duration, so a run ends within 1.5 times its -duration")
	fs.StringVar(&f.mode, "mode", "", "run every case in this `mode` only: deterministic, atomic, free or systematic (default: all four drawn, systematic for about one case in 256)")
	fs.IntVar(&f.workers, "workers", runtime.GOMAXPROCS(0), "cases run at once, in [1, 1024]; the cases drawn, and with -cases those run, are the same for any number")
	fs.DurationVar(&f.shrink, "shrink", 30*time.Second, "time budget for shrinking a counterexample (rapid's, then Minimize's; 0: no shrinking); unless set, at most half the -duration, so a run ends within 1.5 times its -duration")
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
		case "shrink":
			f.shrinkSet = true
		case "decide":
			f.decideSet = true
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
	case f.decide < 0:
		fmt.Fprintf(stderr, "gexit check: -decide must not be negative, have %v\n", f.decide)
		return exitUsage
	case f.mode != "" && f.mode != "deterministic" && f.mode != "atomic" && f.mode != "free" && f.mode != "systematic":
		fmt.Fprintf(stderr, "gexit check: -mode must be deterministic, atomic, free or systematic, have %q\n", f.mode)
		return exitUsage
	case f.out == "":
		fmt.Fprintf(stderr, "gexit check: -out must not be empty\n")
		return exitUsage
	case f.workers < 1 || f.workers > 1024:
		fmt.Fprintf(stderr, "gexit check: -workers must be in [1, 1024], have %d\n", f.workers)
		return exitUsage
	}
	if err := checkOutDir(f.out); err != nil {
		fmt.Fprintf(stderr, "gexit check: -out: %v\n", err)
		return exitUsage
	}
	f.shrink = afterBudget(f.shrink, f.duration, f.shrinkSet, f.durationSet)
	f.decide = afterBudget(f.decide, f.duration, f.decideSet, f.durationSet)
	if f.casesSet && !f.durationSet {
		f.duration = 0 // -cases alone: no time bound
	}
	stopProfile, ok := startCPUProfile("check", *cpuProfile, stderr)
	if !ok {
		return exitUsage
	}
	defer stopProfile()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return checkCampaign(ctx, &f, stdout, stderr)
}

func checkCampaign(ctx context.Context, f *checkFlags, stdout, stderr io.Writer) int {
	cases := 0
	if f.casesSet {
		cases = f.cases
	}
	var modes []string
	if f.mode != "" {
		modes = []string{f.mode}
	}
	cp, err := checker.NewCampaign(checker.CampaignOptions{
		Seed: f.seed, Shard: f.shard.i, Shards: f.shard.n, Cases: cases, Duration: f.duration,
		Ps: f.ps, Ms: f.ms, Faults: f.faults, Budget: f.budget, Shrink: f.shrink, Decide: f.decide, Out: f.out, Modes: modes,
		Workers: f.workers,
	})
	if err != nil {
		fmt.Fprintf(stderr, "gexit check: %v\n", err)
		return exitUsage
	}
	var deadline time.Time
	if f.duration > 0 {
		deadline = time.Now().Add(f.duration)
	}
	progressDone := startProgress(f, cp, deadline, stderr)
	res := cp.Run(ctx)
	close(progressDone.stop)
	<-progressDone.done

	code := exitOK
	switch res.Verdict {
	case checker.Illegal:
		code = exitViolation
	case checker.Unknown:
		code = exitUnknown
	}
	counts := res.Coverage.Counts()
	never := checker.NeverReached(counts)
	fail := res.Failure
	pooled := res.Pooled()
	modeStats := map[string]any{}
	for k, m := range res.Modes {
		modeStats[k] = map[string]any{"cases": m.Cases, "ops": m.Ops, "overlap": m.Overlap(), "casRetries": m.CasRetries, "runnextLost": m.RunnextLost}
	}
	if f.json {
		var bp any
		if res.Bundle != "" {
			bp = res.Bundle
		}
		out := map[string]any{
			"cases": res.Cases, "ops": res.Ops, "ok": res.Ok, "illegal": res.Illegal, "unknown": res.Unknown, "decided": res.Decided,
			"seconds": res.Elapsed.Seconds(), "seed": f.seed, "shard": fmt.Sprintf("%d/%d", f.shard.i, f.shard.n),
			"batches": res.Batches, "bundle": bp, "verdict": verdictName(code), "interrupted": res.Interrupted,
			"faults": append([]string{}, f.faults...), "coverage": counts, "neverReached": append([]string{}, never...),
			"unreached": append([]string{}, res.Unreached...), "quiescent": res.Quiescent,
			"throwChecked": res.ThrowChecked, "throwSkipped": throwSkipped(res.ThrowSkipped),
			"overlap": pooled.Overlap(), "casRetries": pooled.CasRetries, "runnextLost": pooled.RunnextLost, "modes": modeStats,
		}
		if fail != nil {
			o := fail.Outcome
			out["kind"], out["name"], out["detail"] = o.Kind, o.Name, o.Detail
			out["steps"], out["switches"], out["minimized"], out["attributable"] = o.Case.Steps, checker.Switches(o.History), fail.Minimized(), fail.Attributable
			out["shrinkInterrupted"] = fail.ShrinkInterrupted
			if fail.Control != nil {
				out["control"] = map[string]any{"verdict": fail.Control.Verdict.String(), "kind": fail.Control.Kind, "name": fail.Control.Name}
			}
		}
		if fail != nil {
			// The counterexample as the text report prints it, with
			// its reproduce lines: the JSON holds it whether or not
			// the bundle could be written.
			out["report"] = reportText(cp, fail, res.Bundle)
		}
		if u := res.FirstUnknown; u != nil {
			// Why the verdict is unknown, as the text's "first
			// unknown case" line says it.
			out["firstUnknown"] = map[string]any{"kind": u.Kind, "name": u.Name, "detail": u.Detail, "mode": u.Case.Mode, "case": u.Case.Text}
		}
		if res.HarnessErr != "" {
			out["harnessError"] = res.HarnessErr
		}
		if res.UnknownBundle != "" {
			out["unknownBundle"] = res.UnknownBundle
		}
		if res.UnknownBundleErr != nil {
			out["unknownBundleError"] = res.UnknownBundleErr.Error()
		}
		if res.BundleErr != nil {
			out["bundleError"] = res.BundleErr.Error()
			if fail != nil {
				// The bundle's case.json, which gexit replay takes
				// (saved as case.json, alone or in a directory).
				if c, err := checker.MarshalCase(fail.Outcome); err == nil {
					out["case"] = json.RawMessage(c)
				}
			}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "gexit check: %v\n", err)
		}
	} else {
		rate := float64(res.Cases) / max(res.Elapsed.Seconds(), 1e-9)
		fmt.Fprintf(stdout, "checked %d cases (%d ops) in %.1fs, %.1f cases/s: %d ok, %d illegal, %d unknown (seed %d, shard %d/%d); %d ended quiescent (progress judged)\n",
			res.Cases, res.Ops, res.Elapsed.Seconds(), rate, res.Ok, res.Illegal, res.Unknown, f.seed, f.shard.i, f.shard.n, res.Quiescent)
		if n := res.ThrowEnded(); n > 0 {
			fmt.Fprintf(stdout, "%d ended at a throw (each judged with the state it wound down to): the state at the throw checked in %d, skipped in %d%s\n", n, res.ThrowChecked, n-res.ThrowChecked, throwSkips(res.ThrowSkipped))
		}
		if res.Interrupted {
			fmt.Fprintln(stdout, "interrupted: stopped before the campaign's budget was spent")
		}
		if res.Decided > 0 {
			what := "histories"
			if res.Decided == 1 {
				what = "history"
			}
			fmt.Fprintf(stdout, "decided after the cases (-decide): %d %s undecided within -budget, counted above as ok or illegal\n", res.Decided, what)
		}
		fmt.Fprintf(stdout, "concurrency: %.1f%% of ops overlapped another, %d CAS retries, %d runnext races lost", 100*pooled.Overlap(), pooled.CasRetries, pooled.RunnextLost)
		for _, k := range checker.MutantModes {
			if m := res.Modes[k]; m != nil {
				fmt.Fprintf(stdout, "; %s %.1f%%", k, 100*m.Overlap())
			}
		}
		fmt.Fprintln(stdout)
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
			if res.FirstUnknown != nil {
				fmt.Fprintf(stdout, "first unknown case:\n%s", checker.TextReport(res.FirstUnknown))
			}
		} else if u := res.FirstUnknown; u != nil {
			fmt.Fprintf(stdout, "first unknown case: %s: %s (-v prints its report)\n", u.Kind, u.Detail)
		}
		if res.UnknownBundle != "" {
			fmt.Fprintf(stdout, "undecided case written to %s: gexit replay %s -budget 5m decides it with more time\n",
				res.UnknownBundle, filepath.Join(res.UnknownBundle, checker.HistoryFile))
		} else if res.UnknownBundleErr != nil {
			fmt.Fprintf(stdout, "the undecided case could not be written: %v\n", res.UnknownBundleErr)
		}
		if len(never) > 0 {
			fmt.Fprintf(stdout, "never reached: %s\n", strings.Join(never, ", "))
		}
		if fail == nil && len(res.Unreached) > 0 {
			fmt.Fprintf(stdout, "NOT EXERCISED (the verdict is unknown, not ok: the campaign never reached what it exists to test;\n"+
				"run longer, or narrow -ps/-ms if these are out of scope): %s\n", strings.Join(res.Unreached, ", "))
		}
		if fail != nil {
			fmt.Fprintf(stdout, "\nVIOLATION (shrunk by rapid, then Minimize):\n%s", reportText(cp, fail, res.Bundle))
			var incomplete *checker.IncompleteBundleError
			switch {
			case errors.As(res.BundleErr, &incomplete):
				fmt.Fprintf(stdout, "bundle: %s (incomplete: a report file could not be written, see stderr; gexit replay takes it)\n", res.Bundle)
			case res.Bundle != "":
				fmt.Fprintf(stdout, "bundle: %s (report.html shows it on one page)\n", res.Bundle)
			}
		}
		fmt.Fprintf(stdout, "verdict: %s\n", verdictName(code))
	}
	if res.BundleErr != nil {
		where := "printed above"
		if f.json {
			where = `in the JSON: "report", and "case" for gexit replay`
		}
		fmt.Fprintf(stderr, "gexit check: writing the bundle: %v (the counterexample is %s)\n", res.BundleErr, where)
	}
	if res.HarnessErr != "" {
		fmt.Fprintf(stderr, "gexit check: the property failed without a verdict (the harness broke):\n%s\n", res.HarnessErr)
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
// every 5s otherwise, and nothing with -json. With -v the line also shows
// the process's goroutines and memory (the soak figures).
func startProgress(f *checkFlags, cp *checker.Campaign, deadline time.Time, w io.Writer) progressHandle {
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
		st := cp.Stats()
		rate := float64(st.Cases) / max(st.Elapsed.Seconds(), 1e-9)
		rem := "?"
		switch {
		case !deadline.IsZero() && (!f.casesSet || rate == 0):
			rem = max(time.Until(deadline), 0).Round(time.Second).String()
		case f.casesSet && rate > 0:
			r := time.Duration(float64(f.cases-st.Cases) / rate * float64(time.Second))
			if !deadline.IsZero() {
				r = min(r, time.Until(deadline))
			}
			rem = max(r, 0).Round(time.Second).String()
		}
		l := fmt.Sprintf("check: %d cases, %.1f cases/s, %d ops, ok %d, illegal %d, unknown %d, elapsed %s, remaining %s",
			st.Cases, rate, st.Ops, st.Ok, st.Illegal, st.Unknown, st.Elapsed.Round(time.Second), rem)
		if st.Deciding > 0 {
			l += fmt.Sprintf(", judging again %d undecided (-decide)", st.Deciding)
		}
		if f.verbose {
			l += ", " + processStats()
		}
		return l
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

// processStats is the process's goroutines, resident memory and live heap.
func processStats() string {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss := "?"
	if data, err := os.ReadFile("/proc/self/statm"); err == nil {
		var size, res int64
		if _, err := fmt.Sscan(string(data), &size, &res); err == nil {
			rss = fmt.Sprintf("%.1fMB", float64(res*int64(os.Getpagesize()))/1e6)
		}
	}
	return fmt.Sprintf("goroutines %d, rss %s, heap %.1fMB", runtime.NumGoroutine(), rss, float64(ms.HeapAlloc)/1e6)
}

func reportText(cp *checker.Campaign, fail *checker.Failure, bundle string) string {
	var b strings.Builder
	b.WriteString(checker.TextReport(fail.Outcome))
	b.WriteString("\n")
	for _, n := range cp.BundleInfo(fail).Notes {
		b.WriteString(n + "\n")
	}
	b.WriteString("\nreproduce:\n")
	if bundle != "" {
		fmt.Fprintf(&b, "  gexit replay %s\n", bundle)
		fmt.Fprintf(&b, "  gexit replay %s\n", filepath.Join(bundle, checker.HistoryFile))
	}
	for _, r := range cp.BundleInfo(fail).Reproduce {
		fmt.Fprintf(&b, "  %s\n", r)
	}
	return b.String()
}

// afterBudget is the budget check uses for what runs after the cases
// (-shrink, -decide): the flag's value when set; else, for a campaign
// bounded by -duration, at most half of it, so that a failure found late
// still ends the run within 1.5 times its -duration (the default
// -duration of 1m keeps the defaults, 30s and 1m). The two share that
// half: a failure the judging after the cases finds is shrunk within
// what is left of -shrink counted from the judging's start.
func afterBudget(budget, duration time.Duration, set, durationSet bool) time.Duration {
	if set || !durationSet {
		return budget
	}
	return min(budget, duration/2)
}

// checkOutDir checks, before a run, that an output directory can be
// made: the path, or the nearest of its parents that exists, is a
// directory. (Its permissions are left to the write, which says why.)
func checkOutDir(path string) error {
	for p := filepath.Clean(path); ; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s is not a directory", p)
			}
			return nil
		}
		if filepath.Dir(p) == p {
			return nil
		}
	}
}

// throwSkipped is the JSON form of the skipped checks of the state at a
// throw, by why: every reason, zero or not.
func throwSkipped(m map[string]int) map[string]int {
	out := map[string]int{}
	for _, k := range checker.ThrowStateSkips {
		out[k] = m[k]
	}
	return out
}

// throwSkips says why the checks of the state at a throw were skipped,
// "" when none was: " (an actor inside an op 12, free-running 30)".
func throwSkips(m map[string]int) string {
	var parts []string
	for _, k := range checker.ThrowStateSkips {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
