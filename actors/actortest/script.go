package actortest

import (
	"flag"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
)

// Golden scripts (testdata/*.txt, cockroachdb/datadriven) drive actors
// through a World and print the state that results. Work goes on in
// mailboxes after a command returns, so printing commands Poll: they render
// until the output matches the script and keeps matching for Settle, or
// until PollTimeout. "go test -run TestGolden ./actors/<kind>/ -args
// -rewrite" regenerates the expected outputs.

// Settle is how long a matching output must keep matching: "none" holds
// before the work it rules out had a chance to happen, and "one reply"
// before a second one would arrive.
var Settle = 50 * time.Millisecond

// PollTimeout bounds how long a printing command waits for its output.
var PollTimeout = 5 * time.Second

// Rewriting reports datadriven's -rewrite flag.
func Rewriting() bool {
	f := flag.Lookup("rewrite")
	return f != nil && f.Value.String() == "true"
}

// Poll renders until the output is the script's and stays so for Settle;
// when rewriting, until it has not changed for Settle.
func Poll(d *datadriven.TestData, render func() string) string {
	want := strings.TrimSuffix(d.Expected, "\n")
	end := time.Now().Add(PollTimeout)
	last, since := render(), time.Now()
	for {
		if (Rewriting() || last == want) && time.Since(since) >= Settle {
			return last
		}
		if time.Now().After(end) {
			return last
		}
		<-time.After(2 * time.Millisecond)
		if got := render(); got != last {
			last, since = got, time.Now()
		}
	}
}

// Arg answers the first value of the command argument key, or def.
func Arg(d *datadriven.TestData, key, def string) string {
	for _, a := range d.CmdArgs {
		if a.Key == key && len(a.Vals) > 0 {
			return a.Vals[0]
		}
	}
	return def
}

// Has reports whether the command has the argument key (with or without values).
func Has(d *datadriven.TestData, key string) bool {
	for _, a := range d.CmdArgs {
		if a.Key == key {
			return true
		}
	}
	return false
}

// Args answers every value of the command argument key.
func Args(d *datadriven.TestData, key string) []string {
	for _, a := range d.CmdArgs {
		if a.Key == key {
			return a.Vals
		}
	}
	return nil
}

// Duration parses the command argument key as a duration.
func Duration(t testing.TB, d *datadriven.TestData, key, def string) time.Duration {
	t.Helper()
	v, err := time.ParseDuration(Arg(d, key, def))
	if err != nil {
		t.Fatalf("%s: %s=%q: %v", d.Pos, key, Arg(d, key, def), err)
	}
	return v
}

// StartTime parses "at=RFC3339" of a start command (zero when absent).
func StartTime(t testing.TB, d *datadriven.TestData) time.Time {
	t.Helper()
	at := Arg(d, "at", "")
	if at == "" {
		return time.Time{}
	}
	ts, err := time.Parse(time.RFC3339, at)
	if err != nil {
		t.Fatalf("%s: at=%q: %v", d.Pos, at, err)
	}
	return ts
}

// Common runs the commands every actor script shares; ok is false for any
// other command.
//
//	advance d=      move the fake clock, draining the scheduler minute by minute; prints the time
//	restart         stop every actor and the store, start again on the same data
//	sent            the texts the carrier took since the last start
//	events          the org's event log, counted by type
//	model           queue model answers, one per line (see Model.Script)
func (w *World) Common(d *datadriven.TestData) (out string, ok bool) {
	switch d.Cmd {
	case "advance":
		w.Advance(Duration(w.T, d, "d", "0s"))
		return w.Clock.Now().UTC().Format(time.RFC3339), true
	case "restart":
		w.Restart()
		return "ok", true
	case "model":
		if err := w.Model.Script(d.Input); err != nil {
			w.T.Fatalf("%s: %v", d.Pos, err)
		}
		return "ok", true
	case "sent":
		return Poll(d, func() string {
			// By time, then in the order humd made them: texts sent in one
			// instant race to the carrier on their own goroutines.
			sent := w.Carrier.Sent()
			slices.SortStableFunc(sent, func(a, b Sent) int {
				if c := a.At.Compare(b.At); c != 0 {
					return c
				}
				return strings.Compare(a.MessageID, b.MessageID)
			})
			var lines []string
			for _, r := range sent {
				lines = append(lines, fmt.Sprintf("%s %s %q", r.At.UTC().Format(time.RFC3339), r.To, r.Body))
			}
			return orNone(lines)
		}), true
	case "events":
		// Counts per type: threads and carrier answers interleave, so the
		// log's order across them is not part of the contract.
		return Poll(d, func() string {
			count := map[string]int{}
			for _, e := range w.Events() {
				count[e.Type]++
			}
			var lines []string
			for _, k := range slices.Sorted(maps.Keys(count)) {
				lines = append(lines, fmt.Sprintf("%s x%d", k, count[k]))
			}
			return orNone(lines)
		}), true
	}
	return "", false
}

func orNone(lines []string) string {
	if len(lines) == 0 {
		return "none"
	}
	return strings.Join(lines, "\n")
}

// OrNone joins lines, or answers "none" for no lines.
func OrNone(lines []string) string { return orNone(lines) }

// IDs matches humd's random ids, which scripts print as <prefix>_ID.
var IDs = regexp.MustCompile(`\b(sch|msg|conv|run|kb|num|evt|ct|call|camp|wh|vm)_[0-9a-z]{20,}\b`)

// MaskIDs replaces humd's random ids in s with <prefix>_ID.
func MaskIDs(s string) string { return IDs.ReplaceAllString(s, "${1}_ID") }

// Prelude is what every golden script's run does first: a script must
// "start" its World before anything else, and the World's common commands
// (Common) are answered here. ok reports that d was handled.
func Prelude(t testing.TB, w *World, d *datadriven.TestData) (out string, ok bool) {
	t.Helper()
	if w == nil {
		if d.Cmd != "start" {
			t.Fatalf("%s: start first", d.Pos)
		}
		return "", false
	}
	return w.Common(d)
}
