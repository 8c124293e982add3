package triggers

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/events"
	"github.com/humd/humd/storage/storagetest"
)

var now = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

func open(t testing.TB) storage.Store {
	return storagetest.OpenMem(t)
}

// eventFlows accepts flow_event only.
func eventFlows(id string) error {
	switch id {
	case "flow_event":
		return nil
	case "flow_voice":
		return storage.Invalid("flow_id", "must be an event-trigger flow")
	}
	return storage.Invalid("flow_id", "no such flow")
}

// TestCreateValidation: the domain rules of a trigger. A body's wire faults
// (a number for flow_id, an unknown key) are transport's to refuse:
// integrationapi's TestTriggerWireFaults.
func TestCreateValidation(t *testing.T) {
	st := open(t)
	cases := []struct {
		body  string
		field string // "" means accepted
	}{
		{`{"name":"Orders","event_name":"external.order_paid"}`, ""},
		{`{"name":"Orders","event_name":"external.a.b-c_d9","flow_id":"flow_event"}`, ""},
		{`{"name":"Orders","event_name":"external.x","flow_id":null}`, ""},
		{`{"event_name":"external.x"}`, "name"},
		{`{"name":"  ","event_name":"external.x"}`, "name"},
		{`{"name":"` + strings.Repeat("n", 121) + `","event_name":"external.x"}`, "name"},
		{`{"name":"x"}`, "event_name"},
		{`{"name":"x","event_name":"order_paid"}`, "event_name"},
		{`{"name":"x","event_name":"external."}`, "event_name"},
		{`{"name":"x","event_name":"external.Order"}`, "event_name"},
		{`{"name":"x","event_name":"external.a b"}`, "event_name"},
		{`{"name":"x","event_name":"external.` + strings.Repeat("a", 56) + `"}`, "event_name"},
		{`{"name":"x","event_name":"external.` + strings.Repeat("a", 55) + `"}`, ""},
		{`{"name":"x","event_name":"external.x","flow_id":"flow_voice"}`, "flow_id"},
		{`{"name":"x","event_name":"external.x","flow_id":"flow_nope"}`, "flow_id"},
		{`{"name":"x","event_name":"external.x","flow_id":""}`, "flow_id"},
	}
	for _, c := range cases {
		tr, token, err := create(t, st, "org_a", []byte(c.body), eventFlows, now)
		var ve *storage.ValidationError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("Create(%s) = %v; want success", c.body, err)
		case c.field == "":
			if !strings.HasPrefix(token, TokenPrefix) || len(token) < len(TokenPrefix)+43 || !strings.HasPrefix(token, tr.TokenPrefix) {
				t.Errorf("Create(%s) token = %q, prefix %q", c.body, token, tr.TokenPrefix)
			}
		case !errors.As(err, &ve) || ve.Fields[c.field] == "":
			t.Errorf("Create(%s) = %v; want a problem with %s", c.body, err, c.field)
		}
	}
}

func TestFlowCheckFailureIsNotValidation(t *testing.T) {
	st := open(t)
	boom := errors.New("disk on fire")
	_, _, err := create(t, st, "org_a", []byte(`{"name":"x","event_name":"external.x","flow_id":"f"}`),
		func(string) error { return boom }, now)
	if !errors.Is(err, boom) {
		t.Errorf("Create = %v; want %v", err, boom)
	}
}

func TestTokenLifecycle(t *testing.T) {
	st := open(t)
	tr, token, err := create(t, st, "org_a", []byte(`{"name":"Orders","event_name":"external.order_paid","flow_id":"flow_event"}`), eventFlows, now)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := st.Get(keyTrigger("org_a", tr.ID))
	if strings.Contains(string(raw), token) || !strings.Contains(string(raw), hashToken(token)) {
		t.Errorf("stored record %s holds the token, or not its hash", raw)
	}
	if out, _ := json.Marshal(tr); strings.Contains(string(out), "token_hash") || strings.Contains(string(out), hashToken(token)) {
		t.Errorf("API shape %s shows the hash", out)
	}
	got, err := Resolve(st, token)
	if err != nil || got.ID != tr.ID || got.OrgID != "org_a" {
		t.Fatalf("Resolve = %v, %v", got, err)
	}
	for _, bad := range []string{"", "trg_nope", "hum_live_x", token + "x"} {
		if _, err := Resolve(st, bad); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Resolve(%q) = %v; want not found", bad, err)
		}
	}

	_, token2, err := RotateToken(st, "org_a", tr.ID, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve(st, token); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("old token after rotation: %v; want not found", err)
	}
	if got, err := Resolve(st, token2); err != nil || got.ID != tr.ID {
		t.Errorf("new token: %v, %v", got, err)
	}
	// A stale index entry (a racing rotation's) does not resolve.
	b := st.NewBatch()
	b.Set(keyToken(hashToken(token)), ref("org_a", tr.ID))
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve(st, token); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("stale index entry resolved: %v", err)
	}

	if err := Delete(st, "org_a", tr.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve(st, token2); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("token after delete: %v; want not found", err)
	}
	if err := Delete(st, "org_a", tr.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("second delete = %v; want not found", err)
	}
}

func TestPatchAndScoping(t *testing.T) {
	st := open(t)
	tr, _, err := create(t, st, "org_a", []byte(`{"name":"Orders","event_name":"external.order_paid","flow_id":"flow_event"}`), eventFlows, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Get(st, "org_b", tr.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("org B Get = %v; want not found", err)
	}
	if _, err := patch(t, st, "org_b", tr.ID, []byte(`{"name":"x"}`), eventFlows, now); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("org B Patch = %v; want not found", err)
	}
	p, err := patch(t, st, "org_a", tr.ID, []byte(`{"name":"Paid orders","flow_id":null}`), eventFlows, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Paid orders" || p.FlowID != nil || p.EventName != "external.order_paid" || !p.UpdatedAt.Equal(now.Add(time.Hour)) {
		t.Errorf("after patch: %+v", p)
	}
	if _, err := patch(t, st, "org_a", tr.ID, []byte(`{"event_name":"sms.received"}`), eventFlows, now); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("patch to a non-external event = %v; want invalid", err)
	}
	list, next, err := List(st, "org_a", storage.PageRequest{})
	if err != nil || len(list) != 1 || next != "" || list[0].Name != "Paid orders" {
		t.Errorf("List = %v, %q, %v", list, next, err)
	}
	if list, _, _ := List(st, "org_b", storage.PageRequest{}); len(list) != 0 {
		t.Errorf("org B lists %v", list)
	}
}

func TestFireAppendsEvent(t *testing.T) {
	st := open(t)
	tr, token, err := create(t, st, "org_a", []byte(`{"name":"Orders","event_name":"external.order_paid","flow_id":"flow_event"}`), eventFlows, now)
	if err != nil {
		t.Fatal(err)
	}
	// transport/api/integrationapi decodes and checks the payload
	// (TestFirePayloadRefused there).
	payload := json.RawMessage(`{"order":42}`)
	got, _ := Resolve(st, token)
	ev, err := Fire(st, got, payload, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	evs, _, err := events.List(st, "org_a", "external.order_paid", storage.PageRequest{})
	if err != nil || len(evs) != 1 || evs[0].ID != ev.ID {
		t.Fatalf("events = %v, %v", evs, err)
	}
	var data EventData
	if err := json.Unmarshal(evs[0].Data, &data); err != nil {
		t.Fatal(err)
	}
	if data.TriggerID != tr.ID || data.FlowID != "flow_event" || string(data.Payload) != `{"order":42}` {
		t.Errorf("event data = %s", evs[0].Data)
	}
	again, _ := Get(st, "org_a", tr.ID)
	if again.LastEventID != ev.ID || again.LastFiredAt == nil || !again.LastFiredAt.Equal(now.Add(time.Minute)) {
		t.Errorf("after fire: last_event_id %q, last_fired_at %v", again.LastEventID, again.LastFiredAt)
	}
	// The marker is apart from the record: an edit keeps it, and delete drops it.
	if _, err := patch(t, st, "org_a", tr.ID, []byte(`{"name":"x"}`), eventFlows, now); err != nil {
		t.Fatal(err)
	}
	if again, _ := Get(st, "org_a", tr.ID); again.LastEventID != ev.ID {
		t.Errorf("patch lost the last fire")
	}
	if err := Delete(st, "org_a", tr.ID); err != nil {
		t.Fatal(err)
	}
	if ok, _ := st.Has(keyFired("org_a", tr.ID)); ok {
		t.Errorf("delete left the fired marker")
	}
}

// TestFireAtJSONDepthLimit: a payload at storage's nesting limit (the
// fire decoder in transport refuses deeper ones: TestPayloadWithinJSONLimits
// there) reads back in its event.
func TestFireAtJSONDepthLimit(t *testing.T) {
	deep := func(n int) string { return strings.Repeat(`{"a":`, n-1) + "{}" + strings.Repeat("}", n-1) }
	st := open(t)
	tr, token, err := create(t, st, "org_a", []byte(`{"name":"Orders","event_name":"external.order_paid"}`), eventFlows, now)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := Resolve(st, token)
	if _, err := Fire(st, got, json.RawMessage(deep(storage.MaxJSONDepth)), now); err != nil {
		t.Fatal(err)
	}
	evs, _, err := events.List(st, "org_a", "", storage.PageRequest{})
	if err != nil || len(evs) != 1 {
		t.Fatalf("events of %s = %v, %v", tr.ID, evs, err)
	}
}

// create and patch build the typed input from JSON (fromJSON),
// so the validation cases read as the requests they stand for.
func create(t *testing.T, st storage.Store, org string, body []byte, check FlowCheck, now time.Time) (*Trigger, string, error) {
	t.Helper()
	var in Input
	if err := fromJSON(body, &in); err != nil {
		return nil, "", err
	}
	return Create(st, org, in, check, now)
}

func patch(t *testing.T, st storage.Store, org, id string, body []byte, check FlowCheck, now time.Time) (*Trigger, error) {
	t.Helper()
	var in Input
	if err := fromJSON(body, &in); err != nil {
		return nil, err
	}
	return Patch(st, org, id, in, check, now)
}

// fromJSON builds a typed input from JSON as a test writes it; unknown keys
// fail. Decoding requests is transport's (transport/wire); this package takes
// the typed value.
func fromJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
