package rtcheck

import "fmt"

// maxProblems bounds the problems one check reports.
const maxProblems = 20

// Consistency checks that a process's records decode into a coherent
// history, before any judging, on the settled prefix (File.Settled): known kinds,
// entry stamps before exit stamps, P ids in range, no negative size, list
// sizes that follow from one record to the next (each P's free list,
// sched.gFree.stack and .noStack, sched.runq: every operation that
// changes them is probed, so a size that does not follow means a record
// is missing or misplaced), a G put on a free list only while live and
// taken only while free, a malg'd G never seen before, and goids never
// reused.
//
// It is bookkeeping of the records, not a model: whether the runtime's
// choices are the spec's (which list, how many, which G) is the spec
// judge's question (Options.Judge).
func Consistency(f *File) []string {
	c := &consistency{
		local: map[int16]int32{},
		free:  map[uint64]bool{},
		seen:  map[uint64]bool{},
		goids: map[uint64]uint64{},
	}
	for _, r := range f.Records[:f.Settled] {
		if len(c.problems) >= maxProblems {
			c.problems = append(c.problems, "... (more problems not listed)")
			break
		}
		c.check(r)
	}
	if t := f.Trailer; t != nil {
		if t.Drained != uint64(len(f.Records)) {
			c.problems = append(c.problems, fmt.Sprintf("the trailer says %d records were written, the file holds %d", t.Drained, len(f.Records)))
		}
		if n := len(f.Records); n > 0 && f.Records[n-1].Index >= t.Reserved {
			c.problems = append(c.problems, fmt.Sprintf("record index %d at or past the %d reserved at the final drain", f.Records[n-1].Index, t.Reserved))
		}
	}
	return c.problems
}

type consistency struct {
	problems []string
	local    map[int16]int32 // p.gFree.size by P
	gStack   int32           // sched.gFree.stack.size
	gNoStack int32           // sched.gFree.noStack.size
	gcTaken  int32           // taken by markrootFreeGStacks, not yet put back
	runq     int32           // sched.runq.size
	free     map[uint64]bool // G address -> on a free list
	seen     map[uint64]bool // G addresses seen at all
	goids    map[uint64]uint64
}

func (c *consistency) addf(r Record, format string, a ...any) {
	c.problems = append(c.problems, fmt.Sprintf("%s: %s", r, fmt.Sprintf(format, a...)))
}

func (c *consistency) want(r Record, what string, have, want int32) {
	if have != want {
		c.addf(r, "%s is %d, the records before say %d", what, have, want)
	}
}

func (c *consistency) check(r Record) {
	info, ok := r.Kind.Info()
	if !ok {
		c.addf(r, "unknown kind %d", uint16(r.Kind))
		return
	}
	if info.Entry {
		if r.Entry > r.Index {
			c.addf(r, "entry stamp %d after its exit stamp", r.Entry)
		}
	} else if r.Entry != 0 {
		c.addf(r, "an entry stamp on a kind that takes none")
	}
	if r.P < -1 {
		c.addf(r, "P id %d", r.P)
	}
	for i, n := range info.Fields {
		if n == "" && r.F[i] != 0 {
			c.addf(r, "unused field %c is %d", 'a'+i, r.F[i])
		}
	}
	if r.Kind == KMalg && c.seen[r.G] {
		c.addf(r, "malg returned a G address seen before (G structs are never freed)")
	}
	if r.G != 0 {
		c.seen[r.G] = true
	}
	moved := r.F[0] + r.F[1]
	switch r.Kind {
	case KGdestroy:
		if c.free[r.G] {
			c.addf(r, "gdestroy of a G that is on a free list")
		}
	case KGfput:
		if c.free[r.G] {
			c.addf(r, "gfput of a G already on a free list")
		}
		c.free[r.G] = true
		c.want(r, "the P's free list size after gfput", r.F[2], c.local[r.P]+1)
		c.local[r.P] = r.F[2]
	case KGfputSpill, KGfpurge:
		c.want(r, "the P's free list size after moving "+fmt.Sprint(moved), r.F[2], c.local[r.P]-moved)
		c.want(r, "sched.gFree.stack.size", r.F[3], c.gStack+r.F[0])
		c.want(r, "sched.gFree.noStack.size", r.F[4], c.gNoStack+r.F[1])
		c.local[r.P], c.gStack, c.gNoStack = r.F[2], r.F[3], r.F[4]
	case KGfgetRefill:
		c.want(r, "the P's free list size after the refill", r.F[2], c.local[r.P]+moved)
		c.want(r, "sched.gFree.stack.size", r.F[3], c.gStack-r.F[0])
		c.want(r, "sched.gFree.noStack.size", r.F[4], c.gNoStack-r.F[1])
		c.local[r.P], c.gStack, c.gNoStack = r.F[2], r.F[3], r.F[4]
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
			c.want(r, "the P's free list size before gfget found nothing", c.local[r.P], 0)
			if c.free[r.G] {
				c.addf(r, "newproc1 made a G on a free list runnable")
			}
		} else {
			if !c.free[r.G] {
				c.addf(r, "gfget returned a G that is not on a free list")
			}
			delete(c.free, r.G)
			c.want(r, "the P's free list size after gfget", r.F[1], c.local[r.P]-1)
			c.local[r.P] = r.F[1]
		}
		if prev, dup := c.goids[r.X]; dup {
			c.addf(r, "goid %d reused (G %#x had it)", r.X, prev)
		}
		c.goids[r.X] = r.G
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
	for _, v := range []int32{c.local[r.P], c.gStack, c.gNoStack, c.runq} {
		if v < 0 {
			c.addf(r, "a list size went negative")
			break
		}
	}
}
