package httpapi

// smsRoutes are the SMS routes still served here: Twilio's SMS webhooks and
// the sandbox's inbound injection.
func (s *Server) smsRoutes() []*Route {
	ok := func(sc Schema) map[int]Schema { return map[int]Schema{200: sc} }
	twiml := Schema{"type": "string", "x-content-type": "text/xml"}
	return []*Route{
		{Method: "POST", Path: "/twilio/sms", OpID: "twilioInboundSms", Summary: "Twilio inbound SMS webhook (signed)", Tag: "Twilio", Auth: Public,
			Schemas: ok(twiml), Handle: s.twilioInbound},
		{Method: "POST", Path: "/twilio/sms/status", OpID: "twilioSmsStatus", Summary: "Twilio message status callback (signed)", Tag: "Twilio", Auth: Public,
			Schemas: ok(twiml), Handle: s.twilioStatus},
		{Method: "POST", Path: "/api/sandbox/inbound", OpID: "sandboxInbound", Summary: "Inject an inbound text (sandbox mode)", Tag: "Sandbox", Auth: OperatorUp,
			RequestSchema: strict(obj([]string{"from", "to", "body"}, map[string]Schema{"from": str(), "to": str(), "body": strN(0, 1600)})),
			Schemas:       map[int]Schema{201: obj([]string{"message"}, map[string]Schema{"message": ref("Message"), "keyword": str()})}, Handle: s.sandboxInbound},
	}
}

// tokensSchema is storage.Tokens, the AI usage an SMS run and a call record
// keep.
func tokensSchema() Schema {
	return obj([]string{"input_tokens", "output_tokens"}, map[string]Schema{"input_tokens": integer(), "output_tokens": integer()})
}
