package storage

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"": "", "short": "****", "Bearer abcdefgh1234": "****1234", "12345678901": "****", "123456789012": "****9012"} {
		if got := Mask(in); got != want || (in != "" && !Masked(got)) {
			t.Errorf("Mask(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestHeadersJSONMasked: a Headers value never marshals a value in the clear.
func TestHeadersJSONMasked(t *testing.T) {
	raw, err := json.Marshal(struct{ H Headers }{Headers{"Authorization": "Bearer tok-abcdefgh1234", "X-Tenant": "acme"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(raw); got != `{"H":{"Authorization":"****1234","X-Tenant":"****"}}` {
		t.Errorf("JSON = %s", got)
	}
}

// TestHeadersUnmask: a masked value sent back keeps the value it masks (the
// name matched exactly, else without case); one that masks nothing, or
// another value, is refused; clear values are taken as they are.
func TestHeadersUnmask(t *testing.T) {
	old := Headers{"Authorization": "Bearer tok-abcdefgh1234", "x-tenant": "acme"}
	got, bad := Headers{"Authorization": "****1234", "X-Tenant": "****", "X-New": "clear", "Cookie": "****", "X-Api-Key": "****9999"}.Unmask(old)
	if got["Authorization"] != old["Authorization"] || got["X-Tenant"] != "acme" || got["X-New"] != "clear" || len(got) != 3 {
		t.Errorf("unmasked = %v", got)
	}
	if !slices.Equal(bad, []string{"Cookie", "X-Api-Key"}) {
		t.Errorf("bad = %v; want Cookie (nothing to keep) and X-Api-Key (no such header)", bad)
	}
	if _, bad := (Headers{"Authorization": "****5678"}).Unmask(old); len(bad) != 1 {
		t.Errorf("a mask of another value was taken: bad = %v", bad)
	}
}

// TestResealSealsOldHeaders: an object member has each clear value sealed;
// sealed values stay as they are.
func TestResealSealsOldHeaders(t *testing.T) {
	p, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	sealed := p.Sealer().Seal("kept")
	b := p.NewBatch()
	b.Set([]byte("hook/a"), []byte(`{"headers":{"Authorization":"Bearer plain-cred","X-Old":"`+sealed+`"}}`))
	b.Set([]byte("hook/b"), []byte(`{"headers":{}}`))
	if err := b.Commit(Sync); err != nil {
		t.Fatal(err)
	}
	if err := Reseal(p, []byte("hook/"), "headers"); err != nil {
		t.Fatal(err)
	}
	a, _ := p.Get([]byte("hook/a"))
	var rec struct{ Headers map[string]string }
	if err := DecodeJSON(a, &rec); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(a), "plain-cred") || rec.Headers["X-Old"] != sealed {
		t.Errorf("after reseal = %s", a)
	}
	h, err := p.Sealer().OpenHeaders("hook a", rec.Headers)
	if err != nil || h["Authorization"] != "Bearer plain-cred" || h["X-Old"] != "kept" {
		t.Errorf("opened = %v, %v", h, err)
	}
	if bb, _ := p.Get([]byte("hook/b")); string(bb) != `{"headers":{}}` {
		t.Errorf("a record without headers to seal was rewritten: %s", bb)
	}
}
