package sessionapi

import (
	"github.com/humd/humd/actors/addresssession"
	"github.com/humd/humd/actors/agentsession"
	"github.com/humd/humd/actors/service"
	"github.com/humd/humd/transport/httpapi"
)

// Deps are what the session routes use.
type Deps struct {
	// Svc is the front door (actors/service): handlers call its typed
	// operations rather than storage writers or actor doors.
	Svc *service.Service
	// Agents runs seed 002's agent sessions; Address seed 000's address
	// sessions.
	Agents  *agentsession.Service
	Address *addresssession.Service
}

// API serves the session routes.
type API struct{ d Deps }

// New builds the sessions area.
func New(d Deps) *API { return &API{d: d} }

// Routes lists the session routes.
func (a *API) Routes() []*httpapi.Route {
	return append(a.agentSessionRoutes(), a.addressSessionRoutes()...)
}

// answer writes what a session service answered, its status and its body
// in the seed's envelope: answer(c)(service.Get(...)).
func answer(c *httpapi.Call) func(status int, body any) error {
	return func(status int, body any) error { return c.JSON(status, body) }
}

// Short names for the hand-written schemas of this package.
type schema = httpapi.Schema

var (
	str, strN, number, integer, dateTime = httpapi.Str, httpapi.StrN, httpapi.Number, httpapi.Integer, httpapi.DateTime
	obj, arr, enum, nullable, strict     = httpapi.Obj, httpapi.Arr, httpapi.Enum, httpapi.Nullable, httpapi.Strict
	oneOfTypes, emptyObj, freeForm, ref  = httpapi.OneOfTypes, httpapi.EmptyObj, httpapi.FreeForm, httpapi.Ref
)
