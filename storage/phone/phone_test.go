package phone

import "testing"

func TestValid(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"+13175550100", true}, {"+15005550006", true}, {"+442071838750", true}, {"+4915112345678", true},
		{"13175550100", false}, {"+1317555010", false}, {"+0123456789", false}, {"+1 317 555 0100", false},
		{"", false}, {"+", false}, {"+1234567890123456", false}, {"+99912", false}, {"+1317555O100", false},
	}
	for _, c := range cases {
		if got := Valid(c.in); got != c.want {
			t.Errorf("Valid(%q) = %v; want %v", c.in, got, c.want)
		}
	}
}

func TestSender(t *testing.T) {
	for in, want := range map[string]string{"+13175550100": "e164", "12345": "short_code", "898211": "short_code", "ACME": "alphanumeric", "Acme-Bank": "alphanumeric", "12": "alphanumeric"} {
		if got := Sender(in); got != want {
			t.Errorf("Sender(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestTimeZones(t *testing.T) {
	if z := TimeZones("+12125550100"); len(z) == 0 || z[0] != "America/New_York" {
		t.Errorf("TimeZones(NYC) = %v; want America/New_York", z)
	}
	if z := TimeZones("+14155550100"); len(z) == 0 || z[0] != "America/Los_Angeles" {
		t.Errorf("TimeZones(SF) = %v; want America/Los_Angeles", z)
	}
	if z := TimeZones("junk"); z != nil {
		t.Errorf("TimeZones(junk) = %v; want nil", z)
	}
}
