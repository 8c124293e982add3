package adminapi

import (
	"time"

	"github.com/humd/humd/actors/service"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/brands"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/httpapi"
)

// Deps are what the admin routes use.
type Deps struct {
	// Svc is the front door (actors/service): handlers call its typed
	// operations rather than storage writers or actor doors.
	Svc     *service.Service
	Store   storage.Store
	Clock   clock.Clock
	Tenancy *tenancy.Repo
	// Numbers is the active carrier's number inventory (nil: no carrier).
	Numbers service.NumberSource
	// Brands registers A2P brands and campaigns (nil: no carrier).
	Brands brands.Carrier
	// Billing is billing.provider = none's configuration (plan limits).
	Billing BillingConfig
	// FlowChannel answers a flow's channel (voice|sms), or storage.ErrNotFound
	// when the org has no such flow: a bought number's flows are checked.
	FlowChannel func(orgID, flowID string) (string, error)
	// Sandbox labels bought numbers "sandbox" (else "twilio").
	Sandbox bool
	// OrgNow is now in the org's time zone (a dashboard's "today").
	OrgNow func(orgID string) time.Time
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
	return all
}

func (a *API) now() time.Time { return a.d.Clock.Now() }

// providerName labels numbers bought here.
func (a *API) providerName() string {
	if a.d.Sandbox {
		return "sandbox"
	}
	return "twilio"
}
