package spec

import (
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
