package conform

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"runtime"
	"runtime/metrics"
	"runtime/trace"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A Workload exercises one part of the goroutine lifecycle while a trace
// is recorded. Scale multiplies its size (1 = a quick run).
type Workload struct {
	Name    string
	Summary string
	Run     func(ctx context.Context, scale int)
}

// Workloads are the bundled workloads, in the order "all" runs them.
var Workloads = []Workload{
	{"spawn", "spawn/exit storms: batches of goroutines that return at once", runSpawn},
	{"goexit", "goroutines ending by runtime.Goexit, with deferred calls", runGoexit},
	{"locked", "goroutines exiting while locked to their thread (LockOSThread), marked with a log annotation", runLocked},
	{"chan", "channel ping-pong and fan-in: goroutines blocking and being readied", runChan},
	{"syscall", "blocking system calls long enough for sysmon to take the P (ProcSteal)", runSyscall},
	{"preempt", "runtime.Gosched loops, CPU-bound loops preempted asynchronously, GCs stopping the world while they run", runPreempt},
	{"coro", "iter.Pull coroutines (created blocked, switched to, ended)", runCoro},
	{"procs", "GOMAXPROCS changes while goroutines come and go", runProcs},
	{"generations", "goroutines alive, blocked and in syscalls across a trace generation boundary (>1 s)", runGenerations},
}

// WorkloadNames lists the names -run accepts, "all" last.
func WorkloadNames() []string {
	var ns []string
	for _, w := range Workloads {
		ns = append(ns, w.Name)
	}
	return append(ns, "all")
}

// LookupWorkload finds a workload by name ("all" runs every workload
// except "generations", which takes over a second).
func LookupWorkload(name string) (Workload, bool) {
	if name == "all" {
		return Workload{"all", "every workload but generations, one after another", func(ctx context.Context, scale int) {
			for _, w := range Workloads {
				if w.Name != "generations" {
					w.Run(ctx, scale)
				}
			}
		}}, true
	}
	for _, w := range Workloads {
		if w.Name == name {
			return w, true
		}
	}
	return Workload{}, false
}

func runSpawn(_ context.Context, scale int) { spawnBatches(20*scale, 200) }

// spawnBatches starts n batches of size goroutines that return at once,
// waiting for each batch.
func spawnBatches(n, size int) {
	for b := 0; b < n; b++ {
		var wg sync.WaitGroup
		for i := 0; i < size; i++ {
			wg.Go(func() {})
		}
		wg.Wait()
	}
}

func runGoexit(_ context.Context, scale int) {
	var wg sync.WaitGroup
	sink := 0
	var mu sync.Mutex
	for i := 0; i < 500*scale; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { mu.Lock(); sink++; mu.Unlock() }()
			if i%2 == 0 {
				runtime.Goexit()
			}
			func() {
				defer func() { mu.Lock(); sink++; mu.Unlock() }()
				runtime.Goexit() // from a nested call
			}()
		}()
	}
	wg.Wait()
}

func runLocked(ctx context.Context, scale int) {
	for i := 0; i < 4*scale; i++ {
		var wg sync.WaitGroup
		for j := 0; j < 4; j++ {
			wg.Add(1)
			go func() {
				runtime.LockOSThread()
				// Do a little work on the locked thread: block and wake up.
				time.Sleep(50 * time.Microsecond)
				runtime.Gosched()
				wg.Done()
				trace.Log(ctx, LogCategory, MarkLockedExit)
				// Return without UnlockOSThread: the thread exits with us.
			}()
		}
		wg.Wait()
		// Keep the scheduler busy so that a reused thread would show.
		spawnBatches(5, 40)
	}
}

func runChan(_ context.Context, scale int) {
	// Ping-pong on unbuffered channels.
	var wg sync.WaitGroup
	for p := 0; p < 8; p++ {
		ping, pong := make(chan int), make(chan int)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < 200*scale; i++ {
				ping <- i
				<-pong
			}
			close(ping)
		}()
		go func() {
			defer wg.Done()
			for v := range ping {
				pong <- v
			}
		}()
	}
	// Fan-in: many senders blocked on one receiver.
	c := make(chan int)
	for i := 0; i < 100*scale; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); c <- i }()
	}
	for i := 0; i < 100*scale; i++ {
		<-c
	}
	// Blocked on a mutex and a condition.
	var mu sync.Mutex
	mu.Lock()
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); mu.Lock(); time.Sleep(time.Microsecond); mu.Unlock() }()
	}
	time.Sleep(time.Millisecond)
	mu.Unlock()
	wg.Wait()
}

func runSyscall(_ context.Context, scale int) {
	var wg sync.WaitGroup
	for i := 0; i < 2*scale; i++ {
		// Keep every P busy, so that a goroutine coming back from a long
		// syscall finds its P taken and no idle one: Syscall -> Runnable.
		stop := make(chan struct{})
		var spin sync.WaitGroup
		for j := 0; j < runtime.GOMAXPROCS(0); j++ {
			spin.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
						runtime.Gosched()
					}
				}
			})
		}
		for j := 0; j < 4; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Long enough (20 ms, against sysmon's 20 µs..10 ms tick)
				// for retake to take the P (a ProcSteal).
				ts := syscall.NsecToTimespec(int64(20 * time.Millisecond))
				syscall.Nanosleep(&ts, nil)
				// A short real syscall: Running -> Syscall -> Running.
				syscall.Syscall(syscall.SYS_GETPID, 0, 0, 0)
			}()
		}
		wg.Wait()
		close(stop)
		spin.Wait()
	}
}

// spinSink keeps the spinning loops from being optimized away.
var spinSink atomic.Int64

// spin runs a tight loop, with no call in its inner part (so only
// asynchronous preemption stops it), while more says so.
func spin(more func() bool) {
	x := 0
	for more() {
		for k := 0; k < 1000; k++ {
			x += k * k
		}
	}
	spinSink.Add(int64(x))
}

func runPreempt(_ context.Context, scale int) {
	var wg sync.WaitGroup
	// Cooperative: Gosched.
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 50*scale; k++ {
				runtime.Gosched()
			}
		}()
	}
	// Asynchronous preemption: tight loops with more goroutines than Ps,
	// each running longer than the 10 ms time slice.
	n := runtime.GOMAXPROCS(0) + 2
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			deadline := time.Now().Add(time.Duration(15*scale) * time.Millisecond)
			spin(func() bool { return time.Now().Before(deadline) })
		}()
	}
	wg.Wait()
	// Stop-the-worlds while goroutines run: a spinner for every P until
	// eight GCs are done, each GC's two stop-the-worlds preempting them.
	var stop atomic.Bool
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() { spin(func() bool { return !stop.Load() }) })
	}
	for range 8 {
		time.Sleep(time.Millisecond)
		runtime.GC()
	}
	stop.Store(true)
	wg.Wait()
}

func runCoro(_ context.Context, scale int) {
	seq := func(n int) iter.Seq[int] {
		return func(yield func(int) bool) {
			for i := 0; i < n; i++ {
				if !yield(i) {
					return
				}
			}
		}
	}
	for i := 0; i < 50*scale; i++ {
		next, stop := iter.Pull(seq(20))
		for {
			_, ok := next()
			if !ok {
				break
			}
		}
		stop()
		// One stopped early, and one never started.
		next, stop = iter.Pull(seq(20))
		next()
		stop()
		_, stop = iter.Pull(seq(1))
		stop()
	}
	// Pulls from other goroutines.
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Go(func() {
			next, stop := iter.Pull(seq(50 * scale))
			defer stop()
			for {
				if _, ok := next(); !ok {
					return
				}
			}
		})
	}
	wg.Wait()
}

func runProcs(ctx context.Context, scale int) {
	orig := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(orig)
	for i := 0; i < 6*scale; i++ {
		runtime.GOMAXPROCS(1 + i%4)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for j := 0; j < 4; j++ {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
						runtime.Gosched()
					}
				}
			})
		}
		runSpawn(ctx, 1)
		runtime.GOMAXPROCS(1 + (i+2)%4)
		runSpawn(ctx, 1)
		close(stop)
		wg.Wait()
	}
}

func runGenerations(_ context.Context, scale int) {
	release := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Go(func() { <-release }) // Waiting across the boundary
	}
	var stop atomic.Bool
	wg.Go(func() { // Running (preempted now and then) across the boundary
		x := 0
		for !stop.Load() {
			for k := 0; k < 1000; k++ {
				x += k * k
			}
		}
		spinSink.Add(int64(x))
	})
	wg.Go(func() { // in a syscall across the boundary
		ts := syscall.NsecToTimespec(int64(1200 * time.Millisecond))
		syscall.Nanosleep(&ts, nil)
	})
	_, stopPull := iter.Pull(func(yield func(int) bool) { yield(1) }) // a coroutine never started
	time.Sleep(1100 * time.Millisecond)
	spawnBatches(5*scale, 40)
	close(release)
	stop.Store(true)
	stopPull()
	wg.Wait()
}

// Metrics is a runtime/metrics reading of the goroutine counters.
type Metrics struct {
	Created uint64 // /sched/goroutines-created:goroutines
	Live    uint64 // /sched/goroutines:goroutines
}

// ReadMetrics reads the goroutine counters.
func ReadMetrics() Metrics {
	s := []metrics.Sample{
		{Name: "/sched/goroutines-created:goroutines"},
		{Name: "/sched/goroutines:goroutines"},
	}
	metrics.Read(s)
	var m Metrics
	if s[0].Value.Kind() == metrics.KindUint64 {
		m.Created = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() == metrics.KindUint64 {
		m.Live = s[1].Value.Uint64()
	}
	return m
}

// Recording is a trace of a workload with the metrics read around it.
type Recording struct {
	Trace []byte
	// Before and After are read just inside the window the trace marks
	// with MarkWindowBegin / MarkWindowEnd.
	Before, After Metrics
}

// MetricsCreated and MetricsExited are the window's creations and exits
// according to runtime/metrics (exited = created - growth of live).
func (r *Recording) MetricsCreated() int { return int(r.After.Created - r.Before.Created) }

// MetricsExited: see MetricsCreated.
func (r *Recording) MetricsExited() int {
	return r.MetricsCreated() - (int(r.After.Live) - int(r.Before.Live))
}

var recordMu sync.Mutex

// Record runs workload w under GOMAXPROCS procs (0: unchanged) with
// runtime/trace recording into memory. The process must not be tracing
// already.
func Record(w Workload, procs, scale int) (*Recording, error) {
	recordMu.Lock()
	defer recordMu.Unlock()
	if procs > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	}
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		return nil, fmt.Errorf("starting the trace: %w", err)
	}
	ctx := context.Background()
	rec := &Recording{}
	// Goroutines that exited before the window (an earlier workload's)
	// must have reached the free list first: one doing so after Before is
	// read lowers the live count, an exit the window's trace lacks.
	settle(nil)
	rec.Before = ReadMetrics()
	trace.Log(ctx, LogCategory, MarkWindowBegin)
	w.Run(ctx, scale)
	// Every workload waits for its goroutines' work, not for their exits:
	// the live count must first come back to where it was.
	settle(&rec.Before)
	trace.Log(ctx, LogCategory, MarkWindowEnd)
	rec.After = ReadMetrics()
	trace.Stop()
	rec.Trace = buf.Bytes()
	return rec, nil
}

// settle waits for goroutines that have finished their work to be done
// exiting as runtime/metrics sees it (Record calls it on both sides of the
// window). The trace records an exit (goexit1's GoDestroy) before the G
// reaches the free list (gdestroy -> gfput), and /sched/goroutines counts
// it as live until then: read right after a WaitGroup.Wait, the metrics
// lag the trace by the goroutines still in between, and under -race a
// goroutine can stay in between for milliseconds. With a baseline, settle
// first waits (up to settleMax) for the live count to come back down to
// the baseline's; then, or without one, it polls until the count stays
// put for a few reads.
func settle(base *Metrics) {
	if base != nil {
		for start := time.Now(); ReadMetrics().Live > base.Live && time.Since(start) < settleMax; {
			time.Sleep(50 * time.Microsecond)
		}
	}
	last, same := ReadMetrics(), 0
	for i := 0; i < 1000 && same < 3; i++ {
		time.Sleep(50 * time.Microsecond)
		m := ReadMetrics()
		if m == last {
			same++
		} else {
			same, last = 0, m
		}
	}
}

// settleMax bounds settle's wait for the baseline: a goroutine some other
// part of the process started in the window keeps the count above it for
// good, and the check then reports what it sees.
const settleMax = 2 * time.Second

// MetricsMismatch compares the window's creations and exits in the report
// with runtime/metrics; "" when they agree.
func MetricsMismatch(rec *Recording, rep *Report) string {
	w := rep.Window
	if !w.Begun || !w.Ended {
		return "the trace has no complete metrics window"
	}
	var msgs []string
	if mc := rec.MetricsCreated(); mc != w.Created {
		msgs = append(msgs, fmt.Sprintf("created: metrics %d, trace %d (%d runtime)", mc, w.Created, w.CreatedSystem))
	}
	if me := rec.MetricsExited(); me != w.Exited {
		msgs = append(msgs, fmt.Sprintf("exited: metrics %d, trace %d (%d runtime)", me, w.Exited, w.ExitedSystem))
	}
	sort.Strings(msgs)
	if len(msgs) == 0 {
		return ""
	}
	return fmt.Sprint(msgs)
}
