package conform

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestGtable compares the goroutine table with a map under random
// inserts, updates and deletes, including ids that collide.
func TestGtable(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var g gtable
	g.init()
	ref := map[int64]gstate{}
	ids := func() int64 {
		switch r.IntN(4) {
		case 0:
			return r.Int64N(64) // dense
		case 1:
			return r.Int64N(64) << 20 // sparse, colliding homes
		case 2:
			return -1 - r.Int64N(4)
		default:
			return r.Int64N(5000)
		}
	}
	for step := 0; step < 200_000; step++ {
		id := ids()
		switch r.IntN(3) {
		case 0:
			s := gstate{state: GoState(r.IntN(6)), flags: uint8(r.IntN(32)), p: r.Int64N(8)}
			g.put(id, s)
			ref[id] = s
		case 1:
			g.del(id)
			delete(ref, id)
		}
		s, ok := g.get(id)
		if want, wok := ref[id]; ok != wok || s != want {
			t.Fatalf("step %d: get(%d) = %v %v, want %v %v", step, id, s, ok, want, wok)
		}
		if g.len() != len(ref) {
			t.Fatalf("step %d: len %d, want %d", step, g.len(), len(ref))
		}
	}
	for id, want := range ref {
		if s, ok := g.get(id); !ok || s != want {
			t.Fatalf("get(%d) = %v %v, want %v", id, s, ok, want)
		}
	}
}

// TestIdset compares the exited-id set with a map, ids set in a shuffled
// but roughly increasing order, and checks that full blocks are freed.
func TestIdset(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var s idset
	ref := map[int64]bool{}
	const n = 20 * idBlock
	order := make([]int64, 0, n)
	for id := int64(0); id < n; id++ {
		if id%idBlock == 77 && (id/idBlock)%5 == 2 {
			continue // a hole: blocks 2, 7, 12, 17 never fill
		}
		order = append(order, id)
	}
	// Shuffle within windows, so ids arrive nearly in order.
	for i := 0; i+1000 <= len(order); i += 500 {
		w := order[i : i+1000]
		r.Shuffle(len(w), func(a, b int) { w[a], w[b] = w[b], w[a] })
	}
	// Blocks fill in a scattered order too: the last block first.
	for id := int64(19 * idBlock); id < n; id++ {
		s.set(id)
		ref[id] = true
	}
	for i, id := range order {
		s.set(id)
		s.set(id) // idempotent
		ref[id] = true
		if i%997 == 0 {
			for k := 0; k < 50; k++ {
				q := r.Int64N(n+idBlock) - 5
				if s.has(q) != ref[q] {
					t.Fatalf("after %d: has(%d) = %v", i, q, !ref[q])
				}
			}
		}
	}
	for q := int64(-3); q < n+idBlock; q++ {
		if s.has(q) != ref[q] {
			t.Fatalf("has(%d) = %v", q, !ref[q])
		}
	}
	blocks, runs := s.footprint()
	if blocks != 4 || runs != 5 {
		t.Errorf("%d blocks and %d runs held, want 4 (the blocks with a hole) and 5", blocks, runs)
	}
}

// stateBytes is the memory the checker's state holds: its tables, not the
// report (whose violations are bounded by MaxViolations).
func (c *Checker) stateBytes() int {
	blocks, runs := c.exited.footprint()
	return len(c.gs.tab)*int(unsafe.Sizeof(gentry{})) +
		blocks*int(unsafe.Sizeof(idblock{})) + runs*int(unsafe.Sizeof(blockRun{})) +
		len(c.ps.small)*int(unsafe.Sizeof(pstate{})) + len(c.ps.big)*int(unsafe.Sizeof(pstate{})+8) +
		(len(c.extra)+len(c.deadThreads))*16
}

// spawnStream feeds c a synthetic trace in which goroutine 1, on P 0,
// creates n goroutines in batches of batch, each of which runs once and
// exits: at most batch+1 goroutines are ever alive.
func spawnStream(c *Checker, n, batch int) {
	var t int64
	feed := func(e Event) {
		t += 10
		e.Time = t
		c.Feed(&e)
	}
	goEv := func(id int64, from, to GoState, by int64) {
		feed(Event{Kind: KindGo, Target: id, From: uint8(from), To: uint8(to), G: by, P: 0, M: 100})
	}
	feed(Event{Kind: KindSync, G: -1, P: -1, M: -1, Target: -1})
	feed(Event{Kind: KindProc, Target: 0, From: uint8(ProcUndetermined), To: uint8(ProcRunning), G: -1, P: -1, M: 100})
	goEv(1, GoUndetermined, GoRunning, -1)
	id := int64(2)
	for made := 0; made < n; made += batch {
		first := id
		for k := 0; k < batch; k++ {
			goEv(id, GoNotExist, GoRunnable, 1)
			id++
		}
		goEv(1, GoRunning, GoRunnable, 1)
		for g := first; g < id; g++ {
			goEv(g, GoRunnable, GoRunning, -1)
			goEv(g, GoRunning, GoNotExist, g)
		}
		goEv(1, GoRunnable, GoRunning, -1)
	}
}

// TestMemoryBounded: the checker's memory follows the live goroutines, not
// the trace length. Ten times as many goroutines, as many alive at once:
// the same state.
func TestMemoryBounded(t *testing.T) {
	n := 500_000
	if testing.Short() || raceEnabled {
		n = 100_000
	}
	var sizes []int
	for _, n := range []int{n / 10, n} {
		c := NewChecker()
		spawnStream(c, n, 100)
		rep := c.Report()
		if !rep.OK() || rep.Exited != n || rep.MaxLive != 101 {
			t.Fatalf("%d goroutines: %d exited, max live %d\n%s", n, rep.Exited, rep.MaxLive, rep.Text(false))
		}
		blocks, runs := c.exited.footprint()
		t.Logf("%d goroutines, %d events: %d bytes of state (goroutine table %d slots, %d id blocks, %d runs)",
			n, rep.Events, c.stateBytes(), len(c.gs.tab), blocks, runs)
		if blocks > 2 || runs != 1 {
			t.Errorf("%d goroutines: %d id blocks and %d runs held, want at most 2 and 1", n, blocks, runs)
		}
		sizes = append(sizes, c.stateBytes())
	}
	if sizes[1] != sizes[0] {
		t.Errorf("state grew with the trace: %d bytes for %d goroutines, %d bytes for %d", sizes[0], n/10, sizes[1], n)
	}
}
