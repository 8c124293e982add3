package sms

import (
	"time"

	"github.com/humd/humd/storage"
)

// PrefixAllRuns covers every AI run of every org; a thread's are under
// airun/<org>/<conversation>/.
func PrefixAllRuns() []byte { return storage.Prefix("airun") }

// ExpireRuns deletes, oldest first, up to limit of the thread's AI run
// records that ended before cutoff. A thread numbers its runs as they end,
// so its runs sort by time and the ones to go are the head: one range
// delete takes them (runs of different threads do not sort by time
// against each other, which is why this works a thread at a time). The
// thread's newest run may go too: the conversation actor numbers on from
// the seq it holds in memory, or from the last stored run when it starts,
// so a seq may be used again only once every run before it is gone. It
// answers how many went and the span to compact (nil for none). Only the
// retention actor calls it (actors/doc.go).
func ExpireRuns(s storage.Store, org, conv string, cutoff time.Time, limit int) (int, []byte, error) {
	return storage.DeleteHead(s, PrefixRuns(org, conv), limit, func(_, v []byte) storage.Verdict {
		at, ok := RunTime(v)
		return storage.AgeVerdict(cutoff, at, ok)
	})
}

// RunTime answers when the stored run v ended (when it started, for a
// record without an end); ok is false when it does not decode.
func RunTime(v []byte) (time.Time, bool) {
	var r struct {
		StartedAt time.Time `json:"started_at"`
		EndedAt   time.Time `json:"ended_at"`
	}
	if err := storage.DecodeJSON(v, &r); err != nil {
		return time.Time{}, false
	}
	if r.EndedAt.IsZero() {
		r.EndedAt = r.StartedAt
	}
	return r.EndedAt, !r.EndedAt.IsZero()
}
