package sms_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
)

const org = "org_1"

func applyCRM(t *testing.T, s storage.Store, e164 string, m *sms.CRMMatch) {
	t.Helper()
	b := s.NewBatch()
	if err := sms.ApplyCRM(s, b, org, e164, m, now); err != nil {
		t.Fatal(err)
	}
}

func applyLookup(t *testing.T, s storage.Store, e164 string, r *sms.LookupResult, at time.Time) *sms.Contact {
	t.Helper()
	b := s.NewBatch()
	defer b.Discard()
	c, err := sms.ApplyLookup(s, b, org, e164, r, at)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := sms.ContactByE164(s, org, e164)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Name != c.Name || stored.LookupAt == nil || !stored.LookupAt.Equal(at) {
		t.Fatalf("ApplyLookup answered %+v but stored %+v", c, stored)
	}
	return c
}

// TestApplyLookupPrecedence: user override > CRM > Lookup for the name;
// carrier, line type and caller name always come from the lookup.
func TestApplyLookupPrecedence(t *testing.T) {
	res := &sms.LookupResult{Valid: true, Carrier: "Verizon Wireless", LineType: "mobile", CallerName: "JANE DOE", CallerType: "CONSUMER"}
	cases := []struct {
		name       string
		setup      func(t *testing.T, s storage.Store, e164 string)
		wantName   string
		wantSource string
	}{
		{"new contact", func(*testing.T, storage.Store, string) {}, "JANE DOE", sms.SourceLookup},
		{"person named it", func(t *testing.T, s storage.Store, e164 string) {
			create(t, s, `{"e164":"`+e164+`","name":"Mine"}`)
		}, "Mine", sms.SourceUser},
		{"person cleared the name", func(t *testing.T, s storage.Store, e164 string) {
			c := create(t, s, `{"e164":"`+e164+`","name":"x"}`)
			patch(t, s, c.ID, `{"name":""}`)
		}, "", sms.SourceUser},
		{"person set only a first name", func(t *testing.T, s storage.Store, e164 string) {
			create(t, s, `{"e164":"`+e164+`","first_name":"Jo"}`)
		}, "Jo", ""},
		{"CRM named it", func(t *testing.T, s storage.Store, e164 string) {
			applyCRM(t, s, e164, &sms.CRMMatch{ConnectorID: "crm_1", ContactID: "c1", Name: "Ada Lovelace"})
		}, "Ada Lovelace", sms.SourceCRM},
		{"CRM gave first and last only", func(t *testing.T, s storage.Store, e164 string) {
			applyCRM(t, s, e164, &sms.CRMMatch{ConnectorID: "crm_1", ContactID: "c1", FirstName: "Ada"})
		}, "", ""},
		{"CRM link without a name", func(t *testing.T, s storage.Store, e164 string) {
			applyCRM(t, s, e164, &sms.CRMMatch{ConnectorID: "crm_1", ContactID: "c1", Email: "a@example.com"})
		}, "JANE DOE", sms.SourceLookup},
		{"an earlier lookup named it", func(t *testing.T, s storage.Store, e164 string) {
			applyLookup(t, s, e164, &sms.LookupResult{CallerName: "OLD NAME"}, now.Add(-time.Hour))
		}, "JANE DOE", sms.SourceLookup},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t)
			e164 := fmt.Sprintf("+1317555010%d", i)
			tc.setup(t, s, e164)
			c := applyLookup(t, s, e164, res, now)
			if c.Name != tc.wantName || c.SourcePrecedence["name"] != tc.wantSource {
				t.Errorf("name = %q from %q; want %q from %q", c.Name, c.SourcePrecedence["name"], tc.wantName, tc.wantSource)
			}
			if c.Carrier != res.Carrier || c.LineType != res.LineType || c.CallerName != res.CallerName || c.CallerType != res.CallerType {
				t.Errorf("lookup fields = %q %q %q %q; want the lookup's", c.Carrier, c.LineType, c.CallerName, c.CallerType)
			}
		})
	}
}

func create(t *testing.T, s storage.Store, body string) *sms.Contact {
	t.Helper()
	var in sms.NewContact
	if err := fromJSON([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	c, err := sms.CreateContact(s, org, in, now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func patch(t *testing.T, s storage.Store, id, body string) *sms.Contact {
	t.Helper()
	var in sms.ContactInput
	if err := fromJSON([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	c, err := sms.PatchContact(s, org, id, in, now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCRMAndPersonOutrankLookup: data arriving after a lookup still wins.
func TestCRMAndPersonOutrankLookup(t *testing.T) {
	s := openStore(t)
	const e164 = "+13175550100"
	applyLookup(t, s, e164, &sms.LookupResult{CallerName: "LOVELACE ADA", Carrier: "AT&T"}, now)
	applyCRM(t, s, e164, &sms.CRMMatch{ConnectorID: "crm_1", ContactID: "c1", FirstName: "Ada", LastName: "Lovelace"})
	c, _ := sms.ContactByE164(s, org, e164)
	if c.Name != "Ada Lovelace" || c.SourcePrecedence["name"] != sms.SourceCRM || c.SourcePrecedence["first_name"] != sms.SourceCRM {
		t.Fatalf("after the CRM: %+v; want the CRM's name over the caller name", c)
	}
	if c.Carrier != "AT&T" || c.CallerName != "LOVELACE ADA" || c.LookupAt == nil {
		t.Errorf("the CRM dropped lookup data: %+v", c)
	}
	c = patch(t, s, c.ID, `{"name":"Countess"}`)
	if c.SourcePrecedence["name"] != sms.SourceUser {
		t.Errorf("after a PATCH name is from %q; want user", c.SourcePrecedence["name"])
	}
	applyCRM(t, s, e164, &sms.CRMMatch{ConnectorID: "crm_1", ContactID: "c1", Name: "A. Lovelace"})
	c = applyLookup(t, s, e164, &sms.LookupResult{CallerName: "SOMEONE"}, now.Add(time.Hour))
	if c.Name != "Countess" || c.SourcePrecedence["name"] != sms.SourceUser || c.CallerName != "SOMEONE" {
		t.Errorf("after CRM and lookup: %+v; want the person's name kept", c)
	}
}

func TestLookupJobsAndQueue(t *testing.T) {
	s := openStore(t)
	for i := range 3 {
		create(t, s, fmt.Sprintf(`{"e164":"+1317555020%d"}`, i))
	}
	applyLookup(t, s, "+13175550201", &sms.LookupResult{}, now)
	if n, err := sms.CountContactsWithoutLookup(s, org); err != nil || n != 2 {
		t.Errorf("CountContactsWithoutLookup = %d, %v; want 2", n, err)
	}
	first, err := sms.ContactsAfter(s, org, "", 2)
	if err != nil || len(first) != 2 {
		t.Fatalf("ContactsAfter first page = %d, %v", len(first), err)
	}
	rest, err := sms.ContactsAfter(s, org, first[1].ID, 2)
	if err != nil || len(rest) != 1 || rest[0].ID <= first[1].ID {
		t.Errorf("ContactsAfter second page = %v, %v; want the one contact after %s", rest, err, first[1].ID)
	}

	j := &sms.LookupJob{ID: "lkjob_1", OrgID: org, Status: sms.JobRunning, Total: 2, PerSecond: 5, StartedAt: now}
	b := s.NewBatch()
	sms.PutLookupJob(b, j)
	sms.PutPendingLookup(b, &sms.PendingLookup{OrgID: org, E164: "+13175550200", JobID: j.ID, NextAt: now})
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	if r, err := sms.RunningLookupJob(s, org); err != nil || r == nil || r.ID != j.ID {
		t.Errorf("RunningLookupJob = %v, %v", r, err)
	}
	if r, err := sms.RunningLookupJob(s, "org_2"); err != nil || r != nil {
		t.Errorf("RunningLookupJob(other org) = %v, %v; want none", r, err)
	}
	var pending []*sms.PendingLookup
	if err := sms.AllPendingLookups(s, func(p *sms.PendingLookup) { pending = append(pending, p) }); err != nil || len(pending) != 1 {
		t.Errorf("AllPendingLookups = %v, %v", pending, err)
	}
	j.Status = sms.JobCompleted
	b = s.NewBatch()
	sms.PutLookupJob(b, j)
	sms.DeletePendingLookup(b, org, "+13175550200")
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	active := 0
	if err := sms.ActiveLookupJobs(s, func(*sms.LookupJob) { active++ }); err != nil || active != 0 {
		t.Errorf("ActiveLookupJobs after completion = %d, %v; want 0", active, err)
	}
	if _, err := sms.GetPendingLookup(s, org, "+13175550200"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("GetPendingLookup after delete = %v; want not found", err)
	}
	if got, err := sms.GetLookupJob(s, org, j.ID); err != nil || got.Status != sms.JobCompleted {
		t.Errorf("GetLookupJob = %+v, %v", got, err)
	}
}

func TestEventLogOrgsAndCursor(t *testing.T) {
	s := openStore(t)
	for _, o := range []string{"org_a", "org_b", "org_b"} {
		b := s.NewBatch()
		if _, err := events.Append(s, b, o, events.ConvStarted, now, map[string]any{}); err != nil {
			t.Fatal(err)
		}
		if err := b.Commit(storage.Sync); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Sequence(storage.Key("seq", "org_c", "agent")); err != nil { // not an event log
		t.Fatal(err)
	}
	var orgs []string
	if err := events.Orgs(s, func(o string) { orgs = append(orgs, o) }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(orgs) != "[org_a org_b]" {
		t.Errorf("events.Orgs = %v; want [org_a org_b]", orgs)
	}
	for o, want := range map[string]uint64{"org_a": 1, "org_b": 2, "org_c": 0} {
		if got, err := events.LastSeq(s, o); got != want || err != nil {
			t.Errorf("events.LastSeq(%s) = %d, %v; want %d", o, got, err, want)
		}
	}
	if _, ok, err := sms.LookupCursor(s, "org_a"); ok || err != nil {
		t.Errorf("LookupCursor before any = %v, %v; want none", ok, err)
	}
	b := s.NewBatch()
	sms.SetLookupCursor(b, "org_a", 7)
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	if seq, ok, err := sms.LookupCursor(s, "org_a"); seq != 7 || !ok || err != nil {
		t.Errorf("LookupCursor = %d, %v, %v; want 7", seq, ok, err)
	}
}
