package checker

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gexit-dev/gexit/spec"
)

// spilled is o with its frontier spilled to dir beyond a few bytes, in
// chunks of 4 KiB (so that every level past the first few goes to disk).
func spilled(o ExploreOptions, dir string) ExploreOptions {
	o.FrontierMemory, o.SpillDir, o.chunkBytes = 1, dir, 512
	return o
}

// Spilling the frontier to disk changes where the states lie, nothing the
// exploration finds: on clean bounds (complete, depth-bounded,
// state-bounded, with and without the reductions, exact and bitstate) and
// on planted bugs and a planted throw, a run whose frontier is almost all
// on disk gives exactly what the run in memory gives, with one worker and
// with two; and it did spill.
func TestExploreSpillSameExploration(t *testing.T) {
	c, _ := spec.Preset("small")
	cfg := func(ps, ms int) spec.Config { return spec.Config{Consts: c, Ps: ps, Ms: ms} }
	first := plantedOptions(c)
	first.Depth, first.StopAtFirst = 0, true
	throw := plantedThrowOptions(c)
	reduced := ExploreOptions{Config: cfg(1, 2), Bounds: spec.DefaultBounds(1), POR: true, Reduce: spec.ReduceMs | spec.ReduceAssist}
	bits := ExploreOptions{Config: cfg(2, 1), Bounds: coreBounds(3), Bitstate: 22}
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		o     ExploreOptions
		viols bool
	}{
		{name: "1P2M3G core, complete", o: ExploreOptions{Config: cfg(1, 2), Bounds: coreBounds(3)}},
		{name: "2P2M2G all families, depth 11", o: ExploreOptions{Config: cfg(2, 2), Bounds: spec.DefaultBounds(2), Depth: 11}},
		{name: "2P2M4G core, 200,001 states", o: ExploreOptions{Config: cfg(2, 2), Bounds: coreBounds(4), MaxStates: 200_001}},
		{name: "1P2M1G all families, por and reductions", o: reduced},
		{name: "2P1M3G core, bitstate", o: bits},
		{name: "planted bug, every violation", o: plantedOptions(c), viols: true},
		{name: "planted bug, first violation", o: first, viols: true},
		{name: "planted throw, every violation", o: throw, viols: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, w := range []int{1, 2} {
				o := tc.o
				o.Workers = w
				if raceEnabled && !tc.viols && (o.MaxStates == 0 || o.MaxStates > 20_000) {
					// The race detector slows the explorer tenfold:
					// the first 20,000 states (make test runs the
					// whole test without it too).
					o.MaxStates = 20_000
				}
				mem, err := Explore(context.Background(), o)
				if err != nil {
					t.Fatal(err)
				}
				disk, err := Explore(context.Background(), spilled(o, dir))
				if err != nil {
					t.Fatal(err)
				}
				if a, b := exploreDigest(mem), exploreDigest(disk); a != b {
					t.Fatalf("workers %d: in memory\n  %s\nspilled\n  %s", w, a, b)
				}
				if tc.viols != (len(disk.Violations) > 0) {
					t.Fatalf("workers %d: %d violations", w, len(disk.Violations))
				}
				if mem.SpilledBytes != 0 {
					t.Fatalf("workers %d: %d bytes spilled without FrontierMemory", w, mem.SpilledBytes)
				}
				// Levels below a chunk never spill: only bounds with a
				// level of several chunks must have.
				if disk.FrontierBytes > 4*512 && disk.SpilledBytes == 0 {
					t.Fatalf("workers %d: nothing spilled, with a level of %d bytes", w, disk.FrontierBytes)
				}
			}
		})
	}
	// The spill files are removed as soon as they are made.
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("spill files left in %s: %d", dir, len(left))
	}
}

// A spill that cannot be written ends the run, which is no pass: it is
// stopped by "spill-error", incomplete, with why and what it found so
// far; a directory that cannot take it, or that is in memory, is refused
// before the run.
func TestExploreSpillErrors(t *testing.T) {
	if !spillSupported {
		t.Skip("spilling needs mmap (Linux)")
	}
	c, _ := spec.Preset("small")
	o := spilled(ExploreOptions{Config: spec.Config{Consts: c, Ps: 1, Ms: 2}, Bounds: coreBounds(3)}, t.TempDir())
	// A file opened read-only: the first chunk's write fails.
	o.spillCreate = func(dir, pattern string) (*os.File, error) {
		p := filepath.Join(dir, "readonly")
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			return nil, err
		}
		return os.Open(p)
	}
	r, err := Explore(context.Background(), o)
	if err != nil || r.Complete || r.StoppedBy != "spill-error" || !strings.Contains(r.SpillError, "spilling the frontier") || r.States < 2 {
		t.Fatalf("a failed spill write: err %v, result %+v", err, r)
	}
	o.spillCreate = nil
	o.SpillDir = filepath.Join(t.TempDir(), "missing")
	if _, err := Explore(context.Background(), o); err == nil || !strings.Contains(err.Error(), "spill directory") {
		t.Fatalf("a missing spill directory: err %v", err)
	}
	if inMem, _ := inMemoryFS("/dev/shm"); inMem {
		o.SpillDir = "/dev/shm"
		if _, err := Explore(context.Background(), o); err == nil || !strings.Contains(err.Error(), "tmpfs") {
			t.Fatalf("a spill directory in memory: err %v", err)
		}
	}
}

// A slab that spills keeps at most its bound (and the chunk being
// filled) in memory however long the level, and reads back every state
// in order.
func TestSlabSpillBoundsMemory(t *testing.T) {
	if !spillSupported {
		t.Skip("spilling needs mmap (Linux)")
	}
	const limit, chunk = 8 << 10, 1 << 10
	sp := newSpiller(t.TempDir(), limit, nil)
	defer sp.close()
	s := &slab{per: 3, chunk: chunk, sp: sp}
	for level := range 2 { // the second level reuses the file and buffers
		enc := make([]byte, 97)
		const n = 5000
		for id := range uint32(n) {
			enc[0], enc[96] = byte(id), byte(id>>8)
			s.appendEncoded(id, enc)
			inMem := 0
			for _, c := range s.chunks {
				inMem += cap(c)
			}
			if inMem > limit+chunk {
				t.Fatalf("level %d, state %d: %d bytes of chunks in memory, bound %d", level, id, inMem, limit)
			}
		}
		if err := s.seal(); err != nil {
			t.Fatal(err)
		}
		if sp.written < n*101-limit-chunk {
			t.Fatalf("level %d: %d bytes spilled of %d", level, sp.written, n*101)
		}
		id := uint32(0)
		for ci, c := range s.chunks {
			for len(c) > 0 {
				if got := binary.LittleEndian.Uint32(c); got != id || c[4] != byte(id) || c[100] != byte(id>>8) {
					t.Fatalf("level %d, chunk %d: state %d read back as %d", level, ci, id, got)
				}
				c = c[101:]
				id++
			}
			s.done(int(id) / s.per)
		}
		if id != n {
			t.Fatalf("level %d: %d states read back, %d written", level, id, n)
		}
		s.reset()
	}
}
