package spec

import "testing"

// Regression: every mark phase frees the stacks of the Gs on
// sched.gFree.stack and moves them to sched.gFree.noStack. Go 1.26.8:
//
//	mgcmark.go:244-247  markroot: case i == fixedRootFreeGStacks:
//	                    systemstack(markrootFreeGStacks)
//	mgcmark.go:359-387  markrootFreeGStacks: lock(&sched.gFree.lock);
//	                    list := sched.gFree.stack; sched.gFree.stack =
//	                    gList{}; unlock; stackfree(gp.stack),
//	                    gp.stack.lo = 0, gp.stack.hi = 0 for each;
//	                    q := gQueue{list.head, tail, list.size};
//	                    lock; sched.gFree.noStack.pushAll(q); unlock
//	proc.go:7841-7847   gList.pushAll: q.tail.schedlink = l.head;
//	                    l.head = q.head; l.size += q.size
//	mgc.go:1963-1966    gcMark: next < jobs panics "non-empty mark queue
//	                    after concurrent mark" (every root job runs
//	                    before marking ends)
//
// Before the fix the spec's gc op never freed them, so a gfget after a GC
// reused a stack the runtime had freed ("stack reused" where the runtime
// allocates).
func TestMarkrootFreeGStacks(t *testing.T) {
	for _, withMarkroot := range []bool{true, false} {
		s := newState(t, "small", 1, 1)
		for i := 0; i < 4; i++ {
			spawn(t, s, 0) // G1..G4: runnext G4, ring [G1 G2 G3]
		}
		do(t, s, Op{Kind: OpPark, M: 0})
		for _, src := range []Source{SrcRunnext, SrcRing, SrcRing, SrcRing} {
			r := sched(t, s, 0, src)
			if r.G == 3 {
				do(t, s, Op{Kind: OpReady, M: 0, G: 0})
			}
			do(t, s, Op{Kind: OpExit, M: 0})
		}
		// The fourth exit spilled G3, G2, G1: the last popped is the head.
		if lifo(s.Sched.GFreeStack) != "[G1,G2,G3]" || lifo(s.Ps[0].GFree) != "[G4]" {
			t.Fatalf("after the spill: stack %s local %s", lifo(s.Sched.GFreeStack), lifo(s.Ps[0].GFree))
		}
		sched(t, s, 0, SrcRunnext) // main again
		do(t, s, Op{Kind: OpGC, M: Controller, N: 1})
		if _, err := oneStepAction(s, Op{Kind: OpGC, M: Controller, N: 0}); withMarkroot && err == nil {
			t.Fatal("marking ended with the markrootFreeGStacks root job left")
		} else if err != nil {
			wantDisabled(t, err)
		}
		if withMarkroot {
			r := do(t, s, Op{Kind: OpMarkrootFreeGStacks, M: Controller})
			if r.Value != 3 || len(s.Sched.GFreeStack) != 0 || s.Sched.GFreeStackSize != 0 ||
				lifo(s.Sched.GFreeDetached) != "[G1,G2,G3]" || len(s.Sched.GFreeNoStack) != 0 {
				t.Fatalf("markrootFreeGStacks took %d: stack %s detached %s noStack %s", r.Value,
					lifo(s.Sched.GFreeStack), lifo(s.Sched.GFreeDetached), lifo(s.Sched.GFreeNoStack))
			}
			if _, err := oneStepAction(s, Op{Kind: OpGC, M: Controller, N: 0}); err == nil {
				t.Fatal("marking ended while markrootFreeGStacks holds its list")
			}
			r = do(t, s, Op{Kind: OpMarkrootFreeGStacksPush, M: Controller})
			if r.Value != 3 || len(s.Sched.GFreeDetached) != 0 ||
				lifo(s.Sched.GFreeNoStack) != "[G1,G2,G3]" || s.Sched.GFreeNoStackSize != 3 {
				t.Fatalf("markrootFreeGStacks freed %d: stack %s noStack %s (size %d)", r.Value,
					lifo(s.Sched.GFreeStack), lifo(s.Sched.GFreeNoStack), s.Sched.GFreeNoStackSize)
			}
			for g := 1; g <= 3; g++ {
				if s.Gs[g].Stack != 0 {
					t.Fatalf("G%d keeps a %d-byte stack", g, s.Gs[g].Stack)
				}
			}
			_, err := s.Apply(Op{Kind: OpMarkrootFreeGStacks, M: Controller})
			wantDisabled(t, err) // one root job per cycle
		}
		// gfget: the local G4 keeps its stack; the next one refills
		// RefillTo=2 (G1, then G2 pushed on top) from the global lists.
		if r := spawn(t, s, 0); r.G != 4 || r.Stack != StackReused {
			t.Fatalf("first spawn: %v", r)
		}
		r := spawn(t, s, 0)
		want := StackAllocated // the GC freed it
		if !withMarkroot {
			want = StackReused // no mark phase ran: the stack is still there
		}
		if r.G != 2 || r.How != HowRefill || r.Refilled != 2 || r.Stack != want {
			t.Fatalf("markroot=%v: second spawn %v, want G2 via refill, stack %s", withMarkroot, r, want)
		}
		if withMarkroot {
			do(t, s, Op{Kind: OpGC, M: Controller, N: 0})
			if s.Sched.FreeGStacksDone {
				t.Fatal("the done flag outlives the mark phase")
			}
			_, err := s.Apply(Op{Kind: OpMarkrootFreeGStacks, M: Controller})
			wantDisabled(t, err) // the GC is off
		}
	}
}

// markrootFreeGStacks prepends the whole stack list, in its order, to
// noStack (gList.pushAll of a gQueue: its head becomes the list head).
func TestMarkrootFreeGStacksOrder(t *testing.T) {
	s := newState(t, "small", 1, 1)
	for i := 1; i <= 3; i++ {
		s.Gs = append(s.Gs, G{Goid: int64(100 + i), Status: Dead, Stack: StackMin, M: None, LockedM: None})
	}
	s.Gs[1].Stack = 0
	s.Sched.GFreeNoStack, s.Sched.GFreeNoStackSize = []int32{1}, 1
	s.Sched.GFreeStack, s.Sched.GFreeStackSize = []int32{2, 3}, 2 // head G3
	s.Gs[3].Stack = 2 * StackMin                                  // any size is freed
	do(t, s, Op{Kind: OpGC, M: Controller, N: 1})
	r := do(t, s, Op{Kind: OpMarkrootFreeGStacks, M: Controller})
	if r.Value != 2 || lifo(s.Sched.GFreeDetached) != "[G3,G2]" || s.Gs[3].Stack != 0 {
		t.Fatalf("took %d, detached %s, G3 stack %d", r.Value, lifo(s.Sched.GFreeDetached), s.Gs[3].Stack)
	}
	r = do(t, s, Op{Kind: OpMarkrootFreeGStacksPush, M: Controller})
	if r.Value != 2 || lifo(s.Sched.GFreeNoStack) != "[G3,G2,G1]" || s.Sched.GFreeNoStackSize != 3 || s.Gs[3].Stack != 0 {
		t.Fatalf("freed %d, noStack %s size %d, G3 stack %d", r.Value, lifo(s.Sched.GFreeNoStack), s.Sched.GFreeNoStackSize, s.Gs[3].Stack)
	}
	// With nothing on the stack list the job frees nothing (its early
	// return) but still counts as done.
	do(t, s, Op{Kind: OpGC, M: Controller, N: 0})
	do(t, s, Op{Kind: OpGC, M: Controller, N: 1})
	if r := do(t, s, Op{Kind: OpMarkrootFreeGStacks, M: Controller}); r.Value != 0 || !s.Sched.FreeGStacksDone {
		t.Fatalf("empty job: freed %d done %v", r.Value, s.Sched.FreeGStacksDone)
	}
}

// Enabled offers the root job exactly while marking and before it ran, and
// the end of marking only after it.
func TestMarkrootFreeGStacksEnabled(t *testing.T) {
	s := newState(t, "small", 1, 1)
	gcOps := func() (on, off, job bool) {
		for _, op := range append(ctlOffers(s, DefaultBounds(4)), s.Enabled(DefaultBounds(4), nil)...) {
			switch {
			case op.Kind == OpGC && op.N == 1:
				on = true
			case op.Kind == OpGC && op.N == 0:
				off = true
			case op.Kind == OpMarkrootFreeGStacks:
				job = true
			}
		}
		return
	}
	for i, want := range [][3]bool{{true, false, false}, {false, false, true}, {false, true, false}, {true, false, false}} {
		on, off, job := gcOps()
		if [3]bool{on, off, job} != want {
			t.Fatalf("step %d: gc on %v, gc off %v, markroot %v; want %v", i, on, off, job, want)
		}
		switch i {
		case 0:
			do(t, s, Op{Kind: OpGC, M: Controller, N: 1})
		case 1:
			do(t, s, Op{Kind: OpMarkrootFreeGStacks, M: Controller})
		case 2:
			do(t, s, Op{Kind: OpGC, M: Controller, N: 0})
		}
	}
}

// The window between markrootFreeGStacks's two sched.gFree.lock sections
// (mgcmark.go: the list is taken, the lock dropped, the stacks freed, the
// lock taken again for noStack.pushAll): a gfget that refills in it finds
// the detached Gs on neither list and allocates a new G instead, and the
// state there still meets every invariant (the detached Gs are dead, hold
// no stack, and are on exactly one list: the job's).
func TestMarkrootFreeGStacksWindow(t *testing.T) {
	s := newState(t, "small", 1, 1)
	for i := 1; i <= 2; i++ {
		s.Gs = append(s.Gs, G{Goid: int64(100 + i), Status: Dead, Stack: StackMin, M: None, LockedM: None})
	}
	s.Sched.GFreeStack, s.Sched.GFreeStackSize = []int32{1, 2}, 2
	do(t, s, Op{Kind: OpGC, M: Controller, N: 1})
	do(t, s, Op{Kind: OpMarkrootFreeGStacks, M: Controller})
	if v := s.CheckInvariants(); v != nil {
		t.Fatalf("in the window: %v", v)
	}
	if _, err := s.Apply(Op{Kind: OpMarkrootFreeGStacks, M: Controller}); err == nil {
		t.Fatal("the job ran twice")
	}
	r := spawn(t, s, 0)
	if r.How != HowMalg || int(r.G) != 3 {
		t.Fatalf("a gfget in the window: %v, want a new G from malg", r)
	}
	do(t, s, Op{Kind: OpMarkrootFreeGStacksPush, M: Controller})
	if lifo(s.Sched.GFreeNoStack) != "[G2,G1]" || len(s.Sched.GFreeDetached) != 0 {
		t.Fatalf("after the push: noStack %s detached %s", lifo(s.Sched.GFreeNoStack), lifo(s.Sched.GFreeDetached))
	}
	if _, err := s.Apply(Op{Kind: OpMarkrootFreeGStacksPush, M: Controller}); err == nil {
		t.Fatal("pushed twice")
	}
	if v := s.CheckInvariants(); v != nil {
		t.Fatal(v)
	}
	// A detached G that kept its stack breaks NoStackListHasNoStack; one
	// lost from the detached list breaks DeadIffFree.
	bad := s.Clone()
	bad.Sched.GFreeDetached = []int32{1}
	bad.Sched.GFreeNoStack, bad.Sched.GFreeNoStackSize = []int32{2}, 1
	bad.Gs[1].Stack = StackMin
	if v := bad.CheckInvariants(); v == nil || v.Invariant != "NoStackListHasNoStack" {
		t.Fatalf("planted detached stack: %v", v)
	}
	bad.Gs[1].Stack = 0
	bad.Sched.GFreeDetached = nil
	if v := bad.CheckInvariants(); v == nil || v.Invariant != "DeadIffFree" {
		t.Fatalf("planted lost detached G: %v", v)
	}
}
