package app_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/campaigns"
)

// rcpts builds n recipient rows: +1317555<1000+i> for the first 9,000.
func rcpts(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"contact_e164": fmt.Sprintf("+1317%03d%04d", 555+i/9000, 1000+i%9000), "vars": map[string]any{"i": fmt.Sprint(i)}}
	}
	return out
}

func createCampaign(t *testing.T, s *apptest.Server, numberID string, extra map[string]any) map[string]any {
	t.Helper()
	body := map[string]any{"name": "Promo", "twilio_number_id": numberID, "body_template": "Hi #{{vars.i}}", "throttle_per_minute": 30}
	for k, v := range extra {
		body[k] = v
	}
	return s.JSON("POST", "/api/sms/campaigns", adminKey, body, 201)
}

func counts(t *testing.T, s *apptest.Server, id string) map[string]any {
	t.Helper()
	return s.JSON("GET", "/api/sms/campaigns/"+id, adminKey, nil, 200)["counts"].(map[string]any)
}

func waitSandbox(t *testing.T, s *apptest.Server, n int) {
	t.Helper()
	s.Settle(fmt.Sprintf("%d texts at the carrier", n), func() error {
		if got := len(s.App.Sandbox.Sent()); got != n {
			return fmt.Errorf("carrier has %d", got)
		}
		return nil
	})
}

// waitStatus polls the campaign until its status is want.
func waitStatus(t *testing.T, s *apptest.Server, id, want string) map[string]any {
	t.Helper()
	var c map[string]any
	s.WaitFor("campaign "+want, func() error {
		c = s.JSON("GET", "/api/sms/campaigns/"+id, adminKey, nil, 200)
		if c["status"] != want {
			return fmt.Errorf("status %v, counts %v", c["status"], c["counts"])
		}
		return nil
	})
	return c
}

func TestCampaignPacesEvenlyAt30PerMinute(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	n := s.AddNumber(ourNumber, 1)
	c := createCampaign(t, s, n.ID, map[string]any{"recipients": rcpts(5)})
	id := c["id"].(string)
	if c["status"] != "draft" || c["honor_quiet_hours"] != true || c["counts"].(map[string]any)["pending"] != 5.0 {
		t.Fatalf("created = %v", c)
	}
	start := s.Clock.Now()
	if st := s.JSON("POST", "/api/sms/campaigns/"+id+"/launch", adminKey, nil, 200)["status"]; st != "sending" {
		t.Fatalf("launched status = %v; want sending", st)
	}
	for i := 1; i <= 5; i++ {
		waitSandbox(t, s, i)
		if i < 5 {
			s.Clock.Advance(2 * time.Second)
		}
	}
	sent := s.App.Sandbox.Sent()
	for i, r := range sent {
		if want := start.Add(time.Duration(i) * 2 * time.Second); !r.At.Equal(want) {
			t.Errorf("text %d at +%s; want +%s (one every 2s, no burst)", i, r.At.Sub(start), want.Sub(start))
		}
		if want := fmt.Sprintf("Hi #%d", i); r.Body != want {
			t.Errorf("text %d = %q; want %q", i, r.Body, want)
		}
	}
	done := waitStatus(t, s, id, "completed")
	if cnt := done["counts"].(map[string]any); cnt["pending"] != 0.0 || cnt["sent"].(float64)+cnt["delivered"].(float64) != 5 {
		t.Errorf("counts = %v", cnt)
	}
	s.Settle("campaign.completed once", func() error {
		if ev := strings.Join(s.EventTypes(), ","); strings.Count(ev, "campaign.completed") != 1 {
			return fmt.Errorf("events = %s", ev)
		}
		return nil
	})
	// Delivery receipts move the counts (read from the messages).
	s.WaitFor("receipts counted", func() error {
		s.Clock.Advance(time.Minute)
		if cnt := counts(t, s, id); cnt["delivered"] != 5.0 {
			return fmt.Errorf("counts %v", cnt)
		}
		return nil
	})
	rows := s.JSON("GET", "/api/sms/campaigns/"+id+"/recipients?status=delivered", adminKey, nil, 200)["data"].([]any)
	if len(rows) != 5 || rows[0].(map[string]any)["message_id"] == "" {
		t.Errorf("delivered rows = %v", rows)
	}
}

func TestCampaignWaitsForBusinessHoursAndRecipientLocalTime(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	n := s.AddNumber(ourNumber, 1)
	// Org closed until Thursday 13:00 UTC.
	s.JSON("PATCH", "/api/org", adminKey, map[string]any{"business_hours_json": thursdayOnly}, 200)
	id := createCampaign(t, s, n.ID, map[string]any{"recipients": rcpts(2)})["id"].(string)
	s.JSON("POST", "/api/sms/campaigns/"+id+"/launch", adminKey, nil, 200)
	s.Clock.Advance(21*time.Hour + 59*time.Minute) // 12:59 UTC Thursday: none before the org opens
	waitSandbox(t, s, 0)
	if cnt := counts(t, s, id); cnt["pending"] != 2.0 {
		t.Fatalf("counts before opening = %v; want 2 pending", cnt)
	}
	s.Clock.Advance(time.Minute)
	waitSandbox(t, s, 1)
	if at := s.App.Sandbox.Sent()[0].At; !at.Equal(time.Date(2026, 11, 26, 13, 0, 0, 0, time.UTC)) {
		t.Errorf("first text at %s; want at the 13:00 UTC opening", at)
	}
	s.Clock.Advance(2 * time.Second)
	waitSandbox(t, s, 2)
	waitStatus(t, s, id, "completed")
}

func TestCampaignRecipientOutsideLocalHoursWaitsOthersGoOn(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	n := s.AddNumber(ourNumber, 1)
	// 15:00 UTC is 10:00 in Indianapolis and 02:00 in Sydney.
	sydney := "+61293744000"
	rows := []map[string]any{{"contact_e164": sydney, "vars": map[string]any{"i": "au"}}, {"contact_e164": contact, "vars": map[string]any{"i": "us"}}}
	id := createCampaign(t, s, n.ID, map[string]any{"recipients": rows})["id"].(string)
	s.JSON("POST", "/api/sms/campaigns/"+id+"/launch", adminKey, nil, 200)
	waitSandbox(t, s, 1)
	if r := s.App.Sandbox.Sent()[0]; r.To != contact {
		t.Fatalf("first text to %s; want the US recipient first (Sydney is at night)", r.To)
	}
	s.Clock.Advance(5*time.Hour + 59*time.Minute) // 20:59 UTC = 07:59 Sydney, who waits for 08:00 local
	waitSandbox(t, s, 1)
	if c := s.JSON("GET", "/api/sms/campaigns/"+id, adminKey, nil, 200); c["status"] != "sending" || c["counts"].(map[string]any)["pending"] != 1.0 {
		t.Fatalf("campaign = %v; want sending with 1 pending", c)
	}
	// The actor may arm its wake-up only after the clock moved (a slow
	// machine); step a second at a time until the text goes out.
	s.WaitFor("Sydney's text", func() error {
		s.Clock.Advance(time.Second)
		if got := len(s.App.Sandbox.Sent()); got != 2 {
			return fmt.Errorf("carrier has %d", got)
		}
		return nil
	})
	waitSandbox(t, s, 2) // and no second text to Sydney
	open := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)
	if r := s.App.Sandbox.Sent()[1]; r.To != sydney || r.At.Before(open) || r.At.After(open.Add(time.Minute)) {
		t.Errorf("second text = %s at %s; want Sydney at 21:00 UTC (08:00 local)", r.To, r.At)
	}
	waitStatus(t, s, id, "completed")
}

func TestCampaignCancelMidRun(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	n := s.AddNumber(ourNumber, 1)
	id := createCampaign(t, s, n.ID, map[string]any{"recipients": rcpts(10)})["id"].(string)
	s.JSON("POST", "/api/sms/campaigns/"+id+"/launch", adminKey, nil, 200)
	for i := 1; i <= 3; i++ {
		waitSandbox(t, s, i)
		if i < 3 {
			s.Clock.Advance(2 * time.Second)
		}
	}
	s.WaitFor("3 rows past sending", func() error {
		if cnt := counts(t, s, id); cnt["sending"] != 0.0 {
			return fmt.Errorf("counts %v", cnt)
		}
		return nil
	})
	c := s.JSON("POST", "/api/sms/campaigns/"+id+"/cancel", adminKey, nil, 200)
	cnt := c["counts"].(map[string]any)
	if c["status"] != "cancelled" || cnt["cancelled"] != 7.0 || cnt["pending"] != 0.0 {
		t.Fatalf("cancelled = %v", c)
	}
	s.Clock.Advance(10 * time.Minute)
	waitSandbox(t, s, 3) // nothing more after cancel
	if code := errCode(t, s, "POST", "/api/sms/campaigns/"+id+"/launch", nil, 409); code != "invalid_transition" {
		t.Errorf("launch after cancel code = %s", code)
	}
	errCode(t, s, "POST", "/api/sms/campaigns/"+id+"/cancel", nil, 409)
}

func TestCampaignStateMachine(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	n := s.AddNumber(ourNumber, 1)
	later := s.Clock.Now().Add(time.Hour).Format(time.RFC3339)
	id := createCampaign(t, s, n.ID, map[string]any{"recipients": rcpts(2), "scheduled_start_at": later})["id"].(string)
	base := "/api/sms/campaigns/" + id
	errCode(t, s, "POST", base+"/pause", nil, 409) // draft cannot pause
	s.JSON("PATCH", base, adminKey, map[string]any{"name": "Renamed", "throttle_per_minute": 60}, 200)
	if c := s.JSON("POST", base+"/launch", adminKey, nil, 200); c["status"] != "queued" {
		t.Fatalf("launch before scheduled_start_at = %v; want queued", c["status"])
	}
	errCode(t, s, "POST", base+"/launch", nil, 409)
	if code := errCode(t, s, "PATCH", base, map[string]any{"name": "x"}, 409); code != "not_editable" {
		t.Errorf("patch while queued code = %s", code)
	}
	s.Clock.Advance(59 * time.Minute)
	waitSandbox(t, s, 0) // none before scheduled_start_at
	s.Clock.Advance(time.Minute)
	waitSandbox(t, s, 1)
	if c := s.JSON("POST", base+"/pause", adminKey, nil, 200); c["status"] != "paused" {
		t.Fatalf("pause = %v", c["status"])
	}
	s.Clock.Advance(time.Hour)
	waitSandbox(t, s, 1) // nothing more while paused
	s.JSON("PATCH", base, adminKey, map[string]any{"body_template": "Back #{{vars.i}}"}, 200)
	s.JSON("POST", base+"/launch", adminKey, nil, 200)
	waitSandbox(t, s, 2)
	if b := s.App.Sandbox.Sent()[1].Body; b != "Back #1" {
		t.Errorf("after resume body = %q; want the edited template", b)
	}
	waitStatus(t, s, id, "completed")
	errCode(t, s, "POST", base+"/pause", nil, 409)
	errCode(t, s, "POST", base+"/cancel", nil, 409)
	errCode(t, s, "POST", "/api/sms/campaigns/camp_nope/launch", nil, 404)
	list := s.JSON("GET", "/api/sms/campaigns", adminKey, nil, 200)["data"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["name"] != "Renamed" {
		t.Errorf("list = %v", list)
	}
}

func TestCampaignCreateValidation(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	n := s.AddNumber(ourNumber, 1)
	body := func(extra map[string]any) map[string]any {
		b := map[string]any{"name": "P", "twilio_number_id": n.ID, "body_template": "Hi {{first_name}}", "recipients": rcpts(3)}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	bad := []map[string]any{{"contact_e164": "+13175550100"}, {"contact_e164": "3175550101"}, {"contact_e164": "+1"}, {"contact_e164": "+13175550102"}}
	res := s.JSON("POST", "/api/sms/campaigns", adminKey, body(map[string]any{"recipients": bad}), 422)
	fields := res["error"].(map[string]any)["details"].(map[string]any)["fields"].(map[string]any)
	if fields["recipients"] != "rows [1,2] are not E.164 numbers" || fields["recipients[1].contact_e164"] == nil || fields["recipients[2].contact_e164"] == nil {
		t.Errorf("422 fields = %v; want rows 1 and 2 named", fields)
	}
	for _, tc := range []map[string]any{
		{"name": ""}, {"throttle_per_minute": 0}, {"throttle_per_minute": 601}, {"body_template": "Hi {{nope}}"},
		{"twilio_number_id": "num_missing"}, {"recipients": []any{}}, {"flow_id": "flow_missing"}, {"color": "red"},
	} {
		if st, raw := s.Do("POST", "/api/sms/campaigns", adminKey, body(tc)); st != 422 {
			t.Errorf("create with %v = %d %s; want 422", tc, st, raw)
		}
	}
	if st, _ := s.Do("POST", "/api/sms/campaigns", adminKey, body(map[string]any{"recipients": rcpts(campaigns.MaxRecipients + 1)})); st != 422 {
		t.Errorf("%d recipients = %d; want 422", campaigns.MaxRecipients+1, st)
	}
	operator := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "o", "role": "operator"}, 201)["key"].(string)
	if st, raw := s.Do("POST", "/api/sms/campaigns", operator, body(map[string]any{"honor_quiet_hours": false})); st != 403 {
		t.Errorf("operator honor_quiet_hours:false = %d %s; want 403", st, raw)
	}
	c := s.JSON("POST", "/api/sms/campaigns", operator, body(nil), 201)
	if c["throttle_per_minute"] != 30.0 || c["honor_quiet_hours"] != true || len(c["warnings"].([]any)) != 1 {
		t.Errorf("defaults = %v; want throttle 30, quiet hours honoured, a warning for {{first_name}}", c)
	}
	if st, _ := s.Do("PATCH", "/api/sms/campaigns/"+c["id"].(string), operator, map[string]any{"honor_quiet_hours": false}); st != 403 {
		t.Errorf("operator patch honor_quiet_hours:false = %d; want 403", st)
	}
	s.JSON("POST", "/api/sms/campaigns", adminKey, body(map[string]any{"honor_quiet_hours": false}), 201)

	dup := []map[string]any{{"contact_e164": contact, "body": "first"}, {"contact_e164": "+13175550199"}, {"contact_e164": contact, "body": "second"}}
	d := s.JSON("POST", "/api/sms/campaigns", adminKey, body(map[string]any{"recipients": dup}), 201)
	if d["counts"].(map[string]any)["total"] != 2.0 {
		t.Errorf("deduped counts = %v; want total 2", d["counts"])
	}
	rows := s.JSON("GET", "/api/sms/campaigns/"+d["id"].(string)+"/recipients", adminKey, nil, 200)["data"].([]any)
	if len(rows) != 2 || rows[0].(map[string]any)["body"] != "first" {
		t.Errorf("rows = %v; want the first duplicate kept", rows)
	}
}

// TestCampaignRestartNoDuplicateNoLoss stops humd mid-campaign, marks one
// row as caught mid-send (what a crash between the "sending" commit and the
// pipeline's answer leaves), and starts again on the same data: the campaign
// resumes by itself, the caught row becomes unknown and is not resent, every
// other recipient gets exactly one text.
func TestCampaignRestartNoDuplicateNoLoss(t *testing.T) {
	dir := t.TempDir()
	s := apptest.Start(t, apptest.Options{Dir: dir})
	n := s.AddNumber(ourNumber, 1)
	org := s.OrgID()
	id := createCampaign(t, s, n.ID, map[string]any{"recipients": rcpts(6)})["id"].(string)
	s.JSON("POST", "/api/sms/campaigns/"+id+"/launch", adminKey, nil, 200)
	for i := 1; i <= 3; i++ {
		waitSandbox(t, s, i)
		if i < 3 {
			s.Clock.Advance(2 * time.Second)
		}
	}
	s.WaitFor("3 rows sent", func() error {
		if cnt := counts(t, s, id); cnt["sent"].(float64)+cnt["delivered"].(float64) != 3 || cnt["sending"] != 0.0 {
			return fmt.Errorf("counts %v", cnt)
		}
		return nil
	})
	var to []string
	for _, r := range s.App.Sandbox.Sent() {
		to = append(to, r.To)
	}
	s.Stop()

	st, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var r campaigns.Recipient
	if err := storage.GetJSON(st, campaigns.KeyRecipient(org, id, 4), &r); err != nil || r.Status != campaigns.RPending {
		t.Fatalf("row 4 = %+v, %v; want pending", r, err)
	}
	r.Status = campaigns.RSending
	b := st.NewBatch()
	campaigns.PutRecipient(b, org, id, &r)
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := apptest.Start(t, apptest.Options{Dir: dir})
	s2.WaitFor("campaign completed after restart", func() error {
		s2.Clock.Advance(2 * time.Second)
		if c := s2.JSON("GET", "/api/sms/campaigns/"+id, adminKey, nil, 200); c["status"] != "completed" {
			return fmt.Errorf("status %v counts %v", c["status"], c["counts"])
		}
		return nil
	})
	// Completed means handed to the pipeline; the carrier call may trail,
	// and the number's 1 text a second paces the second one on the clock.
	s2.WaitFor("2 texts at the carrier after restart", func() error {
		if got := len(s2.App.Sandbox.Sent()); got < 2 {
			s2.Clock.Advance(time.Second)
			return fmt.Errorf("carrier has %d", got)
		}
		return nil
	})
	waitSandbox(t, s2, 2)
	for _, r := range s2.App.Sandbox.Sent() {
		to = append(to, r.To)
	}
	sort.Strings(to)
	want := []string{"+13175551000", "+13175551001", "+13175551002", "+13175551004", "+13175551005"}
	if strings.Join(to, ",") != strings.Join(want, ",") {
		t.Errorf("texted %v; want each of %v once (row 4 was caught mid-send)", to, want)
	}
	cnt := counts(t, s2, id)
	if cnt["unknown"] != 1.0 || cnt["pending"] != 0.0 || cnt["sent"].(float64)+cnt["delivered"].(float64) != 5 {
		t.Errorf("counts = %v; want 5 sent, 1 unknown", cnt)
	}
	unknown := s2.JSON("GET", "/api/sms/campaigns/"+id+"/recipients?status=unknown", adminKey, nil, 200)["data"].([]any)
	if len(unknown) != 1 || unknown[0].(map[string]any)["contact_e164"] != "+13175551003" {
		t.Errorf("unknown rows = %v", unknown)
	}
}

// TestCampaignFiftyThousandRecipients creates the largest campaign the API
// takes in one request and reads it back page by page.
func TestCampaignFiftyThousandRecipients(t *testing.T) {
	if raceEnabled {
		t.Skip("50,000 rows through HTTP is too slow under the race detector; covered without -race")
	}
	if testing.Short() {
		t.Skip("large")
	}
	s := apptest.Start(t, apptest.Options{})
	n := s.AddNumber(ourNumber, 1)
	rows := rcpts(campaigns.MaxRecipients)
	raw, _ := json.Marshal(map[string]any{"name": "Big", "twilio_number_id": n.ID, "body_template": "Hi #{{vars.i}}", "recipients": rows})
	c := s.JSON("POST", "/api/sms/campaigns", adminKey, raw, 201)
	if c["counts"].(map[string]any)["total"] != float64(campaigns.MaxRecipients) {
		t.Fatalf("counts = %v", c["counts"])
	}
	if got := counts(t, s, c["id"].(string)); got["pending"] != float64(campaigns.MaxRecipients) {
		t.Fatalf("read back counts = %v", got)
	}
}

// TestCampaignFlowOverrideLastsFourteenDays: a campaign with a flow_id
// routes a thread's replies to that flow for 14 days after its send, then
// the number's own SMS flow answers again (SPEC 2.9).
func TestCampaignFlowOverrideLastsFourteenDays(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Seed: true})
	num, numberFlow := s.App.Seeded.Number.ID, s.App.Seeded.Flow.ID
	campaignFlow := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Campaign replies", "channel": "sms",
		"trigger_type": "message", "sms_config_json": map[string]any{"debounce_ms": 1000}}, 201)["id"].(string)
	c := createCampaign(t, s, num, map[string]any{"flow_id": campaignFlow, "recipients": []map[string]any{{"contact_e164": contact}}})
	sentAt := s.Clock.Now()
	s.JSON("POST", "/api/sms/campaigns/"+c["id"].(string)+"/launch", adminKey, nil, 200)
	waitSandbox(t, s, 1)
	conv := onlyConversationFor(t, s, contact)
	v := s.JSON("GET", "/api/sms/conversations/"+conv, adminKey, nil, 200)
	if want := sentAt.Add(14 * 24 * time.Hour).UTC().Format(time.RFC3339Nano); v["flow_id"] != campaignFlow || v["flow_override_until"] != want {
		t.Fatalf("thread = flow %v until %v; want %s until %s", v["flow_id"], v["flow_override_until"], campaignFlow, want)
	}
	// reply sends a text from the contact and answers the flow that answered it.
	n := 0
	reply := func() string {
		t.Helper()
		n++
		before := len(s.Messages(conv))
		if st, raw := s.PostTwilio("/twilio/sms", s.App.SandboxToken, apptest.InboundForm(fmt.Sprintf("SM%032d", 700+n), contact, s.App.Seeded.Number.E164, "what time do you open?"), ""); st != 200 {
			t.Fatalf("inbound: %d %s", st, raw)
		}
		s.Clock.Advance(5 * time.Second) // past both flows' debounce
		var by string
		s.Settle("one AI reply", func() error {
			msgs := s.Messages(conv)
			if len(msgs) != before+2 {
				return fmt.Errorf("thread has %d messages, want %d", len(msgs), before+2)
			}
			by = fmt.Sprint(msgs[len(msgs)-1]["author"].(map[string]any)["id"])
			return nil
		})
		return by
	}
	if by := reply(); by != campaignFlow {
		t.Errorf("reply within 14 days answered by %s; want the campaign's flow %s", by, campaignFlow)
	}
	s.Clock.Advance(14 * 24 * time.Hour)
	if by := reply(); by != numberFlow {
		t.Errorf("reply after 14 days answered by %s; want the number's flow %s", by, numberFlow)
	}
	if v := s.JSON("GET", "/api/sms/conversations/"+conv, adminKey, nil, 200); v["flow_id"] != numberFlow {
		t.Errorf("thread flow after 14 days = %v; want %s", v["flow_id"], numberFlow)
	}
}

// TestCampaignFailsWhenItsNumberStopsTexting: a sending campaign whose
// number has SMS turned off fails with the reason and sends nothing more
// (SPEC 2.9's failed state).
func TestCampaignFailsWhenItsNumberStopsTexting(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	n := s.AddNumber(ourNumber, 1)
	id := createCampaign(t, s, n.ID, map[string]any{"recipients": rcpts(5)})["id"].(string)
	s.JSON("POST", "/api/sms/campaigns/"+id+"/launch", adminKey, nil, 200)
	waitSandbox(t, s, 1)
	s.JSON("PATCH", "/api/numbers/"+n.ID, adminKey, map[string]any{"sms_enabled": false}, 200)
	s.WaitFor("campaign failed", func() error {
		s.Clock.Advance(2 * time.Second)
		if c := s.JSON("GET", "/api/sms/campaigns/"+id, adminKey, nil, 200); c["status"] != "failed" || !strings.Contains(fmt.Sprint(c["fail_reason"]), "SMS disabled") {
			return fmt.Errorf("campaign %v / %v", c["status"], c["fail_reason"])
		}
		return nil
	})
	s.Holds("nothing sent after the failure", func() error {
		s.Clock.Advance(time.Minute)
		if got := len(s.App.Sandbox.Sent()); got != 1 {
			return fmt.Errorf("carrier has %d texts", got)
		}
		return nil
	})
}
