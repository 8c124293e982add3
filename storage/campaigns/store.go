package campaigns

import (
	"encoding/json"
	"fmt"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

// Key families of this package; storage/keys.go lists them with the rest.
func KeyCampaign(org, id string) []byte { return storage.Key("camp", org, id) }
func PrefixCampaigns(org string) []byte { return storage.Prefix("camp", org) }
func KeyRecipient(org, id string, seq uint64) []byte {
	return storage.Key("camp-rcpt", org, id, storage.U64Seg(seq))
}
func PrefixRecipients(org, id string) []byte { return storage.Prefix("camp-rcpt", org, id) }
func KeyActive(org, id string) []byte        { return storage.Key("camp-active", org, id) }
func PrefixActive() []byte                   { return storage.Prefix("camp-active") }

// Get loads a campaign.
func Get(s storage.Store, org, id string) (*Campaign, error) {
	var c Campaign
	if err := storage.GetJSON(s, KeyCampaign(org, id), &c); err != nil {
		return nil, fmt.Errorf("campaigns: %s: %w", id, err)
	}
	return &c, nil
}

// Put writes c and keeps the active index in step with its status.
func Put(b *storage.Batch, c *Campaign) {
	b.SetJSON(KeyCampaign(c.OrgID, c.ID), c)
	if Active(c.Status) {
		b.Set(KeyActive(c.OrgID, c.ID), nil)
	} else {
		b.Delete(KeyActive(c.OrgID, c.ID))
	}
}

// PutRecipient writes one recipient row.
func PutRecipient(b *storage.Batch, org, id string, r *Recipient) {
	b.SetJSON(KeyRecipient(org, id, r.Seq), r)
}

// ActiveRef names a campaign to resume.
type ActiveRef struct{ OrgID, ID string }

// ListActive answers every queued or sending campaign of every org.
func ListActive(s storage.Store) ([]ActiveRef, error) {
	var out []ActiveRef
	p := PrefixActive()
	err := s.Scan(p, storage.ScanOptions{}, func(k, _ []byte) (bool, error) {
		var org, id string
		rest := string(k[len(p):])
		for i := 0; i < len(rest); i++ {
			if rest[i] == '/' {
				org, id = rest[:i], rest[i+1:]
				break
			}
		}
		if org != "" && id != "" {
			out = append(out, ActiveRef{OrgID: org, ID: id})
		}
		return true, nil
	})
	return out, err
}

// ScanRecipients visits a campaign's rows with seq > after, in order, until
// fn answers false.
func ScanRecipients(s storage.Store, org, id string, after uint64, fn func(r *Recipient) (bool, error)) error {
	opts := storage.ScanOptions{}
	if after > 0 {
		opts.After = KeyRecipient(org, id, after)
	}
	return s.Scan(PrefixRecipients(org, id), opts, func(_, v []byte) (bool, error) {
		var r Recipient
		if err := json.Unmarshal(v, &r); err != nil {
			return false, err
		}
		return fn(&r)
	})
}

// Effective answers the status a reader sees: a sent recipient shows its
// message's delivery outcome.
func Effective(s storage.Store, org string, r *Recipient) string {
	if r.Status != RSent || r.ConvID == "" {
		return r.Status
	}
	m, err := sms.GetMessage(s, org, r.ConvID, r.MsgSeq)
	if err != nil {
		return r.Status
	}
	switch m.Status {
	case sms.MsgDelivered, "read":
		return RDelivered
	case sms.MsgFailed, sms.MsgUndelivered:
		return RFailed
	case sms.MsgOptedOut:
		return ROptedOut
	}
	return RSent
}

// RecentOutcomes counts the latest n recipients before seq upTo that reached
// the provider (sent, delivered or failed), newest first: the auto-pause
// looks at this window instead of scanning a 50,000-row campaign each time.
func RecentOutcomes(s storage.Store, org, id string, upTo uint64, n int) (sent, failed int, err error) {
	opts := storage.ScanOptions{Reverse: true, After: KeyRecipient(org, id, upTo+1), Limit: 4 * n}
	err = s.Scan(PrefixRecipients(org, id), opts, func(_, v []byte) (bool, error) {
		var r Recipient
		if err := json.Unmarshal(v, &r); err != nil {
			return false, err
		}
		switch Effective(s, org, &r) {
		case RFailed:
			sent++
			failed++
		case RSent, RDelivered:
			sent++
		}
		return sent < n, nil
	})
	return sent, failed, err
}

// CountOf scans a campaign's recipients into Counts (read time; see doc.go).
func CountOf(s storage.Store, org, id string) (Counts, error) {
	var c Counts
	err := ScanRecipients(s, org, id, 0, func(r *Recipient) (bool, error) {
		c.add(Effective(s, org, r))
		return true, nil
	})
	return c, err
}

// ViewOf loads a campaign with its counts.
func ViewOf(s storage.Store, org, id string) (*View, error) {
	c, err := Get(s, org, id)
	if err != nil {
		return nil, err
	}
	counts, err := CountOf(s, org, id)
	if err != nil {
		return nil, err
	}
	return &View{Campaign: c, Counts: counts}, nil
}

// List pages the org's campaigns, newest first, with counts.
func List(s storage.Store, org string, page storage.PageRequest) ([]*View, string, error) {
	page.Reverse = true
	return storage.ListPage(s, PrefixCampaigns(org), page, func(_, v []byte) (*View, bool, error) {
		var c Campaign
		if err := json.Unmarshal(v, &c); err != nil {
			return nil, false, err
		}
		counts, err := CountOf(s, org, c.ID)
		if err != nil {
			return nil, false, err
		}
		return &View{Campaign: &c, Counts: counts}, true, nil
	})
}

// ListRecipients pages a campaign's rows in order, each with its effective
// status; status filters on it ("" for all).
func ListRecipients(s storage.Store, org, id, status string, page storage.PageRequest) ([]*Recipient, string, error) {
	if _, err := Get(s, org, id); err != nil {
		return nil, "", err
	}
	return storage.ListPage(s, PrefixRecipients(org, id), page, func(_, v []byte) (*Recipient, bool, error) {
		var r Recipient
		if err := json.Unmarshal(v, &r); err != nil {
			return nil, false, err
		}
		r.Status = Effective(s, org, &r)
		return &r, status == "" || r.Status == status, nil
	})
}
