package checker

import (
	"reflect"
	"testing"

	"github.com/gexit-dev/gexit/impl"
)

// TestIsolated: an event is isolated when no other event's interval
// touches its own, whatever the order of the history.
func TestIsolated(t *testing.T) {
	ev := func(call, ret int64) impl.Event { return impl.Event{Call: call, Return: ret} }
	for _, c := range []struct {
		h    []impl.Event
		want []bool
	}{
		{nil, []bool{}},
		{[]impl.Event{ev(1, 2)}, []bool{true}},
		{[]impl.Event{ev(1, 2), ev(3, 4), ev(5, 6)}, []bool{true, true, true}},
		// 2-5 overlaps 3-4 (nested) and touches nothing else.
		{[]impl.Event{ev(0, 1), ev(2, 5), ev(3, 4), ev(6, 7)}, []bool{true, false, false, true}},
		// A long op overlaps one that starts after its neighbour ends.
		{[]impl.Event{ev(1, 10), ev(2, 3), ev(4, 5), ev(11, 12)}, []bool{false, false, false, true}},
		// Out of call order in the slice.
		{[]impl.Event{ev(5, 8), ev(1, 2), ev(7, 9)}, []bool{false, true, false}},
	} {
		if got := Isolated(c.h); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Isolated(%v) = %v, want %v", c.h, got, c.want)
		}
	}
}
