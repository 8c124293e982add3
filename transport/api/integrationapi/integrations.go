package integrationapi

import (
	"github.com/humd/humd/actors/service"
	"github.com/humd/humd/actors/service/integrationsvc"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/transport/httpapi"
)

// Deps are what the integration routes use.
type Deps struct {
	// Svc is the front door (actors/service): handlers decode the wire,
	// call its typed operations and encode the answer.
	Svc *service.Service
}

// API serves the integration routes.
type API struct{ d Deps }

// New builds the integrations area.
func New(d Deps) *API { return &API{d: d} }

// Routes lists the integration routes.
func (a *API) Routes() []*httpapi.Route {
	var all []*httpapi.Route
	all = append(all, a.eventRoutes()...)
	all = append(all, a.webhookRoutes()...)
	all = append(all, a.crmRoutes()...)
	all = append(all, a.triggerRoutes()...)
	all = append(all, a.mcpRoutes()...)
	return all
}

func (a *API) eventRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/events", OpID: "listEvents", Summary: "The org's durable event log, oldest first (?type=, cursor)", Tag: "Events", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*events.Event]](200), Handle: a.listEvents},
	}
}

func (a *API) listEvents(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListEvents(c.Ctx, c.Principal, integrationsvc.ListEventsQuery{Type: c.Query("type"), Page: page})
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}
