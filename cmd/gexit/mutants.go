package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gexit-dev/gexit/checker"
)

func init() {
	register(&command{name: "mutants", summary: "check that the harness catches every planted fault", run: runMutants})
}

const mutantsHelp = `Usage: gexit mutants [flags]

The mutation table: the harness's test of itself. For every fault of the
implementation (gexit faults), switches it on and runs the property
(generated cases judged by the spec) until it fails or the -budget is
spent, then shrinks the counterexample and re-runs it with the fault off
(the control: it must pass, so the counterexample is the fault's). The
first row is the null mutant, no fault at all: it must never be caught.

Prints a table: the fault, whether it was caught, the seconds to detection
(before shrinking), the program steps of the shrunk counterexample, the
control's verdict, what caught it (invariant, linearizability, progress,
differential, harness, throw, panic) and, with -mode-budget, one column per
run mode (atomic, deterministic, free, systematic): the seconds to
detection with the search narrowed to that mode, "-" if not caught within
the mode budget. A systematic case runs every schedule of a small
workload with at most two preemptions (iterative context bounding), so an
interleaving-only fault it catches is caught with the fewest context
switches.

Exit codes: 0 every fault was caught with a passing control and the null
mutant was not; 1 otherwise; 2 bad flags; 3 unknown: a row's -budget
ended before its first case was judged (the row says NOT RUN) or a
signal stopped the table (INTERRUPTED), and no other row failed.

Flags:
`

func runMutants(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mutants", flag.ContinueOnError)
	jsonOut := fs.Bool("json", false, "print a JSON list of {\"fault\", \"caught\", \"seconds\", \"steps\", ...}")
	budget := fs.Duration("budget", 60*time.Second, "search budget per fault (the null mutant runs all of it)")
	checks := fs.Int("checks", 50000, "bound on the cases per fault, as TestMutants (the -budget bounds the time)")
	seed := fs.Uint64("seed", 1, "rapid seed")
	quiet := fs.Bool("q", false, "no progress lines on stderr")
	modeBudget := fs.Duration("mode-budget", 5*time.Second, "search budget per fault and run mode for the per-mode columns (0: no per-mode columns)")
	shrink := fs.Duration("shrink", 10*time.Second, "time bound on shrinking each counterexample (rapid's, then the minimizer's; a shorter bound can leave more steps; 0: no shrinking, as check's -shrink 0)")
	var faults faultList
	fs.Var(&faults, "fault", "only this fault `NAME` (repeatable or comma-separated; default: every fault)")
	fs.Usage = func() {
		fmt.Fprint(stderr, mutantsHelp)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, "mutants", args, stderr); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "gexit mutants: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	switch {
	case *budget <= 0:
		fmt.Fprintf(stderr, "gexit mutants: -budget must be positive, have %v\n", *budget)
		return exitUsage
	case *modeBudget < 0:
		fmt.Fprintf(stderr, "gexit mutants: -mode-budget must not be negative, have %v\n", *modeBudget)
		return exitUsage
	case *checks < 1:
		fmt.Fprintf(stderr, "gexit mutants: -checks must be >= 1, have %d\n", *checks)
		return exitUsage
	case *shrink < 0:
		fmt.Fprintf(stderr, "gexit mutants: -shrink must not be negative, have %v\n", *shrink)
		return exitUsage
	}
	o := checker.MutantOptions{Budget: *budget, Checks: *checks, Seed: *seed, Faults: faults, ModeBudget: *modeBudget, Shrink: *shrink}
	if *shrink == 0 {
		o.Shrink = -1 // MutantOptions: none
	}
	if !*jsonOut && !*quiet {
		o.Progress = func(r checker.MutantResult) {
			state := "NOT CAUGHT"
			switch {
			case r.Interrupted:
				state = "interrupted"
			case r.Caught:
				state = fmt.Sprintf("caught in %.2fs", r.Seconds)
			}
			fmt.Fprintf(stderr, "mutants: %s: %s (%d cases)\n", r.Fault, state, r.Cases)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o.Context = ctx
	rows := checker.Mutants(o)
	interrupted := ctx.Err() != nil
	code := exitOK
	caught, faultRows, notRun := 0, 0, 0
	for _, r := range rows {
		if r.NullCaught() {
			code = exitViolation
			continue
		}
		if r.Undecided() {
			// Unknown, unless a row that ran says more.
			notRun++
			if !r.Null {
				faultRows++
			}
			continue
		}
		switch {
		case r.Null:
			if r.Caught {
				code = exitViolation
			}
		default:
			faultRows++
			if r.Caught && r.Control == checker.Ok.String() {
				caught++
			} else {
				code = exitViolation
			}
		}
	}
	if (notRun > 0 || interrupted) && code == exitOK {
		code = exitUnknown
	}
	if *jsonOut {
		if rows == nil {
			rows = []checker.MutantResult{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			fmt.Fprintf(stderr, "gexit mutants: %v\n", err)
			return exitUsage
		}
		return code
	}
	w := len("fault")
	for _, r := range rows {
		w = max(w, len(r.Fault))
	}
	modeCols := ""
	if *modeBudget > 0 {
		for _, m := range checker.MutantModes {
			modeCols += fmt.Sprintf("  %13s", m)
		}
	}
	fmt.Fprintf(stdout, "%-*s  %-6s  %8s  %5s  %-7s%s  %s\n", w, "fault", "caught", "seconds", "steps", "control", modeCols, "caught by")
	for _, r := range rows {
		cols := ""
		if r.Modes != nil {
			for _, m := range checker.MutantModes {
				mr := r.Modes[m]
				if mr.Caught {
					cols += fmt.Sprintf("  %12.2fs", mr.Seconds)
				} else {
					cols += fmt.Sprintf("  %13s", "-")
				}
			}
		}
		if r.Undecided() {
			why := "NOT RUN: the -budget ended before its first case was judged"
			switch {
			case r.Interrupted:
				why = fmt.Sprintf("INTERRUPTED after %d cases", r.Cases)
			case r.Unjudged > 0:
				why = fmt.Sprintf("UNDECIDED: %d of its %d cases unknown or not run by the harness", r.Unjudged, r.Cases)
			}
			fmt.Fprintf(stdout, "%-*s  %-6s  %8s  %5s  %-7s%s  %s\n", w, r.Fault, "-", "-", "-", "-", cols, why)
			continue
		}
		if !r.Caught {
			what := fmt.Sprintf("(%d cases)", r.Cases)
			switch {
			case r.NullCaught():
				what = "FALSE POSITIVE: a mode's column caught the null mutant"
			case r.Null:
				what = fmt.Sprintf("(%d cases, none failed: the null mutant must pass)", r.Cases)
			}
			fmt.Fprintf(stdout, "%-*s  %-6s  %8s  %5s  %-7s%s  %s\n", w, r.Fault, "NO", "-", "-", "-", cols, what)
			continue
		}
		ctl := r.Control
		if len(ctl) > 7 {
			ctl = "FAILS"
		}
		what := r.Kind + ": " + r.Name
		if r.Null {
			what = "FALSE POSITIVE: " + what
		}
		fmt.Fprintf(stdout, "%-*s  %-6s  %8.2f  %5d  %-7s%s  %s\n", w, r.Fault, "yes", r.Seconds, r.Steps, ctl, cols, what)
		if r.Control != checker.Ok.String() {
			fmt.Fprintf(stdout, "%-*s  control: %s\n", w, "", r.Control)
		}
	}
	falsePositive := false
	for _, r := range rows {
		falsePositive = falsePositive || r.NullCaught()
	}
	for _, r := range rows {
		if r.FalsePositive != "" {
			fmt.Fprintf(stdout, "\n%s: the correct implementation failed (the case, to replay or fix):\n%s", r.Fault, r.FalsePositive)
		}
	}
	null := "not caught"
	switch {
	case falsePositive:
		null = "CAUGHT (false positive)"
	case rows != nil && rows[0].Null && rows[0].Interrupted:
		null = "interrupted"
	case rows != nil && rows[0].Null && rows[0].Cases == 0:
		null = "not run"
	case rows != nil && rows[0].Null && rows[0].Undecided():
		null = "undecided"
	}
	fmt.Fprintf(stdout, "%d of %d faults caught with a passing control; null mutant %s\n", caught, faultRows, null)
	if notRun > 0 {
		fmt.Fprintf(stdout, "%d rows not run, interrupted or undecided: the table is incomplete\n", notRun)
	}
	if interrupted {
		fmt.Fprintf(stdout, "interrupted: stopped by a signal; rows not started are not listed\n")
	}
	return code
}
