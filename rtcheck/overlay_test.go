package rtcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// stockRuntime is the toolchain's runtime source directory.
func stockRuntime(t *testing.T) string {
	t.Helper()
	goroot, err := GoEnv("GOROOT")
	if err != nil {
		t.Skip(err)
	}
	return filepath.Join(goroot, "src", "runtime")
}

// copyRuntime copies the files the anchors use into a fresh directory and
// applies edit to proc.go's text.
func copyRuntime(t *testing.T, edit func(proc string) string) string {
	t.Helper()
	stock := stockRuntime(t)
	dir := t.TempDir()
	for _, name := range InstrumentedFiles() {
		data, err := os.ReadFile(filepath.Join(stock, name))
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if name == "proc.go" {
			text = edit(text)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestOverlayPlacesEveryProbe(t *testing.T) {
	ov, err := GenerateOverlay("", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range Kinds() {
		if ov.Placed[info.Kind] == 0 {
			t.Errorf("probe %s not placed", info.Name)
		}
	}
	want := []string{ProbeFile, "mgc.go", "mgcmark.go", "panic.go", "proc.go", "runtime.go"}
	if strings.Join(ov.Replaced, " ") != strings.Join(want, " ") {
		t.Errorf("overlay replaces %v, want %v", ov.Replaced, want)
	}
	var js struct{ Replace map[string]string }
	data, err := os.ReadFile(ov.JSON)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &js); err != nil {
		t.Fatal(err)
	}
	stock := stockRuntime(t)
	for _, name := range want {
		gen, ok := js.Replace[filepath.Join(stock, name)]
		if !ok {
			t.Fatalf("overlay.json lacks %s", name)
		}
		if !strings.HasPrefix(gen, ov.Dir) {
			t.Errorf("%s is replaced by %s, outside the generated directory", name, gen)
		}
	}
	probes, _ := os.ReadFile(filepath.Join(ov.Dir, ProbeFile))
	for k := Kind(1); k < numKinds; k++ {
		if !strings.Contains(string(probes), k.ident()+" = ") {
			t.Errorf("%s lacks the constant %s", ProbeFile, k.ident())
		}
	}
	proc, _ := os.ReadFile(filepath.Join(ov.Dir, "proc.go"))
	if !strings.Contains(string(proc), "\tpp.gFree.push(gp)\n\tgexitGfput(pp, gp, stksize)\n") {
		t.Error("gfput's probe is not right after pp.gFree.push(gp)")
	}
}

func TestMissingAnchorIsNamed(t *testing.T) {
	cases := []struct {
		name string
		edit func(string) string
		want string
	}{
		{"statement removed",
			func(s string) string {
				return strings.Replace(s, "\tpp.gFree.push(gp)\n\tif pp.gFree.size >= 64 {", "\tif pp.gFree.size >= 64 {", 1)
			},
			"runtime source lacks an anchor: proc.go: func gfput: `pp.gFree.push(gp)`: statement `pp.gFree.push(gp)` not found (probe gfput cannot be placed)"},
		{"function renamed",
			func(s string) string { return strings.Replace(s, "func gfpurge(pp *p) {", "func gfpurge2(pp *p) {", 1) },
			"runtime source lacks an anchor: proc.go: func gfpurge: the function: not found (probe gfpurge cannot be placed)"},
		{"statement ambiguous",
			func(s string) string {
				return strings.Replace(s, "\tpp.goidcache++\n", "\tpp.goidcache++\n\tpp.goidcache++\n", 1)
			},
			"runtime source lacks an anchor: proc.go: func newproc1: `pp.goidcache++`: statement `pp.goidcache++` is ambiguous (2 matches) (probe newproc1 cannot be placed)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := copyRuntime(t, func(s string) string {
				out := c.edit(s)
				if out == s {
					t.Fatal("the edit changed nothing: the runtime source moved; update the test")
				}
				return out
			})
			_, err := GenerateOverlay(src, t.TempDir())
			var ae *AnchorError
			if !errors.As(err, &ae) || !IsInputError(err) {
				t.Fatalf("want an AnchorError, have %v", err)
			}
			if err.Error() != c.want {
				t.Errorf("error\n%s\nwant\n%s", err, c.want)
			}
		})
	}
}

func TestUnmodifiedCopyNeedsNoExtraFiles(t *testing.T) {
	// A copy holding only the four instrumented files: every other runtime
	// file is deleted in the overlay (a -src copy is the whole package).
	src := copyRuntime(t, func(s string) string { return s })
	ov, err := GenerateOverlay(src, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var js struct{ Replace map[string]string }
	data, _ := os.ReadFile(ov.JSON)
	json.Unmarshal(data, &js)
	if got := js.Replace[filepath.Join(stockRuntime(t), "stack.go")]; got != "" {
		t.Errorf("stack.go, absent from the copy, maps to %q, want deleted", got)
	}
	if _, ok := js.Replace[filepath.Join(stockRuntime(t), "stack.go")]; !ok {
		t.Error("stack.go, absent from the copy, is not deleted in the overlay")
	}
}

func TestNotARuntimeDir(t *testing.T) {
	dir := t.TempDir()
	_, err := GenerateOverlay(dir, t.TempDir())
	if !IsInputError(err) || !strings.Contains(err.Error(), "is not a Go runtime source directory") {
		t.Errorf("have %v", err)
	}
	os.WriteFile(filepath.Join(dir, "proc.go"), []byte("package main\n"), 0o644)
	_, err = GenerateOverlay(dir, t.TempDir())
	if !IsInputError(err) || !strings.Contains(err.Error(), "no proc.go of package runtime") {
		t.Errorf("have %v", err)
	}
}

func TestStripComment(t *testing.T) {
	for in, want := range map[string]string{
		`if x { // y`:            `if x { `,
		`s := "a // b" // c`:     `s := "a // b" `,
		"r := '/' // c":          "r := '/' ",
		"q := `//` + x":          "q := `//` + x",
		`e := "\"//" // x`:       `e := "\"//" `,
		`fatal("no // comment")`: `fatal("no // comment")`,
	} {
		if got := stripComment(in); got != want {
			t.Errorf("stripComment(%q) = %q, want %q", in, got, want)
		}
	}
}

// A modified copy's test files are in the overlay like its other files:
// `gexit runtime -src DIR -test runtime` compiled the toolchain's tests,
// and a test the copy added (or changed) never ran, while the run said ok.
func TestOverlayCarriesTheCopysTests(t *testing.T) {
	src := copyRuntime(t, func(s string) string { return s })
	if err := os.WriteFile(filepath.Join(src, "gexitplanted_test.go"), []byte("package runtime_test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ov, err := GenerateOverlay(src, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var js struct{ Replace map[string]string }
	data, _ := os.ReadFile(ov.JSON)
	if err := json.Unmarshal(data, &js); err != nil {
		t.Fatal(err)
	}
	stock := stockRuntime(t)
	if got := js.Replace[filepath.Join(stock, "gexitplanted_test.go")]; got != filepath.Join(src, "gexitplanted_test.go") {
		t.Errorf("the copy's added test maps to %q", got)
	}
	// A test file of the toolchain's the copy lacks is deleted, as any
	// other file.
	if got, ok := js.Replace[filepath.Join(stock, "proc_test.go")]; !ok || got != "" {
		t.Errorf("proc_test.go, absent from the copy: %q %v, want deleted", got, ok)
	}
}

// The instrumented files keep the lines of the source they came from
// (//line directives after each probe): a compile error or a traceback
// in a modified -src names the user's file and line, not the deleted
// overlay's, shifted by the probes. Every function and every statement
// of the instrumented files' functions stays at its line.
func TestOverlayKeepsSourceLines(t *testing.T) {
	stock := stockRuntime(t)
	files, _, err := instrument(stock)
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		path := filepath.Join(stock, name)
		orig, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := func(src []byte) map[string][]int {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			m := map[string][]int{}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n.(type) {
				case *ast.FuncDecl, *ast.ReturnStmt, *ast.IfStmt, *ast.ForStmt, *ast.SwitchStmt:
					p := fset.Position(n.Pos())
					first, _, _ := strings.Cut(string(src[fset.File(n.Pos()).Offset(n.Pos()):]), "\n")
					if strings.Contains(first, "gexit") {
						return true // a probe's
					}
					key := fmt.Sprintf("%T %s", n, first)
					m[key] = append(m[key], p.Line)
					if p.Filename != path {
						t.Errorf("%s: %s is in %s", name, key, p.Filename)
					}
				}
				return true
			})
			return m
		}
		want, got := lines(orig), lines(text)
		n := 0
		for k, w := range want {
			// Every original node at its line; a probe's code may
			// add nodes of the same text (an "if pp != nil {").
			have := slices.Clone(got[k])
			for _, l := range w {
				i := slices.Index(have, l)
				if i < 0 {
					t.Errorf("%s: %s at lines %v, want %v among them", name, k, got[k], w)
					break
				}
				have = slices.Delete(have, i, i+1)
			}
			n += len(w)
		}
		if n < 20 {
			t.Errorf("%s: %d nodes compared", name, n)
		}
	}
}
