package flowtools

import (
	"regexp"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	data := Data{"args": map[string]any{"q": `say "hi"`, "n": 3.0}, "call": map[string]any{"from": "+13175550100"}}
	cases := []struct{ src, want string }{
		{"", ""},
		{`{"q":{{json .args.q}},"n":{{.args.n}}}`, `{"q":"say \"hi\"","n":3}`},
		{"missing=[{{.args.nope}}]", "missing=[]"},
		{"/x/{{urlpath .args.q}}?from={{urlquery .call.from}}", "/x/say%20%22hi%22?from=%2B13175550100"},
		{"{{.contact.e164}}", ""},
	}
	for _, c := range cases {
		got, err := Render(c.src, data, 0)
		if err != nil || got != c.want {
			t.Errorf("Render(%q) = %q, %v; want %q", c.src, got, err, c.want)
		}
	}
	if got, _ := Render("héllo wörld", nil, 2); got != "h…" {
		t.Errorf("cut = %q; want a cut on a rune boundary", got)
	}
	if _, err := Render(`{{range .big}}xx{{end}}`, Data{"big": make([]struct{}, renderLimit)}, 0); err == nil {
		t.Error("a template writing more than the limit was not stopped")
	}
}

func TestURLShape(t *testing.T) {
	cases := []struct {
		src, shape string
		ok         bool
	}{
		{"https://api.example.com/orders/{{urlpath .args.id}}?x={{.args.x}}", "https://api.example.com/orders/x?x=x", true},
		{"https://api.example.com", "https://api.example.com", true},
		{"https://{{.args.host}}/x", "https://x/x", false},
		{"https://api.example.com{{.args.p}}", "https://api.example.comx", false},
		{"{{.args.scheme}}://api.example.com/", "x://api.example.com/", false},
		{"https://api.example.com/{{.args", "", false},
	}
	for _, c := range cases {
		shape, ok := urlShape(c.src)
		if ok != c.ok || (c.ok && shape != c.shape) {
			t.Errorf("urlShape(%q) = %q, %v; want %q, %v", c.src, shape, ok, c.shape, c.ok)
		}
	}
}

func TestModelName(t *testing.T) {
	openAI := regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	long := strings.Repeat("a", 64)
	if got := ModelName("order_status"); got != "http_order_status" {
		t.Errorf("ModelName = %q", got)
	}
	if got := ModelName(long); !openAI.MatchString(got) || got == ModelName(long[:63]+"b") {
		t.Errorf("ModelName(64 chars) = %q; want a distinct name within 64 characters", got)
	}
}
