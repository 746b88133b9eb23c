package rtcheck

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gexit-dev/gexit/spec"
)

// idleHistory is a synthetic history of the idle P list under GOMAXPROCS
// 3, shaped as real records are (see testdata/records/pidle.gexit):
// schedinit's procresize idles P1 and P2; startm takes P2; main's P0 is
// retaken and idled while P2 runs (npidle 1, not gomaxprocs-1); P2 goes
// idle after it; main leaves its syscall through exitsyscallTryGetP's
// pidleget, which hands out P2, the last idled, not main's old P0.
func idleHistory() []Record {
	recs := []Record{
		{Kind: KProcresize, P: -1, M: 0, F: [6]int32{0, 3, 0}},
		{Kind: KPidleput, P: 1, M: 0, F: [6]int32{1, -1, 0}},
		{Kind: KPidleput, P: 2, M: 0, F: [6]int32{2, 1, 0}},
		{Kind: KProcresize, P: 0, M: 0, F: [6]int32{0, 3, 1}},
		{Kind: KPidleget, P: 2, M: 0, F: [6]int32{1, 1, 3}},
		{Kind: KStartm, P: 2, M: 0, F: [6]int32{3, 1, 2}},
		{Kind: KHandoffp, P: 0, M: 1, F: [6]int32{HandoffIdle, 1, 3, 1, 0}},
		{Kind: KPidleput, P: 0, M: 1, F: [6]int32{2, 1, 3}},
		{Kind: KPidleput, P: 2, M: 2, F: [6]int32{3, 0, 3}},
		{Kind: KFindRunnable, P: 2, M: 2, F: [6]int32{SrcIdle}},
		{Kind: KPidleget, P: 2, M: 0, F: [6]int32{2, 0, 3}},
		{Kind: KExitsyscallSlow, P: 2, M: 0, G: 0xc000000380, X: 1, F: [6]int32{2, 0}},
		// main's P2 retaken again, the other two idle: the last running P
		// goes to an M.
		{Kind: KHandoffp, P: 2, M: 1, F: [6]int32{HandoffLastP, 2, 3, 1, 0}},
		{Kind: KStartm, P: 2, M: 1, F: [6]int32{3, 0, 2}},
		// A stop-the-world takes every idle P; procresize(2) lists P1.
		{Kind: KPidleget, P: 0, M: 3, F: [6]int32{1, 1, 3}},
		{Kind: KPidleget, P: 1, M: 3, F: [6]int32{0, -1, 3}},
		{Kind: KProcresize, P: 2, M: 3, F: [6]int32{3, 2, 0}},
		{Kind: KPDestroy, P: 2, M: 3},
		{Kind: KPidleput, P: 1, M: 3, F: [6]int32{1, -1, 3}},
		{Kind: KProcresize, P: 0, M: 3, F: [6]int32{3, 2, 1}},
	}
	for i := range recs {
		recs[i].Index = uint64(i)
	}
	return recs
}

func TestIdleJudgePassesCleanHistory(t *testing.T) {
	f := &File{Header: Header{GOMAXPROCS: 3}, Records: idleHistory(), Settled: len(idleHistory())}
	if probs := judgeIdleList(f); len(probs) != 0 {
		t.Fatalf("a clean idle history has problems:\n%s", strings.Join(probs, "\n"))
	}
	if j := SpecJudgeEvery(1)(f); j.Verdict != OK {
		t.Fatalf("%s:\n%s", j.Verdict, strings.Join(j.Problems, "\n"))
	}
	// A handoffp idle decision for the last running P is legitimate when
	// the process has a netpoller (an M may block in netpoll, lastpoll 0).
	recs := idleHistory()
	i := findKind(t, recs, KHandoffp, 1)
	recs[i].F[0], recs[i].F[3], recs[i].F[4] = HandoffIdle, 0, 1
	recs[i+1] = Record{Index: recs[i+1].Index, Kind: KPidleput, P: 2, M: 1, F: [6]int32{3, 0, 3}}
	recs = slices.Insert(recs, i+2, Record{Kind: KPidleget, P: 2, M: 3, F: [6]int32{2, 0, 3}})
	for k := range recs {
		recs[k].Index = uint64(k)
	}
	f = &File{Header: Header{GOMAXPROCS: 3}, Records: recs, Settled: len(recs)}
	if probs := judgeIdleList(f); len(probs) != 0 {
		t.Fatalf("idling the last P with a netpoller:\n%s", strings.Join(probs, "\n"))
	}
}

// TestIdleJudgeCatchesPlantedBugs: wrong idle-list sequences, each what a
// changed runtime would record, that the spec's idle list rejects.
func TestIdleJudgeCatchesPlantedBugs(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		plant      func(recs []Record) []Record
	}{
		{"pidleget takes the tail (FIFO)", "the spec's pidleget returns the head of the idle list [P2 P0 P1]: P2", func(recs []Record) []Record {
			i := findKind(t, recs, KPidleget, 1)
			recs[i].P, recs[i].F[1] = 1, 2 // P1 off the tail, P2 heads
			recs[i+1].P = 1
			return recs
		}},
		{"exitsyscall prefers its old P when idle", "pidleget returned P0; the spec's pidleget returns the head", func(recs []Record) []Record {
			i := findKind(t, recs, KPidleget, 1)
			recs[i].P, recs[i].F[1] = 0, 2 // P0 moved to the head, then taken
			recs[i+1].P = 0
			return recs
		}},
		{"exitsyscall's idle P is not pidleget's", "the pidleget just before on M0", func(recs []Record) []Record {
			i := findKind(t, recs, KExitsyscallSlow, 0)
			recs[i].P = 0
			return recs
		}},
		{"exitsyscall's idle P without a pidleget", "does not come from a pidleget just before on M0", func(recs []Record) []Record {
			i := findKind(t, recs, KPidleget, 1)
			return slices.Delete(recs, i, i+1)
		}},
		{"a P put on the idle list twice", "must be able to track idle limiter event", func(recs []Record) []Record {
			i := findKind(t, recs, KPidleput, 2)
			dup := recs[i]
			dup.F[0], dup.F[1] = 3, 0
			return slices.Insert(recs, i+1, dup)
		}},
		{"npidle off by one", "npidle after pidleput: the runtime has 3, the spec 2", func(recs []Record) []Record {
			recs[findKind(t, recs, KPidleput, 2)].F[0] = 3
			return recs
		}},
		{"handoffp's last-P branch without the last P", "not the last running P", func(recs []Record) []Record {
			i := findKind(t, recs, KHandoffp, 0)
			recs[i].F[0] = HandoffLastP
			return recs
		}},
		{"handoffp idles the last P without a netpoller", "the spec's handoffp starts an M for it", func(recs []Record) []Record {
			i := findKind(t, recs, KHandoffp, 1)
			recs[i].F[0] = HandoffIdle
			return recs
		}},
		{"procresize with idle Ps left on the list", "stopTheWorldWithSema takes every idle P", func(recs []Record) []Record {
			i := findKind(t, recs, KPidleget, 3)
			return slices.Delete(recs, i, i+1)
		}},
		{"procresize rebuilds the list highest P first", "relistIdle", func(recs []Record) []Record {
			// procresize(3) pidleputs P2 then P1: P1 heads.
			recs[1].P, recs[2].P, recs[2].F[1] = 2, 1, 2
			return recs
		}},
		{"pidleput of a P procresize destroyed", "not one of gomaxprocs 2 Ps", func(recs []Record) []Record {
			recs[findKind(t, recs, KPidleput, 4)].P = 2
			return recs
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := tc.plant(idleHistory())
			for i := range recs {
				recs[i].Index = uint64(i)
			}
			f := &File{Header: Header{GOMAXPROCS: 3}, Records: recs, Settled: len(recs)}
			j := SpecJudgeEvery(1)(f)
			if j.Verdict != Violation || !strings.Contains(strings.Join(j.Problems, "\n"), tc.want) {
				t.Fatalf("verdict %s, want a violation naming %q:\n%s", j.Verdict, tc.want, strings.Join(j.Problems, "\n"))
			}
		})
	}
}

// The committed real run (testdata/records/pidle.gexit): a prefix of a run
// of the pidle workload under GOMAXPROCS 2, from the process's first
// record (schedinit's procresize) to just after the later of two events:
// handoffp's last-P branch handing a P to startm, and exitsyscall's idle
// path handing out the most recently idled P while the G's old P was idle
// further down the list. GEXIT_RECORD_FIXTURES=1 records it anew
// (TestPidleRecordFixture).
const pidleFixture = "pidle.gexit"

// pidleFixtureEvents finds, in a replay of recs through the idle-list
// judge, the first handoffp last-P decision whose M's next record is
// startm of that P, and the first exitsyscall.slow of the idle path whose
// old P was on the idle list below the P pidleget handed out. It returns
// their positions (-1: none).
func pidleFixtureEvents(f *File) (lastp, lifo int) {
	lastp, lifo = -1, -1
	recs := f.Records[:f.Settled]
	j := pidleJudgeFor(f)
	var before map[int32][]int8 // per M, the idle list before its last pidleget
	before = map[int32][]int8{}
	for i, r := range recs {
		if r.Kind == KPidleget {
			before[r.M] = idleList(j.s)
		}
		j.record(&recs[i])
		if len(j.problems) > 0 {
			return -1, -1
		}
		switch {
		case lastp < 0 && r.Kind == KHandoffp && r.F[0] == HandoffLastP:
			for k := i + 1; k < len(recs); k++ {
				if recs[k].M == r.M {
					if recs[k].Kind == KStartm && recs[k].P == r.P {
						lastp = i
					}
					break
				}
			}
		case lifo < 0 && r.Kind == KExitsyscallSlow && r.F[0] == 2 && r.F[1] >= 0 && int16(r.F[1]) != r.P:
			l := before[r.M]
			if len(l) > 1 && int16(l[0]) == r.P && slices.Contains(l[1:], int8(r.F[1])) {
				lifo = i
			}
		}
		if lastp >= 0 && lifo >= 0 {
			break
		}
	}
	return lastp, lifo
}

// idleList is s's idle P list, head first.
func idleList(s *spec.State) []int8 {
	var out []int8
	for pi, n := s.Sched.Pidle, 0; pi != spec.None && n < len(s.Ps); pi, n = s.Ps[pi].Link, n+1 {
		out = append(out, pi)
	}
	return out
}

func TestPidleRecordFixture(t *testing.T) {
	if os.Getenv("GEXIT_RECORD_FIXTURES") == "" {
		t.Skip("set GEXIT_RECORD_FIXTURES=1 to record the fixture anew")
	}
	var best []Record
	var bestH Header
	for attempt := 0; attempt < 6; attempt++ {
		rep, err := Run(Options{Workloads: []string{"pidle"}, Procs: []int{2}, KeepRecords: true, Out: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		for _, run := range rep.Runs {
			for _, p := range run.Processes {
				if p.File == nil || !p.Main {
					continue
				}
				lastp, lifo := pidleFixtureEvents(p.File)
				t.Logf("attempt %d: last-P handoff at %d, LIFO exitsyscall at %d", attempt, lastp, lifo)
				if lastp < 0 || lifo < 0 {
					continue
				}
				if n := max(lastp, lifo) + 2; best == nil || n < len(best) {
					best, bestH = p.File.Records[:n], p.File.Header
				}
			}
		}
	}
	if best == nil {
		t.Fatal("no run showed both events")
	}
	writeFixture(t, pidleFixture, bestH, best)
}

// TestRealIdleListJudged: the idle-list judge, and the whole spec judge,
// pass the real run, which holds schedinit's procresize, pidleputs and
// pidlegets, a last-P handoff and exitsyscall's idle path.
func TestRealIdleListJudged(t *testing.T) {
	f := fixture(t, pidleFixture)
	if probs := Consistency(f); len(probs) != 0 {
		t.Fatalf("consistency: %v", probs)
	}
	if r := f.Records[0]; r.Index != 0 || r.Kind != KProcresize || r.F[0] != 0 || r.F[2] != 0 {
		t.Fatalf("the fixture does not start at schedinit's procresize: %v", r)
	}
	j := pidleJudgeFor(f)
	for i := range f.Records[:f.Settled] {
		j.record(&f.Records[i])
	}
	if len(j.problems) != 0 {
		t.Fatalf("idle-list judge:\n%s", strings.Join(j.problems, "\n"))
	}
	count := map[Kind]int{}
	for _, r := range f.Records {
		count[r.Kind]++
	}
	if count[KPidleput] == 0 || count[KPidleget] == 0 || j.judged < count[KPidleput]+count[KPidleget] {
		t.Fatalf("judged %d records of %d pidleput and %d pidleget", j.judged, count[KPidleput], count[KPidleget])
	}
	if jj := SpecJudgeEvery(1)(f); jj.Verdict != OK {
		t.Fatalf("%s:\n%s", jj.Verdict, strings.Join(jj.Problems, "\n"))
	}
	t.Logf("%d records, %d judged by the idle-list judge", f.Settled, j.judged)
}

// replayTo replays f's records before position end through the
// idle-list judge.
func replayTo(t *testing.T, f *File, end int) *pidleJudge {
	t.Helper()
	j := pidleJudgeFor(f)
	for i := range f.Records[:end] {
		j.record(&f.Records[i])
	}
	if len(j.problems) != 0 {
		t.Fatalf("idle-list judge:\n%s", strings.Join(j.problems, "\n"))
	}
	return j
}

// specSyscallState is the full spec state a recorded situation describes:
// gomaxprocs Ps; main (G0 on M0) in a system call, holding P k when held
// is set, else having lost it (k is M0's old P); the idle list as the
// records replayed it, head first; every other P running on an M of its
// own. The state must pass every spec invariant.
func specSyscallState(t *testing.T, gomaxprocs int, k int8, held bool, idle []int8) *spec.State {
	t.Helper()
	consts, _ := spec.Preset("go")
	s, err := spec.New(spec.Config{Consts: consts, Ps: gomaxprocs, Ms: gomaxprocs + 1})
	if err != nil {
		t.Fatal(err)
	}
	if k != 0 { // main's P is k
		s.Ps[0], s.Ps[k] = s.Ps[k], s.Ps[0]
		s.Ms[0].P = k
	}
	if _, err := s.Apply(spec.Op{Kind: spec.OpEnterSyscall, M: 0, P: spec.None}); err != nil {
		t.Fatal(err)
	}
	if !held {
		s.Ms[0].P = spec.None
	}
	nextM := int8(1)
	s.Sched.Pidle = spec.None
	for i := range s.Ps {
		pp := &s.Ps[i]
		pp.Link = spec.None
		switch {
		case slices.Contains(idle, int8(i)):
			pp.Status, pp.M = spec.PIdle, spec.None
		case int8(i) == k && held:
		default:
			pp.Status, pp.M = spec.PRunning, nextM
			s.Ms[nextM].P = int8(i)
			nextM++
		}
	}
	for i := len(idle) - 1; i >= 0; i-- {
		s.Ps[idle[i]].Link = s.Sched.Pidle
		s.Sched.Pidle = idle[i]
	}
	// The Ms left without a P sleep on the idle M list.
	s.Sched.Midle = spec.None
	for mi := len(s.Ms) - 1; mi >= 1; mi-- {
		m := &s.Ms[mi]
		m.Parked, m.Link = m.P == spec.None, spec.None
		if m.Parked {
			m.Link, s.Sched.Midle = s.Sched.Midle, int8(mi)
		}
	}
	if v := s.CheckInvariants(); v != nil {
		t.Fatalf("the state built from the records breaks %v\n%s", v, s.Dump())
	}
	return s
}

// TestRealHandoffpLastP is the regression test of handoffp's last-P branch
// (spec/handoff_test.go) from a real recorded sequence: when the real
// handoffp took it, the records had put every other P on the idle list,
// and the next record of the same M is startm of the P. The spec state
// those records describe (gomaxprocs Ps, that idle list, the P's G in a
// system call) makes the spec's retake hand the P to an M (PHandoff,
// startm), as the runtime did, leaving the idle list as it was; the spec
// before the fix put it on the idle list.
func TestRealHandoffpLastP(t *testing.T) {
	f := fixture(t, pidleFixture)
	at, _ := pidleFixtureEvents(f)
	if at < 0 {
		t.Fatal("the fixture has no last-P handoff followed by startm")
	}
	r := f.Records[at]
	j := replayTo(t, f, at)
	idle, gomaxprocs := idleList(j.s), int(j.s.Sched.GoMaxProcs)
	if len(idle) != gomaxprocs-1 || slices.Contains(idle, int8(r.P)) || int(r.F[1]) != len(idle) || int(r.F[2]) != gomaxprocs || r.F[3] != 1 {
		t.Fatalf("%v: the records' idle list %v, gomaxprocs %d: not every other P idle", r, idle, gomaxprocs)
	}
	s := specSyscallState(t, gomaxprocs, int8(r.P), true, idle)
	res, err := retakeAndHandoff(s, int8(r.P))
	if err != nil || !res.HandedOff {
		t.Fatalf("retake: %v %v", res, err)
	}
	if s.Ps[r.P].Status != spec.PHandoff || !slices.Equal(idleList(s), idle) {
		t.Fatalf("the spec's handoffp left P%d %s with idle list %v; the runtime (%v) started an M for it\n%s",
			r.P, s.Ps[r.P].Status, idleList(s), r, s.Dump())
	}
	if v := s.CheckInvariants(); v != nil {
		t.Fatal(v)
	}
	// With one more P running (npidle below gomaxprocs-1), the same
	// retake idles the P: the branch is the last running P's alone.
	if gomaxprocs >= 2 && len(idle) >= 1 {
		s = specSyscallState(t, gomaxprocs+1, int8(r.P), true, idle)
		if _, err := retakeAndHandoff(s, int8(r.P)); err != nil {
			t.Fatal(err)
		}
		if s.Ps[r.P].Status != spec.PIdle || s.Sched.Pidle != int8(r.P) {
			t.Fatalf("with another P running, P%d is %s\n%s", r.P, s.Ps[r.P].Status, s.Dump())
		}
	}
	// The same records with handoffp idling the P (what the spec did
	// before the fix) are a violation.
	recs := slices.Clone(f.Records[:f.Settled])
	recs[at].F[0] = HandoffIdle
	if probs := judgeIdleList(&File{Header: f.Header, Records: recs, Settled: len(recs)}); !strings.Contains(strings.Join(probs, "\n"), "the spec's handoffp starts an M for it") {
		t.Fatalf("a last-P handoff recorded as idle is not caught:\n%s", strings.Join(probs, "\n"))
	}
	t.Logf("%v, idle list %v, then %v", r, idle, f.Records[at+1])
}

// retakeAndHandoff is sysmon's retake of P p and its handoffp, the steps
// after it (handoffp's unlocked reads, then its next steps); the result
// is handoffp's reads'.
func retakeAndHandoff(s *spec.State, p int8) (spec.Result, error) {
	if r, err := s.Apply(spec.Op{Kind: spec.OpRetake, M: spec.Sysmon, P: p}); err != nil {
		return r, err
	}
	res, err := s.Apply(spec.Op{Kind: spec.OpHandoffp, M: spec.Sysmon})
	for err == nil && s.Sched.RetakeP != spec.None {
		_, err = s.Apply(spec.Op{Kind: s.Ps[s.Sched.RetakeP].Handoff.Next(), M: spec.Sysmon})
	}
	return res, err
}

// TestRealExitsyscallLIFO is the regression test of exitsyscall's idle
// path (spec/exitsyscall_test.go) from a real recorded sequence: a G
// whose P was retaken leaves its system call through exitsyscallTryGetP's
// pidleget, which hands out the head of the idle list, the P idled last,
// while the G's old P is idle further down. Replayed through the spec's
// idle list, and from the spec state the records describe, the spec's
// exitsyscall hands out that same P and cannot take the old one.
func TestRealExitsyscallLIFO(t *testing.T) {
	f := fixture(t, pidleFixture)
	_, at := pidleFixtureEvents(f)
	if at < 0 {
		t.Fatal("the fixture has no exitsyscall idle path with the old P idle below the head")
	}
	e := f.Records[at]
	get := -1 // the pidleget just before on the same M
	for k := at - 1; k >= 0 && get < 0; k-- {
		if f.Records[k].M == e.M {
			get = k
		}
	}
	if get < 0 || f.Records[get].Kind != KPidleget || f.Records[get].P != e.P {
		t.Fatalf("%v: no pidleget of P%d just before on M%d", e, e.P, e.M)
	}
	j := replayTo(t, f, get)
	idle, oldp := idleList(j.s), int8(e.F[1])
	// From the records alone: the P handed out is the one pidleput last
	// among those on the list.
	lastPut := int16(-1)
	for _, r := range f.Records[:get] {
		if r.Kind == KPidleput && slices.Contains(idle, int8(r.P)) {
			lastPut = r.P
		}
	}
	if lastPut != e.P || idle[0] != int8(e.P) || !slices.Contains(idle, oldp) {
		t.Fatalf("%v: idle list %v, last pidleput P%d, old P%d", e, idle, lastPut, oldp)
	}
	s := specSyscallState(t, int(j.s.Sched.GoMaxProcs), oldp, false, idle)
	if _, err := s.Clone().Apply(spec.Op{Kind: spec.OpExitSyscall, M: 0, P: spec.None, N: int8(spec.ExitOldP)}); err == nil {
		t.Fatalf("the spec's exitsyscall takes the idle old P%d back", oldp)
	}
	res, err := s.Apply(spec.Op{Kind: spec.OpExitSyscall, M: 0, P: spec.None, N: int8(spec.ExitPidle)})
	if err != nil || res.P != int8(e.P) || s.Ms[0].P != int8(e.P) {
		t.Fatalf("the spec's exitsyscall gets %v (%v); the runtime (%v) got P%d\n%s", res, err, e, e.P, s.Dump())
	}
	if v := s.CheckInvariants(); v != nil {
		t.Fatal(v)
	}
	// The same records with the old P handed out (the pre-1.26 order the
	// spec had) are a violation.
	recs := slices.Clone(f.Records[:f.Settled])
	recs[get].P, recs[at].P = int16(oldp), int16(oldp)
	if probs := judgeIdleList(&File{Header: f.Header, Records: recs, Settled: len(recs)}); !strings.Contains(strings.Join(probs, "\n"), "the spec's pidleget returns the head") {
		t.Fatalf("the old P handed out is not caught:\n%s", strings.Join(probs, "\n"))
	}
	t.Logf("%v after %v, idle list %v", e, f.Records[get], idle)
}

// exitsyscallNoP's pidleget runs under sched.lock (proc.go:5082-5086): a
// G queued on sched.runq for want of a P while the idle list held one is
// a violation, unless user scheduling was disabled (schedEnabled false:
// a stop-the-world GC mode skips the pidleget). Controls: the same record
// with scheduling disabled, and with the idle list empty.
func TestIdleJudgeExitsyscallNoPTakesAnIdleP(t *testing.T) {
	judge := func(at int, schedDisabled int32) []string {
		recs := idleHistory()
		nop := Record{Kind: KExitsyscallNoP, P: -1, M: 0, G: 0xc000000380, X: 1, F: [6]int32{1, 0, schedDisabled}}
		recs = slices.Insert(recs, at, nop)
		for i := range recs {
			recs[i].Index = uint64(i)
		}
		return judgeIdleList(&File{Header: Header{GOMAXPROCS: 3}, Records: recs, Settled: len(recs)})
	}
	recs := idleHistory()
	held := slices.IndexFunc(recs, func(r Record) bool { return r.Kind == KPidleput && r.P == 2 && r.M == 2 }) + 1 // P2 and P0 idle
	probs := judge(held, 0)
	if len(probs) == 0 || !strings.Contains(probs[0], "exitsyscallNoP found no idle P") {
		t.Errorf("exitsyscallNoP without a P while P2 and P0 are idle: %q", probs)
	}
	if probs := judge(held, 1); len(probs) != 0 {
		t.Errorf("the same with user scheduling disabled: %q", probs)
	}
	empty := slices.IndexFunc(recs, func(r Record) bool { return r.Kind == KPidleget && r.P == 1 && r.M == 3 }) + 1 // the stop-the-world took both
	if probs := judge(empty, 0); len(probs) != 0 {
		t.Errorf("exitsyscallNoP without a P, the idle list empty: %q", probs)
	}
}

// TestIdleJudgeStartsAtSchedinitsProcresize: schedinit's procresize
// (from 0 Ps) is the process's first record and makes the idle list, so
// an idle-list record before the first procresize, or a first procresize
// from more than 0 Ps, is a violation, never a history left unjudged.
func TestIdleJudgeStartsAtSchedinitsProcresize(t *testing.T) {
	// P1 put twice (the spec's throw), then a pidleget of P0, which was
	// never on the list.
	idle := []Record{
		{Kind: KPidleput, P: 1, M: 0, F: [6]int32{1, -1, 2}},
		{Kind: KPidleput, P: 1, M: 0, F: [6]int32{1, -1, 2}},
		{Kind: KPidleget, P: 0, M: 0, F: [6]int32{7, 3, 9}},
	}
	schedinit := []Record{
		{Kind: KProcresize, P: -1, M: 0, F: [6]int32{0, 2, 0}},
		{Kind: KProcresize, P: 0, M: 0, F: [6]int32{0, 2, 1}},
	}
	for _, tc := range []struct {
		name string
		recs []Record
		want string
	}{
		{"idle-list records and no procresize", slices.Clone(idle), "an idle-list record before the first procresize"},
		{"handoffp before the first procresize", append([]Record{{Kind: KHandoffp, P: 0, M: 0, F: [6]int32{HandoffIdle, 0, 2, 1, 0}}}, idleHistory()...),
			"an idle-list record before the first procresize"},
		{"the first procresize from 2 Ps", append([]Record{
			{Kind: KProcresize, P: 0, M: 0, F: [6]int32{2, 2, 0}},
			{Kind: KProcresize, P: 0, M: 0, F: [6]int32{2, 2, 1}},
		}, slices.Clone(idle)...), "the first procresize record resizes from 2 Ps"},
		{"control: the same records after schedinit's procresize", append(slices.Clone(schedinit), idle...), "the spec throws"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := tc.recs
			for i := range recs {
				recs[i].Index = uint64(i)
			}
			f := &File{Header: Header{GOMAXPROCS: 3}, Records: recs, Settled: len(recs)}
			if probs := strings.Join(judgeIdleList(f), "\n"); !strings.Contains(probs, tc.want) {
				t.Fatalf("want a problem with %q, have:\n%s", tc.want, probs)
			}
			if j := SpecJudgeEvery(1)(f); j.Verdict != Violation {
				t.Errorf("verdict %s, want violation", j.Verdict)
			}
		})
	}
}
