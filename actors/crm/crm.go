package crm

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/egress"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/crm"
)

// Config is shared by every connector actor.
type Config struct {
	Store  storage.Store
	Clock  clock.Clock
	Logger *slog.Logger
	// Policy is what base URLs are checked against when saved; Post
	// enforces it again on every connection.
	Policy egresspolicy.Policy
	Poll   time.Duration // default 1s
	// Post makes the HTTP request (transport/outbound over fasthttp, which
	// checks the target and every address it dials against Policy).
	Post egress.Poster
	// Skips counts and logs the events a connector went past (nil: logged
	// only).
	Skips *storage.Skips

	actors *system.Registry
}

// Kind is the connector actors' kind in the system.Directory.
const Kind system.Kind = "crm"

// Ref is the identity of the org's connector's actor.
func Ref(org, id string) system.Ref { return system.Ref{Kind: Kind, ID: org + "/" + id} }

// Service starts and reaches connector actors, through the actor system's
// system.Registry.
type Service struct {
	cfg *Config
}

// New starts an actor for every enabled connector.
func New(root *actor.RootContext, cfg Config) (*Service, error) {
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Post == nil {
		return nil, errors.New("crm: Config.Post is required")
	}
	cfg.actors = system.RegistryOf(root.ActorSystem())
	s := &Service{cfg: &cfg}
	cfg.actors.Register(Kind, func(ref string) *actor.Props {
		org, id, _ := strings.Cut(ref, "/")
		return system.Props(func() actor.Actor {
			return &Actor{cfg: s.cfg, org: org, id: id, log: s.cfg.Logger.With("actor", "crm", "org", org, "connector", id)}
		})
	})
	var ids [][2]string
	if err := crm.All(cfg.Store, func(c *crm.Connector) {
		if c.Enabled {
			ids = append(ids, [2]string{c.OrgID, c.ID})
		}
	}); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if err := s.Changed(id[0], id[1]); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Policy is the SSRF policy base URLs are checked against.
func (s *Service) Policy() egresspolicy.Policy { return s.cfg.Policy }

// Changed (re)starts the connector's actor after an edit; a disabled or
// deleted connector's actor stops itself.
func (s *Service) Changed(org, id string) error {
	s.cfg.actors.Tell(Ref(org, id), &reload{})
	return nil
}

// PingResult answers Ping.
type PingResult struct {
	OK         bool   `json:"ok"`
	Status     int    `json:"status"`
	DurationMS int64  `json:"duration_ms"`
	Error      string `json:"error,omitempty"`
}

// Ping calls {base_url}/ping and logs it.
func (s *Service) Ping(org, id string) (*PingResult, error) {
	c, err := crm.Get(s.cfg.Store, org, id)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Clock.Now()
	res := call(s.cfg, c, "ping", "ping", map[string]any{"ping": true, "at": now})
	b := s.cfg.Store.NewBatch()
	crm.AddLog(b, org, id, &crm.LogEntry{At: now, Event: "ping", Status: res.status, MS: res.ms, Error: res.err})
	if err := b.Commit(storage.Sync); err != nil {
		return nil, err
	}
	return &PingResult{OK: res.err == "" && res.status/100 == 2, Status: res.status, DurationMS: res.ms, Error: res.err}, nil
}

type result struct {
	status     int
	ms         int64
	body       []byte
	err        string
	retryAfter time.Duration
}

// UserAgent is what every CRM request carries: the User-Agent SPEC 1.15's
// outbound contract names, so a receiver written against the reference
// product's documentation (which may allowlist it) accepts humd too.
const UserAgent = "bluehive-hum-crm/1.0"

// call makes one signed request; it blocks, so it never runs in Receive.
func call(cfg *Config, c *crm.Connector, path, event string, payload any) result {
	raw, err := json.Marshal(payload)
	if err != nil {
		return result{err: err.Error()}
	}
	url := strings.TrimRight(c.BaseURL, "/") + "/" + path
	mac := hmac.New(sha256.New, []byte(c.Secret))
	mac.Write(raw)
	res := cfg.Post(&egress.Request{URL: url, UserAgent: UserAgent, Body: raw,
		Timeout: time.Duration(c.TimeoutMS) * time.Millisecond, MaxResponse: 64 << 10, Headers: [][2]string{
			{"Authorization", "Bearer " + c.Secret}, {"X-HUM-Signature", "sha256=" + hex.EncodeToString(mac.Sum(nil))}, {"X-HUM-Event", event}}})
	r := result{ms: res.Elapsed.Milliseconds(), status: res.Status, body: res.Body, retryAfter: res.RetryAfter}
	if res.Err != nil {
		r.err = res.Err.Error()
	}
	return r
}
