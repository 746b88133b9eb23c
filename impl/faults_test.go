package impl

import (
	"fmt"
	"strings"
	"testing"
)

type candidate struct {
	name   string
	preset string
	ps, ms int
	w      Workload
	// A fixed schedule (the branch corpus's case, testdata/branches.json
	// at the root: a branch the random schedules seldom reach): run
	// once, with this seed and these first picks, atomic or not.
	fixed   bool
	seed    int64
	choices []int
	atomic  bool
}

func candidates() []candidate {
	locked := Workload{Main: Prog(
		Go(Prog(Lock(), ParkOn(0), Sys(), Ret())),
		Go(Prog(Lock(), Sys(), Yield(), Ret())),
		Yield(), ReadyOn(0), Sys(), Yield(), Yield(), Yield(), Yield(), Yield(), Yield()), Retakes: 10}
	gc := Workload{Main: Prog(Go(Prog(AssistCredit(1), Yield(), Yield())), GoSystem(Prog(MakeDirty(), Yield())),
		Yield(), Yield(), Yield(), Yield(), Yield()),
		Controller: []CtlStep{{Kind: CtlGC, Arg: 1}}}
	stacks := SpawnExit(40, 4, 0)
	stacks.Main.Steps = append([]Step{Go(Prog(Grow())), Yield()}, stacks.Main.Steps...)
	// gcMarkDone sets startingStackSize (gcComputeStartingStackSize).
	stacks.Controller = []CtlStep{{Kind: CtlGC, Arg: 1, After: 20}, {Kind: CtlGC, Size: 4096, After: 30}}
	resize := SpawnExit(60, 6, 2)
	resize.Controller = []CtlStep{{Kind: CtlProcResize, Arg: 1, After: 40}, {Kind: CtlProcResize, Arg: 3, After: 80}}
	lockint := Workload{Main: Prog(Go(Prog(LockI(), Lock())), Yield(), Yield())}
	leaf := Prog()
	handoff := Workload{Main: Prog(Go(leaf), Go(leaf), Go(leaf), Lock(), ParkOn(0))}
	// sysmon retakes main's P in its syscall with no work left.
	syscall := Workload{Main: Prog(Sys(), Sys(), Yield(), Sys()), Retakes: 3}
	lockedLate := lockedLateWorkload
	// The resize comes while the leaves run: once main parks and the
	// Ms go idle, checkdead ends the program.
	purge := Workload{Main: Prog(Go(leaf), Go(leaf), Go(leaf), Go(leaf), Go(leaf), Go(leaf), Yield(), Yield(), ParkOn(0)),
		Controller: []CtlStep{{Kind: CtlProcResize, Arg: 1, After: 30}}}
	// main yields (globrunqput) while the M its spawn woke spins, finds
	// nothing and drops its P: the global queue's recheck matters.
	gosched := Workload{Main: Prog(Go(leaf), Yield(), Yield(), Yield(), Yield(), Yield(), Yield())}
	// goyield with a readied waiter in runnext, then with a full ring.
	goyield := Workload{Main: Prog(Go(Prog(ParkOn(0), GoYield())), GoYield(), ReadyOn(0), GoYield(),
		Go(leaf), Go(leaf), Go(leaf), Go(leaf), Go(leaf), GoYield(), GoYield())}
	// A locked main exits (mexit's handoffp) while the controller's
	// procresize stops the world: handoffp's section finds gcwaiting.
	gcstop := Workload{Main: Prog(Lock(), Exit()), Retakes: 2,
		Controller: []CtlStep{{Kind: CtlProcResize, Arg: 2, After: 3}, {Kind: CtlProcResize, Arg: 1, After: 1}}}
	// A GC cycle's stop-the-worlds while Gs are in syscalls: the
	// setBlockOnExitSyscall loop takes their Ps.
	stwsys := Workload{Main: Prog(Go(Prog(Sys(), Sys())), Sys(), Sys(), Yield(), Sys()),
		Controller: []CtlStep{{Kind: CtlGC, Arg: 1, After: 3}, {Kind: CtlGC, Arg: 0, After: 6}}}
	// One P: sysmon retakes it from main's syscall for the child, whose
	// syscall then holds it when main's exitsyscall takes its old P back.
	oldp := Workload{Main: Prog(Go(Prog(Sys(), Sys(), Sys())), Sys(), Sys(), Sys()), Retakes: 4}
	// Gs exit with their stacks onto the global list (procresize's
	// gfpurge), then a GC cycle's markrootFreeGStacks frees the stacks.
	markroot := Workload{Main: Prog(Go(Prog(Exit(), Go(leaf), Go(Prog(Yield(), ParkOn(1))), ReadyOn(1))), ParkOn(0), Exit()), Probes: 2,
		Controller: []CtlStep{{Kind: CtlProcResize, Arg: 1, After: 5}, {Kind: CtlGC, Arg: 1, After: 22}, {Kind: CtlGC, Arg: 0, After: 35}}}
	return []candidate{
		{name: "spawn", preset: "small", ps: 3, ms: 4, w: SpawnExit(100, 9, 3)},
		{name: "gosched", preset: "small", ps: 3, ms: 3, w: gosched},
		{name: "goyield", preset: "small", ps: 2, ms: 2, w: goyield},
		{name: "handoff", preset: "small", ps: 2, ms: 1, w: handoff},
		// With 3 Ps handoffp reaches its pidleput: one P idle, one
		// running (neither npidle == 0 nor the last running P).
		{name: "handoff3", preset: "small", ps: 3, ms: 2, w: handoff},
		{name: "syscall", preset: "small", ps: 2, ms: 2, w: syscall},
		{name: "purge", preset: "small", ps: 2, ms: 2, w: purge},
		{name: "stwsys", preset: "small", ps: 2, ms: 2, w: stwsys},
		// (2 seeds of the first 3,000 reach exitsyscall's oldp path.)
		{name: "oldp", preset: "small", ps: 1, ms: 2, w: oldp, fixed: true, seed: 1245},
		{name: "spawn-go", preset: "go", ps: 2, ms: 3, w: SpawnExit(400, 200, 1)},
		{name: "locked", preset: "small", ps: 2, ms: 3, w: locked},
		{name: "gc", preset: "small", ps: 2, ms: 2, w: gc},
		{name: "stacks", preset: "small", ps: 2, ms: 2, w: stacks},
		{name: "resize", preset: "small", ps: 3, ms: 3, w: resize},
		{name: "lockint", preset: "small", ps: 1, ms: 2, w: lockint},
		{name: "lockedlate", preset: "small", ps: 1, ms: 2, w: lockedLate},
		{name: "gcstop", preset: "small", ps: 2, ms: 1, w: gcstop, fixed: true, seed: 6, choices: []int{2, 2, 0, 2}, atomic: true},
		{name: "markroot", preset: "small", ps: 2, ms: 4, w: markroot, fixed: true, seed: 325, choices: []int{3, 0, 2, 1}, atomic: true},
	}
}

func fingerprint(res *Result) string {
	return fmt.Sprint(res.History, res.Snapshot, res.Snapshots, res.Throw, res.Fatal, res.Panic, res.Violations)
}

// differs looks for a run where switching the fault on changes what is
// observable (history, final state, throw, violations).
func differs(t *testing.T, fault string, atomic bool, seeds int, cands []candidate) (string, bool) {
	for _, c := range cands {
		for seed := int64(0); seed < int64(seeds); seed++ {
			cfg := cfgFor(t, c.preset, c.ps, c.ms, Deterministic, seed)
			cfg.Record, cfg.AtomicOps = true, atomic
			if c.fixed {
				if seed > 0 {
					break
				}
				cfg.Seed, cfg.Choices, cfg.AtomicOps = c.seed, c.choices, c.atomic
				// The state after every op, as the atomic mode's
				// differential sees it: a fault may leave no trace in
				// the final state (procresize rewrites what it broke).
				cfg.SnapshotEvery = c.atomic
			}
			base := mustRun(t, cfg, c.w)
			cfg.Faults = []string{fault}
			bad := mustRun(t, cfg, c.w)
			if fingerprint(base) != fingerprint(bad) {
				why := fmt.Sprintf("%s seed %d: throw %q panic %q violations %d", c.name, seed, bad.Throw, firstLine(bad.Panic), len(bad.Violations))
				if errs := bad.Snapshot.Check(); len(errs) > 0 {
					why += fmt.Sprintf(" check %v", errs[0])
				}
				return why, true
			}
		}
	}
	return "", false
}

var preferred = map[string]string{
	"handoff-loses-work": "handoff3", "handoff-last-p-idles": "syscall", "procresize-no-gfpurge": "purge", "assist-no-flush": "gc",
	"gdestroy-no-clear": "gc", "ngsys-no-dec": "gc", "gfget-freed-no-alloc": "stacks",
	"gfput-keep-wrong-stack": "stacks", "locked-int-no-throw": "lockint", "locked-no-mexit": "locked",
	"lockedext-cleared-early": "locked", "lockedm-read-late": "lockedlate",
	"global-not-rechecked": "gosched", "checkdead-premature": "handoff", "exitsyscall-prefers-oldp": "syscall",
	"spinning-with-local-work": "syscall", "gcstopm-keeps-spinning": "purge", "stw-no-wakep": "purge",
	"stw-preempt-to-global": "purge", "stw-preempted-runs-on": "purge", "goyield-wakes": "goyield",
	"exited-stays-dead": "locked", "stw-skips-syscalls": "stwsys", "exitsyscall-never-oldp": "oldp", "handoffp-gcstop-forgets-oldm": "gcstop", "markroot-push-to-stack-list": "markroot",
}

// lockedLateWorkload opens golang/go#46524's window with one P: sysmon
// retakes P0 from main's syscall for the child, main's exitsyscall finds
// no P and puts main on sched.runq, the child yields, and the other M
// takes main and main locks its thread at once.
var lockedLateWorkload = Workload{Main: Prog(Go(Prog(Yield(), Yield())), Sys(), Lock(), Yield()), Retakes: 2}

// TestLockedmReadLate: with the fault, some interleaving makes an M that
// is not locked call stoplockedm ("stoplockedm: inconsistent locking");
// without it, none does.
func TestLockedmReadLate(t *testing.T) {
	hit := ""
	for seed := int64(0); seed < 300; seed++ {
		cfg := cfgFor(t, "small", 1, 2, Deterministic, seed)
		cfg.Record = true
		if res := mustRun(t, cfg, lockedLateWorkload); res.Throw != "" || len(res.Snapshot.Check()) != 0 {
			t.Fatalf("seed %d without the fault: %q %v", seed, res.Throw, res.Snapshot.Check())
		}
		cfg.Faults = []string{"lockedm-read-late"}
		if res := mustRun(t, cfg, lockedLateWorkload); res.Throw == throwStoplockedm && hit == "" {
			hit = fmt.Sprintf("seed %d", seed)
		}
	}
	if hit == "" {
		t.Fatal("lockedm-read-late never threw in 300 seeds")
	}
	t.Log(hit)
}

func TestEveryFaultObservable(t *testing.T) {
	cands := candidates()
	for _, fi := range Faults() {
		t.Run(fi.Name, func(t *testing.T) {
			if fi.FreeOnly {
				t.Skip("free-running only: TestRescueCountsLostWakeup observes it")
			}
			// Try the candidate most likely to show the fault first.
			order := append([]candidate(nil), cands...)
			for i, c := range order {
				if c.name == preferred[fi.Name] {
					order[0], order[i] = order[i], order[0]
				}
			}
			why, ok := differs(t, fi.Name, false, 40, order)
			if !ok {
				t.Fatalf("fault %s changed nothing", fi.Name)
			}
			t.Log(why)
		})
	}
}

func TestGdestroyNoDeadThrows(t *testing.T) {
	w := SpawnExit(20, 4, 0)
	cfg := cfgFor(t, "small", 1, 1, Deterministic, 1)
	cfg.Faults = []string{"gdestroy-no-dead"}
	res := mustRun(t, cfg, w)
	if res.Throw != throwGfputStatus {
		t.Fatalf("gdestroy-no-dead: throw %q", res.Throw)
	}
}

// The window faults need a second M acting inside the op's window: with
// ops atomic (no scheduling point inside an op) they are invisible, with
// the intra-op scheduling points a seed shows them.
func TestInterleavingFaults(t *testing.T) {
	cands := candidates()[:2]
	for _, f := range []string{"spill-no-lock", "steal-no-cas", "runqget-no-cas"} {
		if why, ok := differs(t, f, true, 15, cands); ok {
			t.Errorf("%s observable with atomic ops: %s", f, why)
		}
		// A single M can never show it either.
		one := []candidate{{name: "one-m", preset: "small", ps: 1, ms: 1, w: SpawnExit(200, 9, 3)}}
		if why, ok := differs(t, f, false, 5, one); ok {
			t.Errorf("%s observable with one M: %s", f, why)
		}
		why, ok := differs(t, f, false, 60, cands)
		if !ok {
			t.Errorf("%s never observable", f)
		}
		t.Logf("%s: %s", f, why)
	}
	// runnext stolen but left set needs a thief (a second M).
	one := []candidate{{name: "one-m", preset: "small", ps: 2, ms: 1, w: SpawnExit(200, 9, 3)}}
	if why, ok := differs(t, "runnext-stolen-left-set", false, 5, one); ok {
		t.Errorf("runnext-stolen-left-set observable with one M: %s", why)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// runqputslow-no-lock loses a G another M put on the global queue between
// the unlocked read of its tail (right after runqputslow's CAS) and the
// write of the batch after it (runqputslowpush): some seed ends with a
// runnable G on no queue (or, once every M went idle, with checkdead's
// "checkdead: runnable g", the runtime's own sign of a lost G), and the
// same seeds are clean without the fault. The window spans the two ops,
// so atomic ops show it too; one M never does.
func TestRunqputslowNoLockLosesG(t *testing.T) {
	c := candidates()[0]
	lost := map[bool]string{}
	for seed := int64(0); seed < 30; seed++ {
		for _, atomic := range []bool{false, true} {
			cfg := cfgFor(t, c.preset, c.ps, c.ms, Deterministic, seed)
			cfg.Record, cfg.AtomicOps = true, atomic
			clean := mustRun(t, cfg, c.w)
			if errs := clean.Snapshot.Check(); len(errs) != 0 || clean.Throw != "" {
				t.Fatalf("seed %d without the fault: %v %q", seed, errs, clean.Throw)
			}
			cfg.Faults = []string{"runqputslow-no-lock"}
			res := mustRun(t, cfg, c.w)
			if res.Throw == throwCheckdeadRunnable && lost[atomic] == "" {
				lost[atomic] = fmt.Sprintf("seed %d: %s", seed, res.Throw)
			}
			for _, e := range res.Snapshot.Check() {
				if strings.Contains(e, "queued 0 times") && lost[atomic] == "" {
					lost[atomic] = fmt.Sprintf("seed %d: %s", seed, e)
				}
			}
		}
	}
	if lost[false] == "" || lost[true] == "" {
		t.Fatalf("runqputslow-no-lock lost no G in 30 seeds: %q (intra-op points), %q (atomic ops)", lost[false], lost[true])
	}
	t.Log(lost)
	one := []candidate{{name: "one-m", preset: "small", ps: 2, ms: 1, w: SpawnExit(200, 9, 3)}}
	if why, ok := differs(t, "runqputslow-no-lock", false, 5, one); ok {
		t.Errorf("runqputslow-no-lock observable with one M: %s", why)
	}
	// Free-running, the fault's two critical sections race with the
	// other Ms for real: under -race this shows the model is clean (a
	// G the fault lost may end the run in checkdead's throw).
	for seed := int64(0); seed < 4; seed++ {
		cfg := cfgFor(t, c.preset, c.ps, c.ms, FreeRunning, seed)
		cfg.Faults = []string{"runqputslow-no-lock"}
		if res := mustRun(t, cfg, c.w); res.Panic != "" || (res.Throw != "" && res.Throw != throwCheckdeadRunnable) || len(res.Violations) != 0 {
			t.Fatalf("free-running seed %d: panic %q throw %q", seed, firstLine(res.Panic), res.Throw)
		}
	}
}
