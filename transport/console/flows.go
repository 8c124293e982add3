package console

import (
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/humd/humd/actors/service/flowsvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flows"
	"github.com/humd/humd/storage/flowtools"
	"github.com/humd/humd/storage/hours"
	"github.com/humd/humd/storage/mcptools"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/transport/httpapi"
)

type flowsView struct {
	Flows []*flows.Flow
	Used  map[string][]string // flow id -> the numbers it answers, in words
	Admin bool
}

// flows lists the org's flows with the numbers each answers.
func (a *API) flows(c *httpapi.Call, s *session) error {
	list, _, err := a.d.Svc.ListFlows(c.Ctx, s.P, flowsvc.ListFlowsQuery{Page: storage.PageRequest{Limit: 200}})
	if err != nil {
		return err
	}
	nums, err := a.allNumbers(c, s)
	if err != nil {
		return err
	}
	used := map[string][]string{}
	for _, n := range nums {
		if n.FlowID != nil && *n.FlowID != "" {
			used[*n.FlowID] = append(used[*n.FlowID], n.E164+" (calls)")
		}
		if n.SMSFlowID != nil && *n.SMSFlowID != "" {
			used[*n.SMSFlowID] = append(used[*n.SMSFlowID], n.E164+" (texts)")
		}
	}
	return a.render(c, 200, s, "flows", "Flows", "flows", &flowsView{Flows: list, Used: used, Admin: s.can(tenancy.Admin)})
}

// allNumbers is the org's numbers (a console-sized org: one page of 200).
func (a *API) allNumbers(c *httpapi.Call, s *session) ([]*sms.Number, error) {
	list, _, err := a.d.Svc.ListNumbers(c.Ctx, s.P, storage.PageRequest{Limit: 200})
	return list, err
}

// toolForm is the "add an HTTP tool" form, as typed.
type toolForm struct {
	Name, Mode, Description, Method, URL, Parameters, BodyTemplate, OutputTemplate, FallbackTemplate, Secret, TimeoutMS string
}

type flowEditView struct {
	ID      string // "" for a new flow
	Flow    *flows.Flow
	Form    *flowForm
	Errors  map[string]string
	Notice  string
	Alert   string
	Admin   bool
	Sandbox bool

	Caps         []struct{ Key, Label, Help string }
	BuiltinTools []struct{ Name, Help string }
	VoiceFlows   []*flows.Flow
	Integrations []*mcptools.Integration
	Numbers      []string // the numbers that use this flow, in words

	Tools      []*flowtools.Tool
	ToolForm   toolForm
	ToolErrors map[string]string
	NewSecret  string // a just-added tool's secret, shown once
	// EditTool is the id of the tool the tool form edits ("" adds one).
	EditTool string
}

func (a *API) newFlow(c *httpapi.Call, s *session) error {
	return a.showFlowEditor(c, s, 200, &flowEditView{Form: blankFlowForm()})
}

// flow shows a flow's editor (read-only below admin).
func (a *API) flow(c *httpapi.Call, s *session) error {
	v, err := a.storedFlowView(c, s, c.Param("id"))
	if err != nil {
		return err
	}
	v.Notice = doneNotice(c, flowNotices)

	if c.Query("try") == "none" {
		v.Alert = "No number uses this flow yet: assign it to a number under Numbers, then try it."
	}
	return a.showFlowEditor(c, s, 200, v)
}

func (a *API) storedFlowView(c *httpapi.Call, s *session, id string) (*flowEditView, error) {
	fl, err := a.d.Svc.GetFlow(c.Ctx, s.P, id)
	if err != nil {
		return nil, err
	}
	mcp, err := a.d.Svc.GetFlowMCPIntegrations(c.Ctx, s.P, id)
	if err != nil {
		return nil, err
	}
	return &flowEditView{ID: fl.ID, Flow: fl, Form: flowFormOf(fl, mcp.IntegrationIDs)}, nil
}

// showFlowEditor fills what every editor shows around the form.
func (a *API) showFlowEditor(c *httpapi.Call, s *session, status int, v *flowEditView) error {
	v.Admin, v.Sandbox = s.can(tenancy.Admin), a.d.Sandbox.Enabled()
	v.Caps, v.BuiltinTools = smsCaps, builtinTools
	voice, _, err := a.d.Svc.ListFlows(c.Ctx, s.P, flowsvc.ListFlowsQuery{Channel: "voice", Page: storage.PageRequest{Limit: 200}})
	if err != nil {
		return err
	}
	v.VoiceFlows = slices.DeleteFunc(voice, func(f *flows.Flow) bool { return f.ID == v.ID })
	if v.Integrations, _, err = a.d.Svc.ListMCPIntegrations(c.Ctx, s.P, storage.PageRequest{Limit: 100}); err != nil {
		return err
	}
	title := "New flow"
	if v.ID != "" {
		title = v.Flow.Name
		if v.Tools, _, err = a.d.Svc.ListFlowTools(c.Ctx, s.P, v.ID, storage.PageRequest{Limit: flowtools.MaxPerFlow}); err != nil {
			return err
		}
		// ?edit_tool= opens a stored tool in the tool form.
		if toolID := c.Query("edit_tool"); toolID != "" && v.EditTool == "" && v.Admin {
			for _, t := range v.Tools {
				if t.ID == toolID {
					v.EditTool, v.ToolForm = t.ID, toolFormOf(t)
				}
			}
		}
		nums, err := a.allNumbers(c, s)
		if err != nil {
			return err
		}
		for _, n := range nums {
			if n.FlowID != nil && *n.FlowID == v.ID {
				v.Numbers = append(v.Numbers, n.E164+" (calls)")
			}
			if n.SMSFlowID != nil && *n.SMSFlowID == v.ID {
				v.Numbers = append(v.Numbers, n.E164+" (texts)")
			}
		}
	}
	if v.ToolForm.Mode == "" {
		v.ToolForm = toolForm{Mode: flowtools.InCall, Method: "GET", TimeoutMS: fmt.Sprint(flowtools.DefaultTimeoutMS)}
	}
	return a.render(c, status, s, "flow", title, "flows", v)
}

// fieldErrors are a validation error's fields, to show beside the inputs;
// nil for any other error.
func fieldErrors(err error) map[string]string {
	var ve *storage.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}

// createFlow saves a new flow and its MCP integrations.
func (a *API) createFlow(c *httpapi.Call, s *session) error {
	f := flowFormFrom(c, nil)
	in, err := f.input()
	if err == nil {
		var fl *flows.Flow
		if fl, err = a.d.Svc.CreateFlow(c.Ctx, s.P, in); err == nil {
			if _, err = a.d.Svc.SetFlowMCPIntegrations(c.Ctx, s.P, fl.ID, flowsvc.SetFlowMCPIntegrationsInput{IntegrationIDs: f.mcpIDs()}); err != nil {
				return err
			}
			return redirect(c, "/flows/"+fl.ID+"?done=created")
		}
	}
	if fe := fieldErrors(err); fe != nil {
		return a.showFlowEditor(c, s, 422, &flowEditView{Form: f, Errors: fe})
	}
	return err
}

// saveFlow saves the editor; validation errors come back beside their
// fields, with the form as typed.
func (a *API) saveFlow(c *httpapi.Call, s *session) error {
	id := c.Param("id")
	old, err := a.d.Svc.GetFlow(c.Ctx, s.P, id)
	if err != nil {
		return err
	}
	f := flowFormFrom(c, old)
	in, err := f.input()
	if err == nil {
		if _, err = a.d.Svc.UpdateFlow(c.Ctx, s.P, id, in); err == nil {
			if _, err = a.d.Svc.SetFlowMCPIntegrations(c.Ctx, s.P, id, flowsvc.SetFlowMCPIntegrationsInput{IntegrationIDs: f.mcpIDs()}); err == nil {
				return redirect(c, "/flows/"+id+"?done=saved")
			}
		}
	}
	fe := fieldErrors(err)
	var ce *storage.ConflictError
	if fe == nil && !errors.As(err, &ce) {
		return err
	}
	v := &flowEditView{ID: id, Flow: old, Form: f, Errors: fe}
	status := 422
	if ce != nil {
		v.Alert, status = ce.Message, 409
	}
	return a.showFlowEditor(c, s, status, v)
}

func (a *API) duplicateFlow(c *httpapi.Call, s *session) error {
	fl, err := a.d.Svc.DuplicateFlow(c.Ctx, s.P, c.Param("id"))
	if err != nil {
		return err
	}
	return redirect(c, "/flows/"+fl.ID+"?done=duplicated")
}

// deleteFlow deletes a flow; the service's refusal of one in use is shown
// on the flow's page, plainly.
func (a *API) deleteFlow(c *httpapi.Call, s *session) error {
	id := c.Param("id")
	err := a.d.Svc.DeleteFlow(c.Ctx, s.P, id)
	var ce *storage.ConflictError
	if errors.As(err, &ce) {
		v, verr := a.storedFlowView(c, s, id)
		if verr != nil {
			return verr
		}
		v.Alert = "Not deleted: " + ce.Message + "."
		return a.showFlowEditor(c, s, 409, v)
	}
	if err != nil {
		return err
	}
	return redirect(c, "/flows")
}

// tryFlow opens the sandbox phone on a number that texts with this flow
// (or else answers calls with it), or says plainly that none does.
func (a *API) tryFlow(c *httpapi.Call, s *session) error {
	id := c.Param("id")
	if _, err := a.d.Svc.GetFlow(c.Ctx, s.P, id); err != nil {
		return err
	}
	if !a.d.Sandbox.Enabled() {
		return storage.Conflict("no_sandbox", "the sandbox phone is on only when humd runs in sandbox mode")
	}
	nums, err := a.allNumbers(c, s)
	if err != nil {
		return err
	}
	to := ""
	for _, n := range nums {
		if n.SMSFlowID != nil && *n.SMSFlowID == id && n.SMSEnabled {
			to = n.E164
			break
		}
		if to == "" && n.FlowID != nil && *n.FlowID == id {
			to = n.E164
		}
	}
	if to == "" {
		return redirect(c, "/flows/"+id+"?try=none")
	}
	return redirect(c, "/sandbox?to="+url.QueryEscape(to))
}

// flowRow is one more empty row of a repeated list (htmx appends it).
func (a *API) flowRow(c *httpapi.Call, s *session) error {
	switch kind := c.Param("kind"); kind {
	case "hours":
		day := c.Query("day")
		if !slices.Contains(hours.Days, day) {
			return errField("day", "must be mon..sun")
		}
		return a.exec(c, 200, "flow", "hours-row", hourRow{Day: day, Label: dayLabels[day]})
	case "closed":
		return a.exec(c, 200, "flow", "closed-row", "")
	case "transfer":
		voice, _, err := a.d.Svc.ListFlows(c.Ctx, s.P, flowsvc.ListFlowsQuery{Channel: "voice", Page: storage.PageRequest{Limit: 200}})
		if err != nil {
			return err
		}
		return a.exec(c, 200, "flow", "transfer-row", &transferRow{VoiceFlows: voice})
	default:
		return errField("kind", "must be hours, closed or transfer")
	}
}

// transferRow is a transfer row's data: the transfer and the flows it may
// name.
type transferRow struct {
	T          flows.Transfer
	VoiceFlows []*flows.Flow
}

// Err is the validation error of one field ("" for none).
func (v *flowEditView) Err(field string) string { return v.Errors[field] }

// Errs are the validation errors of a field and its parts (a day's
// windows, a transfer's label), in words.
func (v *flowEditView) Errs(prefix string) []string {
	var out []string
	for k, m := range v.Errors {
		if k == prefix || len(k) > len(prefix) && k[:len(prefix)] == prefix && (k[len(prefix)] == '.' || k[len(prefix)] == '[') {
			out = append(out, k+": "+m)
		}
	}
	slices.Sort(out)
	return out
}

// TransferRows are the form's transfers with the flows a row may name, and
// one empty row to type into.
func (v *flowEditView) TransferRows() []*transferRow {
	var out []*transferRow
	for _, t := range v.Form.Transfers {
		out = append(out, &transferRow{T: t, VoiceFlows: v.VoiceFlows})
	}
	return append(out, &transferRow{VoiceFlows: v.VoiceFlows})
}

// ToolErr is the validation error of one field of the HTTP tool form.
func (v *flowEditView) ToolErr(field string) string { return v.ToolErrors[field] }

// flowNotices are what the flow page says after a change sent it back (?done=).
var flowNotices = map[string]string{
	"saved":        "Saved.",
	"created":      "Flow created.",
	"duplicated":   "This is a copy: change it, try it, then assign it to a number.",
	"tool_deleted": "HTTP tool deleted.",
	"tool_saved":   "HTTP tool saved.",
}
