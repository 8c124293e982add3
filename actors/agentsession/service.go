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

// ErrAgentNotFound is a create naming an agent the org does not have.
var ErrAgentNotFound = fmt.Errorf("agent not found or access denied: %w", storage.ErrNotFound)

// objectOrNull checks caller metadata: absent or null is {}, else a JSON
// object of at most max bytes.
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

// CreateInput is a new session. The wire decoder (transport) checks the
// agent id's form. SessionType absent or null is agent_voice, and "voice"
// its alias.
type CreateInput struct {
	AgentID     uint64
	SessionType storage.Opt[string]
	// Metadata is the caller's own JSON object, kept as given.
	Metadata json.RawMessage
}

// Check is the domain validation of a create, by wire field name.
func (in *CreateInput) Check() *storage.ValidationError {
	v := &storage.ValidationError{}
	if typ := in.sessionType(); !oneOf(typ, sessionTypes) {
		v.Add("session_type", "must be one of agent_voice, agent_video, agent_chat, webrtc_video")
	}
	if _, ok := objectOrNull(in.Metadata, 16<<10); !ok {
		v.Add("metadata", "must be a JSON object of at most 16 KiB")
	}
	return v
}

func (in *CreateInput) sessionType() string {
	typ, ok := in.SessionType.Value()
	if !ok || typ == "voice" {
		return "agent_voice"
	}
	return typ
}

// Create is POST /api/v1/sessions: the session as answered.
func (s *Service) Create(org, apiKeyID string, in CreateInput) (*View, error) {
	if err := in.Check().Err(); err != nil {
		return nil, err
	}
	meta, _ := objectOrNull(in.Metadata, 16<<10)
	ag, err := s.cfg.Agent(org, in.AgentID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, ErrAgentNotFound
	}
	if err != nil {
		return nil, err
	}
	id, err := s.cfg.Store.Sequence(keySeq(org))
	if err != nil {
		return nil, err
	}
	now := s.cfg.Clock.Now().UTC()
	sess := &Session{SessionID: id, AgentID: ag.AgentID, AgentName: ag.Name, SessionType: in.sessionType(), Status: StatusActive, StartedAt: now,
		Metadata: meta, AvatarID: ag.AvatarID, AvatarName: strPtr(ag.AvatarName), AvatarURL: strPtr(ag.AvatarURL), VoiceID: strPtr(ag.VoiceID),
		OrgID: org, FlowID: ag.FlowID, APIKeyID: apiKeyID, LastActivity: now}
	b := s.cfg.Store.NewBatch()
	put(b, sess)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	return s.view(sess), nil
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
func parseID(id string) (uint64, error) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("session %q: %w", id, storage.ErrNotFound)
	}
	return n, nil
}

// find loads the org's session id (storage.ErrNotFound if none).
func (s *Service) find(org, id string) (uint64, *Session, error) {
	n, err := parseID(id)
	if err != nil {
		return 0, nil, err
	}
	sess, err := load(s.cfg.Store, org, n)
	return n, sess, err
}

// Get is GET /api/v1/sessions/{id}.
func (s *Service) Get(org, id string) (*View, error) {
	_, sess, err := s.find(org, id)
	if err != nil {
		return nil, err
	}
	return s.view(sess), nil
}

// List is GET /api/v1/sessions, newest first, optionally by status; it
// answers a page and the next cursor ("" at the end).
func (s *Service) List(org string, page storage.PageRequest, status string) ([]*View, string, error) {
	if status != "" && status != StatusActive && status != StatusCompleted {
		return nil, "", storage.Invalid("status", "must be active or completed")
	}
	page.Reverse = true
	return storage.ListPage(s.cfg.Store, prefixSessions(org), page, func(_, v []byte) (*View, bool, error) {
		var r record
		if err := storage.DecodeJSON(v, &r); err != nil {
			return nil, false, err
		}
		return s.view(r.session()), status == "" || r.Status == status, nil
	})
}

// EndInput is what an end request may add to the session.
type EndInput struct {
	Duration   *int64                     `json:"duration"`
	Transcript *string                    `json:"transcript"`
	Metadata   map[string]json.RawMessage `json:"metadata"`
}

// End is PUT or POST /api/v1/sessions/{id}/end (idempotent).
func (s *Service) End(org, id string, in EndInput) (*View, error) {
	n, _, err := s.find(org, id)
	if err != nil {
		return nil, err
	}
	v := &storage.ValidationError{}
	if in.Duration != nil && *in.Duration < 0 {
		v.Add("duration", "must be a non-negative integer (seconds)")
	}
	if in.Transcript != nil && len(*in.Transcript) > 1<<20 {
		v.Add("transcript", "at most 1 MiB")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	res, err := s.ask(org, n, &End{Duration: in.Duration, Transcript: in.Transcript, Metadata: in.Metadata, Reason: ReasonAPI})
	if err != nil {
		return nil, err
	}
	return s.view(res.(*Session)), nil
}

// PostInput is one message to a session; Role "" is user.
type PostInput struct {
	Content  *string         `json:"content"`
	Role     string          `json:"role"`
	Metadata json.RawMessage `json:"metadata"`
}

// PostMessage is POST /api/v1/sessions/{id}/messages: the stored message
// and, for agent_chat with a model, the agent's reply.
func (s *Service) PostMessage(org, id string, in PostInput) (*Posted, error) {
	n, _, err := s.find(org, id)
	if err != nil {
		return nil, err
	}
	v := &storage.ValidationError{}
	if in.Content == nil {
		v.Add("content", "required")
	} else if c := utf8.RuneCountInString(*in.Content); c < 1 || c > 4000 {
		v.Add("content", "must be 1 to 4000 characters")
	}
	if in.Role == "" {
		in.Role = "user"
	}
	if in.Role != "user" && in.Role != "system" {
		v.Add("role", "must be user or system")
	}
	var meta json.RawMessage
	if len(in.Metadata) > 0 && !bytes.Equal(bytes.TrimSpace(in.Metadata), []byte("null")) {
		m, ok := objectOrNull(in.Metadata, 16<<10)
		if !ok {
			v.Add("metadata", "must be a JSON object of at most 16 KiB")
		}
		meta = m
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	res, err := s.ask(org, n, &Post{Role: in.Role, Content: *in.Content, Metadata: meta})
	if err != nil {
		return nil, err
	}
	return res.(*Posted), nil
}

// ListMessages is GET /api/v1/sessions/{id}/messages, in order.
func (s *Service) ListMessages(org, id string, page storage.PageRequest) ([]*Message, string, error) {
	n, _, err := s.find(org, id)
	if err != nil {
		return nil, "", err
	}
	return storage.ListPage(s.cfg.Store, prefixMsgs(org, n), page, func(_, v []byte) (*Message, bool, error) {
		var m Message
		return &m, true, storage.DecodeJSON(v, &m)
	})
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
