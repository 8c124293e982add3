package app_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	callactor "github.com/humd/humd/actors/call"
	"github.com/humd/humd/actors/call/live"
	"github.com/humd/humd/actors/service/voicesvc"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/tenancy"
)

// putIndexedCall writes an ended call the way the call actor does,
// call-id index included, so the call's actor can find it by id alone.
func putIndexedCall(t *testing.T, s *apptest.Server) *calls.Call {
	t.Helper()
	start := s.Clock.Now().Add(-time.Hour)
	end := start.Add(3 * time.Minute)
	c := putCall(t, s, &calls.Call{From: "+13175550123", To: ourNumber, StartedAt: start, EndedAt: &end, DurationS: 180}, nil, nil)
	b := s.App.Store.NewBatch()
	b.Set(calls.KeyCallOrg(c.ID), []byte(c.OrgID))
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	return c
}

// actorCall asks the call's actor for the record it holds.
func actorCall(t *testing.T, s *apptest.Server, id string) *calls.Call {
	t.Helper()
	c, err := system.Await[*calls.Call](s.App.Calls.Request(id, &callactor.Get{}, 5*time.Second), &callactor.Get{})
	if err != nil {
		t.Fatalf("call actor Get: %v", err)
	}
	return c
}

// TestVoiceServiceRolesInputsAndHappyPaths drives the voice operations
// without HTTP: a viewer may read and not write, bad inputs name their wire
// field, and each resource family works.
func TestVoiceServiceRolesInputsAndHappyPaths(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	ctx, svc := context.Background(), s.App.Svc
	viewer := &tenancy.Principal{OrgID: s.OrgID(), Role: tenancy.Viewer, UserID: "user_v"}
	op := &tenancy.Principal{OrgID: s.OrgID(), Role: tenancy.Operator, UserID: "user_op"}
	c := putIndexedCall(t, s)
	vm := putVoicemail(t, s, c, false)
	tag, body, yes := "VIP", "called back", true

	// A viewer is refused every write.
	for what, err := range map[string]error{
		"AddCallTag": func() error {
			_, err := svc.AddCallTag(ctx, viewer, c.ID, voicesvc.CallTagInput{Tag: &tag})
			return err
		}(),
		"RemoveCallTag":  svc.RemoveCallTag(ctx, viewer, c.ID, tag),
		"AddCallNote":    func() error { _, err := svc.AddCallNote(ctx, viewer, c.ID, calls.NoteInput{Body: &body}); return err }(),
		"DeleteCallNote": svc.DeleteCallNote(ctx, viewer, c.ID, "note_x"),
		"UpdateVoicemail": func() error {
			_, err := svc.UpdateVoicemail(ctx, viewer, vm, voicesvc.VoicemailInput{Heard: &yes})
			return err
		}(),
		"CreateOutboundCall": func() error { _, err := svc.CreateOutboundCall(ctx, viewer, voicesvc.OutboundCallInput{}); return err }(),
	} {
		if !errors.Is(err, storage.ErrForbidden) {
			t.Errorf("%s as a viewer: %v; want ErrForbidden", what, err)
		}
	}
	if _, _, err := svc.ListCalls(ctx, nil, voicesvc.ListCallsQuery{}); !errors.Is(err, storage.ErrUnauthorized) {
		t.Errorf("ListCalls without a principal: %v; want ErrUnauthorized", err)
	}

	// Bad inputs name the wire field.
	empty, long := "", string(make([]byte, calls.MaxNoteLen+1))
	_, err := svc.AddCallTag(ctx, op, c.ID, voicesvc.CallTagInput{Tag: &empty})
	wantField(t, "AddCallTag empty", err, "tag")
	_, err = svc.AddCallTag(ctx, op, c.ID, voicesvc.CallTagInput{})
	wantField(t, "AddCallTag missing", err, "tag")
	_, err = svc.AddCallNote(ctx, op, c.ID, calls.NoteInput{Body: &long})
	wantField(t, "AddCallNote too long", err, "body")
	_, err = svc.UpdateVoicemail(ctx, op, vm, voicesvc.VoicemailInput{})
	wantField(t, "UpdateVoicemail missing", err, "heard")
	_, _, err = svc.ListCalls(ctx, viewer, voicesvc.ListCallsQuery{Direction: "sideways", From: "yesterday"})
	wantField(t, "ListCalls direction", err, "direction")
	wantField(t, "ListCalls from", err, "from")
	_, err = svc.GetAnalytics(ctx, viewer, voicesvc.AnalyticsQuery{Days: 400})
	wantField(t, "GetAnalytics", err, "days")
	_, err = svc.CreateOutboundCall(ctx, op, voicesvc.OutboundCallInput{To: "555"})
	wantField(t, "CreateOutboundCall to", err, "to")
	wantField(t, "CreateOutboundCall flow_id", err, "flow_id")
	// An unknown call is not found whatever the input.
	if _, err := svc.AddCallTag(ctx, op, "call_nope", voicesvc.CallTagInput{Tag: &empty}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("AddCallTag on an unknown call: %v; want ErrNotFound", err)
	}

	// Calls.
	if got, _, err := svc.ListCalls(ctx, viewer, voicesvc.ListCallsQuery{}); err != nil || len(got) != 1 || got[0].ID != c.ID {
		t.Errorf("ListCalls = %v, %v; want the call", got, err)
	}
	if d, err := svc.GetCall(ctx, viewer, c.ID); err != nil || d.ID != c.ID || d.Voicemail == nil || d.Voicemail.ID != vm {
		t.Errorf("GetCall = %+v, %v; want the call with its voicemail", d, err)
	}
	if _, err := svc.GetOutboundCall(ctx, viewer, c.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("GetOutboundCall of an inbound call: %v; want ErrNotFound", err)
	}
	if st, err := svc.GetAnalytics(ctx, viewer, voicesvc.AnalyticsQuery{}); err != nil || st == nil {
		t.Errorf("GetAnalytics = %v, %v", st, err)
	}
	// Tags.
	if r, err := svc.AddCallTag(ctx, op, c.ID, voicesvc.CallTagInput{Tag: &tag}); err != nil || !r.Added || r.Tag != "VIP" {
		t.Errorf("AddCallTag = %+v, %v; want VIP added", r, err)
	}
	lower := "vip"
	if r, err := svc.AddCallTag(ctx, op, c.ID, voicesvc.CallTagInput{Tag: &lower}); err != nil || r.Added || fmt.Sprint(r.Tags) != "[VIP]" {
		t.Errorf("AddCallTag(vip) = %+v, %v; want the existing VIP", r, err)
	}
	if got, _, err := svc.ListOrgCallTags(ctx, viewer, voicesvc.ListOrgCallTagsQuery{}); err != nil || len(got) != 1 || got[0].Calls != 1 {
		t.Errorf("ListOrgCallTags = %v, %v; want VIP on one call", got, err)
	}
	if err := svc.RemoveCallTag(ctx, op, c.ID, "vip"); err != nil {
		t.Errorf("RemoveCallTag: %v", err)
	}
	if err := svc.RemoveCallTag(ctx, op, c.ID, "vip"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("RemoveCallTag again: %v; want ErrNotFound", err)
	}
	// Notes: the author or an admin edits.
	n, err := svc.AddCallNote(ctx, op, c.ID, calls.NoteInput{Body: &body})
	if err != nil || n.AuthorUserID != "user_op" {
		t.Fatalf("AddCallNote = %+v, %v", n, err)
	}
	other := &tenancy.Principal{OrgID: s.OrgID(), Role: tenancy.Operator, UserID: "user_other"}
	edited := "edited"
	if _, err := svc.UpdateCallNote(ctx, other, c.ID, n.ID, calls.NoteInput{Body: &edited}); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("UpdateCallNote by another operator: %v; want ErrForbidden", err)
	}
	if got, err := svc.UpdateCallNote(ctx, op, c.ID, n.ID, calls.NoteInput{Body: &edited}); err != nil || got.Body != "edited" {
		t.Errorf("UpdateCallNote = %+v, %v", got, err)
	}
	if got, _, err := svc.ListCallNotes(ctx, viewer, c.ID, voicesvc.ListCallNotesQuery{}); err != nil || len(got) != 1 {
		t.Errorf("ListCallNotes = %v, %v", got, err)
	}
	if err := svc.DeleteCallNote(ctx, op, c.ID, n.ID); err != nil {
		t.Errorf("DeleteCallNote: %v", err)
	}
	// Voicemails.
	if v, err := svc.UpdateVoicemail(ctx, op, vm, voicesvc.VoicemailInput{Heard: &yes}); err != nil || !v.Heard {
		t.Errorf("UpdateVoicemail = %+v, %v", v, err)
	}
	no := false
	if got, _, err := svc.ListVoicemails(ctx, viewer, voicesvc.ListVoicemailsQuery{Heard: &no}); err != nil || len(got) != 0 {
		t.Errorf("unheard voicemails = %v, %v; want none", got, err)
	}
	// Agents: an id that is not one of the org's flows is seed 002's 404.
	if _, err := svc.GetAgent(ctx, viewer, "77"); !errors.Is(err, voicesvc.ErrNoAgent) || !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("GetAgent(77) = %v; want ErrNoAgent", err)
	}
	if got, _, err := svc.ListAgents(ctx, viewer, voicesvc.ListAgentsQuery{}); err != nil || len(got) != 0 {
		t.Errorf("ListAgents = %v, %v; want none", got, err)
	}
	// The stream of an ended call: a viewer who saw call.ended is done.
	st, err := svc.StreamCall(ctx, viewer, c.ID, 0, false)
	if err != nil || st.Over || st.First == nil || st.First.Type != live.Ended {
		t.Fatalf("StreamCall = %+v, %v; want call.ended first", st, err)
	}
	st.Close()
	if _, err := svc.StreamCall(ctx, viewer, "call_nope", 0, false); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("StreamCall of an unknown call: %v; want ErrNotFound", err)
	}
}

// TestCallReviewGoesThroughTheCallActor checks that tags, notes and the
// heard flag are written by the call's actor: the record the actor holds
// agrees with storage after each change, also for a call whose actor
// passivated after it ended.
func TestCallReviewGoesThroughTheCallActor(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	ctx, svc := context.Background(), s.App.Svc
	op := &tenancy.Principal{OrgID: s.OrgID(), Role: tenancy.Operator, UserID: "user_op"}
	c := putIndexedCall(t, s)
	if got := actorCall(t, s, c.ID); len(got.Tags) != 0 {
		t.Fatalf("actor's tags before = %v", got.Tags)
	}
	tag := "billing"
	if _, err := svc.AddCallTag(ctx, op, c.ID, voicesvc.CallTagInput{Tag: &tag}); err != nil {
		t.Fatal(err)
	}
	if got := actorCall(t, s, c.ID); fmt.Sprint(got.Tags) != "[billing]" {
		t.Errorf("actor's tags after AddCallTag = %v; want [billing] (the handler wrote around the actor)", got.Tags)
	}

	// The ended call's actor passivates; a change starts it again.
	s.Clock.Advance(10 * time.Minute)
	s.WaitFor("the call's actor passivated", func() error {
		if n := s.App.Calls.Live(); n != 0 {
			return fmt.Errorf("%d call actors live", n)
		}
		return nil
	})
	if err := svc.RemoveCallTag(ctx, op, c.ID, "BILLING"); err != nil {
		t.Fatalf("RemoveCallTag on a passivated call: %v", err)
	}
	if got := actorCall(t, s, c.ID); len(got.Tags) != 0 {
		t.Errorf("actor's tags after RemoveCallTag = %v; want none", got.Tags)
	}
	stored, err := calls.Get(s.App.Store, c.OrgID, c.ID)
	if err != nil || len(stored.Tags) != 0 {
		t.Errorf("stored tags = %v, %v; want none", stored, err)
	}
}

// TestTagsSurviveConcurrentWriters races tag changes with the call actor's
// own writes of the record: both go through its mailbox, so nothing is
// lost, and the per-call cap holds.
func TestTagsSurviveConcurrentWriters(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	ctx, svc := context.Background(), s.App.Svc
	op := &tenancy.Principal{OrgID: s.OrgID(), Role: tenancy.Operator, UserID: "user_op"}
	c := putIndexedCall(t, s)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			tag := fmt.Sprintf("t%d", i)
			if _, err := svc.AddCallTag(ctx, op, c.ID, voicesvc.CallTagInput{Tag: &tag}); err != nil {
				t.Error(err)
			}
		})
		// The actor rewrites the record for each recording callback.
		wg.Go(func() {
			msg := &callactor.Recording{URL: fmt.Sprintf("https://api.twilio.com/rec/%d", i), DurationS: i}
			if _, err := system.Await[*calls.Call](s.App.Calls.Request(c.ID, msg, 5*time.Second), msg); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := calls.Get(s.App.Store, c.OrgID, c.ID)
	if err != nil || len(got.Tags) != 20 || got.RecordingURL == "" {
		t.Fatalf("after racing writers: %v, %v; want 20 tags and a recording", got, err)
	}
	for i := len(got.Tags); i < calls.MaxCallTags; i++ {
		tag := fmt.Sprintf("more%d", i)
		if _, err := svc.AddCallTag(ctx, op, c.ID, voicesvc.CallTagInput{Tag: &tag}); err != nil {
			t.Fatal(err)
		}
	}
	tag := "one-too-many"
	_, err = svc.AddCallTag(ctx, op, c.ID, voicesvc.CallTagInput{Tag: &tag})
	wantField(t, fmt.Sprintf("tag %d", calls.MaxCallTags+1), err, "tag")
	if got := actorCall(t, s, c.ID); len(got.Tags) != calls.MaxCallTags || !slices.Contains(got.Tags, "t7") {
		t.Errorf("actor holds %d tags; want %d", len(got.Tags), calls.MaxCallTags)
	}
}
