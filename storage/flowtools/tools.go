package flowtools

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
)

// Modes of a binding.
const (
	PreCall = "pre_call"
	InCall  = "in_call"
)

// Methods a binding may use.
var Methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

// Limits.
const (
	DefaultTimeoutMS = 1200
	MaxTimeoutMS     = 10000
	// MaxPerFlow bounds a flow's bindings.
	MaxPerFlow     = 32
	maxName        = 64
	maxDescription = 1000
	maxURL         = 2048
	maxHeaders     = 20
	maxBody        = 16 << 10 // body_template and parameters
	maxOutputTmpl  = 4 << 10  // output_template and fallback_template
	maxSecret      = 4096
)

// ModelPrefix starts the name of every HTTP tool the model sees, so a
// binding never clashes with a built-in tool or an MCP tool (mcp_...).
const ModelPrefix = "http_"

// DefaultSecretHeader carries the secret when secret_header is not set.
const DefaultSecretHeader = "Authorization"

// Tool is one HTTP tool binding of a flow.
type Tool struct {
	ID          string `json:"id"`
	OrgID       string `json:"org_id"`
	FlowID      string `json:"flow_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Mode        string `json:"mode"`
	// Parameters is the JSON Schema of the model's arguments (in_call).
	Parameters map[string]any `json:"parameters"`
	Method     string         `json:"method"`
	URL        string         `json:"url"`
	// Headers go with every request; answers show them masked.
	Headers storage.Headers `json:"headers"`
	// BodyTemplate renders the request body; OutputTemplate the answer the
	// model (or the caller context) gets; FallbackTemplate what it gets when
	// the request fails.
	BodyTemplate     string `json:"body_template"`
	TimeoutMS        int    `json:"timeout_ms"`
	OutputTemplate   string `json:"output_template"`
	FallbackTemplate string `json:"fallback_template"`
	// SecretHeader carries Secret: "Authorization: Bearer <secret>" for
	// Authorization, the bare secret for any other header.
	SecretHeader string `json:"secret_header"`
	SecretHint   string `json:"secret_hint,omitempty"`
	Secret       string `json:"-"`
	Enabled      bool   `json:"enabled"`
	// ModelName is the function name the model sees (in_call).
	ModelName string    `json:"model_name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SecretHeaderValue answers the header that carries the secret ("" when
// there is no secret).
func (t *Tool) SecretHeaderValue() (name, value string) {
	if t.Secret == "" {
		return "", ""
	}
	if strings.EqualFold(t.SecretHeader, "Authorization") {
		return t.SecretHeader, "Bearer " + t.Secret
	}
	return t.SecretHeader, t.Secret
}

// stored keeps the secret and the headers sealed.
type stored struct {
	Tool
	Headers map[string]string `json:"headers"`
	Secret  string            `json:"secret,omitempty"`
}

func keyTool(org, flow, id string) []byte { return storage.Key("flowtool", org, flow, id) }
func prefixTools(org, flow string) []byte { return storage.Prefix("flowtool", org, flow) }

// ModelName is the function name the model sees for a binding: http_<name>,
// within OpenAI's 64 characters (a longer one ends in a hash of the name).
func ModelName(name string) string {
	n := ModelPrefix + name
	if len(n) > 64 {
		sum := sha256.Sum256([]byte(name))
		n = n[:55] + "_" + hex.EncodeToString(sum[:4])
	}
	return n
}

// nameMu serialises the per-flow name check with the write.
var nameMu sync.Mutex

var validName = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)

// reserved headers belong to the transport.
var reserved = []string{"host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer"}

// Input is a create or patch, decoded from the wire by transport (a nil
// field is absent).
type Input struct {
	Name             *string            `json:"name"`
	Description      *string            `json:"description"`
	Mode             *string            `json:"mode"`
	Parameters       *map[string]any    `json:"parameters"`
	Method           *string            `json:"method"`
	URL              *string            `json:"url"`
	Headers          *map[string]string `json:"headers"`
	BodyTemplate     *string            `json:"body_template"`
	TimeoutMS        *int               `json:"timeout_ms"`
	OutputTemplate   *string            `json:"output_template"`
	FallbackTemplate *string            `json:"fallback_template"`
	Secret           *string            `json:"secret"`
	SecretHeader     *string            `json:"secret_header"`
	Enabled          *storage.Bool      `json:"enabled"`
}

func (b *Input) apply(t *Tool, p egresspolicy.Policy, create bool) error {
	v := &storage.ValidationError{}
	if b.Name != nil || create {
		if b.Name == nil || !validName.MatchString(*b.Name) {
			v.Add("name", "required: 1-64 characters of a-z, 0-9 and _")
		} else {
			t.Name = *b.Name
		}
	}
	if b.Description != nil {
		if len([]rune(*b.Description)) > maxDescription {
			v.Addf("description", "at most %d characters", maxDescription)
		} else {
			t.Description = strings.TrimSpace(*b.Description)
		}
	}
	if b.Mode != nil || create {
		switch {
		case b.Mode == nil:
			v.Add("mode", "required: pre_call or in_call")
		case *b.Mode == PreCall || *b.Mode == InCall:
			t.Mode = *b.Mode
		default:
			v.Add("mode", "must be pre_call or in_call")
		}
	}
	if b.Parameters != nil {
		t.Parameters = checkParams(v, *b.Parameters)
	}
	if t.Parameters == nil {
		t.Parameters = map[string]any{"type": "object", "properties": map[string]any{}}
	}
	if props, _ := t.Parameters["properties"].(map[string]any); t.Mode == PreCall && len(props) > 0 {
		v.Add("parameters", "pre_call tools take no arguments")
	}
	if b.Method != nil {
		m := strings.ToUpper(*b.Method)
		if !slices.Contains(Methods, m) {
			v.Add("method", "must be GET, POST, PUT, PATCH or DELETE")
		} else {
			t.Method = m
		}
	}
	if b.URL != nil || create {
		if b.URL == nil {
			v.Add("url", "required")
		} else if msg := checkURL(*b.URL, p); msg != "" {
			v.Add("url", msg)
		} else {
			t.URL = *b.URL
		}
	}
	if b.Headers != nil {
		t.Headers = checkHeaders(v, *b.Headers, t.Headers)
	}
	if t.Headers == nil {
		t.Headers = storage.Headers{}
	}
	templates := []struct {
		field string
		in    *string
		out   *string
		max   int
	}{{"body_template", b.BodyTemplate, &t.BodyTemplate, maxBody}, {"output_template", b.OutputTemplate, &t.OutputTemplate, maxOutputTmpl},
		{"fallback_template", b.FallbackTemplate, &t.FallbackTemplate, maxOutputTmpl}}
	for _, tm := range templates {
		if tm.in == nil {
			continue
		}
		if len(*tm.in) > tm.max {
			v.Addf(tm.field, "at most %d bytes", tm.max)
		} else if _, err := parse(tm.field, *tm.in); err != nil {
			v.Addf(tm.field, "not a valid template: %v", err)
		} else {
			*tm.out = *tm.in
		}
	}
	if t.Method == "GET" && t.BodyTemplate != "" {
		v.Add("body_template", "a GET request sends no body")
	}
	if b.TimeoutMS != nil {
		if *b.TimeoutMS < 1 || *b.TimeoutMS > MaxTimeoutMS {
			v.Addf("timeout_ms", "must be 1 to %d", MaxTimeoutMS)
		} else {
			t.TimeoutMS = *b.TimeoutMS
		}
	}
	if b.SecretHeader != nil {
		h := *b.SecretHeader
		if !validHeaderName(h) || slices.Contains(reserved, strings.ToLower(h)) || strings.EqualFold(h, "content-type") {
			v.Add("secret_header", "must be a header name (letters, digits, - and _), not a transport header")
		} else {
			t.SecretHeader = h
		}
	}
	if b.Secret != nil {
		s := *b.Secret
		if len(s) > maxSecret || strings.ContainsAny(s, "\r\n\x00") {
			v.Addf("secret", "at most %d characters on one line (\"\" removes it)", maxSecret)
		} else {
			t.Secret, t.SecretHint = s, storage.Mask(s)
		}
	}
	if b.Enabled != nil {
		t.Enabled = bool(*b.Enabled)
	}
	t.ModelName = ModelName(t.Name)
	return v.Err()
}

func checkParams(v *storage.ValidationError, p map[string]any) map[string]any {
	if typ, ok := p["type"]; ok && typ != "object" {
		v.Add("parameters", `must be a JSON Schema of an object ("type": "object")`)
		return nil
	}
	if props, ok := p["properties"]; ok {
		if _, isObj := props.(map[string]any); !isObj {
			v.Add("parameters", "properties must be an object")
			return nil
		}
	}
	if raw, _ := json.Marshal(p); len(raw) > maxBody {
		v.Addf("parameters", "at most %d bytes", maxBody)
		return nil
	}
	out := make(map[string]any, len(p)+2)
	for k, val := range p {
		out[k] = val
	}
	out["type"] = "object"
	if _, ok := out["properties"]; !ok {
		out["properties"] = map[string]any{}
	}
	return out
}

// checkURL answers why a URL template is refused ("" when it is fine):
// template actions may appear in the path and query only, and the URL with
// them stubbed out must pass the policy.
func checkURL(raw string, p egresspolicy.Policy) string {
	if raw == "" || len(raw) > maxURL {
		return fmt.Sprintf("required: an absolute https URL of at most %d characters", maxURL)
	}
	shape, ok := urlShape(raw)
	if !ok {
		return "templates ({{...}}) may appear only in the path and query, not the scheme or host"
	}
	if _, err := parse("url", raw); err != nil {
		return fmt.Sprintf("not a valid template: %v", err)
	}
	u, err := url.Parse(shape)
	if err != nil || u.Fragment != "" {
		return "must be an absolute https URL without a fragment"
	}
	if err := p.CheckURL(shape); err != nil {
		return err.Error()
	}
	return ""
}

// checkHeaders answers the headers a body sets; a masked value the tool
// answered (old's) keeps the value it stands for.
func checkHeaders(v *storage.ValidationError, in map[string]string, old storage.Headers) storage.Headers {
	if len(in) > maxHeaders {
		v.Addf("headers", "at most %d headers", maxHeaders)
	}
	in, masked := storage.Headers(in).Unmask(old)
	for _, k := range masked {
		v.Addf("headers", "header %q has a masked value (****...): send the real value, or the one this tool answered to keep it", k)
	}
	out := make(storage.Headers, len(in))
	for k, val := range in {
		if !validHeaderName(k) || slices.Contains(reserved, strings.ToLower(k)) || len(val) > 1000 || strings.ContainsAny(val, "\r\n\x00") {
			v.Addf("headers", "header %q is not allowed (a name of letters, digits, - and _; a value of one line, at most 1000 characters)", k)
			continue
		}
		out[k] = val
	}
	return out
}

func validHeaderName(h string) bool {
	if h == "" || len(h) > 64 {
		return false
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Create adds a binding to a flow the caller has checked is the org's:
// POST, 1200 ms, secret in Authorization, enabled. It answers the secret
// the body set (once).
func Create(s storage.Store, org, flow string, b Input, p egresspolicy.Policy, now time.Time) (*Tool, string, error) {
	t := &Tool{ID: storage.NewID("ftool"), OrgID: org, FlowID: flow, Method: "POST", TimeoutMS: DefaultTimeoutMS,
		SecretHeader: DefaultSecretHeader, Enabled: true, CreatedAt: now, UpdatedAt: now}
	if err := b.apply(t, p, true); err != nil {
		return nil, "", err
	}
	nameMu.Lock()
	defer nameMu.Unlock()
	n, err := check(s, t)
	if err != nil {
		return nil, "", err
	}
	if n >= MaxPerFlow {
		return nil, "", storage.Conflict("too_many_tools", fmt.Sprintf("a flow has at most %d HTTP tools", MaxPerFlow))
	}
	return t, t.Secret, put(s, t)
}

// check answers how many other bindings the flow has, or a conflict when
// one of them has t's name.
func check(s storage.Store, t *Tool) (int, error) {
	n, taken := 0, false
	err := s.Scan(prefixTools(t.OrgID, t.FlowID), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var o stored
		if err := json.Unmarshal(v, &o); err != nil {
			return false, err
		}
		if o.ID != t.ID {
			n++
			taken = taken || o.Name == t.Name
		}
		return true, nil
	})
	if err == nil && taken {
		return n, storage.Conflict("name_taken", fmt.Sprintf("the flow already has a tool named %q", t.Name))
	}
	return n, err
}

func put(s storage.Store, t *Tool) error {
	b := s.NewBatch()
	b.SetJSON(keyTool(t.OrgID, t.FlowID, t.ID), &stored{Tool: *t, Headers: s.Sealer().SealHeaders(t.Headers), Secret: s.Sealer().Seal(t.Secret)})
	return b.Commit(storage.Sync)
}

func unstore(s storage.Store, st *stored) (*Tool, error) {
	t := st.Tool
	t.Secret = st.Secret
	if err := s.Sealer().OpenIn("HTTP tool "+t.ID, &t.Secret); err != nil {
		return nil, err
	}
	h, err := s.Sealer().OpenHeaders("HTTP tool "+t.ID, st.Headers)
	if err != nil {
		return nil, err
	}
	t.Headers = h
	t.ModelName = ModelName(t.Name)
	return &t, nil
}

// Get loads a binding of a flow, with its secret.
func Get(s storage.Store, org, flow, id string) (*Tool, error) {
	var st stored
	if err := storage.GetJSON(s, keyTool(org, flow, id), &st); err != nil {
		return nil, fmt.Errorf("flowtools: tool %s: %w", id, err)
	}
	return unstore(s, &st)
}

// Patch edits a binding; "secret": "" removes the secret.
func Patch(s storage.Store, org, flow, id string, b Input, p egresspolicy.Policy, now time.Time) (*Tool, error) {
	nameMu.Lock()
	defer nameMu.Unlock()
	t, err := Get(s, org, flow, id)
	if err != nil {
		return nil, err
	}
	if err := b.apply(t, p, false); err != nil {
		return nil, err
	}
	if _, err := check(s, t); err != nil {
		return nil, err
	}
	t.UpdatedAt = now
	return t, put(s, t)
}

// Delete removes a binding and its execution rows.
func Delete(s storage.Store, org, flow, id string) error {
	nameMu.Lock()
	defer nameMu.Unlock()
	if _, err := Get(s, org, flow, id); err != nil {
		return err
	}
	return storage.DeleteAll(s, [][]byte{keyTool(org, flow, id)}, prefixExecs(org, id))
}

// List pages a flow's bindings, oldest first.
func List(s storage.Store, org, flow string, page storage.PageRequest) ([]*Tool, string, error) {
	return storage.ListPage(s, prefixTools(org, flow), page, func(_, v []byte) (*Tool, bool, error) {
		var st stored
		if err := json.Unmarshal(v, &st); err != nil {
			return nil, false, err
		}
		t, err := unstore(s, &st)
		return t, err == nil, err
	})
}

// Enabled answers a flow's enabled bindings of mode, oldest first, with
// their secrets.
func Enabled(s storage.Store, org, flow, mode string) ([]*Tool, error) {
	var out []*Tool
	err := s.Scan(prefixTools(org, flow), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var st stored
		if err := json.Unmarshal(v, &st); err != nil {
			return false, err
		}
		if st.Enabled && st.Mode == mode {
			t, err := unstore(s, &st)
			if err != nil {
				return false, err
			}
			out = append(out, t)
		}
		return true, nil
	})
	return out, err
}

// Reseal seals the secrets and headers stored before sealing existed, once
// at start.
func Reseal(s storage.Store) error {
	return storage.Reseal(s, storage.Prefix("flowtool"), "secret", "headers")
}
