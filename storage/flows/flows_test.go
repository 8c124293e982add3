package flows

import (
	"encoding/json"
	"testing"
)

func TestBuiltins(t *testing.T) {
	for _, c := range []struct {
		tools string
		name  string
		want  bool
	}{
		{`null`, "end_call", true},
		{`{}`, "send_digits", true},
		{`{"builtin":["end_call"]}`, "end_call", true},
		{`{"builtin":["end_call"]}`, "transfer_call", false},
		{`{"builtin":[]}`, "end_call", false},
	} {
		f := &Flow{ToolsJSON: json.RawMessage(c.tools)}
		if got := f.AllowsBuiltin(c.name); got != c.want {
			t.Errorf("tools_json %s: AllowsBuiltin(%q) = %v; want %v", c.tools, c.name, got, c.want)
		}
	}
}
