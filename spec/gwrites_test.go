package spec

import (
	"reflect"
	"testing"
)

// GWritesMoves leaves out dirty, assist and growstack and follows each
// gdestroy (but main's exit(0)) with one composite per combination of
// them; a composite's Apply is its parts applied in order.
func TestGWritesMoves(t *testing.T) {
	s := newState(t, "small", 1, 1)
	b := DefaultBounds(2)
	ops := s.Enabled(b, nil)
	moves := s.GWritesMoves(b, ops, nil)
	writes, composites := 0, map[OpKind][]uint8{}
	for _, op := range ops {
		if isGWrite(op.Kind) {
			writes++
		}
	}
	if writes == 0 {
		t.Fatal("main's running state offers no dirty, assist or growstack: the test checks nothing")
	}
	plain := 0
	for _, mv := range moves {
		if isGWrite(mv.Kind) {
			t.Fatalf("move %v: the writes are made only as parts", mv)
		}
		if mv.Pre != 0 {
			composites[mv.Kind] = append(composites[mv.Kind], mv.Pre)
			continue
		}
		plain++
	}
	if plain != len(ops)-writes {
		t.Fatalf("%d plain moves, want Enabled's %d ops less %d writes", plain, len(ops), writes)
	}
	if n := len(composites[OpExit]); n != 0 {
		t.Fatalf("main's exit(0) has %d composites: no gdestroy reads the writes", n)
	}
	// dirty or not, assist none/+1/-1, growstack 0 or 1 (StackMin to
	// MaxStack 2*StackMin): 12 combinations less the empty one.
	if got := composites[OpGoexit]; len(got) != 11 {
		t.Fatalf("main's Goexit has %d composites %v, want 11", len(got), got)
	}
	seen := map[uint8]bool{}
	for _, pre := range composites[OpGoexit] {
		if seen[pre] {
			t.Fatalf("composite Pre %#x twice", pre)
		}
		seen[pre] = true
		if pre&PreCredit != 0 && pre&PreDebt != 0 {
			t.Fatalf("composite Pre %#x has a credit and a debt", pre)
		}
	}

	// Without the families, or with the stack at MaxStack, fewer.
	nb := b
	nb.NoDirty, nb.NoAssist = true, true
	if n := countComposites(s.GWritesMoves(nb, s.Enabled(nb, nil), nil)); n != 1 {
		t.Fatalf("without dirty and assist: %d composites, want 1 (growstack)", n)
	}
	nb.MaxStack = StackMin
	if n := countComposites(s.GWritesMoves(nb, s.Enabled(nb, nil), nil)); n != 0 {
		t.Fatalf("without dirty and assist, the stack at MaxStack: %d composites, want 0", n)
	}

	// Apply of every composite is its parts in order.
	for _, mv := range moves {
		if mv.Pre == 0 {
			continue
		}
		whole, parts := s.Clone(), s.Clone()
		rw, ew := whole.Apply(mv)
		var rp Result
		var ep error
		ps := mv.Parts(nil)
		if ps[len(ps)-1].Pre != 0 || ps[len(ps)-1].Kind != mv.Kind {
			t.Fatalf("%v: the last part is %v", mv, ps[len(ps)-1])
		}
		for _, p := range ps {
			if rp, ep = parts.Apply(p); ep != nil {
				break
			}
		}
		if ew != nil || ep != nil {
			t.Fatalf("%v: %v / %v", mv, ew, ep)
		}
		if !reflect.DeepEqual(whole, parts) || !reflect.DeepEqual(rw, rp) {
			t.Fatalf("%v: Apply differs from its parts applied in order", mv)
		}
		g := &parts.Gs[0]
		if g.Status != Dead || g.Cleared != 0 {
			t.Fatalf("%v: main after Goexit: %v, cleared %#x", mv, g.Status, g.Cleared)
		}
	}
}

func countComposites(moves []Op) int {
	n := 0
	for _, mv := range moves {
		if mv.Pre != 0 {
			n++
		}
	}
	return n
}

// A composite reads as its parts, then the exit.
func TestGWritesOpString(t *testing.T) {
	op := Op{Kind: OpGoexit, M: 1, Pre: PreDirty | PreDebt | 2<<preGrowShift}
	if got, want := op.String(), "M1 dirty, assist -1, growstack, growstack, goexit"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
	if op.PreGrow() != 2 {
		t.Fatalf("PreGrow %d", op.PreGrow())
	}
}
