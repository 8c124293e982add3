package app_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/twilio/twiliotest"
)

// lookups counts the Lookup v2 requests the fake Twilio has seen.
func lookups(t *testing.T, tw *twiliotest.Server) int {
	t.Helper()
	n := 0
	for _, r := range tw.Requests() {
		if strings.HasPrefix(r, "GET /v2/PhoneNumbers/") {
			if !strings.Contains(r, "Fields=line_type_intelligence%2Ccaller_name") {
				t.Errorf("lookup %s does not ask for line type and caller name", r)
			}
			n++
		}
	}
	return n
}

func inboundFrom(t *testing.T, s *apptest.Server, tw *twiliotest.Server, from, body string) {
	t.Helper()
	resp, err := tw.SendInbound(s.URL, s.PublicURL, from, ourNumber, body, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("inbound from %s: %d %s", from, resp.StatusCode, raw)
	}
}

func getContact(s *apptest.Server, e164 string) map[string]any {
	return getOrgContact(s, s.OrgID(), e164)
}

func getOrgContact(s *apptest.Server, org, e164 string) map[string]any {
	return s.JSON("GET", "/api/contacts/"+sms.ContactID(org, e164), adminKey, nil, 200)
}

func lookedUp(s *apptest.Server, e164s ...string) error {
	for _, e := range e164s {
		c, err := sms.ContactByE164(s.App.Store, s.OrgID(), e)
		if err != nil || c.LookupAt == nil {
			return fmt.Errorf("%s not looked up yet (%v)", e, err)
		}
	}
	return nil
}

func TestLookupEnrichesNewContacts(t *testing.T) {
	s, tw := startWithTwilio(t)
	const named, crmNamed = "+13175550111", "+13175550112"
	tw.SetLookup(contact, twiliotest.Lookup{CarrierName: "Verizon Wireless", LineType: "mobile", CallerName: "JANE DOE", CallerType: "CONSUMER"})
	tw.SetLookup(named, twiliotest.Lookup{CarrierName: "AT&T", LineType: "landline", CallerName: "SOMEONE ELSE"})
	tw.SetLookup(crmNamed, twiliotest.Lookup{CarrierName: "T-Mobile USA", LineType: "mobile", CallerName: "CNAM NAME"})
	// A person named one contact, the CRM another, before either texted.
	s.JSON("POST", "/api/contacts", adminKey, map[string]any{"e164": named, "name": "Mine"}, 201)
	b := s.App.Store.NewBatch()
	if err := sms.ApplyCRM(s.App.Store, b, s.OrgID(), crmNamed, &sms.CRMMatch{ConnectorID: "crm_1", ContactID: "crm-9", Name: "Ada Lovelace"}, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	inboundFrom(t, s, tw, contact, "hi")
	inboundFrom(t, s, tw, named, "hello")
	inboundFrom(t, s, tw, crmNamed, "hey")
	s.WaitFor("three first texts looked up", func() error {
		s.Clock.Advance(time.Second)
		return lookedUp(s, contact, named, crmNamed)
	})

	for _, c := range []struct {
		e164, name, carrier, lineType, callerName, source string
	}{
		{contact, "JANE DOE", "Verizon Wireless", "mobile", "JANE DOE", sms.SourceLookup},
		{named, "Mine", "AT&T", "landline", "SOMEONE ELSE", sms.SourceUser},
		{crmNamed, "Ada Lovelace", "T-Mobile USA", "mobile", "CNAM NAME", sms.SourceCRM},
	} {
		got := getContact(s, c.e164)
		src, _ := got["source_precedence"].(map[string]any)
		if got["name"] != c.name || got["carrier"] != c.carrier || got["line_type"] != c.lineType || got["caller_name"] != c.callerName ||
			src["name"] != c.source || got["lookup_at"] == nil {
			t.Errorf("contact %s = %v; want name %q (from %s), carrier %q, line_type %q, caller_name %q, lookup_at set",
				c.e164, got, c.name, c.source, c.carrier, c.lineType, c.callerName)
		}
	}
	s.Holds("three lookups, one per contact", func() error {
		if n := lookups(t, tw); n != 3 {
			return fmt.Errorf("Twilio saw %d lookups", n)
		}
		return nil
	})

	// A contact with lookup_at is not looked up again automatically, even
	// when a new thread or call with it starts.
	b = s.App.Store.NewBatch()
	ev, err := events.Append(s.App.Store, b, s.OrgID(), "call.started", s.Clock.Now(),
		map[string]any{"call": map[string]any{"direction": "outbound", "from": ourNumber, "to": contact}})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	s.WaitFor("the call event read", func() error {
		s.Clock.Advance(time.Second)
		if cur, _, _ := sms.LookupCursor(s.App.Store, s.OrgID()); cur < ev.Seq {
			return fmt.Errorf("cursor %d < %d", cur, ev.Seq)
		}
		return nil
	})
	if _, err := sms.GetPendingLookup(s.App.Store, s.OrgID(), contact); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("pending lookup for an enriched contact: %v", err)
	}

	// A person's edit survives a re-lookup; Lookup's own fields refresh.
	id := sms.ContactID(s.OrgID(), contact)
	s.JSON("PATCH", "/api/contacts/"+id, adminKey, map[string]any{"name": "Janie"}, 200)
	tw.SetLookup(contact, twiliotest.Lookup{CarrierName: "T-Mobile USA", LineType: "nonFixedVoip", CallerName: "JANE Q DOE"})
	got := s.JSON("POST", "/api/contacts/"+id+"/lookup", adminKey, nil, 200)
	if src, _ := got["source_precedence"].(map[string]any); got["name"] != "Janie" || src["name"] != sms.SourceUser ||
		got["caller_name"] != "JANE Q DOE" || got["carrier"] != "T-Mobile USA" || got["line_type"] != "nonFixedVoip" {
		t.Errorf("re-lookup = %v; want the person's name kept and the new carrier data", got)
	}
	if n := lookups(t, tw); n != 4 {
		t.Errorf("Twilio saw %d lookups; want 4", n)
	}
	errCode(t, s, "POST", "/api/contacts/ct_nope/lookup", nil, 404)
	tw.FailNext(20003, 401, "Authenticate")
	if code := errCode(t, s, "POST", "/api/contacts/"+id+"/lookup", nil, 502); code != "lookup_failed" {
		t.Errorf("failed re-lookup code = %s; want lookup_failed", code)
	}
}

func TestLookupRetriedAfterFailure(t *testing.T) {
	s, tw := startWithTwilio(t)
	tw.SetLookup(contact, twiliotest.Lookup{CarrierName: "Verizon Wireless", LineType: "mobile", CallerName: "JANE DOE"})
	tw.FailNext(20500, 503, "Service Unavailable")
	inboundFrom(t, s, tw, contact, "hi")
	s.WaitFor("conversation.started logged", func() error {
		if !strings.Contains(strings.Join(s.EventTypes(), ","), "conversation.started") {
			return errors.New("not yet")
		}
		return nil
	})
	s.Clock.Advance(time.Second) // the actor reads the log and looks up
	failedAt := s.Clock.Now()
	var p *sms.PendingLookup
	s.WaitFor("the first attempt failed", func() error {
		var err error
		if p, err = sms.GetPendingLookup(s.App.Store, s.OrgID(), contact); err != nil || p.Attempts != 1 {
			return fmt.Errorf("pending = %+v, %v", p, err)
		}
		return nil
	})
	if want := failedAt.Add(30 * time.Second); !p.NextAt.Equal(want) || !strings.Contains(p.LastError, "20500") {
		t.Errorf("after a failure pending = %+v; want a retry at %s with the error", p, want)
	}
	if err := lookedUp(s, contact); err == nil {
		t.Fatal("a failed lookup set lookup_at")
	}
	if n := lookups(t, tw); n != 1 {
		t.Fatalf("Twilio saw %d lookups; want 1", n)
	}

	s.Clock.Advance(30 * time.Second)
	s.WaitFor("the retry succeeded", func() error {
		s.Clock.Advance(time.Second)
		return lookedUp(s, contact)
	})
	if c := getContact(s, contact); c["caller_name"] != "JANE DOE" || c["carrier"] != "Verizon Wireless" {
		t.Errorf("contact after the retry = %v", c)
	}
	if n := lookups(t, tw); n != 2 {
		t.Errorf("Twilio saw %d lookups; want 2 (one failure, one retry)", n)
	}
	if _, err := sms.GetPendingLookup(s.App.Store, s.OrgID(), contact); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("pending lookup after success: %v", err)
	}
}

func TestLookupBackfillRateLimitedAndResumed(t *testing.T) {
	s, tw := startWithTwilio(t)
	var phones []string
	for i := range 5 {
		phones = append(phones, fmt.Sprintf("+1317555020%d", i))
		s.JSON("POST", "/api/contacts", adminKey, map[string]any{"e164": phones[i]}, 201)
	}
	tw.FailNext(20404, 404, "The requested resource was not found") // the first lookup fails for good
	job := s.JSON("POST", "/api/contacts/backfill-lookup", adminKey, map[string]any{"per_second": 1}, 202)
	id, _ := job["job_id"].(string)
	if id == "" || job["status"] != "running" || job["total"] != 5.0 {
		t.Fatalf("backfill = %v; want a running job over 5 contacts", job)
	}
	if code := errCode(t, s, "POST", "/api/contacts/backfill-lookup", nil, 409); code != "backfill_running" {
		t.Errorf("second backfill code = %s; want backfill_running", code)
	}
	errCode(t, s, "POST", "/api/contacts/backfill-lookup", map[string]any{"per_second": 1000}, 422)
	errCode(t, s, "GET", "/api/lookup-jobs/lkjob_nope", nil, 404)
	progress := func(s *apptest.Server) map[string]any {
		return s.JSON("GET", "/api/lookup-jobs/"+id, adminKey, nil, 200)
	}
	s.WaitFor("the first lookup settled", func() error {
		if p := progress(s); p["failed"] != 1.0 {
			return fmt.Errorf("progress = %v", p)
		}
		return nil
	})
	s.Holds("one lookup before the clock moves (1/s)", func() error {
		if n := lookups(t, tw); n != 1 {
			return fmt.Errorf("Twilio saw %d lookups", n)
		}
		return nil
	})

	// A restart resumes the job where it stopped.
	org := s.OrgID()
	s.Stop()
	s = apptest.Start(t, apptest.Options{Dir: s.Dir, Config: app.Config{TwilioAccountSID: twiliotest.DefaultAccountSID,
		TwilioAuthToken: twiliotest.DefaultAuthToken, TwilioAPIBase: tw.URL}})
	seconds := 0
	s.WaitFor("the job completed", func() error {
		s.Clock.Advance(time.Second)
		seconds++
		if p := progress(s); p["status"] != "completed" {
			return fmt.Errorf("progress = %v", p)
		}
		return nil
	})
	p := progress(s)
	if p["total"] != 5.0 || p["done"] != 4.0 || p["failed"] != 1.0 || p["finished_at"] == nil || p["started_at"] == nil {
		t.Errorf("finished job = %v; want total 5, done 4, failed 1", p)
	}
	if n := lookups(t, tw); n != 5 {
		t.Errorf("Twilio saw %d lookups; want 5, each contact once", n)
	}
	// One lookup was made before the restart; the other four, at one per
	// second, need at least three more seconds of clock.
	if seconds < 3 {
		t.Errorf("the job finished after %ds of clock; the 1/s limit allows no less than 3", seconds)
	}
	enriched := 0
	for _, e := range phones {
		if c := getOrgContact(s, org, e); c["lookup_at"] != nil && c["carrier"] == "Twiliotest Wireless" {
			enriched++
		}
	}
	if enriched != 4 {
		t.Errorf("%d contacts enriched; want 4", enriched)
	}
}

func TestLookupSandboxStandIn(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	s.AddNumber(ourNumber, 1)
	inbound(t, s, "SM00000000000000000000000000009001", contact, "hi")
	s.WaitFor("the sandbox stand-in looked the contact up", func() error {
		s.Clock.Advance(time.Second)
		return lookedUp(s, contact)
	})
	c := getContact(s, contact)
	if c["carrier"] != "Sandbox Wireless" || c["line_type"] != "mobile" || c["caller_name"] != nil || c["name"] != "" {
		t.Errorf("sandbox contact = %v; want Sandbox Wireless mobile, no caller name", c)
	}
	tf := s.JSON("POST", "/api/contacts", adminKey, map[string]any{"e164": "+18005550100"}, 201)
	got := s.JSON("POST", "/api/contacts/"+tf["id"].(string)+"/lookup", adminKey, nil, 200)
	if got["line_type"] != "tollFree" || got["carrier"] != "Sandbox Toll-Free" {
		t.Errorf("toll-free lookup = %v", got)
	}
}
