package sessionapi

import (
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/service"
	"github.com/humd/humd/transport/httpapi"
)

// Deps are what the session routes use.
type Deps struct {
	// Svc is the front door (actors/service): handlers call its typed
	// operations rather than storage writers or actor doors.
	Svc *service.Service
	// Clock stamps meta.responded_at of seed 000's envelopes.
	Clock clock.Clock
}

// API serves the session routes.
type API struct{ d Deps }

// New builds the sessions area.
func New(d Deps) *API { return &API{d: d} }

// Routes lists the session routes.
func (a *API) Routes() []*httpapi.Route {
	return append(a.agentSessionRoutes(), a.addressSessionRoutes()...)
}

// Short names for the hand-written schemas of this package.
type schema = httpapi.Schema

var (
	str, strN, number, integer, dateTime = httpapi.Str, httpapi.StrN, httpapi.Number, httpapi.Integer, httpapi.DateTime
	obj, arr, enum, nullable, strict     = httpapi.Obj, httpapi.Arr, httpapi.Enum, httpapi.Nullable, httpapi.Strict
	oneOfTypes, emptyObj, freeForm, ref  = httpapi.OneOfTypes, httpapi.EmptyObj, httpapi.FreeForm, httpapi.Ref
)
