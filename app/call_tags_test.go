package app_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/humd/humd/app/apptest"
	"github.com/humd/humd/storage/calls"
)

// orgTags answers GET /api/call-tags (with query) as "tag:calls ...".
func orgTags(t *testing.T, s *apptest.Server, key, query string) (string, any) {
	t.Helper()
	r := s.JSON("GET", "/api/call-tags"+query, key, nil, 200)
	var out []string
	for _, it := range r["data"].([]any) {
		m := it.(map[string]any)
		out = append(out, fmt.Sprintf("%v:%v", m["tag"], m["calls"]))
	}
	return strings.Join(out, " "), r["next_cursor"]
}

func TestCallTagsOrgVocabulary(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	now := s.Clock.Now()
	a := putCall(t, s, &calls.Call{From: "+13175550111", To: ourNumber, StartedAt: now.Add(-2 * time.Hour)}, nil, nil)
	b := putCall(t, s, &calls.Call{From: "+13175550112", To: ourNumber, StartedAt: now.Add(-time.Hour)}, nil, nil)
	viewer := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "v", "role": "viewer"}, 201)["key"].(string)
	operator := s.JSON("POST", "/api/api-keys", adminKey, map[string]any{"name": "o", "role": "operator"}, 201)["key"].(string)

	s.JSON("POST", "/api/calls/"+a.ID+"/tags", operator, map[string]any{"tag": "VIP"}, 201)
	// Another call's "vip" is the org's VIP.
	if r := s.JSON("POST", "/api/calls/"+b.ID+"/tags", operator, map[string]any{"tag": "vip"}, 201); r["tag"] != "VIP" || fmt.Sprint(r["tags"]) != "[VIP]" {
		t.Errorf("tag call B vip = %v; want VIP", r)
	}
	if d := s.JSON("GET", "/api/calls/"+b.ID, viewer, nil, 200); fmt.Sprint(d["tags"]) != "[VIP]" {
		t.Errorf("call B tags = %v; want [VIP]", d["tags"])
	}
	s.JSON("POST", "/api/calls/"+b.ID+"/tags", operator, map[string]any{"tag": "Billing"}, 201)
	s.JSON("POST", "/api/calls/"+a.ID+"/tags", viewer, map[string]any{"tag": "nope"}, 403)

	if got, next := orgTags(t, s, viewer, ""); got != "Billing:1 VIP:2" || next != nil {
		t.Errorf("GET /api/call-tags = %q next %v; want Billing:1 VIP:2", got, next)
	}
	if got, _ := orgTags(t, s, viewer, "?q=v"); got != "VIP:2" {
		t.Errorf("?q=v = %q; want VIP:2", got)
	}
	// Pages of one, by cursor.
	got, next := orgTags(t, s, viewer, "?limit=1")
	if got != "Billing:1" || next == nil {
		t.Fatalf("?limit=1 = %q next %v", got, next)
	}
	if got, next := orgTags(t, s, viewer, "?limit=1&cursor="+url.QueryEscape(next.(string))); got != "VIP:2" || next != nil {
		t.Errorf("second page = %q next %v; want VIP:2 and no more", got, next)
	}
	s.JSON("GET", "/api/call-tags?limit=x", viewer, nil, 422)

	// Another org sees none of them.
	_, keyB := provision(t, s, "Org B", "bob@example.com")
	if got, _ := orgTags(t, s, keyB, ""); got != "" {
		t.Errorf("org B vocabulary = %q; want empty", got)
	}

	// Untagging lowers the count; the last one removes the tag.
	s.JSON("DELETE", "/api/calls/"+a.ID+"/tags/vip", viewer, nil, 403)
	if st, _ := s.Do("DELETE", "/api/calls/"+a.ID+"/tags/vip", operator, nil); st != 204 {
		t.Fatalf("DELETE a/vip = %d", st)
	}
	if got, _ := orgTags(t, s, viewer, ""); got != "Billing:1 VIP:1" {
		t.Errorf("after one untag = %q; want Billing:1 VIP:1", got)
	}
	for _, path := range []string{b.ID + "/tags/VIP", b.ID + "/tags/billing"} {
		if st, _ := s.Do("DELETE", "/api/calls/"+path, operator, nil); st != 204 {
			t.Fatalf("DELETE %s = %d", path, st)
		}
	}
	if got, _ := orgTags(t, s, viewer, ""); got != "" {
		t.Errorf("after untagging everything = %q; want empty", got)
	}
}
