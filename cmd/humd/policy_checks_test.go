package main

import (
	"go/parser"
	"go/token"
	"path"
	"strings"
	"testing"
)

// Each policy check fails on a synthetic file that breaks its rule, and
// stays quiet on one that keeps it: a check that never fires checks nothing.

func synth(t *testing.T, rel, src string) goFile {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, rel, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	return goFile{rel: rel, dir: path.Dir(rel), test: strings.HasSuffix(rel, "_test.go"), f: f, fset: fset}
}

func wantProblems(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d problems %q; want %d", what, len(got), got, len(want))
		return
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("%s: problem %q; want it to mention %q", what, got[i], w)
		}
	}
}

func TestPolicyLayerCheck(t *testing.T) {
	imp := func(paths ...string) string {
		return "package x\nimport (\n\t\"" + modulePath + "/" + strings.Join(paths, "\"\n\t\""+modulePath+"/") + "\"\n)\n"
	}
	cases := []struct {
		rel, src, want string
	}{
		{"actors/call/x_test.go", imp("transport/sandbox"), "against the layer order"},
		{"storage/sms/x.go", imp("actors/clock"), "against the layer order"},
		{"egresspolicy/x.go", imp("storage"), "against the layer order"},
		{"app/x.go", imp("bench"), "against the layer order"},
		{"transport/api/smsapi/x.go", imp("transport/api/voiceapi"), "never import each other"},
		{"actors/call/x.go", imp("actors/service"), "never imports actors/service"},
		{"actors/service/smssvc/x.go", imp("actors/service/voicesvc"), "never the facade or another area"},
		{"actors/service/smssvc/x_test.go", imp("actors/service"), "never the facade or another area"},
		{"actors/service/svcbase/x.go", imp("actors/service/smssvc"), "svcbase imports no area"},
		{"cmd/humbench/x.go", imp("cmd/humd"), "nothing imports cmd/"},
		{"tools/x.go", imp("storage"), "outside the layer order"},
	}
	for _, c := range cases {
		wantProblems(t, c.rel, layerProblems([]goFile{synth(t, c.rel, c.src)}, nil), c.want)
	}
	ok := []goFile{
		synth(t, "transport/api/smsapi/x.go", imp("transport/httpapi", "actors/conversation", "storage/sms", "egresspolicy")),
		synth(t, "actors/service/x.go", imp("actors/call", "actors/service/internal")),
		synth(t, "actors/service/smssvc/x.go", imp("actors/conversation", "actors/service/svcbase")),
		synth(t, "bench/x.go", imp("app", "transport/twilio")),
		synth(t, "cmd/humd/x.go", imp("app", "bench")),
		synth(t, "actors/campaign/x_test.go", imp("actors/conversation", "actors/actortest", "storage")),
	}
	wantProblems(t, "imports in order", layerProblems(ok, nil))
	bad := synth(t, "actors/call/x_test.go", imp("transport/sandbox"))
	wantProblems(t, "an allowed violation", layerProblems([]goFile{bad}, map[string]string{"actors/call/x_test.go imports transport/sandbox": ""}))
	wantProblems(t, "a stale allow-list entry", layerProblems(ok, map[string]string{"actors/call/x_test.go imports transport/sandbox": ""}),
		"no longer happens")
}

func TestPolicyActorHTTPCheck(t *testing.T) {
	src := "package x\nimport (\n\t\"net/http\"\n\t\"github.com/modelcontextprotocol/go-sdk/mcp\"\n)\n"
	wantProblems(t, "HTTP in an actor", actorHTTPProblems([]goFile{synth(t, "actors/httptools/x.go", src)}), "net/http", "go-sdk/mcp")
	wantProblems(t, "HTTP in transport/outbound", actorHTTPProblems([]goFile{synth(t, "transport/outbound/x.go", src)}))
	wantProblems(t, "a loopback server in an actor test", actorHTTPProblems([]goFile{synth(t, "actors/httptools/x_test.go", src)}))
}

func TestPolicyIdentityCheck(t *testing.T) {
	src := "package x\nimport \"github.com/asynkron/protoactor-go/actor\"\n" +
		"func f(root *actor.RootContext, p *actor.Props, pid *actor.PID) { root.Spawn(p); root.RequestFuture(pid, 1, 0) }\n"
	wantProblems(t, "spawn outside actors/system", identityProblems([]goFile{synth(t, "actors/call/x.go", src)}), "Spawn outside", "RequestFuture outside")
	wantProblems(t, "spawn in actors/system", identityProblems([]goFile{synth(t, "actors/system/x.go", src)}))
	wantProblems(t, "spawn in a test", identityProblems([]goFile{synth(t, "actors/call/x_test.go", src)}))
}

func TestPolicyOwnershipCheck(t *testing.T) {
	doc := "// Package actors.\n//\n" +
		"//\tfamily: msg/ conv/\n//\towner: actors/conversation\n//\twriters: storage/sms.PutMessage\n//\t         storage/sms.PutConversation\n//\n" +
		"//\tfamily: number/\n//\towner: storage/sms\n//\twriters: storage/sms.PutNumber\n" +
		"package actors\n"
	rows := parseOwnership(doc)
	if len(rows) != 2 || len(rows[0].writers) != 2 || rows[0].owner != "actors/conversation" || rows[1].families[0] != "number/" {
		t.Fatalf("parseOwnership = %+v", rows)
	}
	keys := "//\tmsg/<org>/<conv>/<U64 seq>   -> sms.Message\n//\tnumber/<org>/<number>   -> sms.Number\n"
	storageSMS := synth(t, "storage/sms/w.go", "package sms\nfunc PutMessage() {}\nfunc PutConversation() { PutMessage() }\nfunc PutNumber() {}\n")
	caller := func(rel string) goFile {
		return synth(t, rel, "package x\nimport \"github.com/humd/humd/storage/sms\"\nfunc f() { sms.PutMessage(); sms.PutNumber() }\n")
	}
	files := []goFile{storageSMS, caller("transport/httpapi/x.go")}
	wantProblems(t, "a handler writes an actor's family", ownershipProblems(files, rows, keys, nil), "calls storage/sms.PutMessage")
	wantProblems(t, "the owner writes", ownershipProblems([]goFile{storageSMS, caller("actors/conversation/x.go")}, rows, keys, nil))
	wantProblems(t, "a test writes a fixture", ownershipProblems([]goFile{storageSMS, caller("app/x_test.go")}, rows, keys, nil))
	wantProblems(t, "an allowed violation", ownershipProblems(files, rows, keys,
		map[string]string{"transport/httpapi calls storage/sms.PutMessage": ""}))
	wantProblems(t, "a stale allow-list entry", ownershipProblems([]goFile{storageSMS}, rows, keys,
		map[string]string{"transport/httpapi calls storage/sms.PutMessage": ""}), "no longer happens")
	wantProblems(t, "a family without a row", ownershipProblems([]goFile{storageSMS}, rows, keys+"//\tblock/<org>/<e164>   -> sms.Block\n", nil),
		"key family block/")
	wantProblems(t, "a writer that does not exist", ownershipProblems([]goFile{synth(t, "storage/sms/w.go", "package sms\nfunc PutMessage() {}\nfunc PutNumber() {}\n")},
		rows, keys, nil), "storage/sms.PutConversation")
}

func TestPolicyRawBodyCheck(t *testing.T) {
	src := "package repo\nimport \"encoding/json\"\n" +
		"type Repo struct{}\ntype hidden struct{}\n" +
		"func Create(org string, body []byte) error { return nil }\n" +
		"func (r *Repo) Patch(id string, raw json.RawMessage) error { return nil }\n" +
		"func Apply(fields map[string]json.RawMessage) {}\n" +
		"func Key(org string, key []byte) {}\n" +
		"func create(body []byte) {}\n" +
		"func (h *hidden) Put(body []byte) {}\n" +
		"func (r *Repo) UnmarshalJSON(raw []byte) error { return nil }\n"
	files := []goFile{synth(t, "storage/repo/x.go", src)}
	wantProblems(t, "raw bodies below transport", rawBodyProblems(files, nil, nil),
		"storage/repo.Create takes a raw request", "storage/repo.Repo.Patch takes a raw request", "storage/repo.Apply takes a raw request")
	wantProblems(t, "raw bodies in transport", rawBodyProblems([]goFile{synth(t, "transport/httpapi/x.go", src)}, nil, nil))
	wantProblems(t, "allowed and exempt", rawBodyProblems(files,
		map[string]string{"storage/repo.Create": "", "storage/repo.Repo.Patch": ""}, map[string]string{"storage/repo.Apply": ""}))
	wantProblems(t, "a stale allow-list entry", rawBodyProblems(nil, map[string]string{"storage/repo.Create": ""}, nil), "no raw request any more")
}
