// A program that reads its own records through the function the overlay
// exports from package runtime (built only with the instrumented runtime):
// it spawns some goroutines, then writes every record it can read to the
// file named by its argument and prints the runtime's counters.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go wg.Done()
	}
	wg.Wait()
	var all []byte
	buf := make([]byte, 64*1024)
	for {
		n := runtime.GexitRead(buf)
		if n == 0 {
			break
		}
		all = append(all, buf[:n]...)
	}
	if err := os.WriteFile(os.Args[1], all, 0o644); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	reserved, drained, lost := runtime.GexitStats()
	fmt.Println(reserved, drained, lost)
}
