package httpapi

import (
	"errors"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

// outboundNumber picks the caller id: the given number, else the number
// that answers with this flow, else the org's first voice number.
func (s *Server) outboundNumber(org, id, flowID string) (*sms.Number, error) {
	if id != "" {
		n, err := sms.GetNumber(s.deps.Store, org, id)
		if errors.Is(err, storage.ErrNotFound) || err == nil && !n.Capabilities.Voice {
			return nil, storage.Invalid("from_number_id", "must be a voice-capable number of this org")
		}
		return n, err
	}
	all, _, err := sms.ListNumbers(s.deps.Store, org, storage.PageRequest{Limit: storage.MaxPageLimit})
	if err != nil {
		return nil, err
	}
	var first *sms.Number
	for _, n := range all {
		if !n.Capabilities.Voice {
			continue
		}
		if n.FlowID != nil && *n.FlowID == flowID {
			return n, nil
		}
		if first == nil {
			first = n
		}
	}
	if first == nil {
		return nil, storage.Invalid("from_number_id", "the org has no voice-capable number")
	}
	return first, nil
}
