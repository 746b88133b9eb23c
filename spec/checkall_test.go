package spec

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// TestCheckAllOrder: checkAll calls the checks of Invariants, each once,
// in its order, and returns each one's index there, so that
// CheckInvariants reports what the loop over Invariants did.
func TestCheckAllOrder(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "checkall.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var calls []string
	var idx []string
	ast.Inspect(f, func(n ast.Node) bool {
		fd, ok := n.(*ast.FuncDecl)
		if !ok || fd.Name.Name != "checkAll" {
			return true
		}
		for _, st := range fd.Body.List {
			is, ok := st.(*ast.IfStmt)
			if !ok {
				continue
			}
			call := is.Init.(*ast.AssignStmt).Rhs[0].(*ast.CallExpr)
			calls = append(calls, call.Fun.(*ast.Ident).Name)
			ret := is.Body.List[0].(*ast.ReturnStmt)
			idx = append(idx, ret.Results[0].(*ast.BasicLit).Value)
		}
		return false
	})
	if len(calls) != len(Invariants) {
		t.Fatalf("checkAll makes %d checks, Invariants has %d", len(calls), len(Invariants))
	}
	for i := range Invariants {
		fn := runtime.FuncForPC(reflect.ValueOf(Invariants[i].check).Pointer()).Name()
		if !strings.HasSuffix(fn, "."+calls[i]) {
			t.Errorf("checkAll's check %d is %s, Invariants[%d] (%s) checks with %s", i, calls[i], i, Invariants[i].Name, fn)
		}
		if want := itoa(int64(i)); idx[i] != want {
			t.Errorf("checkAll's check %d (%s) returns index %s", i, calls[i], idx[i])
		}
	}
}
