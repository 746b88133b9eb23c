package spec

import (
	"errors"
	"fmt"
)

// Consts are the runtime constants the spec is parameterized by. The same
// transition code serves every preset; preset "go" has the runtime's values
// and preset "small" scales them down so that every branch (gfput's spill,
// gfget's refill, runqputslow, the global-queue tick) is reachable with a
// handful of Gs.
type Consts struct {
	// GFreeCap: gfput spills when the local free list reaches this size
	// (proc.go gfput: `if pp.gFree.size >= 64`).
	GFreeCap int
	// GFreeSpillTo: the spill pops while the local size is at least this
	// (gfput: `for pp.gFree.size >= 32`), so GFreeCap-GFreeSpillTo+1 move.
	GFreeSpillTo int
	// RefillTo: gfget refills the local list until it has this many
	// (gfget: `for pp.gFree.size < 32`).
	RefillTo int
	// RunqSize: slots of a P's run queue ring (runtime2.go: runq [256]guintptr).
	RunqSize int
	// GlobalTick: findRunnable takes one G from the global queue every
	// GlobalTick-th schedtick (`pp.schedtick%61 == 0`).
	GlobalTick int
	// GoidBatch: goids a P takes from sched.goidgen at once (_GoidCacheBatch).
	GoidBatch int
}

// StackMin is the smallest stack a G gets (stack.go stackMin); malg
// allocates it for every new G. That is fixedStack, malg's size
// (`round2(stackSystem + stacksize)`, proc.go:5276), where stackSystem is
// 0: every OS but windows (8192), plan9 (4096, 2048 + 512 rounded) and
// ios/arm64 (4096), stack.go:75-89. The spec models those platforms' sizes
// up to that unit.
const StackMin = 2048

// MaxStackSize is maxstacksize on a 64-bit system (proc.go main:
// `maxstacksize = 1000000000`; debug.SetMaxStack can change it, which the
// spec does not model): newstack throws "stack overflow" for a larger
// stack (stack.go:1200-1207).
const MaxStackSize = 1000000000

// MaxStartingStackSize is the largest startingStackSize
// gcComputeStartingStackSize can set on a 64-bit system: round2 of an
// average clamped to maxstacksize (proc.go main: 1000000000), 1<<30.
const MaxStartingStackSize = 1 << 30

// IsStartingStackSize reports whether n is a startingStackSize
// gcComputeStartingStackSize can set: a power of two in [fixedStack,
// MaxStartingStackSize].
func IsStartingStackSize(n int64) bool {
	return n >= StackMin && n <= MaxStartingStackSize && n&(n-1) == 0
}

// Presets are the named constant sets.
var Presets = map[string]Consts{
	"go":    {GFreeCap: 64, GFreeSpillTo: 32, RefillTo: 32, RunqSize: 256, GlobalTick: 61, GoidBatch: 16},
	"small": {GFreeCap: 4, GFreeSpillTo: 2, RefillTo: 2, RunqSize: 4, GlobalTick: 3, GoidBatch: 2},
}

// Preset returns the named constant set.
func Preset(name string) (Consts, error) {
	c, ok := Presets[name]
	if !ok {
		return Consts{}, fmt.Errorf("unknown constants preset %q (want go or small)", name)
	}
	return c, nil
}

// Validate reports whether the constants describe a runtime the spec can
// model.
func (c Consts) Validate() error {
	switch {
	case c.GFreeSpillTo < 1 || c.GFreeCap <= c.GFreeSpillTo:
		return fmt.Errorf("consts: need 1 <= GFreeSpillTo < GFreeCap, have %d and %d", c.GFreeSpillTo, c.GFreeCap)
	case c.RefillTo < 1 || c.RefillTo >= c.GFreeCap:
		// gfget refills to 32, below gfput's 64 (proc.go gfget, gfput):
		// a refill to the cap would leave a local list gfput never
		// leaves.
		return fmt.Errorf("consts: need 1 <= RefillTo < GFreeCap, have %d and %d", c.RefillTo, c.GFreeCap)
	case c.RunqSize < 2 || c.RunqSize%2 != 0:
		return fmt.Errorf("consts: RunqSize must be even and at least 2, have %d", c.RunqSize)
	case c.GlobalTick < 1:
		return fmt.Errorf("consts: GlobalTick must be positive, have %d", c.GlobalTick)
	case c.GoidBatch < 1:
		return fmt.Errorf("consts: GoidBatch must be positive, have %d", c.GoidBatch)
	}
	return nil
}

// Config is everything fixed for the life of a state: the constants, the
// numbers of Ms and Ps, and GOARCH=wasm.
type Config struct {
	Consts Consts
	Ps, Ms int
	// Wasm selects gdestroy's GOARCH == "wasm" branch (no threads: gfput and
	// return; LockOSThread wires nothing; no sysmon). It needs one P and
	// one M (ErrWasmOneThread).
	Wasm bool
}

// ErrWasmOneThread is Validate's error for a wasm configuration with more
// than one M or P. GOARCH=wasm has one thread, m0 ("on Wasm we have only
// one M", proc.go:276-278; newosproc throws "newosproc: not
// implemented", os_wasm.go:114), so more Ms are no runtime's; and with
// GOMAXPROCS above 1 the first startm that finds an idle P but no idle M
// (m0 is the one running it) calls newm and throws (a wakep at the first
// go statement: agnivade/wasmbrowsertest#16).
var ErrWasmOneThread = errors.New("config: wasm has one thread: Ps and Ms must be 1 (with GOMAXPROCS above 1 the first wakep's startm calls newm, and newosproc throws \"newosproc: not implemented\")")

// Validate reports whether the configuration is usable.
func (c Config) Validate() error {
	if err := c.Consts.Validate(); err != nil {
		return err
	}
	if c.Ps < 1 || c.Ps > 64 {
		return fmt.Errorf("config: Ps must be in [1, 64], have %d", c.Ps)
	}
	if c.Ms < 1 || c.Ms > 64 {
		return fmt.Errorf("config: Ms must be in [1, 64], have %d", c.Ms)
	}
	if c.Wasm && (c.Ps != 1 || c.Ms != 1) {
		return fmt.Errorf("%w; have %d Ps, %d Ms", ErrWasmOneThread, c.Ps, c.Ms)
	}
	return nil
}
