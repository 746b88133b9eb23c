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

// packG packs a G's fields in a word. The stack size is kept as its
// log2 (sizes are powers of two: StacksArePowersOfTwo; 32 for no stack)
// and whether it is not a power of two (bit 55), so that a broken stack
// size never merges with a state whose invariants held (3*StackMin has
// StackMin's trailing zeros, 3 has no stack's bits 49-54 but for bit 55).
// AppendBinary writes a broken size in full after the word.
func packG(g *G) uint64 {
	return uint64(g.Status) | uint64(uint8(g.M))<<8 | uint64(uint8(g.LockedM))<<16 |
		uint64(g.Cleared)<<24 | uint64(uint8(g.GCAssist))<<40 | b2u(g.System)<<48 |
		uint64(bits.TrailingZeros32(uint32(g.Stack)))<<49 | b2u(brokenStack(g.Stack))<<55
}

// brokenStack reports whether a stack size is not 0 and not a power of
// two (StacksArePowersOfTwo fails).
func brokenStack(size int32) bool { return size&(size-1) != 0 }

func packM(m *M) uint64 {
	return uint64(uint32(m.Curg)) | uint64(uint8(m.P))<<32 | uint64(uint8(m.OldP))<<40 |
		uint64(m.LockedExt)<<48 | uint64(m.LockedInt)<<56
}

func packM2(m *M) uint64 {
	return uint64(uint32(m.LockedG)) | uint64(uint32(m.NewG+1)&0xFFFFFF)<<32 | b2u(m.YieldSlow)<<56 | b2u(m.RecheckRunqs)<<57 | b2u(m.StaleGCRead)<<58 | b2u(m.StealWork)<<59 | b2u(m.SpinClear)<<60 | b2u(m.GCStopping)<<61 | b2u(m.Exited)<<62 | b2u(m.Wedged)<<63
}

func packM3(m *M) uint64 {
	return b2u(m.Spinning) | b2u(m.Parked)<<1 | b2u(m.Recheck)<<2 | b2u(m.WakeP)<<3 | b2u(m.Stopping)<<4 | b2u(m.Waking)<<5 | b2u(m.StopLocked)<<6 | b2u(m.Mexiting)<<7 | uint64(uint8(m.NextP))<<8 | uint64(uint8(m.Link))<<16 |
		uint64(uint32(m.Handing+1)&0x3FFFFF)<<24 | uint64(uint8(m.SpinP))<<46 | uint64(uint8(m.StartmP))<<54 | b2u(m.Mfreed)<<62 | b2u(m.StealTail)<<63
}

// allpWord is the hash word of an M's allp snapshot (M.AllpLen), hashed
// only when it is set, so that the states without one hash as before.
func allpWord(m *M) uint64 { return uint64(uint8(m.AllpLen)) | 0xA11F<<48 }

// m3Handing is packM3's Handing field, which the fingerprint replaces by
// the G's new name.
const m3Handing = 0x3FFFFF << 24

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
//     runqputslow's batch (P.SlowBatch), the recheck's held batch
//     (P.Held) and runqput's kicked G (P.Kicked) are walked with their
//     P's ring;
//   - goids: no transition reads a goid's value; newproc1 only compares
//     goidcache with goidcacheend and counts up, and a new batch lies above
//     every goid handed out. The invariants ask only whether live goids are
//     equal, are main's, lie in [1, goidgen], or lie in a P's unused cache,
//     and whether the caches are disjoint and below goidgen. So a P's cache
//     is kept as its remaining count and a live G's goid as those facts;
//     absolute values and the goids of dead Gs are dropped;
//   - schedtick is only read modulo GlobalTick (findRunnable);
//   - bgScanCredit is only added to (gdestroy's flush of a positive
//     credit), and zeroed at a GC start; the one invariant on it asks
//     whether it is negative. Its sign is kept (negative, zero, positive:
//     a negative value, which only a broken transition makes, must not
//     merge with a state of zero credit seen before, whose invariants
//     passed).
//
// Ps are not relabelled but by ReducePs (their ids order procresize and
// the idle list's rebuild), so the idle P list (sched.pidle and each
// pp.link) is hashed as it is: its order is what pidleget hands out.
//
// Fingerprint applies no optional reduction: it is FingerprintReduced(0).
// The explorer's canonical form with reductions is FingerprintReduced.
func (s *State) Fingerprint() uint64 { return s.FingerprintReduced(0) }

// Reduction is a set of optional abstractions of Fingerprint's canonical
// form (FingerprintReduced). Each merges states that no transition and no
// invariant of the spec can tell apart, so it keeps every verdict for
// invariant checking (checker/explore_sym_test.go); none is proven safe
// for the liveness check, whose fairness conditions read which M steps.
type Reduction uint8

const (
	// ReduceMs is symmetry over the Ms other than m0: states equal up to
	// a renaming of those Ms (applied everywhere: P.m, G.m, G.lockedm,
	// sched.midle and each mp.link) fingerprint equal. What an M's
	// identity decides in the spec:
	//   - m0 is special: gdestroy's locked-thread tail wedges m0 (mexit
	//     parks it forever) where another M exits, New starts main on it,
	//     and M0NeverExits names it. So m0 keeps its name;
	//   - every other use is structural, by links the renaming carries:
	//     P.m / M.p, M.nextp and M.oldp (P ids, which are not renamed),
	//     G.m / M.curg, G.lockedm / M.lockedg, the idle M list (mput
	//     pushes at sched.midle, mget pops it, mgetSpecific unlinks a
	//     given M), and the M's own fields;
	//   - no transition picks an M by its index: Enabled offers every M's
	//     ops (its loop's order is the order of the ops, not their set),
	//     startm takes the idle list's head (mget), an idle M takes a
	//     pending P (any idle M may), and checkdead and mcount count. The
	//     invariants check each M alike (their messages name it) but for
	//     M0NeverExits and the wedged-M check, which name m0;
	//   - the progress predicates' free M is the idle list's head;
	//   - what reads M order is outside the transition system: spec.Ample
	//     takes the first M (in index order) whose ops are all private,
	//     and the liveness check records which M steps (WeakFairMs). The
	//     ample set of any one state is an ample set, and AmpleRank (the
	//     cycle proviso's measure) counts Ms, so it is the same for
	//     renamed states; liveness is not checked with this reduction.
	// The Ms but m0 are renamed in the order a fixed walk meets them:
	// each P's owner (P.m), the M whose nextp it is and the Ms whose oldp
	// it is, in P order; then the idle M list from its head; then the
	// rest, by their own fields and those of the Gs they hold (ties keep
	// index order: a renaming that is not canonical only reduces less).
	// Then the Gs are walked with the Ms in their new order.
	ReduceMs Reduction = 1 << iota
	// ReduceAssist abstracts each G's gcAssistBytes (G.GCAssist: -1 debt,
	// 0, +1 credit) and bgScanCredit. What reads them:
	//   - gdestroy flushes a G's credit to bgScanCredit only while the GC
	//     marks (`gcBlackenEnabled != 0 && gp.gcAssistBytes > 0`), and
	//     zeroes it then;
	//   - a GC start zeroes every G's gcAssistBytes and bgScanCredit
	//     (gcResetMarkState, startCycle);
	//   - AssistCreditFlushed asks, while the GC marks, whether a dead G
	//     keeps a credit (> 0); BgScanCreditNonNegative whether
	//     bgScanCredit < 0;
	//   - the assist op sets a running G's value to +1 or -1 and is
	//     offered for each value the G does not have.
	// So while the GC is off no G's value is read before the next GC
	// start zeroes it: it is dropped; while the GC marks only "> 0" is
	// read: a debt is kept as zero. bgScanCredit is only added to and
	// compared with 0 (<0): positive and zero merge, a negative value
	// stays apart. The assist op between merged values leads back to the
	// same class (a stutter); every other op reads the values only
	// through what is kept.
	ReduceAssist
	// ReduceGWrites is not an abstraction of the fingerprint but of the
	// explorer's moves: a running G's dirty, assist and growstack writes,
	// which only its gdestroy reads, are made only right before its exit,
	// as parts of one composite op (GWritesMoves, gwrites.go, which
	// argues it).
	ReduceGWrites
	// ReducePs is symmetry over the Ps: states equal up to a renaming of
	// the Ps (applied everywhere: M.p, M.oldp, M.nextp, the recheck's
	// and startm's P, pp.link, sched.pidle, sysmon's and the
	// controller's P) fingerprint equal. It is sound only for bounds
	// whose ops read no P id (Bounds.PSymmetric: neither gc nor
	// procresize, whose stop-the-worlds rebuild the idle list in id
	// order); Reduction.For drops it elsewhere. The canonical form is
	// the least fingerprint over the orders of the Ps that sort them by
	// what they hold, every order where that ties (psOrbitMin): up to n!
	// fingerprints a state, so it applies up to MaxSymPs Ps.
	ReducePs

	// AllReductions is every reduction: the explorer's default for
	// invariant checking (ReducePs where the bounds allow it: For).
	AllReductions = ReduceMs | ReduceAssist | ReduceGWrites | ReducePs
)

// FingerprintReduced is Fingerprint with the optional reductions in r.
func (s *State) FingerprintReduced(r Reduction) uint64 {
	if r&ReducePs != 0 && s.symPs() {
		lo, _ := s.psOrbitMin(r, false)
		return lo
	}
	l := s.fingerprintLanes(r &^ ReducePs)
	return l.sum()
}

// FingerprintWide is FingerprintReduced and a second 64-bit word, both
// from the same canonical form (the 256 bits of its hash lanes) through
// two finalizations with their own seeds and lane orders: a 128-bit
// fingerprint, whose first word is FingerprintReduced's (the explorer's
// -fingerprint 128).
func (s *State) FingerprintWide(r Reduction) (lo, hi uint64) {
	if r&ReducePs != 0 && s.symPs() {
		return s.psOrbitMin(r, true)
	}
	l := s.fingerprintLanes(r &^ ReducePs)
	return l.sum(), l.sum2()
}

// fingerprintLanes hashes the canonical form of s into lanes.
func (s *State) fingerprintLanes(r Reduction) lanes {
	// Scratch on the stack, sized for the usual bounds: zeroing a large
	// buffer would cost more than the rest.
	switch n := len(s.Gs); {
	case n <= 8:
		var perm, inv [8]int32
		var key [8]uint64
		return s.fingerprint(r, perm[:n], inv[:], key[:n])
	case n <= 64:
		var perm, inv [64]int32
		var key [64]uint64
		return s.fingerprint(r, perm[:n], inv[:], key[:n])
	default:
		return s.fingerprint(r, make([]int32, n), make([]int32, n), make([]uint64, n))
	}
}

// maxSymMs bounds the Ms ReduceMs renames (its scratch is on the stack);
// with more, the Ms keep their names.
const maxSymMs = 16

// MaxSymMs is the most Ms ReduceMs applies to: with more, the Ms keep
// their names (nothing is merged).
const MaxSymMs = maxSymMs

// fingerprint is fingerprintLanes with scratch perm and key of
// len(s.Gs) and inv of at least that.
func (s *State) fingerprint(r Reduction, perm, inv []int32, key []uint64) lanes {
	n := len(s.Gs)
	for i := range perm {
		perm[i] = None
	}
	// The Ms' new names (ReduceMs): mnew[old] is an M's new name, mold[new]
	// the M that has it; nil when the Ms keep their names.
	var mnew, mold []int8
	var mnewBuf, moldBuf [maxSymMs]int8
	if nm := len(s.Ms); r&ReduceMs != 0 && nm > 2 && nm <= maxSymMs {
		mnew, mold = mnewBuf[:nm], moldBuf[:nm]
		s.canonMs(mnew, mold)
	}
	assist := r&ReduceAssist != 0
	// Relabel the Gs the fixed walk meets, in the order it meets them.
	// (Fields set one by one: a composite literal was built in a
	// temporary and copied with 16-byte loads of 8-byte stores, which
	// store forwarding cannot serve: a stall of about 12% of the
	// fingerprint.)
	var c canon
	c.perm, c.inv = perm, inv
	for k := range s.Ms {
		m := &s.Ms[k]
		if mold != nil {
			m = &s.Ms[mold[k]]
		}
		c.visit(m.Curg)
		c.visit(m.NewG)
		c.visit(m.LockedG)
		c.visit(m.Handing)
	}
	for i := range s.Ps {
		p := &s.Ps[i]
		c.visit(p.Runnext)
		c.visitList(p.Ring)
		c.visitList(p.SlowBatch)
		c.visitList(p.Held)
		c.visit(p.Kicked)
		c.visitList(p.GFree)
	}
	sc := &s.Sched
	c.visitList(sc.Runq)
	c.visitList(sc.GFreeStack)
	c.visitList(sc.GFreeNoStack)
	c.visitList(sc.GFreeDetached)
	// The goid facts (see goidFacts) and whether the caches are sane.
	cachesOK := uint64(1)
	ps := s.Ps
	for i := range ps {
		p := &ps[i]
		if p.GoidCache > p.GoidEnd || p.GoidEnd-1 > sc.Goidgen {
			cachesOK = 0
		}
		for k := i + 1; k < len(ps); k++ {
			q := &ps[k]
			if p.GoidCache < p.GoidEnd && q.GoidCache < q.GoidEnd && p.GoidCache < q.GoidEnd && q.GoidCache < p.GoidEnd {
				cachesOK = 0
			}
		}
	}
	gen := sc.Goidgen
	dup := false
	for i := range s.Gs {
		g := &s.Gs[i]
		k := packG(g)
		if mold != nil {
			k = k&^(0xFFFF<<8) | uint64(uint8(mapM(mnew, g.M)))<<8 | uint64(uint8(mapM(mnew, g.LockedM)))<<16
		}
		if assist {
			k = k&^(0xFF<<40) | assistKey(g, sc.GCBlacken)<<40
		}
		if g.Status != Dead {
			id := g.Goid
			f := b2u(id == MainGoid) | b2u(id >= 1 && id <= gen)<<1
			for j := range ps {
				if id >= ps[j].GoidCache && id < ps[j].GoidEnd {
					f |= 4
					break
				}
			}
			k ^= f << 56
			for j := i + 1; j < n; j++ {
				if s.Gs[j].Goid == id && s.Gs[j].Status != Dead {
					dup = true
				}
			}
		}
		key[i] = k
	}
	if dup {
		markDupGoids(s.Gs, key)
	}
	// The rest, by their own fields (insertion sort: there are few).
	start := c.n
	for i := range perm {
		if perm[i] == None {
			inv[c.n] = int32(i)
			for j := c.n; j > start && key[inv[j-1]] > key[inv[j]]; j-- {
				inv[j-1], inv[j] = inv[j], inv[j-1]
			}
			c.n++
		}
	}
	inv = inv[:n]
	for l, g := range inv {
		perm[g] = int32(l)
	}
	var h lanes
	h.word(cachesOK | uint64(n)<<1)
	for l, gi := range inv {
		h.word(key[gi])
		if s.Gs[gi].Status != Dead {
			// Which live G holds the same goid (itself, unless broken).
			first := int32(l)
			if dup {
				id := s.Gs[gi].Goid
				for j := range s.Gs {
					if int32(j) != gi && s.Gs[j].Status != Dead && s.Gs[j].Goid == id && perm[j] < first {
						first = perm[j]
					}
				}
			}
			h.word(uint64(first))
		}
	}
	for k := range s.Ms {
		m := &s.Ms[k]
		m3 := packM3(m)
		if mold != nil {
			m = &s.Ms[mold[k]]
			m3 = packM3(m)&^(0xFF<<16) | uint64(uint8(mapM(mnew, m.Link)))<<16
		}
		h.word(mapG(perm, m.Curg) | uint64(uint8(m.P))<<32 | uint64(uint8(m.OldP))<<40 | uint64(m.LockedExt)<<48 | uint64(m.LockedInt)<<56)
		h.word(mapG(perm, m.LockedG) | mapG(perm, m.NewG)<<32 ^ b2u(m.YieldSlow)<<56 ^ b2u(m.RecheckRunqs)<<57 ^ b2u(m.StaleGCRead)<<58 ^ b2u(m.StealWork)<<59 ^ b2u(m.SpinClear)<<60 ^ b2u(m.GCStopping)<<61 ^ b2u(m.Exited)<<62 ^ b2u(m.Wedged)<<63)
		h.word(m3&^m3Handing | (mapG(perm, m.Handing)+1)&0x3FFFFF<<24)
		if m.AllpLen != 0 {
			h.word(allpWord(m))
		}
	}
	gt := uint32(s.Cfg.Consts.GlobalTick)
	for i := range ps {
		p := &ps[i]
		tick := p.SchedTick
		if tick >= gt { // a division costs more than the test
			tick %= gt
		}
		h.word(uint64(p.Status) | uint64(uint8(mapM(mnew, p.M)))<<8 | mapG(perm, p.Runnext)<<16 | uint64(tick)<<48)
		h.word(uint64(uint32(p.GFreeSize)) | uint64(p.GoidEnd-p.GoidCache)<<32 ^ uint64(uint8(mapM(mnew, p.OldM)))<<44 ^ uint64(uint8(p.Link))<<56 ^ b2u(p.StartSpinning)<<31 ^ uint64(p.Handoff)<<28)
		if len(p.Ring) == 0 { // (most lists are empty: lanes.list's word, without the call)
			h.word(emptyList)
		} else {
			h = h.list(perm, p.Ring)
		}
		if len(p.SlowBatch) != 0 {
			// Only while runqputslow holds its batch: the common state
			// pays nothing for it.
			h = h.list(perm, p.SlowBatch)
			h.word(0x51)
		}
		if len(p.Held) != 0 {
			// Only while the recheck's M holds the global batch.
			h = h.list(perm, p.Held)
			h.word(0x48)
		}
		if p.Kicked != None {
			// Only between runqput's two steps.
			h.word(mapG(perm, p.Kicked) | 0x4B<<32)
		}
		if len(p.GFree) == 0 {
			h.word(emptyList)
		} else {
			h = h.list(perm, p.GFree)
		}
	}
	for _, l := range [...][]int32{sc.Runq, sc.GFreeStack, sc.GFreeNoStack, sc.GFreeDetached} {
		if len(l) == 0 {
			h.word(emptyList)
		} else {
			h = h.list(perm, l)
		}
	}
	h.word(uint64(uint32(sc.GFreeStackSize)) | uint64(uint32(sc.GFreeNoStackSize))<<32)
	h.word(uint64(uint32(sc.NGSys)) | uint64(uint32(sc.StartingStackSize))<<32)
	h.word(creditKey(sc.BgScanCredit, assist))
	h.word(b2u(sc.GCBlacken) | b2u(sc.MainGoexit)<<1 | uint64(sc.Terminal)<<2 | b2u(sc.FreeGStacksDone)<<6 | b2u(sc.NeedSpinning)<<7 | uint64(uint8(sc.GoMaxProcs))<<8 | ctlKey(sc)<<16 | uint64(uint8(sc.Pidle))<<40 | uint64(uint8(mapM(mnew, sc.Midle)))<<48 | uint64(uint8(sc.NMSpinning))<<56)
	if sc.RetakeP != None || sc.RetakeM != None {
		h.word(retakeWord(sc.RetakeP, mapM(mnew, sc.RetakeM)))
	}
	return h
}

// mapM is an M's new name under ReduceMs (mnew nil: its own); a
// reference out of range (None, or broken) is kept as is.
func mapM(mnew []int8, m int8) int8 {
	if mnew != nil && m >= 0 && int(m) < len(mnew) {
		return mnew[m]
	}
	return m
}

// assistKey is what ReduceAssist keeps of a G's gcAssistBytes: nothing
// while the GC is off, whether it is a credit (> 0) while it marks.
func assistKey(g *G, marking bool) uint64 {
	return b2u(marking && g.GCAssist > 0)
}

// creditKey is what the canonical form keeps of bgScanCredit: its sign
// (0 negative, 1 zero, 2 positive); with ReduceAssist, whether it is
// negative.
func creditKey(c int64, assist bool) uint64 {
	switch {
	case c < 0:
		return 0
	case c == 0 || assist:
		return 1
	}
	return 2
}

// canonMs fills ReduceMs's renaming of the Ms (see ReduceMs): mnew[old]
// and mold[new]. m0 keeps its name; the others are named in the order
// the walk meets them: each P's owner, its oldm and the M whose nextp it
// is, in P order, then the idle M list from its head, then the M sysmon's
// retake took a P from (Sched.RetakeM), then the rest sorted by mKey
// (ties in index order).
func (s *State) canonMs(mnew, mold []int8) {
	nm := len(s.Ms)
	for i := range mnew {
		mnew[i] = None
	}
	k := 0
	meet := func(m int8) {
		if m >= 0 && int(m) < nm && mnew[m] == None {
			mnew[m] = int8(k)
			mold[k] = m
			k++
		}
	}
	meet(0)
	for pi := range s.Ps {
		meet(s.Ps[pi].M)
		meet(s.Ps[pi].OldM)
		for mi := range s.Ms {
			if s.Ms[mi].NextP == int8(pi) {
				meet(int8(mi))
			}
		}
	}
	for m, steps := s.Sched.Midle, 0; m >= 0 && int(m) < nm && steps < nm; m, steps = s.Ms[m].Link, steps+1 {
		meet(m)
	}
	meet(s.Sched.RetakeM)
	if k == nm {
		return
	}
	var keyBuf [maxSymMs]uint64
	start := k
	for mi := range s.Ms {
		if mnew[mi] != None {
			continue
		}
		keyBuf[mi] = s.mKey(&s.Ms[mi])
		mold[k] = int8(mi)
		for j := k; j > start && keyBuf[mold[j-1]] > keyBuf[mold[j]]; j-- {
			mold[j-1], mold[j] = mold[j], mold[j-1]
		}
		k++
	}
	for j := start; j < nm; j++ {
		mnew[mold[j]] = int8(j)
	}
}

// mKey orders the Ms canonMs's walk does not meet by their fields, M and
// G names left out: the flags, P references (P ids are kept), lock
// counts, and the fields of the Gs the M holds. It only orders: two
// states the key orders differently are told apart by the rest of the
// canonical form anyway, so leaving a field out of it costs reduction,
// never soundness.
func (s *State) mKey(m *M) uint64 {
	var h hasher = 0x4D5359
	h.word(packM3(m)&^(0xFF<<16|m3Handing) | b2u(m.StealWork)<<16 | b2u(m.StaleGCRead)<<17 | b2u(m.RecheckRunqs)<<18 | b2u(m.YieldSlow)<<19)
	h.word(uint64(uint8(m.P)) | uint64(uint8(m.OldP))<<8 |
		uint64(m.LockedExt)<<16 | uint64(m.LockedInt)<<24 | b2u(m.Exited)<<32 | b2u(m.Wedged)<<33 |
		b2u(m.Curg != None && m.Curg == m.LockedG)<<34 | uint64(uint8(m.AllpLen))<<40)
	for _, g := range [...]int32{m.Curg, m.NewG, m.LockedG, m.Handing} {
		if uint(g) < uint(len(s.Gs)) {
			// (Not gcAssistBytes, which ReduceAssist may drop.)
			h.word(packG(&s.Gs[g])&^(0xFFFF<<8|0xFF<<40) | b2u(s.Gs[g].Goid == MainGoid)<<63)
			h.word(s.gWhere(g))
		} else {
			h.word(uint64(uint32(g)) | 1<<63)
		}
	}
	return h.sum()
}

// gWhere is where G g sits, by P id and place, for mKey: two locked Ms
// whose locked Gs differ only in which queue holds them (one on a P's
// ring, one on the global queue) are told apart, rather than ordered by
// their index (which the premise check then finds is no renaming).
func (s *State) gWhere(g int32) uint64 {
	at := func(list []int32) uint64 {
		for k, x := range list {
			if x == g {
				return uint64(k) + 1
			}
		}
		return 0
	}
	for pi := range s.Ps {
		p := &s.Ps[pi]
		id := uint64(pi) << 8
		switch {
		case p.Runnext == g:
			return 1 | id
		case p.Kicked == g:
			return 2 | id
		}
		for kind, list := range [...][]int32{p.Ring, p.SlowBatch, p.Held, p.GFree} {
			if k := at(list); k != 0 {
				return uint64(3+kind) | id | k<<16
			}
		}
	}
	sc := &s.Sched
	for kind, list := range [...][]int32{sc.Runq, sc.GFreeStack, sc.GFreeNoStack, sc.GFreeDetached} {
		if k := at(list); k != 0 {
			return uint64(7+kind) | k<<16
		}
	}
	return 0
}

// canon is Fingerprint's relabelling: perm maps a G to its new name (None
// until the walk meets it), inv[:n] lists the Gs met so far in order.
type canon struct {
	perm, inv []int32
	n         int
}

func (c *canon) visit(g int32) {
	if uint(g) < uint(len(c.perm)) && c.perm[g] == None {
		c.perm[g] = int32(c.n)
		c.inv[c.n] = g
		c.n++
	}
}

func (c *canon) visitList(l []int32) {
	for _, g := range l {
		c.visit(g)
	}
}

// lanes is the canonical form's hash: the words go round robin to four
// hasher.word chains, so that hashing one word does not wait for the last
// (each chain is a multiply's latency deep per word).
type lanes struct{ a, b, c, d uint64 }

func mix(h, v uint64) uint64 {
	return bits.RotateLeft64(h^(v*prime2), 31) * prime1
}

func (l *lanes) word(v uint64) {
	l.a, l.b, l.c, l.d = l.b, l.c, l.d, mix(l.a, v)
}

// emptyList is the word lanes.list hashes an empty list to.
const emptyList = 0xA5 << 56

// list hashes a list of Gs, relabelled (by value: the lanes stay in
// registers).
func (l lanes) list(perm []int32, g []int32) lanes {
	l.word(uint64(len(g)) | emptyList)
	for _, x := range g {
		l.word(mapG(perm, x))
	}
	return l
}

func (l *lanes) sum() uint64 { return finish(0x165667B19E3779F9, l.a, l.b, l.c, l.d) }

// sum2 is a second finalization of the lanes, with its own seed and the
// lanes in reverse order: FingerprintWide's second word.
func (l *lanes) sum2() uint64 { return finish(0x27D4EB2F165667C5, l.d, l.c, l.b, l.a) }

// finish hashes four lane words from seed.
func finish(seed, w0, w1, w2, w3 uint64) uint64 {
	h := hasher(seed)
	h.word(w0)
	h.word(w1)
	h.word(w2)
	h.word(w3)
	return h.sum()
}

// mapG is a G's new name; a reference out of range (None, or broken) is
// kept as is.
func mapG(perm []int32, g int32) uint64 {
	if uint(g) < uint(len(perm)) {
		return uint64(perm[g])
	}
	return uint64(uint32(g))
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

// markDupGoids sets a bit in the sort key of every live G whose goid
// another live G holds too (a broken state), so that such a G never ties
// with one of the same fields whose goid is its own: the tie would be
// broken by the Gs' names.
func markDupGoids(gs []G, key []uint64) {
	for i := range gs {
		if gs[i].Status == Dead {
			continue
		}
		for j := range gs {
			if j != i && gs[j].Status != Dead && gs[j].Goid == gs[i].Goid {
				key[i] |= 1 << 59
				break
			}
		}
	}
}

func (s *State) hashRest(h *hasher) {
	for i := range s.Ms {
		h.word(packM(&s.Ms[i]))
		h.word(packM2(&s.Ms[i]))
		h.word(packM3(&s.Ms[i]))
		if s.Ms[i].AllpLen != 0 {
			h.word(allpWord(&s.Ms[i]))
		}
	}
	for i := range s.Ps {
		p := &s.Ps[i]
		tick := p.SchedTick
		h.word(uint64(p.Status) | uint64(uint8(p.M))<<8 | uint64(uint32(p.Runnext))<<16 | uint64(tick)<<48)
		h.word(uint64(uint32(p.GFreeSize)) | uint64(uint8(p.Link))<<32 | b2u(p.StartSpinning)<<40 | uint64(p.Handoff)<<41 | uint64(uint8(p.OldM))<<48)
		h.word(uint64(p.GoidCache))
		h.word(uint64(p.GoidEnd))
		h.list(p.Ring)
		h.list(p.SlowBatch)
		h.list(p.Held)
		h.word(uint64(uint32(p.Kicked)))
		h.list(p.GFree)
	}
	sc := &s.Sched
	h.list(sc.Runq)
	h.list(sc.GFreeStack)
	h.list(sc.GFreeNoStack)
	h.list(sc.GFreeDetached)
	h.word(uint64(uint32(sc.GFreeStackSize)) | uint64(uint32(sc.GFreeNoStackSize))<<32)
	h.word(uint64(uint32(sc.NGSys)) | uint64(uint32(sc.StartingStackSize))<<32)
	h.word(uint64(sc.BgScanCredit))
	h.word(uint64(sc.Goidgen))
	h.word(b2u(sc.GCBlacken) | b2u(sc.MainGoexit)<<1 | uint64(sc.Terminal)<<2 | b2u(sc.FreeGStacksDone)<<6 | b2u(sc.NeedSpinning)<<7 | uint64(uint8(sc.GoMaxProcs))<<8 | ctlKey(sc)<<16 | uint64(uint8(sc.Pidle))<<40 | uint64(uint8(sc.Midle))<<48 | uint64(uint8(sc.NMSpinning))<<56)
	if sc.RetakeP != None || sc.RetakeM != None {
		h.word(retakeWord(sc.RetakeP, sc.RetakeM))
	}
}

// retakeWord is the hash word of sysmon's retake in progress (Sched.RetakeP,
// RetakeM), hashed only while there is one, so that the other states hash
// as before.
func retakeWord(p, m int8) uint64 { return uint64(uint8(p)) | uint64(uint8(m))<<8 | 0x5E7A<<48 }

// ctlKey packs the controller's wakep (Sched.CtlWakeP, CtlWaking,
// CtlStartmP) and its stop-the-world (Sched.GCWaiting) into 11 bits.
func ctlKey(sc *Sched) uint64 {
	return b2u(sc.CtlWakeP) | b2u(sc.CtlWaking)<<1 | uint64(uint8(sc.CtlStartmP))<<2 | b2u(sc.GCWaiting)<<10
}
