package spec

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/gexit-dev/gexit/internal/fieldmut"
)

// fingerprintRef is Fingerprint as it was before it was optimised: the
// optimised one must agree with it on every state, so that the explorer's
// state space (and its numbering) is unchanged.
func (s *State) fingerprintRef() uint64 {
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
		visit(s.Ms[i].Handing)
	}
	for i := range s.Ps {
		p := &s.Ps[i]
		visit(p.Runnext)
		for _, g := range p.Ring {
			visit(g)
		}
		for _, g := range p.SlowBatch {
			visit(g)
		}
		for _, g := range p.Held {
			visit(g)
		}
		visit(p.Kicked)
		for _, g := range p.GFree {
			visit(g)
		}
	}
	for _, l := range [][]int32{s.Sched.Runq, s.Sched.GFreeStack, s.Sched.GFreeNoStack, s.Sched.GFreeDetached} {
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
	markDupGoids(s.Gs, key)
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
		h.word(mapG(m.LockedG) | mapG(m.NewG)<<32 ^ b2u(m.YieldSlow)<<56 ^ b2u(m.RecheckRunqs)<<57 ^ b2u(m.StaleGCRead)<<58 ^ b2u(m.StealWork)<<59 ^ b2u(m.SpinClear)<<60 ^ b2u(m.GCStopping)<<61 ^ b2u(m.Exited)<<62 ^ b2u(m.Wedged)<<63)
		h.word(packM3(m)&^m3Handing | (mapG(m.Handing)+1)&0x3FFFFF<<24)
		if m.AllpLen != 0 {
			h.word(allpWord(m))
		}
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
		h.word(uint64(uint32(p.GFreeSize)) | uint64(p.GoidEnd-p.GoidCache)<<32 ^ uint64(uint8(p.OldM))<<44 ^ uint64(uint8(p.Link))<<56 ^ b2u(p.StartSpinning)<<31 ^ uint64(p.Handoff)<<28)
		list(p.Ring)
		if len(p.SlowBatch) != 0 {
			list(p.SlowBatch)
			h.word(0x51)
		}
		if len(p.Held) != 0 {
			list(p.Held)
			h.word(0x48)
		}
		if p.Kicked != None {
			h.word(mapG(p.Kicked) | 0x4B<<32)
		}
		list(p.GFree)
	}
	sc := &s.Sched
	list(sc.Runq)
	list(sc.GFreeStack)
	list(sc.GFreeNoStack)
	list(sc.GFreeDetached)
	h.word(uint64(uint32(sc.GFreeStackSize)) | uint64(uint32(sc.GFreeNoStackSize))<<32)
	h.word(uint64(uint32(sc.NGSys)) | uint64(uint32(sc.StartingStackSize))<<32)
	h.word(creditKey(sc.BgScanCredit, false))
	h.word(b2u(sc.GCBlacken) | b2u(sc.MainGoexit)<<1 | uint64(sc.Terminal)<<2 | b2u(sc.FreeGStacksDone)<<6 | b2u(sc.NeedSpinning)<<7 | uint64(uint8(sc.GoMaxProcs))<<8 | ctlKey(sc)<<16 | uint64(uint8(sc.Pidle))<<40 | uint64(uint8(sc.Midle))<<48 | uint64(uint8(sc.NMSpinning))<<56)
	if sc.RetakeP != None || sc.RetakeM != None {
		h.word(retakeWord(sc.RetakeP, sc.RetakeM))
	}
	return h.sum()
}

// randomStates walks from the initial state of a few configurations and
// returns the states met, some of them perturbed the way a broken
// transition could (duplicate goids, odd caches) so that every branch of
// Fingerprint is exercised.
func randomStates(t testing.TB, walks int) []*State {
	rng := rand.New(rand.NewPCG(1, 2))
	var out []*State
	for w := 0; w < walks; w++ {
		preset := "small"
		if w%4 == 3 {
			preset = "go"
		}
		c, _ := Preset(preset)
		cfg := Config{Consts: c, Ps: 1 + rng.IntN(3), Ms: 1 + rng.IntN(3), Wasm: w%10 == 9}
		if cfg.Wasm {
			cfg.Ps, cfg.Ms = 1, 1 // wasm's one thread
		}
		s, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		b := DefaultBounds(2 + rng.IntN(7))
		b.LockInt = true
		if w%8 == 5 {
			// Walks from a state in runqputslow's window: M0's P
			// holds the batch (spawns fill runnext and the ring).
			for i := 0; i < 8 && len(s.Ps[0].SlowBatch) == 0; i++ {
				if p := &s.Ps[0]; p.GoidCache == p.GoidEnd {
					do(t, s, Op{Kind: OpGoidRefill, M: 0})
				}
				do(t, s, Op{Kind: OpNewproc1, M: 0})
				do(t, s, Op{Kind: OpRunqput, M: 0})
			}
			if len(s.Ps[0].SlowBatch) == 0 {
				t.Fatalf("no runqputslow batch:\n%s", s.Dump())
			}
			b.Gs = max(b.Gs, len(s.Gs)+1)
			out = append(out, s.Clone())
		}
		for i := 0; i < 80; i++ {
			ops := s.Enabled(b, nil)
			if len(ops) == 0 {
				break
			}
			if _, err := s.Apply(ops[rng.IntN(len(ops))]); err != nil {
				t.Fatal(err)
			}
			out = append(out, s.Clone())
			if rng.IntN(8) == 0 {
				x := s.Clone()
				switch rng.IntN(4) {
				case 0: // two Gs share a goid
					i, j := rng.IntN(len(x.Gs)), rng.IntN(len(x.Gs))
					x.Gs[i].Goid = x.Gs[j].Goid
				case 1: // a goid inside a cache, or main's
					g := &x.Gs[rng.IntN(len(x.Gs))]
					g.Goid = int64(rng.IntN(int(x.Sched.Goidgen) + 3))
				case 2: // overlapping or inverted caches
					p := &x.Ps[rng.IntN(len(x.Ps))]
					p.GoidCache, p.GoidEnd = int64(rng.IntN(20)), int64(rng.IntN(20))
				case 3: // a dangling reference
					x.Ms[rng.IntN(len(x.Ms))].NewG = int32(len(x.Gs) + rng.IntN(3))
				}
				out = append(out, x)
			}
		}
	}
	return out
}

// TestFingerprintUnchanged: the optimised Fingerprint (a cheaper hash of
// the same canonical form) tells states apart exactly as the reference one
// does: equal for the states the reference finds equal (renamings among
// them), different for the others.
func TestFingerprintUnchanged(t *testing.T) {
	states := randomStates(t, 400)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range len(states) / 2 {
		states = append(states, renamed(states[2*i], rng))
	}
	toRef := map[uint64]uint64{}
	fromRef := map[uint64]uint64{}
	for i, s := range states {
		got, want := s.Fingerprint(), s.fingerprintRef()
		if r, ok := toRef[got]; ok && r != want {
			t.Fatalf("state %d: fingerprint %#x stands for two reference classes\n%s", i, got, s.Dump())
		}
		if g, ok := fromRef[want]; ok && g != got {
			t.Fatalf("state %d: reference class %#x has two fingerprints\n%s", i, want, s.Dump())
		}
		toRef[got], fromRef[want] = want, got
	}
	if len(toRef) < len(states)/4 {
		t.Fatalf("only %d classes among %d states", len(toRef), len(states))
	}
}

// renamed returns s with its Gs renamed by a random permutation,
// everywhere.
func renamed(s *State, rng *rand.Rand) *State {
	return renameWith(s, rng.Perm(len(s.Gs)))
}

// renameWith returns s with G g renamed perm[g], everywhere.
func renameWith(s *State, perm []int) *State {
	n := len(s.Gs)
	r := s.Clone()
	for g := range s.Gs {
		r.Gs[perm[g]] = s.Gs[g]
	}
	ren := func(g int32) int32 {
		if g >= 0 && int(g) < n {
			return int32(perm[g])
		}
		return g
	}
	renList := func(l []int32) {
		for k, g := range l {
			l[k] = ren(g)
		}
	}
	for m := range r.Ms {
		r.Ms[m].Curg, r.Ms[m].NewG, r.Ms[m].LockedG = ren(r.Ms[m].Curg), ren(r.Ms[m].NewG), ren(r.Ms[m].LockedG)
		r.Ms[m].Handing = ren(r.Ms[m].Handing)
	}
	for p := range r.Ps {
		r.Ps[p].Runnext = ren(r.Ps[p].Runnext)
		renList(r.Ps[p].Ring)
		renList(r.Ps[p].SlowBatch)
		renList(r.Ps[p].Held)
		r.Ps[p].Kicked = ren(r.Ps[p].Kicked)
		renList(r.Ps[p].GFree)
	}
	renList(r.Sched.Runq)
	renList(r.Sched.GFreeStack)
	renList(r.Sched.GFreeNoStack)
	renList(r.Sched.GFreeDetached)
	return r
}

// TestFingerprintRenaming: renaming Gs (any permutation of allgs, applied
// everywhere) never changes the fingerprint.
func TestFingerprintRenaming(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i, s := range randomStates(t, 200) {
		if r := renamed(s, rng); s.Fingerprint() != r.Fingerprint() {
			t.Fatalf("state %d: renaming Gs changed the fingerprint\n%s\n%s", i, s.Dump(), r.Dump())
		}
	}
}

func BenchmarkFingerprint(b *testing.B) {
	states := randomStates(b, 50)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		_ = states[i%len(states)].Fingerprint()
		i++
	}
}

func BenchmarkFingerprintRef(b *testing.B) {
	states := randomStates(b, 50)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		_ = states[i%len(states)].fingerprintRef()
		i++
	}
}

// A stack size that is not a power of two (which only a broken transition
// makes) fingerprints apart from the power of two with its trailing
// zeros: the explorer checks the invariants of new states only, and a
// broken state merged with a correct one seen before would go unseen.
func TestFingerprintKeepsBrokenStackSizes(t *testing.T) {
	s := newState(t, "small", 1, 1)
	broken := s.Clone()
	broken.Gs[0].Stack = 3 * StackMin
	if broken.CheckInvariants() == nil {
		t.Fatal("a 3*StackMin stack breaks no invariant")
	}
	for _, r := range []Reduction{0, AllReductions} {
		if s.FingerprintReduced(r) == broken.FingerprintReduced(r) {
			t.Fatalf("reductions %#x: a %d-byte and a %d-byte stack fingerprint equal", r, s.Gs[0].Stack, broken.Gs[0].Stack)
		}
	}
	if s.Hash() == broken.Hash() {
		t.Fatal("Hash: the two stacks hash equal")
	}
}

// TestFingerprintSeesEveryField: changing any one field of an M, a P, a G
// or sched changes the fingerprint, but for the fields the canonical form
// abstracts on purpose (goids, goidgen and the goid caches, kept as
// facts; bgScanCredit, kept as its sign; G references, renamed; lists,
// checked by the renaming tests). The planted control is a fingerprint
// that forgets one field.
// Two states that differ in a field the fingerprint forgets are one to
// the explorer, which then explores the futures of only one of them: a
// field added to the state and not to the fingerprint loses states. This
// test found M.GCStopping left out (gcstopm's two steps), which merged an
// M between them, whose only step is the second, with the same M at
// findRunnable's top, which may also find work.
func TestFingerprintSeesEveryField(t *testing.T) {
	states := randomStates(t, 40)
	if forgot, seen := fieldsForgotten(states, (*State).Fingerprint); len(forgot) != 0 {
		t.Fatalf("a field changed, the fingerprint did not: %v", forgot)
	} else {
		for _, f := range []string{"M.GCStopping", "M.SpinClear", "P.OldM", "Sched.GCWaiting", "G.Cleared"} {
			if !seen[f] {
				t.Errorf("field %s never checked", f)
			}
		}
	}
	// The planted control: a fingerprint that forgets M.GCStopping, as
	// Fingerprint did.
	forgetful := func(s *State) uint64 {
		c := s.Clone()
		for i := range c.Ms {
			c.Ms[i].GCStopping = false
		}
		return c.Fingerprint()
	}
	if forgot, _ := fieldsForgotten(states, forgetful); len(forgot) != 1 || forgot[0] != "M.GCStopping" {
		t.Fatalf("a fingerprint without M.GCStopping: forgotten %v, want [M.GCStopping]", forgot)
	}
	// With the symmetry over the Ms (ReduceMs, which acts from 3 Ms), a
	// change of an M reference (a list link, a G's or a P's M) may give
	// a renaming of the state, which is the same state to it; any other
	// change must change the fingerprint, references included (one the
	// canonical form did not rename would merge states that are not
	// renamings of each other).
	var three []*State
	for _, s := range states {
		if len(s.Ms) >= 3 {
			three = append(three, s)
		}
	}
	if len(three) < 5 {
		t.Fatalf("only %d random states with 3 Ms", len(three))
	}
	reduced := func(s *State) uint64 { return s.FingerprintReduced(ReduceMs) }
	if forgot, _ := fieldsForgotten(three, reduced, "M.Link", "G.M", "G.LockedM", "P.M", "P.OldM", "Sched.Midle", "Sched.RetakeM"); len(forgot) != 0 {
		t.Fatalf("a field changed, the fingerprint with ReduceMs did not: %v", forgot)
	}
	if forgot := mRefsForgotten(three, reduced); len(forgot) != 0 {
		t.Fatalf("an M reference changed to a state that is no renaming of the first, the fingerprint with ReduceMs did not: %v", forgot)
	}
	// The planted control: a canonical form that hashes P.OldM as it
	// is, not renamed (the fingerprint of the state with every P's oldm
	// cleared, and the oldms beside it).
	raw := func(s *State) uint64 {
		c := s.Clone()
		h := uint64(0)
		for i := range c.Ps {
			h = h*31 + uint64(uint8(c.Ps[i].OldM))
			c.Ps[i].OldM = None
		}
		return mix(c.FingerprintReduced(ReduceMs), h)
	}
	var stopped []*State
	for _, s := range three {
		for i := range s.Ps {
			if s.Ps[i].Status == PGCStop {
				stopped = append(stopped, s)
				break
			}
		}
	}
	if len(stopped) == 0 {
		t.Fatal("no random state with 3 Ms and a stopped P")
	}
	if forgot := mRefsForgotten(stopped, raw); len(forgot) != 1 || forgot[0] != "P.OldM" {
		t.Fatalf("a canonical form that does not rename P.OldM: forgotten %v, want [P.OldM]", forgot)
	}
}

// mRefsForgotten renames the Ms of each state (every renaming that keeps
// m0, the identity too), sets each M reference of the renamed state
// (M.Link, G.M, G.LockedM, P.M, P.OldM, Sched.Midle, Sched.RetakeM) to each other M or
// None in turn, and returns the references whose change, to a state that
// no renaming makes of the first, left fp equal to the first's. A
// canonical form that hashed a reference without renaming it would merge
// such a state (the rest renamed, that reference as it was) with the
// first.
func mRefsForgotten(states []*State, fp func(*State) uint64) []string {
	bad := map[string]bool{}
	var forgot []string
	for _, s := range states {
		perms := allMsPerms(len(s.Ms))
		base := fp(s)
		for _, sigma := range perms {
			r := renameMs(s, sigma)
			try := func(name string, ref *int8) {
				old := *ref
				for v := int8(None); v < int8(len(r.Ms)); v++ {
					if v == old {
						continue
					}
					*ref = v
					renaming := false
					for _, perm := range perms {
						if renameMs(s, perm).Equal(r) {
							renaming = true
						}
					}
					changed := fp(r)
					*ref = old
					if !renaming && changed == base && !bad[name] {
						bad[name] = true
						forgot = append(forgot, name)
					}
				}
			}
			for i := range r.Ms {
				try("M.Link", &r.Ms[i].Link)
			}
			for i := range r.Gs {
				try("G.M", &r.Gs[i].M)
				try("G.LockedM", &r.Gs[i].LockedM)
			}
			for i := range r.Ps {
				try("P.M", &r.Ps[i].M)
				try("P.OldM", &r.Ps[i].OldM)
			}
			try("Sched.Midle", &r.Sched.Midle)
			try("Sched.RetakeM", &r.Sched.RetakeM)
		}
	}
	return forgot
}

// allMsPerms returns every permutation of n Ms that keeps m0.
func allMsPerms(n int) [][]int {
	if n <= 1 {
		return [][]int{{0}}
	}
	var out [][]int
	var rec func(perm []int, left []int)
	rec = func(perm []int, left []int) {
		if len(left) == 0 {
			out = append(out, slices.Clone(perm))
			return
		}
		for i, m := range left {
			rest := append(slices.Clone(left[:i]), left[i+1:]...)
			rec(append(perm, m), rest)
		}
	}
	rest := make([]int, n-1)
	for i := range rest {
		rest[i] = i + 1
	}
	rec([]int{0}, rest)
	return out
}

// fieldsForgotten changes each scalar field of every M, P, G and sched of
// each state in turn (but the fields fp abstracts on purpose) and returns
// the fields whose change left fp unchanged in some state, and the fields
// it checked. It skips the fields named in also as well.
func fieldsForgotten(states []*State, fp func(*State) uint64, also ...string) (forgot []string, seen map[string]bool) {
	skip := []string{"G.Goid", "Sched.Goidgen", "Sched.BgScanCredit", "P.GoidCache", "P.GoidEnd",
		"M.Curg", "M.NewG", "M.LockedG", "M.Handing", "P.Runnext", "P.Kicked"}
	return fieldsUnnoticed(states, false, func(orig, changed *State) bool { return fp(orig) != fp(changed) }, append(skip, also...)...)
}

// fieldsUnnoticed changes each field of every M, P, G and sched of each
// state in turn (a scalar by one, a list, when lists is set, by one more
// element) and returns the fields whose change noticed did not notice in
// some state (noticed gets the state before the change and the changed
// one), and the fields it checked. It skips the fields named in skip.
func fieldsUnnoticed(states []*State, lists bool, noticed func(orig, changed *State) bool, skip ...string) (forgot []string, seen map[string]bool) {
	skipped := map[string]bool{}
	for _, f := range skip {
		skipped[f] = true
	}
	seen = map[string]bool{}
	bad := map[string]bool{}
	check := func(orig, s *State, name string, v reflect.Value) {
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			field := name + "." + v.Type().Field(i).Name
			if skipped[field] || !f.CanSet() {
				continue
			}
			if f.Kind() == reflect.Slice && !lists {
				continue
			}
			restore, err := fieldmut.Bump(f, nil)
			if err != nil {
				panic("fieldsUnnoticed: field " + field + ": " + err.Error())
			}
			if !noticed(orig, s) && !bad[field] {
				bad[field] = true
				forgot = append(forgot, field)
			}
			restore()
			seen[field] = true
		}
	}
	for _, s := range states {
		orig := s.Clone()
		for i := range s.Ms {
			check(orig, s, "M", reflect.ValueOf(&s.Ms[i]).Elem())
		}
		for i := range s.Ps {
			check(orig, s, "P", reflect.ValueOf(&s.Ps[i]).Elem())
		}
		for i := range s.Gs {
			check(orig, s, "G", reflect.ValueOf(&s.Gs[i]).Elem())
		}
		check(orig, s, "Sched", reflect.ValueOf(&s.Sched).Elem())
	}
	return forgot, seen
}

// TestEqualSeesEveryField: Equal tells a state from itself with any one
// field of an M, a P, a G or sched changed, lists included. Equal is the
// porcupine model's state equality (checker.Model: its cache of visited
// linearizations, and the history's final observation), so a field it
// forgets merges two linearizations that differ there, and lets an
// implementation end in a state the spec's linearization does not reach.
// It found P.OldM and Sched.GCWaiting (the stop-the-world) left out. The
// planted control is an Equal that forgets Sched.GCWaiting.
func TestEqualSeesEveryField(t *testing.T) {
	states := randomStates(t, 40)
	equal := func(orig, changed *State) bool { return !changed.Equal(orig) }
	if forgot, seen := fieldsUnnoticed(states, true, equal); len(forgot) != 0 {
		t.Fatalf("a field changed, Equal did not see it: %v", forgot)
	} else if !seen["P.Ring"] || !seen["Sched.GCWaiting"] || !seen["P.OldM"] || !seen["G.Goid"] {
		t.Fatalf("fields not checked: %v", seen)
	}
	forgetful := func(orig, changed *State) bool {
		c := changed.Clone()
		c.Sched.GCWaiting = orig.Sched.GCWaiting
		return !c.Equal(orig)
	}
	if forgot, _ := fieldsUnnoticed(states, true, forgetful); len(forgot) != 1 || forgot[0] != "Sched.GCWaiting" {
		t.Fatalf("an Equal without Sched.GCWaiting: forgotten %v, want [Sched.GCWaiting]", forgot)
	}
}

// TestEqualObservedSkipsOnlyHistory: an implementation's state is
// compared with the spec's by EqualObserved, which must see every field
// Equal sees but the spec's history variables (M.StaleGCRead), and
// AdoptHistory must make Equal agree with it.
func TestEqualObservedSkipsOnlyHistory(t *testing.T) {
	states := randomStates(t, 40)
	if raceEnabled {
		states = states[:len(states)/4]
	}
	observed := func(orig, changed *State) bool { return !orig.EqualObserved(changed) }
	forgot, seen := fieldsUnnoticed(states, true, observed)
	if len(forgot) != 1 || forgot[0] != "M.StaleGCRead" {
		t.Fatalf("EqualObserved did not see %v; want [M.StaleGCRead] alone", forgot)
	} else if !seen["M.GCStopping"] || !seen["P.Ring"] {
		t.Fatalf("fields not checked: %v", seen)
	}
	adopted := func(orig, changed *State) bool {
		c := changed.Clone()
		c.AdoptHistory(orig)
		return !c.Equal(orig)
	}
	if forgot, _ := fieldsUnnoticed(states, true, adopted); len(forgot) != 1 || forgot[0] != "M.StaleGCRead" {
		t.Fatalf("AdoptHistory then Equal did not see %v; want [M.StaleGCRead] alone", forgot)
	}
}

// TestEncodingKeepsEveryField: the explorer's frontier holds states
// encoded (AppendBinary) and expands them decoded (DecodeFrom), and
// CopyFrom makes every successor: a field either of them dropped would
// be explored with its value lost. Each one-field change of a state must
// change its encoding and come back, decoded and copied, Equal to the
// changed state (Equal is held to every field above).
func TestEncodingKeepsEveryField(t *testing.T) {
	states := randomStates(t, 40)
	if raceEnabled {
		states = states[:len(states)/4] // each check encodes twice and decodes
	}
	var d, cp State
	roundTrip := func(orig, changed *State) bool {
		b := changed.AppendBinary(nil)
		if string(b) == string(orig.AppendBinary(nil)) {
			return false
		}
		rest, err := d.DecodeFrom(changed.Cfg, b)
		cp.CopyFrom(changed)
		return err == nil && len(rest) == 0 && d.Equal(changed) && cp.Equal(changed)
	}
	if forgot, _ := fieldsUnnoticed(states, true, roundTrip); len(forgot) != 0 {
		t.Fatalf("a field changed, the encoding or the copy lost it: %v", forgot)
	}
	// The planted control: an encoding that drops P.OldM.
	dropping := func(orig, changed *State) bool {
		c := changed.Clone()
		for i := range c.Ps {
			c.Ps[i].OldM = orig.Ps[i].OldM
		}
		return roundTrip(orig, c)
	}
	if forgot, _ := fieldsUnnoticed(states, true, dropping); len(forgot) != 1 || forgot[0] != "P.OldM" {
		t.Fatalf("an encoding without P.OldM: forgotten %v, want [P.OldM]", forgot)
	}
}
