package conversation

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Keyword kinds (D-6).
const (
	KwStop  = "stop"
	KwStart = "start"
	KwHelp  = "help"
)

type keyword struct{ kind, word string }

// keywords maps a text as words reads it (folded words, one space apart)
// to its kind and canonical word; multi-word forms are the same keyword.
var keywords = map[string]keyword{
	"stop": {KwStop, "STOP"}, "stopall": {KwStop, "STOPALL"}, "stop all": {KwStop, "STOPALL"},
	"unsubscribe": {KwStop, "UNSUBSCRIBE"}, "cancel": {KwStop, "CANCEL"}, "end": {KwStop, "END"},
	"quit": {KwStop, "QUIT"}, "revoke": {KwStop, "REVOKE"}, "optout": {KwStop, "OPTOUT"}, "opt out": {KwStop, "OPTOUT"},
	"start": {KwStart, "START"}, "yes": {KwStart, "YES"}, "unstop": {KwStart, "UNSTOP"},
	"help": {KwHelp, "HELP"}, "info": {KwHelp, "INFO"},
}

// polite are the words people wrap a keyword in ("stop please", "please
// stop", "STOP NOW"): one of them before or after the keyword leaves it a
// keyword. Anything more makes it a sentence, which at most is a suspected
// opt-out (SuspectedOptOut).
var polite = [][]string{{"please"}, {"pls"}, {"plz"}, {"thanks"}, {"thank", "you"}, {"thx"}, {"now"}}

// maxKeywordWords bounds a keyword text: two polite words and a two-word
// keyword, or one keyword said a few times ("stop stop stop").
const maxKeywordWords = 6

// Keyword classifies a whole message as a person types a keyword: width,
// case, punctuation, emoji and spacing do not matter (NFKC, case folding,
// anything but letters and digits separates words), OPT OUT and STOP ALL
// are OPTOUT and STOPALL, one polite word around the keyword is allowed and
// so is the keyword said again. Letters spaced apart ("s t o p") are not the
// word, and a keyword inside a longer sentence is no keyword. It answers the
// kind and the canonical word, or "" for an ordinary text.
func Keyword(body string) (kind, word string) {
	if len(body) > 40*maxKeywordWords { // far longer than any keyword text, even full-width
		return "", ""
	}
	ws := words(body)
	if len(ws) == 0 || len(ws) > maxKeywordWords {
		return "", ""
	}
	if k, ok := lookup(ws); ok {
		return k.kind, k.word
	}
	for _, p := range polite {
		if len(ws) > len(p) && slices.Equal(ws[:len(p)], p) {
			if k, ok := lookup(ws[len(p):]); ok {
				return k.kind, k.word
			}
		}
		if len(ws) > len(p) && slices.Equal(ws[len(ws)-len(p):], p) {
			if k, ok := lookup(ws[:len(ws)-len(p)]); ok {
				return k.kind, k.word
			}
		}
	}
	return "", ""
}

// lookup answers the keyword ws is: the whole of it, or one one-word
// keyword repeated.
func lookup(ws []string) (keyword, bool) {
	if k, ok := keywords[strings.Join(ws, " ")]; ok {
		return k, true
	}
	for _, w := range ws[1:] {
		if w != ws[0] {
			return keyword{}, false
		}
	}
	k, ok := keywords[ws[0]]
	return k, ok
}

// words answers body as its words: NFKC (full-width and other compatibility
// forms become plain letters), case-folded, invisible format characters
// (zero-width spaces, joiners, soft hyphens) and variation selectors
// dropped, and every run of anything but letters, digits and marks (spaces,
// punctuation, emoji) one separator. An apostrophe separates too: "don't"
// is "don t".
func words(body string) []string {
	s := norm.NFKC.String(body)
	s = cases.Fold().String(s) // a Caser keeps state: one per call
	s = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) {
			return -1
		}
		return r
	}, s)
	return strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsMark(r)
	})
}

// SuspectedOptOut reports whether a text that is not a keyword still reads
// like a request to stop (the FCC's 2025 revocation rule asks that one in
// other words be honoured). It is kept narrow, a person decides: phrases
// such as "stop texting me", "unsubscribe me", "remove me from your list",
// "don't text me", "leave me alone", "no more texts", "take me off", "opt me
// out", "do not contact", and "please stop" on its own. A negation ("don't
// stop texting me") or another sense of stop ("stop by the store") is not.
func SuspectedOptOut(body string) bool {
	ws := words(body)
	if len(ws) == 0 {
		return false
	}
	text := " " + strings.Join(ws, " ") + " "
	for _, p := range suspectPhrases {
		if strings.Contains(text, " "+p+" ") {
			return true
		}
	}
	for i, w := range ws {
		if w != "stop" {
			continue
		}
		negated := i > 0 && negations[ws[i-1]]
		next := ""
		if i+1 < len(ws) {
			next = ws[i+1]
		}
		if stopObjects[next] && !negated {
			return true // stop texting, stop messaging, stop contacting...
		}
		// "please stop" / "stop please" as a request, not "please stop by".
		pleaseBefore := i > 0 && ws[i-1] == "please" && (i < 2 || !negations[ws[i-2]])
		pleaseAfter := next == "please"
		if (pleaseBefore && !stopPlaces[next]) || (pleaseAfter && !negated) {
			return true
		}
	}
	return false
}

// suspectPhrases are requests to stop in other words, matched on whole
// words of the folded text.
var suspectPhrases = []string{
	"unsubscribe", "unsub", "opt out", "optout", "opt me out", "opted out",
	"remove me", "remove my number", "take me off", "take my number off",
	"do not text", "don t text", "dont text", "do not message", "don t message", "dont message",
	"do not contact", "don t contact", "dont contact", "never text me", "never contact me",
	"leave me alone", "no more texts", "no more text", "no more texting", "no more messages", "no more msgs",
	"lose my number", "delete my number",
}

// stopObjects follow "stop" when it means stop contacting me.
var stopObjects = map[string]bool{
	"texting": true, "text": true, "texts": true, "txting": true, "txt": true, "txts": true,
	"messaging": true, "message": true, "messages": true, "msg": true, "msgs": true, "msging": true,
	"sending": true, "contacting": true, "calling": true, "spamming": true, "emailing": true, "bothering": true,
}

// stopPlaces follow "stop" when it means visiting or halting somewhere.
var stopPlaces = map[string]bool{"by": true, "in": true, "at": true, "over": true, "here": true, "there": true, "for": true, "and": true}

// negations before "stop" turn a request to stop into its opposite
// ("don't stop texting me": "don t stop").
var negations = map[string]bool{"t": true, "dont": true, "not": true, "never": true, "didnt": true, "doesnt": true, "wont": true, "cant": true}
