package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gexit-dev/gexit/checker"
)

func init() {
	register(&command{name: "replay", summary: "re-run a violation bundle, or re-judge a saved history.json", run: runReplay})
}

const replayHelp = `Usage: gexit replay [flags] PATH

PATH is a bundle directory written by "gexit check" (or its case.json), or
a history.json file.

A bundle: the case in case.json (configuration, workload, schedule,
faults) runs again on the implementation and is judged by the spec. In
the deterministic, atomic and systematic modes the run is a function of
the case, so it must reproduce the recorded verdict, kind and name;
anything else, a pass included (the bug was fixed, or the bundle edited),
is reported as a failure to reproduce (exit 1). A free-running case may or
may not hit the same interleaving again: when it does not, the bundle's
history.json (the recorded run) is re-judged instead, and its verdict is
the replay's, so a recorded violation is never replayed as a pass. A
free-running bundle that did not reproduce and whose history.json is
missing or broken exits 2.

A history.json: the saved history is re-judged without running anything,
which reproduces the recorded verdict in every mode. With its "final"
observation (bundles have one) the judgement is the full one (harness
violations, the timeout flag, the atomic mode's per-op differential,
invariants on the final state, linearizability ending in it); without it,
linearizability of the history alone. A panic in gexit while judging is
reported as a violation of kind "harness-panic" (exit 1), never as bad
input.

A bundle whose recorded verdict is unknown (gexit check writes the first
history undecided within its budget as -out/unknown-<seed>-<k>) is what
a longer -budget is for: a replay that decides it reports "decided" and
exits by the verdict it reached (0 ok, 1 a violation).

Nothing is written.

Exit codes: 0 the replay passed; 1 a violation (or a deterministic case
that did not reproduce its recorded verdict); 2 bad usage or bad input (a
missing, empty, truncated, malformed or wrong-version file, a directory
without a bundle); 3 unknown: the check ran out of its budget.

Flags:
`

func runReplay(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	jsonOut := fs.Bool("json", false, "print one JSON object instead of the text report")
	budget := fs.Duration("budget", 10*time.Second, "time budget of the linearizability check (out of it: unknown)")
	fs.Usage = func() {
		fmt.Fprint(stderr, replayHelp)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, "replay", args, stderr); !ok {
		return code
	}
	if fs.NArg() != 1 {
		hint := ""
		for i, a := range fs.Args() {
			if i > 0 && strings.HasPrefix(a, "-") {
				hint = " (flags go before PATH)"
				break
			}
		}
		fmt.Fprintf(stderr, "gexit replay: want one PATH (a bundle directory, its case.json or a history.json), have %d arguments%s\n", fs.NArg(), hint)
		return exitUsage
	}
	if *budget <= 0 {
		fmt.Fprintf(stderr, "gexit replay: -budget must be positive, have %v\n", *budget)
		return exitUsage
	}
	rp, err := checker.ReplayPath(context.Background(), fs.Arg(0), *budget)
	if err != nil {
		fmt.Fprintf(stderr, "gexit replay: %v\n", err)
		return exitUsage
	}
	if rp.HistoryErr != nil {
		// The recorded run is lost: the re-run's pass says nothing of it.
		fmt.Fprintf(stderr, "gexit replay: the free-running case ran again and did not reproduce its recorded verdict (%s, replay's %s), and the recorded run cannot be judged: %v\n",
			rp.Recorded.Verdict, rp.Outcome.Verdict, rp.HistoryErr)
		return exitUsage
	}
	o, recorded, mustReproduce, reproduced := rp.Outcome, rp.Recorded, rp.Deterministic, rp.Reproduced
	source := rp.Source
	if !rp.FinalObservation {
		source += " (no final observation: linearizability only)"
	}
	code := exitOK
	switch o.Verdict {
	case checker.Illegal:
		code = exitViolation
	case checker.Unknown:
		code = exitUnknown
	}
	// A re-judged history, and a re-run of a deterministic case, are
	// functions of the saved data: not reproducing is a violation of
	// gexit's own (a changed harness, spec or implementation, or an
	// edited bundle), whatever the replay's own verdict.
	// A recorded unknown (the check ran out of its budget) that the
	// replay decides is that decision, not a failure to reproduce: it is
	// what a longer -budget is for.
	// Only of the recorded history itself, undecided within a budget
	// (else a changed harness or an edited bundle would pass as decided).
	decided := recorded != nil && recorded.Verdict == checker.Unknown.String() && recorded.Name == checker.Undecided &&
		o.Verdict != checker.Unknown && (rp.Source == "history" || rp.Source == "bundle history")
	differs := recorded != nil && !reproduced && mustReproduce && o.Verdict != checker.Unknown && !decided
	if differs {
		code = exitViolation
	}
	if *jsonOut {
		out := map[string]any{"path": fs.Arg(0), "source": source, "verdict": o.Verdict.String(), "kind": o.Kind,
			"name": o.Name, "detail": o.Detail, "at": o.At, "ops": o.Ops(), "mode": o.Case.Mode, "exit": code}
		if recorded != nil {
			out["recorded"] = recorded
			out["reproduced"] = reproduced
			if decided {
				out["decided"] = true
			}
		}
		if differs {
			// The replay's verdict is no verdict on the case: it is
			// kept as "replayed", and the JSON's verdict is the one
			// its exit code gives.
			out["replayed"] = map[string]any{"verdict": o.Verdict.String(), "kind": o.Kind, "name": o.Name, "detail": o.Detail}
			out["verdict"], out["kind"], out["name"] = checker.Illegal.String(), "not-reproduced", "deterministic replay differs from the recording"
			out["detail"] = fmt.Sprintf("recorded %s, replayed %s", describeVerdict(recorded.Verdict, recorded.Kind, recorded.Name), describeVerdict(o.Verdict.String(), o.Kind, o.Name))
		}
		if rp.ReRun != nil {
			out["rerun"] = map[string]any{"verdict": rp.ReRun.Verdict.String(), "kind": rp.ReRun.Kind, "name": rp.ReRun.Name}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "gexit replay: %v\n", err)
		}
		return code
	}
	if rp.ReRun != nil {
		fmt.Fprintf(stdout, "the free-running case ran again and took another interleaving (verdict %s); its recorded run (history.json) is re-judged\n", rp.ReRun.Verdict)
	}
	fmt.Fprintf(stdout, "replay of %s: %s\n", source, fs.Arg(0))
	fmt.Fprint(stdout, checker.TextReport(o))
	if recorded != nil {
		was := describeVerdict(recorded.Verdict, recorded.Kind, recorded.Name)
		switch {
		case reproduced:
			fmt.Fprintf(stdout, "reproduced: the recorded verdict was %s\n", was)
		case o.Verdict == checker.Unknown:
			fmt.Fprintf(stdout, "not judged: the check ran out of its budget (-budget %v); the recorded verdict was %s\n", *budget, was)
		case decided:
			fmt.Fprintf(stdout, "decided: the recorded verdict was %s; within -budget %v the check decides it\n", was, *budget)
		case mustReproduce:
			fmt.Fprintf(stdout, "NOT REPRODUCED: the recorded verdict was %s, the replay's is %s. This replay is deterministic: the harness, the spec or the implementation changed since the bundle was written, or the bundle was edited\n",
				was, describeVerdict(o.Verdict.String(), o.Kind, o.Name))
		default:
			fmt.Fprintf(stdout, "not reproduced: the recorded verdict was %s (mode free: the interleaving may differ; replay history.json to re-judge the recorded run)\n", was)
		}
	}
	if differs {
		fmt.Fprintf(stdout, "verdict: %s (not reproduced)\n", verdictName(code))
		return code
	}
	fmt.Fprintf(stdout, "verdict: %s\n", verdictName(code))
	return code
}

// describeVerdict is a verdict with its kind and name, when it has them.
func describeVerdict(verdict, kind, name string) string {
	switch {
	case kind != "" && name != "":
		return fmt.Sprintf("%s (%s: %s)", verdict, kind, name)
	case kind != "":
		return fmt.Sprintf("%s (%s)", verdict, kind)
	}
	return verdict
}

func unwrapErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
