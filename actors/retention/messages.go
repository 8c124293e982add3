package retention

import "time"

// Run asks for a pass now; answered with *Report once it is done (a pass
// already running is waited for, and its report answers). Passes also run
// by themselves every Config.Every.
type Run struct{}

// GetStatus asks for the schedule and the last pass; answered with *Status.
type GetStatus struct{}

// Report is what one pass did.
type Report struct {
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at"`
	// Deleted counts the records each family lost, by family name.
	Deleted map[string]int `json:"deleted"`
	// Done is false when a family had more to delete than the batch; the
	// next pass goes on from there.
	Done bool `json:"done"`
	// Errors says what failed, by family (the next pass tries again).
	Errors map[string]string `json:"errors,omitempty"`
}

// Status answers GetStatus.
type Status struct {
	Every     time.Duration
	Batch     int
	Keep      Keep
	NextRunAt time.Time
	Running   bool
	// Last is the last finished pass (nil before the first).
	Last *Report
}

type (
	tick     struct{ gen uint64 }
	passDone struct {
		report *Report
		sweeps map[string][]byte
	}
)
