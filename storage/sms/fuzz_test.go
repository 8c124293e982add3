package sms_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/storagetest"
)

// The admin writers take untrusted input: whatever the body, built from it
// as JSON into the typed input, they answer a record or a 4xx-class error
// (validation, conflict, not found), never a panic and never any other
// error.

var now = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

func openStore(t testing.TB) storage.Store {
	return storagetest.OpenMem(t)
}

func clientError(err error) bool {
	return err == nil || errors.Is(err, storage.ErrInvalid) || errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrNotFound)
}

// decode builds the typed input T from body; ok is false when body is not
// one (the edge refuses such a body before any writer runs).
func decode[T any](t *testing.T, body []byte) (T, bool) {
	var in T
	return in, fromJSON(body, &in) == nil
}

func seeds(f *testing.F, bodies ...string) {
	for _, b := range append(bodies, ``, `null`, `[]`, `{`, `{"x":1}`, `"str"`, `{"e164":null}`, `{"tags":[1,2]}`) {
		f.Add([]byte(b))
	}
}

func FuzzPatchNumber(f *testing.F) {
	seeds(f, `{"friendly_name":"Desk"}`, `{"sms_flow_id":"flow_1","mps":2.5}`, `{"flow_id":null,"sms_enabled":true}`, `{"mps":-1}`, `{"mps":1e309}`)
	s := openStore(f)
	n, err := sms.RegisterNumber(s, "org", "+13175550100", "", "sandbox", now)
	if err != nil {
		f.Fatal(err)
	}
	channel := func(org, id string) (string, error) {
		if id == "flow_1" {
			return "sms", nil
		}
		return "", storage.ErrNotFound
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, ok := decode[sms.NumberPatch](t, body)
		if !ok {
			return
		}
		got, err := sms.PatchNumber(s, "org", n.ID, in, channel, now)
		if !clientError(err) {
			t.Fatalf("PatchNumber(%q) = %v", body, err)
		}
		if err == nil && (got.MPS <= 0 || got.MPS > sms.MaxMPS || got.FriendlyName == "") {
			t.Fatalf("PatchNumber(%q) stored %+v", body, got)
		}
	})
}

func FuzzContacts(f *testing.F) {
	seeds(f, `{"e164":"+13175550100","name":"Ada","tags":["vip"]}`, `{"e164":"+13175550101","email":"a@b.co"}`, `{"first_name":"x"}`)
	s := openStore(f)
	c, err := sms.CreateContact(s, "org", sms.NewContact{E164: "+13175550199"}, now)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if in, ok := decode[sms.NewContact](t, body); ok {
			if _, err := sms.CreateContact(s, "org", in, now); !clientError(err) {
				t.Fatalf("CreateContact(%q) = %v", body, err)
			}
		}
		if in, ok := decode[sms.ContactInput](t, body); ok {
			if _, err := sms.PatchContact(s, "org", c.ID, in, now); !clientError(err) {
				t.Fatalf("PatchContact(%q) = %v", body, err)
			}
		}
	})
}

func FuzzLists(f *testing.F) {
	seeds(f, `{"e164":"+13175550100"}`, `{"e164":"+13175550100","reason":"spam"}`, `{"e164":"12"}`)
	s := openStore(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		in, ok := decode[sms.ListEntry](t, body)
		if !ok {
			return
		}
		if _, err := sms.AddBlock(s, "org", in, now); !clientError(err) {
			t.Fatalf("AddBlock(%q) = %v", body, err)
		}
		if _, _, err := sms.AddOptOut(s, "org", in, "api", now); !clientError(err) {
			t.Fatalf("AddOptOut(%q) = %v", body, err)
		}
	})
}

// fromJSON builds a typed input from JSON as a test writes it; unknown keys
// fail. Decoding requests is transport's (transport/wire); this package takes
// the typed value.
func fromJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
