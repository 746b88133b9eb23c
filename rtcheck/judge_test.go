package rtcheck

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gexit-dev/gexit/spec"
)

// judgeRecords judges records as a process's settled history.
func judgeRecords(recs []Record) Judgement {
	f := &File{Header: Header{StartingStackSize: 2048, GOMAXPROCS: 2}, Records: recs, Settled: len(recs)}
	return SpecJudgeEvery(1)(f)
}

// TestSpecJudgePassesCleanHistory: the synthetic history of the
// consistency tests (creates, exits through a spill at 64, a refill on
// another P, reuse, a GC moving the stack list) is what the spec does.
func TestSpecJudgePassesCleanHistory(t *testing.T) {
	if j := judgeRecords(cleanHistory()); j.Verdict != OK {
		t.Fatalf("%s:\n%s", j.Verdict, strings.Join(j.Problems, "\n"))
	}
}

// TestSpecJudgeBeyondItsPs: a process with more Ps than the spec can
// name (128: its P indices are int8), at its start (the runtime's
// TestBigGOMAXPROCS runs testprog with GOMAXPROCS=1024) or after a
// procresize, is unknown, with the reason, never a violation of records
// the spec cannot replay. Up to 128 Ps the records are judged: the clean
// history is GOMAXPROCS 2's, and at 128 its globrunqgetbatch sizes are
// not the spec's.
func TestSpecJudgeBeyondItsPs(t *testing.T) {
	resized := func(n int32) []Record {
		// procresize's exit record names the new count (F[1]).
		return append(cleanHistory(), Record{Kind: KProcresize, P: -1, F: [6]int32{1, n}})
	}
	for _, tc := range []struct {
		name  string
		procs uint32
		recs  []Record
		want  Verdict
	}{
		{"GOMAXPROCS 2", 2, cleanHistory(), OK},
		{"GOMAXPROCS 128", 128, cleanHistory(), Violation},
		{"GOMAXPROCS 129", 129, cleanHistory(), Unknown},
		{"GOMAXPROCS 1024", 1024, cleanHistory(), Unknown},
		{"procresize to 200", 2, resized(200), Unknown},
	} {
		f := &File{Header: Header{StartingStackSize: 2048, GOMAXPROCS: tc.procs}, Records: tc.recs, Settled: len(tc.recs)}
		j := SpecJudgeEvery(1)(f)
		if j.Verdict != tc.want {
			t.Errorf("%s: %s, want %s:\n%s", tc.name, j.Verdict, tc.want, strings.Join(j.Problems, "\n"))
			continue
		}
		if tc.want == Unknown && (len(j.Problems) != 1 || !strings.Contains(j.Problems[0], "the spec names at most 128 Ps")) {
			t.Errorf("%s: problems %q", tc.name, j.Problems)
		}
	}
}

// TestSpecJudgeCatchesPlantedBugs: records whose sizes add up (so the
// consistency check passes) but whose choices are not the spec's.
func TestSpecJudgeCatchesPlantedBugs(t *testing.T) {
	find := func(recs []Record, k Kind, nth int) int { return findKind(t, recs, k, nth) }
	for _, tc := range []struct {
		name, want string
		plant      func(recs []Record) []Record
	}{
		{"gfget returns another G than its list's head", "the G gfget popped", func(recs []Record) []Record {
			i := find(recs, KNewproc1, 80) // the first reuse on P1
			j := find(recs, KNewproc1, 81)
			recs[i].G, recs[j].G = recs[j].G, recs[i].G
			return recs
		}},
		{"newproc1's malg path names a live G", "newproc1 took the malg path on P0 with G 0xc000100000", func(recs []Record) []Record {
			i := find(recs, KNewproc1, 1) // the second G malg made
			recs[i].G = recs[find(recs, KNewproc1, 0)].G
			return recs
		}},
		{"the refill prefers noStack", "Gs refilled (stack list)", func(recs []Record) []Record {
			i := find(recs, KGfgetRefill, 0)
			recs[i].F[0], recs[i].F[1] = recs[i].F[1], recs[i].F[0]
			return recs
		}},
		{"gfput keeps a stack of the wrong size", "gfput freed the stack", func(recs []Record) []Record {
			i := find(recs, KGfput, 3)
			recs[i].F[0] = 4096 // startingStackSize is 2048: the runtime frees it
			return recs
		}},
		{"the spill stops one short (moves 32)", "spilled", func(recs []Record) []Record {
			i := find(recs, KGfputSpill, 0)
			recs[i].F[0]--
			recs[i].F[2]++
			recs[i].F[3]--
			return recs
		}},
		{"no spill at 64", "a gfput on P0 before the spill", func(recs []Record) []Record {
			i := find(recs, KGfputSpill, 0)
			return append(recs[:i:i], recs[i+1:]...)
		}},
		{"a G put on a free list twice", "breaks OneListAtATime", func(recs []Record) []Record {
			i := findKind(t, recs, KGfput, 1)
			dup := recs[i]
			dup.F[2]++ // the sizes follow: only the spec's invariants see it
			return append(recs[:i+1:i+1], append([]Record{dup}, recs[i+1:]...)...)
		}},
		{"markrootFreeGStacks takes nothing", "markrootFreeGStacks took", func(recs []Record) []Record {
			i := find(recs, KGCFreeTake, 0)
			recs[i].F[0] = 0
			return recs
		}},
		// Bad input: records without a P are problems, not panics.
		{"a spill without a P", "a gfput.spill record without a P (P-1)", func(recs []Record) []Record {
			recs[find(recs, KGfputSpill, 0)].P = -1
			return recs
		}},
		{"newproc1 on P200", "a newproc1 record without a P (P200)", func(recs []Record) []Record {
			recs[find(recs, KNewproc1, 3)].P = 200
			return recs
		}},
		{"a reused G keeps a stale-sized stack", "the new G's stack", func(recs []Record) []Record {
			// startingStackSize doubled (a GC's end) since gfput kept the
			// G's stack: the runtime must free it (gfget.stale) and
			// allocate.
			i := find(recs, KNewproc1, 80)
			recs[i].F[2], recs[i].F[3] = 2048, 4096
			return slices.Insert(recs, i, Record{Kind: KStackSize, F: [6]int32{4096, 2048, 1, 1}})
		}},
		// startingStackSize changes only at a GC's end (gcMarkDone's
		// gcComputeStartingStackSize, with the world stopped, while the
		// GC still marks): the spec's gc off op.
		{"startingStackSize changes outside gcMarkDone", "the last gcComputeStartingStackSize", func(recs []Record) []Record {
			i := find(recs, KGfput, 3)
			recs[i].F[0], recs[i].F[1] = 4096, 4096 // a stack of the new size, kept
			return recs
		}},
		{"gcComputeStartingStackSize with the world started", "with the world started", func(recs []Record) []Record {
			return slices.Insert(recs, find(recs, KGfput, 3), Record{Kind: KStackSize, F: [6]int32{2048, 2048, 1, 0}})
		}},
		{"gcComputeStartingStackSize after marking", "gcBlackenEnabled = 0", func(recs []Record) []Record {
			return slices.Insert(recs, find(recs, KGfput, 3), Record{Kind: KStackSize, F: [6]int32{2048, 2048, 0, 1}})
		}},
		{"gcComputeStartingStackSize sets 3000", "not a power of two", func(recs []Record) []Record {
			return slices.Insert(recs, find(recs, KGfput, 3), Record{Kind: KStackSize, F: [6]int32{3000, 2048, 1, 1}})
		}},
		{"gcComputeStartingStackSize finds another size", "startingStackSize before gcComputeStartingStackSize", func(recs []Record) []Record {
			return slices.Insert(recs, find(recs, KGfput, 3), Record{Kind: KStackSize, F: [6]int32{2048, 8192, 1, 1}})
		}},
		// A finalizer goroutine's exit that does not take it off
		// sched.ngsys (its finalizer called runtime.Goexit).
		{"the finalizer goroutine exits as a user goroutine", "NGSysCount: the finalizer goroutine", func(recs []Record) []Record {
			return slices.Insert(recs, find(recs, KGfput, 3), Record{Kind: KGdestroyNgsys, G: 0x5000, X: 7})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := tc.plant(cleanHistory())
			for i := range recs {
				recs[i].Index = uint64(i)
			}
			j := judgeRecords(recs)
			if j.Verdict != Violation || !strings.Contains(strings.Join(j.Problems, "\n"), tc.want) {
				t.Fatalf("verdict %s, want a violation naming %q:\n%s", j.Verdict, tc.want, strings.Join(j.Problems, "\n"))
			}
		})
	}
}

// The clean control of the startingStackSize cases above: two GC ends, the
// first raising startingStackSize, the second lowering it again, and the
// records between them reading the raised size, are judged ok.
func TestSpecJudgeStackSizeAtGCEnd(t *testing.T) {
	recs := cleanHistory()
	i := findKind(t, recs, KGfput, 3)
	put := recs[i]
	put.F[0], put.F[1] = 4096, 4096 // a stack of the raised size: kept
	recs[i] = put
	// Each cycle's markrootFreeGStacks before its gcMarkDone (the global
	// lists are empty there: the take and the push move nothing).
	take, push := Record{Kind: KGCFreeTake}, Record{Kind: KGCFreePut}
	recs = slices.Insert(recs, i+1, take, push, Record{Kind: KStackSize, F: [6]int32{2048, 4096, 1, 1}})
	recs = slices.Insert(recs, i, take, push, Record{Kind: KStackSize, F: [6]int32{4096, 2048, 1, 1}})
	for k := range recs {
		recs[k].Index = uint64(k)
	}
	j := judgeRecords(recs)
	if j.Verdict != OK {
		t.Fatalf("verdict %s:\n%s", j.Verdict, strings.Join(j.Problems, "\n"))
	}
}

// markrootFreeGStacks is a root job of every GC cycle, claimed once and
// done before marking ends (mgcmark.go fixedRootFreeGStacks): a cycle
// whose gcMarkDone comes with no run of it, or with two, is a violation;
// cleanHistory's one run before a gcMarkDone is the control.
func TestSpecJudgeMarkrootOncePerCycle(t *testing.T) {
	end := Record{Kind: KStackSize, F: [6]int32{2048, 2048, 1, 1}}
	judge := func(recs []Record) Judgement {
		for k := range recs {
			recs[k].Index = uint64(k)
		}
		return judgeRecords(recs)
	}
	if j := judge(append(cleanHistory(), end)); j.Verdict != OK {
		t.Fatalf("one markrootFreeGStacks, then gcMarkDone: %s:\n%s", j.Verdict, strings.Join(j.Problems, "\n"))
	}
	recs := cleanHistory()
	if j := judge(slices.Insert(recs, findKind(t, recs, KGfput, 3), end)); j.Verdict != Violation || !strings.Contains(strings.Join(j.Problems, "\n"), "markrootFreeGStacks never ran") {
		t.Errorf("gcMarkDone with no markrootFreeGStacks in the cycle: %s:\n%s", j.Verdict, strings.Join(j.Problems, "\n"))
	}
	recs = cleanHistory()
	g := recs[findKind(t, recs, KGCFreePut, 0)].F[4] // noStack's size after the run
	again := Record{Kind: KGCFreeTake, F: [6]int32{0, 0, 0, 0, g}}
	if j := judge(append(recs, again, Record{Kind: KGCFreePut, F: [6]int32{0, 0, 0, 0, g}}, end)); j.Verdict != Violation || !strings.Contains(strings.Join(j.Problems, "\n"), "a second time in one GC cycle") {
		t.Errorf("two markrootFreeGStacks in one cycle: %s:\n%s", j.Verdict, strings.Join(j.Problems, "\n"))
	}
}

// gfget refills its P from the global lists whenever its P's list is
// empty and they are not (proc.go:5509), on an unlocked test. A newproc1
// that allocated (malg) while sched.gFree held Gs at every state the test
// could have read is a violation; two controls: the lists were empty
// for a while in the test's window (another P's refill took the last G,
// a spill put more), and the op in flight at the test emptied them
// (markrootFreeGStacks's take, recorded after the malg).
func TestSpecJudgeGfgetRefillsFromGlobalLists(t *testing.T) {
	addr := func(i int) uint64 { return uint64(0xc000200000 + i*0x200) }
	base := func() *history {
		h := newHistory()
		for i := range 64 {
			h.create(0, addr(i))
		}
		for i := range 64 {
			h.exit(0, addr(i)) // the spill at 64: 33 Gs on sched.gFree.stack
		}
		h.create(1, addr(100)) // P1's first record: no window before it
		return h
	}
	markroot := func(h *history) {
		h.add(Record{Kind: KGCFreeTake, F: [6]int32{h.gs, 0, 0, 0, h.g}})
		h.g += h.gs
		h.add(Record{Kind: KGCFreePut, F: [6]int32{h.gs, 0, 0, 0, h.g}})
		h.gs = 0
	}
	verdict := func(h *history) Judgement { return judgeRecords(h.recs) }

	h := base()
	h.create(1, addr(101)) // malg with 33 Gs on the global lists
	h.refill(2)            // the next global-list op leaves 1
	if j := verdict(h); j.Verdict != Violation || !strings.Contains(strings.Join(j.Problems, "\n"), "P1's gfget found its list empty") {
		t.Fatalf("malg while sched.gFree held Gs throughout: %s:\n%s", j.Verdict, strings.Join(j.Problems, "\n"))
	}

	h = base()
	h.refill(2)
	h.refill(3) // the lists empty: P1's test may have read them here
	live := append(slices.Clone(h.free[2]), addr(100))
	for range h.free[2] {
		h.create(2, 0)
	}
	for _, g := range live {
		h.exit(0, g) // P0's list reaches 64: a spill refills sched.gFree
	}
	h.create(1, addr(101))
	h.refill(4) // leaves a G: the lists held one since the spill
	if h.gs == 0 {
		t.Fatalf("the control's spill left the global lists empty")
	}
	if j := verdict(h); j.Verdict != OK {
		t.Fatalf("malg after the lists were empty in its window: %s:\n%s", j.Verdict, strings.Join(j.Problems, "\n"))
	}

	h = base()
	h.create(1, addr(101))
	markroot(h) // in flight at P1's test: the take empties the lists
	if j := verdict(h); j.Verdict != OK {
		t.Fatalf("malg while markrootFreeGStacks's take emptied the lists: %s:\n%s", j.Verdict, strings.Join(j.Problems, "\n"))
	}
}

// The regression tests of the spec's fixes replay real recorded
// sequences, committed as record files (testdata/records: prefixes of
// record files of the bundled workloads, cut just after the events they
// show). GEXIT_RECORD_FIXTURES=1 records them anew.

// writeFixture commits recs, under header h, as the record file name
// (GEXIT_RECORD_FIXTURES=1 runs).
func writeFixture(t *testing.T, name string, h Header, recs []Record) {
	t.Helper()
	out := encodeHeader(h)
	for _, r := range recs {
		out = append(out, encode(r)...)
	}
	if err := os.WriteFile(filepath.Join("testdata", "records", name), out, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d records", name, len(recs))
}

// fixture loads a committed record file.
func fixture(t *testing.T, name string) *File {
	t.Helper()
	f, err := ReadFile(filepath.Join("testdata", "records", name))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestRealGCFreesGlobalStacks: a real run of the gc workload in which
// markrootFreeGStacks took Gs with stacks off sched.gFree.stack and a
// later gfget on one of them had to allocate a stack. The spec judge
// follows it; the spec before the fix (markrootFreeGStacks never run by
// the spec's GC, so those Gs keep their stacks) would have predicted the
// stack reused: replaying the same records with the GC records dropped
// is exactly that spec, and it fails.
func TestRealGCFreesGlobalStacks(t *testing.T) {
	f := fixture(t, "gc-stacks-freed.gexit")
	if probs := Consistency(f); len(probs) != 0 {
		t.Fatalf("consistency: %v", probs)
	}
	if j := SpecJudgeEvery(1)(f); j.Verdict != OK {
		t.Fatalf("%s:\n%s", j.Verdict, strings.Join(j.Problems, "\n"))
	}
	take := -1
	for i, r := range f.Records[:f.Settled] {
		if r.Kind == KGCFreeTake && r.F[0] > 0 {
			take = i
			break
		}
	}
	if take < 0 {
		t.Fatal("the fixture has no markrootFreeGStacks that took Gs")
	}
	old := &File{Header: f.Header}
	for _, r := range f.Records[:f.Settled] {
		if r.Kind != KGCFreeTake && r.Kind != KGCFreePut {
			old.Records = append(old.Records, r)
		}
	}
	old.Settled = len(old.Records)
	j := SpecJudge(old)
	if j.Verdict != Violation || !strings.Contains(strings.Join(j.Problems, "\n"), "stack") {
		t.Fatalf("without markrootFreeGStacks the spec should disagree about a stack; verdict %s:\n%s", j.Verdict, strings.Join(j.Problems, "\n"))
	}
}

// TestRealGCWindow: a real run in which a gfget refilled, or a gfput
// spilled, between markrootFreeGStacks's two lock sections. With the job
// as one step at either section, the spec would disagree with it.
func TestRealGCWindow(t *testing.T) {
	f := fixture(t, "gc-window.gexit")
	if j := SpecJudgeEvery(1)(f); j.Verdict != OK {
		t.Fatalf("%s:\n%s", j.Verdict, strings.Join(j.Problems, "\n"))
	}
	w := windowEvent(f)
	if w < 0 {
		t.Fatal("the fixture has no refill or spill inside markrootFreeGStacks's window")
	}
	// The job as one step, at its first or at its second lock section:
	// move the other record next to it.
	take, put := -1, -1
	for i := w; i >= 0 && take < 0; i-- {
		if f.Records[i].Kind == KGCFreeTake {
			take = i
		}
	}
	for i := w; i < f.Settled && put < 0; i++ {
		if f.Records[i].Kind == KGCFreePut {
			put = i
		}
	}
	recs := f.Records[:f.Settled]
	for _, oneStep := range []struct {
		name string
		recs []Record
	}{
		{"at the take", slicesConcat(recs[:take+1], recs[put:put+1], recs[take+1:put], recs[put+1:])},
		{"at the put", slicesConcat(recs[:take], recs[take+1:put], recs[take:take+1], recs[put:])},
	} {
		g := &File{Header: f.Header, Records: oneStep.recs, Settled: len(oneStep.recs)}
		if j := SpecJudge(g); j.Verdict != Violation {
			t.Errorf("the job as one step %s: verdict %s, want a violation", oneStep.name, j.Verdict)
		}
	}
}

func slicesConcat(parts ...[]Record) []Record {
	var out []Record
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// windowEvent is the index of the first refill or spill between a
// markrootFreeGStacks take that took Gs and its put, or -1.
func windowEvent(f *File) int {
	open := false
	for i, r := range f.Records[:f.Settled] {
		switch r.Kind {
		case KGCFreeTake:
			open = r.F[0] > 0
		case KGCFreePut:
			open = false
		case KGfgetRefill, KGfputSpill:
			if open {
				return i
			}
		}
	}
	return -1
}

// TestRecordFixtures regenerates the committed record files from real
// runs when GEXIT_RECORD_FIXTURES=1.
func TestRecordFixtures(t *testing.T) {
	if os.Getenv("GEXIT_RECORD_FIXTURES") == "" {
		t.Skip("set GEXIT_RECORD_FIXTURES=1 to record the fixtures anew")
	}
	want := map[string]func(f *File) int{
		"gc-stacks-freed.gexit": func(f *File) int {
			// Up to the first newproc1 that allocated a stack for a G
			// taken by markrootFreeGStacks.
			taken := false
			for i, r := range f.Records[:f.Settled] {
				if r.Kind == KGCFreeTake && r.F[0] > 0 {
					taken = true
				}
				if taken && r.Kind == KGfgetAlloc {
					for k := i + 1; k < f.Settled; k++ {
						if f.Records[k].Kind == KNewproc1 && f.Records[k].P == r.P {
							return k + 1
						}
					}
				}
			}
			return -1
		},
		"gc-window.gexit": func(f *File) int {
			i := windowEvent(f)
			if i < 0 {
				return -1
			}
			for k := i; k < f.Settled; k++ {
				if f.Records[k].Kind == KGCFreePut {
					return k + 1
				}
			}
			return -1
		},
	}
	// The shortest prefix over several runs: the files are committed.
	const maxRecords = 40000
	for name, cut := range want {
		var best []byte
		bestN := -1
		for attempt := 0; attempt < 30; attempt++ {
			rep, err := Run(Options{Workloads: []string{"gc"}, Procs: []int{1 + attempt%4}, KeepRecords: true, Out: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			for _, run := range rep.Runs {
				for _, p := range run.Processes {
					if p.File == nil || !p.Main {
						continue
					}
					n := cut(p.File)
					if n < 0 || (bestN >= 0 && n >= bestN) {
						continue
					}
					best = encodeHeader(p.File.Header)
					for _, r := range p.File.Records[:n] {
						best = append(best, encode(r)...)
					}
					bestN = n
				}
			}
		}
		if bestN < 0 || bestN > maxRecords {
			t.Errorf("%s: no run showed it within %d records (best %d)", name, maxRecords, bestN)
			continue
		}
		if err := os.WriteFile(filepath.Join("testdata", "records", name), best, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d records", name, bestN)
	}
}

// encodeHeader is a record file's header, as the runtime side writes it.
func encodeHeader(h Header) []byte {
	b := header()
	le := binary.LittleEndian
	for off, v := range map[int]uint32{16: h.Ring, 20: h.Pid, 24: h.StartingStackSize, 28: h.GOMAXPROCS, 32: h.FixedStack, 36: h.RunqSize} {
		le.PutUint32(b[off:], v)
	}
	return b
}

// TestSpecJudgeGoidsAndDestroyedPs: newproc1 hands out its P's batch in
// order, batches have _GoidCacheBatch goids, and a P procresize destroys
// leaves no G on its free list (gfpurge).
func TestSpecJudgeGoidsAndDestroyedPs(t *testing.T) {
	build := func(batch int32, skip bool, purge bool, span ...int32) []Record {
		h := newHistory()
		// schedinit's procresize: the process's first record.
		h.add(Record{Kind: KProcresize, P: -1, F: [6]int32{0, 2, 0}})
		h.add(Record{Kind: KProcresize, P: 0, F: [6]int32{0, 2, 1}})
		f := [6]int32{batch}
		if len(span) > 0 {
			f[1] = span[0]
		}
		h.add(Record{Kind: KGoidBatch, P: 1, X: 17, F: f})
		var gs []uint64
		for i := 0; i < 3; i++ {
			g := uint64(0xc000200000 + i*0x200)
			h.goid = uint64(17 + i)
			if skip && i == 2 {
				h.goid++
			}
			h.create(1, g)
			gs = append(gs, g)
		}
		for _, g := range gs {
			h.exit(1, g)
		}
		h.add(Record{Kind: KProcresize, P: 0, F: [6]int32{2, 1, 0}})
		h.add(Record{Kind: KPDestroy, P: 1})
		if purge {
			h.add(Record{Kind: KGfpurge, P: 1, F: [6]int32{3, 0, 0, 3, 0}})
		}
		h.add(Record{Kind: KProcresize, P: 0, F: [6]int32{2, 1, 1}})
		return h.recs
	}
	if j := judgeRecords(build(16, false, true)); j.Verdict != OK {
		t.Fatalf("control: %s\n%s", j.Verdict, strings.Join(j.Problems, "\n"))
	}
	if j := judgeRecords(build(16, false, true, 16)); j.Verdict != OK {
		t.Fatalf("control, with sched.goidgen.Add's value: %s\n%s", j.Verdict, strings.Join(j.Problems, "\n"))
	}
	for _, tc := range []struct {
		name, want string
		recs       []Record
	}{
		{"a batch of 8 goids", "the goid batch's size", build(8, false, true)},
		{"a goid skipped", "the goid newproc1 takes", build(16, true, true)},
		{"p.destroy without gfpurge", "destroyed with 3 Gs on its free list", build(16, false, false)},
		// The batch starts 4 goids below sched.goidgen+1: Add
		// returned its first goid + 19, not + 15.
		{"a batch not ending at sched.goidgen.Add's value", "span up to sched.goidgen.Add's value", build(16, false, true, 20)},
	} {
		j := judgeRecords(tc.recs)
		if j.Verdict != Violation || !strings.Contains(strings.Join(j.Problems, "\n"), tc.want) {
			t.Errorf("%s: verdict %s, want a violation naming %q:\n%s", tc.name, j.Verdict, tc.want, strings.Join(j.Problems, "\n"))
		}
	}
}

// TestRuntimeMutants: every runtime mutant must be caught, as gexit
// runtime -mutants requires (about 1-2 s a mutant with a warm build
// cache, 20 s cold).
func TestRuntimeMutants(t *testing.T) {
	skipShort(t)
	if raceEnabled {
		// 158 s of the package's race run, spent in the mutants'
		// builds and workloads (separate processes); the judge they
		// feed is raced by the package's other tests.
		t.Skip("make test runs it without -race")
	}
	rows, err := RunMutants(MutantOptions{}) // every mutant
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(Mutants) {
		t.Fatalf("%d rows for %d mutants", len(rows), len(Mutants))
	}
	for _, r := range rows {
		t.Logf("%-24s caught=%v byRecords=%v %.1fs runs=%d %s", r.Mutant, r.Caught, r.ByRecords, r.Seconds, r.Runs, r.Kind)
		if !r.Caught {
			t.Errorf("mutant %s not caught in %d runs (verdict %q, error %q)", r.Mutant, r.Runs, r.Verdict, r.Error)
		}
	}
}

// TestRuntimeMutantNullRow: the mutation table's control. A mutant that
// changes nothing the runtime does (a comment) is not caught, after
// MutantRuns runs of its workload: the table's "caught" is the judge's
// finding, not something every run reports.
func TestRuntimeMutantNullRow(t *testing.T) {
	skipShort(t)
	saved := Mutants
	t.Cleanup(func() { Mutants = saved })
	Mutants = append(slices.Clone(saved), Mutant{Name: "null", Description: "a comment in runqgrab",
		File: "proc.go", Old: "n = n - n/2", New: "n = n - n/2 // gexit: null mutant", Workloads: []string{"steal"}})
	rows, err := RunMutants(MutantOptions{Names: []string{"null"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	if r := rows[0]; r.Caught || r.Error != "" || r.Verdict != OK || r.Runs != MutantRuns {
		t.Errorf("the null mutant: caught %v, verdict %s, %d runs, error %q, %s", r.Caught, r.Verdict, r.Runs, r.Error, r.Kind)
	}
}

// TestRunMutantsInterrupted: a table whose context ends (a signal) stops:
// the row running is interrupted, neither caught nor not caught, no row
// starts after it, and the mutant's copy of the runtime is removed.
func TestRunMutantsInterrupted(t *testing.T) {
	skipShort(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The signal comes as the first mutant's runtime is built.
	log := &cancelOnWrite{cancel: cancel}
	rows, err := RunMutants(MutantOptions{Context: ctx, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || !rows[0].Interrupted || rows[0].Caught || rows[0].Error != "" {
		t.Fatalf("rows %+v\n%s", rows, log.String())
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "gexit-*")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
	// A context ended before the table: no row.
	if rows, err := RunMutants(MutantOptions{Context: ctx}); err != nil || len(rows) != 0 {
		t.Errorf("cancelled before: %d rows, %v", len(rows), err)
	}
}

// cancelOnWrite is a log that cancels at its first write.
type cancelOnWrite struct {
	strings.Builder
	cancel func()
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	w.cancel()
	return w.Builder.Write(p)
}

// TestApplyMutantRefusesAmbiguousText: a mutant whose text is missing or
// occurs twice is an error, never a silent no-op.
func TestApplyMutantRefusesAmbiguousText(t *testing.T) {
	for _, m := range []Mutant{
		{Name: "missing", File: "proc.go", Old: "this text is not in proc.go", New: "x"},
		{Name: "twice", File: "proc.go", Old: "sched.gFree.noStack.pushAll(noStackQ)", New: "x"},
		{Name: "other-file", File: "stack.go", Old: "x", New: "y"},
	} {
		if err := ApplyMutant("", t.TempDir(), m); err == nil {
			t.Errorf("mutant %s applied", m.Name)
		}
	}
	for _, m := range Mutants {
		if err := ApplyMutant("", t.TempDir(), m); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// TestRealStartState: the regression test of the spec's start state (P0's
// schedtick 0), from a real process's first records: runtime.main's G is
// made on P0 (goid 1, from P0's first goid batch), put in P0's runnext
// (newproc's runqput(pp, newg, true)) and taken from runnext by the first
// schedule, so execute inherits the time slice and P0's schedtick stays
// 0. The spec's initial state (m0 running main on P0) must be the state
// that sequence leaves.
func TestRealStartState(t *testing.T) {
	f := fixture(t, "gc-stacks-freed.gexit")
	var main uint64
	var sawBatch, sawPut, sawGet bool
	for _, r := range f.Records[:min(f.Settled, 20)] {
		switch {
		case r.Kind == KGoidBatch && r.P == 0 && r.X == 1:
			sawBatch = r.F[0] == 16
		case r.Kind == KNewproc1 && r.X == 1:
			if r.P != 0 {
				t.Fatalf("main was made on P%d", r.P)
			}
			main = r.G
		case r.Kind == KRunqput && r.G == main && main != 0:
			sawPut = r.P == 0 && r.Code() == "runnext"
		case r.Kind == KRunqget && r.G == main && main != 0:
			sawGet = r.P == 0 && r.Code() == "runnext"
		}
	}
	if !sawBatch || !sawPut || !sawGet {
		t.Fatalf("the fixture does not start as runtime.main does: batch %v, runnext put %v, runnext get %v", sawBatch, sawPut, sawGet)
	}
	consts, _ := spec.Preset("go")
	s, err := spec.New(spec.Config{Consts: consts, Ps: int(f.Header.GOMAXPROCS), Ms: 2})
	if err != nil {
		t.Fatal(err)
	}
	p0 := s.Ps[0]
	if p0.SchedTick != 0 || p0.GoidCache != 2 || p0.GoidEnd != 17 || s.Sched.Goidgen != 16 || s.Gs[0].Goid != 1 {
		t.Fatalf("the spec's start: P0 schedtick %d, goid cache [%d,%d), goidgen %d, main's goid %d; the real start leaves schedtick 0 (runnext, inherited time), cache [2,17), goidgen 16, goid 1",
			p0.SchedTick, p0.GoidCache, p0.GoidEnd, s.Sched.Goidgen, s.Gs[0].Goid)
	}
}

// The control of the NGSysCount case above: finalizer and cleanup
// goroutines whose exits take them off sched.ngsys are judged ok.
func TestSpecJudgeNgsysDecremented(t *testing.T) {
	recs := cleanHistory()
	i := findKind(t, recs, KGfput, 3)
	recs = slices.Insert(recs, i, Record{Kind: KGdestroyNgsys, G: 0x5000, X: 7, F: [6]int32{1, 0}},
		Record{Kind: KGdestroyNgsys, G: 0x5100, X: 8, F: [6]int32{1, 1}})
	for i := range recs {
		recs[i].Index = uint64(i)
	}
	if j := judgeRecords(recs); j.Verdict != OK {
		t.Fatalf("verdict %s:\n%s", j.Verdict, strings.Join(j.Problems, "\n"))
	}
}

// TestSpecJudgeMalgStack: newproc1's malg(stackMin) allocates fixedStack,
// the spec's Malg(StackMin); a record of another size is a violation
// (it used to be taken as the new G's stack, whatever it was).
func TestSpecJudgeMalgStack(t *testing.T) {
	recs := cleanHistory()
	if j := judgeRecords(recs); j.Verdict != OK {
		t.Fatalf("control: %s\n%s", j.Verdict, strings.Join(j.Problems, "\n"))
	}
	for i := range recs {
		if recs[i].Kind == KMalg {
			recs[i].F[0] *= 2
			break
		}
	}
	j := judgeRecords(recs)
	if j.Verdict != Violation || !strings.Contains(strings.Join(j.Problems, "\n"), "the stack newproc1's malg allocated: the runtime has 4096, the spec 2048") {
		t.Fatalf("malg of 4096 bytes: %s\n%s", j.Verdict, strings.Join(j.Problems, "\n"))
	}
}
