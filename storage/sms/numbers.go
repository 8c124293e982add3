package sms

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/phone"
)

// DefaultMPS is a new number's sending rate: one segment per second, a US
// long code's carrier limit.
const DefaultMPS = 1.0

// MaxMPS caps a number's rate; Twilio's short codes top out near here.
const MaxMPS = 500.0

// numberLocks serialise registration and patching per E.164, so two
// concurrent registrations cannot both pass the uniqueness check.
var numberLocks storage.Stripes

func lockNumber(e164 string) func() { return numberLocks.Lock(e164) }

// ProviderNumber is one number in the carrier's inventory.
type ProviderNumber struct {
	SID          string
	E164         string
	FriendlyName string
	Capabilities Capabilities
}

// NumberSearch filters a search of the carrier's numbers for sale (SPEC
// 1.5 searchAvailableNumbers). Zero values do not filter.
type NumberSearch struct {
	Country  string // ISO 3166 alpha-2, default US
	Locality string
	Region   string // state or province, e.g. IN
	AreaCode int
	// Voice, SMS and MMS require the capability.
	Voice, SMS, MMS bool
	Limit           int
}

// AvailableNumber is one number the carrier offers for sale.
type AvailableNumber struct {
	E164         string       `json:"e164"`
	FriendlyName string       `json:"friendly_name"`
	Locality     string       `json:"locality"`
	Region       string       `json:"region"`
	PostalCode   string       `json:"postal_code"`
	Country      string       `json:"iso_country"`
	Capabilities Capabilities `json:"capabilities"`
}

// RegisterNumber adds an existing provider number to the org. An E.164 is
// owned by at most one org, since inbound webhooks are routed by To alone.
func RegisterNumber(s storage.Store, org, e164, friendly, provider string, now time.Time) (*Number, error) {
	return AddNumber(s, org, NewNumber{E164: e164, FriendlyName: friendly, Provider: provider,
		Capabilities: Capabilities{Voice: true, SMS: true, MMS: true}}, now)
}

// NewNumber is a number joining an org: registered by hand (POST
// /api/numbers) or just bought (POST /api/numbers/buy).
type NewNumber struct {
	E164         string
	FriendlyName string
	Provider     string
	ProviderSID  string
	Capabilities Capabilities
	// FlowID and SMSFlowID are checked like PATCH /api/numbers/{id} checks
	// them (Channel answers a flow's channel); SMSFlowID turns SMS on.
	FlowID    string
	SMSFlowID string
	Channel   FlowChannelFunc
	// MaxNumbers caps the org's numbers (0: no cap); over it the add is a
	// *storage.PlanLimitError (402).
	MaxNumbers int
}

// orgNumberLocks serialise count-then-add per org, so two concurrent adds
// cannot both fit under the plan's cap. Taken before lockNumber.
var orgNumberLocks storage.Stripes

// CheckNewNumber runs every check AddNumber runs (fields, flows, ownership,
// the plan cap) without writing, so a purchase can be refused before the
// provider charges for it.
func CheckNewNumber(s storage.Store, org string, nn NewNumber) error {
	defer orgNumberLocks.Lock(org)()
	defer lockNumber(nn.E164)()
	_, err := checkNewNumber(s, org, nn, time.Time{})
	return err
}

// AddNumber checks and stores a number joining the org.
func AddNumber(s storage.Store, org string, nn NewNumber, now time.Time) (*Number, error) {
	defer orgNumberLocks.Lock(org)()
	defer lockNumber(nn.E164)()
	n, err := checkNewNumber(s, org, nn, now)
	if err != nil {
		return nil, err
	}
	b := s.NewBatch()
	PutNumber(b, n)
	return n, b.Commit(storage.Sync)
}

// checkNewNumber builds the number; the caller holds the org and number locks.
func checkNewNumber(s storage.Store, org string, nn NewNumber, now time.Time) (*Number, error) {
	v := &storage.ValidationError{}
	phone.Check(v, "e164", nn.E164)
	if len([]rune(nn.FriendlyName)) > 120 {
		v.Add("friendly_name", "must be at most 120 characters")
	}
	n := &Number{ID: storage.NewID("num"), OrgID: org, E164: nn.E164, FriendlyName: nn.FriendlyName, MPS: DefaultMPS,
		Capabilities: nn.Capabilities, Provider: nn.Provider, ProviderSID: nn.ProviderSID, CreatedAt: now, UpdatedAt: now}
	if n.FriendlyName == "" {
		n.FriendlyName = nn.E164
	}
	if nn.FlowID != "" {
		n.FlowID = checkFlow(v, nn.Channel, org, "flow_id", "voice", nn.FlowID)
	}
	if nn.SMSFlowID != "" {
		n.SMSFlowID = checkFlow(v, nn.Channel, org, "sms_flow_id", "sms", nn.SMSFlowID)
		n.SMSEnabled = true
		if !n.Capabilities.SMS {
			v.Add("sms_flow_id", "this number has no SMS capability")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if ok, err := s.Has(KeyNumberE164(nn.E164)); err != nil {
		return nil, err
	} else if ok {
		return nil, storage.Conflict("number_exists", "this number is already registered")
	}
	if nn.MaxNumbers > 0 {
		have, err := CountNumbers(s, org)
		if err != nil {
			return nil, err
		}
		if have >= nn.MaxNumbers {
			return nil, &storage.PlanLimitError{Resource: "numbers", Limit: nn.MaxNumbers}
		}
	}
	return n, nil
}

// CountNumbers counts the org's numbers.
func CountNumbers(s storage.Store, org string) (int, error) {
	count := 0
	err := s.Scan(PrefixNumbers(org), storage.ScanOptions{}, func(_, _ []byte) (bool, error) {
		count++
		return true, nil
	})
	return count, err
}

// checkFlow answers val when it names a flow of the org with channel want,
// else records why not on v.
func checkFlow(v *storage.ValidationError, channel FlowChannelFunc, org, field, want, val string) *string {
	if channel == nil {
		v.Add(field, "flows cannot be checked here")
		return nil
	}
	ch, err := channel(org, val)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		v.Add(field, "no such flow in this organization")
	case err != nil:
		v.Add(field, "cannot be checked: "+err.Error())
	case ch != want:
		v.Addf(field, "must be a flow with channel=%s", want)
	default:
		return &val
	}
	return nil
}

// ListNumbers pages the org's numbers.
func ListNumbers(s storage.Store, org string, page storage.PageRequest) ([]*Number, string, error) {
	return storage.ListPage(s, PrefixNumbers(org), page, func(_, v []byte) (*Number, bool, error) {
		n, err := decode[Number](v)
		return n, err == nil, err
	})
}

// FlowChannelFunc answers a flow's channel, or storage.ErrNotFound.
type FlowChannelFunc func(org, flowID string) (string, error)

// NumberPatch is the body of PATCH /api/numbers/{id} (SPEC 1.5); a field
// the request leaves out stays as it is.
type NumberPatch struct {
	FriendlyName storage.Opt[string]  `json:"friendly_name,omitempty" jsonschema:"minLength=1,maxLength=120"`
	FlowID       storage.Opt[string]  `json:"flow_id,omitempty"`
	SMSFlowID    storage.Opt[string]  `json:"sms_flow_id,omitempty"`
	SMSEnabled   *storage.Bool        `json:"sms_enabled,omitempty"`
	MPS          storage.Opt[float64] `json:"mps,omitempty"`
}

// PatchNumber applies a PATCH (SPEC 1.5): friendly_name, flow_id,
// sms_flow_id, sms_enabled, mps. Setting sms_flow_id turns SMS on unless the
// request says otherwise; null or "" clears a flow.
func PatchNumber(s storage.Store, org, id string, req NumberPatch, channel FlowChannelFunc, now time.Time) (*Number, error) {
	n, err := GetNumber(s, org, id)
	if err != nil {
		return nil, err
	}
	defer lockNumber(n.E164)()
	if n, err = GetNumber(s, org, id); err != nil {
		return nil, err
	}
	v := &storage.ValidationError{}
	if req.FriendlyName.Set {
		switch name, _ := req.FriendlyName.Value(); {
		case strings.TrimSpace(name) == "":
			v.Add("friendly_name", "must be a non-empty string")
		case len([]rune(name)) > 120:
			v.Add("friendly_name", "must be at most 120 characters")
		default:
			n.FriendlyName = strings.TrimSpace(name)
		}
	}
	setFlow := func(field, want string, dst **string, val storage.Opt[string]) {
		if !val.Set {
			return
		}
		if id, _ := val.Value(); id == "" {
			*dst = nil
		} else if id := checkFlow(v, channel, org, field, want, id); id != nil {
			*dst = id
		}
	}
	setFlow("flow_id", "voice", &n.FlowID, req.FlowID)
	setFlow("sms_flow_id", "sms", &n.SMSFlowID, req.SMSFlowID)
	smsFlow, _ := req.SMSFlowID.Value()
	if req.SMSEnabled != nil {
		n.SMSEnabled = bool(*req.SMSEnabled)
	} else if smsFlow != "" {
		n.SMSEnabled = true
	}
	if n.SMSEnabled && !n.Capabilities.SMS && (req.SMSEnabled != nil || (req.SMSFlowID.Set && !req.SMSFlowID.Null)) {
		v.Add("sms_enabled", "this number has no SMS capability")
	}
	if req.MPS.Set {
		if mps, ok := req.MPS.Value(); !ok || mps <= 0 || mps > MaxMPS {
			v.Addf("mps", "must be a number of segments per second in (0, %g]", MaxMPS)
		} else {
			n.MPS = mps
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	n.UpdatedAt = now
	b := s.NewBatch()
	PutNumber(b, n)
	return n, b.Commit(storage.Sync)
}

// SyncResult reports what a sync changed.
type SyncResult struct {
	Added     []*Number `json:"added"`
	Updated   []*Number `json:"updated"`
	Unchanged int       `json:"unchanged"`
	// Elsewhere are provider numbers another org already registered.
	Elsewhere []string `json:"elsewhere"`
	// Missing are the org's numbers the provider no longer lists; they are
	// kept, since a number may be mid-port.
	Missing []string `json:"missing"`
}

// SyncNumbers refreshes the org's inventory from the provider: unknown
// numbers are added (SMS off until a flow is assigned), known ones get the
// provider's capabilities and SID.
func SyncNumbers(s storage.Store, org, provider string, list []ProviderNumber, now time.Time) (*SyncResult, error) {
	res := &SyncResult{Added: []*Number{}, Updated: []*Number{}, Elsewhere: []string{}, Missing: []string{}}
	seen := map[string]bool{}
	for _, p := range list {
		if !phone.Valid(p.E164) || seen[p.E164] {
			continue
		}
		seen[p.E164] = true
		if err := syncOne(s, org, provider, p, now, res); err != nil {
			return nil, err
		}
	}
	err := s.Scan(PrefixNumbers(org), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		n, err := decode[Number](v)
		if err == nil && !seen[n.E164] {
			res.Missing = append(res.Missing, n.E164)
		}
		return true, err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func syncOne(s storage.Store, org, provider string, p ProviderNumber, now time.Time, res *SyncResult) error {
	defer lockNumber(p.E164)()
	ref, err := s.Get(KeyNumberE164(p.E164))
	switch {
	case errors.Is(err, storage.ErrNotFound):
		friendly := p.FriendlyName
		if friendly == "" {
			friendly = p.E164
		}
		n := &Number{ID: storage.NewID("num"), OrgID: org, E164: p.E164, FriendlyName: friendly, MPS: DefaultMPS,
			Capabilities: p.Capabilities, Provider: provider, ProviderSID: p.SID, CreatedAt: now, UpdatedAt: now}
		b := s.NewBatch()
		PutNumber(b, n)
		if err := b.Commit(storage.Sync); err != nil {
			return err
		}
		res.Added = append(res.Added, n)
		return nil
	case err != nil:
		return err
	}
	owner, id, _ := bytes.Cut(ref, []byte("/"))
	if string(owner) != org {
		res.Elsewhere = append(res.Elsewhere, p.E164)
		return nil
	}
	n, err := GetNumber(s, org, string(id))
	if err != nil {
		return fmt.Errorf("sms: sync %s: %w", p.E164, err)
	}
	if n.Capabilities == p.Capabilities && n.ProviderSID == p.SID && n.Provider == provider {
		res.Unchanged++
		return nil
	}
	n.Capabilities, n.ProviderSID, n.Provider, n.UpdatedAt = p.Capabilities, p.SID, provider, now
	if !n.Capabilities.SMS {
		n.SMSEnabled = false
	}
	b := s.NewBatch()
	PutNumber(b, n)
	if err := b.Commit(storage.Sync); err != nil {
		return err
	}
	res.Updated = append(res.Updated, n)
	return nil
}
