package campaigns

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
)

var placeholder = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// Fields a template may name besides vars.<key>; "contact." is accepted as a
// prefix (A24's {{contact.first_name}}).
var knownFields = map[string]bool{"first_name": true, "name": true, "last_name": true}

// Placeholders answers the names a template uses, normalised ("first_name",
// "vars.code"), and the first unknown one, if any.
func Placeholders(tmpl string) (names []string, unknown string) {
	seen := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(tmpl, -1) {
		n := normalise(m[1])
		if !knownFields[n] && !(strings.HasPrefix(n, "vars.") && len(n) > len("vars.")) {
			if unknown == "" {
				unknown = m[1]
			}
			continue
		}
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	return names, unknown
}

func normalise(n string) string { return strings.TrimPrefix(n, "contact.") }

// Fields are what a template renders from: the recipient row first, then
// the org's contact for the number.
type Fields struct {
	FirstName, Name, LastName string
	Vars                      map[string]string
}

func (f *Fields) value(name string) (string, bool) {
	switch name {
	case "first_name":
		return f.FirstName, f.FirstName != ""
	case "name":
		return f.Name, f.Name != ""
	case "last_name":
		return f.LastName, f.LastName != ""
	}
	if k, ok := strings.CutPrefix(name, "vars."); ok {
		v, ok := f.Vars[k]
		return v, ok
	}
	return "", false
}

// Render fills a template; a missing value renders as empty and is named in
// missing (SPEC 1.11).
func Render(tmpl string, f *Fields) (out string, missing []string) {
	out = placeholder.ReplaceAllStringFunc(tmpl, func(m string) string {
		n := normalise(strings.TrimSpace(m[2 : len(m)-2]))
		v, ok := f.value(n)
		if !ok {
			missing = append(missing, n)
		}
		return v
	})
	return out, missing
}

// templateWarnings names the placeholders some recipients lack a value for
// (rows without a body override only). Contacts are not consulted here: a
// name may be added to a contact before the text goes out.
func templateWarnings(tmpl string, rows []*Recipient) []string {
	w := newWarner(tmpl)
	for _, r := range rows {
		w.add(r)
	}
	return w.warnings()
}

// Warnings recomputes a stored campaign's warnings for tmpl, streaming its rows.
func Warnings(s storage.Store, org, id, tmpl string) ([]string, error) {
	w := newWarner(tmpl)
	err := ScanRecipients(s, org, id, 0, func(r *Recipient) (bool, error) {
		w.add(r)
		return true, nil
	})
	return w.warnings(), err
}

type warner struct {
	names []string
	miss  []int
}

func newWarner(tmpl string) *warner {
	names, _ := Placeholders(tmpl)
	return &warner{names: names, miss: make([]int, len(names))}
}

func (w *warner) add(r *Recipient) {
	if r.Body != "" {
		return
	}
	f := Fields{FirstName: r.FirstName, Name: r.Name, Vars: r.Vars}
	for i, n := range w.names {
		if _, ok := f.value(n); !ok {
			w.miss[i]++
		}
	}
}

func (w *warner) warnings() []string {
	out := []string{}
	for i, n := range w.names {
		switch miss := w.miss[i]; {
		case miss == 0:
		case strings.HasPrefix(n, "vars."):
			out = append(out, fmt.Sprintf("{{%s}} is missing for %d recipient(s) and renders empty", n, miss))
		default:
			out = append(out, fmt.Sprintf("{{%s}} is not on %d recipient row(s); it comes from the contact at send time or renders empty", n, miss))
		}
	}
	return out
}

// RenderFor is the text a recipient gets: its body override, else the
// template filled from the row, then from the org's contact for the number
// (first and last name), as the campaign's actor sends it and the console
// previews it.
func RenderFor(s storage.Store, org, tmpl string, r *Recipient) (out string, missing []string) {
	if r.Body != "" {
		return r.Body, nil
	}
	f := Fields{FirstName: r.FirstName, Name: r.Name, Vars: r.Vars}
	if f.FirstName == "" || f.Name == "" {
		if ct, err := sms.ContactByE164(s, org, r.E164); err == nil {
			if f.FirstName == "" {
				f.FirstName = ct.FirstName
			}
			if f.Name == "" {
				f.Name = ct.Name
			}
			f.LastName = ct.LastName
		}
	}
	return Render(tmpl, &f)
}
