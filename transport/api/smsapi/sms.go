package smsapi

import (
	"time"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/service"
	"github.com/humd/humd/transport/httpapi"
)

// Deps are what the SMS routes use.
type Deps struct {
	// Svc is the front door (actors/service): handlers call its typed
	// operations rather than storage writers or actor doors.
	Svc *service.Service
	// Clock times the per-thread send cap.
	Clock clock.Clock
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

func (a *API) now() time.Time { return a.d.Clock.Now() }
