package rtcheck

import (
	"fmt"
	"sort"
	"strings"
)

// Kind is a probe: one kind of record the instrumented runtime writes. Its
// number is the record's kind field; the table below is the single source
// of the numbering (the runtime side is generated from it).
type Kind uint16

// Marker kinds: not probes, written by the drains.
const (
	KindTrailer Kind = 0xffff // the closing record of the final drain
	KindLoss    Kind = 0xfffe // records were dropped (ring full) or a write failed
)

// Family groups probes by the runtime path they watch; each family has one
// short workload in the unit tests.
type Family string

// Probe families.
const (
	FamFree     Family = "freelist"   // gfput, gfget, spill, refill, stack fixes, malg
	FamGoid     Family = "goid"       // newproc1's goid allocation
	FamRunq     Family = "runq"       // the lock-free per-P run queues
	FamGlobrunq Family = "globrunq"   // sched.runq under sched.lock
	FamSched    Family = "sched"      // findRunnable's choice, handoffp, startm, stopm, wakep
	FamSyscall  Family = "syscall"    // exitsyscall's paths
	FamExit     Family = "exit"       // gdestroy, mexit, checkdead
	FamResize   Family = "procresize" // procresize, p.destroy, gfpurge
	FamGC       Family = "gc"         // markrootFreeGStacks, gcMarkDone's gcComputeStartingStackSize
	FamIdle     Family = "pidle"      // the idle P list: pidleput, pidleget
)

// KindInfo describes one probe: what each record field means. Fields a..f
// are named per kind; an empty name is an unused field (always 0).
type KindInfo struct {
	Kind   Kind
	Name   string // "gfput", "gfput.spill", ...
	Family Family
	// Where names the runtime function (and branch) the probe sits in.
	Where string
	// Entry: the record carries an entry stamp (lock-free run-queue ops).
	Entry bool
	// G and X say what the G and X fields hold ("" = unused).
	G, X string
	// P says whose P the P field is.
	P string
	// Fields names a..f.
	Fields [6]string
	// Codes names the values of field a when it is a branch code.
	Codes map[int32]string
	// Optional: the probe's code runs only in conditions no bundled
	// workload can force (the reason is given); -run all does not fail
	// when it never fires.
	Optional string
}

// Kinds of probes. The numbers are the record format: append, never
// renumber (bump the format version instead).
const (
	KGdestroy Kind = iota + 1
	KGfput
	KGfputSpill
	KGfgetRefill
	KGfgetStale
	KGfgetAlloc
	KGfpurge
	KGCFreeTake
	KGCFreePut
	KMalg
	KGoidBatch
	KNewproc1
	KRunqput
	KRunqputslow
	KRunqget
	KRunqgrab
	KRunqsteal
	KRunqputbatch
	KRunqdrain
	KGlobrunqput
	KGlobrunqputhead
	KGlobrunqputbatch
	KGlobrunqget
	KGlobrunqgetbatch
	KFindRunnable
	KExitsyscallFast
	KExitsyscallSlow
	KExitsyscallNoP
	KHandoffp
	KStartm
	KStopm
	KWakep
	KProcresize
	KPDestroy
	KCheckdead
	KMexit
	KPidleput
	KPidleget
	KStackSize
	KGdestroyNgsys
	numKinds
)

// findRunnable sources (field a of a findRunnable record).
const (
	SrcTick       = 1  // schedtick%61 == 0: globrunqget
	SrcRunnext    = 2  // not written: a choice from runnext is the runqget record (source runnext)
	SrcRing       = 3  // not written: a choice from the ring is the runqget record (source ring)
	SrcGlobal     = 4  // globrunqgetbatch
	SrcSteal      = 5  // stealWork (runqsteal, or a timer-readied local G)
	SrcIdle       = 6  // the P went idle (pidleput); the M will stop
	SrcTrace      = 7  // the trace reader
	SrcGCWorker   = 8  // a GC mark worker
	SrcNetpoll    = 9  // non-blocking netpoll before stealing
	SrcIdleGC     = 10 // idle-priority GC mark worker
	SrcBeforeIdle = 11 // wasm's beforeIdle
	SrcGlobalLate = 12 // globrunqgetbatch under sched.lock before dropping the P
	SrcRecheck    = 13 // spinning recheck: globrunqgetbatch on a P from pidlegetSpinning
	SrcIdleGCNoP  = 14 // checkIdleGCNoP's mark worker
	SrcNetpollBlk = 15 // blocking netpoll without a P, then pidleget
	SrcStop       = 16 // stopm: the M stops (no work found)
)

var findCodes = map[int32]string{
	SrcTick: "tick", SrcRunnext: "runnext", SrcRing: "ring", SrcGlobal: "global", SrcSteal: "steal",
	SrcIdle: "idle", SrcTrace: "trace", SrcGCWorker: "gcworker", SrcNetpoll: "netpoll",
	SrcIdleGC: "idlegc", SrcBeforeIdle: "beforeidle", SrcGlobalLate: "global-late",
	SrcRecheck: "recheck", SrcIdleGCNoP: "idlegc-nop", SrcNetpollBlk: "netpoll-block", SrcStop: "stop",
}

// handoffp reasons (field a of a handoffp record), in the function's order.
const (
	HandoffLocal  = 1 // local or global work: startm
	HandoffTrace  = 2 // trace reader work: startm
	HandoffGC     = 3 // GC work: startm
	HandoffSpin   = 4 // no spinning or idle M: startm(spinning)
	HandoffGCStop = 5 // a stop-the-world waits: the P stops
	HandoffGlobal = 6 // global work seen under sched.lock: startm
	HandoffLastP  = 7 // the last running P and nobody polls the network: startm
	HandoffIdle   = 8 // pidleput
)

var handoffCodes = map[int32]string{
	HandoffLocal: "localwork", HandoffTrace: "trace", HandoffGC: "gcwork", HandoffSpin: "spinning",
	HandoffGCStop: "gcstop", HandoffGlobal: "globalwork", HandoffLastP: "lastp", HandoffIdle: "idle",
}

// kinds is the probe table, indexed by Kind.
var kinds = [...]KindInfo{
	KGdestroy: {Name: "gdestroy", Family: FamExit, Where: "gdestroy, after dropg, when the G is locked to its M (the exit's tail is then mexit); every exit is also the gfput record that follows",
		G: "the exiting G", X: "goid", P: "the M's P",
		Fields: [6]string{"stack", "locked", "lockedInt", "lockedExt", "m0", "status"}},
	KGfput: {Name: "gfput", Family: FamFree, Where: "gfput, after pp.gFree.push",
		G: "the G put", X: "its (old) goid", P: "pp",
		Fields: [6]string{"stack", "startingStackSize", "localAfter", "freed", "", ""}},
	KGfputSpill: {Name: "gfput.spill", Family: FamFree, Where: "gfput, the spill, under sched.gFree.lock",
		P: "pp", Fields: [6]string{"movedStack", "movedNoStack", "localAfter", "globStackAfter", "globNoStackAfter", ""}},
	KGfgetRefill: {Name: "gfget.refill", Family: FamFree, Where: "gfget, the refill, under sched.gFree.lock",
		P: "pp", Fields: [6]string{"movedStack", "movedNoStack", "localAfter", "globStackAfter", "globNoStackAfter", ""}},
	KGfgetStale: {Name: "gfget.stale", Family: FamFree, Where: "gfget, stack of a stale size freed",
		G: "the G", P: "pp", Fields: [6]string{"stack", "startingStackSize", "", "", "", ""}},
	KGfgetAlloc: {Name: "gfget.alloc", Family: FamFree, Where: "gfget, a G without a stack gets one",
		G: "the G", P: "pp", Fields: [6]string{"stack", "startingStackSize", "", "", "", ""}},
	KGfpurge: {Name: "gfpurge", Family: FamResize, Where: "gfpurge, under sched.gFree.lock",
		P: "pp", Fields: [6]string{"movedStack", "movedNoStack", "localAfter", "globStackAfter", "globNoStackAfter", ""}},
	KGCFreeTake: {Name: "markrootFreeGStacks.take", Family: FamGC, Where: "markrootFreeGStacks, the stack list taken, under sched.gFree.lock",
		P: "the GC worker's P", Fields: [6]string{"taken", "", "", "globStackAfter", "globNoStackAfter", ""}},
	KGCFreePut: {Name: "markrootFreeGStacks.put", Family: FamGC, Where: "markrootFreeGStacks, the Gs pushed on noStack, under sched.gFree.lock",
		P: "the GC worker's P", Fields: [6]string{"pushed", "", "", "globStackAfter", "globNoStackAfter", ""}},
	KMalg: {Name: "newproc1.malg", Family: FamFree, Where: "newproc1, gfget found nothing: malg + allgadd",
		G: "the new G", P: "pp", Fields: [6]string{"stack", "", "", "", "", ""}},
	KGoidBatch: {Name: "newproc1.goidbatch", Family: FamGoid, Where: "newproc1, the goid cache refilled from sched.goidgen",
		X: "first goid of the batch", P: "pp", Fields: [6]string{"batch", "addSpan", "", "", "", ""}},
	KNewproc1: {Name: "newproc1", Family: FamGoid, Where: "newproc1, after the goid is taken: gfget's pop (or malg) and the goid",
		G: "the new G", X: "goid", P: "pp",
		Fields: [6]string{"from", "localAfter", "stack", "startingStackSize", "status", ""},
		Codes:  map[int32]string{0: "malg", 1: "freelist"}},
	KRunqput: {Name: "runqput", Family: FamRunq, Where: "runqput, at its returns", Entry: true,
		G: "the G put", X: "the old runnext kicked to the ring (0: none)", P: "pp",
		Fields: [6]string{"how", "next", "tailAfter", "headSeen", "", ""},
		Codes:  map[int32]string{0: "runnext", 1: "ring", 2: "slow"}},
	KRunqputslow: {Name: "runqputslow", Family: FamRunq, Where: "runqputslow, at its returns", Entry: true,
		G: "the G that did not fit", P: "pp", Fields: [6]string{"movedFromRing", "head", "ok", "", "", ""}},
	KRunqget: {Name: "runqget", Family: FamRunq, Where: "runqget, at its returns with a G", Entry: true,
		G: "the G got (0: none)", P: "pp", Fields: [6]string{"source", "head", "", "", "", ""},
		Codes: map[int32]string{1: "runnext", 2: "ring"}},
	KRunqgrab: {Name: "runqgrab", Family: FamRunq, Where: "runqgrab, at its returns", Entry: true,
		G: "the first G grabbed (0: none)", P: "the victim", Fields: [6]string{"n", "runnext", "head", "thief", "stealRunNextG", ""}},
	KRunqsteal: {Name: "runqsteal", Family: FamRunq, Where: "runqsteal, at its returns", Entry: true,
		G: "the G returned (0: none)", P: "the thief", Fields: [6]string{"victim", "n", "tailAfter", "", "", ""}},
	KRunqputbatch: {Name: "runqputbatch", Family: FamRunq, Where: "runqputbatch, before its final return", Entry: true,
		P: "pp", Fields: [6]string{"n", "tailAfter", "", "", "", ""}},
	KRunqdrain: {Name: "runqdrain", Family: FamRunq, Where: "runqdrain, at its returns", Entry: true,
		P: "pp", Fields: [6]string{"n", "", "", "", "", ""},
		Optional: "runqdrain runs only when a dedicated GC mark worker is preempted"},
	KGlobrunqput: {Name: "globrunqput", Family: FamGlobrunq, Where: "globrunqput, under sched.lock",
		G: "the G", P: "the M's P", Fields: [6]string{"n", "sizeAfter", "", "", "", ""}},
	KGlobrunqputhead: {Name: "globrunqputhead", Family: FamGlobrunq, Where: "globrunqputhead, under sched.lock",
		G: "the G", P: "the M's P", Fields: [6]string{"n", "sizeAfter", "", "", "", ""}},
	KGlobrunqputbatch: {Name: "globrunqputbatch", Family: FamGlobrunq, Where: "globrunqputbatch, under sched.lock",
		G: "the batch's head", P: "the M's P", Fields: [6]string{"n", "sizeAfter", "", "", "", ""}},
	KGlobrunqget: {Name: "globrunqget", Family: FamGlobrunq, Where: "globrunqget, under sched.lock",
		G: "the G (0: none)", P: "the M's P", Fields: [6]string{"n", "sizeAfter", "", "", "", ""}},
	KGlobrunqgetbatch: {Name: "globrunqgetbatch", Family: FamGlobrunq, Where: "globrunqgetbatch, under sched.lock",
		G: "the G returned (0: none)", P: "the M's P", Fields: [6]string{"n", "sizeAfter", "", "", "", ""}},
	KFindRunnable: {Name: "findRunnable", Family: FamSched, Where: "findRunnable, at each return but the local run queue's (the runqget record just before, on the same M, is that choice), the P going idle, the M stopping",
		G: "the G chosen (0: none)", X: "its goid", P: "the M's P",
		Fields: [6]string{"source", "inheritTime", "", "", "", ""}, Codes: findCodes},
	KExitsyscallFast: {Name: "exitsyscall.fast", Family: FamSyscall, Where: "exitsyscall, the G still has its P",
		G: "the G", X: "goid", P: "its P", Fields: [6]string{"", "", "", "", "", ""}},
	KExitsyscallSlow: {Name: "exitsyscall.slow", Family: FamSyscall, Where: "exitsyscallTryGetP, at its returns",
		G: "the G", X: "goid", P: "the P got (-1: none)", Fields: [6]string{"how", "oldp", "", "", "", ""},
		Codes: map[int32]string{0: "none", 1: "oldp", 2: "idle"}},
	KExitsyscallNoP: {Name: "exitsyscall.nop", Family: FamSyscall, Where: "exitsyscallNoP, under sched.lock",
		G: "the G", X: "goid", P: "the idle P got (-1: none, G queued globally)", Fields: [6]string{"how", "locked", "schedDisabled", "", "", ""},
		Codes: map[int32]string{0: "idle", 1: "queued"}},
	KHandoffp: {Name: "handoffp", Family: FamSched, Where: "handoffp, at each decision (gcstop, globalwork, lastp and idle under sched.lock, so npidle is exact there); lastpoll: sched.lastpoll != 0, netpoll: netpollinited()",
		P: "the P handed off", Fields: [6]string{"reason", "npidle", "gomaxprocs", "lastpoll", "netpoll", ""}, Codes: handoffCodes},
	KStartm: {Name: "startm", Family: FamSched, Where: "startm, at each outcome",
		P: "the P (-1: none)", Fields: [6]string{"outcome", "spinning", "newM", "", "", ""},
		Codes: map[int32]string{1: "nop", 2: "newm", 3: "wake"}},
	KStopm: {Name: "stopm", Family: FamSched, Where: "stopm, before mput and after waking",
		P: "the P acquired on waking", Fields: [6]string{"woke", "", "", "", "", ""}},
	KWakep: {Name: "wakep", Family: FamSched, Where: "wakep, when it starts a spinning M on an idle P",
		P: "the P to start", Fields: [6]string{"outcome", "", "", "", "", ""},
		Codes: map[int32]string{2: "startm"}},
	KProcresize: {Name: "procresize", Family: FamResize, Where: "procresize, at entry and before returning",
		P: "the M's P", Fields: [6]string{"old", "new", "end", "", "", ""}},
	KPDestroy: {Name: "p.destroy", Family: FamResize, Where: "p.destroy, before its run queue moves",
		G: "runnext (0: none)", P: "the P destroyed", Fields: [6]string{"head", "tail", "", "", "", ""}},
	KCheckdead: {Name: "checkdead", Family: FamExit, Where: "checkdead, after counting running Ms, and before its fatal errors",
		Fields: [6]string{"verdict", "run", "run0", "", "", ""},
		Codes:  map[int32]string{0: "counted", 1: "goexit-deadlock", 2: "deadlock"}},
	KMexit: {Name: "mexit", Family: FamExit, Where: "mexit, at entry and before m0 parks",
		P: "the M's P", Fields: [6]string{"m0", "wedged", "", "", "", ""}},
	KPidleput: {Name: "pidleput", Family: FamIdle, Where: "pidleput, after the P is linked at the head of sched.pidle, under sched.lock (handoffp, findRunnable, procresize's rebuild, ...); next is pp.link, the P it was pushed on (-1: none)",
		P: "the P idled", Fields: [6]string{"npidle", "next", "gomaxprocs", "", "", ""}},
	KPidleget: {Name: "pidleget", Family: FamIdle, Where: "pidleget (and pidlegetSpinning, which calls it), at its return with a P (an empty list is not recorded), under sched.lock; next is the new head of sched.pidle (-1: none)",
		P: "the P got", Fields: [6]string{"npidle", "next", "gomaxprocs", "", "", ""}},
	KStackSize: {Name: "gcComputeStartingStackSize", Family: FamGC, Where: "gcMarkDone, after its call of gcComputeStartingStackSize (the function's only caller), with the world stopped, before gcBlackenEnabled = 0",
		P: "the M's P", Fields: [6]string{"startingStackSize", "before", "gcBlackenEnabled", "worldStopped", "", ""}},
	KGdestroyNgsys: {Name: "gdestroy.ngsys", Family: FamExit,
		Where: "gdestroy, before its `if isSystemGoroutine(gp, false)` (sched.ngsys.Add(-1)), for a G whose start function is runFinalizers or runCleanups: the start functions whose isSystemGoroutine changes while the G lives",
		G:     "the exiting G", X: "goid", P: "the M's P", Fields: [6]string{"system", "cleanup", "", "", "", ""},
		Optional: "a finalizer or cleanup goroutine exits only when a finalizer or cleanup calls runtime.Goexit (golang/go#71824); the finalizer-goexit workload, not part of -run all, makes both do it"},
}

func init() {
	for k := Kind(1); k < numKinds; k++ {
		if kinds[k].Name == "" {
			panic(fmt.Sprintf("rtcheck: kind %d has no table entry", k))
		}
		kinds[k].Kind = k
	}
}

// Info returns the description of k, or false for an unknown kind.
func (k Kind) Info() (KindInfo, bool) {
	if k == 0 || k >= numKinds {
		return KindInfo{}, false
	}
	return kinds[k], true
}

func (k Kind) String() string {
	if info, ok := k.Info(); ok {
		return info.Name
	}
	if k == KindTrailer {
		return "trailer"
	}
	return fmt.Sprintf("kind(%d)", uint16(k))
}

// Kinds lists every probe, in kind order.
func Kinds() []KindInfo {
	out := make([]KindInfo, 0, numKinds-1)
	for k := Kind(1); k < numKinds; k++ {
		out = append(out, kinds[k])
	}
	return out
}

// KindByName finds a probe by name.
func KindByName(name string) (Kind, bool) {
	for k := Kind(1); k < numKinds; k++ {
		if kinds[k].Name == name {
			return k, true
		}
	}
	return 0, false
}

// ident is the name of the runtime-side constant of k: gexitK plus the
// probe's name with dots as underscores (gexitKgfput_spill).
func (k Kind) ident() string {
	return "gexitK" + strings.ReplaceAll(kinds[k].Name, ".", "_")
}

// familyNames lists the families in a fixed order.
func familyNames() []Family {
	seen := map[Family]bool{}
	var out []Family
	for k := Kind(1); k < numKinds; k++ {
		if f := kinds[k].Family; !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
