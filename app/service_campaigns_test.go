package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/humd/humd/actors/service/campaignsvc"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/tenancy"
)

// TestServiceCampaigns drives the campaigns area through a.Svc, without
// HTTP: roles (an operator may not turn quiet hours off), bad inputs named
// by their wire field, and a campaign from draft to cancelled.
func TestServiceCampaigns(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	n := s.AddNumber("+15005550006", 10)
	ctx := context.Background()
	svc := s.App.Svc
	viewer := &tenancy.Principal{OrgID: s.OrgID(), Role: tenancy.Viewer}
	op := &tenancy.Principal{OrgID: s.OrgID(), Role: tenancy.Operator, UserID: "user_op"}
	in := func() *campaigns.CreateIn {
		return &campaigns.CreateIn{Name: "Promo", NumberID: n.ID, BodyTemplate: "Hi {{first_name}}",
			Recipients: []campaigns.RecipientIn{{E164: "+13175550100", FirstName: "A"}}}
	}

	if _, err := svc.CreateCampaign(ctx, viewer, in()); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("viewer creates a campaign: %v; want forbidden", err)
	}
	off := false
	quiet := in()
	quiet.HonorQuietHours = &off
	if _, err := svc.CreateCampaign(ctx, op, quiet); !errors.Is(err, campaigns.ErrAdminOnly) {
		t.Errorf("operator turns quiet hours off: %v; want ErrAdminOnly", err)
	}
	bad := in()
	bad.BodyTemplate = "Hi {{nickname}}"
	var ve *storage.ValidationError
	if _, err := svc.CreateCampaign(ctx, op, bad); !errors.As(err, &ve) || ve.Fields["body_template"] == "" {
		t.Errorf("unknown placeholder: %v; want a ValidationError on body_template", err)
	}

	v, err := svc.CreateCampaign(ctx, op, in())
	if err != nil || v.Campaign.Status != campaigns.Draft || v.Campaign.CreatedBy != "user_op" {
		t.Fatalf("create = %+v, %v", v, err)
	}
	id := v.Campaign.ID
	throttle := 0
	if _, err := svc.UpdateCampaign(ctx, op, id, &campaigns.PatchIn{ThrottlePerMinute: &throttle}); !errors.As(err, &ve) || ve.Fields["throttle_per_minute"] == "" {
		t.Errorf("throttle 0: %v; want a ValidationError on throttle_per_minute", err)
	}
	// A problem the wire decoder found is reported with the others.
	_, err = svc.UpdateCampaign(ctx, op, id, &campaigns.PatchIn{ThrottlePerMinute: &throttle, Problems: map[string]string{"scheduled_start_at": "must be an RFC 3339 time or null"}})
	if !errors.As(err, &ve) || ve.Fields["throttle_per_minute"] == "" || ve.Fields["scheduled_start_at"] == "" {
		t.Errorf("two problems: %v; want both fields", err)
	}
	name := "Renamed"
	if got, err := svc.UpdateCampaign(ctx, op, id, &campaigns.PatchIn{Name: &name, FlowID: storage.Opt[string]{Set: true, Null: true}}); err != nil || got.Campaign.Name != "Renamed" {
		t.Fatalf("update = %+v, %v", got, err)
	}
	if _, err := svc.LaunchCampaign(ctx, viewer, id); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("viewer launches: %v; want forbidden", err)
	}
	if got, err := svc.GetCampaign(ctx, viewer, id); err != nil || got.Campaign.Name != "Renamed" {
		t.Errorf("get = %+v, %v", got, err)
	}
	if got, err := svc.CancelCampaign(ctx, op, id); err != nil || got.Campaign.Status != campaigns.Cancelled {
		t.Fatalf("cancel = %+v, %v", got, err)
	}
	rows, _, err := svc.ListCampaignRecipients(ctx, viewer, id, campaignsvc.ListCampaignRecipientsQuery{Status: campaigns.RCancelled, Page: storage.PageRequest{Limit: 10}})
	if err != nil || len(rows) != 1 {
		t.Errorf("cancelled rows = %v, %v", rows, err)
	}
	list, _, err := svc.ListCampaigns(ctx, viewer, storage.PageRequest{Limit: 10})
	if err != nil || len(list) != 1 {
		t.Errorf("list = %v, %v", list, err)
	}
}

// TestCampaignPatchNamesMistypedFields: a PATCH whose nullable fields carry
// the wrong JSON type is refused naming those fields, together with the
// other problems (the wire decoder and the domain report in one 422).
func TestCampaignPatchNamesMistypedFields(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	n := s.AddNumber("+15005550006", 10)
	c := createCampaign(t, s, n.ID, map[string]any{"recipients": rcpts(1)})
	st, body := s.Do("PATCH", "/api/sms/campaigns/"+c["id"].(string), adminKey,
		map[string]any{"scheduled_start_at": 5, "flow_id": true, "throttle_per_minute": 0})
	for _, want := range []string{`"scheduled_start_at":"must be an RFC 3339 time or null"`, `"flow_id":"must be a flow id or null"`, `"throttle_per_minute"`} {
		if st != 422 || !strings.Contains(string(body), want) {
			t.Errorf("PATCH = %d %s; want 422 naming %s", st, body, want)
		}
	}
}
