package spec

import (
	"fmt"
	"slices"
	"strings"
)

// Independence of ops, for partial-order reduction (the explorer's -por).
//
// Two ops a and b, both enabled in a state s, are independent when they
// commute (a then b and b then a reach the same state with the same
// results, or the same throw) and neither enables nor disables the other.
// The explorer may then, at a state where one actor's enabled ops are all
// independent of every op any other actor can ever make (an ample set),
// follow that actor's ops alone; see checker/explore.go and POR.md for the
// provisos that make this safe for invariant checking.
//
// The runtime's Ms share almost everything the spec models: sched.lock
// guards the global run queue, the idle P and M lists and the counts
// checkdead reads, and sched.gFree.lock the global free lists; another M's stealWork CASes a P's run queue;
// sysmon and the world-stopping controller read and write every P. Of
// the ops a running M can make, exit, park, gosched, newproc1 and ready
// take sched.lock or change what other Ms read, so a running M's enabled
// ops are never all private, even though growstack (copystack), assist
// and dirty touch only the M's own G: an ample set must hold every op of
// its actor that conflicts with it, and exit conflicts with growstack (it
// ends the G whose stack growstack doubles, and gfput reads the size).
//
// The one op the spec has whose every effect is private to its actor is
// stopm's return with acquirep(mp.nextp) (proc.go stopm, acquirep, wirep):
// Private documents why.

// Private reports whether op, enabled in s, is private to its actor: it
// commutes with, and neither enables nor disables, any op another actor
// (another M, sysmon, the controller) can make in s or in any state
// reachable from s before op is made, and it does not change whether any
// invariant holds in a state where all of them hold.
//
// The only private op is OpAcquireP by an M woken by startm for the P in
// its nextp (proc.go stopm: `acquirep(mp.nextp.ptr()); mp.nextp = 0`).
// The same op of a locked M that startlockedm handed a P (stoplockedm's
// return, which also executes the locked G) is left out: it changes the
// G's status, which other ops and checkdead read.
// It writes M.P, M.NextP (the M's own) and the P's M and Status
// (PHandoff -> PRunning). The P is held for this M alone (startm's
// `nmp.nextp.set(pp)` under sched.lock): no other actor writes any of
// these fields until the M acquires it:
//   - pendingP is false for it (an M's nextp names it), so no idle M
//     takes it (acquirep of a parked M);
//   - the controller's stopTheWorldWithSema stops idle Ps and the Ps of
//     Ms in syscalls only, and its action (gc, procresize) waits until
//     every P has stopped: the P is neither before (handed off) nor
//     after (running on an M that runs no G), and sched.stopwait counts
//     it either way; a history's one-step procresize refuses to run
//     while a P at or above the new count is handed off or running, and
//     leaves a P below it alone in either status, and its relistIdle
//     relists PIdle Ps only;
//   - exitsyscall's oldp path (setBlockOnExitSyscall) and retake need a
//     P running with an M whose G is in a syscall: false before (the P
//     is handed off) and after (the M runs g0, no curg); sysmon's
//     handoffp after a retake hands off the P it retook (Sched.RetakeP,
//     never an M's nextp), and its startm's mget takes an M off the idle
//     list, which the woken M has left;
//   - startlockedm (schedule) puts the scheduling M's own P in the
//     locked M's nextp, and throws when that M holds one already: a
//     woken M's has no locked G, so it is never that M.
//
// Every other actor observes the P and the M only through what the op
// leaves unchanged:
//   - stealWork, checkRunqsNoP (runqWork) and strict findRunnable test
//     "running, handed off or stopped" (PStatus.Stealable), a history's
//     one-step procresize "running or handed off": true before and
//     after;
//   - npidle and the idle P list (handoffp, HandoffpLastRunningP,
//     spinAllowed, wakep, exitsyscall's pidleget): the P is on neither;
//   - the idle M list (mget, mgetSpecific, checkdead's nmidle): the M is
//     not on it; checkdead's mcount counts a not-exited M whatever it
//     holds, and pendingP is false for the P before and after;
//     nmidlelocked counts Ms with a locked G, and a woken M has none.
//
// The op's own result (the P, the M's spinning flag) reads only the M's
// fields. One op of another actor does change the op's fate: main's exit
// (runtime.main returning, exit(0)) ends the program, after which Enabled
// offers nothing. The op still completes (inFlightAtEnd: exit(0) cuts
// every M short wherever it is) and the program ends the same after it,
// so a reduced exploration reaches the terminal state after the op
// instead of the one before it; the two differ only in the fields the op
// writes, which no invariant's truth depends on (below).
//
// The invariants that read the fields it writes (RefsInRange,
// RunningHasP, IdleListIdle, IdlePsListed, IdleMsListed, NextPHandedOff,
// SpinningWithoutLocalWork, RunningPHasM, POwnership, GCStopPs, DeadPsEmpty,
// CheckdeadRan's count) hold after it whenever they all hold before:
// the P goes from handed off to this M to running on it with both
// pointers set, and a P startm handed to a spinning M has an empty run
// queue that only its owner (there is none before the op) could fill.
func (s *State) Private(op Op) bool {
	if op.Kind != OpAcquireP || op.M < 0 || int(op.M) >= len(s.Ms) {
		return false
	}
	m := &s.Ms[op.M]
	return m.NextP != None && op.P == m.NextP && m.P == None && m.Curg == None &&
		m.NewG == None && m.LockedG == None && !m.Exited && !m.Wedged
}

// Independent reports whether ops a and b, both enabled in s, are
// independent: they are made by different actors (Ms, sysmon, the
// controller) and one of them is private (Private). Ops of one actor are
// never independent: each actor runs one op at a time, and its ops read
// and write its own state.
func (s *State) Independent(a, b Op) bool {
	return a.M != b.M && (s.Private(a) || s.Private(b))
}

// AmpleRank is the measure that makes the ample sets' cycle condition
// (C3: every cycle of the reduced graph has a fully expanded state) hold
// without a look at the states seen: the number of Ms holding a P in
// nextp. Every private op lowers it by one (acquirep clears the M's
// nextp, and nothing else changes another M's nextp), and a state whose
// ample set is followed alone takes only private ops, so a cycle made of
// such states would lower it forever. Only startm (wakep, handoffp) and
// startTheWorldWithSema's hand-out (the controller's action) raise it, in
// ops that are not private.
func (s *State) AmpleRank() int {
	n := 0
	for i := range s.Ms {
		if s.Ms[i].NextP != None {
			n++
		}
	}
	return n
}

// Ample returns the indices into enabled (s.Enabled's ops) of an ample set
// for partial-order reduction, or nil when there is none: the enabled ops
// of the first M (in M order) that has some and all of them private. The
// ops of that M are independent of every op of every other actor
// (Private), so every path from s either makes one of them first or
// commutes with them (the ample-set condition C1), and they change no
// invariant's truth (C2). The explorer checks the cycle condition (C3)
// with AmpleRank.
func (s *State) Ample(enabled []Op, buf []int) []int {
	out := buf[:0]
	for mi := range s.Ms {
		out = out[:0]
		ok := true
		for i, op := range enabled {
			if op.M != int8(mi) {
				continue
			}
			if !s.Private(op) {
				ok = false
				break
			}
			out = append(out, i)
		}
		if ok && len(out) > 0 {
			return out
		}
	}
	return out[:0]
}

// CheckAmple checks at s, for an ample set (amp, Ample's indices into ops,
// s's enabled ops), what the partial-order reduction rests on: the ample
// sets' condition C1, which Private argues from the spec's transitions and
// which a change to them can break (a review dropped pendingP's test of
// the Ms' nextp, so that an idle M could take a P startm had handed to
// another, and the explorer with the reduction explored the very states
// it explored before). In s, and in every state the other actors' ops
// lead to from s (breadth first, up to reach states in all; 1: s alone),
// every ample op a, against every op o another actor can make there,
//   - commutes: a then o and o then a reach Equal states with the same
//     results, or both throw the same;
//   - neither enables nor disables the other: after a, the other actors'
//     ops are exactly those before; after o, a's M offers exactly the
//     ample ops again, each still private (unless o ended the program:
//     then a ends it the same way).
//
// The states beyond s are where C1 is about: a dependent op another actor
// can reach before a is made (the review's idle M, a few steps of its
// own away) shows in none of the states the reduced exploration keeps.
// An ample op that throws is not judged: the explorer expands such a
// state fully. step makes an op in place and enabled lists a state's ops
// (nil: Apply and Enabled), so that the explorer's tests can plant faults
// in either. It returns how many pairs it checked, and why C1 fails, or
// nil.
func (s *State) CheckAmple(b Bounds, ops []Op, amp []int, reach int, step func(*State, Op) (Result, error), enabled func(*State, Bounds, []Op) []Op) (int, error) {
	if len(amp) == 0 {
		return 0, nil
	}
	if step == nil {
		step = (*State).Apply
	}
	if enabled == nil {
		enabled = (*State).Enabled
	}
	c := ampleCheck{b: b, m: ops[amp[0]].M, step: step, enabled: enabled, depth: []int{0}}
	for _, i := range amp {
		c.ample = append(c.ample, ops[i])
	}
	queue := []*State{s}
	var seen map[uint64]bool // (s alone, on most reduced states: no search)
	if reach > 1 {
		seen = map[uint64]bool{s.Fingerprint(): true}
	}
	for k := 0; k < len(queue); k++ {
		next, err := c.at(queue[k])
		if err != nil {
			if k > 0 {
				err = fmt.Errorf("%w, in a state %d other actors' ops from the one reduced:\n%s", err, c.depth[k], queue[k].Dump())
			}
			return c.pairs, err
		}
		for _, n := range next {
			if len(queue) >= reach {
				break
			}
			if fp := n.Fingerprint(); !seen[fp] {
				seen[fp] = true
				queue = append(queue, n)
				c.depth = append(c.depth, c.depth[k]+1)
			}
		}
	}
	return c.pairs, nil
}

// ampleCheck is CheckAmple's: the ample ops, of M m, and the pairs checked.
type ampleCheck struct {
	b       Bounds
	m       int8
	ample   []Op
	step    func(*State, Op) (Result, error)
	enabled func(*State, Bounds, []Op) []Op
	pairs   int
	depth   []int // by state searched: other actors' ops from the first
}

func (c *ampleCheck) split(st *State) (own, others []Op) {
	for _, op := range c.enabled(st, c.b, nil) {
		if op.M == c.m {
			own = append(own, op)
		} else {
			others = append(others, op)
		}
	}
	return own, others
}

// at checks C1 at s and returns the states the other actors' ops lead
// to, where the program goes on.
func (c *ampleCheck) at(s *State) ([]*State, error) {
	own, before := c.split(s)
	if !sameOps(own, c.ample) {
		return nil, fmt.Errorf("M%d offers %v, not the ample ops %v", c.m, own, c.ample)
	}
	var next []*State
	for _, a := range c.ample {
		if !s.Private(a) {
			return nil, fmt.Errorf("ample op %v is not private", a)
		}
		sa := s.Clone()
		ra, err := c.step(sa, a)
		if err != nil {
			continue
		}
		if _, after := c.split(sa); !slices.Equal(before, after) {
			return nil, fmt.Errorf("ample op %v changes the other actors' ops: %v -> %v", a, before, after)
		}
		for _, o := range before {
			c.pairs++
			sb := s.Clone()
			rb, errB := c.step(sb, o)
			if _, refused := errB.(*Disabled); refused {
				return nil, fmt.Errorf("%v, enabled, is refused: %v", o, errB)
			}
			sab := sa.Clone()
			rab, errAB := c.step(sab, o)
			if (errB == nil) != (errAB == nil) || errB != nil && errB.Error() != errAB.Error() {
				return nil, fmt.Errorf("%v after ample op %v: %v; without it: %v", o, a, errAB, errB)
			}
			if errB != nil {
				continue // the same throw either way
			}
			if sb.Sched.Terminal != Alive {
				// exit(0) ended the program: nothing is enabled after
				// it, but an op cut short still completes
				// (inFlightAtEnd), and the program ends the same.
				if sab.Sched.Terminal != sb.Sched.Terminal {
					return nil, fmt.Errorf("%v ends the program as %v, after ample op %v as %v", o, sb.Sched.Terminal, a, sab.Sched.Terminal)
				}
			} else if got, _ := c.split(sb); !sameOps(got, c.ample) || !sb.Private(a) {
				return nil, fmt.Errorf("after %v, M%d offers %v, not the ample ops %v, each private", o, c.m, got, c.ample)
			}
			sba := sb.Clone()
			rba, err := c.step(sba, a)
			if err != nil {
				return nil, fmt.Errorf("ample op %v after %v: %v", a, o, err)
			}
			if !sab.Equal(sba) || rab != rb || rba != ra {
				return nil, fmt.Errorf("ample op %v and %v do not commute: %v first, then %v, differs from the other order in [%s]; results %v then %v, against %v then %v", a, o, a, o, strings.Join(Diff(sab, sba), "; "), ra, rab, rb, rba)
			}
			if a == c.ample[0] && sb.Sched.Terminal == Alive {
				next = append(next, sb)
			}
		}
	}
	return next, nil
}

// sameOps reports whether a and b hold the same ops, in any order (a
// swarm shard permutes a state's ops).
func sameOps(a, b []Op) bool {
	if len(a) != len(b) {
		return false
	}
	for _, op := range a {
		if !slices.Contains(b, op) {
			return false
		}
	}
	return true
}
