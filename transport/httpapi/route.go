package httpapi

import (
	"bytes"
	"fmt"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
)

// Access is who may call a route.
type Access int

const (
	// Public needs no key.
	Public Access = iota
	// ViewerUp needs any valid key of the org.
	ViewerUp
	// OperatorUp needs an operator or admin key.
	OperatorUp
	// AdminUp needs an admin key.
	AdminUp
	// SiteAdmin needs a site:admin key whose owner is still a site admin.
	SiteAdmin
)

func (a Access) allows(p *tenancy.Principal) error {
	need := map[Access]tenancy.Role{ViewerUp: tenancy.Viewer, OperatorUp: tenancy.Operator, AdminUp: tenancy.Admin}
	switch a {
	case Public:
		return nil
	case SiteAdmin:
		if p.SiteAdmin {
			return nil
		}
	default:
		if p.Role.AtLeast(need[a]) {
			return nil
		}
	}
	return fmt.Errorf("route needs %v: %w", a, storage.ErrForbidden)
}

func (a Access) String() string {
	return [...]string{"public", "viewer", "operator", "admin", "site:admin"}[a]
}

// ErrorStyle is how a route's errors are shaped: D-10 everywhere except the
// seed routes, which keep their own envelopes.
type ErrorStyle int

const (
	// CoreStyle is {"error":{"code","message","details"}}.
	CoreStyle ErrorStyle = iota
	// AddressStyle is seed 000's {"message","request_status":"error","errors":[...]}.
	AddressStyle
	// AgentStyle is seed 002's {"success":false,"error":"..."}.
	AgentStyle
)

// Route is one row of the route table: what the router serves and what the
// OpenAPI document says about it.
type Route struct {
	Method  string
	Path    string
	OpID    string
	Summary string
	Tag     string
	Auth    Access
	Errors  ErrorStyle
	MaxBody int
	// Quiet routes (health, metrics) stay out of the access log.
	Quiet bool
	// Stream routes answer a body stream (SSE); response hooks do not read
	// it, since reading would wait for the stream's end.
	Stream bool
	// Request is the JSON Schema of the body, nil for none.
	Request Schema
	// Responses maps status to the JSON Schema of that answer's body; a nil
	// schema means a non-JSON or empty body.
	Responses map[int]Schema
	Handle    func(c *Call) error
}

// apiKey reads the key from Authorization: Bearer or x-api-key. Keys are never
// taken from the query string (SPEC 1.0).
func apiKey(ctx *fasthttp.RequestCtx) string {
	if auth := ctx.Request.Header.Peek("Authorization"); len(auth) > 7 && bytes.EqualFold(auth[:7], []byte("Bearer ")) {
		return string(bytes.TrimSpace(auth[7:]))
	}
	return string(bytes.TrimSpace(ctx.Request.Header.Peek("x-api-key")))
}

func (s *Server) authenticate(ctx *fasthttp.RequestCtx) (*tenancy.Principal, error) {
	return s.deps.Tenancy.Authenticate(apiKey(ctx))
}
