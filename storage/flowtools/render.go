package flowtools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"text/template"
	"unicode/utf8"
)

// Data is what templates render: the keys below, each present when known.
//
//	args          the model's arguments (in_call; {} for pre_call)
//	call          {id, from, to, direction, flow_id, contact_name} on a voice call
//	conversation  {id, contact_e164, number_e164} in an SMS run
//	contact       {id, e164, name, first_name, last_name, email} when humd knows the caller
//	flow, org     {id}
//	status        the HTTP status (output and fallback templates; 0 when none came back)
//	body          the answer as text (output templates)
//	json          the answer parsed as JSON, nil when it is not JSON (output templates)
//	error         why the request failed (fallback templates)
type Data = map[string]any

// funcs are the helpers every template may use: json renders a value as
// JSON (a string is quoted and escaped, so it is safe inside a JSON body),
// urlquery (text/template's own) and urlpath escape for URLs.
var funcs = template.FuncMap{
	"json": func(v any) (string, error) {
		raw, err := json.Marshal(v)
		return string(raw), err
	},
	"urlpath": func(v any) string { return url.PathEscape(fmt.Sprint(v)) },
}

// parse compiles a template; "" is nil (nothing to render).
func parse(name, src string) (*template.Template, error) {
	if src == "" {
		return nil, nil
	}
	return template.New(name).Funcs(funcs).Parse(src)
}

// noValue is what text/template prints for a missing map key; a template
// that names an argument the model left out renders it as "".
const noValue = "<no value>"

// Render runs the template src over data ("" renders ""), cutting the
// result to max bytes (0: no cut).
func Render(src string, data Data, max int) (string, error) {
	t, err := parse("t", src)
	if err != nil || t == nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&limited{w: &b, n: renderLimit}, data); err != nil {
		return "", err
	}
	out := strings.ReplaceAll(b.String(), noValue, "")
	if max > 0 {
		out = Cut(out, max)
	}
	return out, nil
}

// renderLimit bounds what one template may produce before it is stopped.
const renderLimit = 1 << 20

type limited struct {
	w *bytes.Buffer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if l.w.Len()+len(p) > l.n {
		return 0, fmt.Errorf("template output exceeds %d bytes", l.n)
	}
	return l.w.Write(p)
}

// Cut shortens s to at most n bytes on a rune boundary, marking the cut
// with "…".
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// placeholder stands in for a template action when a URL template is
// checked: the scheme and host must be literal, the rest must parse.
const placeholder = "x"

// urlShape answers a URL template with its actions replaced, and whether the
// scheme and host are free of actions.
func urlShape(src string) (string, bool) {
	var b strings.Builder
	rest := src
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			return "", false
		}
		b.WriteString(rest[:i])
		b.WriteString(placeholder)
		rest = rest[i+j+2:]
	}
	scheme, after, ok := strings.Cut(src, "://")
	if !ok || strings.Contains(scheme, "{{") {
		return b.String(), false
	}
	end := strings.IndexAny(after, "/?#")
	if end < 0 {
		end = len(after)
	}
	return b.String(), !strings.Contains(after[:end], "{{")
}
