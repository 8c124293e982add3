package voiceapi

import (
	"github.com/humd/humd/actors/service/voicesvc"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/transport/httpapi"
)

// CallDetail is GET /api/calls/{id}: the call with everything a reviewer
// reads beside it.
type CallDetail = voicesvc.CallDetail

// CallTags answers a tag added to a call: the tag as kept and all of the
// call's tags.
type CallTags = voicesvc.CallTags

// OutboundStarted answers POST /api/outbound/calls: the call is placed off
// the request (SPEC 1.7).
type OutboundStarted = voicesvc.OutboundStarted

func init() {
	httpapi.Component[calls.Summary]("CallSummary", func(s httpapi.Schema) {
		httpapi.SetProp(s, "key_points", httpapi.Nullable(httpapi.Arr(httpapi.Str())))
		httpapi.SetProp(s, "next_actions", httpapi.Nullable(httpapi.Arr(httpapi.Str())))
	})
	httpapi.Component[calls.Call]("Call", callSchema)
	httpapi.Component[CallDetail]("CallDetail", callSchema)
	httpapi.Component[calls.Turn]("CallTurn", nil)
	httpapi.Component[calls.ToolActivity]("ToolActivity", nil)
	httpapi.Component[calls.Note]("CallNote", nil)
	httpapi.Component[calls.Voicemail]("Voicemail", nil)
	httpapi.Component[CallTags]("CallTags", nil)
	httpapi.Component[calls.OrgTag]("OrgTag", nil)
	httpapi.Component[calls.Stats]("CallStats", func(s httpapi.Schema) {
		httpapi.SetProp(s, "by_direction", httpapi.Obj([]string{calls.Inbound, calls.Outbound},
			map[string]httpapi.Schema{calls.Inbound: httpapi.Integer(), calls.Outbound: httpapi.Integer()}))
	})
}

// callSchema adds a call's enums and what its free-form keys hold.
func callSchema(s httpapi.Schema) {
	httpapi.SetEnum(s, "direction", calls.Inbound, calls.Outbound)
	httpapi.SetEnum(s, "status", calls.Statuses...)
	httpapi.SetProp(s, "task_context", httpapi.FreeForm("what the agent was told for this outbound call"))
	httpapi.SetProp(s, "outcome", httpapi.AnyJSON("what the agent reported with report_outcome"))
}
