package spec

import (
	"fmt"
	"strings"
)

// Dump renders the state for humans, one line per G, M, P and the
// scheduler, in runtime terms.
func (s *State) Dump() string {
	var b strings.Builder
	for _, l := range s.lines() {
		b.WriteString(l.key)
		b.WriteString(": ")
		b.WriteString(l.val)
		b.WriteByte('\n')
	}
	return b.String()
}

type line struct{ key, val string }

func ref(kind string, v int64) string {
	if v == None {
		return "nil"
	}
	return kind + itoa(v)
}

func gl(l []int32) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, g := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("G" + itoa(int64(g)))
	}
	b.WriteByte(']')
	return b.String()
}

// lifo renders a free list head first.
func lifo(l []int32) string {
	r := make([]int32, len(l))
	for i, g := range l {
		r[len(l)-1-i] = g
	}
	return gl(r)
}

func (g *G) String() string {
	var fs []string
	for _, f := range FieldNames {
		if g.Cleared&f.Bit != 0 {
			fs = append(fs, f.Name)
		}
	}
	extra := ""
	extra = " set{" + strings.Join(fs, ",") + "}"
	extra += fmt.Sprintf(" system=%v gcAssistBytes=%d", g.System, g.GCAssist)
	return fmt.Sprintf("goid=%d %s stack=%d m=%s lockedm=%s%s", g.Goid, g.Status, g.Stack,
		ref("M", int64(g.M)), ref("M", int64(g.LockedM)), extra)
}

func (m *M) String() string {
	st := ""
	if m.Exited {
		st = " exited"
	}
	if m.Wedged {
		st += " wedged"
	}
	if m.Spinning {
		st += " spinning"
	}
	if m.NextP != None {
		st += " nextp=" + ref("P", int64(m.NextP))
	}
	if m.Parked {
		st += " idle"
	}
	if m.Recheck {
		st += " recheck"
	}
	if m.RecheckRunqs {
		st += " recheck-runqs"
	}
	if m.YieldSlow {
		st += " yield-slow"
	}
	if m.AllpLen != 0 {
		st += " allp=" + itoa(int64(m.AllpLen))
	}
	if m.WakeP {
		st += " owes-wakep"
	}
	if m.Waking {
		st += " waking"
	}
	if m.Stopping {
		st += " stopping"
	}
	if m.GCStopping {
		st += " gcstopm"
	}
	if m.StaleGCRead {
		st += " stale-gcwaiting-read"
	}
	if m.SpinClear {
		st += " spinclear"
	}
	if m.StealWork {
		st += " stealwork"
	}
	if m.StartmP != None {
		st += " startm=" + ref("P", int64(m.StartmP))
	}
	if m.SpinP != None {
		st += " recheck-took=" + ref("P", int64(m.SpinP))
	}
	if m.StopLocked {
		st += " owes-stoplockedm"
	}
	if m.Mexiting {
		st += " owes-mexit"
	}
	if m.Mfreed {
		st += " owes-mfreed"
	}
	if m.StealTail {
		st += " owes-runqsteal-tail"
	}
	if m.Handing != None {
		st += " handing=" + ref("G", int64(m.Handing))
	}
	return fmt.Sprintf("curg=%s p=%s oldp=%s lockedg=%s newg=%s lockedExt=%d lockedInt=%d%s",
		ref("G", int64(m.Curg)), ref("P", int64(m.P)), ref("P", int64(m.OldP)), ref("G", int64(m.LockedG)),
		ref("G", int64(m.NewG)), m.LockedExt, m.LockedInt, st)
}

func (p *P) String() string {
	s := fmt.Sprintf("%s m=%s runnext=%s runq=%s gFree=%s gFree.size=%d schedtick=%d goidcache=[%d,%d) link=%s",
		p.Status, ref("M", int64(p.M)), ref("G", int64(p.Runnext)), gl(p.Ring), lifo(p.GFree), p.GFreeSize,
		p.SchedTick, p.GoidCache, p.GoidEnd, ref("P", int64(p.Link)))
	if len(p.SlowBatch) != 0 {
		// Only in runqputslow's window, so other dumps keep their shape.
		s += " runqputslow=" + gl(p.SlowBatch)
	}
	if len(p.Held) != 0 {
		// Only between findRunnable's globrunqgetbatch and its
		// runqputbatch (or, on the recheck's P, its acquirep).
		s += " global-batch=" + gl(p.Held)
	}
	if p.Kicked != None {
		// Only between runqput's CAS on runnext and its ring put.
		s += " kicked=" + ref("G", int64(p.Kicked))
	}
	if p.StartSpinning {
		s += " startm-spinning"
	}
	if p.Handoff != HandoffNone {
		// Held by its handoffp's caller (an M's startm, sysmon's
		// retake): the step it makes next.
		s += " handoffp=" + p.Handoff.String()
	}
	if p.OldM != None {
		// Only while a stop-the-world holds the P.
		s += " oldm=" + ref("M", int64(p.OldM))
	}
	return s
}

func (s *State) lines() []line {
	var ls []line
	for i := range s.Gs {
		ls = append(ls, line{"G" + itoa(int64(i)), s.Gs[i].String()})
	}
	for i := range s.Ms {
		ls = append(ls, line{"M" + itoa(int64(i)), s.Ms[i].String()})
	}
	for i := range s.Ps {
		ls = append(ls, line{"P" + itoa(int64(i)), s.Ps[i].String()})
	}
	sc := &s.Sched
	ls = append(ls,
		line{"sched.runq", gl(sc.Runq)},
		line{"sched.pidle", s.pidleString()},
		line{"sched.midle", s.midleString()},
		line{"sched.gFree", fmt.Sprintf("stack=%s stack.size=%d noStack=%s noStack.size=%d", lifo(sc.GFreeStack), sc.GFreeStackSize, lifo(sc.GFreeNoStack), sc.GFreeNoStackSize)},
	)
	if len(sc.GFreeDetached) != 0 {
		ls = append(ls, line{"markrootFreeGStacks", "detached=" + lifo(sc.GFreeDetached)})
	}
	if s.ctlBusy() {
		var st []string
		if sc.CtlWakeP {
			st = append(st, "owes wakep")
		}
		if sc.CtlWaking {
			st = append(st, "waking")
		}
		if sc.CtlStartmP != None {
			st = append(st, "startm="+ref("P", int64(sc.CtlStartmP)))
		}
		ls = append(ls, line{"startTheWorld", strings.Join(st, " ")})
	}
	if sc.RetakeP != None || sc.RetakeM != None {
		ls = append(ls, line{"sysmon", "retook " + ref("P", int64(sc.RetakeP)) + " from " + ref("M", int64(sc.RetakeM)) + ", handoffp next"})
	}
	if sc.GCWaiting {
		ls = append(ls, line{"stopTheWorld", "gcwaiting stopwait=" + itoa(int64(s.StopWait()))})
	}
	ls = append(ls,
		line{"sched", fmt.Sprintf("goidgen=%d ngsys=%d gomaxprocs=%d nmspinning=%d%s startingStackSize=%d gcBlackenEnabled=%v freeGStacksDone=%v bgScanCredit=%d mainGoexit=%v %s",
			sc.Goidgen, sc.NGSys, sc.GoMaxProcs, sc.NMSpinning, flag(sc.NeedSpinning, " needspinning"), sc.StartingStackSize, sc.GCBlacken, sc.FreeGStacksDone, sc.BgScanCredit, sc.MainGoexit, sc.Terminal)},
	)
	return ls
}

// Diff lists what changed from a to b, one "key: old -> new" per line that
// changed (a G that is new in b shows as "G3: new -> ...", a line that
// only a has, such as the stop-the-world's once the world restarts, as
// "stopTheWorld: gcwaiting stopwait=0 -> gone").
func Diff(a, b *State) []string {
	la, lb := a.lines(), b.lines()
	old := make(map[string]string, len(la))
	for _, l := range la {
		old[l.key] = l.val
	}
	kept := make(map[string]bool, len(lb))
	var out []string
	for _, l := range lb {
		kept[l.key] = true
		o, ok := old[l.key]
		switch {
		case !ok:
			out = append(out, l.key+": new -> "+l.val)
		case o != l.val:
			out = append(out, l.key+": "+tokenDiff(o, l.val))
		}
	}
	for _, l := range la {
		if !kept[l.key] {
			out = append(out, l.key+": "+l.val+" -> gone")
		}
	}
	return out
}

// tokenDiff shows only the fields of a dump line that changed: "status
// running -> dead, m=M0 -> m=nil". A flag or field that appears or goes
// (an M's "spinning", "nextp=P1") shows as "+spinning" or "-nextp=P1";
// lines whose shapes differ otherwise are shown whole.
func tokenDiff(a, b string) string {
	ta, tb := strings.Fields(a), strings.Fields(b)
	if len(ta) != len(tb) {
		if d, ok := keyedDiff(ta, tb); ok {
			return d
		}
		return a + " -> " + b
	}
	var parts []string
	for i := range ta {
		if ta[i] != tb[i] {
			parts = append(parts, ta[i]+" -> "+tb[i])
		}
	}
	return strings.Join(parts, ", ")
}

// dumpFlags are the bare words an M or P line carries only while they
// hold.
var dumpFlags = map[string]bool{"exited": true, "wedged": true, "spinning": true, "idle": true, "recheck": true, "recheck-runqs": true, "yield-slow": true,
	"owes-wakep": true, "waking": true, "stopping": true, "startm-spinning": true, "owes-stoplockedm": true, "owes-mexit": true, "owes-mfreed": true, "owes-runqsteal-tail": true, "needspinning": true, "gcstopm": true, "stale-gcwaiting-read": true, "spinclear": true, "stealwork": true}

// keyedDiff diffs two lines of "key=value" fields and bare flags by key.
// It fails when a line has a key twice, or when bare tokens other than
// flags differ (a P's status is positional).
func keyedDiff(ta, tb []string) (string, bool) {
	index := func(ts []string) (map[string]string, bool) {
		m := make(map[string]string, len(ts))
		for _, t := range ts {
			k := t
			if i := strings.IndexByte(t, '='); i > 0 {
				k = t[:i]
			}
			if _, dup := m[k]; dup {
				return nil, false
			}
			m[k] = t
		}
		return m, true
	}
	ma, ok1 := index(ta)
	mb, ok2 := index(tb)
	if !ok1 || !ok2 || len(ta) == 0 || len(tb) == 0 || ta[0] != tb[0] && !strings.Contains(ta[0], "=") {
		return "", false
	}
	var parts []string
	for _, t := range ta {
		k := t
		if i := strings.IndexByte(t, '='); i > 0 {
			k = t[:i]
		}
		switch u, ok := mb[k]; {
		case !ok && (k != t || dumpFlags[t]):
			parts = append(parts, "-"+t)
		case !ok:
			return "", false
		case u != t:
			parts = append(parts, t+" -> "+u)
		}
	}
	for _, t := range tb {
		k := t
		if i := strings.IndexByte(t, '='); i > 0 {
			k = t[:i]
		}
		if _, ok := ma[k]; !ok {
			if k == t && !dumpFlags[t] {
				return "", false
			}
			parts = append(parts, "+"+t)
		}
	}
	return strings.Join(parts, ", "), true
}

// pidleString renders the idle P list head first, stopping at a repeat or
// a reference out of range (a broken list still prints).
func (s *State) pidleString() string {
	var b strings.Builder
	b.WriteByte('[')
	n := 0
	for pi := s.Sched.Pidle; pi != None; pi = s.Ps[pi].Link {
		if n > 0 {
			b.WriteByte(',')
		}
		if pi < 0 || int(pi) >= len(s.Ps) || n >= len(s.Ps) {
			b.WriteString("!" + itoa(int64(pi)))
			break
		}
		b.WriteString("P" + itoa(int64(pi)))
		n++
	}
	b.WriteByte(']')
	return b.String()
}

// midleString renders the idle M list head first, like pidleString.
func (s *State) midleString() string {
	var b strings.Builder
	b.WriteByte('[')
	n := 0
	for mi := s.Sched.Midle; mi != None; mi = s.Ms[mi].Link {
		if n > 0 {
			b.WriteByte(',')
		}
		if mi < 0 || int(mi) >= len(s.Ms) || n >= len(s.Ms) {
			b.WriteString("!" + itoa(int64(mi)))
			break
		}
		b.WriteString("M" + itoa(int64(mi)))
		n++
	}
	b.WriteByte(']')
	return b.String()
}

// flag is s when b holds, else "".
func flag(b bool, s string) string {
	if b {
		return s
	}
	return ""
}
