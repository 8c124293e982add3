package adminapi

import (
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/httpapi"
)

// dashboardScan bounds every count of the dashboard: it reads the newest
// threads, the unheard voicemails and the campaigns up to this many, so the
// page costs the same for an org with a million threads (counts at the
// bound say "at least").
const dashboardScan = 200

// Dashboard is GET /api/dashboard.
type Dashboard struct {
	CallsToday    int     `json:"calls_today"`
	Calls7Days    int     `json:"calls_7_days"`
	Connected7    int     `json:"connected_calls_7_days"`
	AvgDurationS7 float64 `json:"avg_duration_s_7_days"`
	// Threads counts among the dashboardScan most recent threads.
	OpenThreads       int             `json:"open_threads"`
	UnreadThreads     int             `json:"unread_threads"`
	UnheardVoicemails int             `json:"unheard_voicemails"`
	ActiveCampaigns   int             `json:"active_campaigns"`
	CountsCappedAt    int             `json:"counts_capped_at"`
	RecentActivity    []*events.Event `json:"recent_activity"`
}

func (a *API) dashboardRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Path: "/api/dashboard", OpID: "getDashboard", Tag: "Dashboard", Auth: httpapi.ViewerUp,
			Summary:   "Overview: calls today and over 7 days, open and unread threads, unheard voicemails, active campaigns, the latest 10 events",
			Responses: httpapi.Answer[Dashboard](200), Handle: a.dashboard},
	}
}

func (a *API) dashboard(c *httpapi.Call) error {
	org, st := c.Principal.OrgID, a.d.Store
	d := &Dashboard{CountsCappedAt: dashboardScan}
	week, err := calls.Analytics(st, org, 7, a.orgNow(org))
	if err != nil {
		return err
	}
	d.Calls7Days, d.Connected7, d.AvgDurationS7 = week.TotalCalls, week.Connected, week.AvgDurationS
	if n := len(week.ByDay); n > 0 {
		d.CallsToday = week.ByDay[n-1].Calls
	}
	now := a.now()
	prefix := sms.PrefixConvRecent(org)
	err = st.Scan(prefix, storage.ScanOptions{Limit: dashboardScan}, func(k, _ []byte) (bool, error) {
		conv, err := sms.GetConversation(st, org, string(k[len(prefix)+9:]))
		if err != nil {
			return false, err
		}
		if conv.Status == sms.StatusOpen && (conv.SnoozedUntil == nil || !conv.SnoozedUntil.After(now)) {
			d.OpenThreads++
		}
		if conv.UnreadCount > 0 {
			d.UnreadThreads++
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	unheard := false
	vms, _, err := calls.ListVoicemails(st, org, &unheard, storage.PageRequest{Limit: dashboardScan, Skips: c.Skips()})
	if err != nil {
		return err
	}
	d.UnheardVoicemails = len(vms)
	err = st.Scan(campaigns.PrefixCampaigns(org), storage.ScanOptions{Limit: dashboardScan}, func(_, v []byte) (bool, error) {
		var cp campaigns.Campaign
		if err := storage.DecodeJSON(v, &cp); err != nil {
			return false, err
		}
		if cp.Status == campaigns.Queued || cp.Status == campaigns.Sending || cp.Status == campaigns.Paused {
			d.ActiveCampaigns++
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	if d.RecentActivity, _, err = events.List(st, org, "", storage.PageRequest{Limit: 10, Reverse: true, Skips: c.Skips()}); err != nil {
		return err
	}
	return c.JSON(200, d)
}

// orgNow is now in the org's time zone (the clock's now without OrgNow).
func (a *API) orgNow(org string) time.Time {
	if a.d.OrgNow == nil {
		return a.now()
	}
	return a.d.OrgNow(org)
}
