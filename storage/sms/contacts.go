package sms

import (
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/phone"
)

// ContactInput is the editable part of a contact, the body of PATCH
// /api/contacts/{id} (and, with e164, of POST /api/contacts). A field the
// request leaves out stays as it is; null or "" clears it.
type ContactInput struct {
	Name      storage.Opt[string]   `json:"name,omitempty" jsonschema:"minLength=0,maxLength=200"`
	FirstName storage.Opt[string]   `json:"first_name,omitempty" jsonschema:"minLength=0,maxLength=100"`
	LastName  storage.Opt[string]   `json:"last_name,omitempty" jsonschema:"minLength=0,maxLength=100"`
	Email     storage.Opt[string]   `json:"email,omitempty" jsonschema:"minLength=0,maxLength=254"`
	Notes     storage.Opt[string]   `json:"notes,omitempty" jsonschema:"minLength=0,maxLength=5000"`
	Tags      storage.Opt[[]string] `json:"tags,omitempty" jsonschema:"items.minLength=1,items.maxLength=50"`
}

// NewContact is the body of POST /api/contacts: the number and the
// fields of ContactInput. (Not embedded: the JSON decoder would name a bad
// field ContactInput.name rather than name.)
type NewContact struct {
	E164      string                `json:"e164"`
	Name      storage.Opt[string]   `json:"name,omitempty" jsonschema:"minLength=0,maxLength=200"`
	FirstName storage.Opt[string]   `json:"first_name,omitempty" jsonschema:"minLength=0,maxLength=100"`
	LastName  storage.Opt[string]   `json:"last_name,omitempty" jsonschema:"minLength=0,maxLength=100"`
	Email     storage.Opt[string]   `json:"email,omitempty" jsonschema:"minLength=0,maxLength=254"`
	Notes     storage.Opt[string]   `json:"notes,omitempty" jsonschema:"minLength=0,maxLength=5000"`
	Tags      storage.Opt[[]string] `json:"tags,omitempty" jsonschema:"items.minLength=1,items.maxLength=50"`
}

// Fields are the contact's editable fields of the request.
func (n NewContact) Fields() ContactInput {
	return ContactInput{Name: n.Name, FirstName: n.FirstName, LastName: n.LastName, Email: n.Email, Notes: n.Notes, Tags: n.Tags}
}

// apply validates f and copies the given fields onto c, noting which
// identity fields a person set (they win over CRM and Lookup data, 2.14).
func (f *ContactInput) apply(c *Contact, v *storage.ValidationError) {
	text := func(field string, src storage.Opt[string], dst *string, max int) {
		if !src.Set {
			return
		}
		val, _ := src.Value()
		val = strings.TrimSpace(val)
		if len([]rune(val)) > max {
			v.Addf(field, "must be at most %d characters", max)
			return
		}
		*dst = val
		if field != "notes" {
			if !slices.Contains(c.UserOverrides, field) {
				c.UserOverrides = append(c.UserOverrides, field)
			}
			c.setSource(field, SourceUser)
		}
	}
	text("name", f.Name, &c.Name, 200)
	text("first_name", f.FirstName, &c.FirstName, 100)
	text("last_name", f.LastName, &c.LastName, 100)
	text("email", f.Email, &c.Email, 254)
	text("notes", f.Notes, &c.Notes, 5000)
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			v.Add("email", "must be an email address")
		}
	}
	if f.Tags.Set {
		tags, _ := f.Tags.Value()
		c.Tags = cleanTags(tags, v)
	}
	if c.Name == "" && (c.FirstName != "" || c.LastName != "") {
		c.Name = strings.TrimSpace(c.FirstName + " " + c.LastName)
	}
}

// cleanTags trims tags and drops case-insensitive duplicates.
func cleanTags(in []string, v *storage.ValidationError) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, t := range in {
		t = strings.TrimSpace(t)
		if t == "" || len([]rune(t)) > 50 {
			v.Add("tags", "each tag must be 1-50 characters")
			continue
		}
		if k := strings.ToLower(t); !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	if len(out) > 50 {
		v.Add("tags", "at most 50 tags")
	}
	return out
}

// CreateContact adds a contact; one per (org, e164), 409 otherwise.
func CreateContact(s storage.Store, org string, req NewContact, now time.Time) (*Contact, error) {
	v := &storage.ValidationError{}
	phone.Check(v, "e164", req.E164)
	c := &Contact{ID: ContactID(org, req.E164), OrgID: org, E164: req.E164, Tags: []string{}, CreatedAt: now, UpdatedAt: now}
	f := req.Fields()
	f.apply(c, v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	defer lockNumber(org + "|" + req.E164)()
	if ok, err := s.Has(KeyContact(org, c.ID)); err != nil {
		return nil, err
	} else if ok {
		return nil, storage.Conflict("contact_exists", "a contact with this phone number already exists")
	}
	b := s.NewBatch()
	PutContact(b, c)
	return c, b.Commit(storage.Sync)
}

// PatchContact edits a contact's identity, notes and tags; e164 is fixed.
func PatchContact(s storage.Store, org, id string, req ContactInput, now time.Time) (*Contact, error) {
	c, err := GetContact(s, org, id)
	if err != nil {
		return nil, err
	}
	defer lockNumber(org + "|" + c.E164)()
	if c, err = GetContact(s, org, id); err != nil {
		return nil, err
	}
	v := &storage.ValidationError{}
	req.apply(c, v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	c.UpdatedAt = now
	b := s.NewBatch()
	PutContact(b, c)
	return c, b.Commit(storage.Sync)
}

// DeleteContact removes a contact and its index. Threads keep the phone
// number; the next inbound text creates a fresh contact.
func DeleteContact(s storage.Store, org, id string) error {
	c, err := GetContact(s, org, id)
	if err != nil {
		return err
	}
	defer lockNumber(org + "|" + c.E164)()
	b := s.NewBatch()
	b.Delete(KeyContact(org, id))
	b.Delete(KeyContactE164(org, c.E164))
	return b.Commit(storage.Sync)
}

// ContactFilter narrows ListContacts.
type ContactFilter struct {
	Q     string // name, email or phone substring, case-insensitive
	Phone string // digits the E.164 contains
	Tag   string // case-insensitive tag
}

// ListContacts pages the org's contacts matching f.
func ListContacts(s storage.Store, org string, f ContactFilter, page storage.PageRequest) ([]*Contact, string, error) {
	q := strings.ToLower(strings.TrimSpace(f.Q))
	digits := onlyDigits(f.Phone)
	return storage.ListPage(s, PrefixContacts(org), page, func(_, v []byte) (*Contact, bool, error) {
		c, err := decode[Contact](v)
		if err != nil {
			return nil, false, fmt.Errorf("sms: contact: %w", err)
		}
		if digits != "" && !strings.Contains(c.E164, digits) {
			return c, false, nil
		}
		if f.Tag != "" && !slices.ContainsFunc(c.Tags, func(t string) bool { return strings.EqualFold(t, f.Tag) }) {
			return c, false, nil
		}
		if q != "" {
			hay := strings.ToLower(strings.Join([]string{c.Name, c.FirstName, c.LastName, c.Email, c.E164}, " "))
			if !strings.Contains(hay, q) && (onlyDigits(q) == "" || !strings.Contains(c.E164, onlyDigits(q))) {
				return c, false, nil
			}
		}
		return c, true, nil
	})
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// CRMMatch is what a CRM answered for a phone number.
type CRMMatch struct {
	ConnectorID string
	ContactID   string
	Name        string
	FirstName   string
	LastName    string
	Email       string
}

// ApplyCRM links the org's contact for e164 to a CRM record and fills the
// identity fields a person has not set (precedence: user > CRM > Lookup).
// The contact is created when missing. Like ApplyLookup it commits b (with
// Sync) while it holds the contact's lock: released before the commit, a
// lookup landing in between read the unlinked contact and wrote it back.
// On error the caller discards b.
func ApplyCRM(s storage.Store, b *storage.Batch, org, e164 string, m *CRMMatch, now time.Time) error {
	defer lockNumber(org + "|" + e164)()
	c, _, err := EnsureContact(s, b, org, e164, now)
	if err != nil {
		return err
	}
	c2 := *c
	c2.SourcePrecedence = maps.Clone(c.SourcePrecedence)
	c2.CRMContactID, c2.CRMConnectorID, c2.UpdatedAt = m.ContactID, m.ConnectorID, now
	set := func(field string, dst *string, val string) {
		if val != "" && !slices.Contains(c2.UserOverrides, field) {
			*dst = val
			c2.setSource(field, SourceCRM)
		}
	}
	set("name", &c2.Name, m.Name)
	set("first_name", &c2.FirstName, m.FirstName)
	set("last_name", &c2.LastName, m.LastName)
	set("email", &c2.Email, m.Email)
	// A name Lookup filled from caller ID gives way to the CRM's own first
	// and last name.
	if whole := strings.TrimSpace(m.FirstName + " " + m.LastName); m.Name == "" && whole != "" && c2.source("name") == SourceLookup {
		set("name", &c2.Name, whole)
	}
	PutContact(b, &c2)
	if err := b.Commit(storage.Sync); err != nil {
		return fmt.Errorf("sms: link %s to the CRM: %w", c2.ID, err)
	}
	return nil
}
