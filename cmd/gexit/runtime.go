package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

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
       gexit runtime [-src DIR] -test PKG,... [-procs N,...] [-json] [-out DIR] [-v] [-- TESTFLAGS]
       gexit runtime [-src DIR] -exec DIR [-procs N,...] [-json] [-out DIR] [-v] [-- ARGS]

Instruments the Go runtime with a build overlay: probes placed in gdestroy,
gfput (and its spill), gfget (refill, both stack fixes), gfpurge,
markrootFreeGStacks, newproc1's goid allocation, the run queues (runqput,
runqputslow, runqget, runqgrab, runqsteal, runqputbatch, runqdrain), the
global queue, findRunnable's choice, exitsyscall's paths, handoffp, startm,
stopm, wakep, procresize, p.destroy, checkdead and mexit write fixed-size
records, drained to $GEXIT_RECORDS/<pid>.gexit. Nothing of the runtime's
source is written outside a temporary directory.

-src is the runtime source to instrument (default $(go env GOROOT)/src/runtime);
a modified copy of it is how a change to the runtime is checked: every file
that differs from the toolchain's is put in the overlay. A source that lacks
an anchor the probes need is bad input, naming the file, the function and
the statement.

Targets, each run under every -procs value (GOMAXPROCS):
	-run WORKLOAD|all  bundled workloads (default -procs 1,2,4,8); with all,
	                   a probe that never fires is a violation
	-test PKG,...      go test -c of each package with the instrumented
	                   runtime, then its test binary (in the package
	                   directory, with the flags after --, e.g. -test.short)
	-exec DIR          the main package in DIR, run with the ARGS after --

Verdict: records of every process are decoded and checked for consistency
(indices, list sizes that follow from record to record, Gs put on a free
list only while live, goids never reused). Judging the records by the spec
is not wired yet. A crash, a deadlock the runtime reports, failing tests or
an unexpected exit status is a violation; a timeout, records lost (the ring
was full) or a missing record file is unknown. Runs that are not ok are
saved under -out (output, record files, report.txt).

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
	workload := fs.String("run", "", "bundled `workload` to run, or all ("+strings.Join(rtcheck.WorkloadNames(), ", ")+")")
	tests := fs.String("test", "", "comma-separated `packages` whose tests run with the instrumented runtime")
	execDir := fs.String("exec", "", "main package `dir` to build and run with the instrumented runtime")
	procsFlag := fs.String("procs", "", "comma-separated GOMAXPROCS `values` (default 1,2,4,8 for -run; the environment's otherwise)")
	jsonOut := fs.Bool("json", false, "print the report as JSON")
	out := fs.String("out", "gexit-out", "`dir` for the bundles of runs that are not ok")
	verbose := fs.Bool("v", false, "progress on stderr, every problem, the branch codes of each probe")
	timeout := fs.Duration("timeout", 0, "bound on one run; a run that hits it is unknown (default 2m for -run, 10m for -test and -exec)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), runtimeHelp)
		fs.PrintDefaults()
		fmt.Fprintln(fs.Output(), "\nWorkloads:")
		for _, w := range rtcheck.Workloads {
			fmt.Fprintf(fs.Output(), "\t%-12s %s\n", w.Name, w.Summary)
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
	opts := rtcheck.Options{Src: *src, Exec: *execDir, Args: extra, Out: *out, Timeout: *timeout, Judge: rtcheck.SpecJudge}
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
	if *procsFlag != "" {
		for _, f := range strings.Split(*procsFlag, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 || n > 1024 {
				fmt.Fprintf(stderr, "gexit runtime: bad -procs list %q: %q is not a GOMAXPROCS value (1 to 1024)\n", *procsFlag, f)
				return exitUsage
			}
			opts.Procs = append(opts.Procs, n)
		}
	}
	if *timeout < 0 {
		fmt.Fprintln(stderr, "gexit runtime: -timeout must not be negative")
		return exitUsage
	}
	if *verbose {
		opts.Log = stderr
	}

	rep, err := rtcheck.Run(opts)
	if err != nil {
		fmt.Fprintf(stderr, "gexit runtime: %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
		if rtcheck.IsInputError(err) {
			return exitUsage
		}
		return exitUnknown
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
