//go:build linux

package checker

import (
	"fmt"
	"os"
	"syscall"
)

// spillSupported: this platform can map a spilled frontier back.
const spillSupported = true

// mapFile maps the first n bytes of f read-only and tells the kernel they
// will be read in order (read-ahead).
func mapFile(f *os.File, n int64) ([]byte, error) {
	m, err := syscall.Mmap(int(f.Fd()), 0, int(n), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	syscall.Madvise(m, syscall.MADV_SEQUENTIAL)
	return m, nil
}

func unmapFile(m []byte) { syscall.Munmap(m) }

// dropPages drops the mapped pages wholly inside m[lo:hi]: they are clean
// pages of a file, which the kernel reads again should anything touch
// them, so this changes the resident memory only, never what is read.
func dropPages(m []byte, lo, hi int64) {
	pg := int64(os.Getpagesize())
	lo = lo / pg * pg
	hi = hi / pg * pg
	if hi > lo {
		syscall.Madvise(m[lo:hi], syscall.MADV_DONTNEED)
	}
}

// Magic numbers of the file systems that keep files in memory (statfs(2)).
const (
	tmpfsMagic = 0x01021994
	ramfsMagic = 0x858458f6
)

// checkSpillDir refuses a directory the spill cannot use or that would
// keep it in memory anyway.
func checkSpillDir(dir string) error {
	inMem, err := inMemoryFS(dir)
	if err != nil {
		return fmt.Errorf("explore: spill directory: %v", err)
	}
	if inMem {
		return fmt.Errorf("explore: spill directory %s is in memory (tmpfs): spilling the frontier there saves no memory; give a directory on disk", dir)
	}
	f, err := os.CreateTemp(dir, "gexit-frontier-*")
	if err != nil {
		return fmt.Errorf("explore: spill directory: %v", err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// inMemoryFS reports whether dir is on a file system kept in memory.
func inMemoryFS(dir string) (bool, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return false, err
	}
	return st.Type == tmpfsMagic || st.Type == ramfsMagic, nil
}
