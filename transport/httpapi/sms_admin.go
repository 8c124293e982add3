package httpapi

import (
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

func init() {
	componentSchemas["SyncResult"] = obj([]string{"provider", "added", "updated", "unchanged", "elsewhere", "missing"}, map[string]Schema{
		"provider": str(), "added": arr(ref("Number")), "updated": arr(ref("Number")), "unchanged": integer(),
		"elsewhere": arr(str()), "missing": arr(str())})
}

func (s *Server) smsAdminRoutes() []*Route {
	return []*Route{
		{Method: "POST", Path: "/api/numbers/sync", OpID: "syncNumbers", Summary: "Refresh the inventory from the carrier (Twilio IncomingPhoneNumbers, or the sandbox)", Tag: "Numbers", Auth: AdminUp,
			Schemas: map[int]Schema{200: ref("SyncResult")}, Handle: func(c *Call) error {
				if s.deps.Numbers == nil {
					return storage.Conflict("no_carrier", "no carrier is configured")
				}
				list, provider, err := s.deps.Numbers.ProviderNumbers()
				if err != nil {
					return err
				}
				res, err := sms.SyncNumbers(s.deps.Store, c.Principal.OrgID, provider, list, s.deps.Clock.Now())
				if err != nil {
					return err
				}
				return c.JSON(200, map[string]any{"provider": provider, "added": res.Added, "updated": res.Updated,
					"unchanged": res.Unchanged, "elsewhere": res.Elsewhere, "missing": res.Missing})
			}},
	}
}

// providerName labels numbers registered by hand.
func (s *Server) providerName() string {
	if s.deps.Sandbox {
		return "sandbox"
	}
	return "twilio"
}
