package spec

import "strings"

// OpKind names a transition. The names are those of docs/OPS.md, shared
// with impl/.
type OpKind uint8

const (
	OpGoidRefill              OpKind = iota + 1 // newproc1's goid batch fetch from sched.goidgen
	OpNewproc1                                  // newproc1: gfget or malg+allgadd, goid, dead -> runnable
	OpRunqput                                   // runqput(pp, newg, true) after newproc1
	OpReady                                     // ready(gp): waiting -> runnable, runqput(next)
	OpSchedule                                  // schedule: findRunnable + execute (or startlockedm, or stopm)
	OpExit                                      // goexit1 -> mcall(goexit0) -> gdestroy -> gfput
	OpGoexit                                    // runtime.Goexit: the same path, allowed on the main G
	OpGosched                                   // gosched_m: running -> runnable, globrunqput
	OpPark                                      // park_m: running -> waiting, dropg (stoplockedm when locked)
	OpEnterSyscall                              // entersyscall: running -> syscall
	OpRetake                                    // sysmon's retake: take the P of an M in a syscall and resume the thread; handoffp is next (OpHandoffp)
	OpExitSyscall                               // exitsyscall: syscall -> running, or exitsyscallNoP
	OpLockOSThread                              // LockOSThread: lockedExt++
	OpUnlockOSThread                            // UnlockOSThread: lockedExt--
	OpLockInt                                   // lockOSThread (runtime-internal): lockedInt++
	OpUnlockInt                                 // unlockOSThread (runtime-internal): lockedInt--
	OpAcquireP                                  // stopm returns with acquirep(mp.nextp), newm's M takes its P, or findRunnable's recheck's `acquirep(pp); mp.becomeSpinning()` of the P it took
	OpProcResize                                // procresize(n) under stop-the-world
	OpGC                                        // GC cycle toggle: gcStart (gcResetMarkState, gcBlackenEnabled = 1) or gcMarkDone (gcComputeStartingStackSize, gcBlackenEnabled = 0)
	OpGrowStack                                 // copystack: curg's stack doubles
	OpAssist                                    // curg's gcAssistBytes set (assist credit or debt)
	OpDirty                                     // curg's fields that gdestroy clears become non-zero
	OpMcall                                     // mcall(fn) with a fn that returns: badmcall2
	OpMarkrootFreeGStacks                       // markrootFreeGStacks: the GC takes sched.gFree.stack and frees its stacks
	OpMarkrootFreeGStacksPush                   // markrootFreeGStacks: the taken Gs pushed onto sched.gFree.noStack
	OpRunqputslowPush                           // runqputslow: lock(&sched.lock); globrunqputbatch(&q) of the batch its CAS took
	OpStopm                                     // stopm's mput, in a sched.lock section of its own: after findRunnable's stop path or recheck, startlockedm or exitsyscallNoP
	OpWakep                                     // wakep's CAS of nmspinning 0 -> 1 (or nothing, when an M spins), owed after newproc, ready, goschedImpl, runqputkick, runqputslowpush, or resetspinning once schedule found work while spinning
	OpStopSpinning                              // findRunnable's stop path: a spinning M that dropped its P stops spinning (nmspinning--)
	OpSpin                                      // findRunnable: `if !mp.spinning { mp.becomeSpinning() }` before stealWork
	OpRunqputKick                               // runqput: the old runnext its CAS kicked out, stored at the ring's tail (or runqputslow)
	OpWakepStartm                               // wakep after its CAS: lock(&sched.lock); pidlegetSpinning (startm(pp, true) is OpStartm, next), or nmspinning-- with no idle P
	OpStartm                                    // wakep's startm after its pidlegetSpinning, or handoffp's: lock(&sched.lock); mget; the P to the M's nextp, or left for newm's
	OpStoplockedm                               // schedule's stoplockedm after a locked G's gosched (and its wakep) or park: releasep, handoffp's unlocked reads (its next steps, then incidlelocked(1))
	OpStartlockedm                              // startlockedm after resetspinning's wakep: the G a spinning M found locked to another M, with this M's P, to that M
	OpMexit                                     // mexit after gdestroy of a locked G: handoffp(releasep())'s unlocked reads; its next steps, then mfreed
	OpRecheck                                   // findRunnable's recheck after a spinning M dropped its P, one step per sched.lock section: sched.runq's, then checkRunqsNoP's (M.RecheckRunqs), then, where that found work and no idle P while the GC marked, checkIdleGCNoP's (M.Recheck with M.Stopping); takes an idle P (and the global batch) for acquirep next, or finds nothing it can take and stopm is next
	OpMfreed                                    // mexit after its handoffp: lock(&sched.lock); sched.nmfreed++; checkdead(); the thread exits (m0 parks forever)
	OpRunqputBatch                              // findRunnable after the unlock that took a global batch: runqputbatch(pp, &q) of its rest onto the M's P (then gp runs) or the P the recheck took
	OpRunqstealTail                             // runqsteal after runqgrab's CAS took two or more: atomic.StoreRel(&pp.runqtail, t+n) publishes all but the last, which then runs
	OpStopTheWorld                              // the controller's stopTheWorldWithSema: gcwaiting; Ps in syscalls and idle Ps to _Pgcstop; the other Ms stop at their safe points
	OpPreempt                                   // goschedImpl(gp, true) for a stop-the-world: the G to its own P's runnext (runqput(pp, gp, true)), wakep, then schedule
	OpGCStopm                                   // gcstopm at findRunnable's top while sched.gcwaiting: spinning dropped, the P to _Pgcstop, then stopm
	OpHandoffp                                  // sysmon after its retake took a P and resumed the syscalling thread: handoffp(pp)'s unlocked reads; its next steps, then incidlelocked(1) (checkdead)
	OpHandoffpLocked                            // handoffp's sched.lock section (gcwaiting, the global queue, the last running P, pidleput), by sysmon or by an M in stoplockedm or mexit
	OpHandoffpStore                             // handoffp's sched.needspinning.Store(0) after its CAS of nmspinning 0 -> 1 (startm(pp, true) is next)
	OpGoyield                                   // goyield_m (a starving sync.Mutex's direct handoff): running -> runnable, dropg, runqput(pp, gp, false) at its own P's ring tail, no wakep, then schedule
	numOps
)

var opNames = [...]string{
	OpGoidRefill: "goidrefill", OpNewproc1: "newproc1", OpRunqput: "runqput", OpReady: "ready",
	OpSchedule: "schedule", OpExit: "exit", OpGoexit: "goexit", OpGosched: "gosched", OpPark: "park",
	OpEnterSyscall: "entersyscall", OpRetake: "retake", OpExitSyscall: "exitsyscall",
	OpLockOSThread: "lockosthread", OpUnlockOSThread: "unlockosthread", OpLockInt: "lockint",
	OpUnlockInt: "unlockint", OpAcquireP: "acquirep", OpProcResize: "procresize", OpGC: "gc",
	OpGrowStack: "growstack", OpAssist: "assist", OpDirty: "dirty",
	OpMcall: "mcall", OpMarkrootFreeGStacks: "markrootfreegstacks",
	OpMarkrootFreeGStacksPush: "markrootfreegstackspush", OpRunqputslowPush: "runqputslowpush",
	OpStopm: "stopm", OpWakep: "wakep", OpStopSpinning: "stopspinning", OpSpin: "spin",
	OpRunqputKick: "runqputkick", OpWakepStartm: "wakepstartm",
	OpStartlockedm: "startlockedm", OpStoplockedm: "stoplockedm", OpStartm: "startm", OpRecheck: "recheck", OpMexit: "mexit",
	OpMfreed: "mfreed", OpRunqputBatch: "runqputbatch", OpRunqstealTail: "runqstealtail",
	OpStopTheWorld: "stoptheworld", OpPreempt: "preempt", OpGCStopm: "gcstopm", OpHandoffp: "handoffp",
	OpHandoffpLocked: "handoffplocked", OpHandoffpStore: "handoffpstore", OpGoyield: "goyield",
}

func (k OpKind) String() string {
	if int(k) < len(opNames) && opNames[k] != "" {
		return opNames[k]
	}
	return "op(" + itoa(int64(k)) + ")"
}

// ParseOpKind is the inverse of OpKind.String.
func ParseOpKind(name string) (OpKind, bool) {
	for k := OpKind(1); k < numOps; k++ {
		if opNames[k] == name {
			return k, true
		}
	}
	return 0, false
}

// OpKinds lists every op kind.
func OpKinds() []OpKind {
	ks := make([]OpKind, 0, numOps-1)
	for k := OpKind(1); k < numOps; k++ {
		ks = append(ks, k)
	}
	return ks
}

// Actors that are not Ms.
const (
	Sysmon     = -1 // sysmon (retake, then handoffp)
	Controller = -2 // the world-stopping controller (stoptheworld, then procresize, gc on and off, the off setting startingStackSize, with startTheWorldWithSema's hand-out, then its wakep, startm) and the GC's markrootfreegstacks
)

// Source is where findRunnable found the G, in the runtime's order. It is
// the explicit choice of a schedule op.
type Source uint8

const (
	SrcTick      Source = iota + 1 // every GlobalTick-th schedtick: globrunqget
	SrcRunnext                     // runqget: pp.runnext
	SrcRing                        // runqget: the head of the local ring
	SrcGlobal                      // globrunqgetbatch, the rest to the local ring
	SrcSteal                       // runqsteal from Victim's ring
	SrcStealNext                   // runqsteal of Victim's runnext (stealRunNextG)
	SrcIdle                        // nothing: the P goes idle and the M stops
	numSources
)

var sourceNames = [...]string{SrcTick: "tick", SrcRunnext: "runnext", SrcRing: "ring", SrcGlobal: "global",
	SrcSteal: "steal", SrcStealNext: "stealnext", SrcIdle: "idle"}

func (s Source) String() string {
	if int(s) < len(sourceNames) && sourceNames[s] != "" {
		return sourceNames[s]
	}
	return "source(" + itoa(int64(s)) + ")"
}

// ParseSource is the inverse of Source.String.
func ParseSource(name string) (Source, bool) {
	for s := Source(1); s < numSources; s++ {
		if sourceNames[s] == name {
			return s, true
		}
	}
	return 0, false
}

// ExitPath is the way exitsyscall gets its G running again, or gives up
// (Op.N of an exitsyscall op). Which one the runtime takes depends on
// timing only through its racy reads (see exitsyscall); the P each path
// gets is the spec's to decide.
type ExitPath int8

const (
	// ExitKeep: the fast path, the M still has its P (proc.go:4929-4957).
	ExitKeep ExitPath = iota
	// ExitOldP: exitsyscallTryGetP takes the old P back from the thread
	// now in a syscall on it: setBlockOnExitSyscall(oldp), takeP
	// (proc.go:5035-5042).
	ExitOldP
	// ExitPidle: exitsyscallTryGetP's pidleget: the head of the idle
	// list (proc.go:5045-5057).
	ExitPidle
	// ExitNoPPidle: exitsyscallNoP's own pidleget under sched.lock finds
	// a P after all: acquirep, execute(gp, false), a new time slice
	// (proc.go:5083-5086, 5101-5105).
	ExitNoPPidle
	// ExitNoP: exitsyscallNoP: the G goes to the global queue and the M
	// stops, or waits in stoplockedm (proc.go:5087-5115).
	ExitNoP
	numExitPaths
)

var exitPathNames = [...]string{"keep", "oldp", "pidle", "nop-pidle", "nop"}

func (e ExitPath) String() string {
	if e >= 0 && e < numExitPaths {
		return exitPathNames[e]
	}
	return "exitpath(" + itoa(int64(e)) + ")"
}

// ParseExitPath is the inverse of ExitPath.String.
func ParseExitPath(name string) (ExitPath, bool) {
	for e := ExitPath(0); e < numExitPaths; e++ {
		if exitPathNames[e] == name {
			return e, true
		}
	}
	return 0, false
}

// Op is one transition request. Which fields matter depends on Kind.
type Op struct {
	Kind OpKind
	// M is the actor: an M id, or Sysmon, or Controller.
	M int8
	// G is ready's target.
	G int32
	// P is retake's and acquirep's P.
	P int8
	// N is procresize's new count, assist's credit (+1 or -1), gc's on (1)
	// or off (0), stoptheworld's Ps left to a retake (a bit per P),
	// newproc1's system flag (1), exitsyscall's path
	// (an ExitPath), checkRunqsNoP's read in the recheck (RecheckFound).
	N int8
	// Size is gc off's new startingStackSize (gcMarkDone's
	// gcComputeStartingStackSize); 0 keeps it.
	Size int32
	// Source and Victim are schedule's choice. Source is also the path
	// of findRunnable's recheck (OpRecheck): SrcGlobal for the global
	// batch its sched.lock section takes with an idle P, 0 otherwise.
	Source Source
	Victim int8
	// Strict: the op overlapped no other op, so every read the runtime
	// makes without a lock saw a settled state. findRunnable's and
	// exitsyscall's order then apply without the relaxations for racy
	// reads (see the package doc, "Schedule choices").
	Strict bool
	// Pre makes the op a composite of the explorer's G-writes reduction
	// (ReduceGWrites, gwrites.go): an exit whose G first makes the
	// writes its bits name (PreDirty, PreCredit or PreDebt, PreGrow
	// doublings), in that order. Parts lists them.
	Pre uint8
}

func (op Op) String() string {
	var b strings.Builder
	switch op.M {
	case Sysmon:
		b.WriteString("sysmon ")
	case Controller:
		b.WriteString("ctl ")
	default:
		b.WriteString("M")
		b.WriteString(itoa(int64(op.M)))
		b.WriteByte(' ')
	}
	if op.Pre != 0 {
		parts := op.Parts(nil)
		for _, p := range parts[:len(parts)-1] {
			b.WriteString(p.Kind.String())
			if p.Kind == OpAssist {
				b.WriteString(" " + itoa(int64(p.N)))
			}
			b.WriteString(", ")
		}
	}
	b.WriteString(op.Kind.String())
	switch op.Kind {
	case OpNewproc1:
		if op.N != 0 {
			b.WriteString(" system")
		}
	case OpReady:
		b.WriteString(" G" + itoa(int64(op.G)))
	case OpSchedule:
		b.WriteString(" " + op.Source.String())
		if op.Source == SrcSteal || op.Source == SrcStealNext {
			b.WriteString(" P" + itoa(int64(op.Victim)))
		}
	case OpRetake, OpAcquireP:
		b.WriteString(" P" + itoa(int64(op.P)))
	case OpExitSyscall:
		b.WriteString(" " + ExitPath(op.N).String())
	case OpProcResize:
		b.WriteString(" " + itoa(int64(op.N)))
	case OpStopTheWorld:
		if op.N != 0 {
			// The syscall Ps setBlockOnExitSyscall failed on: a retake
			// holds the G, or its exitsyscall came first.
			b.WriteString(" not taking")
			for pi := 0; pi < 8; pi++ {
				if uint8(op.N)&(1<<uint(pi)) != 0 {
					b.WriteString(" P" + itoa(int64(pi)))
				}
			}
		}
	case OpGC:
		if op.N != 0 {
			b.WriteString(" on")
		} else {
			b.WriteString(" off")
			if op.Size != 0 {
				b.WriteString(" stack=" + itoa(int64(op.Size)))
			}
		}
	case OpRecheck:
		if op.Source != 0 {
			b.WriteString(" " + op.Source.String())
		}
		if op.N&RecheckFound != 0 {
			b.WriteString(" runq-work")
		}
	case OpAssist:
		b.WriteString(" " + itoa(int64(op.N)))
	}
	return b.String()
}

// How newproc1 obtained its G.
const (
	HowLocal  = "local"  // gfget popped the P's free list
	HowRefill = "refill" // gfget refilled the P's list from sched.gFree first
	HowMalg   = "malg"   // gfget found nothing: malg + allgadd
)

// What gfget did to the G's stack.
const (
	StackReused    = "reused"          // kept its stack of startingStackSize
	StackAllocated = "allocated"       // had none: stackalloc(startingStackSize)
	StackReplaced  = "freed+allocated" // wrong size: stackfree, then stackalloc
)

// What the locked-thread branch of gdestroy did.
const (
	LockedMexit    = "mexit"    // the thread exits (gogo(&mp.g0.sched) -> mstart0 -> mexit)
	LockedM0Wedged = "m0wedged" // m0 cannot exit: parked forever
)

// Result is a transition's observable outcome. Which fields matter depends
// on the op; the rest are zero or None as set by NewResult.
type Result struct {
	G        int32  // the G created, run, exited, parked, ...
	Goid     int64  // newproc1's goid; goidrefill's batch base
	Batch    int64  // newproc1: the base of the goid batch it fetched (its goidrefill), 0 if the cache had goids
	How      string // newproc1: HowLocal, HowRefill, HowMalg
	Refilled int32  // newproc1: Gs gfget moved from the global lists
	Stack    string // newproc1: StackReused, StackAllocated, StackReplaced
	Kicked   int32  // runqput/ready: the old runnext the CAS took out of runnext (runqputkick puts it on the ring), or None
	Slow     bool   // runqput/ready/runqputkick: runqputslow's CAS took the batch (its push is OpRunqputslowPush)
	Source   Source // schedule
	Victim   int8   // schedule: the robbed P
	Moved    int32  // schedule: Gs moved to the local ring (global batch, steal)
	HandedTo int8   // schedule, startlockedm: the locked M handed the P; acquirep of a locked M: itself; startm: the M given the P (None: newm's); or None
	Woke     bool   // startm: wakep's startm ran (the P to an M, or pending for newm)
	Newm     bool   // acquirep: newm's thread took the pending P, in an exited M's place
	// exit/goexit:
	StackFreed bool   // gfput freed a stack of the wrong size
	Spilled    int32  // gfput moved this many to the global lists
	Locked     string // "", LockedMexit, LockedM0Wedged
	P          int8   // exitsyscall, acquirep: the P got (None: exitsyscallNoP queued the G)
	HandedOff  bool   // park/exit: the P went through handoffp
	Value      int64  // lock counts, new stack size; markrootfreegstacks: stacks freed; runqputslowpush: Gs pushed
	Fatal      string // a fatal error the program raised (terminal)
}

// NewResult returns a Result with every reference None.
func NewResult() Result {
	return Result{G: None, Kicked: None, Victim: None, HandedTo: None, P: None}
}

func (r Result) String() string {
	var parts []string
	add := func(s string) { parts = append(parts, s) }
	if r.G != None {
		add("G" + itoa(int64(r.G)))
	}
	if r.Goid != 0 {
		add("goid=" + itoa(r.Goid))
	}
	if r.How != "" {
		add("via " + r.How)
	}
	if r.Batch != 0 {
		add("goid batch from " + itoa(r.Batch))
	}
	if r.Refilled != 0 {
		add("refilled=" + itoa(int64(r.Refilled)))
	}
	if r.Stack != "" {
		add("stack " + r.Stack)
	}
	if r.Kicked != None {
		add("kicked G" + itoa(int64(r.Kicked)))
	}
	if r.Slow {
		add("runqputslow")
	}
	if r.Source != 0 {
		add("from " + r.Source.String())
	}
	if r.Victim != None {
		add("victim P" + itoa(int64(r.Victim)))
	}
	if r.Moved != 0 {
		add("moved=" + itoa(int64(r.Moved)))
	}
	if r.Woke {
		add("wakep")
	}
	if r.HandedTo != None {
		add("handed to M" + itoa(int64(r.HandedTo)))
	}
	if r.StackFreed {
		add("stackfree")
	}
	if r.Spilled != 0 {
		add("spilled=" + itoa(int64(r.Spilled)))
	}
	if r.Locked != "" {
		add("locked:" + r.Locked)
	}
	if r.P != None {
		add("P" + itoa(int64(r.P)))
	}
	if r.HandedOff {
		add("handoffp")
	}
	if r.Value != 0 {
		add("value=" + itoa(r.Value))
	}
	if r.Fatal != "" {
		add("fatal: " + r.Fatal)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}
