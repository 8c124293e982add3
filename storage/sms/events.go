package sms

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/humd/humd/storage"
)

// Event types of the SMS platform (SPEC 1.13).
const (
	EvSMSReceived    = "sms.received"
	EvSMSSent        = "sms.sent"
	EvSMSDelivered   = "sms.delivered"
	EvSMSFailed      = "sms.failed"
	EvOptOut         = "sms.opt_out"
	EvOptIn          = "sms.opt_in"
	EvConvStarted    = "conversation.started"
	EvConvAssigned   = "conversation.assigned"
	EvConvClosed     = "conversation.closed"
	EvConvReopened   = "conversation.reopened"
	EvCampaignFinish = "campaign.completed"
)

// AppendEvent adds an event to the org's log inside b, so it commits (or
// not) together with the change it reports. The sequence number is taken
// now; a batch that is then discarded leaves a gap, never a duplicate.
func AppendEvent(s storage.Store, b *storage.Batch, org, typ string, at time.Time, data any) (*Event, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("sms: encode %s event: %w", typ, err)
	}
	seq, err := s.Sequence(KeyEventSeq(org))
	if err != nil {
		return nil, err
	}
	ev := &Event{ID: storage.NewID("evt"), Seq: seq, Type: typ, OrgID: org, CreatedAt: at.UTC(), Data: raw}
	b.SetJSON(KeyEvent(org, seq), ev)
	return ev, nil
}

// ListEvents pages the org's event log oldest first, optionally by type.
func ListEvents(s storage.Store, org, typ string, page storage.PageRequest) ([]*Event, string, error) {
	return storage.ListPage(s, PrefixEvents(org), page, func(_, v []byte) (*Event, bool, error) {
		var ev Event
		if err := json.Unmarshal(v, &ev); err != nil {
			return nil, false, err
		}
		return &ev, typ == "" || ev.Type == typ, nil
	})
}
