package adminapi

import (
	"github.com/humd/humd/actors/service"
	"github.com/humd/humd/transport/httpapi"
)

// Deps are what the admin routes use.
type Deps struct {
	// Svc is the front door (actors/service): handlers call its typed
	// operations rather than storage writers or actor doors.
	Svc *service.Service
}

// API serves the admin routes.
type API struct{ d Deps }

// New builds the admin area.
func New(d Deps) *API { return &API{d: d} }

// Routes lists the admin routes.
func (a *API) Routes() []*httpapi.Route {
	var all []*httpapi.Route
	all = append(all, a.numberRoutes()...)
	all = append(all, a.dashboardRoutes()...)
	all = append(all, a.brandRoutes()...)
	all = append(all, a.billingRoutes()...)
	all = append(all, a.storageRoutes()...)
	return all
}
