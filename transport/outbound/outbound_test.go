package outbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/humd/humd/actors/egress"
	"github.com/humd/humd/egresspolicy"
)

// receiver is a loopback webhook receiver that closes idle keep-alive
// connections after idle, as Node does after 5 s by default.
type receiver struct {
	*httptest.Server
	requests atomic.Int32
	closed   chan struct{} // one per connection the receiver closes
}

func newReceiver(t *testing.T, idle time.Duration) *receiver {
	r := &receiver{closed: make(chan struct{}, 16)}
	r.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		r.requests.Add(1)
		w.WriteHeader(204)
	}))
	r.Config.IdleTimeout = idle
	r.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateClosed {
			select {
			case r.closed <- struct{}{}:
			default:
			}
		}
	}
	r.Start()
	t.Cleanup(r.Close)
	return r
}

// TestIdleClosedConnectionIsRetried: a receiver closes the kept-alive
// connection after 1 s idle; the next delivery, which humd sends on that
// connection, still succeeds in its one attempt, and reaches the receiver
// once.
func TestIdleClosedConnectionIsRetried(t *testing.T) {
	rcv := newReceiver(t, time.Second)
	post := Poster(egresspolicy.Policy{AllowPrivate: true})
	send := func() *egress.Response {
		return post(&egress.Request{URL: rcv.URL + "/hook", Body: []byte(`{}`), Timeout: 5 * time.Second})
	}
	if res := send(); res.Err != nil || res.Status != 204 {
		t.Fatalf("first delivery = %d, %v", res.Status, res.Err)
	}
	// The receiver's own idle timer closes the connection (after 1 s).
	select {
	case <-rcv.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the receiver never closed the idle connection")
	}
	if res := send(); res.Err != nil || res.Status != 204 {
		t.Fatalf("delivery after the receiver closed the idle connection = %d, %v; want 204", res.Status, res.Err)
	}
	if n := rcv.requests.Load(); n != 2 {
		t.Errorf("receiver got %d requests; want 2", n)
	}
}

// TestClosedEarly: only failures before any answer byte are sent again.
func TestClosedEarly(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{io.EOF, true},
		{fasthttp.ErrConnectionClosed, true},
		{fasthttp.ErrTimeout, false},
		{&net.OpError{Op: "write", Err: errors.New("broken pipe")}, true},
		{&net.OpError{Op: "read", Err: errors.New("connection reset by peer")}, false},
		{&net.OpError{Op: "dial", Err: egresspolicy.ErrBlocked}, false},
		{context.DeadlineExceeded, false},
	} {
		if got := closedEarly(tc.err); got != tc.want {
			t.Errorf("closedEarly(%v) = %v; want %v", tc.err, got, tc.want)
		}
	}
}

// TestPosterRefusesPrivateTargets: under the strict policy a request to a
// loopback receiver, by address or by a name that resolves there, is
// refused when dialled and never reaches it; plain http is refused before.
func TestPosterRefusesPrivateTargets(t *testing.T) {
	rcv := newReceiver(t, time.Minute)
	port := rcv.Listener.Addr().(*net.TCPAddr).Port
	resolve := func(_ context.Context, host string) ([]netip.Addr, error) {
		if host == "hooks.example.com" {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		}
		return nil, errors.New("no such host")
	}
	strict := Poster(egresspolicy.Policy{Resolve: resolve})
	for _, u := range []string{
		fmt.Sprintf("https://127.0.0.1:%d/hook", port),
		fmt.Sprintf("https://[::ffff:127.0.0.1]:%d/hook", port),
		fmt.Sprintf("https://hooks.example.com:%d/hook", port),
	} {
		res := strict(&egress.Request{URL: u, Body: []byte(`{}`), Timeout: 5 * time.Second})
		if !errors.Is(res.Err, egresspolicy.ErrBlocked) {
			t.Errorf("POST %s = %d, %v; want ErrBlocked", u, res.Status, res.Err)
		}
	}
	if res := strict(&egress.Request{URL: rcv.URL + "/hook", Timeout: 5 * time.Second}); !errors.Is(res.Err, egresspolicy.ErrURL) {
		t.Errorf("POST %s = %d, %v; want ErrURL (plain http)", rcv.URL, res.Status, res.Err)
	}
	if n := rcv.requests.Load(); n != 0 {
		t.Errorf("receiver got %d requests; want none", n)
	}
	// The same name with AllowPrivate reaches it (over http, since the
	// receiver has no certificate): the refusals were the policy's.
	open := Poster(egresspolicy.Policy{AllowPrivate: true, Resolve: resolve})
	if res := open(&egress.Request{URL: fmt.Sprintf("http://hooks.example.com:%d/hook", port), Timeout: 5 * time.Second}); res.Err != nil || res.Status != 204 {
		t.Errorf("POST with AllowPrivate = %d, %v; want 204", res.Status, res.Err)
	}
}
