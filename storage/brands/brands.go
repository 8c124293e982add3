package brands

import (
	"fmt"
	"regexp"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/humd/humd/storage"
)

// Overall statuses of a registration.
const (
	StatusPending  = "pending"  // the brand is being reviewed
	StatusCampaign = "campaign" // the brand is approved; its campaign is being reviewed
	StatusApproved = "approved" // brand and campaign approved: the service may text US numbers
	StatusFailed   = "failed"   // the carrier refused the brand or the campaign
)

// Brand types and use cases as Twilio names them (BrandRegistrations,
// Compliance/Usa2p).
var (
	BrandTypes = []string{"STANDARD", "SOLE_PROPRIETOR"}
	UseCases   = []string{"2FA", "ACCOUNT_NOTIFICATION", "AGENTS_FRANCHISES", "CHARITY", "CUSTOMER_CARE", "DELIVERY_NOTIFICATION",
		"EMERGENCY", "FRAUD_ALERT", "HIGHER_EDUCATION", "K12_EDUCATION", "LOW_VOLUME", "MARKETING", "MIXED", "POLITICAL",
		"POLLING_VOTING", "PROXY", "PUBLIC_SERVICE_ANNOUNCEMENT", "SECURITY_ALERT", "SOCIAL", "SOLE_PROPRIETOR", "SWEEPSTAKE"}
)

// Brand is one registration: what was asked for, and what the carrier said.
type Brand struct {
	ID    string `json:"id"`
	OrgID string `json:"org_id"`
	Request
	Status         string     `json:"status"`
	BrandSID       string     `json:"brand_sid"`
	BrandStatus    string     `json:"brand_status"`
	CampaignSID    string     `json:"campaign_sid"`
	CampaignStatus string     `json:"campaign_status"`
	FailureReason  string     `json:"failure_reason"`
	CheckedAt      *time.Time `json:"checked_at"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Request is POST /api/brands: what is registered at the carrier.
type Request struct {
	Name                     string   `json:"name"`
	BrandType                string   `json:"brand_type"`
	CustomerProfileBundleSID string   `json:"customer_profile_bundle_sid"`
	A2PProfileBundleSID      string   `json:"a2p_profile_bundle_sid"`
	MessagingServiceSID      string   `json:"messaging_service_sid"`
	UseCase                  string   `json:"use_case"`
	Description              string   `json:"description"`
	MessageFlow              string   `json:"message_flow"`
	SampleMessages           []string `json:"sample_messages"`
	HasEmbeddedLinks         bool     `json:"has_embedded_links"`
	HasEmbeddedPhone         bool     `json:"has_embedded_phone"`
}

var (
	bundleSID  = regexp.MustCompile(`^BU[0-9a-fA-F]{32}$`)
	serviceSID = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
)

// New validates req (Twilio's own limits, so the carrier does not refuse
// what humd accepted) and answers the brand to register, not stored yet.
func New(org string, req *Request, now time.Time) (*Brand, error) {
	v := &storage.ValidationError{}
	length := func(field, s string, min, max int) {
		if n := utf8.RuneCountInString(s); n < min || n > max {
			v.Add(field, fmt.Sprintf("must be %d to %d characters", min, max))
		}
	}
	length("name", req.Name, 1, 120)
	if req.BrandType == "" {
		req.BrandType = "STANDARD"
	}
	if !slices.Contains(BrandTypes, req.BrandType) {
		v.Add("brand_type", "must be STANDARD or SOLE_PROPRIETOR")
	}
	if !bundleSID.MatchString(req.CustomerProfileBundleSID) {
		v.Add("customer_profile_bundle_sid", "must be a Trust Hub bundle SID (BU and 32 hex digits)")
	}
	if !bundleSID.MatchString(req.A2PProfileBundleSID) {
		v.Add("a2p_profile_bundle_sid", "must be a Trust Hub bundle SID (BU and 32 hex digits)")
	}
	if !serviceSID.MatchString(req.MessagingServiceSID) {
		v.Add("messaging_service_sid", "must be a Messaging Service SID (MG and 32 hex digits)")
	}
	if !slices.Contains(UseCases, req.UseCase) {
		v.Add("use_case", "must be one of Twilio's A2P use cases, like MIXED, MARKETING or CUSTOMER_CARE")
	}
	if req.BrandType == "SOLE_PROPRIETOR" && req.UseCase != "SOLE_PROPRIETOR" || req.BrandType == "STANDARD" && req.UseCase == "SOLE_PROPRIETOR" {
		v.Add("use_case", "SOLE_PROPRIETOR goes with brand_type SOLE_PROPRIETOR, and only with it")
	}
	length("description", req.Description, 40, 4096)
	length("message_flow", req.MessageFlow, 40, 2048)
	if n := len(req.SampleMessages); n < 2 || n > 5 {
		v.Add("sample_messages", "give 2 to 5 sample messages")
	}
	for i, m := range req.SampleMessages {
		length(fmt.Sprintf("sample_messages[%d]", i), m, 20, 1024)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	r := *req
	r.SampleMessages = slices.Clone(req.SampleMessages)
	return &Brand{ID: storage.NewID("brand"), OrgID: org, Request: r, Status: StatusPending, CreatedAt: now, UpdatedAt: now}, nil
}

// Settle sets Status from the carrier's statuses: failed as soon as either
// registration failed, approved once the campaign is verified.
func (b *Brand) Settle() {
	switch {
	case failed(b.BrandStatus) || failed(b.CampaignStatus):
		b.Status = StatusFailed
	case b.CampaignStatus == "VERIFIED":
		b.Status = StatusApproved
	case b.BrandStatus == "APPROVED":
		b.Status = StatusCampaign
	default:
		b.Status = StatusPending
	}
}

// Registration is a brand's or a campaign's SID at the carrier, the
// carrier's status of it and, when it failed, why.
type Registration struct {
	SID, Status, Failure string
}

// BrandApproved reports whether the campaign may be registered now.
func (b *Brand) BrandApproved() bool { return b.BrandStatus == "APPROVED" && b.CampaignSID == "" }

func failed(status string) bool {
	switch status {
	case "FAILED", "SUSPENDED", "EXPIRED", "DELETED":
		return true
	}
	return false
}

func keyBrand(org, id string) []byte { return storage.Key("brand", org, id) }
func prefixBrands(org string) []byte { return storage.Prefix("brand", org) }

// Put writes a brand durably.
func Put(s storage.Store, b *Brand) error {
	batch := s.NewBatch()
	batch.SetJSON(keyBrand(b.OrgID, b.ID), b)
	return batch.Commit(storage.Sync)
}

// Get loads one of the org's brands.
func Get(s storage.Store, org, id string) (*Brand, error) {
	var b Brand
	if err := storage.GetJSON(s, keyBrand(org, id), &b); err != nil {
		return nil, fmt.Errorf("brands: %s: %w", id, err)
	}
	return &b, nil
}

// List pages the org's brands in id order (oldest first).
func List(s storage.Store, org string, page storage.PageRequest) ([]*Brand, string, error) {
	return storage.ListPage(s, prefixBrands(org), page, func(_, v []byte) (*Brand, bool, error) {
		var b Brand
		if err := storage.DecodeJSON(v, &b); err != nil {
			return nil, false, err
		}
		return &b, true, nil
	})
}

// Locks serialise a brand's refreshes, so two at once cannot register its
// campaign twice.
var Locks storage.Stripes
