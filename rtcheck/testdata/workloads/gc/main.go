// GC during churn: goroutines keep spawning and exiting (so spills leave
// Gs with stacks on sched.gFree.stack) while GC cycles run: every mark
// phase's markrootFreeGStacks frees those stacks and moves the Gs to
// sched.gFree.noStack.
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

var garbage atomic.Pointer[[]byte]

func main() {
	stop := make(chan struct{})
	var churners sync.WaitGroup
	for c := 0; c < 2; c++ {
		churners.Add(1)
		go func() {
			defer churners.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var wg sync.WaitGroup
				gate := make(chan struct{})
				for i := 0; i < 150; i++ {
					wg.Add(1)
					go func() {
						<-gate
						b := make([]byte, 512)
						garbage.Store(&b)
						wg.Done()
					}()
				}
				close(gate)
				wg.Wait()
			}
		}()
	}
	for i := 0; i < 15*scale(); i++ {
		// A burst that spills right before the cycle.
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for j := 0; j < 200; j++ {
			wg.Add(1)
			go func() { <-gate; wg.Done() }()
		}
		close(gate)
		wg.Wait()
		runtime.GC()
	}
	close(stop)
	churners.Wait()
	fmt.Println("gc: ok")
}
