package campaign

import (
	"github.com/humd/humd/actors/conversation"
	"github.com/humd/humd/storage/campaigns"
)

// Launch moves a draft or paused campaign to queued (409 otherwise).
// Answered with *campaigns.Campaign.
type Launch struct{}

// Pause moves a queued or sending campaign to paused. Answered with *campaigns.Campaign.
type Pause struct{}

// Cancel stops a non-terminal campaign: pending rows become cancelled;
// texts already handed to the pipeline still deliver. Answered with *campaigns.Campaign.
type Cancel struct{}

// Patch edits a draft or paused campaign. Answered with *campaigns.Campaign.
type Patch struct {
	In    *campaigns.PatchIn
	Admin bool
}

// Resume wakes a queued or sending campaign after a start (no answer).
type Resume struct{}

// tick is the pacing timer; stale generations are ignored.
type tick struct{ gen uint64 }

// sendDone carries the conversation actor's answer for one recipient back
// into the mailbox.
type sendDone struct {
	seq    uint64
	opened *conversation.Opened
	err    error
}
