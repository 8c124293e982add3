package sms

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/humd/humd/storage"
)

// ContactID is derived from (org, e164) so two conversation actors that meet
// the same new contact at once write the same record instead of two.
func ContactID(org, e164 string) string {
	sum := sha256.Sum256([]byte(org + "|" + e164))
	return "ct_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:15]))
}

// SIDRef is what sid/<MessageSid> points at: enough to address the owning
// conversation actor without another read.
type SIDRef struct {
	OrgID       string `json:"org"`
	ConvID      string `json:"conv"`
	NumberID    string `json:"number"`
	ContactE164 string `json:"e164"`
	Seq         uint64 `json:"seq"`
}

// LookupSID answers where a provider message id lives.
func LookupSID(s storage.Store, sid string) (*SIDRef, error) {
	var ref SIDRef
	if err := storage.GetJSON(s, KeySID(sid), &ref); err != nil {
		return nil, fmt.Errorf("sms: sid %s: %w", sid, err)
	}
	return &ref, nil
}

// decodedNumbers remembers the last decoding of each number record: every
// inbound text loads its number, and the record rarely changes. An entry is
// used only while the stored bytes are the same.
var decodedNumbers sync.Map // key string -> *decodedNumber

type decodedNumber struct {
	raw []byte
	n   Number
}

// GetNumber loads one of the org's numbers.
func GetNumber(s storage.Store, org, id string) (*Number, error) {
	key := KeyNumber(org, id)
	raw, err := s.Get(key)
	if err != nil {
		return nil, fmt.Errorf("sms: number %s: %w", id, err)
	}
	if v, ok := decodedNumbers.Load(string(key)); ok {
		if d := v.(*decodedNumber); bytes.Equal(d.raw, raw) {
			return d.n.clone(), nil
		}
	}
	var n Number
	if err := storage.DecodeJSON(raw, &n); err != nil {
		return nil, fmt.Errorf("sms: decode number %s: %w", id, err)
	}
	decodedNumbers.Store(string(key), &decodedNumber{raw: raw, n: *n.clone()})
	return &n, nil
}

// clone copies n so that no caller shares its pointer fields.
func (n *Number) clone() *Number {
	c := *n
	if n.FlowID != nil {
		c.FlowID = new(*n.FlowID)
	}
	if n.SMSFlowID != nil {
		c.SMSFlowID = new(*n.SMSFlowID)
	}
	return &c
}

// NumberByE164 finds which org owns a number (inbound webhooks arrive by To).
func NumberByE164(s storage.Store, e164 string) (*Number, error) {
	org, id, err := NumberRef(s, e164)
	if err != nil {
		return nil, err
	}
	return GetNumber(s, org, id)
}

// NumberRef answers the org and id of a number by E.164 from the index alone.
// The pair never changes once written (a number belongs to one org and is
// never moved or deleted), so callers may cache it.
func NumberRef(s storage.Store, e164 string) (org, id string, err error) {
	ref, err := s.Get(KeyNumberE164(e164))
	if err != nil {
		return "", "", fmt.Errorf("sms: number %s: %w", e164, err)
	}
	org, id, ok := strings.Cut(string(ref), "/")
	if !ok {
		return "", "", fmt.Errorf("sms: corrupt number index for %s", e164)
	}
	return org, id, nil
}

// PutNumber writes a number and its E.164 index.
func PutNumber(b *storage.Batch, n *Number) {
	b.SetJSON(KeyNumber(n.OrgID, n.ID), n)
	b.Set(KeyNumberE164(n.E164), []byte(n.OrgID+"/"+n.ID))
}

// GetConversation loads a thread by id. conv/<org>/<id> holds where the
// record is in the inbox index (the inverted time of conv-recent's key); a
// store written before the index carried the records holds the record itself.
func GetConversation(s storage.Store, org, id string) (*Conversation, error) {
	raw, err := s.Get(KeyConv(org, id))
	if err == nil && len(raw) == recentAtLen {
		raw, err = s.Get(storage.Key("conv-recent", org, string(raw), id))
	}
	if err != nil {
		return nil, fmt.Errorf("sms: conversation %s: %w", id, err)
	}
	var c Conversation
	if err := storage.DecodeJSON(raw, &c); err != nil {
		return nil, fmt.Errorf("sms: decode conversation %s: %w", id, err)
	}
	return &c, nil
}

// recentAtLen is the length of conv/'s value: the U64 time segment of the
// thread's conv-recent key. A JSON record is never that short.
const recentAtLen = 8

// RecentConversation decodes one entry of the inbox index (a key under
// PrefixConvRecent(org), prefixLen long, and its value): the thread record
// itself, or nothing in a store written before the index carried them, where
// the record is read by id.
func RecentConversation(s storage.Store, org string, prefixLen int, k, v []byte) (*Conversation, error) {
	if len(v) == 0 {
		return GetConversation(s, org, string(k[prefixLen+recentAtLen+1:]))
	}
	var c Conversation
	if err := storage.DecodeJSON(v, &c); err != nil {
		return nil, fmt.Errorf("sms: decode conversation %s: %w", k[prefixLen+recentAtLen+1:], err)
	}
	return &c, nil
}

// ConversationByPair loads the thread of (number, contact), or ErrNotFound.
func ConversationByPair(s storage.Store, org, numberID, e164 string) (*Conversation, error) {
	id, err := s.Get(KeyConvPair(numberID, e164))
	if err != nil {
		return nil, fmt.Errorf("sms: conversation %s/%s: %w", numberID, e164, err)
	}
	return GetConversation(s, org, string(id))
}

// recentAt is when a thread sorts in the inbox: its last message, or its
// creation before it has one.
func (c *Conversation) recentAt() time.Time {
	if c.LastMessageAt != nil {
		return *c.LastMessageAt
	}
	return c.CreatedAt
}

// PutConversation writes c into its inbox index entry, moved from old's
// (nil for a new thread) in the same batch, and conv/ to point at it,
// answering the record as encoded. The inbox lists threads in one scan of
// the index without a read per thread; a thread changes in two keys as before
// (conv-recent's entry and conv/'s pointer), with the record written once.
func PutConversation(b *storage.Batch, old, c *Conversation) json.RawMessage {
	key := KeyConvRecent(c.OrgID, c.recentAt(), c.ID)
	if old != nil {
		if ok := KeyConvRecent(old.OrgID, old.recentAt(), old.ID); !bytes.Equal(ok, key) {
			b.Delete(ok)
		}
	}
	raw := b.PutJSON(key, c)
	at := bytes.Clone(key[len(key)-len(c.ID)-1-recentAtLen : len(key)-len(c.ID)-1])
	b.Set(KeyConv(c.OrgID, c.ID), at)
	if old == nil {
		b.Set(KeyConvPair(c.NumberID, c.ContactE164), []byte(c.ID))
	}
	return raw
}

// PutMessage writes a message, answering the record as encoded, and for an
// outbound one its id index: the carrier's results name the message by id.
// Nothing looks an inbound text up by id, and one key less per text is ~5%
// of ingest (bench/RESULTS.md).
func PutMessage(b *storage.Batch, m *Message) json.RawMessage {
	raw := b.PutJSON(KeyMsg(m.OrgID, m.ConversationID, m.Seq), m)
	if m.Direction != Inbound {
		b.Set(KeyMsgID(m.OrgID, m.ID), []byte(m.ConversationID+"/"+string(storage.U64(m.Seq))))
	}
	return raw
}

// GetMessage loads a message by its seq.
func GetMessage(s storage.Store, org, conv string, seq uint64) (*Message, error) {
	var m Message
	if err := storage.GetJSON(s, KeyMsg(org, conv, seq), &m); err != nil {
		return nil, fmt.Errorf("sms: message %s/%d: %w", conv, seq, err)
	}
	return &m, nil
}

// IsOptedOut reports whether e164 opted out of the org's texts.
func IsOptedOut(s storage.Store, org, e164 string) (bool, error) {
	return s.Has(KeyOptOut(org, e164))
}

// IsBlocked reports whether e164 is on the org's blocklist.
func IsBlocked(s storage.Store, org, e164 string) (bool, error) {
	return s.Has(KeyBlock(org, e164))
}

// GetContact loads a contact, or ErrNotFound.
func GetContact(s storage.Store, org, id string) (*Contact, error) {
	var c Contact
	if err := storage.GetJSON(s, KeyContact(org, id), &c); err != nil {
		return nil, fmt.Errorf("sms: contact %s: %w", id, err)
	}
	return &c, nil
}

// ContactByE164 loads the org's contact for a number, or ErrNotFound.
func ContactByE164(s storage.Store, org, e164 string) (*Contact, error) {
	return GetContact(s, org, ContactID(org, e164))
}

// EnsureContact adds a contact for e164 to b when the org has none yet.
func EnsureContact(s storage.Store, b *storage.Batch, org, e164 string, now time.Time) (*Contact, bool, error) {
	c, err := ContactByE164(s, org, e164)
	if err == nil {
		return c, false, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return nil, false, err
	}
	c = newContact(org, e164, now)
	PutContact(b, c)
	return c, true, nil
}

func newContact(org, e164 string, now time.Time) *Contact {
	return &Contact{ID: ContactID(org, e164), OrgID: org, E164: e164, Tags: []string{}, CreatedAt: now, UpdatedAt: now}
}

// EnsureContactID is EnsureContact for the inbound path, which needs only
// the id: it does not read or decode an existing contact's record.
func EnsureContactID(s storage.Store, b *storage.Batch, org, e164 string, now time.Time) (string, error) {
	id := ContactID(org, e164)
	ok, err := s.Has(KeyContact(org, id))
	if err != nil || ok {
		return id, err
	}
	PutContact(b, newContact(org, e164, now))
	return id, nil
}

// PutContact writes a contact and its E.164 index, answering the record as
// encoded.
func PutContact(b *storage.Batch, c *Contact) json.RawMessage {
	raw := b.PutJSON(KeyContact(c.OrgID, c.ID), c)
	b.Set(KeyContactE164(c.OrgID, c.E164), []byte(c.ID))
	return raw
}

// GetScheduled loads a scheduled send.
func GetScheduled(s storage.Store, org, id string) (*Scheduled, error) {
	var sc Scheduled
	if err := storage.GetJSON(s, KeySched(org, id), &sc); err != nil {
		return nil, fmt.Errorf("sms: scheduled %s: %w", id, err)
	}
	return &sc, nil
}

// PutScheduled writes a scheduled send with its due and per-thread indexes,
// which exist only while it is pending.
func PutScheduled(b *storage.Batch, old, sc *Scheduled) {
	if old != nil && old.Status == SchedPending {
		b.Delete(KeySchedDue(old.SendAt, old.OrgID, old.ID))
	}
	b.SetJSON(KeySched(sc.OrgID, sc.ID), sc)
	if sc.Status == SchedPending {
		b.Set(KeySchedDue(sc.SendAt, sc.OrgID, sc.ID), []byte(sc.NumberID+"/"+sc.ContactE164))
		b.Set(KeySchedConv(sc.OrgID, sc.ConversationID, sc.ID), nil)
	} else {
		b.Delete(KeySchedConv(sc.OrgID, sc.ConversationID, sc.ID))
	}
}

// PendingScheduled lists a thread's pending scheduled sends.
func PendingScheduled(s storage.Store, org, conv string) ([]*Scheduled, error) {
	var out []*Scheduled
	prefix := PrefixSchedConv(org, conv)
	err := s.Scan(prefix, storage.ScanOptions{}, func(k, _ []byte) (bool, error) {
		sc, err := GetScheduled(s, org, string(k[len(prefix):]))
		if err != nil {
			return false, err
		}
		out = append(out, sc)
		return true, nil
	})
	return out, err
}

func decode[T any](v []byte) (*T, error) {
	var out T
	if err := storage.DecodeJSON(v, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
