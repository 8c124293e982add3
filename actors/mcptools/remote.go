package mcptools

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage/mcptools"
)

// RemoteTool is one tool an MCP server lists.
type RemoteTool struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	InputSchema map[string]any `json:"input_schema"`
}

// Remote talks to customer MCP servers. Both calls block on the network.
type Remote interface {
	ListTools(ctx context.Context, in *mcptools.Integration) ([]RemoteTool, error)
	// CallTool answers the tool's text; isError is the server's verdict
	// that the tool failed (its text says why).
	CallTool(ctx context.Context, in *mcptools.Integration, tool string, args map[string]any) (text string, isError bool, err error)
}

// maxListed bounds how many tools one server may list.
const maxListed = 500

// sdkRemote is Remote on the official MCP Go SDK's client. Each operation
// is one short session (initialize, the request, close), so humd keeps no
// connections to customer servers between turns.
type sdkRemote struct {
	transport http.RoundTripper
	version   string
	logger    *slog.Logger
}

// NewRemote answers the SDK client. Connections are checked against policy
// when they are dialled, so a DNS answer that changed since the integration
// was saved cannot reach a private address.
func NewRemote(policy egresspolicy.Policy, version string, logger *slog.Logger) Remote {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &sdkRemote{transport: policy.HTTPTransport(), version: version, logger: logger}
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

func (r *sdkRemote) connect(ctx context.Context, in *mcptools.Integration) (*mcp.ClientSession, error) {
	name, value := in.Header()
	hc := &http.Client{Transport: withHeader{base: r.transport, name: name, value: value},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var t mcp.Transport
	switch in.Transport {
	case mcptools.TransportSSE:
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

func (r *sdkRemote) ListTools(ctx context.Context, in *mcptools.Integration) ([]RemoteTool, error) {
	cs, err := r.connect(ctx, in)
	if err != nil {
		return nil, err
	}
	defer cs.Close()
	out := []RemoteTool{}
	for t, err := range cs.Tools(ctx, nil) {
		if err != nil {
			return nil, fmt.Errorf("list the tools of %s: %w", in.Name, err)
		}
		if len(out) == maxListed {
			break
		}
		schema, _ := t.InputSchema.(map[string]any)
		out = append(out, RemoteTool{Name: t.Name, Description: t.Description, InputSchema: schema})
	}
	return out, nil
}

func (r *sdkRemote) CallTool(ctx context.Context, in *mcptools.Integration, tool string, args map[string]any) (string, bool, error) {
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
