package mcptools

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/humd/humd/storage"
)

// Approval statuses. pending -> approved -> executed | failed, or
// pending -> denied. approved is the short window while the tool runs; a
// crash inside it leaves the approval approved and the tool is never run
// twice.
const (
	Pending  = "pending"
	Approved = "approved"
	Denied   = "denied"
	Executed = "executed"
	Failed   = "failed"
)

// Statuses lists every approval status.
var Statuses = []string{Pending, Approved, Denied, Executed, Failed}

// Approval is one tool call a model asked for that waits for (or had) a
// person's decision (SPEC 2.12).
type Approval struct {
	ID              string `json:"id"`
	OrgID           string `json:"org_id"`
	IntegrationID   string `json:"integration_id"`
	IntegrationName string `json:"integration_name"`
	FlowID          string `json:"flow_id"`
	// SubjectType is conversation or call; SubjectID its id.
	SubjectType string `json:"subject_type"`
	SubjectID   string `json:"subject_id"`
	// Tool is the MCP server's tool name; ModelTool the name the model used.
	Tool        string          `json:"tool"`
	ModelTool   string          `json:"model_tool"`
	Arguments   json.RawMessage `json:"arguments"`
	Status      string          `json:"status"`
	Result      string          `json:"result,omitempty"`
	Error       string          `json:"error,omitempty"`
	Reason      string          `json:"reason,omitempty"`
	RequestedAt time.Time       `json:"requested_at"`
	// DecidedBy is the deciding user's id, or the API key's when no user owns it.
	DecidedBy  string     `json:"decided_by,omitempty"`
	DecidedAt  *time.Time `json:"decided_at"`
	ExecutedAt *time.Time `json:"executed_at"`
}

func keyApproval(org, id string) []byte { return storage.Key("approval", org, id) }
func prefixApprovals(org string) []byte { return storage.Prefix("approval", org) }

// PutApproval writes an approval inside b.
func PutApproval(b *storage.Batch, a *Approval) { b.SetJSON(keyApproval(a.OrgID, a.ID), a) }

// GetApproval loads one approval.
func GetApproval(s storage.Store, org, id string) (*Approval, error) {
	var a Approval
	if err := storage.GetJSON(s, keyApproval(org, id), &a); err != nil {
		return nil, fmt.Errorf("mcptools: approval %s: %w", id, err)
	}
	return &a, nil
}

// Filter narrows ListApprovals; empty fields match everything.
type Filter struct {
	Status        string
	SubjectID     string
	IntegrationID string
}

// Check validates the filter's status.
func (f Filter) Check() error {
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return storage.Invalid("status", "must be one of pending, approved, denied, executed, failed")
	}
	return nil
}

// ListApprovals pages the org's approvals, newest first.
func ListApprovals(s storage.Store, org string, f Filter, page storage.PageRequest) ([]*Approval, string, error) {
	if err := f.Check(); err != nil {
		return nil, "", err
	}
	page.Reverse = true
	return storage.ListPage(s, prefixApprovals(org), page, func(_, v []byte) (*Approval, bool, error) {
		var a Approval
		if err := json.Unmarshal(v, &a); err != nil {
			return nil, false, err
		}
		keep := (f.Status == "" || a.Status == f.Status) && (f.SubjectID == "" || a.SubjectID == f.SubjectID) &&
			(f.IntegrationID == "" || a.IntegrationID == f.IntegrationID)
		return &a, keep, nil
	})
}

// Events the MCP tools append to the org's event log.
const (
	EvApprovalRequested = "approval.requested"
	EvApprovalDecided   = "approval.decided"
	EvToolExecuted      = "mcp.tool_executed"
)
