package voiceapi

import (
	"errors"
	"time"

	"github.com/humd/humd/actors/service"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/httpapi"
)

// Deps are what the voice routes use.
type Deps struct {
	// Svc is the front door (actors/service): handlers call its typed
	// operations rather than storage writers or actor doors.
	Svc     *service.Service
	Store   storage.Store
	Clock   clock.Clock
	Tenancy *tenancy.Repo
	Flows   *flows.Repo
	// Calls runs the voice call actors.
	Calls *call.Service
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

func askCall[T any](a *API, callID string, msg any) (T, error) {
	return system.Await[T](a.d.Calls.Request(callID, msg, httpapi.AskTimeout), msg)
}

// OrgLocalNow is the clock's now in the org's time zone, which is what "a
// day" means in date filters and analytics.
func OrgLocalNow(ten *tenancy.Repo, org string, now time.Time) time.Time {
	if ten == nil {
		return now
	}
	o, err := ten.Org(org)
	if err != nil || o.Timezone == "" {
		return now
	}
	if loc, err := time.LoadLocation(o.Timezone); err == nil {
		return now.In(loc)
	}
	return now
}

func (a *API) orgLocalNow(org string) time.Time {
	return OrgLocalNow(a.d.Tenancy, org, a.d.Clock.Now())
}

// OutboundNumber picks the caller id of an outbound call: the given number,
// else the number that answers with the flow, else the org's first voice
// number.
func OutboundNumber(st storage.Store, org, id, flowID string) (*sms.Number, error) {
	if id != "" {
		n, err := sms.GetNumber(st, org, id)
		if errors.Is(err, storage.ErrNotFound) || err == nil && !n.Capabilities.Voice {
			return nil, storage.Invalid("from_number_id", "must be a voice-capable number of this org")
		}
		return n, err
	}
	all, _, err := sms.ListNumbers(st, org, storage.PageRequest{Limit: storage.MaxPageLimit})
	if err != nil {
		return nil, err
	}
	var first *sms.Number
	for _, n := range all {
		if !n.Capabilities.Voice {
			continue
		}
		if n.FlowID != nil && *n.FlowID == flowID {
			return n, nil
		}
		if first == nil {
			first = n
		}
	}
	if first == nil {
		return nil, storage.Invalid("from_number_id", "the org has no voice-capable number")
	}
	return first, nil
}
