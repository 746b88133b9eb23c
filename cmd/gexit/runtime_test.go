package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gexit-dev/gexit/rtcheck"
)

// Bad input to gexit runtime: exit 2 and one line on stderr, before any
// workload runs.
func TestRuntimeBadInput(t *testing.T) {
	lib := t.TempDir() // a package that is not main
	if err := os.WriteFile(filepath.Join(lib, "go.mod"), []byte("module lib\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lib, "lib.go"), []byte("package lib\n\nfunc F() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"runtime"}, "want exactly one of -run, -test and -exec"},
		{[]string{"runtime", "-run", "spawn", "-exec", "."}, "want exactly one of -run, -test and -exec"},
		{[]string{"runtime", "-run", "nope"}, `unknown workload "nope"`},
		{[]string{"runtime", "-run", "all", "-procs", "1,x"}, `bad -procs list "1,x"`},
		{[]string{"runtime", "-run", "all", "-procs", "0"}, `bad -procs list "0"`},
		{[]string{"runtime", "-run", "all", "-procs", ""}, ""}, // empty: the default (not run here)
		{[]string{"runtime", "-run", "spawn", "extra"}, `unexpected argument "extra"`},
		{[]string{"runtime", "-run", "spawn", "--", "-x"}, "arguments after -- go with -test or -exec"},
		{[]string{"runtime", "-test", ","}, "names no package"},
		{[]string{"runtime", "-run", "spawn", "-src", t.TempDir()}, "is not a Go runtime source directory"},
		{[]string{"runtime", "-run", "spawn", "-timeout", "-1s"}, "-timeout must not be negative"},
		{[]string{"runtime", "-bogus"}, "flag provided but not defined"},
		{[]string{"runtime", "-exec", "/nonexistent/dir"}, "-exec /nonexistent/dir is not a directory"},
		{[]string{"runtime", "-exec", lib}, "is package lib, not a main package"},
		{[]string{"runtime", "-run", "spawn", "-out", filepath.Join(file, "sub")}, file + " is not a directory"},
		{[]string{"runtime", "-mutants", "-timeout", "1ns"}, "-timeout do not go with -mutants"},
		{[]string{"runtime", "-mutants", "-max-memory", "garbage", "-invariants-every", "0"}, "-invariants-every, -max-memory do not go with -mutants"},
		{[]string{"runtime", "-mutants", "-src", "/nonexistent/dir"}, "-src /nonexistent/dir is not a directory"},
	}
	for _, c := range cases {
		if c.want == "" {
			continue
		}
		code, stdout, stderr := cliRun(t, c.args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want 2\nstdout: %s\nstderr: %s", c.args, code, stdout, stderr)
			continue
		}
		oneLine(t, c.args, stderr)
		if !strings.Contains(stderr, c.want) {
			t.Errorf("%v: stderr %q lacks %q", c.args, stderr, c.want)
		}
	}
}

func TestRuntimeHelp(t *testing.T) {
	code, _, stderr := cliRun(t, "runtime", "-h")
	if code != exitOK || !strings.Contains(stderr, "gexit runtime [-src DIR] -run WORKLOAD|all") ||
		!strings.Contains(stderr, "markrootFreeGStacks.take") || !strings.Contains(stderr, "runqputslow") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
}

// runtimeCopy copies the runtime files the probes go into, with proc.go
// edited.
func runtimeCopy(t *testing.T, edit func(string) string) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Skip(err)
	}
	stock := filepath.Join(strings.TrimSpace(string(out)), "src", "runtime")
	dir := t.TempDir()
	for _, name := range rtcheck.InstrumentedFiles() {
		data, err := os.ReadFile(filepath.Join(stock, name))
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if name == "proc.go" {
			text = edit(text)
		}
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
	}
	return dir
}

func TestRuntimeMissingAnchor(t *testing.T) {
	src := runtimeCopy(t, func(s string) string {
		out := strings.Replace(s, "\tsched.runq.pushBack(gp)\n", "\tsched.runq.pushBackAll(gQueue{gp.guintptr(), gp.guintptr(), 1})\n", 1)
		if out == s {
			t.Fatal("globrunqput moved: update the test")
		}
		return out
	})
	args := []string{"runtime", "-src", src, "-run", "spawn"}
	code, _, stderr := cliRun(t, args...)
	if code != exitUsage {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	oneLine(t, args, stderr)
	want := "gexit runtime: runtime source lacks an anchor: proc.go: func globrunqput: `sched.runq.pushBack(gp)`: statement `sched.runq.pushBack(gp)` not found (probe globrunqput cannot be placed)\n"
	if stderr != want {
		t.Errorf("stderr\n%s\nwant\n%s", stderr, want)
	}
	// -json puts the verdict on stdout whatever ended the run (it
	// printed nothing).
	code, stdout, _ := cliRun(t, append(args, "-json")...)
	var v struct{ Verdict, Error string }
	if err := json.Unmarshal([]byte(stdout), &v); err != nil || code != exitUsage || v.Verdict != "error" || !strings.Contains(v.Error, "probe globrunqput cannot be placed") {
		t.Errorf("-json: exit %d, %v: %q", code, err, stdout)
	}
}

// writeProgram writes a main module and returns its directory.
func writeProgram(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module prog\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644)
	return dir
}

// Packages and directories that do not build are bad input, with the
// build output in the one line.
func TestRuntimeTargetsThatDoNotBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds with the instrumented runtime")
	}
	dir := writeProgram(t, "package main\n\nfunc main() { notDefined() }\n")
	os.WriteFile(filepath.Join(dir, "main_test.go"), []byte("package main\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n"), 0o644)
	for _, args := range [][]string{
		{"runtime", "-exec", dir},
		{"runtime", "-test", "./..."},
	} {
		// -test resolves patterns in the current directory: run it there.
		t.Chdir(dir)
		code, _, stderr := cliRun(t, args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
			continue
		}
		oneLine(t, args, stderr)
		if !strings.Contains(stderr, "does not build") || !strings.Contains(stderr, "undefined: notDefined") {
			t.Errorf("%v: %s", args, stderr)
		}
	}
}

// An ok program exits 0 with a JSON report; the same program crashing
// exits 1 with its output saved under -out.
func TestRuntimeExecVerdicts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds with the instrumented runtime")
	}
	const prog = `package main

import (
	"os"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go wg.Done()
	}
	wg.Wait()
	if len(os.Args) > 1 && os.Args[1] == "crash" {
		var m map[int]int
		m[0] = 1
	}
}
`
	dir := writeProgram(t, prog)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := cliRun(t, "runtime", "-exec", dir, "-procs", "1,2", "-json", "-out", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	for _, k := range []string{"verdict", "runs", "coverage", "records", "neverFired", "judgeWired", "buildSeconds"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("-json lacks %q", k)
		}
	}
	if runs, _ := rep["runs"].([]any); len(runs) != 2 || rep["verdict"] != "ok" {
		t.Errorf("report: %v", rep)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("an ok run wrote into -out")
	}

	code, stdout, _ = cliRun(t, "runtime", "-exec", dir, "-procs", "2", "-out", out, "--", "crash")
	if code != exitViolation || !strings.Contains(stdout, "assignment to entry in nil map") || !strings.Contains(stdout, "verdict: violation") {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
	bundles, _ := filepath.Glob(filepath.Join(out, "runtime-violation-*"))
	if len(bundles) != 1 {
		t.Fatalf("bundles %v", bundles)
	}
	for _, f := range []string{"output.txt", "report.txt"} {
		if st, err := os.Stat(filepath.Join(bundles[0], f)); err != nil || st.Size() == 0 {
			t.Errorf("bundle %s: %v", f, err)
		}
	}
}
