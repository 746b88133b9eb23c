package spec

import "math/bits"

// hasher is a 64-bit word hash in the style of xxhash's rounds: good enough
// avalanche for state fingerprints, and allocation free.
type hasher uint64

const (
	prime1 = 0x9E3779B185EBCA87
	prime2 = 0xC2B2AE3D27D4EB4F
)

func (h *hasher) word(v uint64) {
	x := uint64(*h) ^ (v * prime2)
	*h = hasher(bits.RotateLeft64(x, 31) * prime1)
}

func (h *hasher) list(l []int32) {
	h.word(uint64(len(l)) | 0xA5<<56)
	for i := 0; i+1 < len(l); i += 2 {
		h.word(uint64(uint32(l[i])) | uint64(uint32(l[i+1]))<<32)
	}
	if len(l)%2 == 1 {
		h.word(uint64(uint32(l[len(l)-1])))
	}
}

func (h *hasher) sum() uint64 {
	x := uint64(*h)
	x ^= x >> 33
	x *= prime2
	x ^= x >> 29
	x *= prime1
	x ^= x >> 32
	return x
}

func packG(g *G) uint64 {
	return uint64(g.Status) | uint64(uint8(g.M))<<8 | uint64(uint8(g.LockedM))<<16 |
		uint64(g.Cleared)<<24 | uint64(uint8(g.GCAssist))<<40 | b2u(g.System)<<48 |
		uint64(bits.TrailingZeros32(uint32(g.Stack)))<<49
}

func packM(m *M) uint64 {
	return uint64(uint32(m.Curg)) | uint64(uint8(m.P))<<32 | uint64(uint8(m.OldP))<<40 |
		uint64(m.LockedExt)<<48 | uint64(m.LockedInt)<<56
}

func packM2(m *M) uint64 {
	return uint64(uint32(m.LockedG)) | uint64(uint32(m.NewG+1)&0x3FFFFFFF)<<32 | b2u(m.Exited)<<62 | b2u(m.Wedged)<<63
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// Hash is a 64-bit hash of the exact state: equal states hash equal.
func (s *State) Hash() uint64 {
	var h hasher = 0x27D4EB2F165667C5
	for i := range s.Gs {
		g := &s.Gs[i]
		h.word(packG(g))
		h.word(uint64(g.Goid))
	}
	s.hashRest(&h)
	return h.sum()
}

// Fingerprint is the hash the explorer deduplicates states by. It is a hash
// of a canonical form that forgets what no transition and no invariant can
// tell apart, so that the reachable space under the explorer's bounds is
// finite and small:
//   - G identity: nothing in the runtime depends on where a G sits in
//     allgs, so Gs are relabelled in the order a fixed walk of the state
//     meets them (each M's curg, newg and lockedg; each P's runnext, ring
//     and free list; the global queue and free lists), and the Gs no list
//     holds (waiting ones) are ordered by their fields. States equal up to
//     a renaming of Gs have the same futures (symmetry reduction);
//   - goids: no transition reads a goid's value; newproc1 only compares
//     goidcache with goidcacheend and counts up, and a new batch lies above
//     every goid handed out. The invariants ask only whether live goids are
//     equal, are main's, lie in [1, goidgen], or lie in a P's unused cache,
//     and whether the caches are disjoint and below goidgen. So a P's cache
//     is kept as its remaining count and a live G's goid as those facts;
//     absolute values and the goids of dead Gs are dropped;
//   - schedtick is only read modulo GlobalTick (findRunnable);
//   - bgScanCredit is only ever added to; its sign is kept.
func (s *State) Fingerprint() uint64 {
	n := len(s.Gs)
	var permBuf, invBuf [64]int32
	var keyBuf [64]uint64
	perm, inv, key := permBuf[:0], invBuf[:0], keyBuf[:0]
	if n > len(permBuf) {
		perm, inv, key = make([]int32, 0, n), make([]int32, 0, n), make([]uint64, 0, n)
	}
	perm, inv, key = perm[:n], inv[:0], key[:n]
	for i := range perm {
		perm[i] = None
	}
	visit := func(g int32) {
		if g >= 0 && int(g) < n && perm[g] == None {
			perm[g] = int32(len(inv))
			inv = append(inv, g)
		}
	}
	for i := range s.Ms {
		visit(s.Ms[i].Curg)
		visit(s.Ms[i].NewG)
		visit(s.Ms[i].LockedG)
	}
	for i := range s.Ps {
		p := &s.Ps[i]
		visit(p.Runnext)
		for _, g := range p.Ring {
			visit(g)
		}
		for _, g := range p.GFree {
			visit(g)
		}
	}
	for _, l := range [][]int32{s.Sched.Runq, s.Sched.GFreeStack, s.Sched.GFreeNoStack} {
		for _, g := range l {
			visit(g)
		}
	}
	// The rest, by their own fields (insertion sort: there are few).
	cachesOK := uint64(1)
	for i := range s.Ps {
		p := &s.Ps[i]
		if p.GoidCache > p.GoidEnd || p.GoidEnd-1 > s.Sched.Goidgen {
			cachesOK = 0
		}
		for k := i + 1; k < len(s.Ps); k++ {
			q := &s.Ps[k]
			if p.GoidCache < p.GoidEnd && q.GoidCache < q.GoidEnd && p.GoidCache < q.GoidEnd && q.GoidCache < p.GoidEnd {
				cachesOK = 0
			}
		}
	}
	for i := range s.Gs {
		key[i] = packG(&s.Gs[i])
		if g := &s.Gs[i]; g.Status != Dead {
			key[i] ^= s.goidFacts(g) << 56
		}
	}
	start := len(inv)
	for i := range s.Gs {
		if perm[i] == None {
			inv = append(inv, int32(i))
			for j := len(inv) - 1; j > start && key[inv[j-1]] > key[inv[j]]; j-- {
				inv[j-1], inv[j] = inv[j], inv[j-1]
			}
		}
	}
	for l, g := range inv {
		perm[g] = int32(l)
	}
	mapG := func(g int32) uint64 {
		if g >= 0 && int(g) < n {
			return uint64(perm[g])
		}
		return uint64(uint32(g))
	}
	var h hasher = 0x165667B19E3779F9
	h.word(cachesOK | uint64(n)<<1)
	for _, gi := range inv {
		g := &s.Gs[gi]
		h.word(key[gi])
		if g.Status != Dead {
			// Which live G holds the same goid (itself, unless broken).
			first := perm[gi]
			for j := range s.Gs {
				if int32(j) != gi && s.Gs[j].Status != Dead && s.Gs[j].Goid == g.Goid && perm[j] < first {
					first = perm[j]
				}
			}
			h.word(uint64(first))
		}
	}
	for i := range s.Ms {
		m := &s.Ms[i]
		h.word(mapG(m.Curg) | uint64(uint8(m.P))<<32 | uint64(uint8(m.OldP))<<40 | uint64(m.LockedExt)<<48 | uint64(m.LockedInt)<<56)
		h.word(mapG(m.LockedG) | mapG(m.NewG)<<32 ^ b2u(m.Exited)<<62 ^ b2u(m.Wedged)<<63)
	}
	list := func(l []int32) {
		h.word(uint64(len(l)) | 0xA5<<56)
		for _, g := range l {
			h.word(mapG(g))
		}
	}
	for i := range s.Ps {
		p := &s.Ps[i]
		tick := p.SchedTick % uint32(s.Cfg.Consts.GlobalTick)
		h.word(uint64(p.Status) | uint64(uint8(p.M))<<8 | mapG(p.Runnext)<<16 | uint64(tick)<<48)
		h.word(uint64(uint32(p.GFreeSize)) | uint64(p.GoidEnd-p.GoidCache)<<32)
		list(p.Ring)
		list(p.GFree)
	}
	sc := &s.Sched
	list(sc.Runq)
	list(sc.GFreeStack)
	list(sc.GFreeNoStack)
	h.word(uint64(uint32(sc.GFreeStackSize)) | uint64(uint32(sc.GFreeNoStackSize))<<32)
	h.word(uint64(uint32(sc.NGSys)) | uint64(uint32(sc.StartingStackSize))<<32)
	h.word(uint64(min(max(sc.BgScanCredit, 0), 1)))
	h.word(b2u(sc.GCBlacken) | b2u(sc.MainGoexit)<<1 | uint64(sc.Terminal)<<2 | uint64(uint32(sc.GoMaxProcs))<<8)
	return h.sum()
}

// goidFacts is what the invariants can ask of a live G's goid: whether it
// is main's, whether it lies in [1, goidgen], whether a P will hand it out
// again.
func (s *State) goidFacts(g *G) uint64 {
	var inCache uint64
	for k := range s.Ps {
		if g.Goid >= s.Ps[k].GoidCache && g.Goid < s.Ps[k].GoidEnd {
			inCache = 1
		}
	}
	return b2u(g.Goid == MainGoid) | b2u(g.Goid >= 1 && g.Goid <= s.Sched.Goidgen)<<1 | inCache<<2
}

func (s *State) hashRest(h *hasher) {
	for i := range s.Ms {
		h.word(packM(&s.Ms[i]))
		h.word(packM2(&s.Ms[i]))
	}
	for i := range s.Ps {
		p := &s.Ps[i]
		tick := p.SchedTick
		h.word(uint64(p.Status) | uint64(uint8(p.M))<<8 | uint64(uint32(p.Runnext))<<16 | uint64(tick)<<48)
		h.word(uint64(uint32(p.GFreeSize)))
		h.word(uint64(p.GoidCache))
		h.word(uint64(p.GoidEnd))
		h.list(p.Ring)
		h.list(p.GFree)
	}
	sc := &s.Sched
	h.list(sc.Runq)
	h.list(sc.GFreeStack)
	h.list(sc.GFreeNoStack)
	h.word(uint64(uint32(sc.GFreeStackSize)) | uint64(uint32(sc.GFreeNoStackSize))<<32)
	h.word(uint64(uint32(sc.NGSys)) | uint64(uint32(sc.StartingStackSize))<<32)
	h.word(uint64(sc.BgScanCredit))
	h.word(uint64(sc.Goidgen))
	h.word(b2u(sc.GCBlacken) | b2u(sc.MainGoexit)<<1 | uint64(sc.Terminal)<<2 | uint64(uint32(sc.GoMaxProcs))<<8)
}
