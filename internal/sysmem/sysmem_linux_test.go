package sysmem

import (
	"syscall"
	"testing"
)

// TestPhysicalAgreesWithSysinfo: /proc/meminfo's MemTotal and the
// sysinfo system call's total RAM are the same memory, counted by the
// same kernel (MemTotal in KiB).
func TestPhysicalAgreesWithSysinfo(t *testing.T) {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		t.Skip(err)
	}
	want := uint64(si.Totalram) * uint64(si.Unit)
	got := Physical()
	if got == 0 || got > want || want-got >= 1024 {
		t.Errorf("Physical() = %d, sysinfo says %d bytes", got, want)
	}
}

// Format keeps a size in the largest unit it reaches: -max-memory 1MB
// was printed as 0.0 GiB.
func TestFormat(t *testing.T) {
	for n, want := range map[uint64]string{0: "0 B", 1023: "1023 B", 1 << 10: "1.0 KiB", 1_000_000: "976.6 KiB", 1 << 20: "1.0 MiB", 3 << 29: "1.5 GiB"} {
		if got := Format(n); got != want {
			t.Errorf("Format(%d) = %q, want %q", n, got, want)
		}
	}
}
