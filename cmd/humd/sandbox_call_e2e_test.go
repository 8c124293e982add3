package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app"
	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
)

// TestSandboxCallTalksToTheSeededAgent is the README's first call: a fresh
// sandbox humd, `humd sandbox call` with an operator's key (no site admin,
// so no sandbox webhook token), a question the local model answers from the
// knowledge base, a hang-up, and the stored call with its transcript.
func TestSandboxCallTalksToTheSeededAgent(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Seed: true})
	op := s.JSON("POST", "/api/api-keys", apptest.AdminKey, map[string]any{"name": "op", "role": "operator"}, 201)["key"].(string)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	code := sandboxCall(ctx, []string{"--to", app.SandboxNumber, "--url", s.URL, "--public-url", s.PublicURL, "--key", op},
		strings.NewReader("When are you open?\n/hangup\n"), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errb.String(), out.String())
	}
	text := out.String()
	for _, want := range []string{"Thanks for calling the sandbox shop", "Monday to Friday", "ended"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	var list []*calls.Call
	s.WaitFor("the call to end", func() error {
		var err error
		list, _, err = calls.List(s.App.Store, s.OrgID(), calls.Filter{}, storageFirstPage)
		if err == nil && (len(list) != 1 || list[0].EndedAt == nil) {
			err = errNotYet
		}
		return err
	})
	turns, err := calls.Turns(s.App.Store, s.OrgID(), list[0].ID)
	if err != nil || len(turns) != 3 || turns[1].Text != "When are you open?" {
		t.Errorf("transcript = %v, %v", turns, err)
	}

	// An outbound call the sandbox carrier placed is picked up the same way.
	res := s.JSON("POST", "/api/outbound/calls", apptest.AdminKey, map[string]any{"flow_id": s.App.Seeded.VoiceFlow.ID,
		"to": "+13175550142", "honor_business_hours": false}, 202)
	s.WaitFor("the carrier to place it", func() error {
		if len(s.App.Sandbox.Calls()) != 1 {
			return errNotYet
		}
		return nil
	})
	// Another org's member can neither find nor answer it.
	other := s.JSON("POST", "/api/admin/orgs", apptest.AdminKey, map[string]any{"name": "Other", "owner_email": "o@example.com"}, 201)["api_key"].(string)
	for which, want := range map[string]string{res["call_id"].(string): ": 404 ", "latest": "no outbound call"} {
		out.Reset()
		errb.Reset()
		code = sandboxCall(ctx, []string{"--answer", which, "--url", s.URL, "--public-url", s.PublicURL, "--key", other},
			strings.NewReader("/hangup\n"), &out, &errb)
		if code != 1 || out.Len() != 0 || !strings.Contains(errb.String(), want) {
			t.Errorf("another org answering %s: exit %d, stdout %q, stderr %q; want exit 1, %q and nothing played", which, code, out.String(), errb.String(), want)
		}
	}
	out.Reset()
	code = sandboxCall(ctx, []string{"--answer", "latest", "--url", s.URL, "--public-url", s.PublicURL, "--key", op},
		strings.NewReader("Do you ship fast?\n/hangup\n"), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "two business days") || !strings.Contains(out.String(), res["call_id"].(string)) {
		t.Errorf("answer exit %d: %s\n%s", code, errb.String(), out.String())
	}
}

var (
	storageFirstPage = storage.PageRequest{}
	errNotYet        = errors.New("not yet")
)
