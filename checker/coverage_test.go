package checker

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/spec"
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
				k := keyOf(op, r)
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
