package conversation

import (
	"strings"
	"unicode"
)

// Keyword kinds (D-6).
const (
	KwStop  = "stop"
	KwStart = "start"
	KwHelp  = "help"
)

var keywords = map[string]string{
	"STOP": KwStop, "STOPALL": KwStop, "UNSUBSCRIBE": KwStop, "CANCEL": KwStop, "END": KwStop,
	"QUIT": KwStop, "REVOKE": KwStop, "OPTOUT": KwStop,
	"START": KwStart, "YES": KwStart, "UNSTOP": KwStart,
	"HELP": KwHelp, "INFO": KwHelp,
}

// Keyword classifies a whole message as Twilio does: trimmed, case-insensitive,
// trailing punctuation ignored; a keyword inside a longer text is no keyword.
// It answers the kind and the canonical word, or "" for an ordinary text.
func Keyword(body string) (kind, word string) {
	w := strings.TrimRightFunc(strings.TrimSpace(body), func(r rune) bool {
		return unicode.IsPunct(r) || unicode.IsSpace(r) || unicode.IsSymbol(r)
	})
	w = strings.ToUpper(strings.TrimLeftFunc(w, func(r rune) bool { return unicode.IsSpace(r) }))
	if k, ok := keywords[w]; ok {
		return k, w
	}
	return "", ""
}
