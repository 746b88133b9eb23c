package conform

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gexit-dev/gexit/spec"
)

// GoState is a goroutine state as an execution trace records it. The values
// are those of golang.org/x/exp/trace.GoState, so the trace adapter converts
// by a plain conversion (a test checks that the names agree).
type GoState uint8

// The trace's goroutine states.
const (
	GoUndetermined GoState = iota // nothing known: alive before tracing began, or first seen in this generation
	GoNotExist                    // runtime idle or dead
	GoRunnable                    // runtime runnable
	GoRunning                     // runtime running (also copystack, and a goroutine waiting to be suspended)
	GoWaiting                     // runtime waiting (also preempted, leaked)
	GoSyscall                     // runtime syscall
)

var goStateNames = [...]string{"Undetermined", "NotExist", "Runnable", "Running", "Waiting", "Syscall"}

func (s GoState) String() string {
	if int(s) < len(goStateNames) {
		return goStateNames[s]
	}
	return fmt.Sprintf("GoState(%d)", uint8(s))
}

// ProcState is a P state as an execution trace records it; the values are
// those of golang.org/x/exp/trace.ProcState.
type ProcState uint8

// The trace's P states.
const (
	ProcUndetermined ProcState = iota
	ProcNotExist
	ProcRunning
	ProcIdle
)

var procStateNames = [...]string{"Undetermined", "NotExist", "Running", "Idle"}

func (s ProcState) String() string {
	if int(s) < len(procStateNames) {
		return procStateNames[s]
	}
	return fmt.Sprintf("ProcState(%d)", uint8(s))
}

// Kind is the kind of an Event fed to a Checker.
type Kind uint8

// Event kinds.
const (
	// KindOther is any trace event that is not one of the kinds below. The
	// checker looks only at its execution context (G, M), for the
	// locked-thread rule.
	KindOther Kind = iota
	// KindGo is a goroutine state transition of goroutine Target, From -> To
	// (GoState values).
	KindGo
	// KindProc is a P state transition of P Target, From -> To (ProcState
	// values). A ProcSteal is a Running -> Idle whose Target differs from P.
	KindProc
	// KindLog is a runtime/trace log annotation (Category, Message) made by
	// goroutine G.
	KindLog
	// KindSync is a generation boundary: the trace re-states every live
	// goroutine and P after it.
	KindSync
	// KindSTWBegin and KindSTWEnd bound a stop-the-world: the range
	// stopTheWorldWithSema opens (trace.STWStart, before preemptall) and
	// startTheWorldWithSema closes (trace.STWDone), made by goroutine G.
	KindSTWBegin
	KindSTWEnd
)

// Event is one trace event, reduced to what the checking core needs. Tests
// build these by hand; the trace adapter (ReadTrace) builds them from
// golang.org/x/exp/trace events.
type Event struct {
	Kind Kind
	// Time is the event's timestamp (trace clock, nanoseconds).
	Time int64
	// G is the goroutine executing when the event happened (for a
	// transition, the one before it: the creator, the unblocker, or the
	// goroutine itself); -1 if none.
	G int64
	// P is the P of the execution context; -1 if none.
	P int64
	// M is the thread of the execution context; -1 if none.
	M int64
	// Target is the goroutine (KindGo) or P (KindProc) whose state changes.
	Target int64
	// From and To are GoState (KindGo) or ProcState (KindProc) values.
	From, To uint8
	// Reason is the trace's reason for the transition, if any (the trace
	// adapter fills it in for Running -> Runnable only: "preempted" or
	// a yield).
	Reason string
	// StartFunc is, for a creation (NotExist -> Runnable/Waiting), the new
	// goroutine's start function, used to tell runtime goroutines apart.
	StartFunc string
	// Stack is the transition's stack, outermost frame last ("func file:line").
	// The trace adapter leaves it nil and fills it in only for violations.
	Stack []string
	// Category and Message of a KindLog.
	Category, Message string
}

// The log annotations the checker understands (runtime/trace.Log with
// category LogCategory).
const (
	LogCategory = "gexit"
	// MarkLockedExit: the logging goroutine is locked to its thread
	// (LockOSThread) and is about to exit without unlocking.
	MarkLockedExit = "locked-exit"
	// MarkWindowBegin and MarkWindowEnd bound the window in which the
	// checker counts creations and exits (Report.Window), for the
	// runtime/metrics cross-check.
	MarkWindowBegin = "window-begin"
	MarkWindowEnd   = "window-end"
)

// Rule names, as they appear in Violation.Rule.
const (
	// RuleLifecycle: a goroutine transition that no spec lifecycle edge
	// (through the state mapping) allows, e.g. Runnable -> NotExist.
	RuleLifecycle = "lifecycle"
	// RuleContinuity: a transition whose From is not the state the
	// goroutine (or P) was last seen in.
	RuleContinuity = "continuity"
	// RuleIDReuse: a goroutine id that exited comes back (only extra-M
	// goroutines may reuse their id).
	RuleIDReuse = "id-reuse"
	// RuleExtraM: a misuse of the extra-M rule (NotExist -> Syscall,
	// Syscall -> NotExist by an ordinary goroutine, or an extra-M goroutine
	// exiting from Running).
	RuleExtraM = "extra-m"
	// RuleRunningExceedsProcs: more goroutines Running than Ps Running.
	RuleRunningExceedsProcs = "running-exceeds-procs"
	// RuleProcNotRunning: a goroutine starts running on a P that is not
	// Running (or on no P).
	RuleProcNotRunning = "proc-not-running"
	// RuleProcShared: a goroutine starts running on a P on which another
	// goroutine is still Running.
	RuleProcShared = "proc-shared"
	// RuleLockedThreadReused: a thread whose locked goroutine exited runs a
	// goroutine again.
	RuleLockedThreadReused = "locked-thread-reused"
	// RuleExecutorNotRunning: an event executed by a goroutine (Event.G)
	// that is not Running or in a syscall: one that exited, one never
	// created nor stated, or one Runnable or Waiting.
	RuleExecutorNotRunning = "executor-not-running"
	// RuleWrongContext: an event of a goroutine on a P or thread other than
	// the one it runs on: an event it executes, or a re-statement of it
	// Running or in a syscall.
	RuleWrongContext = "wrong-context"
	// RuleForeignTransition: a goroutine's own transition (from Running or
	// Syscall) executed by another goroutine, or by none.
	RuleForeignTransition = "foreign-transition"
	// RuleTimeBackwards: an event whose timestamp is earlier than the
	// previous event's.
	RuleTimeBackwards = "time-backwards"
	// RuleUnstated: a goroutine alive at the end of a generation that the
	// generation never mentioned: the runtime states every live goroutine
	// in every generation, so its events were lost.
	RuleUnstated = "unstated"
)

// Rules lists every rule the checker enforces.
var Rules = []string{
	RuleLifecycle, RuleContinuity, RuleIDReuse, RuleExtraM,
	RuleRunningExceedsProcs, RuleProcNotRunning, RuleProcShared, RuleLockedThreadReused,
	RuleExecutorNotRunning, RuleWrongContext, RuleForeignTransition, RuleTimeBackwards,
	RuleUnstated,
}

// Violation is one broken rule.
type Violation struct {
	Rule       string   `json:"rule"`
	Goroutine  int64    `json:"goroutine"`
	Time       int64    `json:"time"`
	P          int64    `json:"p"`
	M          int64    `json:"m"`
	Transition string   `json:"transition"`
	Detail     string   `json:"detail"`
	Stack      []string `json:"stack,omitempty"`
}

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: goroutine %d at %d on P %d M %d: %s: %s", v.Rule, v.Goroutine, v.Time, v.P, v.M, v.Transition, v.Detail)
	for _, f := range v.Stack {
		b.WriteString("\n\t")
		b.WriteString(f)
	}
	return b.String()
}

// statusSets maps each trace goroutine state to the spec statuses it may
// stand for. Undetermined is handled separately (any status).
var statusSets = [...][]spec.Status{
	GoNotExist: {spec.Idle, spec.Dead},
	GoRunnable: {spec.Runnable},
	GoRunning:  {spec.Running},
	GoWaiting:  {spec.Waiting, spec.Preempted},
	GoSyscall:  {spec.Syscall},
}

// StatusSet returns the spec statuses a trace state stands for (nil for
// Undetermined and unknown states).
func StatusSet(s GoState) []spec.Status {
	if s == GoUndetermined || int(s) >= len(statusSets) {
		return nil
	}
	return statusSets[s]
}

// edgeFor is the spec edge that witnesses the trace transition from -> to,
// precomputed for every pair: the first edge of spec.Lifecycle (in table
// order) from a status of StatusSet(from) to one of StatusSet(to).
var edgeFor [len(statusSets)][len(statusSets)]int // index+1 into spec.Lifecycle; 0 = none

func init() {
	for f := range statusSets {
		for t := range statusSets {
			for i, e := range spec.Lifecycle {
				if edgeFor[f][t] == 0 && contains(statusSets[f], e.From) && contains(statusSets[t], e.To) {
					edgeFor[f][t] = i + 1
				}
			}
		}
	}
}

func contains(ss []spec.Status, s spec.Status) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// SpecEdge returns the spec lifecycle edge that accepts the trace transition
// from -> to (not counting identities), and whether there is one.
func SpecEdge(from, to GoState) (spec.Edge, bool) {
	if int(from) >= len(statusSets) || int(to) >= len(statusSets) {
		return spec.Edge{}, false
	}
	i := edgeFor[from][to]
	if i == 0 {
		return spec.Edge{}, false
	}
	return spec.Lifecycle[i-1], true
}

func edgeKey(e spec.Edge) string { return e.From.String() + "->" + e.To.String() }

// Goroutine flags.
const (
	gfExtraM     = 1 << iota // created by NotExist -> Syscall: an extra M's goroutine (cgo callback)
	gfUnknown                // first seen through Undetermined: origin unknown
	gfLockedExit             // logged the locked-exit mark
	gfSystem                 // start function in package runtime
	gfInWindow               // created inside the metrics window
)

// gstate is the per-live-goroutine state: deleted when the goroutine exits.
type gstate struct {
	state GoState
	flags uint8
	gen   uint32 // the last generation (Checker.gen) that mentioned it
	p     int64  // the P it runs on, while Running; -1 otherwise
	m     int64  // the thread it runs on, while Running or in a syscall; -1 otherwise or unknown
}

type pstate struct {
	state ProcState
	known bool
	g     int64 // the goroutine Running on it, or -1
}

// Window counts creations and exits between the MarkWindowBegin and
// MarkWindowEnd annotations.
type Window struct {
	Begun, Ended bool
	// Created counts NotExist -> Runnable/Waiting/Syscall; CreatedSystem
	// those of them whose start function is in package runtime.
	Created       int `json:"created"`
	CreatedSystem int `json:"created_system"`
	// Exited counts transitions to NotExist; ExitedSystem those of runtime
	// goroutines.
	Exited       int `json:"exited"`
	ExitedSystem int `json:"exited_system"`
}

// MaxViolations bounds how many violations a Report keeps (all are counted).
const MaxViolations = 1000

// Checker is the streaming checking core. Feed it events in trace order
// and call Report at the end. Its memory follows the peak number of live
// goroutines, not the trace length: the live goroutines' states, the
// exited ids (a bit per id only in blocks of 4096 ids that are not yet all
// exited, see idset), the Ps, the extra Ms' goroutine ids and the threads
// that ended with a locked exit.
type Checker struct {
	gs     gtable
	ps     ptable
	exited idset
	extra  map[int64]struct{} // ids of extra-M goroutines that exited (reusable)
	// deadThreads: threads that saw a locked exit -> the goroutine that exited.
	deadThreads map[int64]int64

	running      int // goroutines Running
	procsRunning int // Ps Running
	inStatus     bool
	// gen counts the Syncs: the generation the events belong to.
	gen uint32
	// stwBy is the goroutine stopping the world, while a stop-the-world
	// range is open; -2 otherwise.
	stwBy int64
	// lastTime is the previous event's timestamp, once timed is set.
	lastTime int64
	timed    bool

	rep         Report
	transitions [len(statusSets)][len(statusSets)]int
	extraCreate int
	extraExit   int
	seen        int
	live        int
}

// NewChecker returns an empty Checker.
func NewChecker() *Checker {
	c := &Checker{
		extra:       make(map[int64]struct{}),
		deadThreads: make(map[int64]int64),
		stwBy:       -2,
	}
	c.gs.init()
	return c
}

// Violations returns the number of violations found so far.
func (c *Checker) Violations() int { return c.rep.ViolationCount }

// SetStack attaches a stack to the violations found since the count was
// from (as returned by Violations before the Feed that found them).
func (c *Checker) SetStack(from int, stack []string) {
	for i := from; i < len(c.rep.Violations); i++ {
		if c.rep.Violations[i].Stack == nil {
			c.rep.Violations[i].Stack = stack
		}
	}
}

func (c *Checker) violate(rule string, e *Event, g int64, transition, detail string, args ...any) {
	c.rep.ViolationCount++
	if len(c.rep.Violations) >= MaxViolations {
		return
	}
	if len(args) > 0 {
		detail = fmt.Sprintf(detail, args...)
	}
	if transition == "" && e.Kind == KindGo {
		transition = goTransition(GoState(e.From), GoState(e.To))
	}
	c.rep.Violations = append(c.rep.Violations, Violation{
		Rule: rule, Goroutine: g, Time: e.Time, P: e.P, M: e.M,
		Transition: transition, Detail: detail, Stack: e.Stack,
	})
}

var transitionNames [len(goStateNames)][len(goStateNames)]string

func init() {
	for f := range transitionNames {
		for t := range transitionNames[f] {
			transitionNames[f][t] = GoState(f).String() + "->" + GoState(t).String()
		}
	}
}

// goTransition names a transition ("Running->NotExist") without allocating
// for the known states.
func goTransition(from, to GoState) string {
	if int(from) < len(transitionNames) && int(to) < len(transitionNames) {
		return transitionNames[from][to]
	}
	return from.String() + "->" + to.String()
}

// Feed checks one event.
func (c *Checker) Feed(e *Event) {
	c.rep.Events++
	c.checkTime(e)
	if len(c.deadThreads) > 0 && e.M >= 0 {
		c.checkThread(e)
	}
	if e.G >= 0 {
		c.checkExecutor(e)
	}
	switch e.Kind {
	case KindGo:
		c.feedGo(e)
	case KindProc:
		c.feedProc(e)
	case KindLog:
		c.feedLog(e)
	case KindSync:
		c.checkStated(e)
		c.gen++
		c.rep.Generations++
		c.inStatus = true
	case KindSTWBegin:
		c.rep.StopTheWorlds++
		c.stwBy = e.G
	case KindSTWEnd:
		c.stwBy = -2
	}
}

// checkStated: at a Sync, every goroutine alive at the end of the
// generation that ends there was mentioned in it. The runtime states
// every goroutine that is not dead in every generation: a goroutine's
// status is written before its first event of the generation (or the
// first event about it: an unblock, a start), and traceAdvance writes the
// status of every other one it finds not dead (forEachGRace, suspendG),
// the last generation included. A live goroutine the generation never
// mentions is one whose events were lost: the trace of a thread cut
// short (its exit, with nothing about it after), a generation's
// statement batch dropped.
func (c *Checker) checkStated(e *Event) {
	if c.gen == 0 || c.gs.len() == 0 {
		return // no generation ends here
	}
	var missing []int64
	for i := range c.gs.tab {
		if en := &c.gs.tab[i]; en.id != gEmpty && en.gen != c.gen {
			missing = append(missing, en.id)
		}
	}
	sort.Slice(missing, func(i, j int) bool { return missing[i] < missing[j] })
	for _, id := range missing {
		s, _ := c.gs.get(id)
		c.violate(RuleUnstated, e, id, "(sync)",
			"goroutine %d, %v when last seen, is not mentioned in the generation that ends here: the runtime states every live goroutine in every generation, so its events were lost", id, s.state)
	}
}

// eventLabel is the Transition of a violation found on e that is not
// about a goroutine transition: the P transition, or what e is.
func eventLabel(e *Event) string {
	switch e.Kind {
	case KindGo:
		return goTransition(GoState(e.From), GoState(e.To))
	case KindProc:
		return "P " + ProcState(e.From).String() + "->" + ProcState(e.To).String()
	case KindSync:
		return "(sync)"
	}
	return "(executing)"
}

// checkTime: time never runs backwards in a trace. The runtime stamps
// each event from a monotonic clock (traceClockNow), and the reader
// orders the threads' events by timestamp and sequence numbers and moves
// any event not later than the one before it to 1 ns after it
// (x/exp/trace reader.go), so a readable trace's timestamps increase.
// Equal timestamps are accepted (synthetic input).
func (c *Checker) checkTime(e *Event) {
	if c.timed && e.Time < c.lastTime {
		g := e.G
		if e.Kind == KindGo {
			g = e.Target
		}
		c.violate(RuleTimeBackwards, e, g, eventLabel(e), "timestamp %d is before the previous event's, %d", e.Time, c.lastTime)
	}
	c.timed = true
	c.lastTime = e.Time // one violation per step back
}

// checkExecutor: the goroutine executing an event (Event.G) is one the
// runtime runs there. A thread executes only its curg: the trace binds a
// goroutine to its thread when it starts running (GoStart, GoSyscallEnd,
// a Running or Syscall status, an extra M's GoCreateSyscall) and unbinds
// it when it stops (GoStop, GoBlock, GoDestroy, GoSyscallEndBlocked), so
// the executing goroutine is live and Running, or in a syscall (the
// thread of a goroutine in a syscall traces exitsyscall's ProcStart and
// the goroutine's own Syscall -> X). A running goroutine stays on the M
// and P execute gave it until it stops (the runtime changes a running
// goroutine's P only in procresize, which traces GoSched and GoStart
// around it, proc.go:6099), and a goroutine in a syscall keeps its M
// (entersyscall to exitsyscall run on one thread); its P may be taken
// (ProcSteal), so only the thread is checked for it.
func (c *Checker) checkExecutor(e *Event) {
	s, ok := c.gs.get(e.G)
	switch {
	case !ok:
		_, extra := c.extra[e.G]
		if c.exited.has(e.G) || extra {
			c.violate(RuleExecutorNotRunning, e, e.G, eventLabel(e), "goroutine %d executes after it exited", e.G)
		} else {
			c.violate(RuleExecutorNotRunning, e, e.G, eventLabel(e), "goroutine %d executes but was never created nor stated", e.G)
		}
	case s.state != GoRunning && s.state != GoSyscall:
		c.violate(RuleExecutorNotRunning, e, e.G, eventLabel(e), "goroutine %d executes while %v", e.G, s.state)
	case s.state == GoRunning && e.P != s.p:
		c.violate(RuleWrongContext, e, e.G, eventLabel(e), "goroutine %d executes on P %d but runs on P %d", e.G, e.P, s.p)
	case s.m >= 0 && e.M >= 0 && e.M != s.m:
		c.violate(RuleWrongContext, e, e.G, eventLabel(e), "goroutine %d executes on thread %d but is %v on thread %d", e.G, e.M, s.state, s.m)
	}
}

// checkThread: a goroutine executing on a thread whose locked goroutine
// exited. A goroutine starting to run there (a transition to Running or
// Syscall on the thread) counts whichever goroutine the event names as
// executing, and so does the exited goroutine itself executing again.
func (c *Checker) checkThread(e *Event) {
	exitedG, dead := c.deadThreads[e.M]
	if !dead {
		return
	}
	g := e.G
	tr := "(executing)"
	if e.Kind == KindGo && (GoState(e.To) == GoRunning || GoState(e.To) == GoSyscall) {
		g = e.Target
		tr = goTransition(GoState(e.From), GoState(e.To))
	}
	if g < 0 {
		c.rep.DeadThreadEvents++
		return
	}
	if g == exitedG {
		c.violate(RuleLockedThreadReused, e, g, tr,
			"thread %d runs goroutine %d again after it exited locked to it", e.M, g)
	} else {
		c.violate(RuleLockedThreadReused, e, g, tr,
			"thread %d runs goroutine %d after goroutine %d exited locked to it", e.M, g, exitedG)
	}
	delete(c.deadThreads, e.M) // report once per thread
}

func (c *Checker) feedLog(e *Event) {
	if e.Category != LogCategory {
		return
	}
	switch e.Message {
	case MarkLockedExit:
		if s, ok := c.gs.get(e.G); ok {
			s.flags |= gfLockedExit
			c.gs.put(e.G, s)
		}
		c.rep.LockedExitMarks++
	case MarkWindowBegin:
		c.rep.Window.Begun = true
	case MarkWindowEnd:
		c.rep.Window.Ended = true
	}
}

func (c *Checker) inWindow() bool { return c.rep.Window.Begun && !c.rep.Window.Ended }

func (c *Checker) feedGo(e *Event) {
	from, to := GoState(e.From), GoState(e.To)
	id := e.Target
	if int(from) >= len(statusSets) || int(to) >= len(statusSets) {
		c.violate(RuleLifecycle, e, id, "", "unknown trace state")
		return
	}
	s, known := c.gs.get(id)
	if known && s.gen != c.gen {
		s.gen = c.gen
		c.gs.put(id, s)
	}

	// Re-statements: a Sync is followed by X -> X for every live goroutine
	// the new generation mentions, and by Undetermined -> X for goroutines
	// it mentions for the first time.
	if from == GoUndetermined {
		if to == GoUndetermined || to == GoNotExist {
			c.violate(RuleLifecycle, e, id, "", "a goroutine is never re-stated as %v", to)
			return
		}
		c.rep.Undetermined++
		if known {
			if s.state == to {
				// A statement of what the checker knows: judged
				// as a re-statement (X -> X), its P and thread
				// the ones the goroutine runs on.
				c.checkRestatement(e, id, s)
				return
			}
			c.violate(RuleContinuity, e, id, "", "goroutine was %v", s.state)
			c.setState(e, id, s, to)
			return
		}
		if c.exited.has(id) {
			c.violate(RuleIDReuse, e, id, "", "goroutine id %d already exited", id)
		}
		c.born()
		c.setState(e, id, gstate{flags: gfUnknown, state: GoUndetermined, p: -1, m: -1}, to)
		return
	}
	if from == to {
		c.rep.Restatements++
		if !known && from != GoNotExist {
			c.violate(RuleContinuity, e, id, "", "re-statement of a goroutine never seen")
		} else if known && s.state != from {
			c.violate(RuleContinuity, e, id, "", "goroutine was %v", s.state)
		} else if known {
			c.checkRestatement(e, id, s)
		}
		return
	}
	if to == GoUndetermined {
		c.violate(RuleLifecycle, e, id, "", "no transition leads to Undetermined")
		return
	}
	c.inStatus = false

	// Continuity.
	if from == GoNotExist {
		if known {
			c.violate(RuleContinuity, e, id, "", "goroutine already exists (%v)", s.state)
			c.setState(e, id, s, to)
			return
		}
	} else if !known {
		c.violate(RuleContinuity, e, id, "", "goroutine never seen (neither created nor stated)")
		// Track it from here on, so one lost event is one violation.
		c.born()
		s = gstate{flags: gfUnknown, state: from, p: -1, m: -1}
		known = true
	} else if s.state != from {
		c.violate(RuleContinuity, e, id, "", "goroutine was %v", s.state)
	}

	// A goroutine stops running, blocks, exits, enters or leaves a
	// syscall by itself: gopark, goschedImpl, goexit0, entersyscall and
	// exitsyscall all run on the goroutine, and the trace records these
	// transitions in the goroutine's own context (GoStop, GoBlock,
	// GoDestroy, GoSyscallBegin/End), whose executing goroutine is the one
	// that changes state. Others only create, unblock or start goroutines.
	if (from == GoRunning || from == GoSyscall) && e.G != id {
		if e.G < 0 {
			c.violate(RuleForeignTransition, e, id, "", "goroutine %d's own transition executed by no goroutine", id)
		} else {
			c.violate(RuleForeignTransition, e, id, "", "goroutine %d's own transition executed by goroutine %d", id, e.G)
		}
	}

	c.transitions[from][to]++
	if from == GoRunning && to == GoRunnable && c.stwBy != -2 && id != c.stwBy && e.Reason == "preempted" {
		c.rep.STWPreemptions++
	}

	// The extra-M rule (isExtraM).
	if from == GoNotExist && to == GoSyscall {
		c.extraCreate++
		if c.exited.has(id) {
			c.violate(RuleIDReuse, e, id, "", "goroutine id %d was an ordinary goroutine that exited", id)
		}
		delete(c.extra, id)
		c.created(e, id, gstate{flags: gfExtraM, p: -1, m: -1}, to)
		return
	}
	if from == GoSyscall && to == GoNotExist {
		if s.flags&(gfExtraM|gfUnknown) == 0 {
			c.violate(RuleExtraM, e, id, "", "only an extra M's goroutine (created NotExist->Syscall) exits from Syscall")
		}
		c.extraExit++
		c.extra[id] = struct{}{}
		c.exit(e, id, s, from, false)
		return
	}

	edge := edgeFor[from][to]
	if edge == 0 {
		c.violate(RuleLifecycle, e, id, "", "no spec lifecycle edge from %v to %v", StatusSet(from), StatusSet(to))
		if to == GoNotExist {
			c.exit(e, id, s, from, true)
		} else {
			c.setState(e, id, s, to)
		}
		return
	}

	switch {
	case from == GoNotExist: // creation (NotExist -> Runnable, or -> Waiting: a coroutine)
		if c.exited.has(id) {
			c.violate(RuleIDReuse, e, id, "", "goroutine id %d already exited", id)
		} else if _, ok := c.extra[id]; ok {
			c.violate(RuleIDReuse, e, id, "", "goroutine id %d belonged to an extra M", id)
			delete(c.extra, id)
		}
		var fl uint8
		if isSystemStart(e.StartFunc) {
			fl |= gfSystem
		}
		c.created(e, id, gstate{flags: fl, p: -1, m: -1}, to)
	case to == GoNotExist: // exit: Running -> NotExist
		if s.flags&gfExtraM != 0 {
			c.violate(RuleExtraM, e, id, "", "an extra M's goroutine exits from Syscall, not Running")
		}
		c.exit(e, id, s, from, true)
	default:
		c.setState(e, id, s, to)
	}
}

// isExtraM reports whether from -> to is one of the extra-M rule's
// transitions, NotExist -> Syscall and Syscall -> NotExist.
func isExtraM(from, to GoState) bool {
	return from == GoNotExist && to == GoSyscall || from == GoSyscall && to == GoNotExist
}

func (c *Checker) created(e *Event, id int64, s gstate, to GoState) {
	c.rep.Created++
	c.born()
	if c.inWindow() {
		s.flags |= gfInWindow
		c.rep.Window.Created++
		if s.flags&gfSystem != 0 {
			c.rep.Window.CreatedSystem++
		}
	}
	s.state = GoNotExist
	c.setState(e, id, s, to)
}

func (c *Checker) born() {
	c.seen++
	c.live++
	if c.live > c.rep.MaxLive {
		c.rep.MaxLive = c.live
	}
}

func (c *Checker) exit(e *Event, id int64, s gstate, from GoState, record bool) {
	c.rep.Exited++
	c.live--
	if from == GoRunning {
		c.leaveRunning(id, s)
	}
	if c.inWindow() {
		c.rep.Window.Exited++
		if s.flags&gfSystem != 0 {
			c.rep.Window.ExitedSystem++
		}
	}
	if s.flags&gfLockedExit != 0 && from == GoRunning && e.M >= 0 {
		c.deadThreads[e.M] = id
		c.rep.LockedExits++
	}
	if record {
		c.exited.set(id)
	}
	c.gs.del(id)
}

// checkRestatement: a goroutine re-stated Running (X -> X after a Sync) is
// re-stated on the P and thread it runs on, and one re-stated in a
// syscall on its thread. The runtime writes a running goroutine's status
// from its own thread, at its first event of the generation (eventWriter,
// after its P's status), and a goroutine in a syscall's status names its
// thread.
func (c *Checker) checkRestatement(e *Event, id int64, s gstate) {
	switch {
	case s.state == GoRunning && e.P != s.p:
		c.violate(RuleWrongContext, e, id, "", "goroutine %d is stated Running on P %d but runs on P %d", id, e.P, s.p)
	case (s.state == GoRunning || s.state == GoSyscall) && s.m >= 0 && e.M >= 0 && e.M != s.m:
		c.violate(RuleWrongContext, e, id, "", "goroutine %d is stated %v on thread %d but is on thread %d", id, s.state, e.M, s.m)
	}
}

// runsOn reports whether goroutine id is Running on P p.
func (c *Checker) runsOn(id, p int64) bool {
	s, ok := c.gs.get(id)
	return ok && s.state == GoRunning && s.p == p
}

// leaveRunning: goroutine id, in state s, stops running; its P no longer
// runs it.
func (c *Checker) leaveRunning(id int64, s gstate) {
	c.running--
	if p, ok := c.ps.get(s.p); ok && p.g == id {
		p.g = -1
		c.ps.put(s.p, p)
	}
}

// setState moves a tracked goroutine to state to, keeping the Running and P
// bookkeeping and checking the P rules when it starts running.
//
// The P rules hold for a goroutine first stated Running (Undetermined ->
// Running) as for one that starts: the runtime writes a running
// goroutine's status from its own thread, which holds the goroutine's P
// (eventWriter writes the P's status first), so the statement names the P
// the goroutine runs on, and no other goroutine may still be Running on
// it or on the thread.
func (c *Checker) setState(e *Event, id int64, s gstate, to GoState) {
	s.gen = c.gen
	if s.state == GoRunning && to != GoRunning {
		c.leaveRunning(id, s)
		s.p = -1
	}
	if to == GoRunning || to == GoSyscall {
		s.m = e.M
	} else {
		s.m = -1
	}
	if to == GoRunning && s.state != GoRunning {
		c.running++
		s.p = e.P
		shared := false
		if e.P < 0 {
			c.violate(RuleProcNotRunning, e, id, "", "goroutine runs with no P")
		} else {
			p, ok := c.ps.get(e.P)
			switch {
			case !ok:
				// A P the trace has not stated yet (a Sync burst): learn it.
				p = pstate{state: ProcRunning, known: true, g: -1}
				c.procsRunning++
			case p.state != ProcRunning:
				c.violate(RuleProcNotRunning, e, id, "", "P %d is %v", e.P, p.state)
			case p.g >= 0 && p.g != id && c.runsOn(p.g, e.P):
				c.violate(RuleProcShared, e, id, "", "P %d already runs goroutine %d", e.P, p.g)
				shared = true
			}
			p.g = id
			c.ps.put(e.P, p)
		}
		if !shared && s.state == GoUndetermined && e.G >= 0 && e.G != id {
			// A statement binds the goroutine to the thread that
			// executes it, and the trace says that thread runs e.G.
			if g, ok := c.gs.get(e.G); ok && g.state == GoRunning {
				c.violate(RuleProcShared, e, id, "", "stated Running on thread %d, which runs goroutine %d", e.M, e.G)
			}
		}
		if !c.inStatus && c.running > c.procsRunning {
			c.violate(RuleRunningExceedsProcs, e, id, "", "%d goroutines Running, %d Ps Running", c.running, c.procsRunning)
		}
	}
	s.state = to
	c.gs.put(id, s)
}

func (c *Checker) feedProc(e *Event) {
	from, to := ProcState(e.From), ProcState(e.To)
	p, known := c.ps.get(e.Target)
	if !known {
		p = pstate{state: ProcUndetermined, g: -1}
	}
	if from != ProcUndetermined && known && p.state != from {
		c.violate(RuleContinuity, e, -1, "P "+from.String()+"->"+to.String(), "P %d was %v", e.Target, p.state)
	}
	if from != to && from != ProcUndetermined {
		c.inStatus = false
	}
	if from == ProcRunning && to == ProcIdle && e.Target != e.P {
		c.rep.ProcSteals++
	}
	if p.state == ProcRunning {
		c.procsRunning--
	}
	if to == ProcRunning {
		c.procsRunning++
	} else {
		if p.g >= 0 {
			// A goroutine still Running on it loses its P: the runtime
			// never releases the P of a running goroutine (its only
			// such release, procresize's, traces GoSched first,
			// proc.go:6099-6100), whatever other P runs. The count
			// rule below would see it only when no other P runs.
			if g, ok := c.gs.get(p.g); ok && g.state == GoRunning && g.p == e.Target && !c.inStatus {
				c.violate(RuleProcNotRunning, e, p.g, "P "+from.String()+"->"+to.String(), "P %d stops while goroutine %d runs on it", e.Target, p.g)
			}
			p.g = -1
		}
	}
	p.state = to
	c.ps.put(e.Target, p)
	if from == ProcRunning && to != ProcRunning && !c.inStatus && c.running > c.procsRunning {
		c.violate(RuleRunningExceedsProcs, e, -1, "P "+from.String()+"->"+to.String(),
			"P %d stops: %d goroutines Running, %d Ps Running", e.Target, c.running, c.procsRunning)
	}
}

// Report is the outcome of a conformance check.
type Report struct {
	// Violations found (at most MaxViolations; ViolationCount counts all).
	Violations     []Violation `json:"violations"`
	ViolationCount int         `json:"violation_count"`
	// Coverage: for every spec lifecycle edge ("from->to" in spec status
	// names), how many trace transitions it witnessed.
	Coverage map[string]int `json:"coverage"`
	// Transitions: every trace transition seen ("NotExist->Runnable"),
	// re-statements excluded, with its count.
	Transitions map[string]int `json:"transitions"`
	// ExtraM counts the extra-M rule's transitions.
	ExtraM map[string]int `json:"extra_m"`

	Events          int `json:"events"`
	Goroutines      int `json:"goroutines"`
	Created         int `json:"created"`
	Exited          int `json:"exited"`
	MaxLive         int `json:"max_live"`
	Restatements    int `json:"restatements"`
	Undetermined    int `json:"undetermined"`
	Generations     int `json:"generations"`
	LockedExitMarks int `json:"locked_exit_marks"`
	LockedExits     int `json:"locked_exits"`
	// DeadThreadEvents counts events on a thread after its locked exit
	// that run no goroutine (the thread handing off its P: allowed).
	DeadThreadEvents int `json:"dead_thread_events"`
	// ProcSteals counts Ps taken from a thread in a syscall by another
	// thread (Running -> Idle of a P other than the event's).
	ProcSteals int `json:"proc_steals"`
	// StopTheWorlds counts the stop-the-world ranges. STWPreemptions
	// counts the goroutines they preempted: Running -> Runnable, reason
	// "preempted", of a goroutine other than the one stopping the world,
	// inside the range. To stop the world the runtime preempts every
	// running goroutine (goschedImpl puts it in its P's runnext,
	// proc.go:4331) and stops its thread, which the spec models (its
	// stop-the-world protocol, spec/stw.go: op preempt, then gcstopm). Not
	// a violation: the count says how often real programs take that path.
	StopTheWorlds  int `json:"stop_the_worlds"`
	STWPreemptions int `json:"stw_preemptions"`

	Window Window `json:"window"`
}

// Report returns the result so far.
func (c *Checker) Report() *Report {
	r := c.rep
	r.Violations = append([]Violation(nil), c.rep.Violations...)
	if r.Violations == nil {
		r.Violations = []Violation{}
	}
	r.Goroutines = c.seen
	// Every transition counted in c.transitions that has a spec edge
	// witnessed it, except the extra-M rule's (which return before).
	edges := make([]int, len(spec.Lifecycle))
	for f := range c.transitions {
		for t, n := range c.transitions[f] {
			if i := edgeFor[f][t]; i > 0 && !isExtraM(GoState(f), GoState(t)) {
				edges[i-1] += n
			}
		}
	}
	r.Coverage = make(map[string]int, len(spec.Lifecycle))
	for i, e := range spec.Lifecycle {
		r.Coverage[edgeKey(e)] += edges[i]
	}
	r.Transitions = make(map[string]int)
	for f := range c.transitions {
		for t, n := range c.transitions[f] {
			if n > 0 {
				r.Transitions[goTransition(GoState(f), GoState(t))] = n
			}
		}
	}
	r.ExtraM = map[string]int{"NotExist->Syscall": c.extraCreate, "Syscall->NotExist": c.extraExit}
	return &r
}

// OK reports whether the check found no violation.
func (r *Report) OK() bool { return r.ViolationCount == 0 }

// Text writes the report in readable form; verbose adds the trace
// transitions and the counters.
func (r *Report) Text(verbose bool) string {
	var b strings.Builder
	for _, v := range r.Violations {
		b.WriteString(v.String())
		b.WriteByte('\n')
	}
	if r.ViolationCount > len(r.Violations) {
		fmt.Fprintf(&b, "... and %d more violations\n", r.ViolationCount-len(r.Violations))
	}
	fmt.Fprintf(&b, "%d events, %d goroutines (%d created, %d exited, at most %d live), %d generations\n",
		r.Events, r.Goroutines, r.Created, r.Exited, r.MaxLive, r.Generations)
	b.WriteString("spec lifecycle coverage:\n")
	for _, e := range spec.Lifecycle {
		k := edgeKey(e)
		fmt.Fprintf(&b, "\t%-22s %9d  %s\n", k, r.Coverage[k], e.Via)
	}
	if r.ExtraM["NotExist->Syscall"]+r.ExtraM["Syscall->NotExist"] > 0 {
		fmt.Fprintf(&b, "\textra-M rule           %9d created, %d exited\n", r.ExtraM["NotExist->Syscall"], r.ExtraM["Syscall->NotExist"])
	}
	if r.STWPreemptions > 0 {
		fmt.Fprintf(&b, "stop-the-world preemptions: %d goroutines preempted by %d stop-the-worlds (the spec's op preempt)\n",
			r.STWPreemptions, r.StopTheWorlds)
	}
	if verbose {
		b.WriteString("trace transitions:\n")
		keys := make([]string, 0, len(r.Transitions))
		for k := range r.Transitions {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "\t%-22s %9d\n", k, r.Transitions[k])
		}
		fmt.Fprintf(&b, "re-statements %d, undetermined %d, P steals %d\n", r.Restatements, r.Undetermined, r.ProcSteals)
		fmt.Fprintf(&b, "locked-exit marks %d, locked exits %d, goroutine-less events on their threads afterwards %d\n",
			r.LockedExitMarks, r.LockedExits, r.DeadThreadEvents)
		if r.Window.Begun {
			fmt.Fprintf(&b, "window: created %d (runtime %d), exited %d (runtime %d)\n",
				r.Window.Created, r.Window.CreatedSystem, r.Window.Exited, r.Window.ExitedSystem)
		}
	}
	if r.OK() {
		b.WriteString("conformant\n")
	} else {
		fmt.Fprintf(&b, "%d violations\n", r.ViolationCount)
	}
	return b.String()
}

// isSystemStart approximates the runtime's isSystemGoroutine (traceback.go)
// by a goroutine's start function: package runtime, except runtime.main,
// the coroutine start (iter.Pull) and the finalizer and cleanup goroutines
// (which the runtime counts as user goroutines while they run user code).
func isSystemStart(fn string) bool {
	switch fn {
	case "runtime.main", "runtime.corostart", "runtime.handleAsyncEvent", "runtime.runFinalizers", "runtime.runCleanups":
		return false
	}
	return strings.HasPrefix(fn, "runtime.")
}
