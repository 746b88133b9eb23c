package rtcheck

import (
	"fmt"
	"math/rand"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// specJudgeSeparately is SpecJudgeEvery made of the four judges run one
// after the other, each over the whole history (judgeFreeLists,
// judgeIdleList, judgeLockedExits, runqCheck): what SpecJudgeEvery's single pass over the
// records must agree with.
func specJudgeSeparately(f *File, every int) Judgement {
	probs := judgeFreeLists(f, max(every, 1))
	probs = append(probs, judgeIdleList(f)...)
	probs = append(probs, judgeLockedExits(f)...)
	rq := runqCheck(f, runqOptions{budget: RunqBudget, endWindow: true})
	probs = append(probs, rq.problems...)
	if len(probs) > 0 {
		return Judgement{Verdict: Violation, Problems: probs}
	}
	if rq.unknown != "" {
		return Judgement{Verdict: Unknown, Problems: []string{rq.unknown}}
	}
	return Judgement{Verdict: OK}
}

// mutateRecords returns a copy of recs with one random change a judge may
// see: another G, X or M, a field off by one or far off, a P, an
// entry stamp moved back, a kind (known or not), two records swapped,
// one removed, duplicated or overwritten by another. The indices stay
// those of a settled history.
func mutateRecords(rng *rand.Rand, src []Record) ([]Record, string) {
	recs := slices.Clone(src)
	n := len(recs)
	i := rng.Intn(n)
	k := rng.Intn(n)
	switch rng.Intn(12) {
	case 0:
		recs[i].G = recs[k].G
		return recs, fmt.Sprintf("#%d takes #%d's G", i, k)
	case 1:
		f, d := rng.Intn(6), int32(rng.Intn(2)*2-1)
		recs[i].F[f] += d
		return recs, fmt.Sprintf("#%d field %d %+d", i, f, d)
	case 2:
		f := rng.Intn(6)
		recs[i].F[f] = int32(rng.Intn(1 << 20))
		return recs, fmt.Sprintf("#%d field %d far off", i, f)
	case 3:
		recs[i].P = int16(rng.Intn(5)) - 1
		return recs, fmt.Sprintf("#%d on P%d", i, recs[i].P)
	case 4:
		recs[i].M = int32(rng.Intn(5)) - 1
		return recs, fmt.Sprintf("#%d on M%d", i, recs[i].M)
	case 5:
		recs[i].X = recs[k].G
		return recs, fmt.Sprintf("#%d's X is #%d's G", i, k)
	case 6:
		back := uint64(rng.Intn(40))
		recs[i].Entry -= min(recs[i].Entry, back)
		return recs, fmt.Sprintf("#%d's entry %d earlier", i, back)
	case 7:
		recs[i].Kind = Kind(rng.Intn(int(numKinds) + 2))
		return recs, fmt.Sprintf("#%d is a %s", i, recs[i].Kind)
	case 8:
		if i+1 < n {
			a, b := recs[i], recs[i+1]
			a.Index, b.Index = b.Index, a.Index
			a.Entry, b.Entry = min(a.Entry, a.Index), min(b.Entry, b.Index)
			recs[i], recs[i+1] = b, a
		}
		return recs, fmt.Sprintf("#%d and #%d swapped", i, i+1)
	case 9:
		recs = cut(recs, i, 1)
	case 10:
		recs = insert(recs, i, recs[k])
	case 11:
		idx, entry := recs[i].Index, recs[i].Entry
		recs[i] = recs[k]
		recs[i].Index, recs[i].Entry = idx, min(entry, idx)
		return recs, fmt.Sprintf("#%d overwritten by #%d", i, k)
	}
	for x := range recs {
		recs[x].Index = uint64(x)
	}
	return recs, fmt.Sprintf("#%d removed or #%d inserted at it", i, k)
}

// TestSpecJudgeOnePass: SpecJudgeEvery judges each record by the three
// judges in one pass; its judgement is, word for word, that of the three
// judges run one after the other, on the committed real runs, the
// synthetic histories, and mutated copies of them (most of which the
// judges reject, many near the end of the history, some unknown).
func TestSpecJudgeOnePass(t *testing.T) {
	type history struct {
		name    string
		f       *File
		mutants int
	}
	var hs []history
	paths, err := filepath.Glob(filepath.Join("testdata", "records", "*.gexit"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no record fixtures: %v", err)
	}
	for _, path := range paths {
		f, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		mutants := 30
		if f.Settled > 10000 {
			mutants = 5
		}
		hs = append(hs, history{filepath.Base(path), f, mutants})
	}
	rq, _ := rqScenario()
	hs = append(hs,
		history{"run-queue scenario", &File{Header: Header{GOMAXPROCS: 2}, Records: rq, Settled: len(rq)}, 100},
		history{"free-list history", &File{Header: Header{StartingStackSize: 2048, GOMAXPROCS: 2}, Records: cleanHistory(), Settled: len(cleanHistory())}, 100},
		history{"idle-list history", &File{Header: Header{GOMAXPROCS: 4}, Records: idleHistory(), Settled: len(idleHistory())}, 100})
	if testing.Short() {
		for i := range hs {
			hs[i].mutants /= 5
		}
	}
	verdicts := map[Verdict]int{}
	for _, h := range hs {
		rng := rand.New(rand.NewSource(int64(len(h.name))))
		for m := 0; m <= h.mutants; m++ {
			f, what := h.f, "as recorded"
			if m > 0 {
				recs, w := mutateRecords(rng, h.f.Records[:h.f.Settled])
				f, what = &File{Header: h.f.Header, Records: recs, Settled: len(recs)}, w
			}
			everys := []int{DefaultInvariantEvery}
			if f.Settled < 2000 {
				everys = append(everys, 1)
			}
			for _, every := range everys {
				one, sep := SpecJudgeEvery(every)(f), specJudgeSeparately(f, every)
				if one.Verdict != sep.Verdict || !slices.Equal(one.Problems, sep.Problems) {
					t.Fatalf("%s, %s, invariants every %d: one pass %s:\n%s\nthe judges one after the other %s:\n%s",
						h.name, what, every, one.Verdict, strings.Join(one.Problems, "\n"), sep.Verdict, strings.Join(sep.Problems, "\n"))
				}
				verdicts[one.Verdict]++
			}
		}
	}
	t.Logf("verdicts: %v", verdicts)
	if verdicts[OK] == 0 || verdicts[Violation] == 0 {
		t.Fatalf("the histories do not exercise both verdicts: %v", verdicts)
	}
}

// TestAddrTable: the judges' address table against a map, with key 0,
// addresses a G's size apart (as the runtime's are) and growth.
func TestAddrTable(t *testing.T) {
	var tab addrTable
	want := map[uint64]int32{}
	rng := rand.New(rand.NewSource(1))
	for i := range 20000 {
		var key uint64
		switch rng.Intn(3) {
		case 0:
			key = 0xc000200000 + uint64(rng.Intn(5000))*0x1a0
		case 1:
			key = uint64(rng.Intn(100))
		default:
			key = rng.Uint64()
		}
		if v, ok := tab.get(key); ok != (want[key] != 0) || ok && v != want[key]-1 {
			t.Fatalf("step %d: get(%#x) = %d, %v; want %d", i, key, v, ok, want[key]-1)
		}
		tab.put(key, int32(i))
		want[key] = int32(i) + 1
	}
	if tab.len() != len(want) {
		t.Fatalf("%d keys, want %d", tab.len(), len(want))
	}
	for key, v := range want {
		if got, ok := tab.get(key); !ok || got != v-1 {
			t.Fatalf("get(%#x) = %d, %v; want %d", key, got, ok, v-1)
		}
	}
}

// TestLinks: links answers keys asked in increasing order, the last link
// added for a key winning, -1 for none.
func TestLinks(t *testing.T) {
	var l links
	for _, e := range []link{{9, 1}, {3, 2}, {9, 3}, {5, 4}, {3, 5}} {
		l.add(e.key, e.val)
	}
	l.sort()
	for _, c := range []struct{ key, want int32 }{{1, -1}, {3, 5}, {3, 5}, {4, -1}, {5, 4}, {9, 3}, {10, -1}} {
		if got := l.at(c.key); got != c.want {
			t.Errorf("at(%d) = %d, want %d", c.key, got, c.want)
		}
	}
}
