package httptools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/humd/humd/actors/ai"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/egresspolicy"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/calls"
	"github.com/humd/humd/storage/flowtools"
	"github.com/humd/humd/storage/sms"
)

// Config wires a Service. Store and Clock are required.
type Config struct {
	Store  storage.Store
	Clock  clock.Clock
	Logger *slog.Logger
	// Policy is the SSRF policy bindings are checked against (egresspolicy).
	Policy egresspolicy.Policy
	// Send makes the requests: transport/outbound.HTTPToolSender(Policy) in
	// humd. Without one every request fails.
	Send Sender
	// MaxOutput is how much of a rendered output or raw body is kept
	// (default 4 KiB).
	MaxOutput int
}

// Service runs flows' HTTP tool bindings. It implements ai.ExternalTools.
type Service struct {
	cfg Config
}

var _ ai.ExternalTools = (*Service)(nil)

// New answers a service.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Send == nil {
		cfg.Send = noSender
	}
	if cfg.MaxOutput == 0 {
		cfg.MaxOutput = 4 << 10
	}
	return &Service{cfg: cfg}
}

// Policy is the SSRF policy binding URLs are checked against.
func (s *Service) Policy() egresspolicy.Policy { return s.cfg.Policy }

// hookMargin is kept from the pre-call budget so the hook's answer reaches
// the call before the budget ends (a late answer is dropped whole).
const hookMargin = 100 * time.Millisecond

// Tools implements ai.ExternalTools: the flow's enabled in_call bindings.
func (s *Service) Tools(_ context.Context, org, flow string) ([]ai.Tool, error) {
	if flow == "" {
		return nil, nil
	}
	ts, err := flowtools.Enabled(s.cfg.Store, org, flow, flowtools.InCall)
	if err != nil {
		return nil, err
	}
	out := make([]ai.Tool, 0, len(ts))
	for _, t := range ts {
		d := t.Description
		if d == "" {
			d = "Calls the " + t.Name + " HTTP tool."
		}
		out = append(out, ai.Tool{Name: t.ModelName, Description: d, Parameters: t.Parameters})
	}
	return out, nil
}

// Call implements ai.ExternalTools. Names without the http_ prefix are not
// handled; a prefixed name that is not an enabled in_call binding of the
// flow is refused without any request.
func (s *Service) Call(ctx context.Context, org, flow string, subject ai.Subject, call ai.ToolCall) (string, bool, error) {
	if !strings.HasPrefix(call.Name, flowtools.ModelPrefix) {
		return "", false, nil
	}
	ts, err := flowtools.Enabled(s.cfg.Store, org, flow, flowtools.InCall)
	if err != nil {
		return "", true, err
	}
	var t *flowtools.Tool
	for _, c := range ts {
		if c.ModelName == call.Name {
			t = c
		}
	}
	if t == nil {
		return "", true, fmt.Errorf("tool %q is not available to this agent", call.Name)
	}
	args, err := arguments(call.Arguments)
	if err != nil {
		return "", true, err
	}
	data := s.subjectData(org, flow, subject)
	data["args"] = args
	out, err := s.run(ctx, t, subject, data)
	if err == nil && strings.TrimSpace(out) == "" {
		out = `{"ok":true}`
	}
	return out, true, err
}

// PreCallHook is a call.PreCallHook: the call's flow's enabled pre_call
// bindings, run concurrently; their lines in binding order.
func (s *Service) PreCallHook(ctx context.Context, c *calls.Call) (string, error) {
	if c.FlowID == "" {
		return "", nil
	}
	ts, err := flowtools.Enabled(s.cfg.Store, c.OrgID, c.FlowID, flowtools.PreCall)
	if err != nil || len(ts) == 0 {
		return "", err
	}
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-hookMargin))
		defer cancel()
	}
	subject := ai.Subject{Type: ai.SubjectCall, ID: c.ID}
	data := s.base(c.OrgID, c.FlowID)
	data["args"] = map[string]any{}
	s.addCall(data, c)
	lines := make([]string, len(ts))
	var wg sync.WaitGroup
	for i, t := range ts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := s.run(ctx, t, subject, clone(data))
			if err == nil {
				lines[i] = strings.TrimSpace(out)
			}
		}()
	}
	wg.Wait()
	var parts []string
	for _, l := range lines {
		if l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, "\n"), nil
}

// arguments parses a call's arguments, which must be a JSON object ("" is {}).
func arguments(raw string) (map[string]any, error) {
	if strings.TrimSpace(raw) == "" {
		return map[string]any{}, nil
	}
	var args map[string]any
	if err := json.Unmarshal([]byte(raw), &args); err != nil || args == nil {
		return nil, errors.New("arguments must be a JSON object")
	}
	return args, nil
}

func clone(d flowtools.Data) flowtools.Data {
	out := make(flowtools.Data, len(d)+3)
	for k, v := range d {
		out[k] = v
	}
	return out
}

func (s *Service) base(org, flow string) flowtools.Data {
	return flowtools.Data{"org": map[string]any{"id": org}, "flow": map[string]any{"id": flow}}
}

// subjectData loads what the templates may name about the call or the
// conversation and its contact; what cannot be loaded is left out.
func (s *Service) subjectData(org, flow string, subject ai.Subject) flowtools.Data {
	data := s.base(org, flow)
	switch subject.Type {
	case ai.SubjectCall:
		if c, err := calls.Get(s.cfg.Store, org, subject.ID); err == nil {
			s.addCall(data, c)
		}
	case ai.SubjectConversation:
		if cv, err := sms.GetConversation(s.cfg.Store, org, subject.ID); err == nil {
			data["conversation"] = map[string]any{"id": cv.ID, "contact_e164": cv.ContactE164, "number_e164": cv.NumberE164}
			s.addContact(data, org, cv.ContactE164)
		}
	}
	return data
}

func (s *Service) addCall(data flowtools.Data, c *calls.Call) {
	data["call"] = map[string]any{"id": c.ID, "from": c.From, "to": c.To, "direction": c.Direction, "flow_id": c.FlowID,
		"contact_name": c.ContactName}
	caller := c.From
	if c.Direction == "outbound" {
		caller = c.To
	}
	s.addContact(data, c.OrgID, caller)
}

func (s *Service) addContact(data flowtools.Data, org, e164 string) {
	contact := map[string]any{"e164": e164}
	if ct, err := sms.ContactByE164(s.cfg.Store, org, e164); err == nil {
		contact = map[string]any{"id": ct.ID, "e164": ct.E164, "name": ct.Name, "first_name": ct.FirstName,
			"last_name": ct.LastName, "email": ct.Email}
	}
	data["contact"] = contact
}

// run executes one binding and writes its row. It answers the rendered
// output, or the rendered fallback when the request failed (err is then
// nil), or the failure when there is no fallback.
func (s *Service) run(ctx context.Context, t *flowtools.Tool, subject ai.Subject, data flowtools.Data) (string, error) {
	_, out, err := s.execute(ctx, t, subject, data)
	return out, err
}

// execute is run, also answering the execution row it wrote.
func (s *Service) execute(ctx context.Context, t *flowtools.Tool, subject ai.Subject, data flowtools.Data) (*flowtools.Execution, string, error) {
	start := s.cfg.Clock.Now()
	row := &flowtools.Execution{ToolID: t.ID, FlowID: t.FlowID, Name: t.Name, SubjectType: subject.Type, SubjectID: subject.ID,
		Mode: t.Mode, At: start.UTC()}
	rctx, cancel := context.WithTimeout(ctx, time.Duration(t.TimeoutMS)*time.Millisecond)
	defer cancel()
	req, err := s.request(t, data)
	var resp *Response
	if err == nil {
		row.RequestExcerpt = req.Method + " " + req.URL
		if len(req.Body) > 0 {
			row.RequestExcerpt += "\n\n" + string(req.Body)
		}
		resp, err = s.cfg.Send(rctx, req)
	}
	if resp != nil {
		row.HTTPStatus, row.ResponseExcerpt = resp.Status, string(resp.Body)
		if err == nil && (resp.Status < 200 || resp.Status > 299) {
			err = fmt.Errorf("the tool answered HTTP %d", resp.Status)
		}
	}
	var out string
	if err == nil {
		out, err = s.output(t, data, resp)
	}
	row.MS = s.cfg.Clock.Now().Sub(start).Milliseconds()
	row.Status = flowtools.StatusOK
	if err != nil {
		row.Status, row.Error = flowtools.StatusError, err.Error()
		if errors.Is(err, context.DeadlineExceeded) || rctx.Err() == context.DeadlineExceeded {
			row.Status, row.Error = flowtools.StatusTimeout, fmt.Sprintf("no answer within %d ms", t.TimeoutMS)
			if ctx.Err() != nil {
				row.Error = "no answer within the time the call or run had left"
			}
			err = fmt.Errorf("%s: %s", t.Name, row.Error)
		}
		out, err = s.fallback(t, data, row, err)
	}
	row.Output = out
	if werr := flowtools.AddExecution(s.cfg.Store, t.OrgID, row); werr != nil {
		s.cfg.Logger.Error("record http tool execution", "org", t.OrgID, "tool", t.ID, "err", werr)
	}
	return row, out, err
}

// request renders the URL and the body.
func (s *Service) request(t *flowtools.Tool, data flowtools.Data) (*Request, error) {
	raw, err := flowtools.Render(t.URL, data, 0)
	if err != nil {
		return nil, fmt.Errorf("render url: %w", err)
	}
	if err := s.allowed(t.URL, raw); err != nil {
		return nil, err
	}
	body, err := flowtools.Render(t.BodyTemplate, data, 0)
	if err != nil {
		return nil, fmt.Errorf("render body_template: %w", err)
	}
	r := &Request{Method: t.Method, URL: raw, Body: []byte(body), Headers: [][2]string{{"User-Agent", "humd-httptools"}}}
	if body != "" {
		r.Headers = append(r.Headers, [2]string{"Content-Type", "application/json"})
	}
	for _, k := range slices.Sorted(maps.Keys(t.Headers)) {
		r.Headers = append(r.Headers, [2]string{k, t.Headers[k]})
	}
	if name, value := t.SecretHeaderValue(); name != "" {
		r.Headers = append(r.Headers, [2]string{name, value})
	}
	return r, nil
}

// allowed checks a rendered URL: the saved scheme and host, and the
// policy's form (https unless private targets are allowed); the addresses
// are checked when the Sender dials them.
func (s *Service) allowed(saved, rendered string) error {
	u, err := url.Parse(rendered)
	if err != nil || u.Host == "" {
		return errors.New("the rendered url is not a valid URL")
	}
	scheme, rest, _ := strings.Cut(saved, "://")
	host := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host = rest[:i]
	}
	if !strings.EqualFold(u.Scheme, scheme) || !strings.EqualFold(u.Host, host) || u.User != nil {
		return errors.New("the rendered url changes the scheme or host")
	}
	if err := s.cfg.Policy.CheckTarget(rendered); err != nil {
		return fmt.Errorf("the rendered url %w", err)
	}
	return nil
}

// output renders the answer through output_template, or answers the body
// as text.
func (s *Service) output(t *flowtools.Tool, data flowtools.Data, resp *Response) (string, error) {
	if t.OutputTemplate == "" {
		out := flowtools.Cut(string(resp.Body), s.cfg.MaxOutput)
		if t.Mode == flowtools.PreCall && strings.TrimSpace(out) != "" {
			out = t.Name + ": " + out
		}
		return out, nil
	}
	d := clone(data)
	d["status"], d["body"] = resp.Status, string(resp.Body)
	var parsed any
	if json.Unmarshal(resp.Body, &parsed) == nil {
		d["json"] = parsed
	} else {
		d["json"] = nil
	}
	out, err := flowtools.Render(t.OutputTemplate, d, s.cfg.MaxOutput)
	if err != nil {
		return "", fmt.Errorf("render output_template: %w", err)
	}
	return out, nil
}

// fallback renders fallback_template for a failed run; without one (or
// when it fails too) the failure stands.
func (s *Service) fallback(t *flowtools.Tool, data flowtools.Data, row *flowtools.Execution, cause error) (string, error) {
	if t.FallbackTemplate == "" {
		return "", cause
	}
	d := clone(data)
	d["status"], d["error"] = row.HTTPStatus, row.Error
	out, err := flowtools.Render(t.FallbackTemplate, d, s.cfg.MaxOutput)
	if err != nil {
		row.Error += "; render fallback_template: " + err.Error()
		return "", cause
	}
	return out, nil
}
