package httptools

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/flowtools"
	"github.com/humd/humd/storage/storagetest"
)

// fakeSender answers by path: /ok at once, /hang when ctx ends; it records
// the requests.
type fakeSender struct {
	mu   sync.Mutex
	reqs []*Request
}

func (f *fakeSender) send(ctx context.Context, r *Request) (*Response, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, r)
	f.mu.Unlock()
	switch {
	case strings.HasSuffix(r.URL, "/ok"):
		return &Response{Status: 200, Body: []byte(`{"n":7}`)}, nil
	case strings.HasSuffix(r.URL, "/hang"):
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return &Response{Status: 404, Body: []byte("no")}, nil
}

func newService(t *testing.T) (*Service, *fakeSender, storage.Store) {
	t.Helper()
	st := storagetest.OpenMem(t)
	f := &fakeSender{}
	clk := clock.NewFake(time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC))
	return New(Config{Store: st, Clock: clk, Policy: egresspolicy.Policy{AllowPrivate: true}, Send: f.send}), f, st
}

func addTool(t *testing.T, st storage.Store, flow, body string) *flowtools.Tool {
	t.Helper()
	tl, _, err := flowtools.Create(st, "org_1", flow, storagetest.Typed[flowtools.Input](t, []byte(body)), egresspolicy.Policy{AllowPrivate: true}, time.Now())
	if err != nil {
		t.Fatalf("create %s: %v", body, err)
	}
	return tl
}

// TestPreCallHookKeepsTheBudget: a hook that would outlast the call's
// budget is cut short in time for the others' lines (and its fallback) to
// count; disabled and in_call bindings do not run.
func TestPreCallHookKeepsTheBudget(t *testing.T) {
	s, f, st := newService(t)
	addTool(t, st, "flow_1", `{"name":"fast","mode":"pre_call","method":"GET","url":"http://tools.test/ok","output_template":"n={{.json.n}} for {{.call.from}}"}`)
	addTool(t, st, "flow_1", `{"name":"stuck","mode":"pre_call","method":"GET","url":"http://tools.test/hang","timeout_ms":10000,"fallback_template":"stuck: {{.error}}"}`)
	addTool(t, st, "flow_1", `{"name":"off","mode":"pre_call","url":"http://tools.test/ok","enabled":false}`)
	addTool(t, st, "flow_1", `{"name":"later","mode":"in_call","url":"http://tools.test/ok"}`)

	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	out, err := s.PreCallHook(ctx, &calls.Call{ID: "call_1", OrgID: "org_1", FlowID: "flow_1", From: "+13175550100", Direction: "inbound"})
	if err != nil || ctx.Err() != nil {
		t.Fatalf("PreCallHook = %q, %v; returned after the budget: %v", out, err, ctx.Err())
	}
	if want := "n=7 for +13175550100\nstuck: no answer within the time the call or run had left"; out != want {
		t.Errorf("PreCallHook = %q; want %q", out, want)
	}
	if len(f.reqs) != 2 {
		t.Errorf("requests = %d; want 2 (enabled pre_call only)", len(f.reqs))
	}
}

// external is another tool set, for the chain.
type external struct{}

func (external) Tools(context.Context, string, string) ([]ai.Tool, error) {
	return []ai.Tool{{Name: "mcp_x__y"}}, errors.New("one server down")
}

func (external) Call(_ context.Context, _, _ string, _ ai.Subject, c ai.ToolCall) (string, bool, error) {
	if c.Name == "mcp_x__y" {
		return "from mcp", true, nil
	}
	return "", false, nil
}

// TestCallThroughChain: the chain offers both sets, each name reaches its
// owner, unknown http_ names are refused without a request, and other
// names are left to the built-ins.
func TestCallThroughChain(t *testing.T) {
	s, f, st := newService(t)
	addTool(t, st, "flow_1", `{"name":"count","mode":"in_call","url":"http://tools.test/{{urlpath .args.kind}}","output_template":"{{.json.n}} {{.args.kind}}"}`)
	addTool(t, st, "flow_1", `{"name":"gone","mode":"in_call","url":"http://tools.test/missing"}`)
	ext := ai.Chain(external{}, nil, s)
	tools, err := ext.Tools(context.Background(), "org_1", "flow_1")
	var names []string
	for _, tl := range tools {
		names = append(names, tl.Name)
	}
	if fmt.Sprint(names) != "[mcp_x__y http_count http_gone]" || err == nil {
		t.Errorf("Tools = %v, %v; want both sets and the error", names, err)
	}
	sub := ai.Subject{Type: ai.SubjectConversation, ID: "conv_1"}
	for _, c := range []struct {
		name, args, out, err string
		handled              bool
	}{
		{"mcp_x__y", `{}`, "from mcp", "", true},
		{"http_count", `{"kind":"ok"}`, "7 ok", "", true},
		{"http_gone", `{}`, "", "HTTP 404", true},
		{"http_nope", `{}`, "", "not available", true},
		{"http_count", `[1]`, "", "JSON object", true},
		{"end_call", `{}`, "", "", false},
	} {
		out, handled, err := ext.Call(context.Background(), "org_1", "flow_1", sub, ai.ToolCall{Name: c.name, Arguments: c.args})
		if out != c.out || handled != c.handled || (c.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("Call(%s %s) = %q, %v, %v; want %q, %v, error %q", c.name, c.args, out, handled, err, c.out, c.handled, c.err)
		}
	}
	if len(f.reqs) != 2 {
		t.Errorf("requests = %d; want 2", len(f.reqs))
	}
	// A rendered URL may not leave the saved host.
	evil := addTool(t, st, "flow_1", `{"name":"evil","mode":"in_call","url":"http://tools.test/{{.args.p}}"}`)
	for _, p := range []string{"@other.test/x", "/other.test/x", "x#@other.test"} {
		_, _, _ = s.Call(context.Background(), "org_1", "flow_1", sub, ai.ToolCall{Name: evil.ModelName, Arguments: `{"p":"` + p + `"}`})
	}
	for _, r := range f.reqs {
		if !strings.HasPrefix(r.URL, "http://tools.test/") {
			t.Errorf("request left the saved host: %s", r.URL)
		}
	}
}
