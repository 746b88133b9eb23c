package impl

import (
	"fmt"
	"time"
)

// Consts are the runtime constants made run-time parameters (docs/OPS.md,
// "Constants"). Preset "go" has the runtime's values, "small" scales them
// down so a handful of Gs reaches every branch.
type Consts struct{ GFreeCap, GFreeSpillTo, RefillTo, RunqSize, GlobalTick, GoidBatch int }

var presets = map[string]Consts{
	"go":    {GFreeCap: 64, GFreeSpillTo: 32, RefillTo: 32, RunqSize: 256, GlobalTick: 61, GoidBatch: 16},
	"small": {GFreeCap: 4, GFreeSpillTo: 2, RefillTo: 2, RunqSize: 4, GlobalTick: 3, GoidBatch: 16},
}

// Preset returns the named constant set: "go" or "small".
func Preset(name string) (Consts, error) {
	c, ok := presets[name]
	if !ok {
		return Consts{}, fmt.Errorf("impl: unknown constants preset %q (want go or small)", name)
	}
	return c, nil
}

// Validate reports whether the constants describe a runtime impl can run.
func (c Consts) Validate() error {
	switch {
	case c.GFreeSpillTo < 1 || c.GFreeCap <= c.GFreeSpillTo:
		return fmt.Errorf("impl: consts: need 1 <= GFreeSpillTo < GFreeCap, have %d and %d", c.GFreeSpillTo, c.GFreeCap)
	case c.RefillTo < 1 || c.RefillTo >= c.GFreeCap:
		// gfget refills to 32, below gfput's 64 (proc.go gfget, gfput):
		// a refill to the cap would leave a local list gfput never
		// leaves.
		return fmt.Errorf("impl: consts: need 1 <= RefillTo < GFreeCap, have %d and %d", c.RefillTo, c.GFreeCap)
	case c.RunqSize < 2 || c.RunqSize%2 != 0 || c.RunqSize > 1<<16:
		return fmt.Errorf("impl: consts: RunqSize must be even and in [2, 65536], have %d", c.RunqSize)
	case c.GlobalTick < 1:
		return fmt.Errorf("impl: consts: GlobalTick must be positive, have %d", c.GlobalTick)
	case c.GoidBatch < 1:
		return fmt.Errorf("impl: consts: GoidBatch must be positive, have %d", c.GoidBatch)
	}
	return nil
}

// Mode selects how the Ms advance.
type Mode uint8

const (
	// FreeRunning: every M is a goroutine running in parallel.
	FreeRunning Mode = iota
	// Deterministic: one actor advances at a time; a seeded schedule
	// picks it at every scheduling point.
	Deterministic
)

func (m Mode) String() string {
	switch m {
	case FreeRunning:
		return "free"
	case Deterministic:
		return "deterministic"
	}
	return fmt.Sprintf("mode(%d)", uint8(m))
}

// ParseMode is the inverse of Mode.String ("free" or "deterministic"/"det").
func ParseMode(s string) (Mode, error) {
	switch s {
	case "free", "free-running", "freerunning":
		return FreeRunning, nil
	case "deterministic", "det":
		return Deterministic, nil
	}
	return 0, fmt.Errorf("impl: unknown mode %q (want free or deterministic)", s)
}

// Config is one run's configuration.
type Config struct {
	Consts Consts
	Ps, Ms int
	// Wasm selects GOARCH=wasm behaviour: no threads (LockOSThread wires
	// nothing, gdestroy's gfput-and-return branch), no sysmon (no retake,
	// runqput ignores next).
	Wasm bool
	Mode Mode
	// Seed drives the deterministic schedule (after Choices run out) and
	// every M's steal order (both modes).
	Seed int64
	// Choices: the deterministic schedule's first picks; each indexes
	// (mod len) into the runnable actors in the order M0..Mn-1, sysmon,
	// controller. When exhausted the seeded PRNG continues.
	Choices []int
	// Systematic (deterministic mode): once Choices run out, every pick
	// is 0 (the actor granted last runs on while it can, else the first
	// runnable one) instead of the PRNG's, and Result.Points logs every
	// scheduling point, so that a search can enumerate the schedules
	// (checker.Systematic).
	Systematic bool
	// Faults: names of faults to switch on (see Faults()).
	Faults []string
	// Record: record the history.
	Record bool
	// SnapshotEvery (deterministic mode only): take a Snapshot after
	// every recorded op into Result.Snapshots. Implies AtomicOps.
	SnapshotEvery bool
	// AtomicOps (deterministic mode): no scheduling points inside ops,
	// only between them, so ops never overlap.
	AtomicOps bool
	// MaxSteps bounds a deterministic run (scheduler grants); default
	// 1,000,000. In free-running mode it bounds nothing.
	MaxSteps int
	// Timeout bounds a free-running run; default 20s.
	Timeout time.Duration
	// MaxOps bounds the ops a recording run commits; default 65,536
	// (a workload's run makes hundreds). A run that reaches it (a
	// livelock: Ms that take and drop Ps forever) ends timed out, so its
	// history cannot exhaust memory. Free-running, each actor (M, sysmon,
	// controller) has an equal share of it and the run ends when one
	// makes its share: counting the whole would make every actor read the
	// others' counts, edges between the Ms the runtime does not have.
	MaxOps int64
}

// Validate reports a bad configuration with a clear message.
func (c *Config) Validate() error {
	if err := c.Consts.Validate(); err != nil {
		return err
	}
	if c.Ps < 1 || c.Ps > 64 {
		return fmt.Errorf("impl: config: Ps must be in [1, 64], have %d", c.Ps)
	}
	if c.Ms < 1 || c.Ms > 64 {
		return fmt.Errorf("impl: config: Ms must be in [1, 64], have %d", c.Ms)
	}
	if c.Wasm && (c.Ps != 1 || c.Ms != 1) {
		// m0 is wasm's only thread (proc.go:276-278); with GOMAXPROCS
		// above 1 the first startm that needs an M calls newm, and
		// newosproc throws (os_wasm.go:114).
		return fmt.Errorf("impl: config: wasm has one thread: Ps and Ms must be 1, have %d Ps, %d Ms", c.Ps, c.Ms)
	}
	if c.Mode != FreeRunning && c.Mode != Deterministic {
		return fmt.Errorf("impl: config: unknown mode %d", c.Mode)
	}
	if c.SnapshotEvery && c.Mode != Deterministic {
		return fmt.Errorf("impl: config: SnapshotEvery needs Mode Deterministic")
	}
	if c.Systematic && c.Mode != Deterministic {
		return fmt.Errorf("impl: config: Systematic needs Mode Deterministic")
	}
	if c.MaxSteps < 0 {
		return fmt.Errorf("impl: config: MaxSteps must not be negative, have %d", c.MaxSteps)
	}
	if _, err := parseFaults(c.Faults); err != nil {
		return err
	}
	return nil
}

// SchedPoint is one scheduling point of a deterministic run: how many
// actors could run, and whether the actor granted last was one of them
// (then a pick other than 0 preempts it; else every pick is a switch the
// run had to make).
type SchedPoint struct {
	Runnable     int
	LastRunnable bool
}

// Actors that are not Ms (Event.M).
const (
	Sysmon     = -1
	Controller = -2
)

// Input is an op's arguments; which fields matter depends on Op:
//
//	newproc1: System. ready: G. retake, acquirep: P. procresize: N.
//	gc: On, and Size (off: the new startingStackSize, 0 keeps it). assist: Credit. schedule: P is the victim P
//	of a steal, else -1 (the choice is Out.Source and Out.Victim).
type Input struct {
	System        bool
	G, P, N, Size int
	Credit        int
	On            bool
	// Prog is, for newproc1, the program its Go step asked the new G to
	// run (the workload's programs numbered: Main 1, then the children of
	// its Go steps, depth first; 0: not recorded).
	Prog int `json:",omitempty"`
}

// Output is an op's observable result, with the field meanings of
// spec.Result. References that do not apply are -1 (G, Kicked, Victim,
// HandedTo, P).
type Output struct {
	G          int
	Goid       int64  // newproc1: the goid; goidrefill: the batch base
	How        string // newproc1: "local", "refill", "malg"
	Refilled   int
	Stack      string // newproc1: "reused", "allocated", "freed+allocated"
	Kicked     int
	Slow       bool
	Source     string // schedule: tick runnext ring global steal stealnext idle
	Victim     int
	Moved      int // schedule: Gs moved to the local ring (not counting the one run)
	HandedTo   int
	StackFreed bool
	Spilled    int
	Locked     string // "", "mexit", "m0wedged"
	P          int    // exitsyscall, acquirep: the P got; wakepstartm, startm: wakep's P
	Path       string `json:",omitempty"` // exitsyscall: keep, oldp, pidle, nop-pidle, nop (docs/OPS.md)
	HandedOff  bool
	Woke       bool  `json:",omitempty"` // startm: wakep's startm ran (the P to an M, or pending for newm)
	Newm       bool  `json:",omitempty"` // acquirep: newm's thread took the pending P, in an exited M's place
	Value      int64 // lock counts, new stack size, retake: the M robbed, markrootfreegstacks: stacks freed
	Throw      string
	Fatal      string
}

// Event is one recorded op.
type Event struct {
	M   int
	Op  string
	In  Input
	Out Output
	// Call and Return are the op's timestamps: free-running,
	// nanoseconds of the monotonic clock since the run's start, where an
	// op's Call may equal its actor's previous Return (equal times prove
	// no order); deterministic, a logical clock (see actor.begin).
	Call, Return int64
	// Prog and ProgGoid: the op was made while the M interpreted a step
	// of the program Prog (numbered as Input.Prog) run by the G with
	// goid ProgGoid; 0 when it was not (the scheduler's own ops, sysmon,
	// the controller). The checker holds them to the programs newproc1
	// was asked to start.
	Prog     int   `json:",omitempty"`
	ProgGoid int64 `json:",omitempty"`
	// Step is the program step the op was made in, 1-based (the
	// program's Steps[Step-1]; len(Steps)+1: past its last step, the
	// goroutine's return); 0 when the op has no Prog, or in a history
	// recorded before the step stamps. The checker holds each
	// goroutine's ops to its program's steps, in order.
	Step int `json:",omitempty"`
}

func (e Event) String() string {
	who := fmt.Sprintf("M%d", e.M)
	switch e.M {
	case Sysmon:
		who = "sysmon"
	case Controller:
		who = "ctl"
	}
	return fmt.Sprintf("[%d,%d] %s %s %+v -> %+v", e.Call, e.Return, who, e.Op, e.In, e.Out)
}

// GSnap is one G of the abstraction.
type GSnap struct {
	Goid                                             int64
	Status                                           string
	Stack                                            int
	M, LockedM                                       int
	System                                           bool
	Defer, Panic, Writebuf, Waitreason, Param        bool
	Labels, Timer, PreemptStop, Paniconfault, Bubble bool
	FipsOnlyBypass, Secret                           bool
	GCAssist                                         int
	// PC is how many of its program's steps the G has made (the
	// interpreter's program counter; a step is made whole between two
	// ops, so at the run's end it counts the steps that made no op
	// too: a park that took a pending wakeup, a ready that found
	// nobody parked). 0 for a G that runs no program.
	PC int `json:",omitempty"`
}

// MSnap is one M of the abstraction.
type MSnap struct {
	Curg, P, LockedG, OldP, NewG int
	LockedExt, LockedInt         int
	Exited, Wedged               bool
	// The wakeup protocol: mp.spinning, mp.nextp (-1: none), on the
	// idle M list, and the recheck findRunnable owes after dropping its
	// P while spinning.
	Spinning bool `json:",omitempty"`
	NextP    int
	Parked   bool `json:",omitempty"`
	Recheck  bool `json:",omitempty"`
	// RecheckRunqs: the recheck's global queue section is done, and
	// checkRunqsNoP is next.
	RecheckRunqs bool `json:",omitempty"`
	// YieldSlow: SlowBatch is goyield's, whose push owes no wakep.
	YieldSlow bool `json:",omitempty"`
	// AllpLen is the length of the allp snapshot the recheck reads,
	// when it is not GOMAXPROCS (a procresize since the M dropped its
	// P); 0 otherwise.
	AllpLen  int  `json:",omitempty"`
	WakeP    bool `json:",omitempty"` // owes a wakep
	Waking   bool `json:",omitempty"` // between wakep's CAS and its startm
	Stopping bool `json:",omitempty"` // owes startlockedm's stopm
	// StartmP is the P (one) wakep's sched.lock section took for its
	// startm, or the M's handoffp (in stoplockedm or mexit) holds
	// between its steps (PSnap.Handoff), while the M holds it; nil
	// otherwise.
	StartmP []int `json:",omitempty"`
	// SpinP is the P (one) findRunnable's recheck took with
	// pidlegetSpinning, while the M holds it before its acquirep; nil
	// otherwise.
	SpinP []int `json:",omitempty"`
	// Held is the global batch findRunnable took under sched.lock
	// (globrunqgetbatch), gp first, while the M holds it: the rest until
	// its runqputbatch, gp until findRunnable returns it (becomeSpinning's
	// needspinning store after the recheck's acquirep, or the runqputbatch
	// on the M's own P); nil otherwise.
	Held []int `json:",omitempty"`
	// StealTail: Held is what runqsteal's runqgrab took (the last
	// first), which the M's next op, runqsteal's tail store, publishes.
	StealTail bool `json:",omitempty"`
	// StopLocked: owes stoplockedm (a locked G's gosched or park, holding
	// its P until it; or its exitsyscallNoP, without a P).
	StopLocked bool `json:",omitempty"`
	// GCStopping: between gcstopm's two steps (its spinning dropped, its
	// sched.lock section next), holding its P.
	GCStopping bool `json:",omitempty"`
	// SpinClear: between becomeSpinning's stores made without a lock
	// (spinning and nmspinning++ made, needspinning = 0 the M's next op).
	SpinClear bool `json:",omitempty"`
	// StealWork: findRunnable spun (op spin) and its next schedule goes
	// on to stealWork and the stop path, not to findRunnable's top.
	StealWork bool `json:",omitempty"`
	// Mexiting: owes mexit (its locked G exited), holding its P until it.
	Mexiting bool `json:",omitempty"`
	// Mfreed: owes mexit's `sched.nmfreed++; checkdead()` (mexit handed
	// its P off), counted as running until it.
	Mfreed bool `json:",omitempty"`
	// SlowBatch is runqputslow's batch, head first, while the M holds it
	// between the CAS that took it (its runqput or ready) and its
	// runqputslowpush; nil otherwise.
	SlowBatch []int `json:",omitempty"`
	// Kicked is runqput's old runnext (one G) while the M holds it
	// between the CAS on pp.runnext that kicked it out (its runqput or
	// ready) and its runqputkick; nil otherwise.
	Kicked []int `json:",omitempty"`
	// Handing is the G (one) a spinning M's findRunnable found locked
	// to another M, which the M holds through resetspinning's wakep
	// until its startlockedm; nil otherwise.
	Handing []int `json:",omitempty"`
}

// PSnap is one P of the abstraction. Ring runs head to tail, GFree head
// first.
type PSnap struct {
	Status    string
	M         int
	Runnext   int
	Ring      []int
	GFree     []int
	GFreeSize int
	SchedTick int
	GoidCache int64
	GoidEnd   int64
	// StartSpinning: a P startm left for newm's M, which spins.
	StartSpinning bool `json:",omitempty"`
	// Handoff is the step of handoffp the P's holder makes next (spec
	// HandoffStep: 1 its sched.lock section, 2 the needspinning store,
	// 3 startm(pp, false), 4 startm(pp, true)); 0 when none holds it.
	Handoff int `json:",omitempty"`
	// OldM is pp.oldm of a P stopped for a stop-the-world (status
	// gcstop), -1 otherwise; read only for a stopped P.
	OldM int `json:",omitempty"`
}

// Snapshot is the abstraction function's value: plain data mirroring the
// runtime state of docs/OPS.md. Lists run head first.
type Snapshot struct {
	Gs                             []GSnap
	Ms                             []MSnap
	Ps                             []PSnap
	Runq, GFreeStack, GFreeNoStack []int
	// GFreeDetached: the Gs markrootFreeGStacks holds between its two
	// sched.gFree.lock sections, head first.
	GFreeDetached []int
	// Pidle is the idle P list (sched.pidle through pp.link), head
	// first; NPidle is sched.npidle.
	Pidle  []int
	NPidle int
	// Midle is the idle M list, head first; NMSpinning sched.nmspinning.
	Midle      []int
	NMSpinning int
	// NeedSpinning is sched.needspinning.
	NeedSpinning bool `json:",omitempty"`
	// CtlWakeP, CtlWaking and CtlStartmP are the wakep the controller
	// owes after a stop-the-world (startTheWorldWithSema's): owed, after
	// its CAS, and the P its sched.lock section took for startm (at most
	// one).
	CtlWakeP   bool  `json:",omitempty"`
	CtlWaking  bool  `json:",omitempty"`
	CtlStartmP []int `json:",omitempty"`
	// RetakeP is the P (one) sysmon's retake took and has yet to hand
	// off (its next op, handoffp), and RetakeM the M it took it from.
	RetakeP []int `json:",omitempty"`
	RetakeM []int `json:",omitempty"`
	// GCWaiting is sched.gcwaiting: a stop-the-world is under way.
	GCWaiting         bool `json:",omitempty"`
	GFreeStackSize    int
	GFreeNoStackSize  int
	NGSys             int
	BgScanCredit      int64
	GCBlacken         bool
	FreeGStacksDone   bool // markrootFreeGStacks ran in this mark phase
	StartingStackSize int
	Goidgen           int64
	GoMaxProcs        int
	MainGoexit        bool
	// Terminal: "" (alive), "main returned", "goexit deadlock", "all asleep",
	// "throw".
	Terminal string
}

// Result is what Run returns.
type Result struct {
	// History is the recorded ops by Call, each actor's in the order the
	// actor made them (the checker takes that as program order).
	History   []Event
	Snapshot  Snapshot
	Snapshots []Snapshot
	// Throw is the runtime throw the run stopped at; the op that raised
	// it has it as its Output.Throw.
	Throw string
	Fatal string
	// Panic is set when an actor's goroutine (an M, sysmon, the
	// controller) panicked: the panic value, then the actor and its
	// stack from the function that panicked down. The run ended there:
	// the other actors stopped at their next safe point, and the locks
	// the panicking actor held were released.
	Panic string
	// Deadlock: the run ended with no actor able to move and the
	// program alive: checkdead, which ends a program whose Ms all sleep
	// (Fatal "all goroutines are asleep - deadlock!"), did not, so an M
	// still counts as running (a P left for newm while every M is busy
	// and none has exited: the implementation runs at most its Ms
	// threads at once). The checker judges such a
	// quiescent end with the progress predicates.
	Deadlock bool
	// HungInOp (deterministic modes, with Deadlock): the actors (M ids,
	// Sysmon, Controller) that were inside an op, begun and neither
	// committed nor dropped, when no actor could move. Every op of the
	// spec completes in one step: an actor stuck in one waits for a
	// condition no op will make true (a lost wakeup, a bit never
	// cleared), which the final state, the state before the op, does not
	// show.
	HungInOp []int `json:",omitempty"`
	TimedOut bool
	// Rescued (free-running): lost wakeups, the times every actor was
	// found asleep with no wakeup on its way to any of them while one's
	// condition held. Every condition an actor sleeps on is made true by
	// an op that wakes an actor waiting for it (notewakeup), so a rescue
	// is a bug of the implementation.
	Rescued int
	// Steps: scheduler grants (deterministic) or ops (free-running).
	Steps int
	// Points (Config.Systematic): the scheduling points before the run
	// ended, one per grant, in order: Points[i] is where Choices[i]
	// applies.
	Points []SchedPoint
	// Ops counts recorded-op kinds (counted even when Record is off).
	Ops map[string]int
	// Branches counts interesting branches taken (spill, refill,
	// runqputslow, casretry, startlockedm, mexit, ...).
	Branches map[string]int
	// Violations are harness-level invariant breaks seen during the run,
	// e.g. a G executed while already running on another M.
	Violations []string
	// AtThrow is the state at the throw the run stopped at, in the
	// deterministic modes (nil otherwise: without a throw, or
	// free-running, where the other actors run on while the throwing
	// one looks and no state is the throw's). Snapshot is the state
	// at the throw, not a quiescent one: after the throw the actors wind
	// down, and one inside an op may finish it (and record it) on its way
	// out.
	AtThrow *ThrowState
}

// ThrowState is the implementation's state when the op that threw
// committed (Result.AtThrow), and which actors were inside an op then.
type ThrowState struct {
	// Snapshot is the state as the op that threw committed, taken while
	// every other actor waited at a scheduling point.
	Snapshot Snapshot
	// InOp lists the actors (M ids, Sysmon, Controller) that had begun
	// an op and neither committed nor dropped it: their writes so far
	// are in Snapshot, and no op recorded by then explains them. A
	// state with InOp empty is the state after the ops recorded up to
	// the throw.
	InOp []int `json:",omitempty"`
}
