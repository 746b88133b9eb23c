// Recording: ops into per-actor buffers with call and return timestamps,
// expanded to Events at the end.

package impl

// opKind numbers the ops of docs/OPS.md.
type opKind uint8

const (
	opGoidRefill opKind = iota
	opNewproc1
	opRunqput
	opReady
	opSchedule
	opExit
	opGoexit
	opGosched
	opPark
	opEnterSyscall
	opRetake
	opExitSyscall
	opLockOSThread
	opUnlockOSThread
	opLockInt
	opUnlockInt
	opAcquireP
	opProcResize
	opGC
	opStackSize
	opGrowStack
	opAssist
	opDirty
	opMarkrootFreeGStacks
	opMarkrootFreeGStacksPush
	opRunqputslowPush
	opStopm
	opWakep
	opStopSpinning
	opSpin
	opRunqputKick
	opWakepStartm
	opStartlockedm
	opStoplockedm
	opStartm
	opRecheck
	opMexit
	opMfreed
	opRunqputBatch
	opRunqstealTail
	numOpKinds
)

var opNames = [numOpKinds]string{"goidrefill", "newproc1", "runqput", "ready", "schedule", "exit", "goexit",
	"gosched", "park", "entersyscall", "retake", "exitsyscall", "lockosthread", "unlockosthread", "lockint",
	"unlockint", "acquirep", "procresize", "gc", "stacksize", "growstack", "assist", "dirty",
	"markrootfreegstacks", "markrootfreegstackspush", "runqputslowpush", "stopm", "wakep", "stopspinning", "spin",
	"runqputkick", "wakepstartm", "startlockedm", "stoplockedm", "startm", "recheck", "mexit",
	"mfreed", "runqputbatch", "runqstealtail"}

// OpNames lists the op names impl records, in docs/OPS.md order.
func OpNames() []string { return append([]string(nil), opNames[:]...) }

// Branches counted in Result.Branches.
type branch uint8

const (
	brSpill branch = iota
	brRefill
	brMalg
	brRunqputslow
	brKick
	brCasRetry
	brRunnextLost
	brTick
	brGlobal
	brSteal
	brStealNext
	brIdle
	brStartlockedm
	brMexit
	brM0Wedged
	brHandoff
	brExitsyscallKeep
	brExitsyscallOldp
	brExitsyscallIdle
	brExitsyscallNoP
	brExitsyscallNoPIdle
	brStackReplaced
	brStackAllocated
	brWaitToken
	brReadyNoWaiter
	brFlush
	brWakep
	brStartm
	brNewm
	brRecheck
	brStopm
	brStoplockedmReturns
	brNeedSpinning
	numBranches
)

var branchNames = [numBranches]string{"spill", "refill", "malg", "runqputslow", "kick", "casretry", "runnextlost",
	"tick", "global", "steal", "stealnext", "idle", "startlockedm", "mexit", "m0wedged", "handoff",
	"exitsyscall-keep", "exitsyscall-oldp", "exitsyscall-idle", "exitsyscall-nop", "exitsyscall-nop-idle", "stack-replaced",
	"stack-allocated", "park-token", "ready-nowaiter", "assist-flush",
	"wakep", "startm", "newm", "recheck", "stopm", "stoplockedm-returns", "needspinning"}

// Codes packed in rec.code.
const (
	howLocal = iota + 1
	howRefill
	howMalg
)

var howNames = [...]string{"", "local", "refill", "malg"}

const (
	stReused = iota + 1
	stAllocated
	stReplaced
)

var stackNames = [...]string{"", "reused", "allocated", "freed+allocated"}

const (
	srcTick = iota + 1
	srcRunnext
	srcRing
	srcGlobal
	srcSteal
	srcStealNext
	srcIdle
)

var sourceNames = [...]string{"", "tick", "runnext", "ring", "global", "steal", "stealnext", "idle"}

// exitsyscall's paths (docs/OPS.md).
const (
	exitKeep = iota + 1
	exitOldP
	exitPidle
	exitNoPPidle
	exitNoP
)

var exitPathNames = [...]string{"", "keep", "oldp", "pidle", "nop-pidle", "nop"}

const (
	lkMexit = iota + 1
	lkM0Wedged
)

var lockedNames = [...]string{"", "mexit", "m0wedged"}

// rec flags.
const (
	flSystem uint8 = 1 << iota
	flOn
	flSlow
	flStackFreed
	flHandedOff
	flWoke
)

// rec is the compact form of an Event, 48 bytes; buffers are per actor
// and expanded into Events when the run ends.
type rec struct {
	call, ret int64
	val       int64 // goid, value
	g         int32 // Out.G
	in        int32 // the op's int argument
	a         int32 // kicked / victim / refilled / spilled / P
	b         int32 // moved
	c         int32 // handedTo
	op        opKind
	code      uint8 // how|stack<<4, source, locked
	flags     uint8
	str       uint8 // index of a throw/fatal message in actor.strs; 0 none
}

const chunk = 1024

// begin starts an op: its call timestamp.
//
// Timestamps. The clock is one atomic counter that only commits advance:
// an op's call is 2*load+1, its return 2*add (the value after its
// increment). That is one read-modify-write per op, and the begin is a
// plain load. The real-time order is kept exactly (Go's atomics are
// sequentially consistent): if A committed before B began, B's load sees
// at least A's add, so B.call = 2*load+1 > 2*add = A.ret; if B began
// before A committed, B's load is below A's add and B.call < A.ret, so
// they are (correctly) concurrent. An op's own return exceeds its call,
// its add coming after its load. Calls are odd and returns even, so no
// call equals a return; two ops that began concurrently may share a call.
//
// Why a shared counter and not a clock each M reads on its own: the
// buffers are per actor, and a clock monotonic across Ms (an invariant
// TSC, CLOCK_MONOTONIC) would remove the shared cache line, but on this
// machine (a virtual machine) every such read is slow, and how slow
// depends on the host: measured in one run, runtime nanotime (vDSO
// clock_gettime) 90 ns, RDTSCP 91 ns, LFENCE;RDTSC 105 ns, against 8 ns
// for the counter's add (7.9 ns alone, 8.6 ns with two Ms adding at
// once); in another, on a later day, nanotime 24.9 ns and RDTSCP (runtime
// cputicks) 19.2 ns against 2.1 ns for the add alone and 5.2 ns with two
// goroutines adding at once. An exact clock needs two reads per op (the
// call's and the return's), 38 ns even at the better figure, above the
// whole 30 ns recording aim; one read per op (the call stamped with the
// M's previous read) would drop real-time edges the counter keeps, and
// its soundness would rest on the TSCs of all cores agreeing. The
// counter's line moves between cores only when ops of different Ms
// alternate, which is the real-time order information the
// linearizability check needs.
func (a *actor) begin(op opKind) rec {
	r := rec{op: op, g: -1, a: -1, c: -1}
	if a.s.rec {
		r.call = 2*a.s.clock.Load() + 1
	}
	return r
}

// commit ends an op: return timestamp, buffer append, counters, and in
// SnapshotEvery mode the snapshot after it.
func (a *actor) commit(r *rec) {
	s := a.s
	if a.fatal != "" {
		a.declareFatal(r)
		return
	}
	a.ops[r.op]++
	a.nops++
	if a.nops&15 == 0 {
		a.nopsPub.Store(a.nops)
	}
	if !s.det {
		s.committed()
	}
	if !s.rec {
		return
	}
	n := s.clock.Add(1)
	r.ret = 2 * n
	if n == s.cfg.MaxOps {
		// A livelock: end the run before its history exhausts memory.
		s.timedOut.Store(true)
		s.end()
	}
	if len(a.buf) == cap(a.buf) {
		if a.buf != nil {
			a.bufs = append(a.bufs, a.buf)
		}
		a.buf = make([]rec, 0, chunk)
	}
	a.buf = append(a.buf, *r)
	if s.snap {
		s.snapshots = append(s.snapshots, s.snapshot())
	}
}

// declareFatal ends the run with the fatal error checkdead found in the
// op r commits: the program's end, recorded on the op.
func (a *actor) declareFatal(r *rec) {
	s := a.s
	msg := a.fatal
	a.fatal = ""
	a.note(r, "fatal:"+msg)
	s.fatalMsg.CompareAndSwap(nil, &msg)
	s.terminal.Store(a.terminal)
	a.commit(r)
	s.end()
}

// note attaches a throw or fatal message to r.
func (a *actor) note(r *rec, msg string) {
	if len(a.strs) < 255 {
		a.strs = append(a.strs, msg)
		r.str = uint8(len(a.strs) - 1)
	}
}

func (a *actor) expand(r *rec) Event {
	e := Event{M: a.id, Op: opNames[r.op], Call: r.call, Return: r.ret}
	e.In.P = -1
	o := &e.Out
	o.G, o.Kicked, o.Victim, o.HandedTo, o.P = -1, -1, -1, -1, -1
	o.G = int(r.g)
	o.Slow = r.flags&flSlow != 0
	o.StackFreed = r.flags&flStackFreed != 0
	o.HandedOff = r.flags&flHandedOff != 0
	o.Woke = r.flags&flWoke != 0
	switch r.op {
	case opGoidRefill:
		o.Goid = r.val
	case opNewproc1:
		e.In.System = r.flags&flSystem != 0
		o.Goid = r.val
		o.How = howNames[r.code&15]
		o.Stack = stackNames[r.code>>4]
		o.Refilled = int(max(r.a, 0))
	case opRunqput:
		o.Kicked = int(r.a)
	case opReady:
		e.In.G = int(r.in)
		o.Kicked = int(r.a)
	case opSchedule:
		o.Source = sourceNames[r.code]
		o.Victim = int(r.a)
		e.In.P = int(r.a)
		o.Moved = int(r.b)
		o.HandedTo = int(r.c)
		o.Value = r.val
	case opExit, opGoexit:
		o.Goid = r.val
		o.Spilled = int(max(r.a, 0))
		o.Locked = lockedNames[r.code]
	case opMexit, opMfreed:
		o.Locked = lockedNames[r.code]
	case opRetake:
		e.In.P = int(r.in)
		o.Value = r.val
	case opExitSyscall:
		o.P = int(r.a)
		o.Path = exitPathNames[r.code]
	case opStartlockedm:
		o.HandedTo = int(r.c)
	case opRecheck:
		o.Value = r.val
		o.P = int(r.a)
		o.Source = sourceNames[r.code]
		o.Moved = int(r.b)
	case opRunqputBatch, opRunqstealTail:
		o.P = int(r.a)
		o.Value = r.val
		o.Source = sourceNames[r.code]
		o.HandedTo = int(r.c)
	case opWakepStartm:
		o.P = int(r.a)
	case opStartm:
		o.P = int(r.a)
		o.HandedTo = int(r.c)
	case opAcquireP:
		e.In.P = int(r.in)
		o.P = int(r.a)
		o.Value = r.val
		o.HandedTo = int(r.c)
		o.Source = sourceNames[r.code]
		o.Moved = int(r.b)
	case opProcResize:
		e.In.N = int(r.in)
	case opGC:
		e.In.On = r.flags&flOn != 0
	case opStackSize:
		e.In.Size = int(r.in)
		o.Value = r.val
	case opAssist:
		e.In.Credit = int(r.in)
	case opLockOSThread, opUnlockOSThread, opLockInt, opUnlockInt, opGrowStack, opMarkrootFreeGStacks, opMarkrootFreeGStacksPush, opRunqputslowPush, opWakep:
		o.Value = r.val
	}
	if r.str != 0 {
		msg := a.strs[r.str]
		if len(msg) > 6 && msg[:6] == "fatal:" {
			o.Fatal = msg[6:]
		} else {
			o.Throw = msg
		}
	}
	return e
}

func (a *actor) branch(b branch) { a.br[b]++ }
