package mcptools

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
)

// Transports an integration may use. stdio is refused: a multi-tenant
// server does not start customer processes.
const (
	TransportStreamable = "streamable_http"
	TransportSSE        = "sse"
)

// Auth types.
const (
	AuthNone   = "none"
	AuthBearer = "bearer"
	AuthHeader = "header"
)

// MaxTools bounds allowed_tools_json; MaxAttached bounds a flow's integrations.
const (
	MaxTools    = 100
	MaxAttached = 20
)

// AuthView is how an integration's auth is answered: never the secret, only
// its type, header name and the secret's last characters.
type AuthView struct {
	Type   string `json:"type"`
	Header string `json:"header,omitempty"`
	Hint   string `json:"hint,omitempty"`
}

// Integration is a customer-owned MCP server flows may call.
type Integration struct {
	ID        string `json:"id"`
	OrgID     string `json:"org_id"`
	Name      string `json:"name"`
	Transport string `json:"transport"`
	URL       string `json:"url"`
	// Slug names the integration in the tools the model sees:
	// mcp_<slug>__<tool>. It is derived from Name and unique per org.
	Slug string   `json:"slug"`
	Auth AuthView `json:"auth"`
	// Secret is the bearer token or header value (stored, never answered).
	Secret string `json:"-"`
	// AllowedTools are the only tools flows see; AutoApproveTools (a subset)
	// run without review; every other allowed tool needs approval unless
	// RequireApprovalDefault is false.
	AllowedTools           []string  `json:"allowed_tools_json"`
	AutoApproveTools       []string  `json:"auto_approve_tools_json"`
	RequireApprovalDefault bool      `json:"require_approval_default"`
	Enabled                bool      `json:"enabled"`
	CreatedAt              time.Time `json:"created_at"`
	UpdatedAt              time.Time `json:"updated_at"`
}

// NeedsApproval reports whether a call of tool waits for a person.
func (in *Integration) NeedsApproval(tool string) bool {
	return in.RequireApprovalDefault && !slices.Contains(in.AutoApproveTools, tool)
}

// Allows reports whether flows may see tool.
func (in *Integration) Allows(tool string) bool { return slices.Contains(in.AllowedTools, tool) }

// Header answers the request header that carries the auth ("" for none).
func (in *Integration) Header() (name, value string) {
	switch in.Auth.Type {
	case AuthBearer:
		return "Authorization", "Bearer " + in.Secret
	case AuthHeader:
		return in.Auth.Header, in.Secret
	}
	return "", ""
}

type stored struct {
	Integration
	Secret string `json:"secret,omitempty"`
}

func keyIntegration(org, id string) []byte { return storage.Key("mcp", org, id) }
func prefixIntegrations(org string) []byte { return storage.Prefix("mcp", org) }

// nameMu serialises the uniqueness check of names with the write, and
// attaching with deleting.
var nameMu sync.Mutex

// AuthInput is an integration's auth as given.
type AuthInput struct {
	Type   string  `json:"type"`
	Value  *string `json:"value"`
	Header *string `json:"header"`
}

// Input is a create or patch, decoded from the wire by transport (a nil
// field is absent).
type Input struct {
	Name                   *string       `json:"name"`
	Transport              *string       `json:"transport"`
	URL                    *string       `json:"url"`
	Auth                   *AuthInput    `json:"auth"`
	AllowedTools           *[]string     `json:"allowed_tools_json"`
	AutoApproveTools       *[]string     `json:"auto_approve_tools_json"`
	RequireApprovalDefault *storage.Bool `json:"require_approval_default"`
	Enabled                *storage.Bool `json:"enabled"`
}

// Slug turns a name into [a-z0-9_], at most 20 characters ("" when nothing
// usable is left).
func Slug(name string) string {
	var sb strings.Builder
	under := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			sb.WriteRune(r)
			under = false
		case !under && sb.Len() > 0:
			sb.WriteByte('_')
			under = true
		}
	}
	s := sb.String()
	if len(s) > 20 {
		s = s[:20]
	}
	return strings.Trim(s, "_")
}

// reservedHeaders are the transport's own; a header auth may not replace them.
var reservedHeaders = []string{"host", "content-type", "content-length", "accept", "connection", "transfer-encoding",
	"user-agent", "mcp-session-id", "mcp-protocol-version", "last-event-id"}

func validTool(name string) bool {
	if name == "" || len(name) > 128 {
		return false
	}
	for _, r := range name {
		if r <= ' ' || r == 0x7f || r == '"' || r == '\\' {
			return false
		}
	}
	return true
}

func toolList(v *storage.ValidationError, field string, in []string) []string {
	if len(in) > MaxTools {
		v.Addf(field, "at most %d tools", MaxTools)
	}
	for _, t := range in {
		if !validTool(t) {
			v.Addf(field, "%q is not a tool name (1-128 characters, no spaces or quotes)", t)
			break
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(in)))
}

func (b *Input) apply(in *Integration, p egresspolicy.Policy, create bool) error {
	v := &storage.ValidationError{}
	if b.Name != nil || create {
		switch {
		case b.Name == nil || strings.TrimSpace(*b.Name) == "" || len([]rune(*b.Name)) > 120:
			v.Add("name", "must be 1-120 characters")
		case Slug(*b.Name) == "":
			v.Add("name", "must contain a letter or digit (it names the tools the model sees)")
		default:
			in.Name, in.Slug = strings.TrimSpace(*b.Name), Slug(*b.Name)
		}
	}
	if b.Transport != nil {
		switch *b.Transport {
		case TransportStreamable, TransportSSE:
			in.Transport = *b.Transport
		case "stdio":
			v.Add("transport", "stdio is not allowed on a multi-tenant server; use streamable_http or sse")
		default:
			v.Add("transport", "must be streamable_http or sse")
		}
	}
	if b.URL != nil || create {
		if b.URL == nil {
			v.Add("url", "required")
		} else if err := p.CheckURL(*b.URL); err != nil {
			v.Add("url", err.Error())
		} else {
			in.URL = *b.URL
		}
	}
	if b.Auth != nil {
		b.Auth.apply(v, in)
	}
	if b.AllowedTools != nil {
		in.AllowedTools = toolList(v, "allowed_tools_json", *b.AllowedTools)
	} else if create {
		v.Add("allowed_tools_json", "required: the tools flows may see ([] allows none yet)")
	}
	if b.AutoApproveTools != nil {
		in.AutoApproveTools = toolList(v, "auto_approve_tools_json", *b.AutoApproveTools)
	}
	if in.AllowedTools == nil {
		in.AllowedTools = []string{}
	}
	if in.AutoApproveTools == nil {
		in.AutoApproveTools = []string{}
	}
	for _, t := range in.AutoApproveTools {
		if !in.Allows(t) {
			v.Addf("auto_approve_tools_json", "%q is not in allowed_tools_json", t)
			break
		}
	}
	if b.RequireApprovalDefault != nil {
		in.RequireApprovalDefault = bool(*b.RequireApprovalDefault)
	}
	if b.Enabled != nil {
		in.Enabled = bool(*b.Enabled)
	}
	return v.Err()
}

func (a *AuthInput) apply(v *storage.ValidationError, in *Integration) {
	switch a.Type {
	case AuthNone:
		if a.Value != nil || a.Header != nil {
			v.Add("auth", "type none takes no value or header")
			return
		}
		in.Auth, in.Secret = AuthView{Type: AuthNone}, ""
		return
	case AuthBearer, AuthHeader:
	default:
		v.Add("auth.type", "must be none, bearer or header")
		return
	}
	header := ""
	if a.Type == AuthHeader {
		if a.Header == nil || !validHeaderName(*a.Header) || slices.Contains(reservedHeaders, strings.ToLower(*a.Header)) {
			v.Add("auth.header", "type header needs a header name (letters, digits and dashes; not a transport header)")
			return
		}
		header = *a.Header
	} else if a.Header != nil {
		v.Add("auth.header", "only type header takes a header name")
		return
	}
	secret := in.Secret
	if a.Value != nil {
		secret = *a.Value
	} else if in.Auth.Type != a.Type {
		secret = ""
	}
	if secret == "" || len(secret) > 4096 || strings.ContainsAny(secret, "\r\n\x00") {
		v.Add("auth.value", "required: 1-4096 characters on one line")
		return
	}
	in.Auth, in.Secret = AuthView{Type: a.Type, Header: header, Hint: storage.Mask(secret)}, secret
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

// Create adds an integration: streamable_http, no auth, approval required by
// default, enabled.
func Create(s storage.Store, org string, b Input, p egresspolicy.Policy, now time.Time) (*Integration, error) {
	in := &Integration{ID: storage.NewID("mcp"), OrgID: org, Transport: TransportStreamable, Auth: AuthView{Type: AuthNone},
		RequireApprovalDefault: true, Enabled: true, CreatedAt: now, UpdatedAt: now}
	if err := b.apply(in, p, true); err != nil {
		return nil, err
	}
	nameMu.Lock()
	defer nameMu.Unlock()
	if err := uniqueName(s, in); err != nil {
		return nil, err
	}
	return in, Put(s, in)
}

func uniqueName(s storage.Store, in *Integration) error {
	taken := false
	err := s.Scan(prefixIntegrations(in.OrgID), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var o stored
		if err := json.Unmarshal(v, &o); err != nil {
			return false, err
		}
		taken = o.ID != in.ID && o.Slug == in.Slug
		return !taken, nil
	})
	if err == nil && taken {
		return storage.Conflict("name_taken", fmt.Sprintf("another integration's name already makes the tool prefix mcp_%s__", in.Slug))
	}
	return err
}

// Put writes an integration with its secret.
func Put(s storage.Store, in *Integration) error {
	b := s.NewBatch()
	b.SetJSON(keyIntegration(in.OrgID, in.ID), &stored{Integration: *in, Secret: s.Sealer().Seal(in.Secret)})
	return b.Commit(storage.Sync)
}

func unstore(s storage.Store, st *stored) (*Integration, error) {
	in := st.Integration
	in.Secret = st.Secret
	if err := s.Sealer().OpenIn("MCP integration "+in.ID, &in.Secret); err != nil {
		return nil, err
	}
	return &in, nil
}

// Get loads an integration with its secret.
func Get(s storage.Store, org, id string) (*Integration, error) {
	var st stored
	if err := storage.GetJSON(s, keyIntegration(org, id), &st); err != nil {
		return nil, fmt.Errorf("mcptools: integration %s: %w", id, err)
	}
	return unstore(s, &st)
}

// Patch edits an integration; auth given without a value keeps the secret
// when the type is unchanged.
func Patch(s storage.Store, org, id string, b Input, p egresspolicy.Policy, now time.Time) (*Integration, error) {
	nameMu.Lock()
	defer nameMu.Unlock()
	in, err := Get(s, org, id)
	if err != nil {
		return nil, err
	}
	if err := b.apply(in, p, false); err != nil {
		return nil, err
	}
	if err := uniqueName(s, in); err != nil {
		return nil, err
	}
	in.UpdatedAt = now
	return in, Put(s, in)
}

// Delete removes an integration and its flow attachments. Its approvals stay
// (they are the audit trail); approving one later is refused.
func Delete(s storage.Store, org, id string) error {
	nameMu.Lock()
	defer nameMu.Unlock()
	if _, err := Get(s, org, id); err != nil {
		return err
	}
	b := s.NewBatch()
	b.Delete(keyIntegration(org, id))
	err := s.Scan(storage.Prefix("flow-mcp", org), storage.ScanOptions{}, func(k, _ []byte) (bool, error) {
		if strings.HasSuffix(string(k), "/"+id) {
			b.Delete(k)
		}
		return true, nil
	})
	if err != nil {
		b.Discard()
		return err
	}
	return b.Commit(storage.Sync)
}

// List pages the org's integrations, oldest first.
func List(s storage.Store, org string, page storage.PageRequest) ([]*Integration, string, error) {
	return storage.ListPage(s, prefixIntegrations(org), page, func(_, v []byte) (*Integration, bool, error) {
		var st stored
		if err := json.Unmarshal(v, &st); err != nil {
			return nil, false, err
		}
		in, err := unstore(s, &st)
		return in, err == nil, err
	})
}

// Reseal seals the secrets stored before sealing existed, once at start.
func Reseal(s storage.Store) error {
	return storage.Reseal(s, storage.Prefix("mcp"))
}
