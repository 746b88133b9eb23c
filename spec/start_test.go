package spec

import (
	"slices"
	"testing"
)

// Regression: main reaches P0 through runnext with inherited time, so P0's
// schedtick is 0 when main starts, not 1. Go 1.26.8:
//
//	asm_amd64.s:373-382  rt0_go: CALL runtime·schedinit; CALL
//	                     runtime·newproc (mainPC); CALL runtime·mstart
//	proc.go:6078-6110    procresize (from schedinit): pp.init(i) makes P0
//	                     with schedtick 0; m0 acquirep's allp[0]
//	proc.go:5295-5307    newproc: newproc1, then runqput(pp, newg, true):
//	                     main goes to P0's runnext
//	proc.go:1904-1942    mstart1 -> schedule()
//	proc.go:3443         findRunnable: `pp.schedtick%61 == 0 &&
//	                     !sched.runq.empty()`: the global queue is empty
//	proc.go:3469, 7598   runqget returns runnext with inheritTime = true
//	proc.go:3349-3351    execute: `if !inheritTime { schedtick++ }`
//
// A consequence the old start state hid: the first schedule on P0 after
// main put a G on the global queue is the tick pick (0 % GlobalTick == 0),
// ahead of P0's runnext, in a strict op. The tick's read of the global
// queue is racy and runqget comes after it, so a relaxed op may take
// runnext instead, and Enabled offers both.
func TestInitialSchedtick(t *testing.T) {
	for _, preset := range []string{"go", "small"} {
		s := newState(t, preset, 1, 1)
		if s.Ps[0].SchedTick != 0 {
			t.Fatalf("%s: P0 starts with schedtick %d", preset, s.Ps[0].SchedTick)
		}
		spawn(t, s, 0)                      // G1 in P0's runnext
		do(t, s, Op{Kind: OpGosched, M: 0}) // main to the global queue
		var srcs []Source
		for _, op := range s.Enabled(DefaultBounds(4), nil) {
			if op.Kind == OpSchedule {
				srcs = append(srcs, op.Source)
			}
		}
		if !slices.Equal(srcs, []Source{SrcTick, SrcRunnext}) {
			t.Fatalf("%s: schedule choices %v, want the tick pick and runnext", preset, srcs)
		}
		_, err := s.Clone().Apply(Op{Kind: OpSchedule, M: 0, Source: SrcRunnext, Strict: true})
		wantDisabled(t, err)
		if _, err := s.Clone().Apply(Op{Kind: OpSchedule, M: 0, Source: SrcRunnext}); err != nil {
			t.Fatalf("%s: relaxed runnext at the tick: %v", preset, err)
		}
		r := sched(t, s, 0, SrcTick)
		if r.G != 0 || s.Ps[0].SchedTick != 1 || s.Ps[0].Runnext != 1 {
			t.Fatalf("%s: tick pick ran %v, schedtick %d, runnext %d", preset, r, s.Ps[0].SchedTick, s.Ps[0].Runnext)
		}
		// Past the tick, runnext comes first and inherits the time slice.
		do(t, s, Op{Kind: OpGosched, M: 0})
		if r := sched(t, s, 0, SrcRunnext); r.G != 1 || s.Ps[0].SchedTick != 1 {
			t.Fatalf("%s: runnext ran %v, schedtick %d", preset, r, s.Ps[0].SchedTick)
		}
	}
}
