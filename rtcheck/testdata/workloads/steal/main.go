// Stealing: one goroutine spawns work faster than its P runs it, so idle
// Ps steal half of its ring (runqgrab, runqsteal); chains of goroutines
// that spawn their successor into runnext and keep running make other Ps
// steal runnext (stealRunNextG in stealWork's last round).
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

func scale() int {
	if n, err := strconv.Atoi(os.Getenv("GEXIT_SCALE")); err == nil && n > 0 {
		return n
	}
	return 1
}

func spin(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
	}
}

func chain(n int, wg *sync.WaitGroup) {
	if n == 0 {
		wg.Done()
		return
	}
	go chain(n-1, wg) // into runnext
	spin(20 * time.Microsecond)
}

func main() {
	for round := 0; round < 10*scale(); round++ {
		var wg sync.WaitGroup
		for i := 0; i < 300; i++ {
			wg.Add(1)
			go func() {
				spin(5 * time.Microsecond)
				wg.Done()
			}()
		}
		wg.Wait()
		var cw sync.WaitGroup
		for c := 0; c < 4; c++ {
			cw.Add(1)
			go chain(40, &cw)
		}
		cw.Wait()
	}
	fmt.Println("steal: ok")
}
