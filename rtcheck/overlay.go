package rtcheck

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/template"
)

// FormatVersion is the record file format version (header field). 2:
// the idle P list's probes, and handoffp's records carry npidle,
// gomaxprocs, lastpoll and netpoll.
const FormatVersion = 2

// RingRecords is the size of the runtime's record ring, in records.
const RingRecords = 1 << 17

// ProbeFile is the name of the file the overlay adds to package runtime.
const ProbeFile = "gexit_probes.go"

//go:embed gexit_probes.go.tmpl
var probeTemplate string

// InputError is bad input: a -src that is not a runtime source directory,
// a missing anchor, a workload or package that does not build. The command
// line exits 2 on it.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

func inputErrorf(format string, a ...any) error { return &InputError{Msg: fmt.Sprintf(format, a...)} }

// IsInputError reports whether err is bad input: an InputError or an
// AnchorError.
func IsInputError(err error) bool {
	var ie *InputError
	var ae *AnchorError
	return errors.As(err, &ie) || errors.As(err, &ae)
}

// AnchorError is an expected anchor missing from the runtime source (or
// matching more than once): the probe it carries cannot be placed.
type AnchorError struct {
	File, Func string
	Anchor     string // the statement path
	Reason     string
	What       string // what the anchor places: "probe gfput", "the entry stamp", ...
}

func (e *AnchorError) Error() string {
	return fmt.Sprintf("runtime source lacks an anchor: %s: func %s: %s: %s (%s cannot be placed)",
		e.File, e.Func, e.Anchor, e.Reason, e.What)
}

// Overlay is a generated build overlay instrumenting the runtime.
type Overlay struct {
	// Dir holds the generated files and overlay.json.
	Dir string
	// JSON is the path of the overlay file for go build -overlay.
	JSON string
	// Src is the runtime source directory the probes were placed in.
	Src string
	// GOROOT is the toolchain's root; its src/runtime is what the overlay
	// replaces.
	GOROOT string
	// Replaced lists the runtime files the overlay replaces, adds or
	// deletes, by name.
	Replaced []string
	// Placed counts probe placements per kind.
	Placed map[Kind]int
}

// GoEnv returns `go env NAME`.
func GoEnv(name string) (string, error) {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// CheckRuntimeDir returns an InputError unless dir looks like a Go runtime
// source directory (a proc.go of package runtime).
func CheckRuntimeDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return inputErrorf("-src %s is not a Go runtime source directory (not a directory)", dir)
	}
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, "proc.go"), nil, parser.PackageClauseOnly)
	if err != nil || f.Name.Name != "runtime" {
		return inputErrorf("-src %s is not a Go runtime source directory (no proc.go of package runtime)", dir)
	}
	return nil
}

// GenerateOverlay places every probe in the runtime source at src ("" =
// $(go env GOROOT)/src/runtime) and writes the instrumented files, the
// added probe file and overlay.json into dir (created when missing).
func GenerateOverlay(src, dir string) (*Overlay, error) {
	goroot, err := GoEnv("GOROOT")
	if err != nil {
		return nil, err
	}
	stock := filepath.Join(goroot, "src", "runtime")
	if src == "" {
		src = stock
	}
	if src, err = filepath.Abs(src); err != nil {
		return nil, err
	}
	if err := CheckRuntimeDir(src); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	files, placed, err := instrument(src)
	if err != nil {
		return nil, err
	}
	ov := &Overlay{Dir: dir, JSON: filepath.Join(dir, "overlay.json"), Src: src, GOROOT: goroot, Placed: placed}
	replace := map[string]string{}

	// A modified copy: every file that differs from the toolchain's (or
	// exists in only one of them) is replaced, added or deleted.
	if !sameDir(src, stock) {
		if err := diffRuntime(src, stock, replace); err != nil {
			return nil, err
		}
	}
	for name, text := range files {
		out := filepath.Join(dir, name)
		if err := os.WriteFile(out, text, 0o644); err != nil {
			return nil, err
		}
		replace[filepath.Join(stock, name)] = out
	}
	probes, err := renderProbes()
	if err != nil {
		return nil, err
	}
	out := filepath.Join(dir, ProbeFile)
	if err := os.WriteFile(out, probes, 0o644); err != nil {
		return nil, err
	}
	replace[filepath.Join(stock, ProbeFile)] = out

	for k := range replace {
		ov.Replaced = append(ov.Replaced, filepath.Base(k))
	}
	sort.Strings(ov.Replaced)
	js, err := json.MarshalIndent(map[string]any{"Replace": replace}, "", "\t")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(ov.JSON, js, 0o644); err != nil {
		return nil, err
	}
	return ov, nil
}

func sameDir(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// diffRuntime maps every build file of src that differs from stock's onto
// stock's path, and deletes stock's files src lacks. Test files are build
// files too: -test runtime compiles the copy's tests (go test -overlay).
func diffRuntime(src, stock string, replace map[string]string) error {
	buildFile := func(name string) bool {
		switch filepath.Ext(name) {
		case ".go", ".s", ".h", ".c":
			return true
		}
		return false
	}
	list := func(dir string) (map[string]bool, error) {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		m := map[string]bool{}
		for _, e := range ents {
			regular := e.Type().IsRegular()
			if e.Type()&os.ModeSymlink != 0 { // a copy made of links (gexit runtime -mutants)
				fi, err := os.Stat(filepath.Join(dir, e.Name()))
				regular = err == nil && fi.Mode().IsRegular()
			}
			if regular && buildFile(e.Name()) {
				m[e.Name()] = true
			}
		}
		return m, nil
	}
	srcFiles, err := list(src)
	if err != nil {
		return inputErrorf("-src %s: %v", src, err)
	}
	stockFiles, err := list(stock)
	if err != nil {
		return err
	}
	for name := range srcFiles {
		a, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return inputErrorf("-src %s: %v", src, err)
		}
		if b, err := os.ReadFile(filepath.Join(stock, name)); err == nil && bytes.Equal(a, b) {
			continue
		}
		replace[filepath.Join(stock, name)] = filepath.Join(src, name)
	}
	for name := range stockFiles {
		if !srcFiles[name] {
			replace[filepath.Join(stock, name)] = ""
		}
	}
	return nil
}

// lineDirective is a //line directive, a line of its own, that numbers
// the next line as line of path.
func lineDirective(path string, line int) string {
	return fmt.Sprintf("//line %s:%d\n", path, line)
}

// InstrumentedFiles are the runtime source files the anchors place probes
// in, sorted.
func InstrumentedFiles() []string {
	var out []string
	for _, a := range anchors {
		if !slices.Contains(out, a.File) {
			out = append(out, a.File)
		}
	}
	slices.Sort(out)
	return out
}

// instrument applies every anchor to the files of src and returns the
// instrumented texts by file name.
func instrument(src string) (map[string][]byte, map[Kind]int, error) {
	type edit struct {
		off   int
		text  string
		order int
	}
	byFile := map[string][]int{}
	var names []string
	for i, a := range anchors {
		if _, ok := byFile[a.File]; !ok {
			names = append(names, a.File)
		}
		byFile[a.File] = append(byFile[a.File], i)
	}
	out := map[string][]byte{}
	placed := map[Kind]int{}
	for _, name := range names {
		path := filepath.Join(src, name)
		text, err := os.ReadFile(path)
		if err != nil {
			a := anchors[byFile[name][0]]
			return nil, nil, &AnchorError{File: name, Func: a.Func, Anchor: "the file", Reason: "missing", What: a.what()}
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, text, parser.SkipObjectResolution)
		if err != nil {
			return nil, nil, inputErrorf("-src: %s does not parse: %v", name, err)
		}
		tf := fset.File(f.Pos())
		var edits []edit
		directiveAt := map[int]bool{}
		for _, i := range byFile[name] {
			a := anchors[i]
			fn := findFunc(f, a.Func)
			if fn == nil || fn.Body == nil {
				return nil, nil, &AnchorError{File: a.File, Func: a.Func, Anchor: "the function", Reason: "not found", What: a.what()}
			}
			off, ins, err := placeAnchor(tf, text, fn, a)
			if err != nil {
				return nil, nil, err
			}
			// //line directives give the source after a probe its
			// line in the file the user knows (compile errors,
			// tracebacks): before the statement a before-anchor's
			// probe precedes, or at the start of the line after the
			// one an after- or body-anchor's probe follows.
			if a.Where == before {
				ind := ins[strings.LastIndexByte(ins, '\n')+1:]
				ins = strings.TrimSuffix(ins, ind) + lineDirective(path, tf.Line(tf.Pos(off))) + ind
			} else if nl := bytes.IndexByte(text[off:], '\n'); nl >= 0 && off+nl+1 < len(text) && !directiveAt[off+nl+1] {
				ls := off + nl + 1
				directiveAt[ls] = true
				edits = append(edits, edit{ls, lineDirective(path, tf.Line(tf.Pos(ls))), -1})
			}
			edits = append(edits, edit{off, ins, i})
			for _, k := range a.Kinds {
				placed[k]++
			}
		}
		// Apply from the end; at one offset keep table order.
		sort.SliceStable(edits, func(i, j int) bool {
			if edits[i].off != edits[j].off {
				return edits[i].off > edits[j].off
			}
			return edits[i].order > edits[j].order
		})
		buf := append([]byte(nil), text...)
		for _, e := range edits {
			buf = append(buf[:e.off], append([]byte(e.text), buf[e.off:]...)...)
		}
		if _, err := parser.ParseFile(token.NewFileSet(), path, buf, parser.SkipObjectResolution); err != nil {
			return nil, nil, fmt.Errorf("rtcheck: instrumented %s does not parse (a bug in the anchor table): %v", name, err)
		}
		out[name] = buf
	}
	for k := Kind(1); k < numKinds; k++ {
		if placed[k] == 0 {
			return nil, nil, fmt.Errorf("rtcheck: probe %s has no anchor (a bug in the anchor table)", k)
		}
	}
	return out, placed, nil
}

func kindNames(ks []Kind) []string {
	var out []string
	for _, k := range ks {
		out = append(out, k.String())
	}
	return out
}

// findFunc finds a function, or a method written "(*T).name" or "T.name".
func findFunc(f *ast.File, name string) *ast.FuncDecl {
	recv, fname := "", name
	if i := strings.LastIndex(name, "."); i >= 0 {
		recv, fname = strings.Trim(name[:i], "()*"), name[i+1:]
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != fname {
			continue
		}
		if (fd.Recv == nil) != (recv == "") {
			continue
		}
		if recv != "" {
			t := fd.Recv.List[0].Type
			if st, ok := t.(*ast.StarExpr); ok {
				t = st.X
			}
			if id, ok := t.(*ast.Ident); !ok || id.Name != recv {
				continue
			}
		}
		return fd
	}
	return nil
}

// stmtPlace is a statement with the list it sits in.
type stmtPlace struct {
	stmt ast.Stmt
	list []ast.Stmt
	idx  int
}

// nestedStmts returns every statement nested in n (not n itself) that is
// an element of a statement list, in source order.
func nestedStmts(n ast.Node) []stmtPlace {
	var out []stmtPlace
	add := func(list []ast.Stmt) {
		for i, st := range list {
			if st == n {
				continue
			}
			out = append(out, stmtPlace{st, list, i})
		}
	}
	ast.Inspect(n, func(x ast.Node) bool {
		switch x := x.(type) {
		case *ast.BlockStmt:
			add(x.List)
		case *ast.CaseClause:
			add(x.Body)
		case *ast.CommClause:
			add(x.Body)
		case *ast.LabeledStmt:
			if x.Stmt != nil {
				out = append(out, stmtPlace{x.Stmt, []ast.Stmt{x.Stmt}, 0})
			}
		}
		return true
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].stmt.Pos() < out[j].stmt.Pos() })
	return out
}

// firstLine is a statement's first source line without a trailing line
// comment, trimmed.
func firstLine(tf *token.File, text []byte, st ast.Stmt) string {
	b := text[tf.Offset(st.Pos()):tf.Offset(st.End())]
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return strings.TrimSpace(stripComment(string(b)))
}

// stripComment removes a // comment outside string, rune and raw literals.
func stripComment(line string) string {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == '\\' && quote != '`' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '/' && i+1 < len(line) && line[i+1] == '/':
			return line[:i]
		}
	}
	return line
}

func matches(pattern, line string) bool {
	if p, ok := strings.CutSuffix(pattern, "..."); ok {
		return strings.HasPrefix(line, p)
	}
	return line == pattern
}

// placeAnchor finds a's statement in fn and returns the offset and text to
// insert.
func placeAnchor(tf *token.File, text []byte, fn *ast.FuncDecl, a anchor) (int, string, error) {
	fail := func(reason string) (int, string, error) {
		return 0, "", &AnchorError{File: a.File, Func: a.Func, Anchor: a.describe(), Reason: reason, What: a.what()}
	}
	var scope ast.Node = fn.Body
	var cur ast.Stmt
	for i, st := range a.Path {
		var hits []stmtPlace
		for _, sp := range nestedStmts(scope) {
			if matches(st.Stmt, firstLine(tf, text, sp.stmt)) {
				hits = append(hits, sp)
			}
		}
		var hit stmtPlace
		switch {
		case len(hits) == 0:
			return fail(fmt.Sprintf("statement `%s` not found", st.Stmt))
		case st.Nth > 0 && st.Nth > len(hits):
			return fail(fmt.Sprintf("statement `%s` matches %d times, want match %d", st.Stmt, len(hits), st.Nth))
		case st.Nth > 0:
			hit = hits[st.Nth-1]
		case len(hits) > 1:
			return fail(fmt.Sprintf("statement `%s` is ambiguous (%d matches)", st.Stmt, len(hits)))
		default:
			hit = hits[0]
		}
		if st.Next {
			if hit.idx+1 >= len(hit.list) {
				return fail(fmt.Sprintf("no statement follows `%s`", st.Stmt))
			}
			hit = stmtPlace{hit.list[hit.idx+1], hit.list, hit.idx + 1}
		}
		cur = hit.stmt
		if i < len(a.Path)-1 {
			scope = cur
		}
	}
	indentOf := func(off int) string {
		ls := bytes.LastIndexByte(text[:off], '\n') + 1
		ind := text[ls:off]
		if k := bytes.IndexFunc(ind, func(r rune) bool { return r != ' ' && r != '\t' }); k >= 0 {
			ind = ind[:k]
		}
		return string(ind)
	}
	block := func(indent string) string {
		return strings.ReplaceAll(a.Code, "\n", "\n"+indent)
	}
	switch a.Where {
	case before:
		if cur == nil {
			return fail("a before-anchor needs a statement")
		}
		off := tf.Offset(cur.Pos())
		ind := indentOf(off)
		return off, block(ind) + "\n" + ind, nil
	case after:
		if cur == nil {
			return fail("an after-anchor needs a statement")
		}
		off := tf.Offset(cur.End())
		ind := indentOf(tf.Offset(cur.Pos()))
		if nl := bytes.IndexByte(text[off:], '\n'); nl >= 0 {
			off += nl
		}
		return off, "\n" + ind + block(ind), nil
	default: // bodyStart
		var body *ast.BlockStmt
		switch x := cur.(type) {
		case nil:
			body = fn.Body
		case *ast.IfStmt:
			body = x.Body
		case *ast.ForStmt:
			body = x.Body
		case *ast.RangeStmt:
			body = x.Body
		case *ast.BlockStmt:
			body = x
		default:
			return fail("the statement has no body")
		}
		off := tf.Offset(body.Lbrace) + 1
		ind := "\t"
		if cur != nil {
			ind = indentOf(tf.Offset(cur.Pos())) + "\t"
		}
		return off, "\n" + ind + block(ind), nil
	}
}

// renderProbes renders the file added to package runtime.
func renderProbes() ([]byte, error) {
	type kd struct {
		Ident string
		Num   int
	}
	data := struct {
		Kinds                   []kd
		Version, Ring, NumKinds int
	}{Version: FormatVersion, Ring: RingRecords, NumKinds: int(numKinds) - 1}
	for k := Kind(1); k < numKinds; k++ {
		data.Kinds = append(data.Kinds, kd{k.ident(), int(k)})
	}
	t, err := template.New(ProbeFile).Parse(probeTemplate)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
