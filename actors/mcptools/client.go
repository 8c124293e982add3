package mcptools

import (
	"context"
	"errors"

	"github.com/humd/humd/storage/mcptools"
)

// RemoteTool is one tool an MCP server lists.
type RemoteTool struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	InputSchema map[string]any `json:"input_schema"`
}

// Remote talks to customer MCP servers. Both calls block on the network, so
// the service makes them from worker goroutines and handlers, never from
// Receive. transport/outbound implements it (MCPRemote) on the MCP Go SDK's
// client: this package makes no HTTP itself.
type Remote interface {
	ListTools(ctx context.Context, in *mcptools.Integration) ([]RemoteTool, error)
	// CallTool answers the tool's text; isError is the server's verdict
	// that the tool failed (its text says why).
	CallTool(ctx context.Context, in *mcptools.Integration, tool string, args map[string]any) (text string, isError bool, err error)
}

// MaxListed bounds how many tools one server may list.
const MaxListed = 500

// errNoRemote answers every call of a Service built without a Remote.
var errNoRemote = errors.New("mcptools: no MCP client wired")

type noRemote struct{}

func (noRemote) ListTools(context.Context, *mcptools.Integration) ([]RemoteTool, error) {
	return nil, errNoRemote
}

func (noRemote) CallTool(context.Context, *mcptools.Integration, string, map[string]any) (string, bool, error) {
	return "", false, errNoRemote
}
