package spec

// Status is a goroutine status, g.atomicstatus in runtime2.go. The numeric
// values are the runtime's, so a status reads the same in a spec dump and in
// a runtime crash report.
type Status uint8

const (
	// Idle: just allocated by malg, not yet initialized (_Gidle).
	Idle Status = 0
	// Runnable: on a run queue or held for one, not executing (_Grunnable).
	Runnable Status = 1
	// Running: executing user code; owns its stack, has an M and a P (_Grunning).
	Running Status = 2
	// Syscall: executing a system call; has an M, maybe no P (_Gsyscall).
	Syscall Status = 3
	// Waiting: blocked in the runtime (gopark), on no run queue (_Gwaiting).
	Waiting Status = 4
	// Dead: unused: just exited, on a free list, or being initialized (_Gdead).
	Dead Status = 6
	// Preempted: stopped for a suspendG preemption (_Gpreempted).
	Preempted Status = 9
)

var statusNames = [...]string{
	Idle: "idle", Runnable: "runnable", Running: "running", Syscall: "syscall",
	Waiting: "waiting", 5: "moribund_unused", Dead: "dead", 7: "enqueue_unused",
	8: "copystack", Preempted: "preempted",
	// Go 1.26: _Gleaked and _Gdeadextra; named for dumps and crash
	// reports, not modelled (doc.go, "Left out").
	10: "leaked", 11: "deadextra",
}

func (s Status) String() string {
	if int(s) < len(statusNames) && statusNames[s] != "" {
		return statusNames[s]
	}
	return "status(" + itoa(int64(s)) + ")"
}

// ParseStatus is the inverse of Status.String for the statuses the spec
// models.
func ParseStatus(name string) (Status, bool) {
	for _, s := range []Status{Idle, Runnable, Running, Syscall, Waiting, Dead, Preempted} {
		if s.String() == name {
			return s, true
		}
	}
	return 0, false
}

func itoa(v int64) string {
	if v == 0 {
		return "0"
	}
	neg := v < 0
	if neg {
		v = -v
	}
	var b [20]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
