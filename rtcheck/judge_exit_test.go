package rtcheck

import (
	"strings"
	"testing"
)

// TestJudgeLockedExits: a locked exit's thread records only gdestroy's
// tail (gfput, its spill) before mexit, and only mexit's tail after it.
// Clean: a thread's exit and m0's wedge, with other Ms scheduling around
// them, and a history that ends between gdestroy and mexit. Planted: the
// thread schedules instead of exiting (plan9's branch), schedules after
// mexit, or puts another G on its free list.
func TestJudgeLockedExits(t *testing.T) {
	const g, other = 0xc000001000, 0xc000002000
	gdestroy := func(m int32) Record {
		return Record{Kind: KGdestroy, M: m, P: 0, G: g, F: [6]int32{2048, 1, 0, 1, int32(b2i(m == 0))}}
	}
	gfput := func(m int32, gp uint64) Record {
		return Record{Kind: KGfput, M: m, P: 0, G: gp, F: [6]int32{2048, 2048, 1}}
	}
	rec := func(k Kind, m int32) Record { return Record{Kind: k, M: m, P: 0} }
	for _, tc := range []struct {
		name string
		recs []Record
		want string // "" clean; else a word of the problem
	}{
		{"thread exit", []Record{gdestroy(5), rec(KFindRunnable, 6), gfput(5, g), rec(KGfputSpill, 5), rec(KMexit, 5),
			rec(KHandoffp, 5), rec(KStartm, 5), rec(KPidleput, 5), rec(KCheckdead, 5), rec(KRunqget, 6)}, ""},
		{"m0 wedged", []Record{gdestroy(0), gfput(0, g), rec(KMexit, 0), rec(KHandoffp, 0), rec(KCheckdead, 0), rec(KMexit, 0)}, ""},
		{"history ends before mexit", []Record{gdestroy(5), gfput(5, g)}, ""},
		{"an unlocked gdestroy record", []Record{{Kind: KGdestroy, M: 5, G: g}, rec(KFindRunnable, 5)}, ""},
		{"the thread schedules (plan9's branch)", []Record{gdestroy(5), gfput(5, g), rec(KFindRunnable, 5)}, "before its mexit"},
		{"the thread spawns after mexit", []Record{gdestroy(5), gfput(5, g), rec(KMexit, 5), rec(KHandoffp, 5), rec(KNewproc1, 5)}, "after its mexit"},
		{"another G put", []Record{gdestroy(5), gfput(5, other), rec(KMexit, 5)}, "before its mexit"},
	} {
		probs := judgeLockedExits(&File{Records: tc.recs, Settled: len(tc.recs)})
		switch {
		case tc.want == "" && len(probs) != 0:
			t.Errorf("%s: %v", tc.name, probs)
		case tc.want != "" && (len(probs) != 1 || !strings.Contains(probs[0], tc.want)):
			t.Errorf("%s: %v, want one problem saying %q", tc.name, probs, tc.want)
		}
	}
}

// TestExitsReachGfput: the exits the trailer says had not reached gfput.
// Clean: none, or up to one per P (in flight while the trailer was
// written; procresize's Ps count), or not judged (no count: an earlier
// gexit's file; probes on Ps that are not the scheduler's). Planted:
// more (exits that skipped gfput), or gfputs without their exits.
func TestExitsReachGfput(t *testing.T) {
	file := func(missing int32, has bool, outside uint64, recs ...Record) *File {
		return &File{Header: Header{GOMAXPROCS: 2}, Records: recs, Settled: len(recs),
			Trailer: &Trailer{ExitsMissing: missing, HasExitsMissing: has, Outside: outside}}
	}
	resized := Record{Kind: KProcresize, F: [6]int32{2, 4}}
	for _, tc := range []struct {
		name string
		f    *File
		want string
	}{
		{"every exit reached gfput", file(0, true, 0), ""},
		{"two exits in flight", file(2, true, 0), ""},
		{"four in flight after a procresize to 4", file(4, true, 0, resized), ""},
		{"no count (an earlier gexit's file)", file(40, false, 0), ""},
		{"probes outside the scheduler's Ps", file(-5, true, 3), ""},
		{"three exits skipped gfput", file(3, true, 0), "3 exits (gdestroy's calls, counted) never reached gfput"},
		{"gfputs without their exits", file(-1, true, 0), "gfput's only caller is gdestroy"},
	} {
		probs := exitsReachGfput(tc.f)
		switch {
		case tc.want == "" && len(probs) != 0:
			t.Errorf("%s: %v", tc.name, probs)
		case tc.want != "" && (len(probs) != 1 || !strings.Contains(probs[0], tc.want)):
			t.Errorf("%s: %v, want one problem saying %q", tc.name, probs, tc.want)
		}
	}
}
