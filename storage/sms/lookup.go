package sms

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/humd/humd/storage"
)

// Contact enrichment (SPEC 1.8, 1.16, 2.14): what a phone-number lookup
// answered, how it lands on a contact, and the enrich actor's durable state
// (event log cursors, pending lookups, backfill jobs). The enrich actor
// (actors/enrich) owns the lookup-* keys; a backfill job record is created
// by the HTTP handler and written by the actor from then on.

// Sources of identity fields, recorded in Contact.SourcePrecedence.
const (
	SourceUser   = "user"
	SourceCRM    = "crm"
	SourceLookup = "lookup"
)

// source answers who set an identity field ("" when unrecorded). Overrides
// written before SourcePrecedence existed still count as the user's.
func (c *Contact) source(field string) string {
	if slices.Contains(c.UserOverrides, field) {
		return SourceUser
	}
	return c.SourcePrecedence[field]
}

func (c *Contact) setSource(field, src string) {
	if c.SourcePrecedence == nil {
		c.SourcePrecedence = map[string]string{}
	}
	c.SourcePrecedence[field] = src
}

// lookupMayName reports whether a caller name may become the contact's
// name: only when neither a person nor the CRM set any part of the name,
// and the name is empty or came from an earlier lookup.
func (c *Contact) lookupMayName() bool {
	for _, f := range []string{"name", "first_name", "last_name"} {
		if src := c.source(f); src == SourceUser || src == SourceCRM {
			return false
		}
	}
	return c.Name == "" || c.source("name") == SourceLookup
}

// LookupResult is what a phone-number lookup answered (Twilio Lookup v2's
// line_type_intelligence and caller_name packages, or the sandbox stand-in).
type LookupResult struct {
	Valid       bool   `json:"valid"`
	CountryCode string `json:"country_code,omitempty"`
	Carrier     string `json:"carrier,omitempty"`
	LineType    string `json:"line_type,omitempty"` // mobile, landline, fixedVoip, nonFixedVoip, tollFree, ...
	CallerName  string `json:"caller_name,omitempty"`
	CallerType  string `json:"caller_type,omitempty"` // CONSUMER, BUSINESS
}

// ApplyLookup records a lookup on the org's contact for e164 (created when
// missing): carrier, line type and caller name always come from the lookup;
// the caller name also becomes the contact's name when no person and no CRM
// set one (precedence user > CRM > Lookup). LookupAt is set to now.
//
// Unlike ApplyCRM, ApplyLookup commits b (with Sync) itself, while it holds
// the contact's lock, so a PATCH racing the lookup is never overwritten;
// whatever else the caller put in b commits with it. On error the caller
// discards b.
func ApplyLookup(s storage.Store, b *storage.Batch, org, e164 string, r *LookupResult, now time.Time) (*Contact, error) {
	defer lockNumber(org + "|" + e164)()
	c, _, err := EnsureContact(s, b, org, e164, now)
	if err != nil {
		return nil, err
	}
	c2 := *c
	c2.SourcePrecedence = maps.Clone(c.SourcePrecedence)
	c2.Carrier, c2.LineType, c2.CallerName, c2.CallerType = r.Carrier, r.LineType, r.CallerName, r.CallerType
	at := now.UTC()
	c2.LookupAt, c2.UpdatedAt = &at, now
	if r.CallerName != "" && c2.lookupMayName() {
		c2.Name = r.CallerName
		c2.setSource("name", SourceLookup)
	}
	PutContact(b, &c2)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, fmt.Errorf("sms: apply lookup to %s: %w", c2.ID, err)
	}
	return &c2, nil
}

// Keys of contact enrichment (documented in storage/keys.go).
func KeyLookupCursor(org string) []byte        { return storage.Key("lookup-cursor", org) }
func KeyLookupPending(org, e164 string) []byte { return storage.Key("lookup-pending", org, e164) }
func PrefixLookupPending() []byte              { return storage.Prefix("lookup-pending") }
func KeyLookupJob(org, id string) []byte       { return storage.Key("lookup-job", org, id) }
func KeyLookupJobActive(org, id string) []byte { return storage.Key("lookup-job-active", org, id) }
func PrefixLookupJobsActive() []byte           { return storage.Prefix("lookup-job-active") }

// KeyLookupStarted marks that the enrich actor has run on this store: on
// the first start its cursors begin at each log's head (older contacts are
// the backfill's business, not a surprise bill).
func KeyLookupStarted() []byte { return storage.Key("meta", "lookup-started") }

// LookupCursor answers the last event seq the enrich actor looked at for
// org; ok is false when it has none yet.
func LookupCursor(s storage.Store, org string) (seq uint64, ok bool, err error) {
	seq, err = storage.GetU64(s, KeyLookupCursor(org))
	if errors.Is(err, storage.ErrNotFound) {
		return 0, false, nil
	}
	return seq, err == nil, err
}

// SetLookupCursor moves the cursor inside b.
func SetLookupCursor(b *storage.Batch, org string, seq uint64) {
	b.Set(KeyLookupCursor(org), storage.U64(seq))
}

// PendingLookup is a contact waiting for its lookup, or for a retry after
// a failed one. It survives restarts.
type PendingLookup struct {
	OrgID string `json:"org_id"`
	E164  string `json:"e164"`
	// JobID is the backfill job this lookup counts toward ("" for a new
	// contact seen in the event log).
	JobID     string    `json:"job_id,omitempty"`
	Attempts  int       `json:"attempts"`
	NextAt    time.Time `json:"next_at"`
	LastError string    `json:"last_error,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// PutPendingLookup writes p inside b.
func PutPendingLookup(b *storage.Batch, p *PendingLookup) {
	b.SetJSON(KeyLookupPending(p.OrgID, p.E164), p)
}

// DeletePendingLookup removes a pending lookup inside b.
func DeletePendingLookup(b *storage.Batch, org, e164 string) {
	b.Delete(KeyLookupPending(org, e164))
}

// GetPendingLookup loads one pending lookup, or ErrNotFound.
func GetPendingLookup(s storage.Store, org, e164 string) (*PendingLookup, error) {
	var p PendingLookup
	if err := storage.GetJSON(s, KeyLookupPending(org, e164), &p); err != nil {
		return nil, fmt.Errorf("sms: pending lookup: %w", err)
	}
	return &p, nil
}

// AllPendingLookups visits every pending lookup of every org.
func AllPendingLookups(s storage.Store, fn func(p *PendingLookup)) error {
	return s.Scan(PrefixLookupPending(), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		p, err := decode[PendingLookup](v)
		if err != nil {
			return false, fmt.Errorf("sms: pending lookup: %w", err)
		}
		fn(p)
		return true, nil
	})
}

// Backfill job statuses.
const (
	JobRunning   = "running"
	JobCompleted = "completed"
	JobFailed    = "failed"
)

// LookupJob is a backfill of lookups over an org's existing contacts
// (SPEC Appendix B). Progress is written with each result, so a job
// interrupted by a restart resumes where it stopped.
type LookupJob struct {
	ID     string `json:"id"`
	OrgID  string `json:"org_id"`
	Status string `json:"status"`
	// Total is the number of contacts without lookup data when the job
	// started (plus any added while it ran); at the end it is Done+Failed,
	// so contacts deleted meanwhile drop out.
	Total  int `json:"total"`
	Done   int `json:"done"`
	Failed int `json:"failed"`
	// PerSecond caps the job's lookups.
	PerSecond float64 `json:"per_second"`
	// Scan is the last contact id the job has walked past; Scanned is set
	// once it reached the end of the org's contacts; Queued counts the
	// contacts it handed to the pending queue.
	Scan       string     `json:"scan,omitempty"`
	Scanned    bool       `json:"scanned,omitempty"`
	Queued     int        `json:"queued"`
	Error      string     `json:"error,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

// PutLookupJob writes j inside b, with the active index while it runs.
func PutLookupJob(b *storage.Batch, j *LookupJob) {
	b.SetJSON(KeyLookupJob(j.OrgID, j.ID), j)
	if j.Status == JobRunning {
		b.Set(KeyLookupJobActive(j.OrgID, j.ID), nil)
	} else {
		b.Delete(KeyLookupJobActive(j.OrgID, j.ID))
	}
}

// GetLookupJob loads one of the org's jobs.
func GetLookupJob(s storage.Store, org, id string) (*LookupJob, error) {
	var j LookupJob
	if err := storage.GetJSON(s, KeyLookupJob(org, id), &j); err != nil {
		return nil, fmt.Errorf("sms: lookup job %s: %w", id, err)
	}
	return &j, nil
}

// ActiveLookupJobs visits every running job of every org.
func ActiveLookupJobs(s storage.Store, fn func(j *LookupJob)) error {
	prefix := PrefixLookupJobsActive()
	var refs [][2]string
	err := s.Scan(prefix, storage.ScanOptions{}, func(k, _ []byte) (bool, error) {
		org, id, ok := bytes.Cut(k[len(prefix):], []byte("/"))
		if ok {
			refs = append(refs, [2]string{string(org), string(id)})
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, r := range refs {
		j, err := GetLookupJob(s, r[0], r[1])
		if err != nil {
			return err
		}
		fn(j)
	}
	return nil
}

// RunningLookupJob answers the org's running job, or nil.
func RunningLookupJob(s storage.Store, org string) (*LookupJob, error) {
	var id string
	prefix := storage.Prefix("lookup-job-active", org)
	err := s.Scan(prefix, storage.ScanOptions{Limit: 1}, func(k, _ []byte) (bool, error) {
		id = string(k[len(prefix):])
		return false, nil
	})
	if err != nil || id == "" {
		return nil, err
	}
	return GetLookupJob(s, org, id)
}

// CountContactsWithoutLookup counts the org's contacts never looked up.
func CountContactsWithoutLookup(s storage.Store, org string) (int, error) {
	n := 0
	err := s.Scan(PrefixContacts(org), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var c struct {
			LookupAt *time.Time `json:"lookup_at"`
		}
		if err := storage.DecodeJSON(v, &c); err != nil {
			return false, fmt.Errorf("sms: contact: %w", err)
		}
		if c.LookupAt == nil {
			n++
		}
		return true, nil
	})
	return n, err
}

// ContactsAfter answers up to limit of the org's contacts in id order,
// starting after the contact id after ("" from the first).
func ContactsAfter(s storage.Store, org, after string, limit int) ([]*Contact, error) {
	opts := storage.ScanOptions{Limit: limit}
	if after != "" {
		opts.After = KeyContact(org, after)
	}
	var out []*Contact
	err := s.Scan(PrefixContacts(org), opts, func(_, v []byte) (bool, error) {
		c, err := decode[Contact](v)
		if err != nil {
			return false, fmt.Errorf("sms: contact: %w", err)
		}
		out = append(out, c)
		return true, nil
	})
	return out, err
}
