package calls

import (
	"math"
	"time"

	"github.com/humd/humd/storage"
)

// Key families of this package; storage/keys.go lists them with the rest.
func KeyCall(org, id string) []byte       { return storage.Key("call", org, id) }
func KeyCallSID(sid string) []byte        { return storage.Key("call-sid", sid) }
func PrefixRecent(org string) []byte      { return storage.Prefix("call-recent", org) }
func PrefixTurns(org, call string) []byte { return storage.Prefix("call-turn", org, call) }
func KeyTurn(org, call string, seq uint64) []byte {
	return storage.Key("call-turn", org, call, storage.U64Seg(seq))
}
func PrefixTools(org, call string) []byte { return storage.Prefix("call-tool", org, call) }
func KeyTool(org, call string, seq uint64) []byte {
	return storage.Key("call-tool", org, call, storage.U64Seg(seq))
}
func KeyNote(org, call, id string) []byte      { return storage.Key("call-note", org, call, id) }
func PrefixNotes(org, call string) []byte      { return storage.Prefix("call-note", org, call) }
func KeyVoicemail(org, id string) []byte       { return storage.Key("vm", org, id) }
func PrefixVoicemails(org string) []byte       { return storage.Prefix("vm", org) }
func KeyVoicemailCall(org, call string) []byte { return storage.Key("vm-call", org, call) }

// KeyOrgTag is an org's tag vocabulary entry under the tag's FoldTag form,
// so the vocabulary lists in case-folded order and one entry serves every
// spelling.
func KeyOrgTag(org, folded string) []byte { return storage.Key("call-tag", org, folded) }
func PrefixOrgTags(org string) []byte     { return storage.Prefix("call-tag", org) }

// KeyOrgTagsReady marks an org whose vocabulary has been built from the
// calls tagged before it existed (ensureVocab).
func KeyOrgTagsReady(org string) []byte { return storage.Key("call-tag-ready", org) }

// KeyRecent orders an org's calls newest first by start time.
func KeyRecent(org string, at time.Time, id string) []byte {
	return storage.Key("call-recent", org, storage.U64Seg(math.MaxUint64-uint64(at.UnixNano())), id)
}

// KeyCallOrg maps a call id to its org: callbacks and the relay socket carry
// only the id.
func KeyCallOrg(id string) []byte { return storage.Key("call-id", id) }

// KeyOpen marks a call not finalized yet, so a restarted humd can resume
// the timers that close it when Twilio posts no final status.
func KeyOpen(org, id string) []byte { return storage.Key("call-open", org, id) }
func prefixOpen() []byte            { return storage.Prefix("call-open") }

// KeyOpenReady marks a store whose call-open index covers the calls saved
// before the index existed (BackfillOpen).
func KeyOpenReady() []byte { return storage.Key("call-open-ready") }
