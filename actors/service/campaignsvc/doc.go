// Package campaignsvc is the campaigns area of the front door: campaigns and
// their recipients, run by actors/campaign (transport/api/campaignapi). Its
// operations are methods of Campaigns, which actors/service.Service embeds;
// each checks the principal first (svcbase.Need) and answers typed values and
// the typed errors of package storage.
//
// Concurrency: Campaigns keeps no state beyond svcbase.Deps and is safe for
// concurrent use; writes go to their owners (actors/doc.go).
package campaignsvc
