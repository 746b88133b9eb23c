package checker

import (
	"context"
	"time"

	"github.com/gexit-dev/gexit/impl"
)

// Minimize shrinks a failing deterministic case further than rapid's
// generic shrinking can: it deletes program steps, empties child programs,
// drops controller steps and sysmon retakes, and zeroes schedule choices
// (0 keeps the current M running, so fewer context switches), keeping each
// change that still fails (the way it fails may change: a smaller case can
// show the same fault through another check). It stops at deadline.
//
// A free-running case does not replay: its interleaving was the threads'.
// Minimize first looks for the same workload failing in deterministic mode
// (then atomic), under up to 1024 seeds, and goes on from the first that
// does, so the counterexample a user gets replays step for step; if none
// fails, the free-running case is returned as it is.
func Minimize(ctx context.Context, o *Outcome, budget time.Duration, deadline time.Time) *Outcome {
	if o == nil || o.Verdict != Illegal {
		return o
	}
	if o.Case.Mode == "free" {
		if o = deterministicReproduction(ctx, o, budget, deadline); o.Case.Mode == "free" {
			return o
		}
	}
	best := o
	run1 := func(c Case) bool {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		c.Text = c.Workload.String()
		c.Steps = CountSteps(c.Workload)
		out := RunSafe(ctx, c, budget)
		if out.Verdict != Illegal {
			return false
		}
		best = out
		return true
	}
	// A smaller workload shifts the seeded part of the schedule; the seed
	// is part of the counterexample, so a few others are tried too.
	try := func(c Case) bool {
		if run1(c) {
			return true
		}
		orig := c.Seed
		for seed := int64(0); seed < 16; seed++ {
			if seed == orig {
				continue
			}
			c.Seed = seed
			if run1(c) {
				return true
			}
		}
		return false
	}
	for improved := true; improved && time.Now().Before(deadline); {
		improved = false
		// Programs: every step of every program, depth first.
		for _, path := range programPaths(best.Case.Workload.Main, nil) {
			p := progAt(best.Case.Workload.Main, path)
			if p == nil {
				continue
			}
			for i := len(p.Steps) - 1; i >= 0; i-- {
				c := cloneCase(best.Case)
				q := progAt(c.Workload.Main, path)
				if q == nil || i >= len(q.Steps) {
					break
				}
				q.Steps = append(q.Steps[:i:i], q.Steps[i+1:]...)
				if try(c) {
					improved = true
				}
			}
		}
		for i := len(best.Case.Workload.Controller) - 1; i >= 0; i-- {
			c := cloneCase(best.Case)
			c.Workload.Controller = append(c.Workload.Controller[:i:i], c.Workload.Controller[i+1:]...)
			if try(c) {
				improved = true
			}
		}
		// A controller step's timing: earlier is simpler.
		for i := range best.Case.Workload.Controller {
			for _, after := range []int{0, best.Case.Workload.Controller[i].After / 2} {
				if after >= best.Case.Workload.Controller[i].After {
					continue
				}
				c := cloneCase(best.Case)
				c.Workload.Controller[i].After = after
				if try(c) {
					improved = true
					break
				}
			}
		}
		if best.Case.Workload.Retakes > 0 {
			c := cloneCase(best.Case)
			c.Workload.Retakes--
			if try(c) {
				improved = true
			}
		}
		if best.Case.Workload.Probes > 0 {
			c := cloneCase(best.Case)
			c.Workload.Probes--
			if try(c) {
				improved = true
			}
		}
		for i := range best.Case.Choices {
			if best.Case.Choices[i] == 0 {
				continue
			}
			c := cloneCase(best.Case)
			c.Choices[i] = 0
			if try(c) {
				improved = true
			}
		}
	}
	return best
}

// CountSteps counts a workload's steps: program steps (in every program),
// controller steps and sysmon's retakes and probes.
func CountSteps(w impl.Workload) int {
	n := len(w.Controller) + w.Retakes + w.Probes
	var walk func(p *impl.Program)
	walk = func(p *impl.Program) {
		if p == nil {
			return
		}
		for _, s := range p.Steps {
			n++
			walk(s.Child)
		}
	}
	walk(w.Main)
	return n
}

func programPaths(p *impl.Program, prefix []int) [][]int {
	if p == nil {
		return nil
	}
	out := [][]int{append([]int(nil), prefix...)}
	for i, s := range p.Steps {
		if s.Child != nil {
			out = append(out, programPaths(s.Child, append(prefix, i))...)
		}
	}
	return out
}

func progAt(p *impl.Program, path []int) *impl.Program {
	for _, i := range path {
		if p == nil || i >= len(p.Steps) {
			return nil
		}
		p = p.Steps[i].Child
	}
	return p
}

func cloneProgram(p *impl.Program) *impl.Program {
	if p == nil {
		return nil
	}
	q := &impl.Program{Steps: append([]impl.Step(nil), p.Steps...)}
	for i := range q.Steps {
		q.Steps[i].Child = cloneProgram(q.Steps[i].Child)
	}
	return q
}

func cloneCase(c Case) Case {
	c.Workload.Main = cloneProgram(c.Workload.Main)
	c.Workload.Controller = append([]impl.CtlStep(nil), c.Workload.Controller...)
	c.Choices = append([]int(nil), c.Choices...)
	c.Faults = append([]string(nil), c.Faults...)
	return c
}

// reproductionSeeds is how many seeds deterministicReproduction tries per
// mode. An interleaving fault (a lost CAS) needs the seeded scheduler to
// switch Ms at one particular safepoint; 64 seeds missed it in about one
// shrunk workload of ten, 1024 in none of 30.
const reproductionSeeds = 1024

// deterministicReproduction runs a free-running counterexample's workload
// in deterministic mode, then atomic, under seeds 0..reproductionSeeds-1,
// and returns the first run that fails, or o when none does. It spends at
// most half the time left before deadline, so shrinking keeps the rest.
func deterministicReproduction(ctx context.Context, o *Outcome, budget time.Duration, deadline time.Time) *Outcome {
	until := time.Now().Add(time.Until(deadline) / 2)
	for _, mode := range []string{"deterministic", "atomic"} {
		for seed := int64(0); seed < reproductionSeeds; seed++ {
			if time.Now().After(until) || ctx.Err() != nil {
				return o
			}
			c := cloneCase(o.Case)
			c.Mode, c.Seed, c.Choices = mode, seed, nil
			if out := RunSafe(ctx, c, budget); out.Verdict == Illegal {
				return out
			}
		}
	}
	return o
}
