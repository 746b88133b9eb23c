package rtcheck

import (
	"fmt"
	"strings"

	"github.com/gexit-dev/gexit/spec"
)

// The idle-list judge: pidleput and pidleget run under sched.lock, so
// their records are in the runtime's exact order, and they replay, one
// spec function per record, through the spec's idle-list sub-machine
// (spec/pidle.go: PidlePut, PidleGet, NPidle, the functions Step's
// findRunnable, handoffp, startm and exitsyscall transitions are made
// of) on a spec.State of which only the idle list (sched.pidle, the Ps'
// links) and gomaxprocs are used. Every pidleget must return the spec's
// head (the list is LIFO), every npidle and link must be the spec's, and a
// pidleput of a P already on the list is the spec's throw.
//
// The start state: the records show procresize from schedinit at index 0
// (old = 0), with the idle list empty before it: schedinit calls
// procresize before any P exists, and no probe records before it, so its
// entry record is the process's first. Every later procresize
// runs with the world stopped, after stopTheWorldWithSema took every idle
// P off the list (pidleget until nil, proc.go:1676-1685). The judge starts
// at the first procresize record with an empty list and checks that the
// list is empty at every later one. The first procresize must be
// schedinit's (old = 0), and an idle-list record (pidleput, pidleget,
// handoffp) before it is a violation: there is no P to idle before
// schedinit's procresize. At procresize's end the rebuilt list must be the order the
// spec's RelistIdle gives the same idle Ps (procresize pidleputs them from
// P0 up, proc.go:6236-6241).
//
// Around the list: handoffp's decisions taken under sched.lock (gcstop,
// globalwork, lastp, idle) carry npidle and gomaxprocs, which must be the
// spec's; a last-P decision must be one the spec's HandoffpLastRunningP
// makes, and an idle decision in a process without a netpoller (so
// sched.lastpoll is never 0) one it does not make. exitsyscallTryGetP's
// idle path (exitsyscall.slow how=idle) and exitsyscallNoP's P come from
// a pidleget: the record just before on the same M must be that pidleget,
// returning that P.
type pidleJudge struct {
	s       *spec.State
	engaged bool  // the first procresize was seen
	resize  int32 // procresize's nprocs while it runs, else -1
	// prev is, per M id, the last record of that M before the current
	// one (nil: none; M ids past maxTrackedM are not followed).
	prev   []*Record
	judged int
	judgeLog
}

// judgeIdleList judges a process's idle-list records; see pidleJudge.
func judgeIdleList(f *File) []string {
	j := pidleJudgeFor(f)
	recs := f.Records[:f.Settled]
	for i := range recs {
		j.record(&recs[i])
	}
	return j.finish()
}

// pidleJudgeFor is the idle-list judge of f before its first record.
func pidleJudgeFor(f *File) *pidleJudge {
	recs := f.Records[:f.Settled]
	nps := int(f.Header.GOMAXPROCS)
	for i := range recs {
		nps = max(nps, pidlePs(&recs[i]))
	}
	return newPidleJudge(nps)
}

// pidlePs is how many Ps the idle-list judge needs for r.
func pidlePs(r *Record) int {
	if r.Kind == KProcresize {
		return max(int(r.P)+1, int(r.F[1]))
	}
	return int(r.P) + 1
}

// finish returns the problems found.
func (j *pidleJudge) finish() []string {
	if len(j.problems) > 0 {
		j.problems = append(j.problems, "projected idle P list as it stood at the first failure: "+j.first)
	}
	return j.problems
}

// newPidleJudge is the idle-list judge of a history that needs nps Ps
// (the largest pidlePs and the header's GOMAXPROCS).
func newPidleJudge(nps int) *pidleJudge {
	nps = max(nps, 1)
	nps = min(nps, 127) // spec P indices are int8; a P beyond is reported
	consts, _ := spec.Preset("go")
	cfg := spec.Config{Consts: consts, Ps: nps, Ms: 1}
	s := &spec.State{Cfg: &cfg}
	s.Sched.Pidle = spec.None
	for range nps {
		s.Ps = append(s.Ps, spec.P{Status: spec.PRunning, M: spec.None, Runnext: spec.None, Kicked: spec.None, Link: spec.None, OldM: spec.None})
	}
	j := &pidleJudge{s: s, resize: -1}
	j.project = j.dump
	return j
}

// maxTrackedM bounds the M ids whose previous record the judge keeps (a
// corrupt record's id must not size a table).
const maxTrackedM = 1 << 16

// record judges the next record of the history.
func (j *pidleJudge) record(r *Record) {
	if len(j.problems) >= maxJudgeProblems {
		return
	}
	switch r.Kind {
	case KProcresize, KPidleput, KPidleget, KHandoffp, KExitsyscallSlow, KExitsyscallNoP:
		j.last = *r
		j.step(r)
	}
	if r.M >= 0 && r.M <= maxTrackedM {
		if int(r.M) >= len(j.prev) {
			j.prev = append(j.prev, make([]*Record, int(r.M)+1-len(j.prev))...)
		}
		j.prev[r.M] = r
	}
}

// step judges one record.
func (j *pidleJudge) step(r *Record) {
	s := j.s
	switch r.Kind {
	case KProcresize:
		if r.F[2] == 0 { // entry, the world stopped
			if j.engaged && s.Sched.Pidle != spec.None {
				j.failf("procresize runs with %s on the idle list; stopTheWorldWithSema takes every idle P off it", j.list())
			}
			if !j.engaged && r.F[0] != 0 {
				j.failf("the first procresize record resizes from %d Ps: the first is schedinit's, from 0 (gomaxprocs is 0 before it), and the process's first record", r.F[0])
			}
			j.engaged = true
			j.resize = r.F[1]
			return
		}
		if !j.engaged {
			return
		}
		j.resize = -1
		s.Sched.GoMaxProcs = r.F[1]
		j.checkRelist(r.F[1])
	case KPidleput:
		if !j.engaged {
			j.beforeResize()
			return
		}
		j.judged++
		limit := s.Sched.GoMaxProcs
		if j.resize >= 0 {
			limit = j.resize
		}
		if r.P < 0 || int32(r.P) >= limit || int(r.P) >= len(s.Ps) {
			j.failf("pidleput of P%d, not one of gomaxprocs %d Ps", r.P, limit)
			return
		}
		if err := s.PidlePut(int8(r.P)); err != nil {
			j.failf("the spec throws: %v (the idle list is %s)", err, j.list())
			return
		}
		j.want("npidle after pidleput", int64(r.F[0]), int64(s.NPidle()))
		j.want("the P pidleput linked it on (pp.link)", int64(r.F[1]), int64(s.Ps[r.P].Link))
		j.want("gomaxprocs", int64(r.F[2]), int64(s.Sched.GoMaxProcs))
	case KPidleget:
		if !j.engaged {
			j.beforeResize()
			return
		}
		j.judged++
		before := j.list()
		got := s.PidleGet()
		if int16(got) != r.P {
			j.failf("pidleget returned %s; the spec's pidleget returns the head of the idle list %s: %s", pname(int(r.P)), before, pname(int(got)))
			return
		}
		j.want("npidle after pidleget", int64(r.F[0]), int64(s.NPidle()))
		j.want("the new head of the idle list", int64(r.F[1]), int64(s.Sched.Pidle))
		j.want("gomaxprocs", int64(r.F[2]), int64(s.Sched.GoMaxProcs))
	case KHandoffp:
		if !j.engaged {
			j.beforeResize()
			return
		}
		switch r.F[0] {
		case HandoffGCStop, HandoffGlobal, HandoffLastP, HandoffIdle: // under sched.lock
		default:
			return
		}
		j.judged++
		j.want("npidle at handoffp's decision", int64(r.F[1]), int64(s.NPidle()))
		j.want("gomaxprocs at handoffp's decision", int64(r.F[2]), int64(s.Sched.GoMaxProcs))
		switch {
		case r.F[0] == HandoffLastP && !s.HandoffpLastRunningP():
			j.failf("handoffp started an M for P%d as the last running P; the spec's idle list %s holds %d of gomaxprocs %d Ps: not the last running P",
				r.P, j.list(), s.NPidle(), s.Sched.GoMaxProcs)
		case r.F[0] == HandoffIdle && r.F[4] == 0 && s.HandoffpLastRunningP():
			j.failf("handoffp idled P%d, the last running P (idle list %s, gomaxprocs %d) in a process without a netpoller (sched.lastpoll is never 0); the spec's handoffp starts an M for it",
				r.P, j.list(), s.Sched.GoMaxProcs)
		}
	case KExitsyscallSlow, KExitsyscallNoP:
		if r.Kind == KExitsyscallNoP && r.P < 0 && r.F[2] == 0 && j.engaged && s.Sched.Pidle != spec.None {
			// Under sched.lock, with user scheduling enabled, its
			// pidleget returns the idle list's head (proc.go:5082-5086).
			j.judged++
			j.failf("exitsyscallNoP found no idle P and queued its G on sched.runq, but the idle list held %s under sched.lock: its pidleget returns the head", j.list())
			return
		}
		if r.P < 0 || (r.Kind == KExitsyscallSlow && r.F[0] != 2) {
			return // no P, or exitsyscallTryGetP's oldp
		}
		j.judged++
		what := "exitsyscallTryGetP's idle P"
		if r.Kind == KExitsyscallNoP {
			what = "exitsyscallNoP's P"
		}
		if r.M < 0 || int(r.M) >= len(j.prev) || j.prev[r.M] == nil || j.prev[r.M].Kind != KPidleget {
			prev := "none"
			if r.M >= 0 && int(r.M) < len(j.prev) && j.prev[r.M] != nil {
				prev = j.prev[r.M].String()
			}
			j.failf("%s, P%d, does not come from a pidleget just before on M%d (its previous record: %s)", what, r.P, r.M, prev)
			return
		}
		if p := j.prev[r.M]; p.P != r.P {
			j.failf("%s is P%d; the pidleget just before on M%d (#%d) returned %s", what, r.P, r.M, p.Index, pname(int(p.P)))
		}
	}
}

// beforeResize reports an idle-list record before the first procresize:
// schedinit's procresize makes the Ps, the first of them running, the
// others idle (its pidleput records), and its entry is the process's
// first record, so the list has no P to put, get or hand off before it.
func (j *pidleJudge) beforeResize() {
	j.judged++
	j.failf("an idle-list record before the first procresize: schedinit's procresize, the process's first record, makes the Ps and the idle list; before it there is no P")
}

// checkRelist compares the idle list procresize rebuilt with the order
// the spec's RelistIdle gives the same idle Ps.
func (j *pidleJudge) checkRelist(nprocs int32) {
	c := j.s.Clone()
	on := map[int8]bool{}
	for pi, n := c.Sched.Pidle, 0; pi != spec.None && n < len(c.Ps); pi, n = c.Ps[pi].Link, n+1 {
		on[pi] = true
	}
	for i := range c.Ps {
		switch {
		case on[int8(i)]:
			c.Ps[i].Status = spec.PIdle
		case int32(i) >= nprocs:
			c.Ps[i].Status = spec.PDead
		default:
			c.Ps[i].Status = spec.PRunning
		}
	}
	c.RelistIdle()
	if want, have := listString(c), j.list(); want != have {
		j.failf("procresize rebuilt the idle list as %s; the spec's procresize (relistIdle) lists the same Ps as %s", have, want)
	}
}

// list renders the projected idle list, head first.
func (j *pidleJudge) list() string { return listString(j.s) }

func listString(s *spec.State) string {
	var parts []string
	for pi, n := s.Sched.Pidle, 0; pi != spec.None; pi, n = s.Ps[pi].Link, n+1 {
		if n > len(s.Ps) {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, pname(int(pi)))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func pname(p int) string {
	if p < 0 {
		return "none"
	}
	return fmt.Sprintf("P%d", p)
}

func (j *pidleJudge) dump() string {
	return fmt.Sprintf("%s (npidle %d, gomaxprocs %d)", j.list(), j.s.NPidle(), j.s.Sched.GoMaxProcs)
}
