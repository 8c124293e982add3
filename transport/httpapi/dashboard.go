package httpapi

import (
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/campaigns"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
)

// dashboardScan bounds every count of the dashboard: it reads the newest
// threads, the unheard voicemails and the campaigns up to this many, so the
// page costs the same for an org with a million threads (counts at the
// bound say "at least").
const dashboardScan = 200

type dashboard struct {
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

func (s *Server) dashboardRoutes() []*Route {
	return []*Route{
		{Method: "GET", Path: "/api/dashboard", OpID: "getDashboard", Tag: "Dashboard", Auth: ViewerUp,
			Summary: "Overview: calls today and over 7 days, open and unread threads, unheard voicemails, active campaigns, the latest 10 events",
			Responses: map[int]Schema{200: obj([]string{"calls_today", "calls_7_days", "open_threads", "unread_threads", "unheard_voicemails",
				"active_campaigns", "counts_capped_at", "recent_activity"}, map[string]Schema{
				"calls_today": integer(), "calls_7_days": integer(), "connected_calls_7_days": integer(),
				"avg_duration_s_7_days": number(), "open_threads": integer(), "unread_threads": integer(),
				"unheard_voicemails": integer(), "active_campaigns": integer(), "counts_capped_at": integer(),
				"recent_activity": arr(ref("Event"))})},
			Handle: s.dashboard},
	}
}

func (s *Server) dashboard(c *Call) error {
	org, st := c.Principal.OrgID, s.deps.Store
	d := &dashboard{CountsCappedAt: dashboardScan}
	week, err := calls.Analytics(st, org, 7, s.orgLocalNow(org))
	if err != nil {
		return err
	}
	d.Calls7Days, d.Connected7, d.AvgDurationS7 = week.TotalCalls, week.Connected, week.AvgDurationS
	if n := len(week.ByDay); n > 0 {
		d.CallsToday = week.ByDay[n-1].Calls
	}
	now := s.deps.Clock.Now()
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
	vms, _, err := calls.ListVoicemails(st, org, &unheard, storage.PageRequest{Limit: dashboardScan, Skips: c.skips})
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
	if d.RecentActivity, _, err = events.List(st, org, "", storage.PageRequest{Limit: 10, Reverse: true, Skips: c.skips}); err != nil {
		return err
	}
	return c.JSON(200, d)
}
