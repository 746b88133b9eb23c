// A finalizer and a cleanup each call runtime.Goexit, which ends the
// goroutine running them (golang/go#71824). Both goroutines were counted
// in sched.ngsys when they started (system goroutines), and gdestroy asks
// isSystemGoroutine again while they run user code, gets no, and leaves
// ngsys one too high for each: runtime.NumGoroutine then reports two
// goroutines fewer than there are. The judge reports both (NGSysCount).
package main

import (
	"fmt"
	"runtime"
	"time"
)

func main() {
	fin, cl := make(chan bool), make(chan bool)
	x := new([64]byte)
	runtime.SetFinalizer(x, func(*[64]byte) { close(fin); runtime.Goexit() })
	y := new([64]byte)
	runtime.AddCleanup(y, func(int) { close(cl); runtime.Goexit() }, 0)
	x, y = nil, nil
	deadline := time.Now().Add(10 * time.Second)
	for fin != nil || cl != nil {
		if time.Now().After(deadline) {
			panic("finalizer-goexit: the finalizer or the cleanup never ran")
		}
		runtime.GC()
		select {
		case <-fin:
			fin = nil
		case <-cl:
			cl = nil
		case <-time.After(10 * time.Millisecond):
		}
	}
	// Let both goroutines finish exiting (Goexit's deferred calls, then
	// goexit1 -> gdestroy) before the process ends.
	time.Sleep(50 * time.Millisecond)
	block := make(chan bool)
	go func() { <-block }()
	fmt.Println("finalizer-goexit: NumGoroutine with main and one more:", runtime.NumGoroutine())
	close(block)
}
