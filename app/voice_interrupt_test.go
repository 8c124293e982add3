package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestVoiceInterruptAfterStream: Twilio's speech lags the token stream, so
// the caller usually cuts the agent off after the model has finished. The
// agent's last line is then marked interrupted with what the caller heard,
// and the next model request carries only the heard words.
func TestVoiceInterruptAfterStream(t *testing.T) {
	s, fake, _ := voiceServer(t, nil)
	c := dial(t, s, contact, "")
	id := c.TwiML.Parameters["call_id"]
	const full = "We open at nine every weekday and close at six, except on holidays."
	const heard = "We open at nine"
	fake.ReplyText(full)
	if err := c.Conn.Prompt("When do you open?"); err != nil {
		t.Fatal(err)
	}
	if text, _ := reply(t, c); text != full {
		t.Fatalf("reply = %q", text)
	}
	// The reply is written before the interrupt comes in.
	s.WaitFor("the agent's line", func() error {
		turns := transcript(t, s, id)
		if last := turns[len(turns)-1]; last.Role != "agent" || last.Text != full {
			return fmt.Errorf("last turn = %+v", last)
		}
		return nil
	})
	if err := c.Conn.Interrupt(heard, 900); err != nil {
		t.Fatal(err)
	}
	s.WaitFor("the agent's line cut to what was heard", func() error {
		turns := transcript(t, s, id)
		last := turns[len(turns)-1]
		if last.Role != "agent" || !last.Interrupted || last.Heard != heard || last.Text != full {
			b, _ := json.Marshal(turns)
			return fmt.Errorf("transcript = %s", b)
		}
		return nil
	})

	fake.ReplyText("Sure: nine in the morning.")
	if err := c.Conn.Prompt("Sorry, nine in the morning?"); err != nil {
		t.Fatal(err)
	}
	if text, _ := reply(t, c); text != "Sure: nine in the morning." {
		t.Errorf("reply = %q", text)
	}
	reqs := fake.Requests()
	var said []string
	for _, in := range reqs[len(reqs)-1].Input {
		if in.Role == "assistant" {
			said = append(said, in.Content)
		}
	}
	if len(said) == 0 || said[len(said)-1] != heard || strings.Contains(strings.Join(said, " "), "six") {
		t.Errorf("assistant lines sent to the model = %q; want the last one to be only %q", said, heard)
	}
	// The answer reaches the caller before its line is written.
	s.WaitFor("the cut line, the question and the answer", func() error {
		turns := transcript(t, s, id)
		n := len(turns)
		if n < 3 || !turns[n-3].Interrupted || turns[n-2].Text != "Sorry, nine in the morning?" || turns[n-1].Text != "Sure: nine in the morning." {
			b, _ := json.Marshal(turns)
			return fmt.Errorf("transcript = %s", b)
		}
		return nil
	})
}
