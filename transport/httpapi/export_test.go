package httpapi

// Internals the document tests (package httpapi_test, which composes every
// area) check.
var (
	Ambiguous = ambiguous
	ScopeFree = scopeFree
)

// DerivedErrors are the error statuses the edge documents for r without
// its Fails.
func DerivedErrors(r *Route) []int {
	bare := &Route{Method: r.Method, Path: r.Path, Tag: r.Tag, Auth: r.Auth, Request: r.Request,
		RequestSchema: r.RequestSchema, Idempotent: r.Idempotent}
	return errorStatuses(bare, isList(responseSchemas(newReflector(), r)[200]))
}

func SortedKeys[V any](m map[string]V) []string { return sortedKeys(m) }

// legacyTypes pairs each hand-written component schema with the Go type its
// answers are encoded from, so a field added to the type and not to the
// document fails here even when no end-to-end test happens to see it.
// Components reflected from their types (Component) need no entry: their
// schemas are checked against the same types, which catches an extension
// that declares a key the type never writes.
var LegacyTypes = map[string]any{}

// componentExtras are keys a handler adds to the type's own (a secret
// answered once, a computed field).
var ComponentExtras = map[string][]string{}
