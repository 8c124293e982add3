package console

import (
	"encoding/json"
	"testing"

	"github.com/humd/humd/storage/flows"
)

// The editor's form turns into the service's input: the schedule as
// business_hours_json (null when always open), the built-in tools as
// tools_json.builtin with the flow's other tools_json keys kept, and caps
// that are not numbers as errors on the service's field names.
func TestFlowFormInput(t *testing.T) {
	fl := &flows.Flow{Name: "Desk", Kind: "inbound", Channel: "sms", ToolsJSON: json.RawMessage(`{"builtin":["end_call"],"custom":1}`),
		BusinessHoursJSON: json.RawMessage(`{"timezone":"America/New_York","weekly":{"mon":[["09:00","17:00"]]},"closed_dates":["2099-12-25"]}`)}
	f := flowFormOf(fl, []string{"mcp_1"})
	if f.AlwaysOpen || f.Timezone != "America/New_York" || f.Days[0].Rows[0] != [2]string{"09:00", "17:00"} || f.BuiltinAll || !f.Builtins["end_call"] {
		t.Fatalf("form of the flow = %+v", f)
	}
	f.Builtins = map[string]bool{"lookup_knowledge": true}
	in, err := f.input()
	if err != nil {
		t.Fatal(err)
	}
	if got := string(in.ToolsJSON.V); got != `{"builtin":["lookup_knowledge"],"custom":1}` {
		t.Errorf("tools_json = %s", got)
	}
	if got := string(in.BusinessHoursJSON.V); got != `{"timezone":"America/New_York","weekly":{"mon":[["09:00","17:00"]]},"closed_dates":["2099-12-25"]}` {
		t.Errorf("business_hours_json = %s", got)
	}
	f.AlwaysOpen, f.BuiltinAll = true, true
	if in, err = f.input(); err != nil || !in.BusinessHoursJSON.Null || string(in.ToolsJSON.V) != `{"custom":1}` {
		t.Errorf("always open, all tools: hours %+v tools %s err %v", in.BusinessHoursJSON, in.ToolsJSON.V, err)
	}
	f.SMS["debounce_ms"] = "soon"
	_, err = f.input()
	if fe := fieldErrors(err); fe["sms_config_json.debounce_ms"] == "" {
		t.Errorf("a cap that is not a number: %v", err)
	}
}

// The pages of issue 20 are parsed with the layout.
func TestConfigPagesParsed(t *testing.T) {
	for _, name := range []string{"flows", "flow", "numbers", "knowledge", "knowledge_doc", "campaigns", "campaign_new", "campaign",
		"contacts", "contact", "integrations", "webhook", "team", "settings", "billing"} {
		if pages[name] == nil || pages[name].Lookup("layout") == nil || pages[name].Lookup("content") == nil {
			t.Errorf("page %s is missing or has no layout/content", name)
		}
	}
	for _, name := range []string{"integrations", "webhook", "team", "settings", "billing"} {
		if pages[name].Lookup("flash") == nil {
			t.Errorf("page %s has no flash block", name)
		}
	}
	for _, block := range []string{"hours-row", "closed-row", "transfer-row", "tool-trial"} {
		if pages["flow"].Lookup(block) == nil {
			t.Errorf("flow has no %s block", block)
		}
	}
}
