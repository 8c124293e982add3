package sessionapi

import (
	"errors"

	"github.com/humd/humd/actors/addresssession"
	"github.com/humd/humd/actors/addresssession/address"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/transport/httpapi"
)

// Address sessions (seed 000): the service answers status and body in the
// seed's own envelope.

var (
	agentState    = enum("pending", "matched", "unmatched", "error")
	addressParams = obj([]string{"street1"}, map[string]schema{"street1": str(), "street2": str(), "city": str(), "state": str(), "zip": str(),
		"latitude": number(), "longitude": number(), "campaign_id": str(), "sync": arr(enum("geocode", "internet"))})
	serviceAddress = obj([]string{"normalized", "latitude", "longitude", "street_range", "street", "city", "state", "zip"}, map[string]schema{
		"normalized": str(), "latitude": nullable(number()), "longitude": nullable(number()), "street_range": str(), "street": str(),
		"street2": str(), "city": str(), "state": str(), "zip": str()})
	addressMeta = obj([]string{"responded_at", "hum_data_set"}, map[string]schema{"session_token": str(),
		"session_status": enum("open", "closed", "expired"),
		"agent_status": obj([]string{"geocoding", "internet", "checkout"}, map[string]schema{"geocoding": agentState,
			"internet": agentState, "checkout": agentState}),
		"session_params": addressParams, "service_address": nullable(serviceAddress), "created_at": dateTime(),
		"updated_at": dateTime(), "responded_at": dateTime(), "hum_data_set": str()})
	addressProvider = obj([]string{"provider_id", "provider_name", "offerings"}, map[string]schema{"provider_id": str(),
		"provider_name": str(), "telephone": str(), "url": str(),
		"min_plan_price": obj([]string{"currency", "amount_cents"}, map[string]schema{"currency": str(), "amount_cents": integer()}),
		"offerings": arr(obj([]string{"technology", "max_download_speed", "max_upload_speed"}, map[string]schema{
			"technology": str(), "max_download_speed": number(), "max_upload_speed": number()}))})
)

// addressEnvelope is seed 000's answer shape around data.
func addressEnvelope(data schema) schema {
	return obj([]string{"message", "request_status", "data", "meta"}, map[string]schema{
		"message": str(), "request_status": enum("ok", "warning", "error"), "data": data, "meta": ref("AddressMeta")})
}

func (a *API) addressSessionRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "POST", Path: "/sessions", OpID: "createAddressSession", Summary: "Start an address session (seed 000)", Tag: "Address sessions",
			Auth: httpapi.OperatorUp, Errors: httpapi.AddressStyle, Idempotent: true,
			RequestSchema: strict(obj([]string{"street1"}, map[string]schema{"street1": strN(1, 100), "street2": strN(1, 50),
				"city": strN(1, 50), "state": {"type": "string", "pattern": "^[A-Z]{2}$"}, "zip": oneOfTypes("string", "integer"),
				"latitude": number(), "longitude": number(), "campaign_id": strN(1, 100), "sync": arr(enum("geocode", "internet"))})),
			Schemas: map[int]schema{201: addressEnvelope(obj([]string{"session_token"}, map[string]schema{"session_token": str()}))},
			Handle:  a.createAddressSession},
		{Method: "GET", Path: "/sessions/{token}", OpID: "getAddressSession", Summary: "Session status: 202 while working, 200 with providers, 410 closed or expired", Tag: "Address sessions",
			Auth: httpapi.ViewerUp, Errors: httpapi.AddressStyle,
			Schemas: map[int]schema{200: addressEnvelope(arr(addressProvider)), 202: addressEnvelope(emptyObj()), 410: addressEnvelope(emptyObj())},
			Handle:  a.getAddressSession},
		{Method: "DELETE", Path: "/sessions/{token}", OpID: "closeAddressSession", Summary: "Close the session", Tag: "Address sessions",
			Auth: httpapi.OperatorUp, Errors: httpapi.AddressStyle,
			Schemas: map[int]schema{200: addressEnvelope(emptyObj()), 410: addressEnvelope(emptyObj())},
			Handle:  a.closeAddressSession},
	}
}

func (a *API) createAddressSession(c *httpapi.Call) error {
	in, errs := decodeAddress(c.Body())
	if errs != nil {
		return a.addressFail(c, &addresssession.InvalidError{Errors: errs})
	}
	sess, err := a.d.Svc.CreateAddressSession(c.Ctx, c.Principal, in)
	if err != nil {
		return a.addressFail(c, err)
	}
	return c.JSON(201, a.envelope("Session created successfully.", sess.RequestStatus(), map[string]any{"session_token": sess.Token}, sess))
}

func (a *API) getAddressSession(c *httpapi.Call) error {
	sess, err := a.d.Svc.GetAddressSession(c.Ctx, c.Principal, c.Param("token"))
	switch {
	case err != nil:
		return a.addressFail(c, err)
	case sess.Working():
		return c.JSON(202, a.envelope("The session's agents are still working; poll again in 2-3 seconds.", "ok", nil, sess))
	}
	providers := sess.Providers
	if providers == nil {
		providers = []*addresssession.Provider{}
	}
	return c.JSON(200, a.envelope("Session data is ready.", sess.RequestStatus(), providers, sess))
}

func (a *API) closeAddressSession(c *httpapi.Call) error {
	sess, err := a.d.Svc.CloseAddressSession(c.Ctx, c.Principal, c.Param("token"))
	if err != nil {
		return a.addressFail(c, err)
	}
	return c.JSON(200, a.envelope("Session closed successfully", "ok", nil, sess))
}

// envelope is seed 000's answer shape: message / request_status / data / meta.
func (a *API) envelope(msg, status string, data any, sess *addresssession.Session) map[string]any {
	meta := map[string]any{"responded_at": a.d.Clock.Now().UTC(), "hum_data_set": addresssession.DataSet}
	if sess != nil {
		meta["session_token"] = sess.Token
		meta["session_status"] = sess.Status
		meta["agent_status"] = sess.AgentStatus
		meta["session_params"] = sess.Params
		meta["service_address"] = sess.ServiceAddress
		meta["created_at"] = sess.CreatedAt
		meta["updated_at"] = sess.UpdatedAt
	}
	if data == nil {
		data = map[string]any{}
	}
	return map[string]any{"message": msg, "request_status": status, "data": data, "meta": meta}
}

// addressFail answers err in seed 000's error envelope. Errors the seed
// has no answer for (a refused role) go to the edge, which writes them in
// the route's AddressStyle.
func (a *API) addressFail(c *httpapi.Call, err error) error {
	var inv *addresssession.InvalidError
	var closed *addresssession.ClosedError
	fail := func(status int, msg string, errs []address.FieldError) error {
		body := a.envelope(msg, "error", nil, nil)
		if errs == nil {
			errs = []address.FieldError{}
		}
		body["errors"] = errs
		return c.JSON(status, body)
	}
	switch {
	case errors.As(err, &inv):
		return fail(422, "The address is not valid.", inv.Errors)
	case errors.As(err, &closed):
		return c.JSON(410, a.envelope("The session is "+closed.Session.Status+".", "error", nil, closed.Session))
	case errors.Is(err, addresssession.ErrNotStored):
		return fail(503, "The session could not be stored; retry.", nil)
	case errors.Is(err, addresssession.ErrNotStarted):
		return fail(503, "The session's agents did not start; retry.", nil)
	case errors.Is(err, addresssession.ErrBusy):
		return fail(503, "The session is busy; retry.", nil)
	case errors.Is(err, storage.ErrNotFound):
		return fail(404, "Session not found.", nil)
	}
	return err
}

func init() { httpapi.SchemaComponent("AddressMeta", addressMeta) }
