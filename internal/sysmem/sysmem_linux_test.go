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
