package events

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/storagetest"
)

// The hand-written event encoding must produce exactly what encoding/json
// produces for the same Event, since webhook signatures cover these bytes
// once they are delivered.
func TestEventAppendJSONMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 11, 26, 23, 9, 15, 443000749, time.UTC)
	for _, ev := range []Event{
		{ID: "evt_01m8d1xjaav0v408p29kb2b1x3", Seq: 42, Type: SMSReceived, OrgID: "org_1", CreatedAt: at,
			Data: Fields{{Name: "conversation", Value: json.RawMessage(`{"id":"conv_1","n":[1,2]}`)},
				{Name: "reopened", Value: json.RawMessage("false")}}.appendTo(nil)},
		{ID: "evt_2", Seq: 1, Type: "external.<odd>&\"type\"\n", OrgID: "org_ü", CreatedAt: at.Truncate(time.Second), Data: json.RawMessage(`{}`)},
		{ID: "evt_3", Seq: 1<<63 + 5, Type: OptOut, OrgID: "o", CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 100, time.UTC), Data: json.RawMessage(`null`)},
	} {
		want, err := json.Marshal(&ev)
		if err != nil {
			t.Fatal(err)
		}
		if got := ev.appendJSON(nil); string(got) != string(want) {
			t.Errorf("appendJSON =\n%s\nwant\n%s", got, want)
		}
	}
}

func TestFieldsAreValidJSON(t *testing.T) {
	raw := Fields{{Name: "a", Value: json.RawMessage(`{"x":1}`)}, {Name: "b\"<", Value: json.RawMessage(`true`)}}.appendTo(nil)
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("Fields = %s: %v", raw, err)
	}
	if got["b\"<"] != true || got["a"].(map[string]any)["x"] != 1.0 {
		t.Errorf("Fields decoded to %v", got)
	}
	if empty := (Fields{}).appendTo(nil); string(empty) != "{}" {
		t.Errorf("empty Fields = %s", empty)
	}
}

// An event appended from Fields stores what encoding/json makes of the
// answered event, whose Data is the joined object.
func TestAppendEventFields(t *testing.T) {
	s := storagetest.OpenMem(t)
	at := time.Date(2026, 11, 26, 1, 2, 3, 4, time.UTC)
	fields := Fields{{Name: "conversation", Value: []byte(`{"id":"conv_1"}`)}, {Name: "reopened", Value: []byte("true")}}
	b := s.NewBatch()
	ev, err := Append(s, b, "org_1", SMSReceived, at, fields)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	if string(ev.Data) != `{"conversation":{"id":"conv_1"},"reopened":true}` {
		t.Errorf("Data = %s", ev.Data)
	}
	stored, err := s.Get(Key("org_1", ev.Seq))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(ev)
	if string(stored) != string(want) {
		t.Errorf("stored\n%s\nwant\n%s", stored, want)
	}
}
