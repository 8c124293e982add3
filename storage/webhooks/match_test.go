package webhooks

import "testing"

func TestMatches(t *testing.T) {
	cases := []struct {
		events []string
		typ    string
		want   bool
	}{
		{[]string{"*"}, "sms.received", true},
		{[]string{"sms.received"}, "sms.received", true},
		{[]string{"sms.received"}, "sms.sent", false},
		{[]string{"external.*"}, "external.order_paid", true},
		{[]string{"external.*"}, "externalx.order", false},
		{[]string{"external.*"}, "sms.received", false},
		{[]string{"call.*", "sms.sent"}, "call.completed", true},
		{[]string{"ext*"}, "external.x", false},
	}
	for _, c := range cases {
		if got := (&Endpoint{Events: c.events}).Matches(c.typ); got != c.want {
			t.Errorf("%v matches %s = %v; want %v", c.events, c.typ, got, c.want)
		}
	}
}
