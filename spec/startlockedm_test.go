package spec

import (
	"errors"
	"slices"
	"testing"
)

// lockedHandoff drives a state (1 P, 2 Ms) to startlockedm: main (G0)
// locks itself to M0 and Goscheds, so M0 hands P0 off (stoplockedm) and
// M1 takes it; M1's schedule then takes G0 from the global queue and
// startlockedm hands P0 to M0.
func lockedHandoff(t *testing.T) *State {
	t.Helper()
	s := newState(t, "small", 1, 2)
	do(t, s, Op{Kind: OpLockOSThread, M: 0})
	do(t, s, Op{Kind: OpGosched, M: 0})
	if s.Ms[1].NextP != 0 {
		t.Fatalf("stoplockedm's handoffp did not start M1 for P0:\n%s", s.Dump())
	}
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 0})
	r := do(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcGlobal})
	if r.G != 0 || r.HandedTo != 0 {
		t.Fatalf("M1's schedule took G%d, handed to M%d; want G0 handed to M0", r.G, r.HandedTo)
	}
	return s
}

// startlockedm is a handoff the locked M completes (proc.go startlockedm,
// stoplockedm): the scheduling M gives up the P into the locked M's nextp
// and stops; the G stays runnable on no queue until the locked M, its own
// step, acquires the P and executes it. Before, the spec made the locked
// M run the G inside the scheduling M's step.
func TestStartlockedmHandoff(t *testing.T) {
	s := lockedHandoff(t)
	m0, p0, g0 := &s.Ms[0], &s.Ps[0], &s.Gs[0]
	if p0.Status != PHandoff || p0.M != None || m0.NextP != 0 || m0.P != None || m0.Curg != None {
		t.Fatalf("after startlockedm: P0 %s on M%d, M0 nextp P%d p P%d curg G%d; want P0 handed off to M0's nextp", p0.Status, p0.M, m0.NextP, m0.P, m0.Curg)
	}
	if g0.Status != Runnable || s.Ms[1].P != None || !s.Ms[1].Stopping {
		t.Fatalf("G0 %s, M1 P%d stopping %v: want G0 runnable and M1 without a P, stopm next", g0.Status, s.Ms[1].P, s.Ms[1].Stopping)
	}
	// M0 counts as running from startlockedm's incidlelocked(-1), so
	// M1's stopm (mput, checkdead) finds an M running.
	if n := s.NMIdleLocked(); n != 0 {
		t.Fatalf("nmidlelocked = %d after startlockedm, want 0", n)
	}
	ops := s.Enabled(DefaultBounds(3), nil)
	if !slices.Contains(ops, Op{Kind: OpAcquireP, M: 0, P: 0}) || !slices.Contains(ops, Op{Kind: OpStopm, M: 1}) {
		t.Fatalf("enabled %v: want M0's acquirep of P0 and M1's stopm", ops)
	}
	// Other Ms run between the two halves: M1 stops first.
	do(t, s, Op{Kind: OpStopm, M: 1})
	r := do(t, s, Op{Kind: OpAcquireP, M: 0, P: 0})
	if r.G != 0 || m0.Curg != 0 || m0.P != 0 || p0.Status != PRunning || g0.Status != Running || g0.M != 0 {
		t.Fatalf("after M0's acquirep: G%d, M0 curg G%d on P%d, P0 %s, G0 %s on M%d", r.G, m0.Curg, m0.P, p0.Status, g0.Status, g0.M)
	}
	if got := Branches(Op{Kind: OpAcquireP, M: 0, P: 0}, r, nil); !slices.Contains(got, "acquirep/startlockedm") {
		t.Fatalf("branches %v: want acquirep/startlockedm", got)
	}
}

// The planted control: the G is not runnable when the locked M wakes
// (stoplockedm's throw("stoplockedm: not runnable")).
func TestStoplockedmNotRunnable(t *testing.T) {
	s := lockedHandoff(t)
	s.Gs[0].Status = Waiting
	_, err := s.Apply(Op{Kind: OpAcquireP, M: 0, P: 0})
	wantThrow(t, err, ThrowStoplockedmNotRunnable)
}

// A spinning M that finds a G locked to another M makes resetspinning's
// wakep before it hands the G over (proc.go schedule: `if mp.spinning {
// resetspinning() }` comes before `if gp.lockedm != 0 { startlockedm(gp)
// }`). It holds the G and its P through the wakep, so the locked M cannot
// run before the wakep is done, and the wakep's pidleget cannot take the
// P. Before, the spec handed the P over in the schedule step and made the
// wakep after it.
func TestStartlockedmAfterResetspinning(t *testing.T) {
	s := newState(t, "small", 2, 3)
	do(t, s, Op{Kind: OpLockOSThread, M: 0})
	// M0's gosched puts G0 on the global queue and, locked, makes its
	// wakep (startm of P1 for an idle M) and stoplockedm (handoffp of P0).
	do(t, s, Op{Kind: OpGosched, M: 0})
	spinner := -1
	for mi := 1; mi < len(s.Ms); mi++ {
		if s.Ms[mi].NextP == 1 {
			spinner = mi
		}
	}
	if spinner < 0 {
		t.Fatalf("no M was started for P1:\n%s", s.Dump())
	}
	do(t, s, Op{Kind: OpAcquireP, M: int8(spinner), P: 1})
	m := &s.Ms[spinner]
	if !m.Spinning {
		t.Fatalf("M%d took P1 without spinning:\n%s", spinner, s.Dump())
	}
	// One step at a time (do makes the wakep an op owes).
	r := step(t, s, Op{Kind: OpSchedule, M: int8(spinner), Source: SrcGlobal})
	if r.G != 0 || r.HandedTo != None || m.Handing != 0 || m.P != 1 || !m.WakeP {
		t.Fatalf("schedule took G%d, handed to M%d; M%d handing G%d on P%d owes wakep %v: want G0 held with P1, the wakep first\n%s",
			r.G, r.HandedTo, spinner, m.Handing, m.P, m.WakeP, s.Dump())
	}
	if s.Ms[0].NextP != None || s.Gs[0].Status != Runnable || s.Ps[1].Status != PRunning {
		t.Fatalf("the locked M has a P before the wakep:\n%s", s.Dump())
	}
	for _, op := range s.Enabled(DefaultBounds(3), nil) {
		if op.M == int8(spinner) && op.Kind != OpWakep || op.M == 0 {
			t.Fatalf("enabled %v with G0 held for startlockedm: want only the wakep of M%d (and other Ms' ops)", op, spinner)
		}
	}
	if _, err := s.Clone().Apply(Op{Kind: OpStartlockedm, M: int8(spinner)}); !errors.As(err, new(*Disabled)) {
		t.Fatalf("startlockedm before the wakep: %v, want disabled", err)
	}
	// The wakep's steps, then startlockedm.
	wakepSteps(t, s, int8(spinner))
	if m.Handing != 0 || s.Ms[0].NextP != None {
		t.Fatalf("the wakep handed G0 over:\n%s", s.Dump())
	}
	r = step(t, s, Op{Kind: OpStartlockedm, M: int8(spinner)})
	if r.G != 0 || r.HandedTo != 0 || s.Ms[0].NextP != 1 || m.P != None || m.Handing != None || !m.Stopping {
		t.Fatalf("startlockedm: G%d handed to M%d; want G0 with P1 in M0's nextp and M%d stopping\n%s", r.G, r.HandedTo, spinner, s.Dump())
	}
	if got := Branches(Op{Kind: OpStartlockedm, M: int8(spinner)}, r, nil); !slices.Contains(got, "startlockedm") {
		t.Fatalf("branches %v: want startlockedm", got)
	}
	step(t, s, Op{Kind: OpStopm, M: int8(spinner)})
	step(t, s, Op{Kind: OpAcquireP, M: 0, P: 1})
	if s.Ms[0].Curg != 0 || s.Gs[0].Status != Running {
		t.Fatalf("M0 does not run G0 after its acquirep:\n%s", s.Dump())
	}
}

// The planted control: a state where the G held for startlockedm is lost
// (the M drops it) fails RunnableGsQueued.
func TestStartlockedmHeldGCounted(t *testing.T) {
	s := newState(t, "small", 2, 3)
	do(t, s, Op{Kind: OpLockOSThread, M: 0})
	do(t, s, Op{Kind: OpGosched, M: 0})
	for mi := 1; mi < len(s.Ms); mi++ {
		if s.Ms[mi].NextP == 1 {
			do(t, s, Op{Kind: OpAcquireP, M: int8(mi), P: 1})
			if _, err := s.Apply(Op{Kind: OpSchedule, M: int8(mi), Source: SrcGlobal}); err != nil || s.Ms[mi].Handing != 0 {
				t.Fatalf("schedule: %v, M%d handing G%d; want G0 held\n%s", err, mi, s.Ms[mi].Handing, s.Dump())
			}
			if v := s.CheckInvariants(); v != nil {
				t.Fatalf("with G0 held: %v", v)
			}
			s.Ms[mi].Handing = None
			v := s.CheckInvariants()
			if v == nil || v.Invariant != "RunnableGsQueued" {
				t.Fatalf("a dropped startlockedm G: %v, want RunnableGsQueued", v)
			}
			return
		}
	}
	t.Fatalf("no M was started for P1:\n%s", s.Dump())
}

// A locked M's gosched puts its G on the global queue and unlocks; its
// wakep and then schedule's stoplockedm are steps of their own (proc.go
// goschedImpl, schedule, stoplockedm). In between the M still holds its
// P, and another M may take the G and startlockedm it: the locked M's
// nextp is set while it holds a P, and nmidlelocked is one short (the
// -1 of startlockedm before the +1 of stoplockedm). Its stoplockedm then
// hands its own P off and it takes the nextp at once. Before, the spec
// made the locked M's wakep and stoplockedm part of its gosched step, and
// impl made them in one sched.lock section, so this interleaving was
// never explored or allowed.
func TestStartlockedmBeforeStoplockedm(t *testing.T) {
	s := newState(t, "small", 2, 2)
	step(t, s, Op{Kind: OpLockOSThread, M: 0})
	r := step(t, s, Op{Kind: OpGosched, M: 0})
	m0, m1 := &s.Ms[0], &s.Ms[1]
	if r.HandedOff || m0.P != 0 || !m0.WakeP || !m0.StopLocked {
		t.Fatalf("gosched of a locked G: handed off %v, M0 on P%d owes wakep %v, stoplockedm %v: want P0 kept, the wakep and stoplockedm owed\n%s",
			r.HandedOff, m0.P, m0.WakeP, m0.StopLocked, s.Dump())
	}
	wakepSteps(t, s, 0)
	if m1.NextP != 1 {
		t.Fatalf("M0's wakep did not start M1 on P1:\n%s", s.Dump())
	}
	// M0 owes its stoplockedm; M1 runs first: it takes G0 from the
	// global queue, makes its resetspinning's wakep, and startlockedm's
	// G0 to M0, which still holds P0.
	step(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	step(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcGlobal})
	wakepSteps(t, s, 1)
	r = step(t, s, Op{Kind: OpStartlockedm, M: 1})
	if r.HandedTo != 0 || m0.NextP != 1 || m0.P != 0 || !m0.StopLocked {
		t.Fatalf("startlockedm in the window: handed to M%d; M0 nextp P%d p P%d: want P1 in M0's nextp while M0 holds P0\n%s", r.HandedTo, m0.NextP, m0.P, s.Dump())
	}
	if n := s.NMIdleLocked(); n != -1 {
		t.Fatalf("nmidlelocked = %d between startlockedm and stoplockedm, want -1", n)
	}
	// The planted control: only an M that owes its stoplockedm may hold a
	// P and a nextp at once.
	if bad := s.Clone(); true {
		bad.Ms[0].StopLocked = false
		if v := bad.CheckInvariants(); v == nil || v.Invariant != "NextPHandedOff" {
			t.Fatalf("an M holding a P and a nextp, owing no stoplockedm: %v, want NextPHandedOff", v)
		}
	}
	for _, op := range s.Enabled(DefaultBounds(2), nil) {
		if op.M == 0 && op.Kind != OpStoplockedm {
			t.Fatalf("enabled %v: M0 owes its stoplockedm first", op)
		}
	}
	step(t, s, Op{Kind: OpStopm, M: 1})
	r = step(t, s, Op{Kind: OpStoplockedm, M: 0})
	// No M spins and no P is idle: handoffp's CAS, and its startm is
	// M0's next step; until its incidlelocked(1) after that startm M0
	// is not counted idle.
	if !r.HandedOff || HandoffStep(r.Value) != HandoffStore || m0.StartmP != 0 || !m0.StopLocked || s.NMIdleLocked() != -1 {
		t.Fatalf("stoplockedm: handed off %v, value %d, M0 startm P%d, owes stoplockedm %v, nmidlelocked %d: want handoffp's CAS, P0 held for its startm, the count still -1\n%s",
			r.HandedOff, r.Value, m0.StartmP, m0.StopLocked, s.NMIdleLocked(), s.Dump())
	}
	sr := r
	step(t, s, Op{Kind: OpHandoffpStore, M: 0})
	r = step(t, s, Op{Kind: OpStartm, M: 0})
	if r.HandedTo != 1 || !m1.Spinning || m1.NextP != 0 || m0.StopLocked || m0.P != None || s.NMIdleLocked() != 0 || r.Fatal != "" {
		t.Fatalf("stoplockedm: handed off %v, M0 on P%d, nmidlelocked %d, fatal %q: want P0 handed off, the count back at 0\n%s",
			r.HandedOff, m0.P, s.NMIdleLocked(), r.Fatal, s.Dump())
	}
	if got := Branches(Op{Kind: OpStoplockedm, M: 0}, sr, nil); !slices.Contains(got, "stoplockedm/handoffp") || !slices.Contains(got, "stoplockedm/store") {
		t.Fatalf("branches %v: want stoplockedm/handoffp and stoplockedm/store", got)
	}
	if got := Branches(Op{Kind: OpStartm, M: 0}, r, nil); !slices.Contains(got, "startm/handoffp-spin") {
		t.Fatalf("branches %v: want startm/handoffp-spin", got)
	}
	r = step(t, s, Op{Kind: OpAcquireP, M: 0, P: 1})
	if r.G != 0 || m0.Curg != 0 || s.Gs[0].Status != Running {
		t.Fatalf("M0's acquirep of its nextp: G%d, M0 curg G%d, G0 %s; want G0 running on M0\n%s", r.G, m0.Curg, s.Gs[0].Status, s.Dump())
	}
}

// exitsyscallNoP (proc.go) of a locked M that finds no idle P
// puts its G on the global queue and unlocks; stoplockedm, whose
// incidlelocked(1) takes sched.lock again and runs checkdead, is the M's
// step of its own after it. In between the M holds no P and is not yet
// counted in nmidlelocked, and another M may take the G and startlockedm
// it back: nmidlelocked is then -1 until the stoplockedm. Before, the
// spec folded the incidlelocked(1) into the exitsyscall step, so the
// startlockedm always came after it.
func TestExitsyscallNoPLockedStoplockedm(t *testing.T) {
	s := newState(t, "small", 1, 2)
	step(t, s, Op{Kind: OpLockOSThread, M: 0})
	retakeP0(t, s) // handoffp: no idle P, no spinning M: P0 to M1, spinning
	m0, m1 := &s.Ms[0], &s.Ms[1]
	step(t, s, Op{Kind: OpAcquireP, M: 1, P: 0})
	running := s.RunningMs()
	r := step(t, s, Op{Kind: OpExitSyscall, M: 0, P: None, N: int8(ExitNoP)})
	if r.Fatal != "" || !m0.StopLocked || m0.Parked || s.NMIdleLocked() != 0 || s.RunningMs() != running || len(s.Sched.Runq) != 1 {
		t.Fatalf("exitsyscall nop of a locked M: fatal %q, M0 owes stoplockedm %v, nmidlelocked %d, running %d (was %d): want G0 queued, stoplockedm owed, M0 still counted running\n%s",
			r.Fatal, m0.StopLocked, s.NMIdleLocked(), s.RunningMs(), running, s.Dump())
	}
	for _, op := range s.Enabled(DefaultBounds(1), nil) {
		if op.M == 0 && op.Kind != OpStoplockedm {
			t.Fatalf("enabled %v: M0 owes its stoplockedm first", op)
		}
	}
	// M1 runs first: it takes G0 from the global queue (its P's tick),
	// and hands it and P0 back to M0.
	step(t, s, Op{Kind: OpSchedule, M: 1, Source: SrcGlobal})
	wakepSteps(t, s, 1)
	if m1.Handing != None {
		step(t, s, Op{Kind: OpStartlockedm, M: 1})
	}
	if m0.NextP != 0 || !m0.StopLocked {
		t.Fatalf("startlockedm in the window: M0 nextp P%d: want P0\n%s", m0.NextP, s.Dump())
	}
	if n := s.NMIdleLocked(); n != -1 {
		t.Fatalf("nmidlelocked = %d between startlockedm and stoplockedm, want -1", n)
	}
	step(t, s, Op{Kind: OpStopm, M: 1})
	r = step(t, s, Op{Kind: OpStoplockedm, M: 0})
	if r.HandedOff || s.NMIdleLocked() != 0 || r.Fatal != "" {
		t.Fatalf("stoplockedm: handed off %v, nmidlelocked %d, fatal %q: want no handoff (no P), the count back at 0\n%s", r.HandedOff, s.NMIdleLocked(), r.Fatal, s.Dump())
	}
	r = step(t, s, Op{Kind: OpAcquireP, M: 0, P: 0})
	if r.G != 0 || m0.Curg != 0 || s.Gs[0].Status != Running {
		t.Fatalf("M0's acquirep of its nextp: G%d, M0 curg G%d, G0 %s; want G0 running on M0\n%s", r.G, m0.Curg, s.Gs[0].Status, s.Dump())
	}
}
