package spec

// checkAll runs every invariant's check, in Invariants' order, as direct
// calls, and returns the index in Invariants of the first that fails,
// with its error, or -1. It is CheckInvariants' loop unrolled: the
// explorer checks every new state, and a call through each Invariant's
// func value cost it more than most checks do (TestCheckAllOrder keeps
// the two lists the same).
func checkAll(s *State, c *census) (int, error) {
	if err := checkRefsInRange(s, c); err != nil {
		return 0, err
	}
	if err := checkFreeGsAreDead(s, c); err != nil {
		return 1, err
	}
	if err := checkOneListAtATime(s, c); err != nil {
		return 2, err
	}
	if err := checkFreeListSizes(s, c); err != nil {
		return 3, err
	}
	if err := checkLocalFreeBelowCap(s, c); err != nil {
		return 4, err
	}
	if err := checkNoStackListHasNoStack(s, c); err != nil {
		return 5, err
	}
	if err := checkStackListHasStack(s, c); err != nil {
		return 6, err
	}
	if err := checkStacksArePowersOfTwo(s, c); err != nil {
		return 7, err
	}
	if err := checkLiveGsHaveStacks(s, c); err != nil {
		return 8, err
	}
	if err := checkDeadIffFree(s, c); err != nil {
		return 9, err
	}
	if err := checkNoIdleGs(s, c); err != nil {
		return 10, err
	}
	if err := checkLiveGoidsUnique(s, c); err != nil {
		return 11, err
	}
	if err := checkGoidNeverReissued(s, c); err != nil {
		return 12, err
	}
	if err := checkRunningHasM(s, c); err != nil {
		return 13, err
	}
	if err := checkRunningHasP(s, c); err != nil {
		return 14, err
	}
	if err := checkCurgLinks(s, c); err != nil {
		return 15, err
	}
	if err := checkOffCPUGsHaveNoM(s, c); err != nil {
		return 16, err
	}
	if err := checkNoInPlaceWaits(s, c); err != nil {
		return 17, err
	}
	if err := checkQueuedGsRunnable(s, c); err != nil {
		return 18, err
	}
	if err := checkRunnableGsQueued(s, c); err != nil {
		return 19, err
	}
	if err := checkRunqBounded(s, c); err != nil {
		return 20, err
	}
	if err := checkLockedPairs(s, c); err != nil {
		return 21, err
	}
	if err := checkLockCountsWire(s, c); err != nil {
		return 22, err
	}
	if err := checkExitedMsInert(s, c); err != nil {
		return 23, err
	}
	if err := checkM0NeverExits(s, c); err != nil {
		return 24, err
	}
	if err := checkNGSysCount(s, c); err != nil {
		return 25, err
	}
	if err := checkIdlePsHaveEmptyRunq(s, c); err != nil {
		return 26, err
	}
	if err := checkIdleListIdle(s, c); err != nil {
		return 27, err
	}
	if err := checkIdlePsListed(s, c); err != nil {
		return 28, err
	}
	if err := checkNMSpinningCounts(s, c); err != nil {
		return 29, err
	}
	if err := checkIdleMsListed(s, c); err != nil {
		return 30, err
	}
	if err := checkNextPHandedOff(s, c); err != nil {
		return 31, err
	}
	if err := checkSpinningWithoutLocalWork(s, c); err != nil {
		return 32, err
	}
	if err := checkRunningPHasM(s, c); err != nil {
		return 33, err
	}
	if err := checkPOwnership(s, c); err != nil {
		return 34, err
	}
	if err := checkGCStopPs(s, c); err != nil {
		return 35, err
	}
	if err := checkDeadPsEmpty(s, c); err != nil {
		return 36, err
	}
	if err := checkSyscallGsHaveM(s, c); err != nil {
		return 37, err
	}
	if err := checkDeadGsCleared(s, c); err != nil {
		return 38, err
	}
	if err := checkAssistCreditFlushed(s, c); err != nil {
		return 39, err
	}
	if err := checkBgScanCreditNonNegative(s, c); err != nil {
		return 40, err
	}
	if err := checkLockedWaitingM(s, c); err != nil {
		return 41, err
	}
	if err := checkMainGoexitIsFinal(s, c); err != nil {
		return 42, err
	}
	if err := checkAllAsleepIsDeadlock(s, c); err != nil {
		return 43, err
	}
	if err := checkGlobalWorkWakesAnM(s, c); err != nil {
		return 44, err
	}
	if err := checkCheckdeadRan(s, c); err != nil {
		return 45, err
	}
	return -1, nil
}
