// main calls runtime.Goexit while locked to its thread: gdestroy takes the
// locked branch on m0, which cannot exit and is wedged (mexit), and once
// the last worker exits checkdead ends the program with "no goroutines
// (main called runtime.Goexit) - deadlock!" (exit status 2, expected).
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				runtime.Gosched()
			}
		}()
	}
	go func() {
		wg.Wait()
		fmt.Println("goexit: workers done")
	}()
	runtime.LockOSThread()
	runtime.Goexit()
}
