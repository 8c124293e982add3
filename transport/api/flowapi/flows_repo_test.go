package flowapi

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/storagetest"
)

// These tests moved from storage/flows when its Repo began taking a typed
// input: they post wire bodies.

// repo is a flows.Repo fed the way the API feeds it: each body goes
// through decodeFlow first, so these cases cover the wire decoding and the
// repository's checks together.
type repo struct{ *flows.Repo }

func (r repo) Create(org string, body []byte) (*flows.Flow, error) {
	in, err := decodeFlow(body)
	if err != nil {
		return nil, err
	}
	return r.Repo.Create(org, in)
}

func (r repo) Patch(org, id string, body []byte) (*flows.Flow, error) {
	in, err := decodeFlow(body)
	if err != nil {
		return nil, err
	}
	return r.Repo.Patch(org, id, in)
}

func newRepo(t testing.TB) repo {
	t.Helper()
	st := storagetest.OpenMem(t)
	return repo{&flows.Repo{Store: st}}
}

func TestCreateValidation(t *testing.T) {
	r := newRepo(t)
	long := func(n int) string { return strings.Repeat("a", n) }
	cases := []struct {
		body  string
		field string // "" means accepted
	}{
		{`{"name":"Front desk"}`, ""},
		{`{}`, "name"},
		{`{"name":""}`, "name"},
		{`{"name":"` + long(121) + `"}`, "name"},
		{`{"name":"` + long(120) + `"}`, ""},
		{`{"name":1}`, "name"},
		{`{"name":"x","kind":"sideways"}`, "kind"},
		{`{"name":"x","kind":"outbound"}`, ""},
		{`{"name":"x","channel":"fax"}`, "channel"},
		{`{"name":"x","trigger_type":"email"}`, "trigger_type"},
		{`{"name":"x","trigger_type":"event"}`, "trigger_events"},
		{`{"name":"x","trigger_type":"event","trigger_events":["external.paid"]}`, ""},
		{`{"name":"x","trigger_events":"external.paid"}`, "trigger_events"},
		{`{"name":"x","channel":"sms","trigger_type":"call"}`, "trigger_type"},
		{`{"name":"x","greeting":"` + long(1001) + `"}`, "greeting"},
		{`{"name":"x","system_prompt":"` + long(32001) + `"}`, "system_prompt"},
		{`{"name":"x","model":"` + long(101) + `"}`, "model"},
		{`{"name":"x","voicemail_enabled":1,"announce_recording":0}`, ""},
		{`{"name":"x","voicemail_enabled":2}`, "voicemail_enabled"},
		{`{"name":"x","voicemail_enabled":"yes"}`, "voicemail_enabled"},
		{`{"name":"x","business_hours_json":{"timezone":"Nowhere/City","weekly":{}}}`, "business_hours_json.timezone"},
		{`{"name":"x","business_hours_json":{"timezone":"UTC","weekly":{"mon":[["09:00","08:00"]]}}}`, "business_hours_json.weekly.mon[0]"},
		{`{"name":"x","business_hours_json":null}`, ""},
		{`{"name":"x","transfers_json":[{"label":"desk","e164":"+13175550100"}]}`, ""},
		{`{"name":"x","transfers_json":[{"label":"desk","e164":"+13175550100"},{"label":"sales","flow_id":"flow_x"}]}`, "transfers_json[1].flow_id"},
		{`{"name":"x","transfers_json":[{"label":"desk","e164":"555"}]}`, "transfers_json[0].e164"},
		{`{"name":"x","transfers_json":[{"label":"desk"}]}`, "transfers_json[0]"},
		{`{"name":"x","transfers_json":[{"label":"","e164":"+13175550100"}]}`, "transfers_json[0].label"},
		{`{"name":"x","transfers_json":{"label":"desk"}}`, "transfers_json"},
		{`{"name":"x","tools_json":[1]}`, "tools_json"},
		{`{"name":"x","tools_json":{"builtin":["assign_to_human"]}}`, ""},
		{`{"name":"x","tools_json":{"builtin":["end_call","send_digits"],"notes":"kept"}}`, ""},
		{`{"name":"x","tools_json":{"builtin":[]}}`, ""},
		{`{"name":"x","tools_json":{"builtin":["end_call","hang_up"]}}`, "tools_json.builtin[1]"},
		{`{"name":"x","tools_json":{"builtin":[1]}}`, "tools_json.builtin[0]"},
		{`{"name":"x","tools_json":{"builtin":"end_call"}}`, "tools_json.builtin"},
		{`{"name":"x","channel":"sms","sms_config_json":{"max_reply_chars":0}}`, "sms_config_json.max_reply_chars"},
		{`{"name":"x","channel":"sms","sms_config_json":{"max_reply_chars":1601}}`, "sms_config_json.max_reply_chars"},
		{`{"name":"x","channel":"sms","sms_config_json":{"debounce_ms":30001}}`, "sms_config_json.debounce_ms"},
		{`{"name":"x","channel":"sms","sms_config_json":{"debounce_ms":-1}}`, "sms_config_json.debounce_ms"},
		{`{"name":"x","channel":"sms","sms_config_json":{"max_turns_per_window":501}}`, "sms_config_json.max_turns_per_window"},
		{`{"name":"x","channel":"sms","sms_config_json":{"max_messages_per_run":6}}`, "sms_config_json.max_messages_per_run"},
		{`{"name":"x","channel":"sms","sms_config_json":{"max_pending_followups":21}}`, "sms_config_json.max_pending_followups"},
		{`{"name":"x","channel":"sms","sms_config_json":{"max_tool_calls_per_turn":33}}`, "sms_config_json.max_tool_calls_per_turn"},
		{`{"name":"x","channel":"sms","sms_config_json":{"debounce_ms":1.5}}`, "sms_config_json.debounce_ms"},
		{`{"name":"x","channel":"sms","sms_config_json":{"honor_quiet_hours":false}}`, "sms_config_json.honor_quiet_hours"},
		{`{"name":"x","channel":"sms","sms_config_json":{"colour":"red"}}`, "sms_config_json.colour"},
		{`{"name":"x","channel":"sms","sms_config_json":{"max_reply_chars":10,"fallback_message":"this is far too long"}}`, "sms_config_json.fallback_message"},
		{`{"name":"x","channel":"sms","sms_config_json":{"fallback_message":"Sorry!","reply_after_hours":true}}`, ""},
		{`{"name":"x","colour":"red"}`, "colour"},
		{`{"name":"x","avatar_id":-1}`, "avatar_id"},
		{`[]`, "body"},
		{`{"name":"x"`, "body"},
	}
	for _, c := range cases {
		_, err := r.Create("org_a", []byte(c.body))
		if c.field == "" {
			if err != nil {
				t.Errorf("Create(%.80s) = %v; want ok", c.body, err)
			}
			continue
		}
		var ve *storage.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("Create(%.80s) = %v; want 422 on %s", c.body, err, c.field)
			continue
		}
		if _, ok := ve.Fields[c.field]; !ok {
			t.Errorf("Create(%.80s) flagged %v; want %s", c.body, ve.Fields, c.field)
		}
	}
}

func TestDefaultsAndAgentIDs(t *testing.T) {
	r := newRepo(t)
	f, err := r.Create("org_a", []byte(`{"name":"Texts","channel":"sms"}`))
	if err != nil {
		t.Fatal(err)
	}
	if f.TriggerType != "message" || f.Kind != "inbound" || f.SMSConfigJSON == nil || f.SMSConfigJSON.DebounceMS != 1500 ||
		f.SMSConfigJSON.MaxReplyChars != 1600 || f.SMSConfigJSON.MaxTurnsPerWindow != 30 || f.SMSConfigJSON.MaxMessagesPerRun != 2 ||
		f.SMSConfigJSON.MaxPendingFollowups != 3 || f.SMSConfigJSON.MaxToolCallsPerTurn != 8 || !f.SMSConfigJSON.HonorQuietHours {
		t.Errorf("sms flow defaults = %+v / %+v", f, f.SMSConfigJSON)
	}
	v, _ := r.Create("org_a", []byte(`{"name":"Calls"}`))
	b1, _ := r.Create("org_b", []byte(`{"name":"B calls"}`))
	if f.AgentID != 1 || v.AgentID != 2 || b1.AgentID != 1 || v.TriggerType != "call" {
		t.Errorf("agent ids = %d, %d, org b %d; want 1, 2, 1", f.AgentID, v.AgentID, b1.AgentID)
	}
	got, err := r.ByAgentID("org_a", 2)
	if err != nil || got.ID != v.ID {
		t.Errorf("ByAgentID(org_a, 2) = %v, %v", got, err)
	}
	if _, err := r.ByAgentID("org_b", 2); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("ByAgentID across orgs = %v; want not found", err)
	}
}

func TestPatchTenancyDuplicateDelete(t *testing.T) {
	r := newRepo(t)
	f, _ := r.Create("org_a", []byte(`{"name":"Texts","channel":"sms","greeting":"hi","sms_config_json":{"fallback_message":"sorry"}}`))
	p, err := r.Patch("org_a", f.ID, []byte(`{"greeting":null,"sms_config_json":{"debounce_ms":0}}`))
	if err != nil || p.Greeting != "" || p.SMSConfigJSON.DebounceMS != 0 || p.Name != "Texts" {
		t.Fatalf("patch = %+v, %v", p, err)
	}
	if _, err := r.Patch("org_a", f.ID, []byte(`{"trigger_type":"event"}`)); err == nil {
		t.Errorf("patch to event with no trigger_events accepted")
	}
	for _, op := range []func() error{
		func() error { _, err := r.Get("org_b", f.ID); return err },
		func() error { _, err := r.Patch("org_b", f.ID, []byte(`{"name":"stolen"}`)); return err },
		func() error { return r.Delete("org_b", f.ID) },
		func() error { _, err := r.Duplicate("org_b", f.ID); return err },
	} {
		if err := op(); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("cross-org operation = %v; want not found", err)
		}
	}
	d, err := r.Duplicate("org_a", f.ID)
	if err != nil || d.ID == f.ID || d.AgentID == f.AgentID || d.Name != "Texts (copy)" {
		t.Errorf("duplicate = %+v, %v", d, err)
	}
	r.Referenced = func(org, id string) (flows.Refs, error) {
		if id == f.ID {
			return flows.Refs{SMS: 1}, nil
		}
		return flows.Refs{}, nil
	}
	if err := r.Delete("org_a", f.ID); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("delete of a flow in use = %v; want conflict", err)
	}
	if err := r.Delete("org_a", d.ID); err != nil {
		t.Errorf("delete = %v", err)
	}
	if _, err := r.Get("org_a", d.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("deleted flow still there: %v", err)
	}
	if _, err := r.ByAgentID("org_a", d.AgentID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("deleted flow's agent id still resolves: %v", err)
	}
}

func TestListFiltersAndPages(t *testing.T) {
	r := newRepo(t)
	for i := 0; i < 5; i++ {
		ch := "voice"
		if i%2 == 0 {
			ch = "sms"
		}
		if _, err := r.Create("org_a", []byte(fmt.Sprintf(`{"name":"f%d","channel":%q}`, i, ch))); err != nil {
			t.Fatal(err)
		}
	}
	sms, next, err := r.List("org_a", flows.Filter{Channel: "sms"}, storage.PageRequest{Limit: 2})
	if err != nil || len(sms) != 2 || next == "" {
		t.Fatalf("page 1 = %d items, next %q, %v", len(sms), next, err)
	}
	rest, next2, _ := r.List("org_a", flows.Filter{Channel: "sms"}, storage.PageRequest{Limit: 2, Cursor: next})
	if len(rest) != 1 || next2 != "" || rest[0].Name != "f4" {
		t.Errorf("page 2 = %v, next %q", rest, next2)
	}
	if _, _, err := r.List("org_a", flows.Filter{Channel: "fax"}, storage.PageRequest{}); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("bad filter = %v; want 422", err)
	}
	if other, _, _ := r.List("org_b", flows.Filter{}, storage.PageRequest{}); len(other) != 0 {
		t.Errorf("org_b sees %d flows", len(other))
	}
}

func TestConcurrentPatchesLoseNothing(t *testing.T) {
	r := newRepo(t)
	f, _ := r.Create("org_a", []byte(`{"name":"x","channel":"sms"}`))
	var wg sync.WaitGroup
	fields := []string{`{"greeting":"g"}`, `{"system_prompt":"p"}`, `{"model":"m"}`, `{"voice_id":"v"}`, `{"voicemail_enabled":true}`}
	for _, body := range fields {
		wg.Add(1)
		go func(b string) {
			defer wg.Done()
			if _, err := r.Patch("org_a", f.ID, []byte(b)); err != nil {
				t.Error(err)
			}
		}(body)
	}
	wg.Wait()
	got, _ := r.Get("org_a", f.ID)
	if got.Greeting != "g" || got.SystemPrompt != "p" || got.Model != "m" || got.VoiceID != "v" || !got.VoicemailEnabled {
		t.Errorf("after concurrent patches = %+v", got)
	}
}

func fuzzFlows(f *testing.F, call func(r repo, id string, body []byte) error) {
	for _, s := range []string{`{"name":"x"}`, `{"name":"x","channel":"sms","sms_config_json":{"debounce_ms":5}}`, `{}`, `null`, `[]`,
		`{"name":"x","transfers_json":[{"label":"a","e164":"+13175550100"}]}`, `{"business_hours_json":{"timezone":"UTC","weekly":{}}}`} {
		f.Add([]byte(s))
	}
	r := newRepo(f)
	seed, err := r.Create("org_a", []byte(`{"name":"seed","channel":"sms"}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		err := call(r, seed.ID, body)
		if err != nil && !errors.Is(err, storage.ErrInvalid) {
			t.Fatalf("%q: %v; want success or 422", body, err)
		}
	})
}

func FuzzCreateFlow(f *testing.F) {
	fuzzFlows(f, func(r repo, _ string, b []byte) error { _, err := r.Create("org_a", b); return err })
}

func FuzzPatchFlow(f *testing.F) {
	fuzzFlows(f, func(r repo, id string, b []byte) error { _, err := r.Patch("org_a", id, b); return err })
}

// TestTransferTargetsAndRefs: a transfer's flow_id names another voice flow
// of the org, and being a transfer's target counts as a use: no delete, no
// switch to SMS, until the transfer goes.
func TestTransferTargetsAndRefs(t *testing.T) {
	r := newRepo(t)
	mk := func(org, body string) *flows.Flow {
		t.Helper()
		f, err := r.Create(org, []byte(body))
		if err != nil {
			t.Fatalf("Create(%s) = %v", body, err)
		}
		return f
	}
	sales := mk("org_a", `{"name":"Sales"}`)
	texts := mk("org_a", `{"name":"Texts","channel":"sms"}`)
	theirs := mk("org_b", `{"name":"Theirs"}`)
	for _, id := range []string{texts.ID, theirs.ID, "flow_nope"} {
		_, err := r.Create("org_a", []byte(`{"name":"Front","transfers_json":[{"label":"a","flow_id":"`+id+`"}]}`))
		var ve *storage.ValidationError
		if !errors.As(err, &ve) || ve.Fields["transfers_json[0].flow_id"] == "" {
			t.Errorf("transfer to %s = %v; want 422 on transfers_json[0].flow_id", id, err)
		}
	}
	front := mk("org_a", `{"name":"Front","transfers_json":[{"label":"a","flow_id":"`+sales.ID+`"}]}`)
	if _, err := r.Patch("org_a", sales.ID, []byte(`{"channel":"sms","trigger_type":"message"}`)); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("switching a transfer target to sms = %v; want conflict", err)
	}
	if err := r.Delete("org_a", sales.ID); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("deleting a transfer target = %v; want conflict", err)
	}
	if _, err := r.Patch("org_a", front.ID, []byte(`{"transfers_json":null}`)); err != nil {
		t.Fatal(err)
	}
	if err := r.Delete("org_a", sales.ID); err != nil {
		t.Errorf("delete once the transfer is gone = %v", err)
	}

	// A flow saved before transfers were checked, pointing at a flow that is
	// gone, can still be renamed; setting the bad transfer again cannot.
	old := mk("org_a", `{"name":"Old"}`)
	old.TransfersJSON = []flows.Transfer{{Label: "a", FlowID: "flow_gone"}}
	b := r.Store.NewBatch()
	b.SetJSON(storage.Key("flow", "org_a", old.ID), old)
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	if f, err := r.Patch("org_a", old.ID, []byte(`{"name":"Old, renamed"}`)); err != nil || f.Name != "Old, renamed" {
		t.Errorf("renaming a flow with an old transfer = %v, %v; want it renamed", f, err)
	}
	var ve *storage.ValidationError
	if _, err := r.Patch("org_a", old.ID, []byte(`{"transfers_json":[{"label":"a","flow_id":"flow_gone"}]}`)); !errors.As(err, &ve) {
		t.Errorf("setting a transfer to a missing flow = %v; want 422", err)
	}
}
