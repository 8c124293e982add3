package httpapi

import (
	"fmt"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
)

// scopeFree routes need no scope of their own. /mcp only carries JSON-RPC:
// each operation it runs comes back through the whole chain with the same key
// (executeInProcess), where that operation's own route is checked.
var scopeFree = map[string]bool{"/mcp": true}

// scopeAllows checks the key's scopes against the route, after the role check
// (Access.allows) has passed: a route's area is its tag (tenancy.ScopeArea),
// and GET and HEAD need <area>:read, anything else <area>:write. Public
// routes never get here; keys without scopes, which include every site-admin
// key (only Bootstrap makes those), pass.
func scopeAllows(r *Route, p *tenancy.Principal) error {
	if r.Auth == Public || scopeFree[r.Path] {
		return nil
	}
	write := r.Method != "GET" && r.Method != "HEAD"
	area := tenancy.ScopeArea(r.Tag)
	if p.Grants(area, write) {
		return nil
	}
	need := area + ":read"
	if write {
		need = area + ":write"
	}
	return fmt.Errorf("key %s lacks scope %s: %w", p.KeyID, need, storage.ErrForbidden)
}
