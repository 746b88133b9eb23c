package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/gexit-dev/gexit/checker"
)

func init() {
	register(&command{name: "mutants", summary: "check that the harness catches every planted fault", run: runMutants})
}

const mutantsHelp = `Usage: gexit mutants [flags]

For every fault of the implementation (gexit faults), switches it on and
runs the property (generated cases judged by the spec) until it fails or
the -budget is spent, then shrinks the counterexample. Prints a table:
the fault, whether it was caught, the seconds to detection (before
shrinking), the program steps of the shrunk counterexample, and what
caught it (invariant, linearizability, differential, harness, throw,
panic).

Exit codes: 0 every fault was caught; 1 some fault was not; 2 bad flags.

Flags:
`

func runMutants(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mutants", flag.ContinueOnError)
	jsonOut := fs.Bool("json", false, "print a JSON list of {\"fault\", \"caught\", \"seconds\", \"steps\", ...}")
	budget := fs.Duration("budget", 10*time.Second, "search budget per fault")
	checks := fs.Int("checks", 2000, "bound on the cases per fault")
	seed := fs.Uint64("seed", 1, "rapid seed")
	quiet := fs.Bool("q", false, "no progress lines on stderr")
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
	case *checks < 1:
		fmt.Fprintf(stderr, "gexit mutants: -checks must be >= 1, have %d\n", *checks)
		return exitUsage
	}
	o := checker.MutantOptions{Budget: *budget, Checks: *checks, Seed: *seed, Faults: faults}
	if !*jsonOut && !*quiet {
		o.Progress = func(r checker.MutantResult) {
			state := "NOT CAUGHT"
			if r.Caught {
				state = fmt.Sprintf("caught in %.2fs", r.Seconds)
			}
			fmt.Fprintf(stderr, "mutants: %s: %s (%d cases)\n", r.Fault, state, r.Cases)
		}
	}
	rows := checker.Mutants(o)
	code := exitOK
	caught := 0
	for _, r := range rows {
		if r.Caught {
			caught++
		} else {
			code = exitViolation
		}
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
	fmt.Fprintf(stdout, "%-*s  %-6s  %8s  %5s  %s\n", w, "fault", "caught", "seconds", "steps", "caught by")
	for _, r := range rows {
		if !r.Caught {
			fmt.Fprintf(stdout, "%-*s  %-6s  %8s  %5s  %s\n", w, r.Fault, "NO", "-", "-", fmt.Sprintf("(%d cases)", r.Cases))
			continue
		}
		fmt.Fprintf(stdout, "%-*s  %-6s  %8.2f  %5d  %s: %s\n", w, r.Fault, "yes", r.Seconds, r.Steps, r.Kind, r.Name)
	}
	fmt.Fprintf(stdout, "%d of %d faults caught\n", caught, len(rows))
	return code
}
