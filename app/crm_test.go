package app_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/humd/humd/storage/sms"
)

// crmSigned is what a CRM receiver checks before it reads a request (SPEC
// 1.15): the bearer is the connector's secret and X-HUM-Signature the
// body's HMAC-SHA256 under it.
func crmSigned(r *http.Request, raw []byte, secret string) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(raw)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	return secret != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+secret)) == 1 &&
		subtle.ConstantTimeCompare([]byte(r.Header.Get("X-HUM-Signature")), []byte(want)) == 1
}

// fakeCRM checks the bearer and the HMAC of every request before it reads
// the body, as SPEC 1.15 asks receivers to, and knows one contact.
type fakeCRM struct {
	*httptest.Server
	mu      sync.Mutex
	secret  string
	calls   []string
	badAuth int
}

func newFakeCRM(t *testing.T) *fakeCRM {
	f := &fakeCRM{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		secret := f.secret
		f.calls = append(f.calls, r.Header.Get("X-HUM-Event")+" "+r.URL.Path)
		if !crmSigned(r, raw, secret) {
			f.badAuth++
			f.mu.Unlock()
			w.WriteHeader(401)
			return
		}
		f.mu.Unlock()
		var req map[string]any
		_ = json.Unmarshal(raw, &req)
		switch r.URL.Path {
		case "/ping":
			fmt.Fprint(w, `{"ok":true}`)
		case "/contacts/lookup":
			if req["phone"] == contact {
				fmt.Fprint(w, `{"found":true,"contact":{"id":"crm-123","first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"}}`)
				return
			}
			fmt.Fprint(w, `{"found":false}`)
		case "/contacts":
			w.WriteHeader(201)
			fmt.Fprintf(w, `{"contact":{"id":"crm-new-%s"}}`, strings.TrimPrefix(req["phone"].(string), "+"))
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeCRM) log() ([]string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...), f.badAuth
}

func TestCRMConnectorLinksNewContacts(t *testing.T) {
	s := startWebhooks(t, "") // loopback targets allowed
	s.AddNumber(ourNumber, 1)
	f := newFakeCRM(t)
	cn := s.JSON("POST", "/api/crm-connectors", adminKey, map[string]any{"name": "Our CRM", "base_url": f.URL, "create_on_miss": true}, 201)
	id := cn["id"].(string)
	f.mu.Lock()
	f.secret = cn["secret"].(string)
	f.mu.Unlock()
	storedInClear(t, s, "crm/", cn["secret"].(string))
	if got := s.JSON("GET", "/api/crm-connectors/"+id, adminKey, nil, 200); got["secret"] != nil || got["timeout_ms"] != 4000.0 {
		t.Errorf("connector = %v; want no secret, default timeout", got)
	}
	errCode(t, s, "POST", "/api/crm-connectors", map[string]any{"name": "Second", "base_url": f.URL}, 409)
	if p := s.JSON("POST", "/api/crm-connectors/"+id+"/ping", adminKey, nil, 200); p["ok"] != true || p["status"] != 200.0 {
		t.Fatalf("ping = %v", p)
	}

	// A known phone is linked with the CRM's identity; a person's edit wins.
	s.JSON("POST", "/api/contacts", adminKey, map[string]any{"e164": contact, "email": "mine@example.com"}, 201)
	inbound(t, s, "SM00000000000000000000000000001201", contact, "hi")
	// An unknown one is created in the CRM.
	inbound(t, s, "SM00000000000000000000000000001202", "+13175550177", "hello")
	s.WaitFor("both contacts linked", func() error {
		s.Clock.Advance(time.Second)
		a, err := sms.ContactByE164(s.App.Store, s.OrgID(), contact)
		if err != nil || a.CRMContactID != "crm-123" {
			return fmt.Errorf("known = %+v %v", a, err)
		}
		b, err := sms.ContactByE164(s.App.Store, s.OrgID(), "+13175550177")
		if err != nil || b.CRMContactID != "crm-new-13175550177" {
			return fmt.Errorf("new = %+v %v", b, err)
		}
		return nil
	})
	a, _ := sms.ContactByE164(s.App.Store, s.OrgID(), contact)
	if a.FirstName != "Ada" || a.LastName != "Lovelace" || a.Email != "mine@example.com" {
		t.Errorf("linked contact = %+v; want the CRM's name and the person's own email", a)
	}
	calls, bad := f.log()
	want := "ping /ping|contact.lookup /contacts/lookup|contact.lookup /contacts/lookup|contact.create /contacts"
	if strings.Join(calls, "|") != want || bad != 0 {
		t.Errorf("CRM saw %v (%d failed auth); want %s", calls, bad, want)
	}
	// A second text from a linked contact asks nothing.
	s.JSON("POST", "/api/sms/conversations/"+onlyConversationFor(t, s, contact)+"/close", adminKey, nil, 200)
	inbound(t, s, "SM00000000000000000000000000001203", contact, "again")
	var logs []any
	s.Holds("no CRM request for a linked contact", func() error {
		s.Clock.Advance(time.Second) // the connector reads the log on its ticks
		logs = s.JSON("GET", "/api/crm-connectors/"+id+"/logs", adminKey, nil, 200)["data"].([]any)
		if calls, _ := f.log(); len(logs) != 4 || len(calls) != 4 {
			return fmt.Errorf("request log has %d entries, the CRM saw %d; want 4", len(logs), len(calls))
		}
		return nil
	})
	raw, _ := json.Marshal(logs)
	if strings.Contains(string(raw), cn["secret"].(string)) {
		t.Error("the request log holds the secret")
	}
	// After a rotation the old secret no longer authenticates.
	rot := s.JSON("POST", "/api/crm-connectors/"+id+"/rotate-secret", adminKey, nil, 200)
	if p := s.JSON("POST", "/api/crm-connectors/"+id+"/ping", adminKey, nil, 200); p["ok"] != false || p["status"] != 401.0 {
		t.Errorf("ping with a rotated secret the CRM does not know = %v", p)
	}
	f.mu.Lock()
	f.secret = rot["secret"].(string)
	f.mu.Unlock()
	if p := s.JSON("POST", "/api/crm-connectors/"+id+"/ping", adminKey, nil, 200); p["ok"] != true {
		t.Errorf("ping after updating the CRM = %v", p)
	}
}

func onlyConversationFor(t *testing.T, s interface {
	JSON(string, string, string, any, int) map[string]any
}, e164 string) string {
	t.Helper()
	for _, c := range s.JSON("GET", "/api/sms/conversations", adminKey, nil, 200)["data"].([]any) {
		if c.(map[string]any)["contact_e164"] == e164 {
			return c.(map[string]any)["id"].(string)
		}
	}
	t.Fatalf("no conversation with %s", e164)
	return ""
}
