package calls_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/storagetest"
)

func open(t testing.TB) storage.Store {
	return storagetest.OpenMem(t)
}

var t0 = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

// put writes a new call the way the call actor does.
func put(t testing.TB, s storage.Store, c *calls.Call) *calls.Call {
	t.Helper()
	if c.OrgID == "" {
		c.OrgID = "org1"
	}
	if c.Direction == "" {
		c.Direction = calls.Inbound
	}
	if c.Status == "" {
		c.Status = calls.StatusCompleted
	}
	c.CreatedAt, c.UpdatedAt = c.StartedAt, c.StartedAt
	b := s.NewBatch()
	calls.Put(b, nil, c)
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	return c
}

func ids(cs []*calls.Call) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return strings.Join(out, " ")
}

func TestListFiltersNewestFirst(t *testing.T) {
	s := open(t)
	put(t, s, &calls.Call{ID: "c1", From: "+13175550101", To: "+15005550006", StartedAt: t0.Add(-72 * time.Hour), FlowID: "flow_a",
		ContactName: "Ada Lovelace"})
	put(t, s, &calls.Call{ID: "c2", From: "+13175550102", To: "+15005550006", StartedAt: t0.Add(-48 * time.Hour), FlowID: "flow_a",
		FlowPath: []string{"flow_a", "flow_b"}, Status: calls.StatusVoicemail, Summary: &calls.Summary{Text: "Wants a REFUND for order 12"}})
	put(t, s, &calls.Call{ID: "c3", From: "+15005550006", To: "+12125550199", Direction: calls.Outbound, StartedAt: t0.Add(-24 * time.Hour),
		FlowID: "flow_c", Status: calls.StatusNoAnswer})
	put(t, s, &calls.Call{ID: "c4", From: "+13175550101", To: "+15005550006", StartedAt: t0})
	put(t, s, &calls.Call{ID: "x1", OrgID: "org2", From: "+13175550101", To: "+15005550006", StartedAt: t0})

	names := func(org, e164 string) string {
		return map[string]string{"org1/+13175550102": "Grace Hopper", "org1/+12125550199": "Alan Turing",
			"org1/+15005550006": "Front desk"}[org+"/"+e164]
	}
	for _, tc := range []struct {
		name string
		f    calls.Filter
		want string
	}{
		{"all", calls.Filter{}, "c4 c3 c2 c1"},
		{"number", calls.Filter{Q: "+13175550101"}, "c4 c1"},
		{"digits", calls.Filter{Q: "(212) 555"}, "c3"},
		{"name", calls.Filter{Q: "LOVELACE"}, "c1"},
		{"summary", calls.Filter{Q: "refund"}, "c2"},
		{"nothing", calls.Filter{Q: "nobody"}, ""},
		{"direction", calls.Filter{Direction: calls.Outbound}, "c3"},
		{"status", calls.Filter{Status: calls.StatusVoicemail}, "c2"},
		{"flow", calls.Filter{FlowID: "flow_a"}, "c2 c1"},
		{"flow path", calls.Filter{FlowID: "flow_b"}, "c2"},
		{"from", calls.Filter{From: t0.Add(-48 * time.Hour)}, "c4 c3 c2"},
		{"to exclusive", calls.Filter{To: t0.Add(-24 * time.Hour)}, "c2 c1"},
		{"window", calls.Filter{From: t0.Add(-60 * time.Hour), To: t0.Add(-time.Hour)}, "c3 c2"},
		{"combined", calls.Filter{Q: "3175550101", Direction: calls.Inbound, From: t0.Add(-time.Hour)}, "c4"},
		// The contact's current name, by the other party's number: the
		// caller of c2, the callee of c3 (not its caller id, ours).
		{"current name", calls.Filter{Q: "hopper", Name: names}, "c2"},
		{"current name outbound", calls.Filter{Q: "turing", Name: names}, "c3"},
		{"our number has no name", calls.Filter{Q: "front desk", Name: names}, ""},
	} {
		got, next, err := calls.List(s, "org1", tc.f, storage.PageRequest{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if ids(got) != tc.want || next != "" {
			t.Errorf("%s: List = %q next %q; want %q and no cursor", tc.name, ids(got), next, tc.want)
		}
	}
	if got, _, _ := calls.List(s, "org1", calls.Filter{}, storage.PageRequest{}); got[0].Tags == nil {
		t.Errorf("Tags = nil; want [] so the API answers a list")
	}
}

func TestListPagesWithCursor(t *testing.T) {
	s := open(t)
	var want []string
	for i := range 7 {
		dir := calls.Inbound
		if i%2 == 1 {
			dir = calls.Outbound
		}
		c := put(t, s, &calls.Call{ID: fmt.Sprintf("c%d", i), Direction: dir, StartedAt: t0.Add(time.Duration(i) * time.Minute)})
		if dir == calls.Inbound {
			want = append([]string{c.ID}, want...)
		}
	}
	// Pages of two over a filter, with a To bound that the cursor must not undo.
	var got []string
	req := storage.PageRequest{Limit: 2}
	f := calls.Filter{Direction: calls.Inbound, To: t0.Add(5 * time.Minute)}
	for pages := 0; ; pages++ {
		page, next, err := calls.List(s, "org1", f, req)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 2 || pages > 5 {
			t.Fatalf("page %d = %d items", pages, len(page))
		}
		got = append(got, ids(page))
		if next == "" {
			break
		}
		req.Cursor = next
	}
	if g, w := strings.Join(strings.Fields(strings.Join(got, " ")), " "), "c4 c2 c0"; g != w {
		t.Errorf("paged = %q; want %q", g, w)
	}
	// A cursor of another org's list is refused.
	_, next, _ := calls.List(s, "org1", calls.Filter{}, storage.PageRequest{Limit: 1})
	if _, _, err := calls.List(s, "org2", calls.Filter{}, storage.PageRequest{Cursor: next}); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("foreign cursor: %v; want ErrInvalid", err)
	}
	if _, _, err := calls.List(s, "org1", calls.Filter{}, storage.PageRequest{Cursor: "!!"}); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("garbage cursor: %v; want ErrInvalid", err)
	}
}

func TestTagsAreCaseInsensitivePerCall(t *testing.T) {
	s := open(t)
	put(t, s, &calls.Call{ID: "c1", StartedAt: t0})
	add := func(tag string) (string, bool, error) { return calls.AddTag(s, "org1", "c1", tag, t0) }
	if got, added, err := add("  VIP "); err != nil || got != "VIP" || !added {
		t.Fatalf("AddTag(VIP) = %q %v %v", got, added, err)
	}
	if got, added, err := add("vip"); err != nil || got != "VIP" || added {
		t.Errorf("AddTag(vip) = %q %v %v; want the existing VIP, not added", got, added, err)
	}
	if _, _, err := add("billing"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "   ", strings.Repeat("x", 51), "a/b", "tab\there"} {
		if _, _, err := add(bad); !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("AddTag(%q) = %v; want ErrInvalid", bad, err)
		}
	}
	if _, _, err := add(strings.Repeat("é", 50)); err != nil {
		t.Errorf("50 runes: %v; want ok", err)
	}
	if tags, _ := calls.Tags(s, "org1", "c1"); fmt.Sprint(tags) != "[VIP billing "+strings.Repeat("é", 50)+"]" {
		t.Errorf("Tags = %v", tags)
	}
	if err := calls.RemoveTag(s, "org1", "c1", "Vip", t0); err != nil {
		t.Fatal(err)
	}
	if err := calls.RemoveTag(s, "org1", "c1", "vip", t0); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("removing an absent tag = %v; want ErrNotFound", err)
	}
	if _, _, err := calls.AddTag(s, "org2", "c1", "x", t0); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("tagging another org's call = %v; want ErrNotFound", err)
	}
	if tags, _ := calls.Tags(s, "org1", "c1"); len(tags) != 2 || tags[0] != "billing" {
		t.Errorf("Tags = %v; want billing and the long one", tags)
	}
}

func note(body string) calls.NoteInput { return calls.NoteInput{Body: &body} }

func TestNotesOnlyAuthorOrAdminEdits(t *testing.T) {
	s := open(t)
	put(t, s, &calls.Call{ID: "c1", StartedAt: t0})
	n, err := calls.CreateNote(s, "org1", "c1", "user_ann", note("  called back  "), t0)
	if err != nil || n.Body != "called back" || n.AuthorUserID != "user_ann" {
		t.Fatalf("CreateNote = %+v %v", n, err)
	}
	for _, bad := range []calls.NoteInput{note(""), note("   "), {}, note(strings.Repeat("x", calls.MaxNoteLen+1))} {
		if _, err := calls.CreateNote(s, "org1", "c1", "user_ann", bad, t0); !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("CreateNote(%.40v) = %v; want ErrInvalid", bad.Body, err)
		}
	}
	if _, err := calls.CreateNote(s, "org1", "c1", "u", note(strings.Repeat("x", calls.MaxNoteLen)), t0); err != nil {
		t.Errorf("a 5000-character note: %v", err)
	}
	if _, err := calls.CreateNote(s, "org1", "nope", "user_ann", calls.NoteInput{}, t0); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("note on an unknown call = %v; want ErrNotFound whatever the input", err)
	}
	edit := note("edited")
	bob, admin, ann := calls.Author{UserID: "user_bob"}, calls.Author{UserID: "user_cat", Admin: true}, calls.Author{UserID: "user_ann"}
	if _, err := calls.PatchNote(s, "org1", "c1", n.ID, bob, edit, t0); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("PatchNote by another operator = %v; want ErrForbidden", err)
	}
	if _, err := calls.PatchNote(s, "org1", "c1", n.ID, calls.Author{}, edit, t0); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("PatchNote by no user = %v; want ErrForbidden", err)
	}
	if err := calls.DeleteNote(s, "org1", "c1", n.ID, bob); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("DeleteNote by another operator = %v; want ErrForbidden", err)
	}
	later := t0.Add(time.Minute)
	if got, err := calls.PatchNote(s, "org1", "c1", n.ID, ann, edit, later); err != nil || got.Body != "edited" || !got.UpdatedAt.Equal(later) {
		t.Errorf("PatchNote by author = %+v %v", got, err)
	}
	if got, err := calls.PatchNote(s, "org1", "c1", n.ID, admin, note("by admin"), later); err != nil || got.AuthorUserID != "user_ann" {
		t.Errorf("PatchNote by admin = %+v %v; want the author kept", got, err)
	}
	if _, err := calls.PatchNote(s, "org2", "c1", n.ID, admin, edit, later); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("PatchNote from another org = %v; want ErrNotFound", err)
	}
	notes, next, err := calls.ListNotes(s, "org1", "c1", storage.PageRequest{Limit: 1})
	if err != nil || len(notes) != 1 || notes[0].ID != n.ID || next == "" {
		t.Errorf("ListNotes first page = %v %q %v; want the oldest note and a cursor", notes, next, err)
	}
	if err := calls.DeleteNote(s, "org1", "c1", n.ID, admin); err != nil {
		t.Fatal(err)
	}
	if all, _ := calls.Notes(s, "org1", "c1"); len(all) != 1 {
		t.Errorf("after delete %d notes; want 1", len(all))
	}
	if _, _, err := calls.ListNotes(s, "org1", "nope", storage.PageRequest{}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("ListNotes of an unknown call = %v; want ErrNotFound", err)
	}
}

func TestVoicemailsHeardFilter(t *testing.T) {
	s := open(t)
	var vms []*calls.Voicemail
	for i := range 5 {
		c := put(t, s, &calls.Call{ID: fmt.Sprintf("c%d", i), StartedAt: t0.Add(time.Duration(i) * time.Minute), Status: calls.StatusVoicemail})
		v := &calls.Voicemail{ID: storage.NewID("vm"), OrgID: "org1", CallID: c.ID, From: c.From, Heard: i%2 == 0, CreatedAt: c.StartedAt}
		b := s.NewBatch()
		calls.PutVoicemail(b, v)
		if err := b.Commit(storage.Sync); err != nil {
			t.Fatal(err)
		}
		vms = append(vms, v)
	}
	list := func(heard *bool, limit int) string {
		var out []string
		req := storage.PageRequest{Limit: limit}
		for {
			page, next, err := calls.ListVoicemails(s, "org1", heard, req)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range page {
				out = append(out, v.CallID)
			}
			if next == "" {
				return strings.Join(out, " ")
			}
			req.Cursor = next
		}
	}
	yes, no := true, false
	for _, tc := range []struct {
		heard *bool
		want  string
	}{{nil, "c4 c3 c2 c1 c0"}, {&yes, "c4 c2 c0"}, {&no, "c3 c1"}} {
		for _, limit := range []int{0, 1, 2} {
			if got := list(tc.heard, limit); got != tc.want {
				t.Errorf("ListVoicemails(heard=%v, limit %d) = %q; want %q", tc.heard, limit, got, tc.want)
			}
		}
	}
	v, err := calls.SetHeard(s, "org1", vms[1].ID, true)
	if err != nil || !v.Heard {
		t.Fatalf("SetHeard = %+v %v", v, err)
	}
	if got := list(&no, 0); got != "c3" {
		t.Errorf("unheard after SetHeard = %q; want c3", got)
	}
	if _, err := calls.SetHeard(s, "org2", vms[1].ID, true); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("SetHeard from another org = %v; want ErrNotFound", err)
	}
	if of, err := calls.VoicemailOf(s, "org1", "c1"); err != nil || of.ID != vms[1].ID || !of.Heard {
		t.Errorf("VoicemailOf(c1) = %+v %v", of, err)
	}
}

func TestAnalyticsWindows(t *testing.T) {
	s := open(t)
	indy, err := time.LoadLocation("America/Indiana/Indianapolis")
	if err != nil {
		t.Skip(err)
	}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, indy) // 15:00 UTC
	at := func(days int, clock string) time.Time {
		h, _ := time.Parse("15:04", clock)
		d := now.AddDate(0, 0, -days)
		return time.Date(d.Year(), d.Month(), d.Day(), h.Hour(), h.Minute(), 0, 0, indy)
	}
	put(t, s, &calls.Call{ID: "today1", StartedAt: at(0, "08:00"), DurationS: 60, FlowID: "flow_a", OutcomeLabel: "booked"})
	put(t, s, &calls.Call{ID: "today2", StartedAt: at(0, "00:30"), DurationS: 0, FlowID: "flow_a", Status: calls.StatusNoAnswer,
		Direction: calls.Outbound})
	// 23:30 local yesterday is already today in UTC: it belongs to yesterday.
	put(t, s, &calls.Call{ID: "late", StartedAt: at(1, "23:30"), DurationS: 30, FlowID: "flow_b", FlowPath: []string{"flow_b", "flow_a"},
		OutcomeLabel: "booked"})
	put(t, s, &calls.Call{ID: "vm", StartedAt: at(6, "09:00"), DurationS: 45, Status: calls.StatusVoicemail})
	put(t, s, &calls.Call{ID: "old", StartedAt: at(7, "09:00"), DurationS: 500, FlowID: "flow_a"})
	put(t, s, &calls.Call{ID: "other", OrgID: "org2", StartedAt: at(0, "09:00"), DurationS: 999})
	b := s.NewBatch()
	calls.PutVoicemail(b, &calls.Voicemail{ID: storage.NewID("vm"), OrgID: "org1", CallID: "vm", CreatedAt: at(6, "09:01")})
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}

	day1, err := calls.Analytics(s, "org1", 1, now)
	if err != nil {
		t.Fatal(err)
	}
	if day1.TotalCalls != 2 || day1.AvgDurationS != 60 || day1.Connected != 1 || len(day1.ByDay) != 1 || day1.ByDay[0].Date != "2026-11-25" ||
		day1.ByDirection["outbound"] != 1 || day1.ByStatus[calls.StatusNoAnswer] != 1 || day1.ByStatus[calls.StatusBusy] != 0 {
		t.Errorf("days=1: %+v", day1)
	}
	if !day1.From.Equal(time.Date(2026, 11, 25, 5, 0, 0, 0, time.UTC)) {
		t.Errorf("days=1 from %v; want local midnight (05:00 UTC)", day1.From)
	}
	week, err := calls.Analytics(s, "org1", 7, now)
	if err != nil {
		t.Fatal(err)
	}
	if week.TotalCalls != 4 || week.TotalDurationS != 135 || week.AvgDurationS != 45 || week.Voicemails != 1 ||
		week.ByOutcomeLabel["booked"] != 2 || week.ByDirection["inbound"] != 3 {
		t.Errorf("days=7: %+v", week)
	}
	days := map[string]int{}
	for _, d := range week.ByDay {
		days[d.Date] = d.Calls
	}
	if len(week.ByDay) != 7 || week.ByDay[0].Date != "2026-11-19" || days["2026-11-24"] != 1 || days["2026-11-25"] != 2 || days["2026-11-19"] != 1 {
		t.Errorf("by_day = %v", days)
	}
	if len(week.ByFlow) != 2 || week.ByFlow[0].FlowID != "flow_a" || week.ByFlow[0].Calls != 3 || week.ByFlow[0].AvgDurationS != 45 {
		t.Errorf("by_flow[0] = %+v; want flow_a with 3 calls (one by a switch), avg 45", week.ByFlow[0])
	}
	eight, _ := calls.Analytics(s, "org1", 8, now)
	if eight.TotalCalls != 5 {
		t.Errorf("days=8 total = %d; want 5", eight.TotalCalls)
	}
	fm, err := calls.FlowMetrics(s, "org1", "flow_a", 7, now)
	if err != nil || fm.TotalCalls != 3 || fm.FlowID != "flow_a" || fm.Voicemails != 0 {
		t.Errorf("FlowMetrics(flow_a) = %+v %v; want 3 calls", fm, err)
	}
	if fb, _ := calls.FlowMetrics(s, "org1", "flow_b", 7, now); fb.TotalCalls != 1 || fb.AvgDurationS != 30 {
		t.Errorf("FlowMetrics(flow_b) = %+v", fb)
	}
	for _, bad := range []int{0, -1, 366} {
		if _, err := calls.Analytics(s, "org1", bad, now); !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("Analytics(days=%d) = %v; want ErrInvalid", bad, err)
		}
	}
	if empty, _ := calls.Analytics(s, "org3", 7, now); empty.TotalCalls != 0 || empty.AvgDurationS != 0 || len(empty.ByFlow) != 0 {
		t.Errorf("empty org = %+v", empty)
	}
}
