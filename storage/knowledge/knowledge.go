package knowledge

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/humd/humd/storage"
)

// Limits on a document.
const (
	MaxTitle = 200
	MaxText  = 100_000
)

// Doc is one knowledge base document.
type Doc struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Title     string    `json:"title"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func keyDoc(org, id string) []byte { return storage.Key("kb", org, id) }
func prefixDocs(org string) []byte { return storage.Prefix("kb", org) }

var locks storage.Stripes

func lock(id string) func() { return locks.Lock(id) }

// Input is a create or patch, decoded from the wire by transport (a nil
// field is absent).
type Input struct {
	Title *string `json:"title"`
	Text  *string `json:"text"`
}

func (b *Input) apply(d *Doc, create bool) error {
	v := &storage.ValidationError{}
	if b.Title != nil || create {
		t := ""
		if b.Title != nil {
			t = strings.TrimSpace(*b.Title)
		}
		if t == "" || len([]rune(t)) > MaxTitle {
			v.Addf("title", "must be 1-%d characters", MaxTitle)
		}
		d.Title = t
	}
	if b.Text != nil || create {
		t := ""
		if b.Text != nil {
			t = strings.TrimSpace(*b.Text)
		}
		if t == "" || len(t) > MaxText {
			v.Addf("text", "must be 1-%d bytes", MaxText)
		}
		d.Text = t
	}
	return v.Err()
}

// Create adds a document from a {title, text} body.
func Create(s storage.Store, org string, b Input, now time.Time) (*Doc, error) {
	d := &Doc{ID: storage.NewID("kb"), OrgID: org, CreatedAt: now, UpdatedAt: now}
	if err := b.apply(d, true); err != nil {
		return nil, err
	}
	return d, put(s, d)
}

// Put writes a document as given (seeding); its fields are trusted.
func Put(s storage.Store, d *Doc) error { return put(s, d) }

func put(s storage.Store, d *Doc) error {
	batch := s.NewBatch()
	batch.SetJSON(keyDoc(d.OrgID, d.ID), d)
	return batch.Commit(storage.Sync)
}

// Get loads one document.
func Get(s storage.Store, org, id string) (*Doc, error) {
	var d Doc
	if err := storage.GetJSON(s, keyDoc(org, id), &d); err != nil {
		return nil, fmt.Errorf("knowledge: %s: %w", id, err)
	}
	return &d, nil
}

// Patch edits a document's title and/or text.
func Patch(s storage.Store, org, id string, b Input, now time.Time) (*Doc, error) {
	defer lock(id)()
	d, err := Get(s, org, id)
	if err != nil {
		return nil, err
	}
	if err := b.apply(d, false); err != nil {
		return nil, err
	}
	d.UpdatedAt = now
	return d, put(s, d)
}

// Delete removes a document.
func Delete(s storage.Store, org, id string) error {
	defer lock(id)()
	if _, err := Get(s, org, id); err != nil {
		return err
	}
	b := s.NewBatch()
	b.Delete(keyDoc(org, id))
	return b.Commit(storage.Sync)
}

// List pages the org's documents.
func List(s storage.Store, org string, page storage.PageRequest) ([]*Doc, string, error) {
	return storage.ListPage(s, prefixDocs(org), page, func(_, v []byte) (*Doc, bool, error) {
		var d Doc
		err := json.Unmarshal(v, &d)
		return &d, err == nil, err
	})
}

// all loads every document of the org, for ranking.
func all(s storage.Store, org string) ([]*Doc, error) {
	var out []*Doc
	err := s.Scan(prefixDocs(org), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var d Doc
		if err := json.Unmarshal(v, &d); err != nil {
			return false, err
		}
		out = append(out, &d)
		return true, nil
	})
	return out, err
}
