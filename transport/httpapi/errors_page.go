package httpapi

// PageError is how an error reads on an HTML page (the console): the
// status and code the JSON API would answer, its message, and the problem
// of each invalid field. It is classify's table, so a page and the API
// never disagree about what an error means.
type PageError struct {
	Status        int
	Code, Message string
	Fields        map[string]string
}

// ClassifyPage maps err as the API's error answers do.
func ClassifyPage(err error) PageError {
	status, ae := classify(err)
	pe := PageError{Status: status, Code: ae.Code, Message: ae.Message}
	if f, ok := ae.Details["fields"].(map[string]any); ok {
		pe.Fields = map[string]string{}
		for k, v := range f {
			if s, ok := v.(string); ok {
				pe.Fields[k] = s
			}
		}
	}
	return pe
}
