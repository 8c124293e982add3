package outbound

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/humd/humd/egresspolicy"
	store "github.com/humd/humd/storage/mcptools"
)

// TestRemoteRefusesPrivateAddresses: without AllowPrivate the SDK client
// cannot dial loopback or any other special-purpose address, whatever URL
// was stored; it is refused before a packet is sent.
func TestRemoteRefusesPrivateAddresses(t *testing.T) {
	var hit atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit.Store(true) }))
	defer ts.Close()
	port := ts.Listener.Addr().(*net.TCPAddr).Port
	remote := MCPRemote(egresspolicy.Policy{}, "test", nil)
	for _, u := range []string{ts.URL, fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/mcp", port),
		"http://100.64.0.1:1/mcp", "http://198.18.0.1:1/mcp", "http://[64:ff9b::7f00:1]:1/mcp", "http://[2002:7f00:1::]:1/mcp"} {
		for _, tr := range []string{store.TransportStreamable, store.TransportSSE} {
			in := &store.Integration{Name: "x", URL: u, Transport: tr, Auth: store.AuthView{Type: store.AuthNone}}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, err := remote.ListTools(ctx, in)
			cancel()
			if err == nil || !strings.Contains(err.Error(), "address not allowed") {
				t.Errorf("ListTools(%s over %s) = %v; want the address refused", u, tr, err)
			}
		}
	}
	if hit.Load() {
		t.Error("a refused dial reached the server")
	}
}
