package twilio

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/humd/humd/actors/sender"
	"github.com/humd/humd/transport/conntest"
)

// TestSendReusesConnections sends two waves of 20 texts, each wave held at
// the server until all 20 are in flight: the second wave must reuse the
// first wave's connections (http.DefaultTransport keeps two per host, so
// concurrent sends used to dial, and against Twilio handshake, each time).
func TestSendReusesConnections(t *testing.T) {
	var reuse conntest.Reuse
	var conns conntest.Conns
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		reuse.Arrive()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued","num_segments":"1"}`))
	}))
	srv.Config.ConnState = conns.State
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := New(Config{AccountSID: testSID, AuthToken: testToken, APIBase: srv.URL, Timeout: 15 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	reuse.Check(t, 20, conns.N, func() error {
		_, err := c.Send(context.Background(), &sender.Outbound{From: "+13175550100", To: "+13175550199", Body: "x"})
		return err
	})
}
