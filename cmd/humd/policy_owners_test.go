package main

import (
	"go/ast"
	"strconv"
	"strings"
)

// ownerRow is one row of the ownership table in actors/doc.go.
type ownerRow struct {
	families []string
	owner    string   // a package directory: actors/<kind>, storage/<repo>, app
	writers  []string // "<package dir>.<Func>" or "<package dir>.<Type>.<Method>", or "direct"
}

// parseOwnership reads the table: blocks of "family:", "owner:" and
// "writers:" lines in the package comment, writers continued on indented
// lines.
func parseOwnership(doc string) []ownerRow {
	var rows []ownerRow
	var cur *ownerRow
	last := ""
	for _, line := range strings.Split(doc, "\n") {
		text, ok := strings.CutPrefix(line, "//\t")
		if !ok {
			cur, last = nil, ""
			continue
		}
		switch {
		case strings.HasPrefix(text, "family: "):
			rows = append(rows, ownerRow{families: strings.Fields(strings.TrimPrefix(text, "family: "))})
			cur, last = &rows[len(rows)-1], "family"
		case cur != nil && strings.HasPrefix(text, "owner: "):
			cur.owner, last = strings.TrimSpace(strings.TrimPrefix(text, "owner: ")), "owner"
		case cur != nil && strings.HasPrefix(text, "writers: "):
			cur.writers, last = append(cur.writers, strings.Fields(strings.TrimPrefix(text, "writers: "))...), "writers"
		case cur != nil && strings.HasPrefix(text, " ") && last == "writers":
			cur.writers = append(cur.writers, strings.Fields(text)...)
		case cur != nil && strings.HasPrefix(text, " ") && last == "family":
			cur.families = append(cur.families, strings.Fields(text)...)
		}
	}
	return rows
}

// familyOf cuts a key layout entry (org/<org>, seq/<org>/event) to its
// family (org/, seq/).
func familyOf(s string) string {
	if i := strings.IndexByte(s, '<'); i >= 0 {
		return s[:i]
	}
	return s
}

// ownershipProblems checks the table against the code and the code against
// the table: every key family of storage/keys.go has a row with an owner;
// every writer named exists; and a writer of an actor-owned family is
// called (outside tests) only from its owner's package or its own.
// allowed holds today's violations as "<package> calls <writer>"; an
// entry that no longer matches is reported, so the list only shrinks.
func ownershipProblems(files []goFile, rows []ownerRow, keyLayout string, allowed map[string]string) []string {
	var out []string
	owners := map[string]string{} // writer -> owner, for actor-owned rows
	covered := map[string]bool{}
	for _, r := range rows {
		if r.owner == "" || len(r.writers) == 0 {
			out = append(out, "actors/doc.go: the row of "+strings.Join(r.families, " ")+" needs an owner and writers")
		}
		for _, f := range r.families {
			covered[familyOf(f)] = true
		}
		for _, w := range r.writers {
			if strings.HasPrefix(r.owner, "actors/") && w != "direct" {
				owners[w] = r.owner
			}
		}
	}
	for _, line := range strings.Split(keyLayout, "\n") {
		text, ok := strings.CutPrefix(line, "//\t")
		if !ok || !strings.Contains(text, "->") {
			continue
		}
		if fam := familyOf(strings.Fields(text)[0]); !covered[fam] {
			out = append(out, "actors/doc.go: key family "+fam+" (storage/keys.go) has no row in the ownership table")
		}
	}
	// Every writer the table names is declared where it says.
	declared := map[string]bool{}
	for _, g := range files {
		if g.test {
			continue
		}
		for _, d := range g.f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			declared[g.dir+"."+funcName(fd)] = true
		}
	}
	for _, r := range rows {
		for _, w := range r.writers {
			if w != "direct" && !declared[w] {
				out = append(out, "actors/doc.go: writer "+w+" (owner "+r.owner+") is declared nowhere; keep the table true")
			}
		}
	}
	used := map[string]bool{}
	for _, g := range files {
		if g.test {
			continue
		}
		imports := map[string]string{} // name -> package dir
		for _, imp := range g.f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			dir, ours := strings.CutPrefix(path, modulePath+"/")
			if !ours {
				continue
			}
			name := dir[strings.LastIndex(dir, "/")+1:]
			if imp.Name != nil {
				name = imp.Name.Name
			}
			imports[name] = dir
		}
		check := func(pos ast.Node, writer string) {
			owner, ok := owners[writer]
			pkg := writer[:strings.LastIndex(writer, ".")]
			if !ok || g.dir == owner || g.dir == pkg {
				return
			}
			key := g.dir + " calls " + writer
			if _, ok := allowed[key]; ok {
				used[key] = true
				return
			}
			out = append(out, g.line(pos.Pos())+": "+g.dir+" calls "+writer+", a writer of a family "+owner+
				" owns (actors/doc.go); send the owner a message instead")
		}
		ast.Inspect(g.f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if fn, ok := call.Fun.(*ast.SelectorExpr); ok {
				if x, ok := fn.X.(*ast.Ident); ok && imports[x.Name] != "" {
					check(call, imports[x.Name]+"."+fn.Sel.Name)
				}
			}
			return true
		})
	}
	for key := range allowed {
		if !used[key] {
			out = append(out, "ownership allow-list: "+key+" no longer happens; remove the entry")
		}
	}
	return out
}

// funcName is Func, or Type.Method for a method.
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + fd.Name.Name
	}
	return fd.Name.Name
}
