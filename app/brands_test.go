package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/transport/twilio/twiliotest"
)

func brandBody() map[string]any {
	return map[string]any{"name": "Acme Dental", "customer_profile_bundle_sid": "BU" + strings.Repeat("a", 32),
		"a2p_profile_bundle_sid": "BU" + strings.Repeat("b", 32), "messaging_service_sid": "MG" + strings.Repeat("c", 32),
		"use_case": "CUSTOMER_CARE", "description": "Appointment reminders and answers to patients' questions by text.",
		"message_flow":       "Patients opt in on the booking form at acme.example/book by ticking the SMS box.",
		"sample_messages":    []string{"Hi Ann, your cleaning is Tuesday at 3pm. Reply C to confirm.", "We are open 9-5 on weekdays. Reply STOP to opt out."},
		"has_embedded_links": false, "has_embedded_phone": true}
}

// TestBrandsThroughTwilio walks an A2P registration through twilio-go and
// the fake Twilio: the brand is registered with its bundles, stays pending
// while Twilio reviews it, its campaign is registered on the Messaging
// Service once it is approved (once, however often it is refreshed), and it
// is approved when the campaign is verified. A refused brand ends failed with
// Twilio's reason, and a request humd refuses reaches no carrier.
func TestBrandsThroughTwilio(t *testing.T) {
	tw := twiliotest.Start(t, twiliotest.Options{})
	s := apptest.Start(t, apptest.Options{Config: app.Config{TwilioAccountSID: twiliotest.DefaultAccountSID,
		TwilioAuthToken: twiliotest.DefaultAuthToken, TwilioAPIBase: tw.URL}})

	bad := brandBody()
	bad["sample_messages"] = []string{"only one sample message here, which is not enough"}
	errCode(t, s, "POST", "/api/brands", bad, 422)
	if n := len(tw.Brands()); n != 0 {
		t.Fatalf("a refused request registered %d brands", n)
	}

	b := s.JSON("POST", "/api/brands", adminKey, brandBody(), 201)
	id, sid := b["id"].(string), b["brand_sid"].(string)
	regs := tw.Brands()
	if len(regs) != 1 || regs[0].SID != sid || regs[0].CustomerProfileBundleSID != "BU"+strings.Repeat("a", 32) || regs[0].BrandType != "STANDARD" {
		t.Fatalf("registered at Twilio = %+v; answered %v", regs, b)
	}
	if b["status"] != "pending" || b["brand_status"] != "PENDING" {
		t.Errorf("new brand = %v; want pending", b)
	}
	refresh := func(want string) map[string]any {
		t.Helper()
		got := s.JSON("POST", "/api/brands/"+id+"/refresh", adminKey, nil, 200)
		if got["status"] != want {
			t.Fatalf("after refresh: %v; want status %s", got, want)
		}
		return got
	}
	refresh("pending")
	if n := len(tw.Campaigns()); n != 0 {
		t.Fatalf("%d campaigns registered before the brand was approved", n)
	}

	tw.SetBrandStatus(sid, "APPROVED", "")
	got := refresh("campaign")
	refresh("campaign")
	camps := tw.Campaigns()
	if len(camps) != 1 || camps[0].SID != got["campaign_sid"] || camps[0].BrandSID != sid || camps[0].UseCase != "CUSTOMER_CARE" ||
		camps[0].MessagingServiceSID != "MG"+strings.Repeat("c", 32) || len(camps[0].Samples) != 2 || !camps[0].HasEmbeddedPhone {
		t.Fatalf("campaigns at Twilio = %+v; want one, with the brand's use case and samples", camps)
	}

	tw.SetCampaignStatus(camps[0].SID, "VERIFIED", "")
	refresh("approved")
	if list := s.JSON("GET", "/api/brands", adminKey, nil, 200)["data"].([]any); len(list) != 1 || list[0].(map[string]any)["status"] != "approved" {
		t.Errorf("brands = %v", list)
	}

	other := s.JSON("POST", "/api/brands", adminKey, brandBody(), 201)
	tw.SetBrandStatus(other["brand_sid"].(string), "FAILED", "The EIN does not match the business name.")
	failed := s.JSON("POST", "/api/brands/"+other["id"].(string)+"/refresh", adminKey, nil, 200)
	if failed["status"] != "failed" || failed["failure_reason"] != "The EIN does not match the business name." {
		t.Errorf("refused brand = %v", failed)
	}
	if n := len(tw.Campaigns()); n != 1 {
		t.Errorf("campaigns = %d; want still one", n)
	}
}

// TestBrandsInSandbox: the sandbox approves at once, so creating a brand and
// refreshing it once walks the whole flow.
func TestBrandsInSandbox(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	b := s.JSON("POST", "/api/brands", adminKey, brandBody(), 201)
	if b["status"] != "campaign" || !strings.HasPrefix(b["brand_sid"].(string), "BN") {
		t.Fatalf("sandbox brand = %v; want approved, waiting for its campaign", b)
	}
	got := s.JSON("POST", "/api/brands/"+b["id"].(string)+"/refresh", adminKey, nil, 200)
	if got["status"] != "approved" || !strings.HasPrefix(got["campaign_sid"].(string), "QE") || got["campaign_status"] != "VERIFIED" {
		t.Errorf("after refresh = %v; want approved", got)
	}
	s.JSON("GET", "/api/brands/"+b["id"].(string), adminKey, nil, 200)
	errCode(t, s, "GET", "/api/brands/brand_nope", nil, 404)
}

// TestBrandsPolledHourly: nobody has to keep refreshing: once an hour the
// scheduler asks the carrier about every brand still in review.
func TestBrandsPolledHourly(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	id := s.JSON("POST", "/api/brands", adminKey, brandBody(), 201)["id"].(string)
	status := func() any { return s.JSON("GET", "/api/brands/"+id, adminKey, nil, 200)["status"] }
	start := s.Clock.Now()
	s.Clock.Advance(start.Truncate(time.Hour).Add(time.Hour).Sub(start) - time.Minute) // the last minute of this hour
	s.Holds("no poll within the hour", func() error {
		if st := status(); st != "campaign" {
			return fmt.Errorf("status %v before the hour turned", st)
		}
		return nil
	})
	s.WaitFor("polled at the top of the hour", func() error {
		s.Clock.Advance(time.Minute)
		if st := status(); st != "approved" {
			return fmt.Errorf("status %v", st)
		}
		return nil
	})
}

// TestBrandCampaignEdgeCases: Twilio refuses a second campaign on one
// Messaging Service, and the brand then fails with its reason (instead of
// asking again forever); a campaign already registered for the brand (an
// answer humd never stored) is adopted, not registered twice; a brand
// suspended while its campaign is in review fails.
func TestBrandCampaignEdgeCases(t *testing.T) {
	tw := twiliotest.Start(t, twiliotest.Options{})
	s := apptest.Start(t, apptest.Options{Config: app.Config{TwilioAccountSID: twiliotest.DefaultAccountSID,
		TwilioAuthToken: twiliotest.DefaultAuthToken, TwilioAPIBase: tw.URL}})
	onService := func(mg string) (id, sid string) {
		body := brandBody()
		body["messaging_service_sid"] = "MG" + strings.Repeat(mg, 32)
		b := s.JSON("POST", "/api/brands", adminKey, body, 201)
		tw.SetBrandStatus(b["brand_sid"].(string), "APPROVED", "")
		return b["id"].(string), b["brand_sid"].(string)
	}
	refresh := func(id string) map[string]any {
		return s.JSON("POST", "/api/brands/"+id+"/refresh", adminKey, nil, 200)
	}

	first, _ := onService("1")
	if got := refresh(first); got["status"] != "campaign" {
		t.Fatalf("first brand = %v", got)
	}
	second, _ := onService("1")
	got := refresh(second)
	if got["status"] != "failed" || got["campaign_status"] != "FAILED" || !strings.Contains(fmt.Sprint(got["failure_reason"]), "already has an A2P campaign") {
		t.Errorf("second brand on the same service = %v; want failed with Twilio's reason", got)
	}
	refresh(second)
	if n := len(tw.Campaigns()); n != 1 {
		t.Errorf("campaigns at Twilio = %d; want 1", n)
	}

	adopted, sid := onService("2")
	tw.AddCampaign(twiliotest.CampaignReg{SID: "QE" + strings.Repeat("e", 32), MessagingServiceSID: "MG" + strings.Repeat("2", 32),
		BrandSID: sid, Status: "VERIFIED"})
	if got := refresh(adopted); got["status"] != "approved" || got["campaign_sid"] != "QE"+strings.Repeat("e", 32) {
		t.Errorf("brand with a campaign already at Twilio = %v; want it adopted", got)
	}
	if n := len(tw.Campaigns()); n != 2 {
		t.Errorf("campaigns at Twilio = %d; want 2 (none registered again)", n)
	}

	suspended, sid := onService("3")
	refresh(suspended)
	tw.SetBrandStatus(sid, "SUSPENDED", "Reported for spam.")
	if got := refresh(suspended); got["status"] != "failed" || got["failure_reason"] != "Reported for spam." {
		t.Errorf("brand suspended during the campaign review = %v; want failed", got)
	}
}
