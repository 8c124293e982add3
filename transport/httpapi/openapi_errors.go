package httpapi

import (
	"net/http"
	"slices"
	"strings"
)

func init() {
	componentSchemas["Error"] = obj([]string{"error"}, map[string]Schema{"error": obj([]string{"code", "message"}, map[string]Schema{
		"code": str(), "message": str(),
		"details": obj(nil, map[string]Schema{"fields": Schema{"type": "object", "additionalProperties": str(),
			"description": "the problem of each invalid field of the request, by field name"},
			"max_depth": Schema{"type": "integer", "description": "json_too_deep: the deepest nesting humd accepts"}})})})
	componentSchemas["AddressError"] = obj([]string{"message", "request_status", "errors"}, map[string]Schema{
		"message": str(), "request_status": enum("error"), "errors": arr(addressFieldError),
		"data": emptyObj(), "meta": addressMeta})
	componentSchemas["AgentError"] = obj([]string{"success", "error"}, map[string]Schema{
		"success": Schema{"const": false}, "error": str(),
		"details": Schema{"type": "object", "additionalProperties": str(), "description": "the problem of each invalid field, by field name"}})
}

// errorStatuses are the error statuses an operation documents: those the
// edge can answer for any route of its kind (auth, body cap, validation,
// unknown ids, shutdown), and the ones its handler adds (extraErrors).
func errorStatuses(r *Route) []int {
	set := map[int]bool{}
	if r.Auth != Public {
		set[http.StatusUnauthorized], set[http.StatusForbidden], set[http.StatusTooManyRequests] = true, true, true
	}
	if takesBody(r) {
		// too large, or nested deeper than storage.MaxJSONDepth (json_too_deep)
		set[http.StatusRequestEntityTooLarge], set[http.StatusBadRequest] = true, true
	}
	if r.Request != nil || isList(r) {
		set[http.StatusUnprocessableEntity] = true // a body or ?limit= the handler refuses
	}
	if pathParam.MatchString(r.Path) {
		set[http.StatusNotFound] = true
	}
	if r.Auth != Public && r.Method != "GET" {
		set[http.StatusConflict] = true // a write the record's state refuses (already blocked, campaign running, ...)
	}
	if strings.HasPrefix(r.Path, "/twilio/") {
		set[http.StatusForbidden], set[http.StatusUnprocessableEntity] = true, true // bad signature, unreadable form
	}
	if idempotentOps[r.OpID] {
		set[http.StatusConflict], set[http.StatusUnprocessableEntity] = true, true // key in use, key reused
	}
	if r.Tag != "System" {
		set[http.StatusServiceUnavailable] = true // a store closing or an actor not answering in time
	}
	for _, st := range extraErrors[r.OpID] {
		set[st] = true
	}
	out := make([]int, 0, len(set))
	for st := range set {
		out = append(out, st)
	}
	slices.Sort(out)
	return out
}

// isList tells a D-10 list answer, whose ?limit= and ?cursor= can be refused.
func isList(r *Route) bool {
	props, _ := r.Responses[http.StatusOK]["properties"].(map[string]Schema)
	_, ok := props["next_cursor"]
	return ok
}

// extraErrors are the statuses a handler answers beyond errorStatuses'
// derivation, by operationId: one list, like idempotentOps, that
// TestErrorStatusesNameRealOperations keeps in step with the route table and
// the end-to-end validator with the statuses handlers really answer.
var extraErrors = map[string][]int{
	// query parameters the handler refuses
	"getAnalytics": {422}, "getFlowMetrics": {422}, "searchKnowledge": {422}, "unblockNumber": {422}, "removeOptOut": {422},
	// the carrier refused or failed, or the plan has no room
	"searchAvailableNumbers": {422, 502}, "buyNumber": {402, 502}, "registerNumber": {402}, "lookupContact": {502},
	"createBrand": {502}, "refreshBrand": {502},
	// billing.provider none has no hosted pages
	"billingCheckout": {501}, "billingPortal": {501},
	// a trigger fired too often; an agent_id the org does not have
	"fireTrigger": {429}, "createAgentSession": {404},
	// Twilio callbacks naming a call humd does not know (?call_id=)
	"twilioVoiceStatus": {404}, "twilioVoiceAction": {404}, "twilioVoiceDial": {404}, "twilioVoiceRecording": {404},
	"twilioVoiceTranscription": {404},
}

// errorResponseName is the components/responses key of a D-10 error status
// (NotFound, UnprocessableEntity, ...).
func errorResponseName(status int) string {
	return strings.ReplaceAll(http.StatusText(status), " ", "")
}

func errorResponses(used map[int]bool) map[string]any {
	out := map[string]any{}
	for st := range used {
		out[errorResponseName(st)] = map[string]any{"description": http.StatusText(st),
			"content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}
	}
	return out
}

// errorResponse is one error status of an operation: the shared D-10
// response (noted in used), or the seed envelope of the address and agent
// sessions.
func errorResponse(style ErrorStyle, status int, used map[int]bool) map[string]any {
	if style == CoreStyle {
		used[status] = true
		return map[string]any{"$ref": "#/components/responses/" + errorResponseName(status)}
	}
	return map[string]any{"description": http.StatusText(status),
		"content": map[string]any{"application/json": map[string]any{"schema": errorSchemas[style]}}}
}
