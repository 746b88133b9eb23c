package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gexit-dev/gexit/conform"
)

func init() {
	register(&command{
		name:    "conform",
		summary: "check a real Go execution trace (or a bundled workload's) against the spec's lifecycle",
		run:     runConform,
	})
}

const conformHelp = `Usage: gexit conform [-json] [-v] FILE
       gexit conform -run WORKLOAD [-procs N] [-scale K] [-json] [-v] [-keep FILE]

Checks that the Go runtime's real behaviour, as an execution trace records
it (runtime/trace, go test -trace; Go 1.22 or later), is one the spec allows.

Mapping of trace goroutine states to spec statuses:
	NotExist      idle or dead
	Runnable      runnable
	Running       running (the runtime's copystack, and a goroutine about
	              to be suspended, also show as Running)
	Waiting       waiting or preempted (and Go 1.26's leaked)
	Syscall       syscall
	Undetermined  any: a goroutine alive before the trace (or the generation)
	              first mentions it; accepted, and tracked from there
A transition From->To is accepted iff a spec lifecycle edge leads from a
status of From's set to one of To's set. X->X re-statements after a
generation boundary are accepted when X is the goroutine's known state.
Extra-M rule (cgo callbacks): NotExist->Syscall creates an extra M's
goroutine, which leaves by Syscall->NotExist and whose id may come back;
no other goroutine id is ever reused.

Rules: ` + "lifecycle, continuity, id-reuse, extra-m, running-exceeds-procs,\nproc-not-running, proc-shared, locked-thread-reused, executor-not-running,\nwrong-context, foreign-transition, time-backwards, unstated" + ` (see the conform
package documentation). A runtime/trace.Log(ctx, "gexit", "locked-exit") just before a
goroutine locked to its thread exits makes that thread dead afterwards.

The trace reader checks its own state machine as it reads (a transition
from a state the goroutine or P is not in, a goroutine started with no P):
a trace that breaks it is not readable, exit 2 with the reader's message,
and is not conformant either. A trace cut at a generation boundary reads
cleanly and is judged on what it holds.

Exit codes: 0 conformant, 1 a violation, 2 bad usage or not a readable
trace (a FILE), 3 unknown (a trace -run recorded that the trace reader
rejects: not judged).

Flags:
`

// maxConformScale bounds -scale: the recorded trace is held in memory
// and grows with it (-run all: 5 MB of trace and 36 MB resident at 1,
// 66 MB and 241 MB at 10), so a mistyped scale would exhaust the machine
// before judging anything.
const maxConformScale = 100

func runConform(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("conform", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jsonOut := fs.Bool("json", false, "print the report (violations, coverage, counts) as JSON")
	verbose := fs.Bool("v", false, "also print every trace transition and the counters")
	workload := fs.String("run", "", "record and check a bundled `workload` ("+strings.Join(conform.WorkloadNames(), ", ")+")")
	procs := fs.Int("procs", 0, "GOMAXPROCS while recording a workload (0: unchanged)")
	scale := fs.Int("scale", 1, "size multiplier `K` of the workload, 1 to 100 (the trace is held in memory: about 25 MB per unit with -run all)")
	keep := fs.String("keep", "", "write the recorded workload trace to `file`")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), conformHelp)
		fs.PrintDefaults()
		fmt.Fprintln(fs.Output(), "\nWorkloads:")
		for _, w := range conform.Workloads {
			fmt.Fprintf(fs.Output(), "\t%-12s %s\n", w.Name, w.Summary)
		}
		fmt.Fprintf(fs.Output(), "\t%-12s %s\n", "all", "every workload above but generations")
	}
	if code, ok := parseFlags(fs, "conform", args, stderr); !ok {
		return code
	}

	var (
		rep *conform.Report
		err error
		rec *conform.Recording
	)
	switch {
	case *workload != "":
		if fs.NArg() != 0 {
			fmt.Fprintln(stderr, "gexit conform: -run takes no FILE")
			return exitUsage
		}
		if *procs < 0 || *procs > 1024 || *scale < 1 || *scale > maxConformScale {
			fmt.Fprintf(stderr, "gexit conform: -procs must be in [0, 1024] and -scale in [1, %d]\n", maxConformScale)
			return exitUsage
		}
		w, ok := conform.LookupWorkload(*workload)
		if !ok {
			fmt.Fprintf(stderr, "gexit conform: unknown workload %q; workloads: %s\n",
				*workload, strings.Join(conform.WorkloadNames(), ", "))
			return exitUsage
		}
		if *keep != "" {
			// Checked before the run, as check's -out is: a path that
			// cannot be written is bad usage, found before the
			// recording rather than after it.
			f, err := os.OpenFile(*keep, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
			if err != nil {
				fmt.Fprintf(stderr, "gexit conform: -keep: %v\n", err)
				return exitUsage
			}
			f.Close()
		}
		rec, err = conform.Record(w, *procs, *scale)
		if err != nil {
			fmt.Fprintf(stderr, "gexit conform: %v\n", err)
			return exitUsage
		}
		if *keep != "" {
			if err := os.WriteFile(*keep, rec.Trace, 0o644); err != nil {
				// The trace is still judged: its verdict is not lost
				// to a full disk.
				fmt.Fprintf(stderr, "gexit conform: -keep: %v (the trace is judged all the same)\n", err)
			}
		}
		rep, err = conform.CheckTrace(bytes.NewReader(rec.Trace))
		if err != nil {
			// A trace this process's runtime wrote that the trace
			// reader rejects is no bad input of the user's: it could
			// not be judged.
			fmt.Fprintf(stderr, "gexit conform: the trace the runtime recorded of %s is one the trace reader rejects, not judged (unknown): %v\n", *workload, err)
			return exitUnknown
		}
	default:
		if fs.NArg() != 1 {
			fmt.Fprintln(stderr, "gexit conform: want one trace FILE or -run WORKLOAD (see gexit conform -h)")
			return exitUsage
		}
		scaleSet := false
		fs.Visit(func(fl *flag.Flag) { scaleSet = scaleSet || fl.Name == "scale" })
		if *keep != "" || *procs != 0 || scaleSet {
			fmt.Fprintln(stderr, "gexit conform: -keep, -procs and -scale go with -run")
			return exitUsage
		}
		if fi, err := os.Stat(fs.Arg(0)); err == nil && fi.IsDir() {
			fmt.Fprintf(stderr, "gexit conform: %s is a directory: want a trace FILE (go test -trace, runtime/trace, or -run WORKLOAD -keep FILE)\n", fs.Arg(0))
			return exitUsage
		}
		rep, err = conform.CheckFile(fs.Arg(0))
		if err != nil {
			// The trace reader's errors can carry pages of its state:
			// the first line says what is wrong.
			msg := err.Error()
			if first, rest, ok := strings.Cut(msg, "\n"); ok {
				msg = fmt.Sprintf("%s (and %d more lines of the trace reader's)", first, strings.Count(rest, "\n")+1)
			}
			fmt.Fprintf(stderr, "gexit conform: %s\n", msg)
			return exitUsage
		}
	}

	mismatch := ""
	if rec != nil {
		mismatch = conform.MetricsMismatch(rec, rep)
	}
	if *jsonOut {
		out := struct {
			*conform.Report
			Workload        string `json:"workload,omitempty"`
			MetricsCreated  *int   `json:"metrics_created,omitempty"`
			MetricsExited   *int   `json:"metrics_exited,omitempty"`
			MetricsMismatch string `json:"metrics_mismatch,omitempty"`
		}{Report: rep, Workload: *workload, MetricsMismatch: mismatch}
		if rec != nil {
			c, e := rec.MetricsCreated(), rec.MetricsExited()
			out.MetricsCreated, out.MetricsExited = &c, &e
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		enc.Encode(out)
	} else {
		fmt.Fprint(stdout, rep.Text(*verbose))
		if rec != nil {
			if mismatch != "" {
				fmt.Fprintf(stdout, "runtime/metrics cross-check FAILED: %s\n", mismatch)
			} else {
				fmt.Fprintf(stdout, "runtime/metrics agree: %d created, %d exited\n", rec.MetricsCreated(), rec.MetricsExited())
			}
		}
	}
	if !rep.OK() || mismatch != "" {
		return exitViolation
	}
	return exitOK
}
