package checker

import (
	"fmt"

	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/spec"
	"pgregory.net/rapid"
)

// Case is one generated check: the runtime's configuration, the workload
// the modelled goroutines run, and the schedule.
type Case struct {
	Preset   string        `json:"preset"`
	Ps       int           `json:"ps"`
	Ms       int           `json:"ms"`
	Wasm     bool          `json:"wasm,omitempty"`
	Mode     string        `json:"mode"` // "deterministic", "atomic" (deterministic, no scheduling points inside ops), "free" or "systematic" (every schedule within a preemption bound, from Choices)
	Seed     int64         `json:"seed"`
	Choices  []int         `json:"choices,omitempty"`
	Workload impl.Workload `json:"-"`
	// Text is the workload as impl prints it; Steps counts its program steps.
	Text   string   `json:"workload"`
	Steps  int      `json:"steps"`
	Faults []string `json:"faults,omitempty"`
	// Preemptions and Schedules bound a systematic case's search
	// (SystematicOptions; 0: the defaults, 2 and 256).
	Preemptions int `json:"preemptions,omitempty"`
	Schedules   int `json:"schedules,omitempty"`
}

// DrawOptions shape generation.
type DrawOptions struct {
	// Modes to draw from; empty: deterministic and atomic.
	Modes []string
	// MinMs and MaxMs bound the number of Ms (defaults 1 and 4).
	MinMs, MaxMs int
	// MinSteps and MaxSteps bound the main program's steps (default 0
	// and 8).
	MinSteps, MaxSteps int
	// Faults are switched on in every case.
	Faults []string
}

// stepKinds weights the step kinds by repetition; lockint (whose exit is a
// runtime throw) is rare.
var stepKinds = []string{"go", "go", "go", "go", "go", "go", "gosched", "gosched", "park", "park", "ready", "ready",
	"syscall", "syscall", "lock", "unlock", "goexit", "goexit", "grow", "assist", "dirty", "gosystem", "lockint", "go", "burst",
	"unlockint", "syscall-lock", "syscall-lock", "syscall-lock", "goyield"}

// weighted repeats every mode but systematic in a mix, so that a
// systematic case (a search over many schedules) is about one in 256 of a
// default campaign's.
func weighted(modes []string) []string {
	hasSys, n := false, 0
	for _, m := range modes {
		if m == "systematic" {
			hasSys = true
		} else {
			n++
		}
	}
	if !hasSys || n == 0 {
		return modes
	}
	var out []string
	for _, m := range modes {
		if m != "systematic" {
			for i := 0; i < max(1, 255/n); i++ {
				out = append(out, m)
			}
		}
	}
	return append(out, "systematic")
}

// DrawCase draws a case with labelled draws, so that a shrunk failure reads
// as a short list of named steps.
func DrawCase(t *rapid.T, o DrawOptions) Case {
	if o.MinMs == 0 {
		o.MinMs = 1
	}
	if o.MaxMs == 0 {
		o.MaxMs = 4
	}
	if o.MaxSteps == 0 {
		o.MaxSteps = 8
	}
	modes := o.Modes
	if len(modes) == 0 {
		modes = []string{"deterministic", "atomic"}
	}
	c := Case{Faults: o.Faults}
	c.Preset = rapid.SampledFrom([]string{"small", "small", "small", "small", "small", "small", "small", "go"}).Draw(t, "consts")
	c.Mode = rapid.SampledFrom(weighted(modes)).Draw(t, "mode")
	minMs := o.MinMs
	if c.Mode == "free" && o.MaxMs >= 2 {
		minMs = max(minMs, 2) // one M cannot overlap anything
	}
	maxMs, maxSteps := o.MaxMs, o.MaxSteps
	if c.Mode == "systematic" {
		// A search runs every schedule within its bounds: small cases.
		maxMs, maxSteps = min(maxMs, 3), min(maxSteps, 4)
		minMs = min(max(minMs, 2), maxMs)
	}
	c.Ms = rapid.IntRange(minMs, maxMs).Draw(t, "ms")
	c.Ps = rapid.IntRange(1, 3).Draw(t, "ps")
	// GOARCH=wasm: gdestroy's gfput-and-return branch, no sysmon, no
	// thread wiring for LockOSThread, and one thread: one M and one P
	// (spec.ErrWasmOneThread), which oneThreadOnWasm gives a wasm case
	// once it is drawn (so that it draws as every case does).
	c.Wasm = rapid.IntRange(0, 7).Draw(t, "wasm") == 0
	c.Seed = rapid.Int64Range(0, 1<<20).Draw(t, "seed")
	var prog func(depth int, label string) *impl.Program
	prog = func(depth int, label string) *impl.Program {
		lo, hi := min(o.MinSteps, maxSteps), maxSteps
		if depth > 0 {
			lo, hi = 0, min(4, maxSteps)
		}
		if c.Mode == "free" {
			// Free-running Ms overlap only while there is work for
			// several of them: longer programs.
			hi *= 2
		}
		n := rapid.IntRange(lo, hi).Draw(t, label+".len")
		p := &impl.Program{}
		lockints := 0 // unlockint is drawn only to balance a lockint
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("%s[%d]", label, i)
			k := rapid.SampledFrom(stepKinds).Draw(t, name)
			switch k {
			case "go", "gosystem":
				if depth >= 2 {
					p.Steps = append(p.Steps, impl.Yield())
					continue
				}
				child := prog(depth+1, name+".go")
				if k == "gosystem" {
					p.Steps = append(p.Steps, impl.GoSystem(child))
				} else {
					p.Steps = append(p.Steps, impl.Go(child))
				}
			case "burst":
				// Five empty goroutines at once: with the small preset
				// the ring (4) and runnext fill and runqputslow runs.
				for j := 0; j < 5; j++ {
					p.Steps = append(p.Steps, impl.Go(&impl.Program{}))
				}
			case "gosched":
				p.Steps = append(p.Steps, impl.Yield())
			case "goyield":
				p.Steps = append(p.Steps, impl.GoYield())
			case "park":
				p.Steps = append(p.Steps, impl.ParkOn(rapid.IntRange(0, 1).Draw(t, name+".obj")))
			case "ready":
				p.Steps = append(p.Steps, impl.ReadyOn(rapid.IntRange(0, 1).Draw(t, name+".obj")))
			case "syscall":
				p.Steps = append(p.Steps, impl.Sys())
			case "syscall-lock":
				// LockOSThread first thing after a syscall: if the G
				// came back through exitsyscallNoP's global queue on
				// another M, the M it left must not read its lockedm
				// late (golang/go#46524).
				p.Steps = append(p.Steps, impl.Sys(), impl.Lock())
			case "lock":
				p.Steps = append(p.Steps, impl.Lock())
			case "unlock":
				p.Steps = append(p.Steps, impl.Unlock())
			case "goexit":
				p.Steps = append(p.Steps, impl.Exit())
			case "grow":
				p.Steps = append(p.Steps, impl.Grow())
			case "assist":
				p.Steps = append(p.Steps, impl.AssistCredit(1))
			case "dirty":
				p.Steps = append(p.Steps, impl.MakeDirty())
			case "lockint":
				lockints++
				p.Steps = append(p.Steps, impl.LockI())
			case "unlockint":
				if lockints == 0 {
					p.Steps = append(p.Steps, impl.Yield())
					continue
				}
				lockints--
				p.Steps = append(p.Steps, impl.UnlockI())
			}
		}
		return p
	}
	if c.Mode == "systematic" && rapid.IntRange(0, 1).Draw(t, "kernel?") == 1 {
		// Half the searches run a contention kernel: a small workload
		// built around one of the path's shared structures. Its
		// schedules are fewer and more alike than a drawn program's,
		// so its search goes deeper (the mix keeps every search short).
		c.Schedules = 1024
		c.Workload = drawKernel(t, &c)
		c.Steps = CountSteps(c.Workload)
		c.oneThreadOnWasm() // (drawKernel wants two Ps)
		c.Text = c.Workload.String()
		if len(modes) > 1 {
			c.Schedules = 32
		}
		return c
	}
	c.Workload.Main = prog(0, "main")
	// Main mostly ends with runtime.Goexit, so the program runs until the
	// last goroutine exits (checkdead's fatal); returning ends it at once.
	if rapid.IntRange(0, 3).Draw(t, "main.end") != 0 {
		c.Workload.Main.Steps = append(c.Workload.Main.Steps, impl.Exit())
	}
	nctl := rapid.IntRange(0, 2).Draw(t, "ctl.len")
	for i := 0; i < nctl; i++ {
		name := fmt.Sprintf("ctl[%d]", i)
		after := rapid.IntRange(0, 40).Draw(t, name+".after")
		switch rapid.SampledFrom([]string{"gc", "gc-cycle", "procresize"}).Draw(t, name) {
		case "gc":
			c.Workload.Controller = append(c.Workload.Controller, impl.CtlStep{Kind: impl.CtlGC, Arg: 1 - i%2, After: after})
		case "gc-cycle":
			// A whole cycle, whose end (gcMarkDone) may set
			// startingStackSize: the only place it changes.
			size := rapid.SampledFrom([]int{0, spec.StackMin, 2 * spec.StackMin}).Draw(t, name+".size")
			end := after + rapid.IntRange(0, 20).Draw(t, name+".len")
			c.Workload.Controller = append(c.Workload.Controller, impl.CtlStep{Kind: impl.CtlGC, Arg: 1, After: after}, impl.CtlStep{Kind: impl.CtlGC, Size: size, After: end})
		case "procresize":
			c.Workload.Controller = append(c.Workload.Controller, impl.CtlStep{Kind: impl.CtlProcResize, Arg: rapid.IntRange(1, c.Ps).Draw(t, name+".n"), After: after})
		}
	}
	if !c.Wasm {
		c.Workload.Retakes = rapid.IntRange(0, 2).Draw(t, "sysmon.retakes")
		c.Workload.Probes = rapid.IntRange(0, 2).Draw(t, "sysmon.probes")
	}
	if c.Mode == "systematic" {
		// A drawn program reaches many branches and its schedules are
		// many: a broad, shallow search (128 runs alone; in a mix, every
		// schedule with no preemption, then as many with one or two as
		// 32 runs allow).
		c.Schedules = 128
		if len(modes) > 1 {
			c.Schedules = 32
		}
	}
	if c.Mode == "deterministic" || c.Mode == "atomic" {
		c.Choices = rapid.SliceOfN(rapid.IntRange(0, 3), 0, 40).Draw(t, "schedule")
	}
	c.Steps = CountSteps(c.Workload)
	c.oneThreadOnWasm() // (after the kernels, which want two Ps)
	c.Text = c.Workload.String()
	return c
}

// oneThreadOnWasm gives a wasm case its one M and one P
// (spec.ErrWasmOneThread), and procresize no more than that P.
func (c *Case) oneThreadOnWasm() {
	if !c.Wasm {
		return
	}
	c.Ms, c.Ps = 1, 1
	for i := range c.Workload.Controller {
		if st := &c.Workload.Controller[i]; st.Kind == impl.CtlProcResize {
			st.Arg = 1
		}
	}
}

// kernels are the contention kernels a systematic case may run instead of
// a drawn program (DrawCase), each a handful of Gs around one structure
// that two Ms share on the exit path:
//   - steal: main spawns k empty Gs and yields, so another M's findRunnable
//     steals from main's P (runqgrab's CAS against runqget's, runnext);
//   - churn: main spawns n empty Gs in batches, yielding after each, so
//     the ring fills (runqputslow moves half of it to sched.runq) and the
//     Ps' free lists fill and empty (gfput's spill to sched.gFree, gfget's
//     refill) on several Ms at once;
//   - syscall-lock: a G enters a syscall that sysmon's retake may take
//     its P in (exitsyscall's slow paths, exitsyscallNoP), or sysmon's
//     probe hold a moment, and locks its thread as soon as it is back,
//     beside a G that yields.
var kernels = []string{"steal", "churn", "syscall-lock"}

// drawKernel draws one of the kernels for c, on two Ms (the races are
// between two; one if c's bound allows no more), and two Ps for the
// kernels that need them (a campaign's -ps bound may redraw them).
func drawKernel(t *rapid.T, c *Case) impl.Workload {
	leaf := impl.Prog()
	c.Ms = min(c.Ms, 2)
	switch rapid.SampledFrom(kernels).Draw(t, "kernel") {
	case "steal":
		c.Ps = max(c.Ps, 2)
		steps := make([]impl.Step, 0, 5)
		for i := rapid.IntRange(1, 3).Draw(t, "kernel.gs"); i > 0; i-- {
			steps = append(steps, impl.Go(leaf))
		}
		return impl.Workload{Main: impl.Prog(append(steps, impl.Yield(), impl.Exit())...)}
	case "churn":
		c.Ps = max(c.Ps, 2)
		// Its races (runqputslow's, gfput's spill) sit deep in long
		// runs: a deeper search.
		c.Schedules = 2048
		return impl.SpawnExit(rapid.IntRange(6, 12).Draw(t, "kernel.gs"), rapid.IntRange(5, 8).Draw(t, "kernel.batch"), 0)
	default:
		main := impl.Prog(impl.Go(impl.Prog(impl.Yield(), impl.Yield())), impl.Sys(), impl.Lock(), impl.Yield())
		return impl.Workload{Main: main, Retakes: rapid.IntRange(1, 2).Draw(t, "kernel.retakes"), Probes: rapid.IntRange(0, 1).Draw(t, "kernel.probes")}
	}
}
