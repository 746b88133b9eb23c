package spec

// The free-list sub-machine: the per-P free lists, sched.gFree.stack and
// .noStack, markrootFreeGStacks's detached list, and the stacks of the Gs
// on them. Step's transitions (exit, goexit, newproc1, procresize, the
// GC's markrootfreegstacks) are built from these functions, and so is the
// judge of the real runtime's free-list records (gexit runtime): each
// function is one step of the runtime that is made either by a P's owner
// (the local list) or under sched.gFree.lock (the global lists), so a
// record of them in the runtime's order replays exactly, one function per
// record, on a State of which only the free-list part is used.
//
// The runtime functions are split where a lock section is: gfput pushes
// on the local list (GfputPush) and then, at 64, pops down below 32 into
// local queues and pushes them onto the global lists under the lock
// (GfputSpill); gfget refills under the lock (GfgetRefill: the racy
// emptiness test that leads there is its caller's) and then pops and fixes
// the stack as the P's owner (GfgetPop).

// Malg models malg + allgadd: a new G with a stack of the given size,
// status _Gidle. newproc1 then makes it _Gdead and publishes it with that
// status (`casgstatus(newg, _Gidle, _Gdead); allgadd(newg)`,
// proc.go:5322-5324). It returns the G's index.
func (s *State) Malg(stack int32) int32 {
	s.Gs = append(s.Gs, G{Status: Idle, Stack: stack, M: None, LockedM: None})
	return int32(len(s.Gs) - 1)
}

// GfputPush models gfput up to pp.gFree.push(gp): the G must be dead
// (throw "gfput: bad status (not Gdead)"); a stack whose size is not
// startingStackSize is freed. It reports whether the stack was freed.
func (s *State) GfputPush(pi int8, gi int32) (stackFreed bool, err error) {
	gp := &s.Gs[gi]
	if gp.Status != Dead {
		return false, throwf(ThrowGfputStatus, "gfput")
	}
	if gp.Stack != s.Sched.StartingStackSize {
		gp.Stack = 0
		stackFreed = true
	}
	pp := &s.Ps[pi]
	pp.GFree = append(pp.GFree, gi)
	pp.GFreeSize++
	return stackFreed, nil
}

// GfputSpill models gfput's spill, which runs when the local size reached
// GFreeCap: pop while size >= GFreeSpillTo into a stack and a noStack
// queue, then, under sched.gFree.lock, push both onto the global lists.
// It returns how many went to each.
func (s *State) GfputSpill(pi int8) (toStack, toNoStack int32) {
	pp := &s.Ps[pi]
	for pp.GFreeSize >= int32(s.Cfg.Consts.GFreeSpillTo) && len(pp.GFree) != 0 {
		if s.popToGlobal(pi) {
			toStack++
		} else {
			toNoStack++
		}
	}
	return toStack, toNoStack
}

// GfgetRefill models gfget's refill under sched.gFree.lock: while the
// local size is below RefillTo, pop the stack list, else the noStack
// list, onto the local list. It returns how many came from each.
func (s *State) GfgetRefill(pi int8) (fromStack, fromNoStack int32) {
	pp := &s.Ps[pi]
	sc := &s.Sched
	for pp.GFreeSize < int32(s.Cfg.Consts.RefillTo) {
		var gp int32
		if n := len(sc.GFreeStack); n != 0 {
			gp = sc.GFreeStack[n-1]
			sc.GFreeStack = sc.GFreeStack[:n-1]
			sc.GFreeStackSize--
			fromStack++
		} else if n := len(sc.GFreeNoStack); n != 0 {
			gp = sc.GFreeNoStack[n-1]
			sc.GFreeNoStack = sc.GFreeNoStack[:n-1]
			sc.GFreeNoStackSize--
			fromNoStack++
		} else {
			break
		}
		pp.GFree = append(pp.GFree, gp)
		pp.GFreeSize++
	}
	return fromStack, fromNoStack
}

// GfgetPop models the rest of gfget: pop the local list (None when it is
// empty), free a kept stack whose size is no longer startingStackSize,
// and allocate one of startingStackSize when the G has none. stack says
// what happened: StackReused, StackAllocated or StackReplaced.
func (s *State) GfgetPop(pi int8) (g int32, stack string) {
	pp := &s.Ps[pi]
	n := len(pp.GFree)
	if n == 0 {
		return None, ""
	}
	g = pp.GFree[n-1]
	pp.GFree = pp.GFree[:n-1]
	pp.GFreeSize--
	gp := &s.Gs[g]
	sc := &s.Sched
	stack = StackReused
	if gp.Stack != 0 && gp.Stack != sc.StartingStackSize {
		// The right size changed since gfput kept it: stackfree.
		gp.Stack = 0
		stack = StackReplaced
	}
	if gp.Stack == 0 {
		gp.Stack = sc.StartingStackSize
		if stack == StackReused {
			stack = StackAllocated
		}
	}
	return g, stack
}

// Gfpurge models proc.go gfpurge: the whole local list, popped into a
// stack and a noStack queue, pushed onto the global lists under
// sched.gFree.lock. It returns how many went to each.
func (s *State) Gfpurge(pi int8) (toStack, toNoStack int32) {
	for len(s.Ps[pi].GFree) != 0 {
		if s.popToGlobal(pi) {
			toStack++
		} else {
			toNoStack++
		}
	}
	return toStack, toNoStack
}

// GoidRefill models newproc1's batch fetch (`pp.goidcache =
// sched.goidgen.Add(_GoidCacheBatch); pp.goidcache -= _GoidCacheBatch - 1;
// pp.goidcacheend = pp.goidcache + _GoidCacheBatch`) and returns the
// batch's first goid.
func (s *State) GoidRefill(pi int8) int64 {
	pp := &s.Ps[pi]
	batch := int64(s.Cfg.Consts.GoidBatch)
	s.Sched.Goidgen += batch
	pp.GoidCache = s.Sched.Goidgen - batch + 1
	pp.GoidEnd = pp.GoidCache + batch
	return pp.GoidCache
}

// TakeGoid models newproc1's `newg.goid = pp.goidcache; pp.goidcache++`;
// false when the cache is empty (newproc1 refills it first).
func (s *State) TakeGoid(pi int8) (int64, bool) {
	pp := &s.Ps[pi]
	if pp.GoidCache == pp.GoidEnd {
		return 0, false
	}
	pp.GoidCache++
	return pp.GoidCache - 1, true
}

// MarkrootTake is markrootFreeGStacks's first lock section and the stack
// frees after it (see markrootFreeGStacks); it returns the Gs taken.
func (s *State) MarkrootTake() int64 { return s.markrootTake() }

// MarkrootPush is markrootFreeGStacks's second lock section; it returns
// the Gs pushed onto noStack.
func (s *State) MarkrootPush() int64 { return s.markrootPush() }

// FreeListInvariants names the invariants about the free-list
// sub-machine alone: what a projection of the runtime onto its free lists
// is held to after every replayed record.
var FreeListInvariants = []string{"FreeGsAreDead", "OneListAtATime", "FreeListSizes", "LocalFreeBelowCap",
	"NoStackListHasNoStack", "StackListHasStack", "StacksArePowersOfTwo"}

// CheckNamed runs the named invariants and returns the first failure, or
// nil. An unknown name is a failure too.
func (s *State) CheckNamed(names []string) *Violation {
	c := s.takeCensus()
	for _, name := range names {
		inv := InvariantByName(name)
		if inv == nil {
			return &Violation{Invariant: name, Detail: "no such invariant"}
		}
		if v := inv.violation(s, c); v != nil {
			return v
		}
	}
	return nil
}

// InvariantsNamed looks the named invariants up once, for CheckList; an
// unknown name is an error.
func InvariantsNamed(names []string) ([]*Invariant, error) {
	invs := make([]*Invariant, 0, len(names))
	for _, name := range names {
		inv := InvariantByName(name)
		if inv == nil {
			return nil, errf("no such invariant %q", name)
		}
		invs = append(invs, inv)
	}
	return invs, nil
}

// CheckList is CheckNamed for invariants looked up already
// (InvariantsNamed): it runs them in order and returns the first failure,
// or nil. A judge that checks the same invariants after thousands of
// records saves the lookups by name.
func (s *State) CheckList(invs []*Invariant) *Violation {
	c := s.takeCensus()
	for _, inv := range invs {
		if v := inv.violation(s, c); v != nil {
			return v
		}
	}
	return nil
}

// takeCensus takes the census of s into its kept scratch census.
func (s *State) takeCensus() *census {
	if s.cen == nil {
		s.cen = new(census)
	}
	s.cen.take(s)
	return s.cen
}

// violation checks inv on s with the census c taken of it.
func (inv *Invariant) violation(s *State, c *census) *Violation {
	if err := inv.check(s, c); err != nil {
		return &Violation{Invariant: inv.Name, Source: inv.Source, Detail: err.Error()}
	}
	return nil
}

// InvariantByName returns the named invariant, or nil.
func InvariantByName(name string) *Invariant {
	for i := range Invariants {
		if Invariants[i].Name == name {
			return &Invariants[i]
		}
	}
	return nil
}
