package fieldmut

import (
	"reflect"
	"slices"
	"testing"
)

func TestBump(t *testing.T) {
	type s struct {
		B  bool
		I  int8
		U  uint16
		L  []int32
		N  []int
		S  string
		F  float64
		LS []string
	}
	v := s{L: []int32{7}, N: nil, S: "a"}
	rv := reflect.ValueOf(&v).Elem()
	for i, alts := range [][]string{nil, nil, nil, nil, nil, {"a", "b"}} {
		before := v
		before.L = slices.Clone(v.L)
		restore, err := Bump(rv.Field(i), alts)
		if err != nil {
			t.Fatalf("field %d: %v", i, err)
		}
		if reflect.DeepEqual(v, before) {
			t.Fatalf("field %d unchanged", i)
		}
		restore()
		if !reflect.DeepEqual(v, before) {
			t.Fatalf("field %d not restored: %+v, want %+v", i, v, before)
		}
	}
	if !slices.Equal(v.L, []int32{7}) {
		t.Fatalf("the list's backing array was written: %v", v.L)
	}
	for _, i := range []int{5, 6, 7} {
		alts := []string{"a"} // no other value for S
		if _, err := Bump(rv.Field(i), alts); err == nil {
			t.Errorf("field %d: no error", i)
		}
	}
}
