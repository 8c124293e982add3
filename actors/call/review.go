package call

import (
	"fmt"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
)

// Review changes (tags, notes, a voicemail's heard flag) come to the call's
// actor, the one writer of its record, notes and voicemail, so they are
// applied in order with the call's own writes. A call that ended long ago
// has no actor running: the directory starts one, it loads the record and
// passivates again once idle. Each message names the org asking; another
// org's call is storage.ErrNotFound.

// AddTag tags the call (storage/calls.AddTag's rules: case-insensitive per
// call, the org's spelling for a tag new to the call). Answered with
// *TagAdded.
type AddTag struct {
	OrgID string
	Tag   string
}

// TagAdded answers AddTag: the tag as kept, whether the call did not carry
// it yet, and all of the call's tags.
type TagAdded struct {
	Tag   string
	Added bool
	Tags  []string
}

// RemoveTag untags the call (the tag matches ignoring case). Answered with
// *calls.Call.
type RemoveTag struct {
	OrgID string
	Tag   string
}

// AddNote adds a note by AuthorUserID. Answered with *calls.Note.
type AddNote struct {
	OrgID        string
	AuthorUserID string
	Input        calls.NoteInput
}

// EditNote replaces a note's body, if By may edit it. Answered with
// *calls.Note.
type EditNote struct {
	OrgID  string
	NoteID string
	By     calls.Author
	Input  calls.NoteInput
}

// DeleteNote removes a note, if By may. Answered with *NoteDeleted.
type DeleteNote struct {
	OrgID  string
	NoteID string
	By     calls.Author
}

// NoteDeleted answers DeleteNote.
type NoteDeleted struct{ NoteID string }

// SetHeard marks the call's voicemail VoicemailID heard or unheard.
// Answered with *calls.Voicemail.
type SetHeard struct {
	OrgID       string
	VoicemailID string
	Heard       bool
}

// orgScoped is a message that names the org asking, so a call record the
// call-id index does not list (written before it existed) is still found.
type orgScoped interface{ askingOrg() string }

func (m *AddTag) askingOrg() string     { return m.OrgID }
func (m *RemoveTag) askingOrg() string  { return m.OrgID }
func (m *AddNote) askingOrg() string    { return m.OrgID }
func (m *EditNote) askingOrg() string   { return m.OrgID }
func (m *DeleteNote) askingOrg() string { return m.OrgID }
func (m *SetHeard) askingOrg() string   { return m.OrgID }

// reviewed answers the call for a review change by org.
func (a *Actor) reviewed(org string) (*calls.Call, error) {
	if a.call == nil || a.call.OrgID != org {
		return nil, fmt.Errorf("call %s: %w", a.id, storage.ErrNotFound)
	}
	return a.call, nil
}

// reload takes the record as the review change left it.
func (a *Actor) reload() error {
	c, err := calls.Get(a.d.Store, a.call.OrgID, a.id)
	if err != nil {
		return err
	}
	a.call = c
	return nil
}

func (a *Actor) onAddTag(m *AddTag) (*TagAdded, error) {
	c, err := a.reviewed(m.OrgID)
	if err != nil {
		return nil, err
	}
	tag, added, err := calls.AddTag(a.d.Store, c.OrgID, c.ID, m.Tag, a.now())
	if err != nil {
		return nil, err
	}
	if err := a.reload(); err != nil {
		return nil, err
	}
	return &TagAdded{Tag: tag, Added: added, Tags: append([]string{}, a.call.Tags...)}, nil
}

func (a *Actor) onRemoveTag(m *RemoveTag) (*calls.Call, error) {
	c, err := a.reviewed(m.OrgID)
	if err != nil {
		return nil, err
	}
	if err := calls.RemoveTag(a.d.Store, c.OrgID, c.ID, m.Tag, a.now()); err != nil {
		return nil, err
	}
	if err := a.reload(); err != nil {
		return nil, err
	}
	return a.current()
}

func (a *Actor) onAddNote(m *AddNote) (*calls.Note, error) {
	c, err := a.reviewed(m.OrgID)
	if err != nil {
		return nil, err
	}
	return calls.CreateNote(a.d.Store, c.OrgID, c.ID, m.AuthorUserID, m.Input, a.now())
}

func (a *Actor) onEditNote(m *EditNote) (*calls.Note, error) {
	c, err := a.reviewed(m.OrgID)
	if err != nil {
		return nil, err
	}
	return calls.PatchNote(a.d.Store, c.OrgID, c.ID, m.NoteID, m.By, m.Input, a.now())
}

func (a *Actor) onDeleteNote(m *DeleteNote) (*NoteDeleted, error) {
	c, err := a.reviewed(m.OrgID)
	if err != nil {
		return nil, err
	}
	if err := calls.DeleteNote(a.d.Store, c.OrgID, c.ID, m.NoteID, m.By); err != nil {
		return nil, err
	}
	return &NoteDeleted{NoteID: m.NoteID}, nil
}

func (a *Actor) onSetHeard(m *SetHeard) (*calls.Voicemail, error) {
	c, err := a.reviewed(m.OrgID)
	if err != nil {
		return nil, err
	}
	vm, err := calls.GetVoicemail(a.d.Store, c.OrgID, m.VoicemailID)
	if err != nil {
		return nil, err
	}
	if vm.CallID != c.ID {
		return nil, fmt.Errorf("voicemail %s is not call %s's: %w", m.VoicemailID, c.ID, storage.ErrNotFound)
	}
	return calls.SetHeard(a.d.Store, c.OrgID, m.VoicemailID, m.Heard)
}
