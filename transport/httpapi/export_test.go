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
