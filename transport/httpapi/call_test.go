package httpapi

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

type typedAnswer struct {
	OK bool `json:"ok"`
}

// TestAnswerMustBeTheDeclaredType: with CheckTypes (as the end-to-end tests
// run), an answer of another Go type than the route declares fails instead
// of going out, so a handler cannot drift from its document; off, it goes
// out (and is logged).
func TestAnswerMustBeTheDeclaredType(t *testing.T) {
	for _, check := range []bool{true, false} {
		s := New(Config{CheckTypes: check, Logger: slog.New(slog.DiscardHandler)}, areaFunc(func() []*Route {
			return []*Route{
				{Method: "GET", Path: "/right", OpID: "right", Tag: "T", Auth: Public, Responses: Answer[typedAnswer](200),
					Handle: func(c *Call) error { return c.JSON(200, &typedAnswer{OK: true}) }},
				{Method: "GET", Path: "/wrong", OpID: "wrong", Tag: "T", Auth: Public, Responses: Answer[typedAnswer](200),
					Handle: func(c *Call) error { return c.JSON(200, map[string]any{"ok": true}) }},
			}
		}))
		for path, want := range map[string]int{"/right": 200, "/wrong": map[bool]int{true: 500, false: 200}[check]} {
			var ctx fasthttp.RequestCtx
			ctx.Request.SetRequestURI(path)
			s.Handler()(&ctx)
			if got := ctx.Response.StatusCode(); got != want {
				t.Errorf("CheckTypes=%v: GET %s = %d %s; want %d", check, path, got, ctx.Response.Body(), want)
			}
			if want == 200 && !strings.Contains(string(ctx.Response.Body()), `"ok":true`) {
				t.Errorf("CheckTypes=%v: GET %s answered %s", check, path, ctx.Response.Body())
			}
		}
	}
}

type areaFunc func() []*Route

func (f areaFunc) Routes() []*Route { return f() }
