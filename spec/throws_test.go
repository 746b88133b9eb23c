package spec

import "testing"

// TestThrows: every runtime throw the spec models, reached from a state
// prepared to break the precondition the runtime asserts.
func TestThrows(t *testing.T) {
	tests := []struct {
		name  string
		throw string
		run   func(t *testing.T, s *State) error
	}{
		{"badmcall: goexit1 on g0", ThrowBadmcall, func(t *testing.T, s *State) error {
			do(t, s, Op{Kind: OpPark, M: 0})
			_, err := s.Apply(Op{Kind: OpExit, M: 0})
			return err
		}},
		{"badmcall2: mcall fn returns", ThrowBadmcall2, func(t *testing.T, s *State) error {
			_, err := s.Apply(Op{Kind: OpMcall, M: 0})
			return err
		}},
		{"gdestroy: lockedInt at exit", ThrowLockedInt, func(t *testing.T, s *State) error {
			spawn(t, s, 0)
			do(t, s, Op{Kind: OpLockInt, M: 0})
			_, err := s.Apply(Op{Kind: OpGoexit, M: 0})
			return err
		}},
		{"stopm: holding p", ThrowStopm, func(t *testing.T, s *State) error {
			var r Result
			return s.mput(0, &r) // M0 runs main on P0
		}},
		{"stopm: spinning", ThrowStopmSpinning, func(t *testing.T, s *State) error {
			var r Result
			s.Ms[1].Parked, s.Ms[1].Spinning = false, true
			return s.mput(1, &r)
		}},
		{"gfput: bad status", ThrowGfputStatus, func(t *testing.T, s *State) error {
			var r Result
			return s.gfput(0, 0, &r)
		}},
		{"newproc1: missing stack", ThrowMissingStack, func(t *testing.T, s *State) error {
			s.Gs = append(s.Gs, G{Status: Dead, M: None, LockedM: None})
			s.Ps[0].GFree = append(s.Ps[0].GFree, 1)
			s.Ps[0].GFreeSize++
			s.Sched.StartingStackSize = 0 // gfget then allocates nothing
			_, err := s.Apply(Op{Kind: OpNewproc1, M: 0})
			return err
		}},
		{"newproc1: new g is not Gdead", ThrowNotDead, func(t *testing.T, s *State) error {
			s.Gs = append(s.Gs, G{Status: Waiting, Stack: StackMin, M: None, LockedM: None})
			s.Ps[0].GFree = append(s.Ps[0].GFree, 1)
			s.Ps[0].GFreeSize++
			_, err := s.Apply(Op{Kind: OpNewproc1, M: 0})
			return err
		}},
		{"unlockOSThread below zero", ThrowBadUnlock, func(t *testing.T, s *State) error {
			_, err := s.Apply(Op{Kind: OpUnlockInt, M: 0})
			return err
		}},
		{"pidleput with work", ThrowPidleput, func(t *testing.T, s *State) error {
			s.Ps[1].Runnext = 0
			return s.pidleput(1)
		}},
		{"pidleput of a P already idle", ThrowPidleputIdle, func(t *testing.T, s *State) error {
			// P1 is on the idle list: its idle limiter event is open.
			if s.Sched.Pidle != 1 {
				t.Fatalf("idle list %s, want P1 at its head", s.pidleString())
			}
			return s.pidleput(1)
		}},
		{"releasep of a P that is not running", ThrowReleasep, func(t *testing.T, s *State) error {
			s.Ms[1].P = 1 // M1 claims P1, which is idle
			_, err := s.releasep(1)
			return err
		}},
		{"releasep by an M with no P", ThrowReleasepArg, func(t *testing.T, s *State) error {
			_, err := s.releasep(1)
			return err
		}},
		{"wirep of a running P", ThrowWirep, func(t *testing.T, s *State) error {
			return s.acquirepOn(1, 0)
		}},
		{"wirep by an M that has a P", ThrowWirepInGo, func(t *testing.T, s *State) error {
			return s.acquirepOn(0, 1)
		}},
		{"gosched of a G that is not running", ThrowBadGStatus, func(t *testing.T, s *State) error {
			s.Gs[0].Status = Syscall // main, M0's curg
			_, err := s.gosched(Op{Kind: OpGosched, M: 0}, 0)
			return err
		}},
		{"ready of a G that is not waiting", ThrowReadyStatus, func(t *testing.T, s *State) error {
			_, err := s.Apply(Op{Kind: OpReady, M: 0, G: 0}) // main runs
			return err
		}},
		{"stoplockedm without a locked G", ThrowStoplockedm, func(t *testing.T, s *State) error {
			_, err := s.stoplockedm(0, 0)
			return err
		}},
		{"startlockedm: locked to me", ThrowStartlockedmMe, func(t *testing.T, s *State) error {
			spawn(t, s, 0)
			do(t, s, Op{Kind: OpPark, M: 0})
			s.Gs[1].LockedM = 0 // G1 claims to be locked to M0, which schedules it
			_, err := s.Apply(Op{Kind: OpSchedule, M: 0, Source: SrcRunnext})
			return err
		}},
		{"newstack: a stack past maxstacksize", ThrowStackOverflow, func(t *testing.T, s *State) error {
			// 512 MiB doubles to 1 GiB > maxstacksize (1e9); the
			// doubling before it (256 to 512 MiB) is allowed.
			s.Gs[0].Stack = 1 << 28
			do(t, s, Op{Kind: OpGrowStack, M: 0})
			if s.Gs[0].Stack != 1<<29 {
				t.Fatalf("stack %d after growing from 256 MiB", s.Gs[0].Stack)
			}
			_, err := s.Apply(Op{Kind: OpGrowStack, M: 0})
			return err
		}},
		{"casgstatus spins: execute of a G that is not runnable", ThrowCasgstatus, func(t *testing.T, s *State) error {
			spawn(t, s, 0)
			s.Gs[1].Status = Waiting
			return s.execute(0, 1, false)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newState(t, "small", 2, 2)
			err := tt.run(t, s)
			wantThrow(t, err, tt.throw)
		})
	}
}
