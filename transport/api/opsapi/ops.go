package opsapi

import (
	"errors"
	"strings"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/wire"
)

// Deps are what the operations routes use.
type Deps struct {
	// Backup writes a verified backup of the live store into dir, an
	// absolute path on the server that must not exist yet.
	Backup func(dir string) (*storage.BackupManifest, error)
}

// API serves the operations routes.
type API struct{ d Deps }

// New builds the operations area.
func New(d Deps) *API { return &API{d: d} }

// BackupRequest is POST /api/admin/backup's body.
type BackupRequest struct {
	// Dir is an absolute path on the server that must not exist yet (its
	// parent must).
	Dir string `json:"dir" jsonschema:"minLength=1,maxLength=4096"`
}

// Routes lists the operations routes.
func (a *API) Routes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "POST", Path: "/api/admin/backup", OpID: "createBackup", Summary: "Write a verified online backup of the data directory (site:admin)",
			Tag: "Operations", Auth: httpapi.SiteAdmin, Fails: []int{500}, Request: httpapi.Type[BackupRequest](),
			Responses: httpapi.Answer[storage.BackupManifest](201), Handle: a.backup},
	}
}

func (a *API) backup(c *httpapi.Call) error {
	var req BackupRequest
	if err := wire.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	req.Dir = strings.TrimSpace(req.Dir)
	if req.Dir == "" {
		return storage.Invalid("dir", "is required")
	}
	m, err := a.d.Backup(req.Dir)
	switch {
	case err == nil:
		return c.JSON(201, m)
	case errors.Is(err, storage.ErrInvalid), errors.Is(err, storage.ErrConflict), errors.Is(err, storage.ErrClosed):
		return err
	}
	// The disk refused or the copy did not verify: say what happened, since
	// the operator fixes it on the server.
	return &httpapi.StatusError{Status: 500, Code: "backup_failed", Message: err.Error()}
}
