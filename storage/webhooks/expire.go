package webhooks

import (
	"time"

	"github.com/humd/humd/storage"
)

// PrefixAllDeliveries covers every delivery of every endpoint; an
// endpoint's are under webhook-dlv/<org>/<endpoint>/.
func PrefixAllDeliveries() []byte { return storage.Prefix("webhook-dlv") }

// ExpireDeliveries deletes, oldest first, up to limit of the endpoint's
// finished deliveries (succeeded or failed) created before cutoff. Ids are
// ULIDs, so an endpoint's deliveries sort by creation and the ones to go
// are the head of its history: one range delete takes them. The walk stops
// at the first delivery still pending or retrying, which its actor holds.
// It answers how many went and the span to compact (nil for none). Only
// the retention actor calls it (actors/doc.go).
func ExpireDeliveries(s storage.Store, org, ep string, cutoff time.Time, limit int) (int, []byte, error) {
	return storage.DeleteHead(s, prefixDeliveries(org, ep), limit, func(_, v []byte) storage.Verdict {
		at, open, ok := DeliveryTime(v)
		if ok && open {
			return storage.Keep
		}
		return storage.AgeVerdict(cutoff, at, ok)
	})
}

// DeliveryTime answers when the stored delivery v was created and whether
// it is still open (pending or retrying); ok is false when it does not
// decode.
func DeliveryTime(v []byte) (at time.Time, open, ok bool) {
	var d struct {
		Status    string    `json:"status"`
		CreatedAt time.Time `json:"created_at"`
	}
	if err := storage.DecodeJSON(v, &d); err != nil || d.CreatedAt.IsZero() {
		return time.Time{}, false, false
	}
	return d.CreatedAt, d.Status == Pending || d.Status == Retrying, true
}

// PrefixCursors covers the cursors of the org's endpoints (U64 values).
func PrefixCursors(org string) []byte { return storage.Prefix("webhook-cursor", org) }
