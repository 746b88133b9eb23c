// Actors (Ms, sysmon, the controller): scheduling points and safe points,
// the free-running notes (waitUntil, notewakeup) and quiescence, the
// locks an actor holds.

package impl

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// sched is the modelled runtime (schedt, runtime2.go) plus the harness:
// the run's configuration, actors, the deterministic scheduler,
// recording.
type sched struct {
	schedt
	cfg   Config
	c     Consts
	n     uint32 // RunqSize
	det   bool
	intra bool // scheduling points inside ops (deterministic mode)
	rec   bool
	snap  bool
	f     faults

	actors []*actor
	objs   []*waitObj
	// progs numbers the workload's programs (Main 1, then the children
	// of its Go steps, depth first): the ids a G's ops are stamped with
	// (actor.stepGoid) and newproc1 records as the program it was asked
	// to start. Read-only once the run starts.
	progs map[*Program]int32

	clock    atomic.Int64 // deterministic modes: the logical clock (see begin)
	base     time.Time    // free-running: the clock's zero (see begin)
	share    int64        // free-running: each actor's share of MaxOps (see commit)
	done     atomic.Bool
	terminal atomic.Value // string
	throwMsg atomic.Pointer[string]
	fatalMsg atomic.Pointer[string]
	panicMsg atomic.Pointer[string]
	deadlock atomic.Bool
	started  atomic.Int32 // free mode: actors past the start barrier
	timedOut atomic.Bool

	// Free-running waiting: each actor sleeps on its own note (waitUntil);
	// mu guards the waiting registrations, so that the last actor to go
	// to sleep can tell quiescence from a wakeup in flight.
	mu       sync.Mutex
	nwaiting atomic.Int32
	nlive    int
	ctlWaits atomic.Bool // the controller is asleep in waitUntil
	sysWaits atomic.Bool // sysmon is asleep in waitUntil
	ctl, sys *actor
	noise    bool         // free-running with two actors or more: sp yields at random
	rescued  atomic.Int64 // wakeups only the ticker gave (see ticker)
	// towake: the Ms startm or startlockedm gave a P under sched.lock;
	// unlockSched wakes them (notewakeup) once the lock is released.
	towake []*m

	// Deterministic scheduling.
	back    chan backMsg
	choices []int
	points  []SchedPoint // Config.Systematic
	rng     *rand.Rand
	steps   int

	violMu     sync.Mutex
	violations []string

	snapshots []Snapshot
	// atThrow: Result.AtThrow, taken by the actor whose op threw first
	// (deterministic modes only).
	atThrow *ThrowState
	// hungInOp (deterministic modes): the actors inside an op when none
	// could move (Result.HungInOp); written by the driver alone.
	hungInOp []int
}

type backMsg struct {
	a        *actor
	finished bool
}

// actor is anything that records ops: an M, sysmon, the controller.
type actor struct {
	s        *sched
	id       int // M id, Sysmon, Controller
	grant    chan struct{}
	parkNote chan struct{} // free: notesleep/notewakeup, one token
	woke     atomic.Bool   // free: notewakeup'd since it registered to wait
	sleeps   int           // free: sleeps so far (under s.mu; the ticker's)
	waiting  func() bool   // free: under s.mu; det: read by the driver
	finished bool
	// held lists the mutexes the actor holds, innermost last: a
	// scheduling point with a lock held is a bug, and an actor that
	// panics releases them so the others can wind down.
	held []*sync.Mutex

	rng     *rand.Rand
	buf     []rec
	bufs    [][]rec
	strs    []string
	ops     [numOpKinds]int
	br      [numBranches]int
	nops    int64
	nopsPub atomic.Int64
	// last: free-running, the actor's last clock read, the next op's call
	// unless stale (it waited since; see begin).
	last  int64
	stale bool
	// stepGoid and stepProg stamp the ops an M commits while it
	// interprets a step of a G's program: the G's goid and the id of the
	// program it runs (sched.progs; 0: no step).
	stepGoid, stepProg int32
	// stepPC is the step interpreted, 1-based (the G's pc + 1): the
	// ops' Event.Step.
	stepPC int32
	// inOp: the actor has begun an op (begin) and not yet committed it
	// (commit) or dropped it (abandon). Owner-written; read by another
	// actor only in the deterministic modes, at a throw (sched.throw),
	// while this one waits for its grant.
	inOp bool
	// fatal and terminal: the fatal error checkdead found (under
	// sched.lock) and the run's end it makes, declared when the M's op
	// commits.
	fatal, terminal string

	// The wakep the actor owes, one op per step (proc_mwake.go): an
	// M's, after an op that made work runnable, and the controller's,
	// after a stop-the-world (startTheWorldWithSema's). All owner-only.
	//   - owesWakep: wakep (or, for a spinning M, resetspinning first)
	//     is the actor's next op;
	//   - waking: wakep's CAS of nmspinning 0 -> 1 succeeded; its
	//     sched.lock section (pidlegetSpinning) is the next op;
	//   - startmP: the P that section took, which its startm, the next
	//     op, hands on: _Pidle, off the idle list and not pending,
	//     reachable by no other actor.
	owesWakep, waking bool
	startmP           *p
}

func (s *sched) newActor(a *actor, id int) {
	a.s = s
	a.id = id
	a.grant = make(chan struct{})
	a.parkNote = make(chan struct{}, 1)
	a.rng = rand.New(rand.NewPCG(uint64(s.cfg.Seed), uint64(id+1000)))
	a.strs = []string{""}
	a.stale = true // its first op's call reads the clock
	s.actors = append(s.actors, a)
}

// yield is a scheduling point: in deterministic mode the actor gives the
// token back and blocks until granted again.
func (a *actor) yield() {
	if len(a.held) != 0 {
		panic("impl: scheduling point while holding a lock")
	}
	a.s.back <- backMsg{a, false}
	<-a.grant
}

// lock takes mu for the actor (see held).
func (a *actor) lock(mu *sync.Mutex) {
	mu.Lock()
	a.held = append(a.held, mu)
}

// unlock releases mu, which the actor holds.
func (a *actor) unlock(mu *sync.Mutex) {
	for i := len(a.held) - 1; i >= 0; i-- {
		if a.held[i] == mu {
			a.held = append(a.held[:i], a.held[i+1:]...)
			break
		}
	}
	mu.Unlock()
}

// sp is a scheduling point inside an op (a shared-memory access the
// interesting races hinge on). Free-running: noise injection, a yield of
// the goroutine at one point in four (the actor's seeded PRNG decides), so
// that another M can run inside this op's window, as a preempted or
// descheduled thread lets it in the runtime.
func (a *actor) sp() {
	switch {
	case len(a.held) != 0:
		// Inside a critical section (a locked M's exit holds sched.lock
		// across gfput): no scheduling point.
	case a.s.intra:
		a.yield()
	case a.s.noise && a.rng.IntN(4) == 0:
		runtime.Gosched()
	}
}

// testHookSafepoint, when set (by tests, before Run), is called by every
// actor at every safe point: a way to make sysmon or the controller
// panic.
var testHookSafepoint func(a *actor)

// safepoint is the scheduling point between ops. It reports false when
// the run is over and the actor must stop.
func (a *actor) safepoint() bool {
	s := a.s
	if testHookSafepoint != nil {
		testHookSafepoint(a)
	}
	if s.det {
		a.yield()
	}
	if s.done.Load() {
		return false
	}
	return true
}

// spinPolls is how often a free-running M polls its condition before it
// sleeps on its note (a variable for the control test).
var spinPolls = 32

// waitUntil blocks the actor until cond holds (true) or the run ends
// (false).
func (a *actor) waitUntil(cond func() bool) bool {
	s := a.s
	if s.det {
		for {
			if s.done.Load() {
				return false
			}
			if cond() {
				return true
			}
			a.waiting = cond
			a.yield()
			a.waiting = nil
		}
	}
	if a.id >= 0 {
		// findRunnable's spinning: an M with nothing to do polls a while
		// before it parks, so work made runnable on another M is taken
		// while that M still runs, and the Ms' ops really overlap. The
		// conditions Ms wait for read atomics only.
		for i := 0; i < spinPolls; i++ {
			if s.done.Load() {
				return false
			}
			if cond() {
				return true
			}
			a.waited()
			runtime.Gosched()
		}
	}
	a.waited()
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if s.done.Load() {
			return false
		}
		a.waiting = cond
		a.woke.Store(false)
		s.nwaiting.Add(1)
		// The flags the senders read after they make a condition true
		// (committed) are stored before the condition is read, so one of
		// the two sees the other.
		s.sleeping(a, true)
		if cond() {
			s.sleeping(a, false)
			s.nwaiting.Add(-1)
			a.waiting = nil
			return true
		}
		if int(s.nwaiting.Load()) == s.nlive {
			// The last actor to sleep: quiescent unless a wakeup is
			// still owed to someone whose condition holds.
			if !s.wakeReadyLocked() {
				s.sleeping(a, false)
				s.quiesceLocked()
				s.nwaiting.Add(-1)
				a.waiting = nil
				return false
			}
		}
		a.sleeps++
		s.mu.Unlock()
		<-a.parkNote // notesleep
		s.mu.Lock()
		s.sleeping(a, false)
		s.nwaiting.Add(-1)
		a.waiting = nil
	}
}

// sleeping publishes that a, with s.mu held, goes to sleep (or woke): the
// flags the Ms read without a lock to know whether sysmon or the
// controller needs a notewakeup. An actor going to sleep may complete
// the controller's wait for a stopped world (othersWaiting), so it wakes
// the controller.
func (s *sched) sleeping(a *actor, asleep bool) {
	switch a {
	case s.ctl:
		s.ctlWaits.Store(asleep)
		return
	case s.sys:
		s.sysWaits.Store(asleep)
	}
	if asleep && s.ctlWaits.Load() {
		s.ctl.notewakeup()
	}
}

// wakeReadyLocked, with every live actor registered as waiting, reports
// whether the run can still move, and counts a lost wakeup
// (Result.Rescued) when it can only because of this check.
//
// The run moves on by itself while a wakeup is on its way to one of the
// actors (notewakeup'd since it registered, or a token left from
// before): that actor rechecks its condition, and if it sleeps again it
// is once more the last to sleep, and this check runs again. A condition
// may hold for several waiters of which one wakeup serves one: the exited
// Ms all wait for a pending P (newmThread) and newm wakes one of them.
// The others are not owed a wakeup while it is on its way.
//
// With no wakeup on its way, an actor whose condition holds will never be
// woken: every op that makes a condition true sends its wakeup before its
// sender sleeps. That is a lost wakeup: the ready actors are woken, and
// it counts once.
func (s *sched) wakeReadyLocked() bool {
	var ready []*actor
	for _, b := range s.actors {
		if b.finished || b.waiting == nil {
			continue
		}
		if len(b.parkNote) != 0 || b.woke.Load() {
			return true
		}
		if b.waiting() {
			ready = append(ready, b)
		}
	}
	if len(ready) == 0 {
		return false
	}
	s.rescued.Add(1)
	for _, b := range ready {
		b.notewakeup()
	}
	return true
}

func (s *sched) quiesceLocked() {
	if !s.done.Load() {
		s.deadlock.Store(true)
		s.done.Store(true)
	}
	s.wakeAll()
}

// notewakeup wakes a, asleep in waitUntil or about to be (the token waits
// in the buffered channel): the runtime's notewakeup(&mp.park). A token
// left over from an earlier wakeup costs a spurious recheck only.
func (a *actor) notewakeup() {
	a.woke.Store(true)
	select {
	case a.parkNote <- struct{}{}:
	default:
	}
}

// wakeAll wakes every actor: the end of the run, startTheWorld.
func (s *sched) wakeAll() {
	if s.det {
		return
	}
	for _, a := range s.actors {
		a.notewakeup()
	}
}

// committed wakes sysmon and the controller, when asleep, after an op:
// their conditions (a G in a syscall; a number of ops done, the Ps
// procresize destroys let go) are made true by the Ms' ops. Two atomic
// loads of flags that change only when those actors sleep or wake.
func (s *sched) committed() {
	if s.sysWaits.Load() {
		s.sys.notewakeup()
	}
	if s.ctlWaits.Load() {
		s.ctl.notewakeup()
	}
}

// othersWaiting: every live actor other than a is waiting (is stopped).
func (s *sched) othersWaiting(a *actor) bool {
	for _, b := range s.actors {
		if b != a && !b.finished && b.waiting == nil {
			return false
		}
	}
	return true
}

// osyield is a spin-wait's back-off in free-running mode.
func (a *actor) osyield() {
	if a.s.det {
		a.yield()
	} else {
		runtime.Gosched()
	}
}
