package spec

// Liveness helpers: pure functions the explorer's liveness check uses to
// follow one goroutine through its symmetry-reduced state graph.
//
// Fingerprint renames Gs (symmetry reduction), so a state the explorer
// stores does not say which G is which: "G2" in one state and "G2" in the
// next may be different goroutines. To follow one runnable G through a
// loop, the explorer names it by its place instead: its rank in
// RunnableOrder, which reads only positions (Ms and Ps are never renamed),
// so two states with the same fingerprint rank their runnable Gs in the
// same roles.

// RunnableOrder appends to buf the runnable Gs of s (_Grunnable) in the
// order a fixed walk of the places a runnable G can be meets them, and
// returns it:
//   - each M's newg, in M order: the G newproc1 made runnable
//     (casgstatus(newg, _Gdead, _Grunnable)) that newproc's runqput has
//     not queued yet (proc.go newproc, newproc1), then the G it holds
//     for startlockedm (M.Handing: found locked to another M, handed
//     after resetspinning's wakep);
//   - each P's runnext, then its ring from head to tail, then the batch
//     runqputslow took off the ring and has not pushed to the global
//     queue yet, then the global batch findRunnable's recheck holds with
//     the P it took (gp first), then the old runnext runqput's CAS kicked out and has
//     not put on the ring yet, in P order (runqput, runqget, runqputslow;
//     proc.go);
//   - sched.runq from head to tail (globrunqput, globrunqget).
//
// Every runnable G is in one of those places (the invariant
// RunnableGsQueued); one found in none, a broken state, is appended last in
// allgs order.
func (s *State) RunnableOrder(buf []int32) []int32 {
	out := buf[:0]
	add := func(g int32) {
		if g != None && int(g) < len(s.Gs) && s.Gs[g].Status == Runnable {
			for _, o := range out {
				if o == g {
					return
				}
			}
			out = append(out, g)
		}
	}
	for i := range s.Ms {
		add(s.Ms[i].NewG)
		add(s.Ms[i].Handing)
	}
	for i := range s.Ps {
		p := &s.Ps[i]
		add(p.Runnext)
		for _, g := range p.Ring {
			add(g)
		}
		for _, g := range p.SlowBatch {
			add(g)
		}
		for _, g := range p.Held {
			add(g)
		}
		add(p.Kicked)
	}
	for _, g := range s.Sched.Runq {
		add(g)
	}
	for i := range s.Gs {
		if s.Gs[i].Status == Runnable {
			add(int32(i))
		}
	}
	return out
}

// FreeM is the M with nothing to do that startm or wakep could wake
// (mget: the idle list's head), else the slot of an exited thread where
// newm's would run; None when there is none. It is the progress
// predicates' notion of a free M (progress.go).
func (s *State) FreeM() int8 { return s.freeM() }
