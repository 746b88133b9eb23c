package spec

import (
	"slices"
	"strings"
	"testing"
)

func invariant(t *testing.T, name string) *Invariant {
	t.Helper()
	for i := range Invariants {
		if Invariants[i].Name == name {
			return &Invariants[i]
		}
	}
	t.Fatalf("no invariant %s", name)
	return nil
}

func fires(t *testing.T, s *State, name string) {
	t.Helper()
	if err := invariant(t, name).Check(s); err == nil {
		t.Fatalf("%s holds on a planted violation:\n%s", name, s.Dump())
	}
}

func holds(t *testing.T, s *State, name string) {
	t.Helper()
	if err := invariant(t, name).Check(s); err != nil {
		t.Fatalf("%s fails: %v\n%s", name, err, s.Dump())
	}
}

// runtimeLegal: a state the runtime itself reaches (its own code and
// comments say so) breaks only the scoped invariant named, which the spec
// still checks, and no runtime fact.
func runtimeLegal(t *testing.T, s *State, scoped ...string) {
	t.Helper()
	for _, name := range scoped {
		if inv := invariant(t, name); inv.Scope == "" {
			t.Fatalf("%s is stated as a runtime fact", name)
		}
	}
	if v := s.CheckRuntimeFacts(); v != nil {
		t.Fatalf("a state the runtime reaches breaks the runtime fact %s: %s\n%s", v.Invariant, v.Detail, s.Dump())
	}
	var got []string
	for _, v := range s.AllViolations() {
		got = append(got, v.Invariant)
	}
	if !slices.Equal(got, scoped) {
		t.Fatalf("the invariants broken are %v, want the scoped %v\n%s", got, scoped, s.Dump())
	}
}

// A running main on P0 with one more G spawned: a clean state for the
// plantings below.
func cleanState(t *testing.T) *State {
	t.Helper()
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0) // G1 in P0's runnext
	settle(t, s)
	if v := s.CheckRuntimeFacts(); v != nil {
		t.Fatal(v)
	}
	return s
}

// bgScanCredit: gcAssistAlloc's racy steal can take it below 0
// (mgcmark.go:572-577), so only the spec, which has no steals, keeps it
// non-negative. A dead G's unflushed credit while marking is legal in the
// runtime too: gcResetMarkState runs before gcStart's stop-the-world, and
// an assist rescheduled in debt can steal credit after it and its G exit
// before gcBlackenEnabled = 1 (a review found the order); the spec, whose
// reset is the stop-the-world's action and which has no steals, keeps it.
func TestInvariantAssistCredit(t *testing.T) {
	s := cleanState(t)
	s.Sched.BgScanCredit = -3
	holds(t, s, "AssistCreditFlushed")
	fires(t, s, "BgScanCreditNonNegative")
	runtimeLegal(t, s, "BgScanCreditNonNegative")

	s = cleanState(t)
	do(t, s, Op{Kind: OpGC, M: Controller, N: 1})
	s.Gs = append(s.Gs, G{Goid: 50, Status: Dead, Stack: StackMin, M: None, LockedM: None, GCAssist: 1})
	s.Ps[0].GFree, s.Ps[0].GFreeSize = append(s.Ps[0].GFree, 2), s.Ps[0].GFreeSize+1
	fires(t, s, "AssistCreditFlushed")
	runtimeLegal(t, s, "AssistCreditFlushed")
	s.Sched.GCBlacken = false // not marking: gdestroy does not flush
	holds(t, s, "AssistCreditFlushed")
}

// ngsys: a Goexit from a finalizer leaves it one too high, an extra M's
// _Gdeadextra G is counted (proc.go:2544): legal in the runtime, a bug in
// the spec.
func TestInvariantNGSys(t *testing.T) {
	s := cleanState(t)
	s.Sched.NGSys++
	fires(t, s, "NGSysCount")
	runtimeLegal(t, s, "NGSysCount")
}

// A current G waiting in place (casGToWaitingForSuspendG in
// gcAssistAlloc1 or stopTheWorldWithSema) keeps curg and gp.m.
func TestInvariantInPlaceWait(t *testing.T) {
	s := cleanState(t)
	s.Gs[0].Status = Waiting
	holds(t, s, "CurgLinks")
	holds(t, s, "OffCPUGsHaveNoM")
	fires(t, s, "NoInPlaceWaits")
	runtimeLegal(t, s, "NoInPlaceWaits")

	// Planted: a waiting G keeps an M it is not the curg of.
	s = cleanState(t)
	do(t, s, Op{Kind: OpPark, M: 0})
	s.Gs[0].M = 1
	fires(t, s, "OffCPUGsHaveNoM")
	fires(t, s, "CurgLinks")
	// Planted: a runnable G keeps its M (dropg forgotten by goschedImpl).
	s = cleanState(t)
	do(t, s, Op{Kind: OpGosched, M: 0})
	s.Gs[0].M = 0
	fires(t, s, "OffCPUGsHaveNoM")
	// Planted: a dead G stays the M's curg (gdestroy without dropg).
	s = cleanState(t)
	s.Gs[0].Status = Dead
	fires(t, s, "CurgLinks")
	fires(t, s, "OffCPUGsHaveNoM")
}

// exitsyscall's window in Go 1.26: _Grunning before the M has a P
// (proc.go:4912-4919).
func TestInvariantRunningWithoutP(t *testing.T) {
	s := cleanState(t)
	do(t, s, Op{Kind: OpEnterSyscall, M: 0})
	do(t, s, Op{Kind: OpRetake, M: Sysmon, P: 0}) // P0 handed off
	s.Gs[0].Status = Running                      // the CAS of exitsyscall, no P yet
	holds(t, s, "RunningHasM")
	fires(t, s, "RunningHasP")
	runtimeLegal(t, s, "RunningHasP")

	// Planted: a running G with no M (execute without gp.m).
	s = cleanState(t)
	s.Gs[0].M = None
	s.Ms[0].Curg = None
	fires(t, s, "RunningHasM")
}

// A runnable G on no queue: runqputslow's batch between its CAS and the
// global queue, or a locked G handed over by startlockedm.
func TestInvariantRunnableOffQueue(t *testing.T) {
	s := cleanState(t)
	holds(t, s, "RunnableGsQueued")
	s.Ps[0].Runnext = None // G1 taken off the queue, not yet on another
	fires(t, s, "RunnableGsQueued")
	runtimeLegal(t, s, "RunnableGsQueued")

	// Control: newproc's newg, between newproc1 and runqput, is held.
	s = cleanState(t)
	do(t, s, Op{Kind: OpGoidRefill, M: 0})
	do(t, s, Op{Kind: OpNewproc1, M: 0})
	holds(t, s, "RunnableGsQueued")
}

// Every scoped invariant says why it holds in the spec and cites where the
// runtime departs from it; names are unique.
func TestInvariantScopes(t *testing.T) {
	seen := map[string]bool{}
	scoped := 0
	for _, inv := range Invariants {
		if seen[inv.Name] {
			t.Errorf("two invariants named %s", inv.Name)
		}
		seen[inv.Name] = true
		if inv.Source == "" {
			t.Errorf("%s cites nothing", inv.Name)
		}
		if inv.Scope == "" {
			continue
		}
		scoped++
		if !strings.Contains(inv.Scope, "spec") || !strings.Contains(inv.Scope, ".go:") {
			t.Errorf("%s: the scope neither names the spec's restriction nor cites the runtime: %q", inv.Name, inv.Scope)
		}
	}
	if scoped != 12 {
		t.Errorf("%d scoped invariants, want 12 (RunningHasP, RunningPHasM, NoInPlaceWaits, RunnableGsQueued, NGSysCount, NMSpinningCounts, BgScanCreditNonNegative, AssistCreditFlushed, IdlePsListed, GCStopPs, GlobalWorkWakesAnM, CheckdeadRan)", scoped)
	}
}

// Windows of the runtime that the spec's single steps hide (retake and
// handoffp are part of one step) break only scoped invariants, never a
// runtime fact.
func TestInvariantRuntimeWindows(t *testing.T) {
	// retake's takeP, then handoffp's CAS of nmspinning 0 -> 1 before its
	// startm (proc.go:6710-6715, 3152-3154): P0 is _Pidle off the idle
	// list with a G in its runnext, and nmspinning counts no M.
	s := newState(t, "small", 1, 2)
	spawn(t, s, 0) // G1 in P0's runnext; no idle P, so no wakeup
	do(t, s, Op{Kind: OpEnterSyscall, M: 0})
	s.Ms[0].P, s.Ps[0].M, s.Ps[0].Status = None, None, PIdle
	s.Sched.NMSpinning = 1
	runtimeLegal(t, s, "IdlePsListed", "NMSpinningCounts")
	// Planted: a P on the idle list with a queued G (pidleput's throw).
	if err := s.pidleput(0); err == nil {
		t.Fatal("pidleput of a P with a queued G")
	}
	s.Sched.Pidle = 0
	fires(t, s, "IdlePsHaveEmptyRunq")

	// sysmon's incidlelocked(-1) ... incidlelocked(1) around a running
	// P (proc.go:6683, 6720): the last M's mput found run == 1, so the
	// program goes on with no M running until sysmon's checkdead.
	s = newState(t, "small", 1, 1)
	do(t, s, Op{Kind: OpPark, M: 0})
	sched(t, s, 0, SrcIdle) // M0's stopm: checkdead ends the program
	if s.Sched.Terminal != AllAsleep {
		t.Fatalf("the last M stopped with main waiting: %s", s.Dump())
	}
	s.Sched.Terminal = Alive // sysmon's bracket: mput's checkdead saw run == 1
	runtimeLegal(t, s, "CheckdeadRan")

	// retake's takeP is releaseP(_Pidle): `s.pp.m = 0; s.mp.p = 0`, then
	// the status store (proc.go:6822-6824). Between them the P M0's
	// system call left is _Prunning with no M, and no M is inside an op.
	s = newState(t, "small", 1, 2)
	spawn(t, s, 0)
	do(t, s, Op{Kind: OpEnterSyscall, M: 0})
	s.Ms[0].P, s.Ps[0].M = None, None
	runtimeLegal(t, s, "RunningPHasM")
	holds(t, s, "POwnership")
	// Planted: only one of the links cleared.
	s.Ms[0].P = 0
	fires(t, s, "POwnership")
}

// The idle P list: a P on it is _Pidle and on it once (a runtime fact);
// an idle P off it is the runtime's transient window between releasep and
// pidleput (findRunnable's tail, proc.go:3616-3619), which the spec's
// steps never show.
func TestInvariantIdleList(t *testing.T) {
	s := cleanState(t) // 2 Ps: P1 idle, on the list
	holds(t, s, "IdleListIdle")
	holds(t, s, "IdlePsListed")

	// Planted: the running P0 on the idle list.
	s = cleanState(t)
	s.Ps[0].Link, s.Sched.Pidle = s.Sched.Pidle, 0
	fires(t, s, "IdleListIdle")
	// Planted: a cycle (pidleput of a P already on the list).
	s = cleanState(t)
	s.Ps[1].Link = 1
	fires(t, s, "IdleListIdle")
	// Planted: a link out of range.
	s = cleanState(t)
	s.Ps[1].Link = 7
	fires(t, s, "RefsInRange")

	// findRunnable found nothing: releasep has made P0 _Pidle, pidleput
	// has not run yet.
	s = newState(t, "small", 2, 2)
	do(t, s, Op{Kind: OpPark, M: 0})
	s.Ms[0].P, s.Ps[0].M, s.Ps[0].Status = None, None, PIdle
	fires(t, s, "IdlePsListed")
	runtimeLegal(t, s, "IdlePsListed")
	// Planted: a stale link off the list.
	s = cleanState(t)
	s.Ps[0].Link = 1
	fires(t, s, "IdlePsListed")
}

// GlobalWorkWakesAnM, on the path the explorer found for a spinning M
// that skips findRunnable's recheck: M1, spinning, idles P1 and
// stops; main goscheds onto the global queue in between, and M0's wakep
// sees M1 still counted in nmspinning. Once M1 drops its spinning, the
// work waits with P1 idle and M1 free: only M1's recheck, owed, is on its
// way. Planted: the recheck skipped (M1 goes to stopm) breaks the
// invariant; the spec's recheck takes the work.
func TestGlobalWorkWakesAnM(t *testing.T) {
	s := newState(t, "small", 2, 2)
	spawn(t, s, 0) // G1 in P0's runnext; its wakep starts M1 spinning with P1
	do(t, s, Op{Kind: OpAcquireP, M: 1, P: 1})
	sched(t, s, 1, SrcIdle) // M1, spinning, finds nothing and idles P1
	if r := do(t, s, Op{Kind: OpGosched, M: 0}); r.Woke {
		t.Fatal("gosched's wakep woke an M while M1 spins")
	}
	do(t, s, Op{Kind: OpStopSpinning, M: 1})
	if len(s.Sched.Runq) != 1 || s.Sched.Pidle != 1 || s.Sched.NMSpinning != 0 || !s.Ms[1].Recheck {
		t.Fatalf("not the state under test:\n%s", s.Dump())
	}
	if err := checkGlobalWorkWakesAnM(s, nil); err != nil {
		t.Fatalf("with M1's recheck owed: %v", err)
	}
	planted := s.Clone()
	planted.Ms[1].Recheck, planted.Ms[1].Stopping = false, true
	if _, err := planted.Apply(Op{Kind: OpStopm, M: 1}); err != nil || planted.Sched.Midle != 1 {
		t.Fatalf("M1's stopm: %v\n%s", err, planted.Dump())
	}
	if err := checkGlobalWorkWakesAnM(planted, nil); err == nil {
		t.Fatalf("the recheck skipped: the invariant holds\n%s", planted.Dump())
	}
	if v := planted.CheckInvariants(); v == nil || v.Invariant != "GlobalWorkWakesAnM" {
		t.Fatalf("the recheck skipped: %v", v)
	}
	do(t, s, Op{Kind: OpRecheck, M: 1, Source: SrcGlobal})
	if s.Ms[1].SpinP != 1 || len(s.Ps[1].Held) == 0 {
		t.Fatalf("the recheck did not take P1 and the global work:\n%s", s.Dump())
	}
}
