package checker

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gexit-dev/gexit/impl"
	"pgregory.net/rapid"
)

// A campaign is what "gexit check" runs, as a library: generated cases in
// seeded batches, each run on the implementation and judged by the spec,
// until a case bound, a duration, a violation or cancellation; on a
// violation, the counterexample is shrunk (rapid, then Minimize),
// re-run with the faults off (a control run) and written as a bundle.
// Go tests can run one directly:
//
//	c, err := checker.NewCampaign(checker.CampaignOptions{Cases: 2000, Seed: 1, Out: t.TempDir()})
//	if err != nil { t.Fatal(err) }
//	if r := c.Run(ctx); r.Verdict != checker.Ok { t.Fatal(r.Summary()) }

// CampaignBatch is the number of cases one rapid run draws.
const CampaignBatch = 25

// CampaignOptions configure a campaign. The zero value of a field takes
// the default named beside it.
type CampaignOptions struct {
	// Seed is the campaign seed: the same seed, shard and bounds give the
	// same cases. Batch b of shard i of n draws from rapid seed
	// Mix(Seed, b*n+i).
	Seed uint64
	// Shard is i of Shard/Shards; Shards 0 means 1.
	Shard, Shards int
	// Cases stops the campaign after that many cases (0: no case bound).
	Cases int
	// Duration stops it after that long (0: no time bound). At least one
	// of Cases and Duration must bound the campaign.
	Duration time.Duration
	// Ps and Ms bound the Ps and Ms drawn for each case (default 3, 4).
	Ps, Ms int
	// Faults are switched on in every case.
	Faults []string
	// Modes are the run modes drawn (default deterministic, atomic, free,
	// and systematic for about one case in 256).
	Modes []string
	// Budget bounds one case's linearizability check (default 2s).
	Budget time.Duration
	// Shrink bounds rapid's shrinking of a counterexample, and then
	// Minimize's (0: neither shrinks).
	Shrink time.Duration
	// Decide bounds the judging, once the cases have run, of the
	// histories still undecided after Budget and undecidedRetry times it
	// (the first maxUndecided of them, sharing it: decide): a history
	// decided then counts as ok or illegal instead of unknown (0: none is
	// judged again). It runs only when no case failed and the campaign
	// was not interrupted. A history decided illegal is the campaign's
	// counterexample, shrunk within what is left of Shrink counted from
	// the start of the judging.
	Decide time.Duration
	// Out is the directory bundles are written to ("": none).
	Out string
	// Command is the command line that runs this campaign, for the
	// reproduce lines (default "gexit check").
	Command string
	// Workers is the number of cases run at once (default GOMAXPROCS).
	// The cases drawn do not depend on it: they are drawn in order, a
	// batch at a time, and a case bound runs the same cases for any
	// number of workers.
	Workers int
}

// CampaignStats are a campaign's counts so far.
type CampaignStats struct {
	Cases   int `json:"cases"`
	Ops     int `json:"ops"`
	Ok      int `json:"ok"`
	Illegal int `json:"illegal"`
	Unknown int `json:"unknown"`
	Batches int `json:"batches"`
	// Quiescent counts the runs that ended with nothing able to move and
	// the program alive: the runs the progress predicates judged.
	Quiescent int `json:"quiescent"`
	// ThrowChecked counts the runs that ended at a throw whose state
	// there was compared with the spec's (Outcome.ThrowState), and
	// ThrowSkipped those where it was not, by why (ThrowStateSkips); a
	// systematic case counts each of its schedules.
	ThrowChecked int            `json:"throwChecked"`
	ThrowSkipped map[string]int `json:"throwSkipped"`
	// Decided counts the histories undecided within the cases' budget
	// that the judging after the campaign decided (Decide); each is
	// counted in Ok or Illegal, not in Unknown.
	Decided int `json:"decided"`
	// Deciding is the number of undecided histories the judging after
	// the cases has yet to finish, while it runs (0 otherwise).
	Deciding int           `json:"-"`
	Elapsed  time.Duration `json:"-"`

	// Concurrency actually exercised, per run mode: recorded ops, how
	// many overlapped another actor's op's interval (not Isolated), CAS
	// retries and lost runnext races.
	Modes map[string]*ModeStats `json:"modes"`
}

// ModeStats is the concurrency a campaign exercised in one run mode.
type ModeStats struct {
	Cases       int `json:"cases"`
	Ops         int `json:"ops"`
	Overlapping int `json:"overlapping"`
	CasRetries  int `json:"casRetries"`
	RunnextLost int `json:"runnextLost"`
}

// Overlap is the fraction of ops that overlapped another op.
func (m ModeStats) Overlap() float64 {
	if m.Ops == 0 {
		return 0
	}
	return float64(m.Overlapping) / float64(m.Ops)
}

// Pooled is the sum of the per-mode stats.
func (c CampaignStats) Pooled() ModeStats {
	var p ModeStats
	for _, m := range c.Modes {
		p.Cases += m.Cases
		p.Ops += m.Ops
		p.Overlapping += m.Overlapping
		p.CasRetries += m.CasRetries
		p.RunnextLost += m.RunnextLost
	}
	return p
}

// ThrowEnded is the number of runs that ended at a throw and were judged
// to the check of the state there: checked or skipped.
func (c CampaignStats) ThrowEnded() int {
	n := c.ThrowChecked
	for _, k := range c.ThrowSkipped {
		n += k
	}
	return n
}

// countThrowStates counts what became of the check of the state at a
// throw in out's run, or in each schedule of its systematic search.
func (c *CampaignStats) countThrowStates(out *Outcome) {
	if out.Search != nil {
		c.ThrowChecked += out.Search.ThrowChecked
		for k, n := range out.Search.ThrowSkipped {
			countThrowState(&c.ThrowChecked, &c.ThrowSkipped, k, n)
		}
		return
	}
	countThrowState(&c.ThrowChecked, &c.ThrowSkipped, out.ThrowState, 1)
}

// countThrowState adds n runs whose check of the state at a throw became
// state (Outcome.ThrowState) to the counts checked and skipped.
func countThrowState(checked *int, skipped *map[string]int, state string, n int) {
	switch state {
	case "":
	case ThrowStateChecked:
		*checked += n
	default:
		if *skipped == nil {
			*skipped = map[string]int{}
		}
		(*skipped)[state] += n
	}
}

// Failure is a campaign's counterexample.
type Failure struct {
	// Outcome is the counterexample: rapid's shrunk case, then Minimize's
	// (Outcome.Run is the implementation run it judged).
	Outcome *Outcome
	// Shrunk is rapid's shrunk case before Minimize.
	Shrunk *Outcome
	// Log is rapid's log of the shrunk case (its labelled draws).
	Log string
	// Batch and RapidSeed locate the case in the campaign; Cases is the
	// number of cases the campaign had run when it stopped.
	Batch     int
	RapidSeed uint64
	Cases     int
	// Control is the counterexample re-run with every fault off, when a
	// fault was on. Attributable says the control passed (or no fault
	// was on): the counterexample shows the fault, not something else.
	Control      *Outcome
	Attributable bool
	// ShrinkInterrupted: a signal (the campaign's context) ended the
	// shrinking early: the counterexample is the smallest found by then,
	// maybe not as small as the -shrink budget would have made it.
	ShrinkInterrupted bool
	// found is when the failing case was found: the Shrink budget
	// (rapid's shrinking and Minimize's together) counts from it.
	found time.Time
}

// CampaignResult is what a campaign found.
type CampaignResult struct {
	CampaignStats
	// Verdict: Illegal on a counterexample; Unknown when some verdict was
	// unknown, or the campaign was cancelled before its bound; else Ok.
	Verdict      Verdict
	Interrupted  bool
	Coverage     *Coverage
	FirstUnknown *Outcome
	Failure      *Failure
	// Bundle is the directory the counterexample was written to, and
	// BundleErr why it could not be (the counterexample is still in
	// Failure).
	Bundle    string
	BundleErr error
	// UnknownBundle is the directory the first case whose history was
	// undecided within its budget was written to (no counterexample
	// found; with Out), so that gexit replay DIR/history.json -budget
	// decides it with more time; UnknownBundleErr why it could not be.
	UnknownBundle    string
	UnknownBundleErr error
	// HarnessErr is set when rapid itself failed without a verdict.
	HarnessErr string
	// Unreached lists the MustReach branches the campaign never
	// exercised within its Ps and Ms bounds. A campaign with no violation
	// that left one unreached is Unknown, not Ok: it never tested what
	// it exists for.
	Unreached []string
}

// Campaign is a campaign ready to run; Stats may be read while it runs.
type Campaign struct {
	o     CampaignOptions
	mu    sync.Mutex
	stats CampaignStats
	cov   *Coverage
	// first is the first unknown outcome, in the order cases completed
	// (with several workers, not a function of the seed), and
	// firstUnkept the first not kept in undecided, which holds the first
	// maxUndecided undecided histories, with their jobs, to be judged
	// again after the cases (decide).
	first, firstUnkept *Outcome
	undecided          []undecidedCase
	start              time.Time
}

// undecidedCase is a case whose history was undecided within the budget.
type undecidedCase struct {
	j   caseJob
	out *Outcome
}

// maxUndecided bounds the undecided histories a campaign keeps for its
// judging after the cases (CampaignOptions.Decide): at 8 Ps and 8 Ms an
// 8-minute campaign met one or two.
const maxUndecided = 8

// NewCampaign validates o and fills its defaults.
func NewCampaign(o CampaignOptions) (*Campaign, error) {
	if o.Shards == 0 {
		o.Shards = 1
	}
	if o.Ps == 0 {
		o.Ps = 3
	}
	if o.Ms == 0 {
		o.Ms = 4
	}
	if o.Budget == 0 {
		o.Budget = 2 * time.Second
	}
	if len(o.Modes) == 0 {
		o.Modes = []string{"deterministic", "atomic", "free", "systematic"}
	}
	if o.Command == "" {
		o.Command = "gexit check"
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	switch {
	case o.Shards < 1 || o.Shard < 0 || o.Shard >= o.Shards:
		return nil, fmt.Errorf("shard %d/%d: want 0 <= i < n", o.Shard, o.Shards)
	case o.Cases < 0:
		return nil, fmt.Errorf("cases must not be negative, have %d", o.Cases)
	case o.Duration < 0:
		return nil, fmt.Errorf("duration must not be negative, have %v", o.Duration)
	case o.Cases == 0 && o.Duration == 0:
		return nil, fmt.Errorf("a campaign needs a case bound or a duration")
	case o.Ps < 1 || o.Ps > 8:
		return nil, fmt.Errorf("ps must be in [1, 8], have %d", o.Ps)
	case o.Ms < 1 || o.Ms > 8:
		return nil, fmt.Errorf("ms must be in [1, 8], have %d", o.Ms)
	case o.Budget < 0:
		return nil, fmt.Errorf("budget must be positive, have %v", o.Budget)
	case o.Shrink < 0:
		return nil, fmt.Errorf("shrink must not be negative, have %v", o.Shrink)
	case o.Decide < 0:
		return nil, fmt.Errorf("decide must not be negative, have %v", o.Decide)
	case o.Workers < 1 || o.Workers > 1024:
		return nil, fmt.Errorf("workers must be in [1, 1024], have %d", o.Workers)
	}
	for _, f := range o.Faults {
		if err := impl.CheckFault(f); err != nil {
			return nil, err
		}
	}
	for _, m := range o.Modes {
		// ImplConfig is where a mode is parsed: one list of modes.
		if _, err := (&Case{Preset: "small", Ps: 1, Ms: 1, Mode: m}).ImplConfig(); err != nil {
			return nil, err
		}
	}
	return &Campaign{o: o, cov: NewCoverage()}, nil
}

// Options are the campaign's options with defaults filled in.
func (c *Campaign) Options() CampaignOptions { return c.o }

// Stats returns the counts so far; safe while Run runs.
func (c *Campaign) Stats() CampaignStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Modes = make(map[string]*ModeStats, len(c.stats.Modes))
	for k, v := range c.stats.Modes {
		m := *v
		s.Modes[k] = &m
	}
	s.ThrowSkipped = maps.Clone(c.stats.ThrowSkipped)
	if !c.start.IsZero() {
		s.Elapsed = time.Since(c.start)
	}
	return s
}

// Mix is splitmix64 of seed and k: the batch seeds.
func Mix(seed, k uint64) uint64 {
	z := seed + (k+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	if z == 0 {
		z = 1 // rapid reads seed 0 as "random"
	}
	return z
}

// drawCase draws a case within the Ps and Ms bounds: DrawCase draws Ps
// in [1, 3]; a different bound redraws it (and clamps procresize, which
// cannot grow beyond the Ps a run starts with).
func (c *Campaign) drawCase(t *rapid.T) Case {
	cs := DrawCase(t, DrawOptions{Modes: c.o.Modes, MinMs: 1, MaxMs: c.o.Ms, Faults: c.o.Faults})
	if c.o.Ps != 3 {
		cs.Ps = rapid.IntRange(1, c.o.Ps).Draw(t, "ps.bound")
		for i := range cs.Workload.Controller {
			st := &cs.Workload.Controller[i]
			if st.Kind == impl.CtlProcResize && st.Arg > cs.Ps {
				st.Arg = cs.Ps
			}
		}
		cs.oneThreadOnWasm()
		cs.Text = cs.Workload.String()
	}
	return cs
}

// RunSafe runs a case on the implementation and judges it, never
// panicking: a panic in the implementation's run (outside its Ms, which
// impl recovers itself) is an Illegal outcome of kind "panic", a case the
// implementation rejects is kind "harness", and a panic while judging is
// kind "harness-panic" (JudgeSafe).
//
// A systematic case is a search (Systematic): each schedule runs this way.
func RunSafe(ctx context.Context, c Case, budget time.Duration) (o *Outcome) {
	if c.Mode == "systematic" {
		out, _ := Systematic(ctx, c, budget, c.searchOptions())
		return out
	}
	return runSafeOne(ctx, c, budget)
}

// runSafeOne is RunSafe for one run.
func runSafeOne(ctx context.Context, c Case, budget time.Duration) (o *Outcome) {
	cfg, err := c.ImplConfig()
	if err != nil {
		return &Outcome{Case: c, At: -1, Coverage: NewCoverage(), Verdict: Illegal, Kind: "harness", Name: "the case has no valid configuration", Detail: err.Error()}
	}
	var res *impl.Result
	func() {
		defer func() {
			if r := recover(); r != nil {
				o = &Outcome{Case: c, At: -1, Coverage: NewCoverage(), Verdict: Illegal, Kind: "panic", Name: shortPanic(r),
					Detail: fmt.Sprintf("the implementation panicked: %v\n%s", r, trimStack(debug.Stack()))}
			}
		}()
		res, err = impl.Run(cfg, c.Workload)
	}()
	if o != nil {
		return o
	}
	if err != nil {
		return &Outcome{Case: c, At: -1, Coverage: NewCoverage(), Verdict: Illegal, Kind: "harness", Name: "the implementation rejected the case", Detail: err.Error()}
	}
	out := JudgeSafe(ctx, c, res, budget)
	if out.Verdict == Unknown && out.Name == Undecided && ctx.Err() == nil {
		// porcupine's search grows fast with the ops that overlap: at 8
		// Ps and 8 Ms about one history in 50,000 was undecided within
		// 2 s, which left every 8-minute campaign unknown. The history
		// is judged once more with undecidedRetry times the budget
		// before it counts as unknown.
		out = JudgeSafe(ctx, c, res, undecidedRetry*budget)
		if out.Verdict == Unknown && out.Name == Undecided {
			out.Detail = fmt.Sprintf("linearizability undecided within %v, then within %v", budget, undecidedRetry*budget)
		}
	}
	return out
}

// undecidedRetry is the factor of the budget a history undecided within
// it is judged again with (runSafeOne).
const undecidedRetry = 5

// decide judges the kept undecided histories again within the Decide
// budget, shared: in a pass over those still undecided each gets an even
// share of the time left (a history porcupine cannot decide must not
// take the time of those after it), and a pass that decided some gives
// the rest their shares of what is left again. Each it decides moves
// from the unknown count to the ok or illegal one. It returns the first
// decided illegal (nil if none), which is then the campaign's
// counterexample: its Shrink budget counts from the judging's start.
func (c *Campaign) decide(ctx context.Context) *candidate {
	if c.o.Decide <= 0 {
		return nil
	}
	c.mu.Lock()
	pending := c.undecided
	c.mu.Unlock()
	start := time.Now()
	end := start.Add(c.o.Decide)
	tried := map[*Outcome]time.Duration{} // the longest budget each was given
	var found *candidate
	defer func() {
		c.mu.Lock()
		c.stats.Deciding = 0
		c.mu.Unlock()
	}()
	for progressed := true; progressed && len(pending) > 0; {
		progressed = false
		var still []undecidedCase
		for k, u := range pending {
			c.mu.Lock()
			c.stats.Deciding = len(pending) - k
			c.mu.Unlock()
			left := time.Until(end)
			if found != nil || left <= 0 || ctx.Err() != nil {
				still = append(still, pending[k:]...)
				break
			}
			share := left / time.Duration(len(pending)-k)
			out := JudgeSafe(ctx, u.out.Case, u.out.Run, share)
			if out.Verdict == Unknown {
				tried[u.out] = max(tried[u.out], share)
				still = append(still, u)
				continue
			}
			progressed = true
			out.Coverage = u.out.Coverage // (the run's coverage was counted with the case)
			c.mu.Lock()
			c.stats.Unknown--
			c.stats.Decided++
			if out.Verdict == Ok {
				c.stats.Ok++
			} else {
				c.stats.Illegal++
			}
			c.mu.Unlock()
			if out.Verdict == Illegal {
				found = &candidate{caseJob: u.j, out: out, found: start}
			}
		}
		pending = still
	}
	for _, u := range pending {
		if d, ok := tried[u.out]; ok {
			u.out.Detail = fmt.Sprintf("%s, then within %v after the campaign", u.out.Detail, d.Round(time.Millisecond))
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.undecided = pending
	// The first unknown is now the first still undecided, else the first
	// unknown of another kind.
	c.first = c.firstUnkept
	if len(pending) > 0 {
		c.first = pending[0].out
	}
	return found
}

// Run runs the campaign until its bound, a violation, or ctx's end (after
// the cases running), then shrinks and writes the counterexample.
func (c *Campaign) Run(ctx context.Context) *CampaignResult {
	c.mu.Lock()
	c.start = time.Now()
	c.mu.Unlock()
	var deadline time.Time
	if c.o.Duration > 0 {
		deadline = c.start.Add(c.o.Duration)
	}
	res := &CampaignResult{}
	found, harnessErr, interrupted := c.runBatches(ctx, deadline)
	decided := false
	if found == nil && harnessErr == "" && !interrupted && ctx.Err() == nil {
		found = c.decide(ctx)
		decided = found != nil
	}
	switch {
	case decided:
		// Within the cases' budget the history stays undecided, so
		// rapid's shrinking would see a pass in every run of it.
		res.Failure = &Failure{Outcome: found.out, Shrunk: found.out, Batch: found.b, RapidSeed: c.batchSeed(found.b), found: found.found,
			Log: "(the history was undecided within the cases' budget and decided illegal after the campaign, with more time: reported as found, unshrunk by rapid)"}
	case found != nil:
		res.Failure = c.shrinkBatch(ctx, found)
	case harnessErr != "":
		res.HarnessErr = harnessErr
	}
	res.CampaignStats = c.Stats()
	// Interrupted: the signal stopped the cases, not the bound (one
	// after the deadline, while the last cases ran or the shrinking,
	// cut nothing the campaign was to run).
	res.Interrupted = interrupted
	res.Coverage = c.cov
	c.mu.Lock()
	res.FirstUnknown = c.first
	c.mu.Unlock()
	if f := res.Failure; f != nil {
		f.Cases = res.Cases
		c.shrink(ctx, f)
		// (A signal before the failure was found is the campaign's
		// interruption, not the shrinking's.)
		f.ShrinkInterrupted = ctx.Err() != nil && !interrupted
		if c.o.Out != "" {
			res.Bundle, res.BundleErr = WriteBundle(c.o.Out, c.BundleInfo(f))
		}
	}
	var u *Outcome // (the first unknown may be a run's timeout, which has no history to decide)
	c.mu.Lock()
	switch {
	case len(c.undecided) > 0:
		u = c.undecided[0].out
	case c.first != nil && c.first.Verdict == Unknown:
		// Every history kept for decide was decided; the first unknown
		// is one not kept (beyond maxUndecided) or of another kind (a
		// review's campaign with 4,759 unknowns kept no bundle).
		u = c.first
	}
	c.mu.Unlock()
	if u != nil && res.Failure == nil && c.o.Out != "" && len(u.History) > 0 {
		// The one verdict a campaign cannot give is the one it most
		// needs kept: the history is all a longer search needs.
		res.UnknownBundle, res.UnknownBundleErr = WriteBundle(c.o.Out, BundleInfo{
			Prefix:  fmt.Sprintf("unknown-%d", c.o.Seed),
			Outcome: u,
			Notes: []string{u.Detail,
				"the history is kept so that a longer search can decide it: gexit replay DIR/history.json -budget 5m"},
			Meta: map[string]any{"seed": c.o.Seed, "shard": fmt.Sprintf("%d/%d", c.o.Shard, c.o.Shards)},
		})
	}
	switch {
	case res.Failure != nil || res.Illegal > 0 || res.HarnessErr != "":
		res.Verdict = Illegal
	case res.Unknown > 0 || (res.Interrupted && (c.o.Cases == 0 || res.Cases < c.o.Cases)):
		res.Verdict = Unknown
	default:
		res.Verdict = Ok
	}
	res.Unreached = Unreached(res.Coverage.Counts(), c.o.Ps, c.o.Ms)
	if res.Verdict == Ok && len(res.Unreached) > 0 {
		res.Verdict = Unknown
	}
	return res
}

// caseJob is a drawn case: case i of batch b.
type caseJob struct {
	b, i int
	cs   Case
}

// candidate is a failing case met while the batches ran in parallel.
type candidate struct {
	caseJob
	out   *Outcome
	found time.Time
}

// runBatches draws the batches in order (batch b from rapid seed
// Mix(Seed, b*Shards+Shard), as a rapid run that only draws: the cases
// are the same as when each is run as it is drawn) and runs their cases
// on Workers goroutines, until the case bound, the duration, ctx or a
// failing case. It returns the failing case of the lowest batch and
// index met (nil if none), or rapid's log if rapid failed while drawing.
// The cases run while a failure was being met are counted: each was run
// and judged.
func (c *Campaign) runBatches(ctx context.Context, deadline time.Time) (*candidate, string, bool) {
	jobs := make(chan caseJob, 2*CampaignBatch) // (the next batch is drawn while these run)
	var (
		mu    sync.Mutex
		found *candidate
	)
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return found != nil
	}
	// run is the cases' context: it ends with ctx or at the deadline, so
	// that a systematic search in progress stops with them.
	run, cancel := ctx, context.CancelFunc(func() {})
	if !deadline.IsZero() {
		run, cancel = context.WithDeadline(ctx, deadline)
	}
	defer cancel()
	// cut: ctx (a signal, not the deadline) left a queued case unrun or
	// cut one before it could decide, so the campaign judged fewer cases
	// than it produced.
	var cut atomic.Bool
	var wg sync.WaitGroup
	for range c.o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if run.Err() != nil {
					// Queued before the stop: not run, not counted.
					cut.Store(cut.Load() || ctx.Err() != nil)
					continue
				}
				out := c.runJob(run, j)
				if out.Verdict == Unknown && out.Name == Interrupted && run.Err() != nil {
					// Cut by the stop before it could decide:
					// not judged, not counted.
					cut.Store(cut.Load() || ctx.Err() != nil)
					continue
				}
				c.count(j, out)
				if out.Verdict != Illegal {
					continue
				}
				mu.Lock()
				if found == nil || j.b < found.b || j.b == found.b && j.i < found.i {
					found = &candidate{caseJob: j, out: out, found: time.Now()}
				}
				mu.Unlock()
			}
		}()
	}
	stopped := func() bool {
		return ctx.Err() != nil || !deadline.IsZero() && time.Now().After(deadline) || failed()
	}
	var harnessErr string
	produced := 0
	var batch []Case
produce:
	for b := 0; !stopped(); b++ {
		rseed := c.batchSeed(b)
		batch = batch[:0]
		bad, log := RapidRun(fmt.Sprintf("check/%d", b), CampaignBatch, rseed, 0, func(t *rapid.T) {
			batch = append(batch, c.drawCase(t))
		})
		if bad || len(batch) != CampaignBatch {
			harnessErr = fmt.Sprintf("drawing batch %d (rapid seed %d) gave %d cases of %d: %s", b, rseed, len(batch), CampaignBatch, log)
			break
		}
		c.mu.Lock()
		c.stats.Batches++ // (drawn: a bound may stop it part way, as before)
		c.mu.Unlock()
		for i, cs := range batch {
			if c.o.Cases > 0 && produced >= c.o.Cases || stopped() {
				break produce
			}
			jobs <- caseJob{b: b, i: i, cs: cs}
			produced++
		}
	}
	close(jobs)
	wg.Wait()
	// Whether ctx stopped the production, or the cases produced before
	// it: the bounds had not. (With a case bound every case may be
	// produced, and queued, before a signal leaves some of them unrun.)
	beforeDeadline := deadline.IsZero() || time.Now().Before(deadline)
	interrupted := ctx.Err() != nil && beforeDeadline && !failed() &&
		(c.o.Cases == 0 || produced < c.o.Cases || cut.Load())
	return found, harnessErr, interrupted
}

// batchSeed is batch b's rapid seed: Mix(Seed, b*Shards+Shard).
func (c *Campaign) batchSeed(b int) uint64 {
	return Mix(c.o.Seed, uint64(b)*uint64(c.o.Shards)+uint64(c.o.Shard))
}

// runJob runs a drawn case; a panic of the harness (RunSafe recovers the
// implementation's and the judge's) is the case's violation, not the
// end of the process.
func (c *Campaign) runJob(ctx context.Context, j caseJob) (out *Outcome) {
	defer func() {
		if r := recover(); r != nil {
			out = &Outcome{Case: j.cs, At: -1, Coverage: NewCoverage(), Verdict: Illegal, Kind: "harness-panic", Name: fmt.Sprint(r), Detail: string(debug.Stack())}
		}
	}()
	return RunSafe(ctx, j.cs, c.o.Budget)
}

// shrinkBatch runs the failing case's batch again under rapid, each case
// as it is drawn, so that rapid shrinks the first that fails (the one
// found, or one before it in the batch), and returns the failure. A case
// that does not fail again (a free-running schedule that did not recur)
// is the failure as it was found, unshrunk by rapid. The runs here are
// not counted: they are the shrinking, not new cases.
//
// The -shrink budget, counted from when the failure was found, bounds
// the runs themselves too (when it is not 0): rapid checks its time
// limit only between candidates, and a systematic case is a search of
// many schedules.
func (c *Campaign) shrinkBatch(ctx context.Context, k *candidate) *Failure {
	rseed := c.batchSeed(k.b)
	var last *Outcome
	if c.o.Shrink > 0 {
		// (With no shrinking, the run of the batch only finds the
		// failing case again.)
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, c.shrinkDeadline(k.found))
		defer cancel()
	}
	prop := func(t *rapid.T) {
		skipWhenStopped(t, ctx)
		out := RunSafe(ctx, c.drawCase(t), c.o.Budget)
		if out.Verdict == Illegal {
			last = out
			// The verdict line only: rapid's shrinking fails many
			// candidates, and the full report of the last is
			// written once, from last.
			t.Fatalf("%s: %s: %s", out.Verdict, out.Kind, out.Name)
		}
	}
	// The batch's first k.i+1 cases: rapid's seeds for a batch's cases
	// depend only on their number, so these are the cases drawn before.
	f := &Failure{Outcome: k.out, Shrunk: k.out, Batch: k.b, RapidSeed: rseed, found: k.found,
		Log: "(the case did not fail again when its batch was re-run for rapid to shrink it: reported as found, unshrunk by rapid)"}
	if failed, log := RapidRun(fmt.Sprintf("check/%d", k.b), k.i+1, rseed, c.o.Shrink, prop); failed && last != nil {
		f.Outcome, f.Shrunk, f.Log = last, last, log
	} else if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		f.Log = "(the -shrink budget ran out before rapid's run of the batch found the case again: reported as found, unshrunk by rapid)"
	}
	return f
}

// skipWhenStopped, first in a rapid property, skips the case once ctx
// ended (a signal): rapid takes every case left as invalid, which ends
// its search, or its shrinking at the smallest failure so far.
func skipWhenStopped(t *rapid.T, ctx context.Context) {
	if ctx.Err() != nil {
		t.Skip("interrupted")
	}
}

func (c *Campaign) count(j caseJob, out *Outcome) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats.Cases++
	c.stats.Ops += out.Ops()
	if out.Run != nil && out.Run.Deadlock {
		c.stats.Quiescent++
	}
	c.stats.countThrowStates(out)
	if c.stats.Modes == nil {
		c.stats.Modes = map[string]*ModeStats{}
	}
	ms := c.stats.Modes[out.Case.Mode]
	if ms == nil {
		ms = &ModeStats{}
		c.stats.Modes[out.Case.Mode] = ms
	}
	ms.Cases++
	ms.Ops += len(out.History)
	ms.Overlapping += out.Overlapping
	if out.Run != nil {
		ms.CasRetries += out.Run.Branches["casretry"]
		ms.RunnextLost += out.Run.Branches["runnextlost"]
	}
	c.cov.Merge(out.Coverage)
	switch out.Verdict {
	case Ok:
		c.stats.Ok++
	case Illegal:
		c.stats.Illegal++
	case Unknown:
		c.stats.Unknown++
		if c.first == nil {
			c.first = out
		}
		if out.Name == Undecided && len(out.History) > 0 && len(c.undecided) < maxUndecided {
			c.undecided = append(c.undecided, undecidedCase{j, out})
		} else if c.firstUnkept == nil {
			c.firstUnkept = out
		}
	}
}

// shrink runs Minimize on rapid's shrunk case (within what rapid's
// shrinking left of the Shrink budget), then the control run: the
// counterexample with every fault off.
func (c *Campaign) shrink(ctx context.Context, f *Failure) {
	if c.o.Shrink > 0 {
		func() {
			defer func() {
				if recover() != nil {
					f.Outcome = f.Shrunk // a bug in Minimize must not lose the counterexample
				}
			}()
			deadline := c.shrinkDeadline(f.found)
			mctx, cancel := context.WithDeadline(ctx, deadline)
			defer cancel()
			f.Outcome = Minimize(mctx, f.Shrunk, c.o.Budget, deadline)
		}()
	}
	f.Attributable = true
	if len(f.Outcome.Case.Faults) > 0 {
		cs := cloneCase(f.Outcome.Case)
		cs.Faults = nil
		// Not cut by a signal (the counterexample is reported
		// either way), but bounded: what is left of -shrink, and at
		// least controlMin; a control cut short is unknown, and the
		// counterexample not established as attributable.
		deadline := c.shrinkDeadline(f.found)
		if least := time.Now().Add(controlMin); deadline.Before(least) {
			deadline = least
		}
		cctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		f.Control = RunSafe(cctx, cs, c.o.Budget)
		f.Attributable = f.Control.Verdict == Ok
	}
}

// controlMin is the least time the control run of a counterexample is
// given, whatever is left of -shrink.
const controlMin = 10 * time.Second

// shrinkDeadline is when the -shrink budget of a failure found at found
// (now, if that is not known) runs out.
func (c *Campaign) shrinkDeadline(found time.Time) time.Time {
	if found.IsZero() {
		found = time.Now()
	}
	return found.Add(c.o.Shrink)
}

// Minimized reports whether Minimize changed rapid's shrunk case.
func (f *Failure) Minimized() bool { return f.Outcome != f.Shrunk }

// ReproduceArgs is the command line that re-runs the campaign up to the
// failing batch.
func (c *Campaign) ReproduceArgs(cases int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s -seed %d -shard %d/%d -ps %d -ms %d", c.o.Command, c.o.Seed, c.o.Shard, c.o.Shards, c.o.Ps, c.o.Ms)
	if len(c.o.Modes) == 1 {
		// -mode narrowed the campaign: the draws differ without it.
		fmt.Fprintf(&b, " -mode %s", c.o.Modes[0])
	}
	for _, name := range c.o.Faults {
		fmt.Fprintf(&b, " -fault %s", name)
	}
	fmt.Fprintf(&b, " -cases %d", cases+CampaignBatch)
	return b.String()
}

// ControlText says what the control run showed, for reports.
func (f *Failure) ControlText() string {
	switch {
	case f.Control == nil:
		return "no fault was switched on: no control run"
	case f.Attributable:
		return "control: with the faults switched off the same case passes, so the counterexample is attributable to " + strings.Join(f.Outcome.Case.Faults, ", ")
	case f.Control.Verdict == Unknown:
		return "control: with the faults switched off the case's verdict is unknown (" + f.Control.Detail + "): the counterexample is NOT established as attributable to the fault"
	default:
		return fmt.Sprintf("control: with the faults switched off the case still fails (%s: %s): the counterexample is NOT attributable to the fault", f.Control.Kind, f.Control.Name)
	}
}

// Summary is a one-line account of a campaign result.
func (r *CampaignResult) Summary() string {
	s := fmt.Sprintf("%s: %d cases (%d ops), %d ok, %d illegal, %d unknown", r.Verdict, r.Cases, r.Ops, r.Ok, r.Illegal, r.Unknown)
	if r.Failure != nil {
		s += fmt.Sprintf("; %s: %s", r.Failure.Outcome.Kind, r.Failure.Outcome.Name)
	}
	if r.Bundle != "" {
		s += "; bundle " + r.Bundle
	}
	if r.BundleErr != nil {
		s += "; the bundle could not be written: " + r.BundleErr.Error()
	}
	if r.UnknownBundle != "" {
		s += "; undecided case " + r.UnknownBundle
	}
	if r.UnknownBundleErr != nil {
		s += "; the undecided case could not be written: " + r.UnknownBundleErr.Error()
	}
	if r.Failure == nil && len(r.Unreached) > 0 {
		s += "; never exercised: " + strings.Join(r.Unreached, ", ")
	}
	return s
}
