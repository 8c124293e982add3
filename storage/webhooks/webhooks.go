package webhooks

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
)

// RotationOverlap is how long the previous secret keeps signing after a rotation.
const RotationOverlap = 24 * time.Hour

// Endpoint is a customer's webhook receiver.
type Endpoint struct {
	ID          string   `json:"id"`
	OrgID       string   `json:"org_id"`
	URL         string   `json:"url"`
	Description string   `json:"description"`
	Events      []string `json:"events"`
	// Headers go with every delivery; answers show them masked.
	Headers storage.Headers `json:"headers"`
	Enabled bool            `json:"enabled"`
	// DisabledReason says why humd turned it off (gone, failing).
	DisabledReason string     `json:"disabled_reason,omitempty"`
	Secret         string     `json:"-"`
	PrevSecret     string     `json:"-"`
	PrevUntil      *time.Time `json:"-"`
	// FailingSince is the first failed attempt of the current failure run.
	FailingSince *time.Time `json:"failing_since,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// stored adds the secrets, which the JSON answer never shows, and keeps
// the headers sealed.
type stored struct {
	Endpoint
	Headers    map[string]string `json:"headers"`
	Secret     string            `json:"secret"`
	PrevSecret string            `json:"prev_secret,omitempty"`
	PrevUntil  *time.Time        `json:"prev_until,omitempty"`
}

func keyEndpoint(org, id string) []byte { return storage.Key("webhook", org, id) }

// PrefixAll covers every org's endpoints (the delivery actors start from it).
func PrefixAll() []byte                 { return storage.Prefix("webhook") }
func prefixEndpoints(org string) []byte { return storage.Prefix("webhook", org) }
func keyCursor(org, id string) []byte   { return storage.Key("webhook-cursor", org, id) }

// Matches reports whether the endpoint wants events of type typ.
// A pattern ending in ".*" (external.*, sms.*) matches that family.
func (e *Endpoint) Matches(typ string) bool {
	for _, ev := range e.Events {
		if ev == "*" || ev == typ {
			return true
		}
		if prefix, ok := strings.CutSuffix(ev, "*"); ok && strings.HasSuffix(prefix, ".") && strings.HasPrefix(typ, prefix) {
			return true
		}
	}
	return false
}

// Secrets answers the secrets that sign a delivery at now: the current one,
// and the previous one during a rotation's overlap.
func (e *Endpoint) Secrets(now time.Time) []string {
	out := []string{e.Secret}
	if e.PrevSecret != "" && e.PrevUntil != nil && now.Before(*e.PrevUntil) {
		out = append(out, e.PrevSecret)
	}
	return out
}

// NewSecret makes a whsec_ secret: 24 random bytes, base64.
func NewSecret() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return "whsec_" + base64.StdEncoding.EncodeToString(b[:])
}

// Input is a create or patch, decoded from the wire by transport: an
// absent field is left as it is (null url or events is refused, null
// headers clears them).
type Input struct {
	URL         storage.Opt[string]            `json:"url"`
	Events      storage.Opt[[]string]          `json:"events"`
	Headers     storage.Opt[map[string]string] `json:"headers"`
	Description *string                        `json:"description"`
	Enabled     *bool                          `json:"enabled"`
}

// reserved headers are humd's; a custom header may not replace them.
var reserved = []string{"content-type", "content-length", "host", "user-agent", "webhook-id", "webhook-timestamp", "webhook-signature", "x-hum-event"}

func (b *Input) apply(e *Endpoint, p egresspolicy.Policy, create bool) error {
	v := &storage.ValidationError{}
	if b.URL.Set || create {
		if url, ok := b.URL.Value(); !ok {
			v.Add("url", "required")
		} else if err := p.CheckURL(url); err != nil {
			v.Add("url", err.Error())
		} else {
			e.URL = url
		}
	}
	if b.Events.Set || create {
		if len(b.Events.V) == 0 || len(b.Events.V) > 50 {
			v.Add("events", "give 1 to 50 event types (\"*\" for all)")
		}
		for _, ev := range b.Events.V {
			if ev == "" || len(ev) > 64 || strings.ContainsAny(ev, " \t\n") {
				v.Add("events", "event types are non-empty names like sms.received")
				break
			}
		}
		e.Events = slices.Compact(slices.Sorted(slices.Values(b.Events.V)))
	}
	if b.Headers.Set {
		if len(b.Headers.V) > 20 {
			v.Add("headers", "at most 20 custom headers")
		}
		headers, masked := storage.Headers(b.Headers.V).Unmask(e.Headers)
		for _, k := range masked {
			v.Addf("headers", "header %q has a masked value (****...): send the real value, or the one this endpoint answered to keep it", k)
		}
		for k, val := range headers {
			lk := strings.ToLower(k)
			if k == "" || strings.ContainsAny(k, " :\r\n") || strings.ContainsAny(val, "\r\n") || slices.Contains(reserved, lk) || len(val) > 1000 {
				v.Addf("headers", "header %q is not allowed", k)
			}
		}
		e.Headers = headers
	}
	if e.Headers == nil {
		e.Headers = storage.Headers{}
	}
	if b.Description != nil {
		if len([]rune(*b.Description)) > 500 {
			v.Add("description", "at most 500 characters")
		}
		e.Description = *b.Description
	}
	if b.Enabled != nil {
		e.Enabled = *b.Enabled
		if e.Enabled {
			e.DisabledReason, e.FailingSince = "", nil
		}
	}
	return v.Err()
}

// Create adds an endpoint and answers it with its secret (shown once). Its
// cursor starts at the log's current end: an endpoint gets events from now on.
func Create(s storage.Store, org string, b Input, p egresspolicy.Policy, lastSeq uint64, now time.Time) (*Endpoint, string, error) {
	e := &Endpoint{ID: storage.NewID("wh"), OrgID: org, Enabled: true, CreatedAt: now, UpdatedAt: now}
	if err := b.apply(e, p, true); err != nil {
		return nil, "", err
	}
	e.Secret = NewSecret()
	batch := s.NewBatch()
	put(s, batch, e)
	batch.Set(keyCursor(org, e.ID), storage.U64(lastSeq))
	return e, e.Secret, batch.Commit(storage.Sync)
}

// put writes an endpoint with its signing secrets sealed.
func put(s storage.Store, b *storage.Batch, e *Endpoint) {
	sl := s.Sealer()
	b.SetJSON(keyEndpoint(e.OrgID, e.ID), &stored{Endpoint: *e, Headers: sl.SealHeaders(e.Headers), Secret: sl.Seal(e.Secret),
		PrevSecret: sl.Seal(e.PrevSecret), PrevUntil: e.PrevUntil})
}

// Put writes an endpoint (the delivery actor disables failing ones).
func Put(s storage.Store, e *Endpoint) error {
	b := s.NewBatch()
	put(s, b, e)
	return b.Commit(storage.Sync)
}

// PutIn writes an endpoint into b, for a commit with other records.
func PutIn(s storage.Store, b *storage.Batch, e *Endpoint) { put(s, b, e) }

// Get loads an endpoint with its secrets.
func Get(s storage.Store, org, id string) (*Endpoint, error) {
	var st stored
	if err := storage.GetJSON(s, keyEndpoint(org, id), &st); err != nil {
		return nil, fmt.Errorf("webhooks: %s: %w", id, err)
	}
	return unstore(s, &st)
}

func unstore(s storage.Store, st *stored) (*Endpoint, error) {
	e := st.Endpoint
	e.Secret, e.PrevSecret, e.PrevUntil = st.Secret, st.PrevSecret, st.PrevUntil
	if err := s.Sealer().OpenIn("webhook endpoint "+e.ID, &e.Secret, &e.PrevSecret); err != nil {
		return nil, err
	}
	h, err := s.Sealer().OpenHeaders("webhook endpoint "+e.ID, st.Headers)
	if err != nil {
		return nil, err
	}
	e.Headers = h
	return &e, nil
}

// Reseal seals the secrets stored before sealing existed, once at start.
func Reseal(s storage.Store) error {
	return storage.Reseal(s, PrefixAll(), "secret", "prev_secret", "headers")
}

// Patch edits an endpoint.
func Patch(s storage.Store, org, id string, b Input, p egresspolicy.Policy, now time.Time) (*Endpoint, error) {
	e, err := Get(s, org, id)
	if err != nil {
		return nil, err
	}
	if err := b.apply(e, p, false); err != nil {
		return nil, err
	}
	e.UpdatedAt = now
	return e, Put(s, e)
}

// Rotate makes a new secret; the old one signs too for RotationOverlap.
func Rotate(s storage.Store, org, id string, now time.Time) (*Endpoint, string, error) {
	e, err := Get(s, org, id)
	if err != nil {
		return nil, "", err
	}
	until := now.Add(RotationOverlap)
	e.PrevSecret, e.PrevUntil, e.Secret, e.UpdatedAt = e.Secret, &until, NewSecret(), now
	return e, e.Secret, Put(s, e)
}

// Delete removes an endpoint, its cursor and its delivery history.
func Delete(s storage.Store, org, id string) error {
	if _, err := Get(s, org, id); err != nil {
		return err
	}
	return storage.DeleteAll(s, [][]byte{keyEndpoint(org, id), keyCursor(org, id)}, prefixDeliveries(org, id))
}

// List pages the org's endpoints.
func List(s storage.Store, org string, page storage.PageRequest) ([]*Endpoint, string, error) {
	return storage.ListPage(s, prefixEndpoints(org), page, func(_, v []byte) (*Endpoint, bool, error) {
		var st stored
		if err := json.Unmarshal(v, &st); err != nil {
			return nil, false, err
		}
		e, err := unstore(s, &st)
		return e, err == nil, err
	})
}

// All visits every endpoint of every org.
func All(s storage.Store, fn func(e *Endpoint)) error {
	return s.Scan(PrefixAll(), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var st stored
		if err := json.Unmarshal(v, &st); err != nil {
			return false, err
		}
		e, err := unstore(s, &st)
		if err != nil {
			return false, err
		}
		fn(e)
		return true, nil
	})
}

// Cursor is the last event seq the endpoint has taken into deliveries.
func Cursor(s storage.Store, org, id string) (uint64, error) {
	return storage.GetU64(s, keyCursor(org, id))
}
