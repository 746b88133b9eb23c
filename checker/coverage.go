package checker

import "github.com/gexit-dev/gexit/spec"

// branchKey is what spec.Branches looks at in an (op, result) pair; the
// explorer counts keys (no allocation per transition) and expands them to
// branch names once at the end.
type branchKey struct {
	kind                                            spec.OpKind
	n                                               int8
	how, stack, locked                              uint8
	src                                             spec.Source
	g0, kicked, slow, handed, moved, spilled, freed bool
	fatal, handedOff, gotP                          bool
}

type branchCount struct {
	n   int
	op  spec.Op
	res spec.Result
}

// Coverage counts the spec transitions and branches a run exercised.
type Coverage struct {
	keys map[branchKey]*branchCount
}

// NewCoverage returns an empty coverage counter.
func NewCoverage() *Coverage { return &Coverage{keys: map[branchKey]*branchCount{}} }

// Add counts one transition.
func (c *Coverage) Add(op spec.Op, r spec.Result) {
	k := branchKey{kind: op.Kind, how: code(r.How), stack: code(r.Stack), locked: code(r.Locked), src: r.Source,
		g0: r.Goid == spec.MainGoid, kicked: r.Kicked != spec.None, slow: r.Slow, handed: r.HandedTo != spec.None,
		moved: r.Moved != 0, spilled: r.Spilled != 0, freed: r.StackFreed, fatal: r.Fatal != "",
		handedOff: r.HandedOff, gotP: r.P != spec.None}
	if op.Kind == spec.OpNewproc1 || op.Kind == spec.OpProcResize {
		k.n = op.N
	}
	if bc := c.keys[k]; bc != nil {
		bc.n++
		return
	}
	c.keys[k] = &branchCount{n: 1, op: op, res: r}
}

// Merge adds o's counts to c.
func (c *Coverage) Merge(o *Coverage) {
	for k, v := range o.keys {
		if bc := c.keys[k]; bc != nil {
			bc.n += v.n
		} else {
			cp := *v
			c.keys[k] = &cp
		}
	}
}

// Counts returns transitions per op kind and per "op/branch".
func (c *Coverage) Counts() map[string]int {
	out := map[string]int{}
	var buf []string
	for _, v := range c.keys {
		buf = spec.Branches(v.op, v.res, buf)
		for _, b := range buf {
			out[b] += v.n
		}
	}
	return out
}

// NeverReached lists the branches of spec.AllBranches with no count.
func NeverReached(counts map[string]int) []string {
	var out []string
	for _, b := range spec.AllBranches() {
		if counts[b] == 0 {
			out = append(out, b)
		}
	}
	return out
}

// code maps the strings of a Result to small codes (the key hashes no string).
func code(v string) uint8 {
	switch v {
	case "":
		return 0
	case spec.HowLocal:
		return 1
	case spec.HowRefill:
		return 2
	case spec.HowMalg:
		return 3
	case spec.StackReused:
		return 4
	case spec.StackAllocated:
		return 5
	case spec.StackReplaced:
		return 6
	case spec.LockedMexit:
		return 7
	case spec.LockedM0Wedged:
		return 8
	}
	return 255
}
