// Recording: ops into per-actor buffers with call and return timestamps,
// expanded to Events at the end.

package impl

import "time"

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
	opStopTheWorld
	opPreempt
	opGCStopm
	opHandoffp
	opHandoffpLocked
	opHandoffpStore
	opGoyield
	numOpKinds
)

var opNames = [numOpKinds]string{"goidrefill", "newproc1", "runqput", "ready", "schedule", "exit", "goexit",
	"gosched", "park", "entersyscall", "retake", "exitsyscall", "lockosthread", "unlockosthread", "lockint",
	"unlockint", "acquirep", "procresize", "gc", "growstack", "assist", "dirty",
	"markrootfreegstacks", "markrootfreegstackspush", "runqputslowpush", "stopm", "wakep", "stopspinning", "spin",
	"runqputkick", "wakepstartm", "startlockedm", "stoplockedm", "startm", "recheck", "mexit",
	"mfreed", "runqputbatch", "runqstealtail", "stoptheworld", "preempt", "gcstopm", "handoffp",
	"handoffplocked", "handoffpstore", "goyield"}

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
	brSpinClear
	brNewmExited
	brSysmonProbe
	brHandoffSawGone
	numBranches
)

var branchNames = [numBranches]string{"spill", "refill", "malg", "runqputslow", "kick", "casretry", "runnextlost",
	"tick", "global", "steal", "stealnext", "idle", "startlockedm", "mexit", "m0wedged", "handoff",
	"exitsyscall-keep", "exitsyscall-oldp", "exitsyscall-idle", "exitsyscall-nop", "exitsyscall-nop-idle", "stack-replaced",
	"stack-allocated", "park-token", "ready-nowaiter", "assist-flush",
	"wakep", "startm", "newm", "recheck", "stopm", "stoplockedm-returns", "needspinning", "spinclear", "newm-exited", "sysmon-probe", "handoff-saw-gone"}

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
	flNewm
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
	// sgoid, sprog and spc: the actor's step stamp when the op began
	// (Event.ProgGoid, Event.Prog, Event.Step); req: newproc1's program
	// asked for (Input.Prog).
	sgoid, sprog, spc, req int32
}

const chunk = 1024

// begin starts an op: its call timestamp.
//
// # Timestamps
//
// Free-running mode stamps ops with a clock every actor reads on its own
// (clock: the monotonic clock, CLOCK_MONOTONIC on Linux, one vDSO read),
// one read per op, and writes nothing any other actor reads: records go
// to per-actor buffers, so recording adds no shared cache line and no
// synchronization (no happens-before edge the race detector would see)
// between the Ms. An op's return is the read its commit makes after the
// op's last effect; its call is the same actor's previous read (the
// return of its previous op), or a fresh read when the actor waited
// since (stale: it parked, slept through a system call or yielded
// between ops), so the call is read before the op's first effect.
//
// Soundness. The linearizability check relies on one thing only: if
// A.Return < B.Call then A's linearization point came before B's in real
// time. The monotonic clock is monotonic across CPUs (the kernel keeps
// it so: it uses the TSC only when the TSCs are synchronized, and falls
// back to another clocksource otherwise), so A.Return < B.Call means A's
// return read happened before B's call read. A's return read follows
// A's linearization point in program order, and B's call read precedes
// B's, and every linearization point in impl is a sync/atomic operation
// or a mutex's unlock, on amd64 a locked (sequentially consistent)
// instruction, so the ordered TSC read of the vDSO (LFENCE;RDTSC or
// RDTSCP) is taken after A's point completed and before B's started (on
// arm64 the vDSO orders its counter read with an ISB the same way). Equal readings prove nothing; the checker treats
// equal times as concurrent (porcupine orders calls before returns at a
// tie). A call stamped early (the previous read) only widens the op's
// interval: the checker may then order it before ops it really followed,
// never the reverse, so the stamp loses real-time edges at most (those
// of the harness's work between two ops: measured by gexit check, free
// mode's overlap reads 36% with it against 32% with exact stamps) and
// never makes a false one.
//
// Program order. An op's call equals its actor's previous return, a tie,
// which the checker would read as concurrent; the checker's model takes
// each actor's ops in history order instead (an actor's ops are
// sequential, and History keeps each actor's ops in the order it made
// them).
//
// Cost, measured by BenchmarkRecordOverhead's per-op rows: 51-54 ns per
// op on one M, of which the clock read is 26-29 ns on this virtual
// machine (vDSO clock_gettime; LFENCE;RDTSC alone 22 ns) and the record
// 23 ns (measured with the read stubbed out); with two Ms recording at
// once, 26.5-29 ns per op of either: they scale. The shared counter used
// before cost 25 ns per op on one M and 23.9 ns with two Ms at once: its
// add was 2-5 ns, but the Ms took turns on its cache line, and every
// Load that saw another M's Add was a happens-before edge that hid a race
// between those two ops from the race detector (TestRecordingAddsNoEdges
// fails with it).
//
// Deterministic modes keep a counter (clock) as a logical clock: one
// actor runs at a time, so it is uncontended, and the same seed and
// choices give the same history bit for bit. An op's call is 2*load+1,
// its return 2*add (the value after its increment): if A committed
// before B began, B.call > A.ret; if B began before A committed, B.call <
// A.ret, and they are (correctly) concurrent.
func (a *actor) begin(op opKind) rec {
	r := rec{op: op, g: -1, a: -1, c: -1, sgoid: a.stepGoid, sprog: a.stepProg, spc: a.stepPC}
	a.inOp = true
	if a.s.rec {
		r.call = a.callStamp()
	}
	return r
}

// callStamp is an op's call timestamp (see begin).
func (a *actor) callStamp() int64 {
	if a.s.det {
		return 2*a.s.clock.Load() + 1
	}
	if a.stale {
		a.last, a.stale = a.s.now(), false
	}
	return a.last
}

// now is the free-running clock: nanoseconds since the run's start, from
// the monotonic clock (time.Since reads only that one).
func (s *sched) now() int64 { return int64(time.Since(s.base)) }

// waited marks the actor's last clock read stale: it waited (or slept
// through a system call) since, and its next op's call reads afresh.
func (a *actor) waited() { a.stale = true }

// commit ends an op: return timestamp, buffer append, counters, and in
// SnapshotEvery mode the snapshot after it.
func (a *actor) commit(r *rec) {
	s := a.s
	a.inOp = false
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
	if !s.det {
		r.ret = s.now()
		a.last = r.ret
		// The livelock bound, shared out: an actor reads no other's
		// count (which would order it after that actor's ops).
		if a.nops == s.share {
			s.livelock()
		}
	} else {
		n := s.clock.Add(1)
		r.ret = 2 * n
		if n == s.cfg.MaxOps {
			s.livelock()
		}
	}
	if len(a.buf) == cap(a.buf) {
		a.newChunk()
	}
	a.buf = append(a.buf, *r)
	if s.snap {
		s.snapshots = append(s.snapshots, s.snapshot())
	}
}

// abandon drops the op the actor began, which wrote nothing the
// snapshot holds (the spec's state): it is not recorded, and the actor is
// no longer inside an op (inOp).
func (a *actor) abandon() { a.inOp = false }

// newChunk starts a new record buffer when the current one is full.
func (a *actor) newChunk() {
	if a.buf != nil {
		a.bufs = append(a.bufs, a.buf)
	}
	a.buf = make([]rec, 0, chunk)
}

// livelock ends a recording run that reached MaxOps (free-running: an
// actor that made its share of it) before its history exhausts memory
// (Ms that take and drop Ps forever): timed out.
func (s *sched) livelock() {
	s.timedOut.Store(true)
	s.end()
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
	e := Event{M: a.id, Op: opNames[r.op], Call: r.call, Return: r.ret, Prog: int(r.sprog)}
	if r.sprog != 0 {
		e.ProgGoid, e.Step = int64(r.sgoid), int(r.spc)
	}
	e.In.P = -1
	o := &e.Out
	o.G, o.Kicked, o.Victim, o.HandedTo, o.P = -1, -1, -1, -1, -1
	o.G = int(r.g)
	o.Slow = r.flags&flSlow != 0
	o.StackFreed = r.flags&flStackFreed != 0
	o.HandedOff = r.flags&flHandedOff != 0
	o.Woke = r.flags&flWoke != 0
	o.Newm = r.flags&flNewm != 0
	switch r.op {
	case opGoidRefill:
		o.Goid = r.val
	case opNewproc1:
		e.In.System = r.flags&flSystem != 0
		e.In.Prog = int(r.req)
		o.Goid = r.val
		o.How = howNames[r.code&15]
		o.Stack = stackNames[r.code>>4]
		o.Refilled = int(max(r.a, 0))
	case opRunqput, opPreempt:
		o.Kicked = int(r.a)
	case opGCStopm:
		o.P = int(r.a)
		o.Value = r.val
	case opStopTheWorld:
		e.In.N = int(r.in)
		o.Value = r.val
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
		o.Value = r.val
		e.In.N = int(r.in)
	case opStoplockedm:
		o.Value = r.val
		e.In.N = int(r.in)
	case opRetake:
		e.In.P = int(r.in)
		e.In.N = int(r.b) // 1: a probe that let the syscall go (spec.RetakeProbe)
		o.Value = r.val
	case opHandoffp, opHandoffpLocked, opHandoffpStore:
		o.P = int(r.a)
		o.Value = r.val
		e.In.N = int(r.in)
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
		o.Value = r.val
	case opSpin:
		o.P = int(r.a)
		o.Value = r.val
		o.HandedTo = int(r.c)
		o.Source = sourceNames[r.code]
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
		e.In.Size = int(r.in)
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
