package calls

import (
	"fmt"
	"strings"

	"github.com/humd/humd/storage"
)

// Get loads a call by humd id.
func Get(s storage.Store, org, id string) (*Call, error) {
	var c Call
	if err := storage.GetJSON(s, KeyCall(org, id), &c); err != nil {
		return nil, fmt.Errorf("calls: call %s: %w", id, err)
	}
	return &c, nil
}

// BySID finds a call by Twilio's CallSid (storage.ErrNotFound if unseen).
func BySID(s storage.Store, sid string) (*Call, error) {
	ref, err := s.Get(KeyCallSID(sid))
	if err != nil {
		return nil, fmt.Errorf("calls: sid %s: %w", sid, err)
	}
	org, id, ok := strings.Cut(string(ref), "/")
	if !ok {
		return nil, fmt.Errorf("calls: corrupt sid index for %s", sid)
	}
	return Get(s, org, id)
}

// Put writes a call; a new call (old == nil) also gets its SID and recency
// indexes. StartedAt never changes after creation, so neither does the
// recency key.
func Put(b *storage.Batch, old, c *Call) {
	b.SetJSON(KeyCall(c.OrgID, c.ID), c)
	switch {
	case !c.Finalized() && (old == nil || old.Finalized()):
		b.Set(KeyOpen(c.OrgID, c.ID), nil)
	case c.Finalized() && (old == nil || !old.Finalized()):
		b.Delete(KeyOpen(c.OrgID, c.ID))
	}
	if old == nil {
		if c.CallSID != "" {
			b.Set(KeyCallSID(c.CallSID), []byte(c.OrgID+"/"+c.ID))
		}
		b.Set(KeyRecent(c.OrgID, c.StartedAt, c.ID), nil)
	} else if old.CallSID == "" && c.CallSID != "" {
		b.Set(KeyCallSID(c.CallSID), []byte(c.OrgID+"/"+c.ID))
	}
}

// PutTurn writes one transcript line.
func PutTurn(b *storage.Batch, org, call string, t *Turn) { b.SetJSON(KeyTurn(org, call, t.Seq), t) }

// PutTool writes one tool activity row.
func PutTool(b *storage.Batch, org, call string, t *ToolActivity) {
	b.SetJSON(KeyTool(org, call, t.Seq), t)
}

// PutVoicemail writes a voicemail and its per-call index.
func PutVoicemail(b *storage.Batch, v *Voicemail) {
	b.SetJSON(KeyVoicemail(v.OrgID, v.ID), v)
	b.Set(KeyVoicemailCall(v.OrgID, v.CallID), []byte(v.ID))
}

// Turns answers a call's transcript, oldest first.
func Turns(s storage.Store, org, call string) ([]*Turn, error) {
	return scanAll[Turn](s, PrefixTurns(org, call))
}

// Tools answers a call's tool activity, oldest first.
func Tools(s storage.Store, org, call string) ([]*ToolActivity, error) {
	return scanAll[ToolActivity](s, PrefixTools(org, call))
}

// VoicemailOf answers the call's voicemail (storage.ErrNotFound if none).
func VoicemailOf(s storage.Store, org, call string) (*Voicemail, error) {
	id, err := s.Get(KeyVoicemailCall(org, call))
	if err != nil {
		return nil, fmt.Errorf("calls: voicemail of %s: %w", call, err)
	}
	var v Voicemail
	if err := storage.GetJSON(s, KeyVoicemail(org, string(id)), &v); err != nil {
		return nil, fmt.Errorf("calls: voicemail %s: %w", id, err)
	}
	return &v, nil
}

func scanAll[T any](s storage.Store, prefix []byte) ([]*T, error) {
	out := []*T{}
	var req storage.PageRequest
	for {
		req.Limit = storage.MaxPageLimit
		page, next, err := storage.ListPage(s, prefix, req, func(_, v []byte) (*T, bool, error) {
			var t T
			if err := storage.DecodeJSON(v, &t); err != nil {
				return nil, false, err
			}
			return &t, true, nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == "" {
			return out, nil
		}
		req.Cursor = next
	}
}

// OpenCalls answers the ids of every org's calls not finalized yet.
func OpenCalls(s storage.Store) ([]string, error) {
	var ids []string
	prefix := prefixOpen()
	err := s.Scan(prefix, storage.ScanOptions{}, func(k, _ []byte) (bool, error) {
		rest := string(k[len(prefix):]) // <org>/<call>
		if i := strings.LastIndexByte(rest, '/'); i >= 0 {
			ids = append(ids, rest[i+1:])
		}
		return true, nil
	})
	return ids, err
}

// BackfillOpen adds the calls saved before the call-open index existed to
// it, once per store (a marker key records that it ran).
func BackfillOpen(s storage.Store) error {
	if done, err := s.Has(KeyOpenReady()); err != nil || done {
		return err
	}
	b := s.NewBatch()
	err := s.Scan(storage.Prefix("call"), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var c Call
		if err := storage.DecodeJSON(v, &c); err != nil {
			return false, err
		}
		if !c.Finalized() {
			b.Set(KeyOpen(c.OrgID, c.ID), nil)
		}
		return true, nil
	})
	if err != nil {
		b.Discard()
		return err
	}
	b.Set(KeyOpenReady(), nil)
	return b.Commit(storage.Sync)
}
