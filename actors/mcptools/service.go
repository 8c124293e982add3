package mcptools

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/mcptools"
)

// Config wires a Service. Store and Clock are required.
type Config struct {
	Store  storage.Store
	Clock  clock.Clock
	Logger *slog.Logger
	// Policy checks where integrations may connect (egresspolicy, the one
	// SSRF policy of every egress).
	Policy egresspolicy.Policy
	// Remote talks to the servers: transport/outbound.MCPRemote in humd.
	// Without one every listing and call fails.
	Remote Remote
	// CacheTTL is how long a server's tool list is reused (default 1m);
	// a list that fails to refresh is reused for up to ten times that.
	CacheTTL time.Duration
	// ListTimeout bounds listing one server's tools (default 5s);
	// CallTimeout bounds one tool call (default 30s).
	ListTimeout time.Duration
	CallTimeout time.Duration
	// MaxOutput is how much of a tool's text is kept (default 16 KiB).
	MaxOutput int
}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Remote == nil {
		c.Remote = noRemote{}
	}
	if c.CacheTTL == 0 {
		c.CacheTTL = time.Minute
	}
	if c.ListTimeout == 0 {
		c.ListTimeout = 5 * time.Second
	}
	if c.CallTimeout == 0 {
		c.CallTimeout = 30 * time.Second
	}
	if c.MaxOutput == 0 {
		c.MaxOutput = 16 << 10
	}
}

// Service runs flows' MCP tools and the approval queue. It implements
// ai.ExternalTools.
type Service struct {
	cfg Config

	mu    sync.Mutex
	cache map[string]*listing // integration id -> its tools

	// decide serialises approval status changes.
	decide sync.Mutex
}

type listing struct {
	version time.Time // the integration's UpdatedAt when listed
	at      time.Time
	tools   []RemoteTool
}

var _ ai.ExternalTools = (*Service)(nil)

// New answers a service.
func New(cfg Config) *Service {
	cfg.defaults()
	return &Service{cfg: cfg, cache: map[string]*listing{}}
}

// Policy is the SSRF policy integration URLs are checked against.
func (s *Service) Policy() egresspolicy.Policy { return s.cfg.Policy }

// ModelPrefix starts the name of every MCP tool the model sees.
const ModelPrefix = "mcp_"

// ModelName is the name the model sees for tool of an integration:
// mcp_<slug>__<tool>, within OpenAI's [a-zA-Z0-9_-]{1,64}.
func ModelName(slug, tool string) string {
	var sb strings.Builder
	for _, r := range tool {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('_')
		}
	}
	name := ModelPrefix + slug + "__" + sb.String()
	if len(name) > 64 {
		sum := sha256.Sum256([]byte(tool))
		name = name[:55] + "_" + hex.EncodeToString(sum[:4])
	}
	return name
}

// attached answers the flow's enabled integrations.
func (s *Service) attached(org, flow string) ([]*mcptools.Integration, error) {
	if flow == "" {
		return nil, nil
	}
	ids, err := mcptools.FlowIntegrations(s.cfg.Store, org, flow)
	if err != nil {
		return nil, err
	}
	var out []*mcptools.Integration
	for _, id := range ids {
		in, err := mcptools.Get(s.cfg.Store, org, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if in.Enabled {
			out = append(out, in)
		}
	}
	return out, nil
}

// Tools implements ai.ExternalTools: the allowed tools of the flow's
// enabled integrations, with the servers' descriptions and input schemas.
// A server that cannot be reached is left out (and logged); the turn goes on
// with the others.
func (s *Service) Tools(ctx context.Context, org, flow string) ([]ai.Tool, error) {
	ins, err := s.attached(org, flow)
	if err != nil {
		return nil, err
	}
	var out []ai.Tool
	for _, in := range ins {
		if len(in.AllowedTools) == 0 {
			continue
		}
		listed, err := s.toolsOf(ctx, in)
		if err != nil {
			s.cfg.Logger.Warn("mcp tools unavailable", "org", org, "integration", in.ID, "err", err)
			continue
		}
		for _, t := range listed {
			if in.Allows(t.Name) {
				out = append(out, ai.Tool{Name: ModelName(in.Slug, t.Name), Description: describe(in, t), Parameters: params(t.InputSchema)})
			}
		}
	}
	return out, nil
}

func describe(in *mcptools.Integration, t RemoteTool) string {
	d := strings.TrimSpace(t.Description)
	if d == "" {
		d = t.Name
	}
	d = "[" + in.Name + "] " + d
	if in.NeedsApproval(t.Name) {
		d += " (Needs a person's approval: calling it files a request and does nothing yet.)"
	}
	return d
}

func params(schema map[string]any) map[string]any {
	if schema == nil || schema["type"] != "object" {
		return map[string]any{"type": "object", "properties": map[string]any{}}
	}
	if _, ok := schema["properties"]; !ok {
		out := make(map[string]any, len(schema)+1)
		for k, v := range schema {
			out[k] = v
		}
		out["properties"] = map[string]any{}
		return out
	}
	return schema
}

// toolsOf answers an integration's listed tools from the cache, refreshing
// it when stale.
func (s *Service) toolsOf(ctx context.Context, in *mcptools.Integration) ([]RemoteTool, error) {
	now := s.cfg.Clock.Now()
	s.mu.Lock()
	l := s.cache[in.ID]
	s.mu.Unlock()
	if l != nil && l.version.Equal(in.UpdatedAt) && now.Sub(l.at) < s.cfg.CacheTTL {
		return l.tools, nil
	}
	tools, err := s.list(ctx, in)
	if err != nil {
		if l != nil && l.version.Equal(in.UpdatedAt) && now.Sub(l.at) < 10*s.cfg.CacheTTL {
			return l.tools, nil
		}
		return nil, err
	}
	return tools, nil
}

func (s *Service) list(ctx context.Context, in *mcptools.Integration) ([]RemoteTool, error) {
	lctx, cancel := context.WithTimeout(ctx, s.cfg.ListTimeout)
	defer cancel()
	tools, err := s.cfg.Remote.ListTools(lctx, in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.cache[in.ID] = &listing{version: in.UpdatedAt, at: s.cfg.Clock.Now(), tools: tools}
	s.mu.Unlock()
	return tools, nil
}

// resolve finds the integration and tool behind a model's tool name among
// the flow's allowed tools; nil when the name is not one of them.
func (s *Service) resolve(org, flow, name string) (*mcptools.Integration, string, error) {
	ins, err := s.attached(org, flow)
	if err != nil {
		return nil, "", err
	}
	for _, in := range ins {
		if !strings.HasPrefix(name, ModelPrefix+in.Slug+"__") {
			continue
		}
		for _, t := range in.AllowedTools {
			if ModelName(in.Slug, t) == name {
				return in, t, nil
			}
		}
	}
	return nil, "", nil
}

// Call implements ai.ExternalTools. Names without the mcp_ prefix are not
// handled. A prefixed name that is not an allowed tool of the flow is
// refused without reaching any server.
func (s *Service) Call(ctx context.Context, org, flow string, subject ai.Subject, call ai.ToolCall) (string, bool, error) {
	if !strings.HasPrefix(call.Name, ModelPrefix) {
		return "", false, nil
	}
	in, tool, err := s.resolve(org, flow, call.Name)
	if err != nil {
		return "", true, err
	}
	if in == nil {
		s.cfg.Logger.Warn("mcp tool refused", "org", org, "flow", flow, "tool", call.Name)
		return "", true, fmt.Errorf("tool %q is not available to this agent", call.Name)
	}
	args, raw, err := arguments(call.Arguments)
	if err != nil {
		return "", true, err
	}
	if in.NeedsApproval(tool) {
		a, err := s.request(in, flow, subject, tool, call.Name, raw)
		if err != nil {
			return "", true, err
		}
		out, _ := json.Marshal(map[string]any{"status": "approval_required", "approval_id": a.ID, "tool": tool,
			"note": "Nothing was done yet: a person must approve this action first. Tell the user it is waiting for review " +
				"and offer to follow up; do not say it is done."})
		return string(out), true, nil
	}
	out, err := s.execute(ctx, in, tool, args)
	if rerr := s.recordAuto(in, flow, subject, tool, raw, out, err); rerr != nil {
		s.cfg.Logger.Error("record mcp tool call", "org", org, "integration", in.ID, "err", rerr)
	}
	return out, true, err
}

// arguments parses a call's arguments, which must be a JSON object ("" is {}).
func arguments(s string) (map[string]any, json.RawMessage, error) {
	if strings.TrimSpace(s) == "" {
		s = "{}"
	}
	var args map[string]any
	if err := json.Unmarshal([]byte(s), &args); err != nil || args == nil {
		return nil, nil, errors.New("arguments must be a JSON object")
	}
	return args, json.RawMessage(s), nil
}

// execute runs one tool call; a tool that reports an error is an error.
func (s *Service) execute(ctx context.Context, in *mcptools.Integration, tool string, args map[string]any) (string, error) {
	cctx, cancel := context.WithTimeout(ctx, s.cfg.CallTimeout)
	defer cancel()
	text, isError, err := s.cfg.Remote.CallTool(cctx, in, tool, args)
	if err != nil {
		return "", err
	}
	text = cut(text, s.cfg.MaxOutput)
	if isError {
		return "", fmt.Errorf("%s failed: %s", tool, text)
	}
	return text, nil
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// subjectData names the conversation or call an event belongs to.
func subjectData(typ, id string, data map[string]any) map[string]any {
	data["subject_type"], data["subject_id"] = typ, id
	switch typ {
	case ai.SubjectConversation:
		data["conversation_id"] = id
	case ai.SubjectCall:
		data["call_id"] = id
	}
	return data
}

// request files a pending approval with its approval.requested event.
func (s *Service) request(in *mcptools.Integration, flow string, subject ai.Subject, tool, modelTool string, args json.RawMessage) (*mcptools.Approval, error) {
	now := s.cfg.Clock.Now().UTC()
	a := &mcptools.Approval{ID: storage.NewID("apr"), OrgID: in.OrgID, IntegrationID: in.ID, IntegrationName: in.Name, FlowID: flow,
		SubjectType: subject.Type, SubjectID: subject.ID, Tool: tool, ModelTool: modelTool, Arguments: args,
		Status: mcptools.Pending, RequestedAt: now}
	b := s.cfg.Store.NewBatch()
	mcptools.PutApproval(b, a)
	if _, err := events.Append(s.cfg.Store, b, in.OrgID, mcptools.EvApprovalRequested, now,
		subjectData(a.SubjectType, a.SubjectID, map[string]any{"approval": a})); err != nil {
		b.Discard()
		return nil, err
	}
	return a, b.Commit(storage.Sync)
}

// recordAuto appends mcp.tool_executed for an auto-approved call.
func (s *Service) recordAuto(in *mcptools.Integration, flow string, subject ai.Subject, tool string, args json.RawMessage, out string, callErr error) error {
	data := map[string]any{"integration_id": in.ID, "integration_name": in.Name, "flow_id": flow, "tool": tool,
		"arguments": args, "auto_approved": true, "ok": callErr == nil, "result": out}
	if callErr != nil {
		data["error"] = callErr.Error()
	}
	b := s.cfg.Store.NewBatch()
	if _, err := events.Append(s.cfg.Store, b, in.OrgID, mcptools.EvToolExecuted, s.cfg.Clock.Now(), subjectData(subject.Type, subject.ID, data)); err != nil {
		b.Discard()
		return err
	}
	return b.Commit(storage.Sync)
}
