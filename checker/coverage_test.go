package checker

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/spec"
	"pgregory.net/rapid"
)

// keyOf packs every field spec.Branches reads: two transitions with one
// key name the same branches. Checked on every transition of small
// explorations with every family on (a key that dropped a field would
// merge two transitions whose branches differ).
func TestCoverageKeyDeterminesBranches(t *testing.T) {
	if raceEnabled {
		t.Skip("one worker, nothing concurrent: make test runs it without -race (1 s; 25x that under it)")
	}
	c, _ := spec.Preset("small")
	seen := map[branchKey][]string{}
	n := 0
	var clash string
	for _, b := range [][3]int{{2, 2, 1}, {1, 1, 3}, {2, 2, 2}} {
		o := ExploreOptions{Config: spec.Config{Consts: c, Ps: b[0], Ms: b[1]}, Bounds: spec.DefaultBounds(b[2]), Depth: 12, Workers: 1,
			Step: func(s *spec.State, op spec.Op) (spec.Result, error) {
				r, err := s.Apply(op)
				if err != nil {
					return r, err
				}
				got := spec.Branches(op, r, nil)
				k := keyOf(op, &r)
				if want, ok := seen[k]; ok && !slices.Equal(want, got) && clash == "" {
					// (Step runs on the explorer's worker: report after.)
					clash = fmt.Sprintf("key %#x: %v and %v", uint64(k), want, got)
				}
				seen[k] = got
				n++
				return r, nil
			}}
		if _, err := Explore(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		if clash != "" {
			t.Fatal(clash)
		}
	}
	if n == 0 || len(seen) < 50 {
		t.Fatalf("%d transitions, %d keys", n, len(seen))
	}
}

// resultOf carries every impl output field the spec's Result has (by
// name): coverage and reports read impl runs through it, so a field it
// dropped would make a branch that needs it look never reached.
func TestResultOfKeepsEveryField(t *testing.T) {
	var o impl.Output
	ov := reflect.ValueOf(&o).Elem()
	for i := range ov.NumField() {
		switch f := ov.Field(i); f.Kind() {
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(i + 1))
		case reflect.Bool:
			f.SetBool(true)
		case reflect.String:
			f.SetString("x")
		}
	}
	o.Source = "steal"
	r := resultOf(&o)
	rv := reflect.ValueOf(r)
	// Fields of Output the spec's Result does not have, or holds in
	// another form.
	skip := map[string]bool{"Path": true, "Throw": true}
	for i := range ov.NumField() {
		name := ov.Type().Field(i).Name
		if skip[name] {
			continue
		}
		f := rv.FieldByName(name)
		if !f.IsValid() {
			t.Errorf("spec.Result has no field %s (impl.Output has): say where it goes", name)
			continue
		}
		if f.IsZero() || f.Kind() != reflect.String && fmt.Sprint(f.Interface()) == "-1" {
			t.Errorf("resultOf drops %s", name)
		}
	}
}

// An impl event counts as the branches the spec's own step names: over
// runs of the implementation, each event's coverage (OpOf, eventResult)
// is spec.Branches of the op and the result the spec's step gives it,
// wherever the two agree (Mismatch). A coverage that read an output
// field in the implementation's form rather than the spec's would
// report a branch the runs reach as never reached: a recheck's
// Output.Value carries what its reads found beside the needspinning
// store, and before eventResult the branches recheck/runqs-needspinning
// and recheck/idlegc-needspinning were never counted (the workload
// below reaches both; its control is that they are met).
func TestEventCoverageIsTheSpecsBranches(t *testing.T) {
	leaf := impl.Prog(impl.MakeDirty())
	w := impl.Workload{Main: impl.Prog(impl.Go(impl.Prog(impl.ParkOn(0))), impl.Go(leaf), impl.Yield(), impl.Go(leaf), impl.ReadyOn(0),
		impl.Yield(), impl.Go(leaf), impl.Yield(), impl.Go(leaf), impl.Yield()),
		Controller: []impl.CtlStep{{Kind: impl.CtlGC, Arg: 1}, {Kind: impl.CtlGC, Arg: 0, After: 60}}}
	consts, _ := spec.Preset("small")
	met := map[string]int{}
	var sb, eb []string
	// compare runs cfg and w and compares every event's branches; a run
	// the spec does not follow to its end (a throw) is compared up to it.
	compare := func(tb interface{ Fatalf(string, ...any) }, what string, cfg impl.Config, w impl.Workload) {
		res, err := impl.Run(cfg, w)
		if err != nil {
			tb.Fatalf("%s: %v", what, err)
		}
		s, err := spec.New(SpecConfig(cfg))
		if err != nil {
			tb.Fatalf("%s: %v", what, err)
		}
		for i := range res.History {
			e := &res.History[i]
			op, err := strictOp(e, true)
			if err != nil {
				tb.Fatalf("%s: %s: %v", what, e.Op, err)
			}
			r, aerr := s.Apply(op)
			if m := Mismatch(op.Kind, &e.Out, &r, aerr); m != "" {
				tb.Fatalf("%s: event %d %v: the spec's step disagrees: %s", what, i, op, m)
			}
			if aerr != nil {
				return // both threw
			}
			sb = spec.Branches(op, r, sb[:0])
			eb = spec.Branches(op, eventResult(e), eb[:0])
			if !slices.Equal(sb, eb) {
				tb.Fatalf("%s: event %d %v (impl %s): counted as %v, the spec's step is %v", what, i, op, describeOutput(e), eb, sb)
			}
			for _, b := range eb {
				met[b]++
			}
		}
	}
	for seed := int64(0); seed < 400; seed++ {
		cfg := impl.Config{Consts: ImplConsts(consts), Ps: 3, Ms: 3, Mode: impl.Deterministic, SnapshotEvery: true, Seed: seed, Record: true}
		compare(t, fmt.Sprintf("seed %d", seed), cfg, w)
	}
	// Drawn programs, one op at a time (atomic: each op overlaps none, so
	// the spec's strict step is the one to compare with).
	rapid.Check(t, func(rt *rapid.T) {
		c := DrawCase(rt, DrawOptions{Modes: []string{"atomic"}})
		cfg, err := c.ImplConfig()
		if err != nil {
			rt.Fatalf("%v", err)
		}
		compare(rt, c.Text, cfg, c.Workload)
	})
	for _, b := range []string{"recheck/runqs-needspinning", "recheck/idlegc-needspinning"} {
		if met[b] == 0 {
			t.Errorf("no run reached %s: the check above never met the output it is about", b)
		}
	}
}

// Mismatch compares every output field the coverage reads: for each
// event of drawn atomic runs and each field of its Output, a changed
// value that would count the event as other branches (spec.Branches of
// eventResult) must also fail Mismatch against the spec's step.
// Otherwise the implementation could take another branch than the spec,
// pass, and be counted as having exercised the branch it took.
func TestMismatchComparesWhatCoverageReads(t *testing.T) {
	perturb := func(o *impl.Output, i int) bool {
		f := reflect.ValueOf(o).Elem().Field(i)
		switch f.Kind() {
		case reflect.Int, reflect.Int64:
			f.SetInt(f.Int() + 1)
		case reflect.Bool:
			f.SetBool(!f.Bool())
		case reflect.String:
			switch reflect.TypeOf(*o).Field(i).Name {
			case "Source":
				f.SetString(map[string]string{"steal": "global", "global": "steal"}[f.String()])
			case "Locked":
				f.SetString(map[string]string{"": "mexit", "mexit": "m0wedged", "m0wedged": ""}[f.String()])
			case "How":
				f.SetString(map[string]string{"local": "refill", "refill": "malg", "malg": "local"}[f.String()])
			case "Stack":
				f.SetString(map[string]string{"reused": "allocated", "allocated": "freed+allocated", "freed+allocated": "reused"}[f.String()])
			default:
				return false // Path (an op input), Throw, Fatal: judged apart
			}
		default:
			return false
		}
		return true
	}
	var sb, pb []string
	seen := map[string]bool{}
	rapid.Check(t, func(rt *rapid.T) {
		c := DrawCase(rt, DrawOptions{Modes: []string{"atomic"}})
		cfg, err := c.ImplConfig()
		if err != nil {
			rt.Fatalf("%v", err)
		}
		res, err := impl.Run(cfg, c.Workload)
		if err != nil {
			rt.Fatalf("%v", err)
		}
		s, err := spec.New(SpecConfig(cfg))
		if err != nil {
			rt.Fatalf("%v", err)
		}
		for i := range res.History {
			e := &res.History[i]
			op, err := strictOp(e, true)
			if err != nil {
				rt.Fatalf("%s: %v", e.Op, err)
			}
			r, aerr := s.Apply(op)
			if aerr != nil {
				return
			}
			sb = spec.Branches(op, eventResult(e), sb[:0])
			for f := range reflect.TypeOf(e.Out).NumField() {
				pe := *e
				if !perturb(&pe.Out, f) {
					continue
				}
				if pop, err := strictOp(&pe, true); err != nil || pop != op {
					continue // an op input (OpOf reads it): the spec steps the op it names
				}
				pb = spec.Branches(op, eventResult(&pe), pb[:0])
				if slices.Equal(sb, pb) {
					continue
				}
				if Mismatch(op.Kind, &pe.Out, &r, nil) == "" {
					key := fmt.Sprintf("%v.%s", op.Kind, reflect.TypeOf(e.Out).Field(f).Name)
					if !seen[key] {
						seen[key] = true
						t.Errorf("%v: Output.%s changed from the spec's counts the event as %v, not %v, and Mismatch passes it", op, reflect.TypeOf(e.Out).Field(f).Name, pb, sb)
					}
				}
			}
		}
	})
}

// sameValue is fmt.Sprint equality, without the formatting for built-in
// values.
func TestSameValueIsSprintEquality(t *testing.T) {
	type named int8
	vals := []any{0, 1, -1, int8(1), int32(-1), int64(1), uint8(1), uint8(255), int8(-1), true, false, "", "1", "true", named(1), named(-1), spec.None, int8(spec.None), 255}
	for _, a := range vals {
		for _, b := range vals {
			if got, want := sameValue(a, b), fmt.Sprint(a) == fmt.Sprint(b); got != want {
				t.Errorf("sameValue(%T %v, %T %v) = %v, Sprint equality %v", a, a, b, b, got, want)
			}
		}
	}
}
