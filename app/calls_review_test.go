package app_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// putCall writes a call record the way the call actor does (it is the only
// writer of calls in production), with its transcript and tool rows.
func putCall(t *testing.T, s *apptest.Server, c *calls.Call, turns []*calls.Turn, tools []*calls.ToolActivity) *calls.Call {
	t.Helper()
	if c.ID == "" {
		c.ID = storage.NewID("call")
	}
	if c.OrgID == "" {
		c.OrgID = s.OrgID()
	}
	if c.Status == "" {
		c.Status = calls.StatusCompleted
	}
	if c.Direction == "" {
		c.Direction = calls.Inbound
	}
	c.CreatedAt, c.UpdatedAt = c.StartedAt, c.StartedAt
	b := s.App.Store.NewBatch()
	calls.Put(b, nil, c)
	for _, turn := range turns {
		calls.PutTurn(b, c.OrgID, c.ID, turn)
	}
	for _, tool := range tools {
		calls.PutTool(b, c.OrgID, c.ID, tool)
	}
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	return c
}

// putVoicemail writes the voicemail left on call.
func putVoicemail(t *testing.T, s *apptest.Server, call *calls.Call, heard bool) string {
	t.Helper()
	v := &calls.Voicemail{ID: storage.NewID("vm"), OrgID: call.OrgID, CallID: call.ID, From: call.From, FlowID: call.FlowID,
		RecordingURL: "https://api.twilio.com/rec/" + call.ID, Transcript: "please call me back", DurationS: 12, Heard: heard,
		CreatedAt: call.StartedAt.Add(time.Minute)}
	b := s.App.Store.NewBatch()
	calls.PutVoicemail(b, v)
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	return v.ID
}

func listIDs(t *testing.T, s *apptest.Server, path, key string) []string {
	t.Helper()
	var out []string
	for _, r := range s.JSON("GET", path, key, nil, 200)["data"].([]any) {
		out = append(out, r.(map[string]any)["id"].(string))
	}
	return out
}

func fieldOf(t *testing.T, res map[string]any) string {
	t.Helper()
	fields, _ := res["error"].(map[string]any)["details"].(map[string]any)["fields"].(map[string]any)
	for k := range fields {
		return k
	}
	t.Fatalf("no field named in %v", res)
	return ""
}

func TestCallsListAndDetail(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	now := s.Clock.Now()
	flow := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Front desk"}, 201)["id"].(string)
	grace := s.JSON("POST", "/api/contacts", adminKey, map[string]any{"e164": "+13175550122", "name": "Grace Hopper"}, 201)["id"].(string)
	s.JSON("POST", "/api/contacts", adminKey, map[string]any{"e164": "+13175550111", "name": "Ada Lovelace"}, 201)
	c1 := putCall(t, s, &calls.Call{From: "+13175550111", To: ourNumber, StartedAt: now.Add(-time.Hour), DurationS: 120, FlowID: flow,
		Summary: &calls.Summary{Text: "Asked about a REFUND", KeyPoints: []string{"refund"}}, OutcomeLabel: "resolved",
		Outcome: []byte(`{"resolved":true}`), TurnCount: 2, ToolCount: 1},
		[]*calls.Turn{{Seq: 1, Role: "agent", Text: "Hello!", At: now.Add(-time.Hour)},
			{Seq: 2, Role: "caller", Text: "I want a refund", At: now.Add(-time.Hour).Add(5 * time.Second)}},
		[]*calls.ToolActivity{{Seq: 1, Name: "lookup_knowledge", Args: `{"q":"refund"}`, Result: "30 days", Millis: 12, At: now.Add(-time.Hour)}})
	c2 := putCall(t, s, &calls.Call{From: ourNumber, To: "+12125550199", Direction: calls.Outbound, Status: calls.StatusNoAnswer,
		StartedAt: now.Add(-26 * time.Hour), FlowID: "flow_other", FlowPath: []string{"flow_other", flow}}, nil, nil)
	c3 := putCall(t, s, &calls.Call{From: "+13175550122", To: ourNumber, Status: calls.StatusVoicemail, ContactID: grace,
		ContactName: "Grace Hopper", StartedAt: now.Add(-72 * time.Hour), DurationS: 30}, nil, nil)
	// 03:00 UTC on the 25th is still the 24th in Indianapolis.
	c5 := putCall(t, s, &calls.Call{From: "+13175550133", To: ourNumber, StartedAt: time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)}, nil, nil)
	vm3 := putVoicemail(t, s, c3, false)

	for q, want := range map[string]string{
		"":                                  "[" + strings.Join([]string{c1.ID, c5.ID, c2.ID, c3.ID}, " ") + "]",
		"q=refund":                          "[" + c1.ID + "]",
		"q=grace":                           "[" + c3.ID + "]",
		"q=" + url.QueryEscape("(212) 555"): "[" + c2.ID + "]",
		"direction=outbound":                "[" + c2.ID + "]",
		"status=voicemail":                  "[" + c3.ID + "]",
		"flow_id=" + flow:                   "[" + c1.ID + " " + c2.ID + "]",
		"from=2026-11-25&to=2026-11-25":     "[" + c1.ID + " " + c5.ID + "]",
		"from=2026-11-24T00:00:00Z&to=2026-11-24T13:00:00Z": "[" + c2.ID + "]",
		"to=2026-11-23": "[" + c3.ID + "]",
	} {
		if got := fmt.Sprint(listIDs(t, s, "/api/calls?"+q, adminKey)); got != want {
			t.Errorf("GET /api/calls?%s = %s; want %s", q, got, want)
		}
	}
	// Dates are days of the org's time zone.
	s.JSON("PATCH", "/api/org", adminKey, map[string]any{"timezone": "America/Indiana/Indianapolis"}, 200)
	if got := fmt.Sprint(listIDs(t, s, "/api/calls?from=2026-11-24&to=2026-11-24", adminKey)); got != "["+c5.ID+" "+c2.ID+"]" {
		t.Errorf("Indianapolis 2026-11-24 = %s; want c5 c2", got)
	}
	// Cursor paging.
	var paged []string
	path := "/api/calls?limit=3"
	for range 5 {
		res := s.JSON("GET", path, adminKey, nil, 200)
		for _, r := range res["data"].([]any) {
			paged = append(paged, r.(map[string]any)["id"].(string))
		}
		next, _ := res["next_cursor"].(string)
		if next == "" {
			break
		}
		path = "/api/calls?limit=3&cursor=" + url.QueryEscape(next)
	}
	if len(paged) != 4 || paged[3] != c3.ID {
		t.Errorf("paged = %v; want all four", paged)
	}
	for q, field := range map[string]string{"direction=sideways": "direction", "status=done": "status", "from=yesterday": "from",
		"to=2026-13-01": "to", "from=2026-11-25&to=2026-11-24": "to", "limit=0": "limit", "cursor=bogus": "cursor"} {
		if got := fieldOf(t, s.JSON("GET", "/api/calls?"+q, adminKey, nil, 422)); got != field {
			t.Errorf("GET /api/calls?%s names %q; want %q", q, got, field)
		}
	}

	d := s.JSON("GET", "/api/calls/"+c1.ID, adminKey, nil, 200)
	if len(d["transcript"].([]any)) != 2 || len(d["tool_activity"].([]any)) != 1 || d["voicemail"] != nil ||
		d["summary"].(map[string]any)["text"] != "Asked about a REFUND" || d["outcome_label"] != "resolved" || fmt.Sprint(d["tags"]) != "[]" {
		t.Errorf("detail c1 = %v", d)
	}
	if ct, _ := d["contact"].(map[string]any); ct == nil || ct["name"] != "Ada Lovelace" {
		t.Errorf("c1 contact = %v; want the caller's contact found by number", d["contact"])
	}
	d3 := s.JSON("GET", "/api/calls/"+c3.ID, adminKey, nil, 200)
	if v, _ := d3["voicemail"].(map[string]any); v == nil || v["id"] != vm3 || d3["contact"].(map[string]any)["id"] != grace {
		t.Errorf("detail c3 = %v; want its voicemail and contact", d3)
	}
	if d5 := s.JSON("GET", "/api/calls/"+c5.ID, adminKey, nil, 200); d5["contact"] != nil || len(d5["notes"].([]any)) != 0 {
		t.Errorf("detail c5 = %v; want no contact, no notes", d5)
	}
	s.JSON("GET", "/api/calls/call_nope", adminKey, nil, 404)

	// Org B sees none of it.
	_, keyB := provision(t, s, "Org B", "bob@example.com")
	if got := listIDs(t, s, "/api/calls", keyB); len(got) != 0 {
		t.Errorf("org B calls = %v", got)
	}
	s.JSON("GET", "/api/calls/"+c1.ID, keyB, nil, 404)
	res := s.JSON("GET", "/api/calls?limit=1", adminKey, nil, 200)
	s.JSON("GET", "/api/calls?cursor="+url.QueryEscape(res["next_cursor"].(string)), keyB, nil, 422)
}

func TestCallTagsAndNotes(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	now := s.Clock.Now()
	c := putCall(t, s, &calls.Call{From: "+13175550111", To: ourNumber, StartedAt: now.Add(-time.Hour)}, nil, nil)
	base := "/api/calls/" + c.ID
	viewer := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "v", "role": "viewer"}, 201)["key"].(string)
	operator := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "o", "role": "operator"}, 201)["key"].(string)

	// Tags: trimmed, case-insensitive per call, the first spelling kept.
	if r := s.JSON("POST", base+"/tags", operator, map[string]any{"tag": " VIP "}, 201); r["tag"] != "VIP" {
		t.Errorf("add VIP = %v", r)
	}
	if r := s.JSON("POST", base+"/tags", adminKey, map[string]any{"tag": "vip"}, 200); r["tag"] != "VIP" || fmt.Sprint(r["tags"]) != "[VIP]" {
		t.Errorf("add vip = %v; want the existing VIP", r)
	}
	s.JSON("POST", base+"/tags", operator, map[string]any{"tag": "follow up"}, 201)
	for _, body := range []any{map[string]any{"tag": ""}, map[string]any{"tag": strings.Repeat("x", 51)}, map[string]any{},
		map[string]any{"tag": "a/b"}, map[string]any{"tag": 7}, map[string]any{"tag": "x", "color": "red"}} {
		if st, raw := s.Do("POST", base+"/tags", operator, body); st != 422 {
			t.Errorf("POST tags %v = %d %s; want 422", body, st, raw)
		}
	}
	s.JSON("POST", base+"/tags", viewer, map[string]any{"tag": "nope"}, 403)
	s.JSON("POST", "/api/calls/call_nope/tags", operator, map[string]any{"tag": "x"}, 404)
	if r := s.JSON("GET", base+"/tags", viewer, nil, 200); fmt.Sprint(r["data"]) != "[VIP follow up]" {
		t.Errorf("tags = %v", r)
	}
	if st, _ := s.Do("DELETE", base+"/tags/vip", operator, nil); st != 204 {
		t.Errorf("DELETE tags/vip = %d; want 204", st)
	}
	if st, _ := s.Do("DELETE", base+"/tags/follow%20up", operator, nil); st != 204 {
		t.Errorf("DELETE tags/follow%%20up = %d; want 204", st)
	}
	s.JSON("DELETE", base+"/tags/vip", operator, nil, 404)
	s.JSON("DELETE", base+"/tags/vip", viewer, nil, 403)
	if d := s.JSON("GET", base, viewer, nil, 200); fmt.Sprint(d["tags"]) != "[]" {
		t.Errorf("tags after deletes = %v", d["tags"])
	}

	// Notes: the author is the key's user; only the author or an admin edits.
	team := s.JSON("GET", "/api/team", adminKey, nil, 200)["members"].([]any)
	adminUser := team[0].(map[string]any)["user_id"].(string)
	provision(t, s, "Org B", "carol@example.com")
	s.JSON("POST", "/api/team/invites", adminKey, map[string]any{"email": "carol@example.com", "role": "operator"}, 201)
	var carol string
	for _, m := range s.JSON("GET", "/api/team", adminKey, nil, 200)["members"].([]any) {
		if m.(map[string]any)["email"] == "carol@example.com" {
			carol = m.(map[string]any)["user_id"].(string)
		}
	}
	repo := &tenancy.Repo{Store: s.App.Store}
	ck, err := repo.CreateKey(&tenancy.Principal{OrgID: s.OrgID(), UserID: carol, Role: tenancy.Operator}, tenancy.KeyInput{Name: "carol", Role: tenancy.Operator})
	if err != nil {
		t.Fatal(err)
	}
	carolKey := ck.Key

	mine := s.JSON("POST", base+"/notes", operator, map[string]any{"body": "  Called back, left a message.  "}, 201)
	if mine["author_user_id"] != adminUser || mine["body"] != "Called back, left a message." || mine["call_id"] != c.ID {
		t.Errorf("note = %v", mine)
	}
	hers := s.JSON("POST", base+"/notes", carolKey, map[string]any{"body": "Carol's note"}, 201)
	if hers["author_user_id"] != carol {
		t.Errorf("carol's note = %v", hers)
	}
	for _, body := range []any{map[string]any{"body": ""}, map[string]any{"body": strings.Repeat("x", 5001)}, map[string]any{},
		map[string]any{"body": "x", "pinned": true}, "not json"} {
		if st, raw := s.Do("POST", base+"/notes", operator, body); st != 422 {
			t.Errorf("POST notes %.40v = %d %s; want 422", body, st, raw)
		}
	}
	s.JSON("POST", base+"/notes", viewer, map[string]any{"body": "x"}, 403)
	s.JSON("POST", "/api/calls/call_nope/notes", operator, map[string]any{"body": "x"}, 404)

	mineURL, hersURL := base+"/notes/"+mine["id"].(string), base+"/notes/"+hers["id"].(string)
	// A non-author operator may neither edit nor delete.
	if code := s.JSON("PATCH", hersURL, operator, map[string]any{"body": "hijack"}, 403)["error"].(map[string]any)["code"]; code != "insufficient_scope" {
		t.Errorf("non-author PATCH code = %v", code)
	}
	s.JSON("DELETE", hersURL, operator, nil, 403)
	s.JSON("PATCH", mineURL, carolKey, map[string]any{"body": "hijack"}, 403)
	s.JSON("PATCH", hersURL, viewer, map[string]any{"body": "x"}, 403)
	// The author may, and so may an admin.
	if p := s.JSON("PATCH", hersURL, carolKey, map[string]any{"body": "Carol, edited"}, 200); p["body"] != "Carol, edited" {
		t.Errorf("author PATCH = %v", p)
	}
	s.JSON("PATCH", hersURL, carolKey, map[string]any{"body": ""}, 422)
	if p := s.JSON("PATCH", hersURL, adminKey, map[string]any{"body": "Admin fixed a typo"}, 200); p["author_user_id"] != carol {
		t.Errorf("admin PATCH = %v; want carol still the author", p)
	}
	s.JSON("PATCH", mineURL, operator, map[string]any{"body": "Mine, edited"}, 200)
	s.JSON("PATCH", base+"/notes/note_nope", adminKey, map[string]any{"body": "x"}, 404)

	notes := s.JSON("GET", base+"/notes", viewer, nil, 200)["data"].([]any)
	if len(notes) != 2 || notes[0].(map[string]any)["body"] != "Mine, edited" || notes[1].(map[string]any)["body"] != "Admin fixed a typo" {
		t.Errorf("notes = %v; want both, oldest first", notes)
	}
	if page := s.JSON("GET", base+"/notes?limit=1", viewer, nil, 200); page["next_cursor"] == nil {
		t.Errorf("notes?limit=1 = %v; want a cursor", page)
	}
	if d := s.JSON("GET", base, viewer, nil, 200); len(d["notes"].([]any)) != 2 {
		t.Errorf("detail notes = %v", d["notes"])
	}
	if st, _ := s.Do("DELETE", hersURL, adminKey, nil); st != 204 {
		t.Errorf("admin DELETE = %d; want 204", st)
	}
	if st, _ := s.Do("DELETE", mineURL, operator, nil); st != 204 {
		t.Errorf("author DELETE = %d; want 204", st)
	}
	s.JSON("DELETE", mineURL, operator, nil, 404)
	if notes := s.JSON("GET", base+"/notes", viewer, nil, 200)["data"].([]any); len(notes) != 0 {
		t.Errorf("notes after delete = %v", notes)
	}
	s.JSON("GET", "/api/calls/call_nope/notes", viewer, nil, 404)
}

func TestVoicemailsHeard(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	now := s.Clock.Now()
	older := putCall(t, s, &calls.Call{From: "+13175550111", To: ourNumber, Status: calls.StatusVoicemail, StartedAt: now.Add(-2 * time.Hour)}, nil, nil)
	newer := putCall(t, s, &calls.Call{From: "+13175550112", To: ourNumber, Status: calls.StatusVoicemail, StartedAt: now.Add(-time.Hour)}, nil, nil)
	vmOld := putVoicemail(t, s, older, true)
	vmNew := putVoicemail(t, s, newer, false)
	viewer := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "v", "role": "viewer"}, 201)["key"].(string)

	for q, want := range map[string]string{"": "[" + vmNew + " " + vmOld + "]", "?heard=true": "[" + vmOld + "]",
		"?heard=false": "[" + vmNew + "]", "?heard=0": "[" + vmNew + "]"} {
		if got := fmt.Sprint(listIDs(t, s, "/api/voicemails"+q, viewer)); got != want {
			t.Errorf("GET /api/voicemails%s = %s; want %s", q, got, want)
		}
	}
	if f := fieldOf(t, s.JSON("GET", "/api/voicemails?heard=maybe", viewer, nil, 422)); f != "heard" {
		t.Errorf("heard=maybe names %q", f)
	}
	v := s.JSON("PATCH", "/api/voicemails/"+vmNew, adminKey, map[string]any{"heard": true}, 200)
	if v["heard"] != true || v["call_id"] != newer.ID || v["transcript"] != "please call me back" {
		t.Errorf("PATCH heard = %v", v)
	}
	s.JSON("PATCH", "/api/voicemails/"+vmOld, adminKey, map[string]any{"heard": 0}, 200)
	if got := fmt.Sprint(listIDs(t, s, "/api/voicemails?heard=false", viewer)); got != "["+vmOld+"]" {
		t.Errorf("unheard after PATCHes = %s", got)
	}
	for _, body := range []any{map[string]any{}, map[string]any{"heard": "yes"}, map[string]any{"heard": true, "x": 1}} {
		if st, raw := s.Do("PATCH", "/api/voicemails/"+vmOld, adminKey, body); st != 422 {
			t.Errorf("PATCH %v = %d %s; want 422", body, st, raw)
		}
	}
	s.JSON("PATCH", "/api/voicemails/"+vmOld, viewer, map[string]any{"heard": true}, 403)
	s.JSON("PATCH", "/api/voicemails/vm_nope", adminKey, map[string]any{"heard": true}, 404)
	if g := s.JSON("GET", "/api/voicemails/"+vmOld, viewer, nil, 200); g["heard"] != false {
		t.Errorf("GET voicemail = %v", g)
	}

	_, keyB := provision(t, s, "Org B", "bob@example.com")
	s.JSON("PATCH", "/api/voicemails/"+vmOld, keyB, map[string]any{"heard": true}, 404)
	s.JSON("GET", "/api/voicemails/"+vmOld, keyB, nil, 404)
	if got := listIDs(t, s, "/api/voicemails", keyB); len(got) != 0 {
		t.Errorf("org B voicemails = %v", got)
	}
}

func TestCallAnalyticsAndFlowMetrics(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	now := s.Clock.Now() // 2026-11-25 15:00 UTC
	flow := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Front desk"}, 201)["id"].(string)
	other := s.JSON("POST", "/api/flows", adminKey, map[string]any{"name": "Sales"}, 201)["id"].(string)
	putCall(t, s, &calls.Call{From: "+13175550111", To: ourNumber, StartedAt: now.Add(-time.Hour), DurationS: 100, FlowID: flow, OutcomeLabel: "booked"}, nil, nil)
	putCall(t, s, &calls.Call{From: ourNumber, To: "+13175550112", Direction: calls.Outbound, Status: calls.StatusNoAnswer,
		StartedAt: now.Add(-2 * time.Hour), FlowID: other}, nil, nil)
	vmCall := putCall(t, s, &calls.Call{From: "+13175550113", To: ourNumber, Status: calls.StatusVoicemail, StartedAt: now.AddDate(0, 0, -3),
		DurationS: 20, FlowID: other, FlowPath: []string{other, flow}}, nil, nil)
	putVoicemail(t, s, vmCall, false)
	putCall(t, s, &calls.Call{From: "+13175550114", To: ourNumber, StartedAt: now.AddDate(0, 0, -20), DurationS: 999, FlowID: flow}, nil, nil)
	viewer := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "v", "role": "viewer"}, 201)["key"].(string)

	// The default window is 30 days (A29): the call 20 days ago is in it.
	if d := s.JSON("GET", "/api/analytics", viewer, nil, 200); d["days"] != 30.0 || d["total_calls"] != 4.0 || len(d["by_day"].([]any)) != 30 {
		t.Errorf("default analytics = days %v, %v calls, %d days listed; want 30 days and 4 calls", d["days"], d["total_calls"], len(d["by_day"].([]any)))
	}
	a := s.JSON("GET", "/api/analytics?days=7", viewer, nil, 200)
	if a["days"] != 7.0 || a["total_calls"] != 3.0 || a["total_duration_s"] != 120.0 || a["avg_duration_s"] != 60.0 || a["voicemails"] != 1.0 ||
		a["by_direction"].(map[string]any)["outbound"] != 1.0 || a["by_status"].(map[string]any)["no_answer"] != 1.0 ||
		a["by_outcome_label"].(map[string]any)["booked"] != 1.0 || len(a["by_day"].([]any)) != 7 {
		t.Errorf("analytics = %v", a)
	}
	days := a["by_day"].([]any)
	if last := days[6].(map[string]any); last["date"] != "2026-11-25" || last["calls"] != 2.0 || last["avg_duration_s"] != 100.0 {
		t.Errorf("today = %v", last)
	}
	flows := a["by_flow"].([]any)
	if len(flows) != 2 || flows[0].(map[string]any)["calls"] != 2.0 || (flows[0].(map[string]any)["name"] != "Front desk" &&
		flows[0].(map[string]any)["name"] != "Sales") {
		t.Errorf("by_flow = %v", flows)
	}
	if month := s.JSON("GET", "/api/analytics?days=30", viewer, nil, 200); month["total_calls"] != 4.0 || len(month["by_day"].([]any)) != 30 {
		t.Errorf("days=30 = %v", month)
	}
	if one := s.JSON("GET", "/api/analytics?days=1", viewer, nil, 200); one["total_calls"] != 2.0 {
		t.Errorf("days=1 total = %v", one["total_calls"])
	}
	for _, q := range []string{"0", "366", "-1", "abc", "7.5"} {
		if f := fieldOf(t, s.JSON("GET", "/api/analytics?days="+q, viewer, nil, 422)); f != "days" {
			t.Errorf("days=%s names %q", q, f)
		}
	}

	m := s.JSON("GET", "/api/flows/"+flow+"/metrics?days=7", viewer, nil, 200)
	if m["flow_id"] != flow || m["total_calls"] != 2.0 || m["voicemails"] != 1.0 || m["avg_duration_s"] != 60.0 {
		t.Errorf("flow metrics = %v; want its own call and the one switched to it", m)
	}
	if m := s.JSON("GET", "/api/flows/"+flow+"/metrics?days=30", viewer, nil, 200); m["total_calls"] != 3.0 {
		t.Errorf("flow metrics days=30 = %v", m["total_calls"])
	}
	s.JSON("GET", "/api/flows/"+flow+"/metrics?days=0", viewer, nil, 422)
	s.JSON("GET", "/api/flows/flow_nope/metrics", viewer, nil, 404)

	_, keyB := provision(t, s, "Org B", "bob@example.com")
	s.JSON("GET", "/api/flows/"+flow+"/metrics", keyB, nil, 404)
	if b := s.JSON("GET", "/api/analytics", keyB, nil, 200); b["total_calls"] != 0.0 || len(b["by_flow"].([]any)) != 0 {
		t.Errorf("org B analytics = %v", b)
	}
}

// matrixCall makes the org-A call, note and voicemail TestOtherOrgGets404
// probes with.
func matrixCall(t *testing.T, s *apptest.Server) (callID, noteID, vmID string) {
	t.Helper()
	c := putCall(t, s, &calls.Call{From: contact, To: ourNumber, Status: calls.StatusVoicemail, StartedAt: s.Clock.Now().Add(-time.Hour),
		ContactID: sms.ContactID(s.OrgID(), contact), Tags: []string{"t"}}, nil, nil)
	vmID = putVoicemail(t, s, c, false)
	noteID = s.JSON("POST", "/api/calls/"+c.ID+"/notes", adminKey, map[string]any{"body": "org A only"}, 201)["id"].(string)
	return c.ID, noteID, vmID
}
