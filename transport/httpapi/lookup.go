package httpapi

import (
	"context"
	"errors"

	"github.com/humd/humd/actors/enrich"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

func init() {
	componentSchemas["LookupJob"] = obj([]string{"id", "status", "total", "done", "failed", "started_at", "finished_at"},
		map[string]Schema{"id": str(), "status": enum(sms.JobRunning, sms.JobCompleted, sms.JobFailed), "total": integer(),
			"done": integer(), "failed": integer(), "per_second": number(), "error": str(), "started_at": dateTime(),
			"finished_at": nullable(dateTime())})
}

func jobView(j *sms.LookupJob) map[string]any {
	v := map[string]any{"id": j.ID, "status": j.Status, "total": j.Total, "done": j.Done, "failed": j.Failed,
		"per_second": j.PerSecond, "started_at": j.StartedAt, "finished_at": j.FinishedAt}
	if j.Error != "" {
		v["error"] = j.Error
	}
	return v
}

// lookupRoutes are contact enrichment (SPEC 1.8, 1.16): a backfill job over
// the org's contacts, and a re-lookup of one contact.
func (s *Server) lookupRoutes() []*Route {
	svc := func() (*enrich.Service, error) {
		if s.deps.Enrich == nil {
			return nil, storage.Conflict("lookup_unavailable", "contact enrichment is off: no lookup provider is configured")
		}
		return s.deps.Enrich, nil
	}
	return []*Route{
		{Method: "POST", Path: "/api/contacts/backfill-lookup", OpID: "backfillContactLookup", Tag: "Contacts", Auth: AdminUp,
			Summary:       "Look up every contact without lookup data (carrier, line type, caller name) as a rate-limited job",
			RequestSchema: strict(obj(nil, map[string]Schema{"per_second": number()})),
			Schemas: map[int]Schema{202: obj([]string{"job_id", "status"}, map[string]Schema{"job_id": str(),
				"status": enum(sms.JobRunning, sms.JobCompleted, sms.JobFailed), "total": integer()})},
			Handle: func(c *Call) error {
				e, err := svc()
				if err != nil {
					return err
				}
				j, err := e.StartBackfill(c.Principal.OrgID, c.Body())
				if err != nil {
					return err
				}
				return c.JSON(202, map[string]any{"job_id": j.ID, "status": j.Status, "total": j.Total})
			}},
		{Method: "GET", Path: "/api/lookup-jobs/{id}", OpID: "getContactLookupBackfill", Tag: "Contacts", Auth: ViewerUp,
			Summary: "Progress of a lookup backfill job", Schemas: map[int]Schema{200: ref("LookupJob")},
			Handle: func(c *Call) error {
				j, err := sms.GetLookupJob(s.deps.Store, c.Principal.OrgID, c.Param("id"))
				if err != nil {
					return err
				}
				return c.JSON(200, jobView(j))
			}},
		{Method: "POST", Path: "/api/contacts/{id}/lookup", OpID: "lookupContact", Tag: "Contacts", Auth: OperatorUp,
			Summary: "Re-run enrichment for one contact now (a person's edits are kept)", Schemas: map[int]Schema{200: ref("Contact")},
			Handle: func(c *Call) error {
				e, err := svc()
				if err != nil {
					return err
				}
				ct, err := e.LookupContact(context.Background(), c.Principal.OrgID, c.Param("id"))
				if errors.Is(err, enrich.ErrLookupFailed) {
					return c.JSON(502, errorBody{Error: apiError{Code: "lookup_failed", Message: err.Error()}})
				}
				if err != nil {
					return err
				}
				return c.JSON(200, ct)
			}},
	}
}
