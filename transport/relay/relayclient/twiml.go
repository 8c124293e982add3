package relayclient

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
)

// ErrBadTwiML is wrapped by ParseTwiML's errors.
var ErrBadTwiML = errors.New("relayclient: bad TwiML")

// Kind is what a voice TwiML document does with the call.
type Kind string

// The kinds ParseTwiML tells apart, decided by the first of <Connect> (with a
// <ConversationRelay>), <Reject>, <Record> and <Dial> in the document; failing
// those, by <Say> (speak, then hang up) or <Hangup>.
const (
	KindConnect Kind = "connect" // <Connect><ConversationRelay>: the AI agent answers
	KindReject  Kind = "reject"  // <Reject>: refused before answering
	KindRecord  Kind = "record"  // <Record>, after a <Say>: voicemail
	KindDial    Kind = "dial"    // <Dial>: forwarded to a number
	KindSay     Kind = "say"     // only speech, then the call ends
	KindHangup  Kind = "hangup"  // <Hangup> and nothing said
	KindEmpty   Kind = "empty"   // <Response/>: Twilio hangs up
)

// Response is a parsed voice <Response>: what Twilio would do with the call.
type Response struct {
	Kind Kind
	// Verbs are the top-level verbs in document order ("Say", "Record", ...).
	Verbs []string

	// RelayURL, WelcomeGreeting and Relay (every attribute of the
	// <ConversationRelay>) describe the agent; Parameters are its <Parameter>
	// children, which Twilio passes back in setup's customParameters; Action
	// is the <Connect action> URL Twilio posts to when the session ends.
	RelayURL        string
	WelcomeGreeting string
	Relay           map[string]string
	Parameters      map[string]string
	Action          string

	// Say holds the text of each top-level <Say>, in order (a voicemail
	// prompt, a goodbye).
	Say []string
	// RejectReason is <Reject reason> ("" means Twilio's default, rejected).
	RejectReason string
	// Record holds the <Record> attributes (action, maxLength, ...).
	Record map[string]string
	// Dial is the number dialed: <Dial>'s text or its first <Number>.
	Dial string
}

// node is any XML element, kept whole so that unknown verbs and attributes
// parse too.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []node     `xml:",any"`
}

func (n *node) attrs() map[string]string {
	m := make(map[string]string, len(n.Attrs))
	for _, a := range n.Attrs {
		m[a.Name.Local] = a.Value
	}
	return m
}

// ParseTwiML reads the TwiML humd answered a voice webhook with.
func ParseTwiML(doc string) (*Response, error) {
	var root node
	if err := xml.Unmarshal([]byte(doc), &root); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadTwiML, err)
	}
	if root.XMLName.Local != "Response" {
		return nil, fmt.Errorf("%w: root element <%s>, not <Response>", ErrBadTwiML, root.XMLName.Local)
	}
	r := &Response{}
	hangup := false
	for i := range root.Children {
		v := &root.Children[i]
		r.Verbs = append(r.Verbs, v.XMLName.Local)
		switch v.XMLName.Local {
		case "Say":
			r.Say = append(r.Say, strings.TrimSpace(v.Text))
		case "Hangup":
			hangup = true
		case "Connect":
			if r.Kind != "" {
				break
			}
			for j := range v.Children {
				c := &v.Children[j]
				if c.XMLName.Local != "ConversationRelay" {
					continue
				}
				if err := r.connect(v, c); err != nil {
					return nil, err
				}
				break
			}
		case "Reject":
			if r.Kind == "" {
				r.Kind, r.RejectReason = KindReject, v.attrs()["reason"]
			}
		case "Record":
			if r.Kind == "" {
				r.Kind, r.Record = KindRecord, v.attrs()
			}
		case "Dial":
			if r.Kind == "" {
				r.Kind, r.Dial = KindDial, dialed(v)
			}
		}
	}
	switch {
	case r.Kind != "":
	case len(r.Say) > 0:
		r.Kind = KindSay
	case hangup:
		r.Kind = KindHangup
	default:
		r.Kind = KindEmpty
	}
	return r, nil
}

func (r *Response) connect(connect, relay *node) error {
	r.Relay = relay.attrs()
	r.RelayURL, r.WelcomeGreeting = r.Relay["url"], r.Relay["welcomeGreeting"]
	if r.RelayURL == "" {
		return fmt.Errorf("%w: <ConversationRelay> without a url", ErrBadTwiML)
	}
	r.Action = connect.attrs()["action"]
	r.Parameters = map[string]string{}
	for _, p := range relay.Children {
		if p.XMLName.Local == "Parameter" {
			a := p.attrs()
			r.Parameters[a["name"]] = a["value"]
		}
	}
	r.Kind = KindConnect
	return nil
}

func dialed(dial *node) string {
	for _, c := range dial.Children {
		if c.XMLName.Local == "Number" {
			return strings.TrimSpace(c.Text)
		}
	}
	return strings.TrimSpace(dial.Text)
}
