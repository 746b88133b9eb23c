package rtcheck

import "fmt"

// maxProblems bounds the problems one check reports.
const maxProblems = 20

// Consistency checks that a process's records decode into a coherent
// history, before any judging, on the settled prefix (File.Settled): known kinds,
// entry stamps before exit stamps, P ids in range (a P the process has:
// see procs), no negative size, list
// sizes that follow from one record to the next (each P's free list,
// sched.gFree.stack and .noStack, sched.runq: every operation that
// changes them is probed, so a size that does not follow means a record
// is missing or misplaced), a G put on a free list only while live and
// taken only while free, a malg'd G never seen before, newproc1's malg
// path right after its malg record (see malgs), goids never reused, and
// loss markers and trailer whose counters only grow.
//
// It is bookkeeping of the records, not a model: whether the runtime's
// choices are the spec's (which list, how many, which G) is the spec
// judge's question (Options.Judge).
func Consistency(f *File) []string {
	recs := f.Records[:f.Settled]
	c := &consistency{local: new([1 << 16]int32), goidLimit: uint64(len(recs)) + 1<<16, kinds: Kind(f.Header.Kinds),
		procs: procs{gomaxprocs: int64(f.Header.GOMAXPROCS)}}
	for i := range recs {
		if len(c.problems) >= maxProblems {
			c.problems = append(c.problems, "... (more problems not listed)")
			break
		}
		c.check(&recs[i])
	}
	if t := f.Trailer; t != nil {
		if t.Drained != uint64(len(f.Records)) {
			c.problems = append(c.problems, fmt.Sprintf("the trailer says %d records were written, the file holds %d", t.Drained, len(f.Records)))
		}
		if n := len(f.Records); n > 0 && f.Records[n-1].Index >= t.Reserved {
			c.problems = append(c.problems, fmt.Sprintf("record index %d at or past the %d reserved at the final drain", f.Records[n-1].Index, t.Reserved))
		}
	}
	c.problems = append(c.problems, monotoneCounters(f)...)
	c.problems = append(c.problems, exitsReachGfput(f)...)
	return c.problems
}

// exitsReachGfput checks that every exit reaches gfput: the trailer
// carries how many exits (gdestroy's calls, which the probe counts
// without a record) had not reached gfput's probe when the final drain
// wrote it (Trailer.ExitsMissing, both counts read with no gfput between:
// gfput's only caller is gdestroy, proc.go). An exit that skips gfput
// leaves a dead G on no free list, never reused and counted as live by
// gcount, and writes no record of its own (an unlocked exit is its gfput
// record alone): only the counts show it. The process runs on while the
// trailer is written, so an exit may be between the two, each on an M
// holding a P: up to as many as the process had Ps. Not judged when the
// trailer does not carry the count (an earlier gexit's file) or probes
// ran on Ps that are not the scheduler's (the runtime's own tests call
// gfput on them).
func exitsReachGfput(f *File) []string {
	t := f.Trailer
	if t == nil || !t.HasExitsMissing || f.Outside() != 0 {
		return nil
	}
	maxPs := int64(f.Header.GOMAXPROCS)
	for i := range f.Records {
		if r := &f.Records[i]; r.Kind == KProcresize {
			maxPs = max(maxPs, int64(r.F[1]))
		}
	}
	switch missing := int64(t.ExitsMissing); {
	case missing < 0:
		return []string{fmt.Sprintf("gfput's probe ran %d times more than gdestroy: gfput's only caller is gdestroy", -missing)}
	case missing > maxPs:
		return []string{fmt.Sprintf("%d exits (gdestroy's calls, counted) never reached gfput, when the final drain wrote its trailer (at most %d, one per P, may be between the two): dead Gs on no free list, never reused",
			missing, maxPs)}
	}
	return nil
}

// monotoneCounters checks that the loss markers' and the trailer's
// counters only grow, in the order the drains wrote them: the runtime's
// counters (gexitNext, gexitWritten, gexitLost, gexitDrainErr,
// gexitOutside, gexitCapped; gexitMark writes them) are never decreased.
// A marker or trailer below an earlier marker is a corrupt file, whose
// counters File.Lost and the others take at their largest.
func monotoneCounters(f *File) []string {
	marks := f.Losses
	if f.Trailer != nil {
		marks = append(marks[:len(marks):len(marks)], *f.Trailer)
	}
	var probs []string
	for i := 1; i < len(marks); i++ {
		a, b := marks[i-1], marks[i]
		what := fmt.Sprintf("loss marker %d", i+1)
		if f.Trailer != nil && i == len(marks)-1 {
			what = "the trailer"
		}
		for _, c := range []struct {
			name   string
			before uint64
			after  uint64
		}{
			{"reserved", a.Reserved, b.Reserved}, {"drained", a.Drained, b.Drained}, {"lost", a.Lost, b.Lost},
			{"drain errors", a.DrainErrors, b.DrainErrors}, {"outside", a.Outside, b.Outside}, {"capped", a.Capped, b.Capped},
		} {
			if c.after < c.before && len(probs) < maxProblems {
				probs = append(probs, fmt.Sprintf("%s counts %d %s, below the %d of loss marker %d before it: the runtime's counters only grow (a corrupt file)",
					what, c.after, c.name, c.before, i))
			}
		}
	}
	return probs
}

type consistency struct {
	problems []string
	kinds    Kind            // the probe kinds the runtime side knew (0: unknown, as this gexit's)
	local    *[1 << 16]int32 // p.gFree.size by P (as uint16)
	gStack   int32           // sched.gFree.stack.size
	gNoStack int32           // sched.gFree.noStack.size
	gcTaken  int32           // taken by markrootFreeGStacks, not yet put back
	runq     int32           // sched.runq.size
	// The G addresses the records name, by a dense index (gs): on a free
	// list, seen at all (as a record's G), and the address.
	gs    addrTable
	gfree []bool
	seen  []bool
	addrs []uint64
	// goids: the G (index + 1) that took each goid below goidLimit, and
	// bigGoids the others (goid -> G address).
	goids     []int32
	goidLimit uint64
	bigGoids  map[uint64]uint64
	procs     procs
	malgs     malgs
}

// procs follows the Ps the process has, for the records' P ids: the
// header's GOMAXPROCS until the first procresize record, then what each
// procresize leaves. procresize (proc.go) runs under sched.lock with the
// world stopped, so no M owning a P records between its entry and end
// records; the Ms without a P (sysmon, the drainer, Ms leaving a
// syscall) record P -1. Its own records, in order:
//
//   - its entry, on the M's P (-1 in schedinit, the process's first
//     record: old = 0, no P yet), old = gomaxprocs;
//   - for each P from nprocs up to old, in order, p.destroy's record
//     (P the P destroyed), the globrunqputhead records of its run queue
//     (on the M's P: by then the M holds a P below nprocs, as procresize
//     releases one at or above nprocs and takes allp[0] first), then its
//     gfpurge's (P the P destroyed; p.destroy is gfpurge's only caller);
//   - the rebuilt idle list's pidleput records, Ps below nprocs;
//   - its end, on the M's P, below nprocs; gomaxprocs = nprocs.
//
// Every record outside a procresize names a P below gomaxprocs: a P that
// records (its owner, or an M holding it off the idle list, or sched.lock
// held) keeps the world from stopping until its record is reserved, so
// the record's index comes before the procresize that destroys it.
type procs struct {
	gomaxprocs int64 // the Ps the process has (outside a procresize)
	seen       bool  // a procresize entry was seen
	in         bool  // between a procresize's entry and end
	old, new   int32 // the procresize's
	destroyed  int32 // the next P its p.destroy destroys
}

// checkP checks r's P against the Ps the process has (see procs).
func (c *consistency) checkP(r *Record) {
	ps := &c.procs
	switch r.Kind {
	case KProcresize:
		if r.F[2] == 0 {
			switch {
			case ps.in:
				c.addf(r, "procresize entered again before the end of the one before (it runs under sched.lock)")
			case r.F[0] == 0 && r.Index != 0:
				c.addf(r, "procresize from 0 Ps (schedinit's, before any P exists) is not the history's first record")
			case ps.seen && int64(r.F[0]) != ps.gomaxprocs:
				c.addf(r, "procresize's old gomaxprocs is %d; the last procresize left %d", r.F[0], ps.gomaxprocs)
			}
			if r.F[0] < 0 || r.F[1] <= 0 {
				c.addf(r, "procresize from %d to %d Ps (procresize throws on old < 0 or nprocs <= 0)", r.F[0], r.F[1])
			}
			if r.P >= 0 && int32(r.P) >= r.F[0] {
				c.addf(r, "procresize entered on P%d, not one of the old %d Ps", r.P, r.F[0])
			}
			*ps = procs{gomaxprocs: ps.gomaxprocs, seen: true, in: true, old: r.F[0], new: r.F[1], destroyed: r.F[1]}
			return
		}
		if !ps.in || r.F[0] != ps.old || r.F[1] != ps.new {
			c.addf(r, "procresize's end without its entry (from %d to %d Ps)", r.F[0], r.F[1])
		} else if ps.destroyed < ps.old {
			c.addf(r, "procresize from %d to %d Ps ends with P%d..P%d not destroyed (p.destroy runs on each P from nprocs up to old)",
				ps.old, ps.new, ps.destroyed, ps.old-1)
		}
		if r.P < 0 || int32(r.P) >= r.F[1] {
			c.addf(r, "procresize ends on %s, not one of its %d Ps (it leaves the M holding a P below nprocs)", pname(int(r.P)), r.F[1])
		}
		ps.in, ps.gomaxprocs = false, int64(r.F[1])
		return
	case KPDestroy:
		switch {
		case !ps.in:
			c.addf(r, "p.destroy outside procresize (its only caller)")
		case int32(r.P) != ps.destroyed || ps.destroyed >= ps.old:
			c.addf(r, "p.destroy of P%d; procresize from %d to %d Ps destroys P%d..P%d in order, next %s",
				r.P, ps.old, ps.new, ps.new, ps.old-1, c.nextDestroy())
		default:
			ps.destroyed++
		}
		return
	case KGfpurge:
		switch {
		case !ps.in:
			c.addf(r, "gfpurge outside procresize (p.destroy is its only caller)")
		case ps.destroyed == ps.new || int32(r.P) != ps.destroyed-1:
			c.addf(r, "gfpurge of P%d, not the P procresize's p.destroy destroys (P%d)", r.P, ps.destroyed-1)
		}
		return
	}
	if r.P < 0 {
		return
	}
	if ps.in {
		if int32(r.P) >= ps.new {
			c.addf(r, "a record on P%d during procresize from %d to %d Ps: only its entry, p.destroy and gfpurge name a P at or above nprocs",
				r.P, ps.old, ps.new)
		}
		return
	}
	if int64(r.P) >= ps.gomaxprocs {
		c.addf(r, "a record on P%d, but the process has %d Ps (gomaxprocs: the header's, or the last procresize's)", r.P, ps.gomaxprocs)
	}
}

// nextDestroy names the P procresize's next p.destroy destroys.
func (c *consistency) nextDestroy() string {
	if ps := &c.procs; ps.destroyed < ps.old {
		return pname(int(ps.destroyed))
	}
	return "none"
}

// malgs pairs newproc1's malg path with its malg record. newproc1
// (proc.go) runs with the M acquired (acquirem) on the M's P: when
// gfget finds nothing it calls malg and allgadd, after which the
// newproc1.malg record is written (gexitMalg), then, if the P's goid
// cache is empty, the goid batch's record, then newproc1's own record
// (gexitNewproc1, from = 0). So on that M the newproc1 record of the
// malg path comes right after the malg record naming the same G and P,
// with at most the goid batch between, and a malg record is followed by
// that newproc1.
type malgs struct {
	pending []*Record         // per M id (up to maxTrackedM): its malg record not yet followed by newproc1
	other   map[int32]*Record // the same for the other M ids (a corrupt id must not size a table)
}

// checkMalg checks r against the malg record pending on its M.
func (c *consistency) checkMalg(r *Record) {
	m := &c.malgs
	tracked := r.M >= 0 && r.M <= maxTrackedM
	var p *Record // the malg record pending on r's M
	switch {
	case tracked && int(r.M) < len(m.pending):
		p = m.pending[r.M]
	case !tracked && m.other != nil:
		p = m.other[r.M]
	}
	if p == nil && r.Kind != KMalg && (r.Kind != KNewproc1 || r.F[0] != 0) {
		return // nothing pending on the M, and r neither starts nor ends a malg path
	}
	switch {
	case r.Kind == KGoidBatch:
		return // newproc1's goid batch, between the malg and newproc1
	case r.Kind == KNewproc1 && r.F[0] == 0:
		switch {
		case p == nil:
			c.addf(r, "newproc1 took the malg path (gfget found nothing) without a newproc1.malg record just before on M%d: newproc1 writes it after malg and allgadd", r.M)
		case p.G != r.G || p.P != r.P:
			c.addf(r, "newproc1 took the malg path on M%d, but the malg record just before (#%d) made G %#x on %s", r.M, p.Index, p.G, pname(int(p.P)))
		}
	case p != nil:
		c.addf(r, "M%d's newproc1.malg record #%d (G %#x) is not followed by its newproc1 on that M (at most its goid batch between)", r.M, p.Index, p.G)
	}
	p = nil
	if r.Kind == KMalg {
		p = r
	}
	switch {
	case tracked:
		if int(r.M) >= len(m.pending) {
			m.pending = append(m.pending, make([]*Record, int(r.M)+1-len(m.pending))...)
		}
		m.pending[r.M] = p
	case p != nil:
		if m.other == nil {
			m.other = map[int32]*Record{}
		}
		m.other[r.M] = p
	default:
		delete(m.other, r.M)
	}
}

// gi is the dense index of G address addr.
func (c *consistency) gi(addr uint64) int32 {
	if i, ok := c.gs.get(addr); ok {
		return i
	}
	i := int32(len(c.addrs))
	c.gs.put(addr, i)
	c.addrs = append(c.addrs, addr)
	c.gfree = append(c.gfree, false)
	c.seen = append(c.seen, false)
	return i
}

// takeGoid records that G took goid and returns the G address that had
// it before, if one did.
func (c *consistency) takeGoid(goid uint64, g int32) (uint64, bool) {
	if goid >= c.goidLimit {
		if c.bigGoids == nil {
			c.bigGoids = map[uint64]uint64{}
		}
		prev, dup := c.bigGoids[goid]
		c.bigGoids[goid] = c.addrs[g]
		return prev, dup
	}
	if goid >= uint64(len(c.goids)) {
		c.goids = append(c.goids, make([]int32, int(goid)+1-len(c.goids)+len(c.goids)/2)...)
	}
	prev := c.goids[goid]
	c.goids[goid] = g + 1
	if prev == 0 {
		return 0, false
	}
	return c.addrs[prev-1], true
}

// consistencyInfo is what check needs of each kind: whether it takes an
// entry stamp, and its unused fields (bit i: field i).
var consistencyInfo = func() (k [numKinds]struct {
	entry  bool
	unused uint8
}) {
	for i := Kind(1); i < numKinds; i++ {
		k[i].entry = kinds[i].Entry
		for f, n := range kinds[i].Fields {
			if n == "" {
				k[i].unused |= 1 << f
			}
		}
	}
	return k
}()

func (c *consistency) addf(r *Record, format string, a ...any) {
	c.problems = append(c.problems, fmt.Sprintf("%s: %s", r, fmt.Sprintf(format, a...)))
}

func (c *consistency) want(r *Record, what string, have, want int32) {
	if have != want {
		c.addf(r, "%s is %d, the records before say %d", what, have, want)
	}
}

func (c *consistency) check(r *Record) {
	if r.Kind == 0 || r.Kind >= numKinds {
		c.addf(r, "unknown kind %d", uint16(r.Kind))
		return
	}
	if c.kinds != 0 && r.Kind > c.kinds {
		c.addf(r, "a record of kind %d, beyond the %d kinds its runtime side knew", uint16(r.Kind), uint16(c.kinds))
		return
	}
	info := &consistencyInfo[r.Kind]
	if info.entry {
		if r.Entry > r.Index {
			c.addf(r, "entry stamp %d after its exit stamp", r.Entry)
		}
	} else if r.Entry != 0 {
		c.addf(r, "an entry stamp on a kind that takes none")
	}
	if r.P < -1 {
		c.addf(r, "P id %d", r.P)
	}
	c.checkP(r)
	c.checkMalg(r)
	if info.unused != 0 {
		for i := range r.F {
			if info.unused&(1<<i) != 0 && r.F[i] != 0 {
				c.addf(r, "unused field %c is %d", 'a'+i, r.F[i])
			}
		}
	}
	if r.G != 0 || r.Kind == KMalg {
		g := c.gi(r.G)
		if r.Kind == KMalg && c.seen[g] {
			c.addf(r, "malg returned a G address seen before (G structs are never freed)")
		}
		if r.G != 0 {
			c.seen[g] = true
		}
	}
	local := &c.local[uint16(r.P)]
	moved := r.F[0] + r.F[1]
	switch r.Kind {
	case KGdestroy:
		if c.gfree[c.gi(r.G)] {
			c.addf(r, "gdestroy of a G that is on a free list")
		}
	case KGfput:
		g := c.gi(r.G)
		if c.gfree[g] {
			c.addf(r, "gfput of a G already on a free list")
		}
		c.gfree[g] = true
		c.want(r, "the P's free list size after gfput", r.F[2], *local+1)
		*local = r.F[2]
	case KGfputSpill, KGfpurge:
		if r.F[2] != *local-moved {
			c.want(r, "the P's free list size after moving "+fmt.Sprint(moved), r.F[2], *local-moved)
		}
		c.want(r, "sched.gFree.stack.size", r.F[3], c.gStack+r.F[0])
		c.want(r, "sched.gFree.noStack.size", r.F[4], c.gNoStack+r.F[1])
		*local, c.gStack, c.gNoStack = r.F[2], r.F[3], r.F[4]
	case KGfgetRefill:
		c.want(r, "the P's free list size after the refill", r.F[2], *local+moved)
		c.want(r, "sched.gFree.stack.size", r.F[3], c.gStack-r.F[0])
		c.want(r, "sched.gFree.noStack.size", r.F[4], c.gNoStack-r.F[1])
		*local, c.gStack, c.gNoStack = r.F[2], r.F[3], r.F[4]
	case KGCFreeTake:
		c.want(r, "the stack list taken by markrootFreeGStacks", r.F[0], c.gStack)
		c.want(r, "sched.gFree.stack.size after markrootFreeGStacks takes it", r.F[3], 0)
		c.want(r, "sched.gFree.noStack.size", r.F[4], c.gNoStack)
		c.gStack, c.gcTaken = 0, r.F[0]
	case KGCFreePut:
		c.want(r, "the Gs markrootFreeGStacks puts back", r.F[0], c.gcTaken)
		c.want(r, "sched.gFree.stack.size", r.F[3], c.gStack)
		c.want(r, "sched.gFree.noStack.size", r.F[4], c.gNoStack+r.F[0])
		c.gNoStack, c.gcTaken = r.F[4], 0
	case KNewproc1:
		if r.F[0] == 0 { // gfget found nothing: malg
			c.want(r, "the P's free list size when gfget finds nothing", r.F[1], 0)
			c.want(r, "the P's free list size before gfget found nothing", *local, 0)
			if c.gfree[c.gi(r.G)] {
				c.addf(r, "newproc1 made a G on a free list runnable")
			}
		} else {
			g := c.gi(r.G)
			if !c.gfree[g] {
				c.addf(r, "gfget returned a G that is not on a free list")
			}
			c.gfree[g] = false
			c.want(r, "the P's free list size after gfget", r.F[1], *local-1)
			*local = r.F[1]
		}
		if prev, dup := c.takeGoid(r.X, c.gi(r.G)); dup {
			c.addf(r, "goid %d reused (G %#x had it)", r.X, prev)
		}
	case KGlobrunqput, KGlobrunqputhead, KGlobrunqputbatch:
		c.want(r, "sched.runq.size", r.F[1], c.runq+r.F[0])
		c.runq = r.F[1]
	case KGlobrunqget, KGlobrunqgetbatch:
		if r.G == 0 {
			c.want(r, "sched.runq.size when empty-handed", c.runq, 0)
			break
		}
		c.want(r, "sched.runq.size", r.F[1], c.runq-r.F[0])
		c.runq = r.F[1]
	}
	for _, v := range []int32{*local, c.gStack, c.gNoStack, c.runq} {
		if v < 0 {
			c.addf(r, "a list size went negative")
			break
		}
	}
}
