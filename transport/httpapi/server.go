package httpapi

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/fasthttp/router"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/logredact"
	"github.com/humd/humd/transport/wire"
)

// Config configures the HTTP edge. The zero value works.
type Config struct {
	// MaxJSONBody caps JSON request bodies (default 1 MiB); routes may raise it.
	MaxJSONBody int
	// Logger receives the access log, handler errors and fasthttp's own
	// errors, all through logredact.
	Logger *slog.Logger
	// OnResponse, when set, sees every answered request (tests validate
	// responses against the OpenAPI document with it).
	OnResponse func(r *Route, status int, contentType string, body []byte)
	// MetricsToken, when set, is the bearer token /metrics wants.
	MetricsToken string
	// Registry receives the HTTP metrics; nil makes a private registry.
	Registry *prometheus.Registry
	// KeyRequestsPerMinute caps requests per API key (A35), default 600;
	// negative turns the cap off (load tests).
	KeyRequestsPerMinute int
	// Skips counts and logs the records list pages leave out because they
	// do not decode (nil: logged only).
	Skips *storage.Skips
	// Keys authenticates API keys (tenancy.Repo).
	Keys Authenticator
	// Store keeps idempotent answers.
	Store storage.Store
	// Clock times rate limits and idempotency records (default the real one).
	Clock clock.Clock
	// Version is reported by /api/health and /mcp.
	Version string
	// CheckTypes makes an answer whose Go type is not the one its route
	// declares fail (500), so the end-to-end tests catch a handler that
	// drifted from the document. Off, such an answer is logged and sent.
	CheckTypes bool
}

// Authenticator finds the principal of an API key.
type Authenticator interface {
	Authenticate(key string) (*tenancy.Principal, error)
}

func (c *Config) defaults() {
	if c.MaxJSONBody == 0 {
		c.MaxJSONBody = 1 << 20
	}
	c.Logger = logredact.Logger(c.Logger)
	if c.Registry == nil {
		c.Registry = prometheus.NewRegistry()
	}
	if c.KeyRequestsPerMinute == 0 {
		c.KeyRequestsPerMinute = 600
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
}

// Server is humd's fasthttp front door: one router, one middleware chain, one
// route table that also feeds the OpenAPI document.
type Server struct {
	cfg    Config
	router *router.Router
	routes []*Route
	srv    *fasthttp.Server

	// sessions resolves browser session cookies (nil: keys only).
	sessions SessionSource
	// keyLimits limits requests per API key (nil when off).
	keyLimits *Limits
	// idemInFlight holds org+Idempotency-Key of requests being answered.
	idemInFlight sync.Map
	// numberRefs caches E.164 -> (org, number id) for inbound webhooks.
	numberRefs sync.Map

	// metrics and mcp are the handlers of /metrics and /mcp.
	metrics, mcp fasthttp.RequestHandler
	// docJSON is the document, built on first use: the table is fixed.
	docOnce sync.Once
	docJSON []byte

	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// New builds the server and registers the System routes, /mcp and every
// route of the areas, in that order.
func New(cfg Config, areas ...Area) *Server {
	cfg.defaults()
	s := &Server{cfg: cfg, router: router.New()}
	if n := cfg.KeyRequestsPerMinute; n > 0 {
		s.keyLimits = NewLimits(float64(n)/60, float64(n))
	}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "humd_http_requests_total",
		Help: "HTTP requests by route and status."}, []string{"method", "route", "status"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "humd_http_request_duration_seconds",
		Help: "HTTP request latency by route.", Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 12)}, []string{"method", "route"})
	cfg.Registry.MustRegister(s.requests, s.latency)
	s.router.NotFound = s.wrap(&Route{Method: "*", Path: "(unmatched)", Auth: Public, Handle: func(*Call) error { return errNotFoundRoute }})
	s.router.MethodNotAllowed = s.wrap(&Route{Method: "*", Path: "(unmatched)", Auth: Public, Handle: func(*Call) error { return errMethodNotAllow }})
	s.router.HandleMethodNotAllowed = true
	for _, r := range s.systemRoutes() {
		s.add(r)
	}
	for _, r := range s.mcpRoutes() {
		s.add(r)
	}
	for _, a := range areas {
		if src, ok := a.(SessionSource); ok {
			s.sessions = src
		}
		for _, r := range a.Routes() {
			s.add(r)
		}
	}
	s.srv = &fasthttp.Server{
		Handler:               s.router.Handler,
		Name:                  "humd",
		MaxRequestBodySize:    16 << 20,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           2 * time.Minute,
		NoDefaultServerHeader: false,
		// fasthttp's errors about requests it cannot parse quote the raw
		// request, credentials included: it leaves the dump out of the
		// messages it can, and logredact handles the ones it always quotes
		// (a refused header value, a broken request line).
		SecureErrorLogMessage: true,
		Logger:                fasthttpLogger{cfg.Logger},
	}
	return s
}

// Routes is the route table, in registration order.
func (s *Server) Routes() []*Route { return s.routes }

// Handler is the whole middleware chain and router, for in-memory tests.
func (s *Server) Handler() fasthttp.RequestHandler { return s.srv.Handler }

// Serve answers connections from ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.srv.Serve(ln) }

// Shutdown stops accepting and waits for in-flight requests.
func (s *Server) Shutdown() error { return s.srv.Shutdown() }

func (s *Server) add(r *Route) {
	r.confirm = declaresConfirm(r)
	s.routes = append(s.routes, r)
	s.router.Handle(r.Method, r.Path, s.wrap(r))
}

func newRequestID(given []byte) string {
	if n := len(given); n > 0 && n <= 64 && bytes.IndexFunc(given, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return string(given)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "req_" + hex.EncodeToString(b[:])
}

// wrap is the middleware chain: request id, panic recovery, body cap, auth,
// the handler, error mapping, metrics and the access log.
func (s *Server) wrap(r *Route) fasthttp.RequestHandler {
	maxBody := r.MaxBody
	if maxBody == 0 {
		maxBody = s.cfg.MaxJSONBody
	}
	return func(ctx *fasthttp.RequestCtx) {
		start := time.Now()
		c := &Call{Ctx: ctx, Route: r, RequestID: newRequestID(ctx.Request.Header.Peek("X-Request-Id")), server: s}
		ctx.Response.Header.Set("X-Request-Id", c.RequestID)
		func() {
			defer func() {
				if v := recover(); v != nil {
					s.cfg.Logger.Error("panic in handler", "route", r.Path, "panic", v, "stack", string(debug.Stack()), "request_id", c.RequestID)
					s.fail(c, fmt.Errorf("panic: %v", v))
				}
			}()
			if err := s.serve(c, maxBody); err != nil {
				s.fail(c, err)
			}
		}()
		status := ctx.Response.StatusCode()
		elapsed := time.Since(start)
		s.requests.WithLabelValues(r.Method, r.Path, strconv.Itoa(status)).Inc()
		s.latency.WithLabelValues(r.Method, r.Path).Observe(elapsed.Seconds())
		if !r.Quiet {
			s.cfg.Logger.Info("http", c.accessAttrs(status, elapsed)...)
		}
		if s.cfg.OnResponse != nil && !r.Stream {
			s.cfg.OnResponse(r, status, string(ctx.Response.Header.ContentType()), ctx.Response.Body())
		}
	}
}

func (s *Server) serve(c *Call, maxBody int) error {
	if len(c.Ctx.PostBody()) > maxBody {
		return fmt.Errorf("%w: at most %d bytes", errBodyTooLarge, maxBody)
	}
	if err := checkJSONBody(c.Route, c.Ctx.PostBody()); err != nil {
		return err
	}
	if c.Route.Auth != Public {
		p, err := s.authenticate(c.Ctx)
		if err != nil {
			return err
		}
		c.Principal = p
		if err := c.Route.Auth.allows(p); err != nil {
			return err
		}
		if err := scopeAllows(c.Route, p); err != nil {
			return err
		}
		if err := s.limitKey(c); err != nil {
			return err
		}
		if !c.Route.confirm {
			dropConfirm(c.Ctx)
		}
		if k := c.Ctx.Request.Header.Peek("Idempotency-Key"); len(k) > 0 && c.Route.Idempotent {
			return s.idempotent(c, string(k))
		}
	}
	return c.Route.Handle(c)
}

// checkJSONBody holds every JSON body to storage's input limits before any
// handler sees it, so nothing stored from a request (a trigger's payload
// kept verbatim, a contact's extra fields) can fail to read back. Form
// bodies (Twilio's webhooks) start with a field name and are left alone, and
// so are bodies of routes that never read one.
func checkJSONBody(r *Route, body []byte) error {
	if !takesBody(r) {
		return nil
	}
	body = bytes.TrimLeft(body, " \t\r\n")
	if len(body) == 0 || body[0] != '{' && body[0] != '[' {
		return nil
	}
	return wire.CheckDepth(body)
}

// fail writes err in the route's error style and logs unexpected ones.
func (s *Server) fail(c *Call, err error) {
	status, ae := classify(err)
	if status >= 500 {
		s.cfg.Logger.Error("request failed", "route", c.Route.Path, "err", err, "request_id", c.RequestID)
	}
	c.Ctx.Response.ResetBody()
	if status == http.StatusUnauthorized {
		c.Ctx.Response.Header.Set("WWW-Authenticate", wwwAuthenticate(c.Ctx))
	}
	switch c.Route.Errors {
	case AddressStyle:
		_ = c.write(status, &addressError{Message: ae.Message, RequestStatus: "error", Errors: fieldList(ae)})
	case AgentStyle:
		_ = c.write(status, &agentError{Error: ae.Message})
	default:
		_ = c.write(status, &errorBody{Error: ae})
	}
}

// wwwAuthenticate is the challenge of every 401 (RFC 9110 requires one; MCP
// clients read it to learn the scheme): Bearer, with RFC 6750's
// invalid_token when a key was sent and refused.
func wwwAuthenticate(ctx *fasthttp.RequestCtx) string {
	if apiKey(ctx) == "" {
		return `Bearer realm="humd"`
	}
	return `Bearer realm="humd", error="invalid_token", error_description="the API key is unknown, revoked or expired"`
}

func fieldList(ae apiError) []fieldError {
	out := []fieldError{}
	if f, ok := ae.Details["fields"].(map[string]any); ok {
		for k, v := range f {
			out = append(out, fieldError{Field: k, Code: "invalid", Message: fmt.Sprint(v)})
		}
	}
	return out
}

// fasthttpLogger routes fasthttp's log into the server's (redacting) logger.
type fasthttpLogger struct{ l *slog.Logger }

func (f fasthttpLogger) Printf(format string, args ...any) {
	f.l.Warn(fmt.Sprintf(format, args...), "component", "fasthttp")
}

// Router exposes the router so tests can compare it with the OpenAPI document.
func (s *Server) Router() *router.Router { return s.router }

// accessAttrs are the access line's attributes: the request, its id, its
// org, and what the handler added (LogWith).
func (c *Call) accessAttrs(status int, elapsed time.Duration) []any {
	org := ""
	if c.Principal != nil {
		org = c.Principal.OrgID
	}
	var extra []any
	for i := 0; i+1 < len(c.logAttrs); i += 2 {
		if c.logAttrs[i] == "org" {
			if org == "" {
				org, _ = c.logAttrs[i+1].(string)
			}
			continue
		}
		extra = append(extra, c.logAttrs[i], c.logAttrs[i+1])
	}
	attrs := []any{"method", string(c.Ctx.Method()), "path", string(c.Ctx.Path()), "route", c.Route.Path,
		"status", status, "ms", float64(elapsed.Microseconds()) / 1000, "request_id", c.RequestID, "org", org}
	return append(attrs, extra...)
}
