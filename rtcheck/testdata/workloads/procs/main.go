// GOMAXPROCS changes during churn: procresize destroys Ps (p.destroy puts
// their run queues at the head of the global queue and gfpurge moves their
// free Gs to the global lists) and brings them back.
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

func main() {
	var stop atomic.Bool
	var wg sync.WaitGroup
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				var inner sync.WaitGroup
				for i := 0; i < 100; i++ {
					inner.Add(1)
					go func() {
						runtime.Gosched()
						inner.Done()
					}()
				}
				inner.Wait()
			}
		}()
	}
	sizes := []int{4, 1, 8, 2, 6, 1, 3}
	for i := 0; i < 4*scale(); i++ {
		for _, n := range sizes {
			runtime.GOMAXPROCS(n)
			// Let the churners fill the new Ps' lists.
			var w sync.WaitGroup
			for j := 0; j < 150; j++ {
				w.Add(1)
				go w.Done()
			}
			w.Wait()
		}
	}
	stop.Store(true)
	wg.Wait()
	fmt.Println("procs: ok")
}
