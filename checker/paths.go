package checker

// paths holds, for each state number, its parent's number and the index
// (in Enabled's order) of the op that reached it: what a shortest path is
// rebuilt from by replay. It stores them in blocks of pathBlock entries
// that never move, so that it grows one block at a time: a slice grown
// by append would allocate the whole array again while the old one is
// still live, a jump of gigabytes on a big run that -max-memory, checked
// every 16,384 transitions, could see only after the machine had to hold
// it.
type paths struct {
	parent [][]uint32
	op     [][]uint8
	n      int
}

const pathBlock = 1 << 20

// add records the next state number's parent and op, and returns the
// number.
func (p *paths) add(parent uint32, op uint8) uint32 {
	b, i := p.n/pathBlock, p.n%pathBlock
	if b == len(p.parent) {
		p.parent = append(p.parent, make([]uint32, pathBlock))
		p.op = append(p.op, make([]uint8, pathBlock))
	}
	p.parent[b][i], p.op[b][i] = parent, op
	p.n++
	return uint32(p.n - 1)
}

// len is the number of states recorded.
func (p *paths) len() int { return p.n }

// bytes is the memory the blocks take.
func (p *paths) bytes() int { return len(p.parent) * pathBlock * 5 }

// to is the op indices of the path from state 0 (the initial state) to
// state id, in order.
func (p *paths) to(id uint32) []uint8 {
	var idx []uint8
	for n := id; n != 0; n = p.parent[n/pathBlock][n%pathBlock] {
		idx = append(idx, p.op[n/pathBlock][n%pathBlock])
	}
	for i, j := 0, len(idx)-1; i < j; i, j = i+1, j-1 {
		idx[i], idx[j] = idx[j], idx[i]
	}
	return idx
}
