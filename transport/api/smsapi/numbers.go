package smsapi

import (
	"context"

	"github.com/humd/humd/actors/service/smssvc"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

func (a *API) numberRoutes() []*httpapi.Route {
	num := httpapi.Answer[sms.Number](200)
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/numbers", OpID: "listNumbers", Summary: "The org's phone numbers", Tag: "Numbers", Auth: httpapi.ViewerUp,
			Responses: httpapi.Answer[httpapi.Page[*sms.Number]](200), Handle: a.listNumbers},
		{Method: "POST", Path: "/api/numbers", OpID: "registerNumber", Summary: "Register an existing provider number", Tag: "Numbers", Auth: httpapi.AdminUp,
			Fails: []int{402}, Request: httpapi.Type[smssvc.RegisterNumberInput](), Responses: httpapi.Answer[sms.Number](201), Handle: a.registerNumber},
		{Method: "GET", Path: "/api/numbers/{id}", OpID: "getNumber", Summary: "One number", Tag: "Numbers", Auth: httpapi.ViewerUp,
			Responses: num, Handle: a.getNumber},
		{Method: "PATCH", Path: "/api/numbers/{id}", OpID: "updateNumber", Summary: "Name a number, assign flows, enable SMS, set its rate (mps)", Tag: "Numbers", Auth: httpapi.AdminUp,
			Request: httpapi.Type[sms.NumberPatch](), Responses: num, Handle: a.updateNumber},
	}
}

func (a *API) listNumbers(c *httpapi.Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	items, next, err := a.d.Svc.ListNumbers(context.Background(), c.Principal, page)
	if err != nil {
		return err
	}
	return httpapi.List(c, items, next)
}

func (a *API) registerNumber(c *httpapi.Call) error {
	var in smssvc.RegisterNumberInput
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	n, err := a.d.Svc.RegisterNumber(context.Background(), c.Principal, in)
	if err != nil {
		return err
	}
	return c.JSON(201, n)
}

func (a *API) getNumber(c *httpapi.Call) error {
	n, err := a.d.Svc.GetNumber(context.Background(), c.Principal, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, n)
}

func (a *API) updateNumber(c *httpapi.Call) error {
	var in sms.NumberPatch
	if err := wire.DecodeStrict(c.Body(), &in); err != nil {
		return err
	}
	n, err := a.d.Svc.UpdateNumber(context.Background(), c.Principal, c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(200, n)
}
