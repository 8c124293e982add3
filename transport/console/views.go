package console

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/httpapi"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// JS and CSS are the console's assets.
type (
	JS  string
	CSS string
)

// ContentType implements httpapi.ContentTyper.
func (JS) ContentType() string { return "text/javascript; charset=utf-8" }

// ContentType implements httpapi.ContentTyper.
func (CSS) ContentType() string { return "text/css; charset=utf-8" }

// pages are parsed once: each page file with the layout and the shared
// partials, so a page's blocks can also be rendered alone for htmx.
var pages = func() map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		out[base] = template.Must(template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n))
	}
	return out
}()

var funcs = template.FuncMap{
	"when": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return ""
			}
			return v.UTC().Format("Jan 2 15:04 UTC")
		case *time.Time:
			if v == nil || v.IsZero() {
				return ""
			}
			return v.UTC().Format("Jan 2 15:04 UTC")
		}
		return ""
	},
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"deref": func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	},
	"pretty": func(raw json.RawMessage) string {
		if len(raw) == 0 {
			return ""
		}
		var buf bytes.Buffer
		if json.Indent(&buf, raw, "", "  ") != nil {
			return string(raw)
		}
		return buf.String()
	},
	"join": strings.Join,
	// q escapes a query value in an attribute html/template does not know
	// is a URL (hx-get).
	"q": url.QueryEscape,
}

// view is what the layout needs, around a page's own view.
type view struct {
	Title   string
	Nav     string
	Me      *tenancy.Me
	Role    tenancy.Role
	CSRF    string
	Operate bool // operator or admin: the page shows its actions
	Sandbox bool
	Page    any
}

// render writes a whole page.
func (a *API) render(c *httpapi.Call, status int, s *session, name, title, nav string, page any) error {
	v := &view{Title: title, Nav: nav, Page: page, Sandbox: a.d.Sandbox.Enabled()}
	if s != nil {
		v.Me, v.Role, v.CSRF, v.Operate = s.Me, s.P.Role, s.CSRF, s.can(tenancy.Operator)
	}
	return a.exec(c, status, name, "layout", v)
}

// part writes one block of a page (an htmx fragment) with the page's view.
func (a *API) part(c *httpapi.Call, s *session, name, block string, page any) error {
	v := &view{Page: page, Sandbox: a.d.Sandbox.Enabled(), Me: s.Me, Role: s.P.Role, CSRF: s.CSRF, Operate: s.can(tenancy.Operator)}
	return a.exec(c, 200, name, block, v)
}

// fragment writes a shared block with data as its dot.
func (a *API) fragment(c *httpapi.Call, status int, block string, data any) error {
	return a.exec(c, status, "error", block, data)
}

func (a *API) exec(c *httpapi.Call, status int, name, block string, data any) error {
	t, ok := pages[name]
	if !ok {
		return fmt.Errorf("console: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, data); err != nil {
		return fmt.Errorf("console: render %s/%s: %w", name, block, err)
	}
	return httpapi.Text(c, status, HTML(buf.String()))
}

func (a *API) script(c *httpapi.Call) error {
	name := c.Param("name")
	if name != "htmx.min.js" && name != "sse.min.js" {
		return a.notFoundAsset(c)
	}
	raw, err := staticFS.ReadFile("static/" + name)
	if err != nil {
		return a.notFoundAsset(c)
	}
	secureHeaders(c)
	c.Ctx.Response.Header.Set("Cache-Control", "public, max-age=3600")
	return httpapi.Text(c, 200, JS(raw))
}

func (a *API) style(c *httpapi.Call) error {
	raw, err := staticFS.ReadFile("static/console.css")
	if err != nil {
		return a.notFoundAsset(c)
	}
	secureHeaders(c)
	c.Ctx.Response.Header.Set("Cache-Control", "public, max-age=3600")
	return httpapi.Text(c, 200, CSS(raw))
}

func (a *API) notFoundAsset(c *httpapi.Call) error {
	secureHeaders(c)
	return httpapi.Text(c, 404, HTML("not found"))
}

func sortStrings(s []string) []string { slices.Sort(s); return s }
