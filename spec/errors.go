package spec

// Throw is a runtime throw or fatal error that a transition reached. Msg is
// the runtime's message, verbatim; Func names the function that raises it.
// A Throw is a bug in the modelled runtime (or a fault planted in impl), never
// a normal outcome: the explorer reports a reachable Throw as a violation.
type Throw struct {
	Msg  string
	Func string
}

func (t *Throw) Error() string { return "throw: " + t.Msg + " (" + t.Func + ")" }

// Disabled says an op's precondition does not hold in the state: the op is
// not one the runtime could perform there. It is not a runtime event.
type Disabled struct {
	Op  Op
	Why string
}

func (d *Disabled) Error() string { return d.Op.String() + ": not enabled: " + d.Why }

// The runtime's throw messages the spec models.
const (
	ThrowGfputStatus      = "gfput: bad status (not Gdead)"
	ThrowMissingStack     = "newproc1: newg missing stack"
	ThrowNotDead          = "newproc1: new g is not Gdead"
	ThrowAllgaddIdle      = "allgadd: bad status Gidle"
	ThrowBadmcall         = "runtime: mcall called on m->g0 stack"
	ThrowBadmcall2        = "runtime: mcall function returned"
	ThrowLockedInt        = "exited a goroutine internally locked to the OS thread"
	ThrowRunqputslow      = "runqputslow: queue is not full"
	ThrowRunqOverflow     = "runqsteal: runq overflow"
	ThrowPidleput         = "pidleput: P has non-empty run queue"
	ThrowPidleputIdle     = "must be able to track idle limiter event"
	ThrowReleasep         = "releasep: invalid p state"
	ThrowReleasepArg      = "releasep: invalid arg"
	ThrowWirep            = "wirep: invalid p state"
	ThrowWirepInGo        = "wirep: already in go"
	ThrowReadyStatus      = "bad g->status in ready"
	ThrowBadGStatus       = "bad g status"
	ThrowStoplockedm      = "stoplockedm: inconsistent locking"
	ThrowStartlockedmMe   = "startlockedm: locked to me"
	ThrowStartlockedmHasP = "startlockedm: m has p"
	// stoplockedm's check of the G startlockedm handed the M's P for.
	ThrowStoplockedmNotRunnable = "stoplockedm: not runnable"
	ThrowBadUnlock              = "runtime: internal error: misuse of lockOSThread/unlockOSThread"
	ThrowCasgstatus             = "casgstatus: status is not the expected old value (the CAS loop spins forever)"
	// The wakeup protocol (mwake.go).
	ThrowStopm              = "stopm holding p"
	ThrowStopmSpinning      = "stopm spinning"
	ThrowStartmRunnable     = "startm: p has runnable gs"
	ThrowStartmSpinning     = "startm: m is spinning"
	ThrowStartmHasP         = "startm: m has p"
	ThrowResetspinning      = "resetspinning: not a spinning m"
	ThrowNegativeNMSpinning = "findRunnable: negative nmspinning"
	ThrowWakepNegative      = "wakep: negative nmspinning"
	ThrowGcstopmNegative    = "gcstopm: negative nmspinning"
	ThrowStartTheWorldNextp = "startTheWorld: inconsistent mp->nextp"
	ThrowRunqputbatch       = "Couldn't put Gs into empty local runq"
	ThrowCheckdeadRunnable  = "checkdead: runnable g"
	ThrowCheckdeadCounts    = "checkdead: inconsistent counts"
	ThrowStackOverflow      = "stack overflow"
)

func throwf(msg, fn string) error { return &Throw{Msg: msg, Func: fn} }
