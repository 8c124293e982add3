package webhooks

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/humd/humd/storage"
)

// Delivery statuses.
const (
	Pending   = "pending"
	Retrying  = "retrying"
	Succeeded = "succeeded"
	Failed    = "failed"
)

// Schedule is D-5's retry schedule: the wait before attempt n+1 after
// attempt n failed (8 attempts in all), before Jitter.
var Schedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// Jitter lengthens a retry wait by a random 0-10% (D-5: "jittered"), so
// deliveries that failed together, as when an endpoint was down, are not
// all retried in the same instant. Never shorter: a retry is not early.
func Jitter(d time.Duration) time.Duration {
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}

// Attempt is one try at a delivery.
type Attempt struct {
	At             time.Time `json:"at"`
	ResponseStatus int       `json:"response_status"`
	ResponseMS     int64     `json:"response_ms"`
	Excerpt        string    `json:"response_body_excerpt"`
	Error          string    `json:"error,omitempty"`
}

// Delivery is one event for one endpoint. Its ID is the webhook-id header,
// stable across retries and redeliveries.
type Delivery struct {
	ID          string     `json:"id"`
	OrgID       string     `json:"org_id"`
	EndpointID  string     `json:"endpoint_id"`
	EventID     string     `json:"event_id"`
	EventType   string     `json:"event_type"`
	Seq         uint64     `json:"seq"`
	Payload     string     `json:"payload"`
	Status      string     `json:"status"`
	Attempts    []Attempt  `json:"attempts"`
	NextRetryAt *time.Time `json:"next_retry_at"`
	// Error says why a delivery failed without an attempt: its event could
	// not be read or encoded, so there is nothing to send (nor to redeliver).
	Error     string    `json:"error,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Unsendable reports a delivery that failed before any attempt, for want of
// a payload.
func (d *Delivery) Unsendable() bool { return d.Payload == "" && d.Error != "" }

func prefixDeliveries(org, ep string) []byte { return storage.Prefix("webhook-dlv", org, ep) }

// KeyDelivery orders an endpoint's deliveries by creation (ids are ULIDs).
func KeyDelivery(org, ep, id string) []byte { return storage.Key("webhook-dlv", org, ep, id) }

// PutDelivery writes a delivery inside b.
func PutDelivery(b *storage.Batch, d *Delivery) {
	b.SetJSON(KeyDelivery(d.OrgID, d.EndpointID, d.ID), d)
}

// SetCursor records inside b that events up to seq became deliveries.
func SetCursor(b *storage.Batch, org, ep string, seq uint64) {
	b.Set(keyCursor(org, ep), storage.U64(seq))
}

// GetDelivery loads one delivery.
func GetDelivery(s storage.Store, org, ep, id string) (*Delivery, error) {
	var d Delivery
	if err := storage.GetJSON(s, KeyDelivery(org, ep, id), &d); err != nil {
		return nil, fmt.Errorf("webhooks: delivery %s: %w", id, err)
	}
	return &d, nil
}

// Deliveries pages an endpoint's history, newest first.
func Deliveries(s storage.Store, org, ep string, page storage.PageRequest) ([]*Delivery, string, error) {
	page.Reverse = true
	return storage.ListPage(s, prefixDeliveries(org, ep), page, func(_, v []byte) (*Delivery, bool, error) {
		var d Delivery
		err := json.Unmarshal(v, &d)
		return &d, err == nil, err
	})
}

// Open visits the endpoint's deliveries still pending or retrying.
func Open(s storage.Store, org, ep string, fn func(d *Delivery)) error {
	return s.Scan(prefixDeliveries(org, ep), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var d Delivery
		if err := json.Unmarshal(v, &d); err != nil {
			return false, err
		}
		if d.Status == Pending || d.Status == Retrying {
			fn(&d)
		}
		return true, nil
	})
}
