package main

import (
	"go/ast"
	"strings"
)

// rawBodyProblems finds exported functions and methods of storage/... and
// actors/... that take a raw request: a []byte or json.RawMessage
// parameter named body, raw or payload, or a decoded-but-untyped request
// (map[string]json.RawMessage). Wire formats are decoded in transport/;
// below it functions take typed values. UnmarshalJSON and the like, which
// an interface dictates, are exempt. allowed holds today's offenders as
// "<package dir>.<Func>" or "<package dir>.<Type>.<Method>"; an entry that
// no longer matches is reported, so the list only shrinks; exempt holds
// the few that are not requests (codecs of stored values).
func rawBodyProblems(files []goFile, allowed, exempt map[string]string) []string {
	var out []string
	used := map[string]bool{}
	for _, g := range files {
		if g.test || !(strings.HasPrefix(g.dir, "storage") || strings.HasPrefix(g.dir, "actors")) {
			continue
		}
		for _, d := range g.f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !fd.Name.IsExported() || fd.Recv != nil && !receiverExported(fd) {
				continue
			}
			switch fd.Name.Name {
			case "UnmarshalJSON", "UnmarshalText", "UnmarshalBinary", "Write":
				continue
			}
			for _, p := range fd.Type.Params.List {
				kind := rawKind(p.Type)
				if kind == "" {
					continue
				}
				for _, n := range p.Names {
					if kind != "map[string]json.RawMessage" && n.Name != "body" && n.Name != "raw" && n.Name != "payload" {
						continue
					}
					key := g.dir + "." + funcName(fd)
					if _, ok := exempt[key]; ok {
						continue
					}
					if _, ok := allowed[key]; ok {
						used[key] = true
						continue
					}
					out = append(out, g.line(n.Pos())+": "+key+" takes a raw request ("+n.Name+" "+kind+
						"); decode the wire format in transport/ and take a typed value")
				}
			}
		}
	}
	for key := range allowed {
		if !used[key] {
			out = append(out, "raw-body allow-list: "+key+" takes no raw request any more; remove the entry")
		}
	}
	return out
}

func receiverExported(fd *ast.FuncDecl) bool {
	name := funcName(fd)
	return ast.IsExported(name[:strings.IndexByte(name+".", '.')])
}

// rawKind names a parameter type that can carry a raw request, "" for any
// other.
func rawKind(t ast.Expr) string {
	switch x := t.(type) {
	case *ast.ArrayType:
		if id, ok := x.Elt.(*ast.Ident); ok && id.Name == "byte" && x.Len == nil {
			return "[]byte"
		}
	case *ast.SelectorExpr:
		if x.Sel.Name == "RawMessage" {
			return "json.RawMessage"
		}
	case *ast.MapType:
		if rawKind(x.Value) == "json.RawMessage" {
			return "map[string]json.RawMessage"
		}
	}
	return ""
}
