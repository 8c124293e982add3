package scheduler_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/actors/actortest"
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/actors/scheduler"
	"github.com/humd/humd/storage/sms"
)

const contact = "+13175550100"

// thread starts a thread on a fresh number and answers the World and it.
func thread(t *testing.T) (*actortest.World, *sms.Number) {
	w := actortest.NewWorld(t, actortest.Options{})
	n := w.AddNumber("+15005550006", 100)
	if _, err := w.Inbound("SM00000000000000000000000000005001", contact, n.E164, "hi"); err != nil {
		t.Fatal(err)
	}
	return w, n
}

func schedule(t *testing.T, w *actortest.World, n *sms.Number, at time.Time, body string) {
	t.Helper()
	msg := &conversation.Send{Body: body, SendAt: &at, Author: sms.Author{Type: "api"}, Source: sms.SourceManual}
	res := actortest.Must[*conversation.SendResult](t, w.Threads.Request(w.OrgID, n.ID, contact, msg, actortest.AskTimeout), msg)
	if res.Status != sms.MsgScheduled {
		t.Fatalf("send at %v = %s; want scheduled", at, res.Status)
	}
}

func sentBodies(w *actortest.World) []string {
	var out []string
	for _, s := range w.Carrier.Sent() {
		out = append(out, s.Body)
	}
	return out
}

// With nobody asking, the scheduler wakes at every minute boundary and
// hands what fell due to its thread: a text due at 15:02:30 goes out on the
// 15:03 tick, not before.
func TestDueSendsGoOutOnTheMinuteTick(t *testing.T) {
	w, n := thread(t)
	schedule(t, w, n, actortest.Start.Add(2*time.Minute+30*time.Second), "later")
	for range 2 { // the 15:01 and 15:02 ticks: nothing due
		w.Clock.Advance(time.Minute)
		barrier(t, w)
	}
	w.Clock.Advance(30 * time.Second) // 15:02:30: due, but no tick until 15:03
	actortest.Holds(t, 100*time.Millisecond, func() error {
		if got := sentBodies(w); len(got) != 0 {
			return fmt.Errorf("sent %v before the minute tick", got)
		}
		return nil
	})
	w.Clock.Advance(30 * time.Second)
	actortest.WaitFor(t, 5*time.Second, func() error {
		if got := sentBodies(w); len(got) != 1 || got[0] != "later" {
			return fmt.Errorf("sent %v; want the due text once", got)
		}
		return nil
	})
}

// barrier returns once the scheduler has handled every message before it,
// the minute tick the clock just fired among them (which reads the clock
// when it is handled, and arms the next from there). The Tick it asks
// drains too: callers use it only where nothing is due.
func barrier(t *testing.T, w *actortest.World) {
	t.Helper()
	actortest.Must[*scheduler.Drained](t, w.Actors.Request(scheduler.Ref, &scheduler.Tick{}, actortest.AskTimeout), &scheduler.Tick{})
}

// Due work lives in Pebble: a text that fell due while humd was down goes
// out as the restarted scheduler starts, before any tick.
func TestStartDrainsWhatFellDueWhileDown(t *testing.T) {
	w, n := thread(t)
	schedule(t, w, n, actortest.Start.Add(time.Hour), "while you were out")
	w.Stop()
	w.Clock.Set(actortest.Start.Add(3 * time.Hour)) // the clock of the next start
	w.Restart()
	actortest.WaitFor(t, 5*time.Second, func() error {
		if got := sentBodies(w); len(got) != 1 || got[0] != "while you were out" {
			return fmt.Errorf("sent %v after the start; want the text that fell due", got)
		}
		return nil
	})
}

// An expired snooze wakes its thread: the snooze is cleared and the thread
// is unread again.
func TestSnoozeWakesTheThread(t *testing.T) {
	w, n := thread(t)
	read := &conversation.Read{}
	actortest.Must[*sms.Conversation](t, w.Threads.Request(w.OrgID, n.ID, contact, read, actortest.AskTimeout), read)
	until := actortest.Start.Add(90 * time.Second)
	snooze := &conversation.Patch{SetSnooze: true, SnoozedUntil: &until}
	actortest.Must[*sms.Conversation](t, w.Threads.Request(w.OrgID, n.ID, contact, snooze, actortest.AskTimeout), snooze)
	w.Clock.Advance(time.Minute) // 15:01: still snoozed
	barrier(t, w)
	w.Clock.Advance(time.Minute) // the 15:02 tick wakes it
	actortest.WaitFor(t, 5*time.Second, func() error {
		c, err := sms.ConversationByPair(w.Store, w.OrgID, n.ID, contact)
		if err != nil {
			return err
		}
		if c.SnoozedUntil != nil || c.UnreadCount != 1 {
			return fmt.Errorf("thread snoozed_until=%v unread=%d; want awake and unread", c.SnoozedUntil, c.UnreadCount)
		}
		return nil
	})
}

// A Tick asked as a request is answered once the drain has handed out
// everything due (tests and the harness step the clock with it).
func TestTickAnswersDrained(t *testing.T) {
	w, n := thread(t)
	schedule(t, w, n, actortest.Start.Add(30*time.Second), "soon")
	w.Clock.Advance(30 * time.Second) // due, between ticks
	actortest.Must[*scheduler.Drained](t, w.Actors.Request(scheduler.Ref, &scheduler.Tick{}, actortest.AskTimeout), &scheduler.Tick{})
	actortest.WaitFor(t, 5*time.Second, func() error {
		if got := sentBodies(w); len(got) != 1 {
			return fmt.Errorf("sent %v; want the due text", got)
		}
		return nil
	})
}

// Hourly runs at the first tick of every hour, not at start, off the
// mailbox; an hour with many ticks runs it once.
func TestHourlyOncePerHour(t *testing.T) {
	var mu sync.Mutex
	var runs []time.Time
	w := actortest.NewWorld(t, actortest.Options{Now: time.Date(2026, 11, 25, 15, 58, 0, 0, time.UTC), Hourly: func(now time.Time) {
		mu.Lock()
		runs = append(runs, now)
		mu.Unlock()
	}})
	got := func() []time.Time {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Time(nil), runs...)
	}
	barrier(t, w) // started at 15:58: armed for 15:59
	w.Clock.Advance(time.Minute)
	barrier(t, w)
	actortest.Holds(t, 100*time.Millisecond, func() error {
		if r := got(); len(r) != 0 {
			return fmt.Errorf("Hourly ran at %v; want not before 16:00", r)
		}
		return nil
	})
	for range 5 { // 16:00 ... 16:04
		w.Clock.Advance(time.Minute)
		barrier(t, w)
	}
	actortest.WaitFor(t, 5*time.Second, func() error {
		r := got()
		if len(r) != 1 || !r[0].Equal(time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)) {
			return fmt.Errorf("Hourly ran at %v; want once, at 16:00", r)
		}
		return nil
	})
}
