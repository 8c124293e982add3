package conversation

import (
	"github.com/humd/humd/storage/sms"
)

// RecordOptOut hands the thread an opt-out the contact made outside its
// texts (on a call): the thread records it org-wide (texts and calls), with
// Extra added to sms.opt_out's data, then cancels its own pending scheduled
// texts and tells the contact's other threads to cancel theirs. The thread
// is (org, the call's number, the contact); the record is the org's, so the
// actor writes it for whichever thread is asked. Answered with
// *OptOutRecorded.
type RecordOptOut struct {
	OptOut *sms.OptOut
	Extra  map[string]any
}

// OptOutRecorded answers RecordOptOut: the opt-out in force, and whether
// this message created it.
type OptOutRecorded struct {
	OptOut  *sms.OptOut
	Created bool
}

func (a *Actor) onRecordOptOut(m *RecordOptOut) (*OptOutRecorded, error) {
	o := *m.OptOut
	o.OrgID, o.E164 = a.orgID, a.e164 // the thread's contact, whatever the message says
	rec, created, err := sms.RecordOptOut(a.d.Store, &o, m.Extra)
	if err != nil {
		return nil, err
	}
	if created {
		// The opt-out is durable; a text that comes due before its thread
		// hears of it still meets it, so these only log.
		if err := a.onOptedOut(); err != nil {
			a.logger().Error("opt-out: cancel scheduled texts", "err", err)
		}
		if err := a.d.dir.OptedOut(a.orgID, a.e164, a.numberID); err != nil {
			a.logger().Error("opt-out of the contact's threads", "err", err)
		}
	}
	return &OptOutRecorded{OptOut: rec, Created: created}, nil
}
