package checker

import (
	"bytes"
	"math"
	"os"
	"runtime/metrics"
	"strconv"

	"github.com/gexit-dev/gexit/internal/sysmem"
)

// residentBytes is the process's resident memory that only swap could
// free: on Linux /proc/self/status's RssAnon plus RssShmem (the Go heap,
// stacks, and shared memory such as a tmpfs file mapped). The pages of
// files mapped from a disk (RssFile: the binary, the spilled frontier of
// spill.go) are not counted: they are clean copies of the file, which the
// kernel drops when memory is short, and they would otherwise make a run
// that spills look as large as its frontier. Elsewhere it is the Go
// runtime's own view of the memory it holds from the OS
// (runtime/metrics /memory/classes/total:bytes minus what it released).
func residentBytes() uint64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		var n uint64
		var found int
		for rest := b; len(rest) > 0; {
			var line []byte
			line, rest, _ = bytes.Cut(rest, []byte{'\n'})
			if !bytes.HasPrefix(line, []byte("Rss")) {
				// (Not a line it reads: no split of it into fields,
				// whose allocations cost the explorer more than the
				// read did.)
				continue
			}
			f := bytes.Fields(line)
			if len(f) < 2 || (string(f[0]) != "RssAnon:" && string(f[0]) != "RssShmem:") {
				continue
			}
			kb, err := strconv.ParseUint(string(f[1]), 10, 64)
			if err != nil {
				break
			}
			n += kb * 1024
			found++
		}
		if found == 2 {
			return n
		}
	}
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	total, released := s[0].Value.Uint64(), s[1].Value.Uint64()
	if released > total {
		return 0
	}
	return total - released
}

// PhysicalMemory is the machine's physical memory (/proc/meminfo's
// MemTotal), or 0 when it cannot be read.
func PhysicalMemory() uint64 { return sysmem.Physical() }

// softMemoryLimit is the Go heap's soft limit (runtime/debug.SetMemoryLimit)
// for a run bounded by maxMemory resident bytes: 7/8 of it, leaving an
// eighth for the memory the limit does not count and for the growth
// between two checks of the resident size.
func softMemoryLimit(maxMemory uint64) int64 {
	l := maxMemory - maxMemory/8
	if l > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(l)
}
