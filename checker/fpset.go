package checker

// fpSet is an open-addressing set of 64-bit state fingerprints: 8 bytes a
// slot, grown at a load factor of 3/4. Fingerprint 0 is stored out of band.
type fpSet struct {
	slots   []uint64
	n       int
	hasZero bool
	sink    uint64 // keeps touch's loads
}

func newFPSet(capacity int) *fpSet {
	size := 1024
	for size*3/4 < capacity {
		size *= 2
	}
	return &fpSet{slots: make([]uint64, size)}
}

// add inserts fp and reports whether it was new.
func (s *fpSet) add(fp uint64) bool {
	if fp == 0 {
		if s.hasZero {
			return false
		}
		s.hasZero = true
		s.n++
		return true
	}
	if (s.n+1)*4 > len(s.slots)*3 {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := fp & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case fp:
			return false
		case 0:
			s.slots[i] = fp
			s.n++
			return true
		}
	}
}

// touch loads fp's home slot, so that a later add of fp finds it in the
// cache: a batch of touches overlaps the misses.
func (s *fpSet) touch(fp uint64) {
	s.sink += s.slots[fp&uint64(len(s.slots)-1)]
}

func (s *fpSet) grow() {
	old := s.slots
	s.slots = make([]uint64, 2*len(old))
	mask := uint64(len(s.slots) - 1)
	for _, fp := range old {
		if fp == 0 {
			continue
		}
		i := fp & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = fp
	}
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
	// fpGroups is how many groups of shards the explorer's workers look
	// up in parallel.
	fpGroups = 8
)

// shardedSet is a set of fingerprints split into fpShards stores (exact
// fpSets, or the regions of a bitstate array), so that workers can insert
// into different shards at once. Which shard holds a fingerprint depends
// on the fingerprint only.
type shardedSet struct {
	// One of the two: exact sets, or bitstate regions (concrete types,
	// not an interface: the lookups inline).
	exact [fpShards]*fpSet
	bits  [fpShards]*bitShard
}

func newShardedSet() *shardedSet {
	s := &shardedSet{}
	for i := range s.exact {
		s.exact[i] = newFPSet(1024)
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

// groupOf is the group of shards fp falls in.
func groupOf(fp uint64) int { return shardOf(fp) / (fpShards / fpGroups) }

// add inserts fp and reports whether it was new.
func (s *shardedSet) add(fp uint64) bool {
	if s.bits[0] != nil {
		return s.bits[shardOf(fp)].add(fp)
	}
	return s.exact[shardOf(fp)].add(fp)
}

// dedup looks up, in round order, the successors of ts whose fingerprints
// fall in group g's shards, and marks each one's first occurrence new.
// Different groups touch different shards, so they can run at once; the
// outcome is the one of looking every successor up in order.
func (s *shardedSet) dedup(ts []task, g int) {
	if s.bits[0] != nil {
		for ti := range ts {
			for _, i := range ts[ti].byGroup[g] {
				fp := ts[ti].succs[i].fp
				s.bits[shardOf(fp)].touch(fp)
			}
		}
		for ti := range ts {
			t := &ts[ti]
			for _, i := range t.byGroup[g] {
				sc := &t.succs[i]
				sc.isNew = s.bits[shardOf(sc.fp)].add(sc.fp)
			}
		}
		return
	}
	for ti := range ts {
		for _, i := range ts[ti].byGroup[g] {
			fp := ts[ti].succs[i].fp
			s.exact[shardOf(fp)].touch(fp)
		}
	}
	for ti := range ts {
		t := &ts[ti]
		for _, i := range t.byGroup[g] {
			sc := &t.succs[i]
			sc.isNew = s.exact[shardOf(sc.fp)].add(sc.fp)
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
// be a new state that collides, so a bitstate search is partial.
type bitShard struct {
	words []uint64
	mask  uint64 // bits in the shard - 1
	k     int
	seed  uint64
	sink  uint64
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
		if b.words[w]&m == 0 {
			b.words[w] |= m
			isNew = true
		}
	}
	return isNew
}

func (b *bitShard) touch(fp uint64) {
	h1, _ := b.hashes(fp)
	b.sink += b.words[(h1&b.mask)>>6]
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
