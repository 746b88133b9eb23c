package checker

import "sync/atomic"

// fpSet is an open-addressing set of 64-bit state fingerprints: 8 bytes a
// slot, grown at a load factor of 3/4. Fingerprint 0 is stored out of band.
// A wide set (-fingerprint 128) holds 128-bit fingerprints: a slot is two
// words, side by side in one cache line (16 bytes a slot); the first word
// 0 is taken as 1 (the second tells the two apart), and two fingerprints
// that share the first word are both kept, in slots of one probe run.
//
// One goroutine at a time adds (the writer); others may look fingerprints
// up meanwhile (contains, touch), which see the fingerprints added before
// and perhaps some of those being added: first words are written and read
// atomically (a second word is written before its first, and read after),
// and a grown table is filled before it is published to the readers (a
// reader still probing the old one sees fewer fingerprints, never a wrong
// one).
type fpSet struct {
	slots   []uint64                 // the writer's table: 1<<sh words a slot
	pub     atomic.Pointer[[]uint64] // the table readers probe
	sh      uint                     // 0, or 1 when wide
	n       int
	hasZero atomic.Bool
}

func newFPSet(capacity int, wide bool) *fpSet {
	size := 1024
	for size*3/4 < capacity {
		size *= 2
	}
	s := &fpSet{}
	if wide {
		s.sh = 1
	}
	s.publish(make([]uint64, size<<s.sh))
	return s
}

func (s *fpSet) publish(t []uint64) {
	s.slots = t
	s.pub.Store(&t)
}

// add inserts the fingerprint (fp, hi) (hi is ignored unless the set is
// wide) and reports whether it was new.
func (s *fpSet) add(fp, hi uint64) bool {
	sh := s.sh
	if sh == 1 {
		fp |= b2u(fp == 0)
	} else if fp == 0 {
		if s.hasZero.Load() {
			return false
		}
		s.hasZero.Store(true)
		s.n++
		return true
	}
	if (s.n+1)*4<<sh > len(s.slots)*3 {
		s.grow()
	}
	t := s.slots
	mask := uint64(len(t))>>sh - 1
	for i := fp & mask; ; i = (i + 1) & mask {
		switch t[i<<sh] {
		case fp:
			if sh == 0 || t[i<<sh+1] == hi {
				return false
			}
		case 0:
			if sh == 1 {
				t[i<<sh+1] = hi
			}
			atomic.StoreUint64(&t[i<<sh], fp)
			s.n++
			return true
		}
	}
}

// contains reports whether (fp, hi) is in the set (safe while another
// goroutine adds).
func (s *fpSet) contains(fp, hi uint64) bool {
	sh := s.sh
	if sh == 1 {
		fp |= b2u(fp == 0)
	} else if fp == 0 {
		return s.hasZero.Load()
	}
	t := *s.pub.Load()
	mask := uint64(len(t))>>sh - 1
	for i := fp & mask; ; i = (i + 1) & mask {
		switch atomic.LoadUint64(&t[i<<sh]) {
		case fp:
			if sh == 0 || t[i<<sh+1] == hi {
				return true
			}
		case 0:
			return false
		}
	}
}

// touch loads fp's home slot and returns it, so that a later lookup of fp
// finds it in the cache: a batch of touches overlaps the misses. (Safe
// while another goroutine adds.)
func (s *fpSet) touch(fp uint64) uint64 {
	t := *s.pub.Load()
	sh := s.sh
	return atomic.LoadUint64(&t[(fp&(uint64(len(t))>>sh-1))<<sh])
}

func (s *fpSet) grow() {
	old, sh := s.slots, s.sh
	t := make([]uint64, 2*len(old))
	mask := uint64(len(t))>>sh - 1
	for k := 0; k < len(old); k += 1 << sh {
		fp := old[k]
		if fp == 0 {
			continue
		}
		i := fp & mask
		for t[i<<sh] != 0 {
			i = (i + 1) & mask
		}
		t[i<<sh] = fp
		if sh == 1 {
			t[i<<sh+1] = old[k+1]
		}
	}
	s.publish(t)
}

func (s *fpSet) bytes() int { return 8 * len(s.slots) }

// fpMap maps 64-bit state fingerprints to state numbers: an fpSet with a
// parallel array of numbers (12 bytes a slot). The liveness check needs
// the number of a state seen before, to record the edge to it.
type fpMap struct {
	slots   []uint64
	ids     []uint32
	n       int
	zeroID  uint32
	hasZero bool
	sink    uint64
}

func newFPMap(capacity int) *fpMap {
	size := 1024
	for size*3/4 < capacity {
		size *= 2
	}
	return &fpMap{slots: make([]uint64, size), ids: make([]uint32, size)}
}

// insert returns fp's number and false if fp was seen, or inserts it with
// number id and returns id and true.
func (m *fpMap) insert(fp uint64, id uint32) (uint32, bool) {
	if fp == 0 {
		if m.hasZero {
			return m.zeroID, false
		}
		m.hasZero, m.zeroID = true, id
		m.n++
		return id, true
	}
	if (m.n+1)*4 > len(m.slots)*3 {
		m.grow()
	}
	mask := uint64(len(m.slots) - 1)
	for i := fp & mask; ; i = (i + 1) & mask {
		switch m.slots[i] {
		case fp:
			return m.ids[i], false
		case 0:
			m.slots[i] = fp
			m.ids[i] = id
			m.n++
			return id, true
		}
	}
}

func (m *fpMap) touch(fp uint64) {
	i := fp & uint64(len(m.slots)-1)
	m.sink += m.slots[i] + uint64(m.ids[i])
}

func (m *fpMap) grow() {
	old, oldIDs := m.slots, m.ids
	m.slots = make([]uint64, 2*len(old))
	m.ids = make([]uint32, 2*len(old))
	mask := uint64(len(m.slots) - 1)
	for k, fp := range old {
		if fp == 0 {
			continue
		}
		i := fp & mask
		for m.slots[i] != 0 {
			i = (i + 1) & mask
		}
		m.slots[i] = fp
		m.ids[i] = oldIDs[k]
	}
}

func (m *fpMap) bytes() int { return 8*len(m.slots) + 4*len(m.ids) }

const (
	// fpShards is how many fpSets a shardedSet splits fingerprints into,
	// by their top bits (an fpSet's slot is chosen by the low bits).
	fpShards = 64
)

// shardedSet is a set of fingerprints split into fpShards stores (exact
// fpSets, or the regions of a bitstate array): an exact set grows a shard
// at a time. Which shard holds a fingerprint depends on the fingerprint
// only.
type shardedSet struct {
	// One of the two: exact sets, or bitstate regions (concrete types,
	// not an interface: the lookups inline).
	exact [fpShards]*fpSet
	bits  [fpShards]*bitShard
	sink  uint64 // keeps dedup's touches
}

// newShardedSet is an exact store of 64-bit fingerprints, or of 128-bit
// ones when wide.
func newShardedSet(wide bool) *shardedSet {
	s := &shardedSet{}
	for i := range s.exact {
		s.exact[i] = newFPSet(1024, wide)
	}
	return s
}

// newBitstateSet is a bitstate store of 2^bits bits in all, k bits a
// state, hashed with seed.
func newBitstateSet(bits, k int, seed uint64) *shardedSet {
	s := &shardedSet{}
	per := uint64(1) << (bits - 6) // bits per shard (fpShards = 2^6)
	for i := range s.bits {
		s.bits[i] = &bitShard{words: make([]uint64, per/64), mask: per - 1, k: k, seed: seed}
	}
	return s
}

func shardOf(fp uint64) int { return int(fp >> 58) }

// add inserts the fingerprint (fp, hi) (hi: a wide set's second word)
// and reports whether it was new.
func (s *shardedSet) add(fp, hi uint64) bool {
	if s.bits[0] != nil {
		return s.bits[shardOf(fp)].add(fp)
	}
	return s.exact[shardOf(fp)].add(fp, hi)
}

// contains reports whether (fp, hi) is in the set: for a bitstate store,
// whether add would take it as seen.
func (s *shardedSet) contains(fp, hi uint64) bool {
	if s.bits[0] != nil {
		return s.bits[shardOf(fp)].contains(fp)
	}
	return s.exact[shardOf(fp)].contains(fp, hi)
}

// touch loads the memory a lookup of fp reads first, and returns what it
// loaded.
func (s *shardedSet) touch(fp uint64) uint64 {
	if s.bits[0] != nil {
		return s.bits[shardOf(fp)].touch(fp)
	}
	return s.exact[shardOf(fp)].touch(fp)
}

// dedup adds the candidates of ts to the set in round order, and marks
// each one's first occurrence new: the outcome is the one of looking every
// successor up in order (a successor that is no candidate was in the set
// before the round, or occurred earlier in its task). It first loads each
// candidate's slot, so that the cache misses overlap.
func (s *shardedSet) dedup(ts []task) {
	var sink uint64
	for ti := range ts {
		for _, i := range ts[ti].cands {
			sink += s.touch(ts[ti].succs[i].fp)
		}
	}
	s.sink += sink
	for ti := range ts {
		t := &ts[ti]
		for _, i := range t.cands {
			sc := &t.succs[i]
			sc.isNew = s.add(sc.fp, sc.fp2)
		}
	}
}

func (s *shardedSet) bytes() int {
	n := 0
	for i := range s.exact {
		if s.bits[i] != nil {
			n += s.bits[i].bytes()
		} else {
			n += s.exact[i].bytes()
		}
	}
	return n
}

// bitShard is one shard of a bitstate (supertrace) store: a bit array in
// which a state is recorded as k bits its fingerprint selects, as SPIN's
// -DBITSTATE. A state all of whose k bits are set is taken as seen: it may
// be a new state that collides, so a bitstate search is partial. As with
// fpSet, one goroutine adds while others may look up: words are written
// and read atomically.
type bitShard struct {
	words []uint64
	mask  uint64 // bits in the shard - 1
	k     int
	seed  uint64
}

// bitHashes are the k bit positions of fp: double hashing from two
// 64-bit mixes of the seeded fingerprint.
func (b *bitShard) hashes(fp uint64) (h1, h2 uint64) {
	h1 = mix64(fp ^ b.seed)
	h2 = mix64(h1^0x9e3779b97f4a7c15) | 1
	return
}

func (b *bitShard) add(fp uint64) bool {
	h1, h2 := b.hashes(fp)
	isNew := false
	for j := range uint64(b.k) {
		bit := (h1 + j*h2) & b.mask
		w, m := bit>>6, uint64(1)<<(bit&63)
		if v := b.words[w]; v&m == 0 {
			atomic.StoreUint64(&b.words[w], v|m)
			isNew = true
		}
	}
	return isNew
}

func (b *bitShard) contains(fp uint64) bool {
	h1, h2 := b.hashes(fp)
	for j := range uint64(b.k) {
		bit := (h1 + j*h2) & b.mask
		if atomic.LoadUint64(&b.words[bit>>6])&(uint64(1)<<(bit&63)) == 0 {
			return false
		}
	}
	return true
}

func (b *bitShard) touch(fp uint64) uint64 {
	h1, _ := b.hashes(fp)
	return atomic.LoadUint64(&b.words[(h1&b.mask)>>6])
}

func (b *bitShard) bytes() int { return 8 * len(b.words) }

// mix64 is splitmix64's finalizer.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
