package rtcheck

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// encode is the runtime side's record layout, for building test files.
func encode(r Record) []byte {
	b := make([]byte, RecordSize)
	le := binary.LittleEndian
	le.PutUint64(b[0:], r.Index+1)
	le.PutUint64(b[8:], r.Entry)
	le.PutUint64(b[16:], r.G)
	le.PutUint64(b[24:], r.X)
	le.PutUint16(b[32:], uint16(r.Kind))
	le.PutUint16(b[34:], uint16(r.P))
	le.PutUint32(b[36:], uint32(r.M))
	for i, v := range r.F {
		le.PutUint32(b[40+4*i:], uint32(v))
	}
	return b
}

func header() []byte {
	b := make([]byte, RecordSize)
	copy(b, "GEXITRC1")
	le := binary.LittleEndian
	le.PutUint32(b[8:], FormatVersion)
	le.PutUint32(b[12:], RecordSize)
	le.PutUint32(b[16:], RingRecords)
	le.PutUint32(b[20:], 4242)
	le.PutUint32(b[24:], 2048)
	le.PutUint32(b[28:], 2)
	le.PutUint32(b[40:], uint32(numKinds-1))
	return b
}

func marker(kind Kind, reserved, written, lost uint64) []byte {
	b := make([]byte, RecordSize)
	le := binary.LittleEndian
	le.PutUint64(b[8:], reserved)
	le.PutUint64(b[16:], written)
	le.PutUint64(b[24:], lost)
	le.PutUint16(b[32:], uint16(kind))
	return b
}

// history builds a clean history: Gs created, exiting, spilling from P0
// at 64, refilled on P1, reused; a trip through the global run queue; a
// GC moving the global stack list to noStack.
type history struct {
	recs  []Record
	goid  uint64
	local map[int16]int32
	gs, g int32 // global stack list size, noStack size
	runq  int32
	free  map[int16][]uint64 // LIFO per P
	glob  []uint64
}

func newHistory() *history {
	return &history{goid: 1, local: map[int16]int32{}, free: map[int16][]uint64{}}
}

func (h *history) add(r Record) {
	r.Index = uint64(len(h.recs))
	h.recs = append(h.recs, r)
}

func (h *history) create(p int16, g uint64) {
	from := int32(0)
	if g != 0 {
		h.add(Record{Kind: KMalg, P: p, G: g, F: [6]int32{2048}})
	} else {
		n := len(h.free[p])
		g = h.free[p][n-1]
		h.free[p] = h.free[p][:n-1]
		h.local[p]--
		from = 1
	}
	h.add(Record{Kind: KNewproc1, P: p, G: g, X: h.goid, F: [6]int32{from, h.local[p], 2048, 2048, 1}})
	h.goid++
}

func (h *history) exit(p int16, g uint64) {
	h.add(Record{Kind: KGdestroy, P: p, G: g, X: 9, F: [6]int32{2048, 0, 0, 0, 0, 6}})
	h.local[p]++
	h.free[p] = append(h.free[p], g)
	h.add(Record{Kind: KGfput, P: p, G: g, X: 9, F: [6]int32{2048, 2048, h.local[p], 0}})
	if h.local[p] >= 64 {
		moved := h.local[p] - 31
		h.local[p] = 31
		h.gs += moved
		// gfput pops the local head (the last pushed) into a queue whose
		// head ends as the global list's: the first popped is deepest.
		spilled := h.free[p][31:]
		for i := len(spilled) - 1; i >= 0; i-- {
			h.glob = append(h.glob, spilled[i])
		}
		h.free[p] = h.free[p][:31]
		h.add(Record{Kind: KGfputSpill, P: p, F: [6]int32{moved, 0, h.local[p], h.gs, h.g}})
	}
}

func (h *history) refill(p int16) {
	moved := min(h.gs, 32)
	h.gs -= moved
	h.local[p] += moved
	// Each G popped off the global head is pushed at the local head.
	for i := int32(0); i < moved; i++ {
		n := len(h.glob)
		h.free[p] = append(h.free[p], h.glob[n-1])
		h.glob = h.glob[:n-1]
	}
	h.add(Record{Kind: KGfgetRefill, P: p, F: [6]int32{moved, 0, h.local[p], h.gs, h.g}})
}

func cleanHistory() []Record {
	h := newHistory()
	var gs []uint64
	for i := 0; i < 80; i++ {
		g := uint64(0xc000100000 + i*0x200)
		gs = append(gs, g)
		h.create(0, g)
	}
	for _, g := range gs {
		h.exit(0, g)
	}
	// A P with an empty list refills from the global lists.
	h.refill(1)
	for i := 0; i < 5; i++ {
		h.create(1, 0)
	}
	// The global run queue.
	h.add(Record{Kind: KGlobrunqput, P: 1, G: gs[0], F: [6]int32{1, 1}})
	h.add(Record{Kind: KGlobrunqputbatch, P: 1, G: gs[1], F: [6]int32{3, 4}})
	// With GOMAXPROCS 2 globrunqgetbatch takes min(128, 4, 4/2+1) = 3.
	h.add(Record{Kind: KGlobrunqgetbatch, P: 0, G: gs[0], F: [6]int32{3, 1}})
	h.add(Record{Kind: KGlobrunqget, P: 0, G: gs[2], F: [6]int32{1, 0}})
	// GC: the global stack list moves to noStack.
	h.add(Record{Kind: KGCFreeTake, P: 0, F: [6]int32{h.gs, 0, 0, 0, h.g}})
	h.add(Record{Kind: KGCFreePut, P: 0, F: [6]int32{h.gs, 0, 0, 0, h.g + h.gs}})
	// A lock-free op with an entry stamp.
	h.add(Record{Kind: KRunqput, P: 0, G: gs[3], Entry: uint64(len(h.recs)) - 2, F: [6]int32{1, 0, 1, 0}})
	return h.recs
}

func fileBytes(recs []Record, trailer bool) []byte {
	out := header()
	for _, r := range recs {
		out = append(out, encode(r)...)
	}
	if trailer {
		out = append(out, marker(KindTrailer, uint64(len(recs)), uint64(len(recs)), 0)...)
	}
	return out
}

// TestReadFileMatchesDecode: ReadFile reads a file in 1 MiB chunks; a
// file of several chunks (records crossing their boundaries, a loss
// marker and the trailer) reads as Decode of its bytes does, and the
// files Decode refuses (torn, records after the trailer, empty, no
// header) ReadFile refuses with the same error.
func TestReadFileMatchesDecode(t *testing.T) {
	var recs []Record
	for len(recs) < 40_000 { // 2.5 MiB
		for _, r := range cleanHistory() {
			r.Index = uint64(len(recs))
			recs = append(recs, r)
		}
	}
	good := fileBytes(recs, false)
	good = append(good, marker(KindLoss, 5, 4, 1)...)
	good = append(good, marker(KindTrailer, uint64(len(recs)), uint64(len(recs)), 1)...)
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"good":    good,
		"torn":    good[:len(good)-10],
		"after":   append(append([]byte{}, good...), encode(recs[0])...),
		"empty":   {},
		"short":   []byte("GEXITRC1"),
		"foreign": append([]byte("GEXITRC9"), good[8:]...),
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		want, werr := Decode(data)
		got, gerr := ReadFile(path)
		if (werr == nil) != (gerr == nil) || werr != nil && gerr.Error() != path+": "+werr.Error() {
			t.Errorf("%s: ReadFile %v, Decode %v", name, gerr, werr)
			continue
		}
		if werr != nil {
			continue
		}
		got.Path = ""
		if !reflect.DeepEqual(got.Header, want.Header) || !reflect.DeepEqual(got.Trailer, want.Trailer) ||
			!reflect.DeepEqual(got.Losses, want.Losses) || got.Settled != want.Settled || !slices.Equal(got.Records, want.Records) {
			t.Errorf("%s: ReadFile and Decode differ: %d and %d records", name, len(got.Records), len(want.Records))
		}
		if name == "good" && (len(got.Records) != len(recs) || got.Lost() != 1 || len(got.Losses) != 1) {
			t.Errorf("good: %d records, lost %d, %d loss markers", len(got.Records), got.Lost(), len(got.Losses))
		}
	}
}

func TestDecodeRoundTrip(t *testing.T) {
	recs := cleanHistory()
	f, err := Decode(fileBytes(recs, true))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != len(recs) || f.Settled != len(recs) || f.Trailer == nil || f.Lost() != 0 {
		t.Fatalf("decoded %d records (%d settled), trailer %v, lost %d", len(f.Records), f.Settled, f.Trailer, f.Lost())
	}
	for i := range recs {
		if f.Records[i] != recs[i] {
			t.Fatalf("record %d: %v, want %v", i, f.Records[i], recs[i])
		}
	}
	if f.Header.Pid != 4242 || f.Header.StartingStackSize != 2048 {
		t.Errorf("header %+v", f.Header)
	}
	if v, ok := recs[len(recs)-1].Field("tailAfter"); !ok || v != 1 {
		t.Errorf("Field(tailAfter) = %d, %v", v, ok)
	}
	if s := recs[len(recs)-1].String(); !strings.Contains(s, "runqput") || !strings.Contains(s, "how=ring") {
		t.Errorf("String() = %q", s)
	}
}

func TestDecodeSortsAndSettles(t *testing.T) {
	recs := cleanHistory()[:10]
	// The drain wrote around index 4, still being written; then 4 came.
	order := []int{0, 1, 2, 3, 5, 6, 7, 4, 8, 9}
	var shuffled []Record
	for _, i := range order {
		shuffled = append(shuffled, recs[i])
	}
	f, err := Decode(fileBytes(shuffled, false))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range f.Records {
		if r.Index != uint64(i) {
			t.Fatalf("not sorted: position %d holds index %d", i, r.Index)
		}
	}
	if f.Settled != 10 {
		t.Errorf("settled %d, want 10", f.Settled)
	}
	// Index 4 never came: the history is settled up to it.
	f, err = Decode(fileBytes(append(append([]Record{}, recs[:4]...), recs[5:]...), false))
	if err != nil {
		t.Fatal(err)
	}
	if f.Settled != 4 || len(f.Records) != 9 {
		t.Errorf("settled %d of %d, want 4 of 9", f.Settled, len(f.Records))
	}
}

func TestDecodeRejects(t *testing.T) {
	good := fileBytes(cleanHistory()[:5], true)
	cases := map[string][]byte{
		"not a gexit record file":   append([]byte("GEXITRC9"), good[8:]...),
		"torn record":               good[:len(good)-10],
		"records after the trailer": append(append([]byte{}, good...), encode(Record{Index: 5, Kind: KStopm, P: -1})...),
		"written twice":             append(fileBytes(cleanHistory()[:5], false), encode(cleanHistory()[3])...),
		"an empty record file":      {},
	}
	bad := append([]byte{}, good...)
	binary.LittleEndian.PutUint32(bad[8:], FormatVersion+1)
	cases["record format version"] = bad
	bad = append([]byte{}, good...)
	binary.LittleEndian.PutUint32(bad[40:], uint32(numKinds)) // a runtime side newer than this gexit
	cases["probe kinds"] = bad
	// A runtime side that knew fewer kinds (an older recording: kinds
	// are only appended) is read; a record of a kind beyond them is a
	// consistency problem.
	older := append([]byte{}, good...)
	binary.LittleEndian.PutUint32(older[40:], uint32(numKinds)-2)
	if f, err := Decode(older); err != nil {
		t.Errorf("a recording whose runtime side knew one kind fewer: %v", err)
	} else if probs := Consistency(f); len(probs) != 0 {
		t.Errorf("a recording whose runtime side knew one kind fewer: %v", probs)
	}
	top := Kind(0)
	for _, r := range cleanHistory()[:5] {
		top = max(top, r.Kind)
	}
	binary.LittleEndian.PutUint32(older[40:], uint32(top)-1)
	if f, err := Decode(older); err != nil {
		t.Errorf("a recording whose runtime side knew %d kinds: %v", top-1, err)
	} else if probs := strings.Join(Consistency(f), "\n"); !strings.Contains(probs, "beyond the") {
		t.Errorf("a record of kind %d from a runtime side that knew %d: %q", top, top-1, probs)
	}
	for want, data := range cases {
		if _, err := Decode(data); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: have %v", want, err)
		}
	}
}

func TestDecodeLossMarkers(t *testing.T) {
	data := header()
	for _, r := range cleanHistory()[:3] {
		data = append(data, encode(r)...)
	}
	data = append(data, marker(KindLoss, 10, 3, 7)...)
	f, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if f.Trailer != nil || f.Lost() != 7 || len(f.Records) != 3 {
		t.Errorf("trailer %v, lost %d, records %d", f.Trailer, f.Lost(), len(f.Records))
	}
	// The trailer's count of probe calls on Ps that are not the
	// scheduler's (bytes 48-55).
	tr := marker(KindTrailer, 10, 3, 7)
	binary.LittleEndian.PutUint64(tr[48:], 65280)
	binary.LittleEndian.PutUint64(tr[56:], 12) // and past the file's cap
	if f, err = Decode(append(data, tr...)); err != nil {
		t.Fatal(err)
	}
	if f.Trailer == nil || f.Outside() != 65280 || f.Capped() != 12 || f.Lost() != 7 {
		t.Errorf("trailer %+v, outside %d, capped %d", f.Trailer, f.Outside(), f.Capped())
	}
}

func TestConsistencyPassesCleanHistory(t *testing.T) {
	f, err := Decode(fileBytes(cleanHistory(), true))
	if err != nil {
		t.Fatal(err)
	}
	if probs := Consistency(f); len(probs) != 0 {
		t.Fatalf("a clean history has problems:\n%s", strings.Join(probs, "\n"))
	}
}

// Every planted inconsistency must be reported.
func TestConsistencyCatchesPlantedBugs(t *testing.T) {
	find := func(recs []Record, k Kind, nth int) int { return findKind(t, recs, k, nth) }
	cases := []struct {
		name  string
		plant func([]Record) []Record
		want  string
	}{
		{"gfput size off by one", func(r []Record) []Record { r[find(r, KGfput, 3)].F[2]++; return r },
			"the P's free list size after gfput"},
		{"spill moves the wrong count", func(r []Record) []Record { r[find(r, KGfputSpill, 0)].F[3] += 2; return r },
			"sched.gFree.stack.size"},
		{"a gfput record missing", func(r []Record) []Record {
			i := find(r, KGfput, 10)
			r = append(r[:i:i], r[i+1:]...)
			for j := i; j < len(r); j++ {
				r[j].Index--
			}
			return r
		}, "the records before say"},
		{"goid reused", func(r []Record) []Record { r[find(r, KNewproc1, 7)].X = r[find(r, KNewproc1, 2)].X; return r },
			"goid 3 reused"},
		{"G put twice", func(r []Record) []Record {
			r[find(r, KGfput, 5)].G = r[find(r, KGfput, 4)].G
			return r
		}, "gfput of a G already on a free list"},
		{"malg returns a known G", func(r []Record) []Record { r[find(r, KMalg, 9)].G = r[find(r, KMalg, 1)].G; return r },
			"malg returned a G address seen before"},
		{"gfget of a live G", func(r []Record) []Record { r[find(r, KNewproc1, 82)].G = 0xdead000; return r },
			"gfget returned a G that is not on a free list"},
		{"global run queue size", func(r []Record) []Record { r[find(r, KGlobrunqget, 0)].F[1] = 1; return r },
			"sched.runq.size"},
		{"GC puts back more than it took", func(r []Record) []Record { r[find(r, KGCFreePut, 0)].F[0]++; return r },
			"the Gs markrootFreeGStacks puts back"},
		{"entry after exit", func(r []Record) []Record { r[find(r, KRunqput, 0)].Entry = 1 << 40; return r },
			"entry stamp"},
		{"entry stamp on a locked op", func(r []Record) []Record { r[find(r, KGlobrunqput, 0)].Entry = 1; return r },
			"an entry stamp on a kind that takes none"},
		{"unknown kind", func(r []Record) []Record { r[3].Kind = 999; return r }, "unknown kind 999"},
		{"unused field set", func(r []Record) []Record { r[find(r, KMalg, 0)].F[5] = 1; return r }, "unused field f"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Decode(fileBytes(c.plant(cleanHistory()), false))
			if err != nil {
				t.Fatal(err)
			}
			probs := Consistency(f)
			if !strings.Contains(strings.Join(probs, "\n"), c.want) {
				t.Errorf("want a problem with %q, have:\n%s", c.want, strings.Join(probs, "\n"))
			}
		})
	}
	// The trailer's count must match the file.
	data := fileBytes(cleanHistory(), false)
	data = append(data, marker(KindTrailer, 10000, 3, 0)...)
	f, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if probs := Consistency(f); !strings.Contains(strings.Join(probs, "\n"), "the trailer says 3 records were written") {
		t.Errorf("trailer mismatch not reported: %v", probs)
	}
}

// findKind is the index of the nth (from 0) record of kind k.
func findKind(t *testing.T, recs []Record, k Kind, nth int) int {
	t.Helper()
	for i, r := range recs {
		if r.Kind == k {
			if nth == 0 {
				return i
			}
			nth--
		}
	}
	t.Fatalf("no %s #%d", k, nth)
	return -1
}

// recordsVerdict is what collect concludes of a process's records: a
// Consistency problem is a violation, else the spec judge's verdict.
func recordsVerdict(f *File) (Verdict, []string) {
	if probs := Consistency(f); len(probs) > 0 {
		return Violation, probs
	}
	j := SpecJudgeEvery(1)(f)
	return j.Verdict, j.Problems
}

// recordsFile is a file of recs under the given GOMAXPROCS.
func recordsFile(procs uint32, recs []Record) *File {
	for i := range recs {
		recs[i].Index = uint64(i)
	}
	return &File{Header: Header{StartingStackSize: 2048, GOMAXPROCS: procs, Kinds: uint32(numKinds - 1)}, Records: recs, Settled: len(recs)}
}

// TestConsistencyRecordsOnThePsTheProcessHas: every record names a P the
// process has: below the header's GOMAXPROCS, then below what the last
// procresize left; inside a procresize, only its entry, p.destroy and
// gfpurge name the Ps it destroys, in procresize's order.
func TestConsistencyRecordsOnThePsTheProcessHas(t *testing.T) {
	// A history under GOMAXPROCS 4 that procresize shrinks to 2, entered
	// on P3 (the M's P, which procresize releases for allp[0]).
	const g1, g3, g4 = 0xc000100000, 0xc000100200, 0xc000100400
	resize := []Record{
		{Kind: KProcresize, P: 3, M: 0, F: [6]int32{4, 2, 0}},
		{Kind: KPDestroy, P: 2, M: 0},
		{Kind: KGfpurge, P: 2, M: 0},
		{Kind: KPDestroy, P: 3, M: 0},
		{Kind: KCheckdead, P: -1, M: 5, F: [6]int32{0, 1, 0}}, // an M without a P (sysmon) meanwhile
		{Kind: KGfpurge, P: 3, M: 0},
		{Kind: KProcresize, P: 0, M: 0, F: [6]int32{4, 2, 1}},
	}
	build := func(edit func(resize []Record) []Record, after func(h *history)) []Record {
		h := newHistory()
		h.add(Record{Kind: KProcresize, P: -1, M: 0, F: [6]int32{0, 4, 0}})
		h.add(Record{Kind: KProcresize, P: 0, M: 0, F: [6]int32{0, 4, 1}})
		h.create(0, g1)
		h.create(3, g3)
		h.exit(3, g3)
		h.create(3, 0)
		for _, r := range edit(slices.Clone(resize)) {
			h.add(r)
		}
		if after != nil {
			after(h)
		}
		return h.recs
	}
	same := func(r []Record) []Record { return r }
	if v, probs := recordsVerdict(recordsFile(4, build(same, func(h *history) { h.create(1, g4) }))); v != OK {
		t.Fatalf("control: procresize from 4 to 2 Ps, then a G on P1: %s\n%s", v, strings.Join(probs, "\n"))
	}
	moved := cleanHistory()
	for i := range moved {
		if moved[i].P == 1 {
			moved[i].P = 5
		}
	}
	for _, tc := range []struct {
		name  string
		procs uint32
		recs  []Record
		want  string
	}{
		{"P5 under GOMAXPROCS 2, no procresize", 2, moved, "a record on P5, but the process has 2 Ps"},
		{"newproc1 and gfput on a P procresize destroyed", 4, build(same, func(h *history) { h.create(3, g4); h.exit(3, g4) }),
			"a record on P3, but the process has 2 Ps"},
		{"a destroyed P's record inside procresize", 4, build(func(r []Record) []Record {
			return slices.Insert(r, 4, Record{Kind: KWakep, P: 3, M: 0, F: [6]int32{2}})
		}, nil), "a record on P3 during procresize from 4 to 2 Ps"},
		{"p.destroy out of order", 4, build(func(r []Record) []Record {
			r[1].P, r[2].P, r[3].P, r[5].P = 3, 3, 2, 2
			return r
		}, nil), "p.destroy of P3; procresize from 4 to 2 Ps destroys P2..P3 in order, next P2"},
		{"a P left undestroyed", 4, build(func(r []Record) []Record { return slices.Delete(r, 3, 6) }, nil),
			"ends with P3..P3 not destroyed"},
		{"p.destroy outside procresize", 4, build(same, func(h *history) { h.add(Record{Kind: KPDestroy, P: 1}) }),
			"p.destroy outside procresize"},
		{"gfpurge of a P not destroyed", 4, build(func(r []Record) []Record { r[2].P = 1; return r }, nil),
			"gfpurge of P1, not the P procresize's p.destroy destroys (P2)"},
		{"procresize ends on a destroyed P", 4, build(func(r []Record) []Record { r[6].P = 3; return r }, nil),
			"procresize ends on P3, not one of its 2 Ps"},
		{"procresize from another gomaxprocs", 4, build(func(r []Record) []Record { r[0].F[0], r[6].F[0] = 3, 3; return r }, nil),
			"procresize's old gomaxprocs is 3; the last procresize left 4"},
		{"procresize entered twice", 4, build(func(r []Record) []Record { return slices.Insert(r, 1, r[0]) }, nil),
			"procresize entered again"},
		{"records before schedinit's procresize", 4, append([]Record{{Kind: KWakep, P: 1, F: [6]int32{2}}}, build(same, nil)...),
			"procresize from 0 Ps (schedinit's, before any P exists) is not the history's first record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := recordsFile(tc.procs, tc.recs)
			wantConsistencyViolation(t, f, tc.want)
		})
	}
}

// wantConsistencyViolation requires Consistency to report a problem
// naming want, and the file's verdict to be a violation.
func wantConsistencyViolation(t *testing.T, f *File, want string) {
	t.Helper()
	probs := Consistency(f)
	if !strings.Contains(strings.Join(probs, "\n"), want) {
		t.Fatalf("want a problem with %q, have:\n%s", want, strings.Join(probs, "\n"))
	}
	if v, _ := recordsVerdict(f); v != Violation {
		t.Errorf("verdict %s, want violation", v)
	}
}

// TestConsistencyNewproc1FollowsItsMalg: newproc1's malg path (gfget
// found nothing) is recorded right after its newproc1.malg record, on the
// same M, naming the same G and P, with at most the goid batch between;
// a newproc1 of the malg path naming a live G without one is a violation.
func TestConsistencyNewproc1FollowsItsMalg(t *testing.T) {
	const g1, g2, g3 = 0xc000100000, 0xc000100200, 0xc000100400
	// Control: the goid batch between, and another M's records meanwhile.
	h := newHistory()
	h.create(0, g1)
	h.add(Record{Kind: KMalg, P: 0, M: 0, G: g2, F: [6]int32{2048}})
	h.add(Record{Kind: KMalg, P: 1, M: 1, G: g3, F: [6]int32{2048}})
	h.add(Record{Kind: KGoidBatch, P: 0, M: 0, X: 17, F: [6]int32{16}})
	h.add(Record{Kind: KNewproc1, P: 1, M: 1, G: g3, X: h.goid, F: [6]int32{0, 0, 2048, 2048, 1}})
	h.add(Record{Kind: KNewproc1, P: 0, M: 0, G: g2, X: 17, F: [6]int32{0, 0, 2048, 2048, 1}})
	// An M id past the table of M ids (maxTrackedM) is followed too.
	h.add(Record{Kind: KMalg, P: 1, M: 1 << 20, G: g3 + 0x200, F: [6]int32{2048}})
	h.add(Record{Kind: KNewproc1, P: 1, M: 1 << 20, G: g3 + 0x200, X: h.goid + 1, F: [6]int32{0, 0, 2048, 2048, 1}})
	if v, probs := recordsVerdict(recordsFile(2, h.recs)); v != OK {
		t.Fatalf("control: %s\n%s", v, strings.Join(probs, "\n"))
	}
	for _, tc := range []struct {
		name string
		edit func(h *history)
		want string
	}{
		{"newproc1's malg path names a live G, no malg record", func(h *history) {
			h.add(Record{Kind: KNewproc1, P: 0, G: g1, X: h.goid, F: [6]int32{0, 0, 2048, 2048, 1}})
		}, "newproc1 took the malg path (gfget found nothing) without a newproc1.malg record just before on M0"},
		{"the malg record on another M", func(h *history) {
			h.add(Record{Kind: KMalg, P: 0, M: 1, G: g2, F: [6]int32{2048}})
			h.add(Record{Kind: KNewproc1, P: 0, M: 0, G: g2, X: h.goid, F: [6]int32{0, 0, 2048, 2048, 1}})
		}, "without a newproc1.malg record just before on M0"},
		{"the malg record of another G", func(h *history) {
			h.add(Record{Kind: KMalg, P: 0, G: g2, F: [6]int32{2048}})
			h.add(Record{Kind: KNewproc1, P: 0, G: g1, X: h.goid, F: [6]int32{0, 0, 2048, 2048, 1}})
		}, "but the malg record just before (#2) made G 0xc000100200 on P0"},
		{"a malg record without its newproc1", func(h *history) {
			h.add(Record{Kind: KMalg, P: 0, G: g2, F: [6]int32{2048}})
			h.exit(0, g1)
		}, "M0's newproc1.malg record #2 (G 0xc000100200) is not followed by its newproc1"},
		{"a malg record without its newproc1 on a large M id", func(h *history) {
			h.add(Record{Kind: KMalg, P: 0, M: 1 << 20, G: g2, F: [6]int32{2048}})
			h.add(Record{Kind: KWakep, P: 1, M: 1 << 20, F: [6]int32{2}})
		}, "M1048576's newproc1.malg record #2 (G 0xc000100200) is not followed by its newproc1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHistory()
			h.create(0, g1)
			tc.edit(h)
			f := recordsFile(2, h.recs)
			wantConsistencyViolation(t, f, tc.want)
		})
	}
}

// TestLossMarkerNotHiddenByTrailer: the drains' counters only grow, so a
// trailer (or later marker) below an earlier loss marker is a corrupt
// file; the counters the file reports are the largest, and a process
// whose loss marker reported lost records is unknown, whatever its
// trailer says.
func TestLossMarkerNotHiddenByTrailer(t *testing.T) {
	recs := cleanHistory()
	n := uint64(len(recs))
	file := func(lossLost, trailerLost uint64) []byte {
		data := fileBytes(recs, false)
		data = append(data, marker(KindLoss, 10, 9, lossLost)...)
		return append(data, marker(KindTrailer, n, n, trailerLost)...)
	}
	// Control: the trailer carries the marker's count on.
	f, err := Decode(file(3, 3))
	if err != nil {
		t.Fatal(err)
	}
	if probs := Consistency(f); len(probs) != 0 || f.Lost() != 3 {
		t.Fatalf("control: lost %d, problems %q", f.Lost(), probs)
	}
	f, err = Decode(file(3, 0))
	if err != nil {
		t.Fatal(err)
	}
	if f.Lost() != 3 {
		t.Errorf("a loss marker says 3 lost, the trailer 0: Lost() = %d, want 3", f.Lost())
	}
	if probs := strings.Join(Consistency(f), "\n"); !strings.Contains(probs, "the trailer counts 0 lost, below the 3 of loss marker 1") {
		t.Errorf("the trailer below the loss marker not reported: %q", probs)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "4242.gexit"), file(3, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &RunResult{Coverage: map[string]int{}}
	if v := collect(r, dir, 4242, Options{Judge: SpecJudge}); v != Unknown || r.Processes[0].Lost != 3 ||
		!strings.Contains(strings.Join(r.Problems, "\n"), "3 records could not be kept") {
		t.Errorf("verdict %s, lost %d, problems %q; want unknown with 3 lost", v, r.Processes[0].Lost, r.Problems)
	}
}
