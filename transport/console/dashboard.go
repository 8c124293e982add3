package console

import (
	"github.com/humd/humd/actors/service/adminsvc"
	"github.com/humd/humd/transport/httpapi"
)

// dashboard shows GET /api/dashboard's counts and latest events.
func (a *API) dashboard(c *httpapi.Call, s *session) error {
	d, err := a.d.Svc.GetDashboard(c.Ctx, s.P, adminsvc.DashboardQuery{Skips: c.Skips()})
	if err != nil {
		return err
	}
	return a.render(c, 200, s, "dashboard", "Dashboard", "dashboard", d)
}
