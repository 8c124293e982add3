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
		// Width and case: full-width letters and other compatibility forms (long s).
		{"Ｓｔｏｐ", KwStop, "STOP"}, {"ＳＴＯＰ！", KwStop, "STOP"}, {"ｈｅｌｐ", KwHelp, "HELP"}, {"ſtop", KwStop, "STOP"},
		// Punctuation, emoji and spacing anywhere around the word.
		{"!stop", KwStop, "STOP"}, {"\"Stop\"", KwStop, "STOP"}, {"🛑 STOP 🛑", KwStop, "STOP"}, {"*stop*", KwStop, "STOP"},
		{"st\u200bop", KwStop, "STOP"}, {"STOP\u00a0", KwStop, "STOP"}, {"stop...", KwStop, "STOP"},
		// Multi-word forms.
		{"OPT OUT", KwStop, "OPTOUT"}, {"opt-out", KwStop, "OPTOUT"}, {"Opt  out.", KwStop, "OPTOUT"},
		{"STOP ALL", KwStop, "STOPALL"}, {"stop-all!", KwStop, "STOPALL"},
		// One polite word around it, or the word again.
		{"Stop please", KwStop, "STOP"}, {"please stop", KwStop, "STOP"}, {"PLEASE STOP!!!", KwStop, "STOP"},
		{"stop now", KwStop, "STOP"}, {"stop, thank you", KwStop, "STOP"}, {"opt out please", KwStop, "OPTOUT"},
		{"pls unsubscribe", KwStop, "UNSUBSCRIBE"}, {"help please", KwHelp, "HELP"}, {"stop stop stop", KwStop, "STOP"},
		{"STOP. STOP.", KwStop, "STOP"},
		// Not keywords.
		{"yes, confirm", "", ""}, {"", "", ""}, {"st op", "", ""}, {"s t o p", "", ""}, {"  S T O P  ", "", ""},
		{"stopp", "", ""}, {"I need help", "", ""}, {"please please stop", "", ""}, {"stop texting me", "", ""},
		{"don't stop", "", ""}, {"stop by the store tomorrow", "", ""}, {"please stop by", "", ""}, {"stop 2", "", ""},
		{"🛑", "", ""}, {"...", "", ""}, {"stop start", "", ""}, {"now", "", ""}, {"please", "", ""},
	}
	for _, c := range cases {
		kind, word := Keyword(c.in)
		if kind != c.kind || word != c.word {
			t.Errorf("Keyword(%q) = %q, %q; want %q, %q", c.in, kind, word, c.kind, c.word)
		}
	}
}

// TestSuspectedOptOut: requests to stop in other words are flagged for a
// person; negations, other senses of stop and ordinary texts are not.
func TestSuspectedOptOut(t *testing.T) {
	yes := []string{
		"Please stop texting me", "stop messaging me!!", "STOP SENDING ME THESE", "unsubscribe me", "how do I unsubscribe?",
		"remove me from your list", "Don't text me again", "don’t text me", "dont message me", "do not contact me ever again",
		"leave me alone", "No more texts please", "take me off this list", "opt me out", "I want to opt out of these",
		"I asked you to stop calling me", "please stop, I'm not interested", "Ｓｔｏｐ ｔｅｘｔｉｎｇ ｍｅ",
		"stop please, wrong person", "lose my number",
	}
	no := []string{
		"don't stop texting me", "I can't stop texting you haha", "stop by the store tomorrow", "please stop by the office",
		"Can we stop at 5?", "what time do you open", "yes", "I'll stop in later", "Don't stop please", "the bus stop",
		"see you at the end", "can I cancel my appointment", "s t o p", "", "🛑🛑",
	}
	for _, in := range yes {
		if !SuspectedOptOut(in) {
			t.Errorf("SuspectedOptOut(%q) = false; want true", in)
		}
	}
	for _, in := range no {
		if SuspectedOptOut(in) {
			t.Errorf("SuspectedOptOut(%q) = true; want false", in)
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
