package checker

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/gexit-dev/gexit/spec"
)

func bitstateBase() ExploreOptions {
	c, _ := spec.Preset("small")
	return ExploreOptions{Config: spec.Config{Consts: c, Ps: 2, Ms: 2}, Bounds: coreBounds(2), Depth: 18}
}

// A bitstate array far larger than the space explores what the exact
// search explores (38,994 states to depth 18), says it is a partial search, and
// estimates a coverage near 1; an array too small for the space loses
// states and estimates a poor coverage. Both give the same with 1 and 2
// workers.
func TestExploreBitstate(t *testing.T) {
	exact, err := Explore(context.Background(), bitstateBase())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		bits int
		big  bool
	}{{26, true}, {14, false}} {
		var want string
		for _, w := range []int{1, 2} {
			o := bitstateBase()
			o.Bitstate, o.Workers = tc.bits, w
			r, err := Explore(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			b := r.Bitstate
			if r.FingerprintCollision != 0 {
				t.Fatalf("2^%d: a fingerprint collision bound %g for the bit array", tc.bits, r.FingerprintCollision)
			}
			if b == nil || !b.PartialSearch || r.Complete || r.StoppedBy != exact.StoppedBy || b.K != 3 || b.Stored != r.States {
				t.Fatalf("2^%d: complete=%v stop=%q bitstate=%+v", tc.bits, r.Complete, r.StoppedBy, b)
			}
			if b.ArrayBytes != 1<<tc.bits/8 || b.HashFactor != float64(int(1)<<tc.bits)/float64(r.States) {
				t.Fatalf("2^%d: %+v", tc.bits, b)
			}
			if tc.big && (r.States != exact.States || b.ExpectedCoverage < 0.999 || b.HashFactor < 100) {
				t.Fatalf("2^%d: %d states (exact %d), %+v", tc.bits, r.States, exact.States, b)
			}
			if !tc.big && (r.States >= exact.States || b.ExpectedCoverage > 0.9 || b.HashFactor > 10) {
				t.Fatalf("2^%d: %d states (exact %d), %+v", tc.bits, r.States, exact.States, b)
			}
			got := exploreDigest(r)
			if w == 1 {
				want = got
				t.Logf("2^%d bits: %d states of %d, hash factor %.1f, expected coverage %.4f", tc.bits, r.States, exact.States, b.HashFactor, b.ExpectedCoverage)
			} else if got != want {
				t.Errorf("2^%d, 2 workers:\n got %s\nwant %s", tc.bits, got, want)
			}
		}
	}
}

// The exact search's fingerprint set loses a state only to a 64-bit
// collision: its result bounds the chance, n(n-1)/2^65 for n states.
func TestExploreFingerprintCollision(t *testing.T) {
	r, err := Explore(context.Background(), bitstateBase())
	if err != nil {
		t.Fatal(err)
	}
	n := float64(r.States)
	if want := n * (n - 1) / math.Pow(2, 65); r.FingerprintCollision != want || want == 0 {
		t.Fatalf("%d states: bound %g, want %g", r.States, r.FingerprintCollision, want)
	}
	// Figures a reader can check: 2^32 states make a collision about an
	// even chance; a billion, 2.7%; the bound is a probability.
	for _, tc := range []struct {
		n      int
		lo, hi float64
	}{{1, 0, 0}, {1 << 32, 0.49, 0.51}, {1e9, 0.027, 0.0272}, {1 << 40, 1, 1}} {
		if got := fingerprintCollision(tc.n, false); got < tc.lo || got > tc.hi {
			t.Errorf("%d states: %g, want in [%g, %g]", tc.n, got, tc.lo, tc.hi)
		}
	}
}

// A bitstate run finds the planted bug, as the exact search does.
func TestExploreBitstateFindsPlantedBug(t *testing.T) {
	o := smallOptions(3)
	o.Bounds.NoSyscalls, o.Bounds.NoLocks = true, true
	o.StopAtFirst, o.Step = true, loseStackFreedG
	exact, err := Explore(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, shard := range []int{0, 1, 2} {
		o.Bitstate, o.Shard, o.Shards = 24, shard, 3
		r, err := Explore(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Violations) != 1 || r.Violations[0].Name != exact.Violations[0].Name || len(r.Violations[0].Path) != len(exact.Violations[0].Path) {
			t.Fatalf("shard %d: %+v", shard, r.Violations)
		}
	}
}

// Swarm shards lose different states: with an array too small for the
// space, the shards together reach more states than any one of them.
func TestExploreSwarmShardsDiffer(t *testing.T) {
	union := map[uint64]bool{}
	best := 0
	var digests []string
	for shard := range 4 {
		reached := map[uint64]bool{}
		o := bitstateBase()
		o.Bitstate, o.Shard, o.Shards, o.Workers = 14, shard, 4, 1
		o.Step = func(s *spec.State, op spec.Op) (spec.Result, error) {
			r, err := s.Apply(op)
			if err == nil {
				reached[s.Fingerprint()] = true
			}
			return r, err
		}
		r, err := Explore(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		for fp := range reached {
			union[fp] = true
		}
		best = max(best, len(reached))
		digests = append(digests, exploreDigest(r))
		t.Logf("shard %d/4: %d states explored, %d reached, hash factor %.2f", shard, r.States, len(reached), r.Bitstate.HashFactor)
	}
	if len(union) <= best {
		t.Fatalf("the shards together reach %d states, the best alone %d", len(union), best)
	}
	for i := 1; i < len(digests); i++ {
		if digests[i] == digests[0] {
			t.Fatalf("shard %d explores as shard 0 does", i)
		}
	}
	t.Logf("together %d states reached, the best shard %d (the space: 89,820)", len(union), best)
}

func TestExploreBitstateRejects(t *testing.T) {
	for _, tc := range []struct {
		mod  func(o *ExploreOptions)
		want string
	}{
		{func(o *ExploreOptions) { o.Bitstate = 8 }, "2^12 to 2^40"},
		{func(o *ExploreOptions) { o.Bitstate, o.BitstateK = 20, 17 }, "k must be"},
		{func(o *ExploreOptions) { o.Bitstate, o.Shard, o.Shards = 20, 4, 4 }, "shard 4 of 4"},
		{func(o *ExploreOptions) { o.Shards = 2 }, "needs bitstate"},
		{func(o *ExploreOptions) { o.Bitstate, o.Liveness = 20, true }, "liveness"},
	} {
		o := bitstateBase()
		tc.mod(&o)
		_, err := Explore(context.Background(), o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err %v, want %q", o, err, tc.want)
		}
	}
}
