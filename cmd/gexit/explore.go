package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/gexit-dev/gexit/checker"
	"github.com/gexit-dev/gexit/internal/sysmem"
	"github.com/gexit-dev/gexit/spec"
)

func init() {
	register(&command{name: "explore", summary: "exhaustively explore the spec's reachable states within bounds", run: runExplore})
}

// defaultWithout leaves the default run with the core of the path: spawn,
// schedule (every findRunnable source, stealing), park/ready, gosched, exit
// and Goexit through gfput's spill and gfget's refill. It is complete in
// seconds; every family multiplies the space (see README).
const defaultWithout = "system,gc,assist,dirty,syscalls,locks,procresize,stacksize,goyield"

// defaultReduce is -reduce's default: every reduction (ps only where the
// bounds allow it).
const defaultReduce = "ms,assist,gwrites,ps"

// defaultFrontierMemory is -frontier-memory's default: each BFS level
// keeps this much in memory and spills the rest.
const defaultFrontierMemory = "256 MiB"

// reductions are the reductions -reduce names.
var reductions = []struct {
	name string
	r    spec.Reduction
}{{"ms", spec.ReduceMs}, {"assist", spec.ReduceAssist}, {"gwrites", spec.ReduceGWrites}, {"ps", spec.ReducePs}}

func reductionNames() []string {
	var ns []string
	for _, r := range reductions {
		ns = append(ns, r.name)
	}
	return ns
}

// reductionList names the reductions in red, as -reduce takes them.
func reductionList(red spec.Reduction) string {
	var ns []string
	for _, r := range reductions {
		if red&r.r != 0 {
			ns = append(ns, r.name)
		}
	}
	return strings.Join(ns, ",")
}

// parseReductions parses -reduce's list.
func parseReductions(list string) (spec.Reduction, error) {
	var red spec.Reduction
	if list == "" {
		return 0, nil
	}
	for _, f := range strings.Split(list, ",") {
		found := false
		for _, r := range reductions {
			if r.name == strings.TrimSpace(f) {
				red |= r.r
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown reduction %q (want some of %s)", f, strings.Join(reductionNames(), ","))
		}
	}
	return red, nil
}

// opFamilies are the op families -without can leave out.
var opFamilies = []string{"system", "gc", "assist", "dirty", "syscalls", "locks", "procresize", "gosched", "stacksize", "goyield"}

func runExplore(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explore", flag.ContinueOnError)
	ps := fs.Int("ps", 2, "number of Ps (GOMAXPROCS at start)")
	ms := fs.Int("ms", 2, "number of Ms (threads)")
	gs := fs.Int("gs", 3, "bound on len(allgs): G structs newproc1 may create")
	consts := fs.String("consts", "small", "constants preset: small (4,2,2,4,3) or go (64,32,32,256,61)")
	depth := fs.Int("depth", 0, "bound on the BFS depth (0: none; the space under the bounds is finite); turns -por off unless it is given, since the reduction's depth is not the full graph's")
	maxStates := fs.Int("max-states", 40_000_000, "stop with verdict unknown (exit 3) after this many states (0: no bound)")
	defMem := "0"
	if pm := checker.PhysicalMemory(); pm > 0 {
		defMem = sysmem.Format(pm / 2)
	}
	maxMemory := fs.String("max-memory", defMem, "stop with verdict unknown (exit 3) when the resident memory exceeds this `size` (bytes, or with KB/MB/GB/KiB/MiB/GiB; 0: no bound; default: half of physical memory)")
	maxTime := fs.Duration("max-time", 0, "stop with verdict unknown (exit 3) after this long (e.g. 50m, for a CI job's time limit; 0: no bound), with the summary and -json as for any stop")
	frontierMem := fs.String("frontier-memory", defaultFrontierMemory, "bytes of each of the two BFS levels held at a time (the one expanded and the next) kept in memory; the rest spills to a file in -spill-dir, mapped back to be read (`size` as for -max-memory; 0: all in memory)")
	spillDir := fs.String("spill-dir", "", "`directory` for the spilled frontier (default: $TMPDIR, or /var/tmp when that is in memory); the file is unlinked at once and goes with the run")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines that expand and check states in parallel; the counts, violations and output are the same for any number")
	bitstate := fs.Int("bitstate", 0, "bitstate (supertrace) search: a `log2` of the bit array's size (e.g. 30: 2^30 bits, 128 MiB) in place of the exact fingerprint set; a partial search (0: exact)")
	bitK := fs.Int("bitstate-k", 3, "with -bitstate, bits set per state (hash functions)")
	fpBits := fs.Int("fingerprint", 64, "bits of the exact set's fingerprints: 64, or 128 (about 11 more bytes a state, a collision 2^64 times less likely; not with -bitstate or -liveness)")
	shard := fs.String("shard", "", "with -bitstate, run shard `i/n` of a swarm of n runs: its own hash seed and op order")
	wasm := fs.Bool("wasm", false, "model GOARCH=wasm (gdestroy's wasm branch, no sysmon, one thread: -ps and -ms default to 1, and more is refused)")
	lockDepth := fs.Int("lock-depth", 1, "bound on LockOSThread nesting")
	lockInt := fs.Bool("lockint", false, "also offer the runtime-internal lockOSThread/unlockOSThread")
	without := fs.String("without", defaultWithout, "comma-separated op families to leave out (\"\" for none): "+strings.Join(opFamilies, ",")+
		" (stacksize: the GC's end setting startingStackSize, so it needs gc; goyield: goyield_m, a starving sync.Mutex's direct handoff)")
	all := fs.Bool("all", false, fmt.Sprintf("report every violation, not only the first (shortest) one: the first %d of each kind with their paths, and how many of each there were", checker.DefaultKeepViolations))
	jsonOut := fs.Bool("json", false, "print one JSON object instead of text")
	quiet := fs.Bool("q", false, "no progress lines on stderr")
	liveness := fs.Bool("liveness", false, "also check the liveness properties on the whole state graph, under fairness (see above); needs -depth 0")
	por := fs.Bool("por", true, "partial-order reduction for invariant checking (see above); off with -liveness, and with -depth unless given (-por=false -reduce \"\": the full graph, shortest paths)")
	reduce := fs.String("reduce", defaultReduce, "comma-separated reductions for invariant checking (see above; \"\" for none): "+strings.Join(reductionNames(), ",")+"; off with -liveness")
	cpuProfile := cpuProfileFlag(fs)
	unfair := fs.String("unfair", "", "with -liveness, comma-separated fairness conditions not to assume, to see the loops each one rules out: "+strings.Join(fairnessNames(), ","))
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: gexit explore [flags]

Enumerates, breadth first, every state of the spec reachable from the
initial state (m0 running the main goroutine on P0) under every enabled op
within the bounds, deduplicating states by fingerprint, and checks every
invariant at every state. Two states that share a 64-bit fingerprint are
one to the search (the second is not explored): "complete" says how
likely that is, at most n(n-1)/2^65 for n states; -fingerprint 128 makes
it n(n-1)/2^129, for about 11 more bytes a state. A reachable runtime
throw is a violation; a fatal error the runtime raises for a user program
(main's runtime.Goexit with no goroutine left) is a terminal state and is
counted.

On a violation it prints the shortest path to it (in the graph -por
explores: see below) as numbered steps, each with the state change it made. It also reports which transitions and branches were
reached and which never were: a branch the bound cannot reach is a finding.

Memory: the fingerprint set and the path arrays grow by about 20 bytes per
state; the BFS frontier holds whole encoded states (about 60 to 120 bytes
each) and would dominate wide levels, so each of the two levels held at a
time keeps -frontier-memory bytes in memory and writes the rest, in
order, to a file in -spill-dir, which is mapped back and read in order
(Linux; the file is unlinked as soon as it is made). Spilling changes
nothing the exploration finds, and costs little: the file is written and
read once, sequentially, mostly through the page cache. -max-memory stops
the run before the machine runs out (checked every 16,384 transitions);
the summary gives the peak resident memory (the pages of the mapped spill,
which the kernel drops when memory is short, not counted) and the
resident bytes per state, frontier included.

-workers N expands, looks up and checks the states of each BFS level on N
goroutines (default: GOMAXPROCS, all cores). The work is cut into pieces
that do not depend on N and numbered in BFS order, so the states, counts,
the violations found (the first a shortest path) and every line of output
are the same for any N.

-liveness records the state graph (each state's strict steps: findRunnable's
and exitsyscall's strict order, as for ops that overlapped no other) and,
once the space is exhausted, checks that no fair infinite run keeps
  RunnableGRuns      a runnable G from ever running,
  GlobalRunqServed   a G on the global run queue from ever leaving it (the
                     61st-tick pick, golang/go#5639),
  HandedOffPTaken    a handed-off P (handoffp -> startm) from being acquired,
  IdlePsPutToWork    a P from staying idle while a G is runnable and an M is
                     free (a lost wakep: the runtime's "eventual maximal CPU
                     parallelism utilization", proc.go:64-89),
  LockedGRunsOnItsM  a runnable G locked to an M from running on it,
  StopTheWorldCompletes
                     a P a stop-the-world waits for (sched.stopwait) from
                     stopping: the world, once stopping, must come to be
                     stopped,
  GCMarkEnds         a GC mark phase from ending.
A run is fair under these conditions:
  WeakFairMs      an M that can step in every state of a loop steps in it
                  (a system call's return is no such step: a call may
                  block forever);
  TimeSliceEnds   a loop in which a P runs Gs and stays running on one
                  schedtick is unfair: sysmon's retake preempts a G (or a
                  chain of runnext hand-offs, which inherit the time slice)
                  after 10ms (proc.go retake, preemptone); not assumed with
                  -wasm (no sysmon);
  HandoffStartsM  a loop in which an M could take a handed-off P infinitely
                  often but none does is unfair: startm wakes one M for it;
  NewMForHandoff  a loop in which a P stays handed off and no M is ever free
                  is unfair: startm would create an M (newm), which the
                  spec's -ms threads can run only in an exited thread's
                  slot;
  WeakFairStartTheWorld
                  the controller, once every P has stopped for its
                  stop-the-world, restarts the world, and makes the wakep
                  after it, if it can step in every state of a loop (the
                  caller of a stop-the-world runs on a thread of its own,
                  proc.go:1822);
  StopTheWorldsSpaced
                  a loop in which the controller stops the world is
                  unfair: between two stop-the-worlds the Ms run far
                  longer than one lasts, and reach the work the restart
                  handed them (a stop-the-world in a lasso's prefix is
                  still explored; GCMarkEnds's loops may stop the world:
                  a gcMarkDone that restarts marking forever is one);
  WeakFairSysmon  sysmon retakes the P of a thread in a system call and
                  hands it off (handoffp) if it can step in every state
                  of a loop: it is a thread of its own, retakes a P whose
                  call lasted 10 ms, and handoffp follows the retake in
                  the same call (proc.go retake);
  WeakFairGC      while the GC marks, its root job (markrootFreeGStacks)
                  and, the root jobs done, gcMarkDone's stop-the-world
                  step if one of them can step in every state of a loop
                  (the mark phase is finite work its workers finish,
                  mgc.go); gcStart is not forced.
A violation is a lasso: the shortest path to a loop, then the loop, which
returns to its first state and can repeat forever; both printed as steps.
Prefix steps in the relaxed order (possible only for an op that overlapped
another) are marked. The spec models the wakeup protocol (wakep, startm,
stopm, handoffp, startlockedm, from proc.go), so a lost wakeup is a loop
of the graph that HandedOffPTaken, IdlePsPutToWork or RunnableGRuns
reports. Not every lost wakeup starves: findRunnable's recheck after a
spinning M drops its P only narrows a window until the next wakep, and
a spec without it passes -liveness (the linearizability check of gexit
check catches it: fault global-not-rechecked). -liveness
allows at most 8 Ms, 8 Ps and -gs 8, takes about 1.7x the time and 90
more bytes per state.

-por (on by default; -por=false turns it off) is a partial-order
reduction for invariant checking. Where an M's only step is stopm's
acquirep of the P startm handed it (its nextp), that step alone is
followed from the state (an ample set): it is the one op of the spec that
commutes with every op of every other actor, changes nothing another
actor can observe and no invariant's truth (spec/independence.go,
Private), and each such step lowers the number of Ms holding a nextp, so
no cycle of the reduced graph postpones the other steps forever (the
cycle proviso). Every invariant violation, throw and deadlock of the full
graph is still found, with the same verdict (checker/explore_por_test.go:
22 bounds and 12 planted faults), in fewer states: 1.03x on the default
bound without -reduce (10,003,320 to 9,712,440), 1.07x with every family at -gs 1, 1.15x
at -ps 3 -ms 3 -gs 1; little with 1 P, more with more Ms and Ps (POR.md).
The counts are then the reduced graph's, and a violation's path is a
shortest one in it, which can be longer than the full graph's shortest:
-por=false -reduce "" gives that. -liveness turns the reduction off (and -por with
-liveness is refused): it is not proven to keep the liveness verdicts,
whose fairness conditions read which Ms can step in each state of a loop,
a thing the reduced graph changes.

-reduce (default "ms,assist,gwrites,ps"; "" turns it off) adds reductions
(spec.Reduction, spec/hash.go): three abstractions of the fingerprint
states are deduplicated by, beyond its renaming of Gs and goids, and one
of the moves explored:
  ms      symmetry over the Ms but m0: states equal up to a renaming of
          those Ms are one state (no transition picks an M by its
          index; m0 keeps its name, as mexit wedges it where another M
          exits). Nothing to merge with 2 Ms; 1.94x at 2 Ps, 3 Ms, 2 Gs.
  assist  a G's assist credit only as far as it is read: nothing while
          the GC is off (its start zeroes every G's), only whether it is
          a credit while it marks; bgScanCredit only as negative or not.
          2.1x with every family at 2 Ps, 2 Ms, 1 G, 6.3x at 1 P, 1 M,
          2 Gs.
  gwrites a running G's dirty, assist and growstack writes, which
          nothing but its gdestroy reads, are made only right before its
          exit, as parts of one composite move (dirty, assist, growstack,
          then exit or Goexit; spec/gwrites.go argues it): where they
          interleaved with every other op, they now ride with the exit.
          The invariants are checked before a composite's exit too, so a
          broken write is caught where it breaks one. 13x with every
          family at 1 P, 1 M, 2 Gs, 51x at 1 P, 1 M, 3 Gs, 3.5x at 2 Ps,
          2 Ms, 1 G.
  ps      symmetry over the Ps (2 to 4 of them; off with more): states equal up to a
          renaming of the Ps are one state (spec/symps.go). Only where
          no op reads a P id: not with the gc or procresize families,
          whose stop-the-world restart relists the idle Ps in id order
          and whose procresize destroys the highest (there it is off,
          and the summary's reductions say so). 1.14x at the default
          bound, 5.8x at 3 Ps, 2 Ms, 2 Gs (33,730,506 to 5,773,653
          states, 5.3x faster). A state's fingerprint is the least of
          up to Ps! hashes, which multiplies the collision bound by up
          to 1.33 at 2 Ps, 3.3 at 3, 12.3 at 4 (the summary's includes
          it).
ms, assist and ps merge states no transition and no invariant tells apart,
gwrites leaves out orders of ops that no invariant tells apart, so every
verdict is kept (checker/explore_sym_test.go: 37 bounds with all four
and 16 planted faults with ms, assist and ps, the same first violation and
path length; checker/explore_gwrites_test.go: 28 bounds and 18 planted
faults with gwrites; spec/hash_reduce_test.go checks that merged states
step to merged states). What they cannot keep: a broken transition that
reads what is dropped (a debt flushed to bgScanCredit, gcStart leaving
an old credit, an M or a P chosen by its index, a live G's dirty fields
read by another op than gdestroy) can go unseen, and with gwrites a
violation's path, shortest in moves, can be longer in steps than the
shortest. ms, assist and ps rest on properties of the spec's transitions
(no M but m0 chosen by its index; no credit read while the GC is off,
gcStart zeroing them; no P id read where ps applies): explore checks them
on the first 2,000 states it can reach, breadth first, before it begins,
and on one in 1,024 of the states it meets (a variant each reduction
merges with the state must step into the classes the state steps into),
and stops with exit 2 when one fails: a changed spec the reductions no
longer fit. go test ./spec checks them on more states
(TestReductionsAreStutterBisimulations, TestPSymmetryIsABisimulation). The counts are the reduced space's. -liveness turns -reduce off
(and -reduce with -liveness is refused): the liveness check records which
M steps.

-bitstate B replaces the exact fingerprint set (8 bytes a slot) with an
array of 2^B bits in which each state sets -bitstate-k bits (SPIN's
supertrace, -DBITSTATE): about 1 bit per state instead of 64, so bounds
beyond RAM fit, but a new state whose bits collide is taken as seen and not
explored. The summary gives SPIN's hash factor (bits per stored state: above
100 the loss is likely small, below 10 large) and says "partial search":
exit 0 then means no violation in the states explored, not in the space.
-shard i/n makes the run shard i of a swarm of n (CI matrix jobs, or a
Kubernetes indexed Job with -shard $JOB_COMPLETION_INDEX/n): each shard
hashes with its own seed and, but for shard 0, tries each state's ops in
its own order, so shards lose different states and together cover more.

Exit codes: 0 no invariant fails in the explored space (and, with
-liveness, every liveness property holds); 1 a violation or a lasso;
2 bad flags, or an error that ends the run without a verdict; 3 unknown:
stopped by -max-states, -max-memory, -max-time, Ctrl-C or SIGTERM, or by a
spill that cannot be written (a full disk), before the space was
exhausted (or, with -liveness, before the search for fair loops ended),
with no violation found.

Flags:
`)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, "explore", args, stderr); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "gexit explore: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	c, err := spec.Preset(*consts)
	if err != nil {
		fmt.Fprintf(stderr, "gexit explore: -consts: %v\n", err)
		return exitUsage
	}
	if *wasm {
		// wasm has one thread (spec.ErrWasmOneThread): -ps and -ms
		// default to 1 with -wasm; set to more, Validate refuses them.
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["ps"] {
			*ps = 1
		}
		if !set["ms"] {
			*ms = 1
		}
	}
	cfg := spec.Config{Consts: c, Ps: *ps, Ms: *ms, Wasm: *wasm}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "gexit explore: %v\n", err)
		return exitUsage
	}
	switch {
	case *gs < 1 || *gs > 60:
		fmt.Fprintf(stderr, "gexit explore: -gs must be in [1, 60], have %d\n", *gs)
		return exitUsage
	case *depth < 0:
		fmt.Fprintf(stderr, "gexit explore: -depth must be >= 0, have %d\n", *depth)
		return exitUsage
	case *maxStates < 0:
		fmt.Fprintf(stderr, "gexit explore: -max-states must be >= 0, have %d\n", *maxStates)
		return exitUsage
	case *bitstate != 0 && (*bitstate < 12 || *bitstate > 40):
		fmt.Fprintf(stderr, "gexit explore: -bitstate must be in [12, 40] (log2 of the bits), have %d\n", *bitstate)
		return exitUsage
	case *bitK < 1 || *bitK > 16:
		fmt.Fprintf(stderr, "gexit explore: -bitstate-k must be in [1, 16], have %d\n", *bitK)
		return exitUsage
	case *shard != "" && *bitstate == 0:
		fmt.Fprintf(stderr, "gexit explore: -shard needs -bitstate (an exact search explores the same states in any order)\n")
		return exitUsage
	case *bitstate != 0 && *liveness:
		fmt.Fprintf(stderr, "gexit explore: -liveness needs the exact state graph: not with -bitstate\n")
		return exitUsage
	case *fpBits != 64 && *fpBits != 128:
		fmt.Fprintf(stderr, "gexit explore: -fingerprint must be 64 or 128, have %d\n", *fpBits)
		return exitUsage
	case *fpBits == 128 && (*bitstate != 0 || *liveness):
		fmt.Fprintf(stderr, "gexit explore: -fingerprint 128 is for the exact set of an invariant search: not with -bitstate or -liveness\n")
		return exitUsage
	case *workers < 1 || *workers > 1024:
		fmt.Fprintf(stderr, "gexit explore: -workers must be in [1, 1024], have %d\n", *workers)
		return exitUsage
	case *lockDepth < 0 || *lockDepth > 255:
		fmt.Fprintf(stderr, "gexit explore: -lock-depth must be in [0, 255], have %d\n", *lockDepth)
		return exitUsage
	case *liveness && *depth != 0:
		fmt.Fprintf(stderr, "gexit explore: -liveness needs the whole state graph: drop -depth\n")
		return exitUsage
	case *unfair != "" && !*liveness:
		fmt.Fprintf(stderr, "gexit explore: -unfair needs -liveness\n")
		return exitUsage
	case *maxTime < 0:
		fmt.Fprintf(stderr, "gexit explore: -max-time must be >= 0, have %v\n", *maxTime)
		return exitUsage
	}
	porSet, reduceSet := false, false
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "por":
			porSet = true
		case "reduce":
			reduceSet = true
		}
	})
	if *liveness && *reduce != "" {
		if reduceSet {
			fmt.Fprintf(stderr, "gexit explore: -reduce is not proven safe for the liveness check: drop -reduce with -liveness\n")
			return exitUsage
		}
		*reduce = "" // on by default for invariant checking only
	}
	red, err := parseReductions(*reduce)
	if err != nil {
		fmt.Fprintf(stderr, "gexit explore: -reduce: %v\n", err)
		return exitUsage
	}
	if *liveness && *por {
		if porSet {
			fmt.Fprintf(stderr, "gexit explore: -por is not proven safe for the liveness check: drop -por with -liveness\n")
			return exitUsage
		}
		*por = false // on by default for invariant checking only
	}
	if *depth > 0 && *por && !porSet {
		// The reduction follows a private acquirep alone, which pushes
		// every other actor's step one level deeper: -depth would bound
		// the reduced graph, where a violation -depth steps deep in the
		// full graph can lie deeper. Off unless asked for.
		*por = false
	}
	var shardI, shardN int
	if *shard != "" {
		i, n, ok := strings.Cut(*shard, "/")
		var err1, err2 error
		shardI, err1 = strconv.Atoi(i)
		shardN, err2 = strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil || shardN < 1 || shardI < 0 || shardI >= shardN {
			fmt.Fprintf(stderr, "gexit explore: -shard: want i/n with 0 <= i < n, have %q\n", *shard)
			return exitUsage
		}
	}
	var drop checker.Fairness
	if *unfair != "" {
		for _, name := range strings.Split(*unfair, ",") {
			found := false
			for _, f := range checker.FairnessConditions {
				if f.Name == strings.TrimSpace(name) {
					drop |= f.Bit
					found = true
				}
			}
			if !found {
				fmt.Fprintf(stderr, "gexit explore: -unfair: unknown fairness condition %q (want some of %s)\n", name, strings.Join(fairnessNames(), ","))
				return exitUsage
			}
		}
	}
	b := spec.DefaultBounds(*gs)
	b.LockDepth = *lockDepth
	b.LockInt = *lockInt
	if *without != "" {
		for _, f := range strings.Split(*without, ",") {
			switch strings.TrimSpace(f) {
			case "system":
				b.NoSystem = true
			case "gc":
				b.NoGC = true
			case "assist":
				b.NoAssist = true
			case "dirty":
				b.NoDirty = true
			case "syscalls":
				b.NoSyscalls = true
			case "locks":
				b.NoLocks = true
			case "procresize":
				b.NoProcResize = true
			case "gosched":
				b.NoGosched = true
			case "stacksize":
				b.StackSizes = nil
			case "goyield":
				b.NoGoyield = true
			default:
				fmt.Fprintf(stderr, "gexit explore: -without: unknown op family %q (want some of %s)\n", f, strings.Join(opFamilies, ","))
				return exitUsage
			}
		}
	}
	reduceNote := ""
	if applied := red.For(*ps, b); applied != red {
		switch {
		case !b.PSymmetric():
			// P symmetry is sound only where no op reads a P id.
			reduceNote = " (ps off: the gc and procresize families read P ids)"
		case *ps > spec.MaxSymPs:
			reduceNote = fmt.Sprintf(" (ps off: more than %d Ps)", spec.MaxSymPs)
		}
		red = applied
	}
	if *ms > spec.MaxSymMs && red&spec.ReduceMs != 0 {
		red &^= spec.ReduceMs
		reduceNote += fmt.Sprintf(" (ms off: more than %d Ms)", spec.MaxSymMs)
	}
	*reduce = reductionList(red)
	switch {
	case *reduce != "":
		reduceNote = *reduce + reduceNote
	case reduceNote != "":
		reduceNote = "none" + reduceNote
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	memLimit, err := parseBytes(*maxMemory)
	if err != nil {
		fmt.Fprintf(stderr, "gexit explore: -max-memory: %v\n", err)
		return exitUsage
	}
	fm, err := parseBytes(*frontierMem)
	if err == nil && fm > math.MaxInt32 {
		err = fmt.Errorf("at most 2 GiB")
	}
	if err != nil {
		fmt.Fprintf(stderr, "gexit explore: -frontier-memory: %v\n", err)
		return exitUsage
	}
	dir, err := checker.SpillDir(*spillDir)
	if err != nil {
		fmt.Fprintf(stderr, "gexit explore: -spill-dir: %v\n", err)
		return exitUsage
	}
	if dir == "" && fm > 0 {
		if !*quiet {
			fmt.Fprintln(stderr, "gexit explore: no directory on disk to spill the frontier to (or no mmap): the frontier stays in memory")
		}
		fm = 0
	}
	o := checker.ExploreOptions{Config: cfg, Bounds: b, Depth: *depth, MaxStates: *maxStates, StopAtFirst: !*all, MaxMemory: memLimit, MaxTime: *maxTime, Liveness: *liveness, Unfair: drop, Workers: *workers,
		Bitstate: *bitstate, BitstateK: *bitK, Shard: shardI, Shards: shardN, POR: *por, Reduce: red, Wide: *fpBits == 128,
		FrontierMemory: int(fm), SpillDir: dir}
	if !*quiet && !*jsonOut {
		o.Progress = func(p checker.ExploreProgress) { fmt.Fprintln(stderr, progressLine(p)) }
	}
	stopProfile, ok := startCPUProfile("explore", *cpuProfile, stderr)
	if !ok {
		return exitUsage
	}
	defer stopProfile()
	res, err := checker.Explore(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "gexit explore: %v\n", err)
		return exitUsage
	}
	lassos := 0
	for _, l := range res.Liveness {
		if l.Lasso != nil {
			lassos++
		}
	}
	code := exitOK
	switch {
	case len(res.Violations) > 0 || lassos > 0:
		code = exitViolation
	case !res.Complete && res.StoppedBy != "depth" && (res.Bitstate == nil || res.StoppedBy != ""):
		code = exitUnknown
	}
	if *jsonOut {
		type jsonViolation struct {
			Kind, Name, Source, Detail string
			Path                       []string
			Final                      string
		}
		out := struct {
			*checker.ExploreResult
			Violations []jsonViolation `json:"violations"`
			Liveness   []jsonLiveness  `json:"liveness,omitempty"`
			Verdict    string          `json:"verdict"`
			Bounds     map[string]any  `json:"bounds"`
		}{ExploreResult: res, Violations: []jsonViolation{}, Verdict: verdictName(code),
			Bounds: map[string]any{"ps": *ps, "ms": *ms, "gs": *gs, "consts": *consts, "depth": *depth, "wasm": *wasm, "without": *without, "por": *por, "reduce": *reduce, "fingerprint": *fpBits}}
		if *liveness {
			out.Bounds["liveness"], out.Bounds["unfair"] = true, *unfair
		}
		for _, v := range res.Violations {
			jv := jsonViolation{Kind: v.Kind, Name: v.Name, Source: v.Source, Detail: v.Detail, Final: v.FinalDump}
			for i, st := range v.Path {
				jv.Path = append(jv.Path, fmt.Sprintf("%d. %v => %v", i+1, st.Op, st.Result))
			}
			out.Violations = append(out.Violations, jv)
		}
		out.Liveness = livenessJSON(res.Liveness)
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "gexit explore: %v\n", err)
			return exitUsage
		}
		return code
	}
	printExplore(stdout, res, *ps, *ms, *gs, *consts, *fpBits, reduceNote)
	if res.Bitstate != nil && code == exitOK {
		fmt.Fprintf(stdout, "verdict: %s (partial search: bitstate)\n", verdictName(code))
		return code
	}
	fmt.Fprintf(stdout, "verdict: %s\n", verdictName(code))
	return code
}

// progressLine is explore's progress report on stderr: the counts, the
// rate so far, and the resident memory against -max-memory, so that a long
// run shows how near it is to stopping for memory.
func progressLine(p checker.ExploreProgress) string {
	mem := sysmem.Format(p.Resident) + " resident"
	if p.MaxMemory > 0 {
		mem += fmt.Sprintf(" (%.0f%% of -max-memory %s)", 100*float64(p.Resident)/float64(p.MaxMemory), sysmem.Format(p.MaxMemory))
	}
	rate := 0.0
	if s := p.Elapsed.Seconds(); s > 0 {
		rate = float64(p.States) / s
	}
	return fmt.Sprintf("explore: %d states, %d transitions, depth %d, frontier %d, %.0fs, %.0f states/s, %s",
		p.States, p.Transitions, p.Depth, p.Frontier, p.Elapsed.Seconds(), rate, mem)
}

func verdictName(code int) string {
	switch code {
	case exitOK:
		return "ok"
	case exitViolation:
		return "violation"
	case exitUnknown:
		return "unknown"
	}
	return "error"
}

// printCollision qualifies "complete": the fingerprint set takes a state
// whose 64-bit fingerprint another state has as seen.
func printCollision(w io.Writer, res *checker.ExploreResult, fpBits int) {
	fmt.Fprintf(w, "  unless two of them shared a %d-bit fingerprint, and one was taken as seen: probability at most %.2g\n",
		fpBits, res.FingerprintCollision)
	if fpBits == 64 && res.FingerprintCollision > 1e-3 {
		fmt.Fprintln(w, "  (-fingerprint 128 makes that 2^64 times less likely, for about 11 more bytes a state)")
	}
}

// printExplore prints the summary; reductions names the reductions
// applied ("" none).
func printExplore(w io.Writer, res *checker.ExploreResult, ps, ms, gs int, consts string, fpBits int, reductions string) {
	fmt.Fprintf(w, "explored %d states, %d transitions, max depth %d (%d Ps, %d Ms, %d Gs, preset %s)\n",
		res.States, res.Transitions, res.MaxDepth, ps, ms, gs, consts)
	fmt.Fprintf(w, "%.2fs, %.0f states/s; peak resident %s (%.1f bytes per state, frontier included; %.1f stored per state), peak frontier %s\n",
		res.Seconds, res.StatesPerSec, sysmem.Format(res.PeakBytes), res.BytesPerState, res.StoredPerState, sysmem.Format(uint64(res.FrontierBytes)))
	if res.SpilledBytes > 0 {
		fmt.Fprintf(w, "frontier spilled to disk: %s written and read back (-frontier-memory)\n", sysmem.Format(uint64(res.SpilledBytes)))
	}
	if b := res.Bitstate; b != nil {
		shard := ""
		if b.Shards > 0 {
			shard = fmt.Sprintf(", swarm shard %d/%d", b.Shard, b.Shards)
		}
		fmt.Fprintf(w, "partial search: bitstate 2^%d bits (%s), k=%d, seed %#x%s; hash factor %.1f (bits per stored state; SPIN: above 100 good, below 10 poor), omission probability now %.2g, expected coverage at most %.4f\n",
			b.Bits, sysmem.Format(uint64(b.ArrayBytes)), b.K, b.Seed, shard, b.HashFactor, b.Omission, b.ExpectedCoverage)
	}
	if r := res.POR; r != nil {
		fmt.Fprintf(w, "partial-order reduction: %d states expanded by an ample set alone (%d enabled ops not followed, %d pairs of ops checked to commute), %d fully by the cycle proviso\n",
			r.Reduced, r.Skipped, r.Pairs, r.Proviso)
	}
	if reductions != "" {
		fmt.Fprintf(w, "reductions: %s\n", reductions)
	}
	if res.PremiseChecks > 0 {
		fmt.Fprintf(w, "the reductions' premises held on the first states and on %d of the states met (one in 1,024)\n", res.PremiseChecks)
	}
	switch {
	case res.StoppedBy == "first-violation":
		fmt.Fprintln(w, "stopped at the first violation (its path is a shortest one): the counts above are of the states explored until then; -all explores the whole space")
	case res.StoppedBy == "" && res.Bitstate != nil:
		fmt.Fprintln(w, "searched to the end: a state whose bits collided was not explored, nor what only it leads to")
	case res.StoppedBy == "":
		fmt.Fprintln(w, "complete: every state reachable within the bounds was explored")
		printCollision(w, res, fpBits)
	case res.StoppedBy == "depth" && res.Bitstate != nil:
		fmt.Fprintln(w, "searched to the -depth bound: a state whose bits collided was not explored, nor what only it leads to")
	case res.StoppedBy == "depth" && res.POR != nil:
		fmt.Fprintln(w, "complete up to the -depth bound of the reduced graph (-por follows a private acquirep alone, a step that pushes the others one level deeper: a violation -depth steps deep in the full graph may lie deeper here; -por=false bounds the full graph)")
		printCollision(w, res, fpBits)
	case res.StoppedBy == "depth":
		fmt.Fprintln(w, "complete up to the -depth bound")
		printCollision(w, res, fpBits)
	case res.StoppedBy == "max-memory":
		fmt.Fprintf(w, "INCOMPLETE: stopped by -max-memory: the resident memory reached %s\n", sysmem.Format(res.PeakBytes))
	case res.LivenessStats != nil && res.LivenessStats.Interrupted:
		fmt.Fprintf(w, "INCOMPLETE: stopped by %s in the search for fair loops: every state within the bounds was explored and its invariants checked; the liveness verdicts not reached are unknown (a lasso found before the stop is reported)\n", stopName(res.StoppedBy))
	case res.StoppedBy == "max-time" || res.StoppedBy == "canceled":
		fmt.Fprintf(w, "INCOMPLETE: stopped by %s\n", stopName(res.StoppedBy))
	case res.StoppedBy == "spill-error":
		fmt.Fprintf(w, "INCOMPLETE: the frontier could not be spilled to disk (%s); the counts are of what was explored until then\n", res.SpillError)
	default:
		fmt.Fprintf(w, "INCOMPLETE: stopped by %s\n", res.StoppedBy)
	}
	var terms []string
	for k, v := range res.Terminal {
		terms = append(terms, fmt.Sprintf("%d %s", v, k))
	}
	sort.Strings(terms)
	if len(terms) > 0 {
		fmt.Fprintf(w, "terminal states: %s\n", strings.Join(terms, "; "))
	}
	if res.Deadlocks > 0 {
		fmt.Fprintf(w, "states with no enabled op (all goroutines asleep): %d\n", res.Deadlocks)
	}
	fmt.Fprintf(w, "coverage (transitions per op and branch):\n")
	keys := make([]string, 0, len(res.Coverage))
	for k := range res.Coverage {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %-32s %d\n", k, res.Coverage[k])
	}
	switch {
	case len(res.NeverReached) == 0:
	case res.Bitstate == nil && (res.Complete || res.StoppedBy == "depth"):
		fmt.Fprintf(w, "never reached under these bounds: %s\n", strings.Join(res.NeverReached, ", "))
	default:
		// A partial search says nothing of what the bound reaches.
		fmt.Fprintf(w, "not reached in the part explored (the search is incomplete: this is no finding about the bounds): %s\n", strings.Join(res.NeverReached, ", "))
	}
	printLiveness(w, res)
	for i, v := range res.Violations {
		fmt.Fprintf(w, "\nVIOLATION %d: %s %s\n", i+1, v.Kind, v.Name)
		if v.Source != "" {
			fmt.Fprintf(w, "  from: %s\n", v.Source)
		}
		fmt.Fprintf(w, "  %s\n  shortest path (%d steps):\n", v.Detail, len(v.Path))
		for j, st := range v.Path {
			fmt.Fprintf(w, "  %3d. %-28v => %v\n", j+1, st.Op, st.Result)
			for _, c := range st.Changes {
				fmt.Fprintf(w, "         %s\n", c)
			}
		}
		fmt.Fprintf(w, "  final state:\n")
		for _, l := range strings.Split(strings.TrimRight(v.FinalDump, "\n"), "\n") {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
	if res.ViolationsDropped > 0 {
		kinds := make([]string, 0, len(res.ViolationCounts))
		for k, n := range res.ViolationCounts {
			kinds = append(kinds, fmt.Sprintf("%s: %d", k, n))
		}
		sort.Strings(kinds)
		fmt.Fprintf(w, "\n%d more violations found, not shown (the first %d of each kind are); every one by kind:\n  %s\n",
			res.ViolationsDropped, checker.DefaultKeepViolations, strings.Join(kinds, "\n  "))
	}
}

// parseBytes reads a size: a number of bytes, optionally with a unit (KB,
// MB, GB, TB in powers of 1000; KiB, MiB, GiB, TiB in powers of 1024).
func parseBytes(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}}
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || v*mult > 1<<63 {
		return 0, fmt.Errorf("want a size such as 8GB or 512MiB, have %q", s)
	}
	return uint64(v * mult), nil
}

func fairnessNames() []string {
	var names []string
	for _, f := range checker.FairnessConditions {
		names = append(names, f.Name)
	}
	return names
}

// jsonLiveness is one liveness verdict in -json: the lasso's steps as
// lines, numbered through the prefix and the loop.
type jsonLiveness struct {
	Name          string     `json:"name"`
	Holds         bool       `json:"holds"`
	Unknown       bool       `json:"unknown,omitempty"`
	CheckedStates int        `json:"checkedStates"`
	Source        string     `json:"source"`
	Lasso         *jsonLasso `json:"lasso,omitempty"`
}

type jsonLasso struct {
	Tracked string   `json:"tracked"`
	Detail  string   `json:"detail"`
	Prefix  []string `json:"prefix"`
	Loop    []string `json:"loop"`
	// Unforced: with an empty loop (the run stays in one state), the
	// steps that state offers, none of which fairness forces.
	Unforced  []string `json:"unforced,omitempty"`
	LoopStart string   `json:"loopStart"`
}

func livenessJSON(ls []checker.LivenessResult) []jsonLiveness {
	var out []jsonLiveness
	for _, l := range ls {
		jl := jsonLiveness{Name: l.Name, Holds: l.Holds, Unknown: l.Unknown, CheckedStates: l.CheckedStates, Source: l.Source}
		if la := l.Lasso; la != nil {
			jl.Lasso = &jsonLasso{Tracked: la.Tracked, Detail: la.Detail, Prefix: []string{}, Loop: []string{}, LoopStart: la.LoopStartDump}
			for i, st := range la.Prefix {
				jl.Lasso.Prefix = append(jl.Lasso.Prefix, fmt.Sprintf("%d. %v => %v", i+1, st.Op, st.Result))
			}
			for i, st := range la.Loop {
				jl.Lasso.Loop = append(jl.Lasso.Loop, fmt.Sprintf("%d. %v => %v", len(la.Prefix)+i+1, st.Op, st.Result))
			}
			for _, op := range la.Unforced {
				jl.Lasso.Unforced = append(jl.Lasso.Unforced, op.String())
			}
		}
		out = append(out, jl)
	}
	return out
}

// printLiveness prints the liveness verdicts, then every lasso: the
// prefix and the loop as numbered steps with their state changes.
func printLiveness(w io.Writer, res *checker.ExploreResult) {
	if len(res.Liveness) == 0 {
		return
	}
	fair := "none"
	if st := res.LivenessStats; st != nil && len(st.Fairness) > 0 {
		fair = strings.Join(st.Fairness, ", ")
	}
	fmt.Fprintf(w, "liveness (fair runs: %s):\n", fair)
	for _, l := range res.Liveness {
		verdict := "holds"
		switch {
		case l.Unknown && res.LivenessStats != nil && res.LivenessStats.Interrupted:
			verdict = "unknown (the search for fair loops was stopped)"
		case l.Unknown && res.LivenessStats != nil && res.LivenessStats.Cut != "":
			verdict = "unknown (the graph is not the whole space: below)"
		case l.Unknown:
			verdict = "unknown (the space was not exhausted)"
		case !l.Holds:
			verdict = "VIOLATED"
		}
		judged := fmt.Sprintf("judged in %d states", l.CheckedStates)
		switch {
		case l.Unknown:
			judged = ""
		case l.CheckedStates == 0:
			judged = "vacuous: no state to judge under these bounds"
		}
		fmt.Fprintf(w, "%s\n", strings.TrimRight(fmt.Sprintf("  %-21s %-8s %s", l.Name, verdict, judged), " "))
	}
	if st := res.LivenessStats; st != nil && st.Cut != "" {
		fmt.Fprintf(w, "liveness: no property judged: %s\n", st.Cut)
	}
	if st := res.LivenessStats; st != nil {
		fmt.Fprintf(w, "liveness graph: %d strict edges, %d (state, runnable G) nodes, %.1f MB (%.1f bytes per state), checked in %.2fs\n",
			st.Edges, st.Nodes, float64(st.Bytes)/1e6, float64(st.Bytes)/float64(max(res.States, 1)), st.Seconds)
	}
	for _, l := range res.Liveness {
		ls := l.Lasso
		if ls == nil {
			continue
		}
		doc := ""
		for _, p := range checker.LivenessProperties {
			if p.Name == l.Name {
				doc = ": " + p.Doc
			}
		}
		fmt.Fprintf(w, "\nLIVENESS VIOLATION: %s%s\n  from: %s\n  %s\n", l.Name, doc, l.Source, ls.Detail)
		steps := func(from int, path []checker.PathStep) {
			for j, st := range path {
				mark := ""
				if st.Relaxed {
					mark = " (relaxed order: only for an op that overlapped another)"
				}
				fmt.Fprintf(w, "  %3d. %-28v => %v%s\n", from+j+1, st.Op, st.Result, mark)
				for _, c := range st.Changes {
					fmt.Fprintf(w, "         %s\n", c)
				}
			}
		}
		fmt.Fprintf(w, "  prefix (%d steps, shortest to the loop):\n", len(ls.Prefix))
		steps(0, ls.Prefix)
		if len(ls.Loop) == 0 {
			fmt.Fprintf(w, "  loop: none: the run stays in the state after step %d forever; no fairness condition assumed forces its steps:\n", len(ls.Prefix))
			for _, op := range ls.Unforced {
				fmt.Fprintf(w, "       %v\n", op)
			}
		} else {
			fmt.Fprintf(w, "  loop (steps %d-%d, back to the state after step %d, forever):\n", len(ls.Prefix)+1, len(ls.Prefix)+len(ls.Loop), len(ls.Prefix))
			steps(len(ls.Prefix), ls.Loop)
		}
		fmt.Fprintf(w, "  the loop's first state:\n")
		for _, line := range strings.Split(strings.TrimRight(ls.LoopStartDump, "\n"), "\n") {
			fmt.Fprintf(w, "    %s\n", line)
		}
	}
}

// stopName names what stopped a run for its summary.
func stopName(by string) string {
	switch by {
	case "max-time":
		return "-max-time"
	case "canceled":
		return "an interrupt (Ctrl-C or SIGTERM)"
	}
	return by
}
