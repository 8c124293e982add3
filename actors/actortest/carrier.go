package actortest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/sender"
)

// Carrier is a fake sender.Carrier: it takes every send at once, records
// it, and plays the carrier's status callbacks on the clock as the sandbox
// carrier does (sent after SentAfter, then delivered, or failed with the
// code FailNext queued, after DeliveredAfter). OnStatus receives them on
// their own goroutine, the way a callback reaches humd from outside.
type Carrier struct {
	Clock clock.Clock
	// OnStatus receives the played callbacks; nil plays none.
	OnStatus func(sid, status string, code int)
	// BeforeAnswer, when set, runs in Send after the carrier took the text
	// and before it answers: a status callback that beats the carrier's
	// answer (Twilio does not order the two).
	BeforeAnswer func(sid string)
	// SentAfter and DeliveredAfter time the callbacks (200ms and 1s when
	// zero, the sandbox's timings).
	SentAfter, DeliveredAfter time.Duration

	mu       sync.Mutex
	sent     []Sent
	failNext []int
	refuse   map[string]*sender.Error
}

// Sent is one text the carrier took.
type Sent struct {
	SID       string
	MessageID string
	OrgID     string
	From, To  string
	Body      string
	MediaURLs []string
	At        time.Time
}

// NewCarrier answers a carrier on clk.
func NewCarrier(clk clock.Clock) *Carrier { return &Carrier{Clock: clk} }

// Send implements sender.Carrier.
func (c *Carrier) Send(_ context.Context, m *sender.Outbound) (*sender.Accepted, error) {
	c.mu.Lock()
	if e := c.refuse[m.To]; e != nil {
		c.mu.Unlock()
		return nil, e
	}
	sid := newSID("SM")
	fail := 0
	if len(c.failNext) > 0 {
		fail, c.failNext = c.failNext[0], c.failNext[1:]
	}
	c.sent = append(c.sent, Sent{SID: sid, MessageID: m.MessageID, OrgID: m.OrgID, From: m.From, To: m.To, Body: m.Body,
		MediaURLs: append([]string(nil), m.MediaURLs...), At: c.Clock.Now().UTC()})
	on, before := c.OnStatus, c.BeforeAnswer
	c.mu.Unlock()
	if before != nil {
		before(sid)
	}
	if on != nil {
		sentAfter, deliveredAfter := c.SentAfter, c.DeliveredAfter
		if sentAfter == 0 {
			sentAfter = 200 * time.Millisecond
		}
		if deliveredAfter == 0 {
			deliveredAfter = time.Second
		}
		c.play(on, sid, "sent", 0, sentAfter)
		if fail != 0 {
			c.play(on, sid, "failed", fail, deliveredAfter)
		} else {
			c.play(on, sid, "delivered", 0, deliveredAfter)
		}
	}
	return &sender.Accepted{SID: sid, Status: "queued", NumSegments: sender.Segments(m.Body)}, nil
}

// play calls on after d of the clock, off the clock's goroutine: the
// callback may need the very actor that is sending.
func (c *Carrier) play(on func(string, string, int), sid, status string, code int, d time.Duration) {
	c.Clock.AfterFunc(d, func() { go on(sid, status, code) })
}

// Sent answers the texts taken so far, oldest first.
func (c *Carrier) Sent() []Sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Sent(nil), c.sent...)
}

// FailNext makes the next accepted send end as failed with code, played as
// a status callback (a carrier failure after acceptance).
func (c *Carrier) FailNext(code int) {
	c.mu.Lock()
	c.failNext = append(c.failNext, code)
	c.mu.Unlock()
}

// Refuse makes every send to e164 fail at once with err (a carrier refusal).
func (c *Carrier) Refuse(e164 string, err *sender.Error) {
	c.mu.Lock()
	if c.refuse == nil {
		c.refuse = map[string]*sender.Error{}
	}
	c.refuse[e164] = err
	c.mu.Unlock()
}

// newSID makes a Twilio-shaped SID: a prefix and 32 random hex digits, so
// SIDs stay unique across a World's restarts as they are across a carrier's.
func newSID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
