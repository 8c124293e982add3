package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPolicy is the project's lint test (STYLE.md 13): rules that keep the
// architecture honest, checked on the syntax tree of every Go file: the
// style rules of checkFile, the layer order of imports (test files
// included), no HTTP made by actors, actors reached only through
// system.Directory, the ownership table of actors/doc.go, and no raw
// request bodies below transport/. The allow-lists of today's violations
// are in policy_allow_test.go; they only shrink.
func TestPolicy(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	dirsWithGo := map[string]bool{}
	dirsWithDoc := map[string]bool{}
	var files []goFile
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && rel != "." || d.Name() == "testdata" || d.Name() == "node_modules" || d.Name() == "data" && rel == "data" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" && strings.Contains(rel, "/gen/") {
			return nil // one-off generators outside the build
		}
		dir := filepath.ToSlash(filepath.Dir(rel))
		isTest := strings.HasSuffix(path, "_test.go")
		if !isTest {
			dirsWithGo[dir] = true
			if filepath.Base(path) == "doc.go" {
				dirsWithDoc[dir] = true
			}
			if n := strings.Count(string(src), "\n"); n > 900 {
				t.Errorf("%s: %d lines; split it by concept (files stay under ~800 lines)", rel, n)
			}
		}
		full, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return err
		}
		checkFile(t, fset, rel, full, isTest)
		files = append(files, goFile{rel: rel, dir: dir, test: isTest, f: full, fset: fset})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "actors", "doc.go"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := os.ReadFile(filepath.Join(root, "storage", "keys.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range layerProblems(files, layerViolations) {
		t.Error(p)
	}
	for _, p := range actorHTTPProblems(files) {
		t.Error(p)
	}
	for _, p := range identityProblems(files) {
		t.Error(p)
	}
	for _, p := range ownershipProblems(files, parseOwnership(string(doc)), string(keys), ownershipViolations) {
		t.Error(p)
	}
	for _, p := range rawBodyProblems(files, rawBodyViolations, rawBodyExempt) {
		t.Error(p)
	}
	for dir := range dirsWithGo {
		if !dirsWithDoc[dir] && !strings.HasPrefix(dir, "cmd/") {
			t.Errorf("%s: package has no doc.go", dir)
		}
	}
}

func importName(f *ast.File, path string) string {
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if p != path {
			continue
		}
		if imp.Name != nil {
			return imp.Name.Name
		}
		return path[strings.LastIndex(path, "/")+1:]
	}
	return ""
}

func checkFile(t *testing.T, fset *token.FileSet, rel string, f *ast.File, isTest bool) {
	t.Helper()
	inActors := strings.HasPrefix(rel, "actors/") && !strings.HasPrefix(rel, "actors/clock/") && !strings.HasPrefix(rel, "actors/actortest/")
	inTransport := strings.HasPrefix(rel, "transport/")
	library := f.Name.Name != "main"
	timePkg := importName(f, "time")
	fmtPkg := importName(f, "fmt")
	atomicPkg := importName(f, "sync/atomic")
	fasthttpPkg := importName(f, "github.com/valyala/fasthttp")
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		x, ok := sel.X.(*ast.Ident)
		if !ok {
			return true
		}
		pos := fset.Position(sel.Pos())
		where := rel + ":" + strconv.Itoa(pos.Line)
		name := sel.Sel.Name
		switch {
		case timePkg != "" && x.Name == timePkg && name == "Sleep" && isTest:
			t.Errorf("%s: time.Sleep in a test; poll with a deadline or advance the fake clock", where)
		case timePkg != "" && x.Name == timePkg && inActors && !isTest &&
			(name == "Now" || name == "Sleep" || name == "After" || name == "AfterFunc" || name == "NewTimer" || name == "NewTicker" || name == "Tick" || name == "Since"):
			t.Errorf("%s: time.%s in actors/; use the injected clock.Clock", where, name)
		case fmtPkg != "" && x.Name == fmtPkg && library && !isTest && strings.HasPrefix(name, "Print"):
			t.Errorf("%s: fmt.%s in library code; use log/slog", where, name)
		case atomicPkg != "" && x.Name == atomicPkg && !isTest && name != "Bool" && name != "Int32" && name != "Int64" &&
			name != "Uint32" && name != "Uint64" && name != "Uintptr" && name != "Pointer" && name != "Value":
			t.Errorf("%s: atomic.%s; use the typed atomics (atomic.Int64, ...)", where, name)
		case fasthttpPkg != "" && x.Name == fasthttpPkg && name == "RequestCtx" && !inTransport && !isTest && !strings.HasPrefix(rel, "bench/"):
			t.Errorf("%s: *fasthttp.RequestCtx outside transport/", where)
		}
		return true
	})
	if inActors && !isTest {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Result" {
				return true
			}
			if inner, ok := sel.X.(*ast.CallExpr); ok {
				if s2, ok := inner.Fun.(*ast.SelectorExpr); ok && s2.Sel.Name == "RequestFuture" {
					t.Errorf("%s:%d: RequestFuture(...).Result() in actors/ blocks a mailbox; use ReenterAfter", rel, fset.Position(call.Pos()).Line)
				}
			}
			return true
		})
	}
}
