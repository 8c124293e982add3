package console

import (
	"testing"
)

// A field's error shows beside it, nested wire fields (events[0],
// business_hours_json.weekly.mon[0]) beside their parent input, and only
// for their own form.
func TestFormStateErr(t *testing.T) {
	f := &formState{Errors: map[string]map[string]string{
		"webhook":  {"events[0]": "unknown event type", "url": "must be https"},
		"settings": {"business_hours_json.weekly.mon[0]": "times must be HH:MM", "business_hours_json.weekly.monday": "unknown day"},
	}}
	for _, c := range []struct{ form, field, want string }{
		{"webhook", "events", "unknown event type"},
		{"webhook", "url", "must be https"},
		{"webhook", "description", ""},
		{"crm", "url", ""},
		{"settings", "business_hours_json.weekly.mon", "times must be HH:MM"},
	} {
		if got := f.Err(c.form, c.field); got != c.want {
			t.Errorf("Err(%s, %s) = %q; want %q", c.form, c.field, got, c.want)
		}
	}
	if got := f.Summary("webhook"); len(got) != 2 || got[0] != "events[0]: unknown event type" {
		t.Errorf("Summary = %v", got)
	}
	if f.status() != 422 || (&formState{}).status() != 200 {
		t.Error("a refused form is not 422")
	}
}

// Lists typed as text split on commas and lines, dropping blanks.
func TestSplitList(t *testing.T) {
	got := splitList(" sms.received, call.*\n\n*, ")
	if len(got) != 3 || got[0] != "sms.received" || got[1] != "call.*" || got[2] != "*" {
		t.Errorf("splitList = %q", got)
	}
	if got := splitList(""); got == nil || len(got) != 0 {
		t.Errorf("splitList(\"\") = %#v; want empty, not nil (an empty filter is refused by name)", got)
	}
}
