package checker

import (
	"sync"
	"sync/atomic"
)

// pool runs the explorer's tasks on helper goroutines and on the goroutine
// that waits for them: a job is n tasks, numbered 0 to n-1, each run once,
// in any order, by whoever claims it first. A task is told which worker
// runs it: 0 for the caller of finish, 1 to workers-1 for the helpers, so
// that it can use that worker's scratch memory. A worker claims a job's
// tasks in increasing order.
type pool struct {
	helpers int
	jobs    chan *job
	wg      sync.WaitGroup
}

type job struct {
	n    int
	f    func(w, i int)
	next atomic.Int64
	left atomic.Int64 // tasks not done
	done sync.WaitGroup
}

// newPool starts workers-1 helpers: the caller of finish is the last
// worker. With one worker, nothing runs until finish.
func newPool(workers int) *pool {
	p := &pool{helpers: max(workers-1, 0)}
	if p.helpers > 0 {
		p.jobs = make(chan *job, 8*p.helpers)
		p.wg.Add(p.helpers)
		for w := 1; w <= p.helpers; w++ {
			go func() {
				defer p.wg.Done()
				for j := range p.jobs {
					j.run(w)
				}
			}()
		}
	}
	return p
}

// start offers a job of n tasks to the helpers and returns it; finish
// completes it.
func (p *pool) start(n int, f func(w, i int)) *job {
	j := &job{n: n, f: f}
	j.left.Store(int64(n))
	j.done.Add(n)
	for range min(p.helpers, n) {
		p.jobs <- j
	}
	return j
}

// finish runs the tasks of j no helper claimed and waits for the others;
// while a helper runs j's last, it runs tasks of then (when not nil), the
// job started after j.
func (p *pool) finish(j, then *job) {
	j.run(0)
	for then != nil && j.left.Load() > 0 && then.runOne(0) {
	}
	j.done.Wait()
}

func (j *job) run(w int) {
	for j.runOne(w) {
	}
}

// runOne claims a task of j and runs it as worker w; false if none was
// left to claim.
func (j *job) runOne(w int) bool {
	i := int(j.next.Add(1) - 1)
	if i >= j.n {
		return false
	}
	j.f(w, i)
	j.left.Add(-1)
	j.done.Done()
	return true
}

// close stops the helpers once they have run what they claimed.
func (p *pool) close() {
	if p.jobs != nil {
		close(p.jobs)
		p.wg.Wait()
	}
}
