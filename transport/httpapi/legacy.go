package httpapi

// Transitional: the areas still inside this package declare their
// idempotent operations and extra error statuses here, by operationId;
// an area that moves out declares them on its routes.
var legacyIdempotent = map[string]bool{
	"createConversation": true, "sendMessage": true, "createOutboundCall": true,
	"launchCampaign": true, "testWebhook": true, "redeliverWebhook": true,
	"createAgentSession": true, "postAgentSessionMessage": true, "createAddressSession": true,
	"buyNumber": true, "createBrand": true,
}

var legacyFails = map[string][]int{
	"getAnalytics": {422}, "getFlowMetrics": {422}, "searchKnowledge": {422}, "unblockNumber": {422}, "removeOptOut": {422},
	"searchAvailableNumbers": {422, 502}, "buyNumber": {402, 502}, "registerNumber": {402}, "lookupContact": {502},
	"createBrand": {502}, "refreshBrand": {502},
	"billingCheckout": {501}, "billingPortal": {501},
	"fireTrigger": {429}, "createAgentSession": {404},
	"twilioVoiceStatus": {404}, "twilioVoiceAction": {404}, "twilioVoiceDial": {404}, "twilioVoiceRecording": {404},
	"twilioVoiceTranscription": {404},
}

func legacyDeclarations(r *Route) {
	if legacyIdempotent[r.OpID] {
		r.Idempotent = true
	}
	r.Fails = append(r.Fails, legacyFails[r.OpID]...)
}
