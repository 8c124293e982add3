package conversation

import "testing"

func TestKeyword(t *testing.T) {
	cases := []struct{ in, kind, word string }{
		{"STOP", KwStop, "STOP"}, {"stop", KwStop, "STOP"}, {"  Stop  ", KwStop, "STOP"}, {"stop!", KwStop, "STOP"},
		{"Stop.", KwStop, "STOP"}, {"STOP!!!", KwStop, "STOP"}, {"\tunsubscribe\n", KwStop, "UNSUBSCRIBE"},
		{"StopAll", KwStop, "STOPALL"}, {"cancel?", KwStop, "CANCEL"}, {"End", KwStop, "END"}, {"quit", KwStop, "QUIT"},
		{"revoke", KwStop, "REVOKE"}, {"OptOut", KwStop, "OPTOUT"},
		{"start", KwStart, "START"}, {"Yes!", KwStart, "YES"}, {"unstop", KwStart, "UNSTOP"},
		{"help", KwHelp, "HELP"}, {"Info?", KwHelp, "INFO"}, {"HELP 🙏", KwHelp, "HELP"},
		{"Stop please", "", ""}, {"please stop", "", ""}, {"yes, confirm", "", ""}, {"", "", ""}, {"st op", "", ""},
		{"stopp", "", ""}, {"I need help", "", ""}, {"!stop", "", ""},
	}
	for _, c := range cases {
		kind, word := Keyword(c.in)
		if kind != c.kind || word != c.word {
			t.Errorf("Keyword(%q) = %q, %q; want %q, %q", c.in, kind, word, c.kind, c.word)
		}
	}
}

func TestCleanReply(t *testing.T) {
	cases := []struct {
		in    string
		limit int
		want  string
	}{
		{"**Hello** there", 100, "Hello there"},
		{"one two three four five", 12, "one two…"},
		{"short", 10, "short"},
		{"abcdefghijklmnop", 8, "abcdefg…"},
	}
	for _, c := range cases {
		if got := cleanReply(c.in, c.limit); got != c.want {
			t.Errorf("cleanReply(%q, %d) = %q; want %q", c.in, c.limit, got, c.want)
		}
	}
}
