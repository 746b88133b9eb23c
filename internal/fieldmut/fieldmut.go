// Package fieldmut changes one field of a struct by the least step, for
// the tests that hold a view of a state (the spec's fingerprint, Equal,
// encoding and Diff; the checker's StateOf) to every field: a view that
// does not see the change forgot the field.
package fieldmut

import (
	"fmt"
	"reflect"
)

// Bump changes f, a settable struct field, by one step and returns a
// function that restores it: a bool is flipped, a number incremented, a
// list ([]int32 or []int) given one more element, 0, in a new backing
// array (a state's lists may share one), and a string set to the first of
// alts that differs from it. It returns an error for a kind it cannot
// change, or a string without another value in alts.
func Bump(f reflect.Value, alts []string) (restore func(), err error) {
	old := reflect.New(f.Type()).Elem()
	old.Set(f)
	switch f.Kind() {
	case reflect.Bool:
		f.SetBool(!f.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f.SetInt(f.Int() + 1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f.SetUint(f.Uint() + 1)
	case reflect.Slice:
		switch l := f.Interface().(type) {
		case []int32:
			f.Set(reflect.ValueOf(append(append(make([]int32, 0, len(l)+1), l...), 0)))
		case []int:
			f.Set(reflect.ValueOf(append(append(make([]int, 0, len(l)+1), l...), 0)))
		default:
			return nil, fmt.Errorf("fieldmut: a list of %v", f.Type().Elem())
		}
	case reflect.String:
		changed := false
		for _, s := range alts {
			if s != f.String() {
				f.SetString(s)
				changed = true
				break
			}
		}
		if !changed {
			return nil, fmt.Errorf("fieldmut: no other value for a string among %q", alts)
		}
	default:
		return nil, fmt.Errorf("fieldmut: a field of kind %v", f.Kind())
	}
	return func() { f.Set(old) }, nil
}
