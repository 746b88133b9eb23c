package impl

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// runWithin runs w under cfg and fails the test if Run does not return
// within d (a panicked actor must end the run, not hang it).
func runWithin(t *testing.T, d time.Duration, cfg Config, w Workload) *Result {
	t.Helper()
	done := make(chan *Result, 1)
	go func() {
		res, err := Run(cfg, w)
		if err != nil {
			panic(err)
		}
		done <- res
	}()
	select {
	case res := <-done:
		return res
	case <-time.After(d):
		buf := make([]byte, 1<<20)
		t.Fatalf("Run did not return within %v after a panic:\n%s", d, buf[:runtime.Stack(buf, true)])
		return nil
	}
}

// settledGoroutines waits until the goroutine count drops to at most
// want (free-running Run's ticker exits just after Run returns) and
// returns the count.
func settledGoroutines(want int) int {
	n := runtime.NumGoroutine()
	for i := 0; i < 200 && n > want; i++ {
		time.Sleep(5 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

// A panic inside an M's op (panic-in-gfput: a nil dereference under
// sched.gFree.lock, while other Ms spill and refill under that lock) is
// recovered in the M's goroutine: Run returns promptly in both modes with
// Result.Panic naming the value and the function that panicked, and no
// goroutine is left behind.
func TestPanicInMRecovered(t *testing.T) {
	before := runtime.NumGoroutine()
	runs := 0
	for _, mode := range []Mode{Deterministic, FreeRunning} {
		for _, ms := range []int{1, 2, 4} {
			for seed := int64(0); seed < 10; seed++ {
				cfg := cfgFor(t, "small", min(ms, 3), ms, mode, seed)
				cfg.Record = true
				cfg.Faults = []string{"panic-in-gfput"}
				res := runWithin(t, 10*time.Second, cfg, SpawnExit(200, 9, 3))
				runs++
				what := fmt.Sprintf("%v ms=%d seed=%d", mode, ms, seed)
				if res.Panic == "" {
					t.Fatalf("%s: no panic recorded (throw %q, timed out %v)", what, res.Throw, res.TimedOut)
				}
				if !strings.HasPrefix(res.Panic, "runtime error: invalid memory address or nil pointer dereference") {
					t.Fatalf("%s: panic value: %q", what, firstLine(res.Panic))
				}
				if !strings.Contains(res.Panic, "impl.(*gListA).pushAll") || !strings.Contains(res.Panic, "impl.(*m).gfput") {
					t.Fatalf("%s: the stack does not show where it panicked:\n%s", what, res.Panic)
				}
				if strings.Contains(res.Panic, "runtime/debug.Stack") || strings.Contains(res.Panic, "runtime.sigpanic") || strings.Contains(res.Panic, "+0x") {
					t.Fatalf("%s: the stack is not trimmed:\n%s", what, res.Panic)
				}
				if res.TimedOut || res.Deadlock {
					t.Fatalf("%s: timed out %v, deadlock %v", what, res.TimedOut, res.Deadlock)
				}
			}
		}
	}
	if after := settledGoroutines(before); after > before {
		t.Fatalf("%d goroutines before %d panicked runs, %d after", before, runs, after)
	}
}

// Without the fault the same runs do not panic (the control).
func TestNoPanicWithoutFault(t *testing.T) {
	for _, mode := range []Mode{Deterministic, FreeRunning} {
		cfg := cfgFor(t, "small", 3, 4, mode, 1)
		res := runWithin(t, 10*time.Second, cfg, SpawnExit(200, 9, 3))
		if res.Panic != "" {
			t.Fatalf("%v: %s", mode, res.Panic)
		}
		if res.Branches["spill"] == 0 {
			t.Fatalf("%v: the workload never spills, so the fault is not exercised", mode)
		}
	}
}

// A panic in sysmon or the controller (made by the safe-point hook) ends
// the run the same way: the Ms stop, Run returns, Panic names the actor.
func TestPanicInSysmonAndController(t *testing.T) {
	before := runtime.NumGoroutine()
	defer func() { testHookSafepoint = nil }()
	locked := Workload{Main: Prog(
		Go(Prog(Lock(), ParkOn(0), Sys(), Ret())),
		Go(Prog(Lock(), Sys(), Yield(), Ret())),
		Yield(), ReadyOn(0), Sys(), Yield(), Yield(), Yield(), Yield(), Yield(), Yield()), Retakes: 10,
		Controller: []CtlStep{{Kind: CtlGC, Arg: 1, After: 3}}}
	for _, who := range []int{Sysmon, Controller, 1} {
		var points atomic.Int64 // safe points passed, by every actor
		testHookSafepoint = func(a *actor) {
			if points.Add(1) > 8 && a.id == who {
				panic(fmt.Sprintf("planted panic in actor %d", who))
			}
		}
		panicked := 0
		for _, mode := range []Mode{Deterministic, FreeRunning} {
			for seed := int64(0); seed < 5; seed++ {
				cfg := cfgFor(t, "small", 2, 3, mode, seed)
				cfg.Record = true
				points.Store(0)
				res := runWithin(t, 10*time.Second, cfg, locked)
				what := fmt.Sprintf("actor %d %v seed %d", who, mode, seed)
				if res.Panic == "" {
					// The actor may not reach a safe point after the
					// first 8 (the program ended first).
					continue
				}
				panicked++
				want := fmt.Sprintf("planted panic in actor %d\n\ngoroutine of %s:\n", who, actorName(who))
				if !strings.HasPrefix(res.Panic, want) {
					t.Fatalf("%s: %q", what, res.Panic)
				}
				if !strings.Contains(res.Panic, "panic_test.go") {
					t.Fatalf("%s: the stack does not show the hook:\n%s", what, res.Panic)
				}
			}
		}
		if panicked == 0 {
			t.Errorf("actor %d never panicked mid-run", who)
		}
	}
	testHookSafepoint = nil
	if after := settledGoroutines(before); after > before {
		t.Fatalf("%d goroutines before, %d after", before, after)
	}
}

// Every panic case above must actually have panicked somewhere: check the
// hook fires for each actor kind with a deterministic seed.
func TestPanicHookReachesEveryActor(t *testing.T) {
	defer func() { testHookSafepoint = nil }()
	w := Workload{Main: Prog(Go(Prog(Sys(), Yield())), Sys(), Yield(), Yield(), Yield()), Retakes: 3,
		Controller: []CtlStep{{Kind: CtlGC, Arg: 1}}}
	for _, who := range []int{Sysmon, Controller, 0, 1} {
		testHookSafepoint = func(a *actor) {
			if a.id == who {
				panic("planted")
			}
		}
		for _, mode := range []Mode{Deterministic, FreeRunning} {
			cfg := cfgFor(t, "small", 2, 2, mode, 0)
			res := runWithin(t, 10*time.Second, cfg, w)
			if !strings.HasPrefix(res.Panic, "planted\n\ngoroutine of "+actorName(who)+":") {
				t.Errorf("actor %d, %v: panic %q", who, mode, firstLine(res.Panic))
			}
		}
	}
}

// runqputslow's throw ("queue is not full": the ring holds more than it
// can, which only a broken consumer makes) is recorded on the op that
// raised it, as every throw is: runqput's put of the G its CAS kicked out
// of runnext (runqputkick), after the runqput or ready that kicked it.
func TestRunqputslowThrowRecorded(t *testing.T) {
	for _, viaReady := range []bool{false, true} {
		s := testSched(t, "small", 1, 1)
		s.rec = true
		mp, pp := s.ms[0], s.ps[0]
		gs := runnableGs(s, 2)
		pp.runnext.Store(gs[0])
		// head 0, tail RunqSize+2: the kicked G goes to a ring that looks
		// fuller than full, and runqputslow's batch is not half of it.
		pp.runqtail.Store(s.n + 2)
		op := "runqput"
		if viaReady {
			op = "ready"
			gs[1].status.Store(gWaiting)
			s.objs = append(s.objs, &waitObj{waiters: []*g{gs[1]}})
			mp.ready(len(s.objs) - 1)
		} else {
			mp.newg = gs[1]
			mp.runqputOp()
		}
		if e := mp.expand(&mp.buf[0]); len(mp.buf) != 1 || e.Op != op || e.Out.Kicked != int(gs[0].idx) || e.Out.Throw != "" {
			t.Fatalf("%s: recorded %d ops, the first %v", op, len(mp.buf), e)
		}
		mp.runqputKick()
		if len(mp.buf) != 2 {
			t.Fatalf("%s: %d ops recorded, want 2", op, len(mp.buf))
		}
		e := mp.expand(&mp.buf[1])
		if e.Op != "runqputkick" || e.Out.G != int(gs[0].idx) || e.Out.Throw != throwRunqputslow {
			t.Fatalf("%s: recorded %v", op, e)
		}
		if got := s.throwMsg.Load(); got == nil || *got != throwRunqputslow {
			t.Fatalf("%s: the run's throw is %v", op, got)
		}
		if !s.done.Load() {
			t.Fatalf("%s: the run did not stop at the throw", op)
		}
	}
}

// throw-outside-op raises the same throw without recording it: the op
// commits with no Output.Throw while the run's Throw is set. This is the
// bug the checker must catch (an unexplained throw).
func TestThrowOutsideOpUnrecorded(t *testing.T) {
	cfg := cfgFor(t, "small", 1, 1, Deterministic, 0)
	cfg.Record = true
	cfg.Faults = []string{"throw-outside-op"}
	res := mustRun(t, cfg, SpawnExit(40, 9, 0))
	if res.Throw != throwRunqputslow {
		t.Fatalf("throw %q, want %q", res.Throw, throwRunqputslow)
	}
	for _, e := range res.History {
		if e.Out.Throw != "" {
			t.Fatalf("an op recorded the throw: %v", e)
		}
	}
	cfg.Faults = nil
	res = mustRun(t, cfg, SpawnExit(40, 9, 0))
	if res.Throw != "" || res.Branches["runqputslow"] == 0 {
		t.Fatalf("control: throw %q, runqputslow %d times (must be reached)", res.Throw, res.Branches["runqputslow"])
	}
}

// TestEveryThrowGoesThroughAnOp audits the source: the scheduler's throw
// is called only by throwOp (and by the planted throw-outside-op fault),
// and no caller drops the throw message a function returns (every
// function of the package whose last result is a string returns one).
func TestEveryThrowGoesThroughAnOp(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var parsed []*ast.File
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
	}
	// Functions and methods whose last result is a string.
	msgFuncs := map[string]int{} // name -> result count
	for _, f := range parsed {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Type.Results == nil {
				continue
			}
			var types []ast.Expr
			for _, r := range fd.Type.Results.List {
				n := max(len(r.Names), 1)
				for i := 0; i < n; i++ {
					types = append(types, r.Type)
				}
			}
			if id, ok := types[len(types)-1].(*ast.Ident); ok && id.Name == "string" && fd.Name.Name != "String" {
				msgFuncs[fd.Name.Name] = len(types)
			}
		}
	}
	for _, must := range []string{"runqput", "runqputslow", "gfput", "execute", "runqstealPublish", "handoffpSectionLocked"} {
		if msgFuncs[must] == 0 {
			t.Fatalf("the audit does not see %s (found %v)", must, msgFuncs)
		}
	}
	calledName := func(c *ast.CallExpr) string {
		switch fn := c.Fun.(type) {
		case *ast.SelectorExpr:
			return fn.Sel.Name
		case *ast.Ident:
			return fn.Name
		}
		return ""
	}
	throwCalls := 0
	for _, f := range parsed {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			var stack []ast.Node
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if n == nil {
					stack = stack[:len(stack)-1]
					return false
				}
				stack = append(stack, n)
				switch n := n.(type) {
				case *ast.CallExpr:
					if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "throw" {
						throwCalls++
						if fd.Name.Name != "throwOp" && !guardedByFault(stack, "throwOutsideOp") {
							t.Errorf("%s: %s calls the scheduler's throw outside throwOp: the throw is not recorded on an op",
								fset.Position(n.Pos()), fd.Name.Name)
						}
					}
				case *ast.ExprStmt:
					if c, ok := n.X.(*ast.CallExpr); ok {
						if name := calledName(c); msgFuncs[name] > 0 && !isStringer(name) {
							t.Errorf("%s: %s drops the throw message %s returns", fset.Position(n.Pos()), fd.Name.Name, name)
						}
					}
				case *ast.AssignStmt:
					if len(n.Rhs) == 1 {
						if c, ok := n.Rhs[0].(*ast.CallExpr); ok {
							name := calledName(c)
							if k := msgFuncs[name]; k > 0 && k == len(n.Lhs) {
								if id, ok := n.Lhs[k-1].(*ast.Ident); ok && id.Name == "_" {
									t.Errorf("%s: %s drops the throw message %s returns", fset.Position(n.Pos()), fd.Name.Name, name)
								}
							}
						}
					}
				}
				return true
			})
		}
	}
	if throwCalls != 2 {
		t.Errorf("%d calls of the scheduler's throw, want 2 (throwOp and the planted fault)", throwCalls)
	}
}

func isStringer(name string) bool { return name == "String" || name == "Error" }

// guardedByFault: the innermost enclosing if statement's condition names
// the fault field.
func guardedByFault(stack []ast.Node, field string) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		if is, ok := stack[i].(*ast.IfStmt); ok {
			found := false
			ast.Inspect(is.Cond, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == field {
					found = true
				}
				return !found
			})
			return found
		}
	}
	return false
}
