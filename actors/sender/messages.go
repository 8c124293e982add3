package sender

import "github.com/humd/humd/actors/system"

// Enqueue asks the number's sender to hand a text to the carrier when its
// token bucket allows. The sender answers with a *Result told to ReplyTo
// (through the system.Directory; the zero Ref for no answer).
type Enqueue struct {
	OrgID       string
	MessageID   string
	ContactE164 string
	Outbound    *Outbound
	// System texts (keyword confirmations, HELP) skip the last-moment
	// opt-out check: they are exactly what an opted-out contact must get.
	System  bool
	ReplyTo system.Ref
	// MPS is the number's rate (Directory.Enqueue sets it); a sender takes
	// it from the first message that reaches it, and SetRate afterwards.
	MPS float64
}

// Result says what became of an Enqueue. Exactly one of Accepted, Err and
// OptedOut is set.
type Result struct {
	MessageID string
	Accepted  *Accepted
	Err       error
	// OptedOut: the contact opted out while the text waited in the queue, so
	// the carrier was never called.
	OptedOut bool
}

// SetRate changes the number's sending rate (segments per second); it is
// the first rate of a sender it spawns.
type SetRate struct{ MPS float64 }

// wake is the sender's own timer firing; stale generations are ignored.
type wake struct{ gen uint64 }

// workerDone carries a finished carrier call back into the mailbox.
type workerDone struct {
	res     *Result
	replyTo system.Ref
}
