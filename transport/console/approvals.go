package console

import (
	"github.com/humd/humd/actors/service/integrationsvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/mcptools"
	"github.com/humd/humd/transport/httpapi"
)

type approvalsView struct {
	Pending []*mcptools.Approval
	Decided []*mcptools.Approval
}

// approvals lists the tool calls waiting for a person, with the tool, its
// integration and the arguments it would run with, and the latest decided.
func (a *API) approvals(c *httpapi.Call, s *session) error {
	pending, _, err := a.d.Svc.ListApprovals(c.Ctx, s.P, integrationsvc.ListApprovalsQuery{Status: mcptools.Pending,
		Page: storage.PageRequest{Limit: 100, Skips: c.Skips()}})
	if err != nil {
		return err
	}
	all, _, err := a.d.Svc.ListApprovals(c.Ctx, s.P, integrationsvc.ListApprovalsQuery{Page: storage.PageRequest{Limit: 20, Skips: c.Skips()}})
	if err != nil {
		return err
	}
	v := &approvalsView{Pending: pending}
	for _, ap := range all {
		if ap.Status != mcptools.Pending {
			v.Decided = append(v.Decided, ap)
		}
	}
	return a.render(c, 200, s, "approvals", "Approvals", "approvals", v)
}

// decide approves (the tool runs once, now) or denies a pending call.
func (a *API) decide(c *httpapi.Call, s *session) error {
	id := c.Param("id")
	var err error
	switch form(c, "decision") {
	case "approve":
		_, err = a.d.Svc.ApproveToolCall(c.Ctx, s.P, id)
	case "deny":
		_, err = a.d.Svc.DenyToolCall(c.Ctx, s.P, id, integrationsvc.DenyToolCallInput{Reason: form(c, "reason")})
	default:
		return errField("decision", "must be approve or deny")
	}
	if err != nil {
		return err
	}
	return a.approvals(c, s)
}
