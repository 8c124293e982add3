package app_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
)

func importExample(t *testing.T, s *apptest.Server) {
	t.Helper()
	f, err := os.Open("../docs/providers-example.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n, err := s.App.Svc.ImportProviders(context.Background(), f); err != nil || n != 4 {
		t.Fatalf("import = %d, %v", n, err)
	}
}

func TestAddressSessionLifecycle(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	importExample(t, s)
	res := s.JSON("POST", "/sessions", adminKey, map[string]any{"street1": "29090 Tiffany Drive E", "zip": 48034, "sync": []string{"geocode", "internet"}}, 201)
	meta := res["meta"].(map[string]any)
	token := res["data"].(map[string]any)["session_token"].(string)
	if len(token) != 22 || meta["session_token"] != token || res["message"] != "Session created successfully." || res["request_status"] != "ok" {
		t.Fatalf("create = %v", res)
	}
	addr := meta["service_address"].(map[string]any)
	if addr["normalized"] != "29090 TIFFANY DR E, SOUTHFIELD, MI, 48034" || addr["street_range"] != "29000-29098" || addr["state"] != "MI" {
		t.Errorf("service_address = %v", addr)
	}
	if st := meta["agent_status"].(map[string]any); st["geocoding"] != "matched" || st["internet"] != "matched" || st["checkout"] != "pending" {
		t.Errorf("agent_status = %v", st)
	}
	got := s.JSON("GET", "/sessions/"+token, adminKey, nil, 200)
	names := []string{}
	for _, p := range got["data"].([]any) {
		names = append(names, p.(map[string]any)["provider_name"].(string))
	}
	if strings.Join(names, ",") != "AT&T Fiber,Xfinity,Starlink" {
		t.Errorf("providers = %v; want the 48034 ones and the nationwide one", names)
	}
	s.JSON("DELETE", "/sessions/"+token, adminKey, nil, 200)
	s.JSON("GET", "/sessions/"+token, adminKey, nil, 410)
	s.JSON("DELETE", "/sessions/"+token, adminKey, nil, 410)
}

func TestAddressSessionExpiresAfterIdle(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	create := func() string {
		res := s.JSON("POST", "/sessions", adminKey, map[string]any{"street1": "1 Main St", "city": "Boston", "state": "MA", "sync": []string{"geocode"}}, 201)
		return res["data"].(map[string]any)["session_token"].(string)
	}
	a, b := create(), create()
	// a is touched every 20 minutes and stays open; b is left alone.
	for i := 0; i < 3; i++ {
		s.Clock.Advance(20 * time.Minute)
		if status, raw := s.Do("GET", "/sessions/"+a, adminKey, nil); status != 200 {
			t.Fatalf("GET a after %d x 20 min = %d %s", i+1, status, raw)
		}
	}
	s.WaitFor("b expired", func() error {
		if status, raw := s.Do("GET", "/sessions/"+b, adminKey, nil); status != 410 || !strings.Contains(string(raw), `"session_status":"expired"`) {
			return fmt.Errorf("GET b = %d %s", status, raw)
		}
		return nil
	})
	// Boston by city and state geocodes without a zip.
	got := s.JSON("GET", "/sessions/"+a, adminKey, nil, 200)
	if addr := got["meta"].(map[string]any)["service_address"].(map[string]any); addr["zip"] == "" || addr["latitude"] == nil {
		t.Errorf("city+state geocode = %v", addr)
	}
}

func TestAddressSessionErrors(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	res := s.JSON("POST", "/sessions", adminKey, map[string]any{"street1": "x", "zip": "4803"}, 422)
	errs := res["errors"].([]any)
	if res["request_status"] != "error" || len(errs) != 1 || errs[0].(map[string]any)["field"] != "zip" {
		t.Errorf("invalid zip = %v", res)
	}
	s.JSON("GET", "/sessions/ZZZZZZZZZZZZZZZZZZZZZZ", adminKey, nil, 404)
	s.JSON("GET", "/sessions/short", adminKey, nil, 404)
	_, keyB := provision(t, s, "Org B", "")
	token := s.JSON("POST", "/sessions", adminKey, map[string]any{"street1": "x", "zip": "10001"}, 201)["data"].(map[string]any)["session_token"].(string)
	s.JSON("GET", "/sessions/"+token, keyB, nil, 404)
	s.JSON("DELETE", "/sessions/"+token, keyB, nil, 404)
	res = s.JSON("POST", "/sessions", "", map[string]any{"street1": "x", "zip": "10001"}, 401)
	if res["request_status"] != "error" {
		t.Errorf("401 on an address route must keep the seed envelope: %v", res)
	}
}
