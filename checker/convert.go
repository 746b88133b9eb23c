package checker

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/spec"
)

// ImplConsts converts the spec's constants to impl's (the same fields).
func ImplConsts(c spec.Consts) impl.Consts {
	return impl.Consts{GFreeCap: c.GFreeCap, GFreeSpillTo: c.GFreeSpillTo, RefillTo: c.RefillTo,
		RunqSize: c.RunqSize, GlobalTick: c.GlobalTick, GoidBatch: c.GoidBatch}
}

// SpecConsts converts impl's constants to the spec's.
func SpecConsts(c impl.Consts) spec.Consts {
	return spec.Consts{GFreeCap: c.GFreeCap, GFreeSpillTo: c.GFreeSpillTo, RefillTo: c.RefillTo,
		RunqSize: c.RunqSize, GlobalTick: c.GlobalTick, GoidBatch: c.GoidBatch}
}

// SpecConfig is the spec configuration an impl run is judged against.
func SpecConfig(c impl.Config) spec.Config {
	return spec.Config{Consts: SpecConsts(c.Consts), Ps: c.Ps, Ms: c.Ms, Wasm: c.Wasm}
}

var pstatus = map[string]spec.PStatus{"idle": spec.PIdle, "running": spec.PRunning, "handoff": spec.PHandoff, "dead": spec.PDead, "gcstop": spec.PGCStop}

// StateOf is the abstraction function's last step: the spec state an impl
// snapshot describes. A snapshot the spec cannot even represent (an unknown
// status, a reference out of range, a value wider than the spec's field:
// never truncated) is an error.
func StateOf(cfg *spec.Config, sn *impl.Snapshot) (*spec.State, error) {
	s := &spec.State{Cfg: cfg}
	if len(sn.Ms) != cfg.Ms || len(sn.Ps) != cfg.Ps {
		return nil, fmt.Errorf("snapshot has %d Ms and %d Ps, the config %d and %d", len(sn.Ms), len(sn.Ps), cfg.Ms, cfg.Ps)
	}
	if err := representable(sn); err != nil {
		return nil, err
	}
	for i, g := range sn.Gs {
		st, ok := spec.ParseStatus(g.Status)
		if !ok {
			return nil, fmt.Errorf("G%d has status %q, which the spec does not model", i, g.Status)
		}
		var cleared uint16
		for _, f := range []struct {
			on  bool
			bit uint16
		}{{g.Defer, spec.FieldDefer}, {g.Panic, spec.FieldPanic}, {g.Writebuf, spec.FieldWritebuf},
			{g.Waitreason, spec.FieldWaitreason}, {g.Param, spec.FieldParam}, {g.Labels, spec.FieldLabels},
			{g.Timer, spec.FieldTimer}, {g.PreemptStop, spec.FieldPreemptStop},
			{g.Paniconfault, spec.FieldPaniconfault}, {g.Bubble, spec.FieldBubble},
			{g.FipsOnlyBypass, spec.FieldFipsOnlyBypass}, {g.Secret, spec.FieldSecret}} {
			if f.on {
				cleared |= f.bit
			}
		}
		s.Gs = append(s.Gs, spec.G{Goid: g.Goid, Status: st, Stack: int32(g.Stack), M: int8(g.M), LockedM: int8(g.LockedM),
			System: g.System, Cleared: cleared, GCAssist: int8(g.GCAssist)})
	}
	for i, m := range sn.Ms {
		startmP, err := atMostOne(m.StartmP, fmt.Sprintf("M%d's P for wakep's or handoffp's startm", i))
		if err != nil {
			return nil, err
		}
		handing, err := atMostOne(m.Handing, fmt.Sprintf("M%d's G for startlockedm", i))
		if err != nil {
			return nil, err
		}
		spinP, err := atMostOne(m.SpinP, fmt.Sprintf("M%d's P from its recheck", i))
		if err != nil {
			return nil, err
		}
		s.Ms = append(s.Ms, spec.M{Handing: int32(handing), StartmP: int8(startmP), SpinP: int8(spinP), Curg: int32(m.Curg), P: int8(m.P), OldP: int8(m.OldP), LockedG: int32(m.LockedG),
			NewG: int32(m.NewG), LockedExt: uint8(m.LockedExt), LockedInt: uint8(m.LockedInt), Exited: m.Exited, Wedged: m.Wedged,
			Spinning: m.Spinning, NextP: int8(m.NextP), Parked: m.Parked, Recheck: m.Recheck, RecheckRunqs: m.RecheckRunqs, YieldSlow: m.YieldSlow, AllpLen: int8(m.AllpLen), WakeP: m.WakeP, Waking: m.Waking, Stopping: m.Stopping, StopLocked: m.StopLocked, GCStopping: m.GCStopping, SpinClear: m.SpinClear, StealWork: m.StealWork, Mexiting: m.Mexiting, Mfreed: m.Mfreed, StealTail: m.StealTail, Link: spec.None})
	}
	for i, p := range sn.Ps {
		st, ok := pstatus[p.Status]
		if !ok {
			return nil, fmt.Errorf("P%d has status %q", i, p.Status)
		}
		oldm := int8(spec.None)
		if st == spec.PGCStop {
			// Snapshots from before the stop-the-world protocol have
			// no OldM: it is read only for a stopped P.
			oldm = int8(p.OldM)
		}
		s.Ps = append(s.Ps, spec.P{Status: st, M: int8(p.M), Runnext: int32(p.Runnext), Kicked: spec.None, Ring: ints(p.Ring),
			GFree: lifoOf(p.GFree), GFreeSize: int32(p.GFreeSize), SchedTick: uint32(p.SchedTick),
			GoidCache: p.GoidCache, GoidEnd: p.GoidEnd, Link: spec.None, StartSpinning: p.StartSpinning, Handoff: spec.HandoffStep(p.Handoff), OldM: oldm})
	}
	// runqputslow's batch is held by an M (the runtime's local q); the
	// spec keeps it on that M's P.
	for i, m := range sn.Ms {
		if len(m.SlowBatch) == 0 {
			continue
		}
		if m.P < 0 || m.P >= len(s.Ps) {
			return nil, fmt.Errorf("M%d holds runqputslow's batch %v with P %d", i, m.SlowBatch, m.P)
		}
		if len(s.Ps[m.P].SlowBatch) != 0 {
			return nil, fmt.Errorf("M%d and another M hold runqputslow batches on P%d", i, m.P)
		}
		s.Ps[m.P].SlowBatch = ints(m.SlowBatch)
	}
	// So is findRunnable's global batch (its locals gp and q), on the P
	// the recheck took or on the M's own, and what runqsteal's runqgrab
	// took before its tail store (beyond the tail of the M's ring).
	for i, m := range sn.Ms {
		if len(m.Held) == 0 {
			continue
		}
		pi := m.P
		if len(m.SpinP) != 0 {
			pi = m.SpinP[0]
		}
		if pi < 0 || pi >= len(s.Ps) {
			return nil, fmt.Errorf("M%d holds findRunnable's global batch %v with P %d", i, m.Held, pi)
		}
		if len(s.Ps[pi].Held) != 0 {
			return nil, fmt.Errorf("M%d and another M hold global batches on P%d", i, pi)
		}
		s.Ps[pi].Held = ints(m.Held)
	}
	// So is runqput's kicked runnext (its local gp).
	for i, m := range sn.Ms {
		if len(m.Kicked) == 0 {
			continue
		}
		if len(m.Kicked) != 1 || m.P < 0 || m.P >= len(s.Ps) {
			return nil, fmt.Errorf("M%d holds runqput's kicked runnext %v with P %d", i, m.Kicked, m.P)
		}
		if s.Ps[m.P].Kicked != spec.None {
			return nil, fmt.Errorf("M%d and another M hold kicked runnexts on P%d", i, m.P)
		}
		s.Ps[m.P].Kicked = int32(m.Kicked[0])
	}
	s.Sched = spec.Sched{Runq: ints(sn.Runq), GFreeStack: lifoOf(sn.GFreeStack), GFreeNoStack: lifoOf(sn.GFreeNoStack), GFreeDetached: lifoOf(sn.GFreeDetached),
		GFreeStackSize: int32(sn.GFreeStackSize), GFreeNoStackSize: int32(sn.GFreeNoStackSize), NGSys: int32(sn.NGSys),
		BgScanCredit: sn.BgScanCredit, GCBlacken: sn.GCBlacken, FreeGStacksDone: sn.FreeGStacksDone, StartingStackSize: int32(sn.StartingStackSize),
		Goidgen: sn.Goidgen, GoMaxProcs: int32(sn.GoMaxProcs), MainGoexit: sn.MainGoexit, Pidle: spec.None,
		Midle: spec.None, NMSpinning: int32(sn.NMSpinning), NeedSpinning: sn.NeedSpinning,
		CtlWakeP: sn.CtlWakeP, CtlWaking: sn.CtlWaking, GCWaiting: sn.GCWaiting}
	ctlP, err := atMostOne(sn.CtlStartmP, "the controller's P for wakep's startm")
	if err != nil {
		return nil, err
	}
	s.Sched.CtlStartmP = int8(ctlP)
	retakeP, err := atMostOne(sn.RetakeP, "sysmon's retaken P")
	if err != nil {
		return nil, err
	}
	retakeM, err := atMostOne(sn.RetakeM, "the M sysmon retook a P from")
	if err != nil {
		return nil, err
	}
	if retakeP < spec.None || retakeP >= len(s.Ps) || retakeM < spec.None || retakeM >= len(s.Ms) {
		return nil, fmt.Errorf("sysmon's retake holds P%d from M%d, out of range", retakeP, retakeM)
	}
	s.Sched.RetakeP, s.Sched.RetakeM = int8(retakeP), int8(retakeM)
	// The idle P list, head first, as sched.pidle and the links. A P met
	// twice makes a cycle, which the invariants report. sched.npidle is
	// the list's length in the spec (impl's Snapshot.Check compares).
	for i := len(sn.Pidle) - 1; i >= 0; i-- {
		pi := int8(sn.Pidle[i])
		s.Ps[pi].Link, s.Sched.Pidle = s.Sched.Pidle, pi
	}
	for i := len(sn.Midle) - 1; i >= 0; i-- {
		mi := int8(sn.Midle[i])
		if mi < 0 || int(mi) >= len(s.Ms) {
			return nil, fmt.Errorf("the idle M list holds M%d", mi)
		}
		s.Ms[mi].Link, s.Sched.Midle = s.Sched.Midle, mi
	}
	switch sn.Terminal {
	case "":
	case "main returned":
		s.Sched.Terminal = spec.MainReturned
	case "goexit deadlock":
		s.Sched.Terminal = spec.GoexitDeadlock
	case "all asleep":
		s.Sched.Terminal = spec.AllAsleep
	case "throw":
		// The run stopped at a throw; the state is what it was then.
	default:
		return nil, fmt.Errorf("snapshot has terminal %q", sn.Terminal)
	}
	if v := s.CheckRefs(); v != "" {
		return s, fmt.Errorf("snapshot: %s", v)
	}
	return s, nil
}

func ints(l []int) []int32 {
	out := make([]int32, len(l))
	for i, v := range l {
		out[i] = int32(v)
	}
	return out
}

// lifoOf converts a head-first list to the spec's storage (head last).
func lifoOf(l []int) []int32 {
	out := make([]int32, len(l))
	for i, v := range l {
		out[len(l)-1-i] = int32(v)
	}
	return out
}

// OpOf is the spec op an impl event requests. The choices the runtime
// leaves to timing (schedule's source and victim, exitsyscall's path) are
// read from what the implementation did; what follows from them (the G a
// source yields, the P a path gets) is the spec's, compared by Mismatch.
func OpOf(e *impl.Event) (spec.Op, error) {
	k, ok := spec.ParseOpKind(e.Op)
	if !ok {
		return spec.Op{}, fmt.Errorf("event has unknown op %q", e.Op)
	}
	op := spec.Op{Kind: k, M: int8(e.M), G: int32(e.In.G), P: int8(e.In.P), Victim: spec.None}
	switch k {
	case spec.OpNewproc1:
		if e.In.System {
			op.N = 1
		}
	case spec.OpSchedule:
		src, ok := spec.ParseSource(e.Out.Source)
		if !ok {
			return op, fmt.Errorf("schedule event has unknown source %q", e.Out.Source)
		}
		op.Source, op.Victim = src, int8(e.Out.Victim)
	case spec.OpRecheck:
		// One event per sched.lock section: the global queue's
		// (which took the global batch, or not), then checkRunqsNoP's,
		// whose reads are the implementation's (racy).
		if e.Out.Value&2 != 0 {
			op.N |= spec.RecheckFound
		}
		if e.Out.Value&4 != 0 {
			op.N |= spec.RecheckIdleGC // checkIdleGCNoP's section
		}
		switch {
		case e.Out.Value&8 != 0:
			op.N |= spec.RecheckReadGCOn // checkIdleGCNoP's racy read
		case e.Out.Value&16 != 0:
			op.N |= spec.RecheckReadGCOff
		}
		if e.Out.Source == "global" {
			op.Source = spec.SrcGlobal
		}
	case spec.OpExitSyscall:
		// The path is the implementation's (it turns on racy reads);
		// the P it got is the spec's to decide, and Mismatch compares.
		path, ok := spec.ParseExitPath(e.Out.Path)
		if !ok {
			return op, fmt.Errorf("exitsyscall event has unknown path %q (keep, oldp, pidle, nop-pidle, nop)", e.Out.Path)
		}
		op.P, op.N = spec.None, int8(path)
	case spec.OpProcResize, spec.OpStopTheWorld:
		// stoptheworld: the Ps left to sysmon's retake in progress.
		op.N = int8(e.In.N)
	case spec.OpRetake:
		// spec.RetakeProbe: sysmon's probe of a syscall it let go.
		op.N = int8(e.In.N)
	case spec.OpHandoffp, spec.OpStoplockedm, spec.OpMexit:
		// handoffp's GC test: whether the implementation found mark
		// work (spec.HandoffGCWork).
		op.N = int8(e.In.N)
	case spec.OpGC:
		if e.In.On {
			op.N = 1
		}
		op.Size = int32(e.In.Size)
	case spec.OpAssist:
		op.N = int8(e.In.Credit)
	}
	return op, nil
}

// Mismatch compares what the implementation observed with what the spec
// allows for the same op: "" when they agree, else what differs.
func Mismatch(k spec.OpKind, out *impl.Output, r *spec.Result, err error) string {
	if err != nil {
		if th, ok := err.(*spec.Throw); ok {
			if out.Throw == th.Msg {
				return ""
			}
			return fmt.Sprintf("the spec throws %q, the implementation %s", th.Msg, orNone(out.Throw, "does not"))
		}
		return "the spec does not allow it here: " + err.Error()
	}
	if out.Throw != "" {
		return fmt.Sprintf("the implementation throws %q, the spec does not", out.Throw)
	}
	var diffs []string
	ck := func(name string, impl, spec any) {
		if !sameValue(impl, spec) {
			diffs = append(diffs, fmt.Sprintf("%s: impl %v, spec %v", name, impl, spec))
		}
	}
	// A fatal error (checkdead's) is the process's, not an op's: in the
	// runtime it is raised when the last M goes idle, after every
	// overlapping exit. It is checked through the final state's Terminal.
	switch k {
	case spec.OpGoidRefill:
		ck("goid", out.Goid, r.Goid)
	case spec.OpNewproc1:
		ck("G", out.G, r.G)
		ck("goid", out.Goid, r.Goid)
		ck("how", out.How, r.How)
		ck("refilled", out.Refilled, r.Refilled)
		ck("stack", out.Stack, r.Stack)
		if r.Batch != 0 {
			// The implementation records its batch fetch as a
			// goidrefill before the newproc1 that uses it.
			diffs = append(diffs, "the spec's newproc1 fetched a goid batch, the implementation recorded no goidrefill before it")
		}
	case spec.OpRunqput, spec.OpReady, spec.OpPreempt:
		ck("G", out.G, r.G)
		ck("kicked", out.Kicked, r.Kicked)
		ck("runqputslow", out.Slow, r.Slow)
		ck("wakep", out.Woke, r.Woke)
	case spec.OpGCStopm:
		ck("P", out.P, r.P)
		ck("stopwait", out.Value, r.Value)
	case spec.OpStopTheWorld:
		ck("stopwait", out.Value, r.Value)
	case spec.OpSchedule:
		ck("G", out.G, r.G)
		ck("moved", out.Moved, r.Moved)
		ck("handed to", out.HandedTo, r.HandedTo)
		ck("spinning at stop", out.Value, r.Value)
	case spec.OpWakep:
		ck("step", out.Value, r.Value)
	case spec.OpWakepStartm:
		ck("P", out.P, r.P)
	case spec.OpStartm:
		ck("P", out.P, r.P)
		ck("handed to", out.HandedTo, r.HandedTo)
		ck("wakep", out.Woke, r.Woke)
		ck("handoffp's step", out.Value, r.Value)
	case spec.OpStartlockedm:
		ck("G", out.G, r.G)
		ck("handed to", out.HandedTo, r.HandedTo)
	case spec.OpSpin:
		ck("needspinning store", out.Value, r.Value)
		ck("P", out.P, r.P)
		ck("G", out.G, r.G)
		ck("the global batch's G", out.Source == "global", r.Source == spec.SrcGlobal)
		ck("handed to", out.HandedTo, r.HandedTo)
	case spec.OpAcquireP:
		ck("P", out.P, r.P)
		ck("spinning", out.Value, r.Value)
		ck("G", out.G, r.G)
		ck("handed to", out.HandedTo, r.HandedTo)
		ck("moved", out.Moved, r.Moved)
		ck("newm's thread", out.Newm, r.Newm)
	case spec.OpExit, spec.OpGoexit:
		ck("G", out.G, r.G)
		ck("goid", out.Goid, r.Goid)
		ck("stack freed", out.StackFreed, r.StackFreed)
		ck("spilled", out.Spilled, r.Spilled)
		ck("locked branch", out.Locked, r.Locked)
		ck("handed off", out.HandedOff, r.HandedOff)
	case spec.OpGosched, spec.OpPark:
		ck("G", out.G, r.G)
	case spec.OpGoyield:
		ck("G", out.G, r.G)
		ck("runqputslow", out.Slow, r.Slow)
	case spec.OpStoplockedm:
		ck("handed off", out.HandedOff, r.HandedOff)
		ck("handoffp's next step", out.Value, r.Value)
	case spec.OpRecheck:
		ck("needspinning set", out.Value&recheckNeedSpinning, r.Value)
		ck("P", out.P, r.P)
		ck("G", out.G, r.G)
		ck("moved", out.Moved, r.Moved)
	case spec.OpRunqputBatch, spec.OpRunqstealTail:
		ck("P", out.P, r.P)
		ck("Gs put", out.Value, r.Value)
		ck("G", out.G, r.G)
		ck("handed to", out.HandedTo, r.HandedTo)
	case spec.OpMexit:
		ck("locked branch", out.Locked, r.Locked)
		ck("handed off", out.HandedOff, r.HandedOff)
		ck("handoffp's next step", out.Value, r.Value)
	case spec.OpMfreed:
		ck("locked branch", out.Locked, r.Locked)
	case spec.OpEnterSyscall:
		ck("G", out.G, r.G)
		ck("handed off", out.HandedOff, r.HandedOff)
	case spec.OpRetake:
		ck("M", out.Value, r.Value)
	case spec.OpHandoffp:
		ck("P", out.P, r.P)
		ck("handoffp's next step", out.Value, r.Value)
	case spec.OpHandoffpLocked:
		ck("P", out.P, r.P)
		ck("branch", out.Value, r.Value)
	case spec.OpHandoffpStore:
		ck("P", out.P, r.P)
	case spec.OpExitSyscall:
		ck("G", out.G, r.G)
		ck("P", out.P, r.P)
	case spec.OpLockOSThread, spec.OpUnlockOSThread, spec.OpLockInt, spec.OpUnlockInt, spec.OpGrowStack:
		ck("value", out.Value, r.Value)
	case spec.OpMarkrootFreeGStacks:
		ck("stacks freed", out.Value, r.Value)
	case spec.OpMarkrootFreeGStacksPush:
		ck("Gs pushed", out.Value, r.Value)
	case spec.OpRunqputslowPush:
		ck("Gs pushed", out.Value, r.Value)
		ck("wakep", out.Woke, r.Woke)
	case spec.OpRunqputKick:
		ck("G", out.G, r.G)
		ck("runqputslow", out.Slow, r.Slow)
	}
	if len(diffs) == 0 {
		return ""
	}
	return fmt.Sprint(diffs)
}

// sameValue reports whether a and b print the same (fmt.Sprint), which
// is how Mismatch compares an impl output field with the spec's: without
// formatting either when both are built-in integers, bools or strings
// (most fields; Mismatch runs on every op a check judges).
func sameValue(a, b any) bool {
	if x, ok := builtinInt(a); ok {
		if y, ok := builtinInt(b); ok {
			return x == y
		}
	}
	switch x := a.(type) {
	case bool:
		if y, ok := b.(bool); ok {
			return x == y
		}
	case string:
		if y, ok := b.(string); ok {
			return x == y
		}
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// builtinInt is v's value if its dynamic type is a built-in signed
// integer type or uint8 (a named type, which may print otherwise, is not).
func builtinInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint8:
		return int64(x), true
	}
	return 0, false
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return fmt.Sprintf("%q", s)
}

// ErrUnrepresentable is wrapped by StateOf's error for a snapshot value
// the spec's field types cannot hold.
var ErrUnrepresentable = errors.New("snapshot value out of the spec's range")

// representable reports a snapshot value that the spec's narrower field
// types cannot hold (int8 M, P and assist-credit fields, uint8 lock
// counts, int32 G references and sizes): such a value would be silently
// truncated into another, legal-looking one.
func representable(sn *impl.Snapshot) error {
	var err error
	check := func(what string, v, lo, hi int64) {
		if err == nil && (v < lo || v > hi) {
			err = fmt.Errorf("%w: %s = %d does not fit the spec's range [%d, %d]", ErrUnrepresentable, what, v, lo, hi)
		}
	}
	const i8, u8, i32, u32 = math.MaxInt8, math.MaxUint8, math.MaxInt32, math.MaxUint32
	for i, g := range sn.Gs {
		check(fmt.Sprintf("G%d.m", i), int64(g.M), -1, i8)
		check(fmt.Sprintf("G%d.lockedm", i), int64(g.LockedM), -1, i8)
		check(fmt.Sprintf("G%d.gcAssistBytes", i), int64(g.GCAssist), math.MinInt8, i8)
		check(fmt.Sprintf("G%d.stack", i), int64(g.Stack), 0, i32)
	}
	for i, m := range sn.Ms {
		check(fmt.Sprintf("M%d.curg", i), int64(m.Curg), -1, i32)
		check(fmt.Sprintf("M%d.p", i), int64(m.P), -1, i8)
		check(fmt.Sprintf("M%d.oldp", i), int64(m.OldP), -1, i8)
		check(fmt.Sprintf("M%d.lockedg", i), int64(m.LockedG), -1, i32)
		check(fmt.Sprintf("M%d.newg", i), int64(m.NewG), -1, i32)
		check(fmt.Sprintf("M%d.lockedExt", i), int64(m.LockedExt), 0, u8)
		check(fmt.Sprintf("M%d.lockedInt", i), int64(m.LockedInt), 0, u8)
		for _, g := range m.SlowBatch {
			check(fmt.Sprintf("M%d runqputslow batch entry", i), int64(g), math.MinInt32, i32)
		}
		for _, g := range m.Kicked {
			check(fmt.Sprintf("M%d kicked runnext", i), int64(g), math.MinInt32, i32)
		}
		for _, pi := range m.StartmP {
			check(fmt.Sprintf("M%d's P for wakep's startm", i), int64(pi), 0, i8)
		}
		for _, pi := range m.SpinP {
			check(fmt.Sprintf("M%d's P from its recheck", i), int64(pi), 0, i8)
		}
		for _, g := range m.Held {
			check(fmt.Sprintf("M%d global batch entry", i), int64(g), math.MinInt32, i32)
		}
		for _, g := range m.Handing {
			check(fmt.Sprintf("M%d's G for startlockedm", i), int64(g), -1, i32)
		}
	}
	for _, pi := range sn.CtlStartmP {
		check("the controller's P for wakep's startm", int64(pi), 0, i8)
	}
	for i, p := range sn.Ps {
		check(fmt.Sprintf("P%d.m", i), int64(p.M), -1, i8)
		check(fmt.Sprintf("P%d.runnext", i), int64(p.Runnext), -1, i32)
		check(fmt.Sprintf("P%d.gFree.size", i), int64(p.GFreeSize), math.MinInt32, i32)
		check(fmt.Sprintf("P%d.schedtick", i), int64(p.SchedTick), 0, u32)
		check(fmt.Sprintf("P%d.handoff", i), int64(p.Handoff), 0, int64(spec.HandoffStartmSpin))
		for _, l := range [][]int{p.Ring, p.GFree} {
			for _, g := range l {
				check(fmt.Sprintf("P%d list entry", i), int64(g), math.MinInt32, i32)
			}
		}
	}
	for _, pi := range sn.Pidle {
		check("sched.pidle entry", int64(pi), 0, int64(len(sn.Ps)-1))
	}
	for _, l := range [][]int{sn.Runq, sn.GFreeStack, sn.GFreeNoStack, sn.GFreeDetached} {
		for _, g := range l {
			check("sched list entry", int64(g), math.MinInt32, i32)
		}
	}
	check("sched.gFree.stack.size", int64(sn.GFreeStackSize), math.MinInt32, i32)
	check("sched.gFree.noStack.size", int64(sn.GFreeNoStackSize), math.MinInt32, i32)
	check("sched.ngsys", int64(sn.NGSys), math.MinInt32, i32)
	check("startingStackSize", int64(sn.StartingStackSize), 0, i32)
	check("gomaxprocs", int64(sn.GoMaxProcs), 0, i32)
	return err
}

// Isolated reports, for each event of h, whether its interval [Call,
// Return] overlaps no other actor's event's: the op ran alone, every read
// it made saw a settled state, and the spec judges it by the runtime's
// strict order (spec.Op.Strict). An actor's own ops are sequential even
// where their intervals touch (impl's free-running recording stamps an
// op's call with its actor's previous return), so only other actors'
// events count; touching intervals of two actors overlap (equal times
// prove no order).
func Isolated(h []impl.Event) []bool {
	iso := make([]bool, len(h))
	order := make([]int, len(h))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return h[order[a]].Call < h[order[b]].Call })
	// reach[k]: the two latest Returns among order[:k+1] of two different
	// actors (an actor's own events are excluded by taking the other).
	type top struct {
		ret int64
		m   int
	}
	none := top{ret: -1 << 62, m: math.MinInt}
	reach := make([][2]top, len(order))
	cur := [2]top{none, none}
	for k, i := range order {
		e := top{h[i].Return, h[i].M}
		switch {
		case e.m == cur[0].m:
			cur[0].ret = max(cur[0].ret, e.ret)
		case e.ret > cur[0].ret:
			cur = [2]top{e, cur[0]}
		case e.m == cur[1].m:
			cur[1].ret = max(cur[1].ret, e.ret)
		case e.ret > cur[1].ret:
			cur[1] = e
		}
		reach[k] = cur
	}
	for _, i := range order {
		e := &h[i]
		// The events called by e's return: the prefix of order up to
		// the last whose Call <= e.Return. One of another actor that
		// returns at or after e's call overlaps e.
		n := sort.Search(len(order), func(k int) bool { return h[order[k]].Call > e.Return })
		if n == 0 {
			iso[i] = true
			continue
		}
		r := reach[n-1]
		other := r[0]
		if other.m == e.M {
			other = r[1]
		}
		iso[i] = other.ret < e.Call
	}
	return iso
}

// strictOp is OpOf with the op marked Strict when the event ran alone
// (Isolated).
func strictOp(e *impl.Event, isolated bool) (spec.Op, error) {
	op, err := OpOf(e)
	op.Strict = isolated
	return op, err
}

// atMostOne is the one entry of a snapshot list that holds at most one
// (MSnap.StartmP, MSnap.Handing), or spec.None when it is empty.
func atMostOne(l []int, what string) (int, error) {
	switch len(l) {
	case 0:
		return spec.None, nil
	case 1:
		return l[0], nil
	}
	return 0, fmt.Errorf("%s: %v, at most one", what, l)
}

// applyEvent applies op, the spec op event e stands for, to s, and returns
// the op as made, Mismatch's verdict ("" when the spec allows what the
// implementation observed) and the spec's error (a throw, or a refusal).
//
// handoffp's unlocked reads (OpHandoffp, OpStoplockedm, OpMexit) are made
// one after another, at times of their own (proc.go:3136-3152), and which
// of their racy outcomes the spec's op needs, a miss of a G on the global
// queue (spec.HandoffSawNoGlobal) or loads of nmspinning and npidle that
// saw both 0 where a P is idle at the CAS (spec.HandoffSawNoHelp), is
// relative to the state at the op's linearization point, which is the
// checker's to choose, not the implementation's to record: the
// implementation's bits say what its reads found against the state of its
// own section. So in an op that overlapped another (not Strict), where
// the op as recorded does not agree, each other combination of the two
// bits is tried, in a fixed order, and the first the spec allows with the
// implementation's output is taken. The spec refuses both in strict order,
// and the GC test's outcome (spec.HandoffGCWork) stays the
// implementation's input.
func applyEvent(s *spec.State, op spec.Op, e *impl.Event) (spec.Op, string, error) {
	var pre *spec.State
	racy := tryHandoffReads && !op.Strict && (op.Kind == spec.OpHandoffp || op.Kind == spec.OpStoplockedm || op.Kind == spec.OpMexit)
	if racy {
		pre = s.Clone()
	}
	r, err := s.Apply(op)
	why := Mismatch(op.Kind, &e.Out, &r, err)
	if why == "" || !racy {
		return op, why, err
	}
	const bits = spec.HandoffSawNoGlobal | spec.HandoffSawNoHelp
	base := op.N &^ bits
	for _, b := range [...]int8{0, spec.HandoffSawNoGlobal, spec.HandoffSawNoHelp, bits} {
		alt := op
		alt.N = base | b
		if alt.N == op.N {
			continue
		}
		t := pre.Clone()
		ar, aerr := t.Apply(alt)
		if Mismatch(alt.Kind, &e.Out, &ar, aerr) == "" {
			s.CopyFrom(t)
			return alt, "", aerr
		}
	}
	return op, why, err
}

// tryHandoffReads turns applyEvent's search of handoffp's racy outcomes
// on; a test turns it off to show that a committed history needs it.
var tryHandoffReads = true
