// Package actors is the home of humd's actor kinds, one package each
// (conversation, sidstatus, consent, call, campaign, sender, webhook, crm,
// enrich, scheduler, retention, agentsession, addresssession), of the services beside
// them (httptools, mcptools, ai, call/live, the calls' live event hub), of
// the front door over them (service, one package per API area) and of what
// they share (system, clock, egress, actortest). This file holds no code: it
// is the map of who owns what.
//
// # Reaching an actor
//
// Every actor is reached by identity through system.Directory, a
// system.Ref of its kind and id; nobody keeps another actor's PID across
// messages (a request's reply future is not an actor). The kinds:
//
//	kind            id                              package
//	conv            <org>/<number>/<e164>           actors/conversation (Ref)
//	sidstatus       <shard 0..15 of a SID>          actors/sidstatus
//	consent         <org>/<e164>                    actors/consent
//	call            <call id>                       actors/call
//	campaign        <org>/<campaign>                actors/campaign
//	agsess          <org>/<session id>              actors/agentsession
//	agsess-sweeper  "" (singleton)                  actors/agentsession
//	asess           <token>                         actors/addresssession
//	sender          <number id>                     actors/sender
//	webhook         <org>/<endpoint>                actors/webhook
//	crm             <org>/<connector>               actors/crm
//	enrich          "" (singleton)                  actors/enrich
//	retention       "" (singleton)                  actors/retention
//	scheduler       "" (singleton)                  actors/scheduler
//	billing         "" (singleton)                  actors/billing
//
// Who may message whom: the edge (transport, app) reaches any kind through
// the kind's typed door (conversation.Directory, sidstatus.Directory,
// consent.Directory, call.Service, ...); campaign and scheduler tell
// threads; threads enqueue at their number's sender, which answers the
// thread's Ref; sidstatus hands a kept status to its thread, and a thread
// that learns a SID tells sidstatus (app's wiring of
// conversation.Deps.SIDKnown); consent tells every thread of its contact;
// a call hands an opt-out made on it to the contact's thread on its number,
// which records it (app's wiring of call.Deps.OptedOut,
// conversation.RecordOptOut). The receiver owns its messages: campaign,
// sidstatus and consent import conversation, never the reverse.
//
// # One writer per record family
//
// Every key family (storage/keys.go lists them all) has one owner: an actor
// package, which writes it from its actors (and its own Service, called
// from handler goroutines, where noted), or a storage repository, whose
// functions are then the one writer and may be called from anywhere above
// storage. Everyone else sends the owner a message.
//
// TestPolicy (cmd/humd) reads the table below: a writer listed under an
// actor owner may be called only from that owner's package and from the
// writer's own package (tests excepted: fixtures write what they need). The
// calls that break the rule today are listed in the policy test's
// ownershipViolations, each with the fix it waits for; that list only
// shrinks. Writers of repository-owned families are listed so the owner of
// any write can be found here, and are not restricted.
//
// Each row: the families, the owner, the storage (or actor) functions that
// write them. "direct" means the owner writes the keys itself in a batch.
//
//	family: conv/ conv-pair/ conv-recent/ msg/ msg-id/ sid/ sched/ sched-due/ sched-conv/ snooze-due/ airun/
//	        optout-suspect/
//	owner: actors/conversation
//	writers: storage/sms.PutConversation storage/sms.PutMessage storage/sms.PutInbound storage/sms.PutScheduled
//
//	family: sid-early/
//	owner: actors/sidstatus
//	writers: direct
//
// (The thread that applies a kept status deletes its sid-early/ record in
// the same batch, when sidstatus hands the status over: conversation.Status
// with Kept set.)
//
//	family: optout/
//	owner: actors/consent
//	writers: storage/sms.AddOptOut storage/sms.RemoveOptOut
//
//	family: optout/
//	owner: actors/conversation
//	writers: storage/sms.RecordOptOut
//
// (A contact's consent spans all the org's numbers and may exist with no
// thread at all, so a person's opt-out or opt-in (the API's, through
// actors/service) goes to the contact's consent actor, one per (org, e164),
// through consent.Directory.OptOut and OptIn: it writes the record and
// sms.opt_out once, idempotently, and tells every thread of the contact,
// each of which cancels its pending scheduled texts. A keyword (STOP,
// START) is written by the thread that received it, inside its inbound
// batch, and an opt-out made on a call by the contact's thread on the
// call's number (RecordOptOut); both must commit with the thread's own
// records, hence the family's second row.)
//
//	family: call/ call-sid/ call-id/ call-open/ call-open-ready call-recent/ call-turn/ call-tool/ vm/ vm-call/
//	owner: actors/call
//	writers: storage/calls.Put storage/calls.PutTurn storage/calls.PutTool storage/calls.PutVoicemail
//	         storage/calls.BackfillOpen storage/calls.SetHeard
//
//	family: call-tag/ call-tag-ready/ call-note/
//	owner: actors/call
//	writers: storage/calls.AddTag storage/calls.RemoveTag storage/calls.CreateNote storage/calls.PatchNote
//	         storage/calls.DeleteNote storage/calls.PutNote
//
//	family: camp/ camp-rcpt/ camp-active/
//	owner: actors/campaign
//	writers: storage/campaigns.Create storage/campaigns.Put storage/campaigns.PutRecipient
//
//	family: webhook-cursor/ webhook-dlv/
//	owner: actors/webhook
//	writers: storage/webhooks.PutDelivery storage/webhooks.SetCursor
//
//	family: crm-cursor/ crm-log/ crm-sync/ crm-sync-open/
//	owner: actors/crm
//	writers: storage/crm.AddLog storage/crm.PutSync storage/crm.SetCursor
//
//	family: lookup-cursor/ lookup-pending/ lookup-job/ lookup-job-active/ meta/lookup-started
//	owner: actors/enrich
//	writers: storage/sms.PutLookupJob storage/sms.PutPendingLookup storage/sms.DeletePendingLookup
//	         storage/sms.SetLookupCursor
//
//	family: agsess/ agmsg/ agsess-active/
//	owner: actors/agentsession
//	writers: direct
//
//	family: asess/ provider/
//	owner: actors/addresssession
//	writers: direct
//
//	family: approval/
//	owner: actors/mcptools
//	writers: storage/mcptools.PutApproval
//
//	family: flowtool-exec/
//	owner: actors/httptools
//	writers: storage/flowtools.AddExecution
//
//	family: event/ seq/<org>/event
//	owner: storage/events
//	writers: storage/events.Append
//
// Retention (HUMD_RETENTION_*) deletes the expired heads of three families
// owned above: the event log, webhook deliveries and AI runs. Those deletes
// have one writer, the retention actor; the owners keep every other write.
// It never deletes what an owner still holds: an event a consumer's cursor
// has not passed, a delivery still pending or retrying.
//
//	family: event/ webhook-dlv/ airun/
//	owner: actors/retention
//	writers: storage/events.Expire storage/webhooks.ExpireDeliveries storage/sms.ExpireRuns
//
//	family: seq/
//	owner: storage
//	writers: direct
//
//	family: number/ number-e164/
//	owner: storage/sms
//	writers: storage/sms.AddNumber storage/sms.RegisterNumber storage/sms.PatchNumber storage/sms.PutNumber
//	         storage/sms.SyncNumbers
//
//	family: contact/ contact-e164/
//	owner: storage/sms
//	writers: storage/sms.CreateContact storage/sms.PatchContact storage/sms.DeleteContact storage/sms.PutContact
//	         storage/sms.EnsureContact storage/sms.EnsureContactID storage/sms.ApplyLookup storage/sms.ApplyCRM
//
//	family: block/
//	owner: storage/sms
//	writers: storage/sms.AddBlock storage/sms.RemoveBlock
//
//	family: webhook/
//	owner: storage/webhooks
//	writers: storage/webhooks.Create storage/webhooks.Patch storage/webhooks.Delete storage/webhooks.Rotate
//	         storage/webhooks.Put storage/webhooks.PutIn storage/webhooks.Reseal
//
//	family: crm/
//	owner: storage/crm
//	writers: storage/crm.Create storage/crm.Patch storage/crm.Delete storage/crm.Rotate storage/crm.Reseal
//
//	family: flowtool/
//	owner: storage/flowtools
//	writers: storage/flowtools.Create storage/flowtools.Patch storage/flowtools.Delete storage/flowtools.Reseal
//
//	family: mcp/ flow-mcp/
//	owner: storage/mcptools
//	writers: storage/mcptools.Create storage/mcptools.Patch storage/mcptools.Delete storage/mcptools.Put
//	         storage/mcptools.SetFlowIntegrations storage/mcptools.Reseal
//
//	family: kb/
//	owner: storage/knowledge
//	writers: storage/knowledge.Create storage/knowledge.Patch storage/knowledge.Delete storage/knowledge.Put
//
//	family: trigger/ trigger-token/ trigger-fired/
//	owner: storage/triggers
//	writers: storage/triggers.Create storage/triggers.Patch storage/triggers.Delete storage/triggers.RotateToken
//	         storage/triggers.Fire
//
//	family: idem/ idem-due/
//	owner: storage/idem
//	writers: storage/idem.Put storage/idem.Expire
//
//	family: billing/
//	owner: storage/billing
//	writers: storage/billing.Patch
//
//	family: billing-sub/ billing-cust/ billing-evt/ billing-meter/ billing-alert/
//	owner: actors/billing
//	writers: direct
//
// (The billing actor writes a provider's records: webhook events with the
// subscription change they make, customers, usage slices and alerts. The
// Gate, in the same package, only reads them; the billing.plan_limit
// events it appends are storage/events'.)
//
//	family: brand/
//	owner: storage/brands
//	writers: storage/brands.Put storage/brands.Register storage/brands.Refresh storage/brands.RefreshOpen
//
//	family: flow/ flow-agent/
//	owner: storage/flows
//	writers: storage/flows.Repo.Create storage/flows.Repo.Patch storage/flows.Repo.Delete
//	         storage/flows.Repo.Duplicate
//
//	family: meta/bootstrap org/ user/ user-email/ member/ user-org/ invite/ apikey/ apikey-hash/ user-pw/
//	owner: storage/tenancy
//	writers: storage/tenancy.Repo.Bootstrap storage/tenancy.Repo.ProvisionOrg storage/tenancy.Repo.PatchOrg
//	         storage/tenancy.Repo.Invite storage/tenancy.Repo.RevokeInvite storage/tenancy.Repo.ChangeRole
//	         storage/tenancy.Repo.RemoveMember storage/tenancy.Repo.CreateKey storage/tenancy.Repo.RevokeKey
//	         storage/tenancy.Repo.SetPassword storage/tenancy.Repo.SignInVerified storage/tenancy.Repo.CreateOrg
//
//	family: websess/ websess-user/ signin-link/ oidc-state/
//	owner: storage/websessions
//	writers: storage/websessions.Repo.Create storage/websessions.Repo.Lookup storage/websessions.Repo.SetOrg
//	         storage/websessions.Repo.Revoke storage/websessions.Repo.RevokeUser storage/websessions.Repo.CreateLink
//	         storage/websessions.Repo.UseLink storage/websessions.Repo.PutState storage/websessions.Repo.TakeState
//
//	family: meta/sandbox-token
//	owner: app
//	writers: direct
//
// Concurrency: see each package. The rule of the house is that an actor's
// state is touched only by its own mailbox, and that no mutex is shared
// between handler goroutines and actors (TestPolicy checks the writers).
package actors
