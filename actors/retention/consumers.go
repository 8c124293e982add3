package retention

import (
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/crm"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/webhooks"
)

// Consumer is one kind of reader of the event log that keeps a durable
// cursor: Low answers the lowest seq it has read in the org's log, and ok
// false when it has no reader in that org. The retention actor never
// deletes an event above the lowest of them.
type Consumer struct {
	Name string
	Low  func(st storage.Store, org string) (seq uint64, ok bool, err error)
}

// Webhooks are the org's webhook endpoints, enabled or not: a disabled
// endpoint that is enabled again goes on from its cursor.
var Webhooks = Consumer{Name: "webhooks", Low: func(st storage.Store, org string) (uint64, bool, error) {
	return lowest(st, webhooks.PrefixCursors(org))
}}

// CRM are the org's CRM connectors, enabled or not.
var CRM = Consumer{Name: "crm", Low: func(st storage.Store, org string) (uint64, bool, error) {
	return lowest(st, crm.PrefixCursors(org))
}}

// Enrich is contact enrichment (only while a lookup provider is set): an
// org without a cursor is read from its first event.
var Enrich = Consumer{Name: "enrich", Low: func(st storage.Store, org string) (uint64, bool, error) {
	seq, _, err := sms.LookupCursor(st, org)
	return seq, err == nil, err
}}

func lowest(st storage.Store, prefix []byte) (uint64, bool, error) {
	var low uint64
	found := false
	err := st.Scan(prefix, storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		n, ok := storage.DecodeU64(v)
		if !ok {
			n = 0 // an unreadable cursor holds the whole log rather than lose events
		}
		if !found || n < low {
			low, found = n, true
		}
		return true, nil
	})
	return low, found, err
}
