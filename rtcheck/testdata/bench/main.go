// Create+exit cycles for the overhead benchmark: the main goroutine
// starts a goroutine and waits for it, n times; the new G goes through
// newproc1 (gfget), runqput to runnext, runs, signals and exits through
// gdestroy and gfput. Prints the mean nanoseconds per cycle.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func main() {
	n := 200000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	done := make(chan struct{})
	f := func() { done <- struct{}{} }
	for i := 0; i < 1000; i++ { // warm the free lists
		go f()
		<-done
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		go f()
		<-done
	}
	fmt.Println(time.Since(start).Nanoseconds() / int64(n))
}
