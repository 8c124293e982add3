package httptools

import (
	"context"
	"testing"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/flowtools"
)

// A test request renders the tool's URL with the given arguments, sends it
// once through the service's Sender, answers the status, excerpts and
// rendered output, and is logged as a test (no call or conversation).
func TestTrialSendsOnceAndLogs(t *testing.T) {
	svc, f, st := newService(t)
	tl := addTool(t, st, "flow_1", `{"name":"count","mode":"in_call","url":"http://127.0.0.1/{{urlpath .args.what}}",
		"method":"GET","output_template":"n={{.json.n}}"}`)
	row := svc.Trial(context.Background(), tl, map[string]any{"what": "ok"})
	if row.Status != flowtools.StatusOK || row.HTTPStatus != 200 || row.ResponseExcerpt != `{"n":7}` || row.Output != "n=7" ||
		row.RequestExcerpt != "GET http://127.0.0.1/ok" || row.SubjectType != SubjectTest {
		t.Fatalf("trial = %+v", row)
	}
	if len(f.reqs) != 1 {
		t.Fatalf("%d requests; want 1", len(f.reqs))
	}
	logged, _, err := flowtools.Executions(st, "org_1", tl.ID, storage.PageRequest{Limit: 5})
	if err != nil || len(logged) != 1 || logged[0].SubjectType != SubjectTest {
		t.Fatalf("execution log = %v, %v", logged, err)
	}
	// A failing target is answered as such, not as an error of humd's.
	row = svc.Trial(context.Background(), tl, map[string]any{"what": "missing"})
	if row.Status != flowtools.StatusError || row.HTTPStatus != 404 || row.Error == "" {
		t.Fatalf("failed trial = %+v", row)
	}
}
