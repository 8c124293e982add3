package call

import "github.com/humd/humd/storage"

// outcomeFits reports whether a model's outcome JSON nests no deeper than
// storage.MaxJSONDepth. The outcome is model output kept verbatim in the
// call record and its call.outcome event, not a request: transport/wire
// holds requests and tool-call arguments to the same limit before they
// reach an actor, but the summary's outcome is born here, inside the call
// actor, so the actor checks it itself, as the last place before storage.
// The summary was already decoded, so the outcome is valid JSON.
func outcomeFits(outcome []byte) bool { return storage.WithinJSONDepth(outcome) }
