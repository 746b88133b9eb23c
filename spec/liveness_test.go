package spec

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRunnableOrderCanonical: RunnableOrder names runnable Gs by their
// places, so renaming the Gs of a state (which keeps its fingerprint)
// renames its RunnableOrder the same way: the i-th runnable G of one is
// the i-th of the other. The explorer's liveness check relies on it to
// follow a G through the symmetry-reduced graph.
func TestRunnableOrderCanonical(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	runnable := 0
	for i, s := range randomStates(t, 300) {
		if s.CheckInvariants() != nil {
			continue // randomStates also breaks goids and references
		}
		perm := rng.Perm(len(s.Gs))
		r := renameWith(s, perm)
		if s.Fingerprint() != r.Fingerprint() {
			t.Fatalf("state %d: renaming changed the fingerprint", i)
		}
		got := r.RunnableOrder(nil)
		var want []int32
		for _, g := range s.RunnableOrder(nil) {
			want = append(want, int32(perm[g]))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("state %d: RunnableOrder %v after renaming, want %v\n%s", i, got, want, s.Dump())
		}
		n := 0
		for g := range s.Gs {
			if s.Gs[g].Status == Runnable {
				n++
			}
		}
		if len(got) != n {
			t.Fatalf("state %d: RunnableOrder lists %d Gs, %d are runnable", i, len(got), n)
		}
		runnable += n
	}
	if runnable < 100 {
		t.Fatalf("only %d runnable Gs in the sample", runnable)
	}
}

// RunnableOrder walks the places in a fixed order: a new G newproc1 made
// and runqput has not queued, then each P's runnext and ring, then the
// global queue.
func TestRunnableOrderWalk(t *testing.T) {
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0) // G1 in P0's runnext
	spawn(t, s, 0) // G2 in runnext, G1 kicked to the ring
	do(t, s, Op{Kind: OpGosched, M: 0})
	if got := s.RunnableOrder(nil); !slices.Equal(got, []int32{2, 1, 0}) {
		t.Fatalf("runnext, ring, global: got %v, want [2 1 0]", got)
	}
	sched(t, s, 0, SrcTick) // schedtick 0: main from the global queue
	if p := &s.Ps[0]; p.GoidCache == p.GoidEnd {
		do(t, s, Op{Kind: OpGoidRefill, M: 0})
	}
	do(t, s, Op{Kind: OpNewproc1, M: 0}) // G3, held by M0 until runqput
	if got := s.RunnableOrder(nil); !slices.Equal(got, []int32{3, 2, 1}) {
		t.Fatalf("newg, runnext, ring: got %v, want [3 2 1]", got)
	}
	// The first spawn's wakep started M1 on P1: no M is idle.
	if s.FreeM() != None || s.Ms[1].NextP != 1 {
		t.Fatalf("FreeM = %d, want none (M1 woken with nextp P1)\n%s", s.FreeM(), s.Dump())
	}
	settle(t, s)
	if s.FreeM() != 1 {
		t.Fatalf("FreeM = %d, want M1 (asleep on the idle M list)", s.FreeM())
	}
}
