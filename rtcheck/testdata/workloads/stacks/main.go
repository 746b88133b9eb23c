// Stacks: goroutines grow their stacks past the starting size, so gfput
// frees them; with GODEBUG=adaptivestackstart=1 a GC while deep stacks are
// alive raises startingStackSize, a GC with only shallow ones lowers it,
// and gfget then finds Gs whose kept stacks have a stale size (freed and
// reallocated), or no stack at all (allocated).
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

// deepWait blocks on ch n frames deep: GC scans the used part of a stack
// (hi - sp), so the depth has to be in use while the GC runs.
//
//go:noinline
func deepWait(n int, ch chan struct{}) int {
	var pad [256]byte
	pad[n%256] = byte(n)
	if n == 0 {
		<-ch
		return int(pad[0])
	}
	return deepWait(n-1, ch) + int(pad[n%256])
}

//go:noinline
func deep(n int) int {
	var pad [256]byte
	pad[n%256] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return deep(n-1) + int(pad[n%256])
}

var sink int

func main() {
	for round := 0; round < 5*scale(); round++ {
		// Deep stacks alive through a GC: startingStackSize grows.
		var wg sync.WaitGroup
		release := make(chan struct{})
		for i := 0; i < 200; i++ {
			wg.Add(1)
			go func() {
				sink += deepWait(40, release) // about 12 KB of stack in use
				wg.Done()
			}()
		}
		runtime.GC()
		runtime.GC()
		close(release)
		wg.Wait()
		// Only shallow stacks through a GC: it shrinks again.
		runtime.GC()
		runtime.GC()
		// New goroutines reuse the Gs: kept stacks of a stale size are
		// freed and reallocated, stackless Gs get a stack.
		var wg2 sync.WaitGroup
		for i := 0; i < 200; i++ {
			wg2.Add(1)
			go func() {
				if i%2 == 0 {
					sink += deep(20) // grows past the starting size: gfput frees it
				}
				wg2.Done()
			}()
		}
		wg2.Wait()
	}
	fmt.Println("stacks: ok")
}
