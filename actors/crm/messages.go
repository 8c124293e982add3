package crm

import (
	"time"

	"github.com/humd/humd/storage/crm"
	"github.com/humd/humd/storage/sms"
)

// The connector actor's whole inbound protocol. Everything is internal:
// Service.Changed sends reload; the clock sends tick; worker goroutines send
// the results of their HTTP requests back as matched and synced.
type (
	// reload re-reads the connector after an edit (a disabled or deleted
	// connector's actor stops).
	reload struct{}
	// tick polls the event log and the sync queue; stale generations are
	// ignored.
	tick struct{ gen uint64 }
	// matched is a finished lookup (and create) for the event at seq.
	matched struct {
		seq   uint64
		e164  string
		match *sms.CRMMatch
		logs  []*crm.LogEntry
	}
	// synced is a finished POST /calls attempt for a call.
	synced struct {
		callID string
		at     time.Time
		res    result
		phone  string
		// permanent: the attempt cannot succeed later (the call is gone).
		permanent bool
	}
)
