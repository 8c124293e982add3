package flowsvc

import (
	"context"
	"encoding/json"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flowtools"
	"github.com/humd/humd/storage/tenancy"
)

// TestFlowToolInput is a test request's arguments: a JSON object, as the
// model would pass them ("" is {}).
type TestFlowToolInput struct {
	Arguments string
}

// TestFlowTool sends an HTTP tool's request once, as the flow would (the
// same client, egress policy and templates), and answers the execution
// row: status, timing and excerpts. It sends what the tool sends, so it is
// an admin's, like editing the tool. It runs on the caller's goroutine,
// off every actor's mailbox.
func (s *Flows) TestFlowTool(ctx context.Context, p *tenancy.Principal, flowID, toolID string, in TestFlowToolInput) (*flowtools.Execution, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	flow, err := s.flowOf(p.OrgID, flowID)
	if err != nil {
		return nil, err
	}
	t, err := flowtools.Get(s.d.Store, p.OrgID, flow, toolID)
	if err != nil {
		return nil, err
	}
	args := map[string]any{}
	if in.Arguments != "" {
		if json.Unmarshal([]byte(in.Arguments), &args) != nil || args == nil {
			return nil, storage.Invalid("arguments", "must be a JSON object such as {\"order_id\":\"A1\"}")
		}
	}
	if s.d.HTTPTools == nil {
		return nil, storage.Conflict("no_http_tools", "HTTP tools are not wired in this humd")
	}
	return s.d.HTTPTools.Trial(ctx, t, args), nil
}
