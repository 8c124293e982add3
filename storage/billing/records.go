package billing

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/humd/humd/storage"
)

// Keys of the billing provider's records (storage/keys.go). The billing
// actor (actors/billing) is their one writer; anyone may read them.
func KeyState(org string) []byte         { return storage.Key("billing-sub", org) }
func KeyCustomer(customer string) []byte { return storage.Key("billing-cust", customer) }
func KeyEvent(id string) []byte          { return storage.Key("billing-evt", id) }
func KeyMeter(org string, slice time.Time) []byte {
	return storage.Key("billing-meter", org, storage.U64Seg(uint64(slice.Unix())))
}
func PrefixMeter(org string) []byte { return storage.Prefix("billing-meter", org) }
func KeyAlert(org string, period time.Time) []byte {
	return storage.Key("billing-alert", org, storage.U64Seg(uint64(period.Unix())))
}

// PrefixStates scans every org's State.
var PrefixStates = storage.Prefix("billing-sub")

// ErrPastDue refuses new outbound work of an org whose payment is past due
// beyond the grace period (the edge answers 402 payment_past_due).
var ErrPastDue = errors.New("billing: the subscription's payment is past due; update the payment method in the billing portal")

// Subscription statuses humd acts on (Stripe's words).
const (
	StatusActive   = "active"
	StatusTrialing = "trialing"
	StatusPastDue  = "past_due"
	StatusUnpaid   = "unpaid"
	StatusCanceled = "canceled"
)

// State is an org's subscription as the provider last said, built from
// its signed webhook events in the order of their created time.
type State struct {
	OrgID          string `json:"org_id"`
	CustomerID     string `json:"customer_id,omitempty"`
	SubscriptionID string `json:"subscription_id,omitempty"`
	PlanID         string `json:"plan_id,omitempty"`
	PriceID        string `json:"price_id,omitempty"`
	Status         string `json:"status,omitempty"`
	// The current billing period, Stripe's (empty before the first
	// subscription event).
	PeriodStart       *time.Time `json:"current_period_start,omitempty"`
	PeriodEnd         *time.Time `json:"current_period_end,omitempty"`
	CancelAtPeriodEnd bool       `json:"cancel_at_period_end,omitempty"`
	// PastDueSince is when the subscription turned past_due or unpaid
	// (the event's created time); the grace period runs from it.
	PastDueSince *time.Time `json:"past_due_since,omitempty"`
	// EventAt and EventID name the newest event applied to the
	// subscription: an event created before EventAt changes nothing.
	EventAt   int64     `json:"event_at"`
	EventID   string    `json:"event_id,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Event is a provider's webhook event, checked and decoded at the edge to
// the fields humd acts on.
type Event struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Created int64  `json:"created"`
	// OrgID is the checkout's client_reference_id or the subscription's
	// metadata org_id; empty when the event does not say.
	OrgID             string `json:"org_id,omitempty"`
	CustomerID        string `json:"customer_id,omitempty"`
	SubscriptionID    string `json:"subscription_id,omitempty"`
	PriceID           string `json:"price_id,omitempty"`
	PlanID            string `json:"plan_id,omitempty"`
	Status            string `json:"status,omitempty"`
	PaymentStatus     string `json:"payment_status,omitempty"`
	PeriodStart       int64  `json:"period_start,omitempty"`
	PeriodEnd         int64  `json:"period_end,omitempty"`
	CancelAtPeriodEnd bool   `json:"cancel_at_period_end,omitempty"`
	// Payload is the event as the provider sent it, kept for audit.
	Payload json.RawMessage `json:"payload,omitempty"`
}

// The event types humd applies; others are stored and ignored.
const (
	EvCheckoutCompleted = "checkout.session.completed"
	EvSubCreated        = "customer.subscription.created"
	EvSubUpdated        = "customer.subscription.updated"
	EvSubDeleted        = "customer.subscription.deleted"
	EvInvoicePaid       = "invoice.paid"
	EvInvoiceFailed     = "invoice.payment_failed"
)

// Outcomes of an event.
const (
	OutcomeApplied   = "applied"
	OutcomeStale     = "stale"     // older than what the subscription shows
	OutcomeIgnored   = "ignored"   // a type humd does not act on
	OutcomeUnmatched = "unmatched" // no org claims its customer
)

// EventRecord is a stored webhook event and what it did.
type EventRecord struct {
	Event
	Outcome    string    `json:"outcome"`
	ReceivedAt time.Time `json:"received_at"`
}

// Apply changes st by ev (resolved to st's org) and answers the outcome.
// An event of the subscription st shows that was created before the
// newest one applied is stale and changes nothing.
func (st *State) Apply(ev *Event, cat Catalog, now time.Time) string {
	switch ev.Type {
	case EvCheckoutCompleted, EvSubCreated, EvSubUpdated, EvSubDeleted, EvInvoicePaid, EvInvoiceFailed:
	default:
		return OutcomeIgnored
	}
	if ev.CustomerID != "" && st.CustomerID == "" {
		st.CustomerID = ev.CustomerID
	}
	same := ev.SubscriptionID == "" || st.SubscriptionID == "" || ev.SubscriptionID == st.SubscriptionID
	if ev.Created < st.EventAt && (same || ev.Type == EvSubDeleted) {
		return OutcomeStale
	}
	if !same && ev.Type == EvSubDeleted {
		return OutcomeStale // the end of a subscription the org no longer has
	}
	if ev.SubscriptionID != "" {
		st.SubscriptionID = ev.SubscriptionID
	}
	at := time.Unix(ev.Created, 0).UTC()
	switch ev.Type {
	case EvCheckoutCompleted:
		if ev.PlanID != "" {
			st.PlanID = ev.PlanID
		}
		if st.Status == "" && (ev.PaymentStatus == "paid" || ev.PaymentStatus == "no_payment_required") {
			st.Status = StatusActive
		}
	case EvSubCreated, EvSubUpdated, EvSubDeleted:
		if p := cat.ByPrice(ev.PriceID); p != nil {
			st.PlanID = p.ID
		} else if ev.PlanID != "" {
			st.PlanID = ev.PlanID
		}
		if ev.PriceID != "" {
			st.PriceID = ev.PriceID
		}
		st.Status = ev.Status
		if ev.Type == EvSubDeleted {
			st.Status = StatusCanceled
		}
		st.CancelAtPeriodEnd = ev.CancelAtPeriodEnd
		if ev.PeriodStart > 0 && ev.PeriodEnd > ev.PeriodStart {
			s, e := time.Unix(ev.PeriodStart, 0).UTC(), time.Unix(ev.PeriodEnd, 0).UTC()
			st.PeriodStart, st.PeriodEnd = &s, &e
		}
	case EvInvoicePaid:
		if st.Status == StatusPastDue || st.Status == StatusUnpaid || st.Status == "" {
			st.Status = StatusActive
		}
	case EvInvoiceFailed:
		if st.Status != StatusCanceled {
			st.Status = StatusPastDue
		}
	}
	switch {
	case st.Status != StatusPastDue && st.Status != StatusUnpaid:
		st.PastDueSince = nil
	case st.PastDueSince == nil:
		st.PastDueSince = &at
	}
	st.EventAt, st.EventID, st.UpdatedAt = ev.Created, ev.ID, now.UTC()
	return OutcomeApplied
}

// Billed reports whether the subscription is one the org works under
// (its plan's limits apply): not canceled or never finished.
func (st *State) Billed() bool {
	switch st.Status {
	case StatusActive, StatusTrialing, StatusPastDue, StatusUnpaid:
		return true
	}
	return false
}

// Period answers the usage period: the subscription's when it has one
// that holds now, else the calendar month.
func (st *State) Period(now time.Time) (time.Time, time.Time) {
	if st != nil && st.PeriodStart != nil && st.PeriodEnd != nil && !now.Before(*st.PeriodStart) && now.Before(*st.PeriodEnd) {
		return *st.PeriodStart, *st.PeriodEnd
	}
	return Period(now)
}

// GetState answers the org's subscription state, or nil before any.
func GetState(s storage.Store, org string) (*State, error) {
	var st State
	err := storage.GetJSON(s, KeyState(org), &st)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("billing state %s: %w", org, err)
	}
	return &st, nil
}

// GetEvent answers a stored webhook event, or storage.ErrNotFound.
func GetEvent(s storage.Store, id string) (*EventRecord, error) {
	var r EventRecord
	if err := storage.GetJSON(s, KeyEvent(id), &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Meter names, one Stripe meter each (its event_name).
const (
	MeterCallMinutes = "humd_call_minutes"
	MeterSMSSegments = "humd_sms_segments"
	MeterAITokens    = "humd_ai_tokens"
)

// Meters lists the meter names in reporting order.
var Meters = []string{MeterCallMinutes, MeterSMSSegments, MeterAITokens}

// MeterSlice is the usage of one slice of a period, as reported to the
// provider: it is written pending, with its values and identifiers, before
// the first report, and marked sent after; a restart re-sends a pending
// slice with the same values and identifiers, so the provider counts it
// once.
type MeterSlice struct {
	OrgID       string           `json:"org_id"`
	CustomerID  string           `json:"customer_id"`
	PeriodStart time.Time        `json:"period_start"`
	At          time.Time        `json:"at"`
	Values      map[string]int64 `json:"values"`
	// Identifiers are the meter events' identifiers, by meter name.
	Identifiers map[string]string `json:"identifiers"`
	// Sent lists the meters the provider acknowledged.
	Sent   map[string]bool `json:"sent,omitempty"`
	SentAt *time.Time      `json:"sent_at,omitempty"`
}

// Done reports whether every value of the slice was acknowledged.
func (m *MeterSlice) Done() bool {
	for k, v := range m.Values {
		if v > 0 && !m.Sent[k] {
			return false
		}
	}
	return true
}

// ListMeterSlices answers the org's slices, oldest first.
func ListMeterSlices(s storage.Store, org string) ([]*MeterSlice, error) {
	var out []*MeterSlice
	err := s.Scan(PrefixMeter(org), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var m MeterSlice
		if err := storage.DecodeJSON(v, &m); err != nil {
			return false, err
		}
		out = append(out, &m)
		return true, nil
	})
	return out, err
}

// Metered answers a usage summary's figures by meter name.
func (u *Usage) Metered() map[string]int64 {
	return map[string]int64{MeterCallMinutes: int64(u.CallMinutes), MeterSMSSegments: int64(u.SMSSegments), MeterAITokens: u.AITokens.Total}
}
