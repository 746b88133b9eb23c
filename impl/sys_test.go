package impl

import (
	"slices"
	"testing"
)

// releaseAndHandoff releases mp's P and hands it off, as retake,
// stoplockedm and mexit do, and returns the P's status after handoffp.
func releaseAndHandoff(t *testing.T, s *sched, mp *m) string {
	t.Helper()
	s.lock.Lock()
	defer s.lock.Unlock()
	pp, msg := s.releasepLocked(mp)
	if msg == "" {
		// handoffp's steps, one after the other.
		s.handoffpReadLocked(&mp.actor, pp, s.handoffpReads(&mp.actor, pp))
		for msg == "" && pp.handoff != handoffNone {
			switch h := pp.handoff; h {
			case handoffStore:
				s.needspinning.Store(false)
				pp.handoff = handoffStartmSpin
			case handoffLocked:
				_, msg = s.handoffpSectionLocked(pp, mp)
			default:
				pp.handoff = handoffNone
				msg = s.startmLocked(pp, h == handoffStartmSpin)
			}
		}
	}
	if msg != "" {
		t.Fatal(msg)
	}
	return pp.statusName()
}

// acquire wires handed-off P pp, or the idle P pidleget hands out, to M
// mp (startm's M).
func acquire(t *testing.T, s *sched, mp *m, pp *p) {
	t.Helper()
	s.lock.Lock()
	defer s.lock.Unlock()
	if pp.idlep.Load() {
		if got := s.pidlegetLocked(); got != pp {
			t.Fatalf("pidleget = P%d, not P%d", pid(got), pp.id)
		}
	}
	if msg := s.acquirep(mp, pp); msg != "" {
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

// inSyscall puts gp into a syscall on mp (entersyscall's effect).
func inSyscall(t *testing.T, mp *m, gp *g) {
	t.Helper()
	mp.curg.Store(gp)
	gp.m = mp
	gp.inSys = true
	mp.oldp.Store(mp.p.Load())
	gp.status.Store(gSyscall)
}

func pidleIDs(s *sched) []int { return s.snapshot().Pidle }

// exitsyscall of an M that lost its P gets pidleget's P, the one idled
// last, not its old P (proc.go:5033-5060, 7373-7420); the fault
// exitsyscall-prefers-oldp plants the old rule.
func TestExitsyscallIdleListLIFO(t *testing.T) {
	for _, tc := range []struct {
		fault string
		want  int32
	}{{"", 2}, {"exitsyscall-prefers-oldp", 0}} {
		var faults []string
		if tc.fault != "" {
			faults = append(faults, tc.fault)
		}
		s := testSched(t, "small", 3, 3, faults...)
		if got := pidleIDs(s); !equalInts(got, []int{2, 1}) {
			t.Fatalf("initial idle list %v, want [2 1]", got)
		}
		m0, m1, main := s.ms[0], s.ms[1], s.allgs[0]
		acquire(t, s, m1, s.ps[2])
		inSyscall(t, m0, main)
		if got := releaseAndHandoff(t, s, m0); got != "idle" {
			t.Fatalf("P0 after handoffp: %s", got)
		}
		// M1 finds nothing: releasep, pidleput.
		s.lock.Lock()
		pp, msg := s.releasepLocked(m1)
		if msg == "" {
			msg = s.pidleputLocked(pp)
		}
		s.lock.Unlock()
		if msg != "" {
			t.Fatal(msg)
		}
		if got := pidleIDs(s); !equalInts(got, []int{2, 0, 1}) {
			t.Fatalf("idle list %v, want [2 0 1]", got)
		}
		m0.exitsyscall(main)
		if got := m0.p.Load(); got == nil || got.id != tc.want || main.status.Load() != gRunning {
			t.Fatalf("fault %q: exitsyscall got P%d, want P%d", tc.fault, pid(got), tc.want)
		}
		if sn := s.snapshot(); len(sn.Check()) != 0 {
			t.Fatal(sn.Check())
		}
	}
}

// oldPInSyscall returns 2 Ps and 2 Ms where main, in a syscall on M0,
// lost P0 to handoffp, and M1 took P0 and put G1 in a syscall on it.
func oldPInSyscall(t *testing.T) (s *sched, m0, m1 *m, main, g1 *g) {
	t.Helper()
	s = testSched(t, "small", 2, 2)
	m0, m1, main = s.ms[0], s.ms[1], s.allgs[0]
	inSyscall(t, m0, main)
	if got := releaseAndHandoff(t, s, m0); got != "handoff" {
		t.Fatalf("P0 after handoffp: %s (the last running P: startm)", got)
	}
	acquire(t, s, m1, s.ps[0])
	g1 = runnableGs(s, 1)[0]
	inSyscall(t, m1, g1)
	return s, m0, m1, main, g1
}

// exitsyscallTryGetP takes the old P back from the thread now in a syscall
// on it (setBlockOnExitSyscall + takeP, proc.go:5035-5042, 6750-6836);
// that thread keeps its G in the syscall without a P.
func TestExitsyscallTakesOldPBack(t *testing.T) {
	s, m0, m1, main, g1 := oldPInSyscall(t)
	m0.exitsyscall(main)
	if m0.p.Load() != s.ps[0] || s.ps[0].m.Load() != m0 || m1.p.Load() != nil || m1.oldp.Load() != s.ps[0] ||
		g1.status.Load() != gSyscall || main.status.Load() != gRunning {
		t.Fatalf("after exitsyscall: M0.p=P%d M1.p=P%d G1 status %#x", pid(m0.p.Load()), pid(m1.p.Load()), g1.status.Load())
	}
	if got := pidleIDs(s); !equalInts(got, []int{1}) {
		t.Fatalf("idle list %v, want [1]", got)
	}
	// M1 cannot take P0 back (main is not in a syscall): it gets P1.
	m1.exitsyscall(g1)
	if m1.p.Load() != s.ps[1] || g1.status.Load() != gRunning {
		t.Fatalf("M1 after exitsyscall: P%d", pid(m1.p.Load()))
	}
	if sn := s.snapshot(); len(sn.Check()) != 0 {
		t.Fatal(sn.Check())
	}
}

// While sysmon's probe holds the scan bit of the G in a syscall on the old
// P (setBlockOnExitSyscall, proc.go:6686), exitsyscallTryGetP's own
// setBlockOnExitSyscall(oldp) fails and it takes the idle P: the path the
// spec allows in strict order too (spec TestStrictExitsyscallOldP). Once
// the probe lets go (thread.resume()), the old P can be taken back again.
func TestExitsyscallMissesProbedOldP(t *testing.T) {
	s, m0, m1, main, g1 := oldPInSyscall(t)
	probe, ok := s.setBlockOnExitSyscall(&m0.actor, s.ps[0])
	if !ok {
		t.Fatal("sysmon's probe found no syscall on P0")
	}
	if _, ok := s.setBlockOnExitSyscall(&m0.actor, s.ps[0]); ok {
		t.Fatal("a second setBlockOnExitSyscall took the scan bit the probe holds")
	}
	m0.exitsyscall(main)
	if m0.p.Load() != s.ps[1] || s.ps[0].m.Load() != m1 || m1.p.Load() != s.ps[0] {
		t.Fatalf("exitsyscall while the probe holds G1: M0.p=P%d, P0's M %v, M1.p=P%d (want P1, M1, P0)", pid(m0.p.Load()), s.ps[0].m.Load() == m1, pid(m1.p.Load()))
	}
	probe.resume()
	if g1.status.Load() != gSyscall {
		t.Fatalf("G1 after the probe: status %#x", g1.status.Load())
	}
	if _, ok := s.setBlockOnExitSyscall(&m0.actor, s.ps[0]); !ok {
		t.Fatal("the probe's resume left G1's scan bit held")
	}
}

// With no P to be had, exitsyscallNoP queues the G on the global queue
// (proc.go:5087-5095).
func TestExitsyscallNoP(t *testing.T) {
	s := testSched(t, "small", 1, 2)
	m0, m1, main := s.ms[0], s.ms[1], s.allgs[0]
	inSyscall(t, m0, main)
	releaseAndHandoff(t, s, m0)
	acquire(t, s, m1, s.ps[0])
	m0.exitsyscall(main)
	sn := s.snapshot()
	if m0.p.Load() != nil || m0.curg.Load() != nil || sn.Gs[0].Status != "runnable" || !equalInts(sn.Runq, []int{0}) {
		t.Fatalf("exitsyscallNoP: M0.p=P%d runq %v G0 %s", pid(m0.p.Load()), sn.Runq, sn.Gs[0].Status)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// With its old P busy, exitsyscall gets the idle head (P2 of [P2 P1]);
// the fault takes the lowest idle P, as gexit's rule before did.
func TestExitsyscallIdleHeadNotLowest(t *testing.T) {
	for _, tc := range []struct {
		fault string
		want  int32
	}{{"", 2}, {"exitsyscall-prefers-oldp", 1}} {
		var faults []string
		if tc.fault != "" {
			faults = append(faults, tc.fault)
		}
		s := testSched(t, "small", 3, 2, faults...)
		m0, m1, main := s.ms[0], s.ms[1], s.allgs[0]
		inSyscall(t, m0, main)
		if got := releaseAndHandoff(t, s, m0); got != "handoff" {
			t.Fatalf("P0 after handoffp: %s (the last running P: startm)", got)
		}
		acquire(t, s, m1, s.ps[0])
		m0.exitsyscall(main)
		if got := m0.p.Load(); got == nil || got.id != tc.want {
			t.Fatalf("fault %q: exitsyscall got P%d, want P%d", tc.fault, pid(got), tc.want)
		}
		if sn := s.snapshot(); len(sn.Check()) != 0 {
			t.Fatal(sn.Check())
		}
	}
}

// Sysmon's probes (Workload.Probes, proc.go:6686-6705: retake's
// setBlockOnExitSyscall, then thread.resume() without taking the P) are
// made, hold the G's scan bit over a scheduling point, and are recorded
// as retakes with In.N 1 (spec.RetakeProbe) that take nothing: with no
// retakes budgeted, every retake a run records is a probe, as many as
// the branch counts, and every run is clean (the G's own exitsyscall
// waits the probe out). Without probes, sysmon makes none.
func TestSysmonProbes(t *testing.T) {
	main := Prog(Go(Prog(Sys(), Sys())), Sys(), Sys(), Yield(), Sys())
	probes := 0
	for seed := int64(0); seed < 100; seed++ {
		for _, budget := range []int{0, 2} {
			w := Workload{Main: main, Retakes: 1 - budget/2, Probes: budget,
				Controller: []CtlStep{{Kind: CtlGC, Arg: 1, After: 3}, {Kind: CtlGC, Arg: 0, After: 6}}}
			cfg := cfgFor(t, "small", 2, 2, Deterministic, seed)
			cfg.Record = true
			res := mustRun(t, cfg, w)
			checkClean(t, w.String(), res)
			n := res.Branches["sysmon-probe"]
			if budget == 0 && n != 0 || n > budget {
				t.Fatalf("seed %d, %s: %d probes", seed, w, n)
			}
			if budget != 0 {
				probes += n
				recorded := 0
				for _, e := range res.History {
					if e.Op == "retake" {
						if e.In.N != 1 || e.Out.HandedOff {
							t.Fatalf("seed %d, %s: a retake with no retake budgeted: %v", seed, w, e)
						}
						recorded++
					}
				}
				if recorded != n {
					t.Fatalf("seed %d, %s: %d probes, %d recorded", seed, w, n, recorded)
				}
			}
		}
	}
	if probes == 0 {
		t.Fatal("sysmon probed no syscall in 100 runs")
	}
}

// A systematic schedule that keeps granting the M whose exitsyscall spins
// on a G's scan bit while sysmon's retake holds it (between
// setBlockOnExitSyscall's CAS and its check, a scheduling point) must not
// spin it to the step budget: the M waits until the holder lets go. This
// schedule made the clean implementation panic ("does not wind down")
// once setBlockOnExitSyscall got its scheduling points.
func TestExitsyscallWaitsOutTheScanBit(t *testing.T) {
	w := Workload{Main: Prog(Go(Prog(Yield(), Yield())), Sys(), Lock(), Yield()), Retakes: 1}
	cfg := cfgFor(t, "small", 1, 2, Deterministic, 412)
	cfg.Systematic, cfg.Choices, cfg.Record = true, []int{0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1}, true
	res := mustRun(t, cfg, w)
	checkClean(t, w.String(), res)
	if res.TimedOut {
		t.Fatalf("the run ran out of steps (%d ops)", len(res.History))
	}
}

// handoffp's `sched.nmspinning.Load()+sched.npidle.Load() == 0 &&
// sched.nmspinning.CompareAndSwap(0, 1)` (proc.go:3152) is three accesses
// without a lock, and impl makes the two loads before its caller's
// section (handoffpReads). Between them a wakep can take the last idle P
// for a spinning M, and after them that M can give both back: the loads
// saw 0 and 0 though no instant had both, the CAS succeeds, and handoffp
// starts a spinning M with a P idle, recorded as spec.HandoffSawNoHelp.
// Impl made the loads and the CAS in one section, where the two counts
// were those of one instant, and never produced that history.
func TestHandoffpSplitReadsSeeNoHelp(t *testing.T) {
	for _, race := range []string{"none", "wakep between the loads", "wakep and its M's stop between"} {
		s := testSched(t, "small", 3, 2)
		mp := s.ms[0]
		s.lock.Lock()
		p2 := s.pidlegetLocked() // P2 busy elsewhere: one P idle, P1
		s.lock.Unlock()
		if p2 == nil || s.npidle.Load() != 1 {
			t.Fatalf("setup: npidle %d", s.npidle.Load())
		}
		var p1 *p
		wakep := func() { // wakep's CAS and pidlegetSpinning
			s.nmspinning.Add(1)
			s.lock.Lock()
			p1 = s.pidlegetLocked()
			s.lock.Unlock()
		}
		stop := func() { // the spinning M finds nothing: pidleput, then nmspinning--
			s.lock.Lock()
			if msg := s.pidleputLocked(p1); msg != "" {
				t.Fatal(msg)
			}
			s.lock.Unlock()
			s.nmspinning.Add(-1)
		}
		s.handoffReadHook = func(n int) {
			switch {
			case race != "none" && n == 2:
				wakep()
			case race == "wakep and its M's stop between" && n == 3:
				stop()
			}
		}
		pp, _, in := handoffpOf(t, s, mp)
		want, wantIn := handoffLocked, int32(0)
		if race == "wakep and its M's stop between" {
			want, wantIn = handoffStore, handoffSawNoHelp
		}
		if pp.handoff != want || in != wantIn {
			t.Errorf("%s: handoffp's next step %d, input %d (nmspinning %d, npidle %d); want %d, %d", race, pp.handoff, in, s.nmspinning.Load(), s.npidle.Load(), want, wantIn)
		}
		if want == handoffStore && (s.nmspinning.Load() != 1 || s.npidle.Load() != 1) {
			t.Errorf("%s: nmspinning %d, npidle %d after the CAS; want 1, 1", race, s.nmspinning.Load(), s.npidle.Load())
		}
	}
}

// handoffpOf makes M mp's handoffp's unlocked reads of its P, then its
// caller's section (releasep, the rest of the reads), as stoplockedm and
// mexit do, and returns the P, the reads and the op's input.
func handoffpOf(t *testing.T, s *sched, mp *m) (*p, handoffReads, int32) {
	t.Helper()
	rd := s.handoffpReads(&mp.actor, mp.p.Load())
	s.lock.Lock()
	defer s.lock.Unlock()
	pp, msg := s.releasepLocked(mp)
	if msg != "" {
		t.Fatal(msg)
	}
	return pp, rd, s.handoffpReadLocked(&mp.actor, pp, rd)
}

// handoffp's unlocked reads come in the runtime's order (proc.go:3136-3152):
// the GC test before the loads of nmspinning and npidle. A GC that began
// marking after the GC test (a probe: the hook sets gcBlackenEnabled after
// the load of nmspinning) is not seen. With the GC test in the caller's
// section, after the loads, impl found mark work where the loads had
// already seen an M spinning, and gexit check (-mode free, seed 88) found
// a history no order of the spec explained: mexit's GC test found no work
// after markrootFreeGStacks's job was claimed, its load of nmspinning had
// seen the restart's wakep spinning before it, and no point had both.
func TestHandoffpReadsInTheRuntimesOrder(t *testing.T) {
	s := testSched(t, "small", 2, 2)
	mp := s.ms[0]
	var points []int
	s.handoffReadHook = func(n int) {
		points = append(points, n)
		if n == 2 {
			s.gcBlacken.Store(true)
		}
	}
	_, rd, in := handoffpOf(t, s, mp)
	if !slices.Equal(points, []int{1, 2, 3}) || in&handoffGCWork != 0 || rd.gc {
		t.Errorf("reads' points %v, input %d, GC work %v; want [1 2 3] and no GC work (the GC test comes before the loads)", points, in, rd.gc)
	}
	// While the GC marks with markrootFreeGStacks's job unclaimed, the
	// GC test finds work and the loads are not made.
	s = testSched(t, "small", 2, 2)
	mp, points = s.ms[0], nil
	s.gcBlacken.Store(true)
	s.handoffReadHook = func(n int) { points = append(points, n) }
	if rd := s.handoffpReads(&mp.actor, mp.p.Load()); !rd.gc || !slices.Equal(points, []int{1}) {
		t.Errorf("GC marking, root job unclaimed: GC work %v, points %v; want true, [1]", rd.gc, points)
	}
}
