package voicesvc

// The review side of the voice area: a call's tags and notes, the org's tag
// vocabulary and voicemails. Changes are messages to the call's actor
// (actors/call review.go); an unknown or another org's call is
// storage.ErrNotFound before anything else, so no actor starts for it and
// no input error is answered for it.

import (
	"context"

	"github.com/humd/humd/actors/call"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/tenancy"
)

// ListCallTags answers a call's tags (no paging: at most calls.MaxCallTags).
func (s *Voice) ListCallTags(_ context.Context, p *tenancy.Principal, callID string) ([]string, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	t, err := calls.Tags(s.d.Store, p.OrgID, callID)
	return t, "", err
}

// AddCallTag tags a call: case-insensitive, the call's existing spelling is
// kept (Added false), else the org's.
func (s *Voice) AddCallTag(_ context.Context, p *tenancy.Principal, callID string, in CallTagInput) (*CallTags, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	if _, err := calls.Get(s.d.Store, p.OrgID, callID); err != nil {
		return nil, err // another org's call is not found whatever the input
	}
	if in.Tag == nil {
		return nil, storage.Invalid("tag", "required")
	}
	r, err := askCallActor[*call.TagAdded](s, callID, &call.AddTag{OrgID: p.OrgID, Tag: *in.Tag})
	if err != nil {
		return nil, err
	}
	return &CallTags{Tag: r.Tag, Tags: r.Tags, Added: r.Added}, nil
}

// RemoveCallTag untags a call (the tag matches ignoring case);
// storage.ErrNotFound when the call does not carry it.
func (s *Voice) RemoveCallTag(_ context.Context, p *tenancy.Principal, callID, tag string) error {
	if err := need(p, tenancy.Operator); err != nil {
		return err
	}
	if _, err := calls.Get(s.d.Store, p.OrgID, callID); err != nil {
		return err
	}
	_, err := askCallActor[*calls.Call](s, callID, &call.RemoveTag{OrgID: p.OrgID, Tag: tag})
	return err
}

// ListOrgCallTags pages the org's tag vocabulary with each tag's call count,
// by case-folded tag; q.Q is a prefix ignoring case.
func (s *Voice) ListOrgCallTags(_ context.Context, p *tenancy.Principal, q ListOrgCallTagsQuery) ([]*calls.OrgTag, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return calls.ListOrgTags(s.d.Store, p.OrgID, q.Q, q.Page)
}

// ListCallNotes pages a call's notes, oldest first.
func (s *Voice) ListCallNotes(_ context.Context, p *tenancy.Principal, callID string, q ListCallNotesQuery) ([]*calls.Note, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return calls.ListNotes(s.d.Store, p.OrgID, callID, q.Page)
}

// AddCallNote adds a note to a call; its author is the principal's user.
func (s *Voice) AddCallNote(_ context.Context, p *tenancy.Principal, callID string, in calls.NoteInput) (*calls.Note, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	if _, err := calls.Get(s.d.Store, p.OrgID, callID); err != nil {
		return nil, err
	}
	return askCallActor[*calls.Note](s, callID, &call.AddNote{OrgID: p.OrgID, AuthorUserID: p.UserID, Input: in})
}

// UpdateCallNote replaces a note's body; only its author or an admin may.
func (s *Voice) UpdateCallNote(_ context.Context, p *tenancy.Principal, callID, noteID string, in calls.NoteInput) (*calls.Note, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	if _, err := calls.GetNote(s.d.Store, p.OrgID, callID, noteID); err != nil {
		return nil, err
	}
	return askCallActor[*calls.Note](s, callID, &call.EditNote{OrgID: p.OrgID, NoteID: noteID, By: noteAuthor(p), Input: in})
}

// DeleteCallNote removes a note; only its author or an admin may.
func (s *Voice) DeleteCallNote(_ context.Context, p *tenancy.Principal, callID, noteID string) error {
	if err := need(p, tenancy.Operator); err != nil {
		return err
	}
	if _, err := calls.GetNote(s.d.Store, p.OrgID, callID, noteID); err != nil {
		return err
	}
	_, err := askCallActor[*call.NoteDeleted](s, callID, &call.DeleteNote{OrgID: p.OrgID, NoteID: noteID, By: noteAuthor(p)})
	return err
}

func noteAuthor(p *tenancy.Principal) calls.Author {
	return calls.Author{UserID: p.UserID, Admin: p.Role.AtLeast(tenancy.Admin)}
}

// ListVoicemails pages the org's voicemails, newest first.
func (s *Voice) ListVoicemails(_ context.Context, p *tenancy.Principal, q ListVoicemailsQuery) ([]*calls.Voicemail, string, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, "", err
	}
	return calls.ListVoicemails(s.d.Store, p.OrgID, q.Heard, q.Page)
}

// GetVoicemail answers one voicemail.
func (s *Voice) GetVoicemail(_ context.Context, p *tenancy.Principal, id string) (*calls.Voicemail, error) {
	if err := need(p, tenancy.Viewer); err != nil {
		return nil, err
	}
	return calls.GetVoicemail(s.d.Store, p.OrgID, id)
}

// UpdateVoicemail marks a voicemail heard or unheard, through the actor of
// the call it was left on.
func (s *Voice) UpdateVoicemail(_ context.Context, p *tenancy.Principal, id string, in VoicemailInput) (*calls.Voicemail, error) {
	if err := need(p, tenancy.Operator); err != nil {
		return nil, err
	}
	v, err := calls.GetVoicemail(s.d.Store, p.OrgID, id)
	if err != nil {
		return nil, err // another org's voicemail is not found whatever the input
	}
	if in.Heard == nil {
		return nil, storage.Invalid("heard", "required")
	}
	return askCallActor[*calls.Voicemail](s, v.CallID, &call.SetHeard{OrgID: p.OrgID, VoicemailID: id, Heard: *in.Heard})
}
