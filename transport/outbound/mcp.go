package outbound

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/humd/humd/actors/mcptools"
	"github.com/humd/humd/egresspolicy"
	store "github.com/humd/humd/storage/mcptools"
)

// mcpRemote is the mcptools.Remote of flows' MCP integrations, on the
// official MCP Go SDK's client. Each operation is one short session
// (initialize, the request, close), so humd keeps no connections to customer
// servers between turns.
type mcpRemote struct {
	transport http.RoundTripper
	version   string
	logger    *slog.Logger
}

// MCPRemote answers the MCP client of flows' integrations; version is sent
// as the client's version in initialize. Connections are checked against
// policy when they are dialled, so a DNS answer that changed since the
// integration was saved cannot reach a private address.
func MCPRemote(policy egresspolicy.Policy, version string, logger *slog.Logger) mcptools.Remote {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &mcpRemote{transport: policy.HTTPTransport(), version: version, logger: logger}
}

// withHeader adds the integration's auth header to every request.
type withHeader struct {
	base        http.RoundTripper
	name, value string
}

func (h withHeader) RoundTrip(r *http.Request) (*http.Response, error) {
	if h.name != "" {
		r = r.Clone(r.Context())
		r.Header.Set(h.name, h.value)
	}
	return h.base.RoundTrip(r)
}

func (r *mcpRemote) connect(ctx context.Context, in *store.Integration) (*mcp.ClientSession, error) {
	name, value := in.Header()
	hc := &http.Client{Transport: withHeader{base: r.transport, name: name, value: value},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var t mcp.Transport
	switch in.Transport {
	case store.TransportSSE:
		t = &mcp.SSEClientTransport{Endpoint: in.URL, HTTPClient: hc}
	default:
		t = &mcp.StreamableClientTransport{Endpoint: in.URL, HTTPClient: hc, DisableStandaloneSSE: true, MaxRetries: -1}
	}
	client := mcp.NewClient(&mcp.Implementation{Name: "humd", Version: r.version}, &mcp.ClientOptions{Logger: r.logger})
	cs, err := client.Connect(ctx, t, nil)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", in.Name, err)
	}
	return cs, nil
}

func (r *mcpRemote) ListTools(ctx context.Context, in *store.Integration) ([]mcptools.RemoteTool, error) {
	cs, err := r.connect(ctx, in)
	if err != nil {
		return nil, err
	}
	defer cs.Close()
	out := []mcptools.RemoteTool{}
	for t, err := range cs.Tools(ctx, nil) {
		if err != nil {
			return nil, fmt.Errorf("list the tools of %s: %w", in.Name, err)
		}
		if len(out) == mcptools.MaxListed {
			break
		}
		schema, _ := t.InputSchema.(map[string]any)
		out = append(out, mcptools.RemoteTool{Name: t.Name, Description: t.Description, InputSchema: schema})
	}
	return out, nil
}

func (r *mcpRemote) CallTool(ctx context.Context, in *store.Integration, tool string, args map[string]any) (string, bool, error) {
	cs, err := r.connect(ctx, in)
	if err != nil {
		return "", false, err
	}
	defer cs.Close()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		return "", false, fmt.Errorf("call %s on %s: %w", tool, in.Name, err)
	}
	return resultText(res), res.IsError, nil
}

// resultText flattens a tool result for the model: its text parts, else its
// structured content as JSON; other content is named, not inlined.
func resultText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		switch c := c.(type) {
		case *mcp.TextContent:
			parts = append(parts, c.Text)
		case *mcp.ImageContent:
			parts = append(parts, "[image "+c.MIMEType+"]")
		case *mcp.AudioContent:
			parts = append(parts, "[audio "+c.MIMEType+"]")
		case *mcp.ResourceLink:
			parts = append(parts, "[resource "+c.URI+"]")
		case *mcp.EmbeddedResource:
			if c.Resource != nil && c.Resource.Text != "" {
				parts = append(parts, c.Resource.Text)
			}
		}
	}
	if len(parts) == 0 && res.StructuredContent != nil {
		raw, err := json.Marshal(res.StructuredContent)
		if err == nil {
			return string(raw)
		}
	}
	return strings.Join(parts, "\n")
}
