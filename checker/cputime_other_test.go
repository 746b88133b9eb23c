//go:build !unix

package checker

import "time"

func processCPU() time.Duration { return 0 }
