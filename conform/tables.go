package conform

import (
	"math"
	"math/bits"
	"sort"
)

// The checker's tables. Their sizes follow the live goroutines, not the
// trace length: gtable holds only live goroutines; ptable the Ps; idset
// the exited goroutine ids, compacted into runs as blocks of ids fill up.

// gEmpty marks a free gtable slot (no goroutine id is MinInt64).
const gEmpty = math.MinInt64

// gentry is one gtable slot.
type gentry struct {
	id int64
	gstate
}

// gtable holds the state of the live goroutines: an open-addressing hash
// table (linear probing, Fibonacci hashing of the id, backward-shift
// deletion, so no tombstones), at most half full. It grows with the peak
// number of live goroutines and never shrinks. The slot of the last id
// looked up is remembered, so the get-then-put of one event probes once.
type gtable struct {
	tab   []gentry
	shift uint8 // 64 - log2(len(tab))
	n     int
	last  int // slot of the last get or put, or -1
}

const gtableMin = 64

func (t *gtable) init() {
	t.tab = make([]gentry, gtableMin)
	for i := range t.tab {
		t.tab[i].id = gEmpty
	}
	t.shift = uint8(64 - bits.TrailingZeros(gtableMin))
	t.n = 0
	t.last = -1
}

func (t *gtable) home(id int64) int {
	return int((uint64(id) * 0x9E3779B97F4A7C15) >> t.shift)
}

// slot returns the slot holding id, or the free slot where it would go.
func (t *gtable) slot(id int64) (int, bool) {
	mask := len(t.tab) - 1
	for i := t.home(id); ; i = (i + 1) & mask {
		switch t.tab[i].id {
		case id:
			return i, true
		case gEmpty:
			return i, false
		}
	}
}

func (t *gtable) get(id int64) (gstate, bool) {
	if t.last >= 0 && t.tab[t.last].id == id {
		return t.tab[t.last].gstate, true
	}
	i, ok := t.slot(id)
	if !ok {
		return gstate{}, false
	}
	t.last = i
	return t.tab[i].gstate, true
}

func (t *gtable) put(id int64, s gstate) {
	if t.last >= 0 && t.tab[t.last].id == id {
		t.tab[t.last].gstate = s
		return
	}
	i, ok := t.slot(id)
	if !ok {
		if 2*(t.n+1) > len(t.tab) {
			t.grow()
			i, _ = t.slot(id)
		}
		t.n++
		t.tab[i].id = id
	}
	t.tab[i].gstate = s
	t.last = i
}

func (t *gtable) grow() {
	old := t.tab
	t.tab = make([]gentry, 2*len(old))
	for i := range t.tab {
		t.tab[i].id = gEmpty
	}
	t.shift--
	for _, e := range old {
		if e.id != gEmpty {
			i, _ := t.slot(e.id)
			t.tab[i] = e
		}
	}
	t.last = -1
}

func (t *gtable) del(id int64) {
	i, ok := t.slot(id)
	if !ok {
		return
	}
	t.n--
	t.last = -1
	// Backward-shift deletion: move later entries of the probe run into
	// the hole unless their home lies cyclically in (hole, entry].
	mask := len(t.tab) - 1
	for j := (i + 1) & mask; t.tab[j].id != gEmpty; j = (j + 1) & mask {
		h := t.home(t.tab[j].id)
		if (j > i && (h <= i || h > j)) || (j < i && h <= i && h > j) {
			t.tab[i] = t.tab[j]
			i = j
		}
	}
	t.tab[i].id = gEmpty
}

// len returns the number of live goroutines held.
func (t *gtable) len() int { return t.n }

// maxProcID bounds the P ids kept in a slice; larger ones (only in
// synthetic input) go to a map.
const maxProcID = 1 << 12

// ptable holds the Ps' state.
type ptable struct {
	small []pstate // indexed by P id; state 0 (Undetermined) with known=false is absent
	big   map[int64]pstate
}

func (t *ptable) get(id int64) (pstate, bool) {
	if id >= 0 && id < maxProcID {
		if id < int64(len(t.small)) && t.small[id].known {
			return t.small[id], true
		}
		return pstate{}, false
	}
	p, ok := t.big[id]
	return p, ok
}

func (t *ptable) put(id int64, p pstate) {
	p.known = true
	if id >= 0 && id < maxProcID {
		for int64(len(t.small)) <= id {
			t.small = append(t.small, pstate{})
		}
		t.small[id] = p
		return
	}
	if t.big == nil {
		t.big = make(map[int64]pstate)
	}
	t.big[id] = p
}

// idset is the set of exited goroutine ids (never negative). Ids are kept
// in blocks of idBlock ids, one bit each; a block all of whose ids are in
// the set is freed and becomes part of a run of full blocks. The runtime
// hands out goroutine ids nearly in order (each P takes a batch of 16 from
// a global counter), so blocks fill up as their goroutines exit, and the
// set holds a block only while one of its ids is live or unused (a live
// goroutine; one that existed before the trace began and did not exit in
// it; ids the runtime skipped, such as a destroyed P's unused batch), and
// one run per gap between full blocks.
type idset struct {
	blocks map[int64]*idblock
	runs   []blockRun // sorted, disjoint and not adjacent
	last   int64      // block number of lastB
	lastB  *idblock
}

const (
	idBlockShift = 12
	idBlock      = 1 << idBlockShift
)

type idblock struct {
	bits [idBlock / 64]uint64
	n    int
}

// blockRun is the run of full blocks lo..hi (block numbers, inclusive).
type blockRun struct{ lo, hi int64 }

func (s *idset) block(k int64) *idblock {
	if s.lastB != nil && s.last == k {
		return s.lastB
	}
	b := s.blocks[k]
	if b != nil {
		s.last, s.lastB = k, b
	}
	return b
}

// full reports whether block k is in a run of full blocks.
func (s *idset) full(k int64) bool {
	n := len(s.runs)
	if n == 0 {
		return false
	}
	if r := s.runs[n-1]; k >= r.lo {
		return k <= r.hi
	}
	i := sort.Search(n, func(i int) bool { return s.runs[i].hi >= k })
	return i < n && s.runs[i].lo <= k
}

func (s *idset) has(id int64) bool {
	if id < 0 {
		return false
	}
	k := id >> idBlockShift
	if b := s.block(k); b != nil {
		return b.bits[(id>>6)&(idBlock/64-1)]&(1<<(id&63)) != 0
	}
	return s.full(k)
}

func (s *idset) set(id int64) {
	if id < 0 {
		return
	}
	k := id >> idBlockShift
	b := s.block(k)
	if b == nil {
		if s.full(k) {
			return
		}
		if s.blocks == nil {
			s.blocks = make(map[int64]*idblock)
		}
		b = new(idblock)
		s.blocks[k] = b
		s.last, s.lastB = k, b
	}
	w, m := (id>>6)&(idBlock/64-1), uint64(1)<<(id&63)
	if b.bits[w]&m != 0 {
		return
	}
	b.bits[w] |= m
	if b.n++; b.n == idBlock {
		delete(s.blocks, k)
		s.lastB = nil
		s.addRun(k)
	}
}

// addRun adds the full block k (not yet in a run) to the runs.
func (s *idset) addRun(k int64) {
	i := sort.Search(len(s.runs), func(i int) bool { return s.runs[i].lo > k })
	// s.runs[i-1].lo < k < s.runs[i].lo
	joinPrev := i > 0 && s.runs[i-1].hi == k-1
	joinNext := i < len(s.runs) && s.runs[i].lo == k+1
	switch {
	case joinPrev && joinNext:
		s.runs[i-1].hi = s.runs[i].hi
		s.runs = append(s.runs[:i], s.runs[i+1:]...)
	case joinPrev:
		s.runs[i-1].hi = k
	case joinNext:
		s.runs[i].lo = k
	default:
		s.runs = append(s.runs, blockRun{})
		copy(s.runs[i+1:], s.runs[i:])
		s.runs[i] = blockRun{k, k}
	}
}

// footprint returns the number of blocks and runs held.
func (s *idset) footprint() (blocks, runs int) { return len(s.blocks), len(s.runs) }
