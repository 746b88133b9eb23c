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
