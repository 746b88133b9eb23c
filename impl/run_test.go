package impl

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

func cfgFor(t testing.TB, preset string, ps, ms int, mode Mode, seed int64) Config {
	c, err := Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	return Config{Consts: c, Ps: ps, Ms: ms, Mode: mode, Seed: seed}
}

func mustRun(t testing.TB, cfg Config, w Workload) *Result {
	t.Helper()
	res, err := Run(cfg, w)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// checkClean: no throw, no violation, invariants hold.
func checkClean(t testing.TB, what string, res *Result) {
	t.Helper()
	if res.Throw != "" {
		t.Fatalf("%s: throw %q", what, res.Throw)
	}
	if len(res.Violations) != 0 {
		t.Fatalf("%s: violations %v", what, res.Violations)
	}
	if res.TimedOut {
		t.Fatalf("%s: timed out", what)
	}
	if errs := res.Snapshot.Check(); len(errs) != 0 {
		t.Fatalf("%s: %v", what, errs)
	}
}

// conservation: len(allgs) = live + local free + global free.
func conservation(sn Snapshot) error {
	live := 0
	for _, g := range sn.Gs {
		if g.Status != "dead" {
			live++
		}
	}
	free := len(sn.GFreeStack) + len(sn.GFreeNoStack)
	for _, p := range sn.Ps {
		free += len(p.GFree)
	}
	if len(sn.Gs) != live+free {
		return fmt.Errorf("len(allgs) = %d, live %d + free %d", len(sn.Gs), live, free)
	}
	return nil
}

// A spawn/exit workload that ends with every child gone: main parks
// until the last of n children readies it... simpler: children exit, main
// yields until they are all done by parking on a counter object.
func spawnExitAll(n, batch int) Workload {
	w := SpawnExit(n, batch, 1)
	return w
}

func TestStressSpawnExit(t *testing.T) {
	for _, mode := range []Mode{FreeRunning, Deterministic} {
		for _, ms := range []int{2, 3, 4} {
			for _, preset := range []string{"small", "go"} {
				cfg := cfgFor(t, preset, min(ms, 3), ms, mode, int64(ms))
				n := 3000
				if mode == Deterministic {
					n = 1500
				}
				res := mustRun(t, cfg, spawnExitAll(n, 20))
				what := fmt.Sprintf("%v/%s/ms=%d", mode, preset, ms)
				checkClean(t, what, res)
				if err := conservation(res.Snapshot); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if res.Ops["exit"] < n {
					t.Logf("%s: %d exits (main returned first)", what, res.Ops["exit"])
				}
				if res.Snapshot.Terminal != "main returned" {
					t.Fatalf("%s: terminal %q fatal %q", what, res.Snapshot.Terminal, res.Fatal)
				}
			}
		}
	}
}

// TestGeneratedNoThrow: random workloads with no fault never throw and
// always leave a consistent state.
func TestGeneratedNoThrow(t *testing.T) {
	runs := 1500
	if testing.Short() {
		runs = 200
	}
	for i := 0; i < runs; i++ {
		r := rand.New(rand.NewPCG(uint64(i), 7))
		mode := Deterministic
		if i%3 == 0 {
			mode = FreeRunning
		}
		ps, ms := 1+r.IntN(3), 1+r.IntN(4)
		wasm := i%17 == 0
		if wasm {
			ps, ms = 1, 1 // wasm's one thread
		}
		w := Generate(r, GenOptions{Controller: r.IntN(3), Retakes: r.IntN(4), MainGoexit: r.IntN(4) == 0, NoLockInt: true, ProcsLimit: ps})
		cfg := cfgFor(t, []string{"small", "go"}[i%2], ps, ms, mode, int64(i))
		cfg.Record = i%5 == 0
		cfg.Wasm = wasm
		res := mustRun(t, cfg, w)
		what := fmt.Sprintf("run %d (%v ps=%d ms=%d wasm=%v) %s", i, mode, ps, ms, cfg.Wasm, w)
		checkClean(t, what, res)
		if err := conservation(res.Snapshot); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
}

// TestSnapshotEvery: in atomic-op mode the invariants hold after every op
// and there is one snapshot per event.
func TestSnapshotEvery(t *testing.T) {
	for i := 0; i < 60; i++ {
		r := rand.New(rand.NewPCG(uint64(i), 9))
		w := Generate(r, GenOptions{Controller: 2, Retakes: 2, NoLockInt: true, ProcsLimit: 2})
		cfg := cfgFor(t, "small", 2, 3, Deterministic, int64(i))
		cfg.Record, cfg.SnapshotEvery = true, true
		res := mustRun(t, cfg, w)
		checkClean(t, w.String(), res)
		if len(res.Snapshots) != len(res.History) {
			t.Fatalf("%d snapshots for %d events", len(res.Snapshots), len(res.History))
		}
		for j, sn := range res.Snapshots {
			if errs := sn.Check(); len(errs) != 0 {
				t.Fatalf("%s: after event %d (%v): %v", w, j, res.History[j], errs)
			}
			if j > 0 && res.History[j].Call < res.History[j-1].Return {
				t.Fatalf("ops overlap in atomic mode: %v %v", res.History[j-1], res.History[j])
			}
		}
	}
}

func TestDeterminism(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	w := Generate(r, GenOptions{MaxSteps: 8, Controller: 2, Retakes: 3, NoLockInt: true, ProcsLimit: 3})
	w.Main.Steps = append(SpawnExit(200, 7, 2).Main.Steps, w.Main.Steps...)
	run := func(seed int64, choices []int) *Result {
		cfg := cfgFor(t, "small", 3, 4, Deterministic, seed)
		cfg.Record, cfg.Choices = true, choices
		return mustRun(t, cfg, w)
	}
	a, b := run(42, nil), run(42, nil)
	if !reflect.DeepEqual(a.History, b.History) || !reflect.DeepEqual(a.Snapshot, b.Snapshot) {
		t.Fatal("same seed, different histories")
	}
	c := run(43, nil)
	if reflect.DeepEqual(a.History, c.History) {
		t.Fatal("different seeds, same history")
	}
	// Explicit choices replay exactly too, and steer the run.
	ch := []int{1, 0, 2, 3, 1, 1, 0, 2, 2, 1, 3, 0}
	d, e := run(5, ch), run(5, ch)
	if !reflect.DeepEqual(d.History, e.History) {
		t.Fatal("same choices, different histories")
	}
	if len(a.History) == 0 || a.History[0].Call != 1 {
		t.Fatalf("history starts at %v", a.History[:1])
	}
}

// TestRacesReachable: the deterministic schedule reaches the interesting
// interleavings (CAS retries, runnext lost to a thief, steals).
func TestRacesReachable(t *testing.T) {
	want := map[string]bool{"casretry": false, "runnextlost": false, "steal": false, "stealnext": false,
		"runqputslow": false, "spill": false, "refill": false, "startlockedm": false, "exitsyscall-nop": false, "mexit": false,
		"exitsyscall-oldp": false, "exitsyscall-nop-idle": false}
	w := SpawnExit(300, 9, 3)
	for seed := int64(0); seed < 40; seed++ {
		res := mustRun(t, cfgFor(t, "small", 3, 4, Deterministic, seed), w)
		checkClean(t, "races", res)
		for k := range want {
			if res.Branches[k] > 0 {
				want[k] = true
			}
		}
	}
	// Locked threads, syscalls and retake.
	locked := Workload{Main: Prog(
		Go(Prog(Lock(), ParkOn(0), Sys(), Ret())),
		Go(Prog(Lock(), Sys(), Yield(), Ret())),
		Yield(), ReadyOn(0), Sys(), Yield(), Yield(), Yield(), Yield(), Yield(), Yield()), Retakes: 10}
	for seed := int64(0); seed < 200; seed++ {
		res := mustRun(t, cfgFor(t, "small", 2, 3, Deterministic, seed), locked)
		checkClean(t, "locked", res)
		for k := range want {
			if res.Branches[k] > 0 {
				want[k] = true
			}
		}
	}
	// Syscalls on every G with sysmon retaking: exitsyscall takes its
	// old P back from a thread in a syscall, and exitsyscallNoP's own
	// pidleget finds a P idled after exitsyscallTryGetP looked. The old
	// P comes back in few schedules (2 of 2,000 seeds once handoffp's
	// read of sched.runq got a scheduling point of its own; 7 before;
	// once runqput and runqgrab got theirs, the first is seed 2,005 and
	// the idle P of exitsyscallNoP's pidleget seed 2,422: 16 of 8,000).
	sys := Prog(Sys(), Sys(), Yield(), Sys(), Sys())
	syscalls := Workload{Main: Prog(Go(sys), Go(sys), Sys(), Sys(), Yield(), Sys(), Sys()), Retakes: 20}
	for seed := int64(0); seed < 6000; seed++ {
		res := mustRun(t, cfgFor(t, "small", 2, 3, Deterministic, seed), syscalls)
		checkClean(t, "syscalls", res)
		for k := range want {
			if res.Branches[k] > 0 {
				want[k] = true
			}
		}
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("branch %s never reached", k)
		}
	}
}

func TestMainGoexitDeadlock(t *testing.T) {
	w := Workload{Main: Prog(Go(Prog(Yield())), Exit())}
	for _, mode := range []Mode{FreeRunning, Deterministic} {
		res := mustRun(t, cfgFor(t, "small", 2, 2, mode, 1), w)
		if res.Fatal != fatalGoexitDeadlock || res.Snapshot.Terminal != "goexit deadlock" || !res.Snapshot.MainGoexit {
			t.Errorf("%v: fatal %q terminal %q", mode, res.Fatal, res.Snapshot.Terminal)
		}
	}
	// All asleep.
	// All asleep: the M that goes idle last runs checkdead (mput).
	res := mustRun(t, cfgFor(t, "small", 1, 2, Deterministic, 1), Workload{Main: Prog(ParkOn(0))})
	if res.Deadlock || res.Fatal != fatalAllAsleep || res.Snapshot.Terminal != "all asleep" {
		t.Errorf("deadlock %v fatal %q terminal %q", res.Deadlock, res.Fatal, res.Snapshot.Terminal)
	}
}

func TestLockedExitM0Wedged(t *testing.T) {
	// Main locks and Goexits: m0 is wedged, the child still runs on M1.
	w := Workload{Main: Prog(Go(Prog(Yield(), Yield())), Lock(), Exit())}
	res := mustRun(t, cfgFor(t, "small", 1, 2, Deterministic, 1), w)
	if !res.Snapshot.Ms[0].Wedged || res.Fatal != fatalGoexitDeadlock {
		t.Errorf("M0 %+v fatal %q branches %v", res.Snapshot.Ms[0], res.Fatal, res.Branches)
	}
	// A locked child exits: its M exits.
	w = Workload{Main: Prog(Go(Prog(Lock())), Yield(), Yield(), Yield())}
	for seed := int64(0); seed < 20; seed++ {
		res = mustRun(t, cfgFor(t, "small", 2, 3, Deterministic, seed), w)
		checkClean(t, "locked child", res)
		if res.Branches["mexit"] == 1 {
			return
		}
	}
	t.Error("no mexit")
}

func TestRecordFields(t *testing.T) {
	cfg := cfgFor(t, "small", 1, 1, Deterministic, 1)
	cfg.Record = true
	// P0 starts at schedtick 0: the first schedule after main yields is
	// the tick pick of the global queue (main again), then runnext.
	res := mustRun(t, cfg, Workload{Main: Prog(Go(Prog()), Yield(), Yield())})
	var ops []string
	for _, e := range res.History {
		ops = append(ops, e.Op)
		if e.Return <= e.Call {
			t.Errorf("bad stamps %v", e)
		}
	}
	// Each op that makes a G runnable is followed by its wakep: the CAS
	// of nmspinning, then its sched.lock section (here with no idle P:
	// nothing to wake).
	want := []string{"newproc1", "runqput", "wakep", "wakepstartm", "gosched", "wakep", "wakepstartm", "schedule", "gosched", "wakep", "wakepstartm",
		"schedule", "exit", "schedule", "exit"}
	if !reflect.DeepEqual(ops, want) {
		t.Fatalf("ops %v, want %v", ops, want)
	}
	np := res.History[0]
	if np.Out.G != 1 || np.Out.Goid != 2 || np.Out.How != "malg" || np.Out.Stack != "allocated" {
		t.Errorf("newproc1 %+v", np.Out)
	}
	if s := res.History[7]; s.Out.Source != "tick" || s.Out.G != 0 {
		t.Errorf("schedule %+v", s.Out)
	}
	if s := res.History[11]; s.Out.Source != "runnext" || s.Out.G != 1 {
		t.Errorf("schedule 2 %+v", s.Out)
	}
	if s := res.History[13]; s.Out.Source != "global" || s.Out.G != 0 {
		t.Errorf("schedule 3 %+v", s.Out)
	}
}

// A recording run that reaches MaxOps ends timed out with a bounded
// history: a livelocked implementation (Ms taking and dropping Ps
// forever) cannot exhaust memory with its record. Deterministic: at
// exactly MaxOps; free-running: when an actor made its share (MaxOps over
// the actors), so within MaxOps, the other actors' ops in flight aside.
func TestMaxOpsEndsRun(t *testing.T) {
	for _, mode := range []Mode{Deterministic, FreeRunning} {
		cfg := cfgFor(t, "small", 2, 2, mode, 1)
		cfg.Record, cfg.MaxOps = true, 20
		res := mustRun(t, cfg, SpawnExit(200, 9, 3))
		lo := 20
		if mode == FreeRunning {
			lo = 20 / 3 // M0, M1 and sysmon; the main M makes most ops
		}
		if !res.TimedOut || len(res.History) < lo || len(res.History) > 20+8 {
			t.Fatalf("%v: timed out %v with %d ops recorded, want a timeout within 20", mode, res.TimedOut, len(res.History))
		}
		cfg.MaxOps = 0
		if res := mustRun(t, cfg, SpawnExit(200, 9, 3)); res.TimedOut || len(res.History) <= 20 {
			t.Fatalf("%v: default MaxOps: timed out %v with %d ops", mode, res.TimedOut, len(res.History))
		}
	}
}

// TestRaceStressFree is the race detector's look at the implementation:
// free-running Ms (goroutines on real threads) that synchronize only
// through impl's own locks and atomics, as the runtime's Ms do, run
// generated workloads (spawn, park/ready, syscalls with sysmon's retakes,
// LockOSThread, procresize, GC) with recording off and on. make test runs
// it under -race. Deterministic mode cannot stand in for it: its driver
// hands a token to one actor at a time over channels, which orders every
// actor's accesses after the previous actor's, edges the runtime does not
// have, so the detector could never fire there.
func TestRaceStressFree(t *testing.T) {
	runs := 1000
	if testing.Short() {
		runs = 30
	}
	ops := 0
	for _, record := range []bool{false, true} {
		for i := 0; i < runs; i++ {
			r := rand.New(rand.NewPCG(uint64(i), 11))
			// Up to 4 Ps and 6 Ms: with several Ms exited and Ps
			// pending for newm at once, a lost wakeup showed at 4 Ps
			// and 6 Ms that 3 and 4 never met.
			ps, ms := 2+r.IntN(3), 3+r.IntN(4)
			w := Generate(r, GenOptions{MaxSteps: 16, MaxDepth: 4, Controller: r.IntN(3), Retakes: r.IntN(4), NoLockInt: true, ProcsLimit: ps})
			cfg := cfgFor(t, "small", ps, ms, FreeRunning, int64(i))
			cfg.Record = record
			res := mustRun(t, cfg, w)
			what := fmt.Sprintf("record=%v run %d (ps=%d ms=%d) %s", record, i, ps, ms, w)
			checkClean(t, what, res)
			if record && len(res.History) == 0 {
				t.Fatalf("%s: recording on, no history", what)
			}
			ops += res.Steps
			if res.Rescued != 0 {
				t.Errorf("record=%v run %d: %d wakeups came from the safety net, not from the op that made the condition true", record, i, res.Rescued)
			}
		}
	}
	t.Logf("%d ops in %d free-running runs", ops, 2*runs)
}

// TestRescueCountsLostWakeup is the control of TestRaceStressFree's rescue
// check: with startm's notewakeup dropped (fault startm-wakeup-lost), an M
// given a P sleeps on until the safety net wakes it, and Result.Rescued
// counts it.
func TestRescueCountsLostWakeup(t *testing.T) {
	// Without the polling, an M given a P is asleep by then.
	spinPolls = 0
	defer func() { spinPolls = 32 }()
	rescued := 0
	for i := 0; i < 200 && rescued == 0; i++ {
		r := rand.New(rand.NewPCG(uint64(i), 12))
		w := Generate(r, GenOptions{MaxSteps: 16, MaxDepth: 4, NoLockInt: true, ProcsLimit: 2})
		cfg := cfgFor(t, "small", 2, 3, FreeRunning, int64(i))
		cfg.Faults = []string{"startm-wakeup-lost"}
		res := mustRun(t, cfg, w)
		rescued += res.Rescued
	}
	if rescued == 0 {
		t.Fatal("startm's wakeups dropped, yet no run needed the safety net: the rescue count cannot see a lost wakeup")
	}
}
