package campaigns

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/storage"
	"github.com/humd/humd/storage/sms"
	"github.com/humd/humd/storage/storagetest"
)

func TestRender(t *testing.T) {
	f := &Fields{FirstName: "Ada", Name: "Ada Lovelace", Vars: map[string]string{"code": "X1", "empty": ""}}
	for _, tc := range []struct {
		tmpl, want string
		missing    []string
	}{
		{"Hi {{first_name}}", "Hi Ada", nil},
		{"Hi {{ contact.first_name }}, {{name}}", "Hi Ada, Ada Lovelace", nil},
		{"Code {{vars.code}}{{vars.empty}}.", "Code X1.", nil},
		{"Hi {{last_name}} {{vars.nope}}!", "Hi  !", []string{"last_name", "vars.nope"}},
		{"no placeholders {x}", "no placeholders {x}", nil},
	} {
		got, missing := Render(tc.tmpl, f)
		if got != tc.want || !reflect.DeepEqual(missing, tc.missing) {
			t.Errorf("Render(%q) = %q, %v; want %q, %v", tc.tmpl, got, missing, tc.want, tc.missing)
		}
	}
	if _, unknown := Placeholders("Hi {{first_name}} {{ phone }}"); unknown != "phone" {
		t.Errorf("Placeholders unknown = %q; want phone", unknown)
	}
	if _, unknown := Placeholders("{{vars.}}"); unknown != "vars." {
		t.Errorf("Placeholders({{vars.}}) unknown = %q", unknown)
	}
}

func testStore(t *testing.T) storage.Store {
	st := storagetest.OpenMem(t)
	b := st.NewBatch()
	sms.PutNumber(b, &sms.Number{ID: "num_1", OrgID: "org_1", E164: "+15005550006", SMSEnabled: true})
	sms.PutNumber(b, &sms.Number{ID: "num_off", OrgID: "org_1", E164: "+15005550007"})
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestDecodeValidatesDedupesAndNamesRows(t *testing.T) {
	st := testStore(t)
	ck := Checks{Store: st, FlowChannel: func(_, id string) (string, error) {
		if id == "flow_voice" {
			return "voice", nil
		}
		return "", storage.ErrNotFound
	}}
	body := func(extra string) []byte {
		return []byte(`{"name":"P","twilio_number_id":"num_1","body_template":"Hi {{first_name}} {{vars.k}}",` + extra + `}`)
	}
	c, rows, err := decode(body(`"recipients":[{"contact_e164":"+13175550100","vars":{"k":"1"}},{"contact_e164":"+13175550101","first_name":"B"},{"contact_e164":"+13175550100","body":"dup"}]`),
		"org_1", ck, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Seq != 1 || rows[1].Seq != 2 || rows[0].Body != "" || c.Total != 2 || c.ThrottlePerMinute != 30 || !c.HonorQuietHours {
		t.Errorf("campaign %+v rows %+v", c, rows)
	}
	if len(c.Warnings) != 2 {
		t.Errorf("warnings = %q; want first_name (row 1) and vars.k (row 2)", c.Warnings)
	}
	for _, tc := range []struct{ extra, field string }{
		{`"recipients":[{"contact_e164":"+1317555010"},{"contact_e164":"+13175550100"},{"contact_e164":"x"}]`, "recipients"},
		{`"recipients":[{"contact_e164":"+13175550100"}],"throttle_per_minute":601`, "throttle_per_minute"},
		{`"recipients":[{"contact_e164":"+13175550100"}],"flow_id":"flow_voice"`, "flow_id"},
		{`"recipients":[{"contact_e164":"+13175550100"}],"flow_id":"flow_nope"`, "flow_id"},
	} {
		_, _, err := decode(body(tc.extra), "org_1", ck, time.Unix(0, 0))
		var ve *storage.ValidationError
		if !asValidation(err, &ve) || ve.Fields[tc.field] == "" {
			t.Errorf("Decode(%s) = %v; want a problem with %s", tc.extra, err, tc.field)
		}
	}
	_, _, err = decode(body(`"recipients":[{"contact_e164":"+1317555010"},{"contact_e164":"+13175550100"},{"contact_e164":"x"}]`), "org_1", ck, time.Unix(0, 0))
	if !strings.Contains(err.Error(), "rows [0,2]") {
		t.Errorf("bad rows error = %v; want rows [0,2] named", err)
	}
	// Only the first rows get fields of their own; the summary names 100.
	many := make([]map[string]string, 150)
	for i := range many {
		many[i] = map[string]string{"contact_e164": fmt.Sprint(i)}
	}
	raw, _ := json.Marshal(many)
	_, _, err = decode(body(`"recipients":`+string(raw)), "org_1", ck, time.Unix(0, 0))
	var ve *storage.ValidationError
	if !asValidation(err, &ve) || len(ve.Fields) != maxRowFields+1 || !strings.HasPrefix(ve.Fields["recipients"], "150 rows") {
		t.Errorf("150 bad rows: %d fields, %q", len(ve.Fields), ve.Fields["recipients"])
	}
	ck.Admin = false
	if _, _, err := decode(body(`"recipients":[{"contact_e164":"+13175550100"}],"honor_quiet_hours":false`), "org_1", ck, time.Unix(0, 0)); err != ErrAdminOnly {
		t.Errorf("non-admin honor_quiet_hours:false = %v", err)
	}
	if _, _, err := decode([]byte(`{"name":"P","twilio_number_id":"num_off","body_template":"x","recipients":[{"contact_e164":"+13175550100"}]}`), "org_1", ck, time.Unix(0, 0)); err == nil {
		t.Errorf("number without sms_enabled accepted")
	}
}

// decode is what transport does with a create body: decode it, then Build.
func decode(body []byte, org string, ck Checks, now time.Time) (*Campaign, []*Recipient, error) {
	var in CreateIn
	if err := fromJSON(body, &in); err != nil {
		return nil, nil, err
	}
	return Build(&in, org, ck, now)
}

func asValidation(err error, ve **storage.ValidationError) bool {
	v, ok := err.(*storage.ValidationError)
	*ve = v
	return ok
}

func TestPatchAndListActive(t *testing.T) {
	st := testStore(t)
	c := &Campaign{ID: "camp_1", OrgID: "org_1", Name: "a", NumberID: "num_1", BodyTemplate: "x", ThrottlePerMinute: 30, Status: Queued}
	if err := Create(st, c, []*Recipient{{Seq: 1, E164: "+13175550100", Status: RPending}}); err != nil {
		t.Fatal(err)
	}
	refs, err := ListActive(st)
	if err != nil || len(refs) != 1 || refs[0] != (ActiveRef{OrgID: "org_1", ID: "camp_1"}) {
		t.Fatalf("ListActive = %v, %v", refs, err)
	}
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.FixedZone("", -5*3600))
	throttle := 60
	p, err := ApplyPatch(c, &PatchIn{ScheduledStartAt: storage.Some(at), FlowID: storage.Opt[string]{Set: true, Null: true}, ThrottlePerMinute: &throttle},
		Checks{Store: st}, time.Unix(0, 0))
	if err != nil || p.ThrottlePerMinute != 60 || p.ScheduledStartAt == nil || p.ScheduledStartAt.Hour() != 15 || p.FlowID != nil {
		t.Fatalf("ApplyPatch = %+v, %v", p, err)
	}
	p.Status = Completed
	b := st.NewBatch()
	Put(b, p)
	if err := b.Commit(storage.Sync); err != nil {
		t.Fatal(err)
	}
	if refs, _ := ListActive(st); len(refs) != 0 {
		t.Errorf("completed campaign still active: %v", refs)
	}
}

// fromJSON builds a typed input from JSON as a test writes it; unknown keys
// fail. Decoding requests is transport's (transport/wire); this package takes
// the typed value.
func fromJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
