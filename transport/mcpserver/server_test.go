package mcpserver

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

var ops = []Operation{
	{ID: "listFlows", Method: "GET", Path: "/api/flows", Summary: "AI agents (flows)", Tag: "Flows", Role: "viewer"},
	{ID: "createFlow", Method: "POST", Path: "/api/flows", Summary: "Create a flow", Tag: "Flows", Role: "admin", Consequential: true},
	{ID: "getContact", Method: "GET", Path: "/api/contacts/{id}", Summary: "One contact", Tag: "Contacts", Role: "viewer", PathParams: []string{"id"}},
	{ID: "unblock", Method: "DELETE", Path: "/api/blocklist/{e164}", Summary: "Unblock a number", Tag: "Contacts", Role: "operator",
		Consequential: true, PathParams: []string{"e164"}},
}

func ids(ops []Operation) string {
	var out []string
	for _, op := range ops {
		out = append(out, op.ID)
	}
	return strings.Join(out, ",")
}

func TestSearch(t *testing.T) {
	cases := []struct{ query, tag, want string }{
		{"flows", "", "listFlows,createFlow"},
		{"FLOW create", "", "createFlow"},
		{"", "", "listFlows,createFlow,getContact,unblock"},
		{"", "contacts", "getContact,unblock"},
		{"flows", "Contacts", ""},
		{"delete", "", "unblock"},
		{"nothing-like-this", "", ""},
	}
	for _, c := range cases {
		if got := ids(Search(ops, c.query, c.tag)); got != c.want {
			t.Errorf("Search(%q, %q) = %s; want %s", c.query, c.tag, got, c.want)
		}
	}
}

func TestPrepare(t *testing.T) {
	r, err := Prepare(ops[3], map[string]string{"e164": "+13175550100"}, map[string]any{"limit": 10.0, "tag": []any{"a", "b"}, "x": nil}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Path != "/api/blocklist/+13175550100" || r.Query.Encode() != "limit=10&tag=a&tag=b" || r.Body != nil {
		t.Errorf("Prepare = %q %q %q", r.Path, r.Query.Encode(), r.Body)
	}
	if r, _ := Prepare(ops[2], map[string]string{"id": "a/b?c"}, nil, nil); r.Path != "/api/contacts/a%2Fb%3Fc" {
		t.Errorf("escaped path = %q", r.Path)
	}
	if _, err := Prepare(ops[2], nil, nil, nil); err == nil || !strings.Contains(err.Error(), "id") {
		t.Errorf("missing path param: %v", err)
	}
	for _, body := range []any{map[string]any{"name": "x"}, `{"name":"x"}`, ` {"name": "x"} `} {
		r, err := Prepare(ops[1], nil, nil, body)
		if err != nil || strings.ReplaceAll(string(r.Body), " ", "") != `{"name":"x"}` {
			t.Errorf("Prepare body %#v = %s, %v", body, r.Body, err)
		}
	}
	if r, _ := Prepare(ops[1], nil, nil, "plain"); string(r.Body) != `"plain"` {
		t.Errorf("a plain string body = %s", r.Body)
	}
}

func TestAPIKey(t *testing.T) {
	for h, want := range map[string]string{"Authorization: Bearer k1": "k1", "Authorization: bearer  k2 ": "k2", "X-Api-Key: k3": "k3", "Authorization: Basic x": ""} {
		name, val, _ := strings.Cut(h, ": ")
		if got := APIKey(http.Header{name: {val}}); got != want {
			t.Errorf("APIKey(%s) = %q; want %q", h, got, want)
		}
	}
}

// TestConfirmGate runs the SDK's client against the handler: a consequential
// operation reaches the executor only with confirm: true.
func TestConfirmGate(t *testing.T) {
	var mu sync.Mutex
	var ran []string
	srv := New(Config{Version: "test", Operations: func() []Operation { return ops },
		Execute: func(_ context.Context, r *Request) (*Response, error) {
			mu.Lock()
			ran = append(ran, r.Operation.ID+" "+r.Path+" key="+r.APIKey)
			mu.Unlock()
			if r.Operation.ID == "unblock" {
				return nil, errors.New("store closed")
			}
			return &Response{Status: 200, ContentType: "application/json", Body: []byte(`{"ok":true}`)}, nil
		}})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("X-Api-Key", "hum_live_k")
		srv.Handler().ServeHTTP(w, r)
	}))
	defer hs.Close()
	ctx := context.Background()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).Connect(ctx,
		&mcp.StreamableClientTransport{Endpoint: hs.URL, DisableStandaloneSSE: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	run := func(args map[string]any) *mcp.CallToolResult {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "execute_operation", Arguments: args})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := run(map[string]any{"operation_id": "createFlow"}); !res.IsError {
		t.Errorf("unconfirmed createFlow is not an error")
	}
	if res := run(map[string]any{"operation_id": "nope", "confirm": true}); !res.IsError {
		t.Errorf("unknown operation is not an error")
	}
	if res := run(map[string]any{"operation_id": "listFlows"}); res.IsError {
		t.Errorf("listFlows failed: %v", res.Content)
	}
	if res := run(map[string]any{"operation_id": "createFlow", "confirm": true, "body": map[string]any{"name": "x"}}); res.IsError {
		t.Errorf("confirmed createFlow failed: %v", res.Content)
	}
	if res := run(map[string]any{"operation_id": "unblock", "confirm": true, "path_params": map[string]any{"e164": "+1"}}); !res.IsError {
		t.Errorf("an executor failure is not an error")
	}
	want := "listFlows /api/flows key=hum_live_k|createFlow /api/flows key=hum_live_k|unblock /api/blocklist/+1 key=hum_live_k"
	if got := strings.Join(ran, "|"); got != want {
		t.Errorf("ran %s; want %s", got, want)
	}
}
