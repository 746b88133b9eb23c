package spec

import "testing"

// TestDecodeTruncated: every strict prefix of a state's encoding is
// refused as corrupt, without a panic, by a State reused from decode to
// decode (as the explorer's are), and the whole encoding still decodes
// to the state after.
func TestDecodeTruncated(t *testing.T) {
	d := new(State)
	for i, s := range randomStates(t, 100) {
		b := s.AppendBinary(nil)
		for n := range len(b) {
			if _, err := d.DecodeFrom(s.Cfg, b[:n]); err == nil {
				t.Fatalf("state %d: the first %d of its %d bytes decode", i, n, len(b))
			}
		}
		rest, err := d.DecodeFrom(s.Cfg, append(b, 0xAB))
		if err != nil || len(rest) != 1 || !d.Equal(s) {
			t.Fatalf("state %d: decoded %v, rest %d, equal %v", i, err, len(rest), d.Equal(s))
		}
	}
}
