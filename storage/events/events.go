package events

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/humd/humd/storage"
)

// Event types of the SMS platform, campaigns and webhooks (SPEC 1.13). Call
// and MCP event types live with their records (storage/calls,
// storage/mcptools); every type goes through Append.
const (
	SMSReceived    = "sms.received"
	SMSSent        = "sms.sent"
	SMSDelivered   = "sms.delivered"
	SMSFailed      = "sms.failed"
	OptOut         = "sms.opt_out"
	OptIn          = "sms.opt_in"
	ConvStarted    = "conversation.started"
	ConvAssigned   = "conversation.assigned"
	ConvClosed     = "conversation.closed"
	ConvReopened   = "conversation.reopened"
	CampaignFinish = "campaign.completed"
	// WebhookDisabled tells the org that one of its endpoints was switched
	// off (410, or failing for 3 days): the log and the other endpoints are
	// how admins hear of it.
	WebhookDisabled = "webhook.disabled"
	// OptOutSuspected tells a person that a text read like a request to
	// stop without being a keyword (the FCC's 2025 revocation rule): the AI
	// and campaigns hold off the contact until someone decides.
	OptOutSuspected = "sms.opt_out_suspected"
)

// Event is one entry of an org's durable event log (SPEC 1.13).
type Event struct {
	ID        string          `json:"id"`
	Seq       uint64          `json:"seq"`
	Type      string          `json:"type"`
	OrgID     string          `json:"org_id"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// Append adds an event to the org's log inside b, so it commits (or
// not) together with the change it reports. The sequence number is taken
// now; a batch that is then discarded leaves a gap, never a duplicate. data
// may be already encoded: a json.RawMessage, or Fields (members encoded
// into the event in place).
func Append(s storage.Store, b *storage.Batch, org, typ string, at time.Time, data any) (*Event, error) {
	fields, isFields := data.(Fields)
	raw, isRaw := data.(json.RawMessage)
	if !isFields && !isRaw {
		var err error
		if raw, err = storage.EncodeJSON(data); err != nil {
			return nil, fmt.Errorf("events: encode %s event: %w", typ, err)
		}
	}
	seq, err := s.Sequence(KeySeq(org))
	if err != nil {
		return nil, err
	}
	ev := &Event{ID: storage.NewID("evt"), Seq: seq, Type: typ, OrgID: org, CreatedAt: at.UTC(), Data: raw}
	b.OnCommit(counted(typ))
	watchCommit(s, b, org, typ)
	if isFields {
		// One buffer holds the event, and Data points into it.
		buf := make([]byte, 0, fields.size()+192)
		buf = ev.appendHead(buf)
		start := len(buf)
		buf = fields.appendTo(buf)
		ev.Data = buf[start:len(buf):len(buf)]
		b.Set(Key(org, seq), append(buf, '}'))
		return ev, nil
	}
	b.Set(Key(org, seq), ev.appendJSON(make([]byte, 0, len(raw)+192)))
	return ev, nil
}

// appendJSON encodes the event as json.Marshal would, without the encoder's
// pass over Data (it validates and compacts a RawMessage byte by byte, and
// the sms.received event embeds three records).
func (e *Event) appendJSON(buf []byte) []byte {
	buf = e.appendHead(buf)
	if len(e.Data) == 0 {
		buf = append(buf, "null"...)
	} else {
		buf = append(buf, e.Data...)
	}
	return append(buf, '}')
}

// appendHead encodes every member before data's value.
func (e *Event) appendHead(buf []byte) []byte {
	buf = append(buf, `{"id":`...)
	buf = appendString(buf, e.ID)
	buf = append(buf, `,"seq":`...)
	buf = strconv.AppendUint(buf, e.Seq, 10)
	buf = append(buf, `,"type":`...)
	buf = appendString(buf, e.Type)
	buf = append(buf, `,"org_id":`...)
	buf = appendString(buf, e.OrgID)
	buf = append(buf, `,"created_at":"`...)
	buf = e.CreatedAt.AppendFormat(buf, time.RFC3339Nano)
	return append(buf, `","data":`...)
}

// appendString quotes s as JSON; ids and event types need no escaping, and
// anything else goes through the encoder.
func appendString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := storage.EncodeJSON(s)
			return append(buf, q...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}

// Field is one member of Fields.
type Field struct {
	Name  string
	Value json.RawMessage
}

// Fields is event data made of members already encoded, for events that
// embed records the same batch has just encoded. Names are plain keys.
type Fields []Field

func (f Fields) size() int {
	n := 2
	for _, x := range f {
		n += len(x.Name) + len(x.Value) + 4
	}
	return n
}

func (f Fields) appendTo(buf []byte) []byte {
	buf = append(buf, '{')
	for i, x := range f {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendString(buf, x.Name)
		buf = append(buf, ':')
		buf = append(buf, x.Value...)
	}
	return append(buf, '}')
}

// List pages the org's event log oldest first, optionally by type.
func List(s storage.Store, org, typ string, page storage.PageRequest) ([]*Event, string, error) {
	return storage.ListPage(s, Prefix(org), page, func(_, v []byte) (*Event, bool, error) {
		var ev Event
		if err := storage.DecodeJSON(v, &ev); err != nil {
			return nil, false, err
		}
		return &ev, typ == "" || ev.Type == typ, nil
	})
}
