// Syscalls: short ones return with the P still held (exitsyscall's fast
// path); blocking ones outlast sysmon's retake, which hands the P off
// (handoffp), so they come back without it: another idle P
// (exitsyscallTryGetP), or none because CPU-bound goroutines hold them all
// (exitsyscallNoP: the G goes to the global queue and the M stops).
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func scale() int {
	if n, err := strconv.Atoi(os.Getenv("GEXIT_SCALE")); err == nil && n > 0 {
		return n
	}
	return 1
}

func main() {
	// Fast path.
	for i := 0; i < 200; i++ {
		syscall.Getpid()
	}
	procs := 1
	if s := os.Getenv("GOMAXPROCS"); s != "" {
		procs, _ = strconv.Atoi(s)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	// CPU-bound goroutines: one per P, so a sleeper that loses its P finds
	// none idle when it returns.
	for i := 0; i < procs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				end := time.Now().Add(200 * time.Microsecond)
				for time.Now().Before(end) {
				}
			}
		}()
	}
	var sleepers sync.WaitGroup
	for i := 0; i < 4; i++ {
		sleepers.Add(1)
		go func() {
			defer sleepers.Done()
			ts := syscall.Timespec{Nsec: 2e6}
			for j := 0; j < 10*scale(); j++ {
				syscall.Nanosleep(&ts, nil)
			}
		}()
	}
	sleepers.Wait()
	stop.Store(true)
	wg.Wait()
	// Then with CPU-bound goroutines that pause: a sleeper that finds every
	// P busy in exitsyscallTryGetP may find one idle under sched.lock in
	// exitsyscallNoP, which must take it (a window of a few hundred
	// nanoseconds; the runtime mutation table widens it).
	stop.Store(false)
	for i := 0; i < procs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				end := time.Now().Add(300 * time.Microsecond)
				for time.Now().Before(end) {
				}
				time.Sleep(100 * time.Microsecond)
			}
		}()
	}
	for i := 0; i < 4; i++ {
		sleepers.Add(1)
		go func() {
			defer sleepers.Done()
			ts := syscall.Timespec{Nsec: 2e6}
			for j := 0; j < 10*scale(); j++ {
				syscall.Nanosleep(&ts, nil)
			}
		}()
	}
	sleepers.Wait()
	stop.Store(true)
	wg.Wait()
	// And with idle Ps around: blocking syscalls come back to an idle P.
	for j := 0; j < 10*scale(); j++ {
		var w sync.WaitGroup
		for i := 0; i < 2; i++ {
			w.Add(1)
			go func() {
				ts := syscall.Timespec{Nsec: 1e6}
				syscall.Nanosleep(&ts, nil)
				w.Done()
			}()
		}
		w.Wait()
	}
	fmt.Println("syscall: ok")
}
