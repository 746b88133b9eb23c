package spec

// procresize models proc.go procresize(n) under stop-the-world: Ps at or
// beyond n are destroyed (p.destroy: the run queue to the head of the global
// queue with runnext first, the free list through gfpurge, status dead); dead
// Ps below n come back idle. The spec requires the Ps it destroys to be
// unowned: the world is stopped and no M is using them.
func (s *State) procresize(op Op) (Result, error) {
	r := NewResult()
	n := int(op.N)
	if n < 1 || n > len(s.Ps) {
		return r, s.disabled(op, "procresize needs 1 <= n <= len(allp)")
	}
	if int32(n) == s.Sched.GoMaxProcs {
		return r, s.disabled(op, "GOMAXPROCS is already "+itoa(int64(n)))
	}
	for i := n; i < len(s.Ps); i++ {
		if st := s.Ps[i].Status; st == PRunning {
			return r, s.disabled(op, "P"+itoa(int64(i))+" is in use")
		}
	}
	for i := n; i < len(s.Ps); i++ {
		pp := &s.Ps[i]
		if pp.Status == PDead {
			continue
		}
		// globrunqputhead of the ring from its tail, then of runnext.
		head := make([]int32, 0, len(pp.Ring)+1+len(s.Sched.Runq))
		if pp.Runnext != None {
			head = append(head, pp.Runnext)
		}
		head = append(head, pp.Ring...)
		s.Sched.Runq = append(head, s.Sched.Runq...)
		pp.Runnext = None
		pp.Ring = pp.Ring[:0]
		s.gfpurge(int8(i))
		pp.Status = PDead
		pp.M = None
	}
	for i := 0; i < n; i++ {
		if s.Ps[i].Status == PDead {
			s.Ps[i].Status = PIdle
		}
	}
	s.Sched.GoMaxProcs = int32(n)
	return r, nil
}

// gcToggle models a GC cycle's start (gcStart: gcResetMarkState zeroes every
// G's gcAssistBytes, then gcBlackenEnabled = 1) and end (gcMarkDone /
// gcMarkTermination: gcBlackenEnabled = 0).
func (s *State) gcToggle(op Op) (Result, error) {
	r := NewResult()
	on := op.N != 0
	if on == s.Sched.GCBlacken {
		return r, s.disabled(op, "the GC is already in that phase")
	}
	if on {
		for i := range s.Gs {
			s.Gs[i].GCAssist = 0
		}
	}
	s.Sched.GCBlacken = on
	return r, nil
}

// stackSize models gcComputeStartingStackSize changing startingStackSize
// (with debug.adaptivestackstart). Stack sizes are powers of two, at least
// StackMin.
func (s *State) stackSize(op Op) (Result, error) {
	r := NewResult()
	if op.Size < StackMin || op.Size&(op.Size-1) != 0 {
		return r, s.disabled(op, "a stack size is a power of two >= 2048")
	}
	if op.Size == s.Sched.StartingStackSize {
		return r, s.disabled(op, "startingStackSize is already "+itoa(int64(op.Size)))
	}
	s.Sched.StartingStackSize = op.Size
	r.Value = int64(op.Size)
	return r, nil
}
