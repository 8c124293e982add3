package addresssession

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"math/big"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/humd/humd/actors/addresssession/address"
	"github.com/humd/humd/actors/addresssession/geo"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
)

// Config configures the service. Zero values get defaults.
type Config struct {
	System     *actor.ActorSystem
	Store      storage.Store
	Clock      clock.Clock
	Geo        *geo.DB
	Logger     *slog.Logger
	IdleExpiry time.Duration // default 30m
	AskTimeout time.Duration // default 10s
}

// Kind is the session actors' kind in the system.Directory; a session's id
// is its token.
const Kind system.Kind = "asess"

// Ref is the identity of a session's actor.
func Ref(token string) system.Ref { return system.Ref{Kind: Kind, ID: token} }

// Service is the address-session API of seed 000.
type Service struct {
	cfg  Config
	deps *Deps
	dir  system.Directory
}

// New builds the service.
func New(cfg Config) *Service {
	if cfg.Geo == nil {
		cfg.Geo = geo.Default
	}
	if cfg.IdleExpiry == 0 {
		cfg.IdleExpiry = 30 * time.Minute
	}
	if cfg.AskTimeout == 0 {
		cfg.AskTimeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	reg := system.RegistryOf(cfg.System)
	s := &Service{cfg: cfg, dir: reg}
	s.deps = &Deps{Store: cfg.Store, Clock: cfg.Clock, Geo: cfg.Geo, Logger: cfg.Logger, IdleExpiry: cfg.IdleExpiry,
		IdleAfter: 2 * time.Minute, actors: reg}
	reg.Register(Kind, func(token string) *actor.Props {
		return system.Props(func() actor.Actor { return &Actor{d: s.deps, token: token} })
	})
	return s
}

func (s *Service) ask(token string, msg any) (*Session, error) {
	res, err := s.dir.Request(Ref(token), msg, s.cfg.AskTimeout).Result()
	if err != nil {
		return nil, err
	}
	switch v := res.(type) {
	case error:
		return nil, v
	case *Session:
		return v, nil
	}
	return nil, errors.New("address session: unexpected reply")
}

const tokenAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newToken is 22 base62 characters (131 bits), like the seed's tokens.
func newToken() string {
	out := make([]byte, 22)
	max := big.NewInt(int64(len(tokenAlphabet)))
	for i := range out {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err)
		}
		out[i] = tokenAlphabet[n.Int64()]
	}
	return string(out)
}

// envelope is seed 000's answer shape: message / request_status / data / meta.
func (s *Service) envelope(msg, status string, data any, sess *Session) map[string]any {
	meta := map[string]any{"responded_at": s.cfg.Clock.Now().UTC(), "hum_data_set": DataSet}
	if sess != nil {
		meta["session_token"] = sess.Token
		meta["session_status"] = sess.Status
		meta["agent_status"] = sess.AgentStatus
		meta["session_params"] = sess.Params
		meta["service_address"] = sess.ServiceAddress
		meta["created_at"] = sess.CreatedAt
		meta["updated_at"] = sess.UpdatedAt
	}
	if data == nil {
		data = map[string]any{}
	}
	return map[string]any{"message": msg, "request_status": status, "data": data, "meta": meta}
}

func (s *Service) fail(status int, msg string, errs []address.FieldError) (int, any) {
	body := s.envelope(msg, "error", nil, nil)
	if errs == nil {
		errs = []address.FieldError{}
	}
	body["errors"] = errs
	return status, body
}

func requestStatus(sess *Session) string {
	for _, k := range []string{"geocoding", "internet"} {
		if st := sess.AgentStatus[k]; st == Unmatched || st == "error" {
			return "warning"
		}
	}
	return "ok"
}

// Create is POST /sessions: validate, store the session, start its agents.
func (s *Service) Create(org string, body []byte) (int, any) {
	req, errs := address.Validate(body)
	if errs != nil {
		return s.fail(422, "The address is not valid.", errs)
	}
	params, _ := json.Marshal(req)
	now := s.cfg.Clock.Now().UTC()
	sess := &Session{Token: newToken(), OrgID: org, Status: Open, Params: params,
		AgentStatus: map[string]string{"geocoding": Pending, "internet": Pending, "checkout": Pending},
		CreatedAt:   now, UpdatedAt: now, LastAccessAt: now}
	if err := save(s.cfg.Store, sess, storage.Sync); err != nil {
		return s.fail(503, "The session could not be stored; retry.", nil)
	}
	res, err := s.ask(sess.Token, &Start{Req: req, Wait: len(req.Sync) > 0})
	if err != nil {
		return s.fail(503, "The session's agents did not start; retry.", nil)
	}
	return 201, s.envelope("Session created successfully.", requestStatus(res), map[string]any{"session_token": res.Token}, res)
}

// access loads a session of the org through its actor (which extends it).
func (s *Service) access(org, token string, msg any) (*Session, int, any) {
	if len(token) != 22 {
		st, b := s.fail(404, "Session not found.", nil)
		return nil, st, b
	}
	cur, err := load(s.cfg.Store, token)
	if err != nil || cur.OrgID != org {
		st, b := s.fail(404, "Session not found.", nil)
		return nil, st, b
	}
	sess, err := s.ask(token, msg)
	if err != nil {
		st, b := s.fail(503, "The session is busy; retry.", nil)
		return nil, st, b
	}
	return sess, 0, nil
}

// Get is GET /sessions/{token}: 202 while agents work, 200 with the
// providers when done, 410 once closed or expired.
func (s *Service) Get(org, token string) (int, any) {
	sess, st, body := s.access(org, token, &Touch{})
	if sess == nil {
		return st, body
	}
	switch {
	case sess.Status != Open:
		return 410, s.envelope("The session is "+sess.Status+".", "error", nil, sess)
	case sess.working():
		return 202, s.envelope("The session's agents are still working; poll again in 2-3 seconds.", "ok", nil, sess)
	}
	providers := sess.Providers
	if providers == nil {
		providers = []*Provider{}
	}
	return 200, s.envelope("Session data is ready.", requestStatus(sess), providers, sess)
}

// Delete is DELETE /sessions/{token}.
func (s *Service) Delete(org, token string) (int, any) {
	cur, err := load(s.cfg.Store, token)
	if err == nil && cur.OrgID == org && cur.Status != Open {
		return 410, s.envelope("The session is "+cur.Status+".", "error", nil, cur)
	}
	sess, st, body := s.access(org, token, &Close{})
	if sess == nil {
		return st, body
	}
	return 200, s.envelope("Session closed successfully", "ok", nil, sess)
}
