package rtcheck

// The run-queue judge: the real runtime's run-queue records checked
// against the spec's run-queue sub-machine (spec/runqs.go).
//
// # What is judged, and in which order
//
// The global queue (sched.runq) is only touched under sched.lock, and its
// records are reserved under the lock: their order is exact, so they are
// replayed in order through the spec's globrunq* functions (as the free
// lists are), every result compared with the record (which G, how many,
// the size after).
//
// The per-P queues (runnext and the 256-slot ring) are lock-free: the
// owner puts and gets while thieves grab. Each lock-free record carries
// its entry stamp E and exit stamp I (record.go): A finished before B
// began iff A.I < B.E. On the time scale used here a lock-free operation
// is the closed interval [2E-1, 2I] and a locked one the point 2I, so
// "A.ret < B.call" is exactly "A finished before B began" (porcupine's
// closed intervals). Every runtime function is split into the atomic
// steps the spec's sub-machine names (runqput: the CAS on runnext, then
// the store of the tail or runqputslow's take; runqsteal: the grab on the
// victim, then the publish on the thief), each an operation of its own;
// the runnext G that runqput kicked is held by the owner between its two
// steps (the "hand" of the projected state), which forces their order.
//
// # Splitting the history: one object per P (locality)
//
// A history is linearizable iff the sub-history of each object is, when
// every operation touches one object and the objects' sequential
// specifications are independent (Herlihy and Wing's locality). After the
// split above every operation touches one P's queues or the global queue,
// and the spec's functions for one P read and write that P alone. What
// couples the objects is data: a steal publishes on the thief the Gs it
// grabbed from the victim; runqputslow moves half its ring to the global
// queue; runqputbatch puts what globrunqgetbatch took. The records give
// those values without any linearization: a ring operation records its
// position (the runtime's runqhead or runqtail, which count every G ever
// put on that P), positions are written only by the owner, in order, and
// a slot's content is what its producer wrote. So the decoding pass names
// every value by where it came from (a slot of a ring, a G of a record, or
// a G no record names: the batches injectglist and schedEnableUser queue)
// and resolves them afterwards; a G read from a position no record wrote
// is "a G got that was never put". With the values fixed, each P's
// sub-history is checked on its own, which is sound and complete by
// locality: a long operation (an M descheduled inside runqgrab's 3µs
// sleep, or between a CAS and its record) stretches only its own P's
// history, not everyone's.
//
// # Cutting a P's history into segments
//
// Within one P, the positions order the consumers (runqget from the ring,
// runqgrab, runqputslow: each takes the head at its recorded position, so
// in any order the spec allows they are sorted by position), and a
// consumer follows the producer of the last position it takes. These
// orders are implied by the model (its state carries the head and tail
// positions and every operation checks them), so tightening intervals by
// them (a consumer's call rises to its predecessors', a producer's return
// falls to its consumers') removes no legal linearization and admits no
// new one. The operations are then cut at quiescent points (no operation
// spans the cut: every operation before it returned before every one after
// it was called), so every linearization orders the segments as they come.
// A segment of one operation is applied directly; a segment of overlapping
// operations is checked by porcupine (a model whose Step clones the
// projected state, applies the spec's function and compares the result
// with the record).
//
// Carrying the state across a cut needs the state at the cut to be the
// same whichever linearization of the segment is taken. It is: the ring
// holds the values of positions [head, tail), and head and tail are the
// largest positions consumed and produced, the same in every order;
// runnext is set only by the owner's CASes, which are ordered, and each
// CAS's record names the G it displaced, which pins runnext's value just
// before it; after the last one it holds that CAS's G unless a removal
// naming that G (runqget, runqgrab: they name the G they took) comes
// later, and whether it does is pinned the same way by the next CAS or is
// the same in every order; the hand is empty at a cut (its two steps lie
// in one record's interval, or in overlapping ones). So the state
// porcupine's linearization ends in is the only one, and a later failure
// is a failure of every linearization. (Carrying any one reachable state
// could never make a non-linearizable history pass: a pass exhibits a
// whole linearization.)
//
// runqgrab finding nothing changes nothing: it is a read-only operation,
// legal where the victim's ring is empty. It is kept out of the segments
// (a thief sleeping in runqgrab would otherwise glue thousands of the
// owner's operations into one segment) and placed afterwards: at a cut
// whose (unique) state has an empty ring and which its interval allows,
// or, failing that, inside an overlapping segment, by checking that
// segment again with it. Only when no cut and no segment can take it is it
// a violation.
//
// # The end of the history
//
// An operation whose M was still between its effect and its record when
// the process exited leaves no record, and the records after its effect
// may then disagree with the spec for that reason alone. A failure whose
// first record lies in the last records of the history (twice the longest
// operation seen, at least 4096 records) is therefore reported unknown,
// not a violation. Every other failure is a violation, and a check that
// runs out of its time budget is unknown, never ok.
//
// # Limits
//
//   - The Gs no record names (injectglist's and schedEnableUser's batches
//     past their head, runqdrain's batch past its first G) are unnamed:
//     they are counted and moved like the others but match any G when
//     they are taken.
//   - runqgrab finding nothing is judged by the ring alone: runqgrab reads
//     runnext after the ring, so the owner may take runnext in between
//     (spec RunqGrabNext, RunqGrabSize).
//   - runqdrain is one operation, although its CASes on runnext and on
//     runqhead are two steps; a steal between them would be refused. (It
//     runs only when a dedicated mark worker is preempted; -run all has
//     not seen it.)
//   - The race detector's randomizeScheduler (runqput dropping next at
//     random, runqputslow and runqputbatch shuffling) is not modelled.
//   - Ring positions are the runtime's uint32 counters; a P that puts 2^32
//     Gs in one process wraps them, which is not handled.

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/gexit-dev/gexit/spec"
)

// RunqBudget bounds the time the run-queue check of one process's records
// may take (in SpecJudge, from the start of its passes over the records,
// which the free-list and idle-list judges share); a check that needs
// more is unknown.
var RunqBudget = 2 * time.Minute

// runqEndWindowMin is the least number of records at the end of a history
// where a failure is unknown rather than a violation.
const runqEndWindowMin = 4096

// judgeRunQueues judges the run-queue records of f by the spec and returns
// the problems found (none: the history is linearizable, or the check
// could not tell; runqCheck says which).
func judgeRunQueues(f *File) []string {
	return runqCheck(f, runqOptions{budget: RunqBudget, endWindow: true}).problems
}

type runqOptions struct {
	budget time.Duration
	// endWindow: a failure near the history's end is unknown.
	endWindow bool
}

// runqResult is the outcome of a run-queue check.
type runqResult struct {
	problems []string
	// unknown is why the check could not decide ("" when it did).
	unknown string
	// ops: per-P operations checked; segments: segments of overlapping
	// operations; porcupine: those that needed porcupine's search (the
	// others are legal in the order of their calls or of their returns).
	ops, segments, porcupine int
}

// Value kinds: where a G on a queue came from.
const (
	vConcrete    = iota // a G named by its address in a record
	vPlaceholder        // a G no record names (a batch's members past its head)
	vSlot               // the content of a ring position: what its producer wrote
)

// phBase marks placeholder Gs in the projected states: phBase+k. No G
// index comes near it.
const phBase = 1 << 30

// Resolved values that are not Gs.
const (
	resUnknown   = -2 // not resolved yet
	resUnwritten = -3 // a ring position nobody wrote
	resBusy      = -4 // being resolved (a cycle would mean corrupt records)
)

// values names every G value that moves between queues.
type values struct {
	v     []value
	stack []int32 // resolve's scratch
	conc  []int32 // G index -> its concrete id (-1 none)
	nph   int32
}

type value struct {
	kind uint8
	wp   int16  // slot: the P
	x    int32  // concrete: G index; placeholder: k; slot: the id written (-1: none yet)
	res  int32  // resolved: a G index, phBase+k, or resUnwritten
	wpos uint32 // slot: the position
	wx   int64  // slot: its index in the P's slots
}

func (v *values) add(kind uint8, x int32) int32 {
	v.v = append(v.v, value{kind: kind, x: x, res: resUnknown})
	return int32(len(v.v) - 1)
}

// grow makes room for about n values.
func (v *values) grow(n int) {
	v.v = make([]value, 0, n)
}

// where is a slot id's P, position and index in the P's slots.
func (v *values) where(id int32) (int16, uint32, int64, bool) {
	x := &v.v[id]
	return x.wp, x.wpos, x.wx, x.kind == vSlot
}

func (v *values) concrete(g int32) int32 {
	if g < 0 {
		return v.add(vConcrete, g)
	}
	for int(g) >= len(v.conc) {
		v.conc = append(v.conc, -1)
	}
	if v.conc[g] < 0 {
		v.conc[g] = v.add(vConcrete, g)
	}
	return v.conc[g]
}

func (v *values) placeholder() int32 {
	v.nph++
	return v.add(vPlaceholder, v.nph-1)
}

// resolve follows slots to what was written there.
func (v *values) resolve(id int32) int32 {
	stack := v.stack[:0]
	for {
		x := &v.v[id]
		if r := x.res; r != resUnknown {
			if r == resBusy {
				r = resUnwritten
			}
			for _, s := range stack {
				v.v[s].res = r
			}
			v.stack = stack[:0]
			return r
		}
		switch x.kind {
		case vConcrete:
			x.res = x.x
		case vPlaceholder:
			x.res = phBase + x.x
		case vSlot:
			if x.x < 0 {
				x.res = resUnwritten
				continue
			}
			x.res = resBusy
			stack = append(stack, id)
			id = x.x
		}
	}
}

// rqKind is one atomic step of a per-P run-queue function.
type rqKind uint8

const (
	rqPutNext   rqKind = iota // runqput's CAS on runnext
	rqPutRing                 // runqput's store at the tail
	rqSlowTake                // runqputslow's CAS on runqhead
	rqGetNext                 // runqget from runnext
	rqGetRing                 // runqget from the ring
	rqGrabRing                // runqgrab's CAS on the victim's runqhead
	rqGrabNext                // runqgrab's CAS on the victim's runnext
	rqGrabEmpty               // runqgrab found nothing (read-only)
	rqPublish                 // runqsteal's store of the thief's tail
	rqPutBatch                // runqputbatch's store of the tail
	rqDrain                   // runqdrain
	rqDestroy                 // p.destroy's moves (world stopped)
)

var rqKindNames = [...]string{"runqput (runnext CAS)", "runqput (ring store)", "runqputslow (take)", "runqget (runnext)",
	"runqget (ring)", "runqgrab (ring)", "runqgrab (runnext)", "runqgrab (nothing)", "runqsteal (publish)",
	"runqputbatch", "runqdrain", "p.destroy"}

// rqOp is one operation on one P's queues.
type rqOp struct {
	call, ret int64
	vh        int64 // h as an index into the P's slots (see pq.shift)
	rec       int32 // the record it comes from (index in the history)
	g         int32 // a G: put, got, kicked-to (want), returned...
	want      int32 // rqPutNext: the old runnext the record names
	h, t      uint32
	n         int32
	// ext is 1 + the index in runqJudge.ext of the values the op puts
	// (publish, putbatch: value ids until resolve, then Gs) or p.destroy's
	// Gs its globrunqputheads moved; 0: none.
	ext  int32
	kind rqKind
	hand bool // the G comes from (or goes to) the owner's hand
}

// pq is one P's part of the decoding: its ring positions and operations.
type pq struct {
	// slots and prod are indexed by position+shift: p.destroy moves the
	// ring out from its tail (runqtail--), so the positions after it are
	// written again, and shift grows by the positions it freed.
	shift int64
	slots []int32 // position -> slot value id (-1 none yet)
	prod  []int32 // position -> the op that produced it (-1)
	ops   []rqOp
	cons  []int32 // ops taking positions (tightening)
}

// rqState is the projection of one P: the spec state of its queues, the
// runtime's head and tail positions, and the runnext G runqput kicked and
// has not stored yet.
type rqState struct {
	s          *spec.State
	head, tail uint32
	hand       int32
}

// clone copies the projection. (spec.State.Clone would do; this copies
// only the one P and its ring, which porcupine's Step does at every step.)
func (st *rqState) clone() *rqState {
	c := *st
	p := st.s.Ps[0]
	p.Ring = append(make([]int32, 0, len(p.Ring)+8), p.Ring...)
	c.s = &spec.State{Cfg: st.s.Cfg, Ps: []spec.P{p}}
	return &c
}

func (st *rqState) equal(o *rqState) bool {
	return st.head == o.head && st.tail == o.tail && st.hand == o.hand && st.s.Equal(o.s)
}

func (st *rqState) hash() uint64 {
	return st.s.Hash() ^ (uint64(st.head)<<32|uint64(st.tail))*0x9E3779B97F4A7C15 ^ uint64(uint32(st.hand))*0xC2B2AE3D27D4EB4F
}

type rqProblem struct {
	rec int32
	// The message, formatted when it is reported (only the first
	// maxJudgeProblems are; a corrupt count can make a million).
	format string
	args   []any
	// ring: a disagreement of a P's queues, which an operation in flight
	// at exit (no record) could cause; the global queue's order is
	// exact, and a G on a ring position other than the one written
	// there is wrong whatever is missing.
	ring bool
}

type runqJudge struct {
	opts     runqOptions
	recs     []Record
	deadline time.Time
	gs       addrTable
	addrs    []uint64
	v        values
	ps       []*pq
	glob     *spec.State
	globRoom []int32      // see decGlob
	cfg1     *spec.Config // one P, for the per-P projections
	checks   []deferredCheck
	probs    []rqProblem
	unknown  string
	// pairs of records made by one M (indices into recs; see pair)
	partner links
	outer   links
	ms      []*mpend          // the pairing's pending records, by M id + 1
	nvals   int               // about how many values decode names (pair counts)
	nchecks int               // about how many checks decode defers (pair counts)
	heads   map[int32][]int32 // p.destroy -> its globrunqputheads
	batchQ  map[int32][]int32 // globrunqgetbatch -> the ids it handed to runqputbatch
	maxSpan uint64
	ndec    int // records decode has taken
	buf     []int32
	ext     [][]int32 // see rqOp.ext
	chunk   []int32   // see alloc
	opCount []int     // by P: room for its operations
	cur     []rqOp    // the operations of the P being checked
	quiet   bool      // apply's refusals need no message
	res     runqResult
}

// deferredCheck: the value id must resolve to G want (placeholders match
// any G).
type deferredCheck struct {
	rec  int32
	what checkWhat
	id   int32
	want int32
}

// checkWhat names what a deferred check compares, for its message.
type checkWhat uint8

const (
	wSlowTook checkWhat = iota
	wGetRing
	wGrabFirst
	wGrabTook
	wStealRuns
	wSlowBatchHead
	wGlobGet
	wGlobGetBatch
)

var checkWhatNames = [...]string{
	wSlowTook:      "a G runqputslow took",
	wGetRing:       "the G runqget took from the ring",
	wGrabFirst:     "the first G runqgrab took",
	wGrabTook:      "a G runqgrab took",
	wStealRuns:     "the G runqsteal runs (the last grabbed)",
	wSlowBatchHead: "the head of runqputslow's batch",
	wGlobGet:       "the G globrunqget took (the global queue's head)",
	wGlobGetBatch:  "the G globrunqgetbatch returned (the global queue's head)",
}

func (w checkWhat) String() string { return checkWhatNames[w] }

func runqCheck(f *File, opts runqOptions) runqResult {
	j := newRunqJudge(f, opts)
	recs := j.recs
	for i := range recs {
		j.pair(int32(i), &recs[i])
	}
	j.startDecode()
	for i := range recs {
		j.decode(int32(i), &recs[i])
	}
	return j.finish()
}

// newRunqJudge is the run-queue judge of f. Its work is in three steps:
// pair every record in order, then decode every record in order
// (startDecode first), then finish.
func newRunqJudge(f *File, opts runqOptions) *runqJudge {
	recs := f.Records[:f.Settled]
	consts, _ := spec.Preset("go")
	cfg1 := spec.Config{Consts: consts, Ps: 1, Ms: 1}
	cfgG := spec.Config{Consts: consts, Ps: 1, Ms: 1}
	j := &runqJudge{opts: opts, recs: recs, deadline: time.Now().Add(opts.budget),
		cfg1: &cfg1, heads: map[int32][]int32{}, batchQ: map[int32][]int32{}}
	j.glob = &spec.State{Cfg: &cfgG, Sched: spec.Sched{GoMaxProcs: int32(f.Header.GOMAXPROCS)}}
	return j
}

// startDecode sizes the decoding by what pair saw.
func (j *runqJudge) startDecode() {
	j.v.grow(j.nvals)
	j.checks = make([]deferredCheck, 0, j.nchecks)
	j.partner.sort()
	j.outer.sort()
}

// finish resolves the values, checks every P's operations and returns the
// outcome.
func (j *runqJudge) finish() runqResult {
	if j.unknown == "" {
		j.resolve()
	}
	for p := range j.ps {
		if j.unknown != "" || len(j.probs) >= maxJudgeProblems {
			break
		}
		if j.ps[p] != nil {
			j.checkP(int16(p))
		}
	}
	return j.result()
}

func (j *runqJudge) result() runqResult {
	res := j.res
	if len(j.probs) == 0 {
		res.unknown = j.unknown
		return res
	}
	sort.SliceStable(j.probs, func(a, b int) bool { return j.probs[a].rec < j.probs[b].rec })
	first := j.probs[0].rec
	if j.opts.endWindow && len(j.recs) > 0 {
		window := max(uint64(runqEndWindowMin), 2*j.maxSpan)
		last := j.recs[len(j.recs)-1].Index
		allRing := true
		for _, p := range j.probs {
			allRing = allRing && p.ring
		}
		if allRing && first >= 0 && j.recs[first].Index+window > last {
			res.unknown = fmt.Sprintf("the run queues disagree with the spec only in the last %d records of the history, where operations in flight at exit leave no record: %s",
				window, j.msg(&j.probs[0]))
			return res
		}
	}
	for i, p := range j.probs {
		if i == maxJudgeProblems {
			res.problems = append(res.problems, "... (more run-queue problems not listed)")
			break
		}
		res.problems = append(res.problems, j.msg(&p))
	}
	return res
}

func (j *runqJudge) failf(rec int32, format string, a ...any) {
	j.fail(false, rec, format, a...)
}

// ringf reports a disagreement a missing record could explain (rqProblem.ring).
func (j *runqJudge) ringf(rec int32, format string, a ...any) {
	j.fail(true, rec, format, a...)
}

func (j *runqJudge) fail(ring bool, rec int32, format string, a ...any) {
	j.probs = append(j.probs, rqProblem{rec: rec, format: format, args: a, ring: ring})
}

// msg formats problem p. (Its arguments are values, or strings made when
// it was found: the message is the one it would have been then.)
func (j *runqJudge) msg(p *rqProblem) string {
	msg := fmt.Sprintf(p.format, p.args...)
	if p.rec >= 0 {
		msg = j.recs[p.rec].String() + ": " + msg
	}
	return msg
}

// g maps a G address to its index (None for 0).
func (j *runqJudge) g(addr uint64) int32 {
	if addr == 0 {
		return spec.None
	}
	if i, ok := j.gs.get(addr); ok {
		return i
	}
	i := int32(len(j.addrs))
	j.gs.put(addr, i)
	j.addrs = append(j.addrs, addr)
	return i
}

// gname names a projected G value.
func (j *runqJudge) gname(g int32) string {
	switch {
	case g == spec.None:
		return "none"
	case g >= phBase:
		return fmt.Sprintf("an unnamed G #%d", g-phBase)
	case g == resUnwritten:
		return "a G nobody put"
	case g >= 0 && int(g) < len(j.addrs):
		return fmt.Sprintf("g=%#x", j.addrs[g])
	}
	return fmt.Sprintf("G(%d)", g)
}

func (j *runqJudge) pq(p int16) *pq {
	if ps := j.ps; int(uint16(p)) < len(ps) && ps[uint16(p)] != nil { // the common case, inlined
		return ps[uint16(p)]
	}
	return j.newPQ(p)
}

// newPQ is pq making P p's part.
//
//go:noinline
func (j *runqJudge) newPQ(p int16) *pq {
	if p < 0 || p > 1024 {
		return nil
	}
	for int(p) >= len(j.ps) {
		j.ps = append(j.ps, nil)
	}
	if j.ps[p] == nil {
		q := &pq{}
		if int(p) < len(j.opCount) {
			q.ops = make([]rqOp, 0, j.opCount[p])
		}
		j.ps[p] = q
	}
	return j.ps[p]
}

// slot is the value id of position pos of P p's ring (q is j.pq(p)).
func (j *runqJudge) slot(q *pq, p int16, pos uint32) int32 {
	if q == nil {
		return -1 // no such P: reported by the record that names it
	}
	x := int64(pos) + q.shift
	if x > int64(len(q.slots))+1<<20 {
		return -1
	}
	for x >= int64(len(q.slots)) {
		q.slots = append(q.slots, -1)
		q.prod = append(q.prod, -1)
	}
	if q.slots[x] < 0 {
		id := j.v.add(vSlot, -1)
		q.slots[x] = id
		v := &j.v.v[id]
		v.wp, v.wpos, v.wx = p, pos, x
	}
	return q.slots[x]
}

// write records that op (index opi of P p) produced value id at pos.
func (j *runqJudge) write(rec int32, q *pq, p int16, pos uint32, id int32, opi int32) {
	if q == nil {
		j.failf(rec, "a run-queue record naming P%d, which the spec has not", p)
		return
	}
	s := j.slot(q, p, pos)
	if s < 0 {
		j.failf(rec, "P%d's ring position %d is far past every position before it", p, pos)
		return
	}
	if j.v.v[s].x >= 0 {
		j.failf(rec, "P%d's ring position %d is written a second time", p, pos)
		return
	}
	j.v.v[s].x = id
	q.prod[j.v.v[s].wx] = opi
}

// read checks, once values are resolved, that position pos of P p held
// G want (None: only that it was written).
func (j *runqJudge) read(rec int32, q *pq, p int16, pos uint32, want int32, what checkWhat) int32 {
	if q == nil {
		j.failf(rec, "a run-queue record naming P%d, which the spec has not", p)
		return -1
	}
	s := j.slot(q, p, pos)
	if s < 0 {
		j.failf(rec, "P%d's ring position %d is far past every position before it", p, pos)
		return -1
	}
	j.checks = append(j.checks, deferredCheck{rec: rec, what: what, id: s, want: want})
	return s
}

// lockfree is a lock-free record's interval: [2E-1, 2I].
func (j *runqJudge) lockfree(r *Record) (int64, int64) {
	if r.Index > r.Entry && r.Index-r.Entry > j.maxSpan {
		j.maxSpan = r.Index - r.Entry
	}
	return 2*int64(r.Entry) - 1, 2 * int64(r.Index)
}

// alloc returns room for n values, from a chunk shared with others.
func (j *runqJudge) alloc(n int) []int32 {
	if len(j.chunk)+n > cap(j.chunk) {
		j.chunk = make([]int32, 0, max(4096, n))
	}
	k := len(j.chunk)
	j.chunk = j.chunk[:k+n]
	return j.chunk[k : k+n : k+n]
}

// addExt keeps an operation's values and returns its rqOp.ext.
func (j *runqJudge) addExt(v []int32) int32 {
	j.ext = append(j.ext, v)
	return int32(len(j.ext))
}

// add appends an operation to a P's part q and returns its index.
func (j *runqJudge) add(q *pq, op rqOp) int32 {
	switch op.kind {
	case rqGetRing, rqGrabRing, rqSlowTake:
		op.vh = int64(op.h) + q.shift
		q.cons = append(q.cons, int32(len(q.ops)))
	}
	q.ops = append(q.ops, op)
	return int32(len(q.ops) - 1)
}

// pair links the records one M makes for one runtime call: runqputslow
// with the globrunqputbatch inside it and the runqput around it; runqgrab
// with its runqsteal; runqdrain with its globrunqputbatch;
// globrunqgetbatch with the runqputbatch that takes its batch; p.destroy
// with its globrunqputheads. It is called on every record, in order,
// before decode.
func (j *runqJudge) pair(i int32, r *Record) {
	if r.Kind == 0 || r.Kind >= numKinds || runqPairKind[r.Kind] == 0 {
		return
	}
	if r.P >= 0 && r.P <= 1024 && runqPairKind[r.Kind] == ringKind {
		if int(r.P) >= len(j.opCount) {
			j.opCount = append(j.opCount, make([]int, int(r.P)+1-len(j.opCount))...)
		}
		j.opCount[r.P]++
		if r.Kind == KRunqput && r.F[1] == 1 && r.F[0] != 0 {
			j.opCount[r.P]++ // runnext kicked: two steps
		}
	}
	// The sizes decode will need (an estimate: it only saves regrowing).
	switch r.Kind {
	case KRunqput:
		j.nvals++ // a ring position
	case KRunqsteal:
		j.nvals += int(max(r.F[1], 0))
	case KRunqputbatch:
		j.nvals += int(max(r.F[0], 0))
	case KRunqget, KGlobrunqget, KGlobrunqgetbatch:
		j.nchecks++
	case KRunqgrab, KRunqputslow:
		j.nchecks += int(min(max(r.F[0], 0), 256))
	}
	switch r.Kind {
	case KRunqget, KGlobrunqput, KGlobrunqget, KProcresize:
		return // nothing to pair
	}
	mi := int(r.M) + 1
	if mi < 0 || mi > 1<<16 {
		mi = 0
	}
	if mi >= len(j.ms) {
		j.ms = append(j.ms, make([]*mpend, mi+1-len(j.ms))...)
	}
	m := j.ms[mi]
	if m == nil {
		m = &mpend{-1, -1, -1, -1, -1, -1, 0}
		j.ms[mi] = m
	}
	switch r.Kind {
	case KGlobrunqputbatch:
		if m.drain >= 0 {
			j.link(i, m.drain)
			m.drain = -1
		} else {
			m.glob = i
		}
	case KRunqputslow:
		if r.F[2] != 1 {
			break
		}
		if g := m.glob; g >= 0 && j.recs[g].Index >= r.Entry {
			j.link(i, g)
		} else {
			j.failf(i, "runqputslow took its batch but no globrunqputbatch of this M lies within it")
		}
		m.glob, m.slow = -1, i
	case KRunqput:
		if r.F[0] == 2 {
			if s := m.slow; s >= 0 && j.recs[s].Entry >= r.Entry {
				j.outer.add(i, s)
				j.outer.add(s, i)
			} else {
				j.failf(i, "runqput took the slow path but no successful runqputslow of this M lies within it")
			}
		}
		m.slow = -1
	case KRunqgrab:
		m.grab = i
	case KRunqsteal:
		if g := m.grab; g >= 0 && j.recs[g].Entry >= r.Entry {
			j.link(i, g)
		} else {
			j.failf(i, "runqsteal without the runqgrab it calls")
		}
		m.grab = -1
	case KRunqdrain:
		if r.F[0] > 0 {
			m.drain = i
		}
	case KGlobrunqgetbatch:
		if m.getbatch >= 0 {
			j.failf(m.getbatch, "the Gs this globrunqgetbatch took besides the one it returned were never put on a ring (no runqputbatch)")
		}
		m.getbatch = -1
		if r.F[0] >= 2 {
			m.getbatch = i
		}
	case KRunqputbatch:
		if m.getbatch >= 0 {
			j.link(i, m.getbatch)
			m.getbatch = -1
		}
	case KPDestroy:
		m.destroy = i
		m.heads = int32(uint32(r.F[1])-uint32(r.F[0])) + int32(b2i(r.G != 0))
	case KGlobrunqputhead:
		if m.heads > 0 {
			j.partner.add(i, m.destroy)
			j.heads[m.destroy] = append(j.heads[m.destroy], i)
			m.heads--
		}
	}
}

// mpend is what pair waits for on one M: the record of each kind that
// its partner has not followed yet (-1 none), and the globrunqputheads a
// p.destroy still makes.
type mpend struct{ glob, slow, grab, drain, getbatch, destroy, heads int32 }

// runqPairKind: the kinds pair and decode look at (non-zero), and which
// are the per-P queues' (ringKind).
var runqPairKind = func() (k [numKinds]uint8) {
	for i := range k {
		switch fam := kinds[i].Family; {
		case fam == FamRunq:
			k[i] = ringKind
		case fam == FamGlobrunq || Kind(i) == KPDestroy || Kind(i) == KProcresize:
			k[i] = otherKind
		}
	}
	return k
}()

const (
	ringKind = 1 + iota
	otherKind
)

// link makes records a and b each other's partner.
func (j *runqJudge) link(a, b int32) {
	j.partner.add(a, b)
	j.partner.add(b, a)
}

// partnerOf and outerOf are the partner of the record decode is at and
// the runqputslow's or runqput's record around or within it, or -1.
func (j *runqJudge) partnerOf(i int32) int32 { return j.partner.at(i) }

func (j *runqJudge) outerOf(i int32) int32 { return j.outer.at(i) }

// links maps records to records: added in any order, sorted, then asked
// for in increasing order of record (decode's), so that looking up is a
// step forward in a list rather than a probe of a table as large as the
// history's pairs.
type links struct {
	e   []link
	cur int
}

type link struct{ key, val int32 }

func (l *links) add(key, val int32) { l.e = append(l.e, link{key, val}) }

// sort makes the links ready for at; of a key's links the last added
// wins.
func (l *links) sort() {
	slices.SortStableFunc(l.e, func(a, b link) int { return cmp.Compare(a.key, b.key) })
	l.cur = 0
}

// at returns the value of key, or -1; keys must be asked in increasing
// order (the same one again is allowed).
func (l *links) at(key int32) int32 {
	for l.cur < len(l.e) && l.e[l.cur].key < key {
		l.cur++
	}
	v := int32(-1)
	for k := l.cur; k < len(l.e) && l.e[k].key == key; k++ {
		v = l.e[k].val
	}
	return v
}

// decode takes the next record of the history, in index order: the
// global queue's records are replayed through the spec; the per-P records
// become operations, their values named by where they come from.
func (j *runqJudge) decode(i int32, r *Record) {
	if j.unknown != "" || r.Kind >= numKinds || runqPairKind[r.Kind] == 0 {
		return
	}
	if j.ndec&4095 == 0 && time.Now().After(j.deadline) {
		j.unknown = fmt.Sprintf("the run-queue check ran out of its time budget (%v) while decoding", j.opts.budget)
		return
	}
	j.ndec++
	switch r.Kind {
	case KRunqput:
		j.decRunqput(i, r)
	case KRunqputslow:
		j.decRunqputslow(i, r)
	case KRunqget:
		j.decRunqget(i, r)
	case KRunqgrab:
		j.decRunqgrab(i, r)
	case KRunqsteal:
		j.decRunqsteal(i, r)
	case KRunqputbatch:
		j.decRunqputbatch(i, r)
	case KRunqdrain:
		j.decRunqdrain(i, r)
	case KPDestroy:
		j.decPDestroy(i, r)
	case KGlobrunqput, KGlobrunqputhead, KGlobrunqputbatch, KGlobrunqget, KGlobrunqgetbatch:
		j.decGlob(i, r)
	case KProcresize:
		if r.F[2] == 1 {
			j.glob.Sched.GoMaxProcs = r.F[1]
		}
	}
}

// ringP is the part of the record's P, or nil (reported).
func (j *runqJudge) ringP(i int32, r *Record) *pq {
	q := j.pq(r.P)
	if q == nil {
		j.failf(i, "a run-queue record without a P")
	}
	return q
}

func (j *runqJudge) decRunqput(i int32, r *Record) {
	q := j.ringP(i, r)
	if q == nil {
		return
	}
	j.res.ops++
	call, ret := j.lockfree(r)
	g := j.g(r.G)
	next := r.F[1] == 1
	switch r.F[0] {
	case 0: // runnext, nothing kicked
		if !next {
			j.failf(i, "runqput put runnext without next")
			return
		}
		j.add(q, rqOp{kind: rqPutNext, rec: i, call: call, ret: ret, g: g, want: spec.None})
	case 1: // the ring
		put := g
		if next {
			if r.X == 0 {
				j.failf(i, "runqput with next stored to the ring without a kicked runnext")
				return
			}
			put = j.g(r.X)
			j.add(q, rqOp{kind: rqPutNext, rec: i, call: call, ret: ret, g: g, want: put, hand: true})
		}
		t := uint32(r.F[2])
		opi := j.add(q, rqOp{kind: rqPutRing, rec: i, call: call, ret: ret, g: put, t: t, hand: next})
		j.write(i, q, r.P, t-1, j.v.concrete(put), opi)
	case 2: // runqputslow did it (its own record)
		if next {
			s := j.outerOf(i)
			if r.X == 0 {
				j.failf(i, "runqput with next took the slow path without a kicked runnext")
				return
			}
			if s >= 0 {
				// The CAS on runnext came before runqputslow began.
				ret = min(ret, 2*int64(j.recs[s].Entry)-1)
				if j.recs[s].G != r.X {
					j.failf(i, "runqputslow moved %s to the global queue, not the runnext runqput kicked (%#x)", j.gname(j.g(j.recs[s].G)), r.X)
				}
			}
			j.add(q, rqOp{kind: rqPutNext, rec: i, call: call, ret: ret, g: g, want: j.g(r.X), hand: true})
		}
	default:
		j.failf(i, "unknown runqput path %d", r.F[0])
	}
}

func (j *runqJudge) decRunqputslow(i int32, r *Record) {
	if r.F[2] != 1 {
		return // a failed CAS: no effect
	}
	q := j.ringP(i, r)
	if q == nil {
		return
	}
	j.res.ops++
	call, ret := j.lockfree(r)
	if gl := j.partnerOf(i); gl >= 0 {
		ret = min(ret, 2*int64(j.recs[gl].Index)) // the take precedes globrunqputbatch
	}
	hand := false
	if p := j.outerOf(i); p >= 0 {
		hand = j.recs[p].F[1] == 1
	}
	j.add(q, rqOp{kind: rqSlowTake, rec: i, call: call, ret: ret, g: j.g(r.G), h: uint32(r.F[1]), n: r.F[0], hand: hand})
	for k := int32(0); k < r.F[0]; k++ {
		j.read(i, q, r.P, uint32(r.F[1])+uint32(k), spec.None, wSlowTook)
	}
}

func (j *runqJudge) decRunqget(i int32, r *Record) {
	q := j.ringP(i, r)
	if q == nil {
		return
	}
	j.res.ops++
	call, ret := j.lockfree(r)
	g := j.g(r.G)
	switch r.F[0] {
	case 1:
		j.add(q, rqOp{kind: rqGetNext, rec: i, call: call, ret: ret, g: g})
	case 2:
		h := uint32(r.F[1])
		j.add(q, rqOp{kind: rqGetRing, rec: i, call: call, ret: ret, g: g, h: h, n: 1})
		j.read(i, q, r.P, h, g, wGetRing)
	default:
		j.failf(i, "unknown runqget source %d", r.F[0])
	}
}

func (j *runqJudge) decRunqgrab(i int32, r *Record) {
	q := j.ringP(i, r)
	if q == nil {
		return
	}
	j.res.ops++
	call, ret := j.lockfree(r)
	g := j.g(r.G)
	n := r.F[0]
	switch {
	case n == 0:
		j.add(q, rqOp{kind: rqGrabEmpty, rec: i, call: call, ret: ret})
	case r.F[1] == 1:
		if n != 1 || r.F[4] != 1 {
			j.failf(i, "runqgrab stole runnext (n=%d) without stealRunNextG or not alone", n)
			return
		}
		j.add(q, rqOp{kind: rqGrabNext, rec: i, call: call, ret: ret, g: g})
	default:
		h := uint32(r.F[2])
		j.add(q, rqOp{kind: rqGrabRing, rec: i, call: call, ret: ret, g: g, h: h, n: n})
		j.read(i, q, r.P, h, g, wGrabFirst)
		for k := int32(1); k < n; k++ {
			j.read(i, q, r.P, h+uint32(k), spec.None, wGrabTook)
		}
	}
}

func (j *runqJudge) decRunqsteal(i int32, r *Record) {
	gi := j.partnerOf(i)
	if gi < 0 {
		return
	}
	q := j.ringP(i, r)
	if q == nil {
		return
	}
	gr := &j.recs[gi]
	n := gr.F[0]
	if r.F[1] != n || r.F[0] != int32(gr.P) {
		j.failf(i, "runqsteal reports %d Gs from P%d; its runqgrab took %d from P%d", r.F[1], r.F[0], n, gr.P)
		return
	}
	g := j.g(r.G)
	switch {
	case n == 0:
		if r.G != 0 {
			j.failf(i, "runqsteal returned a G from an empty grab")
		}
	case gr.F[1] == 1:
		if r.G != gr.G {
			j.failf(i, "runqsteal returned %s, not the runnext its runqgrab stole", j.gname(g))
		}
	default:
		h := uint32(gr.F[2])
		gq := j.pq(gr.P)
		last := j.read(i, gq, gr.P, h+uint32(n-1), g, wStealRuns)
		if n == 1 {
			return
		}
		j.res.ops++
		ids := j.alloc(int(n))
		for k := range ids {
			if ids[k] = j.slot(gq, gr.P, h+uint32(k)); ids[k] < 0 {
				return // reported by read
			}
		}
		if last < 0 {
			return
		}
		t := uint32(r.F[2])
		opi := j.add(q, rqOp{kind: rqPublish, rec: i, call: 2 * int64(gr.Index), ret: 2 * int64(r.Index), g: g, t: t, n: n, ext: j.addExt(ids)})
		start := t - uint32(n-1)
		for k := 0; k < int(n-1); k++ {
			j.write(i, q, r.P, start+uint32(k), ids[k], opi)
		}
	}
}

func (j *runqJudge) decRunqputbatch(i int32, r *Record) {
	q := j.ringP(i, r)
	if q == nil {
		return
	}
	j.res.ops++
	call, ret := j.lockfree(r)
	n := r.F[0]
	var ids []int32
	if gb := j.partnerOf(i); gb >= 0 {
		ids = j.batchQ[gb]
		if int32(len(ids)) != n {
			j.failf(i, "runqputbatch put %d Gs; the spec's globrunqgetbatch handed it %d", n, len(ids))
		}
	}
	for int32(len(ids)) < n {
		ids = append(ids, j.v.placeholder())
	}
	t := uint32(r.F[1])
	opi := j.add(q, rqOp{kind: rqPutBatch, rec: i, call: call, ret: ret, t: t, n: n, ext: j.addExt(ids)})
	start := t - uint32(n)
	for k := int32(0); k < n; k++ {
		j.write(i, q, r.P, start+uint32(k), ids[k], opi)
	}
}

func (j *runqJudge) decRunqdrain(i int32, r *Record) {
	q := j.ringP(i, r)
	if q == nil {
		return
	}
	j.res.ops++
	call, ret := j.lockfree(r)
	first := int32(spec.None)
	if gl := j.partnerOf(i); gl >= 0 {
		first = j.g(j.recs[gl].G)
	}
	j.add(q, rqOp{kind: rqDrain, rec: i, call: call, ret: ret, g: first, n: r.F[0]})
}

func (j *runqJudge) decPDestroy(i int32, r *Record) {
	q := j.ringP(i, r)
	if q == nil {
		return
	}
	j.res.ops++
	var seq []int32
	for _, h := range j.heads[i] {
		seq = append(seq, j.g(j.recs[h].G))
	}
	t := 2 * int64(r.Index)
	j.add(q, rqOp{kind: rqDestroy, rec: i, call: t, ret: t, g: j.g(r.G), h: uint32(r.F[0]), t: uint32(r.F[1]), ext: j.addExt(seq)})
	// The moves pop the tail back to the head: the positions from the
	// head on are written anew after it.
	q.shift += int64(uint32(r.F[1]) - uint32(r.F[0]))
}

// decGlob replays a global-queue record through the spec.
func (j *runqJudge) decGlob(i int32, r *Record) {
	s := j.glob
	g := j.g(r.G)
	switch r.Kind {
	case KGlobrunqput:
		s.GlobrunqPut(j.v.concrete(g))
	case KGlobrunqputhead:
		s.GlobrunqPutHead(j.v.concrete(g))
	case KGlobrunqputbatch:
		n := r.F[0]
		var ids []int32
		if sl := j.partnerOf(i); sl >= 0 && j.recs[sl].Kind == KRunqputslow {
			S := &j.recs[sl]
			h := uint32(S.F[1])
			sq := j.pq(S.P)
			for k := int32(0); k < S.F[0]; k++ {
				id := j.slot(sq, S.P, h+uint32(k))
				if id < 0 {
					id = j.v.placeholder() // reported by runqputslow's reads
				}
				ids = append(ids, id)
			}
			ids = append(ids, j.v.concrete(j.g(S.G)))
			if int32(len(ids)) != n {
				j.failf(i, "globrunqputbatch of %d Gs; runqputslow's half ring and G make %d", n, len(ids))
			}
			j.checks = append(j.checks, deferredCheck{rec: i, what: wSlowBatchHead, id: ids[0], want: g})
		} else {
			// injectglist, schedEnableUser, runqdrain's batch: the
			// record names its head only.
			ids = append(ids, j.v.concrete(g))
			for int32(len(ids)) < n {
				ids = append(ids, j.v.placeholder())
			}
		}
		s.GlobrunqPutBatch(ids)
	case KGlobrunqget:
		got := s.GlobrunqGet()
		switch {
		case g == spec.None && got != spec.None:
			j.failf(i, "globrunqget found the global queue empty; the spec's holds %d", len(s.Sched.Runq)+1)
		case g != spec.None && got == spec.None:
			j.failf(i, "globrunqget took %s; the spec's global queue is empty", j.gname(g))
		case g != spec.None:
			j.checks = append(j.checks, deferredCheck{rec: i, what: wGlobGet, id: got, want: g})
		}
	case KGlobrunqgetbatch:
		size := len(s.Sched.Runq)
		gp, q := s.GlobrunqGetBatch(s.GlobrunqBatchMax(), nil)
		switch {
		case g == spec.None && gp != spec.None:
			j.failf(i, "globrunqgetbatch found the global queue empty; the spec's holds %d", size)
		case g != spec.None && gp == spec.None:
			j.failf(i, "globrunqgetbatch took %s; the spec's global queue is empty", j.gname(g))
		case g != spec.None:
			if want := int32(1 + len(q)); r.F[0] != want {
				j.failf(i, "globrunqgetbatch took %d Gs; the spec takes %d = min(%d, size %d, size/gomaxprocs(%d)+1)",
					r.F[0], want, s.GlobrunqBatchMax(), size, s.Sched.GoMaxProcs)
			}
			j.checks = append(j.checks, deferredCheck{rec: i, what: wGlobGetBatch, id: gp, want: g})
			if len(q) != 0 {
				j.batchQ[i] = q
			}
		}
	}
	if have := len(s.Sched.Runq); int32(have) != r.F[1] && (g != spec.None || r.Kind != KGlobrunqget && r.Kind != KGlobrunqgetbatch) {
		j.failf(i, "sched.runq.size after it: the runtime %d, the spec %d", r.F[1], have)
	}
	if len(s.Sched.Runq) == 0 {
		// The spec's gets take the head by reslicing, which leaves an
		// emptied queue no room: the next put would allocate. An empty
		// queue is as good as another, so the projection's is one with
		// room, whose memory nothing else refers to (the gets copy
		// what they take).
		if j.globRoom == nil {
			j.globRoom = make([]int32, 0, 64)
		}
		s.Sched.Runq = j.globRoom[:0]
	}
}

// resolve resolves every value and runs the checks that wait for them.
func (j *runqJudge) resolve() {
	for _, c := range j.checks {
		got := j.v.resolve(c.id)
		switch {
		case got == resUnwritten:
			wp, wpos, _, _ := j.v.where(c.id)
			j.ringf(c.rec, "%s: P%d's ring position %d was never written (a G got that was never put there)", c.what, wp, wpos)
		case got >= phBase || c.want == spec.None:
		case got != c.want:
			if wp, wpos, wx, ok := j.v.where(c.id); ok {
				j.failf(c.rec, "%s is %s, but P%d's ring position %d holds %s%s", c.what, j.gname(c.want), wp, wpos, j.gname(got), j.producer(wp, wx))
			} else {
				j.failf(c.rec, "%s is %s in the runtime, %s in the spec's global queue", c.what, j.gname(c.want), j.gname(got))
			}
		}
	}
	j.checks = nil
	for p, q := range j.ps {
		if q == nil {
			continue
		}
		for k := range q.ops {
			op := &q.ops[k]
			if op.ext == 0 || op.kind == rqDestroy {
				continue
			}
			// Resolved in place: the ids are not needed after.
			ids := j.ext[op.ext-1]
			vals := ids
			for x, id := range ids {
				v := j.v.resolve(id)
				if v == resUnwritten {
					wp, wpos, _, _ := j.v.where(id)
					j.ringf(op.rec, "P%d publishes a G from P%d's ring position %d, which was never written", p, wp, wpos)
				}
				vals[x] = v
			}
		}
	}
}

// producer names the record that wrote a ring position.
func (j *runqJudge) producer(p int16, x int64) string {
	q := j.ps[p]
	if q == nil || x >= int64(len(q.prod)) || q.prod[x] < 0 {
		return ""
	}
	return " (put by " + j.recs[q.ops[q.prod[x]].rec].String() + ")"
}

// newState is a P's projection at the start of the history: empty queues
// at positions 0 (a P's ring positions start at 0 when new(p) makes it).
func (j *runqJudge) newState() *rqState {
	s := &spec.State{Cfg: j.cfg1, Ps: []spec.P{{Status: spec.PRunning, M: spec.None, Runnext: spec.None, Kicked: spec.None, OldM: spec.None}}}
	return &rqState{s: s, hand: spec.None}
}

// same: a projected G (possibly unnamed) against a recorded one.
func same(projected, recorded int32) bool {
	return projected == recorded || projected >= phBase && recorded != spec.None
}

// apply applies op to st through the spec's sub-machine and compares the
// result with the record; it returns why they disagree, or "". st is
// changed even on a disagreement.
func (j *runqJudge) apply(st *rqState, op *rqOp) string {
	s := st.s
	pp := &s.Ps[0]
	var vals []int32
	if op.ext != 0 {
		vals = j.ext[op.ext-1]
	}
	switch op.kind {
	case rqPutNext:
		if op.hand && st.hand != spec.None {
			return j.whyf("runqput's CAS on runnext while the G it kicked before (%s) is not stored yet", gn{j, st.hand})
		}
		old := s.RunqPutNext(0, op.g)
		if old != op.want {
			return j.whyf("the old runnext is %s in the runtime, %s in the spec", gn{j, op.want}, gn{j, old})
		}
		if op.hand {
			st.hand = old
		}
	case rqPutRing:
		if op.hand {
			if st.hand != op.g {
				return j.whyf("runqput stores %s, which its CAS on runnext did not kick", gn{j, op.g})
			}
			st.hand = spec.None
		}
		if !s.RunqPutRing(0, op.g) {
			return j.whyf("runqput stored to the ring; the spec's ring is full (%d)", len(pp.Ring))
		}
		st.tail++
		if st.tail != op.t {
			return j.whyf("runqtail after the store: the runtime %d, the spec %d", op.t, st.tail)
		}
	case rqSlowTake:
		if op.hand {
			if st.hand != op.g {
				return j.whyf("runqputslow moves %s, which runqput's CAS on runnext did not kick", gn{j, op.g})
			}
			st.hand = spec.None
		}
		if st.head != op.h {
			return j.whyf("runqputslow took from position %d; the spec's head is at %d", op.h, st.head)
		}
		batch, err := s.RunqputslowTake(0, j.buf[:0])
		j.buf = batch
		if err != nil {
			return j.whyf("the spec's runqputslow throws (%v): its ring holds %d", err, len(pp.Ring))
		}
		if int32(len(batch)) != op.n {
			return j.whyf("runqputslow took %d Gs; the spec takes %d", op.n, len(batch))
		}
		st.head += uint32(op.n)
	case rqGetNext:
		if g, inherit := s.RunqGet(0); g != op.g || !inherit {
			return j.whyf("runqget took runnext %s; the spec's runqget takes %s", gn{j, op.g}, getDesc{j, g, inherit})
		}
	case rqGetRing:
		if st.head != op.h {
			return j.whyf("runqget took position %d; the spec's head is at %d", op.h, st.head)
		}
		if g, inherit := s.RunqGet(0); !same(g, op.g) || inherit {
			return j.whyf("runqget took %s from the ring; the spec's runqget takes %s", gn{j, op.g}, getDesc{j, g, inherit})
		}
		st.head++
	case rqGrabRing:
		if st.head != op.h {
			return j.whyf("runqgrab took from position %d; the spec's head is at %d", op.h, st.head)
		}
		size := len(pp.Ring)
		batch := s.RunqGrabRing(0, j.buf[:0])
		j.buf = batch
		if int32(len(batch)) != op.n {
			return j.whyf("runqgrab took %d Gs of a ring of %d; the spec takes %d (n - n/2)", op.n, size, len(batch))
		}
		if !same(batch[0], op.g) {
			return j.whyf("runqgrab's first G is %s; the spec's ring starts with %s", gn{j, op.g}, gn{j, batch[0]})
		}
		st.head += uint32(op.n)
	case rqGrabNext:
		if g := s.RunqGrabNext(0); g != op.g {
			return j.whyf("runqgrab stole runnext %s; the spec's runnext is %s", gn{j, op.g}, gn{j, g})
		}
	case rqGrabEmpty:
		if n := s.RunqGrabSize(0); n != 0 {
			return j.whyf("runqgrab found nothing; the spec's ring holds %d (it would take %d)", len(pp.Ring), n)
		}
	case rqPublish:
		g, err := s.RunqStealPut(0, vals)
		if err != nil {
			return j.whyf("the spec's runqsteal throws (%v): the thief's ring holds %d, the batch %d", err, len(pp.Ring), len(vals))
		}
		if !same(g, op.g) {
			return j.whyf("runqsteal runs %s; the spec runs the last grabbed, %s", gn{j, op.g}, gn{j, g})
		}
		st.tail += uint32(len(vals) - 1)
		if st.tail != op.t {
			return j.whyf("the thief's runqtail after the steal: the runtime %d, the spec %d", op.t, st.tail)
		}
	case rqPutBatch:
		room := len(pp.Ring)
		n := s.RunqPutBatch(0, vals)
		if int32(n) != op.n {
			return j.whyf("runqputbatch put %d Gs; the spec puts %d (its ring held %d)", op.n, n, room)
		}
		st.tail += uint32(n)
		if st.tail != op.t {
			return j.whyf("runqtail after runqputbatch: the runtime %d, the spec %d", op.t, st.tail)
		}
	case rqDrain:
		ring := uint32(len(pp.Ring))
		got := s.RunqDrain(0, j.buf[:0])
		j.buf = got
		if int32(len(got)) != op.n {
			return j.whyf("runqdrain took %d Gs; the spec's takes %d", op.n, len(got))
		}
		if op.g != spec.None && len(got) > 0 && !same(got[0], op.g) {
			return j.whyf("runqdrain's first G is %s; the spec's is %s", gn{j, op.g}, gn{j, got[0]})
		}
		st.head += ring
	case rqDestroy:
		if st.head != op.h || st.tail != op.t || pp.Runnext != op.g {
			return j.whyf("p.destroy finds runqhead %d, runqtail %d, runnext %s; the spec's %d, %d, %s",
				op.h, op.t, gn{j, op.g}, st.head, st.tail, gn{j, pp.Runnext})
		}
		k := 0
		for g := s.RunqDestroyPop(0); g != spec.None; g = s.RunqDestroyPop(0) {
			if k >= len(vals) {
				return j.whyf("p.destroy moved %d Gs to the global queue; the spec moves more", len(vals))
			}
			if !same(g, vals[k]) {
				return j.whyf("p.destroy's move #%d (globrunqputhead) is %s; the spec moves %s (the ring from its tail, then runnext)",
					k+1, gn{j, vals[k]}, gn{j, g})
			}
			k++
		}
		if k != len(vals) {
			return j.whyf("p.destroy moved %d Gs to the global queue; the spec moves %d", len(vals), k)
		}
		st.tail = st.head
	}
	return ""
}

// whyf formats why an operation is refused, unless the search that asks
// only needs to know (porcupine's Step).
func (j *runqJudge) whyf(format string, a ...any) string {
	if j.quiet {
		return "refused"
	}
	return fmt.Sprintf(format, a...)
}

// gn and getDesc format Gs only when a message is made.
type gn struct {
	j *runqJudge
	g int32
}

func (x gn) String() string { return x.j.gname(x.g) }

type getDesc struct {
	j       *runqJudge
	g       int32
	inherit bool
}

func (x getDesc) String() string { return x.j.describeGet(x.g, x.inherit) }

func (j *runqJudge) describeGet(g int32, inherit bool) string {
	switch {
	case g == spec.None:
		return "nothing (its queues are empty)"
	case inherit:
		return "runnext " + j.gname(g)
	}
	return j.gname(g) + " from the ring"
}

// describe is an operation for messages.
func (j *runqJudge) describe(op *rqOp) string {
	return fmt.Sprintf("%s [%s]", rqKindNames[op.kind], j.recs[op.rec])
}

// dumpState is a P's projection for messages.
func (j *runqJudge) dumpState(p int16, st *rqState) string {
	pp := &st.s.Ps[0]
	var b strings.Builder
	fmt.Fprintf(&b, "P%d: runnext %s, ring positions [%d,%d):", p, j.gname(pp.Runnext), st.head, st.tail)
	for k, g := range pp.Ring {
		if k == 8 && len(pp.Ring) > 10 {
			fmt.Fprintf(&b, " ... (%d more)", len(pp.Ring)-k)
			break
		}
		b.WriteString(" " + j.gname(g))
	}
	if st.hand != spec.None {
		fmt.Fprintf(&b, "; runqput holds the kicked %s", j.gname(st.hand))
	}
	return b.String()
}

// checkP checks P p's operations: tightening, segments, read-only grabs.
func (j *runqJudge) checkP(p int16) {
	q := j.ps[p]
	ops := q.ops
	j.cur = ops
	if len(ops) == 0 {
		return
	}
	if !j.tighten(p) {
		return
	}
	// The operations, by call (ties in the order of the operations: a
	// stable sort's order); the read-only grabs apart. Segments: maximal
	// runs whose intervals chain by overlap; segment k is
	// main[bound[k]:bound[k+1]]. In the same pass: an operation whose
	// call rose past its return when tighten narrowed it.
	main := make([]int32, 0, len(ops))
	bound := make([]int32, 0, len(ops)+1)
	var ro []int32
	sorted, roSorted := true, true
	var maxRet int64
	for k := range ops {
		op := &ops[k]
		if op.call > op.ret {
			// The producer of a position finished... after its consumer.
			j.failf(op.rec, "P%d's ring positions order %s against real time (a consumer before the producer of its position)", p, j.describe(op))
			return
		}
		if op.kind == rqGrabEmpty {
			roSorted = roSorted && (len(ro) == 0 || ops[ro[len(ro)-1]].call <= op.call)
			ro = append(ro, int32(k))
			continue
		}
		if len(main) > 0 {
			sorted = sorted && ops[main[len(main)-1]].call <= op.call
		}
		if len(main) == 0 || op.call > maxRet {
			bound = append(bound, int32(len(main)))
			maxRet = op.ret
		}
		maxRet = max(maxRet, op.ret)
		main = append(main, int32(k))
	}
	byCall := func(a, b int32) int {
		if c := cmp.Compare(ops[a].call, ops[b].call); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	}
	if !roSorted {
		slices.SortFunc(ro, byCall)
	}
	if !sorted {
		// (A faster unstable sort, whose tiebreak gives the stable order.)
		slices.SortFunc(main, byCall)
		bound = bound[:0]
		for k, oi := range main {
			if k == 0 || ops[oi].call > maxRet {
				bound = append(bound, int32(k))
				maxRet = ops[oi].ret
			}
			maxRet = max(maxRet, ops[oi].ret)
		}
	}
	nsegs := len(bound)
	bound = append(bound, int32(len(main)))
	// (segment k, written out below: main[bound[k]:bound[k+1]:bound[k+1]])
	// Cut k lies before segment k: maxCallB[k] is the latest call before
	// it, minRetA[k] the earliest return after it. Only the read-only ops
	// need them (every use below is behind a test of ro or active).
	const inf = int64(1) << 62
	var maxCallB, minRetA []int64
	if len(ro) > 0 {
		maxCallB = make([]int64, nsegs+1)
		minRetA = make([]int64, nsegs+1)
		maxCallB[0] = -inf
		for k := range nsegs {
			m := maxCallB[k]
			for _, oi := range main[bound[k]:bound[k+1]] {
				m = max(m, ops[oi].call)
			}
			maxCallB[k+1] = m
		}
		minRetA[nsegs] = inf
		for k := nsegs - 1; k >= 0; k-- {
			m := minRetA[k+1]
			for _, oi := range main[bound[k]:bound[k+1]] {
				m = min(m, ops[oi].ret)
			}
			minRetA[k] = m
		}
	}
	st := j.newState()
	roNext := 0        // next read-only op to activate
	var active []int32 // read-only ops that may still be placed
	var placed []bool  // by op: a read-only op placed
	if len(ro) > 0 {
		placed = make([]bool, len(ops))
	}
	place := func(k int) bool { // at cut k
		for roNext < len(ro) && ops[ro[roNext]].call <= minRetA[k] {
			active = append(active, ro[roNext])
			roNext++
		}
		kept := active[:0]
		for _, oi := range active {
			switch {
			case placed[oi]:
				continue
			case ops[oi].ret < maxCallB[k]:
				j.ringf(ops[oi].rec, "runqgrab found P%d's ring empty, but the spec's ring is never empty while it runs (%s)", p, j.dumpState(p, st))
				return false
			case j.apply(st, &ops[oi]) == "":
				placed[oi] = true
				continue
			}
			kept = append(kept, oi)
		}
		active = kept
		return true
	}
	for k := range nsegs {
		seg := main[bound[k]:bound[k+1]:bound[k+1]]
		if k&1023 == 1023 && time.Now().After(j.deadline) {
			j.unknown = fmt.Sprintf("the run-queue check ran out of its time budget (%v) on P%d", j.opts.budget, p)
			return
		}
		if len(ro) > 0 && !place(k) {
			return
		}
		if len(seg) == 1 || oneRecord(ops, seg) {
			// One operation, or the two steps of one runqput (its CAS on
			// runnext, then the store of the G it kicked: the other
			// order is refused, the kicked G is not in the owner's hand
			// yet at a cut).
			before, runnext, ring := *st, st.s.Ps[0].Runnext, st.s.Ps[0].Ring
			if why := j.applyAll(st, seg); why != "" {
				// The spec's functions only reslice the ring or append
				// past its end: the saved ring still shows it as it was.
				before.s = &spec.State{Cfg: j.cfg1, Ps: []spec.P{{Runnext: runnext, Kicked: spec.None, Ring: ring, OldM: spec.None}}}
				j.ringf(ops[seg[0]].rec, "%s (%s before it)", why, j.dumpState(p, &before))
				return
			}
			continue
		}
		j.res.segments++
		// Read-only ops that can only be placed inside this segment are
		// tried with it, one at a time, before it is applied.
		var inside []int32
		for roNext < len(ro) && ops[ro[roNext]].call <= minRetA[k+1] {
			active = append(active, ro[roNext])
			roNext++
		}
		for _, oi := range active {
			if !placed[oi] && ops[oi].ret >= maxCallB[k] && ops[oi].call <= minRetA[k+1] {
				inside = append(inside, oi)
			}
		}
		// Porcupine's search begins with the operations in the order of
		// their calls (an order real time always allows); when that
		// order, or that of their returns, is legal, it is a
		// linearization, and the search is not needed.
		init := st.clone()
		order := seg
		if j.applyAll(st, seg) != "" {
			// The order of their returns is allowed by real time too.
			order = append([]int32(nil), seg...)
			sort.SliceStable(order, func(a, b int) bool { return ops[order[a]].ret < ops[order[b]].ret })
			*st = *init.clone()
			if j.applyAll(st, order) != "" {
				*st = *init.clone()
				var ok bool
				if order, ok = j.linearize(p, st, init, seg); !ok {
					return
				}
			}
		}
		if len(inside) > 0 {
			if j.placeInside(init, order, inside, placed); j.unknown != "" {
				return
			}
		}
	}
	if !place(nsegs) {
		return
	}
	for _, oi := range active {
		if !placed[oi] {
			j.ringf(ops[oi].rec, "runqgrab found P%d's ring empty, but the spec's ring is never empty while it runs (%s)", p, j.dumpState(p, st))
			return
		}
	}
}

// tighten narrows intervals by the orders the model implies (see the
// package comment) and reports operations the positions order against
// real time.
func (j *runqJudge) tighten(p int16) bool {
	q := j.ps[p]
	ops := q.ops
	// A consumer follows the producer of the last position it takes.
	for _, c := range q.cons {
		last := ops[c].vh + int64(ops[c].n) - 1
		if last >= 0 && last < int64(len(q.prod)) {
			if pr := q.prod[last]; pr >= 0 {
				ops[c].call = max(ops[c].call, ops[pr].call)
				ops[pr].ret = min(ops[pr].ret, ops[c].ret)
			}
		}
	}
	// Consumers follow one another by position.
	cons := q.cons
	increasing := true // then sorted already, and the sort's order is the only one
	for k := 1; k < len(cons) && increasing; k++ {
		increasing = ops[cons[k-1]].vh < ops[cons[k]].vh
	}
	if !increasing {
		cons = append([]int32(nil), q.cons...)
		sort.Slice(cons, func(a, b int) bool { return ops[cons[a]].vh < ops[cons[b]].vh })
	}
	for k := 1; k < len(cons); k++ {
		a, b := &ops[cons[k-1]], &ops[cons[k]]
		if a.vh+int64(a.n) > b.vh {
			j.failf(b.rec, "it takes P%d's ring position %d, which %s took already", p, b.h, j.describe(a))
			return false
		}
	}
	// A consumer that finished before an earlier position's consumer
	// began: no order of them is legal.
	var late int32 = -1 // the consumer with the latest call so far
	for _, c := range cons {
		if late >= 0 && ops[late].call > ops[c].ret {
			j.failf(ops[c].rec, "it takes P%d's ring position %d and finished before %s, which took the earlier position %d, began",
				p, ops[c].h, j.describe(&ops[late]), ops[late].h)
			return false
		}
		if late < 0 || ops[c].call > ops[late].call {
			late = c
		}
	}
	for k := 1; k < len(cons); k++ {
		ops[cons[k]].call = max(ops[cons[k]].call, ops[cons[k-1]].call)
	}
	for k := len(cons) - 2; k >= 0; k-- {
		ops[cons[k]].ret = min(ops[cons[k]].ret, ops[cons[k+1]].ret)
	}
	// (checkP then refuses an operation whose call rose past its return.)
	return true
}

// linearize checks a segment of overlapping operations with porcupine
// from st and, when it is linearizable, applies the linearization to st.
func (j *runqJudge) linearize(p int16, st, init *rqState, seg []int32) ([]int32, bool) {
	res, order, info := j.porcupine(init, seg)
	j.res.porcupine++
	ops := j.ps[p].ops
	switch res {
	case porcupine.Unknown:
		j.unknown = fmt.Sprintf("the run-queue check ran out of its time budget (%v) on P%d (a segment of %d overlapping operations)", j.opts.budget, p, len(seg))
		return nil, false
	case porcupine.Illegal:
		j.ringf(ops[seg[0]].rec, "%s", j.explain(p, init, seg, info))
		return nil, false
	}
	lin := make([]int32, len(order))
	for x, k := range order {
		lin[x] = seg[k]
		if why := j.apply(st, &ops[seg[k]]); why != "" {
			j.failf(ops[seg[k]].rec, "replaying porcupine's linearization: %s", why)
			return nil, false
		}
	}
	return lin, true
}

// placeInside places read-only grabs that can only go inside a segment:
// first between two operations of the linearization found for it (at a
// point where the ring is empty and which their intervals allow), then,
// for the others, by checking the segment again with each of them.
func (j *runqJudge) placeInside(init *rqState, order, inside []int32, placed []bool) {
	ops := j.cur
	n := len(order)
	const inf = int64(1) << 62
	prefMaxCall := make([]int64, n+1)
	sufMinRet := make([]int64, n+1)
	prefMaxCall[0], sufMinRet[n] = -inf, inf
	for k, oi := range order {
		prefMaxCall[k+1] = max(prefMaxCall[k], ops[oi].call)
	}
	for k := n - 1; k >= 0; k-- {
		sufMinRet[k] = min(sufMinRet[k+1], ops[order[k]].ret)
	}
	cur := init.clone()
	for k := 0; k <= n; k++ {
		if k > 0 {
			j.apply(cur, &ops[order[k-1]])
		}
		if cur.s.RunqGrabSize(0) != 0 {
			continue
		}
		for _, r := range inside {
			if !placed[r] && ops[r].ret >= prefMaxCall[k] && ops[r].call <= sufMinRet[k] {
				placed[r] = true
			}
		}
	}
	for _, r := range inside {
		if placed[r] {
			continue
		}
		try := append(append([]int32(nil), order...), r)
		switch res, _, _ := j.porcupine(init.clone(), try); res {
		case porcupine.Ok:
			placed[r] = true
		case porcupine.Unknown:
			j.unknown = fmt.Sprintf("the run-queue check ran out of its time budget (%v) placing a runqgrab that found nothing", j.opts.budget)
			return
		}
	}
}

// oneRecord: every operation of seg comes from the same record.
func oneRecord(ops []rqOp, seg []int32) bool {
	for _, oi := range seg[1:] {
		if ops[oi].rec != ops[seg[0]].rec {
			return false
		}
	}
	return true
}

// applyAll applies the operations seg in that order; it returns why one
// is refused, or "".
func (j *runqJudge) applyAll(st *rqState, seg []int32) string {
	for _, oi := range seg {
		if why := j.apply(st, &j.cur[oi]); why != "" {
			return why
		}
	}
	return ""
}

// porcupine checks the operations seg (indices into the current P's
// operations) from init; on Ok it also returns the linearization (indices
// into seg).
func (j *runqJudge) porcupine(init *rqState, seg []int32) (porcupine.CheckResult, []int, porcupine.LinearizationInfo) {
	return j.porcupineOn(j.cur, init, seg)
}

func (j *runqJudge) porcupineOn(ops []rqOp, init *rqState, seg []int32) (porcupine.CheckResult, []int, porcupine.LinearizationInfo) {
	hist := make([]porcupine.Operation, len(seg))
	for k, oi := range seg {
		hist[k] = porcupine.Operation{Input: k, Call: ops[oi].call, Return: ops[oi].ret}
	}
	model := porcupine.Model{
		Init: func() any { return init },
		Step: func(state, input, _ any) (bool, any) {
			s := state.(*rqState)
			op := &ops[seg[input.(int)]]
			if op.kind == rqGrabEmpty {
				return s.s.RunqGrabSize(0) == 0, s
			}
			n := s.clone()
			j.quiet = true
			why := j.apply(n, op)
			j.quiet = false
			if why != "" {
				return false, s
			}
			return true, n
		},
		Equal: func(a, b any) bool { return a.(*rqState).equal(b.(*rqState)) },
		Hash:  func(a any) uint64 { return a.(*rqState).hash() },
	}
	left := time.Until(j.deadline)
	if left <= 0 {
		return porcupine.Unknown, nil, porcupine.LinearizationInfo{}
	}
	res, info := porcupine.CheckOperationsVerbose(model, hist, left)
	if res != porcupine.Ok {
		return res, nil, info
	}
	for _, part := range info.PartialLinearizations() {
		for _, lin := range part {
			if len(lin) == len(seg) {
				return res, lin, info
			}
		}
	}
	return porcupine.Unknown, nil, info
}

// explain describes why no order of a segment is legal: the longest legal
// prefix porcupine found, and why each operation that could come next is
// refused there.
func (j *runqJudge) explain(p int16, init *rqState, seg []int32, info porcupine.LinearizationInfo) string {
	ops := j.cur
	var best []int
	for _, part := range info.PartialLinearizations() {
		for _, lin := range part {
			if len(lin) > len(best) {
				best = lin
			}
		}
	}
	st := init.clone()
	done := map[int]bool{}
	for _, k := range best {
		j.apply(st, &ops[seg[k]])
		done[k] = true
	}
	var b strings.Builder
	fmt.Fprintf(&b, "P%d: %d overlapping run-queue operations have no order the spec allows; the longest legal order applies %d of them, after which (%s):",
		p, len(seg), len(best), j.dumpState(p, st))
	for k, oi := range seg {
		if done[k] {
			continue
		}
		why := j.apply(st.clone(), &ops[oi])
		if why == "" {
			why = "legal here, but nothing legal follows"
		}
		fmt.Fprintf(&b, "\n    %s: %s", j.describe(&ops[oi]), why)
	}
	return b.String()
}
