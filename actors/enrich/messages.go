package enrich

// The enrich actor's whole inbound protocol.
type (
	// JobStarted tells the actor a backfill job was created (by
	// Service.StartBackfill) and should start walking contacts.
	JobStarted struct {
		OrgID string
		JobID string
	}

	// tick polls the event logs, feeds backfill jobs and dispatches due
	// lookups; stale generations are ignored.
	tick struct{ gen uint64 }

	// lookedUp is a finished lookup from a worker goroutine.
	lookedUp struct {
		key string // org|e164
		res *Result
		err error
	}
)
