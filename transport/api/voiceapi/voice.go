package voiceapi

import (
	"time"

	"github.com/humd/humd/actors/service"
	"github.com/humd/humd/actors/service/svcbase"
	"github.com/humd/humd/actors/service/voicesvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/httpapi"
)

// Deps are what the voice routes use.
type Deps struct {
	// Svc is the front door (actors/service): every handler calls its typed
	// operations; the voice area reaches no storage writer or actor door.
	Svc *service.Service
}

// API serves the voice routes.
type API struct{ d Deps }

// New builds the voice area.
func New(d Deps) *API { return &API{d: d} }

// Routes lists the voice routes.
func (a *API) Routes() []*httpapi.Route {
	var all []*httpapi.Route
	all = append(all, a.outboundRoutes()...)
	all = append(all, a.reviewRoutes()...)
	all = append(all, a.agentRoutes()...)
	return all
}

// OrgLocalNow is the clock's now in the org's time zone, which is what "a
// day" means in date filters and analytics (svcbase.OrgLocalNow, for the
// areas that still take it from here).
func OrgLocalNow(ten *tenancy.Repo, org string, now time.Time) time.Time {
	return svcbase.OrgLocalNow(ten, org, now)
}

// OutboundNumber picks the caller id of an outbound call
// (voicesvc.OutboundNumber, for the areas that still take it from here).
func OutboundNumber(st storage.Store, org, id, flowID string) (*sms.Number, error) {
	return voicesvc.OutboundNumber(st, org, id, flowID)
}
