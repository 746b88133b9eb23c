package checker

import (
	"context"
	"encoding/binary"
	"fmt"
	"runtime/debug"
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
	// StopAtFirst stops at the first violation (its path is the shortest).
	StopAtFirst bool
	// Step replaces spec's Apply; tests use it to plant a broken
	// transition. nil: (*spec.State).Apply.
	Step func(s *spec.State, op spec.Op) (spec.Result, error)
	// Progress, when set, is called about once a second.
	Progress func(p ExploreProgress)
	// Liveness records the state graph and, once the space is exhausted,
	// checks LivenessProperties on it under the fairness conditions
	// (FairnessConditions): see liveness.go. The exploration is the same
	// (states, transitions, violations). It needs Depth 0, at most 8 Ms,
	// 8 Ps and a bound of 8 Gs.
	Liveness bool
	// Unfair lists fairness conditions the liveness check does not
	// assume; tests use it to show that each one is needed.
	Unfair Fairness
}

// ExploreProgress is a progress report of a running exploration.
type ExploreProgress struct {
	States, Transitions, Depth, Frontier int
	Elapsed                              time.Duration
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
}

// ExploreResult is the outcome of an exploration.
type ExploreResult struct {
	States         int                `json:"states"`
	Transitions    int                `json:"transitions"`
	MaxDepth       int                `json:"maxDepth"`
	Complete       bool               `json:"complete"` // every reachable state within the bounds was explored
	Violations     []ExploreViolation `json:"violations"`
	Seconds        float64            `json:"seconds"`
	BytesPerState  float64            `json:"bytesPerState"`       // PeakBytes / States: everything resident, frontier included
	StoredPerState float64            `json:"storedBytesPerState"` // the fingerprint set and the path arrays only
	PeakBytes      uint64             `json:"peakBytes"`           // the largest resident set size seen (sampled)
	StatesPerSec   float64            `json:"statesPerSecond"`
	Terminal       map[string]int     `json:"terminal"`  // terminal states by how the program ended
	Deadlocks      int                `json:"deadlocks"` // states with no enabled op and a live program
	Coverage       map[string]int     `json:"coverage"`  // transitions per op and branch
	NeverReached   []string           `json:"neverReached"`
	FrontierBytes  int                `json:"peakFrontierBytes"`   // the largest BFS level, encoded
	StoppedBy      string             `json:"stoppedBy,omitempty"` // "", "depth", "max-states", "max-memory", "canceled"
	// Liveness is the verdict on each of LivenessProperties, with
	// ExploreOptions.Liveness.
	Liveness      []LivenessResult `json:"liveness,omitempty"`
	LivenessStats *LivenessStats   `json:"livenessStats,omitempty"`
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
// With o.Liveness it also records the state graph (a state-number map in
// place of the set, and every state's strict out-edges) and checks the
// liveness properties on it once the space is exhausted (liveness.go).
func Explore(ctx context.Context, o ExploreOptions) (*ExploreResult, error) {
	init, err := spec.New(o.Config)
	if err != nil {
		return nil, err
	}
	step := o.Step
	if step == nil {
		step = (*spec.State).Apply
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
	start := time.Now()
	res := &ExploreResult{Terminal: map[string]int{}, Coverage: map[string]int{}}
	var seen *fpSet
	if lg != nil {
		lg.ids.insert(init.Fingerprint(), 0)
		lg.addState(0, init)
	} else {
		seen = newFPSet(1 << 16)
		seen.add(init.Fingerprint())
	}
	parent := []uint32{0}
	opIdx := []uint8{0}
	res.States = 1
	if v := init.CheckInvariants(); v != nil {
		res.Violations = append(res.Violations, ExploreViolation{Kind: "invariant", Name: v.Invariant, Source: v.Source, Detail: v.Detail, Final: init})
	}
	// The frontier is a slab of encoded states, each preceded by its
	// number: no per-state allocation, a fraction of a State's size.
	var frontier, next slab
	frontier.append(0, init)
	nFrontier := 1
	nNext := 0
	cov := NewCoverage()
	var b batch
	depth := 0
	lastProgress := time.Now()
	stop := ""
	peakFrontier := 0
	peakRSS := residentBytes()
loop:
	for nFrontier > 0 {
		if o.Depth > 0 && depth >= o.Depth {
			stop = "depth"
			break
		}
		next.reset()
		nNext = 0
		for ci, rest := 0, []byte(nil); ; {
			// Phase 1: expand a batch of frontier states (decode, apply
			// every enabled op, fingerprint), then touch the fingerprint
			// set's slots for all the successors at once, so that their
			// cache misses overlap instead of coming one at a time.
			b.reset()
			for len(b.parents) < batchParents {
				if len(rest) == 0 {
					if ci == len(frontier.chunks) {
						break
					}
					rest = frontier.chunks[ci]
					ci++
					continue
				}
				pa := b.parent()
				pa.id = binary.LittleEndian.Uint32(rest)
				var err error
				if rest, err = pa.cur.DecodeFrom(init.Cfg, rest[4:]); err != nil {
					return nil, fmt.Errorf("explore: frontier: %v", err)
				}
				pa.ops = pa.cur.Enabled(o.Bounds, pa.ops)
				pa.first = len(b.succs)
				for _, op := range pa.ops {
					sc := b.succ()
					sc.st.CopyFrom(pa.cur)
					if lg != nil {
						// The liveness graph's edges are the strict
						// steps; the relaxed ones only reach states.
						op.Strict = true
						sc.r, sc.err = step(sc.st, op)
						sc.strict = sc.err == nil
						if _, refused := sc.err.(*spec.Disabled); refused {
							op.Strict = false
							sc.st.CopyFrom(pa.cur)
							sc.r, sc.err = step(sc.st, op)
						}
					} else {
						sc.r, sc.err = step(sc.st, op)
					}
					if sc.err == nil {
						sc.fp = sc.st.Fingerprint()
					}
				}
			}
			if len(b.parents) == 0 {
				break
			}
			for i := range b.succs {
				if b.succs[i].err == nil {
					if lg != nil {
						lg.ids.touch(b.succs[i].fp)
					} else {
						seen.touch(b.succs[i].fp)
					}
				}
			}
			// Phase 2: the successors in order, as one state at a time.
			for pi := range b.parents {
				pa := &b.parents[pi]
				ndID, ops := pa.id, pa.ops
				if lg != nil {
					if err := lg.beginState(ndID, pa.cur); err != nil {
						return nil, err
					}
				}
				if len(ops) == 0 {
					if t := pa.cur.Sched.Terminal; t != spec.Alive {
						res.Terminal[t.String()]++
					} else {
						res.Deadlocks++
						// Nothing can move and the program is alive:
						// the progress predicates judge the state.
						if pv := pa.cur.CheckProgress(); pv != nil {
							v := ExploreViolation{Kind: "progress", Name: pv.Invariant, Source: pv.Source, Detail: pv.Detail}
							res.addViolation(&v, o, init, parent, opIdx, ndID, 0, step)
							if o.StopAtFirst {
								break loop
							}
						}
					}
				}
				if len(ops) > 255 {
					return nil, fmt.Errorf("explore: %d ops enabled in one state; the path encoding holds 255", len(ops))
				}
				for i, op := range ops {
					sc := &b.succs[pa.first+i]
					r, err := sc.r, sc.err
					res.Transitions++
					if _, refused := err.(*spec.Disabled); refused {
						v := ExploreViolation{Kind: "refused", Name: "enabled op refused", Detail: err.Error()}
						res.addViolation(&v, o, init, parent, opIdx, ndID, uint8(i), step)
						if o.StopAtFirst {
							break loop
						}
						continue
					}
					cov.Add(op, r)
					if err != nil {
						// A reachable throw is a violation, whether or
						// not the partial state was seen before.
						id := uint32(len(parent))
						parent = append(parent, ndID)
						opIdx = append(opIdx, uint8(i))
						v := ExploreViolation{Kind: "throw", Name: err.Error(), Detail: err.Error()}
						if t, ok := err.(*spec.Throw); ok {
							v.Name, v.Source = t.Msg, t.Func
						}
						res.addViolation(&v, o, init, parent, opIdx, id, 0, step)
						if o.StopAtFirst {
							break loop
						}
						continue
					}
					id := uint32(len(parent))
					if lg != nil {
						to, isNew := lg.ids.insert(sc.fp, id)
						if sc.strict {
							lg.addEdge(to, op, pa.cur, sc.st)
						}
						if !isNew {
							continue
						}
						lg.addState(id, sc.st)
					} else if !seen.add(sc.fp) {
						continue
					}
					parent = append(parent, ndID)
					opIdx = append(opIdx, uint8(i))
					res.States++
					if viol := sc.st.CheckInvariants(); viol != nil {
						v := ExploreViolation{Kind: "invariant", Name: viol.Invariant, Source: viol.Source, Detail: viol.Detail}
						res.addViolation(&v, o, init, parent, opIdx, id, 0, step)
						if o.StopAtFirst {
							break loop
						}
						continue
					}
					next.append(id, sc.st)
					nNext++
					if o.MaxStates > 0 && res.States >= o.MaxStates {
						stop = "max-states"
						break loop
					}
				}
				if res.Transitions&0x3fff == 0 {
					if err := ctx.Err(); err != nil {
						stop = "canceled"
						break loop
					}
					rss := residentBytes()
					peakRSS = max(peakRSS, rss)
					if o.MaxMemory > 0 && rss > o.MaxMemory {
						stop = "max-memory"
						break loop
					}
					if o.Progress != nil && time.Since(lastProgress) >= time.Second {
						lastProgress = time.Now()
						o.Progress(ExploreProgress{States: res.States, Transitions: res.Transitions, Depth: depth, Frontier: nFrontier + nNext, Elapsed: time.Since(start)})
					}
				}
			}
		}
		peakFrontier = max(peakFrontier, next.size())
		frontier, next = next, frontier
		nFrontier = nNext
		if nFrontier > 0 {
			depth++
		}
	}
	res.MaxDepth = depth
	res.StoppedBy = stop
	res.Complete = stop == ""
	res.Seconds = time.Since(start).Seconds()
	if res.Seconds > 0 {
		res.StatesPerSec = float64(res.States) / res.Seconds
	}
	var stored int
	if lg != nil {
		stored = lg.ids.bytes() + 4*cap(parent) + cap(opIdx)
	} else {
		stored = seen.bytes() + 4*cap(parent) + cap(opIdx)
	}
	res.StoredPerState = float64(stored) / float64(res.States)
	res.PeakBytes = max(peakRSS, residentBytes())
	res.BytesPerState = float64(res.PeakBytes) / float64(res.States)
	res.Coverage = cov.Counts()
	res.NeverReached = NeverReached(res.Coverage)
	sort.Strings(res.NeverReached)
	res.FrontierBytes = peakFrontier
	if lg != nil {
		if err := res.checkLiveness(o, lg, init, parent, opIdx, step); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// addViolation rebuilds the shortest path to the state numbered id (or, for
// a refused op, to its parent plus that op) and records the violation.
func (res *ExploreResult) addViolation(v *ExploreViolation, o ExploreOptions, init *spec.State, parent []uint32, opIdx []uint8, id uint32, extra uint8, step func(*spec.State, spec.Op) (spec.Result, error)) {
	var idx []uint8
	for n := id; n != 0; n = parent[n] {
		idx = append(idx, opIdx[n])
	}
	for i, j := 0, len(idx)-1; i < j; i, j = i+1, j-1 {
		idx[i], idx[j] = idx[j], idx[i]
	}
	if v.Kind == "refused" {
		idx = append(idx, extra)
	}
	path, final := Replay(init, o.Bounds, idx, step)
	v.Path = path
	v.Final = final
	v.FinalDump = final.Dump()
	res.Violations = append(res.Violations, *v)
}

// Replay re-runs a path given as indices into spec.Enabled from s, and
// returns the steps with their state changes and the final state.
func Replay(s *spec.State, b spec.Bounds, idx []uint8, step func(*spec.State, spec.Op) (spec.Result, error)) ([]PathStep, *spec.State) {
	if step == nil {
		step = (*spec.State).Apply
	}
	cur := s.Clone()
	var path []PathStep
	for _, i := range idx {
		ops := cur.Enabled(b, nil)
		if int(i) >= len(ops) {
			break
		}
		before := cur.Clone()
		r, err := step(cur, ops[i])
		ps := PathStep{Op: ops[i], Result: r, Changes: spec.Diff(before, cur)}
		if err != nil {
			ps.Changes = append(ps.Changes, "error: "+err.Error())
		}
		path = append(path, ps)
	}
	return path, cur
}

// batchParents is how many frontier states Explore expands before it looks
// their successors up in the fingerprint set.
const batchParents = 16

// batch is a batch of frontier states and their successors, with the
// states' memory reused from batch to batch.
type batch struct {
	parents []batchParent
	succs   []successor
}

type batchParent struct {
	id    uint32
	cur   *spec.State
	ops   []spec.Op
	first int // index of its first successor in succs
}

type successor struct {
	st     *spec.State
	r      spec.Result
	err    error
	fp     uint64 // when err == nil
	strict bool   // liveness: the op succeeded in strict order
}

func (b *batch) reset() {
	b.parents = b.parents[:0]
	b.succs = b.succs[:0]
}

func (b *batch) parent() *batchParent {
	var p *batchParent
	b.parents, p = extend(b.parents)
	if p.cur == nil {
		p.cur = new(spec.State)
	}
	return p
}

func (b *batch) succ() *successor {
	var sc *successor
	b.succs, sc = extend(b.succs)
	if sc.st == nil {
		sc.st = new(spec.State)
	}
	return sc
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

// slab holds encoded states in chunks, so that growing it never copies.
type slab struct {
	chunks [][]byte
	spare  [][]byte
}

const chunkSize = 1 << 20

func (s *slab) append(id uint32, st *spec.State) {
	n := len(s.chunks)
	if n == 0 || cap(s.chunks[n-1])-len(s.chunks[n-1]) < 4096 {
		var c []byte
		if k := len(s.spare); k > 0 {
			c, s.spare = s.spare[k-1][:0], s.spare[:k-1]
		} else {
			c = make([]byte, 0, chunkSize)
		}
		s.chunks = append(s.chunks, c)
		n++
	}
	c := binary.LittleEndian.AppendUint32(s.chunks[n-1], id)
	s.chunks[n-1] = st.AppendBinary(c)
}

func (s *slab) reset() {
	s.spare = append(s.spare, s.chunks...)
	s.chunks = s.chunks[:0]
}

func (s *slab) size() int {
	n := 0
	for _, c := range s.chunks {
		n += len(c)
	}
	return n
}
