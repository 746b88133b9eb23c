// Spawn storms: bursts of goroutines that block on a channel and then all
// exit at once. The Ps that run the exits push their free lists past 64,
// so gfput spills 33 Gs to sched.gFree; the next burst empties the local
// lists and gfget refills them from the global lists.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
)

func scale() int {
	if n, err := strconv.Atoi(os.Getenv("GEXIT_SCALE")); err == nil && n > 0 {
		return n
	}
	return 1
}

func main() {
	rounds := 20 * scale()
	for round := 0; round < rounds; round++ {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < 400; i++ {
			wg.Add(1)
			go func() {
				<-start
				wg.Done()
			}()
		}
		close(start)
		wg.Wait()
		// A second wave spawned from several goroutines: each refills its
		// P's list from the global lists.
		var wg2 sync.WaitGroup
		for s := 0; s < 4; s++ {
			wg2.Add(1)
			go func() {
				defer wg2.Done()
				var inner sync.WaitGroup
				for i := 0; i < 100; i++ {
					inner.Add(1)
					go inner.Done()
				}
				inner.Wait()
			}()
		}
		wg2.Wait()
	}
	fmt.Println("spawn: ok")
}
