package smsapi

import (
	"time"

	"github.com/humd/humd/actors/service"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/enrich"
	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/transport/httpapi"
)

// Deps are what the SMS routes use.
type Deps struct {
	// Svc is the front door (actors/service): handlers call its typed
	// operations rather than storage writers or actor doors.
	Svc   *service.Service
	Store storage.Store
	Clock clock.Clock
	// Threads finds conversation actors; Senders finds sender actors (a
	// number's new rate goes to its sender).
	Threads *conversation.Directory
	Senders *sender.Directory
	// FlowChannel answers a flow's channel (voice|sms), or storage.ErrNotFound
	// when the org has no such flow.
	FlowChannel func(orgID, flowID string) (string, error)
	// NumberCap is the org's cap on numbers for a register (0: none).
	NumberCap func(orgID string) (int, error)
	// Sandbox labels numbers registered by hand "sandbox" (else "twilio").
	Sandbox bool
	// Enrich runs contact enrichment (Lookup) and its backfill jobs; nil
	// when no lookup provider is configured.
	Enrich *enrich.Service
}

// API serves the SMS routes.
type API struct {
	d Deps
	// sends caps an API key's sends to one thread (A35: 60 a minute).
	sends *httpapi.Limits
}

// Sends through the API to one thread are capped per key (A35), so a
// looping client cannot flood one contact.
const sendsPerMinute = 60

// New builds the SMS area.
func New(d Deps) *API {
	return &API{d: d, sends: httpapi.NewLimits(sendsPerMinute/60.0, sendsPerMinute)}
}

// Routes lists the SMS routes.
func (a *API) Routes() []*httpapi.Route {
	var all []*httpapi.Route
	all = append(all, a.threadRoutes()...)
	all = append(all, a.numberRoutes()...)
	all = append(all, a.contactRoutes()...)
	return all
}

// askThread asks the actor of (number, contact) through the directory.
func askThread[T any](a *API, orgID, numberID, e164 string, msg any) (T, error) {
	return system.Await[T](a.d.Threads.Request(orgID, numberID, e164, msg, httpapi.AskTimeout), msg)
}

func (a *API) now() time.Time { return a.d.Clock.Now() }
