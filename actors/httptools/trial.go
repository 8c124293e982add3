package httptools

import (
	"context"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/storage/flowtools"
)

// SubjectTest is the subject type of a test request's execution row: an
// admin's "send a test request", not a call or a conversation.
const SubjectTest = "test"

// Trial runs one binding once as the flow would, with args as the model's
// arguments (a pre_call tool gets none), through the same Sender and SSRF
// policy, and answers its execution row (also written to the log). It runs
// on the caller's goroutine: the console's request, never an actor's.
func (s *Service) Trial(ctx context.Context, t *flowtools.Tool, args map[string]any) *flowtools.Execution {
	if args == nil || t.Mode == flowtools.PreCall {
		args = map[string]any{}
	}
	data := s.base(t.OrgID, t.FlowID)
	data["args"] = args
	row, _, _ := s.execute(ctx, t, ai.Subject{Type: SubjectTest}, data)
	return row
}
