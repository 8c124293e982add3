package agentsession

import (
	"encoding/json"
	"time"

	"github.com/humd/humd/storage"
)

// Session types (seed 002; "voice" is accepted as agent_voice, A27).
var sessionTypes = []string{"agent_voice", "agent_video", "agent_chat", "webrtc_video"}

// Statuses ([D2] naming).
const (
	StatusActive    = "active"
	StatusCompleted = "completed"
)

// Session is one agent session, as stored and (mostly) as answered.
type Session struct {
	SessionID      uint64          `json:"session_id"`
	AgentID        uint64          `json:"agent_id"`
	AgentName      string          `json:"agent_name"`
	SessionType    string          `json:"session_type"`
	Status         string          `json:"status"`
	StartedAt      time.Time       `json:"started_at"`
	Metadata       json.RawMessage `json:"metadata"`
	AvatarID       *int64          `json:"avatar_id"`
	AvatarName     *string         `json:"avatar_name"`
	AvatarURL      *string         `json:"avatar_url"`
	VoiceID        *string         `json:"voice_id"`
	EndedAt        *time.Time      `json:"ended_at"`
	Duration       *int64          `json:"duration"`
	Transcript     *string         `json:"transcript"`
	BillingMinutes *int64          `json:"billing_minutes"`
	EndReason      string          `json:"end_reason,omitempty"`
	// Usage sums the model tokens of the session's agent_chat replies.
	Usage storage.Tokens `json:"usage"`

	OrgID        string    `json:"-"`
	FlowID       string    `json:"-"`
	APIKeyID     string    `json:"-"`
	LastActivity time.Time `json:"-"`
	MsgSeq       uint64    `json:"-"`
}

// View is a session as the API answers it: the record's public fields plus
// the idle limit that ends it, which is not stored (it is configuration).
type View struct {
	*Session
	// Expiration is when an active session that sees no activity until then
	// becomes the sweeper's to end (its last activity plus the idle limit;
	// the sweeper looks every SweepEvery); null once the session ended.
	Expiration *time.Time `json:"expiration"`
	// IdleTimeoutS is the idle limit in seconds.
	IdleTimeoutS int64 `json:"idle_timeout_s"`
}

// record is the stored form: the public fields plus the private ones.
type record struct {
	Session
	OrgID        string    `json:"org_id"`
	FlowID       string    `json:"flow_id"`
	APIKeyID     string    `json:"api_key_id"`
	LastActivity time.Time `json:"last_activity_at"`
	MsgSeq       uint64    `json:"msg_seq"`
}

func (s *Session) toRecord() *record {
	return &record{Session: *s, OrgID: s.OrgID, FlowID: s.FlowID, APIKeyID: s.APIKeyID, LastActivity: s.LastActivity, MsgSeq: s.MsgSeq}
}

func (r *record) session() *Session {
	s := r.Session
	s.OrgID, s.FlowID, s.APIKeyID, s.LastActivity, s.MsgSeq = r.OrgID, r.FlowID, r.APIKeyID, r.LastActivity, r.MsgSeq
	return &s
}

// Message is one message of a session.
type Message struct {
	MessageID string          `json:"message_id"`
	SessionID uint64          `json:"session_id"`
	Seq       uint64          `json:"seq"`
	Role      string          `json:"role"`
	Content   string          `json:"content"`
	Metadata  json.RawMessage `json:"metadata,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
}

func keySession(org string, id uint64) []byte { return storage.Key("agsess", org, storage.U64Seg(id)) }
func prefixSessions(org string) []byte        { return storage.Prefix("agsess", org) }
func keyActive(org string, id uint64) []byte {
	return storage.Key("agsess-active", org, storage.U64Seg(id))
}
func prefixActive() []byte { return storage.Prefix("agsess-active") }
func keyMsg(org string, id, seq uint64) []byte {
	return storage.Key("agmsg", org, storage.U64Seg(id), storage.U64Seg(seq))
}
func prefixMsgs(org string, id uint64) []byte {
	return storage.Prefix("agmsg", org, storage.U64Seg(id))
}
func keySeq(org string) []byte { return storage.Key("seq", org, "session") }

func load(st storage.Store, org string, id uint64) (*Session, error) {
	var r record
	if err := storage.GetJSON(st, keySession(org, id), &r); err != nil {
		return nil, err
	}
	return r.session(), nil
}

// put writes the session and keeps the active index (value: last activity
// in unix ms) in step, in the caller's batch.
func put(b *storage.Batch, s *Session) {
	b.SetJSON(keySession(s.OrgID, s.SessionID), s.toRecord())
	if s.Status == StatusActive {
		b.Set(keyActive(s.OrgID, s.SessionID), storage.U64(uint64(s.LastActivity.UnixMilli())))
	} else {
		b.Delete(keyActive(s.OrgID, s.SessionID))
	}
}
