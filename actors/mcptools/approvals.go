package mcptools

import (
	"context"
	"errors"
	"fmt"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/mcptools"
)

// TestTool is one tool a test listed, with what humd makes of it.
type TestTool struct {
	RemoteTool
	// ModelName is what flows' models see; Allowed and AutoApprove say how
	// the integration treats the tool.
	ModelName   string `json:"model_name"`
	Allowed     bool   `json:"allowed"`
	AutoApprove bool   `json:"auto_approve"`
}

// TestResult answers POST /api/mcp-integrations/{id}/test.
type TestResult struct {
	OK         bool       `json:"ok"`
	Tools      []TestTool `json:"tools"`
	DurationMS int64      `json:"duration_ms"`
	Error      string     `json:"error,omitempty"`
}

// Test connects to the integration's server, lists its tools and refreshes
// the cache. A server that cannot be reached is a result with ok false.
func (s *Service) Test(ctx context.Context, org, id string) (*TestResult, error) {
	in, err := mcptools.Get(s.cfg.Store, org, id)
	if err != nil {
		return nil, err
	}
	start := s.cfg.Clock.Now()
	tools, err := s.list(ctx, in)
	res := &TestResult{OK: err == nil, Tools: []TestTool{}, DurationMS: s.cfg.Clock.Now().Sub(start).Milliseconds()}
	if err != nil {
		res.Error = err.Error()
		return res, nil
	}
	for _, t := range tools {
		res.Tools = append(res.Tools, TestTool{RemoteTool: t, ModelName: ModelName(in.Slug, t.Name), Allowed: in.Allows(t.Name),
			AutoApprove: in.Allows(t.Name) && !in.NeedsApproval(t.Name)})
	}
	return res, nil
}

// claim moves a pending approval to status under the decide lock, with its
// approval.decided event, and answers the approval and its integration.
func (s *Service) claim(org, id, by, status, reason string) (*mcptools.Approval, *mcptools.Integration, error) {
	s.decide.Lock()
	defer s.decide.Unlock()
	a, err := mcptools.GetApproval(s.cfg.Store, org, id)
	if err != nil {
		return nil, nil, err
	}
	if a.Status != mcptools.Pending {
		return nil, nil, storage.Conflict("approval_decided", "the approval is already "+a.Status)
	}
	var in *mcptools.Integration
	if status == mcptools.Approved {
		in, err = mcptools.Get(s.cfg.Store, org, a.IntegrationID)
		switch {
		case err == nil && !in.Enabled:
			return nil, nil, storage.Conflict("integration_disabled", "the integration is disabled; enable it or deny the request")
		case err == nil && !in.Allows(a.Tool):
			return nil, nil, storage.Conflict("tool_not_allowed", fmt.Sprintf("%s is no longer an allowed tool of the integration", a.Tool))
		case errors.Is(err, storage.ErrNotFound):
			return nil, nil, storage.Conflict("integration_gone", "the integration was deleted; deny the request")
		case err != nil:
			return nil, nil, err
		}
	}
	now := s.cfg.Clock.Now().UTC()
	a.Status, a.DecidedBy, a.DecidedAt, a.Reason = status, by, &now, reason
	b := s.cfg.Store.NewBatch()
	mcptools.PutApproval(b, a)
	if _, err := events.Append(s.cfg.Store, b, org, mcptools.EvApprovalDecided, now,
		subjectData(a.SubjectType, a.SubjectID, map[string]any{"approval": a, "decision": status})); err != nil {
		b.Discard()
		return nil, nil, err
	}
	if err := b.Commit(storage.Sync); err != nil {
		return nil, nil, err
	}
	return a, in, nil
}

// Approve runs a pending request once and answers the approval, executed
// or failed, with the tool's result or error. It blocks on the server.
func (s *Service) Approve(ctx context.Context, org, id, by string) (*mcptools.Approval, error) {
	a, in, err := s.claim(org, id, by, mcptools.Approved, "")
	if err != nil {
		return nil, err
	}
	args, _, err := arguments(string(a.Arguments))
	out := ""
	if err == nil {
		out, err = s.execute(ctx, in, a.Tool, args)
	}
	now := s.cfg.Clock.Now().UTC()
	a.ExecutedAt = &now
	if err != nil {
		a.Status, a.Error = mcptools.Failed, err.Error()
	} else {
		a.Status, a.Result = mcptools.Executed, out
	}
	b := s.cfg.Store.NewBatch()
	mcptools.PutApproval(b, a)
	if _, err := events.Append(s.cfg.Store, b, org, mcptools.EvToolExecuted, now, subjectData(a.SubjectType, a.SubjectID,
		map[string]any{"approval": a, "integration_id": a.IntegrationID, "tool": a.Tool, "auto_approved": false,
			"ok": a.Status == mcptools.Executed})); err != nil {
		b.Discard()
		return nil, err
	}
	return a, b.Commit(storage.Sync)
}

// Deny refuses a pending request; nothing runs. The body is empty or
// {"reason": "..."}.
func (s *Service) Deny(org, id, by, reason string) (*mcptools.Approval, error) {
	if len([]rune(reason)) > 500 {
		return nil, storage.Invalid("reason", "at most 500 characters")
	}
	a, _, err := s.claim(org, id, by, mcptools.Denied, reason)
	return a, err
}
