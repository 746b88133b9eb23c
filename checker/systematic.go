package checker

import (
	"context"
	"fmt"
	"time"
)

// Systematic search: iterative context bounding (Musuvathi and Qadeer,
// CHESS). A deterministic run is a sequence of scheduling points, at each
// of which one of the runnable actors is granted the next step (impl's
// Config.Choices, relative to the actor granted last: 0 keeps it running).
// A pick other than 0 while the last actor could still run is a
// preemption; any pick after it blocked or finished is a switch the run
// had to make and costs nothing. The search runs every schedule of the
// case with at most Bound preemptions, in order of their preemption count
// (all schedules with 0, then with 1, ...), each exactly once: a schedule
// is its choice list up to the last non-zero pick, and its children
// deviate from it at one scheduling point after that pick. So the first
// violation it finds has the fewest preemptions, and when the search
// completes, no schedule within the bound violates.

// SystematicOptions bound a search.
type SystematicOptions struct {
	// Bound is the preemption bound (0: only schedules without a
	// preemption; negative: the default, 2).
	Bound int
	// Schedules bounds the runs (default 256): a search that reaches it
	// is incomplete.
	Schedules int
}

// SystematicStats says what a search covered.
type SystematicStats struct {
	Schedules int `json:"schedules"`
	// Preemptions is the largest preemption count whose schedules were
	// all run (-1: not even those with none).
	Preemptions int  `json:"preemptions"`
	Complete    bool `json:"complete"`
	// Found is the preemption count of the failing schedule (-1: none
	// failed).
	Found int `json:"found"`
	// ThrowChecked and ThrowSkipped count the schedules that ended at a
	// throw by what became of the check of the state there
	// (Outcome.ThrowState): compared, or skipped and why.
	ThrowChecked int            `json:"throwChecked,omitempty"`
	ThrowSkipped map[string]int `json:"throwSkipped,omitempty"`
}

type schedule struct {
	choices []int
	cost    int
}

// Systematic runs case c (Mode "systematic": deterministic, with c.Choices
// as the root schedule) under every schedule within o's bounds and returns
// the outcome of the first that fails (its Case.Choices that schedule), or,
// when none does, of the first whose verdict was unknown (the search is
// then incomplete: that schedule's children never ran), or of the last
// run, with the search's coverage. Each
// schedule runs as RunSafe runs a case: a panic is a verdict.
func Systematic(ctx context.Context, c Case, budget time.Duration, o SystematicOptions) (*Outcome, SystematicStats) {
	if o.Bound < 0 {
		o.Bound = 2
	}
	if o.Schedules == 0 {
		o.Schedules = 256
	}
	st := SystematicStats{Preemptions: -1, Found: -1}
	buckets := make([][]schedule, o.Bound+1)
	buckets[0] = []schedule{{choices: append([]int(nil), c.Choices...)}}
	// unknown is the first schedule whose verdict was unknown (it ran out
	// of its budget or op limit): its children were never run, so the
	// search is not complete and its verdict is unknown, never ok.
	var last, unknown *Outcome
	result := func() *Outcome {
		if unknown != nil {
			return unknown
		}
		return last
	}
	for k := 0; k <= o.Bound; k++ {
		for len(buckets[k]) > 0 {
			if ctx.Err() != nil {
				// Stopped from outside with schedules left: the
				// search is not complete, and its verdict is no
				// pass.
				if unknown != nil {
					return unknown, st
				}
				return &Outcome{Case: c, At: -1, Coverage: NewCoverage(), Verdict: Unknown, Kind: "timeout", Name: Interrupted,
					Detail: fmt.Sprintf("the systematic search was stopped after %d schedules, with schedules left to run", st.Schedules), Search: &st}, st
			}
			if st.Schedules >= o.Schedules {
				return result(), st
			}
			sc := buckets[k][0]
			buckets[k] = buckets[k][1:]
			cs := c
			cs.Choices = sc.choices
			out := runSchedule(ctx, cs, budget)
			st.Schedules++
			countThrowState(&st.ThrowChecked, &st.ThrowSkipped, out.ThrowState, 1)
			last = out
			out.Search = &st
			if out.Verdict != Ok {
				if out.Verdict == Illegal {
					st.Found = sc.cost
					return out, st
				}
				if unknown == nil {
					unknown = out
				}
				continue
			}
			// Children: one deviation at each point after the
			// schedule's own picks.
			for i := len(sc.choices); i < len(out.Run.Points); i++ {
				pt := out.Run.Points[i]
				cost := sc.cost
				if pt.LastRunnable {
					cost++
				}
				if cost > o.Bound {
					continue
				}
				for pick := 1; pick < pt.Runnable; pick++ {
					ch := make([]int, i+1)
					copy(ch, sc.choices)
					ch[i] = pick
					buckets[cost] = append(buckets[cost], schedule{choices: ch, cost: cost})
				}
			}
		}
		if unknown == nil {
			st.Preemptions = k
		}
	}
	st.Complete = unknown == nil
	return result(), st
}

// Interrupted is the name of an unknown outcome whose check was stopped
// from outside (its context ended) before it could decide: a campaign
// stopped by its duration or a signal drops such a case uncounted.
const Interrupted = "interrupted"

// runSchedule runs one schedule of a search (a test's stand-in can make
// one's verdict unknown).
var runSchedule = runSafeOne

// searchOptions are the bounds a systematic case's search runs with.
func (c *Case) searchOptions() SystematicOptions {
	b := c.Preemptions
	if b == 0 {
		b = -1
	}
	return SystematicOptions{Bound: b, Schedules: c.Schedules}
}
