package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/humd/humd/transport/mcpserver/mcptest"
)

// post sends one JSON-RPC message as an MCP client of version would and
// answers the HTTP status and body.
func post(t *testing.T, url, version, msg string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(msg))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if !strings.Contains(msg, `"initialize"`) {
		req.Header.Set("Mcp-Protocol-Version", version)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, raw
}

func schemaServer(t *testing.T) *httptest.Server {
	srv := New(Config{Version: "test", Operations: func() []Operation { return ops },
		Execute: func(_ context.Context, r *Request) (*Response, error) {
			if r.Operation.ID == "getContact" {
				return &Response{Status: 404, ContentType: "application/json", Body: []byte(`{"error":{"code":"not_found","message":"not found"}}`)}, nil
			}
			return &Response{Status: 200, ContentType: "application/json", Body: []byte(`{"data":[],"next_cursor":null}`)}, nil
		}})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs
}

// TestAnswersMatchTheMCPSchema validates what the server answers (initialize,
// tools/list, tools/call results, tool errors and JSON-RPC errors) against
// the published MCP schema of each version, and every structuredContent
// against its tool's outputSchema, as the TypeScript SDK does: from its 1.22
// on, a tools/list whose outputSchema has a property schema that is not an
// object (the JSON Schema true) fails the whole listing.
func TestAnswersMatchTheMCPSchema(t *testing.T) {
	hs := schemaServer(t)
	for _, version := range mcptest.Versions {
		t.Run(version, func(t *testing.T) {
			sch, err := mcptest.Load(version)
			if err != nil {
				t.Fatal(err)
			}
			id := 0
			rpc := func(method, params string) []byte {
				t.Helper()
				id++
				msg := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":%q`, id, method)
				if params != "" {
					msg += `,"params":` + params
				}
				status, raw := post(t, hs.URL, version, msg+"}")
				if status != 200 {
					t.Fatalf("%s: HTTP %d %s", method, status, raw)
				}
				if err := sch.Response(method, raw); err != nil {
					t.Errorf("%s answer does not match the MCP %s schema: %v", method, version, err)
				}
				return raw
			}
			init := rpc("initialize", `{"protocolVersion":"`+version+`","capabilities":{},"clientInfo":{"name":"t","version":"1"}}`)
			if !strings.Contains(string(init), `"protocolVersion":"`+version+`"`) {
				t.Errorf("initialize = %s; want version %s", init, version)
			}
			rpc("ping", "")

			var list struct {
				Result struct {
					Tools []struct {
						Name         string         `json:"name"`
						OutputSchema map[string]any `json:"outputSchema"`
					} `json:"tools"`
				} `json:"result"`
			}
			if err := json.Unmarshal(rpc("tools/list", ""), &list); err != nil || len(list.Result.Tools) != 2 {
				t.Fatalf("tools/list: %v %+v", err, list)
			}
			outputs := map[string]map[string]any{}
			for _, tool := range list.Result.Tools {
				outputs[tool.Name] = tool.OutputSchema
			}

			calls := []struct {
				args    string
				isError bool
			}{
				{`{"name":"search_operations","arguments":{"query":"flows"}}`, false},
				{`{"name":"search_operations","arguments":{"query":"nothing-like-this"}}`, false},
				{`{"name":"execute_operation","arguments":{"operation_id":"listFlows","query":{"limit":5}}}`, false},
				{`{"name":"execute_operation","arguments":{"operation_id":"getContact","path_params":{"id":"c1"}}}`, true},
				{`{"name":"execute_operation","arguments":{"operation_id":"createFlow"}}`, true},
				{`{"name":"execute_operation","arguments":{"operation_id":"nope"}}`, true},
				{`{"name":"execute_operation","arguments":{"operation_id":5}}`, true},
			}
			for _, c := range calls {
				var res struct {
					Result struct {
						IsError           bool            `json:"isError"`
						StructuredContent json.RawMessage `json:"structuredContent"`
					} `json:"result"`
				}
				raw := rpc("tools/call", c.args)
				if err := json.Unmarshal(raw, &res); err != nil || res.Result.IsError != c.isError {
					t.Errorf("tools/call %s = %s; want isError %v", c.args, raw, c.isError)
				}
				var name struct{ Name string }
				_ = json.Unmarshal([]byte(c.args), &name)
				if sc := res.Result.StructuredContent; sc != nil {
					if err := mcptest.Conforms(outputs[name.Name], sc); err != nil {
						t.Errorf("tools/call %s: structuredContent does not match the tool's outputSchema: %v", c.args, err)
					}
				} else if !c.isError {
					t.Errorf("tools/call %s: no structuredContent, though the tool has an outputSchema", c.args)
				}
			}

			// JSON-RPC errors: an unknown tool is invalid params, an unknown
			// method -32601 (not go-sdk's HTTP 400), and an unknown
			// notification is accepted with no answer.
			for method, want := range map[string]string{"tools/call": `"code":-32602`, "nope/nope": `"code":-32601`} {
				if raw := rpc(method, `{"name":"nope","arguments":{}}`); !strings.Contains(string(raw), want) {
					t.Errorf("%s = %s; want a JSON-RPC error with %s", method, raw, want)
				}
			}
			if status, raw := post(t, hs.URL, version, `{"jsonrpc":"2.0","method":"notifications/nope"}`); status != 202 || len(raw) != 0 {
				t.Errorf("an unknown notification = %d %s; want 202 and no body", status, raw)
			}
		})
	}
}
