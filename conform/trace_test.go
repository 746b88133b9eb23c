package conform

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/exp/trace"
)

func TestBadInput(t *testing.T) {
	w, _ := LookupWorkload("spawn")
	rec, err := Record(w, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	good := rec.Trace
	corrupt := bytes.Clone(good)
	for i := len(corrupt) / 3; i < len(corrupt); i += 97 {
		corrupt[i] ^= 0x5a
	}
	garbageBody := append(bytes.Clone(good[:16]), bytes.Repeat([]byte{0xff}, 4096)...)
	cases := map[string][]byte{
		"empty":         {},
		"text":          []byte("this is not a trace\n"),
		"header only":   good[:16],
		"truncated 1/2": good[:len(good)/2],
		"truncated -1":  good[:len(good)-1],
		"corrupt":       corrupt,
		"garbage body":  garbageBody,
		"old version":   []byte("go 1.5 trace\x00\x00\x00\x00"),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := CheckTrace(bytes.NewReader(b))
			if err == nil {
				t.Fatalf("no error")
			}
			if !errors.Is(err, ErrNotTrace) {
				t.Errorf("error %v does not wrap ErrNotTrace", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error: %q", err)
			}
			t.Log(err)
		})
	}
	t.Run("file", func(t *testing.T) {
		name := filepath.Join(t.TempDir(), "bad.trace")
		os.WriteFile(name, good[:len(good)/2], 0o644)
		_, err := CheckFile(name)
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name the file", err)
		}
		if _, err := CheckFile(name + ".missing"); err == nil {
			t.Errorf("no error for a missing file")
		}
	})
}

// TestTestdata checks the committed traces and the facts they witness.
func TestTestdata(t *testing.T) {
	t.Run("locked-exit", func(t *testing.T) {
		rep, err := CheckFile("testdata/locked-exit-procs1.trace")
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() {
			t.Fatalf("%s", rep.Text(true))
		}
		if rep.LockedExits != 16 || rep.LockedExitMarks != 16 {
			t.Errorf("locked exits %d, marks %d, want 16", rep.LockedExits, rep.LockedExitMarks)
		}
		// Finding: the thread of a locked exit is not silent afterwards:
		// it hands off its P (ProcStop), sometimes after taking a P again,
		// all without running a goroutine.
		if rep.DeadThreadEvents <= rep.LockedExits {
			t.Errorf("goroutine-less events on dead threads: %d, expected more than one per locked exit", rep.DeadThreadEvents)
		}
	})
	t.Run("generations", func(t *testing.T) {
		rep, err := CheckFile("testdata/generations-procs2.trace")
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() {
			t.Fatalf("%s", rep.Text(true))
		}
		if rep.Generations < 2 || rep.Restatements == 0 || rep.Undetermined == 0 {
			t.Errorf("generations %d, re-statements %d, undetermined %d: want a boundary with re-statements",
				rep.Generations, rep.Restatements, rep.Undetermined)
		}
	})
}

func TestMetricsMismatch(t *testing.T) {
	w, _ := LookupWorkload("spawn")
	rec, err := Record(w, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := CheckTrace(bytes.NewReader(rec.Trace))
	if err != nil {
		t.Fatal(err)
	}
	if m := MetricsMismatch(rec, rep); m != "" {
		t.Fatalf("real run: %s", m)
	}
	if rec.MetricsCreated() < 4000 || rec.MetricsExited() < 4000 {
		t.Errorf("metrics saw %d created, %d exited; the workload makes 4000", rec.MetricsCreated(), rec.MetricsExited())
	}
	bad := *rec
	bad.After.Created++
	if MetricsMismatch(&bad, rep) == "" {
		t.Errorf("one extra creation in the metrics went unnoticed")
	}
	bad = *rec
	bad.After.Live++
	if MetricsMismatch(&bad, rep) == "" {
		t.Errorf("one missing exit in the metrics went unnoticed")
	}
}

// TestStartFuncCache: the converter's start functions, cached by creation
// stack, are those of the stacks themselves, across generations.
func TestStartFuncCache(t *testing.T) {
	b, err := os.ReadFile("testdata/generations-procs2.trace")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := trace.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var (
		cv               converter
		e                Event
		creations, syncs int
		funcs            = map[string]bool{}
	)
	for {
		ev, err := tr.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		cv.convert(&ev, &e)
		if e.Kind == KindSync {
			syncs++
		}
		if e.Kind != KindGo || GoState(e.From) != GoNotExist || GoState(e.To) == GoNotExist {
			if e.StartFunc != "" {
				t.Fatalf("%v: start function %q on a non-creation", ev, e.StartFunc)
			}
			continue
		}
		want := ""
		for f := range ev.StateTransition().Stack.Frames() {
			want = f.Func
		}
		if e.StartFunc != want {
			t.Fatalf("%v: start function %q, want %q", ev, e.StartFunc, want)
		}
		creations++
		funcs[want] = true
	}
	if syncs < 2 || creations < 100 || len(funcs) < 5 {
		t.Errorf("%d generations, %d creations, %d start functions: too few to test the cache", syncs, creations, len(funcs))
	}
}

// A traceBatch is one batch of a Go 1.26 trace: b[start:end] whole, its
// contents b[data:end] (data == end for the one-byte end of generation).
type traceBatch struct{ start, data, end int }

// traceBatches splits a Go 1.26 trace, after its 16-byte header, into
// its batches: EvEventBatch (1) or EvExperimentalBatch (49) with their
// uvarint header fields and contents, and EvEndOfGeneration (52).
func traceBatches(t *testing.T, b []byte) []traceBatch {
	t.Helper()
	var out []traceBatch
	for off := 16; off < len(b); {
		bt := traceBatch{start: off}
		switch b[off] {
		case 52:
			off++
			bt.data, bt.end = off, off
			out = append(out, bt)
			continue
		case 1:
			off++
		case 49:
			off += 2
		default:
			t.Fatalf("byte %d at %d starts no batch", b[off], off)
		}
		var size uint64
		for range 4 { // generation, thread, timestamp, size
			v, n := binary.Uvarint(b[off:])
			if n <= 0 {
				t.Fatalf("bad batch header at %d", bt.start)
			}
			size, off = v, off+n
		}
		bt.data, bt.end = off, off+int(size)
		off = bt.end
		out = append(out, bt)
	}
	return out
}

// TestDecodeErrorIsNotEnd: one flipped byte in a later generation's sync
// batch gives its clock snapshot's first uvarint one more continuation
// bit, and decoding the batch runs out inside an event. The reader
// returns that as the io.EOF of the byte reader itself, after the
// generation's Sync: what it returns at the end of a whole trace. The
// first generation alone was judged conformant as the whole trace.
// syncBatches are the sync batches of a trace of two generations or
// more, one per generation.
func syncBatches(t *testing.T, tr []byte) []traceBatch {
	t.Helper()
	var syncs []traceBatch
	for _, bt := range traceBatches(t, tr) {
		if bt.data < bt.end && tr[bt.data] == 50 { // EvSync
			syncs = append(syncs, bt)
		}
	}
	if len(syncs) < 2 {
		t.Fatalf("%d sync batches: want a second generation", len(syncs))
	}
	return syncs
}

func TestDecodeErrorIsNotEnd(t *testing.T) {
	const name = "testdata/generations-procs2.trace"
	good, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := CheckTrace(bytes.NewReader(good))
	if err != nil || !rep.OK() {
		t.Fatalf("control: %v %v", err, rep)
	}
	syncs := syncBatches(t, good)
	// The sync batch: EvSync, EvFrequency (8) and its uvarint,
	// EvClockSnapshot (51) and its uvarints.
	sb := syncs[1]
	i := sb.data + 1
	if good[i] != 8 {
		t.Fatalf("sync batch at %d: no frequency first", sb.start)
	}
	_, n := binary.Uvarint(good[i+1:])
	i += 1 + n
	if good[i] != 51 {
		t.Fatalf("sync batch at %d: no clock snapshot after the frequency", sb.start)
	}
	// A continuation bit on the last byte of its first uvarint: the
	// first two become one, and the fourth finds the batch's end.
	_, n = binary.Uvarint(good[i+1:])
	bad := bytes.Clone(good)
	bad[i+n] ^= 0x80

	// What the reader makes of it (not asserted: a reader that reports
	// the error would do as well).
	tr, err := trace.NewReader(bytes.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	events := 0
	for {
		_, err := tr.ReadEvent()
		if err != nil {
			t.Logf("reader: %d events, then %v", events, err)
			break
		}
		events++
	}

	rep, err = CheckTrace(bytes.NewReader(bad))
	if err == nil {
		t.Fatalf("a trace that breaks off in its second generation is accepted: %d events, %d generations, ok %v",
			rep.Events, rep.Generations, rep.OK())
	}
	if !errors.Is(err, ErrNotTrace) || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q: want one line wrapping ErrNotTrace", err)
	}
	t.Log(err)
	file := filepath.Join(t.TempDir(), "bad.trace")
	if err := os.WriteFile(file, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckFile(file); err == nil {
		t.Errorf("CheckFile accepts it")
	}
}

// TestDroppedBatch: a trace with one batch of events left out is either
// unreadable or not conformant. In testdata's generations-procs2.trace
// the reader reads two such traces: without the last generation's
// batch of the thread on which goroutine 31 leaves its syscall and
// exits (the trace ends with it in the syscall), and without the
// batch of statements that ends the last generation. Both were judged
// conformant.
func TestDroppedBatch(t *testing.T) {
	good, err := os.ReadFile("testdata/generations-procs2.trace")
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := CheckTrace(bytes.NewReader(good)); err != nil || !rep.OK() {
		t.Fatalf("control: %v %v", err, rep)
	}
	readable := 0
	for i, bt := range traceBatches(t, good) {
		if bt.data == bt.end {
			continue // the end of a generation
		}
		switch good[bt.data] {
		case 2, 4, 6, 50: // stacks, strings, CPU samples, sync: the reader needs them
			continue
		}
		bad := append(bytes.Clone(good[:bt.start]), good[bt.end:]...)
		tr, err := trace.NewReader(bytes.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		for err == nil {
			_, err = tr.ReadEvent()
		}
		if err != io.EOF {
			continue // the reader sees the loss
		}
		readable++
		rep, err := CheckTrace(bytes.NewReader(bad))
		if err == nil && rep.OK() {
			t.Errorf("batch %d (bytes %d-%d) left out: judged conformant", i, bt.start, bt.end)
			continue
		}
		t.Logf("batch %d left out: %v %v", i, err, rules(rep))
	}
	if readable < 2 {
		t.Errorf("%d readable traces with a batch left out, want the two this test is about", readable)
	}
}

// TestCutAfterSyncBatch: the reader reads a Go 1.26 trace cut right
// after a generation's sync batch, which holds no events, as a whole
// trace that ends before that generation; its last byte is not the end
// of a generation. A cut at the generation's start (a generation
// boundary) is indistinguishable from a whole trace and is judged on
// what it holds.
func TestCutAfterSyncBatch(t *testing.T) {
	good, err := os.ReadFile("testdata/generations-procs2.trace")
	if err != nil {
		t.Fatal(err)
	}
	syncs := syncBatches(t, good)
	cut := good[:syncs[1].end]
	tr, err := trace.NewReader(bytes.NewReader(cut))
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = tr.ReadEvent()
	}
	t.Logf("reader on the cut trace: %v", err)
	rep, err := CheckTrace(bytes.NewReader(cut))
	if err == nil {
		t.Fatalf("a trace cut after its second generation's sync batch is accepted: %d events, ok %v", rep.Events, rep.OK())
	}
	if !errors.Is(err, ErrNotTrace) {
		t.Errorf("error %v does not wrap ErrNotTrace", err)
	}
	t.Log(err)
	rep, err = CheckTrace(bytes.NewReader(good[:syncs[1].start]))
	t.Logf("cut at the generation boundary: %v, ok %v (not detectable)", err, err == nil && rep.OK())
	if rep, err := CheckTrace(bytes.NewReader(good)); err != nil || !rep.OK() {
		t.Fatalf("control: %v %v", err, rep)
	}
}
