package checker

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"time"

	"github.com/gexit-dev/gexit/spec"
)

// ExploreOptions configure an exhaustive bounded exploration of the spec.
type ExploreOptions struct {
	Config spec.Config
	Bounds spec.Bounds
	// Depth bounds the BFS depth (0: no bound; the space under Bounds is
	// finite, see spec.State.Fingerprint).
	Depth int
	// MaxStates stops the run (verdict Unknown) when reached; 0: no bound.
	MaxStates int
	// MaxMemory stops the run (verdict Unknown, StoppedBy "max-memory")
	// when the process's resident memory exceeds it, checked every 16,384
	// transitions; 0: no bound.
	MaxMemory uint64
	// MaxTime stops the run (verdict Unknown, StoppedBy "max-time") once
	// it has run this long, checked every 16,384 transitions and, with
	// Liveness, while the graph is searched for fair loops; 0: no bound.
	// A context's cancellation stops it the same way (StoppedBy
	// "canceled").
	MaxTime time.Duration
	// StopAtFirst stops at the first violation (its path is the shortest).
	StopAtFirst bool
	// KeepViolations is how many violations of each kind and name the
	// result keeps, with their paths and final states, in the order
	// found (the first is the shortest); the others are only counted
	// (ExploreResult.ViolationCounts, ViolationsDropped). 0:
	// DefaultKeepViolations. A planted
	// fault can break millions of states, and each kept violation holds
	// a replayed path and a dump.
	KeepViolations int
	// Step replaces spec's Apply; tests use it to plant a broken
	// transition. nil: (*spec.State).Apply.
	Step func(s *spec.State, op spec.Op) (spec.Result, error)
	// Progress, when set, is called about once a second.
	Progress func(p ExploreProgress)
	// Workers is how many goroutines expand states, look them up and
	// check them (0: runtime.GOMAXPROCS(0)). Whatever it is, the
	// exploration finds the same: the same states in the same order, the
	// same counts and violations.
	Workers int
	// Bitstate, when not 0, replaces the exact fingerprint set by a
	// bitstate (supertrace) array of 2^Bitstate bits in which a state sets
	// BitstateK bits (0: 3), as SPIN's -DBITSTATE: a new state whose bits
	// happen to be set is taken as seen and not explored, so the search
	// is partial (ExploreResult.Bitstate says how partial). In [12, 40].
	Bitstate  int
	BitstateK int
	// Wide makes the exact fingerprint set hold 128-bit fingerprints
	// (spec.State.FingerprintWide) instead of 64-bit ones: 8 more bytes a
	// slot, and a collision's chance (ExploreResult.FingerprintCollision)
	// 2^64 times smaller. Not with Bitstate or Liveness.
	Wide bool
	// Shard and Shards (with Bitstate) make this run shard Shard of a
	// swarm of Shards runs: each shard hashes with its own seed and, but
	// for shard 0, tries each state's ops in its own order (a permutation
	// of Enabled's derived from the shard and the state's number), so
	// that different shards lose different states to collisions and
	// together cover more of the space than one.
	Shard, Shards int
	// Liveness records the state graph and, once the space is exhausted,
	// checks LivenessProperties on it under the fairness conditions
	// (FairnessConditions): see liveness.go. The exploration is the same
	// (states, transitions, violations). It needs Depth 0, at most 8 Ms,
	// 8 Ps and a bound of 8 Gs.
	Liveness bool
	// Unfair lists fairness conditions the liveness check does not
	// assume; tests use it to show that each one is needed.
	Unfair Fairness
	// POR turns on partial-order reduction for invariant checking: at a
	// state where spec.Ample finds an ample set (one M's enabled ops, all
	// private to it: spec.Private), only those ops are followed, unless
	// one is visible there or the cycle proviso refuses (expandAmple).
	// Every invariant violation, reachable throw and deadlock of the
	// full exploration is still reached (explore_por_test.go, POR.md),
	// but the states, transitions and coverage counts are those of the
	// reduced graph and a violation's path is a shortest one in it, not
	// necessarily in the full graph. Not with Liveness: the reduction is
	// not proven safe for the liveness check under fairness.
	POR bool
	// Reduce adds optional abstractions to the fingerprint states are
	// deduplicated by (spec.Reduction: symmetry over the Ms but m0, the
	// GC assist credit), beyond Fingerprint's renaming of Gs and goids.
	// Each merges states no transition and no invariant tells apart, so
	// every invariant violation, throw and deadlock is still found with
	// the same verdict (explore_sym_test.go), in fewer states; the
	// counts are then the reduced space's. 0: none (Fingerprint). Not
	// with Liveness: the liveness check records which M steps, and
	// renamed Ms would mix them up. spec.ReducePs applies only where
	// the bounds allow it (spec.Reduction.For).
	Reduce spec.Reduction
	// FrontierMemory, when not 0, bounds the bytes of encoded states each
	// of the two BFS levels held at a time (the one being expanded and
	// the next) keeps in memory: the rest is written to a file in
	// SpillDir (os.TempDir() when empty) and mapped back to be read
	// (spill.go). The exploration is the same; only where the frontier
	// lies changes. Linux only.
	FrontierMemory int
	SpillDir       string

	chunkBytes  int                                         // tests: the frontier's chunk capacity (0: chunkSize)
	fpMask      uint64                                      // tests: ANDed into every fingerprint's first word (0: none), to plant collisions
	progressGap time.Duration                               // tests: the least time between two Progress calls (0: a second)
	elapsed     func(liveness bool) time.Duration           // tests: the run's time for MaxTime, in the exploration or the liveness search (nil: time since Explore began)
	spillCreate func(dir, pattern string) (*os.File, error) // tests: the spill file's maker (nil: os.CreateTemp)
	// enabled, in tests, replaces spec's Enabled everywhere the explorer
	// lists a state's ops (expansion, counterexample and lasso replays),
	// to plant an op that is never offered (nil: spec's).
	enabled enabledFunc
}

// ExploreProgress is a progress report of a running exploration.
type ExploreProgress struct {
	States, Transitions, Depth, Frontier int
	Elapsed                              time.Duration
	// Resident is the process's resident memory now (as -max-memory
	// counts it); MaxMemory is ExploreOptions.MaxMemory (0: no bound).
	Resident, MaxMemory uint64
}

// PathStep is one step of a counterexample path.
type PathStep struct {
	Op     spec.Op
	Result spec.Result
	// Changes lists the state fields the step changed, "field: old -> new".
	Changes []string
	// Relaxed: findRunnable's or exitsyscall's strict order refuses the
	// op; the spec allows it only for an op that overlapped another.
	Relaxed bool `json:"relaxed,omitempty"`
}

// ExploreViolation is an invariant failure, a reachable throw, or an op
// Enabled offered that the transition refused, with the shortest path to
// it from the initial state.
type ExploreViolation struct {
	Kind      string // "invariant", "throw", "refused", "progress"
	Name      string // the invariant's name, or the throw message
	Source    string // the runtime throw or comment the invariant cites
	Detail    string
	Path      []PathStep
	Final     *spec.State `json:"-"`
	FinalDump string
	// moves is the path's length in the explorer's moves (a composite
	// move is several steps of Path): its depth.
	moves int
}

// heldViolation is a violation StopAtFirst met in a successor: the op
// that reached it (its state's number, or, refused, its parent's and the
// op's index).
type heldViolation struct {
	v     ExploreViolation
	id    uint32
	extra uint8
}

// ExploreResult is the outcome of an exploration.
type ExploreResult struct {
	States      int                `json:"states"`
	Transitions int                `json:"transitions"`
	MaxDepth    int                `json:"maxDepth"`
	Complete    bool               `json:"complete"` // every reachable state within the bounds was explored
	Violations  []ExploreViolation `json:"violations"`
	// ViolationCounts counts every violation found by "kind name", kept
	// or not; ViolationsDropped is how many were counted and not kept
	// (ExploreOptions.KeepViolations).
	ViolationCounts   map[string]int `json:"violationCounts,omitempty"`
	ViolationsDropped int            `json:"violationsDropped,omitempty"`
	Seconds           float64        `json:"seconds"`
	BytesPerState     float64        `json:"bytesPerState"`       // PeakBytes / States: everything resident, frontier included
	StoredPerState    float64        `json:"storedBytesPerState"` // the fingerprint set and the path arrays only
	PeakBytes         uint64         `json:"peakBytes"`           // the largest resident memory seen (sampled; residentBytes: mapped files' pages not counted)
	StatesPerSec      float64        `json:"statesPerSecond"`
	Terminal          map[string]int `json:"terminal"`  // terminal states by how the program ended
	Deadlocks         int            `json:"deadlocks"` // states with no enabled op and a live program
	Coverage          map[string]int `json:"coverage"`  // transitions per op and branch
	// NeverReached: the branches no transition explored took. A finding
	// about the bounds only when Complete (or stopped by the depth
	// bound, of that depth): a partial search may not have met them yet.
	NeverReached  []string `json:"neverReached"`
	FrontierBytes int      `json:"peakFrontierBytes"`    // the largest BFS level, encoded
	SpilledBytes  int64    `json:"spilledBytes"`         // frontier bytes written to disk over the run (FrontierMemory)
	SpillError    string   `json:"spillError,omitempty"` // why the frontier could not be spilled (StoppedBy "spill-error")
	StoppedBy     string   `json:"stoppedBy,omitempty"`  // "", "depth", "max-states", "max-memory", "max-time", "canceled", "first-violation" (StopAtFirst), "spill-error"
	// Liveness is the verdict on each of LivenessProperties, with
	// ExploreOptions.Liveness.
	Liveness      []LivenessResult `json:"liveness,omitempty"`
	LivenessStats *LivenessStats   `json:"livenessStats,omitempty"`
	// FingerprintCollision bounds, for a search with the fingerprint
	// set, the probability that it took a new state as seen: that two of
	// the states explored share a 64-bit fingerprint (128-bit with
	// ExploreOptions.Wide). Were fingerprints uniformly random, it is at
	// most States*(States-1)/2^65 (2^129 with Wide: hash compaction's
	// omission probability: Stern and Dill, "Improved probabilistic
	// verification by hash compaction", 1995). The state
	// left out takes with it what only it leads to; the bound is computed
	// from the states the search stored, the count it knows. 0 for a
	// bitstate search: Bitstate.Omission says the same of its bits.
	FingerprintCollision float64 `json:"fingerprintCollisionBound"`
	// Bitstate describes a bitstate run's store; nil for an exact search.
	Bitstate *BitstateStats `json:"bitstate,omitempty"`
	// POR describes the partial-order reduction, with ExploreOptions.POR.
	POR *PORStats `json:"por,omitempty"`
	// PremiseChecks is how many of the states explored had the premises
	// of the reductions in force (ms, assist, ps) checked on them as the
	// run met them (one in premiseSample+1, by fingerprint), beside the
	// premiseStates checked before it began.
	PremiseChecks int `json:"premiseChecks,omitempty"`
}

// PORStats count what the partial-order reduction did.
type PORStats struct {
	// Reduced is how many states were expanded by an ample set alone;
	// Proviso how many had an ample set but were expanded fully: an
	// ample op threw or broke an invariant, or did not lower
	// spec.AmpleRank (the cycle proviso).
	Reduced int `json:"reduced"`
	Proviso int `json:"proviso"`
	// Skipped is how many enabled ops the reduced states did not follow.
	Skipped int `json:"skipped"`
	// Pairs is how many pairs of an ample op and another actor's op the
	// explorer checked commute (spec.State.CheckAmple), at every state
	// it reduced.
	Pairs int `json:"pairs"`
}

// BitstateStats describe a bitstate (supertrace) run: a partial search.
type BitstateStats struct {
	PartialSearch bool `json:"partialSearch"` // always true: a verdict "ok" covers the states explored only
	Bits          int  `json:"bits"`          // log2 of the array's size in bits
	ArrayBytes    int  `json:"arrayBytes"`
	K             int  `json:"k"`      // bits set per state
	Stored        int  `json:"stored"` // states stored (explored)
	// HashFactor is SPIN's: the array's bits per stored state. SPIN
	// takes a factor above 100 as likely good coverage, below 10 as poor.
	HashFactor float64 `json:"hashFactor"`
	// Omission is the probability that a new state met at the end of the
	// run is wrongly taken as seen: (1 - e^(-k*stored/bits))^k.
	Omission float64 `json:"omissionProbability"`
	// ExpectedCoverage is the mean over the run, as stored grew from 0
	// to Stored, of 1 - the omission probability: the expected fraction
	// of the new states met that were stored. It is an upper bound on the
	// fraction of the space explored: a state lost takes the states only
	// it leads to with it (TestExploreBitstate: 2^14 bits on a space of
	// 89,820 states, 0.785 expected, 0.103 explored).
	ExpectedCoverage float64 `json:"expectedCoverage"`
	Seed             uint64  `json:"seed"`
	Shard            int     `json:"shard"`
	Shards           int     `json:"shards"`
}

// Explore enumerates, breadth first, every state reachable from the initial
// state under the ops spec.Enabled offers within the bounds, deduplicated by
// fingerprint, and checks every invariant at every state.
//
// Memory: the explorer stores per state its fingerprint (in an open
// addressing set), its parent's number and the index of the op that reached
// it; only the BFS frontier holds whole states. A counterexample path is
// rebuilt by replaying op indices from the initial state.
//
// Parallelism: each BFS level is cut into tasks of taskParentsFor(workers)
// frontier states, and tasks into rounds of roundTasks. The workers
// (o.Workers) expand a round's tasks: decode, Enabled, Apply, Fingerprint,
// then look each successor up in the fingerprint set, which holds the
// states of the rounds before (settleBatch successors at a time, so that
// the cache misses overlap). A successor found there is not new; one that
// is not, and did not occur earlier in its task, is a candidate: they
// check its invariants and encode it, and its State makes the next
// successor (a task holds a handful of States, whatever its size). The
// explorer's own goroutine then adds the round's candidates to the set in
// round order, which tells the first occurrences in BFS order (new
// states) from the others, and numbers the round's new states, counts and
// records violations in round order, as one state at a time, while the
// workers expand the next round (reading the set as it grows: they take
// as seen only what they find there, states of rounds before theirs).
// With one worker the tasks run in order on the explorer's goroutine,
// which adds each successor to the set as it looks it up: a candidate is
// then new. Successors are numbered, and duplicates resolved, in frontier
// order (parent by parent, op by op) whatever the cut into tasks and
// rounds, so nothing the exploration finds depends on the number of
// workers: the state numbering, the counts, the violations and their
// (shortest) paths are the same for any o.Workers
// (TestExploreWorkersDeterministic).
//
// With o.POR each state is expanded by an ample set alone where
// expandAmple allows it, in the workers: the reduction depends on the
// state only, so the exploration is still the same for any o.Workers.
//
// With o.Liveness it also records the state graph (a state-number map in
// place of the set, and every state's strict out-edges) and checks the
// liveness properties on it once the space is exhausted (liveness.go). The
// graph's edges need every successor's number and State: the successors
// keep their States until the round is numbered, the explorer's goroutine
// looks them all up in the map, and the new ones are then checked and
// encoded (checkNew); the expansion runs on the workers as without
// liveness.
func Explore(ctx context.Context, o ExploreOptions) (*ExploreResult, error) {
	init, err := spec.New(o.Config)
	if err != nil {
		return nil, err
	}
	step := o.Step
	if step == nil {
		step = (*spec.State).Apply
	}
	if o.enabled == nil {
		o.enabled = (*spec.State).Enabled
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var lg *livenessGraph
	if o.Liveness {
		if lg, err = newLivenessGraph(o); err != nil {
			return nil, err
		}
	}
	// The explorer's heap is mostly the fingerprint set and the frontier,
	// both long lived: collect less often. With liveness the graph is
	// most of the heap and holds no pointers, so a collection costs
	// little: collect at the default pace rather than let the garbage of
	// its growth pile up.
	gcPercent := 400
	if lg != nil {
		gcPercent = 100
	}
	defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
	if o.MaxMemory > 0 {
		// With GOGC at 400 the heap may grow to five times what is live
		// before a collection, so -max-memory would stop a run whose live
		// states fill a fifth of it. A soft limit below the bound makes the
		// collector work harder as the heap nears it (runtime/debug
		// SetMemoryLimit), so the run stops when what it keeps, not its
		// garbage, reaches the bound. The margin leaves room for what the
		// limit does not cover (stacks, the binary) and for the growth
		// between two checks.
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(softMemoryLimit(o.MaxMemory)))
	}
	start := time.Now()
	// stopped says why the run must stop now ("canceled", "max-time"),
	// or "".
	stopped := func(liveness bool) string {
		switch {
		case ctx.Err() != nil:
			return "canceled"
		case o.MaxTime <= 0:
			return ""
		case o.elapsed != nil && o.elapsed(liveness) > o.MaxTime, o.elapsed == nil && time.Since(start) > o.MaxTime:
			return "max-time"
		}
		return ""
	}
	res := &ExploreResult{Terminal: map[string]int{}, Coverage: map[string]int{}}
	var seen *shardedSet
	var bitSeed, permSeed uint64
	if o.POR && o.Liveness {
		return nil, fmt.Errorf("explore: partial-order reduction is not proven safe for the liveness check: not with liveness")
	}
	if o.Reduce != 0 && o.Liveness {
		return nil, fmt.Errorf("explore: the fingerprint's reductions (M and P symmetry, assist credit) are not proven safe for the liveness check: not with liveness")
	}
	// P symmetry only where no op reads a P id (spec.Bounds.PSymmetric).
	o.Reduce = o.Reduce.For(o.Config.Ps, o.Bounds)
	if err := checkReductionPremises(init, o.Bounds, o.Reduce, premiseStates); err != nil {
		return nil, err
	}
	if o.Wide && (o.Bitstate != 0 || o.Liveness) {
		return nil, fmt.Errorf("explore: 128-bit fingerprints are for the exact set of an invariant search: not with bitstate or liveness")
	}
	if o.Shards != 0 && o.Bitstate == 0 {
		return nil, fmt.Errorf("explore: a swarm shard needs bitstate (an exact search explores the same states in any order)")
	}
	if o.Bitstate != 0 {
		if err := o.checkBitstate(); err != nil {
			return nil, err
		}
		bitSeed = mix64(uint64(o.Shard) + 0x6765786974) // "gexit"
		if o.Shard > 0 {
			permSeed = bitSeed
		}
	}
	switch {
	case o.Bitstate != 0:
		seen = newBitstateSet(o.Bitstate, o.bitstateK(), bitSeed)
		seen.add(init.FingerprintReduced(o.Reduce), 0)
	case lg != nil:
		lg.ids.insert(init.Fingerprint(), 0)
		lg.addState(0, init)
	default:
		seen = newShardedSet(o.Wide)
		seen.add(fingerprint(init, o.Reduce, o.Wide, o.fpMask))
	}
	var path paths
	path.add(0, 0) // the initial state
	res.States = 1
	if v := checkInvariants(init); v != nil {
		iv := ExploreViolation{Kind: "invariant", Name: v.Invariant, Source: v.Source, Detail: v.Detail, Final: init}
		res.countViolation(&iv, o)
		res.Violations = append(res.Violations, iv)
	}
	// The frontier is a slab of encoded states, each preceded by its
	// number: no per-state allocation, a fraction of a State's size.
	per := taskParentsFor(workers)
	frontier, next := slab{per: per, chunk: o.chunkBytes}, slab{per: per, chunk: o.chunkBytes}
	if o.FrontierMemory > 0 {
		if !spillSupported {
			return nil, fmt.Errorf("explore: spilling the frontier to disk needs mmap, which this platform's build lacks")
		}
		dir := o.SpillDir
		if dir == "" {
			dir = os.TempDir()
		}
		if err := checkSpillDir(dir); err != nil {
			return nil, err
		}
		frontier.sp = newSpiller(dir, o.FrontierMemory, o.spillCreate)
		next.sp = newSpiller(dir, o.FrontierMemory, o.spillCreate)
	}
	defer func() {
		frontier.sp.close()
		next.sp.close()
	}()
	frontier.appendEncoded(0, init.AppendBinary(nil))
	cov := NewCoverage()
	var porStats PORStats
	p := newPool(workers)
	defer p.close()
	// Several workers expand the two rounds after the one the explorer's
	// goroutine looks up and numbers, each round in a set of task slots
	// of its own: a worker done with a round's tasks goes on to the next
	// round's without waiting for the explorer's goroutine (which, done
	// with a round, runs the next round's tasks while a helper finishes
	// the round's last). One worker expands a round only once the
	// previous one is numbered (the pool runs nothing until finish), so
	// it keeps to one set, whose successors are still in the cache.
	ahead, sets := 1, 1
	if workers > 1 {
		ahead, sets = 2, 3
	}
	var slots [3][roundTasks]task
	depth := 0
	lastProgress := time.Now()
	stop := ""
	peakFrontier := 0
	peakRSS := residentBytes()
	var pending []*job  // the rounds started and not finished, in order
	nextCheck := 0x4000 // the transition count at which to check the context and memory next
	defer func() {
		for _, j := range pending {
			p.finish(j, nil)
		}
	}()
	x := &expander{cfg: init.Cfg, bounds: o.Bounds, step: step, enabled: o.enabled, permSeed: permSeed, por: o.POR, red: o.Reduce, live: lg != nil, seen: seen,
		premise: o.Reduce & (spec.ReduceMs | spec.ReduceAssist | spec.ReducePs),
		direct:  workers == 1 && lg == nil, gwrites: o.Reduce&spec.ReduceGWrites != 0, wide: o.Wide, fpMask: o.fpMask}
	workersScratch := make([]worker, workers)
	expand := func(set, first int) *job {
		ts := &slots[set]
		n := min(roundTasks, frontier.tasks()-first)
		return p.start(n, func(w, i int) {
			ts[i].expand(x, &workersScratch[w], &frontier, first+i)
		})
	}
	// held (StopAtFirst): the first violation met in a successor, one
	// step deeper than the level being expanded. It is reported once the
	// rest of the level is checked for a state that makes no progress,
	// whose path is a step shorter: the violation reported is a shortest.
	var held *heldViolation
	// report records a successor's violation, or, with StopAtFirst, holds
	// it and reports that the level's successors are done with.
	report := func(v *ExploreViolation, id uint32, extra uint8) bool {
		if o.StopAtFirst {
			held = &heldViolation{v: *v, id: id, extra: extra}
			return true
		}
		res.addViolation(v, o, init, &path, id, extra, step)
		return false
	}
loop:
	for frontier.n > 0 {
		// At the depth bound the level's states are judged, not
		// expanded: a state -depth steps deep that makes no progress is
		// a violation within the bound.
		x.leaves = o.Depth > 0 && depth >= o.Depth
		next.reset()
		nt := frontier.tasks()
		rounds := (nt + roundTasks - 1) / roundTasks
		started := 0
		// startRound starts the next round's expansion. It reads the
		// fingerprint set while the explorer's goroutine adds earlier
		// rounds' states to it, and takes as seen only what it finds
		// there, states of rounds before its own (fpSet).
		startRound := func() {
			pending = append(pending, expand(started%sets, started*roundTasks))
			started++
		}
		for started < min(rounds, ahead) {
			startRound()
		}
		for r := range rounds {
			first := r * roundTasks
			ts := slots[r%sets][:min(roundTasks, nt-first)]
			var then *job
			if len(pending) > 1 {
				then = pending[1]
			}
			p.finish(pending[0], then)
			pending = pending[1:]
			for i := range ts {
				if ts[i].err != nil {
					return nil, fmt.Errorf("explore: frontier: %v", ts[i].err)
				}
				porStats.Pairs += ts[i].amplePairs
				if ts[i].ampleErr != nil {
					return nil, fmt.Errorf("explore: the partial-order reduction's independence fails on this spec, at a state %d steps from the initial one: %v; the reduced exploration would not be the spec's: explore with -por=false\n%s", depth, ts[i].ampleErr, ts[i].ampleAt.Dump())
				}
			}
			if started < rounds {
				startRound()
			}
			// Look the successors up in the fingerprint set, in round
			// order (the candidates: the expansion checked and encoded
			// them); with liveness, in the state-number map, then check
			// the new states and encode them.
			if lg != nil {
				dedupLiveness(lg, ts, uint32(path.len()))
				p.finish(p.start(len(ts), func(_, i int) { ts[i].checkNew() }), nil)
			} else if !x.direct {
				seen.dedup(ts)
			}
			// The round in order, as one state at a time.
			for ti := range ts {
				t := &ts[ti]
				for pi := range t.parents {
					pa := &t.parents[pi]
					ndID, ops := pa.id, pa.ops
					if held != nil {
						// StopAtFirst met a violation one step deeper
						// than this level: a state of the level that
						// makes no progress has a shorter path.
						if len(ops) == 0 && pa.terminal == spec.Alive && pa.prog != nil {
							v := ExploreViolation{Kind: "progress", Name: pa.prog.Invariant, Source: pa.prog.Source, Detail: pa.prog.Detail}
							res.addViolation(&v, o, init, &path, ndID, 0, step)
							held = nil
							break loop
						}
						continue
					}
					if o.POR {
						switch {
						case pa.reduced > 0:
							porStats.Reduced++
							porStats.Skipped += pa.reduced
						case pa.proviso:
							porStats.Proviso++
						}
					}
					if lg != nil {
						if err := lg.beginState(ndID, pa.cur); err != nil {
							return nil, err
						}
					}
					if len(ops) == 0 {
						if tm := pa.terminal; tm != spec.Alive {
							res.Terminal[tm.String()]++
						} else {
							res.Deadlocks++
							if pv := pa.prog; pv != nil {
								v := ExploreViolation{Kind: "progress", Name: pv.Invariant, Source: pv.Source, Detail: pv.Detail}
								res.addViolation(&v, o, init, &path, ndID, 0, step)
								if o.StopAtFirst {
									break loop
								}
							}
						}
					}
					if x.leaves {
						continue
					}
					if len(ops) > 255 {
						return nil, fmt.Errorf("explore: %d ops enabled in one state; the path encoding holds 255", len(ops))
					}
					if lg != nil {
						// An actor with steps none of which is strict
						// (by actor: Ms, then sysmon and the controller).
						var stepped, strict uint32
						for k, op := range ops {
							if sc := &t.succs[pa.first+k]; sc.err == nil {
								bit := uint32(1) << uint(int(op.M)+2)
								stepped |= bit
								if sc.strict {
									strict |= bit
								}
							}
						}
						if stepped&^strict != 0 {
							if lg.relaxedOnly == 0 {
								lg.firstRelaxedOnly = ndID
							}
							lg.relaxedOnly++
						}
					}
					for k, op := range ops {
						sc := &t.succs[pa.first+k]
						i := k
						if len(pa.idx) > 0 {
							i = int(pa.idx[k]) // the op's index in Enabled's order
						}
						err := sc.err
						res.Transitions++
						for pi := range sc.parts {
							p := &sc.parts[pi]
							cov.add(p.key, 1, &p.op, &p.r)
						}
						if pv, ok := err.(*partViolation); ok {
							// A composite's writes broke an invariant
							// before its exit: the path ends there.
							id := path.add(ndID, uint8(i))
							if lg != nil {
								lg.addEnd(id)
								lg.unexpanded++
							}
							v := ExploreViolation{Kind: "invariant", Name: pv.v.Invariant, Source: pv.v.Source, Detail: pv.v.Detail}
							if report(&v, id, 0) {
								break
							}
							continue
						}
						if _, refused := err.(*spec.Disabled); refused {
							v := ExploreViolation{Kind: "refused", Name: "enabled op refused", Detail: err.Error()}
							if report(&v, ndID, uint8(i)) {
								break
							}
							continue
						}
						cov.add(sc.key, 1, &sc.keyOp, &sc.r)
						if err != nil {
							// A reachable throw is a violation, whether or
							// not the partial state was seen before.
							id := path.add(ndID, uint8(i))
							if lg != nil {
								lg.addEnd(id)
							}
							v := ExploreViolation{Kind: "throw", Name: err.Error(), Detail: err.Error()}
							if t, ok := err.(*spec.Throw); ok {
								v.Name, v.Source = t.Msg, t.Func
							}
							if report(&v, id, 0) {
								break
							}
							continue
						}
						id := uint32(path.len())
						if lg != nil {
							if sc.strict {
								lg.addEdge(sc.to, op, pa.cur, sc.st)
							}
							if !sc.isNew {
								continue
							}
							if sc.to != id {
								return nil, fmt.Errorf("explore: liveness: state numbered %d, expected %d", sc.to, id)
							}
							lg.addState(id, sc.st)
						} else if !sc.isNew {
							continue
						}
						path.add(ndID, uint8(i))
						res.States++
						if sc.premise != nil {
							return nil, premiseFailed(x.cfg, t.enc[sc.encOff:sc.encEnd], depth+1, sc.premise)
						}
						if x.premise != 0 && sc.viol == nil && sc.fp&premiseSample == 0 {
							res.PremiseChecks++
						}
						if viol := sc.viol; viol != nil {
							if lg != nil {
								lg.unexpanded++
							}
							v := ExploreViolation{Kind: "invariant", Name: viol.Invariant, Source: viol.Source, Detail: viol.Detail}
							if report(&v, id, 0) {
								break
							}
						} else {
							next.appendEncoded(id, t.enc[sc.encOff:sc.encEnd])
						}
						if o.MaxStates > 0 && res.States >= o.MaxStates {
							// (A state that breaks an invariant counts:
							// the bound holds for every state counted.)
							stop = "max-states"
							break loop
						}
					}
					if res.Transitions >= nextCheck {
						nextCheck = res.Transitions + 0x4000
						if path.len() > math.MaxUint32-1<<20 {
							return nil, fmt.Errorf("explore: more than 2^32 states: state numbers are 32 bits")
						}
						if stop = stopped(false); stop != "" {
							break loop
						}
						rss := residentBytes()
						peakRSS = max(peakRSS, rss)
						if o.MaxMemory > 0 && rss > o.MaxMemory {
							stop = "max-memory"
							break loop
						}
						if o.Progress != nil && time.Since(lastProgress) >= cmp.Or(o.progressGap, time.Second) {
							lastProgress = time.Now()
							o.Progress(ExploreProgress{States: res.States, Transitions: res.Transitions, Depth: depth, Frontier: frontier.n + next.n,
								Elapsed: time.Since(start), Resident: rss, MaxMemory: o.MaxMemory})
						}
					}
				}
			}
			frontier.done(first + len(ts))
		}
		if held != nil {
			// No state of the level makes no progress: the held
			// violation is the shortest.
			res.addViolation(&held.v, o, init, &path, held.id, held.extra, step)
			break
		}
		if x.leaves {
			stop = "depth"
			break
		}
		peakFrontier = max(peakFrontier, next.size())
		frontier, next = next, frontier
		if err := frontier.seal(); err != nil {
			// The disk failed the run, not its input: what it found
			// so far is kept, and the verdict is unknown at best.
			res.SpillError = err.Error()
			stop = "spill-error"
			break
		}
		if frontier.n > 0 {
			depth++
		}
	}
	for _, j := range pending {
		p.finish(j, nil)
	}
	pending = nil
	res.MaxDepth = depth
	// The violations in the order of their depth: a state's progress
	// violation is found as its level is expanded, after violations of
	// successors one step deeper in the level's earlier states.
	slices.SortStableFunc(res.Violations, func(a, b ExploreViolation) int { return cmp.Compare(a.moves, b.moves) })
	if stop == "" && o.StopAtFirst && len(res.Violations) > 0 {
		// The search ended at its first violation, not at the end of
		// the space: the counts are of what it explored until then.
		stop = "first-violation"
	}
	res.StoppedBy = stop
	res.Complete = stop == ""
	res.Seconds = time.Since(start).Seconds()
	if res.Seconds > 0 {
		res.StatesPerSec = float64(res.States) / res.Seconds
	}
	var stored int
	if lg != nil {
		stored = lg.ids.bytes() + path.bytes()
	} else {
		stored = seen.bytes() + path.bytes()
	}
	res.StoredPerState = float64(stored) / float64(res.States)
	res.PeakBytes = max(peakRSS, residentBytes())
	res.BytesPerState = float64(res.PeakBytes) / float64(res.States)
	res.Coverage = cov.Counts()
	res.NeverReached = NeverReached(res.Coverage)
	sort.Strings(res.NeverReached)
	if o.Bitstate != 0 {
		res.Complete = false // a partial search
		res.Bitstate = newBitstateStats(o, seen.bytes(), res.States, bitSeed)
	} else {
		res.FingerprintCollision = min(1, fingerprintCollision(res.States, o.Wide)*orbitCollisionFactor(o))
	}
	res.FrontierBytes = peakFrontier
	for _, s := range []*slab{&frontier, &next} {
		if s.sp != nil {
			res.SpilledBytes += s.sp.total
		}
	}
	if o.POR {
		res.POR = &porStats
	}
	if lg != nil {
		if err := res.checkLiveness(o, lg, init, &path, step, func() string { return stopped(true) }); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// addViolation rebuilds the shortest path to the state numbered id (or, for
// a refused op, to its parent plus that op) and records the violation.
func (res *ExploreResult) addViolation(v *ExploreViolation, o ExploreOptions, init *spec.State, paths *paths, id uint32, extra uint8, step func(*spec.State, spec.Op) (spec.Result, error)) {
	if !res.countViolation(v, o) {
		return
	}
	idx := paths.to(id)
	if v.Kind == "refused" {
		idx = append(idx, extra)
	}
	v.moves = len(idx)
	path, final := replay(init, o.Bounds, o.Reduce, idx, step, o.enabled)
	v.Path = path
	v.Final = final
	v.FinalDump = final.Dump()
	res.Violations = append(res.Violations, *v)
}

// DefaultKeepViolations is ExploreOptions.KeepViolations's default.
const DefaultKeepViolations = 10

// countViolation counts v and reports whether the result keeps it.
func (res *ExploreResult) countViolation(v *ExploreViolation, o ExploreOptions) bool {
	if res.ViolationCounts == nil {
		res.ViolationCounts = map[string]int{}
	}
	key := v.Kind + " " + v.Name
	res.ViolationCounts[key]++
	keep := o.KeepViolations
	if keep <= 0 {
		keep = DefaultKeepViolations
	}
	if res.ViolationCounts[key] > keep {
		res.ViolationsDropped++
		return false
	}
	return true
}

// Replay re-runs a path given as indices into the explorer's moves from
// s (spec.Enabled's ops; with spec.ReduceGWrites in red,
// spec.GWritesMoves'), and returns the steps with their state changes and
// the final state. A composite move is replayed part by part, a step
// each; it ends the path where a part throws, is refused or breaks an
// invariant.
func Replay(s *spec.State, b spec.Bounds, red spec.Reduction, idx []uint8, step func(*spec.State, spec.Op) (spec.Result, error)) ([]PathStep, *spec.State) {
	return replay(s, b, red, idx, step, nil)
}

// enabledFunc lists the ops enabled in a state: spec's Enabled, or a
// test's (ExploreOptions.enabled).
type enabledFunc func(*spec.State, spec.Bounds, []spec.Op) []spec.Op

// premiseStates is how many states, breadth first from the initial
// one, the explorer checks the reductions' premises on before it begins.
const premiseStates = 2000

// premiseSample selects the states the explorer checks the reductions'
// premises on as it meets them: those whose fingerprint has none of its
// bits set, one in 1,024, spread over the whole run (a premise can fail
// only at states deeper than the premiseStates checked first).
const premiseSample = 1<<10 - 1

// The reduced states where the explorer checks the ample set's
// independence beyond the state itself, in up to ampleReach states the
// other actors' ops lead to (spec.State.CheckAmple): those numbered below
// ampleFirst (a small bound's every one), and one in ampleSample+1 of the
// rest, chosen by number (the same for any -workers). About 5% of the
// default bound's time.
const (
	ampleFirst  = 1 << 17
	ampleSample = 1<<8 - 1
	ampleReach  = 64
)

// premiseFailed is the error of a run that met, depth steps from the
// initial state, a state (encoded in enc) whose reductions' premise fails
// (why).
func premiseFailed(cfg *spec.Config, enc []byte, depth int, why error) error {
	var s spec.State
	dump := "(the state could not be decoded)"
	if _, err := s.DecodeFrom(cfg, enc); err == nil {
		dump = s.Dump()
	}
	return premiseError(depth, " (met by the search)", why, dump)
}

// premiseError is the error of a run that found the reductions' premise
// failing at a state depth steps from the initial one (why; dump, the
// state).
func premiseError(depth int, where string, why error, dump string) error {
	return fmt.Errorf("explore: the reductions' premise fails on this spec, at a state %d steps from the initial one%s: %v; the reduced exploration would not be the spec's: explore with -reduce \"\" (or without the reduction)\n%s", depth, where, why, dump)
}

// checkReductionPremises checks the premises the reductions red rest on
// (spec.State.CheckReductionPremises: ReduceMs and ReduceAssist) on up to
// max states reachable from init under b, and returns an error naming
// the first that fails. A change to the spec can break a premise (a
// review removed gcStart's reset of the assist credits, and the reduced
// exploration explored the same states as before); the reduced graph is
// then not the spec's.
func checkReductionPremises(init *spec.State, b spec.Bounds, red spec.Reduction, max int) error {
	s, depth, err := init.CheckReductionPremises(b, red, max)
	if err != nil {
		return premiseError(depth, "", err, s.Dump())
	}
	return nil
}

// checkPremise is the explorer's check of the reductions' premise on a
// state it meets (spec's CheckReductionPremise; a variable for the test
// that plants a premise failing deep in the graph).
var checkPremise = (*spec.State).CheckReductionPremise

// checkInvariants is the explorer's check of a state's invariants
// (spec's CheckInvariants; a variable for the tests that judge one
// property under a plant another invariant catches:
// spec.CheckInvariantsExcept).
var checkInvariants = (*spec.State).CheckInvariants

// replay is Replay with the ops listed by enabled (nil: spec's).
func replay(s *spec.State, b spec.Bounds, red spec.Reduction, idx []uint8, step stepFunc, enabled enabledFunc) ([]PathStep, *spec.State) {
	if step == nil {
		step = (*spec.State).Apply
	}
	if enabled == nil {
		enabled = (*spec.State).Enabled
	}
	cur := s.Clone()
	var path []PathStep
	for _, i := range idx {
		ops := enabled(cur, b, nil)
		if red&spec.ReduceGWrites != 0 {
			ops = cur.GWritesMoves(b, ops, nil)
		}
		if int(i) >= len(ops) {
			break
		}
		parts := ops[i].Parts(nil)
		for k, p := range parts {
			before := cur.Clone()
			r, err := step(cur, p)
			ps := PathStep{Op: p, Result: r, Changes: spec.Diff(before, cur)}
			if err != nil {
				ps.Changes = append(ps.Changes, "error: "+err.Error())
			}
			path = append(path, ps)
			if err != nil && k < len(parts)-1 {
				return path, cur
			}
			if k == len(parts)-2 && checkInvariants(cur) != nil {
				// The explorer's check before a composite's exit.
				return path, cur
			}
		}
	}
	return path, cur
}

// taskParentsFor is how many frontier states one task expands. One
// worker takes 2: its rounds (roundTasks tasks) are numbered right after
// they are expanded, and a small round's successors are still in the
// cache then. Several workers take 32: a round is a hand-off between the
// workers and the explorer's goroutine, which a round of 32 states does
// not pay for (two workers ran slower than one); a task's candidates are
// also checked against each other (worker.local), and a larger task
// leaves fewer for the round's lookup to find duplicate. The size does
// not change what the exploration finds: states are numbered, and
// duplicates resolved, in frontier order whatever the cut.
func taskParentsFor(workers int) int {
	if workers == 1 {
		return 2
	}
	return 32
}

const (
	// roundTasks is how many tasks a round holds: the unit the explorer
	// looks up in the fingerprint set and numbers at once.
	roundTasks = 16
)

// expander is what a task's expansion reads of the exploration.
type expander struct {
	cfg      *spec.Config
	bounds   spec.Bounds
	step     stepFunc
	enabled  enabledFunc
	permSeed uint64
	por      bool
	// red is the fingerprint's optional reductions (ExploreOptions.Reduce).
	red spec.Reduction
	// wide: 128-bit fingerprints (ExploreOptions.Wide).
	wide   bool
	fpMask uint64 // ExploreOptions.fpMask
	// gwrites: the moves are spec.GWritesMoves' (spec.ReduceGWrites).
	gwrites bool
	// live: the liveness graph records every edge, so the successors
	// keep their States until the round is numbered, and are looked up
	// (dedupLiveness), checked and encoded (checkNew) after the
	// expansion. Otherwise a successor is looked up in seen soon after
	// it is made (flush), and checked and encoded if it is not there,
	// so that its State can make the next successor.
	live bool
	seen *shardedSet
	// direct: one worker, without liveness: the tasks run one after the
	// other on one goroutine, in frontier order, so a successor is added
	// to seen as soon as it is settled, and is new if it was not there.
	direct bool
	// leaves: the level is at the depth bound (ExploreOptions.Depth):
	// its states are judged as states (how the program ended, progress)
	// and not expanded.
	leaves bool
	// premise: the reductions whose premises (spec.CheckReductionPremise)
	// are checked on the states whose fingerprint has no bit of
	// premiseSample set; 0 for none.
	premise spec.Reduction
}

// task is a unit of work: a slab's per frontier states and their
// successors, with the memory reused from round to round.
type task struct {
	parents []batchParent
	succs   []successor
	enc     []byte // the candidate states without violation, encoded
	err     error  // a frontier decoding error
	// ampleErr: why an ample set the task would follow fails the
	// reduction's condition C1 (spec.State.CheckAmple), at ampleAt.
	ampleErr   error
	ampleAt    *spec.State
	amplePairs int // pairs CheckAmple checked
	// cands lists the candidates (indices into succs, in order).
	cands []int32
	// w is the worker expanding the task, while it does.
	w *worker
	_ [64]byte // (no cache line shared with the next task's hot fields)
}

// worker is the scratch memory of one of the goroutines that expand
// tasks: it stays in that core's cache, whichever tasks it expands.
type worker struct {
	// Without liveness: the State the task's frontier states are decoded
	// into; the successors waiting to be settled (pending, at most
	// settleBatch), with the States they were made in; and the States
	// free to make successors in.
	cur     *spec.State
	pending []pendingSucc
	free    []*spec.State
	sink    uint64 // keeps flush's touches
	// local holds the task's candidates' fingerprints: a successor met
	// before in the task is not new, and is no candidate.
	local localSet
	// holding: flush only when told (the partial-order reduction may
	// take its successors back).
	holding bool
	// Scratch for the partial-order reduction.
	amp    []int
	ampOps []spec.Op
	ampIdx []uint8
	// moves: the G-writes reduction's moves, swapped with a parent's ops;
	// parts, a composite's parts.
	moves []spec.Op
	parts []spec.Op
	// preChecked: the parent's composites whose state before the exit
	// was checked and holds the invariants.
	preChecked preChecked
	_          [64]byte // (no cache line shared with the next worker)
}

type batchParent struct {
	id uint32
	// cur is the decoded state: with liveness the parent's own, kept
	// until the round is numbered; without, the worker's, which the last
	// op steps in place and the next parent overwrites.
	cur *spec.State
	ops []spec.Op
	// idx, when not empty, holds each op's index in Enabled's order: a
	// swarm shard tries the ops in its own order.
	idx   []uint8
	orig  []spec.Op
	first int // index of its first successor in succs
	// terminal is how the program ended in the state (spec.Alive: it
	// runs); with no op enabled and a live program, prog is the
	// progress predicates' verdict on it (nil: they hold).
	terminal spec.Terminal
	prog     *spec.Violation
	// With POR: reduced is how many enabled ops an ample set left out
	// (0: fully expanded); proviso, that an ample set was refused.
	reduced int
	proviso bool
}

// settleBatch is how many successors a task makes before it looks them
// up: their lookups are loads from a table much larger than the cache, and
// a batch overlaps the misses (see flush).
const settleBatch = 16

type pendingSucc struct {
	i       int32 // index in succs
	checked bool  // its invariants are known to hold
	st      *spec.State
}

type successor struct {
	st  *spec.State // with liveness only
	r   spec.Result
	err error
	fp  uint64    // when err == nil
	fp2 uint64    // with ExploreOptions.Wide, the fingerprint's second word
	key branchKey // the coverage key of (keyOp, r)
	// keyOp is the op made: the parent's, or, when a composite's part
	// failed, that part.
	keyOp spec.Op
	// parts: a composite's parts before its exit (spec.Op.Pre), with
	// their results, for the coverage.
	parts  []partStep
	strict bool // liveness: the op succeeded in strict order
	// cand (without liveness): the state was not among those seen
	// before the round, nor earlier in the task, so the round's lookup
	// decides whether it is new; with one worker, it is new.
	cand bool
	// Set by the lookup: the state is new (its first occurrence in BFS
	// order); with liveness, to is its number.
	isNew bool
	to    uint32
	// For a candidate (with liveness, a new state): its invariant
	// violation, or its encoding t.enc[encOff:encEnd].
	viol           *spec.Violation
	encOff, encEnd int
	// premise: why the reductions' premise fails at the candidate (one
	// sampled for the check: expander.premise).
	premise error
}

// expand decodes the frontier states of task number k and applies every
// enabled op to each (with por, the ops of an ample set alone where
// expandAmple allows it).
func (t *task) expand(x *expander, w *worker, frontier *slab, k int) {
	t.w = w
	defer func() { t.w = nil }()
	t.parents = t.parents[:0]
	t.succs = t.succs[:0]
	t.enc = t.enc[:0]
	t.err, t.ampleErr, t.ampleAt, t.amplePairs = nil, nil, nil, 0
	t.cands = t.cands[:0]
	if !x.live {
		if t.w.cur == nil {
			t.w.cur = new(spec.State)
		}
		if !x.direct {
			t.w.local.reset(x.wide)
		}
	}
	n := min(frontier.per, frontier.n-k*frontier.per)
	pos := frontier.marks[k]
	ci := int(pos.chunk)
	if ci >= len(frontier.chunks) || int(pos.off) > len(frontier.chunks[ci]) {
		t.err = fmt.Errorf("task %d starts beyond the level's end", k)
		return
	}
	rest := frontier.chunks[ci][pos.off:]
	for range n {
		if len(rest) == 0 && ci+1 < len(frontier.chunks) {
			ci++
			rest = frontier.chunks[ci]
		}
		if len(rest) < 4 {
			// A chunk read back shorter than it was written.
			t.err = fmt.Errorf("task %d: the level ends within its states", k)
			return
		}
		pa := t.parent(x.live)
		pa.id = binary.LittleEndian.Uint32(rest)
		var err error
		if rest, err = pa.cur.DecodeFrom(x.cfg, rest[4:]); err != nil {
			t.err = err
			return
		}
		pa.ops = x.enabled(pa.cur, x.bounds, pa.ops)
		if x.gwrites {
			t.w.moves = pa.cur.GWritesMoves(x.bounds, pa.ops, t.w.moves)
			pa.ops, t.w.moves = t.w.moves, pa.ops
			t.w.preChecked = t.w.preChecked[:0]
		}
		pa.idx = pa.idx[:0]
		if x.permSeed != 0 && len(pa.ops) > 1 && len(pa.ops) <= 255 {
			pa.permute(x.permSeed)
		}
		pa.first = len(t.succs)
		pa.reduced, pa.proviso = 0, false
		pa.terminal, pa.prog = pa.cur.Sched.Terminal, nil
		if len(pa.ops) == 0 && pa.terminal == spec.Alive {
			// Nothing can move and the program is alive: the
			// progress predicates judge the state.
			pa.prog = pa.cur.CheckProgress()
		}
		if x.leaves {
			continue
		}
		if !x.por || !t.expandAmple(x, pa) {
			for k, op := range pa.ops {
				// Without liveness nothing reads a parent's state
				// after its expansion: the last op steps it in place.
				sc, st := t.apply(x, pa, op, !x.live && k == len(pa.ops)-1)
				t.queue(x, sc, st, false)
			}
		}
	}
	if !x.live {
		t.flush(x)
	}
	if !x.live && !x.direct {
		for i := range t.succs {
			if sc := &t.succs[i]; sc.cand {
				t.cands = append(t.cands, int32(i))
			}
		}
	}
}

// apply appends the successor of pa's state by op and returns it with the
// State it was made in: with liveness its own; otherwise a free one, or,
// inPlace, pa's state itself (the task then decodes the next parent into
// a free one).
func (t *task) apply(x *expander, pa *batchParent, op spec.Op, inPlace bool) (*successor, *spec.State) {
	var sc *successor
	t.succs, sc = extend(t.succs)
	sc.cand, sc.isNew, sc.viol, sc.premise = false, false, nil, nil
	sc.parts = sc.parts[:0]
	var st *spec.State
	switch {
	case x.live:
		if sc.st == nil {
			sc.st = new(spec.State)
		}
		st = sc.st
		st.CopyFrom(pa.cur)
		// The liveness graph's edges are the strict steps; the
		// relaxed ones only reach states.
		strict := op
		strict.Strict = true
		sc.r, sc.err = x.step(st, strict)
		sc.strict = sc.err == nil
		if _, refused := sc.err.(*spec.Disabled); refused {
			st.CopyFrom(pa.cur)
			sc.r, sc.err = x.step(st, op)
		}
	case inPlace && op.Pre == 0 && op.Kind != spec.OpNewproc1:
		st = pa.cur
		t.w.cur = t.freeState()
		sc.r, sc.err = x.step(st, op)
	default:
		st = t.freeState()
		st.CopyFrom(pa.cur)
		if op.Pre != 0 {
			op, sc.r, sc.err = t.applyParts(x, sc, st, op)
			if sc.err != nil {
				break
			}
		}
		sc.r, sc.err = x.step(st, op)
	}
	if sc.err == nil && op.Kind == spec.OpNewproc1 {
		// The one step invariant (a newproc1 made in pa.cur, never
		// stepped in place): no state shows a goid issued twice.
		if v := pa.cur.CheckNewproc1(op, sc.r, st); v != nil {
			sc.err = &partViolation{v}
		}
	}
	sc.key, sc.keyOp = keyOf(op, &sc.r), op
	if sc.err == nil {
		sc.fp, sc.fp2 = fingerprint(st, x.red, x.wide, x.fpMask)
	}
	return sc, st
}

// partStep is a part of a composite op and its result.
type partStep struct {
	key branchKey
	op  spec.Op
	r   spec.Result
}

// partViolation is an invariant broken within a move: by a composite
// op's (spec.ReduceGWrites) writes before its exit (the state after
// them), or the step invariant spec.GoidFresh by a newproc1.
type partViolation struct{ v *spec.Violation }

func (e *partViolation) Error() string { return e.v.Invariant + ": " + e.v.Detail }

// applyParts makes a composite op's writes in st, one part at a time
// with x.step (so that a planted broken write is made as such), records
// them for the coverage, and checks the invariants in the state they
// reach (once per parent, M and Pre value: exit and goexit share it). It
// returns the exit, the op left to make; or the part that failed, with
// its result and error, or the exit with the invariant the writes broke.
func (t *task) applyParts(x *expander, sc *successor, st *spec.State, op spec.Op) (spec.Op, spec.Result, error) {
	t.w.parts = op.Parts(t.w.parts[:0])
	last := t.w.parts[len(t.w.parts)-1]
	for _, p := range t.w.parts[:len(t.w.parts)-1] {
		r, err := x.step(st, p)
		if err != nil {
			// The part that failed is the transition the coverage
			// counts, with its error; the exit never ran.
			return p, r, err
		}
		sc.parts = append(sc.parts, partStep{key: keyOf(p, &r), op: p, r: r})
	}
	if bits, bit := t.w.preChecked.bits(op); *bits&bit == 0 {
		if v := checkInvariants(st); v != nil {
			return last, spec.NewResult(), &partViolation{v}
		}
		*bits |= bit
	}
	return last, spec.Result{}, nil
}

// preChecked holds, for one parent, the composites whose state before
// their last part was checked: the parts made before it (the M and
// Op.Pre) name that state, so an exit and a goexit with the same parts
// share it. Two Ms' composites with the same Pre do not: each M writes
// its own G.
type preChecked []preEntry

type preEntry struct {
	m    int8
	bits [4]uint64 // a bit per Pre value
}

// bits returns the word and bit of op's state before its last part.
func (c *preChecked) bits(op spec.Op) (*uint64, uint64) {
	i := 0
	for i < len(*c) && (*c)[i].m != op.M {
		i++
	}
	if i == len(*c) {
		*c = append(*c, preEntry{m: op.M})
	}
	return &(*c)[i].bits[op.Pre>>6], uint64(1) << (op.Pre & 63)
}

func (t *task) freeState() *spec.State {
	if n := len(t.w.free); n > 0 {
		st := t.w.free[n-1]
		t.w.free = t.w.free[:n-1]
		return st
	}
	return new(spec.State)
}

// queue, without liveness, queues the successor sc, made in st, to be
// settled (checked: its invariants are known to hold), settling the queue
// when it is full; a successor that threw or was refused has nothing to
// settle.
func (t *task) queue(x *expander, sc *successor, st *spec.State, checked bool) {
	if x.live {
		return
	}
	if sc.err != nil {
		t.w.free = append(t.w.free, st)
		return
	}
	t.w.pending = append(t.w.pending, pendingSucc{i: int32(len(t.succs) - 1), checked: checked, st: st})
	if len(t.w.pending) >= settleBatch && !t.w.holding {
		t.flush(x)
	}
}

// flush settles the pending successors. It first loads each one's slot
// in the set (independent loads whose cache misses overlap), then looks
// each up among the states seen before the round: one that is not there
// is a candidate, whose invariants it checks and which it encodes when
// they hold. The round's lookup (shardedSet.dedup) then tells the
// candidates' first occurrences from the rest. Most successors are states
// seen in an earlier round, which cost no more here.
func (t *task) flush(x *expander) {
	for _, p := range t.w.pending {
		t.w.sink += x.seen.touch(t.succs[p.i].fp)
	}
	for _, p := range t.w.pending {
		sc := &t.succs[p.i]
		var cand bool
		if x.direct {
			sc.isNew = x.seen.add(sc.fp, sc.fp2)
			cand = sc.isNew
		} else {
			cand = !x.seen.contains(sc.fp, sc.fp2) && t.w.local.add(sc.fp, sc.fp2)
		}
		if cand {
			sc.cand = true
			if !p.checked {
				sc.viol = checkInvariants(p.st)
			}
			if sc.viol == nil && x.premise != 0 && sc.fp&premiseSample == 0 {
				sc.premise = checkPremise(p.st, x.bounds, x.premise, nil)
			}
			if sc.viol == nil {
				sc.encOff = len(t.enc)
				t.enc = p.st.AppendBinary(t.enc)
				sc.encEnd = len(t.enc)
			}
		}
		t.w.free = append(t.w.free, p.st)
	}
	clear(t.w.pending) // (the States are in free)
	t.w.pending = t.w.pending[:0]
}

// localSet is a small set of fingerprints (open addressing, grown at a
// load factor of 1/2); fingerprint 0 is never in it. With 128-bit
// fingerprints (wide) each slot's second word is in hi, and two that share
// the first word are both kept.
type localSet struct {
	slots, hi []uint64 // hi: nil unless wide
	n         int
}

// reset empties the set, for 128-bit fingerprints when wide.
func (l *localSet) reset(wide bool) {
	if l.slots == nil {
		l.slots = make([]uint64, 256)
	}
	clear(l.slots)
	switch {
	case !wide:
		l.hi = nil
	case len(l.hi) != len(l.slots):
		l.hi = make([]uint64, len(l.slots))
	}
	l.n = 0
}

// add inserts (fp, hi) and reports whether it was not in the set (always,
// for fp 0); hi is ignored unless the set is wide.
func (l *localSet) add(fp, hi uint64) bool {
	if fp == 0 {
		return true
	}
	if 2*(l.n+1) > len(l.slots) {
		old, oldHi := l.slots, l.hi
		l.slots = make([]uint64, 2*len(old))
		if oldHi != nil {
			l.hi = make([]uint64, 2*len(old))
		}
		l.n = 0
		for k, f := range old {
			if f != 0 {
				var h uint64
				if oldHi != nil {
					h = oldHi[k]
				}
				l.add(f, h)
			}
		}
	}
	mask := uint64(len(l.slots) - 1)
	for i := (fp * 0x9E3779B97F4A7C15) >> 40 & mask; ; i = (i + 1) & mask {
		switch l.slots[i] {
		case fp:
			if l.hi == nil || l.hi[i] == hi {
				return false
			}
		case 0:
			l.slots[i] = fp
			if l.hi != nil {
				l.hi[i] = hi
			}
			l.n++
			return true
		}
	}
}

// expandAmple is the partial-order reduction of one state: when
// spec.Ample finds an ample set smaller than the enabled ops, it applies
// the ample ops alone and keeps them as the state's ops, unless an ample
// op is visible from this state or the cycle proviso refuses. Visible: it
// throws or its successor breaks an invariant (the ample ops of the spec
// are invisible, spec.Private, but a planted fault can make them visible,
// and a state that leads to a violation is then expanded fully, so that
// the violations its other ops lead to are found too). The proviso
// refuses when a successor's spec.AmpleRank is not below the state's. It
// reports whether it expanded the state; if not, the caller applies
// every enabled op.
//
// The proviso makes the ample-set condition C3 hold: every cycle of the
// reduced graph has a fully expanded state. The rank is a natural number
// that every edge out of a reduced state lowers, so a cycle of reduced
// states would lower it forever. (The dynamic BFS proviso, "expand fully
// when an ample successor was found before the current level began",
// also makes C3 hold, but on this spec it refused nearly every ample set:
// the state after acquirep is most often reached by a shorter path in
// which the M took its P before the other actors moved. See POR.md.)
func (t *task) expandAmple(x *expander, pa *batchParent) bool {
	n := len(pa.ops)
	if n < 2 || n > 255 {
		return false
	}
	t.w.amp = pa.cur.Ample(pa.ops, t.w.amp)
	if len(t.w.amp) == 0 || len(t.w.amp) == n {
		return false
	}
	rank := pa.cur.AmpleRank()
	// Settle the successors of the states before, so that a refusal
	// takes back this state's alone.
	if !x.live {
		t.flush(x)
	}
	enc := len(t.enc)
	t.w.holding = true
	defer func() { t.w.holding = false }()
	for _, j := range t.w.amp {
		sc, st := t.apply(x, pa, pa.ops[j], false)
		if sc.err != nil || st.AmpleRank() >= rank || checkInvariants(st) != nil {
			if !x.live {
				t.w.free = append(t.w.free, st)
				for _, p := range t.w.pending {
					t.w.free = append(t.w.free, p.st)
				}
				clear(t.w.pending)
				t.w.pending = t.w.pending[:0]
			}
			t.succs = t.succs[:pa.first]
			t.enc = t.enc[:enc]
			pa.proviso = true
			return false
		}
		t.queue(x, sc, st, true)
	}
	// The reduction is sound only while the ample ops commute with
	// every other actor's (spec.Private's argument from the spec's
	// transitions); check it here, on every state reduced, and on one in
	// ampleSample also in the states the other actors can reach first
	// (where a dependent op would hide), so that a change to the spec
	// that breaks it stops the run instead of silently leaving its
	// states out.
	reach := 1
	if pa.id < ampleFirst || mix64(uint64(pa.id))&ampleSample == 0 {
		reach = ampleReach
	}
	pairs, err := pa.cur.CheckAmple(x.bounds, pa.ops, t.w.amp, reach, x.step, x.enabled)
	t.amplePairs += pairs
	if err != nil && t.ampleErr == nil {
		t.ampleErr, t.ampleAt = err, pa.cur.Clone()
	}
	// Keep the ample ops, each with its index in Enabled's order (the
	// path encoding), through the shard's permutation if there is one.
	t.w.ampOps, t.w.ampIdx = t.w.ampOps[:0], t.w.ampIdx[:0]
	for _, j := range t.w.amp {
		t.w.ampOps = append(t.w.ampOps, pa.ops[j])
		if len(pa.idx) > 0 {
			t.w.ampIdx = append(t.w.ampIdx, pa.idx[j])
		} else {
			t.w.ampIdx = append(t.w.ampIdx, uint8(j))
		}
	}
	pa.reduced = n - len(t.w.amp)
	pa.ops = append(pa.ops[:0], t.w.ampOps...)
	pa.idx = append(pa.idx[:0], t.w.ampIdx...)
	return true
}

// permute reorders the parent's ops by a permutation derived from seed and
// its number, and records their indices in Enabled's order.
func (pa *batchParent) permute(seed uint64) {
	n := len(pa.ops)
	for i := range n {
		pa.idx = append(pa.idx, uint8(i))
	}
	x := mix64(seed ^ uint64(pa.id)*0x9e3779b97f4a7c15)
	for i := n - 1; i > 0; i-- {
		x = mix64(x + 0x9e3779b97f4a7c15)
		j := int(x % uint64(i+1))
		pa.idx[i], pa.idx[j] = pa.idx[j], pa.idx[i]
	}
	pa.orig = append(pa.orig[:0], pa.ops...)
	for i, j := range pa.idx {
		pa.ops[i] = pa.orig[j]
	}
}

// checkNew, with liveness, checks the invariants of the task's new states
// and encodes those that hold them.
func (t *task) checkNew() {
	t.enc = t.enc[:0]
	for i := range t.succs {
		sc := &t.succs[i]
		if !sc.isNew {
			continue
		}
		if sc.viol = checkInvariants(sc.st); sc.viol != nil {
			continue
		}
		sc.encOff = len(t.enc)
		t.enc = sc.st.AppendBinary(t.enc)
		sc.encEnd = len(t.enc)
	}
}

// dedupLiveness looks a round's successors up in the liveness graph's
// state-number map, numbering the new ones from id as the explorer will.
func dedupLiveness(lg *livenessGraph, ts []task, id uint32) {
	for ti := range ts {
		for i := range ts[ti].succs {
			if sc := &ts[ti].succs[i]; sc.err == nil {
				lg.ids.touch(sc.fp)
			}
		}
	}
	for ti := range ts {
		for i := range ts[ti].succs {
			sc := &ts[ti].succs[i]
			if sc.err != nil {
				if _, refused := sc.err.(*spec.Disabled); !refused {
					id++ // a throw is numbered
				}
				continue
			}
			sc.to, sc.isNew = lg.ids.insert(sc.fp, id)
			if sc.isNew {
				id++
			}
		}
	}
}

// parent appends a parent: with liveness with its own State, otherwise
// with the task's.
func (t *task) parent(live bool) *batchParent {
	var p *batchParent
	t.parents, p = extend(t.parents)
	switch {
	case !live:
		p.cur = t.w.cur
	case p.cur == nil:
		p.cur = new(spec.State)
	}
	return p
}

// extend grows l by one element, reusing the one left past its length by
// an earlier reset (and the State it holds), and returns it.
func extend[T any](l []T) ([]T, *T) {
	if len(l) == cap(l) {
		var zero T
		l = append(l, zero)
	} else {
		l = l[:len(l)+1]
	}
	return l, &l[len(l)-1]
}

// slab holds encoded states in chunks, so that growing it never copies,
// and where every per-th state starts (a task's first).
type slab struct {
	per    int // states a task expands (taskParentsFor)
	chunks [][]byte
	spare  [][]byte
	marks  []slabPos
	n      int // states
	bytes  int // encoded bytes, in memory or spilled
	chunk  int // a chunk's capacity (0: chunkSize)
	// sp, when set, writes the chunks beyond its memory bound to disk
	// and maps them back for reading (spill.go).
	sp *spiller
}

type slabPos struct{ chunk, off int32 }

const chunkSize = 1 << 20

// appendEncoded appends state number id, encoded as enc.
func (s *slab) appendEncoded(id uint32, enc []byte) {
	need := 4 + len(enc)
	n := len(s.chunks)
	if n == 0 || cap(s.chunks[n-1])-len(s.chunks[n-1]) < need {
		var c []byte
		if n > 0 && s.sp != nil {
			if full := s.chunks[n-1]; s.sp.spillFull(s, full) && cap(full) >= need {
				c = full[:0] // written out: its buffer holds the next chunk
				s.sp.inMem += cap(c)
			}
		}
		if c == nil {
			if k := len(s.spare); k > 0 && cap(s.spare[k-1]) >= need {
				c, s.spare = s.spare[k-1][:0], s.spare[:k-1]
			} else {
				size := s.chunk
				if size == 0 {
					size = chunkSize
				}
				c = make([]byte, 0, max(size, need))
			}
			if s.sp != nil {
				s.sp.inMem += cap(c)
			}
		}
		s.chunks = append(s.chunks, c)
		n++
	}
	if s.n%s.per == 0 {
		s.marks = append(s.marks, slabPos{int32(n - 1), int32(len(s.chunks[n-1]))})
	}
	s.n++
	s.bytes += need
	c := binary.LittleEndian.AppendUint32(s.chunks[n-1], id)
	s.chunks[n-1] = append(c, enc...)
}

// tasks is the number of tasks the slab's states make.
func (s *slab) tasks() int { return (s.n + s.per - 1) / s.per }

func (s *slab) reset() {
	if s.sp != nil {
		s.sp.reset(s) // the spilled chunks are slices of a mapping
	}
	for _, c := range s.chunks {
		if c != nil {
			s.spare = append(s.spare, c)
		}
	}
	clear(s.chunks)
	s.chunks = s.chunks[:0]
	s.marks = s.marks[:0]
	s.n, s.bytes = 0, 0
}

// seal makes a complete slab readable: its spilled chunks are mapped.
func (s *slab) seal() error {
	if s.sp == nil {
		return nil
	}
	return s.sp.seal(s)
}

// done tells the slab that tasks before task k are expanded and numbered,
// so the spilled chunks before task k's can leave memory.
func (s *slab) done(k int) {
	if s.sp != nil && k < len(s.marks) {
		s.sp.drop(s, int(s.marks[k].chunk))
	}
}

func (s *slab) size() int { return s.bytes }

func (o *ExploreOptions) bitstateK() int {
	if o.BitstateK == 0 {
		return 3
	}
	return o.BitstateK
}

func (o *ExploreOptions) checkBitstate() error {
	switch {
	case o.Bitstate < 12 || o.Bitstate > 40:
		return fmt.Errorf("explore: bitstate: the array's size must be 2^12 to 2^40 bits, have 2^%d", o.Bitstate)
	case o.BitstateK < 0 || o.BitstateK > 16:
		return fmt.Errorf("explore: bitstate: k must be in [1, 16], have %d", o.BitstateK)
	case o.Liveness:
		return fmt.Errorf("explore: liveness needs the exact state graph: not with bitstate")
	case o.Shards < 0 || o.Shards > 0 && (o.Shard < 0 || o.Shard >= o.Shards):
		return fmt.Errorf("explore: shard %d of %d: want 0 <= shard < shards", o.Shard, o.Shards)
	}
	return nil
}

// fingerprint is st's fingerprint for the set: its first word, and with
// wide its second (0 otherwise); mask, when not 0, is ANDed into the first
// (tests).
func fingerprint(st *spec.State, red spec.Reduction, wide bool, mask uint64) (lo, hi uint64) {
	if wide {
		lo, hi = st.FingerprintWide(red)
	} else {
		lo = st.FingerprintReduced(red)
	}
	if mask != 0 {
		lo &= mask
	}
	return lo, hi
}

// orbitCollisionFactor is what spec.ReducePs multiplies the collision
// bound by: a state's fingerprint is the least of up to k = Ps! hashes
// (one per order of its Ps), and two minima of k independent uniform
// hashes meet about k*k/(2k-1) times as often as two hashes: 1.33 at
// 2 Ps, 3.27 at 3, 12.3 at 4. 1 without it.
func orbitCollisionFactor(o ExploreOptions) float64 {
	n := o.Config.Ps
	if o.Reduce&spec.ReducePs == 0 || n < 2 || n > spec.MaxSymPs {
		return 1
	}
	k := 1.0
	for i := 2; i <= n; i++ {
		k *= float64(i)
	}
	return k * k / (2*k - 1)
}

// fingerprintCollision is ExploreResult.FingerprintCollision for n
// stored states: a union bound over the n(n-1)/2 pairs, each sharing a
// uniformly random 64-bit fingerprint with probability 2^-64 (with wide,
// a 128-bit one, 2^-128).
func fingerprintCollision(n int, wide bool) float64 {
	f, bits := float64(n), -64
	if wide {
		bits = -128
	}
	return min(1, f*(f-1)/2*math.Ldexp(1, bits))
}

func newBitstateStats(o ExploreOptions, arrayBytes, stored int, seed uint64) *BitstateStats {
	bits := math.Ldexp(1, o.Bitstate)
	k := float64(o.bitstateK())
	omission := func(n float64) float64 { return math.Pow(1-math.Exp(-k*n/bits), k) }
	// The mean of 1 - omission(n) for n from 0 to stored, by the
	// midpoint rule on 64 steps.
	cov := 1.0
	if stored > 0 {
		sum := 0.0
		for i := range 64 {
			sum += 1 - omission((float64(i)+0.5)/64*float64(stored))
		}
		cov = sum / 64
	}
	return &BitstateStats{PartialSearch: true, Bits: o.Bitstate, ArrayBytes: arrayBytes, K: int(k), Stored: stored,
		HashFactor: bits / float64(max(stored, 1)), Omission: omission(float64(stored)), ExpectedCoverage: cov,
		Seed: seed, Shard: o.Shard, Shards: o.Shards}
}
