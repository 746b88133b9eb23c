package spec

// Progress at quiescence.
//
// The invariants say what holds in every state; they cannot see a
// scheduler that stops making progress: a lost wakeup, an M that parks
// still holding its P, a handed-off P no M ever takes. Those leave a state
// that is perfectly consistent and yet final: nothing moves, and runnable
// work (or a P that could run it) is stranded.
//
// The progress predicates judge such a state. They apply only at
// quiescence: a state in which no M, sysmon or the world-stopping
// controller can take a step, the program is alive (not Terminal) and the
// run did not time out. In the runtime nothing is ever quiescent with
// work stranded: an M with a P and nothing to run gives the P up
// (findRunnable -> stopm), a handed-off P is started on an M (handoffp ->
// startm, which makes a new M if none is idle), a G made runnable while a
// P is idle wakes an M for it (ready/newproc -> wakep), and a spinning M
// that drops its P rechecks the global queue under sched.lock and every
// P's run queue without it before it sleeps (findRunnable's stop path and
// checkRunqsNoP, proc.go:3658-3703, 3902-3915; golang/go#55160).
//
// The spec has a bounded number of Ms (the threads that exist at once),
// where the runtime would newm; so a P or a runnable G counts as stranded
// only while a free M exists that the runtime's wakeup protocol would have
// started: one asleep on the idle M list (sched.midle), or the slot of a
// thread that exited (mexit), where newm's thread runs.

// ProgressCheck is one progress predicate.
type ProgressCheck struct {
	Name   string
	Source string // the runtime code whose wakeup the predicate holds the scheduler to
	check  func(s *State) string
}

// ProgressChecks are the progress predicates, in the order they are
// checked: the first failing one names the violation.
var ProgressChecks = []ProgressCheck{
	{
		Name:   "HeldPWithNothingToRun",
		Source: "findRunnable's stop path: releasep, pidleput, stopm (proc.go findRunnable); a locked M's stoplockedm hands its P off (handoffp) before it sleeps",
		check: func(s *State) string {
			for mi := range s.Ms {
				m := &s.Ms[mi]
				if m.P != None && m.Curg == None && m.NewG == None && m.Handing == None && len(s.Ps[m.P].Held) == 0 && !m.StopLocked && !m.Mexiting && !m.Exited && !m.Wedged {
					return "M" + itoa(int64(mi)) + " holds P" + itoa(int64(m.P)) + " and runs nothing, and nothing will ever move it"
				}
			}
			return ""
		},
	},
	{
		Name:   "HandedOffPNeverStarted",
		Source: "handoffp -> startm(pp, ...): mget's idle M is woken (notewakeup(&nmp.park)) and acquirep's the P, or newm makes one (proc.go startm, stopm)",
		check: func(s *State) string {
			free := s.freeM()
			for pi := range s.Ps {
				if s.Ps[pi].Status != PHandoff {
					continue
				}
				if s.Sched.CtlStartmP == int8(pi) {
					return "P" + itoa(int64(pi)) + " was taken by the controller's wakep (startTheWorldWithSema), whose startm never runs"
				}
				if s.Sched.RetakeP == int8(pi) {
					return "P" + itoa(int64(pi)) + " was retaken by sysmon, whose handoffp or startm never runs"
				}
				for mi := range s.Ms {
					if s.Ms[mi].StartmP == int8(pi) {
						return "P" + itoa(int64(pi)) + " was taken by M" + itoa(int64(mi)) + "'s wakep or handoffp, whose startm never runs"
					}
					if s.Ms[mi].NextP == int8(pi) {
						return "P" + itoa(int64(pi)) + " was handed to M" + itoa(int64(mi)) + " (its nextp), which never takes it"
					}
					if s.Ms[mi].SpinP == int8(pi) {
						return "P" + itoa(int64(pi)) + " was taken by M" + itoa(int64(mi)) + "'s recheck, whose acquirep never runs"
					}
				}
				if free != None && s.Ms[free].Exited {
					return "P" + itoa(int64(pi)) + " was left to newm, but the thread it makes (in exited M" + itoa(int64(free)) + "'s place) never takes it"
				}
				if free != None {
					return "P" + itoa(int64(pi)) + " was handed off to startm, but M" + itoa(int64(free)) + " stays idle and never takes it"
				}
			}
			return ""
		},
	},
	{
		Name:   "LockedGNeverRuns",
		Source: "startlockedm: the M that schedules a locked G hands it its P (proc.go schedule -> startlockedm); ready's wakep starts that M (proc.go ready, wakep)",
		check: func(s *State) string {
			if s.freeM() == None || s.idleP() == None {
				return ""
			}
			for gi := range s.Gs {
				g := &s.Gs[gi]
				if g.Status == Runnable && g.LockedM != None {
					return "G" + itoa(int64(gi)) + " is runnable and locked to M" + itoa(int64(g.LockedM)) +
						", P" + itoa(int64(s.idleP())) + " is idle and M" + itoa(int64(s.freeM())) + " free, but nothing schedules it"
				}
			}
			return ""
		},
	},
	{
		Name:   "RunnableGStrandedWithIdleP",
		Source: "ready/newproc -> wakep when a P is idle; a spinning M that dropped its P rechecks sched.runq under sched.lock and every P's run queue (checkRunqsNoP, unlocked) after pidleput (proc.go findRunnable, golang/go#55160); exitsyscallNoP and injectglist start Ms for what they queue (injectglist, whose callers are netpoll and GC waiters, is not modelled)",
		check: func(s *State) string {
			free, idle := s.freeM(), s.idleP()
			if free == None || idle == None {
				return ""
			}
			for gi := range s.Gs {
				if s.Gs[gi].Status == Runnable {
					where := "on a run queue"
					if len(s.Sched.Runq) != 0 {
						where = "and the global run queue holds " + itoa(int64(len(s.Sched.Runq))) + " G(s)"
					}
					return "G" + itoa(int64(gi)) + " is runnable " + where + ", P" + itoa(int64(idle)) +
						" is idle and M" + itoa(int64(free)) + " free, but no M is woken to run it"
				}
			}
			return ""
		},
	},
	{
		Name: "HangsWithNoDeadlock",
		Source: "checkdead (proc.go), run by mput (stopm), mexit and the other paths that idle an M: when no M runs (mcount - nmidle - nmidlelocked - nmsys == 0) and no G can, the runtime throws \"all goroutines are asleep - deadlock!\" " +
			"(or \"no goroutines (main called runtime.Goexit) - deadlock!\"); the program never hangs with nothing runnable",
		check: func(s *State) string {
			// Runnable work, or a P waiting for an M, is the
			// predicates' above: stranded only while an M is free
			// (the runtime's newm makes one). A G running or in a
			// system call has an M that moves.
			for gi := range s.Gs {
				switch s.Gs[gi].Status {
				case Runnable, Running, Syscall:
					return ""
				}
			}
			for pi := range s.Ps {
				if s.Ps[pi].Status == PHandoff {
					return ""
				}
			}
			return "nothing can move, nothing is runnable and no P waits for an M, yet checkdead never ended the program (it counts " +
				itoa(int64(s.RunningMs())) + " M(s) running): an M asleep that no list or step accounts for"
		},
	},
}

// CheckProgress runs the progress predicates on s, which the caller knows
// to be quiescent (see above), and returns the first failure, or nil. A
// terminal state makes no progress by definition and passes.
func (s *State) CheckProgress() *Violation {
	if s.Sched.Terminal != Alive {
		return nil
	}
	for i := range ProgressChecks {
		pc := &ProgressChecks[i]
		if d := pc.check(s); d != "" {
			return &Violation{Invariant: pc.Name, Source: pc.Source, Detail: d}
		}
	}
	return nil
}

// freeM is the M startm's mget would wake: the head of the idle M list
// (stopm parked it with nothing to do); else an M whose thread exited
// (mexit), whose slot newm's thread takes when mget finds none; or None.
func (s *State) freeM() int8 {
	if s.Sched.Midle != None {
		return s.Sched.Midle
	}
	return s.exitedM()
}

// idleP is the head of the idle P list (pidleget's P), or None.
func (s *State) idleP() int8 { return s.Sched.Pidle }
