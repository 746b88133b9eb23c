// The abstraction function (Snapshot) and the invariants stated on it.

package impl

import "fmt"

// snapshot is the abstraction function: the modelled runtime as plain
// data. It is exact when the implementation is quiescent (every actor
// stopped, or in SnapshotEvery mode between ops).
func (s *sched) snapshot() Snapshot {
	s.allglock.Lock()
	allgs := append([]*g(nil), s.allgs...)
	s.allglock.Unlock()
	limit := len(allgs) + 1
	var sn Snapshot
	for _, gp := range allgs {
		st := gp.status.Load() &^ gScan
		name, ok := gStatusNames[st]
		if !ok {
			name = fmt.Sprintf("status(%d)", st)
		}
		c := gp.cleared
		sn.Gs = append(sn.Gs, GSnap{
			Goid: gp.goid, Status: name, Stack: int(gp.stack), M: mid(gp.m), LockedM: mid(gp.lockedm),
			System: gp.system.Load(), Defer: c&fDefer != 0, Panic: c&fPanic != 0, Writebuf: c&fWritebuf != 0,
			Waitreason: c&fWaitreason != 0, Param: c&fParam != 0, Labels: c&fLabels != 0, Timer: c&fTimer != 0,
			PreemptStop: c&fPreemptStop != 0, Paniconfault: c&fPaniconfault != 0, Bubble: c&fBubble != 0,
			FipsOnlyBypass: c&fFipsOnlyBypass != 0, Secret: c&fSecret != 0,
			GCAssist: int(gp.gcAssist), PC: gp.pc,
		})
	}
	for _, mp := range s.ms {
		sn.Ms = append(sn.Ms, MSnap{
			Curg: int(mp.curg.Load().id()), P: pid(mp.p.Load()), LockedG: int(mp.lockedg.id()),
			OldP: pid(mp.oldp.Load()), NewG: int(mp.newg.id()), LockedExt: int(mp.lockedExt),
			LockedInt: int(mp.lockedInt), Exited: mp.exited.Load(), Wedged: mp.wedged.Load(),
			Spinning: mp.spinning.Load(), NextP: pid(mp.nextp.Load()), Recheck: mp.recheck, RecheckRunqs: mp.recheckRunqs, YieldSlow: mp.yieldSlow, WakeP: mp.owesWakep, Waking: mp.waking, Stopping: mp.stopping, StopLocked: mp.stoplocked, GCStopping: mp.gcstopping, SpinClear: mp.spinClear, StealWork: mp.spun, Mexiting: mp.mexiting, Mfreed: mp.mfreed,
		})
		if mp.recheck && !mp.stopping && mp.allpLen != 0 && mp.allpLen != s.gomaxprocs.Load() {
			sn.Ms[len(sn.Ms)-1].AllpLen = int(mp.allpLen)
		}
		if mp.slowq.head != nil {
			sn.Ms[len(sn.Ms)-1].SlowBatch = walk(mp.slowq.head, limit)
		}
		if mp.kicked != nil {
			sn.Ms[len(sn.Ms)-1].Kicked = []int{int(mp.kicked.idx)}
		}
		if mp.handing != nil {
			sn.Ms[len(sn.Ms)-1].Handing = []int{int(mp.handing.idx)}
		}
		if mp.startmP != nil {
			sn.Ms[len(sn.Ms)-1].StartmP = []int{int(mp.startmP.id)}
		}
		if mp.spinP != nil {
			sn.Ms[len(sn.Ms)-1].SpinP = []int{int(mp.spinP.id)}
		}
		if mp.heldG != nil {
			sn.Ms[len(sn.Ms)-1].Held = append([]int{int(mp.heldG.idx)}, walk(mp.heldQ.head, limit)...)
		}
		if mp.stealG != nil {
			// runqgrab's copies beyond the tail, the last first.
			held := []int{int(mp.stealG.idx)}
			if pp := mp.p.Load(); pp != nil {
				for i, t := 0, pp.runqtail.Load(); i < mp.stealN; i++ {
					held = append(held, int(pp.runq[(t+uint32(i))%s.n].Load().idx))
				}
			}
			sn.Ms[len(sn.Ms)-1].Held = held
			sn.Ms[len(sn.Ms)-1].StealTail = true
		}
	}
	for _, pp := range s.ps {
		ps := PSnap{Status: pp.statusName(), M: mid(pp.m.Load()), Runnext: int(pp.runnext.Load().id()),
			GFreeSize: int(pp.gFree.size), SchedTick: int(pp.schedtick), GoidCache: pp.goidcache, GoidEnd: pp.goidcacheend}
		ps.Ring = []int{}
		for h, t := pp.runqhead.Load(), pp.runqtail.Load(); h != t && len(ps.Ring) <= int(s.n); h++ {
			ps.Ring = append(ps.Ring, int(pp.runq[h%s.n].Load().id()))
		}
		ps.GFree = walk(pp.gFree.head, limit)
		sn.Ps = append(sn.Ps, ps)
	}
	s.lock.Lock()
	sn.Runq = walk(s.runq.head, limit)
	sn.Pidle = []int{}
	for pp := s.pidle.Load(); pp != nil && len(sn.Pidle) <= len(s.ps); pp = pp.link {
		sn.Pidle = append(sn.Pidle, int(pp.id))
	}
	sn.NPidle = int(s.npidle.Load())
	sn.Midle = []int{}
	for mp := s.midle; mp != nil && len(sn.Midle) <= len(s.ms); mp = mp.mlink {
		sn.Midle = append(sn.Midle, mp.id)
	}
	for i, mp := range s.ms {
		sn.Ms[i].Parked = mp.parked
	}
	for i, pp := range s.ps {
		sn.Ps[i].StartSpinning = pp.startSpinning
		sn.Ps[i].Handoff = int(pp.handoff)
		sn.Ps[i].OldM = mid(pp.oldm)
	}
	sn.GCWaiting = s.gcwaiting.Load()
	sn.NMSpinning = int(s.nmspinning.Load())
	sn.NeedSpinning = s.needspinning.Load()
	if s.retakeP != nil {
		sn.RetakeP = []int{int(s.retakeP.id)}
	}
	if s.retakeM != nil {
		sn.RetakeM = []int{s.retakeM.id}
	}
	if a := s.ctl; a != nil {
		sn.CtlWakeP, sn.CtlWaking = a.owesWakep, a.waking
		if a.startmP != nil {
			sn.CtlStartmP = []int{int(a.startmP.id)}
		}
	}
	s.lock.Unlock()
	s.gFreeLock.Lock()
	sn.GFreeStack = walk(s.gFreeStack.head.Load(), limit)
	sn.GFreeNoStack = walk(s.gFreeNoStack.head.Load(), limit)
	sn.GFreeStackSize = int(s.gFreeStack.size)
	sn.GFreeNoStackSize = int(s.gFreeNoStack.size)
	sn.GFreeDetached = walk(s.gFreeDetached.head, limit)
	s.gFreeLock.Unlock()
	sn.NGSys = int(s.ngsys.Load())
	sn.BgScanCredit = s.bgScanCredit.Load()
	sn.GCBlacken = s.gcBlacken.Load()
	sn.FreeGStacksDone = s.freeGStacksDone.Load()
	sn.StartingStackSize = int(s.startingStackSize.Load())
	sn.Goidgen = s.goidgen.Load()
	sn.GoMaxProcs = int(s.gomaxprocs.Load())
	sn.MainGoexit = s.mainGoexit.Load()
	sn.Terminal = s.terminal.Load().(string)
	return sn
}

// statusName is the P's status as the spec names it. An idle P off the
// idle list is the abstraction of the spec's handoff status: startm gave
// it an M (its nextp) or left it for newm's M, or wakep's or
// findRunnable's recheck's pidlegetSpinning took it.
func (pp *p) statusName() string {
	st := pp.status.Load()
	if st == pIdle && !pp.idlep.Load() {
		return "handoff"
	}
	return pStatusNames[st]
}

func mid(mp *m) int {
	if mp == nil {
		return -1
	}
	return mp.id
}

func pid(pp *p) int {
	if pp == nil {
		return -1
	}
	return int(pp.id)
}

// walk lists a schedlink chain head first, stopping after limit entries
// (a fault can make a cycle).
func walk(gp *g, limit int) []int {
	out := []int{}
	for ; gp != nil && len(out) <= limit; gp = gp.schedlink {
		out = append(out, int(gp.idx))
	}
	return out
}

// Check reports the invariants a correct quiescent state satisfies:
// conservation (every G is live, or dead and on exactly one free list),
// every runnable G queued exactly once (or held by an M as newg, in
// runqputslow's batch, or in findRunnable's global batch), every
// running G the curg of exactly one M, list sizes matching their lists.
func (sn *Snapshot) Check() []string {
	var errs []string
	bad := func(f string, a ...any) {
		if len(errs) < 20 {
			errs = append(errs, fmt.Sprintf(f, a...))
		}
	}
	n := len(sn.Gs)
	free := make([]int, n)
	queued := make([]int, n)
	cur := make([]int, n)
	count := func(list []int, into []int, what string) {
		for _, i := range list {
			if i < 0 || i >= n {
				bad("%s holds G%d, not in allgs", what, i)
				continue
			}
			into[i]++
		}
	}
	for pi, p := range sn.Ps {
		count(p.GFree, free, fmt.Sprintf("P%d.gFree", pi))
		if p.GFreeSize != len(p.GFree) {
			bad("P%d.gFree.size = %d, list has %d", pi, p.GFreeSize, len(p.GFree))
		}
		count(p.Ring, queued, fmt.Sprintf("P%d ring", pi))
		if p.Runnext >= 0 {
			count([]int{p.Runnext}, queued, fmt.Sprintf("P%d runnext", pi))
		}
	}
	count(sn.GFreeStack, free, "sched.gFree.stack")
	count(sn.GFreeNoStack, free, "sched.gFree.noStack")
	count(sn.GFreeDetached, free, "markrootFreeGStacks's detached list")
	if sn.GFreeStackSize != len(sn.GFreeStack) {
		bad("sched.gFree.stack.size = %d, list has %d", sn.GFreeStackSize, len(sn.GFreeStack))
	}
	if sn.GFreeNoStackSize != len(sn.GFreeNoStack) {
		bad("sched.gFree.noStack.size = %d, list has %d", sn.GFreeNoStackSize, len(sn.GFreeNoStack))
	}
	for _, i := range append(sn.GFreeNoStack[:len(sn.GFreeNoStack):len(sn.GFreeNoStack)], sn.GFreeDetached...) {
		if i >= 0 && i < n && sn.Gs[i].Stack != 0 {
			bad("G%d on sched.gFree.noStack has a stack", i)
		}
	}
	for _, i := range sn.GFreeStack {
		if i >= 0 && i < n && sn.Gs[i].Stack == 0 {
			bad("G%d on sched.gFree.stack has no stack", i)
		}
	}
	count(sn.Runq, queued, "sched.runq")
	// The idle P list holds exactly the idle Ps, once each, and npidle
	// is its length.
	listed := make([]int, len(sn.Ps))
	for _, pi := range sn.Pidle {
		if pi < 0 || pi >= len(sn.Ps) {
			bad("sched.pidle holds P%d, not in allp", pi)
			continue
		}
		listed[pi]++
	}
	for pi, p := range sn.Ps {
		if want := b2i(p.Status == "idle"); listed[pi] != want {
			bad("%s P%d is on the idle list %d times (want %d)", p.Status, pi, listed[pi], want)
		}
	}
	if sn.NPidle != len(sn.Pidle) {
		bad("sched.npidle = %d, the idle list has %d", sn.NPidle, len(sn.Pidle))
	}
	for mi, m := range sn.Ms {
		if m.NewG >= 0 && m.NewG < n {
			queued[m.NewG]++
		}
		if m.LockedG >= 0 && m.LockedG < n && m.NextP >= 0 && m.Curg < 0 {
			// startlockedm handed the M a P for it (the M may still
			// hold its own, before its stoplockedm).
			queued[m.LockedG]++
		}
		count(m.SlowBatch, queued, fmt.Sprintf("M%d's runqputslow batch", mi))
		if len(m.SlowBatch) != 0 && m.P < 0 {
			bad("M%d holds runqputslow's batch without a P", mi)
		}
		count(m.Kicked, queued, fmt.Sprintf("M%d's kicked runnext", mi))
		count(m.Held, queued, fmt.Sprintf("M%d's global batch", mi))
		if len(m.Held) != 0 && m.P < 0 && len(m.SpinP) == 0 {
			bad("M%d holds findRunnable's global batch without a P", mi)
		}
		count(m.Handing, queued, fmt.Sprintf("M%d's G for startlockedm", mi))
		if len(m.Handing) != 0 && m.P < 0 {
			bad("M%d holds a G for startlockedm without a P", mi)
		}
		if len(m.Kicked) != 0 && m.P < 0 {
			bad("M%d holds runqput's kicked runnext without a P", mi)
		}
		if m.Curg >= 0 && m.Curg < n {
			cur[m.Curg]++
			if sn.Gs[m.Curg].Status != "running" && sn.Gs[m.Curg].Status != "syscall" {
				bad("M%d.curg = G%d, which is %s", mi, m.Curg, sn.Gs[m.Curg].Status)
			}
		}
	}
	terminal := sn.Terminal != ""
	for i, gs := range sn.Gs {
		switch gs.Status {
		case "dead":
			if free[i] != 1 {
				bad("dead G%d is on %d free lists (want 1)", i, free[i])
			}
		default:
			if free[i] != 0 {
				bad("%s G%d is on a free list", gs.Status, i)
			}
		}
		switch gs.Status {
		case "runnable":
			if queued[i] != 1 && !terminal {
				bad("runnable G%d is queued %d times (want 1)", i, queued[i])
			}
		case "running", "syscall":
			if cur[i] != 1 {
				bad("%s G%d is the curg of %d Ms (want 1)", gs.Status, i, cur[i])
			}
			if queued[i] != 0 {
				bad("%s G%d is also queued", gs.Status, i)
			}
		default:
			if queued[i] != 0 {
				bad("%s G%d is queued", gs.Status, i)
			}
		}
	}
	return errs
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
