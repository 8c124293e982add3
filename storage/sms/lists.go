package sms

import (
	"strings"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/phone"
)

// ListEntry blocks or opts out a number: the input of POST /api/blocklist
// and POST /api/sms/opt-outs, which transport decodes into it.
type ListEntry struct {
	E164   string `json:"e164"`
	Reason string `json:"reason,omitempty" jsonschema:"minLength=0,maxLength=500"`
}

// Check validates the entry with the wire's field names.
func (in ListEntry) Check() error {
	v := &storage.ValidationError{}
	phone.Check(v, "e164", in.E164)
	if len([]rune(in.Reason)) > 500 {
		v.Add("reason", "must be at most 500 characters")
	}
	return v.Err()
}

// AddBlock blocks a number for the org; 409 when it already is.
func AddBlock(s storage.Store, org string, req ListEntry, now time.Time) (*Block, error) {
	if err := req.Check(); err != nil {
		return nil, err
	}
	defer lockNumber("block|" + org + "|" + req.E164)()
	if ok, err := s.Has(KeyBlock(org, req.E164)); err != nil {
		return nil, err
	} else if ok {
		return nil, storage.Conflict("already_blocked", "this number is already on the blocklist")
	}
	bl := &Block{OrgID: org, E164: req.E164, Reason: req.Reason, CreatedAt: now}
	b := s.NewBatch()
	b.SetJSON(KeyBlock(org, req.E164), bl)
	return bl, b.Commit(storage.Sync)
}

// RemoveBlock unblocks a number; ErrNotFound when it was not blocked.
func RemoveBlock(s storage.Store, org, e164 string) error {
	defer lockNumber("block|" + org + "|" + e164)()
	if ok, err := s.Has(KeyBlock(org, e164)); err != nil {
		return err
	} else if !ok {
		return storage.ErrNotFound
	}
	b := s.NewBatch()
	b.Delete(KeyBlock(org, e164))
	return b.Commit(storage.Sync)
}

// ListBlocks pages the blocklist.
func ListBlocks(s storage.Store, org string, page storage.PageRequest) ([]*Block, string, error) {
	return storage.ListPage(s, PrefixBlocks(org), page, func(_, v []byte) (*Block, bool, error) {
		b, err := decode[Block](v)
		return b, err == nil, err
	})
}

// AddOptOut records an API opt-out and fires sms.opt_out in the same batch.
// Re-adding changes nothing and answers created=false (HTTP 200).
func AddOptOut(s storage.Store, org string, req ListEntry, source string, now time.Time) (o *OptOut, created bool, err error) {
	if err := req.Check(); err != nil {
		return nil, false, err
	}
	return RecordOptOut(s, &OptOut{OrgID: org, E164: req.E164, Source: source, Reason: req.Reason, CreatedAt: now}, nil)
}

// RemoveOptOut lifts an opt-out and fires sms.opt_in; ErrNotFound when the
// number was not opted out.
func RemoveOptOut(s storage.Store, org, e164, source string, now time.Time) error {
	defer lockNumber("optout|" + org + "|" + e164)()
	if ok, err := s.Has(KeyOptOut(org, e164)); err != nil {
		return err
	} else if !ok {
		return storage.ErrNotFound
	}
	b := s.NewBatch()
	defer b.Discard()
	b.Delete(KeyOptOut(org, e164))
	if _, err := events.Append(s, b, org, events.OptIn, now, map[string]any{"e164": e164, "source": source}); err != nil {
		return err
	}
	return b.Commit(storage.Sync)
}

// ListOptOuts pages the org's opt-outs; q filters by digits of the number.
func ListOptOuts(s storage.Store, org, q string, page storage.PageRequest) ([]*OptOut, string, error) {
	digits := onlyDigits(q)
	return storage.ListPage(s, PrefixOptOuts(org), page, func(_, v []byte) (*OptOut, bool, error) {
		o, err := decode[OptOut](v)
		if err != nil {
			return nil, false, err
		}
		return o, digits == "" || strings.Contains(o.E164, digits), nil
	})
}
