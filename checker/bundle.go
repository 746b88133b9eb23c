package checker

// Counterexample bundles: a versioned, self-contained on-disk form of a
// failing (or any) case, and of a recorded history, so that a violation
// found by a campaign can be replayed and re-judged later.
//
// A bundle is a directory holding
//
//	case.json     {"version":2, "case":{...Case, "main":{program},
//	              "controller":[...], "retakes":N}, "faults":[...],
//	              "verdict":"illegal", "kind":"invariant", "name":"..."}
//	history.json  {"version":2, "config":{"preset","ps","ms","wasm","mode"},
//	              "events":[impl.Event...], "final":{"snapshot":...,
//	              "throw", "panic", "fatal", "snapshots", "violations",
//	              "timedOut"} (optional), "recorded":{verdict, kind, name}}
//	report.txt, report.json, report.html, linearization.html (for
//	humans; not read back)
//
// A program is {"steps":[{"kind":"go","arg":0,"child":{program}}, ...]};
// step kinds are impl.StepKind's names (go park ready syscall lock unlock
// lockint unlockint goexit gosched grow assist dirty return), controller
// kinds are procresize and gc ({"kind":"gc","arg":0,"size":4096} ends a GC
// and sets startingStackSize, as gcMarkDone's gcComputeStartingStackSize).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/gexit-dev/gexit/impl"
	"github.com/gexit-dev/gexit/spec"
)

// BundleVersion is the version of the case.json and history.json formats.
// Version 2: exitsyscall events carry their path (Output.Path), the GC's
// markrootFreeGStacks is two events, and the spec judging them has Go
// 1.26's exitsyscall and idle P list, P0's schedtick 0 and the GC's stack
// freeing; a version 1 file was judged by the older spec and is refused
// rather than re-judged by a different one.
const BundleVersion = 2

// Bundle file names.
const (
	CaseFile    = "case.json"
	HistoryFile = "history.json"
)

// maxBundleBytes bounds what the loaders read.
const maxBundleBytes = 64 << 20

// ProgramJSON is the JSON form of an impl.Program.
type ProgramJSON struct {
	Steps []StepJSON `json:"steps"`
}

// StepJSON is the JSON form of an impl.Step.
type StepJSON struct {
	Kind  string       `json:"kind"`
	Arg   int          `json:"arg,omitempty"`
	Child *ProgramJSON `json:"child,omitempty"`
}

// CtlJSON is the JSON form of an impl.CtlStep.
type CtlJSON struct {
	Kind string `json:"kind"`
	Arg  int    `json:"arg"`
	// Size: gc off's new startingStackSize (gcMarkDone's
	// gcComputeStartingStackSize); 0 or absent keeps it.
	Size  int `json:"size,omitempty"`
	After int `json:"after,omitempty"`
}

// WorkloadJSON is the JSON form of an impl.Workload.
type WorkloadJSON struct {
	Main       *ProgramJSON `json:"main"`
	Controller []CtlJSON    `json:"controller,omitempty"`
	Retakes    int          `json:"retakes,omitempty"`
	Probes     int          `json:"probes,omitempty"`
}

var ctlNames = map[impl.CtlKind]string{impl.CtlProcResize: "procresize", impl.CtlGC: "gc"}

// stepKindOf parses an impl.StepKind name.
func stepKindOf(name string) (impl.StepKind, bool) {
	for k := impl.StepKind(1); k < 64; k++ {
		s := k.String()
		if s == fmt.Sprintf("step(%d)", uint8(k)) {
			break
		}
		if s == name {
			return k, true
		}
	}
	return 0, false
}

// EncodeWorkload converts a workload to its JSON form.
func EncodeWorkload(w impl.Workload) WorkloadJSON {
	out := WorkloadJSON{Main: encodeProgram(w.Main), Retakes: w.Retakes, Probes: w.Probes}
	if out.Main == nil {
		out.Main = &ProgramJSON{Steps: []StepJSON{}}
	}
	for _, c := range w.Controller {
		out.Controller = append(out.Controller, CtlJSON{Kind: ctlNames[c.Kind], Arg: c.Arg, Size: c.Size, After: c.After})
	}
	return out
}

func encodeProgram(p *impl.Program) *ProgramJSON {
	if p == nil {
		return nil
	}
	out := &ProgramJSON{Steps: make([]StepJSON, 0, len(p.Steps))}
	for _, s := range p.Steps {
		js := StepJSON{Kind: s.Kind.String(), Arg: s.Arg}
		if s.Kind == impl.Spawn {
			js.Child = encodeProgram(s.Child)
			if js.Child == nil {
				js.Child = &ProgramJSON{Steps: []StepJSON{}}
			}
		}
		out.Steps = append(out.Steps, js)
	}
	return out
}

// DecodeWorkload converts the JSON form back, validating it.
func DecodeWorkload(w WorkloadJSON) (impl.Workload, error) {
	if w.Main == nil {
		return impl.Workload{}, errors.New("workload has no main program")
	}
	main, err := decodeProgram(w.Main, 0, "main")
	if err != nil {
		return impl.Workload{}, err
	}
	out := impl.Workload{Main: main, Retakes: w.Retakes, Probes: w.Probes}
	if w.Retakes < 0 || w.Retakes > 1<<16 {
		return out, fmt.Errorf("workload: retakes %d out of range [0, 65536]", w.Retakes)
	}
	if w.Probes < 0 || w.Probes > 1<<16 {
		return out, fmt.Errorf("workload: probes %d out of range [0, 65536]", w.Probes)
	}
	for i, c := range w.Controller {
		var k impl.CtlKind
		for ck, name := range ctlNames {
			if name == c.Kind {
				k = ck
			}
		}
		if k == 0 && c.Kind == "stacksize" {
			return out, fmt.Errorf("workload: controller step %d: stacksize is not a step of its own: startingStackSize changes only at the GC's end (gcMarkDone), write {\"kind\": \"gc\", \"arg\": 0, \"size\": %d}", i, c.Arg)
		}
		if k == 0 {
			return out, fmt.Errorf("workload: controller step %d has unknown kind %q (want procresize or gc)", i, c.Kind)
		}
		if c.After < 0 || c.After > 1<<20 {
			return out, fmt.Errorf("workload: controller step %d: after %d out of range", i, c.After)
		}
		switch {
		case k == impl.CtlProcResize && (c.Arg < 1 || c.Arg > 64):
			return out, fmt.Errorf("workload: controller step %d: procresize(%d) out of range [1, 64]", i, c.Arg)
		case k == impl.CtlGC && (c.Arg < 0 || c.Arg > 1):
			return out, fmt.Errorf("workload: controller step %d: gc(%d) must be 0 or 1", i, c.Arg)
		case c.Size != 0 && (k != impl.CtlGC || c.Arg != 0):
			return out, fmt.Errorf("workload: controller step %d: only gc off (arg 0) has a size: startingStackSize changes at the GC's end (gcMarkDone)", i)
		case c.Size != 0 && !spec.IsStartingStackSize(int64(c.Size)):
			return out, fmt.Errorf("workload: controller step %d: size %d must be a power of two in [%d, %d]", i, c.Size, spec.StackMin, spec.MaxStartingStackSize)
		}
		out.Controller = append(out.Controller, impl.CtlStep{Kind: k, Arg: c.Arg, Size: c.Size, After: c.After})
	}
	if err := out.Validate(); err != nil {
		return out, err
	}
	return out, nil
}

func decodeProgram(p *ProgramJSON, depth int, where string) (*impl.Program, error) {
	if depth > 16 {
		return nil, fmt.Errorf("workload: %s: programs nest deeper than 16", where)
	}
	out := &impl.Program{}
	if p == nil {
		return out, nil
	}
	if len(p.Steps) > 4096 {
		return nil, fmt.Errorf("workload: %s: more than 4096 steps", where)
	}
	for i, s := range p.Steps {
		name := fmt.Sprintf("%s[%d]", where, i)
		k, ok := stepKindOf(s.Kind)
		if !ok {
			return nil, fmt.Errorf("workload: %s: unknown step kind %q", name, s.Kind)
		}
		st := impl.Step{Kind: k, Arg: s.Arg}
		switch k {
		case impl.Spawn:
			if s.Arg != 0 && s.Arg != 1 {
				return nil, fmt.Errorf("workload: %s: go's arg must be 0 or 1 (system), have %d", name, s.Arg)
			}
			c, err := decodeProgram(s.Child, depth+1, name+".go")
			if err != nil {
				return nil, err
			}
			st.Child = c
		case impl.Park, impl.Ready:
			if s.Arg < 0 || s.Arg > 64 {
				return nil, fmt.Errorf("workload: %s: wait object %d out of range [0, 64]", name, s.Arg)
			}
		case impl.Assist:
			if s.Arg < -1 || s.Arg > 1 {
				return nil, fmt.Errorf("workload: %s: assist credit %d out of range [-1, 1]", name, s.Arg)
			}
		default:
			if s.Child != nil {
				return nil, fmt.Errorf("workload: %s: only go steps have a child", name)
			}
		}
		out.Steps = append(out.Steps, st)
	}
	return out, nil
}

// caseJSON is a Case with its workload tree.
type caseJSON struct {
	Case
	WorkloadJSON
}

// BundleCase is the content of case.json.
type BundleCase struct {
	Version int    `json:"version"`
	Case    Case   `json:"-"`
	Verdict string `json:"verdict"`
	Kind    string `json:"kind,omitempty"`
	Name    string `json:"name,omitempty"`
}

// Recorded is the verdict the case had when it was saved.
func (b *BundleCase) Recorded() *RecordedVerdict {
	return &RecordedVerdict{Verdict: b.Verdict, Kind: b.Kind, Name: b.Name}
}

type bundleCaseFile struct {
	Version int       `json:"version"`
	Case    *caseJSON `json:"case"`
	Faults  []string  `json:"faults"`
	Verdict string    `json:"verdict"`
	Kind    string    `json:"kind,omitempty"`
	Name    string    `json:"name,omitempty"`
}

// HistoryConfig is the runtime configuration a history was recorded with.
type HistoryConfig struct {
	Preset string `json:"preset"`
	Ps     int    `json:"ps"`
	Ms     int    `json:"ms"`
	Wasm   bool   `json:"wasm,omitempty"`
	// Mode is the mode the history was recorded in (informative: a saved
	// history is judged by what it holds, not re-run).
	Mode string `json:"mode,omitempty"`
	// Workload is the workload run (its programs: the checker holds
	// each goroutine's ops to its program's steps, in order); a history
	// saved without it is judged without that check.
	Workload *WorkloadJSON `json:"workload,omitempty"`
}

// HistoryFinal is the optional final observation of a history: the
// implementation's final snapshot, the throw it stopped at and the panic
// that ended it, and what else Judge reads of the run, so that re-judging
// a saved history reaches the verdict the run got: the atomic mode's
// snapshot after every op (the sequential differential), the harness's
// own violations and whether the run timed out.
type HistoryFinal struct {
	Snapshot   impl.Snapshot   `json:"snapshot"`
	Throw      string          `json:"throw,omitempty"`
	Panic      string          `json:"panic,omitempty"`
	Fatal      string          `json:"fatal,omitempty"`
	Snapshots  []impl.Snapshot `json:"snapshots,omitempty"`
	Violations []string        `json:"violations,omitempty"`
	TimedOut   bool            `json:"timedOut,omitempty"`
	// Quiescent: the run ended because nothing could move (impl's
	// Result.Deadlock), so the progress predicates judge the final state.
	Quiescent bool `json:"quiescent,omitempty"`
	// HungInOp: the actors inside an op when nothing could move (impl's
	// Result.HungInOp), which the history does not show.
	HungInOp []int `json:"hungInOp,omitempty"`
	// Rescued: lost wakeups (impl's Result.Rescued), which
	// the history itself does not show.
	Rescued int `json:"rescued,omitempty"`
	// AtThrow: the state at the throw and the actors then inside an op
	// (impl's Result.AtThrow), for the check of the state at a throw; a
	// history saved without it is judged without that check.
	AtThrow *impl.ThrowState `json:"atThrow,omitempty"`
}

// result is the impl.Result a final observation stands for.
func (f *HistoryFinal) result(events []impl.Event) *impl.Result {
	return &impl.Result{History: events, Snapshot: f.Snapshot, Snapshots: f.Snapshots, Throw: f.Throw, Panic: f.Panic,
		Fatal: f.Fatal, Violations: f.Violations, TimedOut: f.TimedOut, Deadlock: f.Quiescent, HungInOp: f.HungInOp, Rescued: f.Rescued, AtThrow: f.AtThrow}
}

// History is the content of history.json.
type History struct {
	Version int           `json:"version"`
	Config  HistoryConfig `json:"config"`
	Events  []impl.Event  `json:"events"`
	Final   *HistoryFinal `json:"final,omitempty"`
	// Recorded is the verdict the history was given when it was saved, so
	// that a replay can say whether it reproduces.
	Recorded *RecordedVerdict `json:"recorded,omitempty"`
}

// RecordedVerdict is a saved verdict: "ok", "illegal" or "unknown", with
// the kind and name of what failed.
type RecordedVerdict struct {
	Verdict string `json:"verdict"`
	Kind    string `json:"kind,omitempty"`
	Name    string `json:"name,omitempty"`
}

// Reproduces reports whether o reaches the recorded verdict, kind and
// name.
func (r *RecordedVerdict) Reproduces(o *Outcome) bool {
	return r.Verdict == o.Verdict.String() && r.Kind == o.Kind && r.Name == o.Name
}

// MarshalCase encodes o's case as case.json.
func MarshalCase(o *Outcome) ([]byte, error) {
	faults := o.Case.Faults
	if faults == nil {
		faults = []string{}
	}
	f := bundleCaseFile{Version: BundleVersion, Case: &caseJSON{Case: o.Case, WorkloadJSON: EncodeWorkload(o.Case.Workload)},
		Faults: faults, Verdict: o.Verdict.String(), Kind: o.Kind, Name: o.Name}
	return json.MarshalIndent(f, "", "  ")
}

// HistoryOf is the history.json form of an outcome; res is the
// implementation run it judged (o.Run when nil). Without a run the history
// has no final observation.
func HistoryOf(o *Outcome, res *impl.Result) *History {
	h := &History{Version: BundleVersion, Config: HistoryConfig{Preset: o.Case.Preset, Ps: o.Case.Ps, Ms: o.Case.Ms, Wasm: o.Case.Wasm, Mode: o.Case.Mode}, Events: o.History}
	if o.Case.Workload.Main != nil {
		w := EncodeWorkload(o.Case.Workload)
		h.Config.Workload = &w
	}
	if h.Events == nil {
		h.Events = []impl.Event{}
	}
	if res == nil {
		res = o.Run
	}
	h.Recorded = &RecordedVerdict{Verdict: o.Verdict.String(), Kind: o.Kind, Name: o.Name}
	if res != nil {
		h.Final = &HistoryFinal{Snapshot: res.Snapshot, Throw: res.Throw, Panic: res.Panic, Fatal: res.Fatal, Snapshots: res.Snapshots,
			Violations: res.Violations, TimedOut: res.TimedOut, Quiescent: res.Deadlock, HungInOp: res.HungInOp, Rescued: res.Rescued, AtThrow: res.AtThrow}
	}
	return h
}

// MarshalHistory encodes h as history.json.
func MarshalHistory(h *History) ([]byte, error) { return json.MarshalIndent(h, "", "  ") }

// decodeStrict decodes one JSON value and nothing after it.
func decodeStrict(data []byte, v any) error {
	if len(data) == 0 {
		return errors.New("empty file")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return errors.New("truncated JSON")
		}
		return fmt.Errorf("malformed JSON: %v", err)
	}
	if dec.More() {
		return errors.New("malformed JSON: data after the top-level value")
	}
	return nil
}

func checkVersion(data []byte) error {
	var v struct {
		Version *int `json:"version"`
	}
	if err := decodeStrict(data, &v); err != nil {
		return err
	}
	if v.Version == nil {
		return errors.New("no \"version\" field: not a gexit file")
	}
	if *v.Version == 1 {
		return fmt.Errorf("version 1: written by an older gexit, whose spec this one has corrected (exitsyscall's 1.26 paths, the idle P list, P0's schedtick, the GC's stack freeing); re-run its campaign to get a version %d bundle", BundleVersion)
	}
	if *v.Version != BundleVersion {
		return fmt.Errorf("unsupported version %d (this gexit reads version %d)", *v.Version, BundleVersion)
	}
	return nil
}

// ParseCase decodes and validates case.json.
func ParseCase(data []byte) (*BundleCase, error) {
	if err := checkVersion(data); err != nil {
		return nil, err
	}
	var f bundleCaseFile
	if err := decodeStrict(data, &f); err != nil {
		return nil, err
	}
	if f.Case == nil {
		return nil, errors.New("no \"case\" object")
	}
	c := f.Case.Case
	w, err := DecodeWorkload(f.Case.WorkloadJSON)
	if err != nil {
		return nil, err
	}
	c.Workload = w
	if len(c.Faults) == 0 {
		c.Faults = f.Faults
	}
	for _, name := range c.Faults {
		if err := impl.CheckFault(name); err != nil {
			return nil, err
		}
	}
	if len(c.Choices) > 1<<16 {
		return nil, fmt.Errorf("case: schedule has more than %d choices", 1<<16)
	}
	for i, ch := range c.Choices {
		if ch < 0 {
			return nil, fmt.Errorf("case: schedule choice %d is negative (%d)", i, ch)
		}
	}
	if c.Ps > 8 || c.Ms > 8 {
		return nil, fmt.Errorf("case: %d Ps and %d Ms: at most 8 each", c.Ps, c.Ms)
	}
	if _, err := c.ImplConfig(); err != nil {
		return nil, fmt.Errorf("case: %v", err)
	}
	switch f.Verdict {
	case "ok", "illegal", "unknown":
	default:
		return nil, fmt.Errorf("unknown verdict %q (want ok, illegal or unknown)", f.Verdict)
	}
	c.Text = w.String()
	return &BundleCase{Version: f.Version, Case: c, Verdict: f.Verdict, Kind: f.Kind, Name: f.Name}, nil
}

// ParseHistory decodes and validates history.json.
func ParseHistory(data []byte) (*History, error) {
	if err := checkVersion(data); err != nil {
		return nil, err
	}
	var h History
	if err := decodeStrict(data, &h); err != nil {
		return nil, err
	}
	if h.Events == nil {
		return nil, errors.New("no \"events\" list")
	}
	if r := h.Recorded; r != nil {
		switch r.Verdict {
		case "ok", "illegal", "unknown":
		default:
			return nil, fmt.Errorf("recorded: unknown verdict %q (want ok, illegal or unknown)", r.Verdict)
		}
	}
	if _, err := h.Case(); err != nil {
		return nil, err
	}
	for i := range h.Events {
		e := &h.Events[i]
		if e.M < impl.Controller || e.M >= h.Config.Ms {
			return nil, fmt.Errorf("event %d: actor %d out of range [%d, %d)", i, e.M, impl.Controller, h.Config.Ms)
		}
		if _, err := OpOf(e); err != nil {
			return nil, fmt.Errorf("event %d: %v", i, err)
		}
		if e.Return < e.Call || e.Call < 0 {
			return nil, fmt.Errorf("event %d: returns (%d) before it is called (%d)", i, e.Return, e.Call)
		}
	}
	return &h, nil
}

// Case is the case a history's config describes: its workload (none in a
// history saved without it), and the mode it was recorded in ("free"
// when unknown). Judge runs the sequential differential when the final
// observation carries per-op snapshots.
func (h *History) Case() (Case, error) {
	c := Case{Preset: h.Config.Preset, Ps: h.Config.Ps, Ms: h.Config.Ms, Wasm: h.Config.Wasm, Mode: "free"}
	if h.Config.Workload != nil {
		w, err := DecodeWorkload(*h.Config.Workload)
		if err != nil {
			return c, fmt.Errorf("config: workload: %v", err)
		}
		c.Workload = w
	}
	switch h.Config.Mode {
	case "":
	case "free", "deterministic", "atomic", "systematic":
		// A systematic case's history is one schedule's run, judged as
		// it is.
		c.Mode = h.Config.Mode
	default:
		return c, fmt.Errorf("config: unknown mode %q (want deterministic, atomic, free or systematic)", h.Config.Mode)
	}
	if c.Ps > 8 || c.Ms > 8 {
		return c, fmt.Errorf("config: %d Ps and %d Ms: at most 8 each", c.Ps, c.Ms)
	}
	if _, err := c.ImplConfig(); err != nil {
		return c, fmt.Errorf("config: %v", err)
	}
	return c, nil
}

// readLimited reads a regular file of at most maxBundleBytes.
func readLimited(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, errors.New("is a directory")
	}
	if fi.Size() > maxBundleBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxBundleBytes)
	}
	// A device or a pipe has no size (Stat says 0): the limit holds on
	// what is read (a review's replay of /dev/zero grew to 23.7 GB).
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxBundleBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxBundleBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxBundleBytes)
	}
	return data, nil
}

// LoadHistory reads and validates a history.json file. Errors name the
// file.
func LoadHistory(path string) (*History, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, unwrapPathErr(err))
	}
	h, err := ParseHistory(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return h, nil
}

// sniffCase tells the files replay takes apart by their content, not
// their names: a case.json under another name is returned parsed; for
// anything else, the file's data, which ParseHistory takes or says what
// is wrong with; a JSON object that is neither is an error that says what
// replay takes.
func sniffCase(path string) (*BundleCase, []byte, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", path, unwrapPathErr(err))
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return nil, data, nil
	}
	_, isCase := top["case"]
	_, isHistory := top["events"]
	if _, report := top["reproduce"]; report && !isHistory {
		return nil, nil, fmt.Errorf("%s: a report.json, which replay does not take: replay the bundle directory, its case.json or its history.json", path)
	}
	switch {
	case isCase && !isHistory:
		b, err := ParseCase(data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", path, err)
		}
		return b, nil, nil
	case !isCase && !isHistory:
		return nil, nil, fmt.Errorf("%s: neither a case.json (no \"case\") nor a history.json (no \"events\"): replay takes a bundle directory, its case.json or its history.json (report.json is the report, not a replayable case)", path)
	}
	return nil, data, nil
}

// LoadBundle reads and validates a bundle directory's case.json. Errors
// name the file.
func LoadBundle(dir string) (*BundleCase, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", dir, unwrapPathErr(err))
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s: not a bundle directory", dir)
	}
	path := filepath.Join(dir, CaseFile)
	if _, err := os.Stat(path); err != nil {
		// An -out directory holds the bundles: name them.
		if inner, _ := filepath.Glob(filepath.Join(dir, "violation-*", CaseFile)); len(inner) > 0 {
			var names []string
			for _, c := range inner {
				names = append(names, filepath.Base(filepath.Dir(c)))
			}
			return nil, fmt.Errorf("%s: no gexit bundle here (no %s), but it holds bundles: replay one of %s", dir, CaseFile, strings.Join(names, ", "))
		}
		return nil, fmt.Errorf("%s: no gexit bundle here (no %s)", dir, CaseFile)
	}
	data, err := readLimited(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, unwrapPathErr(err))
	}
	b, err := ParseCase(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return b, nil
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// CheckHistory judges a saved history by the spec. With a final
// observation it is Judge's full check (harness violations, timeout, the
// sequential differential when per-op snapshots were saved, invariants on
// the final state, linearizability ending in it); without one, the
// history's linearizability alone (porcupine.CheckOperationsVerbose on
// Operations(events, nil, ms)). A malformed history is an error, never a
// panic; a panic while judging a well-formed one is a bug in gexit and is
// reported as an Illegal outcome of kind "harness-panic", never as bad
// input.
func CheckHistory(ctx context.Context, h *History, budget time.Duration) (*Outcome, error) {
	c, err := h.Case()
	if err != nil {
		return nil, err
	}
	if h.Final != nil {
		if len(h.Final.Snapshots) > len(h.Events) {
			return nil, fmt.Errorf("final: %d per-op snapshots for %d events", len(h.Final.Snapshots), len(h.Events))
		}
		sns := append([]impl.Snapshot{h.Final.Snapshot}, h.Final.Snapshots...)
		if h.Final.AtThrow != nil {
			sns = append(sns, h.Final.AtThrow.Snapshot)
		}
		for i, sn := range sns {
			if len(sn.Ms) != c.Ms || len(sn.Ps) != c.Ps {
				return nil, fmt.Errorf("final: snapshot %d has %d Ms and %d Ps, the config %d and %d", i, len(sn.Ms), len(sn.Ps), c.Ms, c.Ps)
			}
		}
		return JudgeSafe(ctx, c, h.Final.result(h.Events), budget), nil
	}
	cfg := mustImplConfig(c)
	scfg := SpecConfig(cfg)
	ops, err := Operations(h.Events, nil, cfg.Ms)
	if err != nil {
		return nil, err
	}
	o := &Outcome{Case: c, History: h.Events, At: -1, Coverage: NewCoverage()}
	defer recoverHarness(o, nil)
	for i := range h.Events {
		e := &h.Events[i]
		if op, err := OpOf(e); err == nil {
			o.Coverage.Add(op, eventResult(e))
		}
	}
	linearize(o, scfg, ops, budget, "history")
	return o, nil
}

// mustImplConfig is the impl config of a case already validated.
func mustImplConfig(c Case) impl.Config {
	cfg, _ := c.ImplConfig()
	return cfg
}

// Annotate marks the failing operation of a linearizability failure in
// o.Info, for the visualization.
func Annotate(o *Outcome) {
	if o.Info == nil || o.At < 0 || o.At >= len(o.History) {
		return
	}
	e := &o.History[o.At]
	o.Info.AddAnnotations([]porcupine.Annotation{{
		ClientId: clientID(e.M, o.Case.Ms), Start: e.Call, End: e.Return,
		Description: "fails: " + o.Name, Details: o.Detail, BackgroundColor: "#ff8080",
	}})
}

// ReplayResult is the result of re-checking a saved bundle or history.
type ReplayResult struct {
	Outcome *Outcome
	// Recorded is the verdict saved with it (nil: none was saved).
	Recorded *RecordedVerdict
	// Source says what was replayed: "bundle" (the case ran again),
	// "history" (a saved history was re-judged) or "bundle history" (a
	// free-running bundle's case ran again without reproducing, and its
	// history.json was re-judged).
	Source string
	// FinalObservation: a history with its final observation (bundles
	// always have one), judged in full; without it, linearizability only.
	FinalObservation bool
	// Reproduced: the replay reached the recorded verdict, kind and name
	// (true when nothing was recorded).
	Reproduced bool
	// Deterministic: the replay is a function of the saved data (a
	// re-judged history, or a re-run of a deterministic, atomic or
	// systematic case), so not reproducing means the harness, the spec or
	// the implementation changed, or the bundle was edited. A free-running
	// case may take another interleaving when it runs again.
	Deterministic bool
	// ReRun is the outcome of running a free-running bundle's case again
	// when it did not reproduce the recorded verdict; Outcome is then the
	// bundle's saved history re-judged (Source "bundle history"), which
	// does reproduce it, and HistoryErr says why it could not be judged
	// when the bundle's history.json is missing or broken (Outcome stays
	// the re-run's).
	ReRun      *Outcome
	HistoryErr error
}

// deterministicMode reports whether a case of the mode runs the same way
// every time: the deterministic, atomic and systematic modes (impl's
// Deterministic scheduler, a seeded schedule or a bounded search from the
// case's choices); "free" runs the Ms as free goroutines.
func deterministicMode(mode string) bool {
	switch mode {
	case "deterministic", "atomic", "systematic":
		return true
	}
	return false
}

// ReplayPath re-checks path: a bundle directory (or its case.json), whose
// case runs again on the implementation, or a history.json, which is
// re-judged without running anything. An error means bad input (missing,
// malformed, wrong version); everything else, a panic in gexit included,
// is a verdict.
func ReplayPath(ctx context.Context, path string, budget time.Duration) (*ReplayResult, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, unwrapPathErr(err))
	}
	if !fi.IsDir() && filepath.Base(path) == CaseFile {
		path = filepath.Dir(path)
		if fi, err = os.Stat(path); err != nil {
			return nil, fmt.Errorf("%s: %v", path, unwrapPathErr(err))
		}
	}
	r := &ReplayResult{}
	var caseFile *BundleCase // a case.json under another name
	var data []byte          // else the file's, a history's
	if !fi.IsDir() {
		if caseFile, data, err = sniffCase(path); err != nil {
			return nil, err
		}
	}
	if fi.IsDir() || caseFile != nil {
		b := caseFile
		if b == nil {
			if b, err = LoadBundle(path); err != nil {
				return nil, err
			}
		}
		r.Recorded, r.Source, r.FinalObservation = b.Recorded(), "bundle", true
		r.Deterministic = deterministicMode(b.Case.Mode)
		// An undecided case (a campaign's unknown-<seed>-<k>) is replayed
		// to decide its recorded history, whatever its mode: a re-run
		// would judge another history, and "decided" must be said of
		// the one recorded.
		undecided := r.Recorded != nil && r.Recorded.Verdict == Unknown.String() && r.Recorded.Name == Undecided
		if !undecided {
			r.Outcome = RunSafe(ctx, b.Case, budget)
		}
		if undecided || r.Recorded != nil && !r.Deterministic && !r.Recorded.Reproduces(r.Outcome) {
			// Or the free-running re-run took another interleaving:
			// the recorded run is in the bundle's history, judge that,
			// so that a bundle's counterexample is never lost to a
			// replay. A deterministic re-run that differs is never
			// covered up so: it is the answer (a fixed bug passes).
			hp := filepath.Join(path, HistoryFile)
			if caseFile != nil {
				hp = filepath.Join(filepath.Dir(path), HistoryFile)
			}
			hr, err := ReplayPath(ctx, hp, budget)
			switch {
			case err != nil && undecided:
				return nil, fmt.Errorf("%s: an undecided case, and its %s cannot be judged: %v", path, HistoryFile, err)
			case err != nil:
				r.HistoryErr = err
			default:
				r.ReRun = r.Outcome // (nil for an undecided case: nothing ran again)
				r.Outcome, r.Source, r.FinalObservation, r.Deterministic = hr.Outcome, "bundle history", hr.FinalObservation, true
			}
		}
	} else {
		h, err := ParseHistory(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		r.Outcome, err = CheckHistory(ctx, h, budget)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		r.Recorded, r.Source, r.FinalObservation, r.Deterministic = h.Recorded, "history", h.Final != nil, true
	}
	r.Reproduced = r.Recorded == nil || r.Recorded.Reproduces(r.Outcome)
	return r, nil
}
