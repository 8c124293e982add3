package smsapi

import (
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/httpapi"
)

type (
	registerNumberRequest struct {
		E164         string `json:"e164"`
		FriendlyName string `json:"friendly_name,omitempty" jsonschema:"minLength=0,maxLength=120"`
	}
	// updateNumberRequest is what sms.PatchNumber reads.
	updateNumberRequest struct {
		FriendlyName string       `json:"friendly_name,omitempty" jsonschema:"minLength=1,maxLength=120"`
		FlowID       *string      `json:"flow_id,omitempty" jsonschema:"nullable"`
		SMSFlowID    *string      `json:"sms_flow_id,omitempty" jsonschema:"nullable"`
		SMSEnabled   storage.Bool `json:"sms_enabled,omitempty"`
		MPS          float64      `json:"mps,omitempty"`
	}
)

func (a *API) numberRoutes() []*httpapi.Route {
	num := httpapi.Answer[sms.Number](200)
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/numbers", OpID: "listNumbers", Summary: "The org's phone numbers", Tag: "Numbers", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*sms.Number]](200), Handle: a.listNumbers},
		{Method: "POST", Path: "/api/numbers", OpID: "registerNumber", Summary: "Register an existing provider number", Tag: "Numbers", Auth: httpapi.AdminUp,
			Fails: []int{402}, Request: httpapi.Type[registerNumberRequest](), Responses: httpapi.Answer[sms.Number](201), Handle: a.registerNumber},
		{Method: "GET", Path: "/api/numbers/{id}", OpID: "getNumber", Summary: "One number", Tag: "Numbers", Auth: httpapi.ViewerUp,
			Responses: num, Handle: a.getNumber},
		{Method: "PATCH", Path: "/api/numbers/{id}", OpID: "updateNumber", Summary: "Name a number, assign flows, enable SMS, set its rate (mps)", Tag: "Numbers", Auth: httpapi.AdminUp,
			Request: httpapi.Type[updateNumberRequest](), Responses: num, Handle: a.updateNumber},
	}
}

func (a *API) listNumbers(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := sms.ListNumbers(a.d.Store, c.Principal.OrgID, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) registerNumber(c *httpapi.Call) error {
	var req registerNumberRequest
	if err := storage.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	maxNumbers := 0
	if a.d.NumberCap != nil {
		var err error
		if maxNumbers, err = a.d.NumberCap(c.Principal.OrgID); err != nil {
			return err
		}
	}
	n, err := sms.AddNumber(a.d.Store, c.Principal.OrgID, sms.NewNumber{E164: req.E164, FriendlyName: req.FriendlyName,
		Provider: a.providerName(), Capabilities: sms.Capabilities{Voice: true, SMS: true, MMS: true}, MaxNumbers: maxNumbers}, a.now())
	if err != nil {
		return err
	}
	return c.JSON(201, n)
}

func (a *API) getNumber(c *httpapi.Call) error {
	n, err := sms.GetNumber(a.d.Store, c.Principal.OrgID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, n)
}

func (a *API) updateNumber(c *httpapi.Call) error {
	n, err := sms.PatchNumber(a.d.Store, c.Principal.OrgID, c.Param("id"), c.Body(), a.d.FlowChannel, a.now())
	if err != nil {
		return err
	}
	if a.d.Senders != nil {
		a.d.Senders.SetRate(n)
	}
	return c.JSON(200, n)
}

// providerName labels numbers registered by hand.
func (a *API) providerName() string {
	if a.d.Sandbox {
		return "sandbox"
	}
	return "twilio"
}
