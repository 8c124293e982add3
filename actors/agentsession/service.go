package agentsession

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
)

// Agent is what a session copies from its agent (a flow) at creation.
type Agent struct {
	FlowID     string
	AgentID    uint64
	Name       string
	AvatarID   *int64
	AvatarName string
	AvatarURL  string
	VoiceID    string
}

// Config configures the service. Zero values get defaults.
type Config struct {
	System *actor.ActorSystem
	Store  storage.Store
	Clock  clock.Clock
	Logger *slog.Logger
	// Agent finds an agent of the org by its integer id (storage.ErrNotFound if none).
	Agent func(orgID string, agentID uint64) (*Agent, error)
	// Model and Chat make agent_chat sessions answer; nil leaves reply null.
	Model ai.Model
	Chat  func(orgID, flowID string) (*Chat, error)
	// Knowledge, when set, gives agent_chat the lookup_knowledge tool.
	Knowledge func(orgID, query string, k int) (string, error)
	// IdleLimit ends sessions with no activity this long (default 3m, the
	// orphan sweeper's bound); SweepEvery is how often it looks (default 60s).
	IdleLimit  time.Duration
	SweepEvery time.Duration
	// IdleAfter passivates a session actor (default 2m).
	IdleAfter time.Duration
	// AskTimeout bounds a wait for a session actor (default 30s: chat replies).
	AskTimeout time.Duration
}

// Kind is the session actors' kind in the system.Directory.
const Kind system.Kind = "agsess"

// SweeperKind is the orphan sweeper's kind; the sweeper is a singleton (id "").
const SweeperKind system.Kind = "agsess-sweeper"

// Ref is the identity of the org's session id.
func Ref(org string, id uint64) system.Ref { return system.Ref{Kind: Kind, ID: key(org, id)} }

// Service is the agent-session API of seed 002.
type Service struct {
	cfg  Config
	deps *Deps
	dir  system.Directory
}

// New starts the service and its sweeper.
func New(cfg Config) *Service {
	if cfg.IdleLimit == 0 {
		cfg.IdleLimit = 3 * time.Minute
	}
	if cfg.SweepEvery == 0 {
		cfg.SweepEvery = time.Minute
	}
	if cfg.IdleAfter == 0 {
		cfg.IdleAfter = 2 * time.Minute
	}
	if cfg.AskTimeout == 0 {
		cfg.AskTimeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	reg := system.RegistryOf(cfg.System)
	s := &Service{cfg: cfg, dir: reg}
	s.deps = &Deps{Store: cfg.Store, Clock: cfg.Clock, Logger: cfg.Logger, Model: cfg.Model, Chat: cfg.Chat, Knowledge: cfg.Knowledge, IdleAfter: cfg.IdleAfter, IdleLimit: cfg.IdleLimit, actors: reg}
	reg.Register(Kind, func(k string) *actor.Props {
		org, idRaw, _ := strings.Cut(k, "/")
		id, _ := strconv.ParseUint(idRaw, 10, 64)
		return system.Props(func() actor.Actor { return &Actor{d: s.deps, org: org, id: id} })
	})
	reg.Register(SweeperKind, func(string) *actor.Props {
		return system.Props(func() actor.Actor { return &sweeper{s: s} })
	})
	reg.Ensure(system.Ref{Kind: SweeperKind})
	return s
}

// view is sess as answered.
func (s *Service) view(sess *Session) *View {
	v := &View{Session: sess, IdleTimeoutS: int64(s.cfg.IdleLimit / time.Second)}
	if sess.Status == StatusActive {
		exp := sess.LastActivity.Add(s.cfg.IdleLimit).UTC()
		v.Expiration = &exp
	}
	return v
}

func key(org string, id uint64) string { return org + "/" + strconv.FormatUint(id, 10) }

func (s *Service) ask(org string, id uint64, msg any) (any, error) {
	res, err := s.dir.Request(Ref(org, id), msg, s.cfg.AskTimeout).Result()
	if err != nil {
		return nil, err
	}
	if e, ok := res.(error); ok {
		return nil, e
	}
	return res, nil
}

// fail is the seed-style error body: {"success":false,"error":"..."} with
// details for validation problems.
func fail(status int, msg string, details map[string]string) (int, any) {
	body := map[string]any{"success": false, "error": msg}
	if len(details) > 0 {
		body["details"] = details
	}
	return status, body
}

func failErr(err error) (int, any) {
	var ve *storage.ValidationError
	var ce *storage.ConflictError
	switch {
	case errors.As(err, &ve):
		return fail(422, ve.Error(), ve.Fields)
	case errors.As(err, &ce):
		return fail(409, ce.Message, nil)
	case errors.Is(err, storage.ErrNotFound):
		return fail(404, "Session not found", nil)
	}
	return fail(500, "internal error", nil)
}

var notFoundAgent = map[string]any{"success": false, "error": "Agent not found or access denied"}

// parseAgentID accepts a positive JSON integer or a string of digits.
func parseAgentID(raw json.RawMessage) (uint64, bool) {
	s := strings.Trim(string(bytes.TrimSpace(raw)), `"`)
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil && n > 0
}

func objectOrNull(raw json.RawMessage, max int) (json.RawMessage, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return json.RawMessage("{}"), true
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || len(raw) > max || m == nil {
		return nil, false
	}
	return append(json.RawMessage(nil), raw...), true
}

// Create is POST /api/v1/sessions.
func (s *Service) Create(org, apiKeyID string, body []byte) (int, any) {
	var req map[string]json.RawMessage
	if err := storage.DecodeStrict(body, &req); err != nil || req == nil {
		return fail(422, "body must be a JSON object", map[string]string{"body": "a JSON object is required"})
	}
	v := &storage.ValidationError{}
	for k := range req {
		if k != "agent_id" && k != "session_type" && k != "metadata" {
			v.Add(k, "unknown field")
		}
	}
	agentID, ok := parseAgentID(req["agent_id"])
	if _, present := req["agent_id"]; !present {
		v.Add("agent_id", "required")
	} else if !ok {
		v.Add("agent_id", "must be a positive integer")
	}
	typ := "agent_voice"
	if raw, present := req["session_type"]; present {
		if json.Unmarshal(raw, &typ) != nil {
			typ = "?"
		}
		if typ == "voice" {
			typ = "agent_voice"
		}
		if !oneOf(typ, sessionTypes) {
			v.Add("session_type", "must be one of agent_voice, agent_video, agent_chat, webrtc_video")
		}
	}
	meta, ok := objectOrNull(req["metadata"], 16<<10)
	if !ok {
		v.Add("metadata", "must be a JSON object of at most 16 KiB")
	}
	if err := v.Err(); err != nil {
		return failErr(err)
	}
	ag, err := s.cfg.Agent(org, agentID)
	if errors.Is(err, storage.ErrNotFound) {
		return 404, notFoundAgent
	}
	if err != nil {
		return failErr(err)
	}
	id, err := s.cfg.Store.Sequence(keySeq(org))
	if err != nil {
		return failErr(err)
	}
	now := s.cfg.Clock.Now().UTC()
	sess := &Session{SessionID: id, AgentID: ag.AgentID, AgentName: ag.Name, SessionType: typ, Status: StatusActive, StartedAt: now,
		Metadata: meta, AvatarID: ag.AvatarID, AvatarName: strPtr(ag.AvatarName), AvatarURL: strPtr(ag.AvatarURL), VoiceID: strPtr(ag.VoiceID),
		OrgID: org, FlowID: ag.FlowID, APIKeyID: apiKeyID, LastActivity: now}
	b := s.cfg.Store.NewBatch()
	put(b, sess)
	if err := b.Commit(storage.Sync); err != nil {
		return failErr(err)
	}
	return 201, map[string]any{"success": true, "session": s.view(sess), "message": "Session started successfully"}
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

// parseID accepts a positive integer id; anything else cannot name a session.
func parseID(id string) (uint64, bool) {
	n, err := strconv.ParseUint(id, 10, 64)
	return n, err == nil && n > 0
}

// Get is GET /api/v1/sessions/{id}.
func (s *Service) Get(org, id string) (int, any) {
	n, ok := parseID(id)
	if !ok {
		return fail(404, "Session not found", nil)
	}
	sess, err := load(s.cfg.Store, org, n)
	if err != nil {
		return failErr(err)
	}
	return 200, map[string]any{"success": true, "session": s.view(sess)}
}

// List is GET /api/v1/sessions, newest first, optionally by status.
func (s *Service) List(org string, page storage.PageRequest, status string) (int, any) {
	if status != "" && status != StatusActive && status != StatusCompleted {
		return failErr(storage.Invalid("status", "must be active or completed"))
	}
	page.Reverse = true
	items, next, err := storage.ListPage(s.cfg.Store, prefixSessions(org), page, func(_, v []byte) (*View, bool, error) {
		var r record
		if err := storage.DecodeJSON(v, &r); err != nil {
			return nil, false, err
		}
		return s.view(r.session()), status == "" || r.Status == status, nil
	})
	if err != nil {
		return failErr(err)
	}
	return 200, map[string]any{"success": true, "sessions": items, "next_cursor": nilIfEmpty(next)}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// End is PUT or POST /api/v1/sessions/{id}/end.
func (s *Service) End(org, id string, body []byte) (int, any) {
	n, ok := parseID(id)
	if !ok {
		return fail(404, "Session not found", nil)
	}
	if _, err := load(s.cfg.Store, org, n); err != nil {
		return failErr(err)
	}
	var req struct {
		Duration   *int64                     `json:"duration"`
		Transcript *string                    `json:"transcript"`
		Metadata   map[string]json.RawMessage `json:"metadata"`
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := storage.DecodeStrict(body, &req); err != nil {
			return failErr(err)
		}
	}
	v := &storage.ValidationError{}
	if req.Duration != nil && *req.Duration < 0 {
		v.Add("duration", "must be a non-negative integer (seconds)")
	}
	if req.Transcript != nil && len(*req.Transcript) > 1<<20 {
		v.Add("transcript", "at most 1 MiB")
	}
	if err := v.Err(); err != nil {
		return failErr(err)
	}
	res, err := s.ask(org, n, &End{Duration: req.Duration, Transcript: req.Transcript, Metadata: req.Metadata, Reason: ReasonAPI})
	if err != nil {
		return failErr(err)
	}
	return 200, map[string]any{"success": true, "session": s.view(res.(*Session)), "message": "Session ended successfully"}
}

// PostMessage is POST /api/v1/sessions/{id}/messages.
func (s *Service) PostMessage(org, id string, body []byte) (int, any) {
	n, ok := parseID(id)
	if !ok {
		return fail(404, "Session not found", nil)
	}
	if _, err := load(s.cfg.Store, org, n); err != nil {
		return failErr(err)
	}
	var req struct {
		Content  *string         `json:"content"`
		Role     string          `json:"role"`
		Metadata json.RawMessage `json:"metadata"`
	}
	if err := storage.DecodeStrict(body, &req); err != nil {
		return failErr(err)
	}
	v := &storage.ValidationError{}
	if req.Content == nil {
		v.Add("content", "required")
	} else if c := utf8.RuneCountInString(*req.Content); c < 1 || c > 4000 {
		v.Add("content", "must be 1 to 4000 characters")
	}
	if req.Role == "" {
		req.Role = "user"
	}
	if req.Role != "user" && req.Role != "system" {
		v.Add("role", "must be user or system")
	}
	var meta json.RawMessage
	if len(req.Metadata) > 0 && !bytes.Equal(bytes.TrimSpace(req.Metadata), []byte("null")) {
		m, ok := objectOrNull(req.Metadata, 16<<10)
		if !ok {
			v.Add("metadata", "must be a JSON object of at most 16 KiB")
		}
		meta = m
	}
	if err := v.Err(); err != nil {
		return failErr(err)
	}
	res, err := s.ask(org, n, &Post{Role: req.Role, Content: *req.Content, Metadata: meta})
	if err != nil {
		return failErr(err)
	}
	p := res.(*Posted)
	var reply any
	if p.Reply != nil {
		reply = p.Reply
	}
	return 201, map[string]any{"success": true, "message": p.Message, "reply": reply}
}

// ListMessages is GET /api/v1/sessions/{id}/messages, in order.
func (s *Service) ListMessages(org, id string, page storage.PageRequest) (int, any) {
	n, ok := parseID(id)
	if !ok {
		return fail(404, "Session not found", nil)
	}
	if _, err := load(s.cfg.Store, org, n); err != nil {
		return failErr(err)
	}
	items, next, err := storage.ListPage(s.cfg.Store, prefixMsgs(org, n), page, func(_, v []byte) (*Message, bool, error) {
		var m Message
		return &m, true, storage.DecodeJSON(v, &m)
	})
	if err != nil {
		return failErr(err)
	}
	return 200, map[string]any{"success": true, "messages": items, "next_cursor": nilIfEmpty(next)}
}

func mergeMeta(cur json.RawMessage, add map[string]json.RawMessage) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if len(cur) > 0 {
		if err := json.Unmarshal(cur, &m); err != nil {
			return nil, fmt.Errorf("session metadata: %w", err)
		}
	}
	for k, v := range add {
		m[k] = v
	}
	return json.Marshal(m)
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
