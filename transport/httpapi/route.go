package httpapi

import (
	"bytes"
	"fmt"
	"reflect"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
)

// Area is one part of the API (SMS, voice, campaigns, ...): its routes, in
// the order the document lists them. The edge composes areas; an area never
// sees another.
type Area interface {
	Routes() []*Route
}

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
	// Idempotent POSTs send, buy or launch (SPEC 1.0, A35): with an
	// Idempotency-Key header their first 2xx answer is kept for 24 h and
	// given again to a retry instead of acting twice.
	Idempotent bool
	// Fails are the error statuses the handler answers beyond those the
	// edge derives from the route (errorStatuses): a query parameter it
	// refuses, a carrier that failed, a plan with no room.
	Fails []int
	// Request is the Go type of the JSON body, nil for none; the document
	// reflects it (see Component and SchemaExtender).
	Request reflect.Type
	// Responses maps status to the Go type of that answer's body: the
	// handler writes exactly that type (Call.JSON checks it when
	// Config.CheckTypes is set). A nil type is an empty body; a type with a
	// ContentType method is a text body of that type.
	Responses map[int]reflect.Type
	// RequestSchema and Schemas are hand-written JSON Schemas, for routes
	// whose answers are not Go types of their own (the seed sessions
	// answer what their services build).
	RequestSchema Schema
	Schemas       map[int]Schema
	Handle        func(c *Call) error

	// Computed once by Server.add from the declarations above.
	confirm bool // the body declares confirm
}

// apiKey reads the key from Authorization: Bearer or x-api-key. Keys are never
// taken from the query string (SPEC 1.0).
func apiKey(ctx *fasthttp.RequestCtx) string {
	if auth := ctx.Request.Header.Peek("Authorization"); len(auth) > 7 && bytes.EqualFold(auth[:7], []byte("Bearer ")) {
		return string(bytes.TrimSpace(auth[7:]))
	}
	return string(bytes.TrimSpace(ctx.Request.Header.Peek("x-api-key")))
}

// takesBody tells a route that reads its request body: one that declares
// a body, or any POST, PUT or PATCH.
func takesBody(r *Route) bool {
	return r.Request != nil || r.RequestSchema != nil || r.Method == "POST" || r.Method == "PUT" || r.Method == "PATCH"
}
