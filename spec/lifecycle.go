package spec

// Edge is one goroutine status transition of the lifecycle automaton.
type Edge struct {
	From, To Status
	// Via names the runtime function that makes the transition.
	Via string
}

// Lifecycle is the goroutine lifecycle automaton: every status transition a
// G makes from one spec op to the next on the paths the spec models.
// casgstatus (proc.go) checks no transition graph of its own; this table is
// the spec's statement of it, and every transition function of the spec
// makes only these edges (a test checks that against exploration). Where
// one op stands for several casgstatus calls the edge is their
// composition: exitsyscallNoP's is _Gsyscall -> _Grunning in exitsyscall
// (proc.go:4913-4914), then _Grunning -> _Grunnable (proc.go:5070); and
// growstack's newstack makes _Grunning -> _Gcopystack -> _Grunning
// (stack.go:1212, 1220) inside its op, so no edge shows it.
var Lifecycle = []Edge{
	{Idle, Dead, "newproc1 (malg then allgadd publishes a dead G)"},
	{Dead, Runnable, "newproc1"},
	{Dead, Waiting, "newproc1 (parked: a coroutine created blocked, iter.Pull)"},
	{Runnable, Running, "execute"},
	{Running, Dead, "gdestroy"},
	{Running, Waiting, "park_m"},
	{Waiting, Runnable, "ready"},
	{Running, Runnable, "gosched_m / goschedImpl (also preemption)"},
	{Running, Syscall, "entersyscall / reentersyscall"},
	{Syscall, Running, "exitsyscall"},
	{Syscall, Runnable, "exitsyscall then exitsyscallNoP (the P was taken): two casgstatus calls in one op"},
	{Running, Preempted, "suspendG (preemptPark)"},
	{Preempted, Waiting, "suspendG (casGFromPreempted), then resumeG readies it"},
}

// LifecycleAllows reports whether the automaton has the edge from -> to, and
// the runtime function that makes it.
func LifecycleAllows(from, to Status) (via string, ok bool) {
	for _, e := range Lifecycle {
		if e.From == from && e.To == to {
			return e.Via, true
		}
	}
	return "", false
}
