package app_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	callactor "github.com/humd/humd/actors/call"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/transport/relay/relayclient"
)

// completedOnce checks the event log holds exactly one call.completed.
func completedOnce(s *apptest.Server) error {
	if n := strings.Count(strings.Join(s.EventTypes(), " "), "call.completed"); n != 1 {
		return fmt.Errorf("call.completed fired %d times", n)
	}
	return nil
}

// TestVoicemailEndsTheCall: a voicemail is the end of its call even when
// Twilio posts no final status: the recording callback closes the call
// (ended_at, call.completed, the CRM's call.sync). A final status that comes
// later only brings Twilio's duration; nothing fires twice.
func TestVoicemailEndsTheCall(t *testing.T) {
	s, _ := startCRMVoice(t, "")
	answerWithVoiceFlow(t, s, ourNumber, map[string]any{"business_hours_json": saturdaysOnly})
	f := newCallCRM(t)
	addCRMConnector(t, s, f, false)
	vc, err := relayclient.PlaceInbound(context.Background(), relayclient.InboundOptions{HumdURL: s.URL, PublicURL: s.PublicURL,
		AuthToken: s.App.SandboxToken, From: contact, To: ourNumber, CallSid: "CA00000000000000000000000000000e01"})
	if err != nil || vc.TwiML.Kind != relayclient.KindRecord {
		t.Fatalf("voicemail call = %+v, %v", vc, err)
	}
	if vc.TwiML.Record["maxLength"] != "120" {
		t.Errorf("record = %v; want maxLength 120", vc.TwiML.Record)
	}
	u, _ := url.Parse(vc.TwiML.Record["action"])
	id := u.Query().Get("call_id")
	s.Clock.Advance(30 * time.Second) // the greeting, the beep and a short message
	form := url.Values{"CallSid": {vc.SID}, "RecordingUrl": {"https://api.twilio.com/rec/RE7"}, "RecordingDuration": {"9"}}
	for range 2 { // Twilio retries the callback
		if st, body := s.PostTwilio(u.Path+"?"+u.RawQuery, s.App.SandboxToken, form, ""); st != 200 {
			t.Fatalf("recording callback = %d %s", st, body)
		}
	}
	cl := storedCall(t, s, id)
	if cl.Status != calls.StatusVoicemail || cl.EndedAt == nil || cl.EndReason != "voicemail" || cl.DurationS != 30 {
		t.Errorf("call after the voicemail = %+v", cl)
	}
	if err := completedOnce(s); err != nil {
		t.Error(err)
	}
	got := waitCallSyncs(t, s, f, 1)
	if synced, _ := got[0].body["call"].(map[string]any); synced["id"] != id || synced["status"] != "voicemail" {
		t.Errorf("synced = %v", synced)
	}

	if st, _ := s.PostTwilio("/twilio/voice/status", s.App.SandboxToken, url.Values{"CallSid": {vc.SID}, "CallStatus": {"completed"},
		"CallDuration": {"31"}}, ""); st != 200 {
		t.Fatal("status callback failed")
	}
	s.Holds("one call.completed after the late status", func() error { return completedOnce(s) })
	if late := storedCall(t, s, id); late.Status != calls.StatusVoicemail || late.DurationS != 31 || !late.EndedAt.Equal(*cl.EndedAt) {
		t.Errorf("call after the late status = %+v", late)
	}
	waitCallSyncs(t, s, f, 1)
}

// TestClosedCallEndsWithoutStatus: a call answered only with the after-hours
// message (no voicemail), and a voicemail call whose caller hung up before
// the beep, are closed on the clock when Twilio posts no final status, once.
func TestClosedCallEndsWithoutStatus(t *testing.T) {
	s, _ := startCRMVoice(t, "")
	const vmNumber = "+15005550007"
	answerWithVoiceFlow(t, s, ourNumber, map[string]any{"business_hours_json": saturdaysOnly, "voicemail_enabled": false})
	answerWithVoiceFlow(t, s, vmNumber, map[string]any{"business_hours_json": saturdaysOnly})
	f := newCallCRM(t)
	addCRMConnector(t, s, f, false)
	place := func(to, sid string) (*relayclient.Call, string) {
		t.Helper()
		c, err := relayclient.PlaceInbound(context.Background(), relayclient.InboundOptions{HumdURL: s.URL, PublicURL: s.PublicURL,
			AuthToken: s.App.SandboxToken, From: contact, To: to, CallSid: sid})
		if err != nil {
			t.Fatal(err)
		}
		cl, err := calls.BySID(s.App.Store, sid)
		if err != nil {
			t.Fatal(err)
		}
		return c, cl.ID
	}
	closed, closedID := place(ourNumber, "CA00000000000000000000000000000e02")
	if closed.TwiML.Kind != relayclient.KindSay {
		t.Fatalf("twiml = %+v", closed.TwiML)
	}
	_, vmID := place(vmNumber, "CA00000000000000000000000000000e03")
	s.Clock.Advance(59 * time.Second)
	s.Holds("nothing closes before the grace", func() error {
		if ev := strings.Join(s.EventTypes(), " "); strings.Contains(ev, "call.completed") {
			return fmt.Errorf("events = %s", ev)
		}
		return nil
	})
	s.WaitFor("both calls closed", func() error {
		s.Clock.Advance(20 * time.Second) // past the idle passivation too: the actor must stay for its timer
		for _, id := range []string{closedID, vmID} {
			if cl := storedCall(t, s, id); cl.EndedAt == nil {
				return fmt.Errorf("%s still open: %s", id, cl.Status)
			}
		}
		return nil
	})
	if cl := storedCall(t, s, closedID); cl.Status != calls.StatusCompleted || cl.EndReason != "after_hours" || cl.Route != "closed" {
		t.Errorf("closed call = %+v", cl)
	}
	if cl := storedCall(t, s, vmID); cl.Status != calls.StatusCompleted || cl.EndReason != "no_message" || cl.Route != "voicemail" {
		t.Errorf("voicemail call without a message = %+v", cl)
	}
	waitCallSyncs(t, s, f, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := closed.Status(ctx, "completed", url.Values{"CallDuration": {"8"}}); err != nil {
		t.Fatal(err)
	}
	s.Holds("one call.completed per call", func() error {
		if n := strings.Count(strings.Join(s.EventTypes(), " "), "call.completed"); n != 2 {
			return fmt.Errorf("call.completed fired %d times", n)
		}
		return nil
	})
}

// TestOpenCallsCloseAfterRestart: calls still open when humd stops (one
// answered only with the after-hours message, one on the agent with its
// relay socket) are closed by the humd started on the same data when Twilio
// posts no final status, each once, after the same grace as before.
func TestOpenCallsCloseAfterRestart(t *testing.T) {
	dir := t.TempDir()
	s, _ := startCRMVoice(t, dir)
	const agentNumber = "+15005550007"
	answerWithVoiceFlow(t, s, ourNumber, map[string]any{"business_hours_json": saturdaysOnly, "voicemail_enabled": false})
	answerWithVoiceFlow(t, s, agentNumber, nil)
	place := func(to, sid string) string {
		t.Helper()
		c, err := relayclient.PlaceInbound(context.Background(), relayclient.InboundOptions{HumdURL: s.URL, PublicURL: s.PublicURL,
			AuthToken: s.App.SandboxToken, From: contact, To: to, CallSid: sid})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if c.Conn != nil {
				c.Conn.Close()
			}
		})
		return callactor.IDForSID(sid)
	}
	closedID := place(ourNumber, "CA00000000000000000000000000000e11")
	agentID := place(agentNumber, "CA00000000000000000000000000000e12")
	s.WaitFor("the agent call answered", func() error {
		if c := storedCall(t, s, agentID); c.AnsweredAt == nil {
			return fmt.Errorf("agent call %s", c.Status)
		}
		return nil
	})
	org := s.OrgID()
	s.Stop()

	s2, _ := startCRMVoice(t, dir)
	get := func(id string) *calls.Call {
		c, err := calls.Get(s2.App.Store, org, id)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	s2.Clock.Advance(59 * time.Second)
	s2.Holds("nothing closes before the grace", func() error {
		for _, id := range []string{closedID, agentID} {
			if c := get(id); c.EndedAt != nil {
				return fmt.Errorf("%s closed early: %s", id, c.EndReason)
			}
		}
		return nil
	})
	s2.WaitFor("both calls closed", func() error {
		s2.Clock.Advance(30 * time.Second)
		for _, id := range []string{closedID, agentID} {
			if c := get(id); c.EndedAt == nil {
				return fmt.Errorf("%s still open: %s", id, c.Status)
			}
		}
		return nil
	})
	if c := get(closedID); c.Status != calls.StatusCompleted || c.EndReason != "after_hours" {
		t.Errorf("closed call = %s %s", c.Status, c.EndReason)
	}
	if c := get(agentID); c.Status != calls.StatusCompleted || c.EndReason != "relay_closed" {
		t.Errorf("agent call = %s %s", c.Status, c.EndReason)
	}
	s2.Holds("one call.completed per call", func() error {
		evs, _, err := events.List(s2.App.Store, org, calls.EvCallCompleted, storage.PageRequest{Limit: 10})
		if err != nil || len(evs) != 2 {
			return fmt.Errorf("call.completed fired %d times (%v)", len(evs), err)
		}
		return nil
	})
	if ids, err := calls.OpenCalls(s2.App.Store); err != nil || len(ids) != 0 {
		t.Errorf("open calls after both closed = %v, %v", ids, err)
	}
}

// TestRestartKeepsTransfersAndAddsOldCalls: after a restart a transferred
// call (the caller may still be talking to a person) closes only at Twilio's
// time limit, and an open call saved before the call-open index existed is
// found once and closed like the others.
func TestRestartKeepsTransfersAndAddsOldCalls(t *testing.T) {
	dir := t.TempDir()
	s := apptest.Start(t, apptest.Options{Dir: dir})
	org, now := s.OrgID(), s.Clock.Now()
	open := func(c *calls.Call) string {
		c.From, c.To, c.StartedAt, c.Status = contact, ourNumber, now, calls.StatusInProgress
		putCall(t, s, c, nil, nil)
		b := s.App.Store.NewBatch()
		b.Set(calls.KeyCallOrg(c.ID), []byte(org))
		if err := b.Commit(storage.Sync); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	transferred := open(&calls.Call{Route: "connect", AnsweredAt: &now, Transfer: &calls.Transfer{Label: "Front desk", E164: "+13175550150", At: now}})
	old := open(&calls.Call{Route: "closed"})
	b := s.App.Store.NewBatch() // as stored before the index existed
	b.Delete(calls.KeyOpen(org, old))
	b.Delete(calls.KeyOpenReady())
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	s.Stop()

	s2 := apptest.Start(t, apptest.Options{Dir: dir})
	get := func(id string) *calls.Call {
		c, err := calls.Get(s2.App.Store, org, id)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	s2.WaitFor("the old call closed", func() error {
		s2.Clock.Advance(time.Minute)
		if c := get(old); c.EndedAt == nil {
			return fmt.Errorf("old call still open: %s", c.Status)
		}
		return nil
	})
	if c := get(old); c.EndReason != "no_status" {
		t.Errorf("old call = %s %s; want closed for want of a status", c.Status, c.EndReason)
	}
	s2.Clock.Advance(3 * time.Hour)
	s2.Holds("the transferred call stays open", func() error {
		if c := get(transferred); c.EndedAt != nil {
			return fmt.Errorf("transferred call closed after %s: %s", c.EndedAt.Sub(now), c.EndReason)
		}
		return nil
	})
	s2.WaitFor("the transferred call closed at the time limit", func() error {
		s2.Clock.Advance(10 * time.Minute)
		if c := get(transferred); c.EndedAt == nil {
			return fmt.Errorf("transferred call still open")
		}
		return nil
	})
	if c := get(transferred); c.EndReason != "transfer" {
		t.Errorf("transferred call ended %q; want transfer", c.EndReason)
	}
}
