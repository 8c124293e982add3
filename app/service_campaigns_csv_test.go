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
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// TestServiceCampaignFromCSV: a CSV with a bad line stores nothing and
// names the line (with the form's own problems in the same answer); a
// viewer may not create one; the fixed file makes a draft whose preview
// renders the first texts and counts the opted-out and blocked rows.
func TestServiceCampaignFromCSV(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	n := s.AddNumber("+15005550006", 10)
	ctx := context.Background()
	svc := s.App.Svc
	org := s.OrgID()
	viewer := &tenancy.Principal{OrgID: org, Role: tenancy.Viewer}
	op := &tenancy.Principal{OrgID: org, Role: tenancy.Operator, UserID: "user_op"}
	if _, _, err := svc.AddOptOut(ctx, op, sms.ListEntry{E164: "+13175550102"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.BlockNumber(ctx, op, sms.ListEntry{E164: "+13175550103"}); err != nil {
		t.Fatal(err)
	}
	in := func(name string) *campaigns.CreateIn {
		return &campaigns.CreateIn{Name: name, NumberID: n.ID, BodyTemplate: "Hi {{first_name}}, {{vars.offer}}"}
	}
	bad := "phone,first_name,offer\n+13175550100,Ada,20% off\n+1317555,Bob,10% off\n"
	good := "phone,first_name,offer\n+13175550100,Ada,20% off\n+13175550101,Bob,10% off\n+13175550102,Cy,1%\n+13175550103,Dee,2%\n"

	if _, _, err := svc.CreateCampaignFromCSV(ctx, viewer, in("Promo"), strings.NewReader(good)); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("viewer: %v; want forbidden", err)
	}
	_, _, err := svc.CreateCampaignFromCSV(ctx, op, in(""), strings.NewReader(bad))
	var ce *campaignsvc.CSVError
	if !errors.As(err, &ce) || len(ce.Rows) != 1 || ce.Rows[0].Line != 3 || ce.Fields["name"] == "" {
		t.Fatalf("bad file = %v; want line 3 named and the missing name", err)
	}
	if list, _, err := svc.ListCampaigns(ctx, op, storage.PageRequest{Limit: 10}); err != nil || len(list) != 0 {
		t.Fatalf("campaigns after a refused file = %d, %v; want none", len(list), err)
	}

	v, rows, err := svc.CreateCampaignFromCSV(ctx, op, in("Promo"), strings.NewReader(good))
	if err != nil || v.Counts.Total != 4 || len(rows.Rows) != 4 {
		t.Fatalf("good file = %+v, %v", v, err)
	}
	p, err := svc.PreviewCampaign(ctx, viewer, v.Campaign.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Texts) != 2 || p.Texts[0].Body != "Hi Ada, 20% off" || p.Texts[1].Body != "Hi Bob, 10% off" {
		t.Errorf("preview texts = %+v", p.Texts)
	}
	if p.Pending != 4 || p.OptedOut != 1 || p.Blocked != 1 {
		t.Errorf("preview counts = %+v; want 4 pending, 1 opted out, 1 blocked", p)
	}
}
