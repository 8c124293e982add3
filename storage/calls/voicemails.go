package calls

import (
	"encoding/json"
	"fmt"

	"github.com/humd/humd/storage"
)

// GetVoicemail loads one voicemail.
func GetVoicemail(s storage.Store, org, id string) (*Voicemail, error) {
	var v Voicemail
	if err := storage.GetJSON(s, KeyVoicemail(org, id), &v); err != nil {
		return nil, fmt.Errorf("calls: voicemail %s: %w", id, err)
	}
	return &v, nil
}

// ListVoicemails pages the org's voicemails newest first (ids are
// time-sorted); heard, when set, keeps only heard (true) or unheard (false)
// ones.
func ListVoicemails(s storage.Store, org string, heard *bool, page storage.PageRequest) ([]*Voicemail, string, error) {
	page.Reverse = true
	return storage.ListPage(s, PrefixVoicemails(org), page, func(_, raw []byte) (*Voicemail, bool, error) {
		var v Voicemail
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, false, fmt.Errorf("calls: voicemail: %w", err)
		}
		return &v, heard == nil || v.Heard == *heard, nil
	})
}

// SetHeard marks a voicemail heard or unheard. The call actor of the
// voicemail's call calls it, as it also rewrites the voicemail (a transcript
// that arrives late).
func SetHeard(s storage.Store, org, id string, heard bool) (*Voicemail, error) {
	v, err := GetVoicemail(s, org, id)
	if err != nil {
		return nil, err
	}
	if v.Heard == heard {
		return v, nil
	}
	v.Heard = heard
	b := s.NewBatch()
	b.SetJSON(KeyVoicemail(org, id), v)
	if err := b.Commit(storage.Sync); err != nil {
		return nil, fmt.Errorf("calls: write voicemail %s: %w", id, err)
	}
	return v, nil
}
