package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/app"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/transport/httpapi"
)

// AdminKey is the bootstrap key every test server starts with.
const AdminKey = "hum_live_testadminkey0000000000000000"

// Server is a humd started in-process on a loopback port.
type Server struct {
	T   testing.TB
	App *app.App
	URL string
	// PublicURL is HUMD_PUBLIC_URL, what webhook signatures cover.
	PublicURL string
	Dir       string
	Clock     *clock.Fake
	client    *http.Client
	mu        sync.Mutex
	records   []Response
	stopped   bool
	cancel    context.CancelFunc
	done      chan error
}

// Response is what the server answered, recorded through the OnResponse hook.
type Response struct {
	Route       *httpapi.Route
	Status      int
	ContentType string
	Body        []byte
}

// Options tune Start.
type Options struct {
	// Dir reuses a data directory (restart tests); "" makes a new temp dir.
	Dir    string
	Config app.Config
	// FS runs Pebble on this filesystem (crash tests use a crashable
	// in-memory one); Dir is then a path inside it.
	FS vfs.FS
	// Seed keeps the sandbox seed (tests otherwise start empty).
	Seed bool
	// Model replaces the AI model (default: the local model).
	Model ai.Model
	// Now starts the fake clock here (default 2026-11-25 15:00 UTC).
	Now time.Time
	// Logger receives humd's log (default: discarded).
	Logger *slog.Logger
	// Addr is the listen address (default 127.0.0.1:0). Browser tests pick
	// a free port first, so that Config.PublicURL names the real server
	// (redirects and the OIDC callback must reach it).
	Addr string
}

// Start runs a humd with a fake clock and a real Pebble in a temp dir.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	if o.Dir == "" && o.FS != nil {
		o.Dir = "data"
	}
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	cfg := o.Config
	cfg.Addr = "127.0.0.1:0"
	if o.Addr != "" {
		cfg.Addr = o.Addr
	}
	cfg.DataDir = o.Dir
	if cfg.AdminKey == "" {
		cfg.AdminKey = AdminKey
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://humd.test"
	}
	if o.Now.IsZero() {
		o.Now = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	}
	s := &Server{T: t, Dir: o.Dir, Clock: clock.NewFake(o.Now),
		client: &http.Client{Timeout: 10 * time.Second}}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	a, err := app.New(cfg, app.Options{Logger: o.Logger, Clock: s.Clock, NoSeed: !o.Seed, Model: o.Model, CheckTypes: true,
		StoreOptions: storage.Options{FS: o.FS, OnFatal: func(msg string) { t.Errorf("storage fatal: %s", msg) }},
		OnResponse: func(r *httpapi.Route, status int, ct string, body []byte) {
			s.mu.Lock()
			s.records = append(s.records, Response{Route: r, Status: status, ContentType: ct, Body: bytes.Clone(body)})
			s.mu.Unlock()
		}})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	if err := a.Listen(); err != nil {
		t.Fatalf("listen: %v", err)
	}
	s.App = a
	s.URL = "http://" + a.Addr()
	s.PublicURL = cfg.PublicURL
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.done = make(chan error, 1)
	go func() { s.done <- a.Serve(ctx) }()
	t.Cleanup(func() { s.Stop() })
	// Every answer of every end-to-end test is checked against /openapi.json.
	t.Cleanup(func() { s.CheckAll() })
	return s
}

// Stop shuts the server down (idempotent).
func (s *Server) Stop() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	s.mu.Unlock()
	s.cancel()
	if err := <-s.done; err != nil {
		s.T.Errorf("close: %v", err)
	}
}

// Responses returns everything answered so far.
func (s *Server) Responses() []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Response(nil), s.records...)
}

// Do sends a request with key (as Bearer) and a JSON body (string, []byte or
// any value to marshal), answering the status and the raw body.
func (s *Server) Do(method, path, key string, body any) (int, []byte) {
	s.T.Helper()
	status, _, raw := s.DoHeader(method, path, key, body, nil)
	return status, raw
}

// DoHeader is Do with extra request headers, answering the response's too.
func (s *Server) DoHeader(method, path, key string, body any, hdr map[string]string) (int, http.Header, []byte) {
	s.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			s.T.Fatalf("marshal: %v", err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		s.T.Fatalf("request: %v", err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, raw
}

// JSON is Do that decodes the answer into a map and checks the status.
func (s *Server) JSON(method, path, key string, body any, want int) map[string]any {
	s.T.Helper()
	status, raw := s.Do(method, path, key, body)
	if status != want {
		s.T.Fatalf("%s %s = %d %s; want %d", method, path, status, raw, want)
	}
	out := map[string]any{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			s.T.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
		}
	}
	return out
}
