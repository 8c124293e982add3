package bench

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/transport/twilio"
)

// MaxContacts is how many distinct +1317 numbers Ingest can make.
const MaxContacts = 8_000_000

// Ingest builds correctly signed inbound SMS webhooks (POST /twilio/sms):
// request n comes from contact n mod Contacts and carries a MessageSid unique
// to this Ingest and n.
type Ingest struct {
	// URL is the server's base URL; PublicURL and Token make the signature.
	URL, PublicURL, Token string
	// To is the humd number texted.
	To string
	// Contacts is the number of distinct senders (1..MaxContacts).
	Contacts int
	run      string // 14 hex digits, random per Ingest
}

// NewIngest answers an Ingest for h with a fresh MessageSid prefix.
func NewIngest(h *Humd, contacts int) (*Ingest, error) {
	if contacts < 1 || contacts > MaxContacts {
		return nil, fmt.Errorf("bench: contacts %d: must be 1..%d", contacts, MaxContacts)
	}
	var b [7]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	return &Ingest{URL: h.URL, PublicURL: h.PublicURL, Token: h.Token, To: h.Number, Contacts: contacts,
		run: hex.EncodeToString(b[:])}, nil
}

// SID is request n's MessageSid: "SM" and 32 hex digits.
func (in *Ingest) SID(n uint64) string { return fmt.Sprintf("SM%s%018x", in.run, n) }

// From is request n's sender, a valid E.164 in area code 317.
func (in *Ingest) From(n uint64) string {
	return "+1317" + strconv.Itoa(2_000_000+int(n%uint64(in.Contacts)))
}

// Prepare fills req with request n (Load.Prepare).
func (in *Ingest) Prepare(n uint64, req *fasthttp.Request) {
	sid := in.SID(n)
	form := url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "AccountSid": {"ACbench"}, "From": {in.From(n)},
		"To": {in.To}, "Body": {"bench message " + strconv.FormatUint(n, 10)}, "NumMedia": {"0"}, "NumSegments": {"1"},
		"SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}}
	req.Header.SetMethod(fasthttp.MethodPost)
	req.SetRequestURI(in.URL + "/twilio/sms")
	req.Header.SetContentType("application/x-www-form-urlencoded")
	req.Header.Set(twilio.SignatureHeader, twilio.Sign(in.Token, in.PublicURL+"/twilio/sms", form))
	req.SetBodyString(form.Encode())
}

// Reads builds the api workload's request: the first page of the inbox.
type Reads struct {
	URL, Key string
}

// Prepare fills req (Load.Prepare).
func (r *Reads) Prepare(_ uint64, req *fasthttp.Request) {
	req.Header.SetMethod(fasthttp.MethodGet)
	req.SetRequestURI(r.URL + "/api/sms/conversations?limit=50")
	req.Header.Set("Authorization", "Bearer "+r.Key)
}

// Check is the correctness verdict of an ingest run.
type Check struct {
	Acked      int `json:"acked"`      // answered 200
	Stored     int `json:"stored"`     // acked and stored exactly once
	Missing    int `json:"missing"`    // acked but not stored
	Duplicated int `json:"duplicated"` // stored more than once
	// Unacked were stored but their request failed (a timeout after the
	// commit); allowed, since Twilio retries and humd dedupes on MessageSid.
	Unacked int `json:"unacked"`
}

// Err is nil when every acknowledged message is stored exactly once.
func (c *Check) Err() error {
	if c.Missing == 0 && c.Duplicated == 0 && c.Stored == c.Acked {
		return nil
	}
	return fmt.Errorf("bench: correctness: %d acked, %d stored once, %d missing, %d stored more than once",
		c.Acked, c.Stored, c.Missing, c.Duplicated)
}

// Verify checks that every request in ok (request numbers answered 200) is
// stored exactly once: through the store in-process (sid index and message
// scan), through the REST API when remote.
func (in *Ingest) Verify(h *Humd, ok []uint64) (*Check, error) {
	var counts map[string]int
	var err error
	if h.Store != nil {
		counts, err = in.storedSIDs(h)
	} else {
		counts, err = in.listedSIDs(h)
	}
	if err != nil {
		return nil, err
	}
	c := &Check{Acked: len(ok)}
	acked := make(map[string]bool, len(ok))
	for _, n := range ok {
		sid := in.SID(n)
		acked[sid] = true
		if h.Store != nil {
			if _, err := sms.LookupSID(h.Store, sid); errors.Is(err, storage.ErrNotFound) {
				c.Missing++
				continue
			} else if err != nil {
				return nil, err
			}
		}
		switch counts[sid] {
		case 0:
			c.Missing++
		case 1:
			c.Stored++
		}
	}
	for sid, k := range counts {
		if k > 1 {
			c.Duplicated++
		}
		if !acked[sid] {
			c.Unacked++
		}
	}
	return c, nil
}

// mine reports whether sid belongs to this Ingest.
func (in *Ingest) mine(sid string) bool { return strings.HasPrefix(sid, "SM"+in.run) }

// storedSIDs counts this Ingest's MessageSids over every message in the org.
func (in *Ingest) storedSIDs(h *Humd) (map[string]int, error) {
	counts := map[string]int{}
	err := h.Store.Scan(storage.Prefix("msg", h.OrgID), storage.ScanOptions{}, func(_, v []byte) (bool, error) {
		var m struct {
			SID string `json:"provider_message_id"`
		}
		if err := json.Unmarshal(v, &m); err != nil {
			return false, err
		}
		if in.mine(m.SID) {
			counts[m.SID]++
		}
		return true, nil
	})
	return counts, err
}

// listedSIDs counts this Ingest's MessageSids over every conversation's
// messages, paged through the REST API.
func (in *Ingest) listedSIDs(h *Humd) (map[string]int, error) {
	c := &fasthttp.Client{}
	counts := map[string]int{}
	convs, err := pages(h, c, "/api/sms/conversations")
	if err != nil {
		return nil, err
	}
	for _, conv := range convs {
		var cv struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(conv, &cv); err != nil {
			return nil, err
		}
		msgs, err := pages(h, c, "/api/sms/conversations/"+cv.ID+"/messages")
		if err != nil {
			return nil, err
		}
		for _, raw := range msgs {
			var m struct {
				SID string `json:"provider_message_id"`
			}
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, err
			}
			if in.mine(m.SID) {
				counts[m.SID]++
			}
		}
	}
	return counts, nil
}

// pages answers every item of a cursor-paged list endpoint.
func pages(h *Humd, c *fasthttp.Client, path string) ([]json.RawMessage, error) {
	var out []json.RawMessage
	cursor := ""
	for {
		status, body, err := h.call(c, "GET", path+"?limit=200&cursor="+url.QueryEscape(cursor), "")
		if err != nil {
			return nil, err
		}
		var page struct {
			Data []json.RawMessage `json:"data"`
			Next *string           `json:"next_cursor"`
		}
		if status != 200 || json.Unmarshal(body, &page) != nil {
			return nil, fmt.Errorf("bench: GET %s: status %d %.200s", path, status, body)
		}
		out = append(out, page.Data...)
		if page.Next == nil || *page.Next == "" {
			return out, nil
		}
		cursor = *page.Next
	}
}
