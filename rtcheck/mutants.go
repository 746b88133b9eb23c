package rtcheck

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// A Mutant is a small change to the runtime's source that the
// instrumented check must catch: gexit runtime -mutants applies each to a
// copy of the runtime source, runs the workloads that exercise it with the
// spec judge, and requires a violation. A mutant that is not caught is a
// blind spot of the check. Mutants change no probe anchor (the statements
// the overlay places probes by), so the instrumentation of a mutant is the
// stock runtime's.
type Mutant struct {
	Name        string
	Description string
	// File is the runtime source file changed; Old must occur in it
	// exactly once and is replaced by New.
	File     string
	Old, New string
	// Workloads exercise the changed code.
	Workloads []string
}

// Mutants is the runtime mutation table.
var Mutants = []Mutant{
	{Name: "spill-to-31", Description: "gfput's spill pops while size >= 31 (one G too many moves to the global lists)",
		File: "proc.go", Old: "for pp.gFree.size >= 32 {", New: "for pp.gFree.size >= 31 {", Workloads: []string{"spawn"}},
	{Name: "spill-to-40", Description: "gfput's spill stops at 40 (too few Gs move; the P keeps 39)",
		File: "proc.go", Old: "for pp.gFree.size >= 32 {", New: "for pp.gFree.size >= 40 {", Workloads: []string{"spawn"}},
	{Name: "refill-to-16", Description: "gfget's refill stops at 16 Gs instead of 32",
		File: "proc.go", Old: "for pp.gFree.size < 32 {", New: "for pp.gFree.size < 16 {", Workloads: []string{"spawn"}},
	{Name: "refill-prefers-nostack", Description: "gfget's refill takes Gs without stacks before Gs with stacks",
		File:      "proc.go",
		Old:       "\t\t\tgp := sched.gFree.stack.pop()\n\t\t\tif gp == nil {\n\t\t\t\tgp = sched.gFree.noStack.pop()",
		New:       "\t\t\tgp := sched.gFree.noStack.pop()\n\t\t\tif gp == nil {\n\t\t\t\tgp = sched.gFree.stack.pop()",
		Workloads: []string{"gc"}},
	{Name: "spill-lists-swapped", Description: "gfput's spill pushes the Gs with stacks onto noStack and those without onto the stack list",
		File:      "proc.go",
		Old:       "\t\tlock(&sched.gFree.lock)\n\t\tsched.gFree.noStack.pushAll(noStackQ)\n\t\tsched.gFree.stack.pushAll(stackQ)\n\t\tunlock(&sched.gFree.lock)\n\t}\n}",
		New:       "\t\tlock(&sched.gFree.lock)\n\t\tsched.gFree.noStack.pushAll(stackQ)\n\t\tsched.gFree.stack.pushAll(noStackQ)\n\t\tunlock(&sched.gFree.lock)\n\t}\n}",
		Workloads: []string{"stacks", "gc"}},
	{Name: "gfput-keeps-any-stack", Description: "gfput keeps a stack whatever its size (no stackfree of a non-starting size)",
		File: "proc.go", Old: "\tif stksize != uintptr(startingStackSize) {\n", New: "\tif false && stksize != uintptr(startingStackSize) {\n",
		Workloads: []string{"stacks"}},
	{Name: "gfget-keeps-stale-stack", Description: "gfget sees a kept stack of a stale size but does not free it",
		File:      "proc.go",
		Old:       "\t\t// the right size has changed since then.\n\t\tsystemstack(func() {\n\t\t\tstackfree(gp.stack)\n\t\t\tgp.stack.lo = 0\n\t\t\tgp.stack.hi = 0\n",
		New:       "\t\t// the right size has changed since then.\n\t\tsystemstack(func() {\n\t\t\tif false {\n\t\t\t\tstackfree(gp.stack)\n\t\t\t\tgp.stack.lo = 0\n\t\t\t}\n\t\t\tif false {\n\t\t\t\tgp.stack.hi = 0\n\t\t\t}\n",
		Workloads: []string{"stacks"}},
	{Name: "destroy-no-gfpurge", Description: "p.destroy skips gfpurge: a destroyed P keeps its free Gs",
		File: "proc.go", Old: "\tgfpurge(pp)\n", New: "\t_ = gfpurge\n", Workloads: []string{"procs"}},
	{Name: "goid-batch-8", Description: "newproc1 takes goids from sched.goidgen 8 at a time (_GoidCacheBatch = 8)",
		File: "proc.go", Old: "_GoidCacheBatch = 16", New: "_GoidCacheBatch = 8", Workloads: []string{"spawn"}},
	{Name: "goid-batch-shifted", Description: "newproc1's goid batch starts one past sched.goidgen+1 (pp.goidcache -= _GoidCacheBatch - 2): each batch's goids overlap the next one's first",
		File: "proc.go", Old: "pp.goidcache -= _GoidCacheBatch - 1", New: "pp.goidcache -= _GoidCacheBatch - 2", Workloads: []string{"spawn"}},
	{Name: "malg-double-stack", Description: "newproc1 allocates a new G with twice stackMin (malg(stackMin * 2))",
		File: "proc.go", Old: "newg = malg(stackMin)", New: "newg = malg(stackMin * 2)", Workloads: []string{"spawn"}},
	{Name: "markroot-keeps-stacks", Description: "markrootFreeGStacks moves the stack list to noStack without freeing the stacks",
		File: "mgcmark.go", Old: "\t\tstackfree(gp.stack)\n\t\tgp.stack.lo = 0\n\t\tgp.stack.hi = 0\n",
		New: "\t\tif false {\n\t\t\tstackfree(gp.stack)\n\t\t\tgp.stack.lo = 0\n\t\t\tgp.stack.hi = 0\n\t\t}\n", Workloads: []string{"gc"}},
	{Name: "markroot-to-stack-list", Description: "markrootFreeGStacks pushes the Gs whose stacks it freed back onto the stack list",
		File: "mgcmark.go", Old: "sched.gFree.noStack.pushAll(q)", New: "sched.gFree.stack.pushAll(q)", Workloads: []string{"gc"}},
	{Name: "gfget-pops-tail", Description: "gfget's refill takes one G, then stops: the P refills far more often",
		File: "proc.go", Old: "\t\t\tpp.gFree.push(gp)\n\t\t}\n\t\tunlock(&sched.gFree.lock)\n\t\tgoto retry",
		New: "\t\t\tpp.gFree.push(gp)\n\t\t\tbreak\n\t\t}\n\t\tunlock(&sched.gFree.lock)\n\t\tgoto retry", Workloads: []string{"spawn"}},
	{Name: "pidleget-fifo", Description: "pidleget takes the tail of the idle P list (the P idled first) instead of its head",
		File: "proc.go",
		Old:  "\tpp := sched.pidle.ptr()\n\tif pp != nil {\n\t\t// Timer may get added at any time now.\n",
		New: "\tpp := sched.pidle.ptr()\n\tvar prev *p\n\tfor pp != nil && pp.link != 0 {\n\t\tprev, pp = pp, pp.link.ptr()\n\t}\n" +
			"\tif prev != nil {\n\t\tprev.link = 0\n\t\tpp.link = sched.pidle // the head stays\n\t}\n" +
			"\tif pp != nil {\n\t\t// Timer may get added at any time now.\n",
		Workloads: []string{"pidle"}},
	{Name: "exitsyscall-prefers-oldp", Description: "exitsyscallTryGetP takes its old P whenever it is idle (the pre-1.26 order), not the idle list's head",
		File: "proc.go",
		Old:  "\t\tlock(&sched.lock)\n\t\tpp, _ := pidleget(0)\n",
		New: "\t\tlock(&sched.lock)\n\t\tif oldp != nil && sched.pidle.ptr() != oldp {\n" +
			"\t\t\tfor q := sched.pidle.ptr(); q != nil; q = q.link.ptr() {\n" +
			"\t\t\t\tif q.link.ptr() == oldp {\n\t\t\t\t\tq.link = oldp.link\n\t\t\t\t\toldp.link = sched.pidle\n\t\t\t\t\tsched.pidle.set(oldp)\n\t\t\t\t\tbreak\n\t\t\t\t}\n" +
			"\t\t\t}\n\t\t}\n\t\tpp, _ := pidleget(0)\n",
		Workloads: []string{"pidle"}},
	{Name: "relist-reversed", Description: "procresize walks allp upwards when it rebuilds the idle P list, which then lists the lowest idle P first",
		File: "proc.go", Old: "for i := nprocs - 1; i >= 0; i-- {", New: "for i := int32(0); i < nprocs; i++ {",
		Workloads: []string{"pidle"}},
	{Name: "gfget-no-nostack-refill", Description: "gfget returns nothing when its P's list and sched.gFree.stack are empty, never refilling from noStack alone: newproc1 allocates while the global lists hold Gs",
		File: "proc.go", Old: "func gfget(pp *p) *g {\nretry:\n",
		New:       "func gfget(pp *p) *g {\n\tif pp.gFree.empty() && sched.gFree.stack.empty() {\n\t\treturn nil\n\t}\nretry:\n",
		Workloads: []string{"gc"}},
	{Name: "markroot-skips-cycles", Description: "markrootFreeGStacks returns at once in every other GC cycle: the cycle ends with the global stack list's stacks never freed",
		File: "mgcmark.go", Old: "func markrootFreeGStacks() {\n",
		New:       "func markrootFreeGStacks() {\n\tif work.cycles.Load()%2 == 1 {\n\t\treturn\n\t}\n",
		Workloads: []string{"gc"}},
	{Name: "stacksize-at-gcstart", Description: "gcStart also calls gcComputeStartingStackSize, before marking (no stack scanned yet: startingStackSize drops to fixedStack), not only gcMarkDone",
		File: "mgc.go", Old: "\tsystemstack(gcResetMarkState)\n", New: "\tsystemstack(gcResetMarkState)\n\tgcComputeStartingStackSize()\n",
		Workloads: []string{"stacks"}},
	{Name: "exitsyscallnop-no-idlep", Description: "exitsyscallNoP never takes an idle P under sched.lock: the G goes to the global queue and its M stops while a P is idle (the mutant also sleeps 200us before the lock, so that a P goes idle in the window after exitsyscallTryGetP found none)",
		File:      "proc.go",
		Old:       "\tdropg()\n\tlock(&sched.lock)\n\tvar pp *p\n\tif schedEnabled(gp) {\n",
		New:       "\tdropg()\n\tusleep(200)\n\tlock(&sched.lock)\n\tvar pp *p\n\tif false && schedEnabled(gp) {\n",
		Workloads: []string{"syscall"}},
	// The exit's tail (judge_exit.go, Consistency's exitsReachGfput).
	{Name: "locked-exit-reuses-thread", Description: "gdestroy takes plan9's branch on every thread but m0's: a G exiting locked to its thread clears lockedExt and the thread goes on to schedule instead of leaving through mexit",
		File: "proc.go", Old: "\tgfput(pp, gp)\n\tif locked {\n",
		New:       "\tgfput(pp, gp)\n\tif locked && mp != &m0 {\n\t\tmp.lockedExt = 0\n\t}\n\tif locked && mp == &m0 {\n",
		Workloads: []string{"locked"}},
	{Name: "gdestroy-leaks", Description: "gdestroy skips gfput for one exit in seven (goid%7 == 0): dead Gs on no free list, never reused (an unlocked exit writes no record of its own)",
		File: "proc.go", Old: "\tgfput(pp, gp)\n\tif locked {\n",
		New:       "\tif gp.goid%7 != 0 {\n\t\tgfput(pp, gp)\n\t}\n\tif locked {\n",
		Workloads: []string{"spawn"}},
	// The run queues' linearizability check (judge_runq.go).
	{Name: "runqgrab-three-quarters", Description: "runqgrab takes three quarters of the victim's ring (n - n/4) instead of half rounded up (n - n/2)",
		File: "proc.go", Old: "n = n - n/2", New: "n = n - n/4", Workloads: []string{"steal"}},
	{Name: "globrunq-batch-plus-one", Description: "globrunqgetbatch takes one G more than its share of the global queue (size/gomaxprocs+2 instead of +1)",
		File: "proc.go", Old: "n = min(n, sched.runq.size, sched.runq.size/gomaxprocs+1)", New: "n = min(n, sched.runq.size, sched.runq.size/gomaxprocs+2)",
		Workloads: []string{"runqputslow", "steal"}},
}

// LookupMutant finds a mutant by name.
func LookupMutant(name string) (Mutant, bool) {
	for _, m := range Mutants {
		if m.Name == name {
			return m, true
		}
	}
	return Mutant{}, false
}

// MutantResult is one row of the runtime mutation table.
type MutantResult struct {
	Mutant      string  `json:"mutant"`
	Description string  `json:"description"`
	Caught      bool    `json:"caught"`
	Seconds     float64 `json:"seconds"`
	// Kind says what caught it: the first problem the records showed
	// (its record kind and what the judge or Consistency said), else the
	// first problem of the run (an exit status: a crash or a throw).
	Kind string `json:"kind"`
	// ByRecords: the records showed the mutant (Consistency or the
	// judge), whether or not the runtime also crashed. A mutant caught
	// by its run's exit status alone (the runtime threw or died) is
	// caught, but not by the judge.
	ByRecords bool    `json:"byRecords"`
	Verdict   Verdict `json:"verdict"`
	Error     string  `json:"error,omitempty"`
	// Runs is how many times its workloads ran: a mutant not caught runs
	// again, up to MutantRuns times, before it counts as not caught.
	Runs int `json:"runs"`
	// Interrupted: MutantOptions.Context ended before the row was caught
	// or its runs were done: neither caught nor not caught.
	Interrupted bool `json:"interrupted,omitempty"`
}

// MutantRuns is how many times a mutant's workloads run before it counts
// as not caught. The judge is exact on what the records show, but the
// real scheduler must reach the state a mutant changes, and a run of a
// few seconds does not always: gfget-no-nostack-refill needs a P whose
// list and sched.gFree.stack are empty while noStack is not, and one
// run in seven on a loaded machine never met it.
const MutantRuns = 3

// MutantOptions configure RunMutants.
type MutantOptions struct {
	// Src is the runtime source the mutants are applied to ("" = the
	// toolchain's).
	Src string
	// Names selects mutants (empty: all).
	Names []string
	// Procs are the GOMAXPROCS values (default 2 and 4).
	Procs []int
	Log   io.Writer
	// Context, when it ends (a signal), stops the table: the row running
	// is Interrupted, no row starts after it, and its copy of the
	// runtime is removed (nil: never).
	Context context.Context
}

// mutantFiles are the runtime files a mutant's copy holds: those the
// overlay instruments.
var mutantFiles = InstrumentedFiles()

// ApplyMutant makes dir a copy of the runtime source src with m applied:
// the instrumented files are written (the mutated one changed), every
// other file of the package is a symbolic link to src's. It fails when
// m.Old does not occur exactly once.
func ApplyMutant(src, dir string, m Mutant) error {
	if src == "" {
		goroot, err := GoEnv("GOROOT")
		if err != nil {
			return err
		}
		src = filepath.Join(goroot, "src", "runtime")
	}
	src, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	if !slices.Contains(mutantFiles, m.File) {
		return fmt.Errorf("mutant %s: file %s is not one of %v", m.Name, m.File, mutantFiles)
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || slices.Contains(mutantFiles, name) {
			continue
		}
		if err := os.Symlink(filepath.Join(src, name), filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	for _, name := range mutantFiles {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return err
		}
		text := string(data)
		if name == m.File {
			if n := strings.Count(text, m.Old); n != 1 {
				return fmt.Errorf("mutant %s: %s holds its text %d times, want once: %q", m.Name, name, n, m.Old)
			}
			text = strings.Replace(text, m.Old, m.New, 1)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// RunMutants runs the mutation table: every mutant must make the spec
// judge (or the runtime itself) fail.
func RunMutants(o MutantOptions) ([]MutantResult, error) {
	procs := o.Procs
	if len(procs) == 0 {
		procs = []int{2, 4}
	}
	ctx := o.Context
	if ctx == nil {
		ctx = context.Background()
	}
	var out []MutantResult
	for _, m := range Mutants {
		if len(o.Names) > 0 && !slices.Contains(o.Names, m.Name) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		start := time.Now()
		row := MutantResult{Mutant: m.Name, Description: m.Description}
		dir, err := os.MkdirTemp("", "gexit-mutant-*")
		if err != nil {
			return out, err
		}
		err = ApplyMutant(o.Src, dir, m)
		for err == nil && !row.Caught && row.Runs < MutantRuns {
			// (The build is the same each time: the build cache.)
			var rep *Report
			rep, err = Run(Options{Src: dir, Workloads: m.Workloads, Procs: procs, Judge: SpecJudge, Log: o.Log, Context: ctx})
			row.Runs++
			if ctx.Err() != nil {
				row.Interrupted, err = true, nil
				break
			}
			if err == nil {
				row.Verdict = rep.Verdict
				row.Caught = rep.Verdict == Violation
				row.Kind, row.ByRecords = firstCause(rep)
			}
		}
		os.RemoveAll(dir)
		if err != nil {
			row.Error = err.Error()
		}
		row.Seconds = time.Since(start).Seconds()
		if o.Log != nil {
			state := "NOT CAUGHT"
			switch {
			case row.Caught && row.ByRecords:
				state = "caught by the records"
			case row.Caught:
				state = "caught by a crash alone"
			case row.Interrupted:
				state = "INTERRUPTED"
			}
			fmt.Fprintf(o.Log, "mutant %s: %s in %.1fs (%d runs) %s\n", m.Name, state, row.Seconds, row.Runs, row.Kind)
		}
		out = append(out, row)
	}
	return out, nil
}

// firstCause names what failed first in a report: the first problem the
// records showed in a run that failed (byRecords), else the first
// problem of one (its exit status).
func firstCause(rep *Report) (kind string, byRecords bool) {
	for _, r := range rep.Runs {
		if r.Verdict == Violation && r.RecordsViolation != "" {
			return shortProblem(r.RecordsViolation), true
		}
	}
	for _, r := range rep.Runs {
		if r.Verdict != Violation {
			continue
		}
		for _, p := range r.Problems {
			return shortProblem(p), false
		}
		return "violation", false
	}
	return "", false
}

// shortProblem keeps a problem's record kind and what was said of it.
func shortProblem(p string) string {
	if i := strings.Index(p, ": "); i >= 0 && strings.HasPrefix(p, "pid ") {
		p = p[i+2:]
	}
	if len(p) > 160 {
		p = p[:157] + "..."
	}
	return p
}
