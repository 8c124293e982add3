package events

import (
	"time"

	"github.com/humd/humd/storage"
)

// Expire deletes, oldest first, up to limit of the org's events created
// before cutoff, never one with a seq above upTo: the lowest cursor of the
// log's consumers (webhook endpoints, CRM connectors, enrichment), so no
// consumer loses an event it has not read. Seqs are taken in time order,
// so the events to go are the head of the log and one range delete takes
// them. It answers how many went and the span to compact (nil for none).
// Only the retention actor calls it (actors/doc.go).
func Expire(s storage.Store, org string, cutoff time.Time, upTo uint64, limit int) (int, []byte, error) {
	return storage.DeleteHead(s, Prefix(org), limit, func(k, v []byte) storage.Verdict {
		if SeqOfKey(k) > upTo {
			return storage.Keep
		}
		at, ok := CreatedAt(v)
		return storage.AgeVerdict(cutoff, at, ok)
	})
}

// CreatedAt answers when the stored event v was appended (false when it
// does not decode).
func CreatedAt(v []byte) (time.Time, bool) {
	var ev struct {
		CreatedAt time.Time `json:"created_at"`
	}
	if err := storage.DecodeJSON(v, &ev); err != nil || ev.CreatedAt.IsZero() {
		return time.Time{}, false
	}
	return ev.CreatedAt, true
}
