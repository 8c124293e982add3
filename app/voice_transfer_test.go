package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/transport/llm/llmtest"
	"github.com/humd/humd/transport/relay"
	"github.com/humd/humd/transport/relay/relayclient"
)

// transferToFrontDesk has the agent transfer a new call to the front desk
// and plays Twilio's action callback; it answers the call and its id once
// Twilio was told to dial.
func transferToFrontDesk(t *testing.T, s *apptest.Server, fake *llmtest.Server) (*relayclient.Call, string) {
	t.Helper()
	c := dial(t, s, contact, "")
	id := c.TwiML.Parameters["call_id"]
	fake.ReplyToolCall("transfer_call", `{"label":"front desk"}`)
	fake.ReplyText("Transferring you now.")
	if err := c.Conn.Prompt("A person, please"); err != nil {
		t.Fatal(err)
	}
	_, frames := reply(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if len(frames) == 0 {
		f, err := c.Conn.ReadFrame(ctx)
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, f)
	}
	end, _ := frames[len(frames)-1].(*relay.EndFrame)
	if end == nil {
		t.Fatalf("frames = %#v; want an end frame", frames)
	}
	next, err := c.PostAction(ctx, end.HandoffData, nil)
	if err != nil || next.Kind != relayclient.KindDial || next.Dial != frontDesk {
		t.Fatalf("action = %+v, %v", next, err)
	}
	_ = c.Conn.Close()
	return c, id
}

// dialDone plays the <Dial action> callback with Twilio's DialCallStatus.
func dialDone(t *testing.T, s *apptest.Server, c *relayclient.Call, id, status string) *relayclient.Response {
	t.Helper()
	st, body := s.PostTwilio("/twilio/voice/dial?call_id="+id, s.App.SandboxToken, url.Values{"CallSid": {c.SID},
		"CallStatus": {"in-progress"}, "DialCallStatus": {status}}, "")
	if st != 200 {
		t.Fatalf("dial callback = %d %s", st, body)
	}
	r, err := relayclient.ParseTwiML(body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestTransferNoAnswerVoicemail: nobody answers the transfer and the flow
// has voicemail: the caller is asked for a message, which ends the call.
func TestTransferNoAnswerVoicemail(t *testing.T) {
	s, fake, _ := voiceServer(t, nil)
	c, id := transferToFrontDesk(t, s, fake)
	r := dialDone(t, s, c, id, "no-answer")
	if r.Kind != relayclient.KindRecord || len(r.Say) != 1 || r.Say[0] != "Sorry, nobody could take your call. Please leave a message after the beep." {
		t.Fatalf("twiml = %+v; want a voicemail prompt", r)
	}
	u, _ := url.Parse(r.Record["action"])
	if st, body := s.PostTwilio(u.Path+"?"+u.RawQuery, s.App.SandboxToken, url.Values{"CallSid": {c.SID},
		"RecordingUrl": {"https://api.twilio.com/rec/RE3"}, "RecordingDuration": {"6"}}, ""); st != 200 {
		t.Fatalf("recording = %d %s", st, body)
	}
	cl := storedCall(t, s, id)
	if cl.Route != "voicemail" || cl.Status != calls.StatusVoicemail || cl.EndReason != "voicemail" || cl.EndedAt == nil || cl.Transfer == nil {
		t.Errorf("call = %+v", cl)
	}
	types := strings.Join(s.EventTypes(), " ")
	for _, want := range []string{"call.transferred", "voicemail.received", "call.completed"} {
		if strings.Count(types, want) != 1 {
			t.Errorf("events %s: want one %s", types, want)
		}
	}
}

// TestTransferNoAnswerGoodbye: without voicemail the caller hears a goodbye
// and the call hangs up; with no final status it closes on the clock.
func TestTransferNoAnswerGoodbye(t *testing.T) {
	s, fake, _ := voiceServer(t, map[string]any{"voicemail_enabled": false})
	c, id := transferToFrontDesk(t, s, fake)
	r := dialDone(t, s, c, id, "no-answer")
	if r.Kind != relayclient.KindSay || !slices.Equal(r.Verbs, []string{"Say", "Hangup"}) || r.Say[0] != "Sorry, nobody could take your call. Goodbye." {
		t.Fatalf("twiml = %+v; want a goodbye, then hang up", r)
	}
	s.WaitFor("the call to close", func() error {
		s.Clock.Advance(10 * time.Second)
		if cl := storedCall(t, s, id); cl.EndedAt == nil {
			return fmt.Errorf("status %s", cl.Status)
		}
		return nil
	})
	if cl := storedCall(t, s, id); cl.EndReason != "transfer" || cl.Status != calls.StatusCompleted {
		t.Errorf("call = %s %s", cl.Status, cl.EndReason)
	}
	s.Settle("one call.completed", func() error { return completedOnce(s) })
}

// TestTransferRefusedAfterHours: the flow closed during the call, so the
// agent's transfer is refused (the model hears why) and nothing transfers.
func TestTransferRefusedAfterHours(t *testing.T) {
	// Open until 15:01 UTC on Wednesdays; the test clock starts at 15:00.
	s, fake, _ := voiceServer(t, map[string]any{"business_hours_json": map[string]any{"timezone": "UTC",
		"weekly": map[string]any{"wed": []any{[]any{"09:00", "15:01"}}}}})
	c := dial(t, s, contact, "")
	id := c.TwiML.Parameters["call_id"]
	if c.TwiML.Kind != relayclient.KindConnect {
		t.Fatalf("twiml = %+v; want the agent while open", c.TwiML)
	}
	s.WaitFor("the socket to attach", func() error {
		if st := storedCall(t, s, id).Status; st != calls.StatusInProgress {
			return fmt.Errorf("status %s", st)
		}
		return nil
	})
	s.Clock.Advance(2 * time.Minute)
	fake.ReplyToolCall("transfer_call", `{"label":"front desk"}`)
	fake.ReplyText("The front desk has closed; can I take a message?")
	if err := c.Conn.Prompt("Can I talk to the front desk?"); err != nil {
		t.Fatal(err)
	}
	if text, frames := reply(t, c); len(frames) != 0 || !strings.HasPrefix(text, "The front desk has closed") {
		t.Errorf("reply = %q, frames %#v; want no end frame", text, frames)
	}
	if in := fmt.Sprint(lastRequest(t, fake).Input); !strings.Contains(in, "after hours") {
		t.Errorf("the model was not told the transfer was refused: %s", in)
	}
	if cl := storedCall(t, s, id); cl.Transfer != nil {
		t.Errorf("transfer = %+v", cl.Transfer)
	}
	if types := strings.Join(s.EventTypes(), " "); strings.Contains(types, "call.transferred") {
		t.Errorf("events = %s", types)
	}
}

// TestVoiceAnnounceRecording: a flow that announces recording has Twilio
// say the notice before the greeting, and the transcript starts with both.
func TestVoiceAnnounceRecording(t *testing.T) {
	s, _, _ := voiceServer(t, map[string]any{"announce_recording": true})
	c := dial(t, s, contact, "")
	const want = "This call may be recorded. Hi, this is Acme."
	if c.TwiML.WelcomeGreeting != want {
		t.Errorf("welcomeGreeting = %q; want %q", c.TwiML.WelcomeGreeting, want)
	}
	id := c.TwiML.Parameters["call_id"]
	s.WaitFor("the greeting line", func() error {
		turns := transcript(t, s, id)
		if len(turns) == 0 || turns[0].Role != "agent" || turns[0].Text != want {
			return fmt.Errorf("transcript = %+v", turns)
		}
		return nil
	})
}

// TestReportedOutcomeWins: the outcome the agent reported during the call
// is kept over the summary's; the summary itself is stored. Once the call
// is over, its live stream answers call.ended alone.
// hangUpForSummary ends call id as Twilio would (the socket closes, then a
// completed status of 30 s) and waits for its post-call summary.
func hangUpForSummary(t *testing.T, s *apptest.Server, c *relayclient.Call, id string) {
	t.Helper()
	_ = c.Conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Status(ctx, "completed", url.Values{"CallDuration": {"30"}}); err != nil {
		t.Fatal(err)
	}
	s.WaitFor("the summary", func() error {
		if storedCall(t, s, id).Summary == nil {
			return fmt.Errorf("no summary yet")
		}
		return nil
	})
}

func TestReportedOutcomeWins(t *testing.T) {
	s, fake, _ := voiceServer(t, nil)
	c := dial(t, s, contact, "")
	id := c.TwiML.Parameters["call_id"]
	fake.ReplyToolCall("report_outcome", `{"outcome_label":"appointment_booked","data":{"day":"friday"}}`)
	fake.ReplyText("You're booked for Friday.")
	if err := c.Conn.Prompt("Book me for Friday"); err != nil {
		t.Fatal(err)
	}
	reply(t, c)
	fake.ReplyText(`{"summary":"The caller asked about Friday.","key_points":["friday"],"next_actions":[],` +
		`"outcome_label":"question_answered","outcome":{"topic":"hours"}}`)
	hangUpForSummary(t, s, c, id)
	cl := storedCall(t, s, id)
	var out map[string]any
	_ = json.Unmarshal(cl.Outcome, &out)
	if cl.OutcomeLabel != "appointment_booked" || out["day"] != "friday" || cl.Summary.Text != "The caller asked about Friday." {
		t.Errorf("outcome = %s %s, summary %+v", cl.OutcomeLabel, cl.Outcome, cl.Summary)
	}
	for _, ev := range s.Events() {
		if ev.Type == "call.outcome" && !strings.Contains(string(ev.Data), `"outcome_label":"appointment_booked"`) {
			t.Errorf("call.outcome = %s", ev.Data)
		}
	}

	stream := openStream(t, s, id)
	select {
	case <-stream.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the stream of an ended call did not end")
	}
	if got := stream.list(); !slices.Equal(got, []string{"call.ended"}) {
		t.Errorf("stream of an ended call = %v; want call.ended alone", got)
	}
}
