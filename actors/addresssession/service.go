package addresssession

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// InvalidError is a request that breaks seed 000's rules, as the seed's
// ordered error list.
type InvalidError struct{ Errors []address.FieldError }

func (e *InvalidError) Error() string { return "the address is not valid" }

// Is makes an InvalidError a storage.ErrInvalid.
func (e *InvalidError) Is(target error) bool { return target == storage.ErrInvalid }

// ClosedError is a session that is closed or expired; Session is its state.
type ClosedError struct{ Session *Session }

func (e *ClosedError) Error() string { return "the session is " + e.Session.Status }

// Is makes a ClosedError a storage.ErrGone.
func (e *ClosedError) Is(target error) bool { return target == storage.ErrGone }

// The retryable failures of the session operations.
var (
	ErrNotStored  = errors.New("address session: the session could not be stored")
	ErrNotStarted = errors.New("address session: the agents did not start")
	ErrBusy       = errors.New("address session: the session is busy")
)

// RequestStatus is seed 000's request_status of a session: warning once an
// agent found nothing or failed, else ok.
func (s *Session) RequestStatus() string {
	for _, k := range []string{"geocoding", "internet"} {
		if st := s.AgentStatus[k]; st == Unmatched || st == "error" {
			return "warning"
		}
	}
	return "ok"
}

// Working reports whether an agent that answers GET is still pending.
func (s *Session) Working() bool { return s.working() }

// Create is POST /sessions: check, store the session, start its agents;
// it answers the session once started (or, with sync, once those agents
// are done).
func (s *Service) Create(org string, in *address.Input) (*Session, error) {
	req, errs := address.Check(in)
	if errs != nil {
		return nil, &InvalidError{Errors: errs}
	}
	params, _ := json.Marshal(req)
	now := s.cfg.Clock.Now().UTC()
	sess := &Session{Token: newToken(), OrgID: org, Status: Open, Params: params,
		AgentStatus: map[string]string{"geocoding": Pending, "internet": Pending, "checkout": Pending},
		CreatedAt:   now, UpdatedAt: now, LastAccessAt: now}
	if err := save(s.cfg.Store, sess, storage.Sync); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotStored, err)
	}
	res, err := s.ask(sess.Token, &Start{Req: req, Wait: len(req.Sync) > 0})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotStarted, err)
	}
	return res, nil
}

// access loads a session of the org through its actor (which extends it).
func (s *Service) access(org, token string, msg any) (*Session, error) {
	if len(token) != 22 {
		return nil, fmt.Errorf("address session: %w", storage.ErrNotFound)
	}
	cur, err := load(s.cfg.Store, token)
	if err != nil || cur.OrgID != org {
		return nil, fmt.Errorf("address session: %w", storage.ErrNotFound)
	}
	sess, err := s.ask(token, msg)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBusy, err)
	}
	return sess, nil
}

// Get is GET /sessions/{token}: the session (Working while its agents
// work), or a ClosedError once closed or expired.
func (s *Service) Get(org, token string) (*Session, error) {
	sess, err := s.access(org, token, &Touch{})
	if err != nil {
		return nil, err
	}
	if sess.Status != Open {
		return nil, &ClosedError{Session: sess}
	}
	return sess, nil
}

// Delete is DELETE /sessions/{token}: the closed session, or a ClosedError
// if it was closed already.
func (s *Service) Delete(org, token string) (*Session, error) {
	cur, err := load(s.cfg.Store, token)
	if err == nil && cur.OrgID == org && cur.Status != Open {
		return nil, &ClosedError{Session: cur}
	}
	return s.access(org, token, &Close{})
}

// ImportProviders loads a provider catalog CSV into the store (see the
// package function importProviders): the offline door of humd import.
func (s *Service) ImportProviders(r io.Reader) (int, error) {
	return importProviders(s.cfg.Store, r)
}
