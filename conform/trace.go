package conform

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

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
func Feed(c *Checker, r io.Reader) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: reader panic: %v", ErrNotTrace, p)
		}
	}()
	tr, err := trace.NewReader(r)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotTrace, err)
	}
	var e Event
	n := 0
	for {
		ev, err := tr.ReadEvent()
		if err == io.EOF {
			if n == 0 {
				return fmt.Errorf("%w: no events (header only?)", ErrNotTrace)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: after %d events: %v", ErrNotTrace, n, err)
		}
		convert(&ev, &e)
		if e.Kind != KindSync {
			n++
		}
		before := c.Violations()
		c.Feed(&e)
		if c.Violations() != before {
			c.SetStack(before, stackOf(&ev, &e))
		}
	}
}

// convert fills e from ev, without allocating and touching only the
// fields the checker reads for the event's kind.
func convert(ev *trace.Event, e *Event) {
	e.Kind = KindOther
	e.Time = int64(ev.Time())
	e.G = int64(ev.Goroutine())
	e.P = int64(ev.Proc())
	e.M = int64(ev.Thread())
	e.Target = -1
	e.Stack = nil
	if e.StartFunc != "" {
		e.StartFunc = ""
	}
	switch ev.Kind() {
	case trace.EventStateTransition:
		st := ev.StateTransition()
		switch st.Resource.Kind {
		case trace.ResourceGoroutine:
			from, to := st.Goroutine()
			e.Kind = KindGo
			e.Target = int64(st.Resource.Goroutine())
			e.From, e.To = uint8(from), uint8(to)
			if from == trace.GoNotExist && to != trace.GoNotExist {
				// The creation's stack is the new goroutine's start:
				// its outermost frame is the start function.
				for f := range st.Stack.Frames() {
					e.StartFunc = f.Func
				}
			}
		case trace.ResourceProc:
			from, to := st.Proc()
			e.Kind = KindProc
			e.Target = int64(st.Resource.Proc())
			e.From, e.To = uint8(from), uint8(to)
		}
	case trace.EventLog:
		l := ev.Log()
		e.Kind = KindLog
		e.Category, e.Message = l.Category, l.Message
	case trace.EventSync:
		e.Kind = KindSync
	}
}

// stackOf is the stack reported with a violation: the transitioning
// goroutine's own stack when the trace has it, else the event's.
func stackOf(ev *trace.Event, e *Event) []string {
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
