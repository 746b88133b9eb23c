package rtcheck

// addrTable maps uint64 keys (G addresses, goids, record indices) to
// int32 values: an open-addressing table with linear probing, which the
// judges look up once or twice per record, where a Go map's hashing and
// probing cost more than the judging itself. It holds every key, 0
// included.
type addrTable struct {
	slots []addrSlot // len: a power of two, at most half full
	shift uint8      // 64 - log2(len(slots))
	n     int        // keys held, 0 excluded
	zero  int32      // the value of key 0
	has0  bool
}

type addrSlot struct {
	key uint64 // 0: empty
	val int32
}

// get returns the value of key and whether it is held.
func (t *addrTable) get(key uint64) (int32, bool) {
	if key == 0 {
		return t.zero, t.has0
	}
	if t.slots == nil {
		return 0, false
	}
	mask := uint64(len(t.slots) - 1)
	for h := hashAddr(key) >> t.shift; ; h = (h + 1) & mask {
		s := &t.slots[h]
		if s.key == key {
			return s.val, true
		}
		if s.key == 0 {
			return 0, false
		}
	}
}

// put sets the value of key.
func (t *addrTable) put(key uint64, val int32) {
	if key == 0 {
		t.zero, t.has0 = val, true
		return
	}
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for h := hashAddr(key) >> t.shift; ; h = (h + 1) & mask {
		s := &t.slots[h]
		if s.key == key {
			s.val = val
			return
		}
		if s.key == 0 {
			s.key, s.val = key, val
			t.n++
			return
		}
	}
}

// hashAddr mixes a key's bits into the high ones the table uses: G
// addresses are a struct's size apart, and a plain multiplication leaves
// them clustered.
func hashAddr(key uint64) uint64 {
	key ^= key >> 31
	key *= 0x9E3779B97F4A7C15
	return key ^ key>>29
}

// len is the number of keys held.
func (t *addrTable) len() int {
	if t.has0 {
		return t.n + 1
	}
	return t.n
}

func (t *addrTable) grow() {
	old := t.slots
	size := max(2*len(old), 256)
	t.slots = make([]addrSlot, size)
	t.shift = uint8(64 - log2(size))
	t.n = 0
	for _, s := range old {
		if s.key != 0 {
			t.put(s.key, s.val)
		}
	}
}

func log2(n int) int {
	k := 0
	for 1<<k < n {
		k++
	}
	return k
}
