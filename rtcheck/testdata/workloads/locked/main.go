// Locked-thread exits: goroutines that call runtime.LockOSThread and
// return without unlocking. gdestroy takes the locked branch: the G is
// still recycled through gfput, and its thread exits through mexit,
// handing its P off.
package main

import (
	"fmt"
	"os"
	"runtime"
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
	for round := 0; round < 30*scale(); round++ {
		var wg sync.WaitGroup
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.LockOSThread()
				// Some unlocked work on the side, then exit still locked.
				done := make(chan struct{})
				go func() { close(done) }()
				<-done
			}()
		}
		wg.Wait()
	}
	fmt.Println("locked: ok")
}
