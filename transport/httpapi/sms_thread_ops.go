package httpapi

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

// threadOp asks a thread of the caller's org (route {id}) and answers the
// conversation it returns.
func threadOp(s *Server, c *Call, msg any) error {
	conv, err := s.conversation(c)
	if err != nil {
		return err
	}
	res, err := askThread[*sms.Conversation](s, conv.OrgID, conv.NumberID, conv.ContactE164, msg)
	if err != nil {
		return err
	}
	return c.JSON(200, s.viewConversation(res))
}

func (s *Server) patchConversation(c *Call) error {
	raw := map[string]json.RawMessage{}
	body := c.Body()
	if err := storage.DecodeStrict(body, &raw); err != nil {
		return err
	}
	var req struct {
		Assignee     *string    `json:"assignee_user_id"`
		Status       *string    `json:"status"`
		AIPaused     *bool      `json:"ai_paused"`
		SnoozedUntil *time.Time `json:"snoozed_until"`
	}
	if err := storage.DecodeStrict(body, &req); err != nil {
		return err
	}
	p := &conversation.Patch{Status: req.Status, AIPaused: req.AIPaused, By: sms.Author{Type: "api", ID: c.Principal.KeyID}}
	v := &storage.ValidationError{}
	if _, ok := raw["assignee_user_id"]; ok {
		p.SetAssignee, p.Assignee = true, req.Assignee
		if req.Assignee != nil && !s.isMember(c.Principal.OrgID, *req.Assignee) {
			v.Add("assignee_user_id", "must be a member of the org")
		}
	}
	if req.Status != nil && *req.Status != sms.StatusOpen && *req.Status != sms.StatusClosed {
		v.Add("status", "must be open or closed")
	}
	if _, ok := raw["snoozed_until"]; ok {
		p.SetSnooze, p.SnoozedUntil = true, req.SnoozedUntil
		if req.SnoozedUntil != nil && !req.SnoozedUntil.After(s.deps.Clock.Now()) {
			v.Add("snoozed_until", "must be in the future (or null to clear)")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	return threadOp(s, c, p)
}

func (s *Server) isMember(orgID, userID string) bool {
	ok, err := s.deps.Store.Has(storage.Key("member", orgID, userID))
	return err == nil && ok
}

func (s *Server) listMessages(c *Call) error {
	conv, err := s.conversation(c)
	if err != nil {
		return err
	}
	page, err := c.Page()
	if err != nil {
		return err
	}
	page.Reverse = true // newest first
	items, next, err := storage.ListPage(s.deps.Store, sms.PrefixMsgs(conv.OrgID, conv.ID), page, func(_, v []byte) (*sms.Message, bool, error) {
		var m sms.Message
		return &m, true, json.Unmarshal(v, &m)
	})
	if err != nil {
		return err
	}
	return List(c, items, next)
}

func (s *Server) sendMessage(c *Call) error {
	conv, err := s.conversation(c)
	if err != nil {
		return err
	}
	var req sendBody
	if err := storage.DecodeStrict(c.Body(), &req); err != nil {
		return err
	}
	send, err := req.toSend(c, "", s.deps.Clock.Now())
	if err != nil {
		return err
	}
	if err := s.limitThreadSends(c, conv.NumberID, conv.ContactE164); err != nil {
		return err
	}
	res, err := askThread[*conversation.SendResult](s, conv.OrgID, conv.NumberID, conv.ContactE164, send)
	if err != nil {
		return err
	}
	status, body := sendView(res)
	return c.JSON(status, body)
}

func (s *Server) listScheduled(c *Call) error {
	page, err := c.Page()
	if err != nil {
		return err
	}
	q := c.Ctx.QueryArgs()
	convID, source, status := string(q.Peek("conversation_id")), string(q.Peek("source")), string(q.Peek("status"))
	if source != "" && !strings.Contains(" manual ai_followup quiet_hours campaign ", " "+source+" ") {
		return storage.Invalid("source", "must be manual, ai_followup, quiet_hours or campaign")
	}
	if status == "" {
		status = sms.SchedPending
	} else if !strings.Contains(" pending sent cancelled failed opted_out all ", " "+status+" ") {
		return storage.Invalid("status", "must be pending, sent, cancelled, failed, opted_out or all")
	}
	items, next, err := storage.ListPage(s.deps.Store, sms.PrefixSched(c.Principal.OrgID), page, func(_, v []byte) (*sms.Scheduled, bool, error) {
		var sc sms.Scheduled
		if err := json.Unmarshal(v, &sc); err != nil {
			return nil, false, err
		}
		keep := (convID == "" || sc.ConversationID == convID) && (source == "" || sc.Source == source) && (status == "all" || sc.Status == status)
		return &sc, keep, nil
	})
	if err != nil {
		return err
	}
	return List(c, items, next)
}

func (s *Server) cancelScheduled(c *Call) error {
	sc, err := sms.GetScheduled(s.deps.Store, c.Principal.OrgID, c.Param("id"))
	if err != nil {
		return err
	}
	res, err := askThread[*sms.Scheduled](s, sc.OrgID, sc.NumberID, sc.ContactE164, &conversation.CancelScheduled{ID: sc.ID})
	if err != nil {
		return err
	}
	return c.JSON(200, res)
}

func (s *Server) listRuns(c *Call) error {
	conv, err := s.conversation(c)
	if err != nil {
		return err
	}
	page, err := c.Page()
	if err != nil {
		return err
	}
	page.Reverse = true
	items, next, err := storage.ListPage(s.deps.Store, sms.PrefixRuns(conv.OrgID, conv.ID), page, func(_, v []byte) (*sms.Run, bool, error) {
		var r sms.Run
		return &r, true, json.Unmarshal(v, &r)
	})
	if err != nil {
		return err
	}
	return List(c, items, next)
}
