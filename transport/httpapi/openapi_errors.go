package httpapi

import (
	"net/http"
	"slices"
	"strings"
)

// errorStatuses are the error statuses an operation documents: those the
// edge can answer for any route of its kind (auth, body cap, validation,
// unknown ids, shutdown), and the ones its handler adds (Route.Fails).
func errorStatuses(r *Route, list bool) []int {
	set := map[int]bool{}
	if r.Auth != Public {
		set[http.StatusUnauthorized], set[http.StatusForbidden], set[http.StatusTooManyRequests] = true, true, true
	}
	if takesBody(r) {
		// too large, or nested deeper than storage.MaxJSONDepth (json_too_deep)
		set[http.StatusRequestEntityTooLarge], set[http.StatusBadRequest] = true, true
	}
	if r.Request != nil || r.RequestSchema != nil || list {
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
	if r.Idempotent {
		set[http.StatusConflict], set[http.StatusUnprocessableEntity] = true, true // key in use, key reused
	}
	if r.Tag != "System" {
		set[http.StatusServiceUnavailable] = true // a store closing or an actor not answering in time
	}
	for _, st := range r.Fails {
		set[st] = true
	}
	out := make([]int, 0, len(set))
	for st := range set {
		out = append(out, st)
	}
	slices.Sort(out)
	return out
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
