package call_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/actors/actortest"
	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/flows"
)

// TestTranscriptSurvivesCallEndingMidStream: the turn loop's transcript lines
// are applied without waiting for their fsync, so a token never queues behind
// the disk. What keeps them is order: the call's end is acknowledged only with
// a Sync commit, which is durable after everything applied before it. A power
// cut right after Twilio's final status was acknowledged, while the model was
// still streaming its second answer, must leave every line (the interrupted
// one with what was streamed) in order, and the call completed. Both ways a
// call ends mid-stream: the status first, or the socket closing first.
func TestTranscriptSurvivesCallEndingMidStream(t *testing.T) {
	for _, socketFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("socket_closes_first=%v", socketFirst), func(t *testing.T) {
			w := actortest.NewWorld(t, actortest.Options{Crashable: true})
			n := w.AddNumber(ourNumber, 100)
			f, err := w.Flows.Create(w.OrgID, flows.Input{Name: storage.Some("Front"), Channel: storage.Some("voice"), TriggerType: storage.Some("call"),
				Greeting: storage.Some("Hi!")})
			if err != nil {
				t.Fatal(err)
			}
			n.FlowID = &f.ID
			w.PutNumber(n)
			sid := "CA00000000000000000000000000000077"
			id := call.IDForSID(sid)
			ask := func(msg any) any {
				t.Helper()
				res, err := actortest.Await[any](w.Calls.Request(id, msg, actortest.AskTimeout), msg)
				if err != nil {
					t.Fatalf("%T: %v", msg, err)
				}
				return res
			}
			ask(&call.Ring{CallSID: sid, AccountSID: "ACtest", From: caller, To: ourNumber, Status: "ringing"})
			relay := &actortest.Relay{}
			ask(&call.Attach{Out: relay, SessionID: "VX1"})
			waitFrame := func(want string) {
				t.Helper()
				actortest.WaitFor(t, 5*time.Second, func() error {
					if !slices.Contains(relay.Frames(), want) {
						return fmt.Errorf("relay frames %q; want %q", relay.Frames(), want)
					}
					return nil
				})
			}
			if err := w.Model.Script("text: Nine to five.\nhang: Let me check the"); err != nil {
				t.Fatal(err)
			}
			w.Calls.Tell(id, &call.Prompt{Text: "When are you open?", Last: true})
			waitFrame(`text "" last=true`)
			w.Calls.Tell(id, &call.Prompt{Text: "And on Saturday?", Last: true})
			waitFrame(`text "Let me check the" last=false`)
			if socketFirst {
				w.Calls.Tell(id, &call.Detach{Out: relay})
			}
			if c := ask(&call.Status{CallSID: sid, Status: "completed", DurationS: 30}).(*calls.Call); c.Status != calls.StatusCompleted {
				t.Fatalf("status answered %q; want completed", c.Status)
			}

			w.Crash() // right after the acknowledgement: only what was fsynced is left

			turns, err := calls.Turns(w.Store, w.OrgID, id)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tn := range turns {
				line := fmt.Sprintf("%d %s: %s", tn.Seq, tn.Role, tn.Text)
				if tn.Interrupted {
					line += " [interrupted]"
				}
				got = append(got, line)
			}
			want := []string{"1 agent: Hi!", "2 caller: When are you open?", "3 agent: Nine to five.", "4 caller: And on Saturday?",
				"5 agent: Let me check the [interrupted]"}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("transcript after the crash:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			c, err := calls.Get(w.Store, w.OrgID, id)
			if err != nil {
				t.Fatal(err)
			}
			if c.EndedAt == nil || c.Status != calls.StatusCompleted || c.TurnCount != 5 {
				t.Fatalf("call after the crash: status %q, ended %v, turns %d; want completed, ended, 5", c.Status, c.EndedAt, c.TurnCount)
			}
			completed := 0
			for _, ev := range w.Events() {
				if ev.Type == calls.EvCallCompleted {
					completed++
				}
			}
			if completed != 1 {
				t.Fatalf("%d call.completed events after the crash; want 1", completed)
			}
		})
	}
}
