package billing

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	storebilling "github.com/humd/humd/storage/billing"
)

// Checkout asks for a hosted checkout of Plan for the org; the answer is a
// *Hosted.
type Checkout struct {
	OrgID, OrgName string
	Plan           storebilling.Plan
	// IdempotencyKey is the client's, passed to the provider as is.
	IdempotencyKey string
}

// Portal asks for the org's hosted customer portal; the answer is a
// *Hosted, or ErrNoCustomer before the org's first checkout.
type Portal struct {
	OrgID          string
	IdempotencyKey string
}

// Hosted is a provider page's address.
type Hosted struct {
	URL string
}

// Ingest applies a checked webhook event; the answer is an *Ingested once
// the event is stored.
type Ingest struct {
	Event *storebilling.Event
}

// Ingested says what an event did; Duplicate is a replay of a stored one.
type Ingested struct {
	Outcome   string
	Duplicate bool
}

// customerMade brings back a customer the provider created for org.
type customerMade struct {
	org, id string
	err     error
}

// hosted brings back a checkout's or portal's page for the asker.
type hosted struct {
	asker *actor.PID
	url   string
	err   error
}

// meterTick is the reporting slice's timer.
type meterTick struct{ gen uint64 }

// sliceSent brings back which meters of a slice the provider took.
type sliceSent struct {
	org  string
	at   time.Time
	sent map[string]bool
	err  error
}
