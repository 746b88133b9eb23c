package rtcheck

import (
	"os"
	"strings"
	"testing"
	"time"
)

// rqHist builds run-queue histories by hand: records in index order, a
// lock-free one spanning from its entry stamp (by default its own index:
// no overlap).
type rqHist struct{ recs []Record }

func (h *rqHist) add(r Record) int {
	r.Index = uint64(len(h.recs))
	if info, _ := r.Kind.Info(); info.Entry && r.Entry == 0 {
		r.Entry = r.Index
		if r.Kind == KRunqsteal && r.Index > 0 {
			r.Entry = r.Index - 1 // around the runqgrab just before
		}
	}
	h.recs = append(h.recs, r)
	return len(h.recs) - 1
}

func gaddr(n int) uint64 { return 0xc000200000 + uint64(n)*0x1a0 }

const (
	how0Runnext = 0
	how1Ring    = 1
	how2Slow    = 2
)

// rqScenario is a clean history on two Ps (P0 run by M0, P1 by M1) with
// every run-queue operation the probes record: runnext kicks, a steal of
// half a ring overlapping the owner's put, a runnext steal, an empty
// grab, runqputslow of a full ring, a global batch back, gets from both
// ends, a drain, and p.destroy when GOMAXPROCS drops to 1. marks names
// the records the planted bugs change.
func rqScenario() (recs []Record, marks map[string]int) {
	h := &rqHist{}
	marks = map[string]int{}
	h.add(Record{Kind: KProcresize, P: -1, M: 0, F: [6]int32{0, 2, 0}})
	h.add(Record{Kind: KProcresize, P: 0, M: 0, F: [6]int32{0, 2, 1}})
	// P0: G1 to runnext, then G2, G3, G4, each kicking the one before to
	// the ring: ring [G1 G2 G3], runnext G4.
	h.add(Record{Kind: KRunqput, P: 0, M: 0, G: gaddr(1), F: [6]int32{how0Runnext, 1}})
	for g := 2; g <= 4; g++ {
		marks["kick"+string(rune('0'+g))] = h.add(Record{Kind: KRunqput, P: 0, M: 0, G: gaddr(g), X: gaddr(g - 1), F: [6]int32{how1Ring, 1, int32(g - 1), 0}})
	}
	// P1 steals n - n/2 = 2 of 3 (G1, G2: G1 published, G2 run), while
	// P0 puts G5 behind them: the grab began before the put ended.
	grabEntry := uint64(len(h.recs))
	marks["put5"] = h.add(Record{Kind: KRunqput, P: 0, M: 0, G: gaddr(5), F: [6]int32{how1Ring, 0, 4, 0}})
	marks["grab"] = h.add(Record{Kind: KRunqgrab, P: 0, M: 1, Entry: grabEntry, G: gaddr(1), F: [6]int32{2, 0, 0, 1, 0}})
	marks["steal"] = h.add(Record{Kind: KRunqsteal, P: 1, M: 1, Entry: grabEntry, G: gaddr(2), F: [6]int32{0, 2, 1}})
	// P0 runs runnext, then the ring's head G3 at position 2.
	marks["getnext"] = h.add(Record{Kind: KRunqget, P: 0, M: 0, G: gaddr(4), F: [6]int32{1, 0}})
	marks["get3"] = h.add(Record{Kind: KRunqget, P: 0, M: 0, G: gaddr(3), F: [6]int32{2, 2}})
	// P1 runs G1 from its ring; P0 runs G5; P1 finds P0 empty.
	h.add(Record{Kind: KRunqget, P: 1, M: 1, G: gaddr(1), F: [6]int32{2, 0}})
	h.add(Record{Kind: KRunqget, P: 0, M: 0, G: gaddr(5), F: [6]int32{2, 3}})
	h.add(Record{Kind: KRunqgrab, P: 0, M: 1, F: [6]int32{0, 0, 0, 1, 1}})
	h.add(Record{Kind: KRunqsteal, P: 1, M: 1, F: [6]int32{0, 0, 1}})
	// P0 puts G6 in runnext; P1 steals it (stealRunNextG).
	h.add(Record{Kind: KRunqput, P: 0, M: 0, G: gaddr(6), F: [6]int32{how0Runnext, 1}})
	h.add(Record{Kind: KRunqgrab, P: 0, M: 1, G: gaddr(6), F: [6]int32{1, 1, 0, 1, 1}})
	h.add(Record{Kind: KRunqsteal, P: 1, M: 1, G: gaddr(6), F: [6]int32{0, 1, 1}})
	// A G through the global queue, taken back by P1 in a batch of 1.
	h.add(Record{Kind: KGlobrunqput, P: 0, M: 0, G: gaddr(7), F: [6]int32{1, 1}})
	h.add(Record{Kind: KGlobrunqgetbatch, P: 1, M: 1, G: gaddr(7), F: [6]int32{1, 0}})
	// P0 fills its ring (positions 4..259) and overflows: runqputslow
	// moves G100..G227 and G400 to the global queue.
	for k := 0; k < 256; k++ {
		h.add(Record{Kind: KRunqput, P: 0, M: 0, G: gaddr(100 + k), F: [6]int32{how1Ring, 0, int32(5 + k), 4}})
	}
	slowEntry := uint64(len(h.recs))
	h.add(Record{Kind: KGlobrunqputbatch, P: 0, M: 0, G: gaddr(100), F: [6]int32{129, 129}})
	marks["slow"] = h.add(Record{Kind: KRunqputslow, P: 0, M: 0, Entry: slowEntry, G: gaddr(400), F: [6]int32{128, 4, 1}})
	h.add(Record{Kind: KRunqput, P: 0, M: 0, Entry: slowEntry, G: gaddr(400), F: [6]int32{how2Slow, 0, 260, 4}})
	// P1 takes a batch back: min(128, 129, 129/2+1) = 65; 64 to its ring
	// (positions 1..64).
	marks["getbatch"] = h.add(Record{Kind: KGlobrunqgetbatch, P: 1, M: 1, G: gaddr(100), F: [6]int32{65, 64}})
	marks["putbatch"] = h.add(Record{Kind: KRunqputbatch, P: 1, M: 1, F: [6]int32{64, 65}})
	h.add(Record{Kind: KRunqget, P: 1, M: 1, G: gaddr(101), F: [6]int32{2, 1}})
	h.add(Record{Kind: KGlobrunqget, P: 1, M: 1, G: gaddr(165), F: [6]int32{1, 63}})
	// P0 gets the head of what runqputslow left (G228 at 132).
	h.add(Record{Kind: KRunqget, P: 0, M: 0, G: gaddr(228), F: [6]int32{2, 132}})
	// A preempted mark worker on P1 drains it to the global queue: G102..G164.
	h.add(Record{Kind: KRunqdrain, P: 1, M: 1, F: [6]int32{63}})
	h.add(Record{Kind: KGlobrunqputbatch, P: 1, M: 1, G: gaddr(102), F: [6]int32{63, 126}})
	// GOMAXPROCS 2 -> 1: p.destroy(P1) with G9 in runnext and G8 in the
	// ring (position 65): G8, then G9, at the global queue's head.
	h.add(Record{Kind: KRunqput, P: 1, M: 1, G: gaddr(8), F: [6]int32{how1Ring, 0, 66, 65}})
	h.add(Record{Kind: KRunqput, P: 1, M: 1, G: gaddr(9), F: [6]int32{how0Runnext, 1}})
	h.add(Record{Kind: KProcresize, P: 0, M: 0, F: [6]int32{2, 1, 0}})
	marks["destroy"] = h.add(Record{Kind: KPDestroy, P: 1, M: 0, G: gaddr(9), F: [6]int32{65, 66}})
	h.add(Record{Kind: KGlobrunqputhead, P: 0, M: 0, G: gaddr(8), F: [6]int32{1, 127}})
	h.add(Record{Kind: KGlobrunqputhead, P: 0, M: 0, G: gaddr(9), F: [6]int32{1, 128}})
	h.add(Record{Kind: KProcresize, P: 0, M: 0, F: [6]int32{2, 1, 1}})
	h.add(Record{Kind: KGlobrunqget, P: 0, M: 0, G: gaddr(9), F: [6]int32{1, 127}})
	// With GOMAXPROCS 1 a batch is min(128, 127, 127/1+1): all 127.
	h.add(Record{Kind: KGlobrunqgetbatch, P: 0, M: 0, G: gaddr(8), F: [6]int32{127, 0}})
	h.add(Record{Kind: KRunqputbatch, P: 0, M: 0, F: [6]int32{126, 260 + 126}})
	return h.recs, marks
}

func judgeRunq(t *testing.T, recs []Record) runqResult {
	t.Helper()
	f := &File{Header: Header{GOMAXPROCS: 2}, Records: recs, Settled: len(recs)}
	if probs := Consistency(f); len(probs) != 0 {
		t.Fatalf("the records do not decode consistently: %v", probs)
	}
	return runqCheck(f, runqOptions{budget: time.Minute})
}

func TestRunqJudgePassesCleanHistory(t *testing.T) {
	recs, _ := rqScenario()
	res := judgeRunq(t, recs)
	if len(res.problems) != 0 || res.unknown != "" {
		t.Fatalf("unknown %q, problems:\n%s", res.unknown, strings.Join(res.problems, "\n"))
	}
	if probs := judgeRunQueues(&File{Header: Header{GOMAXPROCS: 2}, Records: recs, Settled: len(recs)}); len(probs) != 0 {
		t.Fatal(probs)
	}
	// SpecJudge wires it in: the same history is ok there.
	if j := SpecJudge(&File{Header: Header{GOMAXPROCS: 2}, Records: recs, Settled: len(recs)}); j.Verdict != OK {
		t.Fatalf("SpecJudge: %s %v", j.Verdict, j.Problems)
	}
}

// TestRunqJudgeOverlapNeedsAnOrder: a thief's grab of 2 from P0's ring
// of 4 overlaps P0's put of a fifth G that began first and returned
// first. Neither the order of the calls nor that of the returns is
// legal (after the put the grab would take 3); porcupine finds the grab
// first. When the put finished before the grab began, no order is legal.
func TestRunqJudgeOverlapNeedsAnOrder(t *testing.T) {
	build := func(overlap bool) []Record {
		h := &rqHist{}
		h.add(Record{Kind: KProcresize, P: -1, M: 0, F: [6]int32{0, 2, 0}})
		h.add(Record{Kind: KProcresize, P: 0, M: 0, F: [6]int32{0, 2, 1}})
		for g := 1; g <= 4; g++ {
			h.add(Record{Kind: KRunqput, P: 0, M: 0, G: gaddr(g), F: [6]int32{how1Ring, 0, int32(g), 0}})
		}
		k := uint64(len(h.recs))
		h.add(Record{Kind: KWakep, P: 1, M: 2, F: [6]int32{2}})
		h.add(Record{Kind: KWakep, P: 1, M: 2, F: [6]int32{2}})
		h.add(Record{Kind: KRunqput, P: 0, M: 0, Entry: k, G: gaddr(5), F: [6]int32{how1Ring, 0, 5, 0}})
		grabEntry := k + 1
		if !overlap {
			h.add(Record{Kind: KWakep, P: 1, M: 2, F: [6]int32{2}})
			grabEntry = uint64(len(h.recs))
		}
		h.add(Record{Kind: KRunqgrab, P: 0, M: 1, Entry: grabEntry, G: gaddr(1), F: [6]int32{2, 0, 0, 1, 0}})
		h.add(Record{Kind: KRunqsteal, P: 1, M: 1, Entry: grabEntry, G: gaddr(2), F: [6]int32{0, 2, 1}})
		h.add(Record{Kind: KRunqget, P: 0, M: 0, G: gaddr(3), F: [6]int32{2, 2}})
		h.add(Record{Kind: KRunqget, P: 1, M: 1, G: gaddr(1), F: [6]int32{2, 0}})
		return h.recs
	}
	res := judgeRunq(t, build(true))
	if len(res.problems) != 0 || res.unknown != "" || res.porcupine != 1 {
		t.Fatalf("overlapping: unknown %q, %d porcupine checks, problems:\n%s", res.unknown, res.porcupine, strings.Join(res.problems, "\n"))
	}
	res = judgeRunq(t, build(false))
	if all := strings.Join(res.problems, "\n"); !strings.Contains(all, "the spec takes 3 (n - n/2)") {
		t.Fatalf("the put before the grab: want the grab refused; unknown %q, problems:\n%s", res.unknown, all)
	}
}

// The planted bugs: records whose sizes still add up (Consistency passes)
// but whose choices are not the spec's.
func TestRunqJudgeCatchesPlantedBugs(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		plant      func(recs []Record, marks map[string]int) []Record
	}{
		{"a steal takes more than half", "the spec takes 2 (n - n/2)", func(recs []Record, m map[string]int) []Record {
			// The grab takes all 3 (G1 G2 G3), runs G3, publishes G1
			// and G2; P0 no longer gets G3 from its ring, gets G5 at 3.
			recs[m["grab"]].F[0] = 3
			recs[m["steal"]].F[1], recs[m["steal"]].F[2], recs[m["steal"]].G = 3, 2, gaddr(3)
			return cut(recs, m["get3"], 1)
		}},
		{"runnext not kicked to the ring", "the old runnext is none in the runtime", func(recs []Record, m map[string]int) []Record {
			// G3's runqput takes runnext without kicking G2 out.
			r := &recs[m["kick3"]]
			r.X, r.F[0], r.F[2] = 0, how0Runnext, 0
			return recs
		}},
		{"runqputslow moves 127", "runqputslow took 127 Gs; the spec takes 128", func(recs []Record, m map[string]int) []Record {
			// Half the ring less one, and the G: 128 to the global
			// queue. The history ends with runqput's return.
			recs[m["slow"]].F[0] = 127
			recs[m["slow"]-1].F[0], recs[m["slow"]-1].F[1] = 128, 128
			return recs[:m["slow"]+2]
		}},
		{"a G got that was never put", "was never written (a G got that was never put there)", func(recs []Record, m map[string]int) []Record {
			// P1 runs a G from ring position 70, past everything put there.
			extra := Record{Kind: KRunqget, P: 1, M: 1, G: gaddr(999), F: [6]int32{2, 70}}
			return insert(recs, m["putbatch"]+1, extra)
		}},
		{"a G got that is not the one put there", "P0's ring position 2 holds", func(recs []Record, m map[string]int) []Record {
			recs[m["get3"]].G = gaddr(5)
			return recs
		}},
		{"a globrunqgetbatch of the wrong size", "globrunqgetbatch took 64 Gs; the spec takes 65", func(recs []Record, m map[string]int) []Record {
			recs[m["getbatch"]].F[0], recs[m["getbatch"]].F[1] = 64, 65
			recs[m["putbatch"]].F[0], recs[m["putbatch"]].F[1] = 63, 64
			return recs
		}},
		{"runqgrab finds a ring of 4 empty", "runqgrab found P0's ring empty, but the spec's ring is never empty while it runs", func(recs []Record, m map[string]int) []Record {
			// After the put of G5, before P0's gets: its ring holds G3,
			// G5 (and runnext G4); P1 reports it empty.
			return insert(recs, m["steal"]+1, Record{Kind: KRunqgrab, P: 0, M: 1, F: [6]int32{0, 0, 0, 1, 0}})
		}},
		// Bad input: records without a P are problems, not panics.
		{"runqputslow without a P", "a run-queue record without a P", func(recs []Record, m map[string]int) []Record {
			recs[m["slow"]].P = -1 // its globrunqputbatch reads the P's ring
			return recs
		}},
		{"a steal from no P", "runqsteal reports 2 Gs from P0; its runqgrab took 2 from P-1", func(recs []Record, m map[string]int) []Record {
			recs[m["grab"]].P = -1
			return recs
		}},
		{"p.destroy moves runnext before the ring", "the spec moves g=", func(recs []Record, m map[string]int) []Record {
			d := m["destroy"]
			recs[d+1].G, recs[d+2].G = recs[d+2].G, recs[d+1].G
			return recs
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, marks := rqScenario()
			recs = tc.plant(recs, marks)
			for i := range recs {
				if recs[i].Entry != 0 && recs[i].Entry > uint64(i) {
					recs[i].Entry = uint64(i)
				}
				recs[i].Index = uint64(i)
			}
			f := &File{Header: Header{GOMAXPROCS: 2}, Records: recs, Settled: len(recs)}
			res := runqCheck(f, runqOptions{budget: time.Minute})
			all := strings.Join(res.problems, "\n")

			if len(res.problems) == 0 || !strings.Contains(all, tc.want) {
				t.Fatalf("want a problem naming %q; unknown %q, problems:\n%s", tc.want, res.unknown, all)
			}
		})
	}
}

// cut removes n records at i (and shifts the entry stamps after it).
func cut(recs []Record, i, n int) []Record {
	out := append(append([]Record(nil), recs[:i]...), recs[i+n:]...)
	for k := i; k < len(out); k++ {
		if out[k].Entry >= uint64(i+n) {
			out[k].Entry -= uint64(n)
		} else if out[k].Entry > uint64(i) {
			out[k].Entry = uint64(i)
		}
	}
	return out
}

// insert puts r at i (and shifts the entry stamps after it).
func insert(recs []Record, i int, r Record) []Record {
	out := append(append(append([]Record(nil), recs[:i]...), r), recs[i:]...)
	out[i].Entry = uint64(i)
	for k := i + 1; k < len(out); k++ {
		if out[k].Entry >= uint64(i) && out[k].Entry != 0 {
			out[k].Entry++
		}
	}
	return out
}

// The committed real run (testdata/records/runq-steal.gexit): a prefix of
// a run of the steal workload, cut at a point no operation spans, that
// has runnext kicks, steals of half a ring and of runnext, runqputslow, a
// global batch back to a ring, and overlapping operations that only
// porcupine's search orders.
// GEXIT_RECORD_FIXTURES=1 records it anew (TestRunqRecordFixture).
const runqFixture = "runq-steal.gexit"

// runqFixtureEvents reports whether recs show what the fixture is for,
// and the index just after the last of the first occurrences.
func runqFixtureEvents(recs []Record) (int, bool) {
	need := map[string]int{}
	for i, r := range recs {
		key := ""
		switch {
		case r.Kind == KRunqput && r.F[0] == 1 && r.F[1] == 1:
			key = "kick"
		case r.Kind == KRunqgrab && r.F[0] >= 2:
			key = "steal"
		case r.Kind == KRunqgrab && r.F[1] == 1:
			key = "stealnext"
		case r.Kind == KRunqgrab && r.F[0] == 0:
			key = "empty"
		case r.Kind == KRunqputslow && r.F[2] == 1:
			key = "runqputslow"
		case r.Kind == KRunqputbatch:
			key = "putbatch"
		}
		if _, ok := need[key]; key != "" && !ok {
			need[key] = i
		}
	}
	last := 0
	for _, k := range []string{"kick", "steal", "stealnext", "empty", "runqputslow", "putbatch"} {
		i, ok := need[k]
		if !ok {
			return 0, false
		}
		last = max(last, i+1)
	}
	return last, true
}

// quiescentCut is the first index at or after from that no lock-free
// operation of recs spans: every record before it finished before every
// one after it began.
func quiescentCut(recs []Record, from int) int {
	spans := make([]int, len(recs)+2)
	for _, r := range recs {
		if info, _ := r.Kind.Info(); info.Entry && r.Entry < r.Index {
			spans[r.Entry+1]++
			spans[r.Index+1]--
		}
	}
	open := 0
	for c := 0; c <= len(recs); c++ {
		open += spans[c]
		if c >= from && open == 0 {
			return c
		}
	}
	return -1
}

func TestRunqRecordFixture(t *testing.T) {
	if os.Getenv("GEXIT_RECORD_FIXTURES") == "" {
		t.Skip("set GEXIT_RECORD_FIXTURES=1 to record the fixture anew")
	}
	const maxRecords = 16000
	var best []Record
	var bestH Header
	for attempt := 0; attempt < 20; attempt++ {
		rep, err := Run(Options{Workloads: []string{"steal"}, Procs: []int{4 + 4*(attempt%2)}, KeepRecords: true, Out: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		for _, run := range rep.Runs {
			for _, p := range run.Processes {
				if p.File == nil || !p.Main {
					continue
				}
				recs := p.File.Records[:p.File.Settled]
				last, ok := runqFixtureEvents(recs)
				if !ok {
					continue
				}
				c := quiescentCut(recs, last)
				if c < 0 || (best != nil && c >= len(best)) {
					continue
				}
				res := runqCheck(&File{Header: p.File.Header, Records: recs[:c], Settled: c}, runqOptions{budget: time.Minute})
				if res.porcupine == 0 || len(res.problems) != 0 || res.unknown != "" {
					continue // no overlap that needs porcupine's search
				}
				best, bestH = recs[:c], p.File.Header
			}
		}
	}
	if best == nil || len(best) > maxRecords {
		t.Fatalf("no run showed every event within %d records (best %d)", maxRecords, len(best))
	}
	writeFixture(t, runqFixture, bestH, best)
}

// TestRealRunQueues: the spec judges the committed real run ok, and the
// same records with a planted change are violations.
func TestRealRunQueues(t *testing.T) {
	f := fixture(t, runqFixture)
	if probs := Consistency(f); len(probs) != 0 {
		t.Fatalf("consistency: %v", probs)
	}
	recs := f.Records[:f.Settled]
	if _, ok := runqFixtureEvents(recs); !ok {
		t.Fatal("the fixture lacks an event it is there for")
	}
	res := runqCheck(f, runqOptions{budget: time.Minute})
	if len(res.problems) != 0 || res.unknown != "" {
		t.Fatalf("unknown %q, problems:\n%s", res.unknown, strings.Join(res.problems, "\n"))
	}
	if res.porcupine == 0 {
		t.Fatal("no overlapping operations in the fixture that need porcupine's search")
	}
	if j := SpecJudge(f); j.Verdict != OK {
		t.Fatalf("SpecJudge: %s %v", j.Verdict, j.Problems)
	}
	t.Logf("%d records, %d per-P operations, %d segments of overlapping ones, %d needed porcupine's search",
		len(recs), res.ops, res.segments, res.porcupine)
	for _, tc := range []struct {
		name, want string
		plant      func(recs []Record) bool
	}{
		{"a kicked runnext left out of the ring", "the old runnext is none in the runtime", func(recs []Record) bool {
			for i, r := range recs {
				if r.Kind == KRunqput && r.F[0] == 1 && r.F[1] == 1 {
					// runnext taken without a kick; the ring store that
					// the kick made is then nobody's.
					recs[i].F[0], recs[i].X = 0, 0
					return true
				}
			}
			return false
		}},
		{"two gets from a ring swapped", "holds", func(recs []Record) bool {
			last := map[int16]int{}
			for i, r := range recs {
				if r.Kind == KRunqget && r.F[0] == 2 {
					if k, ok := last[r.P]; ok && recs[k].G != r.G {
						recs[k].G, recs[i].G = recs[i].G, recs[k].G
						return true
					}
					last[r.P] = i
				}
			}
			return false
		}},
		{"a global batch one short", "the spec takes", func(recs []Record) bool {
			for i, r := range recs {
				if r.Kind == KGlobrunqgetbatch && r.F[0] >= 3 {
					recs[i].F[0]--
					return true
				}
			}
			return false
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mut := append([]Record(nil), recs...)
			if !tc.plant(mut) {
				t.Skip("the fixture has no record to plant it in")
			}
			res := runqCheck(&File{Header: f.Header, Records: mut, Settled: len(mut)}, runqOptions{budget: time.Minute})
			if all := strings.Join(res.problems, "\n"); !strings.Contains(all, tc.want) {
				t.Fatalf("want a problem naming %q; unknown %q, problems:\n%s", tc.want, res.unknown, all)
			}
		})
	}
}

// TestRunqJudgeBudgetAndEnd: out of its time budget the check is unknown,
// never ok; a disagreement of a P's queues in the last records of a
// history is unknown (a record in flight at exit may be missing), one of
// the global queue is a violation wherever it is.
func TestRunqJudgeBudgetAndEnd(t *testing.T) {
	f := fixture(t, runqFixture)
	if res := runqCheck(f, runqOptions{budget: time.Nanosecond}); res.unknown == "" || len(res.problems) != 0 {
		t.Fatalf("a check out of its budget: unknown %q, problems %v", res.unknown, res.problems)
	}
	if j := SpecJudge(f); j.Verdict != OK {
		t.Fatalf("SpecJudge: %s %v", j.Verdict, j.Problems)
	}
	recs, marks := rqScenario()
	ring := append([]Record(nil), recs...)
	ring[marks["getnext"]].G = gaddr(77) // runnext holds G4: the model refuses it
	wrongG := append([]Record(nil), recs...)
	wrongG[marks["get3"]].G = gaddr(5) // not the G put at that position
	glob := append([]Record(nil), recs...)
	glob[marks["getbatch"]].F[0], glob[marks["getbatch"]].F[1] = 64, 65
	for _, tc := range []struct {
		name      string
		recs      []Record
		endWindow bool
		unknown   bool
	}{
		{"a P's queues near the end, strict", ring, false, false},
		{"a P's queues near the end", ring, true, true},
		{"the global queue near the end", glob, true, false},
		{"a G not the one put there, near the end", wrongG, true, false},
	} {
		f := &File{Header: Header{GOMAXPROCS: 2}, Records: tc.recs, Settled: len(tc.recs)}
		res := runqCheck(f, runqOptions{budget: time.Minute, endWindow: tc.endWindow})
		if got := res.unknown != ""; got != tc.unknown || (len(res.problems) == 0) != tc.unknown {
			t.Errorf("%s: unknown %q, problems %v", tc.name, res.unknown, res.problems)
		}
	}
}
