package checker

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gexit-dev/gexit/spec"
)

// Liveness in the explorer.
//
// With ExploreOptions.Liveness, Explore records the reachable state graph
// as it explores (states by number, each with its out-edges: target, actor
// and what the step did) and, once the space is exhausted, checks the
// liveness properties (LivenessProperties) on it: each property names a
// "bad" condition (a G is runnable, a P is handed off, ...) that must not
// hold forever on a fair path. A violation is a lasso: a path from the
// initial state to a loop that keeps the condition true and that a fair
// scheduler could repeat forever.
//
// The graph's edges are the steps judged by findRunnable's and
// exitsyscall's strict order (spec.Op.Strict): an explorer step is atomic,
// and the relaxations of the spec exist for ops that overlap another, where
// the runtime reads racy state. Without that, the relaxed spec would let an
// M go idle next to stealable work forever, a loop the runtime cannot take.
// The exploration itself is unchanged: the relaxed steps still lead to the
// states they reach (so -liveness explores exactly the states and
// transitions a run without it does), but no loop is made of them.
//
// Symmetry: Fingerprint renames Gs, so the stored states do not say which
// G is which. A G property is checked on the product of the graph with
// "which runnable G is followed", that G named by its rank in
// spec.State.RunnableOrder, which only positions decide; each edge records
// where every runnable G of its source went (its rank in the target, or
// that it stopped being runnable).
//
// Algorithm: for each property, the graph is restricted to the nodes where
// the bad condition holds; its strongly connected components (iterative
// Tarjan) are judged by the fairness conditions (FairnessConditions).
// WeakFairMs and NewMForHandoff say "infinitely often X" (X a step or a
// state), so a component satisfies them iff the whole component does.
// HandoffStartsM and TimeSliceEnds are strong fairness (Streett) pairs, "if
// E infinitely often then F infinitely often": a component with E states
// and no F is searched again without its E states, which a fair loop in it
// cannot visit. The lasso goes to the fair component's state nearest the
// initial state (shortest prefix, by BFS numbering), then round a loop
// inside the component through a witness of every fairness condition and
// back.
//
// A run can also stay in one state forever without a loop in the graph:
// when every step the state offers is one no fairness condition forces
// (a thread's exitsyscall, the controller's stop-the-world while the GC
// does not mark), staying is fair. Each node where the bad condition holds is
// judged as such a stutter too (sccRun.stutter); its lasso's loop is
// empty. A state with no step at all is the progress predicates' (a
// quiescent live state) or a program that ended.
//
// What it cannot see: what happens after a preemption (TimeSliceEnds
// only rules out the loops sysmon would break), and wakeups the spec
// leaves out (startTheWorldWithSema's wakep, netpoll's; see spec/doc.go).
// The wakeup protocol itself (wakep, startm, stopm with spinning Ms) is
// modelled: acquirep is offered only for an M's nextp, a P startm left for
// newm, or the P a recheck took, so a lost wakep is a loop the liveness
// check can report (IdlePsPutToWork). Not every lost wakeup is: without
// findRunnable's recheck after a spinning M drops its P (the class of
// golang/go#55160) the runtime underutilizes only until the next wakep,
// and the spec without it passes every property; the invariant
// GlobalWorkWakesAnM catches the lost recheck of the global queue as a
// state (global work, an idle P, a free M, no M spinning and no wakeup
// step on its way), and the linearizability check of impl catches it
// too (fault global-not-rechecked). The spec has no work that arrives
// from outside (netpoll, timers), so a lost wakeup for work on a P's own
// run queue, or one of sched.needspinning, is not seen.

// Fairness is a set of fairness conditions.
type Fairness uint8

const (
	// FairMs is weak fairness of the Ms: an M that can take a step in
	// every state of a loop takes one in it. Every M is an OS thread the
	// kernel keeps running; the spec's steps of one M are that thread's.
	// A system call's return (exitsyscall) is not such a step: a call
	// may block forever, and only sysmon's retake frees its P
	// (FairSysmon). The controller's wakep is FairStartTheWorld's.
	FairMs Fairness = 1 << iota
	// FairTimeSlice: a loop in which a P runs Gs (a G running; one in a
	// system call is FairSysmon's), is never idle or stopped and its
	// schedtick never advances is unfair. sysmon's retake preempts the G
	// of a P whose schedtick has not changed for forcePreemptNS (10ms),
	// preemptone (proc.go retake, preemptone). That ends a G that runs
	// throughout the loop, and also a chain of runnext hand-offs, which
	// inherit the time slice (runqget's inheritTime; execute leaves
	// schedtick alone). The spec has no preemption, so it cannot take
	// those loops out itself. A P whose M stays in the scheduler (no G to
	// preempt: preemptone skips g0) is not released by it. A P handed off
	// does not end its time slice: it carries its run queue to the next
	// M, and sysmon's sysmontick keeps the schedtick's first sighting
	// (retake resets schedwhen only when schedtick changes), so a chain
	// that goes on through a locked thread's exit and newm's thread is
	// preempted all the same. On wasm there is no sysmon (runqput avoids
	// runnext for that reason) and this condition is not assumed.
	FairTimeSlice
	// FairHandoff: a loop in which a handed-off P could be acquired
	// infinitely often but never is, is unfair (strong fairness of
	// acquirep of a handed-off P). handoffp -> startm(pp) gives pp to one
	// M, an idle one (mget) or a new one (newm), with mp.nextp = pp, and
	// that M acquirep's it (proc.go handoffp, startm, stopm, mstart1); the
	// spec, which has a fixed set of Ms, lets any M with nothing to do take
	// it, and so also lets such an M take the idle P instead, forever.
	FairHandoff
	// FairNewM: a loop in which a P stays handed off and no M is ever
	// free (none idle, no exited thread's slot: spec.State.FreeM) is
	// unfair. When startm finds no idle M it creates one for the P (`nmp
	// := mget(); if nmp == nil { ... newm(fn, pp, id) }`, proc.go
	// startm); the spec's Ms are the threads that exist at once, and
	// newm's thread runs in an exited thread's slot, so with none exited
	// it would leave the P waiting while every M is busy, wedged or
	// locked to a waiting G. The progress predicates make the same cut
	// (spec/progress.go: stranded only while a free M exists).
	FairNewM
	// FairStartTheWorld is weak fairness of the controller once it has
	// stopped the world: its action with every P stopped, which restarts
	// the world (startTheWorldWithSema), and the wakep after it
	// (spec.Sched.CtlWakeP, CtlWaking, CtlStartmP): if it can step in
	// every state of a loop, it steps in it. The caller of a
	// stop-the-world and startTheWorldWithSema's wakep (proc.go:1822)
	// run on an M of their own, an OS thread like the others.
	// Without it the world could stay stopped, or the controller hold a
	// P it took for startm (status PHandoff, no M named), forever. Its
	// stop-the-worlds are not forced (a run with no further GC is a real
	// run) but for gcMarkDone's once the GC marks (FairGC).
	FairStartTheWorld
	// FairSTWSpaced: a loop in which the controller stops the world is
	// unfair. Between two stop-the-worlds the runtime's threads run far
	// longer than one lasts (the GC is paced by allocation, GOMAXPROCS
	// changes are rare, and the caller of a stop-the-world is itself a
	// goroutine that needs a P to run), so the Ms it stopped get to the
	// work startTheWorldWithSema handed them. The spec has no time:
	// without this condition the controller could stop the world every
	// time an M is about to run a G, and starve every G. A
	// stop-the-world in a lasso's prefix is still explored, and so is a
	// loop inside one stop-the-world (the Ms stopping, or the world
	// stopped until the controller's restart, which FairStartTheWorld
	// forces). It does not apply to GCMarkEnds (LivenessProperty.stwLoops).
	FairSTWSpaced
	// FairSysmon is weak fairness of sysmon: its retake of the P of a
	// thread in a system call, its handoffp of that P (spec.Sched.RetakeP),
	// and that handoffp's next steps (spec.P.Handoff), if it can step in
	// every state of a loop, steps in it. sysmon is a thread of its own
	// that wakes at least every 10 ms while a P is not idle; retake takes
	// a P whose call has lasted 10 ms (sooner when the P has work and no
	// M spins or idles), and handoffp follows the retake in the same call
	// (proc.go retake). Without it a call that blocks could keep its P,
	// and sysmon hold a P (handed off, no M's), forever. It is sysmon's
	// as a whole, not per P: a loop in which Ms take turns in short calls
	// that sysmon would never retake is ruled out with it.
	FairSysmon
	// FairGC is weak fairness of the GC's progress while it marks: its
	// root job (markrootFreeGStacks: the take of sched.gFree.stack and
	// the push of the taken Gs) and, once the root jobs are done,
	// gcMarkDone's stop-the-world for mark termination, if one of them
	// can step in every state of a loop, steps in it. The mark phase is
	// finite work: the background mark workers (gcBgMarkWorker, which
	// findRunnableGCWorker schedules ahead of every other G) and the
	// assists finish the root jobs, and gcMarkDone then stops the world
	// (mgc.go). Without it a GC could mark forever. A GC that never
	// starts is a real run: gcStart's stop-the-world is not forced.
	FairGC
	// AllFairness is every condition: the default.
	AllFairness = FairMs | FairTimeSlice | FairHandoff | FairNewM | FairStartTheWorld | FairSTWSpaced | FairSysmon | FairGC
)

// FairnessConditions name the fairness conditions, in bit order.
var FairnessConditions = []struct {
	Bit  Fairness
	Name string
	Doc  string
}{
	{FairMs, "WeakFairMs", "an M that can step in every state of a loop steps in it (every M is a thread the OS keeps running); a system call's return is no such step (a call may block forever)"},
	{FairTimeSlice, "TimeSliceEnds", "a loop in which a P runs Gs (running, not in a system call), is never idle or stopped and stays on one schedtick is unfair: sysmon's retake preempts a G that has run for forcePreemptNS (10ms) on one schedtick, a single G or a chain of runnext hand-offs sharing its time slice, handed off or not (proc.go retake, preemptone); not assumed on wasm (no sysmon)"},
	{FairHandoff, "HandoffStartsM", "a loop in which an M could acquire a handed-off P infinitely often but none does is unfair: handoffp -> startm(pp) wakes one M for that P (mp.nextp = pp; proc.go startm)"},
	{FairNewM, "NewMForHandoff", "a loop in which a P stays handed off while no M is ever free is unfair: startm creates an M (newm) when none is idle, which the spec's bounded Ms can only in an exited thread's slot (proc.go startm)"},
	{FairStartTheWorld, "WeakFairStartTheWorld", "the controller, once every P has stopped for its stop-the-world, and its wakep after it, if they can step in every state of a loop, step in it: the caller of a stop-the-world and startTheWorldWithSema's wakep (proc.go:1822) run on a thread of their own"},
	{FairSTWSpaced, "StopTheWorldsSpaced", "a loop in which the controller stops the world is unfair: between two stop-the-worlds the Ms run far longer than one lasts (the GC is paced by allocation; the caller is a goroutine that needs a P), so the Ms it stopped reach the work startTheWorldWithSema handed them; a stop-the-world in a lasso's prefix is still explored"},
	{FairSysmon, "WeakFairSysmon", "sysmon retakes the P of a thread in a system call and hands it off (handoffp, and its next steps) if it can step in every state of a loop: sysmon is a thread of its own, retakes a P whose call lasted 10 ms, and handoffp follows the retake in the same call (proc.go retake)"},
	{FairGC, "WeakFairGC", "while the GC marks, its root job (markrootFreeGStacks's take and push) and, the root jobs done, gcMarkDone's stop-the-world, if one of them can step in every state of a loop, steps in it: the mark phase is finite work its workers (gcBgMarkWorker, scheduled ahead of other Gs by findRunnableGCWorker) and assists finish, then gcMarkDone stops the world (mgc.go); gcStart is not forced"},
}

// LivenessProperty is one liveness property.
type LivenessProperty struct {
	Name   string
	Doc    string
	Source string
	onP    bool // the bad condition is on a P (else on a runnable G)
	global bool // with onP: the condition is the whole state's, kept as P0's bit
	// stwLoops: the property's loops may stop the world
	// (StopTheWorldsSpaced does not apply).
	stwLoops bool
	gsel     uint32 // G properties: 0 every runnable G, else the gmask bit offset of the subset
	pbit     uint32 // P properties: the pmask bit offset of the bad condition
}

// LivenessProperties are the properties -liveness checks, in order.
var LivenessProperties = []LivenessProperty{
	{Name: "RunnableGRuns", Doc: "every runnable G eventually runs",
		Source: "schedule -> findRunnable (proc.go): runqget drains runnext and the ring (FIFO), globrunqget serves sched.runq, stealWork takes other Ps' rings and runnext; handoffp/wakep/startm bring an M to a P with work"},
	{Name: "GlobalRunqServed", Doc: "a G on the global run queue (sched.runq) eventually leaves it, even while the Ps keep running local work", gsel: gmRunq,
		Source: "findRunnable: `if pp.schedtick%61 == 0 && !sched.runq.empty()` globrunqget (golang/go#5639), and globrunqgetbatch when the local queue is empty (proc.go)"},
	{Name: "HandedOffPTaken", Doc: "a P handed off (PHandoff) is eventually acquired by an M", onP: true, pbit: pmHand,
		Source: "handoffp -> startm(pp, ...): mget or newm, mp.nextp = pp, and the M acquirep's pp (proc.go handoffp, startm, stopm, mstart1)"},
	{Name: "IdlePsPutToWork", Doc: "a P does not stay idle forever while a G is runnable and an M is free: some M takes a P and the work, or the work runs out", onP: true, pbit: pmIdleWork,
		Source: "\"eventual maximal CPU parallelism utilization\" (proc.go:64-89): ready, newproc and goschedImpl call wakep, which starts a spinning M on an idle P (startm(nil, true)); a spinning M steals (stealWork) and, dropping its P, rechecks every run queue (findRunnable's delicate dance); resetspinning's wakep hands the search on"},
	{Name: "LockedGRunsOnItsM", Doc: "a runnable G locked to an M (gp.lockedm) eventually runs, on that M", gsel: gmLocked,
		Source: "schedule -> startlockedm: the P goes to gp.lockedm (mp.nextp, notewakeup), which wakes in stoplockedm, acquirep's it and executes its lockedg (proc.go)"},
	{Name: "StopTheWorldCompletes", Doc: "a P a stop-the-world waits for (sched.stopwait) eventually stops: the world, once stopping, comes to be stopped", onP: true, pbit: pmSTWWait,
		Source: "stopTheWorldWithSema: sched.gcwaiting, preemptall, then the wait on sched.stopnote until sched.stopwait is 0; each M stops its P at its next safe point (goschedImpl's preemption, gcstopm, entersyscallHandleGCWait, handoffp), and sysmon's retake takes the P of a thread in a system call (proc.go)"},
	// StopTheWorldsSpaced keeps the controller from starving the Ms
	// with stop-the-worlds; whether a mark phase ends does not depend on
	// their spacing, and a gcMarkDone that restarts marking every time
	// (golang/go#27993's restart, forever) is a loop through its own
	// stop-the-worlds. In the spec a stop-the-world while the GC marks
	// is gcMarkDone's, which ends the phase unless it restarts.
	{Name: "GCMarkEnds", Doc: "a GC mark phase (gcBlackenEnabled) eventually ends", onP: true, global: true, pbit: pmGCMark, stwLoops: true,
		Source: "gcBgMarkWorker and the assists finish the mark work (markrootFreeGStacks among the root jobs), gcMarkDone stops the world and gcMarkTermination sets gcBlackenEnabled to 0 (mgc.go)"},
}

// LivenessResult is the verdict on one property.
type LivenessResult struct {
	Name string `json:"name"`
	// Holds: no fair lasso keeps the bad condition forever. False with
	// Unknown when the space was not exhausted.
	Holds   bool `json:"holds"`
	Unknown bool `json:"unknown,omitempty"`
	// CheckedStates counts the states in which the bad condition holds
	// (for some G or P): the states the property had something to judge.
	CheckedStates int    `json:"checkedStates"`
	Source        string `json:"source"`
	Lasso         *Lasso `json:"lasso,omitempty"`
}

// Lasso is a liveness counterexample: a path from the initial state to a
// loop, and the loop, which returns to its first state (equal
// fingerprints) and can repeat forever under the fairness conditions.
type Lasso struct {
	Detail string     `json:"detail"`
	Prefix []PathStep `json:"prefix"`
	// Loop's ops are Strict (findRunnable's strict order). An empty
	// loop is a stutter: the run stays in its first state forever, and
	// Unforced lists the steps that state offers, none of which a
	// fairness condition forces (a system call's return, a
	// stop-the-world with the GC not marking).
	Loop          []PathStep  `json:"loop"`
	Unforced      []spec.Op   `json:"-"`
	LoopStart     *spec.State `json:"-"`
	LoopStartDump string      `json:"loopStart"`
	// Tracked is the G (index in the concrete states of Prefix and Loop)
	// or the P the property follows; empty for a property of the whole
	// state (GCMarkEnds).
	Tracked string `json:"tracked"`
}

// LivenessStats are the liveness check's costs.
type LivenessStats struct {
	Edges   int     `json:"edges"`   // strict edges recorded
	Nodes   int     `json:"nodes"`   // (state, runnable G) pairs of the G properties
	Bytes   int     `json:"bytes"`   // the graph, the state-number map and the SCC arrays
	Seconds float64 `json:"seconds"` // the SCC search and the lassos, after the exploration
	// Fairness names the conditions assumed (FairnessConditions less
	// ExploreOptions.Unfair).
	Fairness []string `json:"fairness"`
	// Interrupted: the search for fair loops was stopped (MaxTime, the
	// context) after the exploration had exhausted the space, so every
	// invariant was checked in every state; the verdicts of the
	// properties it had not decided are unknown (a lasso found before
	// the stop is reported).
	Interrupted bool `json:"interrupted,omitempty"`
	// Cut says why the graph is not the whole space, though the
	// exploration exhausted it (states not expanded, states whose steps
	// are all relaxed): every property is then unknown.
	Cut string `json:"cut,omitempty"`
}

// Bits of livenessGraph.gmask (per state: bits 0-3 count its runnable
// Gs, the others are by rank in RunnableOrder) and pmask (per state, by P).
const (
	gmRunq     = 8  // bits 8-15: the G of that rank is on sched.runq
	gmLocked   = 16 // bits 16-23: the G of that rank is locked to an M
	gmFreeM    = 24 // bit 24: some M is free (spec.State.FreeM)
	pmRun      = 0  // bits 0-7: the P is running
	pmHand     = 8  // bits 8-15: the P is handed off
	pmRunsG    = 16 // bits 16-23: the P is running a G (its M's curg is running)
	pmIdleWork = 24 // bits 24-31: the P is idle while some G is runnable and some M is free
	pmSTWWait  = 32 // bits 32-39: a stop-the-world is under way and the P has not stopped (neither PGCStop nor PDead)
	pmGCMark   = 40 // bit 40: the GC is marking (a global condition, GCMarkEnds's)
	noActor    = 0xF
	infSTW     = 1 << 12 // info: the step stops the world
	sccDone    = math.MaxUint32
	maxLiveG   = 8 // runnable Gs a 32-bit edge map holds
)

// livenessGraph is the recorded state graph. States are numbered as the
// explorer numbers them (BFS order), and are expanded in that order, so
// the edges are stored as one array, state i's at [estart[i],
// estart[i+1]).
type livenessGraph struct {
	ms, ps int
	wasm   bool
	ids    *fpMap
	estart []uint32
	gmask  []uint32
	pmask  []uint64
	base   []uint32 // product numbering: state s's runnable Gs are nodes base[s]..base[s+1]-1
	dst    []uint32
	// info: bits 0-3 the actor M (ms: the controller's restart and
	// wakep; ms+1: sysmon's handoffp and its steps; noActor: sysmon's retake and the
	// controller's other ops),
	// 4-7 one plus the handed-off P an acquirep took (0: none), 8-11 one
	// plus the P whose schedtick the step advanced (0: none), infSTW the
	// controller's stopTheWorldWithSema.
	info []uint16
	// sig: 4 bits per runnable G of the source, by rank: its rank in the
	// target, or 0xF when it is no longer runnable there.
	sig            []uint32
	porder, sorder []int32
	// The graph is not the whole space, though the exploration
	// exhausted it, when states are left out of it: unexpanded (they
	// break an invariant: with ExploreOptions.All the search goes on)
	// or with an actor whose every step is relaxed (the graph's edges
	// are the strict steps; such a state is judged by nothing). Then no
	// property is said to hold (cut).
	unexpanded, relaxedOnly int
	firstRelaxedOnly        uint32 // a state numbered so, with relaxedOnly
}

// cut says why the graph is not the whole space ("" when it is).
func (lg *livenessGraph) cut() string {
	var why []string
	if lg.unexpanded > 0 {
		why = append(why, fmt.Sprintf("%d states break an invariant and were not expanded", lg.unexpanded))
	}
	if lg.relaxedOnly > 0 {
		why = append(why, fmt.Sprintf("%d states have an actor whose every step is relaxed, which the graph of strict steps leaves out (the first: state %d): the spec's findRunnable has no strict step there", lg.relaxedOnly, lg.firstRelaxedOnly))
	}
	return strings.Join(why, "; ")
}

func newLivenessGraph(o ExploreOptions) (*livenessGraph, error) {
	switch {
	case o.Depth != 0:
		return nil, fmt.Errorf("explore: liveness needs the whole state graph: no depth bound")
	case o.Config.Ms > 8 || o.Config.Ps > 8:
		// The actors after the Ms are the controller's restart and
		// wakep, sysmon's handoffp and the GC (addEdge); an edge's
		// actor takes 4 bits, 0xF none.
		return nil, fmt.Errorf("explore: liveness handles at most 8 Ms and 8 Ps, have %d and %d", o.Config.Ms, o.Config.Ps)
	case o.Bounds.Gs > maxLiveG:
		return nil, fmt.Errorf("explore: liveness follows at most %d Gs, have a bound of %d", maxLiveG, o.Bounds.Gs)
	}
	return &livenessGraph{ms: o.Config.Ms, ps: o.Config.Ps, wasm: o.Config.Wasm, ids: newFPMap(1 << 16)}, nil
}

// actors is the number of weakly fair actors: the Ms, then the
// controller's wakep (startTheWorldWithSema), numbered lg.ms, then
// sysmon's handoffp after its retake, lg.ms+1, then the GC while it
// marks (its root job, gcMarkDone's stop-the-world), lg.ms+2.
func (lg *livenessGraph) actors() int { return lg.ms + 3 }

// addState records the masks of the new state numbered id.
func (lg *livenessGraph) addState(id uint32, s *spec.State) {
	if int(id) != len(lg.gmask) {
		panic(fmt.Sprintf("liveness: state %d recorded out of order (%d)", id, len(lg.gmask)))
	}
	lg.sorder = s.RunnableOrder(lg.sorder)
	gm := uint32(min(len(lg.sorder), maxLiveG))
	for r, g := range lg.sorder[:gm] {
		for _, q := range s.Sched.Runq {
			if q == g {
				gm |= 1 << (gmRunq + r)
				break
			}
		}
		if s.Gs[g].LockedM != spec.None {
			gm |= 1 << (gmLocked + r)
		}
	}
	if s.FreeM() != spec.None {
		gm |= 1 << gmFreeM
	}
	var pm uint64
	if s.Sched.GCBlacken {
		pm |= 1 << pmGCMark
	}
	work := len(lg.sorder) > 0 && gm&(1<<gmFreeM) != 0
	for p := range s.Ps {
		if st := s.Ps[p].Status; s.Sched.GCWaiting && st != spec.PDead && st != spec.PGCStop {
			pm |= 1 << (pmSTWWait + p)
		}
		switch pp := &s.Ps[p]; pp.Status {
		case spec.PIdle:
			if work {
				pm |= 1 << (pmIdleWork + p)
			}
		case spec.PRunning:
			pm |= 1 << (pmRun + p)
			if pp.M != spec.None {
				if g := s.Ms[pp.M].Curg; g != spec.None && s.Gs[g].Status == spec.Running {
					pm |= 1 << (pmRunsG + p)
				}
			}
		case spec.PHandoff:
			pm |= 1 << (pmHand + p)
		}
	}
	lg.gmask = append(lg.gmask, gm)
	lg.pmask = append(lg.pmask, pm)
}

// addEnd records the number id of a path's end that is no state (a
// throw, or a composite's writes that broke an invariant), which the
// explorer numbers as it does states: a node where no property's bad
// condition holds, with no edges.
func (lg *livenessGraph) addEnd(id uint32) {
	if int(id) != len(lg.gmask) {
		panic(fmt.Sprintf("liveness: end %d recorded out of order (%d)", id, len(lg.gmask)))
	}
	lg.gmask = append(lg.gmask, 0)
	lg.pmask = append(lg.pmask, 0)
}

// beginState starts the edges of state id, which the explorer expands
// next; the states numbered before it that were not expanded have none.
func (lg *livenessGraph) beginState(id uint32, s *spec.State) error {
	for len(lg.estart) <= int(id) {
		lg.estart = append(lg.estart, uint32(len(lg.dst)))
	}
	lg.porder = s.RunnableOrder(lg.porder)
	if len(lg.porder) > maxLiveG {
		return fmt.Errorf("explore: liveness: %d runnable Gs in one state, more than %d", len(lg.porder), maxLiveG)
	}
	if len(lg.dst) >= math.MaxUint32-1024 {
		return fmt.Errorf("explore: liveness: more than 2^32 edges")
	}
	return nil
}

// addEdge records a strict step op from the state begun last (from) to
// the state numbered to (succ, a concrete state of that number).
func (lg *livenessGraph) addEdge(to uint32, op spec.Op, from, succ *spec.State) {
	inf := uint16(noActor)
	switch {
	case op.Kind == spec.OpExitSyscall:
		// A system call may block for any time, forever included: its
		// return is no fair step of the M (sysmon's retake is).
	case op.M >= 0 && int(op.M) < noActor:
		inf = uint16(op.M)
	case op.M == spec.Controller && (op.Kind == spec.OpWakep || op.Kind == spec.OpWakepStartm || op.Kind == spec.OpStartm ||
		op.Kind == spec.OpGC || op.Kind == spec.OpProcResize):
		// The action with the world stopped, which restarts it, and
		// startTheWorldWithSema's wakep run on the M that stopped the
		// world, a thread like the spec's Ms: weakly fair too.
		inf = uint16(lg.ms)
	case op.M == spec.Sysmon:
		// sysmon's retake of a P whose thread stays in a system call,
		// its handoffp after it, and that handoffp's next steps:
		// weakly fair too.
		inf = uint16(lg.ms + 1)
	case op.Kind == spec.OpMarkrootFreeGStacks || op.Kind == spec.OpMarkrootFreeGStacksPush:
		// The GC's root job: weakly fair (FairGC).
		inf = uint16(lg.ms + 2)
	case op.Kind == spec.OpStopTheWorld:
		inf |= infSTW
		if from.Sched.GCBlacken {
			// gcMarkDone's (with the GC marking, procresize's
			// waits for the GC's end): weakly fair (FairGC); only
			// GCMarkEnds's fair loops take it (FairSTWSpaced).
			inf = uint16(lg.ms+2) | infSTW
		}
	}
	if op.Kind == spec.OpAcquireP && op.P >= 0 && int(op.P) < len(from.Ps) && from.Ps[op.P].Status == spec.PHandoff {
		inf |= uint16(op.P+1) << 4
	}
	for p := range from.Ps {
		if succ.Ps[p].SchedTick != from.Ps[p].SchedTick {
			inf |= uint16(p+1) << 8
			break
		}
	}
	sig := ^uint32(0)
	if len(lg.porder) > 0 {
		lg.sorder = succ.RunnableOrder(lg.sorder)
		for r, g := range lg.porder {
			for r2, g2 := range lg.sorder {
				if g2 == g {
					sig = sig&^(0xF<<(4*r)) | uint32(r2)<<(4*r)
					break
				}
			}
		}
	}
	lg.dst = append(lg.dst, to)
	lg.info = append(lg.info, inf)
	lg.sig = append(lg.sig, sig)
}

// finish closes the edge index for n states and numbers the product
// nodes.
func (lg *livenessGraph) finish(n int) error {
	for len(lg.estart) <= n {
		lg.estart = append(lg.estart, uint32(len(lg.dst)))
	}
	lg.base = make([]uint32, n+1)
	var t uint64
	for s := 0; s < n; s++ {
		lg.base[s] = uint32(t)
		t += uint64(lg.gmask[s] & 0xF)
		if t >= sccDone-1 {
			return fmt.Errorf("explore: liveness: more than 2^32 (state, G) nodes")
		}
	}
	lg.base[n] = uint32(t)
	return nil
}

func (lg *livenessGraph) bytes() int {
	return lg.ids.bytes() + 4*cap(lg.estart) + 4*cap(lg.gmask) + 8*cap(lg.pmask) + 4*cap(lg.base) +
		4*cap(lg.dst) + 2*cap(lg.info) + 4*cap(lg.sig)
}

// sccRun searches one property's restricted graph for a fair component.
type sccRun struct {
	lg       *livenessGraph
	stop     func() string // nil, or why the search must stop now ("" to go on)
	stopped  string        // why run stopped, or ""
	onP      bool
	gsel     uint32
	p        uint32 // P properties: the P
	pbit     uint32 // P properties: the bad condition's pmask bit offset
	stwLoops bool   // the property's loops may stop the world
	fair     Fairness
	allM     uint16
	allP     uint8
	index    []uint32
	low      []uint32
	frames   []sccFrame
	stack    []uint32
	stackS   []uint32
	allowed  []uint64 // nil, or the node subset a refinement searches
	next     uint32
	comp     uint32
	refine   []sccSet
	best     *sccSet // the fair component with the state nearest the initial state
	bestMin  uint32  // that state: the least of best.states
	checked  int
}

type sccFrame struct{ v, s, r, j, end uint32 }

// sccSet is a set of nodes with their states.
type sccSet struct{ nodes, states []uint32 }

func (c *sccRun) rank(v, s uint32) uint32 {
	if c.onP {
		return c.p
	}
	return v - c.lg.base[s]
}

// succ is edge e of node (s, r): its target node, state and rank, if the
// target is in the restricted graph.
func (c *sccRun) succ(s, r, e uint32) (w, t, rr uint32, ok bool) {
	lg := c.lg
	t = lg.dst[e]
	if c.onP {
		if lg.pmask[t]>>(c.pbit+c.p)&1 == 0 {
			return 0, 0, 0, false
		}
		w, rr = t, c.p
	} else {
		nib := lg.sig[e] >> (4 * r) & 0xF
		if nib == 0xF || (c.gsel != 0 && lg.gmask[t]>>(c.gsel+nib)&1 == 0) {
			return 0, 0, 0, false
		}
		w, rr = lg.base[t]+nib, nib
	}
	if c.allowed != nil && c.allowed[w>>6]>>(w&63)&1 == 0 {
		return 0, 0, 0, false
	}
	if c.fair&FairSTWSpaced != 0 && !c.stwLoops && lg.info[e]&infSTW != 0 {
		return 0, 0, 0, false // no fair loop stops the world
	}
	return w, t, rr, true
}

// run searches every node of the restricted graph.
func (c *sccRun) run() {
	lg := c.lg
	n := len(lg.gmask)
	for s := 0; s < n && c.stopped == ""; s++ {
		if c.onP {
			if lg.pmask[s]>>(c.pbit+c.p)&1 != 0 {
				c.checked++
				if c.index[s] == 0 {
					c.strongconnect(uint32(s), uint32(s), c.p)
				}
				if c.stopped == "" {
					c.stutter(uint32(s), uint32(s))
				}
			}
			continue
		}
		gm := lg.gmask[s]
		bad := false
		for r := uint32(0); r < gm&0xF; r++ {
			if c.gsel != 0 && gm>>(c.gsel+r)&1 == 0 {
				continue
			}
			bad = true
			v := lg.base[s] + r
			if c.index[v] == 0 {
				c.strongconnect(v, uint32(s), r)
			}
			if c.stopped == "" {
				c.stutter(v, uint32(s))
			}
		}
		if bad {
			c.checked++
		}
	}
	// Components that failed a strong fairness condition: search them
	// again without the states that oblige it (judge).
	for len(c.refine) > 0 && c.stopped == "" {
		sub := c.refine[len(c.refine)-1]
		c.refine = c.refine[:len(c.refine)-1]
		if c.allowed == nil {
			c.allowed = make([]uint64, (len(c.index)+63)/64)
		}
		for _, v := range sub.nodes {
			c.allowed[v>>6] |= 1 << (v & 63)
			c.index[v] = 0
		}
		for i, v := range sub.nodes {
			if c.index[v] == 0 {
				c.strongconnect(v, sub.states[i], c.rank(v, sub.states[i]))
			}
		}
		for _, v := range sub.nodes {
			c.allowed[v>>6] &^= 1 << (v & 63)
		}
	}
	c.allowed = nil
}

// strongconnect is Tarjan's algorithm from v, iteratively.
func (c *sccRun) strongconnect(v, s, r uint32) {
	c.visit(v, s, r)
	for len(c.frames) > 0 && c.stopped == "" {
		f := &c.frames[len(c.frames)-1]
		if f.j < f.end {
			e := f.j
			f.j++
			w, t, rr, ok := c.succ(f.s, f.r, e)
			if !ok {
				continue
			}
			if iw := c.index[w]; iw == 0 {
				c.visit(w, t, rr)
			} else if iw != sccDone && iw < c.low[f.v] {
				c.low[f.v] = iw
			}
			continue
		}
		v := f.v
		c.frames = c.frames[:len(c.frames)-1]
		if c.low[v] == c.index[v] {
			c.pop(v)
		} else if n := len(c.frames); n > 0 {
			if pv := c.frames[n-1].v; c.low[v] < c.low[pv] {
				c.low[pv] = c.low[v]
			}
		}
	}
}

func (c *sccRun) visit(v, s, r uint32) {
	c.next++
	if c.next >= sccDone {
		panic("liveness: Tarjan index overflow")
	}
	c.index[v], c.low[v] = c.next, c.next
	if c.next&0xFFFF == 0 && c.stop != nil {
		c.stopped = c.stop() // strongconnect and run then return
	}
	c.stack = append(c.stack, v)
	c.stackS = append(c.stackS, s)
	c.frames = append(c.frames, sccFrame{v: v, s: s, r: r, j: c.lg.estart[s], end: c.lg.estart[s+1]})
}

// pop takes the component rooted at v off the stack and judges it.
func (c *sccRun) pop(v uint32) {
	k := len(c.stack) - 1
	for c.stack[k] != v {
		k--
	}
	c.comp++
	members, states := c.stack[k:], c.stackS[k:]
	for _, m := range members {
		c.index[m], c.low[m] = sccDone, c.comp
	}
	c.judge(members, states)
	c.stack, c.stackS = c.stack[:k], c.stackS[:k]
}

// stutter judges the run that stays in node v's state s forever, the
// bad condition holding throughout: fair when s has steps (it is not the
// progress predicates' quiescent state, nor a program that ended) and
// none of them is a fairly scheduled actor's: an exitsyscall (a call may
// block forever), the controller's stop-the-world with the GC not
// marking (gcStart's, procresize's), an op sysmon does not offer. No fairness condition forces a step there,
// and a graph with no such loop would leave the state unjudged. The
// strong fairness conditions are judged as for a component of that one
// node with no edge in it.
func (c *sccRun) stutter(v, s uint32) {
	lg := c.lg
	if c.best != nil && s >= c.bestMin {
		return // a fair run nearer the initial state is known
	}
	if lg.estart[s] == lg.estart[s+1] {
		return // no step at all: the progress predicates judge it
	}
	en, acq := lg.stateFacts(s)
	if en&c.allM != 0 {
		return // a weakly fair actor can step: it does
	}
	pm := lg.pmask[s]
	if c.fair&FairNewM != 0 && lg.gmask[s]>>gmFreeM&1 == 0 && uint8(pm>>pmHand)&c.allP != 0 {
		return // a P stays handed off and no M is ever free
	}
	if c.fair&FairHandoff != 0 && acq&c.allP != 0 {
		return // a handed-off P could be acquired and never is
	}
	if c.fair&FairTimeSlice != 0 && !lg.wasm && uint8(pm>>pmRunsG)&c.allP != 0 {
		return // a P runs a G on one time slice forever
	}
	c.best, c.bestMin = &sccSet{nodes: []uint32{v}, states: []uint32{s}}, s
}

// stateFacts are what a node's state offers: the Ms that can step, the
// handed-off Ps an M can acquire.
func (lg *livenessGraph) stateFacts(s uint32) (enabled uint16, acq uint8) {
	for e := lg.estart[s]; e < lg.estart[s+1]; e++ {
		inf := lg.info[e]
		if a := inf & 0xF; a != noActor {
			enabled |= 1 << a
		}
		if ap := inf >> 4 & 0xF; ap != 0 {
			acq |= 1 << (ap - 1)
		}
	}
	return enabled, acq
}

// judge decides whether the component (just popped: its nodes are marked
// with c.comp) admits a fair path that stays in it forever.
func (c *sccRun) judge(members, states []uint32) {
	lg := c.lg
	var stepM, disM uint16
	var notRunP, tickP, eP, fP, notHandP, runsG uint8
	freeM := false
	edges := 0
	for i, v := range members {
		s := states[i]
		r := c.rank(v, s)
		en, acq := lg.stateFacts(s)
		for e := lg.estart[s]; e < lg.estart[s+1]; e++ {
			w, _, _, ok := c.succ(s, r, e)
			if !ok || c.index[w] != sccDone || c.low[w] != c.comp {
				continue
			}
			edges++
			inf := lg.info[e]
			if a := inf & 0xF; a != noActor {
				stepM |= 1 << a
			}
			if ap := inf >> 4 & 0xF; ap != 0 {
				fP |= 1 << (ap - 1)
			}
			if tp := inf >> 8 & 0xF; tp != 0 {
				tickP |= 1 << (tp - 1)
			}
		}
		disM |= ^en
		eP |= acq
		notRunP |= ^uint8(lg.pmask[s]>>pmRun | lg.pmask[s]>>pmHand) // idle or stopped: not running, not handed off
		notHandP |= ^uint8(lg.pmask[s] >> pmHand)
		runsG |= uint8(lg.pmask[s] >> pmRunsG)
		freeM = freeM || lg.gmask[s]>>gmFreeM&1 != 0
	}
	if edges == 0 {
		return // a single node without a self-loop: no path stays
	}
	if (stepM|disM)&c.allM != c.allM {
		return // an M (or the controller's wakep) enabled throughout never steps
	}
	if c.fair&FairNewM != 0 && !freeM && notHandP&c.allP != c.allP {
		return // a P stays handed off and no M is ever free
	}
	// The strong fairness (Streett) conditions: if a P could be taken
	// in here it must be; if a P runs Gs in here it must start a new
	// time slice (or stop running) in here. A component that fails one
	// may still hold a fair loop that never visits the states that
	// oblige it: search it again without them.
	var badH, badS uint8
	if c.fair&FairHandoff != 0 {
		badH = eP &^ fP & c.allP
	}
	if c.fair&FairTimeSlice != 0 && !lg.wasm {
		badS = runsG &^ (notRunP | tickP) & c.allP
	}
	if badH|badS != 0 {
		var keep sccSet
		for i, v := range members {
			_, acq := lg.stateFacts(states[i])
			if acq&badH == 0 && uint8(lg.pmask[states[i]]>>pmRunsG)&badS == 0 {
				keep.nodes = append(keep.nodes, v)
				keep.states = append(keep.states, states[i])
			}
		}
		if len(keep.nodes) > 0 {
			c.refine = append(c.refine, keep)
		}
		return
	}
	first := states[0]
	for _, s := range states {
		first = min(first, s)
	}
	if c.best == nil || first < c.bestMin {
		c.best, c.bestMin = &sccSet{nodes: append([]uint32(nil), members...), states: append([]uint32(nil), states...)}, first
	}
}

// lassoStep is one step of a loop: edge e from node (s, r) to (t, r2).
type lassoStep struct{ s, r, e, t, r2 uint32 }

// loopPlan is a lasso in graph terms: the entry node and the loop.
type loopPlan struct {
	s, r  uint32
	steps []lassoStep
}

// plan builds a loop through the fair component c.best from its state
// nearest the initial state, through a witness of every fairness
// condition, back to it.
func (c *sccRun) plan() (*loopPlan, error) {
	lg := c.lg
	set := c.best
	n := len(set.nodes)
	pos := make(map[uint32]int32, n)
	for i, v := range set.nodes {
		pos[v] = int32(i)
	}
	type adj struct {
		from, to int32
		e        uint32
	}
	adjStart := make([]int32, n+1)
	var adjs []adj
	en := make([]uint16, n)
	acq := make([]uint8, n)
	var anyAcq, anyRunsG uint8
	for i, v := range set.nodes {
		adjStart[i] = int32(len(adjs))
		s := set.states[i]
		r := c.rank(v, s)
		en[i], acq[i] = lg.stateFacts(s)
		anyAcq |= acq[i]
		anyRunsG |= uint8(lg.pmask[set.states[i]] >> pmRunsG)
		for e := lg.estart[s]; e < lg.estart[s+1]; e++ {
			if w, _, _, ok := c.succ(s, r, e); ok {
				if j, in := pos[w]; in {
					adjs = append(adjs, adj{from: int32(i), to: j, e: e})
				}
			}
		}
	}
	adjStart[n] = int32(len(adjs))
	entry := int32(0)
	for i := range set.nodes {
		if set.states[i] < set.states[entry] {
			entry = int32(i)
		}
	}
	// The conditions the loop must witness: an M that never steps must
	// be disabled somewhere; a running P must start a time slice or stop
	// running somewhere; a handed-off P that can be taken in here must be
	// taken (judge let this component through only if it is).
	type cond struct {
		kind int // 0 M, 1 time slice, 2 handoff, 3 newm
		x    uint8
	}
	var conds []cond
	for m := 0; m < lg.actors(); m++ {
		if c.allM>>m&1 != 0 {
			conds = append(conds, cond{0, uint8(m)})
		}
	}
	if c.fair&FairTimeSlice != 0 && !lg.wasm {
		for p := 0; p < lg.ps; p++ {
			if anyRunsG>>p&1 != 0 {
				conds = append(conds, cond{1, uint8(p)})
			}
		}
	}
	if c.fair&FairHandoff != 0 {
		for p := 0; p < lg.ps; p++ {
			if anyAcq>>p&1 != 0 {
				conds = append(conds, cond{2, uint8(p)})
			}
		}
	}
	if c.fair&FairNewM != 0 {
		for p := 0; p < lg.ps; p++ {
			conds = append(conds, cond{3, uint8(p)})
		}
	}
	nodeSat := func(i int32, k cond) bool {
		s := set.states[i]
		switch k.kind {
		case 0:
			return en[i]>>k.x&1 == 0
		case 1:
			return (lg.pmask[s]>>(pmRun+uint16(k.x))|lg.pmask[s]>>(pmHand+uint16(k.x)))&1 == 0
		case 3:
			return lg.pmask[s]>>(pmHand+uint16(k.x))&1 == 0 || lg.gmask[s]>>gmFreeM&1 != 0
		}
		return false
	}
	edgeSat := func(e uint32, k cond) bool {
		inf := lg.info[e]
		switch k.kind {
		case 0:
			return inf&0xF == uint16(k.x)
		case 1:
			return inf>>8&0xF == uint16(k.x)+1
		case 2:
			return inf>>4&0xF == uint16(k.x)+1
		}
		return false
	}
	sat := make([]bool, len(conds))
	mark := func(i int32, e uint32, withEdge bool) {
		for ci, k := range conds {
			if nodeSat(i, k) || withEdge && edgeSat(e, k) {
				sat[ci] = true
			}
		}
	}
	// bfs from a node: predecessor node and edge of every node reached.
	predN := make([]int32, n)
	predA := make([]int32, n)
	order := make([]int32, 0, n)
	bfs := func(from int32) []int32 {
		for i := range predN {
			predN[i] = -2
		}
		predN[from] = -1
		order = append(order[:0], from)
		for h := 0; h < len(order); h++ {
			u := order[h]
			for a := adjStart[u]; a < adjStart[u+1]; a++ {
				if w := adjs[a].to; predN[w] == -2 {
					predN[w], predA[w] = u, a
					order = append(order, w)
				}
			}
		}
		return order
	}
	var steps []lassoStep
	rankOf := func(i int32) uint32 { return c.rank(set.nodes[i], set.states[i]) }
	step := func(u int32, a int32) {
		w := adjs[a].to
		steps = append(steps, lassoStep{s: set.states[u], r: rankOf(u), e: adjs[a].e, t: set.states[w], r2: rankOf(w)})
		mark(w, adjs[a].e, true)
	}
	walkTo := func(to int32) { // along the last BFS's tree
		var path []int32
		for w := to; predN[w] != -1; w = predN[w] {
			path = append(path, predA[w])
		}
		for i := len(path) - 1; i >= 0; i-- {
			step(adjs[path[i]].from, path[i])
		}
	}
	cur := entry
	mark(entry, 0, false)
	for {
		need := false
		for _, ok := range sat {
			need = need || !ok
		}
		if !need {
			break
		}
		reached := bfs(cur)
		bestNode, bestA := int32(-1), int32(-1)
		for _, u := range reached { // BFS order: the first hit is the nearest
			for ci, k := range conds {
				if sat[ci] {
					continue
				}
				if nodeSat(u, k) {
					bestNode = u
					break
				}
				for a := adjStart[u]; a < adjStart[u+1]; a++ {
					if edgeSat(adjs[a].e, k) {
						bestNode, bestA = u, a
						break
					}
				}
				if bestNode >= 0 {
					break
				}
			}
			if bestNode >= 0 {
				break
			}
		}
		if bestNode < 0 {
			return nil, fmt.Errorf("liveness: no witness of a fairness condition in a component judged fair")
		}
		walkTo(bestNode)
		cur = bestNode
		if bestA >= 0 {
			step(cur, bestA)
			cur = adjs[bestA].to
		}
	}
	if cur == entry && len(steps) == 0 {
		a := adjStart[entry]
		if a == adjStart[entry+1] {
			if n == 1 {
				// A stutter (sccRun.stutter): the run stays in
				// the state, which no fair actor can leave.
				return &loopPlan{s: set.states[entry], r: rankOf(entry)}, nil
			}
			return nil, fmt.Errorf("liveness: the entry of a fair component has no edge in it")
		}
		step(entry, a)
		cur = adjs[a].to
	}
	if cur != entry {
		bfs(cur)
		if predN[entry] == -2 {
			return nil, fmt.Errorf("liveness: a fair component is not strongly connected")
		}
		walkTo(entry)
	}
	return &loopPlan{s: set.states[entry], r: rankOf(entry), steps: steps}, nil
}

// errLivenessStopped is check's error when stop gave a reason to stop.
type errLivenessStopped string

func (e errLivenessStopped) Error() string { return "liveness check stopped: " + string(e) }

// check runs every property's search on the finished graph. found[i] is
// property i's loop, or nil. Stopped, it returns errLivenessStopped with
// found holding the lassos found until then (a fair component Tarjan
// popped, or a stutter, is one whatever the rest of the search would
// have found) and done saying which properties are decided: searched to
// the end, or with a lasso.
func (lg *livenessGraph) check(fair Fairness, stop func() string) (checked []int, found []*loopPlan, done []bool, nodes, scratch int, err error) {
	n := len(lg.gmask)
	R := int(lg.base[n])
	size := max(n, R)
	index := make([]uint32, size)
	low := make([]uint32, size)
	scratch = 8 * size
	checked = make([]int, len(LivenessProperties))
	found = make([]*loopPlan, len(LivenessProperties))
	done = make([]bool, len(LivenessProperties))
	// The actors weak fairness holds to: the Ms (FairMs) and the
	// controller's wakep, the pseudo-actor lg.ms (FairStartTheWorld).
	var allM uint16
	if fair&FairMs != 0 {
		allM |= 1<<lg.ms - 1
	}
	if fair&FairStartTheWorld != 0 {
		allM |= 1 << lg.ms
	}
	if fair&FairSysmon != 0 {
		allM |= 1 << (lg.ms + 1)
	}
	if fair&FairGC != 0 {
		allM |= 1 << (lg.ms + 2)
	}
	allP := uint8(1<<lg.ps - 1)
	for i, prop := range LivenessProperties {
		var runs []*sccRun
		if prop.onP {
			ps := lg.ps
			if prop.global {
				ps = 1
			}
			for p := 0; p < ps; p++ {
				runs = append(runs, &sccRun{onP: true, p: uint32(p), pbit: prop.pbit, stwLoops: prop.stwLoops})
			}
		} else {
			runs = append(runs, &sccRun{gsel: prop.gsel})
		}
		var best *sccRun
		for _, c := range runs {
			c.lg, c.fair, c.allM, c.allP, c.stop = lg, fair, allM, allP, stop
			c.index, c.low = index, low
			clear(index)
			if stop != nil {
				c.stopped = stop()
			}
			if c.stopped == "" {
				c.run()
			}
			if c.stopped != "" {
				if c.best != nil && (best == nil || c.bestMin < best.bestMin) {
					best = c
				}
				if best != nil {
					if found[i], err = best.plan(); err != nil {
						return nil, nil, nil, 0, 0, err
					}
					done[i] = true
				}
				return checked, found, done, R, scratch, errLivenessStopped(c.stopped)
			}
			scratch = max(scratch, 8*size+4*(cap(c.stack)+cap(c.stackS))+20*cap(c.frames))
			if !prop.onP {
				checked[i] = c.checked
			}
			if c.best != nil && (best == nil || c.bestMin < best.bestMin) {
				best = c
			}
		}
		if prop.onP {
			// A state counts once, whichever Ps hold the condition.
			for s := 0; s < n; s++ {
				if lg.pmask[s]>>prop.pbit&0xFF != 0 {
					checked[i]++
				}
			}
		}
		if best != nil {
			if found[i], err = best.plan(); err != nil {
				return nil, nil, nil, 0, 0, err
			}
		}
		done[i] = true
	}
	return checked, found, done, R, scratch, nil
}

// stepFunc applies an op in place (spec's Apply, or a test's planted one).
type stepFunc func(*spec.State, spec.Op) (spec.Result, error)

// lassoBuilder turns a loop plan into concrete steps by replaying the
// explorer's shortest paths.
type lassoBuilder struct {
	lg   *livenessGraph
	init *spec.State
	b    spec.Bounds
	path *paths
	step stepFunc
	en   enabledFunc
}

// pathTo is the op indices of the BFS path to state id.
func (x *lassoBuilder) pathTo(id uint32) []uint8 { return x.path.to(id) }

// rep is the explorer's concrete state numbered id: the one its BFS path
// reaches.
func (x *lassoBuilder) rep(id uint32) (*spec.State, error) {
	cur := x.init.Clone()
	for _, i := range x.pathTo(id) {
		ops := x.en(cur, x.b, nil)
		if int(i) >= len(ops) {
			return nil, fmt.Errorf("liveness: replay of state %d: op %d of %d", id, i, len(ops))
		}
		if _, err := x.step(cur, ops[i]); err != nil {
			return nil, fmt.Errorf("liveness: replay of state %d: %v", id, err)
		}
	}
	return cur, nil
}

// strictEdges lists the strict successors of s in Enabled order: the
// recorded edges of s, in order.
func (x *lassoBuilder) strictEdges(s *spec.State) (ops []spec.Op, succs []*spec.State) {
	for _, op := range x.en(s, x.b, nil) {
		op.Strict = true
		n := s.Clone()
		if _, err := x.step(n, op); err == nil {
			ops = append(ops, op)
			succs = append(succs, n)
		}
	}
	return ops, succs
}

// build replays the prefix to the plan's entry state and the loop, and
// checks that the loop returns to its first state's fingerprint with the
// followed G (or P) in the same role.
func (x *lassoBuilder) build(prop LivenessProperty, pl *loopPlan) (*Lasso, error) {
	l := &Lasso{}
	cur := x.init.Clone()
	for _, i := range x.pathTo(pl.s) {
		ops := x.en(cur, x.b, nil)
		op := ops[i]
		op.Strict = true
		relaxed := false
		if _, err := x.step(cur.Clone(), op); err != nil {
			op.Strict, relaxed = false, true
		}
		before := cur.Clone()
		r, err := x.step(cur, op)
		if err != nil {
			return nil, fmt.Errorf("liveness: prefix replay: %v", err)
		}
		l.Prefix = append(l.Prefix, PathStep{Op: op, Result: r, Changes: spec.Diff(before, cur), Relaxed: relaxed})
	}
	start := cur.Clone()
	startFP := start.Fingerprint()
	tracked := int32(pl.r)
	if !prop.onP {
		order := cur.RunnableOrder(nil)
		if int(pl.r) >= len(order) {
			return nil, fmt.Errorf("liveness: the loop's first state has no runnable G of rank %d", pl.r)
		}
		tracked = order[pl.r]
	}
	for _, st := range pl.steps {
		rs, err := x.rep(st.s)
		if err != nil {
			return nil, err
		}
		ops, succs := x.strictEdges(rs)
		k := int(st.e - x.lg.estart[st.s])
		if k >= len(ops) {
			return nil, fmt.Errorf("liveness: state %d has %d strict steps, the loop takes the %dth", st.s, len(ops), k+1)
		}
		want := ops[k]
		wantFP := succs[k].Fingerprint()
		// The same op in the concrete state, up to the renaming of Gs
		// (ready's G).
		var next *spec.State
		var chosen spec.Op
		var res spec.Result
		for _, op := range x.en(cur, x.b, nil) {
			op.Strict = true
			if op.Kind != want.Kind || op.M != want.M || op.P != want.P || op.N != want.N || op.Size != want.Size || op.Source != want.Source || op.Victim != want.Victim {
				continue
			}
			n := cur.Clone()
			r, err := x.step(n, op)
			if err != nil || n.Fingerprint() != wantFP {
				continue
			}
			if !prop.onP {
				order := n.RunnableOrder(nil)
				if int(st.r2) >= len(order) || order[st.r2] != tracked {
					continue
				}
			}
			next, chosen, res = n, op, r
			break
		}
		if next == nil {
			return nil, fmt.Errorf("liveness: loop replay: no step %v from the concrete state", want)
		}
		l.Loop = append(l.Loop, PathStep{Op: chosen, Result: res, Changes: spec.Diff(cur, next)})
		cur = next
	}
	if cur.Fingerprint() != startFP {
		return nil, fmt.Errorf("liveness: the loop does not return to its first state")
	}
	l.LoopStart = start
	l.LoopStartDump = start.Dump()
	stays := "stays so around the loop, which a fair scheduler can repeat forever"
	if len(pl.steps) == 0 {
		// The state's strict steps (its edges in the graph), each
		// printed once: two ops can differ in what the text leaves
		// out (handoffp's GC outcome).
		ops, _ := x.strictEdges(start)
		var names []string
		for _, op := range ops {
			if n := op.String(); !slices.Contains(names, n) {
				names = append(names, n)
				l.Unforced = append(l.Unforced, op)
			}
		}
		stays = fmt.Sprintf("stays so forever: the run stays in that state, whose only steps (%s) are ones no fairness condition assumed forces", strings.Join(names, "; "))
	}
	switch {
	case prop.global:
		l.Detail = fmt.Sprintf("the GC is marking at the loop's first state and %s: the mark phase never ends", stays)
	case prop.onP:
		l.Tracked = fmt.Sprintf("P%d", tracked)
		l.Detail = fmt.Sprintf("P%d is handed off (PHandoff) at the loop's first state and %s: no M ever acquires it", tracked, stays)
		switch prop.pbit {
		case pmIdleWork:
			l.Detail = fmt.Sprintf("P%d is idle while a G is runnable and an M is free at the loop's first state, and %s: no M is woken to take it (a lost wakep)", tracked, stays)
		case pmSTWWait:
			l.Detail = fmt.Sprintf("a stop-the-world is under way and P%d (%s) has not stopped at the loop's first state, and %s: the world never comes to be stopped", tracked, start.Ps[tracked].Status, stays)
		}
	default:
		g := &start.Gs[tracked]
		where := ""
		switch prop.gsel {
		case gmRunq:
			where = " on the global run queue"
		case gmLocked:
			where = fmt.Sprintf(" and locked to M%d", g.LockedM)
		}
		l.Tracked = fmt.Sprintf("G%d", tracked)
		l.Detail = fmt.Sprintf("G%d (goid %d) is runnable%s at the loop's first state and %s", tracked, g.Goid, where, stays)
	}
	return l, nil
}

// checkLiveness judges every property once the exploration is over. A
// space not exhausted (max-states, canceled, a violation with StopAtFirst)
// leaves every property unknown.
func (res *ExploreResult) checkLiveness(o ExploreOptions, lg *livenessGraph, init *spec.State, path *paths, step stepFunc, stop func() string) error {
	start := time.Now()
	stats := &LivenessStats{Edges: len(lg.dst), Fairness: []string{}}
	for _, f := range FairnessConditions {
		if o.Unfair&f.Bit == 0 {
			stats.Fairness = append(stats.Fairness, f.Name)
		}
	}
	res.LivenessStats = stats
	defer func() { stats.Seconds = time.Since(start).Seconds() }()
	unknown := func() {
		for _, p := range LivenessProperties {
			res.Liveness = append(res.Liveness, LivenessResult{Name: p.Name, Unknown: true, Source: p.Source})
		}
	}
	if res.StoppedBy == "" {
		// A loop through the states left out, or a state judged by
		// nothing, could be a starvation (a review planted a spec whose
		// tick pick was refused only in strict order: -liveness said
		// every property holds).
		stats.Cut = lg.cut()
	}
	if res.StoppedBy != "" || stats.Cut != "" {
		unknown()
		stats.Bytes = lg.bytes()
		return nil
	}
	if err := lg.finish(path.len()); err != nil {
		return err
	}
	checked, found, done, nodes, scratch, err := lg.check(AllFairness&^o.Unfair, stop)
	if why, ok := err.(errLivenessStopped); ok {
		// Stopped in the search for loops: the state space is complete,
		// the verdicts of the properties not decided unknown, and so is
		// the run's, unless a lasso was found: it is reported.
		res.StoppedBy, res.Complete = string(why), false
		stats.Interrupted = true
		err = nil
	}
	if err != nil {
		return err
	}
	stats.Nodes = nodes
	stats.Bytes = lg.bytes() + scratch
	x := &lassoBuilder{lg: lg, init: init, b: o.Bounds, path: path, step: step, en: o.enabled}
	for i, p := range LivenessProperties {
		if !done[i] {
			res.Liveness = append(res.Liveness, LivenessResult{Name: p.Name, Unknown: true, CheckedStates: checked[i], Source: p.Source})
			continue
		}
		lr := LivenessResult{Name: p.Name, Holds: found[i] == nil, CheckedStates: checked[i], Source: p.Source}
		if found[i] != nil {
			if lr.Lasso, err = x.build(p, found[i]); err != nil {
				return err
			}
		}
		res.Liveness = append(res.Liveness, lr)
	}
	return nil
}
