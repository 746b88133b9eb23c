package conform

import (
	"os"
	"reflect"
	"slices"
	"testing"
)

// checkRules runs each script and requires exactly the rules given (none
// for a control), with complete violations.
func checkRules(t *testing.T, tests []struct {
	name  string
	s     *script
	rules []string
}) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := check(tt.s.evs)
			if got := rules(r); !reflect.DeepEqual(got, tt.rules) {
				t.Errorf("rules %v, want %v\n%s", got, tt.rules, r.Text(true))
			}
			for _, v := range r.Violations {
				if v.Time == 0 || v.Transition == "" || v.Detail == "" {
					t.Errorf("incomplete violation %+v", v)
				}
			}
		})
	}
}

// twoPs: start, then P1 starts on M101 and G10 (created by G1) runs on it.
func twoPs() *script {
	return start().proc(1, ProcIdle, ProcRunning, -1, 101).
		g(10, GoNotExist, GoRunnable, 1, 0, 100).g(10, GoRunnable, GoRunning, -1, 1, 101)
}

// TestExecutorRules: the goroutine executing an event (Event.G) must be
// live, Running (on the event's P and thread) or in a syscall (on the
// event's thread); a goroutine's own transitions are executed by itself;
// time does not run backwards.
func TestExecutorRules(t *testing.T) {
	none := []string(nil)
	checkRules(t, []struct {
		name  string
		s     *script
		rules []string
	}{
		// executor-not-running
		{"exited goroutine creates", start().spawnRun(10).g(10, GoRunning, GoNotExist, 10, 0, 100).
			g(11, GoNotExist, GoRunnable, 10, 0, 100), []string{RuleExecutorNotRunning}},
		{"exited goroutine unblocks", start().spawnRun(10).g(10, GoRunning, GoNotExist, 10, 0, 100).
			g(1, GoWaiting, GoRunnable, 10, 0, 100), []string{RuleExecutorNotRunning}},
		{"exited goroutine executes an event", start().spawnRun(10).g(10, GoRunning, GoNotExist, 10, 0, 100).
			other(10, 0, 100), []string{RuleExecutorNotRunning}},
		{"exited extra-M goroutine executes", start().g(50, GoNotExist, GoSyscall, -1, -1, 300).
			g(50, GoSyscall, GoNotExist, 50, -1, 300).other(50, -1, 300), []string{RuleExecutorNotRunning}},
		{"unknown goroutine executes", start().other(42, 0, 100), []string{RuleExecutorNotRunning}},
		{"waiting goroutine executes", start().spawnRun(10).log(1, 0, 100, "x"), []string{RuleExecutorNotRunning}},
		{"runnable goroutine creates", start().g(10, GoNotExist, GoRunnable, 1, 0, 100).
			g(11, GoNotExist, GoRunnable, 10, 0, 100), []string{RuleExecutorNotRunning}},
		// foreign-transition
		{"goroutine blocked by another on another P", twoPs().g(10, GoRunning, GoWaiting, 1, 0, 100),
			[]string{RuleForeignTransition}},
		{"goroutine exits by no goroutine", start().spawnRun(10).g(10, GoRunning, GoNotExist, -1, 0, 100),
			[]string{RuleForeignTransition}},
		{"syscall exit by another goroutine", twoPs().g(10, GoRunning, GoSyscall, 10, 1, 101).
			g(10, GoSyscall, GoRunnable, 1, 0, 100), []string{RuleForeignTransition}},
		{"syscall exit by no goroutine", twoPs().g(10, GoRunning, GoSyscall, 10, 1, 101).
			g(10, GoSyscall, GoRunning, -1, 1, 101), []string{RuleForeignTransition}},
		// wrong-context
		{"goroutine exits on a P it does not run on", twoPs().g(10, GoRunning, GoNotExist, 10, 0, 100),
			[]string{RuleWrongContext}},
		{"goroutine executes on another thread", start().other(1, 0, 999).g(12, GoNotExist, GoRunnable, 1, 0, 999),
			[]string{RuleWrongContext}},
		{"syscall left on another thread", start().g(1, GoRunning, GoSyscall, 1, 0, 100).
			g(1, GoSyscall, GoRunning, 1, 0, 999), []string{RuleWrongContext}},
		{"re-stated Running on another P", start().proc(1, ProcIdle, ProcRunning, -1, 101).
			add(Event{Kind: KindSync, G: -1, P: -1, M: -1}).g(1, GoRunning, GoRunning, -1, 1, 101),
			[]string{RuleWrongContext}},
		{"re-stated Running on another thread", start().add(Event{Kind: KindSync, G: -1, P: -1, M: -1}).
			g(1, GoRunning, GoRunning, -1, 0, 999), []string{RuleWrongContext}},
		{"re-stated in a syscall on another thread", start().g(1, GoRunning, GoSyscall, 1, 0, 100).
			add(Event{Kind: KindSync, G: -1, P: -1, M: -1}).g(1, GoSyscall, GoSyscall, -1, -1, 999),
			[]string{RuleWrongContext}},
		// time-backwards
		{"time goes backwards", func() *script {
			s := start().spawnRun(10)
			s.evs[len(s.evs)-1].Time = 1
			return s
		}(), []string{RuleTimeBackwards}},

		// Controls: what real traces do.
		{"creator, unblocker and own transitions in place", start().spawnRun(10).
			g(1, GoWaiting, GoRunnable, 10, 0, 100).other(10, 0, 100).g(10, GoRunning, GoNotExist, 10, 0, 100).
			g(1, GoRunnable, GoRunning, -1, 0, 100).other(1, 0, 100), none},
		{"unblock and create with no goroutine", start().spawnRun(10).g(1, GoWaiting, GoRunnable, -1, -1, 102).
			g(11, GoNotExist, GoRunnable, -1, 0, 100), none},
		{"syscall: P taken, exit on another P", start().g(1, GoRunning, GoSyscall, 1, 0, 100).
			proc(0, ProcRunning, ProcIdle, -1, 101).
			add(Event{Kind: KindProc, Target: 1, From: uint8(ProcIdle), To: uint8(ProcRunning), G: 1, P: -1, M: 100}).
			g(1, GoSyscall, GoRunnable, 1, 1, 100).g(1, GoRunnable, GoRunning, -1, 1, 100).other(1, 1, 100), none},
		{"syscall status of another thread, then its exit", start().add(Event{Kind: KindSync, G: -1, P: -1, M: -1}).
			g(1, GoRunning, GoRunning, 1, 0, 100).
			g(20, GoUndetermined, GoSyscall, -1, 0, 200).other(1, 0, 100).
			add(Event{Kind: KindSync, G: -1, P: -1, M: -1}).g(20, GoSyscall, GoSyscall, 20, 0, 200).
			g(20, GoSyscall, GoRunnable, 20, -1, 200), none},
		{"equal timestamps", func() *script {
			s := start().spawnRun(10)
			s.evs[len(s.evs)-1].Time = s.evs[len(s.evs)-2].Time
			return s
		}(), none},
	})
}

// TestStatementPRules: a goroutine first stated Running (Undetermined ->
// Running) is held to the P rules wherever the statement comes, also in
// the burst after a Sync: the runtime writes that status from the
// goroutine's own thread, holding its P.
func TestStatementPRules(t *testing.T) {
	none := []string(nil)
	checkRules(t, []struct {
		name  string
		s     *script
		rules []string
	}{
		{"stated Running on a busy P mid-trace", start().g(1, GoRunning, GoWaiting, 1, 0, 100).
			g(1, GoWaiting, GoRunnable, -1, -1, 102).g(1, GoRunnable, GoRunning, -1, 0, 100).
			g(7, GoUndetermined, GoRunning, -1, 0, 100),
			[]string{RuleProcShared, RuleRunningExceedsProcs}},
		{"stated Running on a busy P after a Sync", start().g(7, GoUndetermined, GoRunning, -1, 0, 100),
			[]string{RuleProcShared}},
		// G1 runs on P0 and thread 100; the statement, on P1, says thread
		// 100 executes G1.
		{"stated Running on a thread that runs another goroutine", start().proc(1, ProcIdle, ProcRunning, -1, 100).
			g(7, GoUndetermined, GoRunning, 1, 1, 100), []string{RuleProcShared, RuleWrongContext}},
		{"stated Running with no P", start().g(7, GoUndetermined, GoRunning, -1, -1, 105).
			g(7, GoRunning, GoNotExist, 7, -1, 105), []string{RuleProcNotRunning}},
		{"stated Running on an idle P", start().g(7, GoUndetermined, GoRunning, -1, 1, 101),
			[]string{RuleProcNotRunning}},
		// The first goroutine keeps its P: its own events there are in place,
		// and its exit does not free the P of the goroutine stated after it.
		{"no silent overwrite", start().g(7, GoUndetermined, GoRunning, -1, 0, 100).
			g(1, GoRunning, GoNotExist, 1, 0, 100).g(11, GoNotExist, GoRunnable, 7, 0, 100).
			g(11, GoRunnable, GoRunning, -1, 0, 100),
			[]string{RuleProcShared, RuleRunningExceedsProcs}},

		// Controls.
		{"statements of a generation's start", start().proc(2, ProcUndetermined, ProcRunning, -1, 102).
			g(8, GoUndetermined, GoRunning, -1, 2, 102).g(9, GoUndetermined, GoWaiting, 1, 0, 100).
			g(8, GoRunning, GoWaiting, 8, 2, 102), none},
		{"stated Running on a P whose goroutine left", start().g(1, GoRunning, GoWaiting, 1, 0, 100).
			g(7, GoUndetermined, GoRunning, -1, 0, 100).g(7, GoRunning, GoNotExist, 7, 0, 100), none},
		{"stated Running on a P not stated yet", start().g(8, GoUndetermined, GoRunning, -1, 5, 105).
			other(8, 5, 105), none},
		{"re-stated Running in place", start().spawnRun(10).add(Event{Kind: KindSync, G: -1, P: -1, M: -1}).
			g(10, GoRunning, GoRunning, 10, 0, 100).g(10, GoRunning, GoNotExist, 10, 0, 100), none},
	})
}

// TestLockedThreadLabels: on a thread whose locked goroutine exited, a
// goroutine starting is caught whichever goroutine the event names as
// executing, also the exited one; and the exited goroutine executing
// there again is caught.
func TestLockedThreadLabels(t *testing.T) {
	locked := func() *script {
		return twoPs().log(10, 1, 101, MarkLockedExit).g(10, GoRunning, GoNotExist, 10, 1, 101)
	}
	checkRules(t, []struct {
		name  string
		s     *script
		rules []string
	}{
		{"dead thread start labelled with the exited goroutine", locked().
			g(11, GoNotExist, GoRunnable, 1, 0, 100).g(11, GoRunnable, GoRunning, 10, 1, 101),
			[]string{RuleExecutorNotRunning, RuleLockedThreadReused}},
		{"dead thread start labelled with another goroutine", locked().
			g(11, GoNotExist, GoRunnable, 1, 0, 100).g(11, GoRunnable, GoRunning, 1, 1, 101),
			[]string{RuleLockedThreadReused, RuleWrongContext}},
		{"exited goroutine executes on its dead thread", locked().other(10, 1, 101),
			[]string{RuleExecutorNotRunning, RuleLockedThreadReused}},
		{"dead thread hands off its P (control)", locked().proc(1, ProcRunning, ProcIdle, 1, 101).
			other(-1, -1, 101), nil},
	})
}

// TestPSharedTrace: a real trace edited (through x/exp/trace's raw text
// format) so that, on P1's thread, just after G1's Running status, G99 is
// stated Running, exits, and G1 is re-stated Running. The reader accepts
// it (it binds the thread to G99 without looking at the G1 it runs); the
// check must not. The untampered trace is the control.
func TestPSharedTrace(t *testing.T) {
	rep, err := CheckFile("testdata/p-shared-orig.trace")
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("untampered trace:\n%s", rep.Text(true))
	}
	rep, err = CheckFile("testdata/p-shared-tampered.trace")
	if err != nil {
		t.Fatal(err)
	}
	if got := rules(rep); !reflect.DeepEqual(got, []string{RuleProcShared}) {
		t.Fatalf("rules %v, want [%s]\n%s", got, RuleProcShared, rep.Text(false))
	}
	if v := rep.Violations[0]; v.Goroutine != 99 || v.Transition != "Undetermined->Running" {
		t.Errorf("violation %v, want goroutine 99's statement", v)
	}
}

// TestTamperedExecutor tampers with a real trace (the chan workload under
// GOMAXPROCS 4; the generations trace for re-statements) in the ways the
// executor, context, own-transition, time and statement rules forbid.
// The untampered traces are the controls.
func TestTamperedExecutor(t *testing.T) {
	evs := untampered(t, "chan", 4)
	b, err := os.ReadFile("testdata/generations-procs2.trace")
	if err != nil {
		t.Fatal(err)
	}
	gens := events(t, b)
	if r := check(gens); !r.OK() {
		t.Fatalf("untampered generations trace:\n%s", r.Text(false))
	}
	isGo := func(e Event, from, to GoState) bool {
		return e.Kind == KindGo && GoState(e.From) == from && GoState(e.To) == to
	}
	// editFirst edits the first event of transition from -> to that edit
	// accepts (returns true for).
	editFirst := func(from, to GoState, edit func(e *Event) bool) func([]Event) ([]Event, bool) {
		return func(evs []Event) ([]Event, bool) {
			for i := range evs {
				if isGo(evs[i], from, to) && edit(&evs[i]) {
					return evs, true
				}
			}
			return nil, false
		}
	}
	otherThread := func(e *Event) bool { e.M += 12345; return true }
	tamper := func(name, want string, evs []Event, f func(evs []Event) ([]Event, bool)) {
		t.Run(name, func(t *testing.T) {
			cp, ok := f(slices.Clone(evs))
			if !ok {
				t.Fatal("nothing to tamper with")
			}
			if got := rules(check(cp)); !slices.Contains(got, want) {
				t.Errorf("rules %v, want %s", got, want)
			}
		})
	}
	// The first exit, and a later event executed by another goroutine.
	tamper("exited goroutine creates", RuleExecutorNotRunning, evs, func(evs []Event) ([]Event, bool) {
		exited := int64(-1)
		for i, e := range evs {
			if exited < 0 && isGo(e, GoRunning, GoNotExist) {
				exited = e.Target
			}
			if exited >= 0 && isGo(e, GoNotExist, GoRunnable) && e.G >= 0 {
				evs[i].G = exited
				return evs, true
			}
		}
		return nil, false
	})
	tamper("block recorded on another P", RuleWrongContext, evs, editFirst(GoRunning, GoWaiting, func(e *Event) bool {
		if e.P < 0 {
			return false
		}
		e.P++
		return true
	}))
	tamper("exit recorded on another thread", RuleWrongContext, evs, editFirst(GoRunning, GoNotExist, otherThread))
	tamper("block executed by the unblocker", RuleForeignTransition, evs, func(evs []Event) ([]Event, bool) {
		for i, e := range evs {
			if isGo(e, GoWaiting, GoRunnable) && e.G >= 0 {
				for j := i - 1; j >= 0; j-- {
					if isGo(evs[j], GoRunning, GoWaiting) && evs[j].Target == e.Target {
						evs[j].G, evs[j].P, evs[j].M = e.G, e.P, e.M
						return evs, true
					}
				}
			}
		}
		return nil, false
	})
	tamper("two events swapped in time", RuleTimeBackwards, evs, func(evs []Event) ([]Event, bool) {
		i := len(evs) / 2
		evs[i].Time, evs[i+1].Time = evs[i+1].Time, evs[i].Time
		return evs, evs[i].Time != evs[i+1].Time
	})
	tamper("goroutine stated Running on a busy P", RuleProcShared, evs, func(evs []Event) ([]Event, bool) {
		// Before a goroutine's stop, state a new goroutine Running in
		// its context.
		for i, e := range evs {
			if isGo(e, GoRunning, GoWaiting) && i > len(evs)/2 {
				st := Event{Kind: KindGo, Time: e.Time, G: -1, P: e.P, M: e.M, Target: 1 << 40,
					From: uint8(GoUndetermined), To: uint8(GoRunning)}
				return slices.Insert(evs, i, st), true
			}
		}
		return nil, false
	})
	tamper("Running re-stated on another thread", RuleWrongContext, gens, editFirst(GoRunning, GoRunning, otherThread))
	tamper("syscall re-stated on another thread", RuleWrongContext, gens, editFirst(GoSyscall, GoSyscall, otherThread))
	// A goroutine already tracked as Running, stated again from
	// Undetermined (the reader's form for a goroutine a generation
	// mentions first) on another thread: the statement is the violation.
	// It used to move the goroutine to that thread, and the goroutine's
	// own later events were reported instead.
	t.Run("Running re-stated from Undetermined on another thread", func(t *testing.T) {
		cp := slices.Clone(evs)
		for i, e := range cp {
			if isGo(e, GoRunnable, GoRunning) && e.P >= 0 && e.M >= 0 && i > len(cp)/2 && i+1 < len(cp) {
				st := Event{Kind: KindGo, Time: cp[i+1].Time, G: -1, P: e.P, M: e.M + 12345, Target: e.Target,
					From: uint8(GoUndetermined), To: uint8(GoRunning)}
				r := check(slices.Insert(cp, i+1, st))
				if len(r.Violations) != 1 || r.Violations[0].Rule != RuleWrongContext || r.Violations[0].Transition != "Undetermined->Running" {
					t.Fatalf("want one wrong-context at the statement:\n%s", r.Text(false))
				}
				return
			}
		}
		t.Fatal("nothing to tamper with")
	})
}

// TestUnstatedRule: a goroutine alive at a Sync that the generation
// ending there never mentioned had its events lost; a re-statement, any
// transition, or an exit in the generation is mention enough.
func TestUnstatedRule(t *testing.T) {
	none := []string(nil)
	sync := Event{Kind: KindSync, G: -1, P: -1, M: -1}
	checkRules(t, []struct {
		name  string
		s     *script
		rules []string
	}{
		{"blocked goroutine missing from the next generation", start().spawnRun(10).add(sync).
			g(10, GoRunning, GoRunning, 10, 0, 100).add(sync), []string{RuleUnstated}},
		{"runnable goroutine missing from the last generation", start().g(10, GoNotExist, GoRunnable, 1, 0, 100).
			add(sync).g(1, GoRunning, GoRunning, 1, 0, 100).g(10, GoRunnable, GoRunnable, -1, -1, -1).add(sync).
			g(1, GoRunning, GoRunning, 1, 0, 100).add(sync), []string{RuleUnstated}},
		// Controls.
		{"every live goroutine re-stated", start().spawnRun(10).add(sync).
			g(10, GoRunning, GoRunning, 10, 0, 100).g(1, GoWaiting, GoWaiting, -1, -1, -1).add(sync), none},
		{"mentioned by transitions only", start().spawnRun(10).add(sync).
			g(1, GoWaiting, GoRunnable, 10, 0, 100).g(10, GoRunning, GoNotExist, 10, 0, 100).
			g(1, GoRunnable, GoRunning, -1, 0, 100).add(sync), none},
		{"created in the generation", start().add(sync).g(1, GoRunning, GoRunning, 1, 0, 100).
			g(11, GoNotExist, GoRunnable, 1, 0, 100).add(sync), none},
		{"no Sync after the generation", start().spawnRun(10).add(sync).g(10, GoRunning, GoRunning, 10, 0, 100), none},
	})
}
