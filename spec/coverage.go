package spec

// Branches names the branches of the runtime code a transition took, as
// "op/branch" keys, so that a run can report which were exercised. Every
// key Branches can return is listed in AllBranches.
func Branches(op Op, r Result, buf []string) []string {
	k := op.Kind.String()
	out := append(buf[:0], k)
	add := func(b string) { out = append(out, k+"/"+b) }
	switch op.Kind {
	case OpNewproc1:
		if r.Batch != 0 {
			// The goid batch fetch newproc1 made itself: the
			// transition goidrefill stands for.
			out = append(out, OpGoidRefill.String())
		}
		add(r.How)
		add("stack=" + r.Stack)
		if op.N != 0 {
			add("system")
		}
	case OpRunqput, OpReady, OpPreempt:
		if r.Kicked != None {
			add("kick")
		}
		if r.Slow {
			add("runqputslow")
		}
	case OpRunqputKick, OpGoyield:
		if r.Slow {
			add("runqputslow")
		}
	case OpWakep:
		switch r.Value {
		case WakepCAS:
			add("cas")
		case WakepResetspinning:
			add("resetspinning")
		}
	case OpWakepStartm:
		if r.P != None {
			add("pidleget")
		}
	case OpStartm:
		if r.HandedTo == None {
			add("newm")
		}
		switch HandoffStep(r.Value) {
		case HandoffStartm:
			add("handoffp") // handoffp's startm(pp, false)
		case HandoffStartmSpin:
			add("handoffp-spin") // handoffp's startm(pp, true), after its CAS
		}
	case OpHandoffp, OpMexit, OpStoplockedm:
		if op.Kind == OpStoplockedm && r.HandedOff {
			add("handoffp")
		}
		if r.Value != 0 {
			add(HandoffStep(r.Value).String()) // handoffp's unlocked reads: its next step
		}
		if op.N&HandoffGCWork != 0 {
			add("gcwork") // handoffp's GC test found mark work
		}
		if op.N&HandoffSawNoGlobal != 0 {
			add("missedglobal") // handoffp's racy read missed a G put on the global queue since
		}
		if op.N&HandoffSawNoHelp != 0 {
			add("sawnohelp") // handoffp's split reads of nmspinning and npidle saw both 0, with a P idle at the CAS
		}
	case OpHandoffpLocked:
		add(HandoffLockedBranch(r.Value).String())
	case OpSchedule:
		if r.Source != 0 {
			add(r.Source.String())
		}
		if r.HandedTo != None {
			add("startlockedm")
		}
		if r.Moved != 0 {
			add("batch")
		}
		if r.Source == SrcIdle && r.Value == StopNeedSpinning {
			add("needspinning")
		}
	case OpExit, OpGoexit:
		if r.Spilled != 0 {
			add("spill")
		}
		if r.StackFreed {
			add("stackfree")
		}
		if r.Locked != "" {
			add("locked:" + r.Locked)
		}
		if op.Kind == OpExit && r.Goid == MainGoid {
			add("main returns")
		}
	case OpAcquireP:
		if r.HandedTo != None {
			add("startlockedm")
		}
		if r.Newm {
			add("newm") // newm's thread, in an exited M's place
		}
	case OpSpin:
		if r.Value == 1 {
			add("needspinning-store") // becomeSpinning's last store (M.SpinClear)
		}
		if r.Source == SrcGlobal {
			add("recheck-global")
		}
	case OpRecheck:
		switch {
		case r.Source == SrcGlobal:
			add("global")
		case r.P != None:
			add("runqs")
		case r.Value == 1 && op.N&RecheckIdleGC != 0:
			// checkIdleGCNoP: mark work wanted, no idle P.
			add("idlegc-needspinning")
		case r.Value == 1 && op.N&RecheckFound == 0:
			// The global queue's section found work and no idle P.
			add("global-needspinning")
		case r.Value == 1:
			add("runqs-needspinning")
		}
	case OpExitSyscall:
		add(ExitPath(op.N).String())
	case OpStopTheWorld:
		if op.N != 0 {
			add("retake") // a syscall P left with its M (a retake in progress, or its exitsyscall first)
		}
	case OpEnterSyscall:
		if r.HandedOff {
			add("gcwait") // entersyscallHandleGCWait stopped the P
		}
	case OpProcResize:
		add("n=" + itoa(int64(op.N)))
	case OpMarkrootFreeGStacks:
		if r.Value != 0 {
			add("freed")
		}
	case OpGC:
		if op.N != 0 {
			add("on")
		} else {
			add("off")
		}
		if op.Size != 0 {
			add("stacksize") // gcMarkDone's gcComputeStartingStackSize
		}
	}
	// checkdead's fatal errors, whichever op's mput, stoplockedm or
	// mexit ran it.
	switch r.Fatal {
	case FatalGoexitDeadlock:
		out = append(out, "checkdead/goexit")
	case FatalAllAsleep:
		out = append(out, "checkdead/asleep")
	}
	return out
}

// AllBranches lists every key Branches can return (procresize's "n=..."
// keys aside), for reports of what was never reached.
func AllBranches() []string {
	var bs []string
	for _, k := range OpKinds() {
		if k == OpMcall {
			continue // throw-only
		}
		bs = append(bs, k.String())
	}
	bs = append(bs,
		"newproc1/local", "newproc1/refill", "newproc1/malg",
		"newproc1/stack=reused", "newproc1/stack=allocated", "newproc1/stack=freed+allocated", "newproc1/system",
		"runqput/kick", "runqput/runqputslow", "ready/kick", "ready/runqputslow", "runqputkick/runqputslow", "goyield/runqputslow", "preempt/kick", "preempt/runqputslow", "entersyscall/gcwait", "stoptheworld/retake", "wakep/cas", "wakep/resetspinning", "wakepstartm/pidleget", "startm/newm", "startm/handoffp", "startm/handoffp-spin",
		"handoffp/lock", "handoffp/store", "handoffp/startm", "mexit/lock", "mexit/store", "mexit/startm", "stoplockedm/lock", "stoplockedm/store", "stoplockedm/startm",
		"handoffp/gcwork", "mexit/gcwork", "stoplockedm/gcwork", "handoffp/missedglobal", "mexit/missedglobal", "stoplockedm/missedglobal",
		"handoffp/sawnohelp", "mexit/sawnohelp", "stoplockedm/sawnohelp",
		"handoffplocked/gcstop", "handoffplocked/global", "handoffplocked/lastp", "handoffplocked/idle",
		"schedule/tick", "schedule/runnext", "schedule/ring", "schedule/global", "schedule/steal",
		"schedule/stealnext", "schedule/idle", "schedule/startlockedm", "schedule/batch", "schedule/needspinning", "acquirep/startlockedm", "acquirep/newm", "spin/needspinning-store", "spin/recheck-global",
		"recheck/global", "recheck/runqs", "recheck/global-needspinning", "recheck/runqs-needspinning", "recheck/idlegc-needspinning",
		"exit/spill", "exit/stackfree", "exit/locked:mexit", "exit/locked:m0wedged", "exit/main returns",
		"goexit/spill", "goexit/stackfree", "goexit/locked:mexit", "goexit/locked:m0wedged",
		"checkdead/goexit", "checkdead/asleep",
		"stoplockedm/handoffp", "exitsyscall/keep", "exitsyscall/oldp", "exitsyscall/pidle", "exitsyscall/nop-pidle", "exitsyscall/nop",
		"markrootfreegstacks/freed", "gc/on", "gc/off", "gc/stacksize",
	)
	return bs
}
