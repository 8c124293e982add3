package agentsession

import (
	"encoding/json"

	"github.com/humd/humd/actors/ai"
)

// Get answers the session as *Session.
type Get struct{}

// Post stores one message in order; for agent_chat sessions with a model it
// answers once the AI's reply is stored too. Answered with *Posted, or
// errNotActive.
type Post struct {
	Role     string
	Content  string
	Metadata json.RawMessage
}

// Posted answers Post.
type Posted struct {
	Message *Message
	Reply   *Message
}

// End reasons: ReasonAPI is PUT/POST .../end; ReasonIdle is the sweeper's.
const (
	ReasonAPI  = "api"
	ReasonIdle = "idle"
)

// End ends the session (idempotent). Answered with *Session. An idle End
// (from the sweeper) ends the session at its last activity, and is dropped
// if the session had activity within IdleLimit.
type End struct {
	Duration   *int64
	Transcript *string
	Metadata   map[string]json.RawMessage
	Reason     string
}

// replyDone carries the model's answer for a chat message back into the mailbox.
type replyDone struct {
	res *ai.Result
	err error
}
