//go:build !linux

package checker

import (
	"errors"
	"os"
)

const spillSupported = false

func mapFile(f *os.File, n int64) ([]byte, error) {
	return nil, errors.New("no mmap in this build")
}

func unmapFile(m []byte) {}

func dropPages(m []byte, lo, hi int64) {}

func checkSpillDir(dir string) error { return nil }

func inMemoryFS(dir string) (bool, error) { return false, nil }
