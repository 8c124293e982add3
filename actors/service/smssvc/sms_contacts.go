package smssvc

import (
	"context"

	"github.com/humd/humd/actors/enrich"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// ErrLookupFailed is a lookup provider's failure on lookupContact (the
// edge answers 502 lookup_failed).
var ErrLookupFailed = enrich.ErrLookupFailed

// ListContactsQuery filters listContacts.
type ListContactsQuery struct {
	Q     string // name, email or phone substring
	Phone string // digits the number contains
	Tag   string
	Page  storage.PageRequest
}

// ListOptOutsQuery filters listOptOuts.
type ListOptOutsQuery struct {
	Q    string // digits of the number
	Page storage.PageRequest
}

// ListContacts pages the org's contacts.
func (s *SMS) ListContacts(ctx context.Context, p *tenancy.Principal, q ListContactsQuery) ([]*sms.Contact, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return sms.ListContacts(s.d.Store, p.OrgID, sms.ContactFilter{Q: q.Q, Phone: q.Phone, Tag: q.Tag}, q.Page)
}

// CreateContact adds a contact (one per phone number).
func (s *SMS) CreateContact(ctx context.Context, p *tenancy.Principal, in sms.NewContact) (*sms.Contact, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	return sms.CreateContact(s.d.Store, p.OrgID, in, s.now())
}

// GetContact answers one contact.
func (s *SMS) GetContact(ctx context.Context, p *tenancy.Principal, id string) (*sms.Contact, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return sms.GetContact(s.d.Store, p.OrgID, id)
}

// UpdateContact edits a contact; edited identity fields override
// enrichment.
func (s *SMS) UpdateContact(ctx context.Context, p *tenancy.Principal, id string, in sms.ContactInput) (*sms.Contact, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	return sms.PatchContact(s.d.Store, p.OrgID, id, in, s.now())
}

// DeleteContact deletes a contact.
func (s *SMS) DeleteContact(ctx context.Context, p *tenancy.Principal, id string) error {
	if err := need(p, tenancy.Operator); err != nil {
		return err
	}
	return sms.DeleteContact(s.d.Store, p.OrgID, id)
}

// ListBlocklist pages the org's blocked numbers.
func (s *SMS) ListBlocklist(ctx context.Context, p *tenancy.Principal, page storage.PageRequest) ([]*sms.Block, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return sms.ListBlocks(s.d.Store, p.OrgID, page)
}

// BlockNumber blocks a number (a conflict if it already is).
func (s *SMS) BlockNumber(ctx context.Context, p *tenancy.Principal, in sms.ListEntry) (*sms.Block, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	return sms.AddBlock(s.d.Store, p.OrgID, in, s.now())
}

// UnblockNumber unblocks a number (ErrNotFound if it was not blocked).
func (s *SMS) UnblockNumber(ctx context.Context, p *tenancy.Principal, e164 string) error {
	if err := need(p, tenancy.Operator); err != nil {
		return err
	}
	return sms.RemoveBlock(s.d.Store, p.OrgID, e164)
}

// ListOptOuts pages the numbers that texted STOP or were opted out.
func (s *SMS) ListOptOuts(ctx context.Context, p *tenancy.Principal, q ListOptOutsQuery) ([]*sms.OptOut, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return sms.ListOptOuts(s.d.Store, p.OrgID, q.Q, q.Page)
}

// AddOptOut opts a number out, idempotently: created says whether this
// call did it (and fired sms.opt_out). The contact's consent actor writes
// the record and tells the contact's threads, which cancel their pending
// scheduled texts.
func (s *SMS) AddOptOut(ctx context.Context, p *tenancy.Principal, in sms.ListEntry) (o *sms.OptOut, created bool, err error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, false, err
	}
	res, err := s.d.Consent.OptOut(p.OrgID, in, sms.OptOutSourceAPI, smsAskTimeout)
	if err != nil {
		return nil, false, err
	}
	return res.OptOut, res.Created, nil
}

// RemoveOptOut opts a number back in and fires sms.opt_in (ErrNotFound if
// it was not opted out), through the contact's consent actor.
func (s *SMS) RemoveOptOut(ctx context.Context, p *tenancy.Principal, e164 string) error {
	if err := need(p, tenancy.Operator); err != nil {
		return err
	}
	return s.d.Consent.OptIn(p.OrgID, e164, sms.OptOutSourceAPI, smsAskTimeout)
}

// smsEnrich is the enrichment service, or the conflict that says it is off.
func (s *SMS) smsEnrich() (*enrich.Service, error) {
	if s.d.Enrich == nil {
		return nil, storage.Conflict("lookup_unavailable", "contact enrichment is off: no lookup provider is configured")
	}
	return s.d.Enrich, nil
}

// BackfillContactLookup starts a rate-limited job that looks up every
// contact without lookup data.
func (s *SMS) BackfillContactLookup(ctx context.Context, p *tenancy.Principal, in enrich.BackfillInput) (*BackfillStarted, error) {
	if err := need(p, tenancy.Admin); err != nil {
		return nil, err
	}
	e, err := s.smsEnrich()
	if err != nil {
		return nil, err
	}
	j, err := e.StartBackfill(p.OrgID, in)
	if err != nil {
		return nil, err
	}
	return &BackfillStarted{JobID: j.ID, Status: j.Status, Total: j.Total}, nil
}

// GetContactLookupBackfill answers a backfill job's progress.
func (s *SMS) GetContactLookupBackfill(ctx context.Context, p *tenancy.Principal, id string) (*LookupJob, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	j, err := sms.GetLookupJob(s.d.Store, p.OrgID, id)
	if err != nil {
		return nil, err
	}
	return jobView(j), nil
}

// LookupContact re-runs enrichment for one contact now (a person's edits
// are kept); a provider failure is ErrLookupFailed.
func (s *SMS) LookupContact(ctx context.Context, p *tenancy.Principal, id string) (*sms.Contact, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	e, err := s.smsEnrich()
	if err != nil {
		return nil, err
	}
	return e.LookupContact(ctx, p.OrgID, id)
}
