package calls

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/humd/humd/storage"
)

// MaxNoteLen is the longest note body, in characters (SPEC 1.8).
const MaxNoteLen = 5000

// Author is who edits a note: the author may edit their own notes, an admin
// any note.
type Author struct {
	UserID string
	Admin  bool
}

func (a Author) mayEdit(n *Note) bool {
	return a.Admin || (a.UserID != "" && a.UserID == n.AuthorUserID)
}

// NoteInput is a note's {body}; a nil Body is a body left out.
type NoteInput struct {
	Body *string `json:"body"`
}

// cleanNote checks a note input and answers the trimmed body.
func cleanNote(in NoteInput) (string, error) {
	if in.Body == nil {
		return "", storage.Invalid("body", "required")
	}
	t := strings.TrimSpace(*in.Body)
	if n := utf8.RuneCountInString(t); n == 0 || n > MaxNoteLen {
		return "", storage.Invalid("body", fmt.Sprintf("must be 1-%d characters", MaxNoteLen))
	}
	return t, nil
}

// CreateNote adds a note; the author is the caller. Existence comes first:
// an unknown call is storage.ErrNotFound whatever the input, so another
// org's ids never answer 422.
func CreateNote(s storage.Store, org, callID, authorUserID string, in NoteInput, now time.Time) (*Note, error) {
	if _, err := Get(s, org, callID); err != nil {
		return nil, err
	}
	body, err := cleanNote(in)
	if err != nil {
		return nil, err
	}
	n := &Note{ID: storage.NewID("note"), CallID: callID, AuthorUserID: authorUserID, Body: body, CreatedAt: now, UpdatedAt: now}
	return n, putNote(s, org, n)
}

// GetNote loads one note of a call.
func GetNote(s storage.Store, org, callID, noteID string) (*Note, error) {
	var n Note
	if err := storage.GetJSON(s, KeyNote(org, callID, noteID), &n); err != nil {
		return nil, fmt.Errorf("calls: note %s: %w", noteID, err)
	}
	return &n, nil
}

// Notes answers every note of a call, oldest first.
func Notes(s storage.Store, org, callID string) ([]*Note, error) {
	return scanAll[Note](s, PrefixNotes(org, callID))
}

// ListNotes pages a call's notes, oldest first (storage.ErrNotFound for an
// unknown call).
func ListNotes(s storage.Store, org, callID string, page storage.PageRequest) ([]*Note, string, error) {
	if _, err := Get(s, org, callID); err != nil {
		return nil, "", err
	}
	return storage.ListPage(s, PrefixNotes(org, callID), page, func(_, v []byte) (*Note, bool, error) {
		var n Note
		err := storage.DecodeJSON(v, &n)
		return &n, err == nil, err
	})
}

// PatchNote replaces a note's body; only its author or an admin may
// (storage.ErrForbidden otherwise, checked before the body).
func PatchNote(s storage.Store, org, callID, noteID string, by Author, in NoteInput, now time.Time) (*Note, error) {
	n, err := GetNote(s, org, callID, noteID)
	if err != nil {
		return nil, err
	}
	if !by.mayEdit(n) {
		return nil, fmt.Errorf("calls: note %s belongs to another user: %w", noteID, storage.ErrForbidden)
	}
	body, err := cleanNote(in)
	if err != nil {
		return nil, err
	}
	n.Body, n.UpdatedAt = body, now
	return n, putNote(s, org, n)
}

// DeleteNote removes a note; only its author or an admin may.
func DeleteNote(s storage.Store, org, callID, noteID string, by Author) error {
	n, err := GetNote(s, org, callID, noteID)
	if err != nil {
		return err
	}
	if !by.mayEdit(n) {
		return fmt.Errorf("calls: note %s belongs to another user: %w", noteID, storage.ErrForbidden)
	}
	b := s.NewBatch()
	b.Delete(KeyNote(org, callID, noteID))
	if err := b.Commit(storage.Sync); err != nil {
		return fmt.Errorf("calls: delete note %s: %w", noteID, err)
	}
	return nil
}

// PutNote writes a note as given (seeding and tests); its fields are trusted.
func PutNote(s storage.Store, org string, n *Note) error { return putNote(s, org, n) }

func putNote(s storage.Store, org string, n *Note) error {
	b := s.NewBatch()
	b.SetJSON(KeyNote(org, n.CallID, n.ID), n)
	if err := b.Commit(storage.Sync); err != nil {
		return fmt.Errorf("calls: write note %s: %w", n.ID, err)
	}
	return nil
}
