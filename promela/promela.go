// Package promela runs SPIN on gexit.pml, a Promela model of the same
// goroutine exit and reuse path that spec/ specifies, at the bound `gexit
// explore` uses by default, so that gexit's explorer and SPIN can be
// compared on one machine: distinct states, transitions and states per
// second. The model's header comment says what it models and what it
// leaves out; README.md gives the figures.
//
// SPIN and a C compiler are needed (apt-get install spin; gcc). Available
// reports whether they are on PATH.
package promela

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Model is gexit.pml's text.
//
//go:embed gexit.pml
var Model []byte

// Available reports whether spin and gcc are on PATH; the error says which
// is missing and how to install it.
func Available() error {
	if _, err := exec.LookPath("spin"); err != nil {
		return errors.New("spin not on PATH: apt-get install spin")
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		return errors.New("gcc not on PATH: apt-get install gcc")
	}
	return nil
}

// Options choose how the model is compiled and searched.
type Options struct {
	// Model is the Promela text to verify (nil: Model, gexit.pml).
	Model []byte
	// Gs is the bound on len(allgs), the model's NG (0: 3, the default
	// bound of gexit explore).
	Gs int
	// Ps and Ms are the model's NP (1 or 2) and NM (0: 2 each, the
	// default bound of gexit explore).
	Ps, Ms int
	// Reduce keeps SPIN's partial-order reduction on; false compiles
	// with -DNOREDUCE, the fair comparison with gexit's explorer, which
	// has none.
	Reduce bool
	// NoSymmetry compiles the model with -DNOSYM: the Gs are not
	// renamed into the spec's canonical order after each step, so SPIN
	// stores every labelling of them.
	NoSymmetry bool
	// Opt is gcc's optimization flag (""; -O2).
	Opt string
	// MaxDepth is pan's -m (0: 4,000,000; the default bound's DFS reached
	// a depth of 879,333 before sched.needspinning was modelled, and
	// reached 1,661,125 with findRunnable's runqputbatch a step of its
	// own, and reaches 770,520 since newproc1 makes its own goid batch
	// fetch).
	MaxDepth int
	// Reach compiles with -DREACH: a state pan meets again on a shorter
	// path is searched again, so that with a MaxDepth the search stores
	// exactly the states within MaxDepth-2 steps of the spec's initial
	// state (and SPIN's own before it), the states `gexit explore -depth
	// MaxDepth-2` finds. (Without it, a state first met deep and cut off
	// by the bound is not searched again when met shallower.)
	Reach bool
	// HashLog2 is pan's -w (0: pan's default).
	HashLog2 int
}

// Result is what pan reported.
type Result struct {
	States       int64   // "states, stored"
	Transitions  int64   // "transitions (= stored+matched)"
	Errors       int     // "errors: N"
	StateVector  int     // bytes
	Depth        int     // "depth reached"
	Seconds      float64 // pan's elapsed time
	MemoryMB     float64 // "total actual memory usage"
	CompileSecs  float64 // spin -a and gcc
	Wall         float64 // pan's run, measured around the process
	CPUSeconds   float64 // pan's user and system CPU time
	Incomplete   bool    // pan said the search was not exhaustive (max depth too small, out of memory)
	StatesPerSec float64 // States / Seconds (Wall when pan's clock says 0)
	Output       string  // pan's output
}

// Build writes the model into dir, generates the verifier (spin -a) and
// compiles it, and returns the path of the pan binary.
func Build(ctx context.Context, dir string, o Options) (string, error) {
	if err := Available(); err != nil {
		return "", err
	}
	text := o.Model
	if text == nil {
		text = Model
	}
	if err := os.WriteFile(filepath.Join(dir, "gexit.pml"), text, 0o644); err != nil {
		return "", err
	}
	var defs []string
	if o.Gs != 0 {
		defs = append(defs, "-DNG="+strconv.Itoa(o.Gs))
	}
	if o.Ps != 0 {
		defs = append(defs, "-DNP="+strconv.Itoa(o.Ps))
	}
	if o.Ms != 0 {
		defs = append(defs, "-DNM="+strconv.Itoa(o.Ms))
	}
	if o.NoSymmetry {
		defs = append(defs, "-DNOSYM")
	}
	if out, err := run(ctx, dir, "spin", append(append([]string{}, defs...), "-a", "gexit.pml")...); err != nil {
		return "", fmt.Errorf("spin -a: %v\n%s", err, out)
	}
	opt := o.Opt
	if opt == "" {
		opt = "-O2"
	}
	args := []string{opt, "-DSAFETY"}
	if !o.Reduce {
		args = append(args, "-DNOREDUCE")
	}
	if o.Reach {
		args = append(args, "-DREACH")
	}
	args = append(args, "-o", "pan", "pan.c")
	if out, err := run(ctx, dir, "gcc", args...); err != nil {
		return "", fmt.Errorf("gcc: %v\n%s", err, out)
	}
	return filepath.Join(dir, "pan"), nil
}

// Verify builds the model in a temporary directory and runs pan on it.
func Verify(ctx context.Context, o Options) (*Result, error) {
	dir, err := os.MkdirTemp("", "gexit-spin-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	t0 := time.Now()
	pan, err := Build(ctx, dir, o)
	if err != nil {
		return nil, err
	}
	compile := time.Since(t0).Seconds()
	r, err := Run(ctx, pan, o)
	if r != nil {
		r.CompileSecs = compile
	}
	return r, err
}

// Run runs a pan binary built by Build and parses its report.
func Run(ctx context.Context, pan string, o Options) (*Result, error) {
	depth := o.MaxDepth
	if depth == 0 {
		depth = 4_000_000
	}
	args := []string{"-m" + strconv.Itoa(depth)}
	if o.HashLog2 != 0 {
		args = append(args, "-w"+strconv.Itoa(o.HashLog2))
	}
	t0 := time.Now()
	cmd := exec.CommandContext(ctx, pan, args...)
	cmd.Dir = filepath.Dir(pan)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	wall := time.Since(t0).Seconds()
	out := buf.String()
	if err != nil {
		return nil, fmt.Errorf("pan: %v\n%s", err, out)
	}
	r, err := Parse(out)
	if err != nil {
		return nil, err
	}
	r.Wall = wall
	r.CPUSeconds = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	if r.StatesPerSec == 0 && wall > 0 {
		r.StatesPerSec = float64(r.States) / wall
	}
	return r, nil
}

var (
	reVector = regexp.MustCompile(`State-vector (\d+) byte, depth reached (\d+), errors: (\d+)`)
	reStored = regexp.MustCompile(`(?m)^\s*(\d+) states, stored`)
	reTrans  = regexp.MustCompile(`(?m)^\s*(\d+) transitions \(= stored\+matched\)`)
	reMem    = regexp.MustCompile(`(?m)^\s*([0-9.]+)\s+total actual memory usage`)
	reTime   = regexp.MustCompile(`pan: elapsed time ([0-9.e+-]+) seconds`)
)

// Parse reads pan's report: the states stored, the transitions, the
// errors, the state vector and depth, the elapsed time and the memory.
func Parse(out string) (*Result, error) {
	r := &Result{Output: out}
	m := reVector.FindStringSubmatch(out)
	if m == nil {
		return nil, fmt.Errorf("pan's output has no State-vector line:\n%s", out)
	}
	r.StateVector, _ = strconv.Atoi(m[1])
	r.Depth, _ = strconv.Atoi(m[2])
	r.Errors, _ = strconv.Atoi(m[3])
	if m = reStored.FindStringSubmatch(out); m == nil {
		return nil, fmt.Errorf("pan's output has no \"states, stored\" line:\n%s", out)
	}
	r.States, _ = strconv.ParseInt(m[1], 10, 64)
	if m = reTrans.FindStringSubmatch(out); m == nil {
		return nil, fmt.Errorf("pan's output has no transitions line:\n%s", out)
	}
	r.Transitions, _ = strconv.ParseInt(m[1], 10, 64)
	if m = reMem.FindStringSubmatch(out); m != nil {
		r.MemoryMB, _ = strconv.ParseFloat(m[1], 64)
	}
	if m = reTime.FindStringSubmatch(out); m != nil {
		r.Seconds, _ = strconv.ParseFloat(m[1], 64)
	}
	r.Incomplete = strings.Contains(out, "max search depth too small") || strings.Contains(out, "out of memory")
	if r.Seconds > 0 {
		r.StatesPerSec = float64(r.States) / r.Seconds
	}
	return r, nil
}

func run(ctx context.Context, dir, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	return buf.String(), err
}
