package flowtools

import (
	"time"

	"github.com/humd/humd/storage"
)

// Execution statuses: ok is a 2xx answer; timeout is a request that ran out
// of time (its own timeout_ms or the call's pre-call budget); error is
// everything else (a refused URL, a network error, a non-2xx answer, a
// template that failed).
const (
	StatusOK      = "ok"
	StatusError   = "error"
	StatusTimeout = "timeout"
)

// MaxExcerpt bounds the request and response excerpts of a row.
const MaxExcerpt = 1024

// Execution is one run of a binding.
type Execution struct {
	ID     string `json:"id"`
	ToolID string `json:"tool_id"`
	FlowID string `json:"flow_id"`
	Name   string `json:"name"`
	// SubjectType is call or conversation (or test: an admin's test
	// request); SubjectID its id.
	SubjectType string `json:"subject_type"`
	SubjectID   string `json:"subject_id"`
	Mode        string `json:"mode"`
	Status      string `json:"status"`
	HTTPStatus  int    `json:"http_status"`
	MS          int64  `json:"ms"`
	// RequestExcerpt is the method, the URL and the start of the body
	// (never the headers, so never the secret); ResponseExcerpt the start
	// of the answer.
	RequestExcerpt  string `json:"request_excerpt"`
	ResponseExcerpt string `json:"response_excerpt"`
	// Output is what the model or the caller context got (rendered output,
	// or the fallback); "" when nothing.
	Output string    `json:"output"`
	Error  string    `json:"error,omitempty"`
	At     time.Time `json:"at"`
}

func keyExec(org, tool, id string) []byte { return storage.Key("flowtool-exec", org, tool, id) }
func prefixExecs(org, tool string) []byte { return storage.Prefix("flowtool-exec", org, tool) }

// AddExecution writes a row (giving it an id). Rows are an audit trail a
// crash may lose the last of, so they are committed without waiting for
// the disk.
func AddExecution(s storage.Store, org string, e *Execution) error {
	e.ID = storage.NewID("fexe")
	e.RequestExcerpt = Cut(e.RequestExcerpt, MaxExcerpt)
	e.ResponseExcerpt = Cut(e.ResponseExcerpt, MaxExcerpt)
	b := s.NewBatch()
	b.SetJSON(keyExec(org, e.ToolID, e.ID), e)
	return b.Commit(storage.NoSync)
}

// Executions pages a binding's rows, newest first. The caller has checked
// the binding is the flow's.
func Executions(s storage.Store, org, tool string, page storage.PageRequest) ([]*Execution, string, error) {
	page.Reverse = true
	return storage.ListPage(s, prefixExecs(org, tool), page, func(_, v []byte) (*Execution, bool, error) {
		var e Execution
		err := storage.DecodeJSON(v, &e)
		return &e, err == nil, err
	})
}
