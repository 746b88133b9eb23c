package checker

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// paths across block boundaries gives the path a plain pair of slices
// gives, for states in the first block, the last and in between.
func TestPathsAcrossBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var p paths
	parent, op := []uint32{0}, []uint8{0}
	p.add(0, 0)
	const n = 2*pathBlock + 12345
	for i := 1; i < n; i++ {
		// A parent a few levels up, often in an earlier block.
		par := uint32(max(0, i-1-r.IntN(pathBlock/2)))
		o := uint8(r.IntN(256))
		if id := p.add(par, o); int(id) != i {
			t.Fatalf("add numbered state %d as %d", i, id)
		}
		parent, op = append(parent, par), append(op, o)
	}
	if p.len() != n || p.bytes() != 3*pathBlock*5 {
		t.Fatalf("len %d bytes %d", p.len(), p.bytes())
	}
	for _, id := range []uint32{0, 1, pathBlock - 1, pathBlock, pathBlock + 1, 2*pathBlock + 7, n - 1} {
		var want []uint8
		for m := id; m != 0; m = parent[m] {
			want = append(want, op[m])
		}
		slices.Reverse(want)
		if got := p.to(id); !slices.Equal(got, want) {
			t.Fatalf("path to %d: %d ops, want %d", id, len(got), len(want))
		}
	}
}
