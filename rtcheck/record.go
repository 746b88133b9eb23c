package rtcheck

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// RecordSize is the size of one record (and of the header) in bytes.
const RecordSize = 64

// Record is one decoded probe record.
//
// Layout (little endian, 64 bytes):
//
//	0  seq    uint64  index+1: the commit mark; Index = seq-1 is the exit stamp
//	8  entry  uint64  records reserved when the operation began (Kind.Entry), else 0
//	16 g      uint64  a G's address (G structs are never freed: a stable identity)
//	24 x      uint64  a goid, or a second G's address (see KindInfo.X)
//	32 kind   uint16
//	34 p      int16   a P id, -1 none (see KindInfo.P)
//	36 m      int32   the recording M's id, -1 none
//	40 a..f   6 x int32, named per kind (KindInfo.Fields)
//
// Index orders the records of a process totally: each is reserved by a CAS
// on one counter after the operation's effect and, for operations done
// under a lock (free lists, sched.runq) or by a P's owner, before the lock
// is released or the P changes hands, so the order of those operations is
// exact. Lock-free run-queue operations also carry Entry: an operation A
// finished before B began whenever A.Index < B.Entry; otherwise they
// overlap. These are the call and return points a linearizability check
// needs.
type Record struct {
	Index uint64
	Entry uint64
	G     uint64
	X     uint64
	Kind  Kind
	P     int16
	M     int32
	F     [6]int32
}

// Field returns the value of the field named name (KindInfo.Fields) and
// whether the kind has it.
func (r Record) Field(name string) (int32, bool) {
	info, ok := r.Kind.Info()
	if !ok {
		return 0, false
	}
	for i, n := range info.Fields {
		if n == name {
			return r.F[i], true
		}
	}
	return 0, false
}

// Code is the branch code in field a, named (KindInfo.Codes), or "".
func (r Record) Code() string {
	info, ok := r.Kind.Info()
	if !ok || info.Codes == nil {
		return ""
	}
	if s, ok := info.Codes[r.F[0]]; ok {
		return s
	}
	return fmt.Sprintf("code(%d)", r.F[0])
}

func (r Record) String() string {
	info, _ := r.Kind.Info()
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s", r.Index, r.Kind)
	if info.Entry {
		fmt.Fprintf(&b, " [%d,%d]", r.Entry, r.Index)
	}
	if r.P >= 0 {
		fmt.Fprintf(&b, " P%d", r.P)
	}
	if r.M >= 0 {
		fmt.Fprintf(&b, " M%d", r.M)
	}
	if info.G != "" && r.G != 0 {
		fmt.Fprintf(&b, " g=%#x", r.G)
	}
	if info.X != "" && r.X != 0 {
		if strings.Contains(info.X, "goid") {
			fmt.Fprintf(&b, " goid=%d", r.X)
		} else {
			fmt.Fprintf(&b, " x=%#x", r.X)
		}
	}
	for i, n := range info.Fields {
		if n == "" {
			continue
		}
		if i == 0 && info.Codes != nil {
			fmt.Fprintf(&b, " %s=%s", n, r.Code())
			continue
		}
		fmt.Fprintf(&b, " %s=%d", n, r.F[i])
	}
	return b.String()
}

// Header is a record file's first 64 bytes.
type Header struct {
	Version           uint32
	RecordSize        uint32
	Ring              uint32 // the ring's size in records
	Pid               uint32
	StartingStackSize uint32 // at the file's opening
	GOMAXPROCS        uint32 // at the file's opening
	FixedStack        uint32
	RunqSize          uint32
	Kinds             uint32 // probe kinds the runtime side knows
}

// Trailer is what the final drain wrote: the history's end.
type Trailer struct {
	// Before is the records reserved when the final drain began, whose
	// writers it waits for (0 in a loss marker, and in files recorded
	// before the trailer carried it): a record below it not in the file
	// was never written, and the history has a hole.
	Before      uint64
	Reserved    uint64 // records reserved when the final drain ran
	Drained     uint64 // records written
	Lost        uint64 // records dropped: the ring was full
	DrainErrors uint64 // records a failed write lost
	// Outside counts probe calls on a P that is not one of the
	// scheduler's (made by new(p), as the runtime's own run-queue tests
	// do): not recorded.
	Outside uint64
	// Capped counts records past the file's cap (GEXIT_MAX_RECORDS):
	// consumed, not written.
	Capped uint64
	// ExitsMissing is how many exits (gdestroy calls, counted, not
	// recorded) had not reached gfput's probe when the marker was
	// written, when HasExitsMissing (files of an earlier gexit do not
	// carry it): at most one per P is between the two (Consistency).
	ExitsMissing    int32
	HasExitsMissing bool
}

// File is one process's decoded record file.
type File struct {
	Path    string
	Header  Header
	Records []Record
	// Trailer is nil when the process died before its final drain (killed
	// by a signal, or wedged): its history is a prefix, cut at its last
	// drain.
	Trailer *Trailer
	// Losses are the loss markers the drains wrote where they noticed
	// records dropped (ring full) or lost in a failed write.
	Losses []Trailer
	// Settled is the length of the prefix of Records whose indices are
	// 0, 1, 2, ... without a gap. Records after it follow a record that
	// was still being written when the process ended (its writer was
	// descheduled between reservation and commit): the history is exact
	// up to Settled, and the rest is its unsettled tail.
	Settled int
}

// Lost is the number of records that could not be kept, as far as the
// file tells.
func (f *File) Lost() uint64 {
	t := f.counters()
	return t.Lost + t.DrainErrors
}

// Outside is the number of probe calls on Ps that are not the
// scheduler's (Trailer.Outside), as far as the file tells.
func (f *File) Outside() uint64 { return f.counters().Outside }

// Capped is the number of records not written because the file reached
// its cap (Trailer.Capped), as far as the file tells.
func (f *File) Capped() uint64 { return f.counters().Capped }

// counters are the file's counters: each the largest the loss markers
// and the trailer show. The runtime's counters only grow (gexitMark
// writes them), so the trailer's, else the last loss marker's (a process
// that died before its final drain), are the largest; a file whose later
// counters are below an earlier marker's is corrupt (Consistency reports
// it), and a loss a marker reported is not hidden by a smaller count
// after it.
func (f *File) counters() Trailer {
	var t Trailer
	marks := f.Losses
	if f.Trailer != nil {
		marks = append(marks[:len(marks):len(marks)], *f.Trailer)
	}
	for _, m := range marks {
		t.Reserved, t.Drained = max(t.Reserved, m.Reserved), max(t.Drained, m.Drained)
		t.Lost, t.DrainErrors = max(t.Lost, m.Lost), max(t.DrainErrors, m.DrainErrors)
		t.Outside, t.Capped = max(t.Outside, m.Outside), max(t.Capped, m.Capped)
	}
	return t
}

// ReadFile decodes a record file. It reads the file in chunks, never
// whole: a process of the runtime's own tests writes tens of millions of
// records, and the file's bytes beside its decoded records would double
// what a run holds.
func ReadFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var d decoder
	if st, err := fh.Stat(); err == nil && st.Size() > RecordSize {
		d.sizeHint = int(st.Size()/RecordSize) - 1
	}
	buf := make([]byte, 1<<20) // a multiple of RecordSize
	n := 0                     // bytes in buf not yet decoded
	for {
		m, err := io.ReadFull(fh, buf[n:])
		n += m
		whole := n - n%RecordSize
		if derr := d.feed(buf[:whole]); derr != nil {
			return nil, fmt.Errorf("%s: %v", path, derr)
		}
		n = copy(buf, buf[whole:n])
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	f, err := d.finish(n)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	f.Path = path
	return f, nil
}

func decodeRecord(b []byte) Record {
	le := binary.LittleEndian
	r := Record{
		Index: le.Uint64(b[0:]) - 1, Entry: le.Uint64(b[8:]), G: le.Uint64(b[16:]), X: le.Uint64(b[24:]),
		Kind: Kind(le.Uint16(b[32:])), P: int16(le.Uint16(b[34:])), M: int32(le.Uint32(b[36:])),
	}
	for i := range r.F {
		r.F[i] = int32(le.Uint32(b[40+4*i:]))
	}
	return r
}

// DecodeRecords decodes records as runtime.GexitRead returns them: whole
// 64-byte records, no header.
func DecodeRecords(data []byte) ([]Record, error) {
	if len(data)%RecordSize != 0 {
		return nil, fmt.Errorf("%d bytes is not a whole number of records", len(data))
	}
	out := make([]Record, 0, len(data)/RecordSize)
	for off := 0; off < len(data); off += RecordSize {
		out = append(out, decodeRecord(data[off:off+RecordSize]))
	}
	return out, nil
}

// Decode decodes the bytes of a record file. A torn final record (a
// process killed in a write) is an error.
func Decode(data []byte) (*File, error) {
	var d decoder
	whole := len(data) - len(data)%RecordSize
	if err := d.feed(data[:whole]); err != nil {
		return nil, err
	}
	return d.finish(len(data) - whole)
}

// decoder decodes a record file fed to it in pieces of whole records.
type decoder struct {
	f        *File
	sizeHint int  // records expected (the capacity reserved)
	ended    bool // the trailer was read
}

// feed decodes the next records, the header first.
func (d *decoder) feed(data []byte) error {
	le := binary.LittleEndian
	if d.f == nil {
		if len(data) == 0 {
			return nil
		}
		if string(data[:8]) != "GEXITRC1" {
			return fmt.Errorf("not a gexit record file (no GEXITRC1 header)")
		}
		h := Header{
			Version: le.Uint32(data[8:]), RecordSize: le.Uint32(data[12:]), Ring: le.Uint32(data[16:]),
			Pid: le.Uint32(data[20:]), StartingStackSize: le.Uint32(data[24:]), GOMAXPROCS: le.Uint32(data[28:]),
			FixedStack: le.Uint32(data[32:]), RunqSize: le.Uint32(data[36:]), Kinds: le.Uint32(data[40:]),
		}
		if h.Version != FormatVersion || h.RecordSize != RecordSize {
			return fmt.Errorf("record format version %d, record size %d: want version %d, size %d",
				h.Version, h.RecordSize, FormatVersion, RecordSize)
		}
		// Kinds are only ever appended (probes.go), so a recording whose
		// runtime side knew fewer reads as it was written; one that knew more
		// than this gexit does not (Consistency reports a record of a kind
		// beyond its runtime side's).
		if h.Kinds == 0 || h.Kinds > uint32(numKinds-1) {
			return fmt.Errorf("the runtime side knows %d probe kinds, this gexit %d", h.Kinds, numKinds-1)
		}
		d.f = &File{Header: h, Records: make([]Record, 0, max(d.sizeHint, len(data)/RecordSize-1))}
		data = data[RecordSize:]
	}
	f := d.f
	for off := 0; off < len(data); off += RecordSize {
		b := data[off : off+RecordSize]
		if d.ended {
			return fmt.Errorf("records after the trailer")
		}
		kind := Kind(le.Uint16(b[32:]))
		if kind == KindTrailer || kind == KindLoss {
			t := Trailer{Before: le.Uint64(b[0:]), Reserved: le.Uint64(b[8:]), Drained: le.Uint64(b[16:]),
				Lost: le.Uint64(b[24:]), DrainErrors: le.Uint64(b[40:]), Outside: le.Uint64(b[48:]), Capped: le.Uint64(b[56:]),
				ExitsMissing: int32(le.Uint32(b[36:])), HasExitsMissing: b[34]&1 != 0}
			if kind == KindLoss {
				f.Losses = append(f.Losses, t)
				continue
			}
			f.Trailer = &t
			d.ended = true
			continue
		}
		f.Records = append(f.Records, decodeRecord(b))
	}
	return nil
}

// finish ends the decoding; torn is the bytes left after the last whole
// record.
func (d *decoder) finish(torn int) (*File, error) {
	f := d.f
	if f == nil {
		if torn == 0 {
			// The file is opened, then its header written at once: a
			// process killed in between (a test's child killed as it
			// starts) leaves it empty.
			return nil, fmt.Errorf("an empty record file: the process ended before it wrote its header")
		}
		return nil, fmt.Errorf("not a gexit record file (no GEXITRC1 header)")
	}
	if torn != 0 {
		return nil, fmt.Errorf("torn record at the end (%d trailing bytes)", torn)
	}
	// The drains write around records still being written, so the file
	// is in index order only by runs: sort, and find the settled prefix.
	if !sort.SliceIsSorted(f.Records, func(i, j int) bool { return f.Records[i].Index < f.Records[j].Index }) {
		sort.Slice(f.Records, func(i, j int) bool { return f.Records[i].Index < f.Records[j].Index })
	}
	f.Settled = len(f.Records)
	for i, r := range f.Records {
		if i > 0 && r.Index == f.Records[i-1].Index {
			return nil, fmt.Errorf("record index %d written twice", r.Index)
		}
		if r.Index != uint64(i) && f.Settled == len(f.Records) {
			f.Settled = i
		}
	}
	return f, nil
}
