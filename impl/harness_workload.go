// Workloads: the G programs the Ms interpret, their generator and
// validation.

package impl

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// StepKind is one kind of program step a modelled goroutine executes.
type StepKind uint8

const (
	// Spawn: `go child()` — goidrefill (when the P's cache is empty),
	// newproc1, runqput. Arg 1 makes the child a system goroutine.
	Spawn StepKind = iota + 1
	// Park: block on wait object Arg (gopark -> park_m). A pending
	// wakeup (a Ready that found nobody waiting) is consumed instead,
	// without an op, like a semaphore.
	Park
	// Ready: wake the G parked on wait object Arg (goready -> ready); if
	// none is parked the wakeup is left pending (no op).
	Ready
	// Syscall: entersyscall, then (next step of the M) exitsyscall.
	Syscall
	// LockOSThread / UnlockOSThread: runtime.LockOSThread and friends.
	LockOSThread
	UnlockOSThread
	// LockInt / UnlockInt: the runtime-internal lockOSThread.
	LockInt
	UnlockInt
	// Goexit: runtime.Goexit.
	Goexit
	// Gosched: runtime.Gosched.
	Gosched
	// GrowStack: the stack doubles (copystack).
	GrowStack
	// Assist: gcAssistBytes = Arg (+1 credit, -1 debt).
	Assist
	// Dirty: the fields gdestroy must clear become non-zero.
	Dirty
	// Return: the goroutine's function returns (also implicit at the
	// end of a program).
	Return
	// Goyield: goyield, as semrelease1's direct handoff of a starving
	// sync.Mutex makes it (goyield_m: the G to its own P's ring tail, no
	// wakep, then schedule).
	Goyield
	numStepKinds
)

var stepNames = [...]string{Spawn: "go", Park: "park", Ready: "ready", Syscall: "syscall",
	LockOSThread: "lock", UnlockOSThread: "unlock", LockInt: "lockint", UnlockInt: "unlockint",
	Goexit: "goexit", Gosched: "gosched", GrowStack: "grow", Assist: "assist", Dirty: "dirty", Return: "return", Goyield: "goyield"}

func (k StepKind) String() string {
	if int(k) < len(stepNames) && stepNames[k] != "" {
		return stepNames[k]
	}
	return fmt.Sprintf("step(%d)", uint8(k))
}

// Step is one program step.
type Step struct {
	Kind  StepKind
	Arg   int
	Child *Program // Spawn only
}

// Program is a goroutine's body.
type Program struct{ Steps []Step }

// Prog builds a program from steps.
func Prog(steps ...Step) *Program { return &Program{Steps: steps} }

// Step constructors, for readable workloads.
func Go(child *Program) Step       { return Step{Kind: Spawn, Child: child} }
func GoSystem(child *Program) Step { return Step{Kind: Spawn, Arg: 1, Child: child} }
func ParkOn(obj int) Step          { return Step{Kind: Park, Arg: obj} }
func ReadyOn(obj int) Step         { return Step{Kind: Ready, Arg: obj} }
func Sys() Step                    { return Step{Kind: Syscall} }
func Lock() Step                   { return Step{Kind: LockOSThread} }
func Unlock() Step                 { return Step{Kind: UnlockOSThread} }
func LockI() Step                  { return Step{Kind: LockInt} }
func UnlockI() Step                { return Step{Kind: UnlockInt} }
func Exit() Step                   { return Step{Kind: Goexit} }
func Yield() Step                  { return Step{Kind: Gosched} }
func GoYield() Step                { return Step{Kind: Goyield} }
func Grow() Step                   { return Step{Kind: GrowStack} }
func AssistCredit(c int) Step      { return Step{Kind: Assist, Arg: c} }
func MakeDirty() Step              { return Step{Kind: Dirty} }
func Ret() Step                    { return Step{Kind: Return} }

// CtlKind is a controller (world-stopping) action.
type CtlKind uint8

const (
	CtlProcResize CtlKind = iota + 1 // procresize(Arg)
	CtlGC                            // gc on (Arg != 0) or off
)

// CtlStep is one controller action; it waits until at least After ops
// have completed (and until it is enabled: procresize waits for the Ps it
// destroys to be unowned, gc off for the mark phase's root job), unless
// the run ends first. Size is gc off's new startingStackSize (gcMarkDone's
// gcComputeStartingStackSize, the only place it changes); 0 keeps it.
type CtlStep struct {
	Kind  CtlKind
	Arg   int
	Size  int
	After int
}

// Workload is what the modelled program does: the main goroutine's
// program, the controller's script and sysmon's retake and probe budgets.
type Workload struct {
	Main       *Program
	Controller []CtlStep
	// Retakes: how many retakes sysmon may make.
	Retakes int
	// Probes: how many syscalls sysmon may probe and let go without
	// taking their P (retake's `thread.resume(); goto done` when the
	// syscalltick moved or there is nothing to gain, proc.go:6686-6705):
	// while it holds the G's scan bit, another thread's
	// setBlockOnExitSyscall on that P fails. No sysmon when both are 0.
	Probes int
}

func (p *Program) String() string {
	if p == nil {
		return "{}"
	}
	var b strings.Builder
	p.write(&b)
	return b.String()
}

func (p *Program) write(b *strings.Builder) {
	b.WriteByte('{')
	for i, s := range p.Steps {
		if i > 0 {
			b.WriteString("; ")
		}
		switch s.Kind {
		case Spawn:
			if s.Arg != 0 {
				b.WriteString("gosys ")
			} else {
				b.WriteString("go ")
			}
			if s.Child == nil {
				b.WriteString("{}")
			} else {
				s.Child.write(b)
			}
		case Park, Ready, Assist:
			fmt.Fprintf(b, "%s(%d)", s.Kind, s.Arg)
		default:
			b.WriteString(s.Kind.String())
		}
	}
	b.WriteByte('}')
}

func (w Workload) String() string {
	var b strings.Builder
	b.WriteString("main ")
	b.WriteString(w.Main.String())
	if len(w.Controller) > 0 {
		b.WriteString(" ctl[")
		for i, c := range w.Controller {
			if i > 0 {
				b.WriteString(", ")
			}
			switch c.Kind {
			case CtlProcResize:
				fmt.Fprintf(&b, "procresize(%d)", c.Arg)
			case CtlGC:
				if c.Size != 0 {
					fmt.Fprintf(&b, "gc(%v, stack=%d)", c.Arg != 0, c.Size)
				} else {
					fmt.Fprintf(&b, "gc(%v)", c.Arg != 0)
				}
			}
			if c.After > 0 {
				fmt.Fprintf(&b, "@%d", c.After)
			}
		}
		b.WriteByte(']')
	}
	switch {
	case w.Probes > 0:
		fmt.Fprintf(&b, " sysmon(%d, probes %d)", w.Retakes, w.Probes)
	case w.Retakes > 0:
		fmt.Fprintf(&b, " sysmon(%d)", w.Retakes)
	}
	return b.String()
}

// Validate checks the workload's shape.
func (w Workload) Validate() error {
	if w.Main == nil {
		return fmt.Errorf("impl: workload: Main program is nil")
	}
	if w.Retakes < 0 || w.Probes < 0 {
		return fmt.Errorf("impl: workload: Retakes and Probes must not be negative")
	}
	for i, c := range w.Controller {
		if c.Kind < CtlProcResize || c.Kind > CtlGC {
			return fmt.Errorf("impl: workload: controller step %d has unknown kind %d", i, c.Kind)
		}
		if c.Size != 0 && (c.Kind != CtlGC || c.Arg != 0) {
			return fmt.Errorf("impl: workload: controller step %d: only gc off sets startingStackSize (gcMarkDone)", i)
		}
		if c.Size != 0 && (c.Size < stackMin || c.Size > maxStartingStackSize || c.Size&(c.Size-1) != 0) {
			return fmt.Errorf("impl: workload: controller step %d: startingStackSize %d is not a power of two in [%d, %d]", i, c.Size, stackMin, maxStartingStackSize)
		}
	}
	return w.Main.validate(0)
}

func (p *Program) validate(depth int) error {
	if depth > 64 {
		return fmt.Errorf("impl: workload: programs nest deeper than 64")
	}
	for i, s := range p.Steps {
		if s.Kind < Spawn || s.Kind >= numStepKinds {
			return fmt.Errorf("impl: workload: step %d has unknown kind %d", i, s.Kind)
		}
		if (s.Kind == Park || s.Kind == Ready) && (s.Arg < 0 || s.Arg > 1<<16) {
			return fmt.Errorf("impl: workload: wait object %d out of range", s.Arg)
		}
		if s.Kind == Spawn && s.Child != nil {
			if err := s.Child.validate(depth + 1); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *Program) maxObj() int {
	m := -1
	for _, s := range p.Steps {
		if (s.Kind == Park || s.Kind == Ready) && s.Arg > m {
			m = s.Arg
		}
		if s.Kind == Spawn && s.Child != nil {
			m = max(m, s.Child.maxObj())
		}
	}
	return m
}

// SpawnExit is the stress/benchmark workload: main spawns n children that
// return at once, in batches of batch, with a Gosched after each batch so
// the children run; then main returns. With grandchildren > 0 every child
// first spawns that many children of its own (more Ps get work to steal).
func SpawnExit(n, batch, grandchildren int) Workload {
	if batch < 1 {
		batch = 1
	}
	leaf := Prog()
	child := leaf
	if grandchildren > 0 {
		steps := make([]Step, grandchildren)
		for i := range steps {
			steps[i] = Go(leaf)
		}
		child = Prog(steps...)
	}
	steps := make([]Step, 0, n+n/batch+1)
	for i := 0; i < n; i++ {
		steps = append(steps, Go(child))
		if (i+1)%batch == 0 {
			steps = append(steps, Yield())
		}
	}
	steps = append(steps, Yield())
	return Workload{Main: Prog(steps...)}
}

// GenOptions bounds Generate.
type GenOptions struct {
	MaxSteps   int // steps per program (default 6)
	MaxDepth   int // spawn nesting (default 3)
	Objects    int // wait objects (default 2)
	Controller int // controller steps (default 0)
	Retakes    int // sysmon budget
	MainGoexit bool
	NoLockInt  bool // leave out lockint/unlockint (they can throw)
	ProcsLimit int  // procresize argument bound (Ps)
}

// Generate builds a random workload from r: programs of random steps,
// parks balanced by readies where possible. It is deterministic in r.
func Generate(r *rand.Rand, o GenOptions) Workload {
	if o.MaxSteps <= 0 {
		o.MaxSteps = 6
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = 3
	}
	if o.Objects <= 0 {
		o.Objects = 2
	}
	var gen func(depth int) *Program
	gen = func(depth int) *Program {
		n := r.IntN(o.MaxSteps + 1)
		var steps []Step
		locked := 0
		for i := 0; i < n; i++ {
			switch k := r.IntN(14); {
			case k < 4 && depth < o.MaxDepth:
				if r.IntN(8) == 0 {
					steps = append(steps, GoSystem(gen(depth+1)))
				} else {
					steps = append(steps, Go(gen(depth+1)))
				}
			case k < 5:
				steps = append(steps, ParkOn(r.IntN(o.Objects)))
			case k < 7:
				steps = append(steps, ReadyOn(r.IntN(o.Objects)))
			case k < 8:
				steps = append(steps, Sys())
			case k < 9:
				steps = append(steps, Yield())
			case k < 10:
				if locked > 0 && r.IntN(2) == 0 {
					steps = append(steps, Unlock())
					locked--
				} else {
					steps = append(steps, Lock())
					locked++
				}
			case k < 11:
				steps = append(steps, Grow())
			case k < 12:
				steps = append(steps, AssistCredit([]int{-1, 1}[r.IntN(2)]))
			case k < 13:
				steps = append(steps, MakeDirty())
			default:
				switch k := r.IntN(6); {
				case !o.NoLockInt && k < 2:
					steps = append(steps, LockI(), UnlockI())
				case k < 3:
					steps = append(steps, GoYield())
				default:
					steps = append(steps, Yield())
				}
			}
		}
		if depth > 0 && r.IntN(6) == 0 {
			steps = append(steps, Exit())
		}
		return Prog(steps...)
	}
	main := gen(0)
	// Give every object a final wakeup so parks are not all deadlocks.
	for i := 0; i < o.Objects; i++ {
		main.Steps = append(main.Steps, ReadyOn(i))
	}
	if o.MainGoexit {
		main.Steps = append(main.Steps, Exit())
	}
	w := Workload{Main: main, Retakes: o.Retakes}
	for i := 0; i < o.Controller; i++ {
		c := CtlStep{After: r.IntN(40)}
		switch r.IntN(3) {
		case 0:
			c.Kind, c.Arg = CtlProcResize, 1+r.IntN(max(1, o.ProcsLimit))
		default:
			c.Kind, c.Arg = CtlGC, r.IntN(2)
			if c.Arg == 0 && r.IntN(2) == 0 {
				c.Size = 2048 << r.IntN(3)
			}
		}
		w.Controller = append(w.Controller, c)
	}
	return w
}
