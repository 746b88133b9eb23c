package checker

import (
	"strings"

	"github.com/gexit-dev/gexit/spec"
)

// branchKey is what spec.Branches looks at in an (op, result) pair, packed
// in a word; the explorer counts keys (no allocation per transition) and
// expands them to branch names once at the end.
type branchKey uint64

func keyOf(op spec.Op, r *spec.Result) branchKey {
	var n int8
	if op.Kind == spec.OpNewproc1 || op.Kind == spec.OpProcResize || op.Kind == spec.OpExitSyscall || op.Kind == spec.OpGC ||
		op.Kind == spec.OpHandoffp || op.Kind == spec.OpStoplockedm || op.Kind == spec.OpMexit || op.Kind == spec.OpRecheck {
		n = op.N
	}
	k := uint64(op.Kind) | uint64(uint8(n))<<8 | uint64(code(r.How))<<16 | uint64(code(r.Stack))<<24 |
		uint64(code(r.Locked))<<32 | uint64(r.Source)<<40
	k |= b2u(r.Goid == spec.MainGoid)<<48 | b2u(r.Kicked != spec.None)<<49 | b2u(r.Slow)<<50 |
		b2u(r.HandedTo != spec.None)<<51 | b2u(r.Moved != 0)<<52 | b2u(r.Spilled != 0)<<53 |
		b2u(r.StackFreed)<<54 | b2u(r.Fatal != "")<<55 | b2u(r.HandedOff)<<56 | b2u(r.P != spec.None)<<57 |
		b2u(op.Kind == spec.OpMarkrootFreeGStacks && r.Value != 0)<<58 | b2u(r.Fatal == spec.FatalAllAsleep)<<59 |
		b2u(r.Woke)<<60
	switch {
	case op.Kind == spec.OpWakep:
		k |= uint64(r.Value&3) << 61
	case op.Kind == spec.OpSchedule && r.Value == spec.StopNeedSpinning:
		// The op's kind is in the key: bit 61 is wakep's otherwise.
		k |= 1 << 61
	case op.Kind == spec.OpGC && op.Size != 0:
		k |= 1 << 61 // the GC's end set startingStackSize
	case op.Kind == spec.OpNewproc1 && r.Batch != 0:
		k |= 1 << 61 // newproc1 fetched a goid batch (goidrefill)
	case op.Kind == spec.OpStopTheWorld && op.N != 0:
		k |= 1 << 61 // a syscall P left with its M (a retake in progress, or its exitsyscall first)
	case op.Kind == spec.OpSpin && r.Value == 1:
		k |= 1 << 61 // becomeSpinning's needspinning store
	case op.Kind == spec.OpAcquireP && r.Newm:
		k |= 1 << 61 // newm's thread, in an exited M's place
	case op.Kind == spec.OpRecheck && r.Value == 1:
		k |= 1 << 61 // pidlegetSpinning's needspinning store
	case op.Kind == spec.OpHandoffp || op.Kind == spec.OpStoplockedm || op.Kind == spec.OpMexit || op.Kind == spec.OpStartm || op.Kind == spec.OpHandoffpLocked:
		k |= uint64(r.Value&7) << 61 // handoffp's next step, startm's step, the sched.lock section's branch
	}
	return branchKey(k)
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

type branchCount struct {
	n   int
	op  spec.Op
	res spec.Result
}

// Coverage counts the spec transitions and branches a run exercised.
type Coverage struct {
	// An open-addressing table of the keys met (there are a few hundred
	// at most), with the counts in the same order in counts.
	slots  []uint32 // index+1 into counts; 0: empty
	keys   []branchKey
	counts []branchCount
}

// NewCoverage returns an empty coverage counter.
func NewCoverage() *Coverage { return &Coverage{slots: make([]uint32, 256)} }

// Add counts one transition.
func (c *Coverage) Add(op spec.Op, r spec.Result) {
	c.add(keyOf(op, &r), 1, &op, &r)
}

// add counts n transitions with key k; op and r, the first met with k,
// are copied only when k is new (the explorer adds one a transition).
func (c *Coverage) add(k branchKey, n int, op *spec.Op, r *spec.Result) {
	mask := uint64(len(c.slots) - 1)
	i := uint64(k) * 0x9E3779B97F4A7C15 >> 32 & mask
	for ; c.slots[i] != 0; i = (i + 1) & mask {
		if j := c.slots[i] - 1; c.keys[j] == k {
			c.counts[j].n += n
			return
		}
	}
	c.keys = append(c.keys, k)
	c.counts = append(c.counts, branchCount{n: n, op: *op, res: *r})
	c.slots[i] = uint32(len(c.keys))
	if 2*len(c.keys) > len(c.slots) {
		c.slots = make([]uint32, 2*len(c.slots))
		c.rehash()
	}
}

// rehash rebuilds slots from keys after a grow.
func (c *Coverage) rehash() {
	clear(c.slots)
	mask := uint64(len(c.slots) - 1)
	for j, k := range c.keys {
		i := uint64(k) * 0x9E3779B97F4A7C15 >> 32 & mask
		for c.slots[i] != 0 {
			i = (i + 1) & mask
		}
		c.slots[i] = uint32(j + 1)
	}
}

// Merge adds o's counts to c.
func (c *Coverage) Merge(o *Coverage) {
	for j, k := range o.keys {
		v := &o.counts[j]
		c.add(k, v.n, &v.op, &v.res)
	}
}

// Counts returns transitions per op kind and per "op/branch".
func (c *Coverage) Counts() map[string]int {
	out := map[string]int{}
	var buf []string
	for i := range c.counts {
		v := &c.counts[i]
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

// MustReachGroup is a branch a campaign exists to exercise: reached when
// any of Branches has a count.
type MustReachGroup struct {
	Name     string
	Branches []string
	// MinPs and MinMs are the smallest bounds that can reach it: a
	// campaign narrowed below them is not expected to.
	MinPs, MinMs int
}

// MustReach is the list of branches a campaign must exercise before its
// "ok" means anything: the free-list spill and refill, stealing (ring and
// runnext), the 61st-tick global pick, the global queue's batch,
// runqputslow, a locked G's exit (mexit or m0 wedged), main's Goexit
// fatal, and the handoffs of the wakeup protocol (sysmon's retake ->
// handoffp, stoplockedm, startlockedm).
var MustReach = []MustReachGroup{
	{Name: "spill", Branches: []string{"exit/spill", "goexit/spill"}, MinPs: 1, MinMs: 1},
	{Name: "refill", Branches: []string{"newproc1/refill"}, MinPs: 1, MinMs: 1},
	{Name: "steal", Branches: []string{"schedule/steal"}, MinPs: 2, MinMs: 2},
	{Name: "stealnext", Branches: []string{"schedule/stealnext"}, MinPs: 2, MinMs: 2},
	{Name: "tick", Branches: []string{"schedule/tick"}, MinPs: 1, MinMs: 1},
	{Name: "global batch", Branches: []string{"schedule/batch"}, MinPs: 1, MinMs: 1},
	{Name: "runqputslow", Branches: []string{"runqput/runqputslow", "ready/runqputslow"}, MinPs: 1, MinMs: 1},
	{Name: "locked exit", Branches: []string{"exit/locked:mexit", "exit/locked:m0wedged", "goexit/locked:mexit", "goexit/locked:m0wedged"}, MinPs: 1, MinMs: 1},
	{Name: "Goexit fatal", Branches: []string{"checkdead/goexit"}, MinPs: 1, MinMs: 1},
	{Name: "retake handoff", Branches: []string{"retake"}, MinPs: 1, MinMs: 1},
	{Name: "stoplockedm handoff", Branches: []string{"stoplockedm/handoffp"}, MinPs: 1, MinMs: 2},
	{Name: "startlockedm", Branches: []string{"schedule/startlockedm"}, MinPs: 1, MinMs: 2},
}

// Unreached lists the MustReach groups with no count in counts that a
// campaign drawing up to ps Ps and ms Ms can reach.
func Unreached(counts map[string]int, ps, ms int) []string {
	var out []string
	for _, g := range MustReach {
		if ps < g.MinPs || ms < g.MinMs {
			continue
		}
		reached := false
		for _, b := range g.Branches {
			if counts[b] != 0 {
				reached = true
				break
			}
		}
		if !reached {
			out = append(out, g.Name+" ("+strings.Join(g.Branches, " or ")+")")
		}
	}
	return out
}
