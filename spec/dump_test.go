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
