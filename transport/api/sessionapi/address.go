package sessionapi

import "github.com/humd/humd/transport/httpapi"

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
	return answer(c)(a.d.Address.Create(c.Principal.OrgID, c.Body()))
}

func (a *API) getAddressSession(c *httpapi.Call) error {
	return answer(c)(a.d.Address.Get(c.Principal.OrgID, c.Param("token")))
}

func (a *API) closeAddressSession(c *httpapi.Call) error {
	return answer(c)(a.d.Address.Delete(c.Principal.OrgID, c.Param("token")))
}

func init() { httpapi.SchemaComponent("AddressMeta", addressMeta) }
