package sms

import (
	"errors"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
)

// Opt-out sources besides the keyword (OptOut.Source).
const (
	OptOutSourceKeyword = "keyword"
	OptOutSourceAPI     = "api"
	// OptOutSourceCall is a request to stop made on a call and recorded by
	// the agent's opt_out tool.
	OptOutSourceCall = "call"
)

// OptOutSuspect marks a contact whose text looked like a request to stop in
// other words. While it stands, automated texts (the AI, campaigns, trigger
// flows) to the contact are held on every number of the org; a person ends
// it by opting the contact out or by resuming the AI on one of their
// threads, and the contact by opting out (STOP) or, once opted out, back in
// (START).
type OptOutSuspect struct {
	OrgID          string    `json:"org_id"`
	E164           string    `json:"e164"`
	ConversationID string    `json:"conversation_id"`
	MessageID      string    `json:"message_id"`
	NumberID       string    `json:"twilio_number_id"`
	CreatedAt      time.Time `json:"created_at"`
}

func KeyOptOutSuspect(org, e164 string) []byte { return storage.Key("optout-suspect", org, e164) }

// IsOptOutSuspected reports whether a suspected opt-out of e164 waits for a
// person.
func IsOptOutSuspected(s storage.Store, org, e164 string) (bool, error) {
	return s.Has(KeyOptOutSuspect(org, e164))
}

// RecordOptOut opts o.E164 out of the org's texts and calls unless it
// already is, firing sms.opt_out with o's source plus extra, and ends a
// suspected opt-out in the same batch. It answers the record in force and
// whether this call created it.
func RecordOptOut(s storage.Store, o *OptOut, extra map[string]any) (*OptOut, bool, error) {
	defer lockNumber("optout|" + o.OrgID + "|" + o.E164)()
	var old OptOut
	switch err := storage.GetJSON(s, KeyOptOut(o.OrgID, o.E164), &old); {
	case err == nil:
		return &old, false, nil
	case !errors.Is(err, storage.ErrNotFound):
		return nil, false, err
	}
	b := s.NewBatch()
	defer b.Discard()
	b.SetJSON(KeyOptOut(o.OrgID, o.E164), o)
	b.Delete(KeyOptOutSuspect(o.OrgID, o.E164))
	data := map[string]any{"e164": o.E164, "source": o.Source}
	for k, v := range extra {
		data[k] = v
	}
	if _, err := events.Append(s, b, o.OrgID, events.OptOut, o.CreatedAt, data); err != nil {
		return nil, false, err
	}
	return o, true, b.Commit(storage.Sync)
}
