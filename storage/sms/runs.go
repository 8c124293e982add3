package sms

import (
	"encoding/json"
	"time"

	"github.com/humd/humd/storage"
)

// Run statuses (SPEC 1.10).
const (
	RunCompleted = "completed"
	RunCapped    = "capped"
	RunSkipped   = "skipped"
	RunFailed    = "failed"
	RunFallback  = "fallback"
)

// Run is the record of one AI run on a thread, for operators to debug.
type Run struct {
	ID                 string          `json:"id"`
	OrgID              string          `json:"org_id"`
	ConversationID     string          `json:"conversation_id"`
	Seq                uint64          `json:"seq"`
	FlowID             string          `json:"flow_id"`
	InboundMessageIDs  []string        `json:"inbound_message_ids"`
	Model              string          `json:"model"`
	StartedAt          time.Time       `json:"started_at"`
	EndedAt            time.Time       `json:"ended_at"`
	Status             string          `json:"status"`
	ToolCalls          []RunTool       `json:"tool_calls"`
	OutboundMessageIDs []string        `json:"outbound_message_ids"`
	Reply              string          `json:"reply,omitempty"`
	Outcome            json.RawMessage `json:"outcome,omitempty"`
	Error              string          `json:"error,omitempty"`
	// Usage sums the tokens of the run's model requests, tool rounds
	// included (zero with the built-in local model and in older records).
	Usage storage.Tokens `json:"usage"`
}

// RunTool is one tool call inside a run.
type RunTool struct {
	Name   string `json:"name"`
	Args   string `json:"args"`
	Result string `json:"result_summary"`
	Error  string `json:"error,omitempty"`
	Millis int64  `json:"ms"`
}

func KeyRun(org, conv string, seq uint64) []byte {
	return storage.Key("airun", org, conv, storage.U64Seg(seq))
}
func PrefixRuns(org, conv string) []byte { return storage.Prefix("airun", org, conv) }

// PrefixOrgRuns covers every run of the org, for billing's monthly sum.
func PrefixOrgRuns(org string) []byte { return storage.Prefix("airun", org) }

// RecentRuns answers the thread's runs that started at or after since, newest first.
func RecentRuns(s storage.Store, org, conv string, since time.Time, limit int) ([]*Run, error) {
	var out []*Run
	err := s.Scan(PrefixRuns(org, conv), storage.ScanOptions{Reverse: true, Limit: limit}, func(_, v []byte) (bool, error) {
		var r Run
		if err := storage.DecodeJSON(v, &r); err != nil {
			return false, err
		}
		if r.StartedAt.Before(since) {
			return false, nil
		}
		out = append(out, &r)
		return true, nil
	})
	return out, err
}

// LastRunSeq answers the highest run seq of a thread (0 if none).
func LastRunSeq(s storage.Store, org, conv string) (uint64, error) {
	var seq uint64
	err := s.Scan(PrefixRuns(org, conv), storage.ScanOptions{Reverse: true, Limit: 1}, func(_, v []byte) (bool, error) {
		var r Run
		if err := storage.DecodeJSON(v, &r); err != nil {
			return false, err
		}
		seq = r.Seq
		return false, nil
	})
	return seq, err
}

// RecentMessages answers up to n of the thread's newest messages, oldest first.
func RecentMessages(s storage.Store, org, conv string, n int) ([]*Message, error) {
	var out []*Message
	err := s.Scan(PrefixMsgs(org, conv), storage.ScanOptions{Reverse: true, Limit: n}, func(_, v []byte) (bool, error) {
		var m Message
		if err := storage.DecodeJSON(v, &m); err != nil {
			return false, err
		}
		out = append(out, &m)
		return true, nil
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}
