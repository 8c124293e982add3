package sidstatus_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/humd/humd/actors/actortest"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
)

const earlyContact = "+15551230042"

// sendOne sends a text on a new thread and answers its message.
func sendOne(t *testing.T, w *actortest.World, n *sms.Number) *sms.Message {
	t.Helper()
	msg := &conversation.Open{InitialMessage: &conversation.Send{Body: "hello", Author: sms.Author{Type: "user"}, Source: sms.SourceManual}}
	res, err := actortest.Await[*conversation.Opened](w.Threads.Request(w.OrgID, n.ID, earlyContact, msg, actortest.AskTimeout), msg)
	if err != nil || res.Send == nil || res.Send.Message == nil {
		t.Fatalf("send: %v %+v", err, res)
	}
	return res.Send.Message
}

func waitStatus(t *testing.T, w *actortest.World, m *sms.Message, want string) *sms.Message {
	t.Helper()
	var got *sms.Message
	actortest.WaitFor(t, 10*time.Second, func() error {
		var err error
		if got, err = sms.GetMessage(w.Store, w.OrgID, m.ConversationID, m.Seq); err != nil {
			return err
		}
		if got.Status != want {
			return fmt.Errorf("message status %q; want %q", got.Status, want)
		}
		return nil
	})
	return got
}

func earlyKeys(t *testing.T, w *actortest.World) int {
	t.Helper()
	n := 0
	if err := w.Store.Scan(storage.Prefix("sid-early"), storage.ScanOptions{}, func(_, _ []byte) (bool, error) {
		n++
		return true, nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// A delivery callback that reaches humd before the carrier's answer to the
// send is kept by the early-status actor and applied by the thread once it
// knows the SID: the text ends delivered, one sms.delivered event, nothing
// kept behind.
func TestStatusBeforeTheCarriersAnswerIsApplied(t *testing.T) {
	w := actortest.NewWorld(t, actortest.Options{})
	n := w.AddNumber("+15005550006", 10)
	kept := make(chan error, 1)
	w.Carrier.BeforeAnswer = func(sid string) { kept <- w.ApplyStatus(sid, sms.MsgDelivered, 0) }
	m := sendOne(t, w, n)
	select {
	case err := <-kept:
		if err != nil {
			t.Fatalf("early callback: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the carrier never sent")
	}
	got := waitStatus(t, w, m, sms.MsgDelivered)
	if got.DeliveredAt == nil || got.ProviderMessageID == "" {
		t.Fatalf("delivered message %+v", got)
	}
	actortest.WaitFor(t, 10*time.Second, func() error {
		if k := earlyKeys(t, w); k != 0 {
			return fmt.Errorf("%d early statuses kept after the apply", k)
		}
		return nil
	})
	delivered := 0
	for _, e := range w.Events() {
		if e.Type == events.SMSDelivered {
			delivered++
		}
	}
	if delivered != 1 {
		t.Fatalf("%d sms.delivered events; want 1", delivered)
	}
}

// A crash after the thread stored the SID but before the kept status
// reached it leaves the record behind; the next start hands it over.
func TestKeptStatusSurvivesACrash(t *testing.T) {
	w := actortest.NewWorld(t, actortest.Options{})
	n := w.AddNumber("+15005550006", 10)
	m := sendOne(t, w, n)
	var sid string
	actortest.WaitFor(t, 10*time.Second, func() error {
		got, err := sms.GetMessage(w.Store, w.OrgID, m.ConversationID, m.Seq)
		if err != nil {
			return err
		}
		if sid = got.ProviderMessageID; sid == "" {
			return errors.New("no SID yet")
		}
		return nil
	})
	// What the early-status actor had kept when the process died.
	b := w.Store.NewBatch()
	b.SetJSON(storage.Key("sid-early", sid), map[string]any{"status": sms.MsgDelivered, "error_code": 0})
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	w.Restart()
	waitStatus(t, w, m, sms.MsgDelivered)
	actortest.WaitFor(t, 10*time.Second, func() error {
		if k := earlyKeys(t, w); k != 0 {
			return fmt.Errorf("%d early statuses kept after the restart", k)
		}
		return nil
	})
}
