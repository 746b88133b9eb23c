// runqputslow: one goroutine spawns far more goroutines than the 256-slot
// ring holds without yielding, so runqput moves half the ring and the new
// G to the global queue; other Ps (and this one) later take batches back
// with globrunqgetbatch and runqputbatch.
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

var sink [64]int

func main() {
	for round := 0; round < 10*scale(); round++ {
		var wg sync.WaitGroup
		for i := 0; i < 1500; i++ {
			wg.Add(1)
			go func() {
				sink[i%64]++
				wg.Done()
			}()
		}
		wg.Wait()
	}
	fmt.Println("runqputslow: ok")
}
