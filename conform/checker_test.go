package conform

import (
	"bytes"
	"io"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/exp/trace"

	"github.com/gexit-dev/gexit/spec"
)

// A script builds synthetic event sequences on one thread and P by default.
type script struct {
	evs []Event
	t   int64
}

func (s *script) add(e Event) *script {
	s.t += 10
	e.Time = s.t
	s.evs = append(s.evs, e)
	return s
}

// g: goroutine id's transition from -> to, executed by by on P p, M m.
func (s *script) g(id int64, from, to GoState, by, p, m int64) *script {
	return s.add(Event{Kind: KindGo, Target: id, From: uint8(from), To: uint8(to), G: by, P: p, M: m})
}

func (s *script) proc(id int64, from, to ProcState, p, m int64) *script {
	return s.add(Event{Kind: KindProc, Target: id, From: uint8(from), To: uint8(to), G: -1, P: p, M: m})
}

func (s *script) log(by, p, m int64, msg string) *script {
	return s.add(Event{Kind: KindLog, G: by, P: p, M: m, Category: LogCategory, Message: msg})
}

func (s *script) other(by, p, m int64) *script {
	return s.add(Event{Kind: KindOther, G: by, P: p, M: m, Target: -1})
}

// start: a trace beginning with P0 (and P1 Idle) and goroutine 1 Running
// on P0, M 100.
func start() *script {
	s := &script{}
	s.add(Event{Kind: KindSync, G: -1, P: -1, M: -1})
	s.proc(0, ProcUndetermined, ProcRunning, -1, 100)
	s.proc(1, ProcUndetermined, ProcIdle, -1, -1)
	s.g(1, GoUndetermined, GoRunning, -1, 0, 100)
	return s
}

// spawnRun: goroutine 1 (on P0, M100) creates id; then 1 blocks, id runs on
// P0.
func (s *script) spawnRun(id int64) *script {
	s.g(id, GoNotExist, GoRunnable, 1, 0, 100)
	s.g(1, GoRunning, GoWaiting, 1, 0, 100)
	s.g(id, GoRunnable, GoRunning, -1, 0, 100)
	return s
}

func check(evs []Event) *Report {
	c := NewChecker()
	for i := range evs {
		c.Feed(&evs[i])
	}
	return c.Report()
}

func rules(r *Report) []string {
	var rs []string
	for _, v := range r.Violations {
		if !slices.Contains(rs, v.Rule) {
			rs = append(rs, v.Rule)
		}
	}
	sort.Strings(rs)
	return rs
}

func TestRejections(t *testing.T) {
	tests := []struct {
		name  string
		s     *script
		rules []string
	}{
		{"Runnable->NotExist", start().g(10, GoNotExist, GoRunnable, 1, 0, 100).
			g(10, GoRunnable, GoNotExist, 1, 0, 100), []string{RuleLifecycle}},
		{"Waiting->NotExist", start().spawnRun(10).g(10, GoRunning, GoWaiting, 10, 0, 100).
			g(10, GoWaiting, GoNotExist, -1, 0, 100), []string{RuleLifecycle}},
		{"Waiting->Running", start().spawnRun(10).g(10, GoRunning, GoWaiting, 10, 0, 100).
			g(10, GoWaiting, GoRunning, -1, 0, 100), []string{RuleLifecycle}},
		{"Runnable->Waiting", start().g(10, GoNotExist, GoRunnable, 1, 0, 100).
			g(10, GoRunnable, GoWaiting, 1, 0, 100), []string{RuleLifecycle}},
		{"Syscall->Waiting", start().g(1, GoRunning, GoSyscall, 1, 0, 100).
			g(1, GoSyscall, GoWaiting, 1, 0, 100), []string{RuleLifecycle}},
		{"NotExist->Running", start().g(1, GoRunning, GoWaiting, 1, 0, 100).
			g(10, GoNotExist, GoRunning, -1, 0, 100), []string{RuleLifecycle}},
		{"Running->Undetermined", start().g(1, GoRunning, GoUndetermined, 1, 0, 100), []string{RuleLifecycle}},
		{"Undetermined->NotExist", start().g(5, GoUndetermined, GoNotExist, -1, -1, -1), []string{RuleLifecycle}},
		{"unknown state", start().g(1, GoRunning, GoState(9), 1, 0, 100), []string{RuleLifecycle}},
		{"never created", start().g(1, GoRunning, GoWaiting, 1, 0, 100).
			g(10, GoRunnable, GoRunning, -1, 0, 100), []string{RuleContinuity}},
		{"from mismatch", start().g(10, GoNotExist, GoRunnable, 1, 0, 100).
			g(10, GoRunning, GoWaiting, 10, 0, 100), []string{RuleContinuity, RuleExecutorNotRunning}},
		{"created twice", start().g(10, GoNotExist, GoRunnable, 1, 0, 100).
			g(10, GoNotExist, GoRunnable, 1, 0, 100), []string{RuleContinuity}},
		{"re-statement disagrees", start().g(10, GoNotExist, GoRunnable, 1, 0, 100).
			g(10, GoWaiting, GoWaiting, -1, -1, -1), []string{RuleContinuity}},
		{"P re-statement disagrees", start().proc(1, ProcRunning, ProcRunning, -1, 101), []string{RuleContinuity}},
		{"id reuse", start().spawnRun(10).g(10, GoRunning, GoNotExist, 10, 0, 100).
			g(10, GoNotExist, GoRunnable, -1, 0, 100), []string{RuleIDReuse}},
		{"id reuse via Undetermined", start().spawnRun(10).g(10, GoRunning, GoNotExist, 10, 0, 100).
			g(10, GoUndetermined, GoWaiting, -1, -1, -1), []string{RuleIDReuse}},
		{"id reuse by an extra M", start().spawnRun(10).g(10, GoRunning, GoNotExist, 10, 0, 100).
			g(10, GoNotExist, GoSyscall, -1, -1, 300), []string{RuleIDReuse}},
		{"extra-M id reused by go", start().g(50, GoNotExist, GoSyscall, -1, -1, 300).
			g(50, GoSyscall, GoNotExist, 50, -1, 300).
			g(50, GoNotExist, GoRunnable, 1, 0, 100), []string{RuleIDReuse}},
		{"ordinary Syscall->NotExist", start().spawnRun(10).g(10, GoRunning, GoSyscall, 10, 0, 100).
			g(10, GoSyscall, GoNotExist, 10, 0, 100), []string{RuleExtraM}},
		{"extra M exits from Running", start().g(1, GoRunning, GoWaiting, 1, 0, 100).
			g(50, GoNotExist, GoSyscall, -1, 0, 100).g(50, GoSyscall, GoRunning, 50, 0, 100).
			g(50, GoRunning, GoNotExist, 50, 0, 100), []string{RuleExtraM}},
		{"P stops under a Running goroutine", start().proc(0, ProcRunning, ProcIdle, 0, 100),
			[]string{RuleProcNotRunning, RuleRunningExceedsProcs}},
		{"more Running than Ps", start().g(10, GoNotExist, GoRunnable, 1, 0, 100).
			g(10, GoRunnable, GoRunning, -1, 0, 101), []string{RuleProcShared, RuleRunningExceedsProcs}},
		{"runs on an idle P", start().g(10, GoNotExist, GoRunnable, 1, 0, 100).
			g(10, GoRunnable, GoRunning, -1, 1, 101), []string{RuleProcNotRunning, RuleRunningExceedsProcs}},
		{"runs on no P", start().g(1, GoRunning, GoSyscall, 1, 0, 100).proc(0, ProcRunning, ProcIdle, 0, 100).
			g(1, GoSyscall, GoRunning, 1, -1, 100), []string{RuleProcNotRunning, RuleRunningExceedsProcs}},
		{"two goroutines on one P", start().proc(1, ProcIdle, ProcRunning, -1, 101).
			g(10, GoNotExist, GoRunnable, 1, 0, 100).
			g(10, GoRunnable, GoRunning, -1, 0, 101), []string{RuleProcShared}},
		{"locked thread runs another goroutine", start().proc(1, ProcIdle, ProcRunning, -1, 101).
			g(10, GoNotExist, GoRunnable, 1, 0, 100).g(10, GoRunnable, GoRunning, -1, 1, 101).
			log(10, 1, 101, MarkLockedExit).g(10, GoRunning, GoNotExist, 10, 1, 101).
			g(11, GoNotExist, GoRunnable, 1, 0, 100).g(11, GoRunnable, GoRunning, -1, 1, 101),
			[]string{RuleLockedThreadReused}},
		{"locked thread executes a goroutine", start().proc(1, ProcIdle, ProcRunning, -1, 101).
			g(10, GoNotExist, GoRunnable, 1, 0, 100).g(10, GoRunnable, GoRunning, -1, 1, 101).
			log(10, 1, 101, MarkLockedExit).g(10, GoRunning, GoNotExist, 10, 1, 101).
			proc(1, ProcRunning, ProcIdle, 1, 101).other(1, 0, 101),
			// G1 runs on thread 100: executing on 101 is also out of place.
			[]string{RuleLockedThreadReused, RuleWrongContext}},
	}
	checkRules(t, tests)
}

func TestAccepts(t *testing.T) {
	tests := []struct {
		name string
		s    *script
	}{
		{"create run exit", start().spawnRun(10).g(10, GoRunning, GoNotExist, 10, 0, 100)},
		{"block and ready", start().spawnRun(10).g(10, GoRunning, GoWaiting, 10, 0, 100).
			g(1, GoWaiting, GoRunnable, -1, -1, 102).g(1, GoRunnable, GoRunning, -1, 0, 100).
			g(10, GoWaiting, GoRunnable, 1, 0, 100).g(1, GoRunning, GoRunnable, 1, 0, 100).
			g(10, GoRunnable, GoRunning, -1, 0, 100).g(10, GoRunning, GoNotExist, 10, 0, 100)},
		{"syscall, P stolen", start().g(1, GoRunning, GoSyscall, 1, 0, 100).
			proc(0, ProcRunning, ProcIdle, 1, 101).proc(0, ProcIdle, ProcRunning, -1, 101).
			g(1, GoSyscall, GoRunnable, 1, -1, 100).g(1, GoRunnable, GoRunning, -1, 0, 101)},
		{"coroutine created blocked", start().g(10, GoNotExist, GoWaiting, 1, 0, 100).
			g(10, GoWaiting, GoRunnable, 1, 0, 100)},
		{"generation re-statements", start().spawnRun(10).add(Event{Kind: KindSync, G: -1, P: -1, M: -1}).
			proc(0, ProcRunning, ProcRunning, -1, 100).proc(1, ProcIdle, ProcIdle, -1, -1).
			g(10, GoRunning, GoRunning, -1, 0, 100).g(1, GoWaiting, GoWaiting, -1, -1, -1).
			g(7, GoUndetermined, GoWaiting, -1, -1, -1)},
		{"extra M cycle, id reused", start().g(50, GoNotExist, GoSyscall, -1, -1, 300).
			g(50, GoSyscall, GoNotExist, 50, -1, 300).g(50, GoNotExist, GoSyscall, -1, -1, 301).
			proc(1, ProcIdle, ProcRunning, -1, 301).g(50, GoSyscall, GoRunning, 50, 1, 301).
			g(50, GoRunning, GoSyscall, 50, 1, 301).proc(1, ProcRunning, ProcIdle, 1, 301).
			g(50, GoSyscall, GoNotExist, 50, -1, 301)},
		{"extra M alive at start", start().g(60, GoUndetermined, GoSyscall, -1, -1, 302).
			g(60, GoSyscall, GoNotExist, 60, -1, 302)},
		{"locked exit, thread gone", start().proc(1, ProcIdle, ProcRunning, -1, 101).
			g(10, GoNotExist, GoRunnable, 1, 0, 100).g(10, GoRunnable, GoRunning, -1, 1, 101).
			log(10, 1, 101, MarkLockedExit).g(10, GoRunning, GoNotExist, 10, 1, 101).
			proc(1, ProcRunning, ProcIdle, 1, 101).other(-1, -1, 101).
			proc(1, ProcIdle, ProcRunning, -1, 102).g(1, GoRunning, GoWaiting, 1, 0, 100)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := check(tt.s.evs); !r.OK() {
				t.Errorf("%s", r.Text(true))
			}
		})
	}
}

func TestMapping(t *testing.T) {
	for s := GoUndetermined; s <= GoSyscall; s++ {
		if s.String() != trace.GoState(s).String() {
			t.Errorf("GoState %d: %s, trace says %s", s, s, trace.GoState(s))
		}
	}
	for s := ProcUndetermined; s <= ProcIdle; s++ {
		if s.String() != trace.ProcState(s).String() {
			t.Errorf("ProcState %d: %s, trace says %s", s, s, trace.ProcState(s))
		}
	}
	allowed := map[string]string{
		"NotExist->Runnable": "dead->runnable",
		"NotExist->Waiting":  "dead->waiting",
		"NotExist->NotExist": "idle->dead",
		"Runnable->Running":  "runnable->running",
		"Running->NotExist":  "running->dead",
		"Running->Waiting":   "running->waiting",
		"Running->Runnable":  "running->runnable",
		"Running->Syscall":   "running->syscall",
		"Waiting->Runnable":  "waiting->runnable",
		"Waiting->Waiting":   "preempted->waiting",
		"Syscall->Running":   "syscall->running",
		"Syscall->Runnable":  "syscall->runnable",
	}
	for f := GoNotExist; f <= GoSyscall; f++ {
		for to := GoNotExist; to <= GoSyscall; to++ {
			e, ok := SpecEdge(f, to)
			k := goTransition(f, to)
			want, wantOK := allowed[k]
			if ok != wantOK || (ok && edgeKey(e) != want) {
				t.Errorf("%s: edge %v %v, want %q", k, edgeKey(e), ok, want)
			}
		}
	}
	if _, ok := spec.LifecycleAllows(spec.Dead, spec.Syscall); ok {
		t.Errorf("spec now has dead->syscall: the extra-M rule could become a spec edge")
	}
}

// events reads a trace into synthetic events (stacks left out).
func events(t testing.TB, b []byte) []Event {
	tr, err := trace.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var (
		evs []Event
		cv  converter
	)
	for {
		ev, err := tr.ReadEvent()
		if err == io.EOF {
			return evs
		}
		if err != nil {
			t.Fatal(err)
		}
		var e Event
		cv.convert(&ev, &e)
		evs = append(evs, e)
	}
}

// untampered records the workload name under GOMAXPROCS procs and returns
// its trace's events, which must conform (the tampering tests' control).
func untampered(t *testing.T, name string, procs int) []Event {
	t.Helper()
	w, _ := LookupWorkload(name)
	rec, err := Record(w, procs, 1)
	if err != nil {
		t.Fatal(err)
	}
	evs := events(t, rec.Trace)
	if r := check(evs); !r.OK() {
		t.Fatalf("untampered %s trace: %s", name, r.Text(false))
	}
	return evs
}

// TestTampered takes a real trace of the locked workload, tampers with it
// in ways the runtime never would, and checks the checker notices.
func TestTampered(t *testing.T) {
	evs := untampered(t, "locked", 1)
	// Find a locked exit: the thread of the exit after a locked-exit mark.
	marked := map[int64]bool{}
	exitAt, deadM := -1, int64(-1)
	for i, e := range evs {
		if e.Kind == KindLog && e.Message == MarkLockedExit {
			marked[e.G] = true
		}
		if e.Kind == KindGo && marked[e.Target] && GoState(e.To) == GoNotExist {
			exitAt, deadM = i, e.M
			break
		}
	}
	if exitAt < 0 {
		t.Fatal("no locked exit in the trace")
	}
	tamper := func(name string, want string, f func(evs []Event) bool) {
		t.Run(name, func(t *testing.T) {
			cp := slices.Clone(evs)
			if !f(cp) {
				t.Fatal("nothing to tamper with")
			}
			r := check(cp)
			if !slices.Contains(rules(r), want) {
				t.Errorf("rules %v, want %s", rules(r), want)
			}
		})
	}
	tamper("locked thread reused", RuleLockedThreadReused, func(evs []Event) bool {
		for i := exitAt + 1; i < len(evs); i++ {
			if evs[i].Kind == KindGo && GoState(evs[i].From) == GoRunnable && GoState(evs[i].To) == GoRunning {
				evs[i].M = deadM
				return true
			}
		}
		return false
	})
	exitFrom := func(name string, from GoState) {
		tamper(name, RuleLifecycle, func(evs []Event) bool {
			for i := range evs {
				if evs[i].Kind == KindGo && GoState(evs[i].From) == GoRunning && GoState(evs[i].To) == GoNotExist {
					evs[i].From = uint8(from)
					return true
				}
			}
			return false
		})
	}
	exitFrom("Runnable->NotExist", GoRunnable)
	exitFrom("Waiting->NotExist", GoWaiting)
	tamper("start on a stopped P", RuleProcNotRunning, func(evs []Event) bool {
		// Move a goroutine start before the start of its P.
		for i := 0; i+1 < len(evs); i++ {
			e, next := evs[i], evs[i+1]
			if e.Kind == KindProc && ProcState(e.From) == ProcIdle && ProcState(e.To) == ProcRunning &&
				next.Kind == KindGo && GoState(next.To) == GoRunning && next.P == e.Target {
				evs[i], evs[i+1] = next, e
				evs[i].Time, evs[i+1].Time = e.Time, next.Time
				return true
			}
		}
		return false
	})
	tamper("more Running than Ps", RuleRunningExceedsProcs, func(evs []Event) bool {
		// Under GOMAXPROCS 1, move a P stop before the goroutine stop that
		// preceded it: the P stops under a Running goroutine.
		for i := 1; i < len(evs); i++ {
			e, prev := evs[i], evs[i-1]
			if e.Kind == KindProc && ProcState(e.From) == ProcRunning && ProcState(e.To) == ProcIdle &&
				e.Target == e.P && prev.Kind == KindGo && GoState(prev.From) == GoRunning && prev.P == e.P {
				evs[i-1], evs[i] = e, prev
				evs[i-1].Time, evs[i].Time = prev.Time, e.Time
				return true
			}
		}
		return false
	})
	tamper("goroutine id reused", RuleIDReuse, func(evs []Event) bool {
		var first int64 = -1
		for i, e := range evs {
			if e.Kind == KindGo && GoState(e.To) == GoNotExist && first < 0 {
				first = e.Target
			}
			if first >= 0 && e.Kind == KindGo && GoState(e.From) == GoNotExist && e.Target != first && i > exitAt {
				// Rename this goroutine to the exited id from here on.
				old := e.Target
				for j := i; j < len(evs); j++ {
					if evs[j].Target == old && evs[j].Kind == KindGo {
						evs[j].Target = first
					}
					if evs[j].G == old {
						evs[j].G = first
					}
				}
				return true
			}
		}
		return false
	})
}

func TestReportText(t *testing.T) {
	r := check(start().g(10, GoNotExist, GoRunnable, 1, 0, 100).g(10, GoRunnable, GoNotExist, 1, 0, 100).evs)
	txt := r.Text(true)
	for _, s := range []string{"lifecycle: goroutine 10", "Runnable->NotExist", "dead->runnable", "1 violations"} {
		if !strings.Contains(txt, s) {
			t.Errorf("text lacks %q:\n%s", s, txt)
		}
	}
}

// TestCoverage pins the coverage counts: each accepted transition credits
// its spec edge once; re-statements, the extra-M rule's transitions and
// rejected transitions credit none.
func TestCoverage(t *testing.T) {
	s := start().spawnRun(10) // dead->runnable, running->waiting, runnable->running
	s.g(10, GoRunning, GoSyscall, 10, 0, 100).g(10, GoSyscall, GoRunning, 10, 0, 100)
	s.g(10, GoRunning, GoRunnable, 10, 0, 100).g(10, GoRunnable, GoRunning, -1, 0, 100)
	s.g(10, GoRunning, GoNotExist, 10, 0, 100)
	s.g(11, GoNotExist, GoWaiting, -1, -1, 100).g(11, GoWaiting, GoWaiting, -1, -1, -1)
	s.g(50, GoNotExist, GoSyscall, -1, -1, 300).g(50, GoSyscall, GoNotExist, 50, -1, 300)
	s.g(12, GoNotExist, GoRunnable, -1, -1, 100).g(12, GoRunnable, GoNotExist, -1, -1, 100)
	r := check(s.evs)
	want := map[string]int{
		"idle->dead": 0, "dead->runnable": 2, "dead->waiting": 1, "runnable->running": 2,
		"running->dead": 1, "running->waiting": 1, "waiting->runnable": 0, "running->runnable": 1,
		"running->syscall": 1, "syscall->running": 1, "syscall->runnable": 0,
		"running->preempted": 0, "preempted->waiting": 0,
	}
	if !reflect.DeepEqual(r.Coverage, want) {
		t.Errorf("coverage\n got %v\nwant %v", r.Coverage, want)
	}
	if got := rules(r); !reflect.DeepEqual(got, []string{RuleLifecycle}) {
		t.Errorf("violations %v, want only the Runnable->NotExist lifecycle one", got)
	}
	if r.ExtraM["NotExist->Syscall"] != 1 || r.ExtraM["Syscall->NotExist"] != 1 {
		t.Errorf("extra-M counts %v", r.ExtraM)
	}
}

// TestSTWPreemptions: a goroutine preempted inside a stop-the-world range
// by another goroutine's stop-the-world is counted; the goroutine stopping
// the world, a yield, and a preemption outside the range are not.
func TestSTWPreemptions(t *testing.T) {
	s := start()
	s.proc(1, ProcIdle, ProcRunning, -1, 101)
	s.g(10, GoNotExist, GoRunnable, 1, 0, 100).g(10, GoRunnable, GoRunning, -1, 1, 101)
	preempt := func(id, p, m int64, reason string) {
		s.add(Event{Kind: KindGo, Target: id, From: uint8(GoRunning), To: uint8(GoRunnable), G: id, P: p, M: m, Reason: reason})
		s.g(id, GoRunnable, GoRunning, -1, p, m)
	}
	preempt(10, 1, 101, "preempted") // outside a stop-the-world
	s.add(Event{Kind: KindSTWBegin, G: 1, P: 0, M: 100, Target: -1})
	preempt(10, 1, 101, "preempted") // counted
	preempt(10, 1, 101, "yield")     // Gosched, not the stop
	preempt(1, 0, 100, "preempted")  // the goroutine stopping the world
	s.add(Event{Kind: KindSTWEnd, G: 1, P: 0, M: 100, Target: -1})
	preempt(10, 1, 101, "preempted") // after it
	r := check(s.evs)
	if !r.OK() {
		t.Fatalf("violations:\n%s", r.Text(true))
	}
	if r.StopTheWorlds != 1 || r.STWPreemptions != 1 {
		t.Fatalf("stop-the-worlds %d, preemptions %d; want 1 and 1", r.StopTheWorlds, r.STWPreemptions)
	}
	if txt := r.Text(false); !strings.Contains(txt, "stop-the-world preemptions: 1 goroutines preempted by 1 stop-the-worlds") {
		t.Errorf("text lacks the stop-the-world line:\n%s", txt)
	}
}

// TestTamperedSeveralPs: under GOMAXPROCS 4 a P that stops under its
// Running goroutine (a P stop moved before the goroutine stop that
// preceded it on the same P) is caught every time, also where another P
// runs and the count of Running goroutines against Running Ps cannot see
// it: the runtime never releases the P of a running goroutine (procresize
// traces GoSched first). The untampered trace is the control.
func TestTamperedSeveralPs(t *testing.T) {
	evs := untampered(t, "chan", 4)
	tampered, hidden := 0, 0
	for i := 1; i < len(evs) && tampered < 40; i++ {
		e, prev := evs[i], evs[i-1]
		if e.Kind != KindProc || ProcState(e.From) != ProcRunning || ProcState(e.To) != ProcIdle || e.Target != e.P ||
			prev.Kind != KindGo || GoState(prev.From) != GoRunning || prev.P != e.P {
			continue
		}
		cp := slices.Clone(evs)
		cp[i-1], cp[i] = e, prev
		cp[i-1].Time, cp[i].Time = prev.Time, e.Time
		tampered++
		got := rules(check(cp))
		if !slices.Contains(got, RuleProcNotRunning) {
			t.Errorf("P %d stopped under goroutine %d at event %d: rules %v, want %s", e.Target, prev.Target, i, got, RuleProcNotRunning)
		}
		if !slices.Contains(got, RuleRunningExceedsProcs) {
			hidden++
		}
	}
	if tampered == 0 {
		t.Fatal("nothing to tamper with")
	}
	t.Logf("%d P stops moved before their goroutine's stop; %d of them invisible to the count rule", tampered, hidden)
}
