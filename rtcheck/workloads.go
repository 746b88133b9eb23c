package rtcheck

import (
	"embed"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// The workloads are small main programs under testdata/ (so go build ./...
// and go vet ./... of this module never compile them), embedded, and built
// in a temporary module with the instrumented runtime.
//
//go:embed testdata/workloads
var workloadFS embed.FS

// Workload is a bundled program run with the instrumented runtime.
type Workload struct {
	Name    string
	Summary string
	// Probes are the probes a run of it fires under every -procs value
	// at least 2 (its unit test checks them).
	Probes []Kind
	// Codes are branches (probe/code, as in Report.Codes) a run of it
	// fires under every -procs value: with -run all, a required branch
	// that never fires is a violation, as a probe that never fires is.
	Codes []string
	// GODEBUG is added to the run's environment.
	GODEBUG string
	// ExitCode and Fatal are the expected end: exit status and a fatal
	// error message in the output (goexit ends in checkdead's fatal error).
	ExitCode int
	Fatal    string
	// Finding, when set, is a known disagreement of the runtime with the
	// spec that the workload exists to show: its run must be a violation
	// whose problems contain Finding. Such a workload is not part of
	// -run all (which judges the runtime where the spec holds).
	Finding string
}

// Workloads lists the bundled workloads.
var Workloads = []Workload{
	{Name: "spawn", Summary: "spawn storms: free lists past 64 spill, bursts refill from the global lists",
		Probes: []Kind{KMalg, KGfput, KGfputSpill, KGfgetRefill, KNewproc1, KGoidBatch}},
	{Name: "stacks", Summary: "stacks grown past the starting size, adaptivestackstart changes: gfget's stale-size fix",
		Probes: []Kind{KGfput, KGfgetStale, KGfgetAlloc, KCheckdead, KStackSize}, GODEBUG: "adaptivestackstart=1"},
	{Name: "gc", Summary: "GC cycles during churn: markrootFreeGStacks moves Gs to noStack",
		Probes: []Kind{KGCFreeTake, KGCFreePut, KGfgetAlloc, KStackSize}},
	{Name: "steal", Summary: "stealing from rings and from runnext",
		Probes: []Kind{KRunqgrab, KRunqsteal, KRunqput, KRunqget, KFindRunnable, KWakep, KStartm, KStopm}},
	{Name: "runqputslow", Summary: "a ring overflows: runqputslow, global batches back",
		Probes: []Kind{KRunqputslow, KGlobrunqputbatch, KGlobrunqgetbatch, KRunqputbatch}},
	{Name: "locked", Summary: "goroutines exit locked to their threads: mexit",
		Probes: []Kind{KMexit, KHandoffp, KGdestroy}},
	{Name: "syscall", Summary: "short and blocking syscalls: exitsyscall's fast, idle-P and NoP paths",
		Probes: []Kind{KExitsyscallFast, KExitsyscallSlow, KExitsyscallNoP, KHandoffp, KGlobrunqput}},
	{Name: "procs", Summary: "GOMAXPROCS changes during churn: procresize, p.destroy, gfpurge",
		Probes: []Kind{KProcresize, KPDestroy, KGfpurge, KGlobrunqputhead, KGlobrunqget}},
	{Name: "pidle", Summary: "blocking syscalls under GOMAXPROCS 2: handoffp's last-P branch, exitsyscall's idle path, the idle list's LIFO order",
		Probes: []Kind{KPidleput, KPidleget, KHandoffp, KExitsyscallSlow, KStartm, KProcresize},
		Codes:  []string{"handoffp/lastp", "exitsyscall.slow/idle"}},
	{Name: "goexit", Summary: "main calls runtime.Goexit locked to m0: m0 wedged, checkdead's fatal error",
		Probes: []Kind{KMexit, KCheckdead}, ExitCode: 2, Fatal: "no goroutines (main called runtime.Goexit) - deadlock!"},
	{Name: "finalizer-goexit", Summary: "a finalizer and a cleanup call runtime.Goexit: the goroutines running them exit counted as user goroutines, and sched.ngsys stays too high (golang/go#71824; a finding, not in -run all)",
		Probes: []Kind{KGdestroyNgsys}, Finding: "NGSysCount"},
}

// requiredCodes are the branches of every workload's Codes.
func requiredCodes() []string {
	var out []string
	for _, w := range Workloads {
		out = append(out, w.Codes...)
	}
	return out
}

// LookupWorkload finds a workload by name.
func LookupWorkload(name string) (Workload, bool) {
	for _, w := range Workloads {
		if w.Name == name {
			return w, true
		}
	}
	return Workload{}, false
}

// WorkloadNames lists the workload names.
func WorkloadNames() []string {
	var out []string
	for _, w := range Workloads {
		out = append(out, w.Name)
	}
	return out
}

// writeWorkloadModule writes the named workloads as a module in dir, one
// main package per workload.
func writeWorkloadModule(dir string, names []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module gexitworkloads\n\ngo 1.26\n"), 0o644); err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		sub, err := fs.Sub(workloadFS, "testdata/workloads/"+name)
		if err != nil {
			return err
		}
		if err := os.CopyFS(filepath.Join(dir, name), sub); err != nil {
			return err
		}
	}
	return nil
}
