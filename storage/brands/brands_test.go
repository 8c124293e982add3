package brands

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/storage"
)

func validRequest() *Request {
	return &Request{Name: "Acme Dental", CustomerProfileBundleSID: "BU" + strings.Repeat("a", 32),
		A2PProfileBundleSID: "BU" + strings.Repeat("b", 32), MessagingServiceSID: "MG" + strings.Repeat("c", 32),
		UseCase: "CUSTOMER_CARE", Description: "Appointment reminders and answers to patients' questions by text.",
		MessageFlow: "Patients opt in on the booking form at acme.example/book by ticking the SMS box.",
		SampleMessages: []string{"Hi Ann, your cleaning is Tuesday at 3pm. Reply C to confirm.",
			"We are open 9-5 on weekdays. Reply STOP to opt out."}}
}

func TestNewValidates(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	b, err := New("org_1", validRequest(), now)
	if err != nil || b.BrandType != "STANDARD" || b.Status != StatusPending || b.OrgID != "org_1" || !strings.HasPrefix(b.ID, "brand_") {
		t.Fatalf("New(valid) = %+v, %v; want a pending STANDARD brand", b, err)
	}
	tests := []struct {
		field string
		edit  func(r *Request)
	}{
		{"name", func(r *Request) { r.Name = "" }},
		{"brand_type", func(r *Request) { r.BrandType = "BIG" }},
		{"customer_profile_bundle_sid", func(r *Request) { r.CustomerProfileBundleSID = "BU123" }},
		{"a2p_profile_bundle_sid", func(r *Request) { r.A2PProfileBundleSID = "MG" + strings.Repeat("b", 32) }},
		{"messaging_service_sid", func(r *Request) { r.MessagingServiceSID = "" }},
		{"use_case", func(r *Request) { r.UseCase = "SPAM" }},
		{"use_case", func(r *Request) { r.UseCase = "SOLE_PROPRIETOR" }}, // on a STANDARD brand
		{"use_case", func(r *Request) { r.BrandType = "SOLE_PROPRIETOR" }},
		{"description", func(r *Request) { r.Description = "too short" }},
		{"message_flow", func(r *Request) { r.MessageFlow = strings.Repeat("x", 2049) }},
		{"sample_messages", func(r *Request) { r.SampleMessages = r.SampleMessages[:1] }},
		{"sample_messages[1]", func(r *Request) { r.SampleMessages[1] = "short" }},
	}
	for _, tc := range tests {
		r := validRequest()
		tc.edit(r)
		_, err := New("org_1", r, now)
		var ve *storage.ValidationError
		if !errors.As(err, &ve) || ve.Fields[tc.field] == "" {
			t.Errorf("%s: New = %v; want a validation error on %s", tc.field, err, tc.field)
		}
	}
	r := validRequest()
	r.BrandType, r.UseCase = "SOLE_PROPRIETOR", "SOLE_PROPRIETOR"
	if _, err := New("org_1", r, now); err != nil {
		t.Errorf("a sole proprietor brand with its use case: %v", err)
	}
}

func TestSettle(t *testing.T) {
	tests := []struct{ brand, campaign, want string }{
		{"PENDING", "", StatusPending},
		{"IN_REVIEW", "", StatusPending},
		{"APPROVED", "", StatusCampaign},
		{"APPROVED", "PENDING", StatusCampaign},
		{"APPROVED", "VERIFIED", StatusApproved},
		{"FAILED", "", StatusFailed},
		{"APPROVED", "FAILED", StatusFailed},
		{"SUSPENDED", "VERIFIED", StatusFailed},
	}
	for _, tc := range tests {
		b := &Brand{BrandStatus: tc.brand, CampaignStatus: tc.campaign}
		if b.Settle(); b.Status != tc.want {
			t.Errorf("brand %s, campaign %s: status %s; want %s", tc.brand, tc.campaign, b.Status, tc.want)
		}
	}
}
