package checker

import (
	"context"
	"testing"
)

// A wide set keeps two fingerprints that share the first word, tells
// them apart by the second, and keeps them through its growth; a 64-bit
// set takes the second for the first.
func TestFPSetWide(t *testing.T) {
	w := newFPSet(16, true)
	if !w.add(5, 1) || !w.add(5, 2) || w.add(5, 1) || w.add(5, 2) {
		t.Fatal("wide: (5,1) and (5,2) are two fingerprints, each added once")
	}
	if !w.contains(5, 2) || w.contains(5, 3) || w.contains(6, 1) {
		t.Fatal("wide: contains")
	}
	if !w.add(0, 7) || w.add(0, 7) || !w.contains(0, 7) || w.contains(0, 8) {
		t.Fatal("wide: a first word 0")
	}
	// Many fingerprints on 16 first words: long probe runs, grown tables.
	const n = 5000
	for k := uint64(0); k < n; k++ {
		if !w.add(k%16+100, k) {
			t.Fatalf("wide: (%d,%d) taken as seen", k%16+100, k)
		}
	}
	for k := uint64(0); k < n; k++ {
		if !w.contains(k%16+100, k) || w.add(k%16+100, k) {
			t.Fatalf("wide: (%d,%d) lost", k%16+100, k)
		}
	}
	if w.n != n+3 || w.bytes() != 16*len(w.slots)/2 {
		t.Fatalf("wide: %d fingerprints, %d bytes for %d words", w.n, w.bytes(), len(w.slots))
	}
	narrow := newFPSet(16, false)
	if !narrow.add(5, 1) || narrow.add(5, 2) || !narrow.contains(5, 9) {
		t.Fatal("64-bit: the second word is not part of the fingerprint")
	}
}

// The planted bug and the clean runs of -fingerprint 128: with every
// fingerprint's first word cut to 20 bits, states collide, and the 64-bit
// search loses some; the 128-bit search, whose second words tell them
// apart, explores exactly what the uncut search does, with 1 and 2
// workers. Uncut, both widths explore the same.
func TestExploreWideFingerprints(t *testing.T) {
	base := bitstateBase()
	if raceEnabled {
		base.Depth = 15 // (-race: 9,233 states, of which the 20-bit cut still loses some)
	}
	exact, err := Explore(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}
	want := exploreDigest(exact)
	for _, w := range []int{1, 2} {
		o := base
		o.Workers, o.Wide = w, true
		wide, err := Explore(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if got := exploreDigest(wide); got != want {
			t.Fatalf("128-bit, %d workers:\n got %s\nwant %s", w, got, want)
		}
		if wide.FingerprintCollision >= exact.FingerprintCollision*1e-18 || wide.FingerprintCollision == 0 {
			t.Fatalf("collision bound %g at 128 bits, %g at 64", wide.FingerprintCollision, exact.FingerprintCollision)
		}
		if wide.StoredPerState <= exact.StoredPerState {
			t.Fatalf("128 bits store %.1f bytes a state, 64 bits %.1f", wide.StoredPerState, exact.StoredPerState)
		}
		o.fpMask = 1<<20 - 1
		cut, err := Explore(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if got := exploreDigest(cut); got != want {
			t.Fatalf("128-bit, first words cut, %d workers:\n got %s\nwant %s", w, got, want)
		}
		o.Wide = false
		lost, err := Explore(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if lost.States >= exact.States {
			t.Fatalf("64-bit, cut to 20 bits, %d workers: %d states of %d: the planted collisions lost none", w, lost.States, exact.States)
		}
		t.Logf("%d workers: %d states; cut to 20 bits, 64-bit %d, 128-bit %d", w, exact.States, lost.States, cut.States)
	}
	o := base
	o.Wide, o.Bitstate = true, 20
	if _, err := Explore(context.Background(), o); err == nil {
		t.Fatal("128-bit fingerprints with bitstate: no error")
	}
	o.Bitstate, o.Liveness, o.Depth = 0, true, 0
	if _, err := Explore(context.Background(), o); err == nil {
		t.Fatal("128-bit fingerprints with liveness: no error")
	}
}
