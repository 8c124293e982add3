package console

import (
	"encoding/json"
	"strconv"

	"github.com/humd/humd/actors/service/flowsvc"
	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flowtools"
	"github.com/humd/humd/transport/httpapi"
)

// A flow's HTTP tools on its editor: add one, delete one, and send one's
// request once to see what it answers.

func toolFormFrom(c *httpapi.Call) toolForm {
	return toolForm{Name: form(c, "tool_name"), Mode: form(c, "tool_mode"), Description: form(c, "tool_description"),
		Method: form(c, "tool_method"), URL: form(c, "tool_url"), Parameters: form(c, "tool_parameters"),
		BodyTemplate: c.Form("tool_body_template"), OutputTemplate: c.Form("tool_output_template"),
		FallbackTemplate: c.Form("tool_fallback_template"), Secret: form(c, "tool_secret"), TimeoutMS: form(c, "tool_timeout_ms")}
}

// toolFormOf shows a stored tool in the tool form (its secret stays
// unshown: an empty secret field keeps it).
func toolFormOf(t *flowtools.Tool) toolForm {
	f := toolForm{Name: t.Name, Mode: t.Mode, Description: t.Description, Method: t.Method, URL: t.URL,
		BodyTemplate: t.BodyTemplate, OutputTemplate: t.OutputTemplate, FallbackTemplate: t.FallbackTemplate,
		TimeoutMS: strconv.Itoa(t.TimeoutMS)}
	if len(t.Parameters) > 0 {
		if b, err := json.Marshal(t.Parameters); err == nil {
			f.Parameters = string(b)
		}
	}
	return f
}

// input is the service's input. Adding, fields left empty keep their
// defaults; editing, an emptied text field is cleared. An empty secret is
// never sent (editing, it keeps the stored one).
func (t toolForm) input(edit bool) (flowtools.Input, error) {
	v := &storage.ValidationError{}
	in := flowtools.Input{Name: &t.Name, Mode: &t.Mode, Method: &t.Method, URL: &t.URL}
	for _, f := range []struct {
		s     string
		dst   **string
		clear bool
	}{{t.Description, &in.Description, edit}, {t.BodyTemplate, &in.BodyTemplate, edit}, {t.OutputTemplate, &in.OutputTemplate, edit},
		{t.FallbackTemplate, &in.FallbackTemplate, edit}, {t.Secret, &in.Secret, false}} {
		if f.s != "" || f.clear {
			*f.dst = &f.s
		}
	}
	if t.Parameters != "" {
		var p map[string]any
		if json.Unmarshal([]byte(t.Parameters), &p) != nil || p == nil {
			v.Add("parameters", `must be a JSON Schema object such as {"type":"object","properties":{"order_id":{"type":"string"}}}`)
		} else {
			in.Parameters = &p
		}
	}
	if t.TimeoutMS != "" {
		n, err := strconv.Atoi(t.TimeoutMS)
		if err != nil {
			v.Add("timeout_ms", "must be a whole number of milliseconds")
		} else {
			in.TimeoutMS = &n
		}
	}
	return in, v.Err()
}

// addFlowTool adds an HTTP tool; its secret is shown once, on the page
// that answers the add.
func (a *API) addFlowTool(c *httpapi.Call, s *session) error {
	id := c.Param("id")
	tf := toolFormFrom(c)
	in, err := tf.input(false)
	var made *flowsvc.ToolWithSecret
	if err == nil {
		made, err = a.d.Svc.CreateFlowTool(c.Ctx, s.P, id, in)
	}
	fe := fieldErrors(err)
	if err != nil && fe == nil {
		return err
	}
	v, verr := a.storedFlowView(c, s, id)
	if verr != nil {
		return verr
	}
	if fe != nil {
		v.ToolForm, v.ToolErrors = tf, fe
		return a.showFlowEditor(c, s, 422, v)
	}
	v.Notice = "HTTP tool " + made.Name + " added."
	v.NewSecret = made.Secret
	return a.showFlowEditor(c, s, 200, v)
}

// updateFlowTool saves the edited tool form.
func (a *API) updateFlowTool(c *httpapi.Call, s *session) error {
	id, toolID := c.Param("id"), c.Param("toolId")
	tf := toolFormFrom(c)
	in, err := tf.input(true)
	if err == nil {
		_, err = a.d.Svc.UpdateFlowTool(c.Ctx, s.P, id, toolID, in)
	}
	fe := fieldErrors(err)
	if err != nil && fe == nil {
		return err
	}
	if fe == nil {
		return redirect(c, "/flows/"+id+"?done=tool_saved")
	}
	v, verr := a.storedFlowView(c, s, id)
	if verr != nil {
		return verr
	}
	v.ToolForm, v.ToolErrors, v.EditTool = tf, fe, toolID
	return a.showFlowEditor(c, s, 422, v)
}

func (a *API) deleteFlowTool(c *httpapi.Call, s *session) error {
	id := c.Param("id")
	if err := a.d.Svc.DeleteFlowTool(c.Ctx, s.P, id, c.Param("toolId")); err != nil {
		return err
	}
	return redirect(c, "/flows/"+id+"?done=tool_deleted")
}

// toolTrialView is a test request's answer, swapped in under its tool.
type toolTrialView struct {
	Tool string
	Run  *flowtools.Execution
}

// testFlowTool sends the tool's request once (the service runs it on this
// request's goroutine) and shows the status and the start of the body.
func (a *API) testFlowTool(c *httpapi.Call, s *session) error {
	id, toolID := c.Param("id"), c.Param("toolId")
	run, err := a.d.Svc.TestFlowTool(c.Ctx, s.P, id, toolID, flowsvc.TestFlowToolInput{Arguments: form(c, "arguments")})
	if err != nil {
		return err
	}
	return a.exec(c, 200, "flow", "tool-trial", &toolTrialView{Tool: toolID, Run: run})
}
