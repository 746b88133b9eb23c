package spec

import (
	"reflect"
	"strings"
	"testing"
)

// TestDiffShowsEveryMFlag: a step that sets or clears one of an M's
// flags shows in a report's step diff as "+flag" or "-flag", not as the
// whole M line before and after (the word must be in dumpFlags; a new
// flag left out of it, as spinclear first was, shows the whole line).
func TestDiffShowsEveryMFlag(t *testing.T) {
	s := newState(t, "small", 2, 2)
	mt := reflect.TypeOf(M{})
	n := 0
	for i := 0; i < mt.NumField(); i++ {
		if mt.Field(i).Type.Kind() != reflect.Bool {
			continue
		}
		n++
		c := s.Clone()
		f := reflect.ValueOf(&c.Ms[1]).Elem().Field(i)
		f.SetBool(!f.Bool())
		d := Diff(s, c)
		if len(d) != 1 || !strings.HasPrefix(d[0], "M1: ") || strings.Contains(d[0], "->") || strings.Contains(d[0], ",") {
			t.Errorf("M.%s flipped: diff %q, want one M1 line with one +flag or -flag", mt.Field(i).Name, d)
		}
	}
	if n < 14 {
		t.Fatalf("only %d bool fields in M", n)
	}
}

// TestDiffShowsEveryField: a counterexample's steps print each op's state
// change as Diff's lines, so a field Diff does not show changes unseen by
// the reader (the step reads as doing less than it did). Each one-field
// change of every G, M, P and sched, lists included, in the states of 40
// random walks must give a diff. The planted control: a state change
// Diff cannot see (none) is reported.
func TestDiffShowsEveryField(t *testing.T) {
	states := randomStates(t, 40)
	if raceEnabled {
		// Each check renders two whole dumps.
		states = states[:len(states)/16]
	}
	shown := func(orig, changed *State) bool { return len(Diff(orig, changed)) != 0 }
	// An M's link is shown as sched.midle, the list walked from its
	// head; a link off the list is no state the spec reaches (IdleMsListed
	// fails in it, and the report names that).
	if forgot, seen := fieldsUnnoticed(states, true, shown, "M.Link"); len(forgot) != 0 {
		t.Fatalf("a field changed, Diff showed nothing: %v", forgot)
	} else if !seen["Sched.GCWaiting"] || !seen["P.OldM"] || !seen["P.Held"] {
		t.Fatalf("fields not checked: %v", seen)
	}
	blind := func(orig, changed *State) bool {
		c := changed.Clone()
		c.Sched.GCWaiting = orig.Sched.GCWaiting
		return len(Diff(orig, c)) != 0
	}
	if forgot, _ := fieldsUnnoticed(states, true, blind, "M.Link"); len(forgot) != 1 || forgot[0] != "Sched.GCWaiting" {
		t.Fatalf("a Diff blind to gcwaiting: forgotten %v, want [Sched.GCWaiting]", forgot)
	}
}
