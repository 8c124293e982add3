package adminapi

import (
	"github.com/humd/humd/actors/service/adminsvc"
	"github.com/humd/humd/transport/httpapi"
)

// StorageReport is GET /api/admin/storage (actors/service admin_storage.go).
type StorageReport = adminsvc.StorageReport

func (a *API) storageRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/admin/storage", OpID: "getStorage", Tag: "Operations", Auth: httpapi.SiteAdmin,
			Summary:   "Storage by record family (estimated bytes on disk, records, oldest and newest), and retention's next cleanup (site:admin)",
			Responses: httpapi.Answer[StorageReport](200), Handle: a.storage},
	}
}

func (a *API) storage(c *httpapi.Call) error {
	r, err := a.d.Svc.GetStorage(c.Ctx, c.Principal)
	if err != nil {
		return err
	}
	return c.JSON(200, r)
}
