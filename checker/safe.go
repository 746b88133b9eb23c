package checker

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gexit-dev/gexit/impl"
)

// Panics in the harness's own code are verdicts, not crashes: a campaign
// that found a counterexample must never lose it to a bug in gexit, and a
// replay must never report a gexit bug as bad input.

// JudgeSafe is Judge that never panics and never returns an error: a
// case whose configuration Judge rejects is a harness failure (kind
// "harness"), and a panic while judging is one too (kind
// "harness-panic"), both Illegal, with the case and history kept so that
// the bundle can be written and the bug reproduced.
func JudgeSafe(ctx context.Context, c Case, res *impl.Result, budget time.Duration) (o *Outcome) {
	fallback := &Outcome{Case: c, At: -1, Coverage: NewCoverage(), Run: res}
	if res != nil {
		fallback.History = res.History
	}
	defer recoverHarness(fallback, &o)
	if judgeHook != nil {
		judgeHook()
	}
	out, err := Judge(ctx, c, res, budget)
	if err != nil {
		fallback.Verdict, fallback.Kind, fallback.Name, fallback.Detail = Illegal, "harness", "the case cannot be judged", err.Error()
		return fallback
	}
	return out
}

// recoverHarness, deferred, turns a panic into an Illegal outcome of kind
// "harness-panic" in o (and *into, when not nil).
func recoverHarness(o *Outcome, into **Outcome) {
	r := recover()
	if r == nil {
		return
	}
	o.Verdict, o.Kind, o.At = Illegal, "harness-panic", -1
	o.Name = shortPanic(r)
	o.Detail = fmt.Sprintf("gexit panicked while judging this case (a bug in gexit, not in the implementation): %v\n%s", r, trimStack(debug.Stack()))
	o.Info = nil
	if into != nil {
		*into = o
	}
}

// shortPanic is a one-line form of a panic value, for verdict names.
func shortPanic(r any) string {
	s := firstLine(fmt.Sprint(r))
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}

// trimStack keeps the first frames of a stack trace.
func trimStack(b []byte) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 40 {
		lines = append(lines[:40], "...")
	}
	return strings.Join(lines, "\n")
}

// judgeHook, when set (by tests), runs before Judge: the planted harness
// bug that the "harness-panic" verdict must catch.
var judgeHook func()
