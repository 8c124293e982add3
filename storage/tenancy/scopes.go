package tenancy

import (
	"slices"
	"strings"

	"github.com/humd/humd/storage"
)

// Scopes narrow an API key below its role (SPEC 1.0, 2.1.3). The vocabulary:
//
//	"*"            everything the key's role allows
//	"<area>:read"  GET and HEAD routes of the area
//	"<area>:write" every route of the area (write implies read)
//
// An area is an OpenAPI tag of the HTTP API, lower-cased with spaces turned
// into '-' ("SMS" is sms, "API keys" is api-keys); transport/httpapi derives a
// route's area the same way and a test there keeps ScopeAreas in step with the
// route table. A key with no scopes may do everything its role allows, which
// is what every key made before scopes existed has. Scopes never widen the
// role: the role check runs first, so an sms:write scope on a viewer key sends
// nothing.
const AllScopes = "*"

// ScopeAreas are the areas scopes may name: every tag with routes that need a
// key. Tags whose routes are all public (System, Twilio) have no area, nor
// does the MCP endpoint itself, since every operation run through it is
// checked against its own route's scope.
var ScopeAreas = []string{
	"address-sessions", "agent-sessions", "api-keys", "billing", "brands", "calls", "campaigns", "contacts", "crm", "dashboard", "events", "flows",
	"knowledge", "mcp-integrations", "numbers", "operations", "organizations", "outbound", "sandbox", "sms", "team", "triggers",
	"user", "webhooks",
}

// ScopeArea turns an OpenAPI tag into its scope area.
func ScopeArea(tag string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(tag)), " ", "-")
}

// ScopeVocabulary lists every valid scope: "*", then each area's read and
// write scopes.
func ScopeVocabulary() []string {
	out := []string{AllScopes}
	for _, a := range ScopeAreas {
		out = append(out, a+":read", a+":write")
	}
	return out
}

// Grants reports whether p's scopes allow reading (write=false) or writing
// the area. It says nothing about the role; callers check that first.
func (p *Principal) Grants(area string, write bool) bool {
	if len(p.Scopes) == 0 {
		return true
	}
	for _, s := range p.Scopes {
		a, level, _ := strings.Cut(s, ":")
		switch {
		case s == AllScopes:
			return true
		case a != area:
		case level == "write", level == "read" && !write:
			return true
		}
	}
	return false
}

// narrowerThanCaller refuses scopes wider than the calling key's own: like
// the role, what a key may do bounds the keys it makes.
func narrowerThanCaller(v *storage.ValidationError, p *Principal, scopes []string) {
	if len(p.Scopes) == 0 || slices.Contains(p.Scopes, AllScopes) {
		return
	}
	if len(scopes) == 0 || slices.Contains(scopes, AllScopes) {
		v.Add("scopes", "a scoped key may only make keys with some of its own scopes: "+strings.Join(p.Scopes, ", "))
		return
	}
	for _, s := range scopes {
		area, level, _ := strings.Cut(s, ":")
		if !p.Grants(area, level == "write") {
			v.Addf("scopes", "%q is beyond this key's own scopes (%s)", s, strings.Join(p.Scopes, ", "))
			return
		}
	}
}

// checkScopes validates a create body's scopes and answers them sorted,
// without duplicates; nil for none, ["*"] when "*" is among them.
func checkScopes(v *storage.ValidationError, in []string) []string {
	vocab := ScopeVocabulary()
	var out []string
	for _, s := range in {
		if !slices.Contains(vocab, s) {
			v.Addf("scopes", "unknown scope %q; allowed: %s", s, strings.Join(vocab, ", "))
			return nil
		}
		out = append(out, s)
	}
	if slices.Contains(out, AllScopes) {
		return []string{AllScopes}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
