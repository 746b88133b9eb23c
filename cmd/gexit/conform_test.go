package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gexit-dev/gexit/conform"
)

// A committed trace the conform package's tests know to be conformant.
const conformantTrace = "../../conform/testdata/locked-exit-procs1.trace"

// runNoPanic is runCmd that turns a panic into a test failure naming args.
func runNoPanic(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("%v: panic: %v", args, p)
		}
	}()
	return runCmd(args...)
}

func TestConformFile(t *testing.T) {
	code, out, errs := runNoPanic(t, "conform", conformantTrace)
	if code != exitOK || !strings.Contains(out, "conformant\n") || errs != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, s := range []string{"spec lifecycle coverage:", "running->dead"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}

	code, out, _ = runNoPanic(t, "conform", "-v", conformantTrace)
	if code != exitOK || !strings.Contains(out, "trace transitions:") || !strings.Contains(out, "locked exits 16") {
		t.Errorf("-v: exit %d\n%s", code, out)
	}

	code, out, errs = runNoPanic(t, "conform", "-json", conformantTrace)
	if code != exitOK {
		t.Fatalf("-json: exit %d\n%s%s", code, out, errs)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("-json output is not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"violations", "violation_count", "coverage", "transitions", "events", "goroutines"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("-json lacks %q", k)
		}
	}
	if v, ok := rep["violations"].([]any); !ok || len(v) != 0 {
		t.Errorf("-json violations = %v, want an empty list", rep["violations"])
	}
	if cov, ok := rep["coverage"].(map[string]any); !ok || len(cov) == 0 {
		t.Errorf("-json coverage = %v, want a map of spec edges", rep["coverage"])
	} else if n, _ := cov["running->dead"].(float64); n < 16 {
		t.Errorf("-json coverage running->dead = %v, want at least the 16 locked exits", cov["running->dead"])
	}
	if _, ok := rep["workload"]; ok {
		t.Errorf("-json of a file has a workload key")
	}
}

// TestConformBadFiles: unreadable input is exit 2 and one line on stderr
// naming the file, never a panic or a report.
func TestConformBadFiles(t *testing.T) {
	good, err := os.ReadFile(conformantTrace)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"empty.trace":       {},
		"truncated.trace":   good[:len(good)/2],
		"header-only.trace": good[:16],
		"text.trace":        []byte("this is not an execution trace\n"),
		"binary.trace":      []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0},
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"conform", path}, {"conform", "-json", path}} {
			code, out, errs := runNoPanic(t, args...)
			if code != exitUsage {
				t.Errorf("%s: exit %d, want 2", name, code)
			}
			if out != "" {
				t.Errorf("%s: stdout %q, want nothing", name, out)
			}
			if strings.Count(errs, "\n") != 1 || !strings.HasSuffix(errs, "\n") || !strings.Contains(errs, path) {
				t.Errorf("%s: stderr %q, want one line naming the file", name, errs)
			}
			if !strings.Contains(errs, conform.ErrNotTrace.Error()) {
				t.Errorf("%s: stderr %q does not say it is not a trace", name, errs)
			}
		}
	}
	missing := filepath.Join(dir, "missing.trace")
	if code, out, errs := runNoPanic(t, "conform", missing); code != exitUsage || out != "" ||
		strings.Count(errs, "\n") != 1 || !strings.Contains(errs, missing) {
		t.Errorf("missing file: exit %d stdout %q stderr %q", code, out, errs)
	}
}

func TestConformUsage(t *testing.T) {
	// An unknown workload: exit 2, naming every workload.
	code, out, errs := runNoPanic(t, "conform", "-run", "nosuchworkload")
	if code != exitUsage || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "nosuchworkload") {
		t.Errorf("unknown workload: exit %d stdout %q stderr %q", code, out, errs)
	}
	for _, name := range conform.WorkloadNames() {
		if !strings.Contains(errs, name) {
			t.Errorf("unknown workload: stderr %q does not list %q", errs, name)
		}
	}
	for _, args := range [][]string{
		{"conform"},
		{"conform", conformantTrace, conformantTrace},
		{"conform", "-run", "spawn", conformantTrace},
		{"conform", "-run", "spawn", "-procs", "-1"},
		{"conform", "-run", "spawn", "-procs", "100000"},
		{"conform", "-run", "spawn", "-scale", "0"},
		{"conform", "-run", "spawn", "-scale", "101"},
		{"conform", "-procs", "2", conformantTrace},
		{"conform", "-keep", "x.trace", conformantTrace},
		{"conform", "-scale", "0", conformantTrace},
		{"conform", "-scale", "2", conformantTrace},
		{"conform", "-nosuchflag"},
		// -keep is checked before the recording (a review's run judged
		// nothing after recording to an unwritable path).
		{"conform", "-run", "spawn", "-keep", filepath.Join(conformantTrace, "under-a-file.trace")},
	} {
		code, out, errs := runNoPanic(t, args...)
		if code != exitUsage || out != "" || errs == "" {
			t.Errorf("%v: exit %d stdout %q stderr %q", args, code, out, errs)
		}
	}
	// The help once, on stderr, as every command's.
	if code, out, errs := runNoPanic(t, "conform", "-h"); code != exitOK || out != "" || strings.Count(errs, "Exit codes") != 1 || !strings.Contains(errs, "spawn") {
		t.Errorf("-h: exit %d\nstdout %q\nstderr %s", code, out, errs)
	}
}

// TestConformRun records and checks the spawn workload under GOMAXPROCS 2,
// keeps its trace, and checks the kept file again.
func TestConformRun(t *testing.T) {
	kept := filepath.Join(t.TempDir(), "spawn.trace")
	code, out, errs := runNoPanic(t, "conform", "-run", "spawn", "-procs", "2", "-keep", kept)
	if code != exitOK || !strings.Contains(out, "conformant\n") || !strings.Contains(out, "runtime/metrics agree") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	code, out, errs = runNoPanic(t, "conform", "-json", kept)
	if code != exitOK {
		t.Fatalf("kept trace: exit %d\n%s%s", code, out, errs)
	}
	var rep struct {
		Created int `json:"created"`
		Exited  int `json:"exited"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("-json: %v\n%s", err, out)
	}
	if rep.Created < 4000 || rep.Exited < 4000 {
		t.Errorf("kept trace: %d created, %d exited; the spawn workload makes 4000", rep.Created, rep.Exited)
	}
}

// A damaged trace and a directory: exit 2 with one line that says what is
// wrong (the trace reader's error can carry dozens of lines of its state).
func TestConformDamagedInputOneLine(t *testing.T) {
	data, err := os.ReadFile(conformantTrace)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{100, 101, 107, 113} {
		data[i] ^= 0xff
	}
	damaged := filepath.Join(t.TempDir(), "damaged.trace")
	if err := os.WriteFile(damaged, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{damaged, "not a readable Go execution trace"},
		{t.TempDir(), "is a directory: want a trace FILE"},
	} {
		code, out, errs := runNoPanic(t, "conform", c.path)
		if code != exitUsage || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", c.path, code, out, errs)
		}
	}
}
