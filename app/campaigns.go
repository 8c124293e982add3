package app

import (
	"github.com/humd/humd/actors/campaign"
	"github.com/humd/humd/storage/tenancy"
)

// wireCampaigns builds the campaign service over the conversation actors and
// resumes every campaign that was queued or sending when humd stopped; rows
// caught mid-send become unknown as each actor loads (never resent).
func (a *App) wireCampaigns(ten *tenancy.Repo, flowChannel func(org, id string) (string, error)) (*campaign.Service, error) {
	svc := campaign.NewService(a.System.Root, &campaign.Deps{Store: a.Store, Clock: a.Clock, Logger: a.log, Threads: a.Actors,
		Org: ten.Org, Hours: orgHours, FlowChannel: flowChannel})
	return svc, svc.ResumeAll()
}
