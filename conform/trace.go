package conform

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/exp/trace"
)

// ErrNotTrace wraps every error that means the input is not a readable
// execution trace (empty, truncated, corrupt, unsupported version).
var ErrNotTrace = errors.New("not a readable Go execution trace")

// CheckTrace reads a Go 1.22+ execution trace from r and checks it. The
// error, if any, wraps ErrNotTrace; the checker's result so far is still
// returned with it when the trace broke off midway.
func CheckTrace(r io.Reader) (*Report, error) {
	c := NewChecker()
	err := Feed(c, r)
	return c.Report(), err
}

// CheckFile is CheckTrace on a file; errors name the file.
func CheckFile(name string) (*Report, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rep, err := CheckTrace(bufio.NewReaderSize(f, 1<<16))
	if err != nil {
		return rep, fmt.Errorf("%s: %w", name, err)
	}
	return rep, nil
}

// Feed reads the trace in r event by event into c. Panics of the reader on
// malformed input are turned into errors.
//
// The checker runs one event behind the reader: event i-1 is checked
// after event i is read and before it is converted. Converting an event
// (ev.StateTransition copies it whole) right after ReadEvent returned it
// waits on the stores that wrote it; checking in between hides that wait,
// which makes the whole about 10% faster than read, convert, check.
func Feed(c *Checker, r io.Reader) (err error) {
	var (
		evs     [2]trace.Event // the event just read, and the one before
		es      [2]Event       // their conversions
		pending = -1           // index of the event yet to be checked, or -1
	)
	defer func() {
		if p := recover(); p != nil {
			if i := pending; i >= 0 {
				pending = -1
				c.check(&es[i], &evs[i])
			}
			err = fmt.Errorf("%w: reader panic: %v", ErrNotTrace, p)
		}
	}()
	in := &inputEdges{r: r, last: -1}
	tr, err := trace.NewReader(in)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotTrace, err)
	}
	var cv converter
	n := 0
	for cur := 0; ; cur ^= 1 {
		var err error
		evs[cur], err = tr.ReadEvent()
		if i := pending; i >= 0 {
			pending = -1
			c.check(&es[i], &evs[i])
		}
		if err == io.EOF {
			if n == 0 {
				return fmt.Errorf("%w: no events (header only?)", ErrNotTrace)
			}
			return in.check(n)
		}
		if err != nil {
			return fmt.Errorf("%w: after %d events: %v", ErrNotTrace, n, err)
		}
		cv.convert(&evs[cur], &es[cur])
		if es[cur].Kind != KindSync {
			n++
		}
		pending = cur
	}
}

// inputEdges passes the trace's bytes to the reader and keeps what the
// checks of its end need: its header, its last byte, and whether the
// input ran out.
type inputEdges struct {
	r    io.Reader
	head []byte // the first 16 bytes: the header
	last int    // the last byte, or -1
	eof  bool   // r returned io.EOF
}

func (in *inputEdges) Read(p []byte) (int, error) {
	n, err := in.r.Read(p)
	if n > 0 {
		if k := min(16-len(in.head), n); k > 0 {
			in.head = append(in.head, p[:k]...)
		}
		in.last = int(p[n-1])
	}
	if err == io.EOF {
		in.eof = true
	}
	return n, err
}

// evEndOfGeneration is the byte that ends every generation of a Go 1.26
// trace (tracev2.EvEndOfGeneration).
const evEndOfGeneration = 52

// check is the error, if any, for a reader that ended cleanly after n
// events.
//
// The reader reads every generation up to the end of its input, so a
// clean end has read it all. But it returns the error of a generation
// it cannot decode from the ReadEvent after the generation's Sync, and
// that error is io.EOF itself when a batch's contents end inside an
// event (a uvarint read with nothing left: one flipped byte, a
// continuation bit on a sync batch's clock snapshot, did it): the same
// Sync, then io.EOF, as the end of a whole trace. That generation and
// all after it were dropped and the prefix judged as the whole trace.
// The reader buffers its input and asks for more only when it has used
// what it holds, so an input that never ran out was not read to its end.
//
// A Go 1.26 trace ends with the end of its last generation. The reader
// reads a generation cut right after its sync batch (which holds no
// events) as no generation at all, and so a trace cut there as a whole
// one; its last byte is not the end of a generation.
func (in *inputEdges) check(n int) error {
	if !in.eof {
		return fmt.Errorf("%w: the trace reader stopped after %d events with input left unread (a generation it could not decode reads as the end of the trace)", ErrNotTrace, n)
	}
	var v int
	if _, err := fmt.Sscanf(string(in.head), "go 1.%d trace", &v); err == nil && v >= 26 && in.last != evEndOfGeneration {
		return fmt.Errorf("%w: after %d events: the trace ends inside a generation (truncated)", ErrNotTrace, n)
	}
	return nil
}

// check feeds c the conversion e of ev, and gives the violations it finds
// ev's stack.
func (c *Checker) check(e *Event, ev *trace.Event) {
	before := c.rep.ViolationCount
	c.Feed(e)
	if c.rep.ViolationCount != before {
		c.SetStack(before, stackOf(ev))
	}
}

// A converter turns x/exp/trace events into Events. It remembers the start
// functions of the last few creation stacks, forgotten at each generation
// boundary (stack handles are per generation).
type converter struct {
	stacks [4]trace.Stack
	funcs  [4]string // funcs[i] is the outermost function of stacks[i]
	next   int
}

// convert fills e from ev without allocating. It calls ev.Kind once, and
// ev.StateTransition once for a state transition (the only way to learn
// its resource and states); stacks stay unmaterialized (stackOf builds
// them for violations).
func (cv *converter) convert(ev *trace.Event, e *Event) {
	e.Time = int64(ev.Time())
	e.G = int64(ev.Goroutine())
	e.P = int64(ev.Proc())
	e.M = int64(ev.Thread())
	e.Target = -1
	e.StartFunc = ""
	switch k := ev.Kind(); k {
	case trace.EventStateTransition:
		st := ev.StateTransition()
		switch st.Resource.Kind {
		case trace.ResourceGoroutine:
			from, to := st.Goroutine()
			e.Kind = KindGo
			e.Target = int64(st.Resource.Goroutine())
			e.From, e.To = uint8(from), uint8(to)
			e.Reason = ""
			if from == trace.GoRunning && to == trace.GoRunnable {
				e.Reason = st.Reason
			}
			if from == trace.GoNotExist && to != trace.GoNotExist {
				e.StartFunc = cv.startFunc(st.Stack)
			}
		case trace.ResourceProc:
			from, to := st.Proc()
			e.Kind = KindProc
			e.Target = int64(st.Resource.Proc())
			e.From, e.To = uint8(from), uint8(to)
		default:
			e.Kind = KindOther
		}
	case trace.EventLog:
		l := ev.Log()
		e.Kind = KindLog
		e.Category, e.Message = l.Category, l.Message
	case trace.EventSync:
		e.Kind = KindSync
		cv.stacks, cv.funcs = [4]trace.Stack{}, [4]string{}
	case trace.EventRangeBegin, trace.EventRangeEnd:
		e.Kind = KindOther
		if strings.HasPrefix(ev.Range().Name, "stop-the-world") {
			e.Kind = KindSTWBegin
			if k == trace.EventRangeEnd {
				e.Kind = KindSTWEnd
			}
		}
	default:
		e.Kind = KindOther
	}
}

// startFunc is the start function of a goroutine created with stack st
// (the new goroutine's starting stack): its outermost frame.
func (cv *converter) startFunc(st trace.Stack) string {
	for i := range cv.stacks {
		if cv.stacks[i] == st {
			return cv.funcs[i] // also NoStack, which the zero entries hold, with ""
		}
	}
	fn := ""
	for f := range st.Frames() {
		fn = f.Func
	}
	i := cv.next
	cv.next = (i + 1) % len(cv.stacks)
	cv.stacks[i], cv.funcs[i] = st, fn
	return fn
}

// stackOf is the stack reported with a violation: the transitioning
// goroutine's own stack when the trace has it, else the event's.
func stackOf(ev *trace.Event) []string {
	var st trace.Stack
	if ev.Kind() == trace.EventStateTransition {
		st = ev.StateTransition().Stack
	}
	if st == trace.NoStack {
		st = ev.Stack()
	}
	var out []string
	for f := range st.Frames() {
		out = append(out, fmt.Sprintf("%s %s:%d", f.Func, f.File, f.Line))
	}
	if out == nil {
		out = []string{}
	}
	return out
}
