package httpapi

import (
	"errors"
	"net/http"

	billingactor "github.com/humd/humd/actors/billing"
	"github.com/humd/humd/actors/enrich"
	"github.com/humd/humd/actors/service/adminsvc"
	"github.com/humd/humd/actors/service/voicesvc"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
	storebilling "github.com/humd/humd/storage/billing"
	"github.com/humd/humd/transport/wire"
)

// Edge errors that only the HTTP layer raises.
var (
	errBodyTooLarge   = errors.New("request body too large")
	errNotFoundRoute  = errors.New("no such route")
	errMethodNotAllow = errors.New("method not allowed")
)

// StatusError is an answer with its own status and code, for the cases
// classify's storage errors do not name (a carrier that failed, a bad
// Twilio signature, billing that is not configured).
type StatusError struct {
	Status        int
	Code, Message string
}

func (e *StatusError) Error() string { return e.Message }

// apiError is the D-10 error envelope: {"error":{"code","message","details"}}.
type apiError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

func (apiError) JSONSchemaExtend(s Schema) {
	SetProp(s, "details", obj(nil, map[string]Schema{"fields": {"type": "object", "additionalProperties": str(),
		"description": "the problem of each invalid field of the request, by field name"},
		"max_depth": {"type": "integer", "description": "json_too_deep: the deepest nesting humd accepts"}}))
}

type errorBody struct {
	Error apiError `json:"error"`
}

// addressError is seed 000's error envelope; the session service's own
// errors also carry data and meta (AddressMeta, which the sessions area
// names).
type addressError struct {
	Message       string       `json:"message"`
	RequestStatus string       `json:"request_status" jsonschema:"enum=error"`
	Errors        []fieldError `json:"errors"`
	Data          *struct{}    `json:"data,omitempty"`
	Meta          *struct{}    `json:"meta,omitempty"`
}

func (addressError) JSONSchemaExtend(s Schema) {
	SetProp(s, "data", EmptyObj())
	SetProp(s, "meta", Ref("AddressMeta"))
}

type fieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// agentError is seed 002's error envelope.
type agentError struct {
	Success bool              `json:"success"`
	Error   string            `json:"error"`
	Details map[string]string `json:"details,omitempty" doc:"the problem of each invalid field, by field name"`
}

func (agentError) JSONSchemaExtend(s Schema) { SetProp(s, "success", Schema{"const": false}) }

func init() {
	Component[errorBody]("Error", nil)
	Component[addressError]("AddressError", nil)
	Component[agentError]("AgentError", nil)
}

// classify is the one table that maps an error to a status and API code.
// Every handler returns errors; nothing else decides statuses for them.
func classify(err error) (int, apiError) {
	var ve *storage.ValidationError
	var ce *storage.ConflictError
	var se *StatusError
	switch {
	case errors.As(err, &se):
		return se.Status, apiError{Code: se.Code, Message: se.Message}
	case errors.Is(err, enrich.ErrLookupFailed):
		return http.StatusBadGateway, apiError{Code: "lookup_failed", Message: err.Error()}
	case errors.Is(err, adminsvc.ErrCarrierFailed):
		return http.StatusBadGateway, apiError{Code: "provider_error", Message: err.Error()}
	case errors.Is(err, billingactor.ErrProviderUnavailable):
		return http.StatusServiceUnavailable, apiError{Code: "billing_provider_unavailable", Message: err.Error()}
	case errors.Is(err, billingactor.ErrProviderRejected):
		return http.StatusBadGateway, apiError{Code: "billing_provider_error", Message: err.Error()}
	case errors.Is(err, storebilling.ErrPastDue):
		return http.StatusPaymentRequired, apiError{Code: "payment_past_due", Message: err.Error()}
	case errors.Is(err, adminsvc.ErrBillingNotConfigured):
		return http.StatusNotImplemented, apiError{Code: "billing_not_configured", Message: err.Error()}
	case errors.As(err, &ve):
		details := map[string]any{}
		for k, v := range ve.Fields {
			details[k] = v
		}
		return http.StatusUnprocessableEntity, apiError{Code: "validation_failed", Message: ve.Error(), Details: map[string]any{"fields": details}}
	case errors.As(err, &ce):
		return http.StatusConflict, apiError{Code: ce.Code, Message: ce.Message}
	case errors.Is(err, wire.ErrTooDeep):
		return http.StatusBadRequest, apiError{Code: "json_too_deep", Message: err.Error(), Details: map[string]any{"max_depth": storage.MaxJSONDepth}}
	case errors.Is(err, errBodyTooLarge):
		return http.StatusRequestEntityTooLarge, apiError{Code: "body_too_large", Message: err.Error()}
	case errors.Is(err, voicesvc.ErrNoAgent): // seed 002's words
		return http.StatusNotFound, apiError{Code: "not_found", Message: "Agent not found or access denied"}
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, errNotFoundRoute):
		return http.StatusNotFound, apiError{Code: "not_found", Message: "not found"}
	case errors.Is(err, errMethodNotAllow):
		return http.StatusMethodNotAllowed, apiError{Code: "method_not_allowed", Message: err.Error()}
	case errors.Is(err, storage.ErrUnauthorized):
		return http.StatusUnauthorized, apiError{Code: "api_key_required", Message: "a valid API key is required (Authorization: Bearer or x-api-key)"}
	case errors.Is(err, storage.ErrForbidden):
		return http.StatusForbidden, apiError{Code: "insufficient_scope", Message: "your role or your key's scopes do not allow this"}
	case errors.Is(err, storage.ErrConflict):
		return http.StatusConflict, apiError{Code: "conflict", Message: err.Error()}
	case errors.Is(err, storage.ErrGone):
		return http.StatusGone, apiError{Code: "gone", Message: err.Error()}
	case errors.Is(err, storage.ErrPaymentRequired):
		return http.StatusPaymentRequired, apiError{Code: "plan_limit", Message: err.Error()}
	case errors.Is(err, storage.ErrRateLimited):
		return http.StatusTooManyRequests, apiError{Code: "rate_limited", Message: err.Error()}
	case errors.Is(err, storage.ErrInvalid):
		return http.StatusUnprocessableEntity, apiError{Code: "validation_failed", Message: err.Error()}
	case errors.Is(err, system.ErrTimeout), errors.Is(err, storage.ErrClosed):
		return http.StatusServiceUnavailable, apiError{Code: "unavailable", Message: "the server is busy; retry"}
	}
	return http.StatusInternalServerError, apiError{Code: "internal", Message: "internal error"}
}
