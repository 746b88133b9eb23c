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
	// CPU-bound goroutines: one per P, so a sleeper that loses its P finds
	// none idle when it returns.
	sleepersAgainst(procs, 200*time.Microsecond, 0)
	// Then with CPU-bound goroutines that pause: a sleeper that finds every
	// P busy in exitsyscallTryGetP may find one idle under sched.lock in
	// exitsyscallNoP, which must take it (a window of a few hundred
	// nanoseconds; the runtime mutation table widens it).
	sleepersAgainst(procs, 300*time.Microsecond, 100*time.Microsecond)
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

// sleepersAgainst runs four goroutines making blocking syscalls (2ms
// nanosleeps, which outlast sysmon's retake) against procs CPU-bound
// goroutines that spin for spin and then sleep for pause (none: 0),
// until the sleepers are done.
func sleepersAgainst(procs int, spin, pause time.Duration) {
	var stop atomic.Bool
	var wg, sleepers sync.WaitGroup
	for i := 0; i < procs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				end := time.Now().Add(spin)
				for time.Now().Before(end) {
				}
				if pause > 0 {
					time.Sleep(pause)
				}
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
}
