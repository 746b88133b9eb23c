// The idle P list (sched.pidle, LIFO) around blocking system calls, under
// GOMAXPROCS 2. The sleeps are raw nanosleep system calls: no netpoller,
// and no timer anywhere in the program, so no M blocks in netpoll and
// sched.lastpoll stays set.
//
// One sleeper: main sleeps past sysmon's 10 ms grace while P1 is idle;
// retake takes P0 and handoffp's last-P branch (npidle == gomaxprocs-1,
// lastpoll != 0) starts an M for it instead of idling it; that M finds
// nothing and idles P0; main's exitsyscall gets P0 back from pidleget
// (exitsyscallTryGetP's idle path).
//
// Two sleepers: B sleeps on P1, then main on P0 (main spins until B is
// in its system call: yielding would let B's P run main too). With no P idle, retake
// takes P0 at once (a spinning M, which idles it); P1, the last running P,
// goes to an M by the last-P branch and is idled after P0: the list is
// [P1 P0]. B comes back to P1 and exits, idling P1 again; main comes back
// to P1, the most recently idled P, not to its old P0.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
)

func scale() int {
	if n, err := strconv.Atoi(os.Getenv("GEXIT_SCALE")); err == nil && n > 0 {
		return n
	}
	return 1
}

func sleep(ms int64) {
	ts := syscall.NsecToTimespec(ms * 1e6)
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}

func main() {
	prev := runtime.GOMAXPROCS(2)
	sleep(2) // let P1 go idle
	for i := 0; i < 2*scale(); i++ {
		sleep(50)
	}
	for i := 0; i < 2*scale(); i++ {
		var inSyscall atomic.Bool
		done := make(chan struct{})
		go func() {
			inSyscall.Store(true)
			sleep(50)
			close(done)
		}()
		// Spin, keeping P0: B runs on P1 (a spinning M steals it).
		for !inSyscall.Load() {
		}
		sleep(100)
		<-done
	}
	runtime.GOMAXPROCS(prev)
	fmt.Println("pidle: ok")
}
