package knowledge_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/knowledge"
	"github.com/humd/humd/storage/storagetest"
)

func open(t testing.TB) storage.Store {
	return storagetest.OpenMem(t)
}

func TestSearchRanksTheRightPassage(t *testing.T) {
	s := open(t)
	now := time.Now()
	for _, d := range []string{
		`{"title":"Opening hours","text":"We are open Monday to Friday, 9am to 5pm.\n\nOn public holidays we are closed."}`,
		`{"title":"Returns","text":"You can return any item within 30 days with the receipt.\n\nRefunds take 5 business days."}`,
		`{"title":"Shipping","text":"Orders ship within two days. Tracking numbers arrive by text."}`,
	} {
		if _, err := create(s, "org1", []byte(d), now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := create(s, "org2", []byte(`{"title":"Secret","text":"refund policy of another org"}`), now); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"what are your opening hours?":   "We are open Monday to Friday, 9am to 5pm.",
		"How long do refunds take":       "Refunds take 5 business days.",
		"where is my tracking number":    "Orders ship within two days. Tracking numbers arrive by text.",
		"are you open on public holiday": "On public holidays we are closed.",
	} {
		got, err := knowledge.Search(s, "org1", q, 3)
		if err != nil || len(got) == 0 || got[0].Text != want {
			t.Errorf("Search(%q) = %+v, %v; want first %q", q, got, err, want)
		}
	}
	if got, _ := knowledge.Search(s, "org1", "the and of", 3); len(got) != 0 {
		t.Errorf("stop words matched %v", got)
	}
	if got, _ := knowledge.Search(s, "org1", "secret", 3); len(got) != 0 {
		t.Errorf("another org's document leaked: %v", got)
	}
}

func TestValidation(t *testing.T) {
	s := open(t)
	for _, body := range []string{`{}`, `{"title":"","text":"x"}`, `{"title":"x"}`, `{"title":"x","text":"y","extra":1}`, `[]`} {
		if _, err := create(s, "o", []byte(body), time.Now()); err == nil {
			t.Errorf("Create(%s) accepted", body)
		}
	}
	d, err := create(s, "o", []byte(`{"title":"T","text":"body"}`), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := patch(s, "o", d.ID, []byte(`{"text":""}`), time.Now()); err == nil {
		t.Error("Patch emptied the text")
	}
	p, err := patch(s, "o", d.ID, []byte(`{"title":"New"}`), time.Now())
	if err != nil || p.Title != "New" || p.Text != "body" {
		t.Errorf("Patch = %+v, %v", p, err)
	}
	if _, err := knowledge.Get(s, "other", d.ID); err == nil {
		t.Error("another org read the document")
	}
}

func FuzzDocs(f *testing.F) {
	for _, b := range []string{`{"title":"T","text":"x"}`, `{"title":null}`, `{}`, `[]`, `{`, `{"text":"` + "\u00e9" + `"}`} {
		f.Add([]byte(b))
	}
	s := open(f)
	d, err := create(s, "o", []byte(`{"title":"T","text":"body"}`), time.Now())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if fromJSON(body, &knowledge.Input{}) != nil {
			return // not an input: the edge refuses such a body (transport/wire)
		}
		if got, err := create(s, "o", body, time.Now()); err == nil && (got.Title == "" || got.Text == "") {
			t.Fatalf("Create(%q) stored %+v", body, got)
		} else if err != nil && !errors.Is(err, storage.ErrInvalid) {
			t.Fatalf("Create(%q) = %v", body, err)
		}
		if _, err := patch(s, "o", d.ID, body, time.Now()); err != nil && !errors.Is(err, storage.ErrInvalid) {
			t.Fatalf("Patch(%q) = %v", body, err)
		}
		if _, err := knowledge.Search(s, "o", string(body), 3); err != nil {
			t.Fatalf("Search(%q) = %v", body, err)
		}
	})
}

// create and patch build the typed input from JSON (fromJSON),
// so the cases read as the requests they stand for.
func create(s storage.Store, org string, body []byte, now time.Time) (*knowledge.Doc, error) {
	var in knowledge.Input
	if err := fromJSON(body, &in); err != nil {
		return nil, err
	}
	return knowledge.Create(s, org, in, now)
}

func patch(s storage.Store, org, id string, body []byte, now time.Time) (*knowledge.Doc, error) {
	var in knowledge.Input
	if err := fromJSON(body, &in); err != nil {
		return nil, err
	}
	return knowledge.Patch(s, org, id, in, now)
}

// fromJSON builds a typed input from JSON as a test writes it; unknown keys
// fail. Decoding requests is transport's (transport/wire); this package takes
// the typed value.
func fromJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
