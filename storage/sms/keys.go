package sms

import (
	"math"
	"strings"
	"time"

	"github.com/humd/humd/storage"
)

// Key families of this package; storage/keys.go lists them with the rest.
func KeyNumber(org, id string) []byte        { return storage.Key("number", org, id) }
func PrefixNumbers(org string) []byte        { return storage.Prefix("number", org) }
func KeyNumberE164(e164 string) []byte       { return storage.Key("number-e164", e164) }
func KeyContact(org, id string) []byte       { return storage.Key("contact", org, id) }
func PrefixContacts(org string) []byte       { return storage.Prefix("contact", org) }
func KeyContactE164(org, e164 string) []byte { return storage.Key("contact-e164", org, e164) }
func KeyConv(org, id string) []byte          { return storage.Key("conv", org, id) }
func KeyConvPair(numberID, e164 string) []byte {
	return storage.Key("conv-pair", numberID, e164)
}
func PrefixConvRecent(org string) []byte { return storage.Prefix("conv-recent", org) }

// KeyConvRecent orders an org's threads newest first: the timestamp is
// inverted so a forward scan meets the latest activity first.
func KeyConvRecent(org string, at time.Time, id string) []byte {
	return storage.Key("conv-recent", org, storage.U64Seg(math.MaxUint64-uint64(at.UnixNano())), id)
}
func KeyMsg(org, conv string, seq uint64) []byte {
	return storage.Key("msg", org, conv, storage.U64Seg(seq))
}
func PrefixMsgs(org, conv string) []byte { return storage.Prefix("msg", org, conv) }
func KeyMsgID(org, id string) []byte     { return storage.Key("msg-id", org, id) }
func KeySID(sid string) []byte           { return storage.Key("sid", sid) }
func KeyOptOut(org, e164 string) []byte  { return storage.Key("optout", org, e164) }
func PrefixOptOuts(org string) []byte    { return storage.Prefix("optout", org) }
func KeyBlock(org, e164 string) []byte   { return storage.Key("block", org, e164) }
func PrefixBlocks(org string) []byte     { return storage.Prefix("block", org) }
func KeySched(org, id string) []byte     { return storage.Key("sched", org, id) }
func PrefixSched(org string) []byte      { return storage.Prefix("sched", org) }
func KeySchedConv(org, conv, id string) []byte {
	return storage.Key("sched-conv", org, conv, id)
}
func PrefixSchedConv(org, conv string) []byte { return storage.Prefix("sched-conv", org, conv) }

// KeySchedDue indexes pending scheduled sends by due time across all orgs, so
// the scheduler finds what is due with one bounded scan.
func KeySchedDue(at time.Time, org, id string) []byte {
	return storage.Key("sched-due", storage.U64Seg(uint64(at.UnixMilli())), org, id)
}
func PrefixSchedDue() []byte { return storage.Prefix("sched-due") }

// KeySnoozeDue indexes snoozed threads by wake-up time.
func KeySnoozeDue(at time.Time, org, conv string) []byte {
	return storage.Key("snooze-due", storage.U64Seg(uint64(at.UnixMilli())), org, conv)
}
func PrefixSnoozeDue() []byte { return storage.Prefix("snooze-due") }

// SplitDue parses a sched-due or snooze-due key into its time, org and id.
func SplitDue(key []byte, prefix []byte) (at time.Time, org, id string, ok bool) {
	rest := key[len(prefix):]
	if len(rest) < 10 || rest[8] != '/' {
		return time.Time{}, "", "", false
	}
	ms, _ := storage.DecodeU64(rest[:8])
	org, id, ok = strings.Cut(string(rest[9:]), "/")
	return time.UnixMilli(int64(ms)).UTC(), org, id, ok
}

// KeyEarlyStatus keeps a status callback that beat the carrier's answer
// (actors/sidstatus); PrefixEarlyStatus spans them all.
func KeyEarlyStatus(sid string) []byte { return storage.Key("sid-early", sid) }
func PrefixEarlyStatus() []byte        { return storage.Prefix("sid-early") }
