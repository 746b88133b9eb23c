package impl

import "testing"

// releaseAndHandoff releases mp's P and hands it off, as retake,
// stoplockedm and mexit do, and returns the P's status after handoffp.
func releaseAndHandoff(t *testing.T, s *sched, mp *m) string {
	t.Helper()
	s.lock.Lock()
	defer s.lock.Unlock()
	pp, msg := s.releasepLocked(mp)
	if msg == "" {
		msg = s.handoffpLocked(pp)
	}
	if msg != "" {
		t.Fatal(msg)
	}
	return pStatusNames[pp.status.Load()]
}

// acquire wires idle or handed-off P pp to idle M mp (startm's M).
func acquire(t *testing.T, s *sched, mp *m, pp *p) {
	t.Helper()
	s.lock.Lock()
	defer s.lock.Unlock()
	if msg := s.acquirepLocked(mp, pp); msg != "" {
		t.Fatal(msg)
	}
}

// handoffp's branches with no work (proc.go:3131-3196): npidle == 0 and
// the last running P (npidle == gomaxprocs-1; lastpoll is never 0 without
// a netpoller) start an M, anything else goes idle.
func TestHandoffpBranches(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ps, ms  int
		running int // Ps other than P0 given to M1, M2, ...
		resize  int // procresize to this first (0: no)
		fault   string
		want    string
	}{
		{"last running P: startm", 3, 2, 0, 0, "", "handoff"},
		{"last running P of gomaxprocs 2: startm", 3, 2, 0, 2, "", "handoff"},
		{"one idle, one running: pidleput", 3, 2, 1, 0, "", "idle"},
		{"no idle P: startm spinning", 3, 3, 2, 0, "", "handoff"},
		{"one P: startm", 1, 1, 0, 0, "", "handoff"},
		{"fault handoff-last-p-idles", 3, 2, 0, 0, "handoff-last-p-idles", "idle"},
		{"fault, two Ps", 2, 1, 0, 0, "handoff-last-p-idles", "idle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var faults []string
			if tc.fault != "" {
				faults = append(faults, tc.fault)
			}
			s := testSched(t, "small", tc.ps, tc.ms, faults...)
			if tc.resize != 0 {
				s.procresize(tc.resize)
			}
			for i := 1; i <= tc.running; i++ {
				acquire(t, s, s.ms[i], s.ps[tc.ps-i])
			}
			if got := releaseAndHandoff(t, s, s.ms[0]); got != tc.want {
				t.Fatalf("P0 after handoffp: %s, want %s", got, tc.want)
			}
		})
	}
}
