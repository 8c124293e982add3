package app_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/humd/humd/actors/enrich"
	"github.com/humd/humd/actors/service/smssvc"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
)

// invalidField checks err is a ValidationError naming the wire field.
func invalidField(t *testing.T, what string, err error, field string) {
	t.Helper()
	var ve *storage.ValidationError
	if !errors.As(err, &ve) || ve.Fields[field] == "" {
		t.Errorf("%s: err = %v; want a validation error on %q", what, err, field)
	}
}

// TestServiceSMS drives the SMS operations of actors/service without HTTP:
// a viewer may read and not write, bad input names the wire field, and
// each resource family has a happy path.
func TestServiceSMS(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	svc, ctx := s.App.Svc, context.Background()
	op := &tenancy.Principal{OrgID: s.OrgID(), Role: tenancy.Operator, KeyID: "key_op"}
	admin := &tenancy.Principal{OrgID: s.OrgID(), Role: tenancy.Admin}
	viewer := &tenancy.Principal{OrgID: s.OrgID(), Role: tenancy.Viewer}
	n := s.AddNumber("+15005550006", 1)

	// A viewer is refused every write, and no principal at all is refused.
	writes := map[string]error{}
	_, writes["createContact"] = svc.CreateContact(ctx, viewer, sms.NewContact{E164: "+13175550100"})
	_, writes["blockNumber"] = svc.BlockNumber(ctx, viewer, sms.ListEntry{E164: "+13175550100"})
	_, _, writes["addOptOut"] = svc.AddOptOut(ctx, viewer, sms.ListEntry{E164: "+13175550100"})
	writes["removeOptOut"] = svc.RemoveOptOut(ctx, viewer, "+13175550100")
	_, writes["createConversation"] = svc.CreateConversation(ctx, viewer, smssvc.CreateConversationInput{NumberID: n.ID, ContactE164: "+13175550100"}, nil)
	_, writes["closeConversation"] = svc.CloseConversation(ctx, viewer, "conv_x")
	_, writes["updateNumber"] = svc.UpdateNumber(ctx, op, n.ID, sms.NumberPatch{FriendlyName: storage.Some("Desk")}) // operators neither
	_, writes["backfillContactLookup"] = svc.BackfillContactLookup(ctx, op, enrich.BackfillInput{})
	for opID, err := range writes {
		if !errors.Is(err, storage.ErrForbidden) {
			t.Errorf("%s by a viewer (or an operator where admins only): err = %v; want ErrForbidden", opID, err)
		}
	}
	if _, err := svc.CloseConversation(ctx, nil, "conv_x"); !errors.Is(err, storage.ErrUnauthorized) {
		t.Errorf("closeConversation without a principal: err = %v; want ErrUnauthorized", err)
	}

	// Bad input names the wire field.
	_, err := svc.CreateContact(ctx, op, sms.NewContact{E164: "12"})
	invalidField(t, "createContact with a bad e164", err, "e164")
	_, _, err = svc.AddOptOut(ctx, op, sms.ListEntry{E164: "+13175550100", Reason: string(make([]rune, 501))})
	invalidField(t, "addOptOut with a long reason", err, "reason")
	_, err = svc.UpdateNumber(ctx, admin, n.ID, sms.NumberPatch{MPS: storage.Opt[float64]{Set: true, Null: true}})
	invalidField(t, "updateNumber with mps null", err, "mps")
	_, err = svc.CreateConversation(ctx, op, smssvc.CreateConversationInput{NumberID: n.ID, ContactE164: "+13175550100",
		InitialMessage: &smssvc.SendInput{}}, nil)
	invalidField(t, "createConversation with an empty first text", err, "initial_message.body")
	_, _, err = svc.ListScheduled(ctx, viewer, smssvc.ListScheduledQuery{Status: "nope"})
	invalidField(t, "listScheduled with a bad status", err, "status")

	// Contacts.
	ct, err := svc.CreateContact(ctx, op, sms.NewContact{E164: "+13175550100", Name: storage.Some("Ada")})
	if err != nil || ct.Name != "Ada" {
		t.Fatalf("createContact = %+v, %v", ct, err)
	}
	if ct, err = svc.UpdateContact(ctx, op, ct.ID, sms.ContactInput{Name: storage.Opt[string]{Set: true, Null: true},
		Tags: storage.Some([]string{"vip"})}); err != nil || ct.Name != "" || len(ct.Tags) != 1 {
		t.Errorf("updateContact = %+v, %v; want the name cleared and one tag", ct, err)
	}
	if got, _, err := svc.ListContacts(ctx, viewer, smssvc.ListContactsQuery{Tag: "VIP"}); err != nil || len(got) != 1 {
		t.Errorf("listContacts by tag = %v, %v", got, err)
	}

	// Numbers.
	if got, err := svc.UpdateNumber(ctx, admin, n.ID, sms.NumberPatch{FriendlyName: storage.Some(" Front desk "), MPS: storage.Some(2.0)}); err != nil ||
		got.FriendlyName != "Front desk" || got.MPS != 2 {
		t.Errorf("updateNumber = %+v, %v", got, err)
	}

	// Threads: open one with a first text, read it back.
	opened, err := svc.CreateConversation(ctx, op, smssvc.CreateConversationInput{NumberID: n.ID, ContactE164: "+13175550100",
		InitialMessage: &smssvc.SendInput{Body: "Hello"}}, nil)
	if err != nil || !opened.Created || opened.InitialMessage == nil || opened.Contact == nil || opened.Contact.ID != ct.ID {
		t.Fatalf("createConversation = %+v, %v", opened, err)
	}
	if got, _, err := svc.ListMessages(ctx, viewer, opened.ID, storage.PageRequest{}); err != nil || len(got) != 1 || got[0].Body != "Hello" {
		t.Errorf("listMessages = %v, %v", got, err)
	}

	// Blocklist.
	if _, err := svc.BlockNumber(ctx, op, sms.ListEntry{E164: "+13175550199"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.BlockNumber(ctx, op, sms.ListEntry{E164: "+13175550199"}); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("blocking twice: err = %v; want a conflict", err)
	}
	if err := svc.UnblockNumber(ctx, op, "+13175550199"); err != nil {
		t.Error(err)
	}

	// Opt-outs: idempotent, and opt-in answers not found the second time.
	if _, created, err := svc.AddOptOut(ctx, op, sms.ListEntry{E164: "+13175550142"}); err != nil || !created {
		t.Errorf("addOptOut = %v, %v; want created", created, err)
	}
	if _, created, err := svc.AddOptOut(ctx, op, sms.ListEntry{E164: "+13175550142"}); err != nil || created {
		t.Errorf("addOptOut again = %v, %v; want not created", created, err)
	}
	if err := svc.RemoveOptOut(ctx, op, "+13175550142"); err != nil {
		t.Error(err)
	}
	if err := svc.RemoveOptOut(ctx, op, "+13175550142"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("removeOptOut again: err = %v; want ErrNotFound", err)
	}

	// Enrichment (the harness's lookup provider).
	if _, err := svc.LookupContact(ctx, viewer, ct.ID); !errors.Is(err, storage.ErrForbidden) {
		t.Errorf("lookupContact by a viewer: err = %v; want ErrForbidden", err)
	}
	if got, err := svc.LookupContact(ctx, op, ct.ID); err != nil || got.ID != ct.ID {
		t.Errorf("lookupContact = %+v, %v", got, err)
	}
}

// TestServiceOptOutTellsEveryThread: an API opt-out is written by the
// contact's consent actor, which tells every thread of the contact, on
// every number, to cancel its pending scheduled texts (a handler writing
// the record itself would leave them pending until each came due). A
// second opt-out fires no second sms.opt_out and cancels nothing more.
func TestServiceOptOutTellsEveryThread(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	svc, ctx := s.App.Svc, context.Background()
	op := &tenancy.Principal{OrgID: s.OrgID(), Role: tenancy.Operator}
	const who = "+13175550100"
	at := s.Clock.Now().Add(48 * time.Hour)
	for _, e164 := range []string{"+15005550006", "+15005550007"} {
		n := s.AddNumber(e164, 1)
		if _, err := svc.CreateConversation(ctx, op, smssvc.CreateConversationInput{NumberID: n.ID, ContactE164: who,
			InitialMessage: &smssvc.SendInput{Body: "See you Friday", SendAt: &at}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, created, err := svc.AddOptOut(ctx, op, sms.ListEntry{E164: who, Reason: "asked by phone"}); err != nil || !created {
		t.Fatalf("addOptOut = %v, %v", created, err)
	}
	s.WaitFor("both threads' scheduled texts cancelled", func() error {
		sc, _, err := svc.ListScheduled(ctx, op, smssvc.ListScheduledQuery{Status: "all"})
		if err != nil {
			return err
		}
		if len(sc) != 2 {
			return fmt.Errorf("%d scheduled texts; want 2", len(sc))
		}
		for _, x := range sc {
			if x.Status != sms.SchedCancelled || x.Reason != "opted_out" {
				return fmt.Errorf("scheduled %s is %s (%s); want cancelled, opted_out", x.ID, x.Status, x.Reason)
			}
		}
		return nil
	})
	if _, created, err := svc.AddOptOut(ctx, op, sms.ListEntry{E164: who}); err != nil || created {
		t.Errorf("addOptOut again = %v, %v; want not created", created, err)
	}
	count := 0
	for _, e := range s.Events() {
		if e.Type == events.OptOut {
			count++
		}
	}
	if count != 1 {
		t.Errorf("%d sms.opt_out events; want 1", count)
	}
}
