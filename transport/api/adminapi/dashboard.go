package adminapi

import (
	"github.com/humd/humd/actors/service/adminsvc"
	"github.com/humd/humd/transport/httpapi"
)

// Dashboard is GET /api/dashboard (actors/service admin.go).
type Dashboard = adminsvc.Dashboard

func (a *API) dashboardRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/dashboard", OpID: "getDashboard", Tag: "Dashboard", Auth: httpapi.ViewerUp,
			Summary:   "Overview: calls today and over 7 days, open and unread threads, unheard voicemails, active campaigns, the latest 10 events",
			Responses: httpapi.Answer[Dashboard](200), Handle: a.dashboard},
	}
}

func (a *API) dashboard(c *httpapi.Call) error {
	d, err := a.d.Svc.GetDashboard(c.Ctx, c.Principal, adminsvc.DashboardQuery{Skips: c.Skips()})
	if err != nil {
		return err
	}
	return c.JSON(200, d)
}
