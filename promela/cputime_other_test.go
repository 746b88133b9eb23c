//go:build !unix

package promela

import "time"

// selfCPU is not measured here: the benchmark reports wall-clock rates only.
func selfCPU() time.Duration { return 0 }
