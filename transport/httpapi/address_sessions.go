package httpapi

// Address sessions (seed 000): the service answers status and body in the
// seed's own envelope.

var addressEnvelope = obj([]string{"message", "request_status", "data", "meta"}, map[string]Schema{
	"message": str(), "request_status": enum("ok", "warning", "error"), "data": Schema{"type": []string{"object", "array"}},
	"meta": obj([]string{"responded_at"}, map[string]Schema{"session_token": str(), "session_status": enum("open", "closed", "expired"),
		"agent_status": anyObj(), "session_params": anyObj(), "service_address": nullable(anyObj()), "created_at": dateTime(),
		"updated_at": dateTime(), "responded_at": dateTime(), "hum_data_set": str()}),
	"errors": arr(anyObj()),
})

func (s *Server) addressSessionRoutes() []*Route {
	write := func(fn func(c *Call) (int, any)) func(c *Call) error {
		return func(c *Call) error {
			status, body := fn(c)
			return c.JSON(status, body)
		}
	}
	return []*Route{
		{Method: "POST", Path: "/sessions", OpID: "createAddressSession", Summary: "Start an address session (seed 000)", Tag: "Address sessions",
			Auth: OperatorUp, Errors: AddressStyle,
			Request: strict(obj([]string{"street1"}, map[string]Schema{"street1": strN(1, 100), "street2": strN(1, 50), "city": strN(1, 50),
				"state": Schema{"type": "string", "pattern": "^[A-Z]{2}$"}, "zip": oneOfTypes("string", "integer"),
				"latitude": number(), "longitude": number(), "campaign_id": strN(1, 100), "sync": arr(enum("geocode", "internet"))})),
			Responses: map[int]Schema{201: addressEnvelope},
			Handle:    write(func(c *Call) (int, any) { return s.deps.Address.Create(c.Principal.OrgID, c.Body()) })},
		{Method: "GET", Path: "/sessions/{token}", OpID: "getAddressSession", Summary: "Session status: 202 while working, 200 with providers, 410 closed or expired", Tag: "Address sessions",
			Auth: ViewerUp, Errors: AddressStyle,
			Responses: map[int]Schema{200: addressEnvelope, 202: addressEnvelope, 410: addressEnvelope},
			Handle:    write(func(c *Call) (int, any) { return s.deps.Address.Get(c.Principal.OrgID, c.Param("token")) })},
		{Method: "DELETE", Path: "/sessions/{token}", OpID: "closeAddressSession", Summary: "Close the session", Tag: "Address sessions",
			Auth: OperatorUp, Errors: AddressStyle,
			Responses: map[int]Schema{200: addressEnvelope, 410: addressEnvelope},
			Handle:    write(func(c *Call) (int, any) { return s.deps.Address.Delete(c.Principal.OrgID, c.Param("token")) })},
	}
}
