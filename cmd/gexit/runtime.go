package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/gexit-dev/gexit/rtcheck"
)

func init() {
	register(&command{
		name:    "runtime",
		summary: "instrument the real Go runtime and check its free lists, run queues and exit path",
		run:     runRuntime,
	})
}

const runtimeHelp = `usage: gexit runtime [-src DIR] -run WORKLOAD|all [-procs 1,2,4,8] [-json] [-out DIR] [-v]
       gexit runtime [-src DIR] -mutants [-mutant NAME,...] [-procs N,...] [-json] [-v]
       gexit runtime [-src DIR] -test PKG,... [-procs N,...] [-json] [-out DIR] [-v] [-- TESTFLAGS]
       gexit runtime [-src DIR] -exec DIR [-procs N,...] [-json] [-out DIR] [-v] [-- ARGS]

Instruments the Go runtime with a build overlay: probes placed in gdestroy,
gfput (and its spill), gfget (refill, both stack fixes), gfpurge,
markrootFreeGStacks, newproc1's goid allocation, the run queues (runqput,
runqputslow, runqget, runqgrab, runqsteal, runqputbatch, runqdrain), the
global queue, findRunnable's choice, exitsyscall's paths, handoffp, startm,
stopm, wakep, procresize, p.destroy, checkdead, mexit and the idle P list
(pidleput, pidleget) write fixed-size records, drained to $GEXIT_RECORDS/<pid>.gexit. Nothing of the runtime's
source is written outside a temporary directory.

-src is the runtime source to instrument (default $(go env GOROOT)/src/runtime);
a modified copy of it is how a change to the runtime is checked: every file
that differs from the toolchain's is put in the overlay. A source that lacks
an anchor the probes need is bad input, naming the file, the function and
the statement.

Targets, each run under every -procs value (GOMAXPROCS):
	-run WORKLOAD|all  bundled workloads (default -procs 1,2,4,8); with all,
	                   a probe that never fires is a violation, and so is
	                   a branch a workload is there for (handoffp's
	                   last-P branch, exitsyscall's idle path). all leaves
	                   out the findings: workloads that show where the
	                   runtime breaks a spec invariant (finalizer-goexit),
	                   whose verdict is that violation
	-test PKG,...      go test -c of each package with the instrumented
	                   runtime, then its test binary (in the package
	                   directory, with the flags after --, e.g. -test.short);
	                   GOFLAGS carries the overlay, so the programs a test
	                   builds with the go command and runs (the runtime's
	                   own tests build testdata/testprog) are instrumented
	                   and judged too. Probe calls on Ps made by new(p),
	                   as the runtime's run-queue tests make, are counted
	                   and not recorded (their id 0 names a real P)
	-exec DIR          the main package in DIR, run with the ARGS after --

Verdict: records of every process are decoded and checked for consistency
(indices, list sizes that follow from record to record, Gs put on a free
list only while live, goids never reused), then judged by the spec: every
free-list record, in the runtime's exact order (the P's owner or
sched.gFree.lock orders them), is replayed through the spec's free-list
transitions (gfput's push and spill, gfget's refill and pop with both
stack fixes, gfpurge, markrootFreeGStacks's two lock sections, malg, goid
batches) and each result compared with the record: which G gfget returns,
how many Gs moved to or from which global list, the list sizes, stacks
kept, freed or allocated, the goids handed out; the spec's free-list
invariants are checked after every record that moves Gs between a P and
the global lists (spill, refill, purge, markrootFreeGStacks), after every
-invariants-every-th record and after the last. The idle P list's records
(sched.lock orders them) are replayed through the spec's idle list:
pidleget hands out its head (LIFO), npidle and the links are the spec's,
a P put twice is the spec's throw, procresize rebuilds it in the spec's
order, handoffp's last-P decisions are the spec's, and exitsyscall's idle
P is the one the pidleget just before on its M returned. The run queues
are checked for linearizability against the spec's. A crash, a deadlock the runtime
reports, failing tests or an unexpected exit status is a violation; a
timeout, records lost (the ring was full), a process that reached its
record cap (-max-memory / 80 bytes a record: judging holds a process's
records in memory), a process with more Ps than the spec names (128) or a
missing record file is unknown. Runs that are not ok are saved under -out
(output, record files, report.txt). Record files are written under
$TMPDIR while a run lasts.

-mutants runs the runtime mutation table instead: each mutant is a small
change to a copy of the runtime source (thresholds, list choices, stack
decisions, batch sizes, a skipped gfpurge, the idle list's order, the
run queues' steal and global batch sizes...), checked on the workloads
that exercise it; every one must be caught (a violation). The real
scheduler must reach the state a mutant changes, so a mutant not caught
runs again, up to 3 runs, before it counts as not caught. It prints one
row per mutant (-json: [{"mutant", "caught", "byRecords", "seconds",
"kind", "runs"}]): "yes" when the records showed it (Consistency or the
judge), "crash" when only the run's exit status did (the runtime threw
or died: caught, but not by the judge). It exits 1 when one is not
caught.

Exit codes: 0 ok, 1 violation, 2 bad usage or input, 3 unknown.

Flags:
`

func runRuntime(args []string, stdout, stderr io.Writer) int {
	var extra []string
	for i, a := range args {
		if a == "--" {
			args, extra = args[:i], args[i+1:]
			break
		}
	}
	fs := flag.NewFlagSet("runtime", flag.ContinueOnError)
	src := fs.String("src", "", "runtime source `dir` to instrument (default $(go env GOROOT)/src/runtime)")
	workload := fs.String("run", "", "bundled `workload` to run, or all (every one but the findings): "+strings.Join(rtcheck.WorkloadNames(), ", "))
	tests := fs.String("test", "", "comma-separated `packages` whose tests run with the instrumented runtime")
	execDir := fs.String("exec", "", "main package `dir` to build and run with the instrumented runtime")
	procsFlag := fs.String("procs", "", "comma-separated GOMAXPROCS `values` (default 1,2,4,8 for -run; the environment's otherwise)")
	jsonOut := fs.Bool("json", false, "print the report as JSON")
	out := fs.String("out", "gexit-out", "`dir` for the bundles of runs that are not ok")
	verbose := fs.Bool("v", false, "every problem and the branch codes of each probe in the report (progress goes to stderr either way)")
	every := fs.Int("invariants-every", rtcheck.DefaultInvariantEvery, "check the spec's free-list invariants after every `N`-th judged record (1: every record; every record's result is compared with the spec's whatever N is)")
	mutants := fs.Bool("mutants", false, "run the runtime mutation table (every mutant must be caught)")
	mutantNames := fs.String("mutant", "", "with -mutants: only these comma-separated `mutants`")
	timeout := fs.Duration("timeout", 0, "bound on one run; a run that hits it is unknown (default 2m for -run, 10m for -test and -exec)")
	maxMemory := fs.String("max-memory", "", "memory judging one process may take (`size`: bytes, or with KB/MB/GB/KiB/MiB/GiB; 0: no bound; default: half of physical memory, read from /proc/meminfo: no bound where there is none): each process records at most size/80 records, and one that reaches the cap is unknown")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), runtimeHelp)
		fs.PrintDefaults()
		fmt.Fprintln(fs.Output(), "\nWorkloads:")
		for _, w := range rtcheck.Workloads {
			fmt.Fprintf(fs.Output(), "\t%-16s %s\n", w.Name, w.Summary)
		}
		fmt.Fprintln(fs.Output(), "\nProbes:")
		for _, k := range rtcheck.Kinds() {
			fmt.Fprintf(fs.Output(), "\t%-26s %s\n", k.Name, k.Where)
		}
	}
	if code, ok := parseFlags(fs, "runtime", args, stderr); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "gexit runtime: unexpected argument %q (arguments for the program go after --)\n", fs.Arg(0))
		return exitUsage
	}
	if *mutants {
		// The table runs its own workloads with its own bounds and
		// writes no bundles: these would be silently ignored.
		var unused []string
		fs.Visit(func(fl *flag.Flag) {
			switch fl.Name {
			case "timeout", "max-memory", "out", "invariants-every", "v":
				unused = append(unused, "-"+fl.Name)
			}
		})
		if len(unused) > 0 {
			fmt.Fprintf(stderr, "gexit runtime: %s do not go with -mutants (the table runs its own workloads, with its own bounds, and writes no bundles)\n", strings.Join(unused, ", "))
			return exitUsage
		}
		if *src != "" {
			if fi, err := os.Stat(*src); err != nil || !fi.IsDir() {
				fmt.Fprintf(stderr, "gexit runtime: -src %s is not a directory\n", *src)
				return exitUsage
			}
		}
		return runMutantsTable(*src, *mutantNames, *procsFlag, *jsonOut, *workload != "" || *tests != "" || *execDir != "", stdout, stderr)
	}
	if *mutantNames != "" {
		fmt.Fprintln(stderr, "gexit runtime: -mutant goes with -mutants")
		return exitUsage
	}
	if *every < 1 {
		fmt.Fprintf(stderr, "gexit runtime: -invariants-every must be at least 1, have %d\n", *every)
		return exitUsage
	}
	if *out != "" {
		if err := checkOutDir(*out); err != nil {
			fmt.Fprintf(stderr, "gexit runtime: -out: %v\n", err)
			return exitUsage
		}
	}
	opts := rtcheck.Options{Src: *src, Exec: *execDir, Args: extra, Out: *out, Timeout: *timeout, Judge: rtcheck.SpecJudgeEvery(*every)}
	if *maxMemory != "" {
		n, err := parseBytes(*maxMemory)
		if err != nil {
			fmt.Fprintf(stderr, "gexit runtime: -max-memory: %v\n", err)
			return exitUsage
		}
		if opts.MaxMemory = n; n == 0 {
			opts.MaxMemory = math.MaxUint64 // no bound
		}
	}
	if *workload != "" {
		opts.Workloads = []string{*workload}
	}
	if *tests != "" {
		for _, p := range strings.Split(*tests, ",") {
			if p = strings.TrimSpace(p); p != "" {
				opts.Tests = append(opts.Tests, p)
			}
		}
		if len(opts.Tests) == 0 {
			fmt.Fprintf(stderr, "gexit runtime: -test %q names no package\n", *tests)
			return exitUsage
		}
	}
	set := 0
	for _, b := range []bool{*workload != "", *tests != "", *execDir != ""} {
		if b {
			set++
		}
	}
	if set != 1 {
		fmt.Fprintln(stderr, "gexit runtime: want exactly one of -run, -test and -exec (see gexit runtime -h)")
		return exitUsage
	}
	if len(extra) > 0 && *workload != "" {
		fmt.Fprintln(stderr, "gexit runtime: arguments after -- go with -test or -exec, not -run")
		return exitUsage
	}
	if procs, ok := parseProcs(*procsFlag, stderr); ok {
		opts.Procs = procs
	} else {
		return exitUsage
	}
	if *timeout < 0 {
		fmt.Fprintln(stderr, "gexit runtime: -timeout must not be negative")
		return exitUsage
	}
	// Progress (the build, each run's start and end) goes to stderr: a
	// run of a package's tests lasts minutes.
	opts.Log = stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts.Context = ctx
	rep, err := rtcheck.Run(opts)
	if err != nil {
		msg := strings.ReplaceAll(err.Error(), "\n", " ")
		fmt.Fprintf(stderr, "gexit runtime: %s\n", msg)
		code := exitUnknown
		if !errors.Is(err, rtcheck.ErrInterrupted) && rtcheck.IsInputError(err) {
			code = exitUsage
		}
		if *jsonOut {
			// Stdout holds a verdict whatever ended the run.
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			enc.Encode(map[string]any{"verdict": verdictName(code), "error": msg, "interrupted": errors.Is(err, rtcheck.ErrInterrupted)})
		}
		return code
	}
	if *jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		enc.Encode(rep)
	} else {
		fmt.Fprint(stdout, rep.Text(*verbose))
	}
	switch rep.Verdict {
	case rtcheck.OK:
		return exitOK
	case rtcheck.Violation:
		return exitViolation
	default:
		return exitUnknown
	}
}

// parseProcs parses a -procs list; false after printing the error.
func parseProcs(list string, stderr io.Writer) ([]int, bool) {
	if list == "" {
		return nil, true
	}
	var out []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1024 {
			fmt.Fprintf(stderr, "gexit runtime: bad -procs list %q: %q is not a GOMAXPROCS value (1 to 1024)\n", list, f)
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// runMutantsTable is gexit runtime -mutants.
func runMutantsTable(src, names, procsList string, jsonOut, target bool, stdout, stderr io.Writer) int {
	if target {
		fmt.Fprintln(stderr, "gexit runtime: -mutants runs its own workloads: drop -run, -test and -exec")
		return exitUsage
	}
	o := rtcheck.MutantOptions{Src: src}
	for _, n := range strings.Split(names, ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		if _, ok := rtcheck.LookupMutant(n); !ok {
			var all []string
			for _, m := range rtcheck.Mutants {
				all = append(all, m.Name)
			}
			fmt.Fprintf(stderr, "gexit runtime: unknown mutant %q (have %s)\n", n, strings.Join(all, ", "))
			return exitUsage
		}
		o.Names = append(o.Names, n)
	}
	procs, ok := parseProcs(procsList, stderr)
	if !ok {
		return exitUsage
	}
	o.Procs = procs
	if !jsonOut {
		o.Log = stderr
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o.Context = ctx
	rows, err := rtcheck.RunMutants(o)
	if err != nil {
		fmt.Fprintf(stderr, "gexit runtime: %v\n", err)
		return exitUnknown
	}
	interrupted := ctx.Err() != nil
	caught, byRecords, uncaught, errored := 0, 0, 0, 0
	for _, r := range rows {
		switch {
		case r.Error != "" || r.Interrupted:
			errored++
		case r.Caught:
			caught++
			if r.ByRecords {
				byRecords++
			}
		default:
			uncaught++
		}
	}
	code := exitOK
	switch {
	case uncaught > 0: // an uncaught mutant outranks a mutant that could not run
		code = exitViolation
	case errored > 0 || interrupted:
		code = exitUnknown
	}
	if jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		enc.Encode(rows)
		return code
	}
	fmt.Fprintf(stdout, "%-26s %-7s %8s  %s\n", "mutant", "caught", "seconds", "caught by")
	for _, r := range rows {
		state, why := "no", r.Kind
		switch {
		case r.Caught && r.ByRecords:
			state = "yes"
		case r.Caught:
			state, why = "crash", "the run's exit alone (the records showed nothing): "+why
		}
		switch {
		case r.Error != "":
			state, why = "error", r.Error
		case r.Interrupted:
			state, why = "-", "INTERRUPTED by a signal"
		}
		if r.Caught && r.Runs > 1 {
			why = fmt.Sprintf("(run %d) %s", r.Runs, why)
		}
		if len(why) > 110 {
			why = why[:107] + "..."
		}
		fmt.Fprintf(stdout, "%-26s %-7s %8.1f  %s\n", r.Mutant, state, r.Seconds, why)
	}
	fmt.Fprintf(stdout, "%d of %d mutants caught, %d of them by the records (the judge or their consistency), %d by the run's crash alone\n",
		caught, len(rows), byRecords, caught-byRecords)
	if interrupted {
		fmt.Fprintln(stdout, "interrupted: stopped by a signal; mutants not started are not listed")
	}
	return code
}
