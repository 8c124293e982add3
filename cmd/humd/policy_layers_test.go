package main

import (
	"go/ast"
	"go/token"
	"strconv"
	"strings"
)

const modulePath = "github.com/humd/humd"

// goFile is one parsed Go file of the module, as the policy checks see it.
type goFile struct {
	rel  string // path from the module root, slash-separated
	dir  string // the package directory ("." for the root)
	test bool
	f    *ast.File
	fset *token.FileSet
}

func (g goFile) line(p token.Pos) string {
	return g.rel + ":" + strconv.Itoa(g.fset.Position(p).Line)
}

// layerOf ranks a package directory in the layer order of DESIGN18:
// egresspolicy < storage < actors < transport < app < bench < cmd. ok is
// false for a directory outside every layer.
func layerOf(dir string) (rank int, ok bool) {
	under := func(root string) bool { return dir == root || strings.HasPrefix(dir, root+"/") }
	switch {
	case under("egresspolicy"):
		return 0, true
	case under("storage"):
		return 1, true
	case under("actors"):
		return 2, true
	case under("transport"):
		return 3, true
	case under("app"):
		return 4, true
	case under("bench"):
		return 5, true
	case under("cmd"):
		return 6, true
	}
	return 0, false
}

// apiArea answers the area of a transport/api/<area>/... directory.
func apiArea(dir string) (string, bool) {
	rest, ok := strings.CutPrefix(dir, "transport/api/")
	if !ok {
		return "", false
	}
	area, _, _ := strings.Cut(rest, "/")
	return area, true
}

// serviceArea reports whether dir is a package under actors/service (an
// area, or svcbase).
func serviceArea(dir string) bool { return strings.HasPrefix(dir, "actors/service/") }

// layerProblems checks every import of our own packages against the layer
// order, test files included. allowed holds today's violations as
// "<file> imports <package>"; an entry that no longer matches is reported
// too, so the list only shrinks.
func layerProblems(files []goFile, allowed map[string]string) []string {
	var out []string
	used := map[string]bool{}
	for _, g := range files {
		from, ok := layerOf(g.dir)
		if !ok {
			out = append(out, g.rel+": package "+g.dir+" is outside the layer order (egresspolicy, storage, actors, transport, app, bench, cmd)")
			continue
		}
		for _, imp := range g.f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			to, ours := strings.CutPrefix(path, modulePath+"/")
			if !ours {
				continue
			}
			var why string
			toRank, known := layerOf(to)
			fromArea, fromAPI := apiArea(g.dir)
			toArea, toAPI := apiArea(to)
			switch {
			case strings.HasPrefix(to, "cmd/"):
				why = "nothing imports cmd/"
			case !known:
				why = to + " is outside the layer order"
			case toRank > from:
				why = "imports against the layer order (egresspolicy < storage < actors < transport < app < bench < cmd)"
			case fromAPI && toAPI && fromArea != toArea:
				why = "transport/api areas never import each other; shared wire helpers live in transport/httpapi"
			case (to == "actors/service" || strings.HasPrefix(to, "actors/service/")) && strings.HasPrefix(g.dir, "actors/") &&
				g.dir != "actors/service" && !strings.HasPrefix(g.dir, "actors/service/"):
				why = "an actor kind never imports actors/service (the service layer imports the kinds)"
			case serviceArea(g.dir) && g.dir != "actors/service/svcbase" && (to == "actors/service" ||
				serviceArea(to) && to != "actors/service/svcbase" && to != g.dir):
				why = "an area of actors/service imports actors/service/svcbase, never the facade or another area"
			case g.dir == "actors/service/svcbase" && (to == "actors/service" || serviceArea(to)):
				why = "actors/service/svcbase imports no area and not the facade: the areas import it"
			default:
				continue
			}
			key := g.rel + " imports " + to
			if _, ok := allowed[key]; ok {
				used[key] = true
				continue
			}
			out = append(out, g.line(imp.Pos())+": "+g.dir+" imports "+to+": "+why)
		}
	}
	for key := range allowed {
		if !used[key] {
			out = append(out, "layer allow-list: "+key+" no longer happens; remove the entry")
		}
	}
	return out
}

// identityProblems checks that actors are spawned and asked only through
// system.Directory (actors/system): elsewhere no code spawns an actor or
// requests a PID directly, so no PID is kept across messages. Tests may.
func identityProblems(files []goFile) []string {
	var out []string
	for _, g := range files {
		if g.test || g.dir == "actors/system" || importName(g.f, "github.com/asynkron/protoactor-go/actor") == "" {
			continue
		}
		ast.Inspect(g.f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch sel.Sel.Name {
			case "Spawn", "SpawnNamed", "SpawnPrefix", "RequestFuture":
				out = append(out, g.line(call.Pos())+": "+sel.Sel.Name+" outside actors/system; reach actors by system.Ref through the system.Directory")
			}
			return true
		})
	}
	return out
}

// httpClients are the packages that make HTTP requests.
var httpClients = []string{"net/http", "github.com/valyala/fasthttp", "github.com/modelcontextprotocol/go-sdk/mcp"}

// actorHTTPProblems checks that no actor package makes HTTP itself: it
// declares the small interface it needs and transport/outbound (or
// transport/twilio, transport/llm) implements it. Tests may run servers, and
// so may actors/actortest, the harness they run on (its loopback poster is a
// test's stand-in for transport/outbound).
func actorHTTPProblems(files []goFile) []string {
	var out []string
	for _, g := range files {
		if g.test || !strings.HasPrefix(g.dir, "actors/") || g.dir == "actors/actortest" {
			continue
		}
		for _, imp := range g.f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, c := range httpClients {
				if path == c {
					out = append(out, g.line(imp.Pos())+": "+g.dir+" imports "+path+"; actors make no HTTP, transport/outbound does")
				}
			}
		}
	}
	return out
}
