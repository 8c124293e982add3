package flows

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/humd/humd/storage"
)

// Repo stores flows.
type Repo struct {
	Store storage.Store
	// Now stamps records; nil means time.Now.
	Now func() time.Time
	// Referenced counts the numbers and unfinished campaigns that point at
	// a flow (Refs adds other flows' transfers itself): Delete answers 409
	// flow_in_use while any does, and a channel change that would break one.
	// Nil means none.
	Referenced func(orgID, flowID string) (Refs, error)

	seed  maphash.Seed
	once  sync.Once
	locks [32]sync.Mutex
}

// lock serializes read-modify-write of one flow so concurrent PATCHes never
// lose an update.
func (r *Repo) lock(id string) func() {
	r.once.Do(func() { r.seed = maphash.MakeSeed() })
	mu := &r.locks[maphash.String(r.seed, id)%uint64(len(r.locks))]
	mu.Lock()
	return mu.Unlock
}

func (r *Repo) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

func keyFlow(org, id string) []byte { return storage.Key("flow", org, id) }
func prefixFlows(org string) []byte { return storage.Prefix("flow", org) }
func keyAgent(org string, agentID uint64) []byte {
	return storage.Key("flow-agent", org, storage.U64Seg(agentID))
}
func keyAgentSeq(org string) []byte { return storage.Key("seq", org, "agent") }

func newFlow(org string, now time.Time) *Flow {
	return &Flow{ID: storage.NewID("flow"), OrgID: org, Kind: "inbound", Channel: "voice", TriggerEvents: []string{},
		BusinessHoursJSON: json.RawMessage("null"), TransfersJSON: []Transfer{}, ToolsJSON: json.RawMessage("null"),
		CreatedAt: now, UpdatedAt: now}
}

// Refs counts what points at a flow, by the channel each needs the flow to
// keep: a number's flow_id and a transfer answer calls (Voice), a number's
// sms_flow_id and a campaign answer texts (SMS).
type Refs struct{ Voice, SMS int }

// Any reports whether anything points at the flow.
func (r Refs) Any() bool { return r.Voice+r.SMS > 0 }

// Create validates in and stores a new flow with the org's next agent_id.
func (r *Repo) Create(org string, in Input) (*Flow, error) {
	f := newFlow(org, r.now())
	if err := apply(f, in, true); err != nil {
		return nil, err
	}
	if err := r.checkTransfers(f); err != nil {
		return nil, err
	}
	return f, r.insert(f)
}

// checkTransfers holds a transfer's flow_id to a voice flow of the same org
// (the call actor switches agents in place; an SMS flow cannot take a call).
func (r *Repo) checkTransfers(f *Flow) error {
	v := &storage.ValidationError{}
	for i, t := range f.TransfersJSON {
		if t.FlowID == "" {
			continue
		}
		field := fmt.Sprintf("transfers_json[%d].flow_id", i)
		if t.FlowID == f.ID {
			v.Add(field, "a flow cannot transfer to itself")
			continue
		}
		to, err := r.Get(f.OrgID, t.FlowID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			v.Add(field, "must be a voice flow of this org")
		case err != nil:
			return err
		case to.Channel != "voice":
			v.Add(field, "must be a voice flow of this org (this one is "+to.Channel+")")
		}
	}
	return v.Err()
}

// refs counts what points at a flow: the Referenced hook's numbers and
// campaigns, and the org's other flows' transfers.
func (r *Repo) refs(org, id string) (Refs, error) {
	var out Refs
	if r.Referenced != nil {
		got, err := r.Referenced(org, id)
		if err != nil {
			return out, err
		}
		out = got
	}
	err := r.Store.Scan(prefixFlows(org), storage.ScanOptions{}, func(_, raw []byte) (bool, error) {
		var fl Flow
		if err := json.Unmarshal(raw, &fl); err != nil {
			return false, err
		}
		for _, t := range fl.TransfersJSON {
			if t.FlowID == id && fl.ID != id {
				out.Voice++
			}
		}
		return true, nil
	})
	return out, err
}

func (r *Repo) insert(f *Flow) error {
	seq, err := r.Store.Sequence(keyAgentSeq(f.OrgID))
	if err != nil {
		return err
	}
	f.AgentID = seq
	b := r.Store.NewBatch()
	b.SetJSON(keyFlow(f.OrgID, f.ID), f)
	b.Set(keyAgent(f.OrgID, f.AgentID), []byte(f.ID))
	return b.Commit(storage.Sync)
}

// Get loads a flow of the org (storage.ErrNotFound for another org's).
func (r *Repo) Get(org, id string) (*Flow, error) {
	var f Flow
	if err := storage.GetJSON(r.Store, keyFlow(org, id), &f); err != nil {
		return nil, fmt.Errorf("flow %s: %w", id, err)
	}
	return &f, nil
}

// ByAgentID loads the flow with a given integer agent_id (D-9).
func (r *Repo) ByAgentID(org string, agentID uint64) (*Flow, error) {
	id, err := r.Store.Get(keyAgent(org, agentID))
	if err != nil {
		return nil, fmt.Errorf("agent %d: %w", agentID, err)
	}
	return r.Get(org, string(id))
}

// Filter narrows List.
type Filter struct{ Channel, Kind, TriggerType string }

// List pages the org's flows, oldest first.
func (r *Repo) List(org string, f Filter, page storage.PageRequest) ([]*Flow, string, error) {
	v := &storage.ValidationError{}
	if f.Channel != "" && !oneOf(f.Channel, Channels) {
		v.Add("channel", "must be voice or sms")
	}
	if f.Kind != "" && !oneOf(f.Kind, Kinds) {
		v.Add("kind", "must be inbound or outbound")
	}
	if f.TriggerType != "" && !oneOf(f.TriggerType, TriggerTypes) {
		v.Add("trigger_type", "must be call, message or event")
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	return storage.ListPage(r.Store, prefixFlows(org), page, func(_, raw []byte) (*Flow, bool, error) {
		var fl Flow
		if err := json.Unmarshal(raw, &fl); err != nil {
			return nil, false, err
		}
		keep := (f.Channel == "" || fl.Channel == f.Channel) && (f.Kind == "" || fl.Kind == f.Kind) &&
			(f.TriggerType == "" || fl.TriggerType == f.TriggerType)
		return &fl, keep, nil
	})
}

// Patch applies a partial update; null clears optional fields.
func (r *Repo) Patch(org, id string, in Input) (*Flow, error) {
	defer r.lock(id)()
	f, err := r.Get(org, id)
	if err != nil {
		return nil, err
	}
	was := f.Channel
	if err := apply(f, in, false); err != nil {
		return nil, err
	}
	// Only a PATCH that sets transfers_json answers for them: a flow saved
	// before transfers were checked (or whose target was since deleted) can
	// still be renamed; the call fails that transfer when it is asked for.
	if in.TransfersJSON.Set {
		if err := r.checkTransfers(f); err != nil {
			return nil, err
		}
	}
	if f.Channel != was {
		refs, err := r.refs(org, id)
		if err != nil {
			return nil, err
		}
		// A number or transfer answering calls with an SMS flow (or texts
		// with a voice flow) would fail at the next call or text.
		if n := refs.Voice; f.Channel != "voice" && n > 0 {
			return nil, storage.Conflict("flow_in_use", fmt.Sprintf("%d number(s) or transfer(s) answer calls with this flow; unassign them before changing its channel", n))
		}
		if n := refs.SMS; f.Channel != "sms" && n > 0 {
			return nil, storage.Conflict("flow_in_use", fmt.Sprintf("%d number(s) or campaign(s) answer texts with this flow; unassign them before changing its channel", n))
		}
	}
	f.UpdatedAt = r.now()
	b := r.Store.NewBatch()
	b.SetJSON(keyFlow(org, id), f)
	return f, b.Commit(storage.Sync)
}

// Delete removes a flow nothing points at.
func (r *Repo) Delete(org, id string) error {
	defer r.lock(id)()
	f, err := r.Get(org, id)
	if err != nil {
		return err
	}
	refs, err := r.refs(org, id)
	if err != nil {
		return err
	}
	if refs.Any() {
		return storage.Conflict("flow_in_use", "a number, an unfinished campaign or another flow's transfer still uses this flow; unassign it first")
	}
	b := r.Store.NewBatch()
	b.Delete(keyFlow(org, id))
	b.Delete(keyAgent(org, f.AgentID))
	return b.Commit(storage.Sync)
}

// Duplicate copies a flow under a new id and agent_id, named "<name> (copy)".
func (r *Repo) Duplicate(org, id string) (*Flow, error) {
	src, err := r.Get(org, id)
	if err != nil {
		return nil, err
	}
	now := r.now()
	cp := *src
	cp.ID, cp.CreatedAt, cp.UpdatedAt = storage.NewID("flow"), now, now
	name := []rune(src.Name)
	if len(name)+len(" (copy)") > MaxName {
		name = name[:MaxName-len(" (copy)")]
	}
	cp.Name = string(name) + " (copy)"
	if utf8.RuneCountInString(cp.Name) > MaxName {
		cp.Name = string([]rune(cp.Name)[:MaxName])
	}
	return &cp, r.insert(&cp)
}
