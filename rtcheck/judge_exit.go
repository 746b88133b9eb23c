package rtcheck

import "fmt"

// The exit of a G locked to its thread, judged by the spec's exit
// (spec/exit.go: the exit/locked:mexit and exit/locked:m0wedged
// branches): gdestroy puts the G on its P's free list, then, off plan9,
// `gogo(&mp.g0.sched)` returns to mstart, which calls mexit; the thread
// never schedules again (proc.go gdestroy, mstart0, mexit; m0 parks in
// mPark). So, on the M of a gdestroy record (recorded for locked exits
// only):
//
//   - before that M's mexit record, it records only gdestroy's own tail:
//     the G's gfput and gfput's spill;
//   - after its mexit record, only mexit's own tail (handoffp's and
//     startm's records, pidleput, checkdead, m0's second mexit record):
//     none of the kinds only a scheduling M makes (a pick, a spawn, an
//     exit, a free-list take, a run-queue put).
//
// An M's id (mp.id, from mReserveID) is never reused, so every record
// with it is that thread's. A locked exit whose mexit record is missing
// at the end of the settled history is not judged: the process may have
// ended (exit(0), a throw such as gdestroy's lockedInt one) between the
// two.
//
// A review planted plan9's branch on Linux (lockedExt cleared, the thread
// goes on to schedule): the free lists, idle list and run queues were
// all consistent, and gexit runtime said ok.
type exitJudge struct {
	pending  map[int32]uint64 // M -> G: a locked gdestroy without its mexit yet
	exited   map[int32]bool   // Ms past a locked exit's mexit record
	problems []string
}

func newExitJudge() *exitJudge {
	return &exitJudge{pending: map[int32]uint64{}, exited: map[int32]bool{}}
}

// schedulingKinds are the records only an M that schedules makes: none
// of them is part of gdestroy's tail (gfput and its spill) or mexit's
// (handoffp, startm, pidleput, checkdead).
var schedulingKinds = func() (k [numKinds]bool) {
	for _, kind := range []Kind{KGdestroy, KGfput, KGfputSpill, KGfgetRefill, KGfgetStale, KGfgetAlloc, KMalg, KGoidBatch,
		KNewproc1, KRunqput, KRunqputslow, KRunqget, KRunqgrab, KRunqsteal, KRunqputbatch, KRunqdrain,
		KGlobrunqput, KGlobrunqputhead, KGlobrunqputbatch, KGlobrunqget, KGlobrunqgetbatch, KFindRunnable,
		KExitsyscallFast, KExitsyscallSlow, KExitsyscallNoP, KStopm} {
		k[kind] = true
	}
	return k
}()

func (j *exitJudge) failf(r *Record, format string, a ...any) {
	if len(j.problems) < maxProblems {
		j.problems = append(j.problems, fmt.Sprintf("%s: %s", r, fmt.Sprintf(format, a...)))
	}
}

func (j *exitJudge) record(r *Record) {
	if r.Kind >= numKinds {
		return
	}
	if g, ok := j.pending[r.M]; ok {
		switch {
		case r.Kind == KMexit:
			delete(j.pending, r.M)
			j.exited[r.M] = true
			return
		case r.Kind == KGfput && r.G == g, r.Kind == KGfputSpill:
			return
		default:
			delete(j.pending, r.M)
			j.failf(r, "M%d records this after G %#x exited locked to it and before its mexit: a locked exit's thread leaves through mexit (proc.go gdestroy: gogo(&mp.g0.sched), then mstart's mexit); the spec's exit/locked:mexit", r.M, g)
			return
		}
	}
	if j.exited[r.M] && schedulingKinds[r.Kind] {
		delete(j.exited, r.M) // (reported once)
		j.failf(r, "M%d records this after its mexit (a locked exit's): an exited thread never schedules again (proc.go mexit: exitThread, or m0's mPark)", r.M)
		return
	}
	if r.Kind == KGdestroy && r.F[1] != 0 { // (recorded for locked exits only; field b is locked)
		j.pending[r.M] = r.G
	}
}

func (j *exitJudge) finish() []string { return j.problems }

// judgeLockedExits is the exit judge over f's settled records.
func judgeLockedExits(f *File) []string {
	j := newExitJudge()
	recs := f.Records[:f.Settled]
	for i := range recs {
		j.record(&recs[i])
	}
	return j.finish()
}
