package checker

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gexit-dev/gexit/impl"
	"pgregory.net/rapid"
)

// Property is the harness's property over drawn cases: run the case on the
// implementation (RunSafe: a panic is an outcome, never the end of the
// search) and judge it by the spec. It reports every run's outcome to onRun
// and every failing run's to onFail (the last call is rapid's replay of
// the minimal case). Only an illegal verdict fails the property: an
// unknown one (a check out of its budget) and a harness outcome (the case
// could not be run) are not the implementation's failure, and a search
// that stopped at them would have tested nothing after them; onRun sees
// them, and the caller counts them (Unjudged).
func Property(o DrawOptions, budget time.Duration, onRun func(*Outcome), onFail func(*Outcome)) func(*rapid.T) {
	return func(t *rapid.T) {
		c := DrawCase(t, o)
		out := RunSafe(context.Background(), c, budget)
		if onRun != nil {
			onRun(out)
		}
		if out.Verdict == Illegal && !Unjudged(out) {
			if onFail != nil {
				onFail(out)
			}
			t.Fatalf("%s", TextReport(out))
		}
	}
}

// Unjudged reports whether an outcome says nothing of the implementation:
// its verdict is unknown, or the harness could not run or judge the case.
func Unjudged(out *Outcome) bool {
	return out.Verdict == Unknown || out.Kind == "harness" || out.Kind == "harness-panic"
}

// rapidMu serializes runs that change rapid's settings.
var rapidMu sync.Mutex

// The host program's flags. rapid reads its settings from flags it
// registers on flag.CommandLine at init (rapid.checks, rapid.seed, ...),
// and rapid.Check calls testing.Short, which panics unless the testing
// flags are registered (testing.Init) and flag.Parsed() is true. Outside
// go test, checker must not touch the host program's flag set for that:
// testing.Init would add the test.* flags to it, and parsing it would make
// flag.Parsed() true before the host parsed its own flags. So:
//
//   - the testing flags are registered once on a private FlagSet (by
//     swapping flag.CommandLine around testing.Init, which registers on
//     whatever flag.CommandLine is), and that set is parsed empty;
//   - when the host has not parsed its flags yet, flag.CommandLine is the
//     private set only from the start of rapid.Check until its first call
//     of the property (testing.Short runs in between), then restored;
//   - rapid's own settings are set on rapid's flags for the length of a
//     run and restored after it.
//
// The host's flag set thus ends every RapidRun as it was: the same flags,
// the same values, the same Parsed(). The swap is a plain assignment to a
// package variable, made under rapidMu; a host goroutine that reads
// flag.CommandLine during the few microseconds of rapid's start-up sees
// the private set.
var (
	testingFlags     *flag.FlagSet
	testingFlagsOnce sync.Once
)

func initTestingFlags() {
	testingFlagsOnce.Do(func() {
		if testing.Testing() {
			return // go test registered and parsed them
		}
		private := flag.NewFlagSet("gexit-rapid", flag.ContinueOnError)
		host := flag.CommandLine
		flag.CommandLine = private
		testing.Init()
		flag.CommandLine = host
		_ = private.Parse(nil)
		testingFlags = private
	})
}

// RapidRun runs prop under rapid with checks cases from seed, outside any
// go test: failures are captured, not reported to a testing.T. It returns
// whether a failure was found and rapid's log (the shrunk case's labelled
// draws). Fail files are not written. The host program's flags are left
// as they were (see above).
func RapidRun(name string, checks int, seed uint64, shrink time.Duration, prop func(*rapid.T)) (failed bool, log string) {
	rapidMu.Lock()
	defer rapidMu.Unlock()
	initTestingFlags()
	if testing.Testing() && testing.Short() {
		// rapid runs a fifth of its checks under go test -short; a
		// campaign's batch must be the cases it was drawn for.
		checks *= 5
	}
	restore := setRapidFlags(map[string]string{
		"rapid.checks":     fmt.Sprint(checks),
		"rapid.seed":       fmt.Sprint(seed),
		"rapid.nofailfile": "true",
		"rapid.shrinktime": shrink.String(),
		"rapid.failfile":   "",
	})
	defer restore()
	host := flag.CommandLine
	swapped := false
	if testingFlags != nil && !host.Parsed() {
		flag.CommandLine, swapped = testingFlags, true
	}
	var once sync.Once
	unswap := func() {
		once.Do(func() {
			if swapped {
				flag.CommandLine = host
			}
		})
	}
	defer unswap()
	wrapped := func(t *rapid.T) {
		unswap() // testing.Short has run
		prop(t)
	}
	tb := &captureTB{name: name}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil && r != errFailNow {
				tb.failed = true
				tb.logs = append(tb.logs, fmt.Sprint("panic: ", r))
			}
		}()
		rapid.Check(tb, wrapped)
	}()
	<-done
	return tb.failed, strings.Join(tb.logs, "\n")
}

// setRapidFlags sets rapid's flags (wherever rapid registered them: on the
// host's flag.CommandLine of its init) and returns what restores them.
func setRapidFlags(vals map[string]string) func() {
	old := map[string]string{}
	for k, v := range vals {
		f := flag.Lookup(k)
		if f == nil {
			continue
		}
		old[k] = f.Value.String()
		_ = f.Value.Set(v)
	}
	return func() {
		for k, v := range old {
			_ = flag.Lookup(k).Value.Set(v)
		}
	}
}

var errFailNow = fmt.Errorf("rapid: FailNow")

// captureTB is a rapid.TB that records instead of failing a test.
type captureTB struct {
	name    string
	failed  bool
	skipped bool
	logs    []string
}

func (t *captureTB) Helper()      {}
func (t *captureTB) Name() string { return t.name }
func (t *captureTB) Logf(format string, args ...any) {
	t.logs = append(t.logs, fmt.Sprintf(format, args...))
}
func (t *captureTB) Log(args ...any) { t.logs = append(t.logs, fmt.Sprint(args...)) }
func (t *captureTB) Skipf(format string, args ...any) {
	t.skipped = true
	runtime.Goexit()
}
func (t *captureTB) Skip(args ...any) { t.skipped = true; runtime.Goexit() }
func (t *captureTB) SkipNow()         { t.skipped = true; runtime.Goexit() }
func (t *captureTB) Errorf(format string, args ...any) {
	t.failed = true
	t.logs = append(t.logs, fmt.Sprintf(format, args...))
}
func (t *captureTB) Error(args ...any) { t.failed = true; t.logs = append(t.logs, fmt.Sprint(args...)) }
func (t *captureTB) Fatalf(format string, args ...any) {
	t.Errorf(format, args...)
	panic(errFailNow)
}
func (t *captureTB) Fatal(args ...any) { t.Error(args...); panic(errFailNow) }
func (t *captureTB) FailNow()          { t.failed = true; panic(errFailNow) }
func (t *captureTB) Fail()             { t.failed = true }
func (t *captureTB) Failed() bool      { return t.failed }

// MutantResult is one row of the mutation table.
type MutantResult struct {
	Fault       string  `json:"fault"`
	Description string  `json:"description"`
	Caught      bool    `json:"caught"`
	Seconds     float64 `json:"seconds"` // to detection (before shrinking)
	Steps       int     `json:"steps"`   // program steps of the shrunk counterexample
	Switches    int     `json:"switches"`
	Cases       int     `json:"cases"`
	Kind        string  `json:"kind,omitempty"` // what caught it: invariant, linearizability, progress, ...
	Name        string  `json:"name,omitempty"`
	// Control is the verdict of the minimized counterexample re-run with
	// the fault off ("ok": the counterexample is the fault's). Empty when
	// nothing was caught.
	Control string `json:"control,omitempty"`
	// Modes: the same search narrowed to one run mode at a time (atomic,
	// deterministic, free), each with MutantOptions.ModeBudget.
	Modes map[string]ModeResult `json:"modes,omitempty"`
	// Null marks the null mutant: no fault at all. It must never be
	// caught; if it is, the harness reports violations of a correct
	// implementation.
	Null bool `json:"null,omitempty"`
	// Interrupted: MutantOptions.Context ended while the row ran, before
	// it was caught: neither caught nor passed.
	Interrupted bool `json:"interrupted,omitempty"`
	// Unjudged counts the cases of Cases whose outcome said nothing of
	// the implementation (Unjudged: unknown, or a harness error).
	Unjudged int      `json:"unjudged,omitempty"`
	Outcome  *Outcome `json:"-"`
	// FalsePositive is the report (TextReport) of a case the correct
	// implementation failed: the null row's catch, or a control run that
	// failed with the fault off. It is the one counterexample a table
	// must never lose (a review found the table kept only its kind and
	// name).
	FalsePositive string `json:"falsePositiveReport,omitempty"`
}

// Undecided reports whether the row judged nothing it can be held to:
// not caught, and its budget ended before its first case, a signal
// stopped it, or no case it ran was judged; for the null row, any case
// not judged (a clean row must judge every case it ran). Such a row is
// neither a catch nor a pass.
func (r *MutantResult) Undecided() bool {
	return !r.Caught && (r.Cases == 0 || r.Interrupted || r.Unjudged == r.Cases || r.Null && r.Unjudged > 0)
}

// NullCaught reports whether the null row was caught, in its search or in
// a mode's column: the harness failed a correct implementation.
func (r *MutantResult) NullCaught() bool {
	if !r.Null {
		return false
	}
	for _, m := range r.Modes {
		if m.Caught {
			return true
		}
	}
	return r.Caught
}

// ModeResult is one mode's column of a mutation table row.
type ModeResult struct {
	Caught  bool    `json:"caught"`
	Seconds float64 `json:"seconds"`
	Cases   int     `json:"cases"`
}

// NullMutant is the name of the mutation table's null row.
const NullMutant = "null"

// NullFreeMutant is the null row in free-running mode alone, the clean
// control of what only that mode can catch (the free-only faults, judged
// by the harness's lost-wakeup rescue): in the table when a free-only
// fault is.
const NullFreeMutant = "null-free"

// MutantModes are the run modes of the per-mode columns.
var MutantModes = []string{"atomic", "deterministic", "free", "systematic"}

// MutantOptions configure a mutation campaign.
type MutantOptions struct {
	// Budget bounds the search for each fault (default 30s).
	Budget time.Duration
	// Checks bounds the cases per fault (default 20,000; Budget bounds
	// the time).
	Checks int
	// Shrink bounds rapid's minimization of each counterexample, and
	// then Minimize's (default 10s; negative: none, each counterexample
	// as found).
	Shrink time.Duration
	// NullBudget, when positive, bounds the null mutant's search instead
	// of Budget: its row is judged by what it ran (never caught), so a
	// shorter search costs assurance, never a verdict.
	NullBudget time.Duration
	Seed       uint64
	// Faults to try; empty: every impl fault. The null mutant (no fault)
	// is always the first row.
	Faults []string
	// ModeBudget, when positive, adds the per-mode columns: the search
	// repeated in each of MutantModes alone, bounded by ModeBudget.
	ModeBudget time.Duration
	// Progress is called after each row.
	Progress func(MutantResult)
	// Context, when it ends (a signal), stops the table: the row in
	// progress is Interrupted unless it was caught, and no row starts
	// after it. nil: none.
	Context context.Context
}

// Mutants runs the null mutant, then, for every fault, the property with
// that fault switched on, and reports whether it was caught, how fast,
// the size of the shrunk counterexample and the control run's verdict.
func Mutants(o MutantOptions) []MutantResult {
	if o.Budget == 0 {
		o.Budget = 30 * time.Second
	}
	if o.Checks == 0 {
		o.Checks = 20000
	}
	switch {
	case o.Shrink == 0:
		o.Shrink = 10 * time.Second
	case o.Shrink < 0:
		o.Shrink = 0 // rapid's and Minimize's deadlines are now
	}
	want := map[string]bool{}
	for _, f := range o.Faults {
		want[f] = true
	}
	infos := []impl.FaultInfo{{Name: NullMutant, Description: "no fault: a correct implementation, which must never be caught"}}
	for _, fi := range impl.Faults() {
		if fi.FreeOnly && (len(want) == 0 || want[fi.Name]) {
			infos = append(infos, impl.FaultInfo{Name: NullFreeMutant, FreeOnly: true,
				Description: "no fault, free-running only: the clean control of the free-only faults' catch (the lost-wakeup rescue)"})
			break
		}
	}
	infos = append(infos, impl.Faults()...)
	if o.Context == nil {
		o.Context = context.Background()
	}
	var out []MutantResult
	for _, fi := range infos {
		if o.Context.Err() != nil {
			break
		}
		null := fi.Name == NullMutant || fi.Name == NullFreeMutant
		if len(want) > 0 && !want[fi.Name] && !null {
			continue
		}
		var faults []string
		if !null {
			faults = []string{fi.Name}
		}
		r := MutantResult{Fault: fi.Name, Description: fi.Description, Null: null}
		budget := o.Budget
		if null && o.NullBudget > 0 {
			budget = o.NullBudget
		}
		var modes []string // the property's default: deterministic, atomic
		if fi.FreeOnly {
			modes = []string{"free"}
		}
		found := searchMutant(o, faults, modes, budget)
		r.Cases, r.Unjudged = found.cases, found.unjudged
		if found.out != nil {
			last := Minimize(o.Context, found.out, time.Second, time.Now().Add(o.Shrink))
			r.Caught = true
			r.Seconds = found.seconds
			r.Steps = last.Case.Steps
			r.Switches = Switches(last.History)
			r.Kind, r.Name = last.Kind, last.Name
			r.Outcome = last
			cs := cloneCase(last.Case)
			cs.Faults = nil
			ctl := RunSafe(context.Background(), cs, time.Second)
			r.Control = ctl.Verdict.String()
			if ctl.Verdict == Illegal {
				r.Control += " (" + ctl.Kind + ": " + ctl.Name + ")"
				r.FalsePositive = TextReport(ctl)
			}
			if r.Null {
				r.FalsePositive = TextReport(last)
			}
		}
		if o.ModeBudget > 0 {
			r.Modes = map[string]ModeResult{}
			for _, mode := range MutantModes {
				m := searchMutant(o, faults, []string{mode}, o.ModeBudget)
				r.Modes[mode] = ModeResult{Caught: m.out != nil, Seconds: m.seconds, Cases: m.cases}
				if r.Null && m.out != nil && r.FalsePositive == "" {
					r.FalsePositive = TextReport(m.out)
				}
			}
		}
		if o.Context.Err() != nil && !r.Caught {
			// Stopped before it was caught: not a row that passed.
			r.Interrupted = true
		}
		if o.Progress != nil {
			o.Progress(r)
		}
		out = append(out, r)
	}
	return out
}

type mutantSearch struct {
	out      *Outcome // the failing case rapid shrank to, nil if none
	seconds  float64  // to the first failure
	cases    int      // cases run until the first failure (or in all)
	unjudged int      // of cases, those Unjudged
}

// searchMutant runs the property with faults on, drawing modes (nil: the
// property's default), until it fails or budget is spent.
func searchMutant(o MutantOptions, faults, modes []string, budget time.Duration) mutantSearch {
	var res mutantSearch
	start := time.Now()
	var first time.Duration
	var last *Outcome
	deadline := start.Add(budget)
	prop := Property(DrawOptions{Faults: faults, Modes: modes, MinMs: 1, MaxMs: 3}, time.Second,
		func(out *Outcome) {
			if first == 0 {
				res.cases++ // cases run until the first failure
				if Unjudged(out) {
					res.unjudged++
				}
			}
		},
		func(out *Outcome) {
			if first == 0 {
				first = time.Since(start)
			}
			last = out
		})
	guarded := func(t *rapid.T) {
		if first == 0 && time.Now().After(deadline) {
			t.Skip("budget spent")
		}
		skipWhenStopped(t, o.Context)
		prop(t)
	}
	name := "mutant/" + strings.Join(append(append([]string{}, faults...), modes...), "/")
	failed, _ := RapidRun(name, o.Checks, o.Seed+1, o.Shrink, guarded)
	if failed && last != nil && last.Verdict == Illegal {
		res.out = last
		res.seconds = first.Seconds()
	}
	return res
}

// Switches counts the context switches between actors in a history.
func Switches(h []impl.Event) int {
	n := 0
	for i := 1; i < len(h); i++ {
		if h[i].M != h[i-1].M {
			n++
		}
	}
	return n
}
