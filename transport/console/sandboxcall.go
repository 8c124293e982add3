package console

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/humd/humd/actors/service/voicesvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/httpapi"
	"github.com/humd/humd/transport/relay/relayclient"
)

// The sandbox phone's calls: the console plays Twilio for the user exactly
// as humd sandbox call does (sandboxapi.StartCall mints the call, then
// relayclient places it over humd's own voice webhook and relay socket and
// listens to the agent), so the call runs through the real voice path and
// lands in /calls with its transcript. The socket and webhooks are network
// work on the request's goroutine and the call's own follower goroutine,
// never on an actor's mailbox.
const (
	// phoneLive bounds an org's calls in progress on the sandbox phone: a
	// page closed mid-call leaves its call up until hung up from the page.
	phoneLive = 3
	// phoneKept is how many ended calls of an org the page still shows.
	phoneKept = 5
	// phoneWait bounds the wait for the agent's answer to one turn;
	// phoneDial the call's placing and its hang-up.
	phoneWait = 30 * time.Second
	phoneDial = 15 * time.Second
	// phoneSayMax bounds what the caller says in one turn.
	phoneSayMax = 1000
)

// phoneBook holds the sandbox phone's calls; its zero value is empty.
type phoneBook struct {
	mu    sync.Mutex
	calls map[string]*phoneCall // by call id
	seq   int
}

// phoneCall is one call of the sandbox phone, from the caller's side.
type phoneCall struct {
	ID, Org, From, To string
	seq               int
	call              *relayclient.Call
	l                 *relayclient.Listener // nil when no agent answered
	over              chan struct{}         // closed once hung up and reported
	talking           atomic.Bool           // one turn at a time

	mu    sync.Mutex
	lines []phoneLine
	ended bool
}

// phoneLine is one line of the call as the caller lives it.
type phoneLine struct {
	Who  string // "you", "agent" or "humd"
	Text string
}

// phoneView is a call as the page shows it.
type phoneView struct {
	ID, From, To string
	Lines        []phoneLine
	Ended        bool
}

func (pc *phoneCall) add(who, text string) {
	pc.mu.Lock()
	pc.lines = append(pc.lines, phoneLine{Who: who, Text: text})
	pc.mu.Unlock()
}

func (pc *phoneCall) view() *phoneView {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return &phoneView{ID: pc.ID, From: pc.From, To: pc.To, Lines: slices.Clone(pc.lines), Ended: pc.ended}
}

func (pc *phoneCall) isOver() bool {
	select {
	case <-pc.over:
		return true
	default:
		return false
	}
}

// heard records what the agent did (the listener's goroutine).
func (pc *phoneCall) heard(h relayclient.Heard) {
	switch {
	case h.Speech != "":
		pc.add("agent", h.Speech)
	case h.Play != "":
		pc.add("agent", "(plays "+h.Play+")")
	case h.Digits != "":
		pc.add("agent", "(presses "+h.Digits+")")
	case h.End != nil:
		pc.add("humd", "The agent ended the call.")
	case h.Closed != nil:
		pc.add("humd", "humd closed the call.")
	}
}

// room checks that org may start another call.
func (b *phoneBook) room(org string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, pc := range b.calls {
		if pc.Org == org && !pc.isOver() {
			n++
		}
	}
	if n >= phoneLive {
		return storage.Conflict("too_many_calls", fmt.Sprintf("the sandbox phone has %d calls in progress; hang one up first", n))
	}
	return nil
}

// add keeps pc, and forgets the org's oldest ended calls beyond phoneKept.
func (b *phoneBook) add(pc *phoneCall) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.calls == nil {
		b.calls = map[string]*phoneCall{}
	}
	b.seq++
	pc.seq = b.seq
	b.calls[pc.ID] = pc
	var ended []*phoneCall
	for _, o := range b.calls {
		if o.Org == pc.Org && o.isOver() {
			ended = append(ended, o)
		}
	}
	slices.SortFunc(ended, func(x, y *phoneCall) int { return y.seq - x.seq })
	for _, o := range ended[min(len(ended), phoneKept):] {
		delete(b.calls, o.ID)
	}
}

// get finds a call of org; another org's call is not found.
func (b *phoneBook) get(org, id string) (*phoneCall, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	pc := b.calls[id]
	if pc == nil || pc.Org != org {
		return nil, fmt.Errorf("sandbox phone call %s: %w", id, storage.ErrNotFound)
	}
	return pc, nil
}

// live lists org's calls in progress, oldest first.
func (b *phoneBook) live(org string) []*phoneView {
	b.mu.Lock()
	var list []*phoneCall
	for _, pc := range b.calls {
		if pc.Org == org && !pc.isOver() {
			list = append(list, pc)
		}
	}
	b.mu.Unlock()
	slices.SortFunc(list, func(x, y *phoneCall) int { return x.seq - y.seq })
	out := make([]*phoneView, len(list))
	for i, pc := range list {
		out[i] = pc.view()
	}
	return out
}

func needOperator(s *session, what string) error {
	if !s.can(tenancy.Operator) {
		return fmt.Errorf("%s needs the operator role: %w", what, storage.ErrForbidden)
	}
	return nil
}

// sandboxCall places a call from the sandbox phone to one of the org's
// numbers, as a contact, and shows it.
func (a *API) sandboxCall(c *httpapi.Call, s *session) error {
	from, to := form(c, "from"), form(c, "to")
	if err := needOperator(s, "sandbox calls"); err != nil {
		return err
	}
	if err := a.phones.room(s.P.OrgID); err != nil {
		return err
	}
	sc, err := a.d.Sandbox.StartCall(s.P, from, to)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), phoneDial)
	defer cancel()
	call, err := relayclient.PlaceInbound(ctx, relayclient.InboundOptions{HumdURL: a.d.Self(), PublicURL: a.d.PublicURL,
		AuthToken: sc.CallToken, CallSid: sc.CallSID, From: sc.From, To: sc.To})
	if err != nil {
		return fmt.Errorf("sandbox phone: place call %s: %w", sc.CallID, err)
	}
	pc := &phoneCall{ID: sc.CallID, Org: s.P.OrgID, From: sc.From, To: sc.To, call: call, over: make(chan struct{})}
	if call.TwiML.Kind != relayclient.KindConnect {
		// No agent (closed hours, voicemail, forwarding): what humd did,
		// then the final status Twilio would post.
		for _, line := range call.TwiML.Describe() {
			pc.add("humd", line)
		}
		status, err := call.Decline(ctx)
		if err != nil {
			return fmt.Errorf("sandbox phone: end call %s: %w", sc.CallID, err)
		}
		pc.add("humd", "The call ended "+status+".")
		pc.ended = true
		close(pc.over)
	} else {
		if call.Greeting != "" {
			pc.add("agent", call.Greeting)
		}
		pc.l = relayclient.Listen(call.Conn, pc.heard)
		go a.follow(pc)
	}
	a.phones.add(pc)
	return a.showSandboxCall(c, s, "", "", pc.ID)
}

// follow waits for the call's socket to close (the caller hung up, the
// agent ended it, or humd is shutting down), then posts what Twilio would
// (the <Connect action>, the completed status) and marks the call over.
func (a *API) follow(pc *phoneCall) {
	select {
	case <-pc.l.Ended():
	case <-a.done:
		pc.l.HangUp()
	}
	ctx, cancel := context.WithTimeout(context.Background(), phoneDial)
	defer cancel()
	next, err := pc.call.Finish(ctx, pc.l.End())
	if next != nil {
		for _, line := range next.Describe() {
			pc.add("humd", line)
		}
	}
	if err != nil {
		pc.add("humd", "Hanging up failed: "+err.Error())
	}
	pc.add("humd", "Call ended.")
	pc.mu.Lock()
	pc.ended = true
	pc.mu.Unlock()
	close(pc.over)
}

// sandboxSay speaks one turn of the caller and waits for the agent's answer.
func (a *API) sandboxSay(c *httpapi.Call, s *session) error {
	if err := needOperator(s, "sandbox calls"); err != nil {
		return err
	}
	pc, err := a.phones.get(s.P.OrgID, c.Param("id"))
	if err != nil {
		return err
	}
	text := form(c, "text")
	switch {
	case text == "":
		return errField("text", "required: what the caller says")
	case len(text) > phoneSayMax:
		return errField("text", fmt.Sprintf("at most %d characters", phoneSayMax))
	case pc.isOver() || pc.l == nil:
		return storage.Conflict("call_over", "this call has ended")
	}
	if !pc.talking.CompareAndSwap(false, true) {
		return storage.Conflict("call_busy", "the agent is still answering the last turn")
	}
	defer pc.talking.Store(false)
	pc.add("you", text)
	ctx, cancel := context.WithTimeout(context.Background(), phoneWait)
	defer cancel()
	answered, err := pc.l.Say(ctx, text, phoneWait)
	switch {
	case err != nil && !errors.Is(err, context.DeadlineExceeded):
		pc.add("humd", "The call was lost: "+err.Error())
	case !answered:
		pc.add("humd", fmt.Sprintf("No answer within %s.", phoneWait))
	}
	return a.showSandboxCall(c, s, "", "", pc.ID)
}

// sandboxHangup hangs the call up, as the caller, and shows how it ended.
func (a *API) sandboxHangup(c *httpapi.Call, s *session) error {
	if err := needOperator(s, "sandbox calls"); err != nil {
		return err
	}
	pc, err := a.phones.get(s.P.OrgID, c.Param("id"))
	if err != nil {
		return err
	}
	if pc.l != nil {
		pc.l.HangUp()
	}
	t := time.NewTimer(2 * phoneDial)
	defer t.Stop()
	select {
	case <-pc.over:
	case <-t.C:
		return fmt.Errorf("sandbox phone: call %s did not finish hanging up", pc.ID)
	}
	return a.showSandboxCall(c, s, "", "", pc.ID)
}

// phoneRecord is the call's record as humd keeps it, beside the phone:
// nil until the voice webhook stored it.
func (a *API) phoneRecord(c *httpapi.Call, s *session, id string) (*voicesvc.CallDetail, error) {
	d, err := a.d.Svc.GetCall(c.Ctx, s.P, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	return d, err
}
