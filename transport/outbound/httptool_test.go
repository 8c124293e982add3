package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/humd/humd/actors/httptools"
	"github.com/humd/humd/egresspolicy"
)

// TestSenderRefusesPrivateAddresses: the HTTP tools' Sender dials through the
// policy, so a loopback or other special-purpose address, by literal or by
// a name that resolves to one, is refused before a packet is sent; with
// AllowPrivate the same name reaches the server.
func TestSenderRefusesPrivateAddresses(t *testing.T) {
	var hits atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(200)
	}))
	defer ts.Close()
	port := ts.Listener.Addr().(*net.TCPAddr).Port
	resolve := func(_ context.Context, host string) ([]netip.Addr, error) {
		if host == "tools.example.com" {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		}
		return nil, errors.New("no such host")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	send := HTTPToolSender(egresspolicy.Policy{Resolve: resolve})
	for _, u := range []string{ts.URL, fmt.Sprintf("http://tools.example.com:%d/x", port),
		fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/x", port), "http://100.64.0.1:1/x", "http://198.18.0.1:1/x",
		"http://[64:ff9b::7f00:1]:1/x", "http://[2002:7f00:1::]:1/x", "http://[2001::7f00:1]:1/x"} {
		if _, err := send(ctx, &httptools.Request{Method: "POST", URL: u, Body: []byte(`{}`)}); !errors.Is(err, egresspolicy.ErrBlocked) {
			t.Errorf("send %s = %v; want ErrBlocked", u, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("server got %d requests; want none", n)
	}
	open := HTTPToolSender(egresspolicy.Policy{AllowPrivate: true, Resolve: resolve})
	if res, err := open(ctx, &httptools.Request{Method: "GET", URL: fmt.Sprintf("http://tools.example.com:%d/x", port)}); err != nil || res.Status != 200 {
		t.Errorf("send with AllowPrivate = %v, %v; want 200", res, err)
	}
}
