package checker

import (
	"fmt"
	"math"
	"runtime/debug"
	"slices"
	"sort"
	"strings"

	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/spec"
)

// ReportStep is one numbered step of a counterexample: who did what, what
// the implementation observed, and the spec state change it made.
type ReportStep struct {
	N       int      `json:"n"`
	Event   int      `json:"event"` // index in the history
	Actor   string   `json:"actor"`
	Op      string   `json:"op"`
	G       int      `json:"g"`
	Result  string   `json:"result"`
	Changes []string `json:"changes,omitempty"`
	// Failed marks the step the spec refuses (or whose result differs).
	Failed bool   `json:"failed,omitempty"`
	Why    string `json:"why,omitempty"`
}

// Explain replays the history on the spec in the order that explains it
// best: porcupine's longest linearizable prefix then the op that cannot
// follow, for linearizability failures; the order of calls otherwise. Each
// step carries the spec state change it made.
// A history it cannot replay gives no steps, never a panic.
func Explain(o *Outcome) (steps []ReportStep) {
	defer func() {
		if recover() != nil {
			steps = nil
		}
	}()
	steps, _ = explain(o)
	return steps
}

// explain is Explain, also returning the spec state the replay reached.
func explain(o *Outcome) ([]ReportStep, *spec.State) {
	if o == nil || len(o.History) == 0 {
		return nil, nil
	}
	cfg, err := o.Case.ImplConfig()
	if err != nil {
		return nil, nil
	}
	scfg := SpecConfig(cfg)
	order := make([]int, 0, len(o.History))
	if o.Kind == "linearizability" && o.Info != nil {
		// The prefix firstUnlinearizable chose (the final observation,
		// one past the history, is called last).
		call := func(i int) int64 {
			if i < len(o.History) {
				return o.History[i].Call
			}
			return math.MaxInt64
		}
		if best, _ := longestPrefix(*o.Info, len(o.History)+1, call); best != nil {
			for _, i := range best {
				if i >= 0 && i < len(o.History) {
					order = append(order, i)
				}
			}
			// o.At comes from porcupine's answer: it may name the closing
			// observation (one past the history) or be stale; only an
			// event of this history that is not already in the prefix
			// is appended.
			if o.At >= 0 && o.At < len(o.History) && !slices.Contains(order, o.At) {
				order = append(order, o.At)
			}
		}
	}
	if len(order) == 0 {
		for i := range o.History {
			order = append(order, i)
		}
		sort.SliceStable(order, func(a, b int) bool { return o.History[order[a]].Call < o.History[order[b]].Call })
	}
	s, err := spec.New(scfg)
	if err != nil {
		return nil, nil
	}
	var steps []ReportStep
	iso := Isolated(o.History)
	for n, i := range order {
		e := &o.History[i]
		st := ReportStep{N: n + 1, Event: i, Actor: actorName(e.M), G: e.Out.G}
		op, err := strictOp(e, iso[i])
		if err != nil {
			st.Op, st.Failed, st.Why = e.Op, true, err.Error()
			steps = append(steps, st)
			break
		}
		st.Result = describeOutput(e)
		before := s.Clone()
		op, why, aerr := applyEvent(s, op, e)
		st.Op = op.String()
		if why != "" {
			st.Failed, st.Why = true, why
			steps = append(steps, st)
			break
		}
		st.Changes = spec.Diff(before, s)
		steps = append(steps, st)
		if aerr != nil {
			break
		}
	}
	return steps, s
}

func actorName(m int) string {
	switch m {
	case impl.Sysmon:
		return "sysmon"
	case impl.Controller:
		return "ctl"
	}
	return fmt.Sprintf("M%d", m)
}

// RenderError records a part of a report that could not be rendered. A
// report is never lost to a bug in its rendering: each part renders on
// its own, a part that panics is replaced by a line saying so, and the
// rest is kept.
type RenderError struct {
	Part string `json:"part"`
	Err  string `json:"error"`
}

func (e RenderError) String() string { return fmt.Sprintf("%s: %s", e.Part, e.Err) }

// guard runs part and turns a panic in it into a RenderError.
func guard(errs *[]RenderError, name string, part func()) {
	defer func() {
		if r := recover(); r != nil {
			stack := string(debug.Stack())
			if len(stack) > 4000 {
				stack = stack[:4000] + "..."
			}
			*errs = append(*errs, RenderError{Part: name, Err: fmt.Sprintf("panic: %v\n%s", r, stack)})
		}
	}()
	if renderHook != nil {
		renderHook(name)
	}
	part()
}

// renderHook, when set (by tests), runs at the start of every report part:
// the planted rendering bug that the bundle writer must survive.
var renderHook func(part string)

// TextReport renders an outcome for humans: the verdict and what failed,
// the case, and the numbered steps with the spec state change of each. It
// never panics (see TextReportErrors).
func TextReport(o *Outcome) string {
	s, _ := TextReportErrors(o)
	return s
}

// TextReportErrors is TextReport, also returning the parts that could not
// be rendered; the text states them too.
func TextReportErrors(o *Outcome) (string, []RenderError) {
	var b strings.Builder
	var errs []RenderError
	if o == nil {
		return "verdict: none (no outcome)\n", []RenderError{{Part: "outcome", Err: "nil outcome"}}
	}
	guard(&errs, "verdict", func() {
		fmt.Fprintf(&b, "verdict: %s", o.Verdict)
		switch {
		case o.Kind != "" && o.Name != "":
			fmt.Fprintf(&b, " (%s: %s)", o.Kind, o.Name)
		case o.Kind != "":
			fmt.Fprintf(&b, " (%s)", o.Kind)
		}
		fmt.Fprintf(&b, "\n%s\n", strings.TrimRight(o.Detail, "\n"))
	})
	guard(&errs, "case", func() {
		fmt.Fprintf(&b, "case: preset %s, %d Ps, %d Ms, mode %s, seed %d, faults %v\nworkload: %s\nschedule: %v\n",
			o.Case.Preset, o.Case.Ps, o.Case.Ms, o.Case.Mode, o.Case.Seed, o.Case.Faults, o.Case.Text, o.Case.Choices)
		fmt.Fprintf(&b, "history: %d ops, %d context switches\n", len(o.History), Switches(o.History))
	})
	if o.Verdict != Ok {
		guard(&errs, "steps", func() { writeSteps(&b, o) })
		guard(&errs, "final state", func() {
			if o.Final != nil && o.Kind != "differential" {
				fmt.Fprintf(&b, "implementation's final state:\n")
				for _, l := range strings.Split(strings.TrimRight(o.Final.Dump(), "\n"), "\n") {
					fmt.Fprintf(&b, "    %s\n", l)
				}
			}
		})
	}
	for _, e := range errs {
		fmt.Fprintf(&b, "REPORT INCOMPLETE: the %s part could not be rendered (a gexit bug; the bundle's case.json and history.json are intact): %s\n", e.Part, firstLine(e.Err))
	}
	return b.String(), errs
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// writeSteps writes the spec replay of the history and, when every step
// replayed, where the implementation's final state leaves the spec's.
func writeSteps(b *strings.Builder, o *Outcome) {
	steps, replayed := explain(o)
	if len(steps) > 0 {
		fmt.Fprintf(b, "steps (spec replay, %s order):\n", map[bool]string{true: "linearization", false: "call"}[o.Kind == "linearizability"])
		for _, st := range steps {
			mark := "  "
			if st.Failed || st.Event == o.At {
				mark = "=>"
			}
			fmt.Fprintf(b, "%s %3d. %-6s %-28s -> %s\n", mark, st.N, st.Actor, strings.TrimPrefix(st.Op, st.Actor+" "), st.Result)
			for _, c := range st.Changes {
				fmt.Fprintf(b, "          %s\n", c)
			}
			if st.Why != "" {
				fmt.Fprintf(b, "          FAILS: %s\n", st.Why)
			}
		}
	}
	if o.Final != nil && replayed != nil && len(steps) > 0 && len(steps) == len(o.History) && !steps[len(steps)-1].Failed {
		if d := spec.Diff(replayed, o.Final); len(d) > 0 {
			fmt.Fprintf(b, "the spec's state after these steps -> the implementation's final state:\n")
			for _, l := range d {
				fmt.Fprintf(b, "    %s\n", l)
			}
		}
	}
}
