// runqputslow: one goroutine spawns far more goroutines than the 256-slot
// ring holds without yielding, so runqput moves half the ring and the new
// G to the global queue; the Ps later take batches back with
// globrunqgetbatch and runqputbatch.
//
// The other Ps are kept busy while the spawner runs: each runs a
// goroutine that spins until the spawner is done. With no idle P, wakep
// starts no spinning M and nothing steals from the spawner's ring, so it
// overflows whatever the machine's load; an idle P's spinning M can
// otherwise steal half the ring as fast as it fills.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
)

func scale() int {
	if n, err := strconv.Atoi(os.Getenv("GEXIT_SCALE")); err == nil && n > 0 {
		return n
	}
	return 1
}

var sink [64]atomic.Int64

func main() {
	for round := 0; round < 10*scale(); round++ {
		// Occupy every other P: each busy goroutine reports that it runs
		// (without blocking: the channel has room for every report), then
		// spins until the spawner is done. A goroutine that has run and
		// never blocks holds its P, so once every report is in, each
		// busy goroutine holds a P of its own and the spawner the last.
		var done atomic.Bool
		started := make(chan struct{}, runtime.GOMAXPROCS(0))
		var busy sync.WaitGroup
		for range runtime.GOMAXPROCS(0) - 1 {
			busy.Add(1)
			go func() {
				defer busy.Done()
				started <- struct{}{}
				for !done.Load() {
				}
			}()
		}
		for range runtime.GOMAXPROCS(0) - 1 {
			<-started
		}
		var wg sync.WaitGroup
		for i := 0; i < 1500; i++ {
			wg.Add(1)
			go func() {
				sink[i%64].Add(1)
				wg.Done()
			}()
		}
		done.Store(true)
		busy.Wait()
		wg.Wait()
	}
	fmt.Println("runqputslow: ok")
}
