package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/sender"
)

// DefaultNumber is the sandbox's own number: Twilio's magic "valid" test
// From number, so copied examples also work against Twilio test credentials.
const DefaultNumber = "+15005550006"

// StatusUpdate is a status callback the sandbox plays for one of its sends.
type StatusUpdate struct {
	MessageSID string
	MessageID  string
	Status     string
	ErrorCode  int
	At         time.Time
}

// Config configures the sandbox carrier. Zero values get defaults.
type Config struct {
	Clock clock.Clock
	// OnStatus receives the played callbacks; the app routes them down the
	// same path a signed /twilio/sms/status reaches.
	OnStatus func(StatusUpdate)
	// Numbers are the sandbox's own numbers (default DefaultNumber).
	Numbers []string
	// SentAfter and DeliveredAfter time the played statuses (200ms, 1s).
	SentAfter      time.Duration
	DeliveredAfter time.Duration
	// Keep bounds the in-memory record of sends (default 10,000).
	Keep   int
	Logger *slog.Logger
}

// Record is one send the sandbox took.
type Record struct {
	// OrgID is the sending org; only that org sees the record (SentBy).
	OrgID     string    `json:"-"`
	SID       string    `json:"sid"`
	MessageID string    `json:"message_id"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Body      string    `json:"body"`
	MediaURLs []string  `json:"media_urls"`
	At        time.Time `json:"at"`
	Status    string    `json:"status"`
	ErrorCode int       `json:"error_code,omitempty"`
}

// Carrier is the built-in stand-in for Twilio: it accepts sends, records
// them, and plays the carrier's status callbacks on the injected clock.
type Carrier struct {
	cfg      Config
	mu       sync.Mutex
	sent     []Record
	calls    []PlacedCall
	failNext []int
}

// New builds a sandbox carrier.
func New(cfg Config) *Carrier {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	// Buy and Release change the list: never the caller's backing array.
	cfg.Numbers = slices.Clone(cfg.Numbers)
	if len(cfg.Numbers) == 0 {
		cfg.Numbers = []string{DefaultNumber}
	}
	if cfg.SentAfter == 0 {
		cfg.SentAfter = 200 * time.Millisecond
	}
	if cfg.DeliveredAfter == 0 {
		cfg.DeliveredAfter = time.Second
	}
	if cfg.Keep == 0 {
		cfg.Keep = 10000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Carrier{cfg: cfg}
}

// magic are Twilio's magic test To numbers and the errors Twilio answers for them.
var magic = map[string]*sender.Error{
	"+15005550001": {Code: 21211, Status: 400, Message: "The 'To' number is not a valid phone number."},
	"+15005550002": {Code: 21612, Status: 400, Message: "The 'To' phone number is not currently reachable via SMS."},
	"+15005550003": {Code: 21408, Status: 400, Message: "Permission to send an SMS has not been enabled for the region."},
	"+15005550004": {Code: 21610, Status: 400, Message: "Attempt to send to unsubscribed recipient."},
	"+15005550009": {Code: 21614, Status: 400, Message: "'To' number is not a valid mobile number."},
}

// Numbers lists the sandbox's numbers (Buy adds to them, Release removes).
func (c *Carrier) Numbers() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.cfg.Numbers...)
}

// FailNext makes the next accepted send end as failed with code (played as
// a status callback, like a real carrier failure after acceptance).
func (c *Carrier) FailNext(code int) {
	c.mu.Lock()
	c.failNext = append(c.failNext, code)
	c.mu.Unlock()
}

// Sent answers the recorded sends, oldest first.
func (c *Carrier) Sent() []Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Record(nil), c.sent...)
}

// SentBy answers the org's recorded sends, oldest first, at most the last
// n. Other orgs' sends never show: one sandbox serves every org of a
// self-hosted humd.
func (c *Carrier) SentBy(org string, n int) []Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	return lastOf(c.sent, n, func(r *Record) bool { return r.OrgID == org })
}

// lastOf answers the last n items that keep, oldest first, never nil.
func lastOf[T any](all []T, n int, keep func(*T) bool) []T {
	out := []T{}
	for i := len(all) - 1; i >= 0 && len(out) < n; i-- {
		if keep(&all[i]) {
			out = append(out, all[i])
		}
	}
	slices.Reverse(out)
	return out
}

// Send implements sender.Carrier.
func (c *Carrier) Send(_ context.Context, m *sender.Outbound) (*sender.Accepted, error) {
	if e, ok := magic[m.To]; ok {
		return nil, e
	}
	sid := newSID("SM")
	now := c.cfg.Clock.Now().UTC()
	c.mu.Lock()
	fail := 0
	if len(c.failNext) > 0 {
		fail, c.failNext = c.failNext[0], c.failNext[1:]
	}
	c.sent = append(c.sent, Record{OrgID: m.OrgID, SID: sid, MessageID: m.MessageID, From: m.From, To: m.To, Body: m.Body,
		MediaURLs: m.MediaURLs, At: now, Status: "queued"})
	if over := len(c.sent) - c.cfg.Keep; over > 0 {
		c.sent = append(c.sent[:0:0], c.sent[over:]...)
	}
	c.mu.Unlock()
	c.play(sid, m.MessageID, "sent", 0, c.cfg.SentAfter)
	if fail != 0 {
		c.play(sid, m.MessageID, "failed", fail, c.cfg.DeliveredAfter)
	} else {
		c.play(sid, m.MessageID, "delivered", 0, c.cfg.DeliveredAfter)
	}
	return &sender.Accepted{SID: sid, Status: "queued", NumSegments: sender.Segments(m.Body)}, nil
}

// play delivers one status callback after d on the clock, off the caller's
// goroutine (a callback may need the very actor that is sending).
func (c *Carrier) play(sid, msgID, status string, code int, d time.Duration) {
	c.cfg.Clock.AfterFunc(d, func() {
		c.mu.Lock()
		for i := range c.sent {
			if c.sent[i].SID == sid {
				c.sent[i].Status, c.sent[i].ErrorCode = status, code
			}
		}
		c.mu.Unlock()
		if c.cfg.OnStatus != nil {
			at := c.cfg.Clock.Now()
			go c.cfg.OnStatus(StatusUpdate{MessageSID: sid, MessageID: msgID, Status: status, ErrorCode: code, At: at})
		}
	})
}

// newSID makes a Twilio-shaped SID: a two-letter prefix and 32 hex digits.
func newSID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
