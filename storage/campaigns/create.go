package campaigns

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/phone"
	"github.com/humd/humd/storage/sms"
)

// ErrAdminOnly is the 403 for honor_quiet_hours:false from a non-admin.
var ErrAdminOnly = fmt.Errorf("campaigns: honor_quiet_hours:false needs an admin: %w", storage.ErrForbidden)

// RecipientIn is one row of the create body.
type RecipientIn struct {
	E164      string            `json:"contact_e164"`
	Body      string            `json:"body"`
	Vars      map[string]string `json:"vars"`
	FirstName string            `json:"first_name"`
	Name      string            `json:"name"`
}

// CreateIn is a new campaign (SPEC 1.11), decoded from the POST body by
// transport.
type CreateIn struct {
	Name              string        `json:"name"`
	NumberID          string        `json:"twilio_number_id"`
	BodyTemplate      string        `json:"body_template"`
	FlowID            *string       `json:"flow_id"`
	ThrottlePerMinute *int          `json:"throttle_per_minute"`
	ScheduledStartAt  *time.Time    `json:"scheduled_start_at"`
	HonorQuietHours   *bool         `json:"honor_quiet_hours"`
	Recipients        []RecipientIn `json:"recipients"`
	Confirm           bool          `json:"confirm"`
}

// Checks are the lookups validation needs from outside this package.
type Checks struct {
	Store storage.Store
	// FlowChannel answers a flow's channel or storage.ErrNotFound.
	FlowChannel func(org, id string) (string, error)
	Admin       bool
}

// A 422 names up to maxRowErrors bad rows in "recipients", the first
// maxRowFields of them also as fields of their own.
const (
	maxRowErrors = 100
	maxRowFields = 20
)

func runes(s string) int { return utf8.RuneCountInString(s) }

func checkName(v *storage.ValidationError, name string) {
	if n := runes(strings.TrimSpace(name)); n < 1 || n > 200 {
		v.Add("name", "required, 1-200 characters")
	}
}

func checkTemplate(v *storage.ValidationError, tmpl string) {
	if n := runes(tmpl); n < 1 || n > 1600 {
		v.Add("body_template", "required, 1-1600 characters")
		return
	}
	if _, unknown := Placeholders(tmpl); unknown != "" {
		v.Addf("body_template", "unknown placeholder {{%s}}: use {{first_name}}, {{name}} or {{vars.key}}", unknown)
	}
}

func checkThrottle(v *storage.ValidationError, n int) {
	if n < 1 || n > MaxThrottle {
		v.Addf("throttle_per_minute", "must be an integer from 1 to %d", MaxThrottle)
	}
}

func checkNumber(v *storage.ValidationError, s storage.Store, org, id string) {
	n, err := sms.GetNumber(s, org, id)
	switch {
	case id == "":
		v.Add("twilio_number_id", "required")
	case errors.Is(err, storage.ErrNotFound):
		v.Add("twilio_number_id", "no such number in this org")
	case err == nil && !n.SMSEnabled:
		v.Add("twilio_number_id", "the number does not have sms_enabled")
	}
}

func checkFlow(v *storage.ValidationError, ck Checks, org string, id *string) error {
	if id == nil || ck.FlowChannel == nil {
		return nil
	}
	ch, err := ck.FlowChannel(org, *id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		v.Add("flow_id", "no such flow in this org")
	case err != nil:
		return err
	case ch != "sms":
		v.Add("flow_id", "must be an SMS flow")
	}
	return nil
}

// Build validates a create input into a campaign and its deduplicated rows.
func Build(in *CreateIn, org string, ck Checks, now time.Time) (*Campaign, []*Recipient, error) {
	if in.HonorQuietHours != nil && !*in.HonorQuietHours && !ck.Admin {
		return nil, nil, ErrAdminOnly
	}
	v := &storage.ValidationError{}
	checkName(v, in.Name)
	checkTemplate(v, in.BodyTemplate)
	throttle := DefaultThrottle
	if in.ThrottlePerMinute != nil {
		throttle = *in.ThrottlePerMinute
	}
	checkThrottle(v, throttle)
	checkNumber(v, ck.Store, org, in.NumberID)
	if err := checkFlow(v, ck, org, in.FlowID); err != nil {
		return nil, nil, err
	}
	rows, err := decodeRows(v, in.Recipients)
	if err != nil {
		return nil, nil, err
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	c := &Campaign{ID: storage.NewID("camp"), OrgID: org, Name: strings.TrimSpace(in.Name), NumberID: in.NumberID,
		BodyTemplate: in.BodyTemplate, FlowID: in.FlowID, ThrottlePerMinute: throttle, HonorQuietHours: true,
		Status: Draft, Total: len(rows), Warnings: templateWarnings(in.BodyTemplate, rows), CreatedAt: now, UpdatedAt: now}
	if in.HonorQuietHours != nil {
		c.HonorQuietHours = *in.HonorQuietHours
	}
	if in.ScheduledStartAt != nil {
		at := in.ScheduledStartAt.UTC()
		c.ScheduledStartAt = &at
	}
	return c, rows, nil
}

// decodeRows checks every row before anything is written; bad E.164 rows are
// named by index (the first maxRowErrors one by one, all in "recipients").
// Duplicates are dropped, the first row winning.
func decodeRows(v *storage.ValidationError, in []RecipientIn) ([]*Recipient, error) {
	if len(in) < 1 || len(in) > MaxRecipients {
		v.Addf("recipients", "1 to %d recipients are required", MaxRecipients)
		return nil, nil
	}
	var bad []int
	seen := make(map[string]bool, len(in))
	rows := make([]*Recipient, 0, len(in))
	for i, r := range in {
		e := strings.TrimSpace(r.E164)
		if !phone.Valid(e) {
			bad = append(bad, i)
			if len(bad) <= maxRowFields {
				v.Add(fmt.Sprintf("recipients[%d].contact_e164", i), "must be an E.164 phone number like +13175550100")
			}
			continue
		}
		if n := runes(r.Body); n > 1600 {
			v.Add(fmt.Sprintf("recipients[%d].body", i), "at most 1600 characters")
		}
		if runes(r.FirstName) > 100 || runes(r.Name) > 200 {
			v.Add(fmt.Sprintf("recipients[%d]", i), "first_name at most 100, name at most 200 characters")
		}
		for k, val := range r.Vars {
			if k == "" || len(k) > 64 || strings.ContainsAny(k, "{} ") || runes(val) > 1600 {
				v.Add(fmt.Sprintf("recipients[%d].vars", i), "keys 1-64 characters without spaces or braces, values at most 1600")
				break
			}
		}
		if seen[e] {
			continue
		}
		seen[e] = true
		rows = append(rows, &Recipient{Seq: uint64(len(rows) + 1), E164: e, FirstName: r.FirstName, Name: r.Name,
			Body: r.Body, Vars: r.Vars, Status: RPending})
	}
	if len(bad) > 0 {
		raw, _ := json.Marshal(bad)
		if len(bad) > maxRowErrors {
			raw, _ = json.Marshal(bad[:maxRowErrors])
			v.Addf("recipients", "%d rows are not E.164 numbers; the first %d: %s", len(bad), maxRowErrors, raw)
		} else {
			v.Addf("recipients", "rows %s are not E.164 numbers", raw)
		}
	}
	return rows, nil
}

// Create writes a new draft campaign and all its rows in one Sync batch.
func Create(s storage.Store, c *Campaign, rows []*Recipient) error {
	b := s.NewBatch()
	Put(b, c)
	for _, r := range rows {
		PutRecipient(b, c.OrgID, c.ID, r)
	}
	return b.Commit(storage.Sync)
}

// PatchIn is a campaign edit; absent fields stay, null clears the nullable
// ones (ScheduledStartAt, FlowID).
type PatchIn struct {
	Name              *string
	BodyTemplate      *string
	ThrottlePerMinute *int
	ScheduledStartAt  storage.Opt[time.Time]
	FlowID            storage.Opt[string]
	HonorQuietHours   *bool
	Confirm           bool
	// Problems are the fields the wire decoder could not read (a
	// scheduled_start_at that is no time); ApplyPatch reports them with its
	// own, in one 422.
	Problems map[string]string
}

// ApplyPatch validates a patch and answers the edited copy of c. The caller
// checks the state (draft or paused).
func ApplyPatch(c *Campaign, in *PatchIn, ck Checks, now time.Time) (*Campaign, error) {
	if in.HonorQuietHours != nil && !*in.HonorQuietHours && !ck.Admin {
		return nil, ErrAdminOnly
	}
	out := *c
	v := &storage.ValidationError{}
	for field, msg := range in.Problems {
		v.Add(field, msg)
	}
	if in.Name != nil {
		checkName(v, *in.Name)
		out.Name = strings.TrimSpace(*in.Name)
	}
	if in.BodyTemplate != nil {
		checkTemplate(v, *in.BodyTemplate)
		out.BodyTemplate = *in.BodyTemplate
	}
	if in.ThrottlePerMinute != nil {
		checkThrottle(v, *in.ThrottlePerMinute)
		out.ThrottlePerMinute = *in.ThrottlePerMinute
	}
	if in.HonorQuietHours != nil {
		out.HonorQuietHours = *in.HonorQuietHours
	}
	if at, ok := in.ScheduledStartAt.Value(); ok {
		u := at.UTC()
		out.ScheduledStartAt = &u
	} else if in.ScheduledStartAt.Set {
		out.ScheduledStartAt = nil
	}
	if in.FlowID.Set {
		var id *string
		if s, ok := in.FlowID.Value(); ok {
			id = &s
		}
		if err := checkFlow(v, ck, c.OrgID, id); err != nil {
			return nil, err
		}
		out.FlowID = id
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	out.UpdatedAt = now
	return &out, nil
}
