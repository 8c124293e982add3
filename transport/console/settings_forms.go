package console

import (
	"sort"
	"strings"

	"github.com/humd/humd/transport/httpapi"
)

// formState is what the configuration pages (integrations, team, settings)
// carry back after a post: a notice, a secret shown this once, and
// validation errors by form and wire field with the posted values, so the
// errors show beside their fields and nothing typed is lost.
type formState struct {
	Notice string
	Secret *secretShown
	Errors map[string]map[string]string // form -> wire field -> message
	Values map[string]string            // "form.field" -> posted value
}

// secretShown is a secret in the answer to the post that made it: never
// stored for a later page, so a reload no longer shows it.
type secretShown struct {
	What  string // "Signing secret of https://…"
	Label string // the field's accessible name
	Value string
	Note  string
}

// Err answers the message for a form's field (a nested field such as
// events[0] or auth.value counts for its parent).
func (f *formState) Err(form, field string) string {
	var out []string
	for k, msg := range f.Errors[form] {
		if k == field || strings.HasPrefix(k, field+".") || strings.HasPrefix(k, field+"[") {
			out = append(out, msg)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// Summary lists every error of a form, field first.
func (f *formState) Summary(form string) []string {
	var out []string
	for k, msg := range f.Errors[form] {
		out = append(out, k+": "+msg)
	}
	sort.Strings(out)
	return out
}

// Val answers a posted value to refill a form after an error.
func (f *formState) Val(form, field string) string { return f.Values[form+"."+field] }

// invalid records err's field errors under form, with the posted values of
// fields, and reports whether err was a validation error the page shows
// beside its fields (anything else is the caller's to return).
func (f *formState) invalid(c *httpapi.Call, form string, err error, fields ...string) bool {
	pe := httpapi.ClassifyPage(err)
	if pe.Status != 422 || len(pe.Fields) == 0 {
		return false
	}
	if f.Errors == nil {
		f.Errors = map[string]map[string]string{}
	}
	f.Errors[form] = pe.Fields
	if f.Values == nil {
		f.Values = map[string]string{}
	}
	for _, name := range fields {
		f.Values[form+"."+name] = c.Form(name)
	}
	return true
}

// status is 422 when a form was refused, else 200.
func (f *formState) status() int {
	if len(f.Errors) > 0 {
		return 422
	}
	return 200
}

// splitList reads a comma- or newline-separated field into its items.
func splitList(s string) []string {
	out := []string{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}
