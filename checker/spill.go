package checker

import (
	"fmt"
	"os"
)

// spiller keeps a slab's frontier on disk beyond a bound on the memory it
// may hold. A BFS level is written once, in order, and read once, in order
// (its tasks read their states in frontier order, a few rounds apart), so
// a file suits it: once the slab holds limit bytes in memory, each chunk
// it fills is written at the file's end and its buffer reused for the
// next, and when the level is read the file is mapped (mmap, read-only)
// and each spilled chunk becomes a slice of the mapping. Pages a finished
// round read are dropped (madvise MADV_DONTNEED), so the mapped part of
// the frontier stays a few rounds wide. The file is removed as soon as it
// is created: it lives as long as the open descriptor, so nothing is left
// behind when a run ends, fails or is killed.
type spiller struct {
	limit   int      // bytes of chunks the slab keeps in memory
	f       *os.File // nil until the first chunk is spilled
	dir     string
	create  func(dir, pattern string) (*os.File, error) // os.CreateTemp (tests plant a failing one)
	written int64                                       // bytes written to f for the current level
	ext     []extent                                    // per chunk of the slab: where it lies in f (n == 0: in memory)
	inMem   int                                         // bytes of the slab's chunks in memory
	mapped  []byte                                      // f mapped for reading, nil while writing
	dropped int                                         // chunks before this one were dropped from the mapping
	total   int64                                       // bytes spilled over the run
	err     error                                       // the first write or map error
}

type extent struct{ off, n int64 }

// newSpiller returns a spiller for a slab that keeps at most limit bytes
// in memory and writes the rest to a file in dir (checked by the caller:
// checkSpillDir).
func newSpiller(dir string, limit int, create func(dir, pattern string) (*os.File, error)) *spiller {
	if create == nil {
		create = os.CreateTemp
	}
	return &spiller{limit: limit, dir: dir, create: create}
}

// spillFull writes the slab's last chunk, c (full), to the file and
// reports whether it did; the caller then reuses c's buffer.
func (sp *spiller) spillFull(s *slab, c []byte) bool {
	if sp.err != nil || sp.inMem < sp.limit {
		return false
	}
	if sp.f == nil {
		f, err := sp.create(sp.dir, "gexit-frontier-*")
		if err != nil {
			sp.err = err
			return false
		}
		os.Remove(f.Name()) // kept while open; gone when the run ends
		sp.f = f
	}
	if _, err := sp.f.WriteAt(c, sp.written); err != nil {
		sp.err = err
		return false
	}
	i := len(s.chunks) - 1
	for len(sp.ext) <= i {
		sp.ext = append(sp.ext, extent{})
	}
	sp.ext[i] = extent{sp.written, int64(len(c))}
	sp.written += int64(len(c))
	sp.total += int64(len(c))
	sp.inMem -= cap(c)
	s.chunks[i] = nil
	return true
}

// seal maps the spilled chunks for reading, once the slab is complete.
func (sp *spiller) seal(s *slab) error {
	if sp.err != nil {
		return fmt.Errorf("explore: spilling the frontier to %s: %v", sp.dir, sp.err)
	}
	if sp.written == 0 {
		return nil
	}
	m, err := mapFile(sp.f, sp.written)
	if err != nil {
		return fmt.Errorf("explore: mapping the spilled frontier: %v", err)
	}
	sp.mapped = m
	for i, e := range sp.ext {
		if e.n != 0 {
			s.chunks[i] = m[e.off : e.off+e.n : e.off+e.n]
		}
	}
	return nil
}

// drop releases the mapped pages of the chunks before chunk upTo, which
// no task reads again.
func (sp *spiller) drop(s *slab, upTo int) {
	if sp.mapped == nil {
		return
	}
	lo, hi := int64(-1), int64(0)
	for i := sp.dropped; i < upTo && i < len(sp.ext); i++ {
		if e := sp.ext[i]; e.n != 0 {
			if lo < 0 {
				lo = e.off
			}
			hi = e.off + e.n
		}
	}
	sp.dropped = max(sp.dropped, upTo)
	if lo >= 0 {
		dropPages(sp.mapped, lo, hi)
	}
}

// reset unmaps and empties the file for the slab's next level; the
// slab's spilled chunks (slices of the mapping) must not be reused.
func (sp *spiller) reset(s *slab) {
	for i, e := range sp.ext {
		if e.n != 0 && i < len(s.chunks) {
			s.chunks[i] = nil
		}
	}
	if sp.mapped != nil {
		unmapFile(sp.mapped)
		sp.mapped = nil
	}
	if sp.f != nil && sp.written > 0 {
		if err := sp.f.Truncate(0); err != nil && sp.err == nil {
			sp.err = err
		}
	}
	sp.written, sp.inMem, sp.dropped = 0, 0, 0
	sp.ext = sp.ext[:0]
}

func (sp *spiller) close() {
	if sp == nil {
		return
	}
	if sp.mapped != nil {
		unmapFile(sp.mapped)
		sp.mapped = nil
	}
	if sp.f != nil {
		sp.f.Close()
		sp.f = nil
	}
}

// SpillDir is the directory a frontier spills to: dir itself, checked
// (it exists, takes a file, and is on disk, not in memory), or, when dir
// is empty, the first of $TMPDIR and /var/tmp that passes the checks, or
// "" when none does or the platform cannot map a spill back.
func SpillDir(dir string) (string, error) {
	if !spillSupported {
		if dir != "" {
			return "", fmt.Errorf("spilling the frontier to disk needs mmap, which this platform's build lacks")
		}
		return "", nil
	}
	if dir != "" {
		if err := checkSpillDir(dir); err != nil {
			return "", err
		}
		return dir, nil
	}
	for _, d := range []string{os.TempDir(), "/var/tmp"} {
		if checkSpillDir(d) == nil {
			return d, nil
		}
	}
	return "", nil
}
