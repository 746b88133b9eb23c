// Run and the run's life: starting the actors behind the start barrier,
// the deterministic driver (drive), the free-running ticker (timeout and
// the notes' safety net), ending a run (end, throw, panicked), and the
// Result (result; merge of the actors' records).

package impl

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// end stops the run (program exit, throw, timeout).
func (s *sched) end() {
	s.done.Store(true)
	s.wakeAll()
}

// throw ends the run with a runtime throw. Only throwOp calls it: a throw
// is always recorded on the op that raises it (Output.Throw), so the
// checker can tell a throw the workload drove the runtime into from one
// nothing explains.
func (s *sched) throw(a *actor, msg string) {
	m := msg
	first := s.throwMsg.CompareAndSwap(nil, &m)
	s.terminal.Store("throw")
	if first && s.det {
		s.atThrow = s.throwState()
	}
	s.end()
}

// throwState is Result.AtThrow: in the deterministic modes, where the
// throwing actor is the only one running (every other waits for its
// grant, at a scheduling point, with no lock held), the state as the op
// that threw committed, and the actors then inside an op. The run goes
// on after the throw only to wind down, and what an actor does then
// (the rest of an op it was inside) is not in this state.
func (s *sched) throwState() *ThrowState {
	t := &ThrowState{Snapshot: s.snapshot()}
	for _, b := range s.actors {
		if b.inOp {
			t.InOp = append(t.InOp, b.id)
		}
	}
	return t
}

// panicked is the recovery of a panic in actor a's goroutine: it releases
// the locks a held, records the panic (value and stack; the first one
// wins) and ends the run, so that the other actors stop at their next
// safe point and Run returns.
func (s *sched) panicked(a *actor, v any, stack []byte) {
	for i := len(a.held) - 1; i >= 0; i-- {
		a.held[i].Unlock()
	}
	a.held = a.held[:0]
	msg := fmt.Sprintf("%v\n\ngoroutine of %s:\n%s", v, actorName(a.id), trimStack(stack))
	s.panicMsg.CompareAndSwap(nil, &msg)
	s.end()
}

func actorName(id int) string {
	switch id {
	case Sysmon:
		return "sysmon"
	case Controller:
		return "the controller"
	}
	return fmt.Sprintf("M%d", id)
}

// trimStack keeps the frames of a debug.Stack taken in a deferred
// recover that matter: from the function that panicked (the runtime's
// panic machinery and the recovery above it dropped) down to the actor's
// body (Run's goroutine wrapper dropped), at most maxFrames of them,
// without arguments, PC offsets or directories beyond the package's, so
// the text is the same from run to run and machine to machine.
func trimStack(stack []byte) string {
	const maxFrames = 16
	lines := strings.Split(strings.TrimRight(string(stack), "\n"), "\n")
	// Frames are pairs of lines (function, then a tab and file:line) after
	// the "goroutine N [running]:" header.
	start := 1
	for i := 1; i+1 < len(lines); i += 2 {
		if strings.HasPrefix(lines[i], "panic(") {
			start = i + 2
		}
	}
	var out []string
	for i := start; i+1 < len(lines) && len(out) < 2*maxFrames; i += 2 {
		fn, at := lines[i], lines[i+1]
		if len(out) == 0 && strings.HasPrefix(fn, "runtime.") {
			continue // panicmem, sigpanic, ...
		}
		if strings.HasPrefix(fn, runWrapper) || strings.HasPrefix(fn, "created by ") {
			break
		}
		if j := strings.LastIndexByte(fn, '('); j > 0 && strings.HasSuffix(fn, ")") {
			fn = fn[:j] + "(...)"
		}
		if j := strings.LastIndex(at, " +0x"); j > 0 {
			at = at[:j]
		}
		at = strings.TrimLeft(at, "\t")
		if d := strings.LastIndexByte(at, '/'); d > 0 {
			if d2 := strings.LastIndexByte(at[:d], '/'); d2 >= 0 {
				at = at[d2+1:]
			}
		}
		out = append(out, fn, "\t"+at)
	}
	return strings.Join(out, "\n")
}

// runWrapper is the name prefix of Run's closures (the goroutine wrapper
// that recovers).
var runWrapper = reflect.TypeFor[sched]().PkgPath() + ".Run.func"

func (s *sched) violation(format string, args ...any) {
	s.violMu.Lock()
	if len(s.violations) < 100 {
		s.violations = append(s.violations, fmt.Sprintf(format, args...))
	}
	s.violMu.Unlock()
}

func (a *actor) finish() {
	s := a.s
	if s.det {
		s.back <- backMsg{a, true}
		return
	}
	s.mu.Lock()
	a.finished = true
	s.nlive--
	if s.ctlWaits.Load() {
		s.ctl.notewakeup() // othersWaiting
	}
	if s.nlive > 0 && int(s.nwaiting.Load()) == s.nlive {
		// Everyone left is asleep: wake one whose condition holds, or
		// end the run as quiescent.
		if !s.wakeReadyLocked() {
			s.quiesceLocked()
		}
	}
	s.mu.Unlock()
}

// Run runs workload w under cfg until quiescence: the program ended (main
// returned, a throw, a fatal error) or no actor can move, or the step /
// time budget ran out.
func Run(cfg Config, w Workload) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	s := newSched(cfg, w)
	var wg sync.WaitGroup
	start := func(a *actor, body func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer a.finish()
			defer func() {
				if v := recover(); v != nil {
					s.panicked(a, v, debug.Stack())
				}
			}()
			if s.det {
				<-a.grant
			} else {
				// The start barrier: every actor's goroutine is running
				// before any starts its work, so the Ms start together.
				s.started.Add(1)
				for int(s.started.Load()) < len(s.actors) && !s.done.Load() {
					runtime.Gosched()
				}
			}
			body()
		}()
	}
	for _, mp := range s.ms {
		start(&mp.actor, mp.loop)
	}
	if sy := s.sysmonActor(); sy != nil {
		start(sy, func() { s.sysmon(sy, w.Retakes, w.Probes) })
	}
	if ct := s.ctlActor(); ct != nil {
		start(ct, func() { s.controller(ct, w.Controller) })
	}
	if s.det {
		s.drive()
	} else {
		stop := make(chan struct{})
		go s.ticker(stop)
		wg.Wait()
		close(stop)
	}
	wg.Wait()
	return s.result(), nil
}

func (s *sched) sysmonActor() *actor {
	for _, a := range s.actors {
		if a.id == Sysmon {
			return a
		}
	}
	return nil
}

func (s *sched) ctlActor() *actor {
	for _, a := range s.actors {
		if a.id == Controller {
			return a
		}
	}
	return nil
}

// ticker ends the run at Timeout, and once a millisecond is the safety
// net of the per-actor notes: it wakes an actor that has slept through
// two ticks with its condition true and no wakeup on its way. It does not
// count it (Result.Rescued): only when every actor is asleep is a missing
// wakeup certain (wakeReadyLocked).
func (s *sched) ticker(stop chan struct{}) {
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	deadline := time.Now().Add(s.cfg.Timeout)
	seen := make([]int, len(s.actors)) // sleep seen ready at the last tick
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			if now.After(deadline) && !s.done.Load() {
				s.timedOut.Store(true)
				s.end()
			}
			s.mu.Lock()
			for i, b := range s.actors {
				if b.finished || b.waiting == nil || b.woke.Load() || len(b.parkNote) != 0 || s.done.Load() || !b.waiting() {
					seen[i] = 0
					continue
				}
				if seen[i] == b.sleeps {
					// Not counted: under load the op that made the
					// condition true may still be on its way to the
					// notewakeup (descheduled between its unlock and
					// it). wakeReadyLocked counts exactly.
					b.notewakeup()
				}
				seen[i] = b.sleeps
			}
			s.mu.Unlock()
		}
	}
}

// drive is the deterministic scheduler: it grants one actor at a time,
// picked from the runnable actors (in the order M0..Mn-1, sysmon,
// controller) by the explicit choices, then by the seeded PRNG. A choice c
// counts from the actor granted last: 0 keeps it running if it can run, so
// a schedule shrunk toward zeros has the fewest context switches.
func (s *sched) drive() {
	live := len(s.actors)
	runnable := make([]*actor, 0, live)
	var last *actor
	max := s.cfg.MaxSteps
	for live > 0 {
		runnable = runnable[:0]
		done := s.done.Load()
		for _, a := range s.actors {
			if a.finished {
				continue
			}
			if done || a.waiting == nil || a.waiting() {
				runnable = append(runnable, a)
			}
		}
		if len(runnable) == 0 {
			if !done {
				// Every actor waits for a condition: those inside an
				// op wait in it (read here, where each waits for its
				// grant, as throwState reads them).
				for _, a := range s.actors {
					if !a.finished && a.inOp {
						s.hungInOp = append(s.hungInOp, a.id)
					}
				}
			}
			s.deadlock.Store(true)
			s.done.Store(true)
			continue
		}
		base, lastIn := 0, false
		for j, a := range runnable {
			if a == last {
				base, lastIn = j, true
			}
		}
		if s.cfg.Systematic && !done {
			s.points = append(s.points, SchedPoint{Runnable: len(runnable), LastRunnable: lastIn})
		}
		var i int
		if len(s.choices) > 0 {
			i = s.choices[0]
			s.choices = s.choices[1:]
			if i < 0 {
				i = -i
			}
			i = (base + i) % len(runnable)
		} else if s.cfg.Systematic {
			i = base
		} else if len(runnable) > 1 {
			i = s.rng.IntN(len(runnable))
		}
		a := runnable[i]
		last = a
		s.steps++
		if s.steps >= max && !done {
			s.timedOut.Store(true)
			s.done.Store(true)
		}
		a.grant <- struct{}{}
		msg := <-s.back
		if msg.finished {
			msg.a.finished = true
			live--
		}
		if s.steps > max+10_000_000 {
			panic("impl: deterministic run does not wind down after its step budget")
		}
	}
}

func newSched(cfg Config, w Workload) *sched {
	if cfg.MaxSteps == 0 {
		cfg.MaxSteps = 1_000_000
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 20 * time.Second
	}
	if cfg.MaxOps == 0 {
		cfg.MaxOps = 1 << 16
	}
	f, _ := parseFaults(cfg.Faults)
	s := &sched{cfg: cfg, c: cfg.Consts, n: uint32(cfg.Consts.RunqSize), f: f}
	s.det = cfg.Mode == Deterministic
	s.snap = s.det && cfg.SnapshotEvery
	s.intra = s.det && !cfg.AtomicOps && !cfg.SnapshotEvery
	s.rec = cfg.Record
	s.back = make(chan backMsg)
	s.choices = append([]int(nil), cfg.Choices...)
	s.rng = rand.New(rand.NewPCG(uint64(cfg.Seed), 0x9e3779b97f4a7c15))
	s.terminal.Store("")
	s.base = time.Now()

	batch := int64(cfg.Consts.GoidBatch)
	s.goidgen.Store(batch)
	s.startingStackSize.Store(stackMin)
	s.gomaxprocs.Store(int32(cfg.Ps))
	for i := 0; i < cfg.Ps; i++ {
		pp := &p{id: int32(i), runq: make([]atomic.Pointer[g], cfg.Consts.RunqSize)}
		pp.status.Store(pIdle)
		pp.idlep.Store(i != 0) // schedinit's procresize idles every P but P0
		s.ps = append(s.ps, pp)
	}
	for i := 0; i < cfg.Ms; i++ {
		mp := &m{onG0: true, batch: make([]*g, 0, cfg.Consts.RunqSize/2+1), order: make([]int, 0, cfg.Ps)}
		s.newActor(&mp.actor, i)
		s.ms = append(s.ms, mp)
	}
	if w.Retakes+w.Probes > 0 && !cfg.Wasm {
		s.sys = new(actor)
		s.newActor(s.sys, Sysmon)
	}
	if len(w.Controller) > 0 {
		s.ctl = new(actor)
		s.newActor(s.ctl, Controller)
	}
	s.nlive = len(s.actors)
	s.share = max(cfg.MaxOps/int64(len(s.actors)), 1)
	// The noise lets another actor run inside an op's window; a lone M
	// has none to let in.
	s.noise = !s.det && len(s.actors) > 1
	s.progs = numberPrograms(w.Main)
	nobj := w.Main.maxObj() + 1
	for i := 0; i < nobj; i++ {
		s.objs = append(s.objs, new(waitObj))
	}

	// rt0_go: m0 acquires P0 (procresize), newproc(runtime.main) takes
	// goid 1 from P0's first batch and puts it in P0's runnext
	// (runqput(pp, newg, true)); mstart's schedule takes it from runnext
	// with inheritTime, so execute leaves P0's schedtick at 0.
	p0, m0 := s.ps[0], s.ms[0]
	main := &g{idx: 0, goid: 1, stack: stackMin, prog: w.Main, m: m0}
	main.status.Store(gRunning)
	main.runningOn.Store(0)
	s.allgs = append(s.allgs, main)
	p0.status.Store(pRunning)
	p0.m.Store(m0)
	p0.goidcache, p0.goidcacheend = 2, batch+1
	p0.schedtick = 0
	m0.p.Store(p0)
	m0.curg.Store(main)
	m0.onG0 = false
	// schedinit's procresize puts the other Ps on the idle list, P1
	// first: the highest heads it.
	s.relistIdleLocked()
	// The other Ms sleep on the idle M list, M1 at its head: the
	// threads startm's newm would make, made up front.
	for i := len(s.ms) - 1; i >= 1; i-- {
		s.midlePush(s.ms[i])
	}
	return s
}

func (s *sched) result() *Result {
	r := &Result{Ops: map[string]int{}, Branches: map[string]int{}}
	if t := s.throwMsg.Load(); t != nil {
		r.Throw = *t
	}
	if f := s.fatalMsg.Load(); f != nil {
		r.Fatal = *f
	}
	if p := s.panicMsg.Load(); p != nil {
		r.Panic = *p
	}
	r.TimedOut = s.timedOut.Load()
	r.AtThrow = s.atThrow
	r.Rescued = int(s.rescued.Load())
	if s.deadlock.Load() && r.Throw == "" && r.Fatal == "" && r.Panic == "" && !r.TimedOut && s.terminal.Load().(string) == "" {
		r.Deadlock = true
		r.HungInOp = s.hungInOp
	}
	n := 0
	for _, a := range s.actors {
		for k, c := range a.ops {
			if c != 0 {
				r.Ops[opNames[k]] += c
				n += c
			}
		}
		for k, c := range a.br {
			if c != 0 {
				r.Branches[branchNames[k]] += c
			}
		}
	}
	if s.det {
		r.Steps = s.steps
		r.Points = s.points
	} else {
		r.Steps = n
	}
	if s.rec {
		r.History = s.merge()
	}
	r.Snapshot = s.snapshot()
	r.Snapshots = s.snapshots
	r.Violations = s.violations
	return r
}

// merge expands the per-actor buffers into one history sorted by Call.
// Each actor's records are already in Call order (an actor's ops are
// sequential), so this is a k-way merge, not a sort.
func (s *sched) merge() []Event {
	type src struct {
		a    *actor
		recs [][]rec
		i, j int
	}
	var srcs []*src
	total := 0
	for _, a := range s.actors {
		recs := append(append([][]rec(nil), a.bufs...), a.buf)
		for _, b := range recs {
			total += len(b)
		}
		srcs = append(srcs, &src{a: a, recs: recs})
	}
	head := func(x *src) *rec {
		for x.i < len(x.recs) && x.j >= len(x.recs[x.i]) {
			x.i, x.j = x.i+1, 0
		}
		if x.i == len(x.recs) {
			return nil
		}
		return &x.recs[x.i][x.j]
	}
	out := make([]Event, 0, total)
	for {
		var best *src
		var br *rec
		for _, x := range srcs {
			if r := head(x); r != nil && (br == nil || r.call < br.call) {
				best, br = x, r
			}
		}
		if best == nil {
			return out
		}
		out = append(out, best.a.expand(br))
		best.j++
	}
}

// numberPrograms numbers the programs of a workload: main 1, then the
// children of its Go steps, depth first (a program two steps start has
// one number). Input.Prog and Event.Prog are these numbers.
// NumberPrograms lists the programs of a workload whose main runs main, in
// the numbering of Input.Prog and Event.Prog: program n is the list's
// [n-1].
func NumberPrograms(main *Program) []*Program {
	ids := numberPrograms(main)
	out := make([]*Program, len(ids))
	for p, id := range ids {
		out[id-1] = p
	}
	return out
}

func numberPrograms(main *Program) map[*Program]int32 {
	ids := map[*Program]int32{}
	var walk func(p *Program)
	walk = func(p *Program) {
		if _, seen := ids[p]; p == nil || seen {
			return
		}
		ids[p] = int32(len(ids) + 1)
		for _, st := range p.Steps {
			if st.Kind == Spawn {
				walk(st.Child)
			}
		}
	}
	walk(main)
	return ids
}
